"""Corpus views are cached per store generation: recomputed only after a commit."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from storyline.app.cache import CorpusCache


def test_recomputes_only_after_a_commit(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    w = sqlite3.connect(db, isolation_level=None)
    w.execute("PRAGMA journal_mode = WAL")
    w.execute("CREATE TABLE t (x)")
    cache = CorpusCache(str(db))
    calls = []

    def compute() -> int:
        calls.append(1)
        return w.execute("SELECT count(*) FROM t").fetchone()[0]

    assert cache.get("n", compute) == 0
    assert cache.get("n", compute) == 0
    assert len(calls) == 1
    w.execute("INSERT INTO t VALUES (1)")
    assert cache.get("n", compute) == 1
    assert len(calls) == 2
    cache.close()


def test_stale_value_served_while_recomputing(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    w = sqlite3.connect(db, isolation_level=None)
    w.execute("PRAGMA journal_mode = WAL")
    w.execute("CREATE TABLE t (x)")
    cache = CorpusCache(str(db))
    assert cache.get("k", lambda: "old") == "old"
    w.execute("INSERT INTO t VALUES (1)")
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        release.wait(5)
        return "new"

    t = threading.Thread(target=lambda: cache.get("k", slow))
    t.start()
    started.wait(5)
    assert cache.get("k", lambda: "other") == "old"  # not blocked behind the recomputation
    release.set()
    t.join()
    assert cache.get("k", lambda: "other") == "new"
    cache.close()


def test_bounded(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    sqlite3.connect(db).execute("CREATE TABLE t (x)")
    cache = CorpusCache(str(db), max_entries=3)
    for i in range(10):
        cache.get(f"k{i}", lambda: i)  # called within get(), in this iteration
    assert len(cache._values) == 3
    cache.close()


def test_reads_do_not_wait_for_a_running_ingest(sample_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A writer holding the store's write lock mid-batch (as ingest does) does not block a
    page: the app reads the last committed state through its own WAL snapshot."""
    import sqlite3
    import time

    from fastapi.testclient import TestClient

    from storyline.app import create_app

    db = tmp_path / "copy.db"
    with sqlite3.connect(sample_store.path) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    writer = sqlite3.connect(db, timeout=0)
    writer.execute("PRAGMA journal_mode=WAL")
    with TestClient(create_app(str(db)), base_url="http://127.0.0.1:8000") as client:
        assert client.get("/").status_code == 200  # warm: the corpus views are computed
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE documents SET title = 'uncommitted title' WHERE rowid = (SELECT min(rowid) FROM documents)")
        try:
            for path in ("/", "/api/docs", "/search?q=Raqqa", "/stories", "/api/health"):
                t0 = time.monotonic()
                r = client.get(path)
                assert r.status_code == 200, path
                assert time.monotonic() - t0 < 5, f"{path} waited on the writer"
                assert "uncommitted title" not in r.text
        finally:
            writer.rollback()
            writer.close()


def test_warm_up_fills_the_corpus_views(sample_store) -> None:  # type: ignore[no-untyped-def]
    """``serve`` warms the views (and the largest stories' pages) in a thread; afterwards
    they come from the cache."""
    from storyline.app.context import AppContext

    ctx = AppContext(sample_store.path)
    try:
        ctx.warm()
        computed: list[str] = []
        real_get = ctx.cache.get

        def spy(key, compute, **kw):  # type: ignore[no-untyped-def]
            return real_get(key, lambda: computed.append(key) or compute(), **kw)

        ctx.cache.get = spy  # type: ignore[method-assign]
        ctx.counts(), ctx.stories(), ctx.behind(), ctx.place_index()
        ctx.report_html(ctx.stories()[0].id)  # the largest story's page is rendered too
        assert computed == []
        assert ctx.warmed
    finally:
        ctx.close()


def test_background_refresh_serves_the_previous_value(tmp_path: Path) -> None:
    """``background=True``: after a commit even the request that finds the value stale gets
    the previous one at once; a thread recomputes it, and the next request sees the new one."""
    db = tmp_path / "g.db"
    w = sqlite3.connect(db, isolation_level=None)
    w.execute("PRAGMA journal_mode = WAL")
    w.execute("CREATE TABLE t (x)")
    cache = CorpusCache(str(db))
    assert cache.get("k", lambda: "old", background=True) == "old"  # nothing to serve yet: computed here
    w.execute("INSERT INTO t VALUES (1)")
    release = threading.Event()

    def slow() -> str:
        release.wait(5)
        return "new"

    assert cache.get("k", slow, background=True) == "old"  # not blocked: the refresh runs in a thread
    release.set()
    for th in threading.enumerate():
        if th.name.startswith("storyline-refresh"):
            th.join(5)
    assert cache.get("k", lambda: "other", background=True) == "new"
    cache.close()
