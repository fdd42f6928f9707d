"""The attribution rules: from quotation marks and cue words to draft attributions (rules 1–6 of
:mod:`storyline.annotate.attribution`, in the order it runs them).

:func:`quote_attributions` pairs each quote with a cue after it (``“…,” he said``) or before it
(``X said: “…”``) — :func:`_cue_after` and :func:`_cue_before` decide what may stand between —
and joins a quote with no cue of its own to the previous quote of the same speaker;
:func:`verb_attributions` reads each cue verb's speaker (:mod:`storyline.annotate.speaker_phrases`)
and content (:mod:`storyline.annotate.content`), passives and "cites X … stating" included;
:func:`according_to_attributions`, :func:`noun_attributions` ("claims that …"),
:func:`adverbial_attributions` ("reportedly") and :func:`label_attributions` ("Reports: …",
"Matthews: …") do the rest. Each rule appends :class:`~storyline.annotate.drafts.Draft` records
and marks the cue tokens it used, so no later rule takes a cue twice; which words are cues is
data (:mod:`storyline.annotate.cue_lexicon`). Candidates only: speakers are resolved and
certainty decided afterwards (:mod:`storyline.annotate.speakers`,
:mod:`storyline.annotate.finishing`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..records import Range
from .certainty import CertaintyCue, certainty_cues
from .content import content_parts, content_tokens, find_venue, sentence_close
from .cue_lexicon import CueVerb
from .drafts import FINITE, PRONOUNS, SENT_END, SUBJ, WH, Ctx, Draft, is_verb, verbal, widen
from .quotes import CLOSE_QUOTES, OPEN_QUOTES, Quote, trim
from .speaker_phrases import set_speaker, speaker_range, subjects, surface_after

if TYPE_CHECKING:
    from spacy.tokens import Token

__all__ = [
    "according_to_attributions",
    "adverbial_attributions",
    "label_attributions",
    "noun_attributions",
    "quote_attributions",
    "verb_attributions",
]


def quote_attributions(
    ctx: Ctx, drafts: list[Draft], used: dict[int, int], covered: list[Range]
) -> list[Quote]:
    """Rule 1; returns the quotes left without a speaker (for :func:`continue_paragraph_quotes`)."""
    doc, text, lex = ctx.doc, ctx.text, ctx.lex
    orphans: list[Quote] = []
    for q in ctx.quotes:
        inner = [trim(text, s, e, that=False) for s, e in q.parts]
        inner = [(s, e) for s, e in inner if e > s]
        if not inner:
            continue
        words = sum(len(text[s:e].split()) for s, e in inner)
        first_tok = ctx.tok_at(q.start)
        sent_initial = (
            first_tok == 0
            or doc[first_tok].is_sent_start
            or re.search(r"(?:^|[.!?:\n]\s*)\Z", text[max(0, q.start - 3) : q.start]) is not None
        )
        trailing = text[max(q.start, q.end - 3) : q.end]
        if words < 3 and not (sent_initial and re.search(r"[,?!]", trailing)):
            continue  # a scare quote or a quoted term: "caliph", “dozens”
        # continuation of the previous direct quote: “A,” he said. “B.” / “A,” he said, “B.”
        prev = drafts[-1] if drafts and drafts[-1].kind == "direct_quote" else None
        after = _cue_after(ctx, q)
        before = None if after is not None and not _colon_before(text, q.start) else _cue_before(ctx, q)
        if before is not None and after is not None:
            after = None
        cue_i = after if after is not None else before
        if cue_i is not None and cue_i in used:
            joined = drafts[used[cue_i]]
            joined.parts.extend(inner)
            joined.quote_end = max(joined.quote_end, q.end)
            covered.append((q.start, q.end))
            continue
        if cue_i is None:
            # nothing but punctuation or white space (a paragraph break included) since the
            # previous attributed quote's sentence ended: the same speaker goes on
            if (
                prev is not None
                and prev.quote_end >= 0
                and q.start >= prev.quote_end
                and re.fullmatch(r"[\s,.;:—–-]*", text[prev.quote_end : q.start])
            ):
                prev.parts.extend(inner)
                prev.quote_end = q.end
                covered.append((q.start, q.end))
            else:
                orphans.append(q)
            continue
        t = doc[cue_i]
        v = lex.verbs.get(t.lower_)
        if v is None and t.lower_ != "according":
            v = _generic_verb(t)
        qtoks = set(range(ctx.tok_at(q.start), ctx.tok_after(q.end)))
        if v is None:  # “…,” according to X
            d = _according_draft(ctx, t, inner, "direct_quote")
            if d is None:
                continue
        else:
            spk, heads, _, _ = speaker_range(ctx, t, qtoks)
            if spk is not None and (doc[spk[0]].idx >= q.start and doc[spk[1]].idx < q.end):
                spk = None  # a subject inside the quote is the parser's mistake
            if spk is None and after is not None:
                k = ctx.tok_after(q.end)
                while k < cue_i and not doc[k].is_alpha:
                    k += 1
                spk = (k, cue_i - 1) if k < cue_i else surface_after(ctx, cue_i, cue_i + 30)
                heads = [doc[spk[1]]] if spk is not None else []
            cue_r = _cue_span(ctx, t, v)
            venue, venue_span = find_venue(ctx, t, v)
            d = Draft(
                "direct_quote",
                cue_r,
                v.norm,
                list(inner),
                cue_tok=t.i,
                cue_cert=v.certainty,
                cue_class=v.cls,
                venue=venue,
                venue_span=venue_span,
                negated=_negated(t),
            )
            if spk is not None:
                set_speaker(ctx, d, spk, heads, t.idx)
            d.cue_hedges = _cue_hedges(ctx, t)
        end_tok = max(cue_i, ctx.tok_at(d.speaker[1] - 1) if d.speaker else cue_i)
        d.quote_end = (
            sentence_close(ctx, doc[end_tok].idx + len(doc[end_tok].text)) if after is not None else q.end
        )
        used[cue_i] = len(drafts)
        drafts.append(d)
        covered.append((q.start, q.end))
    return orphans


def _colon_before(text: str, start: int) -> bool:
    return re.search(r":\s*\Z", text[max(0, start - 3) : start]) is not None


def _cue_after(ctx: Ctx, q: Quote) -> int | None:
    doc, lex = ctx.doc, ctx.lex
    k = ctx.tok_after(q.end)
    if k >= len(doc):
        return None
    inner_end = q.parts[-1][1]
    closed_sentence = re.search(r"[.!?]\W*\Z", ctx.text[max(q.start, inner_end - 2) : q.end]) is not None
    while k < len(doc) and doc[k].text in {",", "”", '"', "»"}:
        k += 1
    if k < len(doc) and closed_sentence and not doc[k].is_lower and doc[k].lower_ not in PRONOUNS:
        return None  # “… .” New sentence — unless it goes on in lower case ("he said")
    for j in range(k, min(len(doc), k + 40)):
        t = doc[j]
        if (
            t.text in SENT_END
            or t.text in OPEN_QUOTES
            or t.text == '"'
            or "\n" in t.text
            or (j > k and "\n" in doc[j - 1].whitespace_)
        ):
            return None
        if t.lower_ == "according" and j + 1 < len(doc) and doc[j + 1].lower_ == "to":
            return j if j == k else None
        v = lex.verbs.get(t.lower_)
        if v is not None and (
            verbal(t) or (t.tag_ in {"NNS", "NN"} and j + 1 < len(doc) and doc[j + 1].is_punct)
        ):
            if j > k and (
                any(c.dep_ == "ccomp" and c.i > j and not _in_quote(ctx, c.idx) for c in t.children)
                or (j + 1 < len(doc) and doc[j + 1].lower_ == "that")
            ):
                # "…” Rep. Issa said Clinton’s judgment is …": the cue has a clause of its own
                return None
            if doc[k].lower_ in {"and", "but", "or"}:
                return None
            between = range(k, j)
            if all(
                not (
                    doc[b].tag_ in FINITE and not _modifier_clause(doc[b], t) and not _in_mention(ctx, doc[b])
                )
                for b in between
            ):
                return j
            return None
        if t.tag_ in FINITE and not _modifier_clause(t, None) and j > k and not _in_mention(ctx, t):
            return None
    return None


def _in_quote(ctx: Ctx, i: int) -> bool:
    return any(q.start < i < q.end for q in ctx.quotes)


def _in_mention(ctx: Ctx, t: Token) -> bool:
    """A token inside an entity's name ("Is" in "Raqqa Is Being Slaughtered Silently")."""
    return any(m.start <= t.idx < m.end for m in ctx.mention_for(t.idx, t.idx + 1))


def _modifier_clause(t: Token, stop: Token | None) -> bool:
    cur = t
    for _ in range(8):
        if stop is not None and cur.i == stop.i:
            return False
        if cur.dep_ in {"relcl", "acl", "appos"}:
            return True
        if cur.head is cur:
            return False
        cur = cur.head
    return False


def _cue_before(ctx: Ctx, q: Quote) -> int | None:
    """A cue verb that introduces the quote: "X said: “…”", "X stated, “…”", and a block
    quote after a colon that ends the previous sentence or paragraph ("He wrote in a letter
    to supporters:\n\n“…”")."""
    doc, lex = ctx.doc, ctx.lex
    m = ctx.tok_at(q.start)
    j = m - 1
    while j >= 0 and doc[j].is_space:
        j -= 1
    colon = j >= 0 and doc[j].text == ":"
    if j >= 0 and doc[j].text in {",", ":", "—", "-", "–"}:
        j -= 1
    reach = 25 if colon else 10
    for k in range(j, max(-1, j - reach), -1):
        t = doc[k]
        if (
            t.text in SENT_END
            or t.text in CLOSE_QUOTES
            or t.text == '"'
            or (t.lower_ == "that" and not colon)
            or ("\n" in t.whitespace_ and k < j)
            or t.is_space
        ):
            return None
        v = lex.verbs.get(t.lower_)
        if v is not None and is_verb(t):
            if any(c.dep_ == "ccomp" and t.i < c.i < m for c in t.children) and not colon:
                return None
            if (
                any(
                    c.dep_ == "dobj" and t.i < c.i < m and c.lower_ not in WH and not v.recipient
                    for c in t.children
                )
                and not colon
            ):
                return None
            # the words between belong to the cue ("said on Tuesday:"), not to the quoted clause
            # ("Ryan said Obama’s words “amount to …”" is indirect speech with a quoted part)
            for b in range(k + 1, m):
                if doc[b].is_punct or doc[b].is_space:
                    continue
                cur = doc[b]
                for _ in range(12):
                    if cur.i == t.i or cur.head is cur:
                        break
                    if cur.i >= m and not colon:
                        return None
                    cur = cur.head
            return k
    if colon and j >= 0:
        # "The campaign released the following statement:\n\n“…”": the colon's sentence has
        # no cue word; its main verb, when it has a nominal subject, introduces the quote
        root = doc[j].sent.root
        if (
            root.i < j
            and is_verb(root)
            and any(c.dep_ in SUBJ and c.lower_ not in _EXPLETIVE for c in root.children)
        ):
            return root.i
    return None


_EXPLETIVE = frozenset({"it", "this", "that", "there", "here", "what", "which"})


def _generic_verb(t: Token) -> CueVerb:
    """A verb outside the lexicon that introduces a quotation after a colon."""
    return CueVerb(t.lower_, t.lower_, "other", None, False, False, False, None, False, None, frozenset())


def _cue_span(ctx: Ctx, t: Token, v: CueVerb | None) -> Range:
    lo = hi = t.i
    if v is not None and v.particle:
        for c in t.children:
            if c.dep_ == "prt" and c.lower_ == v.particle:
                hi = max(hi, c.i)
    # "was quoted as saying"
    if (
        t.lower_ == "saying"
        and t.dep_ == "pcomp"
        and t.head.lower_ == "as"
        and t.head.head.lower_ == "quoted"
    ):
        lo = t.head.head.i
    if lo < hi and hi - lo > 3:
        hi = lo
    s, _ = ctx.chars(lo, lo)
    _, e = ctx.chars(hi, hi)
    return s, e


def _negated(t: Token) -> bool:
    return any(c.dep_ == "neg" for c in t.children)


def _cue_hedges(ctx: Ctx, t: Token) -> list[CertaintyCue]:
    """Certainty cues on the cue verb itself: "reportedly said", "could confirm", "will say"."""
    out: list[CertaintyCue] = []
    for c in t.children:
        if c.dep_ in {"advmod", "aux"} and c.i < t.i + 3:
            out += certainty_cues(c.text, c.idx)
    return out


def verb_attributions(ctx: Ctx, drafts: list[Draft], used: dict[int, int]) -> None:
    doc, lex, text = ctx.doc, ctx.lex, ctx.text
    for t in ctx.candidates():
        v = lex.verbs.get(t.lower_)
        if v is None or v.quote_only or t.i in used or not verbal(t):
            continue
        if t.tag_ == "VBN" and t.dep_ in {"amod", "acl"} and not subjects(t):
            continue  # "the 25,000 estimated to be …", "the alleged plot": no speaker, no clause
        spk, heads, passive, cite = speaker_range(ctx, t, set())
        exclude = set(range(spk[0], spk[1] + 1)) if spk else set()
        exclude.add(t.i)
        found = content_tokens(ctx, t, v, exclude)
        kind = "indirect"
        if (
            found is None
            and passive
            and t.lower_ in lex.verbs
            and lex.verbs[t.lower_].lemma in lex.passive_raising
        ):
            subj = [c for c in t.children if c.dep_ == "nsubjpass"]
            xc = [c for c in t.children if c.dep_ == "xcomp"]
            if subj and xc and subj[0].lower_ != "it":
                aux = {c.i for c in t.children if c.dep_ in {"aux", "auxpass", "neg", "advmod"} and c.i < t.i}
                toks = [
                    i for i in range(subj[0].left_edge.i, xc[0].right_edge.i + 1) if i != t.i and i not in aux
                ]
                found = (toks, "raising")
        if found is None:
            continue
        toks, how = found
        if passive:
            kind = "passive"
        elif spk is None:
            continue  # an imperative or a clause the parser left without subject
        if v.lemma == "cite" and how == "dobj":
            continue  # "cites X" names a source, not content (the participle after it carries it)
        parts = content_parts(ctx, toks, t.idx)
        if not parts or sum(len(text[s:e].split()) for s, e in parts) < 2:
            continue
        venue, venue_span = find_venue(ctx, t, v)
        d = Draft(
            kind,
            _cue_span(ctx, t, v),
            v.norm,
            parts,
            cue_tok=t.i,
            cue_cert=v.certainty,
            cue_class=v.cls,
            venue=venue,
            venue_span=venue_span,
            negated=_negated(t),
        )
        if spk is not None:
            set_speaker(ctx, d, spk, heads, t.idx)
        d.cue_hedges = _cue_hedges(ctx, t)
        if cite is not None and cite in used:
            d.parent = used[cite]
        used[t.i] = len(drafts)
        drafts.append(d)
        if cite is not None and cite not in used:
            # the citing verb itself: "VoA cites activists … stating …" -> VoA is the outer source
            c = doc[cite]
            cv = lex.verbs[c.lower_]
            cspk, cheads, _, _ = speaker_range(ctx, c, set())
            if cspk is not None:
                cd = Draft(
                    "indirect",
                    _cue_span(ctx, c, cv),
                    cv.norm,
                    list(parts),
                    cue_tok=c.i,
                    cue_class=cv.cls,
                    cue_cert=cv.certainty,
                )
                set_speaker(ctx, cd, cspk, cheads, c.idx)
                used[c.i] = len(drafts)
                drafts.append(cd)
                d.parent = used[c.i]


def _according_draft(ctx: Ctx, t: Token, parts: list[Range] | None, kind: str) -> Draft | None:
    doc, text = ctx.doc, ctx.text
    if t.i + 1 >= len(doc) or doc[t.i + 1].lower_ != "to":
        return None
    to = doc[t.i + 1]
    objs = [c for c in to.children if c.dep_ == "pobj"] or [c for c in t.children if c.dep_ == "pobj"]
    if objs:
        lo, hi = objs[0].left_edge.i, objs[0].right_edge.i
    else:
        rng = surface_after(ctx, t.i + 1, t.i + 20)
        if rng is None:
            return None
        lo, hi = rng
    s, e = ctx.chars(lo, hi)
    s, e = trim(text, *widen(ctx, s, e), that=False)
    phrase = set(range(t.i, max(hi, t.right_edge.i) + 1))
    if parts is None:
        h = t.head
        for _ in range(4):
            if is_verb(h) or h.head is h:
                break
            h = h.head
        toks = [i for i in range(h.left_edge.i, h.right_edge.i + 1) if i not in phrase]
        if h.i in phrase or not toks:
            return None
        parts = content_parts(ctx, toks, t.idx)
        parts = [p for p in parts if len(text[p[0] : p[1]].split()) >= 2] or parts
        if not parts:
            return None
    cue = (t.idx, to.idx + len(to.text))
    d = Draft(kind, cue, "according to", parts, cue_tok=t.i, cue_class="report", cue_cert="reported")
    if e > s:
        d.speaker = (s, e)
        d.speaker_tokens = (objs[0].i,) if objs else (hi,)
    return d


def according_to_attributions(ctx: Ctx, drafts: list[Draft], used: dict[int, int]) -> None:
    for t in ctx.candidates():
        if t.lower_ == "according" and t.i not in used:
            d = _according_draft(ctx, t, None, "according_to")
            if d is not None:
                used[t.i] = len(drafts)
                drafts.append(d)


def noun_attributions(ctx: Ctx, drafts: list[Draft], used: dict[int, int]) -> None:
    doc, lex, text = ctx.doc, ctx.lex, ctx.text
    for t in ctx.candidates():
        norm = lex.nouns.get(t.lower_)
        if norm is None or not t.tag_.startswith("NN") or t.i in used:
            continue
        clause = next(
            (
                c
                for c in t.children
                if c.dep_ in {"acl", "ccomp", "relcl"}
                and c.i > t.i
                and doc[c.left_edge.i].lower_ == "that"
                and any(g.dep_ == "mark" for g in c.children)
                and is_verb(c)
            ),
            None,
        )
        if clause is None:
            continue
        parts = content_parts(ctx, range(clause.left_edge.i, clause.right_edge.i + 1), t.idx)
        if sum(len(text[s:e].split()) for s, e in parts) < 2:
            continue
        d = Draft(
            "nominal",
            (t.idx, t.idx + len(t.text)),
            norm,
            parts,
            cue_tok=t.i,
            cue_class="cognition" if norm in _COGNITION_NOUNS else "report",
            cue_cert="reported" if norm == "reported" else None,
        )
        spk = next((c for c in t.children if c.dep_ == "poss"), None)
        if spk is None:
            for c in t.children:
                if c.dep_ == "prep" and c.lower_ in {"by", "from"} and c.i < clause.i:
                    spk = next((o for o in c.children if o.dep_ == "pobj"), None)
        if spk is not None:
            a, b = trim(text, *widen(ctx, *ctx.chars(spk.left_edge.i, spk.right_edge.i)), that=False)
            a, b = _strip_possessive(text, a, b)
            if b > a:
                d.speaker = (a, b)
                d.speaker_tokens = (spk.i,)
        used[t.i] = len(drafts)
        drafts.append(d)


_COGNITION_NOUNS = frozenset({"believes", "fears", "hopes"})  # "his belief that", "fears that": no speech


def _strip_possessive(text: str, s: int, e: int) -> Range:
    for p in ("’s", "'s", "’", "'"):
        if text[s:e].endswith(p):
            return s, e - len(p)
    return s, e


def _inside(spans: Iterable[Range], s: int, e: int) -> bool:
    return any(a <= s and e <= b for a, b in spans)


def adverbial_attributions(ctx: Ctx, drafts: list[Draft], used: dict[int, int]) -> None:
    lex, text = ctx.lex, ctx.text
    contents = [(min(p[0] for p in d.parts), max(p[1] for p in d.parts)) for d in drafts]
    for t in ctx.candidates():
        norm = lex.adverbs.get(t.lower_)
        if norm is None or t.i in used:
            continue
        if _inside(contents, t.idx, t.idx + len(t.text)):
            continue  # a hedge inside someone's claim, not a claim of its own
        h = t.head
        if h is t or lex.verbs.get(h.lower_) is not None and is_verb(h):
            continue  # "reportedly said": a hedge on that attribution
        toks = [i for i in range(h.left_edge.i, h.right_edge.i + 1) if i != t.i]
        parts = content_parts(ctx, toks, t.idx)
        if not parts or sum(len(text[s:e].split()) for s, e in parts) < 3:
            continue
        d = Draft(
            "adverbial",
            (t.idx, t.idx + len(t.text)),
            norm,
            parts,
            cue_tok=t.i,
            cue_cert="hedged",
            cue_class="report",
            cue_hedges=certainty_cues(t.text, t.idx),
        )
        used[t.i] = len(drafts)
        drafts.append(d)


_LABEL_LINE = re.compile(
    r"[ \t]*(?:[A-Z][A-Z ]{2,20}[ \t]+[–—-][ \t]+)?"  # "EXCLUSIVE – "
    r"(?P<src>[A-Z][\w’'.\-]*(?:[ \t]+(?:[A-Z][\w’'.\-]*|of|the|al|de|van|von|bin)){0,4}?)[ \t]*:[ \t]+"
    r"(?P<body>\S[^\n]*)"
)
# Labels that are page furniture, not speakers ("Related: …", "Photo: …", "Source: ARA News").
_NOT_SPEAKERS = frozenset(
    [
        "related",
        "note",
        "notes",
        "update",
        "updated",
        "source",
        "sources",
        "photo",
        "photos",
        "image",
        "images",
        "video",
        "videos",
        "watch",
        "read",
        "correction",
        "editor",
        "editors",
        "caption",
        "credit",
        "credits",
        "by",
        "via",
        "tags",
        "tag",
        "category",
        "filed",
        "posted",
        "published",
        "share",
        "advertisement",
        "subscribe",
        "follow",
        "listen",
        "see",
        "also",
        "more",
        "warning",
        "disclaimer",
        "reporting",
        "contact",
        "email",
        "tel",
        "phone",
        "fax",
        "address",
        "copyright",
        "lead",
        "summary",
        "background",
        "context",
        "analysis",
        "opinion",
        "comment",
        "comments",
        "q",
        "a",
        "question",
        "answer",
        "here",
        "this",
        "that",
        "it",
        "what",
        "why",
        "how",
        "when",
        "where",
        "who",
        "breaking",
        "exclusive",
        "live",
        "latest",
        "top",
        "world",
        "news",
        "politics",
        "today",
    ]
)


def label_attributions(ctx: Ctx, drafts: list[Draft]) -> None:
    """Label lines: "Reports: ISIS leaders flee Raqqa" as the title (``kind="headline"``), and
    "Matthews: Well, speculation is bad." in a transcript (``kind="transcript"``) — a line that
    opens with a source's name or a source noun and a colon."""
    text, lex = ctx.text, ctx.lex
    taken = [(min(p[0] for p in d.parts), max(p[1] for p in d.parts)) for d in drafts]
    caps_labels = sum(
        1
        for line in re.finditer(r"[^\n]+", text)
        if (m0 := _LABEL_LINE.match(line.group(0))) is not None and m0.group("src").isupper()
    )
    first_line = True
    for line in re.finditer(r"[^\n]+", text):
        line_start = line.start()
        is_first = first_line and bool(line.group(0).strip())
        if line.group(0).strip():
            first_line = False
        m = _LABEL_LINE.match(line.group(0))
        if m is None:
            continue
        src = m.group("src")
        words = src.lower().replace("’", "'").split()
        s, e = line_start + m.start("src"), line_start + m.end("src")
        if not words or words[0] in _NOT_SPEAKERS or words[-1] in _NOT_SPEAKERS:
            continue
        if src.isupper() and " " not in src.strip() and caps_labels < 2:
            continue  # a dateline ("ISLAMABAD: A top …"); a transcript has many "TRUMP:" lines
        last = words[-1].strip(".")
        known = ctx.mention_for(s, e)
        proper = all(
            w[:1].isupper() for w in src.split() if w not in {"of", "the", "al", "de", "van", "von", "bin"}
        )
        if not (
            known
            or last in lex.document_nouns
            or last in lex.person_nouns
            or last in lex.outlet_nouns
            or proper
        ):
            continue
        b_s, b_e = trim(text, line_start + m.start("body"), line_start + m.end("body"))
        if b_e <= b_s or len(text[b_s:b_e].split()) < 2 or _inside(taken, b_s, b_e):
            continue
        colon = text.index(":", e)
        d = Draft(
            "headline" if is_first else "transcript",
            (colon, colon + 1),
            "headline" if is_first else "said",
            [(b_s, b_e)],
            cue_cert="reported" if is_first else None,
            cue_class="report" if is_first else "speech",
        )
        d.speaker = d.speaker_phrase = (s, e)
        drafts.append(d)
