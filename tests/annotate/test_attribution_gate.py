"""Quality gates: attribution extraction on PolNeAR and cue precision on real news must stay above
tests/floors/attribution.json.

PolNeAR gates are skipped when the data is absent or differs from the data the floors were set on
(the file pins the dev split's SHA-256). They score fixed subsets — the first 40 dev documents and
the first 40 documents of the held-aside fifth of train (never read while tuning, issue #12) — so
each runs in well under 30 s; ``python bench/attribution.py`` reports whole splits. Attributions
are scored as PolNeAR defines them (``cues="all"``: beliefs and stances included).

The cue-precision gate reads the real news articles of tests/fixtures/claims and the labels of a
careful reading (cue_labels.jsonl): the share of claims (communicative attributions) whose cue is
a communication act, and every extracted cue must be labelled.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.annotate import attribution_eval as ev

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "datasets" / "polnear"
FLOORS = REPO / "tests" / "floors" / "attribution.json"
NEWS = REPO / "tests" / "fixtures" / "claims"


def _polnear_scores(split: str, part: str | None, limit: int) -> dict[str, dict[str, float]]:
    from storyline.annotate.attribution import find_attributions
    from storyline.annotate.entities import find_entities
    from storyline.annotate.nlp import load_nlp

    docs = ev.load_polnear(DATA, split, limit=limit, part=part)
    nlp = load_nlp()
    preds = [
        ev.predicted(find_attributions(d, find_entities(d)[0], cues="all"))
        for d in nlp.pipe([x.text for x in docs], batch_size=8)
    ]
    return ev.score(docs, preds).as_dict()


@pytest.mark.slow
@pytest.mark.parametrize("gate", ["dev", "heldout"])
def test_polnear_scores_stay_above_floors(gate: str) -> None:
    floors = json.loads(FLOORS.read_text())
    split = floors["split"]
    if not (DATA / split / "attributions").is_dir() or not (DATA / "train" / "attributions").is_dir():
        pytest.skip(f"no PolNeAR data at {DATA}")
    if ev.data_hash(DATA, split) != floors["data_sha256"]:
        pytest.skip("PolNeAR differs from the data the floors were set on")
    if gate == "dev":
        scores = _polnear_scores(split, None, floors["documents"])
        want = floors["floors"]
    else:
        g = floors["heldout"]
        scores = _polnear_scores("train", "heldout", g["documents"])
        want = g["floors"]
    for name, floor in want.items():
        assert scores[name]["f1"] >= floor, (gate, name, scores[name], floor)


@pytest.mark.slow
def test_news_cue_precision_stays_above_floor() -> None:
    from storyline.annotate.attribution import find_attributions
    from storyline.annotate.entities import find_entities
    from storyline.annotate.nlp import load_nlp

    floors = json.loads(FLOORS.read_text())["news_cue_precision"]
    nlp = load_nlp()
    found = []
    for url, text in ev.load_news(NEWS / "news_articles.jsonl"):
        doc = nlp(text)
        found.append((url, find_attributions(doc, find_entities(doc)[0])))
    r = ev.cue_precision(found, ev.load_cue_labels(NEWS / "cue_labels.jsonl"))
    assert not r.unlabelled, f"label these cues in cue_labels.jsonl first: {r.unlabelled}"
    assert r.claims >= floors["min_claims"] and r.precision >= floors["floor"], (r.communication, r.claims)
