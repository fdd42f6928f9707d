"""A story listing's ``summary``, ``events`` and ``claims`` (records.md Story), stored.

:func:`~.build.story_fields` derives them with the report's finding code from every document
of a story: its claims and events, the sentences they stand in, its copy groups. A page of
the largest stories covered most of the corpus that way (``storyline stories --json --limit
100`` on the 10,000-document replica store: 7,846 documents, 70,815 claims decoded, 15–26 s
of CPU). So the stories step stores them (migration 11, ``story_fields``) and a listing reads
the rows of the stories it shows: that page 15.15 → 0.34 s of CPU, the same bytes.

**When a stored row holds.** The fields are a function of the story's document list and of
what the store holds for those documents: their layers and rows, the claims and events with
evidence in them (with the contradictions naming the claims), and the copied passages of
their copy components. Every write to one of those inputs marks the documents it touches
(SQLite triggers of migration 11 on ``claim_docs``, ``contradiction_claims``, ``event_docs``,
``copied_passages``, ``documents``, ``layers`` and ``story_docs`` fill ``story_fields_stale``;
claims and events are only ever replaced, never edited in place). The claim step replaces
whole components, most claims by themselves, so a mark often changes nothing; telling those
apart in the triggers (a claim taken out kept until it comes back the same) cost 77 µs per
claim replaced, 5–10 ms per added document of the claim step at 10,000 documents, and
spared a fifth of the story documents to derive again: not kept. A marked document makes
stale the stories of every document in its copy component, and in those of its direct copy
neighbours (a superseded document's old component may split): :func:`affected_stories`. A
row holds for a read when it was made from the same document list (its sha1) with this
code's :data:`VERSION`, is not stale, and no pending mark reaches its story (a read between
two steps derives those stories itself): the fields read are then the ones
:func:`~.build.story_fields` would derive, byte for byte. Any other story shown is derived
on read while the stories one listing derives hold at most :data:`READ_DOCS` documents.

**What the stories step pays** (:func:`refresh_story_fields`, at its end, after the claim
and event steps of the run). New stories get their row at once (they hold only what the run
placed). Stale stories are derived again within a budget of :data:`DOCS_PER_PLACED` story
documents per document placed, saved from run to run while a story waits: deriving costs
2.1–2.3 ms of CPU per story document, and the stories one run reaches can be many times the
documents it adds — 100 new real texts on the 10,000-document store reached 114 stories of
6,124 documents through the claim groups they joined (14.0 s of CPU unbounded, 140 ms per
added document; with the budget 2.1 s, 21 ms per added document, 19 stories left waiting,
the 2,280-document one among them). The longest waiting go first, then the smallest; the
first that does not fit ends the run and keeps the budget. So the step's cost per added
document does not grow with the corpus, and a story of *n* documents is derived again at
most once per *n* / ``DOCS_PER_PLACED`` added documents.

**What a listing pays for a waiting story.** Deriving on read made a page as slow as its
largest waiting story: right after 100 real texts went in, ``stories --json --limit 20`` took
9.6 s of CPU on the 10,000-document replica store and 29.2 s on the 30,000-document one (a
5,854-document story waiting, 5 ms a document). A waiting row keeps its last fields (with
the number of documents they were derived from, migration 12), so a listing derives at most
:data:`READ_DOCS` story documents and shows every other waiting story's last fields
with ``fields_stale`` (``derived_from_documents``, ``documents``); the CLI says how many on
stderr, and ``storyline analyze`` derives them all. The budget goes to the smallest waiting
stories first (the most stories shown fresh for the documents derived). With 1,000 documents
in listing order, ``stories --json --limit 20`` right after 100 real texts went in still took
1.36–1.53 s of process CPU on a 1,000-document store and 1.72–1.82 s on a 5,000-document
replica store (0.24–0.27 s at 1,000 once ``storyline analyze``, 2.9 s, had derived them all);
with 250, smallest first, 0.70–0.78 and 0.76–0.83 s (3 runs each), 1 and 8 of the 20 stories
shown stale against 0 and 3, their fields derived from all but 0–4 of their documents (the
rest of a mark: their claims or copies changed).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..corpus.stories import Story
    from ..store import Store

__all__ = ["DOCS_PER_PLACED", "READ_DOCS", "VERSION", "affected_stories", "docs_key", "refresh_story_fields",
           "stored_story_fields", "story_records"]

#: the code the stored fields were derived with; a change makes every row stale
VERSION = "story-fields-v1"
#: story documents the stories step derives again per document it placed (module docstring:
#: about 21 ms of CPU per placed document)
DOCS_PER_PLACED = 10
#: a read with more marks pending than this (a store filled with ``--no-corpus``) does not
#: look for the stories they reach: no row holds for it
READ_MARKS = 4096
#: story documents one listing derives on read, smallest waiting stories first (module
#: docstring: 2-5 ms of CPU each)
READ_DOCS = 250


def docs_key(doc_ids: Sequence[str]) -> str:
    """What a row was made from: the sha1 of the story's document list (in its order)."""
    return hashlib.sha1("\n".join(doc_ids).encode("utf-8")).hexdigest()


def _in_json(store: Store, sql: str, ids: Iterable[str]) -> list[Any]:
    return store.conn.execute(sql, (json.dumps(sorted(set(ids))),)).fetchall()


def _marks(store: Store, limit: int = -1) -> list[str]:
    """The documents the triggers marked (migration 11)."""
    return [r[0] for r in store.conn.execute("SELECT doc_id FROM story_fields_stale LIMIT ?", (limit,))]


def affected_stories(store: Store, doc_ids: Iterable[str]) -> set[str]:
    """The stories whose fields a change at ``doc_ids`` may alter: the stories of those
    documents, of their direct copy neighbours (through any passage, current or not) and of
    every document in the copy components of both (:func:`.reads.copy_component`)."""
    from .reads import copy_component

    marked = set(doc_ids)
    if not marked:
        return set()
    near = set(marked)
    for end, other in (("source_doc", "copy_doc"), ("copy_doc", "source_doc")):
        near.update(r[0] for r in _in_json(
            store, f"SELECT {other} FROM copied_passages WHERE {end} IN (SELECT value FROM json_each(?))", marked))
    reach = copy_component(store, near)
    return {r[0] for r in _in_json(
        store, "SELECT DISTINCT story_id FROM story_docs WHERE doc_id IN (SELECT value FROM json_each(?))", reach)}


def _state(store: Store) -> tuple[int, int, int]:
    row = store.conn.execute("SELECT run, seq, credit FROM story_fields_state WHERE id = 1").fetchone()
    return (int(row[0]), int(row[1]), int(row[2])) if row is not None else (0, 0, 0)


def _write(store: Store, sid: str, docs: Sequence[str], fields: dict[str, Any] | None, since: int | None) -> None:
    """Store ``fields`` derived from the story's ``docs`` (the row holds), or with ``fields``
    None mark the row stale since run ``since``: a row keeps the fields it has, with the
    documents and code they were derived with (a listing past its budget shows them, marked);
    a story without a row gets an empty one."""
    if fields is None:
        store.conn.execute(
            "INSERT INTO story_fields (story_id, docs, version, fields, stale_since, n_docs)"
            " VALUES (?, ?, ?, NULL, ?, NULL) ON CONFLICT (story_id)"
            " DO UPDATE SET stale_since = coalesce(story_fields.stale_since, excluded.stale_since)",
            (sid, docs_key(docs), VERSION, since))
        return
    store.conn.execute(
        "INSERT INTO story_fields (story_id, docs, version, fields, stale_since, n_docs) VALUES (?, ?, ?, ?, NULL, ?)"
        " ON CONFLICT (story_id) DO UPDATE SET docs = excluded.docs, version = excluded.version,"
        " fields = excluded.fields, stale_since = NULL, n_docs = excluded.n_docs",
        (sid, docs_key(docs), VERSION, json.dumps(fields, ensure_ascii=False), len(docs)))


def refresh_story_fields(store: Store, *, budget: int | None = None) -> int:
    """Bring the stored fields up to date within the run's budget (module docstring); call
    inside a transaction at the end of the stories step (the story records are up to date).

    Stories without a row (new stories, a store of an older version) get theirs. A story the
    marks reach, or with a row of another version, is stale: it is derived again while the
    budget lasts — :data:`DOCS_PER_PLACED` story documents per document the step placed since
    its last run, plus what earlier runs left (or ``budget``, given) — the longest
    stale first, then the smallest; the first that does not fit stops the run and keeps the
    budget for the next. Stale rows are derived on read meanwhile. Drops the rows of stories
    gone, empties the marks. Returns how many rows were derived."""
    from ..corpus.persist import stories_by_id
    from .build import story_fields

    c = store.conn
    run, seq, credit = _state(store)
    run += 1
    last, placed = c.execute("SELECT coalesce(max(seq), 0), count(*) FROM story_docs WHERE seq > ?", (seq,)).fetchone()
    marked = _marks(store)
    c.execute("DELETE FROM story_fields WHERE story_id NOT IN (SELECT id FROM stories)")
    rows = {r[0]: (r[1], r[2], r[3]) for r in c.execute(
        "SELECT story_id, version, fields IS NULL, stale_since FROM story_fields")}
    new = [r[0] for r in c.execute("SELECT id FROM stories WHERE id NOT IN (SELECT story_id FROM story_fields)")]
    stale = affected_stories(store, marked) | {sid for sid, (version, empty, since) in rows.items()
                                                if version != VERSION or empty or since is not None}
    stale -= set(new)
    found = {st.id: st for st in stories_by_id(store, sorted(set(new) | stale))}
    written = 0
    for sid in sorted(new):  # bounded by what the run placed (or a one-time fill)
        story = found.get(sid)
        if story is not None:
            _write(store, sid, story.documents, story_fields(store, story.documents), None)
            written += 1
    for sid in stale - set(found):  # no current member left
        c.execute("DELETE FROM story_fields WHERE story_id = ?", (sid,))
    budget = credit + DOCS_PER_PLACED * int(placed) if budget is None else budget
    order = sorted((sid for sid in stale if sid in found),
                   key=lambda sid: (rows.get(sid, ("", 0, None))[2] or run, len(found[sid].documents), sid))
    waiting = False
    for sid in order:
        story = found[sid]
        if waiting or len(story.documents) > budget:
            waiting = True
            _write(store, sid, story.documents, None, run)
            continue
        budget -= len(story.documents)
        _write(store, sid, story.documents, story_fields(store, story.documents), None)
        written += 1
    c.execute("INSERT INTO story_fields_state (id, run, seq, credit) VALUES (1, ?, ?, ?) ON CONFLICT (id)"
              " DO UPDATE SET run = excluded.run, seq = excluded.seq, credit = excluded.credit",
              (run, max(seq, int(last)), budget if waiting else 0))
    c.execute("DELETE FROM story_fields_stale")
    return written


def stored_story_fields(
    store: Store, stories: Sequence[Story]
) -> tuple[dict[str, dict[str, Any]], dict[str, tuple[dict[str, Any], int | None]]]:
    """The stored fields of those ``stories`` whose row holds (module docstring), by story id,
    and the last stored fields of the others that have some (this code's), with how many
    documents they were derived from (None: a row of migration 11). ({}, {}) for a store
    without the rows (an older version opened read-only)."""
    try:
        marks = _marks(store, READ_MARKS + 1)
        reached = affected_stories(store, marks) if len(marks) <= READ_MARKS else None
        want = {st.id: docs_key(st.documents) for st in stories}
        sql = ("SELECT story_id, docs, version, fields, stale_since, {} FROM story_fields"
               " WHERE story_id IN (SELECT value FROM json_each(?))")
        try:
            rows = _in_json(store, sql.format("n_docs"), want)
        except sqlite3.OperationalError:  # a store of migration 11 opened read-only
            rows = _in_json(store, sql.format("NULL"), want)
    except sqlite3.OperationalError:
        return {}, {}
    held: dict[str, dict[str, Any]] = {}
    last: dict[str, tuple[dict[str, Any], int | None]] = {}
    for sid, docs, version, fields, since, n in rows:
        if fields is None or version != VERSION:
            continue
        if since is None and want.get(sid) == docs and reached is not None and sid not in reached:
            held[sid] = json.loads(fields)
        else:
            last[sid] = (json.loads(fields), n)
    return held, last


def story_records(
    store: Store, stories: Sequence[Story], *, read_docs: int | None = None
) -> Iterator[dict[str, Any]]:
    """records.md Story of each of ``stories``: its structure with its ``summary``, ``events``
    and ``claims``, read from the stored row where it holds, else derived
    (:func:`~.build.story_fields`) while the stories derived so far hold at most ``read_docs``
    (default :data:`READ_DOCS`) documents; past that a story with stored fields from before shows those, with
    ``fields_stale``: the documents they were derived from and the story's documents now (a
    story with none is derived whatever its size). A story too large for the budget does not
    stop smaller ones after it from being derived."""
    from .build import story_fields

    held, last = stored_story_fields(store, stories)
    left = READ_DOCS if read_docs is None else read_docs
    left -= sum(len(st.documents) for st in stories if st.id not in held and st.id not in last)
    derive: set[str] = set()
    for st in sorted((st for st in stories if st.id in last and st.id not in held), key=lambda st: len(st.documents)):
        if len(st.documents) > left:
            break
        left -= len(st.documents)
        derive.add(st.id)
    for st in stories:
        fields = held.get(st.id)
        if fields is None:
            before = last.get(st.id)
            if before is not None and st.id not in derive:
                fields = {**before[0], "fields_stale": {"derived_from_documents": before[1],
                                                        "documents": len(st.documents)}}
            else:
                fields = story_fields(store, st.documents)
        yield {**st.to_record(), **fields}
