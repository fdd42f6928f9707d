"""The scoped provenance read (:func:`storyline.corpus.scope.scoped_provenance`: bare copy
edges, known-direction passages by offsets only, texts of citing documents only) gives the
via chains and independent sources of the whole provenance graph and the whole list of
copied passages, document by document."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from storyline.corpus import scope
from storyline.corpus.claims import _chain_of, claim_inputs, via_nodes
from storyline.corpus.persist import copied_passages, provenance_graph
from storyline.corpus.provenance import IndependenceIndex, partition_sources
from storyline.runner import ingest
from storyline.store import Store

SEEDS = Path(__file__).resolve().parents[2] / "../shared/corpus/seeds"


def _offsets(passages: list) -> list[tuple[str, int, int, str, int, int, str]]:
    return [(p.source.doc, p.source.start, p.source.end, p.copy.doc, p.copy.start, p.copy.end, p.direction)
            for p in passages]


def _edges(graph: Any) -> set[tuple[str, str, str, str]]:
    """Edges with what the independence API and via chains read of them: a copy edge's ends and
    direction, a citation's cue, evidence, scope and self-citation flag."""
    keep = {"copies": ("relation", "direction")}
    cite = ("relation", "cue", "evidence", "scope", "self_citation")
    return {(u, v, k, repr({x: a[x] for x in keep.get(k, cite) if x in a}))
            for u, v, k, a in graph.edges(keys=True, data=True)}


@pytest.fixture(scope="module")
def store_with_copies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus and two rewrites reusing its paragraphs (shuffled, with a new lede),
    so copy groups span several documents."""
    if not SEEDS.is_dir():
        pytest.skip("sample corpus not available")
    folder = tmp_path_factory.mktemp("scoped")
    seeds = sorted(SEEDS.glob("0*.txt"))
    for f in seeds:
        (folder / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    rng = random.Random(13)
    for k, (a, b) in enumerate([(0, 1), (0, 2)]):
        paras = [p for f in (seeds[a], seeds[b]) for p in f.read_text(encoding="utf-8").split("\n\n") if p.strip()]
        rng.shuffle(paras)
        lede = "The regional desk compiled this account from earlier wire reports on Tuesday."
        (folder / f"9{k}_rewrite.txt").write_text("\n\n".join([lede, *paras[:12]]), encoding="utf-8")
    db = folder / "s.db"
    with Store(db) as s:
        ingest(s, [folder], progress=False)
    return db


def test_scoped_read_gives_the_via_chains_and_sources_of_the_whole_graph(store_with_copies: Path) -> None:
    with Store(store_with_copies) as s:
        docs = {d.id: d for d in s.iter_docs(status=["ok"])}
        whole, passages = provenance_graph(s, list(docs.values())), copied_passages(s)
        assert any(p.direction == "source_to_copy" for p in passages)
        inputs = claim_inputs(docs, {d: docs[d].attributions for d in docs})
        whole_index = IndependenceIndex.of(whole)
        grouped = crossed = 0
        shared: scope.Groups = {}  # groups kept from one call to the next, as an update does
        for d in docs:
            graph, got = scope.scoped_provenance(s, {d})
            group = scope.copy_group(s, {d})
            kept_graph, kept = scope.scoped_provenance(s, {d, *list(docs)[:2]}, shared)
            assert shared[d].members == group  # the kept group is the stored one
            assert _offsets(kept) == _offsets(scope.scoped_provenance(s, {d, *list(docs)[:2]})[1])
            assert _edges(kept_graph) == _edges(scope.scoped_provenance(s, {d, *list(docs)[:2]})[0])
            grouped += len(group) > 1
            assert _offsets(got) == _offsets([p for p in passages if p.source.doc in group and p.copy.doc in group
                                              and p.direction == "source_to_copy"])
            for n, attrs in graph.nodes(data=True):
                assert whole.nodes[n] == attrs
            # every edge but copy passages and inherited citations (bare pairs, by design)
            assert _edges(graph) == {e for e in _edges(whole) if e[0] in graph}
            mine = [ci for ci in inputs if ci.doc_id in group]
            for ci in mine:
                want = via_nodes(ci.doc_id, ci, whole, passages)
                have = via_nodes(ci.doc_id, ci, graph, got)
                assert have == want
                crossed += sum(n.startswith("doc:") for n in have) > 1
                assert _chain_of(graph, have) == _chain_of(whole, want)
            spans = [ci.content for ci in mine]
            index = IndependenceIndex.of(graph)
            assert partition_sources(graph, spans, index=index) == partition_sources(whole, spans, index=whole_index)
            assert [index.origins(x) for x in spans] == [whole_index.origins(x) for x in spans]
        assert grouped >= 2  # the rewrites are copies: some scopes span a copy group
        assert crossed  # and some via chains run through a copied passage
