"""One error shape for everything the app answers with an error.

JSON (``/api/…``)::

    {"error": {"code": "E501", "message": "[E501] document 'abcd' not found. …", "status": 404}}

HTML pages get a small escaped page carrying the same code and message. Codes and messages
come from the catalogue in :mod:`storyline.errors`.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, JSONResponse, Response

from ..errors import StoreError, StorylineError, UsageError, message
from .security import apply_headers

log = logging.getLogger("storyline.app")

_STATUS_TEXT = {400: "Bad request", 401: "Authentication required", 404: "Not found", 405: "Method not allowed",
                422: "Invalid request", 500: "Internal error", 503: "Unavailable"}


def error_body(code: str, text: str, status: int) -> dict[str, Any]:
    return {"error": {"code": code, "message": text, "status": status}}


def wants_json(path: str) -> bool:
    return path.startswith("/api/") or path == "/api"


def error_response(
    request_path: str, http_status: int, code: str, *, text: str | None = None, **context: Any
) -> Response:
    """The error as JSON (API paths) or as a small HTML page, security headers included
    (an error raised past the middleware still gets them). ``context``: the values of the
    code's message (E508's is named ``status`` too, hence ``http_status`` here)."""
    text = text if text is not None else message(code, **context)
    resp: Response
    if wants_json(request_path):
        resp = JSONResponse(error_body(code, text, http_status), status_code=http_status)
    else:
        from .pages import render_error

        resp = HTMLResponse(render_error(http_status, _STATUS_TEXT.get(http_status, "Error"), code, text),
                            status_code=http_status)
    apply_headers(resp.headers)
    return resp


def _http_code(status: int) -> str:
    return {401: "E503", 404: "E501", 405: "E507", 422: "E502", 500: "E504"}.get(status, "E508")


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status, path = exc.status_code, request.url.path
    code = _http_code(status)
    if code == "E501":
        detail: dict[str, Any] = exc.detail if isinstance(exc.detail, dict) else {}
        resp = error_response(path, 404, code, what=detail.get("what", "page"), ident=detail.get("ident", path),
                              hint=detail.get("hint", "Start from / (the corpus overview)."))
    elif code == "E507":
        resp = error_response(path, 405, code, method=request.method, path=path)
    elif code == "E503":
        resp = error_response(path, 401, code)
    else:
        resp = error_response(path, status, code, status=status, reason=str(exc.detail))
    for k, v in (exc.headers or {}).items():
        resp.headers.setdefault(k, v)
    return resp


async def validation_error(request: Request, exc: Exception) -> Response:
    """A query or path parameter out of its bounds or of the wrong type: 400 E511 (a number
    past SQLite's 64-bit integers once reached the database and became a 500); anything
    else FastAPI rejects: 422 E502."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    parts = []
    for e in errors[:5]:
        where = ".".join(str(x) for x in e.get("loc", ()) if x not in ("query", "path"))
        parts.append(f"{where}: {e.get('msg', 'invalid')}")
    if errors and all(e.get("loc", ("",))[0] in ("query", "path") for e in errors):
        first = errors[0]
        name = ".".join(str(x) for x in first.get("loc", ())[1:]) or "?"
        reason = str(first.get("msg", "invalid value"))
        if len(errors) > 1:
            reason += f" (and {len(errors) - 1} more)"
        return error_response(request.url.path, 400, "E511", name=name, reason=reason)
    return error_response(request.url.path, 422, "E502", reason="; ".join(parts) or "invalid parameters")


# what one request may cost (issue #15): a query too complex is the request's fault (400); a
# search stopped by the time limit may pass when the machine is less busy (503)
LIMIT_STATUS = {"E509": 400, "E511": 400, "E510": 503}


async def storyline_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StorylineError)
    if exc.code in LIMIT_STATUS:
        status = LIMIT_STATUS[exc.code]
    elif isinstance(exc, UsageError) or exc.code in ("E401", "E402", "E407"):
        status = 404
    elif isinstance(exc, StoreError) or exc.code == "E506":
        status = 503
    else:
        status = 500
    return error_response(request.url.path, status, exc.code, text=str(exc))


def unexpected_response(path: str, exc: BaseException, app: Any) -> Response:
    """The answer to an exception nothing else handled: E304 (503) naming the store when the
    database failed (a damaged store: ``storyline check`` lists the damage), else E504."""
    if isinstance(exc, sqlite3.DatabaseError):
        ctx = getattr(getattr(app, "state", None), "storyline", None)
        return error_response(path, 503, "E304", path=getattr(ctx, "db_path", "the store"),
                              reason=type(exc).__name__)
    return error_response(path, 500, "E504", path=path)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("error serving %s", request.url.path, exc_info=exc)
    return unexpected_response(request.url.path, exc, request.app)


def not_found(what: str, ident: str, hint: str = "") -> StarletteHTTPException:
    # FastAPI's subclass types ``detail`` as Any (Starlette's says str); the handler above reads the dict
    return HTTPException(404, detail={"what": what, "ident": ident, "hint": hint})
