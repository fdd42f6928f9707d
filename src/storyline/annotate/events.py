"""Event mentions: who moved / attacked / deployed where, when and how many (records.md "Event").

:func:`find_events` reads the dependency parse of one document together with the annotation
layers (entities, places, times, quantities, attributions) and returns one
:class:`EventMention` per trigger word. Triggers and their behaviour are data
(``data/event_triggers.json``): verbs (regular inflections generated, irregular ones listed)
and nouns. Roles come from the parse:

* actor: the trigger's ``nsubj`` (inherited through ``conj``/``xcomp``, the head noun of a
  ``relcl``/``acl``, the ``agent`` of a passive, the subject of a light verb governing a noun
  trigger: "made the journey", "issued decrees"); affected: the direct object of transitive
  triggers, or the passive subject;
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

PLOVER: every type maps to the nearest PLOVER event type and mode (``types`` in the JSON);
``plover`` is None when none fits — PLOVER has no origin→destination movement, so the
movement family (move, arrive, cross, relocate, transfer, flee, evacuate, desert, return) is
storyline's extension; flee/evacuate by an armed actor map to RETREAT ``withdraw``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

Range = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Role:
    """An actor or affected party: the phrase span, its text and the entity key inside it."""

    start: int
    end: int
    text: str
    key: str | None = None


@dataclass(frozen=True, slots=True)
class EventMention:
    """One event trigger with its roles. ``start``/``end``/``text`` are the trigger word(s).

    ``origin``/``destination``/``via``/``location`` are indices into the document's place
    list; ``paths`` keeps every route phrase as ``(role, start, end)`` including those with no
    resolved place ("the Syrian border", "the desert"). ``quantities`` index the quantity
    layer; ``time`` the time layer; ``attribution`` the attribution list."""

    start: int
    end: int
    text: str
    type: str
    plover: str | None
    plover_mode: str | None
    actor: Role | None
    affected: Role | None
    origin: tuple[int, ...] = ()
    destination: tuple[int, ...] = ()
    via: tuple[int, ...] = ()
    location: tuple[int, ...] = ()
    paths: tuple[tuple[str, int, int], ...] = ()
    quantities: tuple[int, ...] = ()
    time: int | None = None
    certainty: str = "asserted"
    hedges: tuple[str, ...] = ()
    sentence: Range = (0, 0)
    attribution: int | None = None
    family: str = ""
    plover_gsr: str | None = None

    def to_record(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in self.__slots__}  # type: ignore[attr-defined]
        for k in ("actor", "affected"):
            r = d[k]
            d[k] = None if r is None else {"start": r.start, "end": r.end, "text": r.text, "entity": r.key}
        return d


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
    non_count_units: frozenset[str] = frozenset()


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
    for base, spec in raw["verbs"].items():
        e = _Entry(
            type=spec["type"],
            transitive=bool(spec.get("transitive")),
            needs_path=bool(spec.get("needs_path")),
            armed_actor=bool(spec.get("armed_actor")),
            obj_role=spec.get("obj_role"),
            in_role=spec.get("in_role"),
            particles=tuple(spec.get("needs_particle", ())),
        )
        for f in spec.get("forms") or _inflect(base):
            verbs.setdefault(f, e)
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
    )


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
    blocked = [(m.start, m.end) for m in (*entities, *places)]
    out: list[EventMention] = []
    taken: set[int] = set()
    for tok in doc_spacy:
        if tok.i in taken or any(s <= tok.idx < e for s, e in blocked):
            continue
        hit = _trigger(tok, lex)
        if hit is None:
            continue
        type_, entry, end_i = hit
        used: set[int] = set()
        ev = _build(doc_spacy, tok, end_i, type_, entry, lex, text, entities, places, times, quantities, attributions, used)
        if ev is not None:
            out.append(ev)
            taken.update(range(tok.i, end_i + 1))
            taken.update(used)
    return out


def _trigger(tok: Any, lex: EventLexicon) -> tuple[str, _Entry | None, int] | None:
    low = tok.lower_
    if tok.tag_.startswith("VB") or tok.pos_ == "VERB":
        e = lex.verbs.get(low)
        if e is None:
            return None
        if e.particles and not any(c.dep_ == "prt" and c.lower_ in e.particles for c in tok.children):
            return None
        return e.type, e, tok.i
    if tok.pos_ in ("NOUN", "PROPN") or tok.tag_.startswith("NN"):
        nxt = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
        if nxt is not None and f"{low} {nxt.lower_}" in lex.nouns:
            return lex.nouns[f"{low} {nxt.lower_}"], None, nxt.i
        if low in lex.nouns:
            # a noun used as a modifier ("attack helicopters") is no event
            if tok.dep_ == "compound" and low not in ("air",):
                return None
            return lex.nouns[low], None, tok.i
    return None


def _span_of(tok: Any, *, with_of: bool = True) -> tuple[int, int]:
    """Character span of a noun phrase headed by ``tok``: its left part, the head, and a
    following "of …" / number complement; relative clauses and appositions stop it."""
    left = tok.left_edge.i
    right = tok.i
    for c in tok.rights:
        if c.dep_ in ("relcl", "appos", "punct", "cc", "conj", "advcl", "acl") or (c.dep_ == "prep" and c.lower_ != "of"):
            break
        if c.dep_ == "prep" and not with_of:
            break
        right = c.right_edge.i
    doc = tok.doc
    return doc[left].idx, doc[right].idx + len(doc[right].text)


def _conj_span(tok: Any) -> tuple[int, int]:
    """Span of a coordinated noun phrase ("10 Buses and 35 SUV …")."""
    s, e = _span_of(tok)
    for c in tok.children:
        if c.dep_ == "conj":
            s2, e2 = _conj_span(c)
            s, e = min(s, s2), max(e, e2)
    return s, e


def _role(tok: Any, text: str, entities: Sequence[Any]) -> Role:
    s, e = _conj_span(tok)
    key = None
    inside = [m for m in entities if s <= m.start and m.end <= e]
    if inside:
        key = inside[0].key
    return Role(s, e, text[s:e], key)


def _subject(tok: Any) -> tuple[Any | None, bool]:
    """(subject token, passive) of a verb, inherited up conj/xcomp chains and from the noun a
    participle or relative clause modifies."""
    cur = tok
    for _ in range(6):
        for c in cur.children:
            if c.dep_ in ("nsubj", "csubj"):
                return _antecedent(c), False
            if c.dep_ == "nsubjpass":
                return _antecedent(c), True
        if cur.dep_ in ("conj", "xcomp") and cur.head is not cur:
            cur = cur.head
            continue
        if cur.dep_ in ("relcl", "acl") and cur.head is not cur:
            return cur.head, cur.tag_ == "VBN"
        return None, False
    return None, False


def _antecedent(tok: Any) -> Any:
    # "who"/"which" of a relative clause stands for the noun the clause modifies
    if tok.lower_ in ("who", "which", "that") and tok.head.dep_ == "relcl":
        return tok.head.head
    return tok


def _in(span: tuple[int, int], s: int, e: int) -> bool:
    return span[0] <= s and e <= span[1]


def _build(doc, tok, end_i, type_, entry, lex, text, entities, places, times, quantities, attributions, used):
    sent = tok.sent
    sentence = (sent.start_char, sent.end_char)
    actor_tok = affected_tok = None
    governor = tok  # the token whose preps and objects describe the event
    if entry is not None:  # verb trigger
        subj, passive = _subject(tok)
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

    actor = _role(actor_tok, text, entities) if actor_tok is not None else None
    affected = _role(affected_tok, text, entities) if affected_tok is not None else None

    # armed actor?
    def armed(role_tok: Any, role: Role | None) -> bool:
        if role is None:
            return False
        if role_tok is not None and role_tok.lower_ in lex.armed_nouns:
            return True
        return any(_in((role.start, role.end), m.start, m.end) and m.type in lex.armed_entity_types for m in entities)

    if entry is not None and entry.armed_actor and not (armed(actor_tok, actor) or armed(affected_tok, affected)):
        return None

    # routes
    paths: list[tuple[str, int, int]] = []
    default_in = (entry.in_role if entry else None) or "location"
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
            if c.dep_ == "prep" or (c.dep_ == "advmod" and c.lower_ in ("out", "away")):
                _prep_paths(c, lex, default_in, paths)
            elif c.dep_ == "prt" and c.lower_ in ("out", "away", "off"):
                for g in c.children:
                    if g.dep_ == "prep":
                        _prep_paths(g, lex, default_in, paths, forced="origin")
            elif c.dep_ in ("dobj", "obj", "npadvmod") and (is_path_verb or (entry is not None and entry.obj_role)):
                role = "via" if is_path_verb else entry.obj_role
                s, e = _span_of(c)
                if is_path_verb or entry.obj_role != "location" or _has_place(places, s, e):
                    paths.append((role, s, e))
                for g in c.children:  # "the Ba'aj road to Syria"
                    if g.dep_ == "prep":
                        _prep_paths(g, lex, "location", paths)
    # a time expression is no route ("arrived on Wednesday")
    paths = [(r, s, e) for r, s, e in paths if not any(s <= t.start < e or t.start <= s < t.end for t in times)]
    # the place objects of the prepositions
    roles: dict[str, list[int]] = {"origin": [], "destination": [], "via": [], "location": []}
    for role, s, e in paths:
        for i, p in enumerate(places):
            if s <= p.start and p.end <= e and i not in roles[role]:
                roles[role].append(i)
    # drop places of a phrase that belong to the actor/affected themselves
    family = lex.types.get(type_, {}).get("family", "")
    if entry is not None and entry.needs_path and not any(r in ("origin", "destination", "via") for r, _, _ in paths):
        return None
    if family == "movement" and not roles["origin"]:
        for r in (actor, affected):
            if r is None:
                continue
            inside = [
                i for i, p in enumerate(places)
                if r.start <= p.start and p.end <= r.end and i not in roles["destination"] and _located(doc, p, r, lex)
            ]
            if inside:
                roles["origin"] = inside
                break

    # quantities
    qs: list[int] = []
    spans = [(r.start, r.end) for r in (actor, affected) if r is not None]
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
    if any(c.dep_ == "neg" for c in governor.children) or any(c.dep_ == "neg" for c in tok.children):
        certainty = "denied"
    # time
    time_i = _time_of(tok.idx, sentence, text, times, attributions[attr_i] if attr_i is not None else None)

    is_armed = armed(actor_tok, actor)
    plover, mode = plover_for(type_, armed=is_armed)
    if plover is not None:
        mode = _mode(type_, plover, mode, sent.text.lower(), lex, actor)
    gsr = plover_gsr_for(type_, armed=is_armed)
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
    )


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
    for g in prep.children:
        if g.dep_ == "pobj":
            s, e = _span_of(g)
            paths.append((role, s, e))
            for cj in g.children:  # "to both Raqqa and Deir Ezzor"
                if cj.dep_ == "conj":
                    s2, e2 = _span_of(cj)
                    paths.append((role, s2, e2))
        elif g.dep_ == "prep":  # "out of X", "away from X"
            _prep_paths(g, lex, default_in, paths, forced="origin" if word in ("out", "away") else forced)


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
