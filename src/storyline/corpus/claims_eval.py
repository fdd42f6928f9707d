"""Labelled claim pairs: loading, the tune/held-out split, and pairwise precision/recall of
claim matching run as in the pipeline (candidates → score → cluster on the two claims).

Fixtures (``tests/fixtures/claims``), one JSON object a line, ``same`` = the same
proposition, whoever says it:

* ``pairs_real.jsonl`` — 195 pairs (84 same) from real articles of several outlets on six
  shared events (Raqqa evacuation deal 2017, Mosul victory 2017, Beirut port blast 2020,
  Kabul airport attack 2021, Wagner mutiny 2023, Manchester Arena bombing 2017), each side
  with its source URL; negatives are mostly other claims about the same event (other counts,
  other speakers' statements, a denial of the claim), plus a few same-wording claims about
  different events.
* ``pairs_labelled.jsonl`` — the 118 pairs labelled earlier (86 PolNeAR content-span pairs
  across articles, 32 sample-corpus pairs and paraphrases; formerly inside
  ``bench/claims.py``), with their PolNeAR offsets.

**Split, fixed before any score was looked at**: a pair is *held out* when the SHA-1 of its
group key, as an integer, is divisible by 3; the group key is the event (the first one for a
cross-event pair) for real pairs, so no event is in both parts, and the pair id otherwise.
Held out: Kabul, Mosul and Raqqa (104 real pairs, 47 same) and 38 of the 118 (10 same);
tuning: 91 real pairs (37 same) and 80 of the 118 (27 same).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from ..types import Span
from .claims import ClaimFeatures, ClaimInput, MatchSettings, PairScorer, claim_features, match_claims

__all__ = ["LabelledPair", "evaluate", "load_pairs", "pair_features", "precision_recall", "split_of"]


@dataclass(frozen=True, slots=True)
class LabelledPair:
    id: str
    a: str
    b: str
    same: bool
    split: str  # "tune" or "held-out"
    origin: str  # "real", "polnear", "sample"


def split_of(record: dict[str, Any]) -> str:
    """``"held-out"`` or ``"tune"`` (module docstring)."""
    key = record["event"].split("|")[0] if "event" in record else record["id"]
    return "held-out" if int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % 3 == 0 else "tune"


def load_pairs(paths: Iterable[Path]) -> list[LabelledPair]:
    out = []
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            r = json.loads(line)
            out.append(
                LabelledPair(
                    id=r["id"],
                    a=r["a"]["text"],
                    b=r["b"]["text"],
                    same=bool(r["same"]),
                    split=split_of(r),
                    origin=r.get("origin", "real"),
                )
            )
    return out


def pair_features(text: str, doc_id: str) -> ClaimFeatures:
    """Features of a claim text on its own: words, and the counts it gives (the text is its
    own one-sentence document, so there are no entity keys or places)."""
    doc = SimpleNamespace(id=doc_id, text=text)
    return claim_features(ClaimInput(doc_id, Span(doc_id, 0, len(text), text)), doc)


def evaluate(
    pairs: Sequence[LabelledPair], settings: MatchSettings, scorer: PairScorer
) -> list[bool]:
    """For each pair: does matching put its two claims (two documents) in one claim group?"""
    out = []
    for p in pairs:
        clusters, _ = match_claims([pair_features(p.a, "a"), pair_features(p.b, "b")], settings, scorer)
        out.append(len(clusters) == 1)
    return out


def precision_recall(pairs: Sequence[LabelledPair], predicted: Sequence[bool]) -> tuple[float, float]:
    tp = sum(1 for p, y in zip(pairs, predicted) if y and p.same)
    fp = sum(1 for p, y in zip(pairs, predicted) if y and not p.same)
    fn = sum(1 for p, y in zip(pairs, predicted) if not y and p.same)
    return (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)
