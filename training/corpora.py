"""Corpus readers: the shared evaluation data and the project's own corpora, as records."""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Iterator

REPO_ROOT = Path(__file__).resolve().parent.parent
STARTER_DIR = Path(__file__).resolve().parent / "data"


def shared_data_dir() -> Path:
    """Where the shared evaluation data lives: NEWSROOM_SHARED_DATA, else ../shared/data."""
    return Path(os.environ.get("NEWSROOM_SHARED_DATA") or REPO_ROOT.parent / "shared" / "data")


def read_jsonl(path: Path) -> Iterator[dict]:
    """Yield one record per non-empty line of a JSONL file."""
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.strip()
            if line:
                try:
                    yield json.loads(line)
                except ValueError as exc:
                    raise ValueError(f"{path}:{lineno}: not JSON ({exc})") from exc


def read_records(path: Path) -> list[dict]:
    """Read a corpus as JSONL or CSV (by extension); CSV `labels` are separated by `|` or `;`."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        for row in rows:
            raw = row.get("labels") or ""
            row["labels"] = [x.strip() for x in raw.replace(";", "|").split("|") if x.strip()]
        return rows
    return list(read_jsonl(path))
