"""Episodes on a single-topic stream, stories on a mixed folder (issue 16).

    python bench/episodes.py                 # both, full pipeline features (spaCy; ~2 min)
    python bench/episodes.py --text-only     # content words only (no spaCy)

* **Stream** — ``tests/fixtures/stream/syria_2016_2017.jsonl``: 59 real reports (openings of
  public pages, URL kept) of 10 distinct events of the Syrian war, 2016–2017, many of them
  evacuations and convoys (Aleppo, Daraya, Raqqa, Tabqa, Qalamoun, Manbij, the Rashidin
  bombing, al-Bab, Palmyra 2016 and 2017), each labelled with its event. Metric: pair F1 of
  episodes against events (a pair of documents is positive when both report one event).
  Split decided before tuning, by event: held out when ``sha1(label) % 3 == 0`` (Raqqa
  evacuation, Aleppo evacuation, Qalamoun convoy, Manbij: 25 documents), tuned on the other
  six (34 documents). Each part is clustered on its own, then the whole stream; arrival
  order is sha1 of the URL.
* **Mixed folder** — the 181 real pages of ``../shared/datasets/article-extraction`` (mostly
  18–19 November 2019, many subjects; text = the benchmark's ``articleBody``, not copied
  here), judged by ``tests/fixtures/mixed/related.json`` (groups of pages a reader would
  put in one story). Metric: share of story pairs that are unrelated (in no common group),
  with the number of pairs; goal ≤ 2 %.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "src"))

from storyline.corpus.stories import (
    DocFeatures,
    MemoryState,
    StorySettings,
    assign_all,
    doc_features,
    text_features,
)

STREAM = REPO / "tests" / "fixtures" / "stream" / "syria_2016_2017.jsonl"
MIXED = REPO.parent / "shared" / "datasets" / "article-extraction" / "ground-truth.json"
RELATED = REPO / "tests" / "fixtures" / "mixed" / "related.json"


def held_out(label: str) -> bool:
    """The stream's split, by event (decided before any tuning)."""
    return int(hashlib.sha1(label.encode()).hexdigest(), 16) % 3 == 0


def load_stream(path: Path = STREAM) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def load_mixed(path: Path = MIXED) -> list[dict[str, Any]]:
    """The mixed folder's pages: url and text (None when the data set is absent)."""
    gt = json.loads(path.read_text())
    return [{"url": v["url"], "text": v["articleBody"], "title": None, "published": None} for _, v in sorted(gt.items())]


def text_only(rows: Sequence[dict[str, Any]], settings: StorySettings | None = None) -> list[DocFeatures]:
    return [text_features(r["url"], r["text"], title=r.get("title"), published=r.get("published"), settings=settings)
            for r in rows]


def full(rows: Sequence[dict[str, Any]], settings: StorySettings | None = None) -> list[DocFeatures]:
    """Features after storyline's whole per-document pipeline (spaCy; ~0.2–0.5 s a document)."""
    from storyline import Doc, Pipeline

    p = Pipeline()
    out = []
    for r in rows:
        meta = {k: r[k] for k in ("title", "published", "url") if r.get(k)}
        doc, rej = p.process(Doc(id=r["url"], source_path=r["url"], locator="", content_type="text",
                                 raw=r["text"].encode(), input_meta=meta))
        out.append(doc_features(doc, settings) if rej is None else text_features(r["url"], r["text"], settings=settings))
    return out


def cluster(feats: Sequence[DocFeatures], settings: StorySettings | None = None) -> tuple[list[list[str]], list[list[str]]]:
    """Stories and episodes (lists of urls) after a single pass in sha1(url) order."""
    order = sorted(feats, key=lambda f: hashlib.sha1(f.doc_id.encode()).hexdigest())
    _, placed = assign_all(order, MemoryState(), settings)
    stories, episodes = defaultdict(list), defaultdict(list)
    for p in placed:
        stories[p.story].append(p.doc_id)
        episodes[p.episode].append(p.doc_id)
    return list(stories.values()), list(episodes.values())


def _pairs(groups: Sequence[Sequence[str]]) -> set[frozenset[str]]:
    return {frozenset(p) for g in groups for p in itertools.combinations(g, 2)}


def pair_prf(gold: Sequence[Sequence[str]], response: Sequence[Sequence[str]]) -> tuple[float, float, float]:
    g, r = _pairs(gold), _pairs(response)
    tp = len(g & r)
    p = tp / len(r) if r else 1.0
    rc = tp / len(g) if g else 1.0
    return p, rc, (2 * p * rc / (p + rc) if p + rc else 0.0)


def stream_scores(rows: Sequence[dict[str, Any]], feats: Sequence[DocFeatures],
                  settings: StorySettings | None = None) -> dict[str, tuple[float, float, float, int]]:
    """Episode pair P/R/F1 and the number of episodes on the tuning part, the held-out part
    and the whole stream (each clustered on its own)."""
    label = {r["url"]: r["event"] for r in rows}
    by_id = {f.doc_id: f for f in feats}
    out = {}
    for part, keep in (("tune", lambda lab: not held_out(lab)), ("held-out", held_out), ("all", lambda lab: True)):
        ids = [r["url"] for r in rows if keep(r["event"])]
        _, episodes = cluster([by_id[i] for i in ids], settings)
        gold: dict[str, list[str]] = defaultdict(list)
        for i in ids:
            gold[label[i]].append(i)
        p, rc, f1 = pair_prf(list(gold.values()), episodes)
        out[part] = (p, rc, f1, len(episodes))
    return out


def unrelated_pairs(stories: Sequence[Sequence[str]], related: dict[str, Any]) -> tuple[int, list[tuple[str, str]]]:
    """All story pairs, and those a reader would call unrelated (in no common group)."""
    group = {u: g for g, us in related["groups"].items() for u in us}
    pairs = [tuple(sorted(p)) for s in stories for p in itertools.combinations(s, 2)]
    bad = [p for p in pairs if group.get(p[0]) is None or group.get(p[0]) != group.get(p[1])]
    return len(pairs), bad  # type: ignore[return-value]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--text-only", action="store_true", help="content words only (no spaCy pipeline)")
    args = ap.parse_args(argv)
    make: Callable[[Sequence[dict[str, Any]]], list[DocFeatures]] = text_only if args.text_only else full
    rows = load_stream()
    print(f"stream: {len(rows)} reports, {len({r['event'] for r in rows})} events "
          f"({len({r['event'] for r in rows if held_out(r['event'])})} held out)")
    print(f"{'part':<10} {'P':>6} {'R':>6} {'F1':>6} {'episodes':>9}")
    for part, (p, rc, f1, n) in stream_scores(rows, make(rows)).items():
        print(f"{part:<10} {p:6.3f} {rc:6.3f} {f1:6.3f} {n:9d}")
    if not MIXED.is_file():
        print(f"mixed folder: {MIXED} not found, skipped")
        return 0
    mixed = load_mixed()
    stories, _ = cluster(make(mixed))
    total, bad = unrelated_pairs(stories, json.loads(RELATED.read_text()))
    rate = len(bad) / total if total else 0.0
    print(f"mixed folder: {len(mixed)} pages, {len(stories)} stories, {total} story pairs, "
          f"{len(bad)} unrelated ({100 * rate:.1f} %; goal ≤ 2 %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
