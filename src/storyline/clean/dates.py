"""Publication dates: read from a URL, a metadata value or a line of text, then chosen.

Every reader returns a :class:`~storyline.types.PublishedDate` cut to the precision the
source really gives (``2017-03-09`` day, ``2016-10`` month, ``2017`` year) or ``None``;
none of them guesses a missing day. Dates are validated: a real calendar day, a year from
1990 to next year.

URL dates: htmldate's ``extract_url_date`` only reads ``YYYY/MM/DD`` (and needs its
``Extractor`` options object), so the same rule is written here next to the month-level
(``/2016/10/``), compact (``20170309``), month-name (``/2017/mar/09/``) forms and a small
table of site-specific patterns, kept as data in :data:`SITE_URL_PATTERNS`.

Page text (:func:`date_in_page_text`): the day written in a page's header, byline or title,
in the notations of many languages ("17. März 2020", "2020년 3월 4일", "12 июля 2020",
``17/03/2020``), used by :mod:`storyline.clean.pagedates`. Its month names are kept apart
from :data:`MONTH_RE`, which reads English running text.

Choice (:func:`choose_published`): trust metadata, then the URL, then the text. A less
trusted source may only *refine* the chosen date: when it is finer and agrees with it
(``2016-10`` from the URL, ``2016-10-13`` from a dateline) the finer one wins; when they
disagree the trusted one stays. Except: a UTC timestamp in the metadata yields to a URL day
(or, without one, a shown day) one day before or after it — that is the outlet's local day
(issue 11: 26 of 64 wrong dates on real pages were one day off).
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
    "date_in_page_text",
    "is_utc_timestamp",
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


# --------------------------------------------------------------------------- page text

# Month names of the languages most common in news pages, for dates shown in a page's header
# or byline ("17. März 2020", "3 de março de 2020", "12 июля 2020"). Kept apart from the
# English table: short words like "mai", "mart" or "mei" are no months in English text.
# fmt: off
_WORLD_MONTHS: tuple[tuple[str, ...], ...] = (
    ("janvier", "januar", "jänner", "enero", "janeiro", "gennaio", "januari", "января", "январь", "ocak",
     "ianuarie", "stycznia", "січня", "jan."),
    ("février", "fevrier", "februar", "febrero", "fevereiro", "febbraio", "februari", "февраля", "февраль",
     "şubat", "subat", "februarie", "lutego", "лютого"),
    ("mars", "märz", "maerz", "marzo", "março", "marco", "maart", "maret", "марта", "март", "mart", "martie",
     "marca", "березня"),
    ("avril", "abril", "aprile", "апреля", "апрель", "nisan", "aprilie", "kwietnia", "квітня"),
    ("mai", "mayo", "maio", "maggio", "mei", "мая", "май", "mayıs", "mayis", "maja", "травня"),
    ("juin", "juni", "junio", "junho", "giugno", "июня", "июнь", "haziran", "iunie", "czerwca", "червня"),
    ("juillet", "juli", "julio", "julho", "luglio", "июля", "июль", "temmuz", "iulie", "lipca", "липня"),
    ("août", "aout", "agosto", "augustus", "agustus", "августа", "август", "ağustos", "agustos", "sierpnia",
     "серпня"),
    ("septembre", "septiembre", "setiembre", "setembro", "settembre", "сентября", "сентябрь", "eylül", "eylul",
     "septembrie", "września", "wrzesnia", "вересня"),
    ("octobre", "oktober", "octubre", "outubro", "ottobre", "октября", "октябрь", "ekim", "octombrie",
     "października", "pazdziernika", "жовтня"),
    ("novembre", "noviembre", "novembro", "ноября", "ноябрь", "kasım", "kasim", "noiembrie", "listopada",
     "листопада", "nopember"),
    ("décembre", "decembre", "dezember", "diciembre", "dezembro", "dicembre", "desember", "декабря", "декабрь",
     "aralık", "aralik", "decembrie", "grudnia", "грудня"),
)
# fmt: on
_PAGE_MONTHS: dict[str, int] = dict(_MONTHS)
for _i, _names in enumerate(_WORLD_MONTHS, start=1):
    for _n in _names:
        _PAGE_MONTHS.setdefault(_n.rstrip("."), _i)
_PAGE_MONTH_RE = "|".join(sorted((re.escape(m) for m in _PAGE_MONTHS), key=len, reverse=True))
_PAGE_DATE = re.compile(
    rf"(?<![\w])(?:{_WEEKDAY})?(?:"
    # English and other month-first forms: "August 17, 2016", "Aug. 17 2016"
    rf"(?P<mon1>{_PAGE_MONTH_RE})\.?\s+(?P<d1>[0-3]?\d){_ORD},?\s+(?P<y1>{_YEAR})"
    # day-first with a month word: "17 August 2016", "17. März 2020", "3 de março de 2020"
    rf"|(?P<d2>[0-3]?\d)(?:{_ORD}|\.)?\s*(?:of\s+|de\s+)?(?P<mon2>{_PAGE_MONTH_RE})\.?,?\s*"
    rf"(?:de\s+)?(?P<y2>{_YEAR})"
    # CJK: 2020年7月3日, 2020년 3월 4일
    r"|(?P<y6>(?:19|20)\d{2})\s*[年년]\s*(?P<m6>[01]?\d)\s*[月월]\s*(?P<d6>[0-3]?\d)\s*[日일]?"
    # ISO-like: 2020-03-04, 2020/03/04, 2020.03.04, "2020. 3. 4."
    rf"|(?P<y3>{_YEAR})(?P<sep3>-|/|\.\s?)(?P<m3>[01]?\d)(?P=sep3)(?P<d3>[0-3]?\d)(?![0-9]|\s?[-–~]\s?\d)"
    # numeric with the year last: 17.03.2020, 17/03/2020, 03-17-2020
    rf"|(?P<a4>[0-3]?\d)(?P<sep4>[./-])(?P<b4>[0-3]?\d)(?P=sep4)(?P<y4>{_YEAR})(?![0-9])"
    r")(?![\w])",
    re.I,
)


def date_in_page_text(
    text: str, *, day_first: bool | None = True, source: DateSource = "text"
) -> PublishedDate | None:
    """The first complete day written in a line of a page's header, byline or title, in any
    of the notations news sites use ("By Susan Jones | August 17, 2016", "17/03/2020",
    "2020년 3월 4일", "12 июля 2020"). ``day_first`` reads ``03/04/2020`` as 3 April (the
    page is not in US English), ``False`` as March 4, ``None`` not at all; an unambiguous
    order (``17/03/2020``) is read as it is.
    Only days: a month or a year alone is not a publication date here."""
    if not text:
        return None
    for m in _PAGE_DATE.finditer(text[:1000]):
        g = m.group
        ev = m.group(0).strip()
        day: PublishedDate | None = None
        if g("y1") or g("y2"):
            word = (g("mon1") or g("mon2")).lower().rstrip(".")
            mo = _PAGE_MONTHS.get(word)
            d = int(g("d1") or g("d2"))
            day = make_date(int(g("y1") or g("y2")), mo, d, source, ev) if mo else None
        elif g("y6"):
            day = make_date(int(g("y6")), int(g("m6")), int(g("d6")), source, ev)
        elif g("y3"):
            day = make_date(int(g("y3")), int(g("m3")), int(g("d3")), source, ev)
        elif g("y4"):
            a, b, y = int(g("a4")), int(g("b4")), int(g("y4"))
            if g("sep4") == "." or a > 12 >= b or (a == b) or (b <= 12 and day_first):
                day = make_date(y, b, a, source, ev)
            elif b > 12 >= a or (a <= 12 and day_first is False):
                day = make_date(y, a, b, source, ev)
            # else: 03/04/2020 on a page of unknown English: March or April? Not read.
        if day is not None and day.precision == "day":
            return day
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
    ``2016-10`` + dateline ``2016-10-13`` → ``2016-10-13``, source ``text``).

    One exception: a metadata timestamp in UTC (``2023-11-09T01:49:09Z``) names the day in
    Greenwich, not where the outlet is, and one without a zone (``2019-11-20T01:53:14``) may
    be either; when the URL (``/2023/11/08/``) or, without a URL day, the date the page shows
    names the day before or after, that local day wins. A timestamp with the outlet's own
    offset (``+05:30``) is its local day already and stays.
    """
    if metadata is not None and is_utc_timestamp(metadata.evidence):
        for local in (url, text):
            if local is not None and _one_day_apart(metadata, local):
                metadata = None
                break
            if local is not None and local.precision == "day":
                break  # the URL agrees (or names another day): keep the metadata
    best: PublishedDate | None = None
    for cand in (metadata, url, text):
        if cand is None:
            continue
        if best is None:
            best = cand
        elif _RANK[cand.precision] > _RANK[best.precision] and cand.value.startswith(best.value + "-"):
            best = cand
    return best


_CLOCK_RE = re.compile(
    r"\d[T ]\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?P<zone>\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})?)", re.I
)
_LOCAL_ZONE_RE = re.compile(r"[+-](?!00:?00)\d{2}:?\d{2}")


def is_utc_timestamp(evidence: str) -> bool:
    """A date and time in UTC, or with no zone at all (``2019-11-20T01:53:14``), not one
    with the outlet's own offset."""
    m = _CLOCK_RE.search(evidence or "")
    return m is not None and not _LOCAL_ZONE_RE.search(m.group("zone"))


def _one_day_apart(a: PublishedDate, b: PublishedDate) -> bool:
    if a.precision != "day" or b.precision != "day":
        return False
    da, db = _dt.date.fromisoformat(a.value), _dt.date.fromisoformat(b.value)
    return abs((da - db).days) == 1
