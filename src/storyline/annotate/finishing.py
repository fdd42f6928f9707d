"""From drafts to :class:`~storyline.records.Attribution` records: speakers resolved, certainty
decided, nesting, and which attributions are claims.

:func:`finish` drops drafts without content, resolves speakers
(:mod:`storyline.annotate.speakers`), reads each claim's certainty cues and decides ``certainty``,
``polarity`` and ``irrealis`` with :func:`storyline.annotate.certainty.decide`, links ``outer`` to
the smallest attribution whose content holds the cue, and records the content's entity keys and
other capitalised names — what :func:`storyline.annotate.attribution.undercuts` and the corpus
claim matcher compare; :func:`stems` gives the content words both use for topic overlap. It is
apart from the rules (:mod:`storyline.annotate.cues`) because everything here judges a finished
candidate, never the parse around a cue word.

Which attributions are claims
=============================

Every cue has a class (``cue_class``). Speech (say, tell, tweet, announce, confirm, warn …),
report (report, according to, cite, quote, estimate, reportedly), denial (deny, reject, refute …)
and document verbs whose subject is a document ("the study found", not "a video showed") are
communication acts: ``communicative`` is True and :func:`find_attributions` returns them by
default — the claims layer stores nothing else. Evaluation (attacked, praised, accused X of),
stance (supports, voted for, declined to comment), cognition (believes, expects) and intention
(wants, plans) never open a claim by themselves; ``cues="all"`` returns them too (PolNeAR
annotates them). A communication verb in the infinitive under *try, expect, plan, want,
impossible, refuse* … ("trying to confirm these reports") reports no statement and is no claim.
Checked against PolNeAR train cue spans (the tune part; the share of predicted top-level
attributions whose cue overlaps a gold cue, by class): speech 0.92 (9,058), report 0.84 (659),
evaluation 0.82 (550), document 0.77 (317), denial 0.70 (111), stance 0.64 (566), cognition 0.57
(927), intention 0.51 (269) — PolNeAR's notion of attribution is wider than a claim, so the split
follows the communication-act definition, and the data shows the non-speech classes are also the
least reliable cues. On 32 real conflict/politics articles (tests/fixtures/claims) the share of
claims whose cue a careful reader counts as a communication act went from 0.857 (186/217, every
attribution a claim) to 0.974 (185/190) with the class split, and 1.000 (184/184) after three rules
written on reading those five errors (no object for *declare*, the infinitive rule above, a lone
capitalised dateline "ISLAMABAD:" is no speaker) — 0.974 is the fairer estimate.

Certainty
=========

:mod:`storyline.annotate.certainty` reads the content, the words on the cue verb ("reportedly
said", "could confirm"), a vague-sourcing speaker phrase ("informed sources", "unconfirmed
reports from locals", "according to local reports"), a nominal or passive cue itself ("rumours
that", "it is understood"), and the lede when an unattributed-hedged lede shares at least two
content words with the claim. ``hedges`` lists only the epistemic hedges found (modal, epistemic,
evidential, vague sourcing, uncertainty, estimation, rumour) plus a cue that hedges by itself
(claimed, alleged) or a negated cue ("not confirmed"); negation, future/intent/condition and
approximators are recorded in ``certainty_cues`` (``(start, end, class)``, every cue read) and
never make a claim hedged. ``certainty``, first match wins: ``denied`` (a denial cue: deny,
reject, refute …; ``polarity`` "negative"); ``hedged`` (an epistemic hedge, a self-hedging cue,
or a negated cue — "did not confirm" denies nothing); ``reported`` (a report cue — reported,
cites, quoted, according to — or no speaker); ``asserted``. ``irrealis``: the content holds a
future, intent or conditional cue (will, plans to, if).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..records import Attribution, Range
from .certainty import CertaintyCue, certainty_cues, decide
from .drafts import Ctx, Draft, holders
from .speakers import Resolved, resolve_speakers

__all__ = ["finish", "stems"]


_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "that",
        "this",
        "these",
        "those",
        "it",
        "its",
        "their",
        "they",
        "them",
        "he",
        "she",
        "his",
        "her",
        "we",
        "our",
        "you",
        "your",
        "i",
        "me",
        "my",
        "not",
        "no",
        "there",
        "here",
        "than",
        "then",
        "so",
        "such",
        "also",
        "into",
        "onto",
        "over",
        "under",
        "about",
        "after",
        "before",
        "while",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "what",
        "will",
        "would",
        "could",
        "should",
        "may",
        "might",
        "can",
        "must",
        "said",
        "says",
        "told",
        "say",
        "tell",
        "more",
        "most",
        "many",
        "much",
        "some",
        "any",
        "all",
        "other",
        "another",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "dozens",
        "dozen",
        "hundreds",
        "according",
    ]
)


def stems(text: str) -> set[str]:
    out = set()
    for w in re.findall(r"[A-Za-z][A-Za-z’'\-]+", text):
        lw = w.lower().replace("’", "'")
        lw = lw.removesuffix("'s")
        if lw in _STOP or len(lw) < 3:
            continue
        out.add(lw[:5] if len(lw) > 5 else lw)
    return out


def finish(ctx: Ctx, drafts: list[Draft]) -> list[Attribution]:
    text = ctx.text
    # drop drafts whose content is empty or that duplicate a quote attribution's content with the same cue
    drafts = [d for d in drafts if d.parts]
    resolved = resolve_speakers(ctx, drafts)
    lede_hedges = _lede_hedges(ctx, drafts)
    order = sorted(range(len(drafts)), key=lambda i: (drafts[i].cue[0], drafts[i].cue[1]))
    index_of = {old: new for new, old in enumerate(order)}
    spans = {
        i: (min(p[0] for p in drafts[i].parts), max(p[1] for p in drafts[i].parts))
        for i in range(len(drafts))
    }
    holding = holders((a, b, j) for j, dj in enumerate(drafts) for a, b in dj.parts)
    out: list[Attribution] = []
    for i in order:
        d = drafts[i]
        r = resolved[i]
        parts = tuple(sorted(d.parts))
        content = spans[i]
        cues = _claim_cues(ctx, d, parts) + lede_hedges.get(i, [])
        cues = sorted(set(cues), key=lambda c: (c.start, c.end))
        certainty, polarity, irrealis = decide(
            cues,
            cue_certainty=d.cue_cert,
            reported=r.kind == "unspecified" or d.kind in {"according_to", "headline", "passive"},
            negated_cue=d.negated,
        )
        hedges = [(c.start, c.end, c.cue) for c in cues if c.group == "hedge"]
        if d.cue_cert == "hedged" and not any(a < d.cue[1] and d.cue[0] < b for a, b, _ in hedges):
            hedges.append((d.cue[0], d.cue[1], d.cue_lemma))  # "claimed", "alleged", "estimated"
        if d.negated:
            hedges.append((d.cue[0], d.cue[1], "not " + d.cue_lemma))  # "did not confirm"
        hedges.sort()
        sent = ctx.sentence(
            min(content[0], d.cue[0], d.speaker[0] if d.speaker else content[0]),
            max(content[1], d.cue[1], d.speaker[1] if d.speaker else content[1]),
        )
        outer = d.parent
        if outer is None:
            best = None
            for j in holding(d.cue[0]):  # the drafts with a part around the cue's start, in order
                if j == i or not any(a <= d.cue[0] and d.cue[1] <= b for a, b in drafts[j].parts):
                    continue
                a, b = spans[j]
                if best is None or b - a < spans[best][1] - spans[best][0]:
                    best = j
            outer = best
        venue_key = None
        if d.venue_span is not None:
            vm = [
                m
                for m in ctx.mention_for(*d.venue_span)
                if m.start >= d.venue_span[0] and m.end <= d.venue_span[1]
            ]
            if vm:
                venue_key = vm[0].key
        inside = [m for s, e in parts for m in ctx.mention_for(s, e) if m.start >= s and m.end <= e]
        ckeys = tuple(dict.fromkeys(m.key for m in inside if m.key))
        names = tuple(
            dict.fromkeys(
                w.group(0).lower().replace("’", "'")
                for s, e in parts
                for w in re.finditer(r"\b[A-Z][\w’'\-]+", text[s:e])
                if w.group(0).lower() not in _STOP
                and not any(m.start <= s + w.start() < m.end for m in inside)
                and not _sentence_initial(text, s + w.start())
            )
        )
        out.append(
            Attribution(
                content=content,
                content_parts=parts,
                content_text=" … ".join(text[s:e] for s, e in parts),
                content_entity_keys=ckeys,
                content_names=names,
                cue=d.cue,
                cue_text=text[d.cue[0] : d.cue[1]],
                cue_lemma=d.cue_lemma,
                cue_class=d.cue_class,
                kind=d.kind,
                speaker=d.speaker,
                speaker_text=text[d.speaker[0] : d.speaker[1]] if d.speaker else None,
                speaker_name=r.name,
                speaker_kind=r.kind,
                speaker_entity_key=r.key,
                speaker_affiliation_key=r.affiliation,
                speaker_antecedent=r.antecedent,
                speaker_phrase=d.speaker_phrase or d.speaker,
                venue=d.venue,
                venue_span=d.venue_span,
                venue_key=venue_key,
                certainty=certainty,
                hedges=tuple(dict.fromkeys(h[2] for h in hedges)),
                hedge_spans=tuple((h[0], h[1]) for h in hedges),
                sentence=sent,
                lede=sent[0] < ctx.lede_end,
                outer=index_of.get(outer) if outer is not None else None,
                communicative=_communicative(ctx, d, r),
                polarity=polarity,
                irrealis=irrealis,
                certainty_cues=tuple((c.start, c.end, c.cls) for c in cues)
                + (((d.cue[0], d.cue[1], "denial"),) if polarity == "negative" else ()),
                speaker_resolved=r.resolved,
            )
        )
    return out


def _claim_cues(ctx: Ctx, d: Draft, parts: Sequence[Range]) -> list[CertaintyCue]:
    """The certainty cues a claim is judged by: its content, the words on its cue verb
    ("reportedly said", "could confirm") and its speaker phrase when that is vague sourcing
    ("informed sources", "unconfirmed reports from locals") — never the rest of the sentence."""
    text = ctx.text
    out: list[CertaintyCue] = []
    for s, e in parts:
        out += certainty_cues(text[s:e], s)
    out += d.cue_hedges
    if d.kind in {"nominal", "passive"}:
        out += certainty_cues(text[d.cue[0] : d.cue[1]], d.cue[0])  # "rumours that", "is understood"
    speaker_span = d.speaker_phrase or d.speaker
    if speaker_span:
        s, e = speaker_span
        out += [c for c in certainty_cues(text[s:e], s) if c.cls in _SPEAKER_HEDGES]
    if d.kind == "according_to":
        # "according to local reports": the phrase itself, from the cue to the end of its object
        s = d.cue[0]
        e = max(d.speaker[1] if d.speaker else d.cue[1], d.cue[1])
        out += [c for c in certainty_cues(text[s:e], s) if c.cls == "vague_source"]
    return out


_SPEAKER_HEDGES = frozenset({"vague_source", "uncertainty", "evidential", "rumour"})

# Cue classes whose attributions are claims: somebody communicated the content. Stance
# (supports, voted for, declined), evaluation (attacked, praised, accused X of), cognition
# (believes, expects, fears) and intention (wants, plans) open no claim by themselves: a
# claims layer keeps ``communicative`` attributions only (find_attributions' default).
_COMMUNICATIVE = frozenset({"speech", "report", "denial"})
# "the study found that …" is a communication; "footage showed …" is what someone saw
_VISUAL = frozenset(
    {"video", "videos", "footage", "images", "image", "photos", "photo", "map", "maps", "satellite"}
)


# A cue in the infinitive under one of these ("trying to confirm", "impossible to offer a
# confirmation", "expected to discuss", "refused to say") reports no statement that was made.
_NOT_MADE = frozenset(
    {
        "try",
        "tries",
        "tried",
        "trying",
        "attempt",
        "attempts",
        "attempted",
        "attempting",
        "expect",
        "expects",
        "expected",
        "expecting",
        "plan",
        "plans",
        "planned",
        "planning",
        "want",
        "wants",
        "wanted",
        "wanting",
        "hope",
        "hopes",
        "hoped",
        "hoping",
        "intend",
        "intends",
        "intended",
        "intending",
        "need",
        "needs",
        "needed",
        "seek",
        "seeks",
        "sought",
        "seeking",
        "aim",
        "aims",
        "aimed",
        "impossible",
        "unable",
        "able",
        "likely",
        "unlikely",
        "ready",
        "willing",
        "refuse",
        "refuses",
        "refused",
        "refusing",
        "decline",
        "declines",
        "declined",
        "declining",
        "due",
        "set",
    }
)


def _statement_made(ctx: Ctx, d: Draft) -> bool:
    if d.cue_tok < 0:
        return True
    t = ctx.doc[d.cue_tok]
    to = any(c.dep_ == "aux" and c.lower_ == "to" for c in t.children)
    return not (to and t.dep_ in {"xcomp", "advcl", "ccomp"} and t.head.lower_ in _NOT_MADE)


def _communicative(ctx: Ctx, d: Draft, r: Resolved) -> bool:
    if not _statement_made(ctx, d):
        return False
    if d.cue_class in _COMMUNICATIVE:
        return True
    if d.cue_class == "document" and r.kind in {"document", "outlet", "organization"} and d.speaker:
        words = {w.lower() for w in re.findall(r"[A-Za-z]+", ctx.text[d.speaker[0] : d.speaker[1]])}
        return not words & _VISUAL
    return False


def _sentence_initial(text: str, i: int) -> bool:
    return re.search(r"(?:\A|[.!?:\n][\"“”'’\s]*|[“\"]\s*)\Z", text[max(0, i - 4) : i]) is not None


def _lede_hedges(ctx: Ctx, drafts: list[Draft]) -> dict[int, list[CertaintyCue]]:
    """Hedges of an unattributed-hedged lede carried to the early claims on the same topic."""
    text = ctx.text
    lede = (0, ctx.lede_end)
    cues = [
        c for c in certainty_cues(text[lede[0] : lede[1]], lede[0]) if c.group == "hedge" and c.cls != "modal"
    ]
    if not cues:
        return {}
    lede_words = stems(text[lede[0] : lede[1]])
    limit = ctx.para_breaks[2] if len(ctx.para_breaks) > 2 else len(text)
    out: dict[int, list[CertaintyCue]] = {}
    for i, d in enumerate(drafts):
        start = min(p[0] for p in d.parts)
        if start < lede[1] or start > limit:
            continue
        words = set().union(*(stems(text[s:e]) for s, e in d.parts))
        if len(words & lede_words) >= 2:
            out[i] = list(cues)
    return out
