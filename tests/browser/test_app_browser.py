"""The web app over the sample store, in headless Chromium: every page type loads with no
console error (a CSP violation is one), no uncaught exception and no request off the
machine; the map, timeline, search and evidence highlighting work."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from storyline.app import create_app
from storyline.store import Store

from .conftest import LiveServer, PageErrors, injected, leaflet_shapes, open_popup, shot, wait_basemap


@pytest.fixture(scope="module")
def server(sample_store: Store) -> Iterator[LiveServer]:
    with LiveServer(create_app(sample_store.path)) as srv:
        yield srv


def api(server: LiveServer, path: str) -> Any:
    with urllib.request.urlopen(server.url + path, timeout=30) as r:  # noqa: S310 (loopback test server)
        return json.loads(r.read())


def visit(page: Any, server: LiveServer, path: str) -> Any:
    resp = page.goto(server.url + path, wait_until="load")
    assert resp is not None and resp.status == 200, (path, resp and resp.status)
    assert "default-src 'none'" in resp.headers.get("content-security-policy", "")
    return resp


def test_overview_and_stories(page: tuple[Any, PageErrors], server: LiveServer, artifacts: Any) -> None:
    pg, errors = page
    visit(pg, server, "/")
    assert pg.locator("main").inner_text().strip()
    assert pg.locator("main a[href^='/docs/']").count() >= 5  # the five sample documents
    shot(pg, artifacts, "app-overview")
    visit(pg, server, "/stories")
    assert pg.locator("main a[href^='/stories/']").count() >= 1
    assert not injected(pg)
    errors.assert_clean()


def test_story_page(page: tuple[Any, PageErrors], server: LiveServer, artifacts: Any) -> None:
    pg, errors = page
    story = api(server, "/api/stories")["items"][0]
    visit(pg, server, f"/stories/{quote(story['id'], safe='')}")
    pg.wait_for_selector("#map .leaflet-interactive", state="attached", timeout=10_000)
    findings = pg.locator("#summary-list details.finding")
    assert findings.count() >= 3
    finding = findings.first
    finding.locator("summary .sentence").click()
    finding.locator(".evidence-list mark").first.wait_for(state="visible", timeout=3000)
    wait_basemap(pg)  # the base map, fetched from the app
    shapes = leaflet_shapes(pg)
    assert shapes["circles"] >= 3 and shapes["lines"] >= 1, shapes
    assert shapes["covered"] == 0, shapes  # places and movements drawn above the base map
    assert pg.locator("#timeline ol.timeline > li").count() >= 5
    assert pg.locator("#provenance g.edge.copies").count() >= 1
    shot(pg, artifacts, "app-story")
    pg.evaluate("window.scrollTo(0, 0)")
    shot(pg, artifacts, "app-story-top", full_page=False)
    errors.assert_clean()


def test_document_page_highlights_evidence(page: tuple[Any, PageErrors], server: LiveServer,
                                           sample_docs: dict[str, Any], artifacts: Any) -> None:
    pg, errors = page
    doc = sample_docs["001"]
    a = next(a for a in doc.attributions if a.content[1] - a.content[0] > 20)
    start, end = a.content
    visit(pg, server, f"/docs/{doc.id}#{start}-{end}")
    text = pg.locator("#doc-text")
    assert text.text_content() == doc.text  # the cleaned text, exactly, under the annotations
    assert pg.locator("#doc-text mark").count() >= 10  # entities, places, times, claims…
    target = pg.locator("#doc-text span.target")
    target.first.wait_for(state="visible", timeout=3000)
    got = "".join(target.nth(i).text_content() or "" for i in range(target.count()))
    assert got == doc.text[start:end]
    assert target.first.evaluate("el => getComputedStyle(el).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    shot(pg, artifacts, "app-document", full_page=False)
    # following another evidence link on the same page moves the highlight
    s2, e2 = doc.entities[0].start, doc.entities[0].end
    pg.evaluate(f"window.location.hash = '#{s2}-{e2}'")
    pg.wait_for_function(
        "(want) => Array.from(document.querySelectorAll('#doc-text span.target')).map(s => s.textContent).join('')"
        " === want", arg=doc.text[s2:e2], timeout=3000)
    assert pg.locator("#doc-text").text_content() == doc.text  # highlighting never changes the text
    errors.assert_clean()


def test_search(page: tuple[Any, PageErrors], server: LiveServer, artifacts: Any) -> None:
    pg, errors = page
    visit(pg, server, "/search?q=Raqqa")
    results = pg.locator("main a[href^='/docs/']")
    assert results.count() >= 3
    assert "raqqa" in pg.locator("main mark").first.inner_text().lower()  # the match is highlighted
    assert pg.locator("main input[name=q]").input_value() == "Raqqa"
    shot(pg, artifacts, "app-search")
    # the search box works (a GET form, allowed by form-action 'self')
    pg.fill("header input[name=q]", "Mosul")
    pg.press("header input[name=q]", "Enter")
    pg.wait_for_url("**/search?q=Mosul")
    assert pg.locator("main a[href^='/docs/']").count() >= 1
    errors.assert_clean()


def test_entity_and_place_pages(page: tuple[Any, PageErrors], server: LiveServer, artifacts: Any) -> None:
    pg, errors = page
    visit(pg, server, "/entities")
    link = pg.locator("main a[href^='/entities/']").first
    name = link.inner_text().strip()
    link.click()
    pg.wait_for_url("**/entities/**")
    assert name in pg.locator("h1").inner_text()
    assert pg.locator("main a[href*='/docs/']").count() >= 1
    shot(pg, artifacts, "app-entity")
    visit(pg, server, "/places")
    assert pg.locator("main a[href^='/places/']").count() >= 5
    place = api(server, "/api/places?limit=1000")["items"][0]
    visit(pg, server, f"/places/{quote(place['id'], safe=':')}")
    assert place["name"] in pg.locator("h1").inner_text()
    assert pg.locator("main mark").count() >= 1  # its mentions, in context
    shot(pg, artifacts, "app-place")
    errors.assert_clean()


def test_map(page: tuple[Any, PageErrors], server: LiveServer, artifacts: Any) -> None:
    pg, errors = page
    visit(pg, server, "/map")
    data = json.loads(pg.locator("#map-data").text_content())
    wait_basemap(pg)  # the offline base map
    shapes = leaflet_shapes(pg)
    places = [f for f in data["features"] if f["properties"]["feature"] == "place"]  # the report's map (mapview)
    moves = [f for f in data["features"] if f["properties"]["feature"] == "movement"]
    assert shapes["circles"] + shapes["clipped"] >= len(places) >= 5, shapes
    assert shapes["circles"] >= 5, shapes
    assert moves and shapes["lines"] + shapes["clipped"] >= len(moves), shapes
    assert shapes["lines"] >= 1, shapes
    assert shapes["covered"] == 0, shapes  # the base map (fetched last) does not hide them
    shot(pg, artifacts, "app-map", full_page=False)
    text = open_popup(pg, "line")
    assert text and "→" in text and "source" in text, text
    assert pg.locator("#map .leaflet-popup-content a[href^='/docs/']").count() == 1  # links to its evidence
    shot(pg, artifacts, "app-map-popup", selector="#map")
    errors.assert_clean()


def test_timeline(page: tuple[Any, PageErrors], server: LiveServer, artifacts: Any) -> None:
    pg, errors = page
    visit(pg, server, "/timeline")
    events = pg.locator("ol.timeline > li > ul > li")
    assert events.count() >= 10
    assert pg.locator("ol.timeline h2.when").count() >= 3
    # "move Fighters from Raqqa to …": the event type, actor and places are separate words
    glued = pg.locator("ol.timeline > li > ul > li").evaluate_all(
        "els => els.filter(li => !li.innerText.startsWith(li.querySelector('strong').innerText + ' '))"
        ".map(li => li.innerText.slice(0, 60))")
    assert not glued, glued
    assert not [t for t in events.all_inner_texts() if "from" in t and " from " not in t]
    first_link = pg.locator("ol.timeline a.evidence").first
    href = first_link.get_attribute("href")
    assert href and href.startswith("/docs/") and "#" in href
    first_link.click()
    pg.wait_for_url("**/docs/**")
    pg.locator("#doc-text span.target").first.wait_for(state="visible", timeout=3000)
    shot(pg, artifacts, "app-timeline-evidence", full_page=False)
    errors.assert_clean()


def test_report_and_lists(page: tuple[Any, PageErrors], server: LiveServer) -> None:
    pg, errors = page
    for path in ("/report", "/entities?type=PER", "/places?page=1", "/search?q=", "/search?q=%22unbalanced"):
        visit(pg, server, path)
        assert not injected(pg), path
    pg.goto(server.url + "/docs/not-a-doc")  # the error page, styled, no error in the console
    assert pg.locator("main").inner_text().strip()
    errors.console = [c for c in errors.console if "404" not in c]  # the failed navigation itself
    errors.assert_clean()
