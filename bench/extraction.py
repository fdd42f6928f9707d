"""Main-text extraction quality and speed of storyline's HTML cleaner.

Runs :func:`storyline.clean.html.clean_html` over the article-extraction-benchmark pages
(181 news pages with hand-made ground truth) and scores the text exactly as the
benchmark's ``evaluate.py`` does (see :mod:`storyline.clean.extraction_eval`).

    python bench/extraction.py [--data DIR] [--json]

DIR defaults to ../shared/datasets/article-extraction relative to the repository root
(``html/*.html.gz`` and ``ground-truth.json``). Without the data the script says so and
exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "datasets" / "article-extraction"

try:
    import storyline  # noqa: F401
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(REPO / "src"))

from storyline.clean.extraction_eval import clean_html_text, evaluate, load_pages

# F1 published in the benchmark's README (scrapinghub/article-extraction-benchmark).
PUBLISHED_F1 = {"trafilatura (published)": 0.958, "newspaper4k (published)": 0.949}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="benchmark folder (default: %(default)s)"
    )
    parser.add_argument("--json", action="store_true", help="print the scores as one JSON object")
    args = parser.parse_args(argv)

    if not (args.data / "ground-truth.json").is_file() or not (args.data / "html").is_dir():
        print(
            f"skipped: no benchmark data in {args.data} (need ground-truth.json and html/)", file=sys.stderr
        )
        return 0

    # One untimed page first: imports and trafilatura's lazy setup are not per-page cost.
    clean_html_text(load_pages(args.data)[0][1])

    result = evaluate(args.data)
    if args.json:
        out = {k: v for k, v in result.items() if k != "per_doc"}
        print(json.dumps(out, indent=2))
        return 0

    rows = [
        (
            "storyline clean_html",
            f"{result['precision']:.3f}",
            f"{result['recall']:.3f}",
            f"{result['f1']:.3f}",
            f"{result['ms_per_page']:.1f}",
            f"{result['ms_median']:.1f}",
        ),
    ]
    rows += [(name, "", "", f"{f1:.3f}", "", "") for name, f1 in PUBLISHED_F1.items()]
    header = ("extractor", "precision", "recall", "F1", "ms/page", "median ms")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths)))
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
    worst = sorted(result["per_doc"].items(), key=lambda kv: kv[1][2])[:3]
    print(
        f"\n{result['pages']} pages, {result['empty']} with no text; one core; "
        f"lowest F1: " + ", ".join(f"{k[:10]} {v[2]:.2f}" for k, v in worst),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
