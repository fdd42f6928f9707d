"""Server-rendered HTML pages (Jinja2, autoescaped; see :mod:`.markup` for the few pieces
of HTML built in Python)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse, Response

from ..countries import country_name
from ..errors import StorylineError
from ..quoting import quoted
from ..report.html import script_json
from ..timefmt import display as time_display
from ..types import Doc
from .context import DOC_COLUMNS, HOME_STORIES, AppContext, doc_from_row
from .markup import Mark, context, evidence_href, marked_text, path_part, safe_url
from .responses import not_found

TEMPLATES = Environment(
    loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
TEMPLATES.filters["json_script"] = script_json
TEMPLATES.filters["quoted"] = quoted
TEMPLATES.globals.update(safe_url=safe_url, evidence_href=evidence_href, path_part=path_part)


def _export_links(name: str, type: str | None = None) -> dict[str, str]:
    from .exports import export_links

    return export_links(name, type)


TEMPLATES.globals["export_links"] = _export_links
TEMPLATES.globals["country_name"] = country_name

PAGE_SIZE = 20
LIST_SIZE = 100
MAX_MENTIONS = 200
#: events per timeline page (in time order: the stored events' listing order)
TIMELINE_SIZE = 200
#: claims and events listed on a document page (the rest counted)
DOC_ITEMS = 200

router = APIRouter()


def render(name: str, status: int = 200, **values: Any) -> HTMLResponse:
    return HTMLResponse(TEMPLATES.get_template(name).render(**values), status_code=status)


def render_error(status: int, title: str, code: str, text: str) -> str:
    return TEMPLATES.get_template("error.html").render(status=status, title=title, code=code, message=text)


def ctx_of(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.storyline
    return ctx


def _stories_or_error(ctx: AppContext, offset: int, limit: int) -> tuple[list[Any], int, str | None]:
    """(the stories at offset:offset + limit, how many there are, the error shown instead)."""
    try:
        return ctx.stories(offset + limit)[offset:], ctx.story_count(), None
    except StorylineError as exc:
        return [], 0, str(exc)


def _doc_rows(ctx: AppContext, ids: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    conn = ctx.store().conn
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        for r in conn.execute(
            f"SELECT id, title, outlet, published, text FROM documents WHERE id IN ({','.join('?' * len(chunk))})", chunk
        ):
            out[r["id"]] = r
    return out


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> Response:
    ctx = ctx_of(request)
    store = ctx.store()
    conn = store.conn
    counts = ctx.counts()
    stories, story_total, stories_error = _stories_or_error(ctx, 0, HOME_STORIES)
    recent = [
        doc_from_row(r).to_record()
        for r in conn.execute(
            f"SELECT {DOC_COLUMNS} FROM documents WHERE superseded_by IS NULL ORDER BY rowid DESC LIMIT 20"
        )
    ]
    rejections = ctx.cache.get("rejections", store.rejections)
    return render(
        "overview.html", counts=counts, stories=stories, story_total=story_total, stories_error=stories_error,
        recent=recent, rejections=rejections[:20], rejection_total=len(rejections), db=ctx.db_path,
    )


@router.get("/stories", response_class=HTMLResponse)
def stories_page(request: Request, page: int = Query(1, ge=1, le=100_000)) -> Response:
    stories, total, stories_error = _stories_or_error(ctx_of(request), (page - 1) * LIST_SIZE, LIST_SIZE)
    return render("stories.html", stories=stories, stories_error=stories_error, total=total, page=page,
                  pages=max(1, -(-total // LIST_SIZE)))


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(request: Request, story_id: str) -> Response:
    ctx = ctx_of(request)
    try:
        return HTMLResponse(ctx.report_html(story_id))
    except LookupError:
        raise not_found("story", story_id, "The stories are listed at /stories.") from None


@router.get("/report", response_class=HTMLResponse)
def corpus_report(request: Request) -> Response:
    return HTMLResponse(ctx_of(request).report_html(None))


def _place_id(p: Any) -> str:
    return str(p.gazetteer_id) if p.resolved and p.gazetteer_id else f"unresolved:{p.text.lower()}"


def doc_marks(doc: Doc, entity_at: Mapping[tuple[int, int], str], passages: list[Any],
              labels: dict[str, str]) -> list[Mark]:
    """Every annotation of ``doc`` as a :class:`Mark` (links to entity, place and other
    documents' pages); ``entity_at``: (start, end) → resolved entity id of its mentions."""
    marks: list[Mark] = []
    for m in doc.entities:
        eid = entity_at.get((m.start, m.end))
        marks.append(Mark(m.start, m.end, "entity", f"{m.type}: {m.canonical}",
                          f"/entities/{path_part(eid)}" if eid else None, 3))
    for p in doc.places:
        where = ", ".join(x for x in (p.kind, p.country) if x)
        marks.append(Mark(p.start, p.end, "place", f"place: {p.name or p.text}" + (f" ({where})" if where else ""),
                          f"/places/{path_part(_place_id(p))}", 4))
    for t in doc.times:
        marks.append(Mark(t.start, t.end, "time", f"time: {time_display(t.value) if t.value else 'unresolved'}"))
    for q in doc.quantities:
        rng = f"{q.low if q.low is not None else '?'}–{q.high if q.high is not None else '?'}"
        marks.append(Mark(q.start, q.end, "quantity", f"quantity: {rng} {q.unit or ''}".strip()))
    for a in doc.attributions:
        who = a.speaker_name or a.speaker_text or "unattributed"
        label = f"claim: {who} {a.cue_lemma} ({a.certainty})"
        for s, e in a.content_parts or (a.content,):
            marks.append(Mark(s, e, "claim", label))
        marks.append(Mark(a.cue[0], a.cue[1], "cue", f"attribution cue: {a.cue_lemma}"))
        if a.speaker:
            marks.append(Mark(a.speaker[0], a.speaker[1], "speaker", f"speaker: {who}"))
    for p in passages:
        if p.copy.doc == doc.id:
            mine, other, how = p.copy, p.source, "copied from"
        else:
            mine, other, how = p.source, p.copy, "copied by" if p.direction == "source_to_copy" else "shared with"
        marks.append(Mark(mine.start, mine.end, "copied", f"{how} {labels.get(other.doc, other.doc)}",
                          evidence_href(other.doc, other.start, other.end), 1))
    return marks


#: the document page's highlight layers (Mark kinds), in the order of their toggles
LAYERS = (("entity", "entities"), ("place", "places"), ("time", "times"), ("quantity", "quantities"),
          ("claim", "claims"), ("cue", "cues"), ("speaker", "speakers"), ("copied", "copied passages"))
#: drawn until a reader changes them (then their choice, kept in localStorage, wins): all eight
#: at once made the text hard to read (issue #14); claims keep their cue words and speakers
#: findable through the claims list below the text
DEFAULT_LAYERS = frozenset({"entity", "place", "claim", "copied"})


def doc_layers(doc: Doc, marks: list[Mark]) -> list[tuple[str, str, int]]:
    """(kind, label, how many) for each toggle; copied passages and claims are counted once
    each, not per marked piece."""
    n = {kind: sum(1 for m in marks if m.kind == kind) for kind, _ in LAYERS}
    n["claim"] = len(doc.attributions)
    return [(kind, label, n[kind]) for kind, label in LAYERS]


def _language(rec: dict[str, Any]) -> dict[str, Any] | None:
    """The document page's language line, its passages in other languages, and the skip note."""
    from ..clean.language import language_label, not_analysed_note

    if not rec.get("language"):
        return None
    return {
        "label": language_label(rec["language"], rec.get("language_confidence"), rec.get("language_scores")),
        "spans": rec.get("language_spans") or [],
        "not_analysed": not_analysed_note(rec["not_analysed"]) if rec.get("not_analysed") else None,
    }


@router.get("/docs/{doc_id}", response_class=HTMLResponse)
def doc_page(request: Request, doc_id: str) -> Response:
    ctx = ctx_of(request)
    store = ctx.store()
    doc = store.get(doc_id, with_raw=False)
    rec = doc.to_record(full=True)
    conn = store.conn
    rows = conn.execute(
        "SELECT * FROM copied_passages WHERE (source_doc = ? OR copy_doc = ?) AND discounted IS NULL"
        " ORDER BY source_start, copy_start",  # site-template passages are not copying
        (doc.id, doc.id),
    ).fetchall()
    from ..types import CopiedPassage, Span

    others = _doc_rows(ctx, sorted({r["source_doc"] for r in rows} | {r["copy_doc"] for r in rows}))

    def span(d: str, s: int, e: int) -> Span:
        text = (others[d]["text"] if d in others else "") or ""
        return Span(d, s, e, text[s:e])

    passages = [
        CopiedPassage(span(r["source_doc"], r["source_start"], r["source_end"]),
                      span(r["copy_doc"], r["copy_start"], r["copy_end"]), r["similarity"], r["direction"])
        for r in rows if r["source_doc"] in others and r["copy_doc"] in others
    ]
    labels = {d: (r["outlet"] or r["title"] or d) for d, r in others.items()}
    entity_at: dict[tuple[int, int], str] = {}
    claims: list[Any] = []
    events: list[Any] = []
    notes: list[str] = []
    if doc.text and doc.status == "ok" and not doc.superseded_by:  # this document's rows only
        from ..corpus.entity_store import entity_ids_in
        from .reads import doc_analysis

        claims, events = doc_analysis(store, doc.id)
        try:
            entity_at = entity_ids_in(store, doc.id)
        except StorylineError as exc:  # a store older than the stored entities: the text without entity links
            notes.append(str(exc))
        notes += _behind_notes(ctx, doc.id)
    marks = doc_marks(doc, entity_at, passages, labels)
    body = marked_text(doc.text or "", marks)
    sightings = [f"{p} ({loc})" if loc else p for p, loc in store.sightings(doc.id)]
    return render(
        "doc.html", doc=rec, body=body, passages=passages, labels=labels, claims=claims[:DOC_ITEMS],
        events=events[:DOC_ITEMS], claims_total=len(claims), events_total=len(events),
        url_href=safe_url(rec.get("url")), sightings=sightings, language=_language(rec),
        layers=doc_layers(doc, marks), default_layers=DEFAULT_LAYERS, notes=notes,
    )


#: what each stored corpus layer is called in the notes
LAYER_NAMES = {"claims": "claims", "events": "events", "entities": "entities, places and times"}


def _analyze(ctx: AppContext) -> str:
    import shlex

    return f"storyline analyze --db {shlex.quote(ctx.db_path)}"


def behind_note(ctx: AppContext, step: str) -> str | None:
    """"N documents not yet in the stored …: run `storyline analyze …`", as the command line
    says it (None when the layer has taken every document in)."""
    n = ctx.behind().get(step, 0)
    if not n:
        return None
    return f"{n} document{'' if n == 1 else 's'} not yet in the stored {LAYER_NAMES[step]}: run `{_analyze(ctx)}`"


def _behind_notes(ctx: AppContext, doc_id: str) -> list[str]:
    """A note per stored layer this document is not in yet."""
    conn = ctx.store().conn
    return [
        f"This document is not yet in the stored {LAYER_NAMES[step]}: run `{_analyze(ctx)}`"
        for step in LAYER_NAMES
        if ctx.behind().get(step)
        and conn.execute("SELECT 1 FROM corpus_indexed WHERE step = ? AND doc_id = ?", (step, doc_id)).fetchone() is None
    ]


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: str = "", page: int = Query(1, ge=1, le=10_000)) -> Response:
    ctx = ctx_of(request)
    try:
        result = ctx.search(q, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    except StorylineError as exc:  # too complex, or over the time limit: the form stays, with why
        from .responses import LIMIT_STATUS
        from .search import SearchResult

        if exc.code not in LIMIT_STATUS:
            raise
        failed = SearchResult(query=q, fts_query=None, mode="empty", message=str(exc))
        return render("search.html", status=LIMIT_STATUS[exc.code], q=q, result=failed, page=1, pages=1)
    pages = max(1, -(-result.total // PAGE_SIZE))
    return render("search.html", q=q, result=result, page=page, pages=pages)


def _mentions(ctx: AppContext, mentions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = _doc_rows(ctx, sorted({m["doc"] for m in mentions[:MAX_MENTIONS]}))
    out = []
    for m in mentions[:MAX_MENTIONS]:
        r = rows.get(m["doc"])
        before, span, after = context((r["text"] if r else "") or "", m["start"], m["end"])
        out.append({**m, "before": before, "span": span or m.get("text", ""), "after": after,
                    "doc_label": (r["outlet"] or r["title"] or m["doc"]) if r else m["doc"]})
    return out


def _documents(ctx: AppContext, ids: list[str]) -> list[dict[str, Any]]:
    rows = _doc_rows(ctx, ids[:LIST_SIZE])
    return [{"id": i, "title": rows[i]["title"], "outlet": rows[i]["outlet"], "published": rows[i]["published"]}
            for i in ids[:LIST_SIZE] if i in rows]


@router.get("/entities", response_class=HTMLResponse)
def entities_page(request: Request, type: str | None = None, page: int = Query(1, ge=1, le=100_000)) -> Response:
    ctx = ctx_of(request)
    ents, total, types = ctx.entity_listing((page - 1) * LIST_SIZE, LIST_SIZE, type or None)
    return render("entities.html", entities=ents, types=types, type=type, page=page,
                  pages=max(1, -(-total // LIST_SIZE)), total=total, note=behind_note(ctx, "entities"))


@router.get("/entities/{entity_id:path}", response_class=HTMLResponse)
def entity_page(request: Request, entity_id: str) -> Response:
    """The entity's names and roles, its first mentions and documents, and how many there are."""
    from ..corpus.entity_store import entity_sample

    ctx = ctx_of(request)
    ent = entity_sample(ctx.store(), entity_id, mentions=MAX_MENTIONS, documents=LIST_SIZE)
    if ent is None:
        raise not_found("entity", entity_id, "Entities are listed at /entities.")
    return render("entity.html", entity=ent, mentions=_mentions(ctx, ent["mentions"]),
                  documents=_documents(ctx, ent["documents"]), total_mentions=ent["mention_count"],
                  total_documents=ent["document_count"])


@router.get("/places", response_class=HTMLResponse)
def places_page(request: Request, page: int = Query(1, ge=1, le=100_000)) -> Response:
    from ..corpus.entity_store import place_page

    ctx = ctx_of(request)
    places, total = place_page(ctx.store(), offset=(page - 1) * LIST_SIZE, limit=LIST_SIZE)  # the index's rows shown
    pages = max(1, -(-total // LIST_SIZE))
    return render("places.html", places=places, page=page, pages=pages, total=total, note=behind_note(ctx, "entities"))


@router.get("/places/{place_id:path}", response_class=HTMLResponse)
def place_page(request: Request, place_id: str) -> Response:
    """The place's summary (name, counts: its row of the place index) and its first
    mentions and documents, read from the documents that name it until the page is full."""
    from ..corpus.entity_store import place_of, place_sample, place_summary

    ctx = ctx_of(request)
    store = ctx.store()
    summary = place_summary(store, place_id)
    sample = place_sample(store, place_id, mentions=MAX_MENTIONS, documents=LIST_SIZE) if summary else None
    if summary is None or sample is None:  # not in the summaries (yet): the whole record
        record = place_of(store, place_id)
        if record is None:
            raise not_found("place", place_id, "Places are listed at /places.")
        summary = {**record, "mention_count": len(record["mentions"]), "document_count": len(record["documents"])}
        sample = {**record, "complete": True}
    place = {**summary, **sample}
    return render("place.html", place=place, mentions=_mentions(ctx, sample["mentions"]),
                  documents=_documents(ctx, sample["documents"]), total_mentions=summary["mention_count"],
                  total_documents=summary["document_count"])


def map_data(ctx: AppContext) -> dict[str, Any]:
    """The corpus map (:mod:`.mapdata`: the most-mentioned places and best-supported movements,
    bounded as the report's), linked into the app: a place to its page, a movement to its
    evidence in the document."""
    from ..mapview import with_links
    from .mapdata import corpus_map

    def place_href(f: Mapping[str, Any]) -> str:
        return f"/places/{path_part(str(f['id']).removeprefix('place:'))}"

    def movement_href(f: Mapping[str, Any]) -> str | None:
        ev = f["properties"].get("evidence")
        return evidence_href(ev["doc"], ev["start"], ev["end"]) if ev else None

    from ..store import Store

    with Store(ctx.db_path, readonly=True) as store:  # its own connection: may run in a refresh thread
        data = corpus_map(store, ctx.place_index())
    return with_links(data, place_href=place_href, movement_href=movement_href)


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request) -> Response:
    ctx = ctx_of(request)
    # a scan of the events' records (2 s at 10,000 documents): refreshed in the background
    data = ctx.cache.get("map-data", lambda: map_data(ctx), background=True)
    notes = [n for step in ("entities", "events") if (n := behind_note(ctx, step))]
    return render("map.html", data=data, notes=notes)


def _event_types(ctx: AppContext) -> list[tuple[str, int]]:
    """(type, events) for the timeline's filter: a scan of the events' records (0.7 s at
    10,000 documents), so it is refreshed in the background after an ingest."""
    from ..store import Store
    from .reads import event_type_counts

    with Store(ctx.db_path, readonly=True) as store:
        return event_type_counts(store)


@router.get("/timeline", response_class=HTMLResponse)
def timeline_page(request: Request, page: int = Query(1, ge=1, le=1_000_000), type: str | None = None) -> Response:
    """The stored events in time order (undated last), one page at a time, grouped by date."""
    from .reads import events_page

    ctx = ctx_of(request)
    got = events_page(ctx.store(), offset=(page - 1) * TIMELINE_SIZE, limit=TIMELINE_SIZE, type=type or None,
                      link=False)  # the timeline does not show an event's claims
    groups: dict[str, list[dict[str, Any]]] = {}
    for e in got.items:
        r = e.to_record()
        t = r["time"] or {}
        groups.setdefault(time_display(t.get("value")) if t.get("value") else "undated", []).append(r)
    types = ctx.cache.get("event-types", lambda: _event_types(ctx), background=True)
    return render("timeline.html", groups=list(groups.items()), total=got.total, page=page, type=type,
                  pages=max(1, -(-got.total // TIMELINE_SIZE)), types=types, note=behind_note(ctx, "events"))
