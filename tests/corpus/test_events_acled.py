"""ACLED fields pass from event mentions to merged events, records and CSV rows (issue 16)."""

from __future__ import annotations

import csv
import io

import pytest

from storyline.annotate.entities import find_entities
from storyline.annotate.events import find_events
from storyline.annotate.nlp import load_nlp
from storyline.corpus.event_exports import CSV_COLUMNS, event_rows, events_to_csv
from storyline.corpus.events import build_events


@pytest.fixture(scope="module")
def events():
    nlp = load_nlp()
    texts = {"d1": "Two suicide bombers blew themselves up at a market in Maiduguri, killing 20 people.",
             "d2": "Demonstrators marched on the electoral commission's offices in Nairobi."}
    mentions = []
    for doc_id, text in texts.items():
        sp = nlp(text)
        ents, _ = find_entities(sp)
        mentions += [(doc_id, m) for m in find_events(sp, entities=ents)]
    return build_events(mentions, doc_texts=texts)


def test_records_carry_acled_fields(events):
    recs = [e.to_record() for e in events]
    for k in ("acled_event_type", "acled_sub_event_type", "plover_mode", "actor_type", "target_type", "weapon",
              "territory_changed"):
        assert all(k in r for r in recs)
    subs = {r["acled_sub_event_type"] for r in recs}
    assert "Suicide bomb" in subs and "Peaceful protest" in subs
    bomb = next(r for r in recs if r["acled_sub_event_type"] == "Suicide bomb")
    assert bomb["acled_event_type"] == "Explosions/Remote violence" and bomb["weapon"] == "suicide"


def test_csv_rows_carry_acled_columns(events):
    for col in ("acled_event_type", "acled_sub_event_type", "plover_mode", "actor1_type", "actor2_type", "weapon",
                "territory_changed"):
        assert col in CSV_COLUMNS
    rows = event_rows(events)
    protest = next(r for r in rows if r["acled_sub_event_type"] == "Peaceful protest")
    assert protest["acled_event_type"] == "Protests" and protest["actor1_type"] == "protesters"
    assert protest["plover"] == "PROTEST" and protest["plover_mode"] == "demonstrate"
    fh = io.StringIO()
    events_to_csv(events, fh)
    parsed = list(csv.DictReader(io.StringIO(fh.getvalue())))
    assert {r["acled_sub_event_type"] for r in parsed} >= {"Suicide bomb", "Peaceful protest"}
