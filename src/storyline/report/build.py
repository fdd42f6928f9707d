"""The situation report: one pass over a set of documents → a :class:`Report`.

:func:`build_report` reads the documents once, builds the provenance graph once, the claims
once and the events once (the graph and claims are passed on), then derives every section
from those records (:mod:`.reads`: only the layers the report uses, and the graph of the
story's copy components, so a story's report costs what the story holds, not what the
corpus holds). :func:`story_fields` derives a story record's ``summary``, ``events`` and
``claims`` with the same code, reading less (``storyline stories --json``: CPU on a
1,000-document store 11.9 s → 4.2 s, records identical); the stories step stores what it
derives and a listing reads that (:mod:`.stored`).

Nothing here states a fact of its own: summary and timeline sentences are verbatim source
sentences, their headlines are templated from event and claim records, and every item
carries its evidence spans (records.md) and its independent-source count.

Findings — the unit the summary and the timeline are made of
------------------------------------------------------------
Events and claims overlap: one sentence often yields a claim and two or three event
mentions, and a copied paragraph yields the same events and claims again in the copying
document (004 pastes 001). A :class:`Finding` is one *sentence-level* fact: claims and
events are linked when their evidence falls in the same sentence, and sentences with the
same wording in documents of one copy group are linked too (candidates → cluster, as in
the other corpus steps). A finding's ``independent_sources`` is counted over all its
evidence with the provenance graph, so 001 and 004 carrying one sentence count once.

The summary is the best-scored findings (movements, counts, named speakers and
corroboration score higher; denials lower), shown in time order.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from ..cluster import DisjointSet
from ..mapview import enrich
from ..types import Doc, Span

if TYPE_CHECKING:
    import networkx as nx

    from ..corpus.claims import Claim, ClaimReport
    from ..corpus.events import Event
    from ..corpus.stories import Story
    from ..store import Store

__all__ = ["Evidence", "Finding", "Report", "build_report", "story_fields", "story_report", "tone_signals", "CONTEXT_CHARS"]

#: characters of surrounding text shown around an evidence span
CONTEXT_CHARS = 160
#: at most this many evidence spans per finding (one per document first)
MAX_EVIDENCE = 8
#: the timeline keeps the best-scored findings when a story has more events than this
MAX_TIMELINE = 300

# A report is read by people: every section is bounded whatever the story's size, and says
# how much it leaves out (``omitted`` counts; the story record's document lists stay complete).
#: key numbers: groups shown (most-reported first) and report rows per group
MAX_NUMBER_GROUPS = 25
MAX_NUMBER_ROWS = 12
#: copies listed with one key-number row (the rest counted)
MAX_NUMBER_COPIES = 10
#: documents described in the Sources section (cited by the summary/timeline first)
MAX_SOURCES = 300
#: copy relations listed with one source (each way; the strongest first)
MAX_SOURCE_RELATIONS = 20
#: nodes (documents and outlets) in the provenance graph, and copy edges in it
MAX_PROVENANCE_NODES = 300
MAX_PROVENANCE_COPIES = 400
#: story structure: episodes listed (the largest, shown in time order), documents per episode
MAX_EPISODES = 50
MAX_EPISODE_DOCS = 25
#: map: place features (most-mentioned), movements (best-scored), documents per feature
MAX_PLACES = 500
MAX_MOVEMENTS = 300
MAX_FEATURE_DOCS = 50
#: who said what: speakers and claims per speaker; contradictions; hedged/denied claims
MAX_SPEAKERS = 50
MAX_SPEAKER_CLAIMS = 25
MAX_CONTRADICTIONS = 100
MAX_UNCERTAINTIES = 100

_GRAN_LABEL = {"day": "day", "week": "week", "month": "month", "year": "year", "part_of_day": "day"}
# units that measure distance or time, not who/what moved: left out of the key numbers
_NOT_COUNTS = frozenset(
    {"year", "month", "week", "day", "hour", "minute", "second", "mile", "kilometre", "kilometer", "km",
     "metre", "meter", "percent", "%", "capital"}
)
_UNIT_GROUP = {
    "militant": "fighters", "fighter": "fighters", "jihadist": "fighters", "combatant": "fighters",
    "terrorist": "fighters", "insurgent": "fighters", "extremist": "fighters", "rebel": "fighters",
    "troop": "troops", "soldier": "troops", "force": "troops",
    "family": "families", "vehicle": "vehicles", "car": "vehicles", "suv": "vehicles", "truck": "vehicles",
    "bus": "vehicles", "civilian": "civilians", "people": "people", "person": "people",
    # money: the quantity layer's currency codes (annotate/quantities.py), named as a reader says them
    "usd": "US dollars", "eur": "euros", "gbp": "pounds sterling", "iqd": "Iraqi dinars", "syp": "Syrian pounds",
}
#: the group of counts whose unit the text does not state
NO_UNIT = "no unit stated"


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Evidence:
    """An evidence span (records.md) with a little of the text around it."""

    span: Span
    before: str = ""
    after: str = ""

    def to_record(self) -> dict[str, Any]:
        return {**self.span.to_record(), "context": {"before": self.before, "after": self.after}}


@dataclass(slots=True)
class Finding:
    """One sentence-level fact: a verbatim source sentence, the events and claims it
    carries, and how many independent sources back it (module docstring)."""

    id: str
    sentence: str  # verbatim, from the document nearest the origin
    headline: str  # templated from the event/claim records, never free text
    kind: str  # "event" or "claim"
    evidence: list[Evidence]
    documents: list[str]
    independent_sources: int
    certainty: str | None
    hedges: list[str]
    time: dict[str, Any]  # value, granularity, placed_by ("event" | "publication" | None)
    events: list[str] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)
    speaker: str | None = None
    via: list[str] = field(default_factory=list)
    event_type: str | None = None
    origin: dict[str, Any] | None = None
    destination: dict[str, Any] | None = None
    location: dict[str, Any] | None = None
    quantities: list[dict[str, Any]] = field(default_factory=list)
    score: float = 0.0

    @property
    def single_source(self) -> bool:
        return self.independent_sources <= 1

    @property
    def hedged(self) -> bool:
        return self.certainty in ("hedged", "denied") or bool(self.hedges)

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sentence": self.sentence,
            "headline": self.headline,
            "kind": self.kind,
            "evidence": [e.to_record() for e in self.evidence],
            "documents": list(self.documents),
            "independent_sources": self.independent_sources,
            "single_source": self.single_source,
            "certainty": self.certainty,
            "hedged": self.hedged,
            "hedges": list(self.hedges),
            "time": dict(self.time),
            "events": list(self.events),
            "claims": list(self.claims),
            "speaker": self.speaker,
            "via": list(self.via),
            "event_type": self.event_type,
            "origin": self.origin,
            "destination": self.destination,
            "location": self.location,
            "quantities": list(self.quantities),
            "score": round(self.score, 3),
        }


@dataclass(slots=True)
class Report:
    """A situation report for a set of documents. Sections are records (JSON-able dicts
    in records.md shapes, extended); :meth:`to_record` is the report's JSON."""

    title: str
    story: dict[str, Any]
    summary: list[Finding]
    timeline: list[Finding]
    timeline_omitted: int
    numbers: list[dict[str, Any]]
    map: dict[str, Any]
    provenance: dict[str, Any]
    speakers: list[dict[str, Any]]
    contradictions: list[dict[str, Any]]
    uncertainties: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    episodes: list[dict[str, Any]]
    counts: dict[str, int]
    generated_at: str
    doc_titles: dict[str, str] = field(default_factory=dict)
    structure: str = "episodes"  # what ``episodes`` lists: a story's episodes, or a corpus's stories
    #: what each bounded section leaves out (section → count; 0 when nothing is)
    omitted: dict[str, int] = field(default_factory=dict)
    #: what a whole-corpus report over its bound covers (:func:`.reads.corpus_scope`); None:
    #: every document it was asked for (the record then has no ``coverage`` field)
    coverage: dict[str, Any] | None = None

    def to_record(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "generated_at": self.generated_at,
            "story": self.story,
            "counts": dict(self.counts),
            "summary": [f.to_record() for f in self.summary],
            "numbers": self.numbers,
            "timeline": {
                "items": [f.to_record() for f in self.timeline],
                "omitted": self.timeline_omitted,
                "episodes": self.episodes,
                "episodes_omitted": self.omitted.get("episodes", 0),
                "structure": self.structure,
            },
            "map": self.map,
            "provenance": self.provenance,
            "speakers": self.speakers,
            "contradictions": self.contradictions,
            "uncertainties": self.uncertainties,
            "sources": self.sources,
            "omitted": dict(self.omitted),
        } | ({} if self.coverage is None else {"coverage": dict(self.coverage)})


# --------------------------------------------------------------------------- helpers


def _context(text: str, start: int, end: int, chars: int = CONTEXT_CHARS) -> tuple[str, str]:
    before = text[max(0, start - chars) : start]
    after = text[end : end + chars]
    if start - chars > 0 and " " in before:
        before = "…" + before[before.index(" ") + 1 :]
    if end + chars < len(text) and " " in after:
        after = after[: after.rindex(" ")] + "…"
    return before, after


def _evidence(doc: Doc | None, span: Span) -> Evidence:
    if doc is None or not doc.text:
        return Evidence(span)
    b, a = _context(doc.text, span.start, span.end)
    return Evidence(span, b, a)


@lru_cache(maxsize=1 << 16)  # quantity texts repeat across a large story ("more than 50 fighters")
def _norm_text(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).casefold()
    return re.sub(r"[\W_]+", " ", s).strip()


def _pub(doc: Doc | None) -> str | None:
    return doc.meta.published if doc is not None else None


def _sentence_span(doc: Doc, start: int, end: int, starts: Sequence[int] | None = None) -> Span:
    """The sentence(s) holding ``[start, end)``, trimmed of surrounding whitespace.
    ``starts``: the document's sentence starts, when the caller keeps them (a large story
    asks each document tens of times)."""
    text = doc.text or ""
    sents = doc.sentences
    s0, s1 = start, end
    if sents:
        starts = [s for s, _ in sents] if starts is None else starts
        i = max(0, bisect.bisect_right(starts, start) - 1)
        j = max(0, bisect.bisect_right(starts, max(start, end - 1)) - 1)
        if sents[i][0] <= start < sents[i][1] or i == j:
            s0 = min(start, sents[i][0])
        s1 = max(end, sents[j][1])
    while s0 < s1 and text[s0].isspace():
        s0 += 1
    while s1 > s0 and text[s1 - 1].isspace():
        s1 -= 1
    return Span(doc.id, s0, s1, text[s0:s1])


def _fid(spans: Iterable[Span]) -> str:
    key = ";".join(f"{s.doc}:{s.start}-{s.end}" for s in sorted(spans, key=lambda s: (s.doc, s.start, s.end)))
    return "finding:" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _quantity_text(q: Mapping[str, Any]) -> str:
    if q.get("text"):
        return str(q["text"]).strip("“”\"' ")
    lo, hi = q.get("low"), q.get("high")
    if lo is not None and lo == hi:
        return f"{lo:,.0f} {q.get('unit') or ''}".strip()
    return f"{'' if lo is None else f'{lo:,.0f}'}–{'' if hi is None else f'{hi:,.0f}'} {q.get('unit') or ''}".strip()


def _unit_group(unit: str | None) -> str:
    if not unit or not unit.strip():
        return NO_UNIT
    u = unit.casefold().strip()
    for cand in (u, u.rstrip("s"), u[:-2] + "y" if u.endswith("ies") else u, u[:-2] if u.endswith("es") else u):
        if cand in _UNIT_GROUP:
            return _UNIT_GROUP[cand]
    return _plural(u)


_UNCOUNTABLE = frozenset({"horsepower", "people", "police", "personnel", "equipment", "staff", "ammunition", "aid",
                          "cattle", "livestock", "software", "hardware", "information", "news", "research"})


def _plural(u: str) -> str:
    """A unit word as a group heading: "companies", "inches", "fighters"; abbreviations
    ("hp", "mph", "lb-ft"), words already plural and mass nouns unchanged."""
    if u in _UNCOUNTABLE or len(u) <= 3 or not u.isalpha() or u.endswith("s"):
        return u
    if u.endswith(("x", "z", "ch", "sh")):
        return u + "es"
    if u.endswith("y") and u[-2] not in "aeiou":
        return u[:-1] + "ies"
    return u + "s"


def _num(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() or abs(x) >= 100 else f"{x:,.2f}".rstrip("0").rstrip(".")


def value_text(low: float | None, high: float | None) -> str:
    """One reported figure: "25,000", "3–5", "up to 4,000", "90 or more", "?"."""
    if low is None:
        return "?" if high is None else f"up to {_num(high)}"
    if high is None:
        return f"{_num(low)} or more"
    return _num(low) if low == high else f"{_num(low)}–{_num(high)}"


def range_text(group: Mapping[str, Any]) -> str:
    """A number group's span over all its reports: "values from up to 4,000 to 25,000 across
    2 reports"; a single value is not a range ("25,000 in all 2 reports")."""
    n = group.get("total_reports") or len(group.get("reports") or ())
    lo, hi = group.get("min"), group.get("max")
    reports = f"{n:,} report{'s' if n != 1 else ''}"
    if lo is None or hi is None:
        return reports
    lo_t = f"up to {_num(lo)}" if group.get("open_below") else _num(lo)
    hi_t = f"{_num(hi)} or more" if group.get("open_above") else _num(hi)
    if lo == hi and not group.get("open_below") and not group.get("open_above"):
        return f"{lo_t} in {'all ' if n > 1 else ''}{reports}"
    if lo == hi:
        return f"{lo_t if group.get('open_below') else hi_t} in {reports}"
    return f"values from {lo_t} to {hi_t} across {reports}"


def _safe_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) URL fit for a link, else None (never javascript:)."""
    if not url:
        return None
    u = url.strip()
    if re.match(r"(?i)^https?://[^\s<>\"'`\\]+$", u) and not any(ord(c) < 32 for c in u):
        return u
    return None


# --------------------------------------------------------------------------- tone


@cache
def _tone_lexicon() -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    raw = resources.files("storyline").joinpath("data/loaded_language.json").read_text(encoding="utf-8")
    out = []
    for name, cat in json.loads(raw)["categories"].items():
        alts = [re.escape(t).replace(r"\ ", r"\s+") for t in sorted(set(cat.get("terms", ())), key=len, reverse=True)]
        parts = []
        if alts:
            parts.append(r"(?<![\w-])(?:" + "|".join(alts) + r")(?![\w-])")
        parts.extend(cat.get("patterns", ()))
        if parts:
            out.append((name, cat.get("label", name), re.compile("|".join(parts), re.IGNORECASE)))
    return tuple(out)


def tone_signals(doc: Doc) -> dict[str, Any]:
    """Loaded-language and credibility cues in a document's text (lexicon
    ``data/loaded_language.json``): per category, a count, the words and their evidence
    spans. Signals only — nothing is scored or judged."""
    text = doc.text or ""
    # the title and photo captions are not in the cleaned text (no offsets) but carry tone too
    fields = [("title", doc.meta.title or "")] + [("caption", c) for c in dict.fromkeys(doc.meta.captions)]
    out: dict[str, Any] = {}
    for name, label, rx in _tone_lexicon():
        matches = list(rx.finditer(text))
        outside = [(f, t, m.group(0)) for f, t in fields for m in rx.finditer(t)]
        if not matches and not outside:
            continue
        words = Counter(re.sub(r"\s+", " ", m.group(0)).casefold() for m in matches)
        words.update(re.sub(r"\s+", " ", w).casefold() for _, _, w in outside)
        out[name] = {
            "label": label,
            "count": len(matches) + len(outside),
            "words": [{"word": w, "count": n} for w, n in words.most_common()],
            "evidence": [_evidence(doc, doc.span(m.start(), m.end())).to_record() for m in matches[:25]],
            "outside_text": [{"field": f, "text": t, "match": w} for f, t, w in outside[:10]],
        }
    return out


# --------------------------------------------------------------------------- findings


_GENERIC_TYPES = frozenset({"fight", "attack", "liberate", "decree", "conscription", "kill", "airstrike"})


def _place_label(p: Mapping[str, Any] | None, names: Mapping[str, str]) -> str | None:
    if not p:
        return None
    gid = p.get("gazetteer_id")
    return names.get(str(gid)) if gid is not None and str(gid) in names else p.get("name")


def _event_headline(e: Event, names: Mapping[str, str]) -> str:
    parts = [e.type.replace("_", " ")]
    o, d, loc = _place_label(e.origin, names), _place_label(e.destination, names), _place_label(e.location, names)
    if o or d:
        parts.append(f"{o or '?'} → {d or '?'}")
    elif loc:
        parts.append(f"at {loc}")
    actor = (e.actor or {}).get("name")
    head = " · ".join(parts)
    if actor:
        head += f" · who: {actor}"
    qs = [t for q in e.quantities[:3] if (t := _quantity_text(q)) and t != actor]
    if qs:
        head += " · " + ", ".join(qs)
    return head


def _claim_headline(c: Claim) -> str:
    who = (c.speaker or {}).get("name") or "the text itself"
    head = f"{who} ({c.cue or 'says'})"
    if c.via:
        head += " via " + " → ".join(c.via)
    return head


def _event_score(e: Event) -> float:
    s = 0.0
    if e.origin and e.destination:
        s += 4.5
    elif e.origin or e.destination:
        s += 3.0
    elif e.location:
        s += 1.0
    if e.quantities:
        s += 1.5
    if (e.actor or {}).get("name"):
        s += 1.0
    if e.time:
        s += 0.5
    if e.type in _GENERIC_TYPES and not (e.origin or e.destination or e.location):
        s -= 1.5
    if e.certainty == "denied":
        s -= 3.0
    return s


def _claim_score(c: Claim) -> float:
    s = 0.5
    if (c.speaker or {}).get("name"):
        s += 1.5
    if c.contradictions:
        s += 1.0
    if c.certainty == "denied":
        s -= 2.0
    if len(c.content.text) < 40:
        s -= 1.0
    return s


def _findings(
    docs: Mapping[str, Doc],
    claims: Sequence[Claim],
    events: Sequence[Event],
    graph: nx.MultiDiGraph,
    place_names: Mapping[str, str],
) -> list[Finding]:
    from ..corpus.provenance import count_independent, independence_groups

    groups = independence_groups(graph)
    uf: DisjointSet[Any] = DisjointSet()
    node_span: dict[tuple[str, int, int], Span] = {}
    members: dict[str, list[tuple[str, int, int]]] = {}
    starts: dict[str, list[int]] = {}

    def sentence_nodes(spans: Iterable[Span]) -> list[tuple[str, int, int]]:
        # one sentence per document: an event merged across several sentences of one text
        # would otherwise chain unrelated findings together
        out, seen = [], set()
        # in offset order: the first sentence of each document whatever order the spans
        # arrive in (a merged event's evidence order is not guaranteed)
        for sp in sorted(spans, key=lambda x: (x.doc, x.start, x.end)):
            doc = docs.get(sp.doc)
            if doc is None or not doc.text or sp.doc in seen:
                continue
            seen.add(sp.doc)
            if sp.doc not in starts:
                starts[sp.doc] = [a for a, _ in doc.sentences]
            s = _sentence_span(doc, sp.start, sp.end, starts[sp.doc])
            key = (s.doc, s.start, s.end)
            node_span[key] = s
            out.append(key)
        return out

    for e in events:
        members["e:" + e.id] = sentence_nodes(e.evidence)
    for c in claims:
        members["c:" + c.id] = sentence_nodes(c.evidence)
    for m, nodes in members.items():
        uf.find(("m", m))
        for n in nodes:
            uf.union(("m", m), ("s",) + n)
    # overlapping sentences of one document are one finding
    by_doc: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for n in node_span:
        by_doc[n[0]].append(n)
    for nodes in by_doc.values():
        nodes.sort(key=lambda n: (n[1], n[2]))
        for a, b in zip(nodes, nodes[1:]):
            if b[1] < a[2]:
                uf.union(("s",) + a, ("s",) + b)
    # the same wording in one copy group is one finding (a pasted paragraph)
    by_text: dict[tuple[str, str], tuple[str, int, int]] = {}
    for n, s in node_span.items():
        key = (groups.get(n[0], n[0]), _norm_text(s.text))
        if key in by_text:
            uf.union(("s",) + by_text[key], ("s",) + n)
        else:
            by_text[key] = n

    comps: dict[Any, list[str]] = defaultdict(list)
    for m in members:
        comps[uf.find(("m", m))].append(m)
    comp_nodes: dict[Any, set[tuple[str, int, int]]] = defaultdict(set)
    for n in node_span:
        comp_nodes[uf.find(("s",) + n)].add(n)

    ev_by_id = {e.id: e for e in events}
    cl_by_id = {c.id: c for c in claims}

    def doc_order(n: tuple[str, int, int]) -> tuple[Any, ...]:
        d = docs.get(n[0])
        return (_pub(d) is None, _pub(d) or "", n[0], n[1], n[2])

    out: list[Finding] = []
    for root, ms in comps.items():
        evs = [ev_by_id[m[2:]] for m in ms if m.startswith("e:")]
        cls = [cl_by_id[m[2:]] for m in ms if m.startswith("c:")]
        nodes = sorted(comp_nodes.get(root, ()), key=doc_order)
        if not nodes:
            continue
        # one span per document first, then the rest, nearest the origin first
        seen_docs: set[str] = set()
        first: list[tuple[str, int, int]] = []
        rest: list[tuple[str, int, int]] = []
        for n in nodes:
            (rest if n[0] in seen_docs else first).append(n)
            seen_docs.add(n[0])
        chosen = (first + rest)[:MAX_EVIDENCE]
        spans = [node_span[n] for n in chosen]
        # one copy group is one source whatever else holds (and the count is costly)
        if len({groups.get(n[0], n[0]) for n in nodes}) == 1:
            independent = 1
        else:
            independent = count_independent(graph, [node_span[n] for n in nodes])
        doc_set = {n[0] for n in nodes}
        for c in cls:
            if doc_set <= set(c.documents):
                independent = min(independent, c.independent_sources)
        independent = max(independent, 1)
        best_ev = max(evs, key=lambda e: (_event_score(e), -len(e.evidence), e.id), default=None)
        best_cl = max(cls, key=lambda c: (_claim_score(c), c.id), default=None)
        # the representative sentence: the best member's sentence nearest the origin
        if best_ev is not None:
            rep_nodes = set(members["e:" + best_ev.id])
        else:
            assert best_cl is not None  # a component holds an event or a claim
            rep_nodes = set(members["c:" + best_cl.id])
        rep = next((n for n in nodes if n in rep_nodes), nodes[0])
        certs = [e.certainty for e in evs if e.certainty] + [c.certainty for c in cls if c.certainty]
        certainty: str | None = None
        if best_cl is not None:
            certainty = best_cl.certainty
        elif best_ev is not None:
            certainty = best_ev.certainty
        if "hedged" in certs and certainty == "asserted":
            certainty = "hedged"
        hedges: list[str] = []
        for c in cls:
            hedges.extend(h for h in c.hedges if h not in hedges and h not in ("not", "no"))
        timed = [e.time for e in evs if e.time and e.time.get("value")]
        if timed:
            order = {"day": 0, "part_of_day": 0, "week": 1, "month": 2, "year": 3}
            t = min(timed, key=lambda tm: (order.get(tm.get("granularity") or "year", 4), tm["value"]))
            time = {
                "value": t["value"][:10],
                "granularity": _GRAN_LABEL.get(t.get("granularity") or "", t.get("granularity")),
                "placed_by": "event",
            }
        else:
            pubs = sorted((d.meta.published, d.meta.published_precision) for i in doc_set
                          if (d := docs.get(i)) is not None and d.meta.published)
            if pubs:
                time = {"value": pubs[0][0], "granularity": pubs[0][1], "placed_by": "publication"}
            else:
                time = {"value": None, "granularity": None, "placed_by": None}
        score = max([_event_score(e) for e in evs] + [_claim_score(c) for c in cls] + [0.0])
        score += 2.0 * (independent - 1) + 0.3 * (len(doc_set) - 1) + 0.2 * min(len(evs) + len(cls), 5)
        if best_ev is not None and best_cl is not None and (best_cl.speaker or {}).get("name"):
            score += 0.5
        speaker_claim = best_cl
        via: list[str] = []
        if speaker_claim is not None:
            longest = max(speaker_claim.members, key=lambda m: len(m.via), default=None)
            via = list(longest.via) if longest is not None else list(speaker_claim.via)
        if best_ev is not None:
            headline = _event_headline(best_ev, place_names)
            said_by = speaker_claim.speaker if speaker_claim is not None else None
            if said_by and said_by.get("name"):
                headline += f" · says: {said_by['name']}"
        else:
            assert best_cl is not None
            headline = _claim_headline(best_cl)
        out.append(
            Finding(
                id=_fid(spans),
                sentence=node_span[rep].text,
                headline=headline,
                kind="event" if best_ev is not None else "claim",
                evidence=[_evidence(docs.get(s.doc), s) for s in spans],
                documents=sorted(doc_set),
                independent_sources=independent,
                certainty=certainty,
                hedges=hedges,
                time=time,
                events=sorted(e.id for e in evs),
                claims=sorted(c.id for c in cls),
                speaker=(speaker_claim.speaker or {}).get("name") if speaker_claim is not None else None,
                via=via,
                event_type=best_ev.type if best_ev is not None else None,
                origin=best_ev.origin if best_ev is not None else None,
                destination=best_ev.destination if best_ev is not None else None,
                location=best_ev.location if best_ev is not None else None,
                quantities=[q for e in evs for q in e.quantities][:6],
                score=score,
            )
        )
    return out


def _time_key(f: Finding) -> tuple[Any, ...]:
    v = f.time.get("value")
    return (v is None, v or "", f.documents[0] if f.documents else "", f.evidence[0].span.start if f.evidence else 0)


# --------------------------------------------------------------------------- other sections


def _numbers(
    docs: Mapping[str, Doc], claims: Sequence[Claim], report: ClaimReport, groups: Mapping[str, str],
    max_groups: int | None = None,
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Key numbers: counts grouped by what they count, each with who reports it; copies of
    one report (same words in one copy group) are one row with the copies listed. At most
    ``max_groups`` groups (the most-reported) of at most MAX_NUMBER_ROWS rows
    (:func:`_number_rows`); also returns how many groups and rows are left out."""
    max_groups = MAX_NUMBER_GROUPS if max_groups is None else max_groups
    owner: dict[str, list[tuple[int, int, Any, Any]]] = defaultdict(list)
    for c in claims:
        for m in c.members:
            owner[m.content.doc].append((m.content.start, m.content.end, c, m))
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    copy_docs: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for doc in docs.values():
        for q in doc.quantities:
            unit = (q.unit or "").casefold()
            if unit in _NOT_COUNTS or unit.rstrip("s") in _NOT_COUNTS:
                continue
            if q.low is None and q.high is None:
                continue
            who = next(((c, m) for a, b, c, m in owner.get(doc.id, ()) if a <= q.start and q.end <= b), None)
            key = (groups.get(doc.id, doc.id), _norm_text(q.text), f"{q.low}-{q.high}")
            if key in rows:
                row = rows[key]
                if doc.id != row["doc"] and doc.id not in copy_docs[key]:
                    copy_docs[key].add(doc.id)
                    row["copies_total"] += 1
                    if len(row["copies"]) < MAX_NUMBER_COPIES:
                        row["copies"].append((doc, q.start, q.end))  # evidence made for rows shown only
                continue
            outlet = doc.meta.outlet or doc.id
            if who is not None:
                c, m = who
                speaker = (m.speaker or {}).get("name") or f"{outlet} (own voice)"
                chain = list(m.via) + ([speaker] if (m.speaker or {}).get("name") else [])
                cert = m.certainty
                claim_id = c.id
            else:
                speaker, chain, cert, claim_id = f"{outlet} (own voice)", [outlet], "asserted", None
            rows[key] = {
                "group": _unit_group(q.unit),
                "text": q.text.strip("“”\"' "),
                "low": q.low,
                "high": q.high,
                "unit": q.unit,
                "approximate": bool(q.approximate),
                "qualifier": q.qualifier,
                "speaker": speaker,
                "via": chain,
                "outlet": doc.meta.outlet,
                "certainty": cert,
                "claim": claim_id,
                "doc": doc.id,
                "published": doc.meta.published,
                "evidence": (doc, q.start, q.end),
                "start": q.start,
                "copies": [],
                "copies_total": 0,
                "named_speaker": who is not None and bool((who[1].speaker or {}).get("name")),
                "copy_group": key[0],
            }
    contradicted: dict[str, list[str]] = defaultdict(list)
    for x in report.contradictions:
        if x.kind == "number":
            for sp in x.evidence:
                contradicted[f"{sp.doc}:{sp.start}"].append(x.explanation)
    by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows.values():
        r["contradictions"] = contradicted.get(f"{r['doc']}:{r.pop('start')}", [])
        by_group[r["group"]].append(r)
    out: list[dict[str, Any]] = []
    for g, items in by_group.items():
        items.sort(key=lambda r: (r["low"] if r["low"] is not None else r["high"] or 0, r["published"] or ""))
        # every row counts: "up to 4,000" (no low) is a value of 4,000 at most, "more than 90"
        # (no high) one of 90 at least
        lows = [v for r in items if (v := r["low"] if r["low"] is not None else r["high"]) is not None]
        highs = [v for r in items if (v := r["high"] if r["high"] is not None else r["low"]) is not None]
        values = {(r["low"], r["high"]) for r in items}
        shown = _number_rows(items, MAX_NUMBER_ROWS)
        out.append(
            {
                "group": g,
                "reports": shown,
                "total_reports": len(items),
                "omitted": len(items) - len(shown),
                "min": min(lows) if lows else None,
                "max": max(highs) if highs else None,
                # the extreme is a bound ("up to 4,000", "more than 90"), not a value anyone gives
                "open_above": bool(highs) and not any(r["high"] == max(highs) for r in items),
                "open_below": bool(lows) and not any(r["low"] == min(lows) for r in items),
                # differing values are not a disagreement by themselves (they may count
                # different things); the claims layer's number contradictions are
                "spread": len(values) > 1,
                "sources_disagree": any(r["contradictions"] for r in items),
                "contradictions": sorted({e for r in items for e in r["contradictions"]}),
            }
        )
    out.sort(key=lambda g: (-g["total_reports"], g["group"]))  # the most-reported first
    for group in out[:max_groups]:  # evidence (with context) for the rows shown only
        for r in group["reports"]:
            del r["named_speaker"], r["copy_group"]
            r["evidence"] = _evidence(r["evidence"][0], r["evidence"][0].span(*r["evidence"][1:])).to_record()
            r["copies"] = [_evidence(d, d.span(a, b)).to_record() for d, a, b in r["copies"]]
    omitted = {"groups": len(out[max_groups:]),
               "reports": sum(g["total_reports"] for g in out[max_groups:]) + sum(g["omitted"] for g in out[:max_groups])}
    return out[:max_groups], omitted


def _number_rows(items: list[dict[str, Any]], cap: int) -> list[dict[str, Any]]:
    """At most ``cap`` of a group's rows (``items`` in value order), in value order: the
    lowest and the highest value (so the spread shown stays true), rows the claims layer
    flags as contradicting, then one row per independent source (copy group) — named
    speakers and the most-copied first — then the rest."""
    if len(items) <= cap:
        return items

    def lo(r: Mapping[str, Any]) -> float:
        v = r["low"] if r["low"] is not None else r["high"]
        return float("inf") if v is None else float(v)

    def hi(r: Mapping[str, Any]) -> float:
        if r["high"] is None and r["low"] is not None:
            return float("inf")  # "more than N": open above
        v = r["high"] if r["high"] is not None else r["low"]
        return float("-inf") if v is None else float(v)

    idx = {id(r): i for i, r in enumerate(items)}
    chosen: dict[int, dict[str, Any]] = {}
    groups_seen: set[str] = set()

    def take(r: dict[str, Any]) -> None:
        if len(chosen) < cap and idx[id(r)] not in chosen:
            chosen[idx[id(r)]] = r
            groups_seen.add(r["copy_group"])

    take(min(items, key=lambda r: (lo(r), idx[id(r)])))
    take(max(items, key=lambda r: (hi(r), -idx[id(r)])))
    for r in items:
        if r["contradictions"]:
            take(r)
    ranked = sorted(items, key=lambda r: (not r["named_speaker"], -r["copies_total"], r["published"] or "~",
                                          idx[id(r)]))
    for r in ranked:
        if r["copy_group"] not in groups_seen:
            take(r)
    for r in ranked:
        take(r)
    return [chosen[i] for i in sorted(chosen)]


def _provenance(graph: nx.MultiDiGraph, doc_ids: set[str], cap: int | None = None) -> dict[str, Any]:
    """Nodes (documents, outlets) with a deterministic layout, and edges aggregated per
    pair: copies (with passages counts and direction), cites (with counts), published_by,
    credits. At most ``cap`` nodes (:func:`_provenance_nodes`); ``totals`` and ``omitted``
    count what the whole story's graph holds and what is left out."""
    import networkx as nx

    from ..corpus.provenance import doc_node

    cap = MAX_PROVENANCE_NODES if cap is None else cap
    full: set[str] = set()
    for d in doc_ids:
        n = doc_node(d)
        if n in graph and graph.nodes[n].get("type") == "doc":
            full.add(n)
    for n in list(full):
        full.update(v for _, v in graph.out_edges(n))
        full.update(u for u, _ in graph.in_edges(n))
    keep = _provenance_nodes(graph, doc_ids, full, cap)
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    all_pairs: set[tuple[str, str, str]] = set()
    for u, v, k, a in graph.edges([n for n in graph if n in full], keys=True, data=True):
        if u not in full or v not in full:
            continue
        rel = a.get("relation", k)
        key = (u, v, rel)
        all_pairs.add(key)
        if u not in keep or v not in keep:
            continue
        if rel == "copies":
            ev = a.get("evidence") or []
            edges[key] = {
                "source": u, "target": v, "relation": "copies", "passages": a.get("passages", 1),
                "similarity": round(float(a.get("similarity") or 0.0), 3), "direction": a.get("direction"),
                "direction_evidence": list(a.get("direction_evidence") or []),
                # one example pair (``storyline reuse`` lists them all): a syndicated story can
                # have thousands of copy edges
                "evidence": [{"source": e["source"].to_record(), "copy": e["copy"].to_record()} for e in ev[:1]],
            }
        elif rel == "cites":
            e = edges.setdefault(key, {"source": u, "target": v, "relation": "cites", "count": 0, "cues": [],
                                       "self_citation": bool(a.get("self_citation")), "inherited": True,
                                       "evidence": []})
            e["count"] += 1
            if a.get("cue") and a["cue"] not in e["cues"]:
                e["cues"].append(a["cue"])
            e["inherited"] = e["inherited"] and bool(a.get("inherited_from"))
            if len(e["evidence"]) < 5 and a.get("evidence") is not None:
                e["evidence"].append(a["evidence"].to_record())
        else:
            edges[key] = {"source": u, "target": v, "relation": rel}
    # the strongest copy relations only (a syndicated story can have thousands; ``storyline
    # reuse`` lists every passage), and an example passage only for the strongest of those
    copy_edges = sorted((e for e in edges.values() if e["relation"] == "copies"),
                        key=lambda e: (-e["passages"], -e["similarity"], e["source"], e["target"]))
    for e in copy_edges[MAX_PROVENANCE_COPIES:]:
        del edges[(e["source"], e["target"], "copies")]
    for e in copy_edges[40:MAX_PROVENANCE_COPIES]:
        e["evidence"] = []
    sub = nx.Graph()
    nodes = sorted(keep)
    sub.add_nodes_from(nodes)
    for (u, v, rel) in edges:
        w = {"copies": 3.0, "cites": 1.0, "published_by": 2.0, "credits": 1.0}.get(rel, 1.0)
        sub.add_edge(u, v, weight=w)
    pos = _layout(sub)
    out_nodes = []
    for n in nodes:
        a = graph.nodes[n]
        x, y = (float(pos[n][0]), float(pos[n][1])) if n in pos else (0.0, 0.0)
        if a.get("type") == "doc":
            label = f"{a.get('outlet') or 'unknown outlet'} ({a['doc_id'][:6]})"
            out_nodes.append({"id": n, "type": "doc", "doc": a["doc_id"], "label": label, "title": a.get("title"),
                              "outlet": a.get("outlet"), "published": a.get("published"),
                              "in_set": a["doc_id"] in doc_ids, "x": round(x, 4), "y": round(y, 4)})
        else:
            out_nodes.append({"id": n, "type": "outlet", "label": a.get("name") or n, "kind": a.get("kind"),
                              "x": round(x, 4), "y": round(y, 4)})

    def is_doc(n: str) -> bool:
        return graph.nodes[n].get("type") == "doc"

    totals = {
        "nodes": len(full),
        "documents": sum(1 for n in full if is_doc(n)),
        "outlets": sum(1 for n in full if not is_doc(n)),
        "edges": len(all_pairs),
        "copies": sum(1 for p in all_pairs if p[2] == "copies"),
    }
    shown = {
        "nodes": len(nodes),
        "documents": sum(1 for n in nodes if is_doc(n)),
        "outlets": sum(1 for n in nodes if not is_doc(n)),
        "edges": len(edges),
        "copies": sum(1 for p in edges if p[2] == "copies"),
    }
    return {
        "nodes": out_nodes,
        "edges": sorted(edges.values(), key=lambda e: (e["relation"], e["source"], e["target"])),
        "totals": totals,
        "omitted": {k: totals[k] - shown[k] for k in totals},
    }


def _provenance_nodes(graph: nx.MultiDiGraph, doc_ids: set[str], full: set[str], cap: int) -> set[str]:
    """Which of the story's graph nodes (``full``) to show: all when they fit in ``cap``;
    else the documents at either end of the strongest copy relations (up to two thirds of
    the nodes), their outlets, then the outlets cited most, then the best-connected
    remaining documents. Ties broken by id: the choice does not depend on set order."""
    if len(full) <= cap:
        return set(full)

    def is_doc(n: str) -> bool:
        return graph.nodes[n].get("type") == "doc"

    copies: dict[tuple[str, str], tuple[int, float]] = {}
    cited: Counter[str] = Counter()
    degree: Counter[str] = Counter()
    for u, v, k, a in graph.edges([n for n in graph if n in full], keys=True, data=True):
        if v not in full:
            continue
        rel = a.get("relation", k)
        degree[u] += 1
        degree[v] += 1
        if rel == "copies":
            copies[(u, v)] = (int(a.get("passages") or 1), float(a.get("similarity") or 0.0))
        elif rel == "cites" and not a.get("self_citation"):
            cited[v] += 1
    keep: set[str] = set()
    doc_budget = cap * 2 // 3
    n_docs = 0
    for (u, v), _ in sorted(copies.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0])):
        new = [n for n in (u, v) if n not in keep]
        if n_docs + len(new) > doc_budget:
            break
        keep.update(new)
        n_docs += len(new)

    def add(n: str) -> bool:
        if len(keep) >= cap:
            return False
        keep.add(n)
        return True

    for n in sorted(keep):  # who published (and is credited with) each document shown
        for _, v, k in graph.out_edges(n, keys=True):
            if k in ("published_by", "credits") and v in full:
                add(v)
    outlets = sorted((n for n in full if not is_doc(n) and n not in keep), key=lambda n: (-cited[n], -degree[n], n))
    for n in outlets[: max(0, cap // 6)]:
        add(n)
    in_set = sorted((n for n in full if is_doc(n) and n not in keep and graph.nodes[n].get("doc_id") in doc_ids),
                    key=lambda n: (-degree[n], n))
    for n in in_set:
        if n_docs >= doc_budget or not add(n):
            break
        n_docs += 1
        for _, v, k in graph.out_edges(n, keys=True):
            if k == "published_by" and v in full:
                add(v)
    for n in outlets:
        if not add(n):
            break
    return keep


def _layout(g: nx.Graph) -> dict[str, tuple[float, float]]:
    """Deterministic positions: each connected component laid out on its own (spring
    layout, fixed seed), components packed on shelves, biggest first, so that separate
    copy groups do not pile up in one corner."""
    import networkx as nx

    comps = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c[0]))
    pos: dict[str, tuple[float, float]] = {}
    cells: list[tuple[list[str], float]] = [(c, max(1.0, len(c) ** 0.5 / 1.6)) for c in comps]
    width = max(3.0, sum(side * side for _, side in cells) ** 0.5 * 1.25)
    x = y = shelf = 0.0
    for comp, side in cells:
        if x > 0 and x + side > width:
            x, y, shelf = 0.0, y + shelf, 0.0
        if len(comp) == 1:
            local = {comp[0]: (0.5, 0.5)}
        else:
            # a graph built in sorted order: spring_layout's result depends on node order
            sub = nx.Graph()
            sub.add_nodes_from(comp)
            sub.add_edges_from(sorted(tuple(sorted((u, v))) for u, v in g.subgraph(comp).edges()))
            raw = nx.spring_layout(sub, seed=7, k=1.8 / len(comp) ** 0.5, iterations=60 if len(comp) < 300 else 25)
            xs = [p[0] for p in raw.values()]
            ys = [p[1] for p in raw.values()]
            dx, dy = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
            local = {n: (0.12 + 0.76 * (p[0] - min(xs)) / dx, 0.12 + 0.76 * (p[1] - min(ys)) / dy) for n, p in raw.items()}
        for n, (lx, ly) in local.items():
            pos[n] = (x + lx * side, y + ly * side)
        x += side
        shelf = max(shelf, side)
    return pos


def _speakers(claims: Sequence[Claim], docs: Mapping[str, Doc]) -> list[dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for c in claims:
        name = (c.speaker or {}).get("name")
        key = name.casefold() if name else ""
        g = groups.setdefault(key, {"speaker": name, "entity": (c.speaker or {}).get("entity"), "claims": []})
        chains = []
        for m in c.members:
            ch = list(m.via) + ([name] if name else [])
            if ch and ch not in chains:
                chains.append(ch)
        g["claims"].append(
            {
                "id": c.id,
                "content": _evidence(docs.get(c.content.doc), c.content).to_record(),
                "cue": c.cue,
                "certainty": c.certainty,
                "hedges": list(c.hedges),
                "medium": c.medium,
                "chains": chains,
                "independent_sources": c.independent_sources,
                "documents": list(c.documents),
                "evidence": [s.to_record() for s in c.evidence],
                "contradictions": list(c.contradictions),
            }
        )
    out = list(groups.values())
    for g in out:
        g["claims"].sort(key=lambda c: (-c["independent_sources"], c["content"]["doc"], c["content"]["start"]))
    out.sort(key=lambda g: (g["speaker"] is None, -len(g["claims"]), g["speaker"] or ""))
    return out


def _contradictions(report: ClaimReport, docs: Mapping[str, Doc]) -> list[dict[str, Any]]:
    by_id = {c.id: c for c in report.claims}
    out = []
    for x in report.contradictions:
        rec = x.to_record()
        rec["evidence"] = [_evidence(docs.get(s.doc), s).to_record() for s in x.evidence]
        rec["speakers"] = [
            (by_id[c].speaker or {}).get("name") if c in by_id else None for c in x.claims
        ]
        out.append(rec)
    return out


def _uncertainties(claims: Sequence[Claim], docs: Mapping[str, Doc]) -> list[dict[str, Any]]:
    out = []
    for c in claims:
        if c.certainty not in ("hedged", "denied"):
            continue
        out.append(
            {
                "claim": c.id,
                "speaker": (c.speaker or {}).get("name"),
                "certainty": c.certainty,
                "hedges": list(c.hedges),
                "content": _evidence(docs.get(c.content.doc), c.content).to_record(),
                "independent_sources": c.independent_sources,
                "documents": list(c.documents),
            }
        )
    return out


def _has_tone(doc: Doc) -> bool:
    fields = [doc.text or "", doc.meta.title or "", *doc.meta.captions]
    return any(rx.search(t) for _, _, rx in _tone_lexicon() for t in fields if t)


def _pick_sources(docs: Sequence[Doc], graph: nx.MultiDiGraph, cited: Sequence[str], cap: int) -> list[Doc]:
    """The documents the Sources section describes, at most ``cap``: those the summary and
    timeline cite (in ``cited`` order), then those in copy relations (the most passages
    first), then those with tone signals, then the rest by date."""
    if len(docs) <= cap:
        return list(docs)
    from ..corpus.provenance import doc_node

    by_id = {d.id: d for d in docs}
    chosen: dict[str, Doc] = {}
    for i in cited:
        if len(chosen) >= cap:
            break
        if i in by_id:
            chosen.setdefault(i, by_id[i])

    def date_key(d: Doc) -> tuple[Any, ...]:
        return (d.meta.published is None, d.meta.published or "", d.id)

    if len(chosen) < cap:
        strength: dict[str, int] = {}
        for d in docs:
            node = doc_node(d.id)
            if node not in graph or d.id in chosen:
                continue
            p = [a.get("passages") or 1 for _, _, k, a in graph.out_edges(node, keys=True, data=True) if k == "copies"]
            p += [a.get("passages") or 1 for _, _, k, a in graph.in_edges(node, keys=True, data=True) if k == "copies"]
            if p:
                strength[d.id] = sum(p)
        for i in sorted(strength, key=lambda i: (-strength[i], date_key(by_id[i]))):
            if len(chosen) >= cap:
                break
            chosen[i] = by_id[i]
    if len(chosen) < cap:
        rest = sorted((d for d in docs if d.id not in chosen), key=date_key)
        later = []
        for d in rest:
            if len(chosen) >= cap:
                break
            if _has_tone(d):
                chosen[d.id] = d
            else:
                later.append(d)
        for d in later:
            if len(chosen) >= cap:
                break
            chosen[d.id] = d
    return list(chosen.values())


def _language_fields(d: Doc) -> dict[str, Any]:
    """The source's language and, when English-only analyses skipped it, the note saying so."""
    from ..clean.language import language_label, not_analysed_note

    m = d.meta
    return {
        "language": m.language,
        "language_label": language_label(m.language, m.language_confidence, m.language_scores) if m.language else None,
        "not_analysed": not_analysed_note(d.skipped) if d.skipped else None,
    }


def _sources(docs: Sequence[Doc], graph: nx.MultiDiGraph) -> list[dict[str, Any]]:
    from ..corpus.provenance import doc_node

    out = []
    for d in docs:
        node = doc_node(d.id)
        copies: list[dict[str, Any]] = []
        copied_by: list[dict[str, Any]] = []
        cites: Counter[str] = Counter()
        if node in graph:
            for _, v, k, a in graph.out_edges(node, keys=True, data=True):
                if k == "copies":
                    copies.append({"doc": v.removeprefix("doc:"), "passages": a.get("passages"),
                                   "direction": a.get("direction")})
                elif a.get("relation") == "cites" and not a.get("self_citation"):
                    cites[graph.nodes[v].get("name") or v] += 1
            for u, _, k, a in graph.in_edges(node, keys=True, data=True):
                if k == "copies":
                    copied_by.append({"doc": u.removeprefix("doc:"), "passages": a.get("passages"),
                                      "direction": a.get("direction")})
        relations: dict[str, Any] = {}
        for name, rel in (("copies", copies), ("copied_by", copied_by)):
            if len(rel) > MAX_SOURCE_RELATIONS:  # the strongest; the rest counted
                rel = sorted(rel, key=lambda x: (-(x["passages"] or 0), x["doc"]))[:MAX_SOURCE_RELATIONS]
            relations[name] = rel
        m = d.meta
        out.append(
            {
                "id": d.id,
                "title": m.title,
                "outlet": m.outlet,
                "byline": m.byline,
                "dateline": m.dateline,
                "url": m.url,
                "link": _safe_url(m.url),
                "published": m.published,
                "published_precision": m.published_precision,
                "published_source": m.published_source,
                "copies": relations["copies"],
                "copied_by": relations["copied_by"],
                "copies_total": len(copies),
                "copied_by_total": len(copied_by),
                "cites": [{"outlet": o, "count": n} for o, n in cites.most_common()],
                "tone": tone_signals(d),
                "chars": len(d.text or ""),
                **_language_fields(d),
            }
        )
    out.sort(key=lambda s: (s["published"] is None, s["published"] or "", s["id"]))
    return out


def _map(docs: Sequence[Doc], findings: Sequence[Finding], names: Mapping[str, str]) -> dict[str, Any]:
    from ..corpus.annotations import place_records

    features: list[dict[str, Any]] = []
    places = [rec for rec in place_records(docs, include_unresolved=False)
              if rec["lat"] is not None and rec["lon"] is not None]
    n_places = len(places)
    if n_places > MAX_PLACES:  # the most-mentioned, in their usual order
        top = sorted(range(n_places), key=lambda i: (-len(places[i]["mentions"]), i))[:MAX_PLACES]
        places = [places[i] for i in sorted(top)]
    for rec in places:
        features.append(
            {
                "type": "Feature",
                "id": f"place:{rec['id']}",
                "geometry": {"type": "Point", "coordinates": [rec["lon"], rec["lat"]]},
                "properties": {
                    "feature": "place",
                    "name": names.get(str(rec["gazetteer_id"]), rec["name"]),
                    "gazetteer_name": rec["name"],
                    "aliases": rec["aliases"],
                    "kind": rec["kind"],
                    "country": rec["country"],
                    "precision": rec["precision"],
                    "mentions": len(rec["mentions"]),
                    "documents": list(rec["documents"][:MAX_FEATURE_DOCS]),
                    "documents_total": len(rec["documents"]),
                },
            }
        )
    moving = []
    for f in findings:
        o, d = f.origin, f.destination
        if not (o and d and o.get("lat") is not None and d.get("lat") is not None):
            continue
        if (o["lat"], o["lon"]) == (d["lat"], d["lon"]):
            continue
        moving.append(f)
    n_moves = len(moving)
    if n_moves > MAX_MOVEMENTS:  # the best-scored, in their usual order
        top = sorted(range(n_moves), key=lambda i: (-moving[i].score, _time_key(moving[i]), i))[:MAX_MOVEMENTS]
        moving = [moving[i] for i in sorted(top)]
    ends: dict[str, tuple[Any, Any, str | None, str | None]] = {}
    for f in moving:
        o, d = f.origin, f.destination
        assert o is not None and d is not None
        ends[f.id] = (o, d, _place_label(o, names), _place_label(d, names))
        ev = f.evidence[0].span if f.evidence else None
        features.append(
            {
                "type": "Feature",
                "id": f.id,
                "geometry": {"type": "LineString", "coordinates": [[o["lon"], o["lat"]], [d["lon"], d["lat"]]]},
                "properties": {
                    "feature": "movement",
                    "finding": f.id,
                    "label": f"{_place_label(o, names)} → {_place_label(d, names)}",
                    "headline": f.headline,
                    "event_type": f.event_type,
                    "sentence": f.sentence,
                    "quantities": [_quantity_text(q) for q in f.quantities],
                    "independent_sources": f.independent_sources,
                    "certainty": f.certainty,
                    "time": f.time,
                    "documents": list(f.documents[:MAX_FEATURE_DOCS]),
                    "documents_total": len(f.documents),
                    "precision": max(o.get("precision") or 3, d.get("precision") or 3),
                    "evidence": {"doc": ev.doc, "start": ev.start, "end": ev.end} if ev else None,
                },
            }
        )
    return enrich(
        {
            "type": "FeatureCollection",
            "features": features,
            "totals": {"places": n_places, "movements": n_moves},
            "omitted": {"places": n_places - len(places), "movements": n_moves - len(moving)},
        },
        ends,
    )


def _place_names(docs: Sequence[Doc]) -> dict[str, str]:
    """Gazetteer id → the name as the texts most often write it ("Raqqa", not "Ar Raqqah")."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for d in docs:
        for p in d.places:
            if p.resolved and p.gazetteer_id:
                seen[str(p.gazetteer_id)][re.sub(r"(?i)^the\s+", "", p.text)] += 1
    out = {}
    for gid, c in seen.items():
        name, _ = max(c.items(), key=lambda kv: (kv[1], kv[0][:1].isupper() and not kv[0].isupper(), -len(kv[0])))
        out[gid] = name
    return out


# --------------------------------------------------------------------------- entry point


def _summary_size(n_docs: int) -> int:
    return max(15, min(25, 6 + n_docs // 8))


@dataclass(slots=True)
class _Basis:
    """What every section of a report is derived from: the documents (with the layers read),
    the provenance graph, the stored claims and events, and the findings ranked."""

    docs: list[Doc]
    by_id: dict[str, Doc]
    graph: nx.MultiDiGraph
    creport: ClaimReport
    events: list[Event]
    names: dict[str, str]
    findings: list[Finding]
    ranked: list[Finding]  # best-scored first
    summary: list[Finding]  # in time order


def _basis(
    store: Store, doc_ids: Sequence[str] | None, slots: Sequence[str], *, passages: bool = True, bounded: bool = False
) -> _Basis:
    """Read and derive the report's basis for ``doc_ids`` (all current documents when None)
    with only ``slots`` of each document decoded; without ``passages``, a provenance graph
    that only answers the independence API; ``bounded``, one whose copy edges are those
    among ``doc_ids`` (:func:`.reads.story_graph`)."""
    from ..corpus.persist import claim_report, event_list
    from .reads import read_docs, story_graph

    docs = read_docs(store, doc_ids, slots)
    by_id = {d.id: d for d in docs}
    graph = story_graph(store, docs, whole_corpus=doc_ids is None, passages=passages, bounded=bounded)
    ids = [d.id for d in docs]
    creport = claim_report(store, ids)
    events = event_list(store, ids, claims=creport)
    names = _place_names(docs)
    findings = _findings(by_id, creport.claims, events, graph, names)
    ranked = sorted(findings, key=lambda f: (-f.score, _time_key(f)))
    summary = sorted([f for f in ranked[: _summary_size(len(docs))] if f.score > 1.0], key=_time_key)
    return _Basis(docs, by_id, graph, creport, events, names, findings, ranked, summary)


def _story_fields(basis: _Basis) -> dict[str, Any]:
    """The records.md Story fields a report derives: ``summary`` (its summary findings'
    sentences with their evidence), ``events`` and ``claims`` (ids)."""
    return {
        "summary": [{"sentence": f.sentence, "evidence": [e.span.to_record() for e in f.evidence]}
                    for f in basis.summary],
        "events": [e.id for e in basis.events],
        "claims": [c.id for c in basis.creport.claims],
    }


def story_fields(store: Store, doc_ids: Sequence[str]) -> dict[str, Any]:
    """``summary``, ``events`` and ``claims`` of the story of ``doc_ids``, equal to its
    report's ``story`` fields (the same code), reading only what they need: the findings
    use sentence bounds and citations of each document, not its quantities or places
    (those only name places in headlines, which the summary record does not hold), and the
    copy groups of the documents, not the copied passages."""
    from .reads import SUMMARY_SLOTS

    return _story_fields(_basis(store, doc_ids, SUMMARY_SLOTS, passages=False))


def build_report(
    store: Store,
    doc_ids: Sequence[str] | None = None,
    *,
    title: str | None = None,
    story: Mapping[str, Any] | None = None,
    bounded: bool = False,
) -> Report:
    """The situation report for ``doc_ids`` (a story's documents; all current documents
    when None and no ``story``). ``story``: a story record (records.md "Story" plus
    ``episodes``: ``[{id, title, documents, start, end}]``); its documents are used when
    ``doc_ids`` is None. ``bounded``: ``doc_ids`` are part of the story or corpus (a
    bounded report): its provenance shows the copy relations among them, and independence
    still counts each document's whole copy group (:func:`.reads.story_graph`)."""
    from ..corpus.provenance import independence_groups
    from .reads import REPORT_SLOTS

    if doc_ids is None and story is not None and story.get("documents"):
        doc_ids = list(story["documents"])
    basis = _basis(store, doc_ids, REPORT_SLOTS, bounded=bounded)
    docs, by_id, graph, creport, events, names = (basis.docs, basis.by_id, basis.graph, basis.creport,
                                                  basis.events, basis.names)
    findings, ranked, summary = basis.findings, basis.ranked, basis.summary
    timed = [f for f in ranked if f.events and f.score > 0.5]
    timeline = sorted(timed[:MAX_TIMELINE], key=_time_key)
    omitted = len(timed) - len(timeline)

    pubs = sorted(d.meta.published for d in docs if d.meta.published)
    st = dict(story) if story else {}
    report_title = title or st.get("title") or ("All documents" if doc_ids is None else "Selected documents")
    # The structure shown: a story's episodes, or, for a whole corpus of several stories,
    # the stories themselves (``story["stories"]``, see :func:`corpus_report`).
    parts = st.get("episodes") or ()
    structure = "episodes"
    if not parts and st.get("stories"):
        parts, structure = st["stories"], "stories"
    # the documents the Sources section describes: those the summary and timeline cite first
    cited = [e.span.doc for f in summary for e in f.evidence]
    cited += [e.span.doc for f in sorted(timeline, key=lambda f: (-f.score, _time_key(f))) for e in f.evidence]
    source_docs = _pick_sources(docs, graph, cited, MAX_SOURCES)
    listed = {d.id for d in source_docs}

    def by_date(d: Doc) -> tuple[Any, ...]:
        return (d.meta.published is None, d.meta.published or "")

    # the story record keeps every episode's documents; the page lists at most
    # MAX_EPISODES episodes (the largest, shown in the story's own order: time order) with
    # at most MAX_EPISODE_DOCS documents each (those in the Sources list first, then the
    # earliest), each with the count of what it leaves out
    full_parts = []
    for ep in parts:
        full_parts.append((ep, sorted((by_id[i] for i in ep.get("documents", ()) if i in by_id), key=by_date)))
    shown_parts = list(range(len(full_parts)))
    if len(shown_parts) > MAX_EPISODES:
        shown_parts = sorted(sorted(shown_parts, key=lambda i: (-len(full_parts[i][1]), i))[:MAX_EPISODES])
    episodes = []
    for i in shown_parts:
        ep, ep_docs = full_parts[i]
        shown_docs = ep_docs
        if len(ep_docs) > MAX_EPISODE_DOCS:
            pick = sorted(range(len(ep_docs)), key=lambda j: (ep_docs[j].id not in listed, j))[:MAX_EPISODE_DOCS]
            shown_docs = [ep_docs[j] for j in sorted(pick)]
        episodes.append(
            {
                "id": ep.get("id"),
                "title": ep.get("title"),
                "start": ep.get("start"),
                "end": ep.get("end"),
                "documents": [
                    {"id": d.id, "title": d.meta.title, "outlet": d.meta.outlet, "published": d.meta.published,
                     "published_precision": d.meta.published_precision}
                    for d in shown_docs
                ],
                "document_count": len(ep_docs),
                "omitted": len(ep_docs) - len(shown_docs),
            }
        )
    story_rec = {
        "id": st.get("id"),
        "title": report_title,
        "documents": [d.id for d in docs],
        "start": st.get("start") or (pubs[0] if pubs else None),
        "end": st.get("end") or (pubs[-1] if pubs else None),
        **_story_fields(basis),
        "undated_documents": [d.id for d in docs if not d.meta.published],
        "episodes": [{"id": ep.get("id"), "title": ep.get("title"), "start": ep.get("start"), "end": ep.get("end"),
                      "documents": [d.id for d in ep_docs]}
                     for ep, ep_docs in full_parts],
    }
    groups = independence_groups(graph)
    numbers, numbers_left = _numbers(by_id, creport.claims, creport, groups)
    speakers = _speakers(creport.claims, by_id)
    for g in speakers:
        g["total_claims"] = len(g["claims"])
        g["omitted"] = max(0, len(g["claims"]) - MAX_SPEAKER_CLAIMS)
        g["claims"] = g["claims"][:MAX_SPEAKER_CLAIMS]
    contradictions = _contradictions(creport, by_id)
    uncertainties = _uncertainties(creport.claims, by_id)
    provenance = _provenance(graph, set(by_id))
    map_ = _map(docs, findings, names)
    left_out = {
        "numbers": numbers_left["groups"],
        "number_reports": numbers_left["reports"],
        "sources": len(docs) - len(source_docs),
        "provenance_nodes": provenance["omitted"]["nodes"],
        "provenance_edges": provenance["omitted"]["edges"],
        "episodes": len(full_parts) - len(episodes),
        "episode_documents": sum(len(d) for _, d in full_parts) - sum(len(ep["documents"]) for ep in episodes),
        "places": map_["omitted"]["places"],
        "movements": map_["omitted"]["movements"],
        "speakers": max(0, len(speakers) - MAX_SPEAKERS),
        "speaker_claims": sum(g["total_claims"] for g in speakers)
        - sum(len(g["claims"]) for g in speakers[:MAX_SPEAKERS]),
        "contradictions": max(0, len(contradictions) - MAX_CONTRADICTIONS),
        "uncertainties": max(0, len(uncertainties) - MAX_UNCERTAINTIES),
        "timeline": omitted,
    }
    return Report(
        title=report_title,
        story=story_rec,
        summary=summary,
        timeline=timeline,
        timeline_omitted=omitted,
        numbers=numbers,
        map=map_,
        provenance=provenance,
        speakers=speakers[:MAX_SPEAKERS],
        contradictions=contradictions[:MAX_CONTRADICTIONS],
        uncertainties=uncertainties[:MAX_UNCERTAINTIES],
        sources=_sources(source_docs, graph),
        episodes=episodes,
        structure=structure,
        counts={
            "documents": len(docs),
            "outlets": len({d.meta.outlet for d in docs if d.meta.outlet}),
            "claims": len(creport.claims),
            "events": len(events),
            "findings": len(findings),
            "contradictions": len(creport.contradictions),
            "copy_groups": len({groups.get(d.id, d.id) for d in docs}),
        },
        generated_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
        doc_titles={d.id: d.meta.title or d.id for d in docs},
        omitted=left_out,
    )


def story_report(store: Store, story: Story, *, title: str | None = None, max_documents: int | None = None) -> Report:
    """A story's report. It reads at most ``max_documents`` of the story's documents (default:
    the ``report_documents`` setting): with no more than that, every one, and the report is
    what it always was; above it, those :func:`.reads.story_scope` chooses (the documents of the
    story's strongest findings, then each episode's latest in turn), and the title and
    ``coverage`` say what it covers."""
    from .reads import story_scope

    if max_documents is None:
        from ..settings import Config

        max_documents = Config.load().report_documents
    doc_ids, coverage = story_scope(store, story, max_documents)
    name = title or story.title or "Selected documents"
    if coverage is not None:
        name = f"{name} — {coverage['documents']:,} of {coverage['documents_total']:,} documents"
    report = build_report(store, doc_ids, title=name if coverage is not None else title, story=story.to_record(),
                          bounded=coverage is not None)
    report.coverage = coverage
    return report


def corpus_report(store: Store, *, title: str | None = None, max_documents: int | None = None) -> Report:
    """The whole corpus's report. With one story it is that story's report (its episodes
    shown); with several, the stories are the structure shown.

    It reads at most ``max_documents`` documents (default: the ``report_documents`` setting):
    with no more current documents than that, all of them, and the report is what it always
    was; above it, the documents :func:`.reads.corpus_scope` chooses (the corpus's strongest
    findings, then its largest stories), and the title and ``coverage`` say what it covers."""
    from .reads import corpus_scope

    if max_documents is None:
        from ..settings import Config

        max_documents = Config.load().report_documents
    scope = corpus_scope(store, max_documents)
    if scope.stories_total == 1 and len(scope.stories) == 1:
        story = scope.stories[0].to_record()
        report = build_report(store, scope.doc_ids, title=scope.title(title or story.get("title") or ""),
                              story=story, bounded=scope.coverage is not None)
    else:
        label = scope.title(title or "All documents")
        report = build_report(
            store, scope.doc_ids, title=label,
            story={"id": None, "title": label, "episodes": [], "stories": [st.to_record() for st in scope.stories]},
            bounded=scope.coverage is not None,
        )
    report.coverage = scope.coverage
    return report
