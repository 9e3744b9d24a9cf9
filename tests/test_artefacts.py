"""Artefacts load only when every file matches its manifest, and only from the models directory."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import joblib
import pytest

from models.artefacts import load_joblib, models_dir, read_manifest, write_manifest
from models.errors import ArtefactError
from service.registry import ModelRegistry


def _artefact(tmp_path: Path) -> Path:
    folder = tmp_path / "demo"
    folder.mkdir()
    joblib.dump({"weights": [1, 2, 3]}, folder / "model.joblib")
    (folder / "table.json").write_text('{"a": 1}', encoding="utf-8")
    write_manifest(folder, name="demo", version="demo-1", files=["model.joblib", "table.json"],
                   training_data={"fingerprint": "abc"}, metrics={"f1": 0.5})
    return folder


def test_round_trip(tmp_path):
    folder = _artefact(tmp_path)
    obj, manifest = load_joblib(folder, "model.joblib", root=tmp_path)
    assert obj == {"weights": [1, 2, 3]}
    assert manifest["version"] == "demo-1"
    assert manifest["libraries"]["joblib"]


def test_one_changed_byte_is_refused(tmp_path):
    folder = _artefact(tmp_path)
    data = bytearray((folder / "model.joblib").read_bytes())
    data[len(data) // 2] ^= 0x01
    (folder / "model.joblib").write_bytes(bytes(data))
    with pytest.raises(ArtefactError, match="does not match"):
        load_joblib(folder, "model.joblib", root=tmp_path)


def test_missing_file_is_refused(tmp_path):
    folder = _artefact(tmp_path)
    (folder / "table.json").unlink()
    with pytest.raises(ArtefactError, match="missing"):
        read_manifest(folder, root=tmp_path)


def test_unlisted_file_is_refused(tmp_path):
    folder = _artefact(tmp_path)
    joblib.dump("sneaky", folder / "other.joblib")
    with pytest.raises(ArtefactError, match="not listed"):
        load_joblib(folder, "other.joblib", root=tmp_path)


def test_manifest_path_escape_is_refused(tmp_path):
    folder = _artefact(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["../outside.json"] = "0" * 64
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtefactError):
        read_manifest(folder, root=tmp_path)


def test_outside_the_models_directory_is_refused(tmp_path):
    folder = _artefact(tmp_path)
    with pytest.raises(ArtefactError, match="outside"):
        read_manifest(folder, root=tmp_path / "elsewhere")


def test_bundled_artefacts_all_verify():
    root = models_dir()
    folders = [p for p in root.iterdir() if (p / "manifest.json").is_file()]
    assert {p.name for p in folders} >= {"language", "counts", "summary", "places"}
    for folder in folders:
        manifest = read_manifest(folder, root=root)
        assert manifest["version"] and manifest["files"]


@pytest.mark.slow
def test_registry_keeps_serving_when_a_new_artefact_is_broken(tmp_path):
    root = tmp_path / "models"
    shutil.copytree(models_dir(), root)
    registry = ModelRegistry(root, reload_seconds=0)
    assert registry.load()
    before = registry.pipeline
    versions = registry.versions()
    # corrupt one file of the counts artefact: the reload must be refused, the old models kept
    target = next(p for p in (root / "counts").iterdir() if p.name != "manifest.json" and p.is_file())
    target.write_bytes(target.read_bytes() + b" ")
    (root / "counts" / "manifest.json").touch()
    assert registry.check_for_update() is False
    assert registry.pipeline is before and registry.versions() == versions
    assert "does not match" in registry.error
