"""Service configuration: environment variables with sane defaults, in one place.

Every setting is documented in the README's configuration table; a test checks that.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from models.artefacts import models_dir

REPO_ROOT = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc


def from_env() -> dict[str, Any]:
    """Read the configuration from the environment (see the README for each variable)."""
    data_dir = Path(os.environ.get("NEWSROOM_DATA_DIR") or REPO_ROOT / "data")
    return {
        "MODELS_DIR": models_dir(),
        "DATA_DIR": data_dir,
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'newsroom.sqlite3'}",
        "MAX_TEXT_CHARS": _int("NEWSROOM_MAX_TEXT_CHARS", 200_000),
        "MAX_BATCH": _int("NEWSROOM_MAX_BATCH", 128),
        "MAX_CONTENT_LENGTH": _int("NEWSROOM_MAX_BODY_BYTES", 8 * 1024 * 1024),
        "CLIENT_TIMEOUT": _int("NEWSROOM_CLIENT_TIMEOUT", 30),
        "RELOAD_SECONDS": _int("NEWSROOM_RELOAD_SECONDS", 5),
        "DEFAULT_SUMMARY_SENTENCES": _int("NEWSROOM_SUMMARY_SENTENCES", 3),
        "READ_REQUIRES_TOKEN": os.environ.get("NEWSROOM_READ_REQUIRES_TOKEN", "0") in ("1", "true", "yes"),
        "RATE_LIMIT_PER_MINUTE": _int("NEWSROOM_RATE_LIMIT_PER_MINUTE", 600),
    }
