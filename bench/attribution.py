"""Attribution extraction on PolNeAR: who said what, scored span by span, plus speed.

    python bench/attribution.py [--data DIR] [--split dev] [--part tune|heldout] [--limit N] [--json]

DIR defaults to ../shared/datasets/polnear (``{split}/text/*.txt`` and BRAT
``{split}/attributions/*.ann``; see its README.upstream.md). Development happened on ``train``;
since issue #12 one train document in five (a stable hash of its name,
:func:`storyline.annotate.attribution_eval.heldout`) is kept aside and never read while tuning:
``--split train --part heldout`` scores it, ``--part tune`` the rest; ``dev`` is reported too.
Scores are given twice: for every attribution (``cues="all"``: PolNeAR's notion, beliefs and
stances included) and for the claims the pipeline stores (``communicative`` cues only). Prints,
from one run on the same documents:

* precision / recall / F1 for source (speaker), cue and content spans, *exact* and *overlap*
  match as BBC Citron measures them (``citron/metrics.py``; definitions in
  :mod:`storyline.annotate.attribution_eval`), plus a one-to-one span match, beside Citron's
  published content-span figures — Citron was trained and tested on PARC 3.0 (Wall Street
  Journal), not PolNeAR: different data and annotation guidelines, an anchor rather than a race
  — and the project's goals (overlap F1 ≥ 80 content, ≥ 75 source);
* cue precision: the share of claims whose cue is a communication act — on PolNeAR as the share
  whose cue overlaps a gold cue, and on the real news articles of tests/fixtures/claims (labels
  from a careful reading, cue_labels.jsonl); goal ≥ 0.95;
* speed: words/s of :func:`find_attributions` alone (on already parsed documents), and the
  time of the annotation layer (spaCy parse + entities + places + times + quantities) with and
  without attribution on the same documents: the ratio, goal ≤ 1.30.

Without the data the script says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "datasets" / "polnear"

try:
    import storyline  # noqa: F401
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(REPO / "src"))

from storyline.annotate import attribution_eval as ev

# BBC Citron, model en_2021-11-15 (models/en_2021-11-15/README.md, "Quantitative Analysis"),
# PARC 3.0 test partition. Content spans only.
CITRON = {"content_exact": 59.3, "content_overlap": 83.3}
GOALS = {"content_overlap": 82.0, "source_overlap": 78.0}
CUE_GOAL = 0.95
NEWS = REPO / "tests" / "fixtures" / "claims"
SPEED_GOAL = 1.30
THROUGHPUT_GOAL = 0.6


def _layer_parts() -> tuple[list[str], Any]:
    """The annotation layer's steps after the parse, as one callable (text, spaCy doc) -> entities."""
    from storyline.annotate.entities import find_entities, split_candidates

    names = ["parse", "entities"]
    steps: list[Any] = []
    try:
        from storyline.annotate.places import find_places

        names.append("places")
        steps.append(
            lambda text, cands: find_places(
                text, ents=split_candidates(cands)[0], blocked=split_candidates(cands)[1]
            )
        )
    except ImportError:  # pragma: no cover - a checkout without the places module
        pass
    try:
        from storyline.annotate.times import find_times

        names.append("times")
        steps.append(lambda text, cands: find_times(text))
    except ImportError:  # pragma: no cover
        pass
    try:
        from storyline.annotate.quantities import find_quantities

        names.append("quantities")
        steps.append(lambda text, cands: find_quantities(text))
    except ImportError:  # pragma: no cover
        pass

    def run(text: str, doc: Any) -> Any:
        mentions, cands = find_entities(doc)
        for step in steps:
            step(text, cands)
        return mentions

    return names, run


def news_cue_precision(nlp: Any) -> dict[str, Any] | None:
    """Cue precision of the claims (and of every attribution) on the labelled real news."""
    from storyline.annotate.attribution import communicative_only, find_attributions
    from storyline.annotate.entities import find_entities

    if not (NEWS / "news_articles.jsonl").is_file():
        return None
    labels = ev.load_cue_labels(NEWS / "cue_labels.jsonl")
    found = []
    for url, text in ev.load_news(NEWS / "news_articles.jsonl"):
        doc = nlp(text)
        found.append((url, find_attributions(doc, find_entities(doc)[0], cues="all")))
    out: dict[str, Any] = {}
    for mode, pick in (("claims", communicative_only), ("all", lambda a: a)):
        r = ev.cue_precision([(u, pick(a)) for u, a in found], labels)
        out[mode] = {
            "communication": r.communication,
            "claims": r.claims,
            "precision": round(r.precision, 4),
            "unlabelled": [list(x) for x in r.unlabelled],
        }
    out["articles"] = len(found)
    return out


def run(
    data: Path, split: str, limit: int | None, batch_size: int, part: str | None = None
) -> dict[str, Any]:
    from storyline.annotate.attribution import communicative_only, find_attributions
    from storyline.annotate.nlp import load_nlp

    docs = ev.load_polnear(data, split, limit, part=part)
    texts = [d.text for d in docs]
    words = sum(len(t.split()) for t in texts)
    nlp = load_nlp()
    nlp("warm up")
    names, layer = _layer_parts()

    t0 = time.perf_counter()
    parsed = list(nlp.pipe(texts, batch_size=batch_size))
    t1 = time.perf_counter()
    mentions = [layer(t, d) for t, d in zip(texts, parsed)]
    t2 = time.perf_counter()
    found = [find_attributions(d, m, cues="all") for d, m in zip(parsed, mentions)]
    t3 = time.perf_counter()

    scores = ev.score(docs, [ev.predicted(a) for a in found])
    claims = [communicative_only(a) for a in found]
    claim_scores = ev.score(docs, [ev.predicted(a) for a in claims])
    hit, total = ev.polnear_cue_precision(docs, claims)
    sample = None
    if split == "dev" and part is None and (NEWS / "polnear_dev_cue_labels.jsonl").is_file():
        # 100 claims drawn at random from dev, labelled by a careful reading (doc name + cue offset)
        labels = ev.load_cue_labels(NEWS / "polnear_dev_cue_labels.jsonl", key="doc")
        once = {d.name: a for d, a in zip(docs, claims)}  # a document annotated twice counts once
        r = ev.cue_precision(list(once.items()), labels, unlabelled=False)
        sample = {"communication": r.communication, "claims": r.claims, "precision": round(r.precision, 4)}
    layer_s = t2 - t0
    attr_s = t3 - t2
    return {
        "data": str(data),
        "split": split if part is None else f"{split} ({part})",
        "documents": len(docs),
        "words": words,
        "data_sha256": ev.data_hash(data, split) if limit is None else None,
        "gold_attributions": scores.gold,
        "predicted_attributions": scores.predicted,
        "scores": scores.as_dict(),
        "claim_scores": claim_scores.as_dict(),
        "claims": total,
        "polnear_cue_precision": round(hit / total, 4) if total else None,
        "polnear_sample_cue_precision": sample,
        "news_cue_precision": news_cue_precision(nlp),
        "speed": {
            "layer_steps": names,
            "layer_s": round(layer_s, 3),
            "parse_s": round(t1 - t0, 3),
            "attribution_s": round(attr_s, 3),
            "attribution_words_per_s": round(words / attr_s) if attr_s else None,
            "layer_words_per_s": round(words / layer_s) if layer_s else None,
            "ratio_with_attribution": round((layer_s + attr_s) / layer_s, 3) if layer_s else None,
            # throughput of the whole layer (parse + entities + places + times + quantities +
            # attribution) as a share of bare spaCy's (the parse alone), same documents, same run
            "throughput_vs_spacy": round((t1 - t0) / (layer_s + attr_s), 3) if layer_s + attr_s else None,
        },
    }


def _print(r: dict[str, Any]) -> None:
    s = r["scores"]
    print(
        f"PolNeAR {r['split']}: {r['documents']} documents, {r['words']:,} words, "
        f"{r['gold_attributions']} gold / {r['predicted_attributions']} predicted attributions"
    )
    print()
    print(f"{'span':8} {'match':8} {'P':>6} {'R':>6} {'F1':>6}   {'Citron F1*':>10} {'goal F1':>8}")
    for role in ev.ROLES:
        for kind in ("exact", "overlap", "span"):
            v = s[f"{role}_{kind}"]
            anchor = CITRON.get(f"{role}_{kind}")
            goal = GOALS.get(f"{role}_{kind}")
            anchor_s = "" if anchor is None else f"{anchor:.1f}"
            goal_s = "" if goal is None else f"≥ {goal:.0f}"
            print(
                f"{role:8} {kind:8} {v['p'] * 100:6.1f} {v['r'] * 100:6.1f} {v['f1'] * 100:6.1f}   "
                f"{anchor_s:>10} {goal_s:>8}"
            )
    cs = r["claim_scores"]
    print(
        f"claims only (communicative cues, what the pipeline stores): {r['claims']} claims; content overlap F1 "
        f"{cs['content_overlap']['f1'] * 100:.1f}, source overlap F1 {cs['source_overlap']['f1'] * 100:.1f}"
    )
    print(f"cue precision on PolNeAR (claim cue overlaps a gold cue): {r['polnear_cue_precision']}")
    if r.get("polnear_sample_cue_precision"):
        sp = r["polnear_sample_cue_precision"]
        print(
            f"cue precision on the hand-labelled sample of PolNeAR dev claims: {sp['communication']}/{sp['claims']}"
            f" = {sp['precision']:.3f} (goal ≥ {CUE_GOAL})"
        )
    news = r.get("news_cue_precision")
    if news:
        for mode in ("claims", "all"):
            n = news[mode]
            print(
                f"cue precision on {news['articles']} real news articles ({mode}): {n['communication']}/{n['claims']}"
                f" = {n['precision']:.3f} (goal ≥ {CUE_GOAL}; {len(n['unlabelled'])} cues unlabelled)"
            )
    print()
    print("* BBC Citron (en_2021-11-15) on PARC 3.0 test (Wall Street Journal, PARC guidelines):")
    print("  different data — an anchor, not a like-for-like comparison. exact = same spans after")
    print("  trimming punctuation, quotation marks and a leading 'that'; overlap = Citron's token-overlap")
    print("  P/R; span = one-to-one, >= 1 shared word. Nested attributions are not scored (PolNeAR is")
    print("  univocal).")
    sp = r["speed"]
    print()
    print(
        f"speed: find_attributions {sp['attribution_words_per_s']:,} words/s "
        f"({sp['attribution_s']:.2f} s); annotation layer ({' + '.join(sp['layer_steps'])}) "
        f"{sp['layer_words_per_s']:,} words/s ({sp['layer_s']:.2f} s)"
    )
    print(
        f"whole layer throughput / bare spaCy throughput = {sp['throughput_vs_spacy']:.3f}"
        f"  (goal ≥ {THROUGHPUT_GOAL:.1f})"
    )
    ratio = sp["ratio_with_attribution"]
    print(
        f"layer + attribution / layer = {ratio:.3f}  (goal ≤ {SPEED_GOAL:.2f}: "
        f"{'met' if ratio is not None and ratio <= SPEED_GOAL else 'NOT met'})"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], epilog="example: python bench/attribution.py --split dev"
    )
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="PolNeAR folder (default: %(default)s)")
    ap.add_argument("--split", default="dev", choices=["train", "dev", "test"], help="split to score")
    ap.add_argument("--part", choices=["tune", "heldout"], default=None, help="part of the split (train)")
    ap.add_argument("--limit", type=int, default=None, help="score only the first N documents")
    ap.add_argument("--batch-size", type=int, default=8, help="spaCy batch size")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args(argv)
    if not (args.data / args.split / "attributions").is_dir():
        print(f"no PolNeAR {args.split} split at {args.data}; nothing to measure", file=sys.stderr)
        return 0
    r = run(args.data, args.split, args.limit, args.batch_size, args.part)
    if args.json:
        print(json.dumps(r, indent=2))
    else:
        _print(r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
