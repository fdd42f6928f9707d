"""Copy detection: which texts reuse which passages, where exactly, and which way it flowed.

The step is built from public sub-steps (candidates → score → cluster), each a pure function
or a small class with no store access, so a caller with a big corpus can run them apart:

1. **passages** — :func:`tokenize` turns a cleaned text into normalised words with their
   character offsets, paragraph numbers (paragraphs are split on blank lines) and sentence
   starts; short paragraphs that read like page furniture (comment forms, subscribe prompts)
   are dropped. :meth:`PassageIndex.passages` cuts each paragraph into *sentence windows*:
   a window starts at a sentence and runs to the first sentence end at or after
   ``window_words`` words (a paragraph shorter than that is one window).
2. **candidates** — :class:`PassageIndex` computes a datasketch MinHash (affine32 scheme,
   ``num_perm`` permutations) of each window's word 5-grams and cuts it into LSH bands whose
   number and width come from the user's ``threshold`` through datasketch's own
   ``_optimal_param`` with recall-favouring weights. Each band gives one 8-byte key (band
   number in the top byte). A :class:`CandidateIndex` maps keys to passage ids
   ``(doc id, window number)``; :class:`MemoryIndex` is the in-memory one, and a table
   ``(key, doc, window)`` with an index on ``key`` is the SQLite one. Only every other
   window is *stored* (consecutive, non-overlapping windows); every window is *queried*.
   Windows rather than whole paragraphs make containment work: a trimmed paragraph pasted
   inside a longer one shares whole sentence windows with it (001/004 in the sample corpus:
   paragraph Jaccard 0.43, window Jaccard 1.0).
3. **score** — :func:`align` seeds on shared word 5-grams, chains seeds that stay in order
   within ``max_gap`` words (so substitutions, fixed typos, trimmed quotes and small
   insertions do not break a passage), extends over single substituted words, and returns
   exact character spans in both texts, one per paragraph pair. A chain must hold at least
   ``min_words`` matching words; quotes shorter than that are not passages.
4. **cluster / filter** — passages a site repeats on its own pages are *site templates*
   (:mod:`.templates`: prompts, promotions, disclaimers, author blurbs): they are kept with a
   :class:`~storyline.types.Discount` and count for nothing; the boilerplate guard drops
   passages that read like page furniture or that occur in ``boilerplate_docs`` or more
   documents (see :func:`find_reuse`); :func:`decide_direction` says which text is the
   source, from publication dates, the copy naming the source outlet, the copy introducing
   the passage "as reported", and containment — ``unknown`` when the evidence is missing or
   conflicts.

:func:`find_reuse` runs all of it over a batch; :func:`find_reuse_incremental` compares new
documents with a persisted index only (cost proportional to the new documents).

Heavy reuse (a wire text reprinted by many outlets; ``bench/replicate.py``'s paragraph-shuffled
copies, ~21 candidate pairs a new document) makes alignment the step's cost. Seeds are found
with numpy over integer k-gram codes and chained a diagonal run at a time (:func:`_chains`),
pieces cut per paragraph pair in numpy, the boilerplate guard compares all spans at once
(:func:`_frequent`), words are split by one ``re.split`` a paragraph; all give what the
per-seed, per-word and all-pairs forms gave (``tests/corpus/test_reuse_fast_paths.py`` keeps
those as references). 300 copies added to the 10,000-document replica store, same machine
and load: ``update_reuse`` 39.1 s → 25.3 s of CPU, every table it writes identical.

Parameters, in the user's terms, and what they trade. Measured with ``python bench/reuse.py
--grid --docs 2000 --copy-rate 0.5``: 2,000 documents sampled from a word-bigram model of real
news (PolNeAR, TempEval-3, ECB+), 1,000 planted pastes of 10–160 words — a quarter each exact,
lightly edited (1 word in 25 substituted, 2–5 words trimmed), heavily edited (1 in 12
substituted, a trim, a typo), reordered paragraphs — plus negatives: a shared real quote of
8–18 words with "an official said" in 15 % of documents, a comment form in 10 %, 25–45-word
footers each shared by 8 documents. Recall per planted paragraph by its length; precision
per reported passage (every false one was a shared quote)::

    threshold (bands×rows)  min_words  precision  R 10–19w  R 20–39w  R 40–79w  R 80+w
    0.3 (32×2)              10         0.920      0.839     0.948     0.990     1.000
    0.3 (32×2)              15         0.945      0.628     0.942     0.990     1.000
    0.3 (32×2)  default     20         0.990      0.499     0.884     0.990     1.000
    0.3 (32×2)              30         1.000      0.441     0.613     0.982     1.000
    0.3 (32×2)              40         1.000      0.386     0.425     0.859     1.000
    0.4 (42×3)              20         0.990      0.480     0.858     0.967     1.000
    0.5 (32×4)              20         0.989      0.436     0.791     0.914     0.982
    0.5 (32×4)              30         1.000      0.403     0.566     0.914     0.982
    0.7 (20×6)              20         0.986      0.353     0.641     0.733     0.800

At scale (``python bench/reuse.py``: 100,000 documents, 37.7M words, 10,000 planted pastes,
one core, incremental in chunks of 1,000): precision 1.000, recall 0.499 / 0.884 / 0.987 /
0.996 in the same length classes (the shared quotes recur in ≥ 5 documents there, so the
boilerplate guard drops them; 2,403 passages were withdrawn after the fact), 6.0 ms a
document all in, adding 1,000 documents takes
3.8 s at 10k indexed and 7.1 s at 100k; 1.3M stored windows, 41.8M band keys (~0.5 GB in a
:class:`MemoryIndex`, so ~50 GB at 10M documents: persist to disk); peak RSS 1.97 GB, of
which 0.64 GB are the corpus texts held for look-ups.

``min_words`` (default 20): the shortest run of matching words reported; shorter runs are
quotes and stock phrases as often as pastes. A paragraph shorter than ``min_words`` is still
found when it is part of a longer pasted run. ``threshold`` (default 0.3): the Jaccard
similarity of two sentence windows' word 5-grams at which they are compared at all; what is
lost at higher settings is the heavily edited pastes. Index size does not depend on it
(32 bands at 0.3 and 0.5); comparisons do: on the 1,953 real news texts of those data sets,
0.3 aligns 1,957 candidate pairs (443 with passages), 0.5 aligns 647 (371).
"""

from __future__ import annotations

import re
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from hashlib import blake2b
from itertools import accumulate, compress, count
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

import numpy as np
from datasketch import MinHash
from datasketch.lsh import _optimal_param
from rapidfuzz.distance import Indel

from ..types import CopiedPassage, Direction, Discount, DocMeta, SiteTemplate, Span
from .templates import TemplateFinder, TemplateRule, site_key

__all__ = [
    "Alignment",
    "CandidateIndex",
    "DocInput",
    "MemoryIndex",
    "Passage",
    "PassageId",
    "PassageIndex",
    "ReuseUpdate",
    "TokenizedText",
    "align",
    "decide_direction",
    "find_reuse",
    "find_reuse_incremental",
    "is_boilerplate",
    "paragraphs",
    "tokenize",
]

DocInput = tuple[str, str, DocMeta]
"""One document for copy detection: ``(id, cleaned text, metadata)``."""

Alignment = tuple[tuple[int, int], tuple[int, int], float]
"""``((a_start, a_end), (b_start, b_end), similarity)``: one reused passage, character
offsets into the first and the second text, similarity of their words (0–1)."""

PassageId = tuple[str, int]
"""``(doc id, window number)``: what a :class:`CandidateIndex` stores under each band key."""

# Evidence strings (records.md "Copied passage": direction_evidence).
EARLIER_DATE = "earlier publication date"
NAMES_SOURCE = "copy names the source outlet"
AS_REPORTED = "copy introduces the passage as reported"
CONTAINS_SOURCE = "copy contains the source plus additions"

# ---------------------------------------------------------------------------------------
# 1. Passages: words with offsets, paragraphs, sentence windows
# ---------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_SPLIT_WORDS = re.compile(r"([^\W_]+(?:['’][^\W_]+)*)")  # split: gap, word, gap, word, …, gap
_GAP_MARK = re.compile(r"[^\w.!?…\n]*[.!?…\n]")  # a gap ending a sentence or a line (no "_" before the mark)


@lru_cache(maxsize=1 << 14)
def _ends_sentence(gap: str) -> bool:
    """Whether the text between two words holds a sentence end or line break (the gaps of
    a text are a few distinct strings: " ", ", ", ". ", so this is a cache look-up)."""
    return _GAP_MARK.match(gap) is not None


_PARA_BREAK = re.compile(r"\n[ \t\r\f\v\u00a0]*\n\s*")

# Page furniture that survives cleaning now and then. Only short paragraphs are tested:
# a long news paragraph that happens to say "newsletter" is not furniture.
_BOILERPLATE = re.compile(
    r"""(?ix)
    \bleave\ a\ (?:reply|comment)\b
    | \byour\ email\ address\ will\ not\ be\ published
    | \brequired\ fields\ are\ marked
    | \bissues\ with\ commenting\b
    | \bcomments?\ (?:are\ )?closed\b | \bpost\ a\ comment\b | \bview\ comments\b
    | \b(?:follow|like|join|find)\ us\ on\b
    | \bsubscribe\ (?:to|now|for|today)\b | \bsign\ up\ (?:for|to)\b | \bnewsletter\b
    | \ball\ rights\ reserved\b | ©
    | \bcookies?\b.{0,80}\b(?:accept|consent|policy|settings)\b
    | \bshort\ link\b | \bshare\ (?:this|on)\b | \bclick\ here\b | \bread\ more\b
    | \bcaptcha\b | \bdisqus\b | \bprivacy\ policy\b | \bterms\ of\ (?:use|service)\b
    """
)
_BOILERPLATE_MAX_WORDS = 30
_BOILERPLATE_ANCHORS = (
    "reply", "comment", "email", "required", " us on", "subscribe", "sign up", "newsletter",
    "rights reserved", "©", "cookie", "short link", "share ", "click here", "read more",
    "captcha", "disqus", "privacy", "terms of",
)


def is_boilerplate(text: str) -> bool:
    """True when ``text`` (a paragraph or a passage) is short page furniture: a comment
    form, a subscribe or follow prompt, a copyright or cookie line."""
    return _furniture(text, None)


def _furniture(text: str, words: int | None) -> bool:
    """:func:`is_boilerplate`, given the number of ``words`` of ``text`` when known (then
    a paragraph of more than 30 words is let go before the furniture regex runs)."""
    if len(text) > 12 * _BOILERPLATE_MAX_WORDS:  # cheap: 30 words are rarely 360 characters
        return False
    low = text.lower()
    if not any(a in low for a in _BOILERPLATE_ANCHORS):  # the regex is 50x slower than this
        return False
    if words is not None and words > _BOILERPLATE_MAX_WORDS:
        return False
    if _BOILERPLATE.search(text) is None:
        return False
    return (len(_WORD.findall(text)) if words is None else words) <= _BOILERPLATE_MAX_WORDS


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Character ranges of the paragraphs of ``text`` (split on blank lines), stripped of
    surrounding whitespace; empty paragraphs are left out."""
    out: list[tuple[int, int]] = []
    pos = 0
    for m in [*_PARA_BREAK.finditer(text), None]:
        end = m.start() if m else len(text)
        seg = text[pos:end]
        lead = len(seg) - len(seg.lstrip())
        s, e = pos + lead, pos + len(seg.rstrip())
        if e > s:
            out.append((s, e))
        if m:
            pos = m.end()
    return out


@dataclass(frozen=True, slots=True)
class TokenizedText:
    """The words of a text, normalised (case-folded, curly apostrophes straightened), with
    their character offsets, paragraph number and whether each starts a sentence.
    Paragraphs dropped as boilerplate contribute no words."""

    text: str
    words: list[str]
    starts: list[int]
    ends: list[int]
    paragraph: list[int]
    sentence_start: list[bool]

    def __len__(self) -> int:
        return len(self.words)


def tokenize(text: str, *, drop_boilerplate: bool = True) -> TokenizedText:
    """Split ``text`` into normalised words with offsets (see :class:`TokenizedText`).

    A word starts a sentence when it opens its paragraph, or when the gap before it holds a
    sentence end or line break (before any ``_``) and the word is not lower case. Done with
    one ``re.split`` per paragraph, offsets summed from the parts' lengths, gaps looked up
    in a cache: the same words, offsets and sentence starts as one regex match per word, in
    ~20 % less time (1,500 news texts: 1.42 → 1.16 s)."""
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    para: list[int] = []
    sent: list[bool] = []
    for p, (ps, pe) in enumerate(paragraphs(text)):
        chunk = text[ps:pe]
        parts = _SPLIT_WORDS.split(chunk)  # gap, word, gap, …, word, gap
        n = len(parts) // 2  # = len(_WORD.findall(chunk))
        if not n or drop_boilerplate and _furniture(chunk, n):
            continue
        found = parts[1::2]
        bounds = list(accumulate(map(len, parts), initial=ps))  # word w starts at 2w+1, ends at 2w+2
        flags = [False] * n
        flags[0] = True
        for w in compress(range(1, n), map(_ends_sentence, parts[2 : 2 * n : 2])):
            flags[w] = not found[w][0].islower()
        words += "\x00".join(found).casefold().replace("’", "'").split("\x00")
        starts += bounds[1 : 2 * n : 2]
        ends += bounds[2 : 2 * n + 1 : 2]
        para += [p] * n
        sent += flags
    return TokenizedText(text, words, starts, ends, para, sent)


@dataclass(frozen=True, slots=True)
class Passage:
    """One indexed sentence window: words ``[first, last)`` of the tokenized text,
    characters ``[start, end)``. ``stored``: whether it goes into the index (every window
    is queried; only consecutive non-overlapping ones are stored)."""

    number: int
    first: int
    last: int
    start: int
    end: int
    stored: bool

    @property
    def words(self) -> int:
        return self.last - self.first


# ---------------------------------------------------------------------------------------
# 2. Candidates: MinHash signatures, LSH band keys, an index of keys
# ---------------------------------------------------------------------------------------

_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_C1 = np.uint64(0xFF51AFD7ED558CCD)
_C2 = np.uint64(0xC4CEB9FE1A85EC53)
_GOLD = np.uint64(0x9E3779B97F4A7C15)


def _fmix64(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(33))
    h = h * _C1
    h = h ^ (h >> np.uint64(33))
    h = h * _C2
    return h ^ (h >> np.uint64(33))


def _fmix32(h: np.ndarray) -> np.ndarray:
    # MurmurHash3's finaliser, as datasketch's affine32 scheme applies it to input hashes.
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def _word_hash(word: str) -> int:
    return int.from_bytes(blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


@lru_cache(maxsize=64)
def _lsh_params(threshold: float, num_perm: int, fp_weight: float, fn_weight: float) -> tuple[int, int]:
    # datasketch's own optimiser (a pure function, a few hundred ms: cached)
    b, r = _optimal_param(threshold, num_perm, fp_weight, fn_weight)
    return int(b), int(r)


class PassageIndex:
    """MinHash-LSH over sentence windows, with parameters in the user's terms.

    ``threshold``: Jaccard similarity of two windows' word ``shingle_words``-grams at which
    they become candidates (LSH bands and rows are derived with datasketch's
    ``_optimal_param``; ``weights`` = (false-positive, false-negative) weights, recall
    favoured by default, since alignment removes false candidates cheaply).

    Band keys depend on every parameter here: persist :attr:`config` beside stored keys and
    rebuild when it changes.
    """

    def __init__(
        self,
        threshold: float = 0.3,
        *,
        num_perm: int = 128,
        shingle_words: int = 5,
        window_words: int = 20,
        min_window_words: int = 8,
        weights: tuple[float, float] = (0.1, 0.9),
        seed: int = 1,
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        if shingle_words < 1 or window_words < shingle_words or min_window_words < shingle_words:
            raise ValueError("need 1 <= shingle_words <= min_window_words and shingle_words <= window_words")
        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle_words = shingle_words
        self.window_words = window_words
        self.min_window_words = min_window_words
        self.seed = seed
        self.bands, self.rows = _lsh_params(threshold, num_perm, weights[0], weights[1])
        if self.bands > 255:
            raise ValueError("too many LSH bands for 8-bit band numbers; lower num_perm")
        perm = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
        self._a = np.asarray(perm[0], dtype=np.uint32)
        self._b = np.asarray(perm[1], dtype=np.uint32)
        self._word_hashes: dict[str, int] = {}

    @property
    def config(self) -> str:
        """Everything the band keys depend on, as one string to persist and compare."""
        return (
            f"reuse-minhash-v1 affine32 perm={self.num_perm} seed={self.seed} k={self.shingle_words} "
            f"window={self.window_words} minwin={self.min_window_words} bands={self.bands} rows={self.rows}"
        )

    # -- passages ---------------------------------------------------------------------
    def passages(self, tok: TokenizedText) -> list[Passage]:
        """Sentence windows of a tokenized text (see the module docstring)."""
        out: list[Passage] = []
        n = len(tok)
        W = self.window_words
        i = 0
        while i < n:
            p = tok.paragraph[i]
            j = i
            while j < n and tok.paragraph[j] == p:
                j += 1
            if j - i >= self.min_window_words:
                sents = [t for t in range(i, j) if tok.sentence_start[t]]
                if sents[0] != i:
                    sents.insert(0, i)
                next_stored = i
                si = 0
                for si, s in enumerate(sents):
                    e = j
                    for s2 in sents[si + 1 :]:
                        if s2 - s >= W:
                            e = s2
                            break
                    if e - s < self.min_window_words:
                        continue
                    stored = s == next_stored
                    if stored:
                        next_stored = e
                    out.append(Passage(len(out), s, e, tok.starts[s], tok.ends[e - 1], stored))
                    if e == j and s != i and e - s < W:
                        break  # a tail window; later starts are inside it
            i = j
        return out

    # -- signatures -------------------------------------------------------------------
    def _shingle_hashes(self, words: Sequence[str]) -> np.ndarray:
        """32-bit hash of each word k-gram (k = shingle_words), by start position."""
        k = self.shingle_words
        cache = self._word_hashes
        if len(cache) > 2_000_000:  # a word-hash memo, not state: bounded (~250 MB at most)
            cache.clear()
        hashes = list(map(cache.get, words))
        if None in hashes:
            hashes = [h if h is not None else cache.setdefault(w, _word_hash(w)) for w, h in zip(words, hashes)]
        wh = np.array(hashes, dtype=np.uint64)
        m = len(words) - k + 1
        if m <= 0:
            return np.zeros(0, dtype=np.uint32)
        h = wh[:m].copy()
        for t in range(1, k):
            h = _fmix64(h * _GOLD + wh[t : t + m])
        return (h >> np.uint64(32)).astype(np.uint32)

    def _permuted(self, shingles: np.ndarray) -> np.ndarray:
        hv = _fmix32(shingles).reshape(-1, 1)
        return hv * self._a + self._b  # uint32 arithmetic wraps: a*h+b mod 2^32

    def signature(self, text: str) -> np.ndarray:
        """MinHash (``num_perm`` uint32 values) of all word k-grams of ``text`` — equal to
        ``datasketch.MinHash(num_perm, seed, scheme="affine32")`` fed the same k-gram hashes."""
        tok = tokenize(text, drop_boilerplate=False)
        sh = self._shingle_hashes(tok.words)
        if len(sh) == 0:
            return np.full(self.num_perm, 0xFFFFFFFF, dtype=np.uint32)
        return self._permuted(sh).min(axis=0)

    def signatures(self, tok: TokenizedText) -> tuple[list[Passage], np.ndarray]:
        """The windows of a tokenized text and their MinHash signatures, shape
        ``(len(windows), num_perm)``, computed in one pass over the text's k-grams."""
        ps = self.passages(tok)
        if not ps:
            return ps, np.zeros((0, self.num_perm), dtype=np.uint32)
        k = self.shingle_words
        perm = self._permuted(self._shingle_hashes(tok.words))
        perm = np.vstack([perm, np.full((1, self.num_perm), 0xFFFFFFFF, dtype=np.uint32)])
        idx = np.empty(2 * len(ps), dtype=np.int64)
        idx[0::2] = [p.first for p in ps]
        idx[1::2] = [p.last - k + 1 for p in ps]
        return ps, np.minimum.reduceat(perm, idx, axis=0)[0::2]

    # -- band keys --------------------------------------------------------------------
    def band_key_array(self, signatures: np.ndarray) -> np.ndarray:
        """LSH band keys as uint64, shape ``(n, bands)``: a 56-bit hash of the band's
        ``rows`` values with the band number in the top 8 bits."""
        sig = np.atleast_2d(np.asarray(signatures, dtype=np.uint32)).astype(np.uint64)
        n, b, r = sig.shape[0], self.bands, self.rows
        bands = sig[:, : b * r].reshape(n, b, r)
        band_no = np.arange(b, dtype=np.uint64)
        h = np.broadcast_to((band_no + np.uint64(1)) * _GOLD, (n, b)).copy()
        for col in range(r):
            h = _fmix64((h ^ bands[:, :, col]) * _GOLD)
        return (h >> np.uint64(8)) | (band_no << np.uint64(56))

    def band_keys(self, signature: np.ndarray) -> list[bytes]:
        """One 8-byte key per LSH band (big-endian; the first byte is the band number)."""
        return [int(v).to_bytes(8, "big") for v in self.band_key_array(signature)[0]]

    def doc_keys(self, tok: TokenizedText) -> list[tuple[Passage, list[bytes]]]:
        """Every window of a text with its band keys (what to store for stored windows,
        what to query with for all of them)."""
        ps, sigs = self.signatures(tok)
        if not ps:
            return []
        arr = self.band_key_array(sigs).astype(">u8")
        return [(p, [row[i : i + 8] for i in range(0, len(row), 8)]) for p, row in zip(ps, (r.tobytes() for r in arr))]


class CandidateIndex(Protocol):
    """Where band keys live: an in-memory :class:`MemoryIndex`, or a SQLite table
    ``(key BLOB, doc TEXT, window INT)`` indexed on ``key``."""

    def add(self, passage_id: PassageId, keys: Sequence[bytes]) -> None: ...

    def query(self, keys: Sequence[bytes]) -> set[PassageId]: ...

    def query_windows(self, keys: np.ndarray, exclude: str) -> list[tuple[int, str]]:
        """``(w, doc id)`` for each row ``w`` of ``keys`` (windows × bands) and each document
        but ``exclude`` with a stored window under one of its keys: :meth:`query` of every
        window at once."""
        ...


class MemoryIndex:
    """An in-memory :class:`CandidateIndex`: keys in sorted numpy runs (merged as they grow)
    plus a small dict buffer, so adds stay cheap and nothing is ever rebuilt. About 12 bytes
    per stored key plus 8 per stored window."""

    _BUFFER = 1 << 16

    def __init__(self) -> None:
        self._docs: list[str] = []
        self._doc_no: dict[str, int] = {}
        self._unit_doc = array("i")
        self._unit_no = array("i")
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []
        self._buf: dict[int, list[int]] = defaultdict(list)
        self._buf_n = 0

    def __len__(self) -> int:
        return len(self._unit_doc)

    @property
    def n_keys(self) -> int:
        return sum(len(k) for k, _ in self._runs) + self._buf_n

    def passage_id(self, unit: int) -> PassageId:
        return self._docs[self._unit_doc[unit]], self._unit_no[unit]

    def unit_docs(self, units: np.ndarray) -> np.ndarray:
        """Document numbers of stored windows (see :meth:`doc_id`)."""
        return np.frombuffer(self._unit_doc, dtype=np.int32)[units] if len(units) else np.zeros(0, np.int32)

    def doc_number(self, doc_id: str) -> int:
        return self._doc_no.get(doc_id, -1)

    def doc_id(self, number: int) -> str:
        return self._docs[number]

    @staticmethod
    def _as_array(keys: Sequence[bytes]) -> np.ndarray:
        if not keys:
            return np.zeros(0, dtype=np.uint64)
        return np.frombuffer(b"".join(keys), dtype=">u8").astype(np.uint64)

    def add(self, passage_id: PassageId, keys: Sequence[bytes]) -> None:
        self.add_array(passage_id, self._as_array(keys))

    def add_array(self, passage_id: PassageId, keys: np.ndarray) -> None:
        """Like :meth:`add`, with keys as uint64 (``PassageIndex.band_key_array`` rows)."""
        doc, number = passage_id
        d = self._doc_no.get(doc)
        if d is None:
            d = self._doc_no[doc] = len(self._docs)
            self._docs.append(doc)
        unit = len(self._unit_doc)
        self._unit_doc.append(d)
        self._unit_no.append(number)
        buf = self._buf
        for k in keys.tolist():
            buf[k].append(unit)
        self._buf_n += len(keys)
        if self._buf_n >= self._BUFFER:
            self._flush()

    def _flush(self) -> None:
        if not self._buf_n:
            return
        keys = np.fromiter((k for k, us in self._buf.items() for _ in us), dtype=np.uint64, count=self._buf_n)
        units = np.fromiter((u for us in self._buf.values() for u in us), dtype=np.int32, count=self._buf_n)
        order = np.argsort(keys, kind="stable")
        self._runs.append((keys[order], units[order]))
        self._buf = defaultdict(list)
        self._buf_n = 0
        # keep run sizes geometric: amortised O(log n) merges per key, few runs to search
        while len(self._runs) >= 2 and len(self._runs[-2][0]) <= 2 * len(self._runs[-1][0]):
            (k1, u1), (k2, u2) = self._runs[-2], self._runs[-1]
            self._runs[-2:] = [_merge_runs(k1, u1, k2, u2)]

    def query(self, keys: Sequence[bytes]) -> set[PassageId]:
        return {self.passage_id(u) for u in self.lookup_array(self._as_array(keys))[1].tolist()}

    def query_windows(self, keys: np.ndarray, exclude: str) -> list[tuple[int, str]]:
        key_no, units = self.lookup_array(keys)
        doc_no = self.unit_docs(units)
        other = doc_no != self.doc_number(exclude)
        window = key_no[other] // keys.shape[1]
        return [(w, self.doc_id(d)) for w, d in set(zip(window.tolist(), doc_no[other].tolist()))]

    def lookup_array(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every stored window under any of ``keys``: parallel arrays (index into ``keys``,
        window number in this index — see :meth:`passage_id`)."""
        keys = np.asarray(keys, dtype=np.uint64).ravel()
        order = np.argsort(keys)
        q = keys[order]
        qi: list[np.ndarray] = []
        us: list[np.ndarray] = []
        for rk, ru in self._runs:
            lo = np.searchsorted(rk, q, "left")
            present = lo < len(rk)
            present[present] = rk[lo[present]] == q[present]
            if not present.any():
                continue
            lo = lo[present]
            counts = np.searchsorted(rk, q[present], "right") - lo
            # every stored position lo..hi-1 of every present key, without a Python loop
            first = np.repeat(lo - (np.cumsum(counts) - counts), counts)
            qi.append(np.repeat(order[present], counts))
            us.append(ru[first + np.arange(len(first))])
        if self._buf_n:
            buf = self._buf
            bq: list[int] = []
            bu: list[int] = []
            for n, k in enumerate(keys.tolist()):
                hit = buf.get(k)
                if hit:
                    bq += [n] * len(hit)
                    bu += hit
            qi.append(np.asarray(bq, dtype=np.int64))
            us.append(np.asarray(bu, dtype=np.int32))
        if not us:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
        return np.concatenate(qi), np.concatenate(us)


def _merge_runs(k1: np.ndarray, u1: np.ndarray, k2: np.ndarray, u2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Merge two sorted runs in O(n) extra memory (an argsort would need 3x more)."""
    pos2 = np.searchsorted(k1, k2, "right") + np.arange(len(k2))
    keys = np.empty(len(k1) + len(k2), dtype=np.uint64)
    units = np.empty(len(keys), dtype=np.int32)
    rest = np.ones(len(keys), dtype=bool)
    rest[pos2] = False
    keys[pos2], units[pos2] = k2, u2
    keys[rest], units[rest] = k1, u1
    return keys, units


# ---------------------------------------------------------------------------------------
# 3. Score: word alignment with exact character spans
# ---------------------------------------------------------------------------------------


def _expand(text: str, start: int, end: int) -> tuple[int, int]:
    """Take in punctuation glued to the first/last word (opening quote, closing quote and
    full stop) when it runs to whitespace or the edge, so spans stay on word boundaries."""
    s = start
    while s > 0 and not text[s - 1].isspace() and not text[s - 1].isalnum():
        s -= 1
    if s != start and s > 0 and not text[s - 1].isspace():
        s = start
    e = end
    while e < len(text) and not text[e].isspace() and not text[e].isalnum():
        e += 1
    if e != end and e < len(text) and not text[e].isspace():
        e = end
    return s, e


Run = tuple[int, int, int]
"""``(i, j, n)``: ``n`` seeds on one diagonal, ``(i, j)``, ``(i + 1, j + 1)``, … ``(i + n - 1, j + n - 1)``."""


def _gram_codes(wa: list[str], wb: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    """One integer per word k-gram of each text, equal exactly when the k-grams are equal
    (word numbers packed in base ``len(wa) + len(wb)``, renumbered densely before they could
    overflow 62 bits)."""
    vocab: dict[str, int] = {}
    na, nb = len(wa), len(wb)
    ia = np.fromiter(map(vocab.setdefault, wa, count()), dtype=np.int64, count=na)
    ib = np.fromiter(map(vocab.setdefault, wb, count(na)), dtype=np.int64, count=nb)
    v = na + nb
    ga, gb, base = ia, ib, v
    for t in range(1, k):
        if base > (1 << 62) // v:
            u, inv = np.unique(np.concatenate([ga, gb]), return_inverse=True)
            ga, gb, base = inv[: len(ga)], inv[len(ga) :], len(u)
        ga = ga[:-1] * v + ia[t:]
        gb = gb[:-1] * v + ib[t:]
        base *= v
    return ga, gb


def _seeds(wa: list[str], wb: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``(i, j)`` of the k-grams shared by ``wa`` and ``wb``, those occurring at
    most 4 times in ``wa``."""
    ga, gb = _gram_codes(wa, wb, k)
    order = np.argsort(ga, kind="stable")
    sa = ga[order]
    lo = np.searchsorted(sa, gb, "left")
    cnt = np.searchsorted(sa, gb, "right") - lo
    keep = (cnt > 0) & (cnt <= 4)
    jj = np.flatnonzero(keep)
    lo, cnt = lo[keep], cnt[keep]
    rep = np.repeat(np.arange(len(jj)), cnt)
    offset = np.arange(len(rep)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    return order[lo[rep] + offset], jj[rep]


def _chains(wa: list[str], wb: list[str], k: int, max_gap: int) -> list[list[Run]]:
    """Seeds (shared k-grams, at most 4 occurrences in ``wa``) chained in order of ``(i, j)``,
    each step at most ``max_gap`` words on both sides; the chain with the smallest skew wins.

    A seed ``(i, j)`` whose ``(i - 1, j - 1)`` is a seed always joins that seed's chain (the
    step (1, 1) has the smallest skew there is, and no other seed can have joined the chain
    in between), and while a diagonal run lasts no other seed can join its chain. So each
    run of seeds on one diagonal is chained as one :data:`Run`, by its first seed, with the
    chain's end moved to the run's last seed at once: the same chains as seed by seed, with
    a Python step per run instead of per seed (the candidate pairs of paragraph-shuffled
    copies: 259 seeds a pair on average, 7.7 runs)."""
    si, sj = _seeds(wa, wb, k)
    if not len(si):
        return []
    d = sj - si
    o = np.lexsort((si, d))
    oi, od = si[o], d[o]
    head = np.ones(len(o), dtype=bool)
    head[1:] = (od[1:] != od[:-1]) | (oi[1:] != oi[:-1] + 1)
    hpos = np.flatnonzero(head)
    lens = np.diff(np.append(hpos, len(o)))
    hi, hj = oi[hpos], oi[hpos] + od[hpos]
    ho = np.lexsort((hj, hi))
    chains: list[list[Run]] = []
    active: list[list[Run]] = []
    for i, j, n in zip(hi[ho].tolist(), hj[ho].tolist(), lens[ho].tolist()):
        best: list[Run] | None = None
        best_score: tuple[int, int] = (0, 0)
        still = []
        for c in active:
            ri, rj, rn = c[-1]
            li, lj = ri + rn - 1, rj + rn - 1
            if i - li > max_gap:
                continue
            still.append(c)
            di, dj = i - li, j - lj
            if di > 0 and 0 < dj <= max_gap:
                score = (abs(di - dj), di + dj)
                if best is None or score < best_score:
                    best, best_score = c, score
        active = still
        if best is None:
            c = [(i, j, n)]
            active.append(c)
            chains.append(c)
        else:
            best.append((i, j, n))
    return chains


# small edits crossed when extending a chain past its last seed: (words skipped in a, in b)
_SKIPS = sorted(
    ((da, db) for da in range(6) for db in range(6) if (da or db) and min(da, db) <= 2),
    key=lambda x: (x[0] + x[1], abs(x[0] - x[1])),
)


def _pairs(chain: list[Run], k: int, wa: list[str], wb: list[str]) -> tuple[list[int], list[int]]:
    """Matched word pairs of a chain (positions in ``wa``, in ``wb``), extended at both ends
    over exact matches and over a small edit (a substituted word, up to five words dropped or
    added on one side) when two matching words follow it. Each seed covers its k words, those
    after the last pair taken on both sides: along a run that is one stretch of the diagonal."""
    pa: list[int] = []
    pb: list[int] = []
    li = lj = -1
    for i, j, n in chain:
        d = j - i
        first, end = max(i, li + 1, lj - d + 1), i + n + k - 1
        if first < end:
            pa.extend(range(first, end))
            pb.extend(range(first + d, end + d))
            li, lj = end - 1, end - 1 + d
    na, nb = len(wa), len(wb)

    def extend(i: int, j: int, step: int) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []

        def ok(x: int, y: int) -> bool:
            return 0 <= x < na and 0 <= y < nb and wa[x] == wb[y]

        while True:
            if ok(i + step, j + step):
                i, j = i + step, j + step
                out.append((i, j))
                continue
            # a skip needs a word shared by the next six on both sides: mostly there is none
            near_a = wa[i + 1 : i + 7] if step > 0 else wa[max(0, i - 6) : max(0, i)]
            near_b = wb[j + 1 : j + 7] if step > 0 else wb[max(0, j - 6) : max(0, j)]
            if not near_a or set(near_a).isdisjoint(near_b):
                return out
            for da, db in _SKIPS:
                x, y = i + step * (da + 1), j + step * (db + 1)
                if ok(x, y) and ok(x + step, y + step):
                    out += [(x, y), (x + step, y + step)]
                    i, j = x + step, y + step
                    break
            else:
                return out

    tail = extend(pa[-1], pb[-1], 1)
    head = extend(pa[0], pb[0], -1)[::-1]
    return [x for x, _ in head] + pa + [x for x, _ in tail], [y for _, y in head] + pb + [y for _, y in tail]


def _align_tokens(
    ta: TokenizedText,
    tb: TokenizedText,
    *,
    min_words: int,
    shingle_words: int,
    max_gap: int,
    min_similarity: float,
) -> list[Alignment]:
    k = shingle_words
    wa, wb = ta.words, tb.words
    if len(wa) < k or len(wb) < k:
        return []
    pieces: list[list[int]] = []  # [a_first, a_last, b_first, b_last, matched]
    para_a = para_b = None
    for chain in _chains(wa, wb, k, max_gap):
        seeds = sum(n for _, _, n in chain)
        if seeds + k - 1 < min_words and seeds * k < min_words:
            continue
        pa, pb = _pairs(chain, k, wa, wb)
        if len(pa) < min_words:
            continue
        # one piece per paragraph pair: a passage never straddles a paragraph break
        if para_a is None or para_b is None:
            para_a, para_b = np.asarray(ta.paragraph), np.asarray(tb.paragraph)
        ka, kb = para_a[pa], para_b[pb]
        cut = np.ones(len(pa), dtype=bool)
        cut[1:] = (ka[1:] != ka[:-1]) | (kb[1:] != kb[:-1])
        firsts = np.flatnonzero(cut)
        lasts = np.append(firsts[1:], len(pa)) - 1
        for f, la in zip(firsts.tolist(), lasts.tolist()):
            pieces.append([pa[f], pa[la], pb[f], pb[la], la - f + 1])
    pieces = [p for p in pieces if p[4] >= k]
    # merge pieces that overlap on both sides (repeated phrases give parallel chains)
    pieces.sort()
    merged: list[list[int]] = []
    for p in pieces:
        for m in merged:
            if p[0] <= m[1] and m[0] <= p[1] and p[2] <= m[3] and m[2] <= p[3]:
                m[0], m[1] = min(m[0], p[0]), max(m[1], p[1])
                m[2], m[3] = min(m[2], p[2]), max(m[3], p[3])
                m[4] = max(m[4], p[4])
                break
        else:
            merged.append(p)
    out: list[Alignment] = []
    for a0, a1, b0, b1, _n in merged:
        sim = Indel.normalized_similarity(wa[a0 : a1 + 1], wb[b0 : b1 + 1])
        if sim < min_similarity:
            continue
        a_span = _expand(ta.text, ta.starts[a0], ta.ends[a1])
        b_span = _expand(tb.text, tb.starts[b0], tb.ends[b1])
        out.append((a_span, b_span, float(sim)))
    out.sort()
    return out


def align(
    a_text: str,
    b_text: str,
    *,
    min_words: int = 20,
    shingle_words: int = 5,
    max_gap: int = 20,
    min_similarity: float = 0.5,
    drop_boilerplate: bool = True,
) -> list[Alignment]:
    """Reused passages between two texts, as exact character spans in both.

    A passage is a chain of shared ``shingle_words``-grams in the same order in both texts,
    consecutive ones at most ``max_gap`` words apart (so word substitutions, fixed typos,
    trimmed quotes and short insertions stay inside one passage), holding at least
    ``min_words`` matching words in all; it is reported paragraph by paragraph, each with the
    word similarity of its two sides (≥ ``min_similarity``). Spans start and end on word
    boundaries, with glued quotes and full stops taken in.
    """
    return _align_tokens(
        tokenize(a_text, drop_boilerplate=drop_boilerplate),
        tokenize(b_text, drop_boilerplate=drop_boilerplate),
        min_words=min_words,
        shingle_words=shingle_words,
        max_gap=max_gap,
        min_similarity=min_similarity,
    )


# ---------------------------------------------------------------------------------------
# 4. Direction
# ---------------------------------------------------------------------------------------

_PRECISION_PARTS = {"year": 1, "month": 2, "day": 3}


def _date_parts(meta: DocMeta) -> list[str] | None:
    if not meta.published:
        return None
    parts = meta.published[:10].split("-")
    n = _PRECISION_PARTS.get(meta.published_precision or "", len(parts))
    return parts[: min(n, len(parts))] or None


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url if "//" in url else "http://" + url).hostname
    except ValueError:
        return None
    return re.sub(r"^www\d*\.", "", host.lower()) if host else None


def _outlet_names(meta: DocMeta) -> frozenset[str]:
    """Names a text may use for the outlet of ``meta``: its outlet, known aliases and
    domains (storyline's outlet list), the URL host and its main label."""
    return _names_of_outlet(meta.outlet, meta.url)


@lru_cache(maxsize=1 << 14)
def _names_of_outlet(outlet: str | None, url: str | None) -> frozenset[str]:
    # cached: a pair's direction is decided from both sides' names, and on heavy reuse the
    # same few outlets are in thousands of pairs (the outlet list is packaged data)
    names: set[str] = set()
    try:  # the outlet list is a convenience; copy detection works without it
        from ..clean.outlets import outlet_info
    except ImportError:  # pragma: no cover
        outlet_info = None  # type: ignore[assignment]
    for v in (outlet, url):
        if v and outlet_info is not None:
            info = outlet_info(v)
            if info is not None:
                names |= {info.name, *info.aliases, *info.domains}
    if outlet:
        names.add(outlet.strip())
    host = _host(url)
    if host:
        names.add(host)
        labels = host.split(".")
        if len(labels) >= 2 and len(labels[-2]) >= 5:
            names.add(labels[-2])
    for n in list(names):
        stem = re.sub(r"\.(?:com|net|org|co\.uk|info|news)$", "", n, flags=re.I)
        if stem != n and len(stem) >= 5:
            names.add(stem)
    return frozenset(n for n in names if len(n) >= 2)


@lru_cache(maxsize=4096)
def _name_pattern(names: frozenset[str]) -> re.Pattern[str] | None:
    parts = []
    for n in sorted(names, key=len, reverse=True):
        body = r"\s+".join(re.escape(w) for w in n.split())
        # short acronyms (VoA, AP) must match their case; names are case-insensitive
        parts.append(body if len(n) <= 4 else f"(?i:{body})")
    if not parts:
        return None
    return re.compile(r"(?<![\w.])(?:" + "|".join(parts) + r")(?!\w)")


def _names_in(pattern: re.Pattern[str], text: str) -> bool:
    """Whether ``text`` names the outlet. An all-lowercase match of a name without a dot
    is a common word ("reason", "example"), not an outlet."""
    for m in pattern.finditer(text):
        g = m.group()
        if "." in g or not g.islower():
            return True
    return False


_INTRO = re.compile(
    r"""(?ix)
    (?: \bas\ (?:was\ |has\ been\ |had\ been\ |it\ was\ |first\ |previously\ )?
          (?:reported|noted|written|stated|published|explained)\b [^\n.]{0,80} [:;,]?
      | \b(?:reports?|reported|writes|wrote|notes|noted|states|stated|says|said|explains|explained
            |added|adds|quoted|quotes) \s*[:;]
      | \baccording\ to\b [^\n.;:]{1,60} [:;,]
      | \b(?:source|via|excerpt) \s*:
    ) \s*[“"]?\s*$
    """
)


def _introduced_as_reported(text: str, start: int) -> bool:
    before = text[max(0, start - 200) : start]
    last = re.split(r"[.!?]\s+|\n\s*\n", before)[-1]
    if not last.strip():
        # the passage opens a paragraph: the intro is the end of the previous one
        before = before.rstrip()
        last = re.split(r"[.!?]\s+|\n\s*\n", before)[-1] if before else ""
    return bool(last.strip()) and _INTRO.search(last) is not None


def _coverage(tok: TokenizedText, spans: list[tuple[int, int]]) -> tuple[int, int]:
    """(words inside ``spans``, all words) of a tokenized text: a word counts when it is
    inside the last span (in ``(start, end)`` order) starting at or before it."""
    if not spans:
        return 0, len(tok)
    spans = sorted(spans)
    first = np.array([s for s, _ in spans])
    last = np.array([e for _, e in spans])
    at = np.asarray(tok.starts, dtype=np.int64)
    i = np.searchsorted(first, at, "right") - 1
    inside = (i >= 0) & (at < last[np.maximum(i, 0)])
    return int(inside.sum()), len(tok)


def decide_direction(
    a: DocInput, b: DocInput, passages: Sequence[Alignment]
) -> tuple[Direction, tuple[str, ...], str | None]:
    """Which of two texts sharing ``passages`` (spans in ``a`` first) is the source.

    Returns ``(direction, evidence, source_id)``: ``("source_to_copy", reasons, id of the
    source)`` when every piece of evidence points the same way, else
    ``("unknown", reasons, None)`` — with each reason then naming the document it points to
    as the source, or no reasons when there is no evidence. Evidence:

    * ``earlier publication date`` — both dated, different at the finer precision both have;
    * ``copy names the source outlet`` — the copy names the other's outlet (name, alias, URL
      host) before or near a shared passage, or credits it (``meta.credit``);
    * ``copy introduces the passage as reported`` — "As reported;", "… notes:" right before
      a shared passage;
    * ``copy contains the source plus additions`` — the shared passages are ≥ 80 % of the
      source's words and the copy adds ≥ 20 % (and ≥ 20 words) of its own.
    """
    return _direction(a, tokenize(a[1] or ""), b, tokenize(b[1] or ""), passages)


def _direction(
    a: DocInput, a_tok: TokenizedText, b: DocInput, b_tok: TokenizedText, passages: Sequence[Alignment]
) -> tuple[Direction, tuple[str, ...], str | None]:
    (a_id, a_text, a_meta), (b_id, b_text, b_meta) = a, b
    a_spans = [p[0] for p in passages]
    b_spans = [p[1] for p in passages]
    votes: dict[str, list[str]] = {a_id: [], b_id: []}  # evidence that this id is the source
    if not passages:
        return "unknown", (), None

    da, db = _date_parts(a_meta), _date_parts(b_meta)
    if da and db:
        n = min(len(da), len(db))
        if da[:n] != db[:n]:
            votes[a_id if da[:n] < db[:n] else b_id].append(EARLIER_DATE)

    a_names, b_names = _outlet_names(a_meta), _outlet_names(b_meta)
    same_outlet = bool({n.casefold() for n in a_names} & {n.casefold() for n in b_names})
    if not same_outlet:
        for _copy_id, copy_text, copy_meta, copy_spans, src_id, src_names in (
            (a_id, a_text, a_meta, a_spans, b_id, b_names),
            (b_id, b_text, b_meta, b_spans, a_id, a_names),
        ):
            pat = _name_pattern(frozenset(src_names))
            if pat is None:
                continue
            near = copy_text[: max(e for _, e in copy_spans) + 300]
            credited = bool(copy_meta.credit and pat.search(copy_meta.credit))
            if credited or _names_in(pat, near):
                votes[src_id].append(NAMES_SOURCE)

    for _copy_id, copy_text, copy_spans, src_id in ((a_id, a_text, a_spans, b_id), (b_id, b_text, b_spans, a_id)):
        if any(_introduced_as_reported(copy_text, s) for s, _ in copy_spans):
            votes[src_id].append(AS_REPORTED)

    (a_in, a_all), (b_in, b_all) = _coverage(a_tok, a_spans), _coverage(b_tok, b_spans)
    for src_id, s_in, s_all, c_in, c_all in ((a_id, a_in, a_all, b_in, b_all), (b_id, b_in, b_all, a_in, a_all)):
        extra = c_all - c_in
        if s_all and c_all and s_in >= 0.8 * s_all and extra >= max(20, 0.2 * c_all) and c_in / c_all < s_in / s_all:
            votes[src_id].append(CONTAINS_SOURCE)

    if votes[a_id] and not votes[b_id]:
        return "source_to_copy", tuple(votes[a_id]), a_id
    if votes[b_id] and not votes[a_id]:
        return "source_to_copy", tuple(votes[b_id]), b_id
    listed = tuple(f"{e} ({d} as source)" for d in (a_id, b_id) for e in votes[d])
    return "unknown", listed, None


# ---------------------------------------------------------------------------------------
# Batch and incremental runs
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReuseUpdate:
    """What :func:`find_reuse_incremental` found: new ``passages`` (they count as copying),
    ``boilerplate`` spans in already-stored documents that turned out to be boilerplate
    (withdraw stored passages that overlap them), ``discounted`` passages (site templates,
    each with its :class:`~storyline.types.Discount`) and the ``templates`` seen in this
    update, with every page they were seen on — older pages included: a stored passage
    between two pages of one template is a template passage after all (discount it)."""

    passages: list[CopiedPassage]
    boilerplate: list[Span]
    discounted: list[CopiedPassage] = field(default_factory=list)
    templates: list[SiteTemplate] = field(default_factory=list)


@dataclass(slots=True)
class _Prepared:
    """One document in a run: its windows and their band keys (empty for a stored document
    looked up for alignment: its keys are in the index already), words tokenized when first
    needed (the Ray form tokenizes on the driver only the documents that share passages)."""

    id: str
    text: str
    meta: DocMeta
    passages: list[Passage]
    keys: np.ndarray  # (len(passages), bands) uint64
    _tok: TokenizedText | None = None
    shared: dict[str, TokenizedText] | None = None  # a run's words by text: copies tokenized once

    @property
    def tok(self) -> TokenizedText:
        if self._tok is None:
            if self.shared is None:
                self._tok = tokenize(self.text)
            else:
                tok = self.shared.get(self.text)
                self._tok = tok if tok is not None else self.shared.setdefault(self.text, tokenize(self.text))
        return self._tok


def _prepare(doc: DocInput, pindex: PassageIndex, *, keys: bool = True) -> _Prepared:
    doc_id, text, meta = doc
    if not keys:  # a stored document looked up for alignment: its keys are in the index already
        return _Prepared(doc_id, text or "", meta, [], np.zeros((0, pindex.bands), dtype=np.uint64))
    tok = tokenize(text or "")
    ps, sigs = pindex.signatures(tok)
    band_keys = pindex.band_key_array(sigs) if ps else np.zeros((0, pindex.bands), dtype=np.uint64)
    return _Prepared(doc_id, text or "", meta, ps, band_keys, tok)


def _query_docs(
    index: CandidateIndex, prep: _Prepared, max_candidates: int, min_words: int, window_words: int
) -> list[str]:
    """Candidate documents for ``prep``: those whose stored windows match windows of
    ``prep`` covering at least ``min_words`` of its words (or one full window, when
    ``min_words`` is longer), most covered words first, at most ``max_candidates``. A shorter
    match is a shared quote or stock phrase. Measured: candidate pairs 18,954 → 4,299 on
    20k benchmark documents (their shared quotes), 2,121 → 1,957 on 1,953 real news texts,
    for 3 fewer pairs with passages there (446 → 443) and no planted passage of ≥ 40 words
    lost on the grid's default row."""
    if not prep.passages:
        return []
    matched: dict[str, set[int]] = defaultdict(set)  # candidate doc -> windows of prep it matched
    for w, doc_id in index.query_windows(prep.keys, exclude=prep.id):
        matched[doc_id].add(w)
    return rank_candidates(matched, [(p.first, p.last) for p in prep.passages], max_candidates, min_words, window_words)


_DocKey = TypeVar("_DocKey", str, int)


def rank_candidates(
    matched: Mapping[_DocKey, Iterable[int]], windows: Sequence[tuple[int, int]] | Mapping[int, tuple[int, int]],
    max_candidates: int, min_words: int, window_words: int,
) -> list[_DocKey]:
    """The candidate rule of :func:`_query_docs`, given ``matched`` (candidate document → the
    numbers of the querying document's windows that share a band key with one of its stored
    windows) and ``windows`` (the querying document's windows as word ranges ``[first,
    last)``): documents covering at least ``min(min_words, window_words)`` words, most words
    first, then by document (ids, or numbers that sort as the ids do), at most
    ``max_candidates``."""
    need = min(min_words, window_words)
    covered: dict[_DocKey, int] = {}
    for doc, numbers in matched.items():
        words: set[int] = set()
        for w in numbers:
            first, last = windows[w]
            words.update(range(first, last))
        if len(words) >= need:
            covered[doc] = len(words)
    ranked = sorted(covered, key=lambda d: (-covered[d], d))
    return ranked[:max_candidates]


def _store(index: CandidateIndex, prep: _Prepared) -> None:
    for p, row in zip(prep.passages, prep.keys):
        if not p.stored:
            continue
        if isinstance(index, MemoryIndex):
            index.add_array((prep.id, p.number), row)
        else:
            raw = row.astype(">u8").tobytes()
            index.add((prep.id, p.number), [raw[i : i + 8] for i in range(0, len(raw), 8)])


def _outlet_key(meta: DocMeta) -> str:
    return (meta.outlet or _host(meta.url) or "").casefold()


def _frequent(
    spans_by_partner: dict[str, list[tuple[int, int]]], own_outlet: str, outlets: dict[str, str],
    tok: TokenizedText, boilerplate_docs: int, boilerplate_outlets: int, boilerplate_max_words: int,
) -> set[tuple[str, tuple[int, int]]]:
    """(partner, span) of passages in one document that occur in ``boilerplate_docs`` or
    more documents from ``boilerplate_outlets`` or more outlets and are shorter than
    ``boilerplate_max_words``: boilerplate rather than reuse. A passage occurs in the
    documents whose spans here overlap at least half of it: all spans against all at once,
    in blocks of rows (on paragraph-shuffled copies a new document has ~100 partners and
    ~10^4 span pairs; a Python loop over them was a fifth of the step)."""
    out: set[tuple[str, tuple[int, int]]] = set()
    if len(spans_by_partner) + 1 < boilerplate_docs:
        return out
    names = list(spans_by_partner)
    owner = np.array([n for n, q in enumerate(names) for _ in spans_by_partner[q]], dtype=np.int64)
    flat = [sp for q in names for sp in spans_by_partner[q]]
    if not flat:
        return out
    start = np.array([s for s, _ in flat], dtype=np.int64)
    end = np.array([e for _, e in flat], dtype=np.int64)
    at = np.asarray(tok.starts, dtype=np.int64)
    short = np.flatnonzero(np.searchsorted(at, end) - np.searchsorted(at, start) < boilerplate_max_words)
    step = max(1, (1 << 22) // len(flat))
    for b in range(0, len(short), step):
        rows = short[b : b + step]
        ov = np.minimum(end[rows, None], end[None, :]) - np.maximum(start[rows, None], start[None, :])
        r, c = np.nonzero((ov > 0) & (ov >= 0.5 * (end[rows] - start[rows])[:, None]))
        seen = np.zeros((len(rows), len(names)), dtype=bool)
        seen[r, owner[c]] = True
        seen[np.arange(len(rows)), owner[rows]] = True
        docs = seen.sum(axis=1)
        for n in np.flatnonzero(docs + 1 >= boilerplate_docs).tolist():
            outs = {outlets.get(names[q], names[q]) for q in np.flatnonzero(seen[n]).tolist()} | {own_outlet}
            if len(outs) >= boilerplate_outlets:
                x = int(rows[n])
                out.add((names[owner[x]], flat[x]))
    return out


def _discount_of(
    a: str, b: str, al: Alignment, discounts: dict[tuple[str, str, tuple[int, int]], Discount]
) -> Discount | None:
    """The discount of a passage, judged from either side (the one seen on more pages, then
    the smaller template id: results do not depend on input order)."""
    got = [d for d in (discounts.get((a, b, al[0])), discounts.get((b, a, al[1]))) if d is not None]
    return min(got, key=lambda d: (-d.pages, d.template)) if got else None


def _passages_for_pair(
    a: _Prepared, b: _Prepared, alignments: list[Alignment], drop: set[tuple[str, str, tuple[int, int]]],
    discounts: dict[tuple[str, str, tuple[int, int]], Discount],
) -> list[CopiedPassage]:
    """Counted passages (direction decided on them alone) and discounted ones."""
    kept: list[Alignment] = []
    discounted: list[tuple[Alignment, Discount]] = []
    for al in alignments:
        disc = _discount_of(a.id, b.id, al, discounts)
        if disc is not None:
            discounted.append((al, disc))
        elif (a.id, b.id, al[0]) not in drop and (b.id, a.id, al[1]) not in drop:
            kept.append(al)
    direction: Direction = "unknown"
    evidence: tuple[str, ...] = ()
    source = None
    if kept:
        direction, evidence, source = _direction((a.id, a.text, a.meta), a.tok, (b.id, b.text, b.meta), b.tok, kept)
    out = []
    for al, disc in [(al, None) for al in kept] + discounted:
        (a_s, a_e), (b_s, b_e), sim = al
        sa = Span(a.id, a_s, a_e, a.text[a_s:a_e])
        sb = Span(b.id, b_s, b_e, b.text[b_s:b_e])
        # unknown direction: the pair in a fixed order (by id), so results do not depend on input order
        b_first = source == b.id if source is not None and disc is None else b.id < a.id
        src, cp = (sb, sa) if b_first else (sa, sb)
        if disc is None:
            out.append(CopiedPassage(src, cp, sim, direction, evidence))
        else:
            out.append(CopiedPassage(src, cp, sim, "unknown", (), disc))
    return out


def _run(
    pairs: dict[tuple[str, str], list[Alignment]],
    prepared: dict[str, _Prepared],
    judged: Iterable[str],
    *,
    boilerplate_docs: int,
    boilerplate_outlets: int,
    boilerplate_max_words: int,
    templates: TemplateRule,
) -> tuple[list[CopiedPassage], list[Span], list[SiteTemplate]]:
    """The cluster step over the passages of the ``judged`` documents: site templates
    (:mod:`.templates`: discounted, kept with their evidence), then the boilerplate guard,
    then direction per pair. Returns the passages (discounted ones included), the other side
    of every passage dropped as boilerplate (spans in documents not judged here) and the
    site templates seen."""
    outlets = {d: _outlet_key(p.meta) for d, p in prepared.items()}
    Pair = tuple[tuple[int, int], tuple[int, int]]  # (span in the document, span in the partner)
    by_doc: dict[str, dict[str, list[Pair]]] = defaultdict(lambda: defaultdict(list))
    for (x, y), als in pairs.items():
        for sx, sy, _ in als:
            by_doc[x][y].append((sx, sy))
            by_doc[y][x].append((sy, sx))
    finder = TemplateFinder(
        templates, {d: site_key(p.meta) for d, p in prepared.items()},
        {d: prepared[d].tok for d in by_doc}, {d: p.text for d, p in prepared.items()},  # words: where passages are
    )
    discounts: dict[tuple[str, str, tuple[int, int]], Discount] = {}
    drop: set[tuple[str, str, tuple[int, int]]] = set()
    for d in judged:
        if d not in by_doc:
            continue
        for (partner, span), disc in finder.judge(d, by_doc[d]).items():
            discounts[(d, partner, span)] = disc
        spans_by_partner = {q: [sd for sd, _ in als] for q, als in by_doc[d].items()}
        for partner, span in _frequent(
            spans_by_partner, outlets[d], outlets, prepared[d].tok,
            boilerplate_docs, boilerplate_outlets, boilerplate_max_words,
        ):
            drop.add((d, partner, span))
    out: list[CopiedPassage] = []
    boiler: set[tuple[str, int, int]] = set()
    for (x, y), als in pairs.items():
        out += _passages_for_pair(prepared[x], prepared[y], als, drop, discounts)
        for al in als:
            if _discount_of(x, y, al, discounts) is not None:
                continue
            sx, sy, _ = al
            if (x, y, sx) in drop:
                boiler.add((y, *sy))
            if (y, x, sy) in drop:
                boiler.add((x, *sx))
    out.sort(key=lambda c: (c.source.doc, c.source.start, c.copy.doc, c.copy.start))
    spans = [Span(d, s_, e_, prepared[d].text[s_:e_]) for d, s_, e_ in sorted(boiler)]
    return out, spans, finder.templates()


def find_reuse(
    docs: Sequence[DocInput],
    *,
    min_words: int = 20,
    threshold: float = 0.3,
    max_gap: int = 20,
    boilerplate_docs: int = 5,
    boilerplate_outlets: int = 1,
    boilerplate_max_words: int = 50,
    max_candidates: int = 100,
    passage_index: PassageIndex | None = None,
    templates: TemplateRule | None = None,
    discounted: bool = False,
) -> list[CopiedPassage]:
    """Every reused passage among ``docs`` (``(id, cleaned text, meta)``), with direction.

    Candidates come from MinHash-LSH over sentence windows (``threshold``), then each
    candidate pair is aligned (passages of ≥ ``min_words`` matching words, edits up to
    ``max_gap`` words apart), then the boilerplate guard and the direction step run.

    ``passage_index`` (built with ``threshold`` when not given) fixes the window and LSH
    parameters. Boilerplate guard: besides furniture phrases (:func:`is_boilerplate`), a passage shorter
    than ``boilerplate_max_words`` words found in ``boilerplate_docs`` or more documents from
    ``boilerplate_outlets`` or more outlets is dropped. Longer passages shared that widely
    are syndication — the reuse this step exists to find — and are kept.

    Site templates (``templates``, see :mod:`.templates`): a passage that one site repeats on
    its pages does not count as copying; with ``discounted`` it is returned too, with its
    :class:`~storyline.types.Discount` in ``discounted``.
    Results do not depend on the order of ``docs``.
    """
    pindex = passage_index or PassageIndex(threshold)
    prepared: dict[str, _Prepared] = {}
    for d in docs:
        prepared[d[0]] = _prepare(d, pindex)
    index = MemoryIndex()
    for p in prepared.values():
        _store(index, p)
    pairs: dict[tuple[str, str], list[Alignment]] = {}
    order = {d: n for n, d in enumerate(prepared)}
    for p in prepared.values():
        for other in _query_docs(index, p, max_candidates, min_words, pindex.window_words):
            x, y = sorted((p.id, other), key=order.__getitem__)
            if (x, y) in pairs:
                continue
            pairs[(x, y)] = _align_tokens(
                prepared[x].tok, prepared[y].tok,
                min_words=min_words, shingle_words=pindex.shingle_words, max_gap=max_gap, min_similarity=0.5,
            )
    pairs = {k: v for k, v in pairs.items() if v}
    found, _, _ = _run(
        pairs, prepared, prepared,
        boilerplate_docs=boilerplate_docs,
        boilerplate_outlets=boilerplate_outlets,
        boilerplate_max_words=boilerplate_max_words,
        templates=templates or TemplateRule(),
    )
    return found if discounted else [p for p in found if p.discounted is None]


def find_reuse_incremental(
    new_docs: Sequence[DocInput],
    index: CandidateIndex,
    lookup: Callable[[str], tuple[str, DocMeta] | None],
    *,
    passage_index: PassageIndex | None = None,
    min_words: int = 20,
    max_gap: int = 20,
    boilerplate_docs: int = 5,
    boilerplate_outlets: int = 1,
    boilerplate_max_words: int = 50,
    max_candidates: int = 100,
    templates: TemplateRule | None = None,
) -> ReuseUpdate:
    """Reused passages between ``new_docs`` and everything already in ``index``, and
    among the new documents; then adds the new documents' windows to ``index``.

    ``index`` is any :class:`CandidateIndex` (a SQLite table in the store, or a
    :class:`MemoryIndex`); ``lookup(doc_id)`` returns an indexed document's ``(cleaned
    text, meta)`` or ``None`` when it is gone. ``passage_index`` must be built with the
    parameters the stored keys were made with (compare :attr:`PassageIndex.config`).
    Cost is proportional to the new documents and their candidates, not the corpus.

    The boilerplate guard counts, for each passage of a new document, the documents it is
    found in so far. When a passage becomes frequent enough to be boilerplate, its spans in
    the older documents come back in :attr:`ReuseUpdate.boilerplate`: passages stored earlier
    that overlap them should be withdrawn (they were reported before the count was reached).
    Site templates likewise (:attr:`ReuseUpdate.templates`, with their pages so far).
    """
    pindex = passage_index or PassageIndex()
    preps: list[_Prepared] = []
    candidates: dict[str, list[str]] = {}
    for doc in new_docs:  # candidates among everything indexed before each document
        p = _prepare(doc, pindex)
        preps.append(p)
        candidates[p.id] = _query_docs(index, p, max_candidates, min_words, pindex.window_words)
        _store(index, p)

    # by the two texts (a function of them alone): a story republished word for word is aligned
    # once a batch. 1,500 such copies of 100 texts: 51.6 → 32.9 s CPU, every table equal by hash;
    # paragraph-shuffled copies (3,000 of 100 texts) never share a text: 181.2–181.4 → 180.9–189.6 s
    aligned: dict[tuple[str, str], list[Alignment]] = {}

    def align_pair(a: _Prepared, b: _Prepared) -> list[Alignment]:
        found = aligned.get((a.text, b.text))
        if found is None:
            found = aligned[a.text, b.text] = _align_tokens(
                a.tok, b.tok, min_words=min_words, shingle_words=pindex.shingle_words, max_gap=max_gap,
                min_similarity=0.5,
            )
        return list(found)

    return _judge_batch(
        preps, candidates, lookup, align_pair, pindex,
        boilerplate_docs=boilerplate_docs, boilerplate_outlets=boilerplate_outlets,
        boilerplate_max_words=boilerplate_max_words, templates=templates or TemplateRule(),
    )


def _judge_batch(
    preps: Sequence[_Prepared],
    candidates: Mapping[str, Sequence[str]],
    lookup: Callable[[str], tuple[str, DocMeta] | None],
    align_pair: Callable[[_Prepared, _Prepared], list[Alignment]],
    pindex: PassageIndex,
    *,
    boilerplate_docs: int,
    boilerplate_outlets: int,
    boilerplate_max_words: int,
    templates: TemplateRule,
) -> ReuseUpdate:
    """The rest of :func:`find_reuse_incremental` once each new document's ``candidates``
    are known: align each with its candidates still in the store (``align_pair(earlier,
    later)``), then the cluster step (:func:`_run`). The Ray form
    (:mod:`storyline.corpus.ray_reuse`) calls it with candidates and alignments computed on
    the cluster, so both give the same update by construction."""
    prepared: dict[str, _Prepared] = {}
    pairs: dict[tuple[str, str], list[Alignment]] = {}
    judged: list[str] = []
    words: dict[str, TokenizedText] = {}  # a text and its copies word for word tokenized once
    for p in preps:
        prepared[p.id] = p
        judged.append(p.id)
        p.shared = words
        if p._tok is not None:
            words.setdefault(p.text, p._tok)
        for other in candidates[p.id]:
            if other not in prepared:
                stored = lookup(other)
                if stored is None:
                    continue
                prepared[other] = _prepare((other, stored[0], stored[1]), pindex, keys=False)
                prepared[other].shared = words
            als = align_pair(prepared[other], p)
            if als:
                pairs[(other, p.id)] = als
    found, boiler, learned = _run(
        pairs, prepared, judged,
        boilerplate_docs=boilerplate_docs,
        boilerplate_outlets=boilerplate_outlets,
        boilerplate_max_words=boilerplate_max_words,
        templates=templates,
    )
    return ReuseUpdate(
        [p for p in found if p.discounted is None], boiler, [p for p in found if p.discounted is not None], learned
    )
