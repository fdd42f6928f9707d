"""Copy-detection benchmark: passage precision/recall, index and query time, incremental
add cost, peak memory — on a generated corpus built from real news text.

    python bench/reuse.py                      # 100,000 documents (several minutes)
    python bench/reuse.py --docs 10000         # a quick run
    python bench/reuse.py --grid --docs 2000   # the min_words × threshold trade-off table

Corpus: a word-bigram model is trained on real news text (PolNeAR train+dev, TempEval-3,
ECB+ from ``--data``, default ``../shared/datasets``) and samples every background document
(so texts have real vocabulary and stock phrases but no accidental long shared passages);
then ``--copy-rate`` of the documents receive a planted passage from another document:
10–160 words, sentence-aligned, of four kinds in equal shares — exact; light edits (1 word
in 25 substituted, 2–5 words trimmed); heavy edits (1 in 12 substituted, a typo, a trim);
reordered (two or more paragraphs pasted in swapped order, light edits). A third of the
pastes are glued onto the end of an existing paragraph (containment), the rest are paragraphs
of their own. Sources are dated before their copies in half the pairs, and a quarter of the
copies introduce the paste with "According to <source outlet>:".

Negatives are appended to the texts: a real quote of 8–18 words plus "an official said"
(15 % of documents), a comment form (10 %), and footers of 25–45 words each shared by 8
documents (the boilerplate guard must drop them).

A planted passage (one paragraph of a paste) counts as found when a reported passage between
the two documents covers ≥ 50 % of it in the copy and overlaps it in the source; a reported
passage is correct when it overlaps a planted one in both documents. The run is incremental:
documents go through :func:`find_reuse_incremental` in chunks of 1,000 against one
:class:`MemoryIndex` (passages later found to be boilerplate are withdrawn, and passages on
the pages of a site template found later are discounted, as the store would; every outlet
has ~10 pages here, so site templates are possible: see ``bench/templates.py`` for real
ones), and the time of the chunk that reaches 10k documents is compared with the last
chunk's (goal: the add cost does not grow with the corpus). The corpus is generated once and
cached in ``--workdir``; the measured run is a fresh child process, so its peak RSS is the
detector's plus the corpus texts it holds for look-ups.
"""

from __future__ import annotations

import argparse
import pickle
import random
import re
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from _measure import peak_rss_mb, real_texts

from storyline.corpus.reuse import MemoryIndex, PassageIndex, find_reuse, find_reuse_incremental
from storyline.types import CopiedPassage, DocMeta

BUCKETS = [(10, 19), (20, 39), (40, 79), (80, 10_000)]
_TOK = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z0-9]+)*|[.,;:!?]")


# ------------------------------------------------------------------------------- text model


def load_texts(data: Path) -> list[str]:
    return real_texts(data, ecbplus=True)


@dataclass
class Bigram:
    vocab: list[str]
    offsets: np.ndarray
    succ: np.ndarray
    starts: np.ndarray  # word ids that begin sentences
    content: np.ndarray  # word ids usable as substitutes

    @classmethod
    def train(cls, texts: list[str]) -> Bigram:
        ids: dict[str, int] = {}
        seqs = []
        for t in texts:
            seqs.append([ids.setdefault(w, len(ids)) for w in _TOK.findall(t)])
        vocab = list(ids)
        pairs = np.array([(a, b) for s in seqs for a, b in zip(s, s[1:])], dtype=np.int64)
        order = np.argsort(pairs[:, 0], kind="stable")
        pairs = pairs[order]
        counts = np.bincount(pairs[:, 0], minlength=len(vocab))
        offsets = np.concatenate([[0], np.cumsum(counts)])
        dot = ids.get(".", 0)
        starts = pairs[pairs[:, 0] == dot][:, 1]
        starts = starts[[vocab[i][0].isupper() for i in starts]]
        content = np.array([i for i, w in enumerate(vocab) if w.isalpha() and len(w) > 3], dtype=np.int64)
        return cls(vocab, offsets, pairs[:, 1].copy(), starts, content)

    def sample(self, rng: np.random.Generator, n_docs: int, length: int) -> np.ndarray:
        """``n_docs`` word-id sequences of ``length`` words, sampled in parallel."""
        out = np.empty((n_docs, length), dtype=np.int64)
        state = rng.choice(self.starts, n_docs)
        for t in range(length):
            out[:, t] = state
            lo, hi = self.offsets[state], self.offsets[state + 1]
            dead = hi == lo
            nxt = self.succ[np.minimum(lo + (rng.random(n_docs) * (hi - lo)).astype(np.int64), len(self.succ) - 1)]
            state = np.where(dead, rng.choice(self.starts, n_docs), nxt)
        return out


def _detok(words: list[str]) -> str:
    s = " ".join(words)
    return re.sub(r" ([.,;:!?])", r"\1", s)


def _paragraphs(model: Bigram, ids: np.ndarray, rng: random.Random) -> list[list[str]]:
    """Word ids → paragraphs (lists of sentence strings)."""
    vocab = model.vocab
    sents: list[str] = []
    cur: list[str] = []
    for i in ids.tolist():
        w = vocab[i]
        if not cur and not w[0].isalnum():
            continue
        cur.append(w)
        if w in ".!?" or len(cur) >= 45:
            if w not in ".!?":
                cur.append(".")
            if len(cur) >= 5:
                cur[0] = cur[0][:1].upper() + cur[0][1:]
                sents.append(_detok(cur))
            cur = []
    paras: list[list[str]] = []
    i = 0
    while i < len(sents):
        n = rng.randint(1, 4)
        paras.append(sents[i : i + n])
        i += n
    return paras


# ------------------------------------------------------------------------------- corpus


@dataclass
class Planted:
    source: str
    copy: str
    kind: str
    pieces: list[tuple[tuple[int, int], tuple[int, int], int]] = field(default_factory=list)  # src, copy, words


@dataclass
class Corpus:
    docs: list[tuple[str, str, DocMeta]]
    planted: list[Planted]
    body_end: dict[str, int] = field(default_factory=dict)  # where the appended negatives start


def _edit(words: list[str], rate: float, trim: bool, typo: bool, rng: random.Random, model: Bigram) -> list[str]:
    out = list(words)
    for i in range(len(out)):
        if rate and rng.random() < rate and out[i][0].isalpha():
            out[i] = model.vocab[int(rng.choice(model.content))]
    if trim and len(out) > 12:
        k = rng.randint(2, 5)
        i = rng.randint(1, len(out) - k - 2)
        del out[i : i + k]
    if typo:
        cand = [i for i, w in enumerate(out) if len(w) > 4]
        if cand:
            i = rng.choice(cand)
            w = out[i]
            out[i] = w[:1] + w[2] + w[1] + w[3:]
    return out


COMMENT_FORM = "Leave a Reply\n\nYour email address will not be published. Required fields are marked *"


def quote_pool(texts: list[str], n: int, rng: random.Random) -> list[str]:
    """Real sentences of 8–18 words: quotes that unrelated reports share."""
    sents = [s.strip() for t in texts for s in re.split(r"(?<=[.!?])\s+", t)]
    sents = [s.rstrip(".") for s in sents if 8 <= len(s.split()) <= 18 and "\n" not in s and '"' not in s]
    return rng.sample(sents, min(n, len(sents)))


def build_corpus(model: Bigram, n_docs: int, copy_rate: float, seed: int, quotes: list[str]) -> Corpus:
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    paras: list[list[list[str]]] = []
    chunk = 5000
    for c0 in range(0, n_docs, chunk):
        n = min(chunk, n_docs - c0)
        for row in model.sample(nrng, n, rng.randint(250, 650)):
            paras.append(_paragraphs(model, row, rng))
    ids = [f"d{i:06d}" for i in range(n_docs)]
    metas = [
        DocMeta(url=f"https://www.outlet{i % 997}daily.com/{i}", outlet=f"Outlet{i % 997} Daily") for i in range(n_docs)
    ]
    perm = list(range(n_docs))
    rng.shuffle(perm)
    n_copies = int(n_docs * copy_rate)
    plans = []
    kinds = ["exact", "light", "heavy", "reorder"]
    for q in range(n_copies):
        s, c = perm[2 * q], perm[2 * q + 1]
        kind = kinds[q % 4]
        lo, hi = BUCKETS[rng.randrange(4)]
        target = rng.randint(lo, min(hi, 160))
        if kind == "reorder":
            target = max(target, 40)
        # sentences from a random start until ≥ target words, across paragraph ends
        sp = paras[s]
        pi = rng.randrange(len(sp))
        si = rng.randrange(len(sp[pi]))
        pieces: list[tuple[int, int, int]] = []  # (paragraph, first sentence, end sentence)
        words = 0
        while pi < len(sp) and words < target:
            start = si
            while si < len(sp[pi]) and words < target:
                words += len(sp[pi][si].split())
                si += 1
            pieces.append((pi, start, si))
            pi, si = pi + 1, 0
        plans.append((s, c, kind, pieces))
    # texts with offsets
    planted: list[Planted] = []
    copies_into: dict[int, tuple] = {}
    for s, c, kind, pieces in plans:
        copies_into[c] = (s, kind, pieces)
    src_offsets: dict[int, dict[tuple[int, int], tuple[int, int]]] = {}
    texts: list[str | None] = [None] * n_docs

    def render(doc: int) -> tuple[str, dict[tuple[int, int], tuple[int, int]]]:
        """Text of an uncopied document, with the char span of every sentence."""
        out, offs, pos = [], {}, 0
        for p, sents in enumerate(paras[doc]):
            line_parts: list[str] = []
            for k, sent in enumerate(sents):
                if line_parts:
                    pos += 1
                offs[(p, k)] = (pos, pos + len(sent))
                line_parts.append(sent)
                pos += len(sent)
            out.append(" ".join(line_parts))
            pos += 2
        return "\n\n".join(out), offs

    for d in range(n_docs):
        if d not in copies_into:
            texts[d], src_offsets[d] = render(d)
    for c, (s, kind, pieces) in copies_into.items():
        p = Planted(ids[s], ids[c], kind)
        stext = texts[s]
        assert stext is not None, "a source is never a copy"
        blocks = []
        for pi, a, b in pieces:
            s0 = src_offsets[s][(pi, a)][0]
            s1 = src_offsets[s][(pi, b - 1)][1]
            w = stext[s0:s1].split()
            if kind == "light" or kind == "reorder":
                w = _edit(w, 1 / 25, rng.random() < 0.5, False, rng, model)
            elif kind == "heavy":
                w = _edit(w, 1 / 12, True, True, rng, model)
            blocks.append(((s0, s1), " ".join(w), len(stext[s0:s1].split())))
        if kind == "reorder" and len(blocks) >= 2:
            blocks = blocks[::-1]
        cparas = [" ".join(x) for x in paras[c]]
        at = rng.randint(1, max(1, len(cparas) - 1))
        glue = rng.random() < 1 / 3 and at > 0
        intro = rng.random() < 0.25
        outlet = metas[s].outlet
        pieces_out = []
        new_paras = cparas[:at]
        for n, (src_span, body, nw) in enumerate(blocks):
            if n == 0 and intro:
                new_paras.append(f"According to {outlet}:")
            if n == 0 and glue and new_paras:
                new_paras[-1] = new_paras[-1] + " " + body
            else:
                new_paras.append(body)
            pieces_out.append((src_span, body, nw, len(new_paras) - 1))
        new_paras += cparas[at:]
        text = "\n\n".join(new_paras)
        para_starts = []
        pos = 0
        for para in new_paras:
            para_starts.append(pos)
            pos += len(para) + 2
        for src_span, body, nw, pidx in pieces_out:
            off = new_paras[pidx].rfind(body)
            cs = para_starts[pidx] + off
            p.pieces.append((src_span, (cs, cs + len(body)), nw))
        texts[c] = text
        if rng.random() < 0.5:
            metas[s].published, metas[s].published_precision = "2017-03-01", "day"
            metas[c].published, metas[c].published_precision = "2017-03-05", "day"
        planted.append(p)
    # Negatives appended after the body (planted offsets stay valid): a short quote shared by
    # unrelated reports (15 % of documents, 8–18 words), a comment form (10 %), and
    # footers of 25–45 words without furniture words, each shared by 8 random documents.
    body_end = {}
    tails: list[list[str]] = [[] for _ in range(n_docs)]
    for i in range(n_docs):
        if rng.random() < 0.15:
            tails[i].append(f"“{rng.choice(quotes)},” an official said.")
        if rng.random() < 0.10:
            tails[i].append(COMMENT_FORM)
    n_groups = max(1, int(n_docs * 0.03 / 8))
    footers = model.sample(nrng, n_groups, 80)
    for g in range(n_groups):
        text = " ".join(" ".join(p) for p in _paragraphs(model, footers[g], rng))
        text = " ".join(text.split()[: rng.randint(25, 45)]) + "."
        for i in rng.sample(range(n_docs), 8):
            tails[i].append(text)
    for i in range(n_docs):
        body_end[ids[i]] = len(texts[i] or "")
        if tails[i]:
            texts[i] = (texts[i] or "") + "\n\n" + "\n\n".join(tails[i])
    docs = [(ids[i], texts[i] or "", metas[i]) for i in range(n_docs)]
    return Corpus(docs, planted, body_end)


# ------------------------------------------------------------------------------- scoring


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def score(corpus: Corpus, found: list[CopiedPassage], min_words: int) -> dict:
    by_pair: dict[frozenset, list[CopiedPassage]] = defaultdict(list)
    for cp in found:
        by_pair[frozenset((cp.source.doc, cp.copy.doc))].append(cp)
    planted_pairs = {frozenset((p.source, p.copy)): p for p in corpus.planted}
    recall = {b: [0, 0] for b in BUCKETS}
    direction = {"right": 0, "wrong": 0, "unknown": 0}
    for p in corpus.planted:
        cps = by_pair.get(frozenset((p.source, p.copy)), [])
        for src, cpy, nw in p.pieces:
            bucket = next(b for b in BUCKETS if b[0] <= nw <= b[1]) if nw >= 10 else None
            if bucket is None:
                continue
            hit = None
            for cp in cps:
                s_span = (cp.source.start, cp.source.end) if cp.source.doc == p.source else (cp.copy.start, cp.copy.end)
                c_span = (cp.copy.start, cp.copy.end) if cp.copy.doc == p.copy else (cp.source.start, cp.source.end)
                if _overlap(c_span, cpy) >= 0.5 * (cpy[1] - cpy[0]) and _overlap(s_span, src) > 0:
                    hit = cp
                    break
            recall[bucket][1] += 1
            if hit is not None:
                recall[bucket][0] += 1
                if hit.direction == "unknown":
                    direction["unknown"] += 1
                else:
                    direction["right" if hit.source.doc == p.source else "wrong"] += 1
    tp = fp = fp_neg = 0
    for pair, cps in by_pair.items():
        planted = planted_pairs.get(pair)
        for cp in cps:
            ok = False
            if planted is not None:
                for src, cpy, _ in planted.pieces:
                    s_span = (cp.source.start, cp.source.end) if cp.source.doc == planted.source else (cp.copy.start, cp.copy.end)
                    c_span = (cp.copy.start, cp.copy.end) if cp.copy.doc == planted.copy else (cp.source.start, cp.source.end)
                    if _overlap(s_span, src) > 0 and _overlap(c_span, cpy) > 0:
                        ok = True
            tp += ok
            fp += not ok
            fp_neg += (not ok) and cp.copy.start >= corpus.body_end.get(cp.copy.doc, 1 << 60)
    return {"recall": recall, "tp": tp, "fp": fp, "fp_negatives": fp_neg, "direction": direction}


def _fmt_recall(r: list[int]) -> str:
    return f"{r[0] / r[1]:.3f} ({r[1]})" if r[1] else "—"


# ------------------------------------------------------------------------------- runs


def run_grid(corpus: Corpus) -> None:
    print("\n| min_words | threshold | bands×rows | precision | R 10–19w | R 20–39w | R 40–79w | R 80+w | time |")
    print("|---|---|---|---|---|---|---|---|---|")
    for threshold in (0.3, 0.4, 0.5, 0.7):
        pindex = PassageIndex(threshold)
        for min_words in (10, 15, 20, 30, 40):
            t = time.perf_counter()
            found = find_reuse(corpus.docs, min_words=min_words, threshold=threshold, passage_index=pindex)
            dt = time.perf_counter() - t
            s = score(corpus, found, min_words)
            prec = s["tp"] / (s["tp"] + s["fp"]) if s["tp"] + s["fp"] else 1.0
            cells = " | ".join(_fmt_recall(s["recall"][b]) for b in BUCKETS)
            print(
                f"| {min_words} | {threshold} | {pindex.bands}×{pindex.rows} | {prec:.3f} ({s['fp']} FP, {s['fp_negatives']} on negatives) "
                f"| {cells} | {dt:.1f} s |",
                flush=True,
            )


def run_incremental(corpus: Corpus, chunk: int, min_words: int, threshold: float) -> None:
    pindex = PassageIndex(threshold)
    index = MemoryIndex()
    texts = {d[0]: (d[1], d[2]) for d in corpus.docs}
    found: list[CopiedPassage] = []
    timings: list[tuple[int, float]] = []
    gc_rss = peak_rss_mb()
    t0 = time.perf_counter()
    withdrawn = discounted = discounted_later = 0
    for c0 in range(0, len(corpus.docs), chunk):
        t = time.perf_counter()
        upd = find_reuse_incremental(
            corpus.docs[c0 : c0 + chunk], index, texts.get, passage_index=pindex, min_words=min_words
        )
        timings.append((c0 + chunk, time.perf_counter() - t))
        found += upd.passages
        if upd.boilerplate:  # what the store does: withdraw passages that were boilerplate after all
            bad = defaultdict(list)
            for sp in upd.boilerplate:
                bad[sp.doc].append((sp.start, sp.end))
            keep = []
            for cp in found:
                hit = any(
                    _overlap((x.start, x.end), b) > 0 for x in (cp.source, cp.copy) for b in bad.get(x.doc, ())
                )
                keep.append(not hit)
            withdrawn += keep.count(False)
            found = [cp for cp, k in zip(found, keep) if k]
        discounted += len(upd.discounted)
        for tpl in upd.templates:  # as the store does: a passage between two pages of a template is discounted
            pages = {sp.doc: (sp.start, sp.end) for sp in tpl.pages}
            keep = [
                not all(x.doc in pages and _overlap((x.start, x.end), pages[x.doc]) > 0 for x in (cp.source, cp.copy))
                for cp in found
            ]
            discounted_later += keep.count(False)
            found = [cp for cp, k in zip(found, keep) if k]
        if (c0 // chunk) % 10 == 0:
            print(f"  {c0 + chunk:>7} docs  {timings[-1][1]:.2f} s/chunk  rss {peak_rss_mb():.0f} MB", file=sys.stderr, flush=True)
    total = time.perf_counter() - t0
    s = score(corpus, found, min_words)
    prec = s["tp"] / (s["tp"] + s["fp"]) if s["tp"] + s["fp"] else 1.0
    keys = index.n_keys
    index_mb = (keys * 12 + len(index) * 8 + len(corpus.docs) * 60) / 1e6  # keys+units, windows, doc ids
    at10k = next((dt for n, dt in timings if n >= 10_000), timings[-1][1])
    print(f"\nincremental run: {len(corpus.docs):,} documents, {len(corpus.planted):,} planted copies, "
          f"min_words={min_words}, threshold={threshold} ({pindex.bands} bands × {pindex.rows} rows)")
    print("| measure | value |\n|---|---|")
    print(f"| passages reported | {len(found):,} |")
    print(f"| precision | {prec:.4f} ({s['fp']} false, {s['fp_negatives']} of them on appended negatives) |")
    print(f"| passages withdrawn later as boilerplate | {withdrawn:,} |")
    print(f"| passages discounted as site templates (of them later) | {discounted + discounted_later:,} "
          f"({discounted_later:,}) |")
    for b in BUCKETS:
        print(f"| recall {b[0]}–{b[1] if b[1] < 10_000 else '…'} words | {_fmt_recall(s['recall'][b])} |")
    d = s["direction"]
    print(f"| direction of found planted passages | {d['right']} right, {d['wrong']} wrong, {d['unknown']} unknown |")
    print(f"| total time (prepare + query + align + add) | {total:.1f} s ({1e3 * total / len(corpus.docs):.2f} ms/doc) |")
    print(f"| add {chunk} docs at 10k indexed | {at10k:.2f} s |")
    print(f"| add {chunk} docs at {len(corpus.docs):,} indexed | {timings[-1][1]:.2f} s |")
    print(f"| stored windows / band keys | {len(index):,} / {keys:,} |")
    print(f"| index size in memory (12 B a key, 8 B a window) | {index_mb:.0f} MB → 10M docs ≈ "
          f"{index_mb * 1e7 / len(corpus.docs) / 1e3:.0f} GB |")
    print(f"| RSS after loading the corpus texts | {gc_rss:.0f} MB |")
    print(f"| peak RSS | {peak_rss_mb():.0f} MB |")


def _corpus(args: argparse.Namespace) -> Corpus:
    """The generated corpus, cached in ``--workdir`` (generation is seeded)."""
    path = args.workdir / f"reuse-{args.docs}-{args.copy_rate}-{args.seed}.pickle"
    if path.exists():
        with path.open("rb") as f:
            return pickle.load(f)
    t = time.perf_counter()
    real = load_texts(args.data)
    model = Bigram.train(real)
    corpus = build_corpus(model, args.docs, args.copy_rate, args.seed, quote_pool(real, 300, random.Random(args.seed)))
    words = sum(len(d[1].split()) for d in corpus.docs)
    print(f"corpus: {len(corpus.docs):,} docs, {words:,} words, {len(corpus.planted):,} planted copies, "
          f"generated in {time.perf_counter() - t:.1f} s → {path}", file=sys.stderr)
    args.workdir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as f:
        pickle.dump(corpus, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return corpus


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--copy-rate", type=float, default=0.1, help="share of documents that receive a paste")
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "datasets")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/storyline-bench"), help="generated corpora are cached here")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--chunk", type=int, default=1000)
    ap.add_argument("--min-words", type=int, default=20)
    ap.add_argument("--threshold", type=float, default=0.3)
    ap.add_argument("--grid", action="store_true", help="batch runs over a min_words × threshold grid")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if not (args.data / "polnear").is_dir():
        print(f"bench/reuse.py: no data at {args.data} (need polnear/, tempeval3/, ecbplus/); skipped", file=sys.stderr)
        return 0
    if args.grid:
        run_grid(_corpus(args))
        return 0
    if not args.child:
        _corpus(args)  # generate (and cache) here, measure in a fresh process: its peak RSS is ours
        return subprocess.call([sys.executable, __file__, *(argv if argv is not None else sys.argv[1:]), "--child"])
    run_incremental(_corpus(args), args.chunk, args.min_words, args.threshold)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
