"""``stories._vector`` (IDF computed once per document frequency) and ``pair_scores`` (the
candidates' vectors never built whole) give the very floats of the plain formulas: story
scores, and so placements, do not move."""

from __future__ import annotations

import math
import random

from storyline.corpus.stories import (
    DocDate,
    DocFeatures,
    StorySettings,
    _cos,
    _cos_to,
    _idf_by_channel,
    _vector,
    content_similarity,
    idf,
    pair_scores,
)


def _plain(kv: dict[str, float], channel: str, dfs: dict[str, int], n: int) -> dict[str, float]:
    v = {k: w * idf(dfs.get(f"{channel}:{k}", 0), n) for k, w in kv.items()}
    norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {k: x / norm for k, x in v.items()}


def test_same_floats_as_the_plain_formula() -> None:
    rng = random.Random(7)
    for n in (1, 2, 57, 10_000):
        kv = {f"w{i}": 1.0 + math.log(rng.randint(1, 9)) for i in range(rng.randint(1, 400))}
        dfs = {f"w:w{i}": rng.randint(0, n) for i in range(0, 400, 3)}
        got = _vector(kv, "w", dfs, n)
        assert list(got.items()) == list(_plain(kv, "w", dfs, n).items())  # same keys, order, bits


def test_empty_channel() -> None:
    assert _vector({}, "e", {}, 5) == {}


def _random_features(rng: random.Random, doc_id: str, vocab: int) -> DocFeatures:
    channels: dict[str, dict[str, float]] = {}
    for c, size in (("w", rng.randint(0, 300)), ("e", rng.randint(0, 12)), ("p", rng.randint(0, 4)),
                    ("v", rng.randint(0, 3)), ("f", rng.randint(0, 2))):
        keys = rng.sample(range(vocab), min(size, vocab))
        if keys:
            channels[c] = {f"k{k}": 1.0 + math.log(rng.randint(1, 9)) for k in keys}
    if rng.random() < 0.5:  # stored features come back with sorted keys: both orders occur
        channels = {c: dict(sorted(kv.items())) for c, kv in channels.items()}
    return DocFeatures(doc_id, channels, DocDate(rng.randint(0, 60), rng.randint(0, 3)) if rng.random() < 0.8 else None)


def _plain_pair_scores(
    f: DocFeatures, others: list[DocFeatures], dfs: dict[str, int], n: int, settings: StorySettings
) -> list[float]:
    cache: dict[tuple[str, str], dict[str, float]] = {}
    return [content_similarity(f, o, dfs, n, settings, cache) for o in others]


def test_pair_scores_give_the_floats_of_content_similarity() -> None:
    """pair_scores builds only the new document's vectors (the candidates' norms and shared
    entries, IDF per frequency once): the same bits as the per-pair formula, large or small
    vectors on either side, keys not counted in ``dfs`` included."""
    rng = random.Random(11)
    settings = StorySettings()
    for trial in range(30):
        n = rng.choice((3, 40, 2_000))
        vocab = rng.choice((20, 400))
        f = _random_features(rng, "new", vocab)
        others = [_random_features(rng, f"o{i}", vocab) for i in range(rng.randint(1, 25))]
        keys = {k for x in [f, *others] for k in x.keys()}
        dfs = {k: rng.randint(1, n) for k in keys if rng.random() < 0.9}
        got = [p.content for p in pair_scores(f, others, dfs, n, settings)]
        assert got == _plain_pair_scores(f, others, dfs, n, settings), trial


def test_cos_to_matches_cos_of_the_full_vector() -> None:
    rng = random.Random(5)
    for _ in range(200):
        a = {f"k{i}": rng.random() + 0.1 for i in rng.sample(range(60), rng.randint(1, 40))}
        kv = {f"k{i}": 1.0 + rng.random() for i in rng.sample(range(60), rng.randint(1, 40))}
        dfs = {f"w:k{i}": rng.randint(0, 30) for i in range(0, 60, 2)}
        by_df: dict[int, float] = {}
        idfs = _idf_by_channel(dfs, 31, ["w"], by_df)
        assert _cos_to(a, kv, idfs["w"], idf(0, 31)) == _cos(a, _vector(kv, "w", dfs, 31))
