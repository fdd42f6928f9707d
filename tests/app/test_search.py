"""Full-text search: finds words, ranks, paginates, and never fails on hostile input."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from storyline.app.markup import MARK_CLOSE, MARK_OPEN, snippet_html
from storyline.app.search import plain_words

HOSTILE = ['"', "*", "NEAR(", "-", "", "   ", "AND", "OR OR", "(", ")", "title:", "nosuchcolumn:raqqa", "^", "a" * 2000,
           '"unterminated', "raqqa -", "NOT", "{}", "\\", "\x00", "'; DROP TABLE documents; --", "al-Bab", "🙂"]


def test_finds_words(client: TestClient) -> None:
    r = client.get("/api/search", params={"q": "Raqqa"})
    assert r.status_code == 200
    body = r.json()
    assert body["mode"] == "fts" and body["total"] >= 3
    hit = body["items"][0]
    assert "<mark>" in hit["snippet_html"] and MARK_OPEN not in hit["snippet"]
    ranks = [h["rank"] for h in body["items"]]
    assert ranks == sorted(ranks)
    html = client.get("/search", params={"q": "Raqqa"}).text
    assert "<mark>" in html and f"/docs/{hit['id']}" in html


def test_fts_syntax_works(client: TestClient) -> None:
    assert client.get("/api/search", params={"q": '"Islamic State"'}).json()["total"] >= 1
    assert client.get("/api/search", params={"q": "raq*"}).json()["total"] >= 1
    a = client.get("/api/search", params={"q": "Raqqa OR Mosul"}).json()["total"]
    assert a >= client.get("/api/search", params={"q": "Raqqa"}).json()["total"]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_never_fail(client: TestClient, q: str) -> None:
    for path in ("/search", "/api/search"):
        r = client.get(path, params={"q": q})
        assert r.status_code == 200, (q, r.text[:300])


def test_syntax_error_message_and_fallback(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": 'NEAR( "Raqqa'}).json()
    assert body["mode"] == "words" and "FTS5" in body["message"] and body["total"] >= 1
    html = client.get("/search", params={"q": 'Raqqa "'}).text
    assert "searched for the words instead" in html
    empty = client.get("/api/search", params={"q": "*"}).json()
    assert empty["total"] == 0 and empty["message"]


def test_pagination(client: TestClient) -> None:
    first = client.get("/api/search", params={"q": "the", "limit": 2}).json()
    assert len(first["items"]) == 2 and first["total"] >= 3 and first["next"]
    second = client.get(first["next"]).json()
    assert {h["id"] for h in second["items"]}.isdisjoint({h["id"] for h in first["items"]})
    assert client.get("/search", params={"q": "the", "page": 2}).status_code == 200


def test_plain_words_quotes_each_chunk() -> None:
    assert plain_words('NEAR( "a" al-Bab *') == '"NEAR" "a" "al Bab"'
    assert plain_words('" * -') == ""


def test_snippet_markers_are_balanced_and_escaped() -> None:
    raw = f"<b>{MARK_OPEN}x{MARK_OPEN}y{MARK_CLOSE}{MARK_CLOSE}<script>{MARK_OPEN}z"
    out = str(snippet_html(raw))
    assert out == "&lt;b&gt;<mark>xy</mark>&lt;script&gt;<mark>z</mark>"
