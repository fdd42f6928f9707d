"""Quality gate: publication dates on real pages stay above tests/floors/pubdates.json.

Runs storyline (``clean_html`` then the clean stage's metadata assembly, the page URL given
as input metadata) on the 200 pages of ``../shared/datasets/pubdates`` exactly as
``python bench/pubdates.py`` does, and checks accuracy and precision on all pages and on the
held-out half. About 20 s of CPU (the whole HTML cleaning runs), hence ``slow``. Skipped
when the data are absent or differ from the data the floors were measured on.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "datasets" / "pubdates"
FLOORS = json.loads((REPO / "tests" / "floors" / "pubdates.json").read_text(encoding="utf-8"))


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_pubdates", REPO / "bench" / "pubdates.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_publication_dates_stay_above_floors() -> None:
    if not (DATA / "eval_mediacloud_2020.json").is_file():
        pytest.skip(f"no pubdates data in {DATA}")
    bench = _bench()
    if bench.data_sha256(DATA) != FLOORS["data_sha256"]:
        pytest.skip(f"{DATA} differs from the data the floors were measured on (sha256 mismatch)")
    result = bench.run(DATA, systems=("storyline + URL",))["systems"]["storyline + URL"]
    assert result["all"]["pages"] == 200 and result["heldout"]["pages"] == 108, "the split changed"
    for split, floors in FLOORS["floors"].items():
        row = result[split]
        for metric, floor in floors.items():
            assert row[metric] >= floor, (
                f"{split}: {metric} fell to {row[metric]:.3f} (floor {floor}); run `python bench/pubdates.py --errors tune`"
            )
