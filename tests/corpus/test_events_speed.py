"""The blocked candidate search of :func:`event_candidates` (array tests that drop pairs
:func:`pair_evidence` is sure to reject) gives exactly the pairs of comparing every pair of a
type family, and :func:`build_events` the same events."""

from __future__ import annotations

import math
import random

import pytest

from storyline.corpus import events as E
from storyline.corpus.events import EventInput, PlaceRef, QuantityRef, build_events, event_candidates
from storyline.corpus.provenance import build_graph
from storyline.types import CopiedPassage, DocMeta, Span

TYPES = ["move", "arrive", "deploy", "relocate", "flee", "withdraw", "attack", "clash", "capture", "kill",
         "displace", "decree", "protest"]
TOWNS = [("Raqqa", 35.95, 39.01, "SY", "163345"), ("Deir ez-Zor", 35.336, 40.14, "SY", "170794"),
         ("Mosul", 36.34, 43.13, "IQ", "99072"), ("Tal Afar", 36.37, 42.45, "IQ", "98245"),
         ("Aleppo", 36.20, 37.16, "SY", "170063"), ("Kirkuk", 35.47, 44.39, "IQ", "94787")]


def _place(rng: random.Random) -> PlaceRef | None:
    r = rng.random()
    if r < 0.3:
        return None
    name, lat, lon, country, gid = rng.choice(TOWNS)
    if r < 0.4:  # no coordinates: compared by name and country only
        return PlaceRef(name, None, None, "city", rng.choice([country, None]), None, rng.choice([1, 2, None]))
    # jitter around the town, sometimes right at a radius (25, 100, 300 km) from it
    if rng.random() < 0.3:
        km = rng.choice([25.0, 100.0, 300.0]) + rng.uniform(-1e-3, 1e-3)
        bearing = rng.uniform(0, 2 * math.pi)
        lat += km / 111.2 * math.cos(bearing)
        lon += km / (111.2 * math.cos(math.radians(lat))) * math.sin(bearing)
    else:
        lat += rng.uniform(-0.3, 0.3)
        lon += rng.uniform(-0.3, 0.3)
    return PlaceRef(
        name, lat, lon, rng.choice(["city", "area", "country", "border"]),
        rng.choice([country, country, None, "TR"]), rng.choice([gid, None]), rng.choice([1, 1, 2, 3, None]),
    )


def _time(rng: random.Random) -> tuple[str | None, str | None]:
    m, d = rng.randint(1, 4), rng.randint(1, 28)
    return rng.choice([
        (None, None), (None, None),
        (f"2017-{m:02d}-{d:02d}", "day"), (f"2017-{m:02d}-{d:02d}", None),
        (f"2017-{m:02d}", "month"), ("2017", "year"), (f"2017-W{rng.randint(1, 16):02d}", "week"),
        ("2017-13-45", "day"),  # unparseable: unknown
    ])


def _mention(rng: random.Random, k: int) -> EventInput:
    doc = f"d{rng.randint(0, 14):02d}"
    start = rng.randrange(0, 5000)
    tv, tg = _time(rng)
    actor = rng.choice([(None, None), ("Islamic State", "org:isis"), ("ISIS", None), ("Kurdish forces", "org:ypg"),
                        ("the group", None), (None, "org:sdf")])
    rep = rng.choice([None, f"2017-{rng.randint(1, 6):02d}-{rng.randint(1, 28):02d}", "2017-03", "2016-11-02"])
    qs = tuple(QuantityRef(lo, lo + rng.choice([0, 10]), rng.choice(["vehicles", "families"]))
               for lo in rng.sample([5, 12, 40, 300], rng.randint(0, 2)))
    return EventInput(
        trigger=Span(doc, start, start + 5, f"t{k}"), type=rng.choice(TYPES), actor_name=actor[0],
        actor_entity=actor[1], origin=_place(rng), destination=_place(rng), location=_place(rng),
        time_value=tv, time_granularity=tg, quantities=qs, certainty=rng.choice(["asserted", "hedged", None]),
        sentence=Span(doc, start, start + 40, "s"), reported=rep,
    )


def _all_pairs(mentions, idx, radius_km=25.0):  # noqa: ANN001, ANN202 - the unblocked search
    for x, i in enumerate(idx):
        for j in idx[x + 1 :]:
            yield i, j


def _brute_candidates(mentions: list[EventInput], radius_km: float) -> list[tuple[int, int]]:
    blocks: dict[str, list[int]] = {}
    for i, m in enumerate(mentions):
        blocks.setdefault(E.type_family(m.type), []).append(i)
    return [(i, j) for idx in blocks.values() for i, j in _all_pairs(mentions, idx)
            if E.pair_evidence(mentions[i], mentions[j], radius_km=radius_km).compatible]


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("radius_km", [25.0, 10.0])
def test_blocked_candidates_equal_all_pairs(seed: int, radius_km: float, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    mentions = [_mention(rng, k) for k in range(rng.randint(2, 160))]
    want = _brute_candidates(mentions, radius_km)
    monkeypatch.setattr(E, "_PAIR_CHUNK", rng.choice([1, 7, 64, 512]))  # chunk edges
    assert event_candidates(mentions, radius_km=radius_km) == want


@pytest.mark.parametrize("seed", range(6))
def test_build_events_unchanged_by_blocking(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(100 + seed)
    mentions = [_mention(rng, k) for k in range(rng.randint(20, 120))]
    docs = sorted({m.doc_id for m in mentions})
    passages = [CopiedPassage(Span(a, 0, 40, "x" * 40), Span(b, 0, 40, "x" * 40), 0.9, "source_to_copy")
                for a, b in zip(docs, docs[1:]) if rng.random() < 0.3]
    graph = build_graph([(d, DocMeta(outlet=rng.choice(["Reuters", "Rudaw", "ARA News"]))) for d in docs], passages, [])
    fast = [e.to_record() for e in build_events(mentions, graph)]
    monkeypatch.setattr(E, "_possible_pairs", _all_pairs)
    slow = [e.to_record() for e in build_events(mentions, graph)]
    assert fast == slow
    # and scores from the kept evidence are score_event_pair's
    for i, j, ev in E._compatible_pairs(mentions):
        assert E._score(ev) == E.score_event_pair(mentions[i], mentions[j])
