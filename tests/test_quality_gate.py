"""Quality gates: pinned floors for scores on gold data (tests/quality_floors.json).

A floor only means something for the data it was measured on, so each floor sits next to
the sha256 of its gold file; other data skips the gate instead of comparing apples to
pears. Raise a floor when a change improves the score; never lower one silently.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.clean.extraction_eval import data_sha256, evaluate

FLOORS = json.loads((Path(__file__).parent / "quality_floors.json").read_text(encoding="utf8"))
ARTICLE_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "article-extraction"


def test_article_extraction_f1_above_floor() -> None:
    floor = FLOORS["article_extraction"]
    if not (ARTICLE_DATA / "ground-truth.json").is_file():
        pytest.skip(f"article-extraction benchmark not found at {ARTICLE_DATA}")
    if data_sha256(ARTICLE_DATA) != floor["data_sha256"]:
        pytest.skip(
            f"{ARTICLE_DATA}/ground-truth.json differs from the data the floor was measured on "
            "(sha256 mismatch): different data, gate not applicable"
        )
    result = evaluate(ARTICLE_DATA)
    assert result["f1"] >= floor["f1"], (
        f"HTML main-text extraction F1 fell to {result['f1']:.3f} "
        f"(precision {result['precision']:.3f}, recall {result['recall']:.3f}), "
        f"below the floor {floor['f1']:.3f} in tests/quality_floors.json. "
        "Run `python bench/extraction.py` to see the scores; check the trafilatura version "
        "and storyline.clean.html.EXTRACTION_OPTIONS."
    )
