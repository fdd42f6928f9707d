"""Copy detection (the reuse step) in batch form on a Ray cluster: the same result as
:func:`storyline.corpus.persist.update_reuse`, record for record, with the heavy parts spread
over Ray Data workers and the cheap sequential part on the driver.

``update_reuse`` indexes the unindexed documents one batch of ``batch_size`` at a time, each
document against everything indexed before it (stored documents first, then the new ones in
store order): candidates from the SQLite band index, alignment of each candidate pair, then
the cluster step and the writes. Here the same run is cut the other way, by step, over every
new document of a round (at most ``ROUND`` documents, a multiple of ``batch_size``):

1. **signatures** (Ray Data ``map_batches``): each new document's sentence windows and their
   LSH band keys.
2. **candidates by band key**: every window's keys as rows ``(key, document, order, window,
   stored, query)``; documents already in the store contribute their stored rows under the
   new keys (looked up once per round; order -1, before every new document). A Ray Data
   ``groupby`` on the key's bucket (``key mod buckets``; matched by exact key inside a bucket
   with numpy: a Python call per key would cost more than the match) emits, for each querying
   window, the earlier documents with a stored window under one of its keys
   (:func:`match_windows`); a second ``groupby``, on the querying document, applies
   :func:`storyline.corpus.reuse.rank_candidates`, the rule of ``_query_docs`` (words covered,
   ranking, ``max_candidates``).
3. **score** (``map_batches``): the candidate pairs whose earlier document is still in the
   store are aligned (``_align_tokens``).
4. **cluster and write**, on the driver, batch by batch exactly as ``update_reuse`` groups the
   documents: ``reuse._judge_batch`` (what ``find_reuse_incremental`` ends with, here given
   these candidates and alignments) and ``persist.write_reuse_batch``, one transaction per
   batch through the one SQLite connection. The batch's band keys go into ``reuse_keys`` in
   the same transaction (the same rows as ``update_reuse`` adds, inserted in key order), so a
   later local run finds these documents; a killed run resumes with the batches not written.

Equal by construction, and tested so (``tests/corpus/test_ray_reuse.py``: the sample corpus;
41 PolNeAR texts that share passages plus 16 texts pasted from them, in batches of 7, 16 and
64; a store already holding indexed documents).

Choices, measured on this machine (2 cores shared with other jobs; local Ray with
``num_cpus=2``):

* Ray Data **tasks**, not actor pools, for steps 1 and 3: an actor pool starts its processes
  and imports per call (signatures 7.1-10.0 s, alignment 5.5-7.9 s a call on 60 documents);
  tasks run in Ray's pooled worker processes, which keep their imports and, per process, the
  :class:`PassageIndex` with its word-hash memo (0.5-0.8 s and 0.3-0.45 s on a warm instance).
* the **sort-based shuffle** for the two groupbys: Ray 2.60's default hash shuffle starts
  aggregator actors, 12.5-13.4 s a call on 60 documents (and they held the CPUs that the
  alignment then waited for), the sort-based one 0.75-1.2 s.

The step alone, ``update_reuse`` and ``update_reuse_ray`` run alternately, twice each, on a
warm Ray instance (same results; real news texts of ``../shared/datasets`` — PolNeAR,
TempEval-3, ECB+ —, the 2,000 with 93 paragraph-shuffled replicas; every document unindexed
unless said; load average 3.3-4.3 from other jobs)::

    documents                        local, 1 process   Ray, 2 CPUs
    60                               0.70-0.84 s        2.13-3.16 s
    500                              7.53-8.22 s        8.71-9.74 s
    2,000                            25.1 s             24.1-24.6 s
    500 new on 1,500 indexed         5.78-6.60 s        7.59-8.62 s

On 2 cores Ray does not pay: it moves the work of one process onto two, plus serialization
and scheduling. In a run on the 2,000 (load 3) its parts took: signatures 5.6 s, candidates
4.7 s, alignment 6.2 s, the driver 12.2 s — mostly SQLite (profiled: the 1.2M band-key rows
8.6 s, commits 2.5 s, reading texts 2.9 s; the cluster step 1.9 s). On a cluster, steps 1-3
scale with the workers and the driver, about 6 ms a document here, is what stays. Fixed
cost: ``ray.init`` 4.4-10.2 s; the first call in a Ray session 6.0-8.7 s (worker processes
importing numpy, datasketch and storyline); then 0.22-0.38 s a call. The driver holds a
round: about 12 KB a document (3.2 KB of text, 8.2 KB of windows and band keys, on the 1,957
texts of the 2,000-document store), so ``ROUND`` = 20,000 is about 0.25 GB.
"""

from __future__ import annotations

import pickle
from collections import defaultdict
from collections.abc import Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from ..store import Store

if TYPE_CHECKING:
    from .persist import ReuseRun, ReuseSettings
    from .reuse import Alignment, PassageIndex, _Prepared

# Documents per round: every step runs over a round at once; the driver holds the round's
# texts, windows and band keys (about 12 KB a document, measured: see above).
ROUND = 20_000
# The driver's look-up of stored rows under the new keys: keys per query.
_KEYS_PER_QUERY = 20_000

__all__ = ["ROUND", "key_rows", "match_windows", "rank_matches", "stored_key_rows", "update_reuse_ray"]


def update_reuse_ray(
    store: Store,
    settings: ReuseSettings | None = None,
    *,
    batch_size: int = 64,
    workers: int = 2,
    address: str | None = None,
) -> int:
    """:func:`storyline.corpus.persist.update_reuse` with signatures, candidates and
    alignments computed by Ray Data tasks on the cluster Ray is connected to (when it is not
    started yet: the cluster at ``address``, else a local instance with ``workers`` CPUs).
    ``workers`` also sizes the batches and key buckets. Same records, same batches, same
    return value; E205 when Ray is not installed."""
    from .persist import ReuseRun, unindexed

    run = ReuseRun.open(store, settings)
    todo = unindexed(store)
    if not todo:
        return 0
    from ..executor import start_ray

    start_ray(workers, address)
    import ray.data
    from ray.data.context import ShuffleStrategy

    # The sort-based shuffle for the candidate step's groupbys: Ray 2.60's default hash
    # shuffle starts aggregator actors, 12.5-13.4 s a call on 60 documents here (and they held
    # the CPUs the alignment then waited for), the sort-based one 1.0-1.2 s. A dataset keeps
    # the context it was made in: set for every dataset of the run, restored after.
    ctx = ray.data.DataContext.get_current()
    before, ctx.shuffle_strategy = ctx.shuffle_strategy, ShuffleStrategy.SORT_SHUFFLE_PULL_BASED
    try:
        per_round = max(1, ROUND // batch_size) * batch_size
        found = 0
        for start in range(0, len(todo), per_round):
            found += _round(run, todo[start : start + per_round], batch_size, max(1, workers))
        return found
    finally:
        ctx.shuffle_strategy = before


def _defaults() -> dict[str, Any]:
    """The parameters of ``find_reuse_incremental`` that ``update_reuse`` leaves at their
    defaults (``max_gap``, ``max_candidates``, the boilerplate guard's outlets and words)."""
    import inspect

    from .reuse import find_reuse_incremental

    params = inspect.signature(find_reuse_incremental).parameters.values()
    return {p.name: p.default for p in params if p.default is not inspect.Parameter.empty}


def _round(run: ReuseRun, todo: Sequence[str], batch_size: int, workers: int) -> int:
    from .persist import SqliteIndex, write_reuse_batch
    from .reuse import _judge_batch

    fixed = _defaults()

    store = run.store
    batches = list(run.batches(todo, batch_size))
    docs = [d for b in batches for d in b]
    if not docs:
        return 0
    new_ids = [d[0] for d in docs]
    # per new document: windows (n, 6) int64, keys (n, bands); and the same, kept on the cluster
    sigs, on_cluster = _signatures(docs, run.pindex, workers)

    # stored documents with a window under one of the new keys (all earlier than the new ones)
    new_keys = np.sort(np.concatenate([k.ravel() for _, k in sigs]))
    new_keys = new_keys[np.r_[True, new_keys[1:] != new_keys[:-1]]] if len(new_keys) else new_keys
    stored_keys, stored_docs = _stored_rows(store, new_keys)
    ids = sorted(set(new_ids) | set(stored_docs))  # document numbers sort as the ids do: the ranking's tie-break
    number = {d: i for i, d in enumerate(ids)}
    candidates = _candidates(
        on_cluster, np.array([number[d] for d in new_ids], dtype=np.int64),
        stored_keys, np.array([number[d] for d in stored_docs], dtype=np.int64),
        run.settings.min_words, run.pindex.window_words, workers, fixed["max_candidates"],
    ) if len(new_keys) else {}
    cand_ids = {new_ids[n]: [ids[c] for c in candidates.get(number[new_ids[n]], [])] for n in range(len(new_ids))}

    # the pairs to align: each new document with its candidates still in the store
    texts = {d[0]: d[1] for d in docs}
    metas = {d[0]: d[2] for d in docs}
    pairs: list[tuple[str, str]] = []
    for doc_id in new_ids:
        for other in cand_ids[doc_id]:
            if other not in texts:
                got = run.lookup(other)
                if got is None:
                    continue
                texts[other], metas[other] = got
            pairs.append((other, doc_id))
    aligned = _align(pairs, texts, run.pindex.shingle_words, run.settings.min_words, fixed["max_gap"], workers)

    def align_pair(a: _Prepared, b: _Prepared) -> list[Alignment]:
        return aligned[(a.id, b.id)]

    def lookup(doc_id: str) -> tuple[str, Any] | None:  # what the batch loop would read: read above
        return (texts[doc_id], metas[doc_id]) if doc_id in texts else run.lookup(doc_id)

    found = 0
    at = 0
    for batch in batches:
        preps = [_prepared(d, *sigs[at + i]) for i, d in enumerate(batch)]
        at += len(batch)
        with store.transaction():
            SqliteIndex(store).add_rows(_index_rows(preps))
            update = _judge_batch(
                preps, {p.id: cand_ids[p.id] for p in preps}, lookup, align_pair, run.pindex,
                boilerplate_docs=run.settings.boilerplate_docs, boilerplate_outlets=fixed["boilerplate_outlets"],
                boilerplate_max_words=fixed["boilerplate_max_words"], templates=run.rule,
            )
            found += write_reuse_batch(store, batch, update)
    return found


def _index_rows(preps: Sequence[_Prepared]) -> list[tuple[int, str, int]]:
    """The rows ``reuse._store`` adds to the SQLite index for these documents (their stored
    windows' keys), in key order (numpy sorts them faster than Python sorts tuples)."""
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for n, p in enumerate(preps):
        stored = np.array([w.stored for w in p.passages], dtype=bool)
        if stored.any():
            numbers = np.array([w.number for w in p.passages], dtype=np.int64)[stored]
            keys = p.keys[stored]
            parts.append((keys.view(np.int64).ravel(), np.full(keys.size, n), np.repeat(numbers, keys.shape[1])))
    if not parts:
        return []
    key, doc, window = (np.concatenate([part[i] for part in parts]) for i in range(3))
    order = np.argsort(key, kind="stable")
    ids = [p.id for p in preps]
    return [(k, ids[d], w) for k, d, w in zip(key[order].tolist(), doc[order].tolist(), window[order].tolist())]


def _prepared(doc: tuple[str, str, Any], windows: np.ndarray, keys: np.ndarray) -> _Prepared:
    from .reuse import Passage, _Prepared

    passages = [Passage(int(n), int(f), int(la), int(s), int(e), bool(st)) for n, f, la, s, e, st in windows.tolist()]
    return _Prepared(doc[0], doc[1] or "", doc[2], passages, keys)


# ------------------------------------------------------------------------------ 1. signatures
_INDEXES: dict[str, PassageIndex] = {}  # per worker process, built once per configuration; not shared state


def _sign(batch: dict[str, np.ndarray], pindex: PassageIndex) -> dict[str, np.ndarray]:
    """Windows and band keys of a batch of documents (a Ray Data task; the worker process
    keeps its PassageIndex, with its word-hash memo, from one batch to the next)."""
    from .reuse import tokenize

    pindex = _INDEXES.setdefault(pindex.config, pindex)
    out = []
    for text in batch["text"]:
        ps, sig = pindex.signatures(tokenize(str(text)))
        keys = pindex.band_key_array(sig) if ps else np.zeros((0, pindex.bands), dtype=np.uint64)
        windows = np.array([(p.number, p.first, p.last, p.start, p.end, p.stored) for p in ps], dtype=np.int64)
        out.append(pickle.dumps((windows.reshape(-1, 6), keys)))
    return {"n": batch["n"], "sig": np.array(out, dtype=object)}


def _signatures(
    docs: Sequence[tuple[str, str, Any]], pindex: PassageIndex, workers: int
) -> tuple[list[tuple[np.ndarray, np.ndarray]], Any]:
    """Windows and band keys of ``docs``, on the driver (in order) and as a materialized
    dataset of rows ``(n, sig)`` for the candidate step."""
    import ray.data

    ds = ray.data.from_items([{"n": n, "text": d[1] or ""} for n, d in enumerate(docs)]).map_batches(
        partial(_sign, pindex=pindex), batch_size=_batch(len(docs), workers, 64), batch_format="numpy",
    ).materialize()
    rows = sorted(ds.take_all(), key=lambda r: int(r["n"]))
    return [pickle.loads(r["sig"]) for r in rows], ds


def _batch(n: int, workers: int, most: int) -> int:
    return max(1, min(most, n // (workers * 4) or 1))


# ------------------------------------------------------------------------------ 2. candidates
def _stored_rows(store: Store, keys: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """(key, document) of the stored windows under any of ``keys`` (uint64)."""
    ints = keys.view(np.int64).tolist()  # reuse_keys holds the big-endian bytes as a signed integer
    got_keys: list[int] = []
    got_docs: list[str] = []
    for i in range(0, len(ints), _KEYS_PER_QUERY):
        part = ints[i : i + _KEYS_PER_QUERY]
        for k, d in store.conn.execute(
            "SELECT DISTINCT key, doc_id FROM reuse_keys WHERE key IN (SELECT value FROM json_each(?))",
            (f"[{','.join(map(str, part))}]",),
        ):
            got_keys.append(k)
            got_docs.append(d)
    return np.array(got_keys, dtype=np.int64).view(np.uint64), got_docs


def key_rows(doc: int, order: int, windows: np.ndarray, keys: np.ndarray, buckets: int) -> dict[str, np.ndarray]:
    """The rows a new document brings to the key groups: one per window and band key, each
    a query, and stored for the windows the index stores (``windows``: rows ``(number,
    first, last, start, end, stored)``; ``keys``: ``(windows, bands)`` uint64)."""
    nw, nb = keys.shape
    flat = keys.ravel()
    w = np.repeat(windows[:, 0], nb) if nw else np.zeros(0, np.int64)
    return {
        "bucket": (flat % np.uint64(buckets)).astype(np.int64),
        "key": flat,
        "doc": np.full(len(flat), doc, dtype=np.int64),
        "order": np.full(len(flat), order, dtype=np.int64),
        "w": w,
        "first": np.repeat(windows[:, 1], nb) if nw else w,
        "last": np.repeat(windows[:, 2], nb) if nw else w,
        "stored": np.repeat(windows[:, 5].astype(bool), nb) if nw else np.zeros(0, bool),
        "query": np.ones(len(flat), dtype=bool),
    }


def stored_key_rows(keys: np.ndarray, docs: np.ndarray, buckets: int) -> dict[str, np.ndarray]:
    """The rows of windows already in the store: stored, not querying, before every new
    document (order -1)."""
    zeros = np.zeros(len(keys), dtype=np.int64)
    return {
        "bucket": (keys % np.uint64(buckets)).astype(np.int64), "key": keys, "doc": docs.astype(np.int64),
        "order": zeros - 1, "w": zeros, "first": zeros, "last": zeros,
        "stored": np.ones(len(keys), dtype=bool), "query": np.zeros(len(keys), dtype=bool),
    }


def match_windows(rows: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Within rows of whole key groups: for each querying window ``(doc, w)``, every other
    document with a stored row under the same key added before it (a smaller ``order``), as
    distinct rows ``(doc, w, first, last, other)``: what each ``CandidateIndex.query`` of
    ``_query_docs`` returns, for all documents at once."""
    key = np.asarray(rows["key"], dtype=np.uint64)
    order = np.argsort(key, kind="stable")
    k = key[order]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]]) if len(k) else np.zeros(0, np.int64)
    lengths = np.diff(np.r_[starts, len(k)])
    run = np.repeat(np.arange(len(starts)), lengths)
    pos = np.flatnonzero(lengths[run] >= 2)  # sorted positions in groups of two rows or more
    n = lengths[run[pos]]
    qi = np.repeat(pos, n)
    sj = np.repeat(starts[run[pos]], n) + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    q, s = order[qi], order[sj]
    doc, seq = np.asarray(rows["doc"]), np.asarray(rows["order"])
    keep = np.asarray(rows["query"])[q] & np.asarray(rows["stored"])[s] & (seq[s] < seq[q]) & (doc[s] != doc[q])
    q, s = q[keep], s[keep]
    out = np.stack(
        [doc[q], np.asarray(rows["w"])[q], np.asarray(rows["first"])[q], np.asarray(rows["last"])[q], doc[s]], axis=1
    ).astype(np.int64).reshape(-1, 5)
    out = np.unique(out, axis=0)
    return {"doc": out[:, 0], "w": out[:, 1], "first": out[:, 2], "last": out[:, 3], "other": out[:, 4]}


def rank_matches(
    matches: Mapping[str, np.ndarray], *, max_candidates: int, min_words: int, window_words: int
) -> dict[int, list[int]]:
    """Candidates per querying document from :func:`match_windows` rows, by
    :func:`storyline.corpus.reuse.rank_candidates` (document numbers sort as the ids)."""
    from .reuse import rank_candidates

    matched: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    windows: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    for d, w, f, la, o in zip(*(np.asarray(matches[c]).tolist() for c in ("doc", "w", "first", "last", "other"))):
        matched[d][o].add(w)
        windows[d][w] = (f, la)
    return {d: rank_candidates(m, windows[d], max_candidates, min_words, window_words) for d, m in matched.items()}


def _match_group(rows: dict[str, np.ndarray], buckets: int) -> dict[str, np.ndarray]:
    out = match_windows(rows)
    out["bucket"] = out["doc"] % buckets
    return out


def _rank_group(rows: dict[str, np.ndarray], min_words: int, window_words: int, max_candidates: int) -> dict[str, np.ndarray]:
    ranked = rank_matches(rows, max_candidates=max_candidates, min_words=min_words, window_words=window_words)
    flat = [(d, i, c) for d, cs in ranked.items() for i, c in enumerate(cs)]
    arr = np.array(flat, dtype=np.int64).reshape(-1, 3)
    return {"doc": arr[:, 0], "rank": arr[:, 1], "other": arr[:, 2]}


def _explode(batch: dict[str, np.ndarray], numbers: np.ndarray, buckets: int) -> dict[str, np.ndarray]:
    """Key rows of a batch of signature rows: new document ``n`` is number ``numbers[n]``
    and is indexed ``n``-th (its order)."""
    parts = []
    for n, sig in zip(batch["n"], batch["sig"]):
        windows, keys = pickle.loads(sig)
        parts.append(key_rows(int(numbers[int(n)]), int(n), windows, keys, buckets))
    return {c: np.concatenate([p[c] for p in parts]) for c in parts[0]}


def _candidates(
    signatures: Any, numbers: np.ndarray, stored_keys: np.ndarray, stored_docs: np.ndarray,
    min_words: int, window_words: int, workers: int, max_candidates: int,
) -> dict[int, list[int]]:
    """Candidates of each new document, by document number: ``signatures`` is the dataset of
    :func:`_signatures` (new document ``n`` is number ``numbers[n]``); ``stored_*`` the stored
    rows under the new keys."""
    import ray.data

    buckets = 8 * workers
    rows = signatures.map_batches(
        partial(_explode, numbers=numbers, buckets=buckets), batch_size=_batch(len(numbers), workers, 256),
        batch_format="numpy",
    )
    if len(stored_keys):
        rows = rows.union(ray.data.from_arrow(_arrow(stored_key_rows(stored_keys, stored_docs, buckets))))
    matched = rows.groupby("bucket", num_partitions=buckets).map_groups(
        partial(_match_group, buckets=buckets), batch_format="numpy"
    )
    ranked = matched.groupby("bucket", num_partitions=buckets).map_groups(
        partial(_rank_group, min_words=min_words, window_words=window_words, max_candidates=max_candidates),
        batch_format="numpy",
    )
    out: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for r in ranked.take_all():
        out[int(r["doc"])].append((int(r["rank"]), int(r["other"])))
    return {d: [c for _, c in sorted(cs)] for d, cs in out.items()}


def _arrow(cols: dict[str, np.ndarray]) -> Any:
    import pyarrow as pa

    return pa.table(cols)


# ------------------------------------------------------------------------------ 3. alignment
_TOKENS: dict[str, Any] = {}  # per worker process: tokenized texts by text, bounded; not shared state


def _tokens(text: str) -> Any:
    """``tokenize(text)``, remembered: a stored document is a candidate of many new ones.
    Keyed by the text itself (a pure function of it), not the id: a document re-cleaned by a
    newer stage keeps its id."""
    from .reuse import tokenize

    tok = _TOKENS.get(text)
    if tok is None:
        if len(_TOKENS) >= 1024:  # 123 KB a tokenized news text (500 real ones, tracemalloc): 0.13 GB
            _TOKENS.clear()
        tok = _TOKENS[text] = tokenize(text)
    return tok


def _align_batch(batch: dict[str, np.ndarray], shingle_words: int, min_words: int, max_gap: int) -> dict[str, np.ndarray]:
    """Alignments of a batch of candidate pairs (a Ray Data task)."""
    from .reuse import _align_tokens

    out = [
        pickle.dumps(_align_tokens(
            _tokens(str(ta)), _tokens(str(tb)),
            min_words=min_words, shingle_words=shingle_words, max_gap=max_gap, min_similarity=0.5,
        ))
        for ta, tb in zip(batch["ta"], batch["tb"])
    ]
    return {"i": batch["i"], "als": np.array(out, dtype=object)}


def _align(
    pairs: Sequence[tuple[str, str]], texts: Mapping[str, str], shingle_words: int, min_words: int, max_gap: int,
    workers: int,
) -> dict[tuple[str, str], list[Alignment]]:
    import ray.data

    if not pairs:
        return {}
    unique: dict[tuple[str, str], int] = {}  # a pair of texts aligned once (copies word for word)
    for a, b in pairs:
        unique.setdefault((texts[a], texts[b]), len(unique))
    ds = ray.data.from_items(
        [{"i": i, "ta": ta, "tb": tb} for (ta, tb), i in unique.items()]
    ).map_batches(
        partial(_align_batch, shingle_words=shingle_words, min_words=min_words, max_gap=max_gap),
        batch_size=_batch(len(unique), workers, 32), batch_format="numpy",
    )
    found = {int(r["i"]): pickle.loads(r["als"]) for r in ds.take_all()}
    return {(a, b): list(found[unique[texts[a], texts[b]]]) for a, b in pairs}
