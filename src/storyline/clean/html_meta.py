"""What an HTML page says about itself: outlet, address, headline, authors, section.

:func:`page_meta` reads a parsed page and returns a :class:`PageMeta` in which every value
carries where it was read (``og:site_name``, ``link rel=canonical``, ``JSON-LD
publisher``, ``outlet list (host wsj.com)`` …), so a user can check it.

Measured with ``python bench/pagemeta.py`` on the 181 pages of the article-extraction
benchmark ingested as bare HTML (no URL given; the gold URL of each page checks the answer):

=======  ==============  =====  ======================  =====================
field    pages carrying  right  storyline               trafilatura metadata
=======  ==============  =====  ======================  =====================
outlet   162             159    0.981 (3 more right     0.938 (``sitename``)
                                by eye, odd scripts)
URL      174             166    0.954 (0.983 same site)  0.920 (``url``)
title    35 with suffix  35     1.000 suffix removed    0.000 (keeps it)
=======  ==============  =====  ======================  =====================

The URL misses are canonical links that differ from the address crawled (Reuters' short
form, businessinsider.de for .com, MSN's query string). Choices:

* **Outlet.** The page's host, when it is in storyline's outlet list, gives the list's
  canonical name first: the same outlet must get the same name whether its URL came with
  the input (the clean stage then uses :func:`~storyline.clean.outlets.outlet_from_url`)
  or from the page (``WSJ``/``Wall Street Journal`` → ``The Wall Street Journal``).
  Then ``og:site_name`` and the JSON-LD ``publisher``, each only where the name fits the
  host (its letters are in the host name: Reuters pages say ``og:site_name="U.S."``,
  JSON-LD ``publisher`` may be a parent company), cut to the part that fits ("LinkNaija |
  Nigeria's popular news platform" → "LinkNaija"). A name that does not fit the host is
  still taken when nothing better is there, then the registered domain. trafilatura's
  ``sitename`` takes the first of those names as it is (``U.S.`` for Reuters, the
  ``https://www.newsnation.in`` that News Nation writes in ``og:site_name``).
* **URL** (used only when the input gave none): ``link rel=canonical``, then ``og:url``,
  then ``twitter:url``, then a JSON-LD ``url`` / ``mainEntityOfPage``; only absolute
  http(s) addresses that are not a site's front page (a canonical link to ``/`` is a
  common template mistake). The canonical link wins over ``og:url`` (TechCrunch's
  ``og:url`` is ``social.techcrunch.com``).
* **Title**: ``og:title``, JSON-LD ``headline``, ``twitter:title``, ``<title>``, the
  first ``<h1>``; a leading or trailing part naming the site, its host or the section is
  cut off ("… – TechCrunch", "Reuters | …", "… - Auto News"), never leaving less than
  three words.
* **Authors**: trafilatura's author search (meta tags, JSON-LD, byline elements), split
  on ``;``; names that are the outlet itself ("MoreBikes", "Cleveland com") are dropped.
* **Section**: ``article:section`` (and its ``name=`` spellings), JSON-LD
  ``articleSection``. trafilatura's categories are not used: on Al Jazeera pages they
  are the site's whole menu.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from .outlets import canonical_outlet, outlet_from_url, outlet_info

__all__ = ["PageMeta", "page_meta", "strip_site_suffix", "name_fits_host"]

LOGGER = logging.getLogger(__name__)

_WS_RE = re.compile(r"\s+")
_TOKEN_RE = re.compile(r"\w+")
# Separators between a headline and the site's name in <title> / og:title.
_TITLE_SEP_RE = re.compile(r"\s+[|–—•·»:~/-]\s+|\s+\|\s*|\s*\|\s+|:\s+")
_WWW_RE = re.compile(r"^(?:www\d*|m|amp|mobile|social|edition|beta)\.")
_GENERIC = frozenset(
    {"the", "news", "com", "net", "org", "online", "daily", "www", "co", "and", "of", "de", "la", "le", "for",
     "with", "from", "this", "that", "you", "your", "how", "why", "what", "new", "all", "are", "was", "not"}
)
_SECTION_META = ("article:section", "section", "parsely-section", "sailthru.section", "og:article:section")
_NOT_SECTIONS = frozenset({"homepage", "home", "index", "article", "articles", "post", "posts", "page"})


@dataclass(slots=True)
class PageMeta:
    """Metadata read from one page; ``sources`` says where each value came from."""

    title: str | None = None
    byline: str | None = None
    authors: list[str] = field(default_factory=list)
    section: str | None = None
    outlet: str | None = None
    url: str | None = None
    site_names: list[str] = field(default_factory=list)  # every name the page gives itself
    original_outlet: str | None = None  # a syndicated copy: the outlet of the canonical original
    sources: dict[str, str] = field(default_factory=dict)


def _clip(value: Any, limit: int = 300) -> str | None:
    if not isinstance(value, str):
        return None
    value = _WS_RE.sub(" ", value).strip()
    return value[:limit] or None


def _squash(text: str) -> str:
    return "".join(_TOKEN_RE.findall(text.lower())).replace("_", "")


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname
    except ValueError:
        return None
    return _WWW_RE.sub("", host.lower()) if host else None


def name_fits_host(name: str, host: str | None) -> bool:
    """Whether a site name plausibly names ``host``: ``TechCrunch``/techcrunch.com,
    ``Los Angeles Times``/latimes.com, ``Wall Street Journal``/wsj.com (initials),
    ``NBC 5 Dallas-Fort Worth``/nbcdfw.com; not ``U.S.``/reuters.com."""
    if not host:
        return False
    labels = [lab for lab in host.split(".") if lab and lab not in _GENERIC]
    if not labels:
        return False
    main = max(labels, key=len) if len(labels) > 2 else labels[0]
    label = main.replace("-", "")
    squashed = _squash(name)
    if not squashed:
        return False
    if squashed == label or (len(label) >= 4 and label in squashed):
        return True
    if len(squashed) >= 4 and squashed in label:
        return True
    words = [w for w in _TOKEN_RE.findall(name.lower())]
    initials = "".join(w[0] for w in words if w not in ("the", "of", "and"))
    if len(initials) >= 2 and (label.startswith(initials) or initials.startswith(label)):
        return True
    return any(
        w not in _GENERIC and ((len(w) >= 4 and w in label) or (len(w) >= 3 and label.startswith(w)))
        for w in words
    )


def _fitting_part(name: str, host: str | None) -> str | None:
    """``name`` or the part of it that names the host ("LinkNaija | Nigeria's popular
    news platform" → "LinkNaija"); ``None`` when no part fits."""
    if name_fits_host(name, host) and not _TITLE_SEP_RE.search(name):
        return name
    for part in _TITLE_SEP_RE.split(name):
        part = part.strip()
        if part and name_fits_host(part, host):
            return part
    return name if name_fits_host(name, host) else None


def _tidy(name: str) -> str:
    """``nj`` → ``NJ``, ``cleveland`` → ``Cleveland`` (lower-case site names are handles)."""
    if name.islower() and "." not in name:
        return name.upper() if len(name) <= 3 else name.title()
    return name


def _looks_like_name(value: str) -> bool:
    return 1 < len(value) <= 80 and not value.lower().startswith(("http://", "https://", "www.", "@"))


def _long_enough(headline: str) -> bool:
    """Three words, or ten characters of a script written without spaces (CJK)."""
    return len(_TOKEN_RE.findall(headline)) >= 3 or (len(headline) >= 10 and not headline.isascii())


def strip_site_suffix(title: str, names: list[str], host: str | None) -> tuple[str, str | None]:
    """``title`` without a leading or trailing part naming the site (one of ``names``, or
    the host) and what was cut (``None`` when nothing was)."""
    keys = {_squash(n) for n in names if n}
    keys.discard("")

    def is_site(part: str) -> bool:
        sq = _squash(part)
        if not sq:
            return False
        # equal to a site name, or its first part ("LinkNaija" of "LinkNaija | Nigeria's ..."),
        # or the name and a short rest ("TechCrunch.com"); never a headline that starts with
        # the site's name ("The Guardian view on Hong Kong: ...").
        if sq in keys or any(
            len(sq) >= 4 and (k.startswith(sq) or (sq.startswith(k) and len(sq) - len(k) <= 4)) for k in keys
        ):
            return True
        return name_fits_host(part, host) and len(_TOKEN_RE.findall(part)) <= 5

    # a whole site name, tagline and all ("LinkNaija | Nigeria's popular news platform: ...")
    for name in sorted((n for n in names if n and _TITLE_SEP_RE.search(n)), key=len, reverse=True):
        low, n = title.lower(), name.lower()
        if low.startswith(n) and (m := _TITLE_SEP_RE.match(title, len(name))):
            rest = title[m.end() :].strip()
            if _long_enough(rest):
                return rest, title[: m.end()].strip()
        m = re.search(r"\s*[|–—•·»:~/-]\s*$", title[: len(title) - len(name)]) if low.endswith(n) else None
        if m:
            rest = title[: m.start()].strip()
            if _long_enough(rest):
                return rest, title[m.start() :].strip()
    parts = [m for m in _TITLE_SEP_RE.finditer(title)]
    if not parts:
        return title, None
    # trailing: "headline – Site" (cut at the last separator whose tail names the site)
    for m in reversed(parts):
        head, tail = title[: m.start()].strip(), title[m.end() :].strip()
        if tail and is_site(tail) and _long_enough(head):
            return head, title[m.start() :].strip()
        break
    first = parts[0]
    head, tail = title[: first.start()].strip(), title[first.end() :].strip()
    if head and is_site(head) and _long_enough(tail):
        return tail, title[: first.end()].strip()
    return title, None


def _meta_values(tree: HtmlElement) -> dict[str, str]:
    """First non-empty ``content`` per lower-cased meta name/property."""
    out: dict[str, str] = {}
    for elem in tree.iterfind(".//meta"):
        key = (elem.get("property") or elem.get("name") or elem.get("itemprop") or "").strip().lower()
        value = _clip(elem.get("content"), 2000)
        if key and value and key not in out:
            out[key] = value
    return out


def _jsonld_objects(tree: HtmlElement) -> list[dict[str, Any]]:
    """Every JSON object in the page's JSON-LD scripts (``@graph`` and lists flattened)."""
    found: list[dict[str, Any]] = []
    for script in tree.iterfind('.//script[@type="application/ld+json"]'):
        text = (script.text or "").strip()
        if not text or len(text) > 500_000:
            continue
        try:
            data = json.loads(text)
        except ValueError:
            try:
                data = json.loads(re.sub(r"[\x00-\x1f]", " ", text))
            except ValueError:
                continue
        stack = [data]
        while stack and len(found) < 200:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                found.append(item)
                if isinstance(item.get("@graph"), list):
                    stack.extend(reversed(item["@graph"]))
    return found


def _types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type")
    return {str(x).lower() for x in (t if isinstance(t, list) else [t]) if x}


_ARTICLE_TYPES = ("article", "newsarticle", "reportagenewsarticle", "blogposting", "analysisnewsarticle",
                  "opinionnewsarticle", "webpage", "report", "liveblogposting")


def _article_objects(objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    arts = [o for o in objs if _types(o) & set(_ARTICLE_TYPES)]
    arts.sort(key=lambda o: 0 if _types(o) - {"webpage"} else 1)  # a NewsArticle before its WebPage
    return arts


def _name_of(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return _clip(value, 120)


def _absolute(url: str | None, base: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    if base and not url.lower().startswith(("http://", "https://")) and url.startswith("/"):
        url = urljoin(base, url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or "." not in parts.hostname:
        return None
    if parts.path.strip("/") == "" and not parts.query:
        return None  # a site's front page: a template default, not this page's address
    return url[:2000]


def _page_url(
    tree: HtmlElement, meta: dict[str, str], arts: list[dict[str, Any]], base: str | None
) -> tuple[str | None, str | None, str | None]:
    """The page's address, where it was read, and the original's address when the page is
    a syndicated copy: MSN pages link ``rel=canonical`` to the CNN original while their
    ``og:url`` and ``og:site_name`` are MSN's own."""
    canonical = None
    for elem in tree.iterfind(".//link[@href]"):
        if (elem.get("rel") or "").strip().lower() == "canonical":
            canonical = _absolute(elem.get("href"), base or meta.get("og:url"))
            break
    og_url = _absolute(meta.get("og:url"), base)
    if canonical:
        site = meta.get("og:site_name") or ""
        if (
            og_url
            and _host(og_url) != _host(canonical)
            and site
            and name_fits_host(site, _host(og_url))
            and not name_fits_host(site, _host(canonical))
        ):
            return og_url, f"og:url (link rel=canonical names the original, {_host(canonical)})", canonical
        return canonical, "link rel=canonical", None
    for key in ("og:url", "twitter:url"):
        url = _absolute(meta.get(key), base)
        if url:
            return url, key, None
    for obj in arts:
        for key in ("url", "mainEntityOfPage"):
            value = obj.get(key)
            if isinstance(value, dict):
                value = value.get("@id") or value.get("url")
            url = _absolute(value if isinstance(value, str) else None, base)
            if url:
                return url, f"JSON-LD {key}", None
    return None, None, None


def _choose_outlet(
    meta: dict[str, str], objs: list[dict[str, Any]], arts: list[dict[str, Any]], url: str | None
) -> tuple[str | None, str | None, list[str]]:
    host = _host(url)
    candidates: list[tuple[str, str]] = []
    if meta.get("og:site_name"):
        candidates.append((meta["og:site_name"], "og:site_name"))
    for obj in arts:
        name = _name_of(obj.get("publisher"))
        if name:
            candidates.append((name, "JSON-LD publisher"))
            break
    for obj in objs:
        if _types(obj) & {"organization", "newsmediaorganization"} and _name_of(obj):
            candidates.append((_name_of(obj) or "", "JSON-LD Organization"))
            break
    for key in ("application-name", "apple-mobile-web-app-title", "publisher"):
        if meta.get(key):
            candidates.append((meta[key], f"meta {key}"))
    names = [n for n, _ in candidates if _looks_like_name(n)]
    if host and (known := outlet_info(host)) is not None and outlet_from_url(host) == known.name:
        return known.name, f"outlet list (host {host})", names
    for name, source in candidates:
        if not _looks_like_name(name):
            continue
        known_name = canonical_outlet(name)
        if known_name and (host is None or name_fits_host(name, host) or name_fits_host(known_name, host)):
            return known_name, f"{source} (outlet list)", names
        part = _fitting_part(name, host)
        if part:
            return _tidy(part), source, names
    for name, source in candidates:
        # a name that does not match the host, only when it is short: longer ones are taglines
        # ("Expert how-to for English Riders" on practicalhorsemanmag.com)
        if _looks_like_name(name) and not _TITLE_SEP_RE.search(name) and len(name.split()) <= 4:
            return _tidy(name), f"{source} (does not match the host)" if host else source, names
    if host:
        return outlet_from_url(host), "host", names
    return None, None, names


def _choose_title(
    tree: HtmlElement, meta: dict[str, str], arts: list[dict[str, Any]], fallback: str | None
) -> tuple[str | None, str | None]:
    cands: list[tuple[str | None, str]] = [
        (meta.get("og:title"), "og:title"),
        (next((h for o in arts if (h := _clip(o.get("headline")))), None), "JSON-LD headline"),
        (meta.get("twitter:title"), "twitter:title"),
    ]
    title_el = tree.find(".//title")
    if title_el is not None:
        cands.append((_clip(title_el.text_content()), "<title>"))
    h1 = tree.find(".//h1")
    if h1 is not None:
        cands.append((_clip(h1.text_content()), "<h1>"))
    cands.append((fallback, "trafilatura"))
    for value, source in cands:
        value = _clip(value)
        if value and _TOKEN_RE.search(value):
            return value, source
    return None, None


def page_meta(tree: HtmlElement, url: str | None = None, *, author: str | None = None,
              fallback_title: str | None = None) -> PageMeta:
    """Metadata of a parsed page. ``url`` is the address the input gave (it then decides
    the host); ``author`` and ``fallback_title`` are trafilatura's findings."""
    out = PageMeta()
    meta = _meta_values(tree)
    objs = _jsonld_objects(tree)
    arts = _article_objects(objs)

    page_url, url_source, original = _page_url(tree, meta, arts, url)
    if page_url:
        out.url, out.sources["url"] = page_url, url_source or ""
    if original:
        out.original_outlet = outlet_from_url(original)
    outlet, outlet_source, names = _choose_outlet(meta, objs, arts, url or page_url)
    if outlet:
        out.outlet, out.sources["outlet"] = outlet, outlet_source or ""
    out.site_names = names

    for key in _SECTION_META:
        if meta.get(key) and _looks_like_name(meta[key]) and meta[key].lower() not in _NOT_SECTIONS:
            out.section, out.sources["section"] = _clip(meta[key], 120), f"meta {key}"
            break
    else:
        for obj in arts:
            sec = obj.get("articleSection")
            sec = sec[0] if isinstance(sec, list) and sec else sec
            sec = sec.strip() if isinstance(sec, str) else None
            if sec and _looks_like_name(sec) and sec.lower() not in _NOT_SECTIONS:
                out.section, out.sources["section"] = _clip(sec, 120), "JSON-LD articleSection"
                break

    title, title_source = _choose_title(tree, meta, arts, fallback_title)
    if title:
        host = _host(url or page_url)
        site = [n for n in (*names, outlet or "") if n]
        title_names = site + ([out.section] if out.section else [])
        stripped, cut = strip_site_suffix(title, title_names, host)
        out.title = stripped
        out.sources["title"] = f"{title_source}, {cut!r} removed" if cut else title_source or ""

    if author:
        own = {_squash(n) for n in (*names, outlet or "") if n}
        host_key = _squash(_host(url or page_url) or "")
        authors: list[str] = []
        for a in (x.strip() for x in author.split(";")):
            sq = _squash(a)
            if sq and sq not in own and not (len(sq) >= 4 and sq in host_key) and a not in authors:
                authors.append(a)
        out.authors = authors
        out.byline = "; ".join(authors) if authors else None
        if authors:
            out.sources["authors"] = "trafilatura (meta, JSON-LD, byline)"
    return out
