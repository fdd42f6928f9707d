"""The executors give the same store, record for record: in-process, a pool of 2 worker
processes, and Ray (a local Ray instance with 2 actors) on the sample corpus; an incremental
ingest and a from-scratch ``analyze --force`` agree too."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

import storyline
from storyline.cli import main
from storyline.errors import StorylineError
from storyline.executor import InProcess, ProcessPool, open_executor

# Per-document results and the corpus steps' stored output; timestamps and run ids left out.
TABLES = {
    "documents": "SELECT id, status, text FROM documents ORDER BY id",
    "layers": "SELECT * FROM layers ORDER BY 1, 2",
    "stage_runs": "SELECT doc_id, stage, version FROM stage_runs ORDER BY 1, 2",
    "rejections": "SELECT source_path, stage, code FROM rejections ORDER BY 1, 2, 3",
    "copied_passages": "SELECT source_doc, source_start, source_end, copy_doc, copy_start, copy_end, similarity, "
    "direction, evidence FROM copied_passages ORDER BY 1, 2, 3, 4, 5, 6",
    "story_docs": "SELECT doc_id, story_id, episode_id, score, how, features FROM story_docs ORDER BY 1",
}
LISTINGS = (["claims", "--json"], ["events", "--json"], ["stories", "--json"], ["entities", "--json"])


def _snapshot(db: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    con = sqlite3.connect(db)
    snap: dict[str, object] = {name: [tuple(r) for r in con.execute(sql)] for name, sql in TABLES.items()}
    con.close()
    for argv in LISTINGS:
        capsys.readouterr()
        assert main([*argv, "--db", str(db)]) == 0
        snap[" ".join(argv)] = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    return snap


def _ingest(db: Path, **kwargs: object) -> None:
    sample = storyline.sample_corpus()
    config = storyline.Config(workers=int(kwargs.pop("workers", 1)))  # type: ignore[call-overload]
    with storyline.open_store(db) as store:
        storyline.ingest(store, [sample], meta=sample / "sources.jsonl", config=config, progress=False, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("one") / "one.db"
    _ingest(db)
    return db


def test_open_executor_picks_in_process_or_a_pool() -> None:
    with open_executor(["clean"], budget=None, workers=1) as one:
        assert isinstance(one, InProcess)
    with open_executor(["clean"], budget=None, workers=2) as two:
        assert isinstance(two, ProcessPool)
    with pytest.raises(StorylineError) as err:
        open_executor(["clean"], budget=None, engine="spark")  # type: ignore[arg-type]
    assert err.value.code == "E206"


def test_two_worker_processes_store_the_same_records(
    baseline: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "two.db"
    _ingest(db, workers=2)
    assert _snapshot(db, capsys) == _snapshot(baseline, capsys)


def test_small_batches_overlap_and_still_match(
    baseline: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Batches of 2: batch k+1 is computing while batch k is written and indexed."""
    db = tmp_path / "small.db"
    sample = storyline.sample_corpus()
    with storyline.open_store(db) as store:
        storyline.ingest(
            store, [sample], meta=sample / "sources.jsonl", config=storyline.Config(workers=2, batch_size=2),
            progress=False,
        )
    assert _snapshot(db, capsys) == _snapshot(baseline, capsys)


def test_analyze_force_from_scratch_matches_incremental_ingest(
    baseline: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "again.db"
    db.write_bytes(baseline.read_bytes())
    with storyline.open_store(db) as store:
        storyline.analyze(store, config=storyline.Config(workers=2), force=True)
    assert _snapshot(db, capsys) == _snapshot(baseline, capsys)


@pytest.mark.slow
def test_ray_engine_stores_the_same_records(
    baseline: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ray = pytest.importorskip("ray")
    pytest.importorskip("ray.data")
    db = tmp_path / "ray.db"
    try:
        _ingest(db, workers=2, engine="ray")
        assert _snapshot(db, capsys) == _snapshot(baseline, capsys)
    finally:
        ray.shutdown()
