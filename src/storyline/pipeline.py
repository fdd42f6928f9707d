"""Per-document stages and the one batch entry point that runs them.

A stage is a named, versioned pure function ``Doc -> {slot: value}`` that declares the
:class:`~storyline.types.Doc` slots it reads and writes. :class:`Pipeline` orders the
registered stages, checks each one's reads are written earlier (E202), attaches results
(compute, then write), and turns a failing document into a :class:`Rejection` instead of
failing the batch. :meth:`Pipeline.pipe` hides the executor: in-process, or a pool of
worker processes; it is lazy and order-preserving.

Stage versions are stored with each document's results; bumping a version makes
``storyline analyze`` recompute that stage (and those after it) on every document.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .errors import StageError, StorylineError
from .types import Doc, Rejection

# Slots a document has before any stage runs (set by the reader / the store).
BASE_SLOTS = frozenset({"id", "source_path", "locator", "content_type", "raw", "input_meta"})

StageFunc = Callable[[Doc], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    version: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    func: StageFunc
    help: str = ""

    def __call__(self, doc: Doc) -> None:
        values = self.func(doc)  # pure compute
        if set(values) != set(self.writes):
            raise StageError(
                stage=self.name, doc=doc.id, path=doc.source_path,
                reason=f"wrote {sorted(values)}, declared {sorted(self.writes)}",
            )
        for slot, value in values.items():  # then write
            setattr(doc, slot, value)
        doc.stage_versions[self.name] = self.version


_REGISTRY: dict[str, Stage] = {}


def stage(name: str, *, version: str, reads: Iterable[str], writes: Iterable[str]) -> Callable[[StageFunc], StageFunc]:
    """Register a per-document stage (decorator). The pipeline orders stages by the slots
    they read and write; among stages that are ready together, registration order holds."""

    def register(func: StageFunc) -> StageFunc:
        _REGISTRY[name] = Stage(name, version, tuple(reads), tuple(writes), func, (func.__doc__ or "").strip())
        return func

    return register


def registered() -> list[Stage]:
    _load_builtin_stages()
    return list(_REGISTRY.values())


def _load_builtin_stages() -> None:
    from .stages import annotate, citations, clean  # noqa: F401  (register on import)


class Pipeline:
    """The ordered stages a document goes through."""

    def __init__(self, names: Iterable[str] | None = None) -> None:
        stages = registered()
        if names is not None:
            wanted = list(names)
            by_name = {s.name: s for s in stages}
            stages = [by_name[n] for n in wanted]
        # Order by what each stage reads: a stage runs once every slot it reads is written.
        available, ordered, waiting = set(BASE_SLOTS), [], list(stages)
        while waiting:
            ready = next((s for s in waiting if set(s.reads) <= available), None)
            if ready is None:
                s = waiting[0]
                raise StorylineError("E202", stage=s.name, slot=sorted(set(s.reads) - available)[0])
            waiting.remove(ready)
            ordered.append(ready)
            available.update(ready.writes)
        self.stages = ordered

    @property
    def slots(self) -> list[str]:
        """Every slot some stage of this pipeline writes."""
        return [slot for s in self.stages for slot in s.writes]

    @property
    def versions(self) -> dict[str, str]:
        return {s.name: s.version for s in self.stages}

    def process(self, doc: Doc) -> tuple[Doc, Rejection | None]:
        """Run every stage on ``doc``; a failure rejects the document, never the batch."""
        for s in self.stages:
            try:
                s(doc)
            except StorylineError as exc:
                # The rejection is this stage version's result: analyze retries it after an upgrade.
                doc.stage_versions[s.name] = s.version
                doc.status = "rejected"
                _drop_transient(doc)
                stage_name = getattr(exc, "stage", None) if not isinstance(exc, StageError) else s.name
                return doc, Rejection(
                    source_path=doc.source_path, stage=stage_name or s.name, code=exc.code,
                    message=str(exc), locator=doc.locator, doc=doc.id,
                )
            except Exception as exc:  # a bug or a library failure on this one document
                err = StageError(stage=s.name, doc=doc.id, path=doc.source_path, reason=f"{type(exc).__name__}: {exc}")
                doc.stage_versions[s.name] = s.version
                doc.status = "rejected"
                _drop_transient(doc)
                return doc, Rejection(
                    source_path=doc.source_path, stage=s.name, code=err.code, message=str(err),
                    locator=doc.locator, doc=doc.id,
                )
        doc.status = "ok"
        _drop_transient(doc)
        return doc, None

    def pipe(
        self, docs: Iterable[Doc], *, workers: int = 1, batch_size: int = 64
    ) -> Iterator[tuple[Doc, Rejection | None]]:
        """Process documents lazily and in order, in-process or in ``workers`` processes."""
        if workers <= 1:
            for doc in docs:
                yield self.process(doc)
            return
        ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
        with ctx.Pool(workers, initializer=_init_worker, initargs=([s.name for s in self.stages],)) as pool:
            yield from pool.imap(_process_in_worker, docs, chunksize=max(1, batch_size // (workers * 2)))


def _drop_transient(doc: Doc) -> None:
    """Transient slots (a spaCy Doc) never leave the pass that made them."""
    from .layers import TRANSIENT_SLOTS

    for slot in TRANSIENT_SLOTS:
        setattr(doc, slot, None if slot == "nlp" else [])


_WORKER_PIPELINE: Pipeline | None = None


def _init_worker(names: list[str]) -> None:
    global _WORKER_PIPELINE  # one per worker process, built once; not shared state
    _WORKER_PIPELINE = Pipeline(names)


def _process_in_worker(doc: Doc) -> tuple[Doc, Rejection | None]:
    assert _WORKER_PIPELINE is not None
    return _WORKER_PIPELINE.process(doc)
