"""The local outbox: commands wait here, in order, until a warroom server has taken them.

Every command a remote client sends is first written to this file with its idempotency key, the
time it was issued and the identity (a fingerprint of the token) that issued it, then sent. If the
server is unreachable it stays `pending`, and `flush` sends what is pending in order once the
server answers again: always with the time it was issued, and only under the token that queued
it (an entry of another token waits for that token; one whose token the server refuses waits and
needs attention). A command the server refuses for good becomes `failed`, with the server's
reason, until someone retries or discards it. Because the server stores each key's outcome, a
command sent twice (the answer was lost, two processes flushed at once) still makes one set of
events.

The file is SQLite (one per user, in the user data dir) so several processes on the laptop (a
console and a few CLI runs) can share it safely. A flush holds an advisory lock file so only one
process sends at a time; the others wait briefly, then read the outcome it recorded. An
unreadable file is moved aside (with a warning naming it) and a new one started.
"""

from __future__ import annotations

import contextlib
import hashlib
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
CREATE TABLE IF NOT EXISTS entries (
    n INTEGER PRIMARY KEY AUTOINCREMENT,
    server TEXT NOT NULL,
    key TEXT NOT NULL UNIQUE,
    identity TEXT NOT NULL,
    person TEXT NOT NULL,
    command TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attention INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    status INTEGER NOT NULL DEFAULT 0,
    outcome TEXT NOT NULL DEFAULT '{}',
    attempts INTEGER NOT NULL DEFAULT 0,
    reported INTEGER NOT NULL DEFAULT 1,
    finished_at TEXT
);
CREATE INDEX IF NOT EXISTS entries_state ON entries (state, server, n);
"""
KEEP_DONE = 1000
"""Finished entries kept (newest) so a waiting process can read the outcome of its command."""

State = Literal["pending", "failed", "done"]


def default_outbox_path() -> Path:
    """`outbox.db` in the user data dir (see `warroom.paths`)."""
    from warroom.paths import outbox_path

    return outbox_path()


def token_identity(token: str) -> str:
    """The identity an entry is bound to: a fingerprint of the token (never the token)."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


class Queued(Exception):
    """A command was kept in the outbox (server unreachable): the caller reports it as such."""

    def __init__(self, entry: Entry, pending: int, why: str) -> None:
        self.entry = entry
        self.pending = pending
        super().__init__(
            f"queued: {why or 'server unreachable'}; #{entry.n} waits with "
            f"{pending - 1} other command(s) and is sent when {entry.server} answers "
            "('warroom outbox' lists them)")


@dataclass(frozen=True)
class Entry:
    """One command in the outbox."""

    n: int
    """Its id (`warroom outbox retry N`)."""
    server: str
    key: str
    identity: str
    """Fingerprint of the token that queued it; it is sent under that token only."""
    person: str
    command: dict[str, Any]
    issued_at: datetime
    """When the person issued it, on the server's clock as the client estimated it."""
    state: State = "pending"
    attention: bool = False
    """Pending but stuck until someone acts (its token was refused, or is not the current one)."""
    reason: str = ""
    """Why it failed, or why it waits."""
    status: int = 0
    outcome: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0

    def describe(self) -> str:
        """`note ESC-1 "text…"`: the command in a few words."""
        cmd = self.command
        words = [str(cmd.get("type", "?"))]
        if cmd.get("incident_id"):
            words.append(str(cmd["incident_id"]))
        text = next((cmd[k] for k in ("text", "title", "body", "summary", "reason")
                     if isinstance(cmd.get(k), str) and cmd[k]), None)
        if text is not None:
            words.append(json.dumps(text if len(text) <= 40 else text[:39] + "…"))
        return " ".join(words)

    def line(self) -> str:
        """`#3 note ESC-1 "…" (dana, issued 2026-11-29 23:50Z)`."""
        issued = self.issued_at.isoformat().replace("T", " ")[:16] + "Z"
        return f"#{self.n} {self.describe()} ({self.person}, issued {issued})"

    def trouble(self) -> str:
        """The line that tells the person a queued command was refused or is stuck."""
        what = "was refused" if self.state == "failed" else "needs attention"
        return (f"outbox {self.line()} {what}: {self.reason} "
                f"('warroom outbox retry {self.n}' or 'warroom outbox discard {self.n}')")

    def to_json(self) -> dict[str, Any]:
        """The `warroom outbox --json` row."""
        return {"id": self.n, "state": self.state, "attention": self.attention,
                "command": self.command, "issued_at": self.issued_at.isoformat(),
                "reason": self.reason, "status": self.status or None, "person": self.person,
                "server": self.server, "idempotency_key": self.key, "attempts": self.attempts}


@dataclass(frozen=True)
class Sent:
    """What happened to one send."""

    kind: Literal["ok", "rejected", "retry", "unauthorized"]
    """`ok`: stored (or a duplicate); `rejected`: the server refused it for good; `retry`: try
    later (unreachable, 5xx, 429); `unauthorized`: the token was refused (401)."""
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
    """The recorded result of a finished (or failed) entry."""

    key: str
    status: int
    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        """True when the server took the command."""
        return 200 <= self.status < 300


_COLUMNS = ("n, server, key, identity, person, command, issued_at, state, attention, reason,"
            " status, outcome, attempts")


def _entry(row: tuple[Any, ...]) -> Entry:
    return Entry(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]),
                 datetime.fromisoformat(row[6]), row[7], bool(row[8]), row[9], row[10],
                 json.loads(row[11]), row[12])


class Outbox:
    """A durable, ordered queue of commands per server.

    `warnings` holds one line per problem met on opening (an unreadable file moved aside).
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_outbox_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.warnings: list[str] = []
        self._lock = threading.RLock()
        self._flushing = threading.Lock()
        try:
            self._conn = self._open()
        except sqlite3.DatabaseError as exc:
            aside = self._move_aside()
            self.warnings.append(f"outbox {self.path} is unreadable ({exc}): moved aside to "
                                 f"{aside.name}; starting an empty one")
            self._conn = self._open()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(str(self.path), timeout=10.0, isolation_level=None,
                               check_same_thread=False)
        try:
            conn.execute("PRAGMA busy_timeout = 10000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.executescript(_SCHEMA)
            conn.execute(f"SELECT {_COLUMNS} FROM entries LIMIT 1").fetchall()
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def _move_aside(self) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(str(self.path) + suffix).rename(Path(str(aside) + suffix))
        return aside

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # -- adding and reading --

    def add(self, server: str, key: str, identity: str, person: str, command: dict[str, Any],
            issued_at: datetime) -> Entry:
        """Queue a command durably (a key already in the outbox is left as it is)."""
        with self._lock:
            self._conn.execute(
                "INSERT OR IGNORE INTO entries (server, key, identity, person, command,"
                " issued_at) VALUES (?, ?, ?, ?, ?, ?)",
                (server, key, identity, person, json.dumps(command), issued_at.isoformat()),
            )
        entry = self.by_key(key)
        assert entry is not None
        return entry

    def by_key(self, key: str) -> Entry | None:
        """The entry with this idempotency key (any state)."""
        rows = self._query(f"SELECT {_COLUMNS} FROM entries WHERE key = ?", (key,))
        return _entry(rows[0]) if rows else None

    def get(self, n: int) -> Entry | None:
        """The entry with this id (any state)."""
        rows = self._query(f"SELECT {_COLUMNS} FROM entries WHERE n = ?", (n,))
        return _entry(rows[0]) if rows else None

    def entries(self, server: str | None = None,
                states: tuple[State, ...] = ("pending", "failed")) -> list[Entry]:
        """Entries in these states (default: all that wait or failed), oldest first."""
        sql = f"SELECT {_COLUMNS} FROM entries WHERE state IN ({','.join('?' * len(states))})"
        params: tuple[Any, ...] = states
        if server is not None:
            sql += " AND server = ?"
            params = (*params, server)
        return [_entry(r) for r in self._query(sql + " ORDER BY n", params)]

    def pending(self, server: str | None = None) -> list[Entry]:
        """Waiting commands in the order they were issued."""
        return self.entries(server, ("pending",))

    def failed(self, server: str | None = None) -> list[Entry]:
        """Commands the server refused, oldest first."""
        return self.entries(server, ("failed",))

    def count(self, server: str | None = None, state: State = "pending") -> int:
        """How many entries are in `state` (for one server, or all)."""
        sql = "SELECT COUNT(*) FROM entries WHERE state = ?"
        params: tuple[Any, ...] = (state,)
        if server is not None:
            sql += " AND server = ?"
            params = (state, server)
        return int(self._query(sql, params)[0][0])

    def attention(self, server: str | None = None) -> int:
        """How many entries need someone to act: failed, or pending but stuck."""
        sql = "SELECT COUNT(*) FROM entries WHERE (state = 'failed' OR attention = 1)"
        params: tuple[Any, ...] = ()
        if server is not None:
            sql += " AND server = ?"
            params = (server,)
        return int(self._query(sql, params)[0][0])

    def outcome(self, key: str) -> Outcome | None:
        """The server's answer to a finished or failed command (None while it waits)."""
        rows = self._query("SELECT status, outcome, state FROM entries WHERE key = ?", (key,))
        if not rows or rows[0][2] == "pending":
            return None
        return Outcome(key, int(rows[0][0]), json.loads(rows[0][1]))

    def unreported(self) -> list[Entry]:
        """Failed or stuck entries not yet shown to the person; marks them shown."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_COLUMNS} FROM entries WHERE reported = 0"
                " AND (state = 'failed' OR attention = 1) ORDER BY n").fetchall()
            self._conn.execute("UPDATE entries SET reported = 1 WHERE reported = 0")
        return [_entry(r) for r in rows]

    # -- acting on entries --

    def retry(self, n: int) -> Entry | None:
        """Make a failed or stuck entry pending again (sent by the next flush of its token)."""
        with self._lock:
            self._conn.execute(
                "UPDATE entries SET state = 'pending', attention = 0, reason = '', status = 0,"
                " reported = 1 WHERE n = ? AND state != 'done'", (n,))
        return self.get(n)

    def discard(self, key_or_n: str | int) -> bool:
        """Drop a waiting or failed command without sending it; False if there is none."""
        column = "n" if isinstance(key_or_n, int) else "key"
        with self._lock:
            cursor = self._conn.execute(
                f"DELETE FROM entries WHERE {column} = ? AND state != 'done'", (key_or_n,))
        return cursor.rowcount > 0

    def settle(self, key: str) -> None:
        """A failure the person saw at once (the command they just ran) needs no attention."""
        with self._lock:
            self._conn.execute(
                "UPDATE entries SET state = 'done', reported = 1 WHERE key = ?", (key,))

    def _finish(self, entry: Entry, sent: Sent) -> None:
        state = "done" if sent.kind == "ok" else "failed"
        reason = "" if sent.kind == "ok" else _reason(sent)
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.execute(
                    "UPDATE entries SET state = ?, status = ?, outcome = ?, reason = ?,"
                    " attention = 0, reported = ?, attempts = attempts + 1, finished_at = ?"
                    " WHERE key = ?",
                    (state, sent.status, json.dumps(sent.body), reason, int(state == "done"),
                     datetime.now(UTC).isoformat(), entry.key),
                )
                self._conn.execute(
                    "DELETE FROM entries WHERE state = 'done' AND n NOT IN"
                    " (SELECT n FROM entries WHERE state = 'done' ORDER BY n DESC LIMIT ?)",
                    (KEEP_DONE,),
                )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    def _wait(self, entry: Entry, reason: str, *, attention: bool, tried: bool) -> None:
        """Keep the entry pending, noting why (newly stuck entries are reported once)."""
        with self._lock:
            self._conn.execute(
                "UPDATE entries SET reason = ?, attempts = attempts + ?,"
                " reported = CASE WHEN ? AND attention = 0 THEN 0 ELSE reported END,"
                " attention = ? WHERE key = ? AND state = 'pending'",
                (reason, int(tried), int(attention), int(attention), entry.key),
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
        self, server: str, identity: str, send: Callable[[Entry], Sent], *, wait: float = 10.0
    ) -> FlushReport:
        """Send what waits for `server` under `identity`, oldest first.

        Entries of another identity are left waiting (marked for attention: only their own
        token may send them). Sending stops at the first `retry` (unreachable) or
        `unauthorized` (that entry and the rest of this token's wait, needing attention). A
        rejected command becomes `failed` and the next one is sent: one bad command must not
        hold back the rest. If another process is flushing, wait up to `wait` seconds.
        """
        report = FlushReport()
        with self._flushing, self._file_lock(wait) as locked:
            if not locked:
                report.error = "another process is sending the outbox"
                report.remaining = self.count(server)
                return report
            for entry in self.pending(server):
                if entry.identity != identity:
                    if not entry.attention:
                        self._wait(entry, f"queued by {entry.person} under another token: "
                                   "waits for that token", attention=True, tried=False)
                    continue
                sent = send(entry)
                if sent.kind in ("retry", "unauthorized"):
                    refused = sent.kind == "unauthorized"
                    reason = (f"token refused by the server ({sent.error}): waits for a valid "
                              "token of its person" if refused else sent.error)
                    for waiting in self.pending(server):
                        if waiting.identity == identity and waiting.n >= entry.n:
                            self._wait(waiting, reason, attention=refused,
                                       tried=waiting.n == entry.n)
                            if not refused:
                                break
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


def _reason(sent: Sent) -> str:
    """The server's reason for refusing, in one line."""
    body = sent.body
    message = str(body.get("error") or body.get("reason") or sent.error or "refused")
    return f"{sent.status} {' '.join(message.split())}".strip()
