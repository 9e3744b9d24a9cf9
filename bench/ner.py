"""Bench: the place recogniser against natasha on the same sentences, in one process.

Prints one markdown table: exact-span LOC P/R/F1 (flat LOC view) and sentences per second
(median of --repeats timed passes, each with our per-word caches emptied first) on the first
--limit sentences of each test file.
Run: .venv/bin/python bench/ner.py [--limit 2000] [--repeats 3]
BLAS is limited to one thread (natasha's numpy layers otherwise thrash on a busy 2-core machine:
13-34 sentences/s instead of ~900-1,300), so both systems run on one core.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.artefacts import models_dir  # noqa: E402
from models.ner import PlaceRecognizer, clear_caches  # noqa: E402
from training import ner as train_ner  # noqa: E402
from training.corpora import shared_data_dir  # noqa: E402


def natasha_finder():
    """natasha's news NER (LOC spans) as a `find(text) -> spans` function."""
    from natasha import Doc, NewsEmbedding, NewsNERTagger, Segmenter

    segmenter, tagger = Segmenter(), NewsNERTagger(NewsEmbedding())

    def find(text: str) -> list[tuple[int, int]]:
        doc = Doc(text)
        doc.segment(segmenter)
        doc.tag_ner(tagger)
        return [(s.start, s.stop) for s in doc.spans if s.type == "LOC"]
    return find


def timed(find, texts: list[str], repeats: int) -> tuple[list, float]:
    """Predictions and the median sentences/s over `repeats` passes."""
    rates, pred = [], []
    for _ in range(repeats):
        clear_caches()  # every pass starts cold: repeats must not time a warm per-word cache
        t0 = time.perf_counter()
        pred = [find(t) for t in texts]
        rates.append(len(texts) / (time.perf_counter() - t0))
    return pred, statistics.median(rates)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=train_ner.EVAL_LIMIT)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    ner_dir = shared_data_dir() / "ner"
    labels = train_ner.label_map(ner_dir)
    model = PlaceRecognizer.load(models_dir())
    natasha = natasha_finder()
    from threadpoolctl import threadpool_limits

    limiter = threadpool_limits(1)  # after the imports, so numpy's OpenBLAS is loaded and limited
    rows = []
    for corpus, (lang, rel) in train_ner.TEST_FILES.items():
        recs = train_ner.load_split(ner_dir, rel, labels, limit=args.limit)
        texts, gold = [r["text"] for r in recs], [r["locs"] for r in recs]
        systems = [(f"newsroom ner {model.version}", lambda t, g=lang: model.find(t, g))]
        if lang == "ru":
            systems.append(("natasha 1.6", natasha))
        base = None
        for name, find in systems:
            pred, rate = timed(find, texts, args.repeats)
            r = train_ner.score(pred, gold)
            base = base or rate
            rows.append(f"| {corpus} | {name} | {r['precision']:.3f} | {r['recall']:.3f} | "
                        f"{r['f1']:.3f} | {rate:,.0f} | {base / rate:.2f} |")
    print(f"| corpus (first {args.limit}) | system | P | R | F1 | sentences/s (median of "
          f"{args.repeats}) | newsroom is × faster |")
    print("|---|---|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    limiter.restore_original_limits()
    return 0


if __name__ == "__main__":
    sys.exit(main())
