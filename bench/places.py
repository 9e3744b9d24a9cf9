"""Places speed and exact-span LOC F1 side by side: the project's extractor and natasha.

    .venv/bin/python bench/places.py [--repeats 3] [--limit 2000]

Runs both systems in one process on the same sentences: the first `--limit` sentences of each
shared NER test file (flat LOC view, exact spans). natasha 1.6 (Segmenter + NewsNERTagger, LOC
spans) is the anchor for Russian; it has no Kazakh or English model, so those rows show the
project alone. "find_spans" is the span finder the F1 scores; "extract" adds resolution and
grouping (what the service calls). Speed is sentences per second, the median over repeats.
Prints one markdown table.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# One BLAS thread: natasha's numpy tagger otherwise fights other processes for the cores and its
# rate swings tenfold; single-threaded is the fair, steady comparison for "one process".
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from models.artefacts import models_dir  # noqa: E402
from models.places import PlaceExtractor  # noqa: E402
from training.corpora import shared_data_dir  # noqa: E402
from training.metrics import span_f1  # noqa: E402
from training.places import EVAL_FILES, iter_eval  # noqa: E402


def natasha_spans() -> Callable[[str, str], list[tuple[int, int]]]:
    """natasha's LOC spans for one Russian text."""
    from natasha import Doc, NewsEmbedding, NewsNERTagger, Segmenter

    segmenter, tagger = Segmenter(), NewsNERTagger(NewsEmbedding())

    def find(text: str, _lang: str) -> list[tuple[int, int]]:
        doc = Doc(text)
        doc.segment(segmenter)
        doc.tag_ner(tagger)
        return [(s.start, s.stop) for s in doc.spans if s.type == "LOC"]

    return find


def rate(fn: Callable, texts: list[str], lang: str, repeats: int) -> float:
    """Median sentences per second over repeats."""
    speeds = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for text in texts:
            fn(text, lang)
        speeds.append(len(texts) / (time.perf_counter() - t0))
    return statistics.median(speeds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--limit", type=int, default=2000)
    parser.add_argument("--split", default="test", choices=sorted(EVAL_FILES))
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    extractor = PlaceExtractor.load(models_dir())
    load_s = time.perf_counter() - t0
    ours = f"newsroom places {extractor.version}"
    natasha = natasha_spans()
    print("| file | system | sentences | LOC P | LOC R | LOC F1 | sentences/s (median) "
          "| speed vs natasha |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for lang, rel, source in EVAL_FILES[args.split]:
        items = list(iter_eval(shared_data_dir(), rel, source, args.limit))
        texts = [t for t, _ in items]
        systems: dict[str, Callable] = {f"{ours} find_spans": extractor.find_spans,
                                        f"{ours} extract": extractor.extract}
        if lang == "ru":
            systems["natasha 1.6 NewsNERTagger"] = natasha
        speeds = {}
        for name, fn in systems.items():
            fn("Прогрев в Бишкеке.", lang)
            speeds[name] = rate(fn, texts, lang, args.repeats)
        base = speeds.get("natasha 1.6 NewsNERTagger")
        for name, fn in systems.items():
            if name.endswith("extract"):
                p = r = f = "–"
            else:
                res = span_f1((fn(t, lang), g) for t, g in items)
                p, r, f = (f"{res[k]:.3f}" for k in ("precision", "recall", "f1"))
            ratio = f"{speeds[name] / base:.1f}×" if base else "–"
            print(f"| {rel} | {name} | {len(items)} | {p} | {r} | {f} | {speeds[name]:,.0f} "
                  f"| {ratio} |")
    print(f"\nload time of the places artefact (+ recogniser if present): {load_s:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
