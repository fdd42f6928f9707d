"""The one map of places and movements, shared by the report and the web app's ``/map``.

Three parts, used by both surfaces:

* ``map.js`` / ``map.css`` (this package): the Leaflet map itself — place circles above the
  movement lines (a click on Raqqa's circle opens Raqqa's popup, not the popup of a line that
  starts at its centre), place labels placed most-mentioned first and skipped where they
  would collide, arrowheads sized in screen pixels that stop at the destination's circle, a
  legend, hedged and denied movements dashed, ends known only to a region or country faded,
  a time filter over the movements and one attribution line. Text reaches the page only
  through ``textContent``; the script runs under the report's hash-based CSP and the app's
  ``script-src 'self'`` (no inline code, no ``eval``).
* :func:`enrich`: the data the popups and labels need, computed once in Python — for each
  place the movements that start or end there, its country's name (never a code, in prose),
  its label rank; for each movement its two ends (place feature and name) and a date label.
* :func:`with_links`: the same collection with the links of one surface (the report links a
  movement to its timeline entry, the app to the evidence in the document and a place to its
  page).

The data is a GeoJSON ``FeatureCollection`` built by :func:`storyline.report.build._map`.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any

__all__ = ["ATTRIBUTION", "MAX_POPUP_MOVES", "asset", "enrich", "with_links"]

#: the attribution line of every map (also written by map.js; a test keeps them equal)
ATTRIBUTION = "Base map: Natural Earth (public domain) · Leaflet (BSD-2)"
#: movements listed in a place's popup (the rest counted)
MAX_POPUP_MOVES = 12


def asset(name: str) -> bytes:
    """``map.js`` or ``map.css``."""
    if name not in ("map.js", "map.css"):
        raise KeyError(name)
    return resources.files("storyline.mapview").joinpath(name).read_bytes()


def _end(p: Mapping[str, Any] | None, label: str | None, place_ids: set[str]) -> dict[str, Any]:
    gid = (p or {}).get("gazetteer_id")
    fid = f"place:{gid}" if gid is not None else None
    return {"place": fid if fid in place_ids else None, "name": label}


def enrich(collection: dict[str, Any], ends: Mapping[str, tuple[Any, Any, str | None, str | None]]) -> dict[str, Any]:
    """Add what the popups, labels and time filter read, in place; returns ``collection``.

    ``ends``: movement feature id → (origin place, destination place, origin label,
    destination label), the places as in event records (``gazetteer_id``, ``precision``)."""
    from ..countries import country_name
    from ..report.html import date_label

    feats = collection.get("features") or []
    places = [f for f in feats if f["properties"].get("feature") == "place"]
    moves = [f for f in feats if f["properties"].get("feature") == "movement"]
    ids = {f["id"] for f in places}
    through: dict[str, list[str]] = defaultdict(list)
    for f in moves:
        p = f["properties"]
        o, d, o_label, d_label = ends.get(f["id"], (None, None, None, None))
        p["from"], p["to"] = _end(o, o_label, ids), _end(d, d_label, ids)
        t = p.get("time") or {}
        p["when"] = date_label(t.get("value"), t.get("granularity")) if t.get("value") else None
        for end in (p["from"], p["to"]):
            if end["place"] and f["id"] not in through[end["place"]]:
                through[end["place"]].append(f["id"])
    # labels: the most-mentioned first; at equal counts a precise place before a region
    order = sorted(places, key=lambda f: (-(f["properties"].get("mentions") or 0),
                                          f["properties"].get("precision") or 9, f["properties"].get("name") or ""))
    for rank, f in enumerate(order):
        p = f["properties"]
        p["rank"] = rank
        p["country_name"] = country_name(p.get("country")) or None
        p["movements"] = through.get(f["id"], [])
    return collection


def with_links(
    collection: Mapping[str, Any],
    *,
    place_href: Callable[[Mapping[str, Any]], str | None] | None = None,
    movement_href: Callable[[Mapping[str, Any]], str | None] | None = None,
) -> dict[str, Any]:
    """A copy of ``collection`` whose features carry ``href`` (a same-page ``#…`` or a
    same-site ``/…`` link; map.js ignores any other). The callables get the feature."""
    out = copy.deepcopy(dict(collection))
    for f in out.get("features") or []:
        kind = f["properties"].get("feature")
        fn = place_href if kind == "place" else movement_href if kind == "movement" else None
        href = fn(f) if fn else None
        if href and (href.startswith("#") or (href.startswith("/") and not href.startswith("//"))):
            f["properties"]["href"] = href
    return out
