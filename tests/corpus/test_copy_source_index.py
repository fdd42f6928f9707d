"""The indexed copy-source lookup of via chains (:func:`storyline.corpus.claims._copy_source`
over :func:`~storyline.corpus.claims._passages_by_copy`) picks exactly the passage a scan of
every passage of the copy document picks: the most overlap of at least half the span, the
first such in the passages' given order, sources already on the chain skipped."""

from __future__ import annotations

import random
from collections.abc import Sequence

from storyline.corpus.claims import _copy_source, _passages_by_copy
from storyline.types import CopiedPassage, Span


def _scan(doc_id: str, start: int, end: int, passages: Sequence[CopiedPassage],
          seen: set[str]) -> tuple[str, int, int] | None:
    """The rule as a scan over every passage (what the index must reproduce)."""
    need = max(1, (end - start) // 2)
    best: tuple[int, CopiedPassage] | None = None
    for p in passages:
        if p.direction != "source_to_copy" or p.copy.doc != doc_id or p.source.doc in seen:
            continue
        ov = max(0, min(end, p.copy.end) - max(start, p.copy.start))
        if ov >= need and (best is None or ov > best[0]):
            best = (ov, p)
    if best is None:
        return None
    p = best[1]
    shift = p.source.start - p.copy.start
    return (p.source.doc, min(max(start + shift, p.source.start), p.source.end),
            min(max(end + shift, p.source.start), p.source.end))


def _passages(rng: random.Random, n: int) -> list[CopiedPassage]:
    docs = [f"d{i}" for i in range(5)]
    out = []
    for _ in range(n):
        cd, sd = rng.sample(docs, 2)
        cs = rng.randrange(0, 400)
        ce = cs + rng.choice([0, 1, 5, 30, 80, 200, 500])  # empty, short, and one long enough to widen the window
        ss = rng.randrange(0, 400)
        out.append(CopiedPassage(source=Span(sd, ss, ss + (ce - cs), ""), copy=Span(cd, cs, ce, ""),
                                 similarity=1.0, direction=rng.choice(["source_to_copy", "source_to_copy", "unknown"])))
    return out


def test_index_picks_what_a_scan_picks() -> None:
    rng = random.Random(13)
    checked = found = 0
    for _ in range(60):
        passages = _passages(rng, rng.randrange(1, 40))
        by_copy = _passages_by_copy(passages)
        for _ in range(80):
            doc = f"d{rng.randrange(5)}"
            start = rng.randrange(0, 600)
            end = start + rng.choice([0, 1, 3, 20, 60, 150, 400])
            seen = {doc} | {f"d{i}" for i in range(5) if rng.random() < 0.2}
            want = _scan(doc, start, end, passages, seen)
            assert _copy_source(doc, start, end, by_copy, seen) == want, (doc, start, end, seen)
            checked += 1
            found += want is not None
    assert checked == 4800 and found > 500  # the lookups often find a source, not only None


def test_ties_go_to_the_first_passage_in_the_given_order() -> None:
    a = CopiedPassage(source=Span("a", 100, 150, ""), copy=Span("c", 50, 100, ""), similarity=1.0,
                      direction="source_to_copy")
    b = CopiedPassage(source=Span("b", 0, 50, ""), copy=Span("c", 10, 60, ""), similarity=1.0,
                      direction="source_to_copy")
    # [30, 80) overlaps a by 30 and b by 30: the first given wins, whatever its start
    assert _copy_source("c", 30, 80, _passages_by_copy([a, b]), {"c"}) == ("a", 100, 130)
    assert _copy_source("c", 30, 80, _passages_by_copy([b, a]), {"c"}) == ("b", 20, 50)
    assert _copy_source("c", 30, 80, _passages_by_copy([b, a]), {"c", "b"}) == ("a", 100, 130)
