"""Build and evaluate the counts model.

`train` expands the source tables in models/numerals.py (Russian numeral inflections through
pymorphy3, Kazakh case forms of number words) into models/bundled/counts/tables.json and writes
the manifest. `evaluate` scores the extractor on the project's own annotated test set
(tests/data/counts_{ru,kk,en}.jsonl): precision/recall/F1 per language, matching a predicted
count to a gold one by overlapping span + same value, and separately by value + counted noun.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from models import numerals as N
from models.artefacts import fingerprint, write_manifest
from models.normalize import fold

NAME = "counts"
VERSION = "1.1.0"
TABLES = "tables.json"
LANGS = ("ru", "kk", "en")
REPO_ROOT = Path(__file__).resolve().parent.parent
TEST_DIR = REPO_ROOT / "tests" / "data"
# Annotated sets: the main test set, and a batch written after the rules were frozen (session 2),
# kept apart so the figure it gave before the fixes stays comparable.
TEST_SETS = {"counts": "project test set", "counts_heldout2": "held-out batch 2"}


def _ru_forms(words: dict[str, tuple[float, str]]) -> tuple[dict[str, list], list[str]]:
    """Every inflected form of the Russian number words, and the scale forms not valid alone."""
    import pymorphy3

    morph = pymorphy3.MorphAnalyzer()
    forms: dict[str, list] = {}
    not_alone: set[str] = set(N.NOT_ALONE["ru"])
    for lemma, (value, cls) in words.items():
        parse = next((p for p in morph.parse(lemma) if p.normal_form == lemma.replace("е", "е")
                      and p.tag.POS in ("NUMR", "NOUN", "ADJF")), morph.parse(lemma)[0])
        for form in parse.lexeme:
            word = fold(form.word)
            if cls in ("scale", "mult") and "plur" in form.tag:
                not_alone.add(word)
            forms.setdefault(word, [value, cls, ""])
        forms.setdefault(fold(lemma), [value, cls, ""])
    for word in N.EXCLUDED_FORMS["ru"]:
        forms.pop(word, None)
    return forms, sorted(not_alone)


def _kk_forms(words: dict[str, tuple[float, str]]) -> dict[str, list]:
    """Kazakh number words with every case suffix (role = the case), and collective forms."""
    forms: dict[str, list] = {}
    for lemma, (value, cls) in words.items():
        if cls == "coll":
            for ending in N.KK_COLLECTIVE_ENDINGS:
                if " " not in ending:
                    forms[lemma + ending] = [value, cls, ""]
            continue
        forms[lemma] = [value, cls, ""]
        if not set(lemma) & set("аәеиоөұүуыі"):
            # "млн", "млрд": abbreviations take their endings after a hyphen ("2,5 млн-ға жуық")
            for suffix, role in N.KK_CASE_SUFFIXES.items():
                forms.setdefault(f"{lemma}-{suffix}", [value, cls, role])
            continue
        for suffix in N.KK_ORDINAL_SUFFIXES:  # "бесінші", "оныншы": ordinals are not counts
            forms.setdefault(lemma + suffix, [value, cls, "ord"])
        for suffix, role in N.KK_CASE_SUFFIXES.items():
            forms.setdefault(lemma + suffix, [value, cls, role])
    for word in N.EXCLUDED_FORMS["kk"]:
        forms.pop(word, None)
    return forms


def build_tables() -> dict:
    """Expand the source tables into the JSON the extractor loads."""
    tables: dict[str, dict] = {}
    for lang in LANGS:
        words = N.NUMBER_WORDS[lang]
        if lang == "ru":
            forms, not_alone = _ru_forms(words)
        elif lang == "kk":
            forms, not_alone = _kk_forms(words), list(N.NOT_ALONE["kk"])
        else:
            forms = {w: [v, c, ""] for w, (v, c) in words.items()}
            not_alone = list(N.NOT_ALONE["en"])
        for abbr, value in N.SCALE_ABBREVIATIONS[lang].items():
            forms.setdefault(abbr, [value, "scale", ""])
            not_alone.append(abbr)
        digit_suffixes = dict(N.DIGIT_SUFFIXES[lang])
        if lang == "kk":
            digit_suffixes.update(N.KK_CASE_SUFFIXES)
            digit_suffixes.update({s: "ord" for s in N.KK_ORDINAL_SUFFIXES})
        entry = {
            "forms": {k: forms[k] for k in sorted(forms)},
            "not_alone": sorted(set(not_alone)),
            "qual_before": N.QUALIFIERS_BEFORE[lang],
            "qual_after": N.QUALIFIERS_AFTER[lang],
            "digit_suffixes": digit_suffixes,
            "collective_noun": N.COLLECTIVE_NOUN[lang],
            "lemma_overrides": N.LEMMA_OVERRIDES[lang],
            "not_counted": sorted(set(N.NOT_COUNTED[lang])),
            "label_before": sorted(set(N.LABEL_BEFORE[lang])),
            "year_before": sorted(set(N.YEAR_BEFORE[lang])),
            "vague_before": sorted(set(N.VAGUE_BEFORE[lang])),
            "count_nouns": sorted(set(N.COUNT_NOUNS[lang])),
            "ratio_words": sorted(set(N.RATIO_WORDS[lang])),
        }
        if lang == "en":
            entry.update(stop=sorted(set(N.EN_STOP)), irregular=N.EN_IRREGULAR,
                         not_plural_endings=list(N.EN_NOT_PLURAL_ENDINGS),
                         adjective_endings=list(N.EN_ADJECTIVE_ENDINGS))
        if lang == "kk":
            entry.update(stop=sorted(set(N.KK_STOP) | set(N.EXCLUDED_FORMS["kk"])),
                         verb_endings=list(N.KK_VERB_ENDINGS),
                         modifier_endings=list(N.KK_MODIFIER_ENDINGS),
                         locative_endings=list(N.KK_LOCATIVE_ENDINGS),
                         izafet_endings=list(N.KK_IZAFET_ENDINGS),
                         modifier_ok=list(N.KK_MODIFIER_OK),
                         attributive=list(N.KK_ATTRIBUTIVE), person_heads=list(N.KK_PERSON_HEADS),
                         one_nouns=list(N.KK_ONE_NOUNS),
                         person_nouns=sorted(set(N.KK_ONE_NOUNS) | set(N.KK_PERSON_NOUNS)),
                         agent_endings=list(N.KK_AGENT_ENDINGS),
                         relational=sorted(set(N.KK_RELATIONAL_NOUNS)),
                         unit_adj_endings=list(N.KK_UNIT_ADJ_ENDINGS),
                         clause_verb_endings=list(N.KK_CLAUSE_VERB_ENDINGS),
                         adjectives=sorted(set(N.KK_ADJECTIVES)),
                         noun_suffixes=N.KK_NOUN_SUFFIXES,
                         after_poss_only=N.KK_AFTER_POSS_ONLY,
                         nouns=sorted(set(N.KK_NOUNS)), stem_aliases=N.KK_STEM_ALIASES)
        tables[lang] = entry
    return tables


def read_test_set(lang: str, directory: Path = TEST_DIR, name: str = "counts") -> list[dict]:
    """The annotated sentences for one language: {"text", "counts": [{value, what, span, ...}]}."""
    path = Path(directory) / f"{name}_{lang}.jsonl"
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _same_value(a: float, b: float) -> bool:
    return abs(float(a) - float(b)) < 1e-6 * max(1.0, abs(float(b)))


def _overlaps(a: list[int], b: list[int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score(pairs: list[tuple[list[dict], list[dict]]]) -> dict:
    """P/R/F1 for span+value matches and for value+what matches over (predicted, gold) pairs."""
    out = {}
    for mode in ("span_value", "value_what"):
        tp = n_pred = n_gold = 0
        for pred, gold in pairs:
            n_pred += len(pred)
            n_gold += len(gold)
            used: set[int] = set()
            for p in pred:
                for gi, g in enumerate(gold):
                    if gi in used or not _same_value(p["value"], g["value"]):
                        continue
                    if not _overlaps(p["span"], g["span"]):
                        continue
                    if mode == "value_what" and fold(p["what"]) != fold(g["what"]):
                        continue
                    used.add(gi)
                    tp += 1
                    break
        precision = tp / n_pred if n_pred else 1.0
        recall = tp / n_gold if n_gold else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[mode] = {"precision": round(precision, 4), "recall": round(recall, 4),
                     "f1": round(f1, 4), "tp": tp, "predicted": n_pred, "gold": n_gold}
    return out


def evaluate_extractor(extractor, directory: Path = TEST_DIR, name: str = "counts") -> dict:
    """Scores per language on one annotated set, plus the sentences each language has."""
    results = {}
    for lang in LANGS:
        records = read_test_set(lang, directory, name)
        pairs = [(extractor.extract(r["text"], lang), r["counts"]) for r in records]
        results[lang] = {"sentences": len(records), **score(pairs)}
    return results


def configure_train(parser: argparse.ArgumentParser) -> None:
    """No extra flags: the tables are the training data."""


def train(args: argparse.Namespace) -> int:
    """Write models/bundled/counts (tables.json + manifest) from models/numerals.py."""
    out = Path(getattr(args, "out", None) or REPO_ROOT / "models" / "bundled") / NAME
    out.mkdir(parents=True, exist_ok=True)
    tables = build_tables()
    (out / TABLES).write_text(json.dumps(tables, ensure_ascii=False, indent=1, sort_keys=True)
                              + "\n", encoding="utf-8")
    metrics = {}
    try:  # headline metrics on the project's own test set, if it is there
        from models.counts import CountExtractor

        write_manifest(out, name=NAME, version=VERSION, files=[TABLES])
        extractor = CountExtractor.load(out.parent)
        for lang, res in evaluate_extractor(extractor).items():
            metrics[lang] = {k: res["span_value"][k] for k in ("precision", "recall", "f1")}
            metrics[lang]["what_f1"] = res["value_what"]["f1"]
    except FileNotFoundError:
        metrics = {}
    write_manifest(out, name=NAME, version=VERSION, files=[TABLES], training_data={
        "source": "hand-written tables in models/numerals.py (no corpus); Russian numeral "
                  "inflections generated with pymorphy3 (OpenCorpora dictionaries, CC BY-SA)",
        "licence": "MIT (project code and tables)",
        "fingerprint": fingerprint([tables]),
    }, metrics={"test_set": "tests/data/counts_{ru,kk,en}.jsonl (written by the project)",
                **metrics})
    print(f"wrote {out / TABLES} ({sum(len(t['forms']) for t in tables.values())} number forms)")
    return 0


def configure_evaluate(parser: argparse.ArgumentParser) -> None:
    """--test-dir: where the annotated sets live (default tests/data)."""
    parser.add_argument("--test-dir", default=str(TEST_DIR),
                        help="folder with counts_{ru,kk,en}.jsonl and "
                             "counts_heldout2_{ru,kk,en}.jsonl (default tests/data)")


def evaluate(args: argparse.Namespace) -> int:
    """Print P/R/F1 per language (span+value, and value+what) on the project's test set."""
    from models.artefacts import models_dir
    from models.counts import CountExtractor

    root = Path(getattr(args, "models", None) or models_dir())
    extractor = CountExtractor.load(root)
    directory = Path(getattr(args, "test_dir", TEST_DIR))
    print("| set | lang | sentences | gold | P (span+value) | R (span+value) | F1 "
          "| P (value+what) | R (value+what) | F1 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    all_results = {}
    for name, label in TEST_SETS.items():
        if not (directory / f"{name}_{LANGS[0]}.jsonl").exists():
            continue
        results = all_results[name] = evaluate_extractor(extractor, directory, name)
        for lang, res in results.items():
            sv, vw = res["span_value"], res["value_what"]
            print(f"| {label} | {lang} | {res['sentences']} | {sv['gold']} | "
                  f"{sv['precision']:.3f} | {sv['recall']:.3f} | {sv['f1']:.3f} | "
                  f"{vw['precision']:.3f} | {vw['recall']:.3f} | {vw['f1']:.3f} |")
    if getattr(args, "json", None):
        Path(args.json).write_text(json.dumps({"version": extractor.version,
                                               "results": all_results.get("counts", {}),
                                               "sets": all_results},
                                              ensure_ascii=False, indent=2), encoding="utf-8")
    return 0
