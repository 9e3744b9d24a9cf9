"""The one sentence splitter every model uses: news text in ru, kk and en.

Returns character spans so that callers can map findings back into the original text. Rules, in
order: a blank line or a line break before a capital ends a sentence (headings, bylines, list
items); `!`, `?` and `…` end one unless lower-case text or a dash-led attribution follows
(«Куда?» — спросил он); a period ends one unless it closes an abbreviation (г., т.е., им., ж.,
т.б., Mr., U.S.), an initial (Н.А. Назарбаев) or a list number (1.), or lower-case text follows.
Abbreviations that can also end a sentence (2019 г., etc., т.б., p.m., U.S.) end one when the next
word is a typical sentence opener (a capitalised function word such as «В», «Он», «Бұл», "The").
"""
from __future__ import annotations

import re

from models.stopwords import STOP_WORDS

# Abbreviations that never end a sentence: titles and prefixes before a name or a number.
_PREFIXES: dict[str, frozenset[str]] = {
    "en": frozenset({
        "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "gen", "col", "lt", "sgt", "capt",
        "gov", "sen", "rep", "rev", "vs", "mt", "ft", "fig", "vol", "nos", "e.g", "i.e", "approx",
        "dept", "est", "ave", "gen", "maj", "adm", "cmdr", "pres", "hon",
    }),
    "ru": frozenset({
        "т", "е", "т.е", "им", "ул", "пр-т", "пр", "д", "кв", "обл", "р-н", "см", "стр", "ст", "п",
        "пп", "ч", "гл", "акад", "проф", "доц", "г-н", "г-жа", "тов", "напр", "пос", "дер", "оз",
        "р", "прим", "англ", "рус", "каз", "лат", "ген", "св", "просп", "пл", "наб", "пер", "мкр", "корп",
        "с", "ср",
    }),
    "kk": frozenset({
        "т", "б", "обл", "ауд", "көш", "ғ", "ш", "қ", "м", "к", "а", "с", "п", "бб", "ақ",
    }),
}
# Abbreviations that may end a sentence: split after them only before a sentence opener.
_ENDINGS: dict[str, frozenset[str]] = {
    "en": frozenset({
        "etc", "inc", "ltd", "co", "corp", "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
        "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "e.u", "a.m", "p.m",
    }),
    "ru": frozenset({
        "г", "гг", "т.д", "т.п", "др", "пр", "млн", "млрд", "тыс", "руб", "долл", "коп", "чел",
        "мин", "сек", "вв", "в", "н.э", "до н.э", "км", "кг", "м",
    }),
    "kk": frozenset({
        "ж", "жж", "т.б", "т.с.с", "млн", "млрд", "мың", "сағ", "мин", "км", "ғғ", "теңге", "тг",
    }),
}
PREFIXES = frozenset().union(*_PREFIXES.values())
ENDINGS = frozenset().union(*_ENDINGS.values())
ABBREVIATIONS: dict[str, frozenset[str]] = {
    lang: _PREFIXES[lang] | _ENDINGS[lang] for lang in _PREFIXES
}
# After these a capital letter alone is enough to end the sentence.
_LIST_ENDS = frozenset({"etc", "т.д", "т.п", "т.б", "т.с.с", "др"})
# Capitalised words that typically open a sentence: function words of every language.
_OPENERS = frozenset().union(*STOP_WORDS.values()) | frozenset({
    "затем", "тогда", "сейчас", "ранее", "позже", "кроме", "также", "напомним", "отметим",
    "кейін", "сондай-ақ", "алайда", "осылайша", "еске", "бұған", "later", "earlier", "meanwhile",
    "but", "and", "yet",
})

_UPPER = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
_LOWER = "a-zа-яёәғқңөұүһі"
# Candidate boundaries: terminal punctuation (with closing quotes/brackets) and then space, or
# directly a capitalised word after a lower-case word ("работал.Затем"); or a line break.
_CANDIDATE_RE = re.compile(
    r"([.!?…]+[\"'»”’)\]]*)(\s+)"
    rf"|(?<=[{_LOWER}]{{2}})([.!?])(?=[{_UPPER}][{_LOWER}])"
    r"|(\n\s*)")
_WORD_BEFORE_RE = re.compile(r"(\w+(?:[.-]\w+)*)\.?$", re.UNICODE)
_NEXT_WORD_RE = re.compile(r"[«\"'“(]?(\w+)(\.?)", re.UNICODE)
_INITIALS_RE = re.compile(r"^(?:\w\.)*\w$", re.UNICODE)
_LIST_MARKER_RE = re.compile(r"^\s*(?:\d{1,3}|[a-zA-Zа-яА-Я]|[IVXivx]{1,4})[.)]?\s*$")
_DASHES = "—–-"
_YEAR_RE = re.compile(r"^\d{2,4}(?:г|гг|ж|жж)$")
_DOMAIN_RE = re.compile(r"(?:www\.)?[a-z0-9-]{2,}(?:\.[a-z0-9-]{2,})*\.(?:[a-z]{2,6})\b(?![.-]\w)")


def _is_opener(text: str, pos: int) -> bool:
    """Whether the word at `pos` is a capitalised function word (and not an initial)."""
    m = _NEXT_WORD_RE.match(text, pos)
    if not m:
        return False
    word = m.group(1)
    if m.group(2) and len(word) == 1:
        return False  # "В.Кулишов": an initial, not the preposition
    return word[0].isupper() and word.lower() in _OPENERS


def _is_boundary(text: str, dot_start: int, next_start: int) -> bool:
    """Decide whether the punctuation at `dot_start` ends a sentence."""
    nxt = text[next_start:next_start + 1]
    if not nxt:
        return True
    if nxt.islower():
        # a sentence may open with a lower-case web address: «… тілшісі. qamqor.gov.kz сайтында …»
        return bool(_DOMAIN_RE.match(text, next_start))
    if text[dot_start] == ".":
        before = text[max(0, dot_start - 40):dot_start]
        m = _WORD_BEFORE_RE.search(before)
        word = m.group(1) if m else ""
        low = word.lower()
        if low in PREFIXES and not _ends_year(before, low):
            return False
        if low in ENDINGS or _YEAR_RE.match(low):
            if low in _LIST_ENDS and nxt.isupper():
                return True
            return _is_opener(text, next_start)
        if _INITIALS_RE.match(word) and word[:1].isupper():
            return _is_opener(text, next_start) and "." in word  # U.S. The … / Н. Назарбаев
        if word.isdigit() and nxt.isdigit():
            return False
    if nxt in _DASHES:  # «Куда?» — спросил он.
        follow = text[next_start + 1:next_start + 4].lstrip()
        return not follow[:1].islower()
    return True


def _ends_year(before: str, low: str) -> bool:
    """«2019 г.», «2019 ж.»: a year abbreviation, which may end a sentence."""
    return low in ("г", "гг", "ж", "жж") and bool(re.search(r"\d\s*\w+$", before))


def split_spans(text: str) -> list[tuple[int, int]]:
    """Return (start, end) spans of the sentences in `text`, stripped of surrounding space."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _CANDIDATE_RE.finditer(text):
        if m.group(4) is not None:  # a line break
            end, nxt = m.start(4), m.end(4)
            if "\n" not in text[end + 1:nxt] and _continues(text, end, nxt):
                continue
        elif m.group(3) is not None:  # "работал.Затем", but not "Яндекс.Такси"
            if not _lower_word_before(text, m.start(3)):
                continue
            end = nxt = m.end(3)
        else:
            end, nxt = m.end(1), m.end(2)
            newline = "\n" in m.group(2) and not text[nxt:nxt + 1].islower()
            if not newline and not _is_boundary(text, m.start(1), nxt):
                continue
            if "\n" not in m.group(2) and _LIST_MARKER_RE.match(text[start:end]):
                continue  # "1. Первое": the number opens the item
        _append(spans, text, start, end)
        start = nxt
    _append(spans, text, start, len(text))
    return spans


def _lower_word_before(text: str, pos: int) -> bool:
    """Whether the word ending at `pos` is all lower case (a sentence end, not a brand name)."""
    start = pos
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    return text[start:pos].islower()


def _continues(text: str, end: int, nxt: int) -> bool:
    """A single line break inside a sentence (hard-wrapped text): lower-case text goes on."""
    prev = text[end - 1:end]
    return bool(prev) and prev.isalpha() and text[nxt:nxt + 1].islower()


def _append(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    """Append the stripped span [start, end) if it holds any word character."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and any(ch.isalnum() for ch in text[start:end]):
        spans.append((start, end))


def split(text: str) -> list[str]:
    """Return the sentences of `text` as strings."""
    return [text[s:e] for s, e in split_spans(text)]
