"""Holds the serving pipeline and swaps in a newly promoted model without a restart.

Requests read `registry.pipeline` once and keep that reference for the whole request, so a
swap never changes models under a request in flight. A watcher thread (one per worker process)
notices when an artefact's manifest or pointer file changes, loads the new pipeline beside the
old one, and switches the reference only if the new one loaded and verified; otherwise the
service keeps serving what it had and reports the failure in /v1/ready and /v1/version.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from models.errors import ArtefactError, NewsroomError
from models.pipeline import PARTS, Pipeline

log = logging.getLogger(__name__)


def artefact_stamp(root: Path) -> tuple:
    """A cheap fingerprint of the models directory: size and mtime of each artefact's top files.

    Manifests and pointer files (such as the topic model's current-version file) sit at the top
    of each artefact folder, so a retrain, promote or rollback always changes this stamp.
    """
    stamp = []
    for name in sorted(os.listdir(root)) if root.is_dir() else []:
        folder = root / name
        if not folder.is_dir():
            continue
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.is_file():
                info = entry.stat()
                stamp.append((name, entry.name, info.st_mtime_ns, info.st_size))
    return tuple(stamp)


def changed_artefacts(old: tuple, new: tuple) -> set[str]:
    """Names of the artefact folders whose stamp entries differ between two stamps."""
    return {entry[0] for entry in set(old) ^ set(new)}


class ModelRegistry:
    """The serving pipeline of one worker process, with verified hot reload."""

    def __init__(self, root: Path, reload_seconds: int = 5) -> None:
        self.root = Path(root)
        self.reload_seconds = reload_seconds
        self.pipeline: Pipeline | None = None
        self.error: str | None = None
        self.loaded_at: float | None = None
        self._stamp: tuple = ()
        self._lock = threading.Lock()
        self._watcher_pid: int | None = None

    def load(self, only: set[str] | None = None) -> bool:
        """Load every model (or reload the `only` artefacts); on failure keep serving. True if swapped."""
        with self._lock:
            stamp = artefact_stamp(self.root)
            try:
                if only is not None and self.pipeline is not None:
                    pipeline = self.pipeline.reloaded(only, self.root)
                else:
                    pipeline = Pipeline.load(self.root)
            except (ArtefactError, NewsroomError, OSError, ValueError, ImportError) as exc:
                self.error = str(exc)
                self._stamp = stamp  # do not retry the same broken state in a loop
                log.error("model load failed, keeping the serving models: %s", exc)
                return False
            self.pipeline = pipeline
            self.error = None
            self.loaded_at = time.time()
            self._stamp = stamp
            log.info("models loaded: %s", pipeline.versions())
            return True

    @property
    def ready(self) -> bool:
        """True when every model is loaded."""
        return self.pipeline is not None

    def versions(self) -> dict[str, str]:
        """Each serving model's version (empty before the first successful load)."""
        return self.pipeline.versions() if self.pipeline else {}

    def check_for_update(self) -> bool:
        """Reload if the artefacts changed on disk since the last load; True if swapped."""
        stamp = artefact_stamp(self.root)
        if stamp == self._stamp:
            return False
        return self.load(changed_artefacts(self._stamp, stamp))

    def ensure_watcher(self) -> None:
        """Start this process's watcher thread once (gunicorn forks after the app is built)."""
        if self.reload_seconds <= 0 or self._watcher_pid == os.getpid():
            return
        self._watcher_pid = os.getpid()
        thread = threading.Thread(target=self._watch, name="model-watcher", daemon=True)
        thread.start()

    def _watch(self) -> None:
        while True:
            time.sleep(self.reload_seconds)
            try:
                self.check_for_update()
            except Exception:  # the watcher must never die; the error is logged
                log.exception("model watcher failed")


__all__ = ["ModelRegistry", "PARTS", "artefact_stamp"]
