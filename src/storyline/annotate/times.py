"""Time expressions: found by rules, normalised against the publication date.

:func:`find_times` returns one :class:`TimeExpression` per expression with offsets into
the text it was given (``text[start:end] == t.text``). Values are ISO-8601 at the
expression's own granularity, in the TimeML/TIMEX3 dialect so that TempEval-3 can score
them unchanged (``bench/times.py``):

==========================  ==================  ============================================
expression                  value               granularity
==========================  ==================  ============================================
March 9, 2017 / Wednesday   2017-03-08          day
last week                   2016-W40            week (ISO week)
the weekend                 2016-W40-WE         weekend
last month / in July        2017-02 / 2016-07   month
the third quarter           2016-Q3             quarter
last fall                   2015-FA             season (SP, SU, FA, WI)
the first half of 2016      2016-H1             half
in 2015 / a year ago        2015 / 2016         year
the 1990s                   199                 decade (ISO 8601-1:2019; TimeML)
Friday morning / 5 p.m.     2017-03-03TMO       part_of_day (MO/AF/EV/NI) / time (T17:00)
three years / 18-month      P3Y / P18M          duration (PXM when the number is vague)
daily / every week          P1D / P1W           set
now / recently / the future PRESENT_REF / …     ref (vague: ``resolved`` is False)
between 2014 and 2016       2014/2016           range (ISO-8601 interval), with ``parts``
==========================  ==================  ============================================

The span is the time phrase itself, as TimeML marks it: the preposition before it is kept
apart in ``signal`` ("since 2014" -> text "2014", signal "since"; "in July" -> "July",
"in"), while modifiers inside the phrase set ``mod`` (TimeML's, lower-case: ``start`` for
"early" and "earlier this month", ``end``, ``mid``, ``approx``, ``less_than``,
``more_than``, ``equal_or_less``, ``equal_or_more``).

Conventions (news defaults, checked against the TimeBank annotations):

* **Weekdays**: a bare weekday is the most recent such day *on or before* publication — "on
  Thursday" in an article published on a Thursday is that day — unless the clause reads as
  future ("will", "is due to", "next"), then the first such day on or after. "last Friday"
  is strictly before publication, "next Friday" strictly after. (In TimeBank 132 of 330
  bare weekdays are the creation day itself, none a week before it, 15 are ahead.)
* **Months, month-days and seasons without a year**: the most recent one on or before
  the publication month ("in July" in an October article is this July, in a March article
  last July), unless the clause reads as future ("will", "expected", "is scheduled to") or
  the date follows "until", "by", "effective", "payable" or "of record" — then the next
  one. "last July" is the most recent July strictly before the publication month, "this
  July" the publication year's.
* **"a year ago", "two months ago", "a year earlier"**: the publication date minus that
  amount, at the unit's granularity (year, month, ISO week, day). In a passage about a
  quarter ("the third quarter … a year ago") "a year ago" is that quarter a year before,
  as in earnings reports. Vague ones are not resolved: "a few months ago" is PAST_REF,
  "the coming weeks" FUTURE_REF, "recent months" and "for years" PXM / PXY (TimeML's
  durations of unknown length).
* **"last week"** is the ISO week before publication's; **"earlier this month"** the
  publication month with mod ``start``; "the following year" / "the next day" count from
  the last date the text mentioned (value null when there is none).
* **Precision of the anchor**: with a month-precision publication date ("2016-10") only
  month- and year-level expressions resolve ("last month" -> 2016-09, "in July" ->
  2016-07); a weekday, "yesterday" or "last week" cannot be placed and stays unresolved
  (value null) with a ``note`` saying why — never a guessed day. With no publication date
  every relative expression is unresolved; absolute ones ("April 2014") still resolve.

``resolved`` is True when the value pins down a calendar time (or an exact length, for
durations and sets); ``anchor`` names what a relative expression was resolved against
("published:2017-03-09"), null for absolute ones.

How it runs (about 0.6 ms per 1,000 words of news, 0.9 on the number-dense TempEval-3
corpus; ``bench/times.py``): the text's words are intersected with the rules' trigger
words (one ``bytes.translate`` and ``split``); each rule's regular expression is then tried
only at the word starts just before its trigger words, and the number rules only at digit
runs — running every pattern over the whole text cost 20x more. Tense is read from cue
words in the clause, not from a parser. dateparser is used for the one thing it does
right and rules would guess: numeric dates whose day/month order is ambiguous
("03/04/2016"), parsed once per distinct string (cached). Its relative parsing is not
used: it puts "on Thursday" a week back from a Thursday and has no "earlier this month"
(measurements.md).

TempEval-3 (TBAQ-cleaned, all 256 documents): strict F1 83.4, relaxed F1 93.2, value F1
78.1 — HeidelTime's TempEval-3 figures are 81.3 / 90.3 / 77.6 (on the platinum test set).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from storyline.annotate.quantities import parse_number, words_before

from ..records import TimeExpression  # noqa: F401  (re-exported: the record type lives in storyline.records)

__all__ = ["TimeExpression", "find_times"]

Kind = Literal["date", "time", "duration", "set", "range"]


# ============================================================================ the anchor

_LEVEL = {"year": 0, "month": 1, "day": 2}


@dataclass(frozen=True, slots=True)
class _Anchor:
    date: dt.date  # the first day of the known period when precision is month or year
    precision: Literal["day", "month", "year"]

    @property
    def label(self) -> str:
        n = {"day": 10, "month": 7, "year": 4}[self.precision]
        return "published:" + self.date.isoformat()[:n]

    def has(self, level: str) -> bool:
        return _LEVEL[self.precision] >= _LEVEL[level]


def _parse_anchor(published: str | None, precision: str | None) -> _Anchor | None:
    if not published:
        return None
    m = re.match(r"\s*(\d{4})(?:-?(\d{2})(?:-?(\d{2}))?)?", published)
    if not m:
        return None
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    found = "day" if d else "month" if mo else "year"
    if precision in _LEVEL and _LEVEL[precision] < _LEVEL[found]:
        found = precision  # the caller knows the date is coarser than it looks
    try:
        date = dt.date(y, int(mo) if mo and found != "year" else 1, int(d) if d and found == "day" else 1)
    except ValueError:
        return None
    return _Anchor(date, found)  # type: ignore[arg-type]


# ====================================================================== calendar helpers


def _add_months(d: dt.date, n: int) -> dt.date:
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return dt.date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def _week(d: dt.date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def _quarter(d: dt.date) -> int:
    return (d.month - 1) // 3 + 1


def _easter(year: int) -> dt.date:
    """Gregorian Easter Sunday (the anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th (1-based; -1 = last) ``weekday`` (0 = Monday) of a month."""
    if n > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


_HOLIDAYS: dict[str, Callable[[int], dt.date]] = {
    "christmas": lambda y: dt.date(y, 12, 25),
    "christmas day": lambda y: dt.date(y, 12, 25),
    "christmas eve": lambda y: dt.date(y, 12, 24),
    "new year's day": lambda y: dt.date(y, 1, 1),
    "new year's eve": lambda y: dt.date(y, 12, 31),
    "independence day": lambda y: dt.date(y, 7, 4),
    "halloween": lambda y: dt.date(y, 10, 31),
    "valentine's day": lambda y: dt.date(y, 2, 14),
    "thanksgiving": lambda y: _nth_weekday(y, 11, 3, 4),
    "thanksgiving day": lambda y: _nth_weekday(y, 11, 3, 4),
    "labor day": lambda y: _nth_weekday(y, 9, 0, 1),
    "memorial day": lambda y: _nth_weekday(y, 5, 0, -1),
    "easter": _easter,
    "easter sunday": _easter,
}


@lru_cache(maxsize=4096)
def _dateparser_day(s: str) -> str | None:
    """dateparser's reading of an explicit numeric date, cached (about 1 ms a call).

    Only absolute strings reach it, so the string alone is the cache key."""
    import dateparser  # lazy: a 0.3 s import that most documents never need

    try:
        d = dateparser.parse(
            s, languages=["en"], settings={"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]}
        )
    except Exception:  # dateparser raises assorted errors on odd input
        return None
    return d.date().isoformat() if d else None


# ============================================================================= lexicon

_MONTHS = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
_WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
_POD = {
    "morning": "MO",
    "afternoon": "AF",
    "evening": "EV",
    "night": "NI",
    "overnight": "NI",
    "tonight": "NI",
}
_SEASONS = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}
_SEASON_START = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}
_UNIT_CODE = {
    "second": "S",
    "minute": "MIN",
    "hour": "H",
    "day": "D",
    "night": "D",
    "week": "W",
    "weekend": "WE",
    "fortnight": "FN",
    "month": "M",
    "quarter": "Q",
    "year": "Y",
    "decade": "DE",
    "century": "CE",
}
# the anchor precision a shift by the unit needs
_UNIT_LEVEL = {
    "D": "day",
    "W": "day",
    "WE": "day",
    "FN": "day",
    "M": "month",
    "Q": "month",
    "Y": "year",
    "DE": "year",
    "CE": "year",
    "S": "day",
    "MIN": "day",
    "H": "day",
}
_UNIT_GRAN = {
    "D": "day",
    "W": "week",
    "WE": "weekend",
    "FN": "week",
    "M": "month",
    "Q": "quarter",
    "Y": "year",
    "DE": "decade",
    "CE": "century",
    "S": "time",
    "MIN": "time",
    "H": "time",
}
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "final": 4,
    "last": 4,
}


def _cap_alts(words: list[str]) -> str:
    """Title-case and upper-case spellings (month and weekday names are matched with case)."""
    out = []
    for w in words:
        out += [w[0].upper() + w[1:], w.upper()]
    return "|".join(sorted(out, key=len, reverse=True))


_MON_FULL = _cap_alts([m for m in _MONTHS if len(m) > 4 or m in ("may", "june", "july")])
_MON_ABBR = _cap_alts(["jan", "feb", "mar", "apr", "jun", "jul", "aug", "sept", "sep", "oct", "nov", "dec"])
MON = rf"(?:(?:{_MON_FULL})\b|(?:{_MON_ABBR})(?:\.|\b))"
WD = rf"(?:{_cap_alts(list(_WEEKDAYS))})"
DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?\b"
YEAR = r"(?:1[6-9]\d\d|20\d\d)\b"
_NUMWORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    "seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred"
)
NUM = (
    rf"(?:\d+(?:\s+1/2|\.\d+)?|(?:{_NUMWORDS})(?:[-\s](?:{_NUMWORDS}))*(?:\s+and\s+a\s+half)?|a|an|a\s+half|half\s+an?"
    r"|a\s+couple\s+of|a\s+few|few|several|many|some|a\s+dozen|dozens\s+of)"
)
UNIT = r"(?:second|minute|hour|day|night|weekend|week|fortnight|month|quarter|year|decade|centur(?:y|ie))"
_VAGUE_NUM = frozenset({"a few", "few", "several", "many", "some", "dozens of"})

# ------------------------------------------------------------------------- tense cues

_FUTURE_WORDS = frozenset(
    {
        "will",
        "won't",
        "shall",
        "upcoming",
        "next",
        "payable",
        "would",
        "wo",
        "tomorrow",
        "expected",
        "expects",
        "expect",
        "scheduled",
        "planned",
        "plans",
        "slated",
        "projected",
        "anticipated",
        "intends",
    }
)
_FUTURE_BIGRAMS = frozenset(
    {
        ("due", "to"),
        ("set", "to"),
        ("expected", "to"),
        ("scheduled", "to"),
        ("scheduled", "for"),
        ("slated", "to"),
        ("plans", "to"),
        ("plan", "to"),
        ("planned", "for"),
        ("going", "to"),
        ("be", "held"),
    }
)
_PAST_WORDS = frozenset(
    """was were had did said told came went left fled took made met held began saw gave got became fell
    rose won lost sold bought paid ran wrote spoke ago yesterday last""".split()
)
_NOT_PAST = frozenset(
    "need needed indeed united red bed speed seed feed hundred proceed exceed succeed expected scheduled "
    "planned slated projected anticipated proposed intended".split()
)
_BE = frozenset("be been being is are to will would 's".split())
_POSTPONED = frozenset("extended postponed delayed deferred moved pushed adjourned put".split())
_CLAUSE_RE = re.compile(r"[.!?;]\s+(?=[A-Z\"“])|\n|[\"“”]")  # not at "Dec. 7", "Jan. 2"
_STRIP = ".,;:!?\"'()[]“”‘’"


def _words(s: str) -> list[str]:
    return [w for w in (x.strip(_STRIP) for x in s.lower().replace("’", "'").split()) if w]


def _words_before(text: str, start: int) -> list[str]:
    """Lower-case words of the clause before ``start`` (up to 100 chars)."""
    before = text[max(0, start - 100) : start]
    cut = 0
    for m in _CLAUSE_RE.finditer(before):
        cut = m.end()
    return _words(before[cut:])


def _words_after(text: str, end: int) -> list[str]:
    """Lower-case words of the clause after ``end`` (up to 60 chars)."""
    after = text[end : end + 60]
    m = _CLAUSE_RE.search(after)
    return _words(after[: m.start()] if m else after)


_DEADLINE_WORDS = frozenset({"until", "till", "through", "by", "effective", "payable", "record"})


def _is_past_word(w: str) -> bool:
    return w in _PAST_WORDS or (len(w) > 4 and w.endswith("ed") and w.isalpha() and w not in _NOT_PAST)


def _tense(text: str, start: int, end: int) -> str | None:
    """ "future", "past" or None for the clause around [start, end): cue words, no POS tags.

    In order: a past verb right before or after ("said Friday", "Friday announced") ->
    past; a deadline word right before ("until Nov. 17", "payable Dec. 7", "by August") ->
    future unless the clause has "had"; a future cue within the comma-delimited phrase
    ("will", "is due to", "next") -> future; any past verb in the clause -> past."""
    before = _words_before(text, start)
    after = _words_after(text, end)[:3]
    words = before + after
    if before and (
        before[-1] in _DEADLINE_WORDS
        or (before[-1] in ("to", "until") and len(before) > 1 and before[-2] in _POSTPONED)
    ):
        return "past" if "had" in words else "future"
    passive = len(before) > 1 and before[-2] in _BE
    if (before and _is_past_word(before[-1]) and not passive) or (after and _is_past_word(after[0])):
        return "past"
    phrase = text[max(0, start - 80) : start]
    near = phrase[phrase.rfind(",") + 1 :].lower().replace("’", "'").split()[-8:] + after
    for i, w in enumerate(near):
        w = w.strip(_STRIP)
        if (
            w in _FUTURE_WORDS
            or w.endswith("'ll")
            or (i + 1 < len(near) and (w, near[i + 1].strip(_STRIP)) in _FUTURE_BIGRAMS)
        ):
            return "future"
    if any(_is_past_word(w) for w in words):
        return "past"
    return None


# ============================================================================ rule output


@dataclass(slots=True)
class _Hit:
    """A rule's finding before post-processing (mutable: later passes extend it)."""

    start: int
    end: int
    kind: Kind
    value: str | None
    granularity: str
    relative: bool = False  # resolved against the anchor
    mod: str | None = None
    note: str | None = None
    vague: bool = False
    parts: list[_Hit] = field(default_factory=list)
    day: dt.date | None = None  # the calendar day of day-level dates (for merging)
    anaphor: tuple[str, str, int] | None = None  # ("quarter"|"year_ago"|"shift", unit, n): discourse


_NO_ANCHOR = "relative expression; no publication date to resolve it against"


class _Ctx:
    """What a rule handler needs: the text and the anchor."""

    __slots__ = ("text", "anchor")

    def __init__(self, text: str, anchor: _Anchor | None) -> None:
        self.text = text
        self.anchor = anchor

    def unresolved(self, start: int, end: int, kind: Kind, gran: str, level: str) -> _Hit:
        if self.anchor is None:
            note = _NO_ANCHOR
        else:
            note = (
                f"needs a {level}-precision publication date; it is known only to the {self.anchor.precision}"
            )
        return _Hit(start, end, kind, None, gran, relative=True, note=note)

    def tense(self, start: int, end: int) -> str | None:
        return _tense(self.text, start, end)


def _low(s: str | None) -> str:
    return " ".join(s.lower().split()) if s else ""


def _month_num(s: str) -> int:
    return _MONTHS[s.lower().rstrip(".")]


def _day_num(s: str) -> int:
    return int(s.rstrip("stndrh"))


# ---------------------------------------------------------------------- resolvers


def _month_year(a: _Anchor, month: int, direction: str | None) -> int:
    """The year of ``month`` seen from the anchor: "past" = most recent on or before the
    publication month, "future" = first on or after, "last"/"next" = strictly, None/"this" =
    the publication year."""
    y, am = a.date.year, a.date.month
    if direction == "past":
        return y if month <= am else y - 1
    if direction == "future":
        return y if month >= am else y + 1
    if direction == "last":
        return y if month < am else y - 1
    if direction == "next":
        return y if month > am else y + 1
    return y


def _month_day(a: _Anchor, month: int, day: int, direction: str | None) -> dt.date | None:
    y = _month_year(a, month, direction)
    if a.precision == "day" and direction in ("past", "future"):
        try:
            cand = dt.date(a.date.year, month, day)
        except ValueError:
            return None
        if direction == "future":
            y = a.date.year if cand >= a.date else a.date.year + 1
        # past: a later day of the publication month is usually an announced date, keep it
        elif cand <= a.date or cand.month == a.date.month:
            y = a.date.year
        else:
            y = a.date.year - 1
    try:
        return dt.date(y, month, day)
    except ValueError:
        return None


def _weekday_date(anchor: dt.date, weekday: int, direction: str) -> dt.date:
    back = (anchor.weekday() - weekday) % 7
    ahead = (weekday - anchor.weekday()) % 7
    if direction == "past":
        return anchor - dt.timedelta(days=back)
    if direction == "last":
        return anchor - dt.timedelta(days=back or 7)
    if direction == "future":
        return anchor + dt.timedelta(days=ahead)
    if direction == "next":
        return anchor + dt.timedelta(days=ahead or 7)
    return anchor + dt.timedelta(days=weekday - anchor.weekday())  # "this Friday": same ISO week


def _shift(a: dt.date, unit: str, n: int) -> dt.date:
    if unit == "D":
        return a + dt.timedelta(days=n)
    if unit in ("W", "WE"):
        return a + dt.timedelta(weeks=n)
    if unit == "FN":
        return a + dt.timedelta(weeks=2 * n)
    months = {"M": 1, "Q": 3, "Y": 12, "DE": 120, "CE": 1200}.get(unit, 0)
    return _add_months(a, months * n)


def _at_unit(d: dt.date, unit: str) -> tuple[str, str]:
    """(value, granularity) of the period of ``unit`` that contains ``d``."""
    if unit in ("W", "FN"):
        return _week(d), "week"
    if unit == "WE":
        return _week(d) + "-WE", "weekend"
    if unit == "M":
        return d.isoformat()[:7], "month"
    if unit == "Q":
        return f"{d.year}-Q{_quarter(d)}", "quarter"
    if unit == "Y":
        return str(d.year), "year"
    if unit == "DE":
        return str(d.year)[:3], "decade"  # ISO 8601-1:2019 / TimeML: "199" is the 1990s
    if unit == "CE":
        return str(d.year)[:2], "century"
    return d.isoformat(), "day"


def _unit_of(word: str) -> str:
    w = word.lower()
    if w.startswith("centur"):
        return "CE"
    return _UNIT_CODE.get(w[:-1] if w.endswith("s") else w, "D")


_HALF = {"Y": "6M", "H": "30M", "MIN": "30S", "D": "T12H"}


def _duration_value(n: float | None, unit: str) -> str:
    """ISO-8601 duration; ``n`` None means a vague number (TimeML's X). Halves of years,
    days, hours and minutes are spelt out ("2 1/2 years" -> P2Y6M), as TimeML does."""
    if n is not None and n != int(n) and n - int(n) == 0.5 and unit in _HALF and n >= 1:
        whole = int(n)
        if unit in ("H", "MIN"):
            return f"PT{whole}{'H' if unit == 'H' else 'M'}{_HALF[unit]}"
        return f"P{whole}{'Y' if unit == 'Y' else 'D'}{_HALF[unit]}"
    if unit in ("S", "MIN", "H"):
        code = {"S": "S", "MIN": "M", "H": "H"}[unit]
        return f"PT{_fmt(n)}{code}"
    mult, code = {
        "D": (1, "D"),
        "W": (1, "W"),
        "WE": (2, "D"),
        "FN": (2, "W"),
        "M": (1, "M"),
        "Q": (3, "M"),
        "Y": (1, "Y"),
        "DE": (10, "Y"),
        "CE": (100, "Y"),
    }[unit]
    return f"P{_fmt(n * mult if n is not None else None)}{code}"


def _fmt(n: float | None) -> str:
    if n is None:
        return "X"
    return str(int(n)) if n == int(n) else str(n)


def _season_start(year: int, season: str) -> dt.date:
    return dt.date(year, _SEASON_START[season], 1)


def _season_pick(a: dt.date, season: str, direction: str | None) -> int:
    """The year of ``season`` seen from ``a`` (winter is named by the year it starts in)."""
    starts = sorted(_season_start(y, season) for y in (a.year - 2, a.year - 1, a.year, a.year + 1))
    cur = max(s for s in (_season_start(y, k) for y in (a.year - 1, a.year) for k in _SEASON_START) if s <= a)
    if direction == "last":
        return max(s for s in starts if s < cur).year
    if direction == "next":
        return min(s for s in starts if s > cur).year
    if direction == "future":
        return min(s for s in starts if s >= cur).year
    if direction == "this":
        return a.year if season != "WI" or a.month == 12 else a.year - 1
    return max(s for s in starts if s <= a).year  # past or no cue: the most recent


# ============================================================================ rules

Handler = Callable[[re.Match[str], _Ctx], "_Hit | None"]


@dataclass(frozen=True, slots=True)
class _Rule:
    """A pattern and its handler. Word rules are tried at the word starts before their triggers;
    digit rules are tried where a run of digits of a listed length starts."""

    name: str
    pattern: re.Pattern[str]
    handler: Handler
    triggers: frozenset[str] = frozenset()
    digit_lengths: frozenset[int] = frozenset()
    back: int = 0  # how many words before its trigger an expression may start
    prev: frozenset[str] | None = None  # if set, the word before the trigger must be one of these
    follow: str = ""  # digit rules: what may come right after the digits ("" = anything)


_RULES: list[_Rule] = []


# first words of the holidays the holiday rule knows (its triggers, and words that are
# holiday names only when capitalised)
_HOLIDAY_WORDS = (
    "christmas", "new", "thanksgiving", "independence", "labor", "memorial", "easter", "halloween", "valentine",
)


def _rule(
    pattern: str,
    triggers: tuple[str, ...] = (),
    digits: tuple[int, ...] = (),
    back: int = 0,
    prev: frozenset[str] | None = None,
    follow: str = "",
) -> Callable[[Handler], Handler]:
    def deco(fn: Handler) -> Handler:
        _RULES.append(
            _Rule(
                fn.__name__.strip("_"),
                re.compile(pattern, re.VERBOSE),
                fn,
                frozenset(triggers),
                frozenset(digits),
                back,
                prev,
                follow,
            )
        )
        return fn

    return deco


_NUMBER_WORDS = frozenset(
    _NUMWORDS.split("|") + "a an few several many some couple of half dozen dozens".split()
)
_DURATION_PREV = _NUMBER_WORDS | frozenset(
    "trading business working full straight consecutive calendar fiscal more additional".split()
)
_UNIT_WORDS = frozenset(
    w + s
    for w in "second minute hour day night week weekend fortnight month quarter year decade".split()
    for s in ("", "s")
) | {"century", "centuries", "so"}
_REL_WORDS = frozenset("this last next past previous coming current following preceding present".split())


def _day_hit(start: int, end: int, d: dt.date, relative: bool) -> _Hit:
    return _Hit(start, end, "date", d.isoformat(), "day", relative=relative, day=d)


# ------------------------------------------------------------------- numbers first


@_rule(
    r"(?<![\w/.-])(?P<y>\d{4})-(?P<mo>[01]\d)-(?P<d>[0-3]\d)(?:T(?P<h>[0-2]\d):(?P<mi>[0-5]\d)(?::\d\d)?)?(?![\w/-])",
    digits=(4,),
    back=0,
    follow="-",
)
def _iso(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    try:
        d = dt.date(int(m["y"]), int(m["mo"]), int(m["d"]))
    except ValueError:
        return None
    if m["h"]:
        return _Hit(m.start(), m.end(), "time", f"{d.isoformat()}T{m['h']}:{m['mi']}", "time", day=d)
    return _day_hit(m.start(), m.end(), d, False)


@_rule(
    r"(?<![\w/.,-])(?P<a>\d{1,2})(?P<sep>[/.])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})(?![\w/]|\.\d)",
    digits=(1, 2),
    back=0,
    follow="/.",
)
def _numeric(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    a, b, ys = int(m["a"]), int(m["b"]), m["y"]
    y = int(ys) if len(ys) == 4 else (2000 if int(ys) < 50 else 1900) + int(ys)
    try:
        if a > 12 >= b:
            d = dt.date(y, b, a)
        elif b > 12 >= a:
            d = dt.date(y, a, b)
        else:
            iso = _dateparser_day(m.group())  # ambiguous day/month order: dateparser's reading
            if iso is None:
                return None
            d = dt.date.fromisoformat(iso)
    except ValueError:
        return None
    return _day_hit(m.start(), m.end(), d, False)


@_rule(
    rf"(?<![\w$.,/-])(?P<y1>{YEAR})\s*(?:-|–|—)\s*(?P<y2>{YEAR}|\d\d\b)(?![\w%]|-\d)",
    digits=(4,),
    back=0,
    follow=" -–—",
)
def _year_range(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    y1 = int(m["y1"])
    y2 = int(m["y2"]) if len(m["y2"]) == 4 else (y1 // 100) * 100 + int(m["y2"])
    if y2 <= y1:
        return None
    p1 = _Hit(m.start("y1"), m.end("y1"), "date", str(y1), "year")
    p2 = _Hit(m.start("y2"), m.end("y2"), "date", str(y2), "year")
    return _Hit(m.start(), m.end(), "range", f"{y1}/{y2}", "year", parts=[p1, p2])


_COUNT_AFTER = re.compile(
    r"(?i)\s*(?:%|percent|per\s+cent|people|persons|troops|soldiers|fighters|militants|families|civilians|men|women"
    r"|children|vehicles|cars|km|kilomet|miles|meters|metres|feet|tons|tonnes|dollars|euros|pounds|barrels|units"
    r"|cases|deaths|votes|points|shares|jobs|employees|workers|acres|hectares)\b"
)


_FISCAL_RE = re.compile(r"(?i)(?<![\w-])(?:fiscal|FY)[\s-]*$")


@_rule(rf"(?<![\w$£€.,/:'’])(?<!\d-)(?P<y>{YEAR})(?![.,]\d|-\d|/\d|[\w%]|\s*[:.]\d)", digits=(4,))
def _year(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    if _COUNT_AFTER.match(ctx.text, m.end()):
        return None  # "2000 troops", "1990 percent"
    fy = _FISCAL_RE.search(ctx.text, max(0, m.start() - 8), m.start())
    return _Hit(fy.start() if fy else m.start(), m.end(), "date", m["y"], "year")


@_rule(
    r"""(?i)(?<![\w-])(?:(?P<the>the)\s+)?(?:(?P<mod>early|late|mid)[\s-]+)?
    (?:(?P<dec>(?:1[5-9]|20)\d0)['’]?s|(?<=['’])(?P<short>\d0)s)(?![\w-])""",
    digits=(2, 4),
    back=2,
    follow="s'’",
)
def _decade(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    if m["dec"]:
        v = m["dec"][:3]
        start = m.start()
    else:
        short = m["short"]
        v = ("20" if int(short) < 30 else "19") + short[0]
        start = m.start("short") - 1
        pre = re.search(
            r"(?i)(?:\bthe\s+)?(?:(?:early|late|mid)[\s-]+)?$", ctx.text[max(0, start - 16) : start]
        )
        if pre:
            start -= len(pre.group())
    mod = {"early": "start", "late": "end", "mid": "mid"}.get(_low(m["mod"]))
    return _Hit(start, m.end(), "date", v, "decade", mod=mod)


_ONES = "one|two|three|four|five|six|seven|eight|nine"
_TEENS = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_TENS_WORDS = {
    "twenty": 2,
    "thirty": 3,
    "forty": 4,
    "fifty": 5,
    "sixty": 6,
    "seventy": 7,
    "eighty": 8,
    "ninety": 9,
}
_ONES_N = {w: i + 1 for i, w in enumerate(_ONES.split("|"))}
_TEENS_N = {w: i + 10 for i, w in enumerate(_TEENS.split("|"))}


def _two_digit_words(s: str) -> int | None:
    """ "ninety-six" -> 96, "fifteen" -> 15, "oh five" -> 5."""
    parts = re.split(r"[\s-]+", s.lower())
    if parts[0] == "oh" and len(parts) == 2 and parts[1] in _ONES_N:
        return _ONES_N[parts[1]]
    if len(parts) == 1 and parts[0] in _TEENS_N:
        return _TEENS_N[parts[0]]
    if parts[0] in _TENS_WORDS:
        return _TENS_WORDS[parts[0]] * 10 + (_ONES_N.get(parts[1], 0) if len(parts) > 1 else 0)
    return None


@_rule(
    rf"""(?i)(?<![\w-])(?:(?P<the>the\s+year)\s+)?
    (?:(?P<c>nineteen|twenty)[\s-]+(?P<rest>{_TEENS}|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-](?:{_ONES}))?|oh[\s-](?:{_ONES}))
      |(?<=\byear\s)two\s+thousand(?:\s+and\s+(?P<small>{_ONES}|ten))?)(?![\w-])""",
    ("nineteen", "twenty", "thousand"),
    back=2,
)
def _year_words(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    """Years read out in broadcast transcripts: "nineteen ninety-six", "the year two thousand"."""
    if m["c"]:
        rest = _two_digit_words(m["rest"])
        if rest is None:
            return None
        y = (19 if m["c"].lower() == "nineteen" else 20) * 100 + rest
        if _COUNT_AFTER.match(ctx.text, m.end()):
            return None
    else:
        y = 2000 + (_ONES_N.get(_low(m["small"]), 10) if m["small"] else 0)
    return _Hit(m.start(), m.end(), "date", str(y), "year")


@_rule(
    r"""(?i)(?<![\w-])(?P<the>the\s+)(?:(?P<mod>early|late|mid)[\s-]+)?(?P<w>twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)(?![\w-])""",
    ("twenties", "thirties", "forties", "fifties", "sixties", "seventies", "eighties", "nineties"),
    back=2,
)
def _decade_words(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    """ "the nineties" (a person's "forties" has no "the" before it, mostly)."""
    tens = _TENS_WORDS[m["w"].lower()[:-3] + "y"] if m["w"].lower() != "twenties" else 2
    mod = {"early": "start", "late": "end", "mid": "mid"}.get(_low(m["mod"]))
    return _Hit(m.start(), m.end(), "date", f"19{tens}", "decade", mod=mod)


_ORDINAL_WORDS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "twenty-first": 21,
}


_ORDINALS_RE = "|".join(sorted(_ORDINAL_WORDS, key=len, reverse=True))


@_rule(
    rf"""(?i)(?<![\w-])(?:the\s+)?(?P<n>\d{{1,2}}(?:st|nd|rd|th)|{_ORDINALS_RE})[\s-]+century(?![\w-])""",
    ("century",),
    back=2,
)
def _century(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    n_s = m["n"].lower()
    n = int(n_s[:-2]) if n_s[0].isdigit() else _ORDINAL_WORDS[n_s]
    return _Hit(m.start(), m.end(), "date", f"{n - 1:02d}", "century")


@_rule(
    r"""(?i)(?<![\w:.$,])(?:(?P<h>[01]?\d|2[0-3])(?:[:.](?P<mi>[0-5]\d))?\s*(?P<ap>a\.m\.?|p\.m\.?|am\b|pm\b)
    |(?P<h2>[01]?\d|2[0-3]):(?P<mi2>[0-5]\d)(?![\d:]))(?:\s+(?P<tz>[ECMP][SD]T|GMT|UTC|local\s+time)\b)?""",
    digits=(1, 2),
    back=0,
    follow=": apAP.\n",
)
def _clock(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    if m["h"]:
        hh, mm = int(m["h"]), int(m["mi"] or 0)
        if hh > 12 or hh == 0:
            return None
        hh = (hh % 12) + (12 if m["ap"].lower().startswith("p") else 0)
    else:
        hh, mm = int(m["h2"]), int(m["mi2"])
        # a bare hh:mm may be a score or a ratio: want a time-ish word close by
        around = ctx.text[max(0, m.start() - 12) : m.end() + 14].lower()
        if not re.search(r"\b(?:at|by|until|from|since|around|about|gmt|utc|local|hours|hrs|time)\b", around):
            return None
    return _clock_hit(m.start(), m.end(), hh, mm, ctx)


def _clock_hit(start: int, end: int, hh: int, mm: int, ctx: _Ctx) -> _Hit:
    if ctx.anchor is None or not ctx.anchor.has("day"):
        return ctx.unresolved(start, end, "time", "time", "day")
    d = ctx.anchor.date
    return _Hit(start, end, "time", f"{d.isoformat()}T{hh:02d}:{mm:02d}", "time", relative=True, day=d)


@_rule(r"(?i)(?<![\w-])(?P<w>noon|midnight|midday)(?![\w-])", ("noon", "midnight", "midday"), back=0)
def _clock_word(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    hh = 24 if m["w"].lower() == "midnight" else 12
    return _clock_hit(m.start(), m.end(), hh, 0, ctx)


# ------------------------------------------------------------------- calendar dates


@_rule(
    rf"""
    (?:(?P<wd>{WD}),?\s+)?
    (?:
        (?P<m1>{MON})\s+(?P<d1>{DAY})(?:,?\s+(?P<y1>{YEAR}))?
      | (?:the\s+)?(?P<d2>{DAY})(?:\s+of)?\s+(?P<m2>{MON})(?:,?\s+(?P<y2>{YEAR}))?
      | (?P<m3>{MON})(?:,?\s+|\s+of\s+)(?P<y3>{YEAR})
      | (?P<m4>{MON})
    )
    (?![\w-]|\s\d)
    """,
    tuple(_MONTHS),
    back=3,
)
def _calendar(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    mon_s = m["m1"] or m["m2"] or m["m3"] or m["m4"]
    month = _month_num(mon_s)
    day_s = m["d1"] or m["d2"]
    year_s = m["y1"] or m["y2"] or m["y3"]
    if m["m4"] and not m["wd"]:
        # a bare month name: "May", "March" are also words, "Jan" a name; want a cue
        before = ctx.text[max(0, m.start() - 20) : m.start()].lower()
        cue = re.search(
            r"(?:\b(?:in|since|until|till|by|during|through|from|to|of|early|late|last|next|this|each|every|"
            r"before|after|between|and|or|throughout|as\s+of|mid)\s*-?|mid-)$",
            before,
        )
        if not cue and (mon_s.lower().rstrip(".") in ("may", "march", "mar") or len(mon_s.rstrip(".")) <= 4):
            return None
    if year_s:
        y = int(year_s)
        if day_s:
            try:
                return _day_hit(m.start(), m.end(), dt.date(y, month, _day_num(day_s)), False)
            except ValueError:
                return None
        return _Hit(m.start(), m.end(), "date", f"{y}-{month:02d}", "month")
    a = ctx.anchor
    if a is None or not a.has("month"):
        return ctx.unresolved(m.start(), m.end(), "date", "day" if day_s else "month", "month")
    # the tense only matters for another month than the publication month (or a later day of it)
    tense = (ctx.tense(m.start(), m.end()) or "past") if month != a.date.month or day_s else None
    if day_s:
        d = _month_day(a, month, _day_num(day_s), tense)
        return _day_hit(m.start(), m.end(), d, True) if d else None
    y = _month_year(a, month, tense)
    return _Hit(m.start(), m.end(), "date", f"{y}-{month:02d}", "month", relative=True)


@_rule(
    rf"(?i:(?P<rel>last|next|this|past|coming|previous)\s+)(?P<mon>{MON})(?![\w-]|\s\d)",
    tuple(_MONTHS),
    back=1,
)
def _month_rel(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    month = _month_num(m["mon"])
    a = ctx.anchor
    if a is None or not a.has("month"):
        return ctx.unresolved(m.start(), m.end(), "date", "month", "month")
    rel = m["rel"].lower()
    direction = {"last": "last", "past": "last", "previous": "last", "next": "next", "coming": "next"}.get(
        rel, "this"
    )
    y = _month_year(a, month, direction)
    return _Hit(m.start(), m.end(), "date", f"{y}-{month:02d}", "month", relative=True)


@_rule(
    rf"""(?:(?P<rel>(?i:last|next|this|coming|past|previous))\s+)?
    (?P<wd>{WD})(?P<plural>s)?(?:['’]s)?
    (?:\s+(?P<pod>(?i:morning|afternoon|evening|night|overnight)))?(?![\w-])""",
    tuple(_WEEKDAYS),
    back=1,
)
def _weekday(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    wd = _WEEKDAYS[m["wd"].lower()]
    pod = _POD[m["pod"].lower()] if m["pod"] else None
    if m["plural"] and not m["rel"]:
        return _Hit(m.start(), m.end(), "set", f"XXXX-WXX-{wd + 1}" + (f"T{pod}" if pod else ""), "set")
    kind: Kind = "time" if pod else "date"
    gran = "part_of_day" if pod else "day"
    a = ctx.anchor
    if a is None or not a.has("day"):
        return ctx.unresolved(m.start(), m.end(), kind, gran, "day")
    rel = _low(m["rel"])
    if rel in ("last", "past", "previous"):
        direction = "last"
    elif rel in ("next", "coming"):
        direction = "next"
    elif rel == "this":
        direction = "this"
    elif wd == a.date.weekday():
        direction = "past"  # the publication day itself, whatever the tense
    else:
        direction = "future" if ctx.tense(m.start(), m.end()) == "future" else "past"
    d = _weekday_date(a.date, wd, direction)
    return _Hit(
        m.start(), m.end(), kind, d.isoformat() + (f"T{pod}" if pod else ""), gran, relative=True, day=d
    )


@_rule(
    r"""(?i)(?<![\w-])(?P<dd>the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow|today|tonight|yesterday
    |tomorrow|last\s+night|this\s+(?:very\s+)?(?:morning|afternoon|evening))(?:['’]s)?
    (?:\s+(?P<pod>morning|afternoon|evening|night))?(?![\w-])""",
    ("today", "tonight", "yesterday", "tomorrow", "night", "morning", "afternoon", "evening"),
    back=3,
)
def _deictic(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    dd = _low(m["dd"])
    offset = {
        "yesterday": -1,
        "tomorrow": 1,
        "last night": -1,
        "the day before yesterday": -2,
        "the day after tomorrow": 2,
    }.get(dd, 0)
    pod = (
        "NI" if dd in ("tonight", "last night") else _POD[dd.split()[-1]] if dd.startswith("this ") else None
    )
    if m["pod"]:
        pod = _POD[m["pod"].lower()]
    kind: Kind = "time" if pod else "date"
    gran = "part_of_day" if pod else "day"
    a = ctx.anchor
    if a is None or not a.has("day"):
        return ctx.unresolved(m.start(), m.end(), kind, gran, "day")
    d = a.date + dt.timedelta(days=offset)
    return _Hit(
        m.start(), m.end(), kind, d.isoformat() + (f"T{pod}" if pod else ""), gran, relative=True, day=d
    )


# ------------------------------------------------------------- units relative to now


@_rule(
    r"""(?i)(?<![\w-])(?P<pre>(?:earlier|later|early|late)\s+)?
    (?P<rel>this|last|next|past|previous|coming|current|the\s+(?:past|last|next|previous|coming|current|following
    |preceding|present))
    \s+(?P<unit>week(?:end)?|month|year|quarter|decade|century|fortnight|spring|summer|fall|autumn|winter|day)
    (?:['’]s)?(?![\w-])""",
    (
        "week",
        "weekend",
        "month",
        "year",
        "quarter",
        "decade",
        "century",
        "fortnight",
        "spring",
        "summer",
        "fall",
        "autumn",
        "winter",
        "day",
    ),
    back=2,
    prev=_REL_WORDS,
)
def _unit_rel(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    rel = _low(m["rel"])
    word = m["unit"].lower()
    pre = _low(m["pre"])
    mod = {"earlier": "start", "early": "start", "later": "end", "late": "end"}.get(pre)
    if word in _SEASONS:
        return _season_rel(m, ctx, _SEASONS[word], rel, mod)
    unit = _unit_of(word)
    if rel in ("the following", "the preceding", "the previous") or (rel == "the next" and unit == "D"):
        # anaphoric: counted from the last date the text mentioned (see _discourse)
        n = 1 if rel in ("the following", "the next") else -1
        return _Hit(m.start(), m.end(), "date", None, _UNIT_GRAN[unit], anaphor=("shift", unit, n))
    if unit == "D":
        return None  # "this day", "the past day": rare and vague
    if rel in ("the past", "the last", "the next", "the coming", "past") and not pre:
        # "the past week", "the next year": a stretch of time (TimeML DURATION)
        return _Hit(m.start(), m.end(), "duration", _duration_value(1, unit), "duration")
    shift = {"last": -1, "previous": -1, "next": 1, "coming": 1}.get(rel, 0)
    level = _UNIT_LEVEL[unit]
    gran = _UNIT_GRAN[unit]
    a = ctx.anchor
    if a is None or not a.has(level):
        h = ctx.unresolved(m.start(), m.end(), "date", gran, level)
        h.mod = mod
        return h
    if unit == "WE":
        value = _weekend(a.date, shift, ctx.tense(m.start(), m.end()))
    else:
        value, gran = _at_unit(_shift(a.date, unit, shift), unit)
    return _Hit(m.start(), m.end(), "date", value, gran, relative=True, mod=mod)


def _weekend(a: dt.date, shift: int, tense: str | None) -> str:
    """The weekend just past (this one on a Saturday or Sunday); ahead when shifted or future."""
    sat = a - dt.timedelta(days=(a.weekday() - 5) % 7)
    if shift > 0 or (shift == 0 and tense == "future" and a.weekday() < 5):
        sat += dt.timedelta(weeks=1)
    elif shift < 0 and a.weekday() >= 5:
        sat -= dt.timedelta(weeks=1)
    return _week(sat) + "-WE"


def _season_rel(m: re.Match[str], ctx: _Ctx, season: str, rel: str, mod: str | None) -> _Hit | None:
    a = ctx.anchor
    if a is None or not a.has("month"):
        h = ctx.unresolved(m.start(), m.end(), "date", "season", "month")
        h.mod = mod
        return h
    direction = {
        "last": "last",
        "previous": "last",
        "the previous": "last",
        "past": "last",
        "the past": "last",
        "next": "next",
        "coming": "next",
        "the coming": "next",
        "the following": "next",
        "the next": "next",
    }.get(rel, "this")
    y = _season_pick(a.date, season, direction)
    return _Hit(m.start(), m.end(), "date", f"{y}-{season}", "season", relative=True, mod=mod)


_OF_RE = re.compile(r"\s+of\b")


@_rule(
    rf"""(?i)(?<![\w-])(?:(?P<det>the|early|late|mid|in|during|since|by|until|through|over|this|that)[\s-]+)?
    (?P<sea>spring|summer|fall|autumn|winter)(?:(?:\s+of)?\s+(?P<y>{YEAR}))?(?![\w-])""",
    tuple(_SEASONS),
    back=2,
)
def _season(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    det = _low(m["det"])
    season = _SEASONS[m["sea"].lower()]
    start = m.start() if det in ("the", "early", "late", "mid", "this") else m.start("sea")
    mod = {"early": "start", "late": "end", "mid": "mid"}.get(det)
    if m["y"]:
        return _Hit(start, m.end(), "date", f"{m['y']}-{season}", "season", mod=mod)
    if not det or det == "that":
        return None  # "prices fall", "winter clothes": no temporal cue
    if _OF_RE.match(ctx.text, m.end()):
        return None  # "the fall of Mosul", "the spring of 1968" is taken above
    a = ctx.anchor
    if a is None or not a.has("month"):
        h = ctx.unresolved(start, m.end(), "date", "season", "month")
        h.mod = mod
        return h
    direction = (
        "this" if det == "this" else ("future" if ctx.tense(m.start(), m.end()) == "future" else "past")
    )
    y = _season_pick(a.date, season, direction)
    return _Hit(start, m.end(), "date", f"{y}-{season}", "season", relative=True, mod=mod)


# --------------------------------------------------------------- quarters and halves


@_rule(
    rf"""(?i)(?<![\w-])(?:(?P<det>the|this|its|a|that)\s+)?
    (?:(?P<y1>{YEAR})\s+|(?P<rel>this|last|next)\s+year['’]s\s+|(?P<ya>year-earlier|year-ago|prior-year)\s+)?
    (?:(?:fiscal|calendar)[\s-]+)?
    (?P<q>first|second|third|fourth|1st|2nd|3rd|4th|final)[\s-]+quarters?
    (?:\s+of\s+(?:(?:fiscal\s+)?(?P<y2>{YEAR})|(?P<rel2>this|last|next)\s+year|the\s+(?P<rel3>current|previous|same)\s+year))?
    (?![\w-])
    |(?<![\w-])(?P<qq>Q[1-4])(?:\s+|/)(?P<y3>{YEAR})""",
    ("quarter", "quarters", "q1", "q2", "q3", "q4"),
    back=4,
)
def _quarter_rule(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    if m["qq"]:
        return _Hit(m.start(), m.end(), "date", f"{m['y3']}-{m['qq'].upper()}", "quarter")
    q = _ORDINALS[m["q"].lower()]
    start = m.start() + 2 if _low(m["det"]) == "a" else m.start()
    if m.group().lower().rstrip().endswith("quarters") and not (m["y1"] or m["y2"]):
        return _Hit(start, m.end(), "set", f"XXXX-Q{q}", "set")  # "fourth quarters"
    y_s = m["y1"] or m["y2"]
    if y_s:
        return _Hit(start, m.end(), "date", f"{y_s}-Q{q}", "quarter")
    a = ctx.anchor
    if a is None:
        return ctx.unresolved(start, m.end(), "date", "quarter", "year")
    rel = _low(m["rel"] or m["rel2"] or m["rel3"]) or ("last" if m["ya"] else "")
    y = a.date.year + {"last": -1, "previous": -1, "next": 1}.get(rel, 0)
    return _Hit(start, m.end(), "date", f"{y}-Q{q}", "quarter", relative=True)


@_rule(
    rf"""(?i)(?<![\w-])
    (?:(?P<tq>the|that)\s+(?:(?P<qa>latest|most\s+recent|recent|just-ended|just-completed|same|{YEAR})\s+)?(?:fiscal\s+)?(?P<qn>quarter|period)
      |(?:(?P<yt>the)\s+(?:(?:comparable|corresponding|same)\s+)?)?(?P<ye>year-earlier|year-ago|year-before|prior-year)
       (?:\s+(?P<yn>quarter|period|(?:fiscal\s+)?quarter))?
      |the\s+(?:(?:fiscal|full|calendar|entire|whole)\s+)?year(?:\s+(?P<yy>{YEAR}))?
      |the\s+weekend)
    (?![\w-])""",
    ("quarter", "period", "year", "weekend"),
    back=3,
)
def _the_unit(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    """ "the quarter", "the latest period", "the year-earlier quarter", "the year", "the weekend"."""
    text = m.group().lower()
    a = ctx.anchor
    if m["qn"]:
        if m["qn"].lower() == "period" and not m["qa"]:
            return None  # "the period" alone: too vague
        qa = m["qa"] or ""
        if qa[:1].isdigit():  # "the 1988 quarter": that year, the quarter under discussion
            return _Hit(
                m.start(), m.end(), "date", None, "quarter", relative=True, anaphor=("quarter", qa, 0)
            )
        return _Hit(m.start(), m.end(), "date", None, "quarter", relative=True, anaphor=("quarter", "Q", 0))
    if m["ye"]:
        start = m.start() if m["yn"] else m.start("ye")
        end = m.end() if m["yn"] else m.end("ye")
        return _Hit(start, end, "date", None, "quarter", relative=True, anaphor=("year_ago", "Q", -1))
    if m["yy"]:
        return _Hit(m.start(), m.end(), "date", m["yy"], "year")
    if text.endswith("weekend"):
        if a is None or not a.has("day"):
            return ctx.unresolved(m.start(), m.end(), "date", "weekend", "day")
        return _Hit(
            m.start(),
            m.end(),
            "date",
            _weekend(a.date, 0, ctx.tense(m.start(), m.end())),
            "weekend",
            relative=True,
        )
    after = ctx.text[m.end() : m.end() + 12].lower()
    if re.match(r"\s+(?:before|earlier|ago|after|later|when|in\s+which|that)\b", after):
        return None  # "the year before", "the year when …": anaphoric, not this year
    if a is None:
        return ctx.unresolved(m.start(), m.end(), "date", "year", "year")
    return _Hit(m.start(), m.end(), "date", str(a.date.year), "year", relative=True)


@_rule(
    rf"""(?i)(?<![\w-])(?:the\s+)?(?P<h>first|second|latter|last)\s+half\s+of\s+(?:(?P<y>{YEAR})|(?P<rel>this|last|next|the)\s+year)(?![\w-])""",
    ("half",),
    back=2,
)
def _half(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    h = 1 if m["h"].lower() == "first" else 2
    if m["y"]:
        return _Hit(m.start(), m.end(), "date", f"{m['y']}-H{h}", "half")
    if ctx.anchor is None:
        return ctx.unresolved(m.start(), m.end(), "date", "half", "year")
    y = ctx.anchor.date.year + {"last": -1, "next": 1}.get(m["rel"].lower(), 0)
    return _Hit(m.start(), m.end(), "date", f"{y}-H{h}", "half", relative=True)


# ------------------------------------------------------------------ ago, durations


@_rule(
    rf"""(?i)(?<![\w-])(?P<n>{NUM})[\s-]+(?P<unit>{UNIT})s?(?:\s+or\s+so)?\s+(?P<dir>ago|earlier|before\s+now|from\s+now|hence|back)(?![\w-])""",
    ("ago", "earlier", "now", "hence", "back"),
    back=7,
    prev=_UNIT_WORDS,
)
def _ago(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    n_s = _low(m["n"])
    unit = _unit_of(m["unit"])
    back = m["dir"].lower() in ("ago", "earlier", "back") or m["dir"].lower().startswith("before")
    gran = _UNIT_GRAN[unit]
    n = (
        1
        if n_s in ("a", "an")
        else 2
        if n_s == "a couple of"
        else None
        if n_s in _VAGUE_NUM
        else parse_number(n_s)
    )
    if n is None or n != int(n) or unit in ("S", "MIN", "H"):
        return _Hit(m.start(), m.end(), "date", "PAST_REF" if back else "FUTURE_REF", gran, vague=True)
    level = _UNIT_LEVEL[unit]
    a = ctx.anchor
    if a is None or not a.has(level):
        return ctx.unresolved(m.start(), m.end(), "date", gran, level)
    d = _shift(a.date, unit, -int(n) if back else int(n))
    value, gran = _at_unit(d, unit)
    anaphor = ("year_ago", "Q", -1) if (unit == "Y" and n == 1 and back) else None
    return _Hit(
        m.start(),
        m.end(),
        "date",
        value,
        gran,
        relative=True,
        day=d if unit == "D" else None,
        anaphor=anaphor,
    )


@_rule(
    rf"""(?i)(?<![\w-])
    (?P<q>(?:the\s+|a\s+)?(?:past|last|next|first|previous|coming|following|final|remaining|latest|initial|full|entire)\s+)?
    (?P<n>{NUM})[\s-]+(?:(?:trading|business|working|full|straight|consecutive|calendar|fiscal|more|additional)\s+)?
    (?P<unit>{UNIT})(?P<pl>s)?(?P<ahalf>\s+and\s+a\s+half)?(?:-long)?(?P<old>[\s-]+old)?(?![\w-])""",
    (
        "second",
        "seconds",
        "minute",
        "minutes",
        "hour",
        "hours",
        "day",
        "days",
        "night",
        "nights",
        "week",
        "weeks",
        "month",
        "months",
        "quarter",
        "quarters",
        "year",
        "years",
        "decade",
        "decades",
        "century",
        "centuries",
        "fortnight",
        "fortnights",
        "weekend",
        "weekends",
    ),
    back=7,
    prev=_DURATION_PREV,
)
def _duration(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    if m["old"]:
        return None  # ages ("a 6-year-old", "52 years old") are not time expressions
    n_s = _low(m["n"])
    unit = _unit_of(m["unit"])
    q = _low(m["q"])
    if m["ahalf"]:
        n_s += " and a half"  # "a minute and a half"
    if n_s in _VAGUE_NUM:
        n: float | None = None
        if q in ("the past", "the last", "past", "last", "the previous", "previous"):
            return _Hit(m.start(), m.end(), "date", "PAST_REF", _UNIT_GRAN[unit], vague=True)
    elif n_s in ("a", "an"):
        # "a year" on its own is mostly a rate ("$5 a year") or part of "a year ago": want a cue
        before = ctx.text[max(0, m.start() - 14) : m.start()].lower()
        if not m["q"] and not re.search(
            r"\b(?:for|over|within|in|after|than|about|nearly|almost|around|some|least|only|just|half|once|take|took"
            r"|takes|lasted|last|spent|spend)\s+$",
            before,
        ):
            return None
        n = 1
    elif n_s == "a couple of":
        n = 2
    elif n_s in ("a half", "half a", "half an"):
        n = 0.5
    else:
        half = n_s.endswith((" and a half", " 1/2"))
        base = n_s.replace(" and a half", "").replace(" 1/2", "")
        p = 1 if base in ("a", "an") else parse_number(base)
        if p is None or p == 0 or p >= 1000 or (m["n"].isdigit() and len(m["n"]) == 4):
            return None
        n = float(p) + (0.5 if half else 0)
    return _Hit(m.start(), m.end(), "duration", _duration_value(n, unit), "duration", vague=n is None)


@_rule(
    rf"""(?i)(?<![\w-])(?:(?P<q>recent|the\s+past|the\s+last|past|the\s+next|the\s+coming|coming|the\s+following)\s+
    (?:(?P<few>few|several|many)\s+)?(?P<unit>{UNIT})s
    |(?<=\bfor\s)(?P<bare>decades|years|months|weeks|days|hours)
    |(?<=\bin\s)(?P<bare2>decades|years|months|weeks))(?![\w-])""",
    ("years", "months", "weeks", "days", "hours", "decades", "quarters", "minutes", "centuries", "nights"),
    back=3,
)
def _vague_span(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    """ "recent months", "the coming weeks", "for years": vague references and lengths."""
    word = m["unit"] or m["bare"] or m["bare2"]
    unit = _unit_of(word)
    q = _low(m["q"])
    if q in ("the coming", "coming", "the next", "the following"):
        return _Hit(m.start(), m.end(), "date", "FUTURE_REF", _UNIT_GRAN[unit], vague=True)
    if q == "past" or (q != "recent" and m["few"]):
        return _Hit(m.start(), m.end(), "date", "PAST_REF", _UNIT_GRAN[unit], vague=True)
    return _Hit(m.start(), m.end(), "duration", _duration_value(None, unit), "duration", vague=True)


# ---------------------------------------------------------------- vague references


@_rule(
    r"""(?i)(?<![\w-])(?P<ref>(?:right\s+)?now|currently|nowadays|these\s+days|at\s+present|the\s+present|recently
    |lately|the\s+past|the\s+future)(?![\w-])""",
    ("now", "currently", "nowadays", "days", "present", "recently", "lately", "past", "future"),
    back=1,
)
def _ref(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    """now / recently / the future. Left out after measuring on TimeBank (tagged / seen):
    "previously" 3/23, "soon" 4/18, "earlier" 1/66, "current" 9/21, "recent" 6/29."""
    ref = _low(m["ref"])
    after = ctx.text[m.end() : m.end() + 16].lower()
    if ref == "the past" and re.match(
        r"\s+(?:\d|few|several|two|three|four|five|six|seven|eight|nine|ten|week|month|year|decade|day)",
        after,
    ):
        return None
    if ref == "the present" and not re.match(r"\s*(?:[.,;)]|$)", after):
        return None  # "the present government"
    value = "PRESENT_REF"
    if ref in ("recently", "lately", "the past"):
        value = "PAST_REF"
    elif ref == "the future":
        value = "FUTURE_REF"
    return _Hit(m.start(), m.end(), "date", value, "ref", vague=True)


@_rule(
    rf"""(?i)(?<![\w-])(?:(?P<adv>daily|weekly|monthly|yearly|nightly|hourly|biweekly)
    |(?:every|each)\s+(?:(?P<other>other)\s+)?(?:(?P<n>{NUM})\s+)?(?P<unit>{UNIT}|{WD}|{MON})(?P<pl>s)?
    |(?:once|twice|thrice|times)\s+(?P<rate>(?:a|per)\s+(?P<unit2>{UNIT})))(?![\w-])""",
    (
        "daily",
        "weekly",
        "monthly",
        "yearly",
        "nightly",
        "hourly",
        "biweekly",
        "every",
        "each",
        "once",
        "twice",
        "thrice",
        "times",
    ),
    back=0,
)
def _set(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    """Recurrences. "annually" (2 of 6 tagged in TimeBank) and "quarterly" (1 of 11) are left out."""
    if m["adv"]:
        v = {
            "daily": "P1D",
            "weekly": "P1W",
            "monthly": "P1M",
            "yearly": "P1Y",
            "nightly": "P1D",
            "hourly": "PT1H",
            "biweekly": "P2W",
        }[m["adv"].lower()]
        return _Hit(m.start(), m.end(), "set", v, "set")
    word = m["unit"] or m["unit2"]
    start = m.start("rate") if m["rate"] else m.start()
    low = word.lower().rstrip(".")
    if low in _WEEKDAYS:
        return _Hit(start, m.end(), "set", f"XXXX-WXX-{_WEEKDAYS[low] + 1}", "set")
    if low in _MONTHS:
        return _Hit(start, m.end(), "set", f"XXXX-{_MONTHS[low]:02d}", "set")
    unit = _unit_of(word)
    n = 1.0
    if m["n"]:
        p = 1 if _low(m["n"]) in ("a", "an") else parse_number(m["n"])
        if p is None:
            return None
        n = float(p)
    if m["other"]:
        n *= 2
    return _Hit(start, m.end(), "set", _duration_value(n, unit), "set")


@_rule(
    rf"""(?<![\w-])(?P<h>Christmas(?:\s+(?:Day|Eve))?|New\s+Year['’]s\s+(?:Day|Eve)|Thanksgiving(?:\s+Day)?
    |Independence\s+Day|Labor\s+Day|Memorial\s+Day|Easter(?:\s+Sunday)?|Halloween|Valentine['’]s\s+Day)
    (?:,?\s+(?P<y>{YEAR}))?(?![\w-])""",
    _HOLIDAY_WORDS,
    back=1,
)
def _holiday(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    fn = _HOLIDAYS.get(_low(m["h"]).replace("’", "'"))
    if fn is None:
        return None
    if m["y"]:
        return _day_hit(m.start(), m.end(), fn(int(m["y"])), False)
    a = ctx.anchor
    if a is None or not a.has("month"):
        return ctx.unresolved(m.start(), m.end(), "date", "day", "month")
    tense = ctx.tense(m.start(), m.end()) or "past"
    y = a.date.year
    d = fn(y)
    key_d, key_a = (d, a.date) if a.precision == "day" else (d.month, a.date.month)
    if tense == "past" and key_d > key_a:  # type: ignore[operator]
        d = fn(y - 1)
    elif tense == "future" and key_d < key_a:  # type: ignore[operator]
        d = fn(y + 1)
    return _day_hit(m.start(), m.end(), d, True)


# ======================================================================== post passes

_MOD_BEFORE_RE = re.compile(
    r"""(?i)(?<![\w-])(?P<mod>(?:the\s+)?(?:very\s+)?(?:early|late)|mid|the\s+middle\s+of
    |(?:the\s+)?(?:end|beginning|start|close|turn)\s+of|(?:the\s+)?(?:first|second|last)\s+half\s+of
    |the\s+(?:first|last)\s+(?:days?|weeks?|months?)\s+of
    |around|about|approximately|roughly|nearly|almost|some|more\s+than|less\s+than|at\s+least|at\s+most
    |up\s+to|no\s+more\s+than|just\s+over|well\s+over|just\s+under|fewer\s+than|no\s+less\s+than)(?:\s+|-)$""",
    re.VERBOSE,
)
_MOD_CODE = {
    "early": "start",
    "late": "end",
    "mid": "mid",
    "the middle of": "mid",
    "end of": "end",
    "beginning of": "start",
    "start of": "start",
    "close of": "end",
    "turn of": "start",
    "around": "approx",
    "about": "approx",
    "approximately": "approx",
    "roughly": "approx",
    "nearly": "approx",
    "almost": "approx",
    "some": "approx",
    "more than": "more_than",
    "less than": "less_than",
    "at least": "equal_or_more",
    "at most": "equal_or_less",
    "up to": "equal_or_less",
    "no more than": "equal_or_less",
    "just over": "more_than",
    "well over": "more_than",
    "just under": "less_than",
    "fewer than": "less_than",
    "no less than": "equal_or_more",
}
_COMPARATIVE = frozenset({"approx", "more_than", "less_than", "equal_or_more", "equal_or_less"})

_POD_BEFORE_RE = re.compile(
    r"(?i)(?<![\w-])(?:(?P<e1>early|late)\s+in\s+the|(?:in\s+)?the\s+(?:(?P<e2>early|late|wee)\s+)?(?:hours\s+of\s+the\s+)?)"
    r"\s*(?P<pod>morning|afternoon|evening|night)\s+(?:on|of)\s+$"
)
_POD_AFTER_RE = re.compile(r"(?i)\s+(?:(?:in\s+the|at)\s+)?(?P<pod>morning|afternoon|evening|night)(?![\w-])")
_RANGE_PRE_RE = re.compile(r"(?i)(?P<pre>between|from)\s+$")
_RANGE_MID_RE = re.compile(r"(?i)\s*(?:-|–|—|to|and|through|until|till|thru)\s*")


def _select(hits: list[_Hit], n: int) -> list[_Hit]:
    """Non-overlapping hits, longest first (ties: the earlier one)."""
    hits.sort(key=lambda h: (h.start - h.end, h.start))
    taken: list[_Hit] = []
    used = bytearray(n + 1)
    for h in hits:
        if used.find(1, h.start, h.end) < 0:
            taken.append(h)
            used[h.start : h.end] = b"\x01" * (h.end - h.start)
    taken.sort(key=lambda h: h.start)
    return taken


_MOD_LAST_WORDS = frozenset(
    "early late mid of around about approximately roughly nearly almost some than least most to over "
    "under".split()
)


def _apply_modifiers(text: str, lowered: str, hits: list[_Hit]) -> None:
    """ "early 2015", "mid-November", "the end of 1990", "nearly two months": mod and span."""
    prev_end = 0
    for h in hits:
        lo = max(prev_end, h.start - 40)
        prev_end = h.end
        if _word_before(lowered, h.start) not in _MOD_LAST_WORDS:
            continue
        m = _MOD_BEFORE_RE.search(text, lo, h.start)
        if not m:
            continue
        words = _low(m["mod"]).replace("very ", "")
        if words.startswith("the ") and words[4:] in _MOD_CODE:
            words = words[4:]
        if "half of" in words or words.startswith(("the first ", "the last ")):
            code: str | None = "start" if "first" in words else "end"
        else:
            code = _MOD_CODE.get(words)
        if code is None or h.mod not in (None, code):
            continue
        if (code in _COMPARATIVE) != (h.kind in ("duration", "set")):
            continue  # "about 5 p.m." keeps its signal outside; "early two years" is no phrase
        h.mod = code
        h.start = m.start()


def _merge_parts_of_day(text: str, lowered: str, hits: list[_Hit]) -> None:
    """ "early in the morning on Saturday", "yesterday afternoon" (when no rule took it)."""
    for i, h in enumerate(hits):
        if h.granularity != "day" or h.kind != "date":
            continue
        prev_end = hits[i - 1].end if i else 0
        m = None
        if _word_before(lowered, h.start) in ("on", "of"):
            m = _POD_BEFORE_RE.search(text, max(0, h.start - 50), h.start)
        if m and m.start() >= prev_end:
            early = m["e1"] or m["e2"]
            h.start = m.start() + (3 if m.group().lower().startswith("in ") else 0)
            if early:
                h.mod = {"early": "start", "late": "end", "wee": "start"}[early.lower()]
        else:
            m = _POD_AFTER_RE.match(text, h.end)
            nxt = hits[i + 1].start if i + 1 < len(hits) else len(text)
            if not m or m.end() > nxt:
                continue
            h.end = m.end()
        h.kind, h.granularity = "time", "part_of_day"
        h.value = f"{h.value}T{_POD[m['pod'].lower()]}" if h.value else None


def _merge_clock_day(text: str, hits: list[_Hit]) -> list[_Hit]:
    """ "noon Thursday", "5 p.m. Friday": one TIME on that day."""
    out: list[_Hit] = []
    for h in hits:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.granularity == "time"
            and h.granularity == "day"
            and text[prev.end : h.start].strip() in ("", ",", "on")
        ):
            clock = prev.value.split("T", 1)[1] if prev.value else None
            prev.end = h.end
            prev.value = f"{h.value}T{clock}" if (h.value and clock) else None
            prev.note = prev.note or h.note
            prev.day = h.day
            continue
        out.append(h)
    return out


def _merge_ranges(text: str, hits: list[_Hit]) -> list[_Hit]:
    """ "between 2014 and 2016", "from March to May", "March–May": one range with two parts."""
    out: list[_Hit] = []
    i = 0
    while i < len(hits):
        h = hits[i]
        n = hits[i + 1] if i + 1 < len(hits) else None
        if (
            n is not None
            and h.kind in ("date", "time")
            and n.kind == h.kind
            and h.granularity == n.granularity
        ):
            mid = _RANGE_MID_RE.fullmatch(text, h.end, n.start)
            pre = _RANGE_PRE_RE.search(text, max(0, h.start - 10), h.start)
            joiner = mid.group().strip().lower() if mid else None
            if joiner and (
                (pre and (pre["pre"].lower() == "between") == (joiner == "and"))
                or (not pre and joiner in ("-", "–", "—"))
            ):
                start = pre.start() if pre else h.start
                value = f"{h.value}/{n.value}" if h.value and n.value else None
                out.append(
                    _Hit(
                        start,
                        n.end,
                        "range",
                        value,
                        h.granularity,
                        relative=h.relative or n.relative,
                        note=h.note or n.note,
                        parts=[h, n],
                    )
                )
                i += 2
                continue
        out.append(h)
        i += 1
    return out


def _parse_value_date(value: str) -> tuple[dt.date, str] | None:
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    if not m:
        return None
    unit = "D" if m.group(3) else "M" if m.group(2) else "Y"
    return dt.date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)), unit


_QUARTER_VALUE = re.compile(r"\d{4}-Q[1-4]")


def _discourse(hits: list[_Hit], anchor: _Anchor | None) -> None:
    """Resolve anaphoric expressions from what the text said before them.

    "the quarter", "the latest period": the last quarter mentioned (else the last
    completed one); "a year ago" and "the year-earlier quarter" after a quarter: that
    quarter a year before; "the following year", "the next day": the last date ± 1."""
    last_q: tuple[int, int, int] | None = None  # (year, quarter, offset)
    last_date_value: str | None = None
    for h in hits:
        kind_unit_n = h.anaphor
        if kind_unit_n is not None:
            kind, unit, n = kind_unit_n
            recent_q = last_q if last_q and h.start - last_q[2] < 1500 else None
            if kind == "quarter":
                if recent_q:
                    y, q = recent_q[0], recent_q[1]
                elif anchor is not None:
                    prev = _add_months(anchor.date, -3)  # the last completed quarter
                    y, q = prev.year, _quarter(prev)
                else:
                    y = q = 0
                    h.note = _NO_ANCHOR
                if unit.isdigit():
                    y = int(unit)
                h.value = f"{y}-Q{q}" if q else None
                h.relative = not unit.isdigit()
            elif kind == "year_ago":
                if recent_q:
                    h.value, h.granularity = f"{recent_q[0] - 1}-Q{recent_q[1]}", "quarter"
                elif h.value is None:  # bare "year-earlier"
                    if anchor is not None:
                        h.value, h.granularity = str(anchor.date.year - 1), "year"
                    else:
                        h.note = _NO_ANCHOR
            elif kind == "shift":
                last_date = _parse_value_date(last_date_value.split("T")[0]) if last_date_value else None
                if last_date is not None:
                    d, _ = last_date
                    h.value, h.granularity = _at_unit(_shift(d, unit, n), unit)
                    h.note = None
                else:
                    h.note = "refers to a date earlier in the text; none found"
        if h.anaphor is None and h.value and h.granularity == "quarter" and _QUARTER_VALUE.fullmatch(h.value):
            last_q = (int(h.value[:4]), int(h.value[-1]), h.end)  # only quarters the text names
        if h.value and h.kind in ("date", "time") and not h.vague and h.value[:1].isdigit():
            last_date_value = h.value


_SIGNALS = frozenset(
    "since until till before after by from in on at during through throughout within for over to between of "
    "around "
    "about".split()
)
_SIGNALS_2 = {("as", "of"), ("ahead", "of"), ("prior", "to")}


def _signal(lowered: str, start: int) -> str | None:
    """The preposition right before an expression ("since", "in", "as of")."""
    w = _word_before(lowered, start)
    if not w or lowered[start - 1 : start] == "-":
        return None
    if w in ("of", "to"):
        k = lowered.rfind(w, 0, start)
        w0 = _word_before(lowered, k)
        if (w0, w) in _SIGNALS_2:
            return f"{w0} {w}"
    return w if w in _SIGNALS else None


def _finish(text: str, lowered: str, h: _Hit, anchor: _Anchor | None) -> TimeExpression:
    parts = tuple(_finish(text, lowered, p, anchor) for p in h.parts)
    value = h.value
    resolved = (
        value is not None and not h.vague and "X" not in value.replace("XX-", "") and "_REF" not in value
    )
    if h.granularity in ("decade", "century") and value:
        resolved = True
    if h.kind == "range":
        resolved = bool(parts) and all(p.resolved for p in parts)
    relative = h.relative or any(p.anchor for p in parts)
    return TimeExpression(
        start=h.start,
        end=h.end,
        text=text[h.start : h.end],
        kind=h.kind,
        value=value,
        granularity=h.granularity,
        anchor=anchor.label if (relative and anchor is not None and value is not None) else None,
        resolved=resolved,
        mod=h.mod,
        signal=_signal(lowered, h.start),
        note=None if value is not None else (h.note or "cannot be resolved"),
        parts=parts,
    )


# ===================================================================== the entry point

# ASCII punctuation (and "?", what encoding turns other characters into) to spaces: the
# words of a text come from bytes.translate, ~10x faster than str.translate on non-ASCII text
_BYTE_PUNCT = bytes(32 if chr(i) in string.punctuation else i for i in range(256))
_TRIGGER_RULES: dict[str, list[int]] = {}
for _i, _r in enumerate(_RULES):
    for _w in _r.triggers:
        _TRIGGER_RULES.setdefault(_w, []).append(_i)
_TRIGGER_WORDS = frozenset(w.encode() for w in _TRIGGER_RULES)


def _ascii(lowered: str) -> bytes:
    """``lowered`` as ASCII bytes, one byte per character (others become "?"), so byte
    offsets are character offsets; scanning bytes is several times faster than scanning a
    str holding curly quotes."""
    return lowered.encode("ascii", "replace")


def _words_present(ascii_text: bytes, vocabulary: frozenset[bytes]) -> list[bytes]:
    """Which words of ``vocabulary`` occur in the text as whole words."""
    return list(vocabulary.intersection(ascii_text.translate(_BYTE_PUNCT).split()))


# names written with a capital: "may", "march", "sun", "new" in lower case are other words
_CAPITALISED = frozenset(list(_MONTHS) + list(_WEEKDAYS) + list(_HOLIDAY_WORDS))
_DIGIT_RULES: dict[int, list[int]] = {}
for _i, _r in enumerate(_RULES):
    for _n in _r.digit_lengths:
        _DIGIT_RULES.setdefault(_n, []).append(_i)
_DIGITS_B = re.compile(rb"\d+")
# ASCII letters and digits (a non-ASCII character, "?" in the bytes, counts as a boundary:
# curly quotes and dashes are far commoner next to a trigger word than accented letters)
_ALNUM = [chr(b).isalnum() for b in range(128)] + [False] * 128


def _lower_same_length(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)  # "İ" lower-cases to 2 chars


def _starts(spaced: str, i: int, back: int) -> list[int]:
    """``i`` and the starts of up to ``back`` words before it, farthest first (``spaced``:
    the text with newlines and tabs as spaces)."""
    out = [i]
    for k in words_before(spaced, i, back, 80):
        out.append(k)
        if not spaced[k].isalnum() and k + 1 < i:
            out.append(k + 1)  # after an opening quote or bracket
    out.reverse()
    return out


def _word_before(lowered: str, i: int) -> str:
    """The lower-case word before position ``i`` (across one run of spaces or a hyphen)."""
    k = i - 1
    while k >= 0 and lowered[k] in " -\t\n":
        k -= 1
    e = k + 1
    while k >= 0 and (lowered[k].isalnum() or lowered[k] == "."):
        k -= 1
    return lowered[k + 1 : e]


def _try(rule: _Rule, text: str, starts: list[int], must_end: int, ctx: _Ctx, hits: list[_Hit]) -> None:
    """The longest match of ``rule`` from one of ``starts`` that reaches ``must_end``."""
    for s in starts:
        m = rule.pattern.match(text, s)
        if m is not None and m.end() >= must_end:
            h = rule.handler(m, ctx)
            if h is not None and h.end > h.start:
                hits.append(h)
            return


def _candidates(text: str, ctx: _Ctx) -> list[_Hit]:
    """Every rule's findings. A rule is tried only where its trigger word occurs, anchored
    at the word starts just before it (scanning the text with every rule costs 20x more);
    digit rules only at digit runs of their lengths."""
    n = len(text)
    lowered = _lower_same_length(text)
    spaced = lowered.replace("\n", " ").replace("\t", " ")
    ab = _ascii(lowered)
    hits: list[_Hit] = []
    for wb in _words_present(ab, _TRIGGER_WORDS):
        w = wb.decode()
        size = len(w)
        rules = [_RULES[r] for r in _TRIGGER_RULES[w]]
        back = max(r.back for r in rules)
        capitalised = w in _CAPITALISED
        i = ab.find(wb)
        while i >= 0:
            j = i + size
            if (
                (i == 0 or not _ALNUM[ab[i - 1]])
                and (j >= n or not _ALNUM[ab[j]])
                and (not capitalised or text[i].isupper())
            ):
                starts: list[int] | None = None
                before = None
                for rule in rules:
                    if rule.prev is not None:
                        before = _word_before(lowered, i) if before is None else before
                        if before not in rule.prev and not before.isdigit():
                            continue
                    if starts is None:
                        starts = _starts(spaced, i, back)
                    _try(rule, text, starts[max(0, len(starts) - 1 - rule.back) :], j, ctx, hits)
            i = ab.find(wb, j)
    for dm in _DIGITS_B.finditer(ab):
        rules_d = _DIGIT_RULES.get(dm.end() - dm.start())
        if not rules_d:
            continue
        i = dm.start()
        if i > 0 and text[i - 1] in "'’":
            i -= 1  # "'90s"
        nxt = text[dm.end() : dm.end() + 1]
        digit_starts: list[int] | None = None
        for r in rules_d:
            rule = _RULES[r]
            if rule.follow and nxt not in rule.follow:
                continue
            if rule.back == 0:
                _try(rule, text, [i], dm.end(), ctx, hits)
                continue
            digit_starts = _starts(spaced, i, rule.back) if digit_starts is None else digit_starts
            _try(rule, text, digit_starts, dm.end(), ctx, hits)
    return hits


def find_times(
    text: str, *, published: str | None = None, precision: str | None = None
) -> list[TimeExpression]:
    """Time expressions in ``text`` normalised against the publication date, in text order.

    ``published`` is ISO-8601 ("2017-03-09", "2016-10", "2016", or a datetime);
    ``precision`` ("day", "month", "year") may say it is known more coarsely than it is
    written. With no publication date relative expressions are unresolved (value null)."""
    anchor = _parse_anchor(published, precision)
    ctx = _Ctx(text, anchor)
    hits = _select(_candidates(text, ctx), len(text))
    lowered = _lower_same_length(text)
    _apply_modifiers(text, lowered, hits)
    _merge_parts_of_day(text, lowered, hits)
    hits = _merge_clock_day(text, hits)
    _discourse(hits, anchor)
    hits = _merge_ranges(text, hits)
    return [_finish(text, lowered, h, anchor) for h in hits]
