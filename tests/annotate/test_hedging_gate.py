"""Quality gates: hedge detection must stay above tests/floors/hedging.json.

* sentence level on CoNLL-2010 Wikipedia weasel data — skipped when the data is absent or differs
  from the file the floors were set on; 5-fold cross-validation (about 10 s), ``python
  bench/hedging.py`` reports 10 folds;
* cue level on real news (tests/fixtures/claims/hedge_labels.jsonl, the held-out half: sentences
  never read while the certainty lexicon was tuned) — epistemic hedges only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.annotate import hedging_eval as he

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "datasets" / "hedging" / "wiki_weasel_train.csv"
FLOORS = REPO / "tests" / "floors" / "hedging.json"


@pytest.mark.slow
def test_weasel_f1_stays_above_floors() -> None:
    if not DATA.is_file():
        pytest.skip(f"no hedging data at {DATA}")
    floors = json.loads(FLOORS.read_text())
    if he.data_hash(DATA) != floors["data_sha256"]:
        pytest.skip("the hedging data differs from the file the floors were set on")
    texts, y = he.load_weasel(DATA)
    results = he.cross_validate(texts, y, folds=floors["folds"])
    for name, floor in floors["floors"].items():
        assert results[name].f1 >= floor, (name, results[name], floor)


NEWS = REPO / "tests" / "fixtures" / "claims" / "hedge_labels.jsonl"


def test_news_hedge_cues_stay_above_floors() -> None:
    floors = json.loads(FLOORS.read_text())["news_cues"]
    r = he.news_cue_scores(he.load_news_hedges(NEWS, floors["part"]))
    assert r.tp + r.fn >= floors["min_gold_cues"]
    for name, floor in floors["floors"].items():
        assert getattr(r, name) >= floor, (name, r, floor)
