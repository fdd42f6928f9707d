"""Outlet, URL and title that storyline reads from bare HTML pages (no URL given).

Data: the article-extraction benchmark (``../shared/datasets/article-extraction``: 181 news
pages from many sites, ``ground-truth.json`` holds each page's URL). Every page goes
through the real pipeline (``clean_html`` then the clean stage's ``assemble_meta``) with no
input metadata, as an ``.html`` file on disk is ingested.

    python bench/pagemeta.py [--data DIR] [--list]

Scores (pages that carry the signal / found / right):

* outlet: pages with ``og:site_name`` or a JSON-LD publisher; *right* when the name is the
  outlet list's name for the gold URL's host or names that host
  (:func:`storyline.clean.html_meta.name_fits_host`); ``--list`` prints every name to check
  by eye.
* URL: pages with ``link rel=canonical`` or ``og:url``; *right* when equal to the gold URL
  up to scheme, ``www.`` and a trailing slash; *same site* when the host is the gold host.
* title: pages whose ``<title>``/``og:title`` ends or starts with the site name; *right*
  when storyline's title no longer carries it. Also trafilatura's ``extract_metadata``
  (sitename, url, title) on the same pages for comparison.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "datasets" / "article-extraction"

try:
    import storyline  # noqa: F401
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(REPO / "src"))

from lxml.html import HtmlElement  # noqa: E402

from storyline.clean.html import clean_html  # noqa: E402
from storyline.clean.html_meta import name_fits_host  # noqa: E402
from storyline.clean.outlets import outlet_from_url  # noqa: E402
from storyline.errors import EmptyDocument  # noqa: E402
from storyline.stages.clean import assemble_meta  # noqa: E402


def norm_url(url: str | None) -> str:
    if not url:
        return ""
    p = urlsplit(url.strip())
    host = re.sub(r"^www\.", "", (p.hostname or "").lower())
    return f"{host}{p.path.rstrip('/')}" + (f"?{p.query}" if p.query else "")


def host_of(url: str | None) -> str:
    return re.sub(r"^www\.", "", (urlsplit(url or "").hostname or "").lower())


def carries(tree: HtmlElement) -> dict[str, bool]:
    site = bool(tree.xpath('//meta[@property="og:site_name"]/@content')) or any(
        '"publisher"' in (s.text or "") for s in tree.xpath('//script[@type="application/ld+json"]')
    )
    url = bool(tree.xpath('//link[@rel="canonical"]/@href') or tree.xpath('//meta[@property="og:url"]/@content'))
    return {"outlet": site, "url": url}


def outlet_right(outlet: str | None, gold_url: str) -> bool:
    if not outlet:
        return False
    return outlet == outlet_from_url(gold_url) or name_fits_host(outlet, host_of(gold_url))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--list", action="store_true", help="print each page's outlet, URL and title")
    args = parser.parse_args(argv)
    if not (args.data / "ground-truth.json").is_file():
        print(f"skipped: no benchmark data in {args.data}", file=sys.stderr)
        return 0
    import trafilatura
    from trafilatura.metadata import extract_metadata

    gold = json.loads((args.data / "ground-truth.json").read_text(encoding="utf-8"))
    counts = {k: [0, 0, 0, 0] for k in ("outlet", "url", "title")}  # carried, found, right, same site
    traf = {k: [0, 0] for k in ("outlet", "url", "title")}  # found, right
    t_story = t_traf = 0.0
    for path in sorted((args.data / "html").glob("*.html.gz")):
        key = path.name.split(".")[0]
        gold_url = gold[key]["url"]
        html = gzip.decompress(path.read_bytes())
        tree = trafilatura.load_html(html)
        has = carries(tree)
        t0 = time.process_time()
        try:
            meta = assemble_meta({}, clean_html(html))
        except EmptyDocument:
            continue
        t_story += time.process_time() - t0
        t0 = time.process_time()
        tm = extract_metadata(tree)
        t_traf += time.process_time() - t0
        raw_title = tm.title or ""
        sites = [n for n in (tm.sitename, meta.outlet) if n]
        suffixed = any(
            re.search(rf"[|–—:-]\s*{re.escape(n)}\s*$|^\s*{re.escape(n)}\s*[|–—:-]", raw_title, re.I) for n in sites
        )
        if has["outlet"]:
            c = counts["outlet"]
            c[0] += 1
            c[1] += bool(meta.outlet)
            c[2] += outlet_right(meta.outlet, gold_url)
            traf["outlet"][0] += bool(tm.sitename)
            traf["outlet"][1] += outlet_right(tm.sitename, gold_url)
        if has["url"]:
            c = counts["url"]
            c[0] += 1
            c[1] += bool(meta.url)
            c[2] += norm_url(meta.url) == norm_url(gold_url)
            c[3] += bool(meta.url) and host_of(meta.url) == host_of(gold_url)
            traf["url"][0] += bool(tm.url)
            traf["url"][1] += norm_url(tm.url) == norm_url(gold_url)
        if suffixed:
            c = counts["title"]
            c[0] += 1
            c[1] += bool(meta.title)
            ok = bool(meta.title) and not any(
                re.search(rf"[|–—:-]\s*{re.escape(n)}\s*$|^\s*{re.escape(n)}\s*[|–—:-]", meta.title or "", re.I)
                for n in sites
            )
            c[2] += ok
            traf["title"][0] += 1
        if args.list:
            print(f"{key[:8]}  {meta.outlet!s:30.30}  {meta.outlet_source!s:32.32}  {meta.url!s:60.60}  {meta.title!s:70.70}")
    print(f"{'field':<8} {'pages carrying':>15} {'found':>7} {'right':>7} {'share right':>12}  trafilatura right")
    for k, (carried, found, right, _same) in counts.items():
        share = right / carried if carried else 0.0
        tr = f"{traf[k][1] / carried:.3f}" if k != "title" and carried else "-"
        print(f"{k:<8} {carried:>15} {found:>7} {right:>7} {share:>12.3f}  {tr}")
    c = counts["url"]
    print(f"\nURL on the right site: {c[3]}/{c[0]} ({c[3] / max(c[0], 1):.3f})")
    print(f"time: clean_html + assemble_meta {t_story * 1000 / 181:.1f} ms/page; trafilatura extract_metadata "
          f"{t_traf * 1000 / 181:.1f} ms/page (with its date search)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
