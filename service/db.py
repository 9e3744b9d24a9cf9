"""One small database layer over SQLite and PostgreSQL: connections, transactions, migrations.

The store writes its SQL once with `?` placeholders; this layer rewrites them for psycopg and
hands rows back as dicts. SQLite runs in WAL mode with full fsync on commit; every write is one
`BEGIN IMMEDIATE` transaction, so writers queue instead of failing. PostgreSQL runs at READ
COMMITTED with explicit row locks taken by the store. Conflicts that a retry resolves
(serialization failures, deadlocks, a unique key won by a concurrent writer) are retried here.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar
from urllib.parse import unquote, urlparse

from models.errors import NewsroomError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
T = TypeVar("T")
# Connections a forked child inherited from its parent: never used or closed in the child (closing
# an inherited SQLite handle can break the parent's locks), only kept from the garbage collector.
_INHERITED: list[Any] = []


class StoreUnavailable(NewsroomError):
    """The database cannot be reached or opened (a 503: the caller may retry)."""

    status = 503
    code = "store_unavailable"


def dialect_of(url: str) -> str:
    """'postgres' or 'sqlite' from a DATABASE_URL."""
    scheme = urlparse(url).scheme.lower()
    if scheme in ("postgres", "postgresql") or scheme.startswith("postgresql+"):
        return "postgres"
    if scheme == "sqlite":
        return "sqlite"
    raise NewsroomError(f"DATABASE_URL must start with sqlite:/// or postgresql://, got {url!r}",
                        code="bad_database_url")


def sqlite_path(url: str) -> Path:
    """The file a sqlite:///path URL names (sqlite:////abs/path or sqlite:///relative/path)."""
    rest = url.split(":", 1)[1]
    if not rest.startswith("///"):
        raise NewsroomError("a SQLite DATABASE_URL looks like sqlite:///path/to/file.sqlite3",
                            code="bad_database_url")
    path = unquote(rest[3:])
    if not path or path == ":memory:":
        raise NewsroomError("the store needs a SQLite file, not an in-memory database",
                            code="bad_database_url")
    return Path(path)


class Tx:
    """One open transaction: execute SQL written with `?` placeholders, rows as dicts."""

    def __init__(self, conn: Any, dialect: str) -> None:
        self.conn = conn
        self.dialect = dialect

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.dialect == "postgres" else sql

    def execute(self, sql: str, params: tuple | list = ()) -> Any:
        """Run one statement; returns the driver's cursor."""
        return self.conn.execute(self._sql(sql), tuple(params))

    def executemany(self, sql: str, rows: list) -> None:
        """Run one statement for many parameter rows (pipelined on PostgreSQL)."""
        if rows:
            if self.dialect == "postgres":
                with self.conn.cursor() as cur:
                    cur.executemany(self._sql(sql), rows)
            else:
                self.conn.executemany(sql, rows)

    def all(self, sql: str, params: tuple | list = ()) -> list[dict]:
        """Every row of a query, as dicts."""
        return [dict(row) for row in self.execute(sql, params).fetchall()]

    def one(self, sql: str, params: tuple | list = ()) -> dict | None:
        """The first row of a query as a dict, or None."""
        row = self.execute(sql, params).fetchone()
        return None if row is None else dict(row)

    def lock_clause(self) -> str:
        """`FOR UPDATE` on PostgreSQL; SQLite's BEGIN IMMEDIATE already holds the write lock."""
        return " FOR UPDATE" if self.dialect == "postgres" else ""


class Database:
    """Connections (one per thread per process, safe across gunicorn's fork) and transactions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.dialect = dialect_of(url)
        self.path = sqlite_path(url) if self.dialect == "sqlite" else None
        self._local = threading.local()

    # -- connections ----------------------------------------------------------------------
    def _connect(self) -> Any:
        if self.dialect == "sqlite":
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(self.path), timeout=60, isolation_level=None,
                                   check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout = 60000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            return conn
        import psycopg
        from psycopg.rows import dict_row

        try:
            return psycopg.connect(self.url, autocommit=True, row_factory=dict_row,
                                   connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise StoreUnavailable(f"cannot connect to the database: {exc}".strip()) from exc

    def connection(self) -> Any:
        """This thread's connection (a new one after a fork or after a broken one)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid != os.getpid():
            _INHERITED.append(conn)
            conn = self._local.conn = None
        if conn is None:
            try:
                conn = self._connect()
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"cannot open the database: {exc}") from exc
            self._local.conn = conn
            self._local.pid = os.getpid()
        return conn

    def _discard(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None and getattr(self._local, "pid", None) == os.getpid():
            try:
                conn.close()
            except Exception:  # closing a broken connection may fail too; it is gone either way
                pass

    def close(self) -> None:
        """Close this thread's connection."""
        self._discard()

    # -- transactions ---------------------------------------------------------------------
    @contextmanager
    def transaction(self, write: bool = False, durable: bool = True) -> Iterator[Tx]:
        """One transaction: committed when the block ends, rolled back if it raises.

        A read (`write=False`) runs its statements in autocommit: every read of the store is one
        statement, which sees one consistent snapshot by itself. `durable=False` (rate counters)
        skips the flush to disk at commit: such a commit survives a crash of the process but not
        of the machine.
        """
        conn = self.connection()
        if not write:
            try:
                yield Tx(conn, self.dialect)
            except Exception as exc:
                if self._unavailable(exc):
                    self._discard()
                raise
            return
        if self.dialect == "sqlite":
            if not durable:
                conn.execute("PRAGMA synchronous = NORMAL")
            try:
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    yield Tx(conn, self.dialect)
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            finally:
                if not durable:
                    conn.execute("PRAGMA synchronous = FULL")
            return
        import psycopg

        try:
            with conn.transaction():
                if not durable:
                    conn.execute("SET LOCAL synchronous_commit TO OFF")
                yield Tx(conn, self.dialect)
        except psycopg.OperationalError:
            self._discard()
            raise

    def run(self, fn: Callable[[Tx], T], *, write: bool = False, durable: bool = True,
            attempts: int = 6) -> T:
        """Run `fn` in a transaction, retrying the conflicts that a fresh attempt resolves."""
        for attempt in range(attempts):
            try:
                with self.transaction(write=write, durable=durable) as tx:
                    return fn(tx)
            except Exception as exc:
                if attempt + 1 >= attempts or not self._retryable(exc):
                    if self._unavailable(exc):
                        raise StoreUnavailable(f"the database failed: {exc}") from exc
                    raise
                log.info("retrying a transaction after %s", type(exc).__name__)
                time.sleep(0.01 * (2 ** attempt))
        raise AssertionError("not reached")

    def _retryable(self, exc: Exception) -> bool:
        if self.dialect == "sqlite":
            return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc) \
                or isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc)
        import psycopg
        from psycopg import errors

        return isinstance(exc, (errors.SerializationFailure, errors.DeadlockDetected,
                                errors.UniqueViolation, psycopg.OperationalError))

    def _unavailable(self, exc: Exception) -> bool:
        if self.dialect == "sqlite":
            return isinstance(exc, sqlite3.OperationalError)
        import psycopg

        return isinstance(exc, psycopg.OperationalError)

    # -- migrations -----------------------------------------------------------------------
    def migrations(self) -> list[tuple[int, str, str]]:
        """(version, name, SQL) of every migration for this dialect, in order."""
        found = []
        for path in sorted(MIGRATIONS_DIR.glob(f"*.{self.dialect}.sql")):
            number, _, name = path.name.split(".")[0].partition("_")
            found.append((int(number), name, path.read_text(encoding="utf-8")))
        return found

    def migrate(self) -> list[int]:
        """Apply the migrations not yet applied (each in its own transaction); returns them."""
        conn = self.connection()
        if self.dialect == "sqlite":
            conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                         " name TEXT NOT NULL, applied_at TEXT NOT NULL)")
        else:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(724100)")
                conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER "
                             "PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
        applied: list[int] = []
        for version, name, sql in self.migrations():
            with self.transaction(write=True) as tx:
                if self.dialect == "postgres":
                    tx.execute("SELECT pg_advisory_xact_lock(724100)")
                if tx.one("SELECT version FROM schema_migrations WHERE version = ?", (version,)):
                    continue
                for statement in _statements(sql) if self.dialect == "sqlite" else [sql]:
                    tx.conn.execute(statement)
                tx.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                           (version, name, utcnow()))
                applied.append(version)
                log.info("applied migration %04d_%s", version, name)
        return applied

    def schema_version(self) -> int:
        """The highest applied migration (0 before any)."""
        with self.transaction() as tx:
            row = tx.one("SELECT MAX(version) AS v FROM schema_migrations")
        return int(row["v"] or 0) if row else 0


def _statements(script: str) -> list[str]:
    """Split a SQLite script into complete statements (triggers keep their inner `;`)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        if not buf and line.strip().startswith("--"):
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def utcnow() -> str:
    """Now, UTC, ISO 8601 with microseconds and a Z: sorts as text in both databases."""
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")
