"""Fit the scraped-text line classifier (storyline.clean.lineclass) and write its weights.

    .venv/bin/python scripts/train_boilerplate.py [--data ../shared/datasets/boilerplate]
        [--out src/storyline/data/boilerplate_lines.json]

numpy only (no scikit-learn), deterministic: pages in a fixed order, Newton-IRLS logistic
regression (L2 penalty 1.0 on standardised features), no random initialisation. Takes about
four minutes on one core (rendering the pages is most of it).

Split (fixed before fitting, see storyline.clean.scraped_eval): trained on Dragnet and
CleanEval-dev; CleanEval-final is not read here. CleanEval-dev lines weigh 4× (58 pages of
older sites against 1,381 Dragnet news pages), a choice made before any evaluation.

The threshold is the largest score cut that keeps ≥ 99 % of article lines of the training
pages, scored out of fold (2 folds by a stable page-name hash), so it is not set on lines
the weights were fitted on.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

from storyline.clean.lineclass import FEATURES, LineModel, line_features
from storyline.clean.plaintext import split_lines
from storyline.clean.scraped_eval import TRAIN_SETS, pages

REPO = Path(__file__).resolve().parents[1]
KEEP_TARGET = 0.99
DEV_WEIGHT = 4.0
L2 = 1.0


def fit_logreg(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = L2, iters: int = 30) -> tuple[np.ndarray, float]:
    """Weighted L2 logistic regression by Newton-IRLS; x standardised; y in {0, 1}."""
    n, f = x.shape
    xb = np.hstack((x, np.ones((n, 1))))
    beta = np.zeros(f + 1)
    reg = np.full(f + 1, l2)
    reg[-1] = 0.0
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ beta, -30, 30)))
        g = xb.T @ (w * (p - y)) + reg * beta
        h = (xb * (w * p * (1 - p))[:, None]).T @ xb + np.diag(reg) + 1e-9 * np.eye(f + 1)
        step = np.linalg.solve(h, g)
        beta -= step
        if np.max(np.abs(step)) < 1e-7:
            break
    return beta[:-1], float(beta[-1])


def standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    return mean, scale


def fold(key: str) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 2


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "datasets" / "boilerplate")
    ap.add_argument("--out", type=Path, default=REPO / "src" / "storyline" / "data" / "boilerplate_lines.json")
    args = ap.parse_args(argv)

    xs, ys, ws, folds = [], [], [], []
    n_pages = 0
    for page in pages(args.data, TRAIN_SETS):
        lines = split_lines(page.text)
        keep = np.array([lab is not None for lab in page.labels])
        if not keep.any():
            continue
        n_pages += 1
        x = line_features([ln.norm for ln in lines], [ln.block for ln in lines])[keep]
        xs.append(x)
        ys.append(np.array([0.0 if lab else 1.0 for lab in page.labels if lab is not None]))  # 1 = boilerplate
        ws.append(np.full(len(x), DEV_WEIGHT if page.dataset == "cleaneval-dev" else 1.0))
        folds.append(np.full(len(x), fold(f"{page.dataset}/{page.name}")))
    x, y, w, f = np.vstack(xs), np.concatenate(ys), np.concatenate(ws), np.concatenate(folds)
    print(f"{n_pages} training pages, {len(y)} lines ({int(y.sum())} boilerplate)", file=sys.stderr)
    mean, scale = standardise(x)
    z = (x - mean) / scale

    oof = np.zeros(len(y))
    for k in (0, 1):
        wk, bk = fit_logreg(z[f != k], y[f != k], w[f != k])
        oof[f == k] = z[f == k] @ wk + bk
    p = 1.0 / (1.0 + np.exp(-np.clip(oof, -30, 30)))
    content = np.sort(p[y == 0])
    threshold = float(content[int(np.ceil(KEEP_TARGET * len(content))) - 1])  # remove when p > threshold
    kept = float(np.mean(p[y == 0] <= threshold))
    removed = float(np.mean(p[y == 1] > threshold))
    print(f"out of fold: threshold {threshold:.4f} keeps {kept:.4f} of article lines, removes {removed:.4f} "
          "of boilerplate lines", file=sys.stderr)

    weights, bias = fit_logreg(z, y, w)
    model = LineModel(
        mean, scale, weights, bias, round(threshold, 6),
        {
            "trained_on": list(TRAIN_SETS),
            "training_pages": n_pages,
            "training_lines": int(len(y)),
            "keep_target": KEEP_TARGET,
            "out_of_fold_article_kept": round(kept, 4),
            "out_of_fold_boilerplate_removed": round(removed, 4),
            "script": "scripts/train_boilerplate.py",
        },
    )
    args.out.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(FEATURES)} features)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
