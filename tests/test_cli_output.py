"""The shared output options of the listing commands (issue #14): --format table|json|jsonl|csv|tsv,
--json as JSON Lines, --limit, --out; headers and clean truncation in table mode; and the
progress display (one bar per phase, summaries kept, silent off a terminal)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from storyline.cli import build_parser, main
from storyline.countries import country_name
from storyline.output import COLUMNS, Column, cell, write_records
from storyline.progress import Progress, enabled
from storyline.store import Store

LISTINGS = ["docs", "rejects", "reuse", "templates", "entities", "places", "times", "claims", "events", "stories"]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    assert main(args) == 0
    got = capsys.readouterr()
    return got.out, got.err


@pytest.mark.parametrize("command", LISTINGS)
def test_every_listing_command_has_the_shared_options(command: str) -> None:
    parse = build_parser().parse_args
    for fmt in ("table", "json", "jsonl", "csv", "tsv"):
        assert parse([command, "--format", fmt]).format == fmt
    args = parse([command, "--json", "--limit", "3", "--out", "x.jsonl"])
    assert (args.format, args.limit, args.out) == ("jsonl", 3, "x.jsonl")
    assert [parse([command, flag]).format for flag in ("--nl", "--csv", "--tsv")] == ["jsonl", "csv", "tsv"]
    with pytest.raises(SystemExit):
        parse([command, "--format", "xml"])
    with pytest.raises(SystemExit):
        parse([command, "--limit", "-1"])


def test_docs_table_has_a_header_and_cuts_at_words(sample_store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = run(["docs", "--db", sample_store.path], capsys)
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["id", "status", "lang", "published"] and "title" in lines[0]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert len(lines) == 2 + 5
    # a title wider than its column ends in "…" after a whole word
    breitbart = next(line for line in lines if "Breitbart" in line)
    assert breitbart.endswith("…") and not breitbart.endswith(" …")
    full = "Reports: Islamic State Leaders Moving Out of Raqqa as Marines Inch Closer"
    shown = breitbart[breitbart.index("Reports:"):-1]
    assert full.startswith(shown) and full[len(shown)] == " "


def test_docs_csv_tsv_json_and_limit(sample_store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    db = sample_store.path
    out, _ = run(["docs", "--db", db, "--format", "csv"], capsys)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 5 and {"id", "title", "outlet", "published", "url"} <= set(rows[0])
    assert any("," in r["title"] for r in rows)  # a comma inside a field survives the quoting
    out, _ = run(["docs", "--db", db, "--format", "tsv", "--limit", "2"], capsys)
    lines = out.splitlines()
    assert len(lines) == 3 and all(len(line.split("\t")) == len(lines[0].split("\t")) for line in lines)
    out, _ = run(["docs", "--db", db, "--format", "json", "--limit", "2"], capsys)
    assert [r["id"] for r in json.loads(out)] == [r["id"] for r in rows[:2]]
    out, _ = run(["docs", "--db", db, "--json"], capsys)  # JSON Lines, as before
    assert [json.loads(line)["id"] for line in out.splitlines()] == [r["id"] for r in rows]


def test_out_writes_a_file(sample_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "sub" / "claims.csv"
    out, err = run(["claims", "--db", sample_store.path, "--format", "csv", "--out", str(target)], capsys)
    assert out == "" and "written to" in err
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert rows and {"speaker", "cue", "content", "certainty", "independent"} <= set(rows[0])


@pytest.mark.parametrize("command", ["entities", "places", "times", "claims", "reuse", "stories", "events"])
def test_csv_of_each_listing(command: str, sample_store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = run([command, "--db", sample_store.path, "--format", "csv", "--limit", "4"], capsys)
    rows = list(csv.reader(io.StringIO(out)))
    assert 2 <= len(rows) <= 5 and all(len(r) == len(rows[0]) for r in rows)
    out, _ = run([command, "--db", sample_store.path, "--format", "table", "--limit", "4"], capsys)
    lines = out.splitlines()
    assert lines[0].strip() and set(lines[1].replace(" ", "")) == {"-"} and len(lines) == len(rows) + 1


def test_events_csv_keeps_the_acled_columns(sample_store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = run(["events", "--db", sample_store.path, "--format", "csv"], capsys)
    header = out.splitlines()[0].split(",")
    assert {"event_date", "event_type", "actor1", "latitude", "longitude", "geo_precision"} <= set(header)
    out, _ = run(["events", "--db", sample_store.path, "--format", "tsv", "--limit", "1"], capsys)
    assert out.splitlines()[0].split("\t") == header


def test_cells_and_table_are_printable() -> None:
    assert cell(None) == "" and cell(["a", "b"]) == "a; b" and cell({"name": "Raqqa", "lat": 1}) == "Raqqa"
    assert cell(35.95283) == "35.95283" and cell(True) == "true"
    out = io.StringIO()
    cols = (Column("name", lambda r: r["name"], 12),)
    write_records([{"name": "evil\x1b[2Jname\nsecond line"}], "table", out, columns=cols)
    assert "\x1b" not in out.getvalue() and out.getvalue().count("\n") == 3
    tsv = io.StringIO()
    write_records([{"name": "a\tb\nc"}], "tsv", tsv, columns=cols)
    assert tsv.getvalue() == "name\na b c\n"
    assert all(c.name for cols in COLUMNS.values() for c in cols)


def test_country_names_in_prose() -> None:
    assert country_name("SY") == "Syria" and country_name("iq") == "Iraq"
    assert country_name("ZZ") == "ZZ" and country_name(None) == ""


def test_progress_phases_and_summary_lines() -> None:
    stream = io.StringIO()
    p = Progress(stream)
    p.read(3)
    p.queued(3)
    p.analysed(2)
    p.analysed(1)
    p.corpus_queued(3)
    p.indexed(3)
    p.close()
    # the bars are drawn with carriage returns and cursor moves; each summary ends a line
    lines = re.findall(r"(read|analyse|corpus) +(\d+) (\w+) in [\d.]+ s \([\d.]+/s\)\n", stream.getvalue())
    assert lines == [("read", "3", "records"), ("analyse", "3", "documents"), ("corpus", "3", "documents")]


def test_progress_is_silent_off_a_terminal(sample_dir: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert not enabled(None, io.StringIO()) and enabled(True) and not enabled(False)
    silent = Progress.auto(None, io.StringIO())
    silent.read(5)
    silent.close()
    assert main(["ingest", str(sample_dir / "000_ebeb837479de5acd.txt"), "--db", str(tmp_path / "p.db"),
                 "--no-corpus"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("storyline ingest: 1 ingested") and "records in" not in err
    assert main(["analyze", "--db", str(tmp_path / "p.db"), "-q"]) == 0


def test_an_entity_page_shows_its_first_mentions_and_their_counts(sample_store: Store,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    db = sample_store.path
    whole = [json.loads(x) for x in run(["entities", "--db", db, "--json"], capsys)[0].splitlines()]
    out, _ = run(["entities", "--db", db, "--json", "--limit", "3", "--mentions", "1"], capsys)
    page = [json.loads(x) for x in out.splitlines()]
    assert [r["id"] for r in page] == [r["id"] for r in whole[:3]]
    assert all(len(r["mentions"]) == 1 and r["mention_count"] == len(w["mentions"]) for r, w in zip(page, whole))
    out, _ = run(["entities", "--db", db, "--json", "--limit", "3", "--mentions", "all"], capsys)
    assert [json.loads(x) for x in out.splitlines()] == whole[:3]
    table, _ = run(["entities", "--db", db, "--limit", "1", "--mentions", "1"], capsys)
    n = len(whole[0]["mentions"])
    assert n > 1 and re.search(rf"\s{n}\s", table.splitlines()[2])  # the count, not the one shown
    with pytest.raises(SystemExit):
        build_parser().parse_args(["entities", "--mentions", "some"])
