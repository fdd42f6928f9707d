"""Citation edges: where a text names an outlet or agency as the source of what it says.

``extract_citations(doc_id, text)`` is a pure function over a document's cleaned text. It
finds outlet *mentions* with an alias automaton built from ``storyline/data/outlets.json``
(names, aliases, domains: "Voice of America", "VoA", "Breitbart.com"), then keeps the
mentions that sit in a *source cue*:

==========================================  ==============  ===========================================
pattern                                     cue             example
==========================================  ==============  ===========================================
told / tells / speaking to X                ``told``        "Mustafa Abdi told Voice of America"
in an interview with X, interviewed by X    ``interview``   "in an interview with Reuters"
according to X                              ``according to`` "according to the Syrian Observatory"
reported by / as reported by / a report by  ``reported``    "as reported by AFP"
cited by / quoted by / quoted in X          ``cites``       "quoted by Anadolu"
via X                                       ``via``         "via VoA"
Source: X, "(X) -" wire credit              ``source``      "Source: ARA News", "BEIRUT (Reuters) -"
X reported / reports / revealed             ``reported``    "Reuters reported"
X notes / noted                             ``notes``       "the Breitbart.com news portal notes"
X said / says / wrote / stated / added      ``said``        "the Times said"
X cites / cited                             ``cites``       "The outlet Voice of America (VoA) cites"
X quoted                                    ``quoted``      "AP quoted a spokesman"
X tweeted / posted; "…," tweeted X          ``tweeted``     "…,” tweeted the activist group RBSS"
==========================================  ==============  ===========================================

A descriptor may stand between cue and name ("told the Kurdish news agency ANHA",
"tweeted the credible activist group RBSS") or around the name ("the outlet X",
"the X news portal"); it is included in the evidence. A bare mention without a cue is not a
citation ("RBSS was awarded…", "the outlet describes…"), nor is a name that follows
"of/from/at" before a verb ("Hussam Eesa of RBSS said" — the speaker is the person; the
claims stage handles affiliations).

Decisions (see also the tests):

* **Evidence span** is the cue-and-outlet phrase ("told Voice of America",
  "The outlet Voice of America (VoA) cites"), exact offsets: ``text[s.start:s.end] == s.text``.
  The sentence that the citation governs is :func:`citation_scope` — the provenance graph
  stores it and the independence API uses it.
* **Self-citations** ("told ARA News" in an ARA News article) are returned like any other
  citation; the caller filters or marks them with :func:`is_self_citation` (the provenance
  graph marks such edges ``self=True``).
* **Ambiguous short names** ("the Times", "the Post", "the Journal") are not in the outlet
  data. They resolve only when the document itself disambiguates: exactly one outlet with
  that head word is named elsewhere in the text (or is ``own_outlet``), e.g. "New York
  Times" earlier in the article. Otherwise the citation keeps the name as written, lower-
  case article: ``outlet == "the Times"``; ``canonical_outlet(c.outlet)`` is then ``None``.
* Outlets listed with kind ``ngo`` (RBSS, SOHR) are sources too when cued; activist groups
  not in the data are not (that is the claims stage's speaker).
* Cues are normalised to short words (the ``cue`` column above).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from ..clean.outlets import canonical_outlet, outlets
from ..types import Citation, Span

__all__ = ["extract_citations", "citation_scope", "is_self_citation", "sentence_bounds"]

# Heads of short names that several outlets share ("the Times"): never in the alias data.
_AMBIGUOUS_HEADS = ("Times", "Post", "Journal")

_MONTHS_DAYS = (
    "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|"
    "July|August|September|October|November|December"
)


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    outlet: str | None  # canonical name; None for an ambiguous short name
    head: str | None = None  # "Times" for "the Times"
    single_word: bool = False  # a one-word, not all-caps surface ("Independent"): stricter right edge


# --------------------------------------------------------------------------- alias automaton


def _trie_pattern(words: Iterable[str]) -> str:
    """One regex for many literal words, as a character trie: matching cost does not grow
    with the number of outlets (a flat 600-way alternation would be tried at every position)."""
    trie: dict[str, dict] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def atom(ch: str) -> str:
        if ch == " ":  # keys hold hyphens as spaces: either matches either
            return r"(?:\s*[-‐‑]\s*|\s+)"
        if ch == "'":
            return "['’]"
        return re.escape(ch)

    def walk(node: dict[str, dict]) -> str:
        alts = [atom(ch) + walk(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:  # a word ends here and longer ones continue: prefer the longer (greedy)
            return "(?:" + body + ")?"
        return body

    return walk(trie)


_ARTICLE = re.compile(r"^the\s+", re.IGNORECASE)


def _surface_key(surface: str) -> str:
    """Lower case, one kind of apostrophe, hyphens as spaces ("Al-Jazeera English")."""
    return re.sub(r"[\s\-‐‑]+", " ", surface.replace("’", "'")).strip().lower()


@dataclass(frozen=True, slots=True)
class _Automaton:
    pattern: re.Pattern[str]
    exact: dict[str, frozenset[str]]  # surface key -> surfaces as written in the data
    names: dict[str, str | None]  # surface key -> canonical name; None when two outlets claim it
    heads: dict[str, frozenset[str]]  # "times" -> canonical outlets whose short name ends in Times


@cache
def _automaton() -> _Automaton:
    exact: dict[str, set[str]] = {}
    names: dict[str, str | None] = {}
    heads: dict[str, set[str]] = {h.lower(): set() for h in _AMBIGUOUS_HEADS}
    for o in outlets():
        for surface in (o.name, *o.aliases, *o.domains):
            bare = _ARTICLE.sub("", surface.strip())
            if len(bare) < 2:
                continue
            key = _surface_key(bare)
            exact.setdefault(key, set()).add(_case_form(bare))
            names[key] = o.name if names.get(key, o.name) == o.name else None
            # "The Times (London)" -> "The Times": its head word is Times
            last = re.sub(r"\s*\([^)]*\)\s*$", "", surface).split()
            if last and last[-1].lower() in heads and "." not in surface:
                heads[last[-1].lower()].add(o.name)
    body = _trie_pattern(sorted(exact))
    # Left edge: not inside a word, handle, path or domain; right edge: not inside a word
    # nor a longer domain ("Breitbart" in "Breitbart.com" loses to the longer surface).
    pattern = re.compile(rf"(?<![\w@/.\-])(?:www\.)?(?:{body})(?![\w\-])(?!\.\w)", re.IGNORECASE)
    return _Automaton(
        pattern,
        {k: frozenset(v) for k, v in exact.items()},
        names,
        {k: frozenset(v) for k, v in heads.items()},
    )


def _case_form(surface: str) -> str:
    return re.sub(r"[\s\-‐‑]+", " ", surface.replace("’", "'"))


def _case_ok(found: str, surfaces: frozenset[str]) -> bool:
    """Case rules that keep common words out: "Time", "Independent", "Dawn" count only as
    written in the data; multi-word names and domains may differ in case but must not start
    lower-case ("voice of america" is not a name, "breitbart.com" is)."""
    if _case_form(found) in surfaces:
        return True
    for s in surfaces:
        if "." in s and " " not in s:  # a domain
            return True
        if " " in s and (found[0].isupper() or not found[0].isalpha()):
            return True
    return False


def _find_mentions(text: str) -> list[_Mention]:
    auto = _automaton()
    found: list[_Mention] = []
    for m in auto.pattern.finditer(text):
        surface = m.group(0)
        if surface.lower().startswith("www."):
            surface = surface[4:]
        key = _surface_key(surface)
        surfaces = auto.exact.get(key)
        if surfaces is None or not _case_ok(surface, surfaces):
            continue
        name = auto.names.get(key)
        if name is None:  # a surface two outlets claim names neither
            continue
        single = " " not in key and "." not in key and not surface.isupper()
        found.append(_Mention(m.start(), m.end(), name, single_word=single))
    for m in _SHORT_NAME.finditer(text):
        found.append(_Mention(m.start("head"), m.end("head"), None, head=m.group("head")))
    found.sort(key=lambda x: (x.start, -x.end))
    return found


# "the Times" but not "Times Square", "the Times of London", "the Times-Picayune", "the times"
_SHORT_NAME = re.compile(
    r"\b[Tt]he\s+(?P<head>" + "|".join(_AMBIGUOUS_HEADS) + r")\b"
    r"(?![-‐]\w)(?!\s+(?:of\b|[A-Z0-9]))(?!\.\w)"
)


# --------------------------------------------------------------------------- cues

# Words that may describe an outlet next to its name: "the outlet X", "the X news portal",
# "the credible activist group X". Up to three modifiers, then a head noun.
_DESC_HEAD = (
    r"(?:news\s+)?(?:outlet|agency|portal|site|website|web\s+site|newspaper|daily|paper|broadcaster|"
    r"channel|network|service|group|organi[sz]ation|monitor|watchdog|observatory|magazine|"
    r"radio|television|tv|wire|outfit|publication)"
)
_DESC_BEFORE = rf"(?:(?:the|a|an)\s+)?(?:[\w’'\-]+\s+){{0,3}}?{_DESC_HEAD}\s*,?\s+"

_LEFT_CUES: tuple[tuple[str, str], ...] = (
    ("told", r"\b(?:told|tells|tell|telling|speaking\s+to|spoke\s+to|speaks\s+to|talking\s+to|talked\s+to)\s+"),
    (
        "interview",
        r"\b(?:in\s+(?:an?|her|his|their)\s+(?:[\w\-]+\s+)?interview\s+with|interviewed\s+by|"
        r"an?\s+interview\s+with)\s+",
    ),
    ("according to", r"\baccording\s+to\s+"),
    (
        "reported",
        r"\b(?:(?:as\s+)?(?:first\s+|previously\s+|originally\s+|earlier\s+)?reported\s+(?:by|in)|"
        r"an?\s+report\s+(?:by|from|in))\s+",
    ),
    ("cites", r"\b(?:cited|quoted)\s+(?:by|in)\s+"),
    ("via", r"\bvia\s+"),
    ("source", r"(?:(?<=[\s(\[|])|^)(?:[Ss]ources?|SOURCES?|[Cc]ourtesy\s+of)\s*:\s*"),
    # inverted attribution after a quote: "…,” tweeted the activist group RBSS
    ("_verb", r"[,”\"’]\s*(?P<verb>said|says|reported|reports|wrote|writes|noted|notes|tweeted|added)\s+"),
)
_LEFT = re.compile(
    r"(?:"
    + "|".join(f"(?P<c{i}>{pat})" for i, (_, pat) in enumerate(_LEFT_CUES))
    + rf")(?:{_DESC_BEFORE}|the\s+)?\Z",
    re.IGNORECASE,  # "Speaking to ARA News", "According to Reuters" open sentences
)

_VERBS = {
    "reported": "reported", "reports": "reported", "reporting": "reported", "revealed": "reported",
    "reveals": "reported",
    "notes": "notes", "noted": "notes", "noting": "notes",
    "said": "said", "says": "said", "stated": "said", "states": "said", "wrote": "said",
    "writes": "said", "added": "said", "adds": "said", "claimed": "said", "claims": "said",
    "confirmed": "said",
    "cites": "cites", "cited": "cites", "citing": "cites",
    "quoted": "quoted", "quotes": "quoted", "quoting": "quoted",
    "tweeted": "tweeted", "tweets": "tweeted", "posted": "tweeted",
}  # fmt: skip
_RIGHT = re.compile(
    r"(?P<appos>\s*\([^()\n]{1,40}\))?"
    rf"(?P<desc>\s+{_DESC_HEAD}\b)?"
    r"(?:\s+(?:also|has|have|had|earlier|first|previously|later|recently|itself|then|further|again|"
    r"separately|too)\b){0,2}"
    r"\s+(?P<verb>" + "|".join(sorted(_VERBS, key=len, reverse=True)) + r")\b"
)
_WIRE = re.compile(r"\(\s*\Z")  # "(Reuters) -": the mention sits in brackets before a dash
_WIRE_AFTER = re.compile(r"\s*\)\s*[-–—]")
_APPOS = re.compile(r"\s*\([^()\n]{1,40}\)")
_COORD = re.compile(r"(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)(?:the\s+)?")
# "the outlet X", "the X" directly before the name, to widen the evidence of a right cue
_LEFT_DESC = re.compile(rf"(?:\b(?:[Tt]he|[Aa]n?)\s+(?:[\w’'\-]+\s+){{0,3}}?{_DESC_HEAD}\s+|\b[Tt]he\s+)\Z")
# "Hussam Eesa of RBSS said": the subject is a person of the organisation
_AFFILIATION = re.compile(r"\b(?:of|from|at|with|for|by)\s+(?:the\s+)?\Z")
# "according to Independent Television News": a one-word name opening a longer proper name
_LONGER_NAME = re.compile(rf"\s+(?!(?:{_MONTHS_DAYS})\b)[A-Z][\w\-]*")

_WINDOW = 90  # characters of left context a cue and its descriptor can take


def _left_cue(text: str, m: _Mention) -> tuple[str, int] | None:
    lo = max(0, m.start - _WINDOW)
    hit = _LEFT.search(text[lo : m.start])
    if hit is None:
        return None
    for i, (cue, _) in enumerate(_LEFT_CUES):
        if hit.group(f"c{i}") is not None:
            if cue == "_verb":
                cue = _VERBS[hit.group("verb")]
                return cue, lo + hit.start("verb")
            return cue, lo + hit.start(f"c{i}")
    return None  # pragma: no cover - one group always matched


def _wire_credit(text: str, m: _Mention) -> tuple[int, int] | None:
    before = text[max(0, m.start - 3) : m.start]
    after = _WIRE_AFTER.match(text, m.end)
    if after is None or not _WIRE.search(before):
        return None
    return m.start - len(before) + _WIRE.search(before).start(), after.end()  # type: ignore[union-attr]


# --------------------------------------------------------------------------- resolution


def _resolver(mentions: list[_Mention], own_outlet: str | None) -> dict[str, str]:
    """Head word -> the one outlet it can only mean in this document."""
    heads = _automaton().heads
    named = {m.outlet for m in mentions if m.outlet is not None}
    own = (canonical_outlet(own_outlet) or own_outlet) if own_outlet else None
    out: dict[str, str] = {}
    for head in _AMBIGUOUS_HEADS:
        members = heads.get(head.lower(), frozenset())
        candidates = {o for o in named if o in members}
        if own in members:
            candidates.add(own)  # type: ignore[arg-type]
        if len(candidates) == 1:
            out[head] = next(iter(candidates))
    return out


# --------------------------------------------------------------------------- API


def extract_citations(doc_id: str, text: str, *, own_outlet: str | None = None) -> list[Citation]:
    """Every place ``text`` names an outlet as a source of information, in text order.

    ``own_outlet`` (the publisher, e.g. ``DocMeta.outlet``) only helps resolve a short name
    ("the Times" in a New York Times article); self-citations are returned like others —
    filter them with :func:`is_self_citation`. Pure: no I/O beyond the packaged outlet list.
    """
    mentions = _find_mentions(text)
    resolve = _resolver(mentions, own_outlet)
    taken: list[tuple[int, int]] = []  # evidence already used: nested mentions ("(VoA)") are skipped
    out: list[Citation] = []

    def name_of(m: _Mention) -> str:
        if m.outlet is not None:
            return m.outlet
        assert m.head is not None
        return resolve.get(m.head, f"the {m.head}")

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    def emit(ms: list[_Mention], cue: str, start: int, end: int) -> None:
        span = Span(doc_id, start, end, text[start:end])
        for mm in ms:
            out.append(Citation(doc_id, name_of(mm), cue, span))
        taken.append((start, end))

    by_start = {m.start: m for m in mentions}
    for m in mentions:
        if not free(m.start, m.end):
            continue
        if m.single_word and _LONGER_NAME.match(text, m.end):
            continue
        wire = _wire_credit(text, m)
        if wire is not None:
            emit([m], "source", *wire)
            continue
        left = _left_cue(text, m)
        if left is not None:
            cue, start = left
            group, end = [m], m.end
            # "according to Reuters and AP": every coordinated name shares the cue
            while True:
                c = _COORD.match(text, end)
                nxt = by_start.get(c.end()) if c else None
                if nxt is None or not free(nxt.start, nxt.end):
                    break
                group.append(nxt)
                end = nxt.end
            ap = _APPOS.match(text, end)
            if ap is not None and any(s.start >= end and s.end <= ap.end() for s in mentions):
                end = ap.end()  # "RBSS (Raqqa is Being…)": the bracketed alias is the same source
            emit(group, cue, start, end)
            continue
        right = _RIGHT.match(text, m.end)
        if right is None:
            continue
        lo = max(0, m.start - _WINDOW)
        if _AFFILIATION.search(text, lo, m.start):
            continue
        start = m.start
        d = _LEFT_DESC.search(text[lo : m.start])
        if d is not None:
            start = lo + d.start()
        emit([m], _VERBS[right.group("verb")], start, right.end())
    out.sort(key=lambda c: (c.evidence.start, c.evidence.end))
    return out


def is_self_citation(citation: Citation, own_outlet: str | None) -> bool:
    """True when ``citation`` names the document's own outlet ("told ARA News" in ARA News)."""
    if not own_outlet:
        return False
    own = canonical_outlet(own_outlet) or own_outlet
    cited = canonical_outlet(citation.outlet) or citation.outlet
    return own.casefold() == cited.casefold()


# --------------------------------------------------------------------------- scope

_ABBREV = frozenset(
    "mr mrs ms dr gen col capt lt sgt maj st jr sr no vs etc inc co corp ltd rep sen gov pres prof "
    "jan feb mar apr jun jul aug sep sept oct nov dec u.s u.n u.k e.g i.e".split()
)
_BOUNDARY = re.compile(r"[.!?]+[”\"’)\]]*\s+(?=[“\"‘(\[]?[A-Z0-9])")


def sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    """Start and end of the sentence around offset ``pos``: a line is never crossed, a
    quotation is never split ("“A. B,” X told VoA." is one sentence)."""
    pos = min(max(pos, 0), len(text))
    ls = text.rfind("\n", 0, pos) + 1
    le = text.find("\n", pos)
    le = len(text) if le < 0 else le
    start, end = ls, le
    for b in _BOUNDARY.finditer(text, ls, le):
        word = re.search(r"([\w.]+)[.!?]+$", text[max(ls, b.start() - 12) : b.start() + 1])
        if word and (word.group(1).lower().rstrip(".") in _ABBREV or len(word.group(1)) == 1):
            continue
        seg = text[ls : b.end()]  # with the closing quote the boundary may carry
        if seg.count("“") > seg.count("”") or seg.count('"') % 2:
            continue  # inside a quotation
        if b.end() <= pos:
            start = b.end()
        else:
            end = b.start() + len(b.group(0).rstrip())
            break
    while end > start and text[end - 1].isspace():
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    return start, end


def citation_scope(text: str, citation: Citation) -> Span:
    """The sentence a citation governs: what the document says on the cited outlet's word.
    ``text`` is the document's cleaned text (the one the citation was extracted from)."""
    ev = citation.evidence
    s, _ = sentence_bounds(text, ev.start)
    _, e = sentence_bounds(text, max(ev.start, ev.end - 1))
    return Span(ev.doc, s, e, text[s:e])

