"""Numbered schema migrations. Append new ones; never edit an applied one.

Each migration runs in its own transaction and is recorded in ``migrations``; a store whose
newest migration is unknown to this code is refused (E302) rather than half-understood.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "documents, raw input, stage runs, layers, rejections, sightings",
        """
        CREATE TABLE raw (
            id          TEXT PRIMARY KEY,          -- document id (content hash)
            data        BLOB NOT NULL,             -- zlib-compressed input bytes
            size        INTEGER NOT NULL,          -- uncompressed size
            sha256      TEXT NOT NULL
        );
        CREATE TABLE documents (
            id            TEXT PRIMARY KEY REFERENCES raw(id),
            status        TEXT NOT NULL CHECK (status IN ('pending', 'ok', 'rejected')),
            source_path   TEXT NOT NULL,
            locator       TEXT NOT NULL DEFAULT '',
            content_type  TEXT NOT NULL,
            input_meta    TEXT NOT NULL DEFAULT '{}',   -- JSON: metadata the input supplied
            url           TEXT,
            title         TEXT,
            outlet        TEXT,
            published     TEXT,
            meta          TEXT,                          -- JSON DocMeta, written by the clean stage
            text          TEXT,                          -- cleaned text: evidence offsets point here
            removed       TEXT,                          -- JSON list of Removed
            previous_id   TEXT REFERENCES documents(id),
            superseded_by TEXT REFERENCES documents(id),
            ingested_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );
        CREATE INDEX documents_url ON documents(url) WHERE url IS NOT NULL;
        CREATE INDEX documents_path ON documents(source_path, locator);
        CREATE INDEX documents_status ON documents(status);
        -- every place a document's content was seen (duplicate files, re-ingests from elsewhere)
        CREATE TABLE sightings (
            doc_id      TEXT NOT NULL REFERENCES documents(id),
            source_path TEXT NOT NULL,
            locator     TEXT NOT NULL DEFAULT '',
            first_seen  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
            PRIMARY KEY (doc_id, source_path, locator)
        );
        -- which version of which stage produced a document's current annotations
        CREATE TABLE stage_runs (
            doc_id   TEXT NOT NULL REFERENCES documents(id),
            stage    TEXT NOT NULL,
            version  TEXT NOT NULL,
            ran_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
            PRIMARY KEY (doc_id, stage)
        );
        -- annotation layers of later stages: one JSON value per (document, slot)
        CREATE TABLE layers (
            doc_id  TEXT NOT NULL REFERENCES documents(id),
            slot    TEXT NOT NULL,
            data    TEXT NOT NULL,
            PRIMARY KEY (doc_id, slot)
        );
        CREATE TABLE rejections (
            id          INTEGER PRIMARY KEY,
            source_path TEXT NOT NULL,
            locator     TEXT NOT NULL DEFAULT '',
            stage       TEXT NOT NULL,
            code        TEXT NOT NULL,
            message     TEXT NOT NULL,
            doc_id      TEXT,
            created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
            UNIQUE (source_path, locator, stage, code)
        );
        CREATE INDEX rejections_path ON rejections(source_path);
        """,
    ),
]

LATEST = MIGRATIONS[-1][0]
