"""The record types of the per-document layers: what the stages write and the store keeps.

The store (:mod:`storyline.layers`), the corpus steps, the report and the app depend on these
types, not on the annotator modules that make them: decoding a stored layer never imports
spaCy, the gazetteer or a model. Every record is a frozen dataclass of plain values (offsets
into ``Doc.text``, strings, numbers, tuples) so it round-trips through JSON. The annotator
modules import them from here (``from storyline.annotate.places import PlaceMention`` still
works).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from .timefmt import describe

Range = tuple[int, int]
Number = int | float
Kind = Literal["date", "time", "duration", "set", "range"]


@dataclass(frozen=True, slots=True)
class EntityMention:
    """One mention of a person, organisation, armed group or outlet.

    ``start``/``end`` are character offsets of the *name* in the document's cleaned text
    (``text == doc_text[start:end]``); titles and roles are read around it, not included.
    ``key`` resolves the mention within its document (``actor:islamic-state``,
    ``person:hussam eesa``, ``org:mosul eye``); :class:`EntityIndex` turns keys into ids.
    """

    start: int
    end: int
    text: str
    type: str
    canonical: str
    key: str
    role: str | None = None
    affiliation: str | None = None  # canonical name of the organisation (or country) the person speaks for
    title: str | None = None
    affiliation_key: str | None = None
    source: str = "ner"  # "actors" (catalogue ruler), "ner" (model span), "rule", "echo" (name found again)
    # start of the whole phrase naming a person, title and role included ("Pentagon spokesman
    # Captain Jeff Davis"); equal to ``start`` when nothing stands before the name
    phrase_start: int = -1
    # a one-word name the model gave no other evidence for ("Raqqah" tagged PERSON): the places
    # module may claim it (see :func:`reconcile`)
    weak: bool = False

    def __post_init__(self) -> None:
        if self.phrase_start < 0:
            object.__setattr__(self, "phrase_start", self.start)

    def to_record(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class PlaceMention:
    """A place mention (records.md "Place"). ``text == source_text[start:end]``."""

    start: int
    end: int
    text: str
    name: str | None  # canonical gazetteer name (None when unresolved)
    lat: float | None
    lon: float | None
    kind: str  # city | town | village | region | district | country | continent | river | border_crossing | road | unknown
    country: str | None  # ISO 3166-1 alpha-2
    gazetteer_id: str | None  # "geonames:170794", "storyline:euphrates"
    precision: int | None  # ACLED: 1 exact town, 2 near a town / district, 3 province or country centroid
    resolved: bool
    score: float  # confidence of the chosen reading, 0..1
    method: str = "name"  # name | alias | transliteration | fuzzy | demonym | unresolved
    source: str = "ner"  # ner (a trusted NER span) | gazetteer (phrase matcher) | weak-ner
    admin1: str | None = None
    candidates: tuple[str, ...] = ()  # gazetteer ids considered, best first

    def to_record(self) -> dict[str, Any]:
        rec = asdict(self)
        rec["candidates"] = list(self.candidates)
        return rec


@dataclass(frozen=True, slots=True)
class TimeExpression:
    """One time expression: ``text == source_text[start:end]`` (records.md "Time expression").

    ``kind`` is date, time, duration, set or range; ``value`` ISO-8601 at ``granularity``
    (null when it cannot be resolved); ``anchor`` what a relative expression was resolved
    against; ``signal`` the preposition before the span ("since", "in", "on"); ``note`` why
    an expression is unresolved; ``parts`` the two ends of a range."""

    start: int
    end: int
    text: str
    kind: Kind
    value: str | None
    granularity: str
    anchor: str | None = None
    resolved: bool = False
    mod: str | None = None
    signal: str | None = None
    note: str | None = None
    parts: tuple[TimeExpression, ...] = ()

    def to_record(self, doc: str | None = None) -> dict[str, Any]:
        """records.md shape: ``span``, ``value``, ``granularity``, ``anchor``, ``resolved`` (+ extras:
        ``calendar`` and ``display``, the value as a calendar date and in words, :mod:`storyline.timefmt`)."""
        span: dict[str, Any] = {"start": self.start, "end": self.end, "text": self.text}
        if doc is not None:
            span = {"doc": doc, **span}
        return {
            "span": span,
            "value": self.value,
            **describe(self.value, self.granularity),
            "granularity": self.granularity,
            "anchor": self.anchor,
            "resolved": self.resolved,
            "kind": self.kind,
            "mod": self.mod,
            "signal": self.signal,
            "note": self.note,
            "parts": [p.to_record(doc) for p in self.parts],
        }


@dataclass(frozen=True, slots=True)
class Quantity:
    """A count found in text: ``text == source_text[start:end]``.

    ``low``/``high`` bound the count (either may be null for open intervals); ``unit`` is
    the counted noun, singular ("militant", "family", "SUV") or null; ``qualifier`` the
    words that bound it ("more than", "at least", "up to", "about", "dozens", …).
    """

    start: int
    end: int
    text: str
    low: Number | None
    high: Number | None
    unit: str | None
    qualifier: str | None = None
    approximate: bool = False

    def to_record(self) -> dict[str, Any]:
        """records.md "Event" quantity shape, plus offsets and qualifier."""
        return {
            "low": self.low,
            "high": self.high,
            "unit": self.unit,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "qualifier": self.qualifier,
            "approximate": self.approximate,
        }


@dataclass(frozen=True, slots=True)
class Attribution:
    """One reported statement in a document. All offsets are characters of the cleaned text.

    ``content_text``, ``content_entity_keys`` and ``content_names`` make a list of attributions
    self-contained for
    corpus steps (:func:`undercuts`, cross-document matching) that no longer hold the text.
    ``outer`` is the index (in the list :func:`find_attributions` returns) of the attribution
    whose content holds this one's cue ("Breitbart cited that an official stated “…”": the
    official's attribution has ``outer`` = Breitbart's) — the link an attribution chain
    (``via``) follows inward. ``venue`` is the listener or medium as written ("Voice of
    America", "reporters", "a press briefing") or implied by the cue ("Twitter" for
    "tweeted", with ``venue_span`` None); ``venue_key`` is the entity key of a venue the
    entity layer knows (``outlet:voice-of-america``).
    """

    content: Range
    content_parts: tuple[Range, ...]
    content_text: str  # the parts' text joined with " … " (equal to text[content] for a one-part claim)
    content_entity_keys: tuple[str, ...]  # keys of the entity mentions inside the content, in order
    content_names: tuple[str, ...]  # other capitalised words of the content, lower case (mostly places)
    cue: Range
    cue_text: str
    cue_lemma: str  # normalised cue word: said, told, tweeted, according to, confirmed, reported, cites, …
    cue_class: (
        str  # speech | report | document | denial | cognition | intention | evaluation | stance | other
    )
    kind: str  # direct_quote | indirect | according_to | passive | nominal | adverbial | headline
    speaker: Range | None
    speaker_text: str | None
    speaker_name: str | None  # resolved: entity canonical name, or the antecedent's description
    speaker_kind: str  # person | organization | outlet | document | anonymous | unspecified
    speaker_entity_key: str | None = None
    speaker_affiliation_key: str | None = None
    speaker_antecedent: Range | None = None
    speaker_phrase: Range | None = (
        None  # the speaker's whole noun phrase ("Abu Abdullah, a displaced man from …")
    )
    venue: str | None = None
    venue_span: Range | None = None
    venue_key: str | None = None
    certainty: str = "asserted"
    # the epistemic hedge cues that made it "hedged" (never negation, will, about)
    hedges: tuple[str, ...] = ()
    hedge_spans: tuple[Range, ...] = ()
    sentence: Range = (0, 0)
    lede: bool = False
    outer: int | None = None
    communicative: bool = True  # the cue is a communication act (say, deny, report …): a claim
    polarity: str = "positive"  # "negative": the speaker denies the content (deny, reject, refute …)
    irrealis: bool = False  # the content is future, intended or conditional (will, plans to, if)
    certainty_cues: tuple[tuple[int, int, str], ...] = ()  # (start, end, class) of every cue read
    speaker_resolved: bool = True  # False: a pronoun / "the official" with no compatible antecedent

    def to_record(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Role:
    """An actor or affected party: the phrase span, its text and the entity key inside it."""

    start: int
    end: int
    text: str
    key: str | None = None


#: The ACLED class of an event mention and the roles that decide it (annotate.event_types),
#: declared once, in the order every record lists them: :class:`EventMention` and the corpus
#: step's ``EventInput`` carry them all, a merged ``Event`` all but ``acled_confidence``
#: (storyline.corpus.events reads them from here; tests/corpus/test_acled_fields.py holds the
#: three classes to it).
ACLED_FIELDS: tuple[str, ...] = ("plover_mode", "acled_event_type", "acled_sub_event_type", "actor_type",
                                 "target_type", "weapon", "territory_changed", "acled_confidence")


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
    # places this layer derives where the place layer has none: ``(role, record)`` with a
    # record shaped like a place ("the Syrian border" → Syria, kind "border", precision 3)
    derived: tuple[tuple[str, dict[str, Any]], ...] = ()
    # ACLED class and the roles that decide it (annotate.event_types; "none" where ACLED codes nothing)
    acled_event_type: str = "none"
    acled_sub_event_type: str = "none"
    actor_type: str | None = None
    target_type: str | None = None
    weapon: str | None = None
    territory_changed: bool = False
    acled_confidence: float = 0.0
    acled_evidence: tuple[tuple[str, int, int], ...] = ()

    def to_record(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in self.__slots__}  # type: ignore[attr-defined]
        for k in ("actor", "affected"):
            r = d[k]
            d[k] = None if r is None else {"start": r.start, "end": r.end, "text": r.text, "entity": r.key}
        return d


@dataclass(frozen=True, slots=True)
class LanguageSpan:
    """A passage of ``Doc.text[start:end]`` in another language than the document's."""

    start: int
    end: int
    language: str
    confidence: float
