"""Entities: the people, organisations, armed groups and outlets a document names.

Per document, :func:`find_entities` reads a spaCy ``Doc`` made by
:func:`storyline.annotate.nlp.load_nlp` (small English model + actor ruler) and returns

* :class:`EntityMention` records — character offsets into the text, a type useful to an analyst
  (``person``, ``armed_group``, ``government``, ``military``, ``outlet``, ``ngo``…), the canonical
  name and a resolution ``key`` shared by every mention of the same entity in the document,
  and for people the ``role``, ``title`` and ``affiliation`` read from the words around the name
  ("Pentagon spokesman Captain Jeff Davis", "Abu Abdullah, a displaced man", "Hussam Eesa of
  Raqqa Is Being Slaughtered Silently");
* place candidates for :mod:`storyline.annotate.places` as ``(start, end, label)``: what the model
  (after the corrections below) calls ``GPE``/``LOC``/``FAC``/``NORP``, plus one ``BLOCK`` span per
  entity mention — no place may be read inside an organisation's or a person's name.

Rules that correct the small model where it was measured to fail (measurements.md):
catalogue aliases win (``Daesh`` as GPE → the Islamic State); a "person" or "organisation"
that ends in or is followed by a place word ("Nineveh Governorate", "al-Qa'im crossing"),
follows "in"/"from"/"the town of", or is labelled a place more often elsewhere in the same
document, is handed to the places module instead; a name followed by a unit noun ("Burkan
al-Furat battalion") or opened by an Arabic unit word ("Jaish", "Liwa") is an armed group;
surnames and defined acronyms are found again where the model missed them ("Eesa of …");
capitalised words right after "near"/"outside" that the model left untagged ("Near Rawah,
two strikes…") go to the places module as candidates.

Then a fitted second opinion (:mod:`storyline.annotate.ner_refine`, weights fitted on re3d,
reported leave-one-source-out) may retype a mention or a place candidate: a country that acts
("Russia vetoed", "Russia and China were the only ones to vote against") becomes a
``government`` mention instead of a place; a mention the model is sure names nothing
("QUESTION:") is dropped. Place candidates are never dropped.

Across documents, :class:`EntityIndex` (candidates → score → cluster, incremental) and
:func:`resolve_across` give every mention a stable entity id.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..records import EntityMention  # noqa: F401  (re-exported: the record type lives in storyline.records)
from . import ner_refine
from .actors import Catalogue, Lexicon, catalogue, lookup, norm, slug
from .intervals import overlaps
from .ner_refine import SpanModel

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

__all__ = [
    "BLOCK",
    "ORGANIZATION",
    "PERSON",
    "PLACE_LABELS",
    "EntityIndex",
    "EntityMention",
    "PlaceCandidate",
    "entity_id",
    "find_entities",
    "name_similarity",
    "person_candidates",
    "refine_inputs",
    "resolve_across",
    "split_candidates",
]

PERSON = "person"
ORGANIZATION = "organization"
BLOCK = "BLOCK"  # candidate label: a place must not be read inside this span
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
PlaceCandidate = tuple[int, int, str]

_SKIP_LABELS = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})
_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"})
_LOCATIVE = frozenset({"in", "into", "from", "near", "outside", "inside", "towards", "toward", "across",
                       "around", "via", "through"})
_DIRECTIONS = frozenset({"north", "south", "east", "west", "northern", "southern", "eastern", "western",
                         "central", "northeastern", "northwestern", "southeastern", "southwestern",
                         "northeast", "northwest", "southeast", "southwest", "downtown", "rural"})
_EDGE_WORDS = frozenset({"the", "a", "an", "of", "and", "for", "to", "in", "on", "at", "-", "’s", "'s", "'", "’",
                         "“", "”", '"', "(", ")", ",", ".", ":", ";"})
_PARTICLES = frozenset({"al", "el", "ad", "as", "ash", "ar", "an", "at", "bin", "ibn", "bint", "de", "da", "di",
                        "van", "von", "der", "la", "le"})
_POSSESSIVE = frozenset({"’s", "'s", "'", "’"})
_CONNECT = frozenset({"of", "for"})


# --------------------------------------------------------------------------------------------
# per document


@dataclass(slots=True)
class _M:
    """A mention while it is being built (token offsets)."""

    s: int
    e: int
    type: str
    canonical: str
    key: str
    source: str
    role: str | None = None
    affiliation: str | None = None
    affiliation_key: str | None = None
    title: str | None = None
    phrase_s: int = -1


def find_entities(doc: Doc, *, refine: bool | SpanModel = True) -> tuple[list[EntityMention], list[PlaceCandidate]]:
    """Entity mentions in ``doc`` and the place candidates left for the places module.

    ``refine``: the fitted type model of :mod:`storyline.annotate.ner_refine` (``True``: the
    shipped one; a :class:`SpanModel`: that one, as the leave-one-source-out evaluation does;
    ``False``: rules only). Pure: reads the Doc, writes nothing to it."""
    cat = catalogue()
    lex = cat.lexicon
    ents = [e for e in doc.ents if e.label_ not in _SKIP_LABELS]
    votes = _label_votes(ents)
    support = {e.kb_id_ for e in ents if e.kb_id_}
    for ent in ents:  # actors the model found by an unambiguous name also support their short names
        support.update(s.actor for s in lookup(ent.text) if not s.ambiguous)

    mentions: list[_M] = []
    places: list[PlaceCandidate] = []
    people = {tuple(t.text for t in doc[s:e]) for s, e in (_trim(doc, x.start, x.end) for x in ents
                                                         if x.label_ == "PERSON") if e - s >= 2}
    for ent in ents:
        if ent.kb_id_ and cat.actor(ent.kb_id_) is not None:
            a = cat.by_key[ent.kb_id_]
            mentions.append(_M(ent.start, ent.end, a.type, a.name, a.key, "actors"))
            continue
        if ent.label_ not in _NAME_LABELS:
            continue
        s, e = _trim(doc, ent.start, ent.end)
        if s >= e or not _is_name(doc[s:e]):
            continue
        if ent.label_ in {"PERSON", "ORG"} and e - s > 1 and doc[s].lower_ in _LOCATIVE:
            places.append((doc[s + 1].idx, doc[e - 1].idx + len(doc[e - 1]), "GPE"))  # "Near Palmyra, …"
            continue
        inner = next((k for k in range(min(e - s - 1, 4), 1, -1) if tuple(t.text for t in doc[e - k:e]) in people),
                     None) if ent.label_ != "PERSON" else None
        if inner is not None:  # "the Middle East Tobias Ellwood" tagged ORG: the name is a person's
            mentions.append(_M(e - inner, e, PERSON, "", "", "ner"))
            continue
        m = _classify(doc, s, e, ent.label_, cat, lex, votes, support)
        if isinstance(m, _M):
            mentions.append(m)
        elif m is not None:
            places.append((doc[s].idx, doc[e - 1].idx + len(doc[e - 1]), m))

    listed = _place_lists(doc, lex)
    if listed:  # "near the cities of Bashir, Bayji, Tal Afar and Rawah": each name is a place
        inside = overlaps(listed)
        mentions = [m for m in mentions if m.source == "actors" or not inside(doc[m.s].idx, doc[m.e - 1].idx + 1)]
        places = [p for p in places if not inside(p[0], p[1])] + [(b, e, "GPE") for b, e in listed]
    places += _near_names(doc, mentions, places)
    mentions += _unit_names(doc, mentions, lex)
    mentions += _echoes(doc, mentions, cat)
    mentions += _offices(doc, mentions, lex)
    mentions.sort(key=lambda m: (m.s, -m.e))
    mentions = _drop_overlaps(mentions)
    model = ner_refine.shipped_model() if refine is True else refine or None
    if model is not None:
        mentions, places = _refine(doc, mentions, places, model)
    _resolve_people(doc, mentions)
    _read_roles(doc, mentions, places, lex)
    _resolve_offices(mentions)

    out = [
        EntityMention(
            start=doc[m.s].idx, end=doc[m.e - 1].idx + len(doc[m.e - 1]), text=doc[m.s:m.e].text, type=m.type,
            canonical=m.canonical, key=m.key, role=m.role, affiliation=m.affiliation, title=m.title,
            affiliation_key=m.affiliation_key, source=m.source,
            phrase_start=doc[m.phrase_s].idx if 0 <= m.phrase_s < m.s else -1, weak=_is_weak(doc, m),
        )
        for m in mentions
    ]
    blocked = [(m.start, m.end, ("PERSON" if m.type == PERSON else "ORG") if m.weak else BLOCK) for m in out]
    taken = overlaps((m.start, m.end) for m in out)
    places = [p for p in places if not taken(p[0], p[1])]
    return out, sorted(places + blocked)


def refine_inputs(doc: Doc, mentions: Sequence[tuple[int, int, str, str]],
                  places: Sequence[PlaceCandidate]) -> list[tuple[int, int, str, str, bool]]:
    """What the type model reads: ``(start, end, current, source, is_place)`` in character
    offsets for every mention (``(start, end, type, source)``) and every place candidate no
    mention covers."""
    taken = overlaps((b, e) for b, e, _, _ in mentions)
    out = [(b, e, "Person" if t == PERSON else "Organisation", src, False) for b, e, t, src in mentions]
    out += [(b, e, "Location", label, True) for b, e, label in places if label in PLACE_LABELS and not taken(b, e)]
    return out


def _refine(doc: Doc, mentions: list[_M], places: list[PlaceCandidate],
            model: SpanModel) -> tuple[list[_M], list[PlaceCandidate]]:
    """Apply :func:`storyline.annotate.ner_refine.decide` to every mention and place candidate:
    a country acting becomes a government, "QUESTION" is nobody, "Nineveh" is a place."""
    chars = [(doc[m.s].idx, doc[m.e - 1].idx + len(doc[m.e - 1]), m.type, m.source) for m in mentions]
    taken = overlaps((b, e) for b, e, _, _ in chars)
    eligible = [p for p in places if p[2] in PLACE_LABELS and not taken(p[0], p[1])]
    kept: list[_M] = []
    new_places: list[PlaceCandidate] = []
    to_org: set[tuple[int, int]] = set()
    items = refine_inputs(doc, chars, eligible)
    for (b, e, current, source, is_place), m in zip(items, [*mentions, *eligible], strict=True):
        span = doc.char_span(b, e)
        if span is None:
            if not is_place:
                kept.append(m)  # type: ignore[arg-type]
            continue
        typ = ner_refine.decide(model, ner_refine.features(span, current, source), current, is_place=is_place)
        if is_place:
            if typ == "Organisation":
                to_org.add((b, e))
                kept.append(_M(span.start, span.end, "government", _clean_name(span.text),
                               "org:" + slug(span.text), "refine"))
            continue
        assert isinstance(m, _M)
        if typ == current:
            kept.append(m)
        elif typ == "Location":
            new_places.append((b, e, "GPE"))
        elif typ == "Person":
            m.type, m.canonical, m.key = PERSON, span.text, ""
            kept.append(m)
        elif typ == "Organisation":
            m.type, m.canonical, m.key = _org_type(span, catalogue().lexicon), _clean_name(span.text), \
                "org:" + slug(span.text)
            kept.append(m)
    kept.sort(key=lambda m: (m.s, -m.e))
    return kept, [p for p in places if (p[0], p[1]) not in to_org] + new_places


def _is_weak(doc: Doc, m: _M) -> bool:
    """One capitalised word with no title, role, full name or catalogue entry behind it."""
    if m.e - m.s != 1 or m.source not in {"ner"} or m.title or m.role or doc[m.s].is_upper:
        return False
    if m.type == PERSON:
        return m.canonical == doc[m.s].text
    return m.type == ORGANIZATION


def reconcile(mentions: Sequence[EntityMention], place_spans: Iterable[tuple[int, int]]) -> list[EntityMention]:
    """Drop the weak mentions the places module resolved as places ("Raqqah" tagged PERSON)."""
    placed = overlaps(place_spans)
    return [m for m in mentions if not (m.weak and placed(m.start, m.end))]


def _label_votes(ents: Sequence[Span]) -> dict[str, Counter[str]]:
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for e in ents:
        if e.label_ in _NAME_LABELS and not e.kb_id_:
            votes[norm(e.text)][e.label_] += 1
    return votes


def _trim(doc: Doc, s: int, e: int) -> tuple[int, int]:
    """Without edge words, punctuation and whitespace tokens ("\\xa0Brussels Conference")."""
    while s < e and (doc[s].lower_ in _EDGE_WORDS or doc[s].is_punct or doc[s].is_space):
        s += 1
    while e > s and (doc[e - 1].lower_ in _EDGE_WORDS or doc[e - 1].is_punct or doc[e - 1].is_space):
        e -= 1
    return s, e


def _is_name(span: Span) -> bool:
    """At least one capitalised word of two letters or more: "pro-" or "Buses and" are not names."""
    return any(t.is_alpha and len(t) > 1 and (t.is_title or t.is_upper) for t in span) or \
        any(len(t) > 2 and t.text[:1].isupper() for t in span)


def _classify(doc: Doc, s: int, e: int, label: str, cat: Catalogue, lex: Lexicon,
              votes: Mapping[str, Counter[str]], support: set[str]) -> _M | str | None:
    """A model span as a mention, a place label for the places module, or ``None`` (dropped)."""
    span = doc[s:e]
    text = span.text
    nxt = doc[e] if e < len(doc) else None
    unit_after = nxt is not None and nxt.lower_ in lex.unit_nouns_after_name and not nxt.is_upper
    found = _actor_for(text, label, support)
    if found is not None and not unit_after:
        a = cat.by_key[found]
        return _M(s, e, a.type, a.name, a.key, "ner")
    if label in PLACE_LABELS or label == "NORP":
        return label
    place = _place_label(doc, s, e, label, lex, votes)
    if place is not None:
        return place
    group = _group_type(doc, s, e, lex)
    if group is not None:
        if found is not None and unit_after and nxt is not None:  # "al-Jazeera brigades" is not the channel
            e += 1
            span = doc[s:e]
        return _M(s, e, group, _clean_name(span.text), "org:" + slug(span.text), "rule")
    if label == "PERSON":
        return _M(s, e, PERSON, text, "", "ner")
    # ORG
    if e - s == 1 and (span[0].lower_ in lex.role_heads or span[0].tag_ in {"NNS", "NNPS"}):
        return None  # a role word or a plural ("Buses") is not an organisation's name
    if text.upper() in lex.not_organisations:
        return None  # "VBIED", "UAV": equipment the model takes for organisations
    if s >= 2 and doc[s - 1].lower_ in _CONNECT and doc[s - 2].lower_ in lex.role_heads:
        return None  # "Secretary of State", "Minister of Defence": part of an office's name
    typ = _org_type(span, lex)
    return _M(s, e, typ, _clean_name(text), "org:" + slug(text), "ner")


def _actor_for(text: str, label: str, support: set[str]) -> str | None:
    surfaces = lookup(text)
    keys = {s.actor for s in surfaces if not s.ambiguous or s.actor in support}
    if not keys and label == "ORG":  # the model agrees it is an organisation: "Reuters", "the Guardian"
        keys = {s.actor for s in surfaces}
    return next(iter(keys)) if len(keys) == 1 else None


def _place_label(doc: Doc, s: int, e: int, label: str, lex: Lexicon,
                 votes: Mapping[str, Counter[str]]) -> str | None:
    last, nxt = doc[e - 1], doc[e] if e < len(doc) else None
    prev = doc[s - 1] if s > 0 else None
    if last.lower_ in lex.place_heads and e - s > 1:
        return "LOC" if last.lower_ in {"governorate", "province", "district", "region", "river", "valley"} else "GPE"
    if nxt is not None and nxt.is_lower and nxt.lower_ in lex.place_heads:
        return "GPE"
    if prev is not None and prev.lower_ == "of" and s > 1 and doc[s - 2].lower_ in lex.place_heads:
        return "GPE"  # "the town of Margada"
    v = votes.get(norm(doc[s:e].text), Counter())
    placey = v["GPE"] + v["LOC"] + v["FAC"]
    if placey > v[label] or (placey and e - s == 1 and label == "ORG"):
        return "GPE"  # the same word is a place elsewhere in this document
    if prev is not None and prev.lower_ in {"and", "or"} and s > 1 and doc[s - 2].ent_type_ in PLACE_LABELS:
        return "GPE"  # "between Raqqa and Hasakah"
    if e - s == 1 and prev is not None and (prev.lower_ in _LOCATIVE or prev.lower_ in _DIRECTIONS) and (
            label == "ORG" or placey or prev.lower_ in _DIRECTIONS or prev.lower_ in {"in", "into", "from", "near"}):
        return "GPE"
    return None


def _group_type(doc: Doc, s: int, e: int, lex: Lexicon) -> str | None:
    first = doc[s].lower_.replace("’", "'")
    if first in lex.arabic_unit_words:
        return lex.arabic_unit_words[first]
    if e < len(doc) and doc[e].is_lower and doc[e].lower_ in lex.unit_nouns_after_name:
        return lex.org_unit_heads.get(doc[e].lower_, ORGANIZATION) if doc[e].lower_ != "group" else "armed_group"
    return None


def _org_type(span: Span, lex: Lexicon) -> str:
    words = [t.lower_ for t in span if t.is_alpha]
    if not words:
        return ORGANIZATION
    if words[0].replace("’", "'") in lex.arabic_unit_words:
        return lex.arabic_unit_words[words[0].replace("’", "'")]
    for n in (2, 1):
        head = " ".join(words[-n:])
        if head in lex.org_unit_heads:
            return lex.org_unit_heads[head]
    return ORGANIZATION


def _clean_name(text: str) -> str:
    text = re.sub(r"^(?:the|The)\s+", "", text.strip())
    return re.sub(r"(?:’s|'s|’|')$", "", text).strip()


_NEAR = frozenset({"near", "outside"})
_NAME_PARTICLES = frozenset({"al", "el", "ad", "as", "ash", "ar", "an", "at", "az", "abu", "bin", "ibn", "-"})


def _near_names(doc: Doc, mentions: Sequence[_M], places: Sequence[PlaceCandidate]) -> list[PlaceCandidate]:
    """Capitalised names the model missed right after "near"/"outside": "Near Rawah, two
    strikes…", "near Ayn Isa" (strike reports name the place and nothing else there). They go
    to the places module as candidates, which resolves them or not like any other."""
    taken = {i for m in mentions for i in range(m.s, m.e)}
    taken |= {i for ent in doc.ents for i in range(ent.start, ent.end)}
    starts = {b for b, _, _ in places}
    out: list[PlaceCandidate] = []
    for t in doc[:-1]:
        if t.lower_ not in _NEAR:
            continue
        i = j = t.i + 1
        while j < len(doc) and j - i < 5 and j not in taken and (
                (doc[j].is_title and doc[j].is_alpha) or (j > i and doc[j].lower_ in _NAME_PARTICLES)):
            j += 1
        while j > i and doc[j - 1].lower_ in _NAME_PARTICLES:
            j -= 1
        if j == i or doc[i].idx in starts or (j < len(doc) and (doc[j].is_title or doc[j].is_upper)):
            continue
        out.append((doc[i].idx, doc[j - 1].idx + len(doc[j - 1]), "GPE"))
    return out


def _place_lists(doc: Doc, lex: Lexicon) -> list[tuple[int, int]]:
    """The names listed after "the cities of", "towns including", "villages such as"…: "near
    the cities of Bashir, Bayji, Tal Afar and Rawah" (the model read "Bashir, Bayji" as one
    organisation and "Tal Afar" as a person), as character spans; two names at least."""
    out: list[tuple[int, int]] = []
    for t in doc[:-2]:
        word = t.lower_
        plural = word.endswith("ies") and word[:-3] + "y" in lex.place_heads or word[:-1] in lex.place_heads
        if not (word.endswith("s") and plural):
            continue
        i = t.i + 1 + (doc[t.i + 1].text == ",")
        if i < len(doc) and doc[i].lower_ in {"of", "including"}:
            i += 1
        elif i + 1 < len(doc) and doc[i].lower_ == "such" and doc[i + 1].lower_ == "as":
            i += 2
        else:
            continue
        names: list[tuple[int, int]] = []
        while i < len(doc):
            j = i
            while j < len(doc) and j - i < 4 and (doc[j].is_title or (j > i and doc[j].lower_ in _NAME_PARTICLES)):
                j += 1
            if j == i:
                break
            names.append((doc[i].idx, doc[j - 1].idx + len(doc[j - 1])))
            if j + 1 < len(doc) and doc[j].text == "," and doc[j + 1].lower_ in {"and", "or"}:
                j += 1
            if j < len(doc) and (doc[j].text == "," or doc[j].lower_ in {"and", "or"}):
                i = j + 1
                continue
            break
        if len(names) >= 2:
            out += names
    return out


def _unit_names(doc: Doc, mentions: Sequence[_M], lex: Lexicon) -> list[_M]:
    """Capitalised names the model missed that end in a unit word: "the Liwa al-Haqq Brigade said",
    "Jaish al-Thuwar group" (when the words are not already a mention)."""
    taken = {i for m in mentions for i in range(m.s, m.e)}
    taken |= {i for ent in doc.ents if ent.label_ in _NAME_LABELS for i in range(ent.start, ent.end)}
    out: list[_M] = []
    i = 0
    while i < len(doc):
        t = doc[i]
        if t.i in taken or not (t.is_title or t.is_upper) or not t.is_alpha:
            i += 1
            continue
        j = i
        while j < len(doc) and j not in taken and (
                doc[j].is_title or doc[j].is_upper or doc[j].lower_ in {"al", "el", "-", "of", "ad", "ash", "as"}):
            j += 1
        while j > i and doc[j - 1].lower_ in {"-", "of", "al", "el"}:
            j -= 1
        if j - i >= 2 and not (i > 0 and doc[i - 1].is_sent_start is False and doc[i - 1].is_punct and
                               doc[i - 1].text in {"“", '"'}):
            head = doc[j - 1].lower_
            if head in lex.org_unit_heads and lex.org_unit_heads[head] in {"armed_group", "militia", "military"}:
                name = doc[i:j].text
                out.append(_M(i, j, lex.org_unit_heads[head], _clean_name(name), "org:" + slug(name), "rule"))
        i = max(j, i + 1)
    return out


def _acronyms(doc: Doc, mentions: Sequence[_M], cat: Catalogue) -> dict[str, _M]:
    """Acronyms the document defines for an organisation: "Syriac Military Council (MFS)",
    "MFS (Syriac Military Council)", or an unknown acronym whose letters are the initials of an
    organisation named in the same document ("Free Tribes Council" … "FTC")."""
    acronyms: dict[str, _M] = {}
    orgs = [m for m in mentions if m.type != PERSON]
    at = {m.s: m for m in orgs}
    for m in orgs:
        if m.e < len(doc) - 2 and doc[m.e].text == "(" and doc[m.e + 2].text == ")":
            acr = doc[m.e + 1].text
            if _is_acronym(acr) and not _conflicts(acr, m, cat):
                acronyms.setdefault(acr, m)
        if m.e - m.s == 1 and _is_acronym(doc[m.s].text) and m.e + 1 < len(doc) and doc[m.e].text == "(":
            long = at.get(m.e + 1)
            if long is not None and long.e < len(doc) and doc[long.e].text == ")" and not _conflicts(doc[m.s].text, long, cat):
                acronyms.setdefault(doc[m.s].text, long)
    initials = {_initials(doc[m.s:m.e]): m for m in orgs if m.e - m.s >= 2}
    for m in orgs:
        acr = doc[m.s].text
        if m.e - m.s == 1 and _is_acronym(acr) and acr not in acronyms and m.key.startswith("org:"):
            long = initials.get(acr)
            if long is not None:
                acronyms[acr] = long
    return acronyms


def _is_acronym(text: str) -> bool:
    return text.isupper() and text.isalpha() and 2 <= len(text) <= 8


def _initials(span: Span) -> str:
    return "".join(t.text[0] for t in span if t.is_alpha and t.lower_ not in {"of", "the", "and", "for", "in", "al"})


def _echoes(doc: Doc, mentions: list[_M], cat: Catalogue) -> list[_M]:
    """Names found again where the model missed them: a person's surname ("Eesa" after
    "Hussam Eesa"), a defined acronym ("Syriac Military Council (MFS)" → "MFS"). Mentions of a
    defined acronym take the full name's key."""
    strong = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"}
    taken = {i for m in mentions for i in range(m.s, m.e)}
    taken |= {i for ent in doc.ents if ent.label_ in strong for i in range(ent.start, ent.end)}
    surnames: dict[str, _M] = {}
    for m in mentions:
        if m.type == PERSON:
            words = [t for t in doc[m.s:m.e] if t.is_alpha and t.lower_ not in _PARTICLES]
            if len(words) >= 2:
                surnames.setdefault(words[-1].text, m)
    acronyms = _acronyms(doc, mentions, cat)
    for m in mentions:
        long = acronyms.get(doc[m.s].text) if m.e - m.s == 1 and m.key.startswith("org:") else None
        if long is not None and long is not m:
            m.type, m.canonical, m.key = long.type, long.canonical, long.key
    out: list[_M] = []
    for t in doc:
        if t.i in taken:
            continue
        if t.text in surnames and (t.tag_ in {"NNP", "NNPS"} or not t.is_sent_start):
            out.append(_M(t.i, t.i + 1, PERSON, "", "", "echo"))
            taken.add(t.i)
        elif t.text in acronyms:
            src = acronyms[t.text]
            out.append(_M(t.i, t.i + 1, src.type, src.canonical, src.key, "echo"))
            taken.add(t.i)
    return out


def _offices(doc: Doc, mentions: Sequence[_M], lex: Lexicon) -> list[_M]:
    """A person named by office alone: "the Foreign Secretary said", "the Secretary of State".
    Capitalised role words after "the", ending in a role noun, with no name after them."""
    held = {i for m in mentions for i in range(m.s, m.e)}
    taken = held | {i for ent in doc.ents if ent.label_ in _NAME_LABELS - {"NORP"} for i in range(ent.start, ent.end)}
    out: list[_M] = []
    for t in doc:
        if t.lower_ != "the" or t.i + 1 >= len(doc):
            continue
        i = t.i + 1
        while i < len(doc) and doc[i].ent_type_ == "NORP" and i not in held:  # "the Iraqi Prime Minister"
            i += 1
        j = i
        while j < len(doc) and j not in taken and doc[j].is_title and (
                doc[j].lower_ in lex.role_heads or doc[j].lower_ in lex.role_modifiers):
            j += 1
        if j == i or doc[j - 1].lower_ not in lex.role_heads:
            continue
        end = j
        if j + 1 < len(doc) and doc[j].lower_ in _CONNECT:  # "Secretary of State", "Minister for the Middle East"
            k = j + 1 + (doc[j + 1].lower_ == "the")
            c = k
            while c < len(doc) and c not in held and doc[c].is_title:
                c += 1
            if c > k:
                end = c
        nxt = doc[end] if end < len(doc) else None
        if nxt is not None and (nxt.is_title or nxt.i in taken) and not nxt.is_sent_start and nxt.is_alpha:
            continue  # a title before a name: the person's own mention reads it
        if end - i == 1 and doc[i].lower_ not in {"president", "minister", "secretary", "spokesman", "spokeswoman",
                                                   "spokesperson", "premier", "chancellor", "ambassador"}:
            continue  # "the Chief", "the Head": too vague alone
        m = _M(i, end, PERSON, doc[i:end].text, "", "rule", role=doc[i:end].text)
        m.phrase_s = t.i
        out.append(m)
    return out


def _resolve_offices(mentions: list[_M]) -> None:
    """An office named alone is the person the document named with that role, if one did."""
    holders: dict[str, _M] = {}
    for m in mentions:
        if m.type == PERSON and m.role and m.source != "rule" or (m.type == PERSON and m.role and m.key):
            holders.setdefault(_role_key(m.role), m)
    for m in mentions:
        if m.type == PERSON and m.source == "rule" and not m.key:
            h = holders.get(_role_key(m.role or ""))
            if h is not None and h is not m and h.key:
                m.canonical, m.key = h.canonical, h.key
                m.affiliation, m.affiliation_key = h.affiliation, h.affiliation_key
            else:
                m.key = "person:office:" + " ".join(_name_words(m.canonical))


def _role_key(role: str) -> str:
    return " ".join(w for w in _name_words(role) if w not in {"then", "former", "the"})


def _conflicts(acr: str, m: _M, cat: Catalogue) -> bool:
    """An acronym the catalogue gives to another actor unambiguously is not redefined by a document."""
    return any(not s.ambiguous and s.actor != m.key for s in lookup(acr))


def _drop_overlaps(mentions: list[_M]) -> list[_M]:
    out: list[_M] = []
    end = -1
    for m in mentions:  # sorted by start, longest first
        if m.s >= end:
            out.append(m)
            end = m.e
    return out


# --- people: within-document resolution -------------------------------------------------------

_NAME_SPLIT = re.compile(r"[\s\-‐‑]+")


def _name_words(text: str) -> list[str]:
    t = unicodedata.normalize("NFKD", text.replace("’", "").replace("'", "").replace("`", ""))
    t = "".join(c for c in t if not unicodedata.combining(c)).casefold()
    return [w.strip(".,") for w in _NAME_SPLIT.split(t) if w.strip(".,")]


def _core(words: Sequence[str]) -> list[str]:
    return [w for w in words if w not in _PARTICLES]


def _resolve_people(doc: Doc, mentions: list[_M]) -> None:
    """Give every person mention the key and canonical name of the fullest name it abbreviates:
    "Eesa" → "Hussam Eesa" (nearest earlier full name, else the next one), "Abdullah" →
    "Abu Abdullah", "Joseph Votel" → "Joseph L. Votel"."""
    lex = catalogue().lexicon
    people = [m for m in mentions if m.type == PERSON and not (m.source == "rule" and m.role)]
    for m in people:  # titles inside the model's span: "Gen. Joseph Votel"
        titles = []
        while m.e - m.s > 1 and _title_at(doc, m.s, lex) is not None:
            n = _title_at(doc, m.s, lex) or 1
            titles.append(doc[m.s:m.s + n].text)
            m.s += n
        if titles:
            m.title = " ".join(titles)
        while m.e - m.s > 1 and doc[m.e - 1].text in _POSSESSIVE:
            m.e -= 1
    words = {id(m): _core(_name_words(doc[m.s:m.e].text)) for m in people}
    full = [m for m in people if len(words[id(m)]) >= 2]
    # full names by first word and by any word, in ``full`` order (a scan of all of them per
    # mention was quadratic: 15 s of the 35 s entities took on 500k chars)
    by_first: dict[str, list[_M]] = defaultdict(list)
    by_word: dict[str, list[_M]] = defaultdict(list)
    for f in full:
        by_first[words[id(f)][0]].append(f)
        for x in dict.fromkeys(words[id(f)]):
            by_word[x].append(f)
    canonical: dict[int, _M] = {}
    for m in sorted(full, key=lambda m: -len(words[id(m)])):
        w = words[id(m)]
        longer = next((f for f in by_first[w[0]] if id(f) in canonical and canonical[id(f)] is f
                       and set(w) <= set(words[id(f)]) and w[0] == words[id(f)][0]
                       and w[-1] == words[id(f)][-1]), None)
        canonical[id(m)] = longer if longer is not None else m
    for m in people:
        w = words[id(m)]
        if id(m) in canonical:
            head = canonical[id(m)]
        elif w:
            pool = list(by_word.get(w[-1], ()))
            pool.sort(key=lambda f: (words[id(f)][-1] != w[-1], f.s > m.s, abs(f.s - m.s)))
            head = canonical[id(pool[0])] if pool else m
        else:
            head = m
        name = doc[head.s:head.e].text
        m.canonical = name
        m.key = "person:" + " ".join(_name_words(name))


# --- roles, titles, affiliations -----------------------------------------------------------

def _title_key(text: str) -> str:
    return re.sub(r"[\s.]", "", text).lower()


def _is_title(doc: Doc, i: int, j: int, lex: Lexicon) -> bool:
    """Tokens ``i..j-1`` are a person title ("Lt. Gen.", "Lt . Gen", "Captain"), capitalised."""
    return doc[i].text[:1].isupper() and _title_key("".join(t.text for t in doc[i:j])) in lex.person_titles


def _title_at(doc: Doc, i: int, lex: Lexicon) -> int | None:
    """Number of tokens of a person title starting at token ``i`` ("Lt. Gen." → 2), else None."""
    for n in (4, 3, 2, 1):
        if i + n <= len(doc) and _is_title(doc, i, i + n, lex):
            return n
    return None


def _title_ending_at(doc: Doc, j: int, lex: Lexicon) -> int | None:
    for n in (4, 3, 2, 1):
        if j - n + 1 >= 0 and _is_title(doc, j - n + 1, j + 1, lex):
            return n
    return None


def _read_roles(doc: Doc, mentions: list[_M], places: list[PlaceCandidate], lex: Lexicon) -> None:
    org_at: dict[int, _M] = {}
    for m in mentions:
        if m.type != PERSON:
            for i in range(m.s, m.e):
                org_at[i] = m
    place_at: dict[int, tuple[int, int]] = {}
    char_to_tok = {t.idx: t.i for t in doc}
    for a, b, label in places:
        if label in {"GPE", "LOC"} and a in char_to_tok:
            i = char_to_tok[a]
            j = i
            while j < len(doc) and doc[j].idx < b:
                j += 1
            for k in range(i, j):
                place_at[k] = (i, j)
    norp = {i for ent in doc.ents if ent.label_ == "NORP" for i in range(ent.start, ent.end)}
    person_tokens = {i for m in mentions if m.type == PERSON for i in range(m.s, m.e)}
    for m in mentions:
        if m.type != PERSON or (m.source == "rule" and m.role):
            continue
        _left_context(doc, m, org_at, place_at, norp, person_tokens, lex)
        if m.role is None or m.affiliation is None:
            _right_context(doc, m, org_at, lex)


def _affiliate(m: _M, org: _M | None, doc: Doc, place: tuple[int, int] | None) -> None:
    if m.affiliation is not None:
        return
    if org is not None:
        m.affiliation, m.affiliation_key = org.canonical, org.key
    elif place is not None:
        name = _clean_name(doc[place[0]:place[1]].text)
        m.affiliation, m.affiliation_key = name, "place:" + slug(name)


def _left_context(doc: Doc, m: _M, org_at: Mapping[int, _M], place_at: Mapping[int, tuple[int, int]],
                  norp: set[int], person_tokens: set[int], lex: Lexicon) -> None:
    """Read "[affiliation] [modifiers] role [title] NAME" leftwards from the name:
    "Pentagon spokesman Captain Jeff Davis", "Iraq's then Minister of Defence, Khalid al-Obeidi",
    "U.S. Army General Joseph Votel". Sets role, title, affiliation and where the phrase starts."""
    j = m.s - 1
    titles: list[str] = []
    while j >= 0:
        n = _title_ending_at(doc, j, lex)
        if n is None:
            break
        titles.insert(0, doc[j - n + 1:j + 1].text)
        j -= n
    if titles:
        m.title = " ".join(titles + ([m.title] if m.title else []))
        m.phrase_s = j + 1
    comma = j >= 0 and doc[j].text == ","
    k = j - 1 if comma else j
    if titles and not comma and k >= 0 and k in org_at:  # "U.S. Army General Joseph Votel"
        _affiliate(m, org_at[k], doc, None)
        m.phrase_s = org_at[k].s
        return
    role_end = k
    # a complement closing the role: "… of Defence", "… for the Middle East", "… of the Islamic State"
    complement_org: _M | None = None
    if k >= 0 and (k in org_at or (doc[k].is_title and doc[k].lower_ not in lex.role_heads)):
        c = k
        if c in org_at:
            complement_org = org_at[c]
            c = complement_org.s - 1
        else:
            while c >= 0 and doc[c].is_title and doc[c].lower_ not in lex.role_heads and c not in person_tokens:
                c -= 1
        if c >= 0 and doc[c].lower_ == "the":
            c -= 1
        if c >= 1 and doc[c].lower_ in _CONNECT and doc[c - 1].lower_ in lex.role_heads:
            k = c - 1
            if complement_org is not None:
                role_end = c - 1
        else:
            complement_org = None
            k = role_end = j if not comma else j - 1
    if k < 0 or doc[k].lower_ not in lex.role_heads or k in person_tokens or k in org_at:
        return
    i = k
    while i - 1 >= 0 and (doc[i - 1].lower_ in lex.role_heads or doc[i - 1].lower_ in lex.role_modifiers) \
            and i - 1 not in org_at and i - 1 not in place_at and i - 1 not in person_tokens \
            and i - 1 not in norp and doc[i - 1].is_alpha:
        i -= 1
    words = [t.text for t in doc[i:role_end + 1] if t.lower_ not in lex.role_drop]
    while words and words[0].lower() in lex.role_drop:
        words.pop(0)
    if comma and not any(w[:1].isupper() for w in words) and i - 1 >= 0 and doc[i - 1].lower_ in {"a", "an"}:
        return  # "…, a man, Ahmed" is a list, not a title before a name
    if not words:
        return
    m.role = " ".join(words)
    _affiliate(m, complement_org, doc, None)
    phrase = i
    # what stands before the role: an organisation, a country's possessive, a nationality
    b = i - 1
    while b >= 0 and (doc[b].lower_ in lex.role_drop):
        b -= 1
    if b >= 0 and doc[b].text in _POSSESSIVE:
        b -= 1
    if b >= 0 and b in org_at:
        _affiliate(m, org_at[b], doc, None)
        phrase = org_at[b].s
    elif b >= 0 and b in place_at and b + 1 < len(doc) and doc[b + 1].text in _POSSESSIVE:
        _affiliate(m, None, doc, place_at[b])
        phrase = place_at[b][0]
    elif b >= 0 and b in norp:  # "Kurdish Peshmerga commander": the nationality may precede the organisation
        c = b
        while c >= 0 and c in norp:
            c -= 1
        phrase = c + 1
        if c >= 0 and c in org_at:
            _affiliate(m, org_at[c], doc, None)
            phrase = org_at[c].s
    if not comma:
        m.phrase_s = phrase


def _right_context(doc: Doc, m: _M, org_at: Mapping[int, _M], lex: Lexicon) -> None:
    """Read "NAME of ORG" and the appositive "NAME, [a] [modifiers] role [of ORG]"."""
    i = m.e
    if i < len(doc) and doc[i].lower_ in {"of", "from", "with"} and i + 1 < len(doc):
        j = i + 1 + (doc[i + 1].lower_ == "the")
        if j in org_at and org_at[j].s == j:
            _affiliate(m, org_at[j], doc, None)
            return
    if i >= len(doc) or doc[i].text != ",":
        return
    j = i + 1
    if j < len(doc) and doc[j].lower_ in {"a", "an", "the"}:
        j += 1
    start = j
    while j < len(doc) and j not in org_at and doc[j].is_alpha and (
            doc[j].lower_ in lex.role_modifiers or doc[j].lower_ in lex.role_heads or doc[j].pos_ == "ADJ"
            or doc[j].tag_ in {"VBN", "JJ"} or (doc[j].pos_ == "PROPN" and j + 1 < len(doc)
                                                 and doc[j + 1].lower_ in lex.role_heads)):
        j += 1
    while j > start and doc[j - 1].lower_ not in lex.role_heads:
        j -= 1
    if j == start:
        return
    words = [t.text for t in doc[start:j] if t.lower_ not in lex.role_drop]
    if m.role is None and words:
        m.role = " ".join(words)
    if j < len(doc) and doc[j].lower_ in {"of", "for", "at", "with", "in"} and j + 1 < len(doc):
        k = j + 1 + (doc[j + 1].lower_ == "the")
        if k in org_at:
            _affiliate(m, org_at[k], doc, None)


# --------------------------------------------------------------------------------------------
# across documents: candidates → score → cluster


def entity_id(key: str) -> str:
    """Stable id of the entity a resolution key names: ``ent_`` + 16 hex digits of its SHA-1."""
    return "ent_" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


_SKELETON_MAP = str.maketrans({"q": "k", "c": "k", "z": "s", "j": "j", "w": "u", "y": "i", "p": "b", "v": "f",
                               "e": "", "a": "", "i": "", "o": "", "u": "", "h": ""})


def _skeleton(word: str) -> str:
    """Consonant skeleton for transliteration variants: Eesa/Issa/Isa → "s", Hussam/Husam → "sm"."""
    s = word.translate(_SKELETON_MAP)
    return re.sub(r"(.)\1+", r"\1", s)


def name_similarity(a: str, b: str) -> float:
    """0–1 similarity of two person names, word by word (the weakest word decides), counting
    two words as equal when their consonant skeletons agree ("Hussam Eesa" ~ "Husam Issa").
    Names of different length are compared on their first and last words."""
    from rapidfuzz.fuzz import ratio

    wa, wb = _core(_name_words(a)), _core(_name_words(b))
    if not wa or not wb:
        return 0.0
    if len(wa) != len(wb):
        if min(len(wa), len(wb)) < 2:
            return 0.0
        wa, wb = [wa[0], wa[-1]], [wb[0], wb[-1]]
    scores = []
    for x, y in zip(wa, wb):
        s = ratio(x, y) / 100
        kx, ky = _skeleton(x), _skeleton(y)
        if kx and kx == ky and (len(kx) >= 2 or x[0] == y[0] or (x[0] in "aeiou" and y[0] in "aeiou")):
            s = max(s, 0.95)  # Hussam/Husam, Eesa/Issa, Mustafa/Mostafa
        scores.append(s)
    return min(scores)


def person_candidates(names: Iterable[str]) -> list[tuple[int, int]]:
    """Pairs of names (indices) worth scoring: those sharing a surname skeleton (blocking)."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, n in enumerate(names):
        w = _core(_name_words(n))
        if w:
            blocks[_skeleton(w[-1]) or w[-1]].append(i)
    return [(x, y) for ids in blocks.values() for k, x in enumerate(ids) for y in ids[k + 1:]]


@dataclass
class EntityIndex:
    """Entities seen so far, keyed by resolution key; new documents are matched against them.

    ``add(mentions)`` returns one entity id per mention. Organisations resolve by key (the
    catalogue's actor key, or the normalised name); people by key, then by
    :func:`name_similarity` ≥ ``threshold`` among people sharing a surname skeleton, and a
    surname-only mention joins the single person whose surname it is (else it stays apart).
    Ids are :func:`entity_id` of the first key that created the entity, so they do not change
    as documents are added; process documents in a fixed order for reproducible ids.
    """

    threshold: float = 0.9
    ids: dict[str, str] = field(default_factory=dict)  # resolution key → entity id
    names: dict[str, str] = field(default_factory=dict)  # entity id → fullest person name seen
    by_surname: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # skeleton → ids

    def add(self, mentions: Sequence[EntityMention]) -> list[str]:
        out: list[str | None] = [None] * len(mentions)
        order = sorted(range(len(mentions)), key=lambda i: (mentions[i].type == PERSON and
                                                            len(_core(_name_words(mentions[i].canonical))) < 2))
        for i in order:
            out[i] = self._add_one(mentions[i])
        return [x or "" for x in out]

    def _add_one(self, m: EntityMention) -> str:
        if m.key in self.ids:
            return self.ids[m.key]
        eid = self._match_person(m) if m.type == PERSON else None
        if eid is None:
            eid = entity_id(m.key)
        self.ids[m.key] = eid
        if m.type == PERSON:
            words = _core(_name_words(m.canonical))
            if words:
                self.by_surname[_skeleton(words[-1]) or words[-1]].add(eid)
                if len(words) > len(_core(_name_words(self.names.get(eid, "")))):
                    self.names[eid] = m.canonical
        return eid

    def _match_person(self, m: EntityMention) -> str | None:
        words = _core(_name_words(m.canonical))
        if not words:
            return None
        pool = sorted(self.by_surname.get(_skeleton(words[-1]) or words[-1], ()))
        if len(words) == 1:
            full = [e for e in pool if len(_core(_name_words(self.names.get(e, "")))) >= 2]
            return full[0] if len(full) == 1 else None
        scored = [(name_similarity(m.canonical, self.names[e]), e) for e in pool if e in self.names]
        scored = [(s, e) for s, e in scored if s >= self.threshold]
        return max(scored)[1] if scored else None


def resolve_across(docs_mentions: Mapping[str, Sequence[EntityMention]], *, index: EntityIndex | None = None,
                   threshold: float = 0.9) -> dict[tuple[str, int], str]:
    """Entity id for every ``(doc_id, mention index)``. Documents are added in doc-id order to
    ``index`` (a fresh :class:`EntityIndex` unless given — pass one to resolve incrementally).
    Full names across all documents are placed first, so a surname alone in one document can
    join the full name another document gives."""
    index = index if index is not None else EntityIndex(threshold=threshold)
    out: dict[tuple[str, int], str] = {}
    flat = [(d, i, m) for d in sorted(docs_mentions) for i, m in enumerate(docs_mentions[d])]
    flat.sort(key=lambda x: (x[2].type == PERSON and len(_core(_name_words(x[2].canonical))) < 2,))
    for d, i, m in flat:
        out[(d, i)] = index.add([m])[0]
    return out


def split_candidates(candidates: Sequence[PlaceCandidate]) -> tuple[list[PlaceCandidate], list[tuple[int, int]]]:
    """``find_entities``' second result as the places module takes it: ``(ents, blocked)``."""
    ents = [c for c in candidates if c[2] != BLOCK]
    blocked = [(a, b) for a, b, label in candidates if label == BLOCK]
    return ents, blocked
