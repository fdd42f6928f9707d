"""Story clustering: the pure step (features, candidates, assignment) and the store side
(incremental placement, idempotence, resume, new versions, rebuild, records), the sample
corpus structure and the ECB+ quality floor."""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path
from typing import Any

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
    decide,
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
    day, month, year = parse_date("2017-03-09"), parse_date("2016-10"), parse_date("2017")
    assert day is not None and day.slack == 0
    assert month is not None and month.label == "2016-10" and year is not None and year.label == "2017"
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

    def dies_in_second_batch(store_: Store, ids, settings, batch_size, *reader):  # type: ignore[no-untyped-def]
        calls.append(1)
        real(store_, ids[:2], settings, batch_size, *reader)
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
    assert (stories[0].start or "").startswith("2015") and stories[0].end == "2017-03-09"


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
    texts = bench.ecb_texts(ECB)
    topics = bench.parse_range(floors["test_topics"])
    names = [n for n in sorted(texts) if int(n.split("_")[0]) in topics]
    feats = bench.text_only({n: texts[n] for n in names})
    stories, episodes, _ = bench.run_storyline(feats, names, StorySettings())
    from storyline.corpus.coref_metrics import b_cubed

    story_f1 = 100 * b_cubed(bench.gold(names, "story"), stories)[2]
    episode_f1 = 100 * b_cubed(bench.gold(names, "episode"), episodes)[2]
    assert story_f1 >= floors["floors"]["story_b3_f1"], (
        f"story B³ F1 fell to {story_f1:.1f}, below the floor in {FLOORS}; run `python bench/stories.py`")
    assert episode_f1 >= floors["floors"]["episode_b3_f1"], (
        f"episode B³ F1 fell to {episode_f1:.1f}, below the floor in {FLOORS}; run `python bench/stories.py`")


# ----------------------------------------------------------------------------- episodes on one topic (issue 16)

STREAM_FLOORS = json.loads(FLOORS.read_text()).get("stream", {})


def _f(doc_id: str, words: dict[str, float], published: str | None = None, towns: tuple[str, ...] = (),
       event_date: str | None = None) -> DocFeatures:
    channels: dict[str, dict[str, float]] = {"w": words}
    if towns:
        channels["f"] = {t: 1.0 for t in towns}
        channels["p"] = {t: 1.0 for t in towns}
    return DocFeatures(doc_id, channels, parse_date(published), None, parse_date(event_date))


CONVOY = {"isis": 1.0, "convoy": 1.0, "buses": 1.0, "deal": 1.0, "fighters": 1.0, "evacuated": 1.0}


def test_episode_is_bounded_in_time_through_undated_reports() -> None:
    """Two evacuation deals months apart (Tabqa, May 2017; Raqqa, October 2017) in the same words:
    one story, two episodes — and an undated report cannot bridge them (complete link on dates)."""
    s = StorySettings()
    feats = [
        _f("tabqa-1", CONVOY | {"tabqa": 1.0}, "2017-05-11"),
        _f("tabqa-2", CONVOY | {"tabqa": 1.0}, "2017-05-12"),
        _f("undated", CONVOY),
        _f("raqqa-1", CONVOY | {"raqqa": 1.0}, "2017-10-14"),
        _f("raqqa-2", CONVOY | {"raqqa": 1.0}, "2017-10-15"),
    ]
    _, placed = assign_all(feats, MemoryState(), s)
    by = {p.doc_id: p for p in placed}
    assert len({p.story for p in placed}) == 1
    assert by["tabqa-1"].episode == by["tabqa-2"].episode
    assert by["raqqa-1"].episode == by["raqqa-2"].episode
    assert by["tabqa-1"].episode != by["raqqa-1"].episode


def test_place_and_days_confirm_an_episode_on_weak_text() -> None:
    """Two reports naming the same town days apart join one episode on less shared wording
    than ``episode_threshold`` asks (the confirmed threshold); the same report seven weeks
    later, beyond ``episode_max_days``, only joins the story."""
    s = StorySettings()
    base = {w: 1.0 for w in ("fighters", "city", "forces", "syria", "tabqa")}

    def report(doc_id: str, own: str, published: str) -> DocFeatures:
        return _f(doc_id, base | {f"{own}{i}": 1.0 for i in range(40)}, published, ("geonames:172374",))

    st = MemoryState()
    first = assign(report("a", "a", "2017-05-11"), st, s)
    days_later = assign(report("b", "b", "2017-05-12"), st, s)
    assert s.confirmed_threshold <= days_later.score < s.episode_threshold
    assert days_later.how == "episode" and days_later.episode == first.episode
    st = MemoryState()
    assign(report("a", "a", "2017-05-11"), st, s)
    weeks_later = assign(report("c", "b", "2017-06-30"), st, s)
    assert weeks_later.how == "story" and weeks_later.episode != first.episode


def test_event_date_dates_an_undated_report_for_episodes_only() -> None:
    f = _f("x", CONVOY, None, event_date="2017-10-14")
    assert f.date is None and f.episode_date == parse_date("2017-10-14")
    assert DocFeatures.from_json("x", json.loads(json.dumps(f.to_json()))) == f


def _stream_scores(make: Any) -> dict[str, tuple[float, float, float, int]]:
    sys.path.insert(0, str(REPO / "bench"))
    import episodes as bench  # bench/episodes.py

    rows = bench.load_stream()
    return bench.stream_scores(rows, make(rows))


def test_stream_fixture_is_labelled_real_reports() -> None:
    rows = [json.loads(line) for line in (REPO / "tests/fixtures/stream/syria_2016_2017.jsonl").read_text().splitlines()]
    assert len(rows) >= 40 and len({r["event"] for r in rows}) >= 8
    assert all(r["url"].startswith("http") and r["text"] and r["event"] for r in rows)


def test_stream_episodes_text_only_above_floor() -> None:
    """Single-topic stream, content words only (fast): episode pair F1 per part >= floors."""
    sys.path.insert(0, str(REPO / "bench"))
    import episodes as bench

    got = _stream_scores(bench.text_only)
    for part, floor in STREAM_FLOORS["floors_text_only"].items():
        assert got[part][2] >= floor, f"{part}: stream episode pair F1 {got[part][2]:.3f} < floor {floor}"


@pytest.mark.slow
def test_stream_episodes_full_pipeline_above_floor() -> None:
    """The issue's goal: episodes separate the distinct events of one conflict (pair F1 >= 0.8),
    with every layer (places, events, dates) feeding them."""
    sys.path.insert(0, str(REPO / "bench"))
    import episodes as bench

    got = _stream_scores(bench.full)
    for part, floor in STREAM_FLOORS["floors"].items():
        assert got[part][2] >= floor, f"{part}: stream episode pair F1 {got[part][2]:.3f} < floor {floor}"


# ----------------------------------------------------------------------------- unrelated articles (issue 16)

EXAMPLES = REPO / "tests" / "fixtures" / "mixed" / "issue_examples.jsonl"


def test_unrelated_articles_of_the_same_days_do_not_share_a_story() -> None:
    """The issue's pairs: Disney+ launch glitches / Black Friday game deals, the Browns–Steelers
    brawl / an NHL round-up, South Dakota's anti-meth campaign / an opinion piece on Trump — all
    given the same publication day here, so only the text can keep them apart; reports of one
    story still join."""
    rows = [json.loads(line) for line in EXAMPLES.read_text().splitlines()]
    feats = [text_features(r["url"], r["text"], title=r["title"], published="2019-11-15") for r in rows]
    _, placed = assign_all(feats)
    story = {r["url"]: p.story for r, p in zip(rows, placed, strict=True)}
    topic = {r["url"]: r["topic"] for r in rows}
    for a, b in itertools.combinations(story, 2):
        assert (story[a] == story[b]) == (topic[a] == topic[b]), (topic[a], topic[b])


MIXED = REPO.parent / "shared" / "datasets" / "article-extraction" / "ground-truth.json"


def _mixed_rate(make: Any) -> tuple[int, int]:
    sys.path.insert(0, str(REPO / "bench"))
    import episodes as bench

    if not MIXED.is_file():
        pytest.skip(f"mixed folder data not found at {MIXED}")
    stories, _ = bench.cluster(make(bench.load_mixed()))
    total, bad = bench.unrelated_pairs(stories, json.loads((REPO / "tests/fixtures/mixed/related.json").read_text()))
    return total, len(bad)


def test_mixed_folder_unrelated_pairs_text_only_within_floor() -> None:
    floors = json.loads(FLOORS.read_text())["mixed"]
    sys.path.insert(0, str(REPO / "bench"))
    import episodes as bench

    total, bad = _mixed_rate(bench.text_only)
    assert total - bad >= floors["min_related_pairs_text_only"]  # stories still form
    assert bad / total <= floors["max_unrelated_share_text_only"], f"{bad}/{total} story pairs unrelated"


@pytest.mark.slow
def test_mixed_folder_unrelated_pairs_full_pipeline_within_floor() -> None:
    """Full features on the 181 pages. The issue's goal (<= 2 %) is not met; the floor keeps
    what was reached from slipping back (0.1 threshold: 86 % unrelated)."""
    floors = json.loads(FLOORS.read_text())["mixed"]
    sys.path.insert(0, str(REPO / "bench"))
    import episodes as bench

    total, bad = _mixed_rate(bench.full)
    assert total - bad >= floors["min_related_pairs"]
    assert bad / total <= floors["max_unrelated_share"], f"{bad}/{total} story pairs unrelated"


def _weak_pair(ents: tuple[dict[str, float], dict[str, float]] = ({}, {})) -> tuple[DocFeatures, DocFeatures]:
    # Two pages of one broad subject (space) about different news: lunar landers, water on Europa.
    common = {"nasa": 1.0, "moon": 1.0, "spacecraft": 1.0}
    a_words = common | {w: 1.0 for w in ("lander", "contract", "artemis", "payload", "company", "bezos")}
    b_words = common | {w: 1.0 for w in ("europa", "plume", "vapor", "jupiter", "telescope", "keck")}
    a = DocFeatures("lander", {"w": a_words, **({"e": ents[0]} if ents[0] else {})})
    b = DocFeatures("europa", {"w": b_words, **({"e": ents[1]} if ents[1] else {})})
    return a, b


def test_story_join_on_one_weak_link_is_refused() -> None:
    """Mixed folder (issue 16): NASA's lunar landers and water on Europa shared a story through
    one weak pair, and the space pages chained into one story. A story join that rests on one
    member needs ``single_link_threshold`` (or shared entities, or a town in common: see
    ``test_place_and_days_confirm_an_episode_on_weak_text``); two members at ``story_threshold``
    are agreement with the story, not a chain."""
    a, b = _weak_pair()
    st = MemoryState()
    assign(a, st)
    score = decide(b, st, StorySettings(episode_threshold=0.9, single_link_threshold=0.0)).placement.score
    assert 0.05 < score < 0.5
    s = StorySettings(story_threshold=score - 0.02, single_link_threshold=score + 0.02, episode_threshold=0.9)
    refused = assign(b, st, s)
    assert refused.how == "new"
    st = MemoryState()
    assign(a, st, s)
    assert assign(b, st, StorySettings(story_threshold=score - 0.02, single_link_threshold=score - 0.01,
                                       episode_threshold=0.9)).how == "story"
    # Two named actors in common are a second kind of evidence: the weak text link holds.
    shared = {"org:nasa": 1.0, "person:jim-bridenstine": 1.0}
    a, b = _weak_pair(ents=(shared | {"org:blue-origin": 1.0}, shared | {"org:keck": 1.0}))
    st = MemoryState()
    assign(a, st, s)
    assert assign(b, st, s).how == "story"
    # Two members at story_threshold: the story agrees, the join holds.
    a, b = _weak_pair()
    a2 = DocFeatures("lander-2", {"w": dict(a.channels["w"])})
    st = MemoryState()
    for f in (a, a2):
        assign(f, st, StorySettings())
    score = decide(b, st, StorySettings(episode_threshold=0.9, single_link_threshold=0.0)).placement.score
    s = StorySettings(story_threshold=score - 0.02, single_link_threshold=score + 0.02, episode_threshold=0.9)
    assert assign(b, st, s).how == "story"
