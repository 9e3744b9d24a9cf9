"""Extractive summaries: the most central, well-placed sentences of an article, verbatim.

Each sentence is scored by centrality (how many of its content stems recur in the rest of the
article), position (news puts the point first), overlap with the title, and whether it holds
places or counts found by those models; the best are taken greedily, skipping near-repeats of
sentences already taken, until the sentence or character budget is spent, and returned in the
article's order. Scoring weights live in the artefact (`params.json`), tuned on topics/dev and
NER-train headlines (one sentence) and on BBC News Summary pairs outside the test set (several
sentences; see training/summary.py), never on the summarisation test sets.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from models.artefacts import load_json
from models.errors import InputError
from models.sentences import split_spans
from models.stemming import stem
from models.stopwords import stop_words

NAME = "summary"
PARAMS_FILE = "params.json"
_WORD_RE = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)
# Datelines and timestamps: "МОСКВА, 5 марта. /ТАСС/.", "LONDON 1996-08-22", "ERBIL (Kurdistan 24) –",
# "05/08/2008 10:35": an upper-case place name before a date or an agency in brackets, or a bare
# date and time. An abbreviation opening a real sentence ("АҚШ 2025 жылы …") does not match.
_CAPS = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
_DATELINE_RE = re.compile(
    rf"^\W*[{_CAPS}]{{3,}}(?:[ -][{_CAPS}]{{2,}})*"
    r"(?:\s*,\s*\d{1,2}\s+\w+\b|\s+\d{4}-\d{2}-\d{2}\b|\s*\([^)]{2,40}\)\s*[–—-])"
    r"|^\W*\d{1,2}[./-]\d{1,2}[./-]\d{2,4}(?:\s+\d{1,2}:\d{2})?\W*$")
# Lines shorter than this are checked for being datelines, captions or headings.
_SHORT_WORDS = 10
# A sentence proper ends in terminal punctuation, possibly inside closing quotes or brackets.
_TERMINATED_RE = re.compile(r"[.!?…][\"'»”’)\]]*$")


@dataclass
class _Sentence:
    """One candidate sentence: its span, order, content stems and size."""

    start: int
    end: int
    index: int
    terms: frozenset[str]
    counts: dict[str, int]
    n_words: int
    furniture: bool  # dateline, caption, heading or boilerplate line
    score: float = 0.0
    junk: bool = False


class Summarizer:
    """Loads the scoring parameters and picks summary sentences from an article."""

    def __init__(self, params: dict[str, Any], manifest: dict[str, Any]) -> None:
        self.params = params
        self.manifest = manifest
        self.version: str = str(manifest.get("version", "unknown"))
        # patterns are lower case and matched against the lower-cased sentence
        self._boilerplate = {lang: re.compile("|".join(patterns))
                             for lang, patterns in params.get("boilerplate", {}).items() if patterns}

    @classmethod
    def load(cls, root: Path) -> "Summarizer":
        """Verify and load the artefact in `root/summary`."""
        params, manifest = load_json(Path(root) / NAME, PARAMS_FILE, root=Path(root))
        return cls(params, manifest)

    def info(self) -> dict:
        """Version, where the weights were tuned, and the headline ROUGE figures."""
        return {"version": self.version,
                "training_data": self.manifest.get("training_data", {}),
                "metrics": self.manifest.get("metrics", {})}

    def summarize(self, text: str, lang: str, title: str | None = None, sentences: int = 3,
                  max_chars: int | None = None, places: list[dict] | None = None,
                  counts: list[dict] | None = None) -> list[str]:
        """Return up to `sentences` sentences of `text` (within `max_chars`), in original order."""
        picked = self.select(text, lang, title=title, sentences=sentences, max_chars=max_chars,
                             places=places, counts=counts)
        return [text[s:e] for s, e in picked]

    def select(self, text: str, lang: str, title: str | None = None, sentences: int = 3,
               max_chars: int | None = None, places: list[dict] | None = None,
               counts: list[dict] | None = None) -> list[tuple[int, int]]:
        """The (start, end) spans of the chosen sentences, in original order."""
        if not isinstance(text, str):
            raise InputError("text must be a string", code="bad_text")
        if isinstance(sentences, bool) or not isinstance(sentences, int) or sentences < 1:
            raise InputError("sentences must be a positive integer", code="bad_sentences")
        if max_chars is not None and (isinstance(max_chars, bool) or not isinstance(max_chars, int)
                                      or max_chars < 1):
            raise InputError("max_chars must be a positive integer", code="bad_max_chars")
        cands = _candidates(text, lang, self._boilerplate.get(lang))
        if not cands:
            return []
        cfg = self._config(sentences)
        _score(cands, cfg, frozenset(_stems(_words(title), lang)) if title else frozenset(),
               _entity_starts(places, "spans"), _entity_starts(counts, "span"))
        chosen = _choose(cands, cfg, sentences, max_chars)
        return [(c.start, c.end) for c in sorted(chosen, key=lambda c: c.index)]

    def _config(self, sentences: int) -> dict[str, float]:
        """Weights for a one-sentence lede or a several-sentence summary."""
        key = "single" if sentences == 1 else "multi"
        return self.params[key]


def _lower(text: str) -> str:
    """A cheap per-sentence form of `fold`: case and ё only (enough for matching stems)."""
    return text.lower().replace("ё", "е")


def _words(text: str) -> list[str]:
    """Lower-cased words of a sentence."""
    return _WORD_RE.findall(_lower(text))


def _stems(words: list[str], lang: str) -> list[str]:
    """Content stems of a word list: stop words and one-letter tokens dropped."""
    stops = stop_words(lang)
    return [stem(w, lang) for w in words if len(w) > 1 and w not in stops]


def _candidates(text: str, lang: str, boilerplate: re.Pattern | None) -> list[_Sentence]:
    """Split `text` and describe each sentence by its content stems."""
    out = []
    for index, (start, end) in enumerate(split_spans(text)):
        sentence = text[start:end]
        low = _lower(sentence)
        words = _WORD_RE.findall(low)
        counts: dict[str, int] = {}
        for t in _stems(words, lang):
            counts[t] = counts.get(t, 0) + 1
        short = len(words) < _SHORT_WORDS
        furniture = (bool(boilerplate and boilerplate.search(low))
                or (short and not _TERMINATED_RE.search(sentence))  # headings, captions
                or (short and bool(_DATELINE_RE.search(sentence))))
        out.append(_Sentence(start, end, index, frozenset(counts), counts, len(words), furniture))
    return out


def _entity_starts(items: Iterable[dict] | dict | None, key: str) -> list[int]:
    """Start offsets of place or count mentions, from the other models' outputs."""
    if isinstance(items, dict):  # a wrapped result such as {"places": [...]}
        items = next((v for v in items.values() if isinstance(v, list)), [])
    starts: list[int] = []
    for item in items or ():
        if not isinstance(item, dict):
            continue
        value = item.get(key)
        spans = value if key == "spans" else [value]
        for span in spans or ():
            if isinstance(span, (list, tuple)) and len(span) == 2 and isinstance(span[0], int):
                starts.append(span[0])
    return starts


def _score(cands: list[_Sentence], cfg: dict[str, float], title: frozenset[str],
           place_starts: list[int], count_starts: list[int]) -> None:
    """Give every candidate its score: centrality, position, title, places and counts."""
    total: dict[str, int] = {}
    for c in cands:
        for t, n in c.counts.items():
            total[t] = total.get(t, 0) + n
    alpha = cfg["length_exponent"]
    raw = []
    for c in cands:
        # word overlap with the rest of the article (each repeat counts): the weighted degree
        # of the sentence in TextRank's graph, divided by length^alpha (alpha < 1 keeps a
        # mild preference for longer sentences, as TextRank's log-length normalisation does)
        shared = sum(n * (total[t] - n) for t, n in c.counts.items())
        raw.append(shared / max(1, sum(c.counts.values())) ** alpha)
    top = max(raw) or 1.0
    n_title = len(title)
    min_words = cfg["min_words"]
    for c, r in zip(cands, raw):
        score = cfg["centrality"] * r / top
        score += cfg["position"] / (1.0 + c.index)
        if n_title:
            score += cfg["title"] * len(c.terms & title) / n_title
        if place_starts and any(c.start <= p < c.end for p in place_starts):
            score += cfg["places"]
        if count_starts and any(c.start <= p < c.end for p in count_starts):
            score += cfg["counts"]
        if c.n_words < min_words:
            score -= 10.0  # headings, bylines, datelines: only if nothing else is left
        elif c.furniture:
            score -= 5.0  # captions, datelines, "read also", subscription prompts, links
        c.junk = c.n_words < min_words or c.furniture
        c.score = score


def _choose(cands: list[_Sentence], cfg: dict[str, float], sentences: int,
            max_chars: int | None) -> list[_Sentence]:
    """Greedy pick by score, skipping near-repeats, within the sentence and character budget."""
    limit = cfg["redundancy"]
    chosen: list[_Sentence] = []
    used = 0
    for c in sorted(cands, key=lambda c: (-c.score, c.index)):
        if len(chosen) >= sentences:
            break
        if c.junk and chosen:
            continue  # page furniture only stands in when the article has nothing else
        length = c.end - c.start + (1 if chosen else 0)
        if max_chars is not None and used + length > max_chars:
            continue
        if any(_overlap(c.terms, o.terms) > limit for o in chosen):
            continue
        chosen.append(c)
        used += length
    return chosen


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the smaller sentence's stems that the other one repeats."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))
