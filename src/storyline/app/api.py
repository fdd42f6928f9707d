"""The JSON API (records.md shapes). Lists share one envelope::

    {"items": [...], "total": 1234, "limit": 100, "offset": 0, "next": "/api/docs?limit=100&offset=100"}

Errors share one shape (:mod:`.responses`). Nothing here writes to the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request

from .. import __version__
from .context import DOC_COLUMNS, doc_from_row
from .markup import path_part
from .pages import ctx_of
from .responses import not_found

router = APIRouter(prefix="/api")

# Every integer parameter has both bounds: an unbounded one reached SQLite, whose integers
# are 64-bit (offset=9223372036854775808 was a 500); out of bounds is a 400 (E511).
MAX_OFFSET = 1_000_000_000  # far past any store's rows, far below 2**63
Limit = Query(100, ge=1, le=1000, description="items per page")
Offset = Query(0, ge=0, le=MAX_OFFSET, description="items to skip")
#: By default a listing's items are the whole records.md records (the API's contract: every
#: mention and document of each; 17 MB and 9 s for the 100 most-mentioned entities of 10,000
#: documents: page with ``limit``); ``full=false`` gives the summaries the pages show (counts
#: instead of lists), each with the ``href`` of its record
Full = Query(True, description="whole records.md records; false: summaries with counts and an href")
Mentions = Query(None, ge=0, le=100_000, description="entities: at most this many mentions and documents per"
                 " record, with mention_count and document_count (default: every one)")


def envelope(request: Request, items: Sequence[Any], total: int, limit: int, offset: int, **extra: Any) -> dict[str, Any]:
    nxt = None
    if offset + limit < total:
        params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("limit", "offset", "token")]
        nxt = request.url.path + "?" + urlencode([*params, ("limit", limit), ("offset", offset + limit)])
    return {"items": list(items), "total": total, "limit": limit, "offset": offset, "next": nxt, **extra}


def _page(request: Request, records: Sequence[Any], limit: int, offset: int, **extra: Any) -> dict[str, Any]:
    return envelope(request, records[offset : offset + limit], len(records), limit, offset, **extra)


@router.get("/health")
def health(request: Request) -> dict[str, Any]:
    ctx = ctx_of(request)
    store = ctx.store()
    return {"status": "ok", "version": __version__, "schema_version": store.schema_version(),
            "generation": ctx.cache.generation.value(), "warm": ctx.warmed, **ctx.counts()}


@router.get("/docs")
def docs(
    request: Request, limit: int = Limit, offset: int = Offset,
    status: str | None = Query(None, pattern="^(ok|rejected|pending)$"), all: bool = False,
) -> dict[str, Any]:
    conn = ctx_of(request).store().conn
    where: list[str] = []
    args: list[str] = []
    if not all:
        where.append("superseded_by IS NULL")
    if status:
        where.append("status = ?")
        args.append(status)
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    total = conn.execute(f"SELECT count(*) FROM documents{clause}", args).fetchone()[0]
    rows = conn.execute(f"SELECT {DOC_COLUMNS} FROM documents{clause} ORDER BY rowid LIMIT ? OFFSET ?",
                        [*args, limit, offset]).fetchall()
    return envelope(request, [doc_from_row(r).to_record() for r in rows], total, limit, offset)


@router.get("/docs/{doc_id}")
def doc(request: Request, doc_id: str) -> dict[str, Any]:
    store = ctx_of(request).store()
    d = store.get(doc_id, with_raw=False)
    rec = d.to_record(full=True)
    rec["seen_at"] = [f"{p} ({loc})" if loc else p for p, loc in store.sightings(d.id)]
    return rec


@router.get("/search")
def search_api(request: Request, q: str = "", limit: int = Query(20, ge=1, le=100), offset: int = Offset) -> dict[str, Any]:
    result = ctx_of(request).search(q, limit=limit, offset=offset)
    rec = result.to_record()
    return {**rec, **envelope(request, rec["items"], result.total, limit, offset)}


@router.get("/stories")
def stories(request: Request, limit: int = Limit, offset: int = Offset, full: bool = Full) -> dict[str, Any]:
    """A page of the stories, largest first: records.md Story records, as `storyline stories
    --json` gives them (``summary``, ``events`` and ``claims`` read from the stored story
    fields; derived for a story whose stored fields wait), or with ``full=false`` their
    structure without those three, each with the ``href`` of its story."""
    ctx = ctx_of(request)
    page = ctx.stories(offset + limit)[offset:]
    if full:
        from ..report.stored import story_records

        items = list(story_records(ctx.store(), page))
    else:
        items = [{**{k: v for k, v in s.to_record().items() if k not in ("summary", "events", "claims")},
                  "href": f"/api/stories/{path_part(s.id)}"} for s in page]
    return envelope(request, items, ctx.story_count(), limit, offset)


@router.get("/stories/{story_id}")
def story(request: Request, story_id: str) -> dict[str, Any]:
    ctx = ctx_of(request)
    try:
        s, report = ctx.report(story_id)
    except LookupError:
        raise not_found("story", story_id, "List stories with /api/stories.") from None
    assert s is not None  # a story id's report comes with its story
    return {"story": s.to_record(), "report": report.to_record()}


@router.get("/report")
def corpus_report(request: Request) -> dict[str, Any]:
    _, report = ctx_of(request).report(None)
    return {"report": report.to_record()}


def _notes(request: Request, step: str) -> dict[str, Any]:
    """``note``: the documents the stored layer has not taken in yet, as the command line says it."""
    from .pages import behind_note

    note = behind_note(ctx_of(request), step)
    return {"note": note} if note else {}


@router.get("/claims")
def claims(
    request: Request, limit: int = Limit, offset: int = Offset,
    min_sources: int = Query(0, ge=0, le=1_000_000),
) -> dict[str, Any]:
    """A page of the stored claims and the contradictions that name them."""
    from .reads import claims_page

    page, xs = claims_page(ctx_of(request).store(), offset=offset, limit=limit, min_sources=min_sources)
    return envelope(request, [c.to_record() for c in page.items], page.total, limit, offset,
                    contradictions=[x.to_record() for x in xs], **_notes(request, "claims"))


@router.get("/events")
def events(request: Request, limit: int = Limit, offset: int = Offset, type: str | None = None) -> dict[str, Any]:
    from .reads import events_page

    page = events_page(ctx_of(request).store(), offset=offset, limit=limit, type=type)
    return envelope(request, [e.to_record() for e in page.items], page.total, limit, offset,
                    **_notes(request, "events"))



@router.get("/entities")
def entities(request: Request, limit: int = Limit, offset: int = Offset, type: str | None = None,
             full: bool = Full, mentions: int | None = Mentions) -> dict[str, Any]:
    from ..corpus.entity_store import entity_page

    ctx = ctx_of(request)
    if full:
        items, total = entity_page(ctx.store(), offset=offset, limit=limit, type=type, mentions=mentions)
    else:
        items, total, _ = ctx.entity_listing(offset, limit, type)
        items = [{**e, "href": f"/api/entities/{path_part(e['id'])}"} for e in items]
    return envelope(request, items, total, limit, offset, **_notes(request, "entities"))


@router.get("/entities/{entity_id:path}")
def entity(request: Request, entity_id: str) -> dict[str, Any]:
    from ..corpus.entity_store import entity_of

    ent = entity_of(ctx_of(request).store(), entity_id)
    if ent is None:
        raise not_found("entity", entity_id, "List entities with /api/entities.")
    return ent


@router.get("/places")
def places(request: Request, limit: int = Limit, offset: int = Offset, full: bool = Full) -> dict[str, Any]:
    """A page of the place listing (the place index's rows of the page): the records (read
    from the documents that name the page's places), or with ``full=false`` summaries (with ``href``)."""
    from ..corpus.entity_store import place_page, place_records_of

    store = ctx_of(request).store()
    page, total = place_page(store, offset=offset, limit=limit)
    if full:
        records = {r["id"]: r for r in place_records_of(store, [p["id"] for p in page])}
        items = [records[p["id"]] for p in page if p["id"] in records]
    else:
        items = [{**p, "href": f"/api/places/{path_part(p['id'])}"} for p in page]
    return envelope(request, items, total, limit, offset, **_notes(request, "entities"))


@router.get("/places/{place_id:path}")
def place(request: Request, place_id: str) -> dict[str, Any]:
    from ..corpus.entity_store import place_of

    p = place_of(ctx_of(request).store(), place_id)
    if p is None:
        raise not_found("place", place_id, "List places with /api/places.")
    return p


@router.get("/reuse")
def reuse(request: Request, limit: int = Limit, offset: int = Offset) -> dict[str, Any]:
    from .reads import passages_page

    ctx = ctx_of(request)
    page = passages_page(ctx.store(), offset=offset, limit=limit, total=ctx.counts()["copied_passages"])
    return envelope(request, [p.to_record() for p in page.items], page.total, limit, offset)


@router.get("/rejections")
def rejections(request: Request, limit: int = Limit, offset: int = Offset) -> dict[str, Any]:
    return _page(request, [r.to_record() for r in ctx_of(request).store().rejections()], limit, offset)
