"""The ``language`` stage: which language a document is in, and which passages are not.

It runs on the cleaned text, right after ``clean``, and fills ``meta.language`` (ISO 639-1 or
``und``), ``meta.language_confidence`` and ``meta.language_scores``, and the
``language_spans`` layer (paragraphs and long quotations in another language). Stages that
declare the languages they cover (``stage(..., languages=("en",))``) are ordered after it and
skipped by :class:`~storyline.pipeline.Pipeline` on documents in other languages; see
:mod:`storyline.clean.language` for the identifier, its measured accuracy and the thresholds.

Which analyses cover which languages (a skipped stage leaves empty layers, records its version
so ``analyze`` does not retry it, and says why in ``Doc.skipped`` / the record's
``not_analysed``):

* any language: ``clean`` (text, metadata, publication dates), ``language``, and the corpus
  steps that compare texts as words — copy detection (``reuse``), stories, full-text search;
* English only: ``nlp`` (the English spaCy model) and what reads it (``entities``, ``places``,
  ``attributions``, ``events``), and the rule stages written with English words: ``times``
  ("yesterday", month names), ``quantities`` ("more than 90 militants"), ``citations``
  ("according to", "told"). Claims, events and provenance citations of a document in another
  language are therefore empty, not wrong.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..clean.language import identify
from ..pipeline import stage
from ..types import Doc


@stage("language", version="1", reads=("text", "meta"), writes=("meta", "language_spans"))
def language(doc: Doc) -> dict[str, Any]:
    """Language of the cleaned text (py3langid, 'und' when unsure) and passages in other languages."""
    assert doc.text is not None
    guess, spans = identify(doc.text)
    meta = replace(
        doc.meta, language=guess.language, language_confidence=guess.confidence, language_scores=guess.scores
    )
    return {"meta": meta, "language_spans": spans}
