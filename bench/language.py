"""Language identification: storyline's identifier against the alternatives, same run.

Scores each identifier on the set of :mod:`storyline.clean.language_eval` (191 real news
pages in 35 languages from ``../shared/datasets/pubdates``, labels in
``tests/fixtures/language/pubdates_labels.json``; and the pages' titles and first sentences as
short texts), on the ``tune`` and ``held-out`` halves, with its speed per document, the time
to load its model and its installed size.

    python bench/language.py [--data DIR] [--json]

Identifiers: ``storyline`` (the ``language`` stage, :func:`storyline.clean.language.identify`:
py3langid with a restricted label set, ``und`` below 0.5, and the passages in other languages),
``storyline (no passages)`` (:func:`~storyline.clean.language.guess_language`; speed only), raw
``py3langid``, and, when
installed (``pip install lingua-language-detector pycld2 langdetect``), lingua, pycld2 and
langdetect. An identifier that is not installed is listed as such. "wrong" counts confident
wrong answers, "und" abstentions (accuracy counts both as misses).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from storyline.clean.language_eval import Item, load_items, score

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "fixtures" / "language" / "pubdates_labels.json"


def install_mb(dist: str) -> float:
    try:
        files = importlib.metadata.distribution(dist).files or []
    except importlib.metadata.PackageNotFoundError:
        return float("nan")
    paths = [Path(f.locate()) for f in files]  # a PathLike in the stubs; a Path for installed files
    return sum(p.stat().st_size for p in paths if p.is_file()) / 1e6


def candidates() -> dict[str, tuple[Callable[[], Callable[[str], str]], str]]:
    """name -> (loader returning identify(text) -> code, distribution name)."""

    def ours() -> Callable[[str], str]:
        from storyline.clean.language import identify, load_identifier

        ident = load_identifier()
        return lambda t: identify(t, ident)[0].language

    def ours_document_only() -> Callable[[str], str]:
        from storyline.clean.language import guess_language, load_identifier

        ident = load_identifier()
        return lambda t: guess_language(t, ident).language

    def py3langid() -> Callable[[str], str]:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return lambda t: ident.classify(t)[0]

    def lingua() -> Callable[[str], str]:
        from lingua import LanguageDetectorBuilder

        det = LanguageDetectorBuilder.from_all_languages().build()  # models load lazily, per language

        def run(t: str) -> str:
            lang = det.detect_language_of(t)
            return lang.iso_code_639_1.name.lower() if lang else "und"

        return run

    def pycld2() -> Callable[[str], str]:
        import pycld2 as cld

        def run(t: str) -> str:
            try:
                ok, _, found = cld.detect(t)
            except cld.error:
                return "und"
            return found[0][1] if ok and found[0][1] != "un" else "und"

        return run

    def langdetect() -> Callable[[str], str]:
        from langdetect import DetectorFactory, detect
        from langdetect.lang_detect_exception import LangDetectException

        DetectorFactory.seed = 0

        def run(t: str) -> str:
            try:
                return str(detect(t))
            except LangDetectException:
                return "und"

        return run

    return {
        "storyline": (ours, "py3langid"),
        "storyline (no passages)": (ours_document_only, "py3langid"),
        "py3langid (raw)": (py3langid, "py3langid"),
        "lingua": (lingua, "lingua-language-detector"),
        "pycld2": (pycld2, "pycld2"),
        "langdetect": (langdetect, "langdetect"),
    }


def run(items: list[Item]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    docs = [it for it in items if it.kind == "document"]
    for name, (load, dist) in candidates().items():
        t0 = time.perf_counter()
        try:
            identify = load()
            identify("Warm-up: the first call loads what is loaded lazily.")
        except ImportError:
            rows.append({"identifier": name, "installed": False})
            continue
        load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        for it in docs:
            identify(it.text)
        ms_doc = (time.perf_counter() - t0) * 1000 / len(docs)
        row: dict[str, Any] = {
            "identifier": name, "installed": True, "load_s": load_s, "ms_per_doc": ms_doc,
            "install_mb": install_mb(dist),
        }
        if name != "storyline (no passages)":
            for kind in ("document", "short"):
                for split in ("tune", "held-out"):
                    part = [i for i in items if i.kind == kind and i.split == split]
                    row[f"{kind}/{split}"] = score(identify, part)
        rows.append(row)
    return rows


def _line(r: dict[str, Any]) -> str:
    cost = f"{r['ms_per_doc']:7.2f} {r['load_s']:7.2f} {r['install_mb']:6.1f}"
    if "document/tune" not in r:
        return f"{r['identifier']:<24} {'':>9} {'':>9} {'':>10} {'':>10} {'':>14} {cost}"
    acc = [r[k]["accuracy"] for k in ("document/tune", "document/held-out", "short/tune", "short/held-out")]
    held = r["short/held-out"]
    return (f"{r['identifier']:<24} {acc[0]:9.3f} {acc[1]:9.3f} {acc[2]:10.3f} {acc[3]:10.3f}"
            f" {str(held['wrong']) + '/' + str(held['und']):>14} {cost}")


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "datasets" / "pubdates")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not (args.data / "pages").is_dir():
        print(f"pubdates pages not found at {args.data}: nothing to measure", file=sys.stderr)
        return 0
    items = load_items(args.data / "pages", LABELS)
    rows = run(items)
    if args.json:
        print(json.dumps(rows, indent=1, default=str))
        return 0
    n = Counter((i.kind, i.split) for i in items)
    langs = len({i.lang for i in items})
    print(f"{n['document', 'tune']}+{n['document', 'held-out']} documents (tune+held-out), "
          f"{n['short', 'tune']}+{n['short', 'held-out']} short texts, {langs} languages")
    head = (f"{'identifier':<24} {'docs tune':>9} {'docs held':>9} {'short tune':>10} {'short held':>10}"
            f" {'wrong/und held':>14} {'ms/doc':>7} {'load s':>7} {'MB':>6}")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(_line(r) if r["installed"] else f"{r['identifier']:<24} (not installed)")
    print("\nerrors (label→answer: count) and abstentions, documents and short texts, both halves:")
    parts = ("document/tune", "document/held-out", "short/tune", "short/held-out")
    for r in rows:
        if r["installed"] and "document/tune" in r:
            errs: Counter[str] = Counter()
            for key in parts:
                errs.update(r[key]["errors"])
            und = sum(r[k]["und"] for k in parts)
            listed = ", ".join(f"{k} {v}" for k, v in errs.most_common())
            print(f"  {r['identifier']:<22} und {und:3}; {listed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
