"""Event groups as a stored corpus layer, kept up to date as documents arrive, change or leave.

:func:`storyline.corpus.events.build_events` turns every event mention of the corpus into
events at once: same-document units, all compatible cross-document pairs, connected
components over the pairs at the threshold, average linkage inside each component, one
merged record per group. Every step after the units is *local to a component*: a unit's
pairs never reach outside its component, and a component clusters and merges the same
whatever else the corpus holds (the cannot-link distance of :func:`cluster_events` is a
function of the component, and independent sources read only the evidence documents'
copy groups). So the store keeps, per unit, its component, and per component its events;
a change recomputes only the components it touches, with the same pure functions:

* **units** (``event_units``): per document :func:`from_doc` → :func:`same_document_groups`
  → :func:`_combine`, stored with the mentions they hold, the type family, the days the
  unit's time and publication date cover, the actor entity key, and (``event_places``) the
  keys of its places finer than a province;
* **candidates** for a new unit: stored units of its family that the exact rules could keep
  (a superset of what :func:`_compatible_pairs` keeps, each SQL clause one of the rules of
  :func:`_possible_pairs` / :meth:`PairEvidence.compatible`). Timed vs timed: the days overlap
  (``event_times``, keyed ``(family, span, time_lo, …)``: one range scan per class of interval length,
  a day, a week, a month, a year, each bounded by its class). A pair with an untimed side
  must agree on a place finer than a province in one role, so those are found through
  ``event_places``: per role the gazetteer id, the name and the 4 × ``radius_km`` cube of the
  point on the sphere (a partner within reach lies in one of the 27 cubes around). Never an event dated after the other's report, nor two untimed
  reports more than ``REPORT_WINDOW_DAYS`` apart, nor two different actor entity keys. Each
  is then scored with :func:`pair_evidence` / :func:`_score` from the row that found it
  (``event_times`` / ``event_places`` hold, beside each key, the unit without its sentence
  text: a key's candidates are one range of pages, not a random read of a unit row each);
  one at the threshold joins the unit's component to the candidate's;
* **scope** of a batch: every unit of a component that a new unit links to, that held a
  document taken out (superseded, rejected, deleted, re-analysed — a component may split),
  or that holds a document whose copy group changed (:func:`.scope.provenance_since`,
  widened by :func:`.scope.copy_group`); plus the new units. The scope is closed under
  linking, so :func:`_compatible_pairs`, :func:`cluster_events` and :func:`_merge` over it
  (units in batch order: ``documents.rowid``, then unit index; provenance from
  :func:`.scope.scoped_graph`) give exactly the events the whole-corpus run gives there.

One transaction per batch; what is left to do is derived from the store
(:func:`.scope.changes`; :func:`.scope.finish` moves the step's mark once all batches
committed), so a killed run resumes. Another threshold, radius or
:data:`VERSION` drops everything and rebuilds. :func:`stored_events` reads the records in the
order :func:`build_events` lists them (time, unknown last, then id).

Measured (this machine, 2 shared cores, other work running; stores made with
``bench/replicate.py`` from the 57 analysed documents of ``tests/fixtures/stream``: replicas
repeat real events and paragraphs, so components and copy groups are larger than a real
stream's; "+copy" = copy detection run on the replicas too, as ingest does):

=========================  ==========  ===========  ==========  ===========
store (documents)          300         300 +copy    1,000       1,000 +copy
=========================  ==========  ===========  ==========  ===========
bulk, per document         9.3 ms      5.8 ms       13.6 ms     20.2 ms
one added document         8 ms        22 ms        40 ms       105 ms
(max of 10)                40 ms       158 ms       306 ms      647 ms
stored_events (all)        0.04 s      0.05 s       0.24 s      0.15 s
whole recompute (before)   0.91 s      0.85 s       5.68 s      4.60 s
=========================  ==========  ===========  ==========  ===========

("one added document": median of 10; the cost is the size of the components it joins and,
with copy detection, of the components of its copy group; "whole recompute": reading every
document, :func:`.persist.provenance_graph` and :func:`build_events`, what every read did
before.) The stored events equalled :func:`build_events` on all four stores.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..cluster import components
from ..layers import CODECS
from ..store import Store
from ..types import Doc, DocMeta, Span
from .events import (
    REPORT_WINDOW_DAYS,
    Event,
    EventInput,
    PlaceRef,
    _combine,
    _compatible_pairs,
    _effective_destination,
    _granularity_of,
    _merge,
    _norm,
    _score,
    _time_interval,
    cluster_events,
    from_doc,
    pair_evidence,
    same_document_groups,
    type_family,
)
from .scope import (
    Groups,
    batches_by_group,
    changes,
    chunks,
    copy_group,
    ensure_config,
    finish,
    mark_indexed,
    parts_by_group,
    provenance_since,
    read_provenance_to,
    reset,
    scoped_graph,
    unmark,
)

__all__ = [
    "STEP", "VERSION", "EventStats", "NewUnits", "candidates", "doc_rows", "doc_units", "new_units", "rebuild_events",
    "stored_events", "update_events",
]

STEP = "events"
#: bump when the stored form or the rules of :mod:`.events` change: the stored groups are rebuilt
VERSION = "event-store-1"
THRESHOLD = 0.72
RADIUS_KM = 25.0
#: classes of interval length (days after the first: a day, a week, a month, a year): a range
#: scan per class, bounded by the class, finds the timed units whose days overlap
_SPANS = (0, 6, 30, 366)
_SLOTS = ("events", "places", "times", "quantities")


@dataclass(slots=True)
class EventStats:
    """What :func:`update_events` did (summed over batches): the cost is ``recomputed_units``."""

    added_docs: int = 0
    forgotten_docs: int = 0
    candidates: int = 0  # stored units scored against a new one
    links: int = 0  # of them at the threshold
    recomputed_units: int = 0  # units clustered again (scope sizes)
    recomputed_components: int = 0  # stored components replaced
    recounted_components: int = 0  # only their independent sources counted again (:func:`_recount`)
    batches: int = 0
    scopes: list[int] = field(default_factory=list)  # scope size of each transaction


@dataclass(slots=True)
class _Unit:
    doc_id: str
    u: int
    doc_seq: int
    unit: EventInput
    members: list[EventInput]

    @property
    def key(self) -> tuple[int, int]:
        return (self.doc_seq, self.u)


# --------------------------------------------------------------------------- units


# A new document as the step reads it, undecoded: its rowid, ``documents`` columns (id,
# source_path, locator, content_type, text, url, meta) and the layers :func:`from_doc` reads.
DocRows = tuple[int, tuple[Any, ...], list[tuple[str, str]]]
# The step's reader: per batch of new document ids, their units (:func:`new_units` of each
# document, in store order); here :func:`_read_batches`, on Ray :mod:`.ray_steps`.
NewUnits = Callable[[Store, Sequence[Sequence[str]], float], Iterable[list[_Unit]]]


def doc_rows(store: Store, doc_ids: Sequence[str]) -> list[DocRows]:
    """The stored rows of ``doc_ids`` that :func:`new_units` reads, in store order (a
    document no longer stored is left out)."""
    out: dict[str, tuple[int, tuple[Any, ...], list[tuple[str, str]]]] = {}
    for part in chunks(list(doc_ids)):
        q = ",".join("?" * len(part))
        for r in store.conn.execute(
            f"SELECT rowid, id, source_path, locator, content_type, text, url, meta FROM documents WHERE id IN ({q})",
            part,
        ):
            out[r[1]] = (r[0], tuple(r[1:]), [])
        for r in store.conn.execute(
            f"SELECT doc_id, slot, data FROM layers WHERE doc_id IN ({q}) AND slot IN ({','.join('?' * len(_SLOTS))})"
            " ORDER BY doc_id, slot",
            [*part, *_SLOTS],
        ):
            out[r[0]][2].append((r[1], r[2]))
    return sorted(out.values(), key=lambda x: x[0])


def new_units(rows: DocRows, radius_km: float = RADIUS_KM) -> list[_Unit]:
    """The units one new document brings (pure: decodes its rows, then :func:`doc_units`)."""
    seq, (doc_id, source_path, locator, content_type, text, url, meta), layers = rows
    doc = Doc(id=doc_id, source_path=source_path, locator=locator, content_type=content_type, raw=b"", text=text,
              meta=DocMeta(**json.loads(meta)) if meta else DocMeta(url=url))
    for slot, data in layers:
        setattr(doc, slot, CODECS[slot][1](json.loads(data)))
    return [_Unit(doc.id, u, seq, unit, members) for u, (unit, members) in enumerate(doc_units(doc, radius_km=radius_km))]


def _read_batches(store: Store, batches: Sequence[Sequence[str]], radius_km: float) -> Iterator[list[_Unit]]:
    """The new units of each batch, read here one batch at a time (the local reader)."""
    for batch in batches:
        yield [x for rows in doc_rows(store, batch) for x in new_units(rows, radius_km)]


def doc_units(doc: Doc, *, radius_km: float = RADIUS_KM) -> list[tuple[EventInput, list[EventInput]]]:
    """The units of one document as :func:`build_events` forms them: ``(unit, mentions)``."""
    items = from_doc(doc)
    groups = same_document_groups(items, {doc.id: doc.text or ""}, radius_km=radius_km)
    out = []
    for g in groups:
        members = [items[i] for i in g]
        out.append((_combine(members), members))
    return out


def _days(value: str | None, granularity: str | None) -> tuple[int, int] | tuple[None, None]:
    iv = _time_interval(value, granularity) if value else None
    return (iv[0].toordinal(), iv[1].toordinal()) if iv else (None, None)


def _cell(p: PlaceRef, size_km: float) -> tuple[int, int, int]:
    """The cube of side ``size_km`` holding the place's point on the sphere (km): two points at
    most ``size_km`` apart along the surface (:func:`haversine_km`) are at most that far apart
    on each axis, so they lie in the same or adjacent cubes."""
    assert p.lat is not None and p.lon is not None
    lat, lon = math.radians(p.lat), math.radians(p.lon)
    xyz = (math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat))
    return tuple(math.floor(6371.0 * v / size_km) for v in xyz)  # type: ignore[return-value]


def _place_keys(m: EventInput, family: str, radius_km: float, *, near: bool) -> list[str]:
    """Keys of the places finer than a province, per role, that a compatible partner of an
    untimed pair must share (:func:`_specific_agreement`): the gazetteer id, the name (agreement
    by name when a side has no coordinates), the cube of the point (or, with ``near``, the 27
    cubes around it: agreement within ``4 × radius_km``)."""
    size = radius_km * 4 * (1 + 1e-6) + 1e-6
    keys: list[str] = []
    for k, p in enumerate((m.origin, _effective_destination(m), m.location)):
        if p is None or (p.precision or 3) > 2:
            continue
        pre = f"{family}|{k}|"
        if p.gazetteer_id:
            keys.append(pre + "g:" + p.gazetteer_id)
        if p.name:
            keys.append(pre + "n:" + _norm(p.name))
        if p.lat is not None and p.lon is not None:
            x, y, z = _cell(p, size)
            cells = ([(x + i, y + j, z + h) for i in (-1, 0, 1) for j in (-1, 0, 1) for h in (-1, 0, 1)]
                     if near else [(x, y, z)])
            keys.extend(pre + f"c:{a},{b},{c}" for a, b, c in cells)
    return keys


@dataclass(frozen=True, slots=True)
class _Keys:
    """The blocking keys of a unit (see the module docstring)."""

    family: str
    time_lo: int | None
    time_hi: int | None
    rep_lo: int | None
    rep_hi: int | None
    actor: str | None

    @property
    def span(self) -> int | None:
        if self.time_lo is None or self.time_hi is None:
            return None
        length = self.time_hi - self.time_lo
        return next((b for b in _SPANS if length <= b), length)

    @classmethod
    def of(cls, m: EventInput) -> _Keys:
        t = _days(m.time_value, m.time_granularity)
        r = _days(m.reported, _granularity_of(m.reported)) if m.reported else (None, None)
        return cls(type_family(m.type), t[0], t[1], r[0], r[1], m.actor_entity or None)


def _candidate_sql(k: _Keys, places: Sequence[str]) -> list[tuple[str, list[Any]]]:
    """Queries for the stored units that could be compatible with a unit of keys ``k`` and
    place keys ``places`` (:func:`_place_keys` with ``near``): a superset of the pairs
    :func:`_compatible_pairs` keeps, each clause one of the exact rules of
    :func:`_possible_pairs` / :meth:`PairEvidence.compatible`."""
    actor = ([" AND (e.actor IS NULL OR e.actor = ?)"], [k.actor]) if k.actor else ([], [])
    queries: list[tuple[str, list[Any]]] = []

    def timed(clauses: list[str], args: list[Any]) -> None:
        queries.append(("SELECT e.doc_id, e.u, e.doc_seq, e.pair FROM event_times e WHERE e.family = ?"
                        + "".join(clauses + actor[0]), [k.family, *args, *actor[1]]))

    def placed(clauses: list[str], args: list[Any]) -> None:
        # a pair with an untimed side: some role's places, finer than a province, agree
        queries.append((
            "SELECT e.doc_id, e.u, e.doc_seq, e.pair FROM event_places e WHERE e.key IN (SELECT value FROM json_each(?))"
            + "".join(clauses + actor[0]),
            [json.dumps(list(places)), *args, *actor[1]],
        ))

    if k.time_lo is not None:
        assert k.time_hi is not None
        # timed vs timed: the days overlap; neither dated after the other's report
        for span in _SPANS:
            clauses = [" AND e.span = ?", " AND e.time_lo BETWEEN ? AND ?", " AND e.time_hi >= ?",
                       " AND (e.rep_hi IS NULL OR e.rep_hi >= ?)"]
            args: list[Any] = [span, k.time_lo - span, min(k.time_hi, k.rep_hi if k.rep_hi is not None else k.time_hi),
                               k.time_lo, k.time_lo]
            timed(clauses, args)
        # longer than any class (no time value gives one; kept so the rule stays exact)
        timed([" AND e.span > ?", " AND e.time_lo <= ?", " AND e.time_hi >= ?", " AND (e.rep_hi IS NULL OR e.rep_hi >= ?)"],
              [_SPANS[-1], min(k.time_hi, k.rep_hi if k.rep_hi is not None else k.time_hi), k.time_lo, k.time_lo])
        if places:  # timed vs untimed: not dated after the other's report
            placed([" AND e.time_lo IS NULL", " AND (e.rep_hi IS NULL OR e.rep_hi >= ?)"], [k.time_lo])
        return queries
    if not places:
        return queries  # untimed, nothing finer than a province: no pair is ever compatible
    # untimed vs timed: not dated after this one's report; untimed vs untimed: reports close
    clauses, args = [" AND e.time_lo IS NOT NULL"], []
    if k.rep_hi is not None:
        clauses.append(" AND e.time_lo <= ?")
        args.append(k.rep_hi)
    placed(clauses, args)
    clauses, args = [" AND e.time_lo IS NULL"], []
    if k.rep_lo is not None:
        assert k.rep_hi is not None
        clauses.append(" AND (e.rep_hi IS NULL OR (e.rep_hi >= ? AND e.rep_lo <= ?))")
        args += [k.rep_lo - REPORT_WINDOW_DAYS, k.rep_hi + REPORT_WINDOW_DAYS]
    placed(clauses, args)
    return queries


def candidates(store: Store, unit: EventInput, *, radius_km: float = RADIUS_KM) -> set[tuple[str, int]]:
    """``(doc_id, u)`` of the stored units that may be compatible with ``unit`` (a superset)."""
    return set(_candidate_rows(store, unit, radius_km))


def _candidate_rows(store: Store, unit: EventInput, radius_km: float) -> dict[tuple[str, int], tuple[int, str]]:
    """:func:`candidates` with each one's ``doc_seq`` and ``pair`` (what scoring it reads),
    from ``event_times`` / ``event_places``: a key's candidates lie side by side there."""
    k = _Keys.of(unit)
    out: dict[tuple[str, int], tuple[int, str]] = {}
    for sql, args in _candidate_sql(k, _place_keys(unit, k.family, radius_km, near=True)):
        for r in store.conn.execute(sql, args):
            out[(r[0], r[1])] = (r[2], r[3])
    return out


def _pair_record(rec: dict[str, Any]) -> dict[str, Any]:
    """``pair`` of ``event_places`` / ``event_times`` from a unit's record: the unit as
    :func:`pair_evidence` reads it, its sentence and trigger text left out (migration 19
    makes the same in SQL)."""
    return {**rec, "sentence": None, "trigger": {**rec["trigger"], "text": ""}}


# --------------------------------------------------------------------------- store side


def _load_units(store: Store, where: str, values: Sequence[str]) -> list[_Unit]:
    out: list[_Unit] = []
    for part in chunks(list(values)):
        q = ",".join("?" * len(part))
        for r in store.conn.execute(
            f"SELECT doc_id, u, doc_seq, unit, members FROM event_units WHERE {where} IN ({q})", part
        ):
            out.append(_Unit(r[0], r[1], r[2], EventInput.from_record(json.loads(r[3])),
                             [EventInput.from_record(m) for m in json.loads(r[4])]))
    return out


def _components_of_docs(store: Store, doc_ids: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for part in chunks(sorted(set(doc_ids))):
        q = ",".join("?" * len(part))
        out.update(r[0] for r in store.conn.execute(f"SELECT DISTINCT component FROM event_units WHERE doc_id IN ({q})",
                                                    part))
    return out


def _linked_components(
    store: Store, new: Sequence[_Unit], threshold: float, radius_km: float, stats: EventStats
) -> set[str]:
    """Components of the stored units that some new unit scores at the threshold with. The
    candidates are scored from the rows that found them; only those that link are looked up
    in ``event_units`` (for their component)."""
    decoded: dict[tuple[str, int], EventInput] = {}
    linked: set[tuple[str, int]] = set()
    for n in new:
        for key, (seq, pair) in _candidate_rows(store, n.unit, radius_km).items():
            if key in linked or key[0] == n.doc_id:
                continue
            unit = decoded.get(key)
            if unit is None:
                unit = decoded[key] = EventInput.from_record(json.loads(pair))
            stats.candidates += 1
            a, b = (unit, n.unit) if (seq, key[1]) < n.key else (n.unit, unit)
            ev = pair_evidence(a, b, radius_km=radius_km)
            if ev.compatible and _score(ev) >= threshold:
                stats.links += 1
                linked.add(key)
    out: set[str] = set()
    keys = sorted(linked)
    for part in range(0, len(keys), 400):  # one query per 400 links, not one each
        chunk = keys[part : part + 400]
        q = " OR ".join("(doc_id = ? AND u = ?)" for _ in chunk)
        out.update(r[0] for r in store.conn.execute(f"SELECT component FROM event_units WHERE {q}",
                                                    [x for key in chunk for x in key]))
    return out


def _recompute(
    store: Store, old_components: set[str], new: Sequence[_Unit], threshold: float, radius_km: float,
    stats: EventStats, copy_groups: Groups | None = None,
) -> None:
    """Replace the stored components ``old_components`` (their units not taken out) and add
    the ``new`` units: cluster and merge the scope as :func:`build_events` does. ``copy_groups``:
    copy groups walked earlier in this update (:data:`.scope.Groups`)."""
    c = store.conn
    scope = _load_units(store, "component", sorted(old_components)) + list(new)
    scope.sort(key=lambda x: x.key)
    for part in chunks(sorted(old_components)):
        q = ",".join("?" * len(part))
        c.execute(f"DELETE FROM events WHERE component IN ({q})", part)
        c.execute(f"DELETE FROM event_docs WHERE component IN ({q})", part)
    stats.recomputed_components += len(old_components)
    stats.recomputed_units += len(scope)
    stats.scopes.append(len(scope))
    if not scope:
        return
    units = [x.unit for x in scope]
    scores = {(i, j): _score(ev) for i, j, ev in _compatible_pairs(units, radius_km=radius_km)
              if units[i].doc_id != units[j].doc_id}
    groups = cluster_events(len(units), scores, threshold=threshold)
    comp_of: dict[int, str] = {}
    for members in components(len(units), [p for p, s in scores.items() if s >= threshold]):
        name = f"{scope[members[0]].doc_id}:{scope[members[0]].u}"
        comp_of.update((i, name) for i in members)
    from .provenance import IndependenceIndex

    graph = scoped_graph(store, {x.doc_id for x in scope}, copy_groups)
    index = IndependenceIndex.of(graph)
    fresh = {id(x) for x in new}
    c.executemany(
        "UPDATE event_units SET component = ? WHERE doc_id = ? AND u = ?",
        [(comp_of[i], x.doc_id, x.u) for i, x in enumerate(scope) if id(x) not in fresh],
    )
    _insert_units(store, [(x, comp_of[i]) for i, x in enumerate(scope) if id(x) in fresh], radius_km)
    k_in: dict[str, int] = {}
    rows: list[tuple[Any, ...]] = []
    doc_rows: list[tuple[str, int, str]] = []
    for g in groups:
        first = scope[g[0]]
        comp = comp_of[g[0]]
        k = k_in[comp] = k_in.get(comp, -1) + 1
        event = _merge([m for i in g for m in scope[i].members], graph, index)
        value = (event.time or {}).get("value")
        record = {**event.to_record(), "affected": event.affected}
        del record["claims"]
        rows.append((comp, k, event.id, value is None, value, first.doc_seq, first.u, json.dumps(record)))
        doc_rows.extend((comp, k, d) for d in event.documents)
    c.executemany(
        "INSERT INTO events (component, k, id, untimed, time_value, first_seq, first_u, record)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    c.executemany("INSERT INTO event_docs (component, k, doc_id) VALUES (?, ?, ?)", doc_rows)


def _insert_units(store: Store, added: Sequence[tuple[_Unit, str]], radius_km: float) -> None:
    """Store new units, each with its component: ``event_units``, and where they are found as
    candidates (``event_times`` when timed, ``event_places`` per place key)."""
    recs = [(x, comp, _Keys.of(x.unit), x.unit.to_record()) for x, comp in added]
    rows = [(x, comp, k, json.dumps(_pair_record(rec))) for x, comp, k, rec in recs]
    c = store.conn
    c.executemany(
        "INSERT INTO event_units (doc_id, u, doc_seq, family, time_lo, time_hi, span, rep_lo, rep_hi, actor,"
        " component, unit, members) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(x.doc_id, x.u, x.doc_seq, k.family, k.time_lo, k.time_hi, k.span, k.rep_lo, k.rep_hi, k.actor, comp,
          json.dumps(rec), json.dumps([m.to_record() for m in x.members])) for x, comp, k, rec in recs],
    )
    c.executemany(
        "INSERT INTO event_times (family, span, time_lo, time_hi, rep_hi, actor, doc_id, u, doc_seq, pair)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(k.family, k.span, k.time_lo, k.time_hi, k.rep_hi, k.actor, x.doc_id, x.u, x.doc_seq, pair)
         for x, _, k, pair in rows if k.time_lo is not None],
    )
    c.executemany(
        "INSERT OR IGNORE INTO event_places (key, doc_id, u, doc_seq, time_lo, rep_lo, rep_hi, actor, pair)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(key, x.doc_id, x.u, x.doc_seq, k.time_lo, k.rep_lo, k.rep_hi, k.actor, pair)
         for x, _, k, pair in rows for key in _place_keys(x.unit, k.family, radius_km, near=False)],
    )


def _recount(store: Store, comps: set[str], stats: EventStats, copy_groups: Groups | None = None) -> None:
    """Count again the independent sources of the stored events of ``comps``: components that
    only the provenance log touched (a copy group of theirs changed). Their units and groups
    stay as stored: no pair score reads provenance, so :func:`_recompute` would form the same
    groups and merge the same records but for ``independent_sources``, the one field
    :func:`_merge` reads the graph for (:func:`count_independent` of the evidence spans).
    A record is rewritten only where that count changed.

    Measured (300 paragraph-shuffled copies added to the replicated 10,000-document store; its
    provenance log touched 12,690 stored units, 5 times the units of all five batches): with
    this, the first-batch merge, :func:`_possible_pairs` on fewer pairs and the graph read
    without passage objects, the step 18.7-18.9 → 6.5-7.1 s of CPU (two runs each,
    alternating, shared 2-core machine); this count about 1 s of it. The stored tables are
    the same, row for row."""
    if not comps:
        return
    for part in parts_by_group(store, sorted(comps),
                               "SELECT DISTINCT component AS unit, doc_id FROM event_docs"
                               " WHERE component IN (SELECT value FROM json_each(?))"):
        _recount_part(store, part, copy_groups)
    stats.recounted_components += len(comps)


def _recount_part(store: Store, comps: Sequence[str], copy_groups: Groups | None) -> None:
    """:func:`_recount` of some components (whose copy groups hold few documents together:
    :func:`.scope.parts_by_group`)."""
    from .provenance import IndependenceIndex, count_independent

    c = store.conn
    rows: list[tuple[str, int, dict[str, Any]]] = []
    for part in chunks(sorted(comps)):
        q = ",".join("?" * len(part))
        rows += [(r[0], r[1], json.loads(r[2])) for r in c.execute(
            f"SELECT component, k, record FROM events WHERE component IN ({q}) ORDER BY component, k", part)]
    spans = [[Span(s["doc"], int(s["start"]), int(s["end"]), s["text"]) for s in rec["evidence"]] for _, _, rec in rows]
    graph = scoped_graph(store, {s.doc for ss in spans for s in ss}, copy_groups)
    index = IndependenceIndex.of(graph)
    changed = []
    for (comp, k, rec), ss in zip(rows, spans):
        n = count_independent(graph, ss, index=index)
        if n != rec["independent_sources"]:
            rec["independent_sources"] = n
            changed.append((json.dumps(rec), comp, k))
    c.executemany("UPDATE events SET record = ? WHERE component = ? AND k = ?", changed)


def _config(threshold: float, radius_km: float) -> str:
    return json.dumps({"version": VERSION, "threshold": threshold, "radius_km": radius_km}, sort_keys=True)


def _drop_all(store: Store) -> None:
    for table in ("event_units", "event_places", "event_times", "events", "event_docs"):
        store.conn.execute(f"DELETE FROM {table}")


def update_events(
    store: Store,
    *,
    batch_size: int = 64,
    threshold: float = THRESHOLD,
    radius_km: float = RADIUS_KM,
    stats: EventStats | None = None,
    read_batches: NewUnits = _read_batches,
) -> int:
    """Bring the stored event groups up to date with the store's current documents; returns
    the number of documents taken in. ``stats`` (optional) adds up what it recomputed.
    ``read_batches`` turns the batches of new documents into their units (:func:`new_units`
    of each), in order: here by default, on Ray in :func:`.ray_steps.update_events_ray`;
    reading nothing this step writes, it may run ahead of the writes.

    Documents taken out and copy groups changed (the provenance log) are handled in the first
    batch's transaction (as :func:`.claim_store.update_claims` does), so a component both they
    and the new units touch is recomputed once. A component touched only through the provenance
    log keeps its units and groups (no pair score reads provenance): only the independent
    sources of its events are counted again (:func:`_recount`)."""
    stats = stats if stats is not None else EventStats()
    copy_groups: Groups = {}  # copy edges do not change while this step runs
    with store.transaction():
        if ensure_config(store, STEP, _config(threshold, radius_km)):
            _drop_all(store)
    todo = changes(store, STEP)
    moved, log_end = provenance_since(store, STEP)
    batches = batches_by_group(store, todo.add, batch_size)

    def take_out() -> tuple[set[str], set[str]]:
        """Forgotten documents out, the provenance log read: the components to recompute, and
        those touched only through copy groups (their independent sources to count again)."""
        touched = _components_of_docs(store, todo.forget)
        for part in chunks(todo.forget):
            q = ",".join("?" * len(part))
            store.conn.execute(f"DELETE FROM event_units WHERE doc_id IN ({q})", part)
            store.conn.execute(f"DELETE FROM event_places WHERE doc_id IN ({q})", part)
            store.conn.execute(f"DELETE FROM event_times WHERE doc_id IN ({q})", part)
        recount = _components_of_docs(store, copy_group(store, moved)) if moved else set()
        unmark(store, STEP, todo.forget)
        read_provenance_to(store, STEP, log_end)
        stats.forgotten_docs += len(todo.forget)
        return touched, recount

    if not batches:
        with store.transaction():
            touched, recount = take_out()
            if touched:
                _recompute(store, touched, [], threshold, radius_km, stats, copy_groups)
            _recount(store, recount - touched, stats, copy_groups)
    for i, (batch, new) in enumerate(zip(batches, read_batches(store, batches, radius_km))):
        with store.transaction():
            touched, recount = take_out() if i == 0 else (set(), set())
            touched |= _linked_components(store, new, threshold, radius_km, stats)
            _recompute(store, touched, new, threshold, radius_km, stats, copy_groups)
            _recount(store, recount - touched, stats, copy_groups)
            mark_indexed(store, STEP, todo.stamps, batch)
            stats.added_docs += len(batch)
            stats.batches += 1
    finish(store, STEP, todo)
    return len(todo.add)


def rebuild_events(store: Store, *, threshold: float = THRESHOLD, radius_km: float = RADIUS_KM) -> int:
    """Drop the stored event groups and compute them all again; returns the number of events."""
    with store.transaction():
        _drop_all(store)
        reset(store, STEP)
    update_events(store, threshold=threshold, radius_km=radius_km)
    return int(store.conn.execute("SELECT count(*) FROM events").fetchone()[0])


# --------------------------------------------------------------------------- reading


def stored_events(
    store: Store, doc_ids: Iterable[str] | None = None, *, limit: int | None = None, offset: int = 0,
    type: str | None = None,  # noqa: A002
) -> list[Event]:
    """The stored events (all, a page of ``limit`` from ``offset``, only those of ``type``, or
    those with evidence in ``doc_ids``) in the order :func:`build_events` lists them;
    ``claims`` is left empty (the reader links them)."""
    order = " ORDER BY e.untimed, e.time_value, e.id, e.first_seq, e.first_u"
    if doc_ids is None:
        where, args = ("", []) if type is None else (" WHERE json_extract(e.record, '$.type') = ?", [type])
        rows = store.conn.execute(
            "SELECT e.record FROM events e" + where + order + " LIMIT ? OFFSET ?",
            [*args, -1 if limit is None else limit, offset],
        ).fetchall()
    else:
        rows = store.conn.execute(  # the documents' events first (index on doc_id), then their records
            "SELECT e.record FROM (SELECT DISTINCT d.component, d.k FROM json_each(?) j"
            " JOIN event_docs d ON d.doc_id = j.value) x JOIN events e ON e.component = x.component AND e.k = x.k"
            + order,
            (json.dumps(sorted(set(doc_ids))),),
        ).fetchall()
    return [Event.from_record(json.loads(r[0])) for r in rows]
