"""Event roles: who acts and who is affected, named as a careful coder would (issue 13: actor
resolution apart from trigger extraction in :mod:`storyline.annotate.events`).

:func:`_actor_role` turns the subject token of a trigger into a :class:`Role`: the entity mention in
or heading the phrase ("Islamic State vehicles" of "“dozens” of Islamic State vehicles"), else a
quote-free phrase of at most eight words inside one clause; pronouns and bare quantifiers ("they",
"most", "others") take the nearest preceding actor of the paragraph (or of the one before), a definite
group noun ("the militants") the group named earlier; a place alone is no actor. Phrase spans
(:func:`_span_of`, :func:`_conj_span`) and paragraph bounds (:func:`_para_start`) live here because
roles are built from them; the event extractor imports them. Pure functions over a spaCy parse and
the annotation layers; nothing module-global is mutable.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..records import Role  # noqa: F401  (re-exported: the record type lives in storyline.records)

if TYPE_CHECKING:
    from .events import EventLexicon


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


_PRONOUNS = {
    "it": "it", "they": "group", "them": "group", "he": "person", "she": "person", "him": "person",
    "her": "person", "we": "group", "us": "group", "those": "group", "these": "group", "this": "it",
    "that": "it", "who": "group", "which": "it",
}


_QUANTIFIERS = frozenset({
    "most", "others", "other", "some", "many", "several", "all", "both", "few", "each", "none", "one",
    "any", "much", "majority", "dozens", "hundreds", "thousands", "scores", "rest", "half",
})


_QUOTES = "\"'“”‘’«»„‚‹›`"


_OPEN_CLOSE = {"“": "”", "‘": "’", "«": "»", "„": "“", "‹": "›", "\"": "\"", "'": "'"}


# dependents that open a new clause or an adjunct: never part of an actor phrase
_CLAUSAL = frozenset({"relcl", "acl", "advcl", "ccomp", "xcomp", "csubj", "parataxis", "appos", "mark",
                      "advmod", "npadvmod", "dep", "meta", "aux", "auxpass", "neg", "prt", "dative", "attr",
                      "nsubj", "nsubjpass", "dobj", "agent", "oprd", "acomp", "intj"})


_GROUP_NOUNS = frozenset({"leader", "leaders", "leadership", "member", "members", "official", "officials",
                          "commander", "commanders", "group", "organization", "organisation", "government"})


_MAX_ACTOR_WORDS = 8


_PARTICIPANT = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "conj", "appos", "ROOT", "attr", "dative"})


def _actor_role(tok: Any, text: str, entities: Sequence[Any], places: Sequence[Any], lex: EventLexicon,
                prior: Sequence[Any]) -> tuple[Role | None, Any]:
    """(actor role, its head token) for the subject token ``tok``: an entity mention in or heading
    the phrase when there is one, a short quote-free noun phrase inside one clause otherwise;
    pronouns and bare quantifiers ("most", "others", "they") resolve to the nearest preceding actor
    of the paragraph, or to nothing; a place alone is no actor."""
    # a noun subject with its own clausal complement is a misparsed reporting verb ("the portal
    # notes that dozens … have been fleeing"): the real subject is the complement's
    for c in tok.children:
        if c.dep_ in ("ccomp", "acl"):  # an acl has no subject of its own unless misparsed
            subs = [g for g in c.children if g.dep_ in ("nsubj", "nsubjpass")]
            if subs and tok.pos_ in ("NOUN", "PROPN"):
                tok = subs[0]
                break
    low = tok.lower_
    if low in _QUANTIFIERS or low in _PRONOUNS or tok.pos_ == "PRON":
        # "dozens of fighters", "most of the militants": the counted noun heads the actor
        pobj = next((g for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"
                     for g in c.children if g.dep_ == "pobj"), None)
        if pobj is None or pobj.lower_ in _PRONOUNS:
            kind = _PRONOUNS.get(low, "group")
            return _antecedent_role(tok, text, entities, places, lex, prior, kind)
    # "its readiness to storm": a non-actor noun owned by an actor stands for its owner
    if not _entities_in(entities, *_tok_span(tok)) and low not in lex.armed_nouns and low not in _GROUP_NOUNS:
        poss = next((c for c in tok.children if c.dep_ == "poss"), None)
        if poss is not None and tok.pos_ == "NOUN" and tok.tag_ in ("NN",) and not _entities_in(entities, *_tok_span(poss)):
            if poss.lower_ in ("its", "their", "his", "her", "our"):
                kind = {"its": "it", "his": "person", "her": "person"}.get(poss.lower_, "group")
                role, head = _antecedent_role(tok, text, entities, places, lex, prior, kind)
                if role is not None:
                    return role, head
    s, e = _compact(tok)
    wide = _clip_clause(tok, *_conj_span(tok))
    inside = _entities_in(entities, s, e)
    if not inside:
        inside = _entities_in(entities, *wide)
        if inside:  # the entity lies in a clause of the phrase: name its own noun phrase
            m = _nearest(inside, tok.idx)
            s, e = _entity_np(tok.doc, m)
    role = _finish(text, s, e, entities, tok)
    if role is None:
        return None, None
    if _words(role.text) > _MAX_ACTOR_WORDS:
        ms = _entities_in(entities, role.start, role.end)
        if ms:
            m = _nearest(ms, tok.idx)
            s2, e2 = _entity_np(tok.doc, m)
            if _words(text[s2:e2]) > _MAX_ACTOR_WORDS:
                s2, e2 = m.start, m.end
        else:  # the head and its left modifiers
            s2, e2 = max(tok.left_edge.idx, s), tok.idx + len(tok.text)
        role = _finish(text, s2, e2, entities, tok)
        if role is not None and _words(role.text) > _MAX_ACTOR_WORDS:
            toks = role.text.split()
            cut = text.find(toks[-_MAX_ACTOR_WORDS], role.start)
            role = _finish(text, cut, role.end, entities, tok)
    if role is not None and _unbalanced_quote(role.text):
        ms = _entities_in(entities, role.start, role.end)
        if ms:  # "“dozens” of Islamic State vehicles": the entity's own phrase
            s2, e2 = _entity_np(tok.doc, _nearest(ms, tok.idx))
            role = _finish(text, max(s2, role.start), min(e2, role.end), entities, tok)
        else:  # drop what lies before a stray closing quote
            k = max(role.text.rfind(q) for q in "”’»")
            role = _finish(text, role.start + k + 1, role.end, entities, tok) if k >= 0 else role
            if role is not None:
                m = re.match(r"(?i)(of|and|the)\s+", role.text)
                if m and m.group(1).lower() != "the":
                    role = _finish(text, role.start + m.end(), role.end, entities, tok)
    if role is None:
        return None, None
    # "the group", "the terrorist organization": the nearest named group of the paragraph
    if role.key is None and tok.lower_ in ("group", "organization", "organisation") \
            and any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in tok.children):
        key = _group_antecedent(tok, text, entities, lex)
        if key is None:
            ante, _ = _antecedent_role(tok, text, entities, places, lex, (), "it")
            key = ante.key if ante is not None else None
        if key is not None:
            role = Role(role.start, role.end, role.text, key)
    # "the army", "the jihadists": the nearest earlier armed group named with the same noun
    # ("the Iraqi army", "dozens of ISIS jihadists"), when that is unambiguous
    if role.key is None and tok.lower_ in lex.armed_nouns \
            and any(c.dep_ == "det" and c.lower_ in ("the", "these", "those") for c in tok.children):
        key = _definite_antecedent(tok, text, entities, lex)
        if key is None and tok.lower_ in _GROUP_ANAPHORS:
            key = _group_antecedent(tok, text, entities, lex)
        if key is not None:
            role = Role(role.start, role.end, role.text, key)
    # a place name alone is no actor
    if role.key is None and _only_place(role, places):
        return None, None
    return role, tok


def _singular(w: str) -> str:
    w = w.lower()
    if w.endswith("ies"):
        return w[:-3] + "y"
    return w[:-1] if w.endswith("s") and not w.endswith("ss") else w


def _entity_head(doc: Any, m: Any) -> Any | None:
    """The noun an entity mention heads or modifies ("ISIS jihadists" → jihadists)."""
    toks = [t for t in doc if m.start <= t.idx < m.end] if len(doc) < 64 else list(
        doc.char_span(m.start, m.end, alignment_mode="expand") or ())
    if not toks:
        return None
    cur = next((t for t in toks if not (m.start <= t.head.idx < m.end) or t.head is t), toks[-1])
    for _ in range(4):
        if cur.dep_ in ("compound", "amod", "nmod", "poss", "appos") and cur.head.i > cur.i and cur.head.pos_ in ("NOUN", "PROPN"):
            cur = cur.head
        else:
            break
    return cur


def _definite_antecedent(tok: Any, text: str, entities: Sequence[Any], lex: EventLexicon) -> str | None:
    """Entity key for a definite armed noun ("the army"): the armed-group mentions before it
    whose own noun is the same word, nearest paragraph first; None when none or when that
    paragraph names more than one such group."""
    doc = tok.doc
    word = _singular(tok.lower_)
    by_para: dict[int, set[str]] = {}
    for m in entities:
        if m.end > tok.idx or m.type not in lex.armed_entity_types or m.key is None:
            continue
        h = _entity_head(doc, m)
        words = {_singular(m.text.split()[-1])} | ({_singular(h.text)} if h is not None else set())
        if word in words:
            by_para.setdefault(_para_start(text, m.start), set()).add(m.key)
    if not by_para:
        return None
    keys = by_para[max(by_para)]
    return next(iter(keys)) if len(keys) == 1 else None


#: definite nouns that refer back to an armed group as a whole ("the militants", "the group")
_GROUP_ANAPHORS = frozenset({"militants", "jihadists", "fighters", "insurgents", "rebels", "extremists",
                             "terrorists", "group", "organization", "organisation"})


def _group_antecedent(tok: Any, text: str, entities: Sequence[Any], lex: EventLexicon) -> str | None:
    """Entity key for "the group" / "the organisation" / "the militants": the armed group named
    in this paragraph or the one before; when several are, the one the document has named most
    often so far, if it is named at least 1.5 times as often as any other; else None."""
    back = _para_start(text, tok.idx, back=1)
    near = {m.key for m in entities if m.key is not None and m.type in lex.armed_entity_types
            and back <= m.start and m.end <= tok.idx}
    if len(near) == 1:
        return next(iter(near))
    if not near:
        return None
    counts = Counter(m.key for m in entities if m.key in near and m.end <= tok.idx)
    (k1, n1), (_, n2) = counts.most_common(2)
    return k1 if n1 >= 1.5 * n2 else None


def _unbalanced_quote(t: str) -> bool:
    t = re.sub(r"(?<=\w)[’'](?=\w)", "", t)  # an apostrophe ("Iraq’s", "al-Qa’im") is no quote mark
    for o, c in (("“", "”"), ("‘", "’"), ("«", "»")):
        if t.count(o) != t.count(c):
            return True
    return t.count('"') % 2 == 1


def _tok_span(tok: Any) -> tuple[int, int]:
    return tok.idx, tok.idx + len(tok.text)


def _words(t: str) -> int:
    return len([w for w in re.split(r"\s+", t.strip()) if w])


def _entities_in(entities: Sequence[Any], s: int, e: int) -> list[Any]:
    return [m for m in entities if s <= m.start and m.end <= e]


def _nearest(ms: Sequence[Any], pos: int) -> Any:
    return min(ms, key=lambda m: (0 if m.start <= pos < m.end else 1, abs(m.start - pos)))


def _compact(tok: Any) -> tuple[int, int]:
    """Character span of the noun phrase of ``tok`` without clauses, adjuncts or non-"of"
    prepositions at any depth: the contiguous run of such tokens around the head."""
    doc = tok.doc
    keep = {tok.i}

    def walk(t: Any) -> None:
        for c in t.children:
            if c.dep_ in ("advmod", "npadvmod") and t is not tok:
                pass  # "heavily armed", "30,000-strong"
            elif c.dep_ == "appos" and c.left_edge.i > 0 and "(" in (c.left_edge.text, doc[c.left_edge.i - 1].text):
                pass  # "Islamic State (ISIS)"
            elif c.dep_ in _CLAUSAL:
                continue
            if c.dep_ == "prep" and c.lower_ != "of":
                continue
            if c.dep_ == "punct" and c.text not in "-–()[]" and c.text not in _QUOTES:
                nxt = doc[c.i + 1] if c.i + 1 < len(doc) else None
                if not (c.text == "," and nxt is not None and (nxt.dep_ in ("conj", "cc") or nxt.head.dep_ == "conj")):
                    continue
            keep.add(c.i)
            walk(c)

    walk(tok)
    lo = hi = tok.i
    while lo - 1 in keep:
        lo -= 1
    while hi + 1 in keep:
        hi += 1
    return doc[lo].idx, doc[hi].idx + len(doc[hi].text)


def _clip_clause(tok: Any, s: int, e: int) -> tuple[int, int]:
    """Clip a phrase span to the clause of its head: no clause marker, comma or verb before the
    head, no sentence end after it."""
    doc = tok.doc
    sent = tok.sent
    s = max(s, sent.start_char)
    e = min(e, sent.end_char)
    for t in doc[sent.start : tok.i]:
        if t.idx < s:
            continue
        if t.text in (",", ";", ":", "—", "–") or t.dep_ == "mark" or (t.pos_ in ("VERB", "AUX") and t.dep_ not in ("amod", "compound")):
            s = t.idx + len(t.text)
    for t in doc[tok.i + 1 : sent.end]:
        if t.idx >= e:
            break
        if t.text in (";", ":", "—") or (t.text == "," and t.head is not tok and t.head.dep_ != "conj"):
            if t.head.i < tok.i or t.head.dep_ in ("ROOT", "ccomp", "advcl"):
                e = t.idx
                break
    return s, max(e, s)


def _tokens_in(doc: Any, start: int, end: int) -> list[Any]:
    """``[t for t in doc if start <= t.idx < end]`` without walking the whole document."""
    if start >= end:
        return []
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return [t for t in doc if start <= t.idx < end]
    return [t for t in span if start <= t.idx < end]


def _entity_np(doc: Any, m: Any) -> tuple[int, int]:
    """The compact noun phrase an entity mention heads or modifies ("Islamic State militants")."""
    toks = _tokens_in(doc, m.start, m.end)
    if not toks:
        return m.start, m.end
    root = next((t for t in toks if not (m.start <= t.head.idx < m.end) or t.head is t), toks[-1])
    head = root
    for _ in range(3):
        if head.dep_ in ("compound", "amod", "nmod", "poss") and head.head.pos_ in ("NOUN", "PROPN") and head.head.i > head.i:
            head = head.head
        else:
            break
    s, e = _compact(head)
    s, e = min(s, m.start), max(e, m.end)
    return s, e


def _finish(text: str, s: int, e: int, entities: Sequence[Any], tok: Any) -> Role | None:
    """Strip quote marks and spaces, balance brackets, find the entity key."""
    s, e = _strip_quotes(text, s, e)
    if e <= s:
        return None
    seg = text[s:e]
    for o, c in ("()", "[]"):
        if seg.count(o) > seg.count(c) and e < len(text) and text[e] == c:
            e += 1
        elif seg.count(c) > seg.count(o) and seg.endswith(c):
            e -= 1
        elif seg.count(o) > seg.count(c) and seg.startswith(o):
            s += 1
        seg = text[s:e]
    s, e = _strip_quotes(text, s, e)
    if e <= s:
        return None
    ms = _entities_in(entities, s, e)
    key = _nearest(ms, tok.idx).key if ms else None
    if ms and not any(m.start <= tok.idx < m.end for m in ms):
        # prefer the first entity of the phrase ("three ISIS fighters", "A convoy … ISIS militants")
        key = ms[0].key
    return Role(s, e, text[s:e], key)


def _strip_quotes(text: str, s: int, e: int) -> tuple[int, int]:
    for _ in range(6):
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s >= e:
            break
        changed = False
        if text[s] in _QUOTES:  # an actor never starts with a quote mark
            s += 1
            changed = True
        if s < e and text[e - 1] in _QUOTES:
            ch = text[e - 1]
            opens = [o for o, c in _OPEN_CLOSE.items() if c == ch]
            if not any(o in text[s : e - 1] for o in opens):
                e -= 1
                changed = True
        if not changed:
            break
    return s, e


def _only_place(role: Role, places: Sequence[Any]) -> bool:
    ps = [p for p in places if role.start <= p.start and p.end <= role.end]
    if not ps:
        return False
    rest = role.text
    for p in sorted(ps, key=lambda p: -p.start):
        a, b = p.start - role.start, p.end - role.start
        rest = rest[:a] + rest[b:]
    rest = re.sub(r"(?i)\b(the|of|and|in)\b|[\W_]", "", rest)
    return not rest


def _antecedent_role(tok: Any, text: str, entities: Sequence[Any], places: Sequence[Any], lex: EventLexicon,
                     prior: Sequence[Any], kind: str) -> tuple[Role | None, Any]:
    """The nearest actor before ``tok`` in its paragraph: an earlier event's entity actor or an
    entity mention that is a participant of its clause (not a modifier of a non-actor noun)."""
    para = max(text.rfind("\n", 0, tok.idx) + 1, 0)
    doc = tok.doc
    cands: list[tuple[int, Role, Any]] = []
    for ev in prior:
        r = getattr(ev, "actor", None)
        if r is None or not (para <= r.start and r.end <= tok.idx):
            continue
        head = next((t for t in _tokens_in(doc, r.start, r.end) if not (r.start <= t.head.idx < r.end)), None)
        if r.key is not None:
            ms = [m for m in entities if m.key == r.key]
            if ms and not _kind_ok(ms[0].type, kind):
                continue
        elif head is None or kind == "person" or (head.tag_ == "NNS") != (kind == "group"):
            continue  # an unnamed antecedent must agree in number ("people" … "they")
        cands.append((r.end, r, head))
    for m in entities:
        if not (para <= m.start and m.end <= tok.idx) or not _kind_ok(m.type, kind):
            continue
        toks = _tokens_in(doc, m.start, m.end)
        if not toks:
            continue
        root = next((t for t in toks if not (m.start <= t.head.idx < m.end) or t.head is t), toks[-1])
        if root.dep_ not in _PARTICIPANT and not (
                root.dep_ in ("compound", "amod", "nmod", "poss")
                and (root.head.lower_ in lex.armed_nouns or root.head.lower_ in _GROUP_NOUNS)):
            continue  # "[IS] territory", "IS-held areas": a modifier, no participant
        s, e = _entity_np(doc, m)
        if e > tok.idx or _words(text[s:e]) > _MAX_ACTOR_WORDS:
            s, e = m.start, m.end
        role = _finish(text, s, e, [m], root)
        if role is None:
            continue
        role = Role(role.start, role.end, role.text, m.key)
        head = root.head if root.dep_ in ("compound", "amod", "nmod", "poss") else root
        cands.append((m.end, role, head))
    if not cands:
        return None, None
    _, role, head = max(cands, key=lambda c: c[0])
    return role, head


def _kind_ok(etype: str, kind: str) -> bool:
    if kind == "person":
        return etype == "person"
    if etype in ("outlet",):
        return False
    if kind == "group":
        return etype != "person"
    return etype != "person"  # "it"


def _in(span: tuple[int, int], s: int, e: int) -> bool:
    return span[0] <= s and e <= span[1]


def _para_start(text: str, pos: int, back: int = 0) -> int:
    """Start of the paragraph holding ``pos``, or of the ``back``-th paragraph before it."""
    start = text.rfind("\n", 0, pos) + 1
    for _ in range(back):
        if start == 0:
            break
        j = start - 1
        while j > 0 and text[j - 1] == "\n":
            j -= 1
        start = text.rfind("\n", 0, j) + 1
    return start
