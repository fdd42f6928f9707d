"""Quantities: counts, bounds, units and qualifiers, from the sample articles and rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import storyline
from storyline.annotate.quantities import Quantity, find_quantities, parse_number
from storyline.clean.plaintext import clean_plaintext


@pytest.fixture(scope="module")
def sample_quantities() -> dict[str, tuple[str, list[Quantity]]]:
    out = {}
    for path in sorted(Path(storyline.sample_corpus()).glob("*.txt")):
        text = clean_plaintext(path.read_text(encoding="utf8")).text
        out[path.name[:3]] = (text, find_quantities(text))
    return out


def _q(found: list[Quantity], text: str) -> tuple[object, ...]:
    for q in found:
        if q.text == text:
            return (q.low, q.high, q.unit, q.qualifier, q.approximate)
    raise AssertionError(f"{text!r} not among {[q.text for q in found]}")


def test_sample_offsets_are_exact(sample_quantities: dict[str, tuple[str, list[Quantity]]]) -> None:
    for text, found in sample_quantities.values():
        for q in found:
            assert text[q.start : q.end] == q.text


def test_000_convoy(sample_quantities: dict[str, tuple[str, list[Quantity]]]) -> None:
    _, found = sample_quantities["000"]
    assert _q(found, "10 Buses") == (10, 10, "bus", None, False)
    assert _q(found, "35 SUV") == (35, 35, "SUV", None, False)
    assert _q(found, "30,000-strong force") == (30000, 30000, "force", None, False)
    assert _q(found, "three ISIS fighters") == (3, 3, "fighter", None, False)
    assert _q(found, "about 3,000 troops") == (3000, 3000, "troop", "about", True)
    assert _q(found, "At least two of their members") == (2, None, "member", "at least", False)
    # years and "one of the few sources" are no counts
    assert not any(q.text in ("2014", "2015") or q.text.startswith("one") for q in found)


def test_001_estimates(sample_quantities: dict[str, tuple[str, list[Quantity]]]) -> None:
    _, found = sample_quantities["001"]
    assert _q(found, "15,000 ISIS jihadists") == (15000, 15000, "jihadist", None, False)
    assert _q(found, "up to 4,000") == (None, 4000, None, "up to", False)  # "of these": no noun
    assert _q(found, "25,000") == (25000, 25000, None, None, False)
    assert _q(found, "dozens” of Islamic State vehicles") == (24, 99, "vehicle", "dozens", True)


def test_002_margada(sample_quantities: dict[str, tuple[str, list[Quantity]]]) -> None:
    _, found = sample_quantities["002"]
    assert _q(found, "more than 90 ISIS militant") == (91, None, "militant", "more than", False)
    assert _q(found, "at least 25 civilian families") == (25, None, "family", "at least", False)
    assert _q(found, "Hundreds of Islamic State (ISIS) militants") == (
        200,
        999,
        "militant",
        "hundreds of",
        True,
    )
    assert _q(found, "several ISIS military vehicles") == (3, 9, "vehicle", "several", True)
    assert _q(found, "dozens of ISIS fighters") == (24, 99, "fighter", "dozens of", True)


def test_003_families_and_ages(sample_quantities: dict[str, tuple[str, list[Quantity]]]) -> None:
    _, found = sample_quantities["003"]
    assert _q(found, "75 families") == (75, 75, "family", None, False)
    assert _q(found, "14-40 years") == (14, 40, "year", None, False)
    assert _q(found, "dozens of Kurdish families") == (24, 99, "family", "dozens of", True)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("more than 90 militants", (91, None, "militant", "more than", False)),
        ("over 1,500 U.S. Marines", (1501, None, "marine", "over", False)),
        ("fewer than 10 people", (None, 9, "people", "fewer than", False)),
        ("as many as 500 fighters", (None, 500, "fighter", "as many as", False)),
        ("nearly twenty-five soldiers", (25, 25, "soldier", "nearly", True)),
        ("two hundred civilians", (200, 200, "civilian", None, False)),
        ("a dozen children", (12, 12, "child", None, True)),
        ("tens of thousands of refugees", (20000, 99999, "refugee", "tens of thousands of", True)),
        ("between 20 and 30 women", (20, 30, "woman", "between", False)),
        ("some 400 Iraqi-plated cars", (400, 400, "car", "some", True)),
        ("12% of voters", (12, 12, "percent", None, False)),
        ("3.5 per cent", (3.5, 3.5, "percent", None, False)),
        ("$5 million", (5_000_000, 5_000_000, "USD", None, False)),
        ("€3bn", (3_000_000_000, 3_000_000_000, "EUR", None, False)),
        ("a 30,000-strong force", None),
    ],
)
def test_rules(text: str, expected: tuple[object, ...] | None) -> None:
    found = find_quantities(text)
    assert len(found) == 1, found
    q = found[0]
    assert text[q.start : q.end] == q.text
    if expected is not None:
        assert (q.low, q.high, q.unit, q.qualifier, q.approximate) == expected
    else:
        assert (q.low, q.unit) == (30000, "force")


@pytest.mark.parametrize(
    "text",
    [
        "in 2015 and 2016",
        "on March 9, 2017 and 9 March",
        "at 5 p.m. and 10:30",
        "the 3rd battalion and the second brigade",
        "call +1 202 555 0100 or (202) 555-0100",
        "an F-16 and a B52",
        "one of the few reliable sources",
        "thousands fled",
    ],
)
def test_not_counts(text: str) -> None:
    found = find_quantities(text)
    if text == "thousands fled":  # a vague count, but "fled" is no unit
        assert [(q.text, q.unit) for q in found] == [("thousands", None)]
    else:
        assert found == [], found


def test_parse_number() -> None:
    assert parse_number("twenty-five") == 25
    assert parse_number("two hundred") == 200
    assert parse_number("4,000") == 4000
    assert parse_number("1.5 million") == 1_500_000
    assert parse_number("two dozen") == 24
    assert parse_number("a") is None
    assert parse_number("banana") is None


def test_to_record() -> None:
    (q,) = find_quantities("more than 90 militants")
    assert (
        q.to_record()["low"] == 91 and q.to_record()["high"] is None and q.to_record()["unit"] == "militant"
    )


_WORDS = st.sampled_from(
    "more than at least up to about dozens of hundreds 90 4,000 3.5 two twenty-five ISIS militants families "
    "SUV $ 5 million % , . - ( ) “ ” 2015 March 9 p.m. İ".split()
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORDS, max_size=25))
def test_offsets_always_exact(words: list[str]) -> None:
    text = " ".join(words)
    for q in find_quantities(text):
        assert text[q.start : q.end] == q.text
        assert q.low is None or q.high is None or q.low <= q.high
