"""The working state of attribution extraction: the per-document context every rule reads
(:class:`Ctx`) and an attribution while it is being built (:class:`Draft`).

:func:`build_context` reads a parsed Doc once: token offsets, sentence and paragraph bounds, the
lede's end, the quotes (:func:`storyline.annotate.quotes.find_quotes`), the entity mentions sorted
for bisection, and the candidate tokens — those whose lower-case form is a cue word, found by hash
over the Doc's ``LOWER`` array, so that no rule walks every token. Also here: the parse predicates
that the cue rules (:mod:`storyline.annotate.cues`), the speaker finder
(:mod:`storyline.annotate.speaker_phrases`) and the content finder
(:mod:`storyline.annotate.content`) share (is a token verbal, a cue the tagger took for a plural
noun, runs of token indices, a span widened to whole entity mentions) and :func:`holders`, the
bisection that tells which drafts' parts hold a position. Apart so that those modules depend on
this one and not on each other.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from ..records import Range
from .certainty import CertaintyCue
from .cue_lexicon import CueLexicon, cue_lexicon
from .quotes import Quote, find_quotes

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from .entities import EntityMention

__all__ = [
    "Ctx",
    "Draft",
    "FINITE",
    "PRONOUNS",
    "SENT_END",
    "SUBJ",
    "WH",
    "build_context",
    "holders",
    "is_verb",
    "noun_cue",
    "noun_cue_subject",
    "token_runs",
    "verbal",
    "widen",
]


FINITE = frozenset({"VBD", "VBZ", "VBP", "MD"})
SENT_END = frozenset({".", "!", "?"})
SUBJ = frozenset({"nsubj", "csubj"})
PRONOUNS = {
    "he": "person",
    "she": "person",
    "him": "person",
    "her": "person",
    "they": "plural",
    "them": "plural",
    "it": "thing",
    "i": "self",
    "we": "self",
    "you": "self",
}
WH = frozenset(
    {"what", "which", "who", "whom", "whatever", "this", "that", "it", "so", "something", "nothing"}
)


@dataclass(slots=True)
class Ctx:
    doc: Doc
    text: str
    lex: CueLexicon
    starts: list[int]
    mentions: list[EntityMention]
    mention_starts: list[int]
    sent_starts: list[int]
    sent_ends: list[int]
    para_breaks: list[int]
    lede_end: int
    quotes: list[Quote]
    cands: list[int]  # indices of tokens whose lower-case form a rule starts from

    def candidates(self) -> Iterable[Token]:
        doc = self.doc
        return (doc[i] for i in self.cands)

    def tok_at(self, char: int) -> int:
        """Index of the token that holds or follows ``char``."""
        return max(0, bisect_right(self.starts, char) - 1) if char < len(self.text) else len(self.doc)

    def tok_after(self, char: int) -> int:
        return bisect_left(self.starts, char)

    def chars(self, i: int, j: int) -> Range:
        """Character span of tokens ``i..j`` inclusive."""
        t = self.doc[j]
        return self.doc[i].idx, t.idx + len(t.text)

    def mention_for(self, s: int, e: int) -> list[EntityMention]:
        lo = bisect_left(self.mention_starts, s - 200)
        hi = bisect_left(self.mention_starts, e)  # later mentions start at or after e
        return [m for m in self.mentions[lo:hi] if m.start < e and m.end > s][:12] if self.mentions else []

    def sentence(self, s: int, e: int) -> Range:
        if not self.sent_starts:
            return (s, e)
        i = max(0, bisect_right(self.sent_starts, s) - 1)
        j = max(i, bisect_left(self.sent_ends, e))
        j = min(j, len(self.sent_ends) - 1)
        return self.sent_starts[i], max(self.sent_ends[j], e)

    def same_paragraph(self, a: int, b: int) -> bool:
        return bisect_right(self.para_breaks, a) == bisect_right(self.para_breaks, b)


@dataclass(slots=True)
class Draft:
    """An attribution while it is being built."""

    kind: str
    cue: Range
    cue_lemma: str
    parts: list[Range]
    speaker: Range | None = None
    speaker_phrase: Range | None = None  # the whole noun phrase, appositions and relative clauses included
    speaker_tokens: tuple[int, ...] = ()  # head token indices of the speaker phrase
    venue: str | None = None
    venue_span: Range | None = None
    cue_tok: int = -1
    cue_cert: str | None = None
    cue_class: str = "speech"
    cue_hedges: list[CertaintyCue] = field(default_factory=list)
    negated: bool = False
    parent: int | None = None  # explicit outer (draft index)
    quote_end: int = -1  # for direct quotes: end of the region the attribution covers (for continuations)


def token_runs(tokens: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive token indices as inclusive runs."""
    out: list[tuple[int, int]] = []
    for i in sorted(set(tokens)):
        if out and out[-1][1] == i - 1:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return out


def is_verb(t: Token) -> bool:
    return t.tag_.startswith("VB") or t.pos_ in {"VERB", "AUX"}


def noun_cue(t: Token) -> bool:
    """A cue verb the tagger took for a plural noun: "the Times notes, …", "the portal notes that …"."""
    return (
        t.tag_ in {"NNS", "NN", "NNP", "NNPS"}
        and t.lower_.endswith("s")
        and any(c.dep_ in {"ccomp", "advcl"} for c in t.children)
    )


def verbal(t: Token) -> bool:
    return is_verb(t) or noun_cue(t)


_NP_LEFT = frozenset({"compound", "det", "amod", "poss", "nmod", "case", "nummod", "punct"})


def noun_cue_subject(t: Token) -> tuple[int, int] | None:
    """The words before a noun-tagged cue that name the speaker: "the Times" in "the Times notes"."""
    doc = t.doc
    lo = t.i
    while (
        lo - 1 >= 0
        and doc[lo - 1].dep_ in _NP_LEFT
        and lo - 1 <= doc[lo - 1].head.i <= t.i
        and doc[lo - 1].text not in {",", "“", "”", '"'}
    ):
        lo -= 1
    return (lo, t.i - 1) if lo < t.i else None


def widen(ctx: Ctx, s: int, e: int) -> Range:
    for m in ctx.mention_for(s, e):
        if m.start < s < m.end:
            s = m.start
        if m.start < e < m.end:
            e = m.end
    return s, e


def build_context(doc: Doc, entities: Sequence[EntityMention]) -> Ctx:
    text = doc.text
    arr = doc.to_array(["SENT_START", "IDX", "LENGTH"]).tolist()
    starts_tok = [i for i, row in enumerate(arr) if row[0] == 1 or i == 0]
    sents = [
        (arr[a][1], arr[b - 1][1] + arr[b - 1][2]) for a, b in zip(starts_tok, [*starts_tok[1:], len(arr)])
    ]
    paras = [m.start() for m in re.finditer(r"\n[ \t\r\f\v]*\n", text)]
    lede_end = paras[0] if paras else (sents[0][1] if sents else len(text))
    mentions = sorted(entities, key=lambda m: (m.start, -m.end))
    lex = cue_lexicon()
    lowers = doc.to_array("LOWER")
    wanted = _wanted_hashes()
    cands = [int(i) for i, h in enumerate(lowers.tolist()) if h in wanted]
    return Ctx(
        doc,
        text,
        lex,
        [row[1] for row in arr],
        mentions,
        [m.start for m in mentions],
        [s for s, _ in sents],
        [e for _, e in sents],
        paras,
        lede_end,
        find_quotes(text),
        cands,
    )


@cache
def _wanted_hashes() -> frozenset[int]:
    """Hashes of the lower-case words a rule starts from: cue verbs and nouns, adverbs, "according"."""
    from spacy.strings import hash_string  # type: ignore[attr-defined]  # missing from spaCy's strings.pyi

    lex = cue_lexicon()
    words = set(lex.verbs) | set(lex.nouns) | set(lex.adverbs) | {"according"}
    return frozenset(hash_string(w) for w in words)


def holders(parts: Iterable[tuple[int, int, int]]) -> Any:
    """``x -> owners of the parts (a, b, owner) with a <= x <= b``, ascending: a bisection within
    the longest part's reach instead of a scan over every draft for every draft (that scan made
    attributions quadratic on long documents)."""
    items = sorted(parts)
    starts = [a for a, _, _ in items]
    reach = max((b - a for a, b, _ in items), default=0)

    def owners(x: int) -> list[int]:
        lo, hi = bisect_left(starts, x - reach), bisect_right(starts, x)
        return sorted({o for a, b, o in items[lo:hi] if a <= x <= b})

    return owners
