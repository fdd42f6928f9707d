"""Quoting a source span for display without doubling its own quotation marks.

A claim's content span is verbatim text and often begins or ends with the source's own quote
mark (``“dozens” of Islamic State vehicles…``, ``…to “surrender or die”``); wrapping it in
another pair printed ``told: ““dozens” of …``. :func:`quoted` adds the outer pair only when the
text carries no quote mark at its start or at its end (trailing punctuation ignored); otherwise
the text is shown as it is, its own marks doing the quoting. The span itself (offsets, text) is
never changed: evidence stays verbatim. Used by the CLI, the report (HTML and Markdown) and the
web app (filter ``quoted``).
"""

from __future__ import annotations

__all__ = ["carries_quotes", "quoted"]

_OPENING = frozenset("\"“”„‟«»‘‚‛‹›'")  # a text starting with any of these opens its own quote
_CLOSING = frozenset("\"“”‟«»’‛‹›")  # not "'" at the end: the jihadists' …
_TRAILING = ".,;:!?…)]"


def carries_quotes(text: str) -> bool:
    """Does ``text`` begin or end with a quotation mark of its own?"""
    t = (text or "").strip()
    if not t:
        return False
    if t[0] in _OPENING:
        return True
    end = t.rstrip(_TRAILING + " ")
    return bool(end) and end[-1] in _CLOSING


def quoted(text: str, opening: str = "“", closing: str = "”") -> str:
    """``text`` between ``opening`` and ``closing``, unless it carries its own marks."""
    text = text or ""
    return text if carries_quotes(text) else f"{opening}{text}{closing}"
