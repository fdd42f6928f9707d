"""Web app latency under concurrent clients, on a store of ≥ 10,000 documents.

    python bench/app.py                        # build (or reuse) the store, then measure
    python bench/app.py --docs 2000 --seconds 20 --store /tmp/sl-bench-small

The store: synthetic news-like documents (wire-style sentences about armed groups, places,
numbers and dates, grouped into topics so that story clustering finds stories; some
documents copy paragraphs of others so that copy detection finds passages), ingested with
the cheap per-document stages only (clean, citations, times, quantities — no spaCy) and
every corpus step (copy detection, stories). It is cached at ``--store`` and reused by
later runs with the same ``--docs``.

The load: ``storyline.app.serve`` in a subprocess on 127.0.0.1 (a free port), then
``--clients`` threads, each with its own keep-alive httpx client, cycling through the
endpoints until ``--requests`` requests per endpoint are done or ``--seconds`` have
passed. The server computes the corpus-wide views at start-up (``serve`` warms them in a
thread); the bench waits for that (``/api/health`` says ``warm``) and prints how long it
took. First-request (cold) latency is reported apart: it still includes building what is
per page, such as a story's report. Goal: p95 < 200 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TypedDict

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[0] / "src"))

import httpx  # noqa: E402

STAGES = ["clean", "citations", "times", "quantities"]
PLACES = ["Raqqa", "Mosul", "Aleppo", "Deir ez-Zor", "Palmyra", "Manbij", "Tal Afar", "Kirkuk", "Idlib", "Homs",
          "al-Bab", "Tabqa", "Hama", "Fallujah", "Ramadi", "Tikrit", "Kobani", "Hasakah", "Qamishli", "Jarabulus"]
ACTORS = ["Islamic State militants", "the Syrian Democratic Forces", "Iraqi security forces", "Kurdish YPG fighters",
          "Syrian government troops", "Turkish-backed rebels", "coalition aircraft", "Shiite militias",
          "Free Syrian Army units", "Russian military police"]
VERBS = ["moved from {a} to {b}", "withdrew from {a} towards {b}", "arrived in {b} from {a}", "advanced on {b}",
         "evacuated families from {a}", "shelled positions near {b}", "deployed reinforcements to {b}",
         "fled {a} for {b}"]
OUTLETS = ["Reuters", "Associated Press", "Agence France-Presse", "Al Jazeera", "BBC News", "Voice of America",
           "ARA News", "Rudaw", "Anadolu Agency", "The Guardian", "Al-Monitor", "Kurdistan 24"]
SPEAKERS = ["a spokesman for the coalition", "local activists", "the Syrian Observatory for Human Rights",
            "a military official", "residents", "the interior ministry"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def _chain() -> dict[str, list[str]]:
    """An order-1 word Markov chain over the bundled sample articles: news-like vocabulary
    and rhythm, but word windows that rarely repeat (so copy detection sees only the copies
    made on purpose)."""
    import re

    import storyline

    chain: dict[str, list[str]] = {}
    for path in sorted(storyline.sample_corpus().glob("*.txt")):
        words = re.findall(r"[A-Za-z][A-Za-z'-]*|[0-9]+|[.,]", path.read_text(encoding="utf-8"))
        for a, b in zip(words, words[1:]):
            chain.setdefault(a, []).append(b)
    return chain


def _babble(rng: random.Random, chain: dict[str, list[str]], n: int, topic: list[str]) -> str:
    words = [rng.choice(topic)]
    while len(words) < n:
        nxt = chain.get(words[-1])
        w = rng.choice(nxt) if nxt and rng.random() > 0.12 else rng.choice(topic + list(chain)[:400])
        words.append(w)
    text = " ".join(words).replace(" .", ".").replace(" ,", ",")
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


class Topic(TypedDict):
    """What the documents of one synthetic story share."""

    a: str
    b: str
    actor: str
    year: int
    month: int
    verb: str
    words: list[str]


def synthetic_docs(n: int, seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    chain = _chain()
    topics: list[Topic] = []
    for _ in range(max(1, n // 25)):
        a, b = rng.sample(PLACES, 2)
        actor = rng.choice(ACTORS)
        topics.append({"a": a, "b": b, "actor": actor, "year": rng.choice([2015, 2016, 2017]),
                       "month": rng.randrange(12), "verb": rng.choice(VERBS),
                       "words": [a, b, *actor.split()[-2:], *rng.sample(list(chain), 6)]})
    paragraphs: list[str] = []
    docs = []
    for i in range(n):
        t = topics[rng.randrange(len(topics))]
        day = rng.randrange(1, 28)
        count = rng.choice([50, 90, 120, 300, 1500, 2000])
        lead = (f"{t['actor'].capitalize()} {t['verb'].format(a=t['a'], b=t['b'])} on {MONTHS[t['month']]} {day}, "
                f"{t['year']}, {rng.choice(SPEAKERS)} said. More than {count} fighters were involved.")
        body = [lead] + [_babble(rng, chain, rng.randrange(40, 90), t["words"]) for _ in range(rng.randrange(3, 6))]
        if paragraphs and rng.random() < 0.1:  # wire copy: a paragraph reused verbatim from an earlier report
            body.insert(2, rng.choice(paragraphs))
        paragraphs.append(body[1])
        outlet = rng.choice(OUTLETS)
        docs.append({
            "text": "\n\n".join(body),
            "title": f"{t['actor'].split(' ')[-1].capitalize()} {t['verb'].split(' ')[0]} as fighting near {t['b']} "
                     f"continues",
            "url": f"https://news.example/{outlet.lower().replace(' ', '-')}/{t['year']}/{i}",
            "published": f"{t['year']}-{t['month'] + 1:02d}-{day:02d}",
            "outlet": outlet,
        })
    return docs


def _replicate(db: Path, n: int) -> int:
    """Copy the ingested documents (rows, raw bytes, layers, stage runs) under new ids until
    the store holds ``n``: they are searchable, listed and viewable like the originals but
    take part in no story or copy detection (those ran on the originals only)."""
    import hashlib
    import sqlite3

    conn = sqlite3.connect(db, isolation_level=None)
    conn.row_factory = sqlite3.Row
    cols = [r[1] for r in conn.execute("PRAGMA table_info(documents)")]
    originals = conn.execute("SELECT * FROM documents WHERE superseded_by IS NULL ORDER BY rowid").fetchall()
    have = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    copy = 0
    conn.execute("BEGIN")
    while have < n:
        copy += 1
        for row in originals:
            if have >= n:
                break
            new = hashlib.sha256(f"{row['id']}/{copy}".encode()).hexdigest()[:16]
            conn.execute("INSERT INTO raw (id, data, size, sha256) SELECT ?, data, size, sha256 FROM raw WHERE id = ?",
                         (new, row["id"]))
            values = dict(row)
            values.update(id=new, url=f"{row['url']}?copy={copy}" if row["url"] else None,
                          title=f"{row['title']} ({copy})" if row["title"] else None,
                          text=f"Update {copy}. {row['text']}" if row["text"] else None)
            conn.execute(f"INSERT INTO documents ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                         [values[c] for c in cols])
            conn.execute("INSERT INTO layers (doc_id, slot, data) SELECT ?, slot, data FROM layers WHERE doc_id = ?",
                         (new, row["id"]))
            conn.execute("INSERT INTO stage_runs (doc_id, stage, version) SELECT ?, stage, version FROM stage_runs"
                         " WHERE doc_id = ?", (new, row["id"]))
            conn.execute("INSERT INTO sightings (doc_id, source_path, locator) VALUES (?, ?, ?)",
                         (new, row["source_path"], f"copy {copy} of {row['locator']}"))
            have += 1
    conn.execute("COMMIT")
    conn.close()
    return have


def build_store(folder: Path, n: int, ingested: int) -> tuple[Path, str]:
    import storyline
    from storyline.pipeline import Pipeline
    from storyline.store import Store

    folder.mkdir(parents=True, exist_ok=True)
    ingested = min(n, ingested)
    db = folder / f"app-{n}-{ingested}.db"
    done = folder / f"app-{n}-{ingested}.done"
    how = (f"{ingested} synthetic documents ingested with the cheap stages ({', '.join(STAGES)}) and every corpus "
           f"step (copy detection, stories)")
    if n > ingested:
        how += (f", then replicated by SQL to {n} documents (copies carry the same layers; not in stories or copy "
                f"detection)")
    if db.exists() and done.exists():
        print(f"store: reusing {db}", file=sys.stderr)
        return db, how
    for p in folder.glob(f"app-{n}-{ingested}.db*"):
        p.unlink()
    src = folder / f"synthetic-{ingested}.jsonl"
    with src.open("w", encoding="utf-8") as fh:
        for d in synthetic_docs(ingested):
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")
    t0 = time.perf_counter()
    print(f"store: ingesting {ingested} synthetic documents into {db} …", file=sys.stderr)
    with Store(db) as store:
        summary = storyline.ingest(store, [src], pipeline=Pipeline(STAGES), progress=False)
    t1 = time.perf_counter()
    total = _replicate(db, n)
    print(f"store: ingested in {t1 - t0:.0f} s ({summary.to_record()}), replicated to {total} documents in "
          f"{time.perf_counter() - t1:.0f} s", file=sys.stderr)
    done.write_text("ok\n")
    return db, how


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = min(len(xs) - 1, max(0, round(q * (len(xs) - 1))))
    return xs[k]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", default=str(Path(tempfile.gettempdir()) / "storyline-bench-app"),
                    help="folder for the cached store (default: TMP/storyline-bench-app)")
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--ingest", type=int, default=10000,
                    help="documents really ingested; the rest are SQL copies of them (default: all 10,000; the full ingest takes ~9 min here, cached under --store)")
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--requests", type=int, default=300, help="requests per endpoint (upper bound)")
    ap.add_argument("--seconds", type=float, default=60.0, help="time limit of the load phase")
    args = ap.parse_args()

    db, how = build_store(Path(args.store), args.docs, args.ingest)
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    n_docs = conn.execute("SELECT count(*) FROM documents WHERE superseded_by IS NULL AND status = 'ok'").fetchone()[0]
    n_pass = conn.execute("SELECT count(*) FROM copied_passages").fetchone()[0]
    story = conn.execute(
        "SELECT story_id, count(*) AS n FROM story_docs GROUP BY story_id ORDER BY n DESC LIMIT 1").fetchone()
    doc_id = conn.execute("SELECT copy_doc FROM copied_passages LIMIT 1").fetchone()
    n_stories = conn.execute("SELECT count(DISTINCT story_id) FROM story_docs").fetchone()[0]
    conn.close()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-c", "import sys; from storyline.app import serve; "
         "serve(sys.argv[1], host='127.0.0.1', port=int(sys.argv[2]), log_level='warning')", str(db), str(port)],
        cwd=str(HERE.parents[0]), env={**__import__("os").environ, "PYTHONPATH": str(HERE.parents[0] / "src")},
    )
    # Searches vary (distinct place pairs, common words at several offsets), so that no
    # cache in front of the index could make them look faster than they are.
    pairs = [f"{a} {b}".replace(" ", "+") for a in PLACES for b in PLACES if a != b]
    random.Random(3).shuffle(pairs)
    common = ["fighters", "Islamic", "said", "forces", "the", "Raqqa", "State", "civilians"]
    endpoints = {
        "story page": [f"/stories/{story[0]}" if story else "/report"],
        "search page": [f"/search?q={q}" for q in pairs],
        "search api": [f"/api/search?q={w}&offset={o}" for o in (0, 20, 40, 400) for w in common],
        "document page": [f"/docs/{doc_id[0]}" if doc_id else "/"],
        "overview": ["/"],
    }
    try:
        deadline = time.time() + 60
        while True:
            try:
                r = httpx.get(base + "/api/health", timeout=2)
                if r.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline or server.poll() is not None:
                raise SystemExit("server did not start")
            time.sleep(0.2)
        # serve() computes the corpus views in the background at start-up; measure after it
        t_warm = time.perf_counter()
        while not httpx.get(base + "/api/health", timeout=10).json().get("warm"):
            if time.perf_counter() - t_warm > 600 or server.poll() is not None:
                raise SystemExit("server did not finish warming up")
            time.sleep(0.5)
        print(f"warm-up (corpus views computed at start-up): {time.perf_counter() - t_warm:.1f} s after start")
        cold = {}
        with httpx.Client(base_url=base, timeout=300) as c:
            for name, paths in endpoints.items():
                path = paths[0]
                t = time.perf_counter()
                r = c.get(path)
                cold[name] = (time.perf_counter() - t) * 1000
                if r.status_code != 200:
                    raise SystemExit(f"{name} {path}: HTTP {r.status_code} {r.text[:300]}")
        lat: dict[str, list[float]] = {k: [] for k in endpoints}
        errors: dict[str, int] = {k: 0 for k in endpoints}
        lock = threading.Lock()
        budget = {k: args.requests for k in endpoints}
        stop_at = time.time() + args.seconds

        def worker(offset: int) -> None:
            names = list(endpoints)
            i = offset
            turn = {k: offset for k in endpoints}
            with httpx.Client(base_url=base, timeout=30) as c:
                while time.time() < stop_at:
                    name = names[i % len(names)]
                    i += 1
                    with lock:
                        if all(v <= 0 for v in budget.values()):
                            return
                        if budget[name] <= 0:
                            continue
                        budget[name] -= 1
                    paths = endpoints[name]
                    path = paths[turn[name] % len(paths)]
                    turn[name] += args.clients
                    t = time.perf_counter()
                    try:
                        ok = c.get(path).status_code == 200
                    except httpx.HTTPError:
                        ok = False
                    ms = (time.perf_counter() - t) * 1000
                    with lock:
                        lat[name].append(ms)
                        errors[name] += 0 if ok else 1

        t0 = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(args.clients)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t0
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()

    total = sum(len(v) for v in lat.values())
    print(f"\nstore: {n_docs} documents ({n_stories} stories, {n_pass} copied passages); {db}")
    print(f"built: {how}")
    print(f"load: {args.clients} concurrent clients, {total} requests in {wall:.1f} s = {total / wall:.0f} requests/s "
          f"(one uvicorn process on 127.0.0.1)\n")
    print(f"{'endpoint':<15} {'path (first of the rotation)':<42} {'n':>5} {'err':>4} {'cold ms':>8} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
    for name, paths in endpoints.items():
        xs = lat[name]
        path = paths[0] + (f" (+{len(paths) - 1})" if len(paths) > 1 else "")
        print(f"{name:<15} {path[:42]:<42} {len(xs):>5} {errors[name]:>4} {cold[name]:>8.0f} "
              f"{percentile(xs, 0.5):>7.1f} {percentile(xs, 0.95):>7.1f} {max(xs) if xs else float('nan'):>7.1f}")
    worst = max(percentile(v, 0.95) for v in lat.values() if v)
    print(f"\ngoal p95 < 200 ms: {'met' if worst < 200 else 'NOT met'} (worst p95 {worst:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
