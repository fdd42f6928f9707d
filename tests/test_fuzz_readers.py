"""A short, deterministic fuzz of every reader and the clean stage (the long run: bench/fuzz.py).

For each reader (text, HTML, JSONL, JSON array, WARC, feeds, the gzipped variants, metadata
sidecars, hostile file names) Hypothesis draws a valid seed and a few mutations
(:mod:`storyline.ingest.fuzzing`), ingests the result next to a good document, and checks
the promise of issue #15: no exception escapes, the good document is stored, every
rejection names its file and reason, and the hostile file never vanishes without a word.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import storyline
from storyline.ingest.fuzzing import HOSTILE, KINDS, READERS, Harness, Op, mutate
from storyline.types import ContentType, Doc

EXAMPLES = 30  # per reader: the 12 readers take about 8 s here

ops = st.lists(
    st.builds(
        Op,
        kind=st.sampled_from(KINDS),
        where=st.floats(0, 1),
        blob=st.binary(max_size=8),
        token=st.integers(0, len(HOSTILE) - 1),
    ),
    max_size=4,
)
FUZZ = settings(
    derandomize=True,
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Harness]]:
    made: dict[str, Harness] = {}

    def get(name: str) -> Harness:
        if name not in made:
            made[name] = Harness(READERS[name], tmp_path_factory.mktemp(f"fuzz-{name.replace('.', '-')}"))
        return made[name]

    yield get
    for h in made.values():
        h.close()


@pytest.mark.parametrize("name", list(READERS))
def test_reader_keeps_the_promise_on_mutated_input(name: str, harness: Callable[[str], Harness]) -> None:
    h = harness(name)
    reader = h.reader

    @FUZZ
    @given(seed=st.integers(0, len(reader.seeds) - 1), mutations=ops)
    def check(seed: int, mutations: list[Op]) -> None:
        out = h.run(mutate(reader, reader.seeds[seed], mutations))
        assert out.crash is None, out.crash
        assert not out.good_lost
        assert out.unnamed == 0
        assert not out.vanished

    check()


def test_valid_seeds_give_documents(harness: Callable[[str], Harness]) -> None:
    """The harness is no tautology: unmutated seeds are read as documents."""
    for name, reader in READERS.items():
        out = harness(name).run(reader.seeds[0] if not reader.gz else mutate(reader, reader.seeds[0], []))
        assert out.crash is None and out.documents >= 1, (name, out)


@FUZZ
@given(
    content_type=st.sampled_from(["text", "html", "fragment"]),
    text=st.text(st.characters(codec=None, exclude_categories=()), max_size=300),
    wrap=st.sampled_from(["{0}", "<html><body><p>{0}</p></body></html>", "<div>" * 300 + "{0}", "{0} " * 20]),
)
def test_clean_stage_rejects_or_cleans_never_raises(content_type: str, text: str, wrap: str) -> None:
    raw = wrap.format(text).encode("utf-8", "surrogatepass")
    kind: ContentType = content_type  # type: ignore[assignment]
    doc = Doc(id="f" * 16, source_path="fuzz.in", locator="", content_type=kind, raw=raw)
    out, rejected = storyline.Pipeline(["clean"]).process(doc)
    if rejected is None:
        assert out.status == "ok" and out.text and out.text.strip()
        assert "\x1b" not in out.text
    else:
        assert rejected.source_path == "fuzz.in" and rejected.message.startswith(f"[{rejected.code}] ")


def test_fuzz_bench_imports(tmp_path: Path) -> None:
    """bench/fuzz.py runs (one reader, one second) and prints its table."""
    import subprocess
    import sys

    bench = Path(__file__).resolve().parents[1] / "bench" / "fuzz.py"
    run = subprocess.run(
        [sys.executable, str(bench), "--seconds", "1", "--readers", "text", "--engine", "random"],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "reader" in run.stdout and "text" in run.stdout
