"""A damaged store (issue #15, case 18): ``storyline check`` lists the damage instead of dying
with a traceback, read commands name the store and say to run ``check``, and commands that
write refuse to write into it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storyline.cli import main
from storyline.errors import StorylineError
from storyline.layers import CORE_SLOTS
from storyline.store import Store
from storyline.store.check import check_store
from storyline.types import Doc, DocMeta, Removed

MARKER = "Convoys were seen leaving Tabqa at dawn"
TITLE = "Unique headline about the Tabqa dam"


def _store(path: Path) -> Path:
    """Three finished documents (text, metadata, removed stretches, one layer), written the
    way the stages write them, without running the models."""
    with Store(path) as store, store.transaction():
        for i in range(3):
            first = MARKER if i == 1 else "Another report"
            text = f"{first} number {i}, officials said on Monday.\n\n" + "More. " * 40
            doc = Doc(id=f"{i:016x}", source_path=f"/in/{i}.txt", locator="", content_type="text",
                      raw=text.encode())
            store.insert_document(doc, url=f"https://example.org/{i}")
            doc.text, doc.status = text, "ok"
            doc.meta = DocMeta(title=TITLE if i == 1 else f"Report {i}", url=f"https://example.org/{i}")
            doc.removed = [Removed(text="Share this", reason="boilerplate", start=0, end=10)]
            doc.sentences = [(0, 20)]
            store.save_stage_results(doc, slots=CORE_SLOTS | {"sentences"})
    with sqlite3.connect(path) as con:  # everything into the main file, as after a clean exit
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def _overwrite(path: Path, at: int, data: bytes) -> None:
    raw = bytearray(path.read_bytes())
    raw[at : at + len(data)] = data
    path.write_bytes(bytes(raw))


def _zero_page(path: Path, table: str) -> None:
    with sqlite3.connect(path) as con:
        page_size = con.execute("PRAGMA page_size").fetchone()[0]
        root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    _overwrite(path, (root - 1) * page_size, bytes(page_size))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return _store(tmp_path / "news.db")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_a_sound_store_passes(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = check_store(db)
    assert report.ok and report.documents == 3 and report.rows["documents"] == 3
    rc, out, err = run(capsys, "check", "--db", str(db))
    assert rc == 0 and out == "" and "0 problems" in err


def test_twenty_bytes_overwritten_in_a_text(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Content damage: SQLite's integrity_check says "ok", the read-back does not."""
    data = db.read_bytes()
    assert data.count(MARKER.encode()) == 1
    _overwrite(db, data.index(MARKER.encode()) + 5, b"\xff" * 20)
    assert [r[0] for r in sqlite3.connect(db).execute("PRAGMA integrity_check")] == ["ok"]
    report = check_store(db)
    assert any("not valid UTF-8" in str(p) and "documents" in str(p) for p in report.problems)
    assert any(str(p).startswith("document 0000000000000001") for p in report.problems)
    rc, out, err = run(capsys, "check", "--db", str(db))
    assert rc == 1 and "not valid UTF-8" in out and "E307" in err
    for command in ("docs", "show"):
        argv = [command, "0000000000000001"] if command == "show" else [command]
        rc, out, err = run(capsys, *argv, "--db", str(db))
        assert rc == 1 and "Traceback" not in err
        assert "E304" in err and str(db) in err and "storyline check" in err
        assert "\xff" not in err and "\ufffd" not in err  # the damaged bytes are not echoed


def test_broken_json_is_named(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = db.read_bytes()
    quoted = f'"{TITLE}"'.encode()  # in the metadata JSON (the title column holds it unquoted)
    assert data.count(quoted) == 1
    _overwrite(db, data.index(quoted), b"#")
    report = check_store(db)
    assert any("meta is not valid JSON" in str(p) for p in report.problems)
    rc, _, err = run(capsys, "docs", "--db", str(db))
    assert rc == 1 and "E306" in err and "document 0000000000000001" in err and "storyline check" in err


def test_a_zeroed_page(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Structural damage: check lists it, reads fail with a coded message, writers refuse."""
    _zero_page(db, "documents")
    report = check_store(db)  # does not raise
    assert not report.ok and any(p.where == "integrity" for p in report.problems)
    rc, out, err = run(capsys, "check", "--db", str(db))
    assert rc == 1 and out and "Traceback" not in err
    rc, _, err = run(capsys, "docs", "--db", str(db))
    assert rc == 1 and "E304" in err and "storyline check" in err
    before = db.read_bytes()
    new = tmp_path / "new.txt"
    new.write_text("Title\n\nTroops entered the town of Manbij on Friday, officials said.\n")
    for argv in (["ingest", str(new), "--no-progress"], ["analyze"]):
        rc, _, err = run(capsys, *argv, "--db", str(db))
        assert rc == 1 and "E305" in err and "nothing was written" in err, err
    assert db.read_bytes() == before
    assert not Path(str(db) + "-wal").exists() or Path(str(db) + "-wal").stat().st_size == 0


def test_not_a_database_at_all(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"this is not a store" * 300)
    report = check_store(bogus)
    assert not report.ok
    rc, _, err = run(capsys, "check", "--db", str(bogus))
    assert rc == 1 and "Traceback" not in err
    rc, _, err = run(capsys, "ingest", str(bogus), "--db", str(bogus))
    assert rc == 1 and ("E305" in err or "E301" in err)


def test_the_web_app_names_a_damaged_store(db: Path) -> None:
    from fastapi.testclient import TestClient

    from storyline.app import create_app

    data = db.read_bytes()
    _overwrite(db, data.index(MARKER.encode()) + 5, b"\xff" * 20)
    with TestClient(create_app(db), base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        r = c.get("/api/docs/0000000000000001")
        assert r.status_code == 503 and r.json()["error"]["code"] == "E304"
        assert "storyline check" in r.json()["error"]["message"]
        assert c.get("/api/docs/0000000000000000").status_code == 200  # the sound documents are served


def test_a_damaged_story_record_is_listed(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The stored story records (migration 10) are JSON read back like the other JSON columns:
    a sound one passes, a damaged one is a listed problem, not a crash."""
    marker = "Tabqa dam story record"
    con = sqlite3.connect(db)
    with con:
        con.execute("INSERT INTO story_records (story_id, n_docs, seq_sum, title_n, dirty, key, record)"
                    " VALUES ('st_1', 3, 6, 3, 0, 'k', ?)", (f'{{"id": "st_1", "title": "{marker}"}}',))
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # into the main file, as after a clean exit
    con.close()
    report = check_store(db)
    assert report.ok and report.rows["story_records"] == 1
    data = db.read_bytes()
    quoted = f'"{marker}"'.encode()
    assert data.count(quoted) == 1
    _overwrite(db, data.index(quoted), b"#")  # the record's JSON no longer parses
    report = check_store(db)
    assert [str(p) for p in report.problems if "story_records" in str(p)] == [
        "table story_records row 1 (story_id='st_1'): column record is not valid JSON"
        " (JSONDecodeError: Expecting value: line 1 column 25 (char 24))"]
    rc, out, err = run(capsys, "check", "--db", str(db))
    assert rc == 1 and "story_records" in out and "column record is not valid JSON" in out and "Traceback" not in err


def test_every_stored_corpus_record_is_parsed(sample_store: Store, tmp_path: Path) -> None:
    """The corpus layers' JSON (what claims, events and stories print) is read back too: a
    damaged stored claim, event or claim input is named with its table and column."""
    db = tmp_path / "copy.db"
    with sqlite3.connect(db) as dst:
        sample_store.conn.backup(dst)
    report = check_store(db, documents=False)
    assert report.ok, report.messages()
    for table in ("claims", "events", "claim_inputs", "event_units", "doc_listings"):
        assert report.rows[table] > 0
    damaged = {}
    with sqlite3.connect(db) as con:
        for table, column in (("claims", "record"), ("events", "record"), ("claim_inputs", "features")):
            first = f"(SELECT {column} FROM {table} ORDER BY {column} LIMIT 1)"  # some tables have no rowid
            damaged[table, column] = con.execute(
                f"UPDATE {table} SET {column} = substr({column}, 2) WHERE {column} = {first}").rowcount
    problems = [str(p) for p in check_store(db, documents=False).problems]
    for (table, column), n in damaged.items():
        assert n >= 1
        assert sum(f"table {table} row" in p and f"column {column} is not valid JSON" in p for p in problems) == n


def test_a_kept_count_that_drifted_is_named(sample_store: Store, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """A writer that bypasses the counting triggers (a REPLACE's deletion fires none) leaves
    the kept passage count off the rows: check names the count and both numbers."""
    db = tmp_path / "copy.db"
    with sqlite3.connect(db) as dst:
        sample_store.conn.backup(dst)
    assert check_store(db, documents=False).ok
    with sqlite3.connect(db) as con:
        n = con.execute("SELECT count(*) FROM copied_passages WHERE discounted IS NULL").fetchone()[0]
        assert n > 0
        con.execute("INSERT OR REPLACE INTO copied_passages (source_doc, source_start, source_end, copy_doc,"
                    " copy_start, copy_end, similarity, direction) SELECT source_doc, source_start, source_end,"
                    " copy_doc, copy_start, copy_end, similarity, direction FROM copied_passages"
                    " WHERE discounted IS NULL LIMIT 1")
    report = check_store(db, documents=False)
    assert [str(p) for p in report.problems if p.where == "kept counts"] == [
        f"kept counts: counting_passages is kept as {n + 1} but {n} rows are there"]
    rc, out, _ = run(capsys, "check", "--db", str(db), "--quick")
    assert rc == 1 and f"counting_passages is kept as {n + 1} but {n} rows are there" in out


def test_a_large_store_is_not_read_whole_at_every_writer_open(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Above OPEN_CHECK_MAX_BYTES a writer does not run quick_check (every page read, minutes
    at 100,000 documents); it still refuses a truncated file, and SQLite still refuses a
    damaged page a write touches, without writing anything of the batch."""
    from storyline.store import check

    monkeypatch.setattr(check, "OPEN_CHECK_MAX_BYTES", 0)  # every store is "large"

    def no_quick_check(conn: sqlite3.Connection) -> str | None:
        raise AssertionError("quick_check ran on a large store")

    monkeypatch.setattr(check, "quick_check", no_quick_check)
    with Store(db) as store:  # a sound store opens
        assert store.conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 3

    cut = tmp_path / "cut.db"  # a copy that lost its last pages (a full disk, an interrupted copy)
    data = db.read_bytes()
    with sqlite3.connect(db) as con:
        page_size = con.execute("PRAGMA page_size").fetchone()[0]
    cut.write_bytes(data[: len(data) - 2 * page_size])
    with pytest.raises(StorylineError) as info:
        Store(cut)
    assert info.value.code == "E305" and "malformed" in str(info.value) and str(cut) in str(info.value)
    assert cut.read_bytes() == data[: len(data) - 2 * page_size]

    _zero_page(db, "documents")  # damage the open check does not read: the write that touches it fails
    before = db.read_bytes()
    new = tmp_path / "new.txt"
    new.write_text("Title\n\nTroops entered the town of Manbij on Friday, officials said.\n")
    rc, _, err = run(capsys, "ingest", str(new), "--no-progress", "--db", str(db))
    assert rc == 1 and "Traceback" not in err and str(db) in err and "storyline check" in err, err
    assert db.read_bytes() == before
    assert not Path(str(db) + "-wal").exists() or Path(str(db) + "-wal").stat().st_size == 0
