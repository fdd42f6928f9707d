"""Clustering shared by the corpus steps: one disjoint-set (union-find) for connected components.

Copy groups (provenance), independent-source partitions (claims, events), claim and event
groups all reduce to "connected components over the pairs that pass", sometimes followed by a
finer step on each component (average linkage). Before this module each of them carried its
own union-find; this one is deterministic (the root of a merged set is the member added first,
and :meth:`DisjointSet.groups` lists groups in order of their first member), so the group ids
and orders the callers derive from it do not depend on the order unions happen in.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

T = TypeVar("T", bound=Hashable)


class DisjointSet(Generic[T]):
    """Union-find with path halving over hashable items, added on first sight."""

    __slots__ = ("_order", "_parent")

    def __init__(self, items: Iterable[T] = ()) -> None:
        self._parent: dict[T, T] = {}
        self._order: dict[T, int] = {}
        for item in items:
            self.add(item)

    def add(self, item: T) -> None:
        if item not in self._parent:
            self._parent[item] = item
            self._order[item] = len(self._order)

    def __contains__(self, item: object) -> bool:
        return item in self._parent

    def __len__(self) -> int:
        return len(self._parent)

    def find(self, item: T) -> T:
        self.add(item)
        parent = self._parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: T, b: T) -> T:
        """Merge the sets of ``a`` and ``b``; the root is the earlier-added of the two roots."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if self._order[rb] < self._order[ra]:
            ra, rb = rb, ra
        self._parent[rb] = ra
        return ra

    def connected(self, a: T, b: T) -> bool:
        return self.find(a) == self.find(b)

    def groups(self) -> list[list[T]]:
        """Every set, members in the order they were added, sets in order of their first member."""
        out: dict[T, list[T]] = {}
        for item in self._parent:
            out.setdefault(self.find(item), []).append(item)
        return list(out.values())


def components(n: int, pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Connected components of items ``0..n-1`` under ``pairs``: each sorted, in order of
    their smallest member."""
    ds: DisjointSet[int] = DisjointSet(range(n))
    for i, j in pairs:
        ds.union(i, j)
    return ds.groups()
