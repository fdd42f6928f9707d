"""HTML rendering of a :class:`~storyline.report.build.Report`.

Safety, by construction:

* Jinja2 templates with autoescape on; no data is ever marked safe except the JSON data
  blocks (:func:`script_json`: ``<``, ``>``, ``&``, U+2028 and U+2029 escaped as ``\\u003c``
  etc., so no text can close the script element) and the SVG/markup built here from
  escaped parts.
* Links only to http(s) URLs (:func:`safe_href`); never ``javascript:``.
* No inline event handlers and no ``style`` attributes; ``report.js`` reads the data with
  ``JSON.parse`` and builds map popups with ``createElement``/``textContent``.
* ``standalone=True``: one file that opens from disk with no network — CSS, JS, Leaflet and
  the Natural Earth base map inlined, and a Content-Security-Policy ``<meta>`` whose
  ``script-src``/``style-src`` are the SHA-256 hashes of exactly the inline scripts and
  styles (:func:`csp_for`). ``standalone=False``: assets from ``static_url`` (served by the
  web app from :func:`static_files`), no inline script except JSON data blocks.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from ..mapview import asset as map_asset
from ..mapview import with_links
from ..quoting import quoted
from ..timefmt import display as time_display
from .build import MAX_EPISODE_DOCS, Report, range_text, value_text

__all__ = ["render_html", "static_files", "script_json", "safe_href", "csp_for", "provenance_svg"]

#: copy edges drawn in the provenance SVG (the strongest first); the page lists the rest by count
MAX_SVG_COPY_EDGES = 400
#: copy relations listed with their example passage on the page
MAX_LISTED_COPIES = 40

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JSON_RX = re.compile("[<>&\u2028\u2029]")


def script_json(value: Any) -> Markup:
    """JSON for a ``<script type="application/json">`` block: nothing in it can end the
    element or open a comment, whatever the data holds."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return Markup(_JSON_RX.sub(lambda m: _JSON_ESCAPES[m.group(0)], text))


def safe_href(url: Any) -> str | None:
    """``url`` if it is safe as a link target: http(s), or a relative path/fragment with no
    scheme. Anything else (``javascript:``, ``data:``, control characters) → None."""
    if not isinstance(url, str):
        return None
    u = url.strip()
    if not u or any(ord(c) < 32 or ord(c) == 127 for c in u) or any(c in u for c in "<>\"'`\\ "):
        return None
    if re.match(r"(?i)^https?://", u):
        return u
    head = re.split(r"[/?#]", u, maxsplit=1)[0]
    if ":" in head or u.startswith("//"):
        return None
    return u


# --------------------------------------------------------------------------- assets


def _leaflet_dir() -> Any:
    return resources.files("js_lib_leaflet").joinpath("static/js_lib_leaflet")


@cache
def _static() -> dict[str, bytes]:
    assets = resources.files("storyline.report").joinpath("assets")
    return {
        "leaflet.js": _leaflet_dir().joinpath("leaflet.js").read_bytes(),
        "leaflet.css": _leaflet_dir().joinpath("leaflet.css").read_bytes(),
        "map.js": map_asset("map.js"),
        "map.css": map_asset("map.css"),
        "report.js": assets.joinpath("report.js").read_bytes(),
        "report.css": assets.joinpath("report.css").read_bytes(),
        "countries-110m.geojson": resources.files("storyline").joinpath("data/basemap/countries-110m.geojson").read_bytes(),
    }


def static_files() -> dict[str, bytes]:
    """Name → content of the files a non-standalone page loads from ``static_url``."""
    return dict(_static())


@cache
def _basemap_json() -> Markup:
    return script_json(json.loads(_static()["countries-110m.geojson"]))


def _inline(name: str) -> str:
    # the HTML parser turns CR LF into LF before the browser hashes an inline element, so
    # hash (and embed) the normalised text (leaflet.css ships with CR LF line ends)
    text = _static()[name].decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    # inline code must not end its element or open an HTML comment inside a script
    # no source-map fetch from a page opened from disk
    text = re.sub(r"\n?//# sourceMappingURL=\S*\s*$", "\n", text)
    low = text.lower()
    if "</script" in low or "</style" in low or "<!--" in text:
        raise ValueError(f"{name} cannot be inlined safely")
    return text


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def csp_for(scripts: Iterable[str], styles: Iterable[str]) -> str:
    """The standalone page's policy: only the given inline scripts and styles may run."""
    return (
        "default-src 'none'; "
        f"script-src {' '.join(_sha256(s) for s in scripts)}; "
        f"style-src {' '.join(_sha256(s) for s in styles)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


# --------------------------------------------------------------------------- provenance SVG


def _wrap(label: str, width: int = 26) -> list[str]:
    words, lines, cur = label.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    if cur:
        lines.append(cur)
    return lines[:3]


def provenance_svg(prov: Mapping[str, Any]) -> Markup:
    """A static, deterministic SVG of the provenance graph (layout computed at build time):
    documents as circles, outlets as squares; copy edges thick and solid, citations dashed,
    ``published by`` thin and dotted. Every text is escaped."""
    nodes = prov.get("nodes") or []
    if not nodes:
        return Markup("")
    n = len(nodes)
    xs = [nd["x"] for nd in nodes]
    ys = [nd["y"] for nd in nodes]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    w = int(min(2400, max(960, 140 * math.sqrt(n))))
    pad = 90
    aspect = (y1 - y0) / (x1 - x0) if x1 > x0 else 0.5
    h = int(min(w * 1.5, max(360, (w - 2 * pad) * aspect + 1.4 * pad)))

    def px(nd: Mapping[str, Any]) -> tuple[float, float]:
        fx = (nd["x"] - x0) / (x1 - x0) if x1 > x0 else 0.5
        fy = (nd["y"] - y0) / (y1 - y0) if y1 > y0 else 0.5
        return pad + fx * (w - 2 * pad), pad * 0.6 + fy * (h - 1.4 * pad)

    pos = {nd["id"]: px(nd) for nd in nodes}
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="provenance-graph" viewBox="0 0 {w} {h}" '
        f'role="img" aria-labelledby="prov-title prov-desc">',
        '<title id="prov-title">Provenance graph</title>',
        '<desc id="prov-desc">Documents (circles) and outlets (squares). Thick solid arrows: a document copies'
        " another; dashed arrows: a document cites an outlet; dotted lines: published by.</desc>",
        "<defs>",
    ]
    for cls, size in (("copies", 9), ("cites", 7), ("credits", 7)):
        out.append(
            f'<marker id="arrow-{cls}" class="arrow arrow-{cls}" viewBox="0 0 10 10" refX="10" refY="5" '
            f'markerWidth="{size}" markerHeight="{size}" markerUnits="userSpaceOnUse" orient="auto">'
            '<path d="M0,0 L10,5 L0,10 z"/></marker>'
        )
    out.append("</defs>")
    labels = {nd["id"]: nd.get("label") or nd["id"] for nd in nodes}
    order = {"published_by": 0, "credits": 1, "cites": 2, "copies": 3}
    edges = sorted(prov.get("edges") or [], key=lambda e: order.get(e["relation"], 9))
    copies = sorted((e for e in edges if e["relation"] == "copies"), key=lambda e: -e.get("passages", 1))
    if len(copies) > MAX_SVG_COPY_EDGES:  # the strongest copy edges; the list below has the count
        keep = {id(e) for e in copies[:MAX_SVG_COPY_EDGES]}
        edges = [e for e in edges if e["relation"] != "copies" or id(e) in keep]
    for e in edges:
        if e["source"] not in pos or e["target"] not in pos:
            continue
        (ax, ay), (bx, by) = pos[e["source"]], pos[e["target"]]
        dx, dy = bx - ax, by - ay
        dist = math.hypot(dx, dy) or 1.0
        r0, r1 = 10.0, 12.0
        sx, sy = ax + dx / dist * r0, ay + dy / dist * r0
        tx, ty = bx - dx / dist * r1, by - dy / dist * r1
        rel = e["relation"]
        if rel == "copies":
            tip = f"{labels[e['source']]} copies {labels[e['target']]}: {e.get('passages', 1)} passage(s)"
            if e.get("direction") != "source_to_copy":
                tip += " (direction unknown)"
        elif rel == "cites":
            tip = f"{labels[e['source']]} cites {labels[e['target']]} ({e.get('count', 1)}×)"
        else:
            tip = f"{labels[e['source']]} {rel.replace('_', ' ')} {labels[e['target']]}"
        marker = f' marker-end="url(#arrow-{rel})"' if rel in ("copies", "cites", "credits") else ""
        unknown = " unknown" if rel == "copies" and e.get("direction") != "source_to_copy" else ""
        out.append(
            f'<g class="edge {escape(rel)}{unknown}" data-source="{escape(e["source"])}" '
            f'data-target="{escape(e["target"])}"><title>{escape(tip)}</title>'
            f'<line x1="{sx:.1f}" y1="{sy:.1f}" x2="{tx:.1f}" y2="{ty:.1f}"{marker}/>'
        )
        if rel == "copies":
            mx, my = (sx + tx) / 2, (sy + ty) / 2
            out.append(
                f'<text class="edge-label" x="{mx:.1f}" y="{my - 6:.1f}" text-anchor="middle">'
                f"copies ({escape(str(e.get('passages', 1)))})</text>"
            )
        out.append("</g>")
    for nd in nodes:
        x, y = pos[nd["id"]]
        if nd["type"] == "doc":
            lines = _wrap(nd.get("label") or "")
            if nd.get("published"):
                lines.append(str(nd["published"]))
            shape = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9"/>'
            tip = f"{nd.get('title') or nd['doc']} — {nd.get('outlet') or 'unknown outlet'}"
            cls = "node doc" + ("" if nd.get("in_set", True) else " outside")
        else:
            lines = _wrap(nd.get("label") or "")
            shape = f'<rect x="{x - 8:.1f}" y="{y - 8:.1f}" width="16" height="16"/>'
            tip = f"{nd.get('label')} ({nd.get('kind') or 'outlet'})"
            cls = "node outlet"
        out.append(f'<g class="{cls}" data-id="{escape(nd["id"])}"><title>{escape(tip)}</title>{shape}')
        for i, line in enumerate(lines):
            out.append(
                f'<text x="{x:.1f}" y="{y + 24 + 13 * i:.1f}" text-anchor="middle">{escape(line)}</text>'
            )
        out.append("</g>")
    out.append("</svg>")
    return Markup("".join(out))


# --------------------------------------------------------------------------- template helpers


_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]


def date_label(value: Any, granularity: Any = None) -> str:
    """``2017-03-09`` → "9 March 2017"; ``2016-10`` → "October 2016"; None → "date unknown"."""
    if not value:
        return "date unknown"
    v = str(value)
    m = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$", v)
    if not m:  # weeks, parts of day, times, seasons, decades, …: never the raw TIMEX3 code
        return time_display(v, granularity)
    y, mo, d = m.groups()
    if d and granularity in (None, "day"):
        return f"{int(d)} {_MONTHS[int(mo) - 1]} {y}"
    if mo and granularity in (None, "day", "month"):
        return f"{_MONTHS[int(mo) - 1]} {y}"
    return y


def date_span(start: Any, end: Any) -> str:
    """Two dates as a reader writes them: "18–19 November 2019", "October 2016 – 9 March 2017",
    one date when both are the same, "undated" for none."""
    if not start and not end:
        return "undated"
    a, b = date_label(start), date_label(end)
    if not end or not start or a == b:
        return a if start else b
    pa, pb = a.split(" "), b.split(" ")
    if len(pa) == len(pb) == 3 and pa[2] == pb[2]:  # both to the day, in one year
        return f"{pa[0]}–{b}" if pa[1] == pb[1] else f"{pa[0]} {pa[1]} – {b}"
    return f"{a} – {b}"


def stamp_label(value: Any) -> str:
    """``2026-12-06T10:27:15+00:00`` → "6 December 2026, 10:27 UTC" (the page keeps it on one line)."""
    m = re.match(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})", str(value or ""))
    if not m:
        return str(value or "")
    utc = str(value).endswith(("+00:00", "Z"))
    return f"{date_label(m.group(1))}, {m.group(2)}{' UTC' if utc else ''}"


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("storyline.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date_label"] = date_label
    env.filters["safe_href"] = safe_href
    env.filters["short"] = lambda s, n=80: (s if len(s or "") <= n else (s or "")[: n - 1] + "…")
    env.filters["plural"] = lambda n, one, many=None: one if n == 1 else (many or one + "s")
    env.filters["num"] = lambda x: "?" if x is None else f"{x:,.0f}"
    env.filters["value_text"] = lambda q: value_text(q.get("low"), q.get("high"))
    env.filters["range_text"] = range_text
    env.filters["capfirst"] = lambda s: (s or "")[:1].upper() + (s or "")[1:]
    env.filters["stamp"] = stamp_label
    env.filters["date_span"] = date_span
    env.filters["quoted"] = quoted
    return env


@cache
def _env() -> Environment:
    return _environment()


def _timeline_axis(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Positions (0–100 %) of the dated items on a simple axis, by their first day."""
    from datetime import date

    def day(v: str | None) -> date | None:
        if not v:
            return None
        m = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", v)
        if not m or "-W" in v:
            return None
        y, mo, d = m.groups()
        try:
            return date(int(y), int(mo or 1), int(d or 1))
        except ValueError:
            return None

    days = [(day(i["time"].get("value")), i) for i in items]
    dated = [(d, i) for d, i in days if d is not None]
    if len(dated) < 2:
        return None
    lo, hi = min(d for d, _ in dated), max(d for d, _ in dated)
    span = (hi - lo).days or 1
    points = [
        {"x": round(10 + 880 * (d - lo).days / span, 1), "id": i["id"], "label": i["headline"],
         "date": date_label(i["time"].get("value"), i["time"].get("granularity")),
         "by_publication": i["time"].get("placed_by") == "publication"}
        for d, i in dated
    ]
    years = list(range(lo.year, hi.year + 1))
    ticks = [{"x": round(10 + 880 * (date(y, 1, 1) - lo).days / span, 1), "label": str(y)}
             for y in years if lo <= date(y, 1, 1) <= hi]
    return {"points": points, "ticks": ticks, "start": date_label(lo.isoformat()), "end": date_label(hi.isoformat())}


def render_html(
    report: Report,
    *,
    standalone: bool = True,
    static_url: str = "/static",
    doc_url: Callable[[str], str] | None = None,
    nav: Sequence[tuple[str, str]] = (),
) -> str:
    """The report as one HTML page (see the module docstring for the two modes). ``nav``:
    (label, href) links shown above the report, e.g. back into the web app."""
    rec = report.to_record()
    sources = {s["id"]: s for s in rec["sources"]}
    anchor = {f["id"]: "f-" + f["id"].split(":", 1)[-1] for f in rec["summary"] + rec["timeline"]["items"]}
    def movement_href(f: Mapping[str, Any]) -> str | None:
        a = anchor.get(f["properties"].get("finding"))
        return f"#t-{a}" if a else None

    data = {
        "title": rec["title"],
        "map": with_links(rec["map"], movement_href=movement_href),
        "anchors": anchor,
        "summary": [f["id"] for f in rec["summary"]],
    }

    def link_for(doc: str) -> str:
        if doc_url is not None:
            href = safe_href(doc_url(doc))
            if href:
                return href
        return "#src-" + doc

    scripts: list[str] = []
    styles: list[str] = []
    if standalone:
        styles = [_inline("leaflet.css"), _inline("map.css"), _inline("report.css")]
        scripts = [_inline("leaflet.js"), _inline("map.js"), _inline("report.js")]
    static = static_url.rstrip("/")
    html = _env().get_template("report.html.j2").render(
        r=rec,
        standalone=standalone,
        static=static,
        csp=csp_for(scripts, styles) if standalone else None,
        inline_styles=[Markup(s) for s in styles],
        inline_scripts=[Markup(s) for s in scripts],
        data_json=script_json(data),
        basemap_json=_basemap_json() if standalone else None,
        sources=sources,
        nav=[(label, href) for label, href in ((lbl, safe_href(h)) for lbl, h in nav) if href],
        anchor=anchor,
        link_for=link_for,
        doc_url_given=doc_url is not None,
        provenance_svg=provenance_svg(rec["provenance"]),
        axis=_timeline_axis(rec["timeline"]["items"]),
        max_copies=MAX_LISTED_COPIES,
        max_episode_docs=MAX_EPISODE_DOCS,
        movements=[f for f in rec["map"]["features"] if f["properties"].get("feature") == "movement"],
        places=[f for f in rec["map"]["features"] if f["properties"].get("feature") == "place"],
    )
    return html
