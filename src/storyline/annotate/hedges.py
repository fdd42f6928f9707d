"""Hedge cues spotted in plain text with the lexicon ``storyline/data/hedges.json``.

:func:`hedge_cues` returns ``(start, end, cue)`` for every lexicon phrase of a text, the longest
phrase first, ``cue`` normalised to the lexicon's entry ("May" the month, "will" / "might" as
nouns, "no plans" and "No. 2" skipped); :func:`hedge_class` gives a cue's class. The event layer
(:mod:`storyline.annotate.events`) and the hedging benchmark
(:mod:`storyline.annotate.hedging_eval`, ``bench/hedging.py``) read them. The attribution layer
itself judges certainty with :mod:`storyline.annotate.certainty` and never calls these: they used
to live in ``attribution.py`` and are re-exported from there, so existing imports keep working.
Apart because nothing here needs a parse, the cue lexicon or an attribution.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["HedgeLexicon", "hedge_class", "hedge_cues", "hedge_lexicon"]


@dataclass(frozen=True, slots=True)
class HedgeLexicon:
    by_first: dict[str, tuple[tuple[tuple[str, ...], str], ...]]  # first word -> (words, cue), longest first
    cue_class: dict[str, str]  # normalised cue -> class
    form_cue: dict[str, str]  # lower-case form (one kind of apostrophe, single spaces) -> normalised cue
    certainty_classes: frozenset[str]
    sentence_classes: frozenset[str]
    classes: tuple[str, ...]


def _form_key(s: str) -> str:
    return re.sub(r"\s+", " ", s.replace("’", "'").replace("‐", "-").lower()).strip()


@cache
def hedge_lexicon() -> HedgeLexicon:
    raw = json.loads(resources.files("storyline").joinpath("data/hedges.json").read_text(encoding="utf-8"))
    cue_class: dict[str, str] = {}
    form_cue: dict[str, str] = {}
    for c in raw["cues"]:
        cue_class[c["text"]] = c["class"]
        for f in (c["text"], *c.get("forms", ())):
            form_cue.setdefault(_form_key(f), c["text"])
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for f, cue in form_cue.items():
        words = tuple(w.replace("‐", "-") for w in f.split(" "))
        by_first.setdefault(words[0], []).append((words, cue))
    classes = raw["classes"]
    return HedgeLexicon(
        by_first={k: tuple(sorted(v, key=lambda x: (-len(x[0]), x[0]))) for k, v in by_first.items()},
        cue_class=cue_class,
        form_cue=form_cue,
        certainty_classes=frozenset(k for k, v in classes.items() if v.get("certainty")),
        sentence_classes=frozenset(k for k, v in classes.items() if v.get("sentence")),
        classes=tuple(classes),
    )


# Words before "will" / "might" / "may" that make them nouns or a month ("the will of", "military
# might", "in May").
_NOUN_BEFORE = frozenset(
    {
        "the",
        "a",
        "his",
        "her",
        "their",
        "its",
        "our",
        "my",
        "your",
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
    }
)


_PLAN_NOUN_BEFORE = frozenset(
    {"no", "any", "the", "its", "their", "his", "her", "our", "new", "future", "of", "and", "without"}
)


def hedge_cues(text: str) -> list[tuple[int, int, str]]:
    """Hedge cues in ``text`` as ``(start, end, cue)``, ``cue`` normalised to the lexicon's
    entry ("reportedly", "it is unknown", "could", "expected to", "not", …), in text order.

    Every class is returned (see :func:`hedge_class`); callers choose the classes they count.
    "May" as a month, "will"/"might" as nouns are skipped."""
    lex = hedge_lexicon()
    words = [
        (m.group(0).lower().replace("’", "'").replace("‐", "-"), m.start(), m.end())
        for m in _HEDGE_WORD.finditer(text)
    ]
    out: list[tuple[int, int, str]] = []
    i = 0
    n = len(words)
    while i < n:
        w, start, end = words[i]
        found: tuple[int, str] | None = None
        for form, cue in lex.by_first.get(w, ()):
            k = len(form)
            if i + k <= n and all(words[i + x][0] == form[x] for x in range(1, k)):
                found = (k, cue)
                break
        if found is None:
            if w.endswith("n't") and len(w) > 3:
                out.append((end - 3, end, "not"))  # "didn't", "isn’t"
            i += 1
            continue
        k, cue = found
        prev = words[i - 1][0] if i else ""
        stop = words[i + k - 1][2]
        skip = False
        if w in {"plans", "plan"} and prev in _PLAN_NOUN_BEFORE:
            skip = True  # "no plans to push": a noun, nothing planned
        elif w in {"will", "might", "may", "no"} and prev in _NOUN_BEFORE:
            skip = True  # "the will of", "military might", "in May"
        elif (
            w == "may"
            and text[start] == "M"
            and i
            and not re.search(r"[.!?\"“”:]\s*\Z", text[max(0, start - 4) : start])
        ):
            skip = True  # "May" inside a sentence: the month
        elif w == "no" and re.match(r"\.\s*\d", text[stop : stop + 3]):
            skip = True  # "No. 2"
        if not skip:
            out.append((start, stop, cue))
        i += k
    return out


_HEDGE_WORD = re.compile(r"\w+(?:[-‐'’]\w+)*")


def hedge_class(cue: str) -> str | None:
    """The class of a normalised hedge cue (``reporting``, ``epistemic``, ``modal``, …)."""
    return hedge_lexicon().cue_class.get(cue)
