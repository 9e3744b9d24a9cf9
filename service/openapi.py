"""The OpenAPI 3.1 document: the API contract that search tools and the CMS rely on.

Schemas are JSON Schema 2020-12 (OpenAPI 3.1), so tests validate every response with
`jsonschema` directly against `openapi_document()`.
"""
from __future__ import annotations

import copy
from typing import Any

from models.pipeline import LANGUAGES, PARTS

_NUM = {"type": "number"}
_STR = {"type": "string"}
_SPAN = {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 2, "maxItems": 2}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {
            "type": "object", "required": ["status", "code", "message"],
            "properties": {"status": {"type": "integer"}, "code": _STR, "message": _STR},
        }},
    },
    "Models": {"type": "object", "additionalProperties": _STR},
    "AnalyzeRequest": {
        "type": "object", "required": ["text"],
        "properties": {
            "text": {"type": "string", "minLength": 1},
            "title": _STR,
            "id": {"type": ["string", "integer"]},
            "lang": {"enum": list(LANGUAGES)},
            "parts": {"type": "array", "items": {"enum": list(PARTS)}},
            "summary_sentences": {"type": "integer", "minimum": 1, "maximum": 50},
            "summary_chars": {"type": "integer", "minimum": 1},
        },
    },
    "BatchRequest": {
        "type": "object", "required": ["documents"],
        "properties": {
            "documents": {"type": "array", "minItems": 1,
                          "items": {"$ref": "#/components/schemas/AnalyzeRequest"}},
            "parts": {"type": "array", "items": {"enum": list(PARTS)}},
        },
    },
    "Language": {
        "type": "object", "required": ["code", "score"],
        "properties": {
            "code": _STR, "score": _NUM,
            "parts": {"type": "array", "items": {
                "type": "object", "required": ["code", "span"],
                "properties": {"code": _STR, "score": _NUM, "span": _SPAN}}},
        },
    },
    "Topic": {
        "type": "object", "required": ["label", "score", "evidence"],
        "properties": {
            "label": _STR, "id": _STR, "score": _NUM, "threshold": _NUM,
            "needs_review": {"type": "boolean"},
            "evidence": {"type": "array"},
            "sentence": {"type": ["string", "null"]},
        },
    },
    "Place": {
        "type": "object",
        "required": ["name", "type", "country", "geonameid", "lat", "lon", "mentions", "spans", "surface"],
        "properties": {
            "name": _STR,
            "type": {"enum": ["country", "region", "district", "city", "village", "other"]},
            "country": {"type": ["string", "null"]},
            "geonameid": {"type": ["integer", "null"]},
            "lat": {"type": ["number", "null"]}, "lon": {"type": ["number", "null"]},
            "mentions": {"type": "integer", "minimum": 1},
            "spans": {"type": "array", "items": _SPAN},
            "surface": {"type": "array", "items": _STR},
        },
    },
    "Count": {
        "type": "object", "required": ["value", "qualifier", "what", "text", "span"],
        "properties": {
            "value": _NUM,
            "qualifier": {"enum": [None, "approx", "more_than", "less_than", "up_to"]},
            "what": {"type": ["string", "null"]}, "text": _STR, "span": _SPAN,
        },
    },
    "Result": {
        "type": "object", "required": ["id"], "not": {"required": ["error"]},
        "properties": {
            "id": _STR,
            "language": {"$ref": "#/components/schemas/Language"},
            "topics": {"type": "array", "items": {"$ref": "#/components/schemas/Topic"}},
            "topic_suggestions": {
                "description": "labels just under their threshold (needs_review): for editors, not "
                               "for filing",
                "type": "array", "items": {"$ref": "#/components/schemas/Topic"}},
            "places": {"type": "array", "items": {"$ref": "#/components/schemas/Place"}},
            "counts": {"type": "array", "items": {"$ref": "#/components/schemas/Count"}},
            "summary": {"type": "array", "items": _STR},
            "timing_ms_parts": {"type": "object", "additionalProperties": _NUM},
        },
    },
    "AnalyzeResponse": {
        "allOf": [{"$ref": "#/components/schemas/Result"}],
        "type": "object", "required": ["id", "models", "timing_ms"],
        "properties": {"models": {"$ref": "#/components/schemas/Models"}, "timing_ms": _NUM},
    },
    "BatchResponse": {
        "type": "object", "required": ["results", "models", "timing_ms"],
        "properties": {
            "results": {"type": "array", "items": {"oneOf": [
                {"$ref": "#/components/schemas/Result"},
                {"type": "object", "required": ["error", "index"],
                 "properties": {"id": {"type": ["string", "null"]}, "index": {"type": "integer"},
                                "error": {"$ref": "#/components/schemas/Error/properties/error"}}},
            ]}},
            "models": {"$ref": "#/components/schemas/Models"}, "timing_ms": _NUM,
        },
    },
    "Health": {
        "type": "object", "required": ["status", "models", "timing_ms"],
        "properties": {"status": _STR, "models": {"$ref": "#/components/schemas/Models"},
                       "timing_ms": _NUM},
    },
    "Version": {
        "type": "object", "required": ["service", "models", "details", "timing_ms"],
        "properties": {"service": _STR, "models": {"$ref": "#/components/schemas/Models"},
                       "details": {"type": "object"}, "timing_ms": _NUM,
                       "last_reload_error": {"type": ["string", "null"]}},
    },
}

_ERRORS = {
    code: {"description": text, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}
    for code, text in (("400", "bad input"), ("401", "missing or unknown token"),
                       ("403", "token lacks the right"), ("404", "not found"),
                       ("405", "method not allowed"), ("413", "too large"),
                       ("415", "unsupported media type"),
                       ("429", "rate limited"), ("503", "models not loaded"))
}


def _json(schema_name: str, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema_name}"}}}}


def _post(summary: str, request_schema: str, response_schema: str) -> dict:
    return {"post": {
        "summary": summary,
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{request_schema}"}}}},
        "responses": {"200": _json(response_schema), **_ERRORS},
    }}


def _get(summary: str, response_schema: str, extra: dict | None = None) -> dict:
    op = {"summary": summary, "responses": {"200": _json(response_schema), **_ERRORS}}
    if extra:
        op.update(extra)
    return {"get": op}


PATHS: dict[str, Any] = {
    "/v1/analyze": _post("Analyse one document (all parts, or those named in `parts`)",
                         "AnalyzeRequest", "AnalyzeResponse"),
    **{f"/v1/{part}": _post(f"Only the {part} part for one document", "AnalyzeRequest",
                            "AnalyzeResponse") for part in PARTS},
    "/v1/analyze/batch": _post("Analyse many documents; results in input order", "BatchRequest",
                               "BatchResponse"),
    "/v1/health": _get("The process is up", "Health"),
    "/v1/ready": _get("Every model is loaded (else 503)", "Health"),
    "/v1/version": _get("Service and model versions, data fingerprints, headline metrics", "Version"),
    "/v1/openapi.json": {"get": {"summary": "This document", "responses": {"200": {
        "description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
}

_EXTENSIONS: list[tuple[dict, dict]] = []


def extend(paths: dict, schemas: dict) -> None:
    """Let another blueprint (the store, the page) add its paths and schemas to the contract."""
    _EXTENSIONS.append((paths, schemas))


def openapi_document() -> dict:
    """The whole OpenAPI 3.1 document."""
    paths = copy.deepcopy(PATHS)
    schemas = copy.deepcopy(SCHEMAS)
    for extra_paths, extra_schemas in _EXTENSIONS:
        paths.update(copy.deepcopy(extra_paths))
        schemas.update(copy.deepcopy(extra_schemas))
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {"title": "newsroom-nlp", "version": "1", "description":
                 "Topic tags, places, counts, summaries and language ID for ru/kk/en news."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
