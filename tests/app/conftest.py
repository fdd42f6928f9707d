"""Fixtures of the web app tests: clients over the sample store and over a hostile store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import storyline
from storyline.app import create_app
from storyline.store import Store

BASE = "http://127.0.0.1:8000"

PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
)
JS_URL = "javascript:alert(1)"


@pytest.fixture(scope="session")
def client(sample_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(sample_store.path), base_url=BASE, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def sample_ids(sample_store: Store) -> list[str]:
    return [d.id for d in sample_store.iter_docs()]


@pytest.fixture(scope="session")
def hostile_store(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> str:
    """The sample corpus plus documents whose every field carries an XSS payload."""
    folder = tmp_path_factory.mktemp("hostile")
    body = (
        "RAQQA, Syria — Fighters of the Islamic State left Raqqa for Deir ez-Zor on Tuesday, officials said.\n\n"
        f"A spokesman said {PAYLOADS[0]} was seen near Raqqa, and 300 fighters {PAYLOADS[1]} moved to Palmyra.\n\n"
        f'The statement {PAYLOADS[2]} came from {JS_URL} according to Reuters, which said "the convoy {PAYLOADS[0]} '
        f'left Raqqa early on Tuesday," and added that more than 90 militants were on board.\n\n'
        "Emoji 🙂 before a place: Aleppo. Private-use marker characters \ue000 and \ue001 must not break snippets.\n"
    )
    (folder / "hostile.txt").write_text(body, encoding="utf-8")
    (folder / "hostile2.txt").write_text("The convoy alert was raised in Aleppo " + PAYLOADS[2] + ".\n", encoding="utf-8")
    meta = [
        {"file": "hostile.txt", "url": JS_URL, "title": f"{PAYLOADS[0]} {PAYLOADS[2]}", "outlet": PAYLOADS[1],
         "published": "2017-03-09"},
        {"file": "hostile2.txt", "url": "https://example.org/a?b=<script>", "title": PAYLOADS[1], "outlet": PAYLOADS[2]},
    ]
    (folder / "meta.jsonl").write_text("\n".join(json.dumps(m) for m in meta) + "\n", encoding="utf-8")
    path = folder / "hostile.db"
    with Store(path) as s:
        storyline.ingest(s, [sample_dir, folder / "hostile.txt", folder / "hostile2.txt"], meta=folder / "meta.jsonl",
                         progress=False)
        # Ingest now drops a javascript: URL (E115); a store written before that still holds
        # one, and the app must not link it: put it back the way such a store has it.
        with s.transaction():
            s.conn.execute("UPDATE documents SET url = ?, meta = json_set(meta, '$.url', ?)"
                           " WHERE source_path LIKE ?", (JS_URL, JS_URL, "%hostile.txt"))
    return str(path)


@pytest.fixture(scope="session")
def hostile_client(hostile_store: str) -> Iterator[TestClient]:
    with TestClient(create_app(hostile_store), base_url=BASE, raise_server_exceptions=False) as c:
        yield c
