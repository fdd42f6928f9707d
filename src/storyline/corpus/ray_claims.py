"""The claim step (:func:`storyline.corpus.claim_store.update_claims`) with the part that
parallelises on a Ray cluster: the same run, record for record, by construction.

Where the step's CPU goes (cProfile, ``rebuild_claims`` on 900 real documents of a
1,000-document store; 27.4 s, 30 ms a document):

* **taking in a new document** (``_read_new``: decoding its stored layers 3.2 s, claim
  inputs and matching features 5.0 s, undercut pairs 1.8 s, geography): 10.9 s, 40%. A pure
  function of the document (:func:`~storyline.corpus.claim_store.doc_claims`), independent
  of every other document and of the claim tables: this runs on Ray.
* **indexing and candidates** (``_add``: postings and token counts written, the candidate
  rule as SQL per new report, scoring the candidates): 8.6 s, of which scoring 1.0 s; the
  rest is SQLite on the one connection.
* **recomputing the dirty components** (``_recompute``: reading their stored reports 1.3 s,
  matching 0.9 s, claims 1.2 s, the writes): 6.5 s.

The last two stay on the driver, batch after batch as the local step runs them: a batch's
candidates depend on the token counts after the batches before it (a token crossing the
``max_word_df`` cap changes which pairs are candidates), and a component's recompute on
every claim written before; pair scoring alone (1.8 s of 27.4 in all) would not pay for its
shipping. Splitting them by key as copy detection does would need the counts' history per
batch: not done.

So here: the driver reads each new document's stored rows (its ``documents`` row, stage
runs and layers, undecoded) for a round of at most ``ray_steps.ROUND`` documents (shipped in
chunks of ``ray_steps.CHUNK``: :func:`storyline.corpus.ray_steps.in_order`, shared with the
event and story steps); Ray Data tasks decode
them (:func:`storyline.store.decode_doc`) and compute what each brings; the driver takes the
results in store order, streaming (``preserve_order``: the first batches are written while
later ones are computed) and passes them to ``update_claims`` as its ``read_batches``, which
runs everything else, writes included, unchanged. Ray Data *tasks*, not actor pools (an
actor pool starts its processes and imports per call; measured for copy detection,
:mod:`storyline.corpus.ray_reuse`).

Tested equal to the local step (``tests/corpus/test_ray_claims.py``: the sample corpus; 60
real texts ingested in three batches; a store already holding claims that the Ray run adds
to): every claim-step table and ``claims --json``.

Measured (``update_claims`` with and without this reader, run alternately, every document
new to the step; local Ray with ``num_cpus=2``, warm; 2 cores shared with other jobs, load
average 5-10; same records each time)::

    documents                                  local, 1 process    Ray, 2 CPUs
    500 real (1,000-document store)            13.1 s, 8.5 s       13.8 s (first call), 9.2 s
    2,000 (900 real + 1,100 replicas)          189.8 s             216.3 s

The driver waited for new documents 2.5-3.9 s of the local 500 (the local reader) and
2.3 s on Ray; on the 2,000, 12.7 s and 3.5 s. The rest is the driver's, and on Ray it gets
slower: the workers and the driver share the two cores (driver CPU 155.9 s local, 177.6 s
with Ray). On replicated text the claim step is dominated by neither reading nor matching:
cProfile of 1,400 of those documents (169 s) gives ``scope.scoped_provenance`` in
``_recompute`` 93.0 s (the copy groups of each batch's scope, 14.9 s of it, read and built
into a provenance graph, batch after batch), reading new documents 24.7 s, ``_add`` 21.1 s,
matching 3.6 s. Fixed cost: ``ray.init`` 8.5-11.4 s, the first call in a Ray session 12 s
(worker processes importing storyline). Shipped: 43 KB of stored rows a document,
7 KB of results back (pickled; the 1,000-document store), so a round of ``ray_steps.ROUND``
documents is about 0.1 GB on the driver.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from ..store import Store

if TYPE_CHECKING:
    from .claim_store import ClaimUpdate, _DocClaims

__all__ = ["doc_rows", "take_in", "update_claims_ray"]

# A document as stored: its ``documents`` row, stage runs, layers as ``(slot, data)``.
StoredRows = tuple[dict[str, Any], dict[str, str], list[tuple[str, str]]]


def update_claims_ray(
    store: Store, *, batch_size: int = 64, workers: int = 2, address: str | None = None
) -> ClaimUpdate:
    """:func:`storyline.corpus.claim_store.update_claims` with the new documents taken in by
    Ray Data tasks on the cluster Ray is connected to (when it is not started yet: the cluster
    at ``address``, else a local instance with ``workers`` CPUs). Same records, same return
    value; E205 when Ray is not installed (only once there is a new document to take in)."""
    from .claim_store import update_claims

    return update_claims(store, batch_size=batch_size, read_batches=partial(_read_batches, workers=workers,
                                                                            address=address))


def doc_rows(store: Store, doc_ids: Sequence[str]) -> list[StoredRows]:
    """Each document's stored rows, undecoded: its ``documents`` row, stage runs and layers."""
    out = []
    for d in doc_ids:
        row = store.conn.execute("SELECT d.* FROM documents d WHERE d.id = ?", (d,)).fetchone()
        out.append((dict(zip(row.keys(), row)), *store.doc_rows(d)))
    return out


def take_in(rows: StoredRows, seq: int) -> _DocClaims:
    """What one new document brings (:func:`~storyline.corpus.claim_store.doc_claims`), from
    its stored rows; a row that no longer decodes raises (the driver raises E306 with the
    reason, as :meth:`Store.get` does: :func:`~storyline.corpus.ray_steps.in_order`)."""
    from ..store import decode_doc
    from .claim_store import doc_claims

    return doc_claims(decode_doc(*rows), seq)


def _claim_rows(store: Store, doc_ids: Sequence[str]) -> list[tuple[StoredRows, int]]:
    from .claim_store import _seqs

    seqs = _seqs(store, doc_ids)
    return [(rows, seqs[d]) for d, rows in zip(doc_ids, doc_rows(store, doc_ids))]


def _take(item: tuple[StoredRows, int]) -> _DocClaims:
    return take_in(*item)


def _read_batches(
    store: Store, batches: Sequence[Sequence[str]], *, workers: int, address: str | None
) -> Iterator[dict[str, _DocClaims]]:
    """``update_claims``'s reader on Ray (:func:`~storyline.corpus.ray_steps.in_order`: rounds
    of stored rows shipped to tasks, the results taken back in order, one batch at a time)."""
    from .ray_steps import in_order

    got = in_order(store, batches, _claim_rows, _take, lambda item: str(item[0][0]["id"]),
                   workers=workers, address=address)
    for batch, taken in zip(batches, got):
        yield dict(zip(batch, taken))
