"""Shared text handling: folding keeps offsets, tokens carry spans."""
from __future__ import annotations

from models.normalize import clean, fold
from models.tokens import iter_words, tokenize


def test_fold_keeps_length_and_folds_case_yo_and_homoglyphs():
    text = "ЁЛКА в Алмaты, Kazakhstan İstanbul"  # 'a' in Алмaты is Latin
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded.startswith("елка в алматы")
    assert "kazakhstan" in folded


def test_clean_replaces_control_characters_and_keeps_newlines():
    assert clean("a\x00b\nc\u200bd") == "a b\nc d"


def test_tokens_have_spans_into_the_original():
    text = "Кара-Балта и Токмок: 71 imam-khatibs."
    tokens = tokenize(text)
    assert [t.text for t in tokens] == ["Кара-Балта", "и", "Токмок", "71", "imam-khatibs"]
    for tok in tokens:
        assert text[tok.start:tok.end] == tok.text
    assert list(iter_words("Ёж ЁЖ")) == ["еж", "еж"]
