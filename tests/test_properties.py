"""Property tests: every model, through the pipeline, on any Unicode text at all.

Whatever a CMS, a copy-paste from a PDF or an attacker sends, the pipeline must not raise, every
span must lie inside the text it was found in, and every number must be finite (a NaN or an
infinity would make the JSON response invalid). Hypothesis generates the texts; the strategies
mix arbitrary code points with the words, numbers, place names and scripts a Central Asian
newsroom actually meets, so the deeper paths (places, counts, summaries) are exercised too.
"""
from __future__ import annotations

import json
import math
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.normalize import clean
from models.pipeline import LANGUAGES, PARTS, Document

PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                             suppress_health_check=[HealthCheck.too_slow,
                                                    HealthCheck.data_too_large])

# Pieces a newsroom text is made of, plus the characters that break naive code.
WORDS = [
    # Russian, Kazakh, English news words, counts and places
    "В Бишкеке", "прошла встреча", "более 40 имамов", "из Чуйской области", "314 человек",
    "Алматыда", "кездесу өтті", "35 имам қатысты", "Жамбыл облысынан", "дінаралық диалог",
    "IWPR trained", "71 imam-khatibs", "in Khujand", "and Tursunzoda", "about 1,200 women",
    "children from Syria", "Iraq", "Kazakhstan", "Қазақстан", "Казахстан", "Тараз", "Astana",
    "two hundred", "двести пятьдесят", "жүз елу", "3.5 million", "½", "Ⅻ", "١٢٣", "৪২",
    # right-to-left scripts and bidi controls
    "مرحبا بالعالم", "שלום עולם", "\u202e", "\u202d", "\u200f", "\u200e", "\u2066", "\u2069",
    # emoji, including joined sequences and flags
    "😀", "👩‍👧‍👦", "🇰🇿", "❤️", "🏳️‍🌈",
    # control and format characters, odd spaces and line breaks
    "\x00", "\x07", "\x1b[31m", "\ufeff", "\u200b", "\u00ad", "\u2028", "\u2029", "\u0085",
    "\r\n", "\t", "\u00a0", "\u3000",
    # combining marks, homoglyph mixes, look-alike letters, lone surrogates
    "е\u0301", "a\u0300\u0301\u0302\u0303", "Аlmaty", "Бишкeк", "İstanbul", "ǝ", "ё",
    "\ud800", "\udfff",
    # punctuation runs that sentence splitters and number parsers meet
    "...", "!?", "«", "»", "—", "-", "(", ")", "%", "$", "1e309", "NaN", "inf", "0" * 40,
    " ", "\n", ". ", "\n\n",
]

mixed_text = st.lists(st.sampled_from(WORDS), max_size=60).map("".join)
# st.text() never yields surrogates; JSON bodies can ("\ud800"), so allow every code point.
any_code_point = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF,
                                               exclude_categories=()), max_size=300)
any_text = st.one_of(st.text(max_size=300), any_code_point, mixed_text)
languages = st.sampled_from([None, *LANGUAGES])


def _finite_numbers(value, where: str = "result") -> None:
    """Every number anywhere in the result is finite and a real Python number (JSON-safe)."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert isinstance(key, str), f"{where} has a non-string key {key!r}"
            _finite_numbers(item, f"{where}.{key}")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _finite_numbers(item, f"{where}[{i}]")
    elif isinstance(value, bool) or value is None or isinstance(value, str):
        return
    else:
        assert type(value) in (int, float), f"{where} is {type(value).__name__}, not int/float"
        assert math.isfinite(value), f"{where} is {value}"


def _span_inside(span, text: str, where: str) -> tuple[int, int]:
    assert len(span) == 2, f"{where} is not a pair: {span}"
    start, end = span
    assert type(start) is int and type(end) is int, f"{where} is not integers: {span}"
    assert 0 <= start <= end <= len(text), f"{where} {span} is outside a text of {len(text)}"
    return start, end


def check_result(result: dict, text: str, parts=PARTS, title: str = "") -> None:
    """The invariants of one pipeline result for `text`."""
    _finite_numbers(result)
    json.dumps(result, allow_nan=False)  # the service can always serialise it
    # What the models read: the same length, control characters as spaces, lone surrogates as U+FFFD.
    seen = re.sub("[\ud800-\udfff]", "\ufffd", clean(text))
    assert len(seen) == len(text)
    assert {p for p in PARTS if p in result} == set(parts)
    if "language" in result:
        language = result["language"]
        assert isinstance(language["code"], str) and language["code"]
        assert 0.0 <= language["score"] <= 1.0
        for part in language.get("parts", []):
            _span_inside(part["span"], text, "language part")
    for topic in result.get("topics", []):
        assert isinstance(topic["label"], str) and topic["label"]
        if topic.get("sentence") is not None:
            shown = re.sub("[\ud800-\udfff]", "\ufffd", clean(title))
            assert topic["sentence"] in seen or topic["sentence"] in shown, \
                "a topic's sentence is neither in the text nor in the title"
    for place in result.get("places", []):
        assert place["mentions"] >= 1
        assert place["lat"] is None or -90 <= place["lat"] <= 90
        assert place["lon"] is None or -180 <= place["lon"] <= 180
        for span in place["spans"]:
            start, end = _span_inside(span, text, f"place {place['name']}")
            assert seen[start:end] in place["surface"], (seen[start:end], place["surface"])
    for count in result.get("counts", []):
        start, end = _span_inside(count["span"], text, "count")
        assert seen[start:end] == count["text"]
    for sentence in result.get("summary", []):
        assert isinstance(sentence, str) and sentence in seen, "a summary sentence is not in the text"


@PROPERTY_SETTINGS
@given(text=any_text, lang=languages)
def test_any_text_through_every_model(pipeline, text, lang):
    check_result(pipeline.analyze(text, lang=lang), text)


@PROPERTY_SETTINGS
@given(text=mixed_text, title=any_text, sentences=st.integers(1, 50),
       chars=st.one_of(st.none(), st.integers(1, 2000)))
def test_titles_and_summary_limits(pipeline, text, title, sentences, chars):
    result = pipeline.analyze(text, title=title, summary_sentences=sentences, summary_chars=chars)
    check_result(result, text, title=title)
    assert len(result["summary"]) <= sentences


@PROPERTY_SETTINGS
@given(texts=st.lists(any_text, min_size=1, max_size=8),
       parts=st.sets(st.sampled_from(PARTS), min_size=1))
def test_batches_match_single_documents(pipeline, texts, parts):
    """A document's result does not depend on the batch it came in."""

    together = pipeline.analyze_many([Document(t) for t in texts], parts=parts)
    for text, result in zip(texts, together, strict=True):
        check_result(result, text, parts)
        alone = pipeline.analyze(text, parts=parts)
        result.pop("timing_ms"), alone.pop("timing_ms")
        assert result == alone


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(texts=st.lists(st.one_of(mixed_text, any_text), min_size=1, max_size=12),
       chunk=st.integers(1, 400))
def test_language_chunks_do_not_change_results(pipeline, monkeypatch_module, texts, chunk):
    """Big batches are language-detected in groups (to bound memory): same answers as one pass."""
    docs = [Document(t) for t in texts]
    whole = pipeline.analyze_many(docs, parts=["language"])
    monkeypatch_module.setattr("models.pipeline.LANGUAGE_CHUNK_CHARS", chunk)
    try:
        grouped = pipeline.analyze_many(docs, parts=["language"])
    finally:
        monkeypatch_module.undo()
    assert [r["language"] for r in grouped] == [r["language"] for r in whole]


@pytest.fixture(scope="module")
def monkeypatch_module():
    """A monkeypatch that hypothesis may share across examples (undone by each example)."""
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["news", "hostile"])
def test_a_200000_character_text(pipeline, kind):
    """The longest text the service accepts goes through every model (one example, not a search)."""
    piece = (" ".join(WORDS) if kind == "hostile" else
             "В Бишкеке прошла встреча религиозных лидеров, в ней приняли участие 40 имамов. "
             "Алматыда дінаралық диалог туралы кездесу өтті, оған 35 имам қатысты. "
             "IWPR trained 71 imam-khatibs in Khujand and Tursunzoda.\n")
    text = (piece * (200_000 // len(piece) + 1))[:200_000]
    assert len(text) == 200_000
    check_result(pipeline.analyze(text), text)
