"""The ``citations`` stage: outlets and agencies a document names as its sources."""

from __future__ import annotations

from typing import Any

from ..corpus.citations import extract_citations
from ..pipeline import stage
from ..types import Doc

# English models and rules: skipped on documents identified as another language.
ENGLISH = ("en",)


@stage("citations", version="1", reads=("text", "meta"), writes=("citations",), languages=ENGLISH)
def citations(doc: Doc) -> dict[str, Any]:
    """"told Voice of America", "according to Reuters", "Source: ARA News" → document → outlet edges."""
    assert doc.text is not None
    return {"citations": extract_citations(doc.id, doc.text, own_outlet=doc.meta.outlet)}
