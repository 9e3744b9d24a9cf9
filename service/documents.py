"""Store endpoints: put and read documents, editors' feedback, the search feed, facets, export."""
from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timezone

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from models.errors import InputError
from models.pipeline import PARTS
from service import auth, openapi
from service.analysis import run, serving_pipeline
from service.requests import json_body, parse_document
from service.store import (FACET_FIELDS, Feedback, Filters, NotFound, Store, models_key, place_key,
                           text_hash)

log = logging.getLogger(__name__)
bp = Blueprint("documents", __name__, url_prefix="/v1")

MAX_ID = 200
MAX_LIST = 50
MAX_NOTE = 5000
_TAG_RE = re.compile(r"^[\w.:-]{1,100}$", re.UNICODE)
_LANG_RE = re.compile(r"^[a-z]{2,3}$")


def init_app(app: Flask) -> None:
    """Open the store (running its migrations) and register the blueprint and its contract."""
    try:
        app.extensions["newsroom.store"] = Store(app.config["DATABASE_URL"])
    except Exception as exc:  # the service still answers analyses; store calls retry and 503
        log.error("the store could not be opened at start: %s", exc)
        app.extensions["newsroom.store"] = None
    app.register_blueprint(bp)
    openapi.extend(PATHS, SCHEMAS)


def get_store() -> Store:
    """The app's store (opened now if it could not be at start)."""
    store = current_app.extensions.get("newsroom.store")
    if store is None:
        store = Store(current_app.config["DATABASE_URL"])
        current_app.extensions["newsroom.store"] = store
    return store


def check_strings(value, where: str = "the request") -> None:
    """Strings no database can store (NUL characters, lone surrogates) are the caller's mistake."""
    if isinstance(value, str):
        if "\x00" in value:
            raise InputError(f"{where} contains a NUL character", code="invalid_characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InputError(f"{where} contains an unpaired surrogate (\\u{ord(value[exc.start]):04x})",
                             code="invalid_characters") from exc
    elif isinstance(value, dict):
        for key, item in value.items():
            check_strings(key, where)
            check_strings(item, f"'{key}'")
    elif isinstance(value, list):
        for item in value:
            check_strings(item, where)


@bp.before_request
def _check_query() -> None:
    """Query values go into SQL parameters: refuse the ones a database cannot hold."""
    for key, value in request.args.items(multi=True):
        check_strings(value, f"query parameter '{key}'")


def _doc_id(doc_id: str) -> str:
    if not doc_id.strip() or len(doc_id) > MAX_ID or any(ord(c) < 32 for c in doc_id):
        raise InputError(f"a document id is 1 to {MAX_ID} printable characters", code="invalid_id")
    return doc_id


# -- documents ----------------------------------------------------------------------------------
@bp.put("/documents/<doc_id>")
def put_document(doc_id: str):
    """Analyse and store a document; the same text under the same models is left as it is."""
    auth.require_write()
    doc_id = _doc_id(doc_id)
    body = json_body()
    for key in ("text", "title"):  # NUL becomes a space, as the analysis itself reads it
        if isinstance(body.get(key), str):
            body[key] = body[key].replace("\x00", " ")
    check_strings(body)
    if body.get("id") is not None and str(body["id"]) != doc_id:
        raise InputError(f"the body's id {body['id']!r} differs from the URL's {doc_id!r}",
                         code="id_mismatch")
    req = parse_document({**{k: v for k, v in body.items() if k != "parts"}, "id": doc_id})
    doc = req.document
    pipeline = serving_pipeline()
    models = pipeline.versions()
    store = get_store()
    known = store.fingerprint(doc_id)
    if known and known["text_hash"] == text_hash(doc.title, doc.text, doc.lang) \
            and known["models_key"] == models_key(models):
        return jsonify({"status": "unchanged", "document": store.get_document(doc_id)})
    result = run(pipeline, req, list(PARTS))
    status, record = store.put_document(doc_id, title=doc.title, text=doc.text, lang_hint=doc.lang,
                                        result=result, models=models)
    return jsonify({"status": status, "document": record}), 201 if status == "created" else 200


@bp.get("/documents/<doc_id>")
def get_document(doc_id: str):
    """One stored document with its tags (stable ids), places (GeoNames ids) and history counts."""
    auth.require_read()
    return jsonify({"document": get_store().get_document(_doc_id(doc_id))})


@bp.get("/documents/<doc_id>/feedback")
def get_feedback(doc_id: str):
    """The audit log of one document: every feedback event, oldest first."""
    auth.require_read()
    store = get_store()
    store.get_document(_doc_id(doc_id), include_text=False)  # 404 for an unknown id
    return jsonify({"document_id": doc_id, "events": store.feedback_log(doc_id)})


# -- feedback ------------------------------------------------------------------------------------
def _string_list(body: dict, key: str) -> list[str]:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"'{key}' must be a list of tag ids", code="invalid_field")
    if len(value) > MAX_LIST:
        raise InputError(f"'{key}' holds at most {MAX_LIST} tags", code="invalid_field")
    out = []
    for tag in value:
        tag = tag.strip()
        if not _TAG_RE.match(tag):
            raise InputError(f"{tag!r} in '{key}' is not a tag id", code="invalid_tag")
        out.append(tag)
    return list(dict.fromkeys(out))


def _removed_place(value) -> str:
    if isinstance(value, bool):
        raise InputError("a removed place is a GeoNames id or a name", code="invalid_field")
    if isinstance(value, int) or isinstance(value, str) and value.strip().isdigit():
        return f"g:{int(value)}"
    if isinstance(value, str) and value.strip() and len(value) <= 200:
        return place_key({"name": value.strip()})
    raise InputError("a removed place is a GeoNames id or a name", code="invalid_field")


def _added_place(value) -> dict:
    if not isinstance(value, dict) or not isinstance(value.get("name"), str) \
            or not value["name"].strip() or len(value["name"]) > 200:
        raise InputError("an added place is an object with a 'name' (and optionally 'geonameid', "
                         "'country')", code="invalid_field")
    gid = value.get("geonameid")
    if gid is not None and (isinstance(gid, bool) or not isinstance(gid, int) or gid <= 0):
        raise InputError("'geonameid' must be a positive whole number", code="invalid_field")
    country = value.get("country")
    if country is not None and not isinstance(country, str):
        raise InputError("'country' must be a string", code="invalid_field")
    return {"name": value["name"].strip(), "geonameid": gid, "country": country}


def parse_feedback(body: dict, taxonomy: dict[str, tuple[str, str]] | None) -> Feedback:
    """Validate a feedback body; tags are named by id or label, and must be in the taxonomy."""
    editor = body.get("editor")
    if not isinstance(editor, str) or not editor.strip() or len(editor) > 200:
        raise InputError("'editor' (who made the correction) is required, up to 200 characters",
                         code="editor_required")
    lists = {key: _string_list(body, key) for key in ("accepted", "rejected", "added")}
    labels: dict[str, str] = {}
    if taxonomy is not None:
        unknown = sorted({t for names in lists.values() for t in names} - set(taxonomy))
        if unknown:
            known = sorted({label for _, label in taxonomy.values()})
            raise InputError(f"unknown tags: {', '.join(unknown)}; known: {', '.join(known)}",
                             code="unknown_tag")
        for key, names in lists.items():
            lists[key] = list(dict.fromkeys(taxonomy[name][0] for name in names))
            labels.update(taxonomy[name] for name in names)
    accepted, rejected, added = lists["accepted"], lists["rejected"], lists["added"]
    clash = sorted(set(rejected) & (set(accepted) | set(added)))
    if clash:
        raise InputError(f"tags both rejected and accepted/added: {', '.join(clash)}",
                         code="conflicting_feedback")
    places_body = body.get("places") or {}
    if not isinstance(places_body, dict) or set(places_body) - {"removed", "added"}:
        raise InputError("'places' must be an object with 'removed' and/or 'added' lists",
                         code="invalid_field")
    removed = places_body.get("removed") or []
    added_places = places_body.get("added") or []
    if not isinstance(removed, list) or not isinstance(added_places, list) \
            or len(removed) + len(added_places) > MAX_LIST:
        raise InputError(f"'places.removed' and 'places.added' are lists (at most {MAX_LIST})",
                         code="invalid_field")
    places = {"removed": sorted({_removed_place(v) for v in removed}),
              "added": [_added_place(v) for v in added_places]}
    note = body.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > MAX_NOTE):
        raise InputError(f"'note' must be a string of at most {MAX_NOTE} characters",
                         code="invalid_field")
    if not (accepted or rejected or added or places["removed"] or places["added"] or note):
        raise InputError("the feedback says nothing: give accepted, rejected, added, places or "
                         "a note", code="feedback_empty")
    return Feedback(editor=editor.strip(), accepted=accepted, rejected=rejected, added=added,
                    places=places, note=note, labels=labels)


def _idempotency_key(body: dict) -> str | None:
    header = request.headers.get("Idempotency-Key")
    field = body.get("idempotency_key")
    if field is not None and not isinstance(field, str):
        raise InputError("'idempotency_key' must be a string", code="invalid_field")
    if header and field and header != field:
        raise InputError("the Idempotency-Key header and the 'idempotency_key' field differ",
                         code="idempotency_key_mismatch")
    key = (header or field or "").strip() or None
    if key is not None and len(key) > 200:
        raise InputError("an idempotency key has at most 200 characters", code="invalid_field")
    return key


def _taxonomy() -> dict[str, tuple[str, str]] | None:
    """Id or label -> (id, label) of every topic the serving model knows (None if unknown)."""
    registry = current_app.extensions.get("newsroom.registry")
    topics = getattr(registry.pipeline, "topics", None) if registry and registry.pipeline else None
    labels = getattr(topics, "labels", None)
    labels = labels() if callable(labels) else labels
    if not labels:
        return None
    out: dict[str, tuple[str, str]] = {}
    for item in labels:
        tid, label = (str(item["id"]), str(item["label"])) if isinstance(item, dict) \
            else (str(item), str(item))
        out[tid] = out[label] = (tid, label)
    return out


@bp.post("/documents/<doc_id>/feedback")
def post_feedback(doc_id: str):
    """Record an editor's correction once per idempotency key; models are not changed here."""
    token = auth.require_write()
    doc_id = _doc_id(doc_id)
    body = json_body()
    check_strings(body)
    key = _idempotency_key(body)
    feedback = parse_feedback(body, _taxonomy())
    event, replayed, record = get_store().add_feedback(doc_id, feedback, token_id=token["id"],
                                                       idempotency_key=key)
    response = jsonify({"replayed": replayed, "event": event, "document": record})
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
        return response, 200
    return response, 201


# -- the search feed -----------------------------------------------------------------------------
def _since(value: str | None) -> str | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace(" ", "+"))
    except ValueError as exc:
        raise InputError("'since' must be an ISO 8601 date or time, e.g. 2026-01-31T12:00:00Z",
                         code="invalid_since") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_filters() -> Filters:
    """The feed's query filters: tag, place (GeoNames id or name), lang, since, q."""
    lang = request.args.get("lang") or None
    if lang is not None and not _LANG_RE.match(lang):
        raise InputError("'lang' must be a language code such as ru, kk or en", code="invalid_field")
    q = request.args.get("q") or None
    if q is not None and len(q) > 500:
        raise InputError("'q' has at most 500 characters", code="invalid_field")
    tags = [t.strip() for t in request.args.getlist("tag") if t.strip()]
    places = [p.strip() for p in request.args.getlist("place") if p.strip()]
    return Filters(tags=tags, places=places, lang=lang, since=_since(request.args.get("since")),
                   q=q.strip() if q else None)


def _limit() -> int:
    raw = request.args.get("limit")
    if raw is None or raw == "":
        return 50
    if not raw.isdigit() or not 1 <= int(raw) <= 500:
        raise InputError("'limit' must be a whole number from 1 to 500", code="invalid_field")
    return int(raw)


@bp.get("/documents")
def list_documents():
    """The search feed: matching documents, newest change first, one page per cursor."""
    auth.require_read()
    order = request.args.get("order", "desc")
    if order not in ("asc", "desc"):
        raise InputError("'order' must be asc or desc", code="invalid_field")
    filters = parse_filters()
    records, cursor = get_store().search(filters, limit=_limit(),
                                         cursor=request.args.get("cursor") or None, order=order)
    return jsonify({"documents": records, "count": len(records), "next_cursor": cursor})


@bp.get("/facets")
def facets():
    """Document counts per tag, place or language (among the documents the filters match)."""
    auth.require_read()
    field_name = request.args.get("field")
    if field_name not in FACET_FIELDS:
        raise InputError(f"'field' must be one of {', '.join(FACET_FIELDS)}", code="invalid_field")
    return jsonify({"field": field_name,
                    "values": get_store().facets(field_name, parse_filters())})


@bp.get("/export")
def export():
    """Every matching document (with its text) as JSON Lines, streamed oldest change first."""
    auth.require_read()
    filters = parse_filters()
    store = get_store()

    def lines():
        for record in store.iter_documents(filters):
            yield json.dumps(record, ensure_ascii=False) + "\n"

    return Response(lines(), mimetype="application/x-ndjson",
                    headers={"Content-Disposition": 'attachment; filename="documents.jsonl"'})


# -- the contract --------------------------------------------------------------------------------
_STR = {"type": "string"}
_NSTR = {"type": ["string", "null"]}
_NNUM = {"type": ["number", "null"]}
_REF = "#/components/schemas/"
_TAGS = {"type": "array", "items": _STR}

SCHEMAS = {
    "StoredTag": {
        "type": "object", "required": ["id", "label", "score", "model_version", "source", "status"],
        "properties": {"id": _STR, "label": _STR, "score": _NNUM, "model_version": _NSTR,
                       "source": {"enum": ["model", "editor"]},
                       "status": {"enum": ["proposed", "accepted", "added"]}},
    },
    "StoredPlace": {
        "type": "object", "required": ["geonameid", "name", "country", "mentions", "source"],
        "properties": {"geonameid": {"type": ["integer", "null"]}, "name": _STR,
                       "country": _NSTR, "type": _NSTR, "lat": _NNUM, "lon": _NNUM,
                       "mentions": {"type": "integer", "minimum": 0},
                       "source": {"enum": ["model", "editor"]}},
    },
    "DocumentRecord": {
        "type": "object",
        "required": ["id", "title", "lang", "text_hash", "tags", "rejected_tags", "places", "counts",
                     "summary", "model_tags", "analysed_with", "feedback_count", "revision",
                     "created_at", "updated_at", "analysed_at"],
        "properties": {
            "id": _STR, "title": _STR, "lang": _NSTR, "lang_score": _NNUM, "text": _STR,
            "text_hash": _STR,
            "tags": {"type": "array", "items": {"$ref": _REF + "StoredTag"}},
            "rejected_tags": _TAGS,
            "places": {"type": "array", "items": {"$ref": _REF + "StoredPlace"}},
            "counts": {"type": "array", "items": {"$ref": _REF + "Count"}},
            "summary": _TAGS,
            "model_tags": {"type": "array", "items": {"$ref": _REF + "Topic"}},
            "analysed_with": {"$ref": _REF + "Models"},
            "feedback_count": {"type": "integer", "minimum": 0},
            "revision": {"type": "integer", "minimum": 1},
            "created_at": _STR, "updated_at": _STR, "analysed_at": _STR,
        },
    },
    "DocumentResponse": {
        "type": "object", "required": ["document", "models", "timing_ms"],
        "properties": {"status": {"enum": ["created", "updated", "unchanged"]},
                       "document": {"$ref": _REF + "DocumentRecord"},
                       "models": {"$ref": _REF + "Models"}, "timing_ms": {"type": "number"}},
    },
    "DocumentList": {
        "type": "object", "required": ["documents", "count", "next_cursor", "models", "timing_ms"],
        "properties": {"documents": {"type": "array", "items": {"$ref": _REF + "DocumentRecord"}},
                       "count": {"type": "integer"}, "next_cursor": _NSTR,
                       "models": {"$ref": _REF + "Models"}, "timing_ms": {"type": "number"}},
    },
    "FeedbackRequest": {
        "type": "object", "required": ["editor"],
        "properties": {
            "editor": {"type": "string", "minLength": 1, "maxLength": 200},
            "accepted": _TAGS, "rejected": _TAGS, "added": _TAGS,
            "places": {"type": "object", "properties": {
                "removed": {"type": "array", "items": {"type": ["integer", "string"]}},
                "added": {"type": "array", "items": {
                    "type": "object", "required": ["name"],
                    "properties": {"name": _STR, "geonameid": {"type": ["integer", "null"]},
                                   "country": _NSTR}}}}},
            "note": {"type": "string", "maxLength": MAX_NOTE},
            "idempotency_key": {"type": "string", "maxLength": 200},
        },
    },
    "FeedbackEvent": {
        "type": "object",
        "required": ["event_id", "seq", "document_id", "editor", "created_at", "model_version",
                     "models", "text_hash", "idempotency_key", "accepted", "rejected", "added",
                     "places", "note", "before", "after"],
        "properties": {
            "event_id": _STR, "seq": {"type": "integer"}, "document_id": _STR, "editor": _STR,
            "created_at": _STR, "model_version": _NSTR, "models": {"$ref": _REF + "Models"},
            "text_hash": _STR, "idempotency_key": _STR, "accepted": _TAGS, "rejected": _TAGS,
            "added": _TAGS, "places": {"type": "object"}, "note": _NSTR,
            "before": {"type": "object", "required": ["tags", "places"]},
            "after": {"type": "object", "required": ["tags", "places"]},
        },
    },
    "FeedbackResponse": {
        "type": "object", "required": ["replayed", "event", "document", "models", "timing_ms"],
        "properties": {"replayed": {"type": "boolean"}, "event": {"$ref": _REF + "FeedbackEvent"},
                       "document": {"$ref": _REF + "DocumentRecord"},
                       "models": {"$ref": _REF + "Models"}, "timing_ms": {"type": "number"}},
    },
    "FeedbackLog": {
        "type": "object", "required": ["document_id", "events", "models", "timing_ms"],
        "properties": {"document_id": _STR,
                       "events": {"type": "array", "items": {"$ref": _REF + "FeedbackEvent"}},
                       "models": {"$ref": _REF + "Models"}, "timing_ms": {"type": "number"}},
    },
    "Facets": {
        "type": "object", "required": ["field", "values", "models", "timing_ms"],
        "properties": {
            "field": {"enum": list(FACET_FIELDS)},
            "values": {"type": "array", "items": {
                "type": "object", "required": ["value", "count"],
                "properties": {"value": _NSTR, "count": {"type": "integer", "minimum": 1},
                               "label": _NSTR, "geonameid": {"type": ["integer", "null"]}}}},
            "models": {"$ref": _REF + "Models"}, "timing_ms": {"type": "number"},
        },
    },
}

_ERR = {code: {"description": text, "content": {"application/json": {
    "schema": {"$ref": _REF + "Error"}}}}
    for code, text in (("400", "bad input"), ("401", "missing or unknown token"),
                       ("403", "token lacks the scope"), ("404", "no such document"),
                       ("405", "method not allowed"), ("413", "too large"),
                       ("422", "idempotency key reused for a different request"),
                       ("429", "rate limited (see Retry-After)"),
                       ("503", "models or store unavailable"))}
_ID = [{"name": "doc_id", "in": "path", "required": True, "schema": {"type": "string"}}]
_FILTERS = [
    {"name": "tag", "in": "query", "schema": _STR, "description": "stable tag id (repeatable)"},
    {"name": "place", "in": "query", "schema": _STR,
     "description": "GeoNames id or place name (repeatable)"},
    {"name": "lang", "in": "query", "schema": _STR},
    {"name": "since", "in": "query", "schema": _STR, "description": "ISO 8601; changed at or after"},
    {"name": "q", "in": "query", "schema": _STR, "description": "words in the title or text"},
]
_BEARER = [{"bearer": []}]


def _ok(schema: str, description: str = "OK") -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": _REF + schema}}}}


PATHS = {
    "/v1/documents/{doc_id}": {
        "put": {"summary": "Analyse and store a document (no-op for the same text and models)",
                "security": _BEARER, "parameters": _ID,
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": _REF + "AnalyzeRequest"}}}},
                "responses": {"200": _ok("DocumentResponse", "updated or unchanged"),
                              "201": _ok("DocumentResponse", "created"), **_ERR}},
        "get": {"summary": "One stored document", "parameters": _ID,
                "responses": {"200": _ok("DocumentResponse"), **_ERR}},
    },
    "/v1/documents/{doc_id}/feedback": {
        "post": {"summary": "Record an editor's correction (Idempotency-Key: recorded once)",
                 "security": _BEARER,
                 "parameters": _ID + [{"name": "Idempotency-Key", "in": "header",
                                       "schema": {"type": "string", "maxLength": 200}}],
                 "requestBody": {"required": True, "content": {"application/json": {
                     "schema": {"$ref": _REF + "FeedbackRequest"}}}},
                 "responses": {"201": _ok("FeedbackResponse", "recorded"),
                               "200": _ok("FeedbackResponse", "a retry: the recorded event"),
                               **_ERR}},
        "get": {"summary": "The document's feedback log, oldest first", "parameters": _ID,
                "responses": {"200": _ok("FeedbackLog"), **_ERR}},
    },
    "/v1/documents": {
        "get": {"summary": "Search feed with cursor pagination",
                "parameters": _FILTERS + [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                                "maximum": 500}},
                    {"name": "cursor", "in": "query", "schema": _STR},
                    {"name": "order", "in": "query", "schema": {"enum": ["desc", "asc"]}}],
                "responses": {"200": _ok("DocumentList"), **_ERR}},
    },
    "/v1/facets": {
        "get": {"summary": "Document counts per tag, place or language",
                "parameters": [{"name": "field", "in": "query", "required": True,
                                "schema": {"enum": list(FACET_FIELDS)}}] + _FILTERS,
                "responses": {"200": _ok("Facets"), **_ERR}},
    },
    "/v1/export": {
        "get": {"summary": "Every matching document as JSON Lines (streamed)",
                "parameters": _FILTERS,
                "responses": {"200": {"description": "one DocumentRecord per line",
                                      "content": {"application/x-ndjson": {
                                          "schema": {"$ref": _REF + "DocumentRecord"}}}},
                              **_ERR}},
    },
}

__all__ = ["bp", "init_app", "get_store", "parse_feedback", "NotFound"]
