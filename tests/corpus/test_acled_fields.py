"""The ACLED fields are declared once (:data:`storyline.records.ACLED_FIELDS`): the three
classes that carry them (the layer's :class:`~storyline.records.EventMention`, the event
step's :class:`~storyline.corpus.events.EventInput` and the merged
:class:`~storyline.corpus.events.Event`) hold each with one type and default, and the
records list them in the declared order."""

from __future__ import annotations

from dataclasses import MISSING, fields

from storyline.corpus.events import Event, EventInput
from storyline.records import ACLED_FIELDS, EventMention
from storyline.types import Span


def _declared(cls: type) -> dict[str, tuple[object, object]]:
    return {f.name: (str(f.type), f.default) for f in fields(cls)}


def test_the_three_classes_carry_the_declared_fields_alike() -> None:
    mention, unit, event = _declared(EventMention), _declared(EventInput), _declared(Event)
    assert set(ACLED_FIELDS) <= set(mention) and set(ACLED_FIELDS) <= set(unit)
    assert set(event) & set(ACLED_FIELDS) == set(ACLED_FIELDS) - {"acled_confidence"}
    for name in ACLED_FIELDS:
        assert unit[name] == mention[name] or (name == "plover_mode" and mention[name][1] is MISSING), name
        if name in event:
            assert event[name] == unit[name], name


def test_records_list_them_in_the_declared_order() -> None:
    m = EventInput(trigger=Span("d", 0, 4, "fled"), type="displacement", acled_event_type="Violence against civilians",
                   weapon="shelling", territory_changed=True, acled_confidence=0.8)
    rec = m.to_record()
    assert [k for k in rec if k in ACLED_FIELDS] == list(ACLED_FIELDS)
    assert EventInput.from_record(rec) == m
    e = Event(id="ev_1", type="displacement", plover=None, actor=None, quantities=[], origin=None, destination=None,
              via=[], location=None, time=None, certainty=None, evidence=[], documents=[], independent_sources=1,
              plover_mode="flee", acled_event_type="Violence against civilians", weapon="shelling")
    rec = e.to_record()
    assert [k for k in rec if k in ACLED_FIELDS] == [f for f in ACLED_FIELDS if f != "acled_confidence"]
    assert list(rec)[:4] == ["claims", "id", "type", "plover"] and list(rec)[11] == "actor"
    assert Event.from_record(rec) == e
