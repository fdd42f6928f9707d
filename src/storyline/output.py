"""One set of output options for every listing command (``docs``, ``claims``, ``events``, …).

::

    --format table|json|jsonl|csv|tsv   (some commands add text, geojson, parquet)
    --json (or --nl)                    same as --format jsonl: one records.md object per line
    --csv, --tsv                        same as --format csv, --format tsv
    --limit N                           at most N records
    --out FILE                          write to FILE instead of stdout

The choices follow what users of sqlite-utils, datasette and trafilatura expect: ``json`` is
one JSON array, ``jsonl`` (and ``--json``, as before) one object per line — the records of
``docs/records.md`` in both; ``csv`` and ``tsv`` have a header row and one flat row per record
(lists joined with ``"; "``, a place or person by its name); ``table`` is for reading: a header,
a rule, columns padded to their content and cut at a word with "…" past their width.

Only what a person reads on a terminal is made printable (control characters shown as
escapes, as :mod:`storyline.cli` does for every line); CSV keeps the data as stored (the
``csv`` module quotes what needs it), TSV — which cannot quote — turns tabs and line breaks
into spaces.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any

__all__ = ["COLUMNS", "FORMATS", "Column", "add_output_options", "cell", "cut", "field", "open_out", "write_records"]

FORMATS = ("table", "json", "jsonl", "csv", "tsv")

RECORDS_HELP = "docs/records.md"


@dataclass(frozen=True)
class Column:
    """A column of the flat formats: ``name`` (the header), how to get its value from a record,
    and its widest width in ``table`` (0: only in csv/tsv)."""

    name: str
    get: Callable[[dict[str, Any]], Any]
    width: int = 24
    right: bool = False  # numbers align right in a table


def field(name: str, width: int = 24, *, right: bool = False, header: str | None = None) -> Column:
    """A column that is the record's top-level field ``name``."""
    return Column(header or name, lambda r: r.get(name), width, right)


def add_output_options(
    p: argparse.ArgumentParser, *, record: str, formats: Sequence[str] = FORMATS, default: str = "table",
    out: bool = True, note: str = "",
) -> None:
    """The shared ``--format``/``--json``/``--limit``/``--out`` options of a listing command;
    ``record`` names its records.md section and ``note`` says more about its formats (help)."""
    p.add_argument(
        "--format", choices=list(formats), default=default, metavar="FORMAT",
        help=f"{'|'.join(formats)} (default: {default}); json: one array, jsonl: one {record} per line "
        f"({RECORDS_HELP}); csv/tsv: a header and one flat row per record" + (f"; {note}" if note else ""),
    )
    p.add_argument("--json", "--nl", dest="format", action="store_const", const="jsonl",
                   help=f"same as --format jsonl: one {RECORDS_HELP} {record} per line")
    for flat in ("csv", "tsv"):  # the spellings sqlite-utils users type
        if flat in formats:
            p.add_argument(f"--{flat}", dest="format", action="store_const", const=flat, help=f"same as --format {flat}")
    p.add_argument("--limit", type=_positive, metavar="N", help="at most N records")
    if out:
        p.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {n}")
    return n


# ------------------------------------------------------------------------------- cells

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    ch = match[0]
    return _ESCAPES.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def cell(value: Any) -> str:
    """A record value as one flat cell: ``None`` empty, lists joined with ``"; "``, an object
    by its ``name`` (a place, an actor) or its ``value`` (a time), numbers as written."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        for key in ("name", "value", "text", "id"):
            if value.get(key) is not None:
                return cell(value[key])
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "; ".join(cell(v) for v in value)
    return str(value)


def cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters: cut at a word boundary, ending in "…"."""
    if len(text) <= width:
        return text
    head = text[: width - 1]
    space = head.rfind(" ")
    if space > width // 2:  # a very long word is cut inside rather than leaving half the room empty
        head = head[:space]
    return head.rstrip(" ,;:-–—") + "…"


def _printable(text: str) -> str:
    return _UNSAFE.sub(_escape, text)


# ------------------------------------------------------------------------------ writers

def write_records(
    records: Iterable[dict[str, Any]], fmt: str, fh: IO[str], *, columns: Sequence[Column] = (),
    limit: int | None = None, rows: Iterable[dict[str, Any]] | None = None,
) -> int:
    """Write ``records`` to ``fh`` in ``fmt`` and return how many were written. ``columns``
    make the flat formats (``table``, ``csv``, ``tsv``); ``rows``, when given, are flat rows
    to use for them instead of ``records`` (e.g. the ACLED-style event rows). Every format but
    ``table`` (which sizes its columns to all rows) writes each record as it comes: an export
    of a generator holds one record at a time, and ``json`` gives the bytes of one
    ``json.dumps(records, indent=1)``."""
    if fmt not in ("json", "jsonl", "table", "csv", "tsv"):
        raise ValueError(f"unknown output format {fmt!r}")
    source = records if fmt in ("json", "jsonl") or rows is None else rows
    items = islice(source, limit) if limit is not None else iter(source)
    if fmt == "jsonl":
        n = 0
        for r in items:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
            n += 1
        return n
    if fmt == "json":
        return _json_array(items, fh)
    if fmt == "table":
        listed = list(items)
        _table(listed, [c for c in columns if c.width], fh)
        return len(listed)
    return _delimited(items, columns, fh, tab=fmt == "tsv")


def _json_array(items: Iterable[dict[str, Any]], fh: IO[str]) -> int:
    """``json.dumps(list(items), ensure_ascii=False, indent=1)`` and a newline, written an item
    at a time (an item inside the array is the item's own dump, each line indented one space:
    no JSON string holds a raw line break)."""
    n = 0
    for r in items:
        fh.write(("[\n" if n == 0 else ",\n") + " " + json.dumps(r, ensure_ascii=False, indent=1).replace("\n", "\n "))
        n += 1
    fh.write("\n]\n" if n else "[]\n")
    return n


def _delimited(items: Iterable[dict[str, Any]], columns: Sequence[Column], fh: IO[str], *, tab: bool) -> int:
    n = 0
    if tab:  # TSV cannot quote: a tab or line break inside a value becomes a space
        fh.write("\t".join(c.name for c in columns) + "\n")
        for r in items:
            fh.write("\t".join(re.sub(r"[\t\r\n]+", " ", cell(c.get(r))) for c in columns) + "\n")
            n += 1
        return n
    w = csv.writer(fh, lineterminator="\n")
    w.writerow([c.name for c in columns])
    for r in items:
        w.writerow([cell(c.get(r)) for c in columns])
        n += 1
    return n


def _table(items: Sequence[dict[str, Any]], columns: Sequence[Column], fh: IO[str]) -> None:
    cells = [[cut(_printable(cell(c.get(r))), c.width) for c in columns] for r in items]
    widths = [
        min(c.width, max([len(c.name)] + [len(row[i]) for row in cells])) for i, c in enumerate(columns)
    ]
    widths = [max(w, len(c.name)) for w, c in zip(widths, columns)]

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if c.right else v.ljust(w) for v, w, c in zip(values, widths, columns)]
        return "  ".join(parts).rstrip() + "\n"

    fh.write(line([c.name for c in columns]))
    fh.write(line(["-" * w for w in widths]))
    for row in cells:
        fh.write(line(row))


@contextmanager
def open_out(path: str | None) -> Iterator[IO[str]]:
    """``path`` opened for writing text (UTF-8, CSV-safe newlines), or stdout when None."""
    if not path:
        yield sys.stdout
        return
    from pathlib import Path

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8", newline="") as fh:
        yield fh


# ----------------------------------------------------------------- columns per record type

def _span(key: str, part: str) -> Callable[[dict[str, Any]], Any]:
    return lambda r: (r.get(key) or {}).get(part)


def _count(key: str, total: str | None = None) -> Callable[[dict[str, Any]], Any]:
    """How many ``key`` a record has: the list's length, or its ``total`` field where the record
    holds only the first (an entity page: ``entities --limit N --mentions M``)."""
    if total is None:
        return lambda r: len(r.get(key) or ())
    return lambda r: r[total] if total in r else len(r.get(key) or ())


def _others(r: dict[str, Any]) -> list[str]:
    return [a for a in r.get("aliases") or () if a != r.get("name")]


#: the flat columns of each record type (records.md section → columns); width 0: csv/tsv only
COLUMNS: dict[str, tuple[Column, ...]] = {
    "Document": (
        field("id", 16), field("status", 8), field("language", 4, header="lang"), field("published", 10),
        field("published_precision", 9, header="precision"), field("published_source", 8, header="from"),
        field("outlet", 26), field("title", 72), field("url", 0), field("byline", 0), field("dateline", 0),
        field("source_path", 0), field("locator", 0), field("previous_version", 0), field("superseded_by", 0),
    ),
    "Rejection": (
        field("source_path", 48), field("locator", 12), field("stage", 10), field("code", 5), field("message", 90),
    ),
    "Copied passage": (
        Column("source_doc", _span("source", "doc"), 16), Column("source_start", _span("source", "start"), 0),
        Column("source_end", _span("source", "end"), 0), Column("copy_doc", _span("copy", "doc"), 16),
        Column("copy_start", _span("copy", "start"), 0), Column("copy_end", _span("copy", "end"), 0),
        Column("similarity", lambda r: r.get("similarity"), 10, True), field("direction", 14),
        field("direction_evidence", 40, header="evidence"),
        Column("discounted", lambda r: (r.get("discounted") or {}).get("rule") if r.get("discounted") else "", 12),
        Column("text", _span("copy", "text"), 60),
    ),
    "Site template": (
        field("site", 24), field("id", 18), Column("pages", _count("pages"), 5, True),
        field("words", 5, right=True), field("rule", 20), field("text", 70),
    ),
    "Entity": (
        field("id", 0), field("type", 14), field("name", 36), Column("mentions", _count("mentions", "mention_count"), 8, True),
        Column("documents", _count("documents", "document_count"), 9, True), field("titles", 24), field("roles", 24),
        field("affiliations", 24), Column("aliases", _others, 40),
    ),
    "Place": (
        field("id", 0), field("name", 26), field("kind", 15), field("country", 7), field("lat", 9, right=True),
        field("lon", 9, right=True), field("precision", 9, right=True), Column("mentions", _count("mentions"), 8, True),
        Column("documents", _count("documents"), 9, True), field("aliases", 40), field("resolved", 0),
        field("gazetteer_id", 0),
    ),
    "Time expression": (
        Column("doc", _span("span", "doc"), 16), Column("start", _span("span", "start"), 0),
        Column("end", _span("span", "end"), 0), Column("text", _span("span", "text"), 40), field("value", 12),
        field("granularity", 11), field("kind", 8), field("resolved", 8), field("anchor", 24), field("note", 30),
    ),
    "Claim": (
        field("id", 0), Column("speaker", lambda r: (r.get("speaker") or {}).get("name"), 26), field("cue", 12),
        Column("content", _span("content", "text"), 70), field("via", 26), field("certainty", 9),
        field("hedges", 0), Column("documents", _count("documents"), 9, True),
        field("independent_sources", 11, right=True, header="independent"),
        Column("contradicts", _count("contradicts"), 11, True),
    ),
    "Event": (
        field("id", 0), field("type", 12), Column("when", lambda r: (r.get("time") or {}).get("value"), 10),
        field("actor", 28), field("origin", 18), field("destination", 18), field("location", 18),
        Column("quantities", lambda r: [q.get("text") for q in r.get("quantities") or ()], 26),
        field("certainty", 9), field("independent_sources", 11, right=True, header="independent"),
        Column("documents", _count("documents"), 9, True), field("plover", 0),
    ),
    "Story": (
        field("id", 14), field("start", 10), field("end", 10), Column("documents", _count("documents"), 9, True),
        Column("episodes", _count("episodes"), 8, True), field("title", 70),
    ),
}
