"""Claims across documents: who said what, through whom, how sure, and how many
independent sources back it (records.md "Claim").

Input is the per-document attribution layer (:mod:`storyline.annotate.attribution`, or
hand-built :class:`ClaimInput` records); output is one :class:`Claim` per group of reports
of the same statement, plus the contradiction records of :mod:`.contradictions`. The steps
are public and can be run one by one on big data (candidates → score → cluster)::

    inputs   = claim_inputs(docs_by_id, attributions_by_doc)       # adapter
    feats    = [claim_features(c, docs_by_id[c.doc_id]) for c in inputs]
    pairs    = candidate_pairs(feats, settings)                    # blocking, bounded memory
    edges    = score_pairs(feats, pairs, settings)                 # lexical (or embeddings)
    clusters = cluster(len(feats), edges, settings, score)         # average linkage
    report   = claim_report(docs, attributions_by_doc, graph, passages)   # all of the above

Decisions
---------

``via`` (the chain from the nearest reporter outward) is a list of **outlet names**:

1. the outlet of the document carrying the claim (``doc:<id>`` when it has none);
2. when the claim's content lies in a passage copied from another document (known copy
   direction only, as in :func:`storyline.corpus.provenance.chain`), that document's
   outlet, and so on up the copy chain;
3. the **relays** the text itself names between the document and the speaker, outermost
   first (the attribution layer's ``outer``: "Breitbart also cited that an unnamed
   defense official stated …" → ``Breitbart News``; a relay that is not an outlet is kept
   by its name);
4. the **venue** the speaker spoke to when it is an outlet ("told Voice of America"),
   taken from the attribution, else (no venue at all) from a citation of the provenance
   graph whose sentence overlaps the content (the speaker's own outlet, self-citations and
   names quoted inside the content left out).

The speaker is never in ``via`` (it is ``speaker``); a venue that is not an outlet
("reporters", "Twitter", "a press briefing") is ``medium``. Repeated names collapse
("told ARA News" in an ARA News text gives ``["ARA News"]``). 004's Eesa claim:
``["conservativefiringline.com", "Breitbart News", "Voice of America"]``; 001's:
``["Breitbart News", "Voice of America"]``. ``via_nodes`` gives the same chain as
provenance-graph node ids (``doc:<id>``, ``outlet:<name>``).

``certainty`` of a claim is its **least certain** member's (asserted < reported < hedged):
one hedged report makes the claim hedged, and every member's own certainty stays in
``members``. A denial and an affirmation of the same statement are never merged: the pair
becomes a ``denial`` contradiction, so all members of a claim share one polarity and an
all-denied claim is ``denied``. ``hedges`` is the union of the members' hedge words.

``independent_sources`` counts independent *origins* among all member spans: spans that
:func:`~storyline.corpus.provenance.partition_sources` puts together (one copy group, one
publisher, the same upstream outlet cited in their sentence) count once; so do spans whose
via chains end at the same upstream venue outlet (the attribution found "told VoA" where
the citation layer did not), and spans whose named speaker is the same entity — one person
quoted by five outlets is one source, not five. Anonymous speakers ("local sources") and
unattributed statements are never merged by speaker. ``sources`` lists the groups.

Matching
--------

Candidates (:func:`candidate_pairs`): a sparse claim × token matrix, multiplied in chunks
(``X[chunk] @ X.T``), so memory grows with the chunk, never with n². Tokens: content
words (lower-cased, stop words out, cut to 6 characters — a crude stemmer that conflates
"vehicle/vehicles", "relocate/relocating"), and, with the annotation layer, entity keys
and gazetteer ids *instead of* the words of their mentions (ISIS = IS = Daesh meet as
``e:actor:islamic-state``; "Islamic State" is one token, not three that would make every
claim about the group alike). A token in more than ``max_word_share`` (1 %) of the claims
proposes no candidates (it still counts in the score); a pair must share ``min_shared``
indexed tokens covering half the threshold of the shorter claim. Claims of one document
are not matched with each other (a text does not corroborate itself).

Score (:func:`lexical_score`): Dice over the token sets, × 0.7 when both claims name
places and share none, + 0.05 for the same named speaker, capped at 0.2 when their numbers
cannot both be true. Cluster (:func:`cluster`): edges ≥ ``threshold`` (0.5) best first,
*average* linkage (two groups merge only when their mean cross-pair score reaches the
threshold, so a claim sharing a topic with two others does not chain them), at most
``max_cluster`` reports per claim.

Measured (``python bench/claims.py``; pairwise P/R):

==========  ============================  ===========================  =====================
threshold   118 labelled pairs (words /   100k synthetic claims,       100k, planted groups
            with entities): P / R         P / R (near misses count)    only: P
==========  ============================  ===========================  =====================
0.40        0.61 / 0.81   0.69 / 0.78     0.72 / 0.97                  0.84
0.50        0.71 / 0.65   0.79 / 0.62     0.81 / 0.97                  0.95
0.60        0.86 / 0.51   0.91 / 0.54     0.84 / 0.96                  0.98
==========  ============================  ===========================  =====================

Lexical matching finds copies, shared quotes and light rewording; it misses real
paraphrases across outlets ("Foreign militants were excluded from the deal" vs "the deal
for the evacuation would exclude foreign Islamic State fighters"). With the setting
``claim_embeddings`` on and the ``embeddings`` extra installed (:func:`default_scorer`), the
fitted pair model of :mod:`.claim_scorer` scores pairs from the lexical score, the cosine of
MiniLM sentence vectors (:mod:`.embeddings`), polarity, counts and names, with the
vectors' nearest neighbours as candidates next to the lexical ones; :class:`EmbeddingScorer`
(a hand-set blend of cosine and lexical score) is its predecessor. Labelled pairs
(``bench/claims.py --pairs``; :mod:`.claims_eval`: 195 real cross-outlet pairs on six events
plus the 118 above; values and weights chosen on the tune split, figures on the held-out
split, 153 pairs, 60 same, run through candidates → score → cluster):

=====================================  ===============  ================  =================
scorer                                 held-out P / R   real pairs P / R  cost per claim
=====================================  ===============  ================  =================
lexical, threshold 0.5 (default)       0.79 / 0.50      0.92 / 0.49       0.2 ms
lexical, 0.55 (best on tune)           0.90 / 0.45      1.00 / 0.45
fitted model, lexical features         0.67 / 0.55      0.81 / 0.55       0.7 ms
embedding blend (same 0.62, wt .25)    0.80 / 0.62      0.93 / 0.60       14.2 ms (encoding)
fitted model with cosine (embeddings)  0.84 / 0.62      0.90 / 0.57       9.3 ms (encoding)
=====================================  ===============  ================  =================

(cost: the 372 distinct labelled texts matched as one corpus, same run, 2 shared cores,
model loaded.) The goal recall 0.8 at precision 0.85 is not reached: the hard cases are
reports of one event that differ in one fact (a later death toll, "did not leave" vs "some
have left"), which MiniLM puts at cosine 0.7–0.9, and paraphrases that share the gist but
few words, at 0.35–0.55. The default stays lexical (the fitted lexical model overfits its
160 tune pairs: less precise on held-out).

"""

from __future__ import annotations

import hashlib
import math
import re
import sys
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from ..clean.outlets import canonical_outlet
from ..cluster import DisjointSet
from ..types import CopiedPassage, Span

if TYPE_CHECKING:
    import networkx as nx
    import numpy as np

    from .contradictions import Contradiction

__all__ = [
    "Claim",
    "ClaimFeatures",
    "ClaimInput",
    "ClaimMember",
    "ClaimReport",
    "EmbeddingScorer",
    "LexicalScorer",
    "MatchSettings",
    "PairScorer",
    "build_claims",
    "candidate_pairs",
    "claim_features",
    "claim_id",
    "claim_inputs",
    "claim_report",
    "cluster",
    "default_scorer",
    "from_attribution",
    "lexical_score",
    "match_claims",
    "numbers_disagree",
    "score_pairs",
    "tokens",
    "via_chain",
    "via_nodes",
]

Certainty = Literal["asserted", "reported", "hedged", "denied"]
SpeakerKind = Literal["person", "organization", "outlet", "anonymous", "document"]
_CERTAINTY_RANK = {"asserted": 0, "reported": 1, "hedged": 2}


# --------------------------------------------------------------------------- input


@dataclass(frozen=True, slots=True)
class ClaimInput:
    """One attributed statement in one document: what the claims step needs from the
    attribution layer. ``content`` is the evidence span of what is claimed (for a quote
    split around its cue, the hull); ``text`` the words matched (the parts joined, without
    the cue); ``relays`` the reporters between the document and the speaker that the text
    itself names, outermost first ("Breitbart cited that an official stated …": the
    official's claim has ``relays=("Breitbart News",)``)."""

    doc_id: str
    content: Span
    speaker_name: str | None = None
    speaker_key: str | None = None  # entity key of the annotation layer ("person:hussam eesa")
    speaker_kind: SpeakerKind | None = None  # None: no speaker ("reportedly", passives)
    cue: str | None = None
    venue: str | None = None  # "Voice of America", "reporters", "Twitter", "a press briefing"
    certainty: Certainty = "asserted"
    hedges: tuple[str, ...] = ()
    sentence: tuple[int, int] | None = None
    index: int = -1  # position in its document's attribution list (for ``undercuts``)
    text: str | None = None
    relays: tuple[str, ...] = ()
    entity_keys: tuple[str, ...] = ()  # entity keys inside the content, when no Doc is at hand
    parts: tuple[tuple[int, int], ...] = ()  # the content without the cue (split quotes); () = content
    polarity: str = "positive"  # "negative": the speaker denies the content
    irrealis: bool = False  # the content is future, intended or conditional
    certainty_cues: tuple[tuple[Span, str], ...] = ()  # the cues that decided certainty/polarity, with class
    speaker_resolved: bool = True  # False: a pronoun or "the official" with no compatible antecedent

    @property
    def match_text(self) -> str:
        return self.text if self.text is not None else self.content.text

    def within(self, start: int, end: int) -> bool:
        """Does ``[start, end)`` lie inside the content (inside one of its parts)?"""
        parts = self.parts or ((self.content.start, self.content.end),)
        return any(s <= start and end <= e for s, e in parts)


_SPEAKER_KINDS = {"person", "organization", "outlet", "anonymous", "document"}


def _relays(attrs: Sequence[Any], attr: Any) -> tuple[str, ...]:
    """Speakers and outlet venues of the attributions ``attr`` is nested in, outermost first."""
    chain: list[str] = []
    seen: set[int] = set()
    outer = getattr(attr, "outer", None)
    while outer is not None and outer not in seen and 0 <= outer < len(attrs):
        seen.add(outer)
        o = attrs[outer]
        level = []
        venue = getattr(o, "venue", None)
        if venue and canonical_outlet(venue):
            level.append(canonical_outlet(venue) or venue)
        name = getattr(o, "speaker_name", None) or getattr(o, "speaker_text", None)
        if name and getattr(o, "speaker_kind", None) in _SPEAKER_KINDS:
            level.append(canonical_outlet(name) or name)
        chain[:0] = level  # "X told VoA that …": VoA is nearer the reporter than X
        outer = getattr(o, "outer", None)
    return tuple(chain)


def from_attribution(
    doc_id: str, text: str, attr: Any, index: int = -1, attrs: Sequence[Any] | None = None
) -> ClaimInput:
    """Adapter: a :class:`storyline.annotate.attribution.Attribution` → :class:`ClaimInput`
    (``attrs``, the document's whole list, resolves ``outer`` into ``relays``). A
    :class:`ClaimInput` passes through."""
    if isinstance(attr, ClaimInput):
        return attr
    start, end = attr.content
    kind = attr.speaker_kind if attr.speaker_kind in _SPEAKER_KINDS else None
    name = (attr.speaker_name or attr.speaker_text) if kind else None
    certainty: Certainty = (
        attr.certainty if attr.certainty in ("asserted", "reported", "hedged", "denied") else "asserted"
    )
    return ClaimInput(
        doc_id=doc_id,
        content=Span(doc_id, start, end, text[start:end]),
        speaker_name=name,
        speaker_key=attr.speaker_entity_key if kind else None,
        speaker_kind=kind,
        cue=attr.cue_lemma or attr.cue_text,
        venue=attr.venue,
        certainty=certainty,
        hedges=tuple(attr.hedges),
        sentence=tuple(attr.sentence) if attr.sentence else None,
        index=index,
        text=attr.content_text.replace(" … ", " ") if attr.content_text else None,
        relays=_relays(attrs, attr) if attrs is not None else (),
        entity_keys=tuple(attr.content_entity_keys),
        parts=tuple(tuple(p) for p in attr.content_parts) if len(attr.content_parts) > 1 else (),
        polarity=attr.polarity,
        irrealis=attr.irrealis,
        certainty_cues=tuple(
            (Span(doc_id, s, e, text[s:e]), kind) for s, e, kind in attr.certainty_cues if 0 <= s < e
        ),
        speaker_resolved=attr.speaker_resolved,
    )


def claim_inputs(
    docs: Mapping[str, Any], attributions_by_doc: Mapping[str, Sequence[Any]]
) -> list[ClaimInput]:
    """All claim inputs of a corpus, in document order; empty content is skipped."""
    from dataclasses import replace

    out: list[ClaimInput] = []
    for doc_id, attrs in attributions_by_doc.items():
        doc = docs.get(doc_id)
        text = (doc.text or "") if doc is not None else ""
        for i, a in enumerate(attrs):
            ci = from_attribution(doc_id, text, a, i, attrs)
            if ci.index < 0:
                ci = replace(ci, index=i)
            if ci.content.text.strip():
                out.append(ci)
    return out


# --------------------------------------------------------------------------- via chains


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


@dataclass(frozen=True, slots=True)
class _CopyIndex:
    """The known-direction passages of one copy document, sorted by their start in it: a
    span's covering passages lie in a window of :attr:`starts` (a passage overlapping
    ``[start, end)`` by ``need`` starts in ``[start + need - longest, end - need]``), so a
    lookup reads that window, not every passage of the document. ``rank``: each passage's
    place in the given order (ties go to the first, as a scan in that order gives them).
    Each passage as parallel columns (its end in the copy; its source document, start and
    end), not objects: the claim step builds thousands of these per batch from rows."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    sources: tuple[str, ...]
    source_starts: tuple[int, ...]
    source_ends: tuple[int, ...]
    rank: tuple[int, ...]
    longest: int


#: a passage as :func:`copy_index` reads it: source doc, start, end; start and end in the copy
PassageEnds = tuple[str, int, int, int, int]


def copy_index(passages: Sequence[PassageEnds]) -> _CopyIndex:
    """The :class:`_CopyIndex` of one copy document's known-direction passages, given in order."""
    items = sorted(range(len(passages)), key=lambda k: (passages[k][3], k))
    ps = [passages[k] for k in items]
    return _CopyIndex(
        starts=tuple(p[3] for p in ps), ends=tuple(p[4] for p in ps), sources=tuple(p[0] for p in ps),
        source_starts=tuple(p[1] for p in ps), source_ends=tuple(p[2] for p in ps), rank=tuple(items),
        longest=max(0, max(p[4] - p[3] for p in ps)),
    )


def _passages_by_copy(passages: Iterable[CopiedPassage]) -> dict[str, _CopyIndex]:
    """Known-direction passages by their copy document (what :func:`_copy_source` reads;
    build once per corpus, not once per claim)."""
    out: dict[str, list[PassageEnds]] = {}
    for p in passages:
        if p.direction == "source_to_copy":
            out.setdefault(p.copy.doc, []).append((p.source.doc, p.source.start, p.source.end, p.copy.start, p.copy.end))
    return {doc: copy_index(items) for doc, items in out.items()}


def _copy_source(
    doc_id: str, start: int, end: int, by_copy: Mapping[str, _CopyIndex], seen: set[str]
) -> tuple[str, int, int] | None:
    """The document (and mapped offsets) a span of ``doc_id`` was copied from: a known-
    direction passage covering at least half of the span, the most, the first such in the
    passages' order (``by_copy``: :func:`_passages_by_copy`).

    Measured (the via chains of the 12,529 stored claim inputs of the copy groups of 100
    replicas in the replicated 10,000-document store, 24,148 passages, 3 runs): a scan of
    every passage of the copy document per lookup made the chains cost 0.89-1.01 s of CPU,
    the window of sorted starts 0.46-0.53 s, index built once included; the same chains."""
    ix = by_copy.get(doc_id)
    if ix is None:
        return None
    need = max(1, (end - start) // 2)
    lo = bisect_left(ix.starts, start + need - ix.longest)
    hi = bisect_right(ix.starts, end - need)
    best: tuple[int, int, int] | None = None
    for i in range(lo, hi):
        if ix.sources[i] in seen:
            continue
        ov = _overlap(start, end, ix.starts[i], ix.ends[i])
        if ov >= need and (best is None or ov > best[0] or (ov == best[0] and ix.rank[i] < best[1])):
            best = (ov, ix.rank[i], i)
    if best is None:
        return None
    i = best[2]
    src_start, src_end = ix.source_starts[i], ix.source_ends[i]
    shift = src_start - ix.starts[i]
    s = min(max(start + shift, src_start), src_end)
    e = min(max(end + shift, src_start), src_end)
    return ix.sources[i], s, e


def via_nodes(
    doc_id: str,
    claim: ClaimInput | Any,
    graph: nx.MultiDiGraph | None,
    passages: Sequence[CopiedPassage],
    *,
    by_copy: Mapping[str, _CopyIndex] | None = None,
) -> list[str]:
    """:func:`via_chain` as node ids: ``doc:<id>`` and ``outlet:<name>`` are provenance-graph
    nodes; a relay that is not an outlet is ``speaker:<name>``. ``by_copy``: ``passages``
    already indexed by :func:`_passages_by_copy` (callers looking up many claims)."""
    from .provenance import doc_node, outlet_node

    if by_copy is None:
        by_copy = _passages_by_copy(passages)

    if isinstance(claim, ClaimInput):
        start, end = claim.content.start, claim.content.end
        relays, venue, speaker = claim.relays, claim.venue, claim.speaker_name
    else:  # an Attribution (relays need the document's list: use from_attribution)
        start, end = claim.content
        relays, venue = (), getattr(claim, "venue", None)
        speaker = getattr(claim, "speaker_name", None) or getattr(claim, "speaker_text", None)
    nodes = [doc_node(doc_id)]
    seen = {doc_id}
    cur, s, e = doc_id, start, end
    while True:
        up = _copy_source(cur, s, e, by_copy, seen)
        if up is None:
            break
        cur, s, e = up
        seen.add(cur)
        nodes.append(doc_node(cur))
    for r in relays:
        o = canonical_outlet(r)
        nodes.append(outlet_node(o) if o else f"speaker:{r}")
    outlet = canonical_outlet(venue) if venue else None
    speaker_outlet = canonical_outlet(speaker) if speaker else None
    if outlet is None and not venue and graph is not None and doc_node(doc_id) in graph:
        # no venue from the attribution: a citation whose sentence overlaps the content
        # ("… tells Voice of America that …"), the speaker's own outlet left out
        best: tuple[int, str] | None = None
        for _, o, a in graph.out_edges(doc_node(doc_id), data=True):
            if a.get("relation") != "cites" or a.get("self_citation"):
                continue
            name = graph.nodes[o].get("name")
            if name is None or name == speaker_outlet or (speaker and name.lower() == speaker.lower()):
                continue
            sc: Span = a["scope"]
            ev: Span = a["evidence"]
            if not _overlap(sc.start, sc.end, start, end) or (start <= ev.start and ev.end <= end):
                continue  # another sentence, or a name quoted inside the content
            d = min(abs(ev.start - end), abs(start - ev.end))
            if best is None or d < best[0]:
                best = (d, name)
        if best is not None:
            outlet = best[1]
    if outlet is not None and outlet != speaker_outlet:
        nodes.append(outlet_node(outlet))
    return nodes


def _node_label(graph: nx.MultiDiGraph | None, node: str) -> str:
    if node.startswith("speaker:"):
        return node[8:]
    if node.startswith("outlet:"):
        if graph is not None and node in graph:
            return str(graph.nodes[node].get("name") or node[7:])
        return node[7:]
    if graph is not None and node in graph:
        outlet = graph.nodes[node].get("outlet")
        if outlet:
            return str(outlet)
    return node


def via_chain(
    doc_id: str,
    claim: ClaimInput | Any,
    graph: nx.MultiDiGraph | None,
    passages: Sequence[CopiedPassage],
    *,
    by_copy: Mapping[str, _CopyIndex] | None = None,
) -> list[str]:
    """The reporting chain of ``claim`` (in document ``doc_id``) from the nearest reporter
    outward, as outlet names (see the module docstring); consecutive repeats collapse."""
    return _chain_of(graph, via_nodes(doc_id, claim, graph, passages, by_copy=by_copy))


def _chain_of(graph: nx.MultiDiGraph | None, nodes: Iterable[str]) -> list[str]:
    """:func:`via_chain` from the nodes :func:`via_nodes` gave."""
    out: list[str] = []
    for n in nodes:
        label = _node_label(graph, n)
        if label not in out:
            out.append(label)
    return out


# --------------------------------------------------------------------------- features

_STOP = frozenset(
    """a about above after again against all also am an and any are aren as at be because been before being
    below between both but by can cannot could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its itself just
    let me more most my myself no nor not of off on once only or other ought our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up very was we were what when where which while who whom why
    will with would you your yours yourself yourselves said says say saying told tell tells according
    reported reports report stated states state added noted notes claimed claims announced explained
    insisted confirmed tweeted wrote adding noting one two mr mrs ms dr s t don didn doesn isn wasn
    weren won wouldn couldn shouldn haven hasn hadn ve ll re now still even yet many much well may might
    must shall""".split()  # noqa: SIM905
)
_WORD = re.compile(r"[^\W_](?:[\w'’.,-]*[^\W_])?")
_NUMBER = re.compile(r"^\d[\d,]*(?:\.\d+)?$")
_STEM = 6


def tokens(text: str) -> list[str]:
    """Content tokens: lower case, stop words out, numbers without separators, words cut to
    six characters."""
    out: list[str] = []
    for m in _WORD.finditer(text):
        w = m.group(0).lower().replace("’", "'")
        w = w.removesuffix("'s")
        if _NUMBER.match(w):
            out.append(sys.intern("#" + w.replace(",", "")))
            continue
        for part in re.split(r"[-'.,]", w):
            if len(part) < 2 or part in _STOP or part.isdigit():
                continue
            out.append(sys.intern(part[:_STEM]))  # interned: 100k claims share one copy of each word
    return out


@dataclass(frozen=True, slots=True)
class QuantityFact:
    """A count inside a claim, with what it counts and where/when (for contradictions)."""

    span: Span
    low: float | None
    high: float | None
    approximate: bool
    unit: str | None  # unit group ("fighter" for militants, jihadists…)
    place: str | None  # gazetteer id or normal form of the place it is counted at
    place_text: str | None
    actor: str | None  # entity key in the counted phrase ("actor:islamic-state")
    time: str | None  # ISO value (time expression of the sentence, else publication date)


@dataclass(slots=True)
class ClaimFeatures:
    """What matching compares. ``tokens`` includes entity keys (``e:…``) and numbers."""

    words: frozenset[str]
    entities: frozenset[str]
    text: str  # the content as written (for embeddings)
    speaker: str | None
    denied: bool
    quantities: tuple[QuantityFact, ...] = ()
    doc_id: str = ""

    @property
    def tokens(self) -> frozenset[str]:
        return self.words | {"e:" + e for e in self.entities}


_UNIT_GROUPS = {
    "fighter": "fighter",
    "militant": "fighter",
    "jihadist": "fighter",
    "combatant": "fighter",
    "terrorist": "fighter",
    "insurgent": "fighter",
    "extremist": "fighter",
    "rebel": "fighter",
    "troop": "soldier",
    "soldier": "soldier",
    "civilian": "civilian",
    "people": "person",
    "person": "person",
    "resident": "person",
    "family": "family",
    "vehicle": "vehicle",
    "car": "vehicle",
    "truck": "vehicle",
    "suv": "vehicle",
    "bus": "bus",
    "death": "death",
    "dead": "death",
    "casualty": "casualty",
}


def _unit_group(unit: str | None) -> str | None:
    if unit is None:
        return None
    u = unit.lower()
    return _UNIT_GROUPS.get(u, u)


def _doc_attr(doc: Any, name: str) -> list[Any]:
    return list(getattr(doc, name, None) or []) if doc is not None else []


def _sentence_of(doc: Any, pos: int) -> tuple[int, int]:
    for s, e in _doc_attr(doc, "sentences"):
        if s <= pos < e:
            return s, e
    text = getattr(doc, "text", "") or ""
    from .citations import sentence_bounds

    return sentence_bounds(text, pos)


def _published(doc: Any) -> str | None:
    meta = getattr(doc, "meta", None)
    return getattr(meta, "published", None) if meta is not None else None


def _quantity_facts(doc: Any, claim: ClaimInput) -> tuple[QuantityFact, ...]:
    if doc is None:
        return ()
    text = doc.text or ""
    qs = _doc_attr(doc, "quantities")
    if not qs and text:
        from ..annotate.quantities import find_quantities

        qs = find_quantities(text)
    qs = sorted(qs, key=lambda q: q.start)
    places = [p for p in _doc_attr(doc, "places") if getattr(p, "resolved", True)]
    ents = _doc_attr(doc, "entities")
    times = [t for t in _doc_attr(doc, "times") if getattr(t, "value", None)]
    out: list[QuantityFact] = []
    for i, q in enumerate(qs):
        if not claim.within(q.start, q.end):
            continue
        if q.unit in ("percent",) or (q.low is None and q.high is None):
            continue
        ss, se = _sentence_of(doc, q.start)
        unit = q.unit
        if unit is None:  # "up to 4,000 of these": the unit of the count before it in the sentence
            prev = [p for p in qs[:i] if p.unit and p.start >= ss]
            unit = prev[-1].unit if prev else None
        # place: the nearest place in the sentence after the count ("… stationed in Raqqa"),
        # else the nearest before it
        after = [p for p in places if q.end <= p.start < se]
        before = [p for p in places if ss <= p.start and p.end <= q.start]
        place = min(after, key=lambda p: p.start - q.end) if after else (before[-1] if before else None)
        actor = next((e.key for e in ents if q.start <= e.start and e.end <= q.end), None)
        stime = [t for t in times if ss <= t.start < se]
        tval = min(stime, key=lambda t: abs(t.start - q.start)).value if stime else _published(doc)
        out.append(
            QuantityFact(
                span=Span(doc.id, q.start, q.end, text[q.start : q.end]),
                low=q.low,
                high=q.high,
                approximate=bool(getattr(q, "approximate", False)),
                unit=_unit_group(unit),
                place=(getattr(place, "gazetteer_id", None) or _norm_place(place.text)) if place else None,
                place_text=place.text if place else None,
                actor=actor,
                time=tval,
            )
        )
    return tuple(out)


def _norm_place(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def claim_features(claim: ClaimInput, doc: Any = None) -> ClaimFeatures:
    """Matching features of one claim. With ``doc`` (a :class:`~storyline.types.Doc`), the
    words of entity and place mentions inside the content are replaced by their entity key
    or gazetteer id (one token each: "Islamic State" and "IS" both become
    ``e:actor:islamic-state``, not three tokens that would make every claim about the group
    look alike); quantities come from its annotation layer. Without it, the claim's own
    ``entity_keys`` are added to its words."""
    text = getattr(doc, "text", None) if doc is not None else None
    if not text:
        toks = tokens(claim.match_text)
        ents = set(claim.entity_keys)
    else:
        mentions = [
            (e.start, e.end, e.key)
            for e in _doc_attr(doc, "entities")
            if getattr(e, "key", None) and claim.within(e.start, e.end)
        ] + [
            (p.start, p.end, "place:" + p.gazetteer_id)
            for p in _doc_attr(doc, "places")
            if getattr(p, "gazetteer_id", None) and claim.within(p.start, p.end)
        ]
        parts = claim.parts or ((claim.content.start, claim.content.end),)
        chars = []
        for s, e in parts:
            piece = list(text[s:e])
            for ms, me, _ in mentions:
                if s <= ms and me <= e:
                    piece[ms - s : me - s] = " " * (me - ms)
            chars.append("".join(piece))
        toks = tokens(" \n ".join(chars))
        ents = {k for _, _, k in mentions}
    named = claim.speaker_kind in ("person", "organization", "outlet")
    return ClaimFeatures(
        words=frozenset(toks),
        entities=frozenset(ents),
        text=claim.match_text,
        speaker=(claim.speaker_key or (claim.speaker_name or "").lower() or None) if named else None,
        denied=claim.certainty == "denied",
        quantities=_quantity_facts(doc, claim),
        doc_id=claim.doc_id,
    )


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True, slots=True)
class MatchSettings:
    """Claim matching in the user's terms.

    ``threshold``: score at or above which two reports are the same claim (precision/recall
    per threshold: ``bench/claims.py``). ``candidate_overlap``: the share of the shorter
    claim's indexed features a pair must share to be scored. ``max_word_df``: a feature in
    more than this many claims proposes no candidates — a fixed count, not a share of the
    corpus, so that whether two claims are candidates depends on the two claims and the
    corpus-wide counts only, and a stored, incremental run gives the batch run's groups
    (:mod:`.claim_store`; the share it replaced, 1 %, was below 200 on every corpus
    measured). ``max_cluster``: the most reports one claim groups.
    """

    threshold: float = 0.5
    candidate_overlap: float | None = None  # default: half the threshold
    min_shared: int = 2
    max_word_df: int = 200
    max_cluster: int = 200
    linkage: Literal["average", "single"] = "average"
    same_document: bool = False
    chunk: int = 256


def _number_conflicts(
    xs: Sequence[QuantityFact], ys: Sequence[QuantityFact]
) -> list[tuple[QuantityFact, QuantityFact]]:
    """For each (unit, place) that both lists count, one pair showing the conflict when no
    count of one list is compatible with any count of the other ("1,944 delegates, 520 of
    them superdelegates" does not conflict with itself)."""
    out = []
    keys = {(q.unit, q.place) for q in xs if q.unit} & {(q.unit, q.place) for q in ys if q.unit}
    for key in sorted(keys, key=str):
        a = [q for q in xs if (q.unit, q.place) == key]
        b = [q for q in ys if (q.unit, q.place) == key]
        if all(_apart(x, y) for x in a for y in b):
            out.append((a[0], b[0]))
    return out


def _conflicting_numbers(a: ClaimFeatures, b: ClaimFeatures) -> bool:
    return bool(_number_conflicts(a.quantities, b.quantities))


def _bounds(q: QuantityFact) -> tuple[float, float]:
    lo = -math.inf if q.low is None else float(q.low)
    hi = math.inf if q.high is None else float(q.high)
    if q.approximate:
        lo, hi = lo * 0.9, hi * 1.1
    return lo, hi


def _apart(x: QuantityFact, y: QuantityFact) -> bool:
    a0, a1 = _bounds(x)
    b0, b1 = _bounds(y)
    return a1 < b0 or b1 < a0


def lexical_score(a: ClaimFeatures, b: ClaimFeatures) -> float:
    """Similarity of two claims in [0, 1]: the Dice coefficient of their token sets —
    content words plus entity keys and gazetteer ids, so "IS" meets "Islamic State" and
    "al-Bukamal" meets "Abu Kamal" — times 0.7 when both name places and share none, +0.05
    for the same named speaker, capped at 0.2 when their numbers cannot both be true. Claims
    of fewer than three tokens match only when their token sets are equal.

    Measured on labelled pairs (``bench/claims.py``): Dice beat Jaccard-containment blends,
    rapidfuzz ``token_set_ratio`` (which scores a short claim inside any long one near 1),
    ``token_sort_ratio`` blends and IDF weighting; entity tokens added as tokens beat a
    separate entity-Jaccard term.
    """
    ta, tb = a.tokens, b.tokens
    if not ta or not tb:
        return 0.0
    if min(len(ta), len(tb)) < 3:
        return 1.0 if ta == tb else 0.0
    s = 2 * len(ta & tb) / (len(ta) + len(tb))
    pa = {e for e in a.entities if e.startswith("place:")}
    pb = {e for e in b.entities if e.startswith("place:")}
    if pa and pb and not pa & pb:
        s *= 0.7  # both say where, and not the same place
    if a.speaker and a.speaker == b.speaker:
        s = min(1.0, s + 0.05)
    if a.quantities and b.quantities and _conflicting_numbers(a, b):
        s = min(s, 0.2)
    return s


class PairScorer(Protocol):
    """Scores candidate pairs; ``prepare`` sees every claim text once (embeddings)."""

    def prepare(self, texts: Sequence[str]) -> None: ...

    def score(self, i: int, j: int, a: ClaimFeatures, b: ClaimFeatures) -> float: ...


class LexicalScorer:
    """The default scorer: :func:`lexical_score`."""

    def prepare(self, texts: Sequence[str]) -> None:
        return None

    def score(self, i: int, j: int, a: ClaimFeatures, b: ClaimFeatures) -> float:
        return lexical_score(a, b)


class EmbeddingScorer:
    """Optional (``claim_embeddings`` setting + the ``embeddings`` extra): the lexical score
    next to a sentence-embedding score, for paraphrases that share few words.

    ``semantic = (1 - lexical_weight) * cosine + lexical_weight * lexical`` (MiniLM vectors,
    :mod:`storyline.corpus.embeddings`), mapped so that ``semantic_same`` lands on
    ``threshold``; the pair scores the larger of that and :func:`lexical_score`. The semantic
    part is dropped (lexical only) when the two claims' counts disagree
    (:func:`numbers_disagree`: "at least 70 dead" vs "at least 135 killed" embed at 0.80) or
    one denies what the other affirms. Candidates are the lexical ones plus, per claim, the
    ``neighbours`` nearest vectors at cosine ≥ ``candidate_cosine`` (:meth:`candidates`), so a
    paraphrase sharing no indexed word is still proposed. Values tuned on the *tune* split of
    the labelled pairs (``bench/claims.py --pairs``; figures in the module docstring).
    """

    def __init__(
        self,
        encoder: Any = None,  # an Encoder, or a model with encode(list[str]) (default: MiniLM)
        *,
        threshold: float = 0.5,
        semantic_same: float = 0.62,
        lexical_weight: float = 0.25,
        candidate_cosine: float = 0.5,
        neighbours: int = 20,
    ) -> None:
        from .embeddings import Encoder

        self.encoder = encoder if isinstance(encoder, Encoder) else Encoder(encoder)
        self.threshold, self.same, self.lexical_weight = threshold, semantic_same, lexical_weight
        self.candidate_cosine, self.neighbours = candidate_cosine, neighbours
        self.vectors: np.ndarray | None = None

    def prepare(self, texts: Sequence[str]) -> None:
        self.vectors = self.encoder.encode(list(texts))

    def semantic(self, i: int, j: int, lex: float) -> float:
        """The blended cosine of claims ``i`` and ``j`` (before mapping)."""
        assert self.vectors is not None
        cos = float(self.vectors[i] @ self.vectors[j])
        return (1 - self.lexical_weight) * cos + self.lexical_weight * lex

    def score(self, i: int, j: int, a: ClaimFeatures, b: ClaimFeatures) -> float:
        lex = lexical_score(a, b)
        if numbers_disagree(a, b):
            return min(lex, 0.2)  # two different counts of one thing are two reports
        if self.vectors is None or a.denied != b.denied:
            return lex
        sem, t = self.semantic(i, j, lex), self.threshold
        mapped = t * sem / self.same if sem < self.same else t + (1 - t) * (sem - self.same) / (1 - self.same)
        return max(lex, min(1.0, max(0.0, mapped)))

    def candidates(
        self, features: Sequence[ClaimFeatures], settings: MatchSettings
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Nearest-neighbour pairs ``(i, j)``, ``i < j``, by cosine, in chunks of
        ``settings.chunk`` rows (memory bounded by the chunk, never n²)."""
        import numpy as np

        v = self.vectors
        if v is None or len(v) < 2:
            return
        docs = {d: k for k, d in enumerate(dict.fromkeys(f.doc_id for f in features))}
        doc_idx = np.asarray([docs[f.doc_id] for f in features], dtype=np.int64)
        k = min(self.neighbours + 1, len(v))
        for lo in range(0, len(v), settings.chunk):
            sims = v[lo : lo + settings.chunk] @ v.T
            top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
            rows = np.repeat(np.arange(lo, lo + len(sims)), k)
            cols = top.ravel()
            keep = sims[rows - lo, cols] >= self.candidate_cosine
            keep &= rows != cols
            if not settings.same_document:
                keep &= doc_idx[rows] != doc_idx[cols]
            i, j = np.minimum(rows, cols)[keep], np.maximum(rows, cols)[keep]
            if len(i):
                yield i, j


def numbers_disagree(a: ClaimFeatures, b: ClaimFeatures) -> bool:
    """Both claims give counts and neither's values are all among the other's ("at least 70
    dead" vs "at least 135 killed"; "22 killed, 59 injured" vs "22 killed, 116 injured"), while
    "Twelve" and "12" agree and so do "70 dead, 3,500 injured" and "70 deaths". Years are not
    counts."""
    va, vb = _count_values(a), _count_values(b)
    return bool(va and vb and not (va <= vb or vb <= va))


def _count_values(f: ClaimFeatures) -> set[int]:
    out = set()
    for q in f.quantities:
        for v in (q.low, q.high):
            if v is not None and not (1900 <= v <= 2100 and float(v).is_integer()):
                out.add(round(float(v)))
    return out


def default_scorer(threshold: float = 0.5) -> PairScorer:
    """The fitted pair model with the MiniLM cosine
    (:class:`~storyline.corpus.claim_scorer.FittedScorer`) when the ``claim_embeddings``
    setting is on and the extra is installed, else :class:`LexicalScorer` (module docstring:
    the fitted model on lexical features alone was less precise on the held-out pairs)."""
    from .embeddings import enabled

    if not enabled():
        return LexicalScorer()
    from .claim_scorer import FittedScorer

    return FittedScorer(True, threshold=threshold)


def candidate_pairs(
    features: Sequence[ClaimFeatures],
    settings: MatchSettings | None = None,
    doc_freq: Mapping[str, int] | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Candidate pairs, in chunks of ``(i, j)`` index arrays with ``i < j``.

    A sparse claim × feature matrix with only features shared by 2+ claims and by no more
    than ``max_word_df``; overlaps come from ``X[chunk] @ X.T``, so memory is bounded by the
    chunk size, never by n². Same-document pairs are dropped unless
    ``settings.same_document``. ``doc_freq``: the counts of a larger corpus these claims are
    part of (the stored step passes the whole store's); default: counted over ``features``.
    """
    import numpy as np
    from scipy import sparse  # a dependency of datasketch

    st = settings or MatchSettings()
    n = len(features)
    if n < 2:
        return
    df: Mapping[str, int]
    if doc_freq is None:
        counts: Counter[str] = Counter()
        for f in features:
            counts.update(f.tokens)
        df = counts
    else:
        df = {t: doc_freq.get(t, 0) for f in features for t in f.tokens}
    cap = st.max_word_df
    overlap = st.candidate_overlap if st.candidate_overlap is not None else st.threshold / 2
    vocab: dict[str, int] = {}
    for t, c in df.items():
        if 2 <= c <= cap:
            vocab[t] = len(vocab)
    indptr = [0]
    indices: list[int] = []
    for f in features:
        indices.extend(sorted(vocab[t] for t in f.tokens if t in vocab))
        indptr.append(len(indices))
    x = sparse.csr_matrix(
        (np.ones(len(indices), dtype=np.int32), np.asarray(indices, dtype=np.int32), np.asarray(indptr)),
        shape=(n, max(1, len(vocab))),
    )
    xt = x.T.tocsr()
    sizes = np.asarray([max(1, len(f.tokens)) for f in features], dtype=np.int32)
    docs = {d: k for k, d in enumerate(dict.fromkeys(f.doc_id for f in features))}
    doc_idx = np.asarray([docs[f.doc_id] for f in features], dtype=np.int64)
    for lo in range(0, n, st.chunk):
        hi = min(n, lo + st.chunk)
        o = (x[lo:hi] @ xt).tocoo()
        i = o.row.astype(np.int64) + lo
        j = o.col.astype(np.int64)
        ov = o.data
        keep = j > i
        keep &= ov >= np.minimum(st.min_shared, np.minimum(sizes[i], sizes[j]))
        keep &= ov >= overlap * np.minimum(sizes[i], sizes[j])
        if not st.same_document:
            keep &= doc_idx[i] != doc_idx[j]
        if keep.any():
            yield i[keep], j[keep]


def score_pairs(
    features: Sequence[ClaimFeatures],
    pairs: Iterable[tuple[np.ndarray, np.ndarray]],
    settings: MatchSettings | None = None,
    scorer: PairScorer | None = None,
    *,
    keep_all: bool = False,
) -> list[tuple[int, int, float]]:
    """Score candidate pairs; keep those at or above ``settings.threshold`` (all of them
    with ``keep_all``). A denied and an affirmed report are kept only with ``keep_all`` —
    :func:`match_claims` turns them into contradictions instead of merging them."""
    st = settings or MatchSettings()
    sc = scorer or LexicalScorer()
    out: list[tuple[int, int, float]] = []
    for ii, jj in pairs:
        for i, j in zip(ii.tolist(), jj.tolist()):
            s = sc.score(i, j, features[i], features[j])
            if keep_all or s >= st.threshold:
                out.append((i, j, s))
    return out


def cluster(
    n: int,
    edges: Iterable[tuple[int, int, float]],
    settings: MatchSettings | None = None,
    score: Callable[[int, int], float] | None = None,
) -> list[list[int]]:
    """Group ``n`` claims from scored pairs; every index ends in exactly one cluster,
    clusters ordered by their smallest index.

    Edges at or above the threshold are merged best first. With ``score`` (a pair →
    similarity callable) the linkage is *average*: two groups merge only when the mean
    similarity over all their cross pairs (scored on demand, at most ``max_cluster`` ** 2)
    reaches the threshold — a claim that shares a topic with two others no longer chains
    them together. Without it, single linkage. Either way a merge past ``max_cluster`` is
    refused.
    """
    st = settings or MatchSettings()
    ds: DisjointSet[int] = DisjointSet(range(n))  # root of a merge: the smaller index
    members: dict[int, list[int]] = {}
    known: dict[tuple[int, int], float] = {}
    good = [(i, j, s) for i, j, s in edges if s >= st.threshold]
    for i, j, s in good:
        known[(min(i, j), max(i, j))] = s
    for i, j, s in sorted(good, key=lambda e: (-e[2], min(e[0], e[1]), max(e[0], e[1]))):
        ri, rj = ds.find(i), ds.find(j)
        if ri == rj:
            continue
        a, b = members.get(ri, [ri]), members.get(rj, [rj])
        if len(a) + len(b) > st.max_cluster:
            continue
        if score is not None and len(a) + len(b) > 2:
            total = 0.0
            for x in a:
                for y in b:
                    key = (min(x, y), max(x, y))
                    if key not in known:
                        known[key] = score(*key)
                    total += known[key]
            if total / (len(a) * len(b)) < st.threshold:
                continue
        if ri > rj:
            ri, rj, a, b = rj, ri, b, a
        ds.union(ri, rj)
        members[ri] = a + b
        members.pop(rj, None)
    return ds.groups()


def _all_candidates(
    features: Sequence[ClaimFeatures], st: MatchSettings, sc: PairScorer,
    doc_freq: Mapping[str, int] | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The lexical candidates, plus the scorer's own (embedding neighbours) not already
    proposed — unless ``doc_freq`` is given: a part of a larger corpus (the stored step)
    gets the lexical candidates only, as a neighbour search over every stored vector would
    grow with the corpus."""
    more = getattr(sc, "candidates", None)
    if more is None or doc_freq is not None:
        yield from candidate_pairs(features, st, doc_freq)
        return
    import numpy as np

    seen: set[tuple[int, int]] = set()
    for ii, jj in candidate_pairs(features, st):
        seen.update(zip(ii.tolist(), jj.tolist()))
        yield ii, jj
    for ii, jj in more(features, st):
        new = [ij for ij in dict.fromkeys(zip(ii.tolist(), jj.tolist())) if ij not in seen]
        seen.update(new)
        if new:
            yield np.asarray([i for i, _ in new]), np.asarray([j for _, j in new])


def match_claims(
    features: Sequence[ClaimFeatures],
    settings: MatchSettings | None = None,
    scorer: PairScorer | None = None,
    doc_freq: Mapping[str, int] | None = None,
) -> tuple[list[list[int]], list[tuple[int, int, float]]]:
    """candidates → score → cluster. Returns the clusters and the *denial* pairs (a denied
    and an affirmed report scoring at or above the threshold), which are not merged.
    ``doc_freq``: see :func:`candidate_pairs`."""
    clusters, _, denials = match_with_edges(features, settings, scorer, doc_freq)
    return clusters, denials


def match_with_edges(
    features: Sequence[ClaimFeatures],
    settings: MatchSettings | None = None,
    scorer: PairScorer | None = None,
    doc_freq: Mapping[str, int] | None = None,
) -> tuple[list[list[int]], list[tuple[int, int, float]], list[tuple[int, int, float]]]:
    """:func:`match_claims` with the matching pairs too: ``(clusters, edges, denials)``.
    Clusters never cross the connected components of ``edges``, so each component can be
    clustered alone (what the stored step does)."""
    st = settings or MatchSettings()
    sc = scorer or LexicalScorer()
    sc.prepare([f.text for f in features])
    edges: list[tuple[int, int, float]] = []
    denials: list[tuple[int, int, float]] = []
    for i, j, s in score_pairs(features, _all_candidates(features, st, sc, doc_freq), st, sc):
        (denials if features[i].denied != features[j].denied else edges).append((i, j, s))

    def pair_score(i: int, j: int) -> float:
        if features[i].denied != features[j].denied:
            return 0.0
        return sc.score(i, j, features[i], features[j])

    return cluster(len(features), edges, st, pair_score if st.linkage == "average" else None), edges, denials


# --------------------------------------------------------------------------- records


def claim_id(members: Iterable[tuple[Span, int]]) -> str:
    """Stable id: a hash of the sorted ``(doc, start, end, attribution index)`` of every
    report the claim groups. (The evidence spans alone were not unique: two attributions of
    one document can share a content span — "…, he told reporters, echoing …".)"""
    key = ";".join(
        f"{s.doc}:{s.start}-{s.end}#{i}" for s, i in sorted(members, key=lambda m: (m[0].doc, m[0].start, m[0].end, m[1]))
    )
    return "claim:" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class ClaimMember:
    """One report of a claim, in one document."""

    content: Span
    speaker: dict[str, str | None] | None
    cue: str | None
    via: tuple[str, ...]
    via_nodes: tuple[str, ...]
    medium: str | None
    certainty: Certainty
    hedges: tuple[str, ...]
    polarity: str = "positive"
    irrealis: bool = False
    certainty_cues: tuple[tuple[Span, str], ...] = ()
    speaker_resolved: bool = True

    def to_record(self) -> dict[str, Any]:
        return {
            "content": self.content.to_record(),
            "speaker": self.speaker,
            "speaker_resolved": self.speaker_resolved,
            "cue": self.cue,
            "via": list(self.via),
            "medium": self.medium,
            "certainty": self.certainty,
            "hedges": list(self.hedges),
            "polarity": self.polarity,
            "irrealis": self.irrealis,
            "certainty_cues": _cue_records(self.certainty_cues),
        }


@dataclass(slots=True)
class Claim:
    """records.md "Claim". ``content``/``speaker``/``cue``/``via`` come from the member
    nearest the origin (shortest chain, then earliest publication); ``members`` keeps every
    report; ``contradictions`` the ids of the contradiction records naming it
    (:class:`~storyline.corpus.contradictions.Contradiction`)."""

    id: str
    content: Span
    speaker: dict[str, str | None] | None
    cue: str | None
    via: list[str]
    certainty: Certainty
    hedges: list[str]
    evidence: list[Span]
    documents: list[str]
    independent_sources: int
    contradicts: list[str] = field(default_factory=list)
    medium: str | None = None
    via_nodes: list[str] = field(default_factory=list)
    members: list[ClaimMember] = field(default_factory=list)
    sources: list[list[str]] = field(default_factory=list)  # doc ids per independent source
    contradictions: list[str] = field(default_factory=list)
    # from the report nearest the origin (the representative): what decided certainty and polarity
    polarity: str = "positive"
    irrealis: bool = False
    certainty_cues: tuple[tuple[Span, str], ...] = ()
    speaker_resolved: bool = True

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "content": self.content.to_record(),
            "speaker": self.speaker,
            "speaker_resolved": self.speaker_resolved,
            "cue": self.cue,
            "via": list(self.via),
            "certainty": self.certainty,
            "polarity": self.polarity,
            "irrealis": self.irrealis,
            "certainty_cues": _cue_records(self.certainty_cues),
            "hedges": list(self.hedges),
            "evidence": [s.to_record() for s in self.evidence],
            "documents": list(self.documents),
            "independent_sources": self.independent_sources,
            "contradicts": list(self.contradicts),
            "medium": self.medium,
            "members": [m.to_record() for m in self.members],
            "sources": [list(s) for s in self.sources],
            "contradictions": list(self.contradictions),
        }


@dataclass(slots=True)
class ClaimReport:
    claims: list[Claim]
    contradictions: list[Contradiction]

    def to_record(self) -> dict[str, Any]:
        return {
            "claims": [c.to_record() for c in self.claims],
            "contradictions": [c.to_record() for c in self.contradictions],
        }


def _cue_records(cues: Sequence[tuple[Span, str]]) -> list[dict[str, Any]]:
    """Certainty cues as evidence spans with their class (``hedge:evidential``, ``negation``…)."""
    return [{**span.to_record(), "class": kind} for span, kind in cues]


def _speaker_record(c: ClaimInput) -> dict[str, str | None] | None:
    if not c.speaker_name and not c.speaker_key:
        return None
    return {"name": c.speaker_name, "entity": c.speaker_key}


def _medium(c: ClaimInput) -> str | None:
    if c.venue and canonical_outlet(c.venue) is None:
        return c.venue
    return None


def _sources(
    graph: nx.MultiDiGraph | None,
    members: Sequence[tuple[ClaimInput, tuple[str, ...]]],
    pindex: Any = None,
) -> list[list[int]]:
    """Indices of ``members`` grouped into independent sources (module docstring)."""
    n = len(members)
    if n == 1:  # what the partition below gives one member (most claims: a report alone)
        return [[0]]
    ds: DisjointSet[int] = DisjointSet(range(n))  # root of a merge: the smaller index
    union = ds.union
    spans = [m[0].content for m in members]
    if graph is not None:
        from .provenance import partition_sources

        index: dict[tuple[str, int, int], list[int]] = defaultdict(list)
        for k, s in enumerate(spans):
            index[(s.doc, s.start, s.end)].append(k)
        for group in partition_sources(graph, spans, index=pindex):
            ks = [k for s in group for k in index[(s.doc, s.start, s.end)]]
            for k in ks[1:]:
                union(ks[0], k)
    else:
        by_doc: dict[str, int] = {}
        for k, s in enumerate(spans):
            union(by_doc.setdefault(s.doc, k), k)
    owner: dict[str, int] = {}
    for k, (ci, nodes) in enumerate(members):
        keys = []
        if len(nodes) > 1 and nodes[-1].startswith("outlet:"):
            keys.append(nodes[-1])
        if ci.speaker_key and ci.speaker_kind not in ("anonymous", "document"):
            keys.append("speaker:" + ci.speaker_key)
        for key in keys:
            union(owner.setdefault(key, k), k)
    return ds.groups()


def _make_claim(
    members: list[tuple[ClaimInput, tuple[str, ...], tuple[str, ...]]],
    graph: nx.MultiDiGraph | None,
    docs: Mapping[str, Any],
    pindex: Any = None,
) -> Claim:
    def origin_key(m: tuple[ClaimInput, tuple[str, ...], tuple[str, ...]]) -> tuple[Any, ...]:
        ci, via, _ = m
        pub = _published(docs.get(ci.doc_id)) or "9999"
        return (len(via), pub, ci.doc_id, ci.content.start)

    members = sorted(members, key=origin_key)
    rep, rep_via, rep_nodes = members[0]
    # one evidence span per document: the document's report nearest the origin
    evidence: list[Span] = []
    seen: set[str] = set()
    for ci, _, _ in members:
        if ci.doc_id not in seen:
            seen.add(ci.doc_id)
            evidence.append(ci.content)
    certs = [ci.certainty for ci, _, _ in members]
    if all(c == "denied" for c in certs):
        certainty: Certainty = "denied"
    else:
        certainty = max((c for c in certs if c != "denied"), key=lambda c: _CERTAINTY_RANK[c])
    hedges: list[str] = []
    for ci, _, _ in members:
        hedges.extend(h for h in ci.hedges if h not in hedges)
    groups = _sources(graph, [(ci, nodes) for ci, _, nodes in members], pindex)
    sources = [sorted({members[k][0].doc_id for k in g}) for g in groups]
    return Claim(
        id=claim_id((ci.content, ci.index) for ci, _, _ in members),
        content=rep.content,
        speaker=_speaker_record(rep),
        cue=rep.cue,
        via=list(rep_via),
        certainty=certainty,
        hedges=hedges,
        evidence=evidence,
        documents=[s.doc for s in evidence],
        independent_sources=len(groups),
        medium=_medium(rep),
        via_nodes=list(rep_nodes),
        polarity=rep.polarity,
        irrealis=rep.irrealis,
        certainty_cues=rep.certainty_cues,
        speaker_resolved=rep.speaker_resolved,
        members=[
            ClaimMember(
                content=ci.content,
                speaker=_speaker_record(ci),
                cue=ci.cue,
                via=via,
                via_nodes=nodes,
                medium=_medium(ci),
                certainty=ci.certainty,
                hedges=ci.hedges,
                polarity=ci.polarity,
                irrealis=ci.irrealis,
                certainty_cues=ci.certainty_cues,
                speaker_resolved=ci.speaker_resolved,
            )
            for ci, via, nodes in members
        ],
        sources=sources,
    )


# --------------------------------------------------------------------------- build


def claim_report(
    docs: Iterable[Any],
    attributions_by_doc: Mapping[str, Sequence[Any]],
    graph: nx.MultiDiGraph | None,
    passages: Sequence[CopiedPassage],
    *,
    settings: MatchSettings | None = None,
    scorer: PairScorer | None = None,
    undercuts_by_doc: Mapping[str, Sequence[tuple[int, int]]] | None = None,
) -> ClaimReport:
    """Claims and contradictions of a corpus. ``docs`` are :class:`~storyline.types.Doc`
    objects (text, meta and annotation layers); ``attributions_by_doc`` maps a doc id to
    its attributions (``Attribution`` or :class:`ClaimInput`); ``undercuts_by_doc`` gives
    ``(i, j)`` pairs (attribution ``i`` undercuts ``j``) when they are not computed from
    ``Attribution`` objects."""
    st = settings or MatchSettings()
    by_id = {d.id: d for d in docs}
    inputs = claim_inputs(by_id, attributions_by_doc)
    feats = [claim_features(ci, by_id.get(ci.doc_id)) for ci in inputs]
    by_copy = _passages_by_copy(passages)
    nodes = [tuple(via_nodes(ci.doc_id, ci, graph, passages, by_copy=by_copy)) for ci in inputs]
    vias = [tuple(_chain_of(graph, ns)) for ns in nodes]
    clusters, denials = match_claims(
        feats, st, scorer if scorer is not None else default_scorer(st.threshold)
    )
    pindex = None
    if graph is not None:
        from .provenance import IndependenceIndex

        pindex = IndependenceIndex.of(graph)  # one walk of the graph for every claim's sources
    claims: list[Claim] = []
    owner: dict[int, int] = {}
    for g in clusters:
        c = _make_claim([(inputs[k], vias[k], nodes[k]) for k in g], graph, by_id, pindex)
        for k in g:
            owner[k] = len(claims)
        claims.append(c)
    feats_by_claim: dict[str, list[ClaimFeatures]] = defaultdict(list)
    for k, f in enumerate(feats):
        feats_by_claim[claims[owner[k]].id].append(f)

    from .contradictions import find_contradictions

    contradictions = find_contradictions(
        claims, owner, inputs, feats_by_claim, denials, by_id, attributions_by_doc, undercuts_by_doc
    )
    by_claim = {c.id: c for c in claims}
    for x in contradictions:
        for cid in x.claims:
            c = by_claim[cid]
            if x.id not in c.contradictions:
                c.contradictions.append(x.id)
            for other in x.claims:
                if other != cid and other not in c.contradicts:
                    c.contradicts.append(other)
    return ClaimReport(claims=claims, contradictions=contradictions)


def build_claims(
    docs: Iterable[Any],
    attributions_by_doc: Mapping[str, Sequence[Any]],
    graph: nx.MultiDiGraph | None,
    passages: Sequence[CopiedPassage],
    **kwargs: Any,
) -> list[Claim]:
    """One :class:`Claim` per group of reports of the same statement (see
    :func:`claim_report`, which also returns the contradiction records)."""
    return claim_report(docs, attributions_by_doc, graph, passages, **kwargs).claims
