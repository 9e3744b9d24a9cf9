"""The gazetteer artefact: hash-checked load, folded keys, Russian case forms, Kazakh endings."""
from __future__ import annotations

import shutil

import joblib
import pytest

from models.artefacts import models_dir
from models.errors import ArtefactError
from models.gazetteer import GAZETTEER_FILE, NAME, Gazetteer, kk_stems, name_key
from training.places import RussianInflector, read_aliases


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load(models_dir())


def test_name_key_folds_case_yo_and_spacing():
    assert name_key("  Алма-Ата ") == "алма-ата"
    assert name_key("Жамбылская   Область") == "жамбылская область"
    assert name_key("Qoʻqon") == name_key("qoʻqon")
    assert name_key("Ёлкино") == "елкино"


@pytest.mark.parametrize("word, stem", [
    ("алматыда", "алматы"), ("бишкектен", "бишкек"), ("қазақстанның", "қазақстан"),
    ("облысында", "облысы"), ("облысындағы", "облысы"), ("астанаға", "астана"),
    ("ресейде", "ресей"), ("шымкенттегі", "шымкент"), ("сириядан", "сирия"),
])
def test_kazakh_endings_are_stripped(word, stem):
    assert stem in [s for s, _ in kk_stems(word)]


def test_kazakh_stems_keep_a_minimum_length():
    assert all(len(stem) >= 3 for stem, _ in kk_stems("аса"))
    assert kk_stems("ада") == []


def test_every_issue_4_surface_names_its_place(gaz):
    for gid, surfaces in ((1528675, ["Бишкек", "Bishkek", "Фрунзе"]),
                          (1526384, ["Алма-Ата", "Almaty", "Алматы", "Alma-Ata"]),
                          (1524444, ["Zhambyl region", "Жамбылской области", "Жамбыл облысы"])):
        for surface in surfaces:
            assert gid in {p.geonameid for p in gaz.lookup(name_key(surface))}, surface


def test_russian_case_forms_are_keys(gaz):
    for form in ("бишкеке", "жамбылской области", "шаартузе", "кара-балты", "токмока",
                 "носири хусрава", "соединенных штатах америки", "москве"):
        assert form in gaz, form


def test_common_words_are_not_keys(gaz):
    for word in ("мир", "the", "and", "онда", "келесі", "may"):
        assert word not in gaz, word


def test_alias_table_places_are_in_the_gazetteer(gaz):
    rows = read_aliases()
    assert len(rows) > 50
    for row in rows:
        if row["kind"] == "alias":
            place = gaz.by_geonameid[int(row["geonameid"])]
            assert place.name == row["name"]
            first = row["surfaces"].split("|")[0]
            assert place in gaz.lookup(name_key(first)), row["name"]


def test_inflector_declines_unknown_central_asian_names():
    inf = RussianInflector()
    assert {"токмока", "токмоке"} <= inf.forms("Токмок")
    assert {"кызылорды", "кызылорде"} <= inf.forms("Кызылорда")
    assert inf.forms("Мерке") == {"мерке"}
    assert "шаартузском районе" in inf.forms("Шаартузский район")
    assert "жамбылской области" in inf.forms("Жамбылская область")


def test_changed_artefact_is_refused(tmp_path):
    src = models_dir() / NAME
    dst = tmp_path / NAME
    shutil.copytree(src, dst)
    data = joblib.load(dst / GAZETTEER_FILE)
    data["keys"]["бишкек"] = 0
    joblib.dump(data, dst / GAZETTEER_FILE)
    with pytest.raises(ArtefactError, match="does not match"):
        Gazetteer.load(tmp_path)


def test_missing_artefact_is_refused(tmp_path):
    with pytest.raises(ArtefactError):
        Gazetteer.load(tmp_path)
