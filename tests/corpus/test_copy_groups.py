"""Stored copy groups (:mod:`storyline.corpus.copy_groups`): kept by copy detection as
passages come and go, equal to the groups computed from every passage, read by a bounded
report for the independence API it would otherwise walk whole components for."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest

from storyline.corpus import copy_groups, scope
from storyline.corpus.persist import forget_documents, provenance_graph, update_reuse
from storyline.corpus.provenance import independence_groups
from storyline.report import build_report, render_json, story_fields
from storyline.report.reads import read_docs, story_graph
from storyline.runner import ingest
from storyline.store import Store

SEEDS = Path(__file__).resolve().parents[2] / "../shared/corpus/seeds"


@pytest.fixture()
def store_with_copies(tmp_path: Path) -> Store:
    """The sample corpus (004 pastes paragraphs of 001) and three rewrites reusing its
    paragraphs: 090 of 000 and 001, 091 of 000 and 002, 092 of 003, so one group joins 000,
    001, 002, 004, 090 and 091, and 090 and 091 are in it only through 000."""
    if not SEEDS.is_dir():
        pytest.skip("sample corpus not available")
    folder = tmp_path / "in"
    folder.mkdir()
    seeds = sorted(SEEDS.glob("0*.txt"))
    for f in seeds:
        (folder / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    paras = [[p for p in f.read_text(encoding="utf-8").split("\n\n") if p.strip()] for f in seeds]
    rng = random.Random(13)
    # 000's paragraphs split between 090 and 091: they share nothing but their source
    for k, taken in enumerate([paras[0][0::2] + paras[1], paras[0][1::2] + paras[2], paras[3]]):
        rng.shuffle(taken)
        lede = f"Desk number {k} compiled this account from earlier wire reports on day {k + 2} of the month."
        (folder / f"09{k}_rewrite.txt").write_text("\n\n".join([lede, *taken]), encoding="utf-8")
    store = Store(tmp_path / "s.db")
    ingest(store, [folder], progress=False)
    return store


def _name(store: Store, doc_id: str) -> str:
    return Path(store.conn.execute("SELECT source_path FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]).name.split("_")[0]


def _named(store: Store) -> dict[str, set[str]]:
    by: dict[str, set[str]] = {}
    for d, g in copy_groups.stored(store).items():
        by.setdefault(_name(store, g), set()).add(_name(store, d))
    return by


def test_groups_are_kept_as_passages_arrive_and_leave(store_with_copies: Store) -> None:
    s = store_with_copies
    assert copy_groups.stored(s) == copy_groups.computed(s)
    groups = sorted(map(sorted, _named(s).values()))
    assert ["000", "001", "002", "004", "090", "091"] in groups and ["003", "092"] in groups
    ids = {_name(s, d.id): d.id for d in s.iter_docs(status=["ok"])}
    # the documents of each stored group share its smallest id, which the whole graph names
    whole = independence_groups(provenance_graph(s))
    assert {d: "group:" + g for d, g in copy_groups.stored(s).items()} == {
        d: g for d, g in whole.items() if d in copy_groups.stored(s)}

    # 000 re-analysed (its passages forgotten): the five-document group splits in two
    with s.transaction():
        forget_documents(s, [ids["000"]])
    assert copy_groups.stored(s) == copy_groups.computed(s)
    assert sorted(map(sorted, _named(s).values())) == [["001", "004", "090"], ["002", "091"], ["003", "092"]]
    # copy detection takes it in again: the groups join again, without a walk
    update_reuse(s)
    assert copy_groups.stored(s) == copy_groups.computed(s)
    assert sorted(map(sorted, _named(s).values())) == groups


def test_readers_agree_with_or_without_the_stored_groups(store_with_copies: Store) -> None:
    s = store_with_copies
    ids = [d.id for d in s.iter_docs(status=["ok"])]
    held = copy_groups.groups_of(s, ids)
    members = copy_groups.members(s, ids[:1])
    graph, rows = scope.scoped_rows(s, ids[:1])  # the claim and event steps' scope reads
    assert scope.copy_group(s, ids[:1]) == members and len(members) > 1 and rows
    with s.transaction():  # a store migrated to 13 and not analysed since: groups not built
        s.conn.execute("UPDATE copy_groups_state SET built = 0")
        s.conn.execute("DELETE FROM copy_groups")
    assert copy_groups.groups_of(s, ids) == held  # walked instead, the same answer
    assert copy_groups.members(s, ids[:1]) == members
    assert copy_groups.group_members(s, ids[:1]) == {held[ids[0]]: members}
    walked_graph, walked_rows = scope.scoped_rows(s, ids[:1])
    assert walked_rows == rows and sorted(walked_graph.edges(keys=True, data=True)) == sorted(
        graph.edges(keys=True, data=True))
    with s.transaction():
        copy_groups.join(s, [(ids[0], ids[-1])])  # not built: left for the next run to build
    assert copy_groups.stored(s) == {}
    update_reuse(s)  # the next copy-detection run builds them
    assert copy_groups.stored(s) == copy_groups.computed(s) == held


def test_the_event_steps_pairs_read_equals_pairing_every_passage(store_with_copies: Store) -> None:
    """The event step's graph reads each copy group's copying pairs aggregated in SQLite
    (``scope._read_pairs``): the same pairs, directions and order as pairing every passage,
    so the same copy edges in the same order; a superseded document's pairs left out."""
    s = store_with_copies
    ids = {d.id for d in s.iter_docs(status=["ok"])}
    rows, pairs = scope._read_groups(s, ids), scope._read_pairs(s, ids)
    assert [g.members for g in rows] == [g.members for g in pairs]
    assert [list(g.pairs().items()) for g in rows] == [list(g.pairs().items()) for g in pairs]
    assert sum(len(g.pairs()) for g in pairs) > 3
    assert {d for g in pairs for d in g.pairs().values()} == {"source_to_copy", "unknown"}
    with pytest.raises(ValueError):
        pairs[0].order()
    edges = list(scope.scoped_graph(s, ids).edges(keys=True, data=True))  # pairs only
    assert edges == list(scope.scoped_rows(s, ids)[0].edges(keys=True, data=True))  # every passage
    some = next(d for g in pairs for pair in g.pairs() for d in pair)
    other = next(d for d in sorted(ids) if d != some)
    with s.transaction():  # a version superseded, its passages not forgotten yet
        s.conn.execute("UPDATE documents SET superseded_by = ? WHERE id = ?", (other, some))
    rows, pairs = scope._read_groups(s, ids), scope._read_pairs(s, ids)
    assert [list(g.pairs().items()) for g in rows] == [list(g.pairs().items()) for g in pairs]
    assert all(some not in pair for g in pairs for pair in g.pairs())


def test_parts_follow_the_copy_groups(store_with_copies: Store) -> None:
    s = store_with_copies
    ids = sorted(d.id for d in s.iter_docs(status=["ok"]))
    group = copy_groups.groups_of(s, ids)
    size = {g: list(group.values()).count(g) for g in group.values()}  # 6 and 2 documents
    each = "SELECT value AS unit, value AS doc_id FROM json_each(?)"  # a unit per document
    assert scope.parts_by_group(s, ids, each, limit=100) == [sorted(ids, key=lambda d: (group.get(d, d), d))]
    for limit in (1, 2, 6, 7, 8):
        parts = scope.parts_by_group(s, ids, each, limit=limit)
        assert sorted(d for p in parts for d in p) == ids
        for p in parts:  # a part's groups hold at most limit documents, or are its first unit's
            reach = {group.get(d, d) for d in p}
            assert sum(size.get(x, 1) for x in reach) <= limit or reach == {group.get(p[0], p[0])}
        # the documents of a group come together: their group is read by one part
        assert all(len({i for i, p in enumerate(parts) for d in p if group.get(d) == g}) == 1 for g in size)


def test_batches_take_a_copy_group_together(store_with_copies: Store) -> None:
    s = store_with_copies
    arrived = [r[0] for r in s.conn.execute("SELECT id FROM documents ORDER BY rowid")]
    group = copy_groups.groups_of(s, arrived)
    assert len(set(group.values())) == 2  # a group of 6 and one of 2 among 8 documents
    for size in (1, 2, 3, 8, 64):
        batches = scope.batches_by_group(s, arrived, size)
        order = [d for b in batches for d in b]
        assert sorted(order) == sorted(arrived)
        assert all(len(b) == size for b in batches[:-1]) and 0 < len(batches[-1]) <= size
        # a group's documents are consecutive, from where its first one arrived, in arrival order
        for g in set(group.values()):
            at = [i for i, d in enumerate(order) if group.get(d) == g]
            assert at == list(range(at[0], at[0] + len(at)))
            assert [order[i] for i in at] == [d for d in arrived if group.get(d) == g]
            assert order.index(min((d for d in arrived if group.get(d) == g), key=arrived.index)) == at[0]
        # what belongs to no group keeps its arrival order
        alone = [d for d in arrived if d not in group]
        assert [d for d in order if d not in group] == alone


def _json(report: Any) -> str:
    return re.sub(r'"generated_at": "[^"]*"', "", render_json(report))


@pytest.mark.parametrize("subset", [("090",), ("090", "002"), ("091", "092", "001"), ("003",)])
def test_a_bounded_report_counts_sources_over_whole_groups(store_with_copies: Store, subset: tuple[str, ...]) -> None:
    s = store_with_copies
    ids = {_name(s, d.id): d.id for d in s.iter_docs(status=["ok"])}
    chosen = [ids[k] for k in subset]
    docs = read_docs(s, chosen)
    graph = story_graph(s, docs, bounded=True)
    # copy edges only among the documents read, their groups those of the whole graph
    assert all(u.removeprefix("doc:") in chosen and v.removeprefix("doc:") in chosen
               for u, v, k in graph.edges(keys=True) if k == "copies")
    whole = independence_groups(provenance_graph(s))
    assert independence_groups(graph) == {d: whole[d] for d in chosen}
    full, bounded = build_report(s, chosen), build_report(s, chosen, bounded=True)
    story = ("summary", "events", "claims")
    assert {k: bounded.to_record()["story"][k] for k in story} == {k: full.to_record()["story"][k] for k in story}
    assert story_fields(s, chosen) == {k: full.to_record()["story"][k] for k in story}
    if len(subset) == 1:  # nothing among one document: no copy relation shown
        assert not [e for e in bounded.to_record()["provenance"]["edges"] if e["relation"] == "copies"]
    assert _json(full) == _json(build_report(s, chosen))  # an unbounded report is what it was
