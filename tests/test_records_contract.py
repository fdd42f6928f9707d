"""docs/records.md is the record contract: every field its **Fields:** lines list is present in
the ``--json`` output of the listing command that section names, on the sample corpus."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from storyline.cli import main
from storyline.store import Store
from storyline.types import Rejection, SiteTemplate, Span

RECORDS = Path(__file__).resolve().parents[1] / "docs" / "records.md"

# records.md section → the listing command whose --json output it describes
COMMANDS = {
    "Document": "docs", "Rejection": "rejects", "Copied passage": "reuse", "Site template": "templates",
    "Entity": "entities", "Place": "places", "Time expression": "times", "Claim": "claims", "Event": "events",
    "Story": "stories",
}


def contract() -> dict[str, list[str]]:
    """Section title (before any parenthesis) → the field names of its **Fields:** line."""
    out: dict[str, list[str]] = {}
    for section in re.split(r"^## ", RECORDS.read_text(encoding="utf-8"), flags=re.MULTILINE)[1:]:
        title = re.split(r" [(—]", section.splitlines()[0])[0].strip()
        m = re.search(r"\*\*Fields:\*\*(.+?)(?:\n\n|\Z)", section, flags=re.DOTALL)
        if m:
            out[title] = re.findall(r"`([a-z_]+)`", m.group(1))
    return out


def test_every_record_section_lists_its_fields() -> None:
    sections = contract()
    assert set(COMMANDS) | {"Evidence span"} <= set(sections), sorted(sections)
    assert all(len(fields) >= 4 for fields in sections.values())


def _json_lines(args: list[str], capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    assert main(args) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


@pytest.mark.parametrize("section", sorted(COMMANDS))
def test_json_output_carries_the_listed_fields(
    section: str, sample_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    fields = contract()[section]
    records = _json_lines([COMMANDS[section], "--db", sample_store.path, "--json"], capsys)
    if section == "Rejection":  # the sample corpus has none: a record as the command prints it
        records = [Rejection(source_path="x.txt", stage="read", code="E101", message="m").to_record()]
    elif section == "Site template":
        records = [SiteTemplate(id="t1", site="example.org", text="Subscribe", words=1,
                                pages=(Span("d1", 0, 9, "Subscribe"),), rule="r").to_record()]
    else:
        assert records, f"storyline {COMMANDS[section]} --json printed nothing on the sample corpus"
    for r in records:
        missing = [f for f in fields if f not in r]
        assert not missing, f"{COMMANDS[section]} --json lacks {missing} (docs/records.md {section})"


def test_evidence_spans_carry_the_listed_fields(sample_store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    fields = contract()["Evidence span"]
    claims = _json_lines(["claims", "--db", sample_store.path, "--json"], capsys)
    spans = [c["content"] for c in claims] + [s for c in claims for s in c["evidence"]]
    times = _json_lines(["times", "--db", sample_store.path, "--json"], capsys)
    spans += [t["span"] for t in times]
    assert spans
    assert all(set(fields) <= set(s) for s in spans)
