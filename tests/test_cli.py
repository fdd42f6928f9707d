"""The CLI: help for every command, demo, docs/show/rejects shapes, exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from storyline.cli import build_parser, main

COMMANDS = ["ingest", "analyze", "docs", "show", "rejects", "reuse", "templates", "provenance", "entities", "places", "times", "claims", "events", "stories", "report", "serve", "check", "demo"]
DOC_FIELDS = {"id", "title", "url", "outlet", "byline", "dateline", "published", "published_precision",
              "published_source", "status", "source_path"}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "storyline.cli", *args], capture_output=True, text=True)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "example" in out and f"storyline {command}" in out


def test_misuse_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["ingest"])
    assert exc.value.code == 2


def test_demo_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run("demo", "--out", str(out))
    assert first.returncode == 0, first.stderr
    assert "5 ingested" in first.stdout
    for needle in ("2017-03-09", "2016-10-13", "2016-10 (month", "2015-11 (month", "Breitbart", "Rudaw", "ARA News"):
        assert needle in first.stdout
    assert (out / "storyline.db").exists() and (out / "documents.jsonl").exists()
    # counts in the right number (issue #14): no "1 docs", no "doc(s)"
    assert not re.search(r"(?<![\d.,])1 (docs|documents|stories|episodes|passages|sources)\b", first.stdout)
    assert "(s)" not in first.stdout
    again = run("demo", "--out", str(out))  # idempotent: a fresh store each run
    assert again.returncode == 0 and "5 ingested" in again.stdout
    db = str(out / "storyline.db")
    docs = [json.loads(l) for l in run("docs", "--db", db, "--json").stdout.splitlines()]
    assert len(docs) == 5 and all(DOC_FIELDS <= set(d) for d in docs)
    shown = json.loads(run("show", docs[0]["id"][:6], "--db", db, "--json").stdout)
    assert {"text", "removed"} <= set(shown)
    assert all({"text", "reason"} <= set(r) for r in shown["removed"])
    human = run("show", docs[1]["id"], "--db", db)
    assert human.returncode == 0 and "removed or moved to metadata" in human.stdout
    assert run("check", "--db", db).returncode == 0
    # the demo ends with the report's path; stories and report read the same store
    last = first.stdout.strip().splitlines()[-1]
    assert last.startswith("the situation report") and last.endswith("report.html")
    assert Path(last.split(": ", 1)[1]).is_file()
    stories = [json.loads(l) for l in run("stories", "--db", db, "--json").stdout.splitlines()]
    assert len(stories) == 1
    story = stories[0]
    assert {"id", "title", "documents", "start", "end", "summary", "events", "claims", "episodes"} <= set(story)
    assert sorted(story["documents"]) == sorted(d["id"] for d in docs)
    assert story["summary"] and all(x["evidence"] and {"sentence", "evidence"} <= set(x) for x in story["summary"])
    rebuilt = run("stories", "--db", db, "--rebuild", "--json")
    assert rebuilt.returncode == 0, rebuilt.stderr
    after = [json.loads(l) for l in rebuilt.stdout.splitlines()]
    assert len(after) == 1 and sorted(after[0]["documents"]) == sorted(story["documents"])
    md = out / "story.md"
    made = run("report", after[0]["id"][:6], "--db", db, "--format", "md", "--out", str(md))
    assert made.returncode == 0, made.stderr
    assert md.read_text(encoding="utf-8").startswith("# ")
    report = json.loads(run("report", "--db", db, "--format", "json").stdout)
    assert {"story", "summary", "numbers", "timeline", "map", "provenance", "speakers", "contradictions",
            "sources"} <= set(report)
    missing = run("report", "s-nope", "--db", db)
    assert missing.returncode == 1 and "E407" in missing.stderr


def test_unknown_doc_is_a_coded_error(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    assert "[E303]" in run("docs", "--db", db).stderr  # no store yet
    (tmp_path / "empty").mkdir()
    run("ingest", str(tmp_path / "empty"), "--db", db)
    res = run("show", "ffffffff", "--db", db)
    assert res.returncode == 1 and "[E401]" in res.stderr and "storyline docs" in res.stderr


def test_ingest_json_prints_documents(tmp_path: Path, sample_dir: Path) -> None:
    res = run("ingest", str(sample_dir), "--db", str(tmp_path / "s.db"), "--json")
    assert res.returncode == 0, res.stderr
    assert len(res.stdout.splitlines()) == 5
    assert "5 ingested, 0 unchanged, 0 rejected" in res.stderr


def test_store_newer_than_code_is_refused(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "new.db"
    (tmp_path / "empty").mkdir()
    run("ingest", str(tmp_path / "empty"), "--db", str(db))
    con = sqlite3.connect(db)
    con.execute("INSERT INTO migrations (version, name) VALUES (999, 'from the future')")
    con.commit()
    con.close()
    res = run("docs", "--db", str(db))
    assert res.returncode == 1 and "[E302]" in res.stderr


def test_parser_builds_without_heavy_imports(tmp_path: Path) -> None:
    """Commands that do not need spaCy or trafilatura must not pay for importing them."""
    (tmp_path / "empty").mkdir()
    main(["ingest", str(tmp_path / "empty"), "--db", str(tmp_path / "s.db")])
    code = "import sys; from storyline.cli import main; main(['docs', '--db', sys.argv[1]]); " \
           "print(sorted(m for m in ('spacy', 'trafilatura', 'torch') if m in sys.modules))"
    res = subprocess.run([sys.executable, "-c", code, str(tmp_path / "s.db")], capture_output=True, text=True)
    assert res.stdout.strip().endswith("[]"), res.stdout + res.stderr


def test_build_parser_lists_all_commands() -> None:
    text = build_parser().format_help()
    for c in COMMANDS:
        assert c in text
