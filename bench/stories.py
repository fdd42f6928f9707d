"""Story clustering on ECB+: documents → stories (gold: topic) and episodes (gold: sub-topic).

    python bench/stories.py                  # data from ../shared/datasets/ecbplus
    python bench/stories.py --no-full        # text-only features (no spaCy pipeline run)
    python bench/stories.py --tune           # re-run the grid search on the dev topics

Setting: every ECB+ document of a split (dev: topics 1–10, reported: 11–35; 15 and 17 are
absent from the release) is clustered together, not topic by topic. Gold story = the topic
folder; gold episode = topic + sub-topic (the ``ecb`` / ``ecbplus`` suffix: two different
events of the same kind, e.g. two celebrities entering rehab). Metric: B³ (Bagga & Baldwin
1998) P/R/F1 over documents, via :func:`storyline.corpus.coref_metrics.b_cubed`.

Systems, all on the same tokens:

* ``storyline text-only``: :mod:`storyline.corpus.stories`, single pass in a fixed pseudo-
  random arrival order (sha1 of the file name), with :func:`text_features` (content words;
  ECB+ has no titles or publication metadata);
* ``storyline full``: the same after running storyline's whole per-document pipeline (spaCy,
  entities, places, times, events) on each document, :func:`doc_features` (``--no-full``
  skips it: about 0.1 s per document);
* baselines (batch, not incremental): TF-IDF cosine of the same content words, clustered by
  average-link and by single-link agglomeration, one threshold per level tuned on dev.

Thresholds of every system are chosen on dev by story F1 (story threshold) and episode F1
(episode threshold); defaults of :class:`StorySettings` are the full-feature choice.
Speed: assignment docs/s over all 772 documents, and the mean number of candidates scored
and time per added document for the first and last 100 arrivals (cost must not grow with N).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import sys
import time
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[0] / "src"))
sys.path.insert(0, str(HERE))
from ecbplus import DEFAULT_DATA, load, parse_range  # noqa: E402  (the one ECB+ loader)

from storyline.corpus.coref_metrics import b_cubed  # noqa: E402
from storyline.corpus.events import cluster_matrix  # noqa: E402
from storyline.corpus.stories import (  # noqa: E402
    DocFeatures,
    MemoryState,
    StorySettings,
    assign_all,
    doc_features,
    idf,
    text_features,
)


def ecb_texts(data: Path) -> dict[str, str]:
    """File name → plain text (tokens joined, one line per sentence)."""
    docs, _, _ = load(data)
    out = {}
    for name, d in docs.items():
        sents: dict[int, list[str]] = {}
        for w, s in zip(d.words, d.sent):
            sents.setdefault(s, []).append(w)
        out[name] = "\n".join(" ".join(ws) for ws in sents.values())
    return out


def data_sha256(data: Path) -> str:
    """Hash of the ECB+ files (names and bytes) the scores were measured on."""
    h = hashlib.sha256()
    for p in sorted((data / "ECB+").glob("*/*.xml")):
        h.update(p.name.encode() + b"\n" + p.read_bytes())
    return h.hexdigest()


def gold(names: list[str], level: str) -> list[list[str]]:
    g = defaultdict(list)
    for n in names:
        topic, rest = n.split("_", 1)
        g[topic if level == "story" else topic + ("+" if "ecbplus" in rest else "")].append(n)
    return list(g.values())


def arrival_order(names: list[str]) -> list[str]:
    return sorted(names, key=lambda n: hashlib.sha1(n.encode()).hexdigest())


def text_only(texts: dict[str, str], settings: StorySettings | None = None) -> dict[str, DocFeatures]:
    return {n: text_features(n, t, settings=settings) for n, t in texts.items()}


def full_features(texts: dict[str, str], cache: Path | None = None) -> dict[str, DocFeatures]:
    """Features after storyline's whole per-document pipeline; kept in ``cache`` (a JSON file
    under bench/out, keyed by the texts and the stage versions) since the pipeline takes a while."""
    import json

    from storyline import Doc, Pipeline

    p = Pipeline()
    key = hashlib.sha256(json.dumps([sorted(texts.items()), p.versions, StorySettings().config], sort_keys=True).encode()).hexdigest()
    if cache is not None and cache.is_file():
        got = json.loads(cache.read_text())
        if got.get("key") == key:
            return {n: DocFeatures.from_json(n, f) for n, f in got["features"].items()}
    out = {}
    for n, t in texts.items():
        doc, rej = p.process(Doc(id=n, source_path=n, locator="", content_type="text", raw=t.encode()))
        out[n] = doc_features(doc) if rej is None else text_features(n, t)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps({"key": key, "features": {n: f.to_json() for n, f in out.items()}}))
    return out


def run_storyline(feats: dict[str, DocFeatures], names: list[str], s: StorySettings):
    state, placed = assign_all((feats[n] for n in arrival_order(names)), MemoryState(), s)
    stories, episodes = defaultdict(list), defaultdict(list)
    for p in placed:
        stories[p.story].append(p.doc_id)
        episodes[p.episode].append(p.doc_id)
    return list(stories.values()), list(episodes.values()), placed


def tfidf_matrix(feats: dict[str, DocFeatures], names: list[str]) -> np.ndarray:
    df = Counter(k for n in names for k in feats[n].channels["w"])
    vocab = {k: i for i, k in enumerate(sorted(df))}
    m = np.zeros((len(names), len(vocab)))
    for r, n in enumerate(names):
        for k, w in feats[n].channels["w"].items():
            m[r, vocab[k]] = w * idf(df[k], len(names))
    m /= np.linalg.norm(m, axis=1, keepdims=True) + 1e-12
    return m @ m.T


def link_clusters(sim: np.ndarray, names: list[str], threshold: float, method: str) -> list[list[str]]:
    if method == "average":
        labels = cluster_matrix(sim, threshold)
    else:  # single link = connected components of the ≥ threshold graph
        from scipy.sparse.csgraph import connected_components

        _, labels = connected_components(sim >= threshold, directed=False)
    g = defaultdict(list)
    for n, lab in zip(names, labels):
        g[int(lab)].append(n)
    return list(g.values())


def f1(key, resp) -> float:
    return b_cubed(key, resp)[2]


def tune_storyline(feats, dev, base: StorySettings, grid_weights: bool) -> StorySettings:
    gs, ge = gold(dev, "story"), gold(dev, "episode")
    best = None
    weight_sets = [(base.w_text, base.w_entities, base.w_places, base.w_events)]
    if grid_weights:
        weight_sets = [(0.6, 0.2, 0.15, 0.05), (0.5, 0.25, 0.2, 0.05), (0.7, 0.15, 0.1, 0.05), (0.8, 0.1, 0.1, 0.0),
                       (0.4, 0.3, 0.2, 0.1)]
    for (wt, we, wp, wv), k in itertools.product(weight_sets, (1, 2, 3, 5)):
        for st in (0.06, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25):
            s = replace(base, w_text=wt, w_entities=we, w_places=wp, w_events=wv, linkage=k,
                        story_threshold=st, episode_threshold=1.01)
            stories, _, _ = run_storyline(feats, dev, s)
            score = f1(gs, stories)
            if best is None or score > best[0]:
                best = (score, s)
    assert best is not None  # the grid is not empty
    s = best[1]
    best_e = None
    for et in (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6):
        if et < s.story_threshold:
            continue
        s2 = replace(s, episode_threshold=et)
        stories, episodes, _ = run_storyline(feats, dev, s2)
        score = f1(ge, episodes) + f1(gs, stories)
        if best_e is None or score > best_e[0]:
            best_e = (score, s2)
    assert best_e is not None  # some episode threshold is >= every story threshold tried
    return best_e[1]


def tune_baseline(sim_dev, dev, method) -> tuple[float, float]:
    out = []
    for level in ("story", "episode"):
        g = gold(dev, level)
        best = max((f1(g, link_clusters(sim_dev, dev, t, method)), t) for t in np.arange(0.02, 0.6, 0.02))
        out.append(round(float(best[1]), 2))
    return out[0], out[1]


def speed(feats, names, s: StorySettings) -> dict[str, float]:
    order = arrival_order(names)
    state = MemoryState()
    from storyline.corpus.stories import assign

    times, cands = [], []
    t0 = time.perf_counter()
    for n in order:
        t = time.perf_counter()
        p = assign(feats[n], state, s)
        times.append(time.perf_counter() - t)
        cands.append(p.candidates)
    total = time.perf_counter() - t0
    return {
        "docs_per_s": len(order) / total,
        "first_ms": 1000 * float(np.mean(times[:100])), "last_ms": 1000 * float(np.mean(times[-100:])),
        "first_cands": float(np.mean(cands[:100])), "last_cands": float(np.mean(cands[-100:])), "n": len(order),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--dev", default="1-10", help="development topics (the rest is reported)")
    ap.add_argument("--no-full", action="store_true", help="skip the full-pipeline features")
    ap.add_argument("--tune", action="store_true", help="grid-search thresholds of storyline on dev")
    args = ap.parse_args(argv)
    if not (args.data / "ECB+").is_dir():
        print(f"ECB+ not found under {args.data}; skipped.", file=sys.stderr)
        return 0
    t0 = time.perf_counter()
    texts = ecb_texts(args.data)
    names = sorted(texts)
    devset = parse_range(args.dev)
    dev = [n for n in names if int(n.split("_")[0]) in devset]
    test = [n for n in names if n not in set(dev)]
    systems = {"storyline text-only": text_only(texts)}
    t_feat = {}
    if not args.no_full:
        t = time.perf_counter()
        systems["storyline full"] = full_features(texts, HERE / "out" / "stories-ecbplus-features.json")
        t_feat["storyline full"] = time.perf_counter() - t
    default = StorySettings()
    chosen = {}
    for label, feats in systems.items():
        chosen[label] = tune_storyline(feats, dev, default, grid_weights=label.endswith("full")) if args.tune else default

    print(f"ECB+: {len(names)} documents, dev topics {args.dev} ({len(dev)} docs), reported {len(test)} docs; "
          f"data sha256 {data_sha256(args.data)[:12]}")
    for label, s in chosen.items():
        print(f"{label}: story_threshold {s.story_threshold}, episode_threshold {s.episode_threshold}, "
              f"linkage {s.linkage}, weights text/ent/place/event {s.w_text}/{s.w_entities}/{s.w_places}/{s.w_events}")
    base = systems["storyline text-only"]
    sim_dev, sim_test = tfidf_matrix(base, dev), tfidf_matrix(base, test)
    base_thr = {m: tune_baseline(sim_dev, dev, m) for m in ("average", "single")}
    for m, (ts, te) in base_thr.items():
        print(f"baseline {m}-link: story threshold {ts}, episode threshold {te}")
    print()
    head = f"{'system':<26}{'level':<9}" + "".join(f"{h:>7}" for h in ("dev P", "dev R", "dev F1", "test P", "test R", "test F1"))
    print(head)
    print("-" * len(head))
    results = {}
    for label, feats in systems.items():
        rows = {}
        for split, ns in (("dev", dev), ("test", test)):
            stories, episodes, _ = run_storyline(feats, ns, chosen[label])
            rows[("story", split)] = b_cubed(gold(ns, "story"), stories)
            rows[("episode", split)] = b_cubed(gold(ns, "episode"), episodes)
        results[label] = rows
    for m, (ts, te) in base_thr.items():
        rows = {}
        for split, ns, sim in (("dev", dev, sim_dev), ("test", test, sim_test)):
            rows[("story", split)] = b_cubed(gold(ns, "story"), link_clusters(sim, ns, ts, m))
            rows[("episode", split)] = b_cubed(gold(ns, "episode"), link_clusters(sim, ns, te, m))
        results[f"TF-IDF {m}-link (batch)"] = rows
    for label, rows in results.items():
        for level in ("story", "episode"):
            vals = [100 * x for split in ("dev", "test") for x in rows[(level, split)]]
            print(f"{label:<26}{level:<9}" + "".join(f"{v:>7.1f}" for v in vals))
    print()
    print("speed (assignment only, all documents, one process):")
    for label, feats in systems.items():
        sp = speed(feats, names, chosen[label])
        print(f"  {label:<24}{sp['docs_per_s']:>8.0f} docs/s; per added doc: first 100 {sp['first_ms']:.2f} ms "
              f"({sp['first_cands']:.1f} candidates), last 100 at N≈{sp['n']} {sp['last_ms']:.2f} ms "
              f"({sp['last_cands']:.1f} candidates)")
    for label, t in t_feat.items():
        if t < 5:
            print(f"  features for {label}: read from bench/out/stories-ecbplus-features.json (delete it to time the pipeline)")
            continue
        print(f"  features for {label}: {t:.0f} s for {len(names)} docs (spaCy pipeline, {len(names) / t:.1f} docs/s)")
    print(f"total {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
