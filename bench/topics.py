"""Bench the topic tagger against the anchors on the shared topics test split, in one process.

Rows: the bundled model (dev + starter corpus), the same recipe retrained on dev only, the
TF-IDF (char 2–5 + word 1–2) + one-vs-rest logistic regression anchor at threshold 0.5 trained
on dev, and keyword rules. Prints one markdown table: micro-F1 overall and per language, F1 per
label, median training seconds and median tagging throughput over repeats; then the time to
train the recipe on 1,000 documents (the training-time bar).

    .venv/bin/python bench/topics.py [--repeats 5] [--train-repeats 3]
    .venv/bin/python bench/topics.py --speed-only   # the two speed bars only; never reads test.jsonl
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.artefacts import BUNDLED_DIR  # noqa: E402
from models.normalize import fold  # noqa: E402
from models.topics import TopicTagger, compose  # noqa: E402
from training.corpora import shared_data_dir  # noqa: E402
from training.topics import STARTER, fit_model, load_corpus, metrics  # noqa: E402

LABELS = ["extremism", "interfaith_dialogue", "repatriation"]

# Keyword rules anchor: folded stems per label and language; a label fires on one stem in the
# title or two in the body.
KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "extremism": {
        "ru": ("экстремис", "террор", "радикал", "вербов", "игил", "исламское государство", "хизб"),
        "kk": ("экстремис", "террор", "радикал", "жат ағым", "даиш", "деструктив"),
        "en": ("extremis", "terror", "radicali", "recruit", "isis", "isil", "islamic state"),
    },
    "repatriation": {
        "ru": ("репатри", "жусан", "мехр", "мээрим", "вернувш", "возвращ", "аль-холь"),
        "kk": ("репатри", "жусан", "мехр", "оралған", "қайтар", "әл-холь", "елге орал"),
        "en": ("repatri", "zhusan", "mehr", "returnee", "al-hol", "brought back", "returned from"),
    },
    "interfaith_dialogue": {
        "ru": ("межрелиги", "межконфесс", "конфесси", "толерантн", "духовного согласия", "съезд лидеров",
               "конгресс лидеров"),
        "kk": ("дінаралық", "конфессияаралық", "конфессия", "төзімділ", "рухани келісім", "діндер көшбасшылары"),
        "en": ("interfaith", "interreligious", "confession", "tolerance", "spiritual accord",
               "religious leaders", "dialogue between"),
    },
}


def keyword_scores(records: list[dict]) -> np.ndarray:
    """1.0 where the keyword rule fires, else 0.0."""
    out = np.zeros((len(records), len(LABELS)))
    for i, r in enumerate(records):
        title, body = fold(r["title"] or ""), fold(r["text"])
        for j, label in enumerate(LABELS):
            stems = KEYWORDS[label].get(r["lang"], KEYWORDS[label]["en"])
            in_title = sum(s in title for s in stems)
            in_body = sum(len(re.findall(re.escape(s), body)) for s in stems)
            out[i, j] = float(in_title >= 1 or in_body >= 2)
    return out


def anchor_pipeline() -> Pipeline:
    """The anchor: TF-IDF char 2–5 + word 1–2, one-vs-rest logistic regression (C=10, balanced
    class weights: with sklearn's default C=1 and no weights almost no score reaches 0.5)."""
    features = FeatureUnion([
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        ("word", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
    ])
    return Pipeline([("features", features),
                     ("clf", OneVsRestClassifier(LogisticRegression(
                         C=10.0, class_weight="balanced", max_iter=2000, random_state=0)))])


def _anchor_text(r: dict) -> str:
    return f"{r['title']}\n{r['text']}"


def timed(fn, repeats: int) -> tuple[float, object]:
    """Median seconds over repeats, and the last result."""
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def row(name: str, m: dict, train_s: float | None, docs_per_s: float) -> str:
    langs = [m["by_language"][k]["micro"]["f1"] for k in ("ru", "kk", "en")]
    labels = [m["all"]["labels"][k]["f1"] for k in LABELS]
    train = f"{train_s:.1f}" if train_s is not None else "–"
    return (f"| {name} | **{m['all']['micro']['f1']:.3f}** | " + " | ".join(f"{x:.3f}" for x in langs)
            + " | " + " | ".join(f"{x:.3f}" for x in labels)
            + f" | {m['calibration']['ece']:.3f} | {train} | {docs_per_s:,.0f} |")


def thousand_docs(dev: list[dict]) -> list[dict]:
    """The training-time bar is for 1,000 documents: dev + starter, topped up with dev records
    again (new ids and groups, so cross-validation treats them as further documents)."""
    starter = load_corpus([STARTER])
    extra = [dict(r, id=f"{r['id']}-again", group=f"{r['group']}-again") for r in dev]
    return (dev + starter + extra)[:1000]


def speed_only(dev: list[dict], args: argparse.Namespace) -> int:
    """The bundled model's tag_many throughput on dev.jsonl and the 1,000-document training time."""
    tagger = TopicTagger.load(args.models)
    docs = [{"text": r["text"], "title": r["title"], "lang": r["lang"]} for r in dev]
    tag_s, _ = timed(lambda: tagger.tag_many(docs), args.repeats)
    train_s, _ = timed(lambda: fit_model(thousand_docs(dev), seed=0), 1)
    print(f"topics speed ({tagger.version}): tag_many {len(docs) / tag_s:,.0f} docs/s on dev.jsonl "
          f"({len(docs)} docs, median of {args.repeats}); training on 1,000 docs {train_s:.1f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="tagging repeats (median)")
    parser.add_argument("--train-repeats", type=int, default=3, help="training repeats (median)")
    parser.add_argument("--data-dir", type=Path, default=shared_data_dir())
    parser.add_argument("--models", type=Path, default=BUNDLED_DIR)
    parser.add_argument("--speed-only", action="store_true",
                        help="only tagging docs/s (on dev.jsonl) and the 1,000-doc training time: "
                             "no scores, test.jsonl is not read (for tuning sessions)")
    args = parser.parse_args(argv)
    dev = load_corpus([args.data_dir / "topics" / "dev.jsonl"])
    if args.speed_only:
        return speed_only(dev, args)
    test = load_corpus([args.data_dir / "topics" / "test.jsonl"])
    docs = [{"text": r["text"], "title": r["title"], "lang": r["lang"]} for r in test]
    lines = ["| system | micro-F1 | ru | kk | en | F1 extremism | F1 interfaith | F1 repatriation "
             "| ECE | train s (dev) | docs/s |", "|---|---|---|---|---|---|---|---|---|---|---|"]

    tagger = TopicTagger.load(args.models)
    order = [LABELS.index(l["label"]) for l in tagger.labels()]
    tag_s, _ = timed(lambda: tagger.tag_many(docs), args.repeats)
    P = tagger.model.predict_proba([compose(r["title"], r["text"]) for r in test])
    m = metrics(test, [LABELS[j] for j in order], P, tagger.model.thresholds_)
    lines.append(row(f"newsroom bundled ({tagger.version}, dev+starter), tag_many", m, None,
                     len(docs) / tag_s))
    score_s, _ = timed(lambda: tagger.score_many(docs), args.repeats)

    train_s, model = timed(lambda: fit_model(dev, seed=0), args.train_repeats)
    P = model.predict_proba([compose(r["title"], r["text"]) for r in test])
    m = metrics(test, list(model.classes_), P, model.thresholds_)
    lines.append(row("newsroom recipe retrained on dev only", m, train_s, len(docs) / score_s))

    Y = np.array([[l in r["labels"] for l in LABELS] for r in dev], dtype=int)
    a_train_s, anchor = timed(lambda: anchor_pipeline().fit([_anchor_text(r) for r in dev], Y),
                              args.train_repeats)
    a_tag_s, P = timed(lambda: anchor.predict_proba([_anchor_text(r) for r in test]), args.repeats)
    m = metrics(test, LABELS, P, np.full(len(LABELS), 0.5))
    lines.append(row("anchor: TF-IDF char2–5+word1–2 + OvR LR (C=10, balanced) @0.5 (dev)", m, a_train_s, len(docs) / a_tag_s))

    train_1000_s, _ = timed(lambda: fit_model(thousand_docs(dev), seed=0), 1)

    k_s, P = timed(lambda: keyword_scores(test), args.repeats)
    m = metrics(test, LABELS, P, np.full(len(LABELS), 0.5))
    lines.append(row("anchor: keyword rules", m, None, len(docs) / k_s))

    print(f"topics bench: shared topics test.jsonl ({len(test)} docs), trained on dev.jsonl "
          f"({len(dev)} docs); medians of {args.repeats} tagging / {args.train_repeats} training runs. "
          f"docs/s of the retrained row = score_many (scores only, no evidence).\n")
    print("\n".join(lines))
    print(f"\ntraining the recipe on 1,000 docs (dev + starter + dev again): {train_1000_s:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
