"""PLOVER typing benchmark for storyline.annotate.events (issue 6).

Runs spaCy + entity layer + find_events on each text of PLOVER_GSR_CAMEO.txt (places, times,
quantities and claims left empty: the GSR gives single sentences), maps every event to the
PLOVER 0.5 GSR label (``plover_gsr``: FIGHT still separate there) and reports, per PLOVER type
our types cover, precision / recall at record level (a record predicts type T when any of its
events maps to T), plus coverage: the share of records whose gold type we cover and, of those,
the share with any prediction. Usage: python bench/events.py [path-to-PLOVER_GSR_CAMEO.txt]
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "datasets" / "plover" / "PLOVER_GSR_CAMEO.txt"


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DATA
    if not path.exists():
        print(f"skipped: {path} not found")
        return 0
    from storyline.annotate.entities import find_entities
    from storyline.annotate.events import event_lexicon, find_events, plover_gsr_for
    from storyline.annotate.nlp import load_nlp

    recs = [r for r in json.loads(path.read_text(encoding="utf-8")) if r.get("text")]
    lex = event_lexicon()
    covered = {plover_gsr_for(t) for t in lex.types} | {plover_gsr_for(t, armed=True) for t in lex.types}
    covered.discard(None)
    nlp = load_nlp()
    tp: Counter[str] = Counter()
    pred_n: Counter[str] = Counter()
    gold_n: Counter[str] = Counter()
    any_pred = 0
    t0 = time.perf_counter()
    for r in recs:
        sp = nlp(r["text"])
        ents, _ = find_entities(sp)
        preds = {e.plover_gsr for e in find_events(sp, entities=ents)} - {None}
        gold = r["event"]
        gold_n[gold] += 1
        for p in preds:
            pred_n[p] += 1
            if p == gold:
                tp[p] += 1
        if gold in covered and preds:
            any_pred += 1
    dt = time.perf_counter() - t0
    n_cov = sum(gold_n[t] for t in covered)
    print(f"PLOVER GSR typing: {len(recs)} records, {dt:.1f} s ({len(recs) / dt:.0f} records/s)")
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
    print(f"coverage: {n_cov}/{len(recs)} records ({n_cov / len(recs):.0%}) have a gold type we cover; "
          f"{any_pred}/{n_cov} ({any_pred / max(n_cov, 1):.0%}) of those get any prediction")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
