"""Per-document budgets for the stages: time (``stage_timeout``) and size (``max_annotate_chars``).

One bad document must never stall a batch. Before this module, spaCy's tokenizer took 43 s on
16,000 ``&`` in a row (quadratic in the pieces it splits off one whitespace-free run) and a
re-run stalled on the same pending document again. Two guards, both enforced in the process
that runs the stages (in-process, or each worker process of :meth:`Pipeline.pipe`):

* **time**: :meth:`Pass.run` arms a one-shot ``SIGALRM`` (``setitimer``) for what is left of the
  document's budget before each stage and disarms it after. The handler raises :class:`_Alarm`, a
  ``BaseException`` so that no library's ``except Exception`` swallows it; it is turned into
  :class:`~storyline.errors.OverBudget` (E203) at once. Measured (8 cuts at random times of
  spaCy runs): the alarm stops the tokenizer's quadratic loop within 4 ms of the deadline (it calls
  back into Python regex objects); inside the model (``nogil`` loops over one 50k-char piece) the
  cut came up to 2.7 s late; after every cut the same pipeline parsed a reference text
  identically (nothing left half-changed). The budget is ``stage_timeout`` seconds per 100,000 bytes of input,
  at least ``stage_timeout``: long documents are legitimate and get proportionally more.
  Signals are delivered to the main thread only: elsewhere (a web server thread) there is no timer
  and a stage that finishes late is kept.
* **size**: a stage that makes the spaCy Doc (:data:`SIZE_CAPPED_SLOTS`) does not run on a text
  longer than ``max_annotate_chars``; it is skipped with E204 (memory and time grow with the text).

A stage cut or skipped this way is recorded through :func:`storyline.pipeline._skip`: its slots
empty, its version recorded (``storyline analyze`` does not retry it, ``--force`` does), the reason
in ``Doc.skipped``; the stages that read what it would have written are skipped with it, and after
a time overrun every later stage is (the budget is spent). The document keeps its text and stays
``ok`` unless the cut stage is the one that makes the text (then it is rejected). The rejection row
(one per document) says which stages did not run and how to retry.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import OverBudget

if TYPE_CHECKING:
    from .pipeline import Stage
    from .types import Doc

# Slots whose making grows faster than the text or holds it all in memory: the spaCy Doc.
SIZE_CAPPED_SLOTS = frozenset({"nlp"})
# Input bytes one ``stage_timeout`` covers; a longer document gets proportionally more time.
BYTES_PER_BUDGET = 100_000


@dataclass(frozen=True, slots=True)
class Budget:
    """``timeout``: seconds per :data:`BYTES_PER_BUDGET` of input (None: no time limit);
    ``max_chars``: longest text a :data:`SIZE_CAPPED_SLOTS` stage runs on (None: no limit)."""

    timeout: float | None = None
    max_chars: int | None = None

    @classmethod
    def from_config(cls, config: object) -> Budget:
        return cls(timeout=getattr(config, "stage_timeout", None),
                   max_chars=getattr(config, "max_annotate_chars", None))

    @classmethod
    def default(cls) -> Budget:
        """The settings' defaults (environment not read): for callers that pass no budget."""
        from .settings import Config

        return cls.from_config(Config())

    def seconds_for(self, size: int) -> float | None:
        """The time budget of a document of ``size`` input bytes."""
        if self.timeout is None:
            return None
        return self.timeout * max(1.0, size / BYTES_PER_BUDGET)

    def start(self, doc: Doc) -> Pass:
        return Pass(self, doc)


@dataclass(slots=True)
class Pass:
    """One document's pass through the stages, under its budget."""

    budget: Budget
    doc: Doc
    seconds: float | None = None
    deadline: float | None = None
    missing: dict[str, str] = field(default_factory=dict)  # slot -> why it was not made
    spent: str | None = None  # set once the time budget is spent: why later stages do not run
    cut: list[str] = field(default_factory=list)  # stages cut or skipped over budget

    def __post_init__(self) -> None:
        self.seconds = self.budget.seconds_for(len(self.doc.raw))
        if self.seconds is not None:
            self.deadline = time.monotonic() + self.seconds

    def blocked(self, s: Stage) -> str | None:
        """Why ``s`` cannot run after an overrun earlier in this pass, or None."""
        if self.spent is not None:
            return self.spent
        needs = [slot for slot in s.reads if slot in self.missing]
        return f"needs {needs[0]}: {self.missing[needs[0]]}" if needs else None

    def run(self, s: Stage, doc: Doc) -> None:
        """Run one stage within what is left of the budget; :class:`OverBudget` when over."""
        limit = self.budget.max_chars
        text = doc.text
        if limit is not None and SIZE_CAPPED_SLOTS & set(s.writes) and text is not None and len(text) > limit:
            raise OverBudget(
                "E204", stage=s.name, doc=doc.id, path=doc.source_path, size=f"{len(text):,}",
                limit=f"{limit:,}", stages="",
            )
        if self.deadline is None:
            s(doc)
            return
        left = self.deadline - time.monotonic()
        try:
            with _alarm(left):
                s(doc)
        except _Alarm:
            raise OverBudget(
                "E203", stage=s.name, doc=doc.id, path=doc.source_path, budget=f"{self.seconds:g}",
                size=f"{len(doc.text) if doc.text is not None else len(doc.raw):,}", effect="",
            ) from None

    def overrun(self, s: Stage, exc: OverBudget) -> str:
        """Record that ``s`` was cut; returns the reason stored in ``Doc.skipped``."""
        reason = "over the time budget (E203)" if exc.code == "E203" else "text over the size limit (E204)"
        for slot in s.writes:
            self.missing[slot] = f"{s.name} {reason}"
        if exc.code == "E203":
            self.spent = f"time budget spent in {s.name} (E203)"
        self.cut.append(s.name)
        return reason

    def skipped(self, s: Stage) -> None:
        for slot in s.writes:
            self.missing.setdefault(slot, f"{s.name} not run")
        self.cut.append(s.name)

    def message(self, exc: OverBudget, *, rejected: bool) -> str:
        """The rejection message, once the pass is over and every cut stage is known."""
        stages = ", ".join(self.cut)
        if exc.code == "E204":
            return str(OverBudget("E204", **{**exc.context, "stages": stages}))
        effect = (
            "; the document is rejected (its text was not made)" if rejected
            else f"; its text is stored and searchable, stages {stages} were not run"
        )
        return str(OverBudget("E203", **{**exc.context, "effect": effect}))


class _Alarm(BaseException):
    """Raised by the SIGALRM handler (a BaseException: ``except Exception`` must not swallow it)."""


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """A one-shot alarm ``seconds`` from now, in the main thread; elsewhere nothing."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    if seconds <= 0:
        raise _Alarm
    armed = [True]

    def on_alarm(_signum: int, _frame: object) -> None:
        if armed[0]:
            armed[0] = False
            raise _Alarm

    previous = signal.signal(signal.SIGALRM, on_alarm) or signal.SIG_DFL
    started = time.monotonic()
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        armed[0] = False  # first: a signal already on its way is ignored
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer > 0:  # someone else's alarm was pending: give it back what is left of it
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 0.001))
