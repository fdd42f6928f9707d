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
        cache.get(f"k{i}", lambda i=i: i)
    assert len(cache._values) == 3
    cache.close()
