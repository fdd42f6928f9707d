"""Shared by the corpus tests: a local Ray instance for the Ray-form tests, and a snapshot
of store tables to compare two runs record for record."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def ray_local() -> Iterator[object]:
    """A local Ray instance with 2 CPUs for one test module (skipped without Ray)."""
    ray = pytest.importorskip("ray")
    pytest.importorskip("ray.data")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    try:
        yield ray
    finally:
        ray.shutdown()


def table_snapshot(db: Path, queries: Mapping[str, str]) -> dict[str, list[tuple[object, ...]]]:
    """Each query's rows on ``db``, by name."""
    con = sqlite3.connect(db)
    try:
        return {name: [tuple(r) for r in con.execute(sql)] for name, sql in queries.items()}
    finally:
        con.close()
