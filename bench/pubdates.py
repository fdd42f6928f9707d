"""Publication dates on real web pages: storyline against htmldate, same pages, same run.

Data: ``../shared/datasets/pubdates`` (htmldate's ``eval_mediacloud_2020`` part: 200 pages
from many sites and languages, ``eval_mediacloud_2020.json`` maps URL → file and gold day).

    python bench/pubdates.py [--data DIR] [--split tune|heldout|all] [--json] [--errors]

The pages are split once, before any tuning, by a stable hash of the file name
(:func:`split_of`: SHA-256 of the name, first byte even → ``tune``, odd → ``heldout``).
Rules were tuned on ``tune`` only; ``heldout`` is the estimate to quote.

Scores, per system: *accuracy* = right answers / all pages, where a right answer is the gold
day, or no day on the pages whose gold is ``nan`` (the page states none: 5 of 200);
*precision* = right days / pages where the system gave a day (a month- or year-level answer
counts as no answer: it never names the day); *coverage* = pages with a day / all pages.

Systems: ``storyline + URL`` is the real pipeline (clean_html, then the clean stage's
metadata assembly with the page URL as input metadata, as a JSONL/WARC/feed input gives
it); ``storyline, no URL`` gives it the page alone (an HTML file on disk: the page's own
canonical link / og:url may still supply a URL); htmldate fast and extensive get the URL too
(``url=``), as in htmldate's own evaluation, and extensive runs once more without it (it
then reads the page's own canonical link / og:url, as storyline does).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "datasets" / "pubdates"

try:
    import storyline  # noqa: F401
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(REPO / "src"))

from storyline.errors import EmptyDocument  # noqa: E402

SPLITS = ("tune", "heldout", "all")


@dataclass(frozen=True, slots=True)
class Page:
    name: str
    url: str
    gold: str | None  # None: the page states no date (``NaN`` in the data file)
    html: bytes


def data_sha256(data: Path) -> str:
    """SHA-256 of the gold file and every page, in name order: the floors' data version."""
    h = hashlib.sha256((data / "eval_mediacloud_2020.json").read_bytes())
    for path in sorted((data / "pages").glob("*.gz")):
        h.update(path.read_bytes())
    return h.hexdigest()


def split_of(name: str) -> str:
    """``tune`` or ``heldout``, fixed by the file name alone (decided before tuning)."""
    return "tune" if hashlib.sha256(name.encode()).digest()[0] % 2 == 0 else "heldout"


def load_pages(data: Path, split: str = "all") -> list[Page]:
    gold = json.loads((data / "eval_mediacloud_2020.json").read_text(encoding="utf-8"))
    pages: list[Page] = []
    for url, item in sorted(gold.items(), key=lambda kv: kv[1]["file"]):
        name = item["file"]
        if split != "all" and split_of(name) != split:
            continue
        path = data / "pages" / f"{name}.gz"
        if not path.is_file():
            continue
        day = item["date"] if isinstance(item["date"], str) else None
        pages.append(Page(name, url, day, gzip.decompress(path.read_bytes())))
    return pages


def storyline_day(page: Page, *, with_url: bool) -> tuple[str | None, str]:
    """storyline's day for a page (``None`` when it gives no day) and the source it used."""
    from storyline.clean.html import clean_html
    from storyline.stages.clean import assemble_meta

    url = page.url if with_url else None
    try:
        cleaned = clean_html(page.html, url=url)
    except EmptyDocument:
        return None, "empty"
    meta = assemble_meta({"url": url} if url else {}, cleaned)
    if meta.published_precision != "day":
        return None, meta.published_source or "-"
    return meta.published, f"{meta.published_source}: {(meta.published_evidence or '')[:70]}"


def htmldate_day(page: Page, *, extensive: bool, with_url: bool = True) -> tuple[str | None, str]:
    import htmldate

    try:
        value = htmldate.find_date(
            page.html,
            url=page.url if with_url else None,
            extensive_search=extensive,
            original_date=True,
            outputformat="%Y-%m-%d",
        )
    except Exception:  # noqa: BLE001 - a tool failure is a missed page
        value = None
    return value, ""


SYSTEMS: dict[str, Callable[[Page], tuple[str | None, str]]] = {
    "storyline + URL": lambda p: storyline_day(p, with_url=True),
    "storyline, no URL": lambda p: storyline_day(p, with_url=False),
    "htmldate fast": lambda p: htmldate_day(p, extensive=False),
    "htmldate extensive": lambda p: htmldate_day(p, extensive=True),
    "htmldate extensive, no URL": lambda p: htmldate_day(p, extensive=True, with_url=False),
}


def score(answers: list[tuple[str | None, str]], pages: list[Page]) -> dict[str, float]:
    """A page whose gold is ``NaN`` (the page states no date) is right when no day is
    given, and a wrong answer when one is."""
    given = sum(1 for a, _ in answers if a)
    right = sum(1 for (a, _), p in zip(answers, pages) if a == p.gold)
    right_days = sum(1 for (a, _), p in zip(answers, pages) if a and a == p.gold)
    n = len(pages) or 1
    return {
        "pages": len(pages),
        "accuracy": right / n,
        "precision": right_days / given if given else 0.0,
        "coverage": given / n,
        "right": right,
        "given": given,
    }


def run(data: Path, systems: tuple[str, ...] = tuple(SYSTEMS)) -> dict[str, Any]:
    """Every system in ``systems`` on every page; scores per split, and each page's answers."""
    import htmldate

    pages = load_pages(data)
    # dateparser (behind htmldate's extensive search) loads its tables on first use: not per-page cost
    htmldate.find_date("<html><body><p>12 juillet 2020</p></body></html>", extensive_search=True)
    answers: dict[str, list[tuple[str | None, str]]] = {}
    timing: dict[str, float] = {}
    for name in systems:
        fn = SYSTEMS[name]
        fn(pages[0])  # imports and lazy setup are not per-page cost
        t0 = time.process_time()
        answers[name] = [fn(p) for p in pages]
        timing[name] = (time.process_time() - t0) * 1000 / len(pages)
    result: dict[str, Any] = {"systems": {}, "pages": {}}
    for split in SPLITS:
        keep = [i for i, p in enumerate(pages) if split == "all" or split_of(p.name) == split]
        sub = [pages[i] for i in keep]
        for name in systems:
            row = score([answers[name][i] for i in keep], sub)
            row["ms_per_page"] = timing[name]
            result["systems"].setdefault(name, {})[split] = row
    for i, p in enumerate(pages):
        result["pages"][p.name] = {
            "split": split_of(p.name),
            "url": p.url,
            "gold": p.gold,
            **{name: answers[name][i] for name in systems},
        }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="dataset folder (default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="print the scores as one JSON object")
    parser.add_argument("--errors", choices=SPLITS, help="also list storyline's wrong pages of this split")
    args = parser.parse_args(argv)
    if not (args.data / "eval_mediacloud_2020.json").is_file():
        print(f"skipped: no data in {args.data} (need eval_mediacloud_2020.json and pages/)", file=sys.stderr)
        return 0
    result = run(args.data)
    if args.json:
        print(json.dumps(result["systems"], indent=2))
        return 0
    header = ("system", "split", "pages", "accuracy", "precision", "coverage", "CPU ms/page")
    rows = []
    for split in SPLITS:
        for name, by_split in result["systems"].items():
            r = by_split[split]
            rows.append(
                (
                    name,
                    split,
                    str(r["pages"]),
                    f"{r['accuracy']:.3f}",
                    f"{r['precision']:.3f}",
                    f"{r['coverage']:.3f}",
                    f"{r['ms_per_page']:.1f}",
                )
            )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join(h.ljust(w) if i < 2 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths)))
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
    print(
        "\nright: a day-precision answer equal to the gold day (or none where the gold is nan);"
        " month/year answers count as none."
        "\nstoryline + URL: the page URL given as input metadata (as JSONL/WARC/feed inputs do);"
        " htmldate gets it too, except in its 'no URL' row."
        "\nCPU ms/page: storyline's is the whole HTML cleaning (main text, metadata, date); htmldate's the date alone."
    )
    if args.errors:
        print(f"\nstoryline + URL, wrong or missing ({args.errors}):")
        for name, p in result["pages"].items():
            if args.errors != "all" and p["split"] != args.errors:
                continue
            got, why = p["storyline + URL"]
            if got != p["gold"]:
                ext = p["htmldate extensive"][0]
                print(f"  {name} gold {p['gold']} got {got} ({why}) htmldate-ext {ext}  {p['url'][:90]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
