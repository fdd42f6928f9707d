"""Scoring attribution extraction against PolNeAR (Newell et al., LREC 2018).

PolNeAR stores one BRAT standoff file per article (``{split}/attributions/{name}_{annotator}.ann``)
next to the article's text (``{split}/text/{name}.txt``). ``T`` lines are text-bound spans
(``Source``, ``Cue``, ``Content`` — possibly discontinuous, ``s e;s e``); ``E`` lines link them
into one attribution (``Attribution:T4 Source:T3 Content:T2 Cue:T1``; ``Attribution-no-source``
has no source). Annotator notes and ``Discuss``/``Discard`` spans are ignored.

Metrics, per role (source, cue, content) — following BBC Citron's ``citron/metrics.py``:

* **exact**: a predicted attribution is a true positive for a role when some gold attribution
  has an overlapping cue and the same list of spans for that role (the cue itself: the same
  span); each gold attribution without such a prediction is a false negative. Spans are
  compared after *normalising both sides*: white space, edge punctuation, quotation marks and
  a leading "that" are trimmed, and the pieces of a discontinuous span that only white space or
  punctuation separates are joined. PolNeAR keeps quotation marks and the complementiser
  inside content spans, storyline leaves them out; the normalisation removes that convention
  difference, nothing else.
* **overlap** (Citron's "overlap" metric): token-level — precision is the share of predicted
  role tokens that lie in a gold span of that role, recall the share of gold role tokens that
  lie in a predicted span of that role, summed over the corpus. Tokens are words (``\\w+``) of
  the normalised spans; punctuation and the complementiser "that" are not counted (again the
  quotation-mark and complementiser conventions). Citron sums pairwise
  overlaps; with PolNeAR's non-overlapping gold spans that is the same number, and taking the
  union of predictions keeps nested predictions (an attribution inside another's content) from
  counting a gold token twice.
* **cue precision** (issue #12): the share of extracted claims whose cue is a communication act —
  on real news articles (``tests/fixtures/claims/news_articles.jsonl``) against labels from a careful
  reading (``cue_labels.jsonl``: URL, sentence, cue, ``communication`` / ``other``), and on PolNeAR as
  the share of claims whose cue overlaps a gold cue span (:func:`polnear_cue_precision`).
* **span match** (extra, stricter than token overlap on recall of whole attributions): a
  predicted span matches a gold span of the same role when they share at least one word; one
  to one, greedy in text order.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "HELDOUT_SHARE",
    "ROLES",
    "CuePrecision",
    "GoldAttribution",
    "GoldDoc",
    "PredAttribution",
    "RoleScores",
    "Scores",
    "cue_precision",
    "data_hash",
    "heldout",
    "load_cue_labels",
    "load_news",
    "load_polnear",
    "polnear_cue_precision",
    "predicted",
    "score",
]

Range = tuple[int, int]
ROLES = ("source", "cue", "content")


@dataclass(frozen=True, slots=True)
class GoldAttribution:
    source: tuple[Range, ...]
    cue: tuple[Range, ...]
    content: tuple[Range, ...]


PredAttribution = GoldAttribution  # the same three lists of spans


@dataclass(frozen=True, slots=True)
class GoldDoc:
    name: str
    text: str
    attributions: tuple[GoldAttribution, ...]


def _ann_files(root: Path, split: str) -> list[Path]:
    return sorted((root / split / "attributions").glob("*.ann"))


def data_hash(root: Path, split: str) -> str:
    """SHA-256 over the split's annotation and text files (names and bytes)."""
    h = hashlib.sha256()
    for ann in _ann_files(root, split):
        txt = _text_path(root, split, ann)
        for p in (ann, txt):
            h.update(f"{p.parent.name}/{p.name}\n".encode())
            h.update(p.read_bytes() if p.exists() else b"")
    return h.hexdigest()


def _text_path(root: Path, split: str, ann: Path) -> Path:
    stem = ann.stem.rsplit("_", 1)[0]  # the annotator id follows the last underscore
    return root / split / "text" / f"{stem}.txt"


_T = re.compile(r"^(T\d+)\t(\S+) ([\d ;]+)\t", re.MULTILINE)
_E = re.compile(r"^(E\d+)\t([^\n]*)$", re.MULTILINE)


def _parse_ann(raw: str) -> tuple[GoldAttribution, ...]:
    spans: dict[str, tuple[str, tuple[Range, ...]]] = {}
    for m in _T.finditer(raw):
        parts = []
        for piece in m.group(3).split(";"):
            a, b = piece.split()
            parts.append((int(a), int(b)))
        spans[m.group(1)] = (m.group(2), tuple(parts))
    out = []
    for m in _E.finditer(raw):
        roles: dict[str, list[Range]] = {"source": [], "cue": [], "content": []}
        for arg in m.group(2).split():
            if ":" not in arg:
                continue
            role, tid = arg.split(":", 1)
            if tid not in spans:
                continue
            r = role.lower().rstrip("0123456789")
            if r in roles:
                roles[r].extend(spans[tid][1])
        if roles["cue"] or roles["content"]:
            out.append(GoldAttribution(*(tuple(sorted(roles[r])) for r in ROLES)))
    return tuple(out)


# One train document in five (by a stable hash of its name) is kept aside: never read while
# tuning the cue inventory, speaker resolution or certainty (issue #12), reported next to dev.
HELDOUT_SHARE = 5


def heldout(name: str) -> bool:
    """Is the PolNeAR document ``name`` (the text file's stem) in the held-aside part of train?"""
    return int(hashlib.sha1(name.encode("utf-8")).hexdigest(), 16) % HELDOUT_SHARE == 0


def load_polnear(
    root: Path, split: str = "dev", limit: int | None = None, part: str | None = None
) -> list[GoldDoc]:
    """The documents of ``split``; ``part`` ("tune" or "heldout") keeps one part of it (see
    :func:`heldout`; meant for ``train``)."""
    docs = []
    for ann in _ann_files(root, split):
        txt = _text_path(root, split, ann)
        if not txt.exists():
            continue
        if part is not None and heldout(txt.stem) != (part == "heldout"):
            continue
        docs.append(
            GoldDoc(txt.stem, txt.read_text(encoding="utf-8"), _parse_ann(ann.read_text(encoding="utf-8")))
        )
        if limit is not None and len(docs) >= limit:
            break
    return docs


def predicted(attributions: Iterable[object], *, top_level: bool = True) -> list[PredAttribution]:
    """storyline :class:`~storyline.annotate.attribution.Attribution` records as span lists. The
    source is the speaker's whole noun phrase (``speaker_phrase``: PolNeAR's sources keep
    appositions and relative clauses, "Chris Cox, who runs the NRA’s lobbying arm").

    ``top_level``: PolNeAR is univocal — every token plays one role in at most one attribution —
    so an attribution nested in another's content ("Breitbart cited that an official stated
    “…”"; "I think" inside a quotation) can never be in its gold. Nested attributions
    (``outer`` set) are left out of the comparison by default."""
    out = []
    for a in attributions:
        if top_level and getattr(a, "outer", None) is not None:
            continue
        speaker = getattr(a, "speaker_phrase", None) or a.speaker  # type: ignore[attr-defined]
        out.append(
            PredAttribution(
                (speaker,) if speaker else (),
                (a.cue,),  # type: ignore[attr-defined]
                tuple(a.content_parts),  # type: ignore[attr-defined]
            )
        )
    return out


# --------------------------------------------------------------------------------------------- scoring

_WORD = re.compile(r"\w+")
_EDGE = " \t\r\n\f\v,.;:–—-…!?\"“”„«»‟'‘’()[]"


def _norm_span(text: str, s: int, e: int) -> Range:
    for _ in range(4):
        s0, e0 = s, e
        while s < e and text[s] in _EDGE:
            s += 1
        while e > s and text[e - 1] in _EDGE:
            e -= 1
        if text[s : s + 5].lower() == "that " and e - s > 5:
            s += 5
        if (s, e) == (s0, e0):
            break
    return s, e


def _norm_list(text: str, spans: Sequence[Range]) -> tuple[Range, ...]:
    out: list[Range] = []
    for s, e in sorted(spans):
        s, e = _norm_span(text, s, e)
        if e <= s:
            continue
        if out and all(c in _EDGE for c in text[out[-1][1] : s]):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return tuple(out)


@dataclass(slots=True)
class RoleScores:
    exact_tp: int = 0
    exact_fp: int = 0
    exact_fn: int = 0
    overlap: int = 0  # predicted tokens inside gold
    overlap_r: int = 0  # gold tokens inside predictions
    pred_tokens: int = 0
    gold_tokens: int = 0
    span_tp: int = 0
    span_pred: int = 0
    span_gold: int = 0

    @staticmethod
    def _prf(p_num: float, p_den: float, r_num: float, r_den: float) -> tuple[float, float, float]:
        p = p_num / p_den if p_den else 0.0
        r = r_num / r_den if r_den else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def exact(self) -> tuple[float, float, float]:
        return self._prf(
            self.exact_tp, self.exact_tp + self.exact_fp, self.exact_tp, self.exact_tp + self.exact_fn
        )

    def token_overlap(self) -> tuple[float, float, float]:
        return self._prf(self.overlap, self.pred_tokens, self.overlap_r, self.gold_tokens)

    def span(self) -> tuple[float, float, float]:
        return self._prf(self.span_tp, self.span_pred, self.span_tp, self.span_gold)


@dataclass(slots=True)
class Scores:
    roles: dict[str, RoleScores] = field(default_factory=lambda: {r: RoleScores() for r in ROLES})
    predicted: int = 0
    gold: int = 0

    def as_dict(self) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for r, s in self.roles.items():
            for name, (p, rec, f) in (
                ("exact", s.exact()),
                ("overlap", s.token_overlap()),
                ("span", s.span()),
            ):
                out[f"{r}_{name}"] = {"p": round(p, 4), "r": round(rec, 4), "f1": round(f, 4)}
        return out


def _tokens(words: list[Range], starts: list[int], spans: Sequence[Range]) -> set[int]:
    from bisect import bisect_left, bisect_right

    out: set[int] = set()
    for s, e in spans:
        lo = max(0, bisect_right(starts, s) - 1)
        hi = bisect_left(starts, e)
        for i in range(lo, hi):
            ws, we = words[i]
            if ws < e and we > s:
                out.add(i)
    return out


def _get(a: GoldAttribution, role: str) -> tuple[Range, ...]:
    return a.source if role == "source" else a.cue if role == "cue" else a.content


def _exact(
    p: dict[str, tuple[Range, ...]],
    g: dict[str, tuple[Range, ...]],
    p_cue: set[int],
    g_cue: set[int],
    role: str,
) -> bool:
    """Citron's exact match: the cue span itself, or an overlapping cue and the same role spans."""
    if role == "cue":
        return p["cue"] == g["cue"]
    return bool(p_cue & g_cue) and p[role] == g[role]


def score(docs: Sequence[GoldDoc], preds: Sequence[Sequence[PredAttribution]]) -> Scores:
    sc = Scores()
    for doc, pred in zip(docs, preds):
        text = doc.text
        words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
        starts = [w[0] for w in words]
        gold = doc.attributions
        sc.predicted += len(pred)
        sc.gold += len(gold)
        norm = {id(a): {r: _norm_list(text, _get(a, r)) for r in ROLES} for a in (*gold, *pred)}
        tok = {id(a): {r: _tokens(words, starts, norm[id(a)][r]) for r in ROLES} for a in (*gold, *pred)}
        for role in ROLES:
            rs = sc.roles[role]
            gold_union = set().union(*(tok[id(g)][role] for g in gold)) if gold else set()
            pred_union = set().union(*(tok[id(p)][role] for p in pred)) if pred else set()
            for p in pred:
                rs.pred_tokens += len(tok[id(p)][role])
                rs.overlap += len(tok[id(p)][role] & gold_union)
            for g in gold:
                rs.gold_tokens += len(tok[id(g)][role])
                rs.overlap_r += len(tok[id(g)][role] & pred_union)

            matched = {
                (i, j)
                for i, p in enumerate(pred)
                for j, g in enumerate(gold)
                if _exact(norm[id(p)], norm[id(g)], tok[id(p)]["cue"], tok[id(g)]["cue"], role)
            }
            hit_p = {i for i, _ in matched}
            hit_g = {j for _, j in matched}
            rs.exact_tp += len(hit_p)
            rs.exact_fp += len(pred) - len(hit_p)
            rs.exact_fn += len(gold) - len(hit_g)
            # span match: one to one, at least one shared word
            p_spans = [tok[id(p)][role] for p in pred if tok[id(p)][role]]
            g_spans = [tok[id(g)][role] for g in gold if tok[id(g)][role]]
            rs.span_pred += len(p_spans)
            rs.span_gold += len(g_spans)
            taken: set[int] = set()
            for ps in p_spans:
                for k, gs in enumerate(g_spans):
                    if k not in taken and ps & gs:
                        taken.add(k)
                        rs.span_tp += 1
                        break
    return sc


# --------------------------------------------------------------------------------------------- cue precision


def load_news(path: Path) -> list[tuple[str, str]]:
    """``(url, text)`` of the real news articles of the cue-precision benchmark."""
    import json

    return [
        (r["url"], r["text"]) for r in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if r
    ]


def load_cue_labels(path: Path, key: str = "url") -> dict[tuple[str, int], str]:
    """``(url, cue start) -> "communication" | "other"`` from ``cue_labels.jsonl`` (``key="doc"``:
    PolNeAR document name instead of URL, ``polnear_dev_cue_labels.jsonl``)."""
    import json

    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            out[(r[key], int(r["cue_start"]))] = r["label"]
    return out


@dataclass(frozen=True, slots=True)
class CuePrecision:
    communication: int
    other: int
    unlabelled: tuple[tuple[str, int, str], ...]  # (url, cue start, cue text) with no label yet

    @property
    def claims(self) -> int:
        return self.communication + self.other

    @property
    def precision(self) -> float:
        return self.communication / self.claims if self.claims else 0.0


def cue_precision(
    found: Iterable[tuple[str, Sequence[object]]],
    labels: dict[tuple[str, int], str],
    *,
    unlabelled: bool = True,
) -> CuePrecision:
    """Score the attributions of each ``(url, attributions)``: how many labelled cues are a
    communication act; cues nobody labelled are listed (label them before reading the number) —
    or, ``unlabelled=False``, skipped (a labelled random sample)."""
    comm = other = 0
    missing: list[tuple[str, int, str]] = []
    for url, attrs in found:
        for a in attrs:
            lab = labels.get((url, a.cue[0]))  # type: ignore[attr-defined]
            if lab is None:
                if unlabelled:
                    missing.append((url, a.cue[0], a.cue_text))  # type: ignore[attr-defined]
            elif lab == "communication":
                comm += 1
            else:
                other += 1
    return CuePrecision(comm, other, tuple(missing))


def polnear_cue_precision(docs: Sequence[GoldDoc], found: Sequence[Sequence[object]]) -> tuple[int, int]:
    """``(claims whose cue overlaps a PolNeAR gold cue, claims)``, top-level claims only."""
    hit = total = 0
    for doc, attrs in zip(docs, found):
        cues = [c for g in doc.attributions for c in g.cue]
        for a in attrs:
            if getattr(a, "outer", None) is not None:
                continue
            total += 1
            s, e = a.cue  # type: ignore[attr-defined]
            hit += any(cs < e and s < ce for cs, ce in cues)
    return hit, total
