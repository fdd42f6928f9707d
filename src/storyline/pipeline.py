"""Per-document stages and the one batch entry point that runs them.

A stage is a named, versioned pure function ``Doc -> {slot: value}`` that declares the
:class:`~storyline.types.Doc` slots it reads and writes. :class:`Pipeline` orders the
registered stages, checks each one's reads are written earlier (E202), attaches results
(compute, then write), and turns a failing document into a :class:`Rejection` instead of
failing the batch. Where the stages run (in-process, a pool of worker processes, Ray) is
:mod:`storyline.executor`'s concern. Each document runs under a time and size
budget (:mod:`storyline.budget`): a stage over it is cut and skipped with its dependents, the
document keeps its text, and the rejection (E203, E204) says what did not run.

Stage versions are stored with each document's results; bumping a version makes
``storyline analyze`` recompute that stage (and those after it) on every document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import MISSING, dataclass, fields
from typing import Any

from .budget import Budget
from .errors import OverBudget, StageError, StorylineError
from .types import Doc, Rejection

# Slots a document has before any stage runs (set by the reader / the store).
BASE_SLOTS = frozenset({"id", "source_path", "locator", "content_type", "raw", "input_meta"})
# Written by the language stage; stages that declare ``languages`` are ordered after it.
LANGUAGE_SLOT = "language_spans"
_DOC_FIELDS = {f.name: f for f in fields(Doc)}

StageFunc = Callable[[Doc], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    version: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    func: StageFunc
    help: str = ""
    # Languages the stage's models and rules cover (ISO 639-1); None: any language.
    languages: tuple[str, ...] | None = None

    def skip_reason(self, doc: Doc) -> str | None:
        """Why this stage must not run on ``doc`` ("language pt"), or None."""
        from .clean.language import covers

        if self.languages is None or covers(self.languages, doc.meta.language, doc.meta.language_scores):
            return None
        return f"language {doc.meta.language}"

    def __call__(self, doc: Doc) -> None:
        values = self.func(doc)  # pure compute
        if set(values) != set(self.writes):
            raise StageError(
                stage=self.name, doc=doc.id, path=doc.source_path,
                reason=f"wrote {sorted(values)}, declared {sorted(self.writes)}",
            )
        for slot, value in values.items():  # then write
            setattr(doc, slot, value)
        doc.stage_versions[self.name] = self.version


_REGISTRY: dict[str, Stage] = {}


def stage(
    name: str, *, version: str, reads: Iterable[str], writes: Iterable[str],
    languages: Iterable[str] | None = None,
) -> Callable[[StageFunc], StageFunc]:
    """Register a per-document stage (decorator). The pipeline orders stages by the slots
    they read and write; among stages that are ready together, registration order holds.
    ``languages`` declares the languages the stage covers: it runs after the ``language``
    stage (when the pipeline has it) and is skipped on documents in other languages."""

    reads, writes = tuple(reads), tuple(writes)
    # Like spaCy's assigns/requires check: a misspelt slot fails at registration, not mid-batch.
    for slot in (*reads, *writes):
        if slot not in _DOC_FIELDS:
            raise StorylineError("E207", stage=name, slot=slot, known=", ".join(sorted(_DOC_FIELDS)))

    def register(func: StageFunc) -> StageFunc:
        langs = tuple(languages) if languages is not None else None
        doc = (func.__doc__ or "").strip()
        _REGISTRY[name] = Stage(name, version, reads, writes, func, doc, langs)
        return func

    return register


def registered() -> list[Stage]:
    _load_builtin_stages()
    return list(_REGISTRY.values())


def _load_builtin_stages() -> None:
    from .stages import annotate, citations, clean, language  # noqa: F401  (register on import)


class Pipeline:
    """The ordered stages a document goes through."""

    def __init__(self, names: Iterable[str] | None = None) -> None:
        stages = registered()
        if names is not None:
            wanted = list(names)
            by_name = {s.name: s for s in stages}
            stages = [by_name[n] for n in wanted]
        # Order by what each stage reads: a stage runs once every slot it reads is written.
        available, ordered, waiting = set(BASE_SLOTS), [], list(stages)
        # A stage that covers some languages only waits for the language stage, when there is one.
        identified = any(LANGUAGE_SLOT in s.writes for s in stages)

        def needs(s: Stage) -> set[str]:
            return set(s.reads) | ({LANGUAGE_SLOT} if identified and s.languages is not None else set())

        while waiting:
            ready = next((s for s in waiting if needs(s) <= available), None)
            if ready is None:
                s = waiting[0]
                raise StorylineError("E202", stage=s.name, slot=sorted(set(s.reads) - available)[0])
            waiting.remove(ready)
            ordered.append(ready)
            available.update(ready.writes)
        self.stages = ordered

    @property
    def slots(self) -> list[str]:
        """Every slot some stage of this pipeline writes (and ``skipped`` where a stage may be skipped)."""
        skippable = any(s.languages is not None for s in self.stages)
        return [slot for s in self.stages for slot in s.writes] + (["skipped"] if skippable else [])

    @property
    def versions(self) -> dict[str, str]:
        return {s.name: s.version for s in self.stages}

    def process(self, doc: Doc, budget: Budget | None = None) -> tuple[Doc, Rejection | None]:
        """Run every stage on ``doc`` within ``budget`` (default: the settings' defaults; see
        :mod:`storyline.budget`); a failure rejects the document, never the batch."""
        run, over = (budget or Budget.default()).start(doc), None
        for s in self.stages:
            doc.skipped.pop(s.name, None)
            if (reason := s.skip_reason(doc)) is not None:
                _skip(doc, s, reason)
                continue
            if (reason := run.blocked(s)) is not None:  # after an overrun: what it cut is missing
                _skip(doc, s, reason)
                run.skipped(s)
                continue
            try:
                run.run(s, doc)
            except OverBudget as exc:
                # Cut, not failed: recorded as this stage version's result (analyze --force retries).
                _skip(doc, s, run.overrun(s, exc))
                over = over or exc
                if "text" in s.writes:  # the text itself was not made: nothing to keep
                    doc.stage_versions.update(self.versions)
                    doc.status = "rejected"
                    _drop_transient(doc)
                    return doc, _over_budget(doc, over, run.message(over, rejected=True))
                continue
            except StorylineError as exc:
                # The rejection is this stage version's result: analyze retries it after an upgrade.
                doc.stage_versions[s.name] = s.version
                doc.status = "rejected"
                _drop_transient(doc)
                stage_name = getattr(exc, "stage", None) if not isinstance(exc, StageError) else s.name
                return doc, Rejection(
                    source_path=doc.source_path, stage=stage_name or s.name, code=exc.code,
                    message=str(exc), locator=doc.locator, doc=doc.id,
                )
            except Exception as exc:  # a bug or a library failure on this one document
                err = StageError(stage=s.name, doc=doc.id, path=doc.source_path, reason=f"{type(exc).__name__}: {exc}")
                doc.stage_versions[s.name] = s.version
                doc.status = "rejected"
                _drop_transient(doc)
                return doc, Rejection(
                    source_path=doc.source_path, stage=s.name, code=err.code, message=str(err),
                    locator=doc.locator, doc=doc.id,
                )
        doc.status = "ok"
        _drop_transient(doc)
        # Over a budget but text kept: the document is ok, its rejection says what did not run.
        return doc, (_over_budget(doc, over, run.message(over, rejected=False)) if over else None)


def _skip(doc: Doc, s: Stage, reason: str) -> None:
    """A skipped stage leaves its slots empty (never a stale result from an earlier run) and
    records its version, so ``analyze`` does not retry it, and why it did not run."""
    for slot in s.writes:
        f = _DOC_FIELDS[slot]
        setattr(doc, slot, f.default_factory() if f.default_factory is not MISSING else f.default)
    doc.stage_versions[s.name] = s.version
    doc.skipped[s.name] = reason


def _over_budget(doc: Doc, exc: OverBudget, message: str) -> Rejection:
    return Rejection(
        source_path=doc.source_path, stage=str(exc.context["stage"]), code=exc.code, message=message,
        locator=doc.locator, doc=doc.id,
    )


def _drop_transient(doc: Doc) -> None:
    """Transient slots (a spaCy Doc) never leave the pass that made them."""
    from .layers import TRANSIENT_SLOTS

    for slot in TRANSIENT_SLOTS:
        setattr(doc, slot, None if slot == "nlp" else [])
