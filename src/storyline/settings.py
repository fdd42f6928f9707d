"""One settings table: name, default, environment variable, help.

The CLI options, the environment and the README's settings section are all driven from
:data:`SETTINGS`; ``tests/test_settings.py`` fails when a setting is undocumented.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from typing import Any

from .errors import StorylineError


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: Any
    env: str
    help: str

    def parse(self, raw: str) -> Any:
        if isinstance(self.default, bool):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if isinstance(self.default, float):
            try:
                number = float(raw)
            except ValueError:
                raise StorylineError("E404", name=self.name, reason=f"{raw!r} is not a number") from None
            if not 0.0 < number <= 1.0:
                raise StorylineError("E404", name=self.name, reason="must be in (0, 1]")
            return number
        if isinstance(self.default, int):
            try:
                value = int(raw.replace("_", ""))
            except ValueError:
                raise StorylineError("E404", name=self.name, reason=f"{raw!r} is not an integer") from None
            if value < 1:
                raise StorylineError("E404", name=self.name, reason="must be at least 1")
            return value
        return raw


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "storyline.db", "STORYLINE_DB", "Path of the SQLite store (created when missing)."),
    Setting(
        "max_bytes",
        25_000_000,
        "STORYLINE_MAX_BYTES",
        "Largest single document (a file, a JSONL line, a WARC record) accepted, in bytes; "
        "larger ones are rejected with E102 without being read into memory. Container files "
        "(JSONL, WARC) are streamed and may be larger.",
    ),
    Setting("batch_size", 64, "STORYLINE_BATCH_SIZE", "Documents per batch (one transaction per batch)."),
    Setting(
        "cache",
        "~/.cache/storyline",
        "STORYLINE_CACHE",
        "Folder for indexes built once per machine (the gazetteer, ~30 MB); "
        "$XDG_CACHE_HOME/storyline when XDG_CACHE_HOME is set.",
    ),
    Setting(
        "workers",
        1,
        "STORYLINE_WORKERS",
        "Worker processes for per-document stages (1 = in-process).",
    ),
    Setting(
        "stage_timeout",
        60,
        "STORYLINE_STAGE_TIMEOUT",
        "Time budget of the per-document stages, in seconds per 100,000 bytes of input (at least this "
        "long for any document). A document over it is cut, in-process and in workers, and stored with "
        "an E203 rejection: its text is kept when cleaning finished; the stages not run are not retried "
        "by `storyline analyze` (use --force).",
    ),
    Setting(
        "max_annotate_chars",
        2_000_000,
        "STORYLINE_MAX_ANNOTATE_CHARS",
        "Longest cleaned text, in characters, that the spaCy pass and the layers reading it "
        "(entities, places, claims, events) run on; a longer document is stored, searchable, with "
        "those stages skipped and an E204 rejection. Texts over 50,000 characters are parsed in pieces.",
    ),
)

SETTINGS += (
    Setting(
        "search_time_limit_ms",
        1000,
        "STORYLINE_SEARCH_TIME_LIMIT_MS",
        "Time limit of one search in the web app, in milliseconds; a search over it is stopped and "
        "answered with E510 (any web page can make the browser send searches to the local server).",
    ),
    Setting(
        "claim_embeddings",
        False,
        "STORYLINE_CLAIM_EMBEDDINGS",
        "Match paraphrased claims across outlets with sentence embeddings (MiniLM) next to the lexical "
        "score; needs the optional extra `pip install storyline[embeddings]` (CPU torch, ~1.5 GB), "
        "else matching stays lexical.",
    ),
    # corpus parameters: what the corpus steps consider the same passage, claim, story, episode
    Setting(
        "reuse_threshold",
        0.3,
        "STORYLINE_REUSE_THRESHOLD",
        "Copy detection: Jaccard similarity of word shingles at which two passages are candidates "
        "(0-1; lower finds more edited copies, slower). Changing it rebuilds the copy index on the "
        "next ingest or analyze.",
    ),
    Setting(
        "story_threshold",
        0.15,
        "STORYLINE_STORY_THRESHOLD",
        "Stories: combined similarity (0-1) at which a new document joins a story (a join resting on "
        "one member also needs a strong link); a change re-places the stored stories on the next run.",
    ),
    Setting(
        "episode_threshold",
        0.2,
        "STORYLINE_EPISODE_THRESHOLD",
        "Episodes: combined similarity (0-1) at which a document joins an episode of its story (every "
        "dated member within 21 days); a change re-places the stored stories on the next run.",
    ),
    Setting(
        "claim_threshold",
        0.5,
        "STORYLINE_CLAIM_THRESHOLD",
        "Claim matching: score (0-1) at or above which two reports are one claim; precision/recall "
        "per threshold in `python bench/claims.py --pairs`. A change regroups the stored claims on the "
        "next ingest or analyze.",
    ),
    Setting(
        "report_documents",
        1000,
        "STORYLINE_REPORT_DOCUMENTS",
        "Most documents a report reads. The whole-corpus report (`storyline report` without a story, the "
        "app's /report), above it: the documents of the corpus's most independently-sourced claims and "
        "events, then of its largest stories. A story's report, above it: the documents of the story's "
        "strongest claims and events, then each episode's latest in turn. The report's title and "
        "`coverage` field say so.",
    ),
)
_BY_NAME = {s.name: s for s in SETTINGS}


def describe(config: Config) -> list[dict[str, Any]]:
    """Every setting with its value in ``config``, where that value came from, and its help
    (``storyline settings``)."""
    rows = []
    for s in SETTINGS:
        value = getattr(config, s.name)
        source = "env" if s.env in os.environ else ("default" if value == s.default else "option")
        rows.append({"name": s.name, "value": value, "default": s.default, "source": source, "env": s.env,
                     "help": s.help})
    return rows


@dataclass(slots=True)
class Config:
    db: str = field(default=_BY_NAME["db"].default)
    max_bytes: int = field(default=_BY_NAME["max_bytes"].default)
    batch_size: int = field(default=_BY_NAME["batch_size"].default)
    workers: int = field(default=_BY_NAME["workers"].default)
    cache: str = field(default=_BY_NAME["cache"].default)
    search_time_limit_ms: int = field(default=_BY_NAME["search_time_limit_ms"].default)
    stage_timeout: int = field(default=_BY_NAME["stage_timeout"].default)
    max_annotate_chars: int = field(default=_BY_NAME["max_annotate_chars"].default)
    claim_embeddings: bool = field(default=_BY_NAME["claim_embeddings"].default)
    reuse_threshold: float = field(default=_BY_NAME["reuse_threshold"].default)
    claim_threshold: float = field(default=_BY_NAME["claim_threshold"].default)
    story_threshold: float = field(default=_BY_NAME["story_threshold"].default)
    episode_threshold: float = field(default=_BY_NAME["episode_threshold"].default)
    report_documents: int = field(default=_BY_NAME["report_documents"].default)

    @classmethod
    def load(cls, **overrides: Any) -> Config:
        """Defaults, then environment variables, then explicit overrides (CLI flags)."""
        values: dict[str, Any] = {}
        for s in SETTINGS:
            if s.env in os.environ:
                values[s.name] = s.parse(os.environ[s.env])
        for name, value in overrides.items():
            if value is None:
                continue
            if name not in _BY_NAME:
                raise StorylineError("E403", name=name, known=", ".join(_BY_NAME))
            values[name] = value
        return cls(**values)


assert {f.name for f in fields(Config)} == set(_BY_NAME), "Config and SETTINGS disagree"
