"""How annotation slots of a :class:`~storyline.types.Doc` are stored.

The clean stage's slots (``text``, ``meta``, ``removed``) live in the ``documents`` row;
every other slot a stage writes is stored as one JSON value per (document, slot) in the
``layers`` table, through the codec registered here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any

from .annotate.quantities import Quantity
from .annotate.times import TimeExpression
from .types import Citation, Span

CORE_SLOTS = frozenset({"text", "meta", "removed"})


def _citations_out(value: list[Citation]) -> Any:
    return [c.to_record() for c in value]


def _citations_in(data: Any) -> list[Citation]:
    return [Citation(doc=d["doc"], outlet=d["outlet"], cue=d["cue"], evidence=Span(**d["evidence"])) for d in data]


def _time_out(t: TimeExpression) -> dict[str, Any]:
    out = {f.name: getattr(t, f.name) for f in fields(t) if f.name != "parts"}
    out["parts"] = [_time_out(p) for p in t.parts]
    return out


def _time_in(d: dict[str, Any]) -> TimeExpression:
    return TimeExpression(**{**d, "parts": tuple(_time_in(p) for p in d.get("parts", ()))})


def _plain_out(items: list[Any]) -> list[dict[str, Any]]:
    return [{f.name: getattr(x, f.name) for f in fields(x)} for x in items]


CODECS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "citations": (_citations_out, _citations_in),
    "times": (lambda v: [_time_out(t) for t in v], lambda d: [_time_in(t) for t in d]),
    "quantities": (_plain_out, lambda d: [Quantity(**q) for q in d]),
}
