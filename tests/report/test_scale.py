"""The report stays bounded on a large story: every section shows at most its cap and says
how much it leaves out, while the story record keeps every document.

The store: 400 tiny generated documents (one lead sentence with a count, one paragraph of
random words, every third document pasting one of 12 shared paragraphs so that copy
detection finds copies), ingested with the cheap stages only (no spaCy), as bench/app.py
does. Ingest takes a few seconds; each report well under one."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import storyline
from storyline.pipeline import Pipeline
from storyline.report import build, corpus_report, render_html, render_json, render_markdown
from storyline.store import Store

N_DOCS = 400
STAGES = ["clean", "citations", "times", "quantities"]
OUTLETS = ["Wire A", "Wire B", "Daily C", "Gazette D", "Herald E", "Post F", "Times G", "Blog H"]
SPEAKERS = ["a spokesman for the coalition", "local activists", "a military official", "residents"]


def _write_docs(path: Path, n: int) -> None:
    rng = random.Random(5)
    vocab = ["".join(rng.choice("abcdefghiklmnoprstuvw") for _ in range(rng.randrange(3, 9))) for _ in range(2000)]
    shared = [" ".join(rng.choice(vocab) for _ in range(60)).capitalize() + "." for _ in range(12)]
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            count = rng.choice([40, 50, 75, 90, 120, 300, 1500, 2000])
            unit = rng.choice(["fighters", "vehicles", "families", "civilians", "troops"])
            body = [
                f"Fighters moved from Raqqa to Deir ez-Zor on March {1 + i % 27}, 2017, {rng.choice(SPEAKERS)} said. "
                f"More than {count} {unit} were involved, and {rng.randrange(2, 900)} "
                f"{rng.choice(['trucks', 'people', 'soldiers'])} left.",
                " ".join(rng.choice(vocab) for _ in range(30)).capitalize() + ".",
            ]
            if i % 3 == 0:  # a pasted paragraph: copy detection links these documents
                body.append(shared[i % len(shared)])
            fh.write(json.dumps({
                "text": "\n\n".join(body), "title": f"Report {i} on the convoy",
                # one host per outlet: text one site repeats on its own pages is a site template
                "url": f"https://{OUTLETS[i % len(OUTLETS)].lower().replace(' ', '-')}.example/{i}", "published": f"2017-03-{1 + i % 27:02d}",
                "outlet": OUTLETS[i % len(OUTLETS)],
            }) + "\n")


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("scale")
    src = folder / "docs.jsonl"
    _write_docs(src, N_DOCS)
    with Store(folder / "scale.db") as store:
        storyline.ingest(store, [src], pipeline=Pipeline(STAGES), progress=False)
        yield store


@pytest.fixture(scope="module")
def big(big_store: Store) -> Any:
    return corpus_report(big_store)


@pytest.fixture(scope="module")
def big_record(big: Any) -> dict[str, Any]:
    return json.loads(render_json(big))


def _copy_related(store: Store, doc_ids: set[str]) -> set[str]:
    from storyline.corpus.persist import provenance_graph

    docs = [d for d in store.iter_docs(status=["ok"]) if d.id in doc_ids]
    g = provenance_graph(store, docs)
    out = set()
    for u, v, k in g.edges(keys=True):
        if k == "copies":
            out |= {u.removeprefix("doc:"), v.removeprefix("doc:")}
    return out & doc_ids


def test_story_record_stays_complete(big_record: dict[str, Any], big_store: Store) -> None:
    all_ids = {d.id for d in big_store.iter_docs(status=["ok"])}
    story = big_record["story"]
    assert len(story["documents"]) == N_DOCS and set(story["documents"]) == all_ids
    # the corpus report's structure is its stories: the record lists every one, complete
    from storyline.corpus.persist import story_list

    stories = story_list(big_store)
    assert len(stories) > build.MAX_EPISODES  # the fixture has many small stories
    assert len(story["episodes"]) == len(stories)
    assert sorted(sorted(ep["documents"]) for ep in story["episodes"]) == sorted(
        sorted(s.documents) for s in stories)


def test_sources_bounded_and_prioritised(big_record: dict[str, Any], big_store: Store) -> None:
    sources = big_record["sources"]
    assert len(sources) == build.MAX_SOURCES
    assert big_record["omitted"]["sources"] == N_DOCS - build.MAX_SOURCES
    ids = {s["id"] for s in sources}
    related = _copy_related(big_store, set(big_record["story"]["documents"]))
    assert related and len(related) < build.MAX_SOURCES
    assert related <= ids  # every document in a copy relation is described before the others
    dates = [(s["published"] or "", s["id"]) for s in sources]
    assert dates == sorted(dates)  # shown in date order


def test_numbers_bounded_with_true_spread(big_record: dict[str, Any]) -> None:
    groups = big_record["numbers"]
    assert groups and len(groups) <= build.MAX_NUMBER_GROUPS
    assert any(g["omitted"] for g in groups)
    for g in groups:
        rows = g["reports"]
        assert len(rows) <= build.MAX_NUMBER_ROWS
        assert g["omitted"] == g["total_reports"] - len(rows)
        # the lowest and the highest value stay among the rows shown
        assert g["min"] is None or any((r["low"] if r["low"] is not None else r["high"]) == g["min"] for r in rows)
        if not g["open_above"] and g["max"] is not None:
            assert any((r["high"] if r["high"] is not None else r["low"]) == g["max"] for r in rows)
        for r in rows:
            assert len(r["copies"]) <= build.MAX_NUMBER_COPIES
            assert r["copies_total"] >= len(r["copies"])
    assert big_record["omitted"]["number_reports"] == sum(g["omitted"] for g in groups)


def test_provenance_bounded_and_deterministic(big_record: dict[str, Any], big_store: Store) -> None:
    prov = big_record["provenance"]
    nodes = prov["nodes"]
    assert len(nodes) <= build.MAX_PROVENANCE_NODES
    assert prov["totals"]["nodes"] == N_DOCS + len(OUTLETS)
    assert prov["omitted"]["nodes"] == prov["totals"]["nodes"] - len(nodes) > 0
    shown = {n["id"] for n in nodes}
    assert all(e["source"] in shown and e["target"] in shown for e in prov["edges"])
    assert sum(1 for e in prov["edges"] if e["relation"] == "copies") <= build.MAX_PROVENANCE_COPIES
    assert prov["omitted"]["edges"] == prov["totals"]["edges"] - len(prov["edges"])
    # the strongest copy relation is drawn, and the outlets are all there (only 8)
    assert any(e["relation"] == "copies" for e in prov["edges"])
    assert sum(1 for n in nodes if n["type"] == "outlet") == len(OUTLETS)
    again = json.loads(render_json(corpus_report(big_store)))["provenance"]
    assert again["nodes"] == nodes and again["edges"] == prov["edges"]


def test_structure_bounded(big_record: dict[str, Any]) -> None:
    eps = big_record["timeline"]["episodes"]
    assert big_record["timeline"]["structure"] == "stories"
    assert len(eps) == build.MAX_EPISODES
    assert big_record["timeline"]["episodes_omitted"] == len(big_record["story"]["episodes"]) - build.MAX_EPISODES
    full = {ep["id"]: ep["documents"] for ep in big_record["story"]["episodes"]}
    for ep in eps:
        assert len(ep["documents"]) <= build.MAX_EPISODE_DOCS
        assert ep["document_count"] == len(full[ep["id"]])
        assert ep["omitted"] == ep["document_count"] - len(ep["documents"])
    # the largest are shown
    sizes = sorted((len(d) for d in full.values()), reverse=True)
    assert sorted((ep["document_count"] for ep in eps), reverse=True) == sizes[: build.MAX_EPISODES]


def test_renderings_show_what_is_left_out(big: Any, big_record: dict[str, Any]) -> None:
    html = render_html(big)
    assert len(html.encode("utf-8")) < 3_000_000
    assert len(re.findall(r'<li id="src-', html)) == build.MAX_SOURCES
    assert f"… and {N_DOCS - build.MAX_SOURCES} more documents" in html
    assert html.count('<g class="node') <= build.MAX_PROVENANCE_NODES
    assert "The graph shows" in html
    more = big_record["timeline"]["episodes_omitted"]
    assert f"… and {more} more smaller stories" in html
    md = render_markdown(big)
    assert f"… and {N_DOCS - build.MAX_SOURCES} more documents" in md
    assert md.count("\n### Report ") == build.MAX_SOURCES  # one heading per source described
    app = render_html(big, standalone=False, doc_url=lambda d: f"/docs/{d}")
    assert "open one from its reference" in app


def test_small_caps_on_one_story(big_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the caps made small, a single story's report obeys each one and counts the rest."""
    from storyline.corpus.persist import story_list

    story = max(story_list(big_store), key=lambda s: (len(s.to_record().get("episodes") or []), len(s.documents)))
    rec_in = story.to_record()
    # episodes are bounded to 21 days (issue #16): this month of reports makes few of them
    assert len(rec_in["episodes"]) >= 2 and len(story.documents) > 7
    max_eps = len(rec_in["episodes"]) - 1
    for name, value in {"MAX_SOURCES": 7, "MAX_PROVENANCE_NODES": 12, "MAX_NUMBER_GROUPS": 2, "MAX_NUMBER_ROWS": 3,
                        "MAX_EPISODES": max_eps, "MAX_EPISODE_DOCS": 2}.items():
        monkeypatch.setattr(build, name, value)
    r = build.build_report(big_store, story.documents, story=rec_in)
    rec = json.loads(render_json(r))
    n = len(story.documents)
    assert sorted(rec["story"]["documents"]) == sorted(story.documents)
    assert [sorted(ep["documents"]) for ep in rec["story"]["episodes"]] == [
        sorted(ep["documents"]) for ep in rec_in["episodes"]]
    assert len(rec["sources"]) == 7 and rec["omitted"]["sources"] == n - 7
    assert len(rec["provenance"]["nodes"]) <= 12
    assert rec["omitted"]["provenance_nodes"] == rec["provenance"]["totals"]["nodes"] - len(rec["provenance"]["nodes"])
    assert len(rec["numbers"]) <= 2 and all(len(g["reports"]) <= 3 for g in rec["numbers"])
    assert rec["omitted"]["numbers"] >= 1
    eps = rec["timeline"]["episodes"]
    assert len(eps) == max_eps and rec["timeline"]["episodes_omitted"] == len(rec_in["episodes"]) - max_eps
    assert all(len(ep["documents"]) <= 2 for ep in eps)
    starts = [ep["start"] or "" for ep in eps]
    assert starts == sorted(starts)  # the largest episodes, shown in time order
    html = render_html(r)
    assert f"… and {n - 7} more documents" in html
    assert "more groups of numbers" in html
    md = render_markdown(r)
    assert f"… and {n - 7} more documents" in md and "more groups of numbers" in md
