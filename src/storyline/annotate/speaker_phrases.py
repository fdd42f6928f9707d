"""The speaker's words for a cue: which tokens of the parse name who said it.

:func:`speaker_range` reads the cue verb's subject (a passive's ``by`` agent; a relative pronoun
kept as it is, resolved to its noun later), the subject that a participle or a coordinated verb
inherits (``…, noting that``; after ``cites X`` the participle's speaker is X), the words before a
cue the tagger took for a noun ("the Times notes"), or — when the parser lost the subject — the
nearest named entity before the cue in its clause. :func:`surface_after` reads the noun phrase
after an inverted cue ("…,” said X on Thursday"). :func:`set_speaker` records the result on a
draft: the whole phrase as written (``speaker_phrase``: widened to whole entity mentions, kept to
the cue's paragraph and to its side of a line break, a dateline dropped) and its core
(``speaker``: without appositions, relative clauses, ages and places; the name when an apposition
names the described person).

Which words, not who: what they refer to (pronouns, "the official", surnames) is decided by
:mod:`storyline.annotate.speakers` once every draft exists.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..records import Range
from .cue_lexicon import CueLexicon
from .drafts import FINITE, SUBJ, Ctx, Draft, is_verb, noun_cue, noun_cue_subject, token_runs, widen
from .quotes import trim

if TYPE_CHECKING:
    from spacy.tokens import Token

__all__ = ["RELATIVE", "set_speaker", "speaker_range", "subjects", "surface_after"]


def subjects(t: Token) -> list[Token]:
    return [c for c in t.children if c.dep_ in SUBJ or c.dep_ == "nsubjpass"]


def _agent(t: Token) -> Token | None:
    for c in t.children:
        if c.dep_ == "agent":
            for g in c.children:
                if g.dep_ == "pobj":
                    return g
    return None


def _np_range(heads: Sequence[Token], exclude: set[int]) -> tuple[int, int] | None:
    toks = [i for h in heads for i in range(h.left_edge.i, h.right_edge.i + 1) if i not in exclude]
    if not toks:
        return None
    # keep the run that holds the first head (a subject subtree never spans the cue)
    runs = token_runs(toks)
    anchor = heads[0].i
    for a, b in runs:
        if a <= anchor <= b:
            lo, hi = a, b
            # join runs separated only by punctuation ("Iraq’s then Minister, Khalid …")
            for a2, b2 in runs:
                if a2 > hi and all(not x.is_alpha for x in heads[0].doc[hi + 1 : a2]) and a2 - hi <= 2:
                    hi = b2
            return lo, hi
    return runs[0]


def _inherited_speaker(t: Token, lex: CueLexicon) -> tuple[list[Token], tuple[int, int] | None, int | None]:
    """(subject heads, explicit token range, cite-verb token) for a cue without a subject."""
    cur = t
    for _ in range(5):
        dep = cur.dep_
        head = cur.head
        if head is cur:
            return [], None, None
        if dep == "advcl" and noun_cue(head):
            rng = noun_cue_subject(head)
            return ([head.doc[head.i - 1]], rng, None) if rng else ([], None, None)
        if dep == "relcl" or dep == "acl":
            if (
                head.tag_ in {"NNP", "NNPS"}
                or head.lower_ in lex.person_nouns
                or head.lower_ in lex.outlet_nouns
                or head.lower_ in lex.document_nouns
                or head.lower_ in lex.organization_nouns
            ):
                lo = head.left_edge.i
                hi = head.i
                for c in head.children:  # "a leader of the SDF stating …": keep the noun's own modifiers
                    if (
                        c.i > head.i
                        and c.dep_ in {"prep", "appos", "compound", "punct"}
                        and c.i < cur.left_edge.i
                    ):
                        hi = max(hi, c.right_edge.i)
                return [head], (lo, hi), None
            return [], None, None
        if dep in {"advcl", "xcomp", "conj", "pcomp", "prep", "ccomp", "dep", "parataxis"}:
            if dep in {"ccomp", "parataxis"} and cur is t:
                return [], None, None  # a clause of its own: no inherited subject
            v = lex.verbs.get(head.lower_)
            if v is not None and v.lemma == "cite" and dep == "advcl":
                objs = [c for c in head.children if c.dep_ in {"dobj", "dative"}]
                if objs:
                    lo = objs[0].left_edge.i
                    hi = (
                        max(c.right_edge.i for c in head.children if lo <= c.i < cur.left_edge.i)
                        if any(lo <= c.i < cur.left_edge.i for c in head.children)
                        else objs[0].right_edge.i
                    )
                    hi = max(hi, objs[0].right_edge.i)
                    return [objs[0]], (lo, min(hi, cur.left_edge.i - 1)), head.i
            subj = subjects(head)
            if subj:
                return subj, None, None
            cur = head
            continue
        return [], None, None
    return [], None, None


def surface_after(ctx: Ctx, i: int, limit: int) -> tuple[int, int] | None:
    """The noun phrase right after token ``i`` (inverted "…,” said X on Thursday")."""
    doc = ctx.doc
    j = i + 1
    stop = {
        "on",
        "in",
        "at",
        "last",
        "earlier",
        "this",
        "yesterday",
        "today",
        "during",
        "after",
        "before",
        "when",
        "while",
        "according",
        "late",
        "early",
        "told",
        "said",
        "adding",
        "noting",
        "citing",
        "via",
    }
    end = j - 1
    k = j
    while k < min(len(doc), limit):
        t = doc[k]
        if (
            t.text in {",", ".", ";", ":", "!", "?", "“", '"', "—"}
            or "\n" in t.text
            or "\n" in doc[k - 1].whitespace_
        ):
            break
        if t.lower_ in stop and k > j:
            inside = ctx.mention_for(t.idx, t.idx + len(t.text))
            if not inside:
                break
        if t.text == "(":
            close = next((x for x in range(k, min(len(doc), k + 12)) if doc[x].text == ")"), None)
            if close is None:
                break
            end = close
            k = close + 1
            continue
        end = k
        k += 1
    return (j, end) if end >= j else None


def speaker_range(
    ctx: Ctx, t: Token, exclude: set[int]
) -> tuple[tuple[int, int] | None, list[Token], bool, int | None]:
    """(token range, head tokens, passive-without-speaker, cite verb) for cue verb ``t``."""
    subj = subjects(t)
    if subj:
        passive = all(s.dep_ == "nsubjpass" for s in subj)
        if passive:
            agent = _agent(t)
            if agent is not None:
                return _np_range([agent], exclude), [agent], False, None
            return None, [], True, None
        if subj[0].lower_ in RELATIVE:
            return (subj[0].i, subj[0].i), [subj[0]], False, None  # resolved to its antecedent later
        subj = [x for x in subj if x.ent_type_ not in {"DATE", "TIME"}]  # "Tuesday … said": a misparse
        if subj:
            return _np_range(subj, exclude | {t.i}), subj, False, None
    if not is_verb(t):
        rng = noun_cue_subject(t)
        return rng, [t.doc[t.i - 1]] if rng else [], False, None
    heads, rng, cite = _inherited_speaker(t, ctx.lex)
    if rng is not None:
        return rng, heads, False, cite
    if heads:
        return _np_range(heads, exclude | {t.i}), heads, False, cite
    if t.dep_ in {"ROOT", "conj"} or t.head is t:
        before = _surface_before(ctx, t)
        if before is not None:
            return before[0], [before[1]], False, None
    return None, [], False, None


def _surface_before(ctx: Ctx, t: Token) -> tuple[tuple[int, int], Token] | None:
    """A subject the parser lost: the nearest person or organisation named before the cue in the
    same clause ("Speaking to ARA News in Hasakah, Abu Abdullah, a displaced man …, said")."""
    doc = ctx.doc
    lo = t.i - 1
    while (
        lo > 0
        and t.i - lo < 25
        and doc[lo].tag_ not in FINITE
        and doc[lo].text not in {";", ".", "!", "?"}
        and not doc[lo].is_sent_start
    ):
        lo -= 1
    start_c = doc[lo].idx
    end_c = doc[t.i].idx
    ms = [m for m in ctx.mention_for(start_c, end_c) if m.start >= start_c and m.end <= end_c]
    if not ms:
        return None
    m = ms[-1]
    a = ctx.tok_at(m.phrase_start)
    hi = t.i - 1
    while hi > a and not doc[hi].is_alpha:
        hi -= 1
    return (a, hi), doc[ctx.tok_at(m.end - 1)]


_KEEP_RIGHT = frozenset(
    {
        "prep",
        "compound",
        "conj",
        "cc",
        "nummod",
        "poss",
        "case",
        "nmod",
        "pobj",
        "amod",
        "det",
        "quantmod",
        "predet",
        "hmod",
        "hyph",
    }
)
_DATELINE = re.compile(
    r"\A[A-Z][A-Z .,'’\-]+(?:,\s*[A-Z][a-z.]+(?:\s[A-Z][a-z.]+)?)?\s*(?:\([^)]{1,30}\))?\s*[–—-]+\s*"
)


def _core(ctx: Ctx, lo: int, hi: int, heads: Sequence[Token]) -> tuple[int, int]:
    """The speaker's name or description without appositions, relative clauses, ages and places
    ("Woodrow Benford, 58, who lives outside Minneapolis" → "Woodrow Benford"); an apposition
    that is a name wins over a description ("The head of the Super PAC, Mike Murphy" → "Mike
    Murphy")."""
    doc = ctx.doc
    inside = [h for h in heads if lo <= h.i <= hi]
    if len(inside) != 1:
        return lo, hi
    head = inside[0]
    named = any(m.start <= head.idx < m.end for m in ctx.mention_for(head.idx, head.idx + 1))
    if not named:
        for c in head.children:
            if (
                c.dep_ == "appos"
                and c.i > head.i
                and c.i <= hi
                and any(m.start <= c.idx < m.end for m in ctx.mention_for(c.idx, c.idx + 1))
            ):
                return _core(ctx, c.left_edge.i, min(hi, c.right_edge.i), [c])
    right = head.i
    for c in sorted(head.children, key=lambda x: x.i):
        if c.i < head.i:
            continue
        if c.dep_ in _KEEP_RIGHT:
            right = max(right, min(hi, c.right_edge.i))
        elif c.dep_ != "punct":
            break
    left = lo
    for c in sorted(head.children, key=lambda x: x.i):
        if c.i < head.i and c.dep_ in {"advcl", "npadvmod", "prep", "parataxis"} and c.right_edge.i < head.i:
            left = max(left, c.right_edge.i + 1)
    while left < right and not (doc[left].is_alpha or doc[left].is_digit or doc[left].text[:1].isalnum()):
        left += 1
    return left, max(left, right)


def set_speaker(ctx: Ctx, d: Draft, rng: tuple[int, int], heads: Sequence[Token], anchor: int) -> None:
    """Record the speaker of draft ``d``: the whole phrase (token range ``rng``) and its core."""
    text = ctx.text
    s, e = ctx.chars(*rng)
    s, e = trim(
        text, *_clip_to_line(text, *_clip_to_paragraph(ctx, *widen(ctx, s, e), anchor), anchor), that=False
    )
    if e <= s:
        return
    m = _DATELINE.match(text, s, e)
    if m is not None and m.end() < e:
        s = m.end()  # "RENO, Nev. (AP) — Republican presidential hopeful Donald Trump"
    d.speaker_phrase = (s, e)
    lo, hi = ctx.tok_at(s), ctx.tok_at(e - 1)
    clo, chi = _core(ctx, lo, hi, heads)
    cs, ce = ctx.chars(clo, chi)
    cs, ce = trim(text, *widen(ctx, max(cs, s), min(ce, e)), that=False)
    d.speaker = (cs, ce) if ce > cs else (s, e)
    d.speaker_tokens = tuple(h.i for h in heads)


def _clip_to_paragraph(ctx: Ctx, s: int, e: int, anchor: int) -> Range:
    k = bisect_right(ctx.para_breaks, anchor)
    lo = ctx.para_breaks[k - 1] if k else 0
    hi = ctx.para_breaks[k] if k < len(ctx.para_breaks) else len(ctx.text)
    return max(s, lo), min(e, hi)


def _clip_to_line(text: str, s: int, e: int, anchor: int) -> Range:
    """A speaker never crosses a line break that cleaning kept: the side of it nearer the cue."""
    nl = text.find("\n", s, e)
    if nl < 0:
        return s, e
    if anchor >= e:
        return text.rfind("\n", s, e) + 1, e
    return s, nl


RELATIVE = frozenset({"who", "that", "which", "whom"})
