"""``EventLexicon.trigger_words``: the forms ``_trigger`` may start an event at, checked before
any tag or dependency is read; a form missing there would silently lose its events."""

from __future__ import annotations

from storyline.annotate.events import event_lexicon


def test_every_trigger_form_is_a_trigger_word():
    lex = event_lexicon()
    assert set(lex.verbs) <= lex.trigger_words
    assert set(lex.nouns) <= lex.trigger_words
    assert {"sit", "strike", "strikes", "control"} <= lex.trigger_words  # "sit-in", labour strikes, "took control"
    two_words = [n for n in lex.nouns if " " in n]
    assert two_words and all(n.split(" ")[0] in lex.trigger_words for n in two_words)  # "air" of "air strike"


def test_ordinary_words_are_not_trigger_words():
    lex = event_lexicon()
    assert not {"the", "said", "minister", "on", "tuesday"} & lex.trigger_words
