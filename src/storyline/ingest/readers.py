"""Readers: paths → :class:`RawRecord` (or :class:`Rejection`), one format each.

Readers only find documents and their container metadata; they never clean. Each bad
input becomes a Rejection and reading goes on with the next record or file. Container
files (JSONL, WARC, feeds) are streamed; a single document over ``max_bytes`` is refused
without being read into memory.

Every file is read behind one guard (:func:`storyline.ingest.guard.guarded`): whatever a
reader or a library under it raises becomes a stored rejection naming the file, and a file
that yields nothing gets one. Which files are read (folders, symlinks) is decided in
:mod:`storyline.ingest.walk`; metadata values are checked in :mod:`storyline.ingest.meta`.
Errors a reader can name precisely get their own code: JSON nested deeper than the parser
allows (E105), a corrupt gzip or deflate stream (E111).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import BinaryInput, InputError, MalformedInput, StorylineError, TooLarge, UnreadableInput
from ..types import RawRecord, Rejection
from .guard import describe, display_path, guarded, rejection, safe_text
from .meta import FIELDS, MetaProblem, normalise_meta
from .walk import list_files

__all__ = ["Seen", "Sidecars", "detect_format", "list_files", "read_file", "read_paths", "rejection"]

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


@dataclass(frozen=True, slots=True)
class Seen:
    """Marks the start of a file's records (its old rejections are cleared then)."""

    path: str


Item = RawRecord | Rejection | Seen


class Sidecars:
    """Metadata sidecars (``sources.jsonl``): each line maps ``file`` to url and known fields.

    An explicit ``--meta FILE`` applies to every input; a ``sources.jsonl`` found in a
    directory applies to files below that directory.
    """

    def __init__(self) -> None:
        self._by_dir: dict[str, dict[str, dict[str, Any]]] = {}
        self._global: dict[str, dict[str, Any]] = {}
        self.loaded: list[tuple[str, list[Rejection]]] = []  # (display path, its problems) per sidecar

    @property
    def problems(self) -> list[Rejection]:
        return [r for _, problems in self.loaded for r in problems]

    def load(self, path: str, *, scope: str | None) -> None:
        """Read one sidecar; its problems (bounded, like any file's) are kept in :attr:`loaded`."""
        entries: dict[str, dict[str, Any]] = {}
        shown = display_path(path)
        lines = _sidecar_lines(path, shown, entries)
        self.loaded.append((shown, list(guarded(shown, lines, stage="metadata", report_empty=False))))
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


MAX_SIDECAR_LINE = 1 << 20  # a metadata line longer than 1 MB is refused, not held in memory


def _sidecar_lines(path: str, shown: str, entries: dict[str, dict[str, Any]]) -> Iterator[Rejection]:
    """Fill ``entries`` from the sidecar at ``path``; yield a rejection per bad line."""
    try:
        fh = open(path, "rb")
    except OSError as exc:
        yield rejection(
            StorylineError("E109", path=shown, reason=exc.strerror or str(exc)), path=shown, stage="metadata"
        )
        return
    with fh:
        for n, line in enumerate(iter(lambda: fh.readline(MAX_SIDECAR_LINE + 1), b""), 1):
            reason: str | None
            if len(line) > MAX_SIDECAR_LINE and not line.endswith(b"\n"):
                _skip_line(fh)
                reason = f"line {n}: longer than {MAX_SIDECAR_LINE:,} bytes"
            elif not line.strip():
                continue
            else:
                obj, reason = _json_object(line)
                if obj is not None and not isinstance(obj.get("file"), str):
                    reason = "not a JSON object with a 'file' string"
                if reason is None and obj is not None:
                    meta = {k: v for k, v in obj.items() if k != "file" and v not in (None, "")}
                    entries[obj["file"]] = meta
                    entries.setdefault(os.path.basename(obj["file"]), meta)
                    continue
                reason = f"line {n}: {reason}"
            err = StorylineError("E109", path=shown, reason=reason)
            yield rejection(err, path=shown, locator=f"line {n}", stage="metadata")


def _json_object(data: bytes | str) -> tuple[dict[str, Any] | None, str | None]:
    """A JSON object, or None and why not. Nesting too deep for the parser is a reason, not a crash."""
    try:
        obj = json.loads(data)
    except ValueError as exc:
        return None, str(exc)
    except RecursionError:
        return None, "nested deeper than the JSON parser allows"
    if not isinstance(obj, dict):
        return None, "not a JSON object"
    return obj, None


def _skip_line(stream: BinaryIO) -> None:
    """Skip the rest of an oversized line without holding it in memory."""
    while True:
        chunk = stream.readline(1 << 20)
        if not chunk or chunk.endswith(b"\n"):
            return


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
    if ext in FEED_EXT or (
        sniff.startswith(b"<?xml") and (b"<rss" in sniff or b"<feed" in sniff or b"<rdf" in sniff)
    ):
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
    paths: Iterable[str | Path],
    *,
    sidecars: Sidecars,
    max_bytes: int,
    exclude: Iterable[str] = (),
    follow_symlinks: bool = False,
) -> Iterator[Item]:
    """All records of all files under ``paths``, in a stable order.

    ``exclude`` names files never to read (the store itself, when it sits in an input folder);
    ``follow_symlinks`` reads links that lead out of the input folders too.
    """
    skip = {os.path.abspath(p) for p in exclude}
    files = [
        f
        for f in list_files(paths, follow_symlinks=follow_symlinks)
        if not (isinstance(f, tuple) and os.path.abspath(f[0]) in skip)
    ]
    for entry in files:
        if isinstance(entry, tuple) and is_sidecar(entry[0]):
            sidecars.load(entry[0], scope=os.path.dirname(entry[0]))
    for shown, problems in sidecars.loaded:
        yield Seen(shown)  # a fixed sidecar's old problems are cleared
        yield from problems
    for entry in files:
        if isinstance(entry, Rejection):
            yield Seen(entry.source_path)  # re-stated each run: a removed link or a fixed folder clears it
            yield entry
            continue
        path, size = entry
        if is_sidecar(path):
            continue
        shown = display_path(path)
        yield Seen(shown)
        yield from guarded(shown, read_file(path, size, sidecars=sidecars, max_bytes=max_bytes))


def read_file(path: str, size: int, *, sidecars: Sidecars, max_bytes: int) -> Iterator[RawRecord | Rejection]:
    """The records of one file. ``path`` is the OS path (opened as given); records and
    rejections name its display form. Run it behind :func:`guarded` (as :func:`read_paths` does)."""
    shown = display_path(path)
    try:
        fh = open(path, "rb")
    except OSError as exc:
        yield rejection(UnreadableInput(path=shown, reason=exc.strerror or str(exc)), path=shown)
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
                yield from _read_warc(shown, fh, max_bytes=max_bytes)
                return
            if fmt == "jsonl":
                yield from _read_jsonl(shown, stream, head, max_bytes=max_bytes)
                return
            if not compressed and size > max_bytes:
                raise TooLarge(path=shown, size=size, limit=max_bytes)
            binary = sniff_binary(head)
            if binary:
                raise BinaryInput(path=shown, reason=binary)
            data = _read_limited(stream, max_bytes, shown)
            if fmt == "feed":
                yield from _read_feed(shown, data)
                return
            meta, problems = normalise_meta(sidecars.lookup(path))
            yield from _meta_warnings(shown, "", problems)
            if not data.strip():
                raise InputError("E106", path=shown, detail=" (the file is empty)")
            yield RawRecord(shown, "", "html" if fmt == "html" else "text", data, meta)
        except InputError as exc:
            yield rejection(exc, path=shown)
        except (zlib.error, EOFError, gzip.BadGzipFile) as exc:
            yield _corrupt(shown, exc)
        except OSError as exc:
            yield rejection(UnreadableInput(path=shown, reason=str(exc)), path=shown)


def _corrupt(path: str, exc: BaseException, *, kept: int = 0, locator: str = "") -> Rejection:
    """E111: a gzip/deflate stream that breaks off or does not decode (``zlib.error`` is no OSError)."""
    note = f"; {kept} records before the damage were read" if kept else ""
    return rejection(
        InputError("E111", path=path, reason=describe(exc), kept=note), path=path, locator=locator
    )


def _meta_warnings(path: str, locator: str, problems: list[MetaProblem]) -> Iterator[Rejection]:
    for p in problems:
        err = InputError(
            "E115", path=f"{path} {locator}".strip(), field=p.field, action=p.action, reason=p.reason
        )
        yield rejection(err, path=path, locator=locator, stage="metadata")


def _read_limited(stream: BinaryIO, max_bytes: int, path: str) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLarge(path=path, size=f"more than {max_bytes}", limit=max_bytes)
    return data


def _utf8(text: str) -> bytes:
    """Text content as stored bytes: lone surrogates from JSON escapes become U+FFFD."""
    return safe_text(text).encode("utf-8")


def _read_jsonl(
    path: str, stream: BinaryIO, head: bytes, *, max_bytes: int
) -> Iterator[RawRecord | Rejection]:
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"[":  # a JSON array of records rather than JSON Lines
        data = _read_limited(stream, max_bytes, path)
        try:
            records = json.loads(data)
        except ValueError as exc:
            yield rejection(MalformedInput(path=path, kind="JSON", reason=str(exc)), path=path)
            return
        except RecursionError:
            deep = "nested deeper than the JSON parser allows"
            yield rejection(MalformedInput(path=path, kind="JSON", reason=deep), path=path)
            return
        if not isinstance(records, list):
            yield rejection(
                MalformedInput(path=path, kind="JSON", reason="not an array of records"), path=path
            )
            return
        if not records:
            yield rejection(InputError("E112", path=path, reason="an empty JSON array"), path=path)
        for n, obj in enumerate(records, 1):
            yield from _jsonl_record(path, f"item {n}", obj)
        return
    n = 0
    kept = 0
    try:
        while True:
            line = stream.readline(max_bytes + 1)
            if not line:
                break
            n += 1
            if len(line) > max_bytes and not line.endswith(b"\n"):
                _skip_line(stream)
                too_large = TooLarge(path=f"{path} line {n}", size=f"more than {max_bytes}", limit=max_bytes)
                yield rejection(too_large, path=path, locator=f"line {n}")
                continue
            if not line.strip():
                continue
            obj, reason = _json_object(line)
            if obj is None:
                err = MalformedInput(path=f"{path} line {n}", kind="JSON line", reason=reason)
                yield rejection(err, path=path, locator=f"line {n}")
                continue
            kept += 1
            yield from _jsonl_record(path, f"line {n}", obj)
    except (zlib.error, EOFError, gzip.BadGzipFile) as exc:
        yield _corrupt(path, exc, kept=kept, locator=f"line {n + 1}")


def _jsonl_record(path: str, locator: str, obj: Any) -> Iterator[RawRecord | Rejection]:
    where = f"{path} {locator}"
    if not isinstance(obj, dict):
        err = MalformedInput(path=where, kind="JSON record", reason="not a JSON object")
        yield rejection(err, path=path, locator=locator)
        return
    meta, problems = normalise_meta(obj)
    for content_type in ("text", "html"):
        for key in FIELDS[content_type]:
            value = obj.get(key)
            if isinstance(value, str) and value.strip():
                yield from _meta_warnings(path, locator, problems)
                yield RawRecord(path, locator, content_type, _utf8(value), meta)  # type: ignore[arg-type]
                return
    yield rejection(InputError("E107", path=where, kind="JSON"), path=path, locator=locator)


def _read_warc(path: str, fh: BinaryIO, *, max_bytes: int) -> Iterator[RawRecord | Rejection]:
    from warcio.archiveiterator import ArchiveIterator

    n = 0
    found = 0
    skipped: Counter[str] = Counter()
    try:
        records = ArchiveIterator(fh)
        records.INC_RECORD = ""  # warcio prints misframed records to stderr; they become rejections here
        errors = 0
        for record in records:
            if records.err_count > errors:
                errors = records.err_count
                yield _misframed(path, n)
            if record.rec_type not in ("response", "resource"):
                skipped[f"{record.rec_type} records"] += 1
                continue
            n += 1
            locator = f"record {n}"
            url = record.rec_headers.get_header("WARC-Target-URI")
            if record.http_headers is not None:
                status = record.http_headers.get_statuscode()
                ctype = (record.http_headers.get_header("Content-Type") or "").lower()
                if status and not status.startswith("2"):
                    skipped[f"HTTP {status} responses"] += 1
                    continue
            else:
                ctype = (record.rec_headers.get_header("Content-Type") or "").lower()
            if ctype and not any(t in ctype for t in ("html", "text/plain", "xml")):
                skipped["images, scripts and other non-text records"] += 1
                continue  # images, scripts, stylesheets: page resources, not articles
            stream = record.content_stream()
            data = stream.read(max_bytes + 1)
            found += 1
            if len(data) > max_bytes:
                exc = TooLarge(path=f"{path} {locator}", size=f"more than {max_bytes}", limit=max_bytes)
                yield rejection(exc, path=path, locator=locator)
                continue
            # bytes the record declares but the file lacks (warcio returns what there is, silently)
            missing = getattr(record.raw_stream, "limit", 0) or 0
            if missing > 0:
                reason = f"truncated: the file ends {missing:,} bytes before this record does"
                yield rejection(
                    MalformedInput(path=f"{path} {locator}", kind="WARC record", reason=reason),
                    path=path,
                    locator=locator,
                )
                continue
            if not data.strip():
                found -= 1
                skipped["empty responses"] += 1
                continue
            meta, problems = normalise_meta({"url": url} if url else {})
            yield from _meta_warnings(path, locator, problems)
            fetched = record.rec_headers.get_header("WARC-Date")
            if fetched:
                meta["fetched"] = safe_text(fetched)  # crawl time: not a publication date
            yield RawRecord(path, locator, "text" if "text/plain" in ctype else "html", data, meta)
    except (zlib.error, EOFError) as exc:
        yield _corrupt(path, exc, kept=found, locator=f"record {n + 1}")
        return
    except Exception as exc:  # noqa: BLE001 - warcio raises assorted errors on truncated or garbled records
        err = MalformedInput(path=path, kind="WARC", reason=f"after {n} records: {describe(exc)}")
        yield rejection(err, path=path, locator=f"record {n + 1}")
        return
    if records.err_count > errors:
        yield _misframed(path, n)
    unread = _unread_tail(fh, records)
    if unread:
        reason = f"the last {unread:,} bytes are no complete WARC record (a truncated or damaged file?)"
        yield rejection(
            MalformedInput(path=path, kind="WARC", reason=reason), path=path, locator=f"record {n + 1}"
        )
        return
    if not found:
        what = ", ".join(f"{k}: {v}" for k, v in skipped.most_common())
        reason = f"no article record in this WARC; skipped {what}" if what else "a WARC without records"
        yield rejection(InputError("E112", path=path, reason=reason), path=path)


def _misframed(path: str, n: int) -> Rejection:
    reason = (
        "a record's Content-Length does not match its data (the bytes up to the next record were skipped)"
    )
    locator = f"after record {n}" if n else "record 1"
    return rejection(
        MalformedInput(path=f"{path} {locator}", kind="WARC", reason=reason), path=path, locator=locator
    )


def _unread_tail(fh: BinaryIO, records: Any) -> int:
    """Bytes after the last record warcio parsed: a record cut off in its headers makes warcio
    stop without an error (measured: a WARC cut at 60 % lost its second record silently)."""
    try:
        size = os.fstat(fh.fileno()).st_size
        if not size:
            return 0
        offset, length = records.get_record_offset(), records.get_record_length()
    except Exception:  # noqa: BLE001 - warcio's offsets before any record (TypeError): nothing to tell
        return 0
    end = (offset or 0) + (length or 0)
    return size - end if size - end > 4 else 0  # 4: the CRLF CRLF closing an uncompressed record


_XML_DECL_RE = re.compile(rb"^\s*(?:\xef\xbb\xbf)?\s*<\?xml[^>]*\?>")


def _parse_feed(data: bytes) -> Any:
    """feedparser's result. A declaration it chokes on (stray bytes in ``encoding="…"``:
    feedparser raises UnicodeDecodeError) is dropped and the document read as UTF-8."""
    import feedparser

    try:
        return feedparser.parse(io.BytesIO(data))
    except (UnicodeError, LookupError, ValueError):
        text = _XML_DECL_RE.sub(b"", data, count=1).decode("utf-8", "replace")
        return feedparser.parse(text)


def _read_feed(path: str, data: bytes) -> Iterator[RawRecord | Rejection]:
    parsed = _parse_feed(data)
    entries = parsed.get("entries") or []
    if not entries:
        reason = str(parsed.get("bozo_exception") or "no items found")
        yield rejection(MalformedInput(path=path, kind="feed", reason=reason), path=path)
        return
    outlet = (parsed.get("feed") or {}).get("title")
    for n, entry in enumerate(entries, 1):
        locator = f"item {n}"
        content = ""
        if entry.get("content"):
            content = max((c.get("value", "") for c in entry["content"]), key=len)
        if len(content) < len(entry.get("summary", "") or ""):
            content = entry.get("summary", "")
        meta, problems = normalise_meta(
            {
                "url": entry.get("link"),
                "title": entry.get("title"),
                "published": entry.get("published") or entry.get("updated"),
                "author": entry.get("author"),
                "outlet": outlet,
            }
        )
        if not content.strip():
            err = InputError("E107", path=f"{path} {locator}", kind="feed")
            yield rejection(err, path=path, locator=locator)
            continue
        yield from _meta_warnings(path, locator, problems)
        # Feed items carry an HTML fragment of the article itself: no page furniture to strip.
        yield RawRecord(path, locator, "fragment", _utf8(content), meta)  # type: ignore[arg-type]
