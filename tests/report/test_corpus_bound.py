"""The whole-corpus report's bound (the ``report_documents`` setting, :func:`storyline.report.reads.corpus_scope`).

Up to the bound the report reads every document and is the report it always was; above it
it reads at most the bound's documents — those of the corpus's most independently-sourced
claims and events, then of its largest stories — decodes no other document, and says what
it covers in its title and ``coverage`` field.

The store: 18 short generated documents through the whole pipeline (spaCy; about 7 s of
CPU): six outlets reporting a convoy in their own words (one story, one event carried by
three independent sources, a claim of "officials" carried by two), six reporting a city
budget (another story) and six unrelated notes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest

import storyline
from storyline.report import build_report, corpus_report, reads, render_html, render_json, render_markdown
from storyline.store import Store

OUTLETS = ["Wire A", "Daily B", "Herald C", "Post D", "Times E", "Gazette F"]
FILLER = ["The weather was cold in the region.", "Markets in the capital were quiet on the day.",
          "Local schools reopened after the holiday.", "A bridge on the northern road was repaired.",
          "Officials said the harvest had been poor this year.", "Several shops stayed closed in the old town."]
CONVOY = [
    "Speaking in Baghdad, coalition spokesman John Dorrian said more than 90 fighters left Raqqa for Deir ez-Zor on Monday.",
    "John Dorrian, who speaks for the coalition, said over 90 fighters had left Raqqa for Deir ez-Zor on Monday morning.",
    "According to John Dorrian of the coalition, more than ninety fighters left Raqqa on Monday, heading for Deir ez-Zor.",
    "On Monday more than 90 fighters left Raqqa for Deir ez-Zor, coalition spokesman John Dorrian told reporters.",
    "Coalition officer John Dorrian said that more than 90 militants left Raqqa for Deir ez-Zor on Monday.",
    "More than 90 fighters abandoned Raqqa for Deir ez-Zor on Monday, John Dorrian of the coalition said.",
]
TOWNS = ["Tabqa", "Manbij", "Hasakah", "Kobani", "Palmyra", "Homs"]
NOTES = ["A chess club in Oslo elected a new chair after a long vote.",
         "Rainfall in the Atacama desert broke a record for the month of June.",
         "A violin made in Cremona sold at auction for an undisclosed sum.",
         "The ferry timetable between two Greek islands changed for the winter.",
         "A bakery in Lyon won a regional prize for its croissants.",
         "Volunteers counted migrating cranes along a lake in Hungary."]


def _write(path: Path) -> None:
    rows = []
    for i in range(6):
        body = [f"{FILLER[i]} {FILLER[(i + 2) % 6]}", CONVOY[i],
                f"{FILLER[(i + 4) % 6]} Report number {i} adds detail about the town of {TOWNS[i]}."]
        rows.append({"text": "\n\n".join(body), "title": f"Fighters leave Raqqa, says coalition ({i})",
                     "url": f"https://{OUTLETS[i].lower().replace(' ', '-')}.example/{i}",
                     "published": f"2017-03-0{1 + i}", "outlet": OUTLETS[i]})
    for i in range(6):
        rows.append({"text": f"The city council of Springfield voted on a new budget for parks. {FILLER[i]} The mayor, "
                             "Ann Lee, said the budget would rise by 12 percent next year.",
                     "title": f"Springfield budget vote {i}", "url": f"https://{OUTLETS[i].lower().replace(' ', '-')}.example/b{i}",
                     "published": f"2018-05-0{1 + i}", "outlet": OUTLETS[i]})
    for i, note in enumerate(NOTES):
        rows.append({"text": note, "title": f"Note {i}", "url": f"https://notes.example/{i}",
                     "published": f"2019-01-0{1 + i}", "outlet": "Notes"})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("bound")
    _write(folder / "docs.jsonl")
    with Store(folder / "bound.db") as s:
        summary = storyline.ingest(s, [folder / "docs.jsonl"], progress=False)
        assert summary.rejected == 0
    with Store(folder / "bound.db", readonly=True) as s:
        yield s


def _record(report: Any) -> dict[str, Any]:
    rec = json.loads(render_json(report))
    rec.pop("generated_at")
    return rec


class _Reads:
    """The documents decoded while the report is built (Store.get and Store.iter_docs)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.ids: list[str] = []
        self.all_docs = 0
        get, iter_docs = Store.get, Store.iter_docs

        def spy_get(s: Store, ref: str, *a: Any, **k: Any) -> Any:
            d = get(s, ref, *a, **k)
            self.ids.append(d.id)
            return d

        def spy_iter(s: Store, *a: Any, **k: Any) -> Any:
            self.all_docs += 1
            return iter_docs(s, *a, **k)

        monkeypatch.setattr(Store, "get", spy_get)
        monkeypatch.setattr(Store, "iter_docs", spy_iter)


def _strongest_stored(store: Store, table: str) -> tuple[int, set[str]]:
    """The highest independent-source count of a stored claim/event and the ids that have it."""
    rows = [json.loads(r[0]) for r in store.conn.execute(f"SELECT record FROM {table}")]  # noqa: S608
    top = max(r["independent_sources"] for r in rows)
    return top, {r["id"] for r in rows if r["independent_sources"] == top}


def test_fixture_has_several_stories_and_multi_source_findings(store: Store) -> None:
    from storyline.corpus.persist import story_list

    assert sorted(len(s.documents) for s in story_list(store))[-2:] == [6, 6]
    assert _strongest_stored(store, "claims")[0] >= 2 and _strongest_stored(store, "events")[0] >= 2


def test_under_the_bound_the_report_reads_every_document_as_before(store: Store) -> None:
    """No coverage field, and the very record of the report of every document with every
    story as its structure (what corpus_report built before it had a bound)."""
    from storyline.corpus.persist import story_list

    n = store.conn.execute(reads._CURRENT).fetchone()[0]
    at_bound = corpus_report(store, max_documents=n)
    assert at_bound.coverage is None and "coverage" not in at_bound.to_record()
    before = build_report(store, None, title="All documents", story={
        "id": None, "title": "All documents", "episodes": [], "stories": [s.to_record() for s in story_list(store)]})
    assert _record(at_bound) == _record(before)
    assert _record(corpus_report(store, max_documents=10**9)) == _record(before)
    assert render_markdown(at_bound).splitlines()[0] == "# All documents"


def test_over_the_bound_reads_only_what_it_shows_and_says_so(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    n = store.conn.execute(reads._CURRENT).fetchone()[0]
    bound = 16
    spy = _Reads(monkeypatch)
    report = corpus_report(store, max_documents=bound)
    rec = _record(report)
    cov = rec["coverage"]
    shown = rec["story"]["documents"]
    assert cov["bounded"] and cov["max_documents"] == bound and cov["documents_total"] == n
    assert cov["documents"] == len(shown) <= bound and rec["counts"]["documents"] == len(shown)
    # only the documents it shows are decoded, each once, and never the whole corpus
    assert spy.all_docs == 0 and sorted(spy.ids) == sorted(shown)
    # the title (the header of every rendering) says what it covers
    assert rec["title"].startswith("All documents — ") and rec["title"].endswith(f"{len(shown):,} of {n:,} documents")
    assert rec["title"] in render_html(report) and rec["title"] in render_markdown(report).replace("\\", "")
    assert f"reads {len(shown):,} of the corpus's {n:,} current documents" in cov["note"]
    # and the note itself stands under the header of the HTML and Markdown renderings
    assert cov["note"] in unescape(render_html(report))
    assert f"reads {len(shown):,} of the corpus" in render_markdown(report).replace("\\", "")
    # the strongest findings of the whole corpus are read with their documents
    for kind, table in (("claims", "claims"), ("events", "events")):
        _, best = _strongest_stored(store, table)
        assert best & set(cov["strongest"][kind]), kind
    assert cov["strongest"]["exact"] and cov["strongest"]["documents"] <= bound // 2
    assert set(cov["strongest"]["claims"]) <= set(rec["story"]["claims"])
    assert set(cov["strongest"]["events"]) <= set(rec["story"]["events"])
    # then whole stories, largest first, listed as the structure
    from storyline.corpus.persist import story_list

    stories = {s.id: s for s in story_list(store)}
    assert cov["stories_total"] == len(stories) and cov["stories"] >= 1 and cov["partial_story"] is None
    assert [ep["id"] for ep in rec["story"]["episodes"]] == cov["story_ids"]
    for sid in cov["story_ids"]:
        assert set(stories[sid].documents) <= set(shown)
    sizes = sorted((len(s.documents) for s in stories.values()), reverse=True)
    assert sorted((len(stories[sid].documents) for sid in cov["story_ids"]), reverse=True) == sizes[: cov["stories"]]


def test_a_story_larger_than_the_bound_is_read_in_part(store: Store) -> None:
    """Even the largest story over the bound: its latest documents, and no more than the bound."""
    from storyline.corpus.persist import story_list

    largest = story_list(store, limit=1)[0]
    bound = len(largest.documents) - 1
    rec = _record(corpus_report(store, max_documents=bound))
    cov = rec["coverage"]
    assert cov["stories"] == 0 and cov["partial_story"]["id"] == largest.id
    assert cov["partial_story"]["documents_total"] == len(largest.documents)
    assert len(rec["story"]["documents"]) == cov["documents"] == bound
    assert f"of the {len(largest.documents)} documents of the largest story" in rec["title"]
    if cov["strongest"]["documents"] == 0:  # then the documents are the story's latest
        dates = {d: store.get(d, with_raw=False).meta.published or "" for d in largest.documents}
        latest = sorted(largest.documents, key=lambda d: dates[d], reverse=True)[:bound]
        assert sorted(rec["story"]["documents"]) == sorted(latest)


def test_the_bound_is_a_setting(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from storyline.settings import Config

    assert Config().report_documents == 1000
    monkeypatch.setenv("STORYLINE_REPORT_DOCUMENTS", "12")
    rec = corpus_report(store).to_record()
    assert rec["coverage"]["max_documents"] == 12 and len(rec["story"]["documents"]) <= 12


# ------------------------------------------------------------------------------ a story's report


def test_a_story_report_under_the_bound_is_as_before(store: Store) -> None:
    from storyline.corpus.persist import story_list
    from storyline.report import story_report

    for story in story_list(store):
        got = story_report(store, story, max_documents=len(story.documents))
        assert got.coverage is None and "coverage" not in got.to_record()
        assert _record(got) == _record(build_report(store, story.documents, story=story.to_record()))


def test_a_story_report_over_the_bound_reads_its_strongest_findings_and_says_so(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the bound a story's report reads at most that many of its documents: those of
    its strongest claims and events first, then each episode's latest in turn; it decodes no
    other document and its title, note and ``coverage`` say what it covers."""
    from storyline.cli import main
    from storyline.corpus.persist import story_list
    from storyline.report import story_report

    story = story_list(store, limit=1)[0]
    n = len(story.documents)
    bound = n - 2
    spy = _Reads(monkeypatch)
    report = story_report(store, story, max_documents=bound)
    rec = _record(report)
    cov, shown = rec["coverage"], rec["story"]["documents"]
    assert cov["bounded"] and cov["max_documents"] == bound and cov["documents_total"] == n
    assert cov["documents"] == len(shown) == bound and set(shown) <= set(story.documents)
    assert shown == [d for d in story.documents if d in set(shown)]  # in the story's order
    assert spy.all_docs == 0 and sorted(set(spy.ids)) == sorted(shown)
    assert rec["title"] == f"{story.title} — {bound:,} of {n:,} documents"
    assert f"reads {bound:,} of the story's {n:,} documents" in cov["note"] and cov["note"] in unescape(render_html(report))
    # the story's strongest stored claim and event are read with their documents
    claims = [json.loads(r[0]) for r in store.conn.execute(
        "SELECT record FROM claims WHERE id IN (SELECT claim_id FROM claim_docs WHERE doc_id IN"
        " (SELECT value FROM json_each(?)))", (json.dumps(story.documents),))]
    top = max(c["independent_sources"] for c in claims)
    assert top >= 2 and {c["id"] for c in claims if c["independent_sources"] == top} & set(cov["strongest"]["claims"])
    assert set(cov["strongest"]["claims"]) <= set(rec["story"]["claims"])
    # the rest: each episode's latest documents first
    if cov["strongest"]["documents"] < bound:
        dates = {d: store.get(d, with_raw=False).meta.published or "" for d in story.documents}
        left_out = set(story.documents) - set(shown)
        for ep in story.episodes:
            mine = sorted(ep.documents, key=lambda d: dates[d], reverse=True)
            assert not (left_out & set(mine)) or mine[0] in shown
    # the CLI and the setting
    monkeypatch.setenv("STORYLINE_REPORT_DOCUMENTS", str(bound))
    out = Path(store.path).parent / "story-report.json"
    assert main(["report", story.id, "--db", str(store.path), "--format", "json", "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["coverage"]["documents"] == bound
