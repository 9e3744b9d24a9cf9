"""The shared sentence splitter on news-style text in ru, kk and en."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.sentences import split, split_spans

CASES = [
    # abbreviations that never end a sentence
    ("Встреча прошла в г. Алматы. Её открыл аким.", ["Встреча прошла в г. Алматы.", "Её открыл аким."]),
    ("Речь идёт о молодёжи, т.е. о студентах. Они пришли.", ["Речь идёт о молодёжи, т.е. о студентах.", "Они пришли."]),
    ("Лекция прошла в КазНУ им. аль-Фараби. Было много вопросов.",
     ["Лекция прошла в КазНУ им. аль-Фараби.", "Было много вопросов."]),
    ("Mr. Smith met Dr. Jones in St. Louis. They spoke.", ["Mr. Smith met Dr. Jones in St. Louis.", "They spoke."]),
    # abbreviations that may end one: only before a sentence opener
    ("Закон принят в 2019 г. Он вступил в силу.", ["Закон принят в 2019 г.", "Он вступил в силу."]),
    ("В 2019 г. Министерство открыло центр.", ["В 2019 г. Министерство открыло центр."]),
    ("Жиын 2023 ж. өтті. Бұл жиынға көп адам келді.", ["Жиын 2023 ж. өтті.", "Бұл жиынға көп адам келді."]),
    ("Кітаптар, журналдар т.б. Олар сыйға тартылды.", ["Кітаптар, журналдар т.б.", "Олар сыйға тартылды."]),
    ("It was held in the U.S. The talks ended.", ["It was held in the U.S.", "The talks ended."]),
    ("The U.S. Embassy said so. Nobody came.", ["The U.S. Embassy said so.", "Nobody came."]),
    ("Они купили 60 млн. тенге. Это много.", ["Они купили 60 млн. тенге.", "Это много."]),
    # initials
    ("Н.А. Назарбаев выступил. Затем слово взял А. Иванов.",
     ["Н.А. Назарбаев выступил.", "Затем слово взял А. Иванов."]),
    ("Летом 2008г. В.Кулишов занял пост. Он работал.", ["Летом 2008г. В.Кулишов занял пост.", "Он работал."]),
    ("Statement by J. R. Smith was read. It was short.", ["Statement by J. R. Smith was read.", "It was short."]),
    # quotes and attributions
    ("«Куда идти?» — спросил он. Никто не ответил.", ["«Куда идти?» — спросил он.", "Никто не ответил."]),
    ("«Бұл маңызды», – деді ол. Жиын аяқталды.", ["«Бұл маңызды», – деді ол.", "Жиын аяқталды."]),
    ('He said: "We will win." The crowd cheered!', ['He said: "We will win."', "The crowd cheered!"]),
    # dates and numbers
    ("Встреча состоялась 07.05.2019 в Бишкеке. Пришли 314 человек.",
     ["Встреча состоялась 07.05.2019 в Бишкеке.", "Пришли 314 человек."]),
    ("Prices rose 3.5% in Jan. 2005. Analysts agreed.", ["Prices rose 3.5% in Jan. 2005.", "Analysts agreed."]),
    # numbered lists, headings, bylines, datelines
    ("Задачи:\n1. Провести встречи. 2. Обучить имамов.\n3. Подвести итоги.",
     ["Задачи:", "1. Провести встречи.", "2. Обучить имамов.", "3. Подвести итоги."]),
    ("Dialogue meetings in Zhambyl\n\nThe events were attended by 314 people.",
     ["Dialogue meetings in Zhambyl", "The events were attended by 314 people."]),
    ("в США, 2013 г.\nСингапурский боец выступил.", ["в США, 2013 г.", "Сингапурский боец выступил."]),
    # missing space after a period, but not inside brand names
    ("Он работал.Затем ушёл.", ["Он работал.", "Затем ушёл."]),
    ("Такси «Яндекс.Такси» работает. Всё.", ["Такси «Яндекс.Такси» работает.", "Всё."]),
    # a hard-wrapped line goes on
    ("The text is wrapped\nin the middle. Next.", ["The text is wrapped\nin the middle.", "Next."]),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_news_sentences(text: str, expected: list[str]) -> None:
    assert split(text) == expected


def _check_spans(text: str) -> None:
    spans = split_spans(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert not text[start].isspace() and not text[end - 1].isspace()
        previous_end = end
    covered = set()
    for start, end in spans:
        covered.update(range(start, end))
    lost = [i for i, ch in enumerate(text) if ch.isalnum() and i not in covered]
    assert not lost, f"characters outside every sentence: {[text[i] for i in lost]}"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("аБв әҚ xY. ?!…\n«»\"—-1г") + ["т.е. ", "Mr. ", " 2019 г. "]),
                max_size=60).map("".join))
def test_spans_cover_all_words_in_order(text: str) -> None:
    _check_spans(text)


def test_example_page_headings_are_sentences(example_text: str) -> None:
    sentences = split(example_text)
    assert "IWPR Conducted Dialogue Meetings and Intellectual Games on Religion in the Zhambyl Region" in sentences
    assert any(s.startswith("The events were attended by 314 people") for s in sentences)
    _check_spans(example_text)


@pytest.mark.slow
def test_news_corpora_split_without_losing_text(shared_data) -> None:
    """Every topics/dev text: spans are well-formed and no sentence ends on a title abbreviation."""
    with open(shared_data / "topics" / "dev.jsonl", encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh if line.strip()]
    for text in texts:
        _check_spans(text)
        for sentence in split(text):
            assert not sentence.endswith((" Mr.", " г-н.", " им.", " ул.", " т.е.")), sentence
