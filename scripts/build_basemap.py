"""Build the offline base map shipped with storyline: country outlines as GeoJSON.

Source: Natural Earth 1:110m admin-0 countries (public domain), as bundled in the
``geopandas==0.14.4`` wheel on PyPI (``geopandas/datasets/naturalearth_lowres``; later
geopandas releases dropped it). Run once by a developer; the output is committed:

    pip download --no-deps -d /tmp/gp geopandas==0.14.4
    python scripts/build_basemap.py /tmp/gp/geopandas-0.14.4-py3-none-any.whl

Coordinates are rounded to 2 decimals (~1 km), plenty for a 1:110m outline.
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

import shapefile  # pyshp

OUT = Path(__file__).resolve().parents[1] / "src/storyline/data/basemap/countries-110m.geojson"
BASE = "geopandas/datasets/naturalearth_lowres/naturalearth_lowres"


def _round(coords):
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], 2), round(coords[1], 2)]
    return [_round(c) for c in coords]


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as z:
        parts = {ext: io.BytesIO(z.read(f"{BASE}.{ext}")) for ext in ("shp", "shx", "dbf")}
    reader = shapefile.Reader(shp=parts["shp"], shx=parts["shx"], dbf=parts["dbf"], encoding="latin-1")
    fields = [f[0] for f in reader.fields[1:]]
    features = []
    for sr in reader.iterShapeRecords():
        rec = dict(zip(fields, sr.record))
        geom = sr.shape.__geo_interface__
        features.append(
            {
                "type": "Feature",
                "properties": {"name": rec.get("name"), "iso_a3": rec.get("iso_a3")},
                "geometry": {"type": geom["type"], "coordinates": _round(geom["coordinates"])},
            }
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fc = {
        "type": "FeatureCollection",
        "attribution": "Made with Natural Earth (public domain), 1:110m admin-0 countries",
        "features": features,
    }
    OUT.write_text(json.dumps(fc, separators=(",", ":")), encoding="utf-8")
    print(f"{len(features)} countries -> {OUT} ({OUT.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main(sys.argv[1])
