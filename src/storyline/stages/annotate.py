"""Annotation stages: the spaCy pass, entities, places, time expressions, quantities.

Each is a pure function of the cleaned text (plus what earlier stages wrote); offsets
point into ``Doc.text``. The spaCy ``Doc`` lives in the transient ``nlp`` slot: it is used
by the stages of one pass and never stored (see :data:`storyline.layers.TRANSIENT_SLOTS`).
The model loads once per process, on the first document that needs it.
"""

from __future__ import annotations

from typing import Any

from ..annotate.quantities import find_quantities
from ..annotate.times import find_times
from ..pipeline import stage
from ..types import Doc

# English models and rules: skipped on documents identified as another language.
ENGLISH = ("en",)


@stage("times", version="2", reads=("text", "meta"), writes=("times",), languages=ENGLISH)
def times(doc: Doc) -> dict[str, Any]:
    """Time expressions normalised against the publication date (unresolved when it is unknown)."""
    assert doc.text is not None
    return {
        "times": find_times(doc.text, published=doc.meta.published, precision=doc.meta.published_precision)
    }


@stage("quantities", version="1", reads=("text",), writes=("quantities",), languages=ENGLISH)
def quantities(doc: Doc) -> dict[str, Any]:
    """Counts with their units and qualifiers: "more than 90 militants" → low 91, unit militant."""
    assert doc.text is not None
    return {"quantities": find_quantities(doc.text)}


@stage("nlp", version="1", reads=("text",), writes=("nlp", "sentences"), languages=ENGLISH)
def nlp(doc: Doc) -> dict[str, Any]:
    """spaCy (small English model, lemmatizer excluded) with the actor ruler before NER."""
    from ..annotate.nlp import parse

    assert doc.text is not None
    parsed = parse(doc.text)  # long texts in chunks, tokenizer-defeating runs masked: offsets unchanged
    return {"nlp": parsed, "sentences": [(s.start_char, s.end_char) for s in parsed.sents]}


@stage("entities", version="3", reads=("nlp",), writes=("entities", "place_candidates"), languages=ENGLISH)
def entities(doc: Doc) -> dict[str, Any]:
    """People, organisations, armed groups, outlets — with titles, roles, affiliations and
    within-document aliases resolved ("Eesa" = "Hussam Eesa", Daesh = ISIS). None inside a
    passage in another language (``language_spans``): the English model misreads it."""
    from ..annotate.entities import find_entities

    mentions, candidates = find_entities(doc.nlp)
    foreign = _foreign_spans(doc)
    return {
        "entities": [m for m in mentions if not _inside(m.start, m.end, foreign)],
        "place_candidates": [c for c in candidates if not _inside(c[0], c[1], foreign)],
    }


def _foreign_spans(doc: Doc) -> list[tuple[int, int]]:
    """Passages in another language than the document's (written by the language stage, which
    runs before every stage declaring ``languages``)."""
    return [(s.start, s.end) for s in doc.language_spans]


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


@stage(
    "places", version="3", reads=("text", "meta", "entities", "place_candidates"),
    writes=("places", "dateline_places", "entities"), languages=ENGLISH,
)
def places(doc: Doc) -> dict[str, Any]:
    """Place mentions resolved to coordinates with the offline gazetteer, in document context;
    the dateline's places too (offsets into ``meta.dateline``: where the report was filed).
    The gazetteer does not read passages in another language ("Jangan" is not a town)."""
    from ..annotate.entities import reconcile, split_candidates
    from ..annotate.places import find_places

    assert doc.text is not None
    ents, blocked = split_candidates(doc.place_candidates)
    found = find_places(doc.text, ents=ents, blocked=[*blocked, *_foreign_spans(doc)])
    resolved = [(p.start, p.end) for p in found if p.resolved]
    dateline = doc.meta.dateline or ""
    # A dateline opens with a place by definition: its first part is a trusted place span.
    first = len(dateline.split(",")[0].split("(")[0].rstrip())
    in_dateline = find_places(dateline, ents=[(0, first, "GPE")]) if first else []
    return {"places": found, "dateline_places": in_dateline, "entities": reconcile(doc.entities, resolved)}


@stage("attributions", version="2", reads=("nlp", "entities"), writes=("attributions",), languages=ENGLISH)
def attributions(doc: Doc) -> dict[str, Any]:
    """Who said what: speaker, cue, venue, content span, certainty and hedges of every
    reported statement (direct and indirect speech, "according to", tweets, headlines)."""
    from ..annotate.attribution import find_attributions

    return {"attributions": find_attributions(doc.nlp, doc.entities)}


@stage(
    "events", version="4",
    reads=("nlp", "entities", "places", "times", "quantities", "attributions"), writes=("events",),
    languages=ENGLISH,
)
def events(doc: Doc) -> dict[str, Any]:
    """Event mentions (movement, deployment, attack, displacement, decrees…) with actor,
    origin, destination, route, location, quantities, time, and the certainty of the claim
    that reports them."""
    from ..annotate.events import find_events

    return {
        "events": find_events(
            doc.nlp, entities=doc.entities, places=doc.places, times=doc.times,
            quantities=doc.quantities, attributions=doc.attributions,
        )
    }
