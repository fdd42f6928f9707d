"""What the API offers, for people and scripts: ``/api/`` (an index of the endpoints, JSON) and
``/api/openapi`` (the OpenAPI description as a readable page with a form per endpoint).

FastAPI's own ``/docs`` page loads Swagger UI from a CDN: it shows nothing offline and its
inline script breaks the app's CSP. No PyPI package in this environment ships Swagger UI's
assets, so the page is rendered here from ``/api/openapi.json`` itself: the server writes the
endpoints, parameters and bounds as HTML; ``static/apidocs.js`` (a same-origin file, as the CSP
requires) only sends a form's request and shows the answer as text.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from .. import __version__

router = APIRouter()


def endpoints(openapi: dict[str, Any]) -> list[dict[str, Any]]:
    """Every GET operation of the OpenAPI description under ``/api`` and ``/export`` (the
    HTML pages are for browsing, not scripting), in path order, with its parameters."""
    out = []
    for path, ops in sorted(openapi.get("paths", {}).items()):
        if not path.startswith(("/api", "/export")):
            continue
        for method, op in ops.items():
            if method != "get":
                continue
            params = []
            for p in op.get("parameters", []):
                schema = p.get("schema", {})
                kinds = [s.get("type") for s in schema.get("anyOf", [])] or [schema.get("type")]
                bounds = ", ".join(
                    f"{label} {schema[key]}" for key, label in
                    (("minimum", "≥"), ("maximum", "≤"), ("pattern", "matches")) if key in schema
                )
                params.append({
                    "name": p["name"], "in": p.get("in", "query"), "required": bool(p.get("required")),
                    "type": " or ".join(k for k in kinds if k and k != "null") or "string",
                    "default": schema.get("default"), "bounds": bounds,
                    "description": p.get("description") or schema.get("description") or "",
                })
            out.append({"path": path, "method": "GET", "summary": op.get("summary", ""),
                        "description": (op.get("description") or "").strip(), "parameters": params})
    return out


@router.get("/api/", summary="Index of the API")
@router.get("/api", include_in_schema=False)
def api_index(request: Request) -> dict[str, Any]:
    """The endpoints of this API (GET only: the app is read-only), where its OpenAPI
    description is, and the page that renders it."""
    spec = request.app.openapi()
    return {
        "name": "storyline", "version": __version__,
        "openapi": "/api/openapi.json", "reference": "/api/openapi", "records": "docs/records.md",
        "endpoints": [
            {"path": e["path"], "method": e["method"], "summary": e["summary"],
             "parameters": [p["name"] for p in e["parameters"]]}
            for e in endpoints(spec)
        ],
    }


@router.get("/api/openapi", response_class=HTMLResponse, include_in_schema=False)
def api_reference(request: Request) -> Response:
    from .pages import render

    spec = request.app.openapi()
    return render("api.html", endpoints=endpoints(spec), info=spec.get("info", {}))
