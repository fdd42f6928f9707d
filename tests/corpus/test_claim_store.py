"""The stored claim layer equals the batch claim report, however the documents arrived.

The contract of :mod:`storyline.corpus.claim_store`: after any sequence of ingests,
replacements and interrupted runs, :func:`stored_claims` gives what
:func:`storyline.corpus.claims.claim_report` computes over every current document at once,
record for record (contradiction lists compared as sets: their order follows storage)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import pytest

from storyline.annotate.attribution import undercuts
from storyline.corpus import claim_store, scope
from storyline.corpus.claim_store import rebuild_claims, stored_claims, update_claims
from storyline.corpus.claims import MatchSettings, claim_report
from storyline.corpus.persist import copied_passages, provenance_graph
from storyline.runner import ingest
from storyline.settings import Config
from storyline.store import Store

SEEDS = Path(__file__).resolve().parents[2] / "../shared/corpus/seeds"
DATA = Path(__file__).resolve().parents[2] / "../shared/datasets"


def batch_report(store: Store) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    docs = list(store.iter_docs(status=["ok"]))
    report = claim_report(
        docs, {d.id: d.attributions for d in docs}, provenance_graph(store, docs), copied_passages(store),
        settings=MatchSettings(threshold=Config.load().claim_threshold),
        undercuts_by_doc={d.id: undercuts(d.attributions) for d in docs},
    )
    return _norm(report)


def _norm(report: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    claims = []
    for c in report.claims:
        r = c.to_record()
        r["contradicts"], r["contradictions"] = sorted(r["contradicts"]), sorted(r["contradictions"])
        claims.append(r)
    return claims, sorted((x.to_record() for x in report.contradictions), key=lambda r: r["id"])


def stored(store: Store) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return _norm(stored_claims(store))


@pytest.fixture(scope="module")
def one_by_one(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus ingested one document per run (each run updates the claims)."""
    if not SEEDS.is_dir():
        pytest.skip("sample corpus not available")
    db = tmp_path_factory.mktemp("claims") / "one.db"
    with Store(db) as s:
        for f in sorted(SEEDS.glob("0*.txt")):
            ingest(s, [f], progress=False)
    return db


def test_one_document_at_a_time_equals_the_batch_report(one_by_one: Path) -> None:
    with Store(one_by_one) as s:
        got, want = stored(s), batch_report(s)
    assert got == want
    claims, contradictions = got
    assert len(claims) > 30 and contradictions  # the sample has claims and contradictions
    assert any(len(c["documents"]) > 1 for c in claims)  # grouped across documents
    assert len({c["id"] for c in claims}) == len(claims)
    assert len({x["id"] for x in contradictions}) == len(contradictions)


def test_rebuild_from_scratch_equals_incremental(one_by_one: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.db"
    shutil.copy(one_by_one, db)
    with Store(db) as s:
        before = stored(s)
        update = rebuild_claims(s)
        assert update.added == 5
        assert stored(s) == before


def test_caches_that_start_over_change_nothing(one_by_one: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # an update's copy-group cache and passage indexes start over past a size
    # (scope.GROUPS_ROWS, claim_store._INDEXES): at every walk and every index here
    from storyline.corpus import scope
    from storyline.corpus.event_store import rebuild_events, stored_events

    db = tmp_path / "copy.db"
    shutil.copy(one_by_one, db)
    with Store(db) as s:
        before, events = stored(s), [e.to_record() for e in stored_events(s)]
        monkeypatch.setattr(scope, "GROUPS_ROWS", 0)
        monkeypatch.setattr(claim_store, "_INDEXES", 1)
        rebuild_claims(s, batch_size=2)
        rebuild_events(s)
        assert stored(s) == before
        assert [e.to_record() for e in stored_events(s)] == events


@pytest.mark.parametrize("part_docs", [1, scope.PART_DOCS])
def test_components_a_new_copy_touches_are_made_again_in_parts(
    one_by_one: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, part_docs: int
) -> None:
    # a rewrite pasting paragraphs of 000 and 001 joins their copy groups: the components of
    # their stored reports are made again from their groups (_remake), in parts whose copy
    # groups hold at most part_docs documents (1: one component at a time)
    db = tmp_path / "copy.db"
    shutil.copy(one_by_one, db)
    seeds = sorted(SEEDS.glob("0*.txt"))
    paras = [p for f in seeds[:2] for p in f.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    rewrite = tmp_path / "rewrite.txt"
    rewrite.write_text("\n\n".join(["A desk compiled this from wire reports on Tuesday.", *paras[::-1]]),
                       encoding="utf-8")
    monkeypatch.setattr(scope, "PART_DOCS", part_docs)
    parts: list[list[str]] = []
    cut = scope.parts_by_group

    def seen(*args: Any, **kwargs: Any) -> list[list[str]]:
        parts.extend(got := cut(*args, **kwargs))
        return got

    monkeypatch.setattr(scope, "parts_by_group", seen)
    with Store(db) as s:
        ingest(s, [rewrite], progress=False, corpus_steps=False)
        from storyline.corpus.persist import update_reuse

        update_reuse(s)
        update = update_claims(s)
        assert update.remade > 1
        assert stored(s) == batch_report(s)
    made = [c for p in parts for c in p]
    assert made and len(made) == len(set(made))  # each touched component in one part


def test_copies_taken_in_by_copy_group_equal_arrival_order(one_by_one: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # replicas of the sample (bench/replicate.py: the real paragraphs and layers reshuffled)
    # arrive interleaved; taken in batches of one copy group (scope.batches_by_group) they
    # give the batch report, recomputing fewer reports than batches in arrival order
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    import replicate  # bench/replicate.py

    from storyline.corpus.persist import update_reuse

    arrival = tmp_path / "arrival.db"
    shutil.copy(one_by_one, arrival)
    with Store(arrival) as s:
        replicate.add_replicas(s, 24, seed=3)
        update_reuse(s)
    grouped = tmp_path / "grouped.db"
    shutil.copy(arrival, grouped)
    with Store(grouped) as s:
        by_group = update_claims(s, batch_size=4)
        got = stored(s)
        assert got == batch_report(s)
    with monkeypatch.context() as m:
        m.setattr(scope, "batches_by_group", lambda store, ids, size: [ids[i : i + size] for i in range(0, len(ids), size)])
        with Store(arrival) as s:
            in_arrival = update_claims(s, batch_size=4)
            assert stored(s) == got
    assert by_group.added == in_arrival.added == 24
    assert by_group.recomputed < in_arrival.recomputed


def test_reads_only_read(one_by_one: Path) -> None:
    with Store(one_by_one, readonly=True) as s:
        report = stored_claims(s)
        doc = report.claims[0].documents[0]
        mine = stored_claims(s, [doc])
    assert report.claims and all(doc in c.documents for c in mine.claims)
    assert {c.id for c in mine.claims} <= {c.id for c in report.claims}


def test_a_new_version_takes_its_reports_out(tmp_path: Path) -> None:
    if not SEEDS.is_dir():
        pytest.skip("sample corpus not available")
    folder = tmp_path / "in"
    shutil.copytree(SEEDS, folder, ignore=shutil.ignore_patterns("sources.jsonl"))
    with Store(tmp_path / "s.db") as s:
        ingest(s, [folder], progress=False)
        first = stored(s)
        target = sorted(folder.glob("0*.txt"))[1]
        paragraphs = target.read_text(encoding="utf-8").split("\n\n")
        target.write_text("\n\n".join(paragraphs[: max(2, len(paragraphs) // 2)]), encoding="utf-8")
        ingest(s, [folder], progress=False)
        assert s.counts()["versions"] == 6
        got = stored(s)
        assert got == batch_report(s)
        assert got != first


def test_a_killed_update_resumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not SEEDS.is_dir():
        pytest.skip("sample corpus not available")
    with Store(tmp_path / "k.db") as s:
        ingest(s, [SEEDS], progress=False, corpus_steps=False)
        from storyline.corpus.persist import update_reuse

        update_reuse(s)
        calls = {"n": 0}
        real = claim_store._recompute

        def dying(*args: Any, **kwargs: Any) -> int:
            calls["n"] += 1
            if calls["n"] == 2:
                raise KeyboardInterrupt("killed")
            return real(*args, **kwargs)

        monkeypatch.setattr(claim_store, "_recompute", dying)
        with pytest.raises(KeyboardInterrupt):
            update_claims(s, batch_size=2)
        monkeypatch.setattr(claim_store, "_recompute", real)
        partial = s.conn.execute("SELECT count(*) FROM corpus_indexed WHERE step = 'claims'").fetchone()[0]
        assert partial == 2  # the first batch committed, the second rolled back
        update_claims(s, batch_size=2)
        assert stored(s) == batch_report(s)


def test_an_update_recomputes_only_what_the_new_document_touches(one_by_one: Path, tmp_path: Path) -> None:
    db = tmp_path / "grow.db"
    shutil.copy(one_by_one, db)
    unrelated = tmp_path / "other.txt"
    unrelated.write_text(
        "The city council said on Monday that the new library would open in spring.\n\n"
        "\"We are delighted with the building,\" the mayor told reporters at the site.\n",
        encoding="utf-8",
    )
    with Store(db) as s:
        ingest(s, [unrelated], progress=False, corpus_steps=False)
        from storyline.corpus.persist import update_reuse

        update_reuse(s)
        total = s.conn.execute("SELECT count(*) FROM claim_inputs").fetchone()[0]
        update = update_claims(s)
        new = s.conn.execute("SELECT count(*) FROM claim_inputs").fetchone()[0] - total
        assert update.added == 1 and new >= 1
        assert update.recomputed == new  # its own reports only, not the 40-odd stored ones
        assert stored(s) == batch_report(s)


@pytest.mark.slow
def test_real_news_in_several_batches_equals_the_batch_report(tmp_path: Path) -> None:
    """120 real news texts (PolNeAR, TempEval-3, ECB+) in four ingests."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from _measure import real_texts

    if not DATA.is_dir():
        pytest.skip("datasets not available")
    texts = [t for t in real_texts(DATA, ecbplus=True) if len(t.split()) >= 40]
    random.Random(5).shuffle(texts)
    texts = texts[:120]
    with Store(tmp_path / "r.db") as s:
        for b in range(4):
            folder = tmp_path / f"b{b}"
            folder.mkdir()
            for i, t in enumerate(texts[b * 30 : (b + 1) * 30]):
                (folder / f"{b}_{i:03d}.txt").write_text(t, encoding="utf-8")
            ingest(s, [folder], progress=False)
        got = stored(s)
        assert got == batch_report(s)
        assert len(got[0]) > 1000
        assert len({x["id"] for x in got[1]}) == len(got[1])
