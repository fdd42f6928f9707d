"""The content of an attribution — which words were said, as character parts — and its venue.

:func:`content_tokens` reads the cue verb's arguments in the parse: its clausal complement, a
"that" clause the parser did not hang on the cue, the text after a colon that closes the cue's
clause, and — for verbs the lexicon marks so — an infinitive, a prepositional object or a direct
object; a parenthetical cue takes the clause it interrupts. :func:`content_parts` turns token runs
into character parts: inside the cue's paragraph, widened to a quotation they end inside, trimmed
(:func:`storyline.annotate.quotes.trim`). :func:`continue_paragraph_quotes` joins a paragraph that
is only a quotation to the attribution that ends the paragraph before it (rule 7), and
:func:`sentence_close` finds where a sentence that goes on after a quote ends (where a following
quote may continue it). :func:`find_venue` reads the recipient or medium ("told Voice of America",
"in an interview with Reuters", "on Twitter"). Parse and text only: no speakers, no certainty.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..records import Range
from .cue_lexicon import CueVerb
from .drafts import FINITE, SENT_END, WH, Ctx, Draft, noun_cue, token_runs, widen
from .quotes import CLOSE_QUOTES, OPEN_QUOTES, Quote, trim

if TYPE_CHECKING:
    from spacy.tokens import Token

__all__ = ["content_parts", "content_tokens", "continue_paragraph_quotes", "find_venue", "sentence_close"]


def _subtree_range(t: Token) -> tuple[int, int]:
    return t.left_edge.i, t.right_edge.i


def content_tokens(ctx: Ctx, t: Token, v: CueVerb, exclude: set[int]) -> tuple[list[int], str] | None:
    """Token indices of the content of cue verb ``t`` and how they were found."""
    doc = ctx.doc
    lo, hi = _subtree_range(t)
    ccomps = [c for c in t.children if c.dep_ == "ccomp" and c.i not in exclude]
    wh = any(
        g.lower_ in WH and g.dep_ in {"dobj", "dative", "nsubj", "attr"} for c in ccomps for g in c.children
    ) or any(c.lower_ in WH and c.dep_ in {"dobj", "dative"} for c in t.children)
    # "echoed what the activists told VoA: …" — the words after a colon that closes the cue's clause
    if hi + 1 < len(doc) and doc[hi + 1].text == ":" and (not ccomps or wh):
        k = hi + 2
        sent_end = _clause_end(ctx, k)
        if sent_end >= k:
            return list(range(k, sent_end + 1)), "colon"
    after = [c for c in ccomps if c.i > t.i]
    that = _that_after(ctx, t)
    if that is not None and not any(c.left_edge.i <= that + 1 <= c.right_edge.i for c in after):
        # "said (earlier on Friday during a news conference) that …" that the parser did not
        # hang on the cue: take the words to the sentence's end
        end = _surface_clause_end(ctx, that + 1)
        if end > that + 1:
            return [i for i in range(that + 1, end + 1) if i not in exclude], "surface"
    if ccomps:
        c = min(after, key=lambda x: x.i) if after else max(ccomps, key=lambda x: x.i)
        start, end = c.left_edge.i, c.right_edge.i
        if not v.dobj and not v.recipient and c.i > t.i:
            # "say the Islamic State’s leadership in its “capital,” Raqqa, are relocating": the parser
            # split the clause's subject off as an object
            objs = [o for o in t.children if o.dep_ == "dobj" and t.i < o.i < start]
            if objs:
                start = objs[0].left_edge.i
        if noun_cue(t) and t.dep_ == "nsubj" and t.head.i > end:
            end = t.head.right_edge.i  # "the portal notes that “…” have been fleeing …"
        toks = [i for i in range(start, end + 1) if i not in exclude]
        if toks:
            return toks, "ccomp"
    if v.xcomp:
        for c in t.children:
            if c.dep_ == "xcomp" and c.i > t.i:
                objs = [o for o in t.children if o.dep_ in {"dobj", "dative"} and o.i < c.i]
                start = objs[0].left_edge.i if objs else c.left_edge.i
                return [i for i in range(start, c.right_edge.i + 1) if i not in exclude], "xcomp"
    if v.preps:  # "called for X", "talked about X"
        for c in t.children:
            if c.dep_ in {"prep", "prt"} and c.lower_ in v.preps and c.i > t.i:
                objs = [o for o in c.children if o.dep_ in {"pobj", "pcomp"}]
                if objs:
                    return [
                        i for i in range(objs[0].left_edge.i, c.right_edge.i + 1) if i not in exclude
                    ], "prep"
            # "called for all candidates to lay out …": "for" parsed as the clause's marker
            if (
                c.dep_ in {"advcl", "ccomp", "xcomp"}
                and c.i > t.i
                and doc[c.left_edge.i].lower_ in v.preps
                and c.left_edge.i == t.i + 1 + sum(1 for x in doc[t.i + 1 : c.left_edge.i] if x.dep_ == "prt")
            ):
                return [i for i in range(c.left_edge.i + 1, c.right_edge.i + 1) if i not in exclude], "prep"
    if v.dobj:
        objs = [c for c in t.children if c.dep_ in {"dobj", "oprd"} and c.i > t.i and c.lower_ not in WH]
        if objs and not any(c.dep_ == "dobj" for c in objs) and len(objs) < 2:
            objs = []  # a lone predicate ("called crazy") without what it is said of
        if v.dobj_as and not any(p.dep_ in {"prep", "oprd"} and p.lower_ == "as" for p in t.children):
            objs = []  # "cast formal ballots": an act, not a characterisation
        for c in objs[:1]:
            if not (c.tag_ == "PRP" and not any(x.dep_ in {"oprd", "xcomp"} for x in t.children)):
                end = max(o.right_edge.i for o in objs)
                # "describes those fleeing as “…”", "called him “a total stiff”",
                for p in t.children:
                    # "accused Republicans of placing …"
                    if (
                        p.dep_ == "prep"
                        and p.lower_ in {"as", "of", "for"}
                        or p.dep_ in {"oprd", "xcomp", "ccomp"}
                    ) and p.i > end:
                        end = p.right_edge.i
                toks = [i for i in range(c.left_edge.i, end + 1) if i not in exclude]
                if len(toks) >= 2:
                    return toks, "dobj"
    if t.dep_ == "parataxis" and t.head.i != t.i and ctx.lex.verbs.get(t.head.lower_) is None:
        h = t.head
        toks = [
            i for i in range(h.left_edge.i, h.right_edge.i + 1) if not (lo <= i <= hi) and i not in exclude
        ]
        if toks:
            return toks, "parataxis"
    return None


def _that_after(ctx: Ctx, t: Token) -> int | None:
    """A complementiser "that" within eight tokens after the cue with only adverbials between
    ("said earlier on Friday during a news conference that …")."""
    doc = ctx.doc
    for j in range(t.i + 1, min(len(doc), t.i + 9)):
        w = doc[j]
        if w.lower_ == "that":
            nxt = doc[j + 1] if j + 1 < len(doc) else None
            if nxt is None or nxt.is_punct or nxt.tag_ in FINITE or nxt.tag_.startswith("VB"):
                return None  # "that" as a pronoun: "said that."/"said that was wrong" is not a clause here
            return j
        if (
            w.tag_ in FINITE
            or w.tag_.startswith("VB")
            or w.is_punct
            and w.text not in {","}
            or w.text in OPEN_QUOTES
            or w.text == '"'
        ):
            return None
    return None


def _surface_clause_end(ctx: Ctx, k: int) -> int:
    """Last token before the sentence-final punctuation that follows token ``k`` (quotation
    marks tracked, so a full stop inside a quote does not end the clause), within the paragraph."""
    doc = ctx.doc
    inside = False
    j = k
    while j < len(doc):
        t = doc[j]
        if t.is_space and "\n" in t.text or (j > k and "\n\n" in doc[j - 1].whitespace_):
            return j - 1
        if t.text in OPEN_QUOTES or t.text in CLOSE_QUOTES or t.text == '"':
            inside = t.text in OPEN_QUOTES or (t.text == '"' and not inside)
        elif t.text in SENT_END and not inside:
            return j - 1
        j += 1
    return len(doc) - 1


def _clause_end(ctx: Ctx, k: int) -> int:
    """Last token of the sentence that holds token ``k`` (or of its paragraph, whichever first)."""
    doc = ctx.doc
    if k >= len(doc):
        return k - 1
    s_end = ctx.sentence(doc[k].idx, doc[k].idx)[1]
    j = k
    while (
        j + 1 < len(doc)
        and doc[j + 1].idx < s_end
        and "\n" not in doc[j].whitespace_
        and "\n" not in doc[j + 1].text
    ):
        j += 1
    return j


def find_venue(ctx: Ctx, t: Token, v: CueVerb | None) -> tuple[str | None, Range | None]:
    doc = ctx.doc
    lex = ctx.lex
    text = ctx.text

    def span_of(lo: int, hi: int) -> tuple[str, Range]:
        # the noun phrase up to its head: "ARA News" of "ARA News in Hasakah, Abu Abdullah, …"
        head = doc[hi]
        for x in range(lo, hi + 1):
            if doc[x].head.i > hi or doc[x].head.i < lo or doc[x].head.i == x:
                head = doc[x]
                break
        hi = max(lo, min(hi, head.i))
        s, e = ctx.chars(lo, hi)
        s, e = widen(ctx, s, e)
        s, e = trim(text, s, e, that=False)
        return text[s:e], (s, e)

    if v is not None and v.recipient:
        for c in t.children:
            if c.dep_ in {"dobj", "dative", "iobj"} and c.lower_ not in WH and c.i > t.i and c.tag_ != "WP":
                hi = c.right_edge.i
                # "told Voice of America that …": stop before the content clause
                hi = min(
                    [hi] + [x.left_edge.i - 1 for x in c.children if x.dep_ in {"ccomp", "relcl", "acl"}]
                )
                return span_of(c.left_edge.i, max(c.i, hi))
    for c in t.children:
        if (
            c.dep_ == "prep"
            and c.lower_ == "to"
            and v is not None
            and v.lemma in {"say", "write", "explain", "speak", "talk", "describe"}
        ):
            for p in c.children:
                if p.dep_ == "pobj":
                    return span_of(p.left_edge.i, p.right_edge.i)
    for c in t.children:  # "Speaking to ARA News in Hasakah, X said"
        if c.dep_ == "advcl" and c.lower_ in lex.speaking_verbs:
            for p in c.children:
                if p.dep_ == "prep" and p.lower_ in {"to", "with"}:
                    for o in p.children:
                        if o.dep_ == "pobj":
                            return span_of(o.left_edge.i, o.right_edge.i)
                if p.dep_ in {"dobj", "dative"}:
                    return span_of(p.left_edge.i, p.right_edge.i)
    for c in t.children:
        if c.dep_ == "prep" and c.lower_ in {"at", "in", "on", "during", "via", "through", "over"}:
            for p in c.children:
                if p.dep_ != "pobj":
                    continue
                head = p.lower_
                if head in lex.platforms:
                    return span_of(p.i, p.i)
                if head in lex.venue_nouns:
                    for w in p.children:  # "in an interview with Reuters"
                        if w.dep_ == "prep" and w.lower_ == "with":
                            for o in w.children:
                                if o.dep_ == "pobj":
                                    return span_of(o.left_edge.i, o.right_edge.i)
                    return span_of(p.left_edge.i, p.i)
    if v is not None and v.venue:
        return v.venue, None
    return None, None


def continue_paragraph_quotes(ctx: Ctx, drafts: list[Draft], orphans: Sequence[Quote]) -> None:
    """A paragraph that is nothing but a quotation, right after a paragraph whose last sentence
    attributes something to a speaker, continues that speaker ("Graham said he would … \n\n
    “The answer to me …”"): the quote joins that attribution's content."""
    text = ctx.text
    for q in orphans:
        line_start = text.rfind("\n", 0, q.start) + 1
        if text[line_start : q.start].strip() or line_start == 0:
            continue
        para_end = text.rfind("\n", 0, line_start - 1)
        para_end = line_start - 1 if para_end < 0 else para_end
        best: Draft | None = None
        best_end = -1
        for d in drafts:
            if d.speaker is None:
                continue
            end = max(max(p[1] for p in d.parts), d.cue[1], d.speaker[1])
            if end <= q.start and end > best_end:
                best, best_end = d, end
        if best is None:
            continue
        gap = text[sentence_close(ctx, best_end) if best_end < len(text) else best_end : q.start]
        if re.fullmatch(r"[\s”\"»’)]*", gap) and "\n" in gap:
            inner = [trim(text, s, e, that=False) for s, e in q.parts]
            best.parts.extend((s, e) for s, e in inner if e > s)


def sentence_close(ctx: Ctx, i: int) -> int:
    """Where the sentence that goes on at ``i`` ends: after its final punctuation, before a
    quotation mark that opens a new quote, or at the paragraph's end."""
    m = re.compile(r"[.!?]+|[“„«\"]|\n").search(ctx.text, i)
    if m is None:
        return len(ctx.text)
    return m.end() if m.group(0)[0] in ".!?" else m.start()


def content_parts(ctx: Ctx, toks: Iterable[int], anchor: int) -> list[Range]:
    """Character parts for content tokens: runs of tokens, kept inside the paragraph of
    ``anchor`` (the cue), widened to whole quotations they end inside, then trimmed."""
    text = ctx.text
    lo_p = (
        ctx.para_breaks[bisect_right(ctx.para_breaks, anchor) - 1]
        if bisect_right(ctx.para_breaks, anchor)
        else 0
    )
    k = bisect_right(ctx.para_breaks, anchor)
    hi_p = ctx.para_breaks[k] if k < len(ctx.para_breaks) else len(text)
    out: list[Range] = []
    for a, b in token_runs(toks):
        s, e = ctx.chars(a, b)
        s, e = max(s, lo_p), min(e, hi_p)
        if e <= s:
            continue
        for q in ctx.quotes:
            if q.start >= s and q.start < e < q.end and q.end <= hi_p:
                e = q.end  # “Daesh is on the run [and] being degraded …” cut by the parse
        s, e = trim(text, s, e)
        if e > s:
            out.append((s, e))
    return out
