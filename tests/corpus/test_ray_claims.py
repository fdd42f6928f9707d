"""The claim step with new documents taken in on Ray (storyline.corpus.ray_claims) stores
exactly what the local incremental step (claim_store.update_claims) stores, record for record:
every claim-step table, the claim step's indexed set and ``claims --json`` — on the sample
corpus, on 60 real news texts ingested in three runs (claim batches of 7 and 64), and on a
store already holding claims when the Ray run adds more. Without Ray: the pure reader it
ships (stored rows -> what a document brings) equals the local one, and ``update_claims``
through it stores the same."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

import storyline
from storyline.cli import main
from storyline.corpus import claim_store, scope
from storyline.corpus.claim_store import ClaimUpdate, _seqs, doc_claims, update_claims
from storyline.corpus.persist import update_reuse
from storyline.corpus.ray_claims import doc_rows, take_in
from storyline.store import Store, decode_doc

from .conftest import table_snapshot, three_ingests

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"

SNAPSHOT = {t: f"SELECT * FROM {t} ORDER BY 1, 2" for t in claim_store._TABLES} | {
    "corpus_indexed": "SELECT step, doc_id, stamp FROM corpus_indexed WHERE step = 'claims' ORDER BY 2",
    "corpus_steps": "SELECT * FROM corpus_steps WHERE step = 'claims'",
}


def _snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    return table_snapshot(db, SNAPSHOT)


def _claims_json(db: Path, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(["claims", "--db", str(db), "--json"]) == 0
    return capsys.readouterr().out


def _fresh(db: Path, to: Path) -> Path:
    """A copy of ``db`` whose claim step has taken in nothing."""
    shutil.copy(db, to)
    with Store(to) as store, store.transaction():
        claim_store._clear(store)
        scope.reset(store, claim_store.STEP)
    return to


# ------------------------------------------------------------------------------ corpora
@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus with every per-document stage and copy detection; no claims yet."""
    sample = storyline.sample_corpus()
    db = tmp_path_factory.mktemp("sample") / "sample.db"
    with Store(db) as store:
        storyline.ingest(store, [sample], meta=sample / "sources.jsonl", corpus_steps=False, progress=False)
        update_reuse(store)
    return db


@pytest.fixture(scope="module")
def real_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 real news texts (PolNeAR, TempEval-3, ECB+; 40+ words; shuffled with a fixed
    seed) in three ingests of 20: the first two with the corpus steps (claims of 40
    documents stored), the third without (copy detection run after, the claim step not)."""
    return three_ingests(tmp_path_factory, DATA)


# ------------------------------------------------------------------------------ without Ray
def _shipped_reader(store: Store, batches: Sequence[Sequence[str]]) -> Iterator[dict[str, object]]:
    """What the Ray reader does per document, here: stored rows read, then decoded apart."""
    for batch in batches:
        seqs = _seqs(store, batch)
        yield {d: take_in(rows, seqs[d]) for d, rows in zip(batch, doc_rows(store, batch))}


def test_stored_rows_decode_to_the_stored_document(sample_db: Path) -> None:
    with Store(sample_db) as store:
        ids = [r[0] for r in store.conn.execute("SELECT id FROM documents WHERE status = 'ok' ORDER BY rowid")]
        seqs = _seqs(store, ids)
        assert len(ids) == 5
        for d, rows in zip(ids, doc_rows(store, ids)):
            doc = store.get(d, with_raw=False)
            assert decode_doc(*rows) == doc
            got, want = take_in(rows, seqs[d]), doc_claims(doc, seqs[d])
            assert got == want
            assert got.inputs and len(got.features) == len(got.inputs)


def test_a_row_that_no_longer_decodes_raises(sample_db: Path) -> None:
    """In a Ray task the error becomes the reason of the driver's E306 (``ray_steps.in_order``)."""
    with Store(sample_db) as store:
        d = store.conn.execute("SELECT id FROM documents WHERE status = 'ok' LIMIT 1").fetchone()[0]
        row, runs, layers = doc_rows(store, [d])[0]
    with pytest.raises(json.JSONDecodeError):
        take_in(({**row, "meta": "{not json"}, runs, layers), 1)


def test_update_through_the_shipped_reader_stores_the_same(sample_db: Path, tmp_path: Path) -> None:
    local, shipped = _fresh(sample_db, tmp_path / "local.db"), _fresh(sample_db, tmp_path / "shipped.db")
    with Store(local) as store:
        want = update_claims(store, batch_size=2)
    with Store(shipped) as store:
        got = update_claims(store, batch_size=2, read_batches=_shipped_reader)  # type: ignore[arg-type]
    assert got == want and want.added == 5
    assert _snapshot(shipped) == _snapshot(local)


# ------------------------------------------------------------------------------ on Ray


def _same(db: Path, tmp_path: Path, batch_size: int, capsys: pytest.CaptureFixture[str]) -> ClaimUpdate:
    """Run both forms on copies of ``db``; assert equal records and ``claims --json``."""
    from storyline.corpus.ray_claims import update_claims_ray

    local, on_ray = tmp_path / f"local-{batch_size}.db", tmp_path / f"ray-{batch_size}.db"
    shutil.copy(db, local)
    shutil.copy(db, on_ray)
    with Store(local) as store:
        want = update_claims(store, batch_size=batch_size)
    with Store(on_ray) as store:
        got = update_claims_ray(store, batch_size=batch_size, workers=2)
    assert got == want
    before, after, snap = _snapshot(db), _snapshot(on_ray), _snapshot(local)
    for table in SNAPSHOT:
        assert after[table] == snap[table], table
    assert after != before
    assert _claims_json(on_ray, capsys) == _claims_json(local, capsys)
    return want


@pytest.mark.slow
def test_sample_corpus_same_records(
    ray_local: object, sample_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    done = _same(_fresh(sample_db, tmp_path / "fresh.db"), tmp_path, 64, capsys)
    assert done.added == 5 and done.recomputed > 30


@pytest.mark.slow
def test_real_texts_same_records_in_any_batch_size(
    ray_local: object, real_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fresh = _fresh(real_db, tmp_path / "fresh.db")
    for batch_size in (7, 64):
        done = _same(fresh, tmp_path, batch_size, capsys)
        assert done.added == 60
    with sqlite3.connect(tmp_path / "ray-7.db") as con:
        assert con.execute("SELECT count(*) FROM claims").fetchone()[0] > 300
        assert con.execute("SELECT count(*) FROM claim_docs GROUP BY claim_id HAVING count(*) > 1").fetchall()


@pytest.mark.slow
def test_store_holding_claims_same_records(
    ray_local: object, real_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _snapshot(real_db)
    assert len(before["corpus_indexed"]) == 40 and before["claims"]
    done = _same(real_db, tmp_path, 16, capsys)
    assert done.added == 20
