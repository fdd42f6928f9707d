"""Make a large store from a small real one without running the per-document stages.

    python bench/replicate.py SRC.db DST.db --docs M [--seed 13] [--start 2015-01-01]
                              [--days 730] [--outlets 500]

``SRC.db`` holds documents ingested by ``storyline ingest`` (every stage run). ``DST.db``
becomes a copy of it (SQLite backup; ``SRC == DST`` adds in place) plus ``M`` new documents,
each derived from one real document of the store, chosen at random (seeded):

* its **text** is the real document's paragraphs in a shuffled order, joined by a blank
  line (a document with fewer than 3 paragraphs: its sentences, joined by a space): the
  words are real, their order across paragraphs is not;
* every **per-document layer** (sentences, entities, places, times, quantities,
  attributions, events, citations, language spans) is the real one's, each offset moved
  with its paragraph; an item with a range that crosses a paragraph boundary (or lies in
  the stretch between two) is dropped, and indices into dropped items (an event's places,
  quantities, time and attribution; an attribution's ``outer``) are removed or set to
  ``None``; every range's text is the real text it came from (``tests/test_replicate.py``);
* its **metadata** is its own: a content-hash id, a url and outlet from a pool of
  ``--outlets`` synthetic outlets (``outlet-0042.example``, RFC 2606 names), a publication
  date spread uniformly over ``--days`` days from ``--start`` (so stories and episodes are
  not one date blob), ``input_meta["replica_of"]`` naming the real document;
* the **stage runs** are copied, so the document counts as analysed at the current stage
  versions: ``storyline analyze`` only runs the corpus steps on it.

Documents go in through the store API (``Store.insert_document``, ``Store.save_stage_results``,
one transaction per 200 documents), so the store stays consistent (``storyline check``).

What this is not: new text. Every paragraph of a real document recurs in each of its
replicas (about ``size / real`` of them), so copy detection finds far more reuse than a
real news stream has, and claim groups are larger; a corpus step that grows with group
size is measured here at its worst. Say so next to any number measured on such a store.
"""

from __future__ import annotations

import argparse
import bisect
import random
import re
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

from storyline.layers import CORE_SLOTS, TRANSIENT_SLOTS
from storyline.records import Attribution, EntityMention, EventMention, Role, TimeExpression
from storyline.store import Store, document_id
from storyline.types import Citation, Doc, Span

Range = tuple[int, int]
T = TypeVar("T")
_PARAGRAPH = re.compile(r"[^\n]+")
MIN_PARAGRAPHS = 3  # fewer: the sentences are the units shuffled (ECB+ texts are one line)
BATCH = 200


# -- the layout: which stretch of the real text lands where ------------------------------------
@dataclass(frozen=True, slots=True)
class Layout:
    """Units of the real text (``old``: (start, end), in text order) and where each starts in
    the new text (``new_start``); ``rank[i]`` is unit ``i``'s position in the new order."""

    old: tuple[Range, ...]
    new_start: tuple[int, ...]
    rank: tuple[int, ...]
    starts: tuple[int, ...]  # the old units' starts, for bisection

    def locate(self, start: int, end: int) -> int | None:
        """Index of the unit that holds ``[start, end)`` whole, or None."""
        i = bisect.bisect_right(self.starts, start) - 1
        if i < 0 or end > self.old[i][1]:
            return None
        return i

    def move(self, r: Sequence[int]) -> Range | None:
        """``r`` (start, end) in the new text, or None when it crosses units."""
        i = self.locate(r[0], r[1])
        if i is None:
            return None
        delta = self.new_start[i] - self.old[i][0]
        return r[0] + delta, r[1] + delta


def units(text: str, sentences: Sequence[Range], together: Sequence[Range] = ()) -> tuple[list[Range], str]:
    """Paragraphs and the separator that joins them when one has none after it; with fewer
    than ``MIN_PARAGRAPHS``, the sentences (when the document has some) and a space.

    A unit runs from its start to the next unit's start, so the line break after a paragraph
    (which sentence ranges include) stays with it; paragraphs that a sentence or a range of
    ``together`` spans stay one unit ("Cruz continued:" and the quote in the next paragraph:
    on 400 PolNeAR texts, 8% of the sentences and 16% of the attributions crossed a paragraph
    break and would have been lost)."""
    starts = [m.start() for m in _PARAGRAPH.finditer(text) if m.group().strip()]
    sep = "\n\n"
    if len(starts) < MIN_PARAGRAPHS and len(sentences) >= MIN_PARAGRAPHS:
        starts, sep = sorted({s for s, e in sentences if text[s:e].strip()}), " "
    inside: set[int] = set()
    for s, e in [*sentences, *together]:
        lo, hi = bisect.bisect_right(starts, s), bisect.bisect_left(starts, e)
        inside.update(starts[lo:hi])
    starts = [s for s in starts if s not in inside]
    if not starts:
        return [(0, len(text))], sep
    starts[0] = 0
    return list(zip(starts, [*starts[1:], len(text)])), sep


def shuffle_layout(text: str, parts: Sequence[Range], rng: random.Random, sep: str) -> tuple[str, Layout]:
    """The new text (the units in a seeded random order; ``sep`` after a unit that does not end
    in white space) and its layout."""
    order = list(range(len(parts)))
    rng.shuffle(order)
    new_start = [0] * len(parts)
    rank = [0] * len(parts)
    pieces: list[str] = []
    pos = 0
    for r, i in enumerate(order):
        if r and not pieces[-1][-1:].isspace():  # the text's last paragraph, now inside it
            pieces.append(sep)
            pos += len(sep)
        new_start[i], rank[i] = pos, r
        pieces.append(text[parts[i][0]:parts[i][1]])
        pos += parts[i][1] - parts[i][0]
    return "".join(pieces), Layout(tuple(parts), tuple(new_start), tuple(rank), tuple(s for s, _ in parts))


# -- moving records -------------------------------------------------------------------------
class _Dropped(Exception):
    """A range of the record crosses units: the record is left out."""


def _m(lay: Layout, r: Sequence[int]) -> Range:
    moved = lay.move(r)
    if moved is None:
        raise _Dropped
    return moved


def _opt(lay: Layout, r: Range | None) -> Range | None:
    return None if r is None else _m(lay, r)


def _at(lay: Layout, x: T) -> T:
    """``x`` (a record with ``start`` and ``end``) with both moved."""
    item: Any = x
    s, e = _m(lay, (item.start, item.end))
    moved: T = replace(item, start=s, end=e)
    return moved


def _labelled(lay: Layout, items: Sequence[tuple[Any, int, int]]) -> tuple[tuple[Any, int, int], ...]:
    return tuple((label, *_m(lay, (s, e))) for label, s, e in items)


def _time(lay: Layout, t: TimeExpression) -> TimeExpression:
    return replace(_at(lay, t), parts=tuple(_time(lay, p) for p in t.parts))


def _entity(lay: Layout, e: EntityMention) -> EntityMention:
    phrase = _m(lay, (e.phrase_start, e.end))
    return replace(_at(lay, e), phrase_start=phrase[0])


def _attribution(lay: Layout, a: Attribution) -> Attribution:
    return replace(
        a,
        content=_m(lay, a.content),
        content_parts=tuple(_m(lay, p) for p in a.content_parts),
        cue=_m(lay, a.cue),
        speaker=_opt(lay, a.speaker),
        speaker_antecedent=_opt(lay, a.speaker_antecedent),
        speaker_phrase=_opt(lay, a.speaker_phrase),
        venue_span=_opt(lay, a.venue_span),
        hedge_spans=tuple(_m(lay, h) for h in a.hedge_spans),
        sentence=_m(lay, a.sentence),
        certainty_cues=tuple((*_m(lay, (s, e)), c) for s, e, c in a.certainty_cues),
    )


def _role(lay: Layout, r: Role | None) -> Role | None:
    return None if r is None else _at(lay, r)


def _derived(lay: Layout, rec: dict[str, Any]) -> dict[str, Any]:
    if rec.get("start") is None or rec.get("end") is None:
        return rec
    s, e = _m(lay, (rec["start"], rec["end"]))
    return {**rec, "start": s, "end": e}


def _event(lay: Layout, ev: EventMention) -> EventMention:
    return replace(
        _at(lay, ev),
        actor=_role(lay, ev.actor),
        affected=_role(lay, ev.affected),
        paths=_labelled(lay, ev.paths),
        acled_evidence=_labelled(lay, ev.acled_evidence),
        sentence=_m(lay, ev.sentence),
        derived=tuple((role, _derived(lay, rec)) for role, rec in ev.derived),
    )


def _moved(
    lay: Layout, items: Sequence[T], move: Callable[[Layout, T], T], anchor: Callable[[T], Sequence[int]]
) -> tuple[list[T], dict[int, int]]:
    """The items that survive, in new text order (by the unit of ``anchor``, then as they
    were), and old index → new index."""
    kept: list[tuple[int, int, T]] = []
    for i, x in enumerate(items):
        a = anchor(x)
        unit = lay.locate(a[0], a[1])
        if unit is None:
            continue
        try:
            kept.append((lay.rank[unit], i, move(lay, x)))
        except _Dropped:
            continue
    kept.sort(key=lambda k: (k[0], k[1]))
    return [x for _, _, x in kept], {old: new for new, (_, old, _) in enumerate(kept)}


def _reindex(ix: Sequence[int], where: dict[int, int]) -> tuple[int, ...]:
    return tuple(where[i] for i in ix if i in where)


def _one(i: int | None, where: dict[int, int]) -> int | None:
    return None if i is None else where.get(i)


def _start_end(x: Any) -> Range:
    return x.start, x.end


def move_layers(src: Doc, new_id: str, lay: Layout) -> dict[str, Any]:
    """Every stored layer of ``src`` moved to the new text, as ``Doc`` keyword arguments."""
    sentences, _ = _moved(lay, src.sentences, lambda lo, r: _m(lo, r), lambda r: r)
    entities, _ = _moved(lay, src.entities, _entity, _start_end)
    places, place_ix = _moved(lay, src.places, _at, _start_end)
    times, time_ix = _moved(lay, src.times, _time, _start_end)
    quantities, qty_ix = _moved(lay, src.quantities, _at, _start_end)
    attributions, att_ix = _moved(lay, src.attributions, _attribution, lambda a: a.cue)
    attributions = [replace(a, outer=_one(a.outer, att_ix)) for a in attributions]
    events, _ = _moved(lay, src.events, _event, _start_end)
    events = [
        replace(
            ev,
            origin=_reindex(ev.origin, place_ix),
            destination=_reindex(ev.destination, place_ix),
            via=_reindex(ev.via, place_ix),
            location=_reindex(ev.location, place_ix),
            quantities=_reindex(ev.quantities, qty_ix),
            time=_one(ev.time, time_ix),
            attribution=_one(ev.attribution, att_ix),
        )
        for ev in events
    ]
    citations, _ = _moved(
        lay, src.citations,
        lambda lo, c: Citation(new_id, c.outlet, c.cue,
                               Span(new_id, *_m(lo, (c.evidence.start, c.evidence.end)), c.evidence.text)),
        lambda c: (c.evidence.start, c.evidence.end),
    )
    language_spans, _ = _moved(lay, src.language_spans, _at, _start_end)
    return {
        "sentences": sentences, "entities": entities, "places": places, "times": times,
        "quantities": quantities, "attributions": attributions, "events": events, "citations": citations,
        "language_spans": language_spans,
        "dateline_places": list(src.dateline_places),  # offsets into meta.dateline, which is kept
        "skipped": dict(src.skipped),
    }


# -- a replica ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Identity:
    """What a replica does not share with its real document."""

    url: str
    outlet: str
    published: str  # ISO day
    source_path: str


def replicate(src: Doc, rng: random.Random, who: Identity) -> Doc:
    """A new document from ``src`` (a stored, analysed document): shuffled units, moved layers."""
    assert src.text is not None
    together = [r for a in src.attributions for r in (a.content, a.sentence)]
    together += [ev.sentence for ev in src.events]
    parts, sep = units(src.text, src.sentences, together)
    text, lay = shuffle_layout(src.text, parts, rng, sep)
    raw = text.encode("utf-8")
    doc_id = document_id(raw, who.url)
    meta = replace(
        src.meta, url=who.url, outlet=who.outlet, published=who.published, published_precision="day",
        published_source="metadata", published_evidence="replica", url_source="input", outlet_source="input",
        captions=list(src.meta.captions), authors=list(src.meta.authors),
        language_scores=dict(src.meta.language_scores),
    )
    return Doc(
        id=doc_id,
        source_path=who.source_path,
        locator="",
        content_type="text",
        raw=raw,
        input_meta={"url": who.url, "outlet": who.outlet, "published": who.published, "replica_of": src.id},
        text=text,
        meta=meta,
        removed=[],
        status="ok",
        stage_versions=dict(src.stage_versions),
        **move_layers(src, doc_id, lay),
    )


def identities(
    n: int, rng: random.Random, *, start: date, days: int, outlets: int, first: int
) -> list[Identity]:
    out = []
    for k in range(first, first + n):
        o = rng.randrange(outlets)
        day = (start + timedelta(days=rng.randrange(days))).isoformat()
        out.append(Identity(url=f"https://outlet-{o:04d}.example/{day}/r{k:07d}", outlet=f"Outlet {o:04d}",
                            published=day, source_path=f"replicas/r{k:07d}.txt"))
    return out


def real_documents(store: Store) -> list[Doc]:
    """The store's current, ok documents that are not replicas (the sources)."""
    return [d for d in store.iter_docs(status=["ok"]) if d.text and "replica_of" not in d.input_meta]


def add_replicas(store: Store, n: int, *, seed: int = 13, start: date = date(2015, 1, 1), days: int = 730,
                 outlets: int = 500) -> dict[str, int]:
    """Add ``n`` replicas to ``store``; returns counts (documents added, items kept, dropped)."""
    sources = real_documents(store)
    if not sources:
        raise SystemExit(f"{store.path}: no analysed real documents to replicate")
    first = store.conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    rng = random.Random(f"{seed}:{first}")  # a second call on a grown store makes other replicas
    who = identities(n, rng, start=start, days=days, outlets=outlets, first=first)
    slots = set(CORE_SLOTS) | {"sentences", "entities", "places", "dateline_places", "times", "quantities",
                               "attributions", "events", "citations", "language_spans", "skipped"}
    slots -= TRANSIENT_SLOTS
    stats = {"documents": 0, "items_in": 0, "items_kept": 0}
    for lo in range(0, n, BATCH):
        with store.transaction():
            for w in who[lo:lo + BATCH]:
                src = rng.choice(sources)
                doc = replicate(src, rng, w)
                store.insert_document(doc, url=w.url)
                store.save_stage_results(doc, slots=slots)
                stats["documents"] += 1
                stats["items_in"] += sum(len(getattr(src, s)) for s in _COUNTED)
                stats["items_kept"] += sum(len(getattr(doc, s)) for s in _COUNTED)
    return stats


_COUNTED = ("sentences", "entities", "places", "times", "quantities", "attributions", "events", "citations")


def copy_store(src: Path, dst: Path) -> None:
    """A consistent copy (SQLite's backup API: the WAL is folded in)."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(dst) + suffix).unlink(missing_ok=True)
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    a.close()
    b.close()


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("src", type=Path)
    ap.add_argument("dst", type=Path)
    ap.add_argument("--docs", type=int, required=True, help="replicas to add")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--start", type=date.fromisoformat, default=date(2015, 1, 1))
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--outlets", type=int, default=500)
    args = ap.parse_args(argv)
    if args.src.resolve() != args.dst.resolve():
        copy_store(args.src, args.dst)
    t0 = time.perf_counter()
    with Store(args.dst) as store:
        stats = add_replicas(store, args.docs, seed=args.seed, start=args.start, days=args.days,
                             outlets=args.outlets)
    kept = stats["items_kept"] / max(1, stats["items_in"])
    print(f"{stats['documents']} replicas added to {args.dst} in {time.perf_counter() - t0:.1f} s;"
          f" layer items kept {100 * kept:.1f}% (the rest crossed a paragraph boundary)", file=sys.stderr)


if __name__ == "__main__":
    main()
