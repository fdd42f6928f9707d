"""Sentence-level hedge detection scored on the CoNLL-2010 Wikipedia weasel data.

The data (``wiki_weasel_train.csv``: ``text,label``; 1 = uncertain) is the shared task's
Wikipedia part as PTB tokens ("-LRB-", "``", "do n't"); :func:`detokenize` turns it back into
plain text before :func:`storyline.annotate.attribution.hedge_cues` reads it.

Three systems, all from the same hedge lexicon (``storyline/data/hedges.json``):

* ``lexicon`` — no learning: a sentence is uncertain when it holds a cue of a class marked
  ``sentence: true`` (reporting, epistemic, evidential, unknown, modal, weasel);
* ``lexicon, weighted`` — the lexicon weighted by the training folds: L2 logistic regression
  over one feature per cue and per class;
* ``lexicon + words`` — the same plus the sentence's lower-case words and word pairs seen at
  least three times in the training folds.

Learning happens on the training folds only: 10-fold cross-validation (one fixed shuffle), the
L2 strength (3, 10 or 30) and decision threshold chosen on a fifth of the training folds held
out from a first fit, then the model refitted on all training folds. Scores are pooled over the
ten test folds (precision, recall and F1 of the uncertain class). numpy and scipy only.

News, cue level (:func:`news_cue_scores`): the epistemic hedges that
:mod:`storyline.annotate.certainty` finds (group ``hedge``: no negation, future, intent or
approximator) against cues marked by a careful reading of sentences from real conflict and
politics articles (``tests/fixtures/claims/hedge_labels.jsonl``, source URLs kept; each sentence
in a ``tune`` or ``heldout`` part by a hash of its URL and text, fixed before any tuning). A
predicted cue is a true positive when it overlaps a gold cue, one to one, in text order.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from .attribution import hedge_cues, hedge_lexicon

__all__ = [
    "PRF",
    "SYSTEMS",
    "cross_validate",
    "data_hash",
    "detokenize",
    "lexicon_predict",
    "load_news_hedges",
    "load_weasel",
    "news_cue_scores",
]

SYSTEMS = ("lexicon", "lexicon, weighted", "lexicon + words")


@dataclass(frozen=True, slots=True)
class PRF:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


_PTB = [
    ("-LRB-", "("),
    ("-RRB-", ")"),
    ("-LSB-", "["),
    ("-RSB-", "]"),
    ("-LCB-", "{"),
    ("-RCB-", "}"),
    ("``", '"'),
    ("''", '"'),
]


def detokenize(text: str) -> str:
    """PTB tokens back to plain text: brackets, quotation marks, "do n't" -> "don't"."""
    for a, b in _PTB:
        text = text.replace(a, b)
    text = re.sub(r"\s+(n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", text)
    text = re.sub(r"\s+([.,;:!?)\]}])", r"\1", text)
    text = re.sub(r"([(\[{])\s+", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def data_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_weasel(path: Path, limit: int | None = None) -> tuple[list[str], np.ndarray]:
    texts: list[str] = []
    labels: list[int] = []
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            text = (row.get("text") or "").strip()
            label = (row.get("label") or "").strip()
            if not text or label not in {"0", "1"}:
                continue
            texts.append(detokenize(text))
            labels.append(int(label))
            if limit is not None and len(texts) >= limit:
                break
    return texts, np.array(labels, dtype=np.int8)


def _cues(text: str) -> list[str]:
    return [c for _, _, c in hedge_cues(text)]


def lexicon_predict(cues: Sequence[Sequence[str]]) -> np.ndarray:
    lex = hedge_lexicon()
    keep = lex.sentence_classes
    return np.array([any(lex.cue_class.get(c) in keep for c in cs) for cs in cues], dtype=np.int8)


def _score(pred: np.ndarray, gold: np.ndarray) -> PRF:
    return PRF(
        int(((pred == 1) & (gold == 1)).sum()),
        int(((pred == 1) & (gold == 0)).sum()),
        int(((pred == 0) & (gold == 1)).sum()),
    )


# ------------------------------------------------------------------------------- learning

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def _features(text: str, cues: Sequence[str], words: bool) -> list[str]:
    lex = hedge_lexicon()
    out = [f"cue={c}" for c in cues] + [f"class={lex.cue_class.get(c)}" for c in cues]
    if words:
        toks = _WORD.findall(text.lower())
        out += [f"w={t}" for t in toks] + [f"b={a}_{b}" for a, b in pairwise(toks)]
    return out


def _matrix(feats: Sequence[Sequence[str]], vocab: dict[str, int]):  # type: ignore[no-untyped-def]
    from scipy.sparse import csr_matrix

    rows, cols = [], []
    bias = len(vocab)
    for i, fs in enumerate(feats):
        for c in {vocab[f] for f in fs if f in vocab} | {bias}:  # the last column is the bias
            rows.append(i)
            cols.append(c)
    data = np.ones(len(rows), dtype=np.float64)
    return csr_matrix((data, (rows, cols)), shape=(len(feats), len(vocab) + 1))


def _fit(x, y: np.ndarray, l2: float = 1.0) -> np.ndarray:  # type: ignore[no-untyped-def]
    from scipy.optimize import minimize

    yf = y.astype(np.float64)
    n = x.shape[0]
    xt = x.T.tocsr()

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w
        p = 1.0 / (1.0 + np.exp(-z))
        eps = 1e-12
        reg = 0.5 * l2 * float(w[:-1] @ w[:-1])
        value = -float(np.sum(yf * np.log(p + eps) + (1 - yf) * np.log(1 - p + eps))) / n + reg / n
        grad = np.asarray(xt @ (p - yf)).ravel() / n
        grad[:-1] += l2 * w[:-1] / n
        return value, grad

    res = minimize(loss, np.zeros(x.shape[1]), jac=True, method="TNC", options={"maxfun": 300})
    return np.asarray(res.x)


def _predict(x, w: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
    return 1.0 / (1.0 + np.exp(-(x @ w)))


def _vocab(feats: Sequence[Sequence[str]], min_count: int) -> dict[str, int]:
    counts = Counter(f for fs in feats for f in set(fs))
    keep = sorted(f for f, n in counts.items() if n >= min_count or f.startswith(("cue=", "class=")))
    return {f: i for i, f in enumerate(keep)}


def _best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    best, best_f = 0.5, -1.0
    for t in np.linspace(0.1, 0.9, 33):
        f = _score((p >= t).astype(np.int8), y).f1
        if f > best_f:
            best, best_f = float(t), f
    return best


_L2 = (3.0, 10.0, 30.0)


def _train_predict(
    feats: Sequence[Sequence[str]],
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    tr = np.array(train)
    rng.shuffle(tr)
    cut = len(tr) // 5
    inner_dev, inner_fit = tr[:cut], tr[cut:]
    vocab = _vocab([feats[i] for i in inner_fit], 3)
    x_fit, x_dev = (
        _matrix([feats[i] for i in inner_fit], vocab),
        _matrix([feats[i] for i in inner_dev], vocab),
    )
    best = (-1.0, _L2[0], 0.5)
    for l2 in _L2:  # regularisation and threshold chosen on the held-out fifth of the training folds
        p = _predict(x_dev, _fit(x_fit, y[inner_fit], l2))
        t = _best_threshold(p, y[inner_dev])
        f = _score((p >= t).astype(np.int8), y[inner_dev]).f1
        if f > best[0]:
            best = (f, l2, t)
    _, l2, threshold = best
    vocab = _vocab([feats[i] for i in train], 3)
    w = _fit(_matrix([feats[i] for i in train], vocab), y[train], l2)
    return (_predict(_matrix([feats[i] for i in test], vocab), w) >= threshold).astype(np.int8)


def cross_validate(
    texts: Sequence[str], y: np.ndarray, folds: int = 10, seed: int = 0, systems: Sequence[str] = SYSTEMS
) -> dict[str, PRF]:
    """Pooled scores of each system over ``folds`` test folds (see the module docstring)."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(texts))
    fold_of = np.empty(len(texts), dtype=np.int64)
    fold_of[order] = np.arange(len(texts)) % folds
    cues = [_cues(t) for t in texts]
    out: dict[str, PRF] = {}
    if "lexicon" in systems:
        out["lexicon"] = _score(lexicon_predict(cues), y)  # no learning: the same on every fold
    for name, words in (("lexicon, weighted", False), ("lexicon + words", True)):
        if name not in systems:
            continue
        feats = [_features(t, c, words) for t, c in zip(texts, cues)]
        pred = np.zeros(len(texts), dtype=np.int8)
        for k in range(folds):
            test = np.flatnonzero(fold_of == k)
            train = np.flatnonzero(fold_of != k)
            pred[test] = _train_predict(feats, y, train, test, np.random.default_rng(seed + k))
        out[name] = _score(pred, y)
    return out


# --------------------------------------------------------------------------------------------- news


def load_news_hedges(path: Path, part: str | None = None) -> list[tuple[str, list[tuple[int, int]]]]:
    """``(sentence, gold hedge spans)`` from the news hedge labels; ``part``: tune / heldout."""
    import json

    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        if part is None or r["part"] == part:
            out.append((r["sentence"], [(int(a), int(b)) for a, b, _ in r["hedges"]]))
    return out


def news_cue_scores(items: Sequence[tuple[str, Sequence[tuple[int, int]]]], predict=None) -> PRF:  # type: ignore[no-untyped-def]
    """Cue-level P/R/F1 on ``items``; ``predict(text) -> [(start, end)]`` defaults to the hedge
    group of :func:`storyline.annotate.certainty.certainty_cues`."""
    if predict is None:
        from .certainty import certainty_cues

        def predict(text: str) -> list[tuple[int, int]]:
            return [(c.start, c.end) for c in certainty_cues(text) if c.group == "hedge"]

    tp = fp = fn = 0
    for text, gold in items:
        pred = predict(text)
        taken: set[int] = set()
        for ps, pe in pred:
            k = next((k for k, (gs, ge) in enumerate(gold) if k not in taken and ps < ge and gs < pe), None)
            if k is None:
                fp += 1
            else:
                taken.add(k)
                tp += 1
        fn += len(gold) - len(taken)
    return PRF(tp, fp, fn)
