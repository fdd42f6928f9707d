"""Every page answers 200 with the security headers; documents, search and lists show what
the store holds."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from storyline.app.security import CSP

PAGES = ["/", "/stories", "/search", "/search?q=Raqqa", "/entities", "/places", "/map", "/timeline"]
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def assert_secure(resp) -> None:  # type: ignore[no-untyped-def]
    for k, v in HEADERS.items():
        assert resp.headers.get(k) == v, (resp.url, k)


def assert_no_inline_code(html: str) -> None:
    """No inline script (JSON data blocks only), no inline handlers, no style attributes or elements."""
    for m in re.finditer(r"<script\b([^>]*)>", html, re.I):
        attrs = m.group(1)
        assert "src=" in attrs or 'type="application/json"' in attrs, m.group(0)
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html, re.I)
    assert not re.search(r"<[^>]+\sstyle\s*=", html, re.I)
    assert "<style" not in html.lower()


def test_csp_is_the_strict_policy() -> None:
    assert CSP == (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


@pytest.mark.parametrize("path", PAGES)
def test_pages_ok_with_headers(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    assert_secure(r)
    assert_no_inline_code(r.text)


def test_document_pages(client: TestClient, sample_ids: list[str]) -> None:
    for doc_id in sample_ids:
        r = client.get(f"/docs/{doc_id}")
        assert r.status_code == 200
        assert_secure(r)
        assert_no_inline_code(r.text)
        assert 'id="doc-text"' in r.text
    html = client.get(f"/docs/{sample_ids[0]}").text
    assert 'class="m-entity' in html or "m-entity" in html
    assert "m-place" in html and "m-time" in html
    assert re.search(r'href="/entities/[^"]+"', html)
    assert re.search(r'href="/places/[^"]+"', html)


def test_document_text_content_equals_cleaned_text(client: TestClient, sample_ids: list[str]) -> None:
    """Evidence offsets stay valid in the browser: the marked-up text, tags stripped and
    unescaped, is exactly the cleaned text."""
    import html as htmllib

    for doc_id in sample_ids:
        rec = client.get(f"/api/docs/{doc_id}").json()
        page = client.get(f"/docs/{doc_id}").text
        m = re.search(r'<div class="doc-text[^"]*" id="doc-text">(.*?)</div>', page, re.S)
        assert m
        assert htmllib.unescape(re.sub(r"<[^>]+>", "", m.group(1))) == rec["text"]


def test_copied_passages_link_to_the_other_document(client: TestClient) -> None:
    passages = client.get("/api/reuse").json()["items"]
    assert passages
    p = passages[0]
    html = client.get(f"/docs/{p['copy']['doc']}").text
    assert f'href="/docs/{p["source"]["doc"]}#{p["source"]["start"]}-{p["source"]["end"]}"' in html
    assert "m-copied" in html


def test_removed_boilerplate_listed(client: TestClient, sample_ids: list[str]) -> None:
    for doc_id in sample_ids:
        rec = client.get(f"/api/docs/{doc_id}").json()
        if rec["removed"]:
            html = client.get(f"/docs/{doc_id}").text
            assert rec["removed"][0]["reason"] in html
            return
    pytest.skip("no sample document had removed stretches")


def test_entity_and_place_pages(client: TestClient) -> None:
    ent = client.get("/api/entities?full=true").json()["items"][0]
    r = client.get(f"/entities/{ent['id']}")
    assert r.status_code == 200 and ent["name"] in r.text
    assert "#%d-%d" % (ent["mentions"][0]["start"], ent["mentions"][0]["end"]) in r.text
    places = [p for p in client.get("/api/places?limit=1000").json()["items"] if p["resolved"]]
    r = client.get(f"/places/{places[0]['id']}")
    assert r.status_code == 200
    assert f"{places[0]['lat']:.5f}" in r.text
    unresolved = [p for p in client.get("/api/places?limit=1000").json()["items"] if not p["resolved"]]
    if unresolved:
        from urllib.parse import quote

        assert client.get("/places/" + quote(unresolved[0]["id"], safe=":")).status_code == 200
    assert client.get("/entities/nope").status_code == 404
    assert client.get("/places/nope").status_code == 404


def test_map_page_carries_json_data(client: TestClient) -> None:
    import json

    html = client.get("/map").text
    m = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html, re.S)
    assert m
    data = json.loads(m.group(1))
    places = [f for f in data["features"] if f["properties"]["feature"] == "place"]  # the report's map (mapview)
    assert places and all(-90 <= f["geometry"]["coordinates"][1] <= 90 for f in places)
    assert all(client.get(f["properties"]["href"]).status_code == 200 for f in places[:5])  # a place's page
    basemap = re.search(r'data-basemap-url="([^"]+)"', html)
    assert basemap and client.get(basemap.group(1)).status_code == 200
    assert client.get("/static/report/map.js").status_code == 200
    assert client.get("/static/vendor/leaflet/leaflet.js").status_code == 200


def test_timeline_shows_precision(client: TestClient) -> None:
    """Dates as calendar values whose form says their precision (issue #16): a month as
    "February 2017", a day as 2017-03-08; never a raw TimeML code."""
    html = client.get("/timeline").text
    assert "February 2017" in html and re.search(r"\b2017-03-08\b", html)
    assert not re.search(r"\d{4}-\d\d-\d\dT(MO|AF|EV|NI)\b|T24:00", html)


def test_overview_lists_documents_and_counts(client: TestClient, sample_ids: list[str]) -> None:
    html = client.get("/").text
    for doc_id in sample_ids:
        assert f"/docs/{doc_id}" in html
    assert "rejected inputs" in html


def test_static_assets(client: TestClient) -> None:
    for path in ("/static/app/app.js", "/static/report/map.js", "/static/report/map.css", "/static/app/app.css",
                 "/favicon.ico"):
        r = client.get(path)
        assert r.status_code == 200
        assert_secure(r)


def test_report_pages(client: TestClient) -> None:
    stories = client.get("/api/stories").json()["items"]
    assert stories
    for path in ["/report"] + [f"/stories/{s['id']}" for s in stories]:
        r = client.get(path)
        assert r.status_code == 200, (path, r.text[:300])
        assert_secure(r)
        assert_no_inline_code(r.text)
        # a way back into the app: the app's own navigation bar, as on every page
        assert '<header class="top site-nav">' in r.text and 'href="/stories"' in r.text
    assert client.get("/stories/no-such-story").status_code == 404
    for name in ("report.js", "report.css", "leaflet.js", "leaflet.css", "countries-110m.geojson"):
        assert client.get(f"/static/report/{name}").status_code == 200
