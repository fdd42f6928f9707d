"""PLOVER typing and speed benchmark for storyline.annotate.events (issue 6).

    python bench/events.py [--data PLOVER_GSR_CAMEO.txt] [--errors] [--speed-docs N]

Typing: runs spaCy + entity layer + find_events on each text of PLOVER_GSR_CAMEO.txt (places,
times, quantities and claims left empty: the GSR gives single sentences), maps every event to
the PLOVER 0.5 GSR label (``plover_gsr``: FIGHT still separate there) and reports, per PLOVER
type our types cover, precision / recall at record level (a record predicts type T when any of
its events maps to T), plus coverage: the share of records whose gold type we cover and, of
those, the share with any prediction. The records are split by position: even positions are
the development half (the rules and lexicon were tuned looking at these only), odd positions
the held-out half — the number to report. ``--errors`` lists the development half's errors.

Speed: on PolNeAR dev texts (real news; ``../shared/datasets/polnear``), the annotation
layer (spaCy parse + entities + places + times + quantities + attributions) against the
events stage on the same documents (find_events, then cross-document build_events): the
ratio (layer + events) / layer, goal ≤ 1.30. Without the data a part says so and is skipped.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "datasets" / "plover" / "PLOVER_GSR_CAMEO.txt"
POLNEAR = REPO.parent / "shared" / "datasets" / "polnear"
SPEED_GOAL = 1.30


def _table(name: str, recs: list[dict[str, Any]], preds: list[set[str]], covered: set[str]) -> None:
    tp: Counter[str] = Counter()
    pred_n: Counter[str] = Counter()
    gold_n: Counter[str] = Counter()
    any_pred = 0
    for r, ps in zip(recs, preds):
        gold = r["event"]
        gold_n[gold] += 1
        for p in ps:
            pred_n[p] += 1
            tp[p] += p == gold
        if gold in covered and ps:
            any_pred += 1
    n_cov = sum(gold_n[t] for t in covered)
    print(f"\n{name}: {len(recs)} records")
    print(f"{'type':<10} {'gold':>5} {'pred':>5} {'tp':>4} {'P':>6} {'R':>6} {'F1':>6}")
    TP = PN = GN = 0
    for t in sorted(covered):
        g, p, k = gold_n[t], pred_n[t], tp[t]
        TP, PN, GN = TP + k, PN + p, GN + g
        P = k / p if p else 0.0
        R = k / g if g else 0.0
        F = 2 * P * R / (P + R) if P + R else 0.0
        print(f"{t:<10} {g:>5} {p:>5} {k:>4} {P:>6.2f} {R:>6.2f} {F:>6.2f}")
    P = TP / PN if PN else 0.0
    R = TP / GN if GN else 0.0
    print(f"{'micro':<10} {GN:>5} {PN:>5} {TP:>4} {P:>6.2f} {R:>6.2f} {2 * P * R / (P + R) if P + R else 0:>6.2f}")
    print(f"coverage: {n_cov}/{len(recs)} records ({n_cov / max(len(recs), 1):.0%}) have a gold type we cover; "
          f"{any_pred}/{n_cov} ({any_pred / max(n_cov, 1):.0%}) of those get any prediction")


def typing(path: Path, errors: bool) -> None:
    if not path.exists():
        print(f"PLOVER typing skipped: {path} not found")
        return
    from storyline.annotate.entities import find_entities
    from storyline.annotate.events import event_lexicon, find_events, plover_gsr_for
    from storyline.annotate.nlp import load_nlp

    recs = [r for r in json.loads(path.read_text(encoding="utf-8")) if r.get("text")]
    lex = event_lexicon()
    covered = {plover_gsr_for(t) for t in lex.types} | {plover_gsr_for(t, armed=True) for t in lex.types}
    covered.discard(None)
    nlp = load_nlp()
    preds: list[set[str]] = []
    found: list[list[Any]] = []
    t0 = time.perf_counter()
    for r in recs:
        sp = nlp(r["text"])
        ents, _ = find_entities(sp)
        evs = find_events(sp, entities=ents)
        found.append(evs)
        preds.append({e.plover_gsr for e in evs} - {None})
    dt = time.perf_counter() - t0
    print(f"PLOVER GSR typing: {len(recs)} records, {dt:.1f} s ({len(recs) / dt:.0f} records/s); "
          f"types covered: {', '.join(sorted(covered))}")
    dev = list(range(0, len(recs), 2))
    held = list(range(1, len(recs), 2))
    _table("development half (even positions; tuned on)", [recs[i] for i in dev], [preds[i] for i in dev], covered)
    _table("held-out half (odd positions; report this)", [recs[i] for i in held], [preds[i] for i in held], covered)
    _table("all records", recs, preds, covered)
    if errors:
        print("\ndevelopment errors (gold / predicted / triggers):")
        for i in dev:
            gold, ps = recs[i]["event"], preds[i]
            if (gold in covered and gold not in ps) or (ps - {gold}):
                trig = [(e.text, e.type, e.plover_gsr) for e in found[i] if e.plover_gsr]
                print(f"  {gold:<10} {sorted(ps)!s:<24} {trig}  | {recs[i]['text'][:160]}")


def speed(n_docs: int) -> None:
    texts = sorted((POLNEAR / "dev" / "text").glob("*.txt"))[:n_docs]
    if not texts:
        print(f"\nspeed skipped: no PolNeAR dev texts under {POLNEAR}")
        return
    from storyline.annotate.attribution import find_attributions
    from storyline.annotate.entities import find_entities, split_candidates
    from storyline.annotate.events import find_events
    from storyline.annotate.nlp import load_nlp
    from storyline.annotate.places import find_places
    from storyline.annotate.quantities import find_quantities
    from storyline.annotate.times import find_times
    from storyline.corpus.events import build_events, from_mention

    docs = [p.read_text(encoding="utf-8") for p in texts]
    words = sum(len(t.split()) for t in docs)
    nlp = load_nlp()
    nlp("warm up")
    t0 = time.perf_counter()
    layers = []
    for text in docs:
        sp = nlp(text)
        ents, cands = find_entities(sp)
        e_c, blocked = split_candidates(cands)
        places = find_places(text, ents=e_c, blocked=blocked)
        times = find_times(text)
        qs = find_quantities(text)
        attrs = find_attributions(sp, ents)
        layers.append((sp, ents, places, times, qs, attrs))
    t1 = time.perf_counter()
    mentions = []
    for k, (sp, ents, places, times, qs, attrs) in enumerate(layers):
        evs = find_events(sp, entities=ents, places=places, times=times, quantities=qs, attributions=attrs)
        mentions += [(str(k), m) for m in evs]
    t2 = time.perf_counter()
    inputs = [from_mention(m, d) for d, m in mentions]
    merged = build_events(inputs)
    t3 = time.perf_counter()
    layer_s, ev_s, co_s = t1 - t0, t2 - t1, t3 - t2
    ratio = (layer_s + ev_s + co_s) / layer_s
    print(f"\nspeed on {len(docs)} PolNeAR dev documents ({words:,} words): annotation layer {layer_s:.2f} s; "
          f"find_events {ev_s:.2f} s ({len(mentions)} mentions); build_events {co_s:.2f} s ({len(merged)} events)")
    print(f"(layer + events) / layer = {ratio:.3f}  (+{ratio - 1:.1%}; goal ≤ {SPEED_GOAL:.2f}: "
          f"{'met' if ratio <= SPEED_GOAL else 'NOT met'})")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", nargs="?", type=Path, default=DATA)
    ap.add_argument("--errors", action="store_true", help="list the development half's errors")
    ap.add_argument("--speed-docs", type=int, default=40, help="PolNeAR dev documents for the speed ratio (0: skip)")
    ap.add_argument("--no-typing", action="store_true")
    args = ap.parse_args(argv[1:])
    if not args.no_typing:
        typing(args.data, args.errors)
    if args.speed_docs:
        speed(args.speed_docs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
