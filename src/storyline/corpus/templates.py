"""Site templates: text a site repeats on its pages is page furniture, not copying.

A comment prompt ("Deixe suas dúvidas e opiniões aqui embaixo!"), a newsletter promotion,
a press-release "About us" paragraph, a disclaimer or an author blurb recurs on every page of
one site. Copy detection (:mod:`.reuse`) finds it as a shared passage like any other; counted
as copying it draws provenance edges between unrelated articles of the site and lowers their
independent-source count. Real copying is the other pattern: a wire story shared across
*different* sites. This module is the part of the reuse cluster step that tells them apart;
it only classifies passages the alignment already found (no extra candidates, no store).

**One site.** Two documents are of one site when both URL hosts are known and equal (host
lower-cased, without ``www.``, ``m.``, ``amp.``); when either has no URL, when both name
the same outlet (``DocMeta.outlet``, case-folded). A site is labelled by its host, else by
its outlet. Documents of unknown site are never templates of each other.

**A template** is a passage shared by two documents of one site, of at most
``max_words`` words, that either

1. is found in ``min_pages`` or more documents of the site (default 3), anywhere on the page;
2. or, with only two pages so far, sits at the **same edge** of both: at the end (at most
   ``edge_share``, 25 %, of the words the page does not share with the other page come
   after it) or at the start (at most ``start_share``, 10 %, come before it). Templates live
   before or after an article's body; a quote or background paragraph two articles of one
   outlet share sits inside both bodies. The start is held to a stricter share because a
   scraped page's own text after the article (comments, related links) makes an article's
   first paragraphs look like its start: 25 % at the start too lost 2 more planted
   same-site pastes on each Dragnet form (below) for 0.2–14 points more furniture discounted.

Passages found this way stay in the results with a :class:`~storyline.types.Discount`
(which site, which template, how many pages, which rule) and count for nothing: no copy edge,
no change to independent-source counts. Passages between different sites are never
discounted here: the same prompt and promo on two *different* sites are still reported.

Measured with ``python bench/templates.py`` on real pages of sites with two or more pages in
the set (article-extraction: 110 pages of 55 sites; Dragnet: 917 pages of 178 sites), each
as storyline cleans the HTML (*cleaned*) and as the page's whole visible text (*scraped*).
"Within sites": passages between two pages of one site, i.e. site furniture, plus a few
real shared paragraphs; "planted": in each site one paragraph (20–80 words) of one page's
article pasted into the middle of another page of the site — real copying within a site,
which must stay counted. Rule off (before) → default rule (after)::

    pages, text          within sites  discounted  false copy edges  planted found  cross-site
    article-extr. clean      12          0.917         4 → 1           53 → 53 /53     6 → 6
    article-extr. scraped  1194          0.695        51 → 31          48 → 48 /48    34 → 34
    Dragnet cleaned         472          0.962        45 → 8          152 → 146/152   36 → 36
    Dragnet scraped       58208          0.982      1062 → 226        158 → 156/158  174 → 174

The 6 planted pastes lost on Dragnet cleaned: 4 that open both pages (short pages, where the
middle is the first paragraph: a shared lede), 1 whose paragraph is on a third page of the
site too, 1 that closes both pages. Passages between different
sites never change. Detection time is unchanged (3,000 generated documents: 10.5 / 11.4 s
CPU without the rule, 13.1 / 10.7 s with it, alternating runs on a shared machine).
Trade-off kept on purpose: a background paragraph that one outlet closes two articles with
is discounted as that outlet's template (it is the outlet's own stock text, not a source).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from hashlib import blake2b
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..types import Discount, DocMeta, SiteTemplate, Span

if TYPE_CHECKING:
    from .reuse import TokenizedText

__all__ = [
    "TEMPLATE", "SiteKey", "TemplateRule", "site_key", "same_site", "template_id", "own_words", "edge",
    "TemplateFinder",
]

TEMPLATE = "site template"

Range = tuple[int, int]


@dataclass(frozen=True, slots=True)
class TemplateRule:
    """When a passage shared within one site is a template (see the module docstring)."""

    min_pages: int = 3
    max_words: int = 150
    edge_share: float = 0.25
    start_share: float = 0.1


@dataclass(frozen=True, slots=True)
class SiteKey:
    """What identifies a document's site: URL host (without www) and outlet (case-folded)."""

    host: str | None
    outlet: str | None
    outlet_name: str | None = None

    @property
    def label(self) -> str | None:
        return self.host or self.outlet_name


_HOST_PREFIX = re.compile(r"^(?:www\d*|m|amp|mobile)\.")


def site_key(meta: DocMeta) -> SiteKey:
    host = None
    if meta.url:
        try:
            h = urlsplit(meta.url if "//" in meta.url else "http://" + meta.url).hostname
        except ValueError:
            h = None
        if h:
            host = _HOST_PREFIX.sub("", h.lower().rstrip("."))
    outlet = " ".join(meta.outlet.split()) if meta.outlet else None
    return SiteKey(host or None, outlet.casefold() if outlet else None, outlet)


def same_site(a: SiteKey, b: SiteKey) -> str | None:
    """The site label when ``a`` and ``b`` are one site, else None (see the module docstring)."""
    if a.host and b.host:
        return a.host if a.host == b.host else None
    if a.outlet and b.outlet and a.outlet == b.outlet:
        return a.host or b.host or a.outlet_name
    return None


def template_id(site: str, words: Sequence[str]) -> str:
    """A stable fingerprint of a template: its site and its normalised words."""
    data = (site + "\n" + " ".join(words)).encode("utf-8")
    return "t" + blake2b(data, digest_size=6).hexdigest()


def _word_range(tok: TokenizedText, span: Range) -> tuple[int, int]:
    return bisect_left(tok.starts, span[0]), bisect_left(tok.starts, span[1])


def own_words(tok: TokenizedText, shared: Sequence[Range]) -> list[int]:
    """Prefix counts of the page's *own* words — those in none of the ``shared`` spans:
    element ``i`` is the number of own words among the first ``i`` words."""
    own = [True] * len(tok)
    for a, b in shared:
        w0, w1 = _word_range(tok, (a, b))
        own[w0:w1] = [False] * (w1 - w0)
    out = [0]
    for o in own:
        out.append(out[-1] + o)
    return out


def edge(
    tok: TokenizedText, own: Sequence[int], span: Range, end_share: float, start_share: float
) -> str | None:
    """``"end"`` when at most ``end_share`` of the page's own words (``own``: see
    :func:`own_words`) follow ``span``, ``"start"`` when at most ``start_share`` precede it,
    else None."""
    w0, w1 = _word_range(tok, span)
    before, after = own[w0], own[-1] - own[w1]
    if after <= end_share * (before + after):
        return "end"
    if before <= start_share * (before + after):
        return "start"
    return None


def _overlap(a: Range, b: Range) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


@dataclass(slots=True)
class _Learned:
    site: str
    text: str
    words: int
    rule: str
    best: int  # pages seen together when ``rule`` was decided
    pages: dict[str, Range] = field(default_factory=dict)


class TemplateFinder:
    """The template part of the reuse cluster step. Feed it, document by document, the
    passages that document shares with each partner (:meth:`judge`); it returns the passages
    that are templates, each with its :class:`Discount`, and collects the templates
    (:meth:`templates`), with every page they were seen on in this run."""

    def __init__(
        self, rule: TemplateRule, sites: Mapping[str, SiteKey], tokens: Mapping[str, TokenizedText],
        texts: Mapping[str, str],
    ) -> None:
        self.rule = rule
        self.sites = sites
        self.tokens = tokens
        self.texts = texts
        self._learned: dict[str, _Learned] = {}

    def judge(
        self, doc: str, partners: Mapping[str, Sequence[tuple[Range, Range]]]
    ) -> dict[tuple[str, Range], Discount]:
        """``partners``: partner id → ``(span in doc, span in partner)`` of each shared
        passage. Returns ``(partner, span in doc) → Discount`` for the template passages."""
        rule, tok = self.rule, self.tokens[doc]
        same: dict[str, tuple[str, Sequence[tuple[Range, Range]]]] = {}
        for q, als in partners.items():
            site = same_site(self.sites[doc], self.sites[q])
            if site is not None:
                same[q] = (site, als)
        out: dict[tuple[str, Range], Discount] = {}
        if not same:
            return out
        # every same-site passage by its start in ``doc``, to count the pages of a passage
        spans = sorted((sd, q, sq) for q, (_site, als) in same.items() for sd, sq in als)
        starts = [x[0][0] for x in spans]
        longest = max(x[0][1] - x[0][0] for x in spans)
        for q, (site, als) in same.items():
            own_d = own_q = None
            for sd, sq in als:
                w0, w1 = _word_range(tok, sd)
                if w1 - w0 > rule.max_words or w1 <= w0:
                    continue
                pages: dict[str, Range] = {doc: sd, q: sq}
                for s2d, q2, s2q in spans[bisect_left(starts, sd[0] - longest) : bisect_left(starts, sd[1])]:
                    if q2 not in pages and _overlap(sd, s2d) >= 0.5 * (sd[1] - sd[0]):
                        pages[q2] = s2q
                if len(pages) >= rule.min_pages:
                    how = f"repeated on {len(pages)} pages of the site"
                else:
                    if own_d is None or own_q is None:
                        own_d = own_words(tok, [a for a, _ in als])
                        own_q = own_words(self.tokens[q], [b for _, b in als])
                    e1 = edge(tok, own_d, sd, rule.edge_share, rule.start_share)
                    e2 = edge(self.tokens[q], own_q, sq, rule.edge_share, rule.start_share)
                    if e1 is None or e1 != e2:
                        continue
                    how = f"at the {e1} of both pages"
                tid = template_id(site, tok.words[w0:w1])
                out[(q, sd)] = Discount(TEMPLATE, site, tid, len(pages), how)
                self._learn(tid, site, self.texts[doc][sd[0] : sd[1]], w1 - w0, how, pages)
        return out

    def _learn(
        self, tid: str, site: str, text: str, words: int, how: str, pages: Mapping[str, Range]
    ) -> None:
        got = self._learned.get(tid)
        if got is None:
            got = self._learned[tid] = _Learned(site, text, words, how, len(pages))
        elif len(pages) > got.best:  # the reason seen with the most pages
            got.rule, got.best = how, len(pages)
        for d, r in pages.items():
            got.pages.setdefault(d, r)

    def templates(self) -> list[SiteTemplate]:
        """Every template found so far, with the pages it was seen on (one span each)."""
        out = []
        for tid, t in sorted(self._learned.items()):
            pages = tuple(Span(d, s, e, self.texts[d][s:e]) for d, (s, e) in sorted(t.pages.items()))
            out.append(SiteTemplate(tid, t.site, t.text, t.words, pages, t.rule))
        return out
