"""bench/replicate.py: replicas of analysed documents (shuffled paragraphs, moved layers) keep
every range on the text it came from, keep cross-layer indices pointing at the same items,
count as analysed, and leave the store consistent."""

from __future__ import annotations

import importlib.util
import random
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storyline.pipeline import Pipeline
from storyline.store import Store
from storyline.types import Doc

REPO = Path(__file__).resolve().parents[1]


def _load_replicate() -> Any:
    """bench/replicate.py (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("storyline_replicate", REPO / "bench" / "replicate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


R = _load_replicate()
SLOTS = ("sentences", "entities", "places", "times", "quantities", "attributions", "events", "citations",
         "language_spans")


def ranges(slot: str, x: Any) -> list[tuple[int, int]]:
    """Every (start, end) into the text an item holds, written out here independently of the
    code under test."""
    if slot == "sentences":
        return [tuple(x)]
    if slot == "citations":
        return [(x.evidence.start, x.evidence.end)]
    if slot == "entities":
        return [(x.start, x.end), (x.phrase_start, x.end)]
    if slot == "times":
        return [(x.start, x.end), *(r for p in x.parts for r in ranges("times", p))]
    if slot == "attributions":
        optional = (x.speaker, x.speaker_antecedent, x.speaker_phrase, x.venue_span)
        return [x.content, *x.content_parts, x.cue, x.sentence, *x.hedge_spans,
                *(c[:2] for c in x.certainty_cues), *(r for r in optional if r is not None)]
    if slot == "events":
        roles = [(r.start, r.end) for r in (x.actor, x.affected) if r is not None]
        derived = [(d["start"], d["end"]) for _, d in x.derived if d.get("start") is not None]
        return [(x.start, x.end), x.sentence, *(p[1:] for p in x.paths), *(e[1:] for e in x.acled_evidence),
                *roles, *derived]
    return [(x.start, x.end)]


def signature(doc: Doc, slot: str, x: Any) -> tuple[str, ...]:
    assert doc.text is not None
    return tuple(doc.text[s:e] for s, e in ranges(slot, x))


def event_refs(doc: Doc, ev: Any) -> tuple[Any, ...]:
    """What an event's indices point at, as text: its places, quantities, time, attribution."""
    places = tuple(tuple(doc.places[i].text for i in getattr(ev, role)) for role in
                   ("origin", "destination", "via", "location"))
    quantities = tuple(doc.quantities[i].text for i in ev.quantities)
    when = None if ev.time is None else doc.times[ev.time].text
    said = None if ev.attribution is None else doc.attributions[ev.attribution].cue_text
    return places, quantities, when, said


@pytest.fixture(scope="module")
def replicated(sample_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("replicate") / "r.db"
    R.copy_store(Path(sample_store.path), path)
    with Store(path) as store:
        stats = R.add_replicas(store, 15, seed=5, days=30, outlets=4)
        assert stats["documents"] == 15
    with Store(path, readonly=True) as store:
        yield store


def _replicas(store: Store) -> list[tuple[Doc, Doc]]:
    out = []
    for d in store.iter_docs():
        if "replica_of" in d.input_meta:
            out.append((store.get(d.id), store.get(d.input_meta["replica_of"])))
    return out


def test_every_range_keeps_its_text(replicated: Store) -> None:
    pairs = _replicas(replicated)
    assert len(pairs) == 15
    kept = total = 0
    for new, src in pairs:
        assert new.text is not None and src.text is not None
        assert new.text != src.text or len(R.units(src.text, src.sentences)[0]) < 2
        assert sorted(new.text.split()) == sorted(src.text.split())  # the same words, other order
        for slot in SLOTS:
            made = Counter(signature(new, slot, x) for x in getattr(new, slot))
            real = Counter(signature(src, slot, x) for x in getattr(src, slot))
            assert made <= real, (slot, made - real)
            kept, total = kept + sum(made.values()), total + sum(real.values())
        text = new.text
        items: list[Any] = [*new.entities, *new.places, *new.times, *new.quantities, *new.events]
        for e in items:
            assert text[e.start:e.end] == e.text
        for a in new.attributions:
            assert text[a.cue[0]:a.cue[1]] == a.cue_text
            if a.speaker is not None:
                assert text[a.speaker[0]:a.speaker[1]] == a.speaker_text
            if len(a.content_parts) == 1:
                assert text[a.content[0]:a.content[1]] == a.content_text
        for c in new.citations:
            assert c.doc == c.evidence.doc == new.id
            assert text[c.evidence.start:c.evidence.end] == c.evidence.text
        for slot in ("sentences", "entities", "events"):  # the order stays text order
            starts = [r[0] for r in (ranges(slot, x)[0] for x in getattr(new, slot))]
            assert starts == sorted(starts), slot
    assert total > 500 and kept / total > 0.95, (kept, total)  # paragraph-crossing items are few


def test_indices_point_at_the_same_items(replicated: Store) -> None:
    checked = 0
    for new, src in _replicas(replicated):
        by_sig: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        for ev in src.events:
            by_sig.setdefault(signature(src, "events", ev), []).append(event_refs(src, ev))
        for ev in new.events:
            assert event_refs(new, ev) in by_sig[signature(new, "events", ev)]
            checked += 1
        outer_of = {signature(src, "attributions", a): None if a.outer is None else
                    signature(src, "attributions", src.attributions[a.outer]) for a in src.attributions}
        for a in new.attributions:
            outer = None if a.outer is None else signature(new, "attributions", new.attributions[a.outer])
            assert outer is None or outer_of[signature(new, "attributions", a)] == outer
    assert checked > 10


def test_replicas_count_as_analysed_and_the_store_is_consistent(replicated: Store) -> None:
    assert replicated.check() == []
    stale = set(replicated.stale_ids(Pipeline().versions))
    pairs = _replicas(replicated)
    assert not stale & {new.id for new, _ in pairs}
    assert len({new.meta.published for new, _ in pairs}) > 3  # dates spread, not one blob
    assert all(new.meta.url and new.meta.outlet and new.stage_versions == src.stage_versions
               for new, src in pairs)


def test_layout_moves_ranges_inside_units_and_refuses_crossing_ones() -> None:
    rng = random.Random(7)
    for _ in range(200):
        paras = ["".join(rng.choice("abc d") for _ in range(rng.randint(1, 12))).strip() or "x"
                 for _ in range(rng.randint(1, 6))]
        text = "\n\n".join(paras)
        parts, sep = R.units(text, [])
        new_text, lay = R.shuffle_layout(text, parts, rng, sep)
        for _ in range(20):
            s = rng.randint(0, len(text))
            e = rng.randint(s, len(text))
            moved = lay.move((s, e))
            inside = any(a <= s and e <= b for a, b in parts)
            assert (moved is not None) == inside
            if moved is not None:
                assert new_text[moved[0]:moved[1]] == text[s:e]
