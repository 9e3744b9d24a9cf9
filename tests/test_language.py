"""Language detector: real sentences written for these tests, edge cases, and the langid bar."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.artefacts import models_dir
from models.errors import ArtefactError, InputError
from models.language import LanguageDetector, lexicon_counts, prepare, slug_words
from models.normalize import fold, strip_kazakh
from training.corpora import shared_data_dir


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector.load(models_dir())


SENTENCES = [
    ("kk", "Облыс әкімі жаңа мешіттің ашылу салтанатына қатысып, жамағатты құттықтады."),
    ("kk", "Оралмандардың балалары биыл алғаш рет мектеп табалдырығын аттады."),
    ("kk", "Жиында діни сауаттылықты арттыру мәселесі талқыланды"),
    ("kk", "ТҮРКІСТАНДА ИМАМДАРҒА АРНАЛҒАН СЕМИНАР ӨТТІ"),
    ("ru", "Глава области принял участие в открытии новой мечети и поздравил прихожан."),
    ("ru", "Дети репатриантов впервые пошли в школу в этом году."),
    ("ru", "В АЛМАТЫ ОБСУДИЛИ ПРОФИЛАКТИКУ ЭКСТРЕМИЗМА"),
    ("ru", "Что случилось вчера вечером?"),
    ("en", "The regional governor attended the opening of a new mosque and greeted worshippers."),
    ("en", "Children of returnees went to school for the first time this year."),
    ("en", "IMAMS COMPLETE TRAINING ON COUNTERING EXTREMISM"),
    ("ky", "Бишкекте жаңы мектеп ачылды, балдар абдан кубанышта болушту."),
    ("ky", "Кыргызстандын өкмөтү айыл чарбасын колдоо боюнча жаңы программаны кабыл алды."),
    ("uk", "Уряд України ухвалив нову програму підтримки сільського господарства."),
    ("fr", "Le gouvernement a présenté hier soir une nouvelle réforme des retraites."),
    ("de", "Die Regierung hat gestern Abend eine neue Rentenreform vorgestellt."),
    ("el", "Η κυβέρνηση παρουσίασε χθες μια νέα μεταρρύθμιση."),
    ("tr", "Hükümet dün akşam yeni bir emeklilik reformu açıkladı."),
    ("id", "Pemerintah mengumumkan program baru untuk membantu para petani di desa."),
    ("uz", "Prezident va hukumat vakillari yangi qonun loyihasi bilan tanishib chiqdi."),
    ("zh", "政府昨天宣布了一项新的养老金改革。"),
]


@pytest.mark.parametrize("lang,text", SENTENCES)
def test_detects_language_of_written_sentences(detector, lang, text):
    res = detector.detect(text)
    assert res["code"] == lang, res
    assert 0.0 <= res["score"] <= 1.0


@pytest.mark.parametrize("text", [
    "", "   ", "12345", "2019-10-12 14:30", "+7 (701) 123-45-67", "https://example.com/a/b?x=1&y=2",
    "www.tengrinews.kz", "info@example.kz", "@newsroom_kz", "100 %", "— … !!!",
])
def test_says_und_for_text_without_words(detector, text):
    res = detector.detect(text)
    assert res == {"code": "und", "score": 0.0, "parts": []}


def test_urls_emails_and_latin_names_do_not_outvote_kazakh(detector):
    text = ("Толығырақ мына сілтеме арқылы оқыңыз: https://www.example.org/news/2024/10/interfaith"
            "-dialogue-astana?utm_source=telegram&utm_medium=social, сұрақтарыңызды "
            "press@example.kz поштасына жіберіңіз (John Smith, Maria Garcia).")
    res = detector.detect(text)
    assert res["code"] == "kk"
    assert [p["code"] for p in res["parts"]] == ["kk"]


def test_single_language_text_has_one_part_spanning_it(detector):
    text = "  Мешітте жұма намазы өтті. Жамағат елдің амандығын тіледі.\n"
    res = detector.detect(text)
    assert res["code"] == "kk"
    assert len(res["parts"]) == 1
    start, end = res["parts"][0]["span"]
    assert text[start:end] == text.strip()


def test_mixed_text_gets_majority_language_and_parts_with_spans(detector):
    kk1 = "Кездесуде сарапшылар діни экстремизмнің алдын алу жолдарын егжей-тегжейлі талқылады."
    ru = "«Мы должны работать вместе с семьями, школами и местными общинами»."
    kk2 = ("Сондай-ақ жиын соңында қатысушылар бірлескен мәлімдеме қабылдап, жұмысты "
           "жалғастыруға уәде берді.")
    text = f"{kk1} {ru} {kk2}"
    res = detector.detect(text)
    assert res["code"] == "kk"
    codes = [p["code"] for p in res["parts"]]
    assert codes == ["kk", "ru", "kk"]
    ru_part = res["parts"][1]
    assert text[ru_part["span"][0]:ru_part["span"][1]] == ru


def test_english_sentence_inside_russian_text_is_a_part(detector):
    ru = ("Представитель министерства рассказал журналистам о ходе реабилитации женщин и детей, "
          "вернувшихся на родину в прошлом году.")
    en = "We are very grateful to everyone who helped us come home."
    text = f"{ru} {en}"
    res = detector.detect(text)
    assert res["code"] == "ru"
    assert [p["code"] for p in res["parts"]] == ["ru", "en"]
    assert text[slice(*res["parts"][1]["span"])] == en


@pytest.mark.parametrize("text", [
    "Облыс әкімі жаңа мешіттің ашылу салтанатына қатысып, жамағатты құттықтады.",
    "Бүгін ауа райы жақсы болады деп күтілуде.",
])
def test_kazakh_typed_without_kazakh_letters_is_still_kazakh(detector, text):
    stripped = strip_kazakh(text)
    assert stripped != text and len(stripped) == len(text)
    assert detector.detect(stripped)["code"] == "kk"


def test_batch_matches_one_by_one_and_is_deterministic(detector):
    texts = [t for _, t in SENTENCES] + ["12345", "", "Мешітте жұма намазы өтті. We prayed."]
    batch = detector.detect_many(texts)
    assert batch == [detector.detect(t) for t in texts]
    assert batch == detector.detect_many(texts)
    assert detector.detect_many([]) == []


def test_lone_surrogates_and_control_characters_do_not_break_detection(detector):
    text = "Мешітте жұма намазы өтті\ud800, жамағат\x00 елдің амандығын\x07 тіледі."
    res = detector.detect(text)
    assert res["code"] == "kk"
    assert res["parts"][0]["span"] == [0, len(text)]


def test_rejects_non_list_input(detector):
    with pytest.raises(InputError):
        detector.detect_many("one string, not a list")  # type: ignore[arg-type]


def test_info_reports_version_training_data_and_metrics(detector):
    info = detector.info()
    assert info["version"] == detector.version
    assert info["training_data"]["fingerprint"]
    assert info["training_data"]["licence"]
    assert "cv_dev" in info["metrics"]


def test_tampered_artefact_is_refused(tmp_path):
    root = tmp_path / "models"
    shutil.copytree(models_dir() / "language", root / "language")
    model = root / "language" / "model.joblib"
    model.write_bytes(model.read_bytes()[:-1] + bytes([model.read_bytes()[-1] ^ 1]))
    with pytest.raises(ArtefactError):
        LanguageDetector.load(root)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_fold_and_prepare_keep_length(text):
    assert len(fold(text)) == len(text)
    assert len(prepare(text)) == len(text)


def test_fold_maps_homoglyphs_and_look_alike_letters():
    # Latin "a", "o", "c" typed inside a Cyrillic word, and a Latin schwa for "ә"
    assert fold("Қaзaқстaн") == "қазақстан"
    assert fold("Ǝлем") == "әлем"
    assert fold("Ёлка") == "елка"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=60), max_size=6))
def test_detect_many_never_fails_and_spans_are_in_range(texts):
    det = _shared_detector()
    for text, res in zip(texts, det.detect_many(texts)):
        assert set(res) == {"code", "score", "parts"}
        for part in res["parts"]:
            start, end = part["span"]
            assert 0 <= start < end <= len(text)


_DET: list[LanguageDetector] = []


def _shared_detector() -> LanguageDetector:
    if not _DET:
        _DET.append(LanguageDetector.load(models_dir()))
    return _DET[0]


LANGID = shared_data_dir() / "langid"


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.slow
@pytest.mark.skipif(not (LANGID / "test.jsonl").is_file(), reason="shared langid data not present")
def test_langid_test_split_meets_the_accuracy_bar(detector):
    from training.language import bar_metrics, mixed_accuracy

    records = _read_jsonl(LANGID / "test.jsonl")
    mixed = _read_jsonl(LANGID / "mixed.jsonl")
    metrics = bar_metrics(records, detector.detect_many([r["text"] for r in records]))
    assert metrics["macro_f1_lookalikes_fp"] >= 99.5
    assert metrics["min_cell"] >= 99.0, metrics["cells"]
    assert metrics["lookalikes_to_kk"] <= 0.5
    assert mixed_accuracy(mixed, detector.detect_many([r["text"] for r in mixed])) >= 97.0


def test_models_dir_holds_the_language_artefact():
    assert (Path(models_dir()) / "language" / "manifest.json").is_file()


# ---------------------------------------------------------------- URL ruling (README: "Lone URLs")
@pytest.mark.parametrize("text", [
    "https://www.example.org/", "http://news.example.kz/2024/10/15/",
    "www.example.com/photos/abc123/", "https://example.com/ru/page.html",
])
def test_lone_url_without_a_phrase_in_its_path_is_und(detector, text):
    assert detector.detect(text) == {"code": "und", "score": 0.0, "parts": []}


def test_lone_url_whose_path_is_an_english_phrase_is_english_with_a_low_score(detector):
    text = ("https://www.example.org/news/2024/10/"
            "imams-complete-training-on-countering-extremism.html")
    res = detector.detect(text)
    assert res["code"] == "en"
    assert 0.0 < res["score"] <= 0.5
    assert [p["span"] for p in res["parts"]] == [[0, len(text)]]


def test_slug_words_reads_only_the_path_of_a_lone_url():
    assert slug_words("https://example.org/news/interfaith-dialogue_held.php?utm_source=x") == [
        "news", "interfaith", "dialogue", "held"]
    assert slug_words("https://example.org/a/b/c1/x2y") == []
    assert slug_words("see https://example.org/news/interfaith-dialogue-held") == []


# ---------------------------------------------------------------- dictionary coverage
def test_lexicon_counts_lower_case_words_and_a_capitalised_first_word():
    assert lexicon_counts("Сегодня в мечети прошла встреча с Джоном Смитом.", "ru") == (6, 0)
    known, unknown = lexicon_counts("Днес времето е хубаво и слънчево.", "ru")
    assert unknown >= 3
    assert lexicon_counts("Встреча с Массимо Бузаккой прошла", "ru") == (3, 0)  # names left out
    assert lexicon_counts("В АЛМАТЫ ОБСУДИЛИ ПРОФИЛАКТИКУ ЭКСТРЕМИЗМА", "ru") == (4, 0)
    assert lexicon_counts("Победа в 47-й игре", "ru") == (3, 0)  # "-й" after a number is no word
    assert lexicon_counts("Concert in Almaty", "ru") == (0, 0)


@pytest.mark.parametrize("lang,text", [
    ("ru", "Да, это было в прошлом году."),
    ("ru", "Цена на нефть Brent упала ниже $30"),
    ("ru", "Матч показал телеканал Setanta Sports."),
    ("ru", "Все они вернулись домой."),
    ("bg", "Днес времето е хубаво и слънчево."),
    ("bg", "Всички се върнаха у дома."),
    ("uk", "Сьогодні в нас гарна погода."),
    ("uk", "Усі вони повернулися додому."),
])
def test_short_russian_is_told_from_bulgarian_and_ukrainian(detector, lang, text):
    assert detector.detect(text)["code"] == lang


def test_latin_names_inside_a_cyrillic_line_cast_no_vote(detector):
    plain = detector.detect("Концерт группы прошёл в столице.")
    named = detector.detect("Концерт группы The Rolling Stones прошёл в столице.")
    assert plain["code"] == named["code"] == "ru"
