"""Clean an HTML news page: main text, page furniture, and the metadata the page states.

:func:`clean_html` is a pure function: bytes or str in, :class:`~storyline.types.Cleaned`
out. The main text comes from trafilatura; everything else on the page that is text but
not in the main text is kept as :class:`~storyline.types.Removed` records so a user can
see what cleaning dropped.

Extraction options were chosen by measurement on the article-extraction-benchmark (181
news pages, scored like its evaluate.py; run ``python bench/extraction.py``), trafilatura
2.3.1, one core. The first rows are ``trafilatura.extract`` alone; the last two are the
whole of :func:`clean_html` (the title line dropped from the body helps precision):

=============================================  =====  =====  =====  =======
options                                        P      R      F1     ms/page
=============================================  =====  =====  =====  =======
default (the benchmark's own call)             0.942  0.978  0.960  17
fast                                           0.946  0.979  0.962  12
favor_recall + fast                            0.948  0.979  0.963  10
favor_precision                                0.958  0.971  0.964  18
favor_precision + fast                         0.947  0.946  0.946  10
fast, no tables                                0.947  0.972  0.959  13
favor_precision, balanced retry < 500 chars    0.960  0.976  0.968  18
clean_html, fast (+ retry, metadata, removed)  0.951  0.979  0.965  19
clean_html, chosen: favor_precision (+ ...)    0.963  0.976  0.970  23-26
=============================================  =====  =====  =====  =======

All with ``include_comments=False`` (reader comments are not the article: with them F1
drops to 0.953). Published F1 on the same benchmark: trafilatura 0.958, newspaper4k
0.949. See :data:`EXTRACTION_OPTIONS` for the choice.

Page metadata (outlet, canonical URL, title without the site's suffix, authors, section,
each with where it was read) comes from :mod:`storyline.clean.html_meta`.

The publication date combines three sources with
:func:`~storyline.clean.dates.choose_published`: the page's metadata (meta tags, JSON-LD,
``<time>`` elements outside sidebars, related lists, comments and embedded posts; htmldate
reads them from a small tree holding only those elements, so none of its fallbacks can
supply the date), the URL (the input's, else the page's canonical address), and the date
the page shows (:mod:`storyline.clean.pagedates`: header and byline, title, a "Published:"
line, a dated opening, then htmldate on the page without its furniture). On htmldate's
``eval_mediacloud_2020`` pages (``python bench/pubdates.py``, page URL given) the right day
on 90.0 % of all 200 pages (precision 0.932; htmldate extensive 89.5 %, precision 0.908)
and on 91.7 % of the held-out half (precision 0.933; htmldate extensive 91.7 %, 0.925).
"""

from __future__ import annotations

import datetime
import logging
import re
from typing import Any
from urllib.parse import urlsplit

import htmldate
import trafilatura
from lxml import etree
from lxml.html import HtmlElement, document_fromstring

# trafilatura's metadata steps, called one by one to leave out its date search, which would
# read dates from the URL and from running text (see _published).
from trafilatura.metadata import examine_meta, extract_author, extract_meta_json, extract_title

from storyline.clean.dates import choose_published, date_from_url, is_utc_timestamp
from storyline.clean.html_meta import PageMeta, page_meta
from storyline.clean.nesting import hit_depth_limit, parse_deep
from storyline.clean.pagedates import in_noise, labelled_updated, shown_date
from storyline.errors import EmptyDocument
from storyline.types import Cleaned, PublishedDate, Removed

__all__ = ["EXTRACTION_OPTIONS", "MAX_REMOVED_BLOCKS", "MAX_REMOVED_CHARS", "clean_html"]

# favor_precision has the best F1 on the benchmark and, more important for storyline, the
# best precision: text that leaks into the body (related-story teasers, "read more" lines)
# later turns into false claims and entities, while a missed paragraph costs less. On some
# pages "fast" keeps a lot of junk (per-page precision 0.07 where this mode has 0.81). It
# costs ~5 ms/page more than "fast" (table above).
EXTRACTION_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "favor_precision": True,
    "include_tables": True,
    "include_images": False,
    "include_links": False,
    "include_formatting": False,
    "deduplicate": False,  # trafilatura's dedup cache is module-global state
}

_RESCUE_BELOW = 500  # chars of main text (about two short paragraphs): see _extract_text

MAX_REMOVED_BLOCKS = 200  # huge pages (forums, endless menus) stay cheap to store and show
MAX_REMOVED_CHARS = 500

# Blocks of page text: an element of these kinds starts and ends a stretch of text.
# fmt: off
_BLOCK_TAGS = frozenset([
    "address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd",
    "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
    "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr",
    "html", "legend", "li", "main", "menu", "nav", "ol", "optgroup", "option", "p", "pre",
    "section", "summary", "table", "tbody", "td", "textarea", "tfoot", "th", "thead", "tr", "ul",
])
# Not text a reader sees: never output anywhere (scripts may carry text-like strings).
_SKIP_TAGS = frozenset([
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
    "canvas", "head", "title", "meta", "link", "base", "audio", "video", "source", "track",
    "map", "param",
])
# fmt: on

_TOKEN_RE = re.compile(r"\w+")
_WS_RE = re.compile(r"\s+")

# Meta tags that may carry a publication date (htmldate decides which one counts).
_DATE_META_RE = re.compile(r"date|time|publish|created|issued|\bdc\.|dcterms", re.IGNORECASE)
_NOT_PUBLISHED_RE = re.compile(r"modif|updat|revis|expir|last|edit", re.IGNORECASE)
_PUBLISH_LABEL_RE = re.compile(
    r"publi|post|creat|issue|release|^date$|^dc\.date$|^dcterms\.date$", re.IGNORECASE
)
_YMD_RE = re.compile(r"\b((?:19|20)\d\d)[-/.](0?[1-9]|1[0-2])[-/.](0?[1-9]|[12]\d|3[01])\b")
_JSONLD_DATE_RE = re.compile(r'"(datePublished|dateCreated|uploadDate)"\s*:\s*"([^"]{4,60})"')
# Meta tags naming the outlet an article was taken from (not the site publishing it).
_SOURCE_META = frozenset(
    {"source", "article:source", "og:source", "syndication-source", "dc.source", "dcterms.source"}
)
_URLISH_RE = re.compile(r"https?://|www\.|/", re.IGNORECASE)

LOGGER = logging.getLogger(__name__)


def clean_html(html: bytes | str, url: str | None = None) -> Cleaned:
    """Main text and page metadata of one HTML page.

    ``url`` (when known: the input's) resolves relative links, decides the outlet's host
    and is a date source; without it the page's own canonical address serves. Raises
    :class:`~storyline.errors.EmptyDocument` (path
    ``"<html>"``: the caller re-raises with the real path) when no main text is found,
    including for pages that are garbage, empty, or whose only text is in scripts.
    """
    tree = _parse(html)
    if tree is None:
        raise EmptyDocument(path="<html>", detail=": not an HTML page with text")
    body_text = _extract_text(tree, url)
    paragraphs = [p for p in (_WS_RE.sub(" ", line).strip() for line in body_text.splitlines()) if p]

    meta = _page_metadata(tree, url)
    title = meta.title
    # The title is metadata, not body: drop it where the extractor kept the headline.
    if title and paragraphs and _key(paragraphs[0]) == _key(title):
        paragraphs = paragraphs[1:]
    if not any(_TOKEN_RE.search(p) for p in paragraphs):
        raise EmptyDocument(path="<html>", detail=": no main text found")
    text = "\n\n".join(paragraphs)

    removed, captions = _removed_blocks(tree, text, title, meta.byline)
    return Cleaned(
        text=text,
        removed=removed,
        title=title,
        byline=meta.byline,
        credit=_credit(tree, meta),
        published=_published(tree, url or meta.url, paragraphs, title),
        captions=captions,
        url=meta.url,
        outlet=meta.outlet,
        authors=meta.authors,
        section=meta.section,
        sources=meta.sources,
    )


def _extract_text(tree: HtmlElement, url: str | None) -> str:
    """Main text as trafilatura renders it (one block per line)."""
    try:
        document = trafilatura.bare_extraction(tree, url=url, **EXTRACTION_OPTIONS)
        text = getattr(document, "text", None) or ""
        if len(text) < _RESCUE_BELOW:
            # Precision mode skips trafilatura's rescue of short extractions (baseline and
            # recall retry); run the page again in balanced mode and keep the longer text.
            # Benchmark: 4 retries in 181 pages, one page where precision mode kept only a
            # reprint notice is fixed; F1 0.964 -> 0.968 (trafilatura alone).
            options = {**EXTRACTION_OPTIONS, "favor_precision": False}
            document = trafilatura.bare_extraction(tree, url=url, **options)
            retry = getattr(document, "text", None) or ""
            if len(retry) > len(text):
                text = retry
    except Exception as err:  # a hostile page must reject one document, not stop the batch
        LOGGER.debug("trafilatura failed: %r", err)
        raise EmptyDocument(path="<html>", detail=f": text extractor failed ({type(err).__name__})") from err
    return text


def _parse(html: bytes | str) -> HtmlElement | None:
    if not html or not isinstance(html, (bytes, str)):
        return None
    try:
        tree = trafilatura.load_html(html)
        if tree is not None and hit_depth_limit(tree):  # libxml2 cut a deep page: see clean/nesting.py
            tree = parse_deep(html)
        if tree is None:
            # trafilatura rejects bare fragments ("<p>…</p>" alone): give them a page.
            text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
            if text.strip():
                tree = document_fromstring(f"<html><body><div>{text}</div></body></html>")
    except Exception as err:  # noqa: BLE001 - lxml/encoding errors on garbage input
        LOGGER.debug("cannot parse HTML: %r", err)
        return None
    return tree if isinstance(tree, HtmlElement) else None


def _key(text: str) -> str:
    """Comparison form: lower-case word tokens joined by one space."""
    return " ".join(_TOKEN_RE.findall(text.lower()))


def _clip(value: str | None, limit: int = 300) -> str | None:
    if not value:
        return None
    value = _WS_RE.sub(" ", value).strip()
    return value[:limit] or None


# --- metadata ---------------------------------------------------------------------------


def _page_metadata(tree: HtmlElement, url: str | None) -> PageMeta:
    """Title, authors, section, outlet, URL (:mod:`storyline.clean.html_meta`) and the
    credited source outlet; trafilatura's author search supplies the authors."""
    author: str | None = None
    fallback_title: str | None = None
    try:
        doc = examine_meta(tree)
        if doc.author and " " not in doc.author:  # as trafilatura does: a lone token is a handle
            doc.author = None
        try:
            doc = extract_meta_json(tree, doc)
        except Exception as err:  # noqa: BLE001 - trafilatura's JSON-LD reader on odd JSON
            LOGGER.debug("JSON-LD metadata failed: %r", err)
        author = _clip(doc.author or extract_author(tree))
        fallback_title = _clip(doc.title or extract_title(tree))
    except Exception as err:  # noqa: BLE001 - metadata is optional; the text is what matters
        LOGGER.debug("metadata extraction failed: %r", err)
    try:
        meta = page_meta(tree, url, author=author, fallback_title=fallback_title)
    except Exception as err:  # noqa: BLE001 - a hostile page costs its metadata, not the document
        LOGGER.debug("page metadata failed: %r", err)
        meta = PageMeta(title=fallback_title, byline=author)
    return meta


def _credit(tree: HtmlElement, meta: PageMeta) -> str | None:
    publisher = [*meta.site_names, *(v for v in (meta.outlet, meta.url) if v)]
    canonical = tree.find('.//link[@rel="canonical"]')
    if canonical is not None and canonical.get("href"):
        publisher.append(canonical.get("href", ""))
    try:
        return _source_credit(tree, publisher) or meta.original_outlet
    except ValueError as err:  # urlsplit on a hostile canonical link
        LOGGER.debug("source credit failed: %r", err)
        return meta.original_outlet


def _source_credit(tree: HtmlElement, publisher: list[str]) -> str | None:
    """An outlet the page says the article comes from (``<meta name="dc.source">`` …).

    Only when it is not the publishing site itself: Fox News pages say
    ``dc.source="Fox News"`` about their own articles. The site's own name is not a credit
    and is not reported anywhere.
    """
    own: set[str] = set()
    for value in publisher:
        if "/" in value or "." in value:  # a URL or host name: its labels ("foxnews")
            host = urlsplit(value if "//" in value else f"//{value}").hostname or ""
            own.update(_squash(label) for label in host.split("."))
        own.add(_squash(value))
    for elem in tree.iterfind(".//meta"):
        name = (elem.get("name") or elem.get("property") or "").strip().lower()
        if name in _SOURCE_META:
            content = _clip(elem.get("content"), 120)
            if content and not _URLISH_RE.search(content) and _squash(content) not in own:
                return content
    return None


def _squash(text: str) -> str:
    """``FOXBusiness``, ``Fox Business`` and the host label ``foxbusiness`` compare equal."""
    return "".join(_TOKEN_RE.findall(text.lower()))


def _published(
    tree: HtmlElement, url: str | None, paragraphs: list[str], title: str | None
) -> PublishedDate | None:
    """The page's publication date: its metadata, its URL (the input's, else the page's own
    canonical address) and the date it shows (:mod:`storyline.clean.pagedates`), chosen by
    :func:`~storyline.clean.dates.choose_published`. The date shown is searched only when
    it can matter: no metadata day, or a UTC timestamp without a URL day to check it."""
    meta_date = _metadata_date(tree)
    url_date = date_from_url(url) if url else None
    shown = None
    if meta_date is None and (url_date is None or url_date.precision != "day"):
        shown = shown_date(tree, paragraphs, title)
    elif meta_date is not None and (url_date is None or url_date.precision != "day") and is_utc_timestamp(
        meta_date.evidence
    ):
        shown = shown_date(tree, paragraphs, title, search_page=False)
    return choose_published(metadata=meta_date, url=url_date, text=shown)


def _metadata_date(tree: HtmlElement) -> PublishedDate | None:
    """Publication date from meta tags, JSON-LD or ``<time>`` elements, never from the URL.

    htmldate runs on a small page holding copies of only those elements, so none of its
    fallbacks (URL, og:url, canonical link, free text, image names) can supply the date.
    """
    try:
        mini, fields = _metadata_tree(tree)
        if not fields:
            return None
        value = htmldate.find_date(
            mini, extensive_search=False, original_date=True, outputformat="%Y-%m-%d", url=""
        )
    except Exception as err:  # noqa: BLE001 - a bad date must not cost the document
        LOGGER.debug("date extraction failed: %r", err)
        return None
    if value:
        # Evidence: the first field carrying that day (htmldate normalised its notation).
        compact = value.replace("-", "")
        found = next((desc for desc, raw, _ in fields if value in raw or compact in raw), None)
        if found is None:  # another notation ("March 9, 2017" in a <time>)
            found = "; ".join(desc for desc, _, _ in fields[:3])
        return PublishedDate(value, "day", "metadata", found[:300])
    # Site-specific meta names htmldate does not know (<meta name="sn-post-date" ...>).
    for desc, raw, label in fields:
        if label and _PUBLISH_LABEL_RE.search(label) and (m := _YMD_RE.search(raw)):
            try:
                day = datetime.date(*map(int, m.groups()))
            except ValueError:  # 2019/02/31
                continue
            if day <= datetime.date.today():
                return PublishedDate(day.isoformat(), "day", "metadata", desc[:300])
    return None


def _metadata_tree(tree: HtmlElement) -> tuple[HtmlElement, list[tuple[str, str, str | None]]]:
    """A page of copies of the date-bearing metadata elements; each as (description, raw, meta name)."""
    mini = document_fromstring("<html><head></head><body></body></html>")
    head, body = mini[0], mini[1]
    fields: list[tuple[str, str, str | None]] = []
    for elem in tree.iterfind(".//meta"):
        attr = next((a for a in ("name", "property", "itemprop", "http-equiv") if elem.get(a)), None)
        if attr is None:
            if elem.get("pubdate") is None:
                continue
            attr = "pubdate"
        label = (elem.get(attr) or "").strip()
        # og:url is where htmldate reads URL dates; copyrightYear is a year, not a day;
        # a modification date is not the publication date.
        if label.lower() in ("og:url", "copyrightyear") or _NOT_PUBLISHED_RE.search(label):
            continue
        if not _DATE_META_RE.search(label or attr):
            continue
        raw = (elem.get("content") or elem.get("datetime") or "").strip()
        if not raw:
            continue
        head.append(_copy_attrs(elem, "meta"))
        fields.append((f'meta {attr}="{label[:60]}" content="{raw[:80]}"', raw, label))
    for script in tree.iterfind('.//script[@type="application/ld+json"]'):
        if script.text and '"date' in script.text:
            new = etree.SubElement(body, "script", type="application/ld+json")
            new.text = script.text
            for m in _JSONLD_DATE_RE.finditer(script.text):
                fields.append((f'JSON-LD {m.group(1)} "{m.group(2)}"', m.group(2), None))
    for elem in tree.iterfind(".//time"):
        if in_noise(elem):  # a sidebar list, a related story, a comment, an embedded tweet
            continue
        if labelled_updated(elem):  # "Updated <time …>Nov 13, 2019</time>" (Vox bylines)
            continue
        shown = _WS_RE.sub(" ", elem.text_content()).strip()[:200]
        raw = (elem.get("datetime") or shown).strip()
        if not raw:
            continue
        new = _copy_attrs(elem, "time")
        new.text = shown
        body.append(new)
        attrs = "".join(
            f' {k}="{v[:80]}"' for k, v in elem.attrib.items() if k in ("datetime", "pubdate", "class")
        )
        fields.append((f"<time{attrs}>{shown[:80]}</time>", raw, None))
    return mini, fields


def _copy_attrs(elem: HtmlElement, tag: str) -> HtmlElement:
    new = etree.Element(tag)
    for k, v in elem.attrib.items():
        if isinstance(k, str) and k.isascii() and ":" not in k:
            new.set(k, v[:1000])
    return new


# --- page furniture ---------------------------------------------------------------------


def _removed_blocks(
    tree: HtmlElement, text: str, title: str | None, byline: str | None
) -> tuple[list[Removed], list[str]]:
    """Blocks of page text absent from ``text``, and the figure captions among them."""
    kept = f" {_key(text)} "
    title_key = _key(title) if title else None
    byline_key = _key(byline) if byline else None
    removed: list[Removed] = []
    captions: list[str] = []
    seen: set[str] = set()
    for block, in_caption in _text_blocks(tree):
        key = _key(block)
        if not key or key in seen or f" {key} " in kept:
            continue
        seen.add(key)
        clipped = block[:MAX_REMOVED_CHARS]
        if key == title_key:
            reason = "title"
        elif byline_key and (
            key == byline_key or key.endswith(f" {byline_key}") and len(key) < len(byline_key) + 12
        ):
            reason = "byline"
        elif in_caption:
            reason = "caption"
            captions.append(clipped)
        else:
            reason = "page_furniture"
        removed.append(Removed(clipped, reason))
        if len(removed) >= MAX_REMOVED_BLOCKS:
            break
    return removed, captions


def _text_blocks(tree: HtmlElement) -> list[tuple[str, bool]]:
    """The body's text cut at block-element boundaries: ``(text, inside <figcaption>)``.

    Iterative (deeply nested hostile pages must not hit the recursion limit); text inside
    scripts, styles and other non-reader elements is skipped, their tails are kept.
    """
    body = tree.find("body")
    root = body if body is not None else tree
    blocks: list[tuple[str, bool]] = []
    buf: list[str] = []
    caption_depth = 0

    def flush() -> None:
        if buf:
            joined = _WS_RE.sub(" ", "".join(buf)).strip()
            buf.clear()
            if joined:
                blocks.append((joined, caption_depth > 0))

    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        elem, closing = stack.pop()
        tag = elem.tag
        name = tag.lower() if isinstance(tag, str) else ""
        if closing:
            if name in _BLOCK_TAGS:
                flush()
            if name == "figcaption":
                caption_depth -= 1
            if elem.tail and elem is not root:
                buf.append(elem.tail)
            continue
        if not name or name in _SKIP_TAGS:  # comments, processing instructions, scripts
            if elem.tail and elem is not root:
                buf.append(elem.tail)
            continue
        if name in _BLOCK_TAGS:
            flush()
        if name == "figcaption":
            caption_depth += 1
        if elem.text:
            buf.append(elem.text)
        stack.append((elem, True))
        stack.extend((child, False) for child in reversed(elem))
    flush()
    return blocks
