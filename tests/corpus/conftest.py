"""Shared by the corpus tests: a local Ray instance for the Ray-form tests, and a snapshot
of store tables to compare two runs record for record."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def ray_local() -> Iterator[object]:
    """A local Ray instance with 2 CPUs for one test module (skipped without Ray). Every call
    ships its documents, however few (``ray_steps.MIN_SHIPPED``): the tests' corpora are small."""
    ray = pytest.importorskip("ray")
    pytest.importorskip("ray.data")
    from storyline.corpus import ray_steps

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(ray_steps, "MIN_SHIPPED", 0)
            yield ray
    finally:
        ray.shutdown()


def table_snapshot(db: Path, queries: Mapping[str, str]) -> dict[str, list[tuple[object, ...]]]:
    """Each query's rows on ``db``, by name."""
    con = sqlite3.connect(db)
    try:
        return {name: [tuple(r) for r in con.execute(sql)] for name, sql in queries.items()}
    finally:
        con.close()


def three_ingests(tmp_path_factory: pytest.TempPathFactory, data: Path) -> Path:
    """60 real news texts (PolNeAR, TempEval-3, ECB+; 40+ words; shuffled with a fixed seed)
    in three ingests of 20: the first two with the corpus steps, the third without; copy
    detection run after. Skips when the datasets are absent."""
    import random
    import sys

    import storyline
    from storyline.corpus.persist import update_reuse
    from storyline.store import Store

    if not data.is_dir():
        pytest.skip(f"datasets not found at {data}")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from _measure import real_texts

    texts = [t for t in real_texts(data, ecbplus=True) if len(t.split()) >= 40]
    random.Random(13).shuffle(texts)
    root = tmp_path_factory.mktemp("real")
    db = root / "real.db"
    with Store(db) as store:
        for b in range(3):
            folder = root / f"b{b}"
            folder.mkdir()
            for i, t in enumerate(texts[b * 20 : (b + 1) * 20]):
                (folder / f"{b}_{i:03d}.txt").write_text(t, encoding="utf-8")
            storyline.ingest(store, [folder], corpus_steps=b < 2, progress=False)
        update_reuse(store)
    return db


def back_to_schema(conn: sqlite3.Connection, version: int) -> None:
    """Undo the migrations after ``version`` (14 on) on an open store: what a store made by
    the storyline of that schema holds, rows kept. Call inside a transaction."""
    done = conn.execute("SELECT max(version) FROM migrations").fetchone()[0]
    if done >= 19 > version:  # event candidates read from the units' rows again
        conn.execute("DROP TABLE event_times")
        conn.execute("ALTER TABLE event_places RENAME TO event_places_19")
        conn.execute("CREATE TABLE event_places (key TEXT NOT NULL, doc_id TEXT NOT NULL, u INTEGER NOT NULL,"
                     " PRIMARY KEY (key, doc_id, u)) WITHOUT ROWID")
        conn.execute("INSERT INTO event_places SELECT key, doc_id, u FROM event_places_19")
        conn.execute("DROP TABLE event_places_19")
        conn.execute("CREATE INDEX event_places_doc ON event_places(doc_id)")
        conn.execute("CREATE INDEX event_units_block ON event_units(family, span, time_lo, time_hi, rep_hi, actor)")
    if done >= 18 > version:
        conn.execute("DROP INDEX documents_state")
        conn.execute("DROP INDEX documents_id_state")
        conn.execute("CREATE INDEX documents_status ON documents(status)")
        conn.execute("DROP INDEX event_units_block")
        conn.execute("CREATE INDEX event_units_block ON event_units(family, span, time_lo, time_hi, rep_hi)")
        conn.execute("DROP INDEX story_docs_story")
        conn.execute("CREATE INDEX story_docs_story ON story_docs(story_id)")
    if done >= 17 > version:
        for side in ("source", "copy"):
            conn.execute(f"DROP INDEX copied_passages_{side}")
            conn.execute(f"CREATE INDEX copied_passages_{side} ON copied_passages({side}_doc)")
    if done >= 16 > version:
        for trigger in ("in", "out", "set"):
            conn.execute(f"DROP TRIGGER row_counts_passage_{trigger}")
        conn.execute("DROP TABLE row_counts")
        conn.execute("DROP INDEX documents_superseded")
    if done >= 15 > version:
        conn.execute("DROP TABLE entity_key_values")
        conn.execute("DROP INDEX entity_mentions_key_doc")
    if done >= 14 > version:  # band keys back in a rowid table with an index on key
        conn.execute("ALTER TABLE reuse_keys RENAME TO reuse_keys_clustered")
        conn.execute("DROP INDEX reuse_keys_doc")
        conn.execute("CREATE TABLE reuse_keys (key INTEGER NOT NULL, doc_id TEXT NOT NULL REFERENCES documents(id),"
                     " window INTEGER NOT NULL)")
        conn.execute("INSERT INTO reuse_keys SELECT key, doc_id, window FROM reuse_keys_clustered")
        conn.execute("DROP TABLE reuse_keys_clustered")
        conn.execute("CREATE INDEX reuse_keys_key ON reuse_keys(key)")
        conn.execute("CREATE INDEX reuse_keys_doc ON reuse_keys(doc_id)")
    conn.execute("DELETE FROM migrations WHERE version > ?", (version,))
