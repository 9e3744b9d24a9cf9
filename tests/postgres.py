"""A throwaway PostgreSQL server for the store's tests, and the `database_url` fixture.

The server is started once per test run in a temporary directory on a loopback port (installed
with apt-get first when initdb/pg_ctl are missing and we may install). Each test gets its own
fresh database on it. NEWSROOM_TEST_POSTGRES_URL points the tests at an existing server instead.
When PostgreSQL cannot be had, the postgres-parametrised tests skip locally but FAIL when CI=true.
"""
from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

BACKENDS = ("sqlite", "postgres")
_server: "PostgresServer | None" = None
_server_error: str | None = None


def _pg_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl (PATH first, then Debian's versioned folders)."""
    for name in ("initdb", "pg_ctl"):
        if not shutil.which(name):
            break
    else:
        return Path(os.path.realpath(shutil.which("pg_ctl"))).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                        key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    return Path(candidates[-1]).parent if candidates else None


def _install_postgres() -> None:
    """apt-get install postgresql (as root, or through password-less sudo)."""
    prefix: list[str] = []
    if os.geteuid() != 0:
        if not shutil.which("sudo") or subprocess.run(["sudo", "-n", "true"],
                                                      capture_output=True).returncode != 0:
            raise RuntimeError("PostgreSQL is not installed and this user may not install it")
        prefix = ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(prefix + ["apt-get", "update"], check=True, capture_output=True, env=env,
                   timeout=600)
    subprocess.run(prefix + ["apt-get", "install", "-y", "--no-install-recommends", "postgresql"],
                   check=True, capture_output=True, env=env, timeout=900)


def scratch_dir() -> str | None:
    """A memory-backed temporary folder when there is one (/dev/shm), else the default.

    The tests kill processes, never the machine, so flushing to disk proves nothing there and
    only makes the run slower; the store's own settings (WAL, synchronous=FULL) are unchanged.
    """
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """initdb + pg_ctl in a temporary directory, as an unprivileged user, on 127.0.0.1."""

    def __init__(self) -> None:
        bindir = _pg_bindir()
        if bindir is None:
            _install_postgres()
            bindir = _pg_bindir()
        if bindir is None:
            raise RuntimeError("initdb/pg_ctl not found even after installing postgresql")
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="newsroom-pg-", dir=scratch_dir()))
        self.data = self.root / "data"
        self.port = _free_port()
        self.user = self._os_user()
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--no-locale", "--no-sync")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w",
                  "-t", "60", "-o",
                  f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                  f"-c max_connections=200 -c shared_buffers=32MB -c fsync=off "
                  f"-c full_page_writes=off", "start")
        atexit.register(self.stop)

    @staticmethod
    def _os_user() -> str | None:
        """PostgreSQL refuses to run as root: use the `postgres` account (created if need be)."""
        if os.geteuid() != 0:
            return None
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True,
                           capture_output=True)
        return "postgres"

    def _run(self, tool: str, *args: str) -> None:
        cmd = [str(self.bindir / tool), *args]
        if self.user:
            runner = shutil.which("runuser")
            cmd = [runner, "-u", self.user, "--", *cmd] if runner else \
                ["su", self.user, "-s", "/bin/sh", "-c", " ".join(_quote(c) for c in cmd)]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=self.root)
        if done.returncode != 0:
            log = (self.root / "server.log")
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{tool} failed: {done.stderr.strip() or done.stdout.strip()}\n{tail}")

    def url(self, database: str = "postgres") -> str:
        """The connection URL of one database on this server."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        """Stop the server and remove its directory."""
        if self.data.exists():
            try:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            except (RuntimeError, subprocess.TimeoutExpired):
                pass
        shutil.rmtree(self.root, ignore_errors=True)


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def postgres_admin_url() -> str:
    """The server to create test databases on (started on first use); fail or skip if none."""
    global _server, _server_error
    if os.environ.get("NEWSROOM_TEST_POSTGRES_URL"):
        return os.environ["NEWSROOM_TEST_POSTGRES_URL"]
    if _server is None and _server_error is None:
        try:
            _server = PostgresServer()
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            _server_error = str(exc)
    if _server is None:
        message = f"PostgreSQL is not available: {_server_error}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    return _server.url()


def create_database() -> tuple[str, callable]:
    """A fresh, empty database: (its URL, a function that drops it)."""
    from urllib.parse import urlparse

    import psycopg

    admin = postgres_admin_url()
    name = "newsroom_test_" + uuid.uuid4().hex[:12]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = urlparse(admin)._replace(path=f"/{name}").geturl()

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url, drop


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """A fresh, empty database: a real SQLite file, then a real PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return
    url, drop = create_database()
    try:
        yield url
    finally:
        drop()
