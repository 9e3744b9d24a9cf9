"""The README documents every endpoint, setting and command (a test fails when one is missing)."""
from __future__ import annotations

import re
from pathlib import Path

from service.cli import build_parser
from service.openapi import openapi_document

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
SOURCES = Path(__file__).resolve().parent.parent


def test_every_endpoint_is_in_the_readme():
    for path in openapi_document()["paths"]:
        short = path.split("{")[0].rstrip("/")
        assert short in README, f"{path} is not documented in README.md"


def test_every_environment_variable_is_in_the_readme():
    names = set()
    for folder in ("service", "models", "training"):
        for path in (SOURCES / folder).rglob("*.py"):
            names |= set(re.findall(r"environ(?:\.get)?\(\s*[\"']([A-Z_]+)[\"']", path.read_text(encoding="utf-8")))
            names |= set(re.findall(r"_int\(\s*[\"']([A-Z_]+)[\"']", path.read_text(encoding="utf-8")))
    assert "NEWSROOM_MODELS_DIR" in names
    for name in sorted(n for n in names if n.startswith(("NEWSROOM_", "DATABASE_"))):
        assert f"`{name}`" in README, f"{name} is read from the environment but not in README.md"


def test_every_cli_verb_is_in_the_readme():
    parser, _ = build_parser()
    sub = next(a for a in parser._actions if a.dest == "verb")
    for verb in sub.choices:
        assert f"newsroom {verb}" in README, f"`newsroom {verb}` is not documented in README.md"


def test_quick_start_has_the_two_commands():
    assert "make serve" in README and "make test" in README
