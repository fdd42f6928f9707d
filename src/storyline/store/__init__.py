"""The embedded store: one SQLite file in WAL mode.

Writes go through one :class:`Store` (one writer); each batch is one transaction, so a
run killed at any point leaves either all or none of a batch. Raw input is stored
(compressed) before any stage runs, so stages can be re-run without the original files.
Readers (``storyline docs``, the web app) open their own connections and never block on a
writer, thanks to WAL.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import StoreError, StorylineError, UsageError
from ..layers import CODECS, CORE_SLOTS, TRANSIENT_SLOTS
from ..types import Doc, DocMeta, Rejection, Removed
from .schema import LATEST, MIGRATIONS

ID_LENGTH = 16


def document_id(content: bytes, url: str | None = None) -> str:
    """Content-derived id: the same bytes (from the same URL, when known) give the same id.

    The URL takes part so that one wire story published verbatim by two outlets stays two
    documents (two publications), while re-ingesting a file is a no-op.
    """
    h = hashlib.sha256()
    if url:
        h.update(url.encode("utf-8", "surrogatepass") + b"\n")
    h.update(content)
    return h.hexdigest()[:ID_LENGTH]


class Store:
    """A storyline store. Use :func:`storyline.open_store` or ``Store(path)``."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = str(path)
        try:
            if readonly:
                if not Path(self.path).exists():
                    raise StoreError("E303", path=self.path)
                uri = f"file:{Path(self.path).resolve()}?mode=ro"
                self.conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            else:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA busy_timeout = 30000")
            if not readonly:  # never write into a damaged file (storyline.store.check)
                self._refuse_if_damaged()
            if not readonly:
                self.conn.execute("PRAGMA journal_mode = WAL")
                # NORMAL in WAL mode: a committed transaction survives a killed process (not a power cut).
                self.conn.execute("PRAGMA synchronous = NORMAL")
            self.conn.execute("PRAGMA foreign_keys = ON")
            if not readonly:
                self._migrate()
            else:
                self._check_version()
        except sqlite3.DatabaseError as exc:
            raise StoreError(path=self.path, reason=str(exc)) from exc

    def _refuse_if_damaged(self) -> None:
        from .check import open_check

        problem = open_check(self.conn, self.path)
        if problem is not None:
            self.conn.close()
            raise StoreError("E305", path=self.path, reason=problem[:300])

    # -- lifecycle -----------------------------------------------------------------------
    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: the reads inside see the store as the first of them did (an
        export read a page at a time while an ingest writes stays one consistent state)."""
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN")
        try:
            yield self.conn
        finally:
            self.conn.execute("COMMIT")

    def _migrate(self) -> None:
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))"
        )
        done = self._check_version()
        for version, name, sql in MIGRATIONS:
            if version <= done:
                continue
            with self.transaction() as c:
                for statement in _split_sql(sql):
                    c.execute(statement)
                c.execute("INSERT INTO migrations (version, name) VALUES (?, ?)", (version, name))

    def _check_version(self) -> int:
        try:
            row = self.conn.execute("SELECT max(version) FROM migrations").fetchone()
        except sqlite3.OperationalError:
            return 0
        found = row[0] or 0
        if found > LATEST:
            raise StoreError("E302", path=self.path, found=found, known=LATEST)
        return found

    def schema_version(self) -> int:
        return self._check_version()

    # -- writes (call inside a transaction) -----------------------------------------------
    def insert_document(self, doc: Doc, *, url: str | None) -> str | None:
        """Store raw bytes and a pending document row. Returns the id of the version this one
        supersedes (same URL, or the same whole file at the same path), if any."""
        c = self.conn
        c.execute(
            "INSERT INTO raw (id, data, size, sha256) VALUES (?, ?, ?, ?)",
            (doc.id, zlib.compress(doc.raw, 6), len(doc.raw), hashlib.sha256(doc.raw).hexdigest()),
        )
        previous = self._current_version_of(url, doc.source_path, doc.locator)
        doc.previous_id = previous
        c.execute(
            "INSERT INTO documents (id, status, source_path, locator, content_type, input_meta, url,"
            " title, outlet, previous_id) VALUES (?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                doc.id,
                doc.source_path,
                doc.locator,
                doc.content_type,
                json.dumps(doc.input_meta, ensure_ascii=False),
                url,
                doc.input_meta.get("title"),
                doc.input_meta.get("outlet"),
                previous,
            ),
        )
        if previous:
            c.execute("UPDATE documents SET superseded_by = ? WHERE id = ?", (doc.id, previous))
        self.add_sighting(doc.id, doc.source_path, doc.locator)
        return previous

    def _current_version_of(self, url: str | None, source_path: str, locator: str) -> str | None:
        if url:
            row = self.conn.execute(
                "SELECT id FROM documents WHERE url = ? AND superseded_by IS NULL ORDER BY rowid DESC LIMIT 1",
                (url,),
            ).fetchone()
            if row:
                return str(row[0])
        if not locator:  # whole files: the same path holding new content is a new version
            row = self.conn.execute(
                "SELECT id FROM documents WHERE source_path = ? AND locator = '' AND superseded_by IS NULL"
                " AND (url IS NULL OR ? IS NULL OR url = ?) ORDER BY rowid DESC LIMIT 1",
                (source_path, url, url),
            ).fetchone()
            if row:
                return str(row[0])
        return None

    def add_sighting(self, doc_id: str, source_path: str, locator: str) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO sightings (doc_id, source_path, locator) VALUES (?, ?, ?)",
            (doc_id, source_path, locator),
        )

    def save_stage_results(self, doc: Doc, *, slots: Iterable[str] = ()) -> None:
        """Write what the stages put on ``doc``: the clean stage's slots into the document row,
        other ``slots`` into ``layers`` (see :mod:`storyline.layers`), and the stage versions
        that produced them."""
        c = self.conn
        slots = set(slots)
        if slots & CORE_SLOTS:
            m = doc.meta
            c.execute(
                "UPDATE documents SET status = ?, text = ?, meta = ?, removed = ?, url = ?, title = ?,"
                " outlet = ?, published = ? WHERE id = ?",
                (
                    doc.status,
                    doc.text,
                    json.dumps(m.to_record(), ensure_ascii=False),
                    json.dumps([r.to_record() for r in doc.removed], ensure_ascii=False),
                    m.url,
                    m.title,
                    m.outlet,
                    m.published,
                    doc.id,
                ),
            )
        for slot in sorted(slots - CORE_SLOTS - TRANSIENT_SLOTS):
            encode, _ = CODECS[slot]
            c.execute(
                "INSERT INTO layers (doc_id, slot, data) VALUES (?, ?, ?) ON CONFLICT (doc_id, slot)"
                " DO UPDATE SET data = excluded.data",
                (doc.id, slot, json.dumps(encode(getattr(doc, slot)), ensure_ascii=False)),
            )
        for stage, version in doc.stage_versions.items():
            c.execute(
                "INSERT INTO stage_runs (doc_id, stage, version) VALUES (?, ?, ?)"
                " ON CONFLICT (doc_id, stage) DO UPDATE SET version = excluded.version,"
                " ran_at = excluded.ran_at",
                (doc.id, stage, version),
            )

    def mark_rejected(self, doc_id: str) -> None:
        self.conn.execute("UPDATE documents SET status = 'rejected', text = NULL WHERE id = ?", (doc_id,))

    def add_rejection(self, r: Rejection) -> None:
        self.conn.execute(
            "INSERT INTO rejections (source_path, locator, stage, code, message, doc_id)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source_path, locator, stage, code) DO UPDATE SET"
            " message = excluded.message, doc_id = excluded.doc_id, created_at = excluded.created_at",
            (r.source_path, r.locator, r.stage, r.code, r.message, r.doc),
        )

    def clear_rejections(self, source_path: str) -> None:
        """A path is being read again: its old reading rejections no longer describe it. A
        document's own (stage) rejections stay until the document is processed again or
        superseded: re-reading an unchanged, rejected document must not erase why."""
        self.conn.execute("DELETE FROM rejections WHERE source_path = ? AND doc_id IS NULL", (source_path,))

    def clear_doc_rejections(self, doc_id: str) -> None:
        self.conn.execute("DELETE FROM rejections WHERE doc_id = ?", (doc_id,))

    # -- reads ------------------------------------------------------------------------------
    def doc_state(self, doc_id: str) -> tuple[str, dict[str, str]] | None:
        """(status, {stage: version}) of a stored document, or None."""
        row = self.conn.execute("SELECT status FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            return None
        runs = {
            r["stage"]: r["version"]
            for r in self.conn.execute("SELECT stage, version FROM stage_runs WHERE doc_id = ?", (doc_id,))
        }
        return str(row["status"]), runs

    def resolve_id(self, ref: str) -> str:
        """A full id or a unique prefix (at least 4 characters) → the full id."""
        if self.conn.execute("SELECT 1 FROM documents WHERE id = ?", (ref,)).fetchone():
            return ref  # the primary-key lookup; a prefix needs the range scan below
        if len(ref) < 4:
            raise UsageError("E408", what="document id prefix", ref=ref, listing="docs")
        # a range over the primary key rather than LIKE (which SQLite cannot index here)
        rows = self.conn.execute(
            "SELECT id FROM documents WHERE id >= ? AND id < ? LIMIT 6",
            (ref.lower(), ref.lower() + "\U0010ffff"),  # ids are lowercase hex
        ).fetchall()
        ids = sorted({r[0] for r in rows})
        if ref in ids:
            return ref
        if not ids:
            raise UsageError(doc=ref, path=self.path)
        if len(ids) > 1:
            raise StorylineError("E402", what=f"document id prefix {ref!r}", matches=", ".join(ids))
        return str(ids[0])

    def get(self, ref: str, *, with_raw: bool = True, slots: Iterable[str] | None = None) -> Doc:
        """The stored document; with ``slots``, only those layers are decoded (the others
        stay empty): a reader that uses two layers does not pay for ten."""
        doc_id = self.resolve_id(ref)
        row = self.conn.execute(_DOC_SELECT + " WHERE d.id = ?", (doc_id,)).fetchone()
        return self._row_to_doc(row, with_raw=with_raw, slots=slots)

    def iter_docs(
        self,
        *,
        include_superseded: bool = False,
        status: Sequence[str] | None = None,
        with_raw: bool = False,
        slots: Iterable[str] | None = None,
    ) -> Iterator[Doc]:
        where, args = [], []  # type: ignore[var-annotated]
        if not include_superseded:
            where.append("d.superseded_by IS NULL")
        if status:
            where.append(f"d.status IN ({','.join('?' * len(status))})")
            args.extend(status)
        sql = _DOC_SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY d.rowid"
        for row in self.conn.execute(sql, args).fetchall():
            yield self._row_to_doc(row, with_raw=with_raw, slots=slots)

    def stale_ids(self, wanted: dict[str, str]) -> list[str]:
        """Ids of current documents missing a stage run at the wanted version (or pending)."""
        runs: dict[str, dict[str, str]] = {}
        for r in self.conn.execute("SELECT doc_id, stage, version FROM stage_runs"):
            runs.setdefault(r[0], {})[r[1]] = r[2]
        rows = self.conn.execute("SELECT id, status FROM documents WHERE superseded_by IS NULL ORDER BY rowid")
        return [
            str(r[0])
            for r in rows
            if r[1] == "pending" or any(runs.get(r[0], {}).get(s) != v for s, v in wanted.items())
        ]

    def rejections(self) -> list[Rejection]:
        return [
            Rejection(
                source_path=r["source_path"],
                stage=r["stage"],
                code=r["code"],
                message=r["message"],
                locator=r["locator"],
                doc=r["doc_id"],
            )
            for r in self.conn.execute("SELECT * FROM rejections ORDER BY source_path, locator, id")
        ]

    def sightings(self, doc_id: str) -> list[tuple[str, str]]:
        return [
            (r[0], r[1])
            for r in self.conn.execute(
                "SELECT source_path, locator FROM sightings WHERE doc_id = ? ORDER BY first_seen", (doc_id,)
            )
        ]

    def counts(self) -> dict[str, int]:
        c = self.conn
        return {
            "documents": c.execute("SELECT count(*) FROM documents WHERE superseded_by IS NULL").fetchone()[0],
            "ok": c.execute(
                "SELECT count(*) FROM documents WHERE superseded_by IS NULL AND status = 'ok'"
            ).fetchone()[0],
            "versions": c.execute("SELECT count(*) FROM documents").fetchone()[0],
            "rejections": c.execute("SELECT count(*) FROM rejections").fetchone()[0],
        }

    def check(self) -> list[str]:
        """Consistency problems of the committed store (empty list = consistent); never
        raises on damage. See :mod:`storyline.store.check`."""
        from .check import check_store

        return check_store(self.path).messages()

    def _row_to_doc(self, row: sqlite3.Row, *, with_raw: bool, slots: Iterable[str] | None = None) -> Doc:
        """The stored document; a stored value that no longer decodes (a damaged store) is
        E306, naming the store and the document, not a bare JSONDecodeError."""
        try:
            return self._decode_row(row, with_raw=with_raw, slots=slots)
        except (ValueError, TypeError, KeyError, zlib.error) as exc:
            raise StoreError("E306", path=self.path, what=f"document {row['id']}",
                             reason=f"{type(exc).__name__}: {str(exc)[:200]}") from exc

    def _decode_row(self, row: sqlite3.Row, *, with_raw: bool, slots: Iterable[str] | None = None) -> Doc:
        raw = b""
        if with_raw:
            data = self.conn.execute("SELECT data FROM raw WHERE id = ?", (row["id"],)).fetchone()
            raw = zlib.decompress(data[0])
        return decode_doc(row, *self.doc_rows(row["id"]), raw=raw, slots=slots)

    def doc_rows(self, doc_id: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
        """A document's stage runs and stored layers as stored (``(slot, data)``, not decoded):
        with its ``documents`` row, what :func:`decode_doc` turns into the document (the claim
        step on Ray decodes there, not on the driver)."""
        runs = {
            r["stage"]: r["version"]
            for r in self.conn.execute("SELECT stage, version FROM stage_runs WHERE doc_id = ?", (doc_id,))
        }
        return runs, [(r["slot"], r["data"]) for r in self.conn.execute(
            "SELECT slot, data FROM layers WHERE doc_id = ?", (doc_id,))]


def decode_doc(
    row: Mapping[str, Any] | sqlite3.Row, runs: dict[str, str], layer_rows: Iterable[tuple[str, str]], *,
    raw: bytes = b"", slots: Iterable[str] | None = None,
) -> Doc:
    """The document from its stored rows (a ``documents`` row, :meth:`Store.doc_rows`); pure."""
    meta = DocMeta(**json.loads(row["meta"])) if row["meta"] else DocMeta(url=row["url"])
    removed = [Removed(**r) for r in json.loads(row["removed"])] if row["removed"] else []
    layers: dict[str, Any] = {}
    wanted = CODECS.keys() if slots is None else set(slots)
    for slot, data in layer_rows:
        if slot in CODECS and slot in wanted:  # a slot of a newer storyline is left alone
            layers[slot] = CODECS[slot][1](json.loads(data))
    return Doc(
        id=row["id"],
        source_path=row["source_path"],
        locator=row["locator"],
        content_type=row["content_type"],
        raw=raw,
        input_meta=json.loads(row["input_meta"]),
        text=row["text"],
        meta=meta,
        removed=removed,
        status=row["status"],
        previous_id=row["previous_id"],
        superseded_by=row["superseded_by"],
        stage_versions=runs,
        **layers,
    )


_DOC_SELECT = "SELECT d.* FROM documents d"


def _split_sql(sql: str) -> list[str]:
    """Split a migration into statements; a trigger body's inner semicolons stay inside its
    statement (sqlite3.complete_statement knows where a CREATE TRIGGER ... END ends)."""
    statements: list[str] = []
    pending = ""
    for piece in sql.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                statements.append(pending.strip())
            pending = ""
    if pending.strip(" \n;"):
        statements.append(pending.strip())
    return statements

