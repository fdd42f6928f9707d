"""Claim-matching benchmark: precision/recall on labelled claim pairs, and matching time,
peak memory and pairwise precision/recall on up to 100,000 synthetic claims.

    python bench/claims.py                     # labelled pairs + 100,000 synthetic claims
    python bench/claims.py --size 10000        # a quick run
    python bench/claims.py --labelled-only --entities   # pairs, with the annotation layer

**Labelled pairs** (``tests/fixtures/claims/pairs_labelled.jsonl``, labelled by reading: *same claim* = the same
proposition, whoever says it). 86 PolNeAR content-span pairs from different articles,
sampled across lexical-score bins (so the set is rich in borderline pairs; PolNeAR contents
that are bare noun phrases — "Republican front-runner Donald Trump" as the object of
"criticized" — were left out: they are not claims), and 32 pairs from the sample corpus
and hand-written news-style paraphrases of its claims (aliases, reordering, hard negatives
about the same places). ``--entities`` ingests the texts into a temporary store so the
score also sees entity keys and gazetteer ids (slow: spaCy over ~150 articles).

**Synthetic claims**: real sentences (8–60 words) from PolNeAR and TempEval-3 texts from
``--data`` (default ``../shared/datasets``); each is the base of a planted group of 1–6
claims: the sentence and variants made by synonym substitution (p = 0.5 per listed word),
dropping 0–2 content words, swapping the clauses around a comma, wrapping in an attribution
("According to officials, …", "…, a source said"). A quarter of the groups also get a
*near miss*: the sentence with a number changed or two content words replaced by words of
another sentence, which belongs to no group (a different claim). Pairwise precision/recall
compares the pairs inside predicted clusters with the planted pairs. Sentences repeated
across the real articles (wire copies) are de-duplicated first, but near-duplicates remain
and count against precision.

Time and peak RSS (VmHWM) are measured in this process for features, candidates
(chunked sparse ``X @ X.T``), scoring and clustering.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

from _measure import peak_rss_mb, real_texts

from storyline.corpus.claims import (
    ClaimFeatures,
    ClaimInput,
    MatchSettings,
    candidate_pairs,
    claim_features,
    cluster,
    lexical_score,
    score_pairs,
    tokens,
)
from storyline.types import Span

THRESHOLDS = (0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7)
DEFAULT = MatchSettings().threshold

# The 118 pairs labelled earlier (86 PolNeAR, 32 sample corpus), with their PolNeAR offsets:
# tests/fixtures/claims/pairs_labelled.jsonl (loaded by labelled_texts).
LABELLED = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "claims" / "pairs_labelled.jsonl"


def _words_only(text: str, doc_id: str = "") -> ClaimFeatures:
    toks = tokens(text)
    return ClaimFeatures(
        words=frozenset(toks),
        entities=frozenset(),
        text=" ".join(toks),
        speaker=None,
        denied=False,
        doc_id=doc_id,
    )


def _pr(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


# ------------------------------------------------------------------------------- labelled pairs


def _sample_texts() -> dict[int, str]:
    import storyline

    out = {}
    for f in sorted(Path(storyline.sample_corpus()).glob("*.txt")):
        out[int(f.name[:3])] = " ".join(f.read_text(encoding="utf-8").replace("\xa0", " ").split(" "))
    return out


def labelled_texts(data: Path) -> list[tuple[str, str, str, str, bool, str]]:
    """(text a, text b, key a, key b, same, origin) for every labelled pair; PolNeAR texts are
    checked against the articles under ``data``, sample texts against the sample corpus."""
    import json

    out = []
    samples = _sample_texts()
    for line in LABELLED.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        keys = []
        for side in (r["a"], r["b"]):
            src = side["source"]
            if src.startswith("polnear/"):
                _, split, name = src.split("/")
                text = (data / "polnear" / split / "text" / f"{name}.txt").read_text(encoding="utf-8")
                if text[side["start"] : side["end"]] != side["text"]:
                    raise SystemExit(f"labelled text not at {src} [{side['start']}:{side['end']}]")
                keys.append(name)
            elif src.startswith("sample/"):
                n = int(src.split("/")[1])
                if side["text"] not in samples[n]:
                    raise SystemExit(f"labelled text not in sample {n:03d}: {side['text'][:60]}")
                keys.append(f"s{n}")
            else:
                keys.append("sNone")
        out.append((r["a"]["text"], r["b"]["text"], keys[0], keys[1], bool(r["same"]), r["origin"]))
    return out


def _annotated_features(
    pairs: list[tuple[str, str, str, str, bool, str]], data: Path
) -> dict[str, ClaimFeatures]:
    """Features with the annotation layer: ingest the articles (and each paraphrase as a
    short article) into a temporary store and find every claim text in the cleaned text."""
    import storyline

    tmp = Path(tempfile.mkdtemp(prefix="claims-bench-"))
    (tmp / "in").mkdir()
    wanted: dict[str, str] = {}
    for ta, tb, ka, kb, _, origin in pairs:
        for t, k in ((ta, ka), (tb, kb)):
            if origin == "polnear":
                for split in ("train", "dev"):
                    f = data / "polnear" / split / "text" / f"{k}.txt"
                    if f.exists():
                        (tmp / "in" / f"{k}.txt").write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
            elif k == "sNone":
                name = f"para{len(wanted):03d}"
                (tmp / "in" / f"{name}.txt").write_text(f"Report\n\n{t}\n", encoding="utf-8")
            wanted[t] = t
    try:
        with storyline.open_store(tmp / "s.db") as store:
            storyline.ingest(store, [storyline.sample_corpus(), tmp / "in"], progress=False)
            docs = list(store.iter_docs())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out: dict[str, ClaimFeatures] = {}
    for t in wanted:
        probe = t.strip().strip('“”"').strip()
        for d in docs:
            i = (d.text or "").find(probe)
            if i >= 0:
                ci = ClaimInput(d.id, Span(d.id, i, i + len(probe), probe))
                out[t] = claim_features(ci, d)
                break
    return out


def labelled_eval(data: Path, entities: bool) -> None:
    pairs = labelled_texts(data)
    feats: dict[str, ClaimFeatures] = {}
    if entities:
        t0 = time.perf_counter()
        feats = _annotated_features(pairs, data)
        print(
            f"(annotation layer: {len(feats)} of {2 * len(pairs)} texts found, {time.perf_counter() - t0:.0f} s)"
        )
    scored: list[tuple[float, float, bool, str]] = []  # words, annotated, same, origin
    for ta, tb, ka, kb, same, origin in pairs:
        words = lexical_score(_words_only(ta, "a"), _words_only(tb, "b"))
        if ta in feats and tb in feats:
            fa, fb = feats[ta], feats[tb]
            fa.doc_id, fb.doc_id = "a", "b"
            ann = lexical_score(fa, fb)
        else:
            ann = words
        scored.append((words, ann, same, origin))
    n_pos = sum(s[2] for s in scored)
    print(
        f"\nLabelled claim pairs: {len(scored)} ({n_pos} same claim), "
        f"PolNeAR {sum(s[3] == 'polnear' for s in scored)}, sample corpus {sum(s[3] == 'sample' for s in scored)}"
    )
    cols = ["words"] + (["words+entities+places"] if entities else [])
    print(f"{'scorer':<24}{'threshold':>10}{'P':>7}{'R':>7}{'F1':>7}   P/R PolNeAR    P/R sample")
    for ci, name in enumerate(cols):
        for t in THRESHOLDS:
            row = []
            for part in (None, "polnear", "sample"):
                sel = [(s[1] if ci else s[0], s[2]) for s in scored if part is None or s[3] == part]
                tp = sum(1 for v, same in sel if v >= t and same)
                fp = sum(1 for v, same in sel if v >= t and not same)
                fn = sum(1 for v, same in sel if v < t and same)
                row.append(_pr(tp, fp, fn))
            (p, r, f), (pp, rp, _), (ps, rs, _) = row
            print(
                f"{name:<24}{t:>10.2f}{p:>7.2f}{r:>7.2f}{f:>7.2f}   {pp:.2f}/{rp:.2f}     {ps:.2f}/{rs:.2f}"
            )
    print("sentence embeddings and the tune/held-out split: python bench/claims.py --pairs")
    missed = [(s, ta, tb) for s, (ta, tb, *_rest) in zip(scored, pairs) if s[2] and max(s[0], s[1]) < 0.5]
    for s, ta, tb in missed:
        print(f"  missed at 0.5 ({max(s[0], s[1]):.2f}): {ta[:70]!r} / {tb[:70]!r}")
    false = [(s, ta, tb) for s, (ta, tb, *_rest) in zip(scored, pairs) if not s[2] and max(s[0], s[1]) >= 0.5]
    for s, ta, tb in false:
        print(f"  false at 0.5 ({max(s[0], s[1]):.2f}): {ta[:70]!r} / {tb[:70]!r}")


# ------------------------------------------------------------------------------- synthetic claims

_SENT = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’']))\s+(?=[\"“A-Z])")
SYNONYMS: dict[str, list[str]] = {
    "said": ["stated", "told reporters", "declared"],
    "says": ["states", "claims"],
    "killed": ["slain", "left dead"],
    "people": ["persons", "individuals"],
    "big": ["large", "major"],
    "large": ["big", "sizeable"],
    "announced": ["declared", "unveiled"],
    "president": ["leader", "head of state"],
    "officials": ["authorities"],
    "official": ["spokesman", "representative"],
    "government": ["administration", "authorities"],
    "attack": ["assault", "strike"],
    "attacks": ["assaults", "strikes"],
    "city": ["town"],
    "country": ["nation"],
    "police": ["officers", "authorities"],
    "soldiers": ["troops"],
    "troops": ["soldiers", "forces"],
    "fighters": ["militants", "combatants"],
    "militants": ["fighters", "insurgents"],
    "plan": ["proposal"],
    "proposal": ["plan"],
    "support": ["back"],
    "supports": ["backs"],
    "supported": ["backed"],
    "criticized": ["attacked", "slammed"],
    "campaign": ["bid"],
    "election": ["vote", "poll"],
    "voters": ["the electorate", "constituents"],
    "candidate": ["contender", "hopeful"],
    "candidates": ["contenders", "hopefuls"],
    "percent": ["per cent"],
    "week": ["seven days"],
    "meeting": ["talks", "session"],
    "talks": ["negotiations"],
    "agreement": ["deal", "accord"],
    "deal": ["agreement"],
    "increase": ["rise", "growth"],
    "decrease": ["fall", "decline"],
    "rose": ["climbed", "grew"],
    "fell": ["dropped", "declined"],
    "buy": ["purchase", "acquire"],
    "bought": ["purchased", "acquired"],
    "company": ["firm", "group"],
    "firm": ["company"],
    "shares": ["stock"],
    "market": ["markets"],
    "prices": ["costs"],
    "price": ["cost"],
    "help": ["assist", "aid"],
    "helped": ["assisted"],
    "began": ["started"],
    "begin": ["start"],
    "started": ["began", "launched"],
    "ended": ["finished", "concluded"],
    "called": ["urged"],
    "warned": ["cautioned"],
    "wants": ["seeks", "hopes"],
    "want": ["seek"],
    "need": ["require"],
    "important": ["key", "crucial"],
    "major": ["big", "significant"],
    "new": ["fresh", "latest"],
    "leaders": ["chiefs", "heads"],
    "leader": ["chief", "head"],
    "nearly": ["almost", "close to"],
    "about": ["around", "roughly"],
    "more than": ["over"],
    "because": ["as", "since"],
    "however": ["but"],
    "also": ["too"],
    "many": ["numerous", "a lot of"],
    "several": ["a number of", "various"],
    "now": ["currently"],
    "quickly": ["rapidly", "swiftly"],
    "died": ["perished", "were killed"],
    "injured": ["wounded", "hurt"],
    "arrested": ["detained", "held"],
    "fled": ["escaped", "ran away"],
    "left": ["departed"],
    "moved": ["relocated"],
    "building": ["structure"],
    "home": ["house"],
    "children": ["kids", "minors"],
    "women": ["females"],
    "money": ["funds", "cash"],
    "law": ["legislation", "statute"],
    "bill": ["legislation", "measure"],
    "vote": ["ballot"],
    "won": ["secured", "clinched"],
    "win": ["secure", "clinch"],
    "lost": ["was defeated in"],
}
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "and",
        "or",
        "but",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "by",
        "with",
        "from",
        "that",
        "this",
        "it",
        "as",
    ]
)
WRAPS_PRE = ["According to officials, ", "Sources say ", "It was reported that ", "Officials confirmed that "]
WRAPS_POST = [", a source said", ", officials said", ", according to reports", ", the report said"]


def load_sentences(data: Path, limit: int) -> list[str]:
    texts = real_texts(data)
    seen: set[str] = set()
    out: list[str] = []
    for t in texts:
        for para in t.split("\n"):
            for s in _SENT.split(para.strip()):
                s = " ".join(s.split())
                n = len(s.split())
                if not 8 <= n <= 60:
                    continue
                key = " ".join(sorted(set(tokens(s))))
                if key in seen:
                    continue
                seen.add(key)
                out.append(s)
                if len(out) >= limit:
                    return out
    return out


def _variant(s: str, rng: random.Random) -> str:
    text = s
    for phrase, alts in SYNONYMS.items():
        if " " in phrase and phrase in text and rng.random() < 0.5:
            text = text.replace(phrase, rng.choice(alts), 1)
    words = text.split()
    out = []
    drops = rng.randint(0, 2)
    content = [i for i, w in enumerate(words) if w.lower().strip(',.;:"“”') not in _STOPWORDS]
    dropped = set(rng.sample(content, min(drops, max(0, len(content) - 6))))
    for i, w in enumerate(words):
        if i in dropped:
            continue
        core = w.strip(",.;:\"“”'’").lower()
        if core in SYNONYMS and rng.random() < 0.5:
            rep = rng.choice(SYNONYMS[core])
            w = w.replace(w.strip(",.;:\"“”'’"), rep if not w[:1].isupper() else rep[:1].upper() + rep[1:], 1)
        out.append(w)
    text = " ".join(out)
    if ", " in text and rng.random() < 0.4:
        a, b = text.split(", ", 1)
        b = b.rstrip(".")
        text = f"{b[:1].upper()}{b[1:]}, {a[:1].lower()}{a[1:]}."
    r = rng.random()
    if r < 0.15:
        text = rng.choice(WRAPS_PRE) + text[:1].lower() + text[1:]
    elif r < 0.3:
        text = text.rstrip(".") + rng.choice(WRAPS_POST) + "."
    return text


def _near_miss(s: str, other: str, rng: random.Random) -> str:
    nums = re.findall(r"\b\d[\d,]*\b", s)
    if nums and rng.random() < 0.6:
        n = rng.choice(nums)
        try:
            v = int(n.replace(",", ""))
        except ValueError:
            v = 7
        return s.replace(n, f"{v * 3 + 11:,}", 1)
    words = s.split()
    repl = [w for w in other.split() if w.lower() not in _STOPWORDS and len(w) > 3]
    idx = [i for i, w in enumerate(words) if w.lower() not in _STOPWORDS and len(w) > 3]
    for i in rng.sample(idx, min(2, len(idx))):
        if repl:
            words[i] = rng.choice(repl)
    return " ".join(words)


def synthetic_claims(data: Path, size: int, seed: int = 5) -> tuple[list[str], list[int]]:
    """Claim texts and their planted group (-1: a near miss, in no group)."""
    rng = random.Random(seed)
    bases = load_sentences(data, size)
    rng.shuffle(bases)
    texts: list[str] = []
    groups: list[int] = []
    g = 0
    k = 0
    while len(texts) < size and k < len(bases):
        base = bases[k]
        k += 1
        n = rng.choice([1, 2, 2, 3, 3, 4, 4, 6])
        texts.append(base)
        groups.append(g)
        for _ in range(n - 1):
            texts.append(_variant(base, rng))
            groups.append(g)
        if rng.random() < 0.25:
            texts.append(_near_miss(base, bases[rng.randrange(len(bases))], rng))
            groups.append(-1)
        g += 1
    return texts[:size], groups[:size]


def _pairs_in(labels: list[int]) -> Counter[int]:
    return Counter(x for x in labels if x >= 0)


def pairwise(
    pred: list[list[int]], gold: list[int], skip_near_misses: bool = False
) -> tuple[float, float, float]:
    def c2(n: int) -> int:
        return n * (n - 1) // 2

    if skip_near_misses:
        pred = [[i for i in c if gold[i] >= 0] for c in pred]

    gold_pairs = sum(c2(v) for v in _pairs_in(gold).values())
    pred_pairs = sum(c2(len(c)) for c in pred)
    tp = 0
    for c in pred:
        cnt = Counter(gold[i] for i in c if gold[i] >= 0)
        tp += sum(c2(v) for v in cnt.values())
    return _pr(tp, pred_pairs - tp, gold_pairs - tp)


def synthetic_bench(data: Path, size: int) -> None:
    t0 = time.perf_counter()
    texts, gold = synthetic_claims(data, size)
    t_gen = time.perf_counter() - t0
    rss0 = peak_rss_mb()
    t0 = time.perf_counter()
    feats = []
    for i, text in enumerate(texts):
        doc = SimpleNamespace(
            id=f"d{i}",
            text=text,
            meta=None,
            entities=[],
            places=[],
            quantities=[],
            times=[],
            sentences=[(0, len(text))],
        )
        feats.append(claim_features(ClaimInput(f"d{i}", Span(f"d{i}", 0, len(text), text)), doc))
    t_feat = time.perf_counter() - t0
    st = MatchSettings(threshold=min(THRESHOLDS))
    # candidates stream in chunks and are scored at once (as match_claims does): only the
    # pairs at or above the lowest threshold are kept
    t_cand = t_score = 0.0
    n_cand = 0
    edges: list[tuple[int, int, float]] = []
    it = candidate_pairs(feats, st)
    while True:
        t0 = time.perf_counter()
        chunk = next(it, None)
        t_cand += time.perf_counter() - t0
        if chunk is None:
            break
        n_cand += len(chunk[0])
        t0 = time.perf_counter()
        edges.extend(score_pairs(feats, [chunk], st))
        t_score += time.perf_counter() - t0
    print(
        f"\nSynthetic claims: {len(texts):,} ({len({x for x in gold if x >= 0}):,} planted groups,"
        f" {sum(1 for x in gold if x < 0):,} near misses); generated in {t_gen:.1f} s"
    )
    print(
        f"features {t_feat:.1f} s | candidates {t_cand:.1f} s ({n_cand:,} pairs) | scoring {t_score:.1f} s"
        f" ({len(edges):,} pairs >= {st.threshold}) | peak RSS {peak_rss_mb():,.0f} MB (before matching {rss0:,.0f} MB)"
    )
    print("pairwise precision/recall of the planted groups (average linkage)")
    print(
        f"{'threshold':>10}{'P':>7}{'R':>7}{'F1':>7}{'P w/o near misses':>19}{'near misses merged':>20}"
        f"{'cluster s':>11}"
    )
    rss_default = 0.0
    for t in sorted(THRESHOLDS, key=lambda x: x != DEFAULT):  # the default first: its peak RSS
        t0 = time.perf_counter()
        clusters = cluster(
            len(feats), edges, MatchSettings(threshold=t), lambda i, j: lexical_score(feats[i], feats[j])
        )
        t_cl = time.perf_counter() - t0
        p, r, f = pairwise(clusters, gold)
        nm = sum(1 for c in clusters if len(c) > 1 for i in c if gold[i] < 0)
        p2 = pairwise(clusters, gold, skip_near_misses=True)[0]
        print(f"{t:>10.2f}{p:>7.3f}{r:>7.3f}{f:>7.3f}{p2:>19.3f}{nm:>20,}{t_cl:>11.2f}")
        rss_default = rss_default or peak_rss_mb()
    total = t_feat + t_cand + t_score
    print(
        f"total matching time (features + candidates + scoring): {total:.1f} s"
        f" = {len(texts) / total:,.0f} claims/s; peak RSS {rss_default:,.0f} MB through clustering at the"
        f" default threshold {DEFAULT} ({peak_rss_mb():,.0f} MB after all thresholds: average linkage at 0.3"
        " scores many cross pairs)"
    )


# ------------------------------------------------------------------------------- pairs: tune / held-out

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "claims"
LEX_GRID = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
SEM_GRID = (0.54, 0.58, 0.62, 0.66, 0.7)
WEIGHT_GRID = (0.0, 0.25, 0.5)


def _pr_line(name: str, pairs, pred) -> str:  # type: ignore[no-untyped-def]
    from storyline.corpus.claims_eval import precision_recall

    parts = []
    for origin in (None, "real", "older"):
        sel = [
            (p, y)
            for p, y in zip(pairs, pred)
            if origin is None or (p.origin == "real") == (origin == "real")
        ]
        pp, rr = precision_recall([p for p, _ in sel], [y for _, y in sel])
        parts.append(f"{pp:.2f}/{rr:.2f}")
    return f"{name:<44}" + "".join(f"{x:>13}" for x in parts)


def pairs_bench() -> None:
    """Tune on the tune split only, then report both splits (claims_eval's docstring)."""
    from storyline.corpus.claim_scorer import FittedScorer
    from storyline.corpus.claims import EmbeddingScorer, LexicalScorer
    from storyline.corpus.claims_eval import evaluate, load_pairs, precision_recall
    from storyline.corpus.embeddings import available

    pairs = load_pairs([FIXTURES / "pairs_real.jsonl", FIXTURES / "pairs_labelled.jsonl"])
    tune = [p for p in pairs if p.split == "tune"]
    held = [p for p in pairs if p.split == "held-out"]
    print(
        f"\nLabelled pairs: {len(pairs)} ({sum(p.same for p in pairs)} same); tune {len(tune)}"
        f" ({sum(p.same for p in tune)} same), held-out {len(held)} ({sum(p.same for p in held)} same)"
    )
    header = f"{'scorer':<44}{'P/R all':>13}{'P/R real':>13}{'P/R 118':>13}"

    def pick(rows):  # type: ignore[no-untyped-def]
        """Highest recall at precision >= 0.85 on tune, else the best F1."""
        ok = [r for r in rows if r[1][0] >= 0.85]
        if ok:
            return max(ok, key=lambda r: (r[1][1], r[1][0]))
        return max(rows, key=lambda r: 2 * r[1][0] * r[1][1] / max(1e-9, r[1][0] + r[1][1]))

    print("\ntune split (choosing values):\n" + header)
    lex_rows = []
    for t in LEX_GRID:
        pred = evaluate(tune, MatchSettings(threshold=t), LexicalScorer())
        lex_rows.append((t, precision_recall(tune, pred)))
        print(_pr_line(f"lexical, threshold {t}", tune, pred))
    lex_t = pick(lex_rows)[0]
    emb = None
    if available():
        emb_rows = []
        shared = EmbeddingScorer()  # one encoder (and its cache) for the whole grid
        for w in WEIGHT_GRID:
            for s in SEM_GRID:
                sc = EmbeddingScorer(shared.encoder, semantic_same=s, lexical_weight=w)
                pred = evaluate(tune, MatchSettings(), sc)
                emb_rows.append(((s, w), precision_recall(tune, pred)))
                print(_pr_line(f"embedding, same at {s}, lexical weight {w}", tune, pred))
        emb = pick(emb_rows)[0]
    else:
        print("(embeddings: extra not installed, `pip install -e .[embeddings]`)")
    fitted = [("fitted, lexical features", FittedScorer())]
    if emb is not None:
        fitted.append(("fitted, with cosine", FittedScorer(shared.encoder)))
    for name, scorer in fitted:  # fitted on tune by scripts/fit_claim_pairs.py
        print(_pr_line(name, tune, evaluate(tune, MatchSettings(), scorer)))
    print(f"\nheld-out split (chosen on tune: lexical {lex_t}; embedding {emb}):\n" + header)
    print(
        _pr_line(
            f"lexical, threshold {lex_t}",
            held,
            evaluate(held, MatchSettings(threshold=lex_t), LexicalScorer()),
        )
    )
    if lex_t != 0.5:
        print(_pr_line("lexical, default 0.5", held, evaluate(held, MatchSettings(), LexicalScorer())))
    if emb is not None:
        sc = EmbeddingScorer(shared.encoder, semantic_same=emb[0], lexical_weight=emb[1])
        print(
            _pr_line(
                f"embedding, same at {emb[0]}, weight {emb[1]}", held, evaluate(held, MatchSettings(), sc)
            )
        )
    for name, scorer in fitted:
        print(_pr_line(name, held, evaluate(held, MatchSettings(), scorer)))
    cost_per_claim(pairs, with_embeddings=emb is not None)


def cost_per_claim(pairs, with_embeddings: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Matching every labelled claim text as one corpus (each text its own document), every
    scorer in the same run; the embedding figures include encoding (model already loaded)."""
    from storyline.corpus.claim_scorer import FittedScorer
    from storyline.corpus.claims import EmbeddingScorer, LexicalScorer, PairScorer, match_claims
    from storyline.corpus.claims_eval import pair_features
    from storyline.corpus.embeddings import Encoder, load_model

    texts = list(dict.fromkeys(t for p in pairs for t in (p.a, p.b)))
    scorers: list[tuple[str, Callable[[], PairScorer]]] = [
        ("lexical", LexicalScorer), ("fitted, lexical features", FittedScorer)
    ]
    if with_embeddings:
        load_model()
        scorers += [
            ("embedding blend", lambda: EmbeddingScorer(Encoder())),
            ("fitted, with cosine", lambda: FittedScorer(Encoder())),
        ]
    for name, make in scorers:
        t0 = time.perf_counter()
        feats = [pair_features(t, f"d{k}") for k, t in enumerate(texts)]
        clusters, _ = match_claims(feats, MatchSettings(), make())
        dt = time.perf_counter() - t0
        print(
            f"cost per claim, {name}: {1000 * dt / len(texts):.1f} ms ({len(texts)} claims, {dt:.1f} s,"
            f" {len(texts) - len(clusters)} merges)"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "datasets")
    ap.add_argument("--size", type=int, default=100_000, help="synthetic claims (default 100,000)")
    ap.add_argument("--labelled-only", action="store_true", help="only the labelled pairs")
    ap.add_argument("--synthetic-only", action="store_true", help="only the synthetic claims")
    ap.add_argument(
        "--entities", action="store_true", help="labelled pairs also with the annotation layer (slow)"
    )
    ap.add_argument(
        "--pairs", action="store_true", help="only the pair fixtures: tune/held-out, lexical vs embeddings"
    )
    args = ap.parse_args(argv)
    if args.pairs:
        pairs_bench()
        return 0
    if not (args.data / "polnear").is_dir():
        print(f"skipped: no PolNeAR data under {args.data}", file=sys.stderr)
        return 0
    if not args.synthetic_only:
        labelled_eval(args.data, args.entities)
    if not args.labelled_only:
        synthetic_bench(args.data, args.size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
