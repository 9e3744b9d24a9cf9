"""The editors' page without a browser: it is served with local assets only, its strings exist in
en/ru/kk, its map outlines hold the places they claim, and the upload endpoint reads .txt/.docx."""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections import Counter
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest

from service.openapi import openapi_document
from tests.contract import validate_response

SERVICE = Path(__file__).resolve().parent.parent / "service"
STATIC = SERVICE / "static"
TEMPLATE = SERVICE / "templates" / "page.html"
UI_LANGS = ("en", "ru", "kk")
# The one absolute URL allowed in the assets: the SVG namespace name (an identifier, never fetched).
NAMESPACES = {"http://www.w3.org/2000/svg"}


class _Refs(HTMLParser):
    """Collects every URL the page's HTML refers to."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []
        self.data_urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href", "action") and value:
                self.urls.append((tag, value))
            elif name.startswith("data-") and name.endswith("-url") and value:
                self.data_urls.append(value)


def _refs(html: str) -> _Refs:
    parser = _Refs()
    parser.feed(html)
    return parser


def test_page_is_served_with_only_local_assets(client):
    resp = client.get("/")
    assert resp.status_code == 200
    assert resp.mimetype == "text/html"
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp
    refs = _refs(resp.get_data(as_text=True))
    inline = [url for _, url in refs.urls if url.startswith("data:")]  # the icon, in the page
    assets = [url for tag, url in refs.urls if tag in ("script", "link") and url not in inline]
    assets += refs.data_urls
    assert len(assets) >= 4  # script, stylesheet, strings, map
    for url in assets + [url for _, url in refs.urls if url not in inline]:
        assert url.startswith(("/", "#")) and not url.startswith("//"), f"{url} is not on this server"
    for url in assets:
        with client.get(url) as asset:
            assert asset.status_code == 200, url
            assert asset.headers.get("X-Content-Type-Options") == "nosniff"


def test_page_carries_the_topic_models_taxonomy(client, app):
    page = client.get("/").get_data(as_text=True)
    raw = re.search(r'data-topics="([^"]*)"', page).group(1)
    topics = json.loads(unescape(raw))
    served = app.extensions["newsroom.registry"].pipeline.topics.labels()
    assert topics == json.loads(json.dumps(served))
    assert topics, "the page needs the labels to name tags and to add one"
    for topic in topics:
        assert set(topic["display"]) >= set(UI_LANGS) and topic["id"]


@pytest.mark.parametrize("path", sorted(p.name for p in STATIC.iterdir()) + ["../templates/page.html"])
def test_no_asset_fetches_anything_from_elsewhere(path):
    text = (STATIC / path).read_text(encoding="utf-8")
    for url in re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s\"')]*", text):
        assert url in NAMESPACES, f"{path} refers to {url}"
    assert "@import" not in text and "fonts.googleapis" not in text


def _strings() -> dict:
    return json.loads((STATIC / "i18n.json").read_text(encoding="utf-8"))


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def test_every_interface_string_exists_in_english_russian_and_kazakh():
    strings = _strings()
    assert set(strings["languages"]) == set(UI_LANGS)
    english = strings["en"]
    for lang in ("ru", "kk"):
        table = strings[lang]
        assert set(table) == set(english), f"{lang}: missing {set(english) - set(table)}"
        for key, text in table.items():
            assert text.strip(), f"{lang}.{key} is empty"
            assert _placeholders(text) == _placeholders(english[key]), f"{lang}.{key} placeholders"
        translated = sum(table[k] != english[k] for k in english)
        assert translated >= 0.9 * len(english), f"{lang}: only {translated} strings translated"
    kazakh_letters = set("әғқңөұүһі")
    assert sum(any(c in kazakh_letters for c in text) for text in strings["kk"].values()) \
        >= 0.5 * len(english), "the Kazakh table should be written in Kazakh, not Russian"


def test_every_string_the_page_uses_is_in_the_table():
    english = _strings()["en"]
    used = set(re.findall(r'data-i18n(?:-placeholder)?="(\w+)"', TEMPLATE.read_text(encoding="utf-8")))
    script = (STATIC / "page.js").read_text(encoding="utf-8")
    used |= set(re.findall(r'\bt\("(\w*[a-z])"', script))  # "type_" + ... are checked below
    used |= set(re.findall(r'setStatus\("[\w-]+", "(\w+)"', script))
    assert len(used) > 40
    assert used <= set(english), f"missing: {sorted(used - set(english))}"
    # Keys the script builds from the API's values: every value the contract allows has a string.
    schemas = openapi_document()["components"]["schemas"]
    for place_type in schemas["Place"]["properties"]["type"]["enum"]:
        assert f"type_{place_type}" in english
    for qualifier in schemas["Count"]["properties"]["qualifier"]["enum"]:
        assert qualifier is None or f"q_{qualifier}" in english
    for decision in ("accepted", "rejected", "added", "proposed"):
        assert f"status_{decision}" in english
    for lang in UI_LANGS:
        assert f"lang_{lang}" in english


# -- the map --------------------------------------------------------------------------------------
def _inside(lon: float, lat: float, outline: list[list[float]]) -> bool:
    """Even-odd rule: is the point inside the polygon?"""
    inside = False
    for (x1, y1), (x2, y2) in zip(outline, outline[1:] + outline[:1]):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _map() -> dict:
    return json.loads((STATIC / "central-asia.json").read_text(encoding="utf-8"))


def test_map_outlines_lie_in_the_map_and_hold_their_capitals():
    data = _map()
    west, south, east, north = data["bbox"]
    for code, country in data["countries"].items():
        assert set(country["name"]) == set(UI_LANGS)
        assert len(country["outline"]) >= 10
        for lon, lat in country["outline"]:
            assert west <= lon <= east and south <= lat <= north, code
        assert _inside(*country["label"], country["outline"]), f"{code} label is outside it"
    for city in data["cities"]:
        owner = [code for code, c in data["countries"].items()
                 if _inside(city["lon"], city["lat"], c["outline"])]
        assert owner == [city["country"]], f"{city['name']['en']} falls in {owner}"


def test_map_outlines_hold_the_gazetteers_towns(shared_data):
    """The hand-drawn outlines are rough; most real towns must still fall in their own country."""
    data = _map()["countries"]
    total: Counter = Counter()
    inside: Counter = Counter()
    with open(shared_data / "gazetteer" / "central_asia_geonames.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            code = row["country_code"]
            if code in data and row["feature_class"] == "P":
                total[code] += 1
                inside[code] += _inside(float(row["lon"]), float(row["lat"]), data[code]["outline"])
    assert set(total) == set(data)
    for code in data:
        assert inside[code] / total[code] >= 0.85, f"{code}: {inside[code]}/{total[code]}"


# -- the upload endpoint -------------------------------------------------------------------------
RU = "В Бишкеке прошла встреча религиозных лидеров. В ней приняли участие 40 имамов."


def _upload(client, name: str, data: bytes):
    return client.post("/v1/extract-text", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1251"])
def test_text_files_are_read_in_the_newsrooms_encodings(client, encoding):
    resp = _upload(client, "draft.TXT", (RU + "\r\n").encode(encoding))
    assert resp.status_code == 200, resp.get_json()
    validate_response("/v1/extract-text", "post", resp)
    body = resp.get_json()
    assert body["text"] == RU + "\n"
    assert body["format"] == "txt" and body["characters"] == len(RU) + 1


def test_docx_paragraphs_and_tables_are_read_in_order(client):
    data = _docx(["Заголовок", "", RU], table=[["Город", "Имамы"], ["Бишкек", "40"]])
    resp = _upload(client, "draft.docx", data)
    assert resp.status_code == 200, resp.get_json()
    validate_response("/v1/extract-text", "post", resp)
    assert resp.get_json()["text"] == f"Заголовок\n\n{RU}\n\nГород\tИмамы\n\nБишкек\t40"
    assert resp.get_json()["format"] == "docx"


def _error(resp, status: int, code: str) -> str:
    assert resp.status_code == status, resp.get_json()
    body = resp.get_json()
    assert body["error"]["status"] == status and body["error"]["code"] == code
    message = body["error"]["message"]
    assert "Traceback" not in message and len(message) < 300
    return message


@pytest.mark.parametrize("name,data,status,code,says", [
    ("draft.pdf", b"%PDF-1.4", 415, "unsupported_file_type", ".txt or .docx"),
    ("draft.doc", b"\xd0\xcf\x11\xe0", 415, "unsupported_file_type", "draft.doc"),
    ("draft.docx", b"not a zip at all", 400, "unreadable_file", ".docx"),
    ("draft.docx", b"PK\x05\x06" + b"\x00" * 18, 400, "unreadable_file", ".docx"),
    ("draft.txt", b"", 400, "empty_file", "empty"),
    ("draft.txt", b" \n\t\n", 400, "empty_file", "no text"),
])
def test_unreadable_uploads_get_a_plain_reason(client, name, data, status, code, says):
    resp = _upload(client, name, data)
    assert says in _error(resp, status, code)
    validate_response("/v1/extract-text", "post", resp)


def test_an_upload_needs_a_file_in_a_form(client):
    _error(client.post("/v1/extract-text", data={}, content_type="multipart/form-data"),
           400, "file_required")
    _error(client.post("/v1/extract-text", json={"text": "x"}), 415, "file_required")


def test_a_text_over_the_character_limit_is_refused(client, app):
    limit = app.config["MAX_TEXT_CHARS"]
    resp = _upload(client, "long.txt", b"a" * (limit + 1))
    message = _error(resp, 413, "text_too_long")
    assert str(limit) in message and str(limit + 1) in message
    validate_response("/v1/extract-text", "post", resp)


@pytest.fixture()
def small_body_limit(app):
    """The session's app with a 200 kB request-body limit for one test."""
    saved = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 200 * 1024
    yield app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = saved


def test_oversized_files_are_refused_with_their_size(client, small_body_limit):
    page = client.get("/").get_data(as_text=True)
    file_limit = int(re.search(r'data-max-file-bytes="(\d+)"', page).group(1))
    assert file_limit < small_body_limit
    resp = _upload(client, "big.txt", b"a" * (file_limit + 1))
    message = _error(resp, 413, "file_too_large")
    assert "big.txt" in message and "MB" in message
    validate_response("/v1/extract-text", "post", resp)
    _error(_upload(client, "huge.txt", b"a" * (small_body_limit + 1)), 413, "payload_too_large")


def test_a_docx_that_unpacks_to_a_bomb_is_refused(client):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("word/document.xml", "w") as member:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(101):
                member.write(chunk)
    assert out.tell() < 1024 * 1024
    _error(_upload(client, "bomb.docx", out.getvalue()), 413, "unreadable_file")


def test_the_upload_endpoint_is_in_the_contract(client):
    doc = client.get("/v1/openapi.json").get_json()
    op = doc["paths"]["/v1/extract-text"]["post"]
    assert "multipart/form-data" in op["requestBody"]["content"]
    assert {"200", "400", "413", "415"} <= set(op["responses"])
