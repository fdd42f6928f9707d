"""Citation edges: outlets named as sources, with exact evidence offsets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.clean.outlets import canonical_outlet, outlet_from_url
from storyline.corpus.citations import (
    citation_scope,
    extract_citations,
    is_self_citation,
    sentence_bounds,
)
from storyline.types import Citation


def _sample(sample_dir: Path, prefix: str) -> tuple[str, str | None]:
    path = next(sample_dir.glob(f"{prefix}_*.txt"))
    urls = {
        json.loads(line)["file"][:3]: json.loads(line)["url"]
        for line in (sample_dir / "sources.jsonl").read_text().splitlines()
        if line.strip()
    }
    return path.read_text(encoding="utf-8"), outlet_from_url(urls[prefix])


def _check_offsets(text: str, cits: list[Citation]) -> None:
    for c in cits:
        assert text[c.evidence.start : c.evidence.end] == c.evidence.text
        assert c.evidence.doc == c.doc


# --------------------------------------------------------------------------- samples


def test_001_breitbart_cites_voice_of_america(sample_dir: Path) -> None:
    text, own = _sample(sample_dir, "001")
    cits = extract_citations("001", text, own_outlet=own)
    _check_offsets(text, cits)
    voa = [c for c in cits if c.outlet == "Voice of America"]
    got = [(c.cue, " ".join(c.evidence.text.split())) for c in voa]
    assert got == [
        ("cites", "The outlet Voice of America (VoA) cites"),
        ("told", "tells Voice of America"),
        ("told", "told Voice of America"),
        ("told", "told VoA"),
        ("told", "told VoA"),
    ]
    times = [c for c in cits if c.outlet == "the Times"]
    assert [(c.cue, " ".join(c.evidence.text.split())) for c in times] == [("notes", "the Times notes")]
    assert canonical_outlet(times[0].outlet) is None  # unresolved: nothing in 001 says which Times
    assert not any(is_self_citation(c, own) for c in cits)
    # "told reporters" (twice) and the organisations VoA cites are not citations of 001
    assert {c.outlet for c in cits} == {"Voice of America", "the Times"}


def test_004_blog_names_breitbart_and_voa(sample_dir: Path) -> None:
    text, own = _sample(sample_dir, "004")
    cits = extract_citations("004", text, own_outlet=own)
    _check_offsets(text, cits)
    breitbart = [(c.cue, c.evidence.text) for c in cits if c.outlet == "Breitbart News"]
    assert breitbart == [("notes", "the Breitbart.com news portal notes"), ("cites", "Breitbart also cited")]
    assert sum(c.outlet == "Voice of America" for c in cits) == 4
    assert not any(is_self_citation(c, own) for c in cits)


@pytest.mark.parametrize(
    ("prefix", "outlet", "n"),
    [("000", "Rudaw", 1), ("002", "ARA News", 4), ("003", "ARA News", 2)],
)
def test_self_citations_kept_and_marked(sample_dir: Path, prefix: str, outlet: str, n: int) -> None:
    text, own = _sample(sample_dir, prefix)
    assert own == outlet
    cits = extract_citations(prefix, text, own_outlet=own)
    _check_offsets(text, cits)
    selfs = [c for c in cits if is_self_citation(c, own)]
    assert len(selfs) == n
    assert all(c.outlet == outlet for c in selfs)


def test_000_activist_group_listed_as_ngo(sample_dir: Path) -> None:
    text, own = _sample(sample_dir, "000")
    cits = extract_citations("000", text, own_outlet=own)
    rbss = [c for c in cits if c.outlet == "Raqqa Is Being Slaughtered Silently"]
    assert len(rbss) == 1 and rbss[0].cue == "tweeted"
    assert rbss[0].evidence.text.startswith("tweeted the credible activist group Raqqa")
    # the bracketed alias is part of the same citation, not a second one
    assert rbss[0].evidence.text.endswith("(RBSS)")
    # "awarded … by the Committee to Protect Journalists" is a mention, not a citation
    assert {c.outlet for c in cits} == {"Raqqa Is Being Slaughtered Silently", "Rudaw"}


# --------------------------------------------------------------------------- patterns


@pytest.mark.parametrize(
    ("sentence", "outlet", "cue", "evidence"),
    [
        ("A commander told Reuters on Monday that the road was cut.", "Reuters", "told", "told Reuters"),
        ("The mayor tells VoA the city is calm.", "Voice of America", "told", "tells VoA"),
        ("Speaking to AFP in Erbil, he said the road was open.", "Agence France-Presse", "told", "Speaking to AFP"),
        ("Reuters reported that 20 people died.", "Reuters", "reported", "Reuters reported"),
        ("The BBC reports heavy fighting.", "BBC", "reported", "The BBC reports"),
        ("The Guardian notes that the figures vary.", "The Guardian", "notes", "The Guardian notes"),
        ("CNN said the convoy left at dawn.", "CNN", "said", "CNN said"),
        ("Fighting continued, according to the Syrian Observatory for Human Rights.",
         "Syrian Observatory for Human Rights", "according to",
         "according to the Syrian Observatory for Human Rights"),
        ("According to SANA, the army advanced.", "Syrian Arab News Agency", "according to", "According to SANA"),
        ("Al Jazeera cited local sources as saying the bridge fell.", "Al Jazeera", "cites", "Al Jazeera cited"),
        ("The figure, cited by Anadolu Agency, could not be verified.", "Anadolu Agency", "cites",
         "cited by Anadolu Agency"),
        ("The attack was first reported by Amaq.", "Amaq News Agency", "reported", "first reported by Amaq"),
        ("The video, shared via RBSS, shows the convoy.", "Raqqa Is Being Slaughtered Silently", "via", "via RBSS"),
        ("Source: Hawar News Agency", "Hawar News Agency", "source", "Source: Hawar News Agency"),
        ("BEIRUT (Reuters) - Insurgents withdrew overnight.", "Reuters", "source", "(Reuters) -"),
        ("In an interview with Rudaw, the minister denied it.", "Rudaw", "interview", "In an interview with Rudaw"),
        ("AP quoted a spokesman as saying the talks failed.", "Associated Press", "quoted", "AP quoted"),
        ("The strike killed nine, as reported by Al-Monitor.", "Al-Monitor", "reported", "as reported by Al-Monitor"),
        ("The outlet Sky News reported the blast.", "Sky News", "reported", "The outlet Sky News reported"),
        ("Officials told the Kurdish news agency ANHA that the dam held.", "Hawar News Agency", "told",
         "told the Kurdish news agency ANHA"),
        ("the Breitbart.com news portal notes that it rained", "Breitbart News", "notes",
         "the Breitbart.com news portal notes"),
        ("“We will stay,” tweeted the activist group RBSS.", "Raqqa Is Being Slaughtered Silently", "tweeted",
         "tweeted the activist group RBSS"),
        ("The Washington Post reported it first; the Post said later that the count rose.",
         "The Washington Post", "reported", "The Washington Post reported"),
    ],
)
def test_patterns(sentence: str, outlet: str, cue: str, evidence: str) -> None:
    cits = extract_citations("d", sentence)
    _check_offsets(sentence, cits)
    assert cits, f"no citation found in {sentence!r}"
    c = cits[0]
    assert (c.outlet, c.cue, c.evidence.text) == (outlet, cue, evidence)
    assert c.evidence.start == sentence.index(evidence)


def test_coordinated_outlets_share_the_cue() -> None:
    s = "The toll rose to 40, according to Reuters and AFP."
    cits = extract_citations("d", s)
    assert [c.outlet for c in cits] == ["Reuters", "Agence France-Presse"]
    assert {c.evidence.text for c in cits} == {"according to Reuters and AFP"}


@pytest.mark.parametrize(
    "sentence",
    [
        "The outlet said nothing about the convoy.",
        "Captain Jeff Davis told reporters last month that leaders fled.",
        "Crowds gathered in Times Square on Sunday.",
        "He said the times are hard for everyone.",
        "The times of the attacks were not given.",
        "Hussam Eesa of RBSS said dozens of vehicles left.",
        "RBSS was awarded an International Press Freedom Award.",
        "The Post Office said deliveries would resume.",
        "Independent sources said the dam was intact.",
        "At the time, those fleeing were judges.",
        "The outlet describes those fleeing as commanders.",
        "the border post was abandoned, the official said",
        "He told the Times Square crowd to disperse.",
    ],
)
def test_non_citations(sentence: str) -> None:
    assert extract_citations("d", sentence) == []


def test_the_times_resolved_by_context() -> None:
    text = "A New York Times investigation found gaps. The official declined, the Times notes."
    cits = extract_citations("d", text)
    times = [c for c in cits if c.cue == "notes"]
    assert [c.outlet for c in times] == ["The New York Times"]
    assert times[0].evidence.text == "the Times notes"


def test_the_times_of_london_resolves() -> None:
    text = "The Times of London ran the story. Later, the Times reported a second convoy."
    cits = extract_citations("d", text)
    assert [(c.outlet, c.cue) for c in cits] == [("The Times (London)", "reported")]


def test_the_times_ambiguous_stays_unresolved() -> None:
    text = "The New York Times and the Financial Times both ran it. The figure, the Times said, is low."
    cits = extract_citations("d", text)
    assert [(c.outlet, c.evidence.text) for c in cits] == [("the Times", "the Times said")]


def test_the_times_resolves_to_own_outlet() -> None:
    cits = extract_citations("d", "An official told the Times that the road was cut.", own_outlet="nytimes.com")
    assert [c.outlet for c in cits] == ["The New York Times"]
    assert is_self_citation(cits[0], "The New York Times")


def test_offsets_with_unicode_and_newlines() -> None:
    text = "Tunis—“Il pleut,” said one.\n\nLocal   sources told\nVoice of  America that\u00a0all is calm."
    cits = extract_citations("d", text)
    _check_offsets(text, cits)
    assert [c.outlet for c in cits] == ["Voice of America"]
    assert cits[0].evidence.text == "told\nVoice of  America"


def test_empty_and_no_outlets() -> None:
    assert extract_citations("d", "") == []
    assert extract_citations("d", "Nothing here names a news outlet at all.") == []


def test_scope_is_the_sentence_including_a_quote() -> None:
    text = "Intro. “Leaders left. Others stayed,” Mustafa Abdi told Voice of America. Next sentence."
    (c,) = extract_citations("d", text)
    scope = citation_scope(text, c)
    assert scope.text == "“Leaders left. Others stayed,” Mustafa Abdi told Voice of America."
    assert text[scope.start : scope.end] == scope.text
    assert sentence_bounds(text, 0) == (0, len("Intro."))


def test_pure_and_deterministic(sample_dir: Path) -> None:
    text, own = _sample(sample_dir, "001")
    assert extract_citations("001", text, own_outlet=own) == extract_citations("001", text, own_outlet=own)


def test_on_cleaned_sample_documents(sample_docs: dict) -> None:
    """The pipeline's cleaned text: same citations, offsets into the cleaned text."""
    by_doc = {k: extract_citations(d.id, d.text, own_outlet=d.meta.outlet) for k, d in sample_docs.items()}
    for k, cits in by_doc.items():
        _check_offsets(sample_docs[k].text, cits)
    assert sum(c.outlet == "Voice of America" for c in by_doc["001"]) == 5
    assert sum(c.outlet == "Voice of America" for c in by_doc["004"]) == 4
    assert sum(c.outlet == "Breitbart News" for c in by_doc["004"]) == 2
    for k in ("000", "002", "003"):
        own = sample_docs[k].meta.outlet
        assert any(is_self_citation(c, own) for c in by_doc[k]), k
