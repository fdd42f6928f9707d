"""Corpus steps against the store: the persisted copy-detection index, stored passages,
and the provenance graph built from them.

The pure steps live in :mod:`.reuse`, :mod:`.citations` and :mod:`.provenance`; this module
only reads and writes the store. Each update is one transaction, and the set of documents
still to index is derived from the store (``reuse_indexed``), so a killed run resumes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..store import Store
from ..types import CopiedPassage, Doc, DocMeta, Span

if TYPE_CHECKING:  # numpy, datasketch and networkx load only when a corpus step runs
    import networkx as nx

    from .claims import ClaimReport
    from .events import Event
    from .reuse import PassageId, PassageIndex


@dataclass(frozen=True, slots=True)
class ReuseSettings:
    """Copy-detection parameters in the user's terms (see :mod:`storyline.corpus.reuse`)."""

    min_words: int = 20
    threshold: float = 0.3
    boilerplate_docs: int = 5


class SqliteIndex:
    """The LSH candidate index as a table: band key → (document, window)."""

    def __init__(self, store: Store) -> None:
        self.conn = store.conn

    @staticmethod
    def _int(key: bytes) -> int:
        return int.from_bytes(key, "big", signed=True)

    def add(self, passage_id: "PassageId", keys: Sequence[bytes]) -> None:
        doc_id, window = passage_id
        self.conn.executemany(
            "INSERT INTO reuse_keys (key, doc_id, window) VALUES (?, ?, ?)",
            [(self._int(k), doc_id, window) for k in keys],
        )

    def query(self, keys: Sequence[bytes]) -> "set[PassageId]":
        ints = [self._int(k) for k in keys]
        if not ints:
            return set()
        rows = self.conn.execute(
            f"SELECT DISTINCT doc_id, window FROM reuse_keys WHERE key IN ({','.join('?' * len(ints))})", ints
        )
        return {(r[0], r[1]) for r in rows}


def _ensure_config(store: Store, pindex: "PassageIndex") -> None:
    """Band keys made with other parameters cannot be compared: drop them and re-index."""
    row = store.conn.execute("SELECT config FROM reuse_config WHERE id = 1").fetchone()
    if row is not None and row[0] == pindex.config:
        return
    store.conn.execute("DELETE FROM reuse_keys")
    store.conn.execute("DELETE FROM reuse_indexed")
    store.conn.execute("DELETE FROM copied_passages")
    store.conn.execute(
        "INSERT INTO reuse_config (id, config) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config",
        (pindex.config,),
    )


def forget_documents(store: Store, doc_ids: Iterable[str]) -> None:
    """Drop documents from the copy index and their passages (their text changed, or they
    were superseded); call inside a transaction."""
    for doc_id in doc_ids:
        store.conn.execute("DELETE FROM reuse_keys WHERE doc_id = ?", (doc_id,))
        store.conn.execute("DELETE FROM reuse_indexed WHERE doc_id = ?", (doc_id,))
        store.conn.execute("DELETE FROM copied_passages WHERE source_doc = ? OR copy_doc = ?", (doc_id, doc_id))


def unindexed(store: Store) -> list[str]:
    rows = store.conn.execute(
        "SELECT d.id FROM documents d LEFT JOIN reuse_indexed r ON r.doc_id = d.id"
        " WHERE d.status = 'ok' AND d.superseded_by IS NULL AND r.doc_id IS NULL ORDER BY d.rowid"
    )
    return [r[0] for r in rows]


def update_reuse(store: Store, settings: ReuseSettings | None = None, *, batch_size: int = 64) -> int:
    """Index every current document not yet in the copy index, finding its reused passages
    against everything indexed before it. Returns the number of passages found."""
    from .reuse import PassageIndex, find_reuse_incremental

    settings = settings or ReuseSettings()
    pindex = PassageIndex(settings.threshold)
    with store.transaction():
        _ensure_config(store, pindex)
    todo = unindexed(store)
    found = 0

    def lookup(doc_id: str) -> tuple[str, DocMeta] | None:
        row = store.conn.execute(
            "SELECT text, meta FROM documents WHERE id = ? AND status = 'ok' AND superseded_by IS NULL", (doc_id,)
        ).fetchone()
        if row is None or row[0] is None:
            return None
        return row[0], DocMeta(**json.loads(row[1]))

    for start in range(0, len(todo), batch_size):
        batch = []
        for doc_id in todo[start : start + batch_size]:
            got = lookup(doc_id)
            if got is not None:
                batch.append((doc_id, got[0], got[1]))
        with store.transaction():
            update = find_reuse_incremental(
                batch, SqliteIndex(store), lookup, passage_index=pindex,
                min_words=settings.min_words, boilerplate_docs=settings.boilerplate_docs,
            )
            for span in update.boilerplate:
                store.conn.execute(
                    "DELETE FROM copied_passages WHERE (source_doc = ? AND source_start < ? AND source_end > ?)"
                    " OR (copy_doc = ? AND copy_start < ? AND copy_end > ?)",
                    (span.doc, span.end, span.start, span.doc, span.end, span.start),
                )
            for p in update.passages:
                store.conn.execute(
                    "INSERT OR REPLACE INTO copied_passages (source_doc, source_start, source_end, copy_doc,"
                    " copy_start, copy_end, similarity, direction, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        p.source.doc, p.source.start, p.source.end, p.copy.doc, p.copy.start, p.copy.end,
                        p.similarity, p.direction, json.dumps(list(p.direction_evidence)),
                    ),
                )
            store.conn.executemany("INSERT OR IGNORE INTO reuse_indexed (doc_id) VALUES (?)", [(d[0],) for d in batch])
            found += len(update.passages)
    return found


def copied_passages(store: Store) -> list[CopiedPassage]:
    """Stored passages between current documents, in document order."""
    texts: dict[str, str] = {}

    def span(doc: str, start: int, end: int) -> Span:
        if doc not in texts:
            texts[doc] = store.conn.execute("SELECT text FROM documents WHERE id = ?", (doc,)).fetchone()[0] or ""
        return Span(doc, start, end, texts[doc][start:end])

    rows = store.conn.execute(
        "SELECT p.* FROM copied_passages p JOIN documents s ON s.id = p.source_doc JOIN documents c ON c.id = p.copy_doc"
        " WHERE s.superseded_by IS NULL AND c.superseded_by IS NULL ORDER BY s.rowid, p.copy_doc, p.copy_start"
    ).fetchall()
    return [
        CopiedPassage(
            source=span(r["source_doc"], r["source_start"], r["source_end"]),
            copy=span(r["copy_doc"], r["copy_start"], r["copy_end"]),
            similarity=r["similarity"],
            direction=r["direction"],
            direction_evidence=tuple(json.loads(r["evidence"])),
        )
        for r in rows
    ]


def provenance_graph(store: Store, docs: Sequence[Doc] | None = None) -> "nx.MultiDiGraph":
    """Documents, outlets, copy and citation edges of the current, ok documents (``docs``
    when the caller has already read them)."""
    from .provenance import build_graph

    docs = list(docs) if docs is not None else list(store.iter_docs(status=["ok"]))
    return build_graph(
        ((d.id, d.meta) for d in docs),
        copied_passages(store),
        (c for d in docs for c in d.citations),
        texts={d.id: d.text or "" for d in docs},
    )


def claim_report(
    store: Store, docs: Sequence[Doc] | None = None, graph: "nx.MultiDiGraph | None" = None
) -> "ClaimReport":
    """Claims of the current documents (or of ``docs``, e.g. one story's) grouped across
    documents, with via chains, independent-source counts and contradictions (see
    :mod:`storyline.corpus.claims`). ``graph``: a provenance graph already built for them."""
    from ..annotate.attribution import undercuts
    from .claims import claim_report as build

    docs = list(docs) if docs is not None else list(store.iter_docs(status=["ok"]))
    return build(
        docs,
        {d.id: d.attributions for d in docs},
        graph if graph is not None else provenance_graph(store, docs),
        copied_passages(store),
        undercuts_by_doc={d.id: undercuts(d.attributions) for d in docs},
    )


def event_list(
    store: Store,
    docs: Sequence[Doc] | None = None,
    *,
    graph: "nx.MultiDiGraph | None" = None,
    claims: "ClaimReport | None" = None,
) -> list["Event"]:
    """Events of the current documents (or of ``docs``), merged across documents (see
    :mod:`storyline.corpus.events`), with independent-source counts from provenance.
    ``graph`` and ``claims`` may be passed when the caller has already computed them."""
    from .events import build_events, from_doc

    docs = list(docs) if docs is not None else list(store.iter_docs(status=["ok"]))
    graph = graph if graph is not None else provenance_graph(store, docs)
    inputs = [e for d in docs for e in from_doc(d)]
    events = build_events(inputs, graph, doc_texts={d.id: d.text or "" for d in docs})
    # Link each event to the claims that report it: a claim whose evidence overlaps the
    # event's evidence sentence in the same document.
    report = claims if claims is not None else claim_report(store, docs, graph)
    by_doc: dict[str, list[tuple[int, int, str]]] = {}
    for c in report.claims:
        for span in c.evidence:
            by_doc.setdefault(span.doc, []).append((span.start, span.end, c.id))
    for e in events:
        e.claims = sorted(
            {cid for s in e.evidence for (a, b, cid) in by_doc.get(s.doc, ()) if a < s.end and s.start < b}
        )
    return events
