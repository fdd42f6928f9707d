"""Resolved entities, places and time expressions as stored corpus layers: computed when
documents arrive, read without touching the documents.

**What is stored** (schema migration 7). For every current, ok document taken in:

* its entity mentions (``entity_mentions``: document, index, offsets, text, type, canonical
  name, resolution key, role, title, affiliation, and the *phase* described below);
* its places (body places with the text at each, dateline places, the dateline) and its time
  expressions as the listings print them (``doc_listings``, one JSON row per document).

And for the corpus, the state of cross-document resolution: one row per resolution key
(``entity_keys``: the entity it resolves to, and what decided it) and, for people, the pairs
of names that score at least the threshold (``entity_sims``).

**The same ids as the batch function, whatever order documents arrive in.**
:func:`storyline.corpus.annotations.entity_records` resolves with
:func:`storyline.annotate.entities.resolve_across`: every mention in the order (phase, doc id,
index) — phase 0 first (organisations, groups, outlets and people named by two or more
words), then phase 1 (people named by one word) — through an
:class:`~storyline.annotate.entities.EntityIndex`. Reading that algorithm closely, its order
matters only inside small independent parts, and each part can be recomputed on its own:

* a key seen first as anything but a person (in phase 0) is its own entity,
  ``entity_id(key)``: order-free (``kind = fixed``; also a phase-1 key of no core word);
* people named in full form *blocks* by the consonant skeleton of the surname; a key either
  joins the best-scoring entity of its block seen before it or starts its own. Only the
  block's keys, in order of their first mention (doc id, index), decide, so a block is
  replayed alone when one of its keys arrives, leaves or moves (``kind = person``). The
  replay scores nothing again: the pairs above the threshold are stored when a key enters
  the block (:func:`storyline.annotate.entities.name_similarity` against the block's other
  keys: the candidate step, proportional to the block, not the corpus);
* a person named by one word joins the single full-name entity of its block, if there is
  exactly one in the whole corpus, else is its own (``kind = surname``): recomputed with its
  block.

So the stored entities equal ``entity_records`` of the current documents record for record —
same ids, fields and order — however the documents were batched or ordered on arrival; the
tests check this on the sample corpus in 1-document batches and at once, on crafted names in
random orders with documents leaving and coming back, and on PolNeAR documents arriving in
shuffled order. Order does matter: on 1,099 news documents (799 PolNeAR/TempEval/ECB+, 300
replicas) an :class:`EntityIndex` fed one document at a time in store order gives 4,865 of the
47,051 mentions another id than ``entity_records`` does. :func:`rebuild_entities` (``analyze --rebuild``) drops
and recomputes everything; it gives the same result and exists for a damaged or hand-edited
store. An entity with no mention left has no key left: it is gone.

**Reads** (:func:`entity_list`, :func:`entity_of`, :func:`place_list`, :func:`time_list`)
are SQL over these rows plus the record builders the batch functions use
(:func:`~storyline.corpus.annotations.entity_record`,
:func:`~storyline.corpus.annotations.group_places`): they read what the answer holds, not the
documents' text and layers. ``bench/entities.py`` on that store, CPU seconds of a fresh
``storyline … --json`` process (0.3 s of it the interpreter's start), before → after: at 300
documents entities 1.32 → 0.45, places 0.86 → 0.34, times 0.95 → 0.35; at 1,099 documents
4.95 → 1.35, 3.87 → 0.70, 3.60 → 0.63 (what is left grows with the answer: every mention is
printed). ``--limit N`` builds only the entities that can be among the first N. Keeping the
layer costs 4.0 ms (300) and 5.2 ms (1,099) of CPU per added document, 1–2 ms per document
taken out.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import StorylineError
from ..layers import CODECS
from ..records import EntityMention, PlaceMention
from ..store import Store
from .annotations import DocPlaces, doc_times, entity_record, group_places, sort_entities
from .scope import changes, chunks, ensure_config, mark_indexed, unmark

__all__ = [
    "STEP",
    "entity_list",
    "entity_of",
    "place_list",
    "rebuild_entities",
    "time_list",
    "update_entities",
]

STEP = "entities"
THRESHOLD = 0.9  # EntityIndex's default: resolve_across as entity_records calls it
# the stored rows' format and the resolution parameters: other values rebuild the step
CONFIG = json.dumps({"format": 1, "threshold": THRESHOLD})

_SLOTS = ("entities", "places", "dateline_places", "times")


def _in(n: int) -> str:
    return ",".join("?" * n)


# --------------------------------------------------------------------------- writing


def update_entities(store: Store, *, batch_size: int = 64) -> int:
    """Take in every current, ok document not yet taken in (in store order, ``batch_size``
    per transaction) after taking out those superseded, rejected, deleted or re-analysed.
    Idempotent; a killed run leaves whole batches and the next run goes on. Returns how many
    documents were added."""
    with store.transaction():
        if ensure_config(store, STEP, CONFIG):
            _clear(store)
        todo = changes(store, STEP)
        if todo.forget:
            _apply(store, removed=todo.forget, added=[])
            unmark(store, STEP, todo.forget)
    for batch in chunks(todo.add, max(1, batch_size)):
        with store.transaction():
            _apply(store, removed=[], added=list(batch))
            mark_indexed(store, STEP, todo.stamps, batch)
    return len(todo.add)


def rebuild_entities(store: Store, *, batch_size: int = 64) -> int:
    """Drop the stored entities, places and times and take every current document in again
    (the result equals :func:`update_entities`'; see the module docstring). Returns how many
    documents were taken in."""
    with store.transaction():
        store.conn.execute("DELETE FROM corpus_steps WHERE step = ?", (STEP,))
    return update_entities(store, batch_size=batch_size)


def _clear(store: Store) -> None:
    for table in ("entity_mentions", "entity_keys", "entity_sims", "doc_listings"):
        store.conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names


def _apply(store: Store, *, removed: Sequence[str], added: Sequence[str]) -> None:
    """Take ``removed`` out and ``added`` in, then bring every key they touch, and the blocks
    of those keys, up to date. Call inside a transaction."""
    c = store.conn
    touched: set[str] = set()
    for part in chunks(list(removed)):
        q = _in(len(part))
        touched.update(r[0] for r in c.execute(f"SELECT DISTINCT key FROM entity_mentions WHERE doc_id IN ({q})", part))
        c.execute(f"DELETE FROM entity_mentions WHERE doc_id IN ({q})", part)
        c.execute(f"DELETE FROM doc_listings WHERE doc_id IN ({q})", part)
    for doc in _read_docs(store, added):
        touched.update(_insert_doc(store, doc))
    _resolve(store, touched)


# --- documents in


@dataclass(slots=True)
class _DocRows:
    id: str
    seq: int
    text: str
    dateline: str | None
    layers: dict[str, list[Any]]


def _read_docs(store: Store, ids: Sequence[str]) -> Iterable[_DocRows]:
    """The four layers the listings need, decoded (not the whole document)."""
    for part in chunks(list(ids)):
        q = _in(len(part))
        layers: dict[str, dict[str, list[Any]]] = defaultdict(dict)
        for r in store.conn.execute(
            f"SELECT doc_id, slot, data FROM layers WHERE doc_id IN ({q}) AND slot IN ({_in(len(_SLOTS))})",
            [*part, *_SLOTS],
        ):
            layers[r[0]][r[1]] = CODECS[r[1]][1](json.loads(r[2]))
        for r in store.conn.execute(f"SELECT id, rowid, text, meta FROM documents WHERE id IN ({q})", part):
            meta = json.loads(r[3]) if r[3] else {}
            yield _DocRows(r[0], r[1], r[2] or "", meta.get("dateline"), layers.get(r[0], {}))


def _insert_doc(store: Store, doc: _DocRows) -> set[str]:
    from ..annotate.entities import PERSON

    rows = []
    if doc.text:  # entity_records leaves documents without text out
        for i, m in enumerate(doc.layers.get("entities", [])):
            span = doc.text[m.start:m.end]
            phase = int(m.type == PERSON and len(_words(m.canonical)) < 2)
            rows.append((doc.id, i, phase, m.key, m.start, m.end, m.text, None if span == m.text else span,
                         m.type, m.canonical, m.role, m.title, m.affiliation))
    store.conn.executemany(
        "INSERT INTO entity_mentions (doc_id, idx, phase, key, start_at, end_at, text, span, type, canonical,"
        " role, title, affiliation) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    places = {
        "dateline": doc.dateline,
        "body": [[p.to_record(), doc.text[p.start:p.end]] for p in doc.layers.get("places", [])],
        "filed": [p.to_record() for p in doc.layers.get("dateline_places", [])],
    }
    times = doc_times(doc.id, doc.text, doc.layers.get("times", []))
    store.conn.execute(
        "INSERT INTO doc_listings (doc_id, doc_seq, places, times) VALUES (?, ?, ?, ?)",
        (doc.id, doc.seq, _dumps(places), _dumps(times)),
    )
    return {r[3] for r in rows}


def _dumps(x: Any) -> str:
    return json.dumps(x, ensure_ascii=False, separators=(",", ":"))


def _words(name: str) -> list[str]:
    from ..annotate.entities import _core, _name_words

    return _core(_name_words(name))


def _block_of(name: str) -> str:
    from ..annotate.entities import _skeleton

    w = _words(name)[-1]
    return _skeleton(w) or w


# --- keys and blocks


@dataclass(frozen=True, slots=True)
class _Key:
    """What decides a key's entity: ``kind`` fixed (its own entity), person (replayed in its
    block) or surname (the block's single full-name entity, else its own); the first mention
    in resolution order and its canonical name."""

    kind: str
    block: str | None
    doc_id: str
    idx: int
    canonical: str


def _describe(store: Store, key: str) -> _Key | None:
    """The key as the batch resolution first meets it: its first phase-0 mention, else its
    first phase-1 mention; None when no mention is left."""
    from ..annotate.entities import PERSON

    for phase in (0, 1):
        r = store.conn.execute(
            "SELECT type, canonical, doc_id, idx FROM entity_mentions WHERE key = ? AND phase = ?"
            " ORDER BY doc_id, idx LIMIT 1",
            (key, phase),
        ).fetchone()
        if r is None:
            continue
        if r[0] != PERSON or not _words(r[1]):  # phase 0 non-person; phase 1 with no core word
            return _Key("fixed", None, r[2], r[3], r[1])
        return _Key("person" if phase == 0 else "surname", _block_of(r[1]), r[2], r[3], r[1])
    return None


def _resolve(store: Store, keys: set[str]) -> None:
    """Bring ``keys`` up to date, then replay every block one of them entered, left or moved in."""
    from ..annotate.entities import entity_id

    c = store.conn
    dirty: set[str] = set()
    rescore: list[str] = []
    for key in sorted(keys):
        old = c.execute("SELECT kind, block, doc_id, idx, canonical FROM entity_keys WHERE key = ?", (key,)).fetchone()
        was = _Key(*old) if old is not None else None
        now = _describe(store, key)
        if now == was:
            continue
        for k in (was, now):
            if k is not None and k.block is not None:
                dirty.add(k.block)
        if was is not None and was.kind == "person" and (now is None or (now.kind, now.block, now.canonical)
                                                          != (was.kind, was.block, was.canonical)):
            c.execute("DELETE FROM entity_sims WHERE a = ? OR b = ?", (key, key))
        if now is None:
            c.execute("DELETE FROM entity_keys WHERE key = ?", (key,))
            continue
        if now.kind == "person" and (was is None or (now.kind, now.block, now.canonical)
                                     != (was.kind, was.block, was.canonical)):
            rescore.append(key)
        c.execute(
            "INSERT INTO entity_keys (key, entity_id, kind, block, doc_id, idx, canonical) VALUES (?,?,?,?,?,?,?)"
            " ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, block = excluded.block,"
            " doc_id = excluded.doc_id, idx = excluded.idx, canonical = excluded.canonical,"
            " entity_id = CASE WHEN excluded.kind = 'fixed' THEN excluded.entity_id ELSE entity_keys.entity_id END",
            (key, entity_id(key), now.kind, now.block, now.doc_id, now.idx, now.canonical),
        )
    _score(store, rescore)
    for block in sorted(dirty):
        _replay(store, block)


def _score(store: Store, keys: Sequence[str]) -> None:
    """Store the name pairs of each key with the other person keys of its block that score
    at least the threshold: the candidates (block) and score steps of resolution."""
    from ..annotate.entities import name_similarity

    c = store.conn
    for key in keys:
        block, name = c.execute("SELECT block, canonical FROM entity_keys WHERE key = ?", (key,)).fetchone()
        pairs = []
        for other, other_name in c.execute(
            "SELECT key, canonical FROM entity_keys WHERE block = ? AND kind = 'person' AND key != ?", (block, key)
        ).fetchall():
            for a, b, s in ((key, other, name_similarity(name, other_name)),
                            (other, key, name_similarity(other_name, name))):
                if s >= THRESHOLD:
                    pairs.append((a, b, s))
        c.executemany(
            "INSERT INTO entity_sims (a, b, score) VALUES (?, ?, ?) ON CONFLICT (a, b) DO UPDATE SET score = excluded.score",
            pairs,
        )


def _replay(store: Store, block: str) -> None:
    """Resolve a block's keys as :class:`~storyline.annotate.entities.EntityIndex` does when
    resolve_across adds them in order: a full name joins the best-scoring entity before it
    (score, then id, highest), scored against that entity's fullest name so far, else starts
    its own; then each one-word name joins the block's single entity if there is one."""
    from ..annotate.entities import entity_id

    c = store.conn
    rows = c.execute(
        "SELECT key, kind, canonical, entity_id FROM entity_keys WHERE block = ? ORDER BY doc_id, idx", (block,)
    ).fetchall()
    people = [r for r in rows if r[1] == "person"]
    sims: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for part in chunks([r[0] for r in people]):
        for a, b, s in c.execute(f"SELECT a, b, score FROM entity_sims WHERE a IN ({_in(len(part))})", part):
            sims[a].append((b, s))
    ent_of: dict[str, str] = {}
    name_of: dict[str, str] = {}  # entity → the key whose canonical is its fullest name so far
    size = {r[0]: len(_words(r[2])) for r in people}
    for key, _, _, _ in people:
        best: tuple[float, str] | None = None
        for other, s in sims.get(key, ()):
            e = ent_of.get(other)
            if e is not None and name_of.get(e) == other and (best is None or (s, e) > best):
                best = (s, e)
        eid = best[1] if best is not None else entity_id(key)
        ent_of[key] = eid
        if eid not in name_of or size[key] > size[name_of[eid]]:
            name_of[eid] = key
    full = set(ent_of.values())
    single = next(iter(full)) if len(full) == 1 else None
    updates = [(ent_of[r[0]], r[0]) for r in people if ent_of[r[0]] != r[3]]
    updates += [(single or entity_id(r[0]), r[0]) for r in rows
                if r[1] == "surname" and (single or entity_id(r[0])) != r[3]]
    c.executemany("UPDATE entity_keys SET entity_id = ? WHERE key = ?", updates)


# --------------------------------------------------------------------------- reading


def _ready(store: Store) -> None:
    """E506 unless this step has taken the store in with the present parameters (a store
    written by an older storyline, or ingested without corpus steps: ``storyline analyze``
    once brings it up to date). Readers never compute the step themselves."""
    try:
        row = store.conn.execute("SELECT config FROM corpus_steps WHERE step = ?", (STEP,)).fetchone()
    except sqlite3.OperationalError as exc:
        row, reason = None, f"{exc}; open the store once with `storyline analyze`"
    else:
        reason = "the store's documents are not indexed for them yet; run `storyline analyze` once"
    if row is None or row[0] != CONFIG:
        raise StorylineError("E506", feature="entity, place and time listings", reason=reason)

_MENTION_COLUMNS = ("m.doc_id, m.idx, m.phase, m.start_at, m.end_at, m.text, m.span, m.type, m.canonical,"
                    " m.role, m.title, m.affiliation, m.key, k.entity_id")


def _records(rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """Entity records from mention rows, grouped and ordered as entity_records does."""
    ordered = sorted(rows, key=lambda r: (r[2], r[0], r[1]))  # resolution order: phase, doc id, index
    groups: dict[str, list[tuple[str, EntityMention, str]]] = {}
    for r in ordered:
        m = EntityMention(start=r[3], end=r[4], text=r[5], type=r[7], canonical=r[8], key=r[12], role=r[9],
                          title=r[10], affiliation=r[11])
        groups.setdefault(r[13], []).append((r[0], m, r[5] if r[6] is None else r[6]))
    return sort_entities([entity_record(eid, items) for eid, items in groups.items()])


def entity_list(store: Store, *, type: str | None = None,  # noqa: A002 - the CLI's name
                limit: int | None = None) -> list[dict[str, Any]]:
    """records.md "Entity" of every resolved entity (of ``type`` if given; the first ``limit``),
    in the listing order of :func:`~storyline.corpus.annotations.entity_records`. With a
    ``limit`` (and no ``type``) only the entities that can be among the first are built: the
    mention counts come from the key index, the records from those entities' rows."""
    _ready(store)
    if limit is not None and type is None:
        ent = dict(store.conn.execute("SELECT key, entity_id FROM entity_keys").fetchall())
        counts: Counter[str] = Counter()
        for key, n in store.conn.execute("SELECT key, count(*) FROM entity_mentions GROUP BY key"):
            counts[ent[key]] += n
        if len(counts) > limit:
            floor = sorted(counts.values(), reverse=True)[max(0, limit - 1)]
            chosen = sorted(e for e, n in counts.items() if n >= floor)
            rows: list[Any] = []
            for part in chunks(chosen):
                rows += store.conn.execute(
                    f"SELECT {_MENTION_COLUMNS} FROM entity_keys k JOIN entity_mentions m ON m.key = k.key"
                    f" WHERE k.entity_id IN ({_in(len(part))})", part,
                ).fetchall()
            return _records(rows)[:limit]
    records = _records(store.conn.execute(
        f"SELECT {_MENTION_COLUMNS} FROM entity_mentions m JOIN entity_keys k ON k.key = m.key"
    ).fetchall())
    if type:
        records = [r for r in records if r["type"] == type]
    return records if limit is None else records[:limit]


def entity_of(store: Store, entity: str) -> dict[str, Any] | None:
    """records.md "Entity" of one entity by id; None when no current document mentions it."""
    _ready(store)
    rows = store.conn.execute(
        f"SELECT {_MENTION_COLUMNS} FROM entity_keys k JOIN entity_mentions m ON m.key = k.key WHERE k.entity_id = ?",
        (entity,),
    ).fetchall()
    records = _records(rows)
    return records[0] if records else None


def place_list(store: Store, *, include_unresolved: bool = True) -> list[dict[str, Any]]:
    """records.md "Place", as :func:`~storyline.corpus.annotations.place_records` lists them."""
    def docs() -> Iterable[DocPlaces]:
        for doc_id, data in store.conn.execute("SELECT doc_id, places FROM doc_listings ORDER BY doc_seq"):
            d = json.loads(data)
            yield DocPlaces(doc_id, [(_place(p), text) for p, text in d["body"]], [_place(p) for p in d["filed"]],
                            d["dateline"])

    _ready(store)
    return group_places(docs(), include_unresolved=include_unresolved)


def _place(rec: dict[str, Any]) -> PlaceMention:
    rec["candidates"] = tuple(rec.get("candidates") or ())
    return PlaceMention(**rec)


def time_list(store: Store) -> list[dict[str, Any]]:
    """records.md "Time expression", as :func:`~storyline.corpus.annotations.time_records` lists them."""
    _ready(store)
    out: list[dict[str, Any]] = []
    for (data,) in store.conn.execute("SELECT times FROM doc_listings ORDER BY doc_seq"):
        out.extend(json.loads(data))
    return out
