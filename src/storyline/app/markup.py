"""Turning hostile document text into safe HTML.

Everything that comes from a document (text, title, outlet, URL, annotations) is data, never
markup: it is escaped here or by the autoescaping templates. The only HTML built in Python is
the marked-up document text (``<mark>``/``<a>`` around annotated stretches, built from
character offsets over escaped pieces) and search snippets (FTS5 markers are private-use
characters, replaced by ``<mark>`` only after the snippet was escaped).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from markupsafe import Markup, escape

# FTS5 snippet() markers: private-use characters, so they cannot be confused with markup.
MARK_OPEN = "\ue000"
MARK_CLOSE = "\ue001"


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL that is safe to put in ``href``, else None."""
    if not url or not isinstance(url, str) or len(url) > 4096:
        return None
    if any(ord(ch) < 0x21 or ch in "\x7f\"'<>`\\" for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def path_part(value: str) -> str:
    """An id as one URL path segment (place ids hold ':' and spaces)."""
    return quote(value, safe=":")


def evidence_href(doc: str, start: int, end: int) -> str:
    return f"/docs/{path_part(doc)}#{int(start)}-{int(end)}"


def snippet_html(raw: str) -> Markup:
    """An FTS5 snippet with :data:`MARK_OPEN`/:data:`MARK_CLOSE` markers → escaped HTML
    with balanced ``<mark>`` elements (a document containing the marker characters itself
    can at worst move a highlight, never unbalance or inject markup)."""
    out: list[str] = []
    open_ = False
    buf: list[str] = []
    for ch in raw:
        if ch == MARK_OPEN or ch == MARK_CLOSE:
            out.append(str(escape("".join(buf))))
            buf = []
            if ch == MARK_OPEN and not open_:
                out.append("<mark>")
                open_ = True
            elif ch == MARK_CLOSE and open_:
                out.append("</mark>")
                open_ = False
        else:
            buf.append(ch)
    out.append(str(escape("".join(buf))))
    if open_:
        out.append("</mark>")
    return Markup("".join(out))


def snippet_text(raw: str) -> str:
    return raw.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")


@dataclass(frozen=True, slots=True)
class Mark:
    """One annotated stretch of a document's text. ``kind`` becomes the CSS class
    ``m-<kind>``; ``href`` (already safe: built from ids and offsets) makes it a link;
    ``label`` is shown as a tooltip."""

    start: int
    end: int
    kind: str
    label: str = ""
    href: str | None = None
    priority: int = 0  # which href wins where linked marks overlap (higher first)


def marked_text(text: str, marks: Sequence[Mark]) -> Markup:
    """``text`` escaped, each stretch covered by marks wrapped in one element carrying all
    of their classes. Overlapping marks are split at every boundary, so the output is
    flat (no nesting) and its text content equals ``text`` exactly — evidence offsets stay
    valid in the browser."""
    n = len(text)
    clean = [m for m in marks if 0 <= m.start < m.end <= n]
    bounds = sorted({0, n, *(m.start for m in clean), *(m.end for m in clean)})
    starts: dict[int, list[Mark]] = {}
    for m in clean:
        starts.setdefault(m.start, []).append(m)
    active: list[Mark] = []
    out: list[str] = []
    for a, b in zip(bounds, bounds[1:]):
        active = [m for m in active if m.end > a] + starts.get(a, [])
        piece = str(escape(text[a:b]))
        if not active:
            out.append(piece)
            continue
        classes = " ".join(sorted({f"m-{m.kind}" for m in active}))
        labels = "; ".join(dict.fromkeys(m.label for m in active if m.label))
        linked = sorted((m for m in active if m.href), key=lambda m: -m.priority)
        title = f' title="{escape(labels)}"' if labels else ""
        if linked:
            out.append(f'<a class="{classes}" href="{escape(linked[0].href)}"{title}>{piece}</a>')
        else:
            out.append(f'<mark class="{classes}"{title}>{piece}</mark>')
    return Markup("".join(out))


def context(text: str, start: int, end: int, width: int = 70) -> tuple[str, str, str]:
    """(before, the span, after) around an evidence span, cut at ``width`` characters."""
    a = max(0, start - width)
    b = min(len(text), end + width)
    before = ("…" if a > 0 else "") + text[a:start]
    after = text[end:b] + ("…" if b < len(text) else "")
    return before, text[start:end], after


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
