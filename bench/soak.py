"""Crash-consistency soak: ``kill -9`` at random points of ``ingest`` and ``analyze --force``.

    python bench/soak.py [--trials 100] [--docs 40] [--seed 0] [--workdir DIR]

A corpus is derived from the bundled sample articles (seeded: paragraphs rotated and cut,
one headline and URL per document, so copy detection and stories have work to do). Two
reference stores are made by uninterrupted runs: ``ingest`` of the corpus, then
``analyze --force`` over a copy of it. Each trial then alternates between

* ingest: a fresh store, ``storyline ingest`` killed with SIGKILL;
* analyze: a copy of the reference store, ``storyline analyze --force`` killed likewise;

runs ``storyline check`` on what the kill left (an integrity failure is any exit code other
than 0), resumes (the same command again), and compares the final store with the matching
reference: documents, statuses, text, metadata, stage runs, layers, rejections, sightings,
copied passages and stories (timestamps, rowids and the FTS shadow tables left out).

Where to kill is drawn first — start-up 10 % (a random delay before the reference run's
first write), while stages commit 60 % (when the store shows a random number of the run's
writes: document rows, finished documents, rewritten stage runs), corpus steps 30 % (a
random delay after the last document finished) — and the kill follows the run's progress as
read from the store, not the clock, so it lands inside the run however busy the machine is.
The children write small batches (``--batch-size``, default 4: many commits to land
between) and run one worker, like the default ``storyline ingest``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

# columns that legitimately differ between two identical runs: when, not what
VOLATILE = {"ingested_at", "created_at", "ran_at", "applied_at", "first_seen"}
# tables compared row by row; their INTEGER PRIMARY KEY (rowid) columns are left out
COMPARED = ("documents", "raw", "stage_runs", "layers", "rejections", "sightings", "copied_passages",
            "reuse_indexed", "site_templates", "site_template_pages", "stories", "episodes", "story_docs",
            "story_df", "story_postings")


def sample_corpus_dir() -> Path:
    import storyline

    return Path(storyline.sample_corpus())


def make_corpus(root: Path, n: int, seed: int) -> Path:
    """``n`` documents derived from the sample articles, plus their ``sources.jsonl``."""
    rng = random.Random(seed)
    sample = sample_corpus_dir()
    articles = [f.read_text(encoding="utf-8") for f in sorted(sample.glob("*.txt"))]
    root.mkdir(parents=True, exist_ok=True)
    meta = []
    outlets = ["Example Wire", "Daily Example", "Example Post", "The Example Times"]
    for i in range(n):
        paras = [p for p in articles[i % len(articles)].split("\n\n") if p.strip()]
        head, body = paras[0], paras[1:]
        k = rng.randrange(len(body)) if body else 0
        body = body[k:] + body[:k]
        body = body[: max(2, len(body) - rng.randrange(3))]
        name = f"{i:04d}.txt"
        (root / name).write_text(f"{head} (update {i})\n\n" + "\n\n".join(body) + "\n", encoding="utf-8")
        meta.append({"file": name, "url": f"https://news.example.org/soak/{i}",
                     "outlet": outlets[i % len(outlets)], "published": f"2017-03-{1 + i % 28:02d}"})
    (root / "sources.jsonl").write_text("\n".join(json.dumps(m) for m in meta) + "\n", encoding="utf-8")
    return root


def storyline_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "storyline.cli", *args]


def ingest_args(corpus: Path, db: Path) -> list[str]:
    return storyline_cmd("ingest", str(corpus), "--meta", str(corpus / "sources.jsonl"), "--db", str(db),
                         "--no-progress")


def run(cmd: list[str], timeout: float = 900) -> tuple[int, float, str]:
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return p.returncode, time.perf_counter() - t, p.stderr[-2000:]


Progress = Callable[[], int]


def events(db: Path, sql: str, args: tuple[object, ...] = ()) -> int:
    """A count read from the store while a child writes it (0 before its schema exists)."""
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2)
        try:
            return int(con.execute(sql, args).fetchone()[0] or 0)
        finally:
            con.close()
    except sqlite3.Error:
        return 0


# ingest: a document row committed (raw first), then its stage results (not pending any more)
INGEST_EVENTS = "SELECT count(*) + coalesce(sum(status != 'pending'), 0) FROM documents"
# analyze --force: stage runs rewritten since the copy (their ran_at is newer)
ANALYZE_EVENTS = "SELECT coalesce(sum(ran_at >= ?), 0) FROM stage_runs"


def run_watched(cmd: list[str], progress: Progress, total: int) -> tuple[int, float, float, float, str]:
    """Run ``cmd`` uninterrupted: (exit code, duration, seconds to its first write, seconds
    until ``progress()`` reached ``total`` — the corpus steps run after that, stderr)."""
    t = time.perf_counter()
    first = every = None
    with subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as child:
        while child.poll() is None:
            n = progress()
            if first is None and n > 0:
                first = time.perf_counter() - t
            if every is None and n >= total:
                every = time.perf_counter() - t
            time.sleep(0.05)
        err = child.stderr.read() if child.stderr else ""
    duration = time.perf_counter() - t
    return child.returncode, duration, first or duration, every or duration, err[-2000:]


def run_killed(cmd: list[str], progress: Progress, target: int, delay: float) -> bool:
    """Start ``cmd``; once ``progress()`` reaches ``target``, wait ``delay`` seconds and
    SIGKILL it. False when it finished first. Watching progress rather than the clock keeps
    the kills inside the run however busy the machine is."""
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while child.poll() is None and progress() < target:
        time.sleep(0.02)
    try:
        child.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        return True


def remove_store(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)


def copy_store(src: Path, dst: Path) -> None:
    remove_store(dst)
    for suffix in ("", "-wal", "-shm"):
        if Path(str(src) + suffix).exists():
            shutil.copyfile(str(src) + suffix, str(dst) + suffix)


def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    cols = con.execute(f"PRAGMA table_info({table})").fetchall()
    # (cid, name, type, notnull, default, pk): an INTEGER PRIMARY KEY is a rowid, not content
    return [c[1] for c in cols if c[1] not in VOLATILE and not (c[5] and c[2].upper() == "INTEGER" and
                                                                 sum(x[5] > 0 for x in cols) == 1)]


def fingerprint(db: Path) -> dict[str, str]:
    """Table → hash of its sorted rows (the compared columns)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        columns = {t: _columns(con, t) for t in COMPARED if t in tables}
        con.text_factory = bytes  # compare the stored bytes, whatever they are
        out = {}
        for table, cols in columns.items():
            rows = sorted(repr(r) for r in con.execute(f"SELECT {', '.join(cols)} FROM {table}"))
            out[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16] + f"/{len(rows)}"
        return out
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--docs", type=int, default=40, help="documents in the generated corpus (default: 40)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workdir", type=Path, default=None, help="default: a fresh folder under /tmp")
    ap.add_argument("--max-minutes", type=float, default=None, help="start no new trial after this long")
    ap.add_argument("--batch-size", type=int, default=4,
                    help="documents per transaction in the children (default 4: many commits)")
    args = ap.parse_args(argv)
    os.environ["STORYLINE_BATCH_SIZE"] = str(args.batch_size)  # ingest and analyze alike
    rng = random.Random(args.seed)
    work = args.workdir or Path(f"/tmp/storyline-soak-{os.getpid()}")
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    corpus = make_corpus(work / "corpus", args.docs, args.seed)
    started = time.perf_counter()

    ref_ingest, ref_analyze = work / "ref-ingest.db", work / "ref-analyze.db"
    run(ingest_args(corpus, work / "warm-up.db"))  # cold caches: not the reference
    ingest_total = 2 * args.docs
    rc, t_ingest, first_ingest, all_ingest, err = run_watched(
        ingest_args(corpus, ref_ingest), lambda: events(ref_ingest, INGEST_EVENTS), ingest_total)
    if rc != 0:
        sys.exit(f"reference ingest failed (exit {rc}):\n{err}")
    copy_store(ref_ingest, ref_analyze)
    analyze_total = events(ref_ingest, "SELECT count(*) FROM stage_runs")
    time.sleep(1.1)  # stage_runs.ran_at has a resolution of one second
    mark = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    rc, t_analyze, first_analyze, all_analyze, err = run_watched(
        storyline_cmd("analyze", "--force", "--db", str(ref_analyze)),
        lambda: events(ref_analyze, ANALYZE_EVENTS, (mark,)), analyze_total)
    if rc != 0:
        sys.exit(f"reference analyze failed (exit {rc}):\n{err}")
    fp_ingest, fp_analyze = fingerprint(ref_ingest), fingerprint(ref_analyze)
    same = [t for t in fp_ingest if fp_ingest[t] == fp_analyze.get(t)]
    print(f"corpus: {args.docs} documents; reference ingest {t_ingest:.1f} s (first write {first_ingest:.1f} s, "
          f"corpus steps from {all_ingest:.1f} s), analyze --force {t_analyze:.1f} s (first write "
          f"{first_analyze:.1f} s, corpus steps from {all_analyze:.1f} s); analyze --force reproduced "
          f"{len(same)}/{len(fp_ingest)} tables of the ingest", file=sys.stderr)
    for t in fp_ingest:
        if fp_ingest[t] != fp_analyze.get(t):
            print(f"  note: analyze --force changed {t}: {fp_ingest[t]} -> {fp_analyze.get(t)}",
                  file=sys.stderr)

    kills: Counter[str] = Counter()
    phases: Counter[tuple[str, str]] = Counter()
    integrity, diverging, finished_first = 0, 0, 0
    trial_db = work / "trial.db"
    done = 0
    for i in range(args.trials):
        if args.max_minutes and time.perf_counter() - started > args.max_minutes * 60:
            print(f"time budget of {args.max_minutes} min spent after {i} trials", file=sys.stderr)
            break
        done += 1
        kind = "ingest" if i % 2 == 0 else "analyze"
        if kind == "ingest":
            remove_store(trial_db)
            cmd, reference, total = ingest_args(corpus, trial_db), fp_ingest, ingest_total
            first, corpus_steps = first_ingest, t_ingest - all_ingest
            progress: Progress = lambda: events(trial_db, INGEST_EVENTS)  # noqa: E731
        else:
            copy_store(ref_ingest, trial_db)
            time.sleep(1.1)
            since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            cmd, reference, total = storyline_cmd("analyze", "--force", "--db", str(trial_db)), fp_analyze, \
                analyze_total
            first, corpus_steps = first_analyze, t_analyze - all_analyze
            progress = lambda: events(trial_db, ANALYZE_EVENTS, (since,))  # noqa: E731
        # where to kill: start-up 10 %, while stages commit 60 %, during the corpus steps 30 %
        aim = rng.choices(["start-up", "stages", "corpus steps"], weights=[1, 6, 3])[0]
        if aim == "start-up":
            target, delay = 0, rng.uniform(0, 0.9 * first)
        elif aim == "stages":
            target, delay = rng.randint(1, total), 0.0
        else:
            target, delay = total, rng.uniform(0, 0.9 * corpus_steps)
        if not run_killed(cmd, progress, target, delay):
            finished_first += 1
            where = "finished before the kill"
        else:
            kills[kind] += 1
            n = progress()
            where = "start-up" if n == 0 else "stages" if n < total else "corpus steps"
        phases[(kind, where)] += 1
        problems = ""
        if trial_db.exists():
            rc, _, err = run(storyline_cmd("check", "--db", str(trial_db)))
            if rc != 0:
                integrity += 1
                problems = f"check exit {rc}: {err.strip().splitlines()[-1] if err.strip() else ''}"
        rc, _, err = run(cmd)  # resume: the same command again
        if rc != 0:
            problems += f" resume exit {rc}: {err.strip().splitlines()[-1] if err.strip() else ''}"
        got = fingerprint(trial_db)
        differ = sorted(t for t in set(reference) | set(got) if reference.get(t) != got.get(t))
        if differ or rc != 0:
            diverging += 1
        status = "ok" if not (differ or problems) else f"DIFFERS in {', '.join(differ)} {problems}".strip()
        print(f"trial {i + 1:>3} {kind:<7} aimed at {aim:<12} killed in {where}: {status}", file=sys.stderr,
              flush=True)

    elapsed = time.perf_counter() - started
    print()
    print("| trials | kills during ingest | kills during analyze | finished before the kill "
          "| integrity failures | diverging results | time |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {done} | {kills['ingest']} | {kills['analyze']} | {finished_first} | {integrity} | {diverging} "
          f"| {elapsed / 60:.1f} min |")
    print()
    print("where the kills landed: " + "; ".join(f"{k} {w}: {n}" for (k, w), n in sorted(phases.items())))
    return 1 if integrity or diverging else 0


if __name__ == "__main__":
    sys.exit(main())
