"""Downloads of every list as CSV or JSON, as datasette offers them: ``/export/{list}.csv``
and ``/export/{list}.json`` (``docs``, ``stories``, ``entities``, ``places``, ``claims``,
``events``, ``reuse``, ``rejections``; ``?type=`` filters entities and events as their pages do).

An export is the whole list, read from the stored layers on request (nothing corpus-wide is
kept in the app's memory between requests); its cost is the command line's.

The JSON is one array of the records of ``docs/records.md`` (the API's ``items``, unpaginated);
the CSV has the flat columns of ``storyline COMMAND --format csv`` (:mod:`storyline.output`),
events the ACLED-style columns of ``storyline events --format csv``, so a file exported from
the app and one written by the command line are the same.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from ..output import COLUMNS, Column, field, write_records
from .context import AppContext
from .pages import ctx_of
from .responses import not_found

router = APIRouter()


def _events(ctx: AppContext, type: str | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    from ..corpus.event_exports import event_rows
    from ..corpus.persist import event_list

    events = [e for e in event_list(ctx.store()) if type is None or e.type == type]
    outlets = {r[0]: r[1] or r[0] for r in ctx.store().conn.execute("SELECT id, outlet FROM documents")}
    return [e.to_record() for e in events], event_rows(events, outlets)


def _entity_store() -> Any:
    from ..corpus import entity_store

    return entity_store


def _persist() -> Any:
    from ..corpus import persist

    return persist


#: list name → (records.md section, records of the list given a ``type`` filter)
LISTS: dict[str, tuple[str, Callable[[AppContext, str | None], list[dict[str, Any]]]]] = {
    "docs": ("Document", lambda ctx, _t: [d.to_record() for d in ctx.store().iter_docs()]),
    "stories": ("Story", lambda ctx, _t: [s.to_record() for s in ctx.stories()]),
    "entities": ("Entity", lambda ctx, t: _entity_store().entity_list(ctx.store(), type=t or None)),
    "places": ("Place", lambda ctx, _t: _entity_store().place_list(ctx.store())),
    "claims": ("Claim", lambda ctx, _t: [c.to_record() for c in _persist().claim_report(ctx.store()).claims]),
    "events": ("Event", lambda ctx, t: _events(ctx, t)[0]),
    "reuse": ("Copied passage", lambda ctx, _t: [p.to_record() for p in _persist().copied_passages(ctx.store())]),
    "rejections": ("Rejection", lambda ctx, _t: [r.to_record() for r in ctx.store().rejections()]),
}
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


@router.get("/export/{name}", summary="Export a list as CSV or JSON")
def export(request: Request, name: str, type: str | None = None) -> Response:
    """``/export/docs.csv``, ``/export/events.json?type=flee``, …: the whole list as a download."""
    stem, _, fmt = name.rpartition(".")
    if stem not in LISTS or fmt not in FORMATS:
        raise not_found("export", name, f"Exports: {', '.join(f'/export/{k}.csv' for k in LISTS)} (or .json).")
    ctx = ctx_of(request)
    section, records_of = LISTS[stem]
    rows: list[dict[str, Any]] | None = None
    columns: tuple[Column, ...] | list[Column] = COLUMNS[section]
    if stem == "events":
        records, flat = _events(ctx, type)
        if fmt == "csv":
            from ..corpus.event_exports import CSV_COLUMNS

            rows, columns = flat, [field(c) for c in CSV_COLUMNS]
    else:
        records = records_of(ctx, type)
    out = io.StringIO()
    write_records(records, fmt, out, columns=columns, rows=rows)
    filename = f"storyline-{stem}{'-' + _slug(type) if type else ''}.{fmt}"
    return Response(out.getvalue(), media_type=FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text)[:40]


def export_links(name: str, type: str | None = None) -> dict[str, str]:
    """The CSV, JSON and API addresses of a list (for the list pages' export line)."""
    from urllib.parse import urlencode

    query = "?" + urlencode({"type": type}) if type else ""
    api = {"rejections": "rejections"}.get(name, name)
    return {"CSV": f"/export/{name}.csv{query}", "JSON": f"/export/{name}.json{query}", "API": f"/api/{api}{query}"}
