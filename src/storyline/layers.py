"""How annotation slots of a :class:`~storyline.types.Doc` are stored.

The clean stage's slots (``text``, ``meta``, ``removed``) live in the ``documents`` row;
every other slot a stage writes is stored as one JSON value per (document, slot) in the
``layers`` table, through the codec registered here. The record classes live in
:mod:`storyline.records`, so reading a store never loads spaCy, the gazetteer or a model.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import fields
from typing import Any

from .types import Citation, Span

CORE_SLOTS = frozenset({"text", "meta", "removed"})
# Slots that live only during one pass of the pipeline (a spaCy Doc is large and rebuilt
# cheaply from the text): never stored, and cleared before a document leaves a worker.
TRANSIENT_SLOTS = frozenset({"nlp", "place_candidates"})


def _fields_out(items: list[Any]) -> list[dict[str, Any]]:
    return [_record_out(x) for x in items]


def _record_out(x: Any) -> dict[str, Any]:
    out = {}
    for f in fields(x):
        value = getattr(x, f.name)
        if isinstance(value, tuple) and value and hasattr(value[0], "__dataclass_fields__"):
            value = [_record_out(v) for v in value]  # nested records (a time range's parts)
        elif hasattr(value, "__dataclass_fields__"):
            value = _record_out(value)  # a nested record (an event's actor)
        out[f.name] = value
    return out


def _tuplify(value: Any) -> Any:
    return tuple(_tuplify(v) for v in value) if isinstance(value, list) else value


def _records_in(module: str, name: str, nested: dict[str, bool] | None = None) -> Callable[[Any], list[Any]]:
    """Decoder for a list of dataclass records. The record classes declare sequences as
    tuples (spans, parts, hedges), so JSON lists become tuples again; ``nested`` names fields
    holding records of the same class (a time range's parts)."""

    def decode(data: Any) -> list[Any]:
        cls = getattr(importlib.import_module(module), name)

        def one(d: dict[str, Any]) -> Any:
            kw = {}
            for key, value in d.items():
                if nested and nested.get(key):
                    value = tuple(one(v) for v in value)
                kw[key] = _tuplify(value)
            return cls(**kw)

        return [one(d) for d in data]

    return decode


def _events_in(data: Any) -> list[Any]:
    from .records import EventMention, Role

    out = []
    for d in data:
        kw = {k: _tuplify(v) for k, v in d.items()}
        for role in ("actor", "affected"):
            if kw.get(role) is not None:
                kw[role] = Role(**d[role])
        out.append(EventMention(**kw))
    return out


def _citations_out(value: list[Citation]) -> Any:
    return [c.to_record() for c in value]


def _citations_in(data: Any) -> list[Citation]:
    return [Citation(doc=d["doc"], outlet=d["outlet"], cue=d["cue"], evidence=Span(**d["evidence"])) for d in data]


CODECS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "citations": (_citations_out, _citations_in),
    "sentences": (lambda v: [list(s) for s in v], lambda d: [tuple(s) for s in d]),
    "entities": (_fields_out, _records_in("storyline.records", "EntityMention")),
    "places": (_fields_out, _records_in("storyline.records", "PlaceMention")),
    "dateline_places": (_fields_out, _records_in("storyline.records", "PlaceMention")),
    "times": (_fields_out, _records_in("storyline.records", "TimeExpression", {"parts": True})),
    "quantities": (_fields_out, _records_in("storyline.records", "Quantity")),
    "attributions": (_fields_out, _records_in("storyline.records", "Attribution")),
    "events": (_fields_out, _events_in),
    "language_spans": (_fields_out, _records_in("storyline.records", "LanguageSpan")),
    "skipped": (dict, dict),
}
