"""What one request may cost (issue #15, cases 13 and 14).

Any web page the user visits can make the browser send requests to the local server
(``<img src="http://127.0.0.1:8000/api/search?q=…">``): the DNS-rebinding guard does not stop
those. So no request may keep a server thread busy for long: searches are bounded in words,
prefixes and time, and every integer parameter in bounds before it reaches SQLite.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from typing import Any, Protocol

import pytest
from fastapi.testclient import TestClient

from storyline.app import create_app
from storyline.app.context import AppContext
from storyline.app.markup import MARK_CLOSE, MARK_OPEN
from storyline.app.search import MAX_PREFIXES, MAX_TERMS, query_cost, snippet_window
from storyline.errors import StorylineError
from storyline.layers import CORE_SLOTS
from storyline.store import Store
from storyline.types import Doc, DocMeta

from .conftest import BASE

# Generous: the default time limit is 1 s; a shared CI core is slow. Before the change, the
# issue's query took 62 s on the 5-document sample store (this machine, 2 busy cores).
BOUND_S = 5.0
ISSUE_QUERY = " ".join(["t*"] * 160)  # 479 characters, from the issue
WORDS = ("the town troops said two tanks three thousand people fled towards east on tuesday while officials "
         "tried").split()


class Response(Protocol):
    """What these tests read of a TestClient response (httpx's or httpx2's, whichever
    Starlette's TestClient was built on here)."""

    @property
    def status_code(self) -> int: ...
    @property
    def text(self) -> str: ...
    def json(self) -> Any: ...


def _assert_error(resp: Response, status: int, code: str) -> None:
    assert resp.status_code == status, resp.text[:300]
    assert resp.json()["error"]["code"] == code


def timed_get(client: TestClient, path: str, **params: str | int) -> tuple[Response, float]:
    t = time.perf_counter()
    r = client.get(path, params=params)
    return r, time.perf_counter() - t


@pytest.fixture(scope="module")
def long_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Three 100,000-character documents full of t-words: FTS5's snippet() took 5.7 s for
    ``t* t*`` on one of them, in a single call no time limit can interrupt. Written the way
    the clean stage writes (no models needed)."""
    path = tmp_path_factory.mktemp("long") / "long.db"
    rng = random.Random(15)
    with Store(path) as store, store.transaction():
        for i in range(3):
            text = " ".join(rng.choice(WORDS) for _ in range(16_000))
            doc = Doc(id=f"{i:016x}", source_path=f"/long/{i}.txt", locator="", content_type="text",
                      raw=text.encode())
            store.insert_document(doc, url=None)
            doc.text, doc.status, doc.meta = text, "ok", DocMeta(title=f"Long report {i}")
            store.save_stage_results(doc, slots=CORE_SLOTS)
    return str(path)


@pytest.fixture(scope="module")
def long_docs_client(long_store: str) -> Iterator[TestClient]:
    with TestClient(create_app(long_store), base_url=BASE, raise_server_exceptions=False) as c:
        yield c


def test_the_issue_query_is_refused_at_once(long_docs_client: TestClient) -> None:
    client = long_docs_client
    for path in ("/api/search", "/search"):
        r, took = timed_get(client, path, q=ISSUE_QUERY)
        assert took < BOUND_S, f"{path} took {took:.1f} s"
        assert r.status_code == 400
    r, _ = timed_get(client, "/api/search", q=ISSUE_QUERY)
    _assert_error(r, 400, "E509")
    page, _ = timed_get(client, "/search", q=ISSUE_QUERY)
    assert "E509" in page.text and 'name="q"' in page.text  # the form stays


@pytest.mark.parametrize("q", [
    " ".join(["t*"] * MAX_PREFIXES + ["the"] * (MAX_TERMS - MAX_PREFIXES)),  # at both caps
    " OR ".join(["t*"] * MAX_PREFIXES),
    "NEAR(" + " ".join(["t*"] * MAX_PREFIXES) + ", 100)",
    " ".join(["the"] * MAX_TERMS),
    "t* t*",
])
def test_hostile_queries_within_the_caps_stay_bounded(long_docs_client: TestClient, q: str) -> None:
    """A hostile page sending the costliest queries the caps allow: each answered (results, or
    E510 when over the time limit) well within the bound."""
    for path in ("/api/search", "/search"):
        extra = {"limit": 100} if path.startswith("/api") else {}
        r, took = timed_get(long_docs_client, path, q=q, **extra)
        assert took < BOUND_S, f"{path}?q={q} took {took:.1f} s"
        assert r.status_code in (200, 503), r.text[:300]


def test_a_burst_of_hostile_requests_is_bounded(long_docs_client: TestClient) -> None:
    """12 requests as a page of ``<img>`` tags would send them: the server is free again
    after a bounded time (each one bounded, so the burst is)."""
    queries = [f"{a}* {b}* the town" for a in "tsao" for b in "twx"]
    t = time.perf_counter()
    for q in queries:
        assert long_docs_client.get("/api/search", params={"q": q}).status_code in (200, 503)
    assert time.perf_counter() - t < 4 * BOUND_S


def test_time_limit_stops_a_search_and_the_next_one_works(long_store: str) -> None:
    app = create_app(long_store, search_time_limit_ms=1)
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as c:
        r, took = timed_get(c, "/api/search", q="t* s* o* e*")
        _assert_error(r, 503, "E510")
        assert took < BOUND_S
        page, _ = timed_get(c, "/search", q="t* s* o* e*")
        assert page.status_code == 503 and "E510" in page.text
    with TestClient(create_app(long_store), base_url=BASE) as c:  # default limit: 1000 ms
        assert c.get("/api/search", params={"q": "tanks"}).json()["total"] == 3
    # the progress handler is removed after each search: the thread's connection serves
    # the other (unlimited) views afterwards
    ctx = AppContext(long_store, search_time_limit_ms=1)
    try:
        with pytest.raises(StorylineError) as err:
            ctx.search("t* s* o* e*", limit=20, offset=0)
        assert err.value.code == "E510"
        count = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)"
                 " SELECT count(*) FROM n")
        assert ctx.store().conn.execute(count).fetchone()[0] == 200000
    finally:
        ctx.close()


def test_query_cost_counts_words_and_prefixes() -> None:
    assert query_cost("raq* OR mosul NEAR(a b, 10)") == (5, 1)  # raq, mosul, a, b, 10
    assert query_cost('"al bab"* title:convoy') == (4, 1)
    assert query_cost(ISSUE_QUERY) == (160, 160)


def test_snippet_window_is_the_densest_stretch_and_linear() -> None:
    words = [f"w{i}" for i in range(200)]
    for i in (10, 150, 152, 155):
        words[i] = f"{MARK_OPEN}{words[i]}{MARK_CLOSE}"
    snip = snippet_window(" ".join(words), tokens=10)
    assert snip.startswith("…w147 ") and snip.endswith("…") and snip.count(MARK_OPEN) == 3
    assert snippet_window("a b c", tokens=10) == "a b c"
    assert snippet_window("") == ""
    huge = " ".join(f"{MARK_OPEN}t{MARK_CLOSE}" if i % 3 == 0 else "x" for i in range(300_000))
    t = time.perf_counter()
    assert snippet_window(huge).count(MARK_OPEN) >= 8
    assert time.perf_counter() - t < BOUND_S


def _integer_parameters(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(path, parameter) of every integer query parameter of every GET route, from the app's
    own OpenAPI schema, so a route added later is covered."""
    found = []
    for path, ops in app.openapi()["paths"].items():
        for p in ops.get("get", {}).get("parameters", []):
            if p["in"] == "query" and p.get("schema", {}).get("type") == "integer":
                found.append((path, p["name"]))
    return found


def test_every_integer_parameter_is_bounded(long_docs_client: TestClient) -> None:
    """Case 14: /api/docs?offset=9223372036854775808 overflowed SQLite's integer (a 500)."""
    client = long_docs_client
    params = _integer_parameters(client.app)
    assert ("/api/docs", "offset") in params and ("/search", "page") in params
    for path, name in params:
        url = path.replace("{doc_id}", "x").replace("{story_id}", "x").replace("{entity_id}", "x")
        url = url.replace("{place_id}", "x")
        for value in ("9223372036854775808", str(2**63 - 1), "-1", "99999999999999999999999999"):
            r = client.get(url, params={name: value})
            assert r.status_code == 400, (path, name, value, r.status_code, r.text[:200])
            if path.startswith("/api/"):
                _assert_error(r, 400, "E511")
            else:
                assert "E511" in r.text
