"""JSON and Markdown renderings of a :class:`~storyline.report.build.Report`.

Markdown: the same sections as the HTML page; evidence as footnote-style citations
(``[^3]: 129b72 [1042–1187] “…”``). Every piece of data is escaped (:func:`md_escape`):
CommonMark's ASCII punctuation is backslash-escaped and line breaks folded, so a title
like ``<script>`` or ``[x](javascript:…)`` stays literal text. Links are written only for
http(s) URLs, as autolinks.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..quoting import quoted
from ..timefmt import display as time_display
from .build import Report, _safe_url, range_text
from .html import MAX_LISTED_COPIES, date_label, date_span, stamp_label

__all__ = ["render_json", "render_markdown", "md_escape"]

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()!|<>~&])")
_MD_LEADING = re.compile(r"^(\s*)([-+#=>]|\d+(?=[.)]))")


def md_escape(text: Any) -> str:
    """``text`` as literal Markdown inline text (one line)."""
    if text is None:
        return ""
    s = _MD_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", str(text)).strip())
    # a block marker at the start (list item, heading, quote, "1." list) stays literal
    m = _MD_LEADING.match(s)
    if m:
        s = s[: m.end(1)] + (m.group(2) + "\\" if m.group(2)[0].isdigit() else "\\" + m.group(2)) + s[m.end():]
    return s


def render_json(report: Report) -> str:
    """The report record as indented JSON (UTF-8 text)."""
    return json.dumps(report.to_record(), ensure_ascii=False, indent=2, default=str) + "\n"


def _date(value: Any, gran: Any = None) -> str:
    """As the HTML page writes a date: "9 March 2017", "October 2016", "date unknown"."""
    return date_label(value, gran)


def _n(n: int, one: str) -> str:
    return f"{n:,} {one if n == 1 else one + 's'}"


class _Notes:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.index: dict[tuple[str, int, int], int] = {}

    def cite(self, ev: dict[str, Any], titles: dict[str, str]) -> str:
        key = (ev["doc"], ev["start"], ev["end"])
        if key not in self.index:
            self.items.append(
                f"{md_escape(titles.get(ev['doc'], ''))} `{ev['doc']}` \\[{ev['start']}–{ev['end']}\\]:"
                f" {md_escape(quoted(ev['text']))}"
            )
            self.index[key] = len(self.items)
        return f"[^{self.index[key]}]"


def _more(n: Any, what: str, where: str = "") -> str:
    """"… and 9,700 more documents: …" after a bounded list."""
    return f"… and {n:,} more {what}" + (f": {where}" if where else "") + "."


def render_markdown(report: Report) -> str:
    """The report as Markdown (CommonMark with footnotes)."""
    r = report.to_record()
    left = r.get("omitted") or {}
    src = {s["id"]: s for s in r["sources"]}
    titles = {d: f"{s.get('outlet') or 'unknown outlet'}, {s.get('published') or 'undated'}," for d, s in src.items()}
    notes = _Notes()
    out: list[str] = []
    st = r["story"]
    out.append(f"# {md_escape(r['title'])}")
    out.append("")
    c = r["counts"]
    out.append(
        f"Situation report · {md_escape(date_span(st.get('start'), st.get('end')))} · {_n(c['documents'], 'document')},"
        f" {_n(c['outlets'], 'outlet')}, {_n(c['copy_groups'], 'independent copy group')} ·"
        f" {_n(c['events'], 'event')} · {_n(c['claims'], 'claim')} · generated {md_escape(stamp_label(r['generated_at']))}"
    )
    out.append("")
    if r.get("coverage"):
        out += [f"*{md_escape(r['coverage']['note'])}*", ""]
    out.append(
        "Sentences are quoted verbatim from the sources; the bold line before each is filled in from the extracted"
        " record. *single source* and *hedged* mark statements resting on one source or qualified by it."
    )
    if r["timeline"]["episodes"]:
        out += ["", "## Story structure", ""]
        for ep in r["timeline"]["episodes"]:
            out.append(f"- **{md_escape(ep.get('title') or ep.get('id'))}** ({md_escape(date_span(ep.get('start'), ep.get('end')))})")
            for d in ep["documents"]:
                out.append(f"  - {md_escape(d.get('title') or d['id'])} — {md_escape(d.get('outlet'))},"
                           f" {md_escape(_date(d.get('published'), d.get('published_precision')))}")
            if ep.get("omitted"):
                out.append(f"  - {_more(ep['omitted'], 'documents', 'the story record lists them all')}")
        if r["timeline"].get("episodes_omitted"):
            what = "smaller stories" if r["timeline"].get("structure") == "stories" else "smaller episodes"
            out.append(f"- {_more(r['timeline']['episodes_omitted'], what, 'the largest are listed, in time order')}")

    def finding(f: dict[str, Any]) -> str:
        marks = [f"{f['independent_sources']} independent source{'s' if f['independent_sources'] != 1 else ''}"]
        if f["single_source"]:
            marks.append("*single source*")
        if f["hedged"]:
            marks.append("*hedged*" + (f" ({md_escape(', '.join(f['hedges']))})" if f["hedges"] else ""))
        if f.get("certainty"):
            marks.append(md_escape(f["certainty"]))
        cites = "".join(notes.cite(e, titles) for e in f["evidence"])
        return f"**{md_escape(f['headline'])}** — {md_escape(quoted(f['sentence']))}{cites} ({'; '.join(marks)})"

    out += ["", "## Summary", ""]
    for i, f in enumerate(r["summary"], 1):
        when = _date(f["time"].get("value"), f["time"].get("granularity"))
        if f["time"].get("placed_by") == "publication":
            when += ", publication date"
        out.append(f"{i}. {md_escape(when)}: {finding(f)}")
    if not r["summary"]:
        out.append("No events or attributed claims were found.")

    out += ["", "## Key numbers", ""]
    for g in r["numbers"]:
        group = str(g["group"])
        head = f"### {md_escape(group[:1].upper() + group[1:])} — {md_escape(range_text(g))}"
        if g["sources_disagree"]:
            head += " — sources disagree"
        out += [head, "", "| Figure | Who says so | Certainty | Source |", "| --- | --- | --- | --- |"]
        for q in g["reports"]:
            copies = ", ".join(f"`{x['doc'][:6]}` (copy)" for x in q["copies"])
            if q.get("copies_total", 0) > len(q["copies"]):
                copies += f" and {q['copies_total'] - len(q['copies']):,} more"
            out.append(
                f"| {md_escape(q['text'])}{notes.cite(q['evidence'], titles)} | {md_escape(' → '.join(q['via']))} |"
                f" {md_escape(q['certainty'])} | `{q['doc'][:6]}`{(' also ' + copies) if copies else ''} |"
            )
        if g.get("omitted"):
            out += ["", _more(g["omitted"], f"reports of {md_escape(g['group'])}",
                              "the lowest and highest values and one report per independent source are shown first")]
        for x in g["contradictions"]:
            out.append(f"\nContradiction: {md_escape(x)}")
        out.append("")
    if left.get("numbers"):
        out += [_more(left["numbers"], "groups of numbers", "fewer reports each"), ""]

    out += ["## Timeline", ""]
    for f in r["timeline"]["items"]:
        t = f["time"]
        if t.get("placed_by") == "publication":
            when = f"{md_escape(time_display(t.get('value')))} (untimed — placed by publication date)"
        elif t.get("value"):
            when = md_escape(time_display(t["value"]))
        else:
            when = "date unknown"
        out.append(f"- {when}: {finding(f)}")
    if r["timeline"]["omitted"]:
        out.append(f"- … {r['timeline']['omitted']} lower-ranked events not shown")

    out += ["", "## Map: movements", ""]
    moves = [f for f in r["map"]["features"] if f["properties"].get("feature") == "movement"]
    for f in moves:
        p = f["properties"]
        out.append(
            f"- {md_escape(p['label'])}: {md_escape(p.get('event_type'))}"
            f"{(' — ' + md_escape(', '.join(p['quantities']))) if p['quantities'] else ''};"
            f" {md_escape(p.get('when') or 'date unknown')};"
            f" {_n(p['independent_sources'], 'independent source')}, {md_escape(p.get('certainty'))}"
        )
    if not moves:
        out.append("No movement with both ends located.")
    map_left = r["map"].get("omitted") or {}
    if map_left.get("movements"):
        out.append(f"- {_more(map_left['movements'], 'movements', 'the best-corroborated are listed')}")
    places = [f for f in r["map"]["features"] if f["properties"].get("feature") == "place"]
    if places:
        out += ["", "Places: " + "; ".join(
            f"{md_escape(f['properties']['name'])} ({f['properties']['mentions']})" for f in places
        )]
        if map_left.get("places"):
            out += ["", _more(map_left["places"], "places", "the most mentioned are listed")]

    out += ["", "## Provenance", ""]
    labels = {n["id"]: n["label"] for n in r["provenance"]["nodes"]}
    prov_left, totals = r["provenance"].get("omitted") or {}, r["provenance"].get("totals") or {}
    if prov_left.get("nodes"):
        out += [f"The graph keeps {len(r['provenance']['nodes']):,} of {totals['nodes']:,} nodes"
                f" ({totals['documents'] - prov_left['documents']:,} of {totals['documents']:,} documents: those in the"
                f" strongest copy relations; {totals['outlets'] - prov_left['outlets']:,} of {totals['outlets']:,}"
                f" outlets) and {totals['edges'] - prov_left['edges']:,} of {totals['edges']:,} relations;"
                " `storyline reuse` lists every copy.", ""]
    n_copies = 0
    for e in sorted((e for e in r["provenance"]["edges"] if e["relation"] == "copies"),
                    key=lambda e: (-e["passages"], e["source"], e["target"])):
        n_copies += 1
        if n_copies > MAX_LISTED_COPIES:
            continue
        extra = "" if e.get("direction") == "source_to_copy" else " (direction unknown)"
        out.append(f"- {md_escape(labels.get(e['source'], e['source']))} **copies**"
                   f" {md_escape(labels.get(e['target'], e['target']))}: {e['passages']} passage(s){extra}")
    n_copies = max(n_copies, totals.get("copies", 0))
    if n_copies > MAX_LISTED_COPIES:
        out.append(f"- {_more(n_copies - MAX_LISTED_COPIES, 'copy relations', 'those with the most shared passages are listed; `storyline reuse` lists them all')}")
    for e in r["provenance"]["edges"]:
        if e["relation"] == "cites" and not e.get("self_citation"):
            out.append(f"- {md_escape(labels.get(e['source'], e['source']))} cites"
                       f" {md_escape(labels.get(e['target'], e['target']))} ({e['count']}×)")

    out += ["", "## Who said what", ""]
    for g in r["speakers"]:
        out.append(f"### {md_escape(g['speaker'] or 'Unattributed: the texts in their own voice')}")
        out.append("")
        for cl in g["claims"]:
            chains = "; ".join(md_escape(" → ".join(ch)) for ch in cl["chains"])
            out.append(
                f"- {md_escape(quoted(cl['content']['text']))}{notes.cite(cl['content'], titles)} — {md_escape(cl['cue'])};"
                f" {chains}; {md_escape(cl['certainty'])}; {cl['independent_sources']} independent source(s)"
            )
        if g.get("omitted"):
            out += [_more(g["omitted"], "claims", "those carried by the most independent sources are listed")]
        out.append("")
    if left.get("speakers"):
        out += [_more(left["speakers"], "speakers", "those with the most claims are listed"), ""]

    out += ["## Contradictions and uncertainties", ""]
    for x in r["contradictions"]:
        cites = "".join(notes.cite(e, titles) for e in x["evidence"])
        out.append(f"- **{md_escape(x['kind'])}**: {md_escape(x['explanation'])}{cites}")
    if not r["contradictions"]:
        out.append("No contradictions were detected.")
    if left.get("contradictions"):
        out.append(f"- {_more(left['contradictions'], 'contradictions')}")
    if r["uncertainties"]:
        out += ["", "Hedged and denied claims:", ""]
        for u in r["uncertainties"]:
            out.append(
                f"- {md_escape(quoted(u['content']['text']))}{notes.cite(u['content'], titles)} —"
                f" {md_escape(u['speaker'] or 'the text')}, {md_escape(u['certainty'])}"
                f"{(' (' + md_escape(', '.join(u['hedges'])) + ')') if u['hedges'] else ''}"
            )
        if left.get("uncertainties"):
            out.append(f"- {_more(left['uncertainties'], 'hedged or denied claims')}")

    out += ["", "## Sources", ""]
    if left.get("sources"):
        out += [f"{len(r['sources']):,} of {r['counts']['documents']:,} documents are described: those the summary and"
                " timeline cite, then those that copy or are copied, then those with tone signals, then the earliest.",
                ""]
    for s in r["sources"]:
        link = _safe_url(s.get("url"))
        url = f"<{link}>" if link and not re.search(r"[<>\s]", link) else (f"`{md_escape(s['url'])}` (not a web link)" if s.get("url") else "no URL")
        out.append(f"### {md_escape(s.get('title') or '(untitled)')}")
        out.append("")
        out.append(
            f"{md_escape(s.get('outlet') or 'unknown outlet')} · {md_escape(_date(s.get('published'), s.get('published_precision')))}"
            f"{(' from ' + md_escape(s['published_source'])) if s.get('published_source') else ''} · `{s['id']}` · {url}"
        )
        rel = [f"copies `{x['doc'][:6]}` ({x['passages']} passages)" for x in s["copies"]]
        if s.get("copies_total", 0) > len(s["copies"]):
            rel.append(f"copies {s['copies_total'] - len(s['copies']):,} more")
        rel += [f"copied by `{x['doc'][:6]}` ({x['passages']} passages)" for x in s["copied_by"]]
        if s.get("copied_by_total", 0) > len(s["copied_by"]):
            rel.append(f"copied by {s['copied_by_total'] - len(s['copied_by']):,} more")
        if s["cites"]:
            rel.append("cites " + ", ".join(md_escape(f"{x['outlet']} ×{x['count']}") for x in s["cites"]))
        if rel:
            out += ["", "Relations: " + "; ".join(rel)]
        if s.get("language"):
            out += ["", f"Language: {md_escape(s['language_label'])}"]
        if s.get("not_analysed"):
            out += ["", md_escape(s["not_analysed"])]
        for _name, t in s["tone"].items():
            words = ", ".join(f"“{md_escape(w['word'])}” ×{w['count']}" for w in t["words"])
            cites = "".join(notes.cite(e, titles) for e in t["evidence"][:5])
            out += ["", f"Tone signal — {md_escape(t['label'])}: {t['count']} ({words}){cites}"]
        out.append("")

    if left.get("sources"):
        out += [_more(left["sources"], "documents", "`storyline docs` lists them all"), ""]

    if notes.items:
        out += ["---", ""]
        out += [f"[^{i}]: {text}" for i, text in enumerate(notes.items, 1)]
    return "\n".join(out).rstrip() + "\n"
