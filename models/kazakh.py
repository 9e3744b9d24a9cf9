"""spaCy language class for Kazakh (Cyrillic), which spaCy itself does not ship.

Registered as "kk", so once this module is imported `spacy.blank("kk")` gives a tokenizer with
Kazakh abbreviations kept whole, Kazakh stop words, and `like_num` that knows Kazakh number
words (cardinals, ordinals, collectives and their case forms). The counts and summary models use
the tables here (`NUMBER_WORDS`, `STOP_WORDS`, `number_value`) so the language is described once.
"""
from __future__ import annotations

import spacy
from spacy.attrs import LIKE_NUM, ORTH
from spacy.lang.tokenizer_exceptions import BASE_EXCEPTIONS
from spacy.language import BaseDefaults, Language
from spacy.util import update_exc

from models.normalize import fold
from models.stopwords import stop_words

# Cardinal number words and their values.
NUMBER_WORDS: dict[str, int] = {
    "нөл": 0, "бір": 1, "екі": 2, "үш": 3, "төрт": 4, "бес": 5, "алты": 6, "жеті": 7,
    "сегіз": 8, "тоғыз": 9, "он": 10, "жиырма": 20, "отыз": 30, "қырық": 40, "елу": 50,
    "алпыс": 60, "жетпіс": 70, "сексен": 80, "тоқсан": 90, "жүз": 100, "мың": 1000,
    "қырқ": 40, "миллион": 10**6, "млн": 10**6, "миллиард": 10**9, "млрд": 10**9,
    "триллион": 10**12,
}
# Collective numerals ("екеуі" = the two of them) and their values.
COLLECTIVES: dict[str, int] = {
    "екеу": 2, "үшеу": 3, "төртеу": 4, "бесеу": 5, "алтау": 6, "жетеу": 7, "сегізеу": 8,
    "тоғызау": 9, "онау": 10,
}
# Endings that turn a cardinal into an ordinal (бірінші, алтыншы) or a case/possessive form.
ORDINAL_ENDINGS: tuple[str, ...] = ("інші", "ыншы", "нші", "ншы")
CASE_ENDINGS: tuple[str, ...] = (
    "", "і", "ы", "сі", "сы", "нің", "ның", "дің", "дың", "тің", "тың", "ге", "ға", "ке", "қа",
    "не", "на", "ді", "ды", "ті", "ты", "ні", "ны", "де", "да", "те", "та", "нде", "нда", "ден",
    "дан", "тен", "тан", "нен", "нан", "мен", "бен", "пен", "леген", "деген", "даған", "лаған",
    "таған", "теген",
)
# Words that modify a count rather than being one ("about", "more than", "thousands of").
APPROXIMATORS: frozenset[str] = frozenset({
    "шамамен", "жуық", "астам", "артық", "кем", "қарай", "таяу", "мыңдаған", "жүздеген",
    "ондаған", "миллиондаған",
})

# Function words come from the one stop-word table (models.stopwords), so Kazakh is described once.
STOP_WORDS: set[str] = set(stop_words("kk"))

# Abbreviations that keep their full stop (т.б. = "and so on", ж. = "year", обл. = "region").
_ABBREVIATIONS: tuple[str, ...] = (
    "т.б.", "т.с.с.", "т.с.", "б.з.б.", "б.з.", "ж.", "жж.", "ғ.", "ғғ.", "млн.", "млрд.",
    "мыс.", "обл.", "қ.", "а.", "ауд.", "көш.", "тел.", "сағ.", "мин.", "км.", "кг.", "бет.",
    "проф.", "акад.", "доц.", "т.ғ.д.", "т.ғ.к.", "ф.ғ.д.", "ф.ғ.к.", "э.ғ.д.", "ҚР", "ТМД",
    "АҚШ", "БҰҰ",
)


def _tokenizer_exceptions() -> dict:
    """spaCy tokenizer exceptions: base ones plus Kazakh abbreviations in three casings."""
    exc: dict = {}
    for abbr in _ABBREVIATIONS:
        for form in {abbr, abbr.capitalize(), abbr.upper()}:
            exc[form] = [{ORTH: form}]
    return update_exc(BASE_EXCEPTIONS, exc)


TOKENIZER_EXCEPTIONS = _tokenizer_exceptions()


def _strip_ending(word: str, endings: tuple[str, ...]) -> list[str]:
    """Every stem of `word` left after removing one of `endings` (the empty ending included)."""
    return [word[: len(word) - len(e)] if e else word for e in endings if word.endswith(e)]


def number_value(word: str) -> int | None:
    """The value of a Kazakh number word in any common form (екі, екінші, бесеуі), else None."""
    w = fold(word).strip(".")
    if not w or w in STOP_WORDS:  # оны "him", онда "there" look like forms of он "ten"
        return None
    digits = w.replace(" ", "").replace(",", "")
    if digits.isdigit():
        return int(digits)
    for stem in _strip_ending(w, CASE_ENDINGS):
        if stem in NUMBER_WORDS:
            return NUMBER_WORDS[stem]
        if stem in COLLECTIVES:
            return COLLECTIVES[stem]
        for base in _strip_ending(stem, ORDINAL_ENDINGS):
            if base != stem and base in NUMBER_WORDS:
                return NUMBER_WORDS[base]
            # Vowel-final cardinals drop their last vowel before -ншы/-нші (алты -> алтыншы).
            for vowel in ("ы", "і"):
                if base != stem and base + vowel in NUMBER_WORDS:
                    return NUMBER_WORDS[base + vowel]
    return None


def like_num(text: str) -> bool:
    """spaCy LIKE_NUM for Kazakh: digits, fractions, or a number word in any common form."""
    text = text.replace(",", "").replace(".", "").replace(" ", "")
    if text.startswith(("+", "-", "±", "~")):
        text = text[1:]
    if text.isdigit():
        return True
    if text.count("/") == 1:
        num, denom = text.split("/")
        if num.isdigit() and denom.isdigit():
            return True
    return number_value(text) is not None


LEX_ATTRS = {LIKE_NUM: like_num}


class KazakhDefaults(BaseDefaults):
    """Language data spaCy reads when it builds a Kazakh pipeline."""

    tokenizer_exceptions = TOKENIZER_EXCEPTIONS
    lex_attr_getters = LEX_ATTRS
    stop_words = STOP_WORDS


@spacy.registry.languages("kk")
class Kazakh(Language):
    """Kazakh (Cyrillic script): spacy.blank("kk") after importing this module."""

    lang = "kk"
    Defaults = KazakhDefaults


def blank() -> Language:
    """A blank Kazakh pipeline (tokenizer + lexical attributes)."""
    return Kazakh()


__all__ = ["Kazakh", "KazakhDefaults", "NUMBER_WORDS", "STOP_WORDS", "blank", "like_num",
           "number_value"]
