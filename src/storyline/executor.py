"""Executors: where the per-document stages of a batch run.

:func:`open_executor` is the one way the batch jobs (:mod:`storyline.runner`) get one; every
executor has the same two calls, so the runner never knows which it has:

* ``submit(docs)`` starts the stages on a batch and returns at once with a :class:`Pending`;
* ``Pending.result()`` waits and returns ``(doc, rejection)`` pairs in input order.

The runner submits batch *k + 1* before it writes batch *k*, so the workers compute while the
single writer (the parent process, one SQLite connection) stores results and runs the corpus
steps.

* ``local`` with one worker runs in-process, when the result is asked for.
* ``local`` with N workers is one pool of N forked processes for the whole run. Before forking,
  the parent runs the pipeline once on a small warm-up document, so the models (spaCy, the
  gazetteer, the actor ruler) are loaded once and shared copy-on-write by every worker instead
  of being loaded by each worker for each batch. The earlier code made a new pool per batch and
  loaded every model in every worker for every batch of 64 documents: ``--workers 2`` ran at
  0.62x the single-process throughput (issue #13).
* ``ray`` runs the stages as Ray Data ``map_batches`` over an actor pool (the pipeline built
  once per actor) on a local Ray instance or the cluster at ``address``. Ray is an optional
  extra (``pip install 'storyline[ray]'``); batches are larger (``RAY_WINDOW`` documents) so
  that each actor pool's start-up is paid over many documents.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from .budget import Budget
from .errors import StorylineError
from .types import Doc, Rejection

Result = tuple[Doc, "Rejection | None"]
Engine = Literal["local", "ray"]
# Documents per Ray batch: an actor pool starts per batch (one model load per actor).
RAY_WINDOW = 512

WARM_UP_TEXT = (
    "Warm-up report\n\nBEIRUT, March 3 (Reuters) - A convoy of about 40 vehicles left Raqqa for Deir ez-Zor "
    'on Monday, a spokesman for the coalition said. "We are monitoring it," he told reporters in Syria.'
)


class Pending(Protocol):
    def result(self) -> list[Result]: ...


class Executor:
    """Base of the executors: a context manager that releases its workers on exit (at once,
    on an error: the run stops, what was written stays written)."""

    batch_size: int = 64

    def submit(self, docs: Sequence[Doc]) -> Pending:
        raise NotImplementedError

    def close(self, *, cancel: bool = False) -> None:
        pass

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        self.close(cancel=exc_type is not None)


@dataclass(slots=True)
class _Deferred:
    compute: Callable[[], list[Result]]

    def result(self) -> list[Result]:
        return self.compute()


class InProcess(Executor):
    """The stages in this process, run when the result is asked for."""

    def __init__(self, names: list[str], budget: Budget | None, batch_size: int) -> None:
        from .pipeline import Pipeline

        self.pipeline, self.budget, self.batch_size = Pipeline(names), budget, batch_size

    def submit(self, docs: Sequence[Doc]) -> Pending:
        batch = list(docs)
        return _Deferred(lambda: [self.pipeline.process(d, self.budget) for d in batch])


class ProcessPool(Executor):
    """One pool of forked workers for the whole run, models loaded once before the fork."""

    def __init__(self, names: list[str], budget: Budget | None, workers: int, batch_size: int) -> None:
        from .pipeline import Pipeline

        methods = multiprocessing.get_all_start_methods()
        if "fork" in methods:
            warm_up(Pipeline(names), budget)  # loaded here, shared copy-on-write by the forked workers
        ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.workers, self.batch_size = workers, batch_size
        self.pool = ctx.Pool(workers, initializer=_init_worker, initargs=(names, budget))

    def submit(self, docs: Sequence[Doc]) -> Pending:
        batch = list(docs)
        # Small chunks: documents differ a lot in cost, and a worker left idle at the end of a
        # batch is time lost (the next batch is only submitted once this one is admitted).
        chunk = max(1, len(batch) // (self.workers * 4))
        handle = self.pool.map_async(_process_in_worker, batch, chunksize=chunk)
        return _Deferred(handle.get)

    def close(self, *, cancel: bool = False) -> None:
        if cancel:
            self.pool.terminate()
        else:
            self.pool.close()
        self.pool.join()


class RayData(Executor):
    """The stages as Ray Data ``map_batches`` over an actor pool of ``workers`` actors."""

    def __init__(self, names: list[str], budget: Budget | None, workers: int, address: str | None) -> None:
        start_ray(workers, address)
        self.names, self.budget, self.workers = names, budget, max(workers, 1)
        self.batch_size = RAY_WINDOW

    def submit(self, docs: Sequence[Doc]) -> Pending:
        import ray.data

        items = [{"i": i, "doc": pickle.dumps(d)} for i, d in enumerate(docs)]
        per_actor = max(1, min(32, len(items) // (self.workers * 2) or 1))
        ds = ray.data.from_items(items).map_batches(
            _RayStages,
            fn_constructor_args=(self.names, self.budget),
            batch_size=per_actor,
            batch_format="numpy",
            concurrency=self.workers,
            num_cpus=1,
        )

        def collect() -> list[Result]:
            rows = sorted(ds.take_all(), key=lambda r: int(r["i"]))
            return [pickle.loads(r["result"]) for r in rows]

        return _Deferred(collect)


class _RayStages:
    """A Ray Data actor: the pipeline is built (and its models loaded) once per actor."""

    def __init__(self, names: list[str], budget: Budget | None) -> None:
        from .pipeline import Pipeline

        self.pipeline, self.budget = Pipeline(names), budget

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        out = [pickle.dumps(self.pipeline.process(pickle.loads(b), self.budget)) for b in batch["doc"]]
        return {"i": batch["i"], "result": out}


def start_ray(workers: int, address: str | None) -> None:
    """Connect to the Ray cluster at ``address``, or start a local instance with ``workers``
    CPUs, once per process (E205 when Ray is not installed); Ray Data's progress bars off."""
    try:
        import ray
        import ray.data
    except ImportError:
        raise StorylineError("E205", extra="ray") from None
    if not ray.is_initialized():
        kwargs: dict[str, Any] = {"address": address} if address else {"num_cpus": max(workers, 1)}
        ray.init(include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR, **kwargs)
    ray.data.DataContext.get_current().enable_progress_bars = False


def open_executor(
    names: list[str],
    *,
    budget: Budget | None,
    workers: int = 1,
    batch_size: int = 64,
    engine: Engine = "local",
    address: str | None = None,
) -> Executor:
    """The executor for ``engine`` (``local``: in-process or a process pool; ``ray``)."""
    if engine == "ray":
        return RayData(names, budget, workers, address)
    if engine != "local":
        raise StorylineError("E206", engine=engine)
    if workers <= 1:
        return InProcess(names, budget, batch_size)
    return ProcessPool(names, budget, workers, batch_size)


def warm_up(pipeline: Any, budget: Budget | None = None) -> None:
    """Run ``pipeline`` once on a small English report so that every lazily loaded model is
    in memory (before a fork, the workers then share it)."""
    from .types import Doc as _Doc

    doc = _Doc(id="warm-up", source_path="<warm-up>", locator="", content_type="text",
               raw=WARM_UP_TEXT.encode())
    pipeline.process(doc, budget)


_WORKER: tuple[Any, Budget | None] | None = None


def _init_worker(names: list[str], budget: Budget | None) -> None:
    global _WORKER  # one per worker process, built once; not shared state
    from .pipeline import Pipeline

    _WORKER = (Pipeline(names), budget)


def _process_in_worker(doc: Doc) -> Result:
    assert _WORKER is not None
    pipeline, budget = _WORKER
    return pipeline.process(doc, budget)
