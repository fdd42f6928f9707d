"""The language-identification test set, and how an identifier is scored on it.

Documents are real news pages of ``../shared/datasets/pubdates`` (htmldate's evaluation
pages, 35 languages), their text extracted with trafilatura; each page's label is in
``tests/fixtures/language/pubdates_labels.json`` with its URL and how it was decided: the
page's ``<html lang>`` where the text agrees (checked by eye), or read where the attribute is
missing or wrong (WordPress sites declare ``en`` over Spanish, Tagalog, Gujarati… text). Short
texts are each page's title and first sentence, 20 to 120 characters. Serbian, Croatian,
Bosnian and Serbo-Croatian count as one label (``hbs``): the pages' own attributes mix them.

The set is split once by a hash of the file name: ``tune`` (thresholds were chosen there)
and ``held-out`` (reported, never tuned on).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HBS = frozenset({"sh", "bs", "hr", "sr", "hbs"})
_FIRST_SENTENCE = re.compile(r"(?<=[.!?。])\s")


@dataclass(frozen=True, slots=True)
class Item:
    file: str
    url: str
    lang: str
    text: str
    split: str  # "tune" or "held-out"
    kind: str  # "document" or "short"


def split_of(file: str) -> str:
    return "tune" if hashlib.sha1(file.encode()).hexdigest()[0] < "8" else "held-out"


def normalise(code: str | None) -> str:
    code = (code or "und").lower().split("-")[0]
    return "hbs" if code in HBS else {"nb": "no", "nn": "no", "iw": "he", "fil": "tl"}.get(code, code)


def load_items(pages: Path, labels: Path) -> list[Item]:
    """Documents and short texts of every labelled page (pages without a label are left out)."""
    import trafilatura

    items: list[Item] = []
    for row in json.loads(labels.read_text(encoding="utf-8")):
        if not row["lang"]:
            continue
        html = gzip.open(pages / (row["file"] + ".gz")).read().decode("utf-8", "replace")
        text = trafilatura.extract(html, include_comments=False) or ""
        meta = trafilatura.extract_metadata(html)
        split = split_of(row["file"])
        items.append(Item(row["file"], row["url"], row["lang"], text, split, "document"))
        shorts = []
        if meta is not None and meta.title and 20 <= len(meta.title) <= 120:
            shorts.append(meta.title)
        first = _FIRST_SENTENCE.split(text.strip().split("\n")[0])[0]
        if 20 <= len(first) <= 120 and first not in shorts:
            shorts.append(first)
        items += [Item(row["file"], row["url"], row["lang"], s, split, "short") for s in shorts]
    return items


def score(identify: Callable[[str], str], items: Iterable[Item]) -> dict[str, Any]:
    """Accuracy, confident errors and abstentions (``und``) of ``identify`` on ``items``."""
    n = right = und = 0
    errors: Counter[str] = Counter()
    for it in items:
        got = normalise(identify(it.text))
        n += 1
        if got == it.lang:
            right += 1
        elif got == "und":
            und += 1
        else:
            errors[f"{it.lang}→{got}"] += 1
    return {
        "n": n, "accuracy": right / n if n else 0.0, "wrong": sum(errors.values()), "und": und,
        "errors": dict(errors.most_common()),
    }


def pages_sha256(pages: Path, labels: Path) -> str:
    """One hash of the labels file and every page it names (the data a floor was set on)."""
    h = hashlib.sha256(labels.read_bytes())
    for row in json.loads(labels.read_text(encoding="utf-8")):
        path = pages / (row["file"] + ".gz")
        h.update(path.read_bytes() if path.is_file() else b"missing")
    return h.hexdigest()
