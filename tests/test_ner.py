"""The statistical place recogniser: tokens, decoding, the LOC view, the bundled artefact."""
from __future__ import annotations

import json
import shutil

import pytest

from models import ner
from models.artefacts import BUNDLED_DIR
from models.errors import ArtefactError, InputError
from training import ner as train_ner
from training.corpora import shared_data_dir


@pytest.fixture(scope="module")
def recognizer():
    return ner.PlaceRecognizer.load(BUNDLED_DIR)


def _texts(text, spans):
    return [text[s:e] for s, e in spans]


def test_tokenize_keeps_abbreviations_and_hyphenated_names_whole():
    text = "Делегация из U.S. прилетела в Нью-Йорк, т.е. (не) в Усть-Каменогорск."
    words = _texts(text, ner.tokenize(text))
    assert "U.S." in words and "Нью-Йорк" in words and "Усть-Каменогорск" in words
    assert "," in words and "(" in words  # punctuation is kept as context


def test_decode_turns_bio_runs_into_character_spans():
    spans = [(0, 2), (3, 8), (9, 13), (14, 16), (17, 22)]
    assert ner.decode(["O", "B", "I", "O", "B"], spans) == [(3, 13), (17, 22)]
    assert ner.decode(["I", "B", "B", "O", "I"], spans) == [(0, 2), (3, 8), (9, 13), (17, 22)]
    assert ner.decode(["O"] * 5, spans) == []


def test_flat_loc_view_drops_nested_loc_and_optionally_adjectives():
    labels = {"nerel": {"CITY": "LOC", "STATE_OR_PROVINCE": "LOC"}}
    text = "Губернатор Нижегородской области прибыл в нижегородский Кремль"
    rec = {"id": "nerel:x:1:0", "text": text, "entities": [
        {"start": 11, "end": 32, "label": "STATE_OR_PROVINCE"},
        {"start": 11, "end": 24, "label": "CITY"},           # nested inside the region
        {"start": 0, "end": 32, "label": "PROFESSION"},
        {"start": 42, "end": 55, "label": "CITY"},           # lower-case adjective
    ]}
    assert train_ner.flat_loc(rec, labels) == [(11, 32), (42, 55)]
    assert train_ner.flat_loc(rec, labels, names_only=True) == [(11, 32)]
    assert train_ner.flat_loc(rec, labels, top_level=True) == [(42, 55)]


def test_factru_view_drops_lone_adjectives_and_joins_apposed_nouns():
    text = "Российские власти отправили помощь в городе Грозном и в город Германии"
    rec = {"id": "nerel:x:2:0", "text": text, "locs": [(0, 10), (44, 51), (62, 70)]}
    out = train_ner.factru_view([rec])[0]["locs"]
    assert [text[s:e] for s, e in out] == ["городе Грозном", "Германии"]


def test_bio_labels_mark_first_and_inner_tokens():
    text = "Встреча в Нур-Султане и Южном Казахстане"
    spans = ner.tokenize(text)
    labels = train_ner.bio_labels(spans, [(10, 21), (24, 40)])
    assert labels == ["O", "O", "B", "O", "B", "I"]


def test_lexicon_matches_exact_and_inflected_names_at_capitalised_words():
    lex = ner.PlaceLexicon({"шымкент": "B", "южный казахстан": "A", "to": "P"})
    words = ["в", "шымкенте", "и", "южном", "казахстане", "to"]
    caps = [False, True, False, True, True, False]
    tags = lex.tags(words, "ru", caps)
    assert tags[1].startswith("BSB") and tags[3].startswith("BSA") and tags[4] == "ISA"
    assert tags[5] == ""  # lower-case "to" is not the place "To"
    assert lex.tags(["to"], "en", [True])[0].startswith("BEP")


def test_russian_name_grammemes_mark_places_and_people():
    assert "Geox" in ner.ru_name_tags("эритрее").split("+")
    assert "Surn" in ner.ru_name_tags("путина").split("+")
    assert ner.ru_name_tags("мечеть") == "" and ner.ru_name_tags("2019") == ""


def test_word_clusters_round_trip_and_unknown_words_get_no_cluster():
    clusters = ner.WordClusters({"эритрея": ("3", "41"), "гамбия": ("3", "42")}, [8, 64])
    again = ner.WordClusters.from_tsv(clusters.to_tsv())
    assert again.sizes == (8, 64) and again.table == clusters.table
    assert again.get("гамбия") == ("3", "42") and again.get("атлантида") == ("", "")


def test_cluster_features_name_the_token_and_its_neighbours():
    clusters = ner.WordClusters({"в": ("1", "10"), "эритрее": ("3", "41")}, [8, 64])
    text = "в Эритрее"
    feats = ner.token_features(text, ner.tokenize(text), "ru", None, clusters=clusters)
    assert {"k0=3", "k1=41", "-1k0=1", "-1k1=10"} <= set(feats[1])
    assert "1k0=3" in feats[0]
    plain = ner.token_features(text, ner.tokenize(text), "ru", None)
    assert not any(f.startswith(("k0=", "-1k0=")) for f in plain[1])


def test_bundled_russian_model_ships_its_word_clusters(recognizer):
    clusters = recognizer.clusters("ru")
    assert clusters is not None and len(clusters.table) > 100_000
    assert all(clusters.get("бишкек")) and recognizer.clusters("kk") is None
    assert ner.CLUSTERS_FILE in json.loads(
        (BUNDLED_DIR / ner.NAME / "manifest.json").read_text(encoding="utf-8"))["files"]


def test_score_is_exact_span_precision_recall_f1():
    result = train_ner.score([[(0, 5), (7, 9)]], [[(0, 5), (7, 10)]])
    assert result["precision"] == 0.5 and result["recall"] == 0.5 and result["f1"] == 0.5


def test_bundled_artefact_reports_version_and_provenance(recognizer):
    info = recognizer.info()
    assert info["version"] == recognizer.version
    assert set(recognizer.languages) == set(ner.LANGUAGES)
    assert "licence" in info["training_data"]["ru"]
    assert info["training_data"]["en"]["files"] == []  # no CoNLL text behind the English model


@pytest.mark.parametrize("text,lang,place", [
    ("Вчера в Бишкеке прошла встреча имамов по вопросам профилактики экстремизма.", "ru",
     "Бишкеке"),
    ("Делегация из Казахстана посетила мечеть в городе Ош.", "ru", "Казахстана"),
    ("Кеше Шымкентте имамдарға арналған семинар өтті.", "kk", "Шымкентте"),
    ("Түркістан облысындағы мешіттерде дәріс оқылды .", "kk", "Түркістан облысындағы"),
    ("Imams from Kazakhstan met religious scholars in Tashkent on Monday.", "en", "Tashkent"),
])
def test_find_returns_the_place_span(recognizer, text, lang, place):
    found = _texts(text, recognizer.find(text, lang))
    assert place in found or any(place.startswith(f) or f.startswith(place) for f in found), found


def test_find_does_not_tag_text_without_places(recognizer):
    assert recognizer.find("Имамы обсудили проповеди и работу с молодёжью.", "ru") == []
    assert recognizer.find("", "kk") == []


def test_find_many_matches_find_and_checks_lengths(recognizer):
    texts = ["Встреча прошла в Алматы.", "Мешіт Астанада ашылды .", "Talks in Almaty ended."]
    langs = ["ru", "kk", "en"]
    expected = [recognizer.find(t, g) for t, g in zip(texts, langs)]
    assert recognizer.find_many(texts, langs) == expected
    with pytest.raises(InputError):
        recognizer.find_many(texts, ["ru"])


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_a_lone_surrogate_does_not_break_the_tagger(recognizer, lang):
    # JSON can carry "\\ud800"; crfsuite cannot encode it, so find() cleans the text first.
    text = "Встреча прошла в Бишкеке \ud800 и в Таразе." if lang == "ru" else "Кездесу Таразда \udfff өтті."
    spans = recognizer.find(text, lang)
    assert spans and all(text[a:b].strip() and "\ud800" not in text[a:b] for a, b in spans)
    assert recognizer.find_many([text], lang) == [spans]


def test_unknown_language_is_an_input_error(recognizer):
    with pytest.raises(InputError):
        recognizer.find("Bonjour Paris", "fr")


def test_tampered_artefact_is_refused(tmp_path):
    shutil.copytree(BUNDLED_DIR / ner.NAME, tmp_path / ner.NAME)
    path = tmp_path / ner.NAME / ner.LEXICON_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    data["names"]["атлантида"] = "C"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ArtefactError):
        ner.PlaceRecognizer.load(tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("rel,lang,floor", [
    ("kk/test.jsonl", "kk", 0.80), ("ru/factru_test.jsonl", "ru", 0.6),
])
def test_recogniser_quality_on_shared_test_data(recognizer, rel, lang, floor):
    ner_dir = shared_data_dir() / "ner"
    if not (ner_dir / rel).is_file():
        pytest.skip("shared NER data not available")
    labels = train_ner.label_map(ner_dir)
    records = train_ner.load_split(ner_dir, rel, labels, limit=500)
    result = train_ner.evaluate_corpus(recognizer, records, lang)
    assert result["f1"] >= floor, result
