"""Corpus-level views of the annotation layers: entities resolved across documents, places
grouped by gazetteer feature, time expressions — in the records.md shapes.

Pure functions over :class:`~storyline.types.Doc` objects (read from the store by the caller).
Cross-document entity resolution is candidates → score → cluster in
:class:`storyline.annotate.entities.EntityIndex`; documents are added in id order, so the
ids are reproducible.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from ..types import Doc, Span


def _span(doc: Doc, start: int, end: int) -> dict[str, Any]:
    assert doc.text is not None
    return Span(doc.id, start, end, doc.text[start:end]).to_record()


def entity_records(docs: Sequence[Doc]) -> list[dict[str, Any]]:
    """records.md "Entity": one record per resolved entity (people, organisations, groups,
    outlets), with every surface form seen and every mention as an evidence span."""
    from ..annotate.entities import resolve_across

    by_doc = {d.id: d for d in docs if d.text}
    ids = resolve_across({d.id: d.entities for d in by_doc.values()})
    groups: dict[str, list[tuple[Doc, Any]]] = defaultdict(list)
    for (doc_id, i), eid in ids.items():
        doc = by_doc[doc_id]
        groups[eid].append((doc, doc.entities[i]))
    records = []
    for eid, items in groups.items():
        names = Counter(m.canonical for _, m in items)
        types = Counter(m.type for _, m in items)
        roles = Counter(m.role for _, m in items if m.role)
        affiliations = Counter(m.affiliation for _, m in items if m.affiliation)
        titles = Counter(m.title for _, m in items if m.title)
        # the fullest name wins for people ("Hussam Eesa" over "Eesa"), the commonest otherwise
        name = max(names, key=lambda n: (len(n.split()), names[n])) if types.most_common(1)[0][0] == "person" \
            else names.most_common(1)[0][0]
        records.append(
            {
                "id": eid,
                "name": name,
                "type": types.most_common(1)[0][0],
                "aliases": sorted({m.text for _, m in items}),
                "roles": [r for r, _ in roles.most_common()],
                "titles": [t for t, _ in titles.most_common()],
                "affiliations": [a for a, _ in affiliations.most_common()],
                "documents": sorted({d.id for d, _ in items}),
                "mentions": [_span(d, m.start, m.end) for d, m in sorted(items, key=lambda x: (x[0].id, x[1].start))],
            }
        )
    records.sort(key=lambda r: (-len(r["mentions"]), r["name"]))
    return records


def place_records(docs: Iterable[Doc], *, include_unresolved: bool = True) -> list[dict[str, Any]]:
    """records.md "Place": one record per gazetteer feature (or per unresolved name).

    ``mentions`` are evidence spans in the cleaned text; a place named only in a dateline
    (moved to metadata by cleaning) is listed under ``datelines`` instead.
    """
    body: dict[str, list[tuple[Doc, Any]]] = defaultdict(list)
    filed: dict[str, list[tuple[Doc, Any]]] = defaultdict(list)
    for doc in docs:
        for target, places in ((body, doc.places), (filed, doc.dateline_places)):
            for p in places:
                if p.resolved and p.gazetteer_id:
                    target[p.gazetteer_id].append((doc, p))
                elif include_unresolved and target is body:
                    target[f"unresolved:{p.text.lower()}"].append((doc, p))
    records = []
    for key in list(body) + [k for k in filed if k not in body]:
        items, dated = body.get(key, []), filed.get(key, [])
        p = (items or dated)[0][1]
        records.append(
            {
                "id": key,
                "name": p.name or p.text,
                "type": "place",
                "aliases": sorted({m.text for _, m in items + dated}),
                "lat": p.lat,
                "lon": p.lon,
                "kind": p.kind,
                "country": p.country,
                "gazetteer_id": p.gazetteer_id,
                "precision": p.precision,
                "resolved": p.resolved,
                "documents": sorted({d.id for d, _ in items + dated}),
                "mentions": [_span(d, m.start, m.end) for d, m in items],
                "datelines": [{"doc": d.id, "dateline": d.meta.dateline, "text": m.text} for d, m in dated],
            }
        )
    records.sort(key=lambda r: (-len(r["mentions"]), r["name"]))
    return records


def places_geojson(docs: Iterable[Doc]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the resolved places, one Point per feature."""
    features = []
    for rec in place_records(docs, include_unresolved=False):
        if rec["lat"] is None or rec["lon"] is None:
            continue
        props = {k: v for k, v in rec.items() if k not in ("lat", "lon")}
        props["mention_count"] = len(rec["mentions"])
        features.append(
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [rec["lon"], rec["lat"]]}, "properties": props}
        )
    return {"type": "FeatureCollection", "features": features}


def time_records(docs: Iterable[Doc]) -> list[dict[str, Any]]:
    """records.md "Time expression", one per mention, in document order."""
    out = []
    for doc in docs:
        for t in doc.times:
            rec = t.to_record(doc.id)
            rec["span"] = _span(doc, t.start, t.end)
            out.append(rec)
    return out
