"""Acceptance on the newsroom's real page of news, analysed item by item through the API."""
from __future__ import annotations

import re

import pytest

# Each expected place with the English spellings that count as right.
EXPECTED_PLACES = {
    "Zhambyl Region": {"Zhambyl Region", "Jambyl Region", "Zhambyl"},
    "Asa": {"Asa"}, "Zhanatas": {"Zhanatas"}, "Karatau": {"Karatau", "Qaratau"},
    "Merke": {"Merke"}, "Kulan": {"Kulan", "Qulan"},
    "Tursunzoda": {"Tursunzoda", "Tursunzade"}, "Khujand": {"Khujand", "Khudzhand"},
    "Konibodom": {"Konibodom", "Kanibadam"}, "Tokmok": {"Tokmok", "Tokmak"},
    "Kara-Balta": {"Kara-Balta"}, "Sokuluk": {"Sokuluk"}, "Syria": {"Syria"},
    "Iraq": {"Iraq"}, "Baghdad": {"Baghdad"},
}
EXPECTED_COUNTS = {(314, "people"), (71, "imam-khatib"), (46, "family")}


@pytest.fixture(scope="module")
def items(example_text):
    """The page's paragraphs (headlines and bodies), as an editor would paste them one by one."""
    return [p.strip() for p in re.split(r"\n\s*\n", example_text) if len(p.strip()) > 30]


@pytest.fixture(scope="module")
def results(client_module, items):
    out = []
    for item in items:
        resp = client_module.post("/v1/analyze", json={"text": item})
        assert resp.status_code == 200, resp.get_json()
        out.append(resp.get_json())
    return out


@pytest.fixture(scope="module")
def client_module(app):
    return app.test_client()


def test_every_item_is_english(results):
    assert all(r["language"]["code"] == "en" for r in results)


def test_every_expected_place_is_found_and_resolved(results):
    found = {(p["name"], p["geonameid"]) for r in results for p in r["places"]}
    names = {name for name, _ in found}
    for wanted, spellings in EXPECTED_PLACES.items():
        assert names & spellings, f"{wanted} not found among {sorted(names)}"
        assert all(gid is not None for name, gid in found if name in spellings), wanted


def test_the_expected_counts_are_found(results):
    counts = {(c["value"], c["what"]) for r in results for c in r["counts"]}
    assert EXPECTED_COUNTS <= counts
