"""Operational endpoints: process up, models loaded, versions, and the OpenAPI document."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from models.errors import ArtefactError
from service.openapi import openapi_document

bp = Blueprint("operations", __name__, url_prefix="/v1")

SERVICE_VERSION = "0.1.0"


def _registry():
    return current_app.extensions["newsroom.registry"]


@bp.get("/health")
def health():
    """The process is up and answering (says nothing about the models)."""
    return jsonify({"status": "ok", "models": _registry().versions()})


@bp.get("/ready")
def ready():
    """200 only when every model is loaded; 503 in the error shape otherwise."""
    registry = _registry()
    if not registry.ready:
        raise ArtefactError("models are not loaded" + (f": {registry.error}" if registry.error else ""),
                            code="not_ready")
    return jsonify({"status": "ready", "models": registry.versions(),
                    "last_reload_error": registry.error})


@bp.get("/version")
def version():
    """The service version and each model's version, data fingerprint and headline metrics."""
    registry = _registry()
    pipeline = registry.pipeline
    return jsonify({
        "service": SERVICE_VERSION,
        "models": registry.versions(),
        "details": pipeline.info() if pipeline else {},
        "last_reload_error": registry.error,
    })


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document: the contract every response is tested against."""
    return jsonify(openapi_document())
