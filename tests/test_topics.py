"""Topic tagger: training writes a verified versioned artefact; tags carry scores, evidence, sentence;
promote/rollback move the serving pointer; the bundled model holds its bar on the shared test split."""
from __future__ import annotations

import argparse
import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from models.errors import ArtefactError, InputError
from models.artefacts import write_manifest
from models.normalize import fold
from models.sentences import split
from models.topics import DISPLAY_NAMES, POINTER_FILE, TopicTagger, compose, current_stamp
from training import topics as T
from training.corpora import read_jsonl, shared_data_dir

STARTER = T.STARTER
SHARED_TEST = shared_data_dir() / "topics" / "test.jsonl"
BUNDLED = Path(__file__).resolve().parent.parent / "models" / "bundled"


def _train_args(root: Path, corpus: list[Path], version: str, **kw) -> argparse.Namespace:
    base = dict(out=str(root), data_dir=str(shared_data_dir()), seed=0, corpus=corpus,
                no_starter=False, heldout=Path("/nonexistent/heldout.jsonl"), display_names=None,
                version=version, no_promote=False)
    base.update(kw)
    return argparse.Namespace(**base)


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    """A models root with one version trained on the starter corpus (the project's own data)."""
    root = tmp_path_factory.mktemp("models")
    assert T.train(_train_args(root, [STARTER], "v1")) == 0
    return root


@pytest.fixture(scope="module")
def tagger(trained) -> TopicTagger:
    return TopicTagger.load(trained)


def test_starter_corpus_covers_languages_and_topics():
    records = list(read_jsonl(STARTER))
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    for lang in ("ru", "kk", "en"):
        mine = [r for r in records if r["lang"] == lang]
        assert len(mine) >= 60
        for label in DISPLAY_NAMES:
            assert sum(label in r["labels"] for r in mine) >= 10
        assert sum(not r["labels"] for r in mine) >= 20  # hard negatives
    for r in records:
        assert r["title"].strip() and 2 <= len(split(r["text"])) <= 5


def test_manifest_records_provenance_thresholds_and_metrics(trained, tagger):
    manifest = json.loads((trained / "topics" / "v1" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == "v1" == tagger.version == current_stamp(trained)
    assert set(manifest["files"]) == {"model.joblib"}
    assert "scikit-learn" in manifest["libraries"]
    td = manifest["training_data"]
    assert len(td["fingerprint"]) == 64 and td["n_docs"] == len(list(read_jsonl(STARTER)))
    assert td["files"][0]["sha256"] and "licence" in td["files"][0]
    labels = {d["label"]: d for d in manifest["labels"]}
    assert set(labels) == set(DISPLAY_NAMES)
    for d in labels.values():
        assert 0.0 < d["threshold"] < 1.0 and d["id"] and set(d["display"]) == {"ru", "kk", "en"}
    cv = manifest["metrics"]["cross_validated"]
    assert set(cv["by_language"]) == {"ru", "kk", "en"}
    assert 0.0 <= cv["calibration"]["ece"] <= 1.0
    info = tagger.info()
    assert info["version"] == "v1" and info["training_data"]["fingerprint"] == td["fingerprint"]


def test_tag_returns_labels_above_threshold_with_evidence_and_sentence(tagger):
    text = ("Суд в Караганде приговорил двух мужчин к восьми годам заключения за вербовку в "
            "международную террористическую организацию. По данным следствия, они распространяли "
            "экстремистские видеоролики и склоняли студентов к выезду в Сирию. Погода в городе "
            "остаётся тёплой.")
    tags = tagger.tag(text, title="Вербовщики террористов осуждены в Караганде", lang="ru")
    assert [t["label"] for t in tags][:1] == ["extremism"]
    scores = [t["score"] for t in tags]
    assert scores == sorted(scores, reverse=True)
    for t in tags:
        assert t["score"] >= t["threshold"]
        assert t["needs_review"] == (abs(t["score"] - t["threshold"]) < tagger.review_margin)
        assert t["id"] == f"topic:{t['label']}"
        assert t["evidence"] and all(e["weight"] > 0 for e in t["evidence"])
        folded = fold("Вербовщики террористов осуждены в Караганде " + text)
        assert all(fold(e["term"]) in folded for e in t["evidence"])
        assert t["sentence"] and t["sentence"] in text
    assert tags[0]["sentence"] != "Погода в городе остаётся тёплой."


def test_ordinary_news_gets_no_tags(tagger):
    assert tagger.tag("The city council approved a new bus route and repairs to two bridges. "
                      "Work will start in May and finish before winter.", title="New bus route",
                      lang="en") == []


def test_near_misses_are_suggestions_kept_apart_from_tags(tagger):
    docs = [{"text": r["text"], "title": r["title"], "lang": r["lang"]}
            for r in list(read_jsonl(STARTER))[::7]]
    tags, suggestions = tagger.tags_and_suggestions(docs)
    assert tags == tagger.tag_many(docs)
    for doc, doc_tags, doc_suggestions in zip(docs, tags, suggestions):
        every = tagger.score_all(doc["text"], title=doc["title"], lang=doc["lang"])
        near = {s["label"] for s in every
                if s["threshold"] - tagger.review_margin < s["score"] < s["threshold"]}
        assert {s["label"] for s in doc_suggestions} == near
        assert not {s["label"] for s in doc_suggestions} & {t["label"] for t in doc_tags}
        for s in doc_suggestions:
            assert s["needs_review"] and s["evidence"] and s["sentence"]


def test_a_tag_just_over_a_raised_threshold_becomes_a_suggestion(tagger):
    text = ("Суд в Караганде приговорил двух мужчин к восьми годам заключения за вербовку в "
            "международную террористическую организацию.")
    [top] = [t for t in tagger.tag(text, lang="ru") if t["label"] == "extremism"]
    j = [l["label"] for l in tagger.labels()].index("extremism")
    saved = tagger.model.thresholds_.copy()
    try:  # the same score, now a little under its label's threshold
        tagger.model.thresholds_ = saved.copy()
        tagger.model.thresholds_[j] = min(top["score"] + tagger.review_margin / 2, 1.0 + 1e-9)
        tags, suggestions = tagger.tags_and_suggestions([{"text": text, "title": "", "lang": "ru"}])
    finally:
        tagger.model.thresholds_ = saved
    assert "extremism" not in {t["label"] for t in tags[0]}
    [moved] = [s for s in suggestions[0] if s["label"] == "extremism"]
    assert moved["needs_review"] and moved["evidence"] and moved["score"] < moved["threshold"]


def test_score_all_and_tag_many_agree_with_tag(tagger):
    docs = [{"text": r["text"], "title": r["title"], "lang": r["lang"]}
            for r in list(read_jsonl(STARTER))[::20]]
    batch = tagger.tag_many(docs)
    assert len(batch) == len(docs)
    for doc, tags in zip(docs, batch):
        assert tags == tagger.tag(doc["text"], title=doc["title"], lang=doc["lang"])
        every = tagger.score_all(doc["text"], title=doc["title"], lang=doc["lang"])
        assert [s["label"] for s in every] == [l["label"] for l in tagger.labels()]
        above = {s["label"] for s in every if s["score"] >= s["threshold"]}
        assert above == {t["label"] for t in tags}
    assert tagger.tag_many([]) == []


def test_bad_input_is_an_input_error(tagger):
    with pytest.raises(InputError):
        tagger.tag(None)  # type: ignore[arg-type]
    with pytest.raises(InputError):
        tagger.tag_many(["just a string"])  # type: ignore[list-item]


def test_labels_have_display_names(tagger):
    labels = tagger.labels()
    assert {l["label"] for l in labels} == set(DISPLAY_NAMES)
    for l in labels:
        assert l["display"] == DISPLAY_NAMES[l["label"]]


def test_training_is_reproducible(tmp_path):
    small = tmp_path / "small.jsonl"
    small.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                             for r in list(read_jsonl(STARTER))[::3]), encoding="utf-8")
    T.train(_train_args(tmp_path / "a", [small], "one"))
    T.train(_train_args(tmp_path / "b", [small], "two"))
    a = TopicTagger.load(tmp_path / "a").model
    b = TopicTagger.load(tmp_path / "b").model
    docs = [compose(r["title"], r["text"]) for r in list(read_jsonl(STARTER))[:30]]
    np.testing.assert_allclose(a.predict_proba(docs), b.predict_proba(docs))
    np.testing.assert_array_equal(a.thresholds_, b.thresholds_)


def test_new_label_from_csv_corpus_falls_back_to_label_name(tmp_path):
    corpus = tmp_path / "mine.csv"
    def is_sport(r: dict) -> bool:
        return any(k in r["text"].lower() for k in ("футбол", "football"))

    rows = [r for i, r in enumerate(read_jsonl(STARTER)) if i % 2 == 0 or is_sport(r)]
    with open(corpus, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["id", "lang", "title", "text", "labels"])
        w.writeheader()
        for r in rows:
            labels = list(r["labels"]) + (["sport"] if is_sport(r) else [])
            w.writerow({**{k: r[k] for k in ("id", "lang", "title", "text")}, "labels": "|".join(labels)})
    T.train(_train_args(tmp_path / "m", [corpus], "custom"))
    tagger = TopicTagger.load(tmp_path / "m")
    sport = [l for l in tagger.labels() if l["label"] == "sport"]
    assert sport == [{"id": "topic:sport", "label": "sport",
                      "display": {"ru": "sport", "kk": "sport", "en": "sport"}}]
    manifest = json.loads((tmp_path / "m" / "topics" / "custom" / "manifest.json").read_text("utf-8"))
    assert {d["label"] for d in manifest["labels"]} == set(DISPLAY_NAMES) | {"sport"}


def test_promote_and_rollback_move_the_pointer(trained, tmp_path):
    root = tmp_path / "models"
    shutil.copytree(trained / "topics", root / "topics")
    shutil.copytree(root / "topics" / "v1", root / "topics" / "v2")
    write_manifest(root / "topics" / "v2", name="topics", version="v2", files=["model.joblib"])
    assert current_stamp(root) == "v1"
    T.promote(argparse.Namespace(models=str(root), version="v2"))
    assert current_stamp(root) == "v2" and TopicTagger.load(root).version == "v2"
    T.rollback(argparse.Namespace(models=str(root)))
    assert current_stamp(root) == "v1" and TopicTagger.load(root).version == "v1"
    with pytest.raises(ArtefactError):
        T.rollback(argparse.Namespace(models=str(root)))  # no earlier version left
    with pytest.raises(ArtefactError):
        T.promote(argparse.Namespace(models=str(root), version="missing"))
    with pytest.raises(InputError):
        T.promote(argparse.Namespace(models=str(root), version="../v1"))
    assert not (root / "topics" / POINTER_FILE).with_suffix(".json.tmp").exists()


def test_altered_model_file_is_refused(trained, tmp_path):
    root = tmp_path / "models"
    shutil.copytree(trained / "topics", root / "topics")
    with open(root / "topics" / "v1" / "model.joblib", "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ArtefactError):
        TopicTagger.load(root)


def test_missing_pointer_is_an_artefact_error(tmp_path):
    with pytest.raises(ArtefactError):
        TopicTagger.load(tmp_path)
    assert current_stamp(tmp_path) == ""


def test_evaluate_writes_language_by_label_json(trained, tmp_path, capsys):
    out = tmp_path / "eval.json"
    args = argparse.Namespace(models=str(trained), data_dir=str(shared_data_dir()), seed=0,
                              corpus=[STARTER], version=None, retrain_on=None, json=str(out))
    assert T.evaluate(args) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert set(result["by_language"]) == {"ru", "kk", "en"}
    for block in result["by_language"].values():
        assert set(block["labels"]) == set(DISPLAY_NAMES)
        assert {"micro", "macro_f1", "p_at_1"} <= set(block)
    assert "| ru | extremism |" in capsys.readouterr().out


def test_reliability_ece_is_zero_for_perfect_scores():
    Y = np.array([[1, 0], [0, 1], [0, 0]])
    assert T.reliability(Y, Y.astype(float))["ece"] == 0.0
    assert T.reliability(Y, 1.0 - Y)["ece"] == 1.0


@pytest.mark.slow
@pytest.mark.skipif(not SHARED_TEST.is_file(), reason="shared topics data not present")
def test_bundled_model_meets_the_issue_bar_on_shared_test():
    """Regression guard for issue #7's bar (micro-F1 >= 0.96, >= 0.94 per language, >= 0.93 per
    label), far above the TF-IDF+LR anchor (micro-F1 0.92 on test; ru 0.88, extremism recall 0.74)."""
    tagger = TopicTagger.load(BUNDLED)
    records = T.load_corpus([SHARED_TEST])
    labels = [l["label"] for l in tagger.labels()]
    P = tagger.model.predict_proba([compose(r["title"], r["text"]) for r in records])
    m = T.metrics(records, labels, P, tagger.model.thresholds_)
    assert m["all"]["micro"]["f1"] >= 0.96
    for lang, block in m["by_language"].items():
        assert block["micro"]["f1"] >= 0.94, lang
    for label, v in m["all"]["labels"].items():
        assert v["f1"] >= 0.93 and v["recall"] >= 0.9, label
    assert m["calibration"]["ece"] <= 0.02


def test_bundled_model_on_independent_probes():
    """180 leads written by two separate sessions from the labelling guideline alone (never seeing
    the code, the corpora or the shared splits; never trained or tuned on): the bundled model
    scored micro-F1 0.951 (probe 1: 0.959, probe 2: 0.943) with precision 0.98. A guard against
    a retrain that fits the shared data but not the beat."""
    tagger = TopicTagger.load(BUNDLED)
    records = T.load_corpus([Path(__file__).resolve().parent / "data" / "topics_probes.jsonl"])
    assert len(records) == 180 and {r["lang"] for r in records} == {"ru", "kk", "en"}
    labels = [l["label"] for l in tagger.labels()]
    P = tagger.model.predict_proba([compose(r["title"], r["text"]) for r in records])
    m = T.metrics(records, labels, P, tagger.model.thresholds_)
    assert m["all"]["micro"]["f1"] >= 0.94 and m["all"]["micro"]["precision"] >= 0.95
    for lang, block in m["by_language"].items():
        assert block["micro"]["f1"] >= 0.92, lang


def test_word_cached_char_features_equal_plain_tfidf():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from models.topics import WordCachedTfidf

    docs = [compose(r["title"], r["text"]) for r in read_jsonl(STARTER)]
    vec = WordCachedTfidf(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
                          lowercase=False, preprocessor=fold).fit(docs[::2])
    cached = vec.transform(docs[1::2] + ["", "  ", "ЁЛКА ёлка Ёлка"])
    plain = TfidfVectorizer.transform(vec, docs[1::2] + ["", "  ", "ЁЛКА ёлка Ёлка"])
    assert cached.shape == plain.shape
    np.testing.assert_allclose(cached.toarray(), plain.toarray(), atol=1e-6)


def test_refreshed_reloads_only_when_the_pointer_moves(trained, tmp_path):
    from models.topics import refreshed

    root = tmp_path / "models"
    shutil.copytree(trained / "topics", root / "topics")
    first = TopicTagger.load(root)
    assert refreshed(first, root) is first
    shutil.copytree(root / "topics" / "v1", root / "topics" / "v9")
    write_manifest(root / "topics" / "v9", name="topics", version="v9", files=["model.joblib"])
    T.promote_version(root, "v9")
    second = refreshed(first, root)
    assert second is not first and second.version == "v9"


def test_cli_promote_and_rollback(trained, tmp_path, capsys):
    from service.cli import main

    root = tmp_path / "models"
    shutil.copytree(trained / "topics", root / "topics")
    shutil.copytree(root / "topics" / "v1", root / "topics" / "v3")
    write_manifest(root / "topics" / "v3", name="topics", version="v3", files=["model.joblib"])
    assert main(["promote", "topics", "v3", "--models", str(root)]) == 0
    assert current_stamp(root) == "v3"
    assert main(["rollback", "topics", "--models", str(root)]) == 0
    assert current_stamp(root) == "v1"
    assert main(["rollback", "topics", "--models", str(root)]) == 2  # nothing earlier: an error, not a crash
    assert "v3" in capsys.readouterr().out


def test_cue_table_has_the_same_groups_in_every_language():
    from models.topics import CUE_GROUPS, TOPIC_CUES

    for lang in ("ru", "kk", "en"):
        assert set(TOPIC_CUES[lang]) == set(CUE_GROUPS), lang
        assert all(stems.split() for stems in TOPIC_CUES[lang].values()), lang


def test_cue_features_are_shared_across_languages():
    """The same cue group fires for the word in ru, kk and en (what lets one language teach another);
    function words fire nothing, and each count enters as weight × log(1 + hits) of fold()ed text."""
    from models.topics import CUE_GROUPS, CueCounts

    cues = CueCounts(weight=0.5).fit([])
    docs = ["Суд осудил за терроризм.", "Сот терроризм үшін соттады.", "Court convicted for terrorism.",
            "и в на the of мен", "Terror, terror, TERROR."]
    X = cues.transform([fold(d) for d in docs]).toarray()  # the classifier folds each document once
    terror = CUE_GROUPS.index("terror")
    assert X.shape == (5, len(CUE_GROUPS))
    assert X[0, terror] == X[1, terror] == X[2, terror] > 0
    assert not X[3].any()
    assert X[4, terror] == pytest.approx(0.5 * np.log1p(3))
    assert cues.build_analyzer()(fold("Репатрианты")) == ["repat"]
    assert cues.build_analyzer()("и") == []


def test_stacked_calibration_is_one_linear_decision_and_platt_remains_an_option():
    """The calibration stacks the out-of-fold logit with the cue log counts; the served score is
    still one linear function of the features, so the evidence weights (`coefficients`) explain it
    exactly. `stack_cues=False` is plain Platt scaling."""
    from models.topics import CUE_GROUPS, TopicClassifier

    records = T.load_corpus([STARTER])
    X = [compose(r["title"], r["text"]) for r in records]
    y = [r["labels"] for r in records]
    groups = [r["group"] for r in records]
    model = TopicClassifier(cv_folds=3).fit(X[::2], y[::2], groups=groups[::2])
    assert model.stack_cues and model.cue_coef_.shape == (len(model.classes_), len(CUE_GROUPS))
    F = model.transform_features(X[1::2])
    slopes = np.array([a for a, _ in model.calibration_])
    intercepts = np.array([est.intercept_[0] for est in model.pipeline_.named_steps["clf"].estimators_])
    shifts = np.array([b for _, b in model.calibration_])
    linear = 1.0 / (1.0 + np.exp(-(slopes * (F @ model.coefficients().T + intercepts) + shifts)))
    np.testing.assert_allclose(model.predict_proba(X[1::2]), linear, atol=1e-4)
    plain = TopicClassifier(cv_folds=3, stack_cues=False).fit(X[::2], y[::2], groups=groups[::2])
    assert plain.cue_coef_ is None and plain.predict_proba(X[:3]).shape == (3, len(plain.classes_))


@pytest.mark.parametrize("stack_cues", [True, False])
def test_editors_corrections_weigh_less_in_the_calibration_only(stack_cues):
    """Documents marked as editors' corrections count `correction_weight` in the calibration and
    its thresholds' fits; the text model and the out-of-fold scores are the same either way."""
    from models.topics import TopicClassifier

    records = T.load_corpus([STARTER])[::2]
    X = [compose(r["title"], r["text"]) for r in records]
    y = [r["labels"] for r in records]
    groups = [r["group"] for r in records]
    marked = [i % 5 == 0 for i in range(len(X))]
    fit = lambda w, c: TopicClassifier(cv_folds=3, stack_cues=stack_cues,  # noqa: E731
                                       correction_weight=w).fit(X, y, groups=groups, corrections=c)
    plain, full, light = fit(0.3, None), fit(1.0, marked), fit(0.3, marked)
    assert plain.calibration_ == full.calibration_
    assert light.calibration_ != plain.calibration_
    np.testing.assert_array_equal(light.oof_scores_, plain.oof_scores_)
    F = plain.transform_features(X[:5])
    np.testing.assert_array_equal(plain.pipeline_.named_steps["clf"].predict_proba(F),
                                  light.pipeline_.named_steps["clf"].predict_proba(F))
    with pytest.raises(InputError):
        TopicClassifier(cv_folds=3).fit(X, y, groups=groups, corrections=marked[:-1])


def test_fit_model_marks_the_stores_corrections_by_their_source(tmp_path):
    """`load_corpus` keeps `source`, and `fit_model` passes the store's corrections (source
    `EDITOR_SOURCE`, as `Store.training_records` writes them) to the calibration's weighting."""
    from models.topics import EDITOR_SOURCE

    records = T.load_corpus([STARTER])[::3]
    corpus = tmp_path / "mixed.jsonl"
    corpus.write_text("".join(json.dumps(dict(r, source=EDITOR_SOURCE if i % 4 == 0 else "archive"),
                                         ensure_ascii=False) + "\n"
                              for i, r in enumerate(records)), encoding="utf-8")
    loaded = T.load_corpus([corpus])
    assert [r["source"] == EDITOR_SOURCE for r in loaded] == [i % 4 == 0 for i in range(len(records))]
    mixed = T.fit_model(loaded, cv_folds=3)
    unmarked = T.fit_model([dict(r, source="archive") for r in loaded], cv_folds=3)
    assert mixed.calibration_ != unmarked.calibration_


def test_cue_counts_match_only_the_groups_they_were_fitted_with():
    """An artefact fitted before a cue group was added keeps its features: the new group neither
    adds a column nor takes matches from the older groups (the regex covers only fitted groups)."""
    from models.topics import CUE_GROUPS, CueCounts

    doc = fold("Организация признана террористической и запрещена в РФ; солдаты задержали боевика.")
    current = CueCounts(weight=1.0).fit([])
    full = current.transform([doc]).toarray()[0]
    assert full[CUE_GROUPS.index("banned")] > 0 and full[CUE_GROUPS.index("military")] > 0
    older = CueCounts(weight=1.0).fit([])
    older.vocabulary_ = {g: i for i, g in enumerate(g for g in CUE_GROUPS if g not in ("banned", "military"))}
    X = older.transform([doc]).toarray()[0]
    assert X.shape == (len(CUE_GROUPS) - 2,)
    # "признана террористической" is one `banned` hit now, but still a `terror` hit for the older model
    assert X[older.vocabulary_["terror"]] > full[CUE_GROUPS.index("terror")] > 0
    assert older.build_analyzer()("солдаты") == [] and current.build_analyzer()("солдаты") == ["military"]


def test_every_bundled_version_answers_get_params():
    """The rollback target was pickled before `stack_cues`/`calibration_C`/`correction_weight`
    existed; it still reports the parameters it was fitted with (plain Platt scaling)."""
    from models.artefacts import BUNDLED_DIR
    from models.topics import TopicTagger

    versions = T.list_versions(BUNDLED_DIR)
    assert len(versions) >= 2  # the serving version and its rollback target
    for version in versions:
        params = TopicTagger.load(version=version).model.get_params()
        assert isinstance(params["stack_cues"], bool) and params["calibration_C"] > 0
        assert 0 < params["correction_weight"] <= 1
    old = TopicTagger.load(version="20261128-064023-9149fc24").model.get_params()
    assert old["stack_cues"] is False and old["correction_weight"] == 1.0


@pytest.mark.slow
def test_proxy_repeats_add_shuffled_grouped_partitions_of_dev():
    """The corrections proxy's extra folds: each repeat is a 5-fold partition of dev that keeps a
    group together, different seeds give different partitions, and the 4 fixed folds come first."""
    records = [{"group": f"g{i // 2}", "lang": ("ru", "kk", "en")[i % 3],
                "labels": ["extremism"] if i % 4 == 0 else []} for i in range(60)]
    splits = T.proxy_splits(records, folds=4, repeats=2, seed=7)
    assert len(splits) == 4 + 2 * 5
    for start in (0, 4, 9):
        part = splits[start:start + (4 if start == 0 else 5)]
        held = np.concatenate([h for _, h in part])
        assert sorted(held.tolist()) == list(range(60))
        for train, h in part:
            assert not {records[i]["group"] for i in train} & {records[i]["group"] for i in h}
    assert [h.tolist() for _, h in splits[4:9]] != [h.tolist() for _, h in splits[9:14]]
    assert [h.tolist() for _, h in T.proxy_splits(records, repeats=1, seed=7)[4:]] == \
        [h.tolist() for _, h in splits[4:9]]


@pytest.mark.timeout(600)
def test_the_recipe_survives_editors_corrections_on_dev(shared_data, capsys):
    """Issue 8's round trip measured on dev folds (no test data): retraining with 50 editors'
    corrections of drafts the model got wrong costs held-out dev quality at most 0.01 on average
    (the kept recipe: +0.004). A weaker signal than the test-set round trip: the stacked
    calibration (C = 1) scores -0.005 here but lost 0.0115 there."""
    from service.cli import main

    corrections = Path(__file__).resolve().parent / "data" / "editor_corrections.jsonl"
    assert main(["evaluate", "topics", "--corrections-proxy", str(corrections),
                 "--data-dir", str(shared_data)]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert len(rows) == 4 and all("| 50 |" in row for row in rows)
    mean = float(out.split("mean change ")[1].split()[0])
    assert mean >= -0.01, out
