"""The attribution cue lexicon: cue verbs, report nouns, reporting adverbs and the noun lists that
tell speakers and venues apart, read once from ``storyline/data/attribution_cues.json``.

Each verb lemma becomes a :class:`CueVerb`: its class (speech, report, denial, document,
evaluation, stance, cognition, intention), the certainty it carries by itself (``reported``,
``hedged``), and which arguments may hold its content (a direct object, an infinitive, a
recipient, a particle, prepositions). Every inflected form maps to it, so a rule looks a word up
by its lower-case form with no lemmatiser. Data, not rules: which cue classes make an attribution
a claim is decided in :mod:`storyline.annotate.finishing`. A module of its own because the cue
rules, the speaker finder and the content finder all read it, and it loads once, immutable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["CueLexicon", "CueVerb", "cue_lexicon"]


@dataclass(frozen=True, slots=True)
class CueVerb:
    lemma: str
    norm: str
    cls: str
    certainty: str | None
    dobj: bool
    xcomp: bool
    recipient: bool
    venue: str | None
    quote_only: bool
    particle: str | None
    preps: frozenset[str]
    dobj_as: bool = False  # the object is content only with "as" ("cast X as Y"; not "cast ballots")


@dataclass(frozen=True, slots=True)
class CueLexicon:
    verbs: dict[str, CueVerb]  # every inflected form (lower case) -> verb
    passive_raising: frozenset[str]
    nouns: dict[str, str]
    adverbs: dict[str, str]
    venue_nouns: frozenset[str]
    platforms: dict[str, str]
    speaking_verbs: frozenset[str]
    person_nouns: frozenset[str]
    outlet_nouns: frozenset[str]
    document_nouns: frozenset[str]
    organization_nouns: frozenset[str]


def _inflect(lemma: str) -> set[str]:
    forms = {lemma}
    if lemma.endswith("e"):
        forms |= {lemma + "s", lemma + "d", lemma[:-1] + "ing"}
    elif lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"}
    elif lemma.endswith(("s", "sh", "ch", "x", "z")):
        forms |= {lemma + "es", lemma + "ed", lemma + "ing"}
    else:
        forms |= {lemma + "s", lemma + "ed", lemma + "ing"}
    return forms


@cache
def cue_lexicon() -> CueLexicon:
    raw = json.loads(
        resources.files("storyline").joinpath("data/attribution_cues.json").read_text(encoding="utf-8")
    )
    verbs: dict[str, CueVerb] = {}
    for lemma, o in raw["verbs"].items():
        v = CueVerb(
            lemma,
            o["norm"],
            o.get("class", "speech"),
            o.get("certainty"),
            bool(o.get("dobj")),
            bool(o.get("xcomp")),
            bool(o.get("recipient")),
            o.get("venue"),
            bool(o.get("quote_only")),
            o.get("particle"),
            frozenset(o.get("preps", ())),
            bool(o.get("dobj_as")),
        )
        for f in _inflect(lemma) | set(o.get("forms", ())):
            verbs.setdefault(f, v)
    return CueLexicon(
        verbs=verbs,
        passive_raising=frozenset(raw["passive_raising"]),
        nouns=dict(raw["nouns"]),
        adverbs=dict(raw["adverbs"]),
        venue_nouns=frozenset(raw["venue_nouns"]),
        platforms=dict(raw["platforms"]),
        speaking_verbs=frozenset(raw["speaking_verbs"]),
        person_nouns=frozenset(raw["person_nouns"]),
        outlet_nouns=frozenset(raw["outlet_nouns"]),
        document_nouns=frozenset(raw["document_nouns"]),
        organization_nouns=frozenset(raw["organization_nouns"]),
    )
