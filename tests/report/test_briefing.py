"""The report reads like a briefing (issue #14): header and key-number slips fixed, sections
folded with counts behind a contents bar, and the one map module (storyline.mapview) feeding
the report and the app with the same data."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import pytest

from storyline.mapview import ATTRIBUTION, enrich, with_links
from storyline.report import build, corpus_report, render_html, render_markdown
from storyline.report.html import date_span, stamp_label
from storyline.store import Store


@pytest.mark.parametrize(("low", "high", "text"), [
    (25000, 25000, "25,000"), (None, 4000, "up to 4,000"), (90, None, "90 or more"), (3, 5, "3–5"),
    (0.99, 0.99, "0.99"), (None, None, "?"),
])
def test_value_text(low: Any, high: Any, text: str) -> None:
    assert build.value_text(low, high) == text


def test_range_text_covers_every_row_and_never_repeats_a_value() -> None:
    # the slip: rows "up to 4,000" and "25,000" read "values from 25,000 to 25,000"
    g = {"total_reports": 2, "min": 4000, "max": 25000, "open_below": True, "open_above": False}
    assert build.range_text(g) == "values from up to 4,000 to 25,000 across 2 reports"
    assert build.range_text({"total_reports": 2, "min": 25000, "max": 25000}) == "25,000 in all 2 reports"
    assert build.range_text({"total_reports": 1, "min": 7, "max": 7}) == "7 in 1 report"
    assert build.range_text({"total_reports": 1, "min": 2, "max": 2, "open_above": True}) == "2 or more in 1 report"
    assert build.range_text({"total_reports": 3, "min": 3, "max": 90, "open_above": True}) == (
        "values from 3 to 90 or more across 3 reports")


@pytest.mark.parametrize(("unit", "group"), [
    ("USD", "US dollars"), ("usd", "US dollars"), ("GBP", "pounds sterling"), (None, build.NO_UNIT), ("", build.NO_UNIT),
    ("company", "companies"), ("inch", "inches"), ("match", "matches"), ("hp", "hp"), ("lb-ft", "lb-ft"),
    ("horsepower", "horsepower"), ("militants", "fighters"), ("family", "families"), ("resident", "residents"),
])
def test_unit_groups_read_as_words(unit: str | None, group: str) -> None:
    assert build._unit_group(unit) == group


def test_dates_in_prose() -> None:
    assert date_span("2019-11-18", "2019-11-19") == "18–19 November 2019"  # not "(precision unknown) to"
    assert date_span("2019-10-18", "2019-11-19") == "18 October – 19 November 2019"
    assert date_span("2015-11", "2017-03-09") == "November 2015 – 9 March 2017"
    assert date_span("2017-03-09", "2017-03-09") == "9 March 2017"
    assert date_span(None, None) == "undated"
    assert stamp_label("2026-12-06T10:27:15+00:00") == "6 December 2026, 10:27 UTC"


@pytest.fixture(scope="module")
def record(sample_store: Store) -> dict[str, Any]:
    return corpus_report(sample_store).to_record()


@pytest.fixture(scope="module")
def page(sample_store: Store) -> str:
    return render_html(corpus_report(sample_store), standalone=True)


def test_number_groups_span_all_their_rows(record: dict[str, Any]) -> None:
    for g in record["numbers"]:
        rows = g["reports"]
        lows = [r["low"] if r["low"] is not None else r["high"] for r in rows]
        highs = [r["high"] if r["high"] is not None else r["low"] for r in rows]
        if g["omitted"] == 0 and any(v is not None for v in lows):
            assert g["min"] == min(v for v in lows if v is not None)
            assert g["max"] == max(v for v in highs if v is not None)
        text = build.range_text(g)
        m = re.search(r"from (?:up to )?([\d,.]+) to ([\d,.]+)", text)
        assert not m or m.group(1) != m.group(2), text


def test_sections_fold_with_counts_behind_a_contents_bar(page: str) -> None:
    secs = re.findall(r'<details class="sec" id="([\w-]+)"( open)?>', page)
    assert [s for s, _ in secs] == ["structure", "summary", "numbers", "timeline", "map-section", "provenance",
                                    "speakers", "contradictions", "sources"]
    assert {s for s, o in secs if o} == {"summary", "map-section"}  # the briefing's opening, the rest folded
    for sid, _ in secs:
        assert re.search(rf'<details class="sec" id="{sid}"[^>]*>\s*<summary><h2[^>]*>[^<]+<span class="count">[^<]*\d',
                         page), sid
    toc = re.search(r'<nav aria-label="Sections" class="toc" id="toc">(.*?)</nav>', page, re.S)
    assert toc and all(f'href="#{s}"' in toc.group(1) for s, _ in secs)
    assert re.search(r'<span class="nowrap">generated <time datetime="[^"]+">\d{1,2} \w+ \d{4}, \d\d:\d\d UTC</time>',
                     page)
    assert "usds" not in page and "(unit not stated)" not in page and "?–" not in page


def test_markdown_header_and_key_numbers_read_as_prose(sample_store: Store) -> None:
    md = render_markdown(corpus_report(sample_store))
    head = md.splitlines()[2]
    assert "precision unknown" not in md and re.search(r"Situation report · [^·]*\d{4} · 5 documents", head), head
    assert re.search(r"generated \d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d UTC$", head), head
    numbers = md.split("## Key numbers", 1)[1].split("\n## ", 1)[0]
    heads = [line for line in numbers.splitlines() if line.startswith("### ")]
    assert heads and all(h[4].isupper() for h in heads), heads
    assert not [h for h in heads if re.search(r"from ([\d,]+) to \1\b", h)], heads


def test_map_data_links_places_and_movements(record: dict[str, Any]) -> None:
    feats = record["map"]["features"]
    places = {f["id"]: f for f in feats if f["properties"]["feature"] == "place"}
    moves = [f for f in feats if f["properties"]["feature"] == "movement"]
    assert places and moves
    # every movement end that is a place on the map lists the movement, and only those
    for f in moves:
        p = f["properties"]
        for end in (p["from"], p["to"]):
            if end["place"]:
                assert f["id"] in places[end["place"]]["properties"]["movements"]
        assert p["evidence"] and p["evidence"]["doc"] in p["documents"]
    for pid, f in places.items():
        for mid in f["properties"]["movements"]:
            m = next(x for x in moves if x["id"] == mid)
            assert pid in (m["properties"]["from"]["place"], m["properties"]["to"]["place"])
    raqqa = next(f for f in places.values() if f["properties"]["name"] == "Raqqa")
    assert raqqa["properties"]["rank"] == 0  # the most mentioned: labelled first
    assert raqqa["properties"]["country_name"] == "Syria"  # a name, never a code, in prose
    assert len(raqqa["properties"]["movements"]) >= 2
    ranks = sorted(f["properties"]["rank"] for f in places.values())
    assert ranks == list(range(len(places)))


def test_with_links_keeps_only_same_site_links() -> None:
    col = enrich({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "place:g:1", "geometry": {"type": "Point", "coordinates": [1, 2]},
         "properties": {"feature": "place", "name": "A", "mentions": 2, "precision": 1, "country": "SY"}},
        {"type": "Feature", "id": "place:g:2", "geometry": {"type": "Point", "coordinates": [3, 4]},
         "properties": {"feature": "place", "name": "B", "mentions": 3, "precision": 1, "country": None}},
        {"type": "Feature", "id": "m", "geometry": {"type": "LineString", "coordinates": [[1, 2], [3, 4]]},
         "properties": {"feature": "movement", "time": {"value": "2017-03-09", "granularity": "day"}}},
    ]}, {"m": ({"gazetteer_id": "g:1"}, {"gazetteer_id": "g:2"}, "A", "B")})
    a, b, m = col["features"]
    assert (a["properties"]["rank"], b["properties"]["rank"]) == (1, 0)
    assert a["properties"]["movements"] == b["properties"]["movements"] == ["m"]
    assert a["properties"]["country_name"] == "Syria" and b["properties"]["country_name"] is None
    assert m["properties"]["when"] == "9 March 2017" and m["properties"]["to"] == {"place": "place:g:2", "name": "B"}
    linked = with_links(col, place_href=lambda f: "javascript:alert(1)" if f["id"].endswith("1") else "/places/b",
                        movement_href=lambda f: "//evil.example/x")
    assert "href" not in linked["features"][0]["properties"]
    assert linked["features"][1]["properties"]["href"] == "/places/b"
    assert "href" not in linked["features"][2]["properties"]
    assert "href" not in col["features"][1]["properties"]  # a copy: the report's own data untouched


def test_one_attribution_in_python_and_js() -> None:
    js = resources.files("storyline.mapview").joinpath("map.js").read_text(encoding="utf-8")
    assert f'var ATTRIBUTION = "{ATTRIBUTION}";' in js
    assert "setPrefix(false)" in js  # no default Leaflet attribution
    code = re.sub(r"/\*.*?\*/", "", js, flags=re.S)  # comments aside
    assert ".innerHTML" not in code and "eval(" not in code and "new Function" not in code
