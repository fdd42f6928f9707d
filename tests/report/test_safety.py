"""Hostile input: markup, script and javascript: URLs in a document's title, text, outlet
and URL must come out as text — in the HTML page, its JSON data block and the Markdown."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest

import storyline
from storyline.report import build_report, render_html, render_markdown
from storyline.report.html import safe_href, script_json
from storyline.report.markdown import md_escape
from storyline.store import Store

BAD = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "</script><script>",
]
PAYLOAD = " ".join(BAD) + " \u2028 \u2029 & \"q\" 's"


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("hostile")
    sentence = (
        f"Local sources told Reuters that more than 90 militants {BAD[0]} moved from Raqqa to Deir ez-Zor on"
        f" Thursday. The commander said \"{BAD[1]}\" was a lie, according to the ministry. The so-called cowards"
        f" fled to Mosul. {BAD[2]} {BAD[3]} alert(2) and more text here.\n\n"
    )
    rec = {"title": "Title " + PAYLOAD, "url": "javascript:alert(1)", "outlet": "Outlet " + PAYLOAD,
           "published": "2017-03-09", "text": sentence * 3}
    path = folder / "hostile.jsonl"
    path.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    db = folder / "h.db"
    with Store(db) as s:
        summary = storyline.ingest(s, [path], progress=False)
        # ingest drops a javascript: URL (E115, document kept); the renderers must stay safe on a
        # store that holds one anyway (an older store, another writer): put it back as data
        assert [r.code for r in summary.rejections] == ["E115"], summary.rejections
        doc_id = next(s.iter_docs()).id
        meta = json.loads(s.conn.execute("SELECT meta FROM documents WHERE id = ?", (doc_id,)).fetchone()[0])
        meta["url"] = "javascript:alert(1)"
        with s.conn:
            s.conn.execute("UPDATE documents SET url = ?, meta = ? WHERE id = ?",
                           ("javascript:alert(1)", json.dumps(meta), doc_id))
    with Store(db, readonly=True) as s:
        doc = next(s.iter_docs())
        # the hostile strings reached the store as data (otherwise this test proves nothing)
        assert BAD[0] in (doc.meta.title or "") and BAD[0] in (doc.meta.outlet or "") and BAD[0] in (doc.text or "")
        assert doc.meta.url == "javascript:alert(1)"
        yield s


@pytest.fixture(scope="module")
def hostile_html(hostile_store: Store) -> str:
    return render_html(build_report(hostile_store, title="Report " + PAYLOAD))


def _strip_data_blocks(html: str) -> str:
    return re.sub(r'<script type="application/json"[^>]*>.*?</script>', "", html, flags=re.S)


def test_no_raw_markup(hostile_html: str) -> None:
    body = _strip_data_blocks(hostile_html)
    inline = re.findall(r"<script>(.*?)</script>", body, flags=re.S)
    body = re.sub(r"<script>.*?</script>", "", body, flags=re.S)
    for bad in BAD[:2] + ["</script><script>", "<script>alert", "<img"]:
        assert bad not in body, bad
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body  # shown, escaped
    assert len(inline) == 3  # Leaflet, the map (mapview/map.js) and report.js, nothing else executable
    assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", hostile_html, flags=re.I)
    tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            tags.append((tag, attrs))

    Collect().feed(hostile_html)
    assert {t for t, _ in tags}.isdisjoint({"img", "iframe", "object", "embed", "form", "base"})
    for tag, attrs in tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)  # no inline event handler
            assert name != "style", tag
            if name in ("href", "src"):
                assert not (value or "").strip().lower().startswith(("javascript:", "data:")), value


def test_url_is_not_a_link(hostile_html: str) -> None:
    assert 'href="javascript' not in hostile_html
    assert "URL (not a web link)" in hostile_html


def test_data_block_cannot_be_broken_out_of(hostile_html: str) -> None:
    blocks = re.findall(r'<script type="application/json" id="report-data">(.*?)</script>', hostile_html, flags=re.S)
    assert len(blocks) == 1
    raw = blocks[0]
    assert not set("<>&\u2028\u2029") & set(raw)
    data = json.loads(raw)
    assert data["title"] == "Report " + PAYLOAD  # round trip: nothing lost, nothing interpreted


def test_csp_hashes_match_inline_scripts(hostile_html: str) -> None:
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', hostile_html)
    assert meta, "standalone page needs a CSP meta"
    content = html.unescape(meta.group(1))
    policy = {p.strip().split(" ", 1)[0]: p.strip() for p in content.split(";") if p.strip()}
    assert policy["default-src"] == "default-src 'none'"
    assert "base-uri" in policy and "form-action" in policy
    assert "unsafe-inline" not in content

    def h(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"

    body = _strip_data_blocks(hostile_html)
    scripts = re.findall(r"<script>(.*?)</script>", body, flags=re.S)
    styles = re.findall(r"<style>(.*?)</style>", hostile_html, flags=re.S)
    assert sorted(policy["script-src"].split()[1:]) == sorted(h(s) for s in scripts)
    assert sorted(policy["style-src"].split()[1:]) == sorted(h(s) for s in styles)
    assert "\r" not in "".join(scripts + styles)  # the browser hashes text with CR LF folded
    assert not re.search(r"\sstyle\s*=", _strip_data_blocks(re.sub(r"<(script|style)>.*?</\1>", "", hostile_html, flags=re.S)))


def test_markdown_escapes_data(hostile_store: Store) -> None:
    md = render_markdown(build_report(hostile_store, title="Report " + PAYLOAD))
    assert not re.search(r"(?<!\\)<", md)  # every < is escaped: no HTML, no autolink from data
    assert "](javascript:" not in md
    assert "\\<script\\>alert\\(1\\)\\</script\\>" in md
    assert "\u2028" not in md and "\u2029" not in md


def test_md_escape() -> None:
    assert md_escape("[x](javascript:alert(1))") == "\\[x\\]\\(javascript:alert\\(1\\)\\)"
    assert md_escape("# not a heading") == "\\# not a heading"
    assert md_escape("1. not a list") == "1\\. not a list"
    assert md_escape("a|b *c* _d_ `e`\nf") == "a\\|b \\*c\\* \\_d\\_ \\`e\\` f"
    assert md_escape(None) == ""


def test_helpers() -> None:
    assert str(script_json({"a": "</script><!--\u2028&"})) == '{"a":"\\u003c/script\\u003e\\u003c!--\\u2028\\u0026"}'
    assert json.loads(str(script_json({"a": "</script>"}))) == {"a": "</script>"}
    for bad in ("javascript:alert(1)", " JavaScript:x", "data:text/html,x", "//evil.example", "java\nscript:x",
                "vbscript:x", "http://x/\"onmouseover=1"):
        assert safe_href(bad) is None, bad
    for good in ("https://example.org/a?b=1#c", "/docs/abc", "#src-1", "docs/abc"):
        assert safe_href(good) == good
