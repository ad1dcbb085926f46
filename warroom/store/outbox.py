"""The local outbox: commands wait here, in order, until a warroom server has taken them.

Every command a remote client sends is first written to this file with its idempotency key, then
sent. If the server is unreachable it stays, and `flush` sends everything pending for that server
in order once it answers again. Because the server stores each key's outcome, a command sent twice
(the answer was lost, two processes flushed at once) still makes one set of events.

The file is SQLite (one per user, in the user data dir) so several processes on the laptop (a
console and a few CLI runs) can share it safely. A flush holds an advisory lock file so only one
process sends at a time; the others wait briefly, then read the outcome it recorded.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

try:  # advisory file locks (POSIX); elsewhere idempotency keys still keep sends single
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pending (
    n INTEGER PRIMARY KEY AUTOINCREMENT,
    server TEXT NOT NULL,
    key TEXT NOT NULL UNIQUE,
    actor TEXT NOT NULL,
    command TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE TABLE IF NOT EXISTS done (
    key TEXT PRIMARY KEY,
    server TEXT NOT NULL,
    command TEXT NOT NULL,
    status INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    finished_at TEXT NOT NULL
);
"""
KEEP_DONE = 1000
"""Finished entries kept (newest) so a waiting process can read the outcome of its command."""


def default_outbox_path() -> Path:
    """`warroom.paths.outbox_path()`."""
    from warroom.paths import outbox_path

    return outbox_path()


@dataclass(frozen=True)
class Entry:
    """One waiting command."""

    n: int
    server: str
    key: str
    actor: str
    command: dict[str, Any]
    queued_at: datetime
    """When the person issued it, on the server's clock as the client estimated it."""
    attempts: int = 0
    last_error: str | None = None


@dataclass(frozen=True)
class Sent:
    """What happened to one send."""

    kind: Literal["ok", "rejected", "retry"]
    """`ok`: stored (or a duplicate); `rejected`: the server refused it for good; `retry`: try
    later (unreachable, 5xx, 401, 429)."""
    status: int = 0
    body: dict[str, Any] = field(default_factory=dict)
    error: str = ""


@dataclass
class FlushReport:
    """What one flush did."""

    sent: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    remaining: int = 0
    error: str = ""
    """Why sending stopped early (empty when everything went)."""
    status: int = 0
    """The HTTP status that stopped sending (0: unreachable, or nothing stopped it)."""


@dataclass(frozen=True)
class Outcome:
    """The recorded result of a finished entry."""

    key: str
    status: int
    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        """True when the server took the command."""
        return 200 <= self.status < 300


class Outbox:
    """A durable, ordered queue of commands per server."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_outbox_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(
            str(self.path), timeout=10.0, isolation_level=None, check_same_thread=False
        )
        self._lock = threading.RLock()
        self._flushing = threading.Lock()
        with self._lock:
            self._conn.execute("PRAGMA busy_timeout = 10000")
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = FULL")
            self._conn.executescript(_SCHEMA)

    def add(self, server: str, key: str, actor: str, command: dict[str, Any],
            queued_at: datetime) -> Entry:
        """Queue a command durably (a key already queued or finished is left as it is)."""
        with self._lock:
            self._conn.execute(
                "INSERT OR IGNORE INTO pending (server, key, actor, command, queued_at)"
                " SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM done WHERE key = ?)",
                (server, key, actor, json.dumps(command), queued_at.isoformat(), key),
            )
            row = self._conn.execute(
                "SELECT n, attempts FROM pending WHERE key = ?", (key,)
            ).fetchone()
        n, attempts = row if row is not None else (0, 0)
        return Entry(n, server, key, actor, command, queued_at, attempts)

    def pending(self, server: str | None = None) -> list[Entry]:
        """Waiting commands in the order they were issued."""
        sql = ("SELECT n, server, key, actor, command, queued_at, attempts, last_error"
               " FROM pending")
        params: tuple[Any, ...] = ()
        if server is not None:
            sql += " WHERE server = ?"
            params = (server,)
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY n", params).fetchall()
        return [
            Entry(r[0], r[1], r[2], r[3], json.loads(r[4]), datetime.fromisoformat(r[5]),
                  r[6], r[7])
            for r in rows
        ]

    def count(self, server: str | None = None) -> int:
        """How many commands wait (for one server, or all)."""
        with self._lock:
            if server is None:
                row = self._conn.execute("SELECT COUNT(*) FROM pending").fetchone()
            else:
                row = self._conn.execute(
                    "SELECT COUNT(*) FROM pending WHERE server = ?", (server,)
                ).fetchone()
        return int(row[0])

    def outcome(self, key: str) -> Outcome | None:
        """The recorded outcome of a finished command, or None if it has not finished."""
        with self._lock:
            row = self._conn.execute(
                "SELECT status, outcome FROM done WHERE key = ?", (key,)
            ).fetchone()
        return None if row is None else Outcome(key, int(row[0]), json.loads(row[1]))

    def rejected(
        self, server: str | None = None, limit: int = 50
    ) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
        """Recently rejected commands: (key, command, error body), newest first."""
        sql = "SELECT key, command, outcome FROM done WHERE (status < 200 OR status >= 300)"
        params: tuple[Any, ...] = ()
        if server is not None:
            sql += " AND server = ?"
            params = (server,)
        with self._lock:
            rows = self._conn.execute(
                sql + " ORDER BY finished_at DESC LIMIT ?", (*params, limit)
            ).fetchall()
        return [(r[0], json.loads(r[1]), json.loads(r[2])) for r in rows]

    def discard(self, key: str) -> None:
        """Drop a waiting command without sending it."""
        with self._lock:
            self._conn.execute("DELETE FROM pending WHERE key = ?", (key,))

    def _finish(self, entry: Entry, sent: Sent) -> None:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.execute(
                    "INSERT OR REPLACE INTO done (key, server, command, status, outcome,"
                    " finished_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (entry.key, entry.server, json.dumps(entry.command), sent.status,
                     json.dumps(sent.body), datetime.now(UTC).isoformat()),
                )
                self._conn.execute("DELETE FROM pending WHERE key = ?", (entry.key,))
                self._conn.execute(
                    "DELETE FROM done WHERE key NOT IN"
                    " (SELECT key FROM done ORDER BY finished_at DESC LIMIT ?)",
                    (KEEP_DONE,),
                )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    def _failed(self, entry: Entry, error: str) -> None:
        with self._lock:
            self._conn.execute(
                "UPDATE pending SET attempts = attempts + 1, last_error = ? WHERE key = ?",
                (error, entry.key),
            )

    @contextlib.contextmanager
    def _file_lock(self, wait: float) -> Iterator[bool]:
        """Hold the flush lock file (True), or give up after `wait` seconds (False)."""
        if fcntl is None:  # pragma: no cover
            yield True
            return
        fd = os.open(str(self.path) + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        yield False
                        return
                    time.sleep(0.02)
            try:
                yield True
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def flush(
        self, server: str, send: Callable[[Entry], Sent], *, wait: float = 10.0
    ) -> FlushReport:
        """Send everything waiting for `server`, oldest first, stopping at the first `retry`.

        A rejected command is recorded (see `rejected`) and the next one is sent: one bad command
        must not hold back the rest. If another process is flushing, wait up to `wait` seconds.
        """
        report = FlushReport()
        with self._flushing, self._file_lock(wait) as locked:
            if not locked:
                report.error = "another process is sending the outbox"
                report.remaining = self.count(server)
                return report
            for entry in self.pending(server):
                sent = send(entry)
                if sent.kind == "retry":
                    self._failed(entry, sent.error)
                    report.error = sent.error
                    report.status = sent.status
                    break
                self._finish(entry, sent)
                (report.sent if sent.kind == "ok" else report.rejected).append(entry.key)
            report.remaining = self.count(server)
        return report

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._conn.close()
