"""The situation report on the sample corpus: sections, corroboration counts, provenance,
map, tone signals (the sample store is the session fixture from tests/conftest.py)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from storyline.report import build_report, render_html, render_json, render_markdown, static_files
from storyline.store import Store
from storyline.types import Doc

RAQQA = (35.95, 39.01)
DEIR_EZ_ZOR = (35.34, 40.14)


def _near(place: dict[str, Any] | None, where: tuple[float, float], km: float = 30.0) -> bool:
    if not place or place.get("lat") is None:
        return False
    dlat = math.radians(place["lat"] - where[0])
    dlon = math.radians(place["lon"] - where[1]) * math.cos(math.radians(where[0]))
    return 6371 * math.hypot(dlat, dlon) < km


@pytest.fixture(scope="module")
def report(sample_store: Store) -> Any:
    return build_report(sample_store, title="Sample corpus")


@pytest.fixture(scope="module")
def record(report: Any) -> dict[str, Any]:
    return json.loads(render_json(report))


def test_sections_present(record: dict[str, Any], sample_docs: dict[str, Doc]) -> None:
    for key in ("story", "summary", "numbers", "timeline", "map", "provenance", "speakers", "contradictions",
                "uncertainties", "sources", "generated_at"):
        assert key in record, key
    story = record["story"]
    for key in ("id", "title", "documents", "start", "end", "summary", "events", "claims"):
        assert key in story
    assert sorted(story["documents"]) == sorted(d.id for d in sample_docs.values())
    assert story["start"] == "2015-11" and story["end"] == "2017-03-09"
    assert story["summary"] and all({"sentence", "evidence"} <= set(s) for s in story["summary"])
    assert record["map"]["type"] == "FeatureCollection"
    assert len(record["sources"]) == 5


def test_evidence_spans_are_verbatim(record: dict[str, Any], sample_docs: dict[str, Doc]) -> None:
    texts = {d.id: d.text or "" for d in sample_docs.values()}
    spans = [e for f in record["summary"] + record["timeline"]["items"] for e in f["evidence"]]
    spans += [q["evidence"] for g in record["numbers"] for q in g["reports"]]
    assert spans
    for e in spans:
        assert texts[e["doc"]][e["start"] : e["end"]] == e["text"]
    for f in record["summary"]:  # the sentence shown is one of its evidence spans, verbatim
        assert f["sentence"] in {e["text"] for e in f["evidence"]}


def test_raqqa_to_deir_ez_zor_counts_one_source(record: dict[str, Any], sample_docs: dict[str, Doc]) -> None:
    """001 (Breitbart) and 004 (which pastes it) both carry the movement: one source."""
    b001, b004 = sample_docs["001"].id, sample_docs["004"].id
    moves = [
        f for f in record["summary"]
        if _near(f["origin"], RAQQA) and _near(f["destination"], DEIR_EZ_ZOR)
    ]
    assert moves, [f["headline"] for f in record["summary"]]
    both = [f for f in moves if {b001, b004} <= set(f["documents"])]
    assert both
    assert all(f["independent_sources"] == 1 and f["single_source"] for f in both)
    assert {e["doc"] for e in both[0]["evidence"]} >= {b001, b004}


def test_provenance_has_the_copy_edge(record: dict[str, Any], report: Any, sample_docs: dict[str, Doc]) -> None:
    b001, b004 = sample_docs["001"].id, sample_docs["004"].id
    edges = record["provenance"]["edges"]
    copy = [e for e in edges if e["relation"] == "copies"]
    assert [(e["source"], e["target"]) for e in copy] == [(f"doc:{b004}", f"doc:{b001}")]
    assert copy[0]["direction"] == "source_to_copy" and copy[0]["passages"] >= 1
    assert any(e["relation"] == "cites" for e in edges)
    html = render_html(report)
    assert f'class="edge copies" data-source="doc:{b004}" data-target="doc:{b001}"' in html
    # deterministic layout: the same report renders the same graph
    assert render_html(report).split('<svg xmlns')[1] == html.split('<svg xmlns')[1]


def test_map_has_places_and_movements(record: dict[str, Any]) -> None:
    feats = record["map"]["features"]
    kinds = {(f["geometry"]["type"], f["properties"]["feature"]) for f in feats}
    assert ("Point", "place") in kinds and ("LineString", "movement") in kinds
    points = [f for f in feats if f["geometry"]["type"] == "Point"]
    assert any(f["properties"]["name"] == "Raqqa" and f["properties"]["mentions"] > 3 for f in points)


def test_tone_signals_flag_loaded_words(record: dict[str, Any], sample_docs: dict[str, Doc]) -> None:
    src = {s["id"]: s for s in record["sources"]}
    tone = src[sample_docs["004"].id]["tone"]
    words = {w["word"] for w in tone["loaded"]["words"]}
    assert {"cowards", "honchos"} <= words, words
    assert any("tough guy" in w for w in words)
    text = sample_docs["004"].text
    assert text is not None
    for e in tone["loaded"]["evidence"]:
        assert text[e["start"] : e["end"]] == e["text"]
    # 000 calls RBSS "credible": a credibility cue, shown as a signal
    assert "credible" in {w["word"] for w in src[sample_docs["000"].id]["tone"]["credibility"]["words"]}
    assert "loaded" not in src[sample_docs["000"].id]["tone"]


def test_sources_and_timeline(record: dict[str, Any], sample_docs: dict[str, Doc]) -> None:
    src = {s["id"]: s for s in record["sources"]}
    s004, s001 = src[sample_docs["004"].id], src[sample_docs["001"].id]
    assert [c["doc"] for c in s004["copies"]] == [sample_docs["001"].id]
    assert [c["doc"] for c in s001["copied_by"]] == [sample_docs["004"].id]
    assert s001["link"] and s001["link"].startswith("https://")
    items = record["timeline"]["items"]
    assert items and {i["time"]["placed_by"] for i in items} >= {"event", "publication"}
    values = [i["time"]["value"] or "9999" for i in items]
    assert values == sorted(values)


def test_who_said_what_chains(record: dict[str, Any]) -> None:
    eesa = next(g for g in record["speakers"] if g["speaker"] == "Hussam Eesa")
    chains = {" → ".join(ch) for c in eesa["claims"] for ch in c["chains"]}
    assert "Breitbart News → Voice of America → Hussam Eesa" in chains
    assert any(ch.startswith("conservativefiringline.com → Breitbart News") for ch in chains), chains
    kinds = {x["kind"] for x in record["contradictions"]}
    assert "undercut" in kinds or "geography" in kinds
    assert any(u["certainty"] == "hedged" for u in record["uncertainties"])


def test_story_episodes(sample_store: Store, sample_docs: dict[str, Doc]) -> None:
    ids = [sample_docs[k].id for k in ("001", "004")]
    story = {"id": "story:x", "title": "Flight to Deir ez-Zor", "documents": ids, "start": "2017-03",
             "end": "2017-03", "episodes": [{"id": "ep1", "title": "March 2017", "documents": ids,
                                             "start": "2017-03", "end": "2017-03"}]}
    r = build_report(sample_store, story=story)
    rec = r.to_record()
    assert rec["story"]["id"] == "story:x" and sorted(rec["story"]["documents"]) == sorted(ids)
    assert rec["timeline"]["episodes"][0]["documents"][0]["id"] in ids
    assert "March 2017" in render_html(r) and "Story structure" in render_markdown(r)


def test_static_files() -> None:
    files = static_files()
    assert set(files) == {"leaflet.js", "leaflet.css", "map.js", "map.css", "report.js", "report.css",
                          "countries-110m.geojson"}
    assert b"Leaflet" in files["leaflet.js"][:2000]
    assert json.loads(files["countries-110m.geojson"])["type"] == "FeatureCollection"


def test_app_mode_references_static(report: Any) -> None:
    html = render_html(report, standalone=False, static_url="/static/", doc_url=lambda d: f"/docs/{d}")
    assert '<script src="/static/leaflet.js"></script>' in html
    assert "Content-Security-Policy" not in html
    # the only inline scripts are JSON data blocks
    import re

    for attrs, _ in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
        assert 'type="application/json"' in attrs or "src=" in attrs
    assert 'href="/docs/' in html
    # a doc_url that is not a safe link is not used
    bad = render_html(report, standalone=False, doc_url=lambda d: "javascript:alert(1)")
    assert "javascript:" not in bad


def test_report_does_not_depend_on_hash_order(sample_store) -> None:
    """Two processes with different hash seeds write the same report (set and dict
    iteration orders must never choose evidence, findings or layout)."""
    import os
    import subprocess
    import sys

    code = (
        "import json, sys\n"
        "from storyline.store import Store\n"
        "from storyline.report import corpus_report\n"
        "with Store(sys.argv[1], readonly=True) as s:\n"
        "    r = corpus_report(s).to_record()\n"
        "r.pop('generated_at')\n"
        "print(json.dumps(r, sort_keys=True))\n"
    )
    outs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        proc = subprocess.run([sys.executable, "-c", code, sample_store.path], env=env,
                              capture_output=True, text=True, timeout=300, check=True)
        outs.append(proc.stdout)
    assert outs[0] == outs[1]
