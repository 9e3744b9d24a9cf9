"""The API contract v1: every endpoint, the one error shape, and OpenAPI validation of responses."""
from __future__ import annotations

import jsonschema
import pytest

from service.openapi import openapi_document
from tests.contract import EN, KK, RU, validate_response

def test_openapi_document_is_valid_31(client):
    resp = client.get("/v1/openapi.json")
    assert resp.status_code == 200
    doc = resp.get_json()
    assert doc["openapi"].startswith("3.1")
    for schema in doc["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_every_route_is_in_the_contract(app):
    documented = set(openapi_document()["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/v1/"):
            path = rule.rule.replace("<", "{").replace(">", "}")
            path = path.replace("{path:", "{").replace("{int:", "{")
            assert path in documented, f"{rule.rule} is served but not documented"


@pytest.mark.parametrize("path", ["/v1/health", "/v1/ready", "/v1/version"])
def test_operational_endpoints(client, path):
    resp = client.get(path)
    assert resp.status_code == 200
    validate_response(path, "get", resp)
    body = resp.get_json()
    assert set(body["models"]) == {"language", "topics", "places", "counts", "summary"}


def test_version_reports_fingerprints_and_metrics(client):
    body = client.get("/v1/version").get_json()
    for name, info in body["details"].items():
        assert info["version"] == body["models"][name]
        assert "training_data" in info and "metrics" in info


@pytest.mark.parametrize("text,lang", [(EN, "en"), (RU, "ru"), (KK, "kk")])
def test_analyze_all_parts_in_each_language(client, text, lang):
    resp = client.post("/v1/analyze", json={"text": text, "id": f"doc-{lang}"})
    assert resp.status_code == 200, resp.get_json()
    validate_response("/v1/analyze", "post", resp)
    body = resp.get_json()
    assert body["id"] == f"doc-{lang}"
    assert body["language"]["code"] == lang
    assert body["places"], "every test text names a place"
    assert body["counts"], "every test text has a count"
    assert body["summary"] and all(s in text for s in body["summary"])
    for place in body["places"]:
        for start, end in place["spans"]:
            assert text[start:end] in place["surface"]
    for count in body["counts"]:
        start, end = count["span"]
        assert text[start:end] == count["text"]


def test_analyze_finds_the_expected_facts(client):
    body = client.post("/v1/analyze", json={"text": EN}).get_json()
    values = {(c["value"], c["what"]) for c in body["counts"]}
    assert (71, "imam-khatib") in values
    assert any(v == 314 for v, _ in values)
    names = {p["name"] for p in body["places"]}
    assert {"Khujand", "Bishkek"} <= names


@pytest.mark.parametrize("part", ["language", "topics", "places", "counts", "summary"])
def test_single_part_endpoints_return_only_that_part(client, part):
    resp = client.post(f"/v1/{part}", json={"text": RU})
    assert resp.status_code == 200
    validate_response(f"/v1/{part}", "post", resp)
    body = resp.get_json()
    present = {k for k in ("language", "topics", "places", "counts", "summary") if k in body}
    assert present == {part}


def test_parts_limits_the_work(client):
    body = client.post("/v1/analyze", json={"text": EN, "parts": ["counts", "places"]}).get_json()
    assert "counts" in body and "places" in body
    assert "topics" not in body and "summary" not in body


def test_lang_override_and_summary_length(client):
    body = client.post("/v1/analyze", json={"text": EN, "lang": "en", "summary_sentences": 1}).get_json()
    assert body["language"]["code"] == "en"
    assert len(body["summary"]) == 1


def test_batch_keeps_order_and_isolates_bad_documents(client):
    docs = [{"id": "a", "text": EN}, {"id": "b", "text": ""}, {"id": "c", "text": KK},
            "not an object", {"id": "e", "text": RU, "lang": "xx"}]
    resp = client.post("/v1/analyze/batch", json={"documents": docs, "parts": ["language"]})
    assert resp.status_code == 200
    validate_response("/v1/analyze/batch", "post", resp)
    results = resp.get_json()["results"]
    assert [r.get("id") for r in results] == ["a", "b", "c", None, "e"]
    assert results[0]["language"]["code"] == "en"
    assert results[1]["error"]["code"] == "text_required"
    assert results[2]["language"]["code"] == "kk"
    assert results[3]["error"]["code"] == "invalid_document"
    assert results[4]["error"]["code"] == "invalid_field"


def test_batch_of_64_is_accepted(client):
    docs = [{"id": str(i), "text": EN} for i in range(64)]
    resp = client.post("/v1/analyze/batch", json={"documents": docs, "parts": ["counts"]})
    assert resp.status_code == 200
    assert len(resp.get_json()["results"]) == 64


BAD_INPUTS = [
    ({"title": "x"}, 400, "text_required"),
    ({"text": ""}, 400, "text_required"),
    ({"text": "   "}, 400, "text_required"),
    ({"text": 42}, 400, "text_required"),
    ({"text": None}, 400, "text_required"),
    ({"text": "ok", "title": 5}, 400, "invalid_field"),
    ({"text": "ok", "lang": "de"}, 400, "invalid_field"),
    ({"text": "ok", "id": ["x"]}, 400, "invalid_field"),
    ({"text": "ok", "summary_sentences": "3"}, 400, "invalid_field"),
    ({"text": "ok", "summary_sentences": True}, 400, "invalid_field"),
    ({"text": "ok", "parts": ["places", "weather"]}, 400, "unknown_parts"),
    ({"text": "ok", "parts": "places"}, 400, "invalid_field"),
]


@pytest.mark.parametrize("body,status,code", BAD_INPUTS)
def test_bad_inputs_get_the_error_shape(client, body, status, code):
    resp = client.post("/v1/analyze", json=body)
    assert resp.status_code == status
    validate_response("/v1/analyze", "post", resp)
    assert resp.get_json()["error"] == {"status": status, "code": code,
                                        "message": resp.get_json()["error"]["message"]}
    assert resp.get_json()["error"]["message"]


@pytest.mark.parametrize("raw,code", [
    (b"", "body_required"),
    (b"not json", "invalid_json"),
    (b"[1, 2]", "invalid_json"),
    (b'"text"', "invalid_json"),
    (b'{"text": "\xff\xfe bad"}', "invalid_utf8"),
    (b"[" * 100_000 + b"]" * 100_000, "invalid_json"),
])
def test_malformed_bodies(client, raw, code):
    resp = client.post("/v1/analyze", data=raw, content_type="application/json")
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == code


def test_text_over_the_limit_is_413(client, app):
    limit = app.config["MAX_TEXT_CHARS"]
    resp = client.post("/v1/analyze", json={"text": "а" * (limit + 1)})
    assert resp.status_code == 413
    assert resp.get_json()["error"]["code"] == "text_too_long"


def test_body_over_the_byte_limit_is_413(client, app):
    resp = client.post("/v1/analyze", data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
                       content_type="application/json")
    assert resp.status_code == 413
    assert resp.get_json()["error"]["code"] == "payload_too_large"


def test_batch_over_the_limit(client, app):
    docs = [{"text": "x"}] * (app.config["MAX_BATCH"] + 1)
    resp = client.post("/v1/analyze/batch", json={"documents": docs})
    assert resp.status_code == 413
    assert resp.get_json()["error"]["code"] == "batch_too_large"


@pytest.mark.parametrize("body", [{}, {"documents": []}, {"documents": "x"}])
def test_batch_needs_documents(client, body):
    resp = client.post("/v1/analyze/batch", json=body)
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == "documents_required"


def test_unknown_path_and_method_use_the_error_shape(client):
    resp = client.get("/v1/nothing-here")
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"
    resp = client.get("/v1/analyze")
    assert resp.status_code == 405 and resp.get_json()["error"]["code"] == "method_not_allowed"


def test_every_json_response_names_models_and_timing(client):
    for resp in (client.get("/v1/health"), client.post("/v1/analyze", json={"text": EN}),
                 client.post("/v1/analyze", json={})):
        body = resp.get_json()
        assert isinstance(body["timing_ms"], float) and body["timing_ms"] >= 0
        assert "models" in body
