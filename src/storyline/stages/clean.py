"""The ``clean`` stage: raw input → article text, removed stretches, and metadata.

Metadata is assembled in order of trust: what the input itself declared (a JSONL field,
a feed item, a sidecar line), then what the page says about itself (its meta tags, JSON-LD,
canonical link: outlet, URL, title, authors, section, date), then the URL (host → outlet,
date patterns; the page's canonical URL when the input gave none), then the text (a credit
line, a dated dateline). Unknown stays ``None``. Title, URL and outlet carry where they were
read (``title_source``, ``url_source``, ``outlet_source``), as the date does.
"""

from __future__ import annotations

from typing import Any

from ..clean.dates import choose_published, date_from_metadata, date_from_url
from ..clean.decode import decode_text, strip_controls
from ..clean.fragment import fragment_to_text
from ..clean.outlets import canonical_outlet, outlet_from_url
from ..clean.plaintext import clean_plaintext
from ..errors import EmptyDocument
from ..pipeline import stage
from ..types import Cleaned, Doc, DocMeta

VERSION = "2"  # 2: page outlet/URL/title/authors/section; dates from header, byline, title;
# plain-text page furniture rules + line classifier


def clean_content(doc: Doc) -> Cleaned:
    """Pick the cleaner for the document's content type."""
    if doc.content_type == "html":
        from ..clean.html import clean_html  # trafilatura is imported only when HTML arrives

        try:
            cleaned = clean_html(doc.raw, url=doc.input_meta.get("url"))
        except EmptyDocument as exc:  # keep the cleaner's reason, name the file
            detail = str(exc.context.get("detail") or ": no main text found").lstrip(": ")
            raise EmptyDocument(path=doc.source_path, detail=f" ({detail})") from None
        cleaned.text = strip_controls(cleaned.text)
        for r in cleaned.removed:
            r.text = strip_controls(r.text)
        return cleaned
    text = decode_text(doc.raw, path=doc.source_path)
    if doc.content_type == "fragment":
        return Cleaned(text=fragment_to_text(text))
    return clean_plaintext(text)


def assemble_meta(input_meta: dict[str, Any], cleaned: Cleaned) -> DocMeta:
    # metadata is printed by `storyline docs`: no control characters from hostile inputs
    input_meta = {k: strip_controls(v) if isinstance(v, str) else v for k, v in input_meta.items()}
    for name in ("title", "byline", "dateline", "credit", "url", "outlet", "section"):
        value = getattr(cleaned, name)
        if value:
            setattr(cleaned, name, strip_controls(value))
    cleaned.authors = [strip_controls(a) for a in cleaned.authors]
    cleaned.sources = {k: strip_controls(v) for k, v in cleaned.sources.items()}
    input_url = input_meta.get("url")
    url = input_url or cleaned.url
    url_source = "input" if input_url else (cleaned.sources.get("url") if url else None)
    declared = input_meta.get("outlet")
    outlet, outlet_source = _outlet(declared, cleaned, url)
    explicit = date_from_metadata(input_meta.get("published"))
    if explicit is None and cleaned.published is not None and cleaned.published.source == "metadata":
        explicit = cleaned.published
    in_text = cleaned.published if cleaned.published is not None and cleaned.published.source == "text" else None
    published = choose_published(metadata=explicit, url=date_from_url(url) if url else None, text=in_text)
    title = input_meta.get("title") or cleaned.title
    title_source = "input" if input_meta.get("title") else (cleaned.sources.get("title") if title else None)
    return DocMeta(
        title=title,
        url=url,
        outlet=outlet,
        byline=input_meta.get("byline") or cleaned.byline,
        dateline=cleaned.dateline,
        published=published.value if published else None,
        published_precision=published.precision if published else None,
        published_source=published.source if published else None,
        published_evidence=published.evidence if published else None,
        credit=cleaned.credit,
        captions=list(cleaned.captions),
        authors=list(cleaned.authors),
        section=cleaned.section,
        title_source=title_source,
        url_source=url_source,
        outlet_source=outlet_source,
    )


def _outlet(declared: str | None, cleaned: Cleaned, url: str | None) -> tuple[str | None, str | None]:
    """The publisher: declared by the input, named by the page, from the URL's host, or the
    outlet the text credits (an agency story reprinted without any site metadata)."""
    if declared:
        return canonical_outlet(declared) or declared, "input"
    if cleaned.outlet:
        return cleaned.outlet, cleaned.sources.get("outlet", "page")
    if url and (name := outlet_from_url(url)):
        return name, "url"
    if cleaned.credit:
        return canonical_outlet(cleaned.credit) or cleaned.credit, "credit"
    return None, None


@stage("clean", version=VERSION, reads=("raw", "content_type", "input_meta"), writes=("text", "meta", "removed"))
def clean(doc: Doc) -> dict[str, Any]:
    """Keep the article and only the article; move title, byline, dateline, credit to metadata."""
    cleaned = clean_content(doc)
    if not cleaned.text.strip():
        reasons = sorted({r.reason for r in cleaned.removed})
        detail = f" (removed: {', '.join(reasons)})" if reasons else ""
        raise EmptyDocument(path=doc.source_path, detail=detail)
    return {"text": cleaned.text, "meta": assemble_meta(doc.input_meta, cleaned), "removed": cleaned.removed}
