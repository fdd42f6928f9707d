"""Per-process caches of small views, keyed by a store generation.

Pages read the stored corpus layers partially (:mod:`.reads`); what is still cached is small
and bounded (counts, the place summaries, the story list, rendered story reports: at most
``max_entries`` values, least recently used dropped first). A value is recomputed only when
the store changed: ``PRAGMA data_version`` on one dedicated read-only connection changes
whenever any other connection (an ingest in another process included) commits. While one
thread recomputes a stale value, other threads are served the previous one rather than
waiting (stale-while-revalidate); with ``background=True`` even the thread that finds it stale
is served the previous value while a background thread recomputes it, so an ingest never
stalls a page whose view scans the corpus (the place summaries).
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ..store import Store

T = TypeVar("T")


class Generation:
    """A number that changes whenever the store at ``path`` has new commits."""

    def __init__(self, path: str) -> None:
        uri = f"file:{Path(path).resolve()}?mode=ro"
        self._conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()

    def value(self) -> int:
        with self._lock:
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class CorpusCache:
    """``get(key, compute)``: the value computed at the current generation, else recompute.

    At most ``max_entries`` values are kept (least recently used dropped first), so caching
    one rendered report per story cannot grow without bound.
    """

    def __init__(self, path: str, *, max_entries: int = 256) -> None:
        self.generation = Generation(path)
        self.max_entries = max_entries
        self._values: OrderedDict[str, tuple[int, Any]] = OrderedDict()
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock_for(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def _peek(self, key: str) -> tuple[int, Any] | None:
        with self._guard:
            hit = self._values.get(key)
            if hit is not None:
                self._values.move_to_end(key)
            return hit

    def get(self, key: str, compute: Callable[[], T], *, background: bool = False) -> T:
        gen = self.generation.value()
        hit = self._peek(key)
        if hit is not None and hit[0] == gen:
            return hit[1]  # type: ignore[no-any-return]
        lock = self._lock_for(key)
        if hit is not None:
            if not lock.acquire(blocking=False):
                return hit[1]  # type: ignore[no-any-return]  # someone is recomputing: serve the previous value
            if background:
                threading.Thread(target=self._fill, args=(key, gen, compute, lock), daemon=True,
                                 name=f"storyline-refresh-{key}").start()
                return hit[1]  # type: ignore[no-any-return]
        else:
            lock.acquire()
        return self._fill(key, gen, compute, lock)

    def _fill(self, key: str, gen: int, compute: Callable[[], T], lock: threading.Lock) -> T:
        """Compute ``key`` at ``gen`` and keep it (``lock`` held by the caller; released here)."""
        try:
            again = self._peek(key)
            if again is not None and again[0] == gen:
                return again[1]  # type: ignore[no-any-return]
            value = compute()
            with self._guard:
                self._values[key] = (gen, value)
                self._values.move_to_end(key)
                while len(self._values) > self.max_entries:
                    old, _ = self._values.popitem(last=False)
                    self._locks.pop(old, None)
            return value
        finally:
            lock.release()

    def close(self) -> None:
        self.generation.close()


class Stores:
    """One read-only :class:`Store` per thread (sqlite3 connections are not shared across
    threads mid-query; WAL lets all of them read while an ingest writes)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        self._all: list[Store] = []
        self._guard = threading.Lock()

    def get(self) -> Store:
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = Store(self.path, readonly=True)
            store.conn.execute("PRAGMA query_only = ON")  # belt and braces: this app never writes
            self._local.store = store
            with self._guard:
                self._all.append(store)
        return store

    def close(self) -> None:
        with self._guard:
            for s in self._all:
                try:
                    s.close()
                except sqlite3.Error:
                    pass
            self._all.clear()
