"""Language identification: real news texts in Korean, Portuguese, Italian, Indonesian and
Russian are stored, dated, searchable and shown with their language, and never annotated with
the English models (issue 11: "Jangan" became a town in Korea, Portuguese words people).

Texts: ``tests/fixtures/language/foreign_news.jsonl`` (excerpts of real pages, each with its
URL; extracted from ``../shared/datasets/pubdates`` with trafilatura).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

import storyline
from storyline.clean.language import UNDETERMINED, covers, foreign_passages, guess_language
from storyline.pipeline import Pipeline
from storyline.records import EntityMention, PlaceMention

Stores = dict[str, storyline.Store]

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "language" / "foreign_news.jsonl"
ROWS = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
FOREIGN = [r for r in ROWS if r["lang"] != "en"]
QUOTING = next(r for r in ROWS if r.get("quoted_lang"))
ANNOTATION = ("entities", "places", "attributions", "events", "times", "quantities", "citations")


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, storyline.Store]:
    """The same six documents ingested with every stage, and without the language stage
    (the behaviour before identification existed)."""
    root = tmp_path_factory.mktemp("language")
    folder = root / "in"
    folder.mkdir()
    for i, r in enumerate(ROWS):
        (folder / f"{i}_{r['lang']}.txt").write_text(r["text"], encoding="utf-8")
    out = {}
    for name, pipe in (
        ("before", Pipeline([s.name for s in Pipeline().stages if s.name != "language"])),
        ("after", Pipeline()),
    ):
        store = storyline.open_store(root / f"{name}.db")
        summary = storyline.ingest(store, [folder], pipeline=pipe, progress=False)
        assert summary.ingested == len(ROWS) and not summary.rejections
        out[name] = store
    return out


def _by_lang(store: storyline.Store) -> dict[str, storyline.Doc]:
    return {d.source_path.rsplit("_", 1)[1].removesuffix(".txt"): d for d in store.iter_docs()}


def test_english_models_annotated_foreign_text_without_identification(stores: Stores) -> None:
    # the failure as measured: the English models find "entities" in Portuguese, Indonesian,
    # Russian and Italian text (Portuguese words as people, Indonesian headlines as organisations)
    before = _by_lang(stores["before"])
    assert sum(len(before[r["lang"]].entities) for r in FOREIGN) >= 10
    assert before["pt"].entities and before["id"].entities and before["ru"].entities


@pytest.mark.parametrize("lang", [r["lang"] for r in FOREIGN])
def test_foreign_document_is_identified_and_not_annotated(stores: Stores, lang: str) -> None:
    doc = _by_lang(stores["after"])[lang]
    assert doc.status == "ok" and doc.text
    assert doc.meta.language == lang and doc.meta.language_confidence is not None
    for slot in ANNOTATION:
        assert getattr(doc, slot) == [], slot
    rec = doc.to_record(full=True)
    assert rec["language"] == lang
    # the record says which analyses skipped it and why
    assert set(rec["not_analysed"]) >= {"nlp", "entities", "places", "attributions", "events"}
    assert set(rec["not_analysed"].values()) == {f"language {lang}"}


def test_foreign_documents_are_searchable_and_not_retried(stores: Stores) -> None:
    store = stores["after"]
    pt = _by_lang(store)["pt"]
    hits = store.conn.execute(
        "SELECT d.id FROM documents_fts f JOIN documents d ON d.rowid = f.rowid WHERE documents_fts MATCH ?",
        ('"sanções"',),
    ).fetchall()
    assert pt.id in {h[0] for h in hits}
    # a skipped stage counts as done: analyze does not recompute these documents forever
    assert store.stale_ids(Pipeline().versions) == []


def test_english_document_with_quoted_portuguese_paragraph(stores: Stores) -> None:
    doc = _by_lang(stores["after"])["en"]
    assert doc.meta.language == "en" and not doc.skipped
    assert doc.entities  # English analysis ran
    assert len(doc.language_spans) == 1
    span = doc.language_spans[0]
    assert span.language == QUOTING["quoted_lang"]
    assert doc.text is not None
    passage = doc.text[span.start : span.end]
    assert "Bolsonaro" in passage and "Ada Limon" not in passage
    # the English model's entities and the gazetteer's places stay out of the Portuguese passage
    before = next(d for d in stores["before"].iter_docs() if d.source_path.endswith("_en.txt"))
    assert any(span.start <= e.start < span.end for e in before.entities)  # as without identification
    mentions: list[EntityMention | PlaceMention] = [*doc.entities, *doc.places]
    for m in mentions:
        assert not (span.start <= m.start < span.end), m
    # the layer survives the store round trip as records
    assert doc.to_record(full=True)["language_spans"][0]["language"] == "pt"


def test_cli_shows_language_and_status(stores: Stores, capsys: pytest.CaptureFixture[str]) -> None:
    from storyline.cli import main

    store = stores["after"]
    main(["docs", "--db", store.path])
    listing = capsys.readouterr().out
    langs = {m.group(1) for m in re.finditer(r"^\S+\s+ok\s+(\w\w)\b", listing, re.M)}
    assert {"ko", "pt", "en"} <= langs, listing
    main(["show", "--db", store.path, _by_lang(store)["id"].id])
    shown = capsys.readouterr().out
    assert "language: id" in shown and "not analysed (language id)" in shown


def test_app_document_page_and_search_show_language(stores: Stores) -> None:
    from fastapi.testclient import TestClient

    from storyline.app import create_app

    store = stores["after"]
    client = TestClient(create_app(store.path), base_url="http://localhost")
    ru = _by_lang(store)["ru"]
    page = client.get(f"/docs/{ru.id}").text
    assert "<dt>Language</dt><dd>ru (1.00)" in page and "not analysed (language ru)" in page
    assert "· ru" in client.get("/search", params={"q": "Москва"}).text


def test_short_and_undetermined_texts() -> None:
    assert guess_language("Hi!").language == UNDETERMINED  # too few letters to tell
    guess = guess_language("Tiz the Law draws No. 17 post as 3-5 Kentucky Derby favorite")  # an AP headline
    assert guess.language in ("en", UNDETERMINED)
    assert covers(("en",), guess.language, guess.scores)  # a short English headline is still analysed
    # an undetermined text without a plausible English reading is not
    assert not covers(("en",), UNDETERMINED, {"bs": 0.44, "hr": 0.22, "en": 0.0})
    assert covers(("en",), None, {})  # no language stage ran: the behaviour before identification


def test_no_passages_reported_for_a_one_language_text() -> None:
    pt = next(r for r in FOREIGN if r["lang"] == "pt")["text"]
    assert foreign_passages(pt, "pt") == []
    assert foreign_passages(pt, UNDETERMINED) == []


def test_single_walk_scoring_agrees_with_py3langid() -> None:
    # clean.language scores paragraphs and the document from one walk over the text, with its
    # own copy of py3langid's scoring: it must give py3langid's own answer
    from storyline.clean.language import (
        _features,
        _paragraphs,
        _probabilities,
        _ranked,
        _ranked_row,
        load_identifier,
    )

    ident = load_identifier()
    for r in ROWS:
        for text in (r["text"], r["text"][:60]):
            ours = _ranked(ident, *_features(ident, text))[:3]
            theirs = ident.rank(text)[:3]
            assert [k for k, _ in ours] == [k for k, _ in theirs]
            assert all(abs(a - b) < 1e-4 for (_, a), (_, b) in zip(ours, theirs))
        # the batched product scores each long paragraph, and the document, the same way
        paragraphs = list(_paragraphs(ident, r["text"]))
        rows = [i for i, p in enumerate(paragraphs) if p.end - p.start >= 150]
        probs = _probabilities(ident, paragraphs, rows)
        for p, row in zip([paragraphs[i] for i in rows], probs):
            assert _ranked_row(ident, row)[0][0] == _ranked(ident, p.visits, p.nbytes)[0][0]
            assert abs(_ranked_row(ident, row)[0][1] - _ranked(ident, p.visits, p.nbytes)[0][1]) < 1e-4
        total: Counter[int] = Counter()
        for p in paragraphs:
            total.update(p.visits)
        nbytes = sum(p.nbytes + 1 for p in paragraphs)
        assert _ranked_row(ident, probs[-1])[0][0] == _ranked(ident, total, nbytes)[0][0]


def test_skipped_stage_clears_stale_results_and_says_why() -> None:
    # a document analysed in English before identification existed (storyline analyze after an
    # upgrade): its old layers must not survive the skip
    from storyline.types import Doc

    pt = next(r for r in FOREIGN if r["lang"] == "pt")["text"]
    doc = Doc(id="x", source_path="pt.txt", locator="", content_type="text", raw=pt.encode())
    doc.entities = [EntityMention(0, 5, pt[:5], "person", "stale", "person:stale")]  # a stale English layer
    doc.skipped = {"nlp": "language xx"}
    done, rejected = Pipeline().process(doc)
    assert rejected is None and done.status == "ok"
    assert done.entities == [] and done.nlp is None
    assert done.skipped["nlp"] == "language pt" and "language" not in done.skipped
    assert done.stage_versions["entities"] == Pipeline().versions["entities"]
