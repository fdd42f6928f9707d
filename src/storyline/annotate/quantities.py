"""Quantities: counts with their unit and qualifier ("more than 90 ISIS militants").

:func:`find_quantities` finds numbers written in digits ("4,000", "3.5"), words ("three",
"twenty-five", "two hundred") or vague counts ("dozens", "hundreds", "several"), reads
the qualifier before them and the counted noun after them, and returns one
:class:`Quantity` per count with offsets into the text (``text[start:end] == q.text``).

Conventions (records.md: "more than 90 militants" -> low 91, high null):

=====================  ==========================  =====================================
qualifier              low / high                   example
=====================  ==========================  =====================================
none                   n / n                        "10 buses" -> 10 / 10
more than, over        n+1 / null (integers)        "more than 90" -> 91 / null
at least               n / null                     "at least 25 families" -> 25 / null
up to, as many as,     null / n                     "up to 4,000" -> null / 4000
at most, no more than
fewer/less than        null / n-1                   "fewer than 10" -> null / 9
about, around, some,   n / n, approximate           "about 3,000 troops" -> 3000 / 3000 ~
nearly, almost, ~ ...
between/from n to m,   n / m                        "14-40 years" -> 14 / 40
n-m, n to m
=====================  ==========================  =====================================

Vague counts follow one rule — the plural of a count word means at least two of it and
fewer than the next count word — so every bound is a real lower/upper limit rather than a
point guess (ACLED-style fatality coding picks one conservative number for such words; we
keep the whole interval and let a consumer pick its own point):

=====================  =========  =====================================
words                  low-high   note
=====================  =========  =====================================
a couple (of)          2-2        approximate
a few                  2-5
several                3-9
a handful (of)         3-9
dozens (of)            24-99      two dozen up to "about a hundred"
scores (of)            40-99
hundreds (of)          200-999
thousands (of)         2000-9999
tens of thousands      20000-99999
hundreds of thousands  200000-999999
millions (of)          2000000-null
=====================  =========  =====================================

All of these are ``approximate``. "a dozen" is 12 (approximate), "a hundred" is 100.

Units: the counted noun after the number, singular and lower-case (acronyms keep their
case: "35 SUV" -> ``SUV``), skipping modifiers — group names and acronyms followed by a
noun ("ISIS militants"), capitalised proper adjectives ("Iraqi troops"), adjectives from
a small list ("civilian families", "armoured vehicles") and "-strong" ("a 30,000-strong
force" -> ``force``). "two of their members" -> ``member``. Percentages get ``percent``,
money its currency code (``USD``, ``EUR``, ``GBP``, ``IQD``, ``SYP``) and the amount in
units ("$5 million" -> 5000000). A count with nothing countable after it ("up to 4,000 of
these") has ``unit`` null.

Not quantities: years ("in 2015"), dates ("March 9"), clock times ("5 p.m.", "10:30"),
ordinals ("3rd", "second"), phone numbers, numbers inside words or codes ("F-16", "B52"),
and a bare "one" that is not followed by a noun ("one of the few sources").

Speed: the pattern is tried only at anchors — digit runs, number words found by one
``bytes.translate``/``split`` pass, currency signs — and at up to three qualifier words
before them; about 0.4 ms per 1,000 words of news (0.7 on number-dense financial text).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator

from ..records import Number, Quantity  # noqa: F401  (Quantity re-exported: the record type lives in storyline.records)

__all__ = ["Quantity", "find_quantities", "parse_number"]



# ----------------------------------------------------------------------------- numbers

_UNITS_W = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS_W = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES_W = {
    "dozen": 12,
    "hundred": 100,
    "thousand": 1000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
}

_SMALL = r"(?:" + "|".join(sorted(_UNITS_W, key=len, reverse=True)) + r")"
_TENS = r"(?:" + "|".join(_TENS_W) + r")"
_SCALE = r"(?:hundred|thousand|million|billion|dozen)"
_W1 = rf"(?:{_TENS}(?:[-\s]{_SMALL})?|{_SMALL})"
# "twenty-five", "two hundred", "three thousand five hundred", "a hundred", "two dozen"
_WORD_NUMBER = rf"(?:(?:{_W1}|a)(?:\s+{_SCALE}(?:\s+(?:and\s+)?{_W1})?)+|{_W1})"
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"

_WORD_NUMBER_RE = re.compile(rf"(?i)^{_WORD_NUMBER}$")
_DIGIT_NUMBER_RE = re.compile(rf"({_DIGITS})(?:\s+({_SCALE}))?")


def parse_number(s: str) -> Number | None:
    """Read a number written in digits or English words: "4,000", "3.5", "twenty-five",
    "two hundred", "a dozen", "1.5 million". Returns None when it is not a number."""
    s = s.strip().lower().replace("\u2009", "").replace("\xa0", " ")
    if not s:
        return None
    m = _DIGIT_NUMBER_RE.fullmatch(s)
    if m:
        n = float(m.group(1).replace(",", ""))
        if m.group(2):
            n *= _SCALES_W[m.group(2)]
        return int(n) if n.is_integer() else n
    if s in ("a dozen", "dozen"):
        return 12
    if not _WORD_NUMBER_RE.match(s) or s == "a":
        return None
    total, current = 0, 0
    for tok in re.split(r"[\s-]+", s):
        if tok in ("and",):
            continue
        if tok == "a":
            current = 1
        elif tok in _UNITS_W:
            current += _UNITS_W[tok]
        elif tok in _TENS_W:
            current += _TENS_W[tok]
        elif tok in ("hundred", "dozen"):
            current = max(current, 1) * _SCALES_W[tok]
        elif tok in _SCALES_W:
            total += max(current, 1) * _SCALES_W[tok]
            current = 0
        else:
            return None
    return total + current


# ----------------------------------------------------------------------------- patterns

# vague counts: (low, high) — see the module docstring for the rule behind them
_VAGUE: dict[str, tuple[Number | None, Number | None]] = {
    "a couple of": (2, 2),
    "a couple": (2, 2),
    "a few": (2, 5),
    "several": (3, 9),
    "a handful of": (3, 9),
    "dozens of": (24, 99),
    "dozens": (24, 99),
    "scores of": (40, 99),
    "hundreds of thousands of": (200_000, 999_999),
    "tens of thousands of": (20_000, 99_999),
    "hundreds of": (200, 999),
    "hundreds": (200, 999),
    "thousands of": (2000, 9999),
    "thousands": (2000, 9999),
    "millions of": (2_000_000, None),
    "millions": (2_000_000, None),
}
_VAGUE_RE = "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in sorted(_VAGUE, key=len, reverse=True))

# qualifier -> how it bounds the number n
_QUALIFIERS: dict[str, str] = {
    "more than": "gt",
    "over": "gt",
    "upwards of": "ge",
    "in excess of": "gt",
    "at least": "ge",
    "no fewer than": "ge",
    "no less than": "ge",
    "a minimum of": "ge",
    "up to": "le",
    "as many as": "le",
    "at most": "le",
    "no more than": "le",
    "a maximum of": "le",
    "fewer than": "lt",
    "less than": "lt",
    "under": "lt",
    "about": "approx",
    "around": "approx",
    "approximately": "approx",
    "roughly": "approx",
    "some": "approx",
    "nearly": "approx",
    "almost": "approx",
    "close to": "approx",
    "an estimated": "approx",
    "estimated": "approx",
    "approx.": "approx",
    "circa": "approx",
    "just over": "gt",
    "just under": "lt",
    "well over": "gt",
    "more or less": "approx",
    "an approximate": "approx",
    "~": "approx",
}
_QUAL_RE = "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in sorted(_QUALIFIERS, key=len, reverse=True))

_CURRENCY_SIGNS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP"}
_CURRENCY_WORDS = {
    "dollar": "USD",
    "dollars": "USD",
    "euro": "EUR",
    "euros": "EUR",
    "pound": "GBP",
    "pounds": "GBP",
    "dinar": "IQD",
    "dinars": "IQD",
    "lira": "SYP",
    "liras": "SYP",
    "pounds sterling": "GBP",
}

_NUM = rf"(?:{_DIGITS}(?:\s+{_SCALE}s?)?|(?<![\w-]){_WORD_NUMBER}(?![\w]))"
_QUANTITY_RE = re.compile(
    rf"""
    (?:(?P<qual>{_QUAL_RE})\s+)?
    (?:
        (?P<between>between|from)\s+(?P<b1>{_NUM})\s+(?:and|to)\s+(?P<b2>{_NUM})
      | (?P<vague>(?<![\w-])(?:{_VAGUE_RE}))(?![\w-])
      | (?P<cur>US\$|[$€£])\s?(?P<camt>{_DIGITS}(?:\s*(?:{_SCALE}|bn|m)\b)?)
      | (?P<n1>{_NUM})(?:\s*(?:-|–|to)\s*(?P<n2>{_NUM}))?
    )
    """,
    re.IGNORECASE | re.VERBOSE,
)

# words skipped between a number and its noun ("civilian families", "armoured vehicles");
# _NOUN_ADJECTIVES can also be the noun itself when nothing follows ("90 ISIS militant had")
_NOUN_ADJECTIVES = frozenset(
    """
    civilian militant islamist jihadist extremist terrorist rebel wounded injured dead
    displaced missing suspected
    """.split()
)
_MODIFIERS = _NOUN_ADJECTIVES | frozenset(
    """
    civil military armoured armored armed heavily lightly more other additional new old
    senior junior top high-ranking low-ranking foreign local regional national international
    islamic killed fleeing unarmed young elderly small large heavy light main key total
    further extra recent former current rival government opposition coalition allied enemy
    security police army naval air special elite regular kurdish arab iraqi syrian turkish
    american russian iranian western sunni shiite shia christian yazidi own mostly mainly
    estimated de facto so-called self-styled unidentified unknown
    """.split()
)
_IRREGULAR = {
    "men": "man",
    "women": "woman",
    "children": "child",
    "people": "people",
    "police": "police",
    "personnel": "personnel",
    "feet": "foot",
    "teeth": "tooth",
    "mice": "mouse",
    "geese": "goose",
    "lives": "life",
    "wives": "wife",
    "knives": "knife",
    "halves": "half",
    "leaves": "leaf",
    "thieves": "thief",
    "crises": "crisis",
    "analyses": "analysis",
    "series": "series",
    "species": "species",
    "news": "news",
    "aircraft": "aircraft",
    "staff": "staff",
    "data": "data",
    "media": "media",
    "headquarters": "headquarters",
    "troops": "troop",
    "buses": "bus",
    "busses": "bus",
    "gases": "gas",
    "taxes": "tax",
    "boxes": "box",
    "heroes": "hero",
    "tornadoes": "tornado",
    "volcanoes": "volcano",
    "potatoes": "potato",
}
# words that end the search for a noun
_STOP = frozenset(
    """
    and or to of in on at by for with from as than that which who whom whose when where
    while is are was were be been being has have had will would could should may might
    must can do does did not no a an the this these those it its they them their he she we
    you i per each times time few many most all some other others such both either neither
    """.split()
)
_TIME_WORDS = frozenset(
    """
    a.m p.m am pm o'clock gmt utc hrs january february march april may june july august
    september october november december jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()
)
# one token after the number: a word, or a parenthetical such as "(ISIS)" which is skipped
_TOKEN_RE = re.compile(r"[ \t\xa0]*(?:(?P<paren>\([^()\n]{1,40}\))|(?P<word>[A-Za-z][\w'’.-]*))")
_STRONG_RE = re.compile(r"-(?:strong|man|member|person)\b")
_OF_DET_RE = re.compile(
    r"[\"”’]?\s+of\s+(?:(?P<det>the|their|its|his|her|our|your|them|these|those|whom|which)\b)?", re.I
)
_PERCENT_RE = re.compile(r"\s?(?:%|per\s?cent\b)", re.I)


_VERB_RE = re.compile(r"^[a-z]{3,}(?:ed|ing)$")
_VERBS = frozenset(
    """
    fled left went came died fell ran rose sat stood took gave got made saw told said held
    remain remains arrive arrives flee flees die dies are were was is have had has
    """.split()
)
_SHORT_SCALE_RE = re.compile(r"\s*(?:bn|m)$")


def _singular(word: str) -> str:
    """The singular of a counted noun: lower-case (acronyms keep their case)."""
    if word.isupper() and len(word) > 1:
        # acronyms: "SUVs" is not upper, "SUVS" rare; "ISIS" stays
        return word
    if len(word) > 2 and word[:-1].isupper() and word.endswith("s"):
        return word[:-1]  # "SUVs" -> "SUV", "IEDs" -> "IED"
    low = word.lower()
    if low in _IRREGULAR:
        return _IRREGULAR[low]
    if len(low) > 3 and low.endswith("ies") and low[-4] not in "aeiou":
        return low[:-3] + "y"  # families, casualties
    if low.endswith(("sses", "shes", "ches", "xes", "zzes")):
        return low[:-2]
    if low.endswith(("ss", "us", "is")) or len(low) <= 3:
        return low
    if low.endswith("s"):
        return low[:-1]
    return low


def _find_unit(text: str, pos: int) -> tuple[str | None, int]:
    """The counted noun after ``pos`` (the end of the number) and where the quantity ends.

    Skips capitalised names and acronyms ("ISIS", "Islamic State (ISIS)") and listed
    modifiers up to the first other lower-case word, which is the noun; if a stop word
    comes first, the noun is the first capitalised word seen ("10 Buses and", "35 SUV
    Chevrolet With") or a noun-like modifier ("90 ISIS militant had")."""
    end = pos
    m = _STRONG_RE.match(text, pos)
    if m:
        pos = m.end()
    m = _PERCENT_RE.match(text, pos)
    if m:
        return "percent", m.end()
    m = _OF_DET_RE.match(text, pos)
    if m:
        if (m.group("det") or "").lower() in ("them", "these", "those", "whom", "which"):
            return None, end
        pos = m.end()
    caps: list[tuple[str, int]] = []
    last_mod: tuple[str, int] | None = None
    for _ in range(6):
        t = _TOKEN_RE.match(text, pos)
        if t is None:
            break
        pos = t.end()
        if t.group("paren"):
            continue
        word = t.group("word").rstrip(".'’")
        w_end = t.start("word") + len(word)
        low = word.lower()
        if low in ("percent", "%"):
            return "percent", w_end
        if low in _CURRENCY_WORDS:
            return _CURRENCY_WORDS[low], w_end
        if low in _STOP or low in _TIME_WORDS:
            break
        if word[:1].isupper():
            caps.append((word, w_end))
            continue
        if _VERB_RE.match(low) or low in _VERBS:
            break  # "thousands fled", "90 killed": no noun
        if low in _MODIFIERS:
            last_mod = (word, w_end) if low in _NOUN_ADJECTIVES else None
            continue
        return _singular(word), w_end
        # (unreachable)
    if last_mod is not None:
        return _singular(last_mod[0]), last_mod[1]
    # a run of capitalised words: its last plural ("U.S. Marines", "10 Buses and"), else its
    # first word that is not a modifier ("35 SUV Chevrolet With")
    plural = [c for c in caps if c[0].endswith("s") and not c[0].isupper()]
    if plural:
        return _singular(plural[-1][0]), plural[-1][1]
    for c in caps:
        if c[0].lower() not in _MODIFIERS and "." not in c[0]:
            return _singular(c[0]), c[1]
    return None, end


_YEAR_RE = re.compile(r"^(1[89]\d\d|20\d\d)$")
_MONTH_NAMES = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_BEFORE_DATE_RE = re.compile(rf"(?i)\b(?:{_MONTH_NAMES})\.?\s*$")
_AFTER_DATE_RE = re.compile(rf"(?i)^(?:st|nd|rd|th)?(?:\s+of)?\s+(?:{_MONTH_NAMES})\b")
_TIME_AFTER_RE = re.compile(r"(?i)^(?::\d\d|\s*(?:a\.m\.|p\.m\.|am\b|pm\b|o'clock|gmt\b|utc\b|hrs\b|h\b))")
_ORDINAL_AFTER_RE = re.compile(r"^(?:st|nd|rd|th)\b")
_YEAR_CONTEXT_RE = re.compile(
    r"(?i)\b(?:in|since|of|by|until|till|from|during|before|after|through|early|late|mid|"
    r"fiscal|year|summer|winter|spring|autumn|fall|the)\s*-?$"
)


def _bounds(n: Number, kind: str | None) -> tuple[Number | None, Number | None]:
    is_int = isinstance(n, int)
    if kind == "gt":
        return (n + 1 if is_int else n), None
    if kind == "ge":
        return n, None
    if kind == "le":
        return None, n
    if kind == "lt":
        return None, (n - 1 if is_int else n)
    return n, n


def _qualifier(m: re.Match[str]) -> tuple[str | None, str | None]:
    """(qualifier words normalised, bound kind) of a match."""
    q = m.group("qual")
    if not q:
        return None, None
    words = " ".join(q.lower().split())
    return words, _QUALIFIERS.get(words)


def _is_date_or_time(text: str, n_start: int, n_end: int) -> bool:
    before = text[max(0, n_start - 12) : n_start]
    after = text[n_end : n_end + 16]
    return bool(
        _BEFORE_DATE_RE.search(before)  # "March 9"
        or _AFTER_DATE_RE.match(after)  # "9 March", "9th of March"
        or _TIME_AFTER_RE.match(after)  # "5 p.m.", "10:30"
        or _ORDINAL_AFTER_RE.match(after)  # "3rd"
        or _is_phone(text, n_start, n_end)
    )


_PHONE_SPAN_RE = re.compile(r"[\d\s().+-]*")


def _is_phone(text: str, n_start: int, n_end: int) -> bool:
    """Digits in a run of digit groups, spaces, dashes and brackets holding 7+ digits."""
    lo = max(0, n_start - 20)
    left = text[lo:n_start]
    k = len(left)
    while k > 0 and (left[k - 1].isdigit() or left[k - 1] in " ().+-"):
        k -= 1
    m = _PHONE_SPAN_RE.match(text, n_end, n_end + 20)
    run = left[k:] + text[n_start : m.end() if m else n_end]
    groups = [g for g in re.split(r"[\s().+-]+", run) if g]
    return sum(len(g) for g in groups) >= 7 and len(groups) >= 2 and all(g.isdigit() for g in groups)


_BYTE_PUNCT = bytes(32 if chr(i) in string.punctuation else i for i in range(256))
# words a count can be written with, and words a qualifier can start with
_NUMBER_TRIGGERS = frozenset(
    w.encode()
    for w in list(_UNITS_W)
    + list(_TENS_W)
    + "hundred thousand million billion dozen dozens several few handful "
    "couple scores hundreds thousands millions tens".split()
)
_QUAL_WORDS = frozenset(
    w for k in list(_QUALIFIERS) + list(_VAGUE) + ["between", "from"] for w in k.split()
) - {"of"}
_DIGIT_RUN = re.compile(rb"\d+")
_ALPHA = [chr(b).isalpha() for b in range(128)] + [False] * 128


def _anchors(text: str, lowered: str) -> list[int]:
    """Where a count may be: digit runs, number words, currency signs (sorted)."""
    ab = lowered.encode("ascii", "replace")  # one byte per character: offsets carry over
    out = [m.start() for m in _DIGIT_RUN.finditer(ab)]
    n = len(text)
    for wb in _NUMBER_TRIGGERS.intersection(ab.translate(_BYTE_PUNCT).split()):
        i = ab.find(wb)
        while i >= 0:
            j = i + len(wb)
            if (i == 0 or not _ALPHA[ab[i - 1]]) and (j >= n or not _ALPHA[ab[j]]):
                out.append(i)
            i = ab.find(wb, j)
    for sign in "$€£":
        i = text.find(sign)
        while i >= 0:
            out.append(i)
            i = text.find(sign, i + 1)
    out.sort()
    return out


def words_before(spaced: str, i: int, limit: int, window: int) -> Iterator[int]:
    """Starts of up to ``limit`` words before position ``i``, nearest first, looking back at
    most ``window`` characters (``spaced``: the text with newlines and tabs as spaces). The
    walk-back shared by quantity qualifiers and time-expression rules."""
    lo = max(0, i - window)
    k = i
    for _ in range(limit):
        k -= 1
        while k >= lo and spaced[k] == " ":
            k -= 1
        if k < lo:
            return
        r = spaced.rfind(" ", lo, k)
        if r < 0 and lo > 0:
            return
        k = r + 1
        yield k


def _qualifier_starts(spaced: str, i: int) -> list[int]:
    """``i`` and, farthest first, the starts of up to 3 words before it that may begin a
    qualifier ("more than", "at least", "between", "an estimated")."""
    out = [i]
    for k in words_before(spaced, i, 3, 40):
        word = spaced[k : spaced.find(" ", k, i) if spaced.find(" ", k, i) >= 0 else i].strip(".,;:\"“”'’(")
        if word not in _QUAL_WORDS:
            break
        out.append(k)
    out.reverse()
    return out


def _matches(text: str) -> list[re.Match[str]]:
    """Non-overlapping quantity matches, tried only at anchors (a whole-text scan with the
    quantity pattern costs ~20x more)."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    spaced = lowered.replace("\n", " ").replace("\t", " ")
    out: list[re.Match[str]] = []
    last_end = 0
    for a in _anchors(text, lowered):
        if a < last_end:
            continue
        for s in _qualifier_starts(spaced, a):
            if s < last_end:
                continue
            m = _QUANTITY_RE.match(text, s)
            if m is not None and m.start() <= a < m.end():
                out.append(m)
                last_end = m.end()
                break
    return out


def find_quantities(text: str) -> list[Quantity]:
    """Every count in ``text`` with its bounds, unit and qualifier (see the module docstring)."""
    out: list[Quantity] = []
    for m in _matches(text):
        start, end = m.start(), m.end()
        # never start or end inside a word, a code or a longer number ("F-16", "B52", "1.2.3")
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_-/.,:@#"):
            continue
        if end < len(text) and (
            text[end].isalnum() or (text[end] in ",./:" and text[end + 1 : end + 2].isdigit())
        ):
            continue
        qualifier, bound = _qualifier(m)
        approximate = bound == "approx"
        low: Number | None
        high: Number | None
        unit: str | None
        if m.group("vague"):
            key = " ".join(m.group("vague").lower().split())
            low, high = _VAGUE[key]
            if bound in ("gt", "ge"):
                high = None
            elif bound in ("lt", "le"):
                low = None
            unit, end = _find_unit(text, end)
            qualifier = f"{qualifier} {key}" if qualifier else key
            approximate = True
        elif m.group("cur"):
            camt = m.group("camt")
            short = _SHORT_SCALE_RE.search(camt)
            if short:
                camt = camt[: short.start()] + (" billion" if "b" in short.group() else " million")
            amount = parse_number(camt)
            if amount is None:
                continue
            low, high = _bounds(amount, bound)
            unit = _CURRENCY_SIGNS[m.group("cur").upper()]
        elif m.group("between"):
            low, high = parse_number(m.group("b1")), parse_number(m.group("b2"))
            if low is None or high is None or low >= high:
                continue
            unit, end = _find_unit(text, end)
            qualifier = (
                f"{qualifier} {m.group('between').lower()}" if qualifier else m.group("between").lower()
            )
        else:
            n1, n2 = m.group("n1"), m.group("n2")
            a = parse_number(n1)
            if a is None:
                continue
            is_words = not n1[:1].isdigit()
            if not is_words and _is_date_or_time(text, m.start("n1"), m.end("n1")):
                continue
            b = parse_number(n2) if n2 else None
            if n2 and (b is None or b <= a or (not is_words and _is_date_or_time(text, m.start("n2"), end))):
                end, b = m.end("n1"), None  # "1998-99", "9-11": keep the first number only
            unit, end = _find_unit(text, end)
            if is_words and a == 1 and unit is None:
                continue  # "one of the few sources", "no one"
            approximate = approximate or "dozen" in n1.lower()
            digits = n1.replace(",", "")
            if b is None and not is_words and _YEAR_RE.match(digits):
                # a year unless a plain count noun follows: "in 2015" no, "2000 troops" yes
                if (
                    unit is None
                    or unit[:1].isupper()
                    or _YEAR_CONTEXT_RE.search(text[max(0, start - 14) : start])
                ):
                    continue
            if b is not None:
                low, high = a, b
            else:
                low, high = _bounds(a, bound)
        out.append(Quantity(start, end, text[start:end], low, high, unit, qualifier, approximate))
    return out
