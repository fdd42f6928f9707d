"""Quality gate: language identification on real news pages stays above tests/floors/language.json.

Extracts the text of the 191 labelled pubdates pages with trafilatura (about 30 s on the
2-core machine, hence ``slow``) and scores :func:`storyline.clean.language.identify` on
the documents and on their titles and first sentences. Skipped when the pages are absent or
differ from the data the floors were set on.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.clean.language import identify, load_identifier
from storyline.clean.language_eval import load_items, pages_sha256, score

REPO = Path(__file__).resolve().parents[2]
PAGES = REPO.parent / "shared" / "datasets" / "pubdates" / "pages"
LABELS = REPO / "tests" / "fixtures" / "language" / "pubdates_labels.json"
FLOORS = json.loads((REPO / "tests" / "floors" / "language.json").read_text(encoding="utf8"))


@pytest.mark.slow
def test_language_identification_stays_above_floors() -> None:
    if not PAGES.is_dir():
        pytest.skip(f"pubdates pages not found at {PAGES}")
    if pages_sha256(PAGES, LABELS) != FLOORS["data_sha256"]:
        pytest.skip(f"{PAGES} differs from the data the floors were measured on (sha256 mismatch)")
    items = load_items(PAGES, LABELS)
    ident = load_identifier()
    res = {
        kind: score(lambda t: identify(t, ident)[0].language, [i for i in items if i.kind == kind])
        for kind in ("document", "short")
    }
    assert res["document"]["n"] == 191 and len({i.lang for i in items}) >= 10
    for kind in ("document", "short"):
        r = res[kind]
        assert r["accuracy"] >= FLOORS["floors"][f"{kind}_accuracy"], (kind, r)
        # a wrong confident answer is worse than "und": it runs (or skips) the English models wrongly
        assert r["wrong"] <= FLOORS["ceilings"][f"{kind}_wrong"], (kind, r)
