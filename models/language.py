"""Language identification for ru / kk / en and their look-alikes, per text and per sentence.

langdetect has no Kazakh profile and calls Kazakh Russian, Ukrainian or Macedonian, so the core is a
hashed character n-gram (1–4) naive Bayes model trained on Kazakh, Russian, English and the
languages most often mistaken for them (Kyrgyz, Tatar, Bashkir, Ukrainian, Bulgarian, Mongolian,
Tajik, Uzbek). Features are computed with numpy for a whole batch at once, grouped by
pseudo-sentence (text cut at . ! ? ; quotes, brackets and line breaks); a text's evidence is the
sum of its pieces', so one pass judges the text and each piece. Before classifying, URLs, e-mail
addresses, domains, @handles and digits are blanked; only the classes of the text's main script
compete (Cyrillic counts double, since Latin names are common in ru/kk news), only n-grams in
that script vote (a Latin brand inside a Russian line casts no vote between Cyrillic classes),
and an n-gram no class has seen weighs nothing. Texts left unsure between Russian or Ukrainian
and a look-alike are re-judged by how many of their lower-case words the Russian and Ukrainian
dictionaries of pymorphy3 know (`LEXICONS`; rates per class learnt in training). langdetect (with a
private, fixed-seed factory) is kept for what the model was not trained on: Latin-script text
with clear signs of another language, and scripts other than Cyrillic and Latin. Cyrillic letters
no trained language has (ў, ј, ђ, ѓ…) name Belarusian, Serbian, Macedonian or Uzbek.

`detect` returns `{"code", "score", "parts"}`. `code` is "und" (score 0, parts []) when fewer than
three letters are left after blanking (a lone number, URL or e-mail), except for a lone URL whose
path is a phrase of three or more words ("/news/imams-complete-training"): it gets the phrase's
language at half its score (at most 0.5). Otherwise `parts` lists runs
of consecutive sentences (models.sentences.split_spans) with the same language, each with its
`span` into `text`: a one-language text has exactly one part (from its first to its last
non-space character); a text whose pieces disagree gets one part per run, and its `code` is the
language with most letters (its pieces' vote). Sentences too short (< 25 letters) or too unsure
(< 0.9) to judge alone take the language of the whole text.
"""
from __future__ import annotations

import functools
import importlib
import os
import re
import threading
import unicodedata
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote, urlsplit

import numpy as np
from scipy.sparse import csr_matrix

from models.artefacts import load_joblib
from models.errors import ArtefactError, InputError
from models.normalize import fold
from models.sentences import split_spans

NAME = "language"
MODEL_FILE = "model.joblib"
UND = "und"
MIN_LETTERS = 3          # fewer letters than this (after blanking URLs, numbers…) → "und"
PART_MIN_LETTERS = 25    # a sentence shorter than this takes the text's language
PART_MIN_SCORE = 0.9     # a sentence judged less surely than this takes the text's language
MAX_N = 4                # character n-grams of length 1..MAX_N
LATIN, CYRILLIC = 1, 2   # script ids; 0 = not a letter, >= 3 = other scripts (see _OTHER_SCRIPTS)
_IGNORED = 255           # combining marks (stress accents): dropped before n-grams are taken

# Other scripts: (first, last code point, name, language when the script alone decides it, or None
# to ask langdetect, which knows several languages written in it).
_OTHER_SCRIPTS: tuple[tuple[int, int, str, str | None], ...] = (
    (0x0370, 0x03FF, "greek", "el"), (0x0530, 0x058F, "armenian", "hy"),
    (0x0590, 0x05FF, "hebrew", "he"), (0x0600, 0x06FF, "arabic", None),
    (0x0750, 0x077F, "arabic", None), (0x0900, 0x097F, "devanagari", None),
    (0x0980, 0x09FF, "bengali", "bn"), (0x0A00, 0x0A7F, "gurmukhi", "pa"),
    (0x0A80, 0x0AFF, "gujarati", "gu"), (0x0B80, 0x0BFF, "tamil", "ta"),
    (0x0C00, 0x0C7F, "telugu", "te"), (0x0C80, 0x0CFF, "kannada", "kn"),
    (0x0D00, 0x0D7F, "malayalam", "ml"), (0x0D80, 0x0DFF, "sinhala", "si"),
    (0x0E00, 0x0E7F, "thai", "th"), (0x0E80, 0x0EFF, "lao", "lo"),
    (0x1000, 0x109F, "myanmar", "my"), (0x10A0, 0x10FF, "georgian", "ka"),
    (0x1100, 0x11FF, "hangul", "ko"), (0x1200, 0x137F, "ethiopic", "am"),
    (0x1780, 0x17FF, "khmer", "km"), (0x3040, 0x30FF, "kana", "ja"),
    (0x3400, 0x9FFF, "han", None), (0xAC00, 0xD7AF, "hangul", "ko"),
)
# Cyrillic letters no trained language uses: they name the language outright (checked in order;
# "ў" is Belarusian unless the Uzbek-Cyrillic letters "қғҳ" are there too).
DISTINCT_LETTERS: tuple[tuple[str, str, str], ...] = (
    ("mk", "ѓќѕ", ""), ("sr", "ђћ", ""), ("sr", "јљњџ", ""), ("uz", "ў", "қғҳ"), ("be", "ў", ""))
_DISTINCT_RE = re.compile(
    "[" + "".join(sorted({c for _, s, _ in DISTINCT_LETTERS for c in s})) + "]")

# Function words per Latin-script language (words shared with other languages, "a", "in", "die",
# "was", are left out of the English list). Latin text the model calls English (or Uzbek) is
# checked with langdetect when it has more distinct function words of one other language than of its own.
# Adding a language is one line.
FUNCTION_WORDS: dict[str, frozenset[str]] = {lang: frozenset(words.split()) for lang, words in {
    "en": "the of and to are were be been being with that this these those from has had would it "
          "its you they them their there he his she we our my your what which who whom when where "
          "why how not said says but by about after into than then just only very can could should "
          "must",
    "de": "der das und ist nicht ein eine einen dem des sich mit auf für von zu auch sind wird "
          "werden hat haben nach bei oder wie aber noch nur",
    "fr": "le la les et est une des du dans pour pas que qui sur au aux avec ce cette sont ont "
          "il elle nous vous mais ou",
    "es": "el los las y es una del por para con que se no su sus como pero fue está son",
    "it": "il lo gli di che per non una con del della delle degli sono è alla nel",
    "pt": "os as um uma do da dos das em para com não que se por foi são mais",
    "nl": "het een en van niet op te dat met voor zijn ook wordt naar bij maar",
    "id": "yang dan di ini itu dengan untuk tidak dari dalam akan pada juga",
    "tr": "ve bir bu da de ile için olarak çok daha gibi ama",
    "pl": "się nie na jest że do to jak po ale od są",
    "uz": "va bu bir bilan uchun ham deb esa edi ekan yoki lekin emas qilib",
}.items()}
# Latin letters that English and Uzbek do not use: Latin text the model calls English or Uzbek
# that has them may be in another language, and langdetect is asked.
FOREIGN_LETTERS: dict[str, frozenset[str]] = {
    lang: frozenset("ışçğöüäëïéèêàâáíìîóòôúùûñßåøæœãõýžčřěůąęłńśźżőű") for lang in ("en", "uz")}
# The same sets as regex classes: a regex scans a long text far faster than set.isdisjoint.
_FOREIGN_RE = {lang: re.compile("[" + re.escape("".join(sorted(letters))) + "]")
               for lang, letters in FOREIGN_LETTERS.items()}

_TLDS = "com|org|net|ru|kz|kg|uz|uk|io|gov|edu|info|html?|php"
_URL_RE = re.compile(r"(?:https?|ftp)://[^\s\x00]+|www\.[^\s\x00]+", re.IGNORECASE)
_AT_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<![\w@])@\w+")  # e-mails, @handles
# Bare domains ("tengrinews.kz"): found from the dot (fast), then widened to the whole name.
_DOMAIN_RE = re.compile(r"\.(?:" + _TLDS + r")\b[^\s\x00]*", re.IGNORECASE)
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-_")
_WORD_RE = re.compile(r"[^\W\d_]+")
_SOFT_BREAKS = ".!?;\n\r«»“”\"()[]"   # pseudo-sentence breaks: n-grams never cross them
_HASH_MULT = np.uint64(0x9E3779B97F4A7C15)
_HASH_PRIME = np.uint64(1_000_003)
_SALTS = [np.uint64((0x632BE59BD9B4E019 * n) % (1 << 64)) for n in range(9)]  # n-grams up to 8
_SMALL_BATCH = 4096
CYRILLIC_WEIGHT = 2  # Latin names and brands are common in ru/kk text, Cyrillic in en text is not
# A lone URL is "und" unless its path reads as a phrase: at least SLUG_MIN_WORDS words of two or
# more letters (pieces with digits, file extensions and the query string do not count).
SLUG_MIN_WORDS = 3
SLUG_MAX_SCORE = 0.5     # a language read from a URL path is weak evidence: its score is halved
_LONE_URL_RE = re.compile(r"\s*(?:(?:https?|ftp)://|www\.)\S+\s*", re.IGNORECASE)
_SLUG_SPLIT_RE = re.compile(r"[/\-_.+~,;:!]+")
_FILE_EXTENSIONS = frozenset("html htm php asp aspx jsp shtml cgi pdf".split())


def slug_words(text: str) -> list[str]:
    """The words of a lone URL's path ("/news/interfaith-dialogue-held" → 3 words), else []."""
    if not _LONE_URL_RE.fullmatch(text):
        return []
    url = text.strip()
    path = urlsplit(url if "://" in url else "http://" + url).path
    words = [w for w in _SLUG_SPLIT_RE.split(unquote(path))
             if len(w) >= 2 and w.isalpha() and w.lower() not in _FILE_EXTENSIONS]
    return words if len(words) >= SLUG_MIN_WORDS else []


# Whole Cyrillic words, but not the endings written after numbers ("47-й", "29-та").
_CYRILLIC_WORD_RE = re.compile(r"(?<![^\W\d_])(?<!\d-)[\u0400-\u052f]+(?![^\W\d_])")


def _pymorphy3_words(lang: str) -> Callable[[str], bool]:
    """`word -> bool`: is the word a form in pymorphy3's dictionary package for `lang`.

    Reads the package's word DAWG directly: building a second pymorphy3.MorphAnalyzer would
    reset pymorphy3's one process-wide tag set to that language's grammemes and break the
    Russian analysers other models use.
    """
    from pymorphy3.dawg import WordsDawg

    words = WordsDawg().load(os.path.join(
        importlib.import_module(f"pymorphy3_dicts_{lang}").get_path(), "words.dawg"))
    config = importlib.import_module(f"pymorphy3.lang.{lang}")
    substitutes = words.compile_replaces(getattr(config, "CHAR_SUBSTITUTES", {}) or {})

    @functools.lru_cache(maxsize=1 << 16)  # common words repeat: most look-ups are free
    def known(word: str) -> bool:
        return word in words or bool(substitutes and words.similar_keys(word, substitutes))
    return known


# Word lists the model may consult, per language: a language with a dictionary package is one line.
LEXICONS = {"ru": _pymorphy3_words, "uk": _pymorphy3_words}
_LEXICON_CACHE: dict[str, Any] = {}
_LEXICON_LOCK = threading.Lock()


def lexicon(lang: str) -> Callable[[str], bool]:
    """The word test of `lang` (loaded once per process, about 0.5 s for Russian)."""
    with _LEXICON_LOCK:
        if lang not in _LEXICON_CACHE:
            _LEXICON_CACHE[lang] = LEXICONS[lang](lang)
    return _LEXICON_CACHE[lang]


def lexicon_counts(text: str, lang: str) -> tuple[int, int]:
    """(known, unknown) lower-case Cyrillic words of `text` in the dictionary of `lang`.

    Capitalised words are mostly names, which say little about the language, so they are left
    out, except the text's first word ("Да, ...") and every word of an all-capitals headline.
    """
    words = _CYRILLIC_WORD_RE.findall(text)
    if not words:
        return 0, 0
    if not any(ch.islower() for w in words for ch in w):  # all capitals: a headline
        words = [w.lower() for w in words if len(w) > 1]
    else:
        first = words[0] if text.lstrip().startswith(words[0]) and words[0].istitle() else ""
        words = [w for w in words if w.islower()] + ([first.lower()] if first else [])
    if not words:
        return 0, 0
    known = lexicon(lang)
    hits = sum(1 for w in words if known(w))
    return hits, len(words) - hits


def _script_table() -> tuple[np.ndarray, list[str], list[str | None]]:
    """Script id of every BMP code point, plus the name and the language of each other script."""
    table = np.zeros(0x10000, dtype=np.uint8)
    alpha = np.array([chr(cp).isalpha() for cp in range(0x10000)])
    marks = np.array([unicodedata.category(chr(cp)) == "Mn" for cp in range(0x10000)])
    names = ["none", "latin", "cyrillic"]
    langs: list[str | None] = [None, None, None]
    for first, last, name, lang in _OTHER_SCRIPTS:
        if name not in names:
            names.append(name)
            langs.append(lang)
        table[first:last + 1][alpha[first:last + 1]] = names.index(name)
    names.append("other")
    langs.append(None)
    table[(table == 0) & alpha] = len(names) - 1
    cps = np.arange(0x10000)
    latin = ((cps < 0x0250) | ((cps >= 0x1E00) & (cps <= 0x1EFF))
             | ((cps >= 0x02B0) & (cps <= 0x02FF)))
    cyrillic = (((cps >= 0x0400) & (cps <= 0x052F)) | ((cps >= 0x1C80) & (cps <= 0x1C8F))
                | ((cps >= 0xA640) & (cps <= 0xA69F)))
    table[latin & alpha] = LATIN
    table[cyrillic & alpha] = CYRILLIC
    table[marks] = _IGNORED
    return table, names, langs


_SCRIPT, SCRIPT_NAMES, _SCRIPT_LANG = _script_table()
N_SCRIPTS = len(SCRIPT_NAMES)
_SOFT = np.zeros(0x10000, dtype=bool)
_SOFT[[ord(c) for c in _SOFT_BREAKS]] = True


def _token_around(text: str, pos: int) -> tuple[int, int]:
    """The run of non-space characters (NUL counts as space) around position `pos`."""
    start = pos
    while start > 0 and not text[start - 1].isspace() and text[start - 1] != "\x00":
        start -= 1
    end = pos
    while end < len(text) and not text[end].isspace() and text[end] != "\x00":
        end += 1
    return start, end


def _spans_around(text: str, needle: str, pattern: re.Pattern) -> list[tuple[int, int]]:
    """Matches of `pattern` inside the tokens that contain `needle` (found with str.find, fast)."""
    spans = []
    pos = text.find(needle)
    while pos >= 0:
        start, end = _token_around(text, pos)
        spans += [m.span() for m in pattern.finditer(text, start, end)]
        pos = text.find(needle, max(end, pos + 1))
    return spans


def _domain_spans(text: str) -> list[tuple[int, int]]:
    """Bare domain names such as tengrinews.kz or bbc.co.uk/news."""
    spans = []
    for m in _DOMAIN_RE.finditer(text):
        start = m.start()
        while start > 0 and text[start - 1] in _NAME_CHARS:
            start -= 1
        if start < m.start():
            spans.append((start, m.end()))
    return spans


def prepare(text: str) -> str:
    """Folded text with URLs, e-mails, domains and @handles blanked; same length as `text`."""
    return blank_addresses(fold(text.replace("\x00", " ")))


def blank_addresses(text: str) -> str:
    """`text` with URLs, e-mails, domains and @handles replaced by spaces (NUL is kept)."""
    spans = _spans_around(text, "://", _URL_RE) + _spans_around(text, "www.", _URL_RE)
    spans += _spans_around(text, "@", _AT_RE)
    if "." in text:
        spans += _domain_spans(text)
    if not spans:
        return text
    pieces, last = [], 0
    for start, end in sorted(spans):
        start = max(start, last)
        if end > start:
            pieces += [text[last:start], " " * (end - start)]
            last = end
    pieces.append(text[last:])
    return "".join(pieces)


class Features:
    """Hashed n-grams of a batch of texts, grouped by pseudo-sentence (split at punctuation)."""

    __slots__ = ("buckets", "seg_starts", "counts", "letters", "owner", "n_segments")

    def __init__(self, texts: list[str] | str, bits: int, orders: tuple[int, int] = (1, MAX_N),
                 own_script: bool = False) -> None:
        """`texts`: prepared texts, or one string of prepared texts each preceded by NUL.

        With `own_script`, only n-grams ending in a word of the segment's main script count:
        a Latin brand inside a Russian sentence (or a Cyrillic name in English) casts no vote.
        """
        joined = ("\x00" + "\x00".join(texts) if isinstance(texts, list) else texts) + "\x00"
        cp = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        low = np.minimum(cp, 0xFFFF)
        script = _SCRIPT[low]
        if len(cp) and cp.max() > 0xFFFF:
            script[cp > 0xFFFF] = 0
        ignored = script == _IGNORED
        if ignored.any():
            keep = ~ignored
            cp, script, low = cp[keep], script[keep], low[keep]
        hard = cp == 0
        brk = hard | _SOFT[low]
        letter = script > 0
        # Keep letters, breaks, and one space for each run of other characters after a letter;
        # a segment always starts with a space (the break) and every word ends with one.
        before = np.empty_like(letter)
        before[0] = True
        before[1:] = letter[:-1]
        keep = letter | brk | before
        cp, script, brk, hard = cp[keep], script[keep], brk[keep], hard[keep]
        letter = letter[keep]
        chars = np.where(letter, cp, 32).astype(np.uint64)
        # A segment runs from a break to the next; its owner is the text the hard breaks count.
        seg_first = np.flatnonzero(brk[:-1])             # each break opens a segment
        self.n_segments = len(seg_first)
        seg = np.cumsum(brk) - 1
        self.owner = (np.cumsum(hard) - 1)[seg_first]
        letters = np.bincount(seg * N_SCRIPTS + script, minlength=(self.n_segments + 1) * N_SCRIPTS)
        self.letters = letters.reshape(-1, N_SCRIPTS)[: self.n_segments]
        self.letters[:, 0] = 0
        same = None
        if own_script:
            # script of the word each position belongs to (a space takes the word before it)
            last = np.where(letter, np.arange(len(letter)), 0)
            np.maximum.accumulate(last, out=last)
            seg_script = np.append(main_script(self.letters), 0)
            same = script[last] == seg_script[seg]
        # n-gram hashes in position-major order, so each segment's n-grams are contiguous.
        length = len(chars)
        width = orders[1]
        hashes = np.zeros((length, width), dtype=np.int32)
        shift = np.uint64(64 - bits)
        valid = np.zeros((length, width), dtype=bool)
        brk_cum = np.concatenate([[0], np.cumsum(brk)])
        h = np.zeros(length, dtype=np.uint64)
        for n in range(1, orders[1] + 1):
            m = length - n + 1
            if m <= 0:
                break
            h = h[:m] * _HASH_PRIME + chars[n - 1:n - 1 + m]
            if n < orders[0]:
                continue
            hashes[:m, n - 1] = ((h + _SALTS[n]) * _HASH_MULT) >> shift
            # no break inside the window except at its first character
            valid[:m, n - 1] = brk_cum[n:n + m] - brk_cum[1:m + 1] == 0
            if same is not None:  # the window's last character decides its script
                valid[:m, n - 1] &= same[n - 1:n - 1 + m]
        valid[:, 0] &= chars != 32
        flat = valid.ravel()
        self.buckets = hashes.ravel()[flat]
        per_pos = valid.sum(axis=1)
        self.counts = np.bincount(seg, weights=per_pos, minlength=self.n_segments + 1
                                  )[: self.n_segments].astype(np.int64)
        self.seg_starts = np.concatenate([[0], np.cumsum(self.counts)[:-1]])

    def sums(self, weights: np.ndarray) -> np.ndarray:
        """Summed class weights (segments × classes); weights are (buckets × classes)."""
        if len(self.buckets) < _SMALL_BATCH:  # one short text: gathering rows costs less than CSR
            out = np.zeros((self.n_segments, weights.shape[1]), dtype=np.float64)
            nonempty = self.counts > 0
            if nonempty.any():
                out[nonempty] = np.add.reduceat(weights[self.buckets], self.seg_starts[nonempty],
                                                axis=0)
            return out
        indptr = np.append(self.seg_starts, len(self.buckets)).astype(np.int32)
        ones = np.ones(len(self.buckets), dtype=weights.dtype)
        matrix = csr_matrix((ones, self.buckets, indptr), shape=(self.n_segments, weights.shape[0]))
        return np.asarray(matrix @ weights, dtype=np.float64)


def main_script(letters: np.ndarray) -> np.ndarray:
    """CYRILLIC or LATIN per row of letter counts (Cyrillic letters count CYRILLIC_WEIGHT times)."""
    return np.where(letters[:, CYRILLIC] * CYRILLIC_WEIGHT >= letters[:, LATIN], CYRILLIC, LATIN)


def per_text(values: np.ndarray, owner: np.ndarray, n_texts: int) -> np.ndarray:
    """Sum rows of `values` (segments in text order) into one row per text."""
    if n_texts == 1:
        return values.sum(axis=0, keepdims=True)
    out = np.zeros((n_texts,) + values.shape[1:], dtype=values.dtype)
    if len(owner):
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        out[owner[starts]] = np.add.reduceat(values, starts, axis=0)
    return out


def count_ngrams(texts: list[str], bits: int, orders: tuple[int, int] = (1, MAX_N),
                 own_script: bool = False) -> np.ndarray:
    """n-gram bucket counts of each text (rows: texts), for training."""
    feats = Features([prepare(t) for t in texts], bits, orders, own_script)
    seg_of_ngram = np.repeat(np.arange(feats.n_segments), feats.counts)
    rows = feats.owner[seg_of_ngram]
    flat = rows * (1 << bits) + feats.buckets
    return np.bincount(flat, minlength=len(texts) << bits).reshape(len(texts), 1 << bits)


class _Slices:
    """The prepared text of each text in a batch, cut from the batch string only when asked for."""

    __slots__ = ("batch", "starts")

    def __init__(self, batch: str, texts: list[str]) -> None:
        self.batch = batch
        self.starts = np.cumsum([1] + [len(t) + 1 for t in texts]).tolist()

    def __getitem__(self, i: int) -> str:
        return self.batch[self.starts[i]:self.starts[i + 1] - 1]


class LanguageDetector:
    """ru / kk / en (and look-alike) language of a text and of each of its sentences."""

    def __init__(self, model: dict[str, Any], manifest: dict) -> None:
        self.classes: list[str] = list(model["classes"])
        self.class_script = np.asarray(model["class_script"])
        self.weights = np.ascontiguousarray(model["weights"], dtype=np.float32)  # buckets × classes
        self.bias = np.asarray(model["bias"], dtype=np.float64)
        self.bits = int(model["bits"])
        self.orders = tuple(model.get("orders", (1, MAX_N)))
        self.own_script = bool(model.get("own_script", False))
        # {lang: {"rates": known-word rate per class, "weight": λ, "gate": [lo, hi]}}
        self.lexicon: dict[str, dict] = dict(model.get("lexicon", {}))
        self.temperature = float(model["temperature"])
        self.manifest = manifest
        self.version: str = str(manifest.get("version", "0"))
        self._langdetect = None
        self._langdetect_lock = threading.Lock()
        self._mask = {LATIN: np.where(self.class_script == LATIN, 0.0, -np.inf),
                      CYRILLIC: np.where(self.class_script == CYRILLIC, 0.0, -np.inf)}
        self._cyrillic_codes = {c for c, s in zip(self.classes, self.class_script) if s == CYRILLIC}

    @classmethod
    def load(cls, root: Path) -> "LanguageDetector":
        """Load and verify the artefact in root/language."""
        model, manifest = load_joblib(Path(root) / NAME, MODEL_FILE, root=Path(root))
        if not isinstance(model, dict) or "weights" not in model:
            raise ArtefactError(f"artefact {NAME}: {MODEL_FILE} is not a language model")
        detector = cls(model, manifest)
        for lang in detector.lexicon:  # load the dictionaries now, not on the first request
            try:
                lexicon(lang)
            except (ImportError, KeyError, OSError) as exc:
                raise ArtefactError(f"artefact {NAME}: no dictionary for {lang!r} ({exc})") from exc
        return detector

    def info(self) -> dict:
        """Version, training-data fingerprint and headline metrics from the manifest."""
        return {"version": self.version,
                "training_data": self.manifest.get("training_data", {}),
                "metrics": self.manifest.get("metrics", {})}

    # ------------------------------------------------------------------ public API
    def detect(self, text: str) -> dict:
        """Language of one text, with a score and the language of each run of sentences."""
        return self.detect_many([text])[0]

    def detect_many(self, texts: list[str]) -> list[dict]:
        """Language of each text in a batch; one vectorised pass over all their sentences."""
        if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
            raise InputError("detect_many expects a list of strings", code="invalid_text")
        if not texts:
            return []
        # Fold and blank the whole batch in one pass; NUL separates the texts.
        batch = blank_addresses("\x00" + "\x00".join(
            fold(t.replace("\x00", " ") if "\x00" in t else t) for t in texts))
        feats = Features(batch, self.bits, self.orders, self.own_script)
        prepared = _Slices(batch, texts)
        seg_sums = feats.sums(self.weights)
        letters, sums, counts = self._per_text(feats, seg_sums, len(texts))
        codes, scores, logits = self._decide(letters, sums, counts)
        if self.lexicon:
            self._consult_lexicons(texts, codes, scores, logits)
        seg_codes, seg_scores, _ = self._decide(feats.letters, seg_sums, feats.counts)
        mixed = self._disagreeing(codes, feats, seg_codes, seg_scores)
        results = []
        for i, text in enumerate(texts):
            code, score = codes[i], float(scores[i])
            if code == "?":
                code, score = self._other_script(text, letters[i])
            elif code in FOREIGN_LETTERS:
                code, score = self._check_latin(code, prepared[i], score)
            elif code in self._cyrillic_codes:
                code = cyrillic_letter_rule(prepared[i]) or code
            if i in mixed and code in self.classes:
                code, score = self._vote(i, code, feats, seg_codes, seg_scores) or (code, score)
            if code == UND and ("://" in text or "www." in text.lower()):
                code, score = self._slug_language(text)
            results.append({"code": code, "score": round(score, 4), "parts": []})
        for i, res in enumerate(results):
            if res["code"] != UND and i not in mixed:
                res["parts"] = [self._whole_part(texts[i], res)]
        if mixed:
            self._sentence_parts(texts, prepared, sorted(mixed), results)
        return results

    def evidence(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per text: letters per script, summed class weights and n-gram count (for training)."""
        feats = Features([prepare(t) for t in texts], self.bits, self.orders, self.own_script)
        return self._per_text(feats, feats.sums(self.weights), len(texts))

    def _per_text(self, feats: Features, seg_sums: np.ndarray, n: int
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Letters, class sums and n-gram counts per text from its pieces'."""
        letters = per_text(feats.letters, feats.owner, n)
        if not self.own_script:
            return (letters, per_text(seg_sums, feats.owner, n),
                    per_text(feats.counts, feats.owner, n))
        # a text's evidence comes from its pieces in its own main script: a quoted English
        # sentence does not vote between Russian and Bulgarian
        same = main_script(feats.letters) == main_script(letters)[feats.owner]
        return (letters, per_text(seg_sums * same[:, None], feats.owner, n),
                per_text(feats.counts * same, feats.owner, n))

    # ------------------------------------------------------------------ decisions
    def _slug_language(self, text: str) -> tuple[str, float]:
        """A lone URL whose path is a phrase gets that phrase's language at half score, else und."""
        words = slug_words(text)
        if not words:
            return UND, 0.0
        res = self.detect(" ".join(words))
        if res["code"] not in self.classes or res["score"] < PART_MIN_SCORE:
            return UND, 0.0
        return res["code"], SLUG_MAX_SCORE * res["score"]

    def _decide(self, letters: np.ndarray, sums: np.ndarray, counts: np.ndarray
                ) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Code, score and logits per row: "und" if too few letters, "?" for another script."""
        lat, cyr = letters[:, LATIN], letters[:, CYRILLIC]
        other = letters[:, 3:].sum(axis=1)
        cyrillic = cyr * CYRILLIC_WEIGHT >= lat
        mask = np.where(cyrillic[:, None], self._mask[CYRILLIC], self._mask[LATIN])
        scale = self.temperature * np.sqrt(np.maximum(counts, 1))
        logits = sums / scale[:, None] + self.bias + mask
        best = logits.argmax(axis=1)
        shifted = logits - logits[np.arange(len(best)), best][:, None]
        scores = 1.0 / np.exp(shifted).sum(axis=1)
        codes = [self.classes[b] for b in best]
        main = np.where(cyrillic, cyr, lat)
        for i in np.flatnonzero((main < MIN_LETTERS) | (other > main)):
            codes[i] = "?" if other[i] > main[i] and other[i] >= MIN_LETTERS else UND
            scores[i] = 0.0
        return codes, scores, logits

    def _consult_lexicons(self, texts: list[str], codes: list[str], scores: np.ndarray,
                          logits: np.ndarray) -> None:
        """Re-judge unsure Cyrillic texts with dictionary coverage of their lower-case words.

        A short Russian line and a Bulgarian or Ukrainian one share most character n-grams, but
        nearly every lower-case word of the Russian line is in the Russian dictionary (99% on
        dev) and only a third to a half of a Ukrainian or Bulgarian line's are (the Ukrainian
        dictionary does the same the other way round). Each class gets
        weight × (known·log r + unknown·log(1 − r)), r being the share of its training text's
        words the dictionary knows. Only texts where `lang` has a probability inside the gate are
        looked up, so sure texts cost nothing.
        """
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        prob = exp / exp.sum(axis=1, keepdims=True)
        for lang, spec in self.lexicon.items():
            lo, hi = spec["gate"]
            col = self.classes.index(lang)
            gated = np.flatnonzero((prob[:, col] >= lo) & (prob[:, col] <= hi))
            if not len(gated):
                continue
            rates = np.asarray(spec["rates"], dtype=np.float64)
            hit, miss = np.log(rates), np.log1p(-rates)
            for i in gated:
                if codes[i] in (UND, "?"):
                    continue
                known, unknown = lexicon_counts(texts[i], lang)
                if not known + unknown:
                    continue
                row = logits[i] + spec["weight"] * (known * hit + unknown * miss)
                best = int(row.argmax())
                logits[i] = row
                codes[i] = self.classes[best]
                scores[i] = 1.0 / np.exp(row - row[best]).sum()

    def _disagreeing(self, codes: list[str], feats: Features, seg_codes: list[str],
                     seg_scores: np.ndarray) -> set[int]:
        """Texts where a long enough pseudo-sentence is surely in another language than the text."""
        out: set[int] = set()
        main = feats.letters[:, LATIN:CYRILLIC + 1].max(axis=1)
        sure = (seg_scores >= PART_MIN_SCORE) & (main >= MIN_LETTERS)
        for j in np.flatnonzero(sure):
            i = int(feats.owner[j])
            own, code = seg_codes[j], codes[i]
            if own != code and code != UND and own not in (UND, "?") and (
                    main[j] >= PART_MIN_LETTERS or self._script_of(own) != self._script_of(code)):
                out.add(i)
        return out

    def _script_of(self, code: str) -> int:
        return CYRILLIC if code in self._cyrillic_codes else LATIN

    @staticmethod
    def _whole_part(text: str, res: dict) -> dict:
        """The one part of a one-language text: from its first to its last non-space character."""
        start = len(text) - len(text.lstrip()) if text[:1].isspace() else 0
        end = len(text.rstrip()) if text[-1:].isspace() else len(text)
        return {"code": res["code"], "score": res["score"], "span": [start, end]}

    def _sentence_parts(self, texts: list[str], prepared: list[str], which: list[int],
                        results: list[dict]) -> None:
        """Parts of mixed texts: each sentence (models.sentences) judged alone, runs merged."""
        spans = {i: split_spans(texts[i]) for i in which}
        sentences = [prepared[i][s:e] for i in which for s, e in spans[i]]
        if not sentences:
            return
        feats = Features(sentences, self.bits, self.orders, self.own_script)
        n = len(sentences)
        letters = per_text(feats.letters, feats.owner, n)
        sums = per_text(feats.sums(self.weights), feats.owner, n)
        counts = per_text(feats.counts, feats.owner, n)
        codes, scores, _ = self._decide(letters, sums, counts)
        main = letters[:, LATIN:CYRILLIC + 1].max(axis=1)
        k = 0
        for i in which:
            parts: list[dict] = []
            code = results[i]["code"]
            for start, end in spans[i]:
                own, score = codes[k], float(scores[k])
                same_script = self._script_of(own) == self._script_of(code)
                if own in (UND, "?") or score < PART_MIN_SCORE or (
                        main[k] < PART_MIN_LETTERS and same_script):
                    own, score = code, results[i]["score"]
                weight = max(int(main[k]), 1)
                if parts and parts[-1]["code"] == own:
                    parts[-1]["span"][1] = end
                    parts[-1]["w"] += weight
                    parts[-1]["s"] += weight * score
                else:
                    parts.append({"code": own, "span": [start, end], "w": weight,
                                  "s": weight * score})
                k += 1
            results[i]["parts"] = [{"code": p["code"], "score": round(p["s"] / p["w"], 4),
                                    "span": p["span"]} for p in parts]


    def _vote(self, i: int, code: str, feats: Features, seg_codes: list[str],
              seg_scores: np.ndarray) -> tuple[str, float] | None:
        """A mixed text is in the language with most of its letters: its pseudo-sentences' vote.

        Pseudo-sentences too short or too unsure to judge alone vote for the text's own code.
        Returns (code, share of letters) when the vote overturns `code`, else None.
        """
        lo, hi = np.searchsorted(feats.owner, [i, i + 1])
        weight: dict[str, int] = {}
        for j in range(lo, hi):
            letters = int(max(feats.letters[j, LATIN], feats.letters[j, CYRILLIC]))
            own = seg_codes[j]
            if own in (UND, "?") or seg_scores[j] < PART_MIN_SCORE or letters < PART_MIN_LETTERS:
                own = code
            weight[own] = weight.get(own, 0) + letters
        top = max(weight, key=weight.__getitem__)
        if top != code and weight[top] > weight.get(code, 0):
            return top, round(weight[top] / max(sum(weight.values()), 1), 4)
        return None

    # ------------------------------------------------------------------ what the model lacks
    def _check_latin(self, code: str, prepared: str, score: float) -> tuple[str, float]:
        """Latin text called English or Uzbek that shows signs of another language: langdetect.

        Signs are positive evidence only: letters the language does not use (é, ß, ñ, ş…), or
        more distinct function words of one other language than of its own. Text with neither (a list of
        names, a file name) keeps its code: langdetect guesses wildly on such text.
        """
        if not _FOREIGN_RE[code].search(prepared):
            words = set(_WORD_RE.findall(prepared))
            own = len(words & FUNCTION_WORDS[code])
            most = max(len(words & table) for lang, table in FUNCTION_WORDS.items() if lang != code)
            if most < 2 or most <= own:
                return code, score
        return self._ask_langdetect(prepared, (code, score))

    def _other_script(self, text: str, letters: np.ndarray) -> tuple[str, float]:
        """Text mostly in a script the model was not trained on: by script, else langdetect."""
        sid = int(np.argmax(letters[3:])) + 3
        lang = _SCRIPT_LANG[sid]
        if lang is not None:
            return lang, 0.9
        return self._ask_langdetect(fold(text), (UND, 0.0), min_prob=0.0)

    def _ask_langdetect(self, text: str, default: tuple[str, float], min_prob: float = 0.8
                        ) -> tuple[str, float]:
        """langdetect's best guess if it is sure enough, else `default` (fixed seed)."""
        factory = self._factory()
        try:
            detector = factory.create()
            detector.append(text)
            best = detector.get_probabilities()[0]
        except Exception:  # langdetect raises its own exception type for text without features
            return default
        code = best.lang.split("-")[0]
        if code == default[0] or best.prob < min_prob:
            return default
        return code, round(float(best.prob), 4)

    def _factory(self):
        """A private langdetect factory with its own seed (the global one is left alone).

        Loaded on first use (about 1 s and 60 MB), once even if several threads ask at once.
        """
        with self._langdetect_lock:
            if self._langdetect is None:
                from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

                factory = DetectorFactory()
                factory.load_profile(PROFILES_DIRECTORY)
                factory.seed = 0
                self._langdetect = factory
        return self._langdetect


def cyrillic_letter_rule(folded: str) -> str | None:
    """Macedonian, Serbian, Uzbek or Belarusian from letters no trained language has, else None."""
    if not _DISTINCT_RE.search(folded):
        return None
    for lang, letters, also in DISTINCT_LETTERS:
        if any(ch in folded for ch in letters) and (not also or any(ch in folded for ch in also)):
            return lang
    return None
