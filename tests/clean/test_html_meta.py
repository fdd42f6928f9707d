"""Outlet, URL, title, authors and section read from real pages' own metadata.

The ``<head>`` lines below are copied verbatim from pages of the article-extraction
benchmark (``../shared/datasets/article-extraction``; each page's URL is noted next to
it). Before issue 11 storyline ingested every one of these pages with ``url`` and
``outlet`` null and kept the "– TechCrunch" suffix in the title.
"""

from __future__ import annotations

import pytest
from lxml.html import document_fromstring

from storyline.clean.html import clean_html
from storyline.clean.html_meta import name_fits_host, page_meta, strip_site_suffix
from storyline.stages.clean import assemble_meta

# https://techcrunch.com/2019/11/18/new-york-state-attorney-general-reportedly-investigating-wework/
TECHCRUNCH_HEAD = """
<title>New York State Attorney General reportedly investigating WeWork – TechCrunch</title>
<link rel="canonical" href="https://techcrunch.com/2019/11/18/new-york-state-attorney-general-reportedly-investigating-wework/">
<meta property="og:site_name" content="TechCrunch">
<meta property="og:title" content="New York State Attorney General reportedly investigating WeWork – TechCrunch">
<meta property="og:url" content="http://social.techcrunch.com/2019/11/18/new-york-state-attorney-general-reportedly-investigating-wework/">
"""
TECHCRUNCH_BODY = """
<article><h1>New York State Attorney General reportedly investigating WeWork</h1>
<p>WeWork is reportedly being investigated by the New York State Attorney General. According to Reuters,
the NYAG’s questions include if WeWork founder and former CEO Adam Neumann engaged in self-dealing.</p>
<p>WeWork is headquartered in New York City. A company spokesperson said in an email that “we have
received an inquiry from the office of the New York State Attorney General and are cooperating in the
matter.” The New York State Attorney General’s office had no comment.</p>
<p>This comes less than a week after Bloomberg reported WeWork is the subject of a U.S. Securities and
Exchange Commission inquiry into potential rule violations related to its cancelled IPO.</p></article>
"""

# https://www.reuters.com/article/us-global-markets/asian-shares-soft-as-trade-doubts-creep-back-in-idUSKBN1XT00W
REUTERS_HEAD = """
<link rel="canonical" href="https://www.reuters.com/article/us-global-markets-idUSKBN1XT00W">
<meta name="Author" content="Rodrigo Campos">
<meta property="og:site_name" content="U.S.">
<meta property="og:title" content="Oversupply angst drags oil lower, stocks drift near highs">
<meta property="og:url" content="https://www.reuters.com/article/us-global-markets-idUSKBN1XT00W">
<meta property="og:article:published_time" content="2019-11-19T21:57:01+0000">
<meta property="og:article:section" content="Homepage">
"""

# https://www.msn.com/en-us/health/other/the-man-whose-duvet-nearly-killed-him-how-this-medical-mystery-was-solved/ar-BBWXwNX
MSN_HEAD = """
<link rel="canonical" href="https://www.cnn.com/2019/11/18/health/feather-down-duvet-sickness-wellness/index.html">
<title>The man whose duvet nearly killed him: How this medical mystery was solved</title>
<meta property="og:url" content="https://www.msn.com/en-us/Health/other/the-man-whose-duvet-nearly-killed-him-how-this-medical-mystery-was-solved/ar-BBWXwNX">
<meta property="og:title" content="The man whose duvet nearly killed him: How this medical mystery was solved">
<meta property="og:site_name" content="MSN">
"""

# https://www.linknaija.com/2018/10/nollywood-actress-kate-henshaw-is.html
LINKNAIJA_HEAD = """
<link href="https://www.linknaija.com/2018/10/nollywood-actress-kate-henshaw-is.html" rel="canonical">
<meta content="http://www.linknaija.com/2018/10/nollywood-actress-kate-henshaw-is.html" property="og:url">
<meta content="LinkNaija | Nigeria's popular news platform" property="og:site_name">
<meta content="LinkNaija | Nigeria's popular news platform: Nollywood Actress, Kate Henshaw Is Looking Stunning In New Photos" property="og:title">
"""

# https://www.newsnation.in/fact-check/news/fact-check-is-an-oxygen-bar-in-delhi-offering-fresh-air-for-rs-300-244592.html
NEWSNATION_HEAD = """
<title>Fact Check: Is An 'Oxygen Bar' In Delhi Offering Fresh Air For Rs 300?   - News Nation</title>
<link rel="canonical" href="https://www.newsnation.in/fact-check/news/fact-check-is-an-oxygen-bar-in-delhi-offering-fresh-air-for-rs-300-244592.html">
<meta property="og:site_name" content="https://www.newsnation.in">
<meta property="og:title" content=" Fact Check: Is An 'Oxygen Bar' In Delhi Offering Fresh Air For Rs 300? - News Nation">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Fact Check: Is An 'Oxygen Bar' In Delhi Offering Fresh Air For Rs 300?",
 "publisher": {"@type": "Organization", "name": "News Nation"}, "articleSection": "Fact Check"}</script>
"""


def tree(head: str, body: str = "<p>text</p>"):
    return document_fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


def test_techcrunch_page_gets_outlet_url_and_a_clean_title() -> None:
    cleaned = clean_html(f"<html><head>{TECHCRUNCH_HEAD}</head><body>{TECHCRUNCH_BODY}</body></html>")
    meta = assemble_meta({}, cleaned)  # an .html file on disk: no URL from the input
    assert meta.outlet == "TechCrunch"
    assert meta.outlet_source == "og:site_name"
    # the canonical link wins over og:url's social.techcrunch.com
    assert meta.url == "https://techcrunch.com/2019/11/18/new-york-state-attorney-general-reportedly-investigating-wework/"
    assert meta.url_source == "link rel=canonical"
    assert meta.title == "New York State Attorney General reportedly investigating WeWork"
    assert "TechCrunch" in (meta.title_source or "")
    # the URL found in the page feeds the URL date rules
    assert (meta.published, meta.published_source) == ("2019-11-18", "url")
    assert not cleaned.text.startswith("New York State Attorney General reportedly")  # headline moved to metadata


def test_input_metadata_still_wins() -> None:
    cleaned = clean_html(f"<html><head>{TECHCRUNCH_HEAD}</head><body>{TECHCRUNCH_BODY}</body></html>")
    meta = assemble_meta(
        {"url": "https://example.org/2020/01/02/copy", "outlet": "Example Wire", "title": "Given title"}, cleaned
    )
    assert (meta.url, meta.url_source) == ("https://example.org/2020/01/02/copy", "input")
    assert (meta.outlet, meta.outlet_source) == ("Example Wire", "input")
    assert (meta.title, meta.title_source) == ("Given title", "input")
    assert meta.published == "2020-01-02"


def test_reuters_section_name_in_og_site_name_is_not_the_outlet() -> None:
    meta = page_meta(tree(REUTERS_HEAD), author="Rodrigo Campos")
    assert meta.outlet == "Reuters"
    assert meta.sources["outlet"].startswith("outlet list")
    assert meta.url == "https://www.reuters.com/article/us-global-markets-idUSKBN1XT00W"
    assert meta.section is None  # "Homepage" is no section
    assert meta.authors == ["Rodrigo Campos"]


def test_syndicated_copy_keeps_its_own_address_and_credits_the_original() -> None:
    meta = page_meta(tree(MSN_HEAD))
    assert meta.outlet == "MSN"
    assert meta.url is not None and meta.url.startswith("https://www.msn.com/en-us/")
    assert "cnn.com" in meta.sources["url"]
    assert meta.original_outlet == "CNN"


def test_site_name_with_a_tagline_and_a_prefixed_title() -> None:
    meta = page_meta(tree(LINKNAIJA_HEAD))
    assert meta.outlet == "LinkNaija"
    assert meta.title == "Nollywood Actress, Kate Henshaw Is Looking Stunning In New Photos"


def test_url_in_og_site_name_falls_back_to_json_ld_publisher() -> None:
    meta = page_meta(tree(NEWSNATION_HEAD))
    assert meta.outlet == "News Nation"
    assert meta.sources["outlet"] == "JSON-LD publisher"
    assert meta.title == "Fact Check: Is An 'Oxygen Bar' In Delhi Offering Fresh Air For Rs 300?"
    assert (meta.section, meta.sources["section"]) == ("Fact Check", "JSON-LD articleSection")


def test_host_is_the_last_resort_and_front_page_canonicals_are_ignored() -> None:
    head = '<link rel="canonical" href="https://www.example-daily.com/"><title>Storm hits the coast</title>'
    assert page_meta(tree(head)).url is None
    meta = page_meta(tree(head), "https://www.example-daily.com/2020/05/01/storm")
    assert (meta.outlet, meta.sources["outlet"]) == ("example-daily.com", "host")


@pytest.mark.parametrize(
    ("name", "host", "fits"),
    [
        ("TechCrunch", "techcrunch.com", True),
        ("Los Angeles Times", "latimes.com", True),
        ("Wall Street Journal", "wsj.com", True),
        ("NBC 5 Dallas-Fort Worth", "nbcdfw.com", True),
        ("Connecticut Post", "ctpost.com", True),
        ("U.S.", "reuters.com", False),
        ("Expert how-to for English Riders", "practicalhorsemanmag.com", False),
    ],
)
def test_name_fits_host(name: str, host: str, fits: bool) -> None:
    assert name_fits_host(name, host) is fits


@pytest.mark.parametrize(
    ("title", "names", "host", "expected"),
    [
        ("Bike & Style book with soundtrack review | MoreBikes", ["MoreBikes"], "morebikes.co.uk",
         "Bike & Style book with soundtrack review"),
        ("Simple Hiking Survival Kit (with Kids) - The Anti-June Cleaver", ["The Anti-June Cleaver"],
         "theantijunecleaver.com", "Simple Hiking Survival Kit (with Kids)"),
        # a headline that starts with the site's name keeps it
        ("The Guardian view on Hong Kong: a city on the brink", ["The Guardian"], "theguardian.com",
         "The Guardian view on Hong Kong: a city on the brink"),
        # never leave a stub
        ("Vox | Vox", ["Vox"], "vox.com", "Vox | Vox"),
    ],
)
def test_strip_site_suffix(title: str, names: list[str], host: str, expected: str) -> None:
    assert strip_site_suffix(title, names, host)[0] == expected


def test_hostile_metadata_is_contained() -> None:
    head = (
        '<meta property="og:site_name" content="Evil\x1b[2J News">'
        '<link rel="canonical" href="javascript:alert(1)">'
        '<meta property="og:url" content="https://evil.example/2020/01/02/x\x1b[31m">'
        '<meta property="article:section" content="' + "S" * 5000 + '">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "publisher": [[[{"name": 1}]]], '
        '"headline": {"x": 1}, "author": null</script>'
    )
    cleaned = clean_html(f"<html><head>{head}</head><body>{TECHCRUNCH_BODY}</body></html>")
    meta = assemble_meta({}, cleaned)
    assert meta.url is not None and meta.url.startswith("https://evil.example/") and "\x1b" not in meta.url
    assert meta.outlet is not None and "\x1b" not in meta.outlet
    assert meta.section is None or len(meta.section) <= 120
