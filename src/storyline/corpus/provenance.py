"""The provenance graph: which documents copy which, which outlets they cite, and which
pieces of evidence are independent of each other.

One :class:`networkx.MultiDiGraph`, built by :func:`build_graph`:

========================  ===================  ===============================================
node                      attributes           meaning
========================  ===================  ===============================================
``doc:<id>``              type="doc", doc_id,  a document
                          title, outlet,
                          published, url
``outlet:<name>``         type="outlet",       an outlet or agency (canonical name; an
                          name, kind           ambiguous one as written: "the Times")
========================  ===================  ===============================================

========================================  ==============  =========================================
edge (key)                                relation        attributes
========================================  ==============  =========================================
doc → outlet (``published_by``)           published_by    —
doc → outlet (``credits``)                credits         the text credits another outlet
                                                          (``DocMeta.credit``, "Source: Reuters")
copy doc → source doc (``copies``)        copies          passages (count), similarity (max),
                                                          direction (``source_to_copy`` or
                                                          ``unknown``), direction_evidence
                                                          (reasons), evidence (list of
                                                          ``{"source": Span, "copy": Span}``)
doc → outlet (``cites@<start>-<end>``)    cites           cue, evidence (Span: the cue phrase),
                                                          scope (Span: the sentence it governs),
                                                          self (cites its own outlet),
                                                          inherited_from (doc id when the
                                                          citation sits in a passage copied from
                                                          that doc, else None)
========================================  ==============  =========================================

For ``unknown`` direction the copy edge runs from the passage's ``copy`` document to its
``source`` document as given, with ``direction="unknown"``; passages of one pair of documents
whose known directions disagree make one ``unknown`` edge.

Independence (:func:`independent`, :func:`count_independent`) — two spans are **not**
independent when they share an *origin*. A span's origins are:

1. its document's **copy group** (:func:`independence_groups`: connected components over
   copy edges, any direction, unknown included). Conservative on purpose: inside a group,
   even text outside the copied passages is treated as the same source, because a text
   that pastes paragraphs of another usually rewrites the rest of it too (004 rewords 001
   around its pasted paragraphs). So two spans of one document are never independent;
2. the **publishers** of every document in that group, and outlets the group's texts credit
   (two ARA News articles are one source, not two);
3. the **upstream outlets** cited in the sentence around the span (a cites edge whose
   ``scope`` overlaps it, self-citations included): two texts that both say "told Voice of
   America" rest on one upstream report. Citation chains are not followed further (a
   sentence citing Breitbart is not assumed to rest on everything Breitbart cites), but a
   sentence citing outlet X and a document published by X do share origin X.

Unresolved short names count by their written form: two sentences both citing "the Times"
are treated as one upstream (conservative).

:func:`chain` walks outward from a document: along known-direction copy edges to the
source document (most passages first), then along the most-cited non-self citation to an
outlet: ``chain(g, "004") == ["doc:004", "doc:001", "outlet:Voice of America"]``;
:func:`chain_labels` renders it ``["conservativefiringline.com (004)", "Breitbart News (001)",
"Voice of America"]``.
"""

from __future__ import annotations

import io
import json
import weakref
from collections import Counter
from collections.abc import Iterable, Mapping
from os import PathLike
from typing import IO, Any

import networkx as nx

from ..clean.outlets import canonical_outlet, outlet_info
from ..cluster import DisjointSet, components
from ..types import Citation, CopiedPassage, DocMeta, Span
from .citations import citation_scope, is_self_citation

__all__ = [
    "build_graph",
    "export_json",
    "export_graphml",
    "independence_groups",
    "independent",
    "count_independent",
    "partition_sources",
    "chain",
    "chain_labels",
    "IndependenceIndex",
    "doc_node",
    "outlet_node",
]


def doc_node(doc_id: str) -> str:
    return f"doc:{doc_id}"


def outlet_node(name: str) -> str:
    return f"outlet:{name}"


def _outlet_name(name: str) -> str:
    return canonical_outlet(name) or name.strip()


def _add_outlet(g: nx.MultiDiGraph, name: str) -> str:
    node = outlet_node(name)
    if node not in g:
        info = outlet_info(name)
        g.add_node(node, type="outlet", name=name, kind=info.kind if info is not None else None)
    return node


def _add_doc(g: nx.MultiDiGraph, doc_id: str, meta: DocMeta | None = None) -> str:
    node = doc_node(doc_id)
    if meta is None:
        if node not in g:
            g.add_node(node, type="doc", doc_id=doc_id, title=None, outlet=None, published=None, url=None)
        return node
    outlet = _outlet_name(meta.outlet) if meta.outlet else None
    g.add_node(
        node, type="doc", doc_id=doc_id, title=meta.title, outlet=outlet, published=meta.published, url=meta.url
    )
    if outlet:
        g.add_edge(node, _add_outlet(g, outlet), key="published_by", relation="published_by")
    credit = _outlet_name(meta.credit) if meta.credit else None
    if credit and credit != outlet:
        g.add_edge(node, _add_outlet(g, credit), key="credits", relation="credits")
    return node


def _add_copies(g: nx.MultiDiGraph, passages: Iterable[CopiedPassage]) -> dict[str, list[tuple[Span, str]]]:
    """Copy edges, one per pair of documents. Returns, per copy document, the copied spans
    with their source document (known direction only) — to mark inherited citations."""
    pairs: dict[frozenset[str], list[CopiedPassage]] = {}
    for p in passages:
        if p.source.doc == p.copy.doc:
            continue
        pairs.setdefault(frozenset((p.source.doc, p.copy.doc)), []).append(p)
    copied: dict[str, list[tuple[Span, str]]] = {}
    for items in pairs.values():
        known = {(p.copy.doc, p.source.doc) for p in items if p.direction == "source_to_copy"}
        if len(known) == 1:
            (copy_doc, source_doc), direction = next(iter(known)), "source_to_copy"
        else:  # none known, or the passages disagree: never guess
            copy_doc, source_doc, direction = items[0].copy.doc, items[0].source.doc, "unknown"
        evidence: list[dict[str, Span]] = []
        reasons: list[str] = []
        for p in items:
            src, cp = (p.source, p.copy) if p.copy.doc == copy_doc else (p.copy, p.source)
            evidence.append({"source": src, "copy": cp})
            reasons.extend(r for r in p.direction_evidence if r not in reasons)
            if direction == "source_to_copy":
                copied.setdefault(copy_doc, []).append((cp, source_doc))
        g.add_edge(
            _add_doc(g, copy_doc),
            _add_doc(g, source_doc),
            key="copies",
            relation="copies",
            passages=len(items),
            similarity=max(p.similarity for p in items),
            direction=direction,
            direction_evidence=reasons if direction == "source_to_copy" else [],
            evidence=sorted(evidence, key=lambda e: e["copy"].start),
        )
    return copied


def build_graph(
    docs: Iterable[tuple[str, DocMeta]],
    passages: Iterable[CopiedPassage],
    citations: Iterable[Citation],
    *,
    texts: Mapping[str, str] | None = None,
) -> nx.MultiDiGraph:
    """The provenance graph of a corpus (see the module docstring for its shape).

    ``texts`` (doc id → cleaned text) lets each citation carry the sentence it governs
    (``scope``), which the independence API uses; without it a citation covers only its cue
    phrase, so fewer spans are recognised as resting on a shared upstream outlet.
    Documents named only by passages or citations get a bare node.
    """
    g = nx.MultiDiGraph()
    metas: dict[str, DocMeta] = {}
    for doc_id, meta in docs:
        metas[doc_id] = meta
        _add_doc(g, doc_id, meta)
    copied = _add_copies(g, passages)
    for c in citations:
        node = _add_doc(g, c.doc)
        outlet = c.outlet
        cited_meta = metas.get(c.doc)
        own = [o for o in ((cited_meta.outlet, cited_meta.credit) if cited_meta else ()) if o]
        ev = c.evidence
        text = texts.get(c.doc) if texts is not None else None
        scope = citation_scope(text, c) if text is not None and text[ev.start : ev.end] == ev.text else ev
        inherited = next(
            (src for sp, src in copied.get(c.doc, ()) if sp.start <= ev.start and ev.end <= sp.end), None
        )
        g.add_edge(
            node,
            _add_outlet(g, outlet),
            key=f"cites@{ev.start}-{ev.end}",
            relation="cites",
            cue=c.cue,
            evidence=ev,
            scope=scope,
            self_citation=any(is_self_citation(c, o) for o in own),
            inherited_from=inherited,
        )
    return g


# --------------------------------------------------------------------------- export


def _jsonable(value: Any) -> Any:
    if isinstance(value, Span):
        return value.to_record()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    return value


def export_json(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """Node-link JSON (``nodes``, ``edges`` with ``source``/``target``/``key``); spans are
    records.md evidence spans. ``json.dumps`` takes it as is."""
    return {
        "directed": True,
        "multigraph": True,
        "graph": _jsonable(dict(graph.graph)),
        "nodes": [{"id": n, **_jsonable(a)} for n, a in graph.nodes(data=True)],
        "edges": [
            {"source": u, "target": v, "key": k, **_jsonable(a)} for u, v, k, a in graph.edges(keys=True, data=True)
        ],
    }


def _graphml_value(value: Any) -> Any:
    if isinstance(value, (bool, int, float, str)):
        return value
    return json.dumps(_jsonable(value), ensure_ascii=False)


def export_graphml(graph: nx.MultiDiGraph, path_or_buffer: str | PathLike[str] | IO[bytes]) -> None:
    """Write GraphML. GraphML holds scalars only: spans and lists become JSON strings,
    ``None`` attributes are left out."""
    flat = nx.MultiDiGraph()
    flat.graph.update({k: _graphml_value(v) for k, v in graph.graph.items() if v is not None})
    for n, a in graph.nodes(data=True):
        flat.add_node(n, **{k: _graphml_value(v) for k, v in a.items() if v is not None})
    for u, v, k, a in graph.edges(keys=True, data=True):
        flat.add_edge(u, v, key=k, **{kk: _graphml_value(vv) for kk, vv in a.items() if vv is not None})
    if isinstance(path_or_buffer, io.TextIOBase):
        raise TypeError("export_graphml needs a path or a binary file object")
    nx.write_graphml(flat, path_or_buffer)


# --------------------------------------------------------------------------- independence


def _group_id(component: Iterable[str]) -> str:
    return "group:" + min(n.removeprefix("doc:") for n in component)


def _fingerprint(graph: nx.MultiDiGraph) -> tuple[int, int]:
    """Node and edge counts: what any change to the copy, publisher or citation edges
    changes (edits that keep both counts, e.g. moving one edge, are not seen: rebuild the
    index with :meth:`IndependenceIndex.of` ``(graph, fresh=True)`` after such an edit)."""
    return len(graph), sum(len(keys) for nbrs in graph._adj.values() for keys in nbrs.values())


class IndependenceIndex:
    """What the independence API reads from one provenance graph, computed once: each
    document's copy group (connected components over ``copies`` edges), the publishers and
    credited outlets of each group, and each document's citations (outlet, scope).

    :func:`independent`, :func:`partition_sources`, :func:`count_independent` and
    :func:`independence_groups` share one per graph (:meth:`of`, kept while the graph's node
    and edge counts do not change); callers that know the graph is fixed may build one and
    pass it as ``index=``. Answers are the same as walking the graph on every call.

    A graph that holds only part of the copy edges (a bounded report's: the passages among
    the documents it reads) carries the stored copy groups of its documents as
    ``graph.graph["copy_groups"]`` (doc id → group id, :mod:`.copy_groups`): documents of one
    stored group are one group, under that group's id, as in the whole graph."""

    __slots__ = ("fingerprint", "group", "members", "cites", "__weakref__")

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.fingerprint = _fingerprint(graph)
        copies: DisjointSet[str] = DisjointSet()
        own: dict[str, list[str]] = {}
        cites: dict[str, list[tuple[str, Span]]] = {}
        stored: Mapping[str, str] = graph.graph.get("copy_groups") or {}
        first: dict[str, str] = {}
        for doc, gid in sorted(stored.items()):
            n = doc_node(doc)
            if n in graph:
                copies.union(first.setdefault(gid, n), n)
        for u, v, k, a in graph.edges(keys=True, data=True):
            if k == "copies":
                copies.union(u, v)
            if k in ("published_by", "credits"):
                own.setdefault(u, []).append(v)
            if a.get("relation") == "cites":
                cites.setdefault(u, []).append((v, a["scope"]))
        #: node -> (group id, publishers and credited outlets of the group)
        self.group: dict[str, tuple[str, frozenset[str]]] = {}
        #: node -> the nodes of its copy group (itself alone when it has no copy edge)
        self.members: dict[str, tuple[str, ...]] = {}
        for comp in copies.groups():
            held = next((stored[d] for n in comp if (d := n.removeprefix("doc:")) in stored), None)
            gid = _group_id(comp) if held is None else "group:" + held
            outlets = frozenset(o for d in comp for o in own.get(d, ()))
            ms = tuple(comp)
            for d in comp:
                self.group[d] = (gid, outlets)
                self.members[d] = ms
        for n in graph:
            if n not in self.group:
                self.group[n] = (_group_id((n,)), frozenset(own.get(n, ())))
                self.members[n] = (n,)
        self.cites = cites

    @classmethod
    def of(cls, graph: nx.MultiDiGraph, *, fresh: bool = False) -> IndependenceIndex:
        """The index of ``graph``: the cached one while the graph's node and edge counts are
        unchanged, else (or with ``fresh``) a new one, cached in its place."""
        fp = _fingerprint(graph)
        idx = None if fresh else _INDEXES.get(graph)
        if idx is None or idx.fingerprint != fp:
            idx = cls(graph)
            _INDEXES[graph] = idx
        return idx

    def origins(self, span: Span) -> set[str]:
        """The origins of ``span`` (module docstring): its copy group, the group's
        publishers and credited outlets, the outlets cited in the sentence around it."""
        node = doc_node(span.doc)
        got = self.group.get(node)
        if got is None:
            return {"group:" + span.doc}
        gid, outlets = got
        found = {gid, *outlets}
        for o, s in self.cites.get(node, ()):
            if s.start < span.end and span.start < s.end or s.start == span.start:
                found.add(o)
        return found


_INDEXES: weakref.WeakKeyDictionary[nx.MultiDiGraph, IndependenceIndex] = weakref.WeakKeyDictionary()


def _index(graph: nx.MultiDiGraph, index: IndependenceIndex | None) -> IndependenceIndex:
    return index if index is not None else IndependenceIndex.of(graph)


def independence_groups(graph: nx.MultiDiGraph, *, index: IndependenceIndex | None = None) -> dict[str, str]:
    """Doc id → copy-group id (``group:<smallest doc id in the group>``). Documents joined
    by copy edges, in any direction and ``unknown`` included, share a group; a document
    that copies nothing and is copied by nobody is a group of its own."""
    idx = _index(graph, index)
    out: dict[str, str] = {}
    for n, a in graph.nodes(data=True):
        if a.get("type") != "doc" or a["doc_id"] in out:
            continue
        gid = idx.group[n][0]
        for m in idx.members[n]:
            out[m.removeprefix("doc:")] = gid
    return out


def independent(graph: nx.MultiDiGraph, a: Span, b: Span, *, index: IndependenceIndex | None = None) -> bool:
    """Are ``a`` and ``b`` independent pieces of evidence? False when they are in one
    document, in one copy group, from one publisher, or when their sentences cite the same
    upstream outlet (or one cites the other's publisher). See the module docstring."""
    if a.doc == b.doc:
        return False
    idx = _index(graph, index)
    return not (idx.origins(a) & idx.origins(b))


def partition_sources(
    graph: nx.MultiDiGraph, spans: Iterable[Span], *, index: IndependenceIndex | None = None
) -> list[list[Span]]:
    """Group spans into sources: spans sharing an origin (transitively) are one source.
    Groups come in order of their first span."""
    items = list(spans)
    owner: dict[str, int] = {}
    idx = _index(graph, index) if items else None
    pairs = [  # a span that is the first with an origin pairs with itself: no pair
        (i, j) for i, s in enumerate(items) for o in idx.origins(s)  # type: ignore[union-attr]
        if (j := owner.setdefault(o, i)) != i
    ]
    return [[items[i] for i in group] for group in components(len(items), pairs)]


def count_independent(
    graph: nx.MultiDiGraph, spans: Iterable[Span], *, index: IndependenceIndex | None = None
) -> int:
    """Number of independent sources among ``spans`` (``independent_sources`` of claims and
    events): spans that are not independent, directly or through another span, count once."""
    return len(partition_sources(graph, spans, index=index))


# --------------------------------------------------------------------------- chain


def chain(graph: nx.MultiDiGraph, doc_id: str) -> list[str]:
    """The provenance chain from a document outward, as node ids.

    From a document: follow the known-direction copy edge to its source document (most
    passages, then highest similarity); with none, follow the outlet the document cites
    most often, self-citations and citations inherited through copying left out (ties: the
    earliest in the text), and stop there. ``unknown`` copy edges are not followed: which
    text came first is not known. Unknown ``doc_id``: ``[]``.
    """
    node = doc_node(doc_id)
    if node not in graph:
        return []
    path = [node]
    while True:
        copies = [
            (a["passages"], a["similarity"], v)
            for _, v, k, a in graph.out_edges(node, keys=True, data=True)
            if k == "copies" and a.get("direction") == "source_to_copy" and v not in path
        ]
        if copies:
            node = max(copies)[2]
            path.append(node)
            continue
        counts: Counter[str] = Counter()
        first: dict[str, int] = {}
        for _, v, a in graph.out_edges(node, data=True):
            if a.get("relation") == "cites" and not a.get("self_citation") and not a.get("inherited_from"):
                counts[v] += 1
                first[v] = min(first.get(v, a["evidence"].start), a["evidence"].start)
        if counts:
            best = min(counts, key=lambda o: (-counts[o], first[o]))
            if best not in path:
                path.append(best)
        return path


def chain_labels(graph: nx.MultiDiGraph, doc_id: str) -> list[str]:
    """:func:`chain` for people: ``"<outlet> (<doc id>)"`` for documents, the outlet's name."""
    out = []
    for n in chain(graph, doc_id):
        a = graph.nodes[n]
        if a.get("type") == "doc":
            out.append(f"{a['outlet']} ({a['doc_id']})" if a.get("outlet") else a["doc_id"])
        else:
            out.append(a["name"])
    return out
