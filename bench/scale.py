"""Corpus scale: ingest throughput by executor, and how corpus steps and reads grow with the store.

    python bench/scale.py [--data ../shared/datasets] [--throughput-docs 300] [--modes 1,2,ray]
                          [--sizes 1000,10000] [--real 900] [--step 100] [--workdir DIR]
                          [--skip-throughput] [--skip-growth]

Real news text: PolNeAR train+dev, TempEval-3 and ECB+ documents (``_measure.real_texts``,
about 2,300 texts). Where more texts are needed than there are, further texts are made by
shuffling a text's paragraphs (seeded) and said so.

Table 1, throughput: the first ``--throughput-docs`` texts ingested into a fresh store by a
child process (`storyline ingest`: every per-document stage and corpus step), once per mode:
1 process, ``--workers 2`` (a process pool), ``--engine ray --workers 2`` (a local Ray
instance). Wall time, docs/s, words/s, CPU seconds of the children, speed-up over 1 process.

Table 2, growth. Running every per-document stage costs about 0.23 s a document with both
cores, so a 10,000-document store would take 40 min and 100,000 six hours; the growth table
makes its volume by replication instead (``bench/replicate.py``: a real document's paragraphs
shuffled, every stored layer moved with its paragraph, no stage run; every paragraph then
recurs in about ``size / real`` documents, more reuse than a real stream has):

1. a base store: the first ``--real`` texts ingested with every stage and corpus step
   (``--workers 2``), kept as ``base-N.db`` under ``--workdir`` and reused by later runs;
2. at each size: replicas up to ``size - step`` documents, then the corpus steps over them
   (timed: ``bulk_docs_s``, the corpus steps' own throughput on replicated text, and
   ``bulk_<step>_s``, each step's seconds of it), then
   ``--step`` further real texts ingested with ``--no-corpus`` (``stages_ms_doc``: the ingest
   child's wall time per text, loading the models in 2 workers included) and the
   corpus steps run alone on them in a child process that times each function
   ``storyline.runner._run_corpus_steps`` calls (``corpus_ms_doc`` and one ``*_ms_doc``
   column per step: the per-added-document cost);
3. then the reads (``reads``), each a child process: a page of each listing (`claims`, `events`,
   `entities` ``--limit 100``, `stories` ``--limit 20``: what a screen shows; the goal is that it
   does not grow with the store), each full export (``--json --out FILE``: it grows with what it
   returns, so its records are counted), the report of the story with the most documents and of
   the story nearest 50 documents: wall and CPU seconds and peak RSS (``wait4``: the largest
   process of the child's tree); the ingest child's and the corpus-step child's peak RSS;
   store kilobytes per document (file and WAL).

``--reads DB [DB ...]`` prints only the reads table, on stores as they are (e.g. the kept
``grown-SIZE.db`` of an earlier run, read by the code under test).

``--added DB DIR [--cold] [--runs N]`` prints only the corpus steps' per-added-document cost of
DIR's texts on a copy of DB, every run from the same state of the store (for A/B measurements
of two versions of the code on one store: run it from each checkout); ``--cold`` drops the copy
from the page cache before the steps, as a store larger than memory has it.

Sizes beyond the largest measured one are projected (log and linear in the store size) and
printed as such. The bulk columns of the first size time what the corpus steps of the code
under test had not yet taken in: nothing new when the base store was made by the same code,
every base document for a corpus step the base store's code did not have.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _measure import peak_rss_mb, real_texts  # noqa: E402
from replicate import copy_store  # noqa: E402

from storyline.store import document_id  # noqa: E402

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


@dataclass(frozen=True, slots=True)
class Ran:
    wall_s: float
    cpu_s: float  # the child and the children it waited for
    rss_mb: float  # peak resident memory of the largest process of the tree (ru_maxrss)
    stdout: str
    read_mb: float = 0.0  # read from the disk (ru_inblock: 512-byte blocks the page cache did not hold)


def run(args: list[str], *, env: dict[str, str] | None = None, python: bool = False,
        timeout: float | None = None) -> Ran | None:
    """Run ``storyline ARGS`` (or ``python ARGS`` with ``python``) in a child process and wait
    for it with ``wait4``, which gives this child's own CPU time and peak RSS. None: the child
    ran past ``timeout`` seconds and was stopped."""
    cmd = [sys.executable, *args] if python else [*STORYLINE, *args]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG if timeout else 0)
            if pid:
                break
            if timeout and time.perf_counter() - start > timeout:
                proc.kill()
                os.wait4(proc.pid, 0)
                proc.returncode = -9
                return None
            time.sleep(0.05)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd[1:])} failed:\n{err.read().decode(errors='replace')[-3000:]}")
        return Ran(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.read().decode(),
                   usage.ru_inblock * 512 / 1e6)


def must(ran: Ran | None) -> Ran:
    assert ran is not None  # only a run with a timeout can stop early
    return ran


def _env() -> dict[str, str]:
    return dict(os.environ)  # the gazetteer index: the default cache (built once, by the demo warm-up)


def throughput(texts: list[str], work: Path, modes: list[str], env: dict[str, str]) -> list[dict[str, object]]:
    src = work / "tp"
    shutil.rmtree(src, ignore_errors=True)
    words = write_files(texts, src)
    rows: list[dict[str, object]] = []
    for mode in modes:
        db = work / f"tp-{mode}.db"
        db.unlink(missing_ok=True)
        extra = ["--workers", "2", "--engine", "ray"] if mode == "ray" else ["--workers", mode]
        ran = must(run(["ingest", str(src), "--db", str(db), "--no-progress", *extra], env=env))
        rows.append({"mode": mode, "docs": len(texts), "wall_s": ran.wall_s, "cpu_s": ran.cpu_s,
                     "docs_s": len(texts) / ran.wall_s, "words_s": words / ran.wall_s, "rss_mb": ran.rss_mb})
    base = next((r for r in rows if r["mode"] == "1"), None)
    for r in rows:
        r["speedup"] = (base["wall_s"] / r["wall_s"]) if base else None  # type: ignore[operator]
    return rows


# -- growth ---------------------------------------------------------------------------------------
def time_corpus_steps(db: str) -> dict[str, object]:
    """In this (child) process: run ``storyline.runner._run_corpus_steps`` once on ``db`` and
    time each function it calls directly (read from its source, so steps wired in later are
    timed too). Printed as JSON by ``--corpus-steps DB``."""
    import ast
    import importlib
    import inspect
    import textwrap

    from storyline import runner
    from storyline.settings import Config
    from storyline.store import Store

    # the modules the steps import lazily, imported first: a one-off import (datasketch and
    # scipy: 2-5 s) is no per-document cost of the step that happens to import it first
    for mod in ("corpus.reuse", "corpus.templates", "corpus.claims", "corpus.claim_store", "corpus.events",
                "corpus.event_store", "corpus.entity_store", "corpus.stories", "corpus.provenance",
                "corpus.persist", "annotate.entities"):
        importlib.import_module(f"storyline.{mod}")
    import scipy.cluster.hierarchy  # noqa: F401
    import scipy.sparse  # noqa: F401

    tree = ast.parse(textwrap.dedent(inspect.getsource(runner._run_corpus_steps)))
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    times: dict[str, float] = {}

    def timed(module: object, name: str) -> None:
        fn = getattr(module, name)

        def wrapper(*a: object, **k: object) -> object:
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                times[name] = times.get(name, 0.0) + time.perf_counter() - t0

        setattr(module, name, wrapper)

    local: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):  # imported inside the function: wrap at the source
            module = importlib.import_module("." * node.level + (node.module or ""), package="storyline")
            for alias in node.names:
                if alias.name in called and inspect.isfunction(getattr(module, alias.name, None)):
                    timed(module, alias.name)
                    local.add(alias.asname or alias.name)
    for name in called - local:
        if inspect.isfunction(vars(runner).get(name)):
            timed(runner, name)
    with Store(db) as store:
        t0 = time.perf_counter()
        runner._run_corpus_steps(store, Config.load())
        total = time.perf_counter() - t0
    return {"total_s": total, "steps": times, "rss_mb": peak_rss_mb()}


def _corpus_steps(db: Path, env: dict[str, str]) -> tuple[dict[str, object], Ran]:
    r = must(run([__file__, "--corpus-steps", str(db)], env=env, python=True))
    return json.loads(r.stdout.strip().splitlines()[-1]), r


def _docs(db: Path) -> int:
    with sqlite3.connect(db) as c:
        n = c.execute("SELECT count(*) FROM documents WHERE superseded_by IS NULL AND status = 'ok'"
                      ).fetchone()[0]
    c.close()
    return int(n)


def _not_stored(db: Path, texts: list[str], n: int) -> list[str]:
    """The first ``n`` of ``texts`` whose document (a file: id from the bytes alone) is not in ``db``."""
    with sqlite3.connect(db) as c:
        have = {r[0] for r in c.execute("SELECT id FROM documents")}
    c.close()
    return [t for t in texts if document_id(t.encode("utf-8")) not in have][:n]


def _store_bytes(db: Path) -> int:
    return sum(Path(str(db) + s).stat().st_size for s in ("", "-wal") if Path(str(db) + s).exists())


def _read(row: dict[str, object], name: str, ran: Ran | None, timeout: float | None) -> None:
    if ran is None:
        row[name + "_s"] = f"> {timeout:.0f}"  # stopped: no RSS either
    else:
        row[name + "_s"], row[name + "_cpu_s"], row[name + "_rss_mb"] = ran.wall_s, ran.cpu_s, ran.rss_mb


def _lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for _ in f)


PAGE = {"claims": 100, "events": 100, "stories": 20, "entities": 100}  # what a screen or an API page shows


def reads(db: Path, work: Path, env: dict[str, str], timeout: float | None) -> dict[str, object]:
    """The read commands on ``db``, each a child process: a page of each listing (``--limit``:
    what a user looks at; the goal is that it does not grow with the store), each full export
    (``--json`` into a file: it grows with what it returns, so its records are counted and the
    time per thousand records given), the report of the story with the most documents and of
    the story nearest 50 documents (a story whose size does not grow with the store)."""
    row: dict[str, object] = {}
    for cmd, n in PAGE.items():
        _read(row, f"{cmd}_page", run([cmd, "--json", "--limit", str(n), "--db", str(db)], env=env,
                                      timeout=timeout), timeout)
    for cmd in PAGE:
        out = work / f"{cmd}.jsonl"
        out.unlink(missing_ok=True)
        ran = run([cmd, "--json", "--db", str(db), "--out", str(out)], env=env, timeout=timeout)
        _read(row, cmd, ran, timeout)
        if ran is not None:
            row[f"{cmd}_n"] = records = _lines(out)
            row[f"{cmd}_cpu_s_per_1k"] = 1000 * ran.cpu_s / max(1, records)
        out.unlink(missing_ok=True)
    for name, (story, docs) in (("report", _story(db)), ("report50", _story(db, near=50))):
        if story is not None:
            _read(row, name, run(["report", story, "--db", str(db), "--format", "json", "--out",
                                  str(work / "report.json")], env=env, timeout=timeout), timeout)
            row[f"{name}_story_docs"] = docs
    row["read_rss_mb"] = max((float(v) for k, v in row.items()  # type: ignore[arg-type]
                              if k.endswith("_rss_mb")), default=0.0)
    return row


def _story(db: Path, near: int | None = None) -> tuple[str | None, int]:
    """The stored story with the most current documents, or the one whose size is nearest
    ``near`` (the ids `storyline stories` lists)."""
    order = "2 DESC" if near is None else f"abs(count(*) - {int(near)}), 1"
    with sqlite3.connect(db) as c:
        row = c.execute(
            "SELECT s.story_id, count(*) FROM story_docs s JOIN documents d ON d.id = s.doc_id"
            f" WHERE d.superseded_by IS NULL GROUP BY s.story_id ORDER BY {order} LIMIT 1").fetchone()
    c.close()
    return (str(row[0]), int(row[1])) if row else (None, 0)


def base_store(texts: list[str], real: int, work: Path, env: dict[str, str], seed: Path | None = None) -> Path:
    """The first ``real`` texts ingested with every stage and corpus step (``--workers 2``),
    kept under the workdir: later runs (other code, other sizes) start from the same store.
    ``seed``: a store already holding some of these texts, analysed (they are unchanged)."""
    base = work / f"base-{real}.db"
    if not base.exists():
        folder = work / f"base-{real}"
        shutil.rmtree(folder, ignore_errors=True)
        write_files(texts[:real], folder)
        tmp = work / f"base-{real}.tmp.db"
        if seed is not None:
            copy_store(seed, tmp)
        else:
            tmp.unlink(missing_ok=True)
        had = _docs(tmp) if tmp.exists() else 0
        r = must(run(["ingest", str(folder), "--db", str(tmp), "--no-progress", "--workers", "2"], env=env))
        print(f"base store: {_docs(tmp)} real documents ({_docs(tmp) - had} ingested in {r.wall_s:.0f} s, every"
              f" stage and corpus step{f'; {had} from {seed}' if had else ''})", flush=True)
        copy_store(tmp, base)
        tmp.unlink()
    return base


def growth(texts: list[str], sizes: list[int], step: int, real: int, work: Path, env: dict[str, str], *,
           seed: Path | None = None, reuse_grown: bool = False, keep_grown: bool = True,
           resume: bool = False, read_timeout: float | None = None) -> list[dict[str, object]]:
    """The growth table (see the module docstring). Returns one row per size.

    After the bulk at each size the store is kept as ``grown-SIZE.db``; ``reuse_grown`` starts
    each size from that copy (made by an earlier run, perhaps of other code) instead of
    replicating again: the bulk columns then time only what this code's corpus steps had not
    taken in yet. Without ``keep_grown`` no copy is kept (a 100,000-document store is about
    27 GB: the copy would double it). ``resume`` goes on with the ``growth.db`` an earlier run
    left (stopped anywhere: replicas go in by transactions and the corpus steps are
    incremental), skipping the sizes it holds already: a store too large to grow in one
    sitting grows over several."""
    db = work / "growth.db"
    if not (resume and db.exists()):
        copy_store(base_store(texts, real, work, env, seed), db)
    rows: list[dict[str, object]] = []
    next_text = real
    replicator = str(Path(__file__).with_name("replicate.py"))
    for size in sizes:
        if resume and _docs(db) >= size:
            continue  # measured by the run that grew it
        row: dict[str, object] = {}
        grown = work / f"grown-{size}.db"
        if reuse_grown and grown.exists():
            copy_store(grown, db)
            bulk, row["bulk_from"] = 0, grown.name
        else:
            bulk = size - step - _docs(db)
            if bulk > 0:  # replicas of the real documents: every layer moved, no stage run
                run([replicator, str(db), str(db), "--docs", str(bulk)], env=env, python=True)
        steps, r = _corpus_steps(db, env)  # the corpus steps over the bulk: a real cost too
        row.update(bulk_docs=max(bulk, 0), bulk_corpus_s=steps["total_s"], bulk_rss_mb=r.rss_mb)
        for name, secs in steps["steps"].items():  # type: ignore[attr-defined]
            row[f"bulk_{name}_s"] = secs  # what dominates the bulk
        if bulk >= step:
            row["bulk_docs_s"] = bulk / float(steps["total_s"])  # type: ignore[arg-type]
        if keep_grown and not (reuse_grown and grown.exists()):
            copy_store(db, grown)
        new = work / f"new-{size}"
        shutil.rmtree(new, ignore_errors=True)
        fresh = _not_stored(db, texts[next_text:], step)  # a rerun from a kept store skips what it holds
        next_text = texts.index(fresh[-1]) + 1 if fresh else len(texts)
        write_files(fresh, new, start=size)
        before = _docs(db)
        ing = must(run(["ingest", str(new), "--db", str(db), "--no-progress", "--workers", "2", "--no-corpus"],
                       env=env))
        added = _docs(db) - before
        steps, r = _corpus_steps(db, env)
        corpus_s = float(steps["total_s"])  # type: ignore[arg-type]
        row.update(size=_docs(db), added=added, real_added=len(fresh),
                   stages_ms_doc=1000 * ing.wall_s / max(1, len(fresh)), ingest_rss_mb=ing.rss_mb,
                   corpus_ms_doc=1000 * corpus_s / added,
                   corpus_rss_mb=r.rss_mb)
        for name, secs in steps["steps"].items():  # type: ignore[attr-defined]
            row[f"{name}_ms_doc"] = 1000 * secs / added
        row.update(reads(db, work, env, read_timeout))
        row["kb_doc"] = _store_bytes(db) / 1024 / int(row["size"])  # type: ignore[call-overload]
        rows.append(row)
        print(f"size {row['size']}: " + json.dumps(_rounded(row)), flush=True)
    return rows


def _rounded(row: dict[str, object]) -> dict[str, object]:
    """A table row as printed while the run goes on: floats to three places."""
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}


def _page_cache(db: Path, *, cold: bool) -> None:
    """Take the store's files out of the page cache (``cold``: a store larger than memory
    whose pages the run has not read yet) or read them whole into it (warm)."""
    os.sync()  # dirty pages are not dropped
    for path in (Path(str(db) + s) for s in ("", "-wal")):
        if not path.exists():
            continue
        fd = os.open(path, os.O_RDONLY)
        try:
            if cold:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            else:
                while os.read(fd, 1 << 20):
                    pass
        finally:
            os.close(fd)


def added(db: Path, folder: Path, work: Path, env: dict[str, str], *, cold: bool, runs: int) -> list[dict[str, object]]:
    """The corpus steps' cost of adding the texts of ``folder`` to ``db``, every run from the
    same state: a copy of ``db`` (the backup API: its pages as they are), the texts ingested
    with ``--no-corpus`` (the code under test migrates the copy there), the copy taken out of
    the page cache or read into it (:func:`_page_cache`), then the corpus steps in a child
    process, each step timed (``--corpus-steps``). ``db`` itself is not written."""
    if cold and not hasattr(os, "posix_fadvise"):
        raise SystemExit("--cold needs posix_fadvise (Linux) to take the store out of the page cache")
    rows: list[dict[str, object]] = []
    copy = work / "added.db"
    try:
        for i in range(runs):
            copy_store(db, copy)
            before = _docs(copy)
            must(run(["ingest", str(folder), "--db", str(copy), "--no-progress", "--workers", "2", "--no-corpus"],
                     env=env))
            n = _docs(copy) - before
            if n <= 0:
                raise SystemExit(f"{folder}: no document added to {db} (every text in it is stored there already?)")
            _page_cache(copy, cold=cold)
            steps, r = _corpus_steps(copy, env)
            row: dict[str, object] = {"run": i + 1, "cache": "cold" if cold else "warm", "size": _docs(copy),
                                      "added": n, "wall_s": r.wall_s, "cpu_s": r.cpu_s, "read_mb": r.read_mb,
                                      "corpus_ms_doc": 1000 * float(steps["total_s"]) / n}  # type: ignore[arg-type]
            for name, secs in steps["steps"].items():  # type: ignore[attr-defined]
                row[f"{name}_ms_doc"] = 1000 * secs / n
            rows.append(row)
            print(json.dumps(_rounded(row)), flush=True)
    finally:  # a copy of a large store is not left behind, whatever stopped the run
        for suffix in ("", "-wal", "-shm"):
            Path(str(copy) + suffix).unlink(missing_ok=True)
    return rows


def _table(rows: list[dict[str, object]], cols: list[str]) -> str:
    def fmt(v: object) -> str:
        return f"{v:,.2f}" if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(fmt(r.get(c, "")) for c in cols) + " |" for r in rows]
    return "\n".join(lines)


def _projection(rows: list[dict[str, object]], target: int = 100_000) -> str:
    """Per-added-document corpus cost and read times at ``target`` documents, extrapolated
    from the two largest measured sizes both ways: logarithmic and linear in the store size."""
    if len(rows) < 2:
        return ""
    a, b = rows[-2], rows[-1]
    na, nb = float(a["size"]), float(b["size"])  # type: ignore[arg-type]

    def both(col: str) -> tuple[float, float]:
        ya, yb = float(a[col]), float(b[col])  # type: ignore[arg-type]
        log = yb + (yb - ya) * (math.log(target) - math.log(nb)) / (math.log(nb) - math.log(na))
        lin = yb + (yb - ya) * (target - nb) / (nb - na)
        return max(log, 0.0), max(lin, 0.0)

    lines = [f"projected to {target:,} documents from sizes {int(na):,} and {int(nb):,} (not measured):"]
    for col in ("corpus_ms_doc", *(f"{c}_page_s" for c in PAGE), "report_s", "report50_s"):
        unit = "ms per added document" if col == "corpus_ms_doc" else "s"
        name = "corpus steps" if col == "corpus_ms_doc" else col[:-2]
        ya, yb = a.get(col), b.get(col)
        if not (isinstance(ya, float) and isinstance(yb, float)):  # "> timeout"
            lines.append(f"  {name}: not projected ({ya} and {yb} {unit} measured)")
        elif yb <= ya:
            lines.append(f"  {name}: no growth measured ({ya:,.1f} then {yb:,.1f} {unit}): flat, about {yb:,.1f}")
        else:
            log, lin = both(col)
            lines.append(f"  {name}: {log:,.1f} {unit} if it grows with log(size), {lin:,.1f} if linearly")
    worst = max(*both("corpus_ms_doc"), float(b["corpus_ms_doc"]))  # type: ignore[arg-type]
    lines.append(f"  all {target:,} documents through the corpus steps at the largest of these per-document"
                 f" costs: {target * worst / 1000 / 3600:.1f} h")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "datasets")
    ap.add_argument("--throughput-docs", type=int, default=300)
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--real", type=int, default=900, help="real texts in the base store of the growth table")
    ap.add_argument("--step", type=int, default=100)
    ap.add_argument("--modes", default="1,2,ray")
    ap.add_argument("--workdir", type=Path, default=None, help="kept between runs: the base store is reused")
    ap.add_argument("--base-from", type=Path, default=None,
                    help="start the base store from a copy of this store (its analysed texts stay as they are)")
    ap.add_argument("--reuse-grown", action="store_true",
                    help="start each size from grown-SIZE.db of an earlier run instead of replicating again")
    ap.add_argument("--no-keep-grown", action="store_true",
                    help="keep no grown-SIZE.db copy (disk: a store takes about 270 KB a document)")
    ap.add_argument("--resume", action="store_true",
                    help="go on with the workdir's growth.db where an earlier run stopped (sizes it holds skipped)")
    ap.add_argument("--read-timeout", type=float, default=None,
                    help="stop a read (claims, events, stories, entities, report) after this many seconds")
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--skip-growth", action="store_true")
    ap.add_argument("--reads", metavar="DB", nargs="+", type=Path,
                    help="only the reads table, on these stores as they are (e.g. kept grown-SIZE.db)")
    ap.add_argument("--added", metavar=("DB", "DIR"), nargs=2, type=Path,
                    help="only the corpus steps' cost of adding the texts of DIR to a copy of DB, every run"
                         " from the same state (DB is not written)")
    ap.add_argument("--cold", action="store_true",
                    help="--added: take the copy out of the page cache before the steps (default: read it in)")
    ap.add_argument("--runs", type=int, default=1, help="--added: how many times")
    ap.add_argument("--corpus-steps", metavar="DB", help=argparse.SUPPRESS)  # the timed child
    args = ap.parse_args()
    if args.corpus_steps:
        print(json.dumps(time_corpus_steps(args.corpus_steps)))
        return
    if args.added:
        work = args.workdir or Path(tempfile.mkdtemp(prefix="storyline-added-"))
        work.mkdir(parents=True, exist_ok=True)
        db, folder = args.added
        rows = added(db, folder, work, _env(), cold=args.cold, runs=args.runs)
        steps = [k for k in rows[-1] if k.endswith("_ms_doc") and k != "corpus_ms_doc"]
        print(f"\nthe corpus steps on {args.added[1]} added to {args.added[0]} (a copy each run), from a"
              f" {'cold' if args.cold else 'warm'} page cache: wall and CPU seconds of the child, MB it read from"
              " the disk, ms per added document\n")
        print(_table(rows, ["run", "size", "added", "wall_s", "cpu_s", "read_mb", "corpus_ms_doc", *steps]))
        return
    if args.reads:
        work = args.workdir or Path(tempfile.mkdtemp(prefix="storyline-reads-"))
        work.mkdir(parents=True, exist_ok=True)
        rows = []
        for db in args.reads:
            row = {"size": _docs(db), **reads(db, work, _env(), args.read_timeout),
                   "kb_doc": _store_bytes(db) / 1024 / max(1, _docs(db))}
            print(f"{db}: " + json.dumps(row), flush=True)
            rows.append(row)
        _print_reads(rows, [])
        return
    if not (args.data / "polnear").exists():
        print(f"skipped: no datasets at {args.data}")
        return
    sizes = sorted(int(s) for s in args.sizes.split(",") if s)
    work = args.workdir or Path(os.environ.get("TMPDIR", "/tmp")) / "storyline-scale"
    work.mkdir(parents=True, exist_ok=True)
    env = _env()
    # room for the steps of every size, and for a rerun that starts from kept stores (--reuse-grown)
    texts, made = corpus(args.data, max(args.throughput_docs, args.real + args.step * 2 * (len(sizes) + 1)))
    print(f"{len(texts)} texts ({made} made by shuffling the paragraphs of a real text)\n")
    if not args.skip_throughput:
        run(["demo", "--out", str(work / "demo")], env=env)  # builds the gazetteer index once, untimed
        modes = [m for m in args.modes.split(",") if m]
        if "ray" in modes:
            try:
                import ray  # noqa: F401
            except ImportError:
                modes.remove("ray")
                print("ray not installed: pip install 'storyline[ray]' for the Ray column")
        tp = throughput(texts[: args.throughput_docs], work, modes, env)
        print(_table(tp, ["mode", "docs", "wall_s", "cpu_s", "docs_s", "words_s", "speedup", "rss_mb"]))
        best = max(tp, key=lambda r: float(r["docs_s"]))  # type: ignore[arg-type]
        hours = 100_000 / float(best["docs_s"]) / 3600  # type: ignore[arg-type]
        per_worker = float(best["docs_s"]) / (2 if best["mode"] != "1" else 1)  # type: ignore[arg-type]
        print(f"\nprojection: 100,000 articles in {hours:.1f} h on this machine (mode {best['mode']}); "
              f"{per_worker:.2f} docs/s per worker, so N Ray workers: {100_000 / per_worker / 3600:.1f} h / N "
              "(per-document stages; on Ray, copy detection and the claim, event and story steps' reading"
              " run on the cluster too, the rest of the corpus steps on the driver)\n")
    if args.skip_growth:
        return
    rows = growth(texts, sizes, args.step, args.real, work, env, seed=args.base_from,
                  reuse_grown=args.reuse_grown, keep_grown=not args.no_keep_grown, resume=args.resume,
                  read_timeout=args.read_timeout)
    if not rows:
        print(f"nothing to grow: {work / 'growth.db'} holds every size asked for")
        return
    for r in rows:
        r["added"] = f"{r['added']} ({r['real_added']} real)"
    steps = [k for k in rows[-1] if k.endswith("_ms_doc") and k not in ("stages_ms_doc", "corpus_ms_doc")]
    print(f"\ngrowth: a base of the first {args.real} real texts (every stage and corpus step), grown with"
          " replicas (bench/replicate.py: a real document's paragraphs shuffled, its layers moved, no stage"
          f" run) to each size less {args.step}; then {args.step} real texts ingested with --no-corpus and the"
          " corpus steps run alone on them\n")
    print(_table(rows, ["size", "bulk_docs", "bulk_corpus_s", "bulk_docs_s", "added", "stages_ms_doc",
                        "corpus_ms_doc", *steps]))
    print()
    _print_reads(rows, ["ingest_rss_mb", "corpus_rss_mb"])
    print()
    print(_projection(rows))


def _print_reads(rows: list[dict[str, object]], extra: list[str]) -> None:
    pages = ", ".join(f"{c} --limit {n}" for c, n in PAGE.items())
    print(f"reads: a page ({pages}) and a story's report, wall (CPU) seconds\n")
    for r in rows:
        for c in (*(f"{c}_page" for c in PAGE), "report", "report50", *PAGE):
            if isinstance(r.get(c + "_cpu_s"), float):
                r[c] = f"{float(r[c + '_s']):,.2f} ({float(r[c + '_cpu_s']):,.2f})"  # type: ignore[arg-type]
            else:
                r[c] = r.get(c + "_s", "")
    print(_table(rows, ["size", *(f"{c}_page" for c in PAGE), "report", "report_story_docs", "report50",
                        "report50_story_docs", "read_rss_mb", *extra, "kb_doc"]))
    print("\nfull exports (--json --out FILE): wall (CPU) seconds, records, CPU seconds per 1,000 records\n")
    print(_table(rows, ["size", *(x for c in PAGE for x in (c, f"{c}_n", f"{c}_cpu_s_per_1k"))]))


if __name__ == "__main__":
    main()
