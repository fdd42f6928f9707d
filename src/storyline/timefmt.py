"""Time values for people: TimeML/TIMEX3 codes → calendar values with their precision.

The time layer keeps TIMEX3 values (``value`` in records.md) because TempEval-3 scores them
unchanged; they are codes, not dates a reader or a spreadsheet understands
(``2016-10-13TMO``, ``2019-11-14TNI``, ``2019-11-19T24:00``, ``2016-W42``, ``199``). Two
pure functions turn them into what is shown:

* :func:`calendar` — the ISO-8601 calendar value a program can sort and parse: a day, month
  or year (``2016-10-13``, ``2016-10``, ``2016``), a time (``2019-11-20T00:00``), or a closed
  interval of days for weeks, weekends, quarters, halves, seasons, decades and centuries
  (``2016-10-17/2016-10-23``). None for durations, sets and vague references.
* :func:`display` — the same for a reader, with its precision in words: ``2016-10-13,
  morning``, ``week of 2016-10-17 (2016-W42)``, ``autumn 2015``, ``1990s``, ``about 3
  years``, ``now``. Never a raw code.

CLI, CSV, report and app show these; records keep ``value`` and add ``calendar`` and
``display`` beside it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

_PARTS = {"MO": "morning", "AF": "afternoon", "EV": "evening", "NI": "night", "DT": "daytime", "MI": "midday"}
_SEASONS = {"SP": ("spring", 3, 5), "SU": ("summer", 6, 8), "FA": ("autumn", 9, 11), "WI": ("winter", 12, 2)}
_REFS = {"PRESENT_REF": "now", "PAST_REF": "the past", "FUTURE_REF": "the future"}
_UNITS = {"Y": "year", "M": "month", "W": "week", "D": "day", "H": "hour", "S": "second", "DE": "decade",
          "CE": "century", "Q": "quarter"}
_ORD = {1: "first", 2: "second", 3: "third", 4: "fourth"}

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::\d{2})?|T(MO|AF|EV|NI|DT|MI))?$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})(-WE)?$")
_PERIOD = re.compile(r"^(\d{4})-(Q[1-4]|H[12]|SP|SU|FA|WI)$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^\d{4}$")
_DECADE = re.compile(r"^(\d{3})X?$")
_CENTURY = re.compile(r"^(\d{2})(?:XX)?$")
_DURATION = re.compile(r"^P(T?)(\d+(?:\.\d+)?|X)(Y|M|W|D|H|S|DE|CE|Q)$")


def _iso(d: date) -> str:
    return d.isoformat()


def _month_end(y: int, m: int) -> date:
    return (date(y + (m == 12), m % 12 + 1, 1)) - timedelta(days=1)


def _week(y: int, w: int) -> date:
    return date.fromisocalendar(y, w, 1)


def calendar(value: str | None, granularity: str | None = None) -> str | None:
    """The ISO-8601 calendar value of a TIMEX3 ``value`` (see the module docstring)."""
    v = (value or "").strip()
    if not v:
        return None
    if "/" in v:
        a, _, b = v.partition("/")
        ca, cb = calendar(a), calendar(b)
        return f"{ca.split('/')[0]}/{cb.split('/')[-1]}" if ca and cb else None
    try:
        m = _DAY.match(v)
        if m:
            y, mo, d, hh, mm = int(m[1]), int(m[2]), int(m[3]), m[4], m[5]
            day = date(y, mo, d)
            if hh is not None:
                if hh == "24":  # TIMEX3's end of day is the next day's midnight
                    return f"{_iso(day + timedelta(days=1))}T00:{mm}"
                return f"{_iso(day)}T{hh}:{mm}"
            return _iso(day)
        m = _WEEK.match(v)
        if m:
            start = _week(int(m[1]), int(m[2]))
            if m[3]:
                return f"{_iso(start + timedelta(days=5))}/{_iso(start + timedelta(days=6))}"
            return f"{_iso(start)}/{_iso(start + timedelta(days=6))}"
        m = _PERIOD.match(v)
        if m:
            y, p = int(m[1]), m[2]
            if p[0] == "Q":
                q = int(p[1])
                return f"{_iso(date(y, 3 * q - 2, 1))}/{_iso(_month_end(y, 3 * q))}"
            if p[0] == "H":
                h = int(p[1])
                return f"{_iso(date(y, 6 * h - 5, 1))}/{_iso(_month_end(y, 6 * h))}"
            _, first, last = _SEASONS[p]
            end_year = y + 1 if p == "WI" else y
            return f"{_iso(date(y, first, 1))}/{_iso(_month_end(end_year, last))}"
        m = _MONTH.match(v)
        if m:
            return _iso(date(int(m[1]), int(m[2]), 1))[:7]
        if _YEAR.match(v):
            return v
        m = _DECADE.match(v)
        if m:
            return f"{m[1]}0/{m[1]}9"
        m = _CENTURY.match(v)
        if m:
            return f"{m[1]}00/{m[1]}99"
    except ValueError:
        return None
    return None


def display(value: str | None, granularity: str | None = None) -> str:
    """A reader's rendering of a TIMEX3 ``value`` with its precision; "date unknown" for none."""
    v = (value or "").strip()
    if not v:
        return "date unknown"
    if v in _REFS:
        return _REFS[v]
    if "/" in v:
        a, _, b = v.partition("/")
        return f"{display(a)} to {display(b)}"
    m = _DURATION.match(v)
    if m:
        n, unit = m[2], _UNITS[m[3] if not (m[1] and m[3] == "M") else "M"]
        if m[1] and m[3] == "M":
            unit = "minute"
        if n == "X":
            return f"some {unit}s"
        num = float(n)
        count = int(num) if num.is_integer() else num
        return f"{count} {unit}{'' if count == 1 else 's'}"
    try:
        m = _DAY.match(v)
        if m:
            day = f"{m[1]}-{m[2]}-{m[3]}"
            date(int(m[1]), int(m[2]), int(m[3]))
            if m[6]:
                return f"{day}, {_PARTS[m[6]]}"
            if m[4] is not None:
                if m[4] == "24":
                    return f"{day}, midnight (end of day)"
                return f"{day} {m[4]}:{m[5]}"
            return day
        m = _WEEK.match(v)
        if m:
            start = _week(int(m[1]), int(m[2]))
            if m[3]:
                return f"weekend of {_iso(start + timedelta(days=5))} ({m[1]}-W{m[2]})"
            return f"week of {_iso(start)} ({m[1]}-W{m[2]})"
        m = _PERIOD.match(v)
        if m:
            y, p = m[1], m[2]
            if p[0] == "Q":
                return f"{_ORD[int(p[1])]} quarter of {y}"
            if p[0] == "H":
                return f"{_ORD[int(p[1])]} half of {y}"
            return f"{_SEASONS[p][0]} {y}"
        m = _MONTH.match(v)
        if m:
            return date(int(m[1]), int(m[2]), 1).strftime("%B %Y")
        if _YEAR.match(v):
            return v
        m = _DECADE.match(v)
        if m:
            return f"{m[1]}0s"
        m = _CENTURY.match(v)
        if m:
            c = int(m[1]) + 1
            suffix = "th" if 10 <= c % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(c % 10, "th")
            return f"{m[1]}00s ({c}{suffix} century)"
    except (ValueError, KeyError):
        pass
    cal = calendar(v)
    return cal if cal else "date unclear"


def describe(value: str | None, granularity: str | None = None) -> dict[str, str | None]:
    """``{"calendar": …, "display": …}`` to add beside a record's ``value``."""
    return {"calendar": calendar(value, granularity), "display": display(value, granularity)}


# Granularities no single event is dated by: "since the 14th century", "in the 1990s".
HISTORICAL = frozenset({"decade", "century", "millennium"})


def can_date_event(t: object) -> bool:
    """Whether a resolved time expression may date an event: not a decade or century, and
    not the start of a state ("since the 14th century", "since 2014") — a historical aside."""
    if not getattr(t, "resolved", False) or getattr(t, "kind", "date") not in ("date", "time"):
        return False
    if getattr(t, "granularity", None) in HISTORICAL:
        return False
    return getattr(t, "signal", None) not in ("since", "Since")
