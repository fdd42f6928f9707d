"""Scraped-text lines with gold labels, made from boilerplate-removal datasets.

Used by ``scripts/train_boilerplate.py`` (fits the line classifier of
:mod:`storyline.clean.lineclass`), ``bench/boilerplate.py`` and the floor test.

Data: ``../shared/datasets/boilerplate/`` (CleanEval dev and final, Dragnet; each a folder
with ``input/N.html.gz`` and ``GoldStandard/N.txt.gz``).

*Split, fixed before any fitting*: train on Dragnet + CleanEval-dev, report on
CleanEval-final, which nothing is tuned on (no features, rules or thresholds were chosen by
looking at it).

*Rendering* (what a copy-paste or a naive scraper gives): the ``<body>`` parsed by lxml,
comments and ``<head>`` dropped; text runs whitespace-collapsed except in ``<pre>``;
``<br>`` and block elements (div, li, td, …) break the line, ``<p>``, headings,
``<blockquote>`` and ``<pre>`` are set off by a blank line (the browser's ``innerText``
rule for ``<p>``). On one page in three (by a stable hash of the page name) inline
``<script>``/``<style>`` text is kept, its first three lines each, as naive
``get_text()`` scrapers do; elsewhere it is dropped like a browser does.

*Labels*: a line is *content* when its words are in the gold text, matched in reading
order: a line of 5+ words when at least half of its word trigrams occur in the gold; a
shorter line when its words occur as a phrase in the gold right where the previous content
line's match ended (within 120 characters), or form a whole gold line within 1,500
characters, so "Home" or "About" elsewhere in the gold is not taken for gold text. Until the
first content line has matched there is no "right where the gold goes on": short lines above
it must be whole gold lines (before this rule a menu's "Home", "Blog" or "Print" at the top of
a page matched "Return Home", "this blog" or "My print column" in the gold's first sentence;
of 30 training lines labelled content but removed by the classifier, 9 were this; most of the
others are short lines the gold really keeps: "Comments", "Video", cells of a results table;
of 30 lines labelled boilerplate but kept, 29 were furniture: menus, teasers, form labels).
The rule changed 524 of the 306,167 labelled training lines (519 from content to
boilerplate) and 150 of the 90,340 CleanEval-final lines (148). Lines without a letter or
digit (``|``, ``»``, ``* * *``) get no label and are left out of the scores.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree, html

from storyline.clean.plaintext import split_lines
from storyline.types import Cleaned

__all__ = ["Page", "pages", "render", "label_lines", "split_of", "read_gz", "removed_lines", "score", "fingerprint", "DATASETS"]

DATASETS = ("dragnet_data", "cleaneval-dev", "cleaneval-final")
TRAIN_SETS = ("dragnet_data", "cleaneval-dev")
TEST_SETS = ("cleaneval-final",)

_BLANK_AROUND = frozenset("p h1 h2 h3 h4 h5 h6 blockquote pre".split())
_BLOCK = frozenset(
    """address article aside body center dd details dialog dir div dl dt fieldset figcaption figure
    footer form header hgroup hr li main menu nav ol section summary table tbody thead tfoot tr td th
    ul caption option legend frameset frame noframes""".split()
)
_SKIP = frozenset("head title meta link iframe object embed svg canvas template map area".split())
_CODE = frozenset(("script", "style"))
_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0]+")
_WORD = re.compile(r"\w+")
_GOLD_TAG = re.compile(r"^\s*<(?:p|h|l)>\s*", re.M)


def split_of(dataset: str) -> str:
    return "test" if dataset in TEST_SETS else "train"


def _hash(name: str) -> int:
    return int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)


def render(markup: str, *, keep_code: bool = False) -> str:
    """The visible text of an HTML page, one line per block (see the module docstring)."""
    try:
        root = html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return ""
    body = root.find("body")
    if body is None:
        body = root
    out: list[str] = []

    def newline(n: int) -> None:
        # n = 1: end the current line; n = 2: also leave a blank line (runs merge later)
        out.append("\n" * n)

    def text(s: str | None, pre: bool) -> None:
        if s:
            out.append(s if pre else _SPACE.sub(" ", s))

    def walk(el: etree._Element, pre: bool) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if not tag:  # comment or processing instruction: only its tail shows
            text(el.tail, pre)
            return
        if tag in _SKIP:
            text(el.tail, pre)
            return
        if tag in _CODE:
            if keep_code and el.text and el.text.strip():
                lines = [ln.strip() for ln in el.text.strip().splitlines() if ln.strip()][:3]
                out.append("\n" + "\n".join(lines) + "\n")
            text(el.tail, pre)
            return
        n = 2 if tag in _BLANK_AROUND else 1 if tag in _BLOCK else 0
        if tag == "br":
            newline(1)
            text(el.tail, pre)
            return
        if n:
            newline(n)
        inner_pre = pre or tag == "pre"
        text(el.text, inner_pre)
        for child in el:
            walk(child, inner_pre)
        if n:
            newline(n)
        text(el.tail, pre)

    walk(body, False)
    lines = [ln.strip() for ln in "".join(out).split("\n")]
    # at most one blank line in a row
    cleaned: list[str] = []
    for ln in lines:
        if not ln and (not cleaned or not cleaned[-1]):
            continue
        cleaned.append(ln)
    return "\n".join(cleaned).strip() + "\n"


def _norm_words(s: str) -> list[str]:
    return _WORD.findall(s.casefold())


def label_lines(lines: list[str], gold: str) -> list[bool | None]:
    """Content (True), boilerplate (False) or unlabelled (None) for each line (see above)."""
    gold_clean = _GOLD_TAG.sub(" ", gold)
    gold_words = _norm_words(gold_clean)
    gold_text = " " + " ".join(gold_words) + " "
    gold_lines = {" " + " ".join(ws) + " " for ws in map(_norm_words, gold_clean.splitlines()) if ws}
    trigrams = {tuple(gold_words[i : i + 3]) for i in range(len(gold_words) - 2)}
    cursor = 0
    anchored = False  # no content line matched yet: "right where the gold goes on" means nothing
    labels: list[bool | None] = []
    for line in lines:
        words = _norm_words(line)
        if not words:
            labels.append(None)
            continue
        phrase = " " + " ".join(words) + " "
        if len(words) >= 5:
            grams = [tuple(words[i : i + 3]) for i in range(len(words) - 2)]
            ok = sum(g in trigrams for g in grams) / len(grams) >= 0.5
            if ok:
                at = gold_text.find(" " + " ".join(words[:4]) + " ")
                if at >= 0:
                    cursor = at + len(phrase)
        else:
            # a short line: right where the gold text goes on, or a whole gold line a little further
            at = gold_text.find(phrase, max(0, cursor - 20), cursor + _NEAR + len(phrase)) if anchored else -1
            if at < 0 and phrase in gold_lines:
                at = gold_text.find(phrase, max(0, cursor - 100), cursor + _FAR + len(phrase))
            ok = at >= 0
            if ok:
                cursor = at + len(phrase)
        anchored = anchored or ok
        labels.append(ok)
    return labels


_NEAR = 120
_FAR = 1500


@dataclass(slots=True)
class Page:
    dataset: str
    name: str  # file stem, e.g. "123"
    text: str  # rendered scraped text
    gold: str  # the gold content text
    lines: list[str]  # its non-blank lines as the cleaner splits them (plaintext.split_lines)
    labels: list[bool | None]

    @property
    def split(self) -> str:
        return split_of(self.dataset)

    @property
    def words(self) -> list[int]:
        return [len(ln.split()) for ln in self.lines]


def read_gz(path: Path) -> str:
    raw = gzip.decompress(path.read_bytes())
    for enc in ("utf-8", "cp1252", "latin-1"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def pages(root: Path, datasets: tuple[str, ...] = DATASETS, *, sample: int | None = None) -> Iterator[Page]:
    """Rendered, labelled pages of ``datasets`` under ``root``, in a stable order. ``sample``
    keeps about one page in ``sample`` (by a stable hash of the page name)."""
    for ds in datasets:
        inputs = root / ds / "input"
        gold_dir = root / ds / "GoldStandard"
        if not inputs.is_dir():
            continue
        for path in sorted(inputs.glob("*.html.gz"), key=lambda p: (len(p.name), p.name)):
            stem = path.name[: -len(".html.gz")]
            gold_path = gold_dir / f"{stem}.txt.gz"
            if not gold_path.is_file():
                continue
            key = f"{ds}/{stem}"
            if sample and _hash(key) % sample:
                continue
            text = render(read_gz(path), keep_code=_hash(key + "#code") % 3 == 0)
            lines = [ln.text for ln in split_lines(text)]
            if not lines:
                continue
            gold = read_gz(gold_path)
            yield Page(ds, stem, text, gold, lines, label_lines(lines, gold))


# Removals that move a line to metadata keep it (as metadata), so they do not count as removed.
METADATA_REASONS = frozenset({"title", "byline", "dateline", "credit", "published_line"})


def removed_lines(raw: str, cleaned: Cleaned) -> list[bool]:
    """For each non-blank line of ``raw`` (split_lines order): is at least half of it covered
    by removals other than moves to metadata?"""
    lines = split_lines(raw)
    spans = sorted(
        (r.start, r.end)
        for r in cleaned.removed
        if r.start is not None and r.end is not None and r.reason not in METADATA_REASONS
    )
    out: list[bool] = []
    j = 0
    for ln in lines:
        while j < len(spans) and spans[j][1] <= ln.start:
            j += 1
        covered = 0
        k = j
        while k < len(spans) and spans[k][0] < ln.end:
            covered += min(ln.end, spans[k][1]) - max(ln.start, spans[k][0])
            k += 1
        out.append(covered * 2 >= ln.end - ln.start)
    return out


def score(
    pairs: list[tuple[list[bool | None], list[bool]]], words: list[list[int]] | None = None
) -> dict[str, float]:
    """Line-level scores of "removed" over (labels, removed) pairs: precision, recall, F1,
    article lines kept, boilerplate lines removed (= recall), the line counts, and with
    ``words`` (words per line, per page) the share of article *words* kept."""
    tp = fp = fn = tn = 0
    words_kept = words_all = 0
    for k, (labels, removed) in enumerate(pairs):
        counts = words[k] if words is not None else [0] * len(labels)
        for lab, rem, nw in zip(labels, removed, counts):
            if lab is None:
                continue
            if lab:
                words_all += nw
                words_kept += 0 if rem else nw
            if rem and not lab:
                tp += 1
            elif rem:
                fp += 1
            elif not lab:
                fn += 1
            else:
                tn += 1
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    out = {
        "precision": p,
        "recall": r,
        "f1": 2 * p * r / (p + r) if p + r else 0.0,
        "article_kept": tn / (tn + fp) if tn + fp else 0.0,
        "boilerplate_removed": r,
        "content_lines": tn + fp,
        "boilerplate_lines": tp + fn,
    }
    if words is not None:
        out["article_words_kept"] = words_kept / words_all if words_all else 0.0
    return out


def fingerprint(root: Path, dataset: str) -> str:
    """sha256 over the names and sizes of a dataset's files: a floor applies to this data only."""
    h = hashlib.sha256()
    for sub in ("input", "GoldStandard"):
        for path in sorted((root / dataset / sub).glob("*.gz")):
            h.update(f"{sub}/{path.name}:{path.stat().st_size}\n".encode())
    return h.hexdigest()
