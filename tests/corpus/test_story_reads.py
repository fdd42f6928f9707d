"""Story listings that read only what they list: ``story_list(limit=N)`` and
``storyline stories --json --limit N`` read N stories and give the same records as the
first N of the whole listing; the stories step stores each story's record (migration 10), reads
take it as stored, and a story whose members changed since is built from its members as before."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from storyline.cli import main
from storyline.corpus import persist
from storyline.corpus.persist import forget_story_documents, story_list, story_of, update_stories
from storyline.corpus.stories import Story
from storyline.store import Store

from .test_stories import ALL, _ingest, _write


def test_limit_reads_the_first_stories_of_the_listing(store: Store, tmp_path: Path) -> None:
    _ingest(store, _write(tmp_path / "a", ALL))
    everything = [s.to_record() for s in story_list(store)]
    assert [len(s["documents"]) for s in everything] == [3, 2, 1]
    for n in range(5):
        assert [s.to_record() for s in story_list(store, limit=n)] == everything[:n]


def test_stories_json_limit_equals_the_head_of_the_full_listing(tmp_path: Path, capsys: object) -> None:
    db = tmp_path / "s.db"
    with Store(db) as store:
        _ingest(store, _write(tmp_path / "a", ALL))
    out = tmp_path / "all.jsonl"
    head = tmp_path / "head.jsonl"
    assert main(["stories", "--db", str(db), "--json", "--out", str(out)]) == 0
    assert main(["stories", "--db", str(db), "--json", "--limit", "2", "--out", str(head)]) == 0
    full = [json.loads(line) for line in out.read_text().splitlines()]
    first = [json.loads(line) for line in head.read_text().splitlines()]
    assert len(full) == 3 and first == full[:2]
    assert all({"summary", "events", "claims", "episodes"} <= set(r) for r in full)


def _built(store: Store) -> list[dict[str, object]]:
    """Every story built from its members' features, as reads did before records were stored."""
    ids = [fp[0] for fp in persist._fingerprints(store)]
    got = persist._build_stories(store, persist.story_settings(), ids)
    return [s.to_record() for s in sorted(got, key=lambda s: (-len(s.documents), s.id))]


def _records(store: Store) -> dict[str, dict[str, object]]:
    return {r[0]: json.loads(r[1]) for r in store.conn.execute("SELECT story_id, record FROM story_records")}


def _no_building(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(store: Store, settings: object, story_ids: list[str]) -> list[Story]:
        assert not story_ids, f"built on read: {story_ids}"
        return []

    monkeypatch.setattr(persist, "_build_stories", refuse)


def test_the_stories_step_stores_the_records_reads_return(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ingest(store, _write(tmp_path / "a", ALL))
    built = _built(store)
    assert {r["id"]: r for r in built} == _records(store)
    _no_building(monkeypatch)  # reads decode no member features and weigh nothing
    assert [s.to_record() for s in story_list(store)] == built
    assert [s.to_record() for s in story_list(store, limit=2)] == built[:2]
    assert story_of(store, str(built[0]["id"])).to_record() == built[0]


def test_a_store_without_records_reads_the_same_and_is_filled_by_the_step(store: Store, tmp_path: Path) -> None:
    _ingest(store, _write(tmp_path / "a", ALL))
    stored = [s.to_record() for s in story_list(store)]
    dates = store.conn.execute("SELECT doc_id, day, slack FROM story_docs ORDER BY doc_id").fetchall()
    assert all(r[2] is not None for r in dates)
    with store.transaction():  # as a store of an older version
        store.conn.execute("DELETE FROM story_records")
        store.conn.execute("UPDATE story_docs SET day = NULL, slack = NULL")
    assert [s.to_record() for s in story_list(store)] == stored
    assert update_stories(store) == 0
    assert _records(store) == {r["id"]: r for r in stored}
    assert store.conn.execute("SELECT doc_id, day, slack FROM story_docs ORDER BY doc_id").fetchall() == dates


def test_a_story_that_changed_is_built_again(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _ingest(store, _write(tmp_path / "a", ["flood-1", "flood-2", "mars-1"]))
    _ingest(store, _write(tmp_path / "b", ["flood-3", "mars-2", "chess-1"]))  # joins the stored stories
    assert _records(store) == {r["id"]: r for r in _built(store)}
    # the last placement taken out and made again takes the same seq: its story is rebuilt all the same
    last = store.conn.execute("SELECT doc_id, story_id FROM story_docs s WHERE (SELECT count(*) FROM story_docs o"
                              " WHERE o.story_id = s.story_id) > 1 ORDER BY seq DESC LIMIT 1").fetchone()
    with store.transaction():
        forget_story_documents(store, [last[0]])
    assert store.conn.execute("SELECT dirty FROM story_records WHERE story_id = ?", (last[1],)).fetchone()[0] == 1
    # read from its members meanwhile (the others keep the titles weighed when they last changed)
    assert story_of(store, last[1]).to_record() == next(r for r in _built(store) if r["id"] == last[1])
    assert update_stories(store) == 1
    assert _records(store) == {r["id"]: r for r in _built(store)}


def test_a_story_that_grew_little_keeps_its_title_and_gets_exact_lists(store: Store, tmp_path: Path) -> None:
    _ingest(store, _write(tmp_path / "a", ["flood-1", "flood-2", "mars-1"]))
    flood = story_list(store, limit=1)[0]
    record = flood.to_record()
    record["title"] = "the title chosen earlier"
    with store.transaction():  # as if the story had 40 members when its title was chosen
        store.conn.execute("UPDATE story_records SET title_n = 40, record = ? WHERE story_id = ?",
                           (json.dumps(record), flood.id))
    _ingest(store, _write(tmp_path / "b", ["flood-3", "mars-2", "chess-1"]))
    now = story_of(store, flood.id).to_record()
    built: dict[str, Any] = next(r for r in _built(store) if r["id"] == flood.id)
    assert len(now["documents"]) == 3 and now["title"] == "the title chosen earlier"

    def untitled(r: dict[str, Any]) -> dict[str, Any]:
        return {**r, "title": None, "episodes": [{**e, "title": None} for e in r["episodes"]]}

    assert untitled(now) == untitled(built)  # members, spans and episodes exact
    old_episodes = {e["id"] for e in record["episodes"]}  # the new episode's title is chosen now
    assert [e for e in now["episodes"] if e["id"] not in old_episodes] == [
        e for e in built["episodes"] if e["id"] not in old_episodes]
    assert store.conn.execute("SELECT title_n FROM story_records WHERE story_id = ?", (flood.id,)).fetchone()[0] == 40


def test_a_member_no_longer_current_leaves_the_read_before_the_step_runs(store: Store, tmp_path: Path) -> None:
    _ingest(store, _write(tmp_path / "a", ALL))
    big = story_list(store, limit=1)[0]
    gone = big.documents[-1]
    with store.transaction():
        store.conn.execute("UPDATE documents SET status = 'rejected' WHERE id = ?", (gone,))
    now = story_of(store, big.id)
    assert gone not in now.documents and len(now.documents) == len(big.documents) - 1
    assert now.to_record() == next(r for r in _built(store) if r["id"] == big.id)


def test_the_first_stories_are_found_from_the_records_and_stay_right_when_members_leave(
    store: Store, tmp_path: Path
) -> None:
    _ingest(store, _write(tmp_path / "a", ALL))
    assert persist._first_stories(store, 10) == persist._fingerprints(store)
    for n in range(4):
        assert persist._first_stories(store, n) == persist._fingerprints(store, limit=n)
    big = story_list(store, limit=1)[0]
    with store.transaction():  # two members leave the largest story before the stories step runs
        store.conn.executemany("UPDATE documents SET status = 'rejected' WHERE id = ?",
                               [(d,) for d in big.documents[:2]])
    for n in range(4):
        assert persist._first_stories(store, n) == persist._fingerprints(store, limit=n)
    assert persist._first_stories(store, 2, unsure_max=0) == persist._fingerprints(store, limit=2)
    listed = story_list(store, limit=3)
    assert [s.id for s in listed] == [fp[0] for fp in persist._fingerprints(store)]
    assert [len(s.documents) for s in listed if s.id == big.id] == [1]
