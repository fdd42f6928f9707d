"""Time-expression detection and normalisation on TempEval-3's TBAQ-cleaned corpus.

Runs :func:`storyline.annotate.times.find_times` over every TimeML document of TimeBank and
AQUAINT (256 news articles, 1,822 TIMEX3 in their text) with the document creation time
(DCT) as the publication date, and scores it as TempEval-3 task A scores time expressions
(UzZaman et al. 2013, "SemEval-2013 Task 1: TempEval-3", section 4.1):

* **strict** match: same character span; **relaxed** match: overlapping spans (each gold
  and each system expression matched at most once, largest overlap first);
* P = matched system / all system, R = matched gold / all gold, F1 their harmonic mean;
* **value F1** (the "attribute F1" of the paper): attrP = |relaxed matches whose value is
  right| / |system|, attrR = the same count / |gold|, value F1 = 2·attrP·attrR/(attrP+attrR)
  — i.e. relaxed F1 weighted by value accuracy; values compared as exact strings, as the
  TempEval-3 scorer does. **value accuracy** is right values / relaxed matches; **type F1**
  likewise for DATE/TIME/DURATION/SET.

A storyline range ("between 2014 and 2016") is scored as its two endpoint expressions,
which is how TimeML marks it.

    python bench/times.py [--data DIR] [--json] [--errors N]

DIR defaults to ../shared/datasets/tempeval3/TBAQ-cleaned relative to the repository root;
without it the script says so and exits 0. HeidelTime's figures beside ours are its
TempEval-3 results (HeidelTime-t, task A) on the *platinum test set*; ours are on TBAQ,
which was TempEval-3's *training* data — the same genre and guidelines, not the same
documents, so the comparison is indicative, not head to head.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import re
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "datasets" / "tempeval3" / "TBAQ-cleaned"

try:
    import storyline  # noqa: F401
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(REPO / "src"))

from storyline.annotate.quantities import find_quantities  # noqa: E402
from storyline.annotate.times import TimeExpression, find_times  # noqa: E402

# HeidelTime (Strötgen et al. 2013) in TempEval-3 task A, platinum test set (UzZaman et al. 2013, table 3)
HEIDELTIME_TE3 = {"strict_f1": 81.34, "relaxed_f1": 90.30, "value_f1": 77.61, "type_f1": 82.09}

_TYPE = {"date": "DATE", "time": "TIME", "duration": "DURATION", "set": "SET"}


@dataclass(frozen=True, slots=True)
class Timex:
    start: int
    end: int
    type: str
    value: str
    text: str


@dataclass(frozen=True, slots=True)
class TimeMLDoc:
    name: str
    dct: str  # ISO date of the document creation time
    text: str  # the TEXT element with tags removed and entities decoded
    gold: tuple[Timex, ...]


_TAG_RE = re.compile(r"<(/?)(\w+)([^>]*)>|&(\w+|#\d+);")
_ATTR_RE = re.compile(r'(\w+)="([^"]*)"')


def parse_timeml(raw: str, name: str = "") -> TimeMLDoc:
    """Plain text and gold TIMEX3s (offsets into that text) of one TimeML document."""
    dct_m = re.search(r"<DCT>\s*<TIMEX3[^>]*value=\"([^\"]+)\"", raw)
    dct = dct_m.group(1)[:10] if dct_m else ""
    body_start = raw.index("<TEXT>") + len("<TEXT>")
    body = raw[body_start : raw.index("</TEXT>")]
    out: list[str] = []
    pos = 0
    length = 0
    open_timex: tuple[int, dict[str, str]] | None = None
    gold: list[Timex] = []
    for m in _TAG_RE.finditer(body):
        chunk = body[pos : m.start()]
        out.append(chunk)
        length += len(chunk)
        pos = m.end()
        if m.group(4):  # an entity reference
            ch = html.unescape(m.group(0))
            out.append(ch)
            length += len(ch)
            continue
        closing, tag = m.group(1), m.group(2)
        if tag != "TIMEX3":
            continue
        if not closing:
            open_timex = (length, dict(_ATTR_RE.findall(m.group(3))))
        elif open_timex is not None:
            s, attrs = open_timex
            gold.append(Timex(s, length, attrs.get("type", ""), attrs.get("value", ""), ""))
            open_timex = None
    out.append(body[pos:])
    text = "".join(out)
    gold = [Timex(g.start, g.end, g.type, g.value, text[g.start : g.end]) for g in gold]
    return TimeMLDoc(name, dct, text, tuple(gold))


def _files(data: Path) -> list[Path]:
    """TimeBank and AQUAINT documents (TBAQ's ``testpipeline`` folder repeats a TimeBank one)."""
    return sorted(p for sub in ("TimeBank", "AQUAINT") for p in (data / sub).glob("*.tml"))


def load_documents(data: Path) -> list[TimeMLDoc]:
    return [parse_timeml(p.read_text(encoding="utf8"), p.stem) for p in _files(data)]


def data_sha256(data: Path) -> str:
    """Hash over the corpus files (relative path + content), for pinning floors to data."""
    h = hashlib.sha256()
    for p in _files(data):
        h.update(str(p.relative_to(data)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def system_timexes(exprs: Iterable[TimeExpression]) -> list[Timex]:
    """storyline expressions as TIMEX3s: ranges become their endpoints."""
    out: list[Timex] = []
    for e in exprs:
        if e.kind == "range" and e.parts:
            out += system_timexes(e.parts)
        else:
            out.append(Timex(e.start, e.end, _TYPE.get(e.kind, "DATE"), e.value or "", e.text))
    return out


def _match(gold: list[Timex], system: list[Timex], strict: bool) -> list[tuple[Timex, Timex]]:
    """One-to-one matches, largest overlap first."""
    cands = []
    for gi, g in enumerate(gold):
        for si, s in enumerate(system):
            ov = min(g.end, s.end) - max(g.start, s.start)
            if strict and (g.start, g.end) != (s.start, s.end):
                continue
            if ov > 0:
                cands.append((-ov, gi, si))
    cands.sort()
    used_g: set[int] = set()
    used_s: set[int] = set()
    pairs = []
    for _, gi, si in cands:
        if gi in used_g or si in used_s:
            continue
        used_g.add(gi)
        used_s.add(si)
        pairs.append((gold[gi], system[si]))
    return pairs


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(
    docs: list[TimeMLDoc],
    predict: Callable[[str, str], Iterable[TimeExpression]] | None = None,
    errors: list[tuple[str, Timex | None, Timex | None]] | None = None,
) -> dict[str, float]:
    """TempEval-3 timex scores (percent) of ``predict(text, dct)`` over ``docs``."""
    if predict is None:

        def predict(text: str, dct: str) -> list[TimeExpression]:
            return find_times(text, published=dct, precision="day")

    n_gold = n_sys = strict = relaxed = value_ok = type_ok = 0
    for d in docs:
        system = system_timexes(predict(d.text, d.dct))
        gold = list(d.gold)
        n_gold += len(gold)
        n_sys += len(system)
        strict += len(_match(gold, system, strict=True))
        pairs = _match(gold, system, strict=False)
        relaxed += len(pairs)
        for g, s in pairs:
            value_ok += g.value == s.value
            type_ok += g.type == s.type
            if errors is not None and g.value != s.value:
                errors.append((d.name, g, s))
        if errors is not None:
            mg = {id(g) for g, _ in pairs}
            ms = {id(s) for _, s in pairs}
            errors += [(d.name, g, None) for g in gold if id(g) not in mg]
            errors += [(d.name, None, s) for s in system if id(s) not in ms]
    res: dict[str, float] = {"documents": len(docs), "gold": n_gold, "system": n_sys}
    for name, k in (("strict", strict), ("relaxed", relaxed), ("value", value_ok), ("type", type_ok)):
        p = 100 * k / n_sys if n_sys else 0.0
        r = 100 * k / n_gold if n_gold else 0.0
        res[f"{name}_p"], res[f"{name}_r"], res[f"{name}_f1"] = p, r, _f1(p, r)
    res["value_accuracy"] = 100 * value_ok / relaxed if relaxed else 0.0
    return res


def _ms_per_1k_words(docs: list[TimeMLDoc], words: int, fn: Callable[[TimeMLDoc], object]) -> float:
    """CPU milliseconds per 1,000 words, best of three passes (the machine is shared)."""
    best = float("inf")
    for _ in range(3):
        t0 = time.process_time()
        for d in docs:
            fn(d)
        best = min(best, time.process_time() - t0)
    return 1000 * best / (words / 1000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="TBAQ-cleaned folder (default: %(default)s)"
    )
    parser.add_argument("--json", action="store_true", help="print the scores as one JSON object")
    parser.add_argument("--errors", type=int, default=0, metavar="N", help="also list N mistakes (to stderr)")
    args = parser.parse_args(argv)

    if not _files(args.data):
        print(
            f"skipped: no TimeML documents in {args.data} (need TimeBank/*.tml, AQUAINT/*.tml)",
            file=sys.stderr,
        )
        return 0

    docs = load_documents(args.data)
    words = sum(len(d.text.split()) for d in docs)
    find_times(docs[0].text, published=docs[0].dct)  # warm-up: lazy set-up is not per-document cost
    times_ms = _ms_per_1k_words(docs, words, lambda d: find_times(d.text, published=d.dct, precision="day"))
    quantities_ms = _ms_per_1k_words(docs, words, lambda d: find_quantities(d.text))
    tracemalloc.start()
    for d in docs:
        find_times(d.text, published=d.dct, precision="day")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    errors: list[tuple[str, Timex | None, Timex | None]] = []
    res = evaluate(docs, errors=errors)
    res["words"] = words
    res["ms_per_1k_words"] = times_ms
    res["quantities_ms_per_1k_words"] = quantities_ms
    res["peak_mib"] = peak / 2**20

    if args.json:
        print(json.dumps({"storyline": res, "heideltime_te3_platinum": HEIDELTIME_TE3}, indent=2))
    else:
        print(
            f"TempEval-3 TBAQ-cleaned: {res['documents']} documents, {res['gold']} gold TIMEX3, "
            f"{words:,} words; storyline found {res['system']}"
        )
        print(f"{'':28}{'P':>7}{'R':>7}{'F1':>7}   HeidelTime F1 (TE-3 platinum)")
        for name, label in (
            ("strict", "strict span match"),
            ("relaxed", "relaxed span match"),
            ("value", "value (attribute F1)"),
            ("type", "type (attribute F1)"),
        ):
            ht = HEIDELTIME_TE3.get(f"{name}_f1")
            print(
                f"{label:28}{res[name + '_p']:7.1f}{res[name + '_r']:7.1f}{res[name + '_f1']:7.1f}   "
                f"{ht if ht is not None else '':>6}"
            )
        print(f"value accuracy on relaxed matches: {res['value_accuracy']:.1f} %")
        print(
            f"speed (CPU, best of 3): find_times {times_ms:.2f} ms per 1k words, find_quantities "
            f"{quantities_ms:.2f}, together {times_ms + quantities_ms:.2f}; "
            f"peak traced memory {res['peak_mib']:.1f} MiB"
        )
        print("HeidelTime: TempEval-3 platinum test set; storyline: TBAQ-cleaned (TempEval-3 training data).")
    for name, g, s in errors[: args.errors]:
        gs = f"{g.text!r} {g.type} {g.value}" if g else "-"
        ss = f"{s.text!r} {s.type} {s.value}" if s else "-"
        print(f"{name:26} gold {gs:45} system {ss}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
