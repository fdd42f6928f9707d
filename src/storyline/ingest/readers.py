"""Readers: paths → :class:`RawRecord` (or :class:`Rejection`), one format each.

Readers only find documents and their container metadata; they never clean. Each bad
input becomes a Rejection and reading goes on with the next record or file. Container
files (JSONL, WARC, feeds) are streamed; a single document over ``max_bytes`` is refused
without being read into memory.
"""

from __future__ import annotations

import gzip
import io
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import BinaryInput, InputError, MalformedInput, StorylineError, TooLarge, UnreadableInput
from ..types import RawRecord, Rejection

SIDECAR_NAME = "sources.jsonl"

TEXT_EXT = {".txt", ".text", ".md"}
HTML_EXT = {".html", ".htm", ".xhtml", ".shtml"}
JSONL_EXT = {".jsonl", ".ndjson", ".json"}
WARC_EXT = {".warc", ".arc"}
FEED_EXT = {".rss", ".atom", ".xml", ".rdf"}

# File signatures of common binary formats: refused before decoding is attempted.
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF file",
    b"PK\x03\x04": "a ZIP archive (or docx/xlsx)",
    b"\x7fELF": "an executable",
    b"SQLite format 3": "a SQLite database",
    b"\x1f\x8b": "a gzip archive",
    b"BZh": "a bzip2 archive",
    b"\xfd7zXZ": "an xz archive",
}

# JSONL field names seen in common news exports (news-please, newspaper, GDELT-style dumps).
_FIELDS: dict[str, tuple[str, ...]] = {
    "url": ("url", "link", "source_url", "article_url", "uri"),
    "title": ("title", "headline"),
    "text": ("text", "maintext", "content", "body", "article", "full_text"),
    "html": ("html", "raw_html", "content_html"),
    "published": ("published", "date_publish", "published_at", "publish_date", "date", "pubdate", "datePublished"),
    "outlet": ("outlet", "source", "source_domain", "site_name", "publisher", "domain"),
    "byline": ("byline", "author", "authors"),
}


@dataclass(frozen=True, slots=True)
class Seen:
    """Marks the start of a file's records (its old rejections are cleared then)."""

    path: str


Item = RawRecord | Rejection | Seen


def rejection(exc: StorylineError, *, path: str, locator: str = "", stage: str = "read") -> Rejection:
    return Rejection(source_path=path, stage=stage, code=exc.code, message=str(exc), locator=locator)


def list_files(paths: Iterable[str | Path]) -> Iterator[tuple[str, int] | Rejection]:
    """Walk the given paths (files or directories, recursively, sorted) → (path, size)."""
    for p in paths:
        path = Path(p)
        try:
            if path.is_dir():
                entries = sorted(path.rglob("*"))
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    if entry.is_file() or (entry.is_symlink() and not entry.exists()):
                        yield _stat(entry)  # a dangling link is reported, not skipped
            else:
                yield _stat(path)
        except OSError as exc:
            yield rejection(UnreadableInput(path=str(path), reason=exc.strerror or str(exc)), path=str(path))


def _stat(path: Path) -> tuple[str, int] | Rejection:
    try:
        st = path.stat()
    except OSError as exc:
        return rejection(UnreadableInput(path=str(path), reason=exc.strerror or str(exc)), path=str(path))
    if not path.is_file():
        return rejection(UnreadableInput(path=str(path), reason="not a regular file"), path=str(path))
    return str(path), st.st_size


class Sidecars:
    """Metadata sidecars (``sources.jsonl``): each line maps ``file`` to url and known fields.

    An explicit ``--meta FILE`` applies to every input; a ``sources.jsonl`` found in a
    directory applies to files below that directory.
    """

    def __init__(self) -> None:
        self._by_dir: dict[str, dict[str, dict[str, Any]]] = {}
        self._global: dict[str, dict[str, Any]] = {}
        self.problems: list[Rejection] = []

    def load(self, path: str, *, scope: str | None) -> None:
        entries: dict[str, dict[str, Any]] = {}
        try:
            with open(path, "rb") as fh:
                for n, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    try:
                        obj = json.loads(line)
                        if not isinstance(obj, dict) or not isinstance(obj.get("file"), str):
                            raise ValueError("not a JSON object with a 'file' string")
                    except ValueError as exc:
                        err = StorylineError("E109", path=path, reason=f"line {n}: {exc}")
                        self.problems.append(rejection(err, path=path, locator=f"line {n}", stage="metadata"))
                        continue
                    meta = {k: v for k, v in obj.items() if k != "file" and v not in (None, "")}
                    entries[obj["file"]] = meta
                    entries.setdefault(os.path.basename(obj["file"]), meta)
        except OSError as exc:
            err = StorylineError("E109", path=path, reason=exc.strerror or str(exc))
            self.problems.append(rejection(err, path=path, stage="metadata"))
            return
        if scope is None:
            self._global.update(entries)
        else:
            self._by_dir[os.path.abspath(scope)] = entries

    def lookup(self, path: str) -> dict[str, Any]:
        found: dict[str, Any] = {}
        apath = os.path.abspath(path)
        for scope, entries in self._by_dir.items():
            if apath.startswith(scope + os.sep):
                rel = os.path.relpath(apath, scope)
                meta = entries.get(rel) or entries.get(os.path.basename(path))
                if meta:
                    found.update(meta)
        meta = self._global.get(path) or self._global.get(os.path.basename(path))
        if meta:
            found.update(meta)
        return found


def is_sidecar(path: str) -> bool:
    return os.path.basename(path) == SIDECAR_NAME


def detect_format(path: str, head: bytes) -> str:
    """'text' | 'html' | 'jsonl' | 'warc' | 'feed' from the extension, confirmed by the first bytes."""
    name = path.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    ext = os.path.splitext(name)[1]
    sniff = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:512].lower()
    if ext in WARC_EXT or sniff.startswith(b"warc/"):
        return "warc"
    if ext in FEED_EXT or (sniff.startswith(b"<?xml") and (b"<rss" in sniff or b"<feed" in sniff or b"<rdf" in sniff)):
        if b"<html" in sniff and b"<rss" not in sniff and b"<feed" not in sniff:
            return "html"
        return "feed"
    if sniff.startswith(b"<rss") or sniff.startswith(b"<feed"):
        return "feed"
    if ext in HTML_EXT or sniff.startswith(b"<!doctype html") or sniff.startswith(b"<html"):
        return "html"
    if ext in JSONL_EXT or sniff.startswith(b"{"):
        return "jsonl"
    return "text"


def sniff_binary(head: bytes) -> str | None:
    """A reason when the bytes are not text, else None."""
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            return what
    if b"\x00" in head[:8192]:
        # UTF-16/32 text has NULs too; it carries a BOM in practice.
        if head[:2] in (b"\xff\xfe", b"\xfe\xff") or head[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00"):
            return None
        return "it contains NUL bytes"
    return None


def read_paths(
    paths: Iterable[str | Path], *, sidecars: Sidecars, max_bytes: int, exclude: Iterable[str] = ()
) -> Iterator[Item]:
    """All records of all files under ``paths``, in a stable order.

    ``exclude`` names files never to read (the store itself, when it sits in an input folder).
    """
    skip = {os.path.abspath(p) for p in exclude}
    files = [f for f in list_files(paths) if not (isinstance(f, tuple) and os.path.abspath(f[0]) in skip)]
    for entry in files:
        if isinstance(entry, tuple) and is_sidecar(entry[0]):
            sidecars.load(entry[0], scope=os.path.dirname(entry[0]))
    yield from sidecars.problems
    for entry in files:
        if isinstance(entry, Rejection):
            yield entry
            continue
        path, size = entry
        if is_sidecar(path):
            continue
        yield Seen(path)
        yield from read_file(path, size, sidecars=sidecars, max_bytes=max_bytes)


def read_file(path: str, size: int, *, sidecars: Sidecars, max_bytes: int) -> Iterator[RawRecord | Rejection]:
    try:
        fh = open(path, "rb")
    except OSError as exc:
        yield rejection(UnreadableInput(path=path, reason=exc.strerror or str(exc)), path=path)
        return
    with fh:
        try:
            head = fh.read(8192)
            compressed = head.startswith(b"\x1f\x8b")
            if compressed and path.lower().endswith(".gz"):
                fh.seek(0)
                stream: BinaryIO = gzip.open(fh)  # type: ignore[assignment]
                head = stream.peek(8192)[:8192] if hasattr(stream, "peek") else b""
            else:
                fh.seek(0)
                stream = fh
            fmt = detect_format(path, head)
            if fmt == "warc":
                fh.seek(0)  # warcio reads (and decompresses) the file itself
                yield from _read_warc(path, fh, max_bytes=max_bytes)
                return
            if fmt == "jsonl":
                yield from _read_jsonl(path, stream, head, max_bytes=max_bytes)
                return
            if not compressed and size > max_bytes:
                raise TooLarge(path=path, size=size, limit=max_bytes)
            binary = sniff_binary(head)
            if binary:
                raise BinaryInput(path=path, reason=binary)
            data = _read_limited(stream, max_bytes, path)
            if fmt == "feed":
                yield from _read_feed(path, data)
                return
            meta = sidecars.lookup(path)
            if not data.strip():
                raise InputError("E106", path=path, detail=" (the file is empty)")
            yield RawRecord(path, "", "html" if fmt == "html" else "text", data, _normalise_meta(meta))
        except InputError as exc:
            yield rejection(exc, path=path)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            yield rejection(UnreadableInput(path=path, reason=str(exc)), path=path)


def _read_limited(stream: BinaryIO, max_bytes: int, path: str) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLarge(path=path, size=f"more than {max_bytes}", limit=max_bytes)
    return data


def _normalise_meta(obj: dict[str, Any]) -> dict[str, Any]:
    """Map export field names onto ours; keep only strings (lists of authors joined)."""
    out: dict[str, Any] = {}
    for ours, theirs in _FIELDS.items():
        if ours in ("text", "html"):
            continue
        for key in theirs:
            value = obj.get(key)
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value if v)
            if isinstance(value, dict):  # e.g. {"name": "..."} publisher objects
                value = value.get("name") or value.get("title")
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = str(value)
            if isinstance(value, str) and value.strip():
                out[ours] = value.strip()
                break
    return out


def _read_jsonl(path: str, stream: BinaryIO, head: bytes, *, max_bytes: int) -> Iterator[RawRecord | Rejection]:
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"[":  # a JSON array of records rather than JSON Lines
        data = _read_limited(stream, max_bytes, path)
        try:
            records = json.loads(data)
        except ValueError as exc:
            yield rejection(MalformedInput(path=path, kind="JSON", reason=str(exc)), path=path)
            return
        for n, obj in enumerate(records if isinstance(records, list) else [], 1):
            yield _jsonl_record(path, f"item {n}", obj, None)
        return
    n = 0
    while True:
        line = stream.readline(max_bytes + 1)
        if not line:
            break
        n += 1
        if len(line) > max_bytes and not line.endswith(b"\n"):
            # Skip the rest of an oversized line without holding it in memory.
            while True:
                chunk = stream.readline(1 << 20)
                if not chunk or chunk.endswith(b"\n"):
                    break
            exc = TooLarge(path=f"{path} line {n}", size=f"more than {max_bytes}", limit=max_bytes)
            yield rejection(exc, path=path, locator=f"line {n}")
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            err = MalformedInput(path=f"{path} line {n}", kind="JSON line", reason=str(exc))
            yield rejection(err, path=path, locator=f"line {n}")
            continue
        yield _jsonl_record(path, f"line {n}", obj, line)


def _jsonl_record(path: str, locator: str, obj: Any, line: bytes | None) -> RawRecord | Rejection:
    where = f"{path} {locator}"
    if not isinstance(obj, dict):
        err = MalformedInput(path=where, kind="JSON record", reason="not a JSON object")
        return rejection(err, path=path, locator=locator)
    meta = _normalise_meta(obj)
    for content_type in ("text", "html"):
        for key in _FIELDS[content_type]:
            value = obj.get(key)
            if isinstance(value, str) and value.strip():
                return RawRecord(path, locator, content_type, value.encode("utf-8", "surrogatepass"), meta)  # type: ignore[arg-type]
    return rejection(InputError("E107", path=where, kind="JSON"), path=path, locator=locator)


def _read_warc(path: str, fh: BinaryIO, *, max_bytes: int) -> Iterator[RawRecord | Rejection]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    n = 0
    try:
        for record in ArchiveIterator(fh):
            if record.rec_type not in ("response", "resource"):
                continue
            n += 1
            locator = f"record {n}"
            url = record.rec_headers.get_header("WARC-Target-URI")
            if record.http_headers is not None:
                status = record.http_headers.get_statuscode()
                ctype = (record.http_headers.get_header("Content-Type") or "").lower()
                if status and not status.startswith("2"):
                    continue
            else:
                ctype = (record.rec_headers.get_header("Content-Type") or "").lower()
            if ctype and not any(t in ctype for t in ("html", "text/plain", "xml")):
                continue  # images, scripts, stylesheets: page resources, not articles
            stream = record.content_stream()
            data = stream.read(max_bytes + 1)
            if len(data) > max_bytes:
                exc = TooLarge(path=f"{path} {locator}", size=f"more than {max_bytes}", limit=max_bytes)
                yield rejection(exc, path=path, locator=locator)
                continue
            if not data.strip():
                continue
            meta: dict[str, Any] = {"url": url} if url else {}
            fetched = record.rec_headers.get_header("WARC-Date")
            if fetched:
                meta["fetched"] = fetched  # crawl time: not a publication date
            yield RawRecord(path, locator, "text" if "text/plain" in ctype else "html", data, meta)
    except Exception as exc:  # warcio raises assorted errors on truncated or garbled records
        if not isinstance(exc, (ArchiveLoadFailed, ValueError, OSError, EOFError, AttributeError, KeyError)):
            raise
        err = MalformedInput(path=path, kind="WARC", reason=f"after {n} records: {exc}")
        yield rejection(err, path=path, locator=f"record {n + 1}")


def _read_feed(path: str, data: bytes) -> Iterator[RawRecord | Rejection]:
    import feedparser

    parsed = feedparser.parse(io.BytesIO(data))
    entries = parsed.get("entries") or []
    if not entries:
        reason = str(parsed.get("bozo_exception") or "no items found")
        yield rejection(MalformedInput(path=path, kind="feed", reason=reason), path=path)
        return
    for n, entry in enumerate(entries, 1):
        locator = f"item {n}"
        content = ""
        if entry.get("content"):
            content = max((c.get("value", "") for c in entry["content"]), key=len)
        if len(content) < len(entry.get("summary", "") or ""):
            content = entry.get("summary", "")
        meta = _normalise_meta(
            {
                "url": entry.get("link"),
                "title": entry.get("title"),
                "published": entry.get("published") or entry.get("updated"),
                "author": entry.get("author"),
                "outlet": (parsed.get("feed") or {}).get("title"),
            }
        )
        if not content.strip():
            err = InputError("E107", path=f"{path} {locator}", kind="feed")
            yield rejection(err, path=path, locator=locator)
            continue
        # Feed items carry an HTML fragment of the article itself: no page furniture to strip.
        yield RawRecord(path, locator, "fragment", content.encode("utf-8"), meta)  # type: ignore[arg-type]
