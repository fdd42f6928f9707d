"""Event records as files: :func:`events_to_csv` (ACLED-recognisable columns,
:data:`CSV_COLUMNS`, with ACLED event and sub-event types), :func:`events_to_parquet`
(pyarrow, same columns), :func:`events_to_geojson` (Points for located events, LineStrings
origin → destination for movements); :func:`event_rows` gives the flat rows.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from os import PathLike
from typing import IO, Any

from ..timefmt import calendar
from .events import Event

CSV_COLUMNS: tuple[str, ...] = (
    "event_id", "event_date", "time_precision", "event_type", "acled_event_type", "acled_sub_event_type",
    "plover", "plover_mode", "actor1", "actor1_type", "actor2", "actor2_type", "weapon", "territory_changed",
    "location", "latitude", "longitude", "geo_precision", "source", "notes",
    "origin", "origin_lat", "origin_lon", "destination", "destination_lat", "destination_lon",
    "quantities", "certainty", "independent_sources", "evidence",
)

#: granularity → ACLED time_precision (1 day, 2 week/range, 3 month or coarser)
_TIME_PRECISION = {"day": 1, "week": 2, "month": 3, "year": 3}


def _anchor(e: Event) -> dict[str, Any] | None:
    for p in (e.location, e.destination, e.origin):
        if p is not None:
            return p
    return None


def _q_text(q: Mapping[str, Any]) -> str:
    if q.get("text"):
        return str(q["text"])
    lo, hi = q.get("low"), q.get("high")
    rng = f"{lo:g}" if lo is not None and lo == hi else f"{'' if lo is None else f'{lo:g}'}-{'' if hi is None else f'{hi:g}'}"
    return f"{rng} {q.get('unit') or ''}".strip()


def event_rows(events: Iterable[Event], sources: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """One flat row per event, keys :data:`CSV_COLUMNS`. ``sources``: doc id → outlet name
    for the ``source`` column (doc ids otherwise)."""
    rows = []
    for e in events:
        a = _anchor(e)
        o, d = e.origin, e.destination
        names = [(sources or {}).get(doc, doc) for doc in e.documents]
        rows.append({
            "event_id": e.id,
            "event_date": calendar((e.time or {}).get("value")),
            "time_precision": _TIME_PRECISION.get((e.time or {}).get("granularity") or ""),
            "event_type": e.type,
            "acled_event_type": e.acled_event_type,
            "acled_sub_event_type": e.acled_sub_event_type,
            "plover": e.plover,
            "plover_mode": e.plover_mode,
            "actor1": (e.actor or {}).get("name") or (e.actor or {}).get("entity"),
            "actor1_type": e.actor_type,
            "actor2": e.affected,
            "actor2_type": e.target_type,
            "weapon": e.weapon,
            "territory_changed": e.territory_changed,
            "location": a["name"] if a else None,
            "latitude": a["lat"] if a else None,
            "longitude": a["lon"] if a else None,
            "geo_precision": a["precision"] if a else None,
            "source": "; ".join(dict.fromkeys(names)),
            "notes": " | ".join(s.text for s in e.evidence),
            "origin": o["name"] if o else None,
            "origin_lat": o["lat"] if o else None,
            "origin_lon": o["lon"] if o else None,
            "destination": d["name"] if d else None,
            "destination_lat": d["lat"] if d else None,
            "destination_lon": d["lon"] if d else None,
            "quantities": "; ".join(_q_text(q) for q in e.quantities),
            "certainty": e.certainty,
            "independent_sources": e.independent_sources,
            "evidence": json.dumps([[s.doc, s.start, s.end] for s in e.evidence]),
        })
    return rows


def events_to_csv(events: Iterable[Event], fh: IO[str], *, sources: Mapping[str, str] | None = None) -> None:
    """Write events as CSV (header :data:`CSV_COLUMNS`) to a text file handle."""
    w = csv.DictWriter(fh, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    w.writeheader()
    for row in event_rows(events, sources):
        w.writerow({k: ("" if v is None else v) for k, v in row.items()})


def events_to_parquet(
    events: Iterable[Event], path: str | PathLike[str], *, sources: Mapping[str, str] | None = None
) -> None:
    """Write events as Parquet (pyarrow), columns :data:`CSV_COLUMNS` with typed nulls."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {
        "time_precision": pa.int8(), "geo_precision": pa.int8(), "independent_sources": pa.int32(),
        "territory_changed": pa.bool_(),
        **{c: pa.float64() for c in ("latitude", "longitude", "origin_lat", "origin_lon",
                                     "destination_lat", "destination_lon")},
    }
    rows = event_rows(events, sources)
    schema = pa.schema([(c, types.get(c, pa.string())) for c in CSV_COLUMNS])
    table = pa.Table.from_pydict({c: [r[c] for r in rows] for c in CSV_COLUMNS}, schema=schema)
    pq.write_table(table, str(path))


def events_to_geojson(events: Iterable[Event]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection: a LineString origin → destination for movements with
    both ends located, else a Point at the location (or destination, or origin); events
    with no coordinates are left out. Properties: the event record minus the places'
    coordinates, evidence as ``[doc, start, end, text]``."""
    features = []
    for e in events:
        o, d = e.origin, e.destination
        if o and d and o.get("lat") is not None and d.get("lat") is not None:
            geom = {"type": "LineString", "coordinates": [[o["lon"], o["lat"]], [d["lon"], d["lat"]]]}
        else:
            a = next((p for p in (e.location, d, o) if p and p.get("lat") is not None and p.get("lon") is not None), None)
            if a is None:
                continue
            geom = {"type": "Point", "coordinates": [a["lon"], a["lat"]]}
        rec = e.to_record()
        props = {k: v for k, v in rec.items() if k not in ("evidence",)}
        props["evidence"] = [[s.doc, s.start, s.end, s.text] for s in e.evidence]
        features.append({"type": "Feature", "id": e.id, "geometry": geom, "properties": props})
    return {"type": "FeatureCollection", "features": features}


