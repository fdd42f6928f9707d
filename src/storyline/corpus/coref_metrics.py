"""Coreference metrics for clusterings of mentions: :func:`muc` (Vilain et al. 1995),
:func:`b_cubed` (Bagga & Baldwin 1998), :func:`ceaf_e` (Luo 2005, entity-based φ4) and
:func:`conll_f1` (the CoNLL-2011/12 average), used by ``bench/ecbplus.py`` and
``bench/stories.py`` to score event and story clustering.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence

from ..cluster import DisjointSet

# Clusterings are lists of clusters (iterables of hashable mention ids). Key = gold,
# response = system. Mentions missing from one side count as singletons there.


def _prf(pn: float, pd: float, rn: float, rd: float) -> tuple[float, float, float]:
    p = pn / pd if pd else 0.0
    r = rn / rd if rd else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _index(clusters: Iterable[Iterable[Hashable]]) -> tuple[list[set[Hashable]], dict[Hashable, int]]:
    cl = [set(c) for c in clusters if c]
    where = {m: i for i, c in enumerate(cl) for m in c}
    return cl, where


def muc(key: Iterable[Iterable[Hashable]], response: Iterable[Iterable[Hashable]]) -> tuple[float, float, float]:
    """MUC (Vilain et al. 1995): recall = Σ(|K| − |p(K)|) / Σ(|K| − 1) over key clusters K,
    p(K) the partition of K by the response (unaligned mentions as singletons); precision
    the same with the roles swapped. Returns (P, R, F1)."""
    k, kw = _index(key)
    r, rw = _index(response)

    def side(a: list[set[Hashable]], bw: dict[Hashable, int]) -> tuple[int, int]:
        num = den = 0
        for c in a:
            parts = {bw.get(m, ("single", m)) for m in c}
            num += len(c) - len(parts)
            den += len(c) - 1
        return num, den

    rn, rd = side(k, rw)
    pn, pd = side(r, kw)
    return _prf(pn, pd, rn, rd)


def b_cubed(key: Iterable[Iterable[Hashable]], response: Iterable[Iterable[Hashable]]) -> tuple[float, float, float]:
    """B³ (Bagga & Baldwin 1998): per mention m, precision |K(m) ∩ R(m)| / |R(m)| and
    recall |K(m) ∩ R(m)| / |K(m)|, averaged over the mentions of the response/key."""
    k, kw = _index(key)
    r, rw = _index(response)
    p_sum = sum(len(r[rw[m]] & k[kw[m]]) / len(r[rw[m]]) if m in kw else 1 / len(r[rw[m]]) for m in rw)
    r_sum = sum(len(k[kw[m]] & r[rw[m]]) / len(k[kw[m]]) if m in rw else 1 / len(k[kw[m]]) for m in kw)
    return _prf(p_sum, len(rw), r_sum, len(kw))


def ceaf_e(key: Iterable[Iterable[Hashable]], response: Iterable[Iterable[Hashable]]) -> tuple[float, float, float]:
    """Entity-based CEAF (Luo 2005, φ4): the best one-to-one alignment of key and response
    clusters under φ4(K, R) = 2|K ∩ R| / (|K| + |R|) (Kuhn–Munkres); recall = Φ / |key
    clusters|, precision = Φ / |response clusters|."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    k, _ = _index(key)
    r, rw = _index(response)
    if not k or not r:
        return 0.0, 0.0, 0.0
    # overlaps, then the alignment per connected component of the overlap graph
    overlap: dict[tuple[int, int], int] = Counter()
    for i, c in enumerate(k):
        for m in c:
            if m in rw:
                overlap[(i, rw[m])] += 1
    linked: DisjointSet[tuple[str, int]] = DisjointSet()
    for i, j in overlap:
        linked.union(("k", i), ("r", j))
    comps: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for (i, j) in overlap:
        comps.setdefault(linked.find(("k", i)), []).append((i, j))
    phi = 0.0
    for pairs in comps.values():
        ks = sorted({i for i, _ in pairs})
        rs = sorted({j for _, j in pairs})
        ki = {v: x for x, v in enumerate(ks)}
        ri = {v: x for x, v in enumerate(rs)}
        sim = np.zeros((len(ks), len(rs)))
        for i, j in pairs:
            sim[ki[i], ri[j]] = 2 * overlap[(i, j)] / (len(k[i]) + len(r[j]))
        rows, cols = linear_sum_assignment(-sim)
        phi += float(sim[rows, cols].sum())
    return _prf(phi, len(r), phi, len(k))


def conll_f1(key: Sequence[Iterable[Hashable]], response: Sequence[Iterable[Hashable]]) -> float:
    """CoNLL F1 (Pradhan et al. 2011/2012): mean of the MUC, B³ and CEAF-e F1."""
    key, response = [list(c) for c in key], [list(c) for c in response]
    return (muc(key, response)[2] + b_cubed(key, response)[2] + ceaf_e(key, response)[2]) / 3
