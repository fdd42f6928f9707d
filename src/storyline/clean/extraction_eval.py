"""Score main-text extraction against the article-extraction-benchmark gold set.

The scoring reproduces ``evaluate.py`` of scrapinghub/article-extraction-benchmark
(https://github.com/scrapinghub/article-extraction-benchmark/blob/master/evaluate.py,
functions ``string_shingle_matching``, ``_ngrams``, ``_tokenize``,
``metrics_from_tp_fp_fns``, ``precision_score``, ``recall_score``), so our numbers are
comparable with the F1 values its README publishes:

* text → ``\\w+`` tokens → 4-token shingles (a text shorter than 4 tokens is one short
  shingle; an empty text has none), counted as a multiset;
* per document, TP/FP/FN over shingle counts, normalised to sum to 1 so that long
  articles do not weigh more;
* corpus precision = mean of per-document precision over documents whose prediction has
  shingles (tp + fp > 0); corpus recall = mean of per-document recall over documents whose
  gold text has shingles (tp + fn > 0); corpus F1 = harmonic mean of those two means (not
  the mean of per-document F1).

The benchmark's bootstrap confidence intervals are not reproduced.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

TpFpFn = tuple[float, float, float]

_TOKEN_RE = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)
_NGRAM_N = 4


def _shingles(text: str | None, n: int = _NGRAM_N) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN_RE.findall(text or "")
    counts: Counter[tuple[str, ...]] = Counter()
    for i in range(max(1, len(tokens) - n + 1)):
        shingle = tuple(tokens[i : i + n])
        if shingle:
            counts[shingle] += 1
    return counts


def tp_fp_fn(pred: str | None, truth: str | None) -> TpFpFn:
    """Normalised shingle TP/FP/FN of one document (benchmark ``string_shingle_matching``)."""
    true_sh, pred_sh = _shingles(truth), _shingles(pred)
    tp = fp = fn = 0.0
    for key in true_sh.keys() | pred_sh.keys():
        t, p = true_sh.get(key, 0), pred_sh.get(key, 0)
        tp += min(t, p)
        fp += max(0, p - t)
        fn += max(0, t - p)
    s = tp + fp + fn
    if s > 0:
        return tp / s, fp / s, fn / s
    return tp, fp, fn


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def score(pred: str | None, truth: str | None) -> tuple[float, float, float]:
    """Precision, recall, F1 of one predicted text against its gold text."""
    counts = tp_fp_fn(pred, truth)
    p, r = _precision(*counts), _recall(*counts)
    return p, r, _f1(p, r)


def aggregate(counts: list[TpFpFn]) -> dict[str, float]:
    """Corpus precision/recall/F1 from per-document counts (benchmark ``metrics_from_tp_fp_fns``)."""
    precisions = [_precision(*c) for c in counts if c[0] + c[1] > 0]
    recalls = [_recall(*c) for c in counts if c[0] + c[2] > 0]
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    return {"precision": precision, "recall": recall, "f1": _f1(precision, recall)}


def data_sha256(data_dir: str | Path) -> str:
    """Hash of the gold file: the quality floor is only meaningful for the same data."""
    return hashlib.sha256((Path(data_dir) / "ground-truth.json").read_bytes()).hexdigest()


def load_pages(data_dir: str | Path) -> list[tuple[str, bytes, str]]:
    """``(key, html bytes, gold articleBody)`` for every page, sorted by key."""
    data = Path(data_dir)
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf8"))
    pages = []
    for key in sorted(truth):
        html = gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes())
        pages.append((key, html, truth[key].get("articleBody") or ""))
    return pages


def evaluate(
    data_dir: str | Path,
    extract: Callable[[bytes], str | None] | None = None,
) -> dict[str, Any]:
    """Run ``extract`` (default: :func:`storyline.clean.html.clean_html`'s text) over the gold set.

    Returns corpus ``precision``, ``recall``, ``f1``, ``ms_per_page`` (mean time of
    ``extract`` alone, pages already decompressed), ``ms_median``, ``pages``, ``empty`` (pages where
    nothing was extracted), ``data_sha256`` and ``per_doc`` (key → (p, r, f1)).
    """
    if extract is None:
        extract = clean_html_text
    pages = load_pages(data_dir)
    counts: list[TpFpFn] = []
    per_doc: dict[str, tuple[float, float, float]] = {}
    empty = 0
    times: list[float] = []
    for key, html, truth in pages:
        t0 = time.perf_counter()
        pred = extract(html)
        times.append(time.perf_counter() - t0)
        if not pred:
            empty += 1
        counts.append(tp_fp_fn(pred, truth))
        per_doc[key] = score(pred, truth)
    result: dict[str, Any] = aggregate(counts)
    result.update(
        ms_per_page=1000 * statistics.mean(times) if times else 0.0,
        ms_median=1000 * statistics.median(times) if times else 0.0,
        pages=len(pages),
        empty=empty,
        data_sha256=data_sha256(data_dir),
        per_doc=per_doc,
    )
    return result


def clean_html_text(html: bytes) -> str | None:
    """The text :func:`~storyline.clean.html.clean_html` keeps; ``None`` when it rejects the page."""
    from storyline.clean.html import clean_html
    from storyline.errors import EmptyDocument

    try:
        return clean_html(html).text
    except EmptyDocument:
        return None
