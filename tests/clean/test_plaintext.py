"""clean_plaintext on the five sample articles and on synthetic cases modelled on other
real formats (wire datelines, bylines, footers). Offsets are checked everywhere."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.clean.plaintext import clean_plaintext
from storyline.types import Cleaned

SAMPLE = Path(__file__).parents[2] / "src/storyline/data/sample"


@cache
def _raw(prefix: str) -> str:
    (path,) = SAMPLE.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


@cache
def _clean(prefix: str) -> Cleaned:
    return clean_plaintext(_raw(prefix))


def _squash(s: str) -> str:
    # the byte-order mark counts as blank (the cleaner trims it like whitespace)
    return " ".join(s.replace("\ufeff", " ").split())


def check_accounting(raw: str, c: Cleaned) -> None:
    """Every removal points into raw; removals do not overlap; what is neither removed nor
    blank is exactly the body (nothing silently lost, nothing invented)."""
    spans: list[tuple[int, int]] = []
    for r in c.removed:
        assert r.start is not None and r.end is not None
        assert raw[r.start : r.end] == r.text, r
        assert r.text.strip(), r
        spans.append((r.start, r.end))
    spans.sort()
    for (_, e1), (s2, _) in zip(spans, spans[1:]):
        assert e1 <= s2, spans
    rest, pos = [], 0
    for s, e in spans:
        rest.append(raw[pos:s])
        pos = e
    rest.append(raw[pos:])
    assert _squash(" ".join(rest)) == _squash(c.text)
    assert "\u00a0" not in c.text and "\u202f" not in c.text
    assert c.text == c.text.strip()
    assert all(line == line.rstrip() for line in c.text.split("\n"))


def reasons(c: Cleaned) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in c.removed:
        out.setdefault(r.reason, []).append(_squash(r.text))
    return out


def removed_with(c: Cleaned, needle: str) -> list[str]:
    return [r.reason for r in c.removed if needle in _squash(r.text)]


# --------------------------------------------------------------------------- samples

PREFIXES = ["000", "001", "002", "003", "004"]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_sample_accounting(prefix: str) -> None:
    check_accounting(_raw(prefix), _clean(prefix))


@pytest.mark.parametrize("prefix", PREFIXES)
def test_sample_keeps_every_story_sentence(prefix: str) -> None:
    """A paragraph of the real body (long prose) is never removed: every removal is short
    and no long sentence-ending paragraph of the input is missing from the text."""
    raw, c = _raw(prefix), _clean(prefix)
    body = _squash(c.text)
    for para in re.split(r"\n\s*\n", raw):
        p = _squash(para)
        if len(p.split()) >= 12 and p[-1] in ".”\"’" and "(Youtube)" not in p and "File photo" not in p:
            # a dateline may have been cut from the front
            assert p in body or p.split("–", 1)[-1].strip() in body or p.split("—", 1)[-1] in body, p
    for r in c.removed:
        if r.reason != "caption":
            assert len(r.text) < 200, r


def test_000_rudaw() -> None:
    c = _clean("000")
    assert c.title == "Convoy of ISIS Iraqi vehicles reportedly arrives in Raqqa"
    assert c.dateline == "ERBIL, Kurdistan Region"
    assert c.text.startswith("A convoy of vehicles carrying Islamic State (ISIS) militants")
    assert c.text.endswith("by the Committee to Protect Journalists.")
    assert c.published is None  # "on Thursday" is no date
    assert set(reasons(c)) == {"title", "dateline"}


def test_001_breitbart_caption_is_not_dateline_or_date() -> None:
    c = _clean("001")
    assert c.title == "Reports: Islamic State Leaders Moving Out of Raqqa as Marines Inch Closer"
    assert c.dateline is None
    assert c.published is None
    assert any(cap.startswith("MOSUL, IRAQ - NOVEMBER 22:") for cap in c.captions)
    assert "MOSUL, IRAQ" not in c.text and "NOVEMBER 22" not in c.text
    r = reasons(c)
    assert r["photo_credit"] == ["Hamit Huseyin/Anadolu Agency/Getty Images"]
    assert r["comment_form"] == ["Please let us know if you're having issues with commenting."]
    assert c.text.startswith("Watchdog groups and U.S. government officials say")
    assert c.text.endswith("Libya, Afghanistan, Nigeria, and the Philippines.")
    # story sentences that mention outlets stay
    assert "the official told reporters." in c.text


def test_002_ara_news() -> None:
    c = _clean("002")
    assert c.title == "ISIS fighters flee to Syria through unofficial Mosul-Raqqa road"
    assert c.captions == ["ISIS convoy approaching Syria's Jarablus. File photo"]
    assert c.credit == "ARA News"
    assert c.byline == "Ahmed Shiwesh & Wladimir van Wilgenburg"
    assert c.dateline == "Mosul"
    assert c.text.startswith("Hundreds of Islamic State (ISIS) militants have escaped")
    assert c.text.endswith("cut the road between Raqqa and Mosul.")
    assert removed_with(c, "Reporting by:") == ["byline"]
    assert removed_with(c, "Source: ARA News") == ["credit"]
    assert removed_with(c, "Leave a Reply") == ["comment_form"]
    assert removed_with(c, "Your email address will not be published") == ["comment_form"]
    assert removed_with(c, "seventeen") == ["captcha"]
    assert "ARA News" not in c.text.split("\n\n")[0]
    assert "Local sources told ARA News that more than 90 ISIS militant" in c.text
    assert c.published is None


def test_003_ara_news_footer() -> None:
    c = _clean("003")
    assert c.dateline == "HASAKAH"
    assert c.byline == "Qehreman Miste"
    assert c.credit == "ARA News"
    assert len(c.captions) == 1 and c.captions[0].endswith("File photo")
    assert c.text.startswith("As the battle for Raqqa approaches")
    assert c.text.endswith("in both Syria and Iraq.")
    assert removed_with(c, "follow us on Twitter") == ["share_line"]
    assert removed_with(c, "Short link") == ["short_link"]
    assert removed_with(c, "Leave a comment") == ["comment_form"]
    assert removed_with(c, "ten + one") == ["captcha"]
    assert removed_with(c, "Reporting by") == ["byline"]
    assert removed_with(c, "Source: ARA News") == ["credit"]
    # a quote-only paragraph of the story stays
    assert "“ISIS imposes conscription on men aged between 14-40 years,” Abdullah said." in c.text


def test_004_blog_repeated_captions() -> None:
    c = _clean("004")
    assert c.title == "Raqqa: ISIS leaders running away as Marines close in on city"
    assert c.dateline is None
    assert "(Youtube)" not in c.text
    assert len(removed_with(c, "ISIS honchos bailing on Raqqa")) == 2
    assert all(r.reason == "caption" for r in c.removed if "Every breath" in r.text)
    assert len([r for r in c.removed if "Every breath" in r.text]) == 2
    # short lines of the story stay
    assert "\n\nAs reported;\n\n" in c.text
    assert "aren’t the only ones bugging out;" in c.text
    assert "the Breitbart.com news portal notes" in c.text


def test_paragraphs_are_blank_line_separated() -> None:
    c = _clean("003")
    paras = c.text.split("\n\n")
    assert all(p and "\n" not in p for p in paras)
    assert len(paras) == 14


# --------------------------------------------------------------------------- synthetic

REUTERS = """Syrian forces advance on Raqqa

By Tom Perry and Ellen Francis

BEIRUT (Reuters) - Syrian government forces advanced on Thursday toward the Islamic State stronghold of Raqqa, a monitoring group said.

"We will not stop."

The advance comes as U.S.-backed forces close in, the Syrian Observatory for Human Rights said on Twitter.

RBSS, which posts updates on Twitter and asks readers to follow its reporters, said the convoy left at dawn.

(Reporting by Tom Perry in Beirut; Additional reporting by Ellen Francis; Editing by Alison Williams)

© Thomson Reuters 2017 All rights reserved.
"""


def test_reuters_wire() -> None:
    c = clean_plaintext(REUTERS)
    check_accounting(REUTERS, c)
    assert c.title == "Syrian forces advance on Raqqa"
    assert c.byline == "Tom Perry and Ellen Francis"
    assert c.dateline == "BEIRUT"
    assert c.credit == "Reuters"
    assert c.published is None
    assert c.text.startswith("Syrian government forces advanced on Thursday")
    assert '\n\n"We will not stop."\n\n' in c.text  # a quote-only paragraph stays
    assert "said on Twitter." in c.text  # a story sentence mentioning Twitter stays
    assert "asks readers to follow its reporters" in c.text
    assert removed_with(c, "Editing by Alison Williams") == ["byline"]
    assert removed_with(c, "All rights reserved") == ["footer"]


def test_ap_dateline_without_year_gives_no_date() -> None:
    raw = (
        "BEIRUT, March 9 (AP) — Islamic State militants are leaving Raqqa, activists said Thursday.\n\n"
        "Copyright 2017 The Associated Press. All rights reserved. This material may not be published, "
        "broadcast, rewritten or redistributed."
    )
    c = clean_plaintext(raw)
    check_accounting(raw, c)
    assert c.dateline == "BEIRUT"
    assert c.credit == "AP"
    assert c.published is None
    assert c.text == "Islamic State militants are leaving Raqqa, activists said Thursday."
    assert reasons(c)["footer"]


def test_dateline_with_full_date_gives_published() -> None:
    raw = "LONDON, 9 March 2017 — Britain said on Thursday it would send more troops to the region.\n"
    c = clean_plaintext(raw)
    check_accounting(raw, c)
    assert c.dateline == "LONDON"
    assert c.published is not None
    assert (c.published.value, c.published.precision, c.published.source) == ("2017-03-09", "day", "text")
    assert c.text.startswith("Britain said")


@pytest.mark.parametrize(
    ("raw", "dateline"),
    [
        ("WASHINGTON (Reuters) - The Pentagon said on Thursday it had sent more troops to Syria.", "WASHINGTON"),
        ("KABUL, Afghanistan (AP) — A suicide bomber struck a crowd on Thursday, officials said.", "KABUL, Afghanistan"),
        ("DUBAI, United Arab Emirates: Officials said on Thursday that flights had resumed.", "DUBAI, United Arab Emirates"),
        ("Raqqa – Residents said on Thursday that the militants had left the city overnight.", "Raqqa"),
        ("DEIR EZ-ZOR, Syria — Militants fled the city on Thursday, residents said by phone.", "DEIR EZ-ZOR, Syria"),
        ("Beirut (AFP) - Syrian troops advanced on Thursday, a monitor said.", "Beirut"),
        ("ISTANBUL/BEIRUT (Reuters) - Turkey said on Thursday it would act.", "ISTANBUL/BEIRUT"),
        ("QAMISHLI, Syria, Oct 12 (Reuters) - Kurdish forces said on Thursday they had advanced.", "QAMISHLI, Syria"),
    ],
)
def test_dateline_styles(raw: str, dateline: str) -> None:
    c = clean_plaintext(raw)
    check_accounting(raw, c)
    assert c.dateline == dateline
    assert c.text[0].isupper()


@pytest.mark.parametrize(
    "raw",
    [
        "Meanwhile – The fighting continued on Thursday in several districts of the city, residents said.",
        "ISIS — The group lost more ground on Thursday as forces advanced on several fronts, officials said.",
        "Update: The ministry said on Thursday that the road had been reopened to civilian traffic.",
        "BUSTED: Emails Reveal What The Aide Said To The Reporter About The Attack On Thursday.",
        "Mosul is Iraq's second city – Hundreds of thousands still live there, aid groups said on Thursday.",
        "“Daesh is on the run” – that is what the official told reporters at the Pentagon on Wednesday.",
    ],
)
def test_not_a_dateline(raw: str) -> None:
    c = clean_plaintext(raw)
    assert c.dateline is None
    assert c.text == raw


def test_cnn_lead_credit() -> None:
    raw = "(CNN)The Islamic State lost ground on Thursday, officials said."
    c = clean_plaintext(raw)
    check_accounting(raw, c)
    assert c.credit == "CNN" and c.dateline is None
    assert c.text == "The Islamic State lost ground on Thursday, officials said."
    assert reasons(c) == {"credit": ["(CNN)"]}


def test_lone_date_line_under_title() -> None:
    raw = "Headline about the army\n\nOctober 12, 2017\n\nThe army said on Thursday it had retaken the town.\n"
    c = clean_plaintext(raw)
    check_accounting(raw, c)
    assert c.title == "Headline about the army"
    assert c.published is not None and c.published.value == "2017-10-12"
    assert reasons(c)["published_line"] == ["October 12, 2017"]


def test_lookalikes_stay() -> None:
    """Parentheses, repeats and short lines that only look like boilerplate."""
    raw = (
        "Die elektronische Patientenakte (ePA)\n\n"
        "The ministry plans a register of all patients by next year, officials said on Monday.\n\n"
        "Pos Driver Points\n1\n1\n"
    )
    c = clean_plaintext(raw)
    check_accounting(raw, c)
    assert "Die elektronische Patientenakte (ePA)" not in c.captions
    assert c.text.endswith("Pos Driver Points\n\n1\n\n1")


def test_getty_caption_never_gives_dateline() -> None:
    raw = (
        "RAQQA, SYRIA - JUNE 12: Fighters walk through the old city. (Photo by Jane Doe/Getty Images)\n\n"
        "Fighters of the Syrian Democratic Forces entered the old city of Raqqa on Thursday, the group said.\n"
    )
    c = clean_plaintext(raw)
    check_accounting(raw, c)
    assert c.dateline is None and c.published is None
    assert c.captions and c.captions[0].startswith("RAQQA, SYRIA - JUNE 12:")
    assert c.text.startswith("Fighters of the Syrian Democratic Forces")


def test_caption_above_photo_credit() -> None:
    raw = (
        "A displaced family waits at a checkpoint near Raqqa.\nDelil Souleiman/AFP via Getty Images\n\n"
        "Residents of Raqqa continued to flee the city on Thursday, according to activists.\n\nPhoto: Reuters\n"
    )
    c = clean_plaintext(raw)
    check_accounting(raw, c)
    assert c.captions == ["A displaced family waits at a checkpoint near Raqqa."]
    assert removed_with(c, "Delil Souleiman") == ["photo_credit"]
    assert removed_with(c, "Photo: Reuters") == ["photo_credit"]
    assert c.text == "Residents of Raqqa continued to flee the city on Thursday, according to activists."


def test_published_lines() -> None:
    raw = (
        "Islamic State leaders flee Raqqa\n\n"
        "Published: Thursday, March 9, 2017 10:31 AM\nUpdated: March 10, 2017\n\n"
        "Islamic State leaders have fled the Syrian city of Raqqa, officials said on Thursday.\n\n"
        "Share this:\nTwitter\nFacebook\nLike this:\nLike Loading...\n"
    )
    c = clean_plaintext(raw)
    check_accounting(raw, c)
    assert c.published is not None and c.published.value == "2017-03-09"
    assert c.published.source == "text" and "Published" in c.published.evidence
    assert reasons(c)["published_line"] == ["Published: Thursday, March 9, 2017 10:31 AM", "Updated: March 10, 2017"]
    assert len(reasons(c)["share_line"]) == 5
    assert c.text == "Islamic State leaders have fled the Syrian city of Raqqa, officials said on Thursday."


def test_updated_sentence_is_not_a_date_line() -> None:
    raw = "Title of the piece\n\nUpdated figures show 300 people died in the fighting, the monitor said.\n"
    c = clean_plaintext(raw)
    assert c.text == "Updated figures show 300 people died in the fighting, the monitor said."
    assert c.published is None


def test_byline_with_outlet_and_date() -> None:
    raw = (
        "Headline about the army\n\nBy JOHN SMITH, Associated Press | March 9, 2017\n\n"
        "Syrian state media said on Thursday that the army had retaken several villages near Palmyra.\n"
    )
    c = clean_plaintext(raw)
    check_accounting(raw, c)
    assert c.byline == "JOHN SMITH"
    assert c.credit == "Associated Press"
    assert c.published is not None and c.published.value == "2017-03-09"


def test_byline_label_and_title_case_headline_with_period() -> None:
    raw = (
        "Stealth Over Health: Clinton Was Headed to Hospital But Diverted to Avoid Bad Optics.\n\n"
        "BYLINE: Amber Phillips.\n\n"
        "The campaign said on Sunday that the candidate had felt overheated at the memorial event.\n"
    )
    c = clean_plaintext(raw)
    check_accounting(raw, c)
    assert c.title is not None and c.title.startswith("Stealth Over Health")
    assert c.byline == "Amber Phillips"
    assert c.text.startswith("The campaign said on Sunday")


def test_sentence_case_first_paragraph_is_not_a_title() -> None:
    raw = "Militants fled the city on Thursday.\n\nThe army entered the old town at dawn, officials said.\n"
    c = clean_plaintext(raw)
    assert c.title is None
    assert c.text.startswith("Militants fled the city on Thursday.")


def test_by_sentence_is_not_a_byline() -> None:
    raw = (
        "Headline\n\nThe convoy left Raqqa at dawn and headed east along the river road, witnesses said.\n\n"
        "By the end of the day, the convoy had gone.\n"
    )
    c = clean_plaintext(raw)
    assert c.byline is None
    assert c.text.endswith("By the end of the day, the convoy had gone.")


def test_footers_and_follow_lines() -> None:
    raw = (
        "Fighters left the city on Thursday, residents said, as the offensive drew closer to its centre.\n\n"
        "“It is over.”\n\n"
        "Follow us on Twitter @example for more news.\n\n"
        "Sign up for our daily newsletter\n\n"
        "Copyright 2017 Example Media. All rights reserved.\n"
    )
    c = clean_plaintext(raw)
    check_accounting(raw, c)
    assert c.text.endswith("“It is over.”")
    assert reasons(c)["share_line"] == ["Follow us on Twitter @example for more news."]
    assert reasons(c)["prompt"] == ["Sign up for our daily newsletter"]
    assert len(reasons(c)["footer"]) == 1


@pytest.mark.parametrize(
    "line",
    ["seventeen − two =", "ten + one =", "3 × 4 =", "twenty-one - 4 = ?", "five plus _ = 9", "8 + 2 ="],
)
def test_captchas(line: str) -> None:
    raw = f"Fighters left the city on Thursday, residents said, as the offensive drew closer.\n\n{line}\n"
    c = clean_plaintext(raw)
    assert removed_with(c, line) == ["captcha"]


def test_hard_wrapped_paragraph_is_kept_whole() -> None:
    raw = (
        "WASHINGTON, D.C. -- The Pentagon said on Thursday that it had sent more\n"
        "troops to Syria, in a move that officials described as temporary\nand limited.\n\n"
        "Officials declined to say how many.\n"
    )
    c = clean_plaintext(raw)
    check_accounting(raw, c)
    assert c.dateline == "WASHINGTON, D.C."
    assert c.text.split("\n\n") == [
        "The Pentagon said on Thursday that it had sent more\ntroops to Syria, in a move that officials"
        " described as temporary\nand limited.",
        "Officials declined to say how many.",
    ]


def test_one_line_per_paragraph_input() -> None:
    raw = "First paragraph of the story ends here.\nSecond paragraph starts here and ends.\n"
    c = clean_plaintext(raw)
    assert c.text == "First paragraph of the story ends here.\n\nSecond paragraph starts here and ends."


def test_crlf_and_nbsp() -> None:
    raw = "Headline\r\n\r\nMosul\u00a0–\u00a0Hundreds of\u00a0militants fled west, officials said on Tuesday.\u00a0\r\n"
    c = clean_plaintext(raw)
    check_accounting(raw, c)
    assert c.title == "Headline"
    assert c.dateline == "Mosul"
    assert c.text == "Hundreds of militants fled west, officials said on Tuesday."


def test_empty_and_blank_input() -> None:
    for raw in ("", "   \n\n\t\u00a0\n"):
        c = clean_plaintext(raw)
        assert c.text == "" and c.removed == [] and c.title is None


def test_only_boilerplate_gives_empty_text() -> None:
    raw = (
        "Leave a Reply\n\nYour email address will not be published. Required fields are marked *\n\n"
        "3 × 4 =\n\nShare this:\n"
    )
    c = clean_plaintext(raw)
    check_accounting(raw, c)
    assert c.text == ""
    assert {r.reason for r in c.removed} == {"comment_form", "captcha", "share_line"}


def test_single_line_is_not_a_title() -> None:
    c = clean_plaintext("Islamic State fighters fled Raqqa")
    assert c.title is None and c.text == "Islamic State fighters fled Raqqa"


# --------------------------------------------------------------------------- property

_ALPHABET = st.sampled_from(
    list("abcXYZ 019.,:;-–—|()=+−×*\"“”’'\n\n\r\t\u00a0\u202f•©/")
    + ["By ", "Reporting by: ", "Source: ", "File photo", "(AFP)", "ARA News", "Leave a Reply",
       "MOSUL, IRAQ - NOVEMBER 22: ", "WASHINGTON (Reuters) - ", "seventeen − two =", "Published: March 9, 2017",
       "follow us on Twitter", "Getty Images", "\u2028", "\x85", "\ufeff", "\u200b", "\u2060", "\x0c"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=80).map("".join))
def test_never_raises_and_offsets_hold(raw: str) -> None:
    c = clean_plaintext(raw)
    for r in c.removed:
        assert r.start is not None and r.end is not None
        assert raw[r.start : r.end] == r.text
    check_accounting(raw, c)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_unicode(raw: str) -> None:
    c = clean_plaintext(raw)
    check_accounting(raw, c)
