"""The indexed attribute ruler (``storyline.annotate.nlp.AttributeIndex``) sets exactly what the
model's stock ``AttributeRuler`` sets: same matches in the same order, same token attributes."""

from __future__ import annotations

import pytest

spacy = pytest.importorskip("spacy")

from storyline.annotate.nlp import ACTOR_RULER, AttributeIndex, _model_name, load_nlp  # noqa: E402

# Ordinary news sentences and the ruler's rarer rules: contractions ("ai n't", "gon na", "got ta",
# "let 's"), regex rules ("nothin'", "y'all"), pronoun cases by dependency, auxiliaries,
# whitespace tokens, determiners used as pronouns.
TEXTS = [
    "BEIRUT, March 3 (Reuters) - A convoy of about 40 vehicles left Raqqa for Deir ez-Zor on Monday, "
    'a spokesman for the coalition said. "We are monitoring it," he told reporters in Syria.',
    "Y'all ain't gonna believe it, he said, and I'd gotta go. Let's see: she gets it, they got it. "
    "There is a dog; there's nothing here. That is what I want, and this was theirs, not ours.",
    "  Doin' nothin' ol' 'em 'll 'nuff c'm on y all gon na got ta.\n\n\tIt was him, not me. "
    "You should have been told. Has she done it? Did they? Those who can, do.",
    "The ministry, which had denied the reports, said that all of them had been released "
    "although some were still missing  —  whether anyone knew where was unclear.",
]


@pytest.fixture(scope="module")
def pipelines():
    stock = spacy.load(_model_name(), exclude=["lemmatizer", "senter"])
    stock.add_pipe(ACTOR_RULER, before="ner")
    return load_nlp(), stock


def _tokens(doc):
    return [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.head.i, t.ent_type_, t.ent_iob_)
            for t in doc]


def test_load_nlp_uses_the_index(pipelines):
    ours, stock = pipelines
    assert isinstance(ours.get_pipe("attribute_ruler").match.__self__, AttributeIndex)
    assert stock.get_pipe("attribute_ruler").match.__func__.__qualname__ == "AttributeRuler.match"


def test_same_matches_in_the_same_order(pipelines):
    from spacy.pipeline import AttributeRuler

    ours, _ = pipelines
    ruler = ours.get_pipe("attribute_ruler")
    lengths = set()
    for text in TEXTS:
        doc = ours.make_doc(text)
        for name in ("tok2vec", "tagger", "parser"):
            doc = ours.get_pipe(name)(doc)
        found = ruler.match(doc)
        assert found == AttributeRuler.match(ruler, doc)
        lengths |= {e - s for _, _, s, e in found}
    assert lengths == {1, 2}  # the two-token rules ("ai n't", "gon na") matched as well


@pytest.mark.parametrize("text", TEXTS)
def test_same_token_attributes(pipelines, text):
    ours, stock = pipelines
    assert _tokens(ours(text)) == _tokens(stock(text))


def test_every_rule_of_the_model_is_indexed(pipelines):
    """The model's rules are all of the kinds the index reads: no Matcher left to run; only the
    rules whose first token is a regex ("nothin'", "y'all") are tried at every token."""
    from storyline.annotate.nlp import _REGEX

    ours, _ = pipelines
    index = ours.get_pipe("attribute_ruler").match.__self__
    assert len(index.others) == 0
    assert len(index.anywhere) == 2 and all(k == _REGEX for r in index.anywhere for _, k, _ in r.first)


def _blank_with_rules():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "the"}, {"IS_ALPHA": True, "OP": "+"}]], {"TAG": "X"}, index=-1)  # an operator
    ruler.add([[{"LENGTH": {">=": 5}}]], {"TAG": "LONG"})  # another attribute
    ruler.add([[{"LOWER": "dog"}]], {"TAG": "NN"})
    return nlp, ruler


def test_rules_of_other_kinds_stay_with_a_matcher():
    stock_nlp, _ = _blank_with_rules()
    nlp, ruler = _blank_with_rules()
    AttributeIndex.install(ruler)
    index = ruler.match.__self__
    assert len(index.others) == 2 and sum(map(len, index.by_col[1].values())) == 1
    for text in ("the big dog barked loudly", "", "The dog"):
        assert [(t.tag_, t.pos_) for t in nlp(text)] == [(t.tag_, t.pos_) for t in stock_nlp(text)]
    assert [t.tag_ for t in nlp("the big dog barked")] == ["", "X", "NN", "LONG"]
