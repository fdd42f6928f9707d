"""Quality gate: attribution extraction on PolNeAR must stay above tests/floors/attribution.json.

Skipped when the PolNeAR data is absent or differs from the data the floors were set on (the
file pins the dev split's SHA-256). Scores a fixed subset — the first 40 dev documents — so the
gate runs in well under 30 s; ``python bench/attribution.py`` reports the whole split.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.annotate import attribution_eval as ev

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "datasets" / "polnear"
FLOORS = REPO / "tests" / "floors" / "attribution.json"


@pytest.mark.slow
def test_polnear_scores_stay_above_floors() -> None:
    floors = json.loads(FLOORS.read_text())
    split = floors["split"]
    if not (DATA / split / "attributions").is_dir():
        pytest.skip(f"no PolNeAR {split} data at {DATA}")
    if ev.data_hash(DATA, split) != floors["data_sha256"]:
        pytest.skip("PolNeAR differs from the data the floors were set on")
    from storyline.annotate.attribution import find_attributions
    from storyline.annotate.entities import find_entities
    from storyline.annotate.nlp import load_nlp

    docs = ev.load_polnear(DATA, split, limit=floors["documents"])
    nlp = load_nlp()
    preds = [
        ev.predicted(find_attributions(d, find_entities(d)[0]))
        for d in nlp.pipe([x.text for x in docs], batch_size=8)
    ]
    scores = ev.score(docs, preds).as_dict()
    for name, floor in floors["floors"].items():
        assert scores[name]["f1"] >= floor, (name, scores[name], floor)
