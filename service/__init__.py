"""The Flask layer: serves the models over HTTP. Build it with `create_app()`."""
from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask, current_app, g, has_request_context
from flask.json.provider import DefaultJSONProvider

from service import config as config_module
from service import errors
from service.registry import ModelRegistry


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Application factory: configuration from the environment, overridden by `config`."""
    app = Flask(__name__)
    app.config.update(config_module.from_env())
    if config:
        app.config.update(config)
    app.json = EnvelopeJSON(app)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    logging.basicConfig(level=logging.INFO)

    app.wsgi_app = GuardedInput(app.wsgi_app, app.config["CLIENT_TIMEOUT"])

    registry = ModelRegistry(app.config["MODELS_DIR"], app.config["RELOAD_SECONDS"])
    registry.load()
    app.extensions["newsroom.registry"] = registry

    errors.register(app)
    from service import analysis, operations
    app.register_blueprint(operations.bp)
    app.register_blueprint(analysis.bp)
    _register_optional_blueprints(app)

    @app.before_request
    def _start_timer():
        g.started = time.perf_counter()
        registry.ensure_watcher()

    return app


class EnvelopeJSON(DefaultJSONProvider):
    """Every JSON object response names the model versions and its time taken.

    Added while the body is serialised, so each response is encoded once (an after-request hook
    would have to parse and re-encode every body).
    """

    def response(self, *args, **kwargs):
        if len(args) == 1 and not kwargs and isinstance(args[0], dict) and has_request_context():
            body = dict(args[0])
            registry = current_app.extensions.get("newsroom.registry")
            if registry is not None:
                body.setdefault("models", registry.versions())
            now = time.perf_counter()
            body["timing_ms"] = round((now - g.get("started", now)) * 1000, 3)
            args = (body,)
        return super().response(*args, **kwargs)


def _register_optional_blueprints(app: Flask) -> None:
    """Blueprints of the store and the editors' page, registered when their modules exist."""
    import importlib

    for name in ("service.documents", "service.page"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.init_app(app)


class GuardedInput:
    """WSGI middleware: a request body that cannot be read is the client's fault (400), not ours.

    Under gunicorn a malformed chunk raises the server's own parse error from inside
    `wsgi.input.read`, and a client that stops sending mid-body would hold its thread forever;
    the socket gets a read timeout, and both failures reach werkzeug as the `ValueError` /
    `OSError` it turns into a 400 (`ClientDisconnected`).
    """

    def __init__(self, wsgi_app, timeout: float) -> None:
        self.wsgi_app = wsgi_app
        self.timeout = timeout

    def __call__(self, environ, start_response):
        sock = environ.get("gunicorn.socket")
        if sock is not None and self.timeout > 0:
            sock.settimeout(self.timeout)
        if "wsgi.input" in environ:
            environ["wsgi.input"] = _SafeStream(environ["wsgi.input"])
        return self.wsgi_app(environ, start_response)


class _SafeStream:
    """A wsgi.input whose read errors are all `ValueError`/`OSError`."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def _guard(self, method: str, *args):
        try:
            return getattr(self._stream, method)(*args)
        except (OSError, ValueError):
            raise
        except Exception as exc:  # e.g. gunicorn's InvalidChunkSize
            raise ValueError(f"the request body could not be read: {exc}") from exc

    def read(self, *args):
        return self._guard("read", *args)

    def readline(self, *args):
        return self._guard("readline", *args)

    def readlines(self, *args):
        return self._guard("readlines", *args)

    def __iter__(self):
        return iter(self.readline, b"")
