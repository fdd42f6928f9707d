"""Publication dates from URLs, metadata values, text, and the choice between them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from storyline.clean.dates import (
    choose_published,
    date_from_metadata,
    date_from_text,
    date_from_url,
    date_in_page_text,
)
from storyline.types import PublishedDate

SAMPLE = Path(__file__).parents[2] / "src/storyline/data/sample"


def _sample_urls() -> dict[str, str]:
    out = {}
    for line in (SAMPLE / "sources.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            out[rec["file"][:3]] = rec["url"]
    return out


@pytest.mark.parametrize(
    ("prefix", "value", "precision"),
    [
        ("000", "2016-10-13", "day"),  # Rudaw: 131020162 = 13 Oct 2016, counter 2
        ("001", "2017-03-09", "day"),
        ("002", "2016-10", "month"),
        ("003", "2015-11", "month"),
        ("004", None, None),
    ],
)
def test_sample_urls(prefix: str, value: str | None, precision: str | None) -> None:
    d = date_from_url(_sample_urls()[prefix])
    if value is None:
        assert d is None
    else:
        assert d is not None
        assert (d.value, d.precision, d.source) == (value, precision, "url")
        assert d.evidence and d.evidence in _sample_urls()[prefix]


@pytest.mark.parametrize(
    ("url", "value", "precision"),
    [
        ("https://www.example.com/news/2017-03-09-raqqa-convoy", "2017-03-09", "day"),
        ("https://www.example.com/a/20170309/raqqa", "2017-03-09", "day"),
        ("https://www.theguardian.com/world/2017/mar/09/raqqa", "2017-03-09", "day"),
        ("https://www.aljazeera.com/news/2017/03/raqqa-170309083616738.html", "2017-03-09", "day"),
        ("https://www.aljazeera.com/news/2017/3/9/raqqa", "2017-03-09", "day"),
        ("https://example.com/2016/10/5-things-to-know/", "2016-10", "month"),
        ("https://example.com/archives/2017/", "2017", "year"),
        ("https://www.rudaw.net/english/kurdistan/250920171", "2017-09-25", "day"),
        ("rudaw.net/english/middleeast/syria/131020162-amp", "2016-10-13", "day"),
    ],
)
def test_url_patterns(url: str, value: str, precision: str) -> None:
    d = date_from_url(url)
    assert d is not None and (d.value, d.precision) == (value, precision)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/2017/13/45/slug",  # no month 13
        "https://example.com/2017/02/30/slug",  # no 30 February
        "https://example.com/1985/03/09/slug",  # before 1990
        f"https://example.com/{dt.date.today().year + 3}/01/01/slug",  # the future
        "https://example.com/news/123456789",
        "https://www.rudaw.net/english/kurdistan/991320162",  # day 99
        "",
        "not a url at all",
    ],
)
def test_invalid_url_dates(url: str) -> None:
    assert date_from_url(url) is None


@pytest.mark.parametrize(
    ("value", "expected", "precision"),
    [
        ("2017-03-09", "2017-03-09", "day"),
        ("2017-03-09T10:31:00Z", "2017-03-09", "day"),
        ("2017-03-09T23:30:00-05:00", "2017-03-09", "day"),  # the date as written, not UTC
        ("2017-03-09 10:31:00", "2017-03-09", "day"),
        ("2017-03-09T10:31:00.123+0300", "2017-03-09", "day"),
        ("Thu, 09 Mar 2017 10:31:00 +0000", "2017-03-09", "day"),
        ("Thu, 09 Mar 17 10:31:00 GMT", "2017-03-09", "day"),
        ("March 9, 2017", "2017-03-09", "day"),
        ("9 March 2017", "2017-03-09", "day"),
        ("Thursday, March 9, 2017 10:31 AM EST", "2017-03-09", "day"),
        ("20170309", "2017-03-09", "day"),
        ("2016-10", "2016-10", "month"),
        ("October 2016", "2016-10", "month"),
        ("2017", "2017", "year"),
    ],
)
def test_metadata_formats(value: str, expected: str, precision: str) -> None:
    d = date_from_metadata(value)
    assert d is not None
    assert (d.value, d.precision, d.source) == (expected, precision, "metadata")


@pytest.mark.parametrize("value", [None, "", "garbage", "2017-02-30", "2017-13", "1889", "yesterday", "03/09/2017"])
def test_metadata_rejects(value: str | None) -> None:
    assert date_from_metadata(value) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Published: Thursday, March 9, 2017 10:31 AM", "2017-03-09"),
        ("Posted on 09.03.2017", "2017-03-09"),
        ("13/10/2016", "2016-10-13"),
        ("Sept. 5, 2016", "2016-09-05"),
        ("9th of March, 2017", "2017-03-09"),
    ],
)
def test_text_dates(text: str, expected: str) -> None:
    d = date_from_text(text)
    assert d is not None and d.value == expected and d.source == "text"


@pytest.mark.parametrize("text", ["on Thursday", "March 9", "03/09/2017", "the decision 2017", "mayor 2017", ""])
def test_text_non_dates(text: str) -> None:
    assert date_from_text(text) is None


def _pd(value: str, precision: str, source: str) -> PublishedDate:
    return PublishedDate(value, precision, source)  # type: ignore[arg-type]


def test_choose_trust_order() -> None:
    meta = _pd("2017-03-10", "day", "metadata")
    url = _pd("2017-03-09", "day", "url")
    text = _pd("2017-03-08", "day", "text")
    assert choose_published(metadata=meta, url=url, text=text) is meta
    assert choose_published(metadata=None, url=url, text=text) is url
    assert choose_published(metadata=None, url=None, text=text) is text
    assert choose_published(metadata=None, url=None, text=None) is None


def test_choose_refines_only_when_consistent() -> None:
    url = _pd("2016-10", "month", "url")
    inside = _pd("2016-10-13", "day", "text")
    outside = _pd("2016-11-02", "day", "text")
    assert choose_published(metadata=None, url=url, text=inside) is inside
    assert choose_published(metadata=None, url=url, text=outside) is url
    year = _pd("2016", "year", "metadata")
    assert choose_published(metadata=year, url=url, text=inside) is inside
    # a coarser less-trusted date never replaces a finer trusted one
    day = _pd("2016-10-13", "day", "metadata")
    assert choose_published(metadata=day, url=url, text=None) is day


# --- dates shown in a page's header, byline or title (issue 11) ---------------------------


@pytest.mark.parametrize(
    ("line", "day_first", "day"),
    [
        ("By Susan Jones | August 17, 2016 | 10:57 AM EDT", None, "2016-08-17"),
        ("by WorldTribune Staff, August 31, 2017", None, "2017-08-31"),
        ("17/03/2020", True, "2020-03-17"),
        ("17/03/2020", None, "2020-03-17"),  # unambiguous: read even on an "en" page
        ("03/04/2020", True, "2020-04-03"),
        ("03/04/2020", False, "2020-03-04"),
        ("03/04/2020", None, None),  # English of unknown region: do not guess
        ("이용민 기자 | 2020-03-04 16:52:59", None, "2020-03-04"),
        ("2020년 3월 4일", None, "2020-03-04"),
        ("2020年7月3日 12:00", None, "2020-07-03"),
        ("12 июля 2020", True, "2020-07-12"),
        ("17. März 2020", True, "2020-03-17"),
        ("3 de março de 2020", True, "2020-03-03"),
        ("Publié le 5 avril 2019 à 10h", True, "2019-04-05"),
        ("JRA競走 (2020/7/11-12)", None, None),  # a range of days is no publication day
        ("March 2017", None, None),  # a month alone is no day
        ("the mayor said on Friday", None, None),
    ],
)
def test_date_in_page_text(line: str, day_first: bool | None, day: str | None) -> None:
    found = date_in_page_text(line, day_first=day_first)
    assert (found.value if found else None) == day
    if found:
        assert found.precision == "day" and found.evidence in line


def test_utc_timestamp_and_local_url_day_one_apart_prefers_the_url() -> None:
    # issue 11: 26 of 64 wrong dates were one day off; this is the reported case
    meta = date_from_metadata("2023-11-09T01:49:09Z")
    url = date_from_url("https://example.com/2023/11/08/story/")
    assert choose_published(metadata=meta, url=url, text=None) == url
    # an explicit offset is the local day already; two days apart is no time-zone slip
    local = choose_published(metadata=date_from_metadata("2023-11-09T01:49:09-05:00"), url=url, text=None)
    assert local is not None and local.value == "2023-11-09"
    far = date_from_url("https://example.com/2023/11/07/story/")
    assert choose_published(metadata=meta, url=far, text=None) == meta


def test_utc_timestamp_yields_to_a_shown_day_only_without_a_url_day() -> None:
    meta = date_from_metadata("2020-05-02T02:54:29.000Z")
    shown = PublishedDate("2020-05-01", "day", "text", "page header: May 1, 2020")
    assert choose_published(metadata=meta, url=None, text=shown) == shown
    url = date_from_url("https://example.com/2020/05/02/story")
    assert choose_published(metadata=meta, url=url, text=shown) == meta
