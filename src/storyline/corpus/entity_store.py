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
taken out. The step moves its mark in the document log when done (:func:`.scope.finish`), as
claims and events do; before, every run read the whole log: at 10,000 documents, 100 taken
out and in again cost 5.8–6.0 ms of CPU per added document before and 1.84–1.87 ms after
(0.47 s → 0.07 s to take them out).

**Partial reads** (the web app: a page reads what it shows): :func:`entity_ids_in` (one
document's mentions), :func:`entity_page` (a page of the listing: mention counts from the key
index, records or :func:`entity_summaries` of the page's entities only), :func:`entity_sample`
(an entity's first mentions and its counts). On a 10,000-document store (``/entities`` and an
entity page, before → after, first request after an ingest): 28 s → 2.7 s and 42 s → 0.6 s. A
step that has not run yet is read as it stands (empty), not E506: the listings say how many
documents are missing, as claims and events do.

**Key counts** (migration 15, ``entity_key_values``): per resolution key, how many of its
mentions carry each name form, text, role, title and affiliation, with the first of them in
resolution order, and how many documents name it — kept by this step by difference as
documents arrive and leave (:class:`_KeyValues`). A page's order (:func:`_entity_counts`), its
summaries and an entity's roles, titles and affiliations are sums over the entities' keys; its
first mentions and documents are read a key at a time through ``entity_mentions_key_doc``
(at most M rows a key). Before, they aggregated every mention of the page's entities, the most
mentioned of the corpus. The entity rows of the 30,000-document replica store (1.2M mentions),
CPU seconds of ``entity_list(limit=100, mentions=100)``, old → new, the same records:
4.6-4.8 → 0.13-0.16 (people: 5.5-5.7 → 0.15-0.18; the app's summary page of 50 1.8-1.9 →
0.08-0.11); ``entities --limit 100 --json`` at 4,000 documents 0.62-0.65 → 0.24-0.26 (the
interpreter's start included). The entity step pays 0.5-0.7 ms more per added document
(2.3 → 3.0 at 4,000), the store 2.4 KB a document; the migration counts 1.2M mentions in ~20 s.
An entity of several keys counts its documents from its keys' mentions (a document can name
two of them).

**The place index** (migration 9), kept by this step in the same transactions as the
listings: per place and document naming it its mention counts (``place_docs``), per place and
text naming it in how many documents (``place_aliases``), and per place its summary
(``places``: the fields of its first mention, the aliases, ``mention_count``,
``document_count`` and the first mention's position, the listing order's tie-break, indexed
in the listing order). A document taken in or out changes its places' rows by difference:
counts added or subtracted, the first mention read again only when its document left (the
first document left naming the place, found in ``place_docs``) — not every document naming
the place (the United States: most of them). So :func:`place_page` (a page of the listing and
the total), :func:`place_summary`, :func:`place_index` read summary rows;
:func:`place_records_of` / :func:`place_of` / :func:`place_sample` read the listings of the
documents ``place_docs`` gives for those places only, and build only those places' mentions.
Before, every one of them parsed every document's listed places (a SQL pass over all the
JSON, or a text search over it). A store made before the index (migration 9 makes its tables
empty) is filled from the stored listings by the next ``storyline analyze``
(:func:`_fill_places`: 0.2–0.3 s for 900 documents, 2.1–3.8 s for 10,000; the documents are
not taken in again); until then place reads are E506. Measured (cold first request of a
fresh app, wall seconds, two runs on this 2-core machine shared with other work; replicated
real news), 1,000 → 10,000 documents, before → after: ``/places`` 0.35–0.89 → 0.12–0.20 and 2.6–5.1 → 0.27–0.30;
``/api/places?limit=100&full=false`` 0.23–0.45 → 0.02–0.03 and 2.2–4.5 → 0.08–0.18; a place's
page (the most named, the 50th) 3.9–5.1 → 0.05–0.47 at 10,000; ``/api/places?limit=100``
(whole records: 7.7 MB at 10,000, every mention of those places) 6.5–18.2 → 3.8–8.1 at
10,000, and ``storyline places --json --limit 100`` (8.5 MB) 4.2–4.7 → 3.6–4.0: what is left
is the answer (the 100 most-named places are named by nearly every document). Keeping the
index costs no measurable CPU per added document (within ±0.2 ms of 2.5–3.3 ms at 1,000);
it takes 0.57 MB at 900 documents and 3.8 MB at 10,000 (0.14 % of that store).
"""

from __future__ import annotations

import heapq
import itertools
import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from ..errors import StorylineError
from ..layers import CODECS
from ..records import EntityMention, PlaceMention
from ..store import Store
from ..types import Span
from .annotations import DocPlaces, doc_times, entity_record, group_places, sort_entities
from .scope import changes, chunks, ensure_config, finish, mark_indexed, unmark

__all__ = [
    "STEP",
    "entity_ids_in",
    "entity_list",
    "entity_of",
    "entity_page",
    "entity_sample",
    "entity_summaries",
    "missing_documents",
    "place_index",
    "place_list",
    "place_of",
    "place_page",
    "place_records_of",
    "place_sample",
    "place_summary",
    "rebuild_entities",
    "time_list",
    "update_entities",
]

STEP = "entities"
THRESHOLD = 0.9  # EntityIndex's default: resolve_across as entity_records calls it
# the stored rows' format and the resolution parameters: other values rebuild the step
CONFIG = json.dumps({"format": 1, "threshold": THRESHOLD})
# the place index (migration 9): kept with the step's rows; a store without it (made before)
# is filled from the stored listings once (:func:`_fill_places`), not by taking documents in again
PLACES_STEP = "entities.places"
PLACES_CONFIG = json.dumps({"format": 1})
_PLACE_TABLES = ("place_docs", "place_aliases", "places")

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
        if ensure_config(store, PLACES_STEP, PLACES_CONFIG):  # a store made before the place index
            _fill_places(store)
        todo = changes(store, STEP)
        if todo.forget:
            _apply(store, removed=todo.forget, added=[])
            unmark(store, STEP, todo.forget)
    for batch in chunks(todo.add, max(1, batch_size)):
        with store.transaction():
            _apply(store, removed=[], added=list(batch))
            mark_indexed(store, STEP, todo.stamps, batch)
    finish(store, STEP, todo)
    return len(todo.add)


def rebuild_entities(store: Store, *, batch_size: int = 64) -> int:
    """Drop the stored entities, places and times and take every current document in again
    (the result equals :func:`update_entities`'; see the module docstring). Returns how many
    documents were taken in."""
    with store.transaction():
        store.conn.execute("DELETE FROM corpus_steps WHERE step = ?", (STEP,))
    return update_entities(store, batch_size=batch_size)


def _clear(store: Store) -> None:
    for table in ("entity_mentions", "entity_key_values", "entity_keys", "entity_sims", "doc_listings",
                  *_PLACE_TABLES):
        store.conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names


def _apply(store: Store, *, removed: Sequence[str], added: Sequence[str]) -> None:
    """Take ``removed`` out and ``added`` in, then bring every key they touch, and the blocks
    of those keys, up to date. Call inside a transaction."""
    c = store.conn
    touched: set[str] = set()
    places = _PlaceDelta()
    gone = _KeyValues()
    for part in chunks(list(removed)):
        q = _in(len(part))
        gone.take(c.execute(f"SELECT {_VALUE_COLUMNS} FROM entity_mentions WHERE doc_id IN ({q})", part))
        touched.update(k for k, _, _ in gone.rows)
        for doc_id, seq, data in c.execute(f"SELECT doc_id, doc_seq, places FROM doc_listings WHERE doc_id IN ({q})",
                                           part):
            places.take(doc_id, seq, json.loads(data), sign=-1)
        c.execute(f"DELETE FROM entity_mentions WHERE doc_id IN ({q})", part)
        c.execute(f"DELETE FROM doc_listings WHERE doc_id IN ({q})", part)
    gone.subtract(store)
    counted = _KeyValues()
    for doc in _read_docs(store, added):
        touched.update(_insert_doc(store, doc, places, counted))
    counted.add(store)
    _resolve(store, touched)
    places.write(store)


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


def _insert_doc(store: Store, doc: _DocRows, delta: _PlaceDelta, counted: _KeyValues) -> set[str]:
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
    counted.take((r[3], r[2], r[0], r[1], r[6], r[8], r[9], r[10], r[11], r[12]) for r in rows)
    places = {
        "dateline": doc.dateline,
        "body": [[p.to_record(), doc.text[p.start:p.end]] for p in doc.layers.get("places", [])],
        "filed": [p.to_record() for p in doc.layers.get("dateline_places", [])],
    }
    delta.take(doc.id, doc.seq, places, sign=1)
    times = doc_times(doc.id, doc.text, doc.layers.get("times", []))
    store.conn.execute(
        "INSERT INTO doc_listings (doc_id, doc_seq, places, times) VALUES (?, ?, ?, ?)",
        (doc.id, doc.seq, _dumps(places), _dumps(times)),
    )
    return {r[3] for r in rows}


# the mention columns a key's summary rows count (migration 15: ``entity_key_values``)
_VALUE_COLUMNS = "key, phase, doc_id, idx, text, type, canonical, role, title, affiliation"
_SEP = "\x1f"  # a name form's value: canonical, this, type
_OPTIONAL = ("role", "title", "affiliation")  # counted where set (not NULL, not empty)
_FIELD_WHERE = {"form": "canonical || char(31) || type = ?", "text": "text = ?", **{c: f"{c} = ?" for c in _OPTIONAL}}
_FIRST = "min(printf('%d|%s|%012d', phase, doc_id, idx))"  # the first mention in resolution order, as text


class _KeyValues:
    """Per resolution key, what its mentions count: each name form, text, role, title and
    affiliation (with its first mention in resolution order, ``phase|doc|idx`` as the reads'
    SQL writes it) and the documents naming it (``docs``). Taken from the mentions of the
    documents that arrive (added) or leave (subtracted): the rows change by difference, and a
    row's first mention is looked up again only when it left (the key's mention with the
    smallest document id, rarely the one leaving)."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str, str], list[Any]] = {}  # (key, field, value) → [n, first]

    def take(self, mentions: Iterable[Sequence[Any]]) -> None:
        docs: set[tuple[str, str]] = set()
        for key, phase, doc_id, idx, text, type_, canonical, role, title, affiliation in mentions:
            first = f"{phase}|{doc_id}|{idx:012d}"
            for field, value in (("form", f"{canonical}{_SEP}{type_}"), ("text", text),
                                 *zip(_OPTIONAL, (role, title, affiliation))):
                if value is None or (value == "" and field in _OPTIONAL):
                    continue
                row = self.rows.setdefault((key, field, value), [0, first])
                row[0] += 1
                row[1] = min(row[1], first)
            if (key, doc_id) not in docs:
                docs.add((key, doc_id))
                self.rows.setdefault((key, "docs", ""), [0, ""])[0] += 1

    def add(self, store: Store) -> None:
        store.conn.executemany(
            "INSERT INTO entity_key_values (key, field, value, n, first) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (key, field, value) DO UPDATE SET n = n + excluded.n, first = min(first, excluded.first)",
            [(*k, n, first) for k, (n, first) in sorted(self.rows.items())],
        )

    def subtract(self, store: Store) -> None:
        """Take these counts out (their mentions were deleted already)."""
        c = store.conn
        rows = sorted(self.rows.items())
        c.executemany("UPDATE entity_key_values SET n = n - ? WHERE key = ? AND field = ? AND value = ?",
                      [(n, *k) for k, (n, _) in rows])
        c.executemany("DELETE FROM entity_key_values WHERE key = ? AND field = ? AND value = ? AND n <= 0",
                      [k for k, _ in rows])
        for field, where in _FIELD_WHERE.items():
            c.executemany(
                f"UPDATE entity_key_values SET first = (SELECT {_FIRST}"
                f" FROM entity_mentions WHERE key = ? AND {where})"  # noqa: S608 - fixed clauses
                " WHERE key = ? AND field = ? AND value = ? AND first = ?",
                [(k[0], k[2], *k, first) for k, (_, first) in rows if k[1] == field],
            )


def _dumps(x: Any) -> str:
    return json.dumps(x, ensure_ascii=False, separators=(",", ":"))


def _words(name: str) -> list[str]:
    from ..annotate.entities import _core, _name_words

    return _core(_name_words(name))


def _block_of(name: str) -> str:
    from ..annotate.entities import _skeleton

    w = _words(name)[-1]
    return _skeleton(w) or w


# --- the place index


@dataclass(slots=True)
class _PlaceDoc:
    """One document's part in one place, as :func:`group_places` counts it: mentions in the
    body and in the dateline, the texts naming it there, and its first mention there ((0 body
    | 1 dateline), index) with that mention's stored record."""

    body: int = 0
    filed: int = 0
    aliases: set[str] = dc_field(default_factory=set)
    first: tuple[int, int] = (2, 0)
    rep: dict[str, Any] = dc_field(default_factory=dict)


def _place_parts(places: dict[str, Any]) -> dict[str, _PlaceDoc]:
    """A document's stored places (``doc_listings.places``) by listing key."""
    out: dict[str, _PlaceDoc] = {}
    for part, items in ((0, [p for p, _ in places["body"]]), (1, places["filed"])):
        for i, p in enumerate(items):
            key = _place_key(p, body=part == 0)
            if key is None:
                continue
            d = out.setdefault(key, _PlaceDoc())
            d.body += part == 0
            d.filed += part == 1
            d.aliases.add(p["text"])
            if (part, i) < d.first:
                d.first, d.rep = (part, i), p
    return out


class _PlaceDelta:
    """Documents' parts in places taken out (``sign`` -1) and in (+1) by one transaction;
    :meth:`write` brings the place index up to date: the rows of those documents and the
    summaries of the places they name, from the summary's counts plus the change (not from
    every document naming the place: the United States is named by most)."""

    def __init__(self) -> None:
        self.parts: dict[str, list[tuple[int, int, str, _PlaceDoc]]] = defaultdict(list)  # key → (sign, seq, doc, part)

    def take(self, doc_id: str, seq: int, places: dict[str, Any], *, sign: int) -> None:
        for key, part in _place_parts(places).items():
            self.parts[key].append((sign, seq, doc_id, part))

    def write(self, store: Store) -> None:
        c = store.conn
        rows = [(k, sign, seq, doc, p) for k, items in self.parts.items() for sign, seq, doc, p in items]
        c.executemany("DELETE FROM place_docs WHERE place_id = ? AND doc_seq = ?",
                      [(k, seq) for k, sign, seq, _, _ in rows if sign < 0])
        c.executemany("INSERT INTO place_docs (place_id, doc_seq, doc_id, body, filed) VALUES (?, ?, ?, ?, ?)",
                      [(k, seq, doc, p.body, p.filed) for k, sign, seq, doc, p in rows if sign > 0])
        aliases: Counter[tuple[str, str]] = Counter()
        for k, sign, _, _, p in rows:
            for a in p.aliases:
                aliases[k, a] += sign
        c.executemany("INSERT INTO place_aliases (place_id, alias, docs) VALUES (?, ?, ?) ON CONFLICT (place_id, alias)"
                      " DO UPDATE SET docs = docs + excluded.docs", [(k, a, n) for (k, a), n in aliases.items() if n])
        c.executemany("DELETE FROM place_aliases WHERE place_id = ? AND alias = ? AND docs <= 0",
                      [(k, a) for (k, a), n in aliases.items() if n < 0])
        for key in sorted(self.parts):
            _summarise(store, key, self.parts[key])
        self.parts.clear()


def _summarise(store: Store, key: str, change: Sequence[tuple[int, int, str, _PlaceDoc]]) -> None:
    """Bring one place's summary row up to date after ``change`` (its ``place_docs`` and
    ``place_aliases`` rows already are): counts by difference; the first mention is the
    stored one unless its document left (then the first document left naming it is read)
    or an added one comes before it."""
    c = store.conn
    row = c.execute("SELECT mention_count, document_count, first_part, first_seq, first_i FROM places"
                    " WHERE place_id = ?", (key,)).fetchone()
    mentions = (row[0] if row else 0) + sum(sign * p.body for sign, _, _, p in change)
    docs = (row[1] if row else 0) + sum(sign for sign, _, _, _ in change)
    if docs <= 0:
        c.execute("DELETE FROM places WHERE place_id = ?", (key,))
        return
    gone = {seq for sign, seq, _, _ in change if sign < 0}
    first: tuple[int, int, int] | None = None
    rep: dict[str, Any] | None = None
    if row is not None and row[3] in gone:  # the first mention left: the first document left naming it
        seq, doc_id = (c.execute("SELECT doc_seq, doc_id FROM place_docs WHERE place_id = ? AND body > 0"
                                 " ORDER BY doc_seq LIMIT 1", (key,)).fetchone()
                       or c.execute("SELECT doc_seq, doc_id FROM place_docs WHERE place_id = ? ORDER BY doc_seq LIMIT 1",
                                    (key,)).fetchone())
        data = c.execute("SELECT places FROM doc_listings WHERE doc_id = ?", (doc_id,)).fetchone()[0]
        p = _place_parts(json.loads(data))[key]
        first, rep = (p.first[0], seq, p.first[1]), p.rep
    elif row is not None:
        first = (row[2], row[3], row[4])
    for sign, seq, _, p in change:
        if sign > 0 and (first is None or (p.first[0], seq, p.first[1]) < first):
            first, rep = (p.first[0], seq, p.first[1]), p.rep
    assert first is not None
    names = sorted(r[0] for r in c.execute("SELECT alias FROM place_aliases WHERE place_id = ?", (key,)))
    if rep is None:  # the same first mention: counts and aliases only
        c.execute("UPDATE places SET mention_count = ?, document_count = ?, aliases = ? WHERE place_id = ?",
                  (mentions, docs, _dumps(names), key))
        return
    c.execute(
        "INSERT OR REPLACE INTO places (place_id, name, aliases, lat, lon, kind, country, gazetteer_id, precision,"
        " resolved, mention_count, document_count, first_part, first_seq, first_i)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (key, rep.get("name") or rep["text"], _dumps(names), rep.get("lat"), rep.get("lon"), rep.get("kind"),
         rep.get("country"), rep.get("gazetteer_id"), rep.get("precision"), rep.get("resolved"),
         mentions, docs, *first),
    )


def _fill_places(store: Store, *, batch: int = 500) -> None:
    """The place index of the documents already taken in (a store made before it), from their
    stored listings in store order. Call inside a transaction."""
    c = store.conn
    for table in _PLACE_TABLES:
        c.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
    delta, last = _PlaceDelta(), -1
    while rows := c.execute("SELECT doc_id, doc_seq, places FROM doc_listings WHERE doc_seq > ? ORDER BY doc_seq"
                            " LIMIT ?", (last, batch)).fetchall():
        for doc_id, seq, data in rows:
            delta.take(doc_id, seq, json.loads(data), sign=1)
        delta.write(store)
        last = rows[-1][1]


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
    """E506 only where nothing can be shown: a store written before these tables existed, or
    rows stored with other parameters than the present ones (``storyline analyze`` brings
    either up to date). A step that has not taken every document in (or none: a store filled
    with ``--no-corpus``) is read as it stands, as claims and events are; the listings say
    how many documents are missing (:func:`storyline.corpus.scope.behind`). Readers never
    compute the step themselves."""
    try:
        row = store.conn.execute("SELECT config FROM corpus_steps WHERE step = ?", (STEP,)).fetchone()
        store.conn.execute("SELECT 1 FROM doc_listings LIMIT 1").fetchone()
    except sqlite3.OperationalError as exc:
        raise StorylineError("E506", feature="entity, place and time listings",
                             reason=f"{exc}; open the store once with `storyline analyze`") from None
    if row is not None and row[0] != CONFIG:
        raise StorylineError("E506", feature="entity, place and time listings",
                             reason="they were stored with other parameters; run `storyline analyze` once")


#: ``entity_key_values`` computed from the mentions (what migration 15 filled it with): read in
#: its place from a store made before it and opened read-only (the web app), at the old cost
KEY_VALUES_FROM_MENTIONS = " UNION ALL ".join(
    [f"SELECT key, 'form' AS field, canonical || char(31) || type AS value, count(*) AS n, {_FIRST} AS first"
     " FROM entity_mentions GROUP BY key, canonical, type",
     f"SELECT key, 'text', text, count(*), {_FIRST} FROM entity_mentions GROUP BY key, text"]
    + [f"SELECT key, '{col}', {col}, count(*), {_FIRST} FROM entity_mentions"  # noqa: S608 - fixed names
       f" WHERE {col} IS NOT NULL AND {col} != '' GROUP BY key, {col}" for col in _OPTIONAL]
    + ["SELECT key, 'docs', '', count(DISTINCT doc_id), '' FROM entity_mentions GROUP BY key"]
)


def _key_value_rows(store: Store) -> str:
    """The table of the key counts, or the same rows from the mentions where it is missing."""
    found = store.conn.execute("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'entity_key_values'")
    return "entity_key_values" if found.fetchone() else f"({KEY_VALUES_FROM_MENTIONS})"


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
                limit: int | None = None, mentions: int | None = None) -> list[dict[str, Any]]:
    """records.md "Entity" of every resolved entity (of ``type`` if given; the first ``limit``),
    in the listing order of :func:`~storyline.corpus.annotations.entity_records`. With a
    ``limit``, the first page of :func:`entity_page` (only the entities that can be among the
    first are built: the mention counts come from the key index); with ``mentions`` too, each
    of its records holds at most that many mentions and documents (:func:`entity_sample`)."""
    if limit is not None:
        return entity_page(store, limit=limit, type=type, mentions=mentions)[0]
    _ready(store)
    records = _records(store.conn.execute(
        f"SELECT {_MENTION_COLUMNS} FROM entity_mentions m JOIN entity_keys k ON k.key = m.key"
    ).fetchall())
    return [r for r in records if r["type"] == type] if type else records


def entity_of(store: Store, entity: str) -> dict[str, Any] | None:
    """records.md "Entity" of one entity by id; None when no current document mentions it."""
    _ready(store)
    rows = store.conn.execute(
        f"SELECT {_MENTION_COLUMNS} FROM entity_keys k JOIN entity_mentions m ON m.key = k.key WHERE k.entity_id = ?",
        (entity,),
    ).fetchall()
    records = _records(rows)
    return records[0] if records else None


def place_list(store: Store, *, include_unresolved: bool = True, limit: int | None = None) -> list[dict[str, Any]]:
    """records.md "Place", as :func:`~storyline.corpus.annotations.place_records` lists them
    (the first ``limit``: the records of the first ``limit`` places of the index, read from
    the documents that name them)."""
    _places_ready(store)
    if limit is not None:
        ids = [r["id"] for r in place_page(store, limit=limit, include_unresolved=include_unresolved)[0]]
        return place_records_of(store, ids)
    return group_places(_doc_places(store, "SELECT doc_id, places FROM doc_listings ORDER BY doc_seq"),
                        include_unresolved=include_unresolved)


def _doc_places(store: Store, sql: str, args: Sequence[Any] = (), *,
                keep: set[str] | None = None) -> Iterable[DocPlaces]:
    """Documents' stored places; with ``keep``, only the mentions of those places (the others
    are not built: most of the time of reading a few places' records from many documents)."""
    for doc_id, data in store.conn.execute(sql, args):
        d = json.loads(data)
        body, filed = d["body"], d["filed"]
        if keep is not None:
            body = [(p, t) for p, t in body if _place_key(p, body=True) in keep]
            filed = [p for p in filed if _place_key(p, body=False) in keep]
        yield DocPlaces(doc_id, [(_place(p), text) for p, text in body], [_place(p) for p in filed], d["dateline"])


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


# --- partial reads (the web app: a page reads what it shows)


def missing_documents(store: Store) -> int:
    """Current, ok documents this step has not taken in yet (``storyline analyze`` takes them in)."""
    return int(store.conn.execute(
        "SELECT count(*) FROM documents d WHERE d.status = 'ok' AND d.superseded_by IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM doc_listings l WHERE l.doc_id = d.id)"
    ).fetchone()[0])


def entity_ids_in(store: Store, doc_id: str) -> dict[tuple[int, int], str]:
    """(start, end) → resolved entity id of each entity mention of one document."""
    _ready(store)
    return {(s, e): eid for s, e, eid in store.conn.execute(
        "SELECT m.start_at, m.end_at, k.entity_id FROM entity_mentions m JOIN entity_keys k ON k.key = m.key"
        " WHERE m.doc_id = ?", (doc_id,))}


def _entity_counts(store: Store, type: str | None) -> list[tuple[int, str]]:  # noqa: A002
    """(mentions, entity id) of every entity (of ``type``: the commonest type of its mentions,
    ties to the first in resolution order, as :func:`entity_record` decides), most first:
    from the keys' name-form counts, not the mentions."""
    counts: Counter[str] = Counter()
    best: dict[str, tuple[int, str, str]] = {}  # entity → (count of a type, first mention, type)
    for eid, t, n, first in store.conn.execute(
        "SELECT k.entity_id, substr(v.value, instr(v.value, char(31)) + 1) AS t, sum(v.n), min(v.first)"
        f" FROM entity_keys k JOIN {_key_value_rows(store)} v ON v.key = k.key AND v.field = 'form'"
        " GROUP BY k.entity_id, t"
    ):
        counts[eid] += n
        b = best.get(eid)
        if b is None or n > b[0] or (n == b[0] and first < b[1]):
            best[eid] = (n, first, t)
    if type is not None:
        counts = Counter({e: n for e, n in counts.items() if best[e][2] == type})
    return sorted(((n, e) for e, n in counts.items()), key=lambda x: -x[0])


def entity_page(store: Store, *, offset: int = 0, limit: int = 100, type: str | None = None,  # noqa: A002
                summary: bool = False, mentions: int | None = None) -> tuple[list[dict[str, Any]], int]:
    """(records, total): the entities at ``offset:offset + limit`` of :func:`entity_list`'s
    order (of ``type`` if given), reading the mention counts (an index scan) and the mention
    rows of the entities whose count ties with the page's only. ``summary``: instead of the
    records, :func:`entity_summaries` (no mention lists; aggregated in SQL). ``mentions``: the
    records with at most that many mentions and documents each, and their counts
    (:func:`entity_sample`): a page's entities are the most mentioned, so their whole records
    grow with the corpus (the first page of 100 held 122,464 mentions at 5,000 documents of
    the replica store and took 21.9 s to list at 70,000)."""
    _ready(store)
    counts = _entity_counts(store, type)
    total = len(counts)
    if offset >= total or limit <= 0:
        return [], total
    hi, lo = counts[offset][0], counts[min(total, offset + limit) - 1][0]
    before = sum(1 for n, _ in counts if n > hi)
    band = sorted(e for n, e in counts if lo <= n <= hi)
    if summary or mentions is not None:
        page = entity_summaries(store, band)[offset - before : offset - before + limit]
        if mentions is None:
            return page, total
        return [_sampled(store, rec, mentions=mentions, documents=mentions) for rec in page], total
    rows: list[Any] = []
    for part in chunks(band):
        rows += store.conn.execute(
            f"SELECT {_MENTION_COLUMNS} FROM entity_keys k JOIN entity_mentions m ON m.key = k.key"
            f" WHERE k.entity_id IN ({_in(len(part))})", part,
        ).fetchall()
    return _records(rows)[offset - before : offset - before + limit], total


def _form(value: str) -> tuple[str, str]:
    canonical, _, type_ = value.partition(_SEP)
    return canonical, type_


def _key_values(store: Store, ids: Sequence[str], fields: Sequence[str]) -> dict[str, list[tuple[str, str, int, str]]]:
    """entity → (field, value, mentions, first mention) of these entities, summed over their keys."""
    out: dict[str, list[tuple[str, str, int, str]]] = defaultdict(list)
    rows = _key_value_rows(store)
    for part in chunks(sorted(set(ids))):
        for eid, field, value, n, first in store.conn.execute(
            "SELECT k.entity_id, v.field, v.value, sum(v.n), min(v.first) FROM entity_keys k"
            f" JOIN {rows} v ON v.key = k.key WHERE k.entity_id IN ({_in(len(part))})"
            f" AND v.field IN ({_in(len(fields))}) GROUP BY k.entity_id, v.field, v.value", [*part, *fields],
        ):
            out[eid].append((field, value, n, first))
    return out


def _document_counts(store: Store, ids: Sequence[str]) -> dict[str, int]:
    """entity → documents naming it: the key's count for an entity of one key; the documents of
    its keys' mentions otherwise (a document can name two keys of one entity)."""
    keys: dict[str, list[str]] = defaultdict(list)
    for part in chunks(sorted(set(ids))):
        for eid, key in store.conn.execute(
                f"SELECT entity_id, key FROM entity_keys WHERE entity_id IN ({_in(len(part))})", part):
            keys[eid].append(key)
    out: dict[str, int] = {}
    counted = _key_value_rows(store) == "entity_key_values"
    for eid, ks in keys.items():
        out[eid] = store.conn.execute(
            "SELECT count(DISTINCT doc_id) FROM entity_mentions WHERE key = ?" if len(ks) == 1 and not counted else
            "SELECT sum(n) FROM entity_key_values WHERE key = ? AND field = 'docs'" if len(ks) == 1 else
            f"SELECT count(DISTINCT doc_id) FROM entity_mentions WHERE key IN ({_in(len(ks))})", ks,
        ).fetchone()[0] or 0
    return out


def entity_summaries(store: Store, ids: Sequence[str]) -> list[dict[str, Any]]:
    """What a listing shows of these entities — id, name, type, aliases, ``mention_count``,
    ``document_count`` — equal to their records' (:func:`entity_record`'s rules: the fullest
    name of a person, else the commonest; ties to the first in resolution order), in the
    listing order, from their keys' counts (``entity_key_values``) rather than their mentions."""
    _ready(store)
    values = _key_values(store, ids, ("form", "text"))
    docs = _document_counts(store, list(values))
    out: list[dict[str, Any]] = []
    for eid, got in values.items():
        forms: list[tuple[str, str, str, int]] = sorted(
            (first, *_form(value), n) for field, value, n, first in got if field == "form")
        # resolution order of each (name, type)'s first mention: Counter's insertion order
        names: Counter[str] = Counter()
        types: Counter[str] = Counter()
        for _, canonical, t, n in forms:
            names[canonical] += n
            types[t] += n
        kind = types.most_common(1)[0][0]
        name = max(names, key=lambda x: (len(x.split()), names[x])) if kind == "person" else names.most_common(1)[0][0]
        out.append({"id": eid, "name": name, "type": kind,
                    "aliases": sorted(value for field, value, _, _ in got if field == "text"),
                    "mention_count": sum(types.values()), "document_count": docs[eid], "_first": forms[0][0]})
    out.sort(key=lambda r: r.pop("_first"))
    out.sort(key=lambda r: (-r["mention_count"], r["name"]))
    return out


# places: the place index (migration 9) kept by the step; the listing's key of a place is its
# gazetteer id (resolved) or "unresolved:" + its lower-cased text (body only)
_SUMMARY = ("place_id, name, aliases, lat, lon, kind, country, gazetteer_id, precision, resolved, mention_count,"
            " document_count FROM places")
_ORDER = " ORDER BY mention_count DESC, name, first_part, first_seq, first_i"


def _places_ready(store: Store) -> None:
    """:func:`_ready`, and E506 where the listings were stored but the place index was not
    filled from them yet (a store made before it: ``storyline analyze`` fills it)."""
    _ready(store)
    try:
        row = store.conn.execute("SELECT config FROM corpus_steps WHERE step = ?", (PLACES_STEP,)).fetchone()
        store.conn.execute("SELECT 1 FROM places LIMIT 1").fetchone()
    except sqlite3.OperationalError as exc:
        raise StorylineError("E506", feature="place listings",
                             reason=f"{exc}; open the store once with `storyline analyze`") from None
    if (row is None or row[0] != PLACES_CONFIG) and store.conn.execute("SELECT 1 FROM doc_listings LIMIT 1").fetchone():
        raise StorylineError("E506", feature="place listings",
                             reason="the place index was not made yet; run `storyline analyze` once")


def _summary(r: Sequence[Any]) -> dict[str, Any]:
    return {"id": r[0], "name": r[1], "type": "place", "aliases": json.loads(r[2]), "lat": r[3], "lon": r[4],
            "kind": r[5], "country": r[6], "gazetteer_id": r[7], "precision": r[8],
            "resolved": None if r[9] is None else bool(r[9]), "mention_count": r[10], "document_count": r[11]}


def place_page(store: Store, *, offset: int = 0, limit: int | None = None,
               include_unresolved: bool = True) -> tuple[list[dict[str, Any]], int]:
    """(summaries, total): the places at ``offset:offset + limit`` of :func:`place_list`'s
    order — id, name, type, aliases, lat, lon, kind, country, gazetteer_id, precision,
    resolved, ``mention_count``, ``document_count`` — read from the index's rows of those
    places only (an index range in the listing order)."""
    _places_ready(store)
    where = "" if include_unresolved else " WHERE place_id NOT LIKE 'unresolved:%'"
    total = int(store.conn.execute(f"SELECT count(*) FROM places{where}").fetchone()[0])  # noqa: S608
    rows = store.conn.execute(f"SELECT {_SUMMARY}{where}{_ORDER} LIMIT ? OFFSET ?",  # noqa: S608 - fixed parts
                              (-1 if limit is None else limit, offset)).fetchall()
    return [_summary(r) for r in rows], total


def place_index(store: Store) -> list[dict[str, Any]]:
    """Every place's summary (:func:`place_page`), in the listing order."""
    return place_page(store)[0]


def place_summary(store: Store, place: str) -> dict[str, Any] | None:
    """One place's summary (:func:`place_page`'s fields) by id; None when no current document names it."""
    _places_ready(store)
    r = store.conn.execute(f"SELECT {_SUMMARY} WHERE place_id = ?", (place,)).fetchone()  # noqa: S608
    return _summary(r) if r is not None else None


def place_records_of(store: Store, ids: Sequence[str]) -> list[dict[str, Any]]:
    """The records of :func:`place_list` with these ids (in its order), reading only the
    listings of the documents that name them (found in the index)."""
    _places_ready(store)
    wanted = set(ids)
    if not wanted:
        return []
    docs: dict[int, str] = {}
    for part in chunks(sorted(wanted)):
        docs.update(store.conn.execute(
            f"SELECT doc_seq, doc_id FROM place_docs WHERE place_id IN ({_in(len(part))})", part))
    listed: list[DocPlaces] = []
    order = sorted(docs.items())
    for part in chunks([d for _, d in order]):
        got = {dp.doc: dp for dp in _doc_places(
            store, f"SELECT doc_id, places FROM doc_listings WHERE doc_id IN ({_in(len(part))})", part, keep=wanted)}
        listed += [got[d] for d in part if d in got]
    return [r for r in group_places(listed) if r["id"] in wanted]


def place_of(store: Store, place: str) -> dict[str, Any] | None:
    """records.md "Place" of one place by id; None when no current document names it."""
    records = place_records_of(store, [place])
    return records[0] if records else None


def _place_key(p: dict[str, Any], *, body: bool) -> str | None:
    """A stored place's listing key (:func:`group_places`'): None for an unresolved dateline place."""
    if p.get("resolved") and p.get("gazetteer_id"):
        return str(p["gazetteer_id"])
    return f"unresolved:{p['text'].lower()}" if body else None


def place_sample(store: Store, place: str, *, mentions: int = 200, documents: int = 100) -> dict[str, Any] | None:
    """What a place's page shows of its record: its first ``mentions`` mentions and dateline
    entries and the first ``documents`` documents naming it, in store order, reading the
    documents the index lists for it until those are filled — not every document naming a
    place in most of them. ``complete``: every document naming it was read (else the
    dateline entries are those of the documents read). None when no document names it."""
    _places_ready(store)
    spans: list[dict[str, Any]] = []
    datelines: list[dict[str, Any]] = []
    docs: list[str] = []
    complete = True
    c = store.conn
    for (doc_id,) in c.execute("SELECT doc_id FROM place_docs WHERE place_id = ? ORDER BY doc_seq", (place,)):
        if len(spans) >= mentions and len(docs) >= documents:
            complete = False
            break
        d = json.loads(c.execute("SELECT places FROM doc_listings WHERE doc_id = ?", (doc_id,)).fetchone()[0])
        docs.append(doc_id)
        spans += [Span(doc_id, p["start"], p["end"], t).to_record() for p, t in d["body"]
                  if _place_key(p, body=True) == place]
        datelines += [{"doc": doc_id, "dateline": d["dateline"], "text": p["text"]} for p in d["filed"]
                      if _place_key(p, body=False) == place]
    if not docs:
        return None
    return {"id": place, "mentions": spans[:mentions], "datelines": datelines[:mentions], "documents": docs[:documents],
            "complete": complete and len(spans) <= mentions and len(datelines) <= mentions and len(docs) <= documents}


def entity_sample(store: Store, entity: str, *, mentions: int = 200, documents: int = 100) -> dict[str, Any] | None:
    """What an entity's page shows: its record (:func:`entity_of`) with only the first
    ``mentions`` mentions and ``documents`` documents (the record's orders) and the counts
    ``mention_count`` and ``document_count`` — names, roles, titles and affiliations counted in
    SQL, so the page of an entity in most documents does not build every mention. None when
    no current document mentions it."""
    summaries = entity_summaries(store, [entity])
    return _sampled(store, summaries[0], mentions=mentions, documents=documents) if summaries else None


def _sampled(store: Store, summary: dict[str, Any], *, mentions: int, documents: int) -> dict[str, Any]:
    """:func:`entity_sample` of the entity of ``summary`` (:func:`entity_summaries`' item, filled in):
    roles, titles and affiliations from its keys' counts, its first mentions and documents a
    key at a time (``entity_mentions_key_doc``: at most that many rows a key), merged."""
    rec, entity = summary, summary["id"]
    c = store.conn
    got = _key_values(store, [entity], _OPTIONAL).get(entity, [])
    for field, column in (("roles", "role"), ("titles", "title"), ("affiliations", "affiliation")):
        # Counter.most_common: the commonest, ties to the first seen
        rec[field] = [v for _, _, v in sorted((-n, first, value) for f, value, n, first in got if f == column)]
    keys = [r[0] for r in c.execute("SELECT key FROM entity_keys WHERE entity_id = ? ORDER BY key", (entity,))]
    docs = heapq.merge(*(
        [r[0] for r in c.execute("SELECT DISTINCT doc_id FROM entity_mentions WHERE key = ? ORDER BY doc_id LIMIT ?",
                                 (key, documents))] for key in keys))
    rec["documents"] = list(itertools.islice(dict.fromkeys(docs), documents))
    rows = heapq.merge(*([tuple(r) for r in c.execute(
        "SELECT doc_id, start_at, phase, idx, end_at, coalesce(span, text) FROM entity_mentions WHERE key = ?"
        " ORDER BY doc_id, start_at, phase, idx LIMIT ?", (key, mentions))] for key in keys))
    rec["mentions"] = [Span(r[0], r[1], r[4], r[5]).to_record() for r in itertools.islice(rows, mentions)]
    return rec
