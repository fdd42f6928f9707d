"""The app's corpus map, read from the stored layers: the most-mentioned places (from the
place summaries, :func:`storyline.corpus.entity_store.place_index`) and the movements (stored
events with an origin and a destination at different points) best supported by independent
sources — bounded as the report's map is (:data:`storyline.report.build.MAX_PLACES`,
``MAX_MOVEMENTS``), with ``totals`` and ``omitted`` counts of what is left out. The data has
the shape of :func:`storyline.report.build._map`'s, so the one map script draws both.

Before, ``/map`` built the corpus report (every document read and analysed: 14.5 s at 1,000
documents); this reads the place summaries and one indexed scan of the events table.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..store import Store

_MOVING = (" FROM events WHERE json_extract(record, '$.origin.lat') IS NOT NULL"
           " AND json_extract(record, '$.destination.lat') IS NOT NULL"
           " AND (json_extract(record, '$.origin.lat') != json_extract(record, '$.destination.lat')"
           " OR json_extract(record, '$.origin.lon') != json_extract(record, '$.destination.lon'))")


def _label(p: Mapping[str, Any] | None) -> str | None:
    return p.get("name") if p else None


def corpus_map(store: Store, places: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """GeoJSON FeatureCollection of the places (summaries, in listing order) and movements."""
    from ..corpus.events import Event
    from ..mapview import enrich
    from ..report.build import MAX_FEATURE_DOCS, MAX_MOVEMENTS, MAX_PLACES, _event_headline, _quantity_text

    located = [p for p in places if p["resolved"] and p["lat"] is not None and p["lon"] is not None]
    shown = located[:MAX_PLACES]  # the listing order is most-mentioned first
    features: list[dict[str, Any]] = [
        {"type": "Feature", "id": f"place:{p['id']}",
         "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
         "properties": {"feature": "place", "name": p["name"], "gazetteer_name": p["name"], "aliases": p["aliases"],
                        "kind": p["kind"], "country": p["country"], "precision": p["precision"],
                        "mentions": p["mention_count"], "documents": [], "documents_total": p["document_count"]}}
        for p in shown
    ]
    n_moves = int(store.conn.execute("SELECT count(*)" + _MOVING).fetchone()[0])
    rows = store.conn.execute(
        "SELECT record" + _MOVING + " ORDER BY json_extract(record, '$.independent_sources') DESC,"
        " untimed, time_value, id LIMIT ?", (MAX_MOVEMENTS,)).fetchall()
    events = sorted((Event.from_record(json.loads(r[0])) for r in rows),
                    key=lambda e: ((e.time or {}).get("value") is None, (e.time or {}).get("value") or "", e.id))
    ends: dict[str, tuple[Any, Any, str | None, str | None]] = {}
    for e in events:
        o, d = e.origin or {}, e.destination or {}
        ends[e.id] = (o, d, _label(o), _label(d))
        ev = e.evidence[0] if e.evidence else None
        features.append({
            "type": "Feature", "id": e.id,
            "geometry": {"type": "LineString", "coordinates": [[o["lon"], o["lat"]], [d["lon"], d["lat"]]]},
            "properties": {
                "feature": "movement", "finding": e.id, "label": f"{_label(o)} → {_label(d)}",
                "headline": _event_headline(e, {}), "event_type": e.type, "sentence": ev.text if ev else "",
                "quantities": [_quantity_text(q) for q in e.quantities], "independent_sources": e.independent_sources,
                "certainty": e.certainty, "time": e.time, "documents": list(e.documents[:MAX_FEATURE_DOCS]),
                "documents_total": len(e.documents),
                "precision": max(o.get("precision") or 3, d.get("precision") or 3),
                "evidence": {"doc": ev.doc, "start": ev.start, "end": ev.end} if ev else None,
            },
        })
    return enrich({
        "type": "FeatureCollection", "features": features,
        "totals": {"places": len(located), "movements": n_moves},
        "omitted": {"places": len(located) - len(shown), "movements": n_moves - len(events)},
    }, ends)
