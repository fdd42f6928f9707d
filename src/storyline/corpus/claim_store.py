"""Claim groups and contradictions as a stored, incremental corpus layer.

:func:`storyline.corpus.claims.claim_report` groups every report of a corpus at once. Here
the same groups are kept in the store and updated as documents arrive, so that
``storyline claims``, ``events``, ``report`` and the web app only read them
(:func:`stored_claims`), and an update costs what the new documents touch, not the corpus.

How it stays equal to the batch run (tested record for record):

* **Matching pairs are a property of two reports and the corpus-wide token counts.** Two
  reports are candidates when they share enough tokens whose count over all reports is
  between 2 and ``max_word_df`` (a fixed count); the score is a function of the pair.
  The counts live in ``claim_df``, the token → report index in ``claim_postings``.
* **Clusters never cross a component** of the graph of matching pairs (average linkage
  merges only along them; ties are broken by input order), and inputs keep the batch
  order (document rowid, attribution index). So recomputing a whole component with the
  batch functions gives the batch result for it. Denial pairs join components too (their
  contradiction records need both claims).
* **The scope of an update**: the components the new reports match into; the components of
  forgotten documents (superseded, deleted, rejected, re-analysed: they may split); of
  documents whose copy group changed (the provenance log: independent sources and via
  chains depend on the copy group); and of reports carrying a token whose count crossed
  ``max_word_df`` (candidates appear or vanish). Each scope is recomputed with
  :func:`~storyline.corpus.claims.match_with_edges`, ``_make_claim`` over the scope's
  provenance graph (:func:`storyline.corpus.scope.scoped_rows`) and the
  contradiction functions, and replaces the stored claims of those components. A
  component only the provenance log touched keeps its groups (matching reads no
  provenance): its claims are made again from them (:func:`_remake`).
* **Contradictions** are stored with the key they are recomputed by: ``denial`` by
  component, ``undercut`` and ``geography`` by document, ``number`` by (unit, place) count
  key (:func:`~storyline.corpus.contradictions.keyed_number_contradictions`).

With the ``claim_embeddings`` setting on, stored matching proposes lexical candidates only
(the embedding score still decides): a nearest-neighbour search over every stored vector per
batch would grow with the corpus.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypeVar

from ..cluster import components
from ..store import Store
from ..types import Doc, Span
from . import scope

if TYPE_CHECKING:
    from .claims import (
        Claim,
        ClaimFeatures,
        ClaimInput,
        ClaimReport,
        MatchSettings,
        QuantityFact,
        _CopyIndex,
    )
    from .contradictions import Contradiction

__all__ = ["ClaimUpdate", "NewReader", "STEP", "count_claims", "doc_claims", "rebuild_claims", "stored_claims",
           "update_claims"]

STEP = "claims"
_VERSION = "claim-store-v1"
_SEQ = 100_000  # first_seq = document rowid * _SEQ + attribution index
_KIND_ORDER = {"number": 0, "denial": 1, "undercut": 2, "geography": 3}
_TABLES = ("claim_inputs", "claim_postings", "claim_df", "claims", "claim_docs", "claim_counts",
           "contradictions", "contradiction_claims", "claim_doc_facts")


@dataclass(slots=True)
class ClaimUpdate:
    """What one :func:`update_claims` did: documents taken in and out, and how many reports
    it recomputed (the cost: proportional to the components touched, not to the corpus)."""

    added: int = 0
    forgotten: int = 0
    recomputed: int = 0
    components: int = 0
    remade: int = 0  # components whose claims were made again from their stored groups (:func:`_remake`)


def _settings() -> tuple[MatchSettings, Any]:
    from ..settings import Config
    from .claims import MatchSettings, default_scorer

    st = MatchSettings(threshold=Config.load().claim_threshold)
    return st, default_scorer(st.threshold)


def _config(st: MatchSettings, scorer: Any) -> str:
    return (f"{_VERSION} thr={st.threshold} overlap={st.candidate_overlap} shared={st.min_shared}"
            f" df={st.max_word_df} max={st.max_cluster} link={st.linkage} same_doc={st.same_document}"
            f" scorer={type(scorer).__name__}")


def _clear(store: Store) -> None:
    for t in _TABLES:
        store.conn.execute(f"DELETE FROM {t}")


# --------------------------------------------------------------------------- encoding


def _span(r: dict[str, Any]) -> Span:
    return Span(r["doc"], int(r["start"]), int(r["end"]), r["text"])


def _fact_json(q: QuantityFact) -> dict[str, Any]:
    return {"span": q.span.to_record(), "low": q.low, "high": q.high, "approximate": q.approximate,
            "unit": q.unit, "place": q.place, "place_text": q.place_text, "actor": q.actor, "time": q.time}


def _fact(r: dict[str, Any]) -> QuantityFact:
    from .claims import QuantityFact

    return QuantityFact(_span(r["span"]), r["low"], r["high"], r["approximate"], r["unit"], r["place"],
                        r["place_text"], r["actor"], r["time"])


def _features_json(f: ClaimFeatures) -> str:
    return json.dumps({"words": sorted(f.words), "entities": sorted(f.entities), "text": f.text,
                       "speaker": f.speaker, "denied": f.denied, "doc": f.doc_id,
                       "quantities": [_fact_json(q) for q in f.quantities]}, ensure_ascii=False)


def _features(data: str) -> ClaimFeatures:
    from .claims import ClaimFeatures

    r = json.loads(data)
    return ClaimFeatures(frozenset(r["words"]), frozenset(r["entities"]), r["text"], r["speaker"], r["denied"],
                         tuple(_fact(q) for q in r["quantities"]), r["doc"])


def _cues(items: Sequence[dict[str, Any]]) -> tuple[tuple[Span, str], ...]:
    return tuple((_span(c), c["class"]) for c in items)


def _claim_json(c: Claim) -> str:
    rec = c.to_record()
    for k in ("contradicts", "contradictions"):  # joined on read: they change with other claims
        rec.pop(k)
    rec["via_nodes"] = list(c.via_nodes)
    for m, src in zip(rec["members"], c.members):
        m["via_nodes"] = list(src.via_nodes)
    return json.dumps(rec, ensure_ascii=False)


def _claim(data: str) -> Claim:
    from .claims import Claim, ClaimMember

    r = json.loads(data)
    members = [
        ClaimMember(
            content=_span(m["content"]), speaker=m["speaker"], cue=m["cue"], via=tuple(m["via"]),
            via_nodes=tuple(m["via_nodes"]), medium=m["medium"], certainty=m["certainty"],
            hedges=tuple(m["hedges"]), polarity=m["polarity"], irrealis=m["irrealis"],
            certainty_cues=_cues(m["certainty_cues"]), speaker_resolved=m["speaker_resolved"],
        )
        for m in r["members"]
    ]
    return Claim(
        id=r["id"], content=_span(r["content"]), speaker=r["speaker"], cue=r["cue"], via=list(r["via"]),
        certainty=r["certainty"], hedges=list(r["hedges"]), evidence=[_span(s) for s in r["evidence"]],
        documents=list(r["documents"]), independent_sources=r["independent_sources"], medium=r["medium"],
        via_nodes=list(r["via_nodes"]), members=members, sources=[list(s) for s in r["sources"]],
        polarity=r["polarity"], irrealis=r["irrealis"], certainty_cues=_cues(r["certainty_cues"]),
        speaker_resolved=r["speaker_resolved"],
    )


def _contradiction(r: dict[str, Any]) -> Contradiction:
    from .contradictions import Contradiction

    return Contradiction(id=r["id"], kind=r["kind"], claims=tuple(r["claims"]),
                         evidence=tuple(_span(s) for s in r["evidence"]), explanation=r["explanation"],
                         place=r["place"])


def _input_json(ci: ClaimInput) -> str:
    return json.dumps({
        "doc": ci.doc_id, "content": ci.content.to_record(), "speaker_name": ci.speaker_name,
        "speaker_key": ci.speaker_key, "speaker_kind": ci.speaker_kind, "cue": ci.cue, "venue": ci.venue,
        "certainty": ci.certainty, "hedges": list(ci.hedges), "sentence": ci.sentence, "index": ci.index,
        "text": ci.text, "relays": list(ci.relays), "entity_keys": list(ci.entity_keys),
        "parts": [list(p) for p in ci.parts], "polarity": ci.polarity, "irrealis": ci.irrealis,
        "certainty_cues": [{**sp.to_record(), "class": k} for sp, k in ci.certainty_cues],
        "speaker_resolved": ci.speaker_resolved,
    }, ensure_ascii=False)


def _input(data: str) -> ClaimInput:
    from .claims import ClaimInput

    r = json.loads(data)
    return ClaimInput(
        doc_id=r["doc"], content=_span(r["content"]), speaker_name=r["speaker_name"], speaker_key=r["speaker_key"],
        speaker_kind=r["speaker_kind"], cue=r["cue"], venue=r["venue"], certainty=r["certainty"],
        hedges=tuple(r["hedges"]), sentence=tuple(r["sentence"]) if r["sentence"] else None, index=r["index"],
        text=r["text"], relays=tuple(r["relays"]), entity_keys=tuple(r["entity_keys"]),
        parts=tuple(tuple(p) for p in r["parts"]), polarity=r["polarity"], irrealis=r["irrealis"],
        certainty_cues=_cues(r["certainty_cues"]), speaker_resolved=r["speaker_resolved"],
    )


# --------------------------------------------------------------------------- documents


@dataclass(slots=True)
class _DocClaims:
    """One document as regrouping reads it: its reports (all of them, attribution order)
    with their matching features, its place in the store order, its publication date, the
    undercut pairs of its attribution layer and its geography findings (no claims yet)."""

    doc_id: str
    seq: int
    published: str | None
    inputs: list[ClaimInput]
    features: list[ClaimFeatures]
    undercuts: list[tuple[int, int]] = field(default_factory=list)
    geography: list[Contradiction] = field(default_factory=list)


def _read_new(store: Store, doc_ids: Sequence[str]) -> dict[str, _DocClaims]:
    """New documents: their reports and features computed by the batch functions from the
    stored layers (the only time a document's layers are read by this step)."""
    seqs = _seqs(store, doc_ids)
    return {d: doc_claims(store.get(d, with_raw=False), seqs[d]) for d in doc_ids}


def doc_claims(doc: Doc, seq: int) -> _DocClaims:
    """What the step takes in from one new document (``seq``: its rowid), a pure function of
    the document: 40% of the step's CPU on real text (cProfile, 900 documents: 10.9 of 27.4 s
    with decoding the layers; 15% on replicated text), the part
    :mod:`storyline.corpus.ray_claims` runs on the cluster."""
    from ..annotate.attribution import undercuts
    from .claims import claim_features, claim_inputs
    from .contradictions import geography_records

    d = doc.id
    inputs = claim_inputs({d: doc}, {d: doc.attributions})
    return _DocClaims(d, seq, doc.meta.published, inputs, [claim_features(ci, doc) for ci in inputs],
                      [(int(i), int(j)) for i, j in undercuts(doc.attributions)], geography_records(doc, []))


def _read_batches(store: Store, batches: Sequence[Sequence[str]]) -> Iterator[dict[str, _DocClaims]]:
    """The new documents of each batch, read here one batch at a time (the local reader)."""
    for batch in batches:
        yield _read_new(store, batch)


def _seqs(store: Store, doc_ids: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for part in scope.chunks(sorted(set(doc_ids))):
        q = ",".join("?" * len(part))
        out.update((r[0], int(r[1])) for r in store.conn.execute(f"SELECT id, rowid FROM documents WHERE id IN ({q})", part))
    return out


#: entries a :class:`_Memo` table holds before it starts over (a rebuild reads every report once)
_MEMO_SIZE = 100_000
#: copy documents' passage indexes an update keeps (:class:`_CopyRows`; each holds its
#: document's passages: 6,817 held when 1,000 replicas went into the 10,000-document store)
_INDEXES = 20_000


@dataclass(slots=True)
class _Memo:
    """What one :func:`update_claims` reads again batch after batch and what cannot change
    while it runs: the copy groups (:data:`.scope.Groups`), each stored report and its
    features decoded, each report's via chain (a function of the report and its copy group).
    With heavy reuse the same components come back: 300 copies added to the replicated
    10,000-document store, 70% of the reports each later batch recomputes were recomputed by
    an earlier one. A report's rows are written once (a document taken out leaves before the
    first read), so a decoded one stays right. Each table starts over past
    :data:`_MEMO_SIZE` entries."""

    groups: scope.Groups = field(default_factory=dict)
    inputs: dict[tuple[str, int], ClaimInput] = field(default_factory=dict)
    feats: dict[tuple[str, int], ClaimFeatures] = field(default_factory=dict)
    vias: dict[tuple[str, int], tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)
    indexes: dict[str, _CopyIndex] = field(default_factory=dict)  # each copy document's passages

    def input(self, key: tuple[str, int], data: str) -> ClaimInput:
        return _kept(self.inputs, key, lambda: _input(data))

    def features(self, key: tuple[str, int], data: str) -> ClaimFeatures:
        return _kept(self.feats, key, lambda: _features(data))

    def via(self, ci: ClaimInput, graph: Any, by_copy: Mapping[str, _CopyIndex]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The report's via chain and via nodes (:func:`~storyline.corpus.claims.via_nodes`
        over a graph holding its copy group)."""
        from .claims import _chain_of, via_nodes

        def make() -> tuple[tuple[str, ...], tuple[str, ...]]:
            nodes = tuple(via_nodes(ci.doc_id, ci, graph, (), by_copy=by_copy))
            return tuple(_chain_of(graph, nodes)), nodes

        return _kept(self.vias, (ci.doc_id, ci.index), make)


_K = TypeVar("_K")
_V = TypeVar("_V")


def _kept(table: dict[_K, _V], key: _K, make: Callable[[], _V], *, cap: int = _MEMO_SIZE) -> _V:
    """``table[key]``, made by ``make`` the first time; the table starts over past ``cap``
    entries (default :data:`_MEMO_SIZE`)."""
    got = table.get(key)
    if got is None:
        if len(table) >= cap:
            table.clear()
        got = table[key] = make()
    return got


def _read_stored(
    store: Store, comps: Sequence[str], memo: _Memo
) -> tuple[dict[str, _DocClaims], dict[tuple[str, int], ClaimFeatures]]:
    """The documents holding a report of components ``comps``, from this step's own rows (no
    layer is decoded), and the matching features of those reports (the members). Only what
    recomputing the members reads is fetched and decoded: their reports and features, and
    every report of a document with undercut pairs or geography findings (its document
    contradictions name them). A document of a recomputed component has most reports
    elsewhere (10,000 documents: 1,613 members among 18,751 reports of their documents), so
    the members are read by component, not by document: 300 copies added to the replicated
    10,000-document store, this read 8.5 → 3.8 s (cProfile), the same claims. With the index of
    migration 8 (the next contradiction seq), the claim step on 100 real documents added to
    10,000 went from 45.8 to 27.3 ms CPU per document (1,000: 12.9 to 11.9)."""
    c = store.conn
    rows: dict[tuple[str, int], tuple[str, str]] = {}
    for part in scope.chunks(list(comps)):
        q = ",".join("?" * len(part))
        for r in c.execute(f"SELECT doc_id, k, input, features FROM claim_inputs WHERE component IN ({q})", part):
            rows[(r[0], int(r[1]))] = (r[2], r[3])
    ids = sorted({d for d, _ in rows})
    seqs = _seqs(store, ids)
    out: dict[str, _DocClaims] = {}
    feats: dict[tuple[str, int], ClaimFeatures] = {}
    for part in scope.chunks(ids):
        q = ",".join("?" * len(part))
        for r in c.execute(f"SELECT doc_id, published, undercuts, geography FROM claim_doc_facts WHERE doc_id IN ({q})",
                           part):
            out[r[0]] = _DocClaims(r[0], seqs.get(r[0], 0), r[1], [], [],
                                   [(int(i), int(j)) for i, j in json.loads(r[2])],
                                   [_contradiction(x) for x in json.loads(r[3])])
    whole = sorted(d for d, dc in out.items() if dc.undercuts or dc.geography)
    more: dict[tuple[str, int], str] = {}
    for part in scope.chunks(whole):
        q = ",".join("?" * len(part))
        more.update(((r[0], int(r[1])), r[2]) for r in c.execute(
            f"SELECT doc_id, k, input FROM claim_inputs WHERE doc_id IN ({q})", part))
    for key in sorted(rows.keys() | more.keys()):  # each document's reports in order, as stored
        dc = out.get(key[0])
        if dc is None:
            continue
        got = rows.get(key)
        if got is not None:
            dc.inputs.append(memo.input(key, got[0]))
            feats[key] = memo.features(key, got[1])
        elif dc.undercuts or dc.geography:
            dc.inputs.append(memo.input(key, more[key]))
    return out, feats


NewReader = Callable[[Store, Sequence[Sequence[str]]], Iterable[dict[str, _DocClaims]]]

# --------------------------------------------------------------------------- update


def _components_of(store: Store, where: str, args: Sequence[Any]) -> set[str]:
    return {r[0] for r in store.conn.execute(f"SELECT DISTINCT component FROM claim_inputs WHERE {where}", args)}


def _components_with_tokens(store: Store, tokens: Iterable[str], *, pairs_only: bool = False) -> set[str]:
    """Components holding a report that carries one of ``tokens``; with ``pairs_only``, only
    those where two reports carry the same one. A token whose count rises past the cap stops
    proposing candidates: only a matching pair that shares it can be lost, and such a pair
    lies inside one component (``pairs_only``). A token whose count falls back under the cap
    proposes new pairs anywhere it occurs."""
    out: set[str] = set()
    toks = sorted(set(tokens))
    having = " GROUP BY p.token, i.component HAVING count(*) >= 2" if pairs_only else ""
    for part in scope.chunks(toks):
        q = ",".join("?" * len(part))
        out |= {r[0] for r in store.conn.execute(
            f"SELECT DISTINCT i.component FROM claim_postings p JOIN claim_inputs i ON i.doc_id = p.doc_id"
            f" AND i.k = p.k WHERE p.token IN ({q})" + having, part)}
    return out


def _df(store: Store, tokens: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    toks = sorted(set(tokens))
    for part in scope.chunks(toks):
        q = ",".join("?" * len(part))
        out.update((r[0], int(r[1])) for r in store.conn.execute(f"SELECT token, n FROM claim_df WHERE token IN ({q})", part))
    return out


def _count(store: Store, tokens: Sequence[str], delta: int, cap: int) -> set[str]:
    """Add ``delta`` to each token's count (once per occurrence in ``tokens``); return the
    tokens whose count crossed ``cap`` (their candidates change)."""
    per: dict[str, int] = defaultdict(int)
    for t in tokens:
        per[t] += delta
    before = _df(store, per)
    crossed = {t for t, d in per.items() if (before.get(t, 0) > cap) != (before.get(t, 0) + d > cap)}
    store.conn.executemany(
        "INSERT INTO claim_df (token, n) VALUES (?, ?) ON CONFLICT (token) DO UPDATE SET n = n + excluded.n",
        sorted(per.items()),
    )
    store.conn.executemany("DELETE FROM claim_df WHERE token = ? AND n <= 0", [(t,) for t in sorted(per)])  # not a scan
    return crossed


def _forget(store: Store, doc_ids: Sequence[str], cap: int) -> set[str]:
    """Take documents' reports out; return the components to recompute."""
    c = store.conn
    dirty: set[str] = set()
    tokens: list[str] = []
    for d in doc_ids:
        dirty |= _components_of(store, "doc_id = ?", (d,))
        tokens += [r[0] for r in c.execute("SELECT token FROM claim_postings WHERE doc_id = ?", (d,))]
        c.execute("DELETE FROM claim_postings WHERE doc_id = ?", (d,))
        c.execute("DELETE FROM claim_inputs WHERE doc_id = ?", (d,))
        c.execute("DELETE FROM claim_doc_facts WHERE doc_id = ?", (d,))
        _drop_contradictions(store, "key = ? AND kind IN ('undercut', 'geography')", (d,))
    crossed = _count(store, tokens, -1, cap)
    return dirty | _components_with_tokens(store, crossed)


def _add(store: Store, got: dict[str, _DocClaims], st: MatchSettings, scorer: Any) -> set[str]:
    """Store new documents' reports and index them; return the components to recompute: the
    new reports' own, those they match or deny, those holding a token whose count crossed
    the cap."""
    from .claims import LexicalScorer

    c = store.conn
    new: list[tuple[str, int, ClaimFeatures]] = []
    tokens: list[str] = []
    for d, dc in got.items():
        c.execute("INSERT OR REPLACE INTO claim_doc_facts (doc_id, published, undercuts, geography) VALUES (?, ?, ?, ?)",
                  (d, dc.published, json.dumps(dc.undercuts),
                   json.dumps([x.to_record() for x in dc.geography], ensure_ascii=False)))
        for ci, f in zip(dc.inputs, dc.features):
            comp = f"new:{d}:{ci.index}"
            c.execute("INSERT INTO claim_inputs (doc_id, k, doc_seq, component, claim_id, size, input, features)"
                      " VALUES (?, ?, ?, ?, NULL, ?, ?, ?)",
                      (d, ci.index, dc.seq, comp, len(f.tokens), _input_json(ci), _features_json(f)))
            c.executemany("INSERT INTO claim_postings (token, doc_id, k, size) VALUES (?, ?, ?, ?)",
                          [(t, d, ci.index, len(f.tokens)) for t in sorted(f.tokens)])
            tokens += f.tokens
            new.append((d, ci.index, f))
    crossed = _count(store, tokens, +1, st.max_word_df)
    dirty = {f"new:{d}:{k}" for d, k, _ in new} | _components_with_tokens(store, crossed, pairs_only=True)
    df = _df(store, tokens)
    overlap = st.candidate_overlap if st.candidate_overlap is not None else st.threshold / 2
    lexical = isinstance(scorer, LexicalScorer)
    seen: dict[tuple[str, int], ClaimFeatures] = {}
    for d, k, f in new:
        indexed = sorted(t for t in f.tokens if 2 <= df.get(t, 0) <= st.max_word_df)
        if not indexed:
            continue
        size = max(1, len(f.tokens))
        # reports sharing indexed tokens with this one, with how many they share
        rows = c.execute(  # the candidate rule of claims.candidate_pairs, in SQL
            f"SELECT doc_id, k, size, count(*) FROM claim_postings WHERE token IN ({','.join('?' * len(indexed))})"
            f" AND doc_id != ? GROUP BY doc_id, k"
            f" HAVING count(*) >= min(?, max(1, size)) AND count(*) >= ? * min(?, max(1, size))",
            [*indexed, d, min(st.min_shared, size), overlap, size],
        ).fetchall()
        passing = [(other, int(ok)) for other, ok, _, _ in rows]
        for part in range(0, len(passing), 400):
            chunk = passing[part : part + 400]
            q = " OR ".join("(doc_id = ? AND k = ?)" for _ in chunk)
            for other, ok, comp, data in c.execute(
                f"SELECT doc_id, k, component, features FROM claim_inputs WHERE {q}", [x for key in chunk for x in key]
            ).fetchall():
                if comp in dirty:
                    continue
                if not lexical:  # a scorer that reads vectors: the component is rescored anyway
                    dirty.add(comp)
                    continue
                key = (other, int(ok))
                if key not in seen:
                    seen[key] = _features(data)
                if scorer.score(0, 1, f, seen[key]) >= st.threshold:
                    dirty.add(comp)
    return dirty


def _drop_contradictions(store: Store, where: str, args: Sequence[Any]) -> None:
    c = store.conn
    ids = [r[0] for r in c.execute(f"SELECT id FROM contradictions WHERE {where}", args)]
    for part in scope.chunks(ids):
        q = ",".join("?" * len(part))
        c.execute(f"DELETE FROM contradiction_claims WHERE contradiction_id IN ({q})", part)
        c.execute(f"DELETE FROM contradictions WHERE id IN ({q})", part)


def _save_contradictions(store: Store, items: Iterable[tuple[str, Contradiction]]) -> None:
    c = store.conn
    seq = int(c.execute("SELECT coalesce(max(seq), 0) FROM contradictions").fetchone()[0])
    for key, x in items:
        seq += 1
        c.execute("INSERT OR REPLACE INTO contradictions (id, kind, key, seq, record) VALUES (?, ?, ?, ?, ?)",
                  (x.id, x.kind, key, seq, json.dumps(x.to_record(), ensure_ascii=False)))
        c.execute("DELETE FROM contradiction_claims WHERE contradiction_id = ?", (x.id,))
        c.executemany("INSERT OR IGNORE INTO contradiction_claims (contradiction_id, claim_id) VALUES (?, ?)",
                      [(x.id, cid) for cid in x.claims])


class _CopyRows(Mapping[str, "_CopyIndex"]):
    """:func:`~storyline.corpus.claims._passages_by_copy` of the scope's passages, each copy
    document's index built from its rows when a via chain first looks it up: a scope's copy
    groups hold every passage among their documents (300 copies added to the replicated
    10,000-document store: 2 million in the first batch's scope), a via chain reads those of
    the documents it passes through. The same index per document (its passages in the
    scope's order)."""

    def __init__(self, rows: Iterable[scope.PassageRow], built: dict[str, _CopyIndex] | None = None) -> None:
        self._rows: dict[str, list[scope.PassageRow]] = {}
        for r in rows:
            self._rows.setdefault(r[3], []).append(r)
        self._built: dict[str, _CopyIndex] = built if built is not None else {}  # kept by the update

    def __getitem__(self, doc: str) -> _CopyIndex:
        return _kept(self._built, doc, lambda: self._index(doc), cap=_INDEXES)

    def _index(self, doc: str) -> _CopyIndex:
        from .claims import copy_index

        return copy_index([(r[0], r[1], r[2], r[4], r[5]) for r in self._rows[doc]])

    def __contains__(self, doc: object) -> bool:
        return doc in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def _recompute(store: Store, dirty: set[str], st: MatchSettings, scorer: Any, memo: _Memo | None = None) -> int:
    """Recompute the claims of components ``dirty`` with the batch functions and replace
    them in the store. Returns the number of reports recomputed. ``memo``: what this update
    read before (:class:`_Memo`)."""
    from .claims import _make_claim, match_with_edges
    from .contradictions import denial_contradictions
    from .provenance import IndependenceIndex

    c = store.conn
    comps = sorted(dirty)
    old_claims: set[str] = set()
    for part in scope.chunks(comps):
        q = ",".join("?" * len(part))
        old_claims |= {r[0] for r in c.execute(f"SELECT id FROM claims WHERE component IN ({q})", part)}
    keys = _count_keys(store, old_claims)
    _drop_claims(store, old_claims)
    memo = memo if memo is not None else _Memo()
    got, member_feats = _read_stored(store, comps, memo)
    if not member_feats:
        _renumber(store, keys)
        return 0
    order = sorted(got.values(), key=lambda dc: dc.seq)
    inputs: list[ClaimInput] = []
    feats: list[ClaimFeatures] = []
    for dc in order:
        for ci in dc.inputs:
            f = member_feats.get((ci.doc_id, ci.index))
            if f is not None:
                inputs.append(ci)
                feats.append(f)
    df = _df(store, (t for f in feats for t in f.tokens))
    clusters, edges, denials = match_with_edges(feats, st, scorer, doc_freq=df)
    graph, rows = scope.scoped_rows(store, got, memo.groups)
    by_copy = _CopyRows(rows, memo.indexes)
    vias, nodes = zip(*(memo.via(ci, graph, by_copy) for ci in inputs)) if inputs else ((), ())
    pindex = IndependenceIndex.of(graph)
    by_id = {dc.doc_id: SimpleNamespace(meta=SimpleNamespace(published=dc.published)) for dc in order}
    comp_of: dict[int, str] = {}
    for group in components(len(inputs), [(i, j) for i, j, _ in edges] + [(i, j) for i, j, _ in denials]):
        first = inputs[group[0]]
        for k in group:
            comp_of[k] = f"{first.doc_id}:{first.index}"
    claim_of = [""] * len(inputs)
    claim_rows: list[tuple[str, str, int, str]] = []
    doc_rows: list[tuple[str, str]] = []
    count_rows: list[tuple[str, str, str]] = []
    for g in clusters:
        claim = _make_claim([(inputs[k], vias[k], nodes[k]) for k in g], graph, by_id, pindex)
        first = inputs[g[0]]
        claim_rows.append((claim.id, comp_of[g[0]], got[first.doc_id].seq * _SEQ + first.index, _claim_json(claim)))
        doc_rows.extend((claim.id, d) for d in claim.documents)
        counts: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for k in g:
            claim_of[k] = claim.id
            for fact in feats[k].quantities:
                if fact.unit and fact.place:
                    counts[f"{fact.unit}|{fact.place}"].append(_fact_json(fact))
        count_rows.extend((key, claim.id, json.dumps(v, ensure_ascii=False)) for key, v in counts.items())
        keys |= set(counts)
    # one statement per table, rows in the order one statement per claim wrote them
    c.executemany("INSERT INTO claims (id, component, first_seq, record) VALUES (?, ?, ?, ?)", claim_rows)
    c.executemany("INSERT OR IGNORE INTO claim_docs (claim_id, doc_id) VALUES (?, ?)", doc_rows)
    c.executemany("INSERT INTO claim_counts (key, claim_id, facts) VALUES (?, ?, ?)", count_rows)
    c.executemany("UPDATE claim_inputs SET component = ?, claim_id = ? WHERE doc_id = ? AND k = ?",
                  [(comp_of[k], claim_of[k], ci.doc_id, ci.index) for k, ci in enumerate(inputs)])
    # contradictions: denials of the scope (by component), what its documents hold (by
    # document), counts under every key its old and new claims make (by key)
    _save_contradictions(store, ((comp_of[i], x) for x, (i, _, _) in zip(
        denial_contradictions(denials, inputs, claim_of), _kept_denials(denials, claim_of))))
    _document_contradictions(store, order)
    _renumber(store, keys)
    return len(inputs)


def _remake(store: Store, comps: set[str], memo: _Memo | None = None) -> set[str]:
    """Make the claims of components ``comps`` again from their stored groups, where only the
    provenance log touched them (a copy group of theirs changed, none of their reports or
    token counts did); return the components this could not do (to recompute).

    Matching reads no provenance: such a component's pairs, clusters, denials and component
    name stay what its last recompute gave (the stored ``claim_id`` of each report), and so
    do its claims' ids, documents and counts and every contradiction naming them (none reads
    provenance). What a copy group changes is what :func:`~storyline.corpus.claims._make_claim`
    reads the graph for: via chains, the representative they order, independent sources. So
    each claim is made again from its stored members and its record rewritten where it
    changed, as :func:`_recompute` would write it; the contradictions naming it are left as
    they are, where :func:`_recompute` would drop and save them again (the same records; their
    storage counter ``seq``, which orders a kind's listing, is not spent on them again).

    Measured (300 paragraph-shuffled copies added to the replicated 10,000-document store; the
    provenance log touched 34,603 stored reports in 19,287 components no new report matched):
    the step recomputed 24,130 reports instead of 54,413, 25.0 → 22.6 s of CPU (one run each
    on a shared 2-core machine; this making-again itself 5.6-5.9 s), the same claims,
    documents, counts and contradiction records; the contradictions' ``seq`` differs."""
    if not comps:
        return set()
    memo = memo if memo is not None else _Memo()
    left: set[str] = set()
    for part in scope.parts_by_group(store, sorted(comps), _COMPONENT_DOCS):
        left |= _remake_part(store, part, memo)
    return left


#: the documents of components (:func:`.scope.parts_by_group`, which cuts :func:`_remake`'s
#: work into parts whose copy groups hold at most :data:`.scope.PART_DOCS` documents). It made
#: every component the provenance log touched at once: 1,000 replicas added to the
#: 20,000-document store touched 111,380 (tracemalloc: 440 MB of their rows held together at
#: the step's peak), and an update over 9,900 replicas at 40,000-50,000 documents nearly every
#: component of the store (the bulk peaked at 4.1-5.7 GB). Then 20,000 components at a time:
#: that update 106.2 + 41.3 s, 1,310 MB → 114.5 + 42.0 s, 999 MB (claim + event step, CPU,
#: peak RSS), but a part of 20,000 still reached nearly every copy group when 19,900 replicas
#: came at once (4.8 GB in the first part at 69,900 documents).
_COMPONENT_DOCS = "SELECT component AS unit, doc_id FROM claim_inputs WHERE component IN (SELECT value FROM json_each(?))"


def _remake_part(store: Store, comps: Sequence[str], memo: _Memo) -> set[str]:
    """:func:`_remake` of some components: those it could not make again (all of them when
    one is not a stored group)."""
    from .claims import _make_claim
    from .provenance import IndependenceIndex

    c = store.conn
    members: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    stored: dict[str, tuple[str, int, str]] = {}
    for part in scope.chunks(sorted(comps)):
        q = ",".join("?" * len(part))
        for r in c.execute(f"SELECT doc_id, k, claim_id, input FROM claim_inputs WHERE component IN ({q})", part):
            if r[2] is None:
                return set(comps)  # a report with no claim yet: not a stored group
            members[r[2]].append((r[0], int(r[1]), r[3]))
        stored.update((r[0], (r[1], int(r[2]), r[3])) for r in c.execute(
            f"SELECT id, component, first_seq, record FROM claims WHERE component IN ({q})", part))
    if set(members) != set(stored):
        return set(comps)
    docs = sorted({d for ms in members.values() for d, _, _ in ms})
    seqs = _seqs(store, docs)
    published: dict[str, str | None] = {}
    for part in scope.chunks(docs):
        q = ",".join("?" * len(part))
        published.update((r[0], r[1]) for r in c.execute(
            f"SELECT doc_id, published FROM claim_doc_facts WHERE doc_id IN ({q})", part))
    if len(published) != len(docs) or len(seqs) != len(docs):
        return set(comps)
    graph, rows = scope.scoped_rows(store, docs, memo.groups)
    by_copy = _CopyRows(rows, memo.indexes)
    pindex = IndependenceIndex.of(graph)
    by_id = {d: SimpleNamespace(meta=SimpleNamespace(published=p)) for d, p in published.items()}
    updates: list[tuple[str, str]] = []
    for cid, ms in members.items():
        ms.sort(key=lambda m: (seqs[m[0]], m[1]))  # the batch order, as a recompute lists them
        made = []
        for d, k, data in ms:
            ci = memo.input((d, k), data)
            made.append((ci, *memo.via(ci, graph, by_copy)))
        claim = _make_claim(made, graph, by_id, pindex)
        comp, first_seq, record = stored[cid]
        if claim.id != cid or first_seq != seqs[ms[0][0]] * _SEQ + ms[0][1]:
            return set(comps)  # not what the last recompute stored: recompute
        data = _claim_json(claim)
        if data != record:
            updates.append((data, cid))
    c.executemany("UPDATE claims SET record = ? WHERE id = ?", updates)
    return set()


def _document_contradictions(store: Store, docs: Iterable[_DocClaims]) -> None:
    """Recompute what each document holds (undercuts between its claims, geography
    phrases), keyed by the document."""
    from dataclasses import replace

    from .contradictions import undercut_contradictions

    docs = list(docs)
    stored = _claim_ids(store, (dc.doc_id for dc in docs))
    for dc in docs:
        mine = [(ci, stored[(ci.doc_id, ci.index)]) for ci in dc.inputs if (ci.doc_id, ci.index) in stored]
        _drop_contradictions(store, "key = ? AND kind IN ('undercut', 'geography')", (dc.doc_id,))
        found = undercut_contradictions(mine, (), dc.undercuts)
        for x in dc.geography:  # the claims whose content holds the phrase carry it
            phrase = x.evidence[0]
            carriers = sorted({cid for ci, cid in mine
                               if ci.content.start <= phrase.start and phrase.end <= ci.content.end})
            found.append(replace(x, claims=tuple(carriers)))
        _save_contradictions(store, ((dc.doc_id, x) for x in found))


def _kept_denials(denials: Sequence[tuple[int, int, float]], claim_of: Sequence[str]) -> list[tuple[int, int, float]]:
    """The denial pairs :func:`denial_contradictions` turns into records (same order)."""
    return [d for d in denials if claim_of[d[0]] != claim_of[d[1]]]


def _claim_ids(store: Store, doc_ids: Iterable[str]) -> dict[tuple[str, int], str]:
    out: dict[tuple[str, int], str] = {}
    for part in scope.chunks(sorted(doc_ids)):
        q = ",".join("?" * len(part))
        for r in store.conn.execute(f"SELECT doc_id, k, claim_id FROM claim_inputs WHERE doc_id IN ({q})", part):
            if r[2]:
                out[(r[0], int(r[1]))] = r[2]
    return out


def _count_keys(store: Store, claim_ids: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for part in scope.chunks(sorted(claim_ids)):
        q = ",".join("?" * len(part))
        out |= {r[0] for r in store.conn.execute(f"SELECT DISTINCT key FROM claim_counts WHERE claim_id IN ({q})", part)}
    return out


def _drop_claims(store: Store, claim_ids: Iterable[str]) -> None:
    c = store.conn
    ids = sorted(claim_ids)
    for part in scope.chunks(ids):
        q = ",".join("?" * len(part))
        ctr = [r[0] for r in c.execute(
            f"SELECT DISTINCT contradiction_id FROM contradiction_claims WHERE claim_id IN ({q})", part)]
        for cpart in scope.chunks(ctr):
            cq = ",".join("?" * len(cpart))
            c.execute(f"DELETE FROM contradiction_claims WHERE contradiction_id IN ({cq})", cpart)
            c.execute(f"DELETE FROM contradictions WHERE id IN ({cq})", cpart)
        for t in ("claim_docs", "claim_counts"):
            c.execute(f"DELETE FROM {t} WHERE claim_id IN ({q})", part)
        c.execute(f"DELETE FROM claims WHERE id IN ({q})", part)


def _renumber(store: Store, keys: set[str]) -> None:
    """Recompute the number contradictions under ``keys`` among every stored claim counting
    under them (each pair under its smallest conflicting key, as the batch run does)."""
    from .contradictions import keyed_number_contradictions

    c = store.conn
    if not keys:
        return
    for part in scope.chunks(sorted(keys)):
        q = ",".join("?" * len(part))
        _drop_contradictions(store, f"kind = 'number' AND key IN ({q})", part)
    ids: set[str] = set()
    for part in scope.chunks(sorted(keys)):
        q = ",".join("?" * len(part))
        ids |= {r[0] for r in c.execute(f"SELECT DISTINCT claim_id FROM claim_counts WHERE key IN ({q})", part)}
    if len(ids) < 2:
        return
    seqs: dict[str, int] = {}
    facts: dict[str, list[SimpleNamespace]] = defaultdict(list)
    for part in scope.chunks(sorted(ids)):
        q = ",".join("?" * len(part))
        for r in c.execute(f"SELECT id, first_seq FROM claims WHERE id IN ({q})", part):
            seqs[r[0]] = int(r[1])
        for r in c.execute(f"SELECT claim_id, facts FROM claim_counts WHERE claim_id IN ({q})", part):
            facts[r[0]].append(SimpleNamespace(quantities=tuple(_fact(f) for f in json.loads(r[1]))))
    claims = [SimpleNamespace(id=i) for i in sorted(ids, key=lambda i: (seqs.get(i, 0), i))]
    found = keyed_number_contradictions(claims, facts)
    _save_contradictions(store, ((k, x) for k, x in found if k in keys))


def update_claims(store: Store, *, batch_size: int = 64, read_batches: NewReader = _read_batches) -> ClaimUpdate:
    """Bring the stored claims up to date: documents gone or changed leave, new ones join,
    documents whose copy group changed are re-read; one transaction per batch (a killed run
    resumes: what is left to do is derived from the store). ``read_batches`` turns the
    batches of new documents into what each brings (:func:`doc_claims` of each), in order:
    here by default, on Ray in :func:`storyline.corpus.ray_claims.update_claims_ray`; reading
    nothing this step writes, it may run ahead of the writes.

    Documents taken out and copy groups changed (the provenance log) are handled in the first
    batch's transaction, so a component they touch that the new reports match too (a new
    copy's claims match its source's) is recomputed once. 100 paragraph-shuffled copies added
    to the replicated 10,000-document store: 20,424 → 16,603 reports recomputed (9,143 →
    8,760 components), the step 8.9-9.8 → 8.1-8.5 s of CPU with the indexed via-chain lookup
    (:func:`storyline.corpus.claims._copy_source`); the same claims and contradictions (the
    contradictions' storage counter ``seq`` is spent fewer times: the listing order it gives
    was the same on that store, the 1,000-document one and the sample).

    300 such copies added to that store (the provenance log touches 34,603 stored reports):
    31.0-31.7 → 22.4-26.4 s of CPU (two runs each, alternating, shared 2-core machine) with
    the components only the log touched made again from their groups (:func:`_remake`),
    what an update reads again kept (:class:`_Memo`), members read by component and each
    copy group's passages ordered once; the same claims, documents, counts and contradiction
    records (``seq`` differs: contradictions of remade claims keep theirs)."""
    st, scorer = _settings()
    out = ClaimUpdate()
    memo = _Memo()  # copy edges, stored reports and their via chains do not change while this step runs
    with store.transaction():
        if scope.ensure_config(store, STEP, _config(st, scorer)):
            _clear(store)
    ch = scope.changes(store, STEP)
    prov, log_end = scope.provenance_since(store, STEP)
    batches = scope.batches_by_group(store, ch.add, batch_size)

    def take_out() -> tuple[set[str], set[str]]:
        """Forgotten documents out, the provenance log read: the components to recompute, and
        those the provenance log touched (their claims to make again, :func:`_remake`)."""
        dirty = _forget(store, ch.forget, st.max_word_df)
        scope.unmark(store, STEP, ch.forget)
        touched = sorted(scope.copy_group(store, prov)) if prov else []
        moved: set[str] = set()
        for part in scope.chunks(touched):
            moved |= _components_of(store, f"doc_id IN ({','.join('?' * len(part))})", part)
        scope.read_provenance_to(store, STEP, log_end)
        out.forgotten = len(ch.forget)
        return dirty, moved

    def settle(dirty: set[str], moved: set[str]) -> None:
        """Recompute ``dirty``; make the claims of the components only ``moved`` touched again
        from their stored groups (a component :func:`_remake` cannot is recomputed)."""
        moved = moved - dirty
        left = _remake(store, moved, memo)
        out.remade += len(moved - left)
        dirty |= left
        out.recomputed += _recompute(store, dirty, st, scorer, memo)
        out.components += len(dirty) + len(moved - left)

    if not batches:
        with store.transaction():
            dirty, moved = take_out()
            if dirty or moved:
                settle(dirty, moved)
    for i, (batch, got) in enumerate(zip(batches, read_batches(store, batches))):
        with store.transaction():
            # the first batch also takes out what left and recomputes what the provenance log
            # touched, in its own transaction: a component both touch (a new copy's claims match
            # its source's) is recomputed once, and a killed run still finds it all to do
            dirty, moved = take_out() if i == 0 else (set(), set())
            dirty |= _add(store, got, st, scorer)
            settle(dirty, moved)
            _document_contradictions(store, (dc for dc in got.values() if not dc.inputs))  # geography alone
            scope.mark_indexed(store, STEP, ch.stamps, batch)
        out.added += len(batch)
    scope.finish(store, STEP, ch)
    return out


def rebuild_claims(store: Store, *, batch_size: int = 64) -> ClaimUpdate:
    """Forget every stored claim and take every current document in again."""
    with store.transaction():
        _clear(store)
        scope.reset(store, STEP)
    return update_claims(store, batch_size=batch_size)


# --------------------------------------------------------------------------- read


def _min_sources(min_sources: int) -> tuple[str, list[Any]]:
    """The ``WHERE`` clause (and its arguments) of the stored claims with at least
    ``min_sources`` independent sources (none for 0: every claim)."""
    if min_sources <= 0:
        return "", []
    return " WHERE json_extract(record, '$.independent_sources') >= ?", [min_sources]


def count_claims(store: Store, *, min_sources: int = 0) -> int:
    """How many claims :func:`stored_claims` lists with this ``min_sources`` (all pages)."""
    where, args = _min_sources(min_sources)
    return int(store.conn.execute(f"SELECT count(*) FROM claims{where}", args).fetchone()[0])  # noqa: S608


def stored_claims(
    store: Store, doc_ids: Sequence[str] | None = None, *, limit: int | None = None, offset: int = 0,
    min_sources: int = 0,
) -> ClaimReport:
    """The stored claims (all, or those with a report in ``doc_ids``) in the batch report's
    order, with the contradictions that name them (and, for ``doc_ids``, those found in
    these documents). ``limit``/``offset`` (all claims only): one page of claims, with the
    contradictions naming them (a read that costs the same at any corpus size);
    ``min_sources``: only claims with at least that many independent sources (a page of
    those). Reads only: nothing is computed."""
    from .claims import ClaimReport

    c = store.conn
    if doc_ids is None and (limit is not None or offset > 0 or min_sources > 0):
        where, args = _min_sources(min_sources)
        rows = c.execute(f"SELECT record FROM claims{where} ORDER BY first_seq LIMIT ? OFFSET ?",  # noqa: S608
                         [*args, -1 if limit is None else limit, offset]).fetchall()
        ids = json.dumps([json.loads(r[0])["id"] for r in rows])
        xrows = c.execute(
            "SELECT record, kind, seq FROM contradictions WHERE id IN (SELECT contradiction_id FROM"
            " contradiction_claims WHERE claim_id IN (SELECT value FROM json_each(?)))", (ids,)).fetchall()
    elif doc_ids is None:
        rows = c.execute("SELECT record FROM claims ORDER BY first_seq").fetchall()
        xrows = c.execute("SELECT record, kind, seq FROM contradictions").fetchall()
    else:
        ids = json.dumps(list(doc_ids))
        rows = c.execute(
            "SELECT record FROM claims WHERE id IN (SELECT claim_id FROM claim_docs WHERE doc_id IN"
            " (SELECT value FROM json_each(?))) ORDER BY first_seq", (ids,)).fetchall()
        xrows = c.execute(
            "SELECT record, kind, seq FROM contradictions WHERE id IN (SELECT x.contradiction_id FROM"
            " contradiction_claims x JOIN claim_docs d ON d.claim_id = x.claim_id WHERE d.doc_id IN"
            " (SELECT value FROM json_each(:ids))) OR (kind IN ('undercut', 'geography') AND key IN"
            " (SELECT value FROM json_each(:ids)))", {"ids": ids}).fetchall()
    claims = [_claim(r[0]) for r in rows]
    xs = [_contradiction(json.loads(r[0])) for r in sorted(xrows, key=lambda r: (_KIND_ORDER.get(r[1], 9), r[2]))]
    by_claim = {cl.id: cl for cl in claims}
    for x in xs:
        for cid in x.claims:
            cl = by_claim.get(cid)
            if cl is None:
                continue
            if x.id not in cl.contradictions:
                cl.contradictions.append(x.id)
            for other in x.claims:
                if other != cid and other not in cl.contradicts:
                    cl.contradicts.append(other)
    return ClaimReport(claims=claims, contradictions=xs)
