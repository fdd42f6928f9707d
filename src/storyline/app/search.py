"""Full-text search over the store's FTS5 index (``documents_fts``, migration 3).

A query is first tried as FTS5 syntax (so ``"exact phrase"``, ``OR``, ``NEAR()``,
``prefix*`` and ``title:word`` work); when FTS5 rejects it, it is searched again as plain
words — each whitespace-separated chunk quoted as a phrase, so ``al-Bab`` stays one phrase
and stray quotes, stars or brackets cannot break anything — and the page says so.
"""

from __future__ import annotations

import re
import sqlite3
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .markup import MARK_CLOSE, MARK_OPEN, snippet_html, snippet_text

MAX_QUERY = 500  # characters; longer queries are cut (and the page says so)

# Ranking reads only the FTS index (``documents`` rows are wide: they hold the text) in one
# pass: every match's rowid in bm25 order (title weighted 5, outlet 2), from which the total
# and any page are cut; superseded or not-ok documents are dropped by rowid. snippet() is
# computed afterwards for the page's rows only, not for every match.
_RANKED = "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ? ORDER BY bm25(documents_fts, 5.0, 1.0, 2.0)"
_SNIPPET = (
    "SELECT snippet(documents_fts, -1, ?, ?, '…', 24), bm25(documents_fts, 5.0, 1.0, 2.0) FROM documents_fts"
    " WHERE documents_fts MATCH ? AND rowid = ?"
)
_ROW = "SELECT id, title, outlet, published, url FROM documents WHERE rowid = ?"
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


def _run(conn: sqlite3.Connection, fts: str, ranker: Ranker, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
    ranked = ranker(fts)
    hits = []
    for rowid in ranked[offset : offset + limit]:
        row = conn.execute(_ROW, (rowid,)).fetchone()
        snip = conn.execute(_SNIPPET, (MARK_OPEN, MARK_CLOSE, fts, rowid)).fetchone()
        if row is None or snip is None:  # changed since it was ranked
            continue
        hits.append({"id": row[0], "title": row[1], "outlet": row[2], "published": row[3], "url": row[4],
                     "raw": snip[0] or "", "rank": snip[1]})
    return len(ranked), hits


def search(
    conn: sqlite3.Connection, query: str | None, *, limit: int = 20, offset: int = 0, ranker: Ranker | None = None
) -> SearchResult:
    """Search current, ok documents. ``ranker``: FTS query → ranked rowids (default:
    :func:`ranked_rowids` on ``conn``; the app passes a cached one)."""
    query = (query or "").replace("\x00", " ")
    notes: list[str] = []
    if len(query) > MAX_QUERY:
        query = query[:MAX_QUERY]
        notes.append(f"The query was cut to its first {MAX_QUERY} characters.")
    result = SearchResult(query=query, fts_query=None, mode="empty", limit=limit, offset=offset)
    if not query.strip():
        result.message = " ".join(notes) or None
        return result
    rows: list[dict[str, Any]] = []
    if ranker is None:
        excluded = excluded_rowids(conn)
        ranker = lambda fts: ranked_rowids(conn, fts, excluded)  # noqa: E731
    try:
        result.total, rows = _run(conn, query, ranker, limit, offset)
        result.mode, result.fts_query = "fts", query
    except sqlite3.OperationalError as exc:
        words = plain_words(query)
        reason = str(exc).removeprefix("fts5: ")
        if not words:
            notes.append(f"Not a valid search ({reason}) and no words to look for. Type words, or quote a phrase.")
            result.message = " ".join(notes)
            return result
        notes.append(f"Not valid FTS5 syntax ({reason}); searched for the words instead.")
        try:
            result.total, rows = _run(conn, words, ranker, limit, offset)
            result.mode, result.fts_query = "words", words
        except sqlite3.OperationalError as exc2:  # should not happen: quoted phrases are always valid
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
