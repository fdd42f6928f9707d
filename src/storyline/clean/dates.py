"""Publication dates: read from a URL, a metadata value or a line of text, then chosen.

Every reader returns a :class:`~storyline.types.PublishedDate` cut to the precision the
source really gives (``2017-03-09`` day, ``2016-10`` month, ``2017`` year) or ``None``;
none of them guesses a missing day. Dates are validated: a real calendar day, a year from
1990 to next year.

URL dates: htmldate's ``extract_url_date`` only reads ``YYYY/MM/DD`` (and needs its
``Extractor`` options object), so the same rule is written here next to the month-level
(``/2016/10/``), compact (``20170309``), month-name (``/2017/mar/09/``) forms and a small
table of site-specific patterns, kept as data in :data:`SITE_URL_PATTERNS`.

Choice (:func:`choose_published`): trust metadata, then the URL, then the text. A less
trusted source may only *refine* the chosen date: when it is finer and agrees with it
(``2016-10`` from the URL, ``2016-10-13`` from a dateline) the finer one wins; when they
disagree the trusted one stays.
"""

from __future__ import annotations

import datetime as _dt
import email.utils
import re
from urllib.parse import urlsplit

from storyline.types import DateSource, Precision, PublishedDate

__all__ = [
    "SITE_URL_PATTERNS",
    "choose_published",
    "date_from_metadata",
    "date_from_text",
    "date_from_url",
    "make_date",
]

MIN_YEAR = 1990

_MONTHS: dict[str, int] = {}
for _i, _names in enumerate(
    (
        ("january", "jan"),
        ("february", "feb"),
        ("march", "mar"),
        ("april", "apr"),
        ("may",),
        ("june", "jun"),
        ("july", "jul"),
        ("august", "aug"),
        ("september", "sep", "sept"),
        ("october", "oct"),
        ("november", "nov"),
        ("december", "dec"),
    ),
    start=1,
):
    for _n in _names:
        _MONTHS[_n] = _i

_FULL_MONTHS = tuple((k, v) for k, v in _MONTHS.items() if len(k) > 4 or k in ("may", "june", "july"))

# longest first so "sept" wins over "sep", "march" over "mar"
MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_MONTH_WORD = rf"(?:{MONTH_RE})(?:[a-z]*)"  # "Sept", "Sept.", "Septembre" read as September
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+"
_YEAR = r"(?:19|20)\d{2}"
_ORD = r"(?:st|nd|rd|th)?"
_TIME_TAIL = (
    r"(?:\s*(?:,|at|-|–|—|\||T)?\s*\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?\s*(?:[ap]\.?m\.?)?"
    r"\s*(?:Z|UTC|GMT|[A-Z]{2,5}|[+-]\d{2}:?\d{2})?(?:\s*\([^)]{0,40}\))?)?"
)


def _max_year() -> int:
    return _dt.date.today().year + 1


def _month_number(word: str) -> int | None:
    """"Mar", "March", "Sept." → 3, 3, 9; words that merely start like a month
    ("mayor", "decision") → None."""
    w = word.lower().rstrip(".")
    n = _MONTHS.get(w)
    if n is not None:
        return n
    if len(w) >= 3:
        for full, num in _FULL_MONTHS:
            if full.startswith(w):
                return num
    return None


def make_date(
    year: int, month: int | None, day: int | None, source: DateSource, evidence: str = ""
) -> PublishedDate | None:
    """A validated :class:`PublishedDate` at the precision given (``None`` parts are
    unknown); ``None`` when the date does not exist or is out of range."""
    if not (MIN_YEAR <= year <= _max_year()):
        return None
    if month is None:
        return PublishedDate(f"{year:04d}", "year", source, evidence)
    if not 1 <= month <= 12:
        return None
    if day is None:
        return PublishedDate(f"{year:04d}-{month:02d}", "month", source, evidence)
    try:
        d = _dt.date(year, month, day)
    except ValueError:
        return None
    if d > _dt.date.today() + _dt.timedelta(days=366):
        return None
    return PublishedDate(d.isoformat(), "day", source, evidence)


# --------------------------------------------------------------------------- URL

# Site-specific URL date patterns, as data: (host suffix, regex over path[?query]).
# Named groups: y (4 digits) or y2 (2 digits, 20xx), m, d; the regex decides the order.
SITE_URL_PATTERNS: tuple[tuple[str, str], ...] = (
    # Rudaw: /english/middleeast/syria/131020162 = DDMMYYYY then a counter (13 Oct 2016, #2)
    ("rudaw.net", r"/(?P<d>[0-3]\d)(?P<m>[01]\d)(?P<y>(?:19|20)\d{2})\d{1,3}(?:-amp)?/?$"),
    # Al Jazeera (before 2019): ...-170309083616738.html = YYMMDDhhmmss + ms
    ("aljazeera.com", r"-(?P<y2>\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)\d{9}\.html?$"),
    ("aljazeera.net", r"-(?P<y2>\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)\d{9}\.html?$"),
)
_SITE_URL_RES = tuple((host, re.compile(rx)) for host, rx in SITE_URL_PATTERNS)

# Generic URL patterns, most precise first. The first that matches decides: a path that
# looks like /YYYY/MM/DD/ but is no real date (/2017/13/45/) gives None, not a guess.
_URL_YMD = re.compile(
    rf"(?<![0-9])(?P<y>{_YEAR})/(?P<m>[01]?\d)/(?P<d>[0-3]?\d)(?=/|$|[._?#])"
    rf"|(?<![0-9])(?P<y3>{_YEAR})[-_](?P<m3>[01]\d)[-_](?P<d3>[0-3]\d)(?![0-9])"
)
_URL_YMON_D = re.compile(rf"/(?P<y>{_YEAR})/(?P<mon>[a-z]{{3,9}})/(?P<d>[0-3]?\d)(?=/|$)", re.I)
_URL_COMPACT = re.compile(rf"(?<![0-9A-Za-z])(?P<y>{_YEAR})(?P<m>[01]\d)(?P<d>[0-3]\d)(?![0-9])")
_URL_YM = re.compile(rf"/(?P<y>{_YEAR})/(?P<m>[01]?\d)(?=/|$)")
_URL_YMON = re.compile(rf"/(?P<y>{_YEAR})/(?P<mon>[a-z]{{3,9}})(?=/|$)", re.I)
_URL_Y = re.compile(rf"/(?P<y>{_YEAR})(?=/|$)")


def _host_and_path(url: str) -> tuple[str, str]:
    url = url.strip()
    if "//" not in url.split("?", 1)[0] and not url.startswith("/"):
        url = "http://" + url
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return "", url
    path = parts.path + ("?" + parts.query if parts.query else "")
    return host, path


def _ymd_groups(m: re.Match[str]) -> tuple[int, int | None, int | None]:
    gd = m.groupdict()
    if gd.get("y3"):
        return int(gd["y3"]), int(gd["m3"]), int(gd["d3"])
    if gd.get("y2"):
        year = 2000 + int(gd["y2"])
    else:
        year = int(gd["y"])
    month: int | None
    if gd.get("mon") is not None:
        month = _month_number(gd["mon"])
        if month is None:
            return year, 0, None  # a word that is no month: invalid
    else:
        month = int(gd["m"]) if gd.get("m") else None
    day = int(gd["d"]) if gd.get("d") else None
    return year, month, day


def date_from_url(url: str) -> PublishedDate | None:
    """The publication date a URL encodes, at the precision it gives; ``None`` if none.

    ``/2017/03/09/`` → ``2017-03-09`` (day); ``/files/2016/10/`` → ``2016-10`` (month);
    ``2017-03-09`` or ``20170309`` in the path → day; ``/2017/mar/09/`` → day; site
    patterns from :data:`SITE_URL_PATTERNS` (Rudaw ``131020162`` → ``2016-10-13``).
    """
    if not url:
        return None
    host, path = _host_and_path(url)
    if host:
        for suffix, rx in _SITE_URL_RES:
            if host == suffix or host.endswith("." + suffix):
                m = rx.search(path)
                if m:
                    y, mo, d = _ymd_groups(m)
                    return make_date(y, mo, d, "url", m.group(0).strip("/-"))
    for rx in (_URL_YMD, _URL_YMON_D, _URL_COMPACT, _URL_YM, _URL_YMON, _URL_Y):
        m = rx.search(path)
        if m:
            y, mo, d = _ymd_groups(m)
            return make_date(y, mo, d, "url", m.group(0))
    return None


# --------------------------------------------------------------------------- text

_TEXT_DATE = re.compile(
    rf"(?<![\w])(?:{_WEEKDAY})?(?:"
    # March 9, 2017 / Mar. 9 2017 / March 9th, 2017
    rf"(?P<mon1>{_MONTH_WORD})\.?\s+(?P<d1>[0-3]?\d){_ORD},?\s+(?P<y1>{_YEAR})"
    # 9 March 2017 / 9th of March, 2017
    rf"|(?P<d2>[0-3]?\d){_ORD}\s+(?:of\s+)?(?P<mon2>{_MONTH_WORD})\.?,?\s+(?P<y2>{_YEAR})"
    # 2017-03-09 / 2017/03/09
    rf"|(?P<y3>{_YEAR})(?P<sep3>[-/.])(?P<m3>[01]?\d)(?P=sep3)(?P<d3>[0-3]?\d)(?![0-9])"
    # 09.03.2017 (day first) / 03/09/2017 (only when unambiguous)
    rf"|(?P<a4>[0-3]?\d)(?P<sep4>[./])(?P<b4>[0-3]?\d)(?P=sep4)(?P<y4>{_YEAR})(?![0-9])"
    # March 2017
    rf"|(?P<mon5>{_MONTH_WORD})\.?,?\s+(?P<y5>{_YEAR})"
    rf"){_TIME_TAIL}(?![\w])",
    re.I,
)


def _from_text_match(m: re.Match[str], source: DateSource) -> PublishedDate | None:
    g = m.group
    ev = m.group(0).strip()
    if g("y1"):
        mo = _month_number(g("mon1"))
        return make_date(int(g("y1")), mo, int(g("d1")), source, ev) if mo else None
    if g("y2"):
        mo = _month_number(g("mon2"))
        return make_date(int(g("y2")), mo, int(g("d2")), source, ev) if mo else None
    if g("y3"):
        return make_date(int(g("y3")), int(g("m3")), int(g("d3")), source, ev)
    if g("y4"):
        a, b, y = int(g("a4")), int(g("b4")), int(g("y4"))
        if g("sep4") == ".":
            return make_date(y, b, a, source, ev)  # dotted dates are day-first
        if a == b or (a > 12 >= b):
            return make_date(y, b, a, source, ev)
        if b > 12 >= a:
            return make_date(y, a, b, source, ev)
        return None  # 03/09/2017: March 9 or 3 September? Do not guess.
    if g("y5"):
        mo = _month_number(g("mon5"))
        return make_date(int(g("y5")), mo, None, source, ev) if mo else None
    return None


def date_from_text(text: str, *, source: DateSource = "text") -> PublishedDate | None:
    """The first complete date written in ``text`` ("Thursday, March 9, 2017 10:31 AM",
    "9 March 2017", "2017-03-09", "March 2017"); ``None`` when there is none. Dates without
    a year ("March 9") and relative words ("Thursday") are not dates here."""
    if not text:
        return None
    for m in _TEXT_DATE.finditer(text[:500]):
        d = _from_text_match(m, source)
        if d is not None:
            return d
    return None


# --------------------------------------------------------------------------- metadata

_ISO = re.compile(
    rf"(?P<y>{_YEAR})(?:-(?P<m>\d{{2}})(?:-(?P<d>\d{{2}}))?)?"
    r"(?:[T ]\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?"
)
_ISO_COMPACT = re.compile(
    rf"(?P<y>{_YEAR})(?P<m>[01]\d)(?P<d>[0-3]\d)(?:T?\d{{4,6}}(?:Z|[+-]\d{{4}})?)?"
)


def date_from_metadata(value: str | None) -> PublishedDate | None:
    """A date from an explicit metadata value: ISO 8601 with or without time and zone
    (the calendar date as written, not moved to UTC), RFC 2822 as in feeds, "March 9,
    2017", "2016-10", "2017", "20170309". ``None`` when it is no date."""
    if value is None:
        return None
    s = str(value).strip()
    if not s or len(s) > 200:
        return None
    m = _ISO.fullmatch(s) or _ISO_COMPACT.fullmatch(s)
    if m:
        d = m.group("d")
        mo = m.group("m")
        return make_date(int(m.group("y")), int(mo) if mo else None, int(d) if d else None, "metadata", s)
    m2 = _TEXT_DATE.match(s)
    if m2 and m2.end() >= len(s.rstrip(" .")):
        return _from_text_match(m2, "metadata")
    parsed = email.utils.parsedate_tz(s)  # RFC 2822, also two-digit years
    if parsed is not None and re.search(r"\d{1,2}:\d{2}", s):
        y, mo_, d_ = parsed[0], parsed[1], parsed[2]
        return make_date(y, mo_, d_, "metadata", s)
    return None


# --------------------------------------------------------------------------- choice

_RANK: dict[Precision, int] = {"year": 0, "month": 1, "day": 2}


def choose_published(
    *,
    metadata: PublishedDate | None,
    url: PublishedDate | None,
    text: PublishedDate | None,
) -> PublishedDate | None:
    """The publication date to believe: metadata, else URL, else text. A less trusted
    date replaces the chosen one only when it is finer *and* falls inside it (URL
    ``2016-10`` + dateline ``2016-10-13`` → ``2016-10-13``, source ``text``)."""
    best: PublishedDate | None = None
    for cand in (metadata, url, text):
        if cand is None:
            continue
        if best is None:
            best = cand
        elif _RANK[cand.precision] > _RANK[best.precision] and cand.value.startswith(best.value + "-"):
            best = cand
    return best
