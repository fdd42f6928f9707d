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

MIGRATIONS.append(
    (
        6,
        "stored corpus layers: claim groups, contradictions, event groups; what each corpus step has taken in",
        """
        -- which current documents each corpus step has taken in, with the stage versions it read
        -- (a document re-analysed with other stage versions, superseded or rejected is taken out)
        CREATE TABLE corpus_indexed (
            step    TEXT NOT NULL,
            doc_id  TEXT NOT NULL,
            stamp   TEXT NOT NULL,
            PRIMARY KEY (step, doc_id)
        ) WITHOUT ROWID;
        CREATE INDEX corpus_indexed_doc ON corpus_indexed(doc_id);
        -- per step: the parameters its stored results were made with, and how far it has read
        -- the provenance log
        CREATE TABLE corpus_steps (
            step     TEXT PRIMARY KEY,
            config   TEXT NOT NULL,
            log_seq  INTEGER NOT NULL DEFAULT 0,   -- provenance_log read up to here
            doc_seq  INTEGER NOT NULL DEFAULT 0    -- document_log read up to here
        );
        -- documents whose stage results, status or version changed, in order (triggers): what
        -- the corpus steps look at instead of every document
        CREATE TABLE document_log (
            seq     INTEGER PRIMARY KEY AUTOINCREMENT,
            doc_id  TEXT NOT NULL
        );
        INSERT INTO document_log (doc_id) SELECT id FROM documents ORDER BY rowid;
        CREATE TRIGGER document_log_run_added AFTER INSERT ON stage_runs
        BEGIN INSERT INTO document_log (doc_id) VALUES (new.doc_id); END;
        CREATE TRIGGER document_log_run_changed AFTER UPDATE ON stage_runs
        BEGIN INSERT INTO document_log (doc_id) VALUES (new.doc_id); END;
        CREATE TRIGGER document_log_run_removed AFTER DELETE ON stage_runs
        BEGIN INSERT INTO document_log (doc_id) VALUES (old.doc_id); END;
        CREATE TRIGGER document_log_changed AFTER UPDATE OF status, superseded_by ON documents
        BEGIN INSERT INTO document_log (doc_id) VALUES (new.id); END;
        CREATE TRIGGER document_log_removed AFTER DELETE ON documents
        BEGIN INSERT INTO document_log (doc_id) VALUES (old.id); END;
        -- documents whose copy edges changed (copy detection found, discounted or dropped a
        -- passage of theirs), in order: the claim and event steps re-read their copy groups
        CREATE TABLE provenance_log (
            seq     INTEGER PRIMARY KEY AUTOINCREMENT,
            doc_id  TEXT NOT NULL
        );
        -- claims (corpus/claim_store.py): one row per report that opens a claim
        CREATE TABLE claim_inputs (
            doc_id     TEXT NOT NULL,
            k          INTEGER NOT NULL,           -- attribution index in the document
            doc_seq    INTEGER NOT NULL,           -- documents.rowid: the batch order
            component  TEXT NOT NULL,              -- connected over matching and denial pairs
            claim_id   TEXT,
            size       INTEGER NOT NULL,           -- number of matching tokens
            input      TEXT NOT NULL,              -- JSON ClaimInput: the report
            features   TEXT NOT NULL,              -- JSON ClaimFeatures: what matching compares
            PRIMARY KEY (doc_id, k)
        ) WITHOUT ROWID;
        -- per document taken in: what regrouping its claims reads besides its reports
        CREATE TABLE claim_doc_facts (
            doc_id     TEXT PRIMARY KEY,
            published  TEXT,
            undercuts  TEXT NOT NULL,              -- JSON [[i, j]]: attribution i undercuts j
            geography  TEXT NOT NULL               -- JSON contradiction records, claims left empty
        ) WITHOUT ROWID;
        CREATE INDEX claim_inputs_component ON claim_inputs(component);
        CREATE INDEX claim_inputs_claim ON claim_inputs(claim_id);
        -- the candidate index: matching token -> reports carrying it; df over all reports
        CREATE TABLE claim_postings (
            token   TEXT NOT NULL,
            doc_id  TEXT NOT NULL,
            k       INTEGER NOT NULL,
            size    INTEGER NOT NULL,              -- the report's number of matching tokens
            PRIMARY KEY (token, doc_id, k)
        ) WITHOUT ROWID;
        CREATE INDEX claim_postings_doc ON claim_postings(doc_id);
        CREATE TABLE claim_df (
            token   TEXT PRIMARY KEY,
            n       INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE claims (
            id         TEXT PRIMARY KEY,
            component  TEXT NOT NULL,
            first_seq  INTEGER NOT NULL,           -- listing order: the batch report's order
            record     TEXT NOT NULL               -- JSON records.md "Claim" (contradiction links added on read)
        );
        CREATE INDEX claims_component ON claims(component);
        CREATE INDEX claims_order ON claims(first_seq);
        CREATE TABLE claim_docs (
            claim_id  TEXT NOT NULL,
            doc_id    TEXT NOT NULL,
            PRIMARY KEY (claim_id, doc_id)
        ) WITHOUT ROWID;
        CREATE INDEX claim_docs_doc ON claim_docs(doc_id);
        -- counts a claim makes, by (unit, place): where number contradictions are looked for
        CREATE TABLE claim_counts (
            key       TEXT NOT NULL,
            claim_id  TEXT NOT NULL,
            facts     TEXT NOT NULL,               -- JSON: the counts under this key
            PRIMARY KEY (key, claim_id)
        ) WITHOUT ROWID;
        CREATE INDEX claim_counts_claim ON claim_counts(claim_id);
        CREATE TABLE contradictions (
            id        TEXT PRIMARY KEY,
            kind      TEXT NOT NULL,
            key       TEXT NOT NULL,               -- number: the (unit, place) key; else the doc or pair it came from
            seq       INTEGER NOT NULL,
            record    TEXT NOT NULL
        );
        CREATE INDEX contradictions_key ON contradictions(kind, key);
        CREATE TABLE contradiction_claims (
            contradiction_id  TEXT NOT NULL,
            claim_id          TEXT NOT NULL,
            PRIMARY KEY (contradiction_id, claim_id)
        ) WITHOUT ROWID;
        CREATE INDEX contradiction_claims_claim ON contradiction_claims(claim_id);
        -- events (corpus/event_store.py): one row per same-document unit of event mentions
        CREATE TABLE event_units (
            doc_id     TEXT NOT NULL,
            u          INTEGER NOT NULL,           -- unit index in the document
            doc_seq    INTEGER NOT NULL,           -- documents.rowid: the batch order
            family     TEXT NOT NULL,              -- type family: the blocking key
            time_lo    INTEGER,                    -- the days its time covers (ordinals), NULL: untimed
            time_hi    INTEGER,
            span       INTEGER,                    -- time_hi - time_lo rounded up to 0, 6, 30 or 366 days
            rep_lo     INTEGER,                    -- the days its publication date covers, NULL: unknown
            rep_hi     INTEGER,
            actor      TEXT,                       -- actor entity key
            component  TEXT NOT NULL,              -- connected over cross-document pairs at the threshold
            unit       TEXT NOT NULL,              -- JSON: the unit (combined mention)
            members    TEXT NOT NULL,              -- JSON: its mentions, in the unit's order
            PRIMARY KEY (doc_id, u)
        ) WITHOUT ROWID;
        CREATE INDEX event_units_block ON event_units(family, span, time_lo, time_hi, rep_hi);
        CREATE INDEX event_units_component ON event_units(component);
        -- where a unit names a place finer than a province, per role: gazetteer id, name, and
        -- a cell of the sphere (what a pair with an untimed side must share to be compatible)
        CREATE TABLE event_places (
            key     TEXT NOT NULL,                 -- family|role|kind:value
            doc_id  TEXT NOT NULL,
            u       INTEGER NOT NULL,
            PRIMARY KEY (key, doc_id, u)
        ) WITHOUT ROWID;
        CREATE INDEX event_places_doc ON event_places(doc_id);
        CREATE TABLE events (
            component  TEXT NOT NULL,
            k          INTEGER NOT NULL,           -- group index in the component
            id         TEXT NOT NULL,              -- a hash of the member triggers
            untimed    INTEGER NOT NULL,           -- listing order: time (unknown last), id, first unit
            time_value TEXT,
            first_seq  INTEGER NOT NULL,
            first_u    INTEGER NOT NULL,
            record     TEXT NOT NULL,              -- JSON records.md "Event" + affected (claim links added on read)
            PRIMARY KEY (component, k)
        ) WITHOUT ROWID;
        CREATE INDEX events_order ON events(untimed, time_value, id, first_seq, first_u);
        CREATE INDEX events_id ON events(id);
        CREATE TABLE event_docs (
            component  TEXT NOT NULL,
            k          INTEGER NOT NULL,
            doc_id     TEXT NOT NULL,
            PRIMARY KEY (component, k, doc_id)
        ) WITHOUT ROWID;
        CREATE INDEX event_docs_doc ON event_docs(doc_id);
        """,
    )
)

MIGRATIONS.append(
    (
        7,
        "stored corpus layers: resolved entities, and each document's places and times as listed",
        """
        -- resolved entities (corpus/entity_store.py): every entity mention of the current documents
        CREATE TABLE entity_mentions (
            doc_id       TEXT NOT NULL,
            idx          INTEGER NOT NULL,         -- index in the document's entities layer
            phase        INTEGER NOT NULL,         -- 1: a person named by one word (resolved after full names)
            key          TEXT NOT NULL,            -- the document's resolution key
            start_at     INTEGER NOT NULL,
            end_at       INTEGER NOT NULL,
            text         TEXT NOT NULL,
            span         TEXT,                     -- the document text at start:end where it is not text
            type         TEXT NOT NULL,
            canonical    TEXT NOT NULL,
            role         TEXT,
            title        TEXT,
            affiliation  TEXT,
            PRIMARY KEY (doc_id, idx)
        ) WITHOUT ROWID;
        CREATE INDEX entity_mentions_key ON entity_mentions(key, phase, doc_id, idx);
        -- one row per resolution key: the entity it resolves to and what decided it
        CREATE TABLE entity_keys (
            key        TEXT PRIMARY KEY,
            entity_id  TEXT NOT NULL,
            kind       TEXT NOT NULL,              -- fixed | person | surname
            block      TEXT,                       -- person, surname: the surname skeleton
            doc_id     TEXT NOT NULL,              -- the key's first mention in resolution order
            idx        INTEGER NOT NULL,
            canonical  TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX entity_keys_entity ON entity_keys(entity_id);
        CREATE INDEX entity_keys_block ON entity_keys(block);
        -- person keys of one block whose names score at least the threshold (both directions)
        CREATE TABLE entity_sims (
            a      TEXT NOT NULL,
            b      TEXT NOT NULL,
            score  REAL NOT NULL,
            PRIMARY KEY (a, b)
        ) WITHOUT ROWID;
        CREATE INDEX entity_sims_b ON entity_sims(b);
        -- per current document: its places and time expressions as the listings show them
        CREATE TABLE doc_listings (
            doc_id   TEXT PRIMARY KEY,
            doc_seq  INTEGER NOT NULL,             -- documents.rowid: the listing order
            places   TEXT NOT NULL,                -- JSON
            times    TEXT NOT NULL                 -- JSON: records.md "Time expression" list
        ) WITHOUT ROWID;
        CREATE INDEX doc_listings_seq ON doc_listings(doc_seq);
        """,
    )
)

MIGRATIONS.append(
    (
        8,
        "next seq of contradictions and story placements without a scan",
        """
        -- corpus/claim_store.py numbers each new contradiction max(seq) + 1, several times per
        -- batch, and persist.SqliteStoryState each batch's placements after max(seq): without
        -- these indexes each lookup read the whole table, records included (linear in the corpus)
        CREATE INDEX contradictions_seq ON contradictions(seq);
        CREATE INDEX story_docs_seq ON story_docs(seq);
        """,
    )
)

MIGRATIONS.append(
    (
        9,
        "the place index: per place its documents, aliases and listing summary",
        """
        -- places (corpus/entity_store.py), kept by the entity step from each document's listed
        -- places; a store made before is filled from doc_listings on the next `storyline analyze`
        -- per place and current document naming it: its mentions there (body, dateline)
        CREATE TABLE place_docs (
            place_id  TEXT NOT NULL,              -- gazetteer id, or 'unresolved:' + lower-cased text
            doc_seq   INTEGER NOT NULL,           -- documents.rowid: the listing order
            doc_id    TEXT NOT NULL,
            body      INTEGER NOT NULL,
            filed     INTEGER NOT NULL,
            PRIMARY KEY (place_id, doc_seq)
        ) WITHOUT ROWID;
        -- per place and text naming it: in how many documents
        CREATE TABLE place_aliases (
            place_id  TEXT NOT NULL,
            alias     TEXT NOT NULL,
            docs      INTEGER NOT NULL,
            PRIMARY KEY (place_id, alias)
        ) WITHOUT ROWID;
        -- per place: what the listings show of it (the fields of its first mention, counts)
        CREATE TABLE places (
            place_id        TEXT PRIMARY KEY,
            name            TEXT NOT NULL,
            aliases         TEXT NOT NULL,        -- JSON list, sorted
            lat             REAL,
            lon             REAL,
            kind            TEXT,
            country         TEXT,
            gazetteer_id    TEXT,
            precision       INTEGER,
            resolved        INTEGER,
            mention_count   INTEGER NOT NULL,     -- body mentions
            document_count  INTEGER NOT NULL,
            first_part      INTEGER NOT NULL,     -- listing order's tie-break: the first mention
            first_seq       INTEGER NOT NULL,     -- (0 body, 1 dateline), document, index
            first_i         INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX places_order ON places(mention_count DESC, name, first_part, first_seq, first_i);
        """,
    )
)

MIGRATIONS.append(
    (
        10,
        "stored story records: a story listing reads what it shows",
        """
        -- per story: its record (corpus/stories.py build_story: title, span, episodes, documents)
        -- as the stories step last built it, and from which members: the count and the sum of the
        -- story_docs.seq of its current documents (a read that finds others builds it itself)
        CREATE TABLE story_records (
            story_id  TEXT PRIMARY KEY,
            n_docs    INTEGER NOT NULL,
            seq_sum   INTEGER NOT NULL,
            title_n   INTEGER NOT NULL,       -- members when the story's title was chosen
            dirty     INTEGER NOT NULL DEFAULT 0,  -- a placement joined or left since
            key       TEXT NOT NULL,          -- StorySettings.record_key
            record    TEXT NOT NULL           -- JSON Story.to_record()
        );
        -- a listing walks the clean records by size (persist._first_stories)
        CREATE INDEX story_records_size ON story_records(dirty, n_docs DESC, story_id);
        -- each placed document's date (DocFeatures.date), so a record's lists and spans need no
        -- features decoded: slack -1 when undated, NULL in a store made before (filled by the step)
        ALTER TABLE story_docs ADD COLUMN day INTEGER;
        ALTER TABLE story_docs ADD COLUMN slack INTEGER;
        """,
    )
)

def _mark_stale(col: str) -> str:
    return (f"            INSERT INTO story_fields_stale (doc_id) SELECT {col}\n"
            f"            WHERE NOT EXISTS (SELECT 1 FROM story_fields_stale WHERE doc_id = {col});")


def _stale_trigger(name: str, event: str, table: str, cols: tuple[str, ...]) -> str:
    """A migration-11 trigger marking the documents in ``cols`` of the row written."""
    marks = "\n".join(_mark_stale(c) for c in cols)
    return f"        CREATE TRIGGER story_fields_{name} AFTER {event} ON {table} BEGIN\n{marks} END;\n"


# Migration 11's triggers: every write to an input of a story's stored fields marks the
# documents it touches (report/stored.py). A contradiction marks the documents of its claims.
_STALE_TRIGGERS = "".join([
    _stale_trigger("claim_in", "INSERT", "claim_docs", ("NEW.doc_id",)),
    _stale_trigger("claim_out", "DELETE", "claim_docs", ("OLD.doc_id",)),
    """        CREATE TRIGGER story_fields_contradiction_in AFTER INSERT ON contradiction_claims BEGIN
            INSERT INTO story_fields_stale (doc_id) SELECT DISTINCT d.doc_id FROM claim_docs d
            WHERE d.claim_id = NEW.claim_id
            AND NOT EXISTS (SELECT 1 FROM story_fields_stale WHERE doc_id = d.doc_id); END;
        CREATE TRIGGER story_fields_contradiction_out AFTER DELETE ON contradiction_claims BEGIN
            INSERT INTO story_fields_stale (doc_id) SELECT DISTINCT d.doc_id FROM claim_docs d
            WHERE d.claim_id = OLD.claim_id
            AND NOT EXISTS (SELECT 1 FROM story_fields_stale WHERE doc_id = d.doc_id); END;
""",
    _stale_trigger("event_in", "INSERT", "event_docs", ("NEW.doc_id",)),
    _stale_trigger("event_out", "DELETE", "event_docs", ("OLD.doc_id",)),
    _stale_trigger("copy_in", "INSERT", "copied_passages", ("NEW.source_doc", "NEW.copy_doc")),
    _stale_trigger("copy_set", "UPDATE", "copied_passages",
                   ("OLD.source_doc", "OLD.copy_doc", "NEW.source_doc", "NEW.copy_doc")),
    _stale_trigger("copy_out", "DELETE", "copied_passages", ("OLD.source_doc", "OLD.copy_doc")),
    _stale_trigger("doc_set", "UPDATE", "documents", ("NEW.id",)),
    _stale_trigger("layer_in", "INSERT", "layers", ("NEW.doc_id",)),
    _stale_trigger("layer_set", "UPDATE", "layers", ("NEW.doc_id",)),
    _stale_trigger("layer_out", "DELETE", "layers", ("OLD.doc_id",)),
    _stale_trigger("member_in", "INSERT", "story_docs", ("NEW.doc_id",)),
    _stale_trigger("member_out", "DELETE", "story_docs", ("OLD.doc_id",)),
])

MIGRATIONS.append(
    (
        11,
        "stored story fields: a story listing's summary, events and claims",
        """
        -- per story: its records.md summary/events/claims (report/stored.py) as the stories step
        -- last derived them, from which documents (sha1 of the story's document list) and with
        -- which code (version); NULL fields: stale since that run, waiting for the step's budget
        CREATE TABLE story_fields (
            story_id     TEXT PRIMARY KEY,
            docs         TEXT NOT NULL,
            version      TEXT NOT NULL,
            fields       TEXT,
            stale_since  INTEGER
        );
        -- the step's runs, the last placement it has seen and the budget it carries over
        CREATE TABLE story_fields_state (
            id      INTEGER PRIMARY KEY CHECK (id = 1),
            run     INTEGER NOT NULL,
            seq     INTEGER NOT NULL,
            credit  INTEGER NOT NULL
        );
        -- documents whose inputs to those fields changed since the stories step last looked:
        -- filled by the triggers below as the other steps write, emptied by the stories step
        CREATE TABLE story_fields_stale (
            doc_id  TEXT PRIMARY KEY
        ) WITHOUT ROWID;
        -- (no OR IGNORE in the bodies below: a statement's own conflict clause, an upsert's too,
        -- overrides the ones of the triggers it fires)
"""
        + _STALE_TRIGGERS,
    )
)

MIGRATIONS.append(
    (
        12,
        "stored story fields kept while they wait, with the documents they were derived from",
        """
        -- how many documents the story had when its fields were derived (NULL: a row of
        -- migration 11); a stale row keeps its last fields, which a listing past its read
        -- budget shows marked as such (report/stored.py)
        ALTER TABLE story_fields ADD COLUMN n_docs INTEGER;
        """,
    )
)

MIGRATIONS.append(
    (
        13,
        "copy groups stored: each document's connected component over counting copied passages",
        """
        -- doc -> its copy group's smallest document id, for every current document with a
        -- counting copied passage (corpus/copy_groups.py); kept by copy detection as it writes
        CREATE TABLE copy_groups (
            doc_id    TEXT PRIMARY KEY,
            group_id  TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX copy_groups_group ON copy_groups (group_id);
        -- built = 1 once the groups were computed from every passage; until then (a store
        -- migrated here) readers walk the passages and the next copy-detection run builds them
        CREATE TABLE copy_groups_state (
            id     INTEGER PRIMARY KEY CHECK (id = 1),
            built  INTEGER NOT NULL
        );
        """,
    )
)

MIGRATIONS.append(
    (
        14,
        "copy-detection band keys clustered by key: a candidate look-up reads one B-tree",
        """
        -- was a rowid table with an index on key: every stored window found under a key cost a
        -- second look-up into the table for its document. Clustered on (key, doc_id, window),
        -- the look-up is a range scan; measured on the 30,000-document replica store (27M
        -- rows): 150 documents' candidate queries 4.1-4.7 s -> 1.9-2.2 s, 2.16 -> 1.86 GB
        CREATE TABLE reuse_keys_clustered (
            key     INTEGER NOT NULL,              -- 8-byte band key as a signed integer
            doc_id  TEXT NOT NULL REFERENCES documents(id),
            window  INTEGER NOT NULL,
            PRIMARY KEY (key, doc_id, window)
        ) WITHOUT ROWID;
        INSERT OR IGNORE INTO reuse_keys_clustered (key, doc_id, window)
            SELECT key, doc_id, window FROM reuse_keys ORDER BY key, doc_id, window;
        DROP TABLE reuse_keys;
        ALTER TABLE reuse_keys_clustered RENAME TO reuse_keys;
        CREATE INDEX reuse_keys_doc ON reuse_keys(doc_id);
        """,
    )
)

MIGRATIONS.append(
    (
        15,
        "entity summaries counted per resolution key as documents arrive",
        """
        -- per resolution key: how many of its mentions carry each name form (canonical, char 31,
        -- type), text, role, title and affiliation, and the first of them in resolution order
        -- (phase|doc|idx); field 'docs': the documents naming the key. Kept by the entity step
        -- by difference (corpus/entity_store.py), so an entity page reads its keys' rows, not
        -- every mention of the most-named entities
        CREATE TABLE entity_key_values (
            key    TEXT NOT NULL,
            field  TEXT NOT NULL,          -- form | text | role | title | affiliation | docs
            value  TEXT NOT NULL,
            n      INTEGER NOT NULL,
            first  TEXT NOT NULL,
            PRIMARY KEY (key, field, value)
        ) WITHOUT ROWID;
        -- an entity's first mentions and documents, a key at a time, in the record's order
        CREATE INDEX entity_mentions_key_doc ON entity_mentions(key, doc_id, start_at, phase, idx);
        INSERT INTO entity_key_values (key, field, value, n, first)
            SELECT key, 'form', canonical || char(31) || type, count(*), min(printf('%d|%s|%012d', phase, doc_id, idx))
            FROM entity_mentions GROUP BY key, canonical, type;
        INSERT INTO entity_key_values (key, field, value, n, first)
            SELECT key, 'text', text, count(*), min(printf('%d|%s|%012d', phase, doc_id, idx))
            FROM entity_mentions GROUP BY key, text;
        INSERT INTO entity_key_values (key, field, value, n, first)
            SELECT key, 'role', role, count(*), min(printf('%d|%s|%012d', phase, doc_id, idx))
            FROM entity_mentions WHERE role IS NOT NULL AND role != '' GROUP BY key, role;
        INSERT INTO entity_key_values (key, field, value, n, first)
            SELECT key, 'title', title, count(*), min(printf('%d|%s|%012d', phase, doc_id, idx))
            FROM entity_mentions WHERE title IS NOT NULL AND title != '' GROUP BY key, title;
        INSERT INTO entity_key_values (key, field, value, n, first)
            SELECT key, 'affiliation', affiliation, count(*), min(printf('%d|%s|%012d', phase, doc_id, idx))
            FROM entity_mentions WHERE affiliation IS NOT NULL AND affiliation != '' GROUP BY key, affiliation;
        INSERT INTO entity_key_values (key, field, value, n, first)
            SELECT key, 'docs', '', count(DISTINCT doc_id), '' FROM entity_mentions GROUP BY key;
        """,
    )
)

#: Counts kept by migration 16's triggers (name → the count they keep, recounted by
#: ``storyline check``: :mod:`storyline.store.check`).
ROW_COUNTS = {
    "counting_passages": "SELECT count(*) FROM copied_passages WHERE discounted IS NULL",
}

MIGRATIONS.append(
    (
        16,
        "copied passages that count, kept counted as they are written",
        """
        -- listing totals the app shows on every page that a COUNT cannot give fast: the copied
        -- passages that count (not site templates), 16.3 million rows on the 99,900-document
        -- replica store, where counting them took 27-30 s a store change
        -- (corpus/persist.py count_copied_passages)
        CREATE TABLE row_counts (
            name  TEXT PRIMARY KEY,
            n     INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO row_counts (name, n)
            SELECT 'counting_passages', count(*) FROM copied_passages WHERE discounted IS NULL;
        -- an INSERT OR REPLACE's deletions fire no DELETE trigger (recursive_triggers is off):
        -- passages are stored by DELETE then INSERT (corpus/persist.py _save_passages)
        CREATE TRIGGER row_counts_passage_in AFTER INSERT ON copied_passages WHEN NEW.discounted IS NULL BEGIN
            UPDATE row_counts SET n = n + 1 WHERE name = 'counting_passages'; END;
        CREATE TRIGGER row_counts_passage_out AFTER DELETE ON copied_passages WHEN OLD.discounted IS NULL BEGIN
            UPDATE row_counts SET n = n - 1 WHERE name = 'counting_passages'; END;
        CREATE TRIGGER row_counts_passage_set AFTER UPDATE OF discounted ON copied_passages
            WHEN (OLD.discounted IS NULL) != (NEW.discounted IS NULL) BEGIN
            UPDATE row_counts SET n = n + (NEW.discounted IS NULL) - (OLD.discounted IS NULL)
            WHERE name = 'counting_passages'; END;
        -- the superseded documents, whose passages a listing leaves out until copy detection
        -- forgets them
        CREATE INDEX documents_superseded ON documents(superseded_by) WHERE superseded_by IS NOT NULL;
        """,
    )
)

MIGRATIONS.append(
    (
        17,
        "copied passages read by document from covering indexes",
        """
        -- copy detection's withdrawal and group walks and the claim and event steps' group reads
        -- read a document's counting passages by source or by copy: through an index on the
        -- document alone each row was a look-up into the passage table (rows with their
        -- evidence), scattered as the passages arrived over the corpus's growth. These indexes
        -- hold what those reads take, a document's entries side by side; measured on a copy of
        -- the replica store at 85,000 documents (16 million passages), 800 documents' passages
        -- by source / by copy 0.23 / 0.34 s of CPU warm and 13.0 / 11.5 s from disk, 0.16 / 0.16
        -- s through these; building both took 117 s
        DROP INDEX copied_passages_source;
        DROP INDEX copied_passages_copy;
        CREATE INDEX copied_passages_source ON copied_passages(
            source_doc, discounted, source_start, source_end, copy_doc, copy_start, copy_end, similarity, direction);
        CREATE INDEX copied_passages_copy ON copied_passages(copy_doc, discounted, copy_start, copy_end, source_doc);
        """,
    )
)

MIGRATIONS.append(
    (
        18,
        "which documents are current, which event units are candidates and which documents a story has, read from covering indexes",
        """
        -- every corpus step asks which documents are current (status 'ok', not superseded):
        -- to find the ones it has not taken in, to drop the ones gone, to read a group's
        -- members. superseded_by is stored after a document's text, so each such check read
        -- the document's row from a table of whole articles; on the 100,200-document replica
        -- store (32.6 GB, larger than memory) one pass over the current documents took 4-10 s
        -- from disk (0.14-0.34 s warm). These indexes answer both questions from entries of a
        -- few dozen bytes: a scan of the current documents, and a look-up of one by id.
        DROP INDEX IF EXISTS documents_status;
        CREATE INDEX documents_state ON documents(status, superseded_by, id);
        CREATE INDEX documents_id_state ON documents(id, superseded_by, status);
        -- the event step's candidates by time block: with the actor in the index its condition
        -- on the actor is checked there, not in the unit's row (2 KB of JSON; 2.2 GB of them at
        -- 100,000 documents, read at random for every candidate of every new unit)
        DROP INDEX event_units_block;
        CREATE INDEX event_units_block ON event_units(family, span, time_lo, time_hi, rep_hi, actor);
        -- a story's current members, counted for its fingerprint (corpus/persist.py
        -- _fingerprints) on every read and for every story a new document reaches: from the
        -- index, not from each member's row (its story features, a few KB; the largest story
        -- of the replica store has 22,111 members)
        DROP INDEX story_docs_story;
        CREATE INDEX story_docs_story ON story_docs(story_id, seq, doc_id);
        """,
    )
)

MIGRATIONS.append(
    (
        19,
        "the event step's candidates read with what scoring them needs, side by side by the key that finds them",
        """
        -- a new event unit's candidates are the stored units sharing a place key with it, or
        -- of its family with overlapping days; each was then read from its unit's row (2 KB of
        -- JSON in event_units, at random: one page read per candidate from a cold page cache,
        -- 26 candidates a unit on the 100,000-document replica store). These tables hold, per
        -- key, what finding and scoring a candidate reads: the unit's blocking columns and the
        -- unit without its sentence text (``pair``), so a key's candidates are one range of
        -- pages. Only units with a place finer than a province or with a time have rows here.
        CREATE TABLE event_places_new (
            key      TEXT NOT NULL,                -- family|role|kind:value
            doc_id   TEXT NOT NULL,
            u        INTEGER NOT NULL,
            doc_seq  INTEGER NOT NULL,
            time_lo  INTEGER,
            rep_lo   INTEGER,
            rep_hi   INTEGER,
            actor    TEXT,
            pair     TEXT NOT NULL,                -- JSON: the unit, sentence and trigger text left out
            PRIMARY KEY (key, doc_id, u)
        ) WITHOUT ROWID;
        INSERT INTO event_places_new
            SELECT p.key, p.doc_id, p.u, e.doc_seq, e.time_lo, e.rep_lo, e.rep_hi, e.actor,
                   json_set(e.unit, '$.sentence', json('null'), '$.trigger.text', '')
            FROM event_places p JOIN event_units e ON e.doc_id = p.doc_id AND e.u = p.u;
        DROP TABLE event_places;
        ALTER TABLE event_places_new RENAME TO event_places;
        CREATE INDEX event_places_doc ON event_places(doc_id);
        CREATE TABLE event_times (
            family   TEXT NOT NULL,
            span     INTEGER NOT NULL,
            time_lo  INTEGER NOT NULL,
            time_hi  INTEGER NOT NULL,
            rep_hi   INTEGER,
            actor    TEXT,
            doc_id   TEXT NOT NULL,
            u        INTEGER NOT NULL,
            doc_seq  INTEGER NOT NULL,
            pair     TEXT NOT NULL,
            PRIMARY KEY (family, span, time_lo, doc_id, u)
        ) WITHOUT ROWID;
        INSERT INTO event_times
            SELECT family, span, time_lo, time_hi, rep_hi, actor, doc_id, u, doc_seq,
                   json_set(unit, '$.sentence', json('null'), '$.trigger.text', '')
            FROM event_units WHERE time_lo IS NOT NULL;
        CREATE INDEX event_times_doc ON event_times(doc_id);
        DROP INDEX event_units_block;
        """,
    )
)

LATEST = MIGRATIONS[-1][0]
