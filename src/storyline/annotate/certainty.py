"""Certainty of a claim: epistemic hedges, kept apart from polarity, irrealis and approximators.

:func:`certainty_cues` finds cue phrases (``storyline/data/certainty_cues.json``) in a text and
tags each with a class and a group:

========== ==================================================================================
group      classes (examples)
========== ==================================================================================
hedge      modal (epistemic *may / might / could*), epistemic (*probably, likely, appears to*),
           evidential (*reportedly, allegedly, believed to, said to be*), vague_source
           (*informed sources, unconfirmed reports, according to local reports*), uncertainty
           (*unclear, unknown, unable to confirm, could not be verified*), estimation
           (*estimated*), rumour (*rumours, it is understood*)
negation   *not, no, never, deny* — a polarity, never a hedge
irrealis   future (*will, would, expected to*), intent (*plans to, wants to, vowed to*),
           conditional (*if, unless*) — not (yet) a fact, but not doubted either
approximator *about, approximately, up to, at least* before a number — a property of the
           number, not of the claim
========== ==================================================================================

Only the ``hedge`` group makes a claim ``hedged``. The issue that asked for this (#12) found the
old hedge list storing mostly negation, *will*, *wants*, *plans* and *approximately* as hedges
on real news, with cue-level F1 0.32 against a careful reading; measured figures for this
lexicon are in ``tests/floors/hedging.json`` (news cue F1 on the held-out half of
``tests/fixtures/claims/hedge_labels.jsonl``).

Rules beyond the phrase list, each from a reading of news text:

* the longest phrase wins ("could not be confirmed" is uncertainty, not the modal *could* plus a
  negation; "no confirmation" is uncertainty, not negation);
* *could / may / might* followed by *not*, *only* … are ability or permission ("people couldn't
  leave"), not doubt; a capitalised *May* inside a sentence is the month; *will / might* after a
  determiner are nouns ("the will of", "military might");
* approximators count only before a number ("about 30,000", "up to seven children"); *about*
  before anything else is a preposition;
* *plans* / *claims* after a determiner are nouns with no clause ("the plans", "no plans").

:func:`decide` turns the cues of a claim (its content, the words on its cue verb, its speaker
phrase) into ``certainty`` (one of ``asserted / reported / hedged / denied``, the values claim
records keep), ``polarity`` (``negative`` only for a denial) and ``irrealis``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["CertaintyCue", "CertaintyLexicon", "certainty_cues", "certainty_lexicon", "decide", "hedges_only"]



@dataclass(frozen=True, slots=True)
class CertaintyCue:
    """One cue phrase: ``[start, end)`` character offsets, the phrase as normalised in the
    lexicon, its class and its group (hedge / negation / irrealis / approximator)."""

    start: int
    end: int
    cue: str
    cls: str
    group: str


@dataclass(frozen=True, slots=True)
class CertaintyLexicon:
    by_first: dict[
        str, tuple[tuple[tuple[str, ...], str, str], ...]
    ]  # word -> (words, cue, class), longest first
    group_of: dict[str, str]  # class -> group
    number_after: frozenset[str]
    modal_not_epistemic_after: frozenset[str]


_WORD = re.compile(r"\w+(?:[-‐'’]\w+)*|'ll|’ll")
_NUMBER_WORDS = frozenset(
    {
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
        "eleven",
        "twelve",
        "fifteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "hundred",
        "hundreds",
        "thousand",
        "thousands",
        "million",
        "millions",
        "billion",
        "dozen",
        "dozens",
        "half",
        "a",
        "an",
    }
)
_DETERMINERS = frozenset(
    {
        "the",
        "a",
        "an",
        "his",
        "her",
        "their",
        "its",
        "our",
        "my",
        "your",
        "no",
        "any",
        "these",
        "those",
        "free",
        "political",
        "good",
        "ill",
        "military",
        "economic",
        "in",
        "of",
        "since",
        "until",
        "early",
        "late",
        "mid",
        "last",
        "next",
        "this",
        "new",
        "future",
        "and",
        "such",
        "similar",
    }
)


def _norm(w: str) -> str:
    return w.lower().replace("’", "'").replace("‐", "-")


@cache
def certainty_lexicon() -> CertaintyLexicon:
    raw = json.loads(
        resources.files("storyline").joinpath("data/certainty_cues.json").read_text(encoding="utf-8")
    )
    group_of = {c: g for g, classes in raw["groups"].items() for c in classes}
    by_first: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
    for cls, phrases in raw["cues"].items():
        for p in phrases:
            words = tuple(_norm(w) for w in p.split())
            by_first.setdefault(words[0], []).append((words, p, cls))
    return CertaintyLexicon(
        by_first={k: tuple(sorted(v, key=lambda x: -len(x[0]))) for k, v in by_first.items()},
        group_of=group_of,
        number_after=frozenset(raw["number_after"]),
        modal_not_epistemic_after=frozenset(raw["modal_not_epistemic_after"]),
    )


def _is_number(w: str) -> bool:
    return w[:1].isdigit() or w in _NUMBER_WORDS


def certainty_cues(text: str, offset: int = 0) -> list[CertaintyCue]:
    """The cue phrases of ``text`` in order (offsets shifted by ``offset``)."""
    lex = certainty_lexicon()
    words = [(_norm(m.group(0)), m.start(), m.end()) for m in _WORD.finditer(text)]
    out: list[CertaintyCue] = []
    n = len(words)
    i = 0
    while i < n:
        w, start, _ = words[i]
        match: tuple[int, str, str] | None = None
        for form, cue, cls in lex.by_first.get(w, ()):
            k = len(form)
            if i + k <= n and all(words[i + x][0] == form[x] for x in range(1, k)):
                match = (k, cue, cls)
                break
        if match is None:
            if w.endswith("n't") and len(w) > 3:  # "didn't", "couldn't"
                base = w[:-3]
                nxt = words[i + 1][0] if i + 1 < n else ""
                if base in {"could", "can", "ca"} and nxt in {"confirm", "verify"}:
                    out.append(
                        CertaintyCue(
                            offset + start,
                            offset + words[i + 1][2],
                            "could not confirm",
                            "uncertainty",
                            "hedge",
                        )
                    )
                    i += 2
                    continue
                out.append(
                    CertaintyCue(
                        offset + words[i][2] - 3, offset + words[i][2], "not", "negation", "negation"
                    )
                )
            i += 1
            continue
        k, cue, cls = match
        end = words[i + k - 1][2]
        prev = words[i - 1][0] if i else ""
        nxt = words[i + k][0] if i + k < n else ""
        if _skip(text, w, cls, cue, prev, nxt, start, i, lex):
            i += 1
            continue
        out.append(CertaintyCue(offset + start, offset + end, cue, cls, lex.group_of.get(cls, cls)))
        i += k
    return out


def _skip(
    text: str, w: str, cls: str, cue: str, prev: str, nxt: str, start: int, i: int, lex: CertaintyLexicon
) -> bool:
    if cls == "approximator":
        return cue in lex.number_after and not _is_number(nxt)
    if cls == "modal":
        if (
            w == "may"
            and text[start] == "M"
            and i
            and not re.search(r"[.!?\"“”:]\s*\Z", text[max(0, start - 4) : start])
        ):
            return True  # "in May": the month
        if prev in _DETERMINERS and w in {"may", "might"}:
            return True  # "military might"
        return nxt in lex.modal_not_epistemic_after  # "could not leave", "may only"
    if w in {"will", "plans", "plan", "claims", "claim", "estimate", "estimates"} and prev in _DETERMINERS:
        return True  # "the will of", "no plans", "the claims" (a noun, nothing hedged or planned)
    if w == "no" and re.match(r"\.\s*\d", text[start + 2 : start + 5]):
        return True  # "No. 2"
    return w == "over" and not _is_number(nxt)


def hedges_only(cues: Iterable[CertaintyCue]) -> list[CertaintyCue]:
    return [c for c in cues if c.group == "hedge"]


def decide(
    cues: Sequence[CertaintyCue], *, cue_certainty: str | None, reported: bool, negated_cue: bool
) -> tuple[str, str, bool]:
    """``(certainty, polarity, irrealis)`` of a claim from its cues (content, cue-verb modifiers,
    speaker phrase), what its cue says by itself (``cue_certainty``: lexicon value, e.g.
    ``denied`` for *deny*, ``hedged`` for *claim*), whether it is reported (a report cue, no
    speaker) and whether the cue verb is negated ("did not confirm").

    ``denied`` (polarity negative): a denial cue not itself negated. A negated cue ("did not
    confirm", "did not say") denies nothing: the claim is ``hedged``. ``hedged``: a hedge-group cue
    or a cue that hedges by itself. ``reported``: a report cue or no speaker. Negation words in the
    content and irrealis cues never change the certainty."""
    irrealis = any(c.group == "irrealis" for c in cues)
    if cue_certainty == "denied" and not negated_cue:
        return "denied", "negative", irrealis
    if negated_cue or cue_certainty == "hedged" or any(c.group == "hedge" for c in cues):
        return "hedged", "positive", irrealis
    if reported or cue_certainty == "reported":
        return "reported", "positive", irrealis
    return "asserted", "positive", irrealis
