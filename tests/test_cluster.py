"""The shared union-find: components, deterministic roots and group order."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.cluster import DisjointSet, components


def test_components_in_order_of_smallest_member() -> None:
    assert components(6, [(4, 1), (5, 3), (3, 0)]) == [[0, 3, 5], [1, 4], [2]]
    assert components(0, []) == []


def test_root_is_the_member_added_first() -> None:
    ds: DisjointSet[str] = DisjointSet(["b", "a", "c"])
    assert ds.union("c", "a") == "a"
    assert ds.union("a", "b") == "b"
    assert ds.find("c") == "b" and ds.connected("a", "c") and len(ds) == 3
    assert ds.groups() == [["b", "a", "c"]]


@settings(deadline=None)  # no timing: the machine may be busy
@given(st.integers(1, 30).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=40))))
def test_components_match_a_graph_walk(case: tuple[int, list[tuple[int, int]]]) -> None:
    n, pairs = case
    adj: dict[int, set[int]] = {i: set() for i in range(n)}
    for i, j in pairs:
        adj[i].add(j)
        adj[j].add(i)
    seen: set[int] = set()
    expected = []
    for start in range(n):
        if start in seen:
            continue
        stack, comp = [start], set()
        while stack:
            x = stack.pop()
            if x not in comp:
                comp.add(x)
                stack.extend(adj[x] - comp)
        seen |= comp
        expected.append(sorted(comp))
    assert components(n, pairs) == expected
