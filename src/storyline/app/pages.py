"""Server-rendered HTML pages (Jinja2, autoescaped; see :mod:`.markup` for the few pieces
of HTML built in Python)."""

from __future__ import annotations

from collections import defaultdict
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
from .context import DOC_COLUMNS, Annotations, AppContext, doc_from_row
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

router = APIRouter()


def render(name: str, status: int = 200, **values: Any) -> HTMLResponse:
    return HTMLResponse(TEMPLATES.get_template(name).render(**values), status_code=status)


def render_error(status: int, title: str, code: str, text: str) -> str:
    return TEMPLATES.get_template("error.html").render(status=status, title=title, code=code, message=text)


def ctx_of(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.storyline
    return ctx


def _stories_or_error(ctx: AppContext) -> tuple[list[Any], str | None]:
    try:
        return ctx.stories(), None
    except StorylineError as exc:
        return [], str(exc)


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
    stories, stories_error = _stories_or_error(ctx)
    recent = [
        doc_from_row(r).to_record()
        for r in conn.execute(
            f"SELECT {DOC_COLUMNS} FROM documents WHERE superseded_by IS NULL ORDER BY rowid DESC LIMIT 20"
        )
    ]
    rejections = ctx.cache.get("rejections", store.rejections)
    return render(
        "overview.html", counts=counts, stories=stories[:100], story_total=len(stories), stories_error=stories_error,
        recent=recent, rejections=rejections[:20], rejection_total=len(rejections), db=ctx.db_path,
    )


@router.get("/stories", response_class=HTMLResponse)
def stories_page(request: Request) -> Response:
    stories, stories_error = _stories_or_error(ctx_of(request))
    return render("stories.html", stories=stories, stories_error=stories_error)


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


def doc_marks(doc: Doc, ann: Annotations | None, passages: list[Any], labels: dict[str, str]) -> list[Mark]:
    """Every annotation of ``doc`` as a :class:`Mark` (links to entity, place and other
    documents' pages)."""
    marks: list[Mark] = []
    for m in doc.entities:
        eid = ann.entity_at.get((doc.id, m.start, m.end)) if ann else None
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
    ann = analysis = None
    if doc.text and doc.status == "ok":
        ann = ctx.annotations()
        analysis = ctx.analysis()
    marks = doc_marks(doc, ann, passages, labels)
    body = marked_text(doc.text or "", marks)
    claims = analysis.claims_by_doc.get(doc.id, []) if analysis else []
    events = analysis.events_by_doc.get(doc.id, []) if analysis else []
    sightings = [f"{p} ({loc})" if loc else p for p, loc in store.sightings(doc.id)]
    return render(
        "doc.html", doc=rec, body=body, passages=passages, labels=labels, claims=claims[:200], events=events[:200],
        url_href=safe_url(rec.get("url")), sightings=sightings, language=_language(rec),
        layers=doc_layers(doc, marks), default_layers=DEFAULT_LAYERS,
    )


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
    ents = ctx_of(request).annotations().entities
    types = sorted({e["type"] for e in ents})
    if type:
        ents = [e for e in ents if e["type"] == type]
    pages = max(1, -(-len(ents) // LIST_SIZE))
    return render("entities.html", entities=ents[(page - 1) * LIST_SIZE : page * LIST_SIZE], types=types,
                  type=type, page=page, pages=pages, total=len(ents))


@router.get("/entities/{entity_id:path}", response_class=HTMLResponse)
def entity_page(request: Request, entity_id: str) -> Response:
    ctx = ctx_of(request)
    ent = ctx.annotations().entity_by_id.get(entity_id)
    if ent is None:
        raise not_found("entity", entity_id, "Entities are listed at /entities.")
    return render("entity.html", entity=ent, mentions=_mentions(ctx, ent["mentions"]),
                  documents=_documents(ctx, ent["documents"]))


@router.get("/places", response_class=HTMLResponse)
def places_page(request: Request, page: int = Query(1, ge=1, le=100_000)) -> Response:
    places = ctx_of(request).annotations().places
    pages = max(1, -(-len(places) // LIST_SIZE))
    return render("places.html", places=places[(page - 1) * LIST_SIZE : page * LIST_SIZE], page=page, pages=pages,
                  total=len(places))


@router.get("/places/{place_id:path}", response_class=HTMLResponse)
def place_page(request: Request, place_id: str) -> Response:
    ctx = ctx_of(request)
    place = ctx.annotations().place_by_id.get(place_id)
    if place is None:
        raise not_found("place", place_id, "Places are listed at /places.")
    return render("place.html", place=place, mentions=_mentions(ctx, place["mentions"]),
                  documents=_documents(ctx, place["documents"]))


def map_data(ctx: AppContext) -> dict[str, Any]:
    """The corpus report's map (one map module for report and app: storyline.mapview), linked
    into the app: a place to its page, a movement to its evidence in the document."""
    from ..mapview import with_links

    _, report = ctx.report(None)

    def place_href(f: Mapping[str, Any]) -> str:
        return f"/places/{path_part(str(f['id']).removeprefix('place:'))}"

    def movement_href(f: Mapping[str, Any]) -> str | None:
        ev = f["properties"].get("evidence")
        return evidence_href(ev["doc"], ev["start"], ev["end"]) if ev else None

    return with_links(report.map, place_href=place_href, movement_href=movement_href)


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request) -> Response:
    ctx = ctx_of(request)
    data = ctx.cache.get("map-data", lambda: map_data(ctx))
    return render("map.html", data=data)


def _time_key(r: dict[str, Any]) -> tuple[int, str]:
    value = (r["time"] or {}).get("value")
    return (0, value) if value else (1, "")


@router.get("/timeline", response_class=HTMLResponse)
def timeline_page(request: Request) -> Response:
    ctx = ctx_of(request)

    def compute() -> list[tuple[str, list[dict[str, Any]]]]:
        records = sorted((e.to_record() for e in ctx.analysis().events), key=_time_key)
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in records:
            t = r["time"] or {}
            key = time_display(t.get("value")) if t.get("value") else "undated"
            groups[key].append(r)
        return list(groups.items())

    groups = ctx.cache.get("timeline", compute)
    return render("timeline.html", groups=groups, total=sum(len(g) for _, g in groups))
