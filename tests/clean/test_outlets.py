"""The outlet list: URL → publisher, name → canonical outlet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.clean.outlets import canonical_outlet, outlet_from_url, outlet_info, outlets

DATA = Path(__file__).parents[2] / "src/storyline/data/outlets.json"


def test_data_file_shape() -> None:
    items = json.loads(DATA.read_text(encoding="utf-8"))
    assert len(items) >= 150
    kinds = {"wire", "newspaper", "broadcaster", "online", "agency", "blog", "ngo", "government"}
    names = set()
    for it in items:
        assert set(it) == {"name", "domains", "aliases", "kind"}
        assert it["kind"] in kinds
        assert it["name"] not in names
        names.add(it["name"])
        for d in it["domains"]:
            assert d == d.lower() and not d.startswith("www.") and "/" not in d
    assert len(outlets()) == len(items)


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://rudaw.net/english/middleeast/syria/131020162-amp", "Rudaw"),
        ("https://www.breitbart.com/national-security/2017/03/09/islamic-state-leaders-flee-raqqa/", "Breitbart News"),
        ("http://aranews.net/files/2016/10/isis-fighters/", "ARA News"),
        ("https://conservativefiringline.com/raqqa-isis-leaders-running-away-marines-close-city/", "conservativefiringline.com"),
        ("https://www.voanews.com/a/islamic-state-raqqa/3757011.html", "Voice of America"),
        ("https://english.alarabiya.net/en/News/middle-east/2017/03/09/x.html", "Al Arabiya"),
        ("https://news.sky.com/story/x", "Sky News"),
        ("https://www.bbc.co.uk/news/world-middle-east-1", "BBC"),
        ("https://WWW.Example.CO.UK/path", "example.co.uk"),
        ("www.unknown-news.org/x", "unknown-news.org"),
    ],
)
def test_outlet_from_url(url: str, name: str) -> None:
    assert outlet_from_url(url) == name


@pytest.mark.parametrize("url", ["", "not a url", "http://localhost/x"])
def test_outlet_from_bad_url(url: str) -> None:
    assert outlet_from_url(url) is None


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("ARA News", "ARA News"),
        ("VoA", "Voice of America"),
        ("VOA", "Voice of America"),
        ("voice of america", "Voice of America"),
        ("Breitbart.com", "Breitbart News"),
        ("Breitbart", "Breitbart News"),
        ("SOHR", "Syrian Observatory for Human Rights"),
        ("RBSS", "Raqqa Is Being Slaughtered Silently"),
        ("AFP", "Agence France-Presse"),
        ("AP", "Associated Press"),
        ("The Associated Press", "Associated Press"),
        ("Anadolu Agency", "Anadolu Agency"),
        ("SANA", "Syrian Arab News Agency"),
        ("Kurdistan 24", "Kurdistan24"),
        ("Al-Jazeera", "Al Jazeera"),
        ("The Daily Beast", "The Daily Beast"),
        ("Daily Beast", "The Daily Beast"),
        ("The New York Times", "The New York Times"),
        ("Hurriyet", "Hürriyet"),
        ("Middle East Eye", "Middle East Eye"),
        ("Long War Journal", "Long War Journal"),
        ("Syria Direct", "Syria Direct"),
        ("Enab Baladi", "Enab Baladi"),
        ("Daily Sabah", "Daily Sabah"),
        ("  Rudaw\u00a0English ", "Rudaw"),
    ],
)
def test_canonical_outlet(name: str, canonical: str) -> None:
    assert canonical_outlet(name) == canonical


@pytest.mark.parametrize("name", ["the Times", "Times", "", "Islamic State", "Raqqa", "National"])
def test_unknown_or_ambiguous(name: str) -> None:
    assert canonical_outlet(name) is None


def test_outlet_info() -> None:
    o = outlet_info("https://www.reuters.com/article/x")
    assert o is not None and o.name == "Reuters" and o.kind == "wire"
    o2 = outlet_info("VoA")
    assert o2 is not None and o2.kind == "broadcaster"
    assert outlet_info("nothing known") is None
