"""Ingest + clean throughput and peak memory on a generated corpus.

    python bench/ingest.py [--sizes 2000,20000] [--kinds text,html] [--workdir DIR]

For each kind (plain text, HTML pages) and size, a corpus is generated once (seeded, so
runs are comparable), then ingested into a fresh store by a child process on one core
(`storyline ingest`, one worker); the table shows documents per second and the child's peak
RSS. Mode ``clean`` reads and cleans only (issue #2's goals: text ≥ 300 docs/s, HTML ≥ 25
docs/s, peak RSS flat in corpus size); mode ``full`` is a default ``storyline ingest``
(every stage and corpus step).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

WORDS = (
    "the a convoy of vehicles fighters militants families arrived town city border crossing officials said "
    "reported according to sources local activists army forces coalition offensive displaced civilians "
    "airstrikes village province governorate road north south east west on Monday Tuesday Wednesday "
    "Thursday Friday Saturday Sunday last week dozens hundreds at least more than about commander spokesman "
    "told reporters statement group control territory checkpoint withdrew advanced clashes killed wounded"
).split()
PLACES = ["Raqqa", "Mosul", "Aleppo", "Deir ez-Zor", "Hasakah", "Manbij", "Tal Afar", "Kirkuk", "Idlib", "Homs"]
BOILER_TOP = ["{place} – ", "{PLACE}, Syria — ", ""]
BOILER_BOTTOM = [
    "Reporting by: Jane Doe | Source: Example News",
    "Leave a Reply",
    "Your email address will not be published. Required fields are marked *",
    "seventeen − two =",
    "For the latest news, follow us on Twitter :",
]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(12, 30))]
    words.insert(rng.randint(0, len(words)), rng.choice(PLACES))
    s = " ".join(words)
    return s[0].upper() + s[1:] + "."


def _article(rng: random.Random, i: int) -> tuple[str, list[str]]:
    place = rng.choice(PLACES)
    title = f"Report {i}: {_sentence(rng)[:70].rstrip('.')}"
    paras = [" ".join(_sentence(rng) for _ in range(rng.randint(2, 4))) for _ in range(rng.randint(5, 9))]
    paras[0] = rng.choice(BOILER_TOP).format(place=place, PLACE=place.upper()) + paras[0]
    return title, paras


def make_text(path: Path, rng: random.Random, i: int) -> None:
    title, paras = _article(rng, i)
    path.write_text(title + "\n\n" + "\n\n".join(paras) + "\n\n" + "\n\n".join(BOILER_BOTTOM) + "\n")


def make_html(path: Path, rng: random.Random, i: int) -> None:
    title, paras = _article(rng, i)
    nav = "".join(f'<li><a href="/s/{w}">{w.title()}</a></li>' for w in rng.sample(WORDS, 25))
    side = "".join(f"<li><a href='/a/{n}'>{_sentence(rng)[:60]}</a></li>" for n in range(12))
    body = "".join(f"<p>{p}</p>" for p in paras)
    path.write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title} | Example News</title>"
        f"<meta property='article:published_time' content='2017-03-{i % 28 + 1:02d}T08:00:00Z'>"
        f"<script>var tracking = {{id: {i}}};</script><style>body{{font:14px sans-serif}}</style></head>"
        f"<body><header><nav><ul>{nav}</ul></nav><div class='cookie'>We use cookies. Accept all</div></header>"
        f"<main><article><h1>{title}</h1><p class='byline'>By Jane Doe</p>{body}</article>"
        f"<aside><h3>Most read</h3><ul>{side}</ul></aside>"
        f"<section class='comments'><h3>Leave a Reply</h3><form><textarea></textarea></form></section></main>"
        f"<footer><p>© 2017 Example News. All rights reserved.</p></footer></body></html>"
    )


def generate(kind: str, n: int, root: Path) -> Path:
    folder = root / f"{kind}-{n}"
    marker = folder / ".complete"
    if marker.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    rng = random.Random(f"{kind}-{n}")
    make = make_text if kind == "text" else make_html
    for i in range(n):
        sub = folder / f"{i // 1000:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        make(sub / f"{i:06d}.{'txt' if kind == 'text' else 'html'}", rng, i)
    marker.touch()
    return folder


# The child reports its own peak RSS (VmHWM): getrusage/wait4 would fold in the parent's
# memory at fork time, which Linux carries across exec.
_CHILD = (
    "import sys; from storyline.cli import main; rc = main(sys.argv[1:]); "
    "peak = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0]; "
    "print('peak_kib', peak, file=sys.stderr); sys.exit(rc)"
)


MODES = {
    # issue #2's goal: reading and cleaning only
    "clean": ["--stages", "clean", "--no-corpus"],
    # everything `storyline ingest` does by default (all stages and corpus steps)
    "full": [],
}


def run(folder: Path, db: Path, mode: str) -> tuple[float, int, str]:
    """Ingest ``folder`` in a child process; (seconds, the child's peak RSS in KiB, summary)."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    env = dict(os.environ, STORYLINE_WORKERS="1")
    cmd = [sys.executable, "-c", _CHILD, "ingest", str(folder), "--db", str(db), "--no-progress", *MODES[mode]]
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    lines = proc.stderr.strip().splitlines()
    if proc.returncode not in (0, 1):
        raise SystemExit("\n".join(lines[-20:]))
    peak = next(int(line.split()[1]) for line in lines if line.startswith("peak_kib"))
    summary = next((line for line in lines if line.startswith("storyline ingest:")), "")
    return elapsed, peak, summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="2000,20000")
    ap.add_argument("--kinds", default="text,html")
    ap.add_argument("--modes", default="clean", help="clean (ingest + clean only), full (every stage and corpus step)")
    ap.add_argument("--workdir", default=str(Path(__file__).resolve().parent / "out"))
    args = ap.parse_args()
    root = Path(args.workdir)
    root.mkdir(parents=True, exist_ok=True)
    goals = {"text": 300, "html": 25}
    rows = []
    for mode in args.modes.split(","):
        for kind in args.kinds.split(","):
            for n in sorted(int(s) for s in args.sizes.split(",")):
                folder = generate(kind, n, root)
                elapsed, peak_kib, last = run(folder, root / f"{kind}-{n}.db", mode)
                rate = n / elapsed
                rows.append((mode, kind, n, elapsed, rate, peak_kib / 1024, goals[kind] if mode == "clean" else None))
                print(f"  {mode} {kind} {n}: {last}", file=sys.stderr)
    print(f"\n{'mode':<6} {'input':<6} {'docs':>7} {'seconds':>8} {'docs/s':>8} {'goal':>6} {'peak RSS MB':>12}")
    for mode, kind, n, elapsed, rate, peak, goal in rows:
        goal_text = f"≥{goal}" if goal else "-"
        print(f"{mode:<6} {kind:<6} {n:>7} {elapsed:>8.1f} {rate:>8.0f} {goal_text:>6} {peak:>12.0f}")
    print(f"\n(one process, one core: {os.cpu_count()} cores on this machine; python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
