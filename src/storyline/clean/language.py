"""Language identification of a cleaned text and of the long passages inside it.

The identifier is py3langid 0.4 (a modernised langid.py: character n-gram naive Bayes with a
length-calibrated softmax, a 4.6 MB model inside the package, numpy only), restricted to its
two-letter (ISO 639-1) languages plus ``zxx`` (no linguistic content): its dialect labels
(Nigerian Pidgin, Cantonese, Venetian, Extremaduran…) and Occitan made 11 of the 17 errors of
the unrestricted model on the whole set. Chosen by measurement (``bench/language.py``,
2026-12-06, 2-core machine, held-out half: 101 real news pages of
``../shared/datasets/pubdates`` and 129 of their titles and first sentences; 35 languages over
both halves; labels with their URLs in ``tests/fixtures/language/pubdates_labels.json``):

=======================  =========  ===========  ============  ======  ======  =========
identifier               documents  short texts  short: wrong  ms/doc  load    install
                                                 / und
=======================  =========  ===========  ============  ======  ======  =========
storyline (this)         1.000      0.876        0 / 16        15.4    2.4 s   4.6 MB
py3langid, unrestricted  1.000      0.953        6 / 0         10.7    2.5 s   4.6 MB
lingua                   1.000      0.977        3 / 0         31.7    43 s    100 MB
pycld2                   1.000      0.930        4 / 5         0.8     0 s     14 MB (C)
langdetect               0.970      0.922        10 / 0        40.9    1.4 s   2.4 MB
=======================  =========  ===========  ============  ======  ======  =========

Times from one run on a machine shared by several jobs (load 9 on 2 cores): compare within the
run. storyline's ms/doc includes the search for passages in other languages (9.1 ms without it).
lingua is the most accurate on short texts but 20× larger, slow to load and 3× slower per
document; pycld2 is fastest but a C extension, and 6 of its 7 confident errors read other
languages as English (French, Portuguese, Dutch, Tagalog → en: the costly direction, the English
models run). storyline trades short-text coverage for no confident error: an uncertain short
text is ``und`` rather than a wrong language. On the tuning half: documents 0.978, short texts
0.878, 0 wrong. Cost in the pipeline: 10.9 ms per English document of the set (3,700
characters) against 585 ms for the other per-document stages in the same run (1.9 %).

Decisions, tuned on the tuning half of the set only (split by a hash of the file name):

* ``language`` is an ISO 639-1 code, or ``und`` (undetermined) when the text has fewer than
  :data:`MIN_LETTERS` letters, when the best guess has a probability under
  :data:`MIN_CONFIDENCE` (0.5: no wrong short-text guess on the tuning half; 0.3 let two through),
  or when it is ``zxx``.
* An undetermined text is analysed with the English models only when English is a plausible
  reading (:func:`english_plausible`: English probability ≥ :data:`ENGLISH_PLAUSIBLE`): a
  short English headline still gets its entities, "Jangan lupa" does not.
* Passages (paragraphs, and quotations inside a paragraph) of at least
  :data:`MIN_PASSAGE_CHARS` characters whose language differs from the document's with a
  probability ≥ :data:`PASSAGE_CONFIDENCE` are recorded as :class:`LanguageSpan`; the
  entities and places stages leave them alone (an English document quoting a Portuguese
  paragraph gets no "people" from its Portuguese words).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from ..records import LanguageSpan  # noqa: F401  (re-exported: the record type lives in storyline.records)

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

__all__ = [
    "UNDETERMINED", "LanguageGuess", "LanguageSpan", "load_identifier", "guess_language",
    "identify", "foreign_passages", "english_plausible",
]

UNDETERMINED = "und"
MIN_LETTERS = 10
MIN_CONFIDENCE = 0.5
ENGLISH_PLAUSIBLE = 0.15
MIN_PASSAGE_CHARS = 150
PASSAGE_CONFIDENCE = 0.9
# The document's language is read from its first 20,000 characters (longer than any page of the
# set): a 5 MB text costs no more than a long article.
MAX_CHARS = 20_000
# Passages are looked for in the first 100,000 characters (0.4 s; 200,000 took 0.8 s).
MAX_SCAN = 100_000
TOP = 3  # candidates kept with their probabilities (and English)

# Labels kept: the model's two-letter (ISO 639-1) languages and zxx. Left out: its three-letter
# dialect and regional labels (pcm, yue, vec, ext, kab, ...: 10 of the 17 errors of the
# unrestricted model) and four rare two-letter ones that can only take texts from a neighbour
# (Occitan took an English title; Aragonese, Walloon, Volapuk).
LEFT_OUT = frozenset({"oc", "an", "wa", "vo"})

_LETTER = re.compile(r"[^\W\d_]")
# A paragraph, or a quotation of its own inside one (straight, curly, guillemets, German).
_PARAGRAPH = re.compile(r"[^\n]+")
_QUOTE = re.compile(r"[\"“«„]([^\"“”«»„\n]{%d,})[\"”»“]" % MIN_PASSAGE_CHARS)


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """The identifier's answer for one text: the decided ``language`` (or ``und``), the best
    guess's probability, and the top candidates with their probabilities."""

    language: str
    confidence: float
    scores: dict[str, float]


@cache
def load_identifier() -> LanguageIdentifier:
    """The py3langid model, restricted (see :data:`LEFT_OUT`); loaded once per process (≈1.8 s)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    kept = [lang for lang in ident.labels if (len(lang) == 2 and lang not in LEFT_OUT) or lang == "zxx"]
    ident.set_languages(kept)
    # Restricting the labels leaves the feature table column-major: scoring gathers rows, 7x
    # faster from a row-major copy (3.5 -> 0.5 ms for 3,000 features); same 23 MB.
    ident.nb_ptc = np.ascontiguousarray(ident.nb_ptc)
    return ident


def guess_language(text: str, identifier: LanguageIdentifier | None = None) -> LanguageGuess:
    """Identify the language of ``text`` (see the module docstring for the decisions)."""
    ident = identifier or load_identifier()
    text = text[:MAX_CHARS]
    if _too_few_letters(text):
        return LanguageGuess(UNDETERMINED, 0.0, {})
    return _decide(_ranked(ident, *_features(ident, text)))


def identify(
    text: str, identifier: LanguageIdentifier | None = None
) -> tuple[LanguageGuess, list[LanguageSpan]]:
    """The document's language and the passages in other languages, from one walk over the
    text: the document's features are the sum of its paragraphs' (those within the first
    :data:`MAX_CHARS` characters), and the document and its long paragraphs are scored in one
    sparse product: 1.5 to 1.7× the time of classifying the text alone, where classifying the
    text and then each paragraph took 2.6× (bench/language.py)."""
    ident = identifier or load_identifier()
    if _too_few_letters(text[:MAX_CHARS]):
        return LanguageGuess(UNDETERMINED, 0.0, {}), []
    paragraphs = list(_paragraphs(ident, text))
    rows = [i for i, p in enumerate(paragraphs) if p.end - p.start >= MIN_PASSAGE_CHARS]
    probs = _probabilities(ident, paragraphs, rows)
    guess = _decide(_ranked_row(ident, probs[-1]))
    if guess.language == UNDETERMINED:
        return guess, []
    best = [(ident.nb_classes[k], float(row[k])) for row, k in zip(probs[:-1], probs[:-1].argmax(axis=1))]
    return guess, _passages(ident, text, guess.language, [(paragraphs[i], b) for i, b in zip(rows, best)])


def foreign_passages(
    text: str, language: str, identifier: LanguageIdentifier | None = None
) -> list[LanguageSpan]:
    """Paragraphs, and long quotations inside paragraphs, in another language than ``language``.

    Nothing is reported for an undetermined document (no language to differ from). Adjacent
    paragraphs in one language merge into one span. Only the first :data:`MAX_SCAN` characters
    are scanned.
    """
    if language == UNDETERMINED:
        return []
    ident = identifier or load_identifier()
    long = [p for p in _paragraphs(ident, text) if p.end - p.start >= MIN_PASSAGE_CHARS]
    best = [_ranked(ident, p.visits, p.nbytes)[0] for p in long]
    return _passages(ident, text, language, list(zip(long, best)))


@dataclass(frozen=True, slots=True)
class _Paragraph:
    start: int
    end: int
    visits: Counter[int]
    nbytes: int


def _paragraphs(ident: LanguageIdentifier, text: str) -> Iterator[_Paragraph]:
    for m in _PARAGRAPH.finditer(text, 0, MAX_SCAN):
        start, end = _trim(text, m.start(), m.end())
        if start < end:
            yield _Paragraph(start, end, *_features(ident, text[start:end]))


def _passages(
    ident: LanguageIdentifier, text: str, language: str, scored: list[tuple[_Paragraph, tuple[str, float]]]
) -> list[LanguageSpan]:
    """Long paragraphs (with their best label) in another language, else their long quotations."""
    spans: list[LanguageSpan] = []
    for p, best in scored:
        found = _foreign(p.start, p.end, best, language)
        if found is not None:
            spans.append(found)
            continue
        for quote in _QUOTE.finditer(text, p.start, p.end):
            start, end = _trim(text, quote.start(1), quote.end(1))
            if end - start >= MIN_PASSAGE_CHARS:
                best = _ranked(ident, *_features(ident, text[start:end]))[0]
                if (found := _foreign(start, end, best, language)) is not None:
                    spans.append(found)
    return _merge(text, spans)


def _foreign(start: int, end: int, best: tuple[str, float], language: str) -> LanguageSpan | None:
    lang, p = _code(best[0]), best[1]
    if lang in (language, "zxx") or p < PASSAGE_CONFIDENCE:
        return None
    return LanguageSpan(start, end, lang, round(p, 3))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _too_few_letters(text: str) -> bool:
    return len(_LETTER.findall(text, 0, 200)) < MIN_LETTERS and len(_LETTER.findall(text)) < MIN_LETTERS


def _decide(ranked: list[tuple[str, float]]) -> LanguageGuess:
    # the top candidates, and English always: it decides whether the English models may run
    scores = {_code(lang): round(p, 3) for i, (lang, p) in enumerate(ranked) if i < TOP or lang == "en"}
    best, p = ranked[0]
    if p < MIN_CONFIDENCE or best == "zxx":
        return LanguageGuess(UNDETERMINED, round(p, 3), scores)
    return LanguageGuess(_code(best), round(p, 3), scores)


def _code(lang: str) -> str:
    return "no" if lang in ("nb", "nn") else lang


# py3langid's scoring, split in two so that features are counted once and scored for the whole
# document and for each paragraph. These mirror LanguageIdentifier._raw_score / _decide / rank
# of py3langid 0.4 (pinned <0.5); tests/clean/test_language.py checks they agree with rank().
def _features(ident: LanguageIdentifier, text: str) -> tuple[Counter[int], int]:
    from py3langid.langid import visit_counts

    data = ident._encode(text)
    return visit_counts(ident.tk_nextmove, ident._rowbase, ident.tk_output, data) or Counter(), len(data)


def _ranked(ident: LanguageIdentifier, visits: Counter[int], nbytes: int) -> list[tuple[str, float]]:
    """Labels by probability, best first (``LanguageIdentifier.rank`` with ``norm_probs``)."""
    if visits:
        scores = ident._sparse_score(visits, ident.nb_ptc)
    else:
        scores = np.zeros(len(ident.nb_classes), dtype=np.float32)
    return _ranked_row(ident, _calibrated(ident, scores[None, :], np.array([nbytes]))[0])


def _probabilities(ident: LanguageIdentifier, paragraphs: list[_Paragraph], rows: list[int]) -> np.ndarray:
    """Label probabilities of the paragraphs at ``rows`` and, in the last row, of the document
    (its paragraphs starting within :data:`MAX_CHARS`): the model's rows for the features present
    are gathered once, and each paragraph is one row of a sparse product."""
    from scipy.sparse import csr_matrix

    no_int, no_float = np.zeros(0, np.intp), np.zeros(0, np.float32)
    keys = [np.fromiter(p.visits, dtype=np.intp, count=len(p.visits)) for p in paragraphs]
    counts = [np.fromiter(p.visits.values(), dtype=np.float32, count=len(p.visits)) for p in paragraphs]
    uniq, inverse = np.unique(np.concatenate([no_int, *keys]), return_inverse=True)
    cols = np.split(inverse, np.cumsum([len(k) for k in keys])[:-1])  # each paragraph's columns
    table = ident.nb_ptc[uniq].astype(np.float32)  # the model stores float16
    matrix = csr_matrix(
        (np.concatenate([no_float, *(np.log1p(counts[i]) for i in rows)]),
         np.concatenate([no_int, *(cols[i] for i in rows)]),
         np.cumsum([0] + [len(cols[i]) for i in rows])),
        shape=(len(rows), len(uniq)),
    )
    head = [i for i, p in enumerate(paragraphs) if p.start < MAX_CHARS]
    total = np.bincount(
        np.concatenate([no_int, *(cols[i] for i in head)]),
        weights=np.concatenate([no_float, *(counts[i] for i in head)]), minlength=len(uniq),
    )
    raw = np.vstack([matrix @ table, np.log1p(total).astype(np.float32) @ table]) + ident.nb_pc
    nbytes = np.array([paragraphs[i].nbytes for i in rows] + [sum(paragraphs[i].nbytes + 1 for i in head)])
    featureless = np.array([not paragraphs[i].visits for i in rows] + [not total.any()], dtype=bool)
    raw[featureless] = 0.0  # py3langid answers uniformly when a text has no feature
    return _calibrated(ident, raw, nbytes)


def _calibrated(ident: LanguageIdentifier, raw: np.ndarray, nbytes: np.ndarray) -> np.ndarray:
    """Rows of raw scores → probabilities: length-calibrated softmax, script aliases folded."""
    scores = raw * (1.0 / np.sqrt(np.maximum(nbytes, 1)))[:, None].astype(np.float32)
    scores = np.exp(scores - scores.max(axis=1, keepdims=True))
    scores /= scores.sum(axis=1, keepdims=True)
    for i, j in ident._alias_pairs:  # script variants of one label (srl -> sr) share one score
        scores[:, i] += scores[:, j]
        scores[:, j] = 0.0
    return scores


def _ranked_row(ident: LanguageIdentifier, probs: np.ndarray) -> list[tuple[str, float]]:
    merged: dict[str, float] = {}
    for lang, p in zip(ident.nb_classes, probs.tolist()):
        merged.setdefault(lang, p)
    return sorted(merged.items(), key=lambda kv: kv[1], reverse=True)


def _merge(text: str, spans: list[LanguageSpan]) -> list[LanguageSpan]:
    out: list[LanguageSpan] = []
    for s in spans:
        prev = out[-1] if out else None
        if prev is not None and prev.language == s.language and not text[prev.end:s.start].strip():
            out[-1] = LanguageSpan(prev.start, s.end, s.language, min(prev.confidence, s.confidence))
        else:
            out.append(s)
    return out


def english_plausible(language: str | None, scores: dict[str, float] | None) -> bool:
    """Whether the English models may run on a text of this identified language: English
    texts, texts never identified (no language stage ran), and undetermined texts whose
    English probability is at least :data:`ENGLISH_PLAUSIBLE`."""
    if language is None or language == "en":
        return True
    return language == UNDETERMINED and (scores or {}).get("en", 0.0) >= ENGLISH_PLAUSIBLE


def covers(languages: tuple[str, ...], language: str | None, scores: dict[str, float] | None) -> bool:
    """Whether a stage covering ``languages`` may run on a text identified as ``language``.
    Unidentified texts (no language stage ran) keep the behaviour from before identification;
    undetermined ones run the English stages only when English is plausible."""
    if language is None or language in languages:
        return True
    return language == UNDETERMINED and "en" in languages and english_plausible(language, scores)


def describe(record: dict[str, Any]) -> list[str]:
    """Plain lines for a document record (``Doc.to_record(full=True)``): its language, the
    passages in other languages, and which analyses do not cover its language yet. One wording
    for the CLI, the report and the app."""
    lang = record.get("language")
    if lang is None:
        return []
    label = language_label(lang, record.get("language_confidence"), record.get("language_scores"))
    lines = [f"language: {label}"]
    for s in record.get("language_spans") or []:
        lines.append(f"  passage in {s['language']} at {s['start']}-{s['end']} ({s['confidence']:.2f})")
    skipped = record.get("not_analysed") or {}
    if skipped:
        lines.append(not_analysed_note(skipped))
    return lines


def language_label(language: str, confidence: float | None, scores: dict[str, float] | None = None) -> str:
    """``pt (1.00)``, or ``und (best guesses: id 0.41, ms 0.33)`` for an undetermined text."""
    if language == UNDETERMINED:
        best = sorted((scores or {}).items(), key=lambda kv: -kv[1])[:TOP]
        guesses = ", ".join(f"{k} {v:.2f}" for k, v in best)
        return f"und (undetermined{': best guesses ' + guesses if guesses else ''})"
    return f"{language} ({confidence:.2f})" if confidence is not None else language


def not_analysed_note(skipped: dict[str, str]) -> str:
    """"not analysed (language pt): nlp, entities, … cover English only so far"; stages
    skipped for another reason (a time budget) are named with theirs."""
    by_reason: dict[str, list[str]] = {}
    for name, reason in skipped.items():
        by_reason.setdefault(reason, []).append(name)
    return "; ".join(
        f"not analysed ({reason}): {', '.join(names)} cover English only so far"
        if reason.startswith("language ") else f"not run ({reason}): {', '.join(names)}"
        for reason, names in by_reason.items()
    )
