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
from collections.abc import Callable, Iterable, Iterator, Sequence, Set
from itertools import islice
from pathlib import Path
from typing import TypeVar

from .errors import InputError
from .ingest.guard import describe, rejection
from .ingest.readers import Seen, Sidecars, list_files, read_paths
from .budget import Budget
from .pipeline import Pipeline
from .settings import Config
from .store import Store, document_id
from .types import Doc, IngestSummary, RawRecord, Rejection

T = TypeVar("T")
Progress = Callable[[int], None]


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
) -> IngestSummary:
    """Read ``paths`` (files or directories) into ``store`` and run every stage on what is new.

    ``meta`` is a sidecar JSONL mapping file names to url and metadata. ``corpus_steps=False``
    leaves copy detection for a later :func:`analyze`. ``follow_symlinks`` also reads links
    that lead out of the input folders (skipped with a rejection by default). Returns counts
    and the rejections of this run (also stored: ``store.rejections()``).
    """
    config = config or Config.load()
    pipeline = pipeline or Pipeline()
    sidecars = Sidecars()
    if meta is not None:
        sidecars.load(str(meta), scope=None)
    summary = IngestSummary()
    bar = _progress_bar(paths, progress, follow_symlinks)
    store_files = [store.path + suffix for suffix in ("", "-wal", "-shm", "-journal")]
    items = read_paths(
        paths, sidecars=sidecars, max_bytes=config.max_bytes, exclude=store_files,
        follow_symlinks=follow_symlinks,
    )
    for batch in _batched(items, config.batch_size):
        todo: list[tuple[Doc, str]] = []
        in_batch: set[str] = set()
        with store.transaction():
            for item in batch:
                if isinstance(item, Seen):
                    store.clear_rejections(item.path)
                    bar(item.path)
                elif isinstance(item, Rejection):
                    store.add_rejection(item)
                    summary.rejections.append(item)
                else:
                    admitted = _admit_guarded(store, item, summary, in_batch)
                    if admitted is not None:
                        todo.append(admitted)
                        in_batch.add(admitted[0].id)
        _run_stages(store, todo, pipeline, config, summary)
        if corpus_steps:
            _run_corpus_steps(store, config)
    if corpus_steps:
        _run_corpus_steps(store, config)  # documents left unindexed by an earlier, killed run
    bar(None)
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


def _run_stages(
    store: Store, todo: list[tuple[Doc, str]], pipeline: Pipeline, config: Config, summary: IngestSummary
) -> None:
    if not todo:
        return
    budget = Budget.from_config(config)
    docs = [d for d, _ in todo]
    results = list(pipeline.pipe(docs, workers=config.workers, batch_size=config.batch_size, budget=budget))
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


def _run_corpus_steps(store: Store, config: Config) -> None:
    """Incremental corpus steps: each finds on its own what is new since it last ran."""
    from .corpus.persist import update_reuse, update_stories

    update_reuse(store, batch_size=config.batch_size)
    update_stories(store, batch_size=config.batch_size)


def analyze(
    store: Store,
    *,
    config: Config | None = None,
    pipeline: Pipeline | None = None,
    force: bool = False,
) -> IngestSummary:
    """Re-run the stages on every current document whose results are missing or stale
    (another stage version), or on all of them with ``force``."""
    config = config or Config.load()
    pipeline = pipeline or Pipeline()
    if force:
        ids = [d.id for d in store.iter_docs()]
    else:
        ids = store.stale_ids(pipeline.versions)
    summary = IngestSummary()
    for batch in _batched(ids, config.batch_size):
        docs = [store.get(i) for i in batch]
        for d in docs:  # results are recomputed from raw: start from a blank slate
            d.stage_versions.clear()
        _run_stages(store, [(d, "resumed") for d in docs], pipeline, config, summary)
        summary.doc_ids.extend(batch)
    _run_corpus_steps(store, config)
    summary.unchanged = store.counts()["documents"] - len(ids)
    summary.rejected = len(summary.rejections)
    return summary


def _progress_bar(
    paths: Sequence[str | Path], enabled: bool | None, follow_symlinks: bool = False
) -> Callable[[str | None], None]:
    """A tqdm bar over input files on stderr (automatic: only on a terminal)."""
    if enabled is False or (enabled is None and not sys.stderr.isatty()):
        return lambda _path: None
    from tqdm import tqdm

    total = sum(1 for f in list_files(paths, follow_symlinks=follow_symlinks) if isinstance(f, tuple))
    bar = tqdm(total=total, unit="file", file=sys.stderr, desc="ingest", leave=False)

    def update(path: str | None) -> None:
        if path is None:
            bar.close()
        else:
            bar.update(1)

    return update
