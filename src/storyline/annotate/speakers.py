"""Who a speaker is: what the words of a speaker phrase refer to, decided once every draft exists.

:func:`resolve_speakers` goes through the drafts in text order, keeping the speakers of the
narrative so far, and gives each a :class:`Resolved` (name, kind, entity key, affiliation,
antecedent). It is apart from finding the words (:mod:`storyline.annotate.speaker_phrases`, which
runs cue by cue) because it needs the whole document's drafts: a pronoun or "the official" refers
back to an earlier speaker, and a name inside someone's quotation is no antecedent.

Speakers
========

``speaker_kind`` is ``person`` / ``organization`` / ``outlet`` (from the entity mention
that heads the phrase, or an outlet noun: "the outlet", "media outlets"), ``document``
("a report", "the study"), ``anonymous`` (an unnamed description: "local sources",
"another Kurdish official", "an unnamed American defense official") or ``unspecified``
(no speaker: passives, ``reportedly``). A person described by role and organisation
("a leader of the SDF") is anonymous with ``speaker_affiliation_key`` set. A one-word name that
repeats a word of a person named earlier ("Urban added" after "Navy Capt. Bill Urban") is that
person. Speaker spans never cross a line break that cleaning kept.

Pronouns: *he / she* → the nearest gender-compatible person in the pronoun's paragraph or the
three sentences before it — an earlier speaker described as a person, or a named person mention;
sentence subjects and speakers come before names inside a prepositional phrase ("A spokeswoman
for Neumann declined to comment. He said …" is not Neumann, nor the spokeswoman); gender comes
from titles and role nouns (Mrs, spokeswoman, chairman). An organisation is never *he*. *they*
→ the nearest earlier plural or collective speaker in that window; *it* → the nearest earlier
organisation, outlet or document. Definite descriptions ("the official" → the nearest earlier
speaker with the same head noun; "the outlet" → the nearest earlier outlet mention). Nothing
compatible: the speaker keeps its words and ``speaker_resolved`` is False. ``speaker_antecedent``
points at what a pronoun resolved to.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..records import Range
from .drafts import PRONOUNS, Ctx, Draft, holders, widen
from .quotes import trim
from .speaker_phrases import RELATIVE

if TYPE_CHECKING:
    from .entities import EntityMention

__all__ = ["Resolved", "resolve_speakers"]


def _head_word(text: str) -> str:
    words = re.findall(r"[A-Za-z][\w\-]*", text)
    return words[-1].lower() if words else ""


def _np_head(ctx: Ctx, d: Draft) -> str:
    """The head noun of the speaker phrase (the last word before a comma, "of", "from", "who")."""
    assert d.speaker is not None
    s, e = d.speaker
    span = ctx.text[s:e]
    pieces = re.split(r",|\s(?:of|from|in|at|for|with|who|which|that|on|–|—)\s|\s\(", span, maxsplit=2)
    head = _head_word(pieces[0])
    if head in _QUANTITY_HEADS and len(pieces) > 1 and re.match(r"[^,]*?\sof\s", span[len(pieces[0]) - 1 :]):
        return _head_word(pieces[1]) or head  # "a number of activists", "a group of Arab tribal figures"
    return head


_QUANTITY_HEADS = frozenset(
    {
        "number",
        "group",
        "dozens",
        "dozen",
        "handful",
        "lot",
        "couple",
        "team",
        "delegation",
        "pair",
        "series",
        "host",
        "majority",
        "minority",
        "panel",
        "hundreds",
        "thousands",
        "some",
        "many",
        "most",
        "one",
        "two",
        "three",
        "several",
        "few",
        "all",
        "none",
        "each",
        "both",
        "rest",
        "members",
        "member",
    }
)


_DETERMINERS = re.compile(r"^(?:the|this|that|these|those)\s", re.IGNORECASE)


def _singular(w: str) -> str:
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("men"):
        return w[:-3] + "man"
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        return w[:-1]
    return w


@dataclass(slots=True)
class Resolved:
    name: str | None
    kind: str
    key: str | None
    affiliation: str | None
    antecedent: Range | None
    animate: bool = False  # a person or people: what "he", "she" can refer to
    resolved: bool = True  # False: a pronoun or definite description left without antecedent


def resolve_speakers(ctx: Ctx, drafts: list[Draft]) -> list[Resolved]:
    text, lex = ctx.text, ctx.lex
    in_quote = holders(
        (a, b, k) for k, q in enumerate(drafts) if q.kind == "direct_quote" for a, b in q.parts
    )
    order = sorted(range(len(drafts)), key=lambda i: drafts[i].cue)
    out: list[Resolved | None] = [None] * len(drafts)
    history: list[tuple[int, Resolved, str, Range]] = []  # (position, resolution, head noun, speaker span)
    outlets = [m for m in ctx.mentions if m.type == "outlet"]
    for i in order:
        d = drafts[i]
        if d.speaker is None:
            out[i] = Resolved(None, "unspecified", None, None, None)
            continue
        s, e = d.speaker
        span = text[s:e]
        low = span.lower().strip()
        head = _np_head(ctx, d)
        res: Resolved | None = None
        if low in RELATIVE and d.speaker_tokens:
            # "Jeb Bush, who announced …": the relative pronoun stands for the noun it modifies
            rel = ctx.doc[d.speaker_tokens[0]]
            cue_tok = ctx.doc[d.cue_tok] if d.cue_tok >= 0 else None
            noun = cue_tok.head if cue_tok is not None and cue_tok.dep_ == "relcl" else None
            if noun is not None and noun.i < rel.i:
                ns, ne = ctx.chars(noun.left_edge.i, noun.i)
                ns, ne = trim(text, *widen(ctx, ns, ne), that=False)
                tmp = Draft(
                    d.kind,
                    d.cue,
                    d.cue_lemma,
                    d.parts,
                    speaker=(ns, ne),
                    speaker_phrase=(ns, ne),
                    speaker_tokens=(noun.i,),
                )
                r0 = _classify_speaker(ctx, tmp, _np_head(ctx, tmp))
                res = replace(r0, antecedent=(ns, ne))
        quoted = any(drafts[k] is not d and any(a <= s < b for a, b in drafts[k].parts) for k in in_quote(s))
        if res is None and low in PRONOUNS and quoted:
            # "they" inside someone's quoted words refers to what the quote talks about: left as is
            res = Resolved(
                span,
                "person" if PRONOUNS[low] in {"person", "self"} else "anonymous",
                None,
                None,
                None,
                PRONOUNS[low] in {"person", "self"},
            )
        if res is None and low in PRONOUNS:
            want = PRONOUNS[low]
            window = _window_start(ctx, s)
            if want == "person":
                res = _person_antecedent(ctx, s, window, _GENDER.get(low), history, in_quote, drafts)
            else:
                for pos, r, hd, sp in reversed(history):
                    if pos >= s or pos < window:
                        continue
                    if want == "plural" and r.kind in {"anonymous", "organization", "outlet", "document"}:
                        res = replace(r, antecedent=sp)
                        break
                    if want == "thing" and r.kind in {"organization", "outlet", "document"}:
                        res = replace(r, antecedent=sp)
                        break
            if res is None:
                res = Resolved(
                    span,
                    "person" if want in {"person", "self"} else "anonymous",
                    None,
                    None,
                    None,
                    want in {"person", "self"},
                    resolved=want == "self",
                )
        elif _DETERMINERS.match(span) and not _speaker_mentions(ctx, d) and len(span.split()) <= 4:
            hd = _singular(head)
            if hd in {_singular(x) for x in lex.outlet_nouns}:
                prev = [m for m in outlets if m.end <= s]
                if prev:
                    m = prev[-1]
                    res = Resolved(m.canonical, "outlet", m.key, None, (m.start, m.end))
            if res is None:
                for pos, r, h2, sp in reversed(history):
                    if pos < s and _singular(h2) == hd and sp != (s, e):
                        res = replace(r, antecedent=sp)
                        break
            if res is None and hd in {_singular(x) for x in lex.person_nouns} and len(span.split()) == 2:
                # "the official", "the spokesman" with no earlier one: kept as written, marked
                res = _classify_speaker(ctx, d, head)
                res.resolved = False
        if res is None:
            res = _surname(ctx, d)
        if res is None:
            res = _classify_speaker(ctx, d, head)
            ps, pe = d.speaker_phrase or d.speaker
            words = {w.lower() for w in re.findall(r"[A-Za-z]+", text[ps:pe])}
            res.animate = (
                res.kind == "person"
                or (head in lex.person_nouns and head not in _QUANTITY_HEADS)
                or (
                    res.kind == "anonymous"
                    and _DETERMINERS.match(span) is not None
                    and head.isalpha()
                    and head.lower() not in lex.organization_nouns | lex.document_nouns | lex.outlet_nouns
                )
                or bool(words & (lex.person_nouns - _QUANTITY_HEADS - {"figure", "figures", "head", "chief"}))
            )
        out[i] = res
        # what later pronouns can refer to: named or described speakers of the narrative, not
        # pronouns, and not speakers inside someone's quoted words
        if low not in PRONOUNS and low not in RELATIVE and not quoted:
            history.append((s, res, head, (s, e) if res.antecedent is None else res.antecedent))
    return [r if r is not None else Resolved(None, "unspecified", None, None, None) for r in out]


_GENDER = {"he": "m", "him": "m", "she": "f", "her": "f"}
_FEMALE_NOUNS = frozenset(
    {
        "spokeswoman",
        "woman",
        "women",
        "mother",
        "sister",
        "daughter",
        "wife",
        "chairwoman",
        "congresswoman",
        "businesswoman",
        "mrs",
        "ms",
        "miss",
        "madam",
        "queen",
        "princess",
        "girl",
        "grandmother",
        "widow",
        "actress",
    }
)
_MALE_NOUNS = frozenset(
    {
        "spokesman",
        "man",
        "men",
        "father",
        "brother",
        "son",
        "husband",
        "chairman",
        "congressman",
        "businessman",
        "mr",
        "sir",
        "king",
        "prince",
        "boy",
        "grandfather",
        "widower",
        "actor",
    }
)
_PRONOUN_SENTENCES = 3  # how far back a pronoun looks beyond its own paragraph


def _window_start(ctx: Ctx, pos: int) -> int:
    """Where a pronoun at ``pos`` may find its antecedent: its paragraph, or the previous
    ``_PRONOUN_SENTENCES`` sentences when the paragraph starts later (one-sentence news
    paragraphs)."""
    k = bisect_right(ctx.para_breaks, pos)
    para = max(ctx.para_breaks[k - 1] if k else 0, ctx.text.rfind("\n", 0, pos) + 1)
    i = max(0, bisect_right(ctx.sent_starts, pos) - 1 - _PRONOUN_SENTENCES)
    return min(para, ctx.sent_starts[i]) if ctx.sent_starts else para


def _gender_of(ctx: Ctx, s: int, e: int) -> str | None:
    """ "m" / "f" from the words of a phrase or just before a name ("Mrs", "spokeswoman"), else None."""
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", ctx.text[max(0, s - 24) : e])}
    f, m = bool(words & _FEMALE_NOUNS), bool(words & _MALE_NOUNS)
    return "f" if f and not m else "m" if m and not f else None


def _prominent(ctx: Ctx, s: int, e: int) -> bool:
    """Is the phrase at ``[s, e)`` a sentence subject (not the object of "for", "of" …)?"""
    i = ctx.tok_at(s)
    j = max(i, ctx.tok_at(max(s, e - 1)))
    for k in range(i, min(j + 1, len(ctx.doc))):
        t = ctx.doc[k]
        while t.dep_ in {"compound", "flat", "appos", "amod", "poss"} and t.head is not t:
            t = t.head
        if t.dep_ in {"nsubj", "nsubjpass"}:
            return True
    return False


def _person_antecedent(
    ctx: Ctx,
    s: int,
    window: int,
    gender: str | None,
    history: Sequence[tuple[int, Resolved, str, Range]],
    in_quote: Any,
    drafts: Sequence[Draft],
) -> Resolved | None:
    """He / she: the nearest gender-compatible person before ``s`` in the window — a person
    speaker of an earlier attribution or a named person mention. Subjects and speakers come
    before names inside a prepositional phrase ("a spokeswoman for Neumann … He said": not
    Neumann); an organisation is never the antecedent. None: leave the pronoun unresolved."""
    cands: list[tuple[bool, int, Resolved]] = []  # (prominent, position, resolution)
    for pos, r, _hd, sp in history:
        if pos >= s or pos < window or not r.animate:
            continue  # an organisation counts only when described as a person ("a blogger")
        if r.kind != "person" and _singular(_hd) != _hd:
            continue  # "officials": plural
        g = _gender_of(ctx, *sp) if r.kind == "person" else _gender_of(ctx, pos, pos + len(_hd) + 40)
        if gender and g and g != gender:
            continue
        cands.append((True, pos, replace(r, antecedent=sp)))
    surnames = {
        w
        for m in ctx.mentions
        if m.type == "person" and m.end <= s
        for w in (m.canonical or m.text).split()[1:]
    }
    for m in ctx.mentions:
        if m.end > s or m.start < window:
            continue
        if m.type != "person" and not (m.text in surnames and m.type == "organization"):
            continue  # an organisation is never "he" — unless it repeats a person's name
        if any(
            drafts[k].kind == "direct_quote" and a <= m.start < b
            for k in in_quote(m.start)
            for a, b in drafts[k].parts
        ):
            continue  # a name inside someone's quoted words
        g = _gender_of(ctx, m.phrase_start if m.phrase_start >= 0 else m.start, m.end)
        if gender and g and g != gender:
            continue
        if m.type != "person":
            full = next(
                p
                for p in reversed(ctx.mentions)
                if p.type == "person" and m.text in (p.canonical or p.text).split()[1:]
            )
            m = replace(full, start=m.start, end=m.end)
        res = Resolved(m.canonical or m.text, "person", m.key, m.affiliation_key, (m.start, m.end), True)
        cands.append((_prominent(ctx, m.start, m.end), m.start, res))
    if not cands:
        return None
    best = max(cands, key=lambda c: (c[0], c[1]))
    return best[2]


def _surname(ctx: Ctx, d: Draft) -> Resolved | None:
    """A one-word speaker that repeats the last name of a person named earlier ("Urban added"
    after "Navy Capt. Bill Urban") is that person, not an organisation."""
    assert d.speaker is not None
    s, e = d.speaker
    word = ctx.text[s:e].strip()
    if " " in word or not word[:1].isupper():
        return None
    for m in reversed(ctx.mentions):
        if (
            m.type == "person"
            and m.end <= s
            and word in (m.canonical or m.text).split()
            and " " in (m.canonical or m.text)
        ):
            return Resolved(m.canonical or m.text, "person", m.key, m.affiliation_key, None, True)
    return None


def _speaker_mentions(ctx: Ctx, d: Draft) -> list[EntityMention]:
    assert d.speaker is not None
    s, e = d.speaker
    return [m for m in ctx.mention_for(s, e) if m.start >= s and m.end <= e]


_ORG_TYPES_OUTLET = frozenset({"outlet"})


def _classify_speaker(ctx: Ctx, d: Draft, head: str) -> Resolved:
    assert d.speaker is not None
    s, e = d.speaker
    text, lex = ctx.text, ctx.lex
    span = text[s:e]
    ms = _speaker_mentions(ctx, d)
    head_chars = [ctx.doc[i].idx for i in d.speaker_tokens if 0 <= i < len(ctx.doc)]
    covering = [m for m in ms if any(m.start <= c < m.end for c in head_chars)]
    head_l = head.lower()
    generic = {
        "group",
        "outlet",
        "organization",
        "organisation",
        "agency",
        "portal",
        "newspaper",
        "site",
        "blogger",
        "channel",
        "network",
        "broadcaster",
        "website",
        "monitor",
        "observatory",
        "daily",
        "paper",
        "magazine",
        "militia",
        "movement",
        "party",
        "coalition",
        "alliance",
        "company",
        "firm",
    }
    chosen: EntityMention | None = None
    if covering:
        chosen = next((m for m in covering if m.type == "person"), covering[0])
    elif ms:
        before_head = [m for m in ms if not head_chars or m.start <= max(head_chars)]
        if head_l in lex.person_nouns and head_l not in generic:
            aff = ms[0]
            return Resolved(
                span, "anonymous", None, aff.key if aff.type != "person" else aff.affiliation_key, None
            )
        persons = [m for m in ms if m.type == "person"]
        chosen = (
            persons[0] if persons else (before_head[-1] if before_head and head_l not in generic else ms[0])
        )
    if chosen is not None:
        kind = (
            "person"
            if chosen.type == "person"
            else "outlet"
            if chosen.type in _ORG_TYPES_OUTLET
            else "organization"
        )
        name = chosen.canonical or chosen.text
        return Resolved(name, kind, chosen.key, chosen.affiliation_key, None)
    low = head_l
    ent = {ctx.doc[i].ent_type_ for i in d.speaker_tokens if 0 <= i < len(ctx.doc)} - {""}
    if "PERSON" in ent:
        return Resolved(span, "person", None, None, None)
    if ent & {"ORG", "NORP", "GPE"}:
        return Resolved(span, "organization", None, None, None)
    if low in {"i", "we", "me", "us"}:
        return Resolved(span, "person", None, None, None)
    if low in lex.person_nouns:
        return Resolved(span, "anonymous", None, None, None)
    if low in lex.document_nouns:
        return Resolved(span, "document", None, None, None)
    if low in lex.outlet_nouns:
        return Resolved(span, "outlet", None, None, None)
    if low in lex.organization_nouns or span.lower() in lex.organization_nouns:
        return Resolved(span, "organization", None, None, None)
    first = span.split()[0] if span.split() else ""
    if (
        first[:1].isupper()
        and first.lower()
        not in {
            "the",
            "a",
            "an",
            "local",
            "other",
            "some",
            "many",
            "several",
            "two",
            "three",
            "senior",
            "another",
            "one",
            "officials",
            "sources",
            "witnesses",
            "eyewitnesses",
            "residents",
        }
        and low not in lex.person_nouns
        and all(w[:1].isupper() for w in span.split()[:3])
    ):
        # a capitalised name the entity layer did not list
        from ..clean.outlets import canonical_outlet

        if canonical_outlet(span) is not None:
            return Resolved(canonical_outlet(span), "outlet", None, None, None)
        return Resolved(span, "person" if len(span.split()) in {2, 3} else "organization", None, None, None)
    return Resolved(span, "anonymous", None, None, None)
