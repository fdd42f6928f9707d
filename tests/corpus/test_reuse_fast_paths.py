"""The fast paths of copy detection give what the straightforward forms gave: each is checked
against that form (kept here as the reference) on random and tricky inputs."""

from __future__ import annotations

import random
import re
import sqlite3
import types
from bisect import bisect_left
from collections import defaultdict
from typing import Any

import numpy as np
import pytest

from storyline.corpus.persist import SqliteIndex
from storyline.corpus.reuse import MemoryIndex, TokenizedText, _chains, _frequent, paragraphs, tokenize

# -- references: the per-seed, per-match and all-pairs forms ---------------------------------

_GAP_WORD = re.compile(r"(?:[^\w.!?…\n]*([.!?…\n]))?[\W_]*?([^\W_]+(?:['’][^\W_]+)*)")


def _tokenize_ref(text: str) -> tuple[list[str], list[int], list[int], list[int], list[bool]]:
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    para: list[int] = []
    sent: list[bool] = []
    for p, (ps, pe) in enumerate(paragraphs(text)):
        ms = list(_GAP_WORD.finditer(text[ps:pe]))
        if not ms:
            continue
        words += [m.group(2).casefold().replace("’", "'") for m in ms]
        starts += [ps + m.start(2) for m in ms]
        ends += [ps + m.end(2) for m in ms]
        para += [p] * len(ms)
        flags = [m.start(1) >= 0 and not m.group(2)[0].islower() for m in ms]
        flags[0] = True
        sent += flags
    return words, starts, ends, para, sent


def _chains_ref(wa: list[str], wb: list[str], k: int, max_gap: int) -> list[list[tuple[int, int]]]:
    grams: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i in range(len(wa) - k + 1):
        grams[tuple(wa[i : i + k])].append(i)
    seeds: list[tuple[int, int]] = []
    for j in range(len(wb) - k + 1):
        pos = grams.get(tuple(wb[j : j + k]))
        if pos and len(pos) <= 4:
            seeds.extend((i, j) for i in pos)
    seeds.sort()
    chains: list[list[tuple[int, int]]] = []
    active: list[list[tuple[int, int]]] = []
    for i, j in seeds:
        best: list[tuple[int, int]] | None = None
        best_score, still = (0, 0), []
        for c in active:
            li, lj = c[-1]
            if i - li > max_gap:
                continue
            still.append(c)
            di, dj = i - li, j - lj
            if di > 0 and 0 < dj <= max_gap:
                score = (abs(di - dj), di + dj)
                if best is None or score < best_score:
                    best, best_score = c, score
        active = still
        if best is None:
            active.append([(i, j)])
            chains.append(active[-1])
        else:
            best.append((i, j))
    return chains


def _frequent_ref(spans_by_partner, own_outlet, outlets, tok, docs_min, outlets_min, max_words):  # type: ignore[no-untyped-def]
    flat = [(s, partner) for partner, spans in spans_by_partner.items() for s in spans]
    out = set()
    if len(spans_by_partner) + 1 < docs_min:
        return out
    for (s, e), partner in flat:
        if bisect_left(tok.starts, e) - bisect_left(tok.starts, s) >= max_words:
            continue
        docs = {partner}
        for (s2, e2), p2 in flat:
            ov = min(e, e2) - max(s, s2)
            if ov > 0 and ov >= 0.5 * (e - s):
                docs.add(p2)
        outs = {outlets.get(d, d) for d in docs} | {own_outlet}
        if len(docs) + 1 >= docs_min and len(outs) >= outlets_min:
            out.add((partner, (s, e)))
    return out


# -- the tests ------------------------------------------------------------------------------


def _edited_copy(rng: random.Random, words: list[str], vocab: int) -> list[str]:
    out = list(words)
    for _ in range(rng.randint(0, 25)):
        p = rng.randrange(len(out) + 1)
        op = rng.random()
        if op < 0.3 and out:
            out[min(p, len(out) - 1)] = f"x{rng.randrange(vocab)}"
        elif op < 0.6:
            out.insert(p, "inserted")
        elif out:
            del out[min(p, len(out) - 1)]
    if rng.random() < 0.4:  # paragraphs shuffled: diagonal runs in another order
        half = len(out) // 2
        out = out[half:] + out[:half]
    return out


def test_chains_by_diagonal_runs_are_the_seed_by_seed_chains() -> None:
    rng = random.Random(5)
    for _ in range(600):
        vocab = rng.choice([2, 5, 20, 300])  # small vocabularies: repeated grams, crowded seeds
        wa = [f"w{rng.randrange(vocab)}" for _ in range(rng.randint(0, 250))]
        wb = _edited_copy(rng, wa, vocab)
        for k, gap in ((5, 20), (3, 4), (9, 20)):  # k = 9: the gram codes are renumbered on the way
            runs = _chains(wa, wb, k, gap)
            seeds = [[(i + t, j + t) for i, j, n in chain for t in range(n)] for chain in runs]
            assert seeds == _chains_ref(wa, wb, k, gap)


def test_tokenize_matches_one_match_per_word() -> None:
    tricky = [
        "Straße ΣΑΣ ΟΔΟΣ. İstanbul ﬁne’s word’s\n\nA. b. C! d? e… f\n\n   ",
        "a._B c_.D e ._F g\n h. \n\n'i' j.'K' l!!! M... n.\nO",
        "«Quote.» «Next» — dash. 1.5 2. 3 _. A _ .B x_y __ a'b ’c",
        "",
        " \n\n ",
    ]
    rng = random.Random(3)
    alphabet = "aB _.'’!?…\n\t-,\"ΣßÉ1 "
    tricky += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(3000)]
    for text in tricky:
        tok = tokenize(text, drop_boilerplate=False)
        assert (tok.words, tok.starts, tok.ends, tok.paragraph, tok.sentence_start) == _tokenize_ref(text), text


def test_frequent_matches_all_pairs() -> None:
    rng = random.Random(9)
    text = " ".join(f"w{n}" for n in range(400))
    tok = tokenize(text)
    for _ in range(400):
        spans: dict[str, list[tuple[int, int]]] = {}
        for q in range(rng.randint(0, 10)):
            got = []
            for _ in range(rng.randint(0, 5)):
                s = rng.randrange(len(text))
                got.append((s, min(len(text), s + rng.choice([0, 6, 40, 150, 900]))))
            spans[f"d{q}"] = got + got[:1]  # a span twice with one partner, too
        outlets = {d: rng.choice(["a", "b", d]) for d in spans if rng.random() < 0.7}
        args = (spans, rng.choice(["a", "z"]), outlets, tok, rng.choice([1, 3, 5]), rng.choice([1, 2]), rng.choice([5, 50]))
        assert _frequent(*args) == _frequent_ref(*args)


@pytest.mark.parametrize("kind", ["sqlite", "memory"])
def test_query_windows_is_query_per_window(kind: str) -> None:
    """Both candidate indexes: every window's ``query`` at once, the excluded document left out."""
    if kind == "sqlite":
        conn = sqlite3.connect(":memory:")
        conn.execute("CREATE TABLE reuse_keys (key INTEGER NOT NULL, doc_id TEXT NOT NULL, window INTEGER NOT NULL)")
        conn.execute("CREATE INDEX reuse_keys_key ON reuse_keys(key)")
        index: Any = SqliteIndex(types.SimpleNamespace(conn=conn))  # type: ignore[arg-type]
    else:
        index = MemoryIndex()
    rng = np.random.default_rng(4)
    pool = rng.integers(0, 2**64, size=3000, dtype=np.uint64)  # keys high and low: signed on both sides
    for d in range(40):
        for w in range(10):
            index.add((f"doc{d}", w), [int(k).to_bytes(8, "big") for k in rng.choice(pool, 32)])
    keys = rng.choice(pool, (1100, 32))  # more windows than one statement takes
    got = index.query_windows(keys, exclude="doc7")
    expected = {
        (w, doc) for w, row in enumerate(keys) for doc, _n in index.query([int(k).to_bytes(8, "big") for k in row])
    }
    assert len(got) == len(set(got))
    assert set(got) == {x for x in expected if x[1] != "doc7"} and any(x[1] == "doc7" for x in expected)
    assert index.query_windows(np.zeros((0, 32), dtype=np.uint64), exclude="doc7") == []


def test_tokenized_text_type_unchanged() -> None:
    tok = tokenize("One two. Three four\n\nFive")
    assert isinstance(tok, TokenizedText)
    assert tok.words == ["one", "two", "three", "four", "five"]
    assert tok.sentence_start == [True, False, True, False, True]
