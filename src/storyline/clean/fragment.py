"""HTML fragments of article body (feed items) → plain paragraphs.

A feed item's content is the article itself, without page furniture, so no boilerplate
detection is wanted: block elements become paragraphs, scripts and styles are dropped.
"""

from __future__ import annotations

import re

from lxml import html as lxml_html
from lxml.etree import ParserError

_BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "section", "article", "figure"}
_DROP = {"script", "style", "noscript", "template", "iframe", "object", "embed"}
_WS = re.compile(r"\s+")


def fragment_to_text(fragment: str) -> str:
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (ParserError, ValueError):
        return _WS.sub(" ", re.sub(r"<[^>]*>", " ", fragment)).strip()
    parts: list[str] = []

    def walk(el: object) -> None:
        tag = getattr(el, "tag", None)
        if not isinstance(tag, str):  # comments, processing instructions
            if getattr(el, "tail", None):
                parts.append(el.tail)  # type: ignore[attr-defined]
            return
        tag = tag.lower()
        if tag in _DROP:
            if el.tail:  # type: ignore[attr-defined]
                parts.append(el.tail)  # type: ignore[attr-defined]
            return
        if tag in _BLOCKS:
            parts.append("\n\n")
        if el.text:  # type: ignore[attr-defined]
            parts.append(el.text)  # type: ignore[attr-defined]
        for child in el:  # type: ignore[attr-defined]
            walk(child)
        if tag in _BLOCKS:
            parts.append("\n\n")
        if el.tail:  # type: ignore[attr-defined]
            parts.append(el.tail)  # type: ignore[attr-defined]

    walk(root)
    paragraphs = (_WS.sub(" ", p).strip() for p in re.split(r"\n\s*\n", "".join(parts)))
    return "\n\n".join(p for p in paragraphs if p)
