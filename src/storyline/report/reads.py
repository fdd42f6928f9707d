"""What a story's report (and its story record) reads from the store: the story's documents
with only the layers the report uses, and the provenance graph of the copy groups those
documents belong to — not every layer of every document, nor every copied passage of the
corpus.

Why (CPU seconds, one run each on the 10,000-document replica store, this machine): the
report of the largest story (2,280 documents) spent 6.4 s decoding all ten layers of its
documents (entities, times, attributions and event mentions, which the report never reads:
the stored claims and events come through :mod:`storyline.corpus.persist`; the six it reads:
1.7 s) and 8.9 s building the provenance graph from all 258,828 copied passages of the
corpus (over the story's copy components: 4.0 s). A 50-document story paid the same 6.9 s
for the whole-corpus graph (its components: 0.06 s), so its report grew with the corpus.

The graph is built over the *copy components* of the story's documents — every document
joined to one of them by a chain of copied passages, in any direction, over the whole
corpus (at most 29 documents per component on that store). Everything the report takes
from the graph is decided inside those components: a document's copy group and its id
(the smallest document id of the component), the publishers of the group, the story's
copy, citation and publisher edges and their neighbours. The passages are read in the
corpus-wide order (:func:`~storyline.corpus.persist.copied_passages`), so nodes and edges
come in the same relative order as in the whole-corpus graph and the report is
byte-identical to one built on it (checked on the sample and on stories of a 1,000- and a
10,000-document store).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..types import Doc

if TYPE_CHECKING:
    import networkx as nx

    from ..store import Store

__all__ = ["REPORT_SLOTS", "SUMMARY_SLOTS", "read_docs", "copy_pairs", "copy_component", "story_graph"]

#: the layers a report reads: sentence bounds (findings), quantities (key numbers), places
#: (map, place names), citations (provenance graph), skipped (the "not analysed" note)
REPORT_SLOTS = ("sentences", "quantities", "places", "dateline_places", "citations", "skipped")
#: the layers a story record's summary reads (findings and the provenance graph)
SUMMARY_SLOTS = ("sentences", "citations")

_PAIRS = (
    "SELECT DISTINCT p.source_doc, p.copy_doc FROM copied_passages p"
    " JOIN documents s ON s.id = p.source_doc JOIN documents c ON c.id = p.copy_doc"
    " WHERE p.discounted IS NULL AND s.superseded_by IS NULL AND c.superseded_by IS NULL"
    " AND p.{end} IN (SELECT value FROM json_each(?))"
)


def read_docs(store: Store, doc_ids: Sequence[str] | None, slots: Iterable[str] = REPORT_SLOTS) -> list[Doc]:
    """The current, ok documents of ``doc_ids`` (ids or unique prefixes, in that order,
    each once) — all of them, in store order, when None — with only ``slots`` decoded."""
    slots = tuple(slots)
    if doc_ids is None:
        return list(store.iter_docs(status=["ok"], slots=slots))
    out, seen = [], set()
    for ref in dict.fromkeys(doc_ids):
        d = store.get(ref, with_raw=False, slots=slots)
        if d.id in seen or d.status != "ok" or d.superseded_by:
            continue
        seen.add(d.id)
        out.append(d)
    return out


def copy_pairs(store: Store, doc_ids: Iterable[str]) -> tuple[set[str], set[tuple[str, str]]]:
    """The copy components of ``doc_ids``: every document joined to one of them by a chain
    of current, counted (not site-template) copied passages, in either direction, and the
    (source, copy) document pairs of those passages."""
    found = set(doc_ids)
    pairs: set[tuple[str, str]] = set()
    frontier = sorted(found)
    while frontier:
        arg = (json.dumps(frontier),)
        new: set[str] = set()
        for end in ("source_doc", "copy_doc"):
            for a, b in store.conn.execute(_PAIRS.format(end=end), arg):
                pairs.add((a, b))
                new.update(x for x in (a, b) if x not in found)
        found |= new
        frontier = sorted(new)
    return found, pairs


def copy_component(store: Store, doc_ids: Iterable[str]) -> set[str]:
    """``doc_ids`` and every document in their copy components (:func:`copy_pairs`)."""
    return copy_pairs(store, doc_ids)[0]


def story_graph(
    store: Store, docs: Sequence[Doc], *, whole_corpus: bool = False, passages: bool = True
) -> nx.MultiDiGraph:
    """The provenance graph of ``docs`` over their copy components (module docstring); with
    ``whole_corpus`` (``docs`` are all current documents), over every copied passage.

    Without ``passages``, one bare ``copies`` edge per copying pair stands for the passages:
    the graph answers the independence API (copy groups, publishers, cited outlets, all the
    findings ask of it) as the full one does, but its copy edges carry no passages,
    direction or similarity, and no citation is marked inherited. The story records' summary
    needs no more (the largest story of the 10,000-document store: 0.55 s CPU instead of 4.0 s)."""
    from ..corpus.persist import provenance_graph
    from ..corpus.provenance import build_graph, doc_node

    if whole_corpus:
        return provenance_graph(store, docs)
    among, pairs = copy_pairs(store, (d.id for d in docs))
    if passages:
        return provenance_graph(store, docs, among=sorted(among))
    g = build_graph(((d.id, d.meta) for d in docs), (), (c for d in docs for c in d.citations),
                    texts={d.id: d.text or "" for d in docs})
    for source, copy in sorted(pairs):
        if source == copy:
            continue
        for doc_id in (source, copy):
            if doc_node(doc_id) not in g:
                g.add_node(doc_node(doc_id), type="doc", doc_id=doc_id, title=None, outlet=None, published=None, url=None)
        g.add_edge(doc_node(copy), doc_node(source), key="copies", relation="copies")
    return g
