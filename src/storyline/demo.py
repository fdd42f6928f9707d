"""``storyline demo``: the bundled sample corpus into a fresh store, every stage, outputs on disk."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import sample_corpus
from .runner import ingest
from .settings import Config
from .store import Store
from .types import IngestSummary


@dataclass(slots=True)
class DemoResult:
    db: Path
    outputs: dict[str, Path] = field(default_factory=dict)
    summary: IngestSummary = field(default_factory=IngestSummary)
    # the corpus layers as written to the outputs, for the caller to print without recomputing
    passages: list[Any] = field(default_factory=list)
    graph: Any = None
    claims: Any = None  # ClaimReport
    events: list[Any] = field(default_factory=list)


def run_demo(
    out_dir: str | Path = "storyline-out", db: str | Path | None = None, *, progress: bool | None = False
) -> DemoResult:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    db_path = Path(db) if db is not None else out / "storyline.db"
    for suffix in ("", "-wal", "-shm"):  # a fresh store each time: the demo is repeatable
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    sample = sample_corpus()
    result = DemoResult(db=db_path)
    with Store(db_path) as store:
        result.summary = ingest(
            store, [sample], config=Config.load(db=str(db_path)), progress=progress
        )
        docs_path = out / "documents.jsonl"
        with docs_path.open("w", encoding="utf-8") as fh:
            for doc in store.iter_docs():
                fh.write(json.dumps(doc.to_record(full=True), ensure_ascii=False) + "\n")
        result.outputs["documents"] = docs_path
        from .corpus.event_exports import events_to_csv, events_to_geojson
        from .corpus.persist import claim_report, copied_passages, event_list, provenance_graph
        from .corpus.provenance import export_graphml, export_json

        # the corpus layers the ingest stored, read once
        result.passages = copied_passages(store)
        result.graph = provenance_graph(store)
        result.claims = claim_report(store)
        result.events = event_list(store, claims=result.claims)

        reuse_path = out / "reuse.jsonl"
        with reuse_path.open("w", encoding="utf-8") as fh:
            for p in result.passages:
                fh.write(json.dumps(p.to_record(), ensure_ascii=False) + "\n")
        result.outputs["reuse"] = reuse_path
        (out / "provenance.json").write_text(json.dumps(export_json(result.graph), ensure_ascii=False, indent=2))
        export_graphml(result.graph, out / "provenance.graphml")
        result.outputs["provenance"] = out / "provenance.json"
        result.outputs["graphml"] = out / "provenance.graphml"
        claims_path = out / "claims.jsonl"
        with claims_path.open("w", encoding="utf-8") as fh:
            for c in result.claims.claims:
                fh.write(json.dumps(c.to_record(), ensure_ascii=False) + "\n")
        result.outputs["claims"] = claims_path
        outlets = {d.id: d.meta.outlet or d.id for d in store.iter_docs()}
        with (out / "events.csv").open("w", encoding="utf-8", newline="") as fh:
            events_to_csv(result.events, fh, sources=outlets)
        (out / "events.geojson").write_text(json.dumps(events_to_geojson(result.events), ensure_ascii=False))
        result.outputs["events"] = out / "events.csv"
        result.outputs["events map"] = out / "events.geojson"
        result.outputs["report"] = write_corpus_report(store, out / "report.html")
    return result


def write_corpus_report(store: Store, path: Path, *, title: str | None = None) -> Path:
    """The whole corpus's situation report as one self-contained HTML file."""
    from .report import corpus_report, render_html

    path.write_text(render_html(corpus_report(store, title=title), standalone=True), encoding="utf-8")
    return path.resolve()
