"""Progress on stderr that follows the work of a run (``storyline ingest``, ``analyze``, ``demo``).

One bar per phase, counting records, not files (a WARC or JSONL file holds many):

* ``read``    — records read from the inputs (documents and refused inputs alike);
* ``analyse`` — documents through the per-document stages (cleaning and annotation: they run
  together, in this process or in workers, so they are one phase);
* ``corpus``  — documents indexed by the corpus steps (copy detection, stories).

Reading runs one batch ahead of the analysis, so the analysis total grows while the inputs are
read and is exact once they are; the rate and ETA are tqdm's. Bars are erased when the run
ends and each phase leaves one summary line::

    read      30 records in 0.6 s (50.0/s)
    analyse   30 documents in 48.2 s (0.6/s)
    corpus    30 documents in 3.1 s (9.7/s)

Before a one-time build that would otherwise look like a hang — the offline gazetteer index,
about a minute on first use on a machine — a line says what is happening and how long it took.

Everything here is quiet under ``--quiet``/``--no-progress`` and when stderr is not a terminal
(logs and pipes get the command's own summary line only): :meth:`Progress.auto` returns an
object whose methods do nothing.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import IO, Any

__all__ = ["Progress", "enabled"]


def enabled(requested: bool | None, stream: IO[str] | None = None) -> bool:
    """``requested`` when given; else on only when ``stream`` (stderr) is a terminal."""
    if requested is not None:
        return requested
    stream = stream or sys.stderr
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or replaced stream
        return False


@dataclass
class _Phase:
    name: str
    unit: str
    bar: Any = None
    count: int = 0
    total: int = 0
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None

    def line(self) -> str:
        seconds = max((self.ended or time.monotonic()) - self.started, 1e-6)
        noun = self.unit if self.count == 1 else self.unit + "s"
        return f"{self.name:<9} {self.count} {noun} in {seconds:.1f} s ({self.count / seconds:.1f}/s)"


class Progress:
    """The phases of one run. Use :meth:`auto`; call :meth:`close` at the end (also on error)."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        self.phases: dict[str, _Phase] = {}
        self.t0 = time.monotonic()  # reading starts with the run (after any one-time build)

    @classmethod
    def auto(cls, requested: bool | None = None, stream: IO[str] | None = None) -> Progress:
        """A live progress display, or a silent one (see :func:`enabled`)."""
        return cls(stream) if enabled(requested, stream) else _Silent()

    # --------------------------------------------------------------------------- phases

    def _phase(self, name: str, unit: str) -> _Phase:
        phase = self.phases.get(name)
        if phase is None:
            from tqdm import tqdm

            bar = tqdm(total=None, unit=unit, desc=f"{name:<8}", file=self.stream, leave=False,
                       position=len(self.phases), dynamic_ncols=True, mininterval=0.2)
            phase = self.phases[name] = _Phase(name, unit, bar)
            if name == "read":
                phase.started = self.t0
        return phase

    def expect(self, name: str, unit: str, n: int) -> None:
        """``n`` more items are known to be coming in phase ``name`` (its total grows)."""
        if n <= 0:
            return
        phase = self._phase(name, unit)
        phase.total += n
        phase.bar.total = phase.total
        phase.bar.refresh()

    def advance(self, name: str, unit: str, n: int = 1) -> None:
        """``n`` items of phase ``name`` are done."""
        if n <= 0:
            return
        phase = self._phase(name, unit)
        phase.count += n
        phase.ended = time.monotonic()
        phase.bar.update(n)

    # the phases of an ingest or analyze run
    def read(self, n: int = 1) -> None:
        self.advance("read", "record", n)

    def queued(self, n: int) -> None:
        """``n`` documents will go through the stages, then the corpus steps."""
        self.expect("analyse", "document", n)

    def analysed(self, n: int) -> None:
        self.advance("analyse", "document", n)

    def corpus_queued(self, n: int) -> None:
        self.expect("corpus", "document", n)

    def indexed(self, n: int) -> None:
        self.advance("corpus", "document", n)

    # ------------------------------------------------------------------------- messages

    def note(self, text: str) -> None:
        """A line above the bars (kept)."""
        from tqdm import tqdm

        tqdm.write(text, file=self.stream)

    def building(self, what: str, build: Any) -> Any:
        """Run ``build()`` (a one-time build) after saying so; then say how long it took."""
        self.note(f"building {what}…")
        start = time.monotonic()
        result = build()
        self.note(f"built {what.split(' (')[0]} in {time.monotonic() - start:.0f} s")
        return result

    def prepare(self, stages: list[str]) -> None:
        """Build, with a message, what the ``stages`` would otherwise build silently on their
        first document: the offline gazetteer index (places, events), once per machine."""
        if not {"places", "events"} & set(stages):
            return
        from .annotate.gazetteer import Gazetteer, index_path

        try:
            missing = not index_path().is_file()
        except Exception:  # noqa: BLE001 - a source package is missing: the stage reports it, coded
            return
        if missing:
            self.building("the offline gazetteer index (once per machine, about a minute)", Gazetteer.load)
            self.t0 = time.monotonic()

    def close(self) -> None:
        """Erase the bars and leave one summary line per phase."""
        for phase in self.phases.values():
            phase.bar.close()
        for phase in self.phases.values():
            self.stream.write(phase.line() + "\n")
        self.stream.flush()
        self.phases.clear()


class _Silent(Progress):
    """Progress that shows nothing (not a terminal, or ``--quiet``)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    def expect(self, name: str, unit: str, n: int) -> None:
        return None

    def advance(self, name: str, unit: str, n: int = 1) -> None:
        return None

    def note(self, text: str) -> None:
        return None

    def building(self, what: str, build: Any) -> Any:
        return build()

    def prepare(self, stages: list[str]) -> None:
        return None

    def close(self) -> None:
        return None
