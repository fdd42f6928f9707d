"""The five sample articles end to end: metadata, dates, and cleaning against a hand-made gold.

The gold below (which whole lines of each raw file are not article text) was written by
reading the files; the code under test knows nothing of it.
"""

from __future__ import annotations

import pytest

from storyline.types import Doc

TITLES = {
    "000": "Convoy of ISIS Iraqi vehicles reportedly arrives in Raqqa",
    "001": "Reports: Islamic State Leaders Moving Out of Raqqa as Marines Inch Closer",
    "002": "ISIS fighters flee to Syria through unofficial Mosul-Raqqa road",
    "003": "ISIS senior commanders evacuate headquarters in Raqqa, transfer their families to safe locations",
    "004": "Raqqa: ISIS leaders running away as Marines close in on city",
}

PUBLISHED = {
    "000": ("2016-10-13", "day", "url"),
    "001": ("2017-03-09", "day", "url"),
    "002": ("2016-10", "month", "url"),
    "003": ("2015-11", "month", "url"),
    "004": (None, None, None),
}

# Whole raw lines that are not article body (NBSP normalised, stripped).
NOT_BODY = {
    "000": {TITLES["000"]},
    "001": {
        TITLES["001"],
        "MOSUL, IRAQ - NOVEMBER 22: Peshmerga forces in Sinjar town look on as Daesh terrorists run",
        "Hamit Huseyin/Anadolu Agency/Getty Images",
        "Please let us know if you're having issues with commenting.",
    },
    "002": {
        TITLES["002"],
        "ISIS convoy approaching Syria's Jarablus. File photo",
        "ARA News",
        "Reporting by: Ahmed Shiwesh & Wladimir van Wilgenburg | Source: ARA News",
        "Leave a Reply",
        "Your email address will not be published. Required fields are marked *",
        "seventeen \u2212 two =",
    },
    "003": {
        TITLES["003"],
        "ISIS official of the Sharia court in Raqqa reading a statement before executing what the group "
        "described \"apostate\" Syrian citizens. File photo",
        "ARA News",
        "Reporting by: Qehreman Miste",
        "Source: ARA News",
        "For the latest on Syria and the Kurdish region, follow us on Twitter :",
        "\u2022 Short link :",
        "Leave a comment",
        "ten + one =",
    },
    "004": {
        TITLES["004"],
        "ISIS honchos bailing on Raqqa. (Youtube)",
        "Every breath you take, every move you make, every bond you break, every step you take, we'll be watching you. (Youtube)",
        "Every breath you take, every move you make, every step you take, we\u2019ll be watching you. (Youtube)",
    },
}

DATELINES = {"000": "ERBIL, Kurdistan Region", "001": None, "002": "Mosul", "003": "HASAKAH", "004": None}


def _norm(s: str) -> str:
    return " ".join(s.replace("\u00a0", " ").split())


def _raw_text(doc: Doc) -> str:
    return doc.raw.decode("utf-8")


@pytest.mark.parametrize("key", sorted(TITLES))
def test_title_outlet_and_date(sample_docs: dict[str, Doc], key: str) -> None:
    doc = sample_docs[key]
    assert doc.status == "ok"
    assert doc.meta.title == TITLES[key]
    assert (doc.meta.published, doc.meta.published_precision, doc.meta.published_source) == PUBLISHED[key]
    assert doc.meta.url and doc.meta.url.startswith("http")


def test_outlets(sample_docs: dict[str, Doc]) -> None:
    outlets = {k: d.meta.outlet for k, d in sample_docs.items()}
    assert outlets["000"] == "Rudaw"
    assert outlets["001"] in {"Breitbart", "Breitbart News"}
    assert outlets["002"] == outlets["003"] == "ARA News"
    assert outlets["004"] and "conservativefiringline" in outlets["004"].lower().replace(" ", "")


@pytest.mark.parametrize("key", sorted(TITLES))
def test_removed_lines_match_gold(sample_docs: dict[str, Doc], key: str) -> None:
    doc = sample_docs[key]
    raw = _raw_text(doc)
    covered = [False] * len(raw)
    for r in doc.removed:
        assert r.start is not None and r.end is not None
        assert raw[r.start : r.end] == r.text
        for i in range(r.start, r.end):
            covered[i] = True
    removed_lines, pos = set(), 0
    for line in raw.split("\n"):
        stripped = line.strip(" \u00a0\t")
        if stripped:
            first = pos + line.index(stripped[0])
            if all(covered[first + i] or ch.isspace() for i, ch in enumerate(stripped)):
                removed_lines.add(_norm(stripped))
        pos += len(line) + 1
    assert removed_lines == {_norm(s) for s in NOT_BODY[key]}


@pytest.mark.parametrize("key", sorted(TITLES))
def test_body_lines_survive_verbatim(sample_docs: dict[str, Doc], key: str) -> None:
    doc = sample_docs[key]
    body = _norm(doc.text or "")
    gold = {_norm(s) for s in NOT_BODY[key]}
    dateline = DATELINES[key]
    for line in _raw_text(doc).split("\n"):
        line = _norm(line)
        if not line or line in gold:
            continue
        if dateline and line.startswith(dateline):
            line = line[len(dateline) :].lstrip(" \u2014\u2013-")
        assert line in body, f"article text lost: {line[:80]!r}"


def test_datelines_bylines_credits(sample_docs: dict[str, Doc]) -> None:
    assert {k: d.meta.dateline for k, d in sample_docs.items()} == DATELINES
    assert sample_docs["002"].meta.byline == "Ahmed Shiwesh & Wladimir van Wilgenburg"
    assert sample_docs["003"].meta.byline == "Qehreman Miste"
    assert sample_docs["002"].meta.credit == sample_docs["003"].meta.credit == "ARA News"
    assert (sample_docs["000"].text or "").startswith("A convoy of vehicles")


def test_captions_never_supply_date_or_dateline(sample_docs: dict[str, Doc]) -> None:
    doc = sample_docs["001"]
    assert any("NOVEMBER 22" in c for c in doc.meta.captions)
    assert doc.meta.dateline is None
    assert "11-22" not in (doc.meta.published or "")
    assert all(r.reason in {"caption", "photo_credit", "title", "comment_form"} for r in doc.removed)


def test_evidence_offsets_point_into_clean_text(sample_docs: dict[str, Doc]) -> None:
    doc = sample_docs["001"]
    assert doc.text is not None
    start = doc.text.index("Hussam Eesa")
    span = doc.span(start, start + len("Hussam Eesa"))
    assert span.to_record() == {"doc": doc.id, "start": start, "end": start + 11, "text": "Hussam Eesa"}
