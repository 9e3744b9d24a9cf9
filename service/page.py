"""The editors' web page at `/`, and the upload endpoint it uses to read .txt and .docx files.

The page itself is static HTML, CSS and JavaScript served from `service/static/` (no CDN, no
build step); it calls the same public API as every other client: /v1/analyze for the results,
/v1/documents for storing a draft and recording the editors' tag feedback.
"""
from __future__ import annotations

import io
import zipfile

from flask import Blueprint, Flask, current_app, jsonify, render_template, request

from models.errors import InputError
from service import openapi

bp = Blueprint("page", __name__, static_folder="static", static_url_path="/assets",
               template_folder="templates")

EXTENSIONS = (".txt", ".docx")
# Room left in the request body for the multipart framing around the file itself.
MULTIPART_ROOM = 64 * 1024
# A .docx is a zip: refuse one that would unpack to more than this many times its size.
DOCX_MAX_RATIO = 100

# Content-Security-Policy of the page: everything from this origin, nothing from anywhere else.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")


def upload_limit_bytes() -> int:
    """The largest file the upload endpoint accepts (the request body limit minus framing)."""
    return max(1024, int(current_app.config["MAX_CONTENT_LENGTH"]) - MULTIPART_ROOM)


def topic_taxonomy() -> list[dict]:
    """The serving topic model's labels with their ru/kk/en names (empty before models load)."""
    pipeline = current_app.extensions["newsroom.registry"].pipeline
    labels = getattr(getattr(pipeline, "topics", None), "labels", None)
    return labels() if callable(labels) else []


@bp.get("/")
def index():
    """The page: paste or upload a draft and see what the service finds in it."""
    return render_template("page.html", max_file_bytes=upload_limit_bytes(),
                           max_text_chars=current_app.config["MAX_TEXT_CHARS"],
                           topics=topic_taxonomy())


@bp.after_request
def _headers(response):
    """The page and its assets load nothing from other origins, and are never framed."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def decode_text_file(data: bytes) -> str:
    """Text of a .txt file: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1251."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError("the file says it is UTF-16 but is not valid UTF-16",
                             code="unreadable_file") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older newsroom files in Russian and Kazakh are often saved in Windows-1251.
        return data.decode("cp1251", errors="replace")


def docx_text(data: bytes) -> str:
    """Text of a .docx file: paragraphs and table rows in document order, blank-line separated."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise InputError("the file is not a readable .docx document (is it an older .doc? "
                         "save it as .docx or .txt)", code="unreadable_file") from exc
    if unpacked > DOCX_MAX_RATIO * max(len(data), 1024 * 1024):
        raise InputError("the .docx file unpacks to far more than its size; it was refused",
                         code="unreadable_file", status=413)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise InputError("the file is not a readable .docx document (is it an older .doc? "
                         "save it as .docx or .txt)", code="unreadable_file") from exc
    blocks = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells = [cell.text.strip() for cell in row.cells]
                line = "\t".join(dict.fromkeys(c for c in cells if c))  # merged cells repeat
                if line:
                    blocks.append(line)
        elif block.text.strip():
            blocks.append(block.text.strip())
    return "\n\n".join(blocks)


def extract_text(filename: str, data: bytes) -> tuple[str, str]:
    """(text, format) of an uploaded file, or an InputError saying plainly what is wrong."""
    lowered = filename.lower()
    if not lowered.endswith(EXTENSIONS):
        raise InputError(f"'{filename}' is not a .txt or .docx file; save the draft as one of "
                         "those and upload it again", code="unsupported_file_type", status=415)
    limit = upload_limit_bytes()
    if len(data) > limit:
        raise InputError(f"the file '{filename}' is {_megabytes(len(data))}; the limit is "
                         f"{_megabytes(limit)}", code="file_too_large", status=413)
    if not data:
        raise InputError(f"the file '{filename}' is empty", code="empty_file")
    kind = "docx" if lowered.endswith(".docx") else "txt"
    text = docx_text(data) if kind == "docx" else decode_text_file(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(f"the file '{filename}' has no text in it", code="empty_file")
    max_chars = current_app.config["MAX_TEXT_CHARS"]
    if len(text) > max_chars:
        raise InputError(f"the text of '{filename}' has {len(text)} characters; the limit is "
                         f"{max_chars}", code="text_too_long", status=413)
    return text, kind


@bp.post("/v1/extract-text")
def extract():
    """Read an uploaded .txt or .docx file and return its plain text (nothing is stored)."""
    if not request.mimetype.startswith("multipart/form-data"):
        raise InputError("send the file as multipart/form-data in a field named 'file'",
                         code="file_required", status=415)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InputError("no file was sent; choose a .txt or .docx file", code="file_required")
    data = upload.read(upload_limit_bytes() + 1)
    text, kind = extract_text(upload.filename, data)
    return jsonify({"filename": upload.filename, "format": kind, "characters": len(text),
                    "text": text})


OPENAPI_SCHEMAS = {
    "ExtractedText": {
        "type": "object", "required": ["filename", "format", "characters", "text", "timing_ms"],
        "properties": {
            "filename": {"type": "string"}, "format": {"enum": ["txt", "docx"]},
            "characters": {"type": "integer", "minimum": 1}, "text": {"type": "string"},
            "models": {"$ref": "#/components/schemas/Models"}, "timing_ms": {"type": "number"},
        },
    },
}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}


OPENAPI_PATHS = {
    "/v1/extract-text": {"post": {
        "summary": "Plain text of an uploaded .txt (UTF-8, UTF-16 or Windows-1251) or .docx file",
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream"}},
        }}}},
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/ExtractedText"}}}},
            "400": _error("no file, an empty file, or an unreadable .docx"),
            "413": _error("the file or its text is larger than the limit"),
            "415": _error("not a .txt or .docx file, or not multipart/form-data"),
        },
    }},
}

openapi.extend(OPENAPI_PATHS, OPENAPI_SCHEMAS)


def init_app(app: Flask) -> None:
    """Register the page and the upload endpoint (called by the application factory)."""
    app.register_blueprint(bp)
