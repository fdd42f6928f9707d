"""Quality gate: time expressions on TempEval-3's TBAQ-cleaned stay above tests/floors/times.json.

Scores all 256 TimeBank and AQUAINT documents (about 1 s: find_times costs < 1 ms per 1,000
words and the corpus has 86k words) with the scorer in ``bench/times.py``. Skipped when the
corpus is absent or differs from the data the floors were set on (the file pins its SHA-256).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "datasets" / "tempeval3" / "TBAQ-cleaned"
FLOORS = json.loads((REPO / "tests" / "floors" / "times.json").read_text(encoding="utf8"))


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("storyline_bench_times", REPO / "bench" / "times.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    return module


def test_tempeval3_timex_scores_stay_above_floors() -> None:
    bench = _bench()
    if not bench._files(DATA):
        pytest.skip(f"TempEval-3 TBAQ-cleaned not found at {DATA}")
    if bench.data_sha256(DATA) != FLOORS["data_sha256"]:
        pytest.skip(f"{DATA} differs from the data the floors were measured on (sha256 mismatch)")
    res = bench.evaluate(bench.load_documents(DATA))
    for name, floor in FLOORS["floors"].items():
        assert res[name] >= floor, (
            f"TempEval-3 {name} fell to {res[name]:.2f}, below the floor {floor} in tests/floors/times.json "
            f"(strict {res['strict_f1']:.1f}, relaxed {res['relaxed_f1']:.1f}, value {res['value_f1']:.1f}). "
            "Run `python bench/times.py --errors 50` to see the mistakes."
        )
