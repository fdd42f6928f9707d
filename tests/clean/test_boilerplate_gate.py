"""Quality gate: scraped-text boilerplate removal on held-out CleanEval-final pages must stay
above tests/floors/boilerplate.json.

One page in 8 (by a stable hash of its name: 95 pages) is rendered to scraped text and cleaned
twice (rules alone, rules + classifier); line-level scores as in bench/boilerplate.py, which
runs all 680 pages. About 10 s on an idle core, hence ``slow``. Skipped when the dataset is
absent or differs from the files the floors were set on.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.clean.plaintext import clean_plaintext
from storyline.clean.scraped_eval import TEST_SETS, fingerprint, pages, removed_lines, score

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "datasets" / "boilerplate"
FLOORS = json.loads((REPO / "tests" / "floors" / "boilerplate.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_boilerplate_removal_stays_above_floors() -> None:
    if not (DATA / "cleaneval-final" / "input").is_dir():
        pytest.skip(f"no CleanEval-final data under {DATA}")
    if fingerprint(DATA, "cleaneval-final") != FLOORS["data_fingerprint"]:
        pytest.skip("the CleanEval-final files differ from those the floors were set on")
    test = list(pages(DATA, TEST_SETS, sample=FLOORS["sample"]))
    assert len(test) == FLOORS["pages"]
    rules = [(pg.labels, removed_lines(pg.text, clean_plaintext(pg.text, line_model=False))) for pg in test]
    full = [(pg.labels, removed_lines(pg.text, clean_plaintext(pg.text))) for pg in test]
    got = {"rules": score(rules), "rules + classifier": score(full)}
    for name, floors in FLOORS["floors"].items():
        for metric, floor in floors.items():
            assert got[name][metric] >= floor, (name, metric, got[name][metric], floor)
