"""``stories._vector`` (IDF computed once per document frequency) gives the very floats of the
plain formula: story scores, and so placements, do not move."""

from __future__ import annotations

import math
import random

from storyline.corpus.stories import _vector, idf


def _plain(kv, channel, dfs, n):
    v = {k: w * idf(dfs.get(f"{channel}:{k}", 0), n) for k, w in kv.items()}
    norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {k: x / norm for k, x in v.items()}


def test_same_floats_as_the_plain_formula():
    rng = random.Random(7)
    for n in (1, 2, 57, 10_000):
        kv = {f"w{i}": 1.0 + math.log(rng.randint(1, 9)) for i in range(rng.randint(1, 400))}
        dfs = {f"w:w{i}": rng.randint(0, n) for i in range(0, 400, 3)}
        got = _vector(kv, "w", dfs, n)
        assert list(got.items()) == list(_plain(kv, "w", dfs, n).items())  # same keys, order, bits


def test_empty_channel():
    assert _vector({}, "e", {}, 5) == {}
