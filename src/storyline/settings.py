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
)
_BY_NAME = {s.name: s for s in SETTINGS}


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

    @classmethod
    def load(cls, **overrides: Any) -> "Config":
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
