"""Every input format, sidecars, idempotent re-ingest, versions."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

import storyline
from storyline.store import Store

ARTICLE = (
    "Rebels seize border town\n\n"
    "BEIRUT — Rebel fighters took control of the town of Qusayr on Monday after two days of clashes,"
    " a monitoring group said.\n\n"
    "\u201cThe town is now fully under our control,\u201d a rebel commander told reporters by phone.\n\n"
    "The government did not comment on the report.\n"
)

PAGE = """<!doctype html><html><head><title>Rebels seize border town | Example News</title>
<meta property="article:published_time" content="2019-05-06T10:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Rebels seize border town</h1>
<p>Rebel fighters took control of the town of Qusayr on Monday after two days of clashes, a monitoring group said.</p>
<p>\u201cThe town is now fully under our control,\u201d a rebel commander told reporters by phone on Monday evening.</p>
<p>The government did not comment on the report, and state media made no mention of the fighting.</p>
</article><footer>Copyright 2019 Example News. All rights reserved.</footer></body></html>"""


def ingest(store: Store, *paths: Path, **kw: object) -> storyline.IngestSummary:
    return storyline.ingest(store, list(paths), progress=False, **kw)  # type: ignore[arg-type]


def test_plain_text_utf8(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text(ARTICLE, encoding="utf-8")
    s = ingest(store, f)
    assert (s.ingested, s.rejected) == (1, 0)
    doc = next(store.iter_docs())
    assert doc.status == "ok"
    assert doc.meta.title == "Rebels seize border town"
    assert doc.text is not None
    assert "Qusayr" in doc.text and "Rebels seize border town" not in doc.text


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-16"])
def test_plain_text_other_encodings(store: Store, tmp_path: Path, encoding: str) -> None:
    text = ARTICLE.replace("“", '"').replace("”", '"').replace("—", "-") + "\nCafé owners in Qusayr said the fighting was heavy.\n"
    f = tmp_path / "enc.txt"
    f.write_bytes(text.encode(encoding))
    s = ingest(store, f)
    assert s.rejected == 0, s.rejections
    doc = next(store.iter_docs())
    assert doc.text is not None
    assert "Café owners" in doc.text


def test_html_page(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "page.html"
    f.write_text(PAGE)
    s = ingest(store, f)
    assert s.rejected == 0, s.rejections
    doc = next(store.iter_docs())
    assert doc.content_type == "html" and doc.text is not None
    assert "Qusayr" in doc.text
    assert "All rights reserved" not in doc.text
    assert doc.meta.published == "2019-05-06" and doc.meta.published_source == "metadata"
    assert any("Home" in r.text for r in doc.removed)


def test_jsonl_export(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "export.jsonl"
    rows = [
        {"url": "https://example.org/2019/05/06/a", "title": "A", "text": ARTICLE, "outlet": "Example"},
        {"link": "https://news.example.com/b", "headline": "B", "html": PAGE, "date_publish": "2019-05-07 08:00:00",
         "authors": ["Jane Doe", "John Roe"]},
        "not an object",
        {"url": "https://example.org/c"},
    ]
    with f.open("w") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
        fh.write('{"url": "https://example.org/broken", "text": "unterminated\n')
    s = ingest(store, f)
    assert s.ingested == 2
    codes = sorted((r.locator, r.code) for r in s.rejections)
    assert codes == [("line 3", "E105"), ("line 4", "E107"), ("line 5", "E105")]
    docs = {d.meta.url: d for d in store.iter_docs()}
    a = docs["https://example.org/2019/05/06/a"]
    assert a.meta.outlet == "Example" and a.meta.title == "A"
    assert a.meta.published == "2019-05-06" and a.meta.published_source == "url"
    b = docs["https://news.example.com/b"]
    assert b.meta.published == "2019-05-07" and b.meta.published_source == "metadata"
    assert b.meta.byline == "Jane Doe, John Roe"


def test_json_array(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "export.json"
    f.write_text(json.dumps([{"url": "https://example.org/x", "text": ARTICLE}]))
    assert ingest(store, f).ingested == 1


def _warc(tmp_path: Path) -> Path:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "crawl.warc.gz"
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, body, ctype, status in [
            ("https://example.org/2019/05/06/rebels", PAGE.encode(), "text/html; charset=utf-8", "200 OK"),
            ("https://example.org/logo.png", b"\x89PNG....", "image/png", "200 OK"),
            ("https://example.org/missing", b"<html>not found</html>", "text/html", "404 Not Found"),
        ]:
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            rec = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
            writer.write_record(rec)
    return path


def test_warc(store: Store, tmp_path: Path) -> None:
    s = ingest(store, _warc(tmp_path))
    assert (s.ingested, s.rejected) == (1, 0), s.rejections
    doc = next(store.iter_docs())
    assert doc.meta.url == "https://example.org/2019/05/06/rebels"
    assert doc.text is not None
    assert "Qusayr" in doc.text
    assert doc.locator == "record 1"


def test_truncated_warc_keeps_earlier_records(store: Store, tmp_path: Path) -> None:
    good = _warc(tmp_path).read_bytes()
    bad = tmp_path / "broken.warc"
    bad.write_bytes(gzip.decompress(good) + b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999\r\n\r\ntrunc")
    s = ingest(store, bad)
    assert s.ingested == 1
    assert [r.code for r in s.rejections] == ["E105"]


RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Example Wire</title>
<item><title>Rebels seize border town</title><link>https://wire.example.com/rebels</link>
<pubDate>Mon, 06 May 2019 10:00:00 GMT</pubDate><author>desk@example.com (Jane Doe)</author>
<description><![CDATA[<p>Rebel fighters took control of the town of Qusayr on Monday.</p><p>The government did not comment.</p><script>alert(1)</script>]]></description></item>
<item><title>Empty</title><link>https://wire.example.com/empty</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom News</title>
<entry><title>Aid convoy reaches city</title><link href="https://atom.example.com/aid"/>
<updated>2019-05-08T12:00:00Z</updated><content type="html">&lt;p&gt;An aid convoy of 40 trucks reached the city on Wednesday, the UN said.&lt;/p&gt;</content></entry></feed>"""


def test_rss_and_atom(store: Store, tmp_path: Path) -> None:
    (tmp_path / "feed.rss").write_text(RSS)
    (tmp_path / "feed.atom").write_text(ATOM)
    s = ingest(store, tmp_path)
    assert s.ingested == 2
    assert [(r.locator, r.code) for r in s.rejections] == [("item 2", "E107")]
    docs = {d.meta.url: d for d in store.iter_docs()}
    rss = docs["https://wire.example.com/rebels"]
    assert rss.text == "Rebel fighters took control of the town of Qusayr on Monday.\n\nThe government did not comment."
    assert rss.meta.published == "2019-05-06" and rss.meta.outlet == "Example Wire"
    atom = docs["https://atom.example.com/aid"]
    assert atom.meta.published == "2019-05-08" and atom.text is not None and "40 trucks" in atom.text


def test_directory_recursive_with_sidecar(store: Store, tmp_path: Path) -> None:
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    (sub / "x.txt").write_text(ARTICLE)
    (tmp_path / "a" / "y.txt").write_text(ARTICLE.replace("Qusayr", "Tal Abyad"))
    (tmp_path / "a" / "sources.jsonl").write_text(
        json.dumps({"file": "b/x.txt", "url": "https://example.org/2018/03/01/x", "outlet": "Example"}) + "\n"
    )
    s = ingest(store, tmp_path)
    assert s.ingested == 2 and s.rejected == 0
    by_name = {Path(d.source_path).name: d for d in store.iter_docs()}
    assert by_name["x.txt"].meta.url == "https://example.org/2018/03/01/x"
    assert by_name["x.txt"].meta.published == "2018-03-01"
    assert by_name["y.txt"].meta.url is None


def test_explicit_meta_file(store: Store, tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text(ARTICLE)
    meta = tmp_path / "m.jsonl"
    meta.write_text(json.dumps({"file": "x.txt", "url": "https://example.org/2018/03/01/x", "published": "2018-03-02"}) + "\n")
    ingest(store, tmp_path / "x.txt", meta=meta)
    doc = next(store.iter_docs())
    assert (doc.meta.published, doc.meta.published_source) == ("2018-03-02", "metadata")


def test_reingest_is_a_noop(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text(ARTICLE)
    first = ingest(store, f)
    second = ingest(store, f)
    assert (first.ingested, second.ingested, second.unchanged) == (1, 0, 1)
    assert store.counts()["versions"] == 1


def test_updated_version_is_linked(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text(ARTICLE)
    ingest(store, f)
    old = next(store.iter_docs())
    f.write_text(ARTICLE + "\nUpdate: the army said it was preparing a counter-attack.\n")
    s = ingest(store, f)
    assert s.updated == 1
    current = list(store.iter_docs())
    assert len(current) == 1 and current[0].previous_id == old.id
    assert store.get(old.id).superseded_by == current[0].id
    assert len(list(store.iter_docs(include_superseded=True))) == 2


def test_same_url_new_content_is_a_new_version(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "e.jsonl"
    f.write_text(json.dumps({"url": "https://example.org/a", "text": ARTICLE}) + "\n")
    ingest(store, f)
    g = tmp_path / "later.jsonl"
    g.write_text(json.dumps({"url": "https://example.org/a", "text": ARTICLE + "\nCorrection: Monday, not Sunday.\n"}) + "\n")
    assert ingest(store, g).updated == 1


def test_duplicate_files_are_one_document(store: Store, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    (tmp_path / "copy.txt").write_text(ARTICLE)
    s = ingest(store, tmp_path)
    assert (s.ingested, s.unchanged) == (1, 1)
    doc = next(store.iter_docs())
    assert sorted(Path(p).name for p, _ in store.sightings(doc.id)) == ["a.txt", "copy.txt"]


def test_raw_bytes_kept_and_roundtrip(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_bytes(ARTICLE.encode("cp1252", "replace"))
    ingest(store, f)
    doc = store.get(next(store.iter_docs()).id)
    assert doc.raw == f.read_bytes()
    assert store.check() == []
