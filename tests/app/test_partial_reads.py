"""Pages and API read only what they show (issue #13): listings are pages of the stored
layers' listing order with a total, a document page reads that document's rows, and a layer
that has not taken every document in says so (the note the command line prints)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from storyline.app import create_app, pages
from storyline.corpus import entity_store
from storyline.corpus.persist import claim_report, copied_passages, event_list, story_list
from storyline.report.stored import story_records
from storyline.store import Store

from .conftest import BASE


def _walk(client: TestClient, path: str, limit: int) -> tuple[list[Any], set[int]]:
    """Every item of an API list, page by page (following ``next``), and the totals seen."""
    items: list[Any] = []
    totals: set[int] = set()
    url: str | None = f"{path}{'&' if '?' in path else '?'}limit={limit}"
    while url:
        body = client.get(url).json()
        items += body["items"]
        totals.add(body["total"])
        assert len(body["items"]) <= limit
        url = body["next"]
    return items, totals


def test_api_pages_concatenate_to_the_whole_listing(client: TestClient, sample_store: Store) -> None:
    whole = {
        "/api/claims": [c.to_record() for c in claim_report(sample_store).claims],
        "/api/events": [e.to_record() for e in event_list(sample_store)],
        "/api/entities?full=true": entity_store.entity_list(sample_store),
        "/api/places?full=true": entity_store.place_list(sample_store),
        "/api/reuse": [p.to_record() for p in copied_passages(sample_store)],
        "/api/stories": list(story_records(sample_store, story_list(sample_store))),
    }
    for path, expected in whole.items():
        assert len(expected) > (0 if path == "/api/stories" else 3), path  # several pages of 3 (one story)
        items, totals = _walk(client, path, 3)
        assert totals == {len(expected)}, path
        assert items == expected, path


def test_api_stories_are_the_cli_records(client: TestClient, sample_store: Store) -> None:
    """``/api/stories`` items are what `storyline stories --json` prints (records.md Story, its
    summary filled); ``full=false`` drops the three derived lists and links each story."""
    items = client.get("/api/stories").json()["items"]
    want = list(story_records(sample_store, story_list(sample_store)))
    assert items == want and any(st["summary"] for st in items)
    brief = client.get("/api/stories?full=false").json()["items"]
    assert [b["id"] for b in brief] == [w["id"] for w in want]
    assert all("summary" not in b and b["href"].startswith("/api/stories/") for b in brief)


def test_api_summaries_page_the_listing(client: TestClient, sample_store: Store) -> None:
    """With ``full=false`` the entity and place listings' items are summaries (what the pages show)."""
    for path, records in (("/api/entities?full=false", entity_store.entity_list(sample_store)),
                          ("/api/places?full=false", entity_store.place_list(sample_store))):
        items, totals = _walk(client, path, 4)
        assert totals == {len(records)} and [i["id"] for i in items] == [r["id"] for r in records]
        assert [i["mention_count"] for i in items] == [len(r["mentions"]) for r in records]
        assert [i["document_count"] for i in items] == [len(r["documents"]) for r in records]
        assert client.get(items[-1]["href"]).json() == records[-1]


def test_api_filters_page_the_filtered_listing(client: TestClient, sample_store: Store) -> None:
    people = entity_store.entity_list(sample_store, type="person")
    items, totals = _walk(client, "/api/entities?type=person&full=true", 2)  # the filters kept in "next"
    assert items == people and totals == {len(people)}
    events = event_list(sample_store)
    kind = events[0].type
    items, totals = _walk(client, f"/api/events?type={quote(kind)}", 2)
    assert items == [e.to_record() for e in events if e.type == kind] and totals == {len(items)}
    claims = claim_report(sample_store).claims
    items, totals = _walk(client, "/api/claims?min_sources=2", 2)
    assert items == [c.to_record() for c in claims if c.independent_sources >= 2] and totals == {len(items)}


def test_api_page_past_the_end_is_empty(client: TestClient) -> None:
    body = client.get("/api/claims?limit=10&offset=100000").json()
    assert body["items"] == [] and body["total"] > 0 and body["next"] is None


def test_html_lists_are_paged(client: TestClient, sample_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "LIST_SIZE", 4)
    monkeypatch.setattr(pages, "TIMELINE_SIZE", 7)
    entities = entity_store.entity_list(sample_store)
    html = client.get("/entities?page=2").text
    assert f"page 2 of {-(-len(entities) // 4)}" in html and f"({len(entities)})" in html
    for e in entities[4:8]:
        assert f'/entities/{quote(e["id"], safe="")}"' in html
    assert f'/entities/{quote(entities[0]["id"], safe="")}"' not in html
    places = entity_store.place_list(sample_store)
    html = client.get("/places?page=2").text
    assert all(f'/places/{quote(p["id"], safe=":")}"' in html for p in places[4:8])
    events = event_list(sample_store)
    html = client.get("/timeline?page=2").text
    assert f"Page 2 of {-(-len(events) // 7)}" in html and f"({len(events)} events)" in html
    assert html.count('class="evidence"') >= 7 and "next &rarr;" in html


def test_entity_summaries_equal_the_records(sample_store: Store) -> None:
    """The listing's summaries (counted in SQL) say what the full records say, in their order."""
    for type in (None, "person", "organization"):
        records = entity_store.entity_list(sample_store, type=type)
        for offset in range(0, len(records), 5):
            got, total = entity_store.entity_page(sample_store, offset=offset, limit=5, type=type, summary=True)
            assert total == len(records)
            assert got == [{"id": e["id"], "name": e["name"], "type": e["type"], "aliases": e["aliases"],
                            "mention_count": len(e["mentions"]), "document_count": len(e["documents"])}
                           for e in records[offset : offset + 5]]
            full, _ = entity_store.entity_page(sample_store, offset=offset, limit=5, type=type)
            assert full == records[offset : offset + 5]


def test_place_reads_equal_the_listing(sample_store: Store) -> None:
    records = entity_store.place_list(sample_store)
    index = entity_store.place_index(sample_store)
    assert [p["id"] for p in index] == [p["id"] for p in records]
    for summary, rec in zip(index, records):
        assert summary["mention_count"] == len(rec["mentions"]) and summary["document_count"] == len(rec["documents"])
        assert all(summary[k] == rec[k] for k in ("name", "aliases", "lat", "lon", "kind", "country", "resolved"))
        assert entity_store.place_of(sample_store, rec["id"]) == rec
    assert entity_store.place_records_of(sample_store, [r["id"] for r in records[2:6]]) == records[2:6]
    assert entity_store.place_of(sample_store, "geonames:0") is None


def test_a_document_page_reads_its_own_rows(sample_store: Store) -> None:
    """By-document reads equal the whole-corpus listings filtered to that document."""
    from storyline.app.reads import doc_analysis

    claims = claim_report(sample_store).claims
    events = event_list(sample_store)
    entities = entity_store.entity_list(sample_store)
    for doc in sample_store.iter_docs(status=["ok"]):
        got_claims, got_events = doc_analysis(sample_store, doc.id)
        assert [c.to_record() for c in got_claims] == [c.to_record() for c in claims if doc.id in c.documents]

        def bare(e: Any) -> dict[str, Any]:
            return {k: v for k, v in e.to_record().items() if k != "claims"}  # not linked on the page

        assert [bare(e) for e in got_events] == [bare(e) for e in events if doc.id in e.documents]
        at = {(m["start"], m["end"]): e["id"] for e in entities for m in e["mentions"] if m["doc"] == doc.id}
        assert entity_store.entity_ids_in(sample_store, doc.id) == at


def test_document_page_shows_its_claims_and_entity_links(client: TestClient, sample_store: Store) -> None:
    claims = claim_report(sample_store).claims
    doc = max(sample_store.iter_docs(status=["ok"]), key=lambda d: sum(d.id in c.documents for c in claims))
    html = client.get(f"/docs/{doc.id}").text
    assert "Claims carried by this document" in html
    ids = set(entity_store.entity_ids_in(sample_store, doc.id).values())
    assert ids and all(f'/entities/{quote(i, safe=":")}"' in html for i in ids)


def test_map_is_bounded_and_counts_what_it_leaves_out(client: TestClient, sample_store: Store,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import json
    import re

    from storyline.report import build

    located = [p for p in entity_store.place_list(sample_store) if p["resolved"] and p["lat"] is not None]
    assert len(located) > 2
    monkeypatch.setattr(build, "MAX_PLACES", 2)
    with TestClient(create_app(sample_store.path), base_url=BASE) as c:  # a fresh cache
        html = c.get("/map").text
    m = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html, re.S)
    assert m
    data = json.loads(m.group(1))
    shown = [f for f in data["features"] if f["properties"]["feature"] == "place"]
    assert [f["id"] for f in shown] == [f"place:{p['id']}" for p in located[:2]]
    assert data["totals"]["places"] == len(located) and data["omitted"]["places"] == len(located) - 2
    assert f"left out: {len(located) - 2} places" in html


@pytest.fixture
def behind_store(sample_store: Store, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A copy of the sample store whose stored layers have not taken one document in."""
    path = tmp_path / "behind.db"
    with sqlite3.connect(sample_store.path) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
    doc = sample_store.conn.execute("SELECT id FROM documents WHERE status = 'ok' ORDER BY rowid LIMIT 1").fetchone()[0]
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM corpus_indexed WHERE doc_id = ?", (doc,))
    yield str(path), doc


def test_layers_not_up_to_date_say_so(behind_store: tuple[str, str]) -> None:
    path, doc = behind_store
    with TestClient(create_app(path), base_url=BASE) as c:
        for api, layer in (("/api/claims", "claims"), ("/api/events", "events"),
                           ("/api/entities", "entities, places and times"), ("/api/places", "entities, places and times")):
            note = c.get(api).json()["note"]
            assert note.startswith(f"1 document not yet in the stored {layer}: run `storyline analyze --db ")
        for page in ("/entities", "/places", "/timeline", "/map"):
            r = c.get(page)
            assert r.status_code == 200 and "1 document not yet in the stored" in r.text, page
        html = c.get(f"/docs/{doc}").text
        assert "This document is not yet in the stored claims" in html


def test_a_store_without_the_entity_step_lists_with_a_note(sample_store: Store, tmp_path: Path) -> None:
    """No E506 where the step never ran: empty listings and the note, as claims and events."""
    path = tmp_path / "noentities.db"
    with sqlite3.connect(sample_store.path) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
    with sqlite3.connect(path) as conn:
        for table in ("corpus_steps", "corpus_indexed"):
            conn.execute(f"DELETE FROM {table} WHERE step = 'entities'")  # noqa: S608
        for table in ("entity_mentions", "entity_keys", "entity_sims", "doc_listings", "places", "place_docs",
                      "place_aliases"):
            conn.execute(f"DELETE FROM {table}")  # noqa: S608
    with TestClient(create_app(path), base_url=BASE) as c:
        body = c.get("/api/entities").json()
        assert body["items"] == [] and body["total"] == 0 and "not yet in the stored entities" in body["note"]
        assert c.get("/api/places").json()["total"] == 0
        for page in ("/entities", "/places", "/map"):
            r = c.get(page)
            assert r.status_code == 200 and "not yet in the stored entities" in r.text, page
        doc = c.get("/api/docs?limit=1").json()["items"][0]["id"]
        assert c.get(f"/docs/{doc}").status_code == 200


def test_a_place_page_reads_until_it_is_full(sample_store: Store) -> None:
    for rec in entity_store.place_list(sample_store):
        whole = entity_store.place_sample(sample_store, rec["id"], mentions=10_000, documents=10_000)
        assert whole is not None and whole["complete"]
        assert whole["mentions"] == rec["mentions"] and whole["datelines"] == rec["datelines"]
        assert sorted(whole["documents"]) == rec["documents"]
        part = entity_store.place_sample(sample_store, rec["id"], mentions=1, documents=1)
        assert part is not None and part["mentions"] == rec["mentions"][:1] and len(part["documents"]) == 1
    assert entity_store.place_sample(sample_store, "geonames:0") is None


def test_an_entity_page_reads_its_first_mentions(sample_store: Store) -> None:
    for rec in entity_store.entity_list(sample_store):
        whole = entity_store.entity_sample(sample_store, rec["id"], mentions=10_000, documents=10_000)
        assert whole is not None
        assert whole.pop("mention_count") == len(rec["mentions"]) and whole.pop("document_count") == len(rec["documents"])
        assert whole == rec
        part = entity_store.entity_sample(sample_store, rec["id"], mentions=1, documents=1)
        assert part is not None and part["mentions"] == rec["mentions"][:1] and part["documents"] == rec["documents"][:1]
    assert entity_store.entity_sample(sample_store, "ent_missing") is None


def test_an_entity_listing_page_bounds_each_records_mentions(sample_store: Store) -> None:
    """``entities --limit N --mentions M``: the page's entities in the listing's order, each
    record whole but for its first M mentions and documents, with their counts."""
    for type in (None, "person"):
        records = entity_store.entity_list(sample_store, type=type)
        for m in (0, 1, 3, 10_000):
            page = entity_store.entity_list(sample_store, type=type, limit=7, mentions=m)
            assert [r["id"] for r in page] == [r["id"] for r in records[:7]]
            for got, rec in zip(page, records):
                got = dict(got)
                assert got.pop("mention_count") == len(rec["mentions"])
                assert got.pop("document_count") == len(rec["documents"])
                assert got == {**rec, "mentions": rec["mentions"][:m], "documents": rec["documents"][:m]}


def _columns_read(store: Store, read: Any) -> set[tuple[str, str]]:
    """(table, column) of every column SQLite reads while ``read(store)`` runs."""
    seen: set[tuple[str, str]] = set()

    def authorizer(action: int, table: str | None, column: str | None, *_: Any) -> int:
        if action == sqlite3.SQLITE_READ and table and column:
            seen.add((table, column))
        return sqlite3.SQLITE_OK

    store.conn.set_authorizer(authorizer)
    try:
        read(store)
    finally:
        store.conn.set_authorizer(None)
    return seen


def test_place_listings_read_the_place_index_not_the_documents(sample_store: Store, client: TestClient) -> None:
    """A page of the place listing, its total and one place's summary are rows of the place
    index (migration 9), equal to what the records give; no document's listed places are read."""
    records = entity_store.place_list(sample_store)
    for read in (lambda s: entity_store.place_page(s, offset=2, limit=3), lambda s: entity_store.place_summary(
            s, records[0]["id"]), entity_store.place_index):
        seen = _columns_read(sample_store, read)
        assert ("places", "mention_count") in seen and ("doc_listings", "places") not in seen
    page, total = entity_store.place_page(sample_store, offset=2, limit=3)
    assert total == len(records) and [p["id"] for p in page] == [r["id"] for r in records[2:5]]
    assert [p["mention_count"] for p in page] == [len(r["mentions"]) for r in records[2:5]]
    # place_records_of reads the listings of the documents naming the places asked for only
    one = next(r for r in records if len(r["documents"]) == 1)
    docs: list[str] = []
    sample_store.conn.set_trace_callback(docs.append)
    try:
        assert entity_store.place_records_of(sample_store, [one["id"]]) == [one]
    finally:
        sample_store.conn.set_trace_callback(None)
    listed = [q.split("FROM doc_listings WHERE doc_id IN ")[1] for q in docs if "FROM doc_listings WHERE doc_id IN" in q]
    assert listed == [f"('{one['documents'][0]}')"]  # the SQL as run, values in place
    html = client.get("/places").text
    assert all(str(escape(p["name"])) in html for p in entity_store.place_index(sample_store)[: pages.LIST_SIZE])
    r = client.get(f"/places/{quote(one['id'], safe='')}")
    assert r.status_code == 200 and str(escape(one["name"])) in r.text
    assert client.get("/places/geonames%3A0").status_code == 404
