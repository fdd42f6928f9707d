"""The event and story steps with their per-document part on Ray (storyline.corpus.ray_steps)
store exactly what the local incremental steps store, record for record: every event- and
story-step table, the steps' indexed sets and ``events --json`` / ``stories --json`` — on the
sample corpus, on 60 real news texts ingested in three runs (batches of 7 and 64), and on a
store already holding events and stories when the Ray run adds more. Without Ray: the steps
through a reader that ships each document's rows and results as Ray does (pickled) store
the same, and a row that no longer decodes is E306 both ways."""

from __future__ import annotations

import pickle
import shutil
import sqlite3
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import storyline
from storyline.cli import main
from storyline.corpus import event_store, persist, scope
from storyline.corpus.entity_store import update_entities
from storyline.corpus.event_store import new_units, update_events
from storyline.corpus.persist import story_features, story_rows, update_reuse, update_stories
from storyline.corpus.ray_steps import _Failed, _task
from storyline.corpus.stories import FEATURE_SLOTS, StorySettings, doc_features
from storyline.errors import StoreError
from storyline.store import Store

from .conftest import table_snapshot, three_ingests

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"

SNAPSHOT = {
    "corpus_indexed": "SELECT step, doc_id, stamp FROM corpus_indexed WHERE step = 'events' ORDER BY 2",
    "corpus_steps": "SELECT * FROM corpus_steps WHERE step = 'events'",
}


def _snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table of the two steps (``event*``, ``stories``, ``episodes``, ``story*``: those
    the schema has), rows sorted, and the event step's marks."""
    with sqlite3.connect(db) as con:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'event%' OR name LIKE 'stor%'"
            " OR name = 'episodes') ORDER BY name")]
    con.close()
    got = table_snapshot(db, SNAPSHOT | {t: f"SELECT * FROM {t}" for t in tables})
    assert {"event_units", "events", "stories", "story_docs", "story_records"} <= got.keys()
    return {name: rows if name in SNAPSHOT else sorted(rows, key=repr) for name, rows in got.items()}


def _listed(db: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    capsys.readouterr()
    assert main(["events", "--db", str(db), "--json"]) == 0
    events = capsys.readouterr().out
    assert main(["stories", "--db", str(db), "--json"]) == 0
    return events, capsys.readouterr().out


def _fresh(db: Path, to: Path) -> Path:
    """A copy of ``db`` whose event and story steps have taken in nothing."""
    shutil.copy(db, to)
    with Store(to) as store, store.transaction():
        event_store._drop_all(store)
        scope.reset(store, event_store.STEP)
        persist._clear_stories(store)
    return to


# ------------------------------------------------------------------------------ corpora
@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus with every per-document stage, copy detection and entities; no
    events or stories yet."""
    sample = storyline.sample_corpus()
    db = tmp_path_factory.mktemp("sample") / "sample.db"
    with Store(db) as store:
        storyline.ingest(store, [sample], meta=sample / "sources.jsonl", corpus_steps=False, progress=False)
        update_reuse(store)
        update_entities(store)
    return db


@pytest.fixture(scope="module")
def real_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 real news texts (PolNeAR, TempEval-3, ECB+; 40+ words; shuffled with a fixed
    seed) in three ingests of 20: the first two with the corpus steps (events and stories of
    40 documents stored), the third without (copy detection and entities run after, the event
    and story steps not)."""
    db = three_ingests(tmp_path_factory, DATA)
    with Store(db) as store:
        update_entities(store)
    return db


# ------------------------------------------------------------------------------ without Ray
def _shipped(rows: Any, work: Any) -> Any:
    """One document as a Ray task handles it: rows pickled out (a chunk of one), the result
    pickled back."""
    got = _task({"n": np.array([0]), "rows": np.array([pickle.dumps([rows])], dtype=object)}, work=work)
    return pickle.loads(got["got"][0])[0]


def _shipped_units(store: Store, batches: Sequence[Sequence[str]], radius_km: float) -> Iterator[list[Any]]:
    for batch in batches:
        yield [u for rows in event_store.doc_rows(store, batch)
               for u in _shipped(rows, partial(new_units, radius_km=radius_km))]


def _shipped_features(store: Store, batches: Sequence[Sequence[str]], settings: Any) -> Iterator[list[Any]]:
    for batch in batches:
        got = [_shipped(rows, partial(story_features, settings=settings)) for rows in story_rows(store, batch)]
        yield [f for f in got if f is not None]


def test_steps_through_the_shipped_readers_store_the_same(sample_db: Path, tmp_path: Path) -> None:
    local, shipped = _fresh(sample_db, tmp_path / "local.db"), _fresh(sample_db, tmp_path / "shipped.db")
    with Store(local) as store:
        want = (update_events(store, batch_size=2), update_stories(store, batch_size=2))
    with Store(shipped) as store:
        got = (update_events(store, batch_size=2, read_batches=_shipped_units),
               update_stories(store, batch_size=2, read_batches=_shipped_features))
    assert got == want == (5, 5)
    snap = _snapshot(shipped)
    assert snap == _snapshot(local)
    assert len(snap["event_units"]) > 5 and snap["events"] and len(snap["story_docs"]) == 5


def test_the_story_step_reads_only_the_layers_it_decodes(sample_db: Path) -> None:
    with Store(sample_db) as store:
        ids = [r[0] for r in store.conn.execute("SELECT id FROM documents WHERE status = 'ok' ORDER BY rowid")]
        stored = {r[0] for r in store.conn.execute("SELECT DISTINCT slot FROM layers")}
        shipped = story_rows(store, ids)
        assert [r[0]["id"] for r in shipped] == ids
        assert {slot for r in shipped for slot, _ in r[2]} == set(FEATURE_SLOTS) < stored
        for d, rows in zip(ids, shipped):
            assert story_features(rows, StorySettings()) == doc_features(
                store.get(d, with_raw=False, slots=FEATURE_SLOTS), StorySettings())


def test_a_row_that_no_longer_decodes_is_e306(sample_db: Path, tmp_path: Path) -> None:
    db = _fresh(sample_db, tmp_path / "broken.db")
    with Store(db) as store:
        d = store.conn.execute("SELECT id FROM documents WHERE status = 'ok' ORDER BY rowid LIMIT 1").fetchone()[0]
        rows = story_rows(store, [d])[0]
        failed = _shipped(({**rows[0], "meta": "{not json"}, *rows[1:]), partial(story_features, settings=StorySettings()))
        assert isinstance(failed, _Failed) and failed.reason.startswith("JSONDecodeError")
        with store.transaction():
            store.conn.execute("UPDATE documents SET meta = '{not json' WHERE id = ?", (d,))
        with pytest.raises(StoreError) as err:
            update_stories(store)
    assert err.value.code == "E306" and d in str(err.value)


def test_few_documents_stay_on_the_driver(sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Below ``MIN_SHIPPED`` documents the Ray readers run the same function here without
    starting Ray: same records as the local steps; a row that no longer decodes is E306."""
    from storyline import executor
    from storyline.corpus import ray_steps

    def no_ray(*_: object) -> None:
        raise AssertionError("Ray started for fewer than MIN_SHIPPED documents")

    monkeypatch.setattr(executor, "start_ray", no_ray)
    assert ray_steps.MIN_SHIPPED > 5
    local, driver = _fresh(sample_db, tmp_path / "local.db"), _fresh(sample_db, tmp_path / "driver.db")
    with Store(local) as store:
        want = (update_events(store, batch_size=2), update_stories(store, batch_size=2))
    with Store(driver) as store:
        got = (ray_steps.update_events_ray(store, batch_size=2), ray_steps.update_stories_ray(store, batch_size=2))
    assert got == want == (5, 5)
    assert _snapshot(driver) == _snapshot(local)
    broken = _fresh(sample_db, tmp_path / "broken.db")
    with Store(broken) as store:
        d = store.conn.execute("SELECT id FROM documents WHERE status = 'ok' ORDER BY rowid LIMIT 1").fetchone()[0]
        with store.transaction():
            store.conn.execute("UPDATE documents SET meta = '{not json' WHERE id = ?", (d,))
        with pytest.raises(StoreError) as err:
            ray_steps.update_stories_ray(store)
    assert err.value.code == "E306" and d in str(err.value) and "JSONDecodeError" in str(err.value)


# ------------------------------------------------------------------------------ on Ray


def _same(db: Path, tmp_path: Path, batch_size: int, capsys: pytest.CaptureFixture[str]) -> tuple[int, int]:
    """Run both forms on copies of ``db``; assert equal records and listings."""
    from storyline.corpus.ray_steps import update_events_ray, update_stories_ray

    local, on_ray = tmp_path / f"local-{batch_size}.db", tmp_path / f"ray-{batch_size}.db"
    shutil.copy(db, local)
    shutil.copy(db, on_ray)
    with Store(local) as store:
        want = (update_events(store, batch_size=batch_size), update_stories(store, batch_size=batch_size))
    with Store(on_ray) as store:
        got = (update_events_ray(store, batch_size=batch_size, workers=2),
               update_stories_ray(store, batch_size=batch_size, workers=2))
    assert got == want
    before, after, snap = _snapshot(db), _snapshot(on_ray), _snapshot(local)
    for table in snap:
        assert after[table] == snap[table], table
    assert after != before
    assert _listed(on_ray, capsys) == _listed(local, capsys)
    return want


@pytest.mark.slow
def test_sample_corpus_same_records(
    ray_local: object, sample_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _same(_fresh(sample_db, tmp_path / "fresh.db"), tmp_path, 64, capsys) == (5, 5)


@pytest.mark.slow
def test_real_texts_same_records_in_any_batch_size(
    ray_local: object, real_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fresh = _fresh(real_db, tmp_path / "fresh.db")
    for batch_size in (7, 64):
        assert _same(fresh, tmp_path, batch_size, capsys) == (60, 60)
    with sqlite3.connect(tmp_path / "ray-7.db") as con:
        assert con.execute("SELECT count(*) FROM event_units").fetchone()[0] > 100
        assert con.execute("SELECT count(*) FROM events").fetchone()[0] > 50
        assert con.execute("SELECT count(*) FROM story_docs GROUP BY story_id HAVING count(*) > 1").fetchall()


@pytest.mark.slow
def test_store_holding_events_and_stories_same_records(
    ray_local: object, real_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _snapshot(real_db)
    assert len(before["corpus_indexed"]) == 40 and before["events"] and before["story_docs"]
    assert _same(real_db, tmp_path, 16, capsys) == (20, 20)
