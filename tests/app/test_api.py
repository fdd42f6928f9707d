"""The JSON API: records.md shapes, one envelope for lists, one error shape for everything."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from storyline.app import create_app

LISTS = ["/api/docs", "/api/claims", "/api/events", "/api/entities", "/api/places", "/api/reuse", "/api/rejections",
         "/api/stories"]


def assert_error(resp, status: int, code: str | None = None) -> None:  # type: ignore[no-untyped-def]
    assert resp.status_code == status
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "status"}
    assert body["error"]["status"] == status
    assert body["error"]["code"].startswith("E") and body["error"]["message"].startswith(f"[{body['error']['code']}]")
    if code:
        assert body["error"]["code"] == code
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in resp.headers["content-security-policy"]


@pytest.mark.parametrize("path", LISTS)
def test_lists_share_the_envelope(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200, r.text[:300]
    body = r.json()
    assert {"items", "total", "limit", "offset", "next"} <= set(body)
    assert body["total"] >= len(body["items"])


def test_docs_records(client: TestClient, sample_ids: list[str]) -> None:
    body = client.get("/api/docs", params={"limit": 2}).json()
    assert body["total"] == len(sample_ids) and len(body["items"]) == 2
    rec = body["items"][0]
    for key in ("id", "title", "url", "outlet", "byline", "dateline", "published", "published_precision",
                "published_source", "status", "source_path"):
        assert key in rec
    assert "text" not in rec
    nxt = client.get(body["next"]).json()
    assert nxt["offset"] == 2 and nxt["items"][0]["id"] != rec["id"]
    full = client.get(f"/api/docs/{rec['id']}").json()
    assert full["text"] and isinstance(full["removed"], list)
    assert client.get(f"/api/docs/{rec['id'][:6]}").json()["id"] == rec["id"]  # unique prefix


def test_record_shapes(client: TestClient) -> None:
    claim = client.get("/api/claims").json()["items"][0]
    assert {"id", "content", "speaker", "cue", "via", "certainty", "evidence", "documents", "independent_sources"} <= set(claim)
    event = client.get("/api/events").json()["items"][0]
    assert {"id", "type", "actor", "quantities", "origin", "destination", "time", "evidence", "documents"} <= set(event)
    ent = client.get("/api/entities").json()["items"][0]
    assert {"id", "name", "type", "aliases", "mentions"} <= set(ent)
    assert client.get(f"/api/entities/{ent['id']}").json() == ent
    summary = client.get("/api/entities?full=false").json()["items"][0]  # a listing's summary: counts, and the record's address
    assert {"id", "name", "type", "aliases", "mention_count", "document_count"} <= set(summary)
    assert client.get(summary["href"]).json() == ent
    bounded = client.get("/api/entities?mentions=1").json()["items"][0]  # the first mention and document, counted
    assert bounded["mentions"] == ent["mentions"][:1] and bounded["mention_count"] == len(ent["mentions"])
    assert bounded["documents"] == ent["documents"][:1] and bounded["document_count"] == len(ent["documents"])
    place = client.get("/api/places").json()["items"][0]
    assert {"lat", "lon", "kind", "country", "gazetteer_id", "precision"} <= set(place)
    passage = client.get("/api/reuse").json()["items"][0]
    assert {"source", "copy", "similarity", "direction", "direction_evidence"} <= set(passage)
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["documents"] >= 5


def test_stories(client: TestClient) -> None:
    stories = client.get("/api/stories").json()["items"]
    assert stories
    s = stories[0]
    assert {"id", "title", "documents", "start", "end"} <= set(s)
    body = client.get(f"/api/stories/{s['id']}").json()
    assert body["story"]["id"] == s["id"] and isinstance(body["report"], dict)


@pytest.mark.parametrize("path", ["/api/docs/nope", "/api/nope", "/api/entities/nope", "/api/places/nope",
                                  "/api/stories/nope"])
def test_404_error_shape(client: TestClient, path: str) -> None:
    assert_error(client.get(path), 404)


def test_invalid_parameter_error_shape(client: TestClient) -> None:
    assert_error(client.get("/api/docs", params={"limit": 0}), 400, "E511")
    assert_error(client.get("/api/docs", params={"offset": "x"}), 400, "E511")


def test_other_http_errors_keep_the_shape(sample_store) -> None:  # type: ignore[no-untyped-def]
    """Issue #15 (from #13): an HTTP error other than 401/404/405/422 passed ``status`` twice
    to the error helper, so it became a 500."""
    from fastapi import HTTPException

    app = create_app(sample_store.path)

    def teapot() -> None:
        raise HTTPException(418, "short and stout")

    app.add_api_route("/api/teapot", teapot)
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        r = c.get("/api/teapot")
        assert_error(r, 418, "E508")
        assert "short and stout" in r.json()["error"]["message"]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_read_only(client: TestClient, method: str, sample_ids: list[str]) -> None:
    assert_error(client.request(method, f"/api/docs/{sample_ids[0]}"), 405, "E507")
    assert client.request(method, "/").status_code == 405


def test_500_error_shape(sample_store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from storyline.corpus import entity_store

    app = create_app(sample_store.path)

    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(entity_store, "place_page", boom)  # what /api/places and /places read
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        r = c.get("/api/places")
        assert_error(r, 500, "E504")
        assert "secret internals" not in r.text
        page = c.get("/places")
        assert page.status_code == 500 and "E504" in page.text and "secret internals" not in page.text
        assert page.headers["x-frame-options"] == "DENY"


def test_html_errors_are_pages(client: TestClient) -> None:
    r = client.get("/docs/nope")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html") and "E401" in r.text
    assert client.get("/no/such/page").status_code == 404
