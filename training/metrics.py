"""Precision, recall and F1: one implementation for every evaluation that counts matches."""
from __future__ import annotations

from typing import Iterable


def prf(tp: int, fp: int, fn: int) -> dict:
    """Precision, recall and F1 from match counts (0.0 where undefined), rounded to 4 places."""
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4),
            "tp": tp, "fp": fp, "fn": fn}


def span_f1(pairs: Iterable[tuple[Iterable, Iterable]]) -> dict:
    """Exact-span precision, recall and F1 over (predicted spans, gold spans) pairs."""
    tp = fp = fn = 0
    for pred, gold in pairs:
        p, g = set(map(tuple, pred)), set(map(tuple, gold))
        tp += len(p & g)
        fp += len(p - g)
        fn += len(g - p)
    return prf(tp, fp, fn)
