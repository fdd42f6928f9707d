"""Hostile documents in a real browser: script tags, event-handler attributes, javascript:
URLs and broken markup in the text, title, URL and outlet of ingested documents. The
standalone report and every page type of the app show them as text; nothing executes (no
dialog), no element or handler is created from them, and no console error (a blocked
inline script or CSP violation would be one) appears.

(tests/report/test_safety.py and tests/app/test_security.py check the served HTML as text;
these check what the browser actually builds from it.)"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

import storyline
from storyline.app import create_app
from storyline.report import build_report, render_html
from storyline.store import Store

from .conftest import LiveServer, PageErrors, injected, leaflet_shapes, open_popup, shot, wait_basemap

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JS_URL = "javascript:alert(1)"
SVG = '"><svg onload=alert(1)>'
CLOSE = "</script><script>alert(1)</script>"
IFRAME = "<iframe src=javascript:alert(1)>"
BROKEN = "<b><i>unclosed"
COMMENT = "<!--"
PAYLOADS = [SCRIPT, IMG, JS_URL, SVG, CLOSE, IFRAME, BROKEN, COMMENT]

# movements between real places, with payloads beside the place names, so that they reach
# the map (popups), the timeline, claims, entities and places
TEXT_A = (
    f"RAQQA, Syria — Fighters of the Islamic State left Raqqa {SCRIPT} for Deir ez-Zor on Tuesday, officials said.\n\n"
    f"A spokesman said {IMG} that 300 fighters moved from Raqqa to Palmyra {SVG} on 9 March 2017.\n\n"
    f'The statement {CLOSE} came from {JS_URL} according to Reuters, which said "the convoy {IFRAME} '
    f'left Mosul for Raqqa early on Tuesday," and added that more than 90 militants were on board.\n\n'
    f"Residents of Aleppo {BROKEN} said the fighting continued {COMMENT} into the night.\n"
)
TEXT_B = (
    f"Hundreds of families fled Aleppo {SVG} for Idlib on Wednesday, the monitor reported {SCRIPT}.\n\n"
    f"The so-called cowards {IMG} moved from Mosul to Raqqa, a commander told AFP {IFRAME}.\n\n"
    f"A spokesman said {IMG} that 300 fighters moved from Raqqa to Palmyra {SVG} on 9 March 2017.\n\n"
    f'The statement {CLOSE} came from {JS_URL} according to Reuters, which said "the convoy {IFRAME} '
    f'left Mosul for Raqqa early on Tuesday," and added that more than 90 militants were on board.\n'
)
META = [
    {"file": "a.txt", "url": JS_URL, "title": f"{SCRIPT} {IMG}", "outlet": SVG, "published": "2017-03-09"},
    {"file": "b.txt", "url": f"https://example.org/a?b={SCRIPT}", "title": f"{CLOSE} {BROKEN} {COMMENT}",
     "outlet": IFRAME, "published": "2017-03-10"},
]


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("xss")
    (folder / "a.txt").write_text(TEXT_A, encoding="utf-8")
    (folder / "b.txt").write_text(TEXT_B, encoding="utf-8")
    (folder / "meta.jsonl").write_text("\n".join(json.dumps(m) for m in META) + "\n", encoding="utf-8")
    db = folder / "xss.db"
    with Store(db) as s:
        summary = storyline.ingest(s, [folder / "a.txt", folder / "b.txt"], meta=folder / "meta.jsonl", progress=False)
        # ingest drops a javascript: URL (E115, document kept); the renderers must stay safe on a
        # store that holds one anyway (an older store, another writer): put it back as data
        assert [r.code for r in summary.rejections] == ["E115"], summary.rejections
        a_id = next(d.id for d in s.iter_docs() if d.meta.title == META[0]["title"])
        meta = json.loads(s.conn.execute("SELECT meta FROM documents WHERE id = ?", (a_id,)).fetchone()[0])
        meta["url"] = JS_URL
        with s.conn:
            s.conn.execute("UPDATE documents SET url = ?, meta = ? WHERE id = ?", (JS_URL, json.dumps(meta), a_id))
    with Store(db, readonly=True) as s:  # the payloads reached the store as data
        docs = list(s.iter_docs())
        assert len(docs) == 2
        a = next(d for d in docs if d.meta.url == JS_URL)
        assert a.meta.title == META[0]["title"] and a.meta.outlet == SVG
        assert a.text is not None and all(p in a.text for p in PAYLOADS)
        assert any(p.name for p in a.places)  # the payload sits next to a located place
    return db


@pytest.fixture(scope="module")
def server(hostile_db: Path) -> Iterator[LiveServer]:
    with LiveServer(create_app(hostile_db)) as srv:
        yield srv


def api(server: LiveServer, path: str) -> Any:
    with urllib.request.urlopen(server.url + path, timeout=30) as r:  # noqa: S310 (loopback test server)
        return json.loads(r.read())


def assert_inert(pg: Any, errors: PageErrors, where: str) -> None:
    """Nothing from the payloads became markup or ran, and nothing complained."""
    pg.wait_for_timeout(50)  # let any onerror/onload that could fire, fire
    assert not injected(pg), (where, injected(pg))
    assert pg.evaluate("document.querySelectorAll('b, i').length") == 0, where  # "<b><i>unclosed" stayed text
    errors.assert_clean()


def assert_labels_are_text(pg: Any) -> None:
    """The map's place labels: drawn, each one text node (a name taken from hostile text
    stays text), and the place popups list their movements as text."""
    labels = pg.locator("#map .map-label")
    assert labels.count() >= 2
    assert labels.evaluate_all("ls => ls.every(l => l.childNodes.length === 1 && l.firstChild.nodeType === 3)")
    assert not injected(pg)
    circle = open_popup(pg, "circle")
    assert circle and "mention" in circle, circle
    assert not injected(pg)


def body_text(pg: Any) -> str:
    return str(pg.evaluate("document.body.innerText"))


def test_standalone_report(page: tuple[Any, PageErrors], hostile_db: Path, tmp_path: Path, artifacts: Path) -> None:
    pg, errors = page
    with Store(hostile_db, readonly=True) as s:
        html = render_html(build_report(s, title=f"Report {SCRIPT} {BROKEN}"), standalone=True)
    path = tmp_path / "hostile-report.html"
    path.write_text(html, encoding="utf-8")
    pg.goto(path.as_uri(), wait_until="load")
    pg.wait_for_selector("#map .leaflet-basemap-pane path", state="attached", timeout=10_000)
    assert_labels_are_text(pg)
    pg.locator("#toc-all").click()  # every section unfolded (the summary and the map are open as shipped)
    text = body_text(pg)
    assert f"Report {SCRIPT} {BROKEN}" in pg.locator("h1").inner_text()  # the title, as text
    assert pg.title().startswith(f"Report {SCRIPT} {BROKEN}")
    for p in (SCRIPT, IMG, SVG, CLOSE, IFRAME):
        assert p in text, p  # shown literally somewhere (titles, outlets, evidence)
    assert JS_URL in pg.locator("#sources").inner_text()  # the URL, shown but not linked
    assert f"https://example.org/a?b={SCRIPT}" in pg.locator("#sources").inner_text()  # shown…
    for href in pg.locator("a[href*='example.org']").evaluate_all("els => els.map(e => e.getAttribute('href'))"):
        assert "<" not in href and '"' not in href, href  # …and, if linked, never with raw markup
    # open every finding's evidence: the hostile passages appear as text
    pg.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    evidence = pg.locator("details.finding .evidence-list").all_inner_texts()
    assert any(SCRIPT in t or IMG in t or SVG in t for t in evidence), evidence[:3]
    shapes = leaflet_shapes(pg)
    assert shapes["lines"] >= 1 and shapes["circles"] >= 1, shapes
    popups = []
    for i in range(12):  # a movement's popup quotes its (hostile) sentence: as text
        popup = open_popup(pg, "line", nth=i)
        if popup is None:
            break
        popups.append(popup)
        assert not injected(pg), popup
    hostile = [i for i, t in enumerate(popups) if any(p in t for p in (SCRIPT, IMG, SVG, CLOSE, IFRAME))]
    assert hostile, popups
    open_popup(pg, "line", nth=hostile[0])
    shot(pg, artifacts, "xss-report-map-popup", selector="#map")
    pg.evaluate("window.scrollTo(0, 0)")
    shot(pg, artifacts, "xss-report", full_page=False)
    shot(pg, artifacts, "xss-report-full")
    # the provenance graph's titles and labels carry the outlets as text
    prov = " ".join(pg.locator("#provenance svg title").all_text_contents())
    assert SVG in prov or IFRAME in prov, prov[:300]
    assert pg.evaluate("document.querySelectorAll('script:not([type])').length") == 3  # Leaflet, map.js, report.js
    assert_inert(pg, errors, "standalone report")


def test_app_pages(page: tuple[Any, PageErrors], server: LiveServer, artifacts: Path) -> None:
    pg, errors = page
    docs = api(server, "/api/docs?limit=100")["items"]
    ents = api(server, "/api/entities?limit=1000")["items"]
    places = api(server, "/api/places?limit=1000")["items"]
    stories = api(server, "/api/stories")["items"]
    assert len(docs) == 2 and ents and places and stories
    paths = ["/", "/stories", "/report", "/entities", "/places", "/timeline", "/search?q=alert",
             "/search?q=" + quote(SCRIPT), "/search?q=" + quote(SVG), "/search?q=" + quote(COMMENT),
             "/entities/" + quote(SCRIPT), "/docs/" + quote(IMG, safe="")]
    paths += [f"/docs/{d['id']}" for d in docs]
    paths += [f"/stories/{quote(s['id'], safe='')}" for s in stories]
    paths += [f"/entities/{quote(e['id'], safe=':')}" for e in ents[:15]]
    paths += [f"/places/{quote(p['id'], safe=':')}" for p in places[:15]]
    for path in paths:
        resp = pg.goto(server.url + path, wait_until="load")
        assert resp is not None and resp.status in (200, 404), (path, resp and resp.status)
        if resp.status == 404:  # the navigation's own "failed to load resource" message
            errors.console = [c for c in errors.console if "404" not in c]
        assert_inert(pg, errors, path)
    # the titles, outlets and URL are shown as text on the document page
    a = next(d for d in docs if d["url"] == JS_URL)
    pg.goto(f"{server.url}/docs/{a['id']}")
    assert pg.locator("h1").inner_text() == META[0]["title"]
    text = body_text(pg)
    for p in PAYLOADS:
        assert p in text, p
    assert pg.locator("#doc-text").text_content() == TEXT_A.rstrip("\n") or SCRIPT in pg.locator("#doc-text").text_content()
    shot(pg, artifacts, "xss-app-document")
    # search for the payload word: the hostile snippets are text, the match highlighted
    pg.goto(f"{server.url}/search?q=alert")
    assert pg.locator("main a[href^='/docs/']").count() >= 2
    assert "alert" in " ".join(pg.locator("main mark").all_inner_texts()).lower()
    assert SCRIPT in body_text(pg) or IMG in body_text(pg) or SVG in body_text(pg)
    shot(pg, artifacts, "xss-app-search")
    assert_inert(pg, errors, "search")


def test_app_map_and_timeline(page: tuple[Any, PageErrors], server: LiveServer, artifacts: Path) -> None:
    pg, errors = page
    pg.goto(f"{server.url}/map", wait_until="load")
    wait_basemap(pg)
    shapes = leaflet_shapes(pg)
    assert shapes["circles"] >= 2 and shapes["lines"] >= 1 and shapes["covered"] == 0, shapes
    assert_labels_are_text(pg)
    popups = []
    for i in range(12):  # every movement's popup (their actors come from the hostile text)
        text = open_popup(pg, "line", nth=i)
        if text is None:
            break
        popups.append(text)
        assert not injected(pg), text
    assert len(popups) >= 2, popups
    # some actors were extracted from the payloads ("img", "alert(1)</script"): shown as text
    assert any(w in t for t in popups for w in ("<", ">", "img", "alert")), popups
    assert_inert(pg, errors, "map popups")
    shot(pg, artifacts, "xss-app-map", selector="#map")
    pg.goto(f"{server.url}/timeline", wait_until="load")
    assert pg.locator("ol.timeline > li > ul > li").count() >= 2
    text = body_text(pg)
    assert any(p in text for p in (SCRIPT, IMG, SVG, IFRAME)), text[:500]  # evidence quotes, as text
    shot(pg, artifacts, "xss-app-timeline")
    assert_inert(pg, errors, "timeline")
    # following an evidence link highlights the hostile span, still as text
    pg.locator("ol.timeline a.evidence").first.click()
    pg.wait_for_url("**/docs/**")
    pg.locator("#doc-text span.target").first.wait_for(state="visible", timeout=3000)
    assert_inert(pg, errors, "highlighted document")


def test_map_labels_and_popups_keep_hostile_names_as_text(page: tuple[Any, PageErrors], hostile_db: Path,
                                                            tmp_path: Path, artifacts: Path) -> None:
    """Place names are the texts' own spellings: a name that is a payload is drawn as a label,
    a tooltip and popup lines, as text (mounted on the hostile report's page, under its CSP)."""
    pg, errors = page
    with Store(hostile_db, readonly=True) as s:
        html = render_html(build_report(s), standalone=True)
    path = tmp_path / "hostile-map.html"
    path.write_text(html, encoding="utf-8")
    pg.goto(path.as_uri(), wait_until="load")
    names = [SCRIPT, IMG, SVG, CLOSE]

    def place(i: int, name: str, lon: float, lat: float) -> dict[str, Any]:
        return {"type": "Feature", "id": f"place:x{i}", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"feature": "place", "name": name, "gazetteer_name": IFRAME, "kind": BROKEN,
                               "country_name": COMMENT, "precision": 1, "mentions": 5 - i, "rank": i,
                               "documents_total": 1, "movements": ["m0"], "href": JS_URL}}

    collection = {"type": "FeatureCollection", "features": [
        place(0, names[0], 30, 30), place(1, names[1], 40, 36), place(2, names[2], 30, 40), place(3, names[3], 44, 30),
        {"type": "Feature", "id": "m0", "geometry": {"type": "LineString", "coordinates": [[30, 30], [40, 36]]},
         "properties": {"feature": "movement", "finding": "f", "label": f"{SCRIPT} → {IMG}", "event_type": SVG,
                        "sentence": CLOSE, "quantities": [IFRAME], "independent_sources": 1, "certainty": "hedged",
                        "time": {"value": "2017-03-09"}, "when": BROKEN, "precision": 1, "href": JS_URL,
                        "from": {"place": "place:x0"}, "to": {"place": "place:x1"}}}]}
    pg.evaluate("""(c) => { const d = document.createElement('div'); d.id = 'm2'; d.className = 'map';
        document.body.prepend(d); window.StorylineMap.mount(d, c, {}); }""", collection)
    labels = pg.locator("#m2 .map-label").all_text_contents()
    assert sorted(labels) == sorted(names), labels
    assert pg.locator("#m2 .map-label").evaluate_all("ls => ls.every(l => l.children.length === 0)")
    text = open_popup(pg, "circle", root="#m2")
    assert text and any(n in text for n in names) and IFRAME in text and f"{SCRIPT} → {IMG}" in text, text
    assert pg.locator("#m2 .leaflet-popup-content a").count() == 0  # a javascript: href is never linked
    shot(pg, artifacts, "xss-map-labels", selector="#m2")
    assert not pg.locator("#m2 a[href^='javascript' i]").count()
    assert_inert(pg, errors, "map labels")
