"""The event and story steps with their per-document part on a Ray cluster: the same run,
record for record, by construction.

Each step takes its new documents in batches and runs, per batch, a pure function of one
document, then the rest on what the store holds:

* **events** (:func:`storyline.corpus.event_store.update_events`): per document
  :func:`~storyline.corpus.event_store.new_units` (decoding the stored ``events``, ``places``,
  ``times`` and ``quantities`` layers, :func:`~storyline.corpus.events.from_doc`, the
  same-document groups); then candidates from ``event_units`` / ``event_places``, scoring,
  clustering and merging of the components they link to, and the writes.
* **stories** (:func:`storyline.corpus.persist.update_stories`): per document
  :func:`~storyline.corpus.persist.story_features` (decoding four layers, tokens, the
  channels); then placement one document after another (:func:`.stories.assign`: the
  document frequencies, index keys and candidates are those after every document placed
  before, so nothing else of it is independent of earlier batches) and the story records.

Here the driver reads each new document's stored rows (undecoded) for a round of at most
``ROUND`` documents; Ray Data tasks run the per-document function; the driver takes the
results in store order, streaming (``preserve_order``), and hands them to the step as its
``read_batches``: the step runs everything else, writes included, unchanged. Ray Data tasks,
not actor pools (:mod:`storyline.corpus.ray_reuse` measured why).

Where the CPU goes, local step, every document new to it (a copy of the 900 real documents of
``lead/scale10k/base-900.db`` after copy detection and the entity step; 2 cores shared with a
benchmark; CPU seconds, imports excluded):

=========================  ============  ==================  ===============================
step                       whole step    per-document part   driver's part if shipped
=========================  ============  ==================  ===============================
events (899 documents)     3.11 s        1.43 s (46 %)       0.21 s (rows 18 KB, 2.5 KB back)
stories (899 documents)    35.35 s       2.95 s (8 %)        0.14 s (rows 28 KB, 5.7 KB back)
=========================  ============  ==================  ===============================

("driver's part": reading and pickling the rows, unpickling the results, what the driver
still does per document when the rest is shipped.) The story step is placement (pair
scores 54 of 103 s under cProfile, document frequencies 9 s): sequential by definition (a
single-pass clustering), so at most 8 % of it moves.

Tested equal to the local steps (``tests/corpus/test_ray_steps.py``): the sample corpus; 60
real texts in three ingests, batches of 7 and 64; a store already holding events and
stories that the Ray run adds to.

Measured (each step with and without this reader, every document new to it; 500 real
documents: the store above with the documents after the 500th set rejected; local Ray with
``num_cpus=2``, warm; 2 cores shared with other jobs, load average 4.4-5.9; "Ray CPU": the
Ray processes; same records each time; a wall time twice the CPU is the load)::

    step, documents       local: wall, CPU             Ray: wall, driver CPU + Ray CPU
    events, 500           1.17-1.78 s, 0.93-1.48 s     1.42-1.68 s, 0.76-1.01 s + 0.60-0.67 s
    stories, 500          10.9-21.1 s, 8.7-10.1 s      9.5-12.1 s, 7.8-9.5 s + 1.3-1.5 s
    events, 64 (a batch)  0.14-0.15 s, 0.14 s          0.31-0.40 s, 0.17-0.23 s + 0.13-0.21 s
    stories, 64           0.71-0.97 s, 0.59-0.85 s     0.78-1.25 s, 0.61-0.95 s + 0.19-0.32 s

On 2 cores this does not pay, as for the claim step (:mod:`.ray_claims`): the driver's CPU
drops by less than the per-document part, because Ray Data's executor runs on the driver
too (0.3-0.5 s a call on 500 documents; shipping one Ray Data row per document instead of
per ``CHUNK`` cost 0.3 s more), and an ingest batch of 64 pays it for 0.1-0.2 s of work. On a
cluster the per-document part scales with the workers; the driver keeps the candidates, the
clustering and placement, and the writes. Fixed cost: ``ray.init`` 6.6-9.7 s, the first call
in a Ray session 5.3-7.5 s (worker processes importing storyline).

So a call with fewer than ``MIN_SHIPPED`` new documents runs the same pure function on the
driver and leaves Ray alone (not even started: ``analyze --engine ray`` after a small ingest
pays no ``ray.init``): shipping saves at most the per-document part times (1 - 1/workers),
1.6-3.3 ms a document on 2 workers halved, against about 0.2-0.3 s a call, so it pays from
roughly 150 (stories) to 300 (events) documents.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from ..errors import StoreError
from ..store import Store

if TYPE_CHECKING:
    from .event_store import EventStats, _Unit
    from .stories import DocFeatures, StorySettings

__all__ = ["CHUNK", "MIN_SHIPPED", "ROUND", "in_order", "update_events_ray", "update_stories_ray"]

R = TypeVar("R")
T = TypeVar("T")
# Documents per round: the driver holds a round's stored rows and results at once (events
# 18 KB + 2.5 KB a document, stories 28 KB + 5.7 KB: at most about 0.07 GB).
ROUND = 2_000
# Documents per Ray Data row (one task): events take 1.6 ms a document, stories 3.3 ms.
CHUNK = 64
# Fewer new documents in a call: the per-document function runs on the driver (see above).
MIN_SHIPPED = 256


def update_events_ray(
    store: Store, *, batch_size: int = 64, workers: int = 2, address: str | None = None,
    stats: EventStats | None = None, **kwargs: Any,
) -> int:
    """:func:`storyline.corpus.event_store.update_events` (``kwargs``: its threshold and
    radius) with the new documents' units made by Ray Data tasks on the cluster Ray is
    connected to (when it is not started yet: the cluster at ``address``, else a local instance
    with ``workers`` CPUs). Same records, same return value; E205 when Ray is not installed
    (only once there is a new document to take in)."""
    from .event_store import update_events

    return update_events(store, batch_size=batch_size, stats=stats,
                         read_batches=partial(_event_batches, workers=workers, address=address), **kwargs)


def update_stories_ray(
    store: Store, settings: StorySettings | None = None, *, batch_size: int = 64, workers: int = 2,
    address: str | None = None,
) -> int:
    """:func:`storyline.corpus.persist.update_stories` with the new documents' features made
    by Ray Data tasks (as :func:`update_events_ray`). Same records, same return value."""
    from .persist import update_stories

    return update_stories(store, settings, batch_size=batch_size,
                          read_batches=partial(_story_batches, workers=workers, address=address))


def _event_batches(
    store: Store, batches: Sequence[Sequence[str]], radius_km: float, *, workers: int, address: str | None
) -> Iterator[list[_Unit]]:
    from .event_store import doc_rows, new_units

    for got in in_order(store, batches, doc_rows, partial(new_units, radius_km=radius_km), lambda r: str(r[1][0]),
                        workers=workers, address=address):
        yield [u for units in got for u in units]


def _story_batches(
    store: Store, batches: Sequence[Sequence[str]], settings: StorySettings, *, workers: int, address: str | None
) -> Iterator[list[DocFeatures]]:
    from .persist import story_features, story_rows

    for got in in_order(store, batches, story_rows, partial(story_features, settings=settings),
                        lambda r: str(r[0]["id"]), workers=workers, address=address):
        yield [f for f in got if f is not None]


@dataclass(frozen=True, slots=True)
class _Failed:
    """A document whose stored rows no longer decode, and why (the driver raises E306)."""

    reason: str


def _one(work: Callable[[R], T], r: R) -> T | _Failed:
    try:
        return work(r)
    except (ValueError, TypeError, KeyError, zlib.error) as exc:
        return _Failed(f"{type(exc).__name__}: {str(exc)[:200]}")


def _task(batch: dict[str, np.ndarray], *, work: Callable[[Any], Any]) -> dict[str, np.ndarray]:
    """A Ray Data task: ``work`` on each document of each chunk of a batch, pickled per chunk."""
    out = [pickle.dumps([_one(work, r) for r in pickle.loads(chunk)]) for chunk in batch["rows"]]
    return {"n": batch["n"], "got": np.array(out, dtype=object)}


def _checked(store: Store, value: T | _Failed, r: R, name: Callable[[R], str]) -> T:
    if isinstance(value, _Failed):
        raise StoreError("E306", path=store.path, what=f"document {name(r)}", reason=value.reason)
    return value


def in_order(
    store: Store, batches: Sequence[Sequence[str]], rows_of: Callable[[Store, Sequence[str]], list[R]],
    work: Callable[[R], T], name: Callable[[R], str], *, workers: int, address: str | None,
) -> Iterator[list[T]]:
    """Per batch of document ids, ``work`` of each of ``rows_of(store, batch)`` (a pure
    function: run in Ray Data tasks), in order, one batch at a time: per round of at most
    ``ROUND`` documents the rows go out together, in chunks of at most ``CHUNK`` documents (one
    Ray Data row and task each: Ray Data's cost on the driver is per row), and the results come
    back streaming, the first batches while later ones are computed. ``name`` gives a row's
    document id (E306). Fewer than ``MIN_SHIPPED`` documents in all: ``work`` runs here."""
    if not batches:
        return
    if sum(map(len, batches)) < MIN_SHIPPED:
        for b in batches:
            yield [_checked(store, _one(work, r), r, name) for r in rows_of(store, b)]
        return
    from ..executor import start_ray

    start_ray(workers, address)
    import ray.data

    rounds: list[list[Sequence[str]]] = [[]]
    for b in batches:
        if rounds[-1] and sum(map(len, rounds[-1])) + len(b) > ROUND:
            rounds.append([])
        rounds[-1].append(b)
    ctx = ray.data.DataContext.get_current()
    before, ctx.execution_options.preserve_order = ctx.execution_options.preserve_order, True
    try:
        for group in rounds:
            per_batch = [rows_of(store, b) for b in group]
            rows = [r for got in per_batch for r in got]
            # at least two chunks a worker, so that the first results come back early
            size = max(1, min(CHUNK, -(-len(rows) // (max(1, workers) * 2))))
            blocks: Iterator[dict[str, np.ndarray]] = iter(())
            if rows:
                items = [{"n": k, "rows": pickle.dumps(rows[at : at + size])} for k, at in
                         enumerate(range(0, len(rows), size))]
                blocks = iter(ray.data.from_items(items).map_batches(
                    partial(_task, work=work), batch_size=1, batch_format="numpy",
                ).iter_batches(batch_size=None, batch_format="numpy"))
            ready: dict[int, list[Any]] = {}
            at = 0
            for got in per_batch:
                out: list[T] = []
                for r in got:
                    k = at // size
                    while k not in ready:  # in order already (preserve_order); not relied on
                        block = next(blocks)
                        ready.update((int(n), pickle.loads(x)) for n, x in zip(block["n"], block["got"]))
                    value = ready[k][at % size]
                    at += 1
                    if at % size == 0:
                        del ready[k]
                    out.append(_checked(store, value, r, name))
                yield out
    finally:
        ctx.execution_options.preserve_order = before
