"""Copy detection against the store: persisted index, incremental adds, resume, CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

import storyline
from storyline.corpus.persist import (
    _withdraw,
    copied_passages,
    count_copied_passages,
    forget_documents,
    provenance_graph,
    unindexed,
    update_reuse,
)
from storyline.corpus.provenance import chain, count_independent, independence_groups
from storyline.corpus.scope import log_provenance
from storyline.store import Store
from storyline.store.schema import LATEST
from storyline.types import Span

from .conftest import back_to_schema


@pytest.fixture
def split_samples(tmp_path: Path, sample_dir: Path) -> tuple[Path, Path]:
    """The samples in two folders: 001 (the source) first, 004 (the copy) later."""
    first, later = tmp_path / "first", tmp_path / "later"
    first.mkdir()
    later.mkdir()
    sidecar = (sample_dir / "sources.jsonl").read_text()
    for f in sample_dir.glob("*.txt"):
        shutil.copy(f, (later if f.name.startswith("004") else first) / f.name)
    (first / "sources.jsonl").write_text(sidecar)
    (later / "sources.jsonl").write_text(sidecar)
    return first, later


def _by_prefix(store: Store) -> dict[str, str]:
    return {Path(d.source_path).name[:3]: d.id for d in store.iter_docs()}


def test_samples_copy_edges_and_provenance(sample_store: Store) -> None:
    ids = _by_prefix(sample_store)
    passages = copied_passages(sample_store)
    assert {(p.source.doc, p.copy.doc) for p in passages} == {(ids["001"], ids["004"])}
    assert len(passages) >= 5
    for p in passages:
        assert p.direction == "source_to_copy"
        assert "copy names the source outlet" in p.direction_evidence
        assert p.source.text and p.copy.text
    graph = provenance_graph(sample_store)
    groups = independence_groups(graph)
    assert groups[ids["001"]] == groups[ids["004"]]
    assert len({groups[ids[k]] for k in ("000", "001", "002", "003")}) == 4
    assert chain(graph, ids["004"])[:2] == [f"doc:{ids['004']}", f"doc:{ids['001']}"]
    assert chain(graph, ids["004"])[-1] == "outlet:Voice of America"
    # the same claim in 001 and in its copy in 004 is one source
    spans = [p.source for p in passages[:1]] + [p.copy for p in passages[:1]]
    assert count_independent(graph, spans) == 1


def test_incremental_add_finds_copy_of_earlier_document(store: Store, split_samples: tuple[Path, Path]) -> None:
    first, later = split_samples
    storyline.ingest(store, [first], progress=False)
    assert copied_passages(store) == []
    docs_before = {r[0] for r in store.conn.execute("SELECT DISTINCT doc_id FROM reuse_keys")}
    rows_before = {tuple(r) for r in store.conn.execute("SELECT key, doc_id, window FROM reuse_keys")}
    storyline.ingest(store, [later], progress=False)
    ids = _by_prefix(store)
    assert {(p.source.doc, p.copy.doc) for p in copied_passages(store)} == {(ids["001"], ids["004"])}
    # only the new document's windows were added; nothing was re-indexed
    rows_after = {tuple(r) for r in store.conn.execute("SELECT key, doc_id, window FROM reuse_keys")}
    assert rows_before < rows_after
    assert {d for _, d, _ in rows_after - rows_before} == {ids["004"]}
    assert docs_before == {ids[k] for k in ("000", "001", "002", "003")}


def test_a_store_of_schema_13_gets_its_band_keys_clustered(tmp_path: Path, split_samples: tuple[Path, Path]) -> None:
    """Migration 14: the band keys of a store made before it (a rowid table, an index on key;
    a window stored twice) come through as a set clustered by key, and copy detection goes
    on from them."""
    first, later = split_samples
    db = tmp_path / "old.db"
    with Store(db) as s:
        storyline.ingest(s, [first], progress=False)
        rows = {tuple(r) for r in s.conn.execute("SELECT key, doc_id, window FROM reuse_keys")}
        with s.transaction():  # back to the table of migrations 1-13, a window stored twice
            back_to_schema(s.conn, 13)
            s.conn.executemany("INSERT INTO reuse_keys VALUES (?, ?, ?)", sorted(rows)[:5])
    assert len(rows) > 1000
    with Store(db) as s:
        assert s.schema_version() == LATEST
        assert {tuple(r) for r in s.conn.execute("SELECT key, doc_id, window FROM reuse_keys")} == rows
        assert s.conn.execute("SELECT count(*) FROM reuse_keys").fetchone()[0] == len(rows)
        sql = s.conn.execute("SELECT sql FROM sqlite_schema WHERE name = 'reuse_keys'").fetchone()[0]
        assert "WITHOUT ROWID" in sql
        assert {r[0] for r in s.conn.execute("SELECT name FROM sqlite_schema WHERE tbl_name = 'reuse_keys'"
                                             " AND type = 'index'")} >= {"reuse_keys_doc"}
        storyline.ingest(s, [later], progress=False)
        ids = _by_prefix(s)
        assert {(p.source.doc, p.copy.doc) for p in copied_passages(s)} == {(ids["001"], ids["004"])}


def test_a_store_of_schema_15_gets_its_passages_counted(tmp_path: Path, split_samples: tuple[Path, Path]) -> None:
    """Migration 16: a store made before it is counted once as it opens for writing, and kept
    counted after; opened read-only before that, its listing total is counted row by row."""
    first, later = split_samples
    db = tmp_path / "old.db"
    with Store(db) as s:
        storyline.ingest(s, [first, later], progress=False)
        with s.transaction():
            back_to_schema(s.conn, 15)
    with Store(db, readonly=True) as s:
        assert s.schema_version() == 15
        n = len(copied_passages(s))
        assert n > 1 and count_copied_passages(s) == n
    with Store(db) as s:
        assert s.schema_version() == LATEST
        assert s.conn.execute("SELECT n FROM row_counts WHERE name = 'counting_passages'").fetchone()[0] == n
        with s.transaction():
            forget_documents(s, list(_by_prefix(s).values()))
        assert count_copied_passages(s) == 0
        update_reuse(s)
        assert count_copied_passages(s) == len(copied_passages(s)) == n


def test_a_store_of_schema_16_reads_passages_by_document_from_covering_indexes(
    tmp_path: Path, split_samples: tuple[Path, Path]
) -> None:
    """Migration 17: the passage indexes by source and by copy hold what copy detection's
    withdrawal and group walks read, so those reads never touch the passage table; the
    passages, groups and what copy detection finds next are unchanged."""
    from storyline.corpus import copy_groups

    first, later = split_samples
    db = tmp_path / "old.db"
    with Store(db) as s:
        storyline.ingest(s, [first], progress=False)
        before = copied_passages(s, discounted=True)
        with s.transaction():
            back_to_schema(s.conn, 16)
    with Store(db) as s:
        assert s.schema_version() == LATEST
        cols = {side: [r[2] for r in s.conn.execute(f"PRAGMA index_info(copied_passages_{side})")]
                for side in ("source", "copy")}
        assert cols["copy"] == ["copy_doc", "discounted", "copy_start", "copy_end", "source_doc"]
        assert cols["source"][:5] == ["source_doc", "discounted", "source_start", "source_end", "copy_doc"]
        for end in ("source_doc", "copy_doc"):
            plan = " ".join(r[3] for r in s.conn.execute(
                "EXPLAIN QUERY PLAN " + copy_groups._PAIRS.format(end=end), ("[]",)))
            assert "COVERING INDEX" in plan
        assert copied_passages(s, discounted=True) == before
        storyline.ingest(s, [later], progress=False)
        ids = _by_prefix(s)
        assert {(p.source.doc, p.copy.doc) for p in copied_passages(s)} == {(ids["001"], ids["004"])}
        assert copy_groups.stored(s) == copy_groups.computed(s)


def test_a_store_of_schema_17_answers_which_documents_are_current_from_indexes(
    tmp_path: Path, split_samples: tuple[Path, Path]
) -> None:
    """Migration 18: which documents are current and a story's members for its fingerprint
    are read from covering indexes, not from rows of whole articles and of story features (and
    migration 19: a new event unit's candidates by time from ``event_times``). Passages,
    stories and events come out as on a store made at this schema, and documents that leave
    are taken out of their stories."""
    from storyline.corpus import event_store, persist, scope
    from storyline.corpus.persist import story_list, update_stories

    first, later = split_samples
    db, ref = tmp_path / "old.db", tmp_path / "ref.db"
    for path in (db, ref):
        with Store(path) as s:
            storyline.ingest(s, [first], progress=False)
    with Store(db) as s, s.transaction():
        back_to_schema(s.conn, 17)
    with Store(db) as s:
        assert s.schema_version() == LATEST

        def plan(sql: str, args: Sequence[object] = ()) -> str:
            return " ".join(r[3] for r in s.conn.execute("EXPLAIN QUERY PLAN " + sql, args))

        assert "COVERING INDEX documents_state" in plan(
            "SELECT id FROM documents WHERE status = 'ok' AND superseded_by IS NULL")
        assert "COVERING INDEX documents_id_state" in plan(
            "SELECT rowid FROM documents WHERE superseded_by IS NULL AND id IN ('a', 'b')")
        fingerprint = plan(
            f"SELECT s.story_id, count(*), sum(s.seq) {persist._CURRENT_STORY_DOCS} AND s.story_id = 'x'"
            " GROUP BY s.story_id")
        assert "COVERING INDEX story_docs_story" in fingerprint and "COVERING INDEX documents_id_state" in fingerprint
        timed = event_store._candidate_sql(event_store._Keys("conflict", 10, 12, 9, 13, "actor"), [])
        assert timed and all("USING PRIMARY KEY (family=? AND span" in plan(sql, args) for sql, args in timed)
    for path in (db, ref):
        with Store(path) as s:
            storyline.ingest(s, [later], progress=False)
            gone = sorted(_by_prefix(s).values())[:2]
            with s.transaction():
                s.conn.executemany("UPDATE documents SET status = 'rejected' WHERE id = ?", [(d,) for d in gone])
            update_stories(s)
            assert not s.conn.execute(
                "SELECT count(*) FROM story_docs WHERE doc_id IN (?, ?)", gone).fetchone()[0]
            assert scope.behind(s, "claims") == 0
    with Store(db) as s, Store(ref) as r:
        assert copied_passages(s) == copied_passages(r)
        assert story_list(s) == story_list(r)
        assert event_store.stored_events(s) == event_store.stored_events(r)


def _withdraw_span_by_span(store: Store, spans: list[Span]) -> set[str]:
    """The withdrawal as it was, one look-up and one delete a span (the reference)."""
    withdrawn: set[str] = set()
    for span in spans:
        where = ("discounted IS NULL AND ((source_doc = ? AND source_start < ? AND source_end > ?)"
                 " OR (copy_doc = ? AND copy_start < ? AND copy_end > ?))")
        args = (span.doc, span.end, span.start, span.doc, span.end, span.start)
        gone = [d for r in store.conn.execute(f"SELECT source_doc, copy_doc FROM copied_passages WHERE {where}", args)
                for d in r]
        log_provenance(store, gone)
        withdrawn.update(gone)
        store.conn.execute(f"DELETE FROM copied_passages WHERE {where}", args)
    return withdrawn


def test_withdrawing_boilerplate_spans_at_once_equals_span_by_span(sample_store: Store, tmp_path: Path) -> None:
    """Spans over either side of stored passages, two spans over one passage, a span touching
    a passage's end only, a span over a document with none: the same passages go, the
    provenance log gets the same rows in the same order, the same documents come back."""
    rows = sample_store.conn.execute(
        "SELECT source_doc, source_start, source_end, copy_doc, copy_start, copy_end FROM copied_passages"
        " WHERE discounted IS NULL ORDER BY id").fetchall()
    assert len(rows) >= 3
    lone = next(d.id for d in sample_store.iter_docs() if d.id not in {r[0] for r in rows} | {r[3] for r in rows})
    spans = [Span(lone, 0, 50, "")]
    for n, (src, s0, s1, cp, c0, c1) in enumerate(rows):
        if n % 2:
            spans.append(Span(cp, c0 + 1, c0 + 2, ""))
            spans.append(Span(cp, c0, c1, ""))  # the same passage again: withdrawn by the first
        else:
            spans.append(Span(src, s1 - 1, s1 + 40, ""))
        spans.append(Span(src, s1, s1 + 10, ""))  # touches the end only: not an overlap
    got = {}
    for name, withdraw in (("batched", _withdraw), ("reference", _withdraw_span_by_span)):
        db = tmp_path / f"{name}.db"
        shutil.copy(sample_store.path, db)
        with Store(db) as s, s.transaction():
            log_from = s.conn.execute("SELECT coalesce(max(seq), 0) FROM provenance_log").fetchone()[0]
            docs = withdraw(s, spans)
            got[name] = (
                docs,
                [tuple(r) for r in s.conn.execute("SELECT doc_id FROM provenance_log WHERE seq > ? ORDER BY seq",
                                                  (log_from,))],
                [tuple(r) for r in s.conn.execute("SELECT * FROM copied_passages ORDER BY id")],
            )
    assert got["batched"] == got["reference"]
    assert got["batched"][0] and len(got["batched"][2]) < len(rows)
    with Store(tmp_path / "batched.db") as s:
        assert _withdraw(s, []) == set()


def test_reingest_and_analyze_do_not_duplicate_passages(store: Store, sample_dir: Path) -> None:
    storyline.ingest(store, [sample_dir], progress=False)
    before = [p.to_record() for p in copied_passages(store)]
    storyline.ingest(store, [sample_dir], progress=False)
    storyline.analyze(store, force=True)
    assert [p.to_record() for p in copied_passages(store)] == before


def test_killed_before_indexing_resumes(store: Store, sample_dir: Path) -> None:
    storyline.ingest(store, [sample_dir], progress=False)
    with store.transaction():  # as if killed after the stage results, before the corpus step
        store.conn.execute("DELETE FROM reuse_indexed")
        store.conn.execute("DELETE FROM reuse_keys")
        store.conn.execute("DELETE FROM copied_passages")
    assert len(unindexed(store)) == 5
    storyline.ingest(store, [sample_dir], progress=False)  # nothing new to read, index resumed
    assert unindexed(store) == [] and len(copied_passages(store)) >= 5
    assert update_reuse(store) == 0


def test_new_version_of_a_source_drops_old_passages(store: Store, split_samples: tuple[Path, Path]) -> None:
    first, later = split_samples
    storyline.ingest(store, [first, later], progress=False)
    src = next(first.glob("001_*.txt"))
    src.write_text("Completely rewritten\n\nThe article now says something else entirely about the weather in Paris.\n")
    storyline.ingest(store, [first], progress=False)
    assert copied_passages(store) == []  # the current 001 shares nothing with 004


def test_cli_reuse_and_provenance(tmp_path: Path, sample_dir: Path) -> None:
    db = str(tmp_path / "s.db")
    subprocess.run([sys.executable, "-m", "storyline.cli", "ingest", str(sample_dir), "--db", db], check=True,
                   capture_output=True)
    out = subprocess.run([sys.executable, "-m", "storyline.cli", "reuse", "--db", db, "--json"],
                         check=True, capture_output=True, text=True).stdout
    records = [json.loads(l) for l in out.splitlines()]
    assert records and all({"source", "copy", "similarity", "direction", "direction_evidence"} <= set(r) for r in records)
    for r in records:
        assert set(r["source"]) == {"doc", "start", "end", "text"}
    text = subprocess.run([sys.executable, "-m", "storyline.cli", "provenance", "--db", db],
                          check=True, capture_output=True, text=True).stdout
    assert "Breitbart News" in text and "Voice of America" in text
    graphml = tmp_path / "p.graphml"
    subprocess.run([sys.executable, "-m", "storyline.cli", "provenance", "--db", db, "--format", "graphml",
                    "--out", str(graphml)], check=True, capture_output=True)
    import networkx as nx

    assert nx.read_graphml(graphml).number_of_nodes() >= 7
    js = subprocess.run([sys.executable, "-m", "storyline.cli", "provenance", "--db", db, "--format", "json"],
                        check=True, capture_output=True, text=True).stdout
    assert json.loads(js)["nodes"]


def test_passages_are_read_as_they_are_listed(sample_store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    """`storyline reuse` streams the passages (a large store holds millions): the same records
    in the same order as reading them all, and the first records cost only their own texts."""
    from storyline.cli import main
    from storyline.corpus.persist import iter_copied_passages

    every = copied_passages(sample_store, discounted=True)
    assert every and [p.to_record() for p in iter_copied_passages(sample_store, discounted=True)] == [
        p.to_record() for p in every]
    looked_up: list[str] = []
    sample_store.conn.set_trace_callback(lambda sql: looked_up.append(sql) if "SELECT text FROM" in sql else None)
    try:
        first = next(iter_copied_passages(sample_store, discounted=True))
    finally:
        sample_store.conn.set_trace_callback(None)
    assert first.to_record() == every[0].to_record() and len(looked_up) <= 2  # its two documents' texts
    assert main(["reuse", "--db", sample_store.path, "--json", "--limit", "1"]) == 0
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines()] == [every[0].to_record()]
