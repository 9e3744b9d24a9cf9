"""Summary quality and speed side by side: the served model, lead-N and sumy LexRank/TextRank.

    .venv/bin/python bench/summary.py [--repeats 3] [--langs en,ru,kk]

Runs every system in one process on the same summarisation test files (en 3 sentences against
the extractive references; ru and kk 1 sentence against the headlines; no system is given a
title), scores ROUGE-1/2/L F1 the way `newsroom evaluate summary` does, and times each
system over the whole file, splitting included: articles/s is the median over repeats, per
CPU-second of this process (stable on a shared machine) and by the wall clock. sumy
gets our sentence splitter and a Unicode word tokenizer (it would need NLTK punkt data, which
cannot be installed offline), the Snowball stemmer where NLTK has one (en, ru) and its English
stop list (it has none for ru or kk). Prints one markdown table.
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.artefacts import models_dir  # noqa: E402
from models.sentences import split  # noqa: E402
from models.summary import Summarizer  # noqa: E402
from training.corpora import shared_data_dir  # noqa: E402
from training.summary import TEST_SETUP, mean_rouge, summarization_records  # noqa: E402

_SUMY_LANGUAGE = {"en": "english", "ru": "russian", "kk": "kazakh"}
_WORD_RE = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)


class _SumyTokenizer:
    """What sumy needs from a tokenizer: our sentences, and Unicode words."""

    def __init__(self, language: str) -> None:
        self.language = language

    def to_sentences(self, paragraph: str) -> list[str]:
        return split(paragraph)

    def to_words(self, sentence: str) -> list[str]:
        return _WORD_RE.findall(sentence)


def _sumy_system(kind: str, lang: str) -> Callable[[str, int], list[str]]:
    """A sumy summariser as a function (text, k) -> sentences."""
    from sumy.nlp.stemmers import Stemmer, null_stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    language = _SUMY_LANGUAGE[lang]
    try:
        stemmer = Stemmer(language)
    except LookupError:
        stemmer = null_stemmer
    summarizer = (LexRankSummarizer if kind == "lexrank" else TextRankSummarizer)(stemmer)
    try:
        summarizer.stop_words = get_stop_words(language)
    except LookupError:
        pass
    tokenizer = _SumyTokenizer(language)

    def run(text: str, k: int) -> list[str]:
        document = PlaintextParser.from_string(text, tokenizer).document
        return [str(s) for s in summarizer(document, k)]
    return run


def _systems(model: Summarizer, lang: str,
             with_title: bool) -> dict[str, Callable[[dict, int], list[str]]]:
    """Every system as a function (record, k) -> sentences; ours gets a title if TEST_SETUP says."""
    lexrank, textrank = _sumy_system("lexrank", lang), _sumy_system("textrank", lang)
    return {
        f"newsroom summary {model.version}": lambda r, k: model.summarize(
            r["text"], lang, title=r.get("title") if with_title else None, sentences=k),
        "lead-N": lambda r, k: split(r["text"])[:k],
        "sumy LexRank": lambda r, k: lexrank(r["text"], k),
        "sumy TextRank": lambda r, k: textrank(r["text"], k),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--langs", default="en,ru,kk")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=RuntimeWarning)  # sumy LexRank on 1-sentence texts

    model = Summarizer.load(models_dir())
    rows = []
    for lang in args.langs.split(","):
        records = summarization_records(shared_data_dir(), lang)
        k, with_title = TEST_SETUP[lang]
        for name, system in _systems(model, lang, with_title).items():
            cpu, wall, outputs = [], [], []
            for _ in range(args.repeats):
                c0, t0 = time.process_time(), time.perf_counter()
                outputs = [system(r, k) for r in records]
                cpu.append(len(records) / (time.process_time() - c0))
                wall.append(len(records) / (time.perf_counter() - t0))
            scores = mean_rouge((" ".join(out), r["summary"]) for out, r in zip(outputs, records))
            rows.append((lang, k, len(records), name, scores, statistics.median(cpu),
                         statistics.median(wall)))

    print(f"| lang | sentences | n | system | R-1 | R-2 | R-L | articles/s per CPU-second "
          f"(median of {args.repeats}) | articles/s wall clock (median) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for lang, k, n, name, s, cpu_rate, wall_rate in rows:
        print(f"| {lang} | {k} | {n} | {name} | {s['rouge1']:.1f} | {s['rouge2']:.1f} | "
              f"{s['rougeL']:.1f} | {cpu_rate:.0f} | {wall_rate:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
