"""Partial reads of the stored corpus layers for the app: one page of a listing, one
document's claims and events, one record. Each reads what the page shows (an index range,
a document's rows, a COUNT), never a whole corpus view, so a page costs the same after an
ingest as before it and about the same at 1,000 and at 10,000 documents.

Orders are the command line's (``storyline claims`` / ``events`` / ``reuse``: the stored
layers' listing order), so page *n* of the app is rows ``n·size …`` of the command's output.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..store import Store


@dataclass(slots=True)
class Page:
    """One page of a listing: its items, how many the whole listing has."""

    items: list[Any]
    total: int


def claims_page(store: Store, *, offset: int, limit: int, min_sources: int = 0) -> tuple[Page, list[Any]]:
    """(page of Claims, the contradictions naming them), in ``storyline claims``' order."""
    from ..corpus.claim_store import count_claims, stored_claims

    total = count_claims(store, min_sources=min_sources)
    got = stored_claims(store, limit=limit, offset=offset, min_sources=min_sources)
    return Page(list(got.claims), total), list(got.contradictions)


def events_page(store: Store, *, offset: int, limit: int, type: str | None = None,  # noqa: A002
                link: bool = True) -> Page:
    """A page of Events in ``storyline events``' order (time, unknown last), each linked to the
    claims that report it (read for the page's documents only; not with ``link=False``)."""
    from ..corpus.event_store import stored_events
    from ..corpus.persist import link_claims

    where, args = ("", []) if type is None else (" WHERE json_extract(record, '$.type') = ?", [type])
    total = int(store.conn.execute(f"SELECT count(*) FROM events{where}", args).fetchone()[0])  # noqa: S608
    events = stored_events(store, limit=limit, offset=offset, type=type)
    if link:
        link_claims(store, events)  # the claims of the page's documents only
    return Page(events, total)


def doc_analysis(store: Store, doc_id: str) -> tuple[list[Any], list[Any]]:
    """(claims, events) with a report / evidence in one document: the whole-corpus listings
    filtered to that document, read through the document's index rows. The events' ``claims``
    links are left empty (the page does not show them; linking reads the claims of every
    document an event is reported in)."""
    from ..corpus.event_store import stored_events
    from ..corpus.persist import claim_report

    return list(claim_report(store, [doc_id]).claims), stored_events(store, [doc_id])


def passages_page(store: Store, *, offset: int, limit: int, total: int) -> Page:
    """A page of copied passages (not site templates) between current documents, in
    ``storyline reuse``' order (:func:`storyline.corpus.persist.iter_copied_passages`);
    ``total``: :func:`storyline.corpus.persist.count_copied_passages`, which the caller keeps."""
    from ..corpus.persist import iter_copied_passages

    return Page(list(iter_copied_passages(store, limit=limit, offset=offset)), total)


def event_type_counts(store: Store) -> list[tuple[str, int]]:
    """(event type, how many events), commonest first."""
    return [(r[0], int(r[1])) for r in store.conn.execute(
        "SELECT json_extract(record, '$.type') AS t, count(*) AS n FROM events GROUP BY t ORDER BY n DESC, t")]


def story_count(store: Store) -> int:
    """How many stories have a current document (as :func:`storyline.corpus.persist.story_list` lists)."""
    return int(store.conn.execute(
        "SELECT count(DISTINCT s.story_id) FROM story_docs s JOIN documents d ON d.id = s.doc_id"
        " WHERE d.status = 'ok' AND d.superseded_by IS NULL").fetchone()[0])
