"""What a report reads (storyline.report.reads): only the layers it uses, the provenance
graph of the story's copy components instead of the whole corpus's, and story records
whose summary/events/claims are the report's own (sample store: tests/conftest.py)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from storyline.corpus.persist import story_list
from storyline.report import build_report, reads, render_json, story_fields
from storyline.store import Store
from storyline.types import Doc


def _json(report: Any) -> str:
    return re.sub(r'"generated_at": "[^"]*"', "", render_json(report))


def test_read_docs_decodes_only_the_slots_asked(sample_store: Store, sample_docs: dict[str, Doc]) -> None:
    ids = [d.id for d in sample_docs.values()]
    docs = reads.read_docs(sample_store, ids + ids[:1], reads.SUMMARY_SLOTS)
    assert [d.id for d in docs] == ids  # each once, in the order asked
    for d in docs:
        full = sample_docs[next(k for k, v in sample_docs.items() if v.id == d.id)]
        assert d.text == full.text and d.meta == full.meta
        assert d.sentences == full.sentences and d.citations == full.citations
        assert not d.entities and not d.events and not d.times and not d.attributions
    assert any(full.entities for full in sample_docs.values())  # the sample has what was left out


def test_copy_component_follows_copies_beyond_the_documents(sample_store: Store, sample_docs: dict[str, Doc]) -> None:
    # 004 pastes paragraphs of 001: a report on 004 alone still sees 001 in its copy group
    assert reads.copy_component(sample_store, [sample_docs["004"].id]) == {sample_docs["004"].id, sample_docs["001"].id}
    assert reads.copy_component(sample_store, [sample_docs["000"].id]) == {sample_docs["000"].id}  # copies nothing


@pytest.mark.parametrize("subset", [("000",), ("004", "000"), ("000", "001", "002", "003", "004")])
def test_report_on_component_graph_equals_whole_corpus_graph(
    sample_store: Store, sample_docs: dict[str, Doc], monkeypatch: pytest.MonkeyPatch, subset: tuple[str, ...]
) -> None:
    # ("000",): the whole-corpus graph also holds 001 → 004 copies, the component graph not
    ids = [sample_docs[k].id for k in subset]
    lean = _json(build_report(sample_store, ids, title="t"))
    whole = reads.story_graph

    def whole_graph(store: Store, docs: Any, **_: Any) -> Any:
        return whole(store, docs, whole_corpus=True)

    monkeypatch.setattr(reads, "story_graph", whole_graph)
    assert lean == _json(build_report(sample_store, ids, title="t"))


def test_story_fields_are_the_reports_story_fields(sample_store: Store) -> None:
    for story in story_list(sample_store):
        rec = build_report(sample_store, story.documents, story=story.to_record()).to_record()["story"]
        fields = story_fields(sample_store, story.documents)
        assert set(fields) == {"summary", "events", "claims"}
        assert fields == {k: rec[k] for k in fields}
        assert fields["summary"] and fields["events"] and fields["claims"]
        json.dumps(fields)


@pytest.mark.parametrize("subset", [("000",), ("004",), ("001", "002"), ("004", "003", "000")])
def test_story_fields_of_any_documents_equal_their_reports(
    sample_store: Store, sample_docs: dict[str, Doc], subset: tuple[str, ...]
) -> None:
    # the summary reads copy groups from bare copy edges, the report from the passages
    ids = [sample_docs[k].id for k in subset]
    rec = build_report(sample_store, ids).to_record()["story"]
    assert story_fields(sample_store, ids) == {k: rec[k] for k in ("summary", "events", "claims")}
