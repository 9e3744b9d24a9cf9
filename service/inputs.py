"""Documents for `newsroom analyze`: JSONL or plain-text files, or standard input, in input order."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Iterable, Iterator


def _from_jsonl_lines(lines: Iterable[str], source: str) -> Iterator[dict]:
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except ValueError as exc:
            yield {"id": f"{source}:{lineno}", "error": {"status": 400, "code": "invalid_json",
                                                      "message": f"line {lineno}: {exc}"}}
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("text"), str) or not doc["text"].strip():
            given = doc.get("id") if isinstance(doc, dict) else None
            yield {"id": str(given) if given is not None else f"{source}:{lineno}", "error": {"status": 400, "code": "text_required",
                                                      "message": f"line {lineno}: needs a non-empty 'text'"}}
            continue
        doc.setdefault("id", f"{source}:{lineno}")
        doc["id"] = str(doc["id"])
        yield doc


def iter_input_documents(files: list[Path], *, progress: bool = False) -> Iterator[dict]:
    """Yield documents from files (JSONL by extension, else one text per file) or stdin."""
    if not files:
        yield from _from_jsonl_lines(sys.stdin, "stdin")
        return
    iterable: Iterable[Path] = files
    if progress:
        from tqdm import tqdm
        iterable = tqdm(files, desc="files", unit="file", file=sys.stderr)
    for path in iterable:
        if path.suffix.lower() == ".jsonl":
            with open(path, encoding="utf-8") as fh:
                yield from _from_jsonl_lines(fh, path.name)
        else:
            text = path.read_text(encoding="utf-8", errors="replace")
            yield {"id": path.name, "text": text}
