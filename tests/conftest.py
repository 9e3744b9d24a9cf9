"""Shared fixtures: the app from its factory (as flaskr's tests do), the shared data, the example."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("NEWSROOM_SHARED_DATA") or REPO.parent / "shared" / "data")
EXAMPLE = SHARED.parent / "examples" / "iwpr-central-asia-news.txt"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared evaluation data (CI has it beside the clone)."""
    if not SHARED.is_dir():
        pytest.fail(f"shared data not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def example_text() -> str:
    """The newsroom's real page of news (seven items)."""
    return EXAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def pipeline():
    """The bundled models, loaded once for the whole run."""
    from models.pipeline import Pipeline

    return Pipeline.load()


def build_app(data_dir: Path):
    """The service built by its factory over `data_dir` (an empty SQLite store, no reload thread)."""
    from service import create_app

    return create_app({"TESTING": True, "DATA_DIR": data_dir, "RELOAD_SECONDS": 0,
                       "DATABASE_URL": f"sqlite:///{data_dir / 'test.sqlite3'}"})


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The service built by its factory over a fresh data directory."""
    return build_app(tmp_path_factory.mktemp("data"))


@pytest.fixture()
def client(app):
    """A test client for the session's app."""
    return app.test_client()
