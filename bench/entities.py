"""Stored entities, places and times: listing time before (resolved from every document on
each read) and after (read from the stored corpus layer), and the cost of keeping it.

    python bench/entities.py STORE.db [--sizes 300,1000] [--add 50] [--workdir DIR]

``STORE.db`` is a store made by ``storyline ingest`` (every stage run; ``bench/replicate.py``
can grow one). For each size N, a copy holding its first N documents (store order; the rest
deleted from the copy) is timed:

* ``before``: a fresh process that does what ``storyline entities|places|times --json`` did
  before the stored layer: read every current document and run
  ``storyline.corpus.annotations.entity_records`` / ``place_records`` / ``time_records``,
  printing one JSON line per record;
* ``after``: ``storyline entities|places|times --json`` (a fresh process, reading the stored
  layer), output checked equal to ``before``'s;
* ``update``: ``rebuild_entities`` over all N documents (per document), and the
  incremental cost of the last ``--add`` documents arriving on a store holding the others
  (``update_entities``, per added document) and of their leaving (``forget``).

Times are CPU seconds (user + system; the listings' include the interpreter's start, about
0.3 s): on a shared machine wall time measures the neighbours.
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

BEFORE = """
import json, sys
from storyline.store import Store
from storyline.corpus import annotations as a
with Store(sys.argv[1], readonly=True) as s:
    docs = list(s.iter_docs(status=["ok"]))
fn = {"entities": a.entity_records, "places": a.place_records, "times": a.time_records}[sys.argv[2]]
for r in fn(docs):
    sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\\n")
"""


def truncate(src: Path, dst: Path, n: int) -> int:
    """A copy of ``src`` holding its first ``n`` documents (by rowid); returns how many."""
    with sqlite3.connect(f"file:{src}?mode=ro", uri=True) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    c = sqlite3.connect(dst)
    cut = c.execute("SELECT rowid FROM documents ORDER BY rowid LIMIT 1 OFFSET ?", (n,)).fetchone()
    if cut is not None:
        gone = "SELECT id FROM documents WHERE rowid >= ?"
        for table, col in (("layers", "doc_id"), ("stage_runs", "doc_id"), ("sightings", "doc_id"),
                           ("corpus_indexed", "doc_id")):
            c.execute(f"DELETE FROM {table} WHERE {col} IN ({gone})", (cut[0],))  # noqa: S608
        c.execute("DELETE FROM documents WHERE rowid >= ?", (cut[0],))
        c.commit()
    count = int(c.execute("SELECT count(*) FROM documents").fetchone()[0])
    c.close()
    return count


def timed(cmd: list[str]) -> tuple[float, bytes]:
    """CPU seconds (user + system) of a child process running ``cmd``, and its output: on a
    shared machine the wall time says more about the neighbours than about the command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, check=True, capture_output=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), out


def measure(db: Path, add: int) -> dict[str, float]:
    from storyline.corpus.entity_store import rebuild_entities, update_entities
    from storyline.store import Store

    row: dict[str, float] = {}
    with Store(db) as store:
        n = store.conn.execute("SELECT count(*) FROM documents WHERE status = 'ok'").fetchone()[0]
        t = time.process_time()
        rebuild_entities(store)
        row["rebuild_s_per_doc"] = (time.process_time() - t) / max(1, n)
        last = [r[0] for r in store.conn.execute(
            "SELECT id FROM documents WHERE status = 'ok' ORDER BY rowid DESC LIMIT ?", (add,))]
        marks = [(d,) for d in last]
        with store.transaction():
            store.conn.executemany("UPDATE documents SET status = 'pending' WHERE id = ?", marks)
        t = time.process_time()
        update_entities(store)
        row["forget_s_per_doc"] = (time.process_time() - t) / max(1, len(last))
        with store.transaction():
            store.conn.executemany("UPDATE documents SET status = 'ok' WHERE id = ?", marks)
        t = time.process_time()
        update_entities(store)
        row["add_s_per_doc"] = (time.process_time() - t) / max(1, len(last))
        row["docs"] = n
        row["mentions"] = store.conn.execute("SELECT count(*) FROM entity_mentions").fetchone()[0]
    for what in ("entities", "places", "times"):
        before, out_b = timed([sys.executable, "-c", BEFORE, str(db), what])
        after, out_a = timed([sys.executable, "-m", "storyline.cli", what, "--db", str(db), "--json"])
        if out_a != out_b:
            raise SystemExit(f"{what}: stored listing differs from the batch one on {db}")
        row[f"{what}_before_s"], row[f"{what}_after_s"] = before, after
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store", type=Path)
    ap.add_argument("--sizes", default="300,1000")
    ap.add_argument("--add", type=int, default=50)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/storyline-bench-entities"))
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        db = args.workdir / f"entities-{size}.db"
        truncate(args.store, db, size)
        rows.append(measure(db, args.add))
    print("CPU seconds (user + system), each listing a fresh process printing --json; update costs in-process")
    print("| docs | mentions | entities before → after (s) | places before → after (s) | times before → after (s)"
          " | rebuild /doc | add /doc | forget /doc |")
    print("|---:|---:|---|---|---|---:|---:|---:|")
    for r in rows:
        print(f"| {r['docs']:.0f} | {r['mentions']:.0f} | {r['entities_before_s']:.2f} → {r['entities_after_s']:.2f}"
              f" | {r['places_before_s']:.2f} → {r['places_after_s']:.2f} | {r['times_before_s']:.2f} →"
              f" {r['times_after_s']:.2f} | {r['rebuild_s_per_doc'] * 1000:.1f} ms | {r['add_s_per_doc'] * 1000:.1f} ms"
              f" | {r['forget_s_per_doc'] * 1000:.1f} ms |")


if __name__ == "__main__":
    main()
