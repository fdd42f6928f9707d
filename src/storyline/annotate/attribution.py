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

Which attributions are claims, speakers and certainty
=====================================================

Every attribution carries a ``cue_class``; only communication acts are ``communicative``, and
:func:`find_attributions` returns only those unless asked for ``cues="all"`` — the rule and its
measurements are in :mod:`storyline.annotate.finishing`. What a speaker phrase refers to
(``speaker_kind``, pronouns, "the official", surnames) is described in
:mod:`storyline.annotate.speakers`; ``certainty``, ``hedges`` and ``irrealis`` in
:mod:`storyline.annotate.finishing`. Undercutting: see :func:`undercuts`.

Modules
=======

This module is the stage-facing entry point (:func:`find_attributions`,
:func:`communicative_only`, :func:`undercuts`) and re-exports the names callers import from it.
The work is split by concern:

* :mod:`.quotes` — quotation marks paired into quotes; span trimming;
* :mod:`.cue_lexicon` — the cue words, read once from ``attribution_cues.json``;
* :mod:`.drafts` — the per-document context the rules read and the drafts they build;
* :mod:`.cues` — rules 1–6: quotes and cue words to draft attributions;
* :mod:`.speaker_phrases` — which words of the parse are a cue's speaker;
* :mod:`.content` — which words are its content (parts), and its venue; rule 7;
* :mod:`.speakers` — what the speaker's words refer to;
* :mod:`.finishing` — drafts to records: certainty, nesting, which attributions are claims;
* :mod:`.hedges` — the ``hedges.json`` cue spotter the event layer and the hedging benchmark use
  (re-exported here, where it used to live).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from ..records import Attribution, Range
from .certainty import certainty_cues
from .content import continue_paragraph_quotes
from .cue_lexicon import CueLexicon, cue_lexicon
from .cues import (
    according_to_attributions,
    adverbial_attributions,
    label_attributions,
    noun_attributions,
    quote_attributions,
    verb_attributions,
)
from .drafts import Draft, build_context
from .finishing import finish, stems
from .hedges import HedgeLexicon, hedge_class, hedge_cues, hedge_lexicon
from .quotes import Quote, find_quotes

if TYPE_CHECKING:
    from spacy.tokens import Doc

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
    ctx = build_context(doc, entities)
    drafts: list[Draft] = []
    used_cues: dict[int, int] = {}  # cue token -> draft index
    covered: list[Range] = []  # quote regions already attributed

    orphans = quote_attributions(ctx, drafts, used_cues, covered)
    verb_attributions(ctx, drafts, used_cues)
    according_to_attributions(ctx, drafts, used_cues)
    noun_attributions(ctx, drafts, used_cues)
    continue_paragraph_quotes(ctx, drafts, orphans)
    adverbial_attributions(ctx, drafts, used_cues)
    label_attributions(ctx, drafts)
    found = finish(ctx, drafts)
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
    info = [(stems(a.content_text), set(a.content_names), set(a.content_entity_keys)) for a in attributions]
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
