"""Annotation stages: time expressions and quantities (rules, no model), …

Each is a pure function of the cleaned text (and the publication date it resolves against);
offsets point into ``Doc.text``.
"""

from __future__ import annotations

from typing import Any

from ..annotate.quantities import find_quantities
from ..annotate.times import find_times
from ..pipeline import stage
from ..types import Doc


@stage("times", version="1", reads=("text", "meta"), writes=("times",))
def times(doc: Doc) -> dict[str, Any]:
    """Time expressions normalised against the publication date (unresolved when it is unknown)."""
    assert doc.text is not None
    return {
        "times": find_times(doc.text, published=doc.meta.published, precision=doc.meta.published_precision)
    }


@stage("quantities", version="1", reads=("text",), writes=("quantities",))
def quantities(doc: Doc) -> dict[str, Any]:
    """Counts with their units and qualifiers: "more than 90 militants" → low 91, unit militant."""
    assert doc.text is not None
    return {"quantities": find_quantities(doc.text)}
