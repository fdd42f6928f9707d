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

MIGRATIONS.append(
    (
        2,
        "copy detection: persisted LSH band keys, copied passages; citation edges",
        """
        -- parameters the stored band keys were made with (PassageIndex.config)
        CREATE TABLE reuse_config (
            id      INTEGER PRIMARY KEY CHECK (id = 1),
            config  TEXT NOT NULL
        );
        -- LSH band keys of stored sentence windows: the candidate index, persisted, so adding
        -- documents costs time proportional to the new documents only
        CREATE TABLE reuse_keys (
            key     INTEGER NOT NULL,              -- 8-byte band key as a signed integer
            doc_id  TEXT NOT NULL REFERENCES documents(id),
            window  INTEGER NOT NULL
        );
        CREATE INDEX reuse_keys_key ON reuse_keys(key);
        CREATE INDEX reuse_keys_doc ON reuse_keys(doc_id);
        -- documents whose windows are in the index
        CREATE TABLE reuse_indexed (
            doc_id  TEXT PRIMARY KEY REFERENCES documents(id)
        );
        CREATE TABLE copied_passages (
            id            INTEGER PRIMARY KEY,
            source_doc    TEXT NOT NULL REFERENCES documents(id),
            source_start  INTEGER NOT NULL,
            source_end    INTEGER NOT NULL,
            copy_doc      TEXT NOT NULL REFERENCES documents(id),
            copy_start    INTEGER NOT NULL,
            copy_end      INTEGER NOT NULL,
            similarity    REAL NOT NULL,
            direction     TEXT NOT NULL CHECK (direction IN ('source_to_copy', 'unknown')),
            evidence      TEXT NOT NULL DEFAULT '[]',   -- JSON list of short reasons
            UNIQUE (source_doc, source_start, source_end, copy_doc, copy_start, copy_end)
        );
        CREATE INDEX copied_passages_source ON copied_passages(source_doc);
        CREATE INDEX copied_passages_copy ON copied_passages(copy_doc);
        """,
    )
)

MIGRATIONS.append(
    (
        3,
        "full-text search over titles, cleaned text and outlets (FTS5, kept in step by triggers)",
        """
        -- external-content FTS5 index over documents: the text is stored once, in documents.
        -- documents has no INTEGER PRIMARY KEY, so a VACUUM may renumber rowids: after one,
        -- run INSERT INTO documents_fts(documents_fts) VALUES('rebuild').
        CREATE VIRTUAL TABLE documents_fts USING fts5(
            title, text, outlet,
            content='documents', content_rowid='rowid',
            tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER documents_fts_ai AFTER INSERT ON documents BEGIN
            INSERT INTO documents_fts(rowid, title, text, outlet)
            VALUES (new.rowid, new.title, new.text, new.outlet);
        END;
        CREATE TRIGGER documents_fts_ad AFTER DELETE ON documents BEGIN
            INSERT INTO documents_fts(documents_fts, rowid, title, text, outlet)
            VALUES ('delete', old.rowid, old.title, old.text, old.outlet);
        END;
        CREATE TRIGGER documents_fts_au AFTER UPDATE OF title, text, outlet ON documents BEGIN
            INSERT INTO documents_fts(documents_fts, rowid, title, text, outlet)
            VALUES ('delete', old.rowid, old.title, old.text, old.outlet);
            INSERT INTO documents_fts(rowid, title, text, outlet)
            VALUES (new.rowid, new.title, new.text, new.outlet);
        END;
        INSERT INTO documents_fts(documents_fts) VALUES ('rebuild');
        """,
    )
)

MIGRATIONS.append(
    (
        4,
        "story clustering: stories, episodes, document placements, IDF counts, candidate index",
        """
        -- parameters the stored features and index were made with (StorySettings.config)
        CREATE TABLE story_config (
            id      INTEGER PRIMARY KEY CHECK (id = 1),
            config  TEXT NOT NULL
        );
        -- a story / an episode is named after the document that opened it, and kept while it has members
        CREATE TABLE stories (
            id          TEXT PRIMARY KEY,
            opened_by   TEXT NOT NULL
        );
        CREATE TABLE episodes (
            id          TEXT PRIMARY KEY,
            story_id    TEXT NOT NULL REFERENCES stories(id),
            opened_by   TEXT NOT NULL
        );
        CREATE INDEX episodes_story ON episodes(story_id);
        -- where each placed document went (seq: arrival order), and its features (JSON DocFeatures)
        CREATE TABLE story_docs (
            doc_id      TEXT PRIMARY KEY REFERENCES documents(id),
            story_id    TEXT NOT NULL REFERENCES stories(id),
            episode_id  TEXT NOT NULL REFERENCES episodes(id),
            score       REAL NOT NULL,
            how         TEXT NOT NULL CHECK (how IN ('episode', 'story', 'new')),
            seq         INTEGER NOT NULL,
            features    TEXT NOT NULL
        );
        CREATE INDEX story_docs_story ON story_docs(story_id);
        CREATE INDEX story_docs_episode ON story_docs(episode_id);
        -- document frequency of every feature key over the placed documents (for IDF)
        CREATE TABLE story_df (
            key     TEXT PRIMARY KEY,
            n       INTEGER NOT NULL
        ) WITHOUT ROWID;
        -- the candidate index: key -> placed documents, newest read first
        CREATE TABLE story_postings (
            key     TEXT NOT NULL,
            seq     INTEGER NOT NULL,
            doc_id  TEXT NOT NULL REFERENCES documents(id),
            PRIMARY KEY (key, seq)
        ) WITHOUT ROWID;
        CREATE INDEX story_postings_doc ON story_postings(doc_id);
        """,
    )
)

MIGRATIONS.append(
    (
        5,
        "site templates: passages a site repeats on its pages, and copied passages discounted as such",
        """
        -- a passage one site repeats across its pages (corpus/templates.py), learned as the corpus grows
        CREATE TABLE site_templates (
            id      TEXT PRIMARY KEY,          -- fingerprint of the site and the passage's normalised words
            site    TEXT NOT NULL,             -- URL host without www, else the outlet
            text    TEXT NOT NULL,             -- the passage as first seen
            words   INTEGER NOT NULL,
            rule    TEXT NOT NULL              -- why it is a template
        );
        CREATE INDEX site_templates_site ON site_templates(site);
        -- the pages that carry a template, one span each
        CREATE TABLE site_template_pages (
            template_id  TEXT NOT NULL REFERENCES site_templates(id),
            doc_id       TEXT NOT NULL REFERENCES documents(id),
            span_start   INTEGER NOT NULL,
            span_end     INTEGER NOT NULL,
            PRIMARY KEY (template_id, doc_id)
        ) WITHOUT ROWID;
        CREATE INDEX site_template_pages_doc ON site_template_pages(doc_id);
        -- NULL: the passage counts as copying; else the id of the site template it is
        ALTER TABLE copied_passages ADD COLUMN discounted TEXT;
        """,
    )
)

LATEST = MIGRATIONS[-1][0]
