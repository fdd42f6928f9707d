"""The fuzzing harness for the readers and the clean stage (issue #15).

One hostile input at a time is written next to a good document and both are ingested
(``clean`` stage, no corpus steps) into a store that lives for the whole run. The promise
checked after every input:

* no exception escapes :func:`storyline.ingest` (a **crash**);
* the good document in the same run is stored and ``ok`` (else a **good document lost**);
* every rejection names its file and gives a coded reason (else **unnamed**);
* the hostile file yields a document or a rejection (else it **vanished**).

Inputs are made from valid seeds per reader (:data:`READERS`) by a few mutations
(:class:`Op`): byte flips, cuts, repeats, and splices of tokens known to break parsers
(:data:`HOSTILE`: deep nesting, lone surrogates, NaN, control and escape sequences, stray
bytes in a declaration). Gzipped readers mutate the content before compression, and may
corrupt the compressed stream after it. The same ops drive every engine: Hypothesis in
``tests/test_fuzz_readers.py`` (short, derandomized), a seeded random engine and atheris
in ``bench/fuzz.py`` (the long run).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..pipeline import Pipeline
from ..store import Store, document_id
from ..types import IngestSummary

GOOD = (
    b"Aid convoy reaches Aleppo\n\n"
    b"An aid convoy of 40 trucks reached eastern Aleppo on Wednesday, the United Nations said.\n\n"
    b"The convoy carried food and medicine for about 20,000 people, a UN spokesman said.\n"
)
_PROSE = "Troops entered the town of Manbij on Friday after a week of fighting, officials said. " * 3
_PAGE = (
    "<!doctype html><html><head><title>Troops enter Manbij</title>"
    '<meta property="article:published_time" content="2019-05-06T10:00:00Z"></head>'
    f"<body><nav><a href='/'>Home</a></nav><article><h1>Troops enter Manbij</h1><p>{_PROSE}</p>"
    "<p>Residents said hundreds of families had fled towards the river.</p></article>"
    "<footer>Copyright 2019 Example News</footer></body></html>"
)

# Tokens that broke a parser somewhere (issue #15 and the fuzz runs that followed it).
HOSTILE: tuple[bytes, ...] = (
    b"[" * 1000,
    b"{" * 600,
    b"<div>" * 300,
    b'"\\ud800"',
    b"\\udfff",
    "\ud800".encode("utf-8", "surrogatepass"),
    b"NaN",
    b"-Infinity",
    b'"url": NaN, ',
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\x1b[2J\x1b]0;pwned\x07",
    b"\r\n\r\n",
    b"\n",
    b'<?xml version="1.0" encoding="utf-8\xff"?>',
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    b"&#xD800;&#0;&#x1b;",
    b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999\r\n\r\n",
    b"Content-Length: -1\r\n",
    b"\x1f\x8b\x08\x00",
    b"</p></div></body></html>",
    b"<![CDATA[",
    b"\xc3\x28\xa0\xa1",
    "\u202e".encode(),
)


@dataclass(frozen=True, slots=True)
class Op:
    """One mutation: ``kind`` at relative position ``where`` (0–1) with ``blob`` or ``HOSTILE[token]``."""

    kind: str  # flip, cut, drop, insert, hostile, repeat, zflip, zcut
    where: float = 0.0
    blob: bytes = b""
    token: int = 0


KINDS = ("flip", "cut", "drop", "insert", "hostile", "repeat", "zflip", "zcut")


@dataclass(frozen=True)
class Reader:
    """A reader under fuzz: the file name its input gets, valid seeds, and whether it is gzipped."""

    name: str
    filename: str
    seeds: tuple[bytes, ...]
    gz: bool = False


def _warc(pages: Sequence[tuple[str, str, str]], *, gz: bool = False) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    for url, ctype, body in pages:
        http = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            url, "response", payload=io.BytesIO(body.encode()), http_headers=http
        )
        writer.write_record(record)
    writer.write_record(
        writer.create_warc_record("https://e.org/r", "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"))
    )
    return buf.getvalue()


def _jsonl(*records: dict[str, object]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


_RECORDS: tuple[dict[str, object], ...] = (
    {
        "url": "https://e.org/a",
        "title": "Manbij",
        "published": "2019-05-06",
        "authors": ["A. B.", "C. D."],
        "text": _PROSE,
    },
    {"link": "https://e.org/b", "headline": "Page", "source": {"name": "Example"}, "html": _PAGE},
    {"url": "https://e.org/c", "date_publish": 1557136800, "maintext": _PROSE.replace("Manbij", "Raqqa")},
)
_RSS = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire</title>'
    f"<item><title>Manbij</title><link>https://e.org/m</link><pubDate>Mon, 06 May 2019 10:00:00 GMT</pubDate>"
    f"<description>{_PROSE}</description></item>"
    "<item><title>Empty</title><link>https://e.org/e</link></item></channel></rss>"
).encode()
_ATOM = (
    '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>'
    f'<entry><title>Raqqa</title><link href="https://e.org/r"/><updated>2019-05-06T10:00:00Z</updated>'
    f'<content type="html">&lt;p&gt;{_PROSE}&lt;/p&gt;</content></entry></feed>'
).encode()
_TEXTS = (
    GOOD.replace(b"Aleppo", b"Homs"),
    b"\xef\xbb\xbf" + _PROSE.encode() + b"\n\nLeave a Reply\n\nYour email address will not be published.\n",
    "Caf\u00e9 owners in Manbij said the fighting was heavy.\n\n".encode("cp1252") * 3,
    ("HOMS, Syria \u2014 " + _PROSE).encode("utf-16"),
)
_PAGES = (
    _PAGE.encode(),
    b"<p>" + _PROSE.encode() + b"</p>",
    _PAGE.replace("<article>", "<div>" * 60).encode(),
)
_WARC_PAGES = (
    ("https://e.org/w1", "text/html; charset=utf-8", _PAGE),
    ("https://e.org/w2", "text/plain", _PROSE),
)
_SIDECARS = (
    _jsonl(
        {
            "file": "doc.txt",
            "url": "https://e.org/s",
            "title": "Side",
            "published": "2019-05-06",
            "outlet": "Example",
        }
    ),
    _jsonl(
        {"file": "doc.txt", "author": ["X"], "date": 1557136800},
        {"file": "other.txt", "url": "https://e.org/o"},
    ),
)
_NAMES = (
    b"report.txt",
    "caf\u00e9.txt".encode("latin-1"),
    b"x\nrejected y.txt",
    b"t\x1b[2J.txt",
    b"-rf.html",
)

READERS: dict[str, Reader] = {
    r.name: r
    for r in (
        Reader("text", "doc.txt", _TEXTS),
        Reader("html", "page.html", _PAGES),
        Reader("jsonl", "records.jsonl", (_jsonl(*_RECORDS), _jsonl(_RECORDS[0]) + b"{oops\n\n[1, 2]\n")),
        Reader("json-array", "records.json", (json.dumps(list(_RECORDS)).encode(),)),
        Reader("warc", "crawl.warc", (_warc(_WARC_PAGES),)),
        Reader("feed", "feed.rss", (_RSS, _ATOM)),
        Reader("text.gz", "doc.txt.gz", _TEXTS[:2], gz=True),
        Reader("html.gz", "page.html.gz", _PAGES[:1], gz=True),
        Reader("jsonl.gz", "records.jsonl.gz", (_jsonl(*_RECORDS),), gz=True),
        Reader("warc.gz", "crawl.warc.gz", (_warc(_WARC_PAGES, gz=True),)),
        Reader("sidecar", "sources.jsonl", _SIDECARS),
        Reader("name", "", _NAMES),
    )
}


def mutate(reader: Reader, seed: bytes, ops: Sequence[Op]) -> bytes:
    """Apply ``ops`` to ``seed``; for a gzipped reader the z-ops act on the compressed bytes."""
    data = seed
    for op in ops:
        if not op.kind.startswith("z"):
            data = _apply(data, op)
    if reader.gz:
        data = gzip.compress(data, mtime=0) if not data.startswith(b"\x1f\x8b") else data
        for op in ops:
            if op.kind.startswith("z"):
                data = _apply(data, Op(op.kind[1:], op.where, op.blob, op.token))
    return data


def _apply(data: bytes, op: Op) -> bytes:
    at = min(len(data), max(0, int(op.where * len(data))))
    if op.kind == "flip" and data:
        i = min(at, len(data) - 1)
        mask = op.blob[0] if op.blob and op.blob[0] else 0x55
        return data[:i] + bytes([data[i] ^ mask]) + data[i + 1 :]
    if op.kind == "cut":
        return data[:at]
    if op.kind == "drop":
        return data[:at] + data[at + 1 + len(op.blob) * 8 :]
    if op.kind == "insert":
        return data[:at] + op.blob + data[at:]
    if op.kind == "hostile":
        return data[:at] + HOSTILE[op.token % len(HOSTILE)] + data[at:]
    if op.kind == "repeat":  # a stretch repeated: long runs, big files from small ones
        chunk = data[at : at + 64] or op.blob or b"?"
        return data[:at] + chunk * (2 + 4 * len(op.blob)) + data[at:]
    return data


@dataclass
class Outcome:
    crash: str | None = None
    good_lost: bool = False
    unnamed: int = 0
    vanished: bool = False
    rejections: int = 0
    documents: int = 0
    seconds: float = 0.0


@dataclass
class Harness:
    """A work folder and a store for one reader's run; :meth:`run` checks one input."""

    reader: Reader
    root: Path
    store: Store = field(init=False)

    def __post_init__(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "good").mkdir(exist_ok=True)
        (self.root / "good" / "good.txt").write_bytes(GOOD)
        self.store = Store(self.root / "fuzz.db")
        self.good_id = document_id(GOOD, None)
        self.pipeline = Pipeline(["clean"])

    def close(self) -> None:
        self.store.close()

    def run(self, data: bytes) -> Outcome:
        import storyline

        bad = self.root / "bad"
        shutil.rmtree(bad, ignore_errors=True)
        bad.mkdir()
        self._write(bad, data)
        out = Outcome()
        started = time.perf_counter()
        try:
            summary = storyline.ingest(
                self.store,
                [bad, self.root / "good"],
                progress=False,
                pipeline=self.pipeline,
                corpus_steps=False,
            )
        except Exception:  # noqa: BLE001 - what the harness exists to find
            out.crash = traceback.format_exc(limit=-4)
            out.good_lost = True  # the run stopped: the good document of this batch was not stored
            out.seconds = time.perf_counter() - started
            return out
        out.seconds = time.perf_counter() - started
        self._judge(summary, str(bad), out)
        return out

    def _write(self, bad: Path, data: bytes) -> None:
        if self.reader.name == "name":
            name = bytes(b for b in data if b not in (0, 0x2F))[:200] or b"empty"
            if name in (b".", b".."):
                name = b"dot"
            if name.startswith(b"."):  # hidden files are skipped by design: not this reader's subject
                name = b"_" + name
            (bad / os.fsdecode(name)).write_bytes(GOOD.replace(b"Aleppo", b"Hama"))
            return
        (bad / self.reader.filename).write_bytes(data)
        if self.reader.name == "sidecar":
            (bad / "doc.txt").write_bytes(GOOD.replace(b"Aleppo", b"Idlib"))

    def _judge(self, summary: IngestSummary, bad: str, out: Outcome) -> None:
        state = self.store.doc_state(self.good_id)
        out.good_lost = self.good_id not in summary.doc_ids or state is None or state[0] != "ok"
        out.unnamed = sum(1 for r in summary.rejections if not _named(r.source_path, r.code, r.message))
        out.rejections = sum(1 for r in summary.rejections if r.source_path.startswith(bad))
        out.documents = sum(1 for i in summary.doc_ids if i != self.good_id)
        out.vanished = out.rejections + out.documents == 0


def _named(path: str, code: str, message: str) -> bool:
    return (
        bool(path)
        and len(code) == 4
        and code[0] == "E"
        and message.startswith(f"[{code}] ")
        and len(message) > 8
    )
