"""Train, evaluate, promote and roll back the topic tagger (`newsroom train|evaluate|promote|rollback topics`).

Training reads labelled corpora (JSONL or CSV: id, lang, title, text, labels[, group]), fits
`models.topics.TopicClassifier` (thresholds and calibration from cross-validation grouped by
`group`, never from the held-out file), and writes a new version folder under `<out>/topics/`
with a manifest; it is then promoted (the pointer file names it) unless `--no-promote`.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import time
from pathlib import Path
from typing import Sequence

import joblib
import numpy as np

from models.artefacts import BUNDLED_DIR, fingerprint, read_manifest, sha256_file, write_manifest
from models.errors import ArtefactError, InputError
from models.topics import (CUE_GROUPS, EDITOR_SOURCE, HISTORY_FILE, MODEL_FILE, NAME, POINTER_FILE,
                           TopicClassifier, TopicTagger, compose, current_stamp, display_names,
                           label_id, version_dir)
from training.corpora import STARTER_DIR, read_records, shared_data_dir
from training.metrics import prf

STARTER = STARTER_DIR / "starter.jsonl"
SHARED_SOURCE = {
    "source": "../shared/data/topics (see its README.md): real news leads in ru/kk/en — web page "
              "excerpts (24.kg, CABAR.asia, Azattyq/RFE/RL, Kazinform, Tengrinews, Astana Times, "
              "Asia-Plus, ...), NEREL ru Wikinews articles, NTREX-128 news-test documents",
    "licence": "web excerpts: copyright stays with the publishers, internal use only; NEREL/Russian "
               "Wikinews: CC BY 2.5 (attribute Wikinews/NEREL); NTREX-128: CC BY-SA 4.0",
}
STARTER_SOURCE = {"source": "training/data/starter.jsonl: original short news texts written for "
                            "this project", "licence": "project licence (MIT)"}
REVIEW_MARGIN = 0.1
ECE_BINS = 10


# ---------------------------------------------------------------- corpora

def _shared_file(args: argparse.Namespace, split: str) -> Path:
    base = Path(getattr(args, "data_dir", None) or shared_data_dir())
    return base / "topics" / f"{split}.jsonl"


def load_corpus(paths: Sequence[Path]) -> list[dict]:
    """Read and validate records from JSONL/CSV files; `group` defaults to the record id; `source`
    is kept (editors' corrections from the store say `EDITOR_SOURCE`)."""
    records: list[dict] = []
    for path in paths:
        if not Path(path).is_file():
            raise InputError(f"corpus not found: {path}", code="corpus_missing")
        for n, rec in enumerate(read_records(Path(path)), 1):
            text = rec.get("text")
            if not isinstance(text, str) or not text.strip():
                raise InputError(f"{path}: record {n} has no text", code="bad_training_data")
            labels = rec.get("labels") or []
            if isinstance(labels, str):
                labels = [x.strip() for x in labels.replace(";", "|").split("|") if x.strip()]
            rid = str(rec.get("id") or f"{Path(path).stem}-{n}")
            records.append({"id": rid, "lang": rec.get("lang") or "", "title": rec.get("title") or "",
                            "text": text, "labels": sorted(set(labels)),
                            "group": str(rec.get("group") or rid),
                            "source": str(rec.get("source") or "")})
    if not records:
        raise InputError("no training records", code="bad_training_data")
    return records


def _default_training_paths(args: argparse.Namespace) -> list[Path]:
    paths = [_shared_file(args, "dev")]
    if not getattr(args, "no_starter", False):
        paths.append(STARTER)
    return paths


def _provenance(paths: Sequence[Path], args: argparse.Namespace) -> list[dict]:
    """One entry per training file: path, size, SHA-256 and source/licence where known."""
    out = []
    for path in paths:
        path = Path(path)
        entry = {"file": path.name, "sha256": sha256_file(path)}
        if path.resolve() == STARTER.resolve():
            entry.update(STARTER_SOURCE)
        elif path.resolve().parent == _shared_file(args, "dev").resolve().parent:
            entry.update({"file": f"shared/data/topics/{path.name}", **SHARED_SOURCE})
        else:
            entry.update({"source": "corpus given on the command line (--corpus/--add-corpus)", "licence": "unknown"})
        out.append(entry)
    return out


# ---------------------------------------------------------------- metrics

def _prf(tp: int, fp: int, fn: int) -> dict:
    """The shared precision/recall/F1, plus the label's support (its gold count)."""
    return {**prf(tp, fp, fn), "support": tp + fn}


def reliability(Y: np.ndarray, P: np.ndarray, bins: int = ECE_BINS) -> dict:
    """Reliability table over all (document, label) scores and the expected calibration error."""
    y, p = Y.ravel(), P.ravel()
    edges = np.linspace(0, 1, bins + 1)
    rows, ece = [], 0.0
    for k in range(bins):
        mask = (p >= edges[k]) & ((p < edges[k + 1]) if k < bins - 1 else (p <= 1))
        if not mask.any():
            continue
        conf, acc = float(p[mask].mean()), float(y[mask].mean())
        ece += mask.sum() / len(p) * abs(conf - acc)
        rows.append({"bin": f"{edges[k]:.1f}-{edges[k + 1]:.1f}", "n": int(mask.sum()),
                     "mean_score": round(conf, 4), "observed": round(acc, 4)})
    return {"ece": round(float(ece), 4), "bins": rows}


def metrics(records: Sequence[dict], labels: Sequence[str], P: np.ndarray,
            thresholds: np.ndarray) -> dict:
    """P/R/F1 per language × label, micro/macro F1, P@1 and calibration for scored records."""
    Y = np.array([[l in r["labels"] for l in labels] for r in records], dtype=int)
    pred = P >= thresholds
    langs = sorted({r["lang"] for r in records})
    out: dict = {"n_docs": len(records), "labels": list(labels), "by_language": {}}

    def block(mask: np.ndarray) -> dict:
        per_label, tps, fps, fns = {}, 0, 0, 0
        for j, label in enumerate(labels):
            tp = int(np.sum(pred[mask, j] & (Y[mask, j] == 1)))
            fp = int(np.sum(pred[mask, j] & (Y[mask, j] == 0)))
            fn = int(np.sum(~pred[mask, j] & (Y[mask, j] == 1)))
            per_label[label] = _prf(tp, fp, fn)
            tps, fps, fns = tps + tp, fps + fp, fns + fn
        micro = _prf(tps, fps, fns)
        macro = float(np.mean([v["f1"] for v in per_label.values()])) if per_label else 0.0
        has_gold = mask & (Y.sum(axis=1) > 0)
        top = P.argmax(axis=1)
        p_at_1 = float(np.mean(Y[has_gold, top[has_gold]])) if has_gold.any() else 0.0
        return {"n_docs": int(mask.sum()), "labels": per_label, "micro": micro,
                "macro_f1": round(macro, 4), "p_at_1": round(p_at_1, 4)}

    all_mask = np.ones(len(records), dtype=bool)
    out["all"] = block(all_mask)
    for lang in langs:
        out["by_language"][lang] = block(np.array([r["lang"] == lang for r in records]))
    out["calibration"] = reliability(Y, P)
    return out


def headline(m: dict) -> dict:
    """The few numbers `info()` shows: micro-F1 overall and per language, F1 per label, ECE."""
    return {"micro_f1": m["all"]["micro"]["f1"],
            "micro_f1_by_language": {k: v["micro"]["f1"] for k, v in m["by_language"].items()},
            "f1_by_label": {k: v["f1"] for k, v in m["all"]["labels"].items()},
            "macro_f1": m["all"]["macro_f1"], "p_at_1": m["all"]["p_at_1"],
            "ece": m["calibration"]["ece"]}


# ---------------------------------------------------------------- training

def is_correction(record: dict) -> bool:
    """An editor's correction from the store (weighted less in the topic calibration)."""
    return record.get("source") == EDITOR_SOURCE


def fit_model(records: Sequence[dict], seed: int = 0, **params) -> TopicClassifier:
    """Fit the recipe on records (reproducible: fixed seed, deterministic folds by group)."""
    model = TopicClassifier(random_state=seed, **params)
    return model.fit([compose(r["title"], r["text"]) for r in records],
                     [r["labels"] for r in records], groups=[r["group"] for r in records],
                     corrections=[is_correction(r) for r in records])


def _calibration_entry(model: TopicClassifier, j: int) -> dict:
    """The label's calibration for the manifest: slope `a` on the logit, intercept `b`, and (when
    stacked) the weight of each cue group's log count."""
    a, b = model.calibration_[j]
    entry: dict = {"a": a, "b": b}
    if getattr(model, "cue_coef_", None) is not None:
        entry["cues"] = {g: round(float(w), 4) for g, w in zip(CUE_GROUPS, model.cue_coef_[j])}
    return entry


def _new_version(fp: str) -> str:
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{fp[:8]}"


def _load_display_names(path: str | None) -> dict[str, dict[str, str]]:
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"display names file {path}: {exc}", code="bad_display_names") from exc
    if not isinstance(data, dict):
        raise InputError("display names file must map label -> {ru, kk, en}", code="bad_display_names")
    return data


def configure_train(parser: argparse.ArgumentParser) -> None:
    """Flags of `newsroom train topics`."""
    parser.add_argument("--corpus", action="append", type=Path, default=None,
                        help="training corpus (JSONL/CSV; repeatable); default: shared topics "
                             "dev.jsonl + training/data/starter.jsonl")
    parser.add_argument("--add-corpus", action="append", type=Path, default=None,
                        help="corpus added to the training corpora (repeatable), e.g. editors' corrections")
    parser.add_argument("--no-starter", action="store_true",
                        help="with the default corpora, leave out the starter corpus")
    parser.add_argument("--heldout", type=Path, default=None,
                        help="held-out corpus for the manifest's metrics (default: shared test.jsonl "
                             "if present; never used for tuning)")
    parser.add_argument("--display-names", default=None,
                        help="JSON file {label: {ru, kk, en}} for labels a newsroom adds")
    parser.add_argument("--version", default=None, help="version folder name (default: time + data hash)")
    parser.add_argument("--no-promote", action="store_true",
                        help="write the version but keep serving the current one")


def train(args: argparse.Namespace) -> int:
    """Train on the corpora, write a new version folder with manifest, promote it."""
    seed = int(getattr(args, "seed", None) or 0)
    paths = list(args.corpus or _default_training_paths(args)) + list(getattr(args, "add_corpus", None) or [])
    records = load_corpus(paths)
    t0 = time.perf_counter()
    model = fit_model(records, seed=seed)
    train_seconds = time.perf_counter() - t0
    labels = list(model.classes_)
    cv = metrics(records, labels, model.oof_probabilities_, model.thresholds_)
    heldout_path = args.heldout or _shared_file(args, "test")
    heldout = None
    if Path(heldout_path).is_file():
        held = load_corpus([heldout_path])
        heldout = metrics(held, labels, model.predict_proba(
            [compose(r["title"], r["text"]) for r in held]), model.thresholds_)
    fp = fingerprint([{k: r[k] for k in ("id", "lang", "title", "text", "labels")} for r in records])
    version = getattr(args, "version", None) or _new_version(fp)
    root = Path(getattr(args, "out", None) or BUNDLED_DIR)
    folder = version_dir(root, version)
    if folder.exists():
        raise InputError(f"topics version {version} already exists in {folder.parent}", code="version_exists")
    folder.mkdir(parents=True)
    joblib.dump(model, folder / MODEL_FILE, compress=3)
    extra_names = _load_display_names(getattr(args, "display_names", None))
    label_table = [{"id": label_id(l), "label": l, "display": display_names(l, extra_names),
                    "threshold": round(float(t), 4), "calibration": _calibration_entry(model, j),
                    "n_train": int(sum(l in r["labels"] for r in records))}
                   for j, (l, t) in enumerate(zip(labels, model.thresholds_))]
    training_data = {
        "fingerprint": fp, "n_docs": len(records),
        "n_editor_corrections": sum(is_correction(r) for r in records),
        "by_language": {lang: sum(r["lang"] == lang for r in records)
                        for lang in sorted({r["lang"] for r in records})},
        "files": _provenance(paths, args),
        "source": "; ".join(sorted({p.get("source", "") for p in _provenance(paths, args)})),
        "licence": "; ".join(sorted({p.get("licence", "") for p in _provenance(paths, args)})),
    }
    metric_block = {
        "headline": {"heldout": headline(heldout) if heldout else None, "cross_validated": headline(cv)},
        "cross_validated": cv, "heldout": heldout,
        "heldout_file": Path(heldout_path).name if heldout else None,
        "train_seconds": round(train_seconds, 2),
    }
    params = {k: (list(v) if isinstance(v, tuple) else v) for k, v in model.get_params().items()}
    write_manifest(folder, name=NAME, version=version, files=[MODEL_FILE],
                   training_data=training_data, metrics=metric_block,
                   extra={"labels": label_table, "params": params, "seed": seed,
                          "review_margin": REVIEW_MARGIN,
                          "recipe": "TF-IDF char_wb n-grams + word-stem uni/bigrams of fold()ed "
                                    "title×2 + text + language-independent topic-cue group counts; "
                                    "one-vs-rest logistic regression; calibration per label by "
                                    "logistic regression on the grouped out-of-fold logit + cue "
                                    "log counts (stacked), near-F1-best thresholds from its own "
                                    "grouped out-of-fold probabilities"})
    TopicTagger.load(root, version)  # the written artefact must load and verify
    if getattr(args, "json", None):
        Path(args.json).write_text(json.dumps({"version": version, "training_data": training_data,
                                               "metrics": metric_block}, ensure_ascii=False, indent=2)
                                   + "\n", encoding="utf-8")
    print(f"topics {version}: {len(records)} docs, {len(labels)} labels, trained in {train_seconds:.1f}s")
    print(f"  cross-validated micro-F1 {cv['all']['micro']['f1']:.3f}"
          + (f", held-out micro-F1 {heldout['all']['micro']['f1']:.3f}" if heldout else ""))
    if not getattr(args, "no_promote", False):
        set_current(root, version)
        print(f"  promoted: {root / NAME / POINTER_FILE} -> {version}")
    return 0


# ---------------------------------------------------------------- evaluation

def configure_evaluate(parser: argparse.ArgumentParser) -> None:
    """Flags of `newsroom evaluate topics`."""
    parser.add_argument("--corpus", action="append", type=Path, default=None,
                        help="evaluation corpus (JSONL/CSV; repeatable); default: shared topics test.jsonl")
    parser.add_argument("--version", default=None, help="model version to evaluate (default: the current one)")
    parser.add_argument("--retrain-on", action="append", type=Path, default=None,
                        help="instead of the saved model, retrain the same recipe on these corpora "
                             "(e.g. shared dev.jsonl only) and evaluate that")
    parser.add_argument("--corrections-proxy", type=Path, default=None, metavar="FILE",
                        help="instead: the editors' round trip on dev, no test data read — per "
                             "grouped dev fold, retrain on the rest (+ starter) with and without "
                             "the first 50 corrections from FILE that model tags wrong")
    parser.add_argument("--proxy-repeats", type=int, default=0, metavar="K",
                        help="with --corrections-proxy: add K shuffled stratified grouped 5-fold "
                             "splits of dev (seeds --seed … --seed+K-1) to the 4 fixed folds")


def proxy_splits(dev: Sequence[dict], folds: int = 4, repeats: int = 0,
                 seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """The held-out dev folds of the corrections proxy: `folds` grouped folds (deterministic: the
    same for every seed), then `repeats` shuffled 5-fold splits stratified by language × label
    set (seeds `seed` … `seed + repeats - 1`). Four folds alone are a coarse guard (one fold
    moved by +0.027 in session 3); the repeats narrow the mean's standard error."""
    from sklearn.model_selection import GroupKFold, StratifiedGroupKFold

    groups = [r["group"] for r in dev]
    out = list(GroupKFold(n_splits=folds).split(dev, groups=groups))
    strata = [r["lang"] + ":" + "|".join(sorted(r["labels"])) for r in dev]
    for k in range(repeats):
        splitter = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=seed + k)
        out += list(splitter.split(dev, strata, groups))
    return out


def corrections_proxy(dev: Sequence[dict], extra: Sequence[dict], corrections: Sequence[dict],
                      folds: int = 4, n: int = 50, seed: int = 0, repeats: int = 0) -> list[dict]:
    """Issue 8's round trip on dev rather than on the test set: what retraining on editors'
    corrections does to held-out quality, measurable while a recipe is being chosen.

    For each held-out fold of `dev` (`proxy_splits`): train on the rest + `extra`, then again
    with the first `n` corrections that model tags wrong (marked as editors' corrections), and
    score both on the fold (micro-F1)."""
    rows = []
    for k, (train, held) in enumerate(proxy_splits(dev, folds, repeats, seed)):
        base = [dev[i] for i in train] + list(extra)
        test = [dev[i] for i in held]
        before = fit_model(base, seed=seed)
        P = before.predict_proba([compose(r["title"], r["text"]) for r in corrections])
        wrong = [r for r, row in zip(corrections, P >= before.thresholds_)
                 if {l for l, hit in zip(before.classes_, row) if hit} != set(r["labels"])][:n]
        after = fit_model(base + [dict(r, source=EDITOR_SOURCE) for r in wrong], seed=seed)
        f1 = [metrics(test, list(m.classes_), m.predict_proba(
            [compose(r["title"], r["text"]) for r in test]), m.thresholds_)["all"]["micro"]["f1"]
            for m in (before, after)]
        rows.append({"fold": k, "corrections": len(wrong), "before": f1[0], "after": f1[1],
                     "delta": round(f1[1] - f1[0], 4)})
    return rows


def evaluate(args: argparse.Namespace) -> int:
    """Score the evaluation corpora and print a language × label table (and JSON with --json)."""
    seed = int(getattr(args, "seed", None) or 0)
    if getattr(args, "corrections_proxy", None):
        extra = [] if getattr(args, "no_starter", False) else load_corpus([STARTER])
        rows = corrections_proxy(load_corpus([_shared_file(args, "dev")]), extra,
                                 load_corpus([args.corrections_proxy]), seed=seed,
                                 repeats=int(getattr(args, "proxy_repeats", 0) or 0))
        print("| dev fold | corrections | micro-F1 before | after | change |\n|---|---|---|---|---|")
        for r in rows:
            print(f"| {r['fold']} | {r['corrections']} | {r['before']:.4f} | {r['after']:.4f} | "
                  f"{r['delta']:+.4f} |")
        deltas = np.array([r["delta"] for r in rows])
        mean = float(deltas.mean())
        stderr = float(deltas.std(ddof=1) / np.sqrt(len(deltas))) if len(deltas) > 1 else 0.0
        print(f"\nmean change {mean:+.4f} ± {stderr:.4f} (standard error, {len(rows)} folds; "
              "issue 8 allows -0.01 on the test set)")
        if getattr(args, "json", None):
            Path(args.json).write_text(json.dumps({"folds": rows, "mean_delta": round(mean, 4),
                                                   "stderr": round(stderr, 4)},
                                                  indent=2) + "\n", encoding="utf-8")
        return 0
    records = load_corpus(args.corpus or [_shared_file(args, "test")])
    if args.retrain_on:
        model = fit_model(load_corpus(args.retrain_on), seed=seed)
        source = "retrained on " + ", ".join(p.name for p in args.retrain_on)
    else:
        root = Path(getattr(args, "models", None) or BUNDLED_DIR)
        tagger = TopicTagger.load(root, getattr(args, "version", None))
        model = tagger.model
        source = f"version {tagger.version}"
    labels = list(model.classes_)
    P = model.predict_proba([compose(r["title"], r["text"]) for r in records])
    result = metrics(records, labels, P, model.thresholds_)
    result["model"] = source
    result["thresholds"] = {l: round(float(t), 4) for l, t in zip(labels, model.thresholds_)}
    print(render_table(result))
    if getattr(args, "json", None):
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


def render_table(result: dict) -> str:
    """Markdown table: one row per language × label, then micro/macro/P@1 rows and calibration."""
    lines = [f"topics — {result['model']}, {result['n_docs']} docs",
             "", "| lang | label | P | R | F1 | support |", "|---|---|---|---|---|---|"]
    blocks = list(result["by_language"].items()) + [("all", result["all"])]
    for lang, block in blocks:
        for label, v in block["labels"].items():
            lines.append(f"| {lang} | {label} | {v['precision']:.3f} | {v['recall']:.3f} | "
                         f"{v['f1']:.3f} | {v['support']} |")
        m = block["micro"]
        lines.append(f"| {lang} | **micro** | {m['precision']:.3f} | {m['recall']:.3f} | "
                     f"**{m['f1']:.3f}** | {m['support']} |")
        lines.append(f"| {lang} | macro-F1 / P@1 | | | {block['macro_f1']:.3f} / "
                     f"{block['p_at_1']:.3f} | {block['n_docs']} docs |")
    cal = result["calibration"]
    lines += ["", f"calibration: ECE {cal['ece']:.4f}", "",
              "| score bin | n | mean score | observed rate |", "|---|---|---|---|"]
    lines += [f"| {b['bin']} | {b['n']} | {b['mean_score']:.3f} | {b['observed']:.3f} |" for b in cal["bins"]]
    return "\n".join(lines)


# ---------------------------------------------------------------- promote / rollback

def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def set_current(root: Path, version: str) -> None:
    """Point the service at `version` (verified first); the previous pointer goes to the history."""
    root = Path(root)
    read_manifest(version_dir(root, version), root=root)
    previous = current_stamp(root)
    if previous == version:
        return
    folder = root / NAME
    if previous:
        with open(folder / HISTORY_FILE, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"version": previous}) + "\n")
    _write_atomic(folder / POINTER_FILE, json.dumps(
        {"version": version, "since": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")}) + "\n")


def promote_version(root: Path, version: str) -> str:
    """Serve `version` from now on; returns it."""
    set_current(root, version)
    return version


def rollback_version(root: Path) -> str:
    """Serve the version that was current before the last promote; returns it."""
    folder = Path(root) / NAME
    history_path = folder / HISTORY_FILE
    history = history_path.read_text(encoding="utf-8").splitlines() if history_path.is_file() else []
    history = [h for h in history if h.strip()]
    if not history:
        raise ArtefactError(f"topics: no earlier version to roll back to in {folder}")
    previous = json.loads(history[-1])["version"]
    read_manifest(version_dir(root, previous), root=root)
    _write_atomic(history_path, "".join(h + "\n" for h in history[:-1]))
    _write_atomic(folder / POINTER_FILE, json.dumps(
        {"version": previous, "since": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
         "rolled_back": True}) + "\n")
    return previous


def list_versions(root: Path) -> list[str]:
    """Version folders present under root/topics, oldest name first."""
    folder = Path(root) / NAME
    return sorted(p.name for p in folder.iterdir() if (p / "manifest.json").is_file()) if folder.is_dir() else []


def configure_promote(parser: argparse.ArgumentParser) -> None:
    """Flags of `newsroom promote topics VERSION`."""
    parser.add_argument("version", help="version folder under <models>/topics to serve")


def _root(args: argparse.Namespace) -> Path:
    return Path(getattr(args, "models", None) or getattr(args, "out", None) or BUNDLED_DIR)


def promote(args: argparse.Namespace) -> int:
    """`newsroom promote topics VERSION`."""
    root = _root(args)
    promote_version(root, args.version)
    print(f"topics: serving {args.version} from {root / NAME}")
    return 0


def configure_rollback(parser: argparse.ArgumentParser) -> None:
    """`newsroom rollback topics` takes no flags of its own."""


def rollback(args: argparse.Namespace) -> int:
    """`newsroom rollback topics`: serve the previously current version again."""
    root = _root(args)
    version = rollback_version(root)
    print(f"topics: rolled back; serving {version} from {root / NAME}")
    return 0

