"""Counts speed and quality side by side: our extractor, a regex number finder and natasha.

    .venv/bin/python bench/counts.py [--repeats 5] [--langs ru,kk,en]

Runs every system in one process on the same sentences: the project's annotated test set
(tests/data/counts_{lang}.jsonl) and the sentences of ../shared/data/topics/dev.jsonl (titles and
bodies split with models.sentences). Speed is sentences per second, the median over repeats.
No library returns "count + counted noun", so the anchors are a plain regex number finder (every
digit group with separators is taken as a count; scored span+value on the test set to show what the
rules add) and, for Russian, natasha's rule-based DatesExtractor + MoneyExtractor (yargy grammars,
the same family of extractor) for speed. Prints one markdown table.
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.artefacts import models_dir  # noqa: E402
from models.counts import CountExtractor  # noqa: E402
from models.sentences import split  # noqa: E402
from training.corpora import shared_data_dir  # noqa: E402
from training.counts import LANGS, TEST_DIR, read_test_set, score  # noqa: E402

_NUMBER_RE = re.compile(r"\d+(?:[ ,.\u00a0]\d{3})*(?:[.,]\d+)?")


def regex_numbers(text: str, lang: str) -> list[dict]:
    """Every number in the text as a count (the no-rules baseline)."""
    out = []
    for m in _NUMBER_RE.finditer(text):
        raw = m.group(0)
        digits = re.sub(r"[ ,.\u00a0](?=\d{3}\b)", "", raw).replace(",", ".")
        try:
            value = float(digits)
        except ValueError:
            continue
        out.append({"value": int(value) if value.is_integer() else value, "what": "",
                    "span": [m.start(), m.end()]})
    return out


def _natasha(lang: str) -> Callable[[str, str], list] | None:
    """natasha's dates + money extractors (Russian only)."""
    if lang != "ru":
        return None
    with warnings.catch_warnings():  # natasha's pymorphy2 imports the deprecated pkg_resources
        warnings.simplefilter("ignore")
        from natasha import DatesExtractor, MorphVocab, MoneyExtractor

        vocab = MorphVocab()
    dates, money = DatesExtractor(vocab), MoneyExtractor(vocab)
    return lambda text, _lang: list(dates(text)) + list(money(text))


def dev_sentences(lang: str) -> list[str]:
    """Titles and body sentences of the shared dev split for one language."""
    out: list[str] = []
    path = shared_data_dir() / "topics" / "dev.jsonl"
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["lang"] != lang:
                continue
            if rec.get("title"):
                out.append(rec["title"])
            out.extend(split(rec["text"]))
    return out


def rate(fn: Callable[[str, str], list], sentences: list[str], lang: str,
         repeats: int) -> tuple[float, int]:
    """Median sentences/s over repeats, and how many items the system returned."""
    speeds, found = [], 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        found = sum(len(fn(s, lang)) for s in sentences)
        speeds.append(len(sentences) / (time.perf_counter() - t0))
    return statistics.median(speeds), found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--langs", default=",".join(LANGS))
    args = parser.parse_args(argv)

    extractor = CountExtractor.load(models_dir())
    systems: dict[str, Callable[[str, str], list]] = {
        f"newsroom counts {extractor.version}": extractor.extract,
        "regex number finder": regex_numbers,
    }
    print("| lang | sentences from | system | sentences | sentences/s (median) | items found "
          "| P (span+value) | R (span+value) |")
    print("|---|---|---|---|---|---|---|---|")
    for lang in args.langs.split(","):
        records = read_test_set(lang, TEST_DIR)
        inputs = {"project test set": [r["text"] for r in records],
                  "topics dev": dev_sentences(lang)}
        lang_systems = dict(systems)
        natasha = _natasha(lang)
        if natasha is not None:
            lang_systems["natasha dates+money"] = natasha
        for name, fn in lang_systems.items():
            fn("warm-up 12 people", lang)
            for source, sentences in inputs.items():
                speed, found = rate(fn, sentences, lang, args.repeats)
                p = r = "–"
                if source == "project test set" and name != "natasha dates+money":
                    res = score([(fn(rec["text"], lang), rec["counts"]) for rec in records])
                    p = f"{res['span_value']['precision']:.3f}"
                    r = f"{res['span_value']['recall']:.3f}"
                print(f"| {lang} | {source} | {name} | {len(sentences)} | {speed:,.0f} | {found} "
                      f"| {p} | {r} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
