"""Main-text extraction on CleanEval and Dragnet HTML, storyline's cleaner beside trafilatura.

The article-extraction benchmark (``bench/extraction.py``) holds 181 recent news pages; this
one runs the same scoring (word-shingle precision/recall/F1, as that benchmark's
``evaluate.py`` does: :mod:`storyline.clean.extraction_eval`) over the boilerplate data sets
in ``../shared/datasets/boilerplate``: CleanEval-dev, CleanEval-final (older, varied web pages)
and Dragnet (news and blog pages), each ``input/N.html.gz`` scored against
``GoldStandard/N.txt.gz``. CleanEval's gold marks blocks with ``<p>``/``<h>``/``<l>`` and
opens with a ``URL:`` line: both are removed before scoring.

    python bench/extraction_boilerplate.py [--data DIR] [--sample N]

Rows, same run: storyline (:func:`storyline.clean.html.clean_html`), trafilatura's
``extract`` with its defaults, and with ``favor_precision`` (storyline's choice). Without the
data the script says so and exits 0.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "datasets" / "boilerplate"
DATASETS = ("cleaneval-dev", "cleaneval-final", "dragnet_data")

try:
    import storyline  # noqa: F401
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(REPO / "src"))

from storyline.clean.extraction_eval import TpFpFn, aggregate, clean_html_text, tp_fp_fn
from storyline.clean.scraped_eval import read_gz

_GOLD_TAG = re.compile(r"<\s*/?\s*(?:p|h|l)\s*>", re.I)
_GOLD_URL = re.compile(r"\A\s*URL:[^\n]*\n")


def gold_text(raw: str) -> str:
    return _GOLD_TAG.sub(" ", _GOLD_URL.sub("", raw))


def pages(root: Path, dataset: str, sample: int) -> Iterator[tuple[str, bytes, str]]:
    inputs, golds = root / dataset / "input", root / dataset / "GoldStandard"
    for path in sorted(inputs.glob("*.html.gz"), key=lambda p: (len(p.name), p.name)):
        stem = path.name[: -len(".html.gz")]
        gold = golds / f"{stem}.txt.gz"
        if not gold.is_file() or (sample > 1 and zlib.crc32(stem.encode()) % sample):
            continue
        yield stem, read_gz(path).encode("utf-8"), gold_text(read_gz(gold))


def _trafilatura(**options: object) -> Callable[[bytes], str | None]:
    import trafilatura

    def extract(html: bytes) -> str | None:
        return trafilatura.extract(html, include_comments=False, deduplicate=False, **options)  # type: ignore[arg-type]

    return extract


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="boilerplate folder (default: %(default)s)")
    parser.add_argument("--sample", type=int, default=1, metavar="N", help="keep about one page in N (default: all)")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"no boilerplate data at {args.data}: nothing to measure")
        return 0
    systems: dict[str, Callable[[bytes], str | None]] = {
        "storyline clean_html": clean_html_text,
        "trafilatura default": _trafilatura(),
        "trafilatura favor_precision": _trafilatura(favor_precision=True),
    }
    print(f"{'data':<16} {'system':<28} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} {'empty':>5} {'ms/page':>8}")
    for dataset in DATASETS:
        if not (args.data / dataset / "input").is_dir():
            continue
        docs = list(pages(args.data, dataset, args.sample))
        for name, extract in systems.items():
            counts: list[TpFpFn] = []
            empty, t0 = 0, time.perf_counter()
            for _, html, gold in docs:
                pred = extract(html)
                empty += not pred
                counts.append(tp_fp_fn(pred, gold))
            ms = 1000 * (time.perf_counter() - t0) / max(1, len(docs))
            r = aggregate(counts)
            print(f"{dataset:<16} {name:<28} {len(docs):>5} {r['precision']:>6.3f} {r['recall']:>6.3f} "
                  f"{r['f1']:>6.3f} {empty:>5} {ms:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
