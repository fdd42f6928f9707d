"""Attributions: the claims of the sample corpus (vision.md, "Attributed claims"), general
constructions on hand-made sentences, hedges, undercutting, and robustness to quotation marks."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storyline.annotate.attribution import (
    Attribution,
    find_attributions,
    find_quotes,
    hedge_class,
    hedge_cues,
    undercuts,
)

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "storyline" / "data" / "sample"


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    from storyline.annotate.nlp import load_nlp

    return load_nlp()


@pytest.fixture(scope="module")
def samples(nlp) -> dict[str, tuple[str, list[Attribution]]]:  # type: ignore[no-untyped-def]
    from storyline.annotate.entities import find_entities
    from storyline.clean.plaintext import clean_plaintext

    out = {}
    for f in sorted(SAMPLE.glob("*.txt")):
        text = clean_plaintext(f.read_text(encoding="utf-8")).text
        doc = nlp(text)
        out[f.name[:3]] = (text, find_attributions(doc, find_entities(doc)[0]))
    return out


def _one(atts: Sequence[Attribution], text: str, *, content: str, **want: object) -> Attribution:
    """The attribution whose content holds ``content`` and whose fields equal ``want``."""
    found = [
        a for a in atts if content in a.content_text and all(getattr(a, k) == v for k, v in want.items())
    ]
    assert found, (content, want, [(a.speaker_text, a.cue_text, a.content_text[:60]) for a in atts])
    return found[0]


def _attrs(nlp, text: str) -> list[Attribution]:  # type: ignore[no-untyped-def]
    return find_attributions(nlp(text))


# ------------------------------------------------------------------------------ sample corpus


def test_offsets_are_evidence(samples) -> None:  # type: ignore[no-untyped-def]
    for text, atts in samples.values():
        for a in atts:
            assert a.content_text == " … ".join(text[s:e] for s, e in a.content_parts)
            assert a.content == (a.content_parts[0][0], a.content_parts[-1][1])
            assert a.cue_text == text[a.cue[0] : a.cue[1]]
            if a.speaker is not None:
                assert a.speaker_text == text[a.speaker[0] : a.speaker[1]]
            assert a.sentence[0] <= a.cue[0] and a.cue[1] <= a.sentence[1]
            assert a.certainty in {"asserted", "reported", "hedged", "denied"}
            assert a.outer is None or 0 <= a.outer < len(atts)


def test_eesa_tells_voa_dozens(samples) -> None:  # type: ignore[no-untyped-def]
    for key in ("001", "004"):  # 004 copies 001: found in both
        text, atts = samples[key]
        a = _one(
            atts,
            text,
            content="“dozens” of Islamic State vehicles have begun the march",
            speaker_entity_key="person:hussam eesa",
        )
        assert a.cue_lemma == "told" and a.cue_text == "tells"
        assert a.venue == "Voice of America" and a.venue_key == "outlet:voice-of-america"
        assert a.speaker_kind == "person" and a.certainty == "asserted"
        assert a.speaker_affiliation_key == "actor:raqqa-is-being-slaughtered-silently"


def test_abdi_told_voa(samples) -> None:  # type: ignore[no-untyped-def]
    text, atts = samples["001"]
    a = _one(
        atts, text, content="When the Mosul offensive intensified", speaker_entity_key="person:mustafa abdi"
    )
    assert a.kind == "direct_quote" and a.cue_lemma == "told" and a.venue_key == "outlet:voice-of-america"
    assert not a.content_text.startswith("“")  # quotation marks are not part of the content


def test_davis_told_reporters_and_his_quote(samples) -> None:  # type: ignore[no-untyped-def]
    text, atts = samples["001"]
    told = _one(
        atts,
        text,
        content="Raqqa’s ISIS leadership had begun to flee the city",
        speaker_entity_key="person:jeff davis",
        cue_lemma="told",
    )
    assert told.venue == "reporters"
    said = _one(atts, text, content="bureaucrats’ are heading east", kind="direct_quote")
    assert said.speaker_text == "he" and said.speaker_entity_key == "person:jeff davis"
    assert said.speaker_antecedent is not None and "Jeff Davis" in text[slice(*said.speaker_antecedent)]


def test_unnamed_official_and_the_times(samples) -> None:  # type: ignore[no-untyped-def]
    text, atts = samples["001"]
    echoed = _one(
        atts, text, content="numerous senior Islamic State terrorists have fled Raqqa", cue_lemma="echoed"
    )
    assert echoed.speaker_text == "an unnamed American defense official"
    assert echoed.speaker_kind == "anonymous" and echoed.venue == "a press briefing"
    activists = _one(
        atts, text, content="numerous senior Islamic State terrorists have fled Raqqa", cue_lemma="told"
    )
    assert activists.venue_key == "outlet:voice-of-america" and activists.speaker_kind == "anonymous"
    official = _one(atts, text, content="Daesh is on the run", cue_lemma="told")
    assert official.speaker_text == "the official"
    assert official.speaker_name == "an unnamed American defense official" and official.venue == "reporters"
    notes = _one(atts, text, content="The overall picture the official painted", cue_lemma="notes")
    assert notes.speaker_kind == "outlet" and notes.speaker_text == "the Times"
    est = _one(
        atts, text, content="15,000 ISIS jihadists remain throughout Iraq and Syria", cue_lemma="estimated"
    )
    assert est.speaker_kind == "outlet" and est.certainty == "hedged"


def test_the_outlet_describes(samples) -> None:  # type: ignore[no-untyped-def]
    text, atts = samples["001"]
    a = _one(atts, text, content="high-ranking commanders and their families", cue_lemma="describes")
    assert a.speaker_text == "The outlet" and a.speaker_entity_key == "outlet:voice-of-america"


def test_voa_cites_activists_stating(samples) -> None:  # type: ignore[no-untyped-def]
    text, atts = samples["001"]
    stating = _one(
        atts, text, content="the Islamic State’s leadership is looking to leave town", cue_lemma="stated"
    )
    assert "activists" in (stating.speaker_text or "") and stating.speaker_kind == "anonymous"
    assert stating.outer is not None
    cites = atts[stating.outer]
    assert cites.cue_lemma == "cites" and cites.speaker_entity_key == "outlet:voice-of-america"


def test_shesho_confirmed_and_the_maybe_that_undercuts_it(samples) -> None:  # type: ignore[no-untyped-def]
    text, atts = samples["002"]
    shesho = _one(atts, text, content="a large number of ISIS jihadists have fled Mosul’s countryside")
    assert shesho.speaker_entity_key == "person:qassim shesho" and shesho.cue_lemma == "confirmed"
    assert shesho.certainty == "asserted"
    maybe = _one(atts, text, content="Maybe they were civilians, not Daesh", kind="direct_quote")
    assert maybe.speaker_text == "another Kurdish official" and maybe.speaker_kind == "anonymous"
    assert maybe.certainty == "hedged" and "maybe" in maybe.hedges and "not" in maybe.hedges
    assert (atts.index(maybe), atts.index(shesho)) in undercuts(atts)


def test_ara_news_sources(samples) -> None:  # type: ignore[no-untyped-def]
    text, atts = samples["002"]
    local = _one(atts, text, content="more than 90 ISIS militant had made the journey")
    assert local.speaker_text == "Local sources" and local.speaker_kind == "anonymous"
    assert local.venue == "ARA News" and local.venue_key == "outlet:ara-news" and local.cue_lemma == "told"
    hamwi = _one(atts, text, content="The vehicles crossed the border in the early morning")
    assert hamwi.speaker_entity_key == "person:ahmed hamwi" and hamwi.venue == "ARA News"
    assert hamwi.kind == "direct_quote"


def test_abu_abdullah(samples) -> None:  # type: ignore[no-untyped-def]
    text, atts = samples["003"]
    said = _one(atts, text, content="the situation inside Raqqa is deteriorating")
    assert said.speaker_entity_key == "person:abu abdullah" and said.venue == "ARA News"
    he = _one(atts, text, content="Senior militants of ISIS are transferring their families")
    assert he.speaker_text == "he" and he.speaker_entity_key == "person:abu abdullah"
    sources = _one(atts, text, content="ISIS has transferred 75 families", kind="according_to")
    assert sources.speaker_text == "local sources" and sources.certainty == "reported"
    statement = _one(atts, text, content="Expelling the Kurds from Raqqa is the best solution")
    assert statement.venue == "a statement" and statement.speaker_kind == "anonymous"


def test_rbss_tweeted_is_hedged_by_the_lede(samples) -> None:  # type: ignore[no-untyped-def]
    text, atts = samples["000"]
    a = _one(atts, text, content="10 Buses and 35 SUV Chevrolet With Iraqi Plates arrived Raqqa")
    assert a.speaker_entity_key == "actor:raqqa-is-being-slaughtered-silently"
    assert a.cue_lemma == "tweeted" and a.venue == "Twitter" and a.kind == "direct_quote"
    assert a.certainty == "hedged" and "reportedly" in a.hedges
    assert any(text[s:e] == "reportedly" and s < a.content[0] for s, e in a.hedge_spans)  # from the lede


def test_obeidi_said_in_july(samples) -> None:  # type: ignore[no-untyped-def]
    text, atts = samples["000"]
    a = _one(atts, text, content="Many ISIS leaders have fled the city with their families")
    assert a.speaker_entity_key == "person:khalid al obeidi" and a.cue_lemma == "said"
    noting = _one(atts, text, content="most were going to Syria", cue_lemma="notes")
    assert noting.speaker_entity_key == "person:khalid al obeidi"
    he = _one(atts, text, content="They were local recruits")
    assert he.speaker_entity_key == "org:mosul-eye"  # "he" = the Mosul Eye, "a blogger in Mosul"


def test_breitbart_cited_an_official(samples) -> None:  # type: ignore[no-untyped-def]
    text, atts = samples["004"]
    stated = _one(atts, text, content="Daesh is on the run", cue_lemma="stated")
    assert stated.outer is not None and atts[stated.outer].speaker_entity_key == "outlet:breitbart-news"
    notes = _one(atts, text, content="dozens of Islamic State vehicles", cue_lemma="notes")
    assert notes.speaker_kind == "outlet"


# ------------------------------------------------------------------------------ constructions


def test_quote_then_cue_then_quote_is_one_attribution(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "“We will not retreat,” the commander said. “Our men are ready.” The weather was cold."
    atts = _attrs(nlp, text)
    assert len(atts) == 1
    a = atts[0]
    assert [text[s:e] for s, e in a.content_parts] == ["We will not retreat", "Our men are ready"]
    assert a.speaker_text == "the commander" and a.kind == "direct_quote"


def test_split_quote_around_the_cue(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "“The road is open,” the governor said, “and aid convoys can pass.”"
    (a,) = _attrs(nlp, text)
    assert [text[s:e] for s, e in a.content_parts] == ["The road is open", "and aid convoys can pass"]
    assert a.cue_text == "said" and a.speaker_text == "the governor"


def test_cue_before_quote_with_colon(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "The mayor said: “The water supply has been cut for three days.”"
    (a,) = _attrs(nlp, text)
    assert a.kind == "direct_quote" and a.speaker_text == "The mayor"
    assert a.content_text == "The water supply has been cut for three days"


def test_multi_paragraph_quote(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "“The fighters left at dawn,” a resident said.\n\n"
        "“They took the trucks and the fuel with them.”\n\nPrices rose in the market."
    )
    atts = _attrs(nlp, text)
    assert len(atts) == 1 and len(atts[0].content_parts) == 2
    assert atts[0].content_parts[1] == (text.index("They took"), text.index(" them.”") + 5)


def test_indirect_speech_with_venue(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "A military spokesman told reporters that the bridge had been destroyed."
    (a,) = _attrs(nlp, text)
    assert a.kind == "indirect" and a.cue_lemma == "told" and a.venue == "reporters"
    assert a.content_text == "the bridge had been destroyed" and a.speaker_kind == "anonymous"


def test_according_to(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Twenty civilians were killed in the strike, according to the health ministry."
    (a,) = _attrs(nlp, text)
    assert a.kind == "according_to" and a.cue_lemma == "according to"
    assert a.speaker_text == "the health ministry" and a.certainty == "reported"
    assert a.content_text == "Twenty civilians were killed in the strike"


def test_passive_report_has_no_speaker(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "It was reported that the airport had been closed."
    (a,) = _attrs(nlp, text)
    assert a.speaker is None and a.speaker_kind == "unspecified" and a.kind == "passive"
    assert a.certainty == "reported" and a.content_text == "the airport had been closed"


def test_tweeted_and_denied(nlp) -> None:  # type: ignore[no-untyped-def]
    tweet = _attrs(nlp, "The minister tweeted that the border crossing would reopen on Monday.")
    assert tweet[0].venue == "Twitter" and tweet[0].cue_lemma == "tweeted"
    (denial,) = _attrs(nlp, "The army denied that its artillery had shelled the village.")
    assert denial.certainty == "denied" and "denied" in denial.hedges
    (neg,) = _attrs(nlp, "The police did not confirm that the suspect had been arrested.")
    assert neg.certainty == "denied" and "not confirmed" in neg.hedges


def test_sources_said_and_hedges(nlp) -> None:  # type: ignore[no-untyped-def]
    (a,) = _attrs(nlp, "Sources said the commander may have fled to Turkey.")
    assert a.speaker_kind == "anonymous" and a.certainty == "hedged" and a.hedges == ("may",)


def test_quoted_as_saying(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "The governor was quoted as saying that the talks had failed."
    (a,) = _attrs(nlp, text)
    assert a.cue_text == "quoted as saying" and a.speaker_text == "The governor"
    assert a.content_text == "the talks had failed"


def test_headline_attribution(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Reports: Rebels seize the airport\n\nFighting continued on Sunday."
    atts = [a for a in _attrs(nlp, text) if a.kind == "headline"]
    assert atts and atts[0].speaker_text == "Reports" and atts[0].content_text == "Rebels seize the airport"
    assert atts[0].speaker_kind == "document" and atts[0].lede


def test_reportedly_alone(nlp) -> None:  # type: ignore[no-untyped-def]
    (a,) = _attrs(nlp, "Dozens of fighters have reportedly crossed the border.")
    assert a.kind == "adverbial" and a.speaker is None and a.certainty == "hedged"
    assert "reportedly" not in a.content_text and "crossed the border" in a.content_text


def test_no_attribution_in_plain_narrative(nlp) -> None:  # type: ignore[no-untyped-def]
    assert _attrs(nlp, "The convoy reached the town at noon. Trucks carried food and water.") == []
    assert _attrs(nlp, "") == []


# ------------------------------------------------------------------------------ hedges


def test_hedge_cues_lexicon() -> None:
    text = "It is unknown where they came from; they could be civilians and were allegedly armed."
    cues = [c for _, _, c in hedge_cues(text)]
    assert cues == ["it is unknown", "could", "allegedly"]
    assert hedge_class("allegedly") == "reporting" and hedge_class("could") == "modal"
    assert [c for _, _, c in hedge_cues("The operation is expected to be launched this month.")] == [
        "expected to"
    ]
    assert hedge_cues("In May the will of the people prevailed.") == []  # a month, a noun
    assert [c for _, _, c in hedge_cues("There are no plans to push south.")] == ["no"]  # "plans" a noun


# ------------------------------------------------------------------------------ robustness

_QUOTE_CHARS = st.sampled_from(["“", "”", '"', "«", "»", "„", "‘", "’", "'", " ", "\n", "\n\n", ",", "."])
_WORDS = st.sampled_from(
    [
        "he",
        "said",
        "the",
        "official",
        "told",
        "reporters",
        "that",
        "rebels",
        "fled",
        "according",
        "to",
        "sources",
        "Maybe",
        "not",
        "Raqqa",
        "“Yes",
        "no,”",
    ]
)


@given(st.lists(st.one_of(_QUOTE_CHARS, _WORDS), max_size=60).map(lambda xs: " ".join(xs)))
@settings(max_examples=300, deadline=None)
def test_find_quotes_never_raises(text: str) -> None:
    for q in find_quotes(text):
        assert 0 <= q.start < q.end <= len(text)
        for s, e in q.parts:
            assert q.start < s <= e <= q.end


@given(st.lists(st.one_of(_QUOTE_CHARS, _WORDS), max_size=40).map(lambda xs: " ".join(xs)))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_unbalanced_quotes_never_crash(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    atts = find_attributions(nlp(text))
    for a in atts:
        assert 0 <= a.content[0] <= a.content[1] <= len(text)
        assert a.cue_text == text[a.cue[0] : a.cue[1]]
    undercuts(atts)
