"""A run killed at any point (kill -9) leaves a consistent store; re-running resumes, and ends
with the store an uninterrupted run makes (``bench/soak.py`` repeats this at random points of
``ingest`` and ``analyze --force``, every stage included)."""

from __future__ import annotations

import importlib.util
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import storyline
from storyline.pipeline import Pipeline
from storyline.runner import _admit
from storyline.store import Store
from storyline.types import IngestSummary, RawRecord

N_DOCS = 1500
REPO = Path(__file__).resolve().parents[1]


def _soak():  # type: ignore[no-untyped-def]
    """bench/soak.py (not a package): its store fingerprint is what "the same store" means."""
    spec = importlib.util.spec_from_file_location("storyline_soak", REPO / "bench" / "soak.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _corpus(root: Path, n: int) -> None:
    root.mkdir()
    for i in range(n):
        (root / f"{i:05d}.txt").write_text(
            f"Report number {i}\n\nFighting was reported near the village of Kafr {i} on Monday, residents said.\n\n"
            f"At least {i % 50 + 2} people were displaced, according to local officials.\n"
        )


def _count(db: Path, sql: str) -> int:
    con = sqlite3.connect(db)
    try:
        return int(con.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0
    finally:
        con.close()


@pytest.mark.slow  # about 15 s: two ingests of 1,500 small documents
def test_kill_mid_ingest_then_resume(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _corpus(corpus, N_DOCS)
    db = tmp_path / "crash.db"
    # Only the clean stage, so many small batches commit quickly; resuming the corpus steps
    # after a kill is tested in tests/corpus/test_persist.py.
    stages = ["--stages", "clean", "--no-corpus"]
    cmd = [sys.executable, "-m", "storyline.cli", "ingest", str(corpus), "--db", str(db), "--batch-size", "16", *stages]
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while _count(db, "SELECT count(*) FROM documents") < 100 and time.monotonic() < deadline:
        if child.poll() is not None:
            break
        time.sleep(0.02)
    assert child.poll() is None, "ingest finished before it could be killed; enlarge the corpus"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()

    with Store(db) as store:
        assert store.check() == []
        partial = store.counts()["versions"]
        assert 0 < partial < N_DOCS
        summary = storyline.ingest(store, [corpus], progress=False, pipeline=Pipeline(["clean"]), corpus_steps=False)
        assert summary.rejected == 0
        assert summary.ingested + summary.unchanged + summary.resumed == N_DOCS
        counts = store.counts()
        assert counts["versions"] == N_DOCS == counts["ok"]
        assert store.check() == []
    assert _count(db, "SELECT count(*) FROM documents WHERE status = 'pending'") == 0
    reference = tmp_path / "uninterrupted.db"
    with Store(reference) as store:
        storyline.ingest(store, [corpus], progress=False, pipeline=Pipeline(["clean"]), corpus_steps=False)
    fingerprint = _soak().fingerprint
    resumed, uninterrupted = fingerprint(db), fingerprint(reference)
    assert resumed["documents"].endswith(f"/{N_DOCS}")
    assert {t for t in uninterrupted if resumed.get(t) != uninterrupted[t]} == set()
    assert _count(db, "SELECT count(*) FROM (SELECT source_path FROM documents GROUP BY source_path HAVING count(*) > 1)") == 0


def test_pending_documents_are_finished_by_the_next_run(store: Store, tmp_path: Path) -> None:
    """Raw stored, killed before the stage results were written: the next ingest resumes."""
    f = tmp_path / "a.txt"
    f.write_text("Title\n\nTroops entered the town of Manbij on Friday, officials said.\n")
    record = RawRecord(str(f), "", "text", f.read_bytes(), {})
    with store.transaction():
        _admit(store, record, IngestSummary())  # step 1 of a run, then "killed"
    assert [d.status for d in store.iter_docs()] == ["pending"]
    summary = storyline.ingest(store, [f], progress=False)
    assert summary.resumed == 1 and summary.ingested == 0
    assert [d.status for d in store.iter_docs()] == ["ok"]


def test_analyze_finishes_pending_and_recomputes_stale(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("Title\n\nTroops entered the town of Manbij on Friday, officials said.\n")
    with store.transaction():
        _admit(store, RawRecord(str(f), "", "text", f.read_bytes(), {}), IngestSummary())
    assert storyline.analyze(store).resumed == 1
    assert storyline.analyze(store).resumed == 0  # nothing stale any more
    with store.transaction():  # an older stage version produced this document
        store.conn.execute("UPDATE stage_runs SET version = '0'")
    assert storyline.analyze(store).resumed == 1
    assert storyline.analyze(store, force=True).resumed == 1
    assert [d.status for d in store.iter_docs()] == ["ok"]
