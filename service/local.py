"""`newsroom serve` as a child process on a free loopback port, ready when constructed.

One way to run the production server from tests, benchmarks and operators' scripts: gunicorn
with the settings `newsroom serve` uses, its log in a file, its workers findable for RSS and
kill checks, and a clean stop of the whole process group.
"""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from models.errors import NewsroomError

REPO_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalService:
    """The service under gunicorn on 127.0.0.1; `cold_start` is seconds from spawn to ready."""

    def __init__(self, workdir: Path, *, env: dict[str, str] | None = None,
                 ready_within: float = 300.0) -> None:
        self.port = free_port()
        self.log = Path(workdir) / "gunicorn.log"
        full_env = {**os.environ, "NEWSROOM_DATA_DIR": str(workdir), **(env or {})}
        started = time.perf_counter()
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1",
                 "--port", str(self.port)],
                cwd=REPO_ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        try:
            self._wait_ready(started, ready_within)
        except BaseException:
            self.stop()
            raise
        self.cold_start = time.perf_counter() - started

    def url(self, path: str) -> str:
        """The full URL of `path` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def request(self, method: str, path: str, body: bytes | None = None, *, timeout: float = 120,
                headers: dict | None = None) -> tuple[int, bytes]:
        """One HTTP request on a fresh connection; returns (status, body)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body,
                         headers={"Content-Type": "application/json", **(headers or {})})
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def _wait_ready(self, started: float, limit: float) -> None:
        while time.perf_counter() - started < limit:
            if self.proc.poll() is not None:
                raise NewsroomError("gunicorn exited:\n" + self.log.read_text(errors="replace")[-3000:],
                                    code="server_exited")
            try:
                if self.request("GET", "/v1/ready", timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise NewsroomError(f"the service did not become ready in {limit:.0f} s", code="not_ready")

    def worker_pids(self) -> list[int]:
        """The gunicorn worker processes (children of the master)."""
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(p) for p in path.read_text().split()] if path.exists() else []

    def stop(self) -> None:
        """SIGTERM the process group; SIGKILL it if it has not gone after 30 s."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
