"""The ``storyline`` command: a thin layer over the library.

Each command parses its flags, calls one library function, and prints: data to stdout
(``--json``: one records.md object per line), messages and progress to stderr. A library
error prints its coded message and exits 1; a misused flag exits 2; a run that rejected
any input exits 1 after processing everything else.
"""

from __future__ import annotations

import argparse
import builtins
import json
import logging
import re
import sqlite3
import sys
import textwrap
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from .errors import StorylineError, message
from .output import cut as _cut  # titles cut at a word, ending in "…"
from .quoting import quoted
from .settings import SETTINGS, Config
from .timefmt import display as time_display

EPILOG = """\
examples:
  storyline demo                               # the sample corpus, end to end
  storyline ingest articles/ --db news.db      # files or folders: .txt .html .jsonl .warc feeds
  storyline ingest notes/*.txt --meta sources.jsonl
  storyline docs --db news.db                  # what is in the store
  storyline show 3a58 --db news.db --json      # one document, cleaned text and removed stretches
  storyline rejects --db news.db               # what was refused, and why
  storyline reuse --db news.db                 # copied passages and which way they flowed
  storyline templates --db news.db             # text sites repeat on their pages (not copying)
  storyline claims --db news.db --min-sources 2   # who said what, through whom, corroborated
  storyline events --db news.db --format geojson --out events.geojson
  storyline stories --db news.db --episodes   # storylines and their episodes
  storyline report --db news.db --out report.html   # the situation report, one offline HTML file
  storyline serve --db news.db                 # the web app on http://127.0.0.1:8000

output of the listing commands (docs, rejects, reuse, templates, entities, places, times, claims,
events, stories): --format table|json|jsonl|csv|tsv, --json (= jsonl), --limit N, --out FILE;
the record shapes and their fields: docs/records.md in the source repository

settings (flag > environment > default):
""" + "\n".join(f"  {s.env:<22} {textwrap.shorten(s.help, 70)} (default: {s.default})" for s in SETTINGS)


DB_HELP = "store path (default: $STORYLINE_DB or ./storyline.db)"

# listing commands share --format/--json/--limit/--out (storyline.output); "text" is the
# command's own reading view where it has one
FORMATS = ("table", "json", "jsonl", "csv", "tsv")
TEXT_FORMATS = ("text", *FORMATS)


def output_options(p: argparse.ArgumentParser, **kw: Any) -> None:
    from .output import add_output_options

    add_output_options(p, **kw)


def _emit(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


def _err(text: str) -> None:
    sys.stderr.write(_safe(text, keep_newlines=True) + "\n")


# Control characters (C0, DEL, C1), bidi overrides and lone surrogates: what a hostile file
# name or field could use to drive the terminal (ESC sequences), forge output lines (a
# newline), reorder what is shown, or crash the UTF-8 writer.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_KEEP_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _safe(text: object, *, keep_newlines: bool = False) -> str:
    """User data as printable text: control characters written as escapes (``\\x1b``, ``\\n``).

    Every line this module prints passes through it (``print`` below, :func:`_err`); a field
    that must stay on its line (a path, a title) is passed through it on its own first.
    """
    pattern = _UNSAFE_KEEP_LINES if keep_newlines else _UNSAFE
    return pattern.sub(_escape, str(text))


def _escape(match: re.Match[str]) -> str:
    ch = match[0]
    return _ESCAPES.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def print(  # noqa: A001 - shadows the builtin on purpose: no line of this module escapes _safe
    *values: object, sep: str = " ", end: str = "\n", file: Any = None, flush: bool = False
) -> None:
    """``print`` for this module: lines pass through :func:`_safe` (newlines kept)."""
    builtins.print(_safe(sep.join(map(str, values)), keep_newlines=True), end=end, file=file, flush=flush)


def _open(args: argparse.Namespace, *, readonly: bool = False) -> Any:
    from .store import Store

    return Store(args.db or Config.load().db, readonly=readonly)


def _config(args: argparse.Namespace) -> Config:
    return Config.load(
        db=args.db,
        max_bytes=getattr(args, "max_bytes", None),
        workers=getattr(args, "workers", None),
        batch_size=getattr(args, "batch_size", None),
    )


def _engine_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", choices=("local", "ray"), default="local",
                   help="where the per-document stages run: local processes (default) or Ray "
                   "(pip install 'storyline[ray]')")
    p.add_argument("--address", metavar="ADDR",
                   help="Ray cluster to join (e.g. ray://head:10001 or auto); default: a local Ray instance")


def _plural(n: int, word: str, plural: str | None = None, *, width: int = 0) -> str:
    """``1 doc``, ``2 docs``: a count and its noun in the right number (``plural`` when not +s)."""
    return f"{n:>{width}} {word if n == 1 else plural or word + 's'}"


def _summary_line(summary: Any) -> str:
    s = summary
    parts = [f"{s.ingested} ingested", f"{s.unchanged} unchanged", f"{s.rejected} rejected"]
    if s.updated:
        parts.insert(1, _plural(s.updated, "new version"))
    if s.resumed:
        parts.insert(1, f"{s.resumed} resumed")
    return ", ".join(parts)


def _where(r: Any) -> str:
    return _safe(f"{r.source_path} ({r.locator})" if r.locator else r.source_path)


def _print_rejections(rejections: Sequence[Any]) -> None:
    for r in rejections:
        _err(f"rejected {_where(r)} [{_safe(r.stage)}]: {_safe(r.message)}")


def _pipeline(args: argparse.Namespace) -> Any:
    from .pipeline import Pipeline, registered

    if not args.stages:
        return Pipeline()
    names = [n.strip() for n in args.stages.split(",") if n.strip()]
    known = [s.name for s in registered()]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise StorylineError("E405", stages=", ".join(unknown), known=", ".join(known))
    return Pipeline(names)


def cmd_ingest(args: argparse.Namespace) -> int:
    import os

    from .runner import ingest

    config = _config(args)
    if not any(os.path.lexists(p) for p in args.paths):  # nothing to read: no store file either
        for p in args.paths:
            reason = message("E101", path=_safe(p), reason="No such file or directory")
            _err(f"rejected {_safe(p)} [read]: {reason}")
        _err(f"storyline ingest: nothing to read, no store created ({_plural(len(args.paths), 'path')} missing)")
        return 1
    with _open(args) as store:
        summary = ingest(
            store, args.paths, meta=args.meta, config=config, pipeline=_pipeline(args),
            progress=False if args.no_progress else None, corpus_steps=not args.no_corpus,
            follow_symlinks=args.follow_symlinks, engine=args.engine, address=args.address,
        )
        _print_rejections(summary.rejections)
        if args.json:
            seen = set()
            for doc_id in summary.doc_ids:
                if doc_id not in seen:
                    seen.add(doc_id)
                    _emit(store.get(doc_id, with_raw=False).to_record())
    _err(f"storyline ingest: {_summary_line(summary)} → {store.path}")
    return 1 if summary.rejected else 0


def cmd_analyze(args: argparse.Namespace) -> int:
    from .runner import analyze

    with _open(args) as store:
        summary = analyze(
            store, config=_config(args), pipeline=_pipeline(args), force=args.force, rebuild=args.rebuild,
            engine=args.engine,
            address=args.address, progress=False if args.quiet else None,
        )
    _print_rejections(summary.rejections)
    _err(
        f"storyline analyze: {_plural(summary.resumed, 'document')} recomputed, {summary.unchanged} up to date,"
        f" {summary.rejected} rejected"
    )
    return 1 if summary.rejected else 0


def _doc_line(rec: dict[str, Any]) -> str:
    date = rec["published"] or "unknown"
    if rec["published"]:
        date += f" ({rec['published_precision']}, {rec['published_source']})"
    title = _safe((rec["title"] or "(no title)").replace("\n", " "))
    lang = _safe(rec.get("language") or "-")[:3]
    return (
        f"{rec['id']}  {rec['status']:<8}  {lang:<3}  {_safe(date):<25}  {_safe(rec['outlet'] or '-')[:26]:<26}"
        f"  {_cut(title, 80)}"
    )


def _write(args: argparse.Namespace, records: Any, kind: str, *, rows: Any = None, columns: Any = None,
           noun: tuple[str, str | None] = ("record", None)) -> int:
    """Write records in the shared output format (:mod:`.output`): ``--format``, ``--limit``, ``--out``."""
    from .output import COLUMNS, open_out, write_records

    out = getattr(args, "out", None)
    with open_out(out) as fh:
        n = write_records(records, args.format, fh, columns=columns or COLUMNS[kind], limit=args.limit, rows=rows)
    if out:
        _err(f"{_plural(n, *noun)} written to {_safe(out)}")
    return n


def _language_lines(rec: dict[str, Any]) -> list[str]:
    """The language, passages in other languages, and the analyses that skipped the document."""
    from .clean.language import describe

    return describe(rec)


def cmd_docs(args: argparse.Namespace) -> int:
    with _open(args, readonly=True) as store:
        docs = (doc.to_record() for doc in store.iter_docs(include_superseded=args.all))
        _write(args, docs, "Document", noun=("document", None))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with _open(args, readonly=True) as store:
        doc = store.get(args.doc)
        rec = doc.to_record(full=True)
        rec["seen_at"] = [f"{p} ({loc})" if loc else p for p, loc in store.sightings(doc.id)]
    if args.json:
        _emit(rec)
        return 0
    print(_doc_line(rec))
    for key in ("url", "byline", "dateline", "published_evidence", "source_path", "previous_version", "superseded_by"):
        if rec.get(key):
            print(f"  {key}: {_safe(rec[key])}")
    if len(rec["seen_at"]) > 1:
        print(f"  also seen at: {', '.join(_safe(s) for s in rec['seen_at'][1:])}")
    for line in _language_lines(rec):
        print(f"  {_safe(line)}")
    print()
    print(rec["text"] or "(no text)")
    if rec["removed"]:
        print("\n--- removed or moved to metadata ---")
        for r in rec["removed"]:
            print(f"  [{r['reason']}] {textwrap.shorten(r['text'], 100)}")
    return 0


def cmd_rejects(args: argparse.Namespace) -> int:
    with _open(args, readonly=True) as store:
        rejections = store.rejections()
    if args.format != "text":
        _write(args, (r.to_record() for r in rejections), "Rejection", noun=("rejection", None))
        return 0
    for r in rejections:  # whole paths and messages: a table column would cut them
        print(f"{_where(r)}\t{_safe(r.stage)}\t{_safe(r.message)}")
    _err(f"{_plural(len(rejections), 'rejected input')}")
    return 0


def _short(text: str, width: int = 90) -> str:
    return textwrap.shorten(" ".join(text.split()), width, placeholder=" …")


def cmd_reuse(args: argparse.Namespace) -> int:
    from .corpus.persist import iter_copied_passages

    with _open(args, readonly=True) as store:
        every = iter_copied_passages(store, discounted=True)  # read as written: a large store's are millions
        if args.format != "text":  # every passage; a discounted one says why in "discounted"
            _write(args, (p.to_record() for p in every), "Copied passage", noun=("passage", None))
            return 0
        outlets: dict[str, str] = {}

        def label(doc_id: str) -> str:
            if doc_id not in outlets:
                row = store.conn.execute("SELECT json_extract(meta, '$.outlet') FROM documents WHERE id = ?",
                                         (doc_id,)).fetchone()
                outlets[doc_id] = (row[0] if row else None) or doc_id
            return outlets[doc_id]

        passages = 0
        templated = []
        for p in every:
            if p.discounted is not None:
                templated.append(p)
                continue
            passages += 1
            arrow = "→" if p.direction == "source_to_copy" else "↔"
            print(
                f"{p.source.doc} {label(p.source.doc)} [{p.source.start}:{p.source.end}] {arrow} "
                f"{p.copy.doc} {label(p.copy.doc)} [{p.copy.start}:{p.copy.end}]  similarity {p.similarity:.2f}"
            )
            print(f"    {_short(p.copy.text)}")
            print(f"    direction: {p.direction} ({'; '.join(p.direction_evidence) or 'no evidence'})")
    if templated:
        print(f"\nnot copying — site templates (text a site repeats on its pages): {_plural(len(templated), 'passage')}")
        for p in templated:
            d = p.discounted
            assert d is not None
            print(f"  {p.source.doc} ↔ {p.copy.doc}  {d.site}, template {d.template} on {d.pages} pages ({d.rule})")
            print(f"    {_short(p.copy.text)}")
    _err(f"{_plural(passages, 'copied passage')}; {len(templated)} discounted as site templates (storyline templates)")
    return 0


def cmd_templates(args: argparse.Namespace) -> int:
    from .corpus.persist import site_templates

    with _open(args, readonly=True) as store:
        templates = site_templates(store, site=args.site)
    if args.format != "text":
        _write(args, [t.to_record() for t in templates], "Site template", noun=("site template", None))
        return 0
    for t in templates:
        print(f"{t.site}  {t.id}  {_plural(len(t.pages), 'page')}  {_plural(t.words, 'word')}  ({t.rule})")
        print(f"    {_short(t.text)}")
        print(f"    pages: {', '.join(s.doc for s in t.pages)}")
    _err(f"{_plural(len(templates), 'site template')} in {_plural(len({t.site for t in templates}), 'site')}")
    return 0


def cmd_provenance(args: argparse.Namespace) -> int:
    from .corpus.persist import provenance_graph
    from .corpus.provenance import chain_labels, export_graphml, export_json, independence_groups

    with _open(args, readonly=True) as store:
        graph = provenance_graph(store)
        docs = list(store.iter_docs(status=["ok"]))
    if args.format == "graphml":
        if args.out:
            export_graphml(graph, args.out)
        else:
            export_graphml(graph, sys.stdout.buffer)
    elif args.format == "json":
        text = json.dumps(export_json(graph), ensure_ascii=False, indent=2)
        if args.out:
            with open(args.out, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
        else:
            print(text)
    else:
        groups = independence_groups(graph)
        print("chains (a document → what it copies → whom it cites):")
        for d in docs:
            print("  " + " → ".join(chain_labels(graph, d.id)))
        members: dict[str, list[str]] = {}
        for doc_id, group in groups.items():
            members.setdefault(group, []).append(doc_id)
        print(f"\ncopy groups (one source each): {len(members)} among {_plural(len(groups), 'document')}")
        for group, ids in sorted(members.items(), key=lambda kv: -len(kv[1])):
            if len(ids) > 1:
                print(f"  one source: {', '.join(ids)}")
        print(f"\ngraph: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges "
              "(--format json|graphml to export)")
    if args.out:
        _err(f"provenance graph written to {args.out}")
    return 0


def _count_or_all(text: str) -> int | None:
    """``--mentions``: a whole number (0 or more), or ``all`` (None: no bound)."""
    from .output import _positive

    return None if text == "all" else _positive(text)


def cmd_entities(args: argparse.Namespace) -> int:
    from .corpus.entity_store import entity_list

    with _open(args, readonly=True) as store:
        records = entity_list(store, type=args.type or None, limit=args.limit, mentions=args.mentions)
        _warn_behind(store, "entities")
    _write(args, records, "Entity", noun=("entity", "entities"))
    return 0


def cmd_places(args: argparse.Namespace) -> int:
    from .corpus.annotations import geojson_of
    from .corpus.entity_store import place_list

    with _open(args, readonly=True) as store:
        records = place_list(store, include_unresolved=args.format != "geojson",
                             limit=args.limit if args.format != "geojson" else None)  # --limit N reads N places
        _warn_behind(store, "entities")
    if args.format == "geojson":
        from .output import open_out

        with open_out(args.out) as fh:
            fh.write(json.dumps(geojson_of(records), ensure_ascii=False) + "\n")
        return 0
    _write(args, records, "Place", noun=("place", None))
    return 0


def cmd_times(args: argparse.Namespace) -> int:
    from .corpus.entity_store import time_list

    with _open(args, readonly=True) as store:
        records = time_list(store)
        _warn_behind(store, "entities")
    _write(args, records, "Time expression", noun=("time expression", None))
    return 0


def _warn_behind(store: Any, step: str) -> None:
    """Say so when the stored corpus layer has not taken in every document yet."""
    from .corpus.scope import behind

    n = behind(store, step)
    if n:
        _err(f"note: {_plural(n, 'document')} not yet in the stored {step}: run `storyline analyze --db {_safe(store.path)}`")


def _speaking(claims: Iterable[Any], speaker: str | None) -> Iterator[Any]:
    wanted = (speaker or "").lower()
    return (c for c in claims if not wanted or (c.speaker and wanted in (c.speaker.get("name") or "").lower()))


def cmd_claims(args: argparse.Namespace) -> int:
    from .corpus.persist import claim_report, iter_claims

    if args.format != "text":  # records as they are read, a page at a time: an export holds one page
        with _open(args, readonly=True) as store, store.snapshot():
            _warn_behind(store, "claims")
            page = args.limit if args.limit and not args.speaker else None  # --limit alone: one read
            stream = _speaking(iter_claims(store, min_sources=args.min_sources, page=page), args.speaker)
            _write(args, (c.to_record() for c in stream), "Claim", noun=("claim", None))
        return 0
    with _open(args, readonly=True) as store:
        report = claim_report(store)
        _warn_behind(store, "claims")
    claims = [c for c in _speaking(report.claims, args.speaker) if c.independent_sources >= args.min_sources]
    for c in claims:
        speaker = (c.speaker or {}).get("name") or "(unattributed)"
        via = " → ".join(c.via)
        hedges = f" ({', '.join(c.hedges)})" if c.hedges else ""
        print(f"{speaker} {c.cue or ''}: {quoted(_short(c.content.text, 110))}")
        print(f"    via {via or '-'} | {c.certainty}{hedges} | {_plural(c.independent_sources, 'independent source')}"
              f" in {_plural(len(c.documents), 'document')}"
              + (f" | contradicted: {len(c.contradicts)}" if c.contradicts else ""))
    shown = {c.id for c in claims}
    contradictions = [x for x in report.contradictions if not args.speaker or set(x.claims) & shown]
    if contradictions:
        print(f"\ncontradictions ({len(contradictions)}), shown, not resolved:")
        for x in contradictions:
            print(f"  [{x.kind}] {_short(x.explanation, 150)}")
    _err(f"{_plural(len(claims), 'claim')}, {_plural(len(contradictions), 'contradiction')}")
    return 0


def cmd_events(args: argparse.Namespace) -> int:
    from .corpus.event_exports import CSV_COLUMNS, event_rows, events_to_geojson, events_to_parquet
    from .corpus.persist import event_list, iter_events

    if args.format in ("json", "jsonl", "csv", "tsv"):  # records as they are read, a page at a time
        from .output import field

        with _open(args, readonly=True) as store, store.snapshot():
            _warn_behind(store, "events")
            outlets = {r[0]: r[1] or r[0] for r in store.conn.execute("SELECT id, outlet FROM documents")}
            stream = iter_events(store, type=args.type, page=args.limit or None)
            if args.format in ("csv", "tsv"):  # the ACLED-style columns
                _write(args, (), "Event", rows=(row for e in stream for row in event_rows([e], outlets)),
                       columns=[field(c) for c in CSV_COLUMNS], noun=("event", None))
            else:
                _write(args, (e.to_record() for e in stream), "Event", noun=("event", None))
        return 0
    with _open(args, readonly=True) as store:
        events = event_list(store, type=args.type)
        _warn_behind(store, "events")
        outlets = {r[0]: r[1] or r[0] for r in store.conn.execute("SELECT id, outlet FROM documents")}
    if args.format == "parquet":
        if not args.out:
            raise StorylineError("E406", what="--format parquet")
        events_to_parquet(events, args.out, sources=outlets)
    elif args.format == "table":
        _write(args, (e.to_record() for e in events), "Event", noun=("event", None))
        return 0
    else:
        out = open(args.out, "w", encoding="utf-8", newline="") if args.out else sys.stdout
        try:
            if args.format == "geojson":
                out.write(json.dumps(events_to_geojson(events), ensure_ascii=False) + "\n")
            else:
                for e in events:
                    r = e.to_record()
                    where = " → ".join(
                        x for x in ((r["origin"] or {}).get("name"), (r["destination"] or {}).get("name")) if x
                    ) or (r["location"] or {}).get("name") or "?"
                    when = time_display((r["time"] or {}).get("value")) if (r["time"] or {}).get("value") else "undated"
                    qty = ", ".join(q["text"] for q in r["quantities"])
                    actor = (r["actor"] or {}).get("name") or "?"
                    out.write(f"{r['type']:<15} {when:<12} {_short(actor, 40):<40} {where}"
                              + (f" ({_short(qty, 40)})" if qty else "")
                              + f"  [{r['certainty']}, {_plural(r['independent_sources'], 'source')}, "
                              f"{_plural(len(r['documents']), 'doc')}]\n")
        finally:
            if args.out:
                out.close()
    _err(_plural(len(events), "event") + (f" written to {args.out}" if args.out else ""))
    return 0


def _story_rows(stories: Sequence[Any], episodes: bool) -> list[dict[str, Any]]:
    """Stories as flat rows; with ``episodes``, each story's episodes follow it (id "└ …")."""
    rows = []
    for story in stories:
        rows.append(story.to_record())
        for ep in story.episodes if episodes else ():
            rows.append({"id": f"└ {ep.id}", "start": ep.start, "end": ep.end, "documents": ep.documents,
                         "episodes": [], "title": ep.title})
    return rows


def cmd_stories(args: argparse.Namespace) -> int:
    from .corpus.persist import rebuild_stories, story_list

    if args.rebuild:
        with _open(args) as store:
            placed = rebuild_stories(store)
        _err(f"stories rebuilt: {_plural(placed, 'document')} placed again in date order")
    with _open(args, readonly=True) as store:
        # --limit N reads N stories (rows with --episodes are counted with their episodes)
        one_row_each = args.format in ("json", "jsonl") or (args.format != "text" and not args.episodes)
        stories = story_list(store, limit=args.limit if one_row_each else None)
        if args.format in ("json", "jsonl"):
            from .report.stored import story_records  # summaries, events, claims: stored by the stories step

            stale: list[str] = []

            def counted(records: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
                for rec in records:
                    if "fields_stale" in rec:
                        stale.append(rec["id"])
                    yield rec

            _write(args, counted(story_records(store, stories)), "Story", noun=("story", "stories"))
            if stale:
                _err(f"{_plural(len(stale), 'story', 'stories')} shown with summary, events and claims from before"
                     " their latest documents (fields_stale): `storyline analyze` brings them up to date")
        elif args.format != "text":
            _write(args, _story_rows(stories, args.episodes), "Story", noun=("row", None))
        else:
            for story in stories:
                span = f"{story.start or '?'} … {story.end or '?'}"
                print(f"{story.id}  {span:<25}  {_plural(len(story.documents), 'doc', width=4):<9}  "
                      f"{_plural(len(story.episodes), 'episode', width=3):<12}  {_short(story.title or '', 70)}")
                if args.episodes:
                    for ep in story.episodes:
                        ep_span = f"{ep.start or '?'} … {ep.end or '?'}"
                        print(f"    {ep.id}  {ep_span:<25}  {_plural(len(ep.documents), 'doc', width=3):<8}  "
                              f"{_short(ep.title or '', 60)}  [{', '.join(ep.documents)}]")
    _err(_plural(len(stories), "story", "stories"))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .corpus.persist import story_of
    from .report import corpus_report, render_html, render_json, render_markdown, story_report

    with _open(args, readonly=True) as store:
        if args.story:
            report = story_report(store, story_of(store, args.story), title=args.title)
        else:
            report = corpus_report(store, title=args.title)
    if args.format == "html":
        text = render_html(report, standalone=True)
    elif args.format == "md":
        text = render_markdown(report)
    else:
        text = render_json(report)
    if args.out:
        from pathlib import Path

        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        _err(f"report written to {out.resolve()}")
        print(out.resolve())
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    from .app import serve
    from .app.security import read_token_file

    # the command line is visible to every user of the machine (ps, /proc/PID/cmdline)
    if args.token:
        _err("storyline serve: warning: a --token on the command line is visible to other users of this "
             "machine in the process list; give it with $STORYLINE_TOKEN or --token-file FILE")
    token = args.token or (read_token_file(args.token_file) if args.token_file else None)
    token = token or os.environ.get("STORYLINE_TOKEN") or None
    serve(args.db or Config.load().db, host=args.host, port=args.port, token=token)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from .store.check import check_store

    report = check_store(args.db or Config.load().db, documents=not args.quick)  # lists damage, never crashes
    for line in report.messages():
        print(line)
    rows = report.rows
    _err(
        f"storyline check: {_plural(rows.get('documents', 0), 'document')} ({report.documents} read back),"
        f" {_plural(rows.get('rejections', 0), 'rejection')}, {_plural(sum(rows.values()), 'row')} in"
        f" {_plural(len(rows), 'table')}, {_plural(report.count, 'problem')} ({report.seconds:.1f} s)"
    )
    if report.problems:
        _err(message("E307", path=report.path, count=report.count))
    return 1 if report.problems else 0


def cmd_settings(args: argparse.Namespace) -> int:
    from .settings import describe

    rows = describe(_config(args))
    if args.json:
        for row in rows:
            _emit(row)
        return 0
    width = max(len(r["name"]) for r in rows)
    print(f"{'name':<{width}}  {'value':<20}  {'source':<7}  env")
    for r in rows:
        print(f"{r['name']:<{width}}  {str(r['value']):<20}  {r['source']:<7}  {r['env']}")
    return 0


def _store_error(args: argparse.Namespace, exc: Exception) -> StorylineError:
    """A database or decoding error that escaped a command: the store is unreadable or
    damaged (E304), named, with the way to see the damage."""
    try:
        path = getattr(args, "db", None) or Config.load().db
    except StorylineError:
        path = getattr(args, "db", None) or "the store"
    text = str(exc).split(" with text '")[0][:200]  # sqlite3 quotes the undecodable text itself
    text = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)
    if "locked" in text or "busy" in text:  # another writer, not damage
        return StorylineError("E301", path=path, reason=text)
    return StorylineError("E304", path=path, reason=f"{type(exc).__name__}: {text}")


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo
    from .store import Store

    result = run_demo(args.out, args.db, progress=False if args.quiet else None)
    s = result.summary
    print(f"storyline demo: the bundled sample corpus → {result.db}")
    print(f"  {_summary_line(s)}\n")
    with Store(result.db, readonly=True) as store:
        docs = list(store.iter_docs())
        print(f"{'id':<16}  {'status':<8}  {'lang':<4} {'published':<25}  {'outlet':<26}  title")
        for doc in docs:
            print(_doc_line(doc.to_record()))
        removed = Counter(r.reason for d in docs for r in d.removed)
    print()
    print("cleaning: " + ", ".join(f"{n} {reason}" for reason, n in removed.most_common()))
    for d in docs:
        bits = [f"byline: {d.meta.byline}" if d.meta.byline else "", f"dateline: {d.meta.dateline}" if d.meta.dateline else ""]
        bits = [b for b in bits if b]
        if bits:
            print(f"  {d.id}: " + "; ".join(bits))
    from .corpus.provenance import chain_labels, independence_groups

    passages, graph = result.passages, result.graph
    pairs = Counter((p.source.doc, p.copy.doc, p.direction, p.direction_evidence) for p in passages)
    print(f"\ncopied passages: {len(passages)}")
    for (src, dst, direction, evidence), n in pairs.items():
        arrow = "→" if direction == "source_to_copy" else "↔"
        print(f"  {src} {arrow} {dst}: {_plural(n, 'passage')}, direction {direction} ({'; '.join(evidence) or 'no evidence'})")
    print("provenance chains:")
    for d in docs:
        chain = chain_labels(graph, d.id)
        if len(chain) > 1:
            print("  " + " → ".join(chain))
    groups = independence_groups(graph)
    print(f"copy groups (one source each): {len(set(groups.values()))} among {_plural(len(groups), 'document')}")
    _demo_annotations(docs)
    report = result.claims
    named = [c for c in report.claims if c.speaker and c.speaker.get("name")]
    print(f"\nclaims ({len(report.claims)}; {len(named)} with a named speaker), e.g.:")
    people_first = sorted(named, key=lambda c: (not (c.speaker.get("entity") or "").startswith("person:"),
                                                 -len(c.documents), c.content.doc, c.content.start))
    for c in people_first[:10]:
        print(f"  {c.speaker['name']} {c.cue}: {quoted(_short(c.content.text, 70))}")
        print(f"      via {' → '.join(c.via)} | {c.certainty} | {_plural(c.independent_sources, 'independent source')}"
              f" in {_plural(len(c.documents), 'document')}")
    for x in report.contradictions:
        print(f"  contradiction [{x.kind}]: {_short(x.explanation, 120)}")
    events = [e.to_record() for e in result.events]
    moves = [e for e in events if e["origin"] or e["destination"]]
    print(f"\nevents ({len(events)}; {len(moves)} with an origin or destination), movements:")
    for e in moves:
        route = " → ".join(p["name"] for p in (e["origin"], e["destination"]) if p)
        qty = ", ".join(q["text"] for q in e["quantities"])
        when = time_display((e["time"] or {}).get("value")) if (e["time"] or {}).get("value") else "undated"
        print(f"  {e['type']:<15} {route[:40]:<40} {when:<10} {_short(qty, 30) if qty else ''}"
              f"  [{_plural(len(e['documents']), 'doc')}, {e['independent_sources']} independent]")
    from .corpus.persist import story_list

    with Store(result.db, readonly=True) as store:
        stories = story_list(store)
    print(f"\nstories ({len(stories)}):")
    for story in stories:
        print(f"  {story.id}  {story.start or '?'} … {story.end or '?'}  {_plural(len(story.documents), 'doc')}: "
              f"{_short(story.title or '', 70)}")
        for ep in story.episodes:
            print(f"    episode {ep.start or '?'} … {ep.end or '?'}: {', '.join(ep.documents)}"
                  f"  {_short(ep.title or '', 50)}")
    _print_rejections(s.rejections)
    print("\noutputs:")
    print(f"  store       {result.db}")
    for name, path in result.outputs.items():
        print(f"  {name:<11} {path}")
    print(f"\nnext: storyline docs --db {result.db}   |   storyline serve --db {result.db}")
    print(f"\nthe situation report (open it in a browser): {result.outputs['report']}")
    return 1 if s.rejected else 0


def _demo_annotations(docs: list[Any]) -> None:
    from .corpus.annotations import entity_records, place_records

    entities = entity_records(docs)
    people = [e for e in entities if e["type"] == "person"]
    print(f"\npeople ({len(people)}):")
    for e in people:
        about = ", ".join(e["titles"] + e["roles"] + e["affiliations"])
        print(f"  {e['name']}" + (f" — {about}" if about else "") + f"  [{_plural(len(e['documents']), 'doc')}]")
    groups = [e for e in entities if e["type"] not in ("person", "organization")]
    print(f"groups, forces and outlets ({len(groups)}), with aliases merged:")
    for e in groups[:12]:
        aliases = [a for a in e["aliases"] if a != e["name"]]
        print(f"  {e['name']} ({e['type']})" + (f" = {', '.join(aliases[:4])}" if aliases else ""))
    places = [p for p in place_records(docs) if p["resolved"]]
    print(f"places ({len(places)} resolved):")
    for p in places:
        print(f"  {', '.join(p['aliases'])[:34]:<34} → {p['name'][:24]:<24} {p['kind']:<15} "
              f"{p['lat']:.2f}, {p['lon']:.2f}  precision {p['precision']}")
    print("times (normalised against each publication date):")
    for d in docs:
        shown = [f"{t.text} → {time_display(t.value) if t.resolved else 'unresolved'}" for t in d.times if t.kind != "set"][:6]
        if shown:
            print(f"  {d.id} ({d.meta.published or 'no date'}): " + "; ".join(shown))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="storyline",
        description="Turn a pile of news reports into a sourced, corroborated picture of events.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"storyline {__version__}")
    # global options go before or after the command: the subcommands' copies default to
    # SUPPRESS, so a value given after the command wins and one given before is kept
    parser.add_argument("--db", help=DB_HELP + "; demo: DIR/storyline.db")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Any, help: str, example: str) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name, help=help, description=help, epilog=f"example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.add_argument("--db", default=argparse.SUPPRESS, help=DB_HELP)
        p.set_defaults(func=func)
        return p

    p = add(
        "ingest", cmd_ingest,
        "Read files or folders (text, HTML, JSONL, WARC, RSS/Atom) into the store and run every stage on new documents.",
        "storyline ingest articles/ --meta articles/sources.jsonl --db news.db",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or directories (read recursively)")
    p.add_argument("--meta", metavar="FILE", help="sidecar JSONL: {\"file\": name, \"url\": ..., optional title/published/outlet/byline}")
    p.add_argument("--json", action="store_true", help="print the ingested documents as JSON lines")
    p.add_argument("--max-bytes", type=int, metavar="N", help="largest single document accepted (bytes)")
    p.add_argument("--workers", type=int, metavar="N", help="worker processes (or Ray actors) for the stages")
    _engine_options(p)
    p.add_argument("--batch-size", type=int, metavar="N", help="documents per transaction")
    p.add_argument("-q", "--quiet", "--no-progress", dest="no_progress", action="store_true",
                   help="no progress on stderr (shown only on a terminal anyway)")
    p.add_argument("--stages", metavar="LIST", help="comma-separated per-document stages to run (default: all); "
                   "`storyline analyze` runs the rest later")
    p.add_argument("--no-corpus", action="store_true",
                   help="skip corpus steps (copy detection); `storyline analyze` runs them later")
    p.add_argument("--follow-symlinks", action="store_true",
                   help="also read symbolic links that lead out of the input folders (skipped by default)")

    p = add("analyze", cmd_analyze, "Re-run stages whose results are missing or stale (after an upgrade or a killed run); update the corpus layers and every story listing's stored summary.",
            "storyline analyze --db news.db --force")
    p.add_argument("--force", action="store_true", help="recompute every document, not only stale ones")
    p.add_argument("--rebuild", action="store_true",
                   help="recompute the stored corpus layers (entities, claims, events) from scratch instead of"
                        " updating them")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr (shown only on a terminal)")
    p.add_argument("--stages", metavar="LIST", help="comma-separated per-document stages (default: all)")
    p.add_argument("--workers", type=int, metavar="N", help="worker processes (or Ray actors) for the stages")
    _engine_options(p)

    p = add("docs", cmd_docs, "List documents: id, status, publication date (precision, source), outlet, title.",
            "storyline docs --db news.db --json")
    output_options(p, record="Document")
    p.add_argument("--all", action="store_true", help="include older versions of updated documents")

    p = add("show", cmd_show, "Show one document: metadata, cleaned text, and what cleaning removed.",
            "storyline show 3a58 --db news.db")
    p.add_argument("doc", metavar="DOC", help="document id or a unique prefix (4+ characters)")
    p.add_argument("--json", action="store_true", help="docs/records.md Document with text and removed")

    p = add("rejects", cmd_rejects, "List rejected inputs: path, stage, coded reason.", "storyline rejects --json")
    output_options(p, record="Rejection", formats=TEXT_FORMATS, default="text")

    p = add("reuse", cmd_reuse, "List copied passages between documents: spans in both, similarity, direction and its evidence.",
            "storyline reuse --db news.db --json")
    output_options(p, record="Copied passage", formats=TEXT_FORMATS, default="text",
                   note="site-template passages too, with \"discounted\"")

    p = add("templates", cmd_templates,
            "List site templates: passages a site repeats on its pages (prompts, promotions, disclaimers, "
            "author blurbs), which copy detection does not count as copying.",
            "storyline templates --db news.db --site example.com.br")
    output_options(p, record="Site template", formats=TEXT_FORMATS, default="text")
    p.add_argument("--site", metavar="SITE", help="only this site (URL host without www, or outlet)")

    p = add("provenance", cmd_provenance,
            "Show the provenance graph: who copies whom, who cites which outlet, which documents are one source.",
            "storyline provenance --db news.db --format graphml --out provenance.graphml")
    p.add_argument("--format", choices=["text", "json", "graphml"], default="text", help="output format (default: text)")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")

    p = add("entities", cmd_entities,
            "List people, organisations, armed groups and outlets, resolved across documents, with roles and aliases.",
            "storyline entities --db news.db --type person --json")
    output_options(p, record="Entity")
    p.add_argument("--type", help="only this type (person, armed_group, outlet, …)")
    p.add_argument("--mentions", default="100", type=_count_or_all, metavar="M",
                   help="with --limit: at most M mentions and M documents per entity, with their counts in"
                        " mention_count and document_count (default: 100; 'all' for every one: the most"
                        " mentioned entities' lists grow with the corpus); without --limit every record is whole")

    p = add("places", cmd_places, "List places with coordinates, kind, country and ACLED-style precision.",
            "storyline places --db news.db --format geojson > places.geojson")
    output_options(p, record="Place", formats=(*FORMATS, "geojson"))

    p = add("times", cmd_times, "List time expressions normalised against each document's publication date.",
            "storyline times --db news.db --json")
    output_options(p, record="Time expression")

    p = add("claims", cmd_claims,
            "List attributed claims grouped across documents: speaker, cue, via chain, certainty, "
            "independent sources, contradictions.",
            "storyline claims --db news.db --speaker Eesa --min-sources 1 --json")
    output_options(p, record="Claim", formats=TEXT_FORMATS, default="text")
    p.add_argument("--speaker", metavar="NAME", help="only claims whose speaker's name contains NAME")
    p.add_argument("--min-sources", type=int, default=0, metavar="N",
                   help="only claims backed by at least N independent sources")

    p = add("events", cmd_events,
            "List or export events (who moved where, when, how many), merged across documents, with sources.",
            "storyline events --db news.db --format csv --out events.csv")
    output_options(p, record="Event", formats=(*TEXT_FORMATS, "parquet", "geojson"), default="text",
                   note="csv, tsv and parquet: ACLED-style columns")
    p.add_argument("--type", help="only events of this type (move, flee, deploy, attack, …)")

    p = add("stories", cmd_stories,
            "List stories (documents about one ongoing storyline) and their episodes (one specific event each).",
            "storyline stories --db news.db --episodes")
    output_options(p, record="Story", formats=TEXT_FORMATS, note="json/jsonl: with summary, events, claims")
    p.add_argument("--episodes", action="store_true", help="also list each story's episodes and their documents")
    p.add_argument("--rebuild", action="store_true",
                   help="first place every document again in date order (stories are built incrementally in "
                        "arrival order; after a large out-of-order import this gives order-independent results)")

    p = add("report", cmd_report,
            "Write the situation report of one story (or of the whole corpus): cited summary, key numbers, "
            "timeline, offline map, provenance graph, who-said-what, contradictions, sources.",
            "storyline report s-3f2a --db news.db --format html --out report.html")
    p.add_argument("story", nargs="?", metavar="STORY", help="story id or unique prefix (default: the whole corpus)")
    p.add_argument("--format", choices=["html", "md", "json"], default="html", help="output format (default: html)")
    p.add_argument("--out", metavar="PATH", help="write to PATH (default: stdout)")
    p.add_argument("--title", help="the report's title (default: the story's)")

    p = add("serve", cmd_serve,
            "Serve the local web app: stories, documents, search, entities, places, map, timeline, JSON API.",
            "storyline serve --db news.db --port 8000")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default: 127.0.0.1; any other address requires a token)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument("--token-file", metavar="FILE",
                   help="file whose first line is the access token asked of every request (16+ characters)")
    p.add_argument("--token", help="the access token itself (visible in the process list: prefer "
                   "$STORYLINE_TOKEN or --token-file)")

    p = add("settings", cmd_settings,
            "List every setting: its value here, where it came from (default, environment, option), its "
            "environment variable. Corpus parameters (copy detection, claim matching, stories) are settings too.",
            "storyline settings --json")
    p.add_argument("--json", action="store_true", help="one JSON object per setting, with its help text")

    p = add("check", cmd_check,
            "Verify the store and list any damage: SQLite integrity, every row read back (UTF-8, JSON), "
            "every document decoded, raw bytes against their hashes. Exit code 1 when anything is wrong.",
            "storyline check --db news.db")
    p.add_argument("--quick", action="store_true", help="skip decoding every document (the slow part)")

    p = sub.add_parser(
        "demo", help="Ingest the bundled sample corpus into a fresh store, run every stage, write outputs.",
        description="Ingest the bundled sample corpus (five real articles) into a fresh store, run every stage, "
        "print what was found and where the outputs are.",
        epilog="example:\n  storyline demo --out storyline-out", formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--out", default="storyline-out", metavar="DIR", help="output folder (default: ./storyline-out)")
    p.add_argument("--db", default=argparse.SUPPRESS,
                   help="store path (default: DIR/storyline.db; replaced on each run)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Library loggers (trafilatura warns "discarding data" on empty pages): our own coded
    # rejections already say what went wrong, once.
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except StorylineError as exc:
        _err(f"storyline {args.command}: {exc}")
        return 1
    except (sqlite3.DatabaseError, json.JSONDecodeError) as exc:  # a damaged store, read by a command
        _err(f"storyline {args.command}: {_store_error(args, exc)}")
        return 1
    except BrokenPipeError:  # `storyline docs | head`
        return 0
    except KeyboardInterrupt:
        _err("interrupted; committed batches are kept, re-run the command to resume")
        return 130


if __name__ == "__main__":
    sys.exit(main())
