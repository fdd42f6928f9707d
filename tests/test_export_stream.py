"""Exports read and write a page at a time: `claims` and `events` in json, jsonl, csv and tsv
give the bytes the whole-answer read gave, with pages as small as two records, and hold one
page (and one consistent state of the store) at a time."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storyline.cli import main
from storyline.corpus import claim_store, persist
from storyline.corpus.event_exports import CSV_COLUMNS, event_rows
from storyline.corpus.persist import claim_report, event_list, iter_claims, iter_events
from storyline.output import cell, field, write_records
from storyline.store import Store


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(args) == 0
    return capsys.readouterr().out


def _reference(records: list[dict[str, Any]], fmt: str) -> str:
    """What a whole-answer write gives: one ``json.dumps`` of the list, or one line each."""
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


@pytest.fixture
def pages_of_two(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Every export read in pages of 2; the sizes of the claim pages read are recorded."""
    monkeypatch.setattr(persist, "CLAIM_PAGE", 2)
    monkeypatch.setattr(persist, "EVENT_PAGE", 2)
    sizes: list[int] = []
    real = claim_store.stored_claims

    def counted(*a: Any, **k: Any) -> Any:
        got = real(*a, **k)
        if k.get("limit") is not None:
            sizes.append(len(got.claims))
        return got

    monkeypatch.setattr(claim_store, "stored_claims", counted)
    yield sizes


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_claims_export_in_pages_is_the_whole_answer(sample_store: Store, pages_of_two: list[int], fmt: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    whole = [c.to_record() for c in claim_report(sample_store).claims]
    assert len(whole) > 4
    out = _run(["claims", "--db", sample_store.path, "--format", fmt], capsys)
    assert out == _reference(whole, fmt)
    assert pages_of_two and max(pages_of_two) == 2 and sum(pages_of_two) == len(whole)
    pages_of_two.clear()
    out = _run(["claims", "--db", sample_store.path, "--format", fmt, "--limit", "3"], capsys)
    assert out == _reference(whole[:3], fmt) and pages_of_two == [3]  # --limit alone: one read
    sources = [r for r in whole if r["independent_sources"] >= 2]
    out = _run(["claims", "--db", sample_store.path, "--format", fmt, "--min-sources", "2"], capsys)
    assert out == _reference(sources, fmt)


def test_claims_csv_and_speaker_filter_in_pages(sample_store: Store, pages_of_two: list[int],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    whole = claim_report(sample_store).claims
    out = _run(["claims", "--db", sample_store.path, "--format", "csv"], capsys)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["content"] for r in rows] == [cell(field("content").get(c.to_record())) for c in whole]
    named = str(next(c.speaker["name"] for c in whole if c.speaker and c.speaker.get("name")))
    want = [c.to_record() for c in whole if c.speaker and named.lower() in (c.speaker.get("name") or "").lower()]
    out = _run(["claims", "--db", sample_store.path, "--json", "--speaker", named], capsys)
    assert out == _reference(want, "jsonl")


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "tsv"])
def test_events_export_in_pages_is_the_whole_answer(sample_store: Store, pages_of_two: list[int], fmt: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    events = event_list(sample_store)
    assert len(events) > 4 and any(e.claims for e in events)  # the claims linked page by page too
    out = _run(["events", "--db", sample_store.path, "--format", fmt], capsys)
    if fmt in ("json", "jsonl"):
        assert out == _reference([e.to_record() for e in events], fmt)
    else:
        outlets = {r[0]: r[1] or r[0] for r in sample_store.conn.execute("SELECT id, outlet FROM documents")}
        buf = io.StringIO()
        write_records([], fmt, buf, columns=[field(c) for c in CSV_COLUMNS], rows=event_rows(events, outlets))
        assert out == buf.getvalue()
    kind = events[0].type
    out = _run(["events", "--db", sample_store.path, "--json", "--type", kind], capsys)
    assert out == _reference([e.to_record() for e in events if e.type == kind], "jsonl")


def test_iterators_equal_the_whole_reads(sample_store: Store) -> None:
    for page in (1, 3, 1000):
        assert list(iter_claims(sample_store, page=page)) == claim_report(sample_store).claims
        assert [e.to_record() for e in iter_events(sample_store, page=page)] == [
            e.to_record() for e in event_list(sample_store)]


def test_json_array_written_an_item_at_a_time_is_one_dump() -> None:
    items: list[dict[str, Any]] = [{"a": [1, {"b": "two\nlines", "c": []}], "d": {}}, {}, {"e": "ü \" \\ ]"}]
    for n in range(len(items) + 1):
        buf = io.StringIO()
        assert write_records(iter(items[:n]), "json", buf) == n
        assert buf.getvalue() == json.dumps(items[:n], ensure_ascii=False, indent=1) + "\n"


def test_an_export_reads_one_state_of_the_store(sample_store: Store, tmp_path: Path) -> None:
    """Inside ``snapshot`` a write by another connection is not seen, page after page."""
    want = claim_report(sample_store).claims
    db = tmp_path / "snap.db"
    with sqlite3.connect(sample_store.path) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    with Store(db, readonly=True) as store:
        pages = iter_claims(store, page=2)
        with store.snapshot():
            first = next(pages)
            with sqlite3.connect(db) as other:
                other.execute("DELETE FROM claims")
            rest = list(pages)
        assert [first, *rest] == want
        assert claim_report(store).claims == []  # after the snapshot: the write is seen
