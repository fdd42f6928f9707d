"""The annotation stages as stored by a real ingest, and the CLI views over them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from storyline.corpus.annotations import entity_records, place_records, places_geojson, time_records
from storyline.store import Store
from storyline.types import Doc


def test_layers_are_stored_with_exact_offsets(sample_docs: dict[str, Doc]) -> None:
    for doc in sample_docs.values():
        assert doc.text and doc.sentences and doc.entities and doc.places and doc.times
        assert doc.nlp is None  # transient: never stored
        for layer in (doc.entities, doc.places, doc.times, doc.quantities):
            for item in layer:
                assert doc.text[item.start : item.end] == item.text
        assert {"clean", "nlp", "entities", "places", "times", "quantities", "citations"} <= set(doc.stage_versions)


def test_entity_records_resolve_across_documents(sample_docs: dict[str, Doc]) -> None:
    records = entity_records(list(sample_docs.values()))
    by_name = {r["name"]: r for r in records}
    eesa = by_name["Hussam Eesa"]
    assert eesa["type"] == "person" and len(eesa["documents"]) == 2 and "Eesa" in eesa["aliases"]
    isis = next(r for r in records if {"ISIS", "Daesh"} <= set(r["aliases"]))
    assert isis["type"] == "armed_group"
    for r in records:
        for m in r["mentions"]:
            assert sample_docs_text(sample_docs, m["doc"])[m["start"] : m["end"]] == m["text"]


def sample_docs_text(sample_docs: dict[str, Doc], doc_id: str) -> str:
    return next(d.text for d in sample_docs.values() if d.id == doc_id) or ""


def test_dateline_places_are_kept_apart_from_body_evidence(sample_docs: dict[str, Doc]) -> None:
    records = place_records(list(sample_docs.values()))
    erbil = next(r for r in records if r["name"] == "Erbil")
    assert erbil["mentions"] == [] and erbil["datelines"][0]["doc"] == sample_docs["000"].id
    assert abs(erbil["lat"] - 36.19) < 0.2 and abs(erbil["lon"] - 44.01) < 0.2
    geo = places_geojson(list(sample_docs.values()))
    assert geo["type"] == "FeatureCollection" and all(f["geometry"]["type"] == "Point" for f in geo["features"])


def test_times_resolved_against_publication_dates(sample_docs: dict[str, Doc]) -> None:
    recs = {(r["span"]["doc"], r["span"]["text"]): r for r in time_records(list(sample_docs.values()))}
    assert recs[(sample_docs["001"].id, "last month")]["value"] == "2017-02"
    assert recs[(sample_docs["000"].id, "July")]["value"] == "2016-07"
    assert not recs[(sample_docs["004"].id, "last month")]["resolved"]  # no publication date


def test_cli_views(tmp_path: Path, sample_store: Store) -> None:
    db = sample_store.path
    def run(*a: str) -> str:
        return subprocess.run([sys.executable, "-m", "storyline.cli", *a, "--db", db], check=True,
                              capture_output=True, text=True).stdout
    ents = [json.loads(l) for l in run("entities", "--json").splitlines()]
    assert {"id", "name", "type", "aliases", "mentions"} <= set(ents[0])
    assert all(e["type"] == "person" for e in (json.loads(l) for l in run("entities", "--type", "person", "--json").splitlines()))
    places = [json.loads(l) for l in run("places", "--json").splitlines()]
    assert {"lat", "lon", "kind", "country", "gazetteer_id", "precision"} <= set(places[0])
    assert json.loads(run("places", "--format", "geojson"))["features"]
    times = [json.loads(l) for l in run("times", "--json").splitlines()]
    assert {"span", "value", "granularity", "anchor", "resolved"} <= set(times[0])


def test_cli_claims(sample_store: Store, sample_docs: dict[str, Doc]) -> None:
    db = sample_store.path
    out = subprocess.run([sys.executable, "-m", "storyline.cli", "claims", "--db", db, "--json", "--speaker", "Eesa"],
                         check=True, capture_output=True, text=True).stdout
    claims = [json.loads(l) for l in out.splitlines()]
    fields = {"id", "content", "speaker", "cue", "via", "certainty", "hedges", "evidence", "documents",
              "independent_sources", "contradicts"}
    assert claims and all(fields <= set(c) for c in claims)
    dozens = next(c for c in claims if "dozens" in c["content"]["text"])
    assert sorted(dozens["documents"]) == sorted([sample_docs["001"].id, sample_docs["004"].id])
    assert dozens["independent_sources"] == 1 and dozens["via"][-1] == "Voice of America"
    text = subprocess.run([sys.executable, "-m", "storyline.cli", "claims", "--db", db], check=True,
                          capture_output=True, text=True).stdout
    assert "[geography]" in text and "[undercut]" in text


def test_events_end_to_end(sample_store: Store, sample_docs: dict[str, Doc], tmp_path: Path) -> None:
    from storyline.corpus.persist import event_list

    events = [e.to_record() for e in event_list(sample_store)]
    for e in events:
        for span in e["evidence"]:
            assert sample_docs_text(sample_docs, span["doc"])[span["start"] : span["end"]] == span["text"]
    copies = {sample_docs["001"].id, sample_docs["004"].id}
    to_deir = [e for e in events if (e["destination"] or {}).get("name") == "Deir ez-Zor" and set(e["documents"]) == copies]
    assert to_deir and all(e["independent_sources"] == 1 for e in to_deir)
    assert any(e["claims"] for e in to_deir)  # linked back to the claims that report it
    margada = next(e for e in events if (e["destination"] or {}).get("name") == "Markadah")
    assert margada["type"] == "arrive" and abs(margada["destination"]["lat"] - 35.75) < 0.2
    db = sample_store.path
    for fmt in ("csv", "geojson", "json", "parquet"):
        out = tmp_path / f"ev.{fmt}"
        subprocess.run([sys.executable, "-m", "storyline.cli", "events", "--db", db, "--format", fmt, "--out", str(out)],
                       check=True, capture_output=True)
        assert out.stat().st_size > 100
    header = (tmp_path / "ev.csv").read_text().splitlines()[0].split(",")
    assert {"event_date", "event_type", "actor1", "latitude", "longitude", "geo_precision", "independent_sources"} <= set(header)
    geo = json.loads((tmp_path / "ev.geojson").read_text())
    assert any(f["geometry"]["type"] == "LineString" for f in geo["features"])
