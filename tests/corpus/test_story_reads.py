"""Story listings that read only what they list: ``story_list(limit=N)`` and
``storyline stories --json --limit N`` read N stories and give the same records as the
first N of the whole listing."""

from __future__ import annotations

import json
from pathlib import Path

from storyline.cli import main
from storyline.corpus.persist import story_list
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
