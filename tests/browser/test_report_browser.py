"""The demo's self-contained HTML report, opened from disk in headless Chromium: it runs
without errors or network, and its map, timeline, evidence reveal, provenance graph and
story structure actually render; it reads like a briefing (a contents bar that stays in view,
sections folded with counts, the summary and map open) and its height is measured."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storyline.demo import write_corpus_report
from storyline.store import Store

from .conftest import PageErrors, leaflet_shapes, open_popup, shot


@pytest.fixture(scope="module")
def report_path(sample_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus_report(sample_store, tmp_path_factory.mktemp("report") / "report.html")


@pytest.fixture(scope="module")
def report_page(browser: Any, report_path: Path) -> Iterator[tuple[Any, PageErrors]]:
    """One page with the report loaded, shared by the tests of this module (they only read,
    or open evidence, which the next test does not depend on)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors = PageErrors(pg)
    pg.goto(report_path.as_uri(), wait_until="load")
    pg.wait_for_selector("#map .leaflet-basemap-pane path", state="attached", timeout=10_000)
    try:
        yield pg, errors
    finally:
        context.close()


def open_section(pg: Any, sid: str) -> None:
    """Open a folded section as a reader does: its link in the contents bar."""
    pg.locator(f"#toc a[href='#{sid}']").click()
    pg.wait_for_function("(s) => document.getElementById(s).open", arg=sid, timeout=3000)


def report_data(pg: Any) -> dict[str, Any]:
    return dict(json.loads(pg.locator("#report-data").text_content()))


def test_loads_clean_and_offline(report_page: tuple[Any, PageErrors], artifacts: Path) -> None:
    pg, errors = report_page
    assert pg.locator("h1").first.inner_text().strip()
    assert pg.evaluate("typeof window.L") == "object"  # Leaflet (inlined) ran under the CSP
    shot(pg, artifacts, "report-full")
    errors.assert_clean()  # console errors include CSP violations; no request left file:


def test_map_markers_movements_and_basemap(report_page: tuple[Any, PageErrors], artifacts: Path) -> None:
    pg, errors = report_page
    data = report_data(pg)
    feats = data["map"]["features"]
    places = [f for f in feats if f["properties"].get("feature") == "place"]
    moves = [f for f in feats if f["properties"].get("feature") == "movement"]
    assert places and moves, "the sample corpus has places and movements"
    shapes = leaflet_shapes(pg)
    assert shapes["basemap"] > 100, shapes  # Natural Earth country outlines, drawn offline
    assert shapes["circles"] >= 5, shapes
    assert shapes["circles"] + shapes["clipped"] >= len(places), shapes
    assert shapes["lines"] == len(moves), shapes  # one line per movement, all in view
    assert shapes["polygons"] == len(moves), shapes  # each with its arrow head
    assert shapes["covered"] == 0, shapes  # all above the base map
    shot(pg, artifacts, "report-map", selector="#map")
    text = open_popup(pg, "line")
    assert text and "→" in text and "independent source" in text, text
    errors.assert_clean()


def test_timeline_lists_events(report_page: tuple[Any, PageErrors]) -> None:
    pg, errors = report_page
    data = report_data(pg)
    open_section(pg, "timeline")
    # findings with an anchor that are not summary sentences are timeline entries
    timeline_only = set(data["anchors"]) - set(data["summary"])
    items = pg.locator("#timeline ol.timeline > li")
    assert items.count() >= max(5, len(timeline_only))
    assert pg.locator("#timeline ol.timeline > li time").count() >= 1
    assert pg.locator("#timeline svg.axis circle").count() >= 2  # dated events on the axis
    first = items.first.inner_text()
    assert re.search(r"\b(19|20)\d\d\b", first), first  # a date is shown
    errors.assert_clean()


def test_summary_sentence_reveals_its_source_text(report_page: tuple[Any, PageErrors], sample_store: Store,
                                                   artifacts: Path) -> None:
    pg, errors = report_page
    findings = pg.locator("#summary-list details.finding")
    assert findings.count() >= 3
    finding = findings.nth(1)
    mark = finding.locator(".evidence-list blockquote.ev mark").first
    assert not mark.is_visible()  # evidence hidden until the sentence is selected
    finding.locator("summary .sentence").click()
    mark.wait_for(state="visible", timeout=3000)
    assert finding.get_attribute("open") is not None
    assert finding.locator("summary").get_attribute("aria-expanded") == "true"
    # the revealed passage is verbatim: the document's text at the cited offsets
    cite = finding.locator(".evidence-list blockquote.ev cite").first
    href = cite.locator("a.doc-ref").get_attribute("href")
    assert href and href.startswith("#src-"), href
    m = re.search(r"characters (\d+)–(\d+)", cite.inner_text())
    assert m, cite.inner_text()
    start, end = int(m.group(1)), int(m.group(2))
    doc = sample_store.get(href[len("#src-"):])
    assert doc.text is not None
    assert mark.inner_text() == doc.text[start:end]
    assert mark.inner_text().strip() and len(mark.inner_text()) >= 10
    # the sentence shown is the evidence's sentence, quoted, not paraphrased
    sentence = finding.locator("summary .sentence").inner_text().strip()
    assert sentence and (sentence in doc.text or mark.inner_text().strip() in sentence or sentence[:40] in doc.text)
    finding.scroll_into_view_if_needed()
    shot(pg, artifacts, "report-evidence-open", full_page=False)
    finding.locator("summary .sentence").click()  # and closes again
    mark.wait_for(state="hidden", timeout=3000)
    errors.assert_clean()


def test_provenance_graph_shows_copy_of_001_by_004(report_page: tuple[Any, PageErrors],
                                                    sample_docs: dict[str, Any]) -> None:
    pg, errors = report_page
    copy, source = sample_docs["004"], sample_docs["001"]
    open_section(pg, "provenance")
    svg = pg.locator("#provenance svg.provenance-graph")
    assert svg.is_visible()
    edge = svg.locator(f'g.edge.copies[data-source="doc:{copy.id}"][data-target="doc:{source.id}"]')
    assert edge.count() == 1
    title = edge.locator("title").text_content()
    assert copy.meta.outlet in title and source.meta.outlet in title and " copies " in title, title
    assert copy.id[:6] in title and source.id[:6] in title, title
    assert edge.locator("line").is_visible()
    assert "copies" in (edge.locator("text.edge-label").text_content() or "")
    # the list below the graph says the same in words
    listed = pg.locator("#provenance ul.copies > li").filter(has_text="copies")
    assert listed.count() >= 1 and copy.meta.outlet in listed.first.inner_text()
    errors.assert_clean()


def test_story_structure_shows_episodes(report_page: tuple[Any, PageErrors], sample_docs: dict[str, Any]) -> None:
    pg, errors = report_page
    open_section(pg, "structure")
    episodes = pg.locator("#structure ol.episodes > li")
    assert episodes.count() >= 2
    links = pg.locator("#structure ol.episodes a[href^='#src-']")
    hrefs = {links.nth(i).get_attribute("href") for i in range(links.count())}
    assert {f"#src-{d.id}" for d in sample_docs.values()} <= hrefs  # every document in an episode
    for i in range(episodes.count()):
        assert episodes.nth(i).locator("strong").inner_text().strip()
    errors.assert_clean()


SECTIONS = ["structure", "summary", "numbers", "timeline", "map-section", "provenance", "speakers", "contradictions",
            "sources"]


def test_briefing_layout_contents_bar_and_folded_sections(browser: Any, report_path: Path, artifacts: Path) -> None:
    """As shipped: the summary and the map open, every other section folded with its count in
    its heading; the contents bar stays at the top of the window wherever the reader is; a
    link into a folded section opens it. The page's height is measured folded and unfolded
    (test-artifacts/report-heights.json)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors = PageErrors(pg)
    try:
        pg.goto(report_path.as_uri(), wait_until="load")
        pg.wait_for_selector("#map .leaflet-basemap-pane path", state="attached", timeout=10_000)
        opened = {s: pg.locator(f"details.sec#{s}").get_attribute("open") is not None for s in SECTIONS}
        assert opened == {s: s in ("summary", "map-section") for s in SECTIONS}, opened
        for s in SECTIONS:  # every folded heading says how much is inside
            count = pg.locator(f"details.sec#{s} > summary h2 .count").inner_text()
            assert re.search(r"\d", count), (s, count)
        assert not pg.locator("#sources ol.sources").is_visible()
        folded = pg.evaluate("document.documentElement.scrollHeight")
        # the "generated" stamp stays on one line, in words
        stamp = pg.locator("header .meta time")
        assert stamp.evaluate("t => t.getClientRects().length") == 1
        assert re.match(r"\d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d UTC$", stamp.inner_text()), stamp.inner_text()
        shot(pg, artifacts, "report-briefing", full_page=True)
        # the contents bar stays in view at the bottom of the page
        pg.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        top = pg.locator("#toc").evaluate("n => n.getBoundingClientRect().top")
        assert abs(top) < 1 and pg.locator("#toc").is_visible()
        # a contents link opens its folded section and brings it into view
        pg.locator("#toc a[href='#sources']").click()
        pg.wait_for_function("() => document.getElementById('sources').open", timeout=3000)
        assert pg.locator("#sources ol.sources > li").first.is_visible()
        box = pg.locator("#sources > summary").bounding_box()
        assert box and 0 <= box["y"] < 900
        shot(pg, artifacts, "report-toc-sources", full_page=False)
        # a section folds again from its heading
        pg.locator("#sources > summary").click()
        assert pg.locator("#sources").get_attribute("open") is None
        # "Open all sections", and the height unfolded
        pg.locator("#toc-all").click()
        assert all(pg.locator(f"details.sec#{s}").get_attribute("open") is not None for s in SECTIONS)
        unfolded = pg.evaluate("document.documentElement.scrollHeight")
        assert folded < 0.5 * unfolded, (folded, unfolded)
        assert folded < 6000, folded  # 15,574 px before sections folded (5 documents)
        out = artifacts.parent / "report-heights.json"
        out.write_text(json.dumps({"documents": 5, "viewport": [1280, 900], "as_shipped_px": folded,
                                   "all_open_px": unfolded}, indent=1) + "\n", encoding="utf-8")
        errors.assert_clean()
    finally:
        context.close()


def test_key_numbers_ranges_cover_every_row(report_page: tuple[Any, PageErrors]) -> None:
    """A group's span covers all its rows ("up to 4,000" included) and a single value is not
    written as a range; no unit is shown as a code or with a naive plural."""
    pg, errors = report_page
    open_section(pg, "numbers")
    groups = pg.locator("#numbers details.group")
    assert groups.count() >= 3
    for i in range(groups.count()):
        g = groups.nth(i)
        g.evaluate("d => d.open = true")
        head = g.locator("summary").inner_text()
        rows = g.locator("td.num").all_inner_texts()
        m = re.search(r"values from (up to )?([\d,.]+) to ([\d,.]+)", head)
        if m:
            lo, hi = (float(x.replace(",", "")) for x in m.group(2, 3))
            assert lo < hi, head  # never "from 25,000 to 25,000"
            nums = [float(x.replace(",", "")) for r in rows for x in re.findall(r"[\d,]*\d(?:\.\d+)?", r)]
            assert min(nums) == lo and max(nums) == hi, (head, rows)
        assert "usds" not in head.lower() and "(unit not stated)" not in head.lower(), head
    assert "?–" not in " ".join(pg.locator("#numbers td.num").all_inner_texts())  # "up to 4,000", not "?–4,000"
    errors.assert_clean()
