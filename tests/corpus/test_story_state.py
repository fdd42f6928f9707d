"""The story step's store side reads little and the same: :class:`SqliteStoryState` remembers
what it read within a batch (document frequencies kept current by its own adds) and places
documents exactly as a state that reads everything again; story features need only
:data:`~storyline.corpus.stories.FEATURE_SLOTS` decoded; the next seq of placements and
contradictions is an index look-up (migration 8), not a scan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import storyline
from storyline.corpus import persist
from storyline.corpus.persist import SqliteStoryState, update_stories
from storyline.corpus.stories import FEATURE_SLOTS, StorySettings, assign, doc_features
from storyline.store import Store

WORDS = ("river flood dam rescue boat rover crater mars chess title match grandmaster storm wind"
         " coast harbour vote election minister budget strike union court judge trial").split()


def _write(folder: Path, n: int) -> Path:
    """``n`` short reports on five subjects, each of its own words (deterministic)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "news.jsonl"
    with path.open("w") as fh:
        for i in range(n):
            topic = WORDS[(i % 5) * 5 : (i % 5) * 5 + 5]
            text = " ".join(f"{topic[(i * 7 + j) % 5]} {topic[(i + 3 * j) % 5]}." for j in range(30))
            fh.write(json.dumps({"url": f"https://news.example/{i}", "title": f"{topic[0]} report {i}",
                                 "published": f"2021-03-{1 + i % 28:02d}", "text": text}) + "\n")
    return path


def _rows(store: Store) -> list[tuple[object, ...]]:
    return [tuple(r) for r in store.conn.execute(
        "SELECT doc_id, story_id, episode_id, score, how, seq, features FROM story_docs ORDER BY seq")]


def test_remembering_state_places_as_one_that_rereads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "in", 40)
    got = {}
    for cache in (50_000, 0):  # 0: every read goes to the tables again
        monkeypatch.setattr(SqliteStoryState, "_KEYS", cache)
        monkeypatch.setattr(SqliteStoryState, "_DOCS", cache)
        with Store(tmp_path / f"s{cache}.db") as s:
            storyline.ingest(s, [path], pipeline=storyline.Pipeline(["clean"]), progress=False, corpus_steps=False)
            assert update_stories(s, batch_size=16) == 40
            got[cache] = _rows(s)
    assert got[50_000] == got[0]
    assert len({r[1] for r in got[0]}) > 1  # several stories: the comparison has something to compare


def test_remembered_frequencies_follow_the_adds(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as s:
        storyline.ingest(s, [_write(tmp_path / "in", 12)], pipeline=storyline.Pipeline(["clean"]),
                         progress=False, corpus_steps=False)
        settings = StorySettings()
        feats = [doc_features(d, settings) for d in s.iter_docs(status=["ok"])]
        keys = sorted({k for f in feats for k in f.keys()})
        with s.transaction():
            state = SqliteStoryState(s)
            assert set(state.doc_freq(keys).values()) == {0}  # read (and remembered) before any add
            for f in feats:
                assign(f, state, settings)
            remembered = state.doc_freq(keys)
            features = state.features([f.doc_id for f in feats])
        fresh = SqliteStoryState(s)
        assert remembered == fresh.doc_freq(keys) and max(remembered.values()) > 1
        assert features == fresh.features([f.doc_id for f in feats])


def test_feature_slots_are_all_story_features_read(sample_store: Store) -> None:
    settings = StorySettings()
    for d in sample_store.iter_docs(status=["ok"]):
        part = sample_store.get(d.id, with_raw=False, slots=FEATURE_SLOTS)
        assert not part.attributions  # the other layers are left undecoded
        assert doc_features(part, settings) == doc_features(sample_store.get(d.id), settings)


@pytest.mark.parametrize("table", ["contradictions", "story_docs"])
def test_next_seq_is_an_index_lookup(store: Store, table: str) -> None:
    plan = " ".join(str(tuple(r)) for r in store.conn.execute(
        f"EXPLAIN QUERY PLAN SELECT coalesce(max(seq), 0) FROM {table}"))
    assert f"{table}_seq" in plan, plan


def test_place_decodes_only_the_feature_slots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store(tmp_path / "s.db") as s:
        storyline.ingest(s, [_write(tmp_path / "in", 3)], pipeline=storyline.Pipeline(["clean"]),
                         progress=False, corpus_steps=False)
        asked = []
        real = persist.story_features

        def story_features(rows: persist.StoryRows, settings: StorySettings) -> object:
            asked.append({slot for slot, _ in rows[2]} <= set(FEATURE_SLOTS))
            return real(rows, settings)

        monkeypatch.setattr(persist, "story_features", story_features)
        assert persist.update_stories(s) == 3
    # only those layers read (tests/corpus/test_ray_steps.py: on a store holding every layer)
    assert asked == [True] * 3
