"""Copy detection (storyline.corpus.reuse): passages, candidates, alignment, boilerplate,
direction, incremental adds, and the sample corpus (001 → 004)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from datasketch import MinHash
from datasketch.lsh import _optimal_param
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.corpus.reuse import (
    AS_REPORTED,
    CONTAINS_SOURCE,
    EARLIER_DATE,
    NAMES_SOURCE,
    MemoryIndex,
    PassageIndex,
    align,
    decide_direction,
    find_reuse,
    find_reuse_incremental,
    is_boilerplate,
    paragraphs,
    tokenize,
)
from storyline.types import CopiedPassage, DocMeta

# Hand-written paragraphs (no overlap with each other beyond stock words).
P_SIEGE = (
    "Government troops tightened their siege of the northern district on Tuesday, cutting the last "
    "road used by aid convoys and forcing hundreds of families to shelter in basements. Residents said "
    "shelling continued through the night and that bakeries had closed for lack of flour."
)
P_TALKS = (
    "Negotiators from both sides met in a hotel outside the capital for a third round of talks, but a "
    "spokesman for the opposition delegation said no agreement on a ceasefire was expected before the "
    "end of the month because the army had refused to withdraw heavy weapons from the front line."
)
P_AID = (
    "The United Nations warned that food stocks in the besieged areas would run out within two weeks. "
    "Its regional coordinator urged all parties to allow trucks carrying medicine and fuel to pass the "
    "checkpoints, adding that at least forty thousand people were cut off from any assistance."
)
P_OWN_1 = (
    "Local journalists described a tense calm in the market town, where shopkeepers reopened for the "
    "first time in a week and farmers brought vegetables from the surrounding villages."
)
P_OWN_2 = (
    "Analysts in the region were divided over what the fighting means for the wider conflict, with some "
    "predicting a long stalemate and others a rapid collapse of the defending forces."
)
P_OWN_4 = (
    "The weather turned cold early this year, and charities appealed for blankets, stoves and winter "
    "clothing for the displaced."
)
P_OWN_3 = (
    "A teacher who fled with her three children said the family had walked for two days across the hills "
    "before reaching a camp run by volunteers near the border."
)


def meta(outlet: str | None = None, published: str | None = None, precision: str | None = None, **kw) -> DocMeta:
    return DocMeta(outlet=outlet, published=published, published_precision=precision, **kw)  # type: ignore[arg-type]


def doc(doc_id: str, *paras: str, **kw) -> tuple[str, str, DocMeta]:
    return doc_id, "\n\n".join(paras), meta(**kw)


def assert_spans_ok(cp: CopiedPassage, texts: dict[str, str]) -> None:
    for sp in (cp.source, cp.copy):
        t = texts[sp.doc]
        assert t[sp.start : sp.end] == sp.text
        assert sp.start == 0 or not t[sp.start - 1].isalnum(), "span must start on a word boundary"
        assert sp.end == len(t) or not t[sp.end].isalnum(), "span must end on a word boundary"
        assert sp.text == sp.text.strip()


def between(found: list[CopiedPassage], x: str, y: str) -> list[CopiedPassage]:
    return [c for c in found if {c.source.doc, c.copy.doc} == {x, y}]


# ----------------------------------------------------------------------------- passages


def test_paragraphs_and_tokens_keep_offsets() -> None:
    text = "  First para, one.\n\n\nSecond  para’s words!\n \nThird"
    paras = paragraphs(text)
    assert [text[s:e] for s, e in paras] == ["First para, one.", "Second  para’s words!", "Third"]
    tok = tokenize(text)
    assert tok.words == ["first", "para", "one", "second", "para's", "words", "third"]
    assert all(text[s:e].casefold().replace("’", "'") == w for w, s, e in zip(tok.words, tok.starts, tok.ends))
    assert tok.paragraph == [0, 0, 0, 1, 1, 1, 2]


def test_sentence_windows_cover_long_paragraphs() -> None:
    pindex = PassageIndex(window_words=20)
    tok = tokenize(P_SIEGE + " " + P_AID)
    ps = pindex.passages(tok)
    assert len(ps) >= 3
    assert all(p.words >= pindex.min_window_words for p in ps)
    stored = [p for p in ps if p.stored]
    # stored windows are consecutive and do not overlap
    assert all(a.last <= b.first for a, b in zip(stored, stored[1:]))
    assert stored[0].first == 0


def test_boilerplate_phrases() -> None:
    assert is_boilerplate("Leave a Reply")
    assert is_boilerplate("Your email address will not be published. Required fields are marked *")
    assert is_boilerplate("For the latest on Syria and the Kurdish region, follow us on Twitter :")
    assert is_boilerplate("Please let us know if you're having issues with commenting.")
    assert not is_boilerplate(P_TALKS)


# ----------------------------------------------------------------------------- candidates


def test_signature_is_datasketch_minhash() -> None:
    pindex = PassageIndex()
    text = P_SIEGE + " " + P_TALKS
    tok = tokenize(text, drop_boilerplate=False)
    shingles = pindex._shingle_hashes(tok.words)
    m = MinHash(num_perm=pindex.num_perm, seed=pindex.seed, hashfunc=int)
    m.update_batch([int(x) for x in shingles])
    assert np.array_equal(m.hashvalues, pindex.signature(text))


def test_lsh_parameters_come_from_the_threshold() -> None:
    for threshold in (0.3, 0.5, 0.8):
        pindex = PassageIndex(threshold)
        assert (pindex.bands, pindex.rows) == _optimal_param(threshold, 128, 0.1, 0.9)
    with pytest.raises(ValueError):
        PassageIndex(0.0)


def test_band_keys_are_stable_and_carry_the_band_number() -> None:
    # Keys are persisted in the store: they must not change between runs or processes.
    pindex = PassageIndex()
    keys = pindex.band_keys(pindex.signature("The quick brown fox jumps over the lazy dog near the river bank today."))
    assert len(keys) == pindex.bands
    assert all(len(k) == 8 and k[0] == band for band, k in enumerate(keys))
    assert keys[0].hex() == "000a62bcb309f286"
    assert keys[5].hex() == "0538d499c9aa2185"
    assert PassageIndex().band_keys(PassageIndex().signature(P_AID)) == pindex.band_keys(pindex.signature(P_AID))
    assert "bands=" in pindex.config


def test_memory_index_add_and_query() -> None:
    pindex = PassageIndex()
    idx = MemoryIndex()
    idx.add(("a", 0), pindex.band_keys(pindex.signature(P_SIEGE)))
    idx.add(("b", 0), pindex.band_keys(pindex.signature(P_TALKS)))
    assert idx.query(pindex.band_keys(pindex.signature(P_SIEGE))) == {("a", 0)}
    edited = P_TALKS.replace("third round", "fourth round")
    assert ("b", 0) in idx.query(pindex.band_keys(pindex.signature(edited)))
    assert idx.query(pindex.band_keys(pindex.signature(P_AID))) == set()
    assert idx.query([]) == set()


def test_memory_index_stays_exact_across_buffer_flushes_and_merges() -> None:
    rng = np.random.default_rng(7)
    idx = MemoryIndex()
    idx._BUFFER = 64  # force many sorted runs and merges
    expected: dict[int, set[tuple[str, int]]] = {}
    for unit in range(400):
        keys = rng.choice(1500, size=10, replace=False).astype(np.uint64)
        idx.add_array((f"d{unit % 31}", unit), keys)
        for k in keys.tolist():
            expected.setdefault(k, set()).add((f"d{unit % 31}", unit))
    assert len(idx) == 400 and idx.n_keys == 4000
    for k in range(1500):
        assert idx.query([k.to_bytes(8, "big")]) == expected.get(k, set())


# ----------------------------------------------------------------------------- alignment


def test_align_exact_copy_gives_spans_in_both() -> None:
    a = "\n\n".join([P_OWN_1, P_SIEGE, P_OWN_2])
    b = "\n\n".join([P_OWN_3, P_SIEGE])
    (sa, sb, sim), = align(a, b)
    assert a[sa[0] : sa[1]] == P_SIEGE
    assert b[sb[0] : sb[1]] == P_SIEGE
    assert sim == 1.0


def test_align_edited_copy() -> None:
    edited = (
        P_TALKS.replace("third round", "fourth round")
        .replace("spokesman", "spokeswoman")
        .replace(" because the army had refused", " as the army refused")
    )
    a = "\n\n".join([P_OWN_1, P_TALKS])
    b = "\n\n".join([edited, P_OWN_2])
    (sa, sb, sim), = align(a, b)
    assert a[sa[0] : sa[1]] == P_TALKS
    assert b[sb[0] : sb[1]] == edited
    assert 0.85 < sim < 1.0


def test_align_trimmed_quote_and_fixed_typo() -> None:
    src = P_AID + " “We will not abandon them, whatever it takes,” she said."
    cp = P_AID.replace("coordinator", "cordinator") + " “We will not abandon them,” she said."
    (sa, sb, sim), = align(src, cp)
    assert src[sa[0] : sa[1]] == src  # from the first word to the closing full stop
    assert cp[sb[0] : sb[1]] == cp
    assert sim > 0.85


def test_align_reordered_paragraphs() -> None:
    a = "\n\n".join([P_SIEGE, P_TALKS, P_AID])
    b = "\n\n".join([P_OWN_1, P_AID, P_SIEGE])
    found = align(a, b)
    texts = sorted(a[s:e] for (s, e), _, _ in found)
    assert texts == sorted([P_SIEGE, P_AID])


def test_align_partial_overlap_inside_a_longer_paragraph() -> None:
    first_two = P_TALKS.split(" but a spokesman")[0]  # a trimmed paste: one clause of the source
    a = "\n\n".join([P_OWN_1, P_TALKS + " " + P_AID])
    b = P_OWN_2 + " As reported: " + first_two + ". " + P_OWN_3
    (sa, sb, _), = align(a, b, min_words=15)
    assert a[sa[0] : sa[1]] == first_two
    assert b[sb[0] : sb[1]].startswith(first_two)


def test_quote_only_overlap_is_not_a_passage() -> None:
    quote = "“Daesh is on the run and being degraded by every measure,” the official told reporters."
    a = P_SIEGE + " " + quote
    b = P_TALKS + " " + quote + " " + P_OWN_2
    assert len(quote.split()) < 20
    assert align(a, b, min_words=20) == []
    assert find_reuse([doc("a", a), doc("b", b)]) == []


def test_align_empty_and_tiny_texts() -> None:
    assert align("", P_SIEGE) == []
    assert align(P_SIEGE, "") == []
    assert align("one two", "one two") == []


_WORDS = st.sampled_from(
    "army aid road town siege talks food convoy border camp river night bridge market school".split()
)


@settings(max_examples=40, deadline=None)
@given(
    before=st.lists(_WORDS, min_size=0, max_size=30),
    after=st.lists(_WORDS, min_size=0, max_size=30),
    punct=st.sampled_from(["", ",", ".", "”", "—"]),
)
def test_align_spans_are_exact_and_on_word_boundaries(before: list[str], after: list[str], punct: str) -> None:
    a = P_OWN_1 + "\n\n" + P_TALKS
    b = " ".join(before) + punct + " " + P_TALKS + punct + " " + " ".join(after)
    for (s1, e1), (s2, e2), _ in align(a, b):
        for t, s, e in ((a, s1, e1), (b, s2, e2)):
            assert s == 0 or not t[s - 1].isalnum()
            assert e == len(t) or not t[e].isalnum()
            assert t[s:e].strip() == t[s:e]
    assert any(P_TALKS[:-1] in b[s:e] for _, (s, e), _ in align(a, b))


# ----------------------------------------------------------------------------- batch


def test_find_reuse_exact_and_edited_copies() -> None:
    docs = [
        doc("src", P_SIEGE, P_TALKS, P_AID, outlet="Example News"),
        doc("cp1", P_OWN_1, P_TALKS, P_OWN_2, outlet="Blog One"),
        doc("cp2", P_OWN_3, P_AID.replace("two weeks", "ten days").replace("urged", "called on"), outlet="Blog Two"),
        doc("other", P_OWN_4, outlet="Other"),
    ]
    texts = {d[0]: d[1] for d in docs}
    found = find_reuse(docs)
    assert len(between(found, "src", "cp1")) == 1
    assert len(between(found, "src", "cp2")) == 1
    assert between(found, "src", "other") == [] and between(found, "cp1", "cp2") == []
    for cp in found:
        assert_spans_ok(cp, texts)
    (edited,) = between(found, "src", "cp2")
    assert edited.similarity < 1.0
    assert found == find_reuse(docs[::-1])  # order does not matter
    swapped = find_reuse([docs[1], docs[0]])
    assert swapped == find_reuse(docs[:2]) and swapped[0].direction == "unknown"


def test_boilerplate_only_overlap_is_not_reuse() -> None:
    form = "Leave a Reply\n\nYour email address will not be published. Required fields are marked *"
    docs = [doc("a", P_SIEGE, form), doc("b", P_TALKS, form), doc("c", P_AID, "Leave a comment", form)]
    assert find_reuse(docs) == []


def test_frequent_short_passage_is_boilerplate_but_syndication_is_not() -> None:
    footer = (
        "The Northern Observer is an independent newsroom founded by local reporters in the valley, "
        "funded by its readers and by no government, party or armed group."
    )
    assert 20 <= len(footer.split()) < 50
    own = [P_SIEGE, P_TALKS, P_AID, P_OWN_1, P_OWN_2, P_OWN_3]
    docs = [doc(f"d{i}", own[i], footer, outlet=f"Outlet {i}") for i in range(6)]
    assert find_reuse(docs) == []  # 6 documents ≥ boilerplate_docs=5
    assert len(find_reuse(docs[:2])) == 1  # two documents sharing it: reported
    # a long passage shared just as widely is a syndicated story, still reuse
    story = P_SIEGE + " " + P_TALKS
    wire = [doc(f"w{i}", own[(i + 2) % 6] if i else P_OWN_1, story, outlet=f"Outlet {i}") for i in range(6)]
    found = find_reuse(wire)
    assert len({frozenset((c.source.doc, c.copy.doc)) for c in found}) == 15


def test_document_with_empty_text() -> None:
    docs = [doc("empty", ""), doc("a", P_SIEGE, P_TALKS), doc("b", P_OWN_1, P_TALKS), ("blank", "  \n\n ", DocMeta())]
    found = find_reuse(docs)
    assert len(found) == 1
    assert {found[0].source.doc, found[0].copy.doc} == {"a", "b"}
    assert find_reuse([]) == []
    assert PassageIndex().signature("").shape == (128,)


# ----------------------------------------------------------------------------- direction


def _pair(a_kw: dict, b_kw: dict, b_text: str | None = None) -> tuple:
    a = ("a", "\n\n".join([P_OWN_1, P_SIEGE, P_TALKS]), meta(**a_kw))
    b = ("b", b_text if b_text is not None else "\n\n".join([P_OWN_2, P_SIEGE, P_OWN_3]), meta(**b_kw))
    return a, b, align(a[1], b[1])


def test_direction_from_dates() -> None:
    a, b, passages = _pair({"published": "2017-03-09", "precision": "day"}, {"published": "2017-03-10", "precision": "day"})
    assert decide_direction(a, b, passages) == ("source_to_copy", (EARLIER_DATE,), "a")
    assert decide_direction(b, a, [(y, x, s) for x, y, s in passages])[2] == "a"
    # same month at the finer precision both have: no evidence
    a, b, passages = _pair({"published": "2017-03-09", "precision": "day"}, {"published": "2017-03", "precision": "month"})
    assert decide_direction(a, b, passages) == ("unknown", (), None)
    a, b, passages = _pair({"published": "2017-02-28", "precision": "day"}, {"published": "2017-03", "precision": "month"})
    assert decide_direction(a, b, passages)[2] == "a"
    a, b, passages = _pair({"published": "2017-03-09", "precision": "day"}, {})
    assert decide_direction(a, b, passages) == ("unknown", (), None)


def test_direction_from_named_outlet() -> None:
    b_text = "\n\n".join([P_OWN_2, "The Example.com news portal notes that", P_SIEGE, P_OWN_3])
    a, b, passages = _pair({"outlet": "Example", "url": "https://www.example.com/2017/x"}, {"outlet": "Blog"}, b_text)
    assert decide_direction(a, b, passages) == ("source_to_copy", (NAMES_SOURCE,), "a")
    # a credit line ("Source: Example") moved to metadata by the cleaner counts too
    b_text = "\n\n".join([P_OWN_2, P_SIEGE, P_OWN_3])
    a, b, passages = _pair({"outlet": "Example"}, {"outlet": "Blog", "credit": "Example"}, b_text)
    assert decide_direction(a, b, passages)[1] == (NAMES_SOURCE,)
    # an outlet named only in lowercase prose ("for example") is not a mention
    b_text = "\n\n".join([P_OWN_2 + " For one example, see below.", P_SIEGE])
    a, b, passages = _pair({"outlet": "Example"}, {"outlet": "Blog"}, b_text)
    assert decide_direction(a, b, passages) == ("unknown", (), None)


def test_direction_from_as_reported() -> None:
    b_text = "\n\n".join([P_OWN_2, "As reported;", P_SIEGE, P_OWN_3])
    a, b, passages = _pair({}, {}, b_text)
    assert decide_direction(a, b, passages) == ("source_to_copy", (AS_REPORTED,), "a")


def test_direction_from_containment() -> None:
    a = ("a", P_SIEGE + "\n\n" + P_TALKS, meta())
    b = ("b", "\n\n".join([P_OWN_1, P_SIEGE, P_TALKS, P_OWN_2, P_OWN_3]), meta())
    assert decide_direction(a, b, align(a[1], b[1])) == ("source_to_copy", (CONTAINS_SOURCE,), "a")


def test_conflicting_evidence_is_unknown() -> None:
    # b is dated earlier, but b introduces the passage as reported: no guess
    b_text = "\n\n".join([P_OWN_2, "As reported;", P_SIEGE, P_OWN_3])
    a, b, passages = _pair({"published": "2017-03-09", "precision": "day"}, {"published": "2017-03-01", "precision": "day"}, b_text)
    direction, evidence, source = decide_direction(a, b, passages)
    assert (direction, source) == ("unknown", None)
    assert f"{EARLIER_DATE} (b as source)" in evidence
    assert f"{AS_REPORTED} (a as source)" in evidence
    # the passage records carry it
    found = find_reuse([a, b])
    assert found and all(c.direction == "unknown" and len(c.direction_evidence) == 2 for c in found)


# ----------------------------------------------------------------------------- incremental


def test_incremental_add_compares_new_docs_with_the_index_only() -> None:
    pindex = PassageIndex()
    index = MemoryIndex()
    store = {
        "A": (P_SIEGE + "\n\n" + P_TALKS, meta(outlet="Example", published="2017-03-01", precision="day")),
        "B": (P_OWN_1 + "\n\n" + P_AID, meta(outlet="Other")),
    }
    first = find_reuse_incremental([(k, *v) for k, v in store.items()], index, store.get, passage_index=pindex)
    assert first.passages == [] and first.boilerplate == []
    size = len(index)
    looked_up: list[str] = []

    def lookup(doc_id: str) -> tuple[str, DocMeta] | None:
        looked_up.append(doc_id)
        return store.get(doc_id)

    c = ("C", P_OWN_2 + "\n\n" + P_TALKS, meta(outlet="Blog", published="2017-03-02", precision="day"))
    upd = find_reuse_incremental([c], index, lookup, passage_index=pindex)
    (cp,) = upd.passages
    assert (cp.source.doc, cp.copy.doc) == ("A", "C")
    assert cp.direction == "source_to_copy" and cp.direction_evidence == (EARLIER_DATE,)
    assert cp.source.text == P_TALKS and cp.copy.text == P_TALKS
    assert looked_up == ["A"]  # B is not even read
    stored_c = sum(p.stored for p in pindex.passages(tokenize(c[1])))
    assert len(index) == size + stored_c  # A and B were not re-added
    # the incremental result equals the batch result
    assert upd.passages == find_reuse([(k, *v) for k, v in store.items()] + [c])


def test_incremental_withdraws_passages_that_turn_out_boilerplate() -> None:
    footer = (
        "The Northern Observer is an independent newsroom founded by local reporters in the valley, "
        "funded by its readers and by no government, party or armed group."
    )
    own = [P_SIEGE, P_TALKS, P_AID, P_OWN_1, P_OWN_2, P_OWN_3]
    docs = [doc(f"d{i}", own[i], footer, outlet=f"Outlet {i}") for i in range(6)]
    index, store = MemoryIndex(), {d[0]: (d[1], d[2]) for d in docs}
    early = find_reuse_incremental(docs[:2], index, store.get)
    assert len(early.passages) == 1  # two documents: reported for now
    late = find_reuse_incremental(docs[2:], index, store.get)
    assert late.passages == []
    assert {s.doc for s in late.boilerplate} >= {"d0", "d1"}
    assert all(s.text == footer for s in late.boilerplate)


def test_word_for_word_copies_are_tokenized_and_aligned_once_a_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wire story republished verbatim by many outlets: a batch aligns each pair of texts
    once and tokenizes each stored text once, and finds what aligning every document pair on
    its own finds."""
    from storyline.corpus import reuse

    texts = [P_SIEGE + "\n\n" + P_TALKS, P_AID + "\n\n" + P_TALKS]
    docs = [(f"d{i}", texts[i % 2], meta(outlet=f"Outlet {i}", published=f"2017-03-{i + 1:02d}", precision="day"))
            for i in range(8)]
    store = {d[0]: (d[1], d[2]) for d in docs}
    batches = (docs[:3], docs[3:])
    real_align, real_tokenize = reuse._align_tokens, reuse.tokenize
    aligned: list[tuple[str, str]] = []
    tokenized: list[str] = []

    def counting_align(ta: Any, tb: Any, **kw: Any) -> Any:
        aligned.append((ta.text, tb.text))
        return real_align(ta, tb, **kw)

    def counting_tokenize(text: str, **kw: Any) -> Any:
        tokenized.append(text)
        return real_tokenize(text, **kw)

    monkeypatch.setattr(reuse, "_align_tokens", counting_align)
    monkeypatch.setattr(reuse, "tokenize", counting_tokenize)
    index = MemoryIndex()
    found = []
    for batch in batches:
        aligned.clear()
        tokenized.clear()
        found.append(find_reuse_incremental(batch, index, store.get))
        assert len(aligned) == len(set(aligned)) <= 4  # two texts: at most four ordered pairs
        assert len(tokenized) <= len(batch) + 2  # each new document (its windows), each text once more
    monkeypatch.setattr(reuse, "_align_tokens", real_align)
    monkeypatch.setattr(reuse, "tokenize", real_tokenize)

    pairs = 0

    def every_pair(a: Any, b: Any) -> Any:  # the reference: each document pair aligned on its own
        nonlocal pairs
        pairs += 1
        return real_align(real_tokenize(a.text), real_tokenize(b.text), min_words=20, shingle_words=5, max_gap=20,
                          min_similarity=0.5)

    index, pindex, reference = MemoryIndex(), reuse.PassageIndex(), []
    for batch in batches:
        preps, candidates = [], {}
        for d in batch:
            prep = reuse._prepare(d, pindex)
            preps.append(prep)
            candidates[prep.id] = reuse._query_docs(index, prep, 100, 20, pindex.window_words)
            reuse._store(index, prep)
        reference.append(reuse._judge_batch(
            preps, candidates, store.get, every_pair, pindex, boilerplate_docs=5, boilerplate_outlets=1,
            boilerplate_max_words=50, templates=reuse.TemplateRule()))
    assert found == reference and pairs > 8
    assert sum(len(u.passages) for u in found) > 0


# ----------------------------------------------------------------------------- sample corpus

SAMPLE_META = {
    "000": {"outlet": "Rudaw", "published": "2016-10", "precision": "month"},
    "001": {"outlet": "Breitbart", "published": "2017-03-09", "precision": "day"},
    "002": {"outlet": "ARA News", "published": "2016-10", "precision": "month"},
    "003": {"outlet": "ARA News", "published": "2015-11", "precision": "month"},
    "004": {"outlet": "conservativefiringline.com"},
}

# the paragraphs of 004 pasted from 001, by their first words (one of them trimmed)
PASTED = [
    "While reports surfaced of plotting",
    "The outlet Voice of America (VoA) cites",
    "“When the Mosul offensive intensified",
    "Similar reports, on a small scale",
    "As Islamic State terrorist officials began",
]


@pytest.fixture(scope="module")
def sample_found(sample_dir: Path, sample_urls: dict[str, str]) -> tuple[list[CopiedPassage], dict[str, str]]:
    docs = []
    for f in sorted(sample_dir.glob("*.txt")):
        key = f.name[:3]
        docs.append((key, f.read_text(encoding="utf-8"), meta(url=sample_urls[key], **SAMPLE_META[key])))
    return find_reuse(docs), {d[0]: d[1] for d in docs}


def test_sample_every_pasted_paragraph_of_004_is_found(sample_found) -> None:
    found, texts = sample_found
    pairs = between(found, "001", "004")
    assert len(pairs) == len(PASTED)
    for cp in found:
        assert_spans_ok(cp, texts)
    paras_004 = {texts["004"][s:e] for s, e in paragraphs(texts["004"])}
    for first_words in PASTED:
        para = next(p for p in paras_004 if p.replace("\xa0", " ").startswith(first_words))
        hit = [c for c in pairs if c.copy.text == para]
        assert hit, f"pasted paragraph not found: {first_words}"
        norm = lambda x: " ".join(x.split())  # noqa: E731 (001 and 004 differ in no-break spaces)
        assert norm(hit[0].source.text).startswith(norm(para).rstrip("."))  # trimmed: a prefix in 001
        assert hit[0].similarity == 1.0


def test_sample_direction_is_001_to_004_with_the_named_outlet(sample_found) -> None:
    found, _ = sample_found
    for cp in between(found, "001", "004"):
        assert (cp.source.doc, cp.copy.doc) == ("001", "004")
        assert cp.direction == "source_to_copy"
        assert NAMES_SOURCE in cp.direction_evidence
        assert AS_REPORTED in cp.direction_evidence


def test_sample_no_passage_between_other_pairs(sample_found) -> None:
    found, texts = sample_found
    assert all({c.source.doc, c.copy.doc} == {"001", "004"} for c in found)
    # the short shared quote ("Daesh is on the run…") is not a passage of its own
    assert not any(re.match(r"“?Daesh", c.copy.text) for c in found)
