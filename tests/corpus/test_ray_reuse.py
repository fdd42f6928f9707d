"""Copy detection in batch form on Ray (storyline.corpus.ray_reuse) stores exactly what the
local incremental step (persist.update_reuse) stores, record for record: copied passages (ids
included), site templates and their pages, the provenance log, the band index and the indexed
set — on the sample corpus, on real news texts with planted cross-document copies in several
batch sizes, and on a store that already holds indexed documents. The candidate rule of the
batch form is also checked against ``_query_docs`` without Ray."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import numpy as np
import pytest

import storyline
from storyline.corpus.persist import update_reuse
from storyline.corpus.ray_reuse import key_rows, match_windows, rank_matches, stored_key_rows
from storyline.corpus.reuse import MemoryIndex, PassageIndex, _prepare, _query_docs, _store
from storyline.layers import CORE_SLOTS
from storyline.pipeline import Pipeline
from storyline.store import Store, document_id
from storyline.types import Doc, DocMeta

from .conftest import table_snapshot

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
POLNEAR = DATA / "polnear"

SNAPSHOT = {
    "copied_passages": "SELECT * FROM copied_passages ORDER BY id",
    "site_templates": "SELECT * FROM site_templates ORDER BY id",
    "site_template_pages": "SELECT * FROM site_template_pages ORDER BY 1, 2, 3",
    "provenance_log": "SELECT seq, doc_id FROM provenance_log ORDER BY seq",
    # the Ray form inserts a batch's keys sorted (faster); the rows are the same
    "reuse_keys": "SELECT key, doc_id, window FROM reuse_keys ORDER BY 1, 2, 3",
    "reuse_indexed": "SELECT doc_id FROM reuse_indexed ORDER BY 1",
}


def _snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    return table_snapshot(db, SNAPSHOT)


# ------------------------------------------------------------------------------ corpora
def _add_docs(db: Path, docs: list[tuple[str, str, DocMeta]]) -> None:
    """Store cleaned documents as the runner does, without the stages and the corpus steps."""
    with Store(db) as store, store.transaction():
        for name, text, meta in docs:
            raw = text.encode("utf-8")
            doc = Doc(id=document_id(raw, meta.url), source_path=f"/in/{name}.txt", locator="", content_type="text",
                      raw=raw, input_meta={"url": meta.url}, text=text, meta=meta)
            store.insert_document(doc, url=meta.url)
            store.save_stage_results(doc, slots=CORE_SLOTS)


# The PolNeAR texts (news of 2015-16 from nine US outlets) that share a passage with another
# PolNeAR text: find_reuse over all 924 of train and dev found 39 such pairs in 26 groups; these
# are the groups of three or more and the first eleven pairs by name (41 texts, 95 passages).
REUSING = [
    "train/breitbart_2016-02-08_former-mexico-leader-calderon-ca",
    "train/breitbart_2016-02-20_the-latest-hillary-clinton-tells",
    "train/breitbart_2016-03-01_the-latest-sanders-wins-minnesot",
    "train/breitbart_2016-03-15_the-latest-kasich-scores-all-del",
    "train/breitbart_2016-03-15_the-latest-sanders-declares-revo",
    "train/breitbart_2016-07-27_obama-to-frame-election-as-comma",
    "train/breitbart_2016-08-10_secret-service-stops-protester-a",
    "train/breitbart_2016-08-23_mike-pence-calls-for-special-pro",
    "train/breitbart_2016-08-24_report-half-clinton-s-state-meet",
    "train/huff-post_2015-12-20_hillary-clinton-s-claim-that-don",
    "train/huff-post_2016-01-02_donald-trump-featured-in-jihadis",
    "train/huff-post_2016-02-03_huffpollster-a-seismic-shift-amo",
    "train/huff-post_2016-05-02_huffpollster-indiana-s-gop-prima",
    "train/huff-post_2016-05-16_trump-says-he-s-unlikely-to-have",
    "train/huff-post_2016-07-18_more-offensive-things-donald-tru",
    "train/huff-post_2016-08-03_francois-hollande-says-donald-tr",
    "train/huff-post_2016-08-05_donald-trump-finally-endorses-ho",
    "dev/huff-post_2016-09-20_hillary-clinton-speaks-directly-",
    "train/nyt_2015-11-25_golf-courses-forced-to-reach-int",
    "train/nyt_2015-11-26_with-fewer-golfers-in-u-s-course",
    "train/nyt_2016-03-04_republicans-have-stake-in-a-deal",
    "train/nyt_2016-03-05_polls-suggest-possibility-of-dea",
    "train/nyt_2016-03-15_sanders-advances-agenda-via-side",
    "train/nyt_2016-03-16_via-legislative-side-doors-sande",
    "train/nyt_2016-06-09_ryan-calls-trump-line-racist-but",
    "train/nyt_2016-07-29_obama-lays-out-stakes-for-a-divi",
    "train/politico_2015-12-03_trump-carson-flop-with-jewish-re",
    "train/usa-today_2016-05-11_london-s-muslim-mayor-rebuffs-tr",
    "train/usa-today_2016-06-09_trump-tries-new-chapter-in-campa",
    "train/usa-today_2016-06-15_obama-rips-rhetoric-over-radical",
    "train/usa-today_2016-08-10_nd-amendment-people-his-secret-w",
    "train/wash-post_2015-12-10_netanyahu-rejects-trump-s-remark",
    "train/wash-post_2016-03-18_rabbis-vow-to-boycott-trump-spee",
    "train/wash-post_2016-06-13_responses-are-in-keeping-with-ca",
    "train/wash-post_2016-07-15_truck-attack-in-france-kills-at-",
    "train/west-journal_2015-12-21_revealed-what-isis-propaganda-vi",
    "train/west-journal_2016-06-13_trump-calls-on-obama-to-resign",
    "train/west-journal_2016-07-28_obama-claims-hillary-most-qualif",
    "train/west-journal_2016-08-03_pence-endorses-paul-ryan-with-tr",
    "train/west-journal_2016-08-11_reagan-s-daughter-makes-strong-s",
    "dev/west-journal_2016-09-21_chris-christie-calls-hillary-cli",
]


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\r", "").split("\n") if len(p.split()) >= 8]


def _polnear(name: str) -> tuple[str, DocMeta]:
    """A PolNeAR text and its metadata from the file name (outlet_date_slug)."""
    split, stem = name.split("/")
    outlet, date, slug = stem.split("_", 2)
    text = (POLNEAR / split / "text" / f"{stem}.txt").read_text(encoding="utf-8", errors="replace")
    return text, DocMeta(outlet=outlet, url=f"https://www.{outlet}.example.com/{slug}", published=date)


def real_with_copies(n_derived: int = 16, seed: int = 7) -> list[tuple[str, str, DocMeta]]:
    """The 41 :data:`REUSING` texts and ``n_derived`` texts built from real paragraphs: the
    paragraphs of a PolNeAR text of their own (one outside the 41), and one or two paragraphs
    of 20+ words pasted from a REUSING text or an earlier derived one (every third with a
    word changed), dated 2016-10; six on one site end with the same footer (a site
    template), seven on seven sites carry the same short quote (the boilerplate guard
    withdraws it once it is in five documents). Stored in a shuffled order."""
    rng = random.Random(seed)
    real = [(f"real{i:02d}", *_polnear(n)) for i, n in enumerate(REUSING)]
    others = sorted(f"train/{f.stem}" for f in (POLNEAR / "train" / "text").glob("*.txt"))
    others = [n for n in others if n not in REUSING][::37]
    own = [t for t in (_polnear(n)[0] for n in others) if len(_paragraphs(t)) >= 5]
    footer = ("About Wire Example: we publish independent reporting from the region every day. "
              "Write to the desk at desk@wire.example.org with tips and corrections.")
    quote = ("“We will not accept any agreement that leaves the city without water and power for a "
             "third winter,” the mayor told the council on Tuesday evening.")
    derived: list[tuple[str, str, DocMeta]] = []
    for i in range(n_derived):
        body = _paragraphs(own[i])[:5]
        src = (real + derived)[rng.randrange(len(real) + len(derived))]
        long = [p for p in _paragraphs(src[1]) if len(p.split()) >= 20]
        pasted = rng.sample(long, min(len(long), rng.choice((1, 2))))
        if i % 3 == 0 and pasted:
            words = pasted[0].split()
            words[len(words) // 2] = "reportedly"
            pasted[0] = " ".join(words)
        paras = body[:2] + pasted + body[2:]
        if i % 2 == 0 and i < 14:
            paras.insert(1, quote)
        site = "wire.example.org" if i < 6 else f"outlet{i}.example.net"
        if i < 6:
            paras.append(footer)
        meta = DocMeta(url=f"https://{site}/story/{i}", published=f"2016-10-{10 + i:02d}")
        derived.append((f"derived{i:02d}", "\n\n".join(paras), meta))
    docs = real + derived
    rng.shuffle(docs)
    return docs




def _same(db: Path, tmp_path: Path, batch_size: int) -> dict[str, list[tuple[object, ...]]]:
    """Run both forms on copies of ``db``; assert equal results; return the snapshot."""
    from storyline.corpus.ray_reuse import update_reuse_ray

    local, on_ray = tmp_path / f"local-{batch_size}.db", tmp_path / f"ray-{batch_size}.db"
    shutil.copy(db, local)
    shutil.copy(db, on_ray)
    with Store(local) as store:
        found_local = update_reuse(store, batch_size=batch_size)
    with Store(on_ray) as store:
        found_ray = update_reuse_ray(store, batch_size=batch_size, workers=2)
    assert found_ray == found_local
    want, got = _snapshot(local), _snapshot(on_ray)
    for table in SNAPSHOT:
        assert got[table] == want[table], table
    return want


# ------------------------------------------------------------------------------ the Ray form
@pytest.mark.slow
def test_sample_corpus_same_records(ray_local: object, tmp_path: Path) -> None:
    sample = storyline.sample_corpus()
    db = tmp_path / "sample.db"
    with Store(db) as store:
        storyline.ingest(store, [sample], meta=sample / "sources.jsonl", pipeline=Pipeline(["clean"]),
                         corpus_steps=False, progress=False)
    snap = _same(db, tmp_path, 64)
    assert len(snap["copied_passages"]) >= 5  # 001 -> 004
    assert len(snap["reuse_indexed"]) == 5


@pytest.mark.slow
def test_real_texts_with_planted_copies_same_records_in_any_batch_size(ray_local: object, tmp_path: Path) -> None:
    if not POLNEAR.is_dir():
        pytest.skip(f"PolNeAR texts not found at {POLNEAR}")
    db = tmp_path / "real.db"
    _add_docs(db, real_with_copies())
    sizes = {}
    for batch_size in (7, 16, 64):
        snap = _same(db, tmp_path, batch_size)
        sizes[batch_size] = snap
        assert len(snap["reuse_indexed"]) == 57
        assert len(snap["copied_passages"]) >= 100
        assert snap["site_templates"], "the shared footer of six pages of one site is a template"
    # batches change what the boilerplate guard sees first, not whether it withdraws: the
    # provenance log of batches of 7 holds the withdrawals of passages stored in earlier batches
    assert len(sizes[7]["provenance_log"]) > len(sizes[64]["provenance_log"])


@pytest.mark.slow
def test_store_with_indexed_documents_same_records(ray_local: object, tmp_path: Path) -> None:
    if not POLNEAR.is_dir():
        pytest.skip(f"PolNeAR texts not found at {POLNEAR}")
    docs = real_with_copies()
    db = tmp_path / "grown.db"
    _add_docs(db, docs[:30])
    with Store(db) as store:
        update_reuse(store, batch_size=16)  # 30 documents indexed locally, then 26 more arrive
    _add_docs(db, docs[30:])
    before = _snapshot(db)
    snap = _same(db, tmp_path, 16)
    assert len(snap["reuse_indexed"]) == 57
    assert len(snap["copied_passages"]) > len(before["copied_passages"])
    # the new documents' band keys are in the stored index: a later local run finds them
    assert {r[1] for r in snap["reuse_keys"]} - {r[1] for r in before["reuse_keys"]}


# ------------------------------------------------------------------------------ candidates, without Ray
def test_candidates_by_key_equal_query_docs() -> None:
    """The batch form's candidates (key rows → :func:`match_windows` → :func:`rank_matches`)
    equal what ``_query_docs`` returns when each document queries an index holding every
    document before it: stored documents first (rows of order -1), then the new ones in
    order; ties broken by id, at most ``max_candidates``."""
    rng = random.Random(3)
    words = [f"w{i}" for i in range(400)]

    def para(n: int) -> str:
        return " ".join(rng.choice(words) for _ in range(n)) + "."

    shared = [para(30) for _ in range(6)]
    texts = []
    for i in range(24):
        ps = [para(25), rng.choice(shared), para(20)]
        if i % 4 == 0:
            ps.append(shared[0])
        texts.append("\n\n".join(ps))
    pindex = PassageIndex(0.3)
    preps = [_prepare((f"d{i:02d}", t, DocMeta()), pindex) for i, t in enumerate(texts)]
    stored, new = preps[:8], preps[8:]
    buckets = 5
    for max_candidates in (100, 3):
        index = MemoryIndex()
        for p in stored:
            _store(index, p)
        want = {}
        for p in new:
            want[p.id] = _query_docs(index, p, max_candidates, 20, pindex.window_words)
            _store(index, p)
        ids = sorted(p.id for p in preps)
        number = {d: i for i, d in enumerate(ids)}
        parts = []
        for p in stored:  # stored documents bring the keys of their stored windows
            keys = p.keys[[w.stored for w in p.passages]].ravel()
            parts.append(stored_key_rows(keys, np.full(len(keys), number[p.id]), buckets))
        for order, p in enumerate(new):
            windows = np.array([(w.number, w.first, w.last, w.start, w.end, w.stored) for w in p.passages]).reshape(-1, 6)
            parts.append(key_rows(number[p.id], order, windows, p.keys, buckets))
        rows = {c: np.concatenate([part[c] for part in parts]) for c in parts[0]}
        matched = [match_windows({c: v[rows["bucket"] == b] for c, v in rows.items()}) for b in range(buckets)]
        every = {c: np.concatenate([m[c] for m in matched]) for c in matched[0]}
        got = rank_matches(every, max_candidates=max_candidates, min_words=20, window_words=pindex.window_words)
        assert {p.id: [ids[c] for c in got.get(number[p.id], [])] for p in new} == want
        assert sum(map(len, want.values())) > len(new)  # the shared paragraphs make candidates
        if max_candidates == 3:
            assert max(map(len, want.values())) == 3
