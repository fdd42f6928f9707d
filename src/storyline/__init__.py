"""storyline: turn a pile of news reports into a sourced, corroborated picture of events.

The Python API mirrors the CLI::

    import storyline

    store = storyline.open_store("news.db")          # SQLite, created when missing
    summary = storyline.ingest(store, ["articles/"])  # files → cleaned, dated documents
    for doc in store.iter_docs():                     # typed Doc objects
        print(doc.id, doc.meta.published, doc.meta.title)
    print(store.rejections())                         # what was refused, and why
    storyline.analyze(store)                          # recompute stale stages after an upgrade
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .errors import StorylineError
from .pipeline import Pipeline
from .runner import analyze, ingest
from .settings import Config
from .store import Store
from .types import Doc, DocMeta, IngestSummary, Rejection, Removed, Span

__version__ = "0.1.0"

__all__ = [
    "Config",
    "Doc",
    "DocMeta",
    "IngestSummary",
    "Pipeline",
    "Rejection",
    "Removed",
    "Span",
    "Store",
    "StorylineError",
    "analyze",
    "ingest",
    "open_store",
    "sample_corpus",
]


def open_store(path: str | Path | None = None, *, readonly: bool = False) -> Store:
    """Open (or create) a store; ``path`` defaults to the ``db`` setting (STORYLINE_DB)."""
    return Store(path if path is not None else Config.load().db, readonly=readonly)


def sample_corpus() -> Path:
    """The bundled sample corpus: five real articles (2015–2017) and their sources.jsonl."""
    return Path(str(resources.files("storyline") / "data" / "sample"))
