"""Quotation marks: which stretches of a text are quoted, and trimming spans at their edges.

:func:`find_quotes` pairs the marks of a cleaned text per paragraph — curly “ ” « » „ and straight
``"``; single quotes are never quote marks (they are apostrophes or nested quotes). An unclosed
quote ends at its paragraph's end and continues into the next paragraph when that opens with a
mark (the newspaper convention for multi-paragraph quotes); stray marks are skipped, never an
error. :func:`trim` cuts white space, edge punctuation, a leading complementiser "that", and a
quotation mark or bracket with no partner inside the span; every span the attribution layer
records (content parts, speakers, venues) goes through it.

A module of its own because it reads characters only (no parse, no lexicon), both the cue rules
(:mod:`storyline.annotate.cues`) and the content spans (:mod:`storyline.annotate.content`) depend
on it, and it is the one place that says which characters are quotation marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..records import Range

__all__ = ["CLOSE_QUOTES", "OPEN_QUOTES", "Quote", "find_quotes", "trim"]


@dataclass(frozen=True, slots=True)
class Quote:
    """A stretch between quotation marks: ``start``/``end`` include the marks of every part;
    ``parts`` are the inner spans (one per paragraph for a multi-paragraph quote)."""

    start: int
    end: int
    parts: tuple[Range, ...]
    closed: bool


OPEN_QUOTES = frozenset("“„«‟")
CLOSE_QUOTES = frozenset("”»")
_MARKS = re.compile(r"[“”„«»‟\"]|\n[ \t\r\f\v]*\n")
_EDGE = " \t\r\n\f\v,.;:–—-…"
_QUOTE_CHARS = '“”„«»‟"'


def find_quotes(text: str) -> list[Quote]:
    """Quoted stretches of ``text``, paired per paragraph. Never raises on unbalanced marks:
    an opening mark with no closing one ends at its paragraph's end (``closed=False``) and
    continues into the next paragraph when that opens with a quotation mark; a closing mark
    with nothing open is ignored; a new opening mark inside an open quote ends the open one."""
    raw: list[
        tuple[int, int, bool]
    ] = []  # (open mark, end (exclusive, after the closing mark or at break), closed)
    open_at: int | None = None
    for m in _MARKS.finditer(text):
        ch = m.group(0)
        pos = m.start()
        if ch[0] == "\n":
            if open_at is not None:
                raw.append((open_at, pos, False))
                open_at = None
            continue
        if ch in OPEN_QUOTES:
            if open_at is not None:
                raw.append((open_at, pos, False))
            open_at = pos
        elif ch in CLOSE_QUOTES:
            if open_at is not None:
                raw.append((open_at, pos + 1, True))
                open_at = None
        else:  # a straight mark: closes an open quote, else opens one unless white space follows
            if open_at is not None:
                raw.append((open_at, pos + 1, True))
                open_at = None
            elif pos + 1 < len(text) and not text[pos + 1].isspace():
                open_at = pos
    if open_at is not None:
        raw.append((open_at, len(text), False))

    quotes: list[Quote] = []
    for s, e, closed in raw:
        inner_end = e - 1 if closed else e
        part = (s + 1, max(s + 1, inner_end))
        if (
            quotes
            and not quotes[-1].closed
            and text[quotes[-1].end : s].strip() == ""
            and "\n" in text[quotes[-1].end : s + 1]
        ):
            prev = quotes[-1]  # a multi-paragraph quote: the next paragraph reopens it
            quotes[-1] = Quote(prev.start, e, (*prev.parts, part), closed)
        else:
            quotes.append(Quote(s, e, (part,), closed))
    return quotes


def trim(text: str, s: int, e: int, *, that: bool = True) -> Range:
    """Trim white space, edge punctuation, a leading "that", and a quotation mark or bracket at
    either edge that has no partner inside the span."""
    for _ in range(6):
        s0, e0 = s, e
        while s < e and text[s] in _EDGE:
            s += 1
        while e > s and text[e - 1] in _EDGE:
            e -= 1
        if that and text[s : s + 5].lower() == "that " and e - s > 5:
            s += 5
        if s < e and text[s] in _QUOTE_CHARS and not _partner_after(text, s, e):
            s += 1
        if e > s and text[e - 1] in _QUOTE_CHARS and not _partner_before(text, s, e - 1):
            e -= 1
        if s < e and text[s] in "([" and not any(c in text[s + 1 : e] for c in ")]"):
            s += 1
        if e > s and text[e - 1] in ")]" and not any(c in text[s : e - 1] for c in "(["):
            e -= 1
        if (s, e) == (s0, e0):
            break
    return s, e


def _partner_after(text: str, i: int, e: int) -> bool:
    ch = text[i]
    if ch in CLOSE_QUOTES:
        return False
    rest = text[i + 1 : e]
    return any(c in rest for c in '”»"') if ch in OPEN_QUOTES else '"' in rest


def _partner_before(text: str, s: int, i: int) -> bool:
    ch = text[i]
    if ch in OPEN_QUOTES:
        return False
    rest = text[s:i]
    return any(c in rest for c in '“„«‟"') if ch in CLOSE_QUOTES else '"' in rest
