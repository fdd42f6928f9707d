"""Scoring entity recognition on re3d (Dstl's defence-and-security NER gold set).

re3d ships one folder per source, each with ``documents.json`` and ``entities.json``
(mongoexport: one JSON object per line). Several labels may share one span; the label with
the highest crowd confidence is kept. Of its 12 entity types three are scored, as
``Person``, ``Organisation`` and ``Location``; the others (Nationality, Temporal, Weapon…) are
ignored in gold and predictions alike.

Two systems are scored on the same documents: the bare ``en_core_web_sm`` model
(PERSON → Person, ORG → Organisation, GPE/LOC/FAC → Location) and storyline's layer
(actor ruler + :func:`storyline.annotate.entities.find_entities`, with Location from
:func:`storyline.annotate.places.find_places` when that module is present). Scores are
micro precision / recall / F1 per type and their macro average, *strict* (same span, same
type) and *relaxed* (overlapping spans of the same type, matched one to one).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["GoldDoc", "Scores", "load_re3d", "data_hash", "score", "bare_predictions", "layer_predictions", "TYPES"]

TYPES = ("Person", "Organisation", "Location")
Span3 = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class GoldDoc:
    id: str
    source: str
    text: str
    spans: tuple[Span3, ...]  # (begin, end, type) for the three scored types


def _jsonl(path: Path) -> Iterable[dict[str, Any]]:
    with path.open(encoding="utf-8-sig") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def _folders(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if (p / "documents.json").is_file() and (p / "entities.json").is_file())


def data_hash(root: Path) -> str:
    """SHA-256 over every folder's documents.json and entities.json (names and bytes)."""
    h = hashlib.sha256()
    for folder in _folders(root):
        for name in ("documents.json", "entities.json"):
            h.update(f"{folder.name}/{name}\n".encode())
            h.update((folder / name).read_bytes())
    return h.hexdigest()


def load_re3d(root: Path, limit: int | None = None) -> list[GoldDoc]:
    docs: list[GoldDoc] = []
    for folder in _folders(root):
        texts = {d["_id"]: d["text"] for d in _jsonl(folder / "documents.json")}
        best: dict[tuple[str, int, int], tuple[float, str]] = {}
        for e in _jsonl(folder / "entities.json"):
            k = (e["documentId"], int(e["begin"]), int(e["end"]))
            c = float(e.get("confidence") or 0.0)
            if k not in best or c > best[k][0]:
                best[k] = (c, e["type"])
        by_doc: dict[str, list[Span3]] = {d: [] for d in texts}
        for (doc_id, b, e), (_, typ) in best.items():
            if typ in TYPES and doc_id in by_doc:
                by_doc[doc_id].append((b, e, typ))
        for doc_id in sorted(texts):
            docs.append(GoldDoc(doc_id, folder.name, texts[doc_id], tuple(sorted(by_doc[doc_id]))))
    return docs[:limit] if limit else docs


@dataclass
class Scores:
    tp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TYPES, 0))
    fp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TYPES, 0))
    fn: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TYPES, 0))

    def prf(self, typ: str) -> tuple[float, float, float]:
        tp, fp, fn = self.tp[typ], self.fp[typ], self.fn[typ]
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def macro_f1(self) -> float:
        return sum(self.prf(t)[2] for t in TYPES) / len(TYPES)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {t: dict(zip(("p", "r", "f1"), self.prf(t))) for t in TYPES}
        out["macro_f1"] = self.macro_f1()
        return out


def score(gold: Sequence[GoldDoc], predicted: Sequence[Sequence[Span3]], *, relaxed: bool = False) -> Scores:
    s = Scores()
    for g, pred in zip(gold, predicted, strict=True):
        for typ in TYPES:
            gs = [(b, e) for b, e, t in g.spans if t == typ]
            ps = sorted({(b, e) for b, e, t in pred if t == typ})
            if relaxed:
                used: set[int] = set()
                tp = 0
                for b, e in ps:
                    hit = next((i for i, (gb, ge) in enumerate(gs) if i not in used and b < ge and gb < e), None)
                    if hit is not None:
                        used.add(hit)
                        tp += 1
            else:
                tp = len(set(gs) & set(ps))
            s.tp[typ] += tp
            s.fp[typ] += len(ps) - tp
            s.fn[typ] += len(gs) - tp
    return s


_BARE = {"PERSON": "Person", "ORG": "Organisation", "GPE": "Location", "LOC": "Location", "FAC": "Location"}


def bare_predictions(nlp: Any, texts: Sequence[str], batch_size: int = 8) -> list[list[Span3]]:
    return [[(e.start_char, e.end_char, _BARE[e.label_]) for e in doc.ents if e.label_ in _BARE]
            for doc in nlp.pipe(texts, batch_size=batch_size)]


def places_function() -> Callable[..., Any] | None:
    """:func:`storyline.annotate.places.find_places` when the module is there, else ``None``."""
    try:
        from storyline.annotate.places import find_places
    except ImportError:
        return None
    return find_places


def layer_predictions(nlp: Any, texts: Sequence[str], batch_size: int = 8,
                      find_places: Callable[..., Any] | None = None) -> list[list[Span3]]:
    """storyline's whole annotation layer: people and organisations from ``find_entities``;
    places from ``find_places`` (given the layer's candidates and blocking spans) or, without
    it, the layer's own GPE/LOC/FAC candidates."""
    from storyline.annotate.entities import PERSON, PLACE_LABELS, find_entities, reconcile, split_candidates

    out: list[list[Span3]] = []
    for text, doc in zip(texts, nlp.pipe(texts, batch_size=batch_size)):
        mentions, cands = find_entities(doc)
        if find_places is not None:
            ents, blocked = split_candidates(cands)
            places = [(p.start, p.end) for p in find_places(text, ents=ents, blocked=blocked)]
            mentions = reconcile(mentions, places)
        else:
            places = [(b, e) for b, e, label in cands if label in PLACE_LABELS]
        spans: list[Span3] = [(b, e, "Location") for b, e in places]
        # a person's span is the whole naming phrase, title and role included: re3d's convention
        # ("President Obama", "Foreign Secretary Philip Hammond")
        spans += [(m.phrase_start, m.end, "Person") if m.type == PERSON else (m.start, m.end, "Organisation")
                  for m in mentions]
        out.append(spans)
    return out
