"""Refit the toponym candidate ranker (src/storyline/data/place_ranking.json).

    python scripts/fit_place_ranking.py [--data DIR] [--rounds 1] [--l2 0.001] [--dry-run]

Reads LGL and GeoVirus (``bench/geocoding.py`` readers), keeps only the *fit* half of each
(a stable hash of the article id, ``bench/geocoding.split_of``), and resolves every gold
toponym span with ``find_places`` while tracing each name's candidates and their features
(``storyline.annotate.place_ranking``). A conditional logit is fitted with numpy: for each
gold toponym, a softmax over its name's candidates, the candidate nearest the gold point
(when within 161 km) is the positive; an L2 pull keeps the weights near the hand-set ones
where the data say little. The context features depend on the other names' readings, which
depend on the weights, so the trace-and-fit step is repeated (``--rounds``).

The *report* half is never read here; ``python bench/geocoding.py`` reports on it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path
from types import ModuleType
from unittest import mock

import numpy as np

from storyline.annotate import place_ranking
from storyline.annotate.gazetteer import Gazetteer
from storyline.annotate.places import find_places, haversine_km

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "storyline" / "data" / place_ranking.WEIGHTS_FILE


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_geocoding", REPO / "bench" / "geocoding.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def collect(bench: ModuleType, data: Path, gaz: Gazetteer) -> tuple[list[np.ndarray], list[int]]:
    """Per gold toponym with a candidate within 161 km: its name's feature matrix and the
    index of the candidate nearest the gold point."""
    groups: list[np.ndarray] = []
    positives: list[int] = []
    for name, fname in bench.FILES.items():
        path = data / fname
        if not path.is_file():
            continue
        for art in bench.select(bench.READERS[name](path), "fit"):
            trace: list[dict] = []
            ents = [(g.start, g.end, "GPE") for g in art.gold]
            find_places(art.text, ents=ents, gazetteer=gaz, include_demonyms=True, trace=trace)
            by_span = {sp: t for t in trace for sp in t["spans"]}
            for g in art.gold:
                t = by_span.get((g.start, g.end))
                if g.lat is None or t is None or len(t["cands"]) < 2:
                    continue
                dist = [haversine_km(g.lat, g.lon, la, lo) for la, lo, _, _, _ in t["cands"]]
                best = int(np.argmin(dist))
                if dist[best] > 161:
                    continue
                groups.append(np.array([f + c for _, _, _, f, c in t["cands"]], dtype=float))
                positives.append(best)
    return groups, positives


def fit(
    groups: list[np.ndarray],
    positives: list[int],
    w0: np.ndarray,
    l2: float,
    free: np.ndarray,
    steps: int = 1500,
) -> np.ndarray:
    """Conditional logit by Adam on the mean negative log-likelihood + l2 * |w - w0|^2; only
    the weights where ``free`` is true move."""
    sizes = np.array([len(g) for g in groups])
    owner = np.repeat(np.arange(len(groups)), sizes)
    x = np.vstack(groups)
    pos = np.cumsum(np.concatenate([[0], sizes[:-1]])) + np.array(positives)
    n = len(groups)
    w = w0.copy()
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    lr = 0.05
    for t in range(1, steps + 1):
        s = x @ w
        top = np.full(n, -np.inf)
        np.maximum.at(top, owner, s)
        e = np.exp(s - top[owner])
        z = np.bincount(owner, weights=e, minlength=n)
        p = e / z[owner]
        grad = (p[:, None] * x).sum(axis=0) - x[pos].sum(axis=0)
        grad = (grad / n + 2 * l2 * (w - w0)) * free
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        w -= lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return w


def accuracy(groups: list[np.ndarray], positives: list[int], w: np.ndarray) -> float:
    return float(np.mean([int(np.argmax(g @ w)) == p for g, p in zip(groups, positives)]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=None, help="folder with lgl.xml and GeoVirus.xml")
    ap.add_argument("--rounds", type=int, default=1, help="trace-and-fit rounds")
    ap.add_argument("--l2", type=float, default=0.001, help="pull towards the hand-set weights")
    ap.add_argument("--dry-run", action="store_true", help="fit and print, do not write the file")
    args = ap.parse_args(argv)
    bench = _bench()
    data = args.data or bench.DEFAULT_DATA
    if not any((data / f).is_file() for f in bench.FILES.values()):
        print(f"no geoparsing data in {data}; nothing fitted")
        return 0
    gaz = Gazetteer.load()
    names = place_ranking.STATIC + place_ranking.CONTEXT
    ws0, wc0 = place_ranking.default_weights()
    w0 = np.array(ws0 + wc0)
    w = w0.copy()
    t0 = time.perf_counter()
    for rnd in range(args.rounds):
        # trace with the weights of the previous round (the hand-set ones first): the
        # context the other names' readings give depends on them
        traced = (tuple(w[: len(ws0)]), tuple(w[len(ws0) :]))
        with mock.patch.object(place_ranking, "load_weights", lambda: traced):
            groups, positives = collect(bench, data, gaz)
        before = accuracy(groups, positives, w)
        free = np.array([f not in place_ranking.FIXED for f in names], dtype=float)
        w = fit(groups, positives, w0, args.l2, free)
        print(
            f"round {rnd + 1}: {len(groups)} ambiguous gold toponyms (fit half), top-1 {before:.3f} -> "
            f"{accuracy(groups, positives, w):.3f}"
        )
    payload = {
        "about": "Fitted by scripts/fit_place_ranking.py on the fit half of LGL and GeoVirus "
        "(bench/geocoding.py split_of: sha256 of the article id); features in storyline.annotate.place_ranking.",
        "l2": args.l2,
        "rounds": args.rounds,
        "examples": len(groups),
        "static": {f: round(float(x), 4) for f, x in zip(names[: len(ws0)], w[: len(ws0)])},
        "context": {f: round(float(x), 4) for f, x in zip(names[len(ws0) :], w[len(ws0) :])},
    }
    for f, a, b in zip(names, w0, w):
        print(f"  {f:22s} {a:7.2f} -> {b:7.2f}")
    if not args.dry_run:
        OUT.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {OUT} ({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
