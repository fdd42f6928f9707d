"""The long fuzz run over every reader and the clean stage, with a time budget.

    python bench/fuzz.py [--seconds 180] [--readers text,html,...] [--engine random|atheris] [--seed 1]

Each reader is fuzzed in its own child process for an equal share of ``--seconds`` (so each
peak memory figure is that reader's own), with the harness of
:mod:`storyline.ingest.fuzzing`: a hostile input next to a good document, ingested through
the clean stage into a store that lives for the run. The table gives, per reader, inputs
tried, crashes (an exception escaping ingest; goal 0), good documents lost (goal 0),
rejections without file or reason (goal 0), hostile files that vanished (goal 0), clean-stage
E201 rejections (a bug caught by the stage guard), the child's peak RSS, and the longest and
99th-percentile time one input took (ingest of the hostile file and the good one, cleaning
included; the longest includes one-off costs such as a library loading its data on first
use). The first failing inputs of a reader are written under ``--keep DIR``.

Engines: ``random`` (seeded mutations of valid seeds, reproducible) and ``atheris``
(coverage-guided: libFuzzer drives the choice of seed and mutations; needs ``pip install
atheris``). The short deterministic run is ``tests/test_fuzz_readers.py`` (Hypothesis).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storyline.ingest.fuzzing import Outcome

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import peak_rss_mb

COLUMNS = ("inputs", "crashes", "good_lost", "unnamed", "vanished", "e201")


class Tally:
    """Counts for one reader, written to ``out`` now and then (atheris may end the process)."""

    def __init__(self, out: Path, keep: Path | None, reader: str) -> None:
        self.out, self.keep, self.reader = out, keep, reader
        self.counts = dict.fromkeys(COLUMNS, 0)
        self.longest = 0.0
        self.times: list[float] = []
        self.examples: list[str] = []
        self.written = 0.0

    def add(self, outcome: Outcome, data: bytes, e201: int) -> None:
        c = self.counts
        c["inputs"] += 1
        c["crashes"] += outcome.crash is not None
        c["good_lost"] += outcome.good_lost
        c["unnamed"] += outcome.unnamed
        c["vanished"] += outcome.vanished
        c["e201"] += e201
        self.longest = max(self.longest, outcome.seconds)
        self.times.append(outcome.seconds)
        bad = outcome.crash or outcome.good_lost or outcome.unnamed or outcome.vanished or e201
        if bad and len(self.examples) < 5:
            last_line = (outcome.crash or "").strip().splitlines()[-1:]
            self.examples.append(last_line[0] if last_line else "no crash: see the kept input")
            if self.keep:
                self.keep.mkdir(parents=True, exist_ok=True)
                (self.keep / f"{self.reader}-{c['inputs']}.bin").write_bytes(data)
        if time.monotonic() - self.written > 0.5:
            self.write()

    def write(self) -> None:
        self.written = time.monotonic()
        times = sorted(self.times) or [0.0]
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        record = {
            **self.counts,
            "longest_s": self.longest,
            "p99_s": p99,
            "peak_rss_mb": peak_rss_mb(),
            "examples": self.examples,
        }
        self.out.write_text(json.dumps(record))


def child(args: argparse.Namespace) -> None:
    from storyline.ingest.fuzzing import HOSTILE, KINDS, READERS, Harness, Op, mutate

    reader = READERS[args.child]
    work = Path(tempfile.mkdtemp(prefix=f"fuzz-{reader.name}-"))
    harness = Harness(reader, work)
    tally = Tally(Path(args.out), Path(args.keep) if args.keep else None, reader.name)

    def one(seed: bytes, ops: list[Op]) -> None:
        data = mutate(reader, seed, ops)
        before = harness.store.conn.execute("SELECT count(*) FROM rejections WHERE code = 'E201'").fetchone()[
            0
        ]
        outcome = harness.run(data)
        after = harness.store.conn.execute("SELECT count(*) FROM rejections WHERE code = 'E201'").fetchone()[
            0
        ]
        tally.add(outcome, data, max(0, after - before))

    if args.engine == "atheris":
        import atheris

        started: list[float] = []

        def test_one_input(data: bytes) -> None:
            if not started:  # the budget counts fuzzing, not atheris instrumenting every module
                started.append(time.monotonic())
            fdp = atheris.FuzzedDataProvider(data)
            seed = reader.seeds[fdp.ConsumeIntInRange(0, len(reader.seeds) - 1)]
            ops = [
                Op(
                    KINDS[fdp.ConsumeIntInRange(0, len(KINDS) - 1)],
                    fdp.ConsumeProbability(),
                    fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 8)),
                    fdp.ConsumeIntInRange(0, len(HOSTILE) - 1),
                )
                for _ in range(fdp.ConsumeIntInRange(0, 4))
            ]
            one(seed, ops)
            if time.monotonic() > started[0] + args.seconds:
                tally.write()
                os._exit(0)  # libFuzzer's own time limit counts its start-up too

        atheris.instrument_all()
        atheris.Setup([sys.argv[0], "-rss_limit_mb=4096", f"-seed={args.seed}"], test_one_input)
        atheris.Fuzz()
        return
    rng = random.Random(f"{args.seed}-{reader.name}")
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        ops = [
            Op(rng.choice(KINDS), rng.random(), rng.randbytes(rng.randint(0, 8)), rng.randrange(len(HOSTILE)))
            for _ in range(rng.randint(0, 4))
        ]
        one(rng.choice(reader.seeds), ops)
    tally.write()
    harness.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--seconds", type=float, default=180, help="total time budget (split between readers)"
    )
    parser.add_argument("--readers", help="comma-separated readers (default: all)")
    parser.add_argument("--engine", choices=["random", "atheris"], default="random")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", metavar="DIR", help="write failing inputs here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    from storyline.ingest.fuzzing import READERS

    names = args.readers.split(",") if args.readers else list(READERS)
    share = args.seconds / len(names)
    print(f"engine {args.engine}, {share:.0f} s per reader, seed {args.seed}")
    header = (
        f"{'reader':<11} {'inputs':>7} {'crashes':>7} {'good lost':>9} {'unnamed':>7} {'vanished':>8} "
        f"{'E201':>5} {'peak RSS MB':>11} {'longest s':>9} {'p99 s':>6}"
    )
    print(header)
    total = dict.fromkeys(COLUMNS, 0)
    for name in names:
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
            out = Path(fh.name)
        cmd = [
            sys.executable,
            __file__,
            "--child",
            name,
            "--seconds",
            str(share),
            "--engine",
            args.engine,
            "--seed",
            str(args.seed),
            "--out",
            str(out),
        ] + (["--keep", args.keep] if args.keep else [])
        proc = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=share + 600)
        try:
            r = json.loads(out.read_text())
        except (OSError, ValueError):
            print(f"{name:<11} child failed (exit {proc.returncode}): {proc.stderr[-500:]}")
            continue
        finally:
            out.unlink(missing_ok=True)
        for k in COLUMNS:
            total[k] += r[k]
        print(
            f"{name:<11} {r['inputs']:>7} {r['crashes']:>7} {r['good_lost']:>9} {r['unnamed']:>7} "
            f"{r['vanished']:>8} {r['e201']:>5} {r['peak_rss_mb']:>11.0f} {r['longest_s']:>9.2f} "
            f"{r['p99_s']:>6.2f}",
            flush=True,
        )
        for example in r["examples"]:
            print(f"    {example[:150]}")
    print(
        f"{'total':<11} {total['inputs']:>7} {total['crashes']:>7} {total['good_lost']:>9} "
        f"{total['unnamed']:>7} {total['vanished']:>8} {total['e201']:>5}"
    )


if __name__ == "__main__":
    main()
