"""The situation report (``storyline report``): a story's or a corpus's summary, key
numbers, timeline, map, provenance graph, who-said-what, contradictions and sources, each
item with its evidence. :func:`build_report` computes it once; ``render_*`` write it as
JSON, Markdown or a self-contained HTML page (:mod:`.html`)."""

from .build import Report, build_report, corpus_report, story_fields, story_report
from .html import render_html, static_files
from .markdown import render_json, render_markdown

__all__ = ["Report", "build_report", "corpus_report", "story_fields", "story_report", "render_html", "render_json", "render_markdown",
           "static_files"]
