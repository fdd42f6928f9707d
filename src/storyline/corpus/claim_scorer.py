"""A fitted pair score for claim matching: logistic regression over a few pair features.

:func:`pair_features` describes a candidate pair by the hand-set :func:`lexical_score`, the
token containment and length ratio, a negation on one side only, counts that agree /
disagree / appear on one side, shared and clashing names (capitalised words and entity
keys), the same named speaker, and — with the ``embeddings`` extra — the cosine of the two
MiniLM vectors. ``scripts/fit_claim_pairs.py`` chooses the features, the L2 weight and the
operating point by cross-validation on the **tune** split of the labelled pairs
(:mod:`.claims_eval`) and writes ``data/claim_pair_model.json``; :class:`FittedScorer` maps
the probability so that the operating point lands on the matching threshold, so
candidates → score → cluster run unchanged. Two counts of one thing that cannot both be
true stay a rule, not a weight (fitted, it came out too weak to separate "at least 70
killed" from "at least 135 killed" when every other word matches).

Chosen on tune (cross-validated P / R): lexical model ``lexical``, ``numbers_one_side``,
``names_shared`` (0.86 / 0.70); embedding model ``lexical``, ``cosine``,
``polarity_differs``, ``numbers_agree``, ``names_shared`` (0.86 / 0.72). Held-out split
(153 pairs, 60 same; ``bench/claims.py --pairs``, through candidates → score → cluster):

=============================  ===============  ================  ==================
scorer                         held-out P / R   real pairs P / R  cost per claim
=============================  ===============  ================  ==================
hand-set lexical 0.5 (default) 0.79 / 0.50      0.92 / 0.49       0.2 ms
fitted, lexical features       0.67 / 0.55      0.81 / 0.55       0.7 ms
hand-set embedding blend       0.80 / 0.62      0.93 / 0.60       14.2 ms (encoding)
fitted, with cosine            0.84 / 0.62      0.90 / 0.57       9.3 ms (encoding)
=============================  ===============  ================  ==================

(cost: the 372 distinct labelled texts matched as one corpus, same run, model loaded.) The
lexical-feature model overfits its 160 tune pairs (in-sample 0.85 / 0.72, held-out 0.67 /
0.55), so the hand-set :class:`~storyline.corpus.claims.LexicalScorer` stays the default;
with the ``claim_embeddings`` setting on, :func:`~storyline.corpus.claims.default_scorer`
gives the fitted model with the cosine (more precise than the hand-set blend at the same
recall). Neither reaches the goal (recall 0.8 at precision 0.85).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from .claims import ClaimFeatures, _count_values, lexical_score, tokens

__all__ = [
    "EMBEDDING_FEATURES",
    "LEXICAL_FEATURES",
    "FittedScorer",
    "PairModel",
    "load_models",
    "pair_features",
]

WEIGHTS_FILE = "claim_pair_model.json"

LEXICAL_FEATURES = (
    "lexical",  # lexical_score: Dice over tokens with the place / speaker / count adjustments
    "containment",  # shared tokens / tokens of the shorter claim
    "length_ratio",  # tokens of the shorter / tokens of the longer
    "polarity_differs",  # a negation on one side only ("did not leave" vs "have left")
    "numbers_agree",  # both give counts and share one
    "numbers_disagree",  # both give counts, neither's all among the other's
    "numbers_one_side",  # only one side gives a count
    "names_shared",  # Dice over capitalised words and entity keys (names, places)
    "names_clash",  # both name someone/somewhere, nothing in common
    "same_speaker",  # the same named speaker (entity key or name)
)
EMBEDDING_FEATURES = (*LEXICAL_FEATURES, "cosine")  # cosine of the two MiniLM vectors
_INDEX = {name: k for k, name in enumerate(EMBEDDING_FEATURES)}

_NEGATION = re.compile(
    r"\b(?:not|no|never|none|nobody|nothing|neither|nor|without|cannot|n['’]t|\w+n['’]t|"
    r"den(?:y|ies|ied)|refused?|rejected?|false(?:ly)?)\b",
    re.IGNORECASE,
)
_CAPITAL = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'’-]+")
_NOT_NAMES = frozenset(
    [
        "the",
        "a",
        "an",
        "he",
        "she",
        "it",
        "they",
        "we",
        "i",
        "his",
        "her",
        "their",
        "this",
        "that",
        "these",
        "those",
    ]
)


def _negated(text: str) -> bool:
    return _NEGATION.search(text) is not None


def _names(f: ClaimFeatures) -> frozenset[str]:
    """Capitalised words not opening the text or a sentence (cut like :func:`tokens`), plus
    the entity keys the annotation layer found."""
    out = {
        t
        for m in _CAPITAL.finditer(f.text)
        if m.group(0).lower() not in _NOT_NAMES
        for t in tokens(m.group(0))
    }
    return frozenset(out | {"e:" + e for e in f.entities})


def _dice(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def pair_features(a: ClaimFeatures, b: ClaimFeatures, cosine: float | None = None) -> list[float]:
    """The :data:`EMBEDDING_FEATURES` of a pair, each in [0, 1] (``cosine`` 0 when not given:
    a lexical model does not read it)."""
    ta, tb = a.tokens, b.tokens
    short, long_ = sorted((len(ta), len(tb)))
    shared = len(ta & tb)
    va, vb = _count_values(a), _count_values(b)
    na, nb = _names(a), _names(b)
    out = [
        lexical_score(a, b),
        shared / short if short else 0.0,
        short / long_ if long_ else 0.0,
        float(_negated(a.text) != _negated(b.text)),
        float(bool(va & vb)),
        float(bool(va and vb and not (va <= vb or vb <= va))),
        float(bool(va) != bool(vb)),
        _dice(na, nb),
        float(bool(na and nb and not na & nb)),
        float(bool(a.speaker and a.speaker == b.speaker)),
    ]
    out.append(max(0.0, cosine) if cosine is not None else 0.0)
    return out


@dataclass(frozen=True, slots=True)
class PairModel:
    """Logistic regression: ``p = sigmoid(bias + weights · features)``; ``operating_point`` is
    the probability chosen on the tune split, mapped onto the matching threshold."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    operating_point: float

    def probability(self, x: Sequence[float]) -> float:
        """``x``: every feature of :func:`pair_features`, in :data:`EMBEDDING_FEATURES` order
        (the model reads the ones it names)."""
        z = self.bias + sum(w * x[_INDEX[name]] for w, name in zip(self.weights, self.features))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def score(self, x: Sequence[float], threshold: float) -> float:
        """The probability mapped piecewise-linearly so that ``operating_point`` lands on
        ``threshold`` (0 stays 0, 1 stays 1): the clustering threshold keeps its meaning."""
        p, op, t = self.probability(x), self.operating_point, threshold
        return t * p / op if p < op else t + (1 - t) * (p - op) / (1 - op)

    def to_record(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "weights": [round(w, 6) for w in self.weights],
            "bias": round(self.bias, 6),
            "operating_point": round(self.operating_point, 6),
        }

    @classmethod
    def from_record(cls, r: dict[str, Any]) -> PairModel:
        return cls(
            tuple(r["features"]),
            tuple(float(w) for w in r["weights"]),
            float(r["bias"]),
            float(r["operating_point"]),
        )


@cache
def load_models() -> dict[str, PairModel]:
    """``{"lexical": …, "embedding": …}`` from ``data/claim_pair_model.json``
    (``scripts/fit_claim_pairs.py`` writes it)."""
    raw = json.loads(
        resources.files("storyline").joinpath(f"data/{WEIGHTS_FILE}").read_text(encoding="utf-8")
    )
    return {name: PairModel.from_record(raw["models"][name]) for name in ("lexical", "embedding")}


class FittedScorer:
    """The fitted pair model as a :class:`~storyline.corpus.claims.PairScorer`. Without
    ``encoder``, lexical features only (no torch); with one (an
    :class:`~storyline.corpus.embeddings.Encoder`, or ``True`` for the packaged MiniLM), the
    cosine of the two claims' vectors is a feature too and the encoder's nearest neighbours
    are candidates next to the lexical ones (:meth:`candidates`)."""

    def __init__(
        self,
        encoder: Any = None,
        *,
        threshold: float = 0.5,
        model: PairModel | None = None,
        candidate_cosine: float = 0.5,
        neighbours: int = 20,
    ) -> None:
        self.threshold = threshold
        self.embedding = encoder is not None and encoder is not False
        self.model = model or load_models()["embedding" if self.embedding else "lexical"]
        self._emb: Any = None
        if self.embedding:
            from .claims import EmbeddingScorer

            self._emb = EmbeddingScorer(
                None if encoder is True else encoder, candidate_cosine=candidate_cosine, neighbours=neighbours
            )

    def prepare(self, texts: Sequence[str]) -> None:
        if self._emb is not None:
            self._emb.prepare(texts)

    def features(self, i: int, j: int, a: ClaimFeatures, b: ClaimFeatures) -> list[float]:
        cos = None
        if self._emb is not None and self._emb.vectors is not None:
            cos = float(self._emb.vectors[i] @ self._emb.vectors[j])
        return pair_features(a, b, cos)

    def score(self, i: int, j: int, a: ClaimFeatures, b: ClaimFeatures) -> float:
        x = self.features(i, j, a, b)
        if x[_INDEX["numbers_disagree"]]:
            return min(0.2, x[_INDEX["lexical"]])  # two different counts of one thing: two reports
        return self.model.score(x, self.threshold)

    def candidates(self, features: Sequence[ClaimFeatures], settings: Any) -> Any:
        if self._emb is None:
            return iter(())
        return self._emb.candidates(features, settings)
