"""Full-text search over the store's FTS5 index (``documents_fts``, migration 3).

A query is first tried as FTS5 syntax (so ``"exact phrase"``, ``OR``, ``NEAR()``,
``prefix*`` and ``title:word`` work); when FTS5 rejects it, it is searched again as plain
words — each whitespace-separated chunk quoted as a phrase, so ``al-Bab`` stays one phrase
and stray quotes, stars or brackets cannot break anything — and the page says so.

What one search may cost is bounded, because any web page the user visits can make the
browser send one (``<img src="http://127.0.0.1:8000/api/search?q=…">``):

* at most :data:`MAX_QUERY` characters (longer queries are cut), :data:`MAX_TERMS` words and
  :data:`MAX_PREFIXES` prefix terms (``raq*``); more is refused with E509 (400);
* a time limit per search (``STORYLINE_SEARCH_TIME_LIMIT_MS``, default 1000 ms), enforced by
  a SQLite progress handler on the connection, which aborts the query: E510 (503);
* snippets are cut in Python from ``highlight()``, which is linear in the text. FTS5's own
  ``snippet()`` scores every window against every phrase instance: quadratic, and one call
  runs in C where no progress handler can stop it. Measured on the 5-document demo store
  (2 busy cores): 80 × ``t*`` took 4.5 s, the issue's 160 × ``t*`` (479 characters) 62 s; on
  one 100,000-character document ``t* t*`` took 5.7 s in a single uninterruptible call,
  ``highlight()`` 0.05 s. Now that query is refused (E509) in well under a second.
"""

from __future__ import annotations

import re
import sqlite3
import time
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import StorylineError
from .markup import MARK_CLOSE, MARK_OPEN, snippet_html, snippet_text

MAX_QUERY = 500  # characters; longer queries are cut (and the page says so)
MAX_TERMS = 16  # words (and numbers) in one query, operators not counted
MAX_PREFIXES = 4  # prefix terms (raq*): each one expands to every indexed word it starts
SNIPPET_TOKENS = 24  # words shown around the best match
SNIPPET_SCAN = 200_000  # characters of a column searched for the best stretch (~30 ms at most)
PROGRESS_STEPS = 1000  # SQLite VM instructions between two looks at the clock

# Ranking reads only the FTS index (``documents`` rows are wide: they hold the text) in one
# pass: every match's rowid in bm25 order (title weighted 5, outlet 2), from which the total
# and any page are cut; superseded or not-ok documents are dropped by rowid. The snippets
# (highlight(), then a window cut in Python) are computed for the page's rows only.
_RANKED = "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ? ORDER BY bm25(documents_fts, 5.0, 1.0, 2.0)"
_HIGHLIGHT = (
    "SELECT highlight(documents_fts, 1, ?, ?), highlight(documents_fts, 0, ?, ?),"
    " highlight(documents_fts, 2, ?, ?), bm25(documents_fts, 5.0, 1.0, 2.0)"
    " FROM documents_fts WHERE documents_fts MATCH ? AND rowid = ?"
)
_ROW = "SELECT id, title, outlet, published, url, json_extract(meta, '$.language') FROM documents WHERE rowid = ?"
_MARKS = (MARK_OPEN, MARK_CLOSE) * 3  # the three columns' highlight() markers
EXCLUDED_SQL = "SELECT rowid FROM documents WHERE status != 'ok' OR superseded_by IS NOT NULL"

Ranker = Callable[[str], Sequence[int]]


def ranked_rowids(conn: sqlite3.Connection, fts: str, excluded: frozenset[int] = frozenset()) -> array:
    """Rowids of the current documents matching ``fts``, best first (sqlite3.OperationalError
    when ``fts`` is not valid FTS5)."""
    return array("q", (r for (r,) in conn.execute(_RANKED, (fts,)) if r not in excluded))


def excluded_rowids(conn: sqlite3.Connection) -> frozenset[int]:
    """Rowids search leaves out: superseded or not-ok documents."""
    return frozenset(r[0] for r in conn.execute(EXCLUDED_SQL))


@dataclass(slots=True)
class SearchResult:
    query: str
    fts_query: str | None
    mode: Literal["empty", "fts", "words"]
    total: int = 0
    limit: int = 20
    offset: int = 0
    hits: list[dict[str, Any]] = field(default_factory=list)
    message: str | None = None

    def to_record(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "fts_query": self.fts_query,
            "mode": self.mode,
            "message": self.message,
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
            "items": [{k: v for k, v in h.items() if k != "snippet_markup"} for h in self.hits],
        }


def plain_words(query: str) -> str:
    """The query as an FTS5 expression of quoted phrases (implicit AND), '' when it holds
    no word at all."""
    phrases = []
    for chunk in query.split():
        words = re.findall(r"\w+", chunk)
        if words:
            phrases.append('"' + " ".join(words) + '"')
    return " ".join(phrases)


def snippet_window(marked: str, tokens: int = SNIPPET_TOKENS) -> str:
    """``tokens`` words of ``marked`` (a highlighted column) around its densest stretch of
    matches, with an ellipsis where text was cut; linear in the text, of which the first
    :data:`SNIPPET_SCAN` characters are read."""
    cut = len(marked) > SNIPPET_SCAN
    marked = marked[:SNIPPET_SCAN]
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", marked)]
    if not spans:
        return ""
    hits = [i for i, (a, b) in enumerate(spans) if MARK_OPEN in marked[a:b]]
    start = 0
    best = 0
    for h in hits:  # windows starting a few words before a match; the one holding most matches wins
        s = max(0, h - 3)
        n = bisect_left(hits, s + tokens) - bisect_left(hits, s)
        if n > best:
            best, start = n, s
    end = min(len(spans), start + tokens) - 1
    text = marked[spans[start][0] : spans[end][1]]
    return ("…" if start > 0 else "") + text + ("…" if end < len(spans) - 1 or cut else "")


def best_snippet(columns: Sequence[str | None]) -> str:
    """The snippet from the first of (text, title, outlet) holding a match, else the text's
    beginning."""
    for col in columns:
        if col and MARK_OPEN in col:
            return snippet_window(col)
    return snippet_window(columns[0] or "")


def query_cost(query: str) -> tuple[int, int]:
    """(words, prefix terms) of a query; operators (AND, OR, NOT, NEAR) are not words."""
    words = [w for w in re.findall(r"\w+", query) if w not in ("AND", "OR", "NOT", "NEAR")]
    return len(words), len(re.findall(r'[\w"]\*', query))


def check_cost(query: str) -> None:
    """E509 when the query holds more words or prefixes than one search may cost."""
    words, prefixes = query_cost(query)
    if words > MAX_TERMS:
        raise StorylineError("E509", reason=f"{words} words, at most {MAX_TERMS} are searched")
    if prefixes > MAX_PREFIXES:
        raise StorylineError("E509", reason=f"{prefixes} prefix terms (word*), at most {MAX_PREFIXES}")


@contextmanager
def time_limit(conn: sqlite3.Connection, limit_ms: int | None) -> Iterator[Callable[[], int]]:
    """Abort any query on ``conn`` running past ``limit_ms`` (E510). SQLite calls the handler
    every :data:`PROGRESS_STEPS` instructions, FTS5's reads of its index included; Python work
    between queries asks the yielded ``over()`` and raises ``OperationalError("interrupted")``."""
    if limit_ms is None:
        yield lambda: 0
        return
    deadline = time.monotonic() + limit_ms / 1000

    def over() -> int:
        return 1 if time.monotonic() > deadline else 0

    conn.set_progress_handler(over, PROGRESS_STEPS)
    try:
        yield over
    except sqlite3.OperationalError as exc:
        if _interrupted(exc):
            raise StorylineError("E510", limit_ms=limit_ms) from None
        raise
    finally:
        conn.set_progress_handler(None, 0)


def _interrupted(exc: sqlite3.OperationalError) -> bool:
    return str(exc) == "interrupted"


def _run(
    conn: sqlite3.Connection, fts: str, ranker: Ranker, limit: int, offset: int, over: Callable[[], int]
) -> tuple[int, list[dict[str, Any]]]:
    ranked = ranker(fts)
    hits = []
    for rowid in ranked[offset : offset + limit]:
        if over():  # the snippets are cut in Python, where no progress handler runs
            raise sqlite3.OperationalError("interrupted")
        row = conn.execute(_ROW, (rowid,)).fetchone()
        marked = conn.execute(_HIGHLIGHT, (*_MARKS, fts, rowid)).fetchone()
        if row is None or marked is None:  # changed since it was ranked
            continue
        hits.append({"id": row[0], "title": row[1], "outlet": row[2], "published": row[3], "url": row[4],
                     "language": row[5], "raw": best_snippet(marked[:3]), "rank": marked[3]})
    return len(ranked), hits


def search(
    conn: sqlite3.Connection, query: str | None, *, limit: int = 20, offset: int = 0,
    ranker: Ranker | None = None, time_limit_ms: int | None = None,
) -> SearchResult:
    """Search current, ok documents. ``ranker``: FTS query → ranked rowids (default:
    :func:`ranked_rowids` on ``conn``; the app passes a cached one). E509 when the query is
    too complex, E510 when it ran past ``time_limit_ms``."""
    with time_limit(conn, time_limit_ms) as over:
        return _search(conn, query, limit=limit, offset=offset, ranker=ranker, over=over)


def _search(
    conn: sqlite3.Connection, query: str | None, *, limit: int, offset: int, ranker: Ranker | None,
    over: Callable[[], int],
) -> SearchResult:
    query = (query or "").replace("\x00", " ")
    notes: list[str] = []
    if len(query) > MAX_QUERY:
        query = query[:MAX_QUERY]
        notes.append(f"The query was cut to its first {MAX_QUERY} characters.")
    result = SearchResult(query=query, fts_query=None, mode="empty", limit=limit, offset=offset)
    if not query.strip():
        result.message = " ".join(notes) or None
        return result
    check_cost(query)
    rows: list[dict[str, Any]] = []
    if ranker is None:
        excluded = excluded_rowids(conn)
        ranker = lambda fts: ranked_rowids(conn, fts, excluded)  # noqa: E731
    try:
        result.total, rows = _run(conn, query, ranker, limit, offset, over)
        result.mode, result.fts_query = "fts", query
    except sqlite3.OperationalError as exc:
        if _interrupted(exc):
            raise
        words = plain_words(query)
        reason = str(exc).removeprefix("fts5: ")
        if not words:
            notes.append(f"Not a valid search ({reason}) and no words to look for. Type words, or quote a phrase.")
            result.message = " ".join(notes)
            return result
        notes.append(f"Not valid FTS5 syntax ({reason}); searched for the words instead.")
        try:
            result.total, rows = _run(conn, words, ranker, limit, offset, over)
            result.mode, result.fts_query = "words", words
        except sqlite3.OperationalError as exc2:  # should not happen: quoted phrases are always valid
            if _interrupted(exc2):
                raise
            notes.append(f"Search failed: {exc2}.")
    result.message = " ".join(notes) or None
    result.hits = [
        {
            **{k: v for k, v in r.items() if k != "raw"},
            "snippet": snippet_text(r["raw"]),
            "snippet_html": str(snippet_html(r["raw"])),
            "snippet_markup": snippet_html(r["raw"]),
        }
        for r in rows
    ]
    return result
