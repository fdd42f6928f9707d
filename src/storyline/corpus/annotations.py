"""Corpus-level views of the annotation layers: entities resolved across documents, places
grouped by gazetteer feature, time expressions — in the records.md shapes.

Pure functions over :class:`~storyline.types.Doc` objects (read from the store by the caller).
Cross-document entity resolution is candidates → score → cluster in
:class:`storyline.annotate.entities.EntityIndex`; documents are added in id order, so the
ids are reproducible. The record builders (:func:`entity_record`, :func:`group_places`,
:func:`doc_times`) are shared with the stored corpus layer (:mod:`.entity_store`), which the
listing commands and the app read instead of resolving every document on every read.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..records import EntityMention, PlaceMention, TimeExpression
from ..types import Doc, Span


def entity_records(docs: Sequence[Doc]) -> list[dict[str, Any]]:
    """records.md "Entity": one record per resolved entity (people, organisations, groups,
    outlets), with every surface form seen and every mention as an evidence span."""
    from ..annotate.entities import resolve_across

    by_doc = {d.id: d for d in docs if d.text}
    ids = resolve_across({d.id: d.entities for d in by_doc.values()})
    groups: dict[str, list[tuple[str, EntityMention, str]]] = defaultdict(list)
    for (doc_id, i), eid in ids.items():
        doc = by_doc[doc_id]
        m = doc.entities[i]
        assert doc.text is not None
        groups[eid].append((doc_id, m, doc.text[m.start:m.end]))
    return sort_entities([entity_record(eid, items) for eid, items in groups.items()])


def entity_record(eid: str, items: Sequence[tuple[str, EntityMention, str]]) -> dict[str, Any]:
    """records.md "Entity" of one resolved entity from its mentions ``(doc id, mention, document
    text at the mention)`` in resolution order (:func:`~storyline.annotate.entities.resolve_across`'s:
    ties between names, types, roles… go to the one seen first in that order)."""
    names = Counter(m.canonical for _, m, _ in items)
    types = Counter(m.type for _, m, _ in items)
    roles = Counter(m.role for _, m, _ in items if m.role)
    affiliations = Counter(m.affiliation for _, m, _ in items if m.affiliation)
    titles = Counter(m.title for _, m, _ in items if m.title)
    # the fullest name wins for people ("Hussam Eesa" over "Eesa"), the commonest otherwise
    name = max(names, key=lambda n: (len(n.split()), names[n])) if types.most_common(1)[0][0] == "person" \
        else names.most_common(1)[0][0]
    return {
        "id": eid,
        "name": name,
        "type": types.most_common(1)[0][0],
        "aliases": sorted({m.text for _, m, _ in items}),
        "roles": [r for r, _ in roles.most_common()],
        "titles": [t for t, _ in titles.most_common()],
        "affiliations": [a for a, _ in affiliations.most_common()],
        "documents": sorted({d for d, _, _ in items}),
        "mentions": [Span(d, m.start, m.end, text).to_record()
                     for d, m, text in sorted(items, key=lambda x: (x[0], x[1].start))],
    }


def sort_entities(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The listing order: most mentioned first, then by name (stable: ties keep resolution order)."""
    records.sort(key=lambda r: (-len(r["mentions"]), r["name"]))
    return records


@dataclass(frozen=True, slots=True)
class DocPlaces:
    """What the place listing reads of one document: its body places with the document text
    at each, its dateline places, and its dateline."""

    doc: str
    body: Sequence[tuple[PlaceMention, str]]
    filed: Sequence[PlaceMention]
    dateline: str | None


def doc_places(doc: Doc) -> DocPlaces:
    text = doc.text or ""
    return DocPlaces(doc.id, [(p, text[p.start:p.end]) for p in doc.places], list(doc.dateline_places),
                     doc.meta.dateline)


def place_records(docs: Iterable[Doc], *, include_unresolved: bool = True) -> list[dict[str, Any]]:
    """records.md "Place": one record per gazetteer feature (or per unresolved name).

    ``mentions`` are evidence spans in the cleaned text; a place named only in a dateline
    (moved to metadata by cleaning) is listed under ``datelines`` instead.
    """
    return group_places((doc_places(d) for d in docs), include_unresolved=include_unresolved)


def group_places(docs: Iterable[DocPlaces], *, include_unresolved: bool = True) -> list[dict[str, Any]]:
    """:func:`place_records` over what each document contributes, in document order."""
    body: dict[str, list[tuple[DocPlaces, PlaceMention, str]]] = defaultdict(list)
    filed: dict[str, list[tuple[DocPlaces, PlaceMention, str]]] = defaultdict(list)
    for doc in docs:
        for target, places in ((body, doc.body), (filed, [(p, p.text) for p in doc.filed])):
            for p, text in places:
                if p.resolved and p.gazetteer_id:
                    target[p.gazetteer_id].append((doc, p, text))
                elif include_unresolved and target is body:
                    target[f"unresolved:{p.text.lower()}"].append((doc, p, text))
    records: list[dict[str, Any]] = []
    for key in list(body) + [k for k in filed if k not in body]:
        items, dated = body.get(key, []), filed.get(key, [])
        p = (items or dated)[0][1]
        records.append(
            {
                "id": key,
                "name": p.name or p.text,
                "type": "place",
                "aliases": sorted({m.text for _, m, _ in items + dated}),
                "lat": p.lat,
                "lon": p.lon,
                "kind": p.kind,
                "country": p.country,
                "gazetteer_id": p.gazetteer_id,
                "precision": p.precision,
                "resolved": p.resolved,
                "documents": sorted({d.doc for d, _, _ in items + dated}),
                "mentions": [Span(d.doc, m.start, m.end, text).to_record() for d, m, text in items],
                "datelines": [{"doc": d.doc, "dateline": d.dateline, "text": m.text} for d, m, _ in dated],
            }
        )
    records.sort(key=lambda r: (-len(r["mentions"]), r["name"]))
    return records


def places_geojson(docs: Iterable[Doc]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the resolved places, one Point per feature."""
    return geojson_of(place_records(docs, include_unresolved=False))


def geojson_of(records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of these place records' resolved ones, one Point each."""
    features = []
    for rec in records:
        if not rec["resolved"] or rec["lat"] is None or rec["lon"] is None:
            continue
        props = {k: v for k, v in rec.items() if k not in ("lat", "lon")}
        props["mention_count"] = len(rec["mentions"])
        features.append(
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [rec["lon"], rec["lat"]]}, "properties": props}
        )
    return {"type": "FeatureCollection", "features": features}


def time_records(docs: Iterable[Doc]) -> list[dict[str, Any]]:
    """records.md "Time expression", one per mention, in document order."""
    return [rec for doc in docs for rec in doc_times(doc.id, doc.text or "", doc.times)]


def doc_times(doc_id: str, text: str, times: Iterable[TimeExpression]) -> list[dict[str, Any]]:
    """records.md "Time expression" of one document's time expressions, in order."""
    out = []
    for t in times:
        rec = t.to_record(doc_id)
        rec["span"] = Span(doc_id, t.start, t.end, text[t.start:t.end]).to_record()
        out.append(rec)
    return out
