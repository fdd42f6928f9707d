"""The glossary: the data that flows through storyline.

Read top to bottom, this module names every record the pipeline passes around.

* :class:`Span` — the unit of provenance: offsets into a document's cleaned text.
* :class:`Removed` — a stretch of the input that cleaning dropped or moved to metadata.
* :class:`Cleaned` — what a cleaner (plain text or HTML) returns: body text plus metadata found in it.
* :class:`PublishedDate` — a publication date with its precision and where it came from.
* :class:`DocMeta` — document metadata (records.md "Document").
* :class:`RawRecord` — one input document as a reader found it, before any stage ran.
* :class:`Doc` — one document flowing through the per-document stages; stages fill its slots.
* :class:`Rejection` — why an input or a document was refused (stored as data, not logged).
* :class:`IngestSummary` — counts a batch ends with.
* :class:`CopiedPassage` — a passage reused between two texts; :class:`Discount` says why one does
  not count (a :class:`SiteTemplate`: text a site repeats on its pages).

Public JSON shapes are in ``../shared/docs/records.md``; ``to_record()`` methods produce them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .records import (
    Attribution,
    EntityMention,
    EventMention,
    LanguageSpan,
    PlaceMention,
    Quantity,
    TimeExpression,
)

Precision = Literal["day", "month", "year"]
DateSource = Literal["metadata", "url", "text"]
# text: plain text; html: a whole web page; fragment: an HTML fragment of article body (feed items)
ContentType = Literal["text", "html", "fragment"]


@dataclass(frozen=True, slots=True)
class Span:
    """Evidence: ``text == doc_text[start:end]`` of document ``doc``."""

    doc: str
    start: int
    end: int
    text: str

    def to_record(self) -> dict[str, Any]:
        return {"doc": self.doc, "start": self.start, "end": self.end, "text": self.text}


@dataclass(slots=True)
class Removed:
    """A stretch of the input (decoded raw text) that is not in the cleaned body.

    ``start``/``end`` are offsets into the decoded input text when known (plain text),
    ``None`` when the stretch came from markup (HTML page furniture).
    ``reason`` is a short code such as ``comment_form``, ``captcha``, ``caption``,
    ``photo_credit``, ``byline`` (moved to metadata), ``title`` (moved to metadata), and for
    scraped page furniture ``code``, ``advert``, ``navigation``, ``prompt``, ``related_link``,
    ``tags``, ``share_line``, ``footer``, ``clock``, ``boilerplate`` (the line classifier).
    """

    text: str
    reason: str
    start: int | None = None
    end: int | None = None

    def to_record(self) -> dict[str, Any]:
        return {"text": self.text, "reason": self.reason, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class PublishedDate:
    """``value`` is ISO-8601 cut to its precision: ``2017-03-09``, ``2016-10`` or ``2017``."""

    value: str
    precision: Precision
    source: DateSource
    evidence: str = ""  # what it was read from: the URL part, the metadata field, the text line


@dataclass(slots=True)
class Cleaned:
    """Result of cleaning one input: the article body and the metadata found inside it."""

    text: str
    removed: list[Removed] = field(default_factory=list)
    title: str | None = None
    byline: str | None = None
    dateline: str | None = None
    credit: str | None = None  # an outlet the text credits ("Source: ARA News", a lone "ARA News" line)
    published: PublishedDate | None = None  # a date found in the input (HTML metadata or a dated dateline)
    captions: list[str] = field(default_factory=list)
    url: str | None = None  # the page's own address (canonical link, og:url)
    outlet: str | None = None  # the publishing site as the page names it (og:site_name, JSON-LD publisher)
    authors: list[str] = field(default_factory=list)
    section: str | None = None
    sources: dict[str, str] = field(default_factory=dict)  # field -> where it was read ("og:site_name")


@dataclass(slots=True)
class DocMeta:
    """Document metadata, records.md "Document" (minus id/status/text)."""

    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    byline: str | None = None
    dateline: str | None = None
    published: str | None = None
    published_precision: Precision | None = None
    published_source: DateSource | None = None
    published_evidence: str | None = None
    credit: str | None = None  # outlet credited in the text; may differ from the publisher
    language: str | None = None  # ISO 639-1 code, "und" (undetermined), None (not identified)
    language_confidence: float | None = None  # probability of ``language`` (of the best guess when "und")
    language_scores: dict[str, float] = field(default_factory=dict)  # top candidates, and English
    captions: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    section: str | None = None
    title_source: str | None = None  # where title, url and outlet were read: "input", "og:site_name", ...
    url_source: str | None = None
    outlet_source: str | None = None

    def to_record(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class RawRecord:
    """One input document as a reader produced it.

    ``content`` is the document's bytes (the text file, the HTML page, a JSONL record's
    text or html field, a WARC response payload, a feed item's content); ``content_type``
    says how to read them (:data:`ContentType`). ``meta`` holds metadata the container
    supplied (url, title, published, outlet, byline) — explicit metadata, most trusted.
    ``locator`` says where inside ``source_path`` the record sits ("" for whole files,
    "line 12", "record 3", "item 5").
    """

    source_path: str
    locator: str
    content_type: ContentType
    content: bytes
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.source_path} ({self.locator})" if self.locator else self.source_path


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why an input was refused. records.md "Rejection"."""

    source_path: str
    stage: str
    code: str
    message: str
    locator: str = ""
    doc: str | None = None

    def to_record(self) -> dict[str, Any]:
        return {
            "source_path": self.source_path,
            "locator": self.locator,
            "stage": self.stage,
            "code": self.code,
            "message": self.message,
            "doc": self.doc,
        }


@dataclass(slots=True)
class Doc:
    """One document flowing through the per-document stages.

    Slots are declared here; a stage declares which it reads and which it writes
    (see :mod:`storyline.pipeline`). Nothing is kept in ad-hoc dict keys.
    """

    id: str
    source_path: str
    locator: str
    content_type: ContentType
    raw: bytes
    input_meta: dict[str, Any] = field(default_factory=dict)
    # written by the "clean" stage
    text: str | None = None
    meta: DocMeta = field(default_factory=DocMeta)
    removed: list[Removed] = field(default_factory=list)
    # written by the "citations" stage
    citations: list[Citation] = field(default_factory=list)
    # written by the annotation stages (storyline.annotate), stored as layers
    sentences: list[tuple[int, int]] = field(default_factory=list)  # sentence offsets
    # (record types in storyline.records, so that the store and the corpus steps need no annotator)
    entities: list[EntityMention] = field(default_factory=list)
    places: list[PlaceMention] = field(default_factory=list)
    dateline_places: list[PlaceMention] = field(default_factory=list)  # offsets into meta.dateline
    times: list[TimeExpression] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    attributions: list[Attribution] = field(default_factory=list)
    events: list[EventMention] = field(default_factory=list)
    # written by the "language" stage: passages in another language than meta.language
    language_spans: list[LanguageSpan] = field(default_factory=list)
    # stages that did not run on this document, and why ("language pt"): see Pipeline.process
    skipped: dict[str, str] = field(default_factory=dict)
    # transient: used within one pipeline pass, never stored
    nlp: Any = None  # the spaCy Doc of ``text``
    place_candidates: list[tuple[int, int, str]] = field(default_factory=list)
    # bookkeeping
    status: Literal["ok", "rejected"] = "ok"
    previous_id: str | None = None
    superseded_by: str | None = None
    stage_versions: dict[str, str] = field(default_factory=dict)

    def span(self, start: int, end: int) -> Span:
        assert self.text is not None
        return Span(self.id, start, end, self.text[start:end])

    def to_record(self, *, full: bool = False) -> dict[str, Any]:
        rec: dict[str, Any] = {"id": self.id}
        m = self.meta
        rec.update(
            title=m.title,
            url=m.url,
            outlet=m.outlet,
            byline=m.byline,
            dateline=m.dateline,
            published=m.published,
            published_precision=m.published_precision,
            published_source=m.published_source,
            language=m.language,
            language_confidence=m.language_confidence,
            not_analysed=dict(self.skipped),  # stage -> why it did not run ("language pt")
            status=self.status,
            source_path=self.source_path,
            locator=self.locator,
            content_type=self.content_type,
            previous_version=self.previous_id,
            superseded_by=self.superseded_by,
        )
        if full:
            rec["published_evidence"] = m.published_evidence
            rec["captions"] = list(m.captions)
            rec.update(authors=list(m.authors), section=m.section, title_source=m.title_source)
            rec.update(url_source=m.url_source, outlet_source=m.outlet_source)
            rec["language_scores"] = dict(m.language_scores)
            rec["language_spans"] = [asdict(s) for s in self.language_spans]
            rec["text"] = self.text
            rec["removed"] = [r.to_record() for r in self.removed]
            rec["stages"] = dict(self.stage_versions)
        return rec


@dataclass(slots=True)
class IngestSummary:
    ingested: int = 0
    updated: int = 0  # new versions of documents already stored (same URL or same file)
    unchanged: int = 0
    resumed: int = 0  # stored earlier, stages finished now (after a killed run)
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    doc_ids: list[str] = field(default_factory=list)

    def to_record(self) -> dict[str, Any]:
        return {
            "ingested": self.ingested,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "resumed": self.resumed,
            "rejected": self.rejected,
        }


Direction = Literal["source_to_copy", "unknown"]


@dataclass(frozen=True, slots=True)
class CopiedPassage:
    """A passage of one text reused in another. records.md "Copied passage".

    ``source`` is the span in the earlier/original text, ``copy`` the span in the text that
    reuses it; when ``direction`` is ``unknown`` the two are in no particular order.
    """

    source: Span
    copy: Span
    similarity: float
    direction: Direction
    direction_evidence: tuple[str, ...] = ()
    discounted: Discount | None = None  # set when the passage does not count as copying

    def to_record(self) -> dict[str, Any]:
        return {
            "source": self.source.to_record(),
            "copy": self.copy.to_record(),
            "similarity": round(self.similarity, 4),
            "direction": self.direction,
            "direction_evidence": list(self.direction_evidence),
            "discounted": self.discounted.to_record() if self.discounted is not None else None,
        }


@dataclass(frozen=True, slots=True)
class Discount:
    """Why a shared passage is not counted as copying: it is a ``"site template"`` — text
    that ``site`` (URL host without www, else outlet) repeats on its pages: a comment
    prompt, a newsletter promotion, a disclaimer, an author blurb. ``template`` is the
    template's id (see :class:`SiteTemplate`), ``pages`` how many pages of the site carry
    it, ``rule`` which test made it a template."""

    reason: str
    site: str
    template: str
    pages: int
    rule: str

    def to_record(self) -> dict[str, Any]:
        return {"reason": self.reason, "site": self.site, "template": self.template, "pages": self.pages,
                "rule": self.rule}


@dataclass(frozen=True, slots=True)
class SiteTemplate:
    """A passage one site repeats across its pages — page furniture of that site, not
    copying (``storyline templates``). ``id``: a fingerprint of the site and the passage's
    normalised words; ``pages``: one span per page that carries it; ``rule``: why it is a
    template (repeated on N pages, or at the same end of two pages)."""

    id: str
    site: str
    text: str
    words: int
    pages: tuple[Span, ...]
    rule: str

    def to_record(self) -> dict[str, Any]:
        return {"id": self.id, "site": self.site, "text": self.text, "words": self.words,
                "pages": [s.to_record() for s in self.pages], "rule": self.rule}


@dataclass(frozen=True, slots=True)
class Citation:
    """A document naming an outlet or agency as a source of information
    ("told Voice of America", "according to Reuters", "Source: ARA News")."""

    doc: str
    outlet: str  # canonical outlet name
    cue: str  # "told", "cites", "according to", "reported by", "via", "source"
    evidence: Span

    def to_record(self) -> dict[str, Any]:
        return {"doc": self.doc, "outlet": self.outlet, "cue": self.cue, "evidence": self.evidence.to_record()}
