"""What a stored corpus step must look at again when documents arrive, change or leave.

The stored corpus layers (claim groups in :mod:`.claim_store`, event groups in
:mod:`.event_store`) are kept up to date by recomputing only the *scope* a change touches,
with the same pure functions a from-scratch run uses. This module holds what they share:

* **what each step has taken in** (``corpus_indexed``): the current, ok documents with the
  stage versions they were read at. :func:`changes` compares that with the store: documents
  new or re-analysed since (to add), documents superseded, rejected, deleted or re-analysed
  (to take out first);
* **the provenance log** (``provenance_log``): copy detection appends every document whose
  copy edges changed (:func:`log_provenance`); each step remembers how far it has read
  (:func:`provenance_since`). Independence and via chains of a document depend on its
  whole *copy group*, so :func:`copy_group` widens a set of documents to their groups
  (as copy detection stores them: :mod:`.copy_groups`);
* **the scoped provenance graph** (:func:`scoped_graph`): the graph of a set of documents
  and their copy groups, not of the whole corpus — what a component's claims or events
  need for via chains and independent-source counts, and no more (:func:`scoped_provenance`:
  one bare copy edge per copying pair, known-direction passages as offsets, no text but
  the citing documents'; the stored claims and events are the same, table for table);
* **step parameters** (``corpus_steps``): a step made with other parameters is stale as a
  whole (:func:`ensure_config`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..store import Store
from ..types import Citation, CopiedPassage, DocMeta, Span
from .copy_groups import group_members, group_sizes, groups_of, members

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "Changes",
    "batches_by_group",
    "behind",
    "changes",
    "chunks",
    "copy_group",
    "ensure_config",
    "finish",
    "log_provenance",
    "mark_indexed",
    "parts_by_group",
    "provenance_since",
    "reset",
    "scoped_graph",
    "scoped_provenance",
    "unmark",
]


def chunks(items: Sequence[str], n: int = 900) -> Iterable[Sequence[str]]:
    """``items`` in slices small enough for one ``IN (…)`` (SQLite's variable limit)."""
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _in(n: int) -> str:
    return ",".join("?" * n)


def batches_by_group(store: Store, doc_ids: Sequence[str], size: int) -> list[Sequence[str]]:
    """``doc_ids`` (documents to take in, in arrival order) in batches of ``size``, the
    documents of one copy group together: a group's documents move up to where its first one
    is, the rest keep their order (documents in no group, a real stream's most, stay where
    they are). A step recomputes, per batch, the components its new documents match into,
    and copies of one text match into the same ones: taken in arrival order, a group's
    documents fall into as many batches as it has new copies, each recomputing (and reading
    the scoped provenance of) the same components again. What a step stores does not depend
    on the order it takes documents in (each component is recomputed whole, in document
    order), so this changes the cost only."""
    size = max(1, size)
    group = groups_of(store, doc_ids)
    first: dict[str, int] = {}
    for i, d in enumerate(doc_ids):
        first.setdefault(group.get(d, d), i)
    order = sorted(range(len(doc_ids)), key=lambda i: (first[group.get(doc_ids[i], doc_ids[i])], i))
    ordered = [doc_ids[i] for i in order]
    return [ordered[start : start + size] for start in range(0, len(ordered), size)]


# --------------------------------------------------------------------------- parameters


def ensure_config(store: Store, step: str, config: str) -> bool:
    """Record ``config`` for ``step``; True when it differs from the stored one (the step's
    results must then be dropped and rebuilt by the caller). Call inside a transaction."""
    row = store.conn.execute("SELECT config FROM corpus_steps WHERE step = ?", (step,)).fetchone()
    if row is not None and row[0] == config:
        return False
    log = int(store.conn.execute("SELECT coalesce(max(seq), 0) FROM provenance_log").fetchone()[0])
    store.conn.execute(
        "INSERT INTO corpus_steps (step, config, log_seq, doc_seq) VALUES (?, ?, ?, 0) ON CONFLICT (step)"
        " DO UPDATE SET config = excluded.config, log_seq = excluded.log_seq, doc_seq = 0",
        (step, config, log),
    )
    store.conn.execute("DELETE FROM corpus_indexed WHERE step = ?", (step,))
    return True


# --------------------------------------------------------------------------- documents taken in


def _stamp(status: str, runs: dict[str, str]) -> str:
    return json.dumps([status, sorted(runs.items())], separators=(",", ":"))


@dataclass(slots=True)
class Changes:
    """What a step must do: ``add`` current, ok documents not taken in at their present stage
    versions (in store order); ``forget`` documents taken in that are gone, superseded, no
    longer ok, or re-analysed (a re-analysed document is in both). ``log_end``: how far the
    document log was read (:func:`finish` records it once the step is done)."""

    add: list[str]
    forget: list[str]
    stamps: dict[str, str]
    log_end: int = 0


def changes(store: Store, step: str) -> Changes:
    """The documents to add and forget since ``step`` last finished: only documents in the
    document log after the step's mark are looked at (a trigger logs every stage run and
    status or version change), so the cost follows what changed, not the corpus."""
    c = store.conn
    row = c.execute("SELECT doc_seq FROM corpus_steps WHERE step = ?", (step,)).fetchone()
    since = int(row[0]) if row is not None else 0
    end = int(c.execute("SELECT coalesce(max(seq), 0) FROM document_log").fetchone()[0])
    logged = sorted({r[0] for r in c.execute("SELECT doc_id FROM document_log WHERE seq > ?", (since,))})
    current: dict[str, tuple[int, str]] = {}
    runs: dict[str, dict[str, str]] = {}
    taken: dict[str, str] = {}
    for part in chunks(logged):
        q = _in(len(part))
        for r in c.execute(
            f"SELECT rowid, id, status FROM documents WHERE id IN ({q}) AND superseded_by IS NULL AND status = 'ok'", part
        ):
            current[r[1]] = (int(r[0]), r[2])
        for r in c.execute(f"SELECT doc_id, stage, version FROM stage_runs WHERE doc_id IN ({q})", part):
            runs.setdefault(r[0], {})[r[1]] = r[2]
        for r in c.execute(f"SELECT doc_id, stamp FROM corpus_indexed WHERE step = ? AND doc_id IN ({q})", [step, *part]):
            taken[r[0]] = r[1]
    stamps = {d: _stamp(st, runs.get(d, {})) for d, (_, st) in current.items()}
    forget = sorted(d for d, s in taken.items() if stamps.get(d) != s)
    add = [d for d in sorted(current, key=lambda d: current[d][0]) if taken.get(d) != stamps[d]]
    return Changes(add=add, forget=forget, stamps=stamps, log_end=end)


def reset(store: Store, step: str) -> None:
    """``step`` has taken in nothing: the next :func:`changes` reads the whole document log
    (a rebuild; call inside a transaction, with the step's tables emptied)."""
    store.conn.execute("DELETE FROM corpus_indexed WHERE step = ?", (step,))
    store.conn.execute("UPDATE corpus_steps SET doc_seq = 0 WHERE step = ?", (step,))


def finish(store: Store, step: str, done: Changes) -> None:
    """Record that ``step`` has taken in everything :func:`changes` gave (call after its last
    batch committed; a run killed before leaves the mark where it was, and the next
    :func:`changes` finds what is left)."""
    with store.transaction():
        store.conn.execute("UPDATE corpus_steps SET doc_seq = max(doc_seq, ?) WHERE step = ?", (done.log_end, step))


def behind(store: Store, step: str) -> int:
    """How many current, ok documents ``step`` has not taken in (a store filled with
    ``--no-corpus``, or by an older storyline): what its stored layer is missing."""
    return int(store.conn.execute(
        "SELECT count(*) FROM documents d LEFT JOIN corpus_indexed i ON i.doc_id = d.id AND i.step = ?"
        " WHERE d.status = 'ok' AND d.superseded_by IS NULL AND i.doc_id IS NULL", (step,)
    ).fetchone()[0])


def mark_indexed(store: Store, step: str, stamps: dict[str, str], doc_ids: Iterable[str]) -> None:
    store.conn.executemany(
        "INSERT INTO corpus_indexed (step, doc_id, stamp) VALUES (?, ?, ?) ON CONFLICT (step, doc_id)"
        " DO UPDATE SET stamp = excluded.stamp",
        [(step, d, stamps[d]) for d in doc_ids],
    )


def unmark(store: Store, step: str, doc_ids: Iterable[str]) -> None:
    store.conn.executemany("DELETE FROM corpus_indexed WHERE step = ? AND doc_id = ?", [(step, d) for d in doc_ids])


# --------------------------------------------------------------------------- provenance


def log_provenance(store: Store, doc_ids: Iterable[str]) -> None:
    """Copy edges of these documents changed (call inside copy detection's transaction)."""
    store.conn.executemany("INSERT INTO provenance_log (doc_id) VALUES (?)", [(d,) for d in sorted(set(doc_ids))])


def provenance_since(store: Store, step: str) -> tuple[set[str], int]:
    """Documents whose copy edges changed since ``step`` last read the log, and the log's end
    (store it with :func:`read_provenance_to` once the step's transaction commits them)."""
    row = store.conn.execute("SELECT log_seq FROM corpus_steps WHERE step = ?", (step,)).fetchone()
    since = int(row[0]) if row is not None else 0
    rows = store.conn.execute("SELECT seq, doc_id FROM provenance_log WHERE seq > ? ORDER BY seq", (since,)).fetchall()
    end = max((int(r[0]) for r in rows), default=since)
    return {r[1] for r in rows}, end


def read_provenance_to(store: Store, step: str, seq: int) -> None:
    store.conn.execute("UPDATE corpus_steps SET log_seq = max(log_seq, ?) WHERE step = ?", (seq, step))


_Rows = dict[int, tuple[int, tuple[Any, ...]]]


@dataclass(slots=True)
class _Group:
    """One copy group: its documents, the passages among them (passage id → source
    document's rowid, the row's offsets), and, computed once, those passages in the order of
    :func:`.persist.copied_passages` and the copying pairs they make (:func:`_copy_pairs`)."""

    members: frozenset[str]
    rows: _Rows
    _order: list[tuple[Any, ...]] | None = None
    _pairs: dict[tuple[str, str], str] | None = None
    pairs_only: bool = False  # read by _read_pairs: its copying pairs, no passage

    def order(self) -> list[tuple[Any, ...]]:
        """The passages by source document's rowid, copy document, copy start, id."""
        if self.pairs_only:
            raise ValueError("a copy group read for its copying pairs holds no passages")
        if self._order is None:
            items = sorted(self.rows.items(), key=lambda kv: (kv[1][0], kv[1][1][3], kv[1][1][4], kv[0]))
            self._order = [row for _, (_, row) in items]
        return self._order

    def pairs(self) -> dict[tuple[str, str], str]:
        if self._pairs is None:
            self._pairs = _copy_pairs(self.order())
        return self._pairs


#: doc id → its copy group (:func:`_widen`), kept by a caller while the copy edges cannot
#: change (one claim- or event-step update: neither writes a passage). The event step on 100
#: paragraph-shuffled copies added to the replicated 10,000-document store (2 runs each, same
#: events): its walks (the logged documents' groups, then the graph of each of its three
#: transactions) 0.92-0.98 s of CPU walked each time, 0.25-0.26 s with one cache for the
#: update; the whole step 4.9-5.4 s → 4.3 s. A group's passage order and copying pairs are
#: kept with it: one update's scopes meet the same large groups again (the claim step on 300
#: copies added to that store: sorting passages and pairing them took 1.8 s of CPU under
#: cProfile, once per scope; once per group, the scoped reads 4.3 → 2.8 s, same claims).
Groups = dict[str, _Group]

#: passages a :data:`Groups` cache holds before it starts over (:func:`_widen`; about
#: 0.4 KB each, 0.6 KB before document ids and directions were one string each: tracemalloc,
#: 839,274 passages of 3,000 documents' groups in the 19,900-document replica store): one
#: update over many documents of a replicated store reads nearly every group, and the cache held all their passages (1,000 replicas added to the 10,000-document
#: store: 275,023 passages of 1,193 groups; to the 20,000-document store: 699,391, which
#: tracemalloc put at 344 MB of the claim step's 693; the store holds 3.46 million at 50,000).
#: Starting over costs walks again: with the cap at 100,000 that claim and event update took
#: 67.7 + 23.0 s of CPU and peaked at 759 MB, against 59.2 + 20.1 s and 814 MB not reaching it.
GROUPS_ROWS = 1_000_000


def _rows_held(cache: Groups) -> int:
    return sum(len(g._pairs or ()) if g.pairs_only else len(g.rows) for g in {id(g): g for g in cache.values()}.values())


def _widen(store: Store, doc_ids: Iterable[str], groups: Groups | None = None,
           pairs_only: bool = False) -> tuple[set[str], list[_Group]]:
    """``doc_ids`` widened to their copy groups, and those groups with their passages
    (:func:`_read_groups`), or with their copying pairs only (:func:`_read_pairs`).
    ``groups``: groups read before (used, and filled with the groups read now; one cache
    holds one kind)."""
    cache: Groups = groups if groups is not None else {}
    ids = set(doc_ids)
    todo = {d for d in ids if d not in cache}
    if todo and _rows_held(cache) >= GROUPS_ROWS:  # start over: read all of this call's groups
        cache.clear()
        todo = ids
    if todo:
        for entry in (_read_pairs if pairs_only else _read_groups)(store, todo):
            cache.update((d, entry) for d in entry.members)
    seen: set[str] = set()
    out: list[_Group] = []
    for d in sorted(ids):
        if d not in seen:
            g = cache[d]
            seen |= g.members
            out.append(g)
    return seen, out


@dataclass(frozen=True, slots=True)
class _GroupScope:
    """What :func:`_read_groups` and :func:`_read_pairs` start from: the stored copy groups of
    ``doc_ids`` (group id → members), each member's group, every document to read passages
    of (in id order), and a document's rowid (None when superseded)."""

    doc_ids: set[str]
    by_group: dict[str, set[str]]
    label: dict[str, str]
    wanted: list[str]
    rowid: Callable[[str], int | None]

    @classmethod
    def of(cls, store: Store, doc_ids: set[str]) -> _GroupScope:
        by_group = group_members(store, doc_ids)
        label = {d: g for g, ms in by_group.items() for d in ms}
        wanted = sorted(doc_ids | label.keys())
        return cls(doc_ids, by_group, label, wanted, _rowids(store, wanted))

    def groups(self, make: Callable[[frozenset[str], str], _Group]) -> list[_Group]:
        """``make(members, key)`` for each stored group, then for each document in none (its
        own key), in that order."""
        out = [make(frozenset(ms), g) for g, ms in self.by_group.items()]
        return out + [make(frozenset((d,)), d) for d in sorted(self.doc_ids - self.label.keys())]


def _read_groups(store: Store, doc_ids: set[str]) -> list[_Group]:
    """The copy groups of ``doc_ids`` as stored (:func:`.copy_groups.group_members`), each
    with its passages: those whose source document is in it (its copy is then in it too: a
    group is closed under counting passages). A document in no group is a group of its own.
    Passages of a superseded document (not yet forgotten by copy detection) are left out.

    Each document's rowid and supersession are read once, not joined to every passage: on
    the replica store at 85,000 documents (16 million passages) the join's two look-ups a
    passage were the claim step's largest cost over the replicas (46 % of its samples)."""
    scope = _GroupScope.of(store, doc_ids)
    label, rowid = scope.label, scope.rowid
    rows: dict[str, _Rows] = {}
    same = sys.intern  # one string per document id and direction, not one per row
    for part in chunks(scope.wanted):
        for r in store.conn.execute(
            f"SELECT id, source_doc, source_start, source_end, copy_doc, copy_start, copy_end, similarity, direction"
            f" FROM copied_passages WHERE discounted IS NULL AND source_doc IN ({_in(len(part))})",
            part,
        ):
            source, copy = r[1], r[4]
            at = rowid(source)
            if at is None or rowid(copy) is None:
                continue  # a superseded document's passage
            source, copy = same(source), same(copy)
            row = (source, r[2], r[3], copy, r[5], r[6], r[7], same(r[8]))
            rows.setdefault(label.get(source, source), {})[r[0]] = (at, row)
    return scope.groups(lambda ms, g: _Group(ms, rows.get(g, {})))


def _read_pairs(store: Store, doc_ids: set[str]) -> list[_Group]:
    """The copy groups of ``doc_ids`` as :func:`_read_groups` reads them, each with only its
    copying pairs (:meth:`_Group.pairs`, the same pairs in the same order), aggregated by
    SQLite from the covering index by source: the event step's graph needs nothing else,
    and building every passage as a Python row was most of its recount at 85,000 documents.

    Per ordered pair of documents: whether a passage of it has a known direction, and its
    first passage in :func:`.persist.copied_passages`' order (source's rowid, copy, copy
    start, id); an unordered pair's first passage is the first of its two ordered pairs'."""
    scope = _GroupScope.of(store, doc_ids)
    label, rowid = scope.label, scope.rowid
    firsts: dict[str, dict[frozenset[str], tuple[tuple[int, str, int], tuple[str, str]]]] = {}
    known: dict[str, dict[frozenset[str], set[tuple[str, str]]]] = {}
    for part in chunks(scope.wanted):
        for source, copy, first, has_known in store.conn.execute(
            f"SELECT source_doc, copy_doc, min(copy_start * 4294967296 + id), max(direction = 'source_to_copy')"
            f" FROM copied_passages WHERE discounted IS NULL AND source_doc IN ({_in(len(part))})"
            f" AND copy_doc != source_doc GROUP BY source_doc, copy_doc",
            part,
        ):
            at = rowid(source)
            if at is None or rowid(copy) is None:
                continue  # a superseded document's passages
            g, pair = label.get(source, source), frozenset((source, copy))
            key = (at, copy, first)
            seen = firsts.setdefault(g, {}).get(pair)
            if seen is None or key < seen[0]:
                firsts[g][pair] = (key, (copy, source))
            if has_known:
                known.setdefault(g, {}).setdefault(pair, set()).add((copy, source))

    def pairs(g: str) -> dict[tuple[str, str], str]:
        out: dict[tuple[str, str], str] = {}
        for pair, (_, first) in sorted(firsts.get(g, {}).items(), key=lambda kv: kv[1][0]):
            ks = known.get(g, {}).get(pair, set())
            if len(ks) == 1:
                out[next(iter(ks))] = "source_to_copy"
            else:
                out[first] = "unknown"
        return out

    return scope.groups(lambda ms, g: _Group(ms, {}, _pairs=pairs(g), pairs_only=True))


def _current_rowids(store: Store, doc_ids: Sequence[str]) -> dict[str, int]:
    """id → rowid of those of ``doc_ids`` that are current (not superseded)."""
    out: dict[str, int] = {}
    for part in chunks(doc_ids):
        out.update(store.conn.execute(
            f"SELECT id, rowid FROM documents WHERE superseded_by IS NULL AND id IN ({_in(len(part))})", part))
    return out


def _rowids(store: Store, doc_ids: Sequence[str]) -> Callable[[str], int | None]:
    """A document's rowid, None when it is superseded: ``doc_ids`` read at once, any other
    (none while copy groups are closed under counting passages) when first asked for."""
    known: dict[str, int | None] = {d: None for d in doc_ids}
    known.update(_current_rowids(store, doc_ids))

    def rowid(doc: str) -> int | None:
        if doc not in known:
            known[doc] = _current_rowids(store, [doc]).get(doc)
        return known[doc]

    return rowid


#: documents the copy groups of one part of :func:`parts_by_group` may hold. With
#: :data:`GROUPS_ROWS`, what a claim update holds against what it reads again: 1,000 replicas
#: added to the 20,000-document store (claim step, one run each, the same claims and
#: contradictions by hash), caps of 1,000,000 passages and 10,000 documents peaked at 1,109 MB
#: in 70.2 s of user CPU; 500,000 and 5,000 at 907 MB in 91.3 s; 250,000 and 2,500 at 714 MB
#: in 98.3 s (the peak is in the batches' recomputes, whose groups the cache keeps).
PART_DOCS = 10_000


def parts_by_group(store: Store, units: Sequence[str], docs_of: str, *, limit: int | None = None) -> list[list[str]]:
    """``units`` (components of a stored step) cut into parts whose scopes stay small: ordered
    by the copy groups of their documents, so that units sharing groups go together, a part
    ending where the next unit would take the documents of the groups its units reach (each
    document in no group is one) past ``limit`` (:data:`PART_DOCS`); a unit reaching more is
    in a part of its own, with the units reaching no other group. ``docs_of``: a query of
    ``(unit, doc_id)`` rows for the units in ``json_each(?)``. Groups are those copy detection
    stores (a store whose groups are not built yet counts each document alone).

    A step that makes again every component a change of copy groups touched reads, for each
    part, the scoped provenance of its documents' whole groups: cut by count, a part of 20,000
    claim components of a replicated store reached nearly every group of it at once (the
    claim step over 19,900 replicas added to the 50,000-document store passed 4.8 GB in one part)."""
    if not units:
        return []
    limit = PART_DOCS if limit is None else limit
    labels: dict[str, set[str]] = {}
    for part in chunks(sorted(units), 20_000):
        for unit, label in store.conn.execute(
            f"SELECT DISTINCT u.unit, coalesce(g.group_id, u.doc_id) FROM ({docs_of}) u"
            " LEFT JOIN copy_groups g ON g.doc_id = u.doc_id", (json.dumps(list(part)),)):
            labels.setdefault(unit, set()).add(label)
    size = group_sizes(store, {x for ls in labels.values() for x in ls})
    order = sorted(units, key=lambda u: (min(labels[u]) if u in labels else "", u))
    out: list[list[str]] = []
    held: set[str] = set()
    docs = 0
    for u in order:
        reach = labels.get(u, set())
        grow = sum(size.get(x, 1) for x in reach - held)
        if not out or grow and docs + grow > limit:
            out.append([])
            held, docs, grow = set(), 0, sum(size.get(x, 1) for x in reach)
        out[-1].append(u)
        held |= reach
        docs += grow
    return out


def copy_group(store: Store, doc_ids: Iterable[str]) -> set[str]:
    """``doc_ids`` and every current document joined to them by copy edges (any direction,
    site-template passages left out): their copy groups (:mod:`.provenance`), as copy
    detection stores them (:func:`.copy_groups.members`: no passage is read)."""
    return members(store, doc_ids)


def scoped_graph(store: Store, doc_ids: Iterable[str], groups: Groups | None = None) -> nx.MultiDiGraph:
    """The provenance graph of ``doc_ids`` and their copy groups: documents, publishers,
    credited outlets, copy edges among them and their citations — everything the
    independence API and via chains read for these documents, without the rest of the
    corpus (:func:`storyline.corpus.persist.provenance_graph` builds the whole one; see
    :func:`scoped_provenance` for what its copy edges leave out). ``groups``: see
    :data:`Groups`."""
    return _scoped(store, doc_ids, groups, pairs_only=True)[0]


def scoped_provenance(
    store: Store, doc_ids: Iterable[str], groups: Groups | None = None
) -> tuple[nx.MultiDiGraph, list[CopiedPassage]]:
    """:func:`scoped_graph` and the known-direction copied passages among those documents,
    read for what the claim and event steps use of them.

    The graph's documents, outlets and citation edges (scopes included: the text of each
    citing document is read) are those of the whole graph; its copy edges are bare, one per
    copying pair (direction as the whole graph gives it, no passages, similarity or
    evidence), and no citation is marked inherited: the independence API reads only which
    documents copy which, as the report's pairs graph
    (:func:`storyline.report.reads.story_graph` without ``passages``). The passages are
    the ``source_to_copy`` ones in the order of :func:`.persist.copied_passages`, offsets
    only (their spans carry no text): all a via chain follows
    (:func:`storyline.corpus.claims.via_nodes`).

    ``groups`` (:data:`Groups`): copy groups read earlier in the same update; a claim
    update's batches meet the same large groups again (in the measurement below, 427-896
    of each later walk's 592-1,374 group documents had been walked before).

    Measured (claim step alone, 100 paragraph-shuffled copies of stored real texts added to
    the replicated 10,000-document store, two runs each on a shared 2-core machine): this
    read took 3.0-3.7 s of the claim step's 11.8-13.9 s when it built every passage with
    its text and the whole copy edges, 1.4-1.6 s of 10.8-13.2 s now; the rest of it is
    walking the copy groups (25,000 passages among 900 documents for 100 new ones) and
    the passage objects via chains read. Stored claims, contradictions and events are the
    same, table for table."""
    graph, found = _scoped(store, doc_ids, groups)
    # the order of persist.copied_passages: source document's rowid, copy document, copy start
    items = sorted((kv for g in found for kv in g.rows.items()), key=lambda kv: (kv[1][0], kv[1][1][3], kv[1][1][4], kv[0]))
    rows = [row for _, (_, row) in items if row[7] == "source_to_copy"]
    return graph, [
        CopiedPassage(source=Span(sd, ss, se, ""), copy=Span(cd, cs, ce, ""), similarity=sim, direction=dr)
        for sd, ss, se, cd, cs, ce, sim, dr in rows
    ]


#: a known-direction copied passage as :func:`scoped_rows` gives it: source doc, start, end,
#: copy doc, start, end, similarity, direction
PassageRow = tuple[str, int, int, str, int, int, float, str]


def scoped_rows(
    store: Store, doc_ids: Iterable[str], groups: Groups | None = None
) -> tuple[nx.MultiDiGraph, list[PassageRow]]:
    """:func:`scoped_provenance` with the passages as rows, group by group, each group's in
    the order of :func:`.persist.copied_passages` (so each copy document's passages are in
    that order: all a via chain reads), for a caller that indexes them by copy document
    (the claim step, :class:`.claim_store._CopyRows`)."""
    graph, found = _scoped(store, doc_ids, groups)
    return graph, [r for g in found for r in g.order() if r[7] == "source_to_copy"]


def _scoped(
    store: Store, doc_ids: Iterable[str], groups: Groups | None, pairs_only: bool = False
) -> tuple[nx.MultiDiGraph, list[_Group]]:
    """The scoped graph and the copy groups it holds. The event step reads the graph alone
    (building the passage objects it dropped took 1.85 s of its 23 s under cProfile, 300
    copies added to the replicated 10,000-document store)."""
    from ..layers import CODECS
    from .provenance import build_graph, doc_node

    group, found = _widen(store, doc_ids, groups, pairs_only)
    docs = sorted(group)
    metas: list[tuple[int, str, DocMeta]] = []
    citations: list[Citation] = []
    decode = CODECS["citations"][1]
    for part in chunks(docs):
        q = _in(len(part))
        for r in store.conn.execute(
            f"SELECT rowid, id, url, meta FROM documents WHERE id IN ({q}) AND status = 'ok'", part
        ):
            metas.append((r[0], r[1], DocMeta(**json.loads(r[3])) if r[3] else DocMeta(url=r[2])))
        for r in store.conn.execute(f"SELECT data FROM layers WHERE slot = 'citations' AND doc_id IN ({q})", part):
            citations.extend(decode(json.loads(r[0])))
    texts: dict[str, str] = {}
    for part in chunks(sorted({x.doc for x in citations})):
        q = _in(len(part))
        for r in store.conn.execute(f"SELECT id, text FROM documents WHERE id IN ({q}) AND status = 'ok'", part):
            texts[r[0]] = r[1] or ""
    metas.sort(key=lambda m: m[0])  # store order, as the whole graph is built
    graph = build_graph([(d, m) for _, d, m in metas], (), citations, texts=texts)
    # group by group: a document's copy edges are added in the order the whole graph adds them
    # (the order of its group's passages), which is all a reader of one document sees
    for g in found:
        for (a, b), direction in g.pairs().items():  # copy -> source, as provenance._add_copies
            for d in (a, b):
                if doc_node(d) not in graph:
                    graph.add_node(doc_node(d), type="doc", doc_id=d, title=None, outlet=None, published=None, url=None)
            graph.add_edge(doc_node(a), doc_node(b), key="copies", relation="copies", direction=direction)
    return graph, found


def _copy_pairs(rows: Sequence[tuple[Any, ...]]) -> dict[tuple[str, str], str]:
    """(copy, source) → direction of each copying pair of documents, as the whole graph's
    copy edge gives them: the known direction when the pair's known-direction passages
    agree, else the first passage's ends and ``unknown`` (rows: passage offsets in order)."""
    items: dict[frozenset[str], list[tuple[Any, ...]]] = {}
    for r in rows:
        if r[0] != r[3]:
            items.setdefault(frozenset((r[0], r[3])), []).append(r)
    out: dict[tuple[str, str], str] = {}
    for ps in items.values():
        known = {(r[3], r[0]) for r in ps if r[7] == "source_to_copy"}
        if len(known) == 1:
            out[next(iter(known))] = "source_to_copy"
        else:
            out[(ps[0][3], ps[0][0])] = "unknown"
    return out
