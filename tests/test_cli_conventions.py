"""CLI conventions (issue #14): global options on either side of the command, short id
prefixes refused with a coded message, titles cut at a word boundary, correct plurals, and
no store file left behind by an ingest that had nothing to read."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyline.cli import _cut, _doc_line, _plural, build_parser, main


@pytest.mark.parametrize("command", ["docs", "show", "ingest", "demo", "check", "serve", "report"])
def test_db_before_or_after_the_command(command: str) -> None:
    extra = {"show": ["abcd"], "ingest": ["x"]}.get(command, [])
    parse = build_parser().parse_args
    assert parse(["--db", "before.db", command, *extra]).db == "before.db"
    assert parse([command, *extra, "--db", "after.db"]).db == "after.db"
    assert parse(["--db", "before.db", command, *extra, "--db", "after.db"]).db == "after.db"
    assert parse([command, *extra]).db is None  # the default still comes from Config / the demo


def test_db_before_the_command_is_used(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    db = tmp_path / "real.db"
    assert main(["--db", str(db), "ingest", str(tmp_path / "empty")]) == 0
    assert db.is_file()
    assert main(["--db", str(db), "docs"]) == 0
    assert "E303" not in capsys.readouterr().err


def test_short_id_prefix_is_a_coded_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    db = str(tmp_path / "s.db")
    assert main(["ingest", str(tmp_path / "empty"), "--db", db]) == 0
    capsys.readouterr()
    assert main(["show", "9", "--db", db]) == 1
    err = capsys.readouterr().err
    assert "[E408]" in err and "'9'" in err and "4 or more characters" in err
    assert main(["show", "9abc", "--db", db]) == 1  # 4 characters: looked up, not found
    assert "[E401]" in capsys.readouterr().err


def test_ingest_of_nothing_creates_no_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "t.db"
    assert main(["ingest", str(tmp_path / "nonexistent"), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "[E101]" in err and "nonexistent" in err and "no store created" in err
    assert not any(tmp_path.glob("t.db*"))
    # one path present: the store is made and the missing one is rejected as before
    (tmp_path / "empty").mkdir()
    assert main(["ingest", str(tmp_path / "empty"), str(tmp_path / "nonexistent"), "--db", str(db)]) == 1
    assert db.is_file() and "[E101]" in capsys.readouterr().err


def test_plural() -> None:
    assert _plural(1, "doc") == "1 doc"
    assert _plural(0, "doc") == "0 docs"
    assert _plural(2, "story", "stories") == "2 stories"
    assert _plural(1, "story", "stories") == "1 story"
    assert _plural(3, "episode", width=3) == "  3 episodes"


def test_cut_at_a_word_boundary() -> None:
    assert _cut("short title", 80) == "short title"
    title = "Syrian Democratic Forces announce the start of the second phase of the Raqqa offensive today"
    cut = _cut(title, 80)
    assert len(cut) <= 80 and cut.endswith("…")
    assert title.startswith(cut[:-1]) and title[len(cut) - 1] == " "  # whole words only
    assert _cut("x" * 100, 80) == "x" * 79 + "…"  # one long word: cut inside it


def test_doc_line_title_is_cut_cleanly() -> None:
    rec = {"id": "a" * 16, "status": "ok", "language": "en", "published": None, "outlet": "Rudaw",
           "title": "word " * 30}
    line = _doc_line(rec)
    assert line.endswith("word…")
