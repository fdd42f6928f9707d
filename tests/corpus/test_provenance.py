"""Provenance graph, independence groups and the independence API."""

from __future__ import annotations

import io
import json
from pathlib import Path

import networkx as nx
import pytest

from storyline.clean.outlets import outlet_from_url
from storyline.corpus.citations import extract_citations
from storyline.corpus.provenance import (
    build_graph,
    chain,
    chain_labels,
    count_independent,
    export_graphml,
    export_json,
    independence_groups,
    independent,
    partition_sources,
)
from storyline.types import Citation, CopiedPassage, DocMeta, Span

EVIDENCE = ("earlier publication date", "copy names the source outlet")


def _span(doc: str, text: str, needle: str) -> Span:
    start = text.index(needle)
    return Span(doc, start, start + len(needle), needle)


def _sentence(doc: str, text: str, start_words: str) -> Span:
    """The line-or-sentence starting with ``start_words`` (up to the next '.' + space or newline)."""
    start = text.index(start_words)
    end = start
    while end < len(text) and text[end] != "\n" and not (text[end] == "." and text[end + 1 : end + 2] in (" ", "\n", "")):
        end += 1
    end = min(end + 1, len(text))
    return Span(doc, start, end, text[start:end])


@pytest.fixture(scope="module")
def sample(sample_dir: Path) -> dict[str, tuple[str, DocMeta]]:
    urls = {
        json.loads(line)["file"][:3]: json.loads(line)["url"]
        for line in (sample_dir / "sources.jsonl").read_text().splitlines()
        if line.strip()
    }
    out = {}
    for path in sorted(sample_dir.glob("*.txt")):
        key = path.name[:3]
        text = path.read_text(encoding="utf-8")
        meta = DocMeta(title=text.splitlines()[0], url=urls[key], outlet=outlet_from_url(urls[key]))
        out[key] = (text, meta)
    out["001"][1].published = "2017-03-09"
    return out


def _copied_paragraphs(src_id: str, src: str, copy_id: str, copy: str) -> list[CopiedPassage]:
    """Hand-made passages: every paragraph of ``copy`` found verbatim in ``src`` (a no-break
    space for a space is allowed: offsets stay the same)."""
    out = []
    src_n, copy_n = src.replace("\u00a0", " "), copy.replace("\u00a0", " ")
    pos = 0
    for para in copy_n.split("\n\n"):
        start = copy_n.index(para, pos)
        pos = start + len(para)
        para = para.strip()
        if len(para.split()) < 15 or para not in src_n:
            continue
        s = src_n.index(para)
        c = copy_n.index(para, start)
        e_s, e_c = s + len(para), c + len(para)
        out.append(
            CopiedPassage(
                Span(src_id, s, e_s, src[s:e_s]), Span(copy_id, c, e_c, copy[c:e_c]), 1.0, "source_to_copy", EVIDENCE
            )
        )
    return out


@pytest.fixture(scope="module")
def graph_and_texts(sample: dict[str, tuple[str, DocMeta]]) -> tuple[nx.MultiDiGraph, dict[str, str]]:
    texts = {k: t for k, (t, _) in sample.items()}
    passages = _copied_paragraphs("001", texts["001"], "004", texts["004"])
    assert len(passages) == 5
    citations: list[Citation] = []
    for k, (t, meta) in sample.items():
        citations += extract_citations(k, t, own_outlet=meta.outlet)
    g = build_graph(((k, m) for k, (_, m) in sample.items()), passages, citations, texts=texts)
    return g, texts


# --------------------------------------------------------------------------- graph shape


def test_graph_nodes_and_edges(graph_and_texts: tuple[nx.MultiDiGraph, dict[str, str]]) -> None:
    g, _ = graph_and_texts
    assert g.nodes["doc:001"]["outlet"] == "Breitbart News"
    assert g.nodes["doc:001"]["published"] == "2017-03-09"
    assert g.nodes["outlet:Voice of America"]["kind"] == "broadcaster"
    assert g.has_edge("doc:004", "outlet:conservativefiringline.com", key="published_by")
    copy = g.edges["doc:004", "doc:001", "copies"]
    assert copy["passages"] == 5 and copy["direction"] == "source_to_copy"
    assert copy["similarity"] == 1.0 and copy["direction_evidence"] == list(EVIDENCE)
    assert all(e["copy"].doc == "004" and e["source"].doc == "001" for e in copy["evidence"])
    assert not g.has_edge("doc:001", "doc:004")


def test_cites_edges_marks(graph_and_texts: tuple[nx.MultiDiGraph, dict[str, str]]) -> None:
    g, texts = graph_and_texts
    cites = [(v, a) for _, v, a in g.out_edges("doc:004", data=True) if a["relation"] == "cites"]
    voa = [a for v, a in cites if v == "outlet:Voice of America"]
    breitbart = [a for v, a in cites if v == "outlet:Breitbart News"]
    # VoA citations of 004 sit in paragraphs pasted from 001; its Breitbart ones are its own
    assert len(voa) == 4 and all(a["inherited_from"] == "001" for a in voa)
    assert len(breitbart) == 2 and all(a["inherited_from"] is None for a in breitbart)
    for a in voa + breitbart:
        ev, scope = a["evidence"], a["scope"]
        assert texts["004"][scope.start : scope.end] == scope.text
        assert scope.start <= ev.start and ev.end <= scope.end
    own = [a for _, _, a in g.out_edges("doc:002", data=True) if a["relation"] == "cites"]
    assert len(own) == 4 and all(a["self_citation"] for a in own)


def test_unknown_and_conflicting_directions() -> None:
    a = Span("a", 0, 10, "x" * 10)
    b = Span("b", 5, 15, "x" * 10)
    c = Span("c", 0, 10, "x" * 10)
    g = build_graph(
        [("a", DocMeta()), ("b", DocMeta()), ("c", DocMeta())],
        [
            CopiedPassage(a, b, 0.9, "unknown"),
            CopiedPassage(a, c, 0.9, "source_to_copy", ("earlier publication date",)),
            CopiedPassage(Span("c", 20, 30, "y" * 10), Span("a", 20, 30, "y" * 10), 0.8, "source_to_copy"),
        ],
        [],
    )
    assert g.edges["doc:b", "doc:a", "copies"]["direction"] == "unknown"
    # a→c and c→a passages disagree: one edge, direction unknown, passages kept
    ac = g.edges["doc:c", "doc:a", "copies"]
    assert ac["passages"] == 2 and ac["direction"] == "unknown" and ac["direction_evidence"] == []
    assert not g.has_edge("doc:a", "doc:c")
    assert set(independence_groups(g).values()) == {"group:a"}
    assert chain(g, "b") == ["doc:b"]  # unknown direction is not followed


# --------------------------------------------------------------------------- independence


def test_groups(graph_and_texts: tuple[nx.MultiDiGraph, dict[str, str]]) -> None:
    g, _ = graph_and_texts
    groups = independence_groups(g)
    assert groups["001"] == groups["004"] == "group:001"
    assert len({groups["000"], groups["002"], groups["003"], groups["001"]}) == 4


def test_claim_in_001_and_its_copy_in_004_are_one_source(graph_and_texts: tuple[nx.MultiDiGraph, dict[str, str]]) -> None:
    g, texts = graph_and_texts
    a = _span("001", texts["001"], "“dozens” of Islamic State vehicles")
    b = _span("004", texts["004"], "“dozens” of Islamic State vehicles")
    assert not independent(g, a, b)
    # 004's own rewording (outside the pasted paragraphs) is the same source too
    c = _span("004", texts["004"], "have been fleeing towards")
    assert not independent(g, a, c)
    assert not independent(g, a, _span("001", texts["001"], "Marines"))  # same document


def test_unrelated_documents_are_independent(graph_and_texts: tuple[nx.MultiDiGraph, dict[str, str]]) -> None:
    g, texts = graph_and_texts
    rbss = _span("000", texts["000"], "10 Buses and 35 SUV Chevrolet")
    margada = _span("002", texts["002"], "more than 90 ISIS militant")
    assert independent(g, rbss, margada)
    assert independent(g, margada, rbss)
    # two ARA News articles: one publisher, one source
    assert not independent(g, margada, _span("003", texts["003"], "75 families"))


def test_count_independent_on_samples(graph_and_texts: tuple[nx.MultiDiGraph, dict[str, str]]) -> None:
    g, texts = graph_and_texts
    spans = [
        _span("001", texts["001"], "Raqqa"),
        _span("004", texts["004"], "Raqqa"),
        _span("000", texts["000"], "Raqqa"),
        _span("002", texts["002"], "Raqqa"),
        _span("003", texts["003"], "Raqqa"),
    ]
    assert count_independent(g, spans) == 3  # {001, 004}, {000}, {002, 003}
    assert [[s.doc for s in grp] for grp in partition_sources(g, spans)] == [["001", "004"], ["000"], ["002", "003"]]
    assert count_independent(g, []) == 0
    assert count_independent(g, spans[:1]) == 1


def _two_reports(sentence_x: str, sentence_y: str) -> tuple[nx.MultiDiGraph, dict[str, str]]:
    texts = {
        "x": f"Raqqa is tense. {sentence_x} Shops stayed shut on Friday.",
        "y": f"{sentence_y} A curfew began at dusk.",
    }
    metas = [("x", DocMeta(outlet="Al-Monitor")), ("y", DocMeta(outlet="The Daily Beast"))]
    cits = [c for k, t in texts.items() for c in extract_citations(k, t)]
    return build_graph(metas, [], cits, texts=texts), texts


def test_shared_upstream_outlet_is_one_source() -> None:
    g, texts = _two_reports(
        "Hussam Eesa told VoA that dozens of vehicles left Raqqa.",
        "Dozens of vehicles left Raqqa, according to Voice of America.",
    )
    a = _span("x", texts["x"], "dozens of vehicles left Raqqa")
    b = _span("y", texts["y"], "Dozens of vehicles left Raqqa")
    assert not independent(g, a, b)
    assert count_independent(g, [a, b]) == 1
    # other sentences of the two reports do not rest on VoA: independent
    assert independent(g, _span("x", texts["x"], "Shops stayed shut"), _span("y", texts["y"], "A curfew began"))
    assert independent(g, _span("x", texts["x"], "Shops stayed shut"), b)


def test_citing_an_outlet_and_that_outlets_report_are_one_source() -> None:
    texts = {"p": "Twenty trucks crossed, according to Reuters.", "r": "Twenty trucks crossed the border."}
    cits = extract_citations("p", texts["p"])
    g = build_graph([("p", DocMeta(outlet="Al-Monitor")), ("r", DocMeta(outlet="Reuters"))], [], cits, texts=texts)
    assert not independent(g, _span("p", texts["p"], "Twenty trucks crossed"), _span("r", texts["r"], "Twenty trucks"))


def test_spans_of_unknown_documents() -> None:
    g = build_graph([], [], [])
    assert independent(g, Span("u", 0, 1, "a"), Span("v", 0, 1, "b"))
    assert not independent(g, Span("u", 0, 1, "a"), Span("u", 5, 6, "b"))
    assert count_independent(g, [Span("u", 0, 1, "a"), Span("u", 5, 6, "b"), Span("v", 0, 1, "b")]) == 2


# --------------------------------------------------------------------------- chain


def test_chain_004_breitbart_voa(graph_and_texts: tuple[nx.MultiDiGraph, dict[str, str]]) -> None:
    g, _ = graph_and_texts
    assert chain(g, "004") == ["doc:004", "doc:001", "outlet:Voice of America"]
    assert chain_labels(g, "004") == ["conservativefiringline.com (004)", "Breitbart News (001)", "Voice of America"]
    assert chain(g, "001") == ["doc:001", "outlet:Voice of America"]
    assert chain(g, "002") == ["doc:002"]  # only self-citations
    assert chain(g, "000") == ["doc:000", "outlet:Raqqa Is Being Slaughtered Silently"]
    assert chain(g, "nope") == []


# --------------------------------------------------------------------------- export


def test_export_json_round_trips(graph_and_texts: tuple[nx.MultiDiGraph, dict[str, str]]) -> None:
    g, texts = graph_and_texts
    data = json.loads(json.dumps(export_json(g)))
    assert {n["id"] for n in data["nodes"]} == set(g.nodes)
    assert len(data["edges"]) == g.number_of_edges()
    copy = next(e for e in data["edges"] if e["key"] == "copies")
    ev = copy["evidence"][0]["copy"]
    assert set(ev) == {"doc", "start", "end", "text"}
    assert texts[ev["doc"]][ev["start"] : ev["end"]] == ev["text"]
    cite = next(e for e in data["edges"] if e["relation"] == "cites")
    assert set(cite["evidence"]) == {"doc", "start", "end", "text"}
    back = nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")
    assert back.number_of_edges() == g.number_of_edges()


def test_export_graphml_reads_back(graph_and_texts: tuple[nx.MultiDiGraph, dict[str, str]], tmp_path: Path) -> None:
    g, _ = graph_and_texts
    path = tmp_path / "prov.graphml"
    export_graphml(g, path)
    back = nx.read_graphml(path, force_multigraph=True)
    assert set(back.nodes) == set(g.nodes)
    assert back.number_of_edges() == g.number_of_edges()
    copy = back.edges["doc:004", "doc:001", "copies"]
    assert copy["passages"] == 5 and copy["direction"] == "source_to_copy"
    assert json.loads(copy["evidence"])[0]["copy"]["doc"] == "004"
    buf = io.BytesIO()
    export_graphml(g, buf)
    assert buf.getvalue().startswith(b"<?xml")
