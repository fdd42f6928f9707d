"""News outlets and agencies: who published a URL, and which outlet a name refers to.

The list lives in ``storyline/data/outlets.json`` (one object per outlet: ``name``,
``domains``, ``aliases``, ``kind``), loaded once on first use. Ambiguous short names are
left out on purpose: "the Times" may be the New York Times or The Times of London, so
neither lists it and :func:`canonical_outlet` answers ``None`` for it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

from courlan.urlutils import extract_domain

__all__ = ["Outlet", "outlets", "outlet_from_url", "canonical_outlet", "outlet_info"]

_KINDS = frozenset({"wire", "newspaper", "broadcaster", "online", "agency", "blog", "ngo", "government"})


@dataclass(frozen=True, slots=True)
class Outlet:
    name: str
    domains: tuple[str, ...]
    aliases: tuple[str, ...]
    kind: str


@dataclass(frozen=True, slots=True)
class _Index:
    outlets: tuple[Outlet, ...]
    by_domain: dict[str, Outlet]
    by_key: dict[str, Outlet]


_QUOTES = str.maketrans({"’": "'", "‘": "'", "\u00a0": " ", "\u202f": " ", "–": "-", "—": "-"})
_SPACES = re.compile(r"\s+")
_EDGE_PUNCT = " \t\"'“”«»()[]{}.,;:!?*|"
_WWW = re.compile(r"^www\d*\.")


def _key(name: str) -> str:
    return _SPACES.sub(" ", name.translate(_QUOTES)).strip(_EDGE_PUNCT).casefold()


@cache
def _index() -> _Index:
    raw = resources.files("storyline").joinpath("data/outlets.json").read_text(encoding="utf-8")
    items = json.loads(raw)
    outlets: list[Outlet] = []
    by_domain: dict[str, Outlet] = {}
    by_key: dict[str, Outlet] = {}
    clashes: set[str] = set()
    for item in items:
        kind = item.get("kind", "online")
        if kind not in _KINDS:
            raise ValueError(f"outlets.json: unknown kind {kind!r} for {item.get('name')!r}")
        o = Outlet(
            name=item["name"],
            domains=tuple(d.lower() for d in item.get("domains", ())),
            aliases=tuple(item.get("aliases", ())),
            kind=kind,
        )
        outlets.append(o)
        for d in o.domains:
            by_domain[d] = o
        for surface in (o.name, *o.aliases, *o.domains):
            k = _key(surface)
            if not k:
                continue
            if k in by_key and by_key[k] is not o:
                clashes.add(k)  # two outlets claim the same name: it identifies neither
            by_key[k] = o
    for k in clashes:
        del by_key[k]
    return _Index(tuple(outlets), by_domain, by_key)


def outlets() -> tuple[Outlet, ...]:
    """Every outlet in the data file, in file order."""
    return _index().outlets


def _host(url: str) -> str | None:
    url = url.strip()
    if not url:
        return None
    if "//" not in url.split("?", 1)[0]:
        url = "http://" + url
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return _WWW.sub("", host.lower().rstrip("."))


def _known_outlet_for_host(host: str) -> Outlet | None:
    by_domain = _index().by_domain
    parts = host.split(".")
    # longest suffix first: "news.sky.com" before "sky.com"
    for i in range(len(parts) - 1):
        o = by_domain.get(".".join(parts[i:]))
        if o is not None:
            return o
    return None


def outlet_from_url(url: str) -> str | None:
    """The outlet that published ``url``: a known outlet's canonical name, else the
    registered domain (``conservativefiringline.com``), lowercased, without ``www.``.
    ``None`` when the URL has no usable host."""
    host = _host(url)
    if host is None:
        return None
    known = _known_outlet_for_host(host)
    if known is not None:
        return known.name
    # public-suffix aware ("bbc.co.uk", not "co.uk"); falls back to the bare host
    domain = extract_domain("http://" + host)
    if domain:
        return _WWW.sub("", domain.lower())
    return host if "." in host else None


def _lookup(name: str) -> Outlet | None:
    by_key = _index().by_key
    k = _key(name)
    o = by_key.get(k)
    if o is None and k.startswith("the "):
        o = by_key.get(k[4:])
    return o


def outlet_info(name_or_url: str) -> Outlet | None:
    """The :class:`Outlet` record for a name, alias, domain or URL; ``None`` if unknown."""
    if not name_or_url or len(name_or_url) > 2000:
        return None
    o = _lookup(name_or_url)
    if o is None and not any(c.isspace() for c in name_or_url.strip()):
        host = _host(name_or_url)
        if host is not None:
            o = _known_outlet_for_host(host)
    return o


def canonical_outlet(name: str) -> str | None:
    """Canonical name of the outlet called ``name`` (alias or domain, any case);
    ``None`` when the name is unknown or ambiguous."""
    if not name or len(name) > 120:
        return None
    o = _lookup(name)
    return o.name if o is not None else None
