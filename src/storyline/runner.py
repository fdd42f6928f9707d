"""Batch jobs over a store: :func:`ingest` files, :func:`analyze` what is stale.

Both follow the same shape, so a run killed at any point can be re-run to finish:

1. raw input is stored first, in one transaction per batch (nothing read is lost);
2. the per-document stages run on the batch (pure compute, in-process or in workers);
3. their results are written in one transaction per batch.

A document stored in step 1 whose results never arrived is ``pending``; the next ingest of
the same input, or ``storyline analyze``, finishes it ("resumed").
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterable, Iterator, Sequence, Set
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TypeVar

from .budget import Budget
from .errors import InputError
from .executor import Engine, Executor, Pending, open_executor
from .ingest.guard import describe, rejection
from .ingest.readers import Seen, Sidecars, read_paths
from .pipeline import Pipeline
from .progress import Progress
from .settings import Config
from .store import Store, document_id
from .types import Doc, IngestSummary, RawRecord, Rejection

T = TypeVar("T")


def _batched(items: Iterable[T], n: int) -> Iterator[list[T]]:
    it = iter(items)
    while batch := list(islice(it, n)):
        yield batch


def ingest(
    store: Store,
    paths: Sequence[str | Path],
    *,
    meta: str | Path | None = None,
    config: Config | None = None,
    pipeline: Pipeline | None = None,
    progress: bool | None = None,
    corpus_steps: bool = True,
    follow_symlinks: bool = False,
    engine: Engine = "local",
    address: str | None = None,
) -> IngestSummary:
    """Read ``paths`` (files or directories) into ``store`` and run every stage on what is new.

    ``meta`` is a sidecar JSONL mapping file names to url and metadata. ``corpus_steps=False``
    leaves copy detection for a later :func:`analyze`. ``follow_symlinks`` also reads links
    that lead out of the input folders (skipped with a rejection by default). ``engine`` and
    ``address`` choose where the stages run (:mod:`storyline.executor`; ``config.workers``
    processes or Ray actors). Returns counts and the rejections of this run (also stored:
    ``store.rejections()``).
    """
    config = config or Config.load()
    pipeline = pipeline or Pipeline()
    sidecars = Sidecars()
    if meta is not None:
        sidecars.load(str(meta), scope=None)
    summary = IngestSummary()
    bar = Progress.auto(progress)  # one bar per phase on a terminal (storyline.progress)
    bar.prepare([s.name for s in pipeline.stages])
    store_files = [store.path + suffix for suffix in ("", "-wal", "-shm", "-journal")]
    items = read_paths(
        paths, sidecars=sidecars, max_bytes=config.max_bytes, exclude=store_files,
        follow_symlinks=follow_symlinks,
    )
    with _executor(pipeline, config, engine, address) as executor:
        pending: _Submitted | None = None
        for batch in _batched(items, executor.batch_size):
            todo: list[tuple[Doc, str]] = []
            # ids queued here or still computing in the batch before: a twin is not queued twice
            in_batch: set[str] = set(pending.ids) if pending else set()
            with store.transaction():
                for item in batch:
                    if isinstance(item, Seen):
                        store.clear_rejections(item.path)
                        continue
                    bar.read()  # a record: a document, or an input refused
                    if isinstance(item, Rejection):
                        store.add_rejection(item)
                        summary.rejections.append(item)
                    else:
                        admitted = _admit_guarded(store, item, summary, in_batch)
                        if admitted is not None:
                            todo.append(admitted)
                            in_batch.add(admitted[0].id)
            # The workers compute this batch while the previous one is written and indexed.
            bar.queued(len(todo))
            submitted = _Submitted(todo, executor.submit([d for d, _ in todo])) if todo else None
            if pending is not None:
                _write_results(store, pending, pipeline, summary)
                bar.analysed(len(pending.todo))
                if corpus_steps:
                    bar.corpus_queued(len(pending.todo))
                    _run_corpus_steps(store, config, engine, address)
                    bar.indexed(len(pending.todo))
            pending = submitted
        if pending is not None:
            _write_results(store, pending, pipeline, summary)
            bar.analysed(len(pending.todo))
            bar.corpus_queued(len(pending.todo) if corpus_steps else 0)
    if corpus_steps:
        _run_corpus_steps(store, config, engine, address)  # the last batch, and what a killed run left unindexed
    bar.indexed(len(pending.todo) if corpus_steps and pending is not None else 0)
    bar.close()
    summary.rejected = len(summary.rejections)
    return summary


# What storing one record can raise because of that record (text SQLite cannot encode, a
# value out of range); a locked or full database is no record's fault and stops the run.
_RECORD_ERRORS = (
    UnicodeError, ValueError, OverflowError, TypeError, sqlite3.InterfaceError, sqlite3.DataError,
)


def _admit_guarded(
    store: Store, record: RawRecord, summary: IngestSummary, in_batch: Set[str]
) -> tuple[Doc, str] | None:
    """:func:`_admit` in a savepoint: a record the store refuses is one stored rejection (E110),
    undone alone, and the batch goes on (the readers already make paths and metadata safe;
    this is the last line)."""
    store.conn.execute("SAVEPOINT admit")
    try:
        admitted = _admit(store, record, summary, in_batch)
    except _RECORD_ERRORS as exc:
        store.conn.execute("ROLLBACK TO admit")
        store.conn.execute("RELEASE admit")
        err = InputError("E110", path=record.where, where=" when storing it", reason=describe(exc))
        r = rejection(err, path=record.source_path, locator=record.locator, stage="store")
        store.add_rejection(r)
        summary.rejections.append(r)
        return None
    store.conn.execute("RELEASE admit")
    return admitted


def _admit(
    store: Store, record: RawRecord, summary: IngestSummary, in_batch: Set[str] = frozenset()
) -> tuple[Doc, str] | None:
    """Store a new record's raw bytes; return the document if stages must (still) run, with
    what it will count as once they succeed (``ingested``, ``updated`` or ``resumed``).

    ``in_batch`` holds the ids already queued in this batch (a duplicate file next to its twin).
    """
    url = record.meta.get("url")
    doc_id = document_id(record.content, url)
    state = store.doc_state(doc_id)
    if state is not None:
        store.add_sighting(doc_id, record.source_path, record.locator)
        summary.doc_ids.append(doc_id)
        status, _ = state
        if status != "pending" or doc_id in in_batch:
            summary.unchanged += 1
            return None
        return store.get(doc_id), "resumed"
    doc = Doc(
        id=doc_id,
        source_path=record.source_path,
        locator=record.locator,
        content_type=record.content_type,
        raw=record.content,
        input_meta=dict(record.meta),
    )
    previous = store.insert_document(doc, url=url)
    if previous:
        from .corpus.persist import forget_documents

        store.clear_doc_rejections(previous)  # why an old version was rejected no longer matters
        forget_documents(store, [previous])  # an old version is no source of new copies
    summary.doc_ids.append(doc_id)
    return doc, "updated" if previous else "ingested"


@dataclass(slots=True)
class _Submitted:
    """A batch handed to the executor: the documents (with what each will count as) and the
    handle its results come from."""

    todo: list[tuple[Doc, str]]
    pending: Pending

    @property
    def ids(self) -> list[str]:
        return [d.id for d, _ in self.todo]


def _executor(pipeline: Pipeline, config: Config, engine: Engine, address: str | None) -> Executor:
    return open_executor(
        [s.name for s in pipeline.stages], budget=Budget.from_config(config), workers=config.workers,
        batch_size=config.batch_size, engine=engine, address=address,
    )


def _write_results(store: Store, submitted: _Submitted, pipeline: Pipeline, summary: IngestSummary) -> None:
    """Store one batch's results in one transaction (the single writer)."""
    todo, results = submitted.todo, submitted.pending.result()
    from .corpus.persist import forget_documents

    with store.transaction():
        # Recomputed text invalidates the copied passages found on the old text.
        forget_documents(store, [doc.id for doc, kind in todo if kind == "resumed"])
        for (doc, rejected), (_, kind) in zip(results, todo):
            # a document over a budget stays ok (text kept, stored) with a rejection saying what did not run
            kept = doc.status == "ok"
            if kept:
                setattr(summary, kind, getattr(summary, kind) + 1)
            store.clear_doc_rejections(doc.id)
            store.save_stage_results(doc, slots=pipeline.slots if kept else ())
            if not kept:
                store.mark_rejected(doc.id)
            if rejected is not None:
                store.add_rejection(rejected)
                summary.rejections.append(rejected)


def _run_corpus_steps(store: Store, config: Config, engine: Engine = "local", address: str | None = None) -> None:
    """Incremental corpus steps: each finds on its own what is new since it last ran. Copy
    detection first: the claim and event steps read the copy groups it updates. On ``ray``,
    copy detection runs in batch form on the cluster (:mod:`storyline.corpus.ray_reuse`: same
    records) and the claim, event and story steps take new documents in there
    (:mod:`storyline.corpus.ray_claims`, :mod:`storyline.corpus.ray_steps`: same records); the
    entity step and the rest of each step run here."""
    from .corpus.claim_store import update_claims
    from .corpus.entity_store import update_entities
    from .corpus.event_store import update_events
    from .corpus.persist import update_reuse, update_stories

    if engine == "ray":
        from .corpus.ray_claims import update_claims_ray
        from .corpus.ray_reuse import update_reuse_ray
        from .corpus.ray_steps import update_events_ray, update_stories_ray

        update_reuse_ray(store, batch_size=config.batch_size, workers=config.workers, address=address)
        update_entities(store, batch_size=config.batch_size)
        update_claims_ray(store, batch_size=config.batch_size, workers=config.workers, address=address)
        update_events_ray(store, batch_size=config.batch_size, workers=config.workers, address=address)
        update_stories_ray(store, batch_size=config.batch_size, workers=config.workers, address=address)
    else:
        update_reuse(store, batch_size=config.batch_size)
        update_entities(store, batch_size=config.batch_size)
        update_claims(store, batch_size=config.batch_size)
        update_events(store, batch_size=config.batch_size)
        update_stories(store, batch_size=config.batch_size)


def _rebuild_corpus_layers(store: Store, config: Config) -> None:
    """Forget the stored copy groups, entity, claim and event layers and compute them again
    from every current document (``analyze --rebuild``): the from-scratch result the incremental
    updates must equal."""
    from .corpus import copy_groups
    from .corpus.claim_store import rebuild_claims
    from .corpus.entity_store import rebuild_entities
    from .corpus.event_store import rebuild_events

    with store.transaction():
        copy_groups.rebuild(store)
    rebuild_entities(store, batch_size=config.batch_size)
    rebuild_claims(store, batch_size=config.batch_size)
    rebuild_events(store)


def analyze(
    store: Store,
    *,
    config: Config | None = None,
    pipeline: Pipeline | None = None,
    force: bool = False,
    engine: Engine = "local",
    address: str | None = None,
    progress: bool | None = None,
    rebuild: bool = False,
) -> IngestSummary:
    """Re-run the stages on every current document whose results are missing or stale
    (another stage version), or on all of them with ``force``, on ``engine`` (as :func:`ingest`);
    then the corpus steps, and every story listing's stored fields brought up to date (an
    ingest derives them within a budget: :mod:`storyline.report.stored`)."""
    config = config or Config.load()
    pipeline = pipeline or Pipeline()
    if force:
        ids = [d.id for d in store.iter_docs()]
    else:
        ids = store.stale_ids(pipeline.versions)
    summary = IngestSummary()
    bar = Progress.auto(progress)
    bar.prepare([s.name for s in pipeline.stages])
    bar.queued(len(ids))
    with _executor(pipeline, config, engine, address) as executor:
        pending: _Submitted | None = None
        for batch in _batched(ids, executor.batch_size):
            docs = [store.get(i) for i in batch]
            for d in docs:  # results are recomputed from raw: start from a blank slate
                d.stage_versions.clear()
            todo = [(d, "resumed") for d in docs]
            submitted = _Submitted(todo, executor.submit(docs))
            if pending is not None:
                _write_results(store, pending, pipeline, summary)
                bar.analysed(len(pending.todo))
            pending = submitted
            summary.doc_ids.extend(batch)
        if pending is not None:
            _write_results(store, pending, pipeline, summary)
            bar.analysed(len(pending.todo))
    if rebuild:
        _rebuild_corpus_layers(store, config)
    _run_corpus_steps(store, config, engine, address)
    from .report.stored import refresh_story_fields

    with store.transaction():  # asked for: every story listing's stored fields up to date, no budget
        refresh_story_fields(store, budget=sys.maxsize)
    bar.close()
    summary.unchanged = store.counts()["documents"] - len(ids)
    summary.rejected = len(summary.rejections)
    return summary
