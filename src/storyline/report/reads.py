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

A *bounded* report (more documents than ``report_documents``: :func:`story_scope`,
:func:`corpus_scope`) reads no component: the copy components of 1,000 documents of a heavily
reprinted story are most of a replicated store. Its graph holds the copied passages among the
documents it reads, and their stored copy groups (:mod:`storyline.corpus.copy_groups`) stand
for the rest: the same groups, group ids and publishers, so the same independent sources.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..types import Doc

if TYPE_CHECKING:
    import networkx as nx

    from ..corpus.stories import Story
    from ..store import Store

__all__ = ["REPORT_SLOTS", "SUMMARY_SLOTS", "read_docs", "copy_component", "story_graph",
           "CorpusScope", "corpus_scope", "story_scope"]

#: the layers a report reads: sentence bounds (findings), quantities (key numbers), places
#: (map, place names), citations (provenance graph), skipped (the "not analysed" note)
REPORT_SLOTS = ("sentences", "quantities", "places", "dateline_places", "citations", "skipped")
#: the layers a story record's summary reads (findings and the provenance graph)
SUMMARY_SLOTS = ("sentences", "citations")


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


def copy_component(store: Store, doc_ids: Iterable[str]) -> set[str]:
    """``doc_ids`` and every document in their copy groups (:mod:`storyline.corpus.copy_groups`)."""
    from ..corpus.copy_groups import members

    return members(store, doc_ids)


def story_graph(
    store: Store, docs: Sequence[Doc], *, whole_corpus: bool = False, passages: bool = True, bounded: bool = False
) -> nx.MultiDiGraph:
    """The provenance graph of ``docs`` over their copy components (module docstring); with
    ``whole_corpus`` (``docs`` are all current documents), over every copied passage.

    ``bounded`` (a report that reads part of a story or corpus): the copied passages among
    ``docs`` only, and the stored copy groups of ``docs`` (:mod:`storyline.corpus.copy_groups`)
    for the independence API, which then answers as over the whole components; citations
    copied from a document not read are not marked inherited. Its cost is that of ``docs``,
    not of their components (the largest story of the 49,900-document replica store, 1,000
    of its 7,385 documents read: 11,611 passages instead of a million).

    Without ``passages``, no copy edges: the stored copy groups alone, which answer the
    independence API (copy groups, publishers, cited outlets, all the findings ask of it)
    as the full graph does; no citation is marked inherited. The story records' summary
    needs no more (the largest story of the 10,000-document store: 0.55 s CPU instead of 4.0 s
    with its copy edges, before the groups were stored)."""
    from ..corpus.copy_groups import copy_pairs, groups_of
    from ..corpus.persist import provenance_graph
    from ..corpus.provenance import build_graph

    if whole_corpus:
        return provenance_graph(store, docs)
    ids = [d.id for d in docs]
    if not passages or bounded:
        g = (provenance_graph(store, docs, among=ids) if passages else
             build_graph(((d.id, d.meta) for d in docs), (), (c for d in docs for c in d.citations),
                         texts={d.id: d.text or "" for d in docs}))
        g.graph["copy_groups"] = groups_of(store, ids)
        return g
    return provenance_graph(store, docs, among=sorted(copy_pairs(store, ids)[0]))


# --------------------------------------------------------------------------- the corpus report's scope
# The whole-corpus report reads every current document while there are at most ``bound`` of
# them (the ``report_documents`` setting): its output is then what it always was. Above the
# bound it reads at most ``bound`` documents, chosen from the stored layers without decoding
# any document: first those carrying the corpus's most independently-sourced claims and
# events (the strongest findings, wherever they are; at most half the bound), then
# every document of the largest stories, largest first, while they fit — the latest documents
# of the largest story when even that one does not. Its title and ``coverage`` say so.
#
# Measured (CPU seconds and peak RSS of `storyline report --db X --format json`, this loaded
# 2-core machine, one run each): the 10,000-document replica store read whole took 53.5 s and
# 2.16 GB; with the default bound of 1,000, 9.2 s and 0.49 GB, of which choosing the documents
# took 0.6 s (the strongest claims 0.22 s, events 0.03 s, counts 0.04 s). The real
# 899-document store stays under the bound: 5.1-7.9 s over three runs, its report unchanged;
# bounded at 300 it takes 3.6 s. What is left grows with the corpus: the two counts and the GROUP BY over
# claim_docs (about 0.1 s per 10,000 documents), and the copy components of the documents read.

#: the strongest claims and the strongest events read above the bound, and documents per item
STRONGEST_ITEMS = 10
STRONGEST_DOCS = 10
#: candidates read per kind, most documents first, in looking for them (:func:`_ranked`)
STRONGEST_CANDIDATES = 2048
#: stories asked for first, largest first, and how many times more each next ask is
_FIRST_STORIES = 16
_STORY_STEP = 4

_CURRENT = "SELECT count(*) FROM documents WHERE status = 'ok' AND superseded_by IS NULL"
# the candidates for the strongest claims and events, most documents first: an item's
# independent sources are at most its documents, so the walk can stop early (_ranked)
_BY_DOCS = {
    "claims": ("SELECT claim_id, count(*) AS n FROM claim_docs GROUP BY claim_id HAVING n >= 2 ORDER BY n DESC",
               "SELECT record, first_seq FROM claims WHERE id IN (SELECT value FROM json_each(?))"),
    "events": ("SELECT json_array(component, k), count(*) AS n FROM event_docs GROUP BY component, k"
               " HAVING n >= 2 ORDER BY n DESC",
               "SELECT e.record, e.id FROM json_each(?) j JOIN events e"
               " ON e.component = json_extract(j.value, '$[0]') AND e.k = json_extract(j.value, '$[1]')"),
}


@dataclass(slots=True)
class CorpusScope:
    """What the whole-corpus report covers: ``doc_ids`` None (every current document, and
    ``stories`` every story) or the documents read above the bound, with the stories whose
    documents they are (largest first; the largest in part when it alone is over the bound)
    and ``coverage``, the report's record of what it covers."""

    doc_ids: list[str] | None
    stories: list[Story]
    stories_total: int
    coverage: dict[str, Any] | None = None

    def title(self, base: str) -> str:
        """``base`` with what a bounded report covers ("All documents — the 12 largest of
        3,412 stories and the strongest findings: 1,000 of 100,000 documents")."""
        c = self.coverage
        if c is None:
            return base
        return f"{base} — {self.what()}: {c['documents']:,} of {c['documents_total']:,} documents"

    def what(self) -> str:
        """What a bounded report's documents are ("the 12 largest of 3,412 stories and the
        strongest findings"); "" when it is not bounded."""
        c = self.coverage
        if c is None:
            return ""
        parts = []
        if c["stories"]:
            parts.append(f"the {c['stories']:,} largest of {c['stories_total']:,} stories" if c["stories"] > 1
                         else f"the largest of {c['stories_total']:,} stories")
        if c["partial_story"]:
            p = c["partial_story"]
            parts.append(f"the latest {p['documents']:,} of the {p['documents_total']:,} documents of the largest story")
        if c["latest_documents"]:
            parts.append(f"the latest {c['latest_documents']:,} documents")
        if c["strongest"]["documents"]:
            parts.append("the strongest findings")
        return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts) or "no documents"


# the same, for the items with evidence in some of the documents given (a story's): ranked by
# their documents in the whole corpus, as their independent sources are counted
_WITHIN = {
    "claims": "SELECT claim_id, (SELECT count(*) FROM claim_docs a WHERE a.claim_id = c.claim_id) AS n FROM"
              " (SELECT DISTINCT claim_id FROM claim_docs WHERE doc_id IN (SELECT value FROM json_each(?))) c"
              " WHERE n >= 2 ORDER BY n DESC",
    "events": "SELECT json_array(component, k), (SELECT count(*) FROM event_docs a WHERE a.component = e.component"
              " AND a.k = e.k) AS n FROM (SELECT DISTINCT component, k FROM event_docs"
              " WHERE doc_id IN (SELECT value FROM json_each(?))) e WHERE n >= 2 ORDER BY n DESC",
}


def _ranked(store: Store, kind: str, n: int, within: Sequence[str] | None = None) -> tuple[list[dict[str, Any]], bool]:
    """The ``n`` stored ``kind`` ("claims" or "events") with the most independent sources (at
    least 2; ties: listing order for claims, id for events), and whether that is exact; with
    ``within``, of those with a document among these.

    Candidates come most documents first (a narrow GROUP BY: 0.04 s for the 80,000 claims of
    the 10,000-document store, where sorting the records by their JSON field took 0.54 s). An
    item's independent sources are at most its documents, so the walk is exact once the n-th
    best has more sources than the next candidate has documents; it also stops after
    ``STRONGEST_CANDIDATES`` candidates (then not exact: on that store the exact walk read
    4,096 claims, 0.35 s, since widely syndicated claims have many documents and one source;
    2,048 give the same top 10 sources counts but for ties)."""
    groups, records = _BY_DOCS[kind]
    best: list[tuple[int, Any, dict[str, Any]]] = []
    rows = store.conn.execute(groups) if within is None else store.conn.execute(_WITHIN[kind], (json.dumps(within),))
    read = 0
    while True:
        chunk = rows.fetchmany(256)
        if not chunk or (len(best) >= n and -best[n - 1][0] > chunk[0][1]):
            return [b[2] for b in best], True
        if read >= STRONGEST_CANDIDATES:
            return [b[2] for b in best], False
        read += len(chunk)
        for rec_json, order in store.conn.execute(records, (json.dumps([r[0] for r in chunk]),)):
            rec = json.loads(rec_json)
            if int(rec.get("independent_sources") or 0) >= 2:
                best.append((-int(rec["independent_sources"]), order, rec))
        best = sorted(best, key=lambda b: b[:2])[:n]


def _strongest(store: Store, budget: int, within: Sequence[str] | None = None) -> tuple[dict[str, Any], list[str]]:
    """The most independently-sourced stored claims and events (:func:`_ranked`), the most
    sources first, with their documents (``STRONGEST_DOCS`` each, those with evidence first;
    with ``within``, only those among these): each whose documents still fit in ``budget``."""
    got = {kind: _ranked(store, kind, STRONGEST_ITEMS, within) for kind in ("claims", "events")}
    keep = None if within is None else set(within)
    picked: dict[str, Any] = {"claims": [], "events": [], "exact": all(exact for _, exact in got.values())}
    items = sorted(((-int(rec["independent_sources"]), i, kind, rec) for kind, (recs, _) in got.items()
                    for i, rec in enumerate(recs)), key=lambda x: x[:3])
    docs: dict[str, None] = {}
    for _, _, kind, rec in items:
        mine = list(dict.fromkeys([s["doc"] for s in rec.get("evidence") or ()] + list(rec.get("documents") or ())))
        if keep is not None:
            mine = [d for d in mine if d in keep]
        new = [d for d in mine[:STRONGEST_DOCS] if d not in docs]
        if len(docs) + len(new) > budget:  # too many documents: the next ones may fit
            continue
        picked[kind].append(rec["id"])
        docs.update(dict.fromkeys(new))
    return picked, list(docs)


def _latest(store: Store, doc_ids: Iterable[str], n: int) -> list[str]:
    """The ``n`` latest of ``doc_ids`` by publication date (undated last, then the latest stored)."""
    return [r[0] for r in store.conn.execute(
        "SELECT id FROM documents WHERE id IN (SELECT value FROM json_each(?))"
        " ORDER BY published IS NULL, published DESC, rowid DESC LIMIT ?", (json.dumps(list(doc_ids)), n))]


def corpus_scope(store: Store, bound: int) -> CorpusScope:
    """What the whole-corpus report reads (module section above): every current document and
    every story while there are at most ``bound`` documents; else at most ``bound`` documents."""
    from ..corpus.persist import story_list

    total = int(store.conn.execute(_CURRENT).fetchone()[0])
    if total <= bound:
        stories = story_list(store)
        return CorpusScope(None, stories, len(stories))
    stories_total = int(store.conn.execute(
        "SELECT count(DISTINCT s.story_id) FROM story_docs s JOIN documents d ON d.id = s.doc_id"
        " WHERE d.status = 'ok' AND d.superseded_by IS NULL").fetchone()[0])
    picked, strong = _strongest(store, bound // 2)
    chosen = dict.fromkeys(strong)
    taken: list[Story] = []
    partial: dict[str, Any] | None = None
    limit, seen, done = _FIRST_STORIES, 0, False
    while not done:
        listed = story_list(store, limit=limit)
        for st in listed[seen:]:
            new = [d for d in st.documents if d not in chosen]
            if len(chosen) + len(new) <= bound:
                taken.append(st)
                chosen.update(dict.fromkeys(new))
                continue
            if not taken:  # even the largest story does not fit: its latest documents
                part = _latest(store, new, bound - len(chosen))
                chosen.update(dict.fromkeys(part))
                taken.append(st)
                partial = {"id": st.id, "title": st.title, "documents": len(part) + len(st.documents) - len(new),
                           "documents_total": len(st.documents)}
            done = True
            break
        seen = len(listed)
        done = done or len(listed) < limit or len(chosen) >= bound
        limit *= _STORY_STEP
    latest: list[str] = []
    if not taken:  # no stories stored: the latest documents
        latest = [r[0] for r in store.conn.execute(
            "SELECT id FROM documents WHERE status = 'ok' AND superseded_by IS NULL"
            " ORDER BY published IS NULL, published DESC, rowid DESC LIMIT ?", (bound,)) if r[0] not in chosen]
        latest = latest[: bound - len(chosen)]
        chosen.update(dict.fromkeys(latest))
    doc_ids = [r[0] for r in store.conn.execute(  # in store order, as an unbounded report reads them
        "SELECT id FROM documents WHERE id IN (SELECT value FROM json_each(?)) ORDER BY rowid",
        (json.dumps(list(chosen)),))]
    whole = len(taken) - (partial is not None)
    coverage = {
        "bounded": True,
        "max_documents": bound,
        "setting": "report_documents (STORYLINE_REPORT_DOCUMENTS)",
        "documents": len(doc_ids),
        "documents_total": total,
        "stories": whole,
        "stories_total": stories_total,
        "story_ids": [st.id for st in taken[:whole]],
        "partial_story": partial,
        "latest_documents": len(latest),
        "strongest": {**picked, "documents": len(strong)},
    }
    scope = CorpusScope(doc_ids, taken, stories_total, coverage)
    n_claims, n_events = len(picked["claims"]), len(picked["events"])
    coverage["note"] = (
        f"This report reads {len(doc_ids):,} of the corpus's {total:,} current documents (at most {bound:,}, the"
        f" report_documents setting, STORYLINE_REPORT_DOCUMENTS): {scope.what()}. The documents of the"
        f" {n_claims} most independently-sourced claim{'s' * (n_claims != 1)} and {n_events}"
        f" event{'s' * (n_events != 1)} of the corpus"
        + ("" if picked["exact"] else f" (looked for among the {STRONGEST_CANDIDATES:,} claims and the"
           f" {STRONGEST_CANDIDATES:,} events carried by the most documents)")
        + f" come first (up to {STRONGEST_DOCS} each), then every"
        " document of the largest stories. Counts and sections are of these documents (the copy relations"
        " shown are those among them; independent sources are counted over each document's whole copy"
        " group); `storyline stories` lists every story, and a story's own report (`storyline report STORY`)"
        " reads all of its documents up to the same bound."
    )
    return scope


def story_scope(store: Store, story: Story, bound: int) -> tuple[list[str], dict[str, Any] | None]:
    """The documents a story's report reads, and its ``coverage`` (None: every document, while
    the story has at most ``bound``). Above it, at most ``bound``: first those carrying the
    story's most independently-sourced claims and events (at most half the bound, as for the
    corpus, :func:`_strongest`), then the latest documents of each episode in turn, so every
    episode is read (latest first) before any gives a second document; in the story's order."""
    docs = list(story.documents)
    if len(docs) <= bound:
        return docs, None
    picked, strong = _strongest(store, bound // 2, within=docs)
    chosen = dict.fromkeys(strong)
    order = {r[0]: i for i, r in enumerate(store.conn.execute(
        "SELECT id FROM documents WHERE id IN (SELECT value FROM json_each(?))"
        " ORDER BY published IS NULL, published DESC, rowid DESC", (json.dumps(docs),)))}
    episodes = [sorted((d for d in ep.documents if d in order), key=order.__getitem__) for ep in story.episodes]
    episodes = [ep for ep in episodes if ep] or [sorted((d for d in docs if d in order), key=order.__getitem__)]
    at = 0
    while len(chosen) < bound and any(at < len(ep) for ep in episodes):
        for ep in episodes:
            if at < len(ep) and len(chosen) < bound:
                chosen.setdefault(ep[at])
        at += 1
    doc_ids = [d for d in docs if d in chosen]
    n_claims, n_events = len(picked["claims"]), len(picked["events"])
    coverage = {
        "bounded": True,
        "max_documents": bound,
        "setting": "report_documents (STORYLINE_REPORT_DOCUMENTS)",
        "documents": len(doc_ids),
        "documents_total": len(docs),
        "episodes": len(episodes),
        "strongest": {**picked, "documents": len(strong)},
        "note": (
            f"This report reads {len(doc_ids):,} of the story's {len(docs):,} documents (at most {bound:,}, the"
            " report_documents setting, STORYLINE_REPORT_DOCUMENTS): the documents of its"
            f" {n_claims} most independently-sourced claim{'s' * (n_claims != 1)} and {n_events}"
            f" event{'s' * (n_events != 1)}"
            + ("" if picked["exact"] else f" (looked for among the {STRONGEST_CANDIDATES:,} claims and the"
               f" {STRONGEST_CANDIDATES:,} events carried by the most documents)")
            + f" first (up to {STRONGEST_DOCS} each), then the latest documents of each of its"
            f" {len(episodes):,} episode{'s' * (len(episodes) != 1)} in turn. Counts and sections are of these"
            " documents (the copy relations shown are those among them; independent sources are counted over"
            " each document's whole copy group); the story's record (`storyline stories --json`) lists every"
            " document."
        ),
    }
    return doc_ids, coverage
