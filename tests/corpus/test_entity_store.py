"""Stored entities, places and times (storyline.corpus.entity_store) equal the batch functions
(storyline.corpus.annotations) record for record, whatever the batches and the arrival order:
on the sample corpus, on crafted person names that exercise every resolution rule, and on
real PolNeAR news (slow)."""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import storyline
from storyline.cli import main
from storyline.corpus import entity_store
from storyline.corpus.annotations import entity_records, place_records, time_records
from storyline.corpus.entity_store import (
    entity_list,
    entity_of,
    place_list,
    rebuild_entities,
    time_list,
    update_entities,
)
from storyline.errors import StorylineError
from storyline.records import EntityMention, PlaceMention
from storyline.store import Store
from storyline.types import Doc, DocMeta

from .conftest import back_to_schema

DATA = Path(__file__).resolve().parents[2] / "../shared/datasets"


def _copy(src: str, dst: Path) -> Store:
    with sqlite3.connect(f"file:{src}?mode=ro", uri=True) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    return Store(dst)


def _batch(store: Store) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    docs = list(store.iter_docs(status=["ok"]))
    return entity_records(docs), place_records(docs), time_records(docs)


def _stored(store: Store) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    entities = entity_list(store)
    _check_pages(store, entities)
    return entities, place_list(store), time_list(store)


def _key_values_from_scratch(store: Store) -> list[tuple[Any, ...]]:
    """``entity_key_values`` as migration 15 computes it from the current mentions."""
    from storyline.store.schema import MIGRATIONS

    sql = next(sql for version, _, sql in MIGRATIONS if version == 15)
    selects = [part[part.index("SELECT"):] for part in sql.split(";") if "INSERT INTO entity_key_values" in part]
    assert len(selects) == 6
    return sorted(tuple(r) for q in selects for r in store.conn.execute(q))


def _check_pages(store: Store, records: list[dict[str, Any]]) -> None:
    """The counts kept by difference equal the counts from scratch, and a listing page built
    from them (every type, and people) equals the whole records but for its first M mentions
    and documents."""
    stored = sorted(tuple(r) for r in store.conn.execute("SELECT * FROM entity_key_values"))
    assert stored == _key_values_from_scratch(store)
    assert stored == sorted(tuple(r) for r in store.conn.execute(entity_store.KEY_VALUES_FROM_MENTIONS))
    for type in (None, "person"):
        whole = [r for r in records if type is None or r["type"] == type]
        for m in (0, 2):
            page = entity_list(store, type=type, limit=len(whole) + 1, mentions=m)
            assert [r["id"] for r in page] == [r["id"] for r in whole]
            for got, rec in zip(page, whole):
                got = dict(got)
                assert (got.pop("mention_count"), got.pop("document_count")) == (len(rec["mentions"]),
                                                                                 len(rec["documents"]))
                assert got == {**rec, "mentions": rec["mentions"][:m], "documents": rec["documents"][:m]}


def _arrive(store: Store, order: list[str], batch_size: int) -> None:
    """Take every document out, then let them arrive in ``order`` (status flipped back to ok)."""
    with store.transaction():
        store.conn.execute("UPDATE documents SET status = 'pending' WHERE status = 'ok'")
    update_entities(store)
    for i in range(0, len(order), batch_size):
        with store.transaction():
            store.conn.executemany("UPDATE documents SET status = 'ok' WHERE id = ?", [(d,) for d in order[i:i + batch_size]])
        update_entities(store, batch_size=batch_size)


@pytest.fixture()
def sample_copy(sample_store: Store, tmp_path: Path) -> Iterator[Store]:
    store = _copy(sample_store.path, tmp_path / "copy.db")
    yield store
    store.close()


def test_ingest_stores_what_the_batch_functions_compute(sample_store: Store) -> None:
    entities, places, times = _stored(sample_store)
    assert entities and places and times
    assert (entities, places, times) == _batch(sample_store)
    one = entities[0]
    assert entity_of(sample_store, one["id"]) == one
    assert entity_of(sample_store, "ent_missing") is None
    assert entity_list(sample_store, type="person") == [e for e in entities if e["type"] == "person"]
    for limit in (1, 3, 10, 1000):
        assert entity_list(sample_store, limit=limit) == entities[:limit]


@pytest.mark.parametrize("batch_size", [1, 64])
def test_any_batches_and_arrival_order_give_the_batch_records(sample_copy: Store, batch_size: int) -> None:
    expected = _batch(sample_copy)
    ids = [d.id for d in sample_copy.iter_docs(status=["ok"])]
    for seed in range(3):
        order = ids[:]
        random.Random(seed).shuffle(order)
        _arrive(sample_copy, order, batch_size)
        assert _stored(sample_copy) == expected
    assert rebuild_entities(sample_copy, batch_size=2) == len(ids)
    assert _stored(sample_copy) == expected


def test_superseded_and_rejected_documents_leave(sample_copy: Store) -> None:
    docs = list(sample_copy.iter_docs(status=["ok"]))
    before = entity_list(sample_copy)
    gone, rejected = docs[0], docs[1]
    only_there = [e["id"] for e in before if e["documents"] == [gone.id]]
    assert only_there, "the first sample document has entities of its own"
    with sample_copy.transaction():
        sample_copy.conn.execute("UPDATE documents SET superseded_by = ? WHERE id = ?", (docs[2].id, gone.id))
        sample_copy.conn.execute("UPDATE documents SET status = 'rejected' WHERE id = ?", (rejected.id,))
    update_entities(sample_copy)
    entities, places, times = _stored(sample_copy)
    assert (entities, places, times) == _batch(sample_copy)
    assert all(gone.id not in e["documents"] and rejected.id not in e["documents"] for e in entities)
    assert all(entity_of(sample_copy, e) is None for e in only_there)
    assert not {t["span"]["doc"] for t in times} & {gone.id, rejected.id}


def test_a_killed_run_resumes(sample_copy: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _batch(sample_copy)
    n = len(list(sample_copy.iter_docs(status=["ok"])))
    with sample_copy.transaction():
        sample_copy.conn.execute("DELETE FROM corpus_steps WHERE step = 'entities'")
    calls = []
    real = entity_store._apply

    def dying(store: Store, **kw: Any) -> None:
        calls.append(kw)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real(store, **kw)

    monkeypatch.setattr(entity_store, "_apply", dying)
    with pytest.raises(KeyboardInterrupt):
        update_entities(sample_copy, batch_size=1)
    monkeypatch.setattr(entity_store, "_apply", real)
    done = sample_copy.conn.execute("SELECT count(*) FROM corpus_indexed WHERE step = 'entities'").fetchone()[0]
    assert done == 2  # two whole batches committed, the third rolled back
    assert update_entities(sample_copy, batch_size=1) == n - 2
    assert _stored(sample_copy) == expected
    assert update_entities(sample_copy) == 0


def test_commands_read_the_stored_layers(sample_store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["entities", "--db", sample_store.path, "--json"]) == 0
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines()] == entity_list(sample_store)
    assert main(["places", "--db", sample_store.path, "--format", "geojson"]) == 0
    geo = json.loads(capsys.readouterr().out)
    assert geo["features"] and all(f["properties"]["resolved"] for f in geo["features"])


def test_rows_stored_with_other_parameters_are_e506(sample_copy: Store) -> None:
    with sample_copy.transaction():
        sample_copy.conn.execute("UPDATE corpus_steps SET config = '{}' WHERE step = 'entities'")
    for read in (entity_list, place_list, time_list):
        with pytest.raises(StorylineError) as err:
            read(sample_copy)
        assert err.value.code == "E506"


def test_a_store_not_indexed_lists_what_it_has_with_a_note(sample_copy: Store,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """As claims and events do: no E506 where the step has not run, the listing is what is
    stored (here nothing) and a note says how many documents are missing and what to run."""
    with sample_copy.transaction():
        for table in ("corpus_steps", "corpus_indexed"):
            sample_copy.conn.execute(f"DELETE FROM {table} WHERE step = 'entities'")  # noqa: S608
        for table in ("entity_mentions", "entity_keys", "entity_sims", "doc_listings"):
            sample_copy.conn.execute(f"DELETE FROM {table}")  # noqa: S608
    assert entity_list(sample_copy) == place_list(sample_copy) == time_list(sample_copy) == []
    n = sample_copy.conn.execute("SELECT count(*) FROM documents WHERE status = 'ok'").fetchone()[0]
    for command in ("entities", "places", "times"):
        assert main([command, "--db", sample_copy.path, "--json"]) == 0
        err = capsys.readouterr().err
        assert f"{n} documents not yet in the stored entities" in err and "storyline analyze" in err


# --------------------------------------------------------------------------- crafted names

# (text, type, canonical, key): transliteration variants, a name in three and two words,
# surnames alone that join a single full name or stay apart when two full names share them,
# a key that is a person in one document and a group in another
POOL = [
    ("Hussam Eesa", "person", "Hussam Eesa", "person:hussam eesa"),
    ("Husam Issa", "person", "Husam Issa", "person:husam issa"),
    ("Hussam al-Eesa", "person", "Hussam al-Eesa", "person:hussam al eesa"),
    ("Hussam Ahmed Eesa", "person", "Hussam Ahmed Eesa", "person:hussam ahmed eesa"),
    ("Eesa", "person", "Eesa", "person:eesa"),
    ("Mohammed Ali", "person", "Mohammed Ali", "person:mohammed ali"),
    ("Muhammad Ali", "person", "Muhammad Ali", "person:muhammad ali"),
    ("Hassan Ali", "person", "Hassan Ali", "person:hassan ali"),
    ("Ali", "person", "Ali", "person:ali"),
    ("Votel", "person", "Votel", "person:votel"),
    ("Joseph Votel", "person", "Joseph Votel", "person:joseph votel"),
    ("Baghdadi", "person", "Abu Bakr al-Baghdadi", "actor:baghdadi"),
    ("Baghdadi", "armed_group", "Baghdadi", "actor:baghdadi"),
    ("Islamic State", "armed_group", "Islamic State", "actor:islamic-state"),
    ("ISIS", "armed_group", "Islamic State", "actor:islamic-state"),
    ("Reuters", "outlet", "Reuters", "org:reuters"),
    ("Pentagon", "military", "Pentagon", "org:pentagon"),
]


def _crafted_store(path: Path, n_docs: int, seed: int) -> Store:
    rng = random.Random(seed)
    store = Store(path)
    with store.transaction():
        for i in range(n_docs):
            picks = rng.sample(POOL, rng.randint(2, 6))
            text, mentions = "", []
            for surface, type_, canonical, key in picks:
                start = len(text) + 4
                text += f" -- {surface}"
                mentions.append(EntityMention(start, start + len(surface), surface, type_, canonical, key,
                                              role=rng.choice([None, "spokesman", "commander"])))
            doc = Doc(id=f"d{seed}-{i:03d}-{rng.random():.6f}", source_path=f"/x/{i}.txt", locator="",
                      content_type="text", raw=text.encode(), text=text, meta=DocMeta(), entities=mentions,
                      stage_versions={"clean": "1", "entities": "1"})
            store.insert_document(doc, url=None)
            store.save_stage_results(doc, slots={"text", "meta", "removed", "entities"})
    return store


@pytest.mark.parametrize("seed", range(4))
def test_crafted_names_any_order_and_removals(tmp_path: Path, seed: int) -> None:
    store = _crafted_store(tmp_path / "c.db", 14, seed)
    rng = random.Random(100 + seed)
    ids = [d.id for d in store.iter_docs(status=["ok"])]
    order = ids[:]
    rng.shuffle(order)
    _arrive(store, order, rng.choice([1, 3, 64]))
    expected = _batch(store)[0]
    assert _stored(store)[0] == expected
    assert len({e["id"] for e in expected}) < sum(len(e["aliases"]) for e in expected)  # something merged
    for _ in range(4):  # a few documents leave, then come back in another order
        out = rng.sample(ids, 4)
        with store.transaction():
            store.conn.executemany("UPDATE documents SET status = 'rejected' WHERE id = ?", [(d,) for d in out])
        update_entities(store, batch_size=2)
        assert _stored(store)[0] == _batch(store)[0]
        with store.transaction():
            store.conn.executemany("UPDATE documents SET status = 'ok' WHERE id = ?", [(d,) for d in out])
        update_entities(store, batch_size=1)
        assert _stored(store)[0] == expected
    store.close()


# --------------------------------------------------------------------------- real news


@pytest.mark.slow
def test_polnear_documents_in_shuffled_batches(tmp_path: Path) -> None:
    folder = DATA / "polnear" / "train" / "text"
    if not folder.is_dir():
        pytest.skip("PolNeAR not in ../shared/datasets")
    files = sorted(folder.glob("*"))[:64]
    src = tmp_path / "in"
    src.mkdir()
    for f in files:
        (src / (f.name + ".txt")).write_text(f.read_text(encoding="utf-8", errors="replace"), encoding="utf-8")
    with Store(tmp_path / "p.db") as store:
        storyline.ingest(store, [src], progress=False)
        expected = _batch(store)
        assert len(expected[0]) > 300
        assert _stored(store) == expected
        order = [d.id for d in store.iter_docs(status=["ok"])]
        random.Random(7).shuffle(order)
        _arrive(store, order, 5)
        assert _stored(store) == expected


def test_listings_say_when_documents_are_not_taken_in(sample_copy: Store, capsys: pytest.CaptureFixture[str]) -> None:
    with sample_copy.transaction():
        sample_copy.conn.execute("DELETE FROM corpus_indexed WHERE step = 'entities' AND doc_id IN"
                                 " (SELECT doc_id FROM corpus_indexed WHERE step = 'entities' LIMIT 1)")
    for cmd in ("entities", "places", "times"):
        assert main([cmd, "--db", sample_copy.path, "--json"]) == 0
        assert "1 document not yet in the stored entities" in capsys.readouterr().err


# --------------------------------------------------------------------------- the place index

# (text, gazetteer id, name, resolved): aliases of one place, two places of one name (a tie
# broken by the first mention), unresolved names whose key folds case beyond ASCII, a place
# "resolved" without an id (listed as unresolved), and places named only in datelines
PLACES = [
    ("Raqqa", "geonames:163345", "Ar Raqqah", True),
    ("Raqa", "geonames:163345", "Ar Raqqah", True),
    ("Mosul", "geonames:99072", "Mosul", True),
    ("Springfield", "geonames:4409896", "Springfield", True),
    ("Springfield", "geonames:4951788", "Springfield", True),
    ("Écosse", None, None, False),
    ("ÉCOSSE", None, None, False),
    ("Kobane", None, None, False),
    ("Nowhere", None, None, True),
]
FILED = [("ERBIL", "geonames:95446", "Erbil", True), ("RAQQA", "geonames:163345", "Ar Raqqah", True),
         ("Somewhere", None, None, False)]


def _place_mention(start: int, entry: tuple[str, str | None, str | None, bool], n: int) -> PlaceMention:
    text, gid, name, resolved = entry
    return PlaceMention(start, start + len(text), text, name, 36.0 + n if gid else None, 38.0 if gid else None,
                        "city", "SY" if gid else None, gid, 1 if gid else None, resolved, 0.9)


def _places_store(path: Path, n_docs: int, seed: int) -> Store:
    rng = random.Random(seed)
    store = Store(path)
    with store.transaction():
        for i in range(n_docs):
            text, places = "", []
            for entry in rng.choices(PLACES, k=rng.randint(0, 5)):
                places.append(_place_mention(len(text) + 4, entry, PLACES.index(entry)))
                text += f" -- {entry[0]}"
            dateline, filed = None, []
            if rng.random() < 0.5:
                entry = rng.choice(FILED)
                dateline = f"{entry[0]}, Syria"
                filed = [_place_mention(0, entry, 9)]
            doc = Doc(id=f"p{seed}-{i:03d}-{rng.random():.6f}", source_path=f"/p/{i}.txt", locator="",
                      content_type="text", raw=(text + str(i)).encode(), text=text or "(none)",
                      meta=DocMeta(dateline=dateline), places=places, dateline_places=filed,
                      stage_versions={"clean": "1", "places": "1"})
            store.insert_document(doc, url=None)
            store.save_stage_results(doc, slots={"text", "meta", "removed", "places", "dateline_places"})
    return store


def _summaries(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the place index holds of each record (the app's summaries)."""
    return [{**{k: v for k, v in r.items() if k not in ("documents", "mentions", "datelines")},
             "mention_count": len(r["mentions"]), "document_count": len(r["documents"])} for r in records]


def _check_place_reads(store: Store, rng: random.Random) -> None:
    """Every place read equals what the batch function computes from the current documents."""
    records = place_records(list(store.iter_docs(status=["ok"])))
    assert place_list(store) == records
    summaries = _summaries(records)
    assert entity_store.place_index(store) == summaries
    size = rng.randint(1, 4)
    pages = [entity_store.place_page(store, offset=o, limit=size) for o in range(0, len(records) + size, size)]
    assert [s for page, _ in pages for s in page] == summaries and {t for _, t in pages} == {len(records)}
    resolved = [s for s in summaries if not s["id"].startswith("unresolved:")]
    assert entity_store.place_page(store, include_unresolved=False) == (resolved, len(resolved))
    assert place_list(store, include_unresolved=False) == [r for r in records if not r["id"].startswith("unresolved:")]
    for limit in (1, 3, 1000):
        assert place_list(store, limit=limit) == records[:limit]
    for rec, summary in zip(records, summaries):
        assert entity_store.place_summary(store, rec["id"]) == summary
        assert entity_store.place_of(store, rec["id"]) == rec
        sample = entity_store.place_sample(store, rec["id"], mentions=2, documents=2)
        assert sample is not None and sample["mentions"] == rec["mentions"][:2]
        assert set(sample["documents"]) <= set(rec["documents"]) and len(sample["documents"]) == min(2, len(rec["documents"]))
        if sample["complete"]:
            assert sample["datelines"] == rec["datelines"] and sorted(sample["documents"]) == rec["documents"]
    some = rng.sample(records, min(3, len(records)))
    assert entity_store.place_records_of(store, [r["id"] for r in some]) == [r for r in records if r in some]
    assert entity_store.place_of(store, "geonames:0") is None and entity_store.place_summary(store, "x") is None


@pytest.mark.parametrize("seed", range(4))
def test_place_index_any_order_and_removals(tmp_path: Path, seed: int) -> None:
    """The index is kept by difference as documents arrive in any order and batches, leave
    (the first mention of a place included) and come back."""
    store = _places_store(tmp_path / "p.db", 16, seed)
    rng = random.Random(200 + seed)
    ids = [d.id for d in store.iter_docs(status=["ok"])]
    order = ids[:]
    rng.shuffle(order)
    _arrive(store, order, rng.choice([1, 3, 64]))
    records = place_list(store)
    assert {r["id"] for r in records} >= {"geonames:4409896", "geonames:4951788", "unresolved:écosse"}
    _check_place_reads(store, rng)
    for _ in range(4):
        out = rng.sample(ids, 5) + ids[:1]  # the first document names the first mentions
        with store.transaction():
            store.conn.executemany("UPDATE documents SET status = 'rejected' WHERE id = ?", [(d,) for d in out])
        update_entities(store, batch_size=2)
        _check_place_reads(store, rng)
        with store.transaction():
            store.conn.executemany("UPDATE documents SET status = 'ok' WHERE id = ?", [(d,) for d in out])
        update_entities(store, batch_size=1)
        _check_place_reads(store, rng)
    with store.transaction():  # everything leaves: nothing is left in the index
        store.conn.execute("UPDATE documents SET status = 'rejected'")
    update_entities(store)
    assert [store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
            for t in ("places", "place_docs", "place_aliases")] == [0, 0, 0]
    store.close()


def test_place_index_on_the_sample_and_after_changes(sample_copy: Store) -> None:
    rng = random.Random(5)
    _check_place_reads(sample_copy, rng)
    docs = list(sample_copy.iter_docs(status=["ok"]))
    with sample_copy.transaction():
        sample_copy.conn.execute("UPDATE documents SET superseded_by = ? WHERE id = ?", (docs[2].id, docs[0].id))
        sample_copy.conn.execute("UPDATE documents SET status = 'rejected' WHERE id = ?", (docs[1].id,))
    update_entities(sample_copy)
    _check_place_reads(sample_copy, rng)
    assert rebuild_entities(sample_copy) == len(docs) - 2
    _check_place_reads(sample_copy, rng)


def test_a_store_made_before_the_place_index_is_filled_on_analyze(sample_copy: Store) -> None:
    """Migration 9 makes the tables empty; the entity step fills them from the stored listings
    (without taking the documents in again); until then place reads are E506, not empty."""
    records = place_list(sample_copy)
    with sample_copy.transaction():
        for table in ("places", "place_docs", "place_aliases"):
            sample_copy.conn.execute(f"DELETE FROM {table}")  # noqa: S608
        sample_copy.conn.execute("DELETE FROM corpus_steps WHERE step = ?", (entity_store.PLACES_STEP,))
    for read in (place_list, entity_store.place_index):
        with pytest.raises(StorylineError) as err:
            read(sample_copy)
        assert err.value.code == "E506"
    assert update_entities(sample_copy) == 0  # nothing taken in again
    assert place_list(sample_copy) == records
    _check_place_reads(sample_copy, random.Random(1))


def test_a_store_made_before_the_key_counts_gets_them_from_its_mentions(sample_copy: Store, tmp_path: Path) -> None:
    """Migration 15 counts the stored mentions of a store made before it: its pages read as
    the whole records say, and the entity step keeps the counts from there."""
    expected = entity_list(sample_copy)
    with sample_copy.transaction():
        back_to_schema(sample_copy.conn, 14)
    path = sample_copy.path
    sample_copy.close()
    with Store(path) as store:
        assert store.conn.execute("SELECT count(*) FROM entity_key_values").fetchone()[0] > 100
        assert _stored(store)[0] == expected
        docs = [d.id for d in store.iter_docs(status=["ok"])]
        with store.transaction():
            store.conn.execute("UPDATE documents SET status = 'rejected' WHERE id = ?", (docs[0],))
        update_entities(store)
        assert _stored(store)[0] == _batch(store)[0]


def test_a_store_made_before_the_key_counts_read_only_reads_as_before(sample_copy: Store) -> None:
    """Opened read-only (the web app), a store made before migration 15 cannot be counted into:
    its pages read the same counts from the mentions (the old cost), the same records."""
    expected = entity_list(sample_copy)
    pages = [entity_list(sample_copy, limit=5, mentions=m) for m in (0, 3)]
    sample = entity_store.entity_sample(sample_copy, expected[0]["id"], mentions=2, documents=1)
    with sample_copy.transaction():
        back_to_schema(sample_copy.conn, 14)
    path = sample_copy.path
    sample_copy.close()
    with Store(path, readonly=True) as store:
        assert entity_list(store) == expected
        assert [entity_list(store, limit=5, mentions=m) for m in (0, 3)] == pages
        assert entity_store.entity_sample(store, expected[0]["id"], mentions=2, documents=1) == sample
        assert entity_list(store, type="person", limit=3, mentions=1)
