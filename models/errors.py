"""One exception hierarchy shared by the models, the command line and the HTTP layer.

Each error carries the HTTP status and the stable machine-readable code that the service's
single error handler renders, so the CLI and the API report the same failure the same way.
"""
from __future__ import annotations


class NewsroomError(Exception):
    """Base class: a failure with a status, a stable code and a message for people."""

    status: int = 500
    code: str = "internal_error"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status

    def to_dict(self) -> dict:
        """The one error shape: {"error": {"status", "code", "message"}}."""
        return {"error": {"status": self.status, "code": self.code, "message": self.message}}


class InputError(NewsroomError):
    """The caller sent something we cannot work on (a 4xx, never a 5xx)."""

    status = 400
    code = "invalid_input"


class ArtefactError(NewsroomError):
    """A model artefact is missing, altered, or does not match its manifest."""

    status = 503
    code = "model_unavailable"
