"""Analysis endpoints: /v1/analyze, the one-part endpoints, and /v1/analyze/batch."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from models.errors import ArtefactError, InputError, NewsroomError
from models.pipeline import PARTS, Pipeline
from service.requests import AnalysisRequest, json_body, parse_document, parse_parts

bp = Blueprint("analysis", __name__, url_prefix="/v1")


def serving_pipeline() -> Pipeline:
    """The pipeline this request uses from start to end (a reload never changes it mid-request)."""
    registry = current_app.extensions["newsroom.registry"]
    pipeline = registry.pipeline
    if pipeline is None:
        raise ArtefactError("the models are not loaded yet" +
                            (f": {registry.error}" if registry.error else ""))
    return pipeline


def run(pipeline: Pipeline, req: AnalysisRequest, parts: list[str] | None = None) -> dict:
    """Analyse one validated document and shape the contract's result object."""
    result = pipeline.analyze_many([req.document], parts=parts or req.parts)[0]
    return _shape(req.id, result)


def _shape(doc_id: str, result: dict) -> dict:
    timing = result.pop("timing_ms")
    return {"id": doc_id, **result, "timing_ms_parts": timing}


def _analyze(parts: list[str] | None):
    req = parse_document(json_body())
    pipeline = serving_pipeline()
    result = run(pipeline, req, parts)
    result["models"] = pipeline.versions()
    return jsonify(result)


@bp.post("/analyze")
def analyze():
    """Every part (or the `parts` the body names) for one document."""
    return _analyze(None)


def _single_part_view(part: str):
    def view():
        return _analyze([part])
    view.__name__ = f"analyze_{part}"
    view.__doc__ = f"Only the {part} part for one document."
    return view


for _part in PARTS:
    bp.add_url_rule(f"/{_part}", view_func=_single_part_view(_part), methods=["POST"])


@bp.post("/analyze/batch")
def analyze_batch():
    """Many documents in one call, results in input order; a bad document fails alone."""
    body = json_body()
    documents = body.get("documents")
    if not isinstance(documents, list) or not documents:
        raise InputError("'documents' must be a non-empty list of objects", code="documents_required")
    limit = current_app.config["MAX_BATCH"]
    if len(documents) > limit:
        raise InputError(f"a batch holds at most {limit} documents; got {len(documents)}",
                         code="batch_too_large", status=413)
    parts = parse_parts(body.get("parts"))
    pipeline = serving_pipeline()
    results: list[dict | None] = [None] * len(documents)
    groups: dict[tuple, list[tuple[int, AnalysisRequest]]] = {}
    for index, entry in enumerate(documents):
        try:
            if not isinstance(entry, dict):
                raise InputError("each document must be a JSON object", code="invalid_document")
            req = parse_document(entry)
        except NewsroomError as exc:
            entry_id = entry.get("id") if isinstance(entry, dict) else None
            results[index] = {"id": None if entry_id is None else str(entry_id), "index": index,
                              **exc.to_dict()}
            continue
        key = tuple(sorted(parts or req.parts or PARTS))
        groups.setdefault(key, []).append((index, req))
    for key, members in groups.items():
        analysed = pipeline.analyze_many([req.document for _, req in members], parts=list(key))
        for (index, req), result in zip(members, analysed):
            results[index] = _shape(req.id, result)
    return jsonify({"results": results, "models": pipeline.versions()})
