"""Word tokens with character offsets: the one tokeniser the models share."""
from __future__ import annotations

import re
from typing import Iterator, NamedTuple

from models.normalize import fold

# A word: letters/digits, allowing inner hyphens and apostrophes (Kara-Balta, imam-khatibs, O'Reilly).
WORD_RE = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)


class Token(NamedTuple):
    """A word token: its text as written, its folded form, and its span in the source text."""

    text: str
    norm: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Split `text` into word tokens; punctuation and spaces are dropped, offsets kept."""
    folded = fold(text)
    return [Token(text[m.start():m.end()], folded[m.start():m.end()], m.start(), m.end())
            for m in WORD_RE.finditer(text)]


def iter_words(text: str) -> Iterator[str]:
    """Yield the folded words of `text` (for bag-of-words features and ROUGE-style scoring)."""
    for m in WORD_RE.finditer(fold(text)):
        yield m.group(0)
