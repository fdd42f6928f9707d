"""Time expressions: the sample articles against their publication dates, and the rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import storyline
from storyline.annotate.times import TimeExpression, find_times
from storyline.clean.plaintext import clean_plaintext
from storyline.timefmt import calendar, can_date_event, display

# publication dates as the sources give them (002 and 003 only to the month, 004 unknown)
PUBLISHED = {"000": "2016-10-13", "001": "2017-03-09", "002": "2016-10", "003": "2015-11", "004": None}


@pytest.fixture(scope="module")
def sample_times() -> dict[str, tuple[str, list[TimeExpression]]]:
    out = {}
    for path in sorted(Path(storyline.sample_corpus()).glob("*.txt")):
        key = path.name[:3]
        text = clean_plaintext(path.read_text(encoding="utf8")).text
        out[key] = (text, find_times(text, published=PUBLISHED[key], precision=None))
    return out


def _all(found: list[TimeExpression], text: str) -> list[TimeExpression]:
    hits = [t for t in found if t.text == text]
    assert hits, f"{text!r} not found among {[t.text for t in found]}"
    return hits


def _one(found: list[TimeExpression], text: str) -> TimeExpression:
    return _all(found, text)[0]


def _check_offsets(text: str, found: list[TimeExpression]) -> None:
    for t in found:
        assert text[t.start : t.end] == t.text
        for p in t.parts:
            assert text[p.start : p.end] == p.text


# ------------------------------------------------------------------- sample articles


def test_sample_offsets_are_exact(sample_times: dict[str, tuple[str, list[TimeExpression]]]) -> None:
    for text, found in sample_times.values():
        _check_offsets(text, found)


def test_000_rudaw_published_thursday_2016_10_13(
    sample_times: dict[str, tuple[str, list[TimeExpression]]],
) -> None:
    text, found = sample_times["000"]
    thursday = _one(found, "Thursday")  # 2016-10-13 is itself a Thursday: that day
    assert (thursday.value, thursday.granularity, thursday.resolved) == ("2016-10-13", "day", True)
    assert thursday.anchor == "published:2016-10-13" and thursday.signal == "on"
    assert _one(found, "Wednesday").value == "2016-10-12"
    july = _one(found, "July")
    assert (july.value, july.granularity, july.signal) == ("2016-07", "month", "in")
    earlier = _one(found, "earlier this month")
    assert (earlier.value, earlier.granularity, earlier.mod) == ("2016-10", "month", "start")
    last_week = _one(found, "Last week")
    assert (last_week.value, last_week.granularity) == ("2016-W40", "week")
    april = _one(found, "April 2014")
    assert (april.value, april.granularity, april.resolved, april.anchor) == ("2014-04", "month", True, None)
    assert _one(found, "2015").value == "2015"
    assert _one(found, "this month").value == "2016-10"
    recent = _one(found, "recent months")
    assert not recent.resolved  # vague: no calendar value to give


def test_001_breitbart_published_2017_03_09(
    sample_times: dict[str, tuple[str, list[TimeExpression]]],
) -> None:
    text, found = sample_times["001"]
    for last_month in _all(found, "last month"):
        assert (last_month.value, last_month.granularity) == ("2017-02", "month")
    assert _one(found, "Wednesday").value == "2017-03-08"
    year_ago = _one(found, "a year ago")
    assert (year_ago.value, year_ago.granularity, year_ago.resolved) == ("2016", "year", True)
    assert _one(found, "February").value == "2017-02"
    since = _one(found, "2014")
    assert (since.value, since.signal, since.anchor) == ("2014", "since", None)
    assert _one(found, "a month ago").value == "2017-02"
    assert _one(found, "this week").value == "2017-W10"


def test_002_month_precision_never_guesses_a_day(
    sample_times: dict[str, tuple[str, list[TimeExpression]]],
) -> None:
    text, found = sample_times["002"]
    days = _all(found, "Saturday") + _all(found, "Tuesday")
    for t in days:
        assert t.value is None and not t.resolved
        assert t.note and "day-precision" in t.note
    morning = _one(found, "the early morning on Saturday")
    assert (morning.kind, morning.value, morning.resolved, morning.mod) == ("time", None, False, "start")


def test_003_month_precision(sample_times: dict[str, tuple[str, list[TimeExpression]]]) -> None:
    text, found = sample_times["003"]
    assert _one(found, "Thursday").value is None
    assert _one(found, "Last week").value is None
    few = _one(found, "A few months ago")
    assert few.value == "PAST_REF" and not few.resolved


def test_004_no_publication_date_leaves_relative_unresolved(
    sample_times: dict[str, tuple[str, list[TimeExpression]]],
) -> None:
    text, found = sample_times["004"]
    for expr in ("a month ago", "February", "last month"):
        for t in _all(found, expr):
            assert t.value is None and not t.resolved and t.anchor is None
            assert t.note and "no publication date" in t.note


# ------------------------------------------------------------------------ the rules


def _values(
    text: str, published: str | None = "2017-03-09", precision: str | None = None
) -> dict[str, str | None]:
    found = find_times(text, published=published, precision=precision)
    _check_offsets(text, found)
    return {t.text: t.value for t in found}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("It happened on March 9, 2017.", {"March 9, 2017": "2017-03-09"}),
        ("It happened on 9 March 2017.", {"9 March 2017": "2017-03-09"}),
        ("It happened on the 9th of March, 2017.", {"the 9th of March, 2017": "2017-03-09"}),
        ("Filed 2017-03-09.", {"2017-03-09": "2017-03-09"}),
        ("Filed 25/12/2016 and 12/25/2016.", {"25/12/2016": "2016-12-25", "12/25/2016": "2016-12-25"}),
        ("Thursday, March 9, 2017: talks", {"Thursday, March 9, 2017": "2017-03-09"}),
        ("It was founded in April 2014.", {"April 2014": "2014-04"}),
        ("It was founded in 1998.", {"1998": "1998"}),
        ("the third quarter of 2016", {"the third quarter of 2016": "2016-Q3"}),
        ("the first half of 2016", {"the first half of 2016": "2016-H1"}),
        ("in the 1990s", {"the 1990s": "199"}),
        ("in the summer of 2014", {"the summer of 2014": "2014-SU"}),
    ],
)
def test_absolute_dates(text: str, expected: dict[str, str]) -> None:
    assert _values(text) == expected
    assert _values(text, published=None) == expected  # absolute: no anchor needed


@pytest.mark.parametrize(
    "text, expected",
    [
        # published Thursday 2017-03-09
        ("They met on Thursday.", {"Thursday": "2017-03-09"}),
        ("They met on Monday.", {"Monday": "2017-03-06"}),
        ("They will meet on Monday.", {"Monday": "2017-03-13"}),
        ("They met last Thursday.", {"last Thursday": "2017-03-02"}),
        ("They meet next Thursday.", {"next Thursday": "2017-03-16"}),
        ("It rained yesterday.", {"yesterday": "2017-03-08"}),
        ("It rained last night.", {"last night": "2017-03-08TNI"}),
        ("It happened last week.", {"last week": "2017-W09"}),
        ("It happened last month.", {"last month": "2017-02"}),
        ("It happened last year.", {"last year": "2016"}),
        ("It was said in July.", {"July": "2016-07"}),
        ("It was said in February.", {"February": "2017-02"}),
        ("It will be decided in July.", {"July": "2017-07"}),
        ("He left two months ago.", {"two months ago": "2017-01"}),
        ("He left three days ago.", {"three days ago": "2017-03-06"}),
        ("He left a week ago.", {"a week ago": "2017-W09"}),
        ("It came earlier this month.", {"earlier this month": "2017-03"}),
        ("It came last fall.", {"last fall": "2016-FA"}),
        ("Talks resume Dec. 7.", {"Dec. 7": "2016-12-07"}),
        ("The offer runs until Dec. 7.", {"Dec. 7": "2017-12-07"}),
        (
            "Troops arrived early in the morning on Saturday.",
            {"early in the morning on Saturday": "2017-03-04TMO"},
        ),
        ("Troops arrived on Saturday morning.", {"Saturday morning": "2017-03-04TMO"}),
        ("The vote is at 5 p.m. Friday.", {"5 p.m. Friday": "2017-03-03T17:00"}),
        (
            "It rose in the third quarter; a year ago it fell.",
            {"the third quarter": "2017-Q3", "a year ago": "2016-Q3"},
        ),
    ],
)
def test_relative_to_publication(text: str, expected: dict[str, str]) -> None:
    assert _values(text) == expected


def test_relative_without_publication_date_is_unresolved() -> None:
    found = find_times("He left last week, on Monday, two months ago, in July 2016.", published=None)
    by_text = {t.text: t for t in found}
    for rel in ("last week", "Monday", "two months ago"):
        assert by_text[rel].value is None and not by_text[rel].resolved and by_text[rel].note
    assert by_text["July 2016"].value == "2016-07" and by_text["July 2016"].resolved


def test_precision_argument_coarsens_the_anchor() -> None:
    found = {
        t.text: t for t in find_times("On Monday, as last month", published="2017-03-09", precision="month")
    }
    assert found["Monday"].value is None and not found["Monday"].resolved
    assert found["last month"].value == "2017-02" and found["last month"].anchor == "published:2017-03"
    assert _values("in July last year", published="2017", precision=None)["last year"] == "2016"


def test_ranges_carry_their_parts() -> None:
    found = find_times("It grew between 2014 and 2016, then from March to May.", published="2017-06-01")
    ranges = [t for t in found if t.kind == "range"]
    assert [(r.text, r.value) for r in ranges] == [
        ("between 2014 and 2016", "2014/2016"),
        ("from March to May", "2017-03/2017-05"),
    ]
    assert [p.value for p in ranges[0].parts] == ["2014", "2016"]
    assert _values("in 2014-2016") == {"2014-2016": "2014/2016"}


def test_since_keeps_its_signal_outside_the_span() -> None:
    t = find_times("under its control since 2014", published="2017-03-09")[0]
    assert (t.text, t.value, t.signal) == ("2014", "2014", "since")


@pytest.mark.parametrize(
    "text, value, kind",
    [
        ("for three years", "P3Y", "duration"),
        ("an 18-month siege", "P18M", "duration"),
        ("a two-year-long war", "P2Y", "duration"),
        ("for 2 1/2 years", "P2Y6M", "duration"),
        ("over the past two decades", "P20Y", "duration"),
        ("for several months", "PXM", "duration"),
        ("it meets every week", "P1W", "set"),
        ("published daily", "P1D", "set"),
        ("it is now over", "PRESENT_REF", "date"),
    ],
)
def test_durations_sets_and_references(text: str, value: str, kind: str) -> None:
    found = find_times(text, published="2017-03-09")
    assert [(t.value, t.kind) for t in found] == [(value, kind)]


def test_vague_values_are_not_resolved() -> None:
    for text in ("in recent months", "a few years ago", "it is now"):
        (t,) = find_times(text, published="2017-03-09")
        assert not t.resolved


@pytest.mark.parametrize(
    "text",
    [
        "a 6-year-old boy",
        "prices fall sharply",
        "the fall of Mosul",
        "the march through the desert",
        "she may go",
        "2000 troops arrived",
        "the score was 3:2",
        "a $5 a year fee",
    ],
)
def test_not_time_expressions(text: str) -> None:
    assert find_times(text, published="2017-03-09") == []


def test_month_modifiers() -> None:
    (t,) = find_times("expected by mid-November", published="2017-03-09")
    assert (t.text, t.value, t.mod) == ("mid-November", "2017-11", "mid")
    (t,) = find_times("in early 2015", published="2017-03-09")
    assert (t.text, t.value, t.mod) == ("early 2015", "2015", "start")


def test_to_record_has_records_md_fields() -> None:
    (t,) = find_times("last month", published="2017-03-09")
    rec = t.to_record("doc1")
    assert rec["span"] == {"doc": "doc1", "start": 0, "end": 10, "text": "last month"}
    assert {k: rec[k] for k in ("value", "granularity", "anchor", "resolved")} == {
        "value": "2017-02",
        "granularity": "month",
        "anchor": "published:2017-03-09",
        "resolved": True,
    }


def test_odd_input() -> None:
    assert find_times("", published="2017-03-09") == []
    assert find_times("nothing here", published="not a date") == []
    # "İ" lower-cases to two characters; offsets must still be exact
    text = "İstanbul İİİ on Monday, 12 March 2017"
    found = find_times(text, published="2017-03-09")
    _check_offsets(text, found)
    assert [(t.text, t.value) for t in found] == [("Monday, 12 March 2017", "2017-03-12")]


_WORDS = st.sampled_from(
    "on in the last next Monday Friday March May 2014 2015 9 12 , . - year years month week ago since "
    "early late mid- between and to from İ “ ” a two three days morning at 5 p.m. Q3 quarter".split()
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORDS, max_size=25), st.sampled_from(["2017-03-09", "2016-10", None]))
def test_offsets_always_exact(words: list[str], published: str | None) -> None:
    text = " ".join(words)
    _check_offsets(text, find_times(text, published=published))


# ----------------------------------------------------------------------------- shown as calendar values (issue 16)


@pytest.mark.parametrize(
    ("value", "cal", "shown"),
    [
        ("2016-10-13TMO", "2016-10-13", "2016-10-13, morning"),
        ("2019-11-14TNI", "2019-11-14", "2019-11-14, night"),
        ("2019-11-19T24:00", "2019-11-20T00:00", "2019-11-19, midnight (end of day)"),
        ("2019-11-19T17:30", "2019-11-19T17:30", "2019-11-19 17:30"),
        ("2016-W42", "2016-10-17/2016-10-23", "week of 2016-10-17 (2016-W42)"),
        ("2016-W40-WE", "2016-10-08/2016-10-09", "weekend of 2016-10-08 (2016-W40)"),
        ("2016-Q3", "2016-07-01/2016-09-30", "third quarter of 2016"),
        ("2015-FA", "2015-09-01/2015-11-30", "autumn 2015"),
        ("2017-03", "2017-03", "March 2017"),
        ("199", "1990/1999", "1990s"),
        ("13", "1300/1399", "1300s (14th century)"),
        ("P3Y", None, "3 years"),
        ("PRESENT_REF", None, "now"),
        ("2014/2016", "2014/2016", "2014 to 2016"),
        (None, None, "date unknown"),
    ],
)
def test_timex_values_shown_as_calendar_values(value: str | None, cal: str | None, shown: str) -> None:
    assert calendar(value) == cal
    assert display(value) == shown


def test_records_keep_value_and_add_calendar_and_display() -> None:
    t = find_times("The convoy left on Thursday morning.", published="2016-10-14")[0]
    rec = t.to_record("d1")
    assert rec["value"] == "2016-10-13TMO"
    assert rec["calendar"] == "2016-10-13" and rec["display"] == "2016-10-13, morning"


def test_no_raw_timex_code_in_shown_dates() -> None:
    """Whatever the time layer produces on a varied text, what is shown is never a TIMEX3 code."""
    text = ("On Thursday night, last week, in the third quarter, last fall, in the 1990s, since the 14th "
            "century, at midnight on Tuesday, this weekend, on Friday morning, three years ago.")
    for t in find_times(text, published="2019-11-19"):
        if t.value:
            shown = display(t.value, t.granularity)
            assert not any(code in shown for code in ("TMO", "TNI", "TAF", "TEV", "T24", "-WE", "-Q", "-FA")), shown
            assert shown != t.value or t.granularity in ("day", "year"), (t.value, shown)


def test_events_never_dated_by_a_historical_aside() -> None:
    """"since the 14th century" once gave an event the date ``13``."""
    from storyline.corpus.events import from_doc

    text = ("Rebels captured the old market town of Tadef, a trading post since the 14th century, on Tuesday "
            "after heavy fighting with government forces.")
    century = find_times(text, published="2017-03-09")[0]
    assert century.granularity == "century" and not can_date_event(century)
    doc, rej = storyline.Pipeline().process(storyline.Doc(
        id="d", source_path="d", locator="", content_type="text", raw=text.encode(),
        input_meta={"published": "2017-03-09"}))
    assert rej is None
    values = [e.time_value for e in from_doc(doc)]
    assert values and "13" not in values
    assert all(v is None or v.startswith("2017") for v in values)


def test_report_and_csv_show_calendar_values() -> None:
    from storyline.corpus.event_exports import event_rows
    from storyline.corpus.events import build_events, from_mention
    from storyline.report.html import date_label

    assert date_label("2016-10-13TMO", "part_of_day") == "2016-10-13, morning"
    assert date_label("2016-W42", "week") == "week of 2016-10-17 (2016-W42)"
    assert date_label("2017-03-09", "day") == "9 March 2017"
    text = "Buses left Raqqa on Saturday morning."
    m = {"start": 6, "end": 10, "text": "left", "type": "move", "time": {"value": "2017-10-14TMO", "granularity": "part_of_day"}}
    events = build_events([from_mention(m, "d1", text)])
    rec = events[0].to_record()
    assert rec["time"]["value"] == "2017-10-14TMO" and rec["time"]["display"] == "2017-10-14, morning"
    assert event_rows(events)[0]["event_date"] == "2017-10-14"
