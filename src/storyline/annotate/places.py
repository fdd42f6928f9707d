"""Places: find place mentions in cleaned text and resolve them to coordinates.

Pure functions over one text; offsets index into the text given. Two sources of mentions:

* the caller's NER spans (``ents``: GPE, LOC, FAC trusted; NORP, ORG, PERSON accepted only
  where the gazetteer and the document agree -- the small English model labels al-Qa'im ORG,
  Margada NORP, "Nineveh Governorate" PERSON);
* a gazetteer phrase matcher over capitalised word runs, for names the model misses.

Resolution is two-pass: mentions whose reading is clear without context (countries, unique
names, a dominant city) are resolved first; the countries, first-level regions and points
they give (plus demonyms, "Syrian", and the caller's :class:`PlaceContext`) then score the
candidates of every mention. "X, Y" qualifiers ("Paris, Texas", "Mosul, Iraq") decide
outright. All mentions of one name in a document share a reading unless qualified.

Candidates are ranked by a linear score over named features (:mod:`place_ranking`: population,
feature class, match quality, cue words, the document's countries, regions and resolved
points), with weights fitted on the fit half of LGL and GeoVirus.

Datelines: the place an agency files from ("New York, March 03:", "BEIRUT (Reuters) -") is
resolved, but gives the rest of the text no context -- no point, no region, no country
weight (a story datelined New York about the Syrian army retaking Palmyra is about Tadmur,
Syria, not Palmyra, New York). All-caps toponyms the model labels ORG (BEIRUT, TABQA) go to
the phrase matcher like the names it misses. A generic feature word alone ("Lake", "Dam",
"Square", "River") is never a place. Every returned span is non-empty and equals the text at
its offsets ("the province of Nineveh" keeps "Nineveh", never a reversed span).

Measured (bench/geocoding.py, gold toponyms, held-out report half): LGL acc@161 84.2 % ->
85.0 %, GeoVirus 81.0 % -> 82.6 % against the code before these changes; most of the gain is
the detection fixes above, the fitted ranker adds about 0.1-0.4 point over the hand-set weights.

Honesty rules: a transliteration or fuzzy match is only taken inside a context country;
"the Ba'aj road" is a road located at Ba'aj with precision 2, not the town; "X River" with no
river X in the gazetteer stays unresolved; spans in ``blocked`` (organisation names such as
"Raqqa Is Being Slaughtered Silently") never yield places, nor does a place name inside a
longer organisation or person name.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from operator import itemgetter
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS

from storyline.annotate import place_ranking
from storyline.annotate.gazetteer import (
    ADMIN1,
    ADMIN2,
    COUNTRY,
    FEATURE,
    Candidate,
    Gazetteer,
    join_pieces,
    norm,
    norm_pieces,
)
from storyline.annotate.intervals import overlaps

from ..records import PlaceMention  # noqa: F401  (re-exported: the record type lives in storyline.records)

__all__ = ["Gazetteer", "PlaceContext", "PlaceMention", "find_places", "haversine_km", "resolve_name"]

STRONG_LABELS = frozenset({"GPE", "LOC"})
WEAK_LABELS = frozenset({"NORP", "ORG", "PERSON", "FAC"})
# a place name inside a longer span of these labels is part of a name, not a place
# mislabelled spans worth a loose (transliteration) lookup, by label: most words allowed
# ("Margada" comes as NORP; a PERSON is a person far more often than an unknown spelling)
LOOSE_LABELS = {"NORP": 2, "ORG": 1, "FAC": 1}
NAME_LABELS = frozenset({"ORG", "PERSON", "FAC", "WORK_OF_ART", "EVENT", "PRODUCT", "LAW", "NORP"})
NON_PLACE_LABELS = frozenset(
    {"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY", "LANGUAGE"}
)


@dataclass(frozen=True, slots=True)
class PlaceContext:
    """What the caller knows about the document's geography before reading it: the
    outlet's or dateline's countries and regions, or a point (a local paper's home)."""

    countries: tuple[str, ...] = ()
    admin1: tuple[str, ...] = ()  # GeoNames admin codes, e.g. "US.TX"
    near: tuple[float, float] | None = None


# --------------------------------------------------------------------------- geometry


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p = math.pi / 180
    a = (
        math.sin((lat2 - lat1) * p / 2) ** 2
        + math.cos(lat1 * p) * math.cos(lat2 * p) * math.sin((lon2 - lon1) * p / 2) ** 2
    )
    return 12742.0 * math.asin(min(1.0, math.sqrt(a)))


# --------------------------------------------------------------------------- tokens

# Name words: a capitalised word with inner apostrophes (Ba'aj, Qa'im), optionally behind an
# Arabic article (al-Bukamal); dotted abbreviations (U.S., D.C.). Only these are tokenised:
# the phrase matcher never looks at lower-case text, which keeps it cheap.
_NAME_WORD = re.compile(
    r"(?<![\w'’])(?:(?:al|el|ar|ad|as|ash|at|az|ez|es|en|an|ed|et)-)?"
    r"(?:(?:[A-Z]\.){2,}|[A-Z\u00C0-\u00DE\u0100-\u024F](?:[^\W_]|['’](?=[^\W\d_]))*)"
)
# what may join two name words into one name: a space, a hyphen, "St. ", or a connector
_JOIN = re.compile(
    r"(?:[ \t]{1,2}|-|\.[ \t]?)(?:(?:of|de|del|la|le|du|des|di|da|am|upon|on|sur|the|and|al|el|ez|ad|ar|as|at|az)"
    r"(?:[ \t]{1,2}|-))?"
)
MAX_TOKENS = 6

ADMIN_WORDS = frozenset(
    [
        "province",
        "governorate",
        "region",
        "state",
        "county",
        "district",
        "parish",
        "oblast",
        "prefecture",
        "department",
        "municipality",
        "canton",
        "emirate",
        "territory",
        "countryside",
    ]
)
RIVER_WORDS = frozenset({"river"})
CROSSING_WORDS = frozenset({"crossing", "checkpoint", "gate"})
ROAD_WORDS = frozenset({"road", "highway", "motorway", "route"})
FRONT_WORDS = frozenset({"frontline", "front"})
SETTLEMENT_WORDS = frozenset({"city", "town", "village", "countryside"})
_DIRECTIONS = frozenset(
    [
        "north",
        "south",
        "east",
        "west",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
        "northeastern",
        "northwestern",
        "southeastern",
        "southwestern",
        "upper",
        "lower",
        "greater",
        "inner",
        "outer",
        "rural",
    ]
)
CONNECTORS = frozenset(
    ["of", "de", "del", "la", "le", "du", "des", "di", "da", "am", "upon", "on", "sur", "the", "and"]
)
# a run ending in one of these names a facility, not a place ("Van Dorn Street", "Paris High School")
FACILITY_WORDS = frozenset(
    [
        "street",
        "st",
        "avenue",
        "ave",
        "road",
        "rd",
        "boulevard",
        "lane",
        "drive",
        "square",
        "park",
        "bridge",
        "hall",
        "school",
        "college",
        "university",
        "hospital",
        "church",
        "center",
        "centre",
        "airport",
        "station",
        "stadium",
        "mall",
        "court",
        "building",
        "tower",
        "library",
        "museum",
    ]
)
# a generic feature word alone is never a place ("the Lake", "the Dam", "the Square"), whatever
# the model's label or the gazetteer's aliases (Lake -> Lake County, Dam -> Damm)
GENERIC_WORDS = frozenset(
    [
        "lake",
        "lakes",
        "dam",
        "square",
        "river",
        "city",
        "town",
        "village",
        "county",
        "state",
        "province",
        "district",
        "region",
        "valley",
        "island",
        "islands",
        "bay",
        "sea",
        "ocean",
        "camp",
        "base",
        "border",
        "desert",
        "hill",
        "hills",
        "beach",
        "falls",
        "mountain",
        "mountains",
        "harbor",
        "harbour",
        "port",
        "bridge",
        "airport",
        "downtown",
        "capital",
        "gulf",
        "coast",
        "plain",
        "plains",
        "park",
        "center",
        "centre",
        "canal",
        "creek",
        "forest",
        "peninsula",
        "strait",
        "street",
        "road",
        "highway",
        "crossing",
        "station",
        "mall",
        "plaza",
        "market",
        "north",
        "south",
        "east",
        "west",
        "countryside",
        "suburb",
        "suburbs",
        "uptown",
        "midtown",
        "area",
        "governorate",
        "front",
    ]
)
_CUE_AFTER = re.compile(
    r"[ \t]+(?:(?P<crossing>border[ \t]+crossing|border[ \t]+gate|crossing|checkpoint)"
    r"|(?P<admin>" + "|".join(sorted(ADMIN_WORDS)) + r")"
    r"|(?P<river>river)|(?P<road>road|highway|motorway|route)"
    r"|(?P<front>front[ \t]?line|front)|(?P<settlement>city|town|village))\b",
    re.IGNORECASE,
)
_CUE_BEFORE = re.compile(
    r"\b(?:(?P<settlement>city|town|village|capital)|(?P<admin>province|governorate|state|county|district|region))"
    r"[ \t]+of[ \t]+$",
    re.IGNORECASE,
)
_LOCATIVE = re.compile(
    r"\b(?:in|to|from|near|into|toward|towards|outside|across|through|via|at|around|inside|between|of|"
    r"reached|entered|captured|seized|besieged)[ \t]+$",
    re.IGNORECASE,
)
_SENT_END = frozenset('.!?:;"“”\n')


@dataclass(slots=True)
class _Tok:
    start: int
    end: int
    pieces: list[str]


def _name_tokens(text: str) -> list[_Tok]:
    out = []
    for m in _NAME_WORD.finditer(text):
        w = m.group()
        core = w.rsplit("-", 1)[-1] if "-" in w[:4] else w
        if not core[:1].isupper():
            continue
        s, e = m.start(), m.end()
        if len(w) > 3 and w[-2] in "'’" and w[-1] == "s":
            e -= 2  # possessive: Raqqa's
        out.append(_Tok(s, e, norm_pieces(text[s:e])))
    return out


def _sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t“”\"'‘’(":
        if text[i] in '“"':
            return True
        i -= 1
    return i < 0 or text[i] in _SENT_END


# --------------------------------------------------------------------------- mentions


@dataclass(slots=True)
class _Mention:
    start: int
    end: int
    key: str
    source: str  # ner | weak-ner | gazetteer
    label: str = ""
    cue: str = ""  # admin | river | crossing | road | front | settlement | dateline
    cue_end: int = 0  # end offset including the cue word (road/crossing/...); 0: no cue after
    demonym: str = ""  # ISO country when the span is a demonym
    initial: bool = False
    locative: bool = False
    cands: list[Candidate] = field(default_factory=list)
    fixed: bool = False  # cands were set at detection (an abbreviation) and stay
    qualifier: int = -1  # record the "X, Y" qualifier Y resolved to
    is_qualifier: bool = False
    cue_before: bool = False  # the cue word stands before the name ("the province of Nineveh")
    dateline: bool = False  # inside the dateline ("BEIRUT (Reuters) -", "New York, March 03:")


def _cues(text: str, m: _Mention, dateline_end: int) -> None:
    after = _CUE_AFTER.match(text, m.end)
    if after:
        m.cue = after.lastgroup or ""
        m.cue_end = after.end()
    elif m.key.endswith(" river"):
        m.cue, m.cue_end = "river", m.end  # "Red River": a river, never Red River County
    before = text[max(0, m.start - 40) : m.start]
    if not m.cue:
        b = _CUE_BEFORE.search(before)
        if b:
            # "the province of Nineveh", "a district of Manbij": the span stays the name's own
            m.cue, m.cue_end, m.cue_before = b.lastgroup or "", m.end, True
    m.locative = bool(_LOCATIVE.search(before[-16:]))
    m.initial = _sentence_initial(text, m.start)
    if m.start < dateline_end:
        m.cue = m.cue or "dateline"
        m.dateline = True


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    key: str
    embedded: bool  # part of a longer capitalised name ("Van" in "Van Dorn Street")


# words that may stand beside a place in one capitalised run without making it another name
_RUN_OK = (
    ADMIN_WORDS
    | RIVER_WORDS
    | CROSSING_WORDS
    | ROAD_WORDS
    | FRONT_WORDS
    | SETTLEMENT_WORDS
    | CONNECTORS
    | _DIRECTIONS
    | frozenset({"border", "line", "al", "el"})
)


def _phrase_hits(text: str, toks: list[_Tok], gaz: Gazetteer) -> list[_Hit]:
    """Longest gazetteer names within maximal runs of joined name words."""
    hits: list[_Hit] = []
    n = len(toks)
    i = 0
    while i < n:
        # a maximal run: leading capitalised stop words ("In", "The") are not part of a name
        while i < n and len(toks[i].pieces) == 1 and toks[i].pieces[0] in STOP_WORDS:
            i += 1
        if i >= n:
            break
        joins: list[list[str]] = [[]]
        j = i
        while j + 1 < n:
            join = _JOIN.fullmatch(text, toks[j].end, toks[j + 1].start)
            if not join or (join.group()[0] == "." and toks[j].end - toks[j].start > 3):
                break  # a dot joins "St. Louis", not "Jarablus. File photo"
            joins.append(norm_pieces(join.group()) if len(join.group()) > 2 else [])
            j += 1
        run_hits: list[tuple[int, int, str]] = []  # token index range and key
        k0 = i
        while k0 <= j:
            found = None
            # keys of k0..k for growing k, then tried longest first
            flat: list[str] = list(toks[k0].pieces)
            keys = [join_pieces(flat)]
            for t in range(k0 + 1, min(j, k0 + MAX_TOKENS - 1) + 1):
                flat.extend(joins[t - i])
                flat.extend(toks[t].pieces)
                keys.append(join_pieces(flat))
            for off in range(len(keys) - 1, -1, -1):
                key = keys[off]
                if key and not (off == 0 and key in STOP_WORDS) and gaz.has_key(key):
                    found = (k0, k0 + off, key)
                    break
            if found:
                run_hits.append(found)
                k0 = found[1] + 1
            else:
                k0 += 1
        # a single-word hit that is a facility word ("Street", "Park") covers nothing
        covered = {
            t
            for a, b, _ in run_hits
            for t in range(a, b + 1)
            if not (a == b and toks[a].pieces and toks[a].pieces[-1] in FACILITY_WORDS)
        }
        embedded = len(run_hits) > 1 or any(
            t not in covered and not all(p in _RUN_OK for p in toks[t].pieces) for t in range(i, j + 1)
        )
        for a, b, key in run_hits:
            hits.append(_Hit(toks[a].start, toks[b].end, key, embedded))
        i = j + 1
    return hits


def _clean_ent(text: str, start: int, end: int) -> tuple[int, int]:
    span = text[start:end]
    m = re.match(r"(?:the|The)\s+", span)
    if m:
        start += m.end()
    span = text[start:end]
    if _ABBREVIATION_END.search(span):
        return start, end  # "W.Va.", "Calif.", "U.S.": the dot belongs to the name
    m = re.search(r"(?:['’]s|['’]|[\s.,;:]+)$", span)
    if m and m.start() > 0:
        end = start + m.start()
    return start, end


_ABBREVIATION_END = re.compile(r"(?:(?<![^\W\d_])[A-Z][a-z]{0,4}\.|(?:[A-Z]\.){2,}|[A-Z]\.\s?[A-Z][a-z]?\.)$")
_QUALIFIER_CODE = re.compile(
    r",[ \t]*((?:[A-Z][a-z]{0,4}\.)(?:[ \t]?[A-Z][a-z]?\.)?|(?:[A-Z]\.){2,}|[A-Z]{2,3})(?=\W|$)"
)


def find_places(
    text: str,
    *,
    ents: Sequence[tuple[int, int, str]] = (),
    blocked: Sequence[tuple[int, int]] = (),
    context: PlaceContext | None = None,
    gazetteer: Gazetteer | None = None,
    include_demonyms: bool = False,
    trace: list[dict[str, Any]] | None = None,
) -> list[PlaceMention]:
    """Place mentions in ``text``, resolved, in text order.

    ``ents``: the NER spans of ``text`` as (start, end, label). ``blocked``: spans that are
    names of something else (organisations, people) and win over any place inside them.
    ``include_demonyms``: also return "Syrian", "Iraqi" as country mentions (kind
    ``country``, method ``demonym``), as the LGL corpus annotates them; they always inform
    the context either way.
    """
    gaz = gazetteer or Gazetteer.load()
    context = context or PlaceContext()
    toks = _name_tokens(text)

    blocked_span = overlaps(blocked)  # (s, e) -> overlaps a blocked span (by bisection: long texts)

    hits = [h for h in _phrase_hits(text, toks, gaz) if not blocked_span(h.start, h.end)]
    hit_spans = [(h.start, h.end) for h in hits]  # in text order, not overlapping
    hit_starts = [hs for hs, _ in hit_spans]

    def hits_within(s: int, e: int) -> list[tuple[int, int]]:
        return [sp for sp in hit_spans[bisect_left(hit_starts, s) : bisect_left(hit_starts, e)] if sp[1] <= e]

    mentions: list[_Mention] = []

    # 1. NER spans
    name_ents: list[tuple[int, int]] = []  # spans that are names of something, not places
    trusted: list[tuple[int, int]] = []
    for s0, e0, label in sorted(ents):
        if label in NON_PLACE_LABELS:
            name_ents.append((s0, e0))
            continue
        if label not in STRONG_LABELS and label not in WEAK_LABELS and label not in NAME_LABELS:
            continue
        s, e = _clean_ent(text, s0, e0)
        if e <= s or blocked_span(s, e):
            continue
        key = norm(text[s:e])
        if not key or key in GENERIC_WORDS:
            continue
        dem = gaz.demonyms.get(key)
        if dem and label in ("NORP", "GPE"):
            mentions.append(_Mention(s, e, key, "ner" if label == "GPE" else "weak-ner", label, demonym=dem))
            continue
        whole = gaz.has_key(key)
        if whole and label in WEAK_LABELS and _all_caps_name(text[s:e]):
            # the model calls all-caps toponyms (BEIRUT, TABQA) organisations: the phrase
            # matcher and the gazetteer decide them, as they decide title-case names it misses
            continue
        code = (
            gaz.qualifier_codes.get(key)
            if label in STRONG_LABELS and (not whole or text[s:e].endswith("."))
            else None
        )
        if code is not None and (text[s:e].endswith(".") or text[s:e].isupper()):
            # "W.Va.", "Calif." named as a place on their own
            mentions.append(
                _Mention(s, e, key, "ner", label, cands=[gaz.candidate(code, "alias")], fixed=True)
            )
            continue
        inner = hits_within(s, e)
        placeish = whole or _placeish_rest(text, s, e, inner)
        if label in STRONG_LABELS:
            if placeish:
                if whole or not inner:
                    mentions.append(_Mention(s, e, key, "ner", label))
                else:
                    trusted.append((s, e))  # "Mosul, Iraq": its parts are the places
            elif len(key.split()) <= 3 and text[s:e].istitle():
                # "Deir Ezzor": no exact name, but short and name-shaped: loose lookup later,
                # and its parts ("Deir") are not places of their own
                mentions.append(_Mention(s, e, key, "ner", label))
                name_ents.append((s, e))
            else:
                # "the Syrian Observatory for Human Rights" (labelled GPE): a name, not a place
                name_ents.append((s, e))
            continue
        if whole:
            mentions.append(_Mention(s, e, key, "weak-ner", label))
        elif (
            label in LOOSE_LABELS
            and len(key.split()) <= LOOSE_LABELS[label]
            and not text[s:e].isupper()
            and not inner
        ):
            # maybe a transliteration the model mislabelled ("Margada", NORP): loose lookup later
            mentions.append(_Mention(s, e, key, "weak-ner", label))
        elif not placeish:
            name_ents.append((s, e))

    # 2. phrase matcher
    name_ents.sort()
    name_starts = [ns for ns, _ in name_ents]
    hints: list[tuple[str, str]] = []  # (country, admin1 code) from names inside other names
    taken = {(m.start, m.end) for m in mentions}
    for hit in hits:
        s, e, key = hit.start, hit.end, hit.key
        if (s, e) in taken:
            continue
        # inside a longer name ("Mosul Eye"), or straddling one ("Jeff Davis" / "Davis County")
        lo = max(0, bisect_right(name_starts, s) - 8)
        if any(
            ns < e and s < ne and (ns, ne) != (s, e) for ns, ne in name_ents[lo : bisect_left(name_starts, e)]
        ):
            _note_context(gaz, key, hints)
            continue
        strong = any(ts <= s and e <= te for ts, te in trusted)
        if hit.embedded and not strong:
            # "Van" in "Van Dorn Street", "Man" in a title-case headline: not a place; but the
            # "Ohio" of "Ohio Department of Transportation" still says where the story is
            _note_context(gaz, key, hints)
            continue
        dem = gaz.demonyms.get(key)
        if dem:
            mentions.append(_Mention(s, e, key, "ner" if strong else "gazetteer", demonym=dem))
            continue
        mentions.append(_Mention(s, e, key, "ner" if strong else "gazetteer"))
    mentions = [m for m in _dedupe(mentions) if m.key not in GENERIC_WORDS]

    # 3. cues around each mention
    dateline_end = _dateline_end(text)
    for m in mentions:
        _cues(text, m, dateline_end)

    places = [m for m in mentions if not m.demonym]
    demonyms = [m for m in mentions if m.demonym]

    # 4. candidates (exact) and "X, Y" qualifiers
    for m in places:
        if not m.fixed:
            m.cands = _exact(gaz, m) if gaz.has_key(m.key) else []
    places = sorted(places + _link_qualifiers(text, places, gaz), key=lambda m: m.start)

    # 5. context and resolution
    out = [r for r in _resolve(text, places, demonyms, gaz, context, hints, trace) if r is not None]
    if include_demonyms:
        for m in demonyms:
            c = gaz.country_candidate(m.demonym)
            if c is not None:
                out.append(_to_mention(text, m, c, 1.0, "demonym", [c]))
    # evidence spans are offsets into ``text``: never empty, never reversed
    out = [p for p in out if 0 <= p.start < p.end <= len(text) and p.text == text[p.start : p.end]]
    out.sort(key=lambda p: (p.start, p.end))
    return out


def _note_context(gaz: Gazetteer, key: str, hints: list[tuple[str, str]]) -> None:
    """A country, first-level region or demonym named inside another name: a context hint."""
    dem = gaz.demonyms.get(key)
    if dem:
        hints.append((dem, ""))
        return
    for c in gaz.lookup(key, fuzzy=False)[:1]:
        if c.feature in ("PCL", "A1") and c.country:
            hints.append((c.country, c.admin1 if c.feature == "A1" else ""))


# A dateline: the filing place opening the text (or one of its first lines) before the story:
# "BEIRUT (Reuters) -", "New York, March 03:", "ERBIL, Kurdistan Region—", "HASAKAH –",
# "NEWARK, N.J., Oct. 3 (AP) —". The place an agency files from says little about the places
# the story is about (Palmyra in a report datelined New York is still in Syria).
_DL_WORD = r"[A-Z][\w'’.\-]*"
_DL_PLACE = rf"{_DL_WORD}(?:[ \t]+{_DL_WORD}){{0,3}}"
_DL_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATELINE = re.compile(
    rf"(?P<place>{_DL_PLACE})(?:,[ \t]*{_DL_PLACE})?"
    r"(?:"
    rf"(?:,[ \t]*{_DL_MONTH}[ \t]+\d{{1,2}}|,[ \t]*\d{{1,2}}[ \t]+{_DL_MONTH})(?:,?[ \t]*\d{{4}})?"
    r"(?:[ \t]*\([^()\n]{1,30}\))?[ \t]*[:\-–—]"  # "New York, March 03:", "Oct. 3 (AP) —"
    r"|[ \t]*\((?:[A-Z][\w&.\-]*[ \t]?){1,4}\)[ \t]*[:\-–—]"  # "BEIRUT (Reuters) -"
    r"|(?P<dash>[ \t]*[-–—])"  # "HASAKAH –", "ERBIL, Kurdistan Region—": all capitals only
    r")"
)


def _dateline_end(text: str) -> int:
    """End offset of the dateline opening ``text`` or one of its first three lines; 0 if none."""
    pos = 0
    for _ in range(3):
        i = pos
        while i < len(text) and text[i] in " \t\r":
            i += 1
        m = _DATELINE.match(text, i)
        if m and (m.group("dash") is None or _all_caps_name(m.group("place"))):
            return m.end()
        nl = text.find("\n", pos, 400)
        if nl < 0:
            break
        pos = nl + 1
    return 0


def _all_caps_name(span: str) -> bool:
    """ "BEIRUT", "DEIR EZ-ZOR": capitals only, at least four letters (not "UN", "US")."""
    letters = [ch for ch in span if ch.isalpha()]
    return len(letters) >= 4 and all(ch.isupper() for ch in letters)


def _placeish_rest(text: str, s: int, e: int, inner: list[tuple[int, int]]) -> bool:
    """True when the words of text[s:e] outside the gazetteer hits ``inner`` are only feature
    words, directions and connectors ("Mosul, Iraq", "northern Syria", "Anbar province")."""
    if not inner:
        return False
    rest = []
    pos = s
    for hs, he in inner:
        rest.append(text[pos:hs])
        pos = he
    rest.append(text[pos:e])
    words = re.findall(r"[^\W\d_]+", " ".join(rest).lower())
    allowed = (
        ADMIN_WORDS
        | RIVER_WORDS
        | CROSSING_WORDS
        | ROAD_WORDS
        | FRONT_WORDS
        | SETTLEMENT_WORDS
        | _DIRECTIONS
        | CONNECTORS
        | {"border", "line", "s", "and"}
    )
    return all(w in allowed for w in words)


def _dedupe(ms: list[_Mention]) -> list[_Mention]:
    """Drop mentions nested in or overlapping a longer one (keep the longest, leftmost)."""
    starts: list[int] = []  # kept spans, sorted and disjoint
    ends: list[int] = []
    out: list[_Mention] = []
    for m in sorted(ms, key=lambda m: (-(m.end - m.start), m.start)):
        i = bisect_right(starts, m.start)
        if (i > 0 and ends[i - 1] > m.start) or (i < len(starts) and starts[i] < m.end):
            continue
        starts.insert(i, m.start)
        ends.insert(i, m.end)
        out.append(m)
    out.sort(key=lambda m: m.start)
    return out


def _exact(gaz: Gazetteer, m: _Mention) -> list[Candidate]:
    cands = gaz.lookup(m.key, fuzzy=False)
    if any(c.feature == "F" for c in cands):
        # the curated list is deliberate knowledge: "Middle East" is the region, not a hamlet
        cands = [c for c in cands if c.feature != "P" or c.population >= 100_000]
    if m.cue in ("admin", "river", "crossing", "front"):
        # "al-Qa'im crossing", "Euphrates River", "Anbar province": the feature itself, when known
        wanted = {
            "admin": ("region", "district"),
            "river": ("river",),
            "crossing": ("border_crossing",),
            "front": ("river", "area"),
        }[m.cue]
        feats = [c for c in cands if c.kind in wanted]
        if not feats and m.cue in ("crossing", "river"):
            extra = gaz.lookup(m.key + " " + ("crossing" if m.cue == "crossing" else "river"), fuzzy=False)
            feats = [c for c in extra if c.kind in wanted]
        if feats:
            return feats + [c for c in cands if c not in feats]
    return cands


def _link_qualifiers(text: str, places: list[_Mention], gaz: Gazetteer) -> list[_Mention]:
    """ "Paris, Texas", "Mosul, Iraq", "Springfield, Ill.": the second names a container of the
    first. Returns the mentions of abbreviations found only as qualifiers ("Ill.")."""
    for a, b in itertools.pairwise(places):
        gap = text[a.end : b.start]
        if gap.strip() not in (",",) or "\n" in gap:
            continue
        for c in b.cands:
            if c.feature in ("PCL", "A1", "A2") or (c.feature == "F" and c.kind == "region"):
                a.qualifier = c.record
                b.is_qualifier = True
                break
    # "Iraq's Nineveh Governorate", "Syria's Jarablus": the possessor contains the place
    for a, b in itertools.pairwise(places):
        if b.qualifier >= 0 or not re.fullmatch(r"['’]s\s+", text[a.end : b.start]):
            continue
        for c in a.cands:
            if c.feature in ("PCL", "A1"):
                b.qualifier = c.record
                break
    # abbreviations and postal codes that are only places as a qualifier ("Paris, Tenn.")
    extra: list[_Mention] = []
    taken = {m.start for m in places}
    for m in places:
        if m.qualifier >= 0:
            continue
        q = _QUALIFIER_CODE.match(text, m.end, min(len(text), m.end + 14))
        if q:
            rec = gaz.qualifier_codes.get(norm(q.group(1)))
            if rec is not None:
                m.qualifier = rec
                if q.start(1) not in taken:
                    extra.append(
                        _Mention(
                            q.start(1),
                            q.end(1),
                            norm(q.group(1)),
                            "gazetteer",
                            cands=[gaz.candidate(rec, "alias")],
                            fixed=True,
                            is_qualifier=True,
                        )
                    )
    return extra


# --------------------------------------------------------------------------- resolution


class _Weights(dict[str, float]):
    """A Counter with fractional counts (a demonym or a hint adds 0.5): a missing key weighs 0 and
    is not stored, and ``most_common`` ranks as ``collections.Counter`` does."""

    def __missing__(self, key: str) -> float:
        return 0

    def most_common(self, n: int) -> list[tuple[str, float]]:
        return heapq.nlargest(n, self.items(), key=itemgetter(1))


@dataclass(slots=True)
class _Ctx:
    countries: _Weights = field(default_factory=_Weights)
    admin1: _Weights = field(default_factory=_Weights)
    points: list[tuple[float, float, float]] = field(default_factory=list)  # lat, lon, weight
    dateline: frozenset[str] = frozenset()  # the dateline places' countries
    demonyms: frozenset[str] = frozenset()  # countries the text names by demonym ("Syrian army")

    def country_weight(self, cc: str) -> float:
        n = self.countries.get(cc, 0.0)
        return min(1.0, n / 2.0)

    def admin_weight(self, code: str) -> float:
        if not code:
            return 0.0
        return min(1.0, self.admin1.get(code, 0.0) / 1.5)

    def country_share(self, cc: str) -> float:
        total = sum(self.countries.values())
        return self.countries.get(cc, 0.0) / total if total > 0 else 0.0

    def admin_share(self, code: str) -> float:
        total = sum(self.admin1.values())
        return self.admin1.get(code, 0.0) / total if total > 0 else 0.0

    def nearness(self, lat: float, lon: float) -> tuple[float, float]:
        """(exp(-d / 150 km), exp(-d / 1000 km)) for the nearest of the document's points."""
        best = 1e9
        coslat = math.cos(math.radians(lat))
        for la, lo, w in self.points:
            dy = abs(la - lat)
            if dy > 30.0:  # > 3300 km: exp(-d/1000) is nil
                continue
            dx = abs(lo - lon) % 360.0
            dx = min(dx, 360.0 - dx) * coslat
            d = 111.2 * math.hypot(dx, dy) - 1000.0 * math.log(w)  # equirectangular: 1 % here
            best = min(best, d)
        if best >= 1e9:
            return 0.0, 0.0
        return math.exp(-best / 150.0), math.exp(-best / 1000.0)


# Candidate scores are a linear model over named features (place_ranking.py), in
# log10-population units before fitting (a town of 10,000 has prominence ~4; a country 9).
SUPPORT_KM = 50.0
ANCHOR_MARGIN = 3.0  # a name whose best reading leads by this much anchors the context
ROUNDS = 2  # context rounds after the anchors (measured on LGL: 1 round 82.2 %, 2: 83.5 %, 3: 83.4 %)
LOCAL_KM = 250.0  # a weakly evidenced place must lie this close to the document's other places
# A match on an alternate name, not the place's own: where GeoNames' own names are English,
# an alternate is an old or odd name ("Minnesota" for Minneota); elsewhere alternates hold the
# English exonyms news uses (Palmyra for Tadmur). Two features, two weights.
ENGLISH_NAMED = frozenset({"US", "GB", "CA", "AU", "NZ", "IE"})


def _contains(gaz: Gazetteer, container: int, c: Candidate) -> bool:
    kind = gaz.feature_class(container)
    if kind == COUNTRY:
        return c.country == gaz.country_of(container) and c.record != container
    if kind == ADMIN1:
        return gaz.admin1_of(c.record) == container and c.record != container
    if kind == ADMIN2:
        # a town in a county: same first-level region and within the county's reach
        la, lo = gaz.point(container)
        return gaz.admin1_of(c.record) == gaz.admin1_of(container) and haversine_km(la, lo, c.lat, c.lon) < 60
    if kind == FEATURE:
        # a curated region has a point, not a polygon: same country and within its reach
        la, lo = gaz.point(container)
        cc = gaz.country_of(container)
        return (
            (not cc or c.country == cc) and c.record != container and haversine_km(la, lo, c.lat, c.lon) < 300
        )
    return False


def _static_features(
    gaz: Gazetteer, m: _Mention, c: Candidate, qualifier: int, rivals: dict[int, str]
) -> list[float]:
    """The features of a candidate that do not depend on the rest of the document, in the
    order of :data:`place_ranking.STATIC` (``support`` is filled in later)."""
    prom = gaz.prominence(c.record)
    province_city = 0.0
    region_match = rivals.get(gaz.admin1_of(c.record)) if c.feature == "P" else None
    if region_match is not None and (c.match == "name" or region_match != "name"):
        # a city named like its own province: "Raqqa", "Hasakah" are the cities, as news
        # writes them -- unless the region has the name and the city only an alias
        # ("New York" is the state's name, New York City's alias). A full point above the
        # region: whatever context favours the region (its towns) favours its chief city too.
        province_city = max(0.0, 7.5 - prom)
    english = c.country in ENGLISH_NAMED
    cue, feat = m.cue, c.feature
    return [
        prom,
        province_city,
        float(c.match == "alias" and english),
        float(c.match == "alias" and not english),
        float(c.match == "transliteration"),
        float(c.match == "fuzzy"),
        float(qualifier >= 0 and _contains(gaz, qualifier, c)),
        float(cue == "admin" and feat in ("A1", "A2")),
        float(cue == "admin" and feat not in ("A1", "A2")),
        float(cue == "settlement" and feat == "P"),
        float(cue == "settlement" and feat != "P"),
        float(
            (cue in ("river", "front") and c.kind == "river")
            or (cue == "crossing" and c.kind == "border_crossing")
        ),
        float(m.is_qualifier and feat in ("PCL", "A1", "A2")),
        float(feat == "A1"),
        float(feat == "A2"),
        float(feat == "PCL"),
        float(feat in ("F", "CONT")),
        float(feat == "P" and c.population < 5000),
        float(feat == "P" and gaz.is_capital(c.record)),
        0.0,
    ]


_SUPPORT = place_ranking.STATIC.index("support")


def _context_features(c: Candidate, ctx: _Ctx, near: dict[int, tuple[float, float]]) -> list[float]:
    """The features of a candidate given the document's other places (place_ranking.CONTEXT)."""
    country = ctx.country_weight(c.country) if c.country else 0.0
    admin = ctx.admin_weight(c.admin1) if c.admin1 else 0.0
    close, wide = 0.0, 0.0
    if ctx.points:
        v = near.get(c.record)
        if v is None:
            v = near[c.record] = ctx.nearness(c.lat, c.lon)
        close, wide = v
        if c.feature == "A1":
            close = max(close, admin)  # a region is near the places inside it, not only its centre
            wide = max(wide, admin)
    # a country contains the document's regions and towns: credit it as it credits them
    contains = country if c.feature == "PCL" else 0.0
    if c.country in ENGLISH_NAMED:
        # English-language news favours towns of English-named countries, where the story is
        # at home: when the document names no other country more than this one
        top = max(ctx.countries.values(), default=0.0)
        home = float(top <= 0.0 or ctx.countries.get(c.country, 0.0) >= top)
    else:
        home = 0.0
    return [
        country,
        admin,
        close,
        contains,
        wide,
        float(bool(c.country) and c.country in ctx.dateline),
        ctx.country_share(c.country) if c.country else 0.0,
        ctx.admin_share(c.admin1) if c.admin1 else 0.0,
        float(bool(c.country) and c.country in ctx.demonyms),
        home,
    ]


def _score(
    gaz: Gazetteer, m: _Mention, c: Candidate, ctx: _Ctx, qualifier: int, rivals: dict[int, str]
) -> float:
    ws, wc = place_ranking.load_weights()
    return place_ranking.dot(ws, _static_features(gaz, m, c, qualifier, rivals)) + place_ranking.dot(
        wc, _context_features(c, ctx, {})
    )


_Static = list[tuple[Candidate, float, list[float]]]  # candidate, static score, static features


def _ranked(
    statics: _Static, ctx: _Ctx, near: dict[int, tuple[float, float]], wc: tuple[float, ...]
) -> list[tuple[float, Candidate]]:
    dot = place_ranking.dot
    return sorted(
        ((st + dot(wc, _context_features(c, ctx, near)), c) for c, st, _ in statics), key=lambda x: -x[0]
    )


def _resolve(
    text: str,
    places: list[_Mention],
    demonyms: list[_Mention],
    gaz: Gazetteer,
    context: PlaceContext,
    hints: Sequence[tuple[str, str]] = (),
    trace: list[dict[str, Any]] | None = None,
) -> list[PlaceMention | None]:
    ws, wc = place_ranking.load_weights()
    dot = place_ranking.dot
    groups: dict[str, list[_Mention]] = defaultdict(list)
    for m in places:
        # "Hasakah province" and "Hasakah" are two readings; "the Ba'aj road" and "Ba'aj" one
        feature = m.cue if m.cue in ("admin", "river", "crossing", "front") else ""
        groups[f"{m.key}|{feature}"].append(m)

    base = _Ctx()
    for cc in context.countries:
        base.countries[cc] += 2
    for code in context.admin1:
        base.admin1[code] += 2
    if context.near:
        base.points.append((context.near[0], context.near[1], 1.0))
    for d in demonyms:
        base.countries[d.demonym] += 0.5
    base.demonyms = frozenset(d.demonym for d in demonyms)
    for cc, code in hints:
        base.countries[cc] += 0.5
        if code:
            base.admin1[code] += 0.5

    # a name only in the dateline (the agency's filing place) gives its country weakly, no point
    datelines = {key for key, ms in groups.items() if all(m.dateline for m in ms)}

    statics: dict[str, _Static] = {}

    def static(key: str, ms: list[_Mention]) -> _Static:
        st = statics.get(key)
        if st is None:
            recs = {c.record: c.match for c in ms[0].cands}
            qual = _group_qualifier(ms)
            feats = [_static_features(gaz, ms[0], c, qual, recs) for c in ms[0].cands]
            st = statics[key] = [(c, dot(ws, f), f) for c, f in zip(ms[0].cands, feats)]
        return st

    # coherence: readings of different names that lie together support each other
    # ("Walker County" and "Huntsville": the Texas pair, 1 km apart, over the Alabama pair)
    keyed = [(key, static(key, ms)) for key, ms in groups.items() if ms[0].cands and key not in datelines]
    for (key, st), sup in zip(keyed, _support([[(c, v) for c, v, _ in st] for _, st in keyed])):
        if sup is not None:
            w = ws[_SUPPORT]
            for (c, _v, f), x in zip(st, sup):
                f[_SUPPORT] = min(x, 1.5)
            statics[key] = [(c, v + w * f[_SUPPORT], f) for c, v, f in st]

    # pass 1: anchors -- readings clear without context (a country, a unique or dominant name)
    contrib: dict[str, Candidate] = {}
    partial: dict[str, str] = {}
    for key, ms in groups.items():
        cands = ms[0].cands
        if not cands or not _accept(gaz, ms, cands[0], base, anchors_only=True):
            continue
        scored = _ranked(static(key, ms), base, {}, wc)
        top_score, top = scored[0]
        rivals = [c for sc, c in scored[1:] if sc > top_score - ANCHOR_MARGIN]
        if all(haversine_km(top.lat, top.lon, c.lat, c.lon) < 100 for c in rivals):
            contrib[key] = top  # "Raqqa": the city or its province, the same place for context
        elif all(c.country == top.country for c in rivals):
            partial[key] = top.country  # the country is sure, the place is not

    for key, cc in partial.items():
        if key not in datelines:
            base.countries[cc] += len(groups[key])

    # pass 2, twice: each name is scored against the readings of all the other names
    choice: dict[str, tuple[Candidate, float]] = {}
    for rnd in range(ROUNDS):
        ctx = _ctx_from(base, contrib, groups, datelines)
        near: dict[int, tuple[float, float]] = {}
        choice = {}
        for key, ms in groups.items():
            mine = contrib.get(key)
            own = ctx if key in datelines else _ctx_without(ctx, mine, len(ms))
            if not ms[0].cands:
                countries = [cc for cc, _ in own.countries.most_common(4)]
                # rapidfuzz only for spans the model calls places; skeletons for the mislabelled too
                fuzzy = any(m.source == "ner" for m in ms)
                cands = gaz.lookup(ms[0].key, countries=countries, fuzzy=fuzzy) if countries else []
                if not cands:
                    continue
                for m in ms:
                    m.cands = cands
                statics.pop(key, None)
            scored = _ranked(static(key, ms), own, near if own is ctx else {}, wc)
            best = scored[0][1]
            accepted = _accept(gaz, ms, best, own, anchors_only=False)
            if accepted:
                choice[key] = (best, _confidence([s for s, _ in scored]))
            if trace is not None and rnd == ROUNDS - 1:
                # the fitting script's view: every candidate's features in the final round
                trace.append(
                    {
                        "spans": [(m.start, m.end) for m in ms],
                        "accepted": accepted,
                        "cands": [
                            (c.lat, c.lon, c.gazetteer_id, f, _context_features(c, own, {}))
                            for c, _, f in static(key, ms)
                        ],
                    }
                )
        contrib = {key: c for key, (c, _) in choice.items()}

    # emit
    ctx = _ctx_from(base, contrib, groups, datelines)
    focus = _focus(ctx)
    out: list[PlaceMention | None] = []
    for key, ms in groups.items():
        picked = choice.get(key)
        for m in ms:
            if picked is None:
                if m.source == "ner" and m.label in STRONG_LABELS:
                    out.append(_unresolved(text, m))
                continue
            c, conf = picked
            if m.qualifier >= 0 and not _contains(gaz, m.qualifier, c):
                # this mention's own qualifier may pick another reading than its group's
                recs = {x.record: x.match for x in m.cands}
                own_best = max(m.cands, key=lambda x: _score(gaz, m, x, ctx, m.qualifier, recs))
                if _contains(gaz, m.qualifier, own_best):
                    c = own_best
            if c.kind == "river" and c.waypoints and focus is not None:
                la, lo, cc = min(c.waypoints, key=lambda w: haversine_km(w[0], w[1], focus[0], focus[1]))
                c = replace(c, lat=la, lon=lo, country=cc)
            out.append(_to_mention(text, m, c, conf, c.match, m.cands))
    return out


def _support(groups: list[list[tuple[Candidate, float]]]) -> list[list[float] | None]:
    """For each candidate: the sum over the other names of their best nearby candidate's
    prior share, discounted by distance (exp(-d / 50 km)). None for a name with one candidate."""
    import numpy as np

    out: list[list[float] | None] = [None] * len(groups)
    lat: list[float] = []
    lon: list[float] = []
    owner: list[int] = []
    weight: list[float] = []
    index: list[tuple[int, int]] = []
    for gi, st in enumerate(groups):
        top = max(v for _, v in st)
        ws = [math.exp(v - top) for _, v in st]
        z = sum(ws)
        for ci, (c, _) in enumerate(st):
            p = ws[ci] / z
            if p >= 0.02 and (c.feature in ("P", "A2") or (c.feature == "F" and c.kind != "river")):
                lat.append(c.lat)
                lon.append(c.lon)
                owner.append(gi)
                # sqrt: two ambiguous names (12 Clark Counties, 25 Springfields) that agree on
                # one place still count, not only a dominant reading
                weight.append(math.sqrt(p))
                index.append((gi, ci))
    owners = set(owner)
    if len(owners) < 2 or not any(len(groups[g]) > 1 for g in owners):
        return out
    if len(lat) <= 24:
        # few candidates: plain Python beats numpy's per-call overhead
        best: dict[tuple[int, int], float] = {}
        for i in range(len(lat)):
            if len(groups[owner[i]]) < 2:
                continue
            coslat = math.cos(math.radians(lat[i]))
            for j in range(len(lat)):
                if owner[j] == owner[i]:
                    continue
                dy = lat[i] - lat[j]
                if abs(dy) > 3.0:
                    continue
                dx = (lon[i] - lon[j]) * coslat
                v = weight[j] * math.exp(-111.2 * math.hypot(dx, dy) / SUPPORT_KM)
                if v > best.get((i, owner[j]), 0.0):
                    best[(i, owner[j])] = v
        totals = [0.0] * len(lat)
        for (i, _), v in best.items():
            totals[i] += v
        for (gi, ci), v in zip(index, totals):
            if len(groups[gi]) >= 2:
                row = out[gi]
                if row is None:
                    row = out[gi] = [0.0] * len(groups[gi])
                row[ci] = v
        return out
    la = np.radians(np.array(lat))
    lo = np.radians(np.array(lon))
    dx = (lo[:, None] - lo[None, :] + np.pi) % (2 * np.pi) - np.pi
    dx *= np.cos((la[:, None] + la[None, :]) / 2)
    d = 6371.0 * np.hypot(dx, la[:, None] - la[None, :])
    k = np.array(weight)[None, :] * np.exp(-d / SUPPORT_KM)
    own = np.array(owner)
    total = np.zeros(len(lat))
    for gi in set(owner):
        cols = own == gi
        nearest = k[:, cols].max(axis=1)
        nearest[own == gi] = 0.0
        total += nearest
    for (gi, ci), v in zip(index, total.tolist()):
        if len(groups[gi]) < 2:
            continue
        row = out[gi]
        if row is None:
            row = out[gi] = [0.0] * len(groups[gi])
        row[ci] = v
    return out


def _ctx_from(
    base: _Ctx, contrib: dict[str, Candidate], groups: dict[str, list[_Mention]], datelines: set[str]
) -> _Ctx:
    ctx = _copy_ctx(base)
    for key, c in contrib.items():
        if key in datelines:
            # the agency's filing place: no point, region or country weight, only its own
            # feature (dateline_country; the corpora gave it no weight to fit)
            if c.country:
                ctx.dateline = ctx.dateline | {c.country}
        else:
            _add_to_ctx(ctx, c, len(groups[key]))
    return ctx


def _group_qualifier(ms: list[_Mention]) -> int:
    for m in ms:
        if m.qualifier >= 0:
            return m.qualifier
    return -1


def _confidence(scores: list[float]) -> float:
    top = scores[0]
    z = sum(math.exp(s - top) for s in scores[:20])
    return round(1.0 / z, 3)


def _copy_ctx(c: _Ctx) -> _Ctx:
    return _Ctx(_Weights(c.countries), _Weights(c.admin1), list(c.points), c.dateline, c.demonyms)


def _add_to_ctx(ctx: _Ctx, c: Candidate, n: int) -> None:
    if c.country:
        ctx.countries[c.country] += n
    if c.admin1:
        ctx.admin1[c.admin1] += n
    if c.feature in ("P", "A2") or (c.feature == "F" and c.kind != "river"):
        ctx.points.append((c.lat, c.lon, 1.0))


def _ctx_without(ctx: _Ctx, c: Candidate | None, n: int) -> _Ctx:
    """The context less one name's own reading: a name must not vote for itself."""
    if c is None:
        return ctx
    own = _copy_ctx(ctx)
    if c.country:
        own.countries[c.country] = max(0.0, own.countries[c.country] - n)
    if c.admin1:
        own.admin1[c.admin1] = max(0.0, own.admin1[c.admin1] - n)
    if (c.lat, c.lon, 1.0) in own.points:
        own.points.remove((c.lat, c.lon, 1.0))
    return own


def _focus(ctx: _Ctx) -> tuple[float, float] | None:
    if not ctx.points:
        return None
    lats = sorted(p[0] for p in ctx.points)
    lons = sorted(p[1] for p in ctx.points)
    return lats[len(lats) // 2], lons[len(lons) // 2]


def _accept(gaz: Gazetteer, ms: list[_Mention], c: Candidate, ctx: _Ctx, *, anchors_only: bool) -> bool:
    """Is this reading trustworthy enough to report (or, in pass 1, to anchor the context)?

    ``ctx`` is the context of the rest of the document (this name's own reading left out)."""
    in_context = bool(c.country) and ctx.countries.get(c.country, 0) > 0
    near = _near_points(ctx, c)
    if c.match in ("transliteration", "fuzzy"):
        # a loose spelling match must sit where the document already is
        if not in_context:
            return False
        if ctx.points:
            return near
        return c.country == ctx.countries.most_common(1)[0][0]
    if any(m.qualifier >= 0 and _contains(gaz, m.qualifier, c) for m in ms) or any(m.fixed for m in ms):
        return True
    if any(m.source == "ner" for m in ms):
        return True
    if any(m.cue in ("admin", "river", "crossing", "front") for m in ms) and c.feature in ("A1", "A2", "F"):
        return True
    if any(m.cue_before for m in ms) and (in_context or c.population >= 15_000 or c.feature in ("A1", "A2")):
        return True  # "the province of Nineveh", "a district of Manbij": named as a place
    big = (
        c.feature in ("PCL", "CONT", "A1")
        or (c.feature == "F" and c.kind != "river")
        or (c.feature == "P" and c.population >= 200_000)
    )
    local = near if ctx.points else in_context
    if any(m.cue == "dateline" for m in ms) and (big or local or c.population >= 15_000):
        return True
    if anchors_only:
        return big and any(not m.initial or m.cue == "dateline" for m in ms)
    weak_ner = [m for m in ms if m.source == "weak-ner"]
    if weak_ner:
        labels = {m.label for m in weak_ner}
        if labels <= {"PERSON"}:
            # people are often named like towns ("Jeff Davis", "Henry"): only a name that is
            # plainly a place ("Nineveh Governorate"), or a local town after a locative word
            if ms[0].key.split()[-1] in ADMIN_WORDS and c.feature in ("A1", "A2"):
                return True
            return local and any(m.locative or m.cue for m in ms)
        if big and c.feature != "P":
            return True
        return local
    # phrase matcher only
    if (
        all(m.initial and m.cue != "dateline" for m in ms)
        and len(ms[0].key.split()) == 1
        and not any(m.cue for m in ms)
    ):
        return False
    if big:
        return True
    return local and (c.population >= 1000 or c.population == 0 or any(m.locative or m.cue for m in ms))


def _near_points(ctx: _Ctx, c: Candidate) -> bool:
    for la, lo, _ in ctx.points:
        if haversine_km(la, lo, c.lat, c.lon) <= LOCAL_KM:
            return True
    return False


def _unresolved(text: str, m: _Mention) -> PlaceMention:
    end = m.cue_end if m.cue in ("road", "river", "crossing") and m.cue_end else m.end
    kind = {"road": "road", "river": "river", "crossing": "border_crossing"}.get(m.cue, "unknown")
    return PlaceMention(
        m.start,
        end,
        text[m.start : end],
        None,
        None,
        None,
        kind,
        None,
        None,
        None,
        False,
        0.0,
        "unresolved",
        m.source,
    )


_DISTRICT_OF = re.compile(r"\b(?:district|neighbou?rhood|quarter|suburb)[ \t]+of[ \t]+$", re.IGNORECASE)


def _to_mention(
    text: str, m: _Mention, c: Candidate, conf: float, method: str, cands: list[Candidate]
) -> PlaceMention:
    kind, end = c.kind, m.end
    precision: int | None = c.precision
    name: str | None = c.name
    resolved = True
    lat: float | None = c.lat
    lon: float | None = c.lon
    if m.cue == "road":
        # "the Ba'aj road": a road known only by the town it leads to
        kind, precision, name, end = "road", max(2, c.precision), f"{c.name} road", m.cue_end
    elif m.cue == "crossing" and c.kind != "border_crossing":
        kind, precision, name, end = "border_crossing", max(2, c.precision), f"{c.name} crossing", m.cue_end
    elif m.cue in ("river", "crossing", "front") and c.kind in ("river", "border_crossing"):
        end = m.cue_end
    elif m.cue == "river" and c.kind != "river":
        # "X River" where the gazetteer knows no river X: never the town X
        kind, precision, name, end, lat, lon, resolved = "river", None, None, m.cue_end, None, None, False
    elif m.cue == "admin" and c.feature in ("A1", "A2"):
        end = m.cue_end
    elif m.cue == "admin" and c.feature == "P" and m.cue_before and _DISTRICT_OF.search(text, 0, m.start):
        precision = max(2, c.precision)  # "a district of Manbij": a quarter of the town
    elif m.cue == "admin" and c.feature == "P":
        kind, precision, end = "region", 3, m.cue_end
    return PlaceMention(
        start=m.start,
        end=end,
        text=text[m.start : end],
        name=name,
        lat=lat,
        lon=lon,
        kind=kind,
        country=c.country or None,
        gazetteer_id=c.gazetteer_id if resolved else None,
        precision=precision if resolved else None,
        resolved=resolved,
        score=conf,
        method=method if resolved else "unresolved",
        source=m.source,
        admin1=c.admin1_name or None,
        candidates=tuple(x.gazetteer_id for x in cands[:8]),
    )


def resolve_name(
    name: str,
    *,
    text: str = "",
    start: int | None = None,
    context: PlaceContext | None = None,
    gazetteer: Gazetteer | None = None,
    ents: Sequence[tuple[int, int, str]] = (),
) -> PlaceMention | None:
    """Resolve one given toponym (a gold span, a user query) using the rest of ``text`` as
    context. The span is treated as a trusted place mention."""
    gaz = gazetteer or Gazetteer.load()
    if not text:
        text, start = name, 0
    if start is None:
        start = text.find(name)
        if start < 0:
            text, start = name + "\n" + text, 0
    end = start + len(name)
    others = [e for e in ents if not (e[0] < end and start < e[1])]
    found = find_places(
        text, ents=[*others, (start, end, "GPE")], context=context, gazetteer=gaz, include_demonyms=True
    )
    for p in found:
        if p.start <= start and end <= p.end:
            return p
    return None
