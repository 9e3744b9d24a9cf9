"""Trained artefacts: folders with a manifest, verified by SHA-256 before anything is loaded.

joblib files are pickles, so a file is only ever opened after its hash matches the one the
manifest records, and only from inside the configured models directory.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

from models.errors import ArtefactError

MANIFEST = "manifest.json"
BUNDLED_DIR = Path(__file__).resolve().parent / "bundled"
_LIBRARIES = ("scikit-learn", "spacy", "numpy", "scipy", "joblib", "langdetect", "pymorphy3")


def models_dir() -> Path:
    """The configured models directory: NEWSROOM_MODELS_DIR, else the bundled artefacts."""
    return Path(os.environ.get("NEWSROOM_MODELS_DIR") or BUNDLED_DIR).resolve()


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fingerprint(records: Iterable[Any]) -> str:
    """A stable SHA-256 over JSON-serialisable training records (the training-data fingerprint)."""
    digest = hashlib.sha256()
    for rec in records:
        digest.update(json.dumps(rec, sort_keys=True, ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    """Versions of the libraries an artefact depends on (recorded so a mismatch can be seen)."""
    versions = {"python": platform.python_version()}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def write_manifest(folder: Path, *, name: str, version: str, files: Iterable[str],
                   training_data: dict | None = None, metrics: dict | None = None,
                   extra: dict | None = None) -> dict:
    """Write `manifest.json` for the artefact in `folder`, hashing every listed file."""
    folder = Path(folder)
    manifest = {
        "name": name,
        "version": version,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "files": {f: sha256_file(folder / f) for f in sorted(files)},
        "libraries": library_versions(),
        "training_data": training_data or {},
        "metrics": metrics or {},
    }
    if extra:
        manifest.update(extra)
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, folder / MANIFEST)
    return manifest


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def read_manifest(folder: Path, *, root: Path | None = None) -> dict:
    """Read and verify an artefact folder: every listed file present and matching its hash."""
    folder = Path(folder)
    root = Path(root) if root is not None else models_dir()
    if not _inside(folder, root):
        raise ArtefactError(f"artefact {folder} is outside the models directory {root}")
    path = folder / MANIFEST
    if not path.is_file():
        raise ArtefactError(f"artefact {folder.name}: {MANIFEST} is missing in {folder}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ArtefactError(f"artefact {folder.name}: unreadable manifest ({exc})") from exc
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise ArtefactError(f"artefact {folder.name}: manifest lists no files")
    for rel, expected in files.items():
        file_path = folder / rel
        if not _inside(file_path, folder) or not file_path.is_file():
            raise ArtefactError(f"artefact {folder.name}: file {rel} is missing")
        actual = sha256_file(file_path)
        if actual != expected:
            raise ArtefactError(
                f"artefact {folder.name}: file {rel} does not match its manifest "
                f"(sha256 {actual[:12]}… != {str(expected)[:12]}…)")
    return manifest


def load_joblib(folder: Path, filename: str, *, root: Path | None = None) -> tuple[Any, dict]:
    """Verify the artefact in `folder`, then unpickle `filename` from it; returns (object, manifest)."""
    import joblib

    manifest = read_manifest(folder, root=root)
    if filename not in manifest["files"]:
        raise ArtefactError(f"artefact {Path(folder).name}: {filename} is not listed in its manifest")
    try:
        return joblib.load(Path(folder) / filename), manifest
    except Exception as exc:  # a verified file that still fails to load is a broken artefact
        raise ArtefactError(f"artefact {Path(folder).name}: {filename} failed to load ({exc})") from exc


def load_json(folder: Path, filename: str, *, root: Path | None = None) -> tuple[Any, dict]:
    """Verify the artefact in `folder`, then parse the JSON table `filename`; returns (data, manifest)."""
    folder = Path(folder)
    manifest = read_manifest(folder, root=root)
    if filename not in manifest["files"]:
        raise ArtefactError(f"artefact {folder.name}: {filename} is not listed in its manifest")
    try:
        return json.loads((folder / filename).read_text(encoding="utf-8")), manifest
    except (OSError, ValueError) as exc:
        raise ArtefactError(f"artefact {folder.name}: unreadable {filename} ({exc})") from exc
