"""Refit the claim-pair model (src/storyline/data/claim_pair_model.json).

    python scripts/fit_claim_pairs.py [--dry-run]

Reads the labelled claim pairs (``tests/fixtures/claims``; :mod:`storyline.corpus.claims_eval`)
and keeps only the **tune** split — the held-out split is never read here;
``python bench/claims.py --pairs`` reports on it. For the lexical model and (when the
``embeddings`` extra is installed) the embedding model, it chooses, by repeated 5-fold
cross-validation on the tune pairs only:

* the features: ``lexical`` always (and ``cosine`` for the embedding model), plus up to three
  of the others in :data:`storyline.corpus.claim_scorer.LEXICAL_FEATURES` (more overfit: all
  ten reached a lower cross-validated recall). Pairs whose counts disagree are not fitted on:
  the scorer caps them below the threshold (a rule, as before: "at least 70 dead" and "at
  least 135 killed" are two reports however alike the words; fitted, the weight came out
  too weak to keep such a pair apart when all its other words match);
* the L2 weight (0.01 or 0.001);
* the operating point: the probability giving the highest cross-validated recall at
  precision ≥ 0.85 (ties: fewer features, then the stronger L2);

then fits the chosen model on all tune pairs (numpy logistic regression by gradient
descent) and writes the weights. About 3 minutes on 2 busy cores.
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import numpy as np

from storyline.corpus.claim_scorer import EMBEDDING_FEATURES, LEXICAL_FEATURES, WEIGHTS_FILE, pair_features
from storyline.corpus.claims_eval import LabelledPair, load_pairs
from storyline.corpus.claims_eval import pair_features as claim_of

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "storyline" / "data" / WEIGHTS_FILE
FIXTURES = REPO / "tests" / "fixtures" / "claims"
MIN_PRECISION = 0.85
L2 = (0.01, 0.001)
MAX_EXTRA = 3
SEEDS = 3


def fit_logistic(
    x: np.ndarray, y: np.ndarray, l2: float, steps: int = 2000, rate: float = 1.0
) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by gradient descent (bias not penalised)."""
    w = np.zeros(x.shape[1])
    b = 0.0
    for _ in range(steps):
        g = 1.0 / (1.0 + np.exp(-(x @ w + b))) - y
        w -= rate * (x.T @ g / len(y) + l2 * w)
        b -= rate * float(g.mean())
    return w, b


def best_operating_point(p: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """(probability, recall, precision): highest recall at precision ≥ MIN_PRECISION."""
    best = (1.0, 0.0, 1.0)
    for t in sorted(set(np.round(p, 4).tolist())):
        pred = p >= t
        tp = int((pred & (y > 0)).sum())
        fp = int((pred & (y == 0)).sum())
        prec, rec = (tp / (tp + fp) if tp + fp else 1.0), tp / max(1, int(y.sum()))
        if prec >= MIN_PRECISION and rec > best[1]:
            best = (float(t), rec, prec)
    return best


def cross_validated(x: np.ndarray, y: np.ndarray, l2: float, ruled: np.ndarray) -> np.ndarray:
    """Out-of-fold probabilities, averaged over SEEDS shuffles; ``ruled`` pairs (counts that
    disagree) are 0 and never fitted on, as the scorer caps them."""
    out = np.zeros(len(y))
    for seed in range(SEEDS):
        perm = np.random.RandomState(seed).permutation(len(y))
        for fold in np.array_split(perm, 5):
            train = np.setdiff1d(perm, fold)
            train = train[~ruled[train]]
            w, b = fit_logistic(x[train], y[train], l2)
            out[fold] += 1.0 / (1.0 + np.exp(-(x[fold] @ w + b)))
    out[ruled] = 0.0
    return out / SEEDS


def choose(x_all: np.ndarray, y: np.ndarray, fixed: list[str]) -> dict:
    ruled = x_all[:, EMBEDDING_FEATURES.index("numbers_disagree")] > 0
    optional = [f for f in LEXICAL_FEATURES if f not in fixed and f != "numbers_disagree"]
    best: tuple | None = None
    for r in range(MAX_EXTRA + 1):
        for extra in itertools.combinations(optional, r):
            names = [*fixed, *extra]
            x = x_all[:, [EMBEDDING_FEATURES.index(n) for n in names]]
            for l2 in L2:
                op, rec, prec = best_operating_point(cross_validated(x, y, l2, ruled), y)
                key = (rec, -len(names), l2)
                if best is None or key > best[0]:
                    best = (key, names, l2, op, rec, prec)
    assert best is not None
    _, names, l2, op, rec, prec = best
    x = x_all[:, [EMBEDDING_FEATURES.index(n) for n in names]]
    w, b = fit_logistic(x[~ruled], y[~ruled], l2)
    print(f"  chosen {names} l2={l2}: cross-validated on tune P {prec:.2f} / R {rec:.2f} at p >= {op:.3f}")
    return {
        "features": names,
        "weights": [round(float(v), 6) for v in w],
        "bias": round(b, 6),
        "operating_point": round(op, 6),
        "l2": l2,
        "tune_cv": {"precision": round(prec, 3), "recall": round(rec, 3)},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dry-run", action="store_true", help="print, do not write")
    args = ap.parse_args(argv)
    pairs: list[LabelledPair] = [
        p
        for p in load_pairs([FIXTURES / "pairs_real.jsonl", FIXTURES / "pairs_labelled.jsonl"])
        if p.split == "tune"
    ]
    y = np.asarray([p.same for p in pairs], dtype=float)
    cos: list[float | None] = [None] * len(pairs)
    from storyline.corpus.embeddings import Encoder, available

    if available():
        enc = Encoder()
        va, vb = enc.encode([p.a for p in pairs]), enc.encode([p.b for p in pairs])
        cos = [float(a @ b) for a, b in zip(va, vb)]
    x = np.asarray([pair_features(claim_of(p.a, "a"), claim_of(p.b, "b"), c) for p, c in zip(pairs, cos)])
    print(f"tune pairs: {len(pairs)} ({int(y.sum())} same)")
    old = json.loads(OUT.read_text(encoding="utf-8")) if OUT.is_file() else {"models": {}}
    models = {"lexical": choose(x, y, ["lexical"])}
    if available():
        models["embedding"] = choose(x, y, ["lexical", "cosine"])
    else:
        print("  embeddings extra not installed: the embedding model is kept as it was")
        models["embedding"] = old["models"]["embedding"]
    record = {
        "about": "Claim-pair model (storyline.corpus.claim_scorer), fitted by scripts/fit_claim_pairs.py on the"
        " tune split of tests/fixtures/claims only; held-out figures: bench/claims.py --pairs.",
        "tune_pairs": len(pairs),
        "models": models,
    }
    if args.dry_run:
        print(json.dumps(record, indent=1))
    else:
        OUT.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
