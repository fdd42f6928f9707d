"""Corpus scale: ingest throughput by executor, and how corpus steps and reads grow with the store.

    python bench/scale.py [--data ../shared/datasets] [--throughput-docs 300]
                          [--sizes 500,1000,2000] [--step 100] [--modes 1,2,ray] [--workdir DIR]

Real news text: PolNeAR train+dev, TempEval-3 and ECB+ documents (``_measure.real_texts``,
about 2,300 texts). Where a size needs more documents than there are texts, further documents
are made by shuffling a text's paragraphs (seeded) and saying so in the table: the words are
real, the order is not, so copy detection sees them as new documents.

Table 1, throughput: the first ``--throughput-docs`` texts ingested into a fresh store by a
child process (`storyline ingest`: every per-document stage and corpus step), once per mode:
1 process, ``--workers 2`` (a process pool), ``--engine ray --workers 2`` (a local Ray
instance). Wall time, docs/s, words/s, CPU seconds of the children, speed-up over 1 process.

Table 2, growth: one store is filled in steps to each size (``--workers 2``); at each size
``--step`` new documents are ingested with ``--no-corpus`` and the corpus steps then run alone
(`storyline analyze`, stages already current), which gives the per-added-document cost of the
corpus steps; then the time of `claims --json`, `events --json`, `stories --json` and the
report of the largest story; peak RSS of the ingest child; store bytes per document.

A projection for 100,000 articles follows from the measured per-document throughput.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _measure import real_texts  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
STORYLINE = [sys.executable, "-m", "storyline.cli"]


def corpus(data: Path, n: int, seed: int = 13) -> tuple[list[str], int]:
    """``n`` texts: the real ones first, then paragraph-shuffled copies (count returned)."""
    texts = [t for t in real_texts(data, ecbplus=True) if len(t.split()) >= 40]
    out = list(texts[:n])
    rng = random.Random(seed)
    while len(out) < n:
        paras = [p for p in rng.choice(texts).split("\n") if p.strip()]
        rng.shuffle(paras)
        out.append("\n\n".join(paras))
    return out, max(0, n - len(texts))


def write_files(texts: list[str], folder: Path, start: int = 0) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    words = 0
    for i, text in enumerate(texts, start):
        (folder / f"{i:06d}.txt").write_text(text, encoding="utf-8")
        words += len(text.split())
    return words


def run(args: list[str], *, env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds of the child (and its children), stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([*STORYLINE, *args], capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"storyline {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.stdout


def _env(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["STORYLINE_CACHE"] = str(cache)  # the gazetteer index, built once before timing
    return env


def throughput(texts: list[str], work: Path, modes: list[str], env: dict[str, str]) -> list[dict[str, object]]:
    src = work / "tp"
    words = write_files(texts, src)
    rows: list[dict[str, object]] = []
    for mode in modes:
        db = work / f"tp-{mode}.db"
        db.unlink(missing_ok=True)
        extra = ["--workers", "2", "--engine", "ray"] if mode == "ray" else ["--workers", mode]
        wall, cpu, _ = run(["ingest", str(src), "--db", str(db), "--no-progress", *extra], env=env)
        rows.append({"mode": mode, "docs": len(texts), "wall_s": wall, "cpu_s": cpu,
                     "docs_s": len(texts) / wall, "words_s": words / wall})
    base = next((r for r in rows if r["mode"] == "1"), None)
    for r in rows:
        r["speedup"] = (base["wall_s"] / r["wall_s"]) if base else None  # type: ignore[operator]
    return rows


def growth(texts: list[str], sizes: list[int], step: int, work: Path, env: dict[str, str]) -> list[dict[str, object]]:
    db = work / "growth.db"
    db.unlink(missing_ok=True)
    rows: list[dict[str, object]] = []
    have = 0
    for size in sizes:
        fill = work / f"fill-{size}"
        write_files(texts[have:size - step], fill, start=have)
        if size - step > have:
            run(["ingest", str(fill), "--db", str(db), "--no-progress", "--workers", "2"], env=env)
        new = work / f"new-{size}"
        write_files(texts[size - step:size], new, start=size - step)
        t_stages, _, _ = run(["ingest", str(new), "--db", str(db), "--no-progress", "--workers", "2", "--no-corpus"],
                             env=env)
        t_corpus, _, _ = run(["analyze", "--db", str(db)], env=env)
        have = size
        row: dict[str, object] = {"size": size, "stages_ms_doc": 1000 * t_stages / step,
                                  "corpus_ms_doc": 1000 * t_corpus / step}
        for cmd in ("claims", "events", "stories"):
            row[cmd + "_s"], _, out = run([cmd, "--json", "--db", str(db)], env=env)
            if cmd == "stories":
                stories = [json.loads(line) for line in out.splitlines() if line.strip()]
        biggest = max(stories, key=lambda s: len(s.get("documents") or s.get("docs") or []), default=None)
        if biggest is not None:
            row["report_s"], _, _ = run(["report", str(biggest["id"]), "--db", str(db), "--format", "json",
                                         "--out", str(work / "r.json")], env=env)
        row["bytes_doc"] = db.stat().st_size / size
        rows.append(row)
    return rows


def _table(rows: list[dict[str, object]], cols: list[str]) -> str:
    def fmt(v: object) -> str:
        return f"{v:,.2f}" if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(fmt(r.get(c, "")) for c in cols) + " |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "datasets")
    ap.add_argument("--throughput-docs", type=int, default=300)
    ap.add_argument("--sizes", default="500,1000,2000")
    ap.add_argument("--step", type=int, default=100)
    ap.add_argument("--modes", default="1,2,ray")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--skip-growth", action="store_true")
    args = ap.parse_args()
    if not (args.data / "polnear").exists():
        print(f"skipped: no datasets at {args.data}")
        return
    sizes = sorted(int(s) for s in args.sizes.split(",") if s)
    work = args.workdir or Path(os.environ.get("TMPDIR", "/tmp")) / "storyline-scale"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = _env(work / "cache")
    run(["demo", "--out", str(work / "demo")], env=env)  # builds the gazetteer index once, untimed
    modes = [m for m in args.modes.split(",") if m]
    if "ray" in modes:
        try:
            import ray  # noqa: F401
        except ImportError:
            modes.remove("ray")
            print("ray not installed: pip install 'storyline[ray]' for the Ray column")
    texts, made = corpus(args.data, max([args.throughput_docs, *sizes]))
    print(f"{len(texts)} documents ({made} made by shuffling the paragraphs of a real text)\n")
    tp = throughput(texts[: args.throughput_docs], work, modes, env)
    print(_table(tp, ["mode", "docs", "wall_s", "cpu_s", "docs_s", "words_s", "speedup"]))
    best = max(tp, key=lambda r: float(r["docs_s"]))  # type: ignore[arg-type]
    hours = 100_000 / float(best["docs_s"]) / 3600  # type: ignore[arg-type]
    per_worker = float(best["docs_s"]) / (2 if best["mode"] != "1" else 1)  # type: ignore[arg-type]
    print(f"\nprojection: 100,000 articles in {hours:.1f} h on this machine (mode {best['mode']}); "
          f"{per_worker:.2f} docs/s per worker, so N Ray workers: {100_000 / per_worker / 3600:.1f} h / N "
          "(per-document stages; the corpus steps run on the driver)")
    if not args.skip_growth:
        print()
        print(_table(growth(texts, sizes, args.step, work, env),
                     ["size", "stages_ms_doc", "corpus_ms_doc", "claims_s", "events_s", "stories_s", "report_s",
                      "bytes_doc"]))


if __name__ == "__main__":
    main()
