"""Copy groups, stored: which documents are one source because text was copied among them.

A document's *copy group* is its connected component over the copied passages that count
(not site-template passages, both documents current), in any direction: the unit of
independence (:mod:`.provenance`). Readers asked for it by walking the passage table from the
documents they read (:func:`copy_pairs`), which costs what the whole component's passages
cost: the largest story of the 50,000-document replica store, read 1,000 documents at a time,
walked 629,000 copying pairs (6 s) and decoded a million passages (23 s) for its report.

So copy detection keeps the groups in ``copy_groups`` (migration 13) inside its own
transactions, as it writes passages:

* a new counting passage joins the groups of its two documents (:func:`join`: the group
  with the larger id is relabelled; no walk);
* a passage withdrawn or discounted, or a document forgotten (re-analysed, superseded),
  may split a group: the groups of those documents are walked again (:func:`split`, the
  only walk, and the rare case);
* a change of copy-detection parameters drops every passage and every group.

A group's id is its smallest document id (``group:<id>`` in the independence API); a
document copying nothing and copied by nobody has no row. :func:`groups_of` reads the groups
of some documents; a store whose groups were never built (a store of migration 12 opened
read-only, or one not analysed since its migration) is walked instead, with the same answer.
:func:`rebuild` computes them from every passage (the first copy-detection run after the
migration, ``analyze --rebuild``), and ``tests/corpus/test_copy_groups.py`` checks that the
maintained groups equal the rebuilt ones through additions, withdrawals, templates,
re-analysis and replacement.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from ..cluster import DisjointSet
from ..store import Store

__all__ = ["computed", "copy_pairs", "ensure", "group_members", "group_sizes", "groups_of", "join", "members", "rebuild", "split", "stored"]

# the copying pairs with an end in a set of documents (``end`` is source_doc or copy_doc),
# superseded documents' among them: left out by copy_pairs, which looks each document up once
# (joined to every passage, two look-ups a passage into the documents table were 8 % of copy
# detection's samples on the replica store at 90,000 documents)
_PAIRS = (
    "SELECT DISTINCT source_doc, copy_doc FROM copied_passages"
    " WHERE discounted IS NULL AND {end} IN (SELECT value FROM json_each(?))"
)
_ALL_PAIRS = (
    "SELECT DISTINCT p.source_doc, p.copy_doc FROM copied_passages p"
    " JOIN documents s ON s.id = p.source_doc JOIN documents c ON c.id = p.copy_doc"
    " WHERE p.discounted IS NULL AND s.superseded_by IS NULL AND c.superseded_by IS NULL"
)


def copy_pairs(store: Store, doc_ids: Iterable[str]) -> tuple[set[str], set[tuple[str, str]]]:
    """The copy components of ``doc_ids`` walked in the passage table: every document joined
    to one of them by a chain of counting passages, in either direction, and the (source,
    copy) document pairs of those passages. Costs what the components' passages cost."""
    found = set(doc_ids)
    pairs: set[tuple[str, str]] = set()
    gone = _superseded(store, found)
    frontier = sorted(found - gone)
    while frontier:
        arg = (json.dumps(frontier),)
        got: set[tuple[str, str]] = set()
        for end in ("source_doc", "copy_doc"):
            got.update(store.conn.execute(_PAIRS.format(end=end), arg))
        new = {x for pair in got for x in pair if x not in found}
        gone |= _superseded(store, new)
        pairs.update((a, b) for a, b in got if a not in gone and b not in gone)
        found |= new - gone
        frontier = sorted(new - gone)
    return found, pairs


def _superseded(store: Store, doc_ids: Iterable[str]) -> set[str]:
    """Those of ``doc_ids`` superseded by a new version."""
    return {r[0] for r in store.conn.execute(
        "SELECT id FROM documents WHERE superseded_by IS NOT NULL AND id IN (SELECT value FROM json_each(?))",
        (json.dumps(sorted(doc_ids)),))}


def _components(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """doc → smallest doc id of its component, for the documents of ``pairs``."""
    ds: DisjointSet[str] = DisjointSet()
    for a, b in pairs:
        if a != b:
            ds.union(a, b)
    out: dict[str, str] = {}
    for comp in ds.groups():
        gid = min(comp)
        out.update((d, gid) for d in comp)
    return out


def _built(store: Store) -> bool:
    try:
        row = store.conn.execute("SELECT built FROM copy_groups_state WHERE id = 1").fetchone()
    except sqlite3.OperationalError:  # a store of migration 12 or earlier, opened read-only
        return False
    return bool(row and row[0])


def groups_of(store: Store, doc_ids: Iterable[str]) -> dict[str, str]:
    """doc id → its copy group's id (the group's smallest document id), for those of
    ``doc_ids`` that copy or are copied; read from ``copy_groups``, or walked when the store's
    groups are not built (the same answer, at the walk's cost)."""
    ids = sorted(set(doc_ids))
    if not ids:
        return {}
    if _built(store):
        return dict(store.conn.execute(
            "SELECT doc_id, group_id FROM copy_groups WHERE doc_id IN (SELECT value FROM json_each(?))",
            (json.dumps(ids),)).fetchall())
    got = _components(copy_pairs(store, ids)[1])
    return {d: got[d] for d in ids if d in got}


def group_members(store: Store, doc_ids: Iterable[str]) -> dict[str, set[str]]:
    """group id → its documents, for the groups of those of ``doc_ids`` that copy or are
    copied; read from ``copy_groups``, or walked when the store's groups are not built."""
    ids = sorted(set(doc_ids))
    out: dict[str, set[str]] = {}
    if not ids:
        return out
    if _built(store):
        rows: list[tuple[str, str]] = store.conn.execute(
            "SELECT doc_id, group_id FROM copy_groups WHERE group_id IN (SELECT group_id FROM copy_groups"
            " WHERE doc_id IN (SELECT value FROM json_each(?)))", (json.dumps(ids),)).fetchall()
    else:
        rows = list(_components(copy_pairs(store, ids)[1]).items())
    for d, g in rows:
        out.setdefault(g, set()).add(d)
    return out


def group_sizes(store: Store, group_ids: Iterable[str]) -> dict[str, int]:
    """group id → how many documents it holds, for those of ``group_ids`` that are stored groups."""
    return dict(store.conn.execute(
        "SELECT group_id, count(*) FROM copy_groups WHERE group_id IN (SELECT value FROM json_each(?))"
        " GROUP BY group_id", (json.dumps(sorted(set(group_ids))),)).fetchall())


def members(store: Store, doc_ids: Iterable[str]) -> set[str]:
    """``doc_ids`` and every document in their copy groups."""
    ids = set(doc_ids)
    return ids.union(*group_members(store, ids).values())


def join(store: Store, pairs: Iterable[tuple[str, str]]) -> None:
    """New counting passages between current documents (``(source, copy)`` document pairs):
    merge the groups they join. Call inside copy detection's transaction."""
    pairs = [(a, b) for a, b in pairs if a != b]
    if not pairs or not _built(store):  # unbuilt groups are built whole by the next run (ensure)
        return
    c = store.conn
    docs = sorted({d for p in pairs for d in p})
    current = {r[0] for r in c.execute(
        "SELECT id FROM documents WHERE superseded_by IS NULL AND id IN (SELECT value FROM json_each(?))",
        (json.dumps(docs),))}
    pairs = [(a, b) for a, b in pairs if a in current and b in current]
    held = dict(c.execute("SELECT doc_id, group_id FROM copy_groups WHERE doc_id IN (SELECT value FROM json_each(?))",
                          (json.dumps(docs),)).fetchall())
    # union over labels: a held group's id, or the document itself when it has no group yet
    ds: DisjointSet[str] = DisjointSet()
    for a, b in pairs:
        ds.union(held.get(a, a), held.get(b, b))
    groups = set(held.values())
    for comp in ds.groups():
        gid = min(comp)
        for label in comp:
            if label in groups:
                if label != gid:
                    c.execute("UPDATE copy_groups SET group_id = ? WHERE group_id = ?", (gid, label))
            else:
                c.execute("INSERT OR REPLACE INTO copy_groups (doc_id, group_id) VALUES (?, ?)", (label, gid))


def split(store: Store, doc_ids: Iterable[str]) -> None:
    """Passages of ``doc_ids`` were withdrawn or discounted, or the documents forgotten: walk
    their groups again (a group can only split). Call inside copy detection's transaction,
    after the change."""
    ids = sorted(set(doc_ids))
    if not ids or not _built(store):
        return
    c = store.conn
    arg = (json.dumps(ids),)
    old = [r[0] for r in c.execute(
        "SELECT DISTINCT group_id FROM copy_groups WHERE doc_id IN (SELECT value FROM json_each(?))", arg)]
    gargs = (json.dumps(old),)
    held = {r[0] for r in c.execute(
        "SELECT doc_id FROM copy_groups WHERE group_id IN (SELECT value FROM json_each(?))", gargs)}
    c.execute("DELETE FROM copy_groups WHERE group_id IN (SELECT value FROM json_each(?))", gargs)
    _write(store, _components(copy_pairs(store, held | set(ids))[1]))


def _write(store: Store, groups: dict[str, str]) -> None:
    store.conn.executemany("INSERT OR REPLACE INTO copy_groups (doc_id, group_id) VALUES (?, ?)",
                           sorted(groups.items()))


def computed(store: Store) -> dict[str, str]:
    """doc id → group id of every document in a group, computed from every counting passage
    (what :func:`rebuild` stores; what the maintained table must equal)."""
    return _components(store.conn.execute(_ALL_PAIRS))


def stored(store: Store) -> dict[str, str]:
    """The ``copy_groups`` table as doc id → group id."""
    return dict(store.conn.execute("SELECT doc_id, group_id FROM copy_groups").fetchall())


def rebuild(store: Store) -> int:
    """Every group computed from every counting passage (call inside a transaction); marks
    the store's groups built. Returns how many documents are in a group."""
    store.conn.execute("DELETE FROM copy_groups")
    groups = computed(store)
    _write(store, groups)
    store.conn.execute("INSERT INTO copy_groups_state (id, built) VALUES (1, 1)"
                       " ON CONFLICT (id) DO UPDATE SET built = 1")
    return len(groups)


def ensure(store: Store) -> None:
    """Build the groups if this store's never were (call inside a transaction)."""
    if not _built(store):
        rebuild(store)
