"""Reading and validating request bodies: every bad input becomes a clear 4xx, never a 5xx."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from models.errors import InputError
from models.normalize import encodable
from models.pipeline import LANGUAGES, PARTS, Document


@dataclass
class AnalysisRequest:
    """One validated document with the caller's id and the parts asked for."""

    id: str
    document: Document
    parts: list[str] | None = None


def json_body() -> dict:
    """The request body as a JSON object, or an InputError saying what is wrong with it."""
    raw = request.get_data(cache=True)
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is None and limit and len(raw) >= limit:
        # A chunked body is cut off at the limit without an error (werkzeug only raises on a
        # further read): a body that reached the limit is one that went past it.
        raise RequestEntityTooLarge()
    if not raw:
        raise InputError("the request body is empty; send a JSON object", code="body_required")
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"the request body is not valid UTF-8 (byte {exc.start})",
                         code="invalid_utf8") from exc
    try:
        body = json.loads(decoded)
    except RecursionError as exc:
        raise InputError("the JSON body is nested too deeply", code="invalid_json") from exc
    except ValueError as exc:
        raise InputError(f"the request body is not valid JSON: {exc}", code="invalid_json") from exc
    if not isinstance(body, dict):
        raise InputError("the request body must be a JSON object", code="invalid_json")
    if _ESCAPED_SURROGATE.search(decoded):
        body = _without_lone_surrogates(body)
    return body


# JSON may escape a lone UTF-16 surrogate ("\\ud800"); such a string cannot be encoded as UTF-8,
# so hashing it or sending it back would fail. Only bodies with a surrogate escape are walked.
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _without_lone_surrogates(body: dict) -> dict:
    """The body with every lone surrogate as U+FFFD (same length, so spans still match)."""
    def fix(value):
        return encodable(value) if isinstance(value, str) else value

    root = {fix(k): v for k, v in body.items()}
    stack: list = [root]
    while stack:  # iterative: the JSON may be nested as deep as the parser allowed
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in list(items):
            if isinstance(value, dict):
                value = {fix(k): v for k, v in value.items()}
                stack.append(value)
            elif isinstance(value, list):
                value = list(value)
                stack.append(value)
            node[key] = fix(value)
    return root


def _optional(body: dict, key: str, kind: type | tuple, label: str):
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) and kind is int or not isinstance(value, kind):
        raise InputError(f"'{key}' must be {label}", code="invalid_field")
    return value


def parse_parts(value, *, key: str = "parts") -> list[str] | None:
    """Validate a `parts` list: known part names only."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise InputError(f"'{key}' must be a list of part names: {', '.join(PARTS)}",
                         code="invalid_field")
    unknown = sorted(set(value) - set(PARTS))
    if unknown:
        raise InputError(f"unknown parts: {', '.join(unknown)}; known: {', '.join(PARTS)}",
                         code="unknown_parts")
    return list(dict.fromkeys(value))


def text_id(text: str) -> str:
    """A stable id for a document the caller did not name."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def parse_document(body: dict) -> AnalysisRequest:
    """Validate one document object (the body of /v1/analyze or one batch entry)."""
    if "text" not in body or body["text"] is None:
        raise InputError("'text' is required", code="text_required")
    text = body["text"]
    if not isinstance(text, str):
        raise InputError("'text' must be a string", code="text_required")
    if not text.strip():
        raise InputError("'text' is empty", code="text_required")
    limit = current_app.config["MAX_TEXT_CHARS"]
    if len(text) > limit:
        raise InputError(f"'text' has {len(text)} characters; the limit is {limit}",
                         code="text_too_long", status=413)
    title = _optional(body, "title", str, "a string") or ""
    if len(title) > limit:
        raise InputError(f"'title' is longer than {limit} characters", code="text_too_long",
                         status=413)
    doc_id = body.get("id")
    if doc_id is not None and not isinstance(doc_id, (str, int)) or isinstance(doc_id, bool):
        raise InputError("'id' must be a string", code="invalid_field")
    lang = _optional(body, "lang", str, "one of " + ", ".join(LANGUAGES))
    if lang is not None and lang not in LANGUAGES:
        raise InputError(f"'lang' must be one of {', '.join(LANGUAGES)}", code="invalid_field")
    sentences = _optional(body, "summary_sentences", int, "a whole number")
    if sentences is not None and not 1 <= sentences <= 50:
        raise InputError("'summary_sentences' must be between 1 and 50", code="invalid_field")
    chars = _optional(body, "summary_chars", int, "a whole number")
    if chars is not None and chars < 1:
        raise InputError("'summary_chars' must be positive", code="invalid_field")
    document = Document(text=text, title=title, lang=lang,
                        summary_sentences=sentences or current_app.config["DEFAULT_SUMMARY_SENTENCES"],
                        summary_chars=chars)
    return AnalysisRequest(id=text_id(text) if doc_id is None else str(doc_id), document=document,
                           parts=parse_parts(body.get("parts")))
