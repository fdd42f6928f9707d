"""Corpus steps against the store: the persisted copy-detection index, stored passages,
and the provenance graph built from them.

The pure steps live in :mod:`.reuse` (with :mod:`.templates`), :mod:`.citations` and
:mod:`.provenance`; this module only reads and writes the store. Each update is one
transaction, and the set of documents still to index is derived from the store
(``reuse_indexed``), so a killed run resumes.
"""

from __future__ import annotations

import bisect
import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..settings import Config
from ..store import Store
from ..types import CopiedPassage, Discount, Doc, DocMeta, SiteTemplate, Span
from . import copy_groups
from .scope import log_provenance

if TYPE_CHECKING:  # numpy, datasketch and networkx load only when a corpus step runs
    import networkx as nx
    import numpy as np

    from .claims import Claim, ClaimReport
    from .events import Event
    from .reuse import DocInput, PassageId, PassageIndex, ReuseUpdate
    from .templates import TemplateRule


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

    def add(self, passage_id: PassageId, keys: Sequence[bytes]) -> None:
        doc_id, window = passage_id
        self.conn.executemany(
            "INSERT OR IGNORE INTO reuse_keys (key, doc_id, window) VALUES (?, ?, ?)",
            [(self._int(k), doc_id, window) for k in keys],
        )

    def add_rows(self, rows: Sequence[tuple[int, str, int]]) -> None:
        """Many stored windows at once, as ``(key as a signed integer, doc id, window)``, in key
        order: the key index's B-tree is then written page after page (measured here with
        random keys, 1.2M keys of 2,000 documents in batches of 64: 25 s inserted as they come,
        14 s sorted per batch). A window stored twice is stored once (the table is a set)."""
        self.conn.executemany("INSERT OR IGNORE INTO reuse_keys (key, doc_id, window) VALUES (?, ?, ?)", sorted(rows))

    def query(self, keys: Sequence[bytes]) -> set[PassageId]:
        ints = [self._int(k) for k in keys]
        if not ints:
            return set()
        rows = self.conn.execute(
            f"SELECT DISTINCT doc_id, window FROM reuse_keys WHERE key IN ({','.join('?' * len(ints))})", ints
        )
        return {(r[0], r[1]) for r in rows}

    def query_windows(self, keys: np.ndarray, exclude: str) -> list[tuple[int, str]]:
        """``(w, doc id)`` for each row ``w`` of ``keys`` (windows × bands, uint64) and each
        document but ``exclude`` with a stored window under one of its keys: what :meth:`query`
        per window gives, in one statement per 16,000 keys (the candidates of 300
        paragraph-shuffled copies on the 10,000-document replica store: 10,563 statements →
        300, 3.0-3.5 s → 2.7-2.9 s, the same candidates)."""
        import numpy as np

        n_windows, bands = keys.shape
        if not n_windows:
            return []
        flat = np.ascontiguousarray(keys, dtype=np.uint64).view(np.int64).ravel().tolist()
        out: list[tuple[int, str]] = []
        per = max(1, 16_000 // bands)  # windows a statement: 2 variables a key, under SQLite's 32,766
        cur = self.conn.cursor()
        cur.row_factory = None
        for w0 in range(0, n_windows, per):
            w1 = min(n_windows, w0 + per)
            args = [v for w in range(w0, w1) for k in flat[w * bands : (w + 1) * bands] for v in (k, w)]
            out += cur.execute(
                "WITH q(key, w) AS (VALUES " + ",".join(["(?,?)"] * ((w1 - w0) * bands)) + ")"
                " SELECT DISTINCT q.w, r.doc_id FROM q JOIN reuse_keys r ON r.key = q.key",
                args,
            ).fetchall()
        return [(w, d) for w, d in out if d != exclude]


def _reuse_config(pindex: PassageIndex, rule: TemplateRule) -> str:
    """Everything stored copy-detection results depend on (the step's version)."""
    return (f"{pindex.config} | templates-v1 pages={rule.min_pages} words={rule.max_words}"
            f" end={rule.edge_share} start={rule.start_share}")


def _ensure_config(store: Store, config: str) -> None:
    """Band keys made with other parameters cannot be compared, passages and templates found
    with other rules are stale: drop them and re-index."""
    row = store.conn.execute("SELECT config FROM reuse_config WHERE id = 1").fetchone()
    if row is not None and row[0] == config:
        return
    log_provenance(store, (d for r in store.conn.execute(
        "SELECT source_doc, copy_doc FROM copied_passages WHERE discounted IS NULL") for d in r))
    for table in ("reuse_keys", "reuse_indexed", "copied_passages", "site_template_pages", "site_templates",
                  "copy_groups"):
        store.conn.execute(f"DELETE FROM {table}")
    store.conn.execute(
        "INSERT INTO reuse_config (id, config) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config",
        (config,),
    )


def forget_documents(store: Store, doc_ids: Iterable[str]) -> None:
    """Drop documents from the copy index, their passages and their template pages (their
    text changed, or they were superseded); a template left with fewer than two pages is
    dropped. Call inside a transaction."""
    c = store.conn
    touched: set[str] = set()
    gone: list[str] = []  # documents whose counting passages go: their groups may split
    for doc_id in doc_ids:
        rows = [d for r in c.execute(
            "SELECT source_doc, copy_doc FROM copied_passages WHERE discounted IS NULL AND (source_doc = ? OR copy_doc = ?)",
            (doc_id, doc_id)) for d in r]
        log_provenance(store, rows)
        gone += rows
        c.execute("DELETE FROM reuse_keys WHERE doc_id = ?", (doc_id,))
        c.execute("DELETE FROM reuse_indexed WHERE doc_id = ?", (doc_id,))
        c.execute("DELETE FROM copied_passages WHERE source_doc = ? OR copy_doc = ?", (doc_id, doc_id))
        touched.update(r[0] for r in c.execute("SELECT template_id FROM site_template_pages WHERE doc_id = ?", (doc_id,)))
        c.execute("DELETE FROM site_template_pages WHERE doc_id = ?", (doc_id,))
    for tid in sorted(touched):
        if c.execute("SELECT count(*) FROM site_template_pages WHERE template_id = ?", (tid,)).fetchone()[0] < 2:
            c.execute("DELETE FROM site_template_pages WHERE template_id = ?", (tid,))
            c.execute("DELETE FROM site_templates WHERE id = ?", (tid,))
    copy_groups.split(store, gone)


def unindexed(store: Store) -> list[str]:
    rows = store.conn.execute(
        "SELECT d.id FROM documents d LEFT JOIN reuse_indexed r ON r.doc_id = d.id"
        " WHERE d.status = 'ok' AND d.superseded_by IS NULL AND r.doc_id IS NULL ORDER BY d.rowid"
    )
    return [r[0] for r in rows]


def _save_templates(store: Store, templates: Sequence[SiteTemplate]) -> set[str]:
    """Record templates and their pages; passages stored earlier between two pages of a
    template (found before the template was known) are discounted now. Returns the
    documents of those passages."""
    c = store.conn
    discounted: set[str] = set()
    for t in templates:
        c.execute("INSERT OR IGNORE INTO site_templates (id, site, text, words, rule) VALUES (?, ?, ?, ?, ?)",
                  (t.id, t.site, t.text, t.words, t.rule))
        if t.rule.startswith("repeated"):  # the stronger reason wins
            c.execute("UPDATE site_templates SET rule = ? WHERE id = ?", (t.rule, t.id))
        c.executemany(
            "INSERT OR IGNORE INTO site_template_pages (template_id, doc_id, span_start, span_end) VALUES (?, ?, ?, ?)",
            [(t.id, s.doc, s.start, s.end) for s in t.pages],
        )
        rows = c.execute(
            "SELECT rowid, source_doc, copy_doc FROM copied_passages WHERE discounted IS NULL"
            " AND source_doc IN (SELECT doc_id FROM site_template_pages WHERE template_id = :t)"
            " AND EXISTS (SELECT 1 FROM site_template_pages o WHERE o.template_id = :t AND o.doc_id = source_doc"
            "             AND o.span_start < source_end AND o.span_end > source_start)"
            " AND EXISTS (SELECT 1 FROM site_template_pages o WHERE o.template_id = :t AND o.doc_id = copy_doc"
            "             AND o.span_start < copy_end AND o.span_end > copy_start)",
            {"t": t.id},
        ).fetchall()
        c.executemany("UPDATE copied_passages SET discounted = ? WHERE rowid = ?", [(t.id, r[0]) for r in rows])
        log_provenance(store, (d for r in rows for d in r[1:]))
        discounted.update(d for r in rows for d in r[1:])
    return discounted


def _sample_discounted(passages: Sequence[CopiedPassage], new: set[str], per_template: int = 3) -> list[CopiedPassage]:
    """At most ``per_template`` discounted passages per new document and template (with the
    first partners by id): the evidence a user reads in ``storyline reuse``. A template of a
    big site is on thousands of pages; its pages are in ``site_template_pages``, and storing
    a passage for every pair of them would grow the store with the square of the site."""
    seen: dict[tuple[str, str], set[str]] = {}
    out = []
    for p in sorted(passages, key=lambda p: (p.source.doc, p.copy.doc, p.source.start)):
        assert p.discounted is not None
        doc = p.copy.doc if p.copy.doc in new else p.source.doc
        partner = p.source.doc if doc == p.copy.doc else p.copy.doc
        partners = seen.setdefault((doc, p.discounted.template), set())
        if partner in partners or len(partners) < per_template:
            partners.add(partner)
            out.append(p)
    return out


def _save_passages(store: Store, passages: Sequence[CopiedPassage]) -> None:
    """Store passages, each replacing a stored one with its spans: what INSERT OR REPLACE
    does, written as DELETE then INSERT because a REPLACE's deletion fires no DELETE trigger
    (``row_counts``, migration 16, would count the replaced passage twice)."""
    c = store.conn
    for p in passages:
        spans = (p.source.doc, p.source.start, p.source.end, p.copy.doc, p.copy.start, p.copy.end)
        c.execute(
            "DELETE FROM copied_passages WHERE source_doc = ? AND source_start = ? AND source_end = ?"
            " AND copy_doc = ? AND copy_start = ? AND copy_end = ?", spans,
        )
        c.execute(
            "INSERT INTO copied_passages (source_doc, source_start, source_end, copy_doc, copy_start,"
            " copy_end, similarity, direction, evidence, discounted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*spans, p.similarity, p.direction, json.dumps(list(p.direction_evidence)),
             p.discounted.template if p.discounted is not None else None),
        )


def update_reuse(store: Store, settings: ReuseSettings | None = None, *, batch_size: int = 64) -> int:
    """Index every current document not yet in the copy index, finding its reused passages
    against everything indexed before it, and the site templates among them. Returns the
    number of passages found that count as copying. (:func:`storyline.corpus.ray_reuse.update_reuse_ray`
    computes the same on a Ray cluster and writes it with :func:`write_reuse_batch`.)"""
    from .reuse import find_reuse_incremental

    run = ReuseRun.open(store, settings)
    found = 0
    with _page_cache(store, _REUSE_CACHE_KIB):
        for batch in run.batches(unindexed(store), batch_size):
            with store.transaction():
                update = find_reuse_incremental(
                    batch, SqliteIndex(store), run.lookup, passage_index=run.pindex,
                    min_words=run.settings.min_words, boilerplate_docs=run.settings.boilerplate_docs,
                    templates=run.rule,
                )
                found += write_reuse_batch(store, batch, update)
    return found


#: SQLite page cache while copy detection runs (KiB). Its band-key look-ups and inserts land
#: on random pages of the ``reuse_keys`` key index; with SQLite's default 2 MB not even the
#: index's inner pages stay cached. Measured, 300 paragraph-shuffled copies added to the
#: 10,000-document replica store: the step's CPU 28 s at 2 MB, 22 s at 64 MB and at 256 MB.
_REUSE_CACHE_KIB = 64 * 1024


@contextmanager
def _page_cache(store: Store, kib: int) -> Iterator[None]:
    """The connection's page cache at least ``kib`` KiB for the block, as it was after (a
    cache set as a page count, not in KiB, is left as whoever set it wanted)."""
    before = int(store.conn.execute("PRAGMA cache_size").fetchone()[0])
    grow = -kib < before < 0
    if grow:
        store.conn.execute(f"PRAGMA cache_size = {-int(kib)}")
    try:
        yield
    finally:
        if grow:
            store.conn.execute(f"PRAGMA cache_size = {before}")


@dataclass(frozen=True, slots=True)
class ReuseRun:
    """What one copy-detection run over the store works with: the settings, the window and
    LSH parameters and the template rule (stored results made with others are dropped when
    it opens), and the look-up of a stored document's text."""

    store: Store
    settings: ReuseSettings
    pindex: PassageIndex
    rule: TemplateRule

    @classmethod
    def open(cls, store: Store, settings: ReuseSettings | None = None) -> ReuseRun:
        from .reuse import PassageIndex
        from .templates import TemplateRule

        settings = settings or ReuseSettings(threshold=Config.load().reuse_threshold)
        run = cls(store, settings, PassageIndex(settings.threshold), TemplateRule())
        with store.transaction():
            _ensure_config(store, _reuse_config(run.pindex, run.rule))
            copy_groups.ensure(store)
        return run

    def lookup(self, doc_id: str) -> tuple[str, DocMeta] | None:
        """A current, ok document's (text, meta); None when it is gone or has no text."""
        row = self.store.conn.execute(
            "SELECT text, meta FROM documents WHERE id = ? AND status = 'ok' AND superseded_by IS NULL", (doc_id,)
        ).fetchone()
        if row is None or row[0] is None:
            return None
        return row[0], DocMeta(**json.loads(row[1]))

    def batches(self, todo: Sequence[str], batch_size: int) -> Iterator[list[DocInput]]:
        """The documents of ``todo`` in batches of ``batch_size`` as they are indexed, one
        transaction each (a document without text is left out), read when the batch is due."""
        for start in range(0, len(todo), batch_size):
            batch = []
            for doc_id in todo[start : start + batch_size]:
                got = self.lookup(doc_id)
                if got is not None:
                    batch.append((doc_id, got[0], got[1]))
            yield batch


def _withdraw(store: Store, spans: Sequence[Span]) -> set[str]:
    """Withdraw the counting passages that overlap ``spans`` (boilerplate found after they
    were stored), telling the provenance log span by span; returns their documents. Each
    passage goes with the first span that overlaps it, as one look-up and one delete a span
    in order would have it.

    A batch's spans come back every batch (a short paragraph in five documents or more: its
    older copies, most withdrawn already): 490,961 spans on 36,056 documents in 47 batches of
    3,000 paragraph-shuffled copies. So each document's passages are read once and its spans
    tested against them all at once, not read again for each span (a tenth of the step at
    40,000 documents of the replica store). 6,000 copies of 100 texts: 48.3 s as one statement
    for all spans, 35.0 s this way, every table the same."""
    import numpy as np

    if not spans:
        return set()
    on: dict[str, list[int]] = defaultdict(list)  # document → its spans' numbers, in order
    for n, sp in enumerate(spans):
        on[sp.doc].append(n)
    rows: dict[str, list[tuple[int, int, int, str, str]]] = defaultdict(list)  # doc → (id, start, end, src, copy)
    docs = json.dumps(sorted(on))
    for side in ("source", "copy"):
        for d, pid, a, b, src, cp in store.conn.execute(
            f"SELECT p.{side}_doc, p.id, p.{side}_start, p.{side}_end, p.source_doc, p.copy_doc"  # noqa: S608
            f" FROM json_each(?) j JOIN copied_passages p ON p.{side}_doc = j.value WHERE p.discounted IS NULL",
            (docs,),
        ):
            rows[d].append((pid, a, b, src, cp))
    first: dict[int, tuple[int, str, str]] = {}  # passage → (the first span over it, its documents)
    lo = np.array([sp.start for sp in spans], dtype=np.int64)
    hi = np.array([sp.end for sp in spans], dtype=np.int64)
    for d, numbers in on.items():
        got = rows.get(d)
        if not got:
            continue
        ns = np.array(numbers, dtype=np.int64)
        starts = np.array([r[1] for r in got], dtype=np.int64)
        ends = np.array([r[2] for r in got], dtype=np.int64)
        over = (starts[None, :] < hi[ns][:, None]) & (ends[None, :] > lo[ns][:, None])  # spans × passages
        hit = over.any(axis=0)
        for col, k in zip(np.flatnonzero(hit).tolist(), over.argmax(axis=0)[hit].tolist()):
            pid, _, _, src, cp = got[col]
            n = numbers[k]
            if pid not in first or n < first[pid][0]:
                first[pid] = (n, src, cp)
    by_span: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for pid, (n, src, cp) in sorted(first.items()):
        by_span[n].append((pid, src, cp))
    withdrawn: set[str] = set()
    for n in sorted(by_span):
        log_provenance(store, (d for _, src, cp in by_span[n] for d in (src, cp)))
        withdrawn.update(d for _, src, cp in by_span[n] for d in (src, cp))
    store.conn.executemany("DELETE FROM copied_passages WHERE id = ?", [(pid,) for pid in sorted(first)])
    return withdrawn


def write_reuse_batch(store: Store, batch: Sequence[DocInput], update: ReuseUpdate) -> int:
    """Store what copy detection found for one batch (call inside its transaction, after
    the batch's band keys went into ``reuse_keys``): stored passages that turned out to be
    boilerplate are withdrawn, the new passages (and a sample of the discounted ones) and
    templates stored, the provenance log told, the batch marked indexed. Returns how many
    passages count as copying."""
    withdrawn = _withdraw(store, update.boilerplate)  # their documents' groups may split
    _save_passages(store, update.passages + _sample_discounted(update.discounted, {d[0] for d in batch}))
    log_provenance(store, (d for p in update.passages for d in (p.source.doc, p.copy.doc)))
    copy_groups.join(store, ((p.source.doc, p.copy.doc) for p in update.passages))
    withdrawn |= _save_templates(store, update.templates)
    copy_groups.split(store, withdrawn)
    store.conn.executemany("INSERT OR IGNORE INTO reuse_indexed (doc_id) VALUES (?)", [(d[0],) for d in batch])
    return len(update.passages)


def copied_passages(
    store: Store, *, discounted: bool = False, among: Sequence[str] | None = None
) -> list[CopiedPassage]:
    """Stored passages between current documents that count as copying, in document order;
    with ``discounted``, site-template passages too (each with its
    :class:`~storyline.types.Discount`: site, template, pages now, rule); with ``among``,
    only passages whose two documents are both in it. :func:`iter_copied_passages` reads
    them one source document at a time."""
    return list(iter_copied_passages(store, discounted=discounted, among=among))


#: texts of copying documents kept while passages are read (a source document's copies
#: recur across its passages; the store's largest corpora have millions of passages)
_TEXTS_KEPT = 4096


def iter_copied_passages(
    store: Store, *, discounted: bool = False, among: Sequence[str] | None = None,
    limit: int | None = None, offset: int = 0,
) -> Iterator[CopiedPassage]:
    """:func:`copied_passages`, read as they are consumed (``limit`` of them from ``offset``:
    a page): source documents in store order,
    each one's passages sorted (copy document, copy start, id), texts looked up as needed and
    at most :data:`_TEXTS_KEPT` kept. So the first records of a listing cost what they hold:
    ``storyline reuse --limit 20 --json`` on the 99,900-document replica store (14.5 million
    passages) was stopped after 300 s at 22.9 GB when every passage and text was read first."""
    from collections import OrderedDict

    texts: OrderedDict[str, str] = OrderedDict()

    def span(doc: str, start: int, end: int) -> Span:
        text = texts.get(doc)
        if text is None:
            text = texts[doc] = store.conn.execute("SELECT text FROM documents WHERE id = ?", (doc,)).fetchone()[0] or ""
            if len(texts) > _TEXTS_KEPT:
                texts.popitem(last=False)
        else:
            texts.move_to_end(doc)
        return Span(doc, start, end, text[start:end])

    rows = store.conn.execute(
        "SELECT p.*, t.site AS t_site, t.rule AS t_rule,"
        " (SELECT count(*) FROM site_template_pages g WHERE g.template_id = p.discounted) AS t_pages"
        " FROM documents s CROSS JOIN copied_passages p ON p.source_doc = s.id"  # documents by rowid, each
        " JOIN documents c ON c.id = p.copy_doc"  # one's passages by index: read, not sorted as a whole
        " LEFT JOIN site_templates t ON t.id = p.discounted"
        " WHERE s.superseded_by IS NULL AND c.superseded_by IS NULL"
        + ("" if discounted else " AND p.discounted IS NULL")
        + ("" if among is None else " AND p.source_doc IN (SELECT value FROM json_each(:among))"
           " AND p.copy_doc IN (SELECT value FROM json_each(:among))")
        + " ORDER BY s.rowid, p.copy_doc, p.copy_start, p.id LIMIT :limit OFFSET :offset",
        {"among": json.dumps(list(among)) if among is not None else None,
         "limit": -1 if limit is None else limit, "offset": offset},
    )
    for r in rows:
        yield CopiedPassage(
            source=span(r["source_doc"], r["source_start"], r["source_end"]),
            copy=span(r["copy_doc"], r["copy_start"], r["copy_end"]),
            similarity=r["similarity"],
            direction=r["direction"],
            direction_evidence=tuple(json.loads(r["evidence"])),
            discounted=(
                Discount("site template", r["t_site"] or "", r["discounted"], int(r["t_pages"]), r["t_rule"] or "")
                if r["discounted"] is not None else None
            ),
        )


def count_copied_passages(store: Store) -> int:
    """How many records :func:`copied_passages` lists (the passages that count, between
    current documents): the count migration 16's triggers keep, less the passages of
    superseded documents copy detection has not forgotten yet (read through their index).
    At 99,900 documents (14.5-16.3 million passages) the COUNT this replaces took 27-30 s.
    A store of an older schema opened read-only is counted row by row."""
    c = store.conn
    try:
        kept = c.execute("SELECT n FROM row_counts WHERE name = 'counting_passages'").fetchone()
    except sqlite3.OperationalError:  # no row_counts: schema 15 or before, opened read-only
        kept = None
    if kept is None:
        return int(c.execute(
            "SELECT count(*) FROM documents s CROSS JOIN copied_passages p ON p.source_doc = s.id"
            " JOIN documents c ON c.id = p.copy_doc"
            " WHERE s.superseded_by IS NULL AND c.superseded_by IS NULL AND p.discounted IS NULL").fetchone()[0])
    gone = c.execute(
        "SELECT count(*) FROM copied_passages WHERE discounted IS NULL AND rowid IN ("
        " SELECT p.rowid FROM documents d JOIN copied_passages p ON p.source_doc = d.id WHERE d.superseded_by IS NOT NULL"
        " UNION SELECT p.rowid FROM documents d JOIN copied_passages p ON p.copy_doc = d.id"
        " WHERE d.superseded_by IS NOT NULL)").fetchone()[0]
    return int(kept[0]) - int(gone)


def site_templates(store: Store, *, site: str | None = None) -> list[SiteTemplate]:
    """Site templates learned so far (optionally of one ``site``), with the current pages
    that carry them; most pages first."""
    sql = (
        "SELECT t.id, t.site, t.text, t.words, t.rule, g.doc_id, g.span_start, g.span_end, d.text AS doc_text"
        " FROM site_templates t JOIN site_template_pages g ON g.template_id = t.id JOIN documents d ON d.id = g.doc_id"
        " WHERE d.superseded_by IS NULL"
    )
    args: tuple[str, ...] = ()
    if site is not None:
        sql += " AND t.site = ?"
        args = (site,)
    grouped: dict[str, tuple[tuple[str, str, int, str], list[Span]]] = {}
    for r in store.conn.execute(sql + " ORDER BY t.id, d.rowid", args):
        head, pages = grouped.setdefault(r["id"], ((r["site"], r["text"], int(r["words"]), r["rule"]), []))
        pages.append(Span(r["doc_id"], r["span_start"], r["span_end"], (r["doc_text"] or "")[r["span_start"] : r["span_end"]]))
    out = [SiteTemplate(tid, h[0], h[1], h[2], tuple(p), h[3]) for tid, (h, p) in grouped.items() if len(p) >= 2]
    return sorted(out, key=lambda t: (t.site, -len(t.pages), t.id))


def provenance_graph(
    store: Store, docs: Sequence[Doc] | None = None, *, among: Sequence[str] | None = None
) -> nx.MultiDiGraph:
    """Documents, outlets, copy and citation edges of the current, ok documents (``docs``
    when the caller has already read them); with ``among``, only the copied passages
    between those documents (a story's copy components: :mod:`storyline.report.reads`)."""
    from .provenance import build_graph

    docs = list(docs) if docs is not None else list(store.iter_docs(status=["ok"]))
    return build_graph(
        ((d.id, d.meta) for d in docs),
        copied_passages(store, among=among),
        (c for d in docs for c in d.citations),
        texts={d.id: d.text or "" for d in docs},
    )


def claim_report(store: Store, doc_ids: Sequence[str] | None = None, *, limit: int | None = None) -> ClaimReport:
    """The stored claims (:mod:`.claim_store`: grouped across documents when they arrived,
    with via chains, independent-source counts and contradictions) — all of them (the first
    ``limit``), or those with a report in ``doc_ids`` (e.g. one story's). Reads only."""
    from .claim_store import stored_claims

    return stored_claims(store, doc_ids, limit=limit)


def event_list(
    store: Store, doc_ids: Sequence[str] | None = None, *, claims: ClaimReport | None = None,
    limit: int | None = None, offset: int = 0, type: str | None = None,  # noqa: A002
) -> list[Event]:
    """The stored events (:mod:`.event_store`) — all, a page (``limit``, ``offset``), those
    of ``type``, or those with evidence in ``doc_ids`` — each linked to the claims that
    report it: a claim whose evidence overlaps the event's evidence sentence in the same
    document. ``claims``: the claims already read for the same documents. Reads only."""
    from .event_store import stored_events

    events = stored_events(store, doc_ids, limit=limit, offset=offset, type=type)
    if claims is None and doc_ids is not None:  # the claims with a report in these documents
        claims = claim_report(store, doc_ids)
    link_claims(store, events, claims)
    return events


def link_claims(store: Store, events: Sequence[Event], claims: ClaimReport | None = None) -> None:
    """Each event's ``claims``: the claims whose evidence overlaps the event's evidence in the
    same document. ``claims``: the claims to link (read already); without them, the evidence
    spans of the stored claims in the events' documents, read in SQLite without decoding a
    claim record (the events export of the 20,000-document replica store, read in pages of
    5,000 events: 121 s of CPU decoding each page's claims, 48 s reading their spans)."""
    by_doc: dict[str, list[tuple[int, int, str]]] = {}
    if claims is not None:
        for c in claims.claims:
            for span in c.evidence:
                by_doc.setdefault(span.doc, []).append((span.start, span.end, c.id))
    else:
        docs = json.dumps(sorted({s.doc for e in events for s in e.evidence}))
        for doc, start, end, cid in store.conn.execute(
            "SELECT d.doc_id, json_extract(v.value, '$.start'), json_extract(v.value, '$.end'), c.id"
            " FROM claim_docs d JOIN claims c ON c.id = d.claim_id, json_each(c.record, '$.evidence') v"
            " WHERE d.doc_id IN (SELECT value FROM json_each(?)) AND json_extract(v.value, '$.doc') = d.doc_id",
            (docs,),
        ):
            by_doc.setdefault(doc, []).append((int(start), int(end), cid))
    for e in events:
        e.claims = sorted(
            {cid for s in e.evidence for (a, b, cid) in by_doc.get(s.doc, ()) if a < s.end and s.start < b}
        )


#: records per read of an export (:func:`iter_claims`, :func:`iter_events`): its memory is a
#: page's, not the corpus's. Measured on the 20,000-document replica store (CPU s, peak RSS):
#: the claims export read whole 39.1 s, 2.2 GB; in pages of 5,000: 22.2 s, 225 MB. The events
#: export read whole 26.3 s, 1.8 GB; in pages of 5,000: 47.9 s, 78 MB (each page reads the
#: claim spans of its documents, which pages share); of 20,000: 31.0 s, 173 MB.
CLAIM_PAGE = 5_000
EVENT_PAGE = 20_000


def iter_claims(store: Store, *, min_sources: int = 0, page: int | None = None) -> Iterator[Claim]:
    """Every stored claim (with at least ``min_sources`` independent sources) in the listing's
    order, each with the contradictions that name it, read a page at a time: the same claims
    as :func:`claim_report`'s, for an export whose memory does not grow with the corpus."""
    from .claim_store import stored_claims

    size, offset = page or CLAIM_PAGE, 0
    while True:
        got = stored_claims(store, limit=size, offset=offset, min_sources=min_sources).claims
        yield from got
        if len(got) < size:
            return
        offset += size


def iter_events(store: Store, *, type: str | None = None, page: int | None = None) -> Iterator[Event]:  # noqa: A002
    """Every stored event (of ``type``) in the listing's order, linked to its claims, read a
    page at a time (:func:`iter_claims`): the same events as :func:`event_list`'s."""
    size, offset = page or EVENT_PAGE, 0
    while True:
        got = event_list(store, limit=size, offset=offset, type=type)
        yield from got
        if len(got) < size:
            return
        offset += size


# --------------------------------------------------------------------------- stories
# Story clustering against the store (pure side: storyline.corpus.stories). Placements, IDF
# counts and the candidate index live in tables (migration 4), so adding documents reads only
# what the candidate index points at. One transaction per batch: a killed run resumes with
# the documents not yet in ``story_docs``. Each story's record (title, span, episodes, members)
# is stored too (migration 10, :func:`refresh_story_records`): a listing reads the records of
# the stories it shows instead of weighing every member's features. Measured on the 10,000-
# document replica store (CPU): story_list(limit=20) 5.05 s -> 0.05 s, limit=100 7.06 -> 0.05,
# story_of of a 2,280-document story 2.19 s -> 0.012 (305 docs: 0.28 -> 0.002); records
# identical (`stories --episodes`, `stories --json --limit 100`, there and on 1,000 documents).
# A story's summary, events and claims are stored at the end of the step too, within a budget
# (migration 11, :mod:`storyline.report.stored`, called from :func:`refresh_story_records`).

if TYPE_CHECKING:
    from .stories import DocFeatures, Placement, Story, StorySettings


def _chunks(items: Sequence[str], n: int = 900) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


class SqliteStoryState:
    """:class:`storyline.corpus.stories.StoryState` over the store's story tables; call
    inside a transaction when adding, and write the story tables only through it while it
    lives. It remembers what it read: the documents of one batch share most candidates and
    keys (stored features never change; a document frequency read is kept up to date by
    :meth:`add`). The memory is dropped past ``_KEYS`` frequencies (about 100 bytes each) or
    ``_DOCS`` features (about 32 KB each, measured): a batch of 64 documents scores at most
    64 × ``max_candidates`` documents, and a rebuild over the whole corpus stays bounded."""

    _KEYS = 200_000
    _DOCS = 4_096

    def __init__(self, store: Store) -> None:
        self.conn = store.conn
        self._n: int | None = None
        self._seq: int | None = None
        self._df: dict[str, int] = {}
        self._feats: dict[str, DocFeatures] = {}

    def doc_count(self) -> int:
        if self._n is None:
            self._n = int(self.conn.execute("SELECT count(*) FROM story_docs").fetchone()[0])
        return self._n

    def doc_freq(self, keys: Sequence[str]) -> dict[str, int]:
        known = self._df
        missing = [k for k in keys if k not in known]
        if len(known) + len(missing) > self._KEYS:
            known.clear()
            missing = list(keys)
        for k in missing:
            known[k] = 0
        for part in _chunks(missing):
            for r in self.conn.execute(f"SELECT key, n FROM story_df WHERE key IN ({','.join('?' * len(part))})", part):
                known[r[0]] = int(r[1])
        return {k: known[k] for k in keys}

    def postings(self, key: str, limit: int) -> list[str]:
        rows = self.conn.execute(
            "SELECT doc_id FROM story_postings WHERE key = ? ORDER BY seq DESC LIMIT ?", (key, limit)
        )
        return [r[0] for r in rows]

    def features(self, doc_ids: Sequence[str]) -> dict[str, DocFeatures]:
        from .stories import DocFeatures

        known = self._feats
        missing = [d for d in doc_ids if d not in known]
        if len(known) + len(missing) > self._DOCS:
            known.clear()
            missing = list(doc_ids)
        for part in _chunks(missing):
            q = f"SELECT doc_id, features FROM story_docs WHERE doc_id IN ({','.join('?' * len(part))})"
            for r in self.conn.execute(q, part):
                known[r[0]] = DocFeatures.from_json(r[0], json.loads(r[1]))
        return {d: known[d] for d in doc_ids if d in known}

    def assignment(self, doc_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        out = {}
        for part in _chunks(list(doc_ids)):
            q = f"SELECT doc_id, story_id, episode_id FROM story_docs WHERE doc_id IN ({','.join('?' * len(part))})"
            for r in self.conn.execute(q, part):
                out[r[0]] = (r[1], r[2])
        return out

    def add(self, f: DocFeatures, index_keys: Sequence[str], placed: Placement) -> None:
        c = self.conn
        if self._seq is None:
            self._seq = int(c.execute("SELECT coalesce(max(seq), 0) FROM story_docs").fetchone()[0])
        self._seq += 1
        c.execute("INSERT OR IGNORE INTO stories (id, opened_by) VALUES (?, ?)", (placed.story, f.doc_id))
        c.execute("INSERT OR IGNORE INTO episodes (id, story_id, opened_by) VALUES (?, ?, ?)",
                  (placed.episode, placed.story, f.doc_id))
        c.execute("UPDATE story_records SET dirty = 1 WHERE story_id = ?", (placed.story,))  # built at the end
        c.execute(
            "INSERT INTO story_docs (doc_id, story_id, episode_id, score, how, seq, features, day, slack)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (f.doc_id, placed.story, placed.episode, placed.score, placed.how, self._seq,
             json.dumps(f.to_json(), ensure_ascii=False), *_day_slack(f)),
        )
        keys = f.keys()
        c.executemany("INSERT INTO story_df (key, n) VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET n = n + 1",
                      [(k,) for k in keys])
        for k in keys:
            if k in self._df:
                self._df[k] += 1
        c.executemany("INSERT OR IGNORE INTO story_postings (key, seq, doc_id) VALUES (?, ?, ?)",
                      [(k, self._seq, f.doc_id) for k in index_keys])
        self._n = self.doc_count() + 1


def _ensure_story_config(store: Store, settings: StorySettings) -> None:
    """Features made with other parameters cannot be compared: drop the placements."""
    row = store.conn.execute("SELECT config FROM story_config WHERE id = 1").fetchone()
    if row is not None and row[0] == settings.config:
        return
    _clear_stories(store)
    store.conn.execute(
        "INSERT INTO story_config (id, config) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config",
        (settings.config,),
    )


def _clear_stories(store: Store) -> None:
    for table in ("story_fields", "story_fields_state", "story_records", "story_postings", "story_df", "story_docs",
                  "episodes", "stories"):
        store.conn.execute(f"DELETE FROM {table}")


def forget_story_documents(store: Store, doc_ids: Iterable[str]) -> int:
    """Take documents out of their stories (call inside a transaction). The other members
    stay where they are; an emptied episode or story is deleted. Returns how many left."""
    c = store.conn
    gone = 0
    for doc_id in doc_ids:
        row = c.execute("SELECT story_id, episode_id, features FROM story_docs WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is None:
            continue
        from .stories import DocFeatures

        keys = DocFeatures.from_json(doc_id, json.loads(row["features"])).keys()
        c.executemany("UPDATE story_df SET n = n - 1 WHERE key = ?", [(k,) for k in keys])
        c.executemany("DELETE FROM story_df WHERE key = ? AND n <= 0", [(k,) for k in keys])  # not a scan
        c.execute("DELETE FROM story_postings WHERE doc_id = ?", (doc_id,))
        c.execute("DELETE FROM story_docs WHERE doc_id = ?", (doc_id,))
        c.execute("UPDATE story_records SET dirty = 1 WHERE story_id = ?", (row["story_id"],))
        c.execute("DELETE FROM episodes WHERE id = ? AND NOT EXISTS (SELECT 1 FROM story_docs WHERE episode_id = ?)",
                  (row["episode_id"], row["episode_id"]))
        c.execute("DELETE FROM stories WHERE id = ? AND NOT EXISTS (SELECT 1 FROM story_docs WHERE story_id = ?)",
                  (row["story_id"], row["story_id"]))
        gone += 1
    return gone


# A document as the story step reads it, undecoded: its ``documents`` row, stage runs (none:
# the features do not read them) and the layers :func:`.stories.doc_features` reads.
StoryRows = tuple[dict[str, Any], dict[str, str], list[tuple[str, str]]]
# The story step's reader: per batch of document ids, the features of those still current and
# ok (:func:`story_features` of each), in order; here :func:`_feature_batches`, on Ray
# :mod:`.ray_steps`.
NewFeatures = Callable[[Store, Sequence[Sequence[str]], "StorySettings"], Iterable[list["DocFeatures"]]]


def story_rows(store: Store, doc_ids: Sequence[str]) -> list[StoryRows]:
    """The stored rows of ``doc_ids`` that :func:`story_features` reads, in the order given (a
    document no longer stored is left out)."""
    from .stories import FEATURE_SLOTS

    out: list[StoryRows] = []
    for d in doc_ids:
        row = store.conn.execute("SELECT d.* FROM documents d WHERE d.id = ?", (d,)).fetchone()
        if row is not None:
            layers = store.conn.execute(
                f"SELECT slot, data FROM layers WHERE doc_id = ? AND slot IN ({','.join('?' * len(FEATURE_SLOTS))})",
                (d, *FEATURE_SLOTS))
            out.append((dict(zip(row.keys(), row)), {}, [(r[0], r[1]) for r in layers]))
    return out


def story_features(rows: StoryRows, settings: StorySettings) -> DocFeatures | None:
    """The story features of one document from its stored rows (pure), None when it is no
    longer current and ok."""
    from ..store import decode_doc
    from .stories import FEATURE_SLOTS, doc_features

    doc = decode_doc(*rows, slots=FEATURE_SLOTS)
    return doc_features(doc, settings) if doc.status == "ok" and doc.superseded_by is None else None


def _feature_batches(store: Store, batches: Sequence[Sequence[str]], settings: StorySettings) -> Iterator[list[DocFeatures]]:
    """The features of each batch, read here one batch at a time (the local reader); a row that
    no longer decodes is E306, as :meth:`Store.get` says it."""
    import zlib

    from ..errors import StoreError

    for batch in batches:
        got = []
        for rows in story_rows(store, batch):
            try:
                f = story_features(rows, settings)
            except (ValueError, TypeError, KeyError, zlib.error) as exc:
                raise StoreError("E306", path=store.path, what=f"document {rows[0]['id']}",
                                 reason=f"{type(exc).__name__}: {str(exc)[:200]}") from exc
            if f is not None:
                got.append(f)
        yield got


def _place(store: Store, doc_ids: Sequence[str], settings: StorySettings, batch_size: int,
           read_batches: NewFeatures = _feature_batches) -> int:
    from .stories import assign

    placed = 0
    batches = [doc_ids[start : start + batch_size] for start in range(0, len(doc_ids), batch_size)]
    for feats in read_batches(store, batches, settings):
        with store.transaction():
            state = SqliteStoryState(store)
            for f in feats:
                if not state.assignment([f.doc_id]):  # another run placed it meanwhile
                    assign(f, state, settings)
                    placed += 1
    return placed


def story_settings() -> StorySettings:
    """The story parameters with the thresholds of the settings table (``storyline settings``)."""
    from .stories import StorySettings

    config = Config.load()
    return StorySettings(story_threshold=config.story_threshold, episode_threshold=config.episode_threshold)


def update_stories(store: Store, settings: StorySettings | None = None, *, batch_size: int = 64,
                   read_batches: NewFeatures = _feature_batches) -> int:
    """Place every current, ok document not yet in a story, in arrival order, against the
    documents placed before it (see :mod:`storyline.corpus.stories`); documents superseded by a
    new version or no longer ok leave their stories first; the records of the stories that
    changed (or have none) are built last. Idempotent; returns how many documents were placed.
    ``read_batches`` turns the batches of documents to place into their features
    (:func:`story_features` of each), in order: here by default, on Ray in
    :func:`.ray_steps.update_stories_ray`; reading no story table, it may run ahead of the writes."""

    settings = settings or story_settings()
    with store.transaction():
        _ensure_story_config(store, settings)
        # answered from indexes (story_docs' ids, documents_state of migration 18), not from
        # story rows of a few KB each; then the few found in placement order
        stale = [r[0] for r in store.conn.execute(
            "SELECT doc_id FROM story_docs WHERE doc_id NOT IN"
            " (SELECT id FROM documents WHERE status = 'ok' AND superseded_by IS NULL)")]
        if stale:
            stale = [r[0] for r in store.conn.execute(
                "SELECT doc_id FROM story_docs WHERE doc_id IN (SELECT value FROM json_each(?)) ORDER BY seq",
                (json.dumps(stale),))]
        forget_story_documents(store, stale)
    todo = [r[0] for r in store.conn.execute(
        "SELECT d.id FROM documents d LEFT JOIN story_docs s ON s.doc_id = d.id"
        " WHERE d.status = 'ok' AND d.superseded_by IS NULL AND s.doc_id IS NULL ORDER BY d.rowid"
    )]
    placed = _place(store, todo, settings, batch_size, read_batches)
    with store.transaction():
        refresh_story_records(store, settings)
    return placed


def rebuild_stories(store: Store, settings: StorySettings | None = None) -> int:
    """Forget every placement and place all current, ok documents again in date order
    (undated last, then arrival order): results that do not depend on the order of a large
    import. One transaction: a killed rebuild leaves the previous stories. Returns how many
    documents were placed."""
    from .stories import assign, doc_features

    settings = settings or story_settings()
    feats = [doc_features(d, settings) for d in store.iter_docs(status=["ok"])]
    def arrival(i: int) -> tuple[bool, int, int]:  # dated first, by day; undated after, in store order
        date = feats[i].date
        return (date is None, date.day if date is not None else 0, i)

    order = sorted(range(len(feats)), key=arrival)
    with store.transaction():
        _clear_stories(store)
        store.conn.execute(
            "INSERT INTO story_config (id, config) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config",
            (settings.config,),
        )
        state = SqliteStoryState(store)
        for i in order:
            assign(feats[i], state, settings)
        refresh_story_records(store, settings)
    return len(feats)


# CROSS JOIN: SQLite then reads story_docs first, by story where one is asked for (with a plain
# join it walked every ok document per story: 0.9 of 1.5 s of filling 316 records at 1,000 docs)
_CURRENT_STORY_DOCS = ("FROM story_docs s CROSS JOIN documents d ON d.id = s.doc_id"
                       " WHERE d.status = 'ok' AND d.superseded_by IS NULL")

# A story's members as a read finds them: (story id, current documents, sum of their seq).
Fingerprint = tuple[str, int, int]


def _fingerprints(store: Store, story_id: str | None = None, limit: int | None = None) -> list[Fingerprint]:
    """Stories with current documents, in listing order (most current documents first, then
    by id), each with the count and seq sum of those documents, counted in SQL: no member is
    decoded. A stored record is marked dirty when its story gains or loses a placement
    (:meth:`SqliteStoryState.add`, :func:`forget_story_documents`; a seq can come back after
    the last placements are forgotten), so the pair only tells which of the members it was
    built from are still current: a document superseded or failed since the stories step last
    ran leaves it, and the story is built from what is current."""
    sql = f"SELECT s.story_id, count(*) AS n, sum(s.seq) AS seqs {_CURRENT_STORY_DOCS}"
    args: tuple[str | int, ...] = ()
    if story_id is not None:
        sql += " AND s.story_id = ?"
        args = (story_id,)
    sql += " GROUP BY s.story_id ORDER BY n DESC, s.story_id"
    if limit is not None:
        sql += " LIMIT ?"
        args = (*args, max(0, limit))
    return [(r[0], int(r[1]), int(r[2])) for r in store.conn.execute(sql, args)]


def _stored_stories(store: Store, wanted: Sequence[Fingerprint], key: str) -> dict[str, Story]:
    """The stored records (migration 10) of the ``wanted`` stories that were built from the
    members they have now, with the same ``key`` (:attr:`StorySettings.record_key`)."""
    from .stories import Story

    want = {sid: (n, seqs) for sid, n, seqs in wanted}
    out: dict[str, Story] = {}
    try:
        for part in _chunks(list(want)):
            rows = store.conn.execute(
                f"SELECT story_id, n_docs, seq_sum, key, record FROM story_records"
                f" WHERE dirty = 0 AND story_id IN ({','.join('?' * len(part))})", part)
            for r in rows:
                if want[r[0]] == (r[1], r[2]) and r[3] == key:
                    out[r[0]] = Story.from_record(json.loads(r[4]))
    except sqlite3.OperationalError:  # a store of an older version, opened read-only: no records yet
        return {}
    return out


def _build_stories(store: Store, settings: StorySettings, story_ids: Sequence[str]) -> list[Story]:
    """Build stories from their current members' stored features (:func:`build_story`, titles
    weighed with the corpus frequencies of now): what the stories step stores, and what a read
    does for a story without an up-to-date record."""
    from .stories import DocFeatures, build_story

    if not story_ids:
        return []
    grouped: dict[str, dict[str, list[DocFeatures]]] = {}
    sql = (f"SELECT s.doc_id, s.story_id, s.episode_id, s.features {_CURRENT_STORY_DOCS}"
           " AND s.story_id IN (SELECT value FROM json_each(?)) ORDER BY s.seq")
    for r in store.conn.execute(sql, (json.dumps(list(story_ids)),)):
        f = DocFeatures.from_json(r["doc_id"], json.loads(r["features"]))
        grouped.setdefault(r["story_id"], {}).setdefault(r["episode_id"], []).append(f)
    if not grouped:
        return []
    n = int(store.conn.execute("SELECT count(*) FROM story_docs").fetchone()[0])
    keys = sorted({k for eps in grouped.values() for fs in eps.values() for f in fs for k in f.keys()})
    dfs = SqliteStoryState(store).doc_freq(keys)
    return [build_story(sid, eps, dfs, n, settings) for sid, eps in grouped.items()]


# A story's title is chosen again when its members grew by this share since it was chosen (or
# one left); in between the stories step keeps it, and builds only the lists, the spans and the
# titles of the episodes that changed. Choosing it weighs every member (a 2,280-document story
# at 10,000 documents: 2.11 s of CPU, about 9 ms per document it gained once in 228); keeping it,
# the record costs 0.033 s (one indexed read of the members' ids and dates). The stories step on
# the last 100 documents of that store, taken out and added again, took 19.9 and 28.8 ms CPU per
# document before (two runs), 19.7 after (1.3 of it building 75 records); on 100 that join the
# 2,280-document story 30.3 before, 31.0 after (2.7 building its record).
TITLE_GROWTH = 0.1


def _day_slack(f: DocFeatures) -> tuple[int | None, int]:
    return (f.date.day, f.date.slack) if f.date is not None else (None, -1)


class _Refresh:
    """What one :func:`refresh_story_records` reads: members' dates and stored features, and
    the corpus frequencies of now (one :class:`SqliteStoryState` memory for all stories)."""

    def __init__(self, store: Store, settings: StorySettings) -> None:
        self.store, self.settings = store, settings
        self.state = SqliteStoryState(store)
        self.n = int(store.conn.execute("SELECT count(*) FROM story_docs").fetchone()[0])

    def members(self, story_id: str, read: dict[str, DocFeatures]) -> dict[str, list[DocFeatures]]:
        """The story's current members by episode (arrival order) as features without channels:
        ids and dates only. Dates of a store made before migration 10 are filled here from the
        stored features (kept in ``read``)."""
        from .stories import DocDate, DocFeatures

        rows = self.store.conn.execute(
            f"SELECT s.doc_id, s.episode_id, s.day, s.slack {_CURRENT_STORY_DOCS} AND s.story_id = ? ORDER BY s.seq",
            (story_id,)).fetchall()
        unfilled = [r[0] for r in rows if r[3] is None]
        if unfilled:
            read.update(self.features(unfilled))
            self.store.conn.executemany("UPDATE story_docs SET day = ?, slack = ? WHERE doc_id = ?",
                                        [(*_day_slack(read[d]), d) for d in unfilled])
        out: dict[str, list[DocFeatures]] = {}
        for r in rows:
            when = read[r[0]].date if r[3] is None else DocDate(r[2], r[3]) if r[3] >= 0 else None
            out.setdefault(r[1], []).append(DocFeatures(r[0], {}, when))
        return out

    def features(self, doc_ids: Sequence[str]) -> dict[str, DocFeatures]:
        from .stories import DocFeatures

        out: dict[str, DocFeatures] = {}
        for part in _chunks(list(doc_ids)):
            q = f"SELECT doc_id, features FROM story_docs WHERE doc_id IN ({','.join('?' * len(part))})"
            out.update((r[0], DocFeatures.from_json(r[0], json.loads(r[1]))) for r in self.store.conn.execute(q, part))
        return out

    def full(self, episodes: Mapping[str, Sequence[DocFeatures]], read: dict[str, DocFeatures]
             ) -> tuple[dict[str, list[DocFeatures]], dict[str, int]]:
        """These members' stored features (by episode, same order) and the frequencies of their keys."""
        read.update(self.features([f.doc_id for fs in episodes.values() for f in fs if f.doc_id not in read]))
        got = {eid: [read[f.doc_id] for f in fs] for eid, fs in episodes.items()}
        return got, self.state.doc_freq(sorted({k for fs in got.values() for f in fs for k in f.keys()}))

    def build(self, story_id: str, previous: Story | None, title_n: int) -> tuple[Story, int]:
        """The story's record now, and the member count its title was chosen at. With a
        ``previous`` record whose members are all still there and grew by less than
        :data:`TITLE_GROWTH` since ``title_n``, its title and the titles of its unchanged
        episodes are kept; otherwise every title is chosen again (:func:`build_story`)."""
        from .stories import _title, assemble_story, build_story, order_members

        read: dict[str, DocFeatures] = {}
        episodes = self.members(story_id, read)
        count = sum(len(fs) for fs in episodes.values())
        ids = {f.doc_id for fs in episodes.values() for f in fs}
        if previous is None or not set(previous.documents) <= ids or count >= title_n * (1 + TITLE_GROWTH):
            feats, dfs = self.full(episodes, read)
            return build_story(story_id, feats, dfs, self.n, self.settings), count
        before = {e.id: (set(e.documents), e.title) for e in previous.episodes}
        changed = {eid: fs for eid, fs in episodes.items()
                   if eid not in before or before[eid][0] != {f.doc_id for f in fs}}
        titles = {eid: before[eid][1] for eid in episodes if eid not in changed}
        if changed:
            feats, dfs = self.full(changed, read)
            memo: dict[str, Any] = {}
            titles.update((eid, _title(order_members(fs), dfs, self.n, self.settings, memo)) for eid, fs in feats.items())
        kept = previous.title
        return assemble_story(story_id, episodes, lambda eid, _: kept if eid is None else titles[eid]), title_n


def refresh_story_records(store: Store, settings: StorySettings) -> int:
    """Store the record of every story that gained or lost a placement since its record was
    built (marked dirty), or that has none (a store of an older version) or one made with
    other settings; drop the records of stories gone. Call inside a transaction, at the end of
    the stories step (after it took the superseded documents out): only those stories are read.
    Lists and spans are exact; titles are those of :func:`build_story` (the member nearest the
    centroid, weighed with the corpus frequencies of the moment it was chosen): a story the
    step did not touch keeps its titles, and a story that grew by less than
    :data:`TITLE_GROWTH` keeps its own (:meth:`_Refresh.build`). Then the stored summaries,
    events and claims of the stories whose inputs changed (:mod:`storyline.report.stored`).
    Returns how many records were written."""
    from .stories import Story

    c, key = store.conn, settings.record_key
    c.execute("DELETE FROM story_records WHERE story_id NOT IN (SELECT id FROM stories)")
    todo = {r[0] for r in c.execute("SELECT id FROM stories WHERE id NOT IN (SELECT story_id FROM story_records)")}
    todo.update(r[0] for r in c.execute("SELECT story_id FROM story_records WHERE dirty = 1 OR key != ?", (key,)))
    run = _Refresh(store, settings)
    written = 0
    for sid in sorted(todo):
        got = _fingerprints(store, sid)
        if not got:  # no current member left
            c.execute("DELETE FROM story_records WHERE story_id = ?", (sid,))
            continue
        _, n, seqs = got[0]
        had = c.execute("SELECT key, title_n, record FROM story_records WHERE story_id = ?", (sid,)).fetchone()
        previous = Story.from_record(json.loads(had[2])) if had is not None and had[0] == key else None
        story, title_n = run.build(sid, previous, had[1] if previous is not None else 0)
        c.execute(
            "INSERT INTO story_records (story_id, n_docs, seq_sum, title_n, dirty, key, record)"
            " VALUES (?, ?, ?, ?, 0, ?, ?) ON CONFLICT (story_id) DO UPDATE SET n_docs = excluded.n_docs,"
            " seq_sum = excluded.seq_sum, title_n = excluded.title_n, dirty = 0, key = excluded.key,"
            " record = excluded.record",
            (sid, n, seqs, title_n, key, json.dumps(story.to_record(), ensure_ascii=False)))
        written += 1
    from ..report.stored import refresh_story_fields  # the listing's summaries: after the records

    refresh_story_fields(store)
    return written


def _first_stories(store: Store, limit: int, *, unsure_max: int = 64) -> list[Fingerprint]:
    """``_fingerprints(store, limit=limit)`` reading about ``limit`` stories, not every placement.

    A clean record's count bounds its story's current count from above (a member joins only
    through the stories step, which marks the record dirty; one superseded meanwhile only
    leaves). So the records are walked by stored count, each story counted by its own members,
    and the walk stops when the next record could not rank among the first ``limit``; stories
    with a dirty or no record are counted first. More than ``unsure_max`` of those (a store not
    yet filled), or a store without records: the whole count, as before."""
    c = store.conn
    try:
        unsure = [r[0] for r in c.execute(
            "SELECT id FROM stories WHERE id NOT IN (SELECT story_id FROM story_records WHERE dirty = 0) LIMIT ?",
            (unsure_max + 1,))]
    except sqlite3.OperationalError:
        return _fingerprints(store, limit=limit)
    if len(unsure) > unsure_max:
        return _fingerprints(store, limit=limit)
    found = [fp for sid in unsure for fp in _fingerprints(store, sid)]
    ranks = sorted((-n, sid) for sid, n, _ in found)  # listing order
    rows = c.execute("SELECT story_id, n_docs FROM story_records WHERE dirty = 0 ORDER BY n_docs DESC, story_id")
    for sid, n in rows:
        if limit <= 0 or (len(ranks) >= limit and (-n, sid) > ranks[limit - 1]):
            break
        for fp in _fingerprints(store, sid):
            found.append(fp)
            bisect.insort(ranks, (-fp[1], fp[0]))
    return sorted(found, key=lambda fp: (-fp[1], fp[0]))[: max(0, limit)]


def _stories(
    store: Store, settings: StorySettings | None, story_id: str | None = None, *, limit: int | None = None
) -> list[Story]:
    """The listed stories: their stored records where up to date (:func:`refresh_story_records`),
    built from their members' features otherwise (a read-only store of an older version, a
    read between a placement and the end of the stories step)."""
    settings = settings or story_settings()
    if story_id is None and limit is not None:
        wanted = _first_stories(store, limit)
    else:
        wanted = _fingerprints(store, story_id)
    out = _stored_stories(store, wanted, settings.record_key)
    built = _build_stories(store, settings, [sid for sid, _, _ in wanted if sid not in out])
    return sorted([*out.values(), *built], key=lambda s: (-len(s.documents), s.id))


def stories_by_id(store: Store, story_ids: Sequence[str], settings: StorySettings | None = None) -> list[Story]:
    """The stories of ``story_ids`` that have current documents (as :func:`story_of` reads each),
    largest first."""
    settings = settings or story_settings()
    wanted = [fp for sid in story_ids for fp in _fingerprints(store, sid)]
    out = _stored_stories(store, wanted, settings.record_key)
    built = _build_stories(store, settings, [sid for sid, _, _ in wanted if sid not in out])
    return sorted([*out.values(), *built], key=lambda s: (-len(s.documents), s.id))


def story_list(store: Store, settings: StorySettings | None = None, *, limit: int | None = None) -> list[Story]:
    """Stories of the current documents, largest first (then by id), each with its episodes
    (by start date) — the first ``limit`` only. Reads the records :func:`update_stories`
    stored (:func:`_stories`); computes nothing new."""
    return _stories(store, settings, limit=limit)


def story_of(store: Store, story_id: str, settings: StorySettings | None = None) -> Story:
    """One story by id (or a unique prefix of at least 4 characters); E407 when absent."""
    from ..errors import StorylineError, UsageError

    rows = store.conn.execute(
        "SELECT id FROM stories WHERE id = ? OR (length(?) >= 4 AND id LIKE ? || '%') LIMIT 6",
        (story_id, story_id, story_id),
    ).fetchall()
    ids = sorted(r[0] for r in rows)
    if len(ids) > 1 and story_id not in ids:
        raise StorylineError("E402", what=f"story id prefix {story_id!r}", matches=", ".join(ids))
    got = _stories(store, settings, story_id if story_id in ids else (ids[0] if ids else story_id))
    if not got:
        raise UsageError("E407", story=story_id, path=store.path)
    return got[0]
