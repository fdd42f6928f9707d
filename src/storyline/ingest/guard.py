"""The one guard every input file is read behind, and the text it is safe to store.

A reader is a generator over one file; :func:`guarded` runs it so that

* any exception it raises (a ``RecursionError`` from JSON nested 1,000 deep, a
  ``zlib.error`` from a corrupt deflate stream, a ``UnicodeDecodeError`` inside feedparser,
  a bug of ours) becomes one stored rejection naming the file, the record after which
  reading stopped, and the reason (E110), while the records read before it are kept;
* a file that yields neither a document nor a rejection (an empty ``.jsonl``, ``[]``, a WARC
  with no article record) gets one (E112): nothing vanishes without a word;
* a file's rejections are bounded: up to :data:`MAX_REJECTIONS_PER_FILE` are passed on one
  by one; past that they collapse into a single rejection with their count, their codes and
  the first examples (E113). Issue #15 measured 1,000,000 garbage lines in a small gzipped
  file becoming 1,000,000 stored rejections (309 s, 391 MB, a 328 MB store). Measured here
  on 200,000 such lines (clean stage only, same loaded 2-core machine, same run): before,
  31.8 s, peak RSS 108 MB, 200,000 rejections, a 65.7 MB store; now 23.5 s, 51 MB, one
  rejection, a 0.2 MB store (1,000,000 lines: 114 s, 51 MB, one rejection).

Paths and strings reach SQLite and the terminal only through :func:`display_path` and
:func:`safe_text`: a file name that is not valid UTF-8 (Python hands it over with
surrogate escapes) is stored with its odd bytes written ``\\xe9``; a lone surrogate from a
JSON ``"\\ud800"`` escape becomes U+FFFD. Either would otherwise make SQLite's UTF-8
encoding fail and roll the whole batch back.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from ..errors import InputError, StorylineError
from ..types import RawRecord, Rejection

MAX_REJECTIONS_PER_FILE = 10  # passed on one by one; more collapse into one E113
EXAMPLES = 3  # examples quoted in the collapsed rejection
EXAMPLE_CHARS = 160

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def safe_text(text: str) -> str:
    """``text`` with lone surrogates (valid JSON escapes, not Unicode) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def display_path(path: str) -> str:
    """The path as storable text: bytes of a file name that are not UTF-8 written ``\\xNN``.

    Deterministic, so a re-read finds the same stored path (sightings, versions, the
    rejections to clear). A name literally spelling ``\\xe9`` is indistinguishable; no
    such name was seen in practice.
    """
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        try:
            raw = os.fsencode(path)
        except UnicodeEncodeError:  # a surrogate no file system produced: not from os.listdir
            raw = path.encode("utf-8", "surrogatepass")
        return raw.decode("utf-8", "backslashreplace")


def rejection(exc: StorylineError, *, path: str, locator: str = "", stage: str = "read") -> Rejection:
    return Rejection(
        source_path=safe_text(path),
        stage=stage,
        code=exc.code,
        message=safe_text(str(exc)),
        locator=safe_text(locator),
    )


def describe(exc: BaseException) -> str:
    """A one-line reason for an unexpected exception (its type says most of it)."""
    text = " ".join(str(exc).split())[:300]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class _Budget:
    """Bounded rejections of one file: the first few as they are, the rest counted."""

    def __init__(self, path: str, stage: str) -> None:
        self.path = path
        self.stage = stage
        self.held: list[Rejection] = []
        self.count = 0
        self.codes: Counter[str] = Counter()

    def add(self, r: Rejection) -> None:
        self.count += 1
        self.codes[r.code] += 1
        if self.count <= MAX_REJECTIONS_PER_FILE:
            self.held.append(r)
        elif len(self.held) > EXAMPLES:
            del self.held[EXAMPLES:]  # from here on only the examples are kept

    def close(self) -> Iterator[Rejection]:
        if self.count <= MAX_REJECTIONS_PER_FILE:
            yield from self.held
            return
        codes = ", ".join(f"{code} × {n:,}" for code, n in self.codes.most_common())
        examples = "; ".join(
            (f"{r.locator}: " if r.locator else "") + _shorten(r.message) for r in self.held[:EXAMPLES]
        )
        err = InputError("E113", path=self.path, count=f"{self.count:,}", codes=codes, examples=examples)
        yield rejection(err, path=self.path, locator=f"{self.count:,} records", stage=self.stage)


def _shorten(text: str) -> str:
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1] + "…"


def guarded(
    path: str, items: Iterator[Any], *, stage: str = "read", report_empty: bool = True
) -> Iterator[Any]:
    """Run one file's reader: nothing it raises escapes, nothing it reads vanishes unreported.

    ``path`` is the display path (see :func:`display_path`) the records and rejections name;
    ``stage`` the stage its own rejections carry; ``report_empty=False`` for files that may
    rightly yield nothing (a sidecar whose lines are all good).
    """
    budget = _Budget(path, stage)
    produced = 0
    last = ""
    stopped: Rejection | None = None
    try:
        for item in items:
            produced += 1
            if isinstance(item, RawRecord):
                last = item.locator
                yield item
            else:
                last = item.locator or last
                budget.add(item)
    except Exception as exc:  # noqa: BLE001 - the guard: one file's failure is one stored rejection
        produced += 1
        where = f" after {last}" if last else ""
        err = InputError("E110", path=path, where=where, reason=describe(exc))
        stopped = rejection(err, path=path, locator=f"after {last}" if last else "", stage=stage)
    yield from budget.close()
    if stopped is not None:  # never folded into a count: it says the file was not read to its end
        yield stopped
    if not produced and report_empty:
        err = InputError("E112", path=path, reason="it is empty or holds no records")
        yield rejection(err, path=path, stage=stage)
