"""Story clustering: the pure step (features, candidates, assignment) and the store side
(incremental placement, idempotence, resume, new versions, rebuild, records), the sample
corpus structure and the ECB+ quality floor."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

import storyline
from storyline.corpus import persist
from storyline.corpus.persist import rebuild_stories, story_list, story_of, update_stories
from storyline.corpus.stories import (
    DocFeatures,
    MemoryState,
    StorySettings,
    assign,
    assign_all,
    parse_date,
    text_features,
    time_factor,
)
from storyline.errors import StorylineError
from storyline.store import Store

REPO = Path(__file__).resolve().parents[2]
FLOORS = REPO / "tests" / "floors" / "stories.json"
ECB = REPO.parent / "shared" / "datasets" / "ecbplus"

# Three small storylines in made-up words of news (no model needed: the clean stage only).
ARTICLES = {
    "flood-1": ("2021-07-14", "River Meuse floods Liege as dams overflow",
                "The river Meuse burst its banks in Liege on Wednesday. Rescue boats evacuated residents of flooded "
                "streets near the dams, and firefighters pumped water from cellars across the valley of the Meuse."),
    "flood-2": ("2021-07-15", "Liege evacuates districts as Meuse floods worsen",
                "Authorities in Liege ordered the evacuation of riverside districts as the Meuse kept rising. "
                "Rescue boats and firefighters worked through the night while the dams overflowed into streets."),
    "flood-3": ("2021-09-02", "Liege counts the cost of the Meuse floods",
                "Two months after the Meuse floods, Liege residents are still cleaning cellars and streets. "
                "Insurers estimate the damage in the valley, and the city asks how the dams overflowed."),
    "mars-1": ("2021-02-18", "Perseverance rover lands in Jezero crater on Mars",
               "NASA's Perseverance rover touched down in Jezero crater on Mars after a seven minute descent. "
               "Engineers cheered as the rover sent its first images of the crater floor and the Martian sky."),
    "mars-2": ("2021-02-19", "Perseverance sends first colour images from Jezero crater",
               "The Perseverance rover sent colour images of Jezero crater, where engineers hope to find rocks "
               "from an ancient Martian lake. NASA said the rover and its helicopter were healthy after landing."),
    "chess-1": ("2021-12-10", "Carlsen keeps world chess title against Nepomniachtchi",
                "Magnus Carlsen defended his world chess championship in Dubai, beating Ian Nepomniachtchi in game "
                "eleven. The Norwegian grandmaster won the match with three games to spare."),
}


def _write(folder: Path, names: list[str], *, texts: dict[str, str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "news.jsonl"
    with path.open("w") as fh:
        for n in names:
            published, title, text = ARTICLES[n]
            text = (texts or {}).get(n, text)
            fh.write(json.dumps({"url": f"https://news.example/{n}", "title": title, "published": published,
                                 "text": text}) + "\n")
    return path


def _ingest(store: Store, path: Path) -> None:
    summary = storyline.ingest(store, [path], pipeline=storyline.Pipeline(["clean"]), progress=False)
    assert summary.rejected == 0, summary.rejections


def _placements(store: Store) -> dict[str, tuple[str, str]]:
    urls = {d.id: d.meta.url.rsplit("/", 1)[1] for d in store.iter_docs() if d.meta.url}
    return {urls[r[0]]: (r[1], r[2]) for r in store.conn.execute("SELECT doc_id, story_id, episode_id FROM story_docs")}


def _partition(p: dict[str, tuple[str, str]], level: int) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for name, ids in p.items():
        groups.setdefault(ids[level], set()).add(name)
    return {frozenset(g) for g in groups.values()}


ALL = ["flood-1", "mars-1", "flood-2", "chess-1", "mars-2", "flood-3"]
EXPECTED_STORIES = {frozenset({"flood-1", "flood-2", "flood-3"}), frozenset({"mars-1", "mars-2"}),
                    frozenset({"chess-1"})}


# ----------------------------------------------------------------------------- pure step


def test_dates_and_time_factor() -> None:
    assert parse_date("2017-03-09").slack == 0
    assert parse_date("2016-10").label == "2016-10" and parse_date("2017").label == "2017"
    assert parse_date("2016-W40") is None and parse_date(None) is None
    a, b = parse_date("2017-03-09"), parse_date("2017-03")
    assert time_factor(a, b, 21, 1.0) == 1.0  # the same month: may be the same day
    assert time_factor(parse_date("2015-11-15"), a, 21, 1.0) < 1e-6
    assert time_factor(None, a, 21, 0.7) == 0.7


def test_assignment_groups_stories_and_is_deterministic() -> None:
    feats = [text_features(n, ARTICLES[n][2], title=ARTICLES[n][1], published=ARTICLES[n][0]) for n in ALL]
    state, placed = assign_all(feats)
    again = assign_all(feats)[1]
    assert placed == again
    by_doc = {p.doc_id: p for p in placed}
    stories = {frozenset(d for d, p in by_doc.items() if p.story == s) for s in {p.story for p in placed}}
    assert stories == EXPECTED_STORIES
    # flood-3 comes seven weeks later: same story, its own episode
    assert by_doc["flood-1"].episode == by_doc["flood-2"].episode != by_doc["flood-3"].episode
    assert by_doc["flood-1"].story.startswith("s-") and by_doc["flood-1"].episode.startswith("e-")


class CountingState(MemoryState):
    def __init__(self) -> None:
        super().__init__()
        self.rows_read = 0

    def postings(self, key: str, limit: int) -> list[str]:
        got = super().postings(key, limit)
        self.rows_read += len(got)
        return got


def test_cost_per_added_document_is_bounded() -> None:
    """Candidates scored and index rows read do not grow with the corpus."""
    s = StorySettings(max_postings=20, max_candidates=10, index_terms=5)
    state = CountingState()
    for i in range(300):  # 300 documents all sharing two words, each with a rare one
        assign(DocFeatures(f"d{i:03}", {"w": {"common": 1.0, "shared": 1.0, f"rare{i}": 1.0}}), state, s)
    state.rows_read = 0
    placed = assign(DocFeatures("new", {"w": {"common": 1.0, "shared": 1.0, "fresh": 1.0}}), state, s)
    assert placed.candidates <= s.max_candidates
    assert state.rows_read <= s.index_terms * s.max_postings
    # a document sharing nothing with the corpus is scored against nobody
    alone = assign(DocFeatures("alone", {"w": {"zebra": 1.0, "quokka": 1.0}}), state, s)
    assert alone.candidates == 0 and alone.how == "new"


def test_features_round_trip() -> None:
    f = text_features("x", ARTICLES["mars-1"][2], title=ARTICLES["mars-1"][1], published="2021-02")
    assert DocFeatures.from_json("x", json.loads(json.dumps(f.to_json()))) == f


# ----------------------------------------------------------------------------- store


def test_incremental_add_keeps_earlier_placements(store: Store, tmp_path: Path) -> None:
    _ingest(store, _write(tmp_path / "a", ALL[:4]))
    before = _placements(store)
    _ingest(store, _write(tmp_path / "b", ALL[4:]))
    after = _placements(store)
    assert {k: after[k] for k in before} == before  # nobody already placed moved
    assert _partition(after, 0) == EXPECTED_STORIES
    assert after["mars-2"][0] == after["mars-1"][0]


def test_update_is_idempotent(store: Store, tmp_path: Path) -> None:
    _ingest(store, _write(tmp_path / "a", ALL))
    before = [s.to_record() for s in story_list(store)]
    assert update_stories(store) == 0
    _ingest(store, _write(tmp_path / "a", ALL))  # the same input again
    assert [s.to_record() for s in story_list(store)] == before


def test_killed_run_resumes(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "a", ALL)
    storyline.ingest(store, [path], pipeline=storyline.Pipeline(["clean"]), progress=False, corpus_steps=False)
    real, calls = persist._place, []

    def dies_in_second_batch(store_: Store, ids, settings, batch_size):  # type: ignore[no-untyped-def]
        calls.append(1)
        real(store_, ids[:2], settings, batch_size)
        raise KeyboardInterrupt

    monkeypatch.setattr(persist, "_place", dies_in_second_batch)
    with pytest.raises(KeyboardInterrupt):
        update_stories(store, batch_size=2)
    monkeypatch.setattr(persist, "_place", real)
    assert len(_placements(store)) == 2
    assert update_stories(store, batch_size=2) == 4
    with Store(tmp_path / "clean.db") as other:
        _ingest(other, path)
        assert _placements(store) == _placements(other)


def test_new_version_replaces_old_in_its_story(store: Store, tmp_path: Path) -> None:
    _ingest(store, _write(tmp_path / "a", ALL))
    old = {d.meta.url: d.id for d in store.iter_docs()}["https://news.example/flood-2"]
    changed = ARTICLES["flood-2"][2] + " The mayor of Liege visited the flooded districts on Thursday."
    _ingest(store, _write(tmp_path / "a", ALL, texts={"flood-2": changed}))
    new = {d.meta.url: d.id for d in store.iter_docs()}["https://news.example/flood-2"]
    assert new != old
    placed = {r[0] for r in store.conn.execute("SELECT doc_id FROM story_docs")}
    assert old not in placed and new in placed
    assert _partition(_placements(store), 0) == EXPECTED_STORIES
    df = dict(store.conn.execute("SELECT key, n FROM story_df").fetchall())
    assert max(df.values()) <= 6  # the old version's counts were taken back


def test_rebuild_is_order_independent(tmp_path: Path) -> None:
    results = []
    for k, order in enumerate((ALL, ALL[::-1])):
        with Store(tmp_path / f"{k}.db") as s:
            for i, name in enumerate(order):  # one document per ingest: arrival order matters
                _ingest(s, _write(tmp_path / f"{k}-{i}", [name]))
            assert rebuild_stories(s) == len(ALL)
            results.append([st.to_record() for st in story_list(s)])
    assert results[0] == results[1]


def test_story_records_and_lookup(store: Store, tmp_path: Path) -> None:
    _ingest(store, _write(tmp_path / "a", ALL))
    stories = story_list(store)
    assert [len(s.documents) for s in stories] == [3, 2, 1]
    rec = stories[0].to_record()
    assert set(rec) >= {"id", "title", "documents", "start", "end", "episodes"}
    assert rec["start"] == "2021-07-14" and rec["end"] == "2021-09-02"
    assert rec["title"] in {ARTICLES[n][1] for n in ("flood-1", "flood-2", "flood-3")}
    ep = rec["episodes"][0]
    assert set(ep) == {"id", "title", "documents", "start", "end"}
    assert sorted(d for e in rec["episodes"] for d in e["documents"]) == sorted(rec["documents"])
    json.dumps(rec)
    assert story_of(store, rec["id"]).to_record() == rec
    assert story_of(store, rec["id"][:8]).id == rec["id"]
    with pytest.raises(StorylineError, match="E407"):
        story_of(store, "s-000000000000")


# ----------------------------------------------------------------------------- sample corpus


def test_sample_corpus_is_one_story_with_episodes(sample_store: Store, sample_docs: dict[str, storyline.Doc]) -> None:
    ids = {k: d.id for k, d in sample_docs.items()}
    stories = story_list(sample_store)
    assert len(stories) == 1 and sorted(stories[0].documents) == sorted(ids.values())
    episode = {d: e.id for e in stories[0].episodes for d in e.documents}
    assert episode[ids["001"]] == episode[ids["004"]]  # 004 copies 001: one report
    march_2017 = {d for d, e in episode.items() if e == episode[ids["001"]]}
    assert ids["003"] not in march_2017  # the 2015 evacuation is another episode
    assert stories[0].start.startswith("2015") and stories[0].end == "2017-03-09"


# ----------------------------------------------------------------------------- quality floor


def test_ecbplus_story_clustering_above_floor() -> None:
    """Text-only features (no spaCy) on the reported topics, against tests/floors/stories.json."""
    floors = json.loads(FLOORS.read_text())
    if not (ECB / "ECB+").is_dir():
        pytest.skip(f"ECB+ not found at {ECB}")
    sys.path.insert(0, str(REPO / "bench"))
    import stories as bench  # bench/stories.py

    if bench.data_sha256(ECB) != floors["data_sha256"]:
        pytest.skip("ECB+ differs from the data the floors were measured on")
    t0 = time.perf_counter()
    texts = bench.ecb_texts(ECB)
    topics = bench.parse_range(floors["test_topics"])
    names = [n for n in sorted(texts) if int(n.split("_")[0]) in topics]
    feats = bench.text_only({n: texts[n] for n in names})
    stories, episodes, _ = bench.run_storyline(feats, names, StorySettings())
    from storyline.corpus.events import b_cubed

    story_f1 = 100 * b_cubed(bench.gold(names, "story"), stories)[2]
    episode_f1 = 100 * b_cubed(bench.gold(names, "episode"), episodes)[2]
    assert time.perf_counter() - t0 < 30
    assert story_f1 >= floors["floors"]["story_b3_f1"], (
        f"story B³ F1 fell to {story_f1:.1f}, below the floor in {FLOORS}; run `python bench/stories.py`")
    assert episode_f1 >= floors["floors"]["episode_b3_f1"], (
        f"episode B³ F1 fell to {episode_f1:.1f}, below the floor in {FLOORS}; run `python bench/stories.py`")
