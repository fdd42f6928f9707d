"""Stored story fields (storyline.report.stored, migration 11): the stories step stores each
story's ``summary``, ``events`` and ``claims``; a listing reads the rows of the stories it
shows, and they equal what :func:`story_fields` derives from the story's documents, however
the documents arrived (one per ingest, a new version of a copied document), while a row whose
inputs changed is never read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import storyline
from storyline.cli import main
from storyline.corpus.persist import story_list
from storyline.report import build, stored, story_fields
from storyline.runner import ingest
from storyline.store import Store

SEEDS = Path(__file__).resolve().parents[2] / "../shared/corpus/seeds"
# three more stories, apart from the sample's (made-up news; cleaned only: no findings)
MORE = [
    ("2021-07-14", "River Meuse floods Liege as dams overflow", "The river Meuse burst its banks in Liege on Wednesday."
     " Rescue boats evacuated residents of flooded streets near the dams across the valley of the Meuse."),
    ("2021-02-18", "Perseverance rover lands in Jezero crater on Mars", "NASA's Perseverance rover touched down in"
     " Jezero crater on Mars after a seven minute descent, and sent its first images of the crater floor."),
    ("2021-12-10", "Carlsen retains world chess title in Dubai", "Magnus Carlsen won the eleventh game in Dubai and"
     " kept the world chess championship, ending the match against Ian Nepomniachtchi early."),
]


def _more(store: Store, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "news.jsonl"
    path.write_text("".join(json.dumps({"url": f"https://news.example/{i}", "title": title, "published": day,
                                        "text": text}) + "\n" for i, (day, title, text) in enumerate(MORE)))
    summary = storyline.ingest(store, [path], pipeline=storyline.Pipeline(["clean"]), progress=False)
    assert summary.rejected == 0


def _derived(store: Store) -> dict[str, dict[str, Any]]:
    return {s.id: story_fields(store, s.documents) for s in story_list(store)}


def _rows(store: Store) -> dict[str, dict[str, Any]]:
    """The stored rows a read takes for the current stories (made from their document lists,
    not stale)."""
    listed = {s.id: stored.docs_key(s.documents) for s in story_list(store)}
    return {sid: json.loads(fields) for sid, docs, version, fields, since in store.conn.execute(
        "SELECT story_id, docs, version, fields, stale_since FROM story_fields") if listed.get(sid) == docs
        and version == stored.VERSION and fields is not None and since is None}


def _holds(store: Store) -> bool:
    """Every row a read takes equals the fields derived now, and so does every record read."""
    derived = _derived(store)
    listed = story_list(store)
    return all(derived[sid] == f for sid, f in _rows(store).items()) and list(stored.story_records(store, listed)) == [
        {**st.to_record(), **derived[st.id]} for st in listed]


def _no_deriving(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(store: Store, doc_ids: Any) -> dict[str, Any]:
        raise AssertionError(f"derived on read: {list(doc_ids)[:3]}")

    monkeypatch.setattr(build, "story_fields", refuse)


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[str, bool]]]:
    """The sample corpus ingested one document per run, then a new version of the copied
    document (001, which 004 pastes), then three small stories; after each run, whether every stored row equals the
    fields derived then, and whether every story had a row not stale."""
    if not SEEDS.is_dir():
        pytest.skip("sample corpus not available")
    folder = tmp_path_factory.mktemp("fields") / "in"
    shutil.copytree(SEEDS, folder, ignore=shutil.ignore_patterns("sources.jsonl"))
    db = folder.parent / "s.db"
    checks: list[tuple[str, bool]] = []
    with Store(db) as s:
        files = sorted(folder.glob("0*.txt"))
        for f in files:
            ingest(s, [f], progress=False)
            checks.append((f.name, _holds(s)))
        paragraphs = files[1].read_text(encoding="utf-8").split("\n\n")
        files[1].write_text("\n\n".join(paragraphs[: max(2, len(paragraphs) // 2)]), encoding="utf-8")
        ingest(s, [files[1]], progress=False)
        assert s.counts()["versions"] == 6
        checks.append(("new version of " + files[1].name, _holds(s)))
        _more(s, folder.parent / "more")
        checks.append(("three more stories", _holds(s)))
        assert not s.conn.execute("SELECT 1 FROM story_fields_stale").fetchall()  # the step emptied the marks
        with s.transaction():  # what a budget that never runs short gives: every row up to date
            stored.refresh_story_fields(s, budget=10**6)
    return db, checks


def test_stored_fields_equal_derived_after_every_run(grown: tuple[Path, list[tuple[str, bool]]]) -> None:
    db, checks = grown
    assert [name for name, ok in checks if not ok] == []
    with Store(db, readonly=True) as s:
        derived = _derived(s)
        assert set(_rows(s)) == set(derived)  # every story has its row
    assert any(f["summary"] and f["claims"] and f["events"] for f in derived.values())  # the sample has findings


def test_a_listing_reads_the_rows(grown: tuple[Path, list[tuple[str, bool]]], tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    db, _ = grown
    with Store(db, readonly=True) as s:
        want = [{**st.to_record(), **story_fields(s, st.documents)} for st in story_list(s)]
    _no_deriving(monkeypatch)  # the CLI derives nothing: every row holds
    out = tmp_path / "stories.jsonl"
    assert main(["stories", "--db", str(db), "--json", "--out", str(out)]) == 0
    assert [json.loads(line) for line in out.read_text().splitlines()] == want


def test_a_row_a_mark_reaches_is_derived_on_read(grown: tuple[Path, list[tuple[str, bool]]], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "copy.db"
    shutil.copy(grown[0], db)
    with Store(db) as s:
        stories = story_list(s)
        big, rest = stories[0], stories[1:]
        want = {st.id: story_fields(s, st.documents) for st in stories}
        with s.transaction():  # a later step's write to the largest story's documents, the stories step not run yet
            s.conn.execute("UPDATE story_fields SET fields = '{}' WHERE story_id = ?", (big.id,))
            s.conn.execute("INSERT INTO story_fields_stale (doc_id) VALUES (?)", (big.documents[-1],))
        reached = stored.affected_stories(s, [big.documents[-1]])
        assert big.id in reached and len(reached) < len(stories)
        held, last = stored.stored_story_fields(s, stories)
        assert held == {st.id: want[st.id] for st in rest if st.id not in reached}
        assert last[big.id] == ({}, len(big.documents))  # what a listing past its budget would show
        assert list(stored.story_records(s, stories)) == [{**st.to_record(), **want[st.id]} for st in stories]
        with s.transaction():  # the stories step: the reached stories derived again, the marks emptied
            assert stored.refresh_story_fields(s, budget=10**6) == len(reached)
        _no_deriving(monkeypatch)
        assert stored.stored_story_fields(s, stories) == (want, {})


def test_a_copy_change_reaches_the_stories_of_the_whole_copy_component(
    grown: tuple[Path, list[tuple[str, bool]]]
) -> None:
    db, _ = grown
    with Store(db, readonly=True) as s:
        copies = s.conn.execute("SELECT source_doc, copy_doc FROM copied_passages WHERE discounted IS NULL"
                                " LIMIT 1").fetchone()
        assert copies is not None  # the sample pastes paragraphs
        of = dict(s.conn.execute("SELECT doc_id, story_id FROM story_docs").fetchall())
        # a mark on the copy reaches its source's story, and the other way round
        assert {of[copies[0]], of[copies[1]]} <= stored.affected_stories(s, [copies[1]])
        assert {of[copies[0]], of[copies[1]]} <= stored.affected_stories(s, [copies[0]])


def test_a_store_without_the_rows_derives_them(grown: tuple[Path, list[tuple[str, bool]]], tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(grown[0], db)
    with Store(db) as s, s.transaction():  # as a store of an older version
        s.conn.execute("DROP TABLE story_fields")
    with Store(db, readonly=True) as s:
        stories = story_list(s)
        assert stored.stored_story_fields(s, stories) == ({}, {})
        assert list(stored.story_records(s, stories, read_docs=0)) == [  # nothing stored: derived whatever the budget
            {**st.to_record(), **story_fields(s, st.documents)} for st in stories]


def test_too_many_marks_derive_every_story_shown(grown: tuple[Path, list[tuple[str, bool]]], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "marked.db"
    shutil.copy(grown[0], db)
    monkeypatch.setattr(stored, "READ_MARKS", 1)
    with Store(db) as s:
        stories = story_list(s)
        with s.transaction():  # a store filled with --no-corpus: marks the stories step has not seen
            s.conn.executemany("INSERT INTO story_fields_stale (doc_id) VALUES (?)", [("a",), ("b",)])
        held, last = stored.stored_story_fields(s, stories)
        assert held == {} and set(last) == {st.id for st in stories}
        assert list(stored.story_records(s, stories)) == [  # within the read budget: every one derived
            {**st.to_record(), **story_fields(s, st.documents)} for st in stories]


def test_a_story_larger_than_the_budget_waits_and_is_derived_on_read(
    grown: tuple[Path, list[tuple[str, bool]]], tmp_path: Path
) -> None:
    db = tmp_path / "budget.db"
    shutil.copy(grown[0], db)
    with Store(db) as s:
        stories = story_list(s)
        big = stories[0]
        want = {st.id: story_fields(s, st.documents) for st in stories}
        n = len(big.documents)
        assert n > 1
        with s.transaction():
            s.conn.execute("INSERT INTO story_fields_stale (doc_id) VALUES (?)", (big.documents[0],))
            reached = stored.affected_stories(s, [big.documents[0]])
            assert stored.refresh_story_fields(s, budget=n - 1) < len(reached)  # the largest does not fit
        row = s.conn.execute("SELECT fields, stale_since, n_docs FROM story_fields WHERE story_id = ?",
                             (big.id,)).fetchone()
        assert json.loads(row[0]) == want[big.id] and row[1] is not None and row[2] == n  # kept while it waits
        held, last = stored.stored_story_fields(s, stories)
        assert big.id not in held and last[big.id] == (want[big.id], n)
        assert list(stored.story_records(s, stories)) == [{**st.to_record(), **want[st.id]} for st in stories]
        # past the read budget the waiting story shows its last fields, marked; the others as stored
        shown = list(stored.story_records(s, stories, read_docs=n - 1))
        stale = {"fields_stale": {"derived_from_documents": n, "documents": n}}
        assert shown == [{**st.to_record(), **want[st.id], **(stale if st.id == big.id else {})} for st in stories]
        credit = s.conn.execute("SELECT credit FROM story_fields_state").fetchone()[0]
        assert 0 < credit <= n - 1  # kept for the next run
        with s.transaction():  # the next run, with nothing placed: the saved budget is not enough yet
            assert stored.refresh_story_fields(s) == 0
        with s.transaction():  # one more document's worth and it fits
            s.conn.execute("UPDATE story_fields_state SET credit = credit + ?", (n,))
            assert stored.refresh_story_fields(s) >= 1
        assert stored.stored_story_fields(s, stories) == (want, {})
        assert s.conn.execute("SELECT credit FROM story_fields_state").fetchone()[0] == 0


def test_the_read_budget_goes_to_the_smallest_waiting_stories_first(
    grown: tuple[Path, list[tuple[str, bool]]], tmp_path: Path
) -> None:
    """A listing derives its waiting stories smallest first: with a budget of the largest's
    documents, every smaller one is derived and only the largest shows its last fields (in
    listing order the largest alone would have taken the whole budget)."""
    db = tmp_path / "smallest.db"
    shutil.copy(grown[0], db)
    with Store(db) as s:
        stories = story_list(s)
        want = {st.id: story_fields(s, st.documents) for st in stories}
        with s.transaction():  # every story waits
            s.conn.executemany("INSERT INTO story_fields_stale (doc_id) VALUES (?)",
                               [(st.documents[0],) for st in stories])
            stored.refresh_story_fields(s, budget=0)
        held, last = stored.stored_story_fields(s, stories)
        assert held == {} and set(last) == {st.id for st in stories}
        big = max(stories, key=lambda st: len(st.documents))
        n = len(big.documents)
        assert len(stories) >= 3 and sum(len(st.documents) for st in stories if st is not big) <= n
        shown = list(stored.story_records(s, [big, *(st for st in stories if st is not big)], read_docs=n))
        stale = {"fields_stale": {"derived_from_documents": n, "documents": n}}
        assert shown == [{**big.to_record(), **want[big.id], **stale},
                         *({**st.to_record(), **want[st.id]} for st in stories if st is not big)]


def test_analyze_brings_every_waiting_story_up_to_date(
    grown: tuple[Path, list[tuple[str, bool]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ingest's budget may leave stories waiting; `storyline analyze` derives them all."""
    from storyline.runner import analyze

    db = tmp_path / "analyze.db"
    shutil.copy(grown[0], db)
    with Store(db) as s:
        stories = story_list(s)
        with s.transaction():
            s.conn.execute("INSERT INTO story_fields_stale (doc_id) VALUES (?)", (stories[0].documents[0],))
            stored.refresh_story_fields(s, budget=0)
        waiting = "SELECT count(*) FROM story_fields WHERE stale_since IS NOT NULL OR fields IS NULL"
        assert s.conn.execute(waiting).fetchone()[0] >= 1
        analyze(s, progress=False)
        assert s.conn.execute(waiting).fetchone()[0] == 0
        assert _holds(s)
        _no_deriving(monkeypatch)
        assert len(list(stored.story_records(s, story_list(s)))) == len(stories)


def test_stories_placed_again_get_every_row_again(grown: tuple[Path, list[tuple[str, bool]]], tmp_path: Path) -> None:
    from storyline.corpus.persist import rebuild_stories

    db = tmp_path / "rebuilt.db"
    shutil.copy(grown[0], db)
    with Store(db) as s:
        rebuild_stories(s)
        assert set(_rows(s)) == {st.id for st in story_list(s)}  # none left waiting for a budget
        assert _holds(s)


def test_a_claim_replaced_marks_its_documents(grown: tuple[Path, list[tuple[str, bool]]], tmp_path: Path) -> None:
    db = tmp_path / "claims.db"
    shutil.copy(grown[0], db)
    with Store(db) as s, s.transaction():
        assert stored._marks(s) == []
        row = s.conn.execute("SELECT claim_id, doc_id FROM claim_docs LIMIT 1").fetchone()
        docs = {r[0] for r in s.conn.execute("SELECT doc_id FROM claim_docs WHERE claim_id = ?", (row[0],))}
        s.conn.execute("DELETE FROM claim_docs WHERE claim_id = ?", (row[0],))  # as the claim step recomputing
        assert set(stored._marks(s)) == docs
        before = s.conn.execute("SELECT count(*) FROM story_fields_stale").fetchone()[0]
        s.conn.executemany("INSERT OR IGNORE INTO claim_docs (claim_id, doc_id) VALUES (?, ?)",  # an outer OR clause
                           [(row[0], d) for d in sorted(docs)])
        assert s.conn.execute("SELECT count(*) FROM story_fields_stale").fetchone()[0] == before


def test_a_listing_past_its_read_budget_says_so(grown: tuple[Path, list[tuple[str, bool]]], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """`stories --json` derives at most READ_DOCS story documents; a waiting story past that
    prints its last fields with ``fields_stale``, and stderr says how many and what to run."""
    db = tmp_path / "waiting.db"
    shutil.copy(grown[0], db)
    with Store(db) as s:
        big = story_list(s)[0]
        with s.transaction():
            s.conn.execute("INSERT INTO story_fields_stale (doc_id) VALUES (?)", (big.documents[0],))
            stored.refresh_story_fields(s, budget=0)
    monkeypatch.setattr(stored, "READ_DOCS", 0)
    capsys.readouterr()
    assert main(["stories", "--db", str(db), "--json", "--limit", "1"]) == 0
    out = capsys.readouterr()
    [rec] = [json.loads(line) for line in out.out.splitlines()]  # --json: one record a line
    assert rec["id"] == big.id and rec["fields_stale"] == {"derived_from_documents": len(big.documents),
                                                            "documents": len(big.documents)}
    assert "1 story shown with summary, events and claims from before" in out.err and "storyline analyze" in out.err


def test_rows_of_migration_11_hold_when_read_only(grown: tuple[Path, list[tuple[str, bool]]], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A store made before migration 12 (no ``n_docs``), opened by a read: its rows hold."""
    db = tmp_path / "m11.db"
    shutil.copy(grown[0], db)
    with Store(db) as s:
        want = [{**st.to_record(), **story_fields(s, st.documents)} for st in story_list(s)]
        with s.transaction():
            s.conn.execute("ALTER TABLE story_fields DROP COLUMN n_docs")
            s.conn.execute("DELETE FROM migrations WHERE version = 12")
    _no_deriving(monkeypatch)
    with Store(db, readonly=True) as s:
        assert list(stored.story_records(s, story_list(s))) == want
