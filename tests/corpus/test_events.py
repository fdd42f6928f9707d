"""Cross-document event coreference, export and coreference metrics (storyline.corpus.events, event_exports, coref_metrics)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from storyline.corpus.coref_metrics import b_cubed, ceaf_e, conll_f1, muc
from storyline.corpus.event_exports import CSV_COLUMNS, events_to_csv, events_to_geojson, events_to_parquet
from storyline.corpus.events import (
    EventInput,
    PlaceRef,
    QuantityRef,
    build_events,
    cluster_events,
    event_candidates,
    from_mention,
    score_event_pair,
)
from storyline.corpus.provenance import build_graph
from storyline.types import CopiedPassage, DocMeta, Span

RAQQA = PlaceRef("Raqqa", 35.95, 39.01, "city", "SY", "163345", 1)
DEIR = PlaceRef("Deir ez-Zor", 35.336, 40.14, "city", "SY", "170794", 1)
DEIR_NEAR = PlaceRef("outskirts of Deir ez-Zor", 35.30, 40.20, "area", "SY", None, 1)  # ~7 km
ALEPPO = PlaceRef("Aleppo", 36.20, 37.16, "city", "SY", "170063", 1)


def ev(doc, start, text, type="move", *, actor="Islamic State", entity="org:isis", origin=RAQQA,
       destination=DEIR, location=None, time="2017-03-09", gran="day", quantities=(), certainty="asserted"):
    return EventInput(
        trigger=Span(doc, start, start + len(text), text), type=type, plover="MOVE" if type != "attack" else "ASSAULT",
        actor_name=actor, actor_entity=entity, origin=origin, destination=destination, location=location,
        time_value=time, time_granularity=gran, quantities=tuple(quantities), certainty=certainty,
    )


def graph_with_copy():
    docs = [(d, DocMeta(outlet=o)) for d, o in (("001", "Breitbart News"), ("004", "conservativefiringline.com"),
                                                 ("007", "Reuters"))]
    passage = CopiedPassage(Span("001", 0, 40, "x" * 40), Span("004", 10, 50, "x" * 40), 0.95, "source_to_copy")
    return build_graph(docs, [passage], [])


def test_same_event_in_two_documents_is_one():
    a = ev("001", 100, "moved")
    b = ev("007", 50, "relocated", type="relocate", destination=DEIR_NEAR)
    events = build_events([a, b])
    assert len(events) == 1
    e = events[0]
    assert e.documents == ["001", "007"] and len(e.evidence) == 2
    assert e.origin["name"] == "Raqqa" and e.time == {"value": "2017-03-09", "granularity": "day"}


def test_copy_group_counts_as_one_independent_source():
    g = graph_with_copy()
    a = ev("001", 100, "moved")
    b = ev("004", 120, "moved")
    (e,) = build_events([a, b], g)
    assert e.documents == ["001", "004"] and e.independent_sources == 1
    c = ev("007", 5, "moved")
    (e2,) = build_events([a, b, c], g)
    assert e2.independent_sources == 2


def test_different_days_stay_apart():
    a = ev("001", 10, "convoy moved", time="2017-03-09")
    b = ev("007", 10, "convoy moved", time="2017-03-12")
    assert event_candidates([a, b]) == []
    assert len(build_events([a, b])) == 2


def test_month_contains_day_but_other_month_does_not():
    a = ev("001", 10, "moved", time="2017-03-09")
    b = ev("007", 10, "moved", time="2017-03", gran="month")
    c = ev("008", 10, "moved", time="2017-04", gran="month")
    assert score_event_pair(a, b) > 0 and score_event_pair(a, c) == 0
    assert len(build_events([a, b])) == 1


def test_far_places_and_other_actors_stay_apart():
    a = ev("001", 10, "moved")
    b = ev("007", 10, "moved", destination=ALEPPO)
    c = ev("008", 10, "moved", actor="Syrian Army", entity="org:saa")
    assert score_event_pair(a, b) == 0 and score_event_pair(a, c) == 0
    assert len(build_events([a, b, c])) == 3


def test_vague_vs_precise_quantities_need_full_agreement():
    dozens = QuantityRef(24, None, "vehicles", "dozens of vehicles")
    several = QuantityRef(3, 9, "vehicles", "several military vehicles")
    a = ev("001", 10, "convoy", quantities=[dozens])
    b = ev("007", 10, "convoy", quantities=[several])
    assert len(build_events([a, b])) == 1  # time, place and actor agree
    b_no_actor = ev("007", 10, "convoy", actor=None, entity=None, quantities=[several])
    assert len(build_events([a, b_no_actor])) == 2
    b_no_time = ev("007", 10, "convoy", time=None, gran=None, quantities=[several])
    assert len(build_events([a, b_no_time])) == 2
    # a vague count that does overlap merges under the normal rule
    b_ok = ev("007", 10, "convoy", actor=None, entity=None, quantities=[QuantityRef(20, 40, "vehicle", "20-40")])
    assert len(build_events([a, b_ok])) == 1


def test_cluster_events_cannot_link_keeps_groups_apart():
    # 0-1 and 1-2 are strong, 0-2 conflicts: 2 must not join {0,1}
    groups = cluster_events(3, {(0, 1): 0.9, (1, 2): 0.9}, threshold=0.6)
    assert groups in ([[0, 1], [2]], [[0], [1, 2]])
    assert cluster_events(3, {(0, 1): 0.9, (1, 2): 0.9, (0, 2): 0.8}) == [[0, 1, 2]]


def test_event_id_stable_and_record_shape():
    a, b = ev("001", 100, "moved"), ev("007", 50, "moved")
    e1, e2 = build_events([a, b])[0], build_events([b, a])[0]
    assert e1.id == e2.id and e1.id.startswith("ev_")
    rec = e1.to_record()
    assert set(rec) >= {"id", "type", "plover", "actor", "quantities", "origin", "destination", "via",
                        "location", "time", "certainty", "evidence", "documents", "independent_sources"}
    json.dumps(rec)
    assert rec["actor"] == {"name": "Islamic State", "entity": "org:isis"}


def test_adapter_from_mention_like_object():
    class M:  # the shape of annotate.events.EventMention
        start, end, text, type, plover = 5, 10, "moved", "move", "MOVE"
        actor = {"name": "IS", "entity": "org:isis"}
        affected = None
        origin = {"name": "Raqqa", "lat": 35.95, "lon": 39.01, "gazetteer_id": 163345, "precision": 1}
        destination = None
        via = []
        location = None
        quantities = [{"low": 91, "high": None, "unit": "militants", "text": "more than 90 militants"}]
        time = {"value": "2017-03", "granularity": "month"}
        certainty = "hedged"
        sentence = None

    e = from_mention(M(), "001")
    assert e.trigger == Span("001", 5, 10, "moved") and e.actor_entity == "org:isis"
    assert e.origin.gazetteer_id == "163345" and e.time_granularity == "month"
    assert e.quantities[0].low == 91
    (out,) = build_events([("001", M())])
    assert out.certainty == "hedged"


# ----------------------------------------------------------------------------- export


def _events():
    a = ev("001", 100, "moved", quantities=[QuantityRef(91, None, "militants", "more than 90 militants")])
    b = ev("007", 5, "attacked", type="attack", origin=None, destination=None, location=ALEPPO, time="2017-03", gran="month")
    c = ev("008", 5, "fled", type="flee", origin=None, destination=None, location=None)
    return build_events([a, b, c])


def test_csv_columns_and_rows():
    buf = io.StringIO()
    events_to_csv(_events(), buf, sources={"001": "Breitbart News"})
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    for col in ("event_date", "time_precision", "event_type", "actor1", "actor2", "location", "latitude",
                "longitude", "geo_precision", "source", "notes", "origin_lat", "origin_lon", "destination_lat",
                "destination_lon", "quantities", "certainty", "independent_sources", "evidence"):
        assert col in CSV_COLUMNS
    move = next(r for r in rows if r["event_type"] == "move")
    assert move["event_date"] == "2017-03-09" and move["time_precision"] == "1"
    assert move["origin_lat"] == "35.95" and move["destination"] == "Deir ez-Zor"
    assert move["source"] == "Breitbart News" and "more than 90 militants" in move["quantities"]
    attack = next(r for r in rows if r["event_type"] == "attack")
    assert attack["time_precision"] == "3" and attack["location"] == "Aleppo"


def test_geojson_points_and_lines():
    gj = events_to_geojson(_events())
    assert gj["type"] == "FeatureCollection"
    kinds = sorted(f["geometry"]["type"] for f in gj["features"])
    assert kinds == ["LineString", "Point"]  # the unlocated flee event is left out
    line = next(f for f in gj["features"] if f["geometry"]["type"] == "LineString")
    assert line["geometry"]["coordinates"] == [[39.01, 35.95], [40.14, 35.336]]  # lon, lat; origin first
    json.dumps(gj)


def test_parquet_round_trip(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    events = _events()
    path = tmp_path / "events.parquet"
    events_to_parquet(events, path)
    table = pq.read_table(path)
    assert tuple(table.column_names) == CSV_COLUMNS and table.num_rows == len(events)
    rows = table.to_pylist()
    assert {r["event_id"] for r in rows} == {e.id for e in events}
    move = next(r for r in rows if r["event_type"] == "move")
    assert move["origin_lat"] == pytest.approx(35.95) and move["independent_sources"] == 1


# ----------------------------------------------------------------------------- metrics

KEY = [[1, 2, 3, 4, 5], [6, 7], [8, 9, 10, 11, 12]]
RESPONSE = [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11, 12]]


def test_muc_known_values():
    # Pradhan et al. 2014 worked example: R = 1, P = 9/10
    p, r, f = muc(KEY, RESPONSE)
    assert (p, r) == (pytest.approx(0.9), pytest.approx(1.0)) and f == pytest.approx(18 / 19)
    assert muc([[1, 2]], [[1], [2]]) == (0.0, 0.0, 0.0)


def test_b_cubed_known_values():
    p, r, _ = b_cubed(KEY, RESPONSE)
    assert r == pytest.approx(1.0)
    assert p == pytest.approx((5 + 2 * 2 / 7 + 5 * 5 / 7) / 12)
    assert b_cubed([[1], [2]], [[1], [2]]) == (1.0, 1.0, 1.0)


def test_ceaf_e_known_values():
    p, r, _ = ceaf_e(KEY, RESPONSE)
    phi = 1 + 2 * 5 / 12
    assert p == pytest.approx(phi / 2) and r == pytest.approx(phi / 3)


def test_conll_is_mean_and_perfect_is_one():
    assert conll_f1(KEY, KEY) == pytest.approx(1.0)
    expected = (muc(KEY, RESPONSE)[2] + b_cubed(KEY, RESPONSE)[2] + ceaf_e(KEY, RESPONSE)[2]) / 3
    assert conll_f1(KEY, RESPONSE) == pytest.approx(expected)


# ----------------------------------------------------------------------------- sample corpus


def test_sample_movements_merged_across_documents(sample_store):
    """vision.md's movements on the map, after cross-document merging: origin → destination
    where the text gives both, the 001/004 copy counted once."""
    from pathlib import Path

    from storyline.corpus.persist import event_list

    names = {d.id: Path(d.source_path).name[:3] for d in sample_store.iter_docs()}
    rows = []
    for e in event_list(sample_store):
        r = e.to_record()
        rows.append(((r["origin"] or {}).get("name"), (r["destination"] or {}).get("name"),
                     {names[x] for x in r["documents"]}, r))

    def find(origin, dest, docs):
        hits = [r for o, d, ds, r in rows if o == origin and d == dest and docs <= ds]
        assert hits, (origin, dest, docs, [(o, d, ds) for o, d, ds, _ in rows if o or d])
        return hits

    convoy = find("Iraq", "Ar Raqqah", {"000"})
    assert any({"10 Buses", "35 SUV"} <= {q["text"] for q in r["quantities"]} for r in convoy)
    assert all(r["certainty"] == "hedged" for r in convoy)  # "reportedly", "allegedly"
    deir = find("Ar Raqqah", "Deir ez-Zor", {"001", "004"})
    assert all(r["independent_sources"] == 1 for r in deir)
    find("Al Qā’im" if any(o == "Al Qā’im" for o, *_ in rows) else "al-Qa'im border crossing", "Ālbū Kamāl", {"002"})
    find("Ar Raqqah", "Al Ḩasakah", {"003"})
    find("Ar Raqqah", "Tadmur", {"003"})
    find("Mosul", "Syria", {"003"})
    assert any(d == "Markadah" and o in ("Nīnawá", "Iraq") for o, d, *_ in rows)
    # the convoy is not merged with an untimed movement of another report that shares only a country
    assert all(len(r["documents"]) == 1 for r in convoy)
    # one Raqqa → Deir ez-Zor record: no per-document or placeless duplicates of the 001/004 flight
    to_deir = [r for o, d, ds, r in rows if o == "Ar Raqqah" and d == "Deir ez-Zor"]
    assert len(to_deir) == 1
    assert {names[x] for x in to_deir[0]["documents"]} == {"001", "004"}
    margada = next(r for o, d, ds, r in rows if d == "Markadah")
    assert margada["origin"]["name"] == "Nīnawá"  # the finer of Nineveh and Iraq
    assert any(q["low"] == 25 and q["unit"] == "family" for q in margada["quantities"])
    # "to the Syrian border": the country, kind border
    border = [r for o, d, ds, r in rows if ds == {"000"} and r["type"] == "deploy" and d == "Syria"]
    assert border and border[0]["destination"]["kind"] == "border" and border[0]["destination"]["precision"] == 3
    # a proposal ("Expelling the Kurds from Raqqa is the best solution") is no event
    assert not any("Expelling" in s["text"] for _, _, _, r in rows for s in r["evidence"])
    palmyra = next(r for o, d, ds, r in rows if d == "Tadmur")
    assert palmyra["actor"]["entity"] == "actor:islamic-state"  # "the group"


# ------------------------------------------------------------------ same-document merging

NINEVEH = PlaceRef("Nineveh Governorate", 36.0, 42.5, "region", "IQ", "99001", 3)
IRAQ = PlaceRef("Iraq", 33.0, 44.0, "country", "IQ", "99000", 3)
TEXT = ("Dozens of IS vehicles began the march out of Raqqa. Those fleeing are commanders.\n\n"
        "Unrelated text here. More unrelated text.\n\nLeaders moved from Raqqa to Deir ez-Zor.")


def _local(doc, start, text, sent, **kw):
    e = ev(doc, start, text, **kw)
    e.sentence = Span(doc, sent[0], sent[1], TEXT[sent[0]:sent[1]])
    return e


def test_same_paragraph_mentions_of_one_movement_merge():
    march = _local("d1", 22, "march", (0, 52), destination=None, time=None)
    fleeing = _local("d1", 59, "fleeing", (53, 83), type="flee", actor=None, entity=None, origin=None,
                     destination=None, time=None)
    (e,) = build_events([march, fleeing], doc_texts={"d1": TEXT})
    assert len(e.evidence) == 2 and e.origin["name"] == "Raqqa"
    # a placeless, actorless mention far away in the document stays its own event
    far = _local("d1", 85, "text", (85, 105), type="flee", actor=None, entity=None, origin=None,
                 destination=None, time=None)
    assert len(build_events([march, far], doc_texts={"d1": TEXT})) == 2


def test_same_route_in_one_document_merges_across_paragraphs():
    march = _local("d1", 22, "march", (0, 52), time=None)
    moved = _local("d1", 135, "moved", (127, 168), time=None)
    assert len(build_events([march, moved], doc_texts={"d1": TEXT})) == 1
    # origin-only and destination-only mentions far apart stay apart (no link)
    a = _local("d1", 22, "march", (0, 52), destination=None, time=None)
    b = _local("d1", 135, "moved", (127, 168), origin=None, time=None)
    assert len(build_events([a, b], doc_texts={"d1": TEXT})) == 2


def test_into_and_out_of_one_place_do_not_merge():
    out_of = _local("d1", 22, "march", (0, 52), destination=None, time=None)
    into = _local("d1", 59, "fleeing", (53, 83), type="arrive", origin=None, destination=RAQQA, time=None)
    assert len(build_events([out_of, into], doc_texts={"d1": TEXT})) == 2


def test_conflicting_time_or_actor_or_polarity_keeps_same_paragraph_apart():
    a = _local("d1", 22, "march", (0, 52), time="2017-03-01")
    b = _local("d1", 59, "fleeing", (53, 83), type="flee", time="2017-02-01")
    assert len(build_events([a, b], doc_texts={"d1": TEXT})) == 2
    c = _local("d1", 59, "fleeing", (53, 83), type="flee", actor="YPG", entity="org:ypg", time=None)
    assert len(build_events([_local("d1", 22, "march", (0, 52), time=None), c], doc_texts={"d1": TEXT})) == 2
    d = _local("d1", 59, "fleeing", (53, 83), type="flee", certainty="denied", time=None)
    assert len(build_events([_local("d1", 22, "march", (0, 52), time=None), d], doc_texts={"d1": TEXT})) == 2


def test_merged_origin_is_the_finest_agreed_place():
    a = ev("d1", 0, "arrived", origin=IRAQ, time=None)
    b = ev("d2", 0, "came", origin=NINEVEH, time=None)
    e = build_events([a, b])[0] if len(build_events([a, b])) == 1 else None
    assert e is not None and e.origin["name"] == "Nineveh Governorate"
