"""Quality gate: toponym resolution on gold spans must stay above tests/floors/geocoding.json.

A fixed subset (the first articles of LGL and GeoVirus, as ``bench/geocoding.py`` reads them)
keeps it fast; the held-out gate reads the *report* half (a stable hash of the article id),
which the candidate ranker's fit (``scripts/fit_place_ranking.py``) never saw. Each floor sits
next to the SHA-256 of its data file: other data skips the gate. Raise a floor when a change
improves the score; never lower one silently.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from storyline.annotate.gazetteer import Gazetteer

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "datasets" / "geoparsing"
FLOORS = json.loads((REPO / "tests" / "floors" / "geocoding.json").read_text(encoding="utf-8"))


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_geocoding", REPO / "bench" / "geocoding.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("corpus", sorted(FLOORS["corpora"]))
def test_gold_toponym_resolution_above_floor(corpus: str) -> None:
    floor = FLOORS["corpora"][corpus]
    path = DATA / floor["file"]
    if not path.is_file():
        pytest.skip(f"no {floor['file']} in {DATA}")
    if hashlib.sha256(path.read_bytes()).hexdigest() != floor["data_sha256"]:
        pytest.skip(f"{path} differs from the data the floor was measured on (sha256 mismatch)")
    bench = _bench()
    articles = bench.READERS[corpus](path)[: floor["articles"]]
    scores, _, _ = bench.resolution_scores(articles, Gazetteer.load())
    row = scores.row()
    assert row["n"] == floor["toponyms"], "the subset changed: re-measure the floor"
    assert row["acc161"] >= floor["acc161"], (
        f"{corpus}: accuracy within 161 km fell to {row['acc161']:.3f} (floor {floor['acc161']}); "
        f"exact {row['exact']:.3f}, mean error {row['mean_km']:.0f} km. Run `python bench/geocoding.py`."
    )
    assert row["exact"] >= floor["exact"], (
        f"{corpus}: exact-match rate fell to {row['exact']:.3f} (floor {floor['exact']})"
    )


@pytest.mark.parametrize("corpus", sorted(FLOORS["held_out"]))
def test_held_out_resolution_above_floor(corpus: str) -> None:
    floor = FLOORS["held_out"][corpus]
    path = DATA / floor["file"]
    if not path.is_file():
        pytest.skip(f"no {floor['file']} in {DATA}")
    if hashlib.sha256(path.read_bytes()).hexdigest() != floor["data_sha256"]:
        pytest.skip(f"{path} differs from the data the floor was measured on (sha256 mismatch)")
    bench = _bench()
    articles = bench.select(bench.READERS[corpus](path), floor["split"])
    assert len(articles) == floor["articles"], "the split changed: re-measure the floor"
    scores, _, _ = bench.resolution_scores(articles, Gazetteer.load())
    row = scores.row()
    assert row["n"] == floor["toponyms"]
    assert row["acc161"] >= floor["acc161"], (
        f"{corpus} (held out): accuracy within 161 km fell to {row['acc161']:.3f} (floor {floor['acc161']})"
    )
    assert row["exact"] >= floor["exact"], f"{corpus} (held out): exact match fell to {row['exact']:.3f}"
