"""Scraped-text boilerplate: line-level scores on held-out CleanEval-final pages.

    .venv/bin/python bench/boilerplate.py [--data ../shared/datasets/boilerplate] [--sample N]

Pages are rendered to scraped text and their lines labelled by the gold content
(storyline.clean.scraped_eval: split fixed in advance, the classifier is trained on Dragnet +
CleanEval-dev only). Each cleaner is run on the same texts in the same run:

* ``old rules``: src/storyline/clean/plaintext.py as committed at git HEAD (loaded from
  ``git show``; skipped when git or the file is unavailable),
* ``rules``: today's cleaner with the line classifier off,
* ``classifier``: the classifier alone (line score above its threshold),
* ``rules + classifier``: today's cleaner as shipped.

A line counts as *removed* when removals cover at least half of its characters, except
removals that move the line to metadata (title, byline, dateline, credit, published line):
those lines are kept (as metadata). "article kept" is the share of gold-content lines not
removed (goal ≥ 0.99), "words kept" the same weighted by words (a lost "Comments" heading
weighs less than a lost paragraph); "boilerplate removed" the share of other lines removed
(goal ≥ 0.90);
precision/recall/F1 are those of "removed". Lines without a letter or digit are not scored.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from storyline.clean.lineclass import load_model
from storyline.clean.plaintext import clean_plaintext, split_lines
from storyline.clean.scraped_eval import TEST_SETS, TRAIN_SETS, Page, pages, removed_lines, score
from storyline.types import Cleaned

REPO = Path(__file__).resolve().parents[1]


def old_cleaner() -> Callable[[str], Cleaned] | None:
    """clean_plaintext as committed at git HEAD, or None."""
    try:
        src = subprocess.run(
            ["git", "show", "HEAD:src/storyline/clean/plaintext.py"], cwd=REPO, capture_output=True, check=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(tempfile.mkdtemp()) / "plaintext_head.py"
    path.write_text(src, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("plaintext_head", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["plaintext_head"] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod.clean_plaintext  # type: ignore[no-any-return]


def evaluate(
    data: Path, *, sample: int | None = None, thresholds: tuple[float, ...] = (), sets: tuple[str, ...] = TEST_SETS
) -> dict[str, dict[str, float]]:
    """Scores of each cleaner (and of the shipped cleaner at other thresholds) on ``sets``."""
    test: list[Page] = list(pages(data, sets, sample=sample))
    model = load_model()
    cleaners: dict[str, Callable[[str], list[bool]]] = {}
    old = old_cleaner()
    if old is not None:
        cleaners["old rules (HEAD)"] = lambda raw: removed_lines(raw, old(raw))
    cleaners["rules"] = lambda raw: removed_lines(raw, clean_plaintext(raw, line_model=False))
    if model is not None:
        def classifier_only(raw: str) -> list[bool]:
            lines = split_lines(raw)
            if not lines:
                return []
            p = model.proba([ln.norm for ln in lines], [ln.block for ln in lines])
            return [bool(v > model.threshold) for v in p]

        cleaners["classifier"] = classifier_only
        cleaners["rules + classifier"] = lambda raw: removed_lines(raw, clean_plaintext(raw))
        def at_threshold(t: float) -> Callable[[str], list[bool]]:
            return lambda raw: removed_lines(raw, clean_plaintext(raw, threshold=t))

        for t in thresholds:
            cleaners[f"rules + classifier @ {t:g}"] = at_threshold(t)
    out: dict[str, dict[str, float]] = {}
    for name, fn in cleaners.items():
        t0 = time.perf_counter()
        pairs = [(pg.labels, fn(pg.text)) for pg in test]
        res = score(pairs, [pg.words for pg in test])
        res["pages"] = len(test)
        res["seconds"] = time.perf_counter() - t0
        out[name] = res
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "datasets" / "boilerplate")
    ap.add_argument("--sample", type=int, default=None, help="keep about one page in N")
    ap.add_argument("--split", choices=("test", "train"), default="test",
                    help="test: CleanEval-final (held out); train: Dragnet + CleanEval-dev (the training pages)")
    ap.add_argument("--thresholds", default="0.5,0.8,0.9,0.95,0.98,0.999")
    args = ap.parse_args(argv)
    sets = TEST_SETS if args.split == "test" else TRAIN_SETS
    if not (args.data / "cleaneval-final" / "input").is_dir():
        print(f"no CleanEval-final data under {args.data}", file=sys.stderr)
        return 1
    model = load_model()
    base = model.threshold if model else 0.5
    thresholds = tuple(float(t) for t in args.thresholds.split(",") if t)
    res = evaluate(args.data, sample=args.sample, thresholds=thresholds, sets=sets)
    first = next(iter(res.values()))
    where = "CleanEval-final (held out)" if args.split == "test" else "Dragnet + CleanEval-dev (training pages)"
    print(f"{where}: {first['pages']:.0f} pages, {first['content_lines']:.0f} article lines, "
          f"{first['boilerplate_lines']:.0f} boilerplate lines; shipped threshold {base:.4f}")
    print(f"{'cleaner':32} {'P(removed)':>10} {'R(removed)':>10} {'F1':>6} {'article kept':>12} "
          f"{'words kept':>10} {'boiler removed':>14} {'s':>6}")
    for name, r in res.items():
        print(f"{name:32} {r['precision']:10.3f} {r['recall']:10.3f} {r['f1']:6.3f} {r['article_kept']:12.3f} "
              f"{r['article_words_kept']:10.3f} {r['boilerplate_removed']:14.3f} {r['seconds']:6.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
