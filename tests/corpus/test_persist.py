"""Copy detection against the store: persisted index, incremental adds, resume, CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import storyline
from storyline.corpus.persist import copied_passages, provenance_graph, unindexed, update_reuse
from storyline.corpus.provenance import chain, count_independent, independence_groups
from storyline.store import Store


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
    keys_before = store.conn.execute("SELECT count(*) FROM reuse_keys").fetchone()[0]
    storyline.ingest(store, [later], progress=False)
    ids = _by_prefix(store)
    assert {(p.source.doc, p.copy.doc) for p in copied_passages(store)} == {(ids["001"], ids["004"])}
    # only the new document's windows were added; nothing was re-indexed
    added = store.conn.execute("SELECT count(DISTINCT doc_id) FROM reuse_keys WHERE rowid > ?", (keys_before,)).fetchone()[0]
    assert added == 1


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
