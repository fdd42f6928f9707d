"""App completeness (issue #14): one navigation bar on every page (the story and report pages
included), layer toggles on the document page, an /api/ index and an offline OpenAPI page,
CSV/JSON exports of every list equal to the command line's, and error pages that keep their
status code."""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from starlette.exceptions import HTTPException

from storyline.app import create_app
from storyline.cli import main
from storyline.store import Store

from .conftest import BASE
from .test_pages import assert_no_inline_code, assert_secure

NAV_LINKS = ["/", "/stories", "/report", "/map", "/timeline", "/entities", "/places", "/api/openapi"]


def site_nav(html: str) -> str:
    m = re.search(r'<header class="top site-nav">.*?</header>', html, re.DOTALL)
    assert m, "no site navigation bar"
    return m.group(0)


def pages(client: TestClient, sample_ids: list[str]) -> list[str]:
    story = client.get("/api/stories").json()["items"][0]["id"]
    entity = client.get("/api/entities").json()["items"][0]["id"]
    place = client.get("/api/places").json()["items"][0]["id"]
    return ["/", "/stories", f"/stories/{quote(story, safe='')}", "/report", f"/docs/{sample_ids[0]}",
            "/search?q=Raqqa", "/entities", f"/entities/{quote(entity, safe='')}", "/places",
            f"/places/{quote(place, safe='')}", "/map", "/timeline", "/api/openapi"]


def test_the_same_navigation_on_every_page(client: TestClient, sample_ids: list[str]) -> None:
    navs = set()
    for path in pages(client, sample_ids):
        r = client.get(path)
        assert r.status_code == 200, path
        nav = site_nav(r.text)
        hrefs = re.findall(r'<a [^>]*href="([^"]+)"', nav)
        assert hrefs == NAV_LINKS, (path, hrefs)
        assert '<form class="search" action="/search"' in nav and 'name="q"' in nav, path
        assert '/static/app/nav.css' in r.text, path
        navs.add(re.sub(r'value="[^"]*"', "", nav))
    assert len(navs) == 1  # one bar, not a variant per page (the search box keeps the query)


def test_story_page_has_the_site_nav_instead_of_the_reports(client: TestClient) -> None:
    story = client.get("/api/stories").json()["items"][0]["id"]
    html = client.get(f"/stories/{quote(story, safe='')}").text
    assert 'class="report-nav"' not in html and html.count('class="top site-nav"') == 1


def test_document_layer_toggles(client: TestClient, sample_ids: list[str]) -> None:
    r = client.get(f"/docs/{sample_ids[0]}")
    assert_secure(r)
    assert_no_inline_code(r.text)
    boxes = re.findall(r'<input type="checkbox" name="layer" value="([a-z]+)"( checked)?>', r.text)
    assert [k for k, _ in boxes] == ["entity", "place", "time", "quantity", "claim", "cue", "speaker", "copied"]
    off = {k for k, on in boxes if not on}
    text_div = re.search(r'<div class="([^"]*)" id="doc-text">', r.text)
    assert text_div is not None
    assert {c[5:] for c in text_div.group(1).split() if c.startswith("hide-")} == off
    assert '<script src="/static/app/layers.js"></script>' in r.text
    assert client.get("/static/app/layers.js").status_code == 200
    counts = dict(re.findall(r'value="([a-z]+)"[^>]*> <mark[^>]*>[^<]*</mark> <span class="n">\((\d+)\)', r.text))
    assert int(counts["entity"]) > 0 and int(counts["place"]) > 0


def test_api_index(client: TestClient) -> None:
    for path in ("/api/", "/api"):
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/json"), path
    index = client.get("/api/").json()
    assert index["openapi"] == "/api/openapi.json" and index["reference"] == "/api/openapi"
    paths = {e["path"] for e in index["endpoints"]}
    assert {"/api/docs", "/api/docs/{doc_id}", "/api/search", "/api/stories", "/api/claims", "/api/events",
            "/api/entities", "/api/places", "/api/reuse", "/api/rejections", "/api/health", "/api/",
            "/export/{name}"} <= paths
    assert not any(p in paths for p in ("/", "/map", "/docs/{doc_id}"))  # pages are not the API
    for e in index["endpoints"]:
        if "{" not in e["path"]:
            assert client.get(e["path"]).status_code == 200, e["path"]


def test_openapi_page_is_offline_and_complete(client: TestClient) -> None:
    r = client.get("/api/openapi")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert_secure(r)
    assert_no_inline_code(r.text)
    assert not re.search(r'(src|href)="(https?:)?//', r.text)  # nothing from a CDN
    spec = client.get("/api/openapi.json").json()
    for path, ops in spec["paths"].items():
        if path.startswith("/api/") and "get" in ops:
            assert f"<h3><span class=\"method\">GET</span>{path}</h3>" in r.text, path
    assert 'data-path="/api/docs"' in r.text and 'name="limit"' in r.text
    assert "≤ 1000" in r.text  # the bounds of a parameter are shown
    assert client.get("/static/app/apidocs.js").status_code == 200


LISTS = {"docs": "docs", "stories": "stories", "entities": "entities", "places": "places", "claims": "claims",
         "events": "events", "reuse": "reuse", "rejections": "rejects"}


@pytest.mark.parametrize("name", sorted(LISTS))
def test_exports_match_the_command_line(name: str, client: TestClient, sample_store: Store,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    r = client.get(f"/export/{name}.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == f'attachment; filename="storyline-{name}.csv"'
    assert_secure(r)
    rows = list(csv.reader(io.StringIO(r.text)))
    assert main([LISTS[name], "--db", sample_store.path, "--format", "csv"]) == 0
    cli = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == cli[0] and len(rows) == len(cli)
    j = client.get(f"/export/{name}.json")
    assert j.status_code == 200 and j.headers["content-type"].startswith("application/json")
    records = json.loads(j.text)
    assert isinstance(records, list) and len(records) == len(rows) - 1
    if name != "rejections":
        assert records, name


def test_export_filter_and_unknown(client: TestClient) -> None:
    people = json.loads(client.get("/export/entities.json?type=person").text)
    assert people and all(e["type"] == "person" for e in people)
    assert client.get("/export/nothing.csv").status_code == 404
    assert client.get("/export/docs.xml").status_code == 404


def test_list_pages_link_their_exports(client: TestClient) -> None:
    for page, name in (("/stories", "stories"), ("/entities", "entities"), ("/places", "places"),
                       ("/timeline", "events"), ("/", "docs")):
        html = client.get(page).text
        assert f'href="/export/{name}.csv"' in html and f'href="/export/{name}.json"' in html, page
    assert 'href="/export/entities.csv?type=person"' in client.get("/entities?type=person").text


def test_error_pages_keep_their_status(sample_store: Store) -> None:
    app = create_app(sample_store.path)

    @app.get("/api/busy")
    def busy_api() -> None:
        raise HTTPException(503, "busy")

    @app.get("/busy")
    def busy_page() -> None:
        raise HTTPException(503, "busy")

    @app.get("/bad")
    def bad_page() -> None:
        raise HTTPException(400, "bad")

    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as c:
        r = c.get("/api/busy")
        assert r.status_code == 503 and r.json()["error"] == {
            "code": "E508", "message": "[E508] HTTP error 503: busy.", "status": 503}
        page = c.get("/busy")
        assert page.status_code == 503 and "E508" in page.text and page.headers["content-type"].startswith("text/html")
        assert c.get("/bad").status_code == 400
