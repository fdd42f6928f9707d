"""The local web app: ``storyline serve`` (pages, report, JSON API) over one store, read-only.

::

    from storyline.app import create_app, serve
    app = create_app("news.db")               # a FastAPI app (tests, other ASGI servers)
    serve("news.db", port=8000)               # uvicorn on 127.0.0.1:8000

Routes — pages: ``/`` overview, ``/stories``, ``/stories/{id}`` (the story's situation
report), ``/report`` (whole corpus), ``/docs/{id}`` (annotated text; ``#start-end`` highlights
an evidence span), ``/search?q=``, ``/entities``, ``/entities/{id}``, ``/places``,
``/places/{id}``, ``/map``, ``/timeline``. JSON (:mod:`.api`): ``/api/docs``,
``/api/docs/{id}``, ``/api/search``, ``/api/stories``, ``/api/stories/{id}``, ``/api/report``,
``/api/claims``, ``/api/events``, ``/api/entities``, ``/api/places``, ``/api/reuse``,
``/api/rejections``, ``/api/health``; ``/api/`` lists them (:mod:`.reference`), ``/api/openapi`` renders
``/api/openapi.json`` offline. Downloads (:mod:`.exports`): ``/export/{list}.csv`` and ``.json``.

Security (:mod:`.security`): strict CSP and companion headers on every response; a token is
required when serving beyond loopback; without a token only loopback Host names are answered.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import FileResponse, Response

from ..errors import StorylineError

__all__ = ["create_app", "serve", "is_loopback"]

STATIC = Path(__file__).parent / "static"
_CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".geojson": "application/geo+json",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}


def is_loopback(host: str) -> bool:
    from .security import is_loopback as check

    return check(host)


def _leaflet_dir() -> Path | None:
    try:
        return Path(str(resources.files("js_lib_leaflet") / "static" / "js_lib_leaflet"))
    except (ModuleNotFoundError, TypeError):
        return None


def create_app(
    db_path: str | Path, *, token: str | None = None, allowed_hosts: list[str] | None = None,
    search_time_limit_ms: int | None = None,
) -> FastAPI:
    """The FastAPI app over the store at ``db_path`` (opened read-only; E303 when missing).

    ``token``: required on every request when given. ``allowed_hosts``: Host names answered;
    default: any when a token is set, else only loopback names (DNS-rebinding guard).
    ``search_time_limit_ms``: time limit of one search (default: the setting
    ``STORYLINE_SEARCH_TIME_LIMIT_MS``; 0: none).
    """
    from . import api, exports, pages, reference, responses
    from .context import AppContext, report_module
    from .security import LOOPBACK_HOSTS, SecurityMiddleware

    if search_time_limit_ms is None:
        from ..settings import Config

        search_time_limit_ms = Config.load().search_time_limit_ms
    ctx = AppContext(str(db_path), search_time_limit_ms=search_time_limit_ms or None)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        ctx.close()

    app = FastAPI(
        title="storyline", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json", lifespan=lifespan,
    )
    app.state.storyline = ctx
    hosts: frozenset[str] | None
    if allowed_hosts is not None:
        hosts = frozenset(h.lower() for h in allowed_hosts)
    else:
        hosts = None if token else LOOPBACK_HOSTS
    app.add_middleware(SecurityMiddleware, token=token, allowed_hosts=hosts)
    app.add_exception_handler(StarletteHTTPException, responses.http_exception)
    app.add_exception_handler(RequestValidationError, responses.validation_error)
    app.add_exception_handler(StorylineError, responses.storyline_error)
    app.add_exception_handler(Exception, responses.unexpected_error)

    app.mount("/static/app", StaticFiles(directory=str(STATIC)), name="static")
    leaflet = _leaflet_dir()
    if leaflet is not None and leaflet.is_dir():
        app.mount("/static/vendor/leaflet", StaticFiles(directory=str(leaflet)), name="leaflet")

    @app.get("/static/basemap/countries-110m.geojson", include_in_schema=False)
    def basemap() -> Response:
        path = Path(str(resources.files("storyline") / "data" / "basemap" / "countries-110m.geojson"))
        return FileResponse(path, media_type="application/geo+json")

    @app.get("/static/report/{name}", include_in_schema=False)
    def report_asset(name: str) -> Response:
        files = ctx.cache.get("report-static", lambda: dict(report_module().static_files()))
        if name not in files:
            raise responses.not_found("file", name)
        data = files[name]
        return Response(data if isinstance(data, bytes) else str(data).encode("utf-8"),
                        media_type=_CONTENT_TYPES.get(Path(name).suffix, "application/octet-stream"),
                        headers={"Cache-Control": "max-age=3600"})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")

    app.include_router(reference.router)
    app.include_router(api.router)
    app.include_router(exports.router)
    app.include_router(pages.router)
    return app


def serve(
    db: str | Path, host: str = "127.0.0.1", port: int = 8000, token: str | None = None, *, log_level: str = "info"
) -> None:
    """Serve the app with uvicorn until interrupted. Beyond loopback a token is required (E505);
    a token has at least 16 characters (E512); the access log never shows it."""
    from .security import check_token, log_config

    if token:
        token = check_token(token)
    if not token and not is_loopback(host):
        raise StorylineError("E505", host=host)
    import uvicorn

    app = create_app(db, token=token or None)
    # the corpus views are computed while uvicorn starts, not on the first visitor's request
    threading.Thread(target=app.state.storyline.warm, name="storyline-warm-up", daemon=True).start()
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False, proxy_headers=False,
                log_config=log_config())
