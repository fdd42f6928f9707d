"""Events across documents: per-document event mentions → one record per real-world event.

Corpus-level step in the usual shape (conventions.md §5), each sub-step public:

0. :func:`same_document_groups` — mentions of one document that tell one event (same type
   family, nothing conflicting, no place that one leaves and the other reaches, and near each
   other — same paragraph or adjacent sentences — or on the same route) become one unit; units
   of one document are not merged again by the steps below, which compare documents.
1. :func:`event_candidates` — pairs of mentions that *could* be one event: same type
   family, overlapping times (granularity-aware: two days must be the same day; a month
   contains its days), compatible places per role (same gazetteer id, or within
   ``radius_km`` — 25 km for exact towns, wider for vaguer places — or one side unknown),
   compatible actors (same entity key / near-identical name, or one side unknown).
2. :func:`score_event_pair` — 0..1 from the agreeing evidence (type, time, place, actor,
   quantities, trigger word). A quantity disagreement ("dozens of vehicles" vs "several
   military vehicles") is only tolerated when time, place *and* actor are all known and
   agree on both sides; otherwise the pair scores 0.
3. :func:`cluster_events` — average-linkage agglomerative clustering on ``1 - score``;
   pairs that are not candidates are cannot-link (a large distance), so one conflicting
   pair keeps two groups apart (two convoys on different days stay two events).

:func:`build_events` runs the three and makes :class:`Event` records; ``independent_sources``
comes from the provenance graph (:func:`storyline.corpus.provenance.count_independent`), so
a report and its copy count once.

Export of the records: :mod:`storyline.corpus.event_exports`; the coreference metrics the
benchmarks score this step with: :mod:`storyline.corpus.coref_metrics`.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from ..cluster import components
from ..records import ACLED_FIELDS
from ..timefmt import can_date_event, describe
from ..types import Span

__all__ = [
    "PlaceRef",
    "QuantityRef",
    "EventInput",
    "Event",
    "from_mention",
    "type_family",
    "event_candidates",
    "score_event_pair",
    "cluster_events",
    "cluster_matrix",
    "build_events",
    "same_report",
    "same_document_groups",
]

# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class PlaceRef:
    """A resolved place (records.md "Place" subset). ``precision``: 1 exact town, 2 within a
    district/region, 3 only a province/country."""

    name: str
    lat: float | None = None
    lon: float | None = None
    kind: str | None = None
    country: str | None = None
    gazetteer_id: str | None = None
    precision: int | None = None

    def to_record(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "lat": self.lat,
            "lon": self.lon,
            "kind": self.kind,
            "country": self.country,
            "gazetteer_id": self.gazetteer_id,
            "precision": self.precision,
        }

    @classmethod
    def coerce(cls, value: Any) -> PlaceRef | None:
        if value is None or isinstance(value, PlaceRef):
            return value
        if isinstance(value, (int, tuple, list)):  # layer indices: resolve before adapting
            return None
        if isinstance(value, Mapping):
            return cls(
                name=str(value.get("name") or ""),
                lat=value.get("lat"),
                lon=value.get("lon"),
                kind=value.get("kind"),
                country=value.get("country"),
                gazetteer_id=(str(value["gazetteer_id"]) if value.get("gazetteer_id") is not None else None),
                precision=value.get("precision"),
            )
        return cls(
            name=str(getattr(value, "name", "") or getattr(value, "text", "") or ""),
            lat=getattr(value, "lat", None),
            lon=getattr(value, "lon", None),
            kind=getattr(value, "kind", None),
            country=getattr(value, "country", None),
            gazetteer_id=(str(g) if (g := getattr(value, "gazetteer_id", None)) is not None else None),
            precision=getattr(value, "precision", None),
        )


@dataclass(frozen=True, slots=True)
class QuantityRef:
    """``low``/``high`` bounds (``high`` None = open above), unit, the words as written."""

    low: float | None
    high: float | None
    unit: str | None = None
    text: str = ""

    def to_record(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high, "unit": self.unit, "text": self.text}

    @classmethod
    def coerce(cls, value: Any) -> QuantityRef:
        if isinstance(value, QuantityRef):
            return value
        get = value.get if isinstance(value, Mapping) else (lambda k, d=None: getattr(value, k, d))
        return cls(get("low"), get("high"), get("unit"), get("text") or "")


@dataclass(slots=True)
class EventInput:
    """One event mention in one document — the input of cross-document coreference.

    ``trigger`` is the evidence span (doc id + offsets + text). ``time_value`` is ISO-like
    (``2017-03-09``, ``2017-03``, ``2017``, ``2017-W10``) with ``time_granularity`` one of
    ``day``/``week``/``month``/``year`` (None = not known). ``certainty`` follows the claims
    layer (``asserted`` > ``hedged`` > ``reported``… any string; ranked by :data:`CERTAINTY_RANK`).
    """

    trigger: Span
    type: str
    plover: str | None = None
    actor_name: str | None = None
    actor_entity: str | None = None
    affected: str | None = None
    origin: PlaceRef | None = None
    destination: PlaceRef | None = None
    via: tuple[PlaceRef, ...] = ()
    location: PlaceRef | None = None
    time_value: str | None = None
    time_granularity: str | None = None
    quantities: tuple[QuantityRef, ...] = ()
    certainty: str | None = None
    sentence: Span | None = None
    # publication date of the reporting document (ISO, any precision): an event cannot
    # happen after it is reported, and untimed events reported far apart stay apart
    reported: str | None = None
    # ACLED class and deciding roles of the mention (storyline.annotate.event_types); "none" = not ACLED
    plover_mode: str | None = None
    acled_event_type: str = "none"
    acled_sub_event_type: str = "none"
    actor_type: str | None = None
    target_type: str | None = None
    weapon: str | None = None
    territory_changed: bool = False
    acled_confidence: float = 0.0

    @property
    def doc_id(self) -> str:
        return self.trigger.doc

    def to_record(self) -> dict[str, Any]:
        """Every field, JSON-ready (what a stored event step keeps of a mention; not records.md)."""
        rec: dict[str, Any] = {f: getattr(self, f) for f in _INPUT_PLAIN}
        rec["trigger"] = self.trigger.to_record()
        rec["sentence"] = self.sentence.to_record() if self.sentence is not None else None
        for role in ("origin", "destination", "location"):
            p = getattr(self, role)
            rec[role] = p.to_record() if p is not None else None
        rec["via"] = [p.to_record() for p in self.via]
        rec["quantities"] = [q.to_record() for q in self.quantities]
        return rec

    @classmethod
    def from_record(cls, rec: Mapping[str, Any]) -> EventInput:
        """The inverse of :meth:`to_record`."""
        def place(v: Any) -> PlaceRef | None:
            return PlaceRef(**v) if v is not None else None

        return cls(
            trigger=Span(**rec["trigger"]),
            sentence=Span(**rec["sentence"]) if rec.get("sentence") is not None else None,
            origin=place(rec["origin"]),
            destination=place(rec["destination"]),
            location=place(rec["location"]),
            via=tuple(PlaceRef(**p) for p in rec["via"]),
            quantities=tuple(QuantityRef(**q) for q in rec["quantities"]),
            **{f: rec[f] for f in _INPUT_PLAIN},
        )


#: the fields of :class:`EventInput` that are plain JSON values
_INPUT_PLAIN = ("type", "plover", "actor_name", "actor_entity", "affected", "time_value", "time_granularity",
                "certainty", "reported", *ACLED_FIELDS)
#: the ACLED fields of a merged :class:`Event` (its class is its most confident mention's)
_EVENT_ACLED = tuple(f for f in ACLED_FIELDS if f != "acled_confidence")


def _acled_of(m: Any) -> dict[str, Any]:
    """The ACLED fields of a mention (object or mapping) that has them."""
    get = m.get if isinstance(m, Mapping) else lambda k: getattr(m, k, None)
    return {k: v for k in ACLED_FIELDS if (v := get(k)) is not None}


def from_doc(doc: Any) -> list[EventInput]:
    """The event mentions of one stored :class:`~storyline.types.Doc`, with the roles that
    :class:`storyline.annotate.events.EventMention` keeps as indices (places, quantities,
    time) looked up in the document's own layers."""
    text = doc.text or ""
    out = []
    for m in doc.events:
        def place(indices: tuple[int, ...]) -> PlaceRef | None:
            for i in indices:
                p = doc.places[i]
                if p.resolved:
                    return PlaceRef(p.name or p.text, p.lat, p.lon, p.kind, p.country, p.gazetteer_id, p.precision)
            return None

        derived: dict[str, PlaceRef] = {}
        for role, rec in getattr(m, "derived", ()) or ():
            if role not in derived and rec.get("lat") is not None:
                derived[role] = PlaceRef(rec.get("name") or rec.get("text") or "", rec.get("lat"), rec.get("lon"),
                                         rec.get("kind"), rec.get("country"), rec.get("gazetteer_id"),
                                         rec.get("precision"))
        t = doc.times[m.time] if m.time is not None else None
        resolved_time = t if t is not None and can_date_event(t) else None
        out.append(
            EventInput(
                trigger=Span(doc.id, m.start, m.end, text[m.start : m.end]),
                type=m.type,
                plover=m.plover,
                actor_name=m.actor.text if m.actor else None,
                actor_entity=m.actor.key if m.actor else None,
                affected=m.affected.text if m.affected else None,
                origin=place(m.origin) or derived.get("origin"),
                destination=place(m.destination) or derived.get("destination"),
                via=tuple(p for p in (place((i,)) for i in m.via) if p is not None) or tuple(
                    p for r, p in derived.items() if r == "via"),
                location=place(m.location) or derived.get("location"),
                time_value=resolved_time.value if resolved_time else None,
                time_granularity=resolved_time.granularity if resolved_time else None,
                quantities=tuple(
                    QuantityRef(doc.quantities[i].low, doc.quantities[i].high, doc.quantities[i].unit,
                                doc.quantities[i].text)
                    for i in m.quantities
                ),
                certainty=m.certainty,
                sentence=Span(doc.id, m.sentence[0], m.sentence[1], text[m.sentence[0] : m.sentence[1]]),
                reported=doc.meta.published,
                **_acled_of(m),
            )
        )
    return out


def from_mention(m: Any, doc_id: str, doc_text: str | None = None) -> EventInput:
    """Adapter from :class:`storyline.annotate.events.EventMention` (fields start, end,
    text, type, plover, actor, affected, origin, destination, via, location, quantities,
    time, certainty, sentence, …) to :class:`EventInput`. Tolerant of dicts or objects in
    the role slots: actors may be strings or have ``name``/``text`` and ``entity``/``key``;
    places anything :meth:`PlaceRef.coerce` reads; time a ``{"value","granularity"}`` or an
    object with those attributes (or ``precision``)."""

    def g(obj: Any, *names: str) -> Any:
        for n in names:
            v = obj.get(n) if isinstance(obj, Mapping) else getattr(obj, n, None)
            if v is not None:
                return v
        return None

    actor = g(m, "actor")
    if isinstance(actor, str) or actor is None:
        actor_name, actor_entity = actor, None
    else:
        actor_name, actor_entity = g(actor, "name", "text"), g(actor, "entity", "key", "entity_id")
    affected = g(m, "affected")
    if affected is not None and not isinstance(affected, str):
        affected = g(affected, "name", "text")
    t = g(m, "time")
    tv = tg = None
    if isinstance(t, str):
        tv = t
    elif t is not None:
        tv, tg = g(t, "value", "normalized"), g(t, "granularity", "precision")
    via = g(m, "via") or ()
    if not isinstance(via, (list, tuple)):
        via = (via,)
    quantities = g(m, "quantities") or ()
    start, end = int(g(m, "start")), int(g(m, "end"))
    text = g(m, "text") or (doc_text[start:end] if doc_text else "")
    sent = g(m, "sentence")
    sentence = None
    if isinstance(sent, Span):
        sentence = sent
    elif isinstance(sent, (tuple, list)) and len(sent) == 2 and doc_text is not None:
        sentence = Span(doc_id, int(sent[0]), int(sent[1]), doc_text[int(sent[0]) : int(sent[1])])
    return EventInput(
        trigger=Span(doc_id, start, end, text),
        type=str(g(m, "type") or "event"),
        plover=g(m, "plover"),
        actor_name=actor_name,
        actor_entity=actor_entity,
        affected=affected,
        origin=PlaceRef.coerce(g(m, "origin")),
        destination=PlaceRef.coerce(g(m, "destination")),
        via=tuple(p for p in (PlaceRef.coerce(v) for v in via) if p is not None),
        location=PlaceRef.coerce(g(m, "location")),
        time_value=tv,
        time_granularity=tg or _granularity_of(tv),
        quantities=tuple(QuantityRef.coerce(q) for q in quantities),
        certainty=g(m, "certainty"),
        sentence=sentence,
        **_acled_of(m),
    )


# --------------------------------------------------------------------------- record


@dataclass(slots=True)
class Event:
    """records.md "Event"."""

    id: str
    type: str
    plover: str | None
    actor: dict[str, Any] | None
    quantities: list[dict[str, Any]]
    origin: dict[str, Any] | None
    destination: dict[str, Any] | None
    via: list[dict[str, Any]]
    location: dict[str, Any] | None
    time: dict[str, Any] | None
    certainty: str | None
    evidence: list[Span]
    documents: list[str]
    independent_sources: int
    affected: str | None = None  # ACLED's actor2 where the text names one; not in to_record
    claims: list[str] = field(default_factory=list)  # ids of the claims that report this event
    # ACLED class of the most confident mention and the roles that decided it ("none" = not ACLED)
    plover_mode: str | None = None
    acled_event_type: str = "none"
    acled_sub_event_type: str = "none"
    actor_type: str | None = None
    target_type: str | None = None
    weapon: str | None = None
    territory_changed: bool = False

    def to_record(self) -> dict[str, Any]:
        return {
            "claims": list(self.claims),
            "id": self.id,
            "type": self.type,
            "plover": self.plover,
            **{f: getattr(self, f) for f in _EVENT_ACLED},
            "actor": self.actor,
            "quantities": self.quantities,
            "origin": self.origin,
            "destination": self.destination,
            "via": self.via,
            "location": self.location,
            "time": self.time and {**self.time, **describe(self.time.get("value"), self.time.get("granularity"))},
            "certainty": self.certainty,
            "evidence": [s.to_record() for s in self.evidence],
            "documents": self.documents,
            "independent_sources": self.independent_sources,
        }

    @classmethod
    def from_record(cls, rec: Mapping[str, Any]) -> Event:
        """The inverse of :meth:`to_record` (the time's ``calendar``/``display`` are derived and
        dropped; ``affected``, not in the record, is read when a stored record carries it)."""
        t = rec.get("time")
        return cls(
            id=rec["id"],
            type=rec["type"],
            plover=rec["plover"],
            actor=rec["actor"],
            quantities=list(rec["quantities"]),
            origin=rec["origin"],
            destination=rec["destination"],
            via=list(rec["via"]),
            location=rec["location"],
            time={"value": t["value"], "granularity": t["granularity"]} if t else None,
            certainty=rec["certainty"],
            evidence=[Span(**s) for s in rec["evidence"]],
            documents=list(rec["documents"]),
            independent_sources=rec["independent_sources"],
            affected=rec.get("affected"),
            claims=list(rec.get("claims", ())),
            **{f: rec[f] for f in _EVENT_ACLED},
        )


def event_id(spans: Iterable[Span]) -> str:
    """Stable id: a hash of the sorted spans given — the triggers of every mention the event
    groups (:func:`_merge`; its evidence sentences alone were not unique: two events can be
    told in one sentence)."""
    key = "|".join(f"{s.doc}:{s.start}-{s.end}" for s in sorted(spans, key=lambda s: (s.doc, s.start, s.end)))
    return "ev_" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------- compatibility

#: storyline type → family. Types of one family may corefer ("arrive" reports the end of a
#: "move"); unknown types form a family of their own.
TYPE_FAMILIES: dict[str, str] = {
    **{t: "movement" for t in (
        "move", "flee", "relocate", "evacuate", "arrive", "cross", "transfer", "desert",
        "deploy", "withdraw", "retreat", "return", "travel", "redeploy", "troop_movement",
    )},
    **{t: "displacement" for t in ("displace", "forced_transfer", "expel", "deport")},
    **{t: "attack" for t in (
        "attack", "offensive", "airstrike", "shelling", "bombing", "assault", "clash", "fight",
    )},
    **{t: "control" for t in ("capture", "liberate", "seize", "take_control", "recapture")},
    **{t: "kill" for t in ("kill", "execute", "execution", "massacre")},
    **{t: "decree" for t in ("decree", "conscription", "conscript", "order")},
}

#: Higher = more certain. Unknown strings rank 0.
CERTAINTY_RANK: dict[str, int] = {"asserted": 3, "certain": 3, "reported": 2, "hedged": 1, "uncertain": 1, "denied": 0}

_GRAN_ORDER = {"day": 0, "week": 1, "month": 2, "year": 3}


def type_family(t: str) -> str:
    return TYPE_FAMILIES.get(t, t)


@lru_cache(maxsize=1 << 16)
def _granularity_of(value: str | None) -> str | None:
    if not value:
        return None
    v = value.strip()
    if "W" in v:
        return "week"
    parts = v.split("-")
    return {1: "year", 2: "month"}.get(len(parts), "day")


@lru_cache(maxsize=1 << 16)
def _time_interval(value: str | None, granularity: str | None) -> tuple[date, date] | None:
    """The days a time value covers, inclusive; None when unparseable/unknown (memoised: a
    pure function of two strings, called for every candidate pair)."""
    if not value:
        return None
    gran = granularity or _granularity_of(value)
    try:
        if gran == "week" or "W" in value:
            y, w = value.split("-W")
            start = date.fromisocalendar(int(y), int(w[:2]), 1)
            return start, start + timedelta(days=6)
        parts = [int(p) for p in value[:10].split("-")]
        if gran == "year" or len(parts) == 1:
            return date(parts[0], 1, 1), date(parts[0], 12, 31)
        if gran == "month" or len(parts) == 2:
            start = date(parts[0], parts[1], 1)
            nxt = date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
            return start, nxt - timedelta(days=1)
        d = date(parts[0], parts[1], parts[2])
        return d, d
    except (ValueError, IndexError):
        return None


REPORT_WINDOW_DAYS = 62


def time_agreement(a: EventInput, b: EventInput) -> float | None:
    """1.0 same interval, 0.6 one contains the other (month vs a day in it), None when
    either is unknown, 0.0 when they do not overlap — or when publication dates rule the
    pair out: one event's time after the other's report, or, with neither timed, reports
    more than :data:`REPORT_WINDOW_DAYS` apart (a 2015 and a 2017 report of "families
    leaving Mosul" are two events unless their text dates them together)."""
    ia = _time_interval(a.time_value, a.time_granularity)
    ib = _time_interval(b.time_value, b.time_granularity)
    ra = _time_interval(a.reported, _granularity_of(a.reported)) if a.reported else None
    rb = _time_interval(b.reported, _granularity_of(b.reported)) if b.reported else None
    if (ia and rb and ia[0] > rb[1]) or (ib and ra and ib[0] > ra[1]):
        return 0.0
    if ia is None and ib is None and ra and rb:
        gap = max(ra[0], rb[0]) - min(ra[1], rb[1])
        if gap.days > REPORT_WINDOW_DAYS:
            return 0.0
    if ia is None or ib is None:
        return None
    if ia == ib:
        return 1.0
    if ia[1] < ib[0] or ib[1] < ia[0]:
        return 0.0
    return 0.6


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, h)))


def place_agreement(a: PlaceRef | None, b: PlaceRef | None, radius_km: float = 25.0) -> float | None:
    """1.0 same place (gazetteer id, or within ``radius_km``; the radius widens for vague
    places: ×4 at precision 2, same country at precision 3), None when either side is
    unknown, 0.0 when they are apart."""
    if a is None or b is None:
        return None
    if a.gazetteer_id and b.gazetteer_id and a.gazetteer_id == b.gazetteer_id:
        return 1.0
    vague = max(a.precision or 1, b.precision or 1)
    if a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None:
        if vague >= 3:
            return 0.7 if (a.country and a.country == b.country) else (
                0.7 if haversine_km(a.lat, a.lon, b.lat, b.lon) <= radius_km * 12 else 0.0
            )
        limit = radius_km * (4 if vague == 2 else 1)
        d = haversine_km(a.lat, a.lon, b.lat, b.lon)
        return (1.0 if vague == 1 else 0.8) if d <= limit else 0.0
    if a.name and b.name and _norm(a.name) == _norm(b.name):
        return 1.0
    if a.country and b.country and a.country != b.country:
        return 0.0
    return None  # names differ, no coordinates: cannot tell


@lru_cache(maxsize=1 << 16)
def _norm(s: str) -> str:
    return " ".join("".join(c.lower() if c.isalnum() else " " for c in s).split())


def actor_agreement(a: EventInput, b: EventInput) -> float | None:
    """1.0 same entity key or near-identical names, None when either is unknown, 0.0 when
    they differ."""
    if a.actor_entity and b.actor_entity:
        return 1.0 if a.actor_entity == b.actor_entity else 0.0
    if a.actor_name and b.actor_name:
        from rapidfuzz import fuzz

        na, nb = _norm(a.actor_name), _norm(b.actor_name)
        if na == nb:
            return 1.0
        return 0.8 if fuzz.token_set_ratio(na, nb) >= 85 else 0.0
    return None


def _effective_destination(e: EventInput) -> PlaceRef | None:
    if e.destination is not None:
        return e.destination
    if e.type in ("arrive", "deploy", "relocate") and e.location is not None:
        return e.location
    return None


def _places(a: EventInput, b: EventInput, radius_km: float) -> list[float | None]:
    out = [
        place_agreement(a.origin, b.origin, radius_km),
        place_agreement(_effective_destination(a), _effective_destination(b), radius_km),
    ]
    if a.location is not None and b.location is not None and not (
        a.type in ("arrive", "deploy", "relocate") or b.type in ("arrive", "deploy", "relocate")
    ):
        out.append(place_agreement(a.location, b.location, radius_km))
    # a located event vs a movement with no location: compare the location with either end
    for x, y in ((a, b), (b, a)):
        if x.location is not None and y.location is None and (y.origin or y.destination) and x.origin is None and x.destination is None:
            ends = [place_agreement(x.location, p, radius_km) for p in (y.origin, y.destination) if p]
            known = [v for v in ends if v is not None]
            out.append(max(known) if known else None)
    return out


def quantity_agreement(a: EventInput, b: EventInput) -> float | None:
    """1.0 overlapping ranges for every shared unit, 0.0 when a shared unit's ranges are
    disjoint (or one is vague and the other precise and they do not overlap), None when
    no unit is shared."""
    result: float | None = None
    for qa in a.quantities:
        for qb in b.quantities:
            ua, ub = _unit_key(qa.unit), _unit_key(qb.unit)
            if ua != ub:
                continue
            la, ha = qa.low if qa.low is not None else 0, qa.high if qa.high is not None else math.inf
            lb, hb = qb.low if qb.low is not None else 0, qb.high if qb.high is not None else math.inf
            ok = not (ha < lb or hb < la)
            if not ok:
                return 0.0
            result = 1.0
    return result


def _unit_key(u: str | None) -> str:
    u = (u or "").lower().strip()
    return u[:-1] if len(u) > 3 and u.endswith("s") and not u.endswith("ss") else u


@dataclass(frozen=True, slots=True)
class PairEvidence:
    type: float
    time: float | None
    places: tuple[float | None, ...]
    actor: float | None
    quantity: float | None
    # some place more precise than a country agrees (None: not computed)
    specific_place: bool | None = None
    # one's origin is the other's destination (into X vs out of X): two events
    reversed_route: bool = False

    @property
    def compatible(self) -> bool:
        if self.reversed_route:
            return False
        if self.type <= 0 or self.time == 0.0 or self.actor == 0.0 or any(p == 0.0 for p in self.places):
            return False
        if self.time is None and (not any(p for p in self.places if p is not None) or self.specific_place is False):
            # nothing dates them together and no place of theirs agrees (one told only where
            # it started, the other only where it ended): two events, not one
            return False
        if self.quantity == 0.0:
            # vague-vs-precise (or disagreeing) counts: only when everything else is known
            # and agrees
            known_place = [p for p in self.places if p is not None]
            return self.time is not None and self.actor is not None and bool(known_place)
        return True


def pair_evidence(a: EventInput, b: EventInput, *, radius_km: float = 25.0) -> PairEvidence:
    t = 1.0 if a.type == b.type else (0.7 if type_family(a.type) == type_family(b.type) else 0.0)
    return PairEvidence(
        type=t,
        time=time_agreement(a, b),
        places=tuple(_places(a, b, radius_km)),
        actor=actor_agreement(a, b),
        quantity=quantity_agreement(a, b),
        specific_place=_specific_agreement(a, b, radius_km),
        reversed_route=_reversed(a, b, radius_km),
    )


def _reversed(a: EventInput, b: EventInput, radius_km: float) -> bool:
    """Whether one place is where one event starts and where the other ends: the same gazetteer
    entry or name, or two town-level places within ``radius_km`` (provinces and countries near
    each other do not count: "Nineveh → Margada" and "Nineveh → Margada" are not reversed)."""
    def same(p: PlaceRef | None, q: PlaceRef | None) -> bool:
        if p is None or q is None:
            return False
        if (p.gazetteer_id and p.gazetteer_id == q.gazetteer_id) or (p.name and _norm(p.name) == _norm(q.name)):
            return True
        return max(p.precision or 3, q.precision or 3) <= 2 and (place_agreement(p, q, radius_km) or 0) > 0

    return any(same(x.origin, _effective_destination(y)) for x, y in ((a, b), (b, a)))


def _specific_agreement(a: EventInput, b: EventInput, radius_km: float) -> bool:
    """Whether one role of both names a place finer than a province or country (precision 1–2 on
    both sides) and they agree."""
    pairs = [(a.origin, b.origin), (_effective_destination(a), _effective_destination(b)), (a.location, b.location)]
    for x, y in pairs:
        if x is None or y is None:
            continue
        if max(x.precision or 3, y.precision or 3) <= 2 and (place_agreement(x, y, radius_km) or 0) > 0:
            return True
    return False


def event_candidates(
    mentions: Sequence[EventInput], *, radius_km: float = 25.0
) -> list[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, of mentions that may be one event: blocked by type
    family, then kept when no piece of evidence conflicts (see the module docstring)."""
    return [(i, j) for i, j, _ in _compatible_pairs(mentions, radius_km=radius_km)]


def _compatible_pairs(
    mentions: Sequence[EventInput], *, radius_km: float = 25.0
) -> list[tuple[int, int, PairEvidence]]:
    """:func:`event_candidates` with each pair's evidence (for :func:`score_event_pair`
    without computing it twice)."""
    blocks: dict[str, list[int]] = {}
    for i, m in enumerate(mentions):
        blocks.setdefault(type_family(m.type), []).append(i)
    out: list[tuple[int, int, PairEvidence]] = []
    for idx in blocks.values():
        for i, j in _possible_pairs(mentions, idx, radius_km):
            ev = pair_evidence(mentions[i], mentions[j], radius_km=radius_km)
            if ev.compatible:
                out.append((i, j, ev))
    return out


#: rows of a block compared at once by :func:`_possible_pairs` (memory ~ chunk × block size)
_PAIR_CHUNK = 512


def _possible_pairs(
    mentions: Sequence[EventInput], idx: Sequence[int], radius_km: float = 25.0
) -> Iterator[tuple[int, int]]:
    """Pairs ``(idx[x], idx[y])``, ``x < y``, in that order, less those that
    :meth:`PairEvidence.compatible` is sure to reject, found with array tests on per-mention
    keys instead of one :func:`pair_evidence` per pair. Only exact rules are used, so the
    pairs left out are exactly ones that would be rejected:

    * time 0 (:func:`time_agreement`): timed intervals that do not overlap; an event dated
      after the other's report; both untimed and reported more than
      :data:`REPORT_WINDOW_DAYS` apart;
    * actor 0 (:func:`actor_agreement`): both have an entity key and they differ;
    * no time agreement (one side untimed) and no role (origin, destination, location) with
      a place finer than a province on both sides — :func:`_specific_agreement` is False;
    * a place 0 (:func:`place_agreement`) for the origins, the (effective) destinations or
      the locations: both with coordinates, different gazetteer ids, farther apart than the
      radius for their precision (plus a margin, so rounding never drops a pair) and, for
      province/country places, not of one country.

    A row is compared with the rows after it only, and the place rule (distances) only on the
    pairs the time, actor and specific-place rules leave: on the 7,566 units of the largest
    components of the replicated 10,000-document store, :func:`_compatible_pairs` 3.1 → 1.2 s
    of CPU, the same pairs in the same order.
    """
    import numpy as np

    n = len(idx)
    if n < 2:
        return
    nan = np.iinfo(np.int64).min

    def interval(m_value: str | None, gran: str | None) -> tuple[int, int] | None:
        iv = _time_interval(m_value, gran)
        return (iv[0].toordinal(), iv[1].toordinal()) if iv else None

    t_lo = np.full(n, nan, dtype=np.int64)
    t_hi = np.full(n, nan, dtype=np.int64)
    r_lo = np.full(n, nan, dtype=np.int64)
    r_hi = np.full(n, nan, dtype=np.int64)
    actor = np.zeros(n, dtype=np.int64)
    spec = np.zeros((n, 3), dtype=bool)
    actors: dict[str, int] = {}
    codes: dict[tuple[str, Any], int] = {}  # gazetteer ids and countries -> 1.. (0: none)
    # per role (origin, effective destination, location): located?, lat/lon (radians),
    # precision (missing = 1, as place_agreement reads it), gazetteer id, country
    has = np.zeros((3, n), dtype=bool)
    lat = np.zeros((3, n))
    lon = np.zeros((3, n))
    prec = np.ones((3, n), dtype=np.int64)
    gaz = np.zeros((3, n), dtype=np.int64)
    country = np.zeros((3, n), dtype=np.int64)
    # the location role is compared only when neither mention is a type whose location is
    # its destination (see _places)
    loc_ok = np.ones(n, dtype=bool)
    for x, i in enumerate(idx):
        m = mentions[i]
        t = interval(m.time_value, m.time_granularity)
        if t:
            t_lo[x], t_hi[x] = t
        r = interval(m.reported, _granularity_of(m.reported)) if m.reported else None
        if r:
            r_lo[x], r_hi[x] = r
        if m.actor_entity:
            actor[x] = actors.setdefault(m.actor_entity, len(actors) + 1)
        loc_ok[x] = m.type not in ("arrive", "deploy", "relocate")
        for k, p in enumerate((m.origin, _effective_destination(m), m.location)):
            spec[x, k] = p is not None and (p.precision or 3) <= 2
            if p is not None and p.lat is not None and p.lon is not None:
                has[k, x] = True
                lat[k, x], lon[k, x] = math.radians(p.lat), math.radians(p.lon)
                prec[k, x] = p.precision or 1
                if p.gazetteer_id:
                    gaz[k, x] = codes.setdefault(("g", p.gazetteer_id), len(codes) + 1)
                if p.country:
                    country[k, x] = codes.setdefault(("c", p.country), len(codes) + 1)
    timed, rep = t_lo != nan, r_lo != nan
    cols = np.arange(n)
    for lo in range(0, n - 1, _PAIR_CHUNK):
        hi = min(n, lo + _PAIR_CHUNK)
        a = slice(lo, hi)
        b = slice(lo + 1, n)  # a row's partners come after it: the columns before lo + 1 never pair
        ta, ra = timed[a, None], rep[a, None]
        tb, rb = timed[None, b], rep[None, b]
        zero = (ta & rb & (t_lo[a, None] > r_hi[None, b])) | (tb & ra & (t_lo[None, b] > r_hi[a, None]))
        both_untimed = ~ta & ~tb
        gap = np.maximum(r_lo[a, None], r_lo[None, b]) - np.minimum(r_hi[a, None], r_hi[None, b])
        zero |= both_untimed & ra & rb & (gap > REPORT_WINDOW_DAYS)
        zero |= ta & tb & ((t_hi[a, None] < t_lo[None, b]) | (t_hi[None, b] < t_lo[a, None]))
        zero |= (actor[a, None] != 0) & (actor[None, b] != 0) & (actor[a, None] != actor[None, b])
        untimed_pair = ~(ta & tb)
        shared_specific = (spec[a, None, :] & spec[None, b, :]).any(axis=2)
        zero |= untimed_pair & ~shared_specific
        # the place rule on the pairs the rules above leave (few: most pairs of a large block
        # are apart in time), not on the whole chunk
        xs, ys = np.nonzero(~zero & (cols[None, b] > np.arange(lo, hi)[:, None]))
        pi, pj = xs + lo, ys + (lo + 1)
        far = np.zeros(len(pi), dtype=np.bool_)
        for k in range(3):
            both = has[k, pi] & has[k, pj]
            if k == 2:
                both &= loc_ok[pi] & loc_ok[pj]
            if not both.any():
                continue
            same_gaz = (gaz[k, pi] != 0) & (gaz[k, pi] == gaz[k, pj])
            vague = np.maximum(prec[k, pi], prec[k, pj])
            same_country = (country[k, pi] != 0) & (country[k, pi] == country[k, pj])
            h = (np.sin((lat[k, pj] - lat[k, pi]) / 2) ** 2
                 + np.cos(lat[k, pi]) * np.cos(lat[k, pj]) * np.sin((lon[k, pj] - lon[k, pi]) / 2) ** 2)
            dist = 2 * 6371.0 * np.arcsin(np.sqrt(np.minimum(1.0, h)))
            limit = np.where(vague >= 3, radius_km * 12, np.where(vague == 2, radius_km * 4, radius_km))
            apart = dist > limit * (1 + 1e-6) + 1e-6
            far |= both & ~same_gaz & apart & ~((vague >= 3) & same_country)
        for x, y in zip(pi[~far].tolist(), pj[~far].tolist()):
            yield idx[x], idx[y]


#: Weights of the agreeing evidence in :func:`score_event_pair`; an unknown component
#: contributes :data:`UNKNOWN_CREDIT` of its weight.
SCORE_WEIGHTS = {"type": 0.15, "time": 0.25, "place": 0.3, "actor": 0.2, "quantity": 0.1}
UNKNOWN_CREDIT = 0.4


def score_event_pair(a: EventInput, b: EventInput, *, radius_km: float = 25.0) -> float:
    """0..1: how likely ``a`` and ``b`` report one event. 0 when they conflict."""
    return _score(pair_evidence(a, b, radius_km=radius_km))


def _score(ev: PairEvidence) -> float:
    """:func:`score_event_pair` from the pair's evidence."""
    if not ev.compatible:
        return 0.0
    known_places = [p for p in ev.places if p is not None]
    place = (sum(known_places) / len(known_places)) if known_places else None
    # a tolerated quantity disagreement is neutral, not a bonus
    quantity = 0.5 if ev.quantity == 0.0 else ev.quantity
    parts = {"type": ev.type, "time": ev.time, "place": place, "actor": ev.actor, "quantity": quantity}
    score = 0.0
    for k, w in SCORE_WEIGHTS.items():
        v = parts[k]
        score += w * (UNKNOWN_CREDIT if v is None else v)
    return round(score, 6)


def cluster_events(
    n: int,
    scores: Mapping[tuple[int, int], float],
    *,
    threshold: float = 0.72,
    cannot_link_missing: bool = True,
) -> list[list[int]]:
    """Average-linkage clustering of ``n`` items: two groups merge while the mean score of
    their cross pairs is ≥ ``threshold``. Pairs missing from ``scores`` are cannot-link
    (``cannot_link_missing``; a distance no mean over the component can overcome) or score 0.
    Returns groups of indices, each sorted, in order of their first index."""
    import numpy as np

    # connected components over pairs at or above the threshold bound every cluster
    comps = components(n, [pair for pair, s in scores.items() if s >= threshold])
    groups: list[list[int]] = []
    for members in comps:
        if len(members) == 1:
            groups.append(members)
            continue
        k = len(members)
        # a cannot-link distance no mean over this component's pairs can bring under the
        # threshold (k² ≥ any |A|·|B|), and a function of the component alone, so a component
        # clusters the same in the whole corpus and in a stored step's scope (event_store)
        big = float(k * k + 10) if cannot_link_missing else 1.0
        d = np.full((k, k), big)
        np.fill_diagonal(d, 0.0)
        for x in range(k):
            for y in range(x + 1, k):
                i, j = members[x], members[y]
                pair_score = scores.get((i, j), scores.get((j, i)))
                if pair_score is not None:
                    d[x, y] = d[y, x] = 1.0 - pair_score
        labels = cluster_matrix(1.0 - d, threshold)
        sub: dict[int, list[int]] = {}
        for m, lab in zip(members, labels):
            sub.setdefault(int(lab), []).append(m)
        groups.extend(sub.values())
    return sorted((sorted(g) for g in groups), key=lambda g: g[0])


def cluster_matrix(similarity: Any, threshold: float) -> list[int]:
    """Average-linkage labels for a dense symmetric similarity matrix (numpy): items join
    while the mean cross similarity of two groups is ≥ ``threshold``. The engine of
    :func:`cluster_events`, public for callers that score all pairs at once."""
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    s = np.asarray(similarity, dtype=float)
    if s.shape[0] < 2:
        return [1] * s.shape[0]
    d = 1.0 - s
    np.fill_diagonal(d, 0.0)
    z = linkage(squareform(np.maximum(d, 0.0), checks=False), method="average")
    return [int(x) for x in fcluster(z, t=1.0 - threshold + 1e-9, criterion="distance")]


# --------------------------------------------------------------------------- build


def _merge(group: Sequence[EventInput], graph: Any, index: Any = None) -> Event:
    # The sentence is the evidence a reader needs (it holds the trigger and its roles).
    spans = sorted({m.sentence or m.trigger for m in group}, key=lambda s: (s.doc, s.start, s.end))
    etype = _group_type(group)
    plovers = Counter(m.plover for m in group if m.plover)
    actor = None
    for m in sorted(group, key=lambda m: (m.actor_entity is None, m.actor_name is None)):
        if m.actor_name or m.actor_entity:
            actor = {"name": m.actor_name, "entity": m.actor_entity}
            break

    def best_place(attr: str) -> dict[str, Any] | None:
        p = _finest([getattr(m, attr) for m in group])
        return p.to_record() if p is not None else None

    timed = [m for m in group if _time_interval(m.time_value, m.time_granularity)]
    time = None
    if timed:
        t = min(timed, key=lambda m: _GRAN_ORDER.get(m.time_granularity or _granularity_of(m.time_value) or "year", 9))
        time = {"value": t.time_value, "granularity": t.time_granularity or _granularity_of(t.time_value)}
    seen: set[tuple[Any, ...]] = set()
    quantities: list[dict[str, Any]] = []
    for m in group:
        for q in m.quantities:
            key = (q.low, q.high, _unit_key(q.unit))
            if key not in seen:
                seen.add(key)
                quantities.append(q.to_record())
    via: list[dict[str, Any]] = []
    seen_via: set[str] = set()
    for m in group:
        for p in m.via:
            k = p.gazetteer_id or _norm(p.name)
            if k not in seen_via:
                seen_via.add(k)
                via.append(p.to_record())
    certs = [m.certainty for m in group if m.certainty]
    certainty = max(certs, key=lambda c: CERTAINTY_RANK.get(c, 0)) if certs else None
    affected = next((m.affected for m in group if m.affected), None)
    if graph is not None:
        from .provenance import count_independent

        independent = count_independent(graph, spans, index=index)
    else:
        independent = len({s.doc for s in spans})
    return Event(
        id=event_id({m.trigger for m in group}),
        type=etype,
        plover=plovers.most_common(1)[0][0] if plovers else None,
        actor=actor,
        quantities=quantities,
        origin=best_place("origin"),
        destination=best_place("destination"),
        via=via,
        location=best_place("location"),
        time=time,
        certainty=certainty,
        evidence=spans,
        documents=sorted({s.doc for s in spans}),
        independent_sources=independent,
        affected=affected,
        **{k: v for k, v in _acled_of(_most_confident(group)).items() if k not in ("acled_confidence", "plover_mode")},
        plover_mode=_plover_mode(group, plovers.most_common(1)[0][0] if plovers else None),
    )


def _plover_mode(group: Sequence[EventInput], plover: str | None) -> str | None:
    """The PLOVER mode of the most confident mention with the group's PLOVER type."""
    same = [m for m in group if plover is not None and m.plover == plover]
    return _most_confident(same).plover_mode if same else None


def _most_confident(group: Sequence[EventInput]) -> EventInput:
    """The mention whose ACLED typing the group takes: the most confident, the earliest on ties."""
    return max(group, key=lambda m: (m.acled_confidence, -m.trigger.start))


def _group_type(group: Sequence[EventInput]) -> str:
    """The type of merged mentions: any specific type over the generic "move", then the most
    frequent, then one told with a destination ("arrived in X" over "came from Y")."""
    types = Counter(m.type for m in group)
    dest = {m.type for m in group if _effective_destination(m) is not None}
    return max(types, key=lambda t: (t != "move", types[t], t in dest, -len(t)))


def _finest(places: Iterable[PlaceRef | None]) -> PlaceRef | None:
    """The most specific of compatible places: finer precision first, then a place inside a
    country before the country itself ("Nineveh Governorate" before "Iraq", both precision 3),
    then a point place before a border."""
    ps = [p for p in places if p is not None]
    if not ps:
        return None
    return min(ps, key=lambda p: (p.precision or 9, p.kind == "country", p.kind == "border", p.lat is None, p.name))


def _paragraph_near(a: EventInput, b: EventInput, text: str | None) -> bool:
    """Same sentence, same paragraph (no line break between the triggers), or adjacent sentences
    (nothing but white space between the two sentences)."""
    sa, sb = a.sentence or a.trigger, b.sentence or b.trigger
    if (sa.start, sa.end) == (sb.start, sb.end):
        return True
    if not text:
        return False
    lo, hi = (a, b) if a.trigger.start <= b.trigger.start else (b, a)
    if "\n" not in text[lo.trigger.start : hi.trigger.start]:
        return True
    ls, hs = lo.sentence or lo.trigger, hi.sentence or hi.trigger
    return ls.end <= hs.start and not text[ls.end : hs.start].strip()


def _same_route(a: EventInput, b: EventInput, radius_km: float) -> bool:
    """Both tell origin and destination, both ends agree, and one end is finer than a province:
    the same route told twice in one document ("… are relocating to Deir Ezzor" in the lede,
    "… moved from Raqqa to Deir Ezzor" in the body)."""
    a_to, b_to = _effective_destination(a), _effective_destination(b)
    if a.origin is None or b.origin is None or a_to is None or b_to is None:
        return False
    ends = ((a.origin, b.origin), (a_to, b_to))
    if not all((place_agreement(x, y, radius_km) or 0) > 0 for x, y in ends):
        return False
    return any(max(x.precision or 3, y.precision or 3) <= 2 for x, y in ends)


def same_report(a: EventInput, b: EventInput, text: str | None = None, *, radius_km: float = 25.0,
                linked: bool = True) -> bool:
    """Whether two mentions of one document may tell the same event: same type family, no
    conflicting time, place, actor, count or polarity, no place that is where one starts and
    where the other ends (into X vs out of X), and — with ``linked`` — near each other
    (:func:`_paragraph_near`) or on the same route (:func:`_same_route`)."""
    if a.doc_id != b.doc_id or type_family(a.type) != type_family(b.type):
        return False
    if (a.certainty == "denied") != (b.certainty == "denied"):
        return False
    if (a.type == "desert") != (b.type == "desert"):
        return False  # leaving the group is another event than the journey
    if time_agreement(a, b) == 0.0 or actor_agreement(a, b) == 0.0 or quantity_agreement(a, b) == 0.0:
        return False
    if any(p == 0.0 for p in _places(a, b, radius_km)):
        return False
    if _reversed(a, b, radius_km):
        return False
    return not linked or _paragraph_near(a, b, text) or _same_route(a, b, radius_km)


def same_document_groups(items: Sequence[EventInput], doc_texts: Mapping[str, str] | None = None,
                         *, radius_km: float = 25.0) -> list[list[int]]:
    """Mentions of one document that tell one event: a group's members are pairwise compatible
    (:func:`same_report` without the link) and each is linked — near, or on the same route — to
    another member; groups grow in text order, then merge while that holds. Every index is in
    exactly one group."""
    by_doc: dict[str, list[int]] = {}
    for i, m in enumerate(items):
        by_doc.setdefault(m.doc_id, []).append(i)
    groups: list[list[int]] = []
    for doc, idx in by_doc.items():
        text = (doc_texts or {}).get(doc)
        memo: dict[tuple[int, int], tuple[bool, bool]] = {}

        def rel(i: int, j: int) -> tuple[bool, bool]:
            k = (min(i, j), max(i, j))
            if k not in memo:
                a, b = items[k[0]], items[k[1]]
                ok = same_report(a, b, text, radius_km=radius_km, linked=False)
                memo[k] = (ok, ok and (_paragraph_near(a, b, text) or _same_route(a, b, radius_km)))
            return memo[k]

        def joinable(g: list[int], h: list[int]) -> bool:
            if not all(rel(i, j)[0] for i in g for j in h):
                return False
            return any(rel(i, j)[1] for i in g for j in h) or _same_route(
                _combine([items[i] for i in g]), _combine([items[j] for j in h]), radius_km)

        mine: list[list[int]] = []
        for i in sorted(idx, key=lambda i: (items[i].trigger.start, items[i].trigger.end)):
            for g in reversed(mine):
                if joinable(g, [i]):
                    g.append(i)
                    break
            else:
                mine.append([i])
        merged = True
        while merged:
            merged = False
            for x in range(len(mine)):
                for y in range(x + 1, len(mine)):
                    if joinable(mine[x], mine[y]):
                        mine[x] = sorted(mine[x] + mine.pop(y))
                        merged = True
                        break
                if merged:
                    break
        groups.extend(mine)
    return groups


def _combine(group: Sequence[EventInput]) -> EventInput:
    """One mention standing for a same-document group in cross-document clustering."""
    if len(group) == 1:
        return group[0]
    first = min(group, key=lambda m: m.trigger.start)
    etype = _group_type(group)
    named = sorted(group, key=lambda m: (m.actor_entity is None, m.actor_name is None))[0]
    timed = [m for m in group if _time_interval(m.time_value, m.time_granularity)]
    t = min(timed, key=lambda m: _GRAN_ORDER.get(m.time_granularity or _granularity_of(m.time_value) or "year", 9)) \
        if timed else None
    certs = [m.certainty for m in group if m.certainty]
    qs: dict[tuple[Any, ...], QuantityRef] = {}
    for m in group:
        for q in m.quantities:
            qs.setdefault((q.low, q.high, _unit_key(q.unit)), q)
    via: dict[str, PlaceRef] = {}
    for m in group:
        for p in m.via:
            via.setdefault(p.gazetteer_id or _norm(p.name), p)
    return EventInput(
        trigger=first.trigger,
        type=etype,
        plover=next((m.plover for m in group if m.plover), None),
        actor_name=named.actor_name,
        actor_entity=named.actor_entity,
        affected=next((m.affected for m in group if m.affected), None),
        origin=_finest(m.origin for m in group),
        destination=_finest(m.destination for m in group),
        via=tuple(via.values()),
        location=_finest(m.location for m in group),
        time_value=t.time_value if t else None,
        time_granularity=t.time_granularity if t else None,
        quantities=tuple(qs.values()),
        certainty=max(certs, key=lambda c: CERTAINTY_RANK.get(c, 0)) if certs else None,
        sentence=first.sentence,
        reported=first.reported,
        **_acled_of(_most_confident(group)),
    )


def build_events(
    mentions: Iterable[Any],
    graph: Any = None,
    *,
    threshold: float = 0.72,
    radius_km: float = 25.0,
    doc_texts: Mapping[str, str] | None = None,
) -> list[Event]:
    """Event mentions of many documents → events (candidates → score → cluster → merge).

    ``mentions``: :class:`EventInput`, or ``(doc_id, EventMention)`` pairs (adapted with
    :func:`from_mention`; ``doc_texts`` fills missing trigger text). ``graph``: the
    provenance graph (:func:`storyline.corpus.persist.provenance_graph`); without one,
    ``independent_sources`` counts distinct documents. Events come ordered by time (unknown
    last), then id."""
    items: list[EventInput] = []
    for m in mentions:
        if isinstance(m, EventInput):
            items.append(m)
        else:
            doc_id, mention = m
            items.append(from_mention(mention, doc_id, (doc_texts or {}).get(doc_id)))
    # mentions of one document that tell one event are one unit before documents are compared
    local = same_document_groups(items, doc_texts, radius_km=radius_km)
    units = [_combine([items[i] for i in g]) for g in local]
    # units of one document were kept apart by the same-document rule: they stay apart
    scores = {(i, j): _score(ev) for i, j, ev in _compatible_pairs(units, radius_km=radius_km)
              if units[i].doc_id != units[j].doc_id}
    groups = cluster_events(len(units), scores, threshold=threshold)
    index = None
    if graph is not None:
        from .provenance import IndependenceIndex

        index = IndependenceIndex.of(graph)  # one walk of the graph for every event's sources
    events = [_merge([items[i] for u in g for i in local[u]], graph, index) for g in groups]
    events.sort(key=lambda e: ((e.time or {}).get("value") is None, (e.time or {}).get("value") or "", e.id))
    return events
