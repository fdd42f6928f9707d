"""Event mentions: who moved / attacked / deployed where, when and how many (records.md "Event").

:func:`find_events` reads the dependency parse of one document together with the annotation
layers (entities, places, times, quantities, attributions) and returns one
:class:`EventMention` per trigger word. Triggers and their behaviour are data
(``data/event_triggers.json``): verbs (regular inflections generated, irregular ones listed)
and nouns. Roles come from the parse:

* actor: the trigger's ``nsubj`` (inherited through ``conj``/``xcomp``, the head noun of a
  ``relcl``/``acl``, the ``agent`` of a passive, the subject of a light verb governing a noun
  trigger: "made the journey", "issued decrees"), named as a careful coder would: the entity
  mention in or heading that phrase ("Islamic State vehicles" of "“dozens” of Islamic State
  vehicles"), a quote-free phrase of at most eight words inside one clause; pronouns and bare
  quantifiers ("they", "most", "others") take the nearest preceding actor of the paragraph, or
  none; a place alone is no actor (actor resolution lives in :mod:`.event_roles`). The raw
  subject phrase still feeds origins and counts;
  affected: the direct object of transitive triggers, or the passive subject;
* origin ("from/out of X", the place object of flee/escape/leave/evacuate), destination
  ("to/toward/towards/into X"; "in X" after arrive/relocate/deploy), via
  ("through/via/along/across X", the object of cross/pass), location ("in/at/on X");
  routes carried by participles ("escaped Raqqa *heading to* Hasakah", "*taking* the Ba'aj road
  to Syria") join the event they modify; when a movement has no origin but its actor or
  affected phrase is located ("Raqqa's ISIS leadership", "some of those deployed to Raqqa"),
  that place is the origin;
* quantities: the quantity layer's counts inside the actor or affected phrase, or governed by
  the trigger; time: the nearest time expression in the sentence, else the one in the sentence
  of the attribution that reports the event, else the nearest earlier one in the paragraph;
* certainty/hedges: from the innermost attribution whose content holds the trigger (an event
  reported through a hedged claim is hedged), else from hedge cues in the sentence; a negated
  trigger is ``denied``.

"forced X to move" becomes ``forced_transfer`` with the forcer as actor and X as affected.

Not events: a trigger under an irrealis word ("threatened to", "plans to", "calls for", "is
looking to", "the idea of …") or a bare gerund that is the subject of a copular/evaluative
predicate ("Expelling the Kurds from X is the best solution"). A modal ("would", "could"), a
conditional clause or a question makes the event ``hedged`` with that cue.

Derived places (``derived``): "the Syrian border" / "the border with X" → the country (kind
``border``, precision 3, from the gazetteer's demonyms); operation nouns ("the Mosul
offensive", "the battle for Raqqa", a definite "the military operation" → the place of the
latest violence/territory event of the paragraph or the one before) give their place.
Companions ("the militants were accompanied by at least 25 families") add their counts to the
latest movement of the same actor.

PLOVER: every type maps to the nearest PLOVER event type and mode (``types`` in the JSON);
``plover`` is None when none fits — PLOVER has no origin→destination movement, so the
movement family (move, arrive, cross, relocate, transfer, flee, evacuate, desert, return) is
storyline's extension; flee/evacuate by an armed actor map to RETREAT ``withdraw``.

ACLED (issue 16): every mention also carries ACLED's event and sub-event type ("none" where ACLED
codes nothing, e.g. a civilian journey) and the roles that decide them — ``actor_type``,
``target_type``, ``weapon``, ``territory_changed`` — with evidence spans and a confidence
(:mod:`.event_types`). The inventory covers ACLED's classes: protests and riots ("demonstrators
marched on X" is a protest, not a move), sexual violence, looting and destruction, weapons seized,
found, defused or intercepted (``seize_arms``, never a territorial capture), agreements, bases
established, group changes, hand-overs. A movement allowed by someone or under a deal ("were
allowed to leave", "evacuated under an agreement") is ``evacuate``; "left for X" gives the
destination X; "went on strike", "a sit-in" are protests; "took control of X" a capture.
Held-out weighted F1 over the 25 sub-event classes: 0.887 on authored ACLED-style snippets, 0.898
on real news sentences (``bench/events.py``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ..records import EventMention, Range  # noqa: F401  (EventMention re-exported: the record type lives in storyline.records)
from .event_roles import (
    _GROUP_NOUNS,
    _PRONOUNS,
    _QUANTIFIERS,
    _QUOTES,
    Role,
    _actor_role,
    _in,
    _para_start,
    _role,
    _singular,
    _span_of,
    _subject,
)
from .event_types import acled_typing, weapon_of
from .intervals import contains_point

# --------------------------------------------------------------------------------------------
# lexicon


@dataclass(frozen=True, slots=True)
class _Entry:
    type: str
    transitive: bool = False
    needs_path: bool = False
    armed_actor: bool = False
    obj_role: str | None = None
    in_role: str | None = None
    particles: tuple[str, ...] = ()
    objects: frozenset[str] = frozenset()
    object_types: tuple[tuple[str, str], ...] = ()
    needs_weapon: bool = False


@dataclass(frozen=True, slots=True)
class EventLexicon:
    types: dict[str, dict[str, Any]]
    verbs: dict[str, _Entry]  # inflected form -> entry
    nouns: dict[str, str]  # lower-case noun form (singular and plural) -> type
    light_verbs: frozenset[str]
    causatives: frozenset[str]
    path_verbs: frozenset[str]
    armed_nouns: frozenset[str]
    armed_entity_types: frozenset[str]
    preps: dict[str, str]
    mode_words: dict[str, tuple[str, ...]]
    # every lower-case form a trigger can start with (:func:`_trigger` returns None for any other)
    trigger_words: frozenset[str]
    non_count_units: frozenset[str] = frozenset()
    vehicle_nouns: frozenset[str] = frozenset()
    occupant_cues: dict[str, str] | None = None
    people_nouns: frozenset[str] = frozenset()
    continuation_verbs: frozenset[str] = frozenset()
    irrealis: frozenset[str] = frozenset()
    irrealis_xcomp: frozenset[str] = frozenset()
    irrealis_nouns: frozenset[str] = frozenset()
    operation_nouns: frozenset[str] = frozenset()
    companion_verbs: frozenset[str] = frozenset()
    undoing_verbs: frozenset[str] = frozenset()
    civilian_targets: frozenset[str] = frozenset()
    irrealis_amods: frozenset[str] = frozenset()
    strike_kinds: frozenset[str] = frozenset()
    strike_verbs: frozenset[str] = frozenset()
    strike_not_after: frozenset[str] = frozenset()
    control_verbs: frozenset[str] = frozenset()
    past_forms: frozenset[str] = frozenset()  # past tenses and participles of the trigger verbs


def _inflect(base: str) -> list[str]:
    """Regular English verb forms of ``base``."""
    out = [base]
    if re.search(r"(s|x|z|ch|sh)$", base):
        out.append(base + "es")
    elif re.search(r"[^aeiou]y$", base):
        out.append(base[:-1] + "ies")
    else:
        out.append(base + "s")
    if base.endswith("e"):
        out += [base + "d", base[:-1] + "ing"]
    elif re.search(r"[^aeiou]y$", base):
        out += [base[:-1] + "ied", base + "ing"]
    elif re.search(r"[^aeiou][aeiou][bdglmnprt]$", base) and len(base) <= 4:
        out += [base + base[-1] + "ed", base + base[-1] + "ing", base + "ed", base + "ing"]
    else:
        out += [base + "ed", base + "ing"]
    return out


def _plural(noun: str) -> str:
    if re.search(r"(s|x|ch|sh)$", noun):
        return noun + "es"
    if re.search(r"[^aeiou]y$", noun):
        return noun[:-1] + "ies"
    return noun + "s"


@cache
def event_lexicon() -> EventLexicon:
    raw = json.loads(resources.files("storyline").joinpath("data/event_triggers.json").read_text("utf-8"))
    verbs: dict[str, _Entry] = {}
    past: set[str] = set()
    for base, spec in raw["verbs"].items():
        e = _Entry(
            type=spec["type"],
            transitive=bool(spec.get("transitive")),
            needs_path=bool(spec.get("needs_path")),
            needs_weapon=bool(spec.get("needs_weapon")),
            armed_actor=bool(spec.get("armed_actor")),
            obj_role=spec.get("obj_role"),
            in_role=spec.get("in_role"),
            particles=tuple(spec.get("needs_particle", ())),
            objects=frozenset(spec.get("objects", ())),
            object_types=tuple(sorted(spec.get("object_types", {}).items())),
        )
        for f in spec.get("forms") or _inflect(base):
            verbs.setdefault(f, e)
            if f != base and not f.endswith(("s", "ing")):
                past.add(f)
    nouns: dict[str, str] = {}
    for n, t in raw["nouns"].items():
        nouns[n] = t
        nouns.setdefault(_plural(n), t)
    return EventLexicon(
        types=raw["types"],
        verbs=verbs,
        nouns=nouns,
        light_verbs=frozenset(raw["light_verbs"]),
        causatives=frozenset(raw["causatives"]),
        path_verbs=frozenset(raw["path_verbs"]),
        armed_nouns=frozenset(raw["armed_nouns"]),
        armed_entity_types=frozenset(raw["armed_entity_types"]),
        preps=raw["prepositions"],
        mode_words={k: tuple(v) for k, v in raw["mode_words"].items()},
        non_count_units=frozenset(raw.get("non_count_units", ())),
        vehicle_nouns=frozenset(raw.get("vehicle_nouns", ())),
        occupant_cues=dict(raw.get("occupant_cues", {})),
        people_nouns=frozenset(raw.get("people_nouns", ())),
        continuation_verbs=frozenset(raw.get("continuation_verbs", ())),
        irrealis=frozenset(f for w in raw.get("irrealis", ()) for f in _inflect(w)),
        irrealis_xcomp=frozenset(f for w in raw.get("irrealis_xcomp", ()) for f in _inflect(w)),
        irrealis_nouns=frozenset(n for w in raw.get("irrealis_nouns", ()) for n in (w, _plural(w))),
        operation_nouns=frozenset(n for w in raw.get("operation_nouns", ()) for n in (w, _plural(w))),
        companion_verbs=frozenset(f for w in raw.get("companion_verbs", ()) for f in _inflect(w)),
        undoing_verbs=frozenset(f for w in raw.get("undoing_verbs", ()) for f in _inflect(w)),
        civilian_targets=frozenset(raw.get("civilian_targets", ())),
        irrealis_amods=frozenset(raw.get("irrealis_amods", ())),
        strike_kinds=frozenset(raw.get("labour_strike", {}).get("kinds", ())),
        strike_verbs=frozenset(raw.get("labour_strike", {}).get("verbs", ())),
        strike_not_after=frozenset(raw.get("labour_strike", {}).get("not_after", ())),
        control_verbs=frozenset(raw.get("control_verbs", ())),
        past_forms=frozenset(past - set(nouns)),
        trigger_words=_trigger_words(verbs, nouns),
    )


def _trigger_words(verbs: dict[str, _Entry], nouns: dict[str, str]) -> frozenset[str]:
    """The lower-case forms :func:`_trigger` can start an event at: the special cases it names
    ("sit-in", a labour strike, "took control"), every verb form and noun, and every word a
    two-word noun opens with ("air" of "air strike"). A token with another form is skipped
    without reading its tag, dependency or neighbours: on 120 news texts, 15 of 685 tokens a
    document have one of these 731 forms."""
    opening = {n[:i] for n in nouns for i, ch in enumerate(n) if ch == " "}
    return frozenset({"sit", "strike", "strikes", "control", *verbs, *nouns, *opening})


def plover_for(type_: str, *, armed: bool = False) -> tuple[str | None, str | None]:
    """Nearest PLOVER (current manual) type and mode for a storyline type."""
    spec = event_lexicon().types.get(type_, {})
    if armed and spec.get("armed_plover"):
        return spec["armed_plover"], spec.get("armed_mode")
    return spec.get("plover"), spec.get("mode")


def plover_gsr_for(type_: str, *, armed: bool = False) -> str | None:
    """The PLOVER 0.5 GSR label for a storyline type (FIGHT still separate there)."""
    spec = event_lexicon().types.get(type_, {})
    if armed and spec.get("armed_plover"):
        return spec["armed_plover"]
    return spec.get("plover_gsr", spec.get("plover"))


# --------------------------------------------------------------------------------------------
# extraction

_MOVE_FAMILY = {"movement", "deployment", "displacement"}
_WIDER = "+in"
_SUBJ = {"nsubj", "nsubjpass", "csubj"}


def find_events(
    doc_spacy: Any,
    *,
    entities: Sequence[Any] = (),
    places: Sequence[Any] = (),
    times: Sequence[Any] = (),
    quantities: Sequence[Any] = (),
    attributions: Sequence[Any] = (),
) -> list[EventMention]:
    """Events of one parsed document (pure: reads only its arguments)."""
    lex = event_lexicon()
    text = doc_spacy.text
    # no trigger inside a name, a place or a time expression ("in March" is no march)
    blocked = contains_point((m.start, m.end) for m in (*entities, *places, *times))  # by bisection: long texts
    out: list[EventMention] = []
    taken: set[int] = set()
    words = lex.trigger_words
    for tok in doc_spacy:
        if tok.lower_ not in words or tok.i in taken or blocked(tok.idx):
            continue
        hit = _trigger(tok, lex)
        if hit is None:
            continue
        type_, entry, end_i = hit
        used: set[int] = set()
        ev = _build(doc_spacy, tok, end_i, type_, entry, lex, text, entities, places, times, quantities, attributions, used,
                    prior=out)
        if ev is not None:
            out.append(ev)
            taken.update(range(tok.i, end_i + 1))
            taken.update(used)
    out = _link_routes(out, doc_spacy, text, places, lex)
    out = _companions(out, doc_spacy, text, entities, places, quantities, lex)
    return [with_acled(e, text, entities) for e in out]


def with_acled(ev: EventMention, text: str, entities: Sequence[Any] = ()) -> EventMention:
    """``ev`` with its ACLED class, role types and evidence (:func:`event_types.acled_typing`)."""
    from dataclasses import replace

    a = acled_typing(ev, text, entities)
    return replace(ev, acled_event_type=a.event_type, acled_sub_event_type=a.sub_event_type,
                   actor_type=a.actor_type, target_type=a.target_type, weapon=a.weapon,
                   territory_changed=a.territory_changed, acled_confidence=a.confidence,
                   acled_evidence=a.evidence)


def _companions(evs: list[EventMention], doc: Any, text: str, entities: Sequence[Any], places: Sequence[Any],
                quantities: Sequence[Any], lex: EventLexicon) -> list[EventMention]:
    """Counts of people travelling with a movement's actor: "the militants were accompanied by
    at least 25 civilian families" (passive: the agent accompanies the subject) or "25 families
    accompanied the militants" (active) adds the companions' counts to the latest movement of
    the same actor in this paragraph or the one before (same entity key, or same head noun);
    "arrived … along with 25 families" to its own event. Nothing when no movement matches."""
    if not evs or not quantities:
        return evs
    from dataclasses import replace

    out = list(evs)
    moving = lambda e: e.family in _MOVE_FAMILY

    def counts(s: int, e: int) -> list[int]:
        return [i for i, q in enumerate(quantities) if s <= q.start < e and (q.unit or "").lower() not in lex.non_count_units]

    def add(j: int, qs: list[int]) -> None:
        new = tuple(dict.fromkeys((*out[j].quantities, *qs)))
        if new != out[j].quantities:
            out[j] = replace(out[j], quantities=new)

    # "along with N X" / "together with N X" / "alongside N X" on the trigger itself
    for j, e in enumerate(out):
        if not moving(e):
            continue
        span = doc.char_span(e.start, e.end, alignment_mode="expand")
        trig = span.root if span is not None and len(span) else None
        if trig is None:
            continue
        for c in trig.children:
            if c.dep_ == "prep" and (c.lower_ == "alongside" or (c.lower_ == "with" and c.i > 0
                                                                  and doc[c.i - 1].lower_ in ("along", "together"))):
                add(j, counts(c.idx, c.right_edge.idx + len(c.right_edge.text)))
    for tok in doc:
        if tok.lower_ not in lex.companion_verbs or not (tok.pos_ == "VERB" or tok.tag_.startswith("VB")):
            continue
        comp = moved = None
        for c in tok.children:
            if c.dep_ == "agent":
                comp = next((g for g in c.children if g.dep_ == "pobj"), None)
            elif c.dep_ == "nsubjpass":
                moved = c
        if moved is None:
            for c in tok.children:
                if c.dep_ == "nsubj":
                    comp = c
                elif c.dep_ in ("dobj", "obj"):
                    moved = c
        if comp is None or moved is None:
            continue
        qs = counts(*_span_of(comp))
        if not qs:
            continue
        mrole, _ = _actor_role(moved, text, entities, places, lex, [e for e in out if e.start < tok.idx])
        if mrole is None:
            continue
        back = _para_start(text, tok.idx, back=1)
        for j in range(len(out) - 1, -1, -1):
            e = out[j]
            if not moving(e) or e.start < back or e.start > tok.idx or e.actor is None:
                continue
            if _same_actor(e.actor, mrole, doc) or (e.actor.key is not None and e.actor.key == mrole.key):
                add(j, qs)
                break
    return out


def _trigger(tok: Any, lex: EventLexicon) -> tuple[str, _Entry | None, int] | None:
    low = tok.lower_
    if low not in lex.trigger_words:
        return None  # no rule below returns an event for it
    doc = tok.doc
    if low == "sit" and tok.i + 2 < len(doc) and doc[tok.i + 1].text == "-" and doc[tok.i + 2].lower_ == "in":
        return "protest", None, tok.i + 2  # "held a sit-in" (the tokenizer splits the hyphen)
    if low == "march" and tok.text == "March" and any(
            t.like_num for t in doc[max(tok.i - 1, 0): tok.i + 2] if t.i != tok.i):
        return None  # the month: "On 3 March 2021", "March 3"
    if low in ("strike", "strikes") and _labour_strike(tok, lex):
        return "protest", None, tok.i
    if low == "control" and tok.dep_ in ("dobj", "obj") and tok.head.lower_ in lex.control_verbs:
        return "capture", None, tok.i  # "took control of the town"
    # "the Malian army retook control of X" tagged as a noun compound: a past tense of a trigger
    # verb (never a noun form) heading or modifying a noun still is that verb
    misparsed = low in lex.past_forms and tok.tag_.startswith("NN") and tok.dep_ in ("compound", "ROOT")
    if tok.tag_.startswith("VB") or tok.pos_ == "VERB" or misparsed:
        e = lex.verbs.get(low)
        if e is None:
            return None
        if e.particles and not any(c.dep_ == "prt" and c.lower_ in e.particles for c in tok.children):
            return None
        return e.type, e, tok.i
    nxt = tok.nbor(1) if tok.i + 1 < len(doc) else None
    nounish = tok.pos_ in ("NOUN", "PROPN") or tok.tag_.startswith("NN")
    if nxt is not None and f"{low} {nxt.lower_}" in lex.nouns and (nounish or (tok.pos_ == "ADJ" and nxt.pos_ == "NOUN")):
        return lex.nouns[f"{low} {nxt.lower_}"], None, nxt.i  # "air strike", "human chain"
    if nounish and low in lex.nouns:
        # a noun used as a modifier ("attack helicopters") is no event
        if tok.dep_ == "compound" and low not in ("air",):
            return None
        return lex.nouns[low], None, tok.i
    return None


def _labour_strike(tok: Any, lex: EventLexicon) -> bool:
    """A noun "strike" that is a labour or hunger strike ("a general strike", "went on strike",
    "staged a strike"), not an air, drone or missile strike."""
    if not (tok.pos_ in ("NOUN", "PROPN") or tok.tag_.startswith("NN")):
        return False
    left = {re.sub(r"['’]s?$", "", c.lower_) for c in tok.lefts if c.dep_ in ("compound", "amod", "nmod", "poss")}
    if left & lex.strike_not_after:
        return False
    if left & lex.strike_kinds:
        return True
    h = tok.head
    if tok.dep_ == "pobj" and h.lower_ == "on" and h.head.lower_ in lex.strike_verbs:
        return True
    return tok.dep_ in ("dobj", "obj") and h.lower_ in lex.strike_verbs


def _build(
    doc: Any, tok: Any, end_i: int, type_: str, entry: _Entry | None, lex: EventLexicon, text: str,
    entities: Sequence[Any], places: Sequence[Any], times: Sequence[Any], quantities: Sequence[Any],
    attributions: Sequence[Any], used: set[int], prior: Sequence[EventMention] = (),
) -> EventMention | None:
    sent = tok.sent
    sentence = (sent.start_char, sent.end_char)
    actor_tok = affected_tok = None
    governor = tok  # the token whose preps and objects describe the event
    if entry is not None:  # verb trigger
        subj, passive = _subject(tok)
        if subj is None and tok.tag_ in ("VBD", "VBZ", "VBP") and tok.dep_ not in ("xcomp", "conj", "relcl", "acl"):
            subj = _left_np(tok)  # a misparsed headline-less sentence: the phrase right before the verb
        if passive:
            affected_tok = subj
            for c in tok.children:
                if c.dep_ == "agent":
                    objs = [g for g in c.children if g.dep_ == "pobj"]
                    actor_tok = objs[0] if objs else None
        else:
            actor_tok = subj
            if entry.transitive:
                for c in tok.children:
                    if c.dep_ in ("dobj", "obj"):
                        affected_tok = c
        # "forced X to move"
        if tok.dep_ == "xcomp" and tok.head.lower_ in lex.causatives and lex.types.get(type_, {}).get("family") == "movement":
            cause = tok.head
            objs = [c for c in cause.children if c.dep_ in ("dobj", "obj")]
            if objs:
                affected_tok = objs[0]
                csubj, _ = _subject(cause)
                actor_tok = csubj
                type_ = "forced_transfer"
        if tok.dep_ == "advcl" and tok.lower_ in lex.path_verbs and tok.tag_ == "VBG":
            pass  # a participle route of another event is folded into that event below
    else:  # noun trigger
        head = tok.head
        if tok.dep_ in ("dobj", "obj") and head.lower_ in lex.light_verbs:
            governor = head
            actor_tok, _ = _subject(head)
        elif tok.dep_ == "pobj" and head.dep_ == "prep" and head.head.lower_ in lex.light_verbs:
            governor = head.head
            actor_tok, _ = _subject(head.head)
        for c in tok.children:
            if c.dep_ == "poss" and actor_tok is None:
                actor_tok = c
            if c.dep_ == "prep" and c.lower_ == "by":
                objs = [g for g in c.children if g.dep_ == "pobj"]
                if objs:
                    actor_tok = objs[0]
            if c.dep_ == "prep" and c.lower_ in ("of", "against", "on"):
                objs = [g for g in c.children if g.dep_ == "pobj"]
                if objs and affected_tok is None:
                    affected_tok = objs[0]

    # the raw subject phrase still locates the event and carries its counts; the actor proper
    # is the acting group named in or resolved from it
    raw_actor = _role(actor_tok, text, entities) if actor_tok is not None else None
    raw_actor_tok = actor_tok
    actor = None
    if actor_tok is not None:
        actor, actor_tok = _actor_role(actor_tok, text, entities, places, lex, prior)
    affected = _role(affected_tok, text, entities) if affected_tok is not None else None

    # an event only threatened, planned, refused or demanded is none; nor is a noun trigger
    # being ended ("lifted the curfew"); some verbs need a fitting object ("suspended aid")
    if _irrealis(tok if entry is not None else governor, lex) or _gerund_topic(tok):
        return None
    if entry is None and tok.dep_ in ("dobj", "nsubjpass") and tok.head.lower_ in lex.undoing_verbs:
        return None
    if entry is None and any(c.dep_ == "amod" and c.lower_ in lex.irrealis_amods for c in tok.children):
        return None  # "an expected offensive", "a possible attack"
    if entry is not None and entry.needs_weapon and weapon_of(text, sentence)[0] is None:
        return None  # "prices hit a record" is no attack; "artillery hit homes" is
    if entry is not None and (entry.objects or entry.object_types):
        raw_obj = _counted(affected_tok).lower_ if affected_tok is not None else None
        obj = _singular(raw_obj) if raw_obj is not None else None
        if entry.objects and (obj is None or not ({raw_obj, obj, obj + "s"} & entry.objects)):
            return None
        kinds = dict(entry.object_types)
        if obj not in kinds and affected_tok is not None:
            # "quantities of weapons and ammunition", "a cache of arms": a noun inside the object phrase
            obj = next((w for w in (_singular(t.lower_) for t in affected_tok.subtree if t.pos_ in ("NOUN", "PROPN"))
                        if w in kinds), obj)
        type_ = kinds.get(obj or "", type_)

    # a vehicle is no actor: the vehicles are the affected party (the instrument of the
    # movement), the actor is whoever the sentence puts in them ("carrying X", "full with X",
    # "belonging to X"), else the armed group named in the phrase, else the actor of the earlier
    # event with the same vehicles ("The vehicles continued …")
    occupant = None
    vt = _counted(raw_actor_tok) if raw_actor_tok is not None else None
    if (vt is not None and raw_actor is not None and vt.lower_ in lex.vehicle_nouns
            and lex.types.get(type_, {}).get("family") in _MOVE_FAMILY):
        occ = _occupant(vt, tok, lex, entities)
        if occ is not None:
            occupant = _role(occ, text, entities)
            actor, actor_tok = _actor_role(occ, text, entities, places, lex, prior)
        else:
            vs, ve = _span_of(vt)
            raw_actor = Role(min(raw_actor.start, vs), max(raw_actor.end, ve), text[min(raw_actor.start, vs):max(raw_actor.end, ve)])
            ms = [m for m in entities if raw_actor.start <= m.start and m.end <= raw_actor.end
                  and m.type in lex.armed_entity_types]
            if ms:
                m = ms[0]
                actor, actor_tok = Role(m.start, m.end, text[m.start:m.end], m.key), doc.char_span(
                    m.start, m.end, alignment_mode="expand").root
            else:
                actor = _vehicle_antecedent(vt, text, prior)
                actor_tok = None
        if affected is None:
            affected = raw_actor
    # whatever way the actor phrase was found, "N of X vehicles/cars/buses/convoys" names the
    # vehicles: the armed group X is the actor, the vehicle phrase the affected party
    if actor is not None and lex.types.get(type_, {}).get("family") in _MOVE_FAMILY:
        ah = _role_head(doc, actor)
        if ah is not None and _counted(ah).lower_ in lex.vehicle_nouns:
            ms = [m for m in entities if actor.start <= m.start and m.end <= actor.end
                  and m.type in lex.armed_entity_types and m.key is not None]
            if affected is None:
                affected = actor
            if ms:
                m = ms[0]
                actor = Role(m.start, m.end, text[m.start:m.end], m.key)
                sp = doc.char_span(m.start, m.end, alignment_mode="expand")
                actor_tok = sp.root if sp is not None and len(sp) else None
            else:
                actor, actor_tok = _vehicle_antecedent(_counted(ah), text, prior), None

    # armed actor?
    def armed(role_tok: Any, role: Role | None) -> bool:
        if role is None:
            return False
        if role_tok is not None and role_tok.lower_ in lex.armed_nouns:
            return True
        return any(_in((role.start, role.end), m.start, m.end) and m.type in lex.armed_entity_types for m in entities)

    def armed_actor() -> bool:
        return armed(actor_tok, actor) or armed(raw_actor_tok, raw_actor)

    if entry is not None and entry.armed_actor and not (armed_actor() or armed(affected_tok, affected)):
        return None

    # routes
    paths: list[tuple[str, int, int]] = []
    default_in = (entry.in_role if entry else None) or "location"
    obj_role = entry.obj_role if entry is not None else None
    sources = [tok] if governor is tok else [tok, governor]
    for src in list(sources):
        kids = list(src.children)
        kids += [g for c in kids if c.dep_ in ("dobj", "obj") for g in c.children]
        for c in kids:  # participles that carry the route
            if c.dep_ in ("advcl", "xcomp", "conj", "acl") and c.lower_ in lex.path_verbs and c.tag_ in ("VBG", "VBN"):
                sources.append(c)
                used.add(c.i)
    for src in sources:
        is_path_verb = src is not tok and src is not governor
        for c in src.children:
            if c.dep_ == "prep" and c.lower_ == "for" and src.lower_ in _FOR_DESTINATION:
                _prep_paths(c, lex, default_in, paths, forced="destination")  # "left for Idlib"
            elif c.dep_ == "prep" or (c.dep_ == "advmod" and c.lower_ in ("out", "away")):
                _prep_paths(c, lex, default_in, paths)
            elif c.dep_ == "prt" and c.lower_ in ("out", "away", "off"):
                for g in c.children:
                    if g.dep_ == "prep":
                        _prep_paths(g, lex, default_in, paths, forced="origin")
            elif c.dep_ in ("dobj", "obj", "npadvmod") and (is_path_verb or obj_role):
                role = obj_role if obj_role and not is_path_verb else "via"
                s, e = _span_of(c)
                if is_path_verb or obj_role != "location" or _has_place(places, s, e):
                    paths.append((role, s, e))
                for g in c.children:  # "the Ba'aj road to Syria"
                    if g.dep_ == "prep":
                        _prep_paths(g, lex, "location", paths)
    # a time expression is no route ("arrived on Wednesday")
    paths = [(r, s, e) for r, s, e in paths if not any(s <= t.start < e or t.start <= s < t.end for t in times)]
    # the place objects of the prepositions; a widened phrase ("positions in X") only where its
    # core names no place
    wider = [(r, s, e) for r, s, e in paths if r.endswith(_WIDER)]
    paths = [(r, s, e) for r, s, e in paths if not r.endswith(_WIDER)]
    for r, s, e in wider:
        r = r[: -len(_WIDER)]
        if not any(r2 == r and s2 == s and _has_place(places, s2, e2) for r2, s2, e2 in paths):
            paths = [(r2, s2, e2) for r2, s2, e2 in paths if not (r2 == r and s2 == s)] + [(r, s, e)]
    roles: dict[str, list[int]] = {"origin": [], "destination": [], "via": [], "location": []}
    for role, s, e in paths:
        for i, p in enumerate(places):
            if s <= p.start and p.end <= e and i not in roles[role]:
                roles[role].append(i)
    for ix in roles.values():  # "Iraq’s Nineveh Governorate": the most precise place first
        ix.sort(key=lambda i: (getattr(places[i], "precision", None) or 9, getattr(places[i], "kind", None) == "country"))
    family = lex.types.get(type_, {}).get("family", "")
    marching = tok.lower_.startswith("march") and (
        _PROTEST_CONTEXT.search(sent.text) is not None
        or not (armed_actor() or any(r in ("origin", "destination", "via") for r, _, _ in paths)))
    if family == "movement" and type_ in ("move", "arrive") and (_protesting(raw_actor, actor) or marching):
        # "demonstrators marched on the commission's offices"; a march going nowhere is a demonstration
        type_, family = "protest", "protest"
    elif family == "movement" and type_ in _DEAL_MOVES and _under_deal(tok, sent.text):
        type_ = "evacuate"  # "allowed to leave", "evacuated under an agreement"
    if entry is not None and entry.needs_path and family != "protest" and not any(r in ("origin", "destination", "via") for r, _, _ in paths):
        return None
    if family == "movement" and not roles["origin"]:
        for party in (raw_actor, affected):
            if party is None:
                continue
            inside = [
                i for i, p in enumerate(places)
                if party.start <= p.start and p.end <= party.end and i not in roles["destination"]
                and _located(doc, p, party, lex)
            ]
            if inside:
                roles["origin"] = sorted(inside, key=lambda i: (getattr(places[i], "precision", None) or 9,
                                                                getattr(places[i], "kind", None) == "country"))
                break
    if type_ in _LEAVING and not roles["origin"] and _anaphoric_actor(doc, raw_actor_tok if raw_actor_tok is not None else affected_tok):
        # "The fighters were trapped in Manbij for weeks. On Friday they escaped": where the
        # party was last placed earlier in the paragraph is where it left from
        earlier = _earlier_location(doc, tok, text, places, roles["destination"])
        if earlier is not None:
            roles["origin"] = [earlier]

    # "the Syrian border", "the border with Turkey": the country (kind "border"); "the Mosul
    # offensive", "the battle for Raqqa", "the military operation": the operation's place
    derived: list[tuple[str, dict[str, Any]]] = []
    for role, s, e in paths:
        if role not in roles or _has_place(places, s, e):
            continue
        ph = doc.char_span(s, e, alignment_mode="expand")
        root = ph.root if ph is not None and len(ph) else None
        if root is None:
            continue
        if root.lower_ in ("border", "borders", "frontier"):
            rec = _border_place(root, s, e, text, places)
            if rec is not None:
                derived.append((role, rec))
        elif root.lower_ in lex.operation_nouns:
            for i in _operation_places(root, text, places, prior, lex):
                if i not in roles[role]:
                    roles[role].append(i)
    if entry is None and family in ("violence", "territory") and not roles["location"]:
        # the noun trigger's own place: "the Mosul offensive", "the battle for Raqqa"
        roles["location"] = _operation_places(tok, text, places, (), lex)

    # quantities
    qs: list[int] = []
    spans = [(r.start, r.end) for r in (raw_actor, affected, occupant) if r is not None]
    for i, q in enumerate(quantities):
        if (q.unit or "").lower() in lex.non_count_units:
            continue
        if any(s <= q.start < e or q.start <= s < q.end for s, e in spans):
            qs.append(i)
    # attribution / certainty
    attr_i = _attribution_of(tok.idx, attributions)
    hedges: tuple[str, ...] = ()
    certainty = "asserted"
    if attr_i is not None:
        a = attributions[attr_i]
        certainty = a.certainty
        hedges = tuple(a.hedges)
    own = _sentence_hedges(text, sentence)
    if own:
        hedges = tuple(dict.fromkeys((*hedges, *own)))
        if certainty == "asserted":
            certainty = "hedged"
    modal = _modality(tok, governor)
    if modal:  # "would flee", "if they withdraw", questions: not asserted
        hedges = tuple(dict.fromkeys((*hedges, *modal)))
        if certainty in ("asserted", "reported"):
            certainty = "hedged"
    if any(c.dep_ == "neg" for c in governor.children) or any(c.dep_ == "neg" for c in tok.children):
        certainty = "denied"
    # time
    time_i = _time_of(tok.idx, sentence, text, times, attributions[attr_i] if attr_i is not None else None)

    is_armed = armed_actor()
    plover, mode = plover_for(type_, armed=is_armed)
    if plover is not None:
        mode = _mode(type_, plover, mode, sent.text.lower(), lex, actor)
    gsr = plover_gsr_for(type_, armed=is_armed)
    if gsr == "FIGHT" and type_ in ("attack", "airstrike", "shelling") and affected_tok is not None and _counted(affected_tok).lower_ in lex.civilian_targets:
        gsr = "ASSAULT"  # one-sided violence against civilians (PLOVER 0.5 keeps FIGHT for armed clashes)
    end_tok = doc[end_i]
    return EventMention(
        start=tok.idx,
        end=end_tok.idx + len(end_tok.text),
        text=text[tok.idx : end_tok.idx + len(end_tok.text)],
        type=type_,
        plover=plover,
        plover_mode=mode,
        actor=actor,
        affected=affected,
        origin=tuple(roles["origin"]),
        destination=tuple(roles["destination"]),
        via=tuple(roles["via"]),
        location=tuple(roles["location"]),
        paths=tuple(paths),
        quantities=tuple(qs),
        time=time_i,
        certainty=certainty,
        hedges=hedges,
        sentence=sentence,
        attribution=attr_i,
        family=family,
        plover_gsr=gsr,
        derived=tuple(derived),
    )


_FOR_DESTINATION = frozenset({"leave", "leaves", "left", "leaving", "depart", "departs", "departed", "departing", "set",
                              "sets", "setting", "head", "heads", "headed", "heading", "bound", "flee", "fled", "flees",
                              "fleeing", "evacuate", "evacuated", "evacuating"})
_ALLOW = frozenset({"allow", "allows", "allowed", "allowing", "permit", "permits", "permitted", "let", "lets", "letting",
                    "agree", "agreed", "agrees"})
_DEAL_MOVES = frozenset({"move", "flee", "transfer", "relocate", "withdraw", "return"})
_DEAL = re.compile(r"\b(?:under|as part of|in line with|according to|following|per)\s+(?:a|an|the|this|that)?\s*"
                   r"(?:[\w-]+\s+){0,3}(?:deal|agreement|truce|ceasefire|cease-fire|accord|arrangement|settlement)\b", re.IGNORECASE)
_PROTEST_CONTEXT = re.compile(r"\b(?:protest\w*|peaceful|demonstrat\w*|rall(?:y|ied)|slogans?|chant\w*|to the streets|"
                              r"against the|demand\w*|denounc\w*|opposition supporters)\b", re.IGNORECASE)
_PROTESTERS = re.compile(r"\b(?:protest[eo]rs?|demonstrators?|marchers|strikers)\b", re.IGNORECASE)


_LEAVING = frozenset({"flee", "evacuate", "withdraw", "desert"})
_LOCATIVE = frozenset({"in", "inside", "at", "within"})
_HOLDING = frozenset({"besieged", "trapped", "encircled", "surrounded", "holed", "stationed", "based", "entrenched",
                      "remained", "stayed", "hiding", "held"})


def _anaphoric_actor(doc: Any, tok: Any) -> bool:
    """A pronoun or definite group subject ("they", "the fighters") that points back."""
    if tok is None:
        return False
    if tok.lower_ in _PRONOUNS:
        return True
    return any(c.dep_ == "det" and c.lower_ in _DEFINITE for c in tok.children)


def _earlier_location(doc: Any, tok: Any, text: str, places: Sequence[Any], taken: Sequence[int]) -> int | None:
    """The latest place of a sentence before ``tok``'s in its paragraph that a holding verb or a
    locative preposition governs ("were trapped in Manbij", "besieged Daraya") and that is no
    country; None when there is none."""
    s0 = tok.sent.start_char
    p0 = _para_start(text, tok.idx)
    best = None
    for i, p in enumerate(places):
        if not (p0 <= p.start < s0) or i in taken or getattr(p, "kind", None) == "country":
            continue
        span = doc.char_span(p.start, p.end, alignment_mode="expand")
        if span is None or not len(span):
            continue
        head = span.root.head
        held = (head.lower_ in _LOCATIVE and head.head.lower_ in _HOLDING) or (
            span.root.dep_ in ("dobj", "obj") and head.lower_ in _HOLDING)
        if held and (best is None or p.start > places[best].start):
            best = i
    return best


def _under_deal(tok: Any, sentence: str) -> bool:
    """A movement allowed by someone ("were allowed to leave", "let them escape") or done under
    a deal ("under an agreement", "as part of a truce") is an evacuation."""
    h = tok.head
    if tok.dep_ in ("xcomp", "ccomp") and h.lower_ in _ALLOW:
        return True
    return _DEAL.search(sentence) is not None


def _protesting(*roles: Role | None) -> bool:
    return any(r is not None and _PROTESTERS.search(r.text) for r in roles)


def _border_place(root: Any, s: int, e: int, text: str, places: Sequence[Any]) -> dict[str, Any] | None:
    """The country of a border phrase: "the border with X" (X a country of the place layer) or
    "the <demonym> border" with one country's demonym ("the Syrian border"); a record shaped like
    a place with kind "border" and precision 3 (a country-level location), else None."""
    isos: set[str] = set()
    doc = root.doc
    withs = [c for c in root.children if c.dep_ == "prep" and c.lower_ in ("with", "of")]
    if not withs and root.i + 1 < len(doc) and doc[root.i + 1].lower_ == "with":
        withs = [doc[root.i + 1]]  # "to the border with X" with "with X" hung on the verb
    for c in withs:
        ps, pe = c.idx, c.right_edge.idx + len(c.right_edge.text)
        for p in places:
            if ps <= p.start and p.end <= pe and getattr(p, "resolved", True) and getattr(p, "kind", None) == "country":
                if getattr(p, "country", None):
                    isos.add(p.country)
                e = max(e, pe)
    try:
        from .gazetteer import Gazetteer, GazetteerUnavailable, norm
    except ImportError:  # pragma: no cover
        return None
    try:
        gaz = Gazetteer.load()
    except (GazetteerUnavailable, OSError):
        return None
    if not isos:
        for c in root.doc[root.left_edge.i : root.i]:
            if c.dep_ not in ("det", "punct", "cc", "advmod") and c.pos_ != "DET":
                for w in re.split(r"[-–/]", c.text):
                    iso = gaz.demonyms.get(norm(w))
                    if iso:
                        isos.add(iso)
                    elif w and w[0].isupper():
                        isos.add("?")
    if len(isos) != 1 or "?" in isos:
        return None  # "the Syrian-Iraqi border" lies along two countries: no one place
    cand = gaz.country_candidate(next(iter(isos)), match="name")
    if cand is None:
        return None
    return {"name": cand.name, "lat": cand.lat, "lon": cand.lon, "kind": "border", "country": cand.country,
            "gazetteer_id": cand.gazetteer_id, "precision": 3, "start": s, "end": e, "text": text[s:e]}


def _operation_places(root: Any, text: str, places: Sequence[Any], prior: Sequence[Any],
                      lex: EventLexicon) -> list[int]:
    """Places of an operation noun ("the Mosul offensive", "the battle for Raqqa"): a place that
    modifies it or is the object of its for/of/against/on/over phrase; for a definite one with
    none ("the military operation"), the place of the latest violence/territory event of this
    paragraph or the one before; empty when none."""
    out: list[int] = []
    for c in root.children:
        if c.dep_ in ("compound", "amod", "nmod", "poss") and c.i < root.i:
            cs, ce = c.left_edge.idx, c.idx + len(c.text)
        elif c.dep_ == "prep" and c.lower_ in ("for", "of", "against", "on", "over"):
            cs, ce = c.idx, c.right_edge.idx + len(c.right_edge.text)
        else:
            continue
        out += [i for i, p in enumerate(places) if cs <= p.start and p.end <= ce and getattr(p, "resolved", True)]
    if out or not prior or not any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in root.children):
        return out
    back = _para_start(text, root.idx, back=1)
    for ev in reversed(prior):
        if ev.start < back or ev.start >= root.idx or ev.family not in ("violence", "territory"):
            continue
        where = ev.location or ev.destination
        if where:
            return list(where)
    return out


# --------------------------------------------------------------------------------------------
# routes across sentences: what one sentence of a paragraph says about another's movement

_DEFINITE = frozenset({"the", "these", "those", "this", "that"})


def _role_head(doc: Any, r: Role | None) -> Any | None:
    if r is None:
        return None
    span = doc.char_span(r.start, r.end, alignment_mode="expand")
    return None if span is None or not len(span) else span.root


def _same_actor(a: Role | None, b: Role | None, doc: Any) -> bool:
    """Two actor roles name the same party: one entity key, or (both unnamed) one head noun."""
    if a is None or b is None:
        return False
    if a.key is not None or b.key is not None:
        return a.key == b.key
    ha, hb = _role_head(doc, a), _role_head(doc, b)
    return ha is not None and hb is not None and _singular(_counted(ha).text) == _singular(_counted(hb).text)


def _anaphoric(doc: Any, r: Role | None) -> bool:
    """An actor phrase that refers back: a pronoun or "the/these + noun" without a count."""
    h = _role_head(doc, r)
    if h is None:
        return False
    if h.pos_ == "PRON" or h.lower_ in _PRONOUNS:
        return True
    return any(c.dep_ == "det" and c.lower_ in _DEFINITE for c in h.children) and not any(
        c.dep_ == "nummod" for c in h.children)


def _path_of(ev: EventMention, role: str, places: Sequence[Any]) -> list[tuple[str, int, int]]:
    ix = getattr(ev, role)
    return [(role, places[i].start, places[i].end) for i in ix]


def _with_route(ev: EventMention, src: EventMention, roles: dict[str, tuple[int, ...]],
                places: Sequence[Any]) -> EventMention:
    """``ev`` with the route roles taken from event ``src`` (another sentence): the places'
    own spans join ``paths`` as evidence, and a hedged source hedges the event."""
    from dataclasses import replace

    paths = list(ev.paths)
    for role, ix in roles.items():
        paths += [(role, places[i].start, places[i].end) for i in ix]
    certainty, hedges = ev.certainty, ev.hedges
    if src.certainty == "hedged" and certainty == "asserted":
        certainty = "hedged"
    if src.certainty in ("hedged", "reported"):
        hedges = tuple(dict.fromkeys((*hedges, *src.hedges)))
    ordered: dict[str, Any] = {
        r: tuple(sorted(ix, key=lambda i: (getattr(places[i], "precision", None) or 9,
                                           getattr(places[i], "kind", None) == "country")))
        for r, ix in roles.items()}
    return replace(ev, paths=tuple(paths), certainty=certainty, hedges=hedges, **ordered)


def _link_routes(evs: list[EventMention], doc: Any, text: str, places: Sequence[Any],
                 lex: EventLexicon) -> list[EventMention]:
    """Roles that a movement's own sentence leaves open but its paragraph gives:

    * an origin stated afterwards about the same actor ("… arrived in Margada. The jihadists came
      from Nineveh"; up to two paragraphs back: "… arrived in Raqqa. … where in Iraq the militants
      came from") completes the earlier arrival;
    * a movement of the same actor that goes on from an earlier leg starts where that leg ended
      ("… passed through al-Qa'im crossing. The vehicles continued on to al-Bukamal");
    * "the journey" / "the trip" (a definite event noun with no route) is the paragraph's
      previous movement: it takes that route;
    * a displacement of a group described earlier as located ("the Kurdish residents of Raqqa"
      … "forced dozens of Kurdish families to move to Palmyra") starts there.
    """
    if not places:
        return evs
    out = list(evs)
    moving = lambda e: e.family == "movement" or e.type in ("forced_transfer", "displace")
    for j, e2 in enumerate(out):
        if not moving(e2):
            continue
        trig = doc.char_span(e2.start, e2.end, alignment_mode="expand")
        trig = trig.root if trig is not None and len(trig) else None
        para = _para_start(text, e2.start)
        # 1. an origin told afterwards completes the earlier arrival of the same actor
        if e2.origin and not e2.destination and e2.actor is not None and _anaphoric(doc, e2.actor):
            back = _para_start(text, e2.start, back=2)
            cands = [i for i in range(j) if moving(out[i]) and out[i].start >= back and out[i].destination
                     and not out[i].origin and out[i].sentence != e2.sentence
                     and _same_actor(out[i].actor, e2.actor, doc)]
            if cands:
                dest = {places[k].name for k in out[cands[-1]].destination}
                for i in cands:
                    if {places[k].name for k in out[i].destination} == dest:
                        out[i] = _with_route(out[i], e2, {"origin": e2.origin}, places)
            continue
        if trig is None:
            continue
        # 2. "the journey": the previous movement's route
        if trig.pos_ == "NOUN" and not (e2.origin or e2.destination or e2.via) \
                and any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in trig.children):
            back = _para_start(text, e2.start, back=1)
            prev = [e for e in out[:j] if moving(e) and e.start >= back and e.destination
                    and (e.actor is None or e2.actor is None or e.actor.key is None or e2.actor.key is None
                         or e.actor.key == e2.actor.key)]
            if prev:
                p = prev[-1]
                out[j] = _with_route(e2, p, {"origin": p.origin, "destination": p.destination, "via": p.via}, places)
            continue
        # 3. the next leg of the same actor starts where the previous one ended
        if not e2.origin and (e2.destination or e2.via):
            prev = [e for e in out[:j] if moving(e) and e.start >= para and e.sentence != e2.sentence]
            if prev:
                p = prev[-1]
                same = _same_actor(p.actor, e2.actor, doc) and (
                    _anaphoric(doc, e2.actor) or trig.lower_ in lex.continuation_verbs)
                end = p.destination or p.via or (p.origin if not p.destination else ())
                names = {places[k].name for k in e2.destination}
                if same and end and not names & {places[k].name for k in end}:
                    out[j] = _with_route(e2, p, {"origin": end}, places)
                    continue
        # 4. a displaced group described earlier as located
        if not out[j].origin and out[j].destination and (out[j].family == "displacement" or out[j].type in (
                "forced_transfer", "flee", "transfer")):
            src = _located_group(doc, out[j].affected or out[j].actor, e2.start, text, places, lex)
            if src is not None:
                out[j] = _with_route(out[j], out[j], {"origin": (src,)}, places)
    return out


def _located_group(doc: Any, r: Role | None, pos: int, text: str, places: Sequence[Any],
                   lex: EventLexicon) -> int | None:
    """The place of an earlier description of the same people ("the Kurdish residents of Raqqa"
    for "dozens of Kurdish families"): a people noun with the same capitalised modifier and an
    "of/in/from X" place, in this paragraph or the two before; None when none or several."""
    h = _role_head(doc, r)
    if h is None:
        return None
    h = _counted(h)
    if h.lower_ not in lex.people_nouns:
        return None
    mods = {c.lower_ for c in h.children if c.dep_ in ("amod", "compound") and c.text[:1].isupper()}
    if not mods:
        return None
    back = _para_start(text, pos, back=2)
    found: set[int] = set()
    span = doc.char_span(back, pos, alignment_mode="contract")
    for t in span or ():
        if t.lower_ not in lex.people_nouns or not any(
                c.dep_ in ("amod", "compound") and c.lower_ in mods for c in t.children):
            continue
        for c in t.children:
            if c.dep_ == "prep" and c.lower_ in ("of", "in", "from"):
                s, e = c.idx, c.right_edge.idx + len(c.right_edge.text)
                found |= {i for i, p in enumerate(places) if s <= p.start and p.end <= e and getattr(p, "resolved", True)}
    names = {places[i].name for i in found}
    return min(found) if len(names) == 1 else None


def _located(doc: Any, place: Any, role: Role, lex: EventLexicon) -> bool:
    """Whether a place inside an actor/affected phrase locates that party ("Raqqa's ISIS
    leadership", "leaders in Raqqa", "those deployed to Raqqa") rather than something else
    ("vehicles belonging to Iraq's forces"): no non-event verb lies between them."""
    span = doc.char_span(place.start, place.end, alignment_mode="expand")
    if span is None:
        return False
    cur = span.root
    for _ in range(12):
        if cur.idx < role.start or cur.idx >= role.end or cur.head is cur:
            return True
        cur = cur.head
        if cur.pos_ == "VERB" and cur.lower_ not in lex.verbs and role.start <= cur.idx < role.end:
            return False
    return True


def _has_place(places: Sequence[Any], s: int, e: int) -> bool:
    return any(s <= p.start and p.end <= e for p in places)


def _prep_paths(prep: Any, lex: EventLexicon, default_in: str, paths: list, forced: str | None = None) -> None:
    word = prep.lower_
    role = forced or lex.preps.get(word)
    if role is None:
        return
    if role == "location":
        role = default_in
    if word in ("out", "away"):
        role = "origin"
    doc = prep.doc
    if role == default_in and prep.i > 0 and doc[prep.i - 1].lower_ == "where":
        return  # "where in Iraq … came from": the place belongs to the stranded preposition
    if role in ("origin", "destination") and not any(g.dep_ in ("pobj", "pcomp", "prep") for g in prep.children):
        wh = _wh_place(prep)  # "where in Iraq the militants came from"
        if wh is not None:
            paths.append((role, *wh))
        return
    for g in prep.children:
        if g.dep_ == "pobj":
            s, e = _span_of(g)
            paths.append((role, s, e))
            if role != default_in:  # "from positions in Nineveh": the place that locates the point
                for c in g.children:
                    if c.dep_ == "prep" and c.lower_ in ("in", "inside", "near") and c.i > g.i:
                        for h in c.children:
                            if h.dep_ == "pobj":
                                paths.append((role + _WIDER, s, max(e, _span_of(h)[1])))
            for cj in g.children:  # "to both Raqqa and Deir Ezzor"
                if cj.dep_ == "conj":
                    s2, e2 = _span_of(cj)
                    paths.append((role, s2, e2))
        elif g.dep_ == "prep":  # "out of X", "away from X"
            _prep_paths(g, lex, default_in, paths, forced="origin" if word in ("out", "away") else forced)


def _irrealis(tok: Any, lex: EventLexicon) -> bool:
    """Whether ``tok`` is the complement of a word that makes it unreal: "refused to deploy",
    "threatened to launch an offensive", "opposed the deployment", "willing to withdraw"."""
    cur = tok
    for _ in range(4):
        if cur.dep_ not in ("xcomp", "dobj", "pobj", "prep", "acomp", "pcomp", "ccomp") or cur.head is cur:
            return False
        nxt = cur.head
        if nxt.lower_ in lex.irrealis:
            return not (cur.dep_ == "ccomp" and nxt.lower_.startswith("warn"))
        if cur.dep_ == "xcomp" and nxt.lower_ in lex.irrealis_xcomp:
            return True  # "is looking to leave", "tried to flee"
        if cur.dep_ == "prep" and cur.lower_ == "of" and nxt.lower_ in lex.irrealis_nouns:
            return True  # "the idea of expelling X", "the prospect of an offensive"
        if cur.dep_ in ("dobj", "ccomp") and nxt.lower_ not in lex.light_verbs:
            return False
        cur = nxt
    return False


_MODALS = frozenset({"would", "could", "might", "may", "should", "must", "'d"})
_COPULAS = frozenset({"be", "remain", "seem", "become", "mean", "require", "need", "help"})


def _gerund_topic(tok: Any) -> bool:
    """A bare gerund used as the subject of a copular/evaluative predicate is a topic, not an
    event that happened: "Expelling the Kurds from X is the best solution", "Leaving would
    mean death"."""
    if tok.tag_ != "VBG" or tok.dep_ not in ("csubj", "csubjpass", "nsubj", "nsubjpass"):
        return False
    if any(c.dep_ in ("nsubj", "aux", "auxpass") for c in tok.children):
        return False
    head = tok.head
    return head.lemma_.lower() in _COPULAS or any(c.dep_ == "aux" and c.lower_ in _MODALS for c in head.children)


def _modality(tok: Any, governor: Any) -> tuple[str, ...]:
    """Cues that the event is only possible, conditional or asked about: a modal on the trigger
    or the verb it hangs from ("would flee", "could be deployed"), a conditional clause ("if
    they withdraw"), a question. Empty when none."""
    cues: list[str] = []
    cur = governor if governor is not tok else tok
    for _ in range(4):
        for c in cur.children:
            if c.dep_ == "aux" and c.lower_ in _MODALS:
                cues.append(c.lower_)
            if c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether"):
                cues.append(c.lower_)
        if cur.dep_ in ("conj", "xcomp") and cur.head is not cur:
            cur = cur.head
            continue
        break
    sent = tok.sent.text.rstrip().rstrip(_QUOTES + ")]").rstrip()
    if sent.endswith("?"):
        cues.append("?")
    return tuple(dict.fromkeys(cues))


def _wh_place(prep: Any) -> tuple[int, int] | None:
    """The place of a wh-phrase "where in X" that a stranded preposition of the same clause
    refers to ("where in Iraq the militants came from" → Iraq); None without one."""
    doc = prep.doc
    sent = prep.sent
    for w in doc[sent.start : prep.i]:
        if w.lower_ != "where" or w.i + 1 >= prep.i:
            continue
        nxt = doc[w.i + 1]
        if nxt.lower_ not in ("in", "inside", "within"):
            continue
        objs = [g for g in nxt.children if g.dep_ == "pobj" and g.lower_ != "where"]
        if objs:
            return _span_of(objs[0])
    return None


def _left_np(tok: Any) -> Any | None:
    """The noun phrase that ends right before a subject-less finite verb, within its line: the
    parser sometimes hangs a subject on the previous line ("…Raqqa, Syria\n\n“10 Buses …
    arrived Raqqa")."""
    doc = tok.doc
    if tok.i == 0:
        return None
    cur = doc[tok.i - 1]
    if cur.pos_ not in ("NOUN", "PROPN") or "\n" in cur.text:
        return None
    top = cur
    for _ in range(10):
        h = cur.head
        if h is cur or h.i >= tok.i or cur.dep_ not in ("pobj", "prep", "conj", "compound", "amod", "appos", "nmod", "cc"):
            break
        if any("\n" in t.text for t in doc[min(h.i, cur.i) : max(h.i, cur.i) + 1]):
            break
        cur = h
        if cur.pos_ in ("NOUN", "PROPN"):
            top = cur
    return top


def _counted(tok: Any) -> Any:
    """The counted noun of a quantifier phrase ("dozens of vehicles" → vehicles), else ``tok``."""
    if tok.lower_ in _QUANTIFIERS or tok.pos_ == "NUM":
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ == "of":
                for g in c.children:
                    if g.dep_ == "pobj":
                        return g
    return tok


def _humanlike(tok: Any, lex: EventLexicon, entities: Sequence[Any]) -> bool:
    t = _counted(tok)
    low = t.lower_
    if low in lex.armed_nouns or low in lex.people_nouns or low in _GROUP_NOUNS:
        return True
    s, e = _span_of(t)
    return any(s <= m.start and m.end <= e and m.type not in ("outlet", "organization") for m in entities)


def _occupant(vt: Any, tok: Any, lex: EventLexicon, entities: Sequence[Any]) -> Any | None:
    """Who is in (or owns) the vehicles ``vt`` of event ``tok``: the first human conjunct after a
    cue ("carrying weapons and dozens of fighters", "full with ISIS fighters", "belonging to
    Iraq's forces") in the vehicle phrase or the event's clause."""
    cues = lex.occupant_cues or {}
    seen: set[int] = set()
    for root in (vt, tok):
        for c in root.subtree:
            if c.i in seen or c.lower_ not in cues:
                continue
            seen.add(c.i)
            how = cues[c.lower_]
            objs = [g for g in c.children if g.dep_ in ("dobj", "obj")] if how == "dobj" else [
                g for p in c.children if p.dep_ == "prep" and p.lower_ == how for g in p.children if g.dep_ == "pobj"]
            for o in objs:
                for cand in (o, *[x for x in o.conjuncts if x.i > o.i]):
                    if cand.lower_ not in lex.vehicle_nouns and _humanlike(cand, lex, entities):
                        return cand
    return None


def _vehicle_antecedent(vt: Any, text: str, prior: Sequence[Any]) -> Role | None:
    """The actor of the nearest earlier event of the paragraph (or the one before) whose vehicles
    have the same head noun ("several ISIS military vehicles passed … The vehicles continued")."""
    para = _para_start(text, vt.idx, back=1)
    for ev in reversed(prior):
        aff = getattr(ev, "affected", None)
        if aff is None or ev.actor is None or aff.start < para or aff.end > vt.idx:
            continue
        words = re.findall(r"[\w-]+", aff.text.lower())
        if words and words[-1] == vt.lower_:
            return ev.actor
    return None


def _attribution_of(pos: int, attributions: Sequence[Any]) -> int | None:
    best, size = None, None
    for i, a in enumerate(attributions):
        parts = a.content_parts or (a.content,)
        for s, e in parts:
            if s <= pos < e and (size is None or e - s < size):
                best, size = i, e - s
    return best


@cache
def _hedge_tools() -> tuple[Any, frozenset[str]]:
    from .attribution import hedge_cues, hedge_lexicon

    lex = hedge_lexicon()
    return hedge_cues, frozenset(c for c, k in lex.cue_class.items() if k in lex.certainty_classes and k != "conditional")


def _sentence_hedges(text: str, sentence: Range) -> tuple[str, ...]:
    hedge_cues, counted = _hedge_tools()
    return tuple(c for _, _, c in hedge_cues(text[sentence[0] : sentence[1]]) if c in counted)


def _time_of(pos: int, sentence: Range, text: str, times: Sequence[Any], attr: Any | None) -> int | None:
    def usable(t: Any) -> bool:
        return getattr(t, "kind", "date") not in ("duration", "set")

    cands = [(abs(t.start - pos), i) for i, t in enumerate(times) if usable(t) and sentence[0] <= t.start < sentence[1]]
    if cands:
        return min(cands)[1]
    if attr is not None:
        s, e = attr.sentence
        cands = [(abs(t.start - pos), i) for i, t in enumerate(times) if usable(t) and s <= t.start < e]
        if cands:
            return min(cands)[1]
    para_start = text.rfind("\n", 0, pos) + 1
    before = [(t.start, i) for i, t in enumerate(times) if usable(t) and para_start <= t.start < pos]
    return max(before)[1] if before else None


def _mode(type_: str, plover: str, mode: str | None, sent_low: str, lex: EventLexicon, actor: Role | None) -> str | None:
    if plover == "ASSAULT" and mode is None:
        for m in ("suicide-attack", "drone", "aerial", "explosives", "heavy-weapons", "firearms", "primitive"):
            if any(re.search(rf"\b{re.escape(w)}\b", sent_low) for w in lex.mode_words[m]):
                return m
    if plover == "MOBILIZE" and mode == "troops" and actor is not None:
        a = actor.text.lower()
        if any(re.search(rf"\b{w}\b", a) for w in lex.mode_words["police"]):
            return "police"
    return mode
