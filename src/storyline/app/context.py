"""What the app knows: the store (one read-only connection per thread) and the corpus-wide
views computed from it, cached per store generation (see :mod:`.cache`).

A store written by an older storyline has no story tables until a command that may write
opens it (the app is read-only): story pages then answer E506 and the rest still works.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import StorylineError
from ..store import Store
from ..types import CopiedPassage, Doc, DocMeta
from .cache import CorpusCache, Stores


@dataclass(slots=True)
class Annotations:
    """Resolved entities and places of the current documents, indexed for pages."""

    entities: list[dict[str, Any]]
    places: list[dict[str, Any]]
    entity_by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    place_by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    entity_at: dict[tuple[str, int, int], str] = field(default_factory=dict)  # (doc, start, end) → entity id


@dataclass(slots=True)
class Analysis:
    """Claims and events of the current documents."""

    claims: Any  # storyline.corpus.claims.ClaimReport
    events: list[Any]  # storyline.corpus.events.Event
    claims_by_doc: dict[str, list[Any]] = field(default_factory=dict)
    events_by_doc: dict[str, list[Any]] = field(default_factory=dict)


def story_functions() -> tuple[Callable[..., Any], Callable[..., Any]]:
    from ..corpus.persist import story_list, story_of

    return story_list, story_of


def report_module() -> Any:
    from .. import report

    return report


def doc_from_row(row: Any) -> Doc:
    """A Doc with metadata only (no layers, no raw bytes): enough for ``to_record()``."""
    meta = DocMeta(**json.loads(row["meta"])) if row["meta"] else DocMeta(url=row["url"], title=row["title"])
    return Doc(
        id=row["id"],
        source_path=row["source_path"],
        locator=row["locator"],
        content_type=row["content_type"],
        raw=b"",
        meta=meta,
        status=row["status"],
        previous_id=row["previous_id"],
        superseded_by=row["superseded_by"],
    )


DOC_COLUMNS = "id, status, source_path, locator, content_type, url, title, meta, previous_id, superseded_by"


WARM_STORIES = 3  # story pages rendered at start-up, largest stories first


class AppContext:
    def __init__(self, db_path: str, *, search_time_limit_ms: int | None = None) -> None:
        self.db_path = db_path
        self.search_time_limit_ms = search_time_limit_ms  # None: no limit
        self.stores = Stores(db_path)
        self.stores.get()  # fail now (E303, E302) rather than on the first request
        self.cache = CorpusCache(db_path)
        self.warmed = False  # set once :meth:`warm` has run (reported by /api/health)
        self.search_cache = CorpusCache(db_path, max_entries=128)

    def store(self) -> Store:
        return self.stores.get()

    def warm(self) -> None:
        """Compute the corpus-wide views now (``serve`` runs this in a background thread at
        start-up), so the first visitor does not wait for them. Failures are left for the
        request that needs the view to report."""
        log = logging.getLogger("storyline.app")
        for view in (self.counts, self.stories, self.annotations, self.analysis):
            try:
                view()
            except Exception:  # noqa: BLE001 - the page that needs it shows the error
                log.debug("warm-up of %s failed", view.__name__, exc_info=True)
        try:  # the largest stories' pages are the likeliest first visits
            for story in self.stories()[:WARM_STORIES]:
                self.report_html(story.id)
        except Exception:  # noqa: BLE001
            log.debug("warm-up of story pages failed", exc_info=True)
        self.warmed = True

    def close(self) -> None:
        self.stores.close()
        self.cache.close()
        self.search_cache.close()

    # -- corpus views (cached per generation) ----------------------------------------------
    def annotations(self) -> Annotations:
        def compute() -> Annotations:
            from ..corpus.entity_store import entity_list, place_list

            store = self.store()
            ann = Annotations(entity_list(store), place_list(store))
            ann.entity_by_id = {e["id"]: e for e in ann.entities}
            ann.place_by_id = {p["id"]: p for p in ann.places}
            for e in ann.entities:
                for m in e["mentions"]:
                    ann.entity_at[(m["doc"], m["start"], m["end"])] = e["id"]
            return ann

        return self.cache.get("annotations", compute)

    def analysis(self) -> Analysis:
        def compute() -> Analysis:
            from ..corpus.persist import claim_report, event_list

            store = self.store()
            claims = claim_report(store)
            events = event_list(store, claims=claims)
            out = Analysis(claims, events)
            for c in claims.claims:
                for d in c.documents:
                    out.claims_by_doc.setdefault(d, []).append(c)
            for e in events:
                for d in e.documents:
                    out.events_by_doc.setdefault(d, []).append(e)
            return out

        return self.cache.get("analysis", compute)

    def search(self, query: str | None, *, limit: int, offset: int) -> Any:
        """Full-text search; each query's ranked rowids are cached per generation, so the
        next pages of a query cost only their snippets."""
        from .search import excluded_rowids, ranked_rowids, search

        conn = self.store().conn

        def ranker(fts: str) -> Any:
            excluded = self.cache.get("search-excluded", lambda: excluded_rowids(conn))
            return self.search_cache.get(fts, lambda: ranked_rowids(conn, fts, excluded))

        return search(conn, query, limit=limit, offset=offset, ranker=ranker,
                      time_limit_ms=self.search_time_limit_ms)

    def counts(self) -> dict[str, int]:
        def compute() -> dict[str, int]:
            store = self.store()
            counts = store.counts()
            counts["copied_passages"] = store.conn.execute(
                "SELECT count(*) FROM copied_passages WHERE discounted IS NULL").fetchone()[0]
            return counts

        return self.cache.get("counts", compute)

    def passages(self) -> list[CopiedPassage]:
        from ..corpus.persist import copied_passages

        return self.cache.get("passages", lambda: copied_passages(self.store()))

    def stories(self) -> list[Any]:
        story_list, _ = story_functions()

        def compute() -> list[Any]:
            try:
                return list(story_list(self.store()))
            except sqlite3.OperationalError as exc:  # a store written before stories existed
                raise StorylineError(
                    "E506", feature="stories", reason=f"{exc}; open the store once with `storyline analyze`"
                ) from None

        return self.cache.get("stories", compute)

    def story(self, story_id: str) -> Any | None:
        """A story by id (or unique prefix), None when there is none."""
        for s in self.stories():
            if str(s.id) == story_id:
                return s
        _, story_of = story_functions()
        try:
            return story_of(self.store(), story_id)
        except StorylineError as exc:
            if exc.code in ("E407", "E401"):
                return None
            raise

    def report(self, story_id: str | None) -> tuple[Any | None, Any]:
        """(story, Report) of one story, or (None, Report) of the whole corpus; None story
        id not found raises LookupError."""
        report = report_module()

        def compute() -> tuple[Any | None, Any]:
            store = self.store()
            if story_id is None:
                return None, report.corpus_report(store)
            story = self.story(story_id)
            if story is None:
                raise LookupError(story_id)
            return story, report.build_report(store, list(story.documents), title=story.title, story=story.to_record())

        return self.cache.get(f"report:{story_id or ''}", compute)

    def report_html(self, story_id: str | None) -> str:
        """The rendered report page, cached with the report."""

        def compute() -> str:
            _, rep = self.report(story_id)
            html = str(report_module().render_html(
                rep, standalone=False, static_url="/static/report", doc_url=doc_url, nav=[("storyline", "/")],
            ))
            return with_site_nav(html)

        return self.cache.get(f"report-html:{story_id or ''}", compute)


_REPORT_NAV = re.compile(r'<nav class="report-nav"[^>]*>.*?</nav>', re.DOTALL)


def with_site_nav(html: str) -> str:
    """The report page with the app's own navigation bar (links, search box: the same on
    every page) in place of the report's link row, and its stylesheet in the head."""
    from .pages import TEMPLATES

    header = TEMPLATES.get_template("_nav.html").render(q="")
    html = html.replace("</head>", '<link rel="stylesheet" href="/static/app/nav.css">\n</head>', 1)
    if _REPORT_NAV.search(html):
        return _REPORT_NAV.sub(lambda _m: header, html, count=1)
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + header, html, count=1)


def doc_url(doc: str, start: int | None = None, end: int | None = None) -> str:
    """Link to a document (and an evidence span in it) in this app; given to the report."""
    from .markup import evidence_href, path_part

    if start is None or end is None:
        return f"/docs/{path_part(doc)}"
    return evidence_href(doc, start, end)
