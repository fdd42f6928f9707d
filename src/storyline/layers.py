"""How annotation slots of a :class:`~storyline.types.Doc` are stored.

The clean stage's slots (``text``, ``meta``, ``removed``) live in the ``documents`` row;
every other slot a stage writes is stored as one JSON value per (document, slot) in the
``layers`` table, through the codec registered here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .types import Citation, Span

CORE_SLOTS = frozenset({"text", "meta", "removed"})


def _citations_out(value: list[Citation]) -> Any:
    return [c.to_record() for c in value]


def _citations_in(data: Any) -> list[Citation]:
    return [Citation(doc=d["doc"], outlet=d["outlet"], cue=d["cue"], evidence=Span(**d["evidence"])) for d in data]


CODECS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "citations": (_citations_out, _citations_in),
}
