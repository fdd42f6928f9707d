"""Stored, incremental event groups (corpus/event_store.py) equal the whole-corpus run.

The contract: for a store filled in any number of batches, with documents replaced or taken
out, ``stored_events(store)`` is ``build_events`` over every current document, record for
record. Corpora: the sample (one document per ingest batch vs all at once) and the real
single-topic stream (``tests/fixtures/stream``: 59 reports of the Syrian war, 2016–2017).
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import storyline
from storyline.corpus import event_store
from storyline.corpus.event_store import EventStats, candidates, rebuild_events, stored_events, update_events
from storyline.corpus.events import (
    Event,
    EventInput,
    PlaceRef,
    QuantityRef,
    _compatible_pairs,
    _possible_pairs,
    build_events,
    from_doc,
    type_family,
)
from storyline.corpus.persist import provenance_graph, update_reuse
from storyline.store import Store
from storyline.store.schema import LATEST
from storyline.types import Span

from .conftest import back_to_schema

REPO = Path(__file__).resolve().parents[2]
STREAM = REPO / "tests" / "fixtures" / "stream" / "syria_2016_2017.jsonl"


def _from_scratch(store: Store, **kw: Any) -> list[dict[str, Any]]:
    docs = list(store.iter_docs(status=["ok"]))
    events = build_events([e for d in docs for e in from_doc(d)], provenance_graph(store, docs),
                          doc_texts={d.id: d.text or "" for d in docs}, **kw)
    return [e.to_record() for e in events]


def _stored(store: Store, doc_ids: Any = None) -> list[dict[str, Any]]:
    return [e.to_record() for e in stored_events(store, doc_ids)]


# --------------------------------------------------------------------------- the sample, batch by batch


def test_sample_one_document_per_batch_equals_all_at_once(tmp_path: Path, sample_dir: Path,
                                                          sample_store: Store) -> None:
    sidecar = (sample_dir / "sources.jsonl").read_text()
    with Store(tmp_path / "one.db") as s:
        for f in sorted(sample_dir.glob("*.txt")):
            d = tmp_path / f.stem
            d.mkdir()
            shutil.copy(f, d / f.name)
            (d / "sources.jsonl").write_text(sidecar)
            storyline.ingest(s, [d], progress=False)
            assert _stored(s) == _from_scratch(s)
        one = _stored(s)
    everything = _stored(sample_store)
    assert one == everything == _from_scratch(sample_store)
    assert len(everything) >= 20 and any(len(e["documents"]) > 1 for e in everything)
    # 004 copies 001: an event told by both counts one independent source
    assert any(len(e["documents"]) > e["independent_sources"] for e in everything)


# --------------------------------------------------------------------------- the stream


def _write_rows(path: Path, rows: list[dict[str, Any]]) -> Path:
    keep = ("url", "published", "title", "text")
    path.write_text("".join(json.dumps({k: r[k] for k in keep if r.get(k)}) + "\n" for r in rows))
    return path


@pytest.fixture(scope="module")
def stream_rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in STREAM.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def stream_db(tmp_path_factory: pytest.TempPathFactory, stream_rows: list[dict[str, Any]]) -> Path:
    """The stream analysed (per-document stages and copy detection), no event step run yet."""
    base = tmp_path_factory.mktemp("stream")
    path = base / "stream.db"
    with Store(path) as s:
        storyline.ingest(s, [_write_rows(base / "all.jsonl", stream_rows)], progress=False, corpus_steps=False)
        update_reuse(s)  # copy detection, as the runner runs it before the event step
    return path


@pytest.fixture
def stream(tmp_path: Path, stream_db: Path) -> Iterator[Store]:
    dst = tmp_path / "copy.db"
    with sqlite3.connect(stream_db) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    with Store(dst) as s:
        yield s


def test_stream_in_batches_equals_from_scratch(stream: Store) -> None:
    n = len(list(stream.iter_docs(status=["ok"])))
    stats = EventStats()
    assert update_events(stream, batch_size=7, stats=stats) == n >= 50
    assert stats.batches == -(-n // 7) and stats.added_docs == n
    got = _stored(stream)
    assert got == _from_scratch(stream)
    assert len(got) >= 100 and sum(len(e["documents"]) > 1 for e in got) >= 3
    # a second run has nothing to do
    again = EventStats()
    assert update_events(stream, stats=again) == 0 and again.recomputed_units == 0
    assert _stored(stream) == got
    # per document: the events with evidence in it
    doc = got[0]["documents"][0]
    assert _stored(stream, [doc]) == [e for e in got if doc in e["documents"]]
    assert _stored(stream, []) == []


def test_killed_run_resumes(stream: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}
    real = event_store.mark_indexed

    def dying(*args: Any, **kw: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # killed inside the third batch's transaction
        real(*args, **kw)

    monkeypatch.setattr(event_store, "mark_indexed", dying)
    with pytest.raises(KeyboardInterrupt):
        update_events(stream, batch_size=10)
    monkeypatch.setattr(event_store, "mark_indexed", real)
    done = stream.conn.execute("SELECT count(*) FROM corpus_indexed WHERE step = 'events'").fetchone()[0]
    assert done == 20  # two batches committed, the third rolled back
    stats = EventStats()
    assert update_events(stream, batch_size=10, stats=stats) == len(list(stream.iter_docs(status=["ok"]))) - 20
    assert _stored(stream) == _from_scratch(stream)


def _multi_doc_latest(stream: Store) -> str:
    """The latest document (store order) of an event told by several documents."""
    order = {r[0]: r[1] for r in stream.conn.execute("SELECT id, rowid FROM documents")}
    multi = {d for e in _from_scratch(stream) if len(e["documents"]) > 1 for d in e["documents"]}
    return max(multi, key=order.__getitem__)


def test_adding_one_document_recomputes_only_what_it_touches(stream: Store) -> None:
    late = _multi_doc_latest(stream)
    with stream.transaction():  # as if its stages had not run yet
        stream.conn.execute("UPDATE documents SET status = 'pending' WHERE id = ?", (late,))
    update_events(stream)
    before = dict(((r[0], r[1]), r[2]) for r in stream.conn.execute("SELECT doc_id, u, component FROM event_units"))
    with stream.transaction():
        stream.conn.execute("UPDATE documents SET status = 'ok' WHERE id = ?", (late,))
    stats = EventStats()
    assert update_events(stream, stats=stats) == 1
    assert _stored(stream) == _from_scratch(stream)
    after = {(r[0], r[1]): r[2] for r in stream.conn.execute("SELECT doc_id, u, component FROM event_units")}
    mine = {c for (d, _), c in after.items() if d == late}
    touched = [k for k, c in after.items() if c in mine]
    assert stats.links >= 1 and stats.recomputed_components >= 1
    # the scope was the new document's units and the components they joined, nothing else
    assert stats.recomputed_units == len(touched) < len(after) / 10
    assert all(after[k] == c for k, c in before.items() if after[k] not in mine)
    assert stats.candidates < len(before)


def test_a_store_of_schema_18_scores_event_candidates_from_the_rows_that_find_them(stream: Store) -> None:
    """Migration 19: the rows it makes from a store of schema 18 (each place key's and each
    timed unit's candidates with their blocking columns and ``pair``) are the rows the step
    writes, every unit finds the same candidates, and the step goes on from there to the
    whole-corpus events."""
    late = _multi_doc_latest(stream)
    with stream.transaction():
        stream.conn.execute("UPDATE documents SET status = 'pending' WHERE id = ?", (late,))
    update_events(stream)

    def rows(store: Store) -> dict[str, list[tuple[Any, ...]]]:
        return {table: [(*r[:-1], json.loads(r[-1])) for r in store.conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4, 5")]
                for table in ("event_places", "event_times")}

    written = rows(stream)
    assert written["event_places"] and written["event_times"]
    units = _stored_units(stream)
    found = [candidates(stream, unit) for _, unit in units]
    assert sum(map(len, found)) > len(units)
    with stream.transaction():
        back_to_schema(stream.conn, 18)
    assert not stream.conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'event_times'").fetchone()[0]
    stream.close()
    with Store(stream.path) as s:
        assert s.schema_version() == LATEST
        assert rows(s) == written
        assert [candidates(s, unit) for _, unit in units] == found
        with s.transaction():
            s.conn.execute("UPDATE documents SET status = 'ok' WHERE id = ?", (late,))
        assert update_events(s) == 1
        assert _stored(s) == _from_scratch(s)


def test_superseded_and_rejected_documents_leave_their_events(stream: Store, tmp_path: Path,
                                                              stream_rows: list[dict[str, Any]]) -> None:
    update_events(stream, batch_size=20)
    late = _multi_doc_latest(stream)
    url = stream.conn.execute("SELECT url FROM documents WHERE id = ?", (late,)).fetchone()[0]
    row = next(r for r in stream_rows if r["url"] == url)
    # a new version of the page: its last paragraph dropped (the normal ingest path, corpus steps included)
    paragraphs = row["text"].split("\n")
    text = "\n".join(paragraphs[:-1]) if len(paragraphs) > 1 else row["text"][: len(row["text"]) // 2]
    storyline.ingest(stream, [_write_rows(tmp_path / "v2.jsonl", [{**row, "text": text}])], progress=False)
    new = stream.conn.execute("SELECT superseded_by FROM documents WHERE id = ?", (late,)).fetchone()[0]
    assert new is not None
    got = _stored(stream)
    assert got == _from_scratch(stream)
    assert not any(late in e["documents"] for e in got)
    # a document rejected after the fact (as `storyline analyze` does when a stage now refuses it)
    gone = got[0]["documents"][0]
    with stream.transaction():
        stream.mark_rejected(gone)
    stats = EventStats()
    update_events(stream, stats=stats)
    assert stats.forgotten_docs == 1 and stats.added_docs == 0
    got = _stored(stream)
    assert got == _from_scratch(stream)
    assert not any(gone in e["documents"] for e in got)


def test_other_parameters_rebuild_everything(stream: Store) -> None:
    update_events(stream)
    update_events(stream, threshold=0.8)
    assert _stored(stream) == _from_scratch(stream, threshold=0.8)
    assert rebuild_events(stream) == len(_from_scratch(stream))
    assert _stored(stream) == _from_scratch(stream)


def test_records_round_trip(stream: Store) -> None:
    update_events(stream)
    events = stored_events(stream)
    assert all(Event.from_record(e.to_record()).to_record() == e.to_record() for e in events)
    assert any(e.affected for e in events)  # kept in the stored record, beside records.md
    mentions = [m for d in stream.iter_docs(status=["ok"]) for m in from_doc(d)]
    assert len(mentions) > 100
    assert all(EventInput.from_record(json.loads(json.dumps(m.to_record()))) == m for m in mentions)


# --------------------------------------------------------------------------- the candidate pre-filter


def _stored_units(store: Store) -> list[tuple[tuple[str, int], EventInput]]:
    rows = store.conn.execute("SELECT doc_id, u, unit FROM event_units ORDER BY doc_seq, u").fetchall()
    return [((r[0], r[1]), EventInput.from_record(json.loads(r[2]))) for r in rows]


def test_candidate_queries_find_every_compatible_stream_pair(stream: Store) -> None:
    update_events(stream)
    units = _stored_units(stream)
    pairs = [(i, j) for i, j, _ in _compatible_pairs([u for _, u in units]) if units[i][0][0] != units[j][0][0]]
    assert len(pairs) >= 10
    for i, j in pairs:
        assert units[j][0] in candidates(stream, units[i][1])
        assert units[i][0] in candidates(stream, units[j][1])


_DAYS = ["2017-03-01", "2017-03-09", "2017-03", "2017", "2017-W10", "2016-12-30", "2017-05-20", None, None, None]


def _random_place(rng: random.Random) -> PlaceRef | None:
    """Around Raqqa (some within reach, some not), with and without coordinates or ids."""
    if rng.random() < 0.3:
        return None
    name = rng.choice(["Raqqa", "Tabqa", "Manbij", "al-Raqqa"])
    coords = rng.random() < 0.8
    lat, lon = 35.95 + rng.gauss(0, 0.6), 39.01 + rng.gauss(0, 0.6)
    return PlaceRef(name, lat if coords else None, lon if coords else None,
                    gazetteer_id=rng.choice([None, None, "g1", "g2"]), country="SY", precision=rng.choice([1, 1, 2, 3, None]))


def _random_unit(rng: random.Random, n: int) -> EventInput:
    return EventInput(
        trigger=Span(f"d{n}", 0, 4, "move"),
        type=rng.choice(["move", "flee", "arrive", "attack"]),
        actor_entity=rng.choice([None, None, "isis", "sdf"]),
        origin=_random_place(rng), destination=_random_place(rng), location=_random_place(rng),
        time_value=(t := rng.choice(_DAYS)), time_granularity=None if t is None else event_store._granularity_of(t),
        reported=rng.choice(["2017-03-10", "2017-04-20", "2017-05-12", "2017-06-30", "2016-11", "2015-01-01", None]),
        quantities=(QuantityRef(3, 3, "bus"),) if rng.random() < 0.2 else (),
    )


def test_candidate_queries_are_a_superset_of_the_exact_rules(store: Store) -> None:
    """Random units over the edge cases (untimed, month/week/year times, reports before the
    event, places near and far, named only, by gazetteer id, vague; actors): every pair
    :func:`_compatible_pairs` keeps is a candidate both ways, and so is every pair of timed
    units :func:`_possible_pairs` keeps."""
    rng = random.Random(7)
    units = [_random_unit(rng, n) for n in range(300)]
    with store.transaction():
        event_store._insert_units(store, [(event_store._Unit(f"d{n}", 0, n, m, [m]), f"d{n}") for n, m in enumerate(units)],
                                  25.0)
    found = {n: candidates(store, m) for n, m in enumerate(units)}
    compatible = [(i, j) for i, j, _ in _compatible_pairs(units)]
    untimed = [(i, j) for i, j in compatible if units[i].time_value is None or units[j].time_value is None]
    assert len(compatible) > 100 and len(untimed) > 20  # the random set has both kinds
    blocks: dict[str, list[int]] = {}
    for n, m in enumerate(units):
        blocks.setdefault(type_family(m.type), []).append(n)
    timed = [(i, j) for idx in blocks.values() for i, j in _possible_pairs(units, idx)
             if units[i].time_value and units[j].time_value]
    for i, j in compatible + timed:
        assert (f"d{j}", 0) in found[i] and (f"d{i}", 0) in found[j], (units[i], units[j])
    # and the queries do prune: far fewer candidates than pairs of the same family
    assert sum(len(f) for f in found.values()) < sum(len(b) ** 2 for b in blocks.values()) / 2


@pytest.mark.slow
def test_five_hundred_documents_in_batches_equal_from_scratch(stream: Store) -> None:
    """The issue's 500-document check: the stream plus replicas (``bench/replicate.py``: real
    paragraphs and layers reshuffled, other dates and outlets) added 100 at a time, copy
    detection and the event step after each batch, as ingest runs them."""
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    import replicate  # bench/replicate.py

    update_events(stream)
    for seed in range(4):
        replicate.add_replicas(stream, 110, seed=seed)
        update_reuse(stream)
        update_events(stream, batch_size=32)
    n = len(list(stream.iter_docs(status=["ok"])))
    assert n >= 490
    got = _stored(stream)
    assert got == _from_scratch(stream)
    assert sum(len(e["documents"]) > 1 for e in got) >= 20
