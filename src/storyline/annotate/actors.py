"""The actor catalogue: who conflict reporting names, under which aliases.

Two data files feed one index, loaded once per process on first use:

* ``storyline/data/actors.json`` — armed groups, governments, militaries, NGOs, international
  bodies (``name``, ``type``, ``aliases``, optional ``ambiguous_aliases``, ``country``,
  ``affiliation``) plus a ``lexicon`` of words the role and organisation-type rules use;
* ``storyline/data/outlets.json`` through :func:`storyline.clean.outlets.outlets` — news
  outlets. An outlet whose name is already an actor (the Syrian Observatory for Human Rights,
  the Pentagon) joins that actor; an actor's alias wins over an outlet's.

An alias is *ambiguous* when it is listed under ``ambiguous_aliases``, when two actors claim
it, or when it is an outlet's single capitalised word ("Time", "Independent", "Reuters"):
such a surface names the actor only when the same document also names it unambiguously (or,
in :mod:`storyline.annotate.entities`, when the model itself calls the span an organisation).

Nothing here imports spaCy; :mod:`storyline.annotate.nlp` turns the surfaces into a matcher.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..clean.outlets import outlets

__all__ = [
    "Actor", "Surface", "Lexicon", "Catalogue", "catalogue", "lookup", "norm", "slug", "word_case_ok",
    "ACTOR_TYPES", "OUTLET_TYPE",
]

ACTOR_TYPES = frozenset({
    "armed_group", "militia", "military", "police", "intelligence", "government", "political_party",
    "activist_group", "ngo", "international_org",
})
OUTLET_TYPE = "outlet"
# outlets.json kinds that are publishers rather than news media keep a more useful type
_OUTLET_KIND_TYPE = {"ngo": "ngo", "government": "government"}

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "ʻ": "'", "–": "-", "—": "-",
                         "‐": "-", "‑": "-", "\u00a0": " ", "\u202f": " "})
_SPACES = re.compile(r"\s+")
_EDGE = " \t\n\"'“”«»()[]{}.,;:!?*|"
_POSSESSIVE = re.compile(r"(?:'s|')$")
_QUALIFIER = re.compile(r"\s*\([^)]*\)\s*$")


def norm(text: str) -> str:
    """Comparison form of a name: quotes and dashes unified, accents dropped, casefolded,
    a leading "the" and a trailing possessive removed ("the Islamic State’s" → "islamic state")."""
    t = unicodedata.normalize("NFKD", text.translate(_QUOTES))
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = _SPACES.sub(" ", t).strip(_EDGE).casefold()
    if t.startswith("the "):
        t = t[4:]
    t = _POSSESSIVE.sub("", t).strip(_EDGE)
    return t


def slug(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "-", norm(text)).strip("-")


@dataclass(frozen=True, slots=True)
class Actor:
    key: str  # "actor:islamic-state", "outlet:voice-of-america"
    name: str  # canonical name
    type: str
    aliases: tuple[str, ...]
    ambiguous_aliases: tuple[str, ...] = ()
    country: str | None = None
    affiliation: str | None = None  # canonical name of a parent actor


@dataclass(frozen=True, slots=True)
class Surface:
    """One way of writing one actor's name."""

    text: str
    actor: str  # Actor.key
    ambiguous: bool


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Word lists from ``actors.json``'s ``lexicon`` (see that file for the full lists)."""

    person_titles: frozenset[str]  # honorifics and ranks before a name, as "ltgen" (no dots, spaces, case)
    role_heads: frozenset[str]  # lowercased nouns that head a role phrase: "spokesman", "commander"
    role_modifiers: frozenset[str]  # lowercased words inside a role phrase: "media", "senior"
    role_drop: frozenset[str]  # modifiers left out of the role text: "then", "former"
    org_unit_heads: dict[str, str]  # last word of an organisation name → type ("brigade" → armed_group)
    unit_nouns_after_name: frozenset[str]  # "Burkan al-Furat battalion": a lowercase head after a name
    arabic_unit_words: dict[str, str]  # "jaish", "liwa", … opening a group's name → type
    place_heads: frozenset[str]  # "governorate", "crossing", …: a name ending so is a place
    not_organisations: frozenset[str]  # uppercased words the model mistakes for organisations: "VBIED"


@dataclass(frozen=True)
class Catalogue:
    actors: tuple[Actor, ...]
    by_key: dict[str, Actor]
    by_name: dict[str, Actor]  # norm(canonical name) → actor
    surfaces: dict[str, tuple[Surface, ...]]  # norm(alias) → every actor written that way
    lexicon: Lexicon

    def actor(self, key: str) -> Actor | None:
        return self.by_key.get(key)


def _is_outlet_word(alias: str) -> bool:
    """A single capitalised word ("Time", "Independent", "Reuters") is too often something else."""
    return " " not in alias and alias.isalpha() and not alias.isupper() and alias[:1].isupper() \
        and not any(c.isupper() for c in alias[1:])


def _read_actors() -> dict[str, object]:
    raw = resources.files("storyline").joinpath("data/actors.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    if not isinstance(data, dict) or "actors" not in data:
        raise ValueError("actors.json: expected an object with an 'actors' list")
    return data


def _lexicon(raw: dict[str, object]) -> Lexicon:
    def listed(name: str) -> list[object]:
        items = raw.get(name, [])
        assert isinstance(items, list)
        return items

    def words(name: str, lower: bool = True) -> frozenset[str]:
        return frozenset(str(w).lower() if lower else str(w) for w in listed(name))

    def mapping(name: str) -> dict[str, str]:
        items = raw.get(name, {})
        assert isinstance(items, dict)
        return {str(k).lower(): str(v) for k, v in items.items()}

    return Lexicon(
        person_titles=frozenset(re.sub(r"[\s.]", "", str(w)).lower() for w in listed("person_titles")),
        role_heads=words("role_heads"),
        role_modifiers=words("role_modifiers"),
        role_drop=words("role_drop"),
        org_unit_heads=mapping("org_unit_heads"),
        unit_nouns_after_name=words("unit_nouns_after_name"),
        arabic_unit_words=mapping("arabic_unit_words"),
        place_heads=words("place_heads"),
        not_organisations=frozenset(str(w).upper() for w in listed("not_organisations")),
    )


@cache
def catalogue() -> Catalogue:
    """The actor index (built once per process)."""
    data = _read_actors()
    actors: list[Actor] = []
    by_key: dict[str, Actor] = {}
    by_name: dict[str, Actor] = {}
    raw_actors = data["actors"]
    if not isinstance(raw_actors, list):
        raise ValueError("actors.json: expected an object with an 'actors' list")
    for item in raw_actors:
        name, typ = item["name"], item["type"]
        if typ not in ACTOR_TYPES:
            raise ValueError(f"actors.json: unknown type {typ!r} for {name!r}")
        a = Actor(
            key=f"actor:{slug(name)}", name=name, type=typ,
            aliases=tuple(item.get("aliases", ())), ambiguous_aliases=tuple(item.get("ambiguous_aliases", ())),
            country=item.get("country"), affiliation=item.get("affiliation"),
        )
        if a.key in by_key:
            raise ValueError(f"actors.json: {name!r} is listed twice")
        actors.append(a)
        by_key[a.key] = a
        by_name[norm(name)] = a
    for a in actors:
        if a.affiliation and norm(a.affiliation) not in by_name:
            raise ValueError(f"actors.json: {a.name!r} is affiliated to unknown actor {a.affiliation!r}")

    entries: dict[str, dict[tuple[str, str], Surface]] = defaultdict(dict)  # norm(alias) → (text, actor) → surface

    def add(text: str, actor: Actor, ambiguous: bool, *, weak: bool = False) -> None:
        qualified = _QUALIFIER.search(text)
        if qualified:  # "The Times (London)": the bare name needs the document's help
            text, ambiguous = text[:qualified.start()], True
        k = norm(text)
        if not k:
            return
        slot = entries[k]
        if weak and any(s.actor != actor.key for s in slot.values()):
            return  # an outlet alias never competes with an actor's
        old = slot.get((text, actor.key))
        slot[(text, actor.key)] = Surface(text, actor.key, ambiguous and (old.ambiguous if old else True))

    for a in actors:
        for text in (a.name, *a.aliases):
            add(text, a, False)
        for text in a.ambiguous_aliases:
            add(text, a, True)
    for o in outlets():
        same = by_name.get(norm(o.name)) or next(
            (by_key[s.actor] for s in entries.get(norm(o.name), {}).values() if not s.ambiguous), None)
        if same is None:
            same = Actor(key=f"outlet:{slug(o.name)}", name=o.name, type=_OUTLET_KIND_TYPE.get(o.kind, OUTLET_TYPE),
                         aliases=o.aliases)
            actors.append(same)
            by_key[same.key] = same
            by_name.setdefault(norm(o.name), same)
        for text in (o.name, *o.aliases):
            add(text, same, _is_outlet_word(_strip_article(text)), weak=True)

    surfaces: dict[str, tuple[Surface, ...]] = {}
    for k, slot in entries.items():
        found = tuple(slot.values())
        if len({s.actor for s in found}) > 1:  # two actors written the same way: the document decides
            found = tuple(Surface(s.text, s.actor, True) for s in found)
        surfaces[k] = found
    raw_lex = data.get("lexicon", {})
    assert isinstance(raw_lex, dict)
    return Catalogue(tuple(actors), by_key, by_name, surfaces, _lexicon(raw_lex))


_FUNCTION_WORDS = frozenset({
    "of", "the", "and", "for", "in", "on", "at", "to", "a", "an", "is", "being", "al", "el", "ad", "ash", "as",
    "ar", "de", "du", "des", "la", "le", "wal", "wa", "bin", "ibn", "da", "der", "di", "y", "&", "-",
})
_WORDS = re.compile(r"[^\s\-/]+")


def word_case_ok(alias_word: str, text_word: str) -> bool:
    """Whether ``text_word`` is written as ``alias_word`` asks (the words already match ignoring case).

    Function words match in any case ("Raqqa is Being …"); an acronym must be written exactly
    ("IS", never "is"); any other capitalised alias word must not be written all-lowercase
    ("Islamic State", not "an Islamic state"); a lowercase alias word matches in any case."""
    if alias_word.isupper() and sum(c.isalpha() for c in alias_word) >= 2:
        return text_word.translate(_QUOTES) == alias_word.translate(_QUOTES)
    if alias_word.lower() in _FUNCTION_WORDS or not any(c.isalpha() for c in alias_word):
        return True
    if any(c.isupper() for c in alias_word):
        return not text_word.islower()
    return True


def case_ok(alias: str, text: str) -> bool:
    a = _WORDS.findall(_strip_article(alias.translate(_QUOTES)))
    t = _WORDS.findall(_strip_article(text.translate(_QUOTES)))
    if len(a) != len(t):
        return True  # differently split (a possessive, punctuation): the comparison form already agreed
    return all(word_case_ok(x, y) for x, y in zip(a, t))


def _strip_article(text: str) -> str:
    text = text.strip(_EDGE)
    if text[:4].lower() == "the ":
        text = text[4:]
    return _POSSESSIVE.sub("", text).strip(_EDGE)


def lookup(text: str) -> tuple[Surface, ...]:
    """Every actor that ``text`` may name: the same words ignoring "the", a possessive, accents
    and quote styles, written in a case the alias allows (``"is"`` never names the Islamic State)."""
    return tuple(s for s in catalogue().surfaces.get(norm(text), ()) if case_ok(s.text, text))
