"""Quality gate: entity recognition on re3d must stay above the floors in tests/floors/ner.json.

Skipped when the re3d data is absent or differs from the data the floors were set on (the
file pins its SHA-256). The places module is left out on purpose: this gate pins the entity
layer (actor ruler + ``find_entities``); places have their own geocoding gate.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.annotate import ner_eval as ev

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "datasets" / "re3d"
FLOORS = REPO / "tests" / "floors" / "ner.json"


@pytest.mark.slow
def test_re3d_scores_stay_above_floors() -> None:
    if not DATA.is_dir():
        pytest.skip(f"no re3d data at {DATA}")
    floors = json.loads(FLOORS.read_text())
    if ev.data_hash(DATA) != floors["data_sha256"]:
        pytest.skip("re3d differs from the data the floors were set on")
    import spacy

    from storyline.annotate.nlp import _model_name, load_nlp

    docs = ev.load_re3d(DATA)
    texts = [d.text for d in docs]
    bare = ev.score(docs, ev.bare_predictions(spacy.load(_model_name()), texts))
    ours_pred = ev.layer_predictions(load_nlp(), texts)
    strict, relaxed = ev.score(docs, ours_pred), ev.score(docs, ours_pred, relaxed=True)
    f = floors["floors"]
    assert strict.macro_f1() >= f["ours_strict_macro_f1"], strict.as_dict()
    assert relaxed.macro_f1() >= f["ours_relaxed_macro_f1"], relaxed.as_dict()
    for typ, floor in f["ours_strict_f1"].items():
        assert strict.prf(typ)[2] >= floor, (typ, strict.as_dict())
    assert strict.macro_f1() - bare.macro_f1() >= f["strict_gain_over_bare"], (strict.macro_f1(), bare.macro_f1())
