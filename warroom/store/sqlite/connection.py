"""The SQLite store's connections: one write and one read connection, each behind a lock, and
the one way a write transaction is run (`_transaction`).

Durability and concurrency: WAL journal, `synchronous=FULL`, one `BEGIN IMMEDIATE` transaction
per append. A generous busy timeout makes concurrent writers (in any number of processes) wait,
not fail. Not for network filesystems (SQLite's locking is unreliable there).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from warroom.store.base import StoreError
from warroom.store.sqlite.schema import SCHEMA_VERSION, create_or_upgrade, user_version

BUSY_TIMEOUT_S = 10.0
"""How long a writer waits for another process's write transaction before giving up."""
WAL_RETRY_S = 0.02


class SqliteConnections:
    """A SQLite file opened for writing and reading, safe for many threads.

    Its parts (events, deliveries, keys) run every write through `_transaction` or `_write`
    and every read through `_read_one` or `_read_all`.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self._write_lock = threading.Lock()
        self._read_lock = threading.Lock()
        self._appends = 0
        """Appends made through this object (watchers compare it as well as data_version)."""
        self._appended = False
        """The open write transaction inserted events (bumps `_appends` on commit)."""
        self._closed = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot create directory: {exc}") from exc
        self._wconn = self._connect()
        try:
            self._configure_writer()
            self._migrate()
            self._rconn = self._connect()
        except BaseException:
            self._wconn.close()
            raise

    def _fail(self, exc: BaseException, doing: str) -> StoreError:
        if isinstance(exc, sqlite3.DatabaseError) and "not a database" in str(exc):
            return StoreError(f"{self.path}: not a SQLite database ({exc})")
        return StoreError(f"{self.path}: {doing}: {exc}")

    def _connect(self) -> sqlite3.Connection:
        """A connection in autocommit mode (transactions are explicit) usable from any thread."""
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=BUSY_TIMEOUT_S,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise self._fail(exc, "cannot open") from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA cache_size = -16000")
        except sqlite3.Error as exc:
            conn.close()
            raise self._fail(exc, "cannot open") from exc
        return conn

    def _configure_writer(self) -> None:
        # Switching a new file to WAL can report "locked" at once, without the busy handler,
        # when several processes open it at the same moment: retry until the busy timeout.
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                mode = self._wconn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise self._fail(exc, "cannot switch to WAL") from exc
                time.sleep(WAL_RETRY_S)
            except sqlite3.Error as exc:
                raise self._fail(exc, "cannot switch to WAL") from exc
        if str(mode).lower() != "wal":
            raise StoreError(f"{self.path}: cannot use WAL journal mode (got {mode!r})")

    def _migrate(self) -> None:
        """Create or check the schema, inside a write transaction so racing openers agree."""
        try:
            version = user_version(self._wconn)
        except sqlite3.Error as exc:
            raise self._fail(exc, "cannot prepare schema") from exc
        if version == SCHEMA_VERSION:
            return
        with self._transaction("cannot prepare schema") as conn:
            create_or_upgrade(conn, self.path)

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"{self.path}: store is closed")

    @contextmanager
    def _transaction(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One `BEGIN IMMEDIATE` ... `COMMIT` on the write connection, under the write lock.

        Any error rolls it back; a driver error becomes one StoreError naming `doing`. A
        block that returns early commits what it did (nothing, where it only looked).
        """
        with self._write_lock:
            self._check_open()
            conn = self._wconn
            self._appended = False
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise self._fail(exc, doing) from exc
            if self._appended:
                self._appends += 1

    def _write(self, sql: str, params: tuple[Any, ...]) -> sqlite3.Cursor:
        """One statement in its own durable transaction (autocommit)."""
        with self._write_lock:
            self._check_open()
            try:
                return self._wconn.execute(sql, params)
            except sqlite3.Error as exc:
                raise self._fail(exc, "write failed") from exc

    def _read_one(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        with self._read_lock:
            self._check_open()
            try:
                return self._rconn.execute(sql, params).fetchone()
            except sqlite3.Error as exc:
                raise self._fail(exc, "read failed") from exc

    def _read_all(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[Any]:
        with self._read_lock:
            self._check_open()
            try:
                return self._rconn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise self._fail(exc, "read failed") from exc

    def close(self) -> None:
        """Release both connections (idempotent); running watchers end at their next poll."""
        with self._write_lock, self._read_lock:
            if self._closed:
                return
            self._closed = True
            self._rconn.close()
            self._wconn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r})"
