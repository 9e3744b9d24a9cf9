"""Text normalisation shared by every model: one function, length-preserving.

`fold` maps each character to a comparison form (lower case, ё→е, Kazakh letters typed with
look-alike Latin or Russian letters, Latin/Cyrillic homoglyphs inside Cyrillic words) without
changing the string's length, so character offsets found on the folded text are offsets into the
original text. Every model matches on `fold(text)` and reports spans into `text`.
"""
from __future__ import annotations

import re
import unicodedata

# Latin letters that look like Cyrillic ones; used only inside words that are mostly Cyrillic.
_LATIN_TO_CYRILLIC = str.maketrans({
    "a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х", "y": "у", "k": "к",
    "h": "һ", "i": "і", "m": "м", "t": "т", "b": "в", "n": "п",
})
# Cyrillic letters that look like Latin ones; used only inside words that are mostly Latin.
_CYRILLIC_TO_LATIN = str.maketrans({
    "а": "a", "с": "c", "е": "e", "о": "o", "р": "p", "х": "x", "у": "y", "к": "k",
    "і": "i", "т": "t", "м": "m", "в": "b", "н": "h",
})
# Single characters folded everywhere: ё→е, and Kazakh letters typed with the look-alikes
# Kazakh keyboards lack (Latin ә/ө look-alikes, Ukrainian/Belarusian і and ў-style letters).
_CHAR_FOLD = str.maketrans({
    "ё": "е",
    "ǝ": "ә", "ə": "ә",  # schwa look-alikes
    "ɵ": "ө", "ӫ": "ө",
    "ҙ": "з",
    "ѳ": "ө",
    "ᴴ": "н",
    "\u00a0": " ", "\u2007": " ", "\u202f": " ",
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'",
    "\u2013": "-", "\u2014": "-", "\u2011": "-", "\u2010": "-",
})

_WORD_RE = re.compile(r"\w+", re.UNICODE)
# A whole word (\w run) that has both a Latin and a Cyrillic letter: the only words
# `_fix_mixed_script` changes, so only these are handed to it.
_MIXED_WORD_RE = re.compile(r"(?<!\w)(?=\w*[a-z])(?=\w*[\u0400-\u04ff])\w+", re.UNICODE)
# Control and format characters (zero-width spaces, BOM, bidi marks, NUL...) become spaces.
_CONTROL_TO_SPACE = {
    cp: " " for cp in range(0x110000)
    if unicodedata.category(chr(cp)) in ("Cc", "Cf") and chr(cp) not in "\n\t\r"
}
_SURROGATE_TO_REPLACEMENT = {cp: "\ufffd" for cp in range(0xD800, 0xE000)}
_CONTROL_TO_SPACE.update(_SURROGATE_TO_REPLACEMENT)


def _char_class(codepoints) -> re.Pattern:
    """A regex matching any of `codepoints` (as ranges): finding out that a text has none of
    them is several times faster than translating it, and almost every text has none."""
    cps = sorted(codepoints)
    ranges, start, prev = [], cps[0], cps[0]
    for cp in cps[1:] + [-1]:
        if cp != prev + 1:
            ranges.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else ""))
            start = cp
        prev = cp
    return re.compile("[" + "".join(ranges) + "]")


_NEEDS_CLEANING = _char_class(_CONTROL_TO_SPACE)
_SURROGATE = _char_class(_SURROGATE_TO_REPLACEMENT)
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
_LATIN_RE = re.compile(r"[a-z]")


def _lower(text: str) -> str:
    """Lower-case character by character so the length never changes (İ.lower() has two)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def _fix_mixed_script(match: re.Match) -> str:
    """Rewrite homoglyphs in a word that mixes scripts into the word's majority script."""
    word = match.group(0)
    cyr = len(_CYRILLIC_RE.findall(word))
    lat = len(_LATIN_RE.findall(word))
    if cyr and lat:
        if cyr >= lat:
            return word.translate(_LATIN_TO_CYRILLIC)
        return word.translate(_CYRILLIC_TO_LATIN)
    return word


# The same single-character folds as pairs: str.replace per pair is much faster than translate
# with a dict on non-ASCII text, and no target is also a source, so the order does not matter.
_CHAR_PAIRS = tuple((chr(src), dst) for src, dst in _CHAR_FOLD.items())


def fold(text: str) -> str:
    """Return the comparison form of `text`, the same length as `text`."""
    folded = _lower(text)
    for src, dst in _CHAR_PAIRS:
        if src in folded:
            folded = folded.replace(src, dst)
    if _LATIN_RE.search(folded) and _CYRILLIC_RE.search(folded):  # only mixed text has homoglyphs
        folded = _MIXED_WORD_RE.sub(_fix_mixed_script, folded)
    if len(folded) != len(text):  # defensive: a mapping above must never change length
        raise AssertionError("fold changed the text length")
    return folded


def clean(text: str) -> str:
    """Return `text` with control and format characters (other than newlines and tabs) as spaces.

    Lone surrogates (JSON can carry "\\ud800") become U+FFFD, so every model gets encodable text.

    Always the same length as `text`, so spans found on the cleaned text are spans into what the
    caller sent; NFC composition is applied only where it keeps that length.
    """
    if _NEEDS_CLEANING.search(text):
        text = text.translate(_CONTROL_TO_SPACE)
    composed = unicodedata.normalize("NFC", text)
    return composed if len(composed) == len(text) else text


def encodable(text: str) -> str:
    """`text` with every lone surrogate (JSON can carry "\\ud800") as U+FFFD: such a string
    cannot be encoded as UTF-8, so it could be neither hashed, stored nor sent back. Same
    length, so spans still match; nothing else changes (`clean` also blanks control characters)."""
    return text.translate(_SURROGATE_TO_REPLACEMENT) if _SURROGATE.search(text) else text


# Kazakh letters and the Russian letters people type for them on a Russian keyboard.
KAZAKH_LOOKALIKES: dict[str, str] = {
    "ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и",
}
_STRIP_KAZAKH = str.maketrans({**KAZAKH_LOOKALIKES,
                               **{k.upper(): v.upper() for k, v in KAZAKH_LOOKALIKES.items()}})


def strip_kazakh(text: str) -> str:
    """Kazakh text as typed without Kazakh letters (қ→к, ә→а…); same length as `text`."""
    return text.translate(_STRIP_KAZAKH)
