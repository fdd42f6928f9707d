"""Container metadata (JSONL fields, sidecar lines, feed items, WARC headers) → validated strings.

Export field names are mapped onto ours (url, title, published, outlet, byline) and every
value is checked for its type before it is kept. A value that cannot be meant as it stands
is dropped or repaired, and each such change is reported as a warning stored with the
rejections (E115, stage ``metadata``); the document itself is kept.

Why: ``"url": NaN`` (what Python's ``json.dumps`` writes for a float NaN) used to become the
URL ``"nan"``, and the records sharing it superseded each other as versions of one page,
hiding 2 of 3 articles with exit code 0 (issue #15). A URL must now be a string; one with a
scheme other than http(s) (``javascript:``, ``file:``) or a spelled-out missing value
(``nan``, ``null``, ``None``) is dropped. A string without a scheme is kept: exports use
bare identifiers as keys. Lone surrogates (``"\\ud800"``: valid JSON, invalid Unicode) are
replaced by U+FFFD, and overlong values are cut.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from .guard import safe_text

# JSONL field names seen in common news exports (news-please, newspaper, GDELT-style dumps).
FIELDS: dict[str, tuple[str, ...]] = {
    "url": ("url", "link", "source_url", "article_url", "uri"),
    "title": ("title", "headline"),
    "text": ("text", "maintext", "content", "body", "article", "full_text"),
    "html": ("html", "raw_html", "content_html"),
    "published": (
        "published",
        "date_publish",
        "published_at",
        "publish_date",
        "date",
        "pubdate",
        "datePublished",
    ),
    "outlet": ("outlet", "source", "source_domain", "site_name", "publisher", "domain"),
    "byline": ("byline", "author", "authors"),
}
META_FIELDS = ("url", "title", "published", "outlet", "byline")
MAX_CHARS = {"url": 4000, "title": 1000, "published": 200, "outlet": 300, "byline": 1000}
_MISSING = {"nan", "none", "null", "undefined", "n/a"}
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):(?!\d)")  # "host:8080/…" is a port, not a scheme


@dataclass(frozen=True, slots=True)
class MetaProblem:
    """A metadata value that was dropped or changed: becomes an E115 warning."""

    field: str  # the input's own key
    action: str  # "dropped", "repaired", "cut"
    reason: str


def normalise_meta(obj: dict[str, Any]) -> tuple[dict[str, str], list[MetaProblem]]:
    """Our metadata from an export's fields, and what had to be dropped or repaired."""
    out: dict[str, str] = {}
    problems: list[MetaProblem] = []
    for ours in META_FIELDS:
        for key in FIELDS[ours]:
            if key not in obj:
                continue
            value, problem = _value(ours, key, obj[key])
            if problem is not None:
                problems.append(problem)
            if value:
                out[ours] = value
                break
    return out, problems


def _value(ours: str, key: str, value: Any) -> tuple[str | None, MetaProblem | None]:
    if value is None or value == "" or value == []:
        return None, None
    if ours == "url":
        return _url(key, value)
    if isinstance(value, list):  # lists of authors
        value = ", ".join(s for s in (_name(v) for v in value) if s)
    elif isinstance(value, dict):  # e.g. {"name": "..."} publisher objects
        value = _name(value)
    elif isinstance(value, bool):
        return None, MetaProblem(key, "dropped", f"a boolean ({value}), not text")
    elif isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return None, MetaProblem(key, "dropped", f"the number {value}, not text")
        value = str(value)  # e.g. an epoch timestamp for published
    if not isinstance(value, str):
        return None, MetaProblem(key, "dropped", f"a {type(value).__name__}, not text")
    return _text(ours, key, value)


def _name(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        name = value.get("name") or value.get("title")
        return name.strip() or None if isinstance(name, str) else None
    return None


def _text(ours: str, key: str, value: str) -> tuple[str | None, MetaProblem | None]:
    problem = None
    repaired = safe_text(value)
    if repaired is not value:
        problem = MetaProblem(key, "repaired", "lone surrogate escapes (not Unicode) replaced by U+FFFD")
    value = repaired.strip()
    limit = MAX_CHARS[ours]
    if len(value) > limit:
        value = value[:limit].rstrip()
        problem = MetaProblem(key, "cut", f"longer than {limit:,} characters")
    return value or None, problem


def _url(key: str, value: Any) -> tuple[str | None, MetaProblem | None]:
    if not isinstance(value, str):
        what = f"the number {value}" if isinstance(value, (int, float)) else f"a {type(value).__name__}"
        return None, MetaProblem(key, "dropped", f"{what}, not a URL string")
    text, problem = _text("url", key, value)
    if text is None:
        return None, problem
    if text.lower() in _MISSING:
        return None, MetaProblem(key, "dropped", f"{text!r} spells a missing value, not a URL")
    scheme = _SCHEME_RE.match(text)
    if scheme and scheme.group(1).lower() not in ("http", "https"):
        return None, MetaProblem(key, "dropped", f"a {scheme.group(1).lower()}: URL, not http(s)")
    if problem is not None and problem.action == "cut":
        return None, MetaProblem(key, "dropped", problem.reason)  # a cut URL names another page
    return text, problem
