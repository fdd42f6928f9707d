"""Attributions: who said what, to whom, how sure — per document.

:func:`find_attributions` reads a spaCy ``Doc`` of a document's cleaned text (made by
:func:`storyline.annotate.nlp.load_nlp`, parser included) and the document's
:class:`~storyline.annotate.entities.EntityMention` list, and returns :class:`Attribution`
records with character offsets. It is pure: nothing is written to the Doc. Cue words and
hedges are data (``storyline/data/attribution_cues.json``, ``storyline/data/hedges.json``).

Rules, in the order they run
============================

1. **Direct quotes** (``kind="direct_quote"``). Quotation marks are paired per paragraph
   (curly “ ” « » „ and straight ``"``; single quotes are never quote marks — they are
   apostrophes or nested quotes). An unclosed quote ends at its paragraph's end and, when
   the next paragraph opens with a quote, continues there (the newspaper convention for
   multi-paragraph quotes). Unbalanced or stray marks are skipped, never an error. A quote
   of three words or more (or one that opens a sentence and ends in , ? !) is attributed
   to a cue verb found

   * *after* it in the same sentence: ``“…,” he said`` / ``“…,” said X`` /
     ``“…,” X, a blogger in Mosul, told Rudaw``: only the speaker's words (no other
     finite verb outside a relative clause or apposition) may stand between; or
   * *before* it: ``X said: “…”`` / ``X stated, “…”`` / ``by saying: “…”`` (at most a
     comma or colon and words that belong to the cue, such as a recipient or a time, in
     between; ``said that “…”`` and ``Ryan said Obama’s words “amount to …”`` are indirect
     speech with a quoted part and are left to rule 2); a block quote after a colon that
     ends the previous sentence takes that sentence's cue, or its main verb when that has
     a nominal subject ("The campaign released the following statement:").

   A cue after the quote is refused when it has a clause of its own ("…” Rep. Issa said
   Clinton’s judgment is …") or is coordinated ("…” and said …"). A quote with no cue of its
   own that follows an attributed quote's sentence with nothing but punctuation or white
   space in between (a paragraph break included) continues it: ``“A,” he said. “B.”`` and
   ``“A,” he said, “B.”`` are ONE attribution whose ``content_parts`` are the two quotes.
2. **Cue verbs** from the lexicon, read from the dependency tree (``kind="indirect"``):
   content is the verb's clausal complement (``said that …``, ``told VoA that …``,
   ``confirmed that …``, ``estimating that …``), else text after a colon that closes the
   cue's clause (``echoed what the activists told VoA: …``), else — for verbs marked so
   in the lexicon — an infinitive (``urged X to …``) or direct object (``announced its
   readiness``, ``describes those fleeing as “…”``); a parenthetical cue
   (``…, the official said, …``) takes the clause it interrupts. The speaker is the
   subject; a participle or coordinated verb without one inherits it (``…, noting that``,
   ``by saying: “…”``); after ``cites X``, a participle's speaker is X
   (``VoA cites activists … stating that …``: two attributions, the second nested in the
   first). A relative pronoun subject ("Jeb Bush, who announced …") is kept as the speaker
   and resolved to its noun. Passives: ``it was reported that …`` and ``X is believed to
   …`` have no speaker (``kind="passive"``); ``by X`` gives one. A cue that the tagger took
   for a plural noun but that governs a clause ("the Times notes, estimating …") counts.
   Stance and evaluation verbs (supports, endorsed, accused X of …, called X Y) are found
   too, with ``cue_class`` saying so, so that a claims layer can keep only statements.
3. ``according to X`` (``kind="according_to"``): the clause the phrase modifies.
4. Report nouns with a that-clause (``kind="nominal"``): ``reports that …``,
   ``Trump's claim that …``.
5. ``reportedly`` / ``allegedly`` on a clause that no other attribution covers
   (``kind="adverbial"``, no speaker).
6. Label lines: the title ``Reports: …`` / ``Officials: …`` (``kind="headline"``) and
   transcript lines ``Matthews: Well, speculation is bad.`` (``kind="transcript"``) —
   a name, an entity or a source noun before a colon; page furniture ("Related:",
   "Photo:", "Source:") is not a speaker.
7. A paragraph that is only a quotation, right after a paragraph whose last sentence
   attributes something, continues that attribution (same speaker).

Nesting: ``outer`` links an attribution to the one whose content holds its cue
("Breitbart also cited that an unnamed defense official stated, “…”"); pronouns inside
someone's quotation are not resolved against the narrative's speakers.

Spans
=====

``content`` is the hull of ``content_parts``; the parts exclude the cue and the speaker
(a split quote has two parts with the cue between them). Parts are trimmed of white
space, edge punctuation (``, . ; : – —``), a leading complementiser ``that`` and the
quotation marks around a direct quote (the content of ``“Yes, there were cars,” he
said`` is ``Yes, there were cars``); quotation marks inside a part stay. Parse-based
content stays inside the cue's paragraph and is widened to a quotation it ends inside.
``speaker_phrase`` is the speaker's whole noun phrase as written ("Abu Abdullah, a
displaced man from the city of Raqqa"), widened to whole entity mentions, a dateline
("RENO, Nev. (AP) —") dropped; ``speaker`` is its core — without appositions, relative
clauses, ages and places, and the name when an apposition names the described person
("The head of the Super PAC, Mike Murphy" → "Mike Murphy"); ``speaker_name`` is what it
resolves to.

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

Undercutting: see :func:`undercuts`.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from ..records import Attribution, Range  # noqa: F401  (Attribution re-exported: the record type lives in storyline.records)
from .certainty import CertaintyCue, certainty_cues, decide

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from .entities import EntityMention

__all__ = [
    "CERTAINTY_ORDER",
    "Attribution",
    "CueLexicon",
    "HedgeLexicon",
    "Quote",
    "communicative_only",
    "cue_lexicon",
    "find_attributions",
    "find_quotes",
    "hedge_class",
    "hedge_cues",
    "hedge_lexicon",
    "undercuts",
]


# Most certain first; ``certainty`` is one of these.
CERTAINTY_ORDER = ("asserted", "reported", "hedged", "denied")


# --------------------------------------------------------------------------------------------
# records


@dataclass(frozen=True, slots=True)
class Quote:
    """A stretch between quotation marks: ``start``/``end`` include the marks of every part;
    ``parts`` are the inner spans (one per paragraph for a multi-paragraph quote)."""

    start: int
    end: int
    parts: tuple[Range, ...]
    closed: bool


# --------------------------------------------------------------------------------------------
# lexicons (data files, loaded once; immutable)


@dataclass(frozen=True, slots=True)
class _Verb:
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
    verbs: dict[str, _Verb]  # every inflected form (lower case) -> verb
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


def _read_data(name: str) -> Any:
    return json.loads(resources.files("storyline").joinpath(f"data/{name}").read_text(encoding="utf-8"))


@cache
def cue_lexicon() -> CueLexicon:
    raw = _read_data("attribution_cues.json")
    verbs: dict[str, _Verb] = {}
    for lemma, o in raw["verbs"].items():
        v = _Verb(
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
    raw = _read_data("hedges.json")
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


# --------------------------------------------------------------------------------------------
# quotation marks

_OPEN = frozenset("“„«‟")
_CLOSE = frozenset("”»")
_MARKS = re.compile(r"[“”„«»‟\"]|\n[ \t\r\f\v]*\n")
_EDGE = " \t\r\n\f\v,.;:–—-…"
_QUOTE_CHARS = '“”„«»‟"'


def find_quotes(text: str) -> list[Quote]:
    """Quoted stretches of ``text``, paired per paragraph. Never raises on unbalanced marks:
    an opening mark with no closing one ends at its paragraph's end (``closed=False``) and
    continues into the next paragraph when that opens with a quotation mark; a closing mark
    with nothing open is ignored; a new opening mark inside an open quote ends the open one."""
    raw: list[
        tuple[int, int, bool]
    ] = []  # (open mark, end (exclusive, after the closing mark or at break), closed)
    open_at: int | None = None
    for m in _MARKS.finditer(text):
        ch = m.group(0)
        pos = m.start()
        if ch[0] == "\n":
            if open_at is not None:
                raw.append((open_at, pos, False))
                open_at = None
            continue
        if ch in _OPEN:
            if open_at is not None:
                raw.append((open_at, pos, False))
            open_at = pos
        elif ch in _CLOSE:
            if open_at is not None:
                raw.append((open_at, pos + 1, True))
                open_at = None
        else:  # a straight mark: closes an open quote, else opens one unless white space follows
            if open_at is not None:
                raw.append((open_at, pos + 1, True))
                open_at = None
            elif pos + 1 < len(text) and not text[pos + 1].isspace():
                open_at = pos
    if open_at is not None:
        raw.append((open_at, len(text), False))

    quotes: list[Quote] = []
    for s, e, closed in raw:
        inner_end = e - 1 if closed else e
        part = (s + 1, max(s + 1, inner_end))
        if (
            quotes
            and not quotes[-1].closed
            and text[quotes[-1].end : s].strip() == ""
            and "\n" in text[quotes[-1].end : s + 1]
        ):
            prev = quotes[-1]  # a multi-paragraph quote: the next paragraph reopens it
            quotes[-1] = Quote(prev.start, e, (*prev.parts, part), closed)
        else:
            quotes.append(Quote(s, e, (part,), closed))
    return quotes


# --------------------------------------------------------------------------------------------
# per-document context


_FINITE = frozenset({"VBD", "VBZ", "VBP", "MD"})
_SENT_END = frozenset({".", "!", "?"})
_SUBJ = frozenset({"nsubj", "csubj"})
_PRONOUNS = {
    "he": "person",
    "she": "person",
    "him": "person",
    "her": "person",
    "they": "plural",
    "them": "plural",
    "it": "thing",
    "i": "self",
    "we": "self",
    "you": "self",
}
_WH = frozenset(
    {"what", "which", "who", "whom", "whatever", "this", "that", "it", "so", "something", "nothing"}
)
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


@dataclass(slots=True)
class _Ctx:
    doc: Doc
    text: str
    lex: CueLexicon
    starts: list[int]
    mentions: list[EntityMention]
    mention_starts: list[int]
    sent_starts: list[int]
    sent_ends: list[int]
    para_breaks: list[int]
    lede_end: int
    quotes: list[Quote]
    cands: list[int]  # indices of tokens whose lower-case form a rule starts from

    def candidates(self) -> Iterable[Token]:
        doc = self.doc
        return (doc[i] for i in self.cands)

    def tok_at(self, char: int) -> int:
        """Index of the token that holds or follows ``char``."""
        return max(0, bisect_right(self.starts, char) - 1) if char < len(self.text) else len(self.doc)

    def tok_after(self, char: int) -> int:
        return bisect_left(self.starts, char)

    def chars(self, i: int, j: int) -> Range:
        """Character span of tokens ``i..j`` inclusive."""
        t = self.doc[j]
        return self.doc[i].idx, t.idx + len(t.text)

    def mention_for(self, s: int, e: int) -> list[EntityMention]:
        lo = bisect_left(self.mention_starts, s - 200)
        hi = bisect_left(self.mention_starts, e)  # later mentions start at or after e
        return [m for m in self.mentions[lo:hi] if m.start < e and m.end > s][:12] if self.mentions else []

    def sentence(self, s: int, e: int) -> Range:
        if not self.sent_starts:
            return (s, e)
        i = max(0, bisect_right(self.sent_starts, s) - 1)
        j = max(i, bisect_left(self.sent_ends, e))
        j = min(j, len(self.sent_ends) - 1)
        return self.sent_starts[i], max(self.sent_ends[j], e)

    def same_paragraph(self, a: int, b: int) -> bool:
        return bisect_right(self.para_breaks, a) == bisect_right(self.para_breaks, b)


@dataclass(slots=True)
class _Draft:
    """An attribution while it is being built."""

    kind: str
    cue: Range
    cue_lemma: str
    parts: list[Range]
    speaker: Range | None = None
    speaker_phrase: Range | None = None  # the whole noun phrase, appositions and relative clauses included
    speaker_tokens: tuple[int, ...] = ()  # head token indices of the speaker phrase
    venue: str | None = None
    venue_span: Range | None = None
    cue_tok: int = -1
    cue_cert: str | None = None
    cue_class: str = "speech"
    cue_hedges: list[CertaintyCue] = field(default_factory=list)
    negated: bool = False
    parent: int | None = None  # explicit outer (draft index)
    quote_end: int = -1  # for direct quotes: end of the region the attribution covers (for continuations)


def _trim(text: str, s: int, e: int, *, that: bool = True) -> Range:
    """Trim white space, edge punctuation, a leading "that", and a quotation mark or bracket at
    either edge that has no partner inside the span."""
    for _ in range(6):
        s0, e0 = s, e
        while s < e and text[s] in _EDGE:
            s += 1
        while e > s and text[e - 1] in _EDGE:
            e -= 1
        if that and text[s : s + 5].lower() == "that " and e - s > 5:
            s += 5
        if s < e and text[s] in _QUOTE_CHARS and not _partner_after(text, s, e):
            s += 1
        if e > s and text[e - 1] in _QUOTE_CHARS and not _partner_before(text, s, e - 1):
            e -= 1
        if s < e and text[s] in "([" and not any(c in text[s + 1 : e] for c in ")]"):
            s += 1
        if e > s and text[e - 1] in ")]" and not any(c in text[s : e - 1] for c in "(["):
            e -= 1
        if (s, e) == (s0, e0):
            break
    return s, e


def _partner_after(text: str, i: int, e: int) -> bool:
    ch = text[i]
    if ch in _CLOSE:
        return False
    rest = text[i + 1 : e]
    return any(c in rest for c in '”»"') if ch in _OPEN else '"' in rest


def _partner_before(text: str, s: int, i: int) -> bool:
    ch = text[i]
    if ch in _OPEN:
        return False
    rest = text[s:i]
    return any(c in rest for c in '“„«‟"') if ch in _CLOSE else '"' in rest


def _runs(tokens: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive token indices as inclusive runs."""
    out: list[tuple[int, int]] = []
    for i in sorted(set(tokens)):
        if out and out[-1][1] == i - 1:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return out


def _is_verb(t: Token) -> bool:
    return t.tag_.startswith("VB") or t.pos_ in {"VERB", "AUX"}


def _noun_cue(t: Token) -> bool:
    """A cue verb the tagger took for a plural noun: "the Times notes, …", "the portal notes that …"."""
    return (
        t.tag_ in {"NNS", "NN", "NNP", "NNPS"}
        and t.lower_.endswith("s")
        and any(c.dep_ in {"ccomp", "advcl"} for c in t.children)
    )


def _verbal(t: Token) -> bool:
    return _is_verb(t) or _noun_cue(t)


_NP_LEFT = frozenset({"compound", "det", "amod", "poss", "nmod", "case", "nummod", "punct"})


def _noun_cue_subject(t: Token) -> tuple[int, int] | None:
    """The words before a noun-tagged cue that name the speaker: "the Times" in "the Times notes"."""
    doc = t.doc
    lo = t.i
    while (
        lo - 1 >= 0
        and doc[lo - 1].dep_ in _NP_LEFT
        and lo - 1 <= doc[lo - 1].head.i <= t.i
        and doc[lo - 1].text not in {",", "“", "”", '"'}
    ):
        lo -= 1
    return (lo, t.i - 1) if lo < t.i else None


def _subtree_range(t: Token) -> tuple[int, int]:
    return t.left_edge.i, t.right_edge.i


# --------------------------------------------------------------------------------------------
# speakers


def _subject(t: Token) -> list[Token]:
    return [c for c in t.children if c.dep_ in _SUBJ or c.dep_ == "nsubjpass"]


def _agent(t: Token) -> Token | None:
    for c in t.children:
        if c.dep_ == "agent":
            for g in c.children:
                if g.dep_ == "pobj":
                    return g
    return None


def _np_range(heads: Sequence[Token], exclude: set[int]) -> tuple[int, int] | None:
    toks = [i for h in heads for i in range(h.left_edge.i, h.right_edge.i + 1) if i not in exclude]
    if not toks:
        return None
    # keep the run that holds the first head (a subject subtree never spans the cue)
    runs = _runs(toks)
    anchor = heads[0].i
    for a, b in runs:
        if a <= anchor <= b:
            lo, hi = a, b
            # join runs separated only by punctuation ("Iraq’s then Minister, Khalid …")
            for a2, b2 in runs:
                if a2 > hi and all(not x.is_alpha for x in heads[0].doc[hi + 1 : a2]) and a2 - hi <= 2:
                    hi = b2
            return lo, hi
    return runs[0]


def _inherited_speaker(t: Token, lex: CueLexicon) -> tuple[list[Token], tuple[int, int] | None, int | None]:
    """(subject heads, explicit token range, cite-verb token) for a cue without a subject."""
    cur = t
    for _ in range(5):
        dep = cur.dep_
        head = cur.head
        if head is cur:
            return [], None, None
        if dep == "advcl" and _noun_cue(head):
            rng = _noun_cue_subject(head)
            return ([head.doc[head.i - 1]], rng, None) if rng else ([], None, None)
        if dep == "relcl" or dep == "acl":
            if (
                head.tag_ in {"NNP", "NNPS"}
                or head.lower_ in lex.person_nouns
                or head.lower_ in lex.outlet_nouns
                or head.lower_ in lex.document_nouns
                or head.lower_ in lex.organization_nouns
            ):
                lo = head.left_edge.i
                hi = head.i
                for c in head.children:  # "a leader of the SDF stating …": keep the noun's own modifiers
                    if (
                        c.i > head.i
                        and c.dep_ in {"prep", "appos", "compound", "punct"}
                        and c.i < cur.left_edge.i
                    ):
                        hi = max(hi, c.right_edge.i)
                return [head], (lo, hi), None
            return [], None, None
        if dep in {"advcl", "xcomp", "conj", "pcomp", "prep", "ccomp", "dep", "parataxis"}:
            if dep in {"ccomp", "parataxis"} and cur is t:
                return [], None, None  # a clause of its own: no inherited subject
            v = lex.verbs.get(head.lower_)
            if v is not None and v.lemma == "cite" and dep == "advcl":
                objs = [c for c in head.children if c.dep_ in {"dobj", "dative"}]
                if objs:
                    lo = objs[0].left_edge.i
                    hi = (
                        max(c.right_edge.i for c in head.children if lo <= c.i < cur.left_edge.i)
                        if any(lo <= c.i < cur.left_edge.i for c in head.children)
                        else objs[0].right_edge.i
                    )
                    hi = max(hi, objs[0].right_edge.i)
                    return [objs[0]], (lo, min(hi, cur.left_edge.i - 1)), head.i
            subj = _subject(head)
            if subj:
                return subj, None, None
            cur = head
            continue
        return [], None, None
    return [], None, None


def _surface_after(ctx: _Ctx, i: int, limit: int) -> tuple[int, int] | None:
    """The noun phrase right after token ``i`` (inverted "…,” said X on Thursday")."""
    doc = ctx.doc
    j = i + 1
    stop = {
        "on",
        "in",
        "at",
        "last",
        "earlier",
        "this",
        "yesterday",
        "today",
        "during",
        "after",
        "before",
        "when",
        "while",
        "according",
        "late",
        "early",
        "told",
        "said",
        "adding",
        "noting",
        "citing",
        "via",
    }
    end = j - 1
    k = j
    while k < min(len(doc), limit):
        t = doc[k]
        if (
            t.text in {",", ".", ";", ":", "!", "?", "“", '"', "—"}
            or "\n" in t.text
            or "\n" in doc[k - 1].whitespace_
        ):
            break
        if t.lower_ in stop and k > j:
            inside = ctx.mention_for(t.idx, t.idx + len(t.text))
            if not inside:
                break
        if t.text == "(":
            close = next((x for x in range(k, min(len(doc), k + 12)) if doc[x].text == ")"), None)
            if close is None:
                break
            end = close
            k = close + 1
            continue
        end = k
        k += 1
    return (j, end) if end >= j else None


def _speaker_range(
    ctx: _Ctx, t: Token, exclude: set[int]
) -> tuple[tuple[int, int] | None, list[Token], bool, int | None]:
    """(token range, head tokens, passive-without-speaker, cite verb) for cue verb ``t``."""
    subj = _subject(t)
    if subj:
        passive = all(s.dep_ == "nsubjpass" for s in subj)
        if passive:
            agent = _agent(t)
            if agent is not None:
                return _np_range([agent], exclude), [agent], False, None
            return None, [], True, None
        if subj[0].lower_ in _RELATIVE:
            return (subj[0].i, subj[0].i), [subj[0]], False, None  # resolved to its antecedent later
        subj = [x for x in subj if x.ent_type_ not in {"DATE", "TIME"}]  # "Tuesday … said": a misparse
        if subj:
            return _np_range(subj, exclude | {t.i}), subj, False, None
    if not _is_verb(t):
        rng = _noun_cue_subject(t)
        return rng, [t.doc[t.i - 1]] if rng else [], False, None
    heads, rng, cite = _inherited_speaker(t, ctx.lex)
    if rng is not None:
        return rng, heads, False, cite
    if heads:
        return _np_range(heads, exclude | {t.i}), heads, False, cite
    if t.dep_ in {"ROOT", "conj"} or t.head is t:
        before = _surface_before(ctx, t)
        if before is not None:
            return before[0], [before[1]], False, None
    return None, [], False, None


def _surface_before(ctx: _Ctx, t: Token) -> tuple[tuple[int, int], Token] | None:
    """A subject the parser lost: the nearest person or organisation named before the cue in the
    same clause ("Speaking to ARA News in Hasakah, Abu Abdullah, a displaced man …, said")."""
    doc = ctx.doc
    lo = t.i - 1
    while (
        lo > 0
        and t.i - lo < 25
        and doc[lo].tag_ not in _FINITE
        and doc[lo].text not in {";", ".", "!", "?"}
        and not doc[lo].is_sent_start
    ):
        lo -= 1
    start_c = doc[lo].idx
    end_c = doc[t.i].idx
    ms = [m for m in ctx.mention_for(start_c, end_c) if m.start >= start_c and m.end <= end_c]
    if not ms:
        return None
    m = ms[-1]
    a = ctx.tok_at(m.phrase_start)
    hi = t.i - 1
    while hi > a and not doc[hi].is_alpha:
        hi -= 1
    return (a, hi), doc[ctx.tok_at(m.end - 1)]


_KEEP_RIGHT = frozenset(
    {
        "prep",
        "compound",
        "conj",
        "cc",
        "nummod",
        "poss",
        "case",
        "nmod",
        "pobj",
        "amod",
        "det",
        "quantmod",
        "predet",
        "hmod",
        "hyph",
    }
)
_DATELINE = re.compile(
    r"\A[A-Z][A-Z .,'’\-]+(?:,\s*[A-Z][a-z.]+(?:\s[A-Z][a-z.]+)?)?\s*(?:\([^)]{1,30}\))?\s*[–—-]+\s*"
)


def _core(ctx: _Ctx, lo: int, hi: int, heads: Sequence[Token]) -> tuple[int, int]:
    """The speaker's name or description without appositions, relative clauses, ages and places
    ("Woodrow Benford, 58, who lives outside Minneapolis" → "Woodrow Benford"); an apposition
    that is a name wins over a description ("The head of the Super PAC, Mike Murphy" → "Mike
    Murphy")."""
    doc = ctx.doc
    inside = [h for h in heads if lo <= h.i <= hi]
    if len(inside) != 1:
        return lo, hi
    head = inside[0]
    named = any(m.start <= head.idx < m.end for m in ctx.mention_for(head.idx, head.idx + 1))
    if not named:
        for c in head.children:
            if (
                c.dep_ == "appos"
                and c.i > head.i
                and c.i <= hi
                and any(m.start <= c.idx < m.end for m in ctx.mention_for(c.idx, c.idx + 1))
            ):
                return _core(ctx, c.left_edge.i, min(hi, c.right_edge.i), [c])
    right = head.i
    for c in sorted(head.children, key=lambda x: x.i):
        if c.i < head.i:
            continue
        if c.dep_ in _KEEP_RIGHT:
            right = max(right, min(hi, c.right_edge.i))
        elif c.dep_ != "punct":
            break
    left = lo
    for c in sorted(head.children, key=lambda x: x.i):
        if c.i < head.i and c.dep_ in {"advcl", "npadvmod", "prep", "parataxis"} and c.right_edge.i < head.i:
            left = max(left, c.right_edge.i + 1)
    while left < right and not (doc[left].is_alpha or doc[left].is_digit or doc[left].text[:1].isalnum()):
        left += 1
    return left, max(left, right)


def _set_speaker(ctx: _Ctx, d: _Draft, rng: tuple[int, int], heads: Sequence[Token], anchor: int) -> None:
    """Record the speaker of draft ``d``: the whole phrase (token range ``rng``) and its core."""
    text = ctx.text
    s, e = ctx.chars(*rng)
    s, e = _trim(
        text, *_clip_to_line(text, *_clip_to_paragraph(ctx, *_widen(ctx, s, e), anchor), anchor), that=False
    )
    if e <= s:
        return
    m = _DATELINE.match(text, s, e)
    if m is not None and m.end() < e:
        s = m.end()  # "RENO, Nev. (AP) — Republican presidential hopeful Donald Trump"
    d.speaker_phrase = (s, e)
    lo, hi = ctx.tok_at(s), ctx.tok_at(e - 1)
    clo, chi = _core(ctx, lo, hi, heads)
    cs, ce = ctx.chars(clo, chi)
    cs, ce = _trim(text, *_widen(ctx, max(cs, s), min(ce, e)), that=False)
    d.speaker = (cs, ce) if ce > cs else (s, e)
    d.speaker_tokens = tuple(h.i for h in heads)


def _clip_to_paragraph(ctx: _Ctx, s: int, e: int, anchor: int) -> Range:
    k = bisect_right(ctx.para_breaks, anchor)
    lo = ctx.para_breaks[k - 1] if k else 0
    hi = ctx.para_breaks[k] if k < len(ctx.para_breaks) else len(ctx.text)
    return max(s, lo), min(e, hi)


def _clip_to_line(text: str, s: int, e: int, anchor: int) -> Range:
    """A speaker never crosses a line break that cleaning kept: the side of it nearer the cue."""
    nl = text.find("\n", s, e)
    if nl < 0:
        return s, e
    if anchor >= e:
        return text.rfind("\n", s, e) + 1, e
    return s, nl


def _widen(ctx: _Ctx, s: int, e: int) -> Range:
    for m in ctx.mention_for(s, e):
        if m.start < s < m.end:
            s = m.start
        if m.start < e < m.end:
            e = m.end
    return s, e


# --------------------------------------------------------------------------------------------
# content and venue


def _content_tokens(ctx: _Ctx, t: Token, v: _Verb, exclude: set[int]) -> tuple[list[int], str] | None:
    """Token indices of the content of cue verb ``t`` and how they were found."""
    doc = ctx.doc
    lo, hi = _subtree_range(t)
    ccomps = [c for c in t.children if c.dep_ == "ccomp" and c.i not in exclude]
    wh = any(
        g.lower_ in _WH and g.dep_ in {"dobj", "dative", "nsubj", "attr"} for c in ccomps for g in c.children
    ) or any(c.lower_ in _WH and c.dep_ in {"dobj", "dative"} for c in t.children)
    # "echoed what the activists told VoA: …" — the words after a colon that closes the cue's clause
    if hi + 1 < len(doc) and doc[hi + 1].text == ":" and (not ccomps or wh):
        k = hi + 2
        sent_end = _clause_end(ctx, k)
        if sent_end >= k:
            return list(range(k, sent_end + 1)), "colon"
    after = [c for c in ccomps if c.i > t.i]
    that = _that_after(ctx, t)
    if that is not None and not any(c.left_edge.i <= that + 1 <= c.right_edge.i for c in after):
        # "said (earlier on Friday during a news conference) that …" that the parser did not
        # hang on the cue: take the words to the sentence's end
        end = _surface_clause_end(ctx, that + 1)
        if end > that + 1:
            return [i for i in range(that + 1, end + 1) if i not in exclude], "surface"
    if ccomps:
        c = min(after, key=lambda x: x.i) if after else max(ccomps, key=lambda x: x.i)
        start, end = c.left_edge.i, c.right_edge.i
        if not v.dobj and not v.recipient and c.i > t.i:
            # "say the Islamic State’s leadership in its “capital,” Raqqa, are relocating": the parser
            # split the clause's subject off as an object
            objs = [o for o in t.children if o.dep_ == "dobj" and t.i < o.i < start]
            if objs:
                start = objs[0].left_edge.i
        if _noun_cue(t) and t.dep_ == "nsubj" and t.head.i > end:
            end = t.head.right_edge.i  # "the portal notes that “…” have been fleeing …"
        toks = [i for i in range(start, end + 1) if i not in exclude]
        if toks:
            return toks, "ccomp"
    if v.xcomp:
        for c in t.children:
            if c.dep_ == "xcomp" and c.i > t.i:
                objs = [o for o in t.children if o.dep_ in {"dobj", "dative"} and o.i < c.i]
                start = objs[0].left_edge.i if objs else c.left_edge.i
                return [i for i in range(start, c.right_edge.i + 1) if i not in exclude], "xcomp"
    if v.preps:  # "called for X", "talked about X"
        for c in t.children:
            if c.dep_ in {"prep", "prt"} and c.lower_ in v.preps and c.i > t.i:
                objs = [o for o in c.children if o.dep_ in {"pobj", "pcomp"}]
                if objs:
                    return [
                        i for i in range(objs[0].left_edge.i, c.right_edge.i + 1) if i not in exclude
                    ], "prep"
            # "called for all candidates to lay out …": "for" parsed as the clause's marker
            if (
                c.dep_ in {"advcl", "ccomp", "xcomp"}
                and c.i > t.i
                and doc[c.left_edge.i].lower_ in v.preps
                and c.left_edge.i == t.i + 1 + sum(1 for x in doc[t.i + 1 : c.left_edge.i] if x.dep_ == "prt")
            ):
                return [i for i in range(c.left_edge.i + 1, c.right_edge.i + 1) if i not in exclude], "prep"
    if v.dobj:
        objs = [c for c in t.children if c.dep_ in {"dobj", "oprd"} and c.i > t.i and c.lower_ not in _WH]
        if objs and not any(c.dep_ == "dobj" for c in objs) and len(objs) < 2:
            objs = []  # a lone predicate ("called crazy") without what it is said of
        if v.dobj_as and not any(p.dep_ in {"prep", "oprd"} and p.lower_ == "as" for p in t.children):
            objs = []  # "cast formal ballots": an act, not a characterisation
        for c in objs[:1]:
            if not (c.tag_ == "PRP" and not any(x.dep_ in {"oprd", "xcomp"} for x in t.children)):
                end = max(o.right_edge.i for o in objs)
                # "describes those fleeing as “…”", "called him “a total stiff”",
                for p in t.children:
                    # "accused Republicans of placing …"
                    if (
                        p.dep_ == "prep"
                        and p.lower_ in {"as", "of", "for"}
                        or p.dep_ in {"oprd", "xcomp", "ccomp"}
                    ) and p.i > end:
                        end = p.right_edge.i
                toks = [i for i in range(c.left_edge.i, end + 1) if i not in exclude]
                if len(toks) >= 2:
                    return toks, "dobj"
    if t.dep_ == "parataxis" and t.head.i != t.i and ctx.lex.verbs.get(t.head.lower_) is None:
        h = t.head
        toks = [
            i for i in range(h.left_edge.i, h.right_edge.i + 1) if not (lo <= i <= hi) and i not in exclude
        ]
        if toks:
            return toks, "parataxis"
    return None


def _that_after(ctx: _Ctx, t: Token) -> int | None:
    """A complementiser "that" within eight tokens after the cue with only adverbials between
    ("said earlier on Friday during a news conference that …")."""
    doc = ctx.doc
    for j in range(t.i + 1, min(len(doc), t.i + 9)):
        w = doc[j]
        if w.lower_ == "that":
            nxt = doc[j + 1] if j + 1 < len(doc) else None
            if nxt is None or nxt.is_punct or nxt.tag_ in _FINITE or nxt.tag_.startswith("VB"):
                return None  # "that" as a pronoun: "said that."/"said that was wrong" is not a clause here
            return j
        if (
            w.tag_ in _FINITE
            or w.tag_.startswith("VB")
            or w.is_punct
            and w.text not in {","}
            or w.text in _OPEN
            or w.text == '"'
        ):
            return None
    return None


def _surface_clause_end(ctx: _Ctx, k: int) -> int:
    """Last token before the sentence-final punctuation that follows token ``k`` (quotation
    marks tracked, so a full stop inside a quote does not end the clause), within the paragraph."""
    doc = ctx.doc
    inside = False
    j = k
    while j < len(doc):
        t = doc[j]
        if t.is_space and "\n" in t.text or (j > k and "\n\n" in doc[j - 1].whitespace_):
            return j - 1
        if t.text in _OPEN or t.text in _CLOSE or t.text == '"':
            inside = t.text in _OPEN or (t.text == '"' and not inside)
        elif t.text in _SENT_END and not inside:
            return j - 1
        j += 1
    return len(doc) - 1


def _clause_end(ctx: _Ctx, k: int) -> int:
    """Last token of the sentence that holds token ``k`` (or of its paragraph, whichever first)."""
    doc = ctx.doc
    if k >= len(doc):
        return k - 1
    s_end = ctx.sentence(doc[k].idx, doc[k].idx)[1]
    j = k
    while (
        j + 1 < len(doc)
        and doc[j + 1].idx < s_end
        and "\n" not in doc[j].whitespace_
        and "\n" not in doc[j + 1].text
    ):
        j += 1
    return j


def _venue(ctx: _Ctx, t: Token, v: _Verb | None) -> tuple[str | None, Range | None]:
    doc = ctx.doc
    lex = ctx.lex
    text = ctx.text

    def span_of(lo: int, hi: int) -> tuple[str, Range]:
        # the noun phrase up to its head: "ARA News" of "ARA News in Hasakah, Abu Abdullah, …"
        head = doc[hi]
        for x in range(lo, hi + 1):
            if doc[x].head.i > hi or doc[x].head.i < lo or doc[x].head.i == x:
                head = doc[x]
                break
        hi = max(lo, min(hi, head.i))
        s, e = ctx.chars(lo, hi)
        s, e = _widen(ctx, s, e)
        s, e = _trim(text, s, e, that=False)
        return text[s:e], (s, e)

    if v is not None and v.recipient:
        for c in t.children:
            if c.dep_ in {"dobj", "dative", "iobj"} and c.lower_ not in _WH and c.i > t.i and c.tag_ != "WP":
                hi = c.right_edge.i
                # "told Voice of America that …": stop before the content clause
                hi = min(
                    [hi] + [x.left_edge.i - 1 for x in c.children if x.dep_ in {"ccomp", "relcl", "acl"}]
                )
                return span_of(c.left_edge.i, max(c.i, hi))
    for c in t.children:
        if (
            c.dep_ == "prep"
            and c.lower_ == "to"
            and v is not None
            and v.lemma in {"say", "write", "explain", "speak", "talk", "describe"}
        ):
            for p in c.children:
                if p.dep_ == "pobj":
                    return span_of(p.left_edge.i, p.right_edge.i)
    for c in t.children:  # "Speaking to ARA News in Hasakah, X said"
        if c.dep_ == "advcl" and c.lower_ in lex.speaking_verbs:
            for p in c.children:
                if p.dep_ == "prep" and p.lower_ in {"to", "with"}:
                    for o in p.children:
                        if o.dep_ == "pobj":
                            return span_of(o.left_edge.i, o.right_edge.i)
                if p.dep_ in {"dobj", "dative"}:
                    return span_of(p.left_edge.i, p.right_edge.i)
    for c in t.children:
        if c.dep_ == "prep" and c.lower_ in {"at", "in", "on", "during", "via", "through", "over"}:
            for p in c.children:
                if p.dep_ != "pobj":
                    continue
                head = p.lower_
                if head in lex.platforms:
                    return span_of(p.i, p.i)
                if head in lex.venue_nouns:
                    for w in p.children:  # "in an interview with Reuters"
                        if w.dep_ == "prep" and w.lower_ == "with":
                            for o in w.children:
                                if o.dep_ == "pobj":
                                    return span_of(o.left_edge.i, o.right_edge.i)
                    return span_of(p.left_edge.i, p.i)
    if v is not None and v.venue:
        return v.venue, None
    return None, None


# --------------------------------------------------------------------------------------------
# the extractor


def _context(doc: Doc, entities: Sequence[EntityMention]) -> _Ctx:
    text = doc.text
    arr = doc.to_array(["SENT_START", "IDX", "LENGTH"]).tolist()
    starts_tok = [i for i, row in enumerate(arr) if row[0] == 1 or i == 0]
    sents = [
        (arr[a][1], arr[b - 1][1] + arr[b - 1][2]) for a, b in zip(starts_tok, [*starts_tok[1:], len(arr)])
    ]
    paras = [m.start() for m in re.finditer(r"\n[ \t\r\f\v]*\n", text)]
    lede_end = paras[0] if paras else (sents[0][1] if sents else len(text))
    mentions = sorted(entities, key=lambda m: (m.start, -m.end))
    lex = cue_lexicon()
    lowers = doc.to_array("LOWER")
    wanted = _wanted_hashes()
    cands = [int(i) for i, h in enumerate(lowers.tolist()) if h in wanted]
    return _Ctx(
        doc,
        text,
        lex,
        [row[1] for row in arr],
        mentions,
        [m.start for m in mentions],
        [s for s, _ in sents],
        [e for _, e in sents],
        paras,
        lede_end,
        find_quotes(text),
        cands,
    )


@cache
def _wanted_hashes() -> frozenset[int]:
    """Hashes of the lower-case words a rule starts from: cue verbs and nouns, adverbs, "according"."""
    from spacy.strings import hash_string  # type: ignore[attr-defined]  # missing from spaCy's strings.pyi

    lex = cue_lexicon()
    words = set(lex.verbs) | set(lex.nouns) | set(lex.adverbs) | {"according"}
    return frozenset(hash_string(w) for w in words)


def find_attributions(
    doc: Doc, entities: Sequence[EntityMention] = (), *, cues: str = "communication"
) -> list[Attribution]:
    """Attributed statements in ``doc`` (a parsed Doc of the cleaned text), in text order of
    the cue. ``entities`` (from :func:`storyline.annotate.entities.find_entities`) resolve
    speakers and venues; without them speakers keep their text and a kind read from the words.

    ``cues="communication"`` (the default, what the claims layer stores) keeps attributions
    whose cue is a communication act (``communicative``); ``cues="all"`` also returns beliefs,
    intentions, stances and evaluations ("X believes …", "X supports …") — PolNeAR's broader
    notion of attribution, which bench/attribution.py scores both ways."""
    if len(doc) == 0:
        return []
    ctx = _context(doc, entities)
    drafts: list[_Draft] = []
    used_cues: dict[int, int] = {}  # cue token -> draft index
    covered: list[Range] = []  # quote regions already attributed

    orphans = _quote_attributions(ctx, drafts, used_cues, covered)
    _verb_attributions(ctx, drafts, used_cues)
    _according_to(ctx, drafts, used_cues)
    _noun_attributions(ctx, drafts, used_cues)
    _continue_paragraph_quotes(ctx, drafts, orphans)
    _adverbial(ctx, drafts, used_cues)
    _headline(ctx, drafts)
    found = _finish(ctx, drafts)
    return found if cues == "all" else communicative_only(found)


def communicative_only(found: list[Attribution]) -> list[Attribution]:
    """The communicative attributions, ``outer`` re-pointed to the nearest kept ancestor."""
    keep = [i for i, a in enumerate(found) if a.communicative]
    new_index = {old: new for new, old in enumerate(keep)}
    out = []
    for i in keep:
        a = found[i]
        outer, seen = a.outer, set()
        while outer is not None and outer not in new_index and outer not in seen:
            seen.add(outer)
            outer = found[outer].outer
        out.append(replace(a, outer=new_index.get(outer) if outer is not None else None))
    return out


def _quote_attributions(
    ctx: _Ctx, drafts: list[_Draft], used: dict[int, int], covered: list[Range]
) -> list[Quote]:
    """Rule 1; returns the quotes left without a speaker (for :func:`_continue_paragraph_quotes`)."""
    doc, text, lex = ctx.doc, ctx.text, ctx.lex
    orphans: list[Quote] = []
    for q in ctx.quotes:
        inner = [_trim(text, s, e, that=False) for s, e in q.parts]
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
            spk, heads, _, _ = _speaker_range(ctx, t, qtoks)
            if spk is not None and (doc[spk[0]].idx >= q.start and doc[spk[1]].idx < q.end):
                spk = None  # a subject inside the quote is the parser's mistake
            if spk is None and after is not None:
                k = ctx.tok_after(q.end)
                while k < cue_i and not doc[k].is_alpha:
                    k += 1
                spk = (k, cue_i - 1) if k < cue_i else _surface_after(ctx, cue_i, cue_i + 30)
                heads = [doc[spk[1]]] if spk is not None else []
            cue_r = _cue_span(ctx, t, v)
            venue, venue_span = _venue(ctx, t, v)
            d = _Draft(
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
                _set_speaker(ctx, d, spk, heads, t.idx)
            d.cue_hedges = _cue_hedges(ctx, t)
        end_tok = max(cue_i, ctx.tok_at(d.speaker[1] - 1) if d.speaker else cue_i)
        d.quote_end = (
            _sentence_close(ctx, doc[end_tok].idx + len(doc[end_tok].text)) if after is not None else q.end
        )
        used[cue_i] = len(drafts)
        drafts.append(d)
        covered.append((q.start, q.end))
    return orphans


def _continue_paragraph_quotes(ctx: _Ctx, drafts: list[_Draft], orphans: Sequence[Quote]) -> None:
    """A paragraph that is nothing but a quotation, right after a paragraph whose last sentence
    attributes something to a speaker, continues that speaker ("Graham said he would … \n\n
    “The answer to me …”"): the quote joins that attribution's content."""
    text = ctx.text
    for q in orphans:
        line_start = text.rfind("\n", 0, q.start) + 1
        if text[line_start : q.start].strip() or line_start == 0:
            continue
        para_end = text.rfind("\n", 0, line_start - 1)
        para_end = line_start - 1 if para_end < 0 else para_end
        best: _Draft | None = None
        best_end = -1
        for d in drafts:
            if d.speaker is None:
                continue
            end = max(max(p[1] for p in d.parts), d.cue[1], d.speaker[1])
            if end <= q.start and end > best_end:
                best, best_end = d, end
        if best is None:
            continue
        gap = text[_sentence_close(ctx, best_end) if best_end < len(text) else best_end : q.start]
        if re.fullmatch(r"[\s”\"»’)]*", gap) and "\n" in gap:
            inner = [_trim(text, s, e, that=False) for s, e in q.parts]
            best.parts.extend((s, e) for s, e in inner if e > s)


def _sentence_close(ctx: _Ctx, i: int) -> int:
    """Where the sentence that goes on at ``i`` ends: after its final punctuation, before a
    quotation mark that opens a new quote, or at the paragraph's end."""
    m = re.compile(r"[.!?]+|[“„«\"]|\n").search(ctx.text, i)
    if m is None:
        return len(ctx.text)
    return m.end() if m.group(0)[0] in ".!?" else m.start()


def _colon_before(text: str, start: int) -> bool:
    return re.search(r":\s*\Z", text[max(0, start - 3) : start]) is not None


def _cue_after(ctx: _Ctx, q: Quote) -> int | None:
    doc, lex = ctx.doc, ctx.lex
    k = ctx.tok_after(q.end)
    if k >= len(doc):
        return None
    inner_end = q.parts[-1][1]
    closed_sentence = re.search(r"[.!?]\W*\Z", ctx.text[max(q.start, inner_end - 2) : q.end]) is not None
    while k < len(doc) and doc[k].text in {",", "”", '"', "»"}:
        k += 1
    if k < len(doc) and closed_sentence and not doc[k].is_lower and doc[k].lower_ not in _PRONOUNS:
        return None  # “… .” New sentence — unless it goes on in lower case ("he said")
    for j in range(k, min(len(doc), k + 40)):
        t = doc[j]
        if (
            t.text in _SENT_END
            or t.text in _OPEN
            or t.text == '"'
            or "\n" in t.text
            or (j > k and "\n" in doc[j - 1].whitespace_)
        ):
            return None
        if t.lower_ == "according" and j + 1 < len(doc) and doc[j + 1].lower_ == "to":
            return j if j == k else None
        v = lex.verbs.get(t.lower_)
        if v is not None and (
            _verbal(t) or (t.tag_ in {"NNS", "NN"} and j + 1 < len(doc) and doc[j + 1].is_punct)
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
                    doc[b].tag_ in _FINITE
                    and not _modifier_clause(doc[b], t)
                    and not _in_mention(ctx, doc[b])
                )
                for b in between
            ):
                return j
            return None
        if t.tag_ in _FINITE and not _modifier_clause(t, None) and j > k and not _in_mention(ctx, t):
            return None
    return None


def _in_quote(ctx: _Ctx, i: int) -> bool:
    return any(q.start < i < q.end for q in ctx.quotes)


def _in_mention(ctx: _Ctx, t: Token) -> bool:
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


def _cue_before(ctx: _Ctx, q: Quote) -> int | None:
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
            t.text in _SENT_END
            or t.text in _CLOSE
            or t.text == '"'
            or (t.lower_ == "that" and not colon)
            or ("\n" in t.whitespace_ and k < j)
            or t.is_space
        ):
            return None
        v = lex.verbs.get(t.lower_)
        if v is not None and _is_verb(t):
            if any(c.dep_ == "ccomp" and t.i < c.i < m for c in t.children) and not colon:
                return None
            if (
                any(
                    c.dep_ == "dobj" and t.i < c.i < m and c.lower_ not in _WH and not v.recipient
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
            and _is_verb(root)
            and any(c.dep_ in _SUBJ and c.lower_ not in _EXPLETIVE for c in root.children)
        ):
            return root.i
    return None


_RELATIVE = frozenset({"who", "that", "which", "whom"})
_EXPLETIVE = frozenset({"it", "this", "that", "there", "here", "what", "which"})


def _generic_verb(t: Token) -> _Verb:
    """A verb outside the lexicon that introduces a quotation after a colon."""
    return _Verb(t.lower_, t.lower_, "other", None, False, False, False, None, False, None, frozenset())


def _cue_span(ctx: _Ctx, t: Token, v: _Verb | None) -> Range:
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


def _cue_hedges(ctx: _Ctx, t: Token) -> list[CertaintyCue]:
    """Certainty cues on the cue verb itself: "reportedly said", "could confirm", "will say"."""
    out: list[CertaintyCue] = []
    for c in t.children:
        if c.dep_ in {"advmod", "aux"} and c.i < t.i + 3:
            out += certainty_cues(c.text, c.idx)
    return out


def _verb_attributions(ctx: _Ctx, drafts: list[_Draft], used: dict[int, int]) -> None:
    doc, lex, text = ctx.doc, ctx.lex, ctx.text
    for t in ctx.candidates():
        v = lex.verbs.get(t.lower_)
        if v is None or v.quote_only or t.i in used or not _verbal(t):
            continue
        if t.tag_ == "VBN" and t.dep_ in {"amod", "acl"} and not _subject(t):
            continue  # "the 25,000 estimated to be …", "the alleged plot": no speaker, no clause
        spk, heads, passive, cite = _speaker_range(ctx, t, set())
        exclude = set(range(spk[0], spk[1] + 1)) if spk else set()
        exclude.add(t.i)
        found = _content_tokens(ctx, t, v, exclude)
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
        parts = _parts(ctx, toks, t.idx)
        if not parts or sum(len(text[s:e].split()) for s, e in parts) < 2:
            continue
        venue, venue_span = _venue(ctx, t, v)
        d = _Draft(
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
            _set_speaker(ctx, d, spk, heads, t.idx)
        d.cue_hedges = _cue_hedges(ctx, t)
        if cite is not None and cite in used:
            d.parent = used[cite]
        used[t.i] = len(drafts)
        drafts.append(d)
        if cite is not None and cite not in used:
            # the citing verb itself: "VoA cites activists … stating …" -> VoA is the outer source
            c = doc[cite]
            cv = lex.verbs[c.lower_]
            cspk, cheads, _, _ = _speaker_range(ctx, c, set())
            if cspk is not None:
                cd = _Draft(
                    "indirect",
                    _cue_span(ctx, c, cv),
                    cv.norm,
                    list(parts),
                    cue_tok=c.i,
                    cue_class=cv.cls,
                    cue_cert=cv.certainty,
                )
                _set_speaker(ctx, cd, cspk, cheads, c.idx)
                used[c.i] = len(drafts)
                drafts.append(cd)
                d.parent = used[c.i]


def _parts(ctx: _Ctx, toks: Iterable[int], anchor: int) -> list[Range]:
    """Character parts for content tokens: runs of tokens, kept inside the paragraph of
    ``anchor`` (the cue), widened to whole quotations they end inside, then trimmed."""
    text = ctx.text
    lo_p = (
        ctx.para_breaks[bisect_right(ctx.para_breaks, anchor) - 1]
        if bisect_right(ctx.para_breaks, anchor)
        else 0
    )
    k = bisect_right(ctx.para_breaks, anchor)
    hi_p = ctx.para_breaks[k] if k < len(ctx.para_breaks) else len(text)
    out: list[Range] = []
    for a, b in _runs(toks):
        s, e = ctx.chars(a, b)
        s, e = max(s, lo_p), min(e, hi_p)
        if e <= s:
            continue
        for q in ctx.quotes:
            if q.start >= s and q.start < e < q.end and q.end <= hi_p:
                e = q.end  # “Daesh is on the run [and] being degraded …” cut by the parse
        s, e = _trim(text, s, e)
        if e > s:
            out.append((s, e))
    return out


def _according_draft(ctx: _Ctx, t: Token, parts: list[Range] | None, kind: str) -> _Draft | None:
    doc, text = ctx.doc, ctx.text
    if t.i + 1 >= len(doc) or doc[t.i + 1].lower_ != "to":
        return None
    to = doc[t.i + 1]
    objs = [c for c in to.children if c.dep_ == "pobj"] or [c for c in t.children if c.dep_ == "pobj"]
    if objs:
        lo, hi = objs[0].left_edge.i, objs[0].right_edge.i
    else:
        rng = _surface_after(ctx, t.i + 1, t.i + 20)
        if rng is None:
            return None
        lo, hi = rng
    s, e = ctx.chars(lo, hi)
    s, e = _trim(text, *_widen(ctx, s, e), that=False)
    phrase = set(range(t.i, max(hi, t.right_edge.i) + 1))
    if parts is None:
        h = t.head
        for _ in range(4):
            if _is_verb(h) or h.head is h:
                break
            h = h.head
        toks = [i for i in range(h.left_edge.i, h.right_edge.i + 1) if i not in phrase]
        if h.i in phrase or not toks:
            return None
        parts = _parts(ctx, toks, t.idx)
        parts = [p for p in parts if len(text[p[0] : p[1]].split()) >= 2] or parts
        if not parts:
            return None
    cue = (t.idx, to.idx + len(to.text))
    d = _Draft(kind, cue, "according to", parts, cue_tok=t.i, cue_class="report", cue_cert="reported")
    if e > s:
        d.speaker = (s, e)
        d.speaker_tokens = (objs[0].i,) if objs else (hi,)
    return d


def _according_to(ctx: _Ctx, drafts: list[_Draft], used: dict[int, int]) -> None:
    for t in ctx.candidates():
        if t.lower_ == "according" and t.i not in used:
            d = _according_draft(ctx, t, None, "according_to")
            if d is not None:
                used[t.i] = len(drafts)
                drafts.append(d)


def _noun_attributions(ctx: _Ctx, drafts: list[_Draft], used: dict[int, int]) -> None:
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
                and _is_verb(c)
            ),
            None,
        )
        if clause is None:
            continue
        parts = _parts(ctx, range(clause.left_edge.i, clause.right_edge.i + 1), t.idx)
        if sum(len(text[s:e].split()) for s, e in parts) < 2:
            continue
        d = _Draft(
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
            a, b = _trim(text, *_widen(ctx, *ctx.chars(spk.left_edge.i, spk.right_edge.i)), that=False)
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


def _adverbial(ctx: _Ctx, drafts: list[_Draft], used: dict[int, int]) -> None:
    lex, text = ctx.lex, ctx.text
    contents = [(min(p[0] for p in d.parts), max(p[1] for p in d.parts)) for d in drafts]
    for t in ctx.candidates():
        norm = lex.adverbs.get(t.lower_)
        if norm is None or t.i in used:
            continue
        if _inside(contents, t.idx, t.idx + len(t.text)):
            continue  # a hedge inside someone's claim, not a claim of its own
        h = t.head
        if h is t or lex.verbs.get(h.lower_) is not None and _is_verb(h):
            continue  # "reportedly said": a hedge on that attribution
        toks = [i for i in range(h.left_edge.i, h.right_edge.i + 1) if i != t.i]
        parts = _parts(ctx, toks, t.idx)
        if not parts or sum(len(text[s:e].split()) for s, e in parts) < 3:
            continue
        d = _Draft(
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


def _headline(ctx: _Ctx, drafts: list[_Draft]) -> None:
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
        b_s, b_e = _trim(text, line_start + m.start("body"), line_start + m.end("body"))
        if b_e <= b_s or len(text[b_s:b_e].split()) < 2 or _inside(taken, b_s, b_e):
            continue
        colon = text.index(":", e)
        d = _Draft(
            "headline" if is_first else "transcript",
            (colon, colon + 1),
            "headline" if is_first else "said",
            [(b_s, b_e)],
            cue_cert="reported" if is_first else None,
            cue_class="report" if is_first else "speech",
        )
        d.speaker = d.speaker_phrase = (s, e)
        drafts.append(d)


# --------------------------------------------------------------------------------------------
# finishing: speakers resolved, certainty, nesting


def _head_word(text: str) -> str:
    words = re.findall(r"[A-Za-z][\w\-]*", text)
    return words[-1].lower() if words else ""


def _np_head(ctx: _Ctx, d: _Draft) -> str:
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
class _Resolved:
    name: str | None
    kind: str
    key: str | None
    affiliation: str | None
    antecedent: Range | None
    animate: bool = False  # a person or people: what "he", "she" can refer to
    resolved: bool = True  # False: a pronoun or definite description left without antecedent


def _holders(parts: Iterable[tuple[int, int, int]]) -> Any:
    """``x -> owners of the parts (a, b, owner) with a <= x <= b``, ascending: a bisection within
    the longest part's reach instead of a scan over every draft for every draft (that scan made
    attributions quadratic on long documents)."""
    items = sorted(parts)
    starts = [a for a, _, _ in items]
    reach = max((b - a for a, b, _ in items), default=0)

    def owners(x: int) -> list[int]:
        lo, hi = bisect_left(starts, x - reach), bisect_right(starts, x)
        return sorted({o for a, b, o in items[lo:hi] if a <= x <= b})

    return owners


def _resolve_speakers(ctx: _Ctx, drafts: list[_Draft]) -> list[_Resolved]:
    text, lex = ctx.text, ctx.lex
    in_quote = _holders(
        (a, b, k) for k, q in enumerate(drafts) if q.kind == "direct_quote" for a, b in q.parts
    )
    order = sorted(range(len(drafts)), key=lambda i: drafts[i].cue)
    out: list[_Resolved | None] = [None] * len(drafts)
    history: list[tuple[int, _Resolved, str, Range]] = []  # (position, resolution, head noun, speaker span)
    outlets = [m for m in ctx.mentions if m.type == "outlet"]
    for i in order:
        d = drafts[i]
        if d.speaker is None:
            out[i] = _Resolved(None, "unspecified", None, None, None)
            continue
        s, e = d.speaker
        span = text[s:e]
        low = span.lower().strip()
        head = _np_head(ctx, d)
        res: _Resolved | None = None
        if low in _RELATIVE and d.speaker_tokens:
            # "Jeb Bush, who announced …": the relative pronoun stands for the noun it modifies
            rel = ctx.doc[d.speaker_tokens[0]]
            cue_tok = ctx.doc[d.cue_tok] if d.cue_tok >= 0 else None
            noun = cue_tok.head if cue_tok is not None and cue_tok.dep_ == "relcl" else None
            if noun is not None and noun.i < rel.i:
                ns, ne = ctx.chars(noun.left_edge.i, noun.i)
                ns, ne = _trim(text, *_widen(ctx, ns, ne), that=False)
                tmp = _Draft(
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
        if res is None and low in _PRONOUNS and quoted:
            # "they" inside someone's quoted words refers to what the quote talks about: left as is
            res = _Resolved(
                span,
                "person" if _PRONOUNS[low] in {"person", "self"} else "anonymous",
                None,
                None,
                None,
                _PRONOUNS[low] in {"person", "self"},
            )
        if res is None and low in _PRONOUNS:
            want = _PRONOUNS[low]
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
                res = _Resolved(
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
                    res = _Resolved(m.canonical, "outlet", m.key, None, (m.start, m.end))
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
        if low not in _PRONOUNS and low not in _RELATIVE and not quoted:
            history.append((s, res, head, (s, e) if res.antecedent is None else res.antecedent))
    return [r if r is not None else _Resolved(None, "unspecified", None, None, None) for r in out]


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


def _window_start(ctx: _Ctx, pos: int) -> int:
    """Where a pronoun at ``pos`` may find its antecedent: its paragraph, or the previous
    ``_PRONOUN_SENTENCES`` sentences when the paragraph starts later (one-sentence news
    paragraphs)."""
    k = bisect_right(ctx.para_breaks, pos)
    para = max(ctx.para_breaks[k - 1] if k else 0, ctx.text.rfind("\n", 0, pos) + 1)
    i = max(0, bisect_right(ctx.sent_starts, pos) - 1 - _PRONOUN_SENTENCES)
    return min(para, ctx.sent_starts[i]) if ctx.sent_starts else para


def _gender_of(ctx: _Ctx, s: int, e: int) -> str | None:
    """ "m" / "f" from the words of a phrase or just before a name ("Mrs", "spokeswoman"), else None."""
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", ctx.text[max(0, s - 24) : e])}
    f, m = bool(words & _FEMALE_NOUNS), bool(words & _MALE_NOUNS)
    return "f" if f and not m else "m" if m and not f else None


def _prominent(ctx: _Ctx, s: int, e: int) -> bool:
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
    ctx: _Ctx,
    s: int,
    window: int,
    gender: str | None,
    history: Sequence[tuple[int, _Resolved, str, Range]],
    in_quote: Any,
    drafts: Sequence[_Draft],
) -> _Resolved | None:
    """He / she: the nearest gender-compatible person before ``s`` in the window — a person
    speaker of an earlier attribution or a named person mention. Subjects and speakers come
    before names inside a prepositional phrase ("a spokeswoman for Neumann … He said": not
    Neumann); an organisation is never the antecedent. None: leave the pronoun unresolved."""
    cands: list[tuple[bool, int, _Resolved]] = []  # (prominent, position, resolution)
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
        res = _Resolved(m.canonical or m.text, "person", m.key, m.affiliation_key, (m.start, m.end), True)
        cands.append((_prominent(ctx, m.start, m.end), m.start, res))
    if not cands:
        return None
    best = max(cands, key=lambda c: (c[0], c[1]))
    return best[2]


def _surname(ctx: _Ctx, d: _Draft) -> _Resolved | None:
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
            return _Resolved(m.canonical or m.text, "person", m.key, m.affiliation_key, None, True)
    return None


def _speaker_mentions(ctx: _Ctx, d: _Draft) -> list[EntityMention]:
    assert d.speaker is not None
    s, e = d.speaker
    return [m for m in ctx.mention_for(s, e) if m.start >= s and m.end <= e]


_ORG_TYPES_OUTLET = frozenset({"outlet"})


def _classify_speaker(ctx: _Ctx, d: _Draft, head: str) -> _Resolved:
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
            return _Resolved(
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
        return _Resolved(name, kind, chosen.key, chosen.affiliation_key, None)
    low = head_l
    ent = {ctx.doc[i].ent_type_ for i in d.speaker_tokens if 0 <= i < len(ctx.doc)} - {""}
    if "PERSON" in ent:
        return _Resolved(span, "person", None, None, None)
    if ent & {"ORG", "NORP", "GPE"}:
        return _Resolved(span, "organization", None, None, None)
    if low in {"i", "we", "me", "us"}:
        return _Resolved(span, "person", None, None, None)
    if low in lex.person_nouns:
        return _Resolved(span, "anonymous", None, None, None)
    if low in lex.document_nouns:
        return _Resolved(span, "document", None, None, None)
    if low in lex.outlet_nouns:
        return _Resolved(span, "outlet", None, None, None)
    if low in lex.organization_nouns or span.lower() in lex.organization_nouns:
        return _Resolved(span, "organization", None, None, None)
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
            return _Resolved(canonical_outlet(span), "outlet", None, None, None)
        return _Resolved(span, "person" if len(span.split()) in {2, 3} else "organization", None, None, None)
    return _Resolved(span, "anonymous", None, None, None)


def _stems(text: str) -> set[str]:
    out = set()
    for w in re.findall(r"[A-Za-z][A-Za-z’'\-]+", text):
        lw = w.lower().replace("’", "'")
        lw = lw.removesuffix("'s")
        if lw in _STOP or len(lw) < 3:
            continue
        out.add(lw[:5] if len(lw) > 5 else lw)
    return out


def _finish(ctx: _Ctx, drafts: list[_Draft]) -> list[Attribution]:
    text = ctx.text
    # drop drafts whose content is empty or that duplicate a quote attribution's content with the same cue
    drafts = [d for d in drafts if d.parts]
    resolved = _resolve_speakers(ctx, drafts)
    lede_hedges = _lede_hedges(ctx, drafts)
    order = sorted(range(len(drafts)), key=lambda i: (drafts[i].cue[0], drafts[i].cue[1]))
    index_of = {old: new for new, old in enumerate(order)}
    spans = {
        i: (min(p[0] for p in drafts[i].parts), max(p[1] for p in drafts[i].parts))
        for i in range(len(drafts))
    }
    holding = _holders((a, b, j) for j, dj in enumerate(drafts) for a, b in dj.parts)
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


def _claim_cues(ctx: _Ctx, d: _Draft, parts: Sequence[Range]) -> list[CertaintyCue]:
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


def _statement_made(ctx: _Ctx, d: _Draft) -> bool:
    if d.cue_tok < 0:
        return True
    t = ctx.doc[d.cue_tok]
    to = any(c.dep_ == "aux" and c.lower_ == "to" for c in t.children)
    return not (to and t.dep_ in {"xcomp", "advcl", "ccomp"} and t.head.lower_ in _NOT_MADE)


def _communicative(ctx: _Ctx, d: _Draft, r: _Resolved) -> bool:
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


def _lede_hedges(ctx: _Ctx, drafts: list[_Draft]) -> dict[int, list[CertaintyCue]]:
    """Hedges of an unattributed-hedged lede carried to the early claims on the same topic."""
    text = ctx.text
    lede = (0, ctx.lede_end)
    cues = [
        c for c in certainty_cues(text[lede[0] : lede[1]], lede[0]) if c.group == "hedge" and c.cls != "modal"
    ]
    if not cues:
        return {}
    lede_words = _stems(text[lede[0] : lede[1]])
    limit = ctx.para_breaks[2] if len(ctx.para_breaks) > 2 else len(text)
    out: dict[int, list[CertaintyCue]] = {}
    for i, d in enumerate(drafts):
        start = min(p[0] for p in d.parts)
        if start < lede[1] or start > limit:
            continue
        words = set().union(*(_stems(text[s:e]) for s, e in d.parts))
        if len(words & lede_words) >= 2:
            out[i] = list(cues)
    return out


# --------------------------------------------------------------------------------------------
# undercutting


_DOUBT = frozenset({"epistemic", "uncertainty", "modal"})


def undercuts(attributions: Sequence[Attribution], *, max_distance: int = 1500) -> list[tuple[int, int]]:
    """Pairs ``(i, j)``: attribution ``i`` undercuts the certainty of attribution ``j`` (indices
    into ``attributions``, one document's list as :func:`find_attributions` returns it).

    The rule, all of:

    * ``i`` is denied, or hedged with a doubt in its own words — an epistemic, modal or
      "unknown" cue in the content ("*Maybe* they were civilians, not Daesh"); a claim hedged
      only by "reportedly", a future ("will") or its cue verb ("believes") does not undercut;
    * ``j`` is asserted or reported;
    * different speakers: different entity keys, or — when neither resolved to an entity —
      different speaker words ("another Kurdish official" vs "Qassim Shesho");
    * neither is nested in the other, and their contents start within ``max_distance``
      characters;
    * the same topic: two shared anchors (entity keys named in both contents, other
      capitalised words — ``content_names`` — in both), or one anchor and two shared content
      words (first five letters, stop words out).
    """
    out: list[tuple[int, int]] = []
    info = [(_stems(a.content_text), set(a.content_names), set(a.content_entity_keys)) for a in attributions]
    for i, a in enumerate(attributions):
        doubt = {c.cls for c in certainty_cues(a.content_text)} & _DOUBT
        if not (a.certainty == "denied" or (doubt and a.certainty == "hedged")):
            continue
        for j, b in enumerate(attributions):
            if i == j or b.certainty not in {"asserted", "reported"}:
                continue
            if a.outer == j or b.outer == i or abs(a.content[0] - b.content[0]) > max_distance:
                continue
            if a.speaker_entity_key and a.speaker_entity_key == b.speaker_entity_key:
                continue
            if (
                not a.speaker_entity_key
                and not b.speaker_entity_key
                and (a.speaker_text or "").lower() == (b.speaker_text or "").lower()
            ):
                continue
            words_i, names_i, keys_i = info[i]
            words_j, names_j, keys_j = info[j]
            shared_keys = keys_i & keys_j
            shared_names = names_i & names_j
            shared_words = (words_i & words_j) - {n[:5] for n in shared_names}
            anchors = len(shared_keys) + len(shared_names)
            if anchors >= 2 or (anchors == 1 and len(shared_words) >= 2):
                out.append((i, j))
    return out
