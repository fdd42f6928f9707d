"""Fixtures shared by all tests (defined once here)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import storyline
from storyline.store import Store

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return storyline.sample_corpus()


@pytest.fixture(scope="session")
def sample_urls(sample_dir: Path) -> dict[str, str]:
    lines = (sample_dir / "sources.jsonl").read_text().splitlines()
    return {json.loads(l)["file"][:3]: json.loads(l)["url"] for l in lines if l.strip()}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "test.db") as s:
        yield s


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> Iterator[Store]:
    """The sample corpus ingested once, read-only for the tests that share it."""
    path = tmp_path_factory.mktemp("sample") / "sample.db"
    with Store(path) as s:
        summary = storyline.ingest(s, [sample_dir], progress=False)
        assert summary.rejected == 0, summary.rejections
    with Store(path, readonly=True) as s:
        yield s


@pytest.fixture(scope="session")
def sample_docs(sample_store: Store) -> dict[str, storyline.Doc]:
    """Sample documents keyed by file prefix ('000' … '004')."""
    return {Path(d.source_path).name[:3]: sample_store.get(d.id) for d in sample_store.iter_docs()}
