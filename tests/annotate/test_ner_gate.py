"""Quality gates: entity recognition on re3d must stay above the floors in tests/floors/ner.json.

Skipped when the re3d data is absent or differs from the data the floors were set on (the
file pins its SHA-256).

* ``test_re3d_scores_stay_above_floors``: all sources pooled, the rules-only layer
  (``refine=False``: the shipped type model was fitted on all of re3d, so scoring it here
  would be in-sample). The places module is left out on purpose: this gate pins the entity
  layer; places have their own geocoding gate.
* ``test_re3d_leave_one_source_out``: issue #12's measure — per held-out source, the gain
  over bare spaCy of the layer whose type model and span conventions were fitted on the
  other four sources (:func:`storyline.annotate.ner_eval.loso`, places module included, as
  ``bench/ner.py --loso`` reports it).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from storyline.annotate import ner_eval as ev

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "datasets" / "re3d"
FLOORS = REPO / "tests" / "floors" / "ner.json"


def _floors() -> dict[str, Any]:
    if not DATA.is_dir():
        pytest.skip(f"no re3d data at {DATA}")
    floors: dict[str, Any] = json.loads(FLOORS.read_text())
    if ev.data_hash(DATA) != floors["data_sha256"]:
        pytest.skip("re3d differs from the data the floors were set on")
    return floors


@pytest.mark.slow
def test_re3d_scores_stay_above_floors() -> None:
    floors = _floors()
    import spacy

    from storyline.annotate.nlp import _model_name, load_nlp

    docs = ev.load_re3d(DATA)
    texts = [d.text for d in docs]
    bare = ev.score(docs, ev.bare_predictions(spacy.load(_model_name()), texts))
    ours_pred = ev.layer_predictions(load_nlp(), texts, refine=False)
    strict, relaxed = ev.score(docs, ours_pred), ev.score(docs, ours_pred, relaxed=True)
    f = floors["floors"]
    assert strict.macro_f1() >= f["ours_strict_macro_f1"], strict.as_dict()
    assert relaxed.macro_f1() >= f["ours_relaxed_macro_f1"], relaxed.as_dict()
    for typ, floor in f["ours_strict_f1"].items():
        assert strict.prf(typ)[2] >= floor, (typ, strict.as_dict())
    assert strict.macro_f1() - bare.macro_f1() >= f["strict_gain_over_bare"], (strict.macro_f1(), bare.macro_f1())


@pytest.mark.slow
def test_re3d_leave_one_source_out() -> None:
    floors = _floors()["loso"]["floors_gain"]
    import spacy

    from storyline.annotate.nlp import _model_name, load_nlp

    folds = ev.loso(ev.load_re3d(DATA), load_nlp(), spacy.load(_model_name()), ev.places_function())
    assert sorted(f.source for f in folds) == sorted(floors)
    for fold in folds:
        got = {"model": fold.gain("model"), "storyline": fold.gain("layer")}
        for system, floor in floors[fold.source].items():
            assert got[system] >= floor, (fold.source, system, got, fold.conventions)
