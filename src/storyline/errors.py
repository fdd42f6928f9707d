"""Exceptions and the catalogue of coded messages.

The tree (every error carries the file, record or document it concerns)::

    StorylineError                 base: catch this to catch everything of ours
    ├── InputError                 an input cannot be turned into a document (rejected, batch goes on)
    │   ├── UnreadableInput        missing, permission denied, a directory we cannot walk
    │   ├── TooLarge               over the configured size limit
    │   ├── BinaryInput            not text (NUL bytes, an image, an archive)
    │   ├── DecodeFailed           bytes that no encoding explains
    │   ├── MalformedInput         broken JSON line, WARC record, feed
    │   └── EmptyDocument          nothing of an article left (empty file, only boilerplate)
    ├── StageError                 a per-document stage failed on one document (rejected, batch goes on)
    │   └── OverBudget             over the time or size budget (E203, E204): stages cut, text kept
    ├── StoreError                 the store cannot be opened, is newer than this code, is corrupt
    └── UsageError                 the user asked for something that does not exist (unknown doc id…)

Messages come from one catalogue, :data:`MESSAGES`, keyed by stable codes (``E101``).
Each says what is wrong and what to do next. Third-party exceptions are translated into
these once, at the boundary where they are raised.
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # input (E1xx)
    "E101": "cannot read {path}: {reason}. Check that the path exists and is readable.",
    "E102": (
        "{path} is {size} bytes, over the limit of {limit} bytes. Split it, or raise the limit "
        "with --max-bytes / STORYLINE_MAX_BYTES."
    ),
    "E103": "{path} looks binary ({reason}), not a text, HTML, JSONL, WARC or feed file. Remove it from the input.",
    "E104": "cannot decode {path}: {reason}. Convert it to UTF-8 or give its encoding.",
    "E105": "{path}: malformed {kind}: {reason}. Fix or drop this record; the rest of the file was read.",
    "E106": "{path}: no article text left after cleaning{detail}. Nothing to analyse in this input.",
    "E107": "{path}: {kind} record has neither text nor html content. Add a 'text' or 'html' field.",
    "E108": "{path}: unsupported input ({reason}). Supported: .txt, .html, .jsonl, .warc(.gz), RSS/Atom feeds.",
    "E109": "{path}: metadata sidecar problem: {reason}. Each line must be a JSON object with a 'file' key.",
    # input hardening (issue #15): every reader runs behind one guard (storyline.ingest.guard)
    "E110": (
        "{path}: reading stopped{where}: {reason}. What was read before is kept and the other inputs were "
        "read; if the file looks valid, please report this."
    ),
    "E111": "{path}: corrupt compressed data ({reason}){kept}. Re-download or re-compress the file.",
    "E112": "{path}: no documents found in it ({reason}). Check that this is the file you meant to ingest.",
    "E113": (
        "{path}: {count} records rejected ({codes}); the first: {examples}. Fix or drop them; the file's "
        "other records were read."
    ),
    "E114": (
        "{path}: symbolic link to {target}, outside the input folders: skipped. Pass --follow-symlinks to "
        "read it anyway."
    ),
    "E115": "{path}: metadata field {field!r} {action}: {reason}. The document was kept.",
    # stages (E2xx)
    "E201": "stage {stage!r} failed on document {doc} ({path}): {reason}. Re-run with `storyline analyze` after fixing; other documents were processed.",
    "E202": "pipeline misconfigured: stage {stage!r} reads {slot!r}, which no earlier stage writes.",
    # per-document budgets (issue #15, storyline.budget): a document over one never stalls the batch
    "E203": (
        "stage {stage!r} ran past the time budget of {budget} s on document {doc} ({path}, {size} characters)"
        "{effect}. Raise STORYLINE_STAGE_TIMEOUT and run `storyline analyze --force` to try again; other "
        "documents were processed."
    ),
    "E204": (
        "document {doc} ({path}) has {size} characters of text, over the annotation limit of {limit}: its "
        "text is stored and searchable, stages {stages} were not run. Raise STORYLINE_MAX_ANNOTATE_CHARS and "
        "run `storyline analyze --force` to annotate it."
    ),
    # executors (issue #13, storyline.executor)
    "E205": (
        "the Ray engine needs the optional extra: pip install 'storyline[{extra}]' (or run without "
        "--engine ray: the local engine needs nothing more)."
    ),
    "E206": "unknown engine {engine!r}: use 'local' (default; --workers N for N processes) or 'ray'.",
    "E207": "stage {stage!r} declares slot {slot!r}, which Doc does not have (known: {known}). Fix the stage's reads/writes.",
    # store (E3xx)
    "E301": "cannot open store {path}: {reason}.",
    "E302": (
        "store {path} has schema version {found}, newer than this storyline ({known}). "
        "Upgrade storyline to read it."
    ),
    "E303": "no store at {path}. Create one with `storyline ingest PATH --db {path}` (or `storyline demo`).",
    # damaged stores (issue #15): readers name the store and the way to see the damage
    "E304": (
        "store {path} could not be read ({reason}). Run `storyline check --db {path}` to list any damage; "
        "then restore the file from a backup, or re-create the store with `storyline ingest`."
    ),
    "E305": (
        "store {path} failed the check a writer makes before writing ({reason}); nothing was written to "
        "it. Run `storyline check --db {path}` to list the damage, then restore the file from a backup, or "
        "ingest into a new store (--db NEW.db)."
    ),
    "E306": (
        "store {path}: a stored value of {what} cannot be decoded ({reason}). Run `storyline check "
        "--db {path}` to list the damage."
    ),
    "E307": (
        "store {path} is damaged (problems listed above: {count}). Restore the file from a backup, or "
        "re-create the store with `storyline ingest` into a new --db."
    ),
    # usage (E4xx)
    "E401": "no document {doc!r} in {path}. List documents with `storyline docs`.",
    "E402": "{what} is ambiguous: {matches}. Give more characters of the id.",
    "E403": "unknown setting {name!r}. Known settings: {known}.",
    "E404": "invalid value for setting {name!r}: {reason}.",
    "E405": "unknown stage(s) {stages}. Known stages: {known}.",
    "E406": "{what} needs --out FILE (binary output is not written to a terminal).",
    "E407": "no story {story!r} in {path}. List stories with `storyline stories`.",
    "E408": (
        "{what} {ref!r} is too short: an id prefix needs 4 or more characters. List ids with "
        "`storyline {listing}`."
    ),
    # web app (E5xx): the JSON API's error shape carries these codes
    "E501": "{what} {ident!r} not found. {hint}",
    "E502": "invalid request: {reason}.",
    "E503": (
        "authentication required: send the header `Authorization: Bearer TOKEN`, or open a link "
        "with ?token=TOKEN once (it sets a cookie)."
    ),
    "E504": "internal error while serving {path}. The server log has the details; please report it.",
    "E505": (
        "refusing to serve on {host} without a token: anyone who can reach that address could read "
        "the store. Give a token of 16+ characters ($STORYLINE_TOKEN or --token-file FILE), or bind "
        "127.0.0.1."
    ),
    "E506": "{feature} is not available in this installation ({reason}).",
    "E507": "method {method} not allowed on {path}: the web app is read-only.",
    "E508": "HTTP error {status}: {reason}.",
    # web app limits (issue #15): what one request may cost
    "E509": (
        "search too complex: {reason}. Search with fewer words, or longer prefixes (raqq* rather than r*)."
    ),
    "E510": (
        "search stopped after {limit_ms} ms (the time limit of one search). Search with fewer words, or "
        "longer prefixes; the limit is STORYLINE_SEARCH_TIME_LIMIT_MS."
    ),
    "E511": "invalid parameter {name}: {reason}.",
    "E512": (
        "unusable access token: {reason}. Use at least {minimum} characters, e.g. from "
        "`python -c 'import secrets; print(secrets.token_urlsafe())'`, given with $STORYLINE_TOKEN or "
        "--token-file FILE."
    ),
}


def message(code: str, **context: object) -> str:
    return f"[{code}] " + MESSAGES[code].format(**context)


class StorylineError(Exception):
    """Base class. ``code`` is the catalogue key; ``context`` the values in the message."""

    code = "E000"

    def __init__(self, code: str | None = None, **context: object) -> None:
        if code is not None:
            self.code = code
        self.context = context
        super().__init__(message(self.code, **context))

    @property
    def path(self) -> str | None:
        p = self.context.get("path")
        return str(p) if p is not None else None


class InputError(StorylineError):
    stage = "read"


class UnreadableInput(InputError):
    code = "E101"


class TooLarge(InputError):
    code = "E102"


class BinaryInput(InputError):
    code = "E103"


class DecodeFailed(InputError):
    code = "E104"


class MalformedInput(InputError):
    code = "E105"


class EmptyDocument(InputError):
    code = "E106"
    stage = "clean"


class StageError(StorylineError):
    code = "E201"


class OverBudget(StageError):
    """A document ran over a per-document budget (E203 time, E204 size): the stages it cut
    are skipped, and the document keeps its text unless the cut stage makes the text."""

    code = "E203"


class StoreError(StorylineError):
    code = "E301"


class UsageError(StorylineError):
    code = "E401"

