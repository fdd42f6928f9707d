"""Situation-report benchmark: build + render time for a story of N documents.

The story is generated from the five sample articles, varied by substitution (places,
numbers, people, outlets, dates) and paragraph shuffling, with one in five documents
pasting paragraphs of an earlier one (so copy detection, provenance and independence
counting have work to do). It is ingested into a temporary store with the real pipeline
(spaCy: about 1–2 minutes for 200 documents), then ``build_report`` and each renderer are
timed separately.

    .venv/bin/python bench/report.py            # 200 documents
    .venv/bin/python bench/report.py --docs 50 --keep /tmp/report-bench
    .venv/bin/python bench/report.py --keep /tmp/report-bench --profile 30   # + cProfile of one build

``--keep`` reuses the store built there before (no second ingest); a store written by a newer
schema than this checkout's cannot be read: delete the folder to rebuild it. The per-step
rows are the corpus layers ``build_report`` calls, timed alone (best of ``--repeat`` each);
"report's own work" is ``build_report`` less their sum.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _measure import peak_rss_mb

import storyline
from storyline.report import build_report, render_html, render_json, render_markdown
from storyline.store import Store

PLACES = ["Raqqa", "Mosul", "Deir ez-Zor", "Palmyra", "Hasakah", "Aleppo", "Idlib", "Tikrit", "Fallujah", "Ramadi",
          "Kirkuk", "Manbij", "Tal Afar", "al-Bukamal", "Qamishli"]
PEOPLE = ["Hussam Eesa", "Mustafa Abdi", "Jeff Davis", "Qassim Shesho", "Ahmed Hamwi", "Khalid al-Obeidi",
          "Abu Abdullah", "Sarah Miller", "Omar Haddad", "Layla Hassan", "John Carter", "Rami Saleh"]
OUTLETS = [("Reuters", "reuters.com"), ("Associated Press", "apnews.com"), ("BBC News", "bbc.co.uk"),
           ("Al Jazeera", "aljazeera.com"), ("Rudaw", "rudaw.net"), ("ARA News", "aranews.net"),
           ("Breitbart News", "breitbart.com"), ("Voice of America", "voanews.com"),
           ("The Guardian", "theguardian.com"), ("Agence France-Presse", "afp.com"),
           ("Kurdistan24", "kurdistan24.net"), ("Middle East Eye", "middleeasteye.net"),
           ("conservativefiringline.com", "conservativefiringline.com"), ("Asharq Al-Awsat", "aawsat.com")]


def _vary(text: str, rng: random.Random) -> str:
    place_map = {p: rng.choice(PLACES) for p in PLACES if rng.random() < 0.5}
    person_map = {p: rng.choice(PEOPLE) for p in PEOPLE if rng.random() < 0.5}
    for a, b in {**place_map, **person_map}.items():
        text = re.sub(rf"\b{re.escape(a)}\b", b, text)
    text = re.sub(r"\b(\d{2,3})\b", lambda m: str(max(2, int(int(m.group(1)) * rng.uniform(0.6, 1.6)))), text)
    paras = [p for p in text.split("\n\n") if p.strip()]
    head, body = paras[:1], paras[1:]
    rng.shuffle(body)
    return "\n\n".join(head + body[: max(3, int(len(body) * rng.uniform(0.6, 1.0)))]) + "\n"


def make_story(out: Path, n: int, seed: int = 11) -> Path:
    rng = random.Random(seed)
    seeds = sorted(p for p in storyline.sample_corpus().glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in seeds]
    made: list[str] = []
    lines = []
    for i in range(n):
        if made and rng.random() < 0.2:  # a copy: paste paragraphs of an earlier document
            src = rng.choice(made)
            paras = [p for p in src.split("\n\n") if len(p) > 200]
            extra = _vary(rng.choice(texts), rng).split("\n\n")[:3]
            text = "\n\n".join(extra[:1] + ["As reported;"] + paras[: max(2, len(paras) // 2)] + extra[1:]) + "\n"
        else:
            text = _vary(texts[i % len(texts)], rng)
        made.append(text)
        outlet, domain = rng.choice(OUTLETS)
        day = f"2017-{rng.randint(1, 3):02d}-{rng.randint(1, 28):02d}"
        name = f"doc{i:04d}.txt"
        (out / name).write_text(text, encoding="utf-8")
        title = text.split("\n", 1)[0][:120]
        lines.append({"file": name, "url": f"https://www.{domain}/{day.replace('-', '/')}/story-{i}/",
                      "title": title, "outlet": outlet})
    meta = out / "sources.jsonl"
    meta.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return meta


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--keep", help="folder to keep the generated corpus and store in (reused when present)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs of build and render (best is shown)")
    ap.add_argument("--profile", type=int, default=0, metavar="N",
                    help="also cProfile one build_report and print its N top functions (cumulative)")
    args = ap.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="report-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / f"story-{args.docs}.db"
    try:
        if not db.exists():
            corpus = work / f"corpus-{args.docs}"
            corpus.mkdir(exist_ok=True)
            meta = make_story(corpus, args.docs)
            t = time.perf_counter()
            with Store(db) as s:
                summary = storyline.ingest(s, [corpus], meta=meta, progress=False)
            print(f"ingest: {summary.ingested} documents, {summary.rejected} rejected,"
                  f" {time.perf_counter() - t:.1f} s (not part of the report timing)", file=sys.stderr)
        rows = []
        with Store(db, readonly=True) as s:
            build_report(s)  # warm: imports, lexicons, gazetteer caches
            best: dict[str, float] = {}
            for _ in range(args.repeat):
                t = time.perf_counter()
                report = build_report(s, title="Benchmark story")
                best["build_report"] = min(best.get("build_report", 1e9), time.perf_counter() - t)
                for name, fn in (("render_html", render_html), ("render_markdown", render_markdown),
                                 ("render_json", render_json)):
                    t = time.perf_counter()
                    out = fn(report)
                    best[name] = min(best.get(name, 1e9), time.perf_counter() - t)
                    best[name + ":size"] = len(out.encode("utf-8"))
            rec = report.to_record()
            # where build_report's time goes: the corpus layers it calls, then its own work
            from storyline.corpus.persist import claim_report, event_list, provenance_graph

            def step(name: str, fn):  # noqa: ANN001, ANN202
                t = time.perf_counter()
                out = fn()
                best[name] = min(best.get(name, 1e9), time.perf_counter() - t)
                return out

            for _ in range(args.repeat):
                docs = step("  read documents", lambda: list(s.iter_docs(status=["ok"])))
                step("  provenance_graph", lambda: provenance_graph(s, docs))
                ids = [d.id for d in docs]
                claims = step("  claim_report", lambda: claim_report(s, ids))  # noqa: B023
                step("  event_list", lambda: event_list(s, ids, claims=claims))  # noqa: B023
            best["  report's own work"] = max(0.0, best["build_report"] - sum(
                best[k] for k in ("  read documents", "  provenance_graph", "  claim_report", "  event_list")))
            if args.profile:
                import cProfile
                import pstats

                prof = cProfile.Profile()
                prof.runcall(build_report, s, title="Benchmark story")
                pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(args.profile)
        for name in ("build_report", "  read documents", "  provenance_graph", "  claim_report", "  event_list",
                     "  report's own work", "render_html", "render_markdown", "render_json"):
            size = best.get(name + ":size")
            rows.append((name, f"{best[name]:.2f}", f"{size / 1e6:.2f}" if size else ""))
        print(f"\nreport of {rec['counts']['documents']} documents: {rec['counts']['events']} events,"
              f" {rec['counts']['claims']} claims, {rec['counts']['findings']} findings,"
              f" {len(rec['summary'])} summary sentences, {len(rec['timeline']['items'])} timeline items,"
              f" {rec['counts']['copy_groups']} copy groups")
        print(f"{'step':<18}{'seconds (best of ' + str(args.repeat) + ')':>26}{'output MB':>12}")
        for name, sec, mb in rows:
            print(f"{name:<18}{sec:>26}{mb:>12}")
        print(f"peak RSS {peak_rss_mb():.0f} MB")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
