"""Extractive summaries: the lede, or the set of central sentences that best covers the story.

One sentence is the lede: the first proper sentence (datelines, captions, headings and page
furniture skipped), with the title, places and counts as mild priors. Several sentences are
chosen as a set: a logistic model (weights in `params.json`) turns each sentence's centrality
(how much of its content recurs in the rest of the article), its rank, length and position into
the probability that an editor's extract would keep it; the chosen set is the one of the wanted
size with the highest *expected* ROUGE F1 against an extract of the usual share of the article,
so long, likely sentences win over short certain ones only when they are worth it. Sentences
come back in the article's order. Weights were fitted on topics/dev and NER-train headlines (one
sentence) and on BBC News Summary pairs outside the test set (several sentences; see
training/summary.py), never on the summarisation test sets. A chosen sentence loses what no
headline carries: a closing agency attribution ("…, деп хабарлайды Tengrinews.kz тілшісі."), an
opening byline ("KAZINFORM — ") or date ("8 мая 2017 года "), per-language patterns in
`params.json`; what is returned stays one verbatim stretch of the article.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any, Iterable

from models.artefacts import load_json
from models.errors import ArtefactError, InputError
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
# A span trimmed of its attribution keeps at least this many words, or is not trimmed.
_MIN_KEPT_WORDS = 5
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
    quote: bool = False  # holds a quotation (reported speech)
    score: float = 0.0
    junk: bool = False


class Summarizer:
    """Loads the scoring parameters and picks summary sentences from an article."""

    def __init__(self, params: dict[str, Any], manifest: dict[str, Any]) -> None:
        self.params = params
        self.manifest = manifest
        self.version: str = str(manifest.get("version", "unknown"))
        weights = params.get("multi", {}).get("weights")
        if weights is not None and len(weights) != len(FEATURES):
            raise ArtefactError(f"summary weights have {len(weights)} entries, the model "
                                f"{len(FEATURES)} features")
        # patterns are lower case and matched against the lower-cased sentence
        self._boilerplate = {lang: re.compile("|".join(patterns))
                             for lang, patterns in params.get("boilerplate", {}).items() if patterns}
        self._attribution = {lang: re.compile("|".join(patterns), re.IGNORECASE)
                             for lang, patterns in params.get("attribution", {}).items() if patterns}
        # case matters here: an agency byline is told by its capitals ("KAZINFORM —")
        self._lead_in = {lang: re.compile("|".join(patterns))
                         for lang, patterns in params.get("lead_in", {}).items() if patterns}

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
        if sentences > 1 and "weights" in cfg:
            chosen = _choose_set(cands, cfg, sentences, max_chars)
        else:
            chosen = _choose(cands, cfg, sentences, max_chars)
        return [self._without_lead_in(text, *self._without_attribution(text, c.start, c.end, lang),
                                      lang)
                for c in sorted(chosen, key=lambda c: c.index)]

    def _without_attribution(self, text: str, start: int, end: int, lang: str) -> tuple[int, int]:
        """The span minus a closing agency attribution ("…, сообщает ТАСС."): a byline, not news.

        Kept whole when too little would remain to stand as a sentence."""
        pattern = self._attribution.get(lang)
        if pattern is not None:
            found = pattern.search(text, start, end)
            if found and len(_WORD_RE.findall(text[start:found.start()])) >= _MIN_KEPT_WORDS:
                return start, found.start()
        return start, end

    def _without_lead_in(self, text: str, start: int, end: int, lang: str) -> tuple[int, int]:
        """The span minus an opening agency byline ("KAZINFORM — ") or date ("5 мая 2016 года "):
        a headline never carries them.

        Only when what remains still opens like a sentence (capital, digit or quote) and has
        enough words; repeated, for a byline followed by a date."""
        pattern = self._lead_in.get(lang)
        while pattern is not None:
            found = pattern.match(text, start, end)
            if (not found or not start < found.end() < end or not _opens_sentence(text[found.end()])
                    or len(_WORD_RE.findall(text[found.end():end])) < _MIN_KEPT_WORDS):
                break
            start = found.end()
        return start, end

    def _config(self, sentences: int) -> dict[str, Any]:
        """Weights for a one-sentence lede or a several-sentence summary."""
        key = "single" if sentences == 1 else "multi"
        return self.params[key]


def _opens_sentence(char: str) -> bool:
    """Whether a sentence can start with this character: a capital, a digit or an opening quote."""
    return char.isupper() or char.isdigit() or char in "«\"“„'"


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
        out.append(_Sentence(start, end, index, frozenset(counts), counts, len(words), furniture,
                             quote='"' in sentence or "«" in sentence or "“" in sentence))
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


def _score(cands: list[_Sentence], cfg: dict[str, Any], title: frozenset[str],
           place_starts: list[int], count_starts: list[int]) -> None:
    """Give every candidate its score: the model's logit or centrality + position, then the
    title, places and counts as priors, and a penalty for page furniture."""
    if "weights" in cfg:  # the set chooser: the score is the logit of "an editor keeps it"
        base = _logits(cands, cfg)
    else:
        raw = _centrality(cands, cfg["length_exponent"])
        top = max(raw) or 1.0
        base = [cfg["centrality"] * r / top + cfg["position"] / (1.0 + c.index)
                for c, r in zip(cands, raw)]
    n_title = len(title)
    min_words = cfg["min_words"]
    for c, score in zip(cands, base):
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


def _centrality(cands: list[_Sentence], alpha: float) -> list[float]:
    """Word overlap with the rest of the article (each repeat counts): the weighted degree of
    the sentence in TextRank's graph, divided by length^alpha (alpha < 1 keeps a mild
    preference for longer sentences, as TextRank's log-length normalisation does)."""
    return [shared / max(1, sum(c.counts.values())) ** alpha
            for c, shared in zip(cands, _shared_stems(cands))]


def _shared_stems(cands: list[_Sentence]) -> list[int]:
    """Per sentence, how many of its stem occurrences recur elsewhere in the article (each
    pairing counted): the raw weighted degree both centrality measures start from."""
    total: dict[str, int] = {}
    for c in cands:
        for t, n in c.counts.items():
            total[t] = total.get(t, 0) + n
    return [sum(n * (total[t] - n) for t, n in c.counts.items()) for c in cands]


def _choose(cands: list[_Sentence], cfg: dict[str, Any], sentences: int,
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


# Inputs of the logistic "an editor keeps this sentence" model, in the order of `weights`.
FEATURES = ("overlap", "overlap_sqrt_len", "overlap_per_word", "rank_share", "log_rank",
            "log_words", "position_share", "first", "quote", "log_sentences")


def features(cands: list[_Sentence]) -> list[list[float]]:
    """Per sentence: centrality in three length normalisations, its rank, length and position."""
    shared = _shared_stems(cands)
    size = [max(1, sum(c.counts.values())) for c in cands]
    norms = [[sh / z ** a for sh, z in zip(shared, size)] for a in (0.0, 0.5, 1.0)]
    tops = [max(v) or 1.0 for v in norms]
    order = sorted(range(len(cands)), key=lambda i: (-norms[1][i], i))
    rank = [0] * len(cands)
    for r, i in enumerate(order):
        rank[i] = r
    n = len(cands)
    return [[norms[0][i] / tops[0], norms[1][i] / tops[1], norms[2][i] / tops[2], rank[i] / n,
             math.log1p(rank[i]), math.log1p(c.n_words), c.index / max(1, n - 1),
             float(c.index == 0), float(c.quote), math.log(n)] for i, c in enumerate(cands)]


def _logits(cands: list[_Sentence], cfg: dict[str, Any]) -> list[float]:
    """The logistic model's log-odds that each sentence belongs in the summary."""
    weights, bias = cfg["weights"], cfg["bias"]
    return [bias + sum(w * x for w, x in zip(weights, row)) for row in features(cands)]


def _choose_set(cands: list[_Sentence], cfg: dict[str, Any], sentences: int,
                max_chars: int | None) -> list[_Sentence]:
    """The set of `sentences` sentences with the highest expected ROUGE F1 (within the budget).

    A kept sentence matches the reference fully, a wrong one only in part (`miss_unigram`,
    `miss_bigram`: the share of its words/word pairs an extract holds anyway); the reference is
    expected to be `reference_share` of the article's words. The objective mixes ROUGE-1 and -2.
    """
    pool = [c for c in cands if not c.junk]
    if not pool:
        return _choose(cands, cfg, 1, max_chars)
    ref_len = cfg["reference_share"] * sum(c.n_words for c in cands)
    q1, q2, w2 = cfg["miss_unigram"], cfg["miss_bigram"], cfg["bigram_weight"]
    pool.sort(key=lambda c: (-c.score, c.index))
    pool = pool[:max(int(cfg["pool"]), sentences)]
    gain, length, chars = [], [], []
    for c in pool:
        p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, c.score))))
        hit1, hit2 = p + (1.0 - p) * q1, p + (1.0 - p) * q2  # expected matched share
        gain.append(2.0 * c.n_words * ((1.0 - w2) * hit1 + w2 * hit2))
        length.append(c.n_words)
        chars.append(c.end - c.start)
    limit = cfg["redundancy"]
    size = min(sentences, len(pool))
    if max_chars is not None or math.comb(len(pool), size) > _MAX_SUBSETS:
        picked = _grow_set(pool, gain, length, chars, ref_len, size, max_chars, limit)
    else:
        picked = _best_set(pool, gain, length, ref_len, size, limit)
    return [pool[i] for i in picked]


# Above this many candidate sets (long summaries of long articles) the set is grown greedily.
_MAX_SUBSETS = 2000


def _best_set(pool: list[_Sentence], gain: list[float], length: list[int], ref_len: float,
              size: int, limit: float) -> tuple[int, ...]:
    """Every set of `size` sentences, the one with the highest expected F1 (no near-repeats)."""
    best: tuple[int, ...] = ()
    best_value = -1.0
    for subset in combinations(range(len(pool)), size):
        value = sum(gain[i] for i in subset) / (sum(length[i] for i in subset) + ref_len)
        if value <= best_value:
            continue
        if any(_overlap(pool[i].terms, pool[j].terms) > limit for i, j in combinations(subset, 2)):
            continue
        best, best_value = subset, value
    return best or (0,)


def _grow_set(pool: list[_Sentence], gain: list[float], length: list[int], chars: list[int],
              ref_len: float, size: int, max_chars: int | None, limit: float) -> list[int]:
    """Add the sentence that raises the expected F1 most, while it fits the character budget."""
    chosen: list[int] = []
    total_gain, total_len, used = 0.0, 0, 0
    while len(chosen) < size:
        best, best_value = -1, -1.0
        for i in range(len(pool)):
            if i in chosen:
                continue
            extra = chars[i] + (1 if chosen else 0)
            if max_chars is not None and used + extra > max_chars:
                continue
            value = (total_gain + gain[i]) / (total_len + length[i] + ref_len)
            if value > best_value and not any(
                    _overlap(pool[i].terms, pool[j].terms) > limit for j in chosen):
                best, best_value = i, value
        if best < 0:
            break
        chosen.append(best)
        total_gain += gain[best]
        total_len += length[best]
        used += chars[best] + (1 if len(chosen) > 1 else 0)
    return chosen
