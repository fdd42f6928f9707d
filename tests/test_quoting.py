"""Quotation marks are never doubled in any output (issue 12, item 6).

The sample corpus has the failure the issue reports: Hussam Eesa's claim span begins with the
source's own mark (``“dozens” of Islamic State vehicles …``), which the CLI printed as
``told: ““dozens” …``; the report, the document page and the timeline wrapped such spans too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storyline.quoting import carries_quotes, quoted
from storyline.store import Store

# two opening or two closing marks in a row (straight " escaped as &#34; in HTML)
DOUBLED = re.compile(r"““|””|“\"|\"”|“&#34;|&#34;”|“&quot;|&quot;”")
CODE = re.compile(r"<(script|style)\b.*?</\1>", re.DOTALL)  # code, not shown text (map.js quotes alike)


def _shown(html: str) -> str:
    return CODE.sub("", html)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("“dozens” of Islamic State vehicles", "“dozens” of Islamic State vehicles"),
        ("foreign fighters would either “surrender or die”", "foreign fighters would either “surrender or die”"),
        ("the victory is guaranteed,\"", "the victory is guaranteed,\""),
        ("Last night, the final batch left the city.”", "Last night, the final batch left the city.”"),
        ("‘a disaster in every sense of the word’", "‘a disaster in every sense of the word’"),
        ("IS brought many leaders to Raqqa", "“IS brought many leaders to Raqqa”"),
        ("he said “we will win” in Mosul", "“he said “we will win” in Mosul”"),
        ("the jihadists'", "“the jihadists'”"),  # an apostrophe is not a closing mark
        ("", "“”"),
    ],
)
def test_quoted(text: str, shown: str) -> None:
    assert quoted(text) == shown
    assert not DOUBLED.search(quoted(text))


def test_carries_quotes_ignores_trailing_punctuation() -> None:
    assert carries_quotes("to “surrender or die”.")
    assert not carries_quotes("to surrender or die.")


def _eesa_claim_starts_with_a_mark(store: Store) -> None:
    from storyline.corpus.persist import claim_report

    contents = [c.content.text for c in claim_report(store).claims]
    assert any(t.startswith("“") for t in contents), "the sample no longer has a claim opening with a mark"


def test_cli_claims_never_double_marks(sample_store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    from storyline.cli import main

    _eesa_claim_starts_with_a_mark(sample_store)
    main(["claims", "--db", str(sample_store.path)])
    out = capsys.readouterr().out
    assert "Eesa" in out and "“dozens”" in out
    assert not DOUBLED.search(out), DOUBLED.search(out)


def test_report_never_doubles_marks(sample_store: Store) -> None:
    from storyline.report import build_report, render_html, render_markdown

    report = build_report(sample_store, title="Sample corpus")
    html, md = render_html(report), render_markdown(report)
    assert "“dozens” of Islamic State vehicles" in html
    for text in (_shown(html), md):
        assert not DOUBLED.search(text), DOUBLED.search(text)


def test_document_page_and_timeline_never_double_marks(sample_store: Store) -> None:
    from fastapi.testclient import TestClient

    from storyline.app import create_app

    with TestClient(create_app(Path(sample_store.path)), base_url="http://127.0.0.1:8000") as client:
        pages = [client.get("/timeline").text]
        pages += [client.get(f"/docs/{d.id}").text for d in sample_store.iter_docs()]
    assert any("“dozens”" in p for p in pages)
    for page in map(_shown, pages):
        assert not DOUBLED.search(page), DOUBLED.search(page)
