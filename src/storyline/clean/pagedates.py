"""The publication date a news page *shows*: its header and byline, its title, a
"Published:" line, a dated opening — never a sidebar, a related list, a caption, a comment
or an embedded post.

:func:`shown_date` is the page-text half of storyline's HTML dates; the metadata half
(meta tags, JSON-LD, ``<time datetime>``) and the choice between metadata, URL and text
live in :mod:`storyline.clean.html` and :func:`storyline.clean.dates.choose_published`.
Every answer is a day (a month or a year alone says too little about a page) with the
line it was read from as evidence.

Order, most specific first (measured on the tuning half of ``../shared/datasets/pubdates``
with ``python bench/pubdates.py``; no page of the held-out half was inspected, though each
run printed its total):

1. the article header: the text right after the headline (``<h1>``), up to the first
   paragraph of running text, and the few lines just above it (kickers, date bars):
   "By Susan Jones | August 17, 2016", ``<span class="meta__date">17/03/2020</span>``;
   a line that says "Updated" / "modified" is skipped;
2. the page title (``<title>``, ``og:title``): "Daily briefing, 9 March 2017";
3. the main text: a "Published: …" / "Posted on …" line among its first and last
   paragraphs, or a date that opens the first paragraph, alone or after a dateline
   ("March 9, 2017 — …", "BEIRUT (Reuters), March 9, 2017 - …");
4. htmldate on a copy of the page without sidebars, navigation, footers, related lists,
   comments, captions and embedded posts (and without the page's URL, og:url and canonical
   link, which are the URL's business): its fast search first, then its extensive one,
   whose answers that fall on the 1st of January are refused (that is a lone year, often
   a copyright line, read as a day).

Measured: on the tuning half, of the pages this module dated (no metadata day, no URL
day), the header was right 5 of 5 times, htmldate fast 3 of 5, htmldate extensive 4 of 5.
On the 53 article-extraction pages whose URL holds a day (a different set; the page alone,
neither its URL nor its title given), this module's day is the URL's on 47, one day off on 4
(time zones), wrong on 2 (both htmldate steps).

Numeric days like ``03/04/2020`` are read day-first unless the page says it is in US
English (``<html lang="en-US">``); on ``lang="en"`` pages an ambiguous one is not read.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Iterator

import htmldate
from lxml.html import HtmlElement

from storyline.clean.dates import date_in_page_text
from storyline.types import PublishedDate

__all__ = ["day_first", "in_noise", "labelled_updated", "shown_date"]

LOGGER = logging.getLogger(__name__)

_WS_RE = re.compile(r"\s+")
_WORD_RE = re.compile(r"\w+")
# Containers whose dates are not the article's: class/id words and tags.
_NOISE_WORDS = re.compile(
    r"(?:^|[-_\s])(?:sidebar|side-bar|aside|related|recommend\w*|more-stories|most-popular|mostpopular"
    r"|popular|trending|comments?|commentlist|disqus|widget|footer|promo|newsletter|twitter-tweet|tweet"
    r"|instagram-media"
    r"|embed|embedded|read-?more|teaser|outbrain|taboola|rail|latest|also-read|nav|navbar|navigation|menu"
    r"|breadcrumbs?|wp-caption|ticker|more-news|other-news|next-post|prev-post|previous-post"
    r"|post-navigation)(?:$|[-_\s])",
    re.I,
)
_NOISE_TAGS = frozenset({"aside", "nav", "footer", "figcaption", "form", "iframe", "noscript", "select"})
_SKIP_TEXT_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "button", "option", "title"})
_UPDATED_RE = re.compile(
    r"updat|modif|edited|revised|aktualisiert|actualiz|mis à jour|atualizad|aggiornat|bijgewerkt"
    r"|обновлен",
    re.I,
)
_URL_META = ("og:url", "twitter:url")
_MODIFIED_MARK = re.compile(r"modif|updat|revis|edit", re.I)
_PUBLISHED_MARK = re.compile(r"publi|creat|post", re.I)
_UPDATED_LABEL_RE = re.compile(
    r"(?:updated?|modified|edited|revised|aktualisiert|actualizado|mis à jour|atualizado|aggiornato)"
    r"\W*(?:on|at|:)?\W*$",
    re.I,
)
_PUBLISHED_LINE = re.compile(
    r"^\s*(?:published|posted|first published|date|publicado|publié|publie|veröffentlicht|pubblicato"
    r"|gepubliceerd|опубликовано|yayınlanma|yayinlanma|diterbitkan)\b",
    re.I,
)
# what may stand before the date in a dated dateline: a place in capitals, an agency
_DATELINE_HEAD = re.compile(r"\s*[A-Z][A-Z .,'’-]{1,40}(?:\s*\([^()]{1,30}\))?\s*[,:–—-]?\s*")
_HEADER_CHARS = 700  # of text after the headline: a header, a byline and a dateline fit
_BODY_NODE = 220  # a text node this long is running text: the header is over
_SENTENCE_WORDS = 16  # bylines and date lines are shorter ("By Susan Jones | August 17, 2016 | 10:57 AM EDT")
_ABOVE_NODES = 6


def in_noise(elem: HtmlElement, stop: frozenset[HtmlElement] | set[HtmlElement] = frozenset()) -> bool:
    """Whether ``elem`` sits in a sidebar, navigation, footer, related list, comment,
    caption or embedded post (checked on it and its ancestors up to ``<body>``, or up to
    the first one in ``stop``: the headline's own containers are the article's)."""
    node: HtmlElement | None = elem
    while node is not None and node not in stop:
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if tag in ("body", "html"):
            return False
        if tag in _NOISE_TAGS:
            return True
        if tag == "blockquote" and (node.get("class") or ""):
            return True  # twitter-tweet, instagram-media, tiktok-embed ...
        attrs = f"{node.get('class') or ''} {node.get('id') or ''}"
        if attrs.strip() and _NOISE_WORDS.search(attrs):
            return True
        node = node.getparent()
    return False


def labelled_updated(elem: HtmlElement) -> bool:
    """Whether a ``<time>`` is a modification date: so marked (``itemprop="dateModified"``,
    ``class="updated"``) or right after a label saying so."""
    marks = f"{elem.get('itemprop') or ''} {elem.get('class') or ''}"
    if _MODIFIED_MARK.search(marks) and not _PUBLISHED_MARK.search(marks):
        return True
    parent = elem.getparent()
    if parent is None:
        return False
    before = [parent.text or ""]
    for sibling in parent:
        if sibling is elem:
            break
        before.append(sibling.text_content() + (sibling.tail or ""))
    label = _WS_RE.sub(" ", "".join(before)).strip()[-30:]
    return bool(label) and bool(_UPDATED_LABEL_RE.search(label))


def day_first(tree: HtmlElement) -> bool | None:
    """How to read ``03/04/2020`` on this page: ``False`` for US English, ``None`` for
    English of unknown region (not read), ``True`` otherwise."""
    lang = (tree.get("lang") or tree.get("xml:lang") or "").strip().lower().replace("_", "-")
    if lang in ("en-us", "en-ca"):
        return False
    if lang == "en" or not lang:
        return None
    return True


def _words(text: str) -> set[str]:
    return set(_WORD_RE.findall(text.lower()))


def _headline(tree: HtmlElement, title: str | None = None) -> HtmlElement | None:
    """The article's ``<h1>``: the first that shares most of its words with the page
    title; without such a one, the first of four words or more (a shorter one is mostly
    the site's logo, above a page clock)."""
    fallback = None
    want = _words(title or "")
    for h1 in tree.iterfind(".//h1"):
        words = _words(h1.text_content())
        if not words or in_noise(h1):
            continue
        if want and len(words & want) >= 0.6 * min(len(words), len(want)):
            return h1
        if fallback is None and len(words) >= 4:
            fallback = h1
    return fallback


def _text_nodes(elem: HtmlElement, axis: str, limit: int) -> Iterator[str]:
    """Visible text nodes after (``following``) or before (``preceding``, nearest first)
    ``elem``, outside scripts and page furniture."""
    try:
        nodes = elem.xpath(f"{axis}::text()[normalize-space()][position() <= {limit}]")
    except Exception:  # noqa: BLE001 - lxml on odd trees
        return
    article = set(elem.iterancestors())
    for node in nodes:
        parent = node.getparent()
        if parent is None:
            continue
        # a tail belongs to the element before it; its parent is the enclosing element
        owner = parent.getparent() if getattr(node, "is_tail", False) else parent
        tag = parent.tag.lower() if isinstance(parent.tag, str) else ""
        if not getattr(node, "is_tail", False) and tag in _SKIP_TEXT_TAGS:
            continue
        if owner is not None and in_noise(owner, article):
            continue
        yield _WS_RE.sub(" ", str(node)).strip()


def _header_date(tree: HtmlElement, first: bool | None, title: str | None) -> PublishedDate | None:
    h1 = _headline(tree, title)
    if h1 is None:
        return None
    seen = 0
    label = ""  # the text node before: "Updated" and its date are often two elements
    for text in _text_nodes(h1, "following", 80):
        if len(text) >= _BODY_NODE or seen > _HEADER_CHARS:
            break
        seen += len(text)
        before, label = label, text
        if len(text.split()) > _SENTENCE_WORDS:
            continue  # a standfirst or a sentence of the story: its dates are events
        if _UPDATED_RE.search(text) and not _PUBLISHED_LINE.search(text):
            continue
        if len(before) <= 30 and _UPDATED_RE.search(before) and not _PUBLISHED_LINE.search(text):
            continue
        found = date_in_page_text(text, day_first=first)
        if found is not None:
            return _evidence(found, "page header", text)
    for text in _text_nodes(h1, "preceding", _ABOVE_NODES):
        if len(text) >= _BODY_NODE:
            break
        if _UPDATED_RE.search(text):
            continue
        found = date_in_page_text(text, day_first=first)
        if found is not None:
            return _evidence(found, "above the headline", text)
    return None


def _title_date(tree: HtmlElement, first: bool | None) -> PublishedDate | None:
    titles = [t.text_content() for t in tree.iterfind(".//title")][:1]
    titles += [m.get("content") or "" for m in tree.iterfind('.//meta[@property="og:title"]')][:1]
    for title in titles:
        found = date_in_page_text(_WS_RE.sub(" ", title), day_first=first)
        if found is not None:
            return _evidence(found, "title", title)
    return None


def _text_date(paragraphs: list[str], first: bool | None) -> PublishedDate | None:
    for para in [*paragraphs[:3], *paragraphs[-3:]]:
        if _PUBLISHED_LINE.search(para) and len(para) < 160:
            found = date_in_page_text(para, day_first=first)
            if found is not None:
                return _evidence(found, "text", para)
    if paragraphs:
        # "March 9, 2017 — ...", "WASHINGTON (Reuters), March 9, 2017 - ..."
        opening = paragraphs[0][:90]
        found = date_in_page_text(opening, day_first=first)
        if found is not None:
            before = opening[: opening.find(found.evidence)]
            if len(before) <= 3 or _DATELINE_HEAD.fullmatch(before):
                return _evidence(found, "dated opening", opening)
    return None


def _pruned(tree: HtmlElement, title: str | None) -> HtmlElement:
    """A copy of the page without furniture, and without the elements that carry its URL."""
    pruned = copy.deepcopy(tree)
    h1 = _headline(pruned, title)
    keep = set(h1.iterancestors()) if h1 is not None else set()
    doomed = []
    for elem in pruned.iter():
        if not isinstance(elem.tag, str) or elem in keep:
            continue
        tag = elem.tag.lower()
        if tag in ("html", "body", "head", "main", "article"):
            continue
        if tag == "link" and (elem.get("rel") or "").lower() in ("canonical", "amphtml", "shortlink"):
            doomed.append(elem)
        elif tag == "meta" and (elem.get("property") or elem.get("name") or "").lower() in _URL_META:
            doomed.append(elem)
        elif tag == "meta" and _MODIFIED_MARK.search(
            f"{elem.get('property') or ''} {elem.get('name') or ''} {elem.get('itemprop') or ''}"
        ):
            doomed.append(elem)  # a modification date is not the publication date
        elif tag == "script" and elem.text and "dateModified" in elem.text:
            elem.text = elem.text.replace('"dateModified"', '"x-modified"')
        elif tag in _NOISE_TAGS or (tag == "blockquote" and elem.get("class")):
            doomed.append(elem)
        elif tag == "time" and labelled_updated(elem):
            doomed.append(elem)
        else:
            attrs = f"{elem.get('class') or ''} {elem.get('id') or ''}"
            if attrs.strip() and _NOISE_WORDS.search(attrs):
                doomed.append(elem)
    for elem in doomed:
        parent = elem.getparent()
        if parent is not None:
            parent.remove(elem)  # children of a removed element go with it; later removals are no-ops
    return pruned


def _htmldate(tree: HtmlElement, title: str | None) -> PublishedDate | None:
    try:
        pruned = _pruned(tree, title)
        for extensive in (False, True):
            value = htmldate.find_date(
                pruned, extensive_search=extensive, original_date=True, outputformat="%Y-%m-%d", url=""
            )
            if value and not (extensive and value.endswith("-01-01")):
                mode = "extensive" if extensive else "fast"
                return PublishedDate(
                    value, "day", "text", f"htmldate ({mode}) on the page without sidebars, lists, comments"
                )
    except Exception as err:  # noqa: BLE001 - a bad date must not cost the document
        LOGGER.debug("htmldate failed: %r", err)
    return None


def shown_date(
    tree: HtmlElement, paragraphs: list[str], title: str | None = None, *, search_page: bool = True
) -> PublishedDate | None:
    """The day the page shows as its publication date (source ``text``), or ``None``.
    ``title`` (the page's headline as its metadata gives it) helps find the ``<h1>``;
    ``search_page=False`` leaves out the last step (htmldate on the whole page), which would
    mostly find the page's metadata again."""
    first = day_first(tree)
    finders = [
        lambda: _header_date(tree, first, title),
        lambda: _title_date(tree, first),
        lambda: _text_date(paragraphs, first),
    ]
    if search_page:
        finders.append(lambda: _htmldate(tree, title))
    for finder in finders:
        try:
            found = finder()
        except Exception as err:  # noqa: BLE001 - one odd page must not cost the document
            LOGGER.debug("page date failed: %r", err)
            continue
        if found is not None:
            return found
    return None


def _evidence(found: PublishedDate, where: str, line: str) -> PublishedDate:
    shown = _WS_RE.sub(" ", line).strip()[:200]
    return PublishedDate(found.value, found.precision, "text", f"{where}: {shown}")
