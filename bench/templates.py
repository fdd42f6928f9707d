"""Site-template benchmark: furniture that one site repeats on its pages must not count as
copying, and what two pages of one site really share must.

    python bench/templates.py                  # both page sets, both text forms
    python bench/templates.py --limit 300      # a quicker run on the first 300 Dragnet pages

Pages (real news and blog pages, ``--data``, default ``../shared/datasets``):

* ``article-extraction``: 181 pages, 55 sites with 2 pages each; URL from the gold file;
* ``boilerplate/dragnet_data``: 1,381 pages; URL from the page's canonical link or
  ``og:url`` (pages without one have no site and are left out); sites with up to 15 pages.

Only pages whose site has two or more pages take part. Each page is read in two forms:
``scraped`` — the visible text, one block element a paragraph (what copy-paste or a naive
scraper gives: navigation, prompts, promos and related links included) — and ``cleaned`` —
storyline's own HTML cleaning (``clean_html``; what ``storyline ingest`` stores).

Copy detection runs over all pages of a set at once (:func:`find_reuse` with discounted
passages kept), once with the site-template rule off (as before it existed) and once with
the default :class:`~storyline.corpus.templates.TemplateRule`. A passage between two pages
of one site is *content* when its words occur, in order, in the gold article text of both
pages (a quote both articles carry, a shared paragraph), else *furniture* (a headline that
is one page's title and a related-articles link on the other is furniture there). Reported:

* furniture / content passages within sites, and how many of each were discounted;
* false copy edges: pairs of one site's pages joined only by furniture — before and after;
* real edges kept: pairs of one site's pages that share content and still have a counted
  passage of content;
* passages between different sites (must not change).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import lxml.html

from storyline.corpus.reuse import find_reuse
from storyline.corpus.templates import TemplateRule, same_site, site_key
from storyline.types import CopiedPassage, DocMeta

OFF = TemplateRule(min_pages=1 << 30, max_words=0)  # no passage is a template: the old behaviour

_BLOCK = {
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "td", "section", "article", "header",
    "footer", "aside", "ul", "ol", "table", "form", "blockquote", "figcaption", "nav", "dd", "dt", "label",
    "button", "option", "pre", "main",
}
_URL = re.compile(
    r"""<link[^>]+rel=["']canonical["'][^>]*href=["'](https?://[^"']+)|<link[^>]+href=["'](https?://[^"']+)["'][^>]*"""
    r"""rel=["']canonical["']|<meta[^>]+property=["']og:url["'][^>]*content=["'](https?://[^"']+)""",
    re.I,
)


@dataclass
class Page:
    id: str
    url: str
    html: bytes
    gold: str


def scraped_text(markup: bytes) -> str:
    """Visible text, one block element a paragraph."""
    try:
        root = lxml.html.fromstring(markup)
    except (ValueError, lxml.etree.ParserError):
        return ""
    for bad in root.xpath("//script|//style|//noscript|//template|//svg|//iframe|//head"):
        bad.drop_tree()
    out: list[str] = []

    def walk(el: lxml.html.HtmlElement) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _BLOCK:
            out.append("\n")
        if el.text and tag:
            out.append(el.text)
        for child in el:
            walk(child)
        if tag in _BLOCK:
            out.append("\n")
        if el.tail:
            out.append(el.tail)

    walk(root)
    lines = (" ".join(line.split()) for line in "".join(out).split("\n"))
    return "\n\n".join(line for line in lines if line)


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def article_extraction(data: Path) -> list[Page]:
    root = data / "article-extraction"
    if not (root / "ground-truth.json").exists():
        return []
    gt = json.loads((root / "ground-truth.json").read_text())
    return [Page(k[:12], v["url"], _read(root / "html" / f"{k}.html.gz"), v.get("articleBody") or "")
            for k, v in sorted(gt.items())]


def dragnet(data: Path, limit: int | None) -> list[Page]:
    root = data / "boilerplate" / "dragnet_data"
    if not (root / "input").is_dir():
        return []
    out = []
    files = sorted(root.joinpath("input").glob("*.html.gz"))
    for f in files[:limit]:
        raw = _read(f)
        m = _URL.search(raw[:200_000].decode("utf-8", "replace"))
        gold = root / "GoldStandard" / f"{f.name.split('.')[0]}.txt.gz"
        if m is None or not gold.exists():
            continue
        out.append(Page(f"dragnet-{f.name.split('.')[0]}", next(g for g in m.groups() if g), raw,
                        _read(gold).decode("utf-8", "replace")))
    return out


@dataclass
class Scores:
    shared: int = 0  # passages between two pages of one site, planted pastes left out
    shared_discounted: int = 0
    false_edges: int = 0  # pairs of one site's pages with a counted passage, none planted
    planted: int = 0
    planted_counted: int = 0  # planted same-site pastes still found as counted copies
    cross_site: int = 0
    templates: int = 0
    sites_with_templates: int = 0


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def score(found: list[CopiedPassage], metas: dict[str, DocMeta], planted: dict[str, tuple[str, tuple[int, int]]]) -> Scores:
    """``planted``: copy doc → (source doc, span of the pasted paragraph in the copy)."""
    s = Scores(planted=len(planted))
    keys = {d: site_key(m) for d, m in metas.items()}
    edges: dict[frozenset[str], bool] = {}
    hit: set[str] = set()
    tids: set[str] = set()
    sites: set[str] = set()
    for p in found:
        a, b = p.source.doc, p.copy.doc
        if same_site(keys[a], keys[b]) is None:
            s.cross_site += p.discounted is None
            continue
        is_planted = False
        for c, x in ((a, p.source), (b, p.copy)):
            if c in planted and planted[c][0] in (a, b) and _overlap((x.start, x.end), planted[c][1]) > 0:
                is_planted = True
                if p.discounted is None:
                    hit.add(c)
        if p.discounted is not None:
            tids.add(p.discounted.template)
            sites.add(p.discounted.site)
        if not is_planted:
            s.shared += 1
            s.shared_discounted += p.discounted is not None
            if p.discounted is None:
                edges[frozenset((a, b))] = True
    s.false_edges = len(edges)
    s.planted_counted = len(hit)
    s.templates, s.sites_with_templates = len(tids), len(sites)
    return s


def plant(docs: list[tuple[str, str, DocMeta]], gold: dict[str, str], seed: int = 0
          ) -> tuple[list[tuple[str, str, DocMeta]], dict[str, tuple[str, tuple[int, int]]]]:
    """In each site, the second page gets a paragraph of 20–80 words of the first page's
    article (its gold text) pasted into the middle of its text (by words): what a follow-up article of
    the same outlet quoting its earlier report looks like. Real copying within one site:
    it must stay counted."""
    rng = random.Random(seed)
    by_site: dict[str, list[int]] = defaultdict(list)
    for i, (_, _, m) in enumerate(docs):
        by_site[site_key(m).host or ""].append(i)
    docs = list(docs)
    planted: dict[str, tuple[str, tuple[int, int]]] = {}
    for _site, idx in sorted(by_site.items()):
        if len(idx) < 2:
            continue
        src, dst = docs[idx[0]], docs[idx[1]]
        paras = [q.strip() for q in re.split(r"\n\s*\n", gold[src[0]]) if 20 <= len(q.split()) <= 80]
        paras = [q for q in paras if q in src[1]]  # as the source page shows it
        if not paras:
            continue
        para = rng.choice(paras)
        blocks = dst[1].split("\n\n")
        words = [len(x.split()) for x in blocks]  # the block boundary nearest to half its words
        half, run, at = sum(words) / 2, 0, 0
        while at < len(blocks) and run + words[at] <= half:
            run += words[at]
            at += 1
        before = "\n\n".join(blocks[:at])
        start = len(before) + 2 if before else 0
        text = "\n\n".join([*blocks[:at], para, *blocks[at:]])
        docs[idx[1]] = (dst[0], text, dst[2])
        planted[dst[0]] = (src[0], (start, start + len(para)))
    return docs, planted


def run(name: str, pages: list[Page], form: str, rule: TemplateRule) -> None:
    t = time.perf_counter()
    metas = {p.id: DocMeta(url=p.url) for p in pages}
    by_site: dict[str, list[Page]] = defaultdict(list)
    for p in pages:
        by_site[site_key(metas[p.id]).host or ""].append(p)
    pages = [p for site, ps in by_site.items() if site and len(ps) >= 2 for p in ps]
    if not pages:
        return
    if form == "cleaned":
        from storyline.clean.html import clean_html

        texts = {p.id: clean_html(p.html, p.url).text or "" for p in pages}
    else:
        texts = {p.id: scraped_text(p.html) for p in pages}
    docs, planted = plant([(p.id, texts[p.id], metas[p.id]) for p in pages], {p.id: p.gold for p in pages})
    t = time.perf_counter()
    before = score(find_reuse(docs, templates=OFF, discounted=True), metas, planted)
    t_off = time.perf_counter() - t
    t = time.perf_counter()
    after = score(find_reuse(docs, discounted=True, templates=rule), metas, planted)
    t_on = time.perf_counter() - t
    n_sites = len({site_key(metas[p.id]).host for p in pages})
    print(f"| {name} | {form} | {len(pages)} / {n_sites} | {after.shared} | "
          f"{after.shared_discounted} ({after.shared_discounted / max(1, after.shared):.3f}) | "
          f"{before.false_edges} → {after.false_edges} | "
          f"{before.planted_counted} → {after.planted_counted} of {after.planted} | "
          f"{before.cross_site} → {after.cross_site} | {after.templates} in {after.sites_with_templates} sites | "
          f"{t_off:.1f} s → {t_on:.1f} s |", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "datasets")
    ap.add_argument("--limit", type=int, default=None, help="first N Dragnet pages only")
    ap.add_argument("--forms", default="scraped,cleaned", help="text forms to run (scraped, cleaned)")
    ap.add_argument("--sets", default="article-extraction,dragnet", help="page sets to run")
    ap.add_argument("--min-pages", type=int, default=TemplateRule().min_pages)
    ap.add_argument("--max-words", type=int, default=TemplateRule().max_words)
    ap.add_argument("--edge-share", type=float, default=TemplateRule().edge_share)
    ap.add_argument("--start-share", type=float, default=TemplateRule().start_share)
    args = ap.parse_args(argv)
    rule = TemplateRule(args.min_pages, args.max_words, args.edge_share, args.start_share)
    print(f"rule: {rule}", file=sys.stderr)
    wanted = args.sets.split(",")
    sets = [(name, load()) for name, load in (
        ("article-extraction", lambda: article_extraction(args.data)), ("dragnet", lambda: dragnet(args.data, args.limit)),
    ) if name in wanted]
    if not any(p for _, p in sets):
        print(f"bench/templates.py: no pages under {args.data}; skipped", file=sys.stderr)
        return 0
    print("| pages | text | pages / sites | passages within sites | discounted as templates "
          "| false copy edges before → after | planted same-site pastes found before → after "
          "| cross-site passages before → after | templates found | detection time before → after |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, pages in sets:
        for form in args.forms.split(","):
            run(name, pages, form, rule)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
