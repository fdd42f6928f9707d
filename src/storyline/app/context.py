"""What the app knows: the store (one read-only connection per thread) and the few small
views cached per store generation (see :mod:`.cache`).

Pages read the stored corpus layers partially (:mod:`.reads`,
:mod:`storyline.corpus.entity_store`): a document page reads that document's rows, a listing
one page and a COUNT, an entity or place page that record. Nothing corpus-wide is held in
memory but the place summaries (one small dict per place; refreshed in the background after
an ingest, the previous ones served meanwhile), the story list and an LRU of rendered story
reports.

A store written by an older storyline has no story tables until a command that may write
opens it (the app is read-only): story pages then answer E506 and the rest still works.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Callable
from typing import Any

from ..errors import StorylineError
from ..store import Store
from ..types import Doc, DocMeta
from .cache import CorpusCache, Stores


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
HOME_STORIES = 100  # stories listed on the home page (the largest)
CACHED_STORIES = 200  # story lists this long or shorter (the home page, the first pages) are cached


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
        for view in (self.counts, self.story_count, self.behind, self.place_index, lambda: self.stories(HOME_STORIES)):
            try:
                view()
            except Exception:  # noqa: BLE001 - the page that needs it shows the error
                log.debug("warm-up of %s failed", view.__name__, exc_info=True)
        try:  # the largest stories' pages are the likeliest first visits
            for story in self.stories(WARM_STORIES):
                self.report_html(story.id)
        except Exception:  # noqa: BLE001
            log.debug("warm-up of story pages failed", exc_info=True)
        self.warmed = True

    def close(self) -> None:
        self.stores.close()
        self.cache.close()
        self.search_cache.close()

    # -- small views (cached per generation) -----------------------------------------------
    def place_index(self) -> list[dict[str, Any]]:
        """Every place's summary, in the listing order (:func:`~storyline.corpus.entity_store.place_index`:
        the place index's rows; the map's places), recomputed in the background after an
        ingest while the previous summaries are served. The place listing and a place's page
        read their rows only (:func:`~storyline.corpus.entity_store.place_page`, ``place_summary``)."""
        from ..corpus.entity_store import place_index

        def compute() -> list[dict[str, Any]]:
            with Store(self.db_path, readonly=True) as store:  # its own connection: may run in a refresh thread
                return place_index(store)

        return self.cache.get("place-index", compute, background=True)

    def entity_listing(self, offset: int, size: int, type: str | None) -> tuple[list[dict[str, Any]], int, list[str]]:
        """(summaries of entities offset:offset + size of the listing, total, the entity types): counted in
        SQL over the page's entities' mentions (2 s at 10,000 documents for the first page,
        whose entities carry most mentions), so each page is kept per generation (LRU) and
        refreshed in the background after an ingest."""
        from ..corpus.entity_store import entity_page

        def compute() -> tuple[list[dict[str, Any]], int, list[str]]:
            with Store(self.db_path, readonly=True) as store:  # its own connection: may run in a refresh thread
                items, total = entity_page(store, offset=offset, limit=size, type=type, summary=True)
                types = [r[0] for r in store.conn.execute("SELECT DISTINCT type FROM entity_mentions ORDER BY type")]
            return items, total, types

        return self.cache.get(f"entities:{type or ''}:{offset}:{size}", compute, background=True)

    def behind(self) -> dict[str, int]:
        """Current, ok documents each stored corpus layer has not taken in yet."""
        from ..corpus.scope import behind

        return self.cache.get("behind", lambda: {step: behind(self.store(), step)
                                                 for step in ("claims", "events", "entities")})

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
        from ..corpus.persist import count_copied_passages

        def compute() -> dict[str, int]:
            store = self.store()
            counts = store.counts()
            counts["copied_passages"] = count_copied_passages(store)  # the reuse listing's total
            return counts

        return self.cache.get("counts", compute)

    def stories(self, limit: int | None = None) -> list[Any]:
        """The first ``limit`` stories (largest first; all with None: the exports), each built
        from its own members only; the first pages' lists are cached per generation."""
        story_list, _ = story_functions()

        def compute() -> list[Any]:
            try:
                with Store(self.db_path, readonly=True) as store:  # its own connection: may run in a refresh thread
                    return list(story_list(store, limit=limit))
            except sqlite3.OperationalError as exc:  # a store written before stories existed
                raise StorylineError(
                    "E506", feature="stories", reason=f"{exc}; open the store once with `storyline analyze`"
                ) from None

        if limit is None or limit > CACHED_STORIES:
            return compute()
        # building a story reads all its members (3 s for the 100 largest of 1,000 documents):
        # after an ingest the previous list is served while it is rebuilt in the background
        return self.cache.get(f"stories:{limit}", compute, background=True)

    def story_count(self) -> int:
        """How many stories the current documents form (a COUNT over the story index)."""
        from .reads import story_count

        def compute() -> int:
            try:
                return story_count(self.store())
            except sqlite3.OperationalError as exc:
                raise StorylineError(
                    "E506", feature="stories", reason=f"{exc}; open the store once with `storyline analyze`"
                ) from None

        return self.cache.get("story-count", compute)

    def story(self, story_id: str) -> Any | None:
        """A story by id (or unique prefix), None when there is none."""
        _, story_of = story_functions()
        try:
            return story_of(self.store(), story_id)
        except StorylineError as exc:
            if exc.code in ("E407", "E401"):
                return None
            raise

    def report(self, story_id: str | None) -> tuple[Any | None, Any]:
        """(story, Report) of one story, or (None, Report) of the whole corpus — each reads at
        most the ``report_documents`` setting's documents (STORYLINE_REPORT_DOCUMENTS; its title
        and ``coverage`` say what it covers above that); a story id not found raises LookupError."""
        report = report_module()

        def compute() -> tuple[Any | None, Any]:
            store = self.store()
            if story_id is None:
                return None, report.corpus_report(store)
            story = self.story(story_id)
            if story is None:
                raise LookupError(story_id)
            return story, report.story_report(store, story)

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
