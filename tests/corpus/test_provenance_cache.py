"""The cached independence API (one :class:`IndependenceIndex` per graph) gives the answers
of a graph walk on every call, and notices when the graph changes."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from storyline.corpus.provenance import (
    IndependenceIndex,
    build_graph,
    count_independent,
    doc_node,
    independence_groups,
    independent,
    partition_sources,
)
from storyline.types import Citation, CopiedPassage, DocMeta, Span

OUTLETS = ["Reuters", "Voice of America", "ARA News", "Breitbart News", "Rudaw", "the Times", "BBC News"]


# --------------------------------------------------------------------------- reference


def _ref_component(g: nx.MultiDiGraph, node: str) -> set[str]:
    copies = nx.Graph()
    copies.add_nodes_from(g)
    copies.add_edges_from((u, v) for u, v, k in g.edges(keys=True) if k == "copies")
    return nx.node_connected_component(copies, node)


def _ref_origins(g: nx.MultiDiGraph, span: Span) -> set[str]:
    node = doc_node(span.doc)
    if node not in g:
        return {"group:" + span.doc}
    comp = _ref_component(g, node)
    found = {"group:" + min(n.removeprefix("doc:") for n in comp)}
    for d in comp:
        found |= {o for _, o, k in g.out_edges(d, keys=True) if k in ("published_by", "credits")}
    for _, o, a in g.out_edges(node, data=True):
        if a.get("relation") == "cites":
            s = a["scope"]
            if s.start < span.end and span.start < s.end or s.start == span.start:
                found.add(o)
    return found


def _ref_partition(g: nx.MultiDiGraph, spans: list[Span]) -> list[list[Span]]:
    origins = [_ref_origins(g, s) for s in spans]
    link = nx.Graph()
    link.add_nodes_from(range(len(spans)))
    link.add_edges_from((i, j) for i in range(len(spans)) for j in range(i) if origins[i] & origins[j])
    comps = sorted((sorted(c) for c in nx.connected_components(link)), key=lambda c: c[0])
    return [[spans[i] for i in c] for c in comps]


def _ref_groups(g: nx.MultiDiGraph) -> dict[str, str]:
    out = {}
    for n, a in g.nodes(data=True):
        if a.get("type") == "doc":
            comp = _ref_component(g, n)
            out[a["doc_id"]] = "group:" + min(m.removeprefix("doc:") for m in comp)
    return out


# --------------------------------------------------------------------------- random graphs


def _random_graph(rng: random.Random, n_docs: int) -> tuple[nx.MultiDiGraph, list[str]]:
    ids = [f"{i:03d}" for i in range(n_docs)]
    docs = []
    for d in ids:
        outlet = rng.choice(OUTLETS + [None])
        credit = rng.choice(OUTLETS) if rng.random() < 0.2 else None
        docs.append((d, DocMeta(title=d, outlet=outlet, credit=credit)))
    passages = []
    for _ in range(rng.randint(0, n_docs)):
        a, b = rng.sample(ids, 2)
        s = rng.randrange(0, 400)
        passages.append(
            CopiedPassage(
                Span(a, s, s + 50, "x" * 50),
                Span(b, s + 10, s + 60, "x" * 50),
                0.9,
                rng.choice(["source_to_copy", "unknown"]),
                (),
            )
        )
    citations = []
    for _ in range(rng.randint(0, 3 * n_docs)):
        d = rng.choice(ids + ["ghost"])  # a citation of a document with no metadata: a bare node
        s = rng.randrange(0, 500)
        citations.append(Citation(d, rng.choice(OUTLETS), "told", Span(d, s, s + rng.randint(1, 80), "c")))
    return build_graph(docs, passages, citations), ids


def _random_spans(rng: random.Random, ids: list[str], k: int) -> list[Span]:
    out = []
    for _ in range(k):
        d = rng.choice(ids + ["unknown-doc"])
        s = rng.randrange(0, 500)
        out.append(Span(d, s, s + rng.randint(1, 120), "t"))
    return out


@pytest.mark.parametrize("seed", range(25))
def test_cached_independence_equals_graph_walk(seed: int) -> None:
    rng = random.Random(seed)
    g, ids = _random_graph(rng, rng.randint(2, 30))
    assert independence_groups(g) == _ref_groups(g)
    explicit = IndependenceIndex(g)
    for _ in range(20):
        spans = _random_spans(rng, ids, rng.randint(0, 12))
        ref = _ref_partition(g, spans)
        assert partition_sources(g, spans) == ref
        assert partition_sources(g, spans, index=explicit) == ref
        assert count_independent(g, spans) == len(ref)
        a, b = _random_spans(rng, ids, 2)
        expect = a.doc != b.doc and not (_ref_origins(g, a) & _ref_origins(g, b))
        assert independent(g, a, b) is expect
        assert independent(g, a, b, index=explicit) is expect
    assert IndependenceIndex.of(g) is IndependenceIndex.of(g)  # one index per graph


def test_cache_follows_graph_changes() -> None:
    rng = random.Random(7)
    g, ids = _random_graph(rng, 12)
    spans = [Span(d, 0, 10, "t") for d in ids]
    assert partition_sources(g, spans) == _ref_partition(g, spans)
    # a new copy edge joins two groups; a new publisher edge and a citation add origins
    groups = independence_groups(g)
    a, b = next((x, y) for x in ids for y in ids if groups[x] != groups[y])
    g.add_edge(doc_node(a), doc_node(b), key="copies", relation="copies", direction="unknown")
    assert independence_groups(g) == _ref_groups(g)
    assert partition_sources(g, spans) == _ref_partition(g, spans)
    g.add_edge(doc_node(ids[0]), "outlet:Reuters", key="credits", relation="credits")
    assert partition_sources(g, spans) == _ref_partition(g, spans)
    g.add_edge(doc_node(ids[1]), "outlet:Rudaw", key="cites@0-5", relation="cites", scope=Span(ids[1], 0, 5, "c"),
               evidence=Span(ids[1], 0, 5, "c"))
    assert partition_sources(g, spans) == _ref_partition(g, spans)
    # removing the copy edge splits the group again
    g.remove_edge(doc_node(a), doc_node(b), key="copies")
    assert independence_groups(g) == _ref_groups(g)
    assert partition_sources(g, spans) == _ref_partition(g, spans)
    # an edit that keeps the counts is seen with fresh=True
    IndependenceIndex.of(g, fresh=True)
    assert partition_sources(g, spans) == _ref_partition(g, spans)


def test_independence_groups_result_is_a_copy() -> None:
    g, _ = _random_graph(random.Random(3), 8)
    first = independence_groups(g)
    first.clear()
    assert independence_groups(g) == _ref_groups(g)
