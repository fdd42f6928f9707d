"""Verify a store without trusting it: what ``storyline check`` runs.

A damaged file must be reported, never crash the verifier. The store is opened read-only;
each step below turns any ``sqlite3.DatabaseError`` (or a decoding error) into a listed
:class:`Problem`, then the next step runs:

1. ``PRAGMA integrity_check`` — the file's structure: b-trees, page accounting, indexes
   against their tables (what the sqlite3 shell lists).
2. ``PRAGMA foreign_key_check``, and each count the store keeps by triggers (``row_counts``)
   against the rows it counts.
3. Read-back of every row of every table, text read as bytes: declared-TEXT values must be
   UTF-8, JSON columns must parse. A read that stops (a malformed page) is one problem per
   table, and the next table is read.
4. Read-back of every document the way the commands read it (:meth:`Store.get`: metadata,
   removed stretches, every layer through its codec, the raw bytes), raw bytes against
   their size and SHA-256, finished documents with text.

Why all four: SQLite checks structure, not content. On the 175-page sample store, 20 random
bytes overwritten (5 seeds) landed twice in a document's stored text and JSON: each time
``integrity_check`` said "ok" and the read-back found the damage (3 times they landed in a
page's unused space: no damage, nothing reported). One random page zeroed (5 seeds):
``integrity_check`` caught the 3 b-tree pages; the 2 overflow pages of a document's text
only the read-back found.

Writers open a store only after :func:`open_check`, so ``ingest`` and ``analyze`` do not
write into a store whose structure is damaged (E305). Up to :data:`OPEN_CHECK_MAX_BYTES` it is
:func:`quick_check` (``PRAGMA quick_check``: the structure without the index-against-table
comparison). Cost on a 10,000-document store (519 MB, page cache warm, 2 busy cores, 3 runs):
``quick_check`` 0.8–1.3 s (``integrity_check`` 1.5–1.8 s), paid once per writer open; steps
1–3 together 3.4–7.6 s wall (1.9 s of CPU); the per-document read-back about 90 s (9 ms a
document over 500 timed: every layer decoded), which ``storyline check --quick`` skips.

Beyond that size ``quick_check`` reads every page at every writer open, a cost growing with
the corpus that no write needs: measured on this project's 2-core machine (24 GiB), 1.4 GB
store 11.3 s from disk and 1.3 s cached, 5.0 GB 210 s from disk (a bulk write beside it) and
6.9 s cached, the 16 GB replica store on its way to 100,000 documents 120 s (a writer's open,
the bulk beside it); at 100,000 it is ~29 GB, more than the page cache holds. So
a larger store gets :func:`_header_and_schema` at open (a file cut short is refused: SQLite
finds fewer pages than its header counts), and a page a write then touches is
still checked by SQLite, which fails the statement on a damaged one (the batch's transaction
rolls back: nothing of it is written). ``storyline check`` verifies the whole of any store.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
import zlib
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import StoreError

MAX_PROBLEMS = 200  # listed; the rest are counted
OPEN_CHECK_MAX_BYTES = 1 << 30  # a writer runs quick_check on a store file up to this size (above)
# columns holding JSON (table, column); a column missing from an older store is skipped, a
# NULL is no problem. layers.data is parsed by the per-document read-back (through each slot's
# codec), not here: parsing it twice cost 34 of the 38 s of the table read-back on a
# 10,000-document store. The corpus layers' records (claims, events, their inputs, listings)
# are what every read prints: reading and parsing them cost 11.7 s on a 10,300-document replica store
# (83,570 claims, 141,235 claim inputs, 48,717 events, 51,834 event units).
JSON_COLUMNS = frozenset({
    ("documents", "input_meta"), ("documents", "meta"), ("documents", "removed"),
    ("copied_passages", "evidence"), ("story_docs", "features"),
    ("story_records", "record"), ("story_fields", "fields"),
    ("claims", "record"), ("claim_inputs", "input"), ("claim_inputs", "features"),
    ("claim_doc_facts", "undercuts"), ("claim_doc_facts", "geography"), ("claim_counts", "facts"),
    ("contradictions", "record"), ("events", "record"), ("event_units", "unit"),
    ("event_places", "pair"), ("event_times", "pair"),
    ("doc_listings", "places"), ("doc_listings", "times"), ("places", "aliases"),
})


@dataclass(frozen=True, slots=True)
class Problem:
    where: str  # "integrity", "table documents", "document 3a58…"
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass(slots=True)
class CheckReport:
    path: str
    problems: list[Problem] = field(default_factory=list)
    more: int = 0  # problems found beyond MAX_PROBLEMS (not listed)
    rows: dict[str, int] = field(default_factory=dict)  # rows read back, per table
    documents: int = 0  # documents read back through the store
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def count(self) -> int:
        return len(self.problems) + self.more

    def add(self, where: str, what: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(where, what))
        else:
            self.more += 1

    def messages(self) -> list[str]:
        out = [str(p) for p in self.problems]
        if self.more:
            out.append(f"… and {self.more} more problems")
        return out


def _connect(path: str) -> sqlite3.Connection:
    uri = f"file:{Path(path).resolve()}?mode=ro"
    return sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)


@contextmanager
def _step(report: CheckReport, where: str) -> Iterator[None]:
    """Any database or decoding error of a step is one problem; the check goes on."""
    try:
        yield
    except (sqlite3.Error, ValueError, zlib.error) as exc:
        report.add(where, _reason(exc))


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def open_check(conn: sqlite3.Connection, path: str | Path) -> str | None:
    """What a writer checks before its first write (see the module docstring): None when it
    passes, else the first complaint. :func:`quick_check` for a file of at most
    :data:`OPEN_CHECK_MAX_BYTES`, :func:`_header_and_schema` for a larger one."""
    p = Path(path)
    size = p.stat().st_size if p.exists() else 0
    return quick_check(conn) if size <= OPEN_CHECK_MAX_BYTES else _header_and_schema(conn)


def _header_and_schema(conn: sqlite3.Connection) -> str | None:
    """None when the header and the schema read, else SQLite's complaint. SQLite compares the
    page count in the header with the file: a file cut short is "malformed" here."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        conn.execute("PRAGMA page_count").fetchone()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return None


def quick_check(conn: sqlite3.Connection) -> str | None:
    """None when ``PRAGMA quick_check`` passes, else its first complaint (or the error that
    stopped it)."""
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check(3)")]
    except sqlite3.DatabaseError as exc:
        return str(exc)
    if rows == ["ok"]:
        return None
    lines = [x.strip() for r in rows for x in r.splitlines()]
    return "; ".join(x for x in lines if x and not x.startswith("***"))


def check_store(path: str | Path, *, documents: bool = True) -> CheckReport:
    """Every problem of the store at ``path`` (an empty list: consistent). Raises only
    E303 when there is no file at all. ``documents=False`` skips step 4 (the slow one:
    every layer decoded)."""
    path = str(path)
    if not Path(path).exists():
        raise StoreError("E303", path=path)
    started = time.perf_counter()
    report = CheckReport(path)
    try:
        conn = _connect(path)
    except sqlite3.Error as exc:
        report.add("open", _reason(exc))
        return report
    with closing(conn):
        with _step(report, "integrity"):
            for (line,) in conn.execute("PRAGMA integrity_check(100)"):
                if line != "ok":
                    report.add("integrity", str(line))
        tables: dict[str, list[tuple[str, str]]] = {}
        with _step(report, "schema"):
            tables = _tables(conn)
            if "migrations" not in tables:
                report.add("schema", "not a storyline store (it has no migrations table)")
        with _step(report, "foreign keys"):
            for r in conn.execute("PRAGMA foreign_key_check"):
                report.add("foreign key", f"table {r[0]} rowid {r[1]} refers to a missing row of {r[2]}")
        if "row_counts" in tables:
            with _step(report, "kept counts"):
                _check_counts(conn, report)
        for table, columns in tables.items():
            _read_back_table(conn, table, columns, report)
    if documents and "documents" in tables:
        _read_back_documents(path, report)
    report.seconds = time.perf_counter() - started
    return report


def _check_counts(conn: sqlite3.Connection, report: CheckReport) -> None:
    """Each count migration 16's triggers keep against the rows it counts (a writer that
    bypassed the triggers: an INSERT OR REPLACE, a trigger dropped)."""
    from .schema import ROW_COUNTS

    kept = dict(conn.execute("SELECT name, n FROM row_counts").fetchall())
    for name, sql in ROW_COUNTS.items():
        rows = conn.execute(sql).fetchone()[0]
        if kept.get(name) != rows:
            report.add("kept counts", f"{name} is kept as {kept.get(name)} but {rows} rows are there")


def _tables(conn: sqlite3.Connection) -> dict[str, list[tuple[str, str]]]:
    """Ordinary tables (virtual ones are read through their shadow tables) → [(column,
    declared type)]."""
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
        " ORDER BY name")]
    return {t: [(c[1], str(c[2]).upper()) for c in conn.execute(f'PRAGMA table_info("{t}")')] for t in names}


def _read_back_table(
    conn: sqlite3.Connection, table: str, columns: list[tuple[str, str]], report: CheckReport
) -> None:
    text = [i for i, (_, decl) in enumerate(columns) if "CHAR" in decl or "TEXT" in decl or "CLOB" in decl]
    json_cols = [i for i, (name, _) in enumerate(columns) if (table, name) in JSON_COLUMNS]
    checked = sorted(set(text) | set(json_cols))
    # typeof(): a BLOB kept in a TEXT column is bytes on purpose, not text to decode
    kinds = "".join(f', typeof("{columns[i][0]}")' for i in checked)
    n = 0
    conn.text_factory = bytes  # decode here, so a bad value is a problem, not an exception
    try:
        for row in conn.execute(f'SELECT *{kinds} FROM "{table}"'):
            n += 1
            is_text = {i for k, i in enumerate(checked) if row[len(columns) + k] == b"text"}
            _check_row(table, n, columns, row, is_text, json_cols, report)
    except sqlite3.Error as exc:
        report.add(f"table {table}", f"reading stopped after {n} rows: {_reason(exc)}")
    finally:
        conn.text_factory = str
        report.rows[table] = n


def _check_row(
    table: str, n: int, columns: list[tuple[str, str]], row: tuple[object, ...], text: set[int],
    json_cols: list[int], report: CheckReport,
) -> None:
    first = row[0]
    label = first.decode("utf-8", "replace")[:40] if isinstance(first, bytes) else first
    where = f"table {table} row {n} ({columns[0][0]}={label!r})"
    decoded: dict[int, str] = {}
    for i in text:
        value = row[i]
        if isinstance(value, bytes):
            try:
                decoded[i] = value.decode("utf-8")
            except UnicodeDecodeError as exc:
                report.add(where, f"column {columns[i][0]} is not valid UTF-8 "
                                  f"({exc.reason} at byte {exc.start})")
    for i in json_cols:
        if i in decoded:
            try:
                json.loads(decoded[i])
            except ValueError as exc:
                report.add(where, f"column {columns[i][0]} is not valid JSON ({_reason(exc)[:120]})")


def _read_back_documents(path: str, report: CheckReport) -> None:
    """Each document as the commands read it, and its raw bytes against their hash."""
    from . import Store

    try:
        store = Store(path, readonly=True)
    except Exception as exc:  # noqa: BLE001 - a damaged store can fail in any way; it is the report
        report.add("open", _reason(exc))
        return
    with store:
        ids: list[str] = []
        with _step(report, "table documents"):
            ids = [r[0] for r in store.conn.execute("SELECT id FROM documents ORDER BY rowid")]
        for doc_id in ids:
            where = f"document {doc_id}"
            try:
                doc = store.get(doc_id, with_raw=True)
                row = store.conn.execute("SELECT size, sha256 FROM raw WHERE id = ?", (doc_id,)).fetchone()
            except Exception as exc:  # noqa: BLE001 - see above
                report.add(where, f"cannot be read back: {_reason(exc)[:300]}")
                continue
            report.documents += 1
            if row is None:
                report.add(where, "has no raw bytes")
            elif len(doc.raw) != row["size"] or hashlib.sha256(doc.raw).hexdigest() != row["sha256"]:
                report.add(where, "raw bytes do not match their size and hash")
            if doc.status == "ok" and doc.text is None:
                report.add(where, "is ok but has no text")
