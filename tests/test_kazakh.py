"""The spaCy Kazakh language class: registration, tokenizer exceptions, stop words, numbers."""
from __future__ import annotations

import pytest
import spacy

from models import kazakh


def test_blank_kk_is_the_registered_kazakh_class():
    nlp = spacy.blank("kk")
    assert isinstance(nlp, kazakh.Kazakh)
    assert nlp.lang == "kk"


def test_abbreviations_keep_their_full_stop():
    nlp = kazakh.blank()
    words = [t.text for t in nlp("2023 ж. Алматы обл. тұрғындары, т.б. қатысты.")]
    assert "ж." in words and "обл." in words and "т.б." in words
    assert words[-1] == "."  # a sentence-final stop is still split off


def test_like_num_knows_kazakh_number_words():
    doc = kazakh.blank()("Жиырма бес имам мен екінші топтағы бесеуі келді .")
    flags = {t.text: t.like_num for t in doc}
    assert flags["Жиырма"] and flags["бес"] and flags["екінші"] and flags["бесеуі"]
    assert not flags["имам"] and not flags["келді"]


@pytest.mark.parametrize("word,value", [
    ("екі", 2), ("Екінші", 2), ("алтыншы", 6), ("тоғызыншы", 9), ("қырқыншы", 40),
    ("бесеуі", 5), ("мыңнан", 1000), ("жиырмасы", 20), ("314", 314), ("миллион", 10**6),
])
def test_number_value_reads_inflected_forms(word, value):
    assert kazakh.number_value(word) == value


@pytest.mark.parametrize("word", ["оны", "онда", "имам", "", "Астана"])
def test_number_value_rejects_words_that_only_look_numeric(word):
    assert kazakh.number_value(word) is None


def test_stop_words_are_flagged_and_content_words_are_not():
    doc = kazakh.blank()("Бұл туралы олар және біз де айттық , бірақ имамдар келмеді .")
    stop = {t.text.lower() for t in doc if t.is_stop}
    assert {"бұл", "туралы", "олар", "және", "біз", "бірақ"} <= stop
    assert "имамдар" not in stop
