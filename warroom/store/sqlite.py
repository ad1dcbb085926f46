"""SQLite event store: the embedded default and the shared file for several processes on one host.

Layout (schema version 3, kept in `PRAGMA user_version`):

- `events(seq INTEGER PRIMARY KEY, incident_id, kind, actor, occurred_at, recorded_at, payload,
  idempotency_key)`; datetimes are ISO 8601 UTC text, payload is JSON text.
- `commands(key PRIMARY KEY, seqs, result)`: one row per idempotency key (JSON seqs and result).
- `drafts(incident_id, person, body, saved_at)`: one half-written update per incident and person.
- `deliveries`, `statuspage_keys`: messages waiting to be sent (leased), status page key hashes.
- `warroom_tokens(id, person, read_only, hash, created_at, revoked_at)`: API tokens (hashes only),
  so tokens travel with the data they guard.

Durability and concurrency: WAL journal, `synchronous=FULL`, one `BEGIN IMMEDIATE` transaction
per append. Seqs are assigned inside that transaction as `max(seq) + 1 ...`, so writers in any
number of processes never collide or leave gaps; the idempotency key and `expect_seq` are checked
in the same transaction. A generous busy timeout makes concurrent writers wait, not fail.

Watching: each `watch()` owns a read connection and polls `PRAGMA data_version` (which changes
when another connection commits) every 50 ms, plus an in-process append counter, so appends by
other processes and by this one are noticed within tens of milliseconds.

Not for network filesystems (SQLite's locking is unreliable there).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from warroom.domain.models import Event
from warroom.gcpause import collector_paused
from warroom.store.base import (
    AppendResult,
    Delivery,
    Draft,
    NewDelivery,
    SeqConflict,
    StatusPageKey,
    StoredToken,
    StoreError,
)
from warroom.store.codec import (
    COLUMNS,
    DELIVERY_COLUMNS,
    RowNoSeq,
    delivery_from_row,
    dumps,
    event_row,
    events_from_rows,
    iso,
    result_from_row,
)

SCHEMA_VERSION = 4
"""The `PRAGMA user_version` this code writes and understands."""

BUSY_TIMEOUT_S = 10.0
"""How long a writer waits for another process's write transaction before giving up."""

POLL_INTERVAL_S = 0.025
"""How often `watch()` checks for new events (a cheap pragma: ~20 µs a check)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    incident_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    payload TEXT NOT NULL,
    idempotency_key TEXT
);
CREATE INDEX IF NOT EXISTS events_by_incident ON events(incident_id, seq);
CREATE TABLE IF NOT EXISTS commands (
    key TEXT PRIMARY KEY,
    seqs TEXT NOT NULL,
    result TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS drafts (
    incident_id TEXT NOT NULL,
    person TEXT NOT NULL,
    body TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (incident_id, person)
);
""" + """
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    channel TEXT NOT NULL,
    recipients TEXT NOT NULL,
    message TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    due_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    lease_owner TEXT,
    lease_until TEXT,
    last_error TEXT,
    delivered_at TEXT,
    UNIQUE (seq, channel)
);
CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries(state, due_at);
CREATE INDEX IF NOT EXISTS deliveries_by_incident ON deliveries(incident_id, id);
CREATE TABLE IF NOT EXISTS statuspage_keys (
    customer TEXT NOT NULL,
    key_hash TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS warroom_tokens (
    id TEXT PRIMARY KEY,
    person TEXT NOT NULL,
    read_only INTEGER NOT NULL DEFAULT 0,
    hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    bot INTEGER NOT NULL DEFAULT 0
);
"""
_OUR_TABLES = frozenset({"events", "commands", "drafts", "deliveries", "statuspage_keys",
                         "warroom_tokens", "sqlite_sequence"})

_INSERT = (
    "INSERT INTO events (seq, incident_id, kind, actor, occurred_at, recorded_at, payload, "
    "idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def _token_from_row(row: tuple[Any, ...]) -> StoredToken:
    return StoredToken(id=row[0], person=row[1], read_only=bool(row[2]), hash=row[3],
                       created_at=row[4], revoked_at=row[5], bot=bool(row[6]))


_TOKEN_COLUMNS = "id, person, read_only, hash, created_at, revoked_at, bot"


# --- the store ------------------------------------------------------------------------------


class SqliteStore:
    """An event store in one SQLite file, safe for many threads and processes on one host.

    One write connection and one read connection, each guarded by a lock, so the store may be
    used from worker threads; every `watch()` opens its own read connection.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self._write_lock = threading.Lock()
        self._read_lock = threading.Lock()
        self._appends = 0
        """Appends made through this object (watchers compare it as well as data_version)."""
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

    # -- connections --

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
        try:
            mode = self._wconn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.Error as exc:
            raise self._fail(exc, "cannot switch to WAL") from exc
        if str(mode).lower() != "wal":
            raise StoreError(f"{self.path}: cannot use WAL journal mode (got {mode!r})")

    def _migrate(self) -> None:
        """Create or check the schema, inside a write transaction so racing openers agree."""
        conn = self._wconn
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == SCHEMA_VERSION:
                return
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: schema version {version} is newer than this warroom "
                    f"understands ({SCHEMA_VERSION}); upgrade warroom"
                )
            conn.execute("BEGIN IMMEDIATE")
            try:
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version == 0:
                    tables = {
                        r[0]
                        for r in conn.execute(
                            "SELECT name FROM sqlite_master WHERE type = 'table'"
                        )
                    }
                    foreign = tables - _OUR_TABLES
                    if foreign:
                        raise StoreError(
                            f"{self.path}: not a warroom store (has tables {sorted(foreign)})"
                        )
                    for statement in _SCHEMA.split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                elif version < SCHEMA_VERSION:  # every table is CREATE ... IF NOT EXISTS
                    # 1 -> 2: deliveries and status page keys; 2 -> 3: API tokens;
                    # 3 -> 4: bot tokens
                    for statement in _SCHEMA.split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    columns = {r[1] for r in conn.execute("PRAGMA table_info(warroom_tokens)")}
                    if "bot" not in columns:
                        conn.execute("ALTER TABLE warroom_tokens "
                                     "ADD COLUMN bot INTEGER NOT NULL DEFAULT 0")
                    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                elif version > SCHEMA_VERSION:
                    raise StoreError(f"{self.path}: schema version {version} is newer than "
                                     f"this warroom understands ({SCHEMA_VERSION})")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise self._fail(exc, "cannot prepare schema") from exc

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"{self.path}: store is closed")

    # -- events --

    def append(
        self,
        events: Sequence[Event],
        *,
        expect_seq: int | None = None,
        idempotency_key: str | None = None,
        result: dict[str, Any] | None = None,
        deliveries: Sequence[NewDelivery] = (),
    ) -> AppendResult:
        """Durably append events in one transaction, assigning gap-free seqs (see `Store`).

        The key check comes first: a repeated key returns the original outcome even if
        `expect_seq` has gone stale since. Raises `SeqConflict` (nothing written, key not
        consumed), `StoreError` on I/O trouble, `ValueError` for an event that already has a seq.
        """
        for event in events:
            if event.seq != 0:
                raise ValueError(f"event already has seq {event.seq}; the store assigns seqs")
        result = {} if result is None else result
        result_json = dumps(result)
        encoded = [event_row(e) for e in events]  # outside the lock: hold it briefly
        with self._write_lock:
            self._check_open()
            conn = self._wconn
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    if idempotency_key is not None:
                        row = conn.execute(
                            "SELECT seqs, result FROM commands WHERE key = ?", (idempotency_key,)
                        ).fetchone()
                        if row is not None:
                            conn.execute("ROLLBACK")
                            return result_from_row(row[0], row[1], duplicate=True)
                    seqs = self._insert_events(conn, events, encoded, expect_seq)
                    if idempotency_key is not None:
                        conn.execute(
                            "INSERT INTO commands (key, seqs, result) VALUES (?, ?, ?)",
                            (idempotency_key, json.dumps(list(seqs)), result_json),
                        )
                    for d in deliveries:
                        event = events[d.event_index]
                        at = iso(event.recorded_at)
                        conn.execute(
                            "INSERT INTO deliveries (incident_id, seq, channel, recipients, "
                            "message, due_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (event.incident_id, seqs[d.event_index], d.channel,
                             dumps(list(d.recipients)), dumps(d.message), at, at),
                        )
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise self._fail(exc, "append failed") from exc
            if events:
                self._appends += 1
        return AppendResult(seqs=seqs, result=result, duplicate=False)

    @staticmethod
    def _insert_events(conn: sqlite3.Connection, events: Sequence[Event],
                       encoded: list[RowNoSeq], expect_seq: int | None) -> tuple[int, ...]:
        """Insert inside an open write transaction; returns the seqs given."""
        last = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]
        if expect_seq is not None and last != expect_seq:
            raise SeqConflict(expect_seq, last)
        seqs = tuple(range(last + 1, last + 1 + len(events)))
        if encoded:
            conn.executemany(_INSERT, [(s, *row) for s, row in zip(seqs, encoded, strict=True)])
        return seqs

    def lookup(self, idempotency_key: str) -> AppendResult | None:
        """The stored outcome of a command key (marked `duplicate=True`), or None."""
        row = self._read_one("SELECT seqs, result FROM commands WHERE key = ?", (idempotency_key,))
        return None if row is None else result_from_row(row[0], row[1], duplicate=True)

    def read(
        self, since_seq: int = 0, incident_id: str | None = None, limit: int | None = None
    ) -> list[Event]:
        """Events with seq > since_seq (optionally of one incident), in seq order; at most
        `limit` of them when given."""
        with self._read_lock:
            self._check_open()
            return self._read_events(self._rconn, since_seq, incident_id, limit)

    def _read_events(
        self,
        conn: sqlite3.Connection,
        since_seq: int,
        incident_id: str | None = None,
        limit: int | None = None,
    ) -> list[Event]:
        page = -1 if limit is None else max(limit, 0)  # SQLite: a negative LIMIT means none
        try:
            if incident_id is None:
                # Big catch-up reads: pause the collector (see _gc_paused).
                backlog = conn.execute(
                    "SELECT COALESCE(MAX(seq), 0) - ? FROM events", (since_seq,)
                ).fetchone()[0]
                with collector_paused(backlog if page < 0 else min(backlog, page)):
                    return events_from_rows(
                        conn.execute(
                            f"SELECT {COLUMNS} FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                            (since_seq, page),
                        )
                    )
            return events_from_rows(
                conn.execute(
                    f"SELECT {COLUMNS} FROM events WHERE incident_id = ? AND seq > ? "
                    "ORDER BY seq LIMIT ?",
                    (incident_id, since_seq, page),
                )
            )
        except sqlite3.Error as exc:
            raise self._fail(exc, "read failed") from exc

    def last_seq(self) -> int:
        """The highest seq stored (0 when empty)."""
        row = self._read_one("SELECT COALESCE(MAX(seq), 0) FROM events", ())
        return int(row[0]) if row is not None else 0

    def _read_one(self, sql: str, params: tuple[Any, ...]) -> Any:
        with self._read_lock:
            self._check_open()
            try:
                return self._rconn.execute(sql, params).fetchone()
            except sqlite3.Error as exc:
                raise self._fail(exc, "read failed") from exc

    async def watch(self, since_seq: int = 0) -> AsyncIterator[list[Event]]:
        """Yield batches of new events (seq > since_seq) as they are appended, by anyone.

        Polls every `POLL_INTERVAL_S` on its own connection: `PRAGMA data_version` (changes when
        any other connection, in any process, commits) and this store's own append counter. The
        cheap check runs on the event loop; reading new rows runs in a worker thread.
        """
        self._check_open()
        conn = self._connect()
        lock = threading.Lock()
        last = since_seq

        def version() -> int:
            with lock:
                return int(conn.execute("PRAGMA data_version").fetchone()[0])

        def fetch(after: int) -> list[Event]:
            with lock:
                return self._read_events(conn, after)

        try:
            seen: tuple[int, int] | None = None
            while True:
                if self._closed:
                    return
                try:
                    now_seen = (version(), self._appends)
                except sqlite3.Error as exc:
                    raise self._fail(exc, "watch failed") from exc
                if now_seen != seen:
                    seen = now_seen
                    batch = await asyncio.to_thread(fetch, last)
                    if batch:
                        last = batch[-1].seq
                        yield batch
                        continue  # check again at once: more may have arrived meanwhile
                await asyncio.sleep(POLL_INTERVAL_S)
        finally:
            with lock:  # waits for a read still running in a worker thread after cancellation
                conn.close()

    # -- drafts --

    def save_draft(self, incident_id: str, person: str, body: dict[str, Any]) -> None:
        """Keep a draft (one per incident and person), replacing any earlier one."""
        saved_at = iso(datetime.now(UTC))
        self._write(
            "INSERT INTO drafts (incident_id, person, body, saved_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (incident_id, person) DO UPDATE SET body = excluded.body, "
            "saved_at = excluded.saved_at",
            (incident_id, person, dumps(body), saved_at),
        )

    def load_draft(self, incident_id: str, person: str) -> Draft | None:
        """The kept draft, if any."""
        row = self._read_one(
            "SELECT body, saved_at FROM drafts WHERE incident_id = ? AND person = ?",
            (incident_id, person),
        )
        if row is None:
            return None
        return Draft(incident_id=incident_id, person=person, body=json.loads(row[0]),
                     saved_at=row[1])

    def discard_draft(self, incident_id: str, person: str) -> None:
        """Forget the draft."""
        self._write(
            "DELETE FROM drafts WHERE incident_id = ? AND person = ?", (incident_id, person)
        )

    def _write(self, sql: str, params: tuple[Any, ...]) -> None:
        """One statement in its own durable transaction."""
        with self._write_lock:
            self._check_open()
            try:
                self._wconn.execute(sql, params)
            except sqlite3.Error as exc:
                raise self._fail(exc, "write failed") from exc

    # -- deliveries --

    def claim_deliveries(
        self, owner: str, now: datetime, lease: timedelta, limit: int = 50
    ) -> list[Delivery]:
        """Lease due pending deliveries to `owner` (see `Store.claim_deliveries`)."""
        at, until = iso(now), iso(now + lease)
        with self._write_lock:
            self._check_open()
            conn = self._wconn
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    ids = [r[0] for r in conn.execute(
                        "SELECT id FROM deliveries WHERE state = 'pending' AND due_at <= ? "
                        "AND (lease_until IS NULL OR lease_until <= ?) ORDER BY due_at, id "
                        "LIMIT ?", (at, at, limit))]
                    conn.executemany(
                        "UPDATE deliveries SET lease_owner = ?, lease_until = ?, "
                        "attempts = attempts + 1 WHERE id = ?", [(owner, until, i) for i in ids])
                    marks = ",".join("?" * len(ids))
                    rows = conn.execute(
                        f"SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE id IN ({marks}) "
                        "ORDER BY due_at, id", ids).fetchall() if ids else []
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise self._fail(exc, "claim failed") from exc
        return [delivery_from_row(r) for r in rows]

    def finish_delivery(
        self,
        delivery_id: int,
        *,
        delivered: bool,
        now: datetime,
        error: str | None = None,
        retry_at: datetime | None = None,
        events: Sequence[Event] = (),
    ) -> bool:
        """Record an attempt's outcome with its events (see `Store.finish_delivery`)."""
        encoded = [event_row(e) for e in events]
        with self._write_lock:
            self._check_open()
            conn = self._wconn
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    row = conn.execute("SELECT state FROM deliveries WHERE id = ?",
                                       (delivery_id,)).fetchone()
                    if row is None or row[0] == "delivered":
                        conn.execute("ROLLBACK")
                        return False
                    if delivered:
                        conn.execute(
                            "UPDATE deliveries SET state = 'delivered', delivered_at = ?, "
                            "last_error = NULL, lease_owner = NULL, lease_until = NULL "
                            "WHERE id = ?", (iso(now), delivery_id))
                    else:
                        conn.execute(
                            "UPDATE deliveries SET due_at = ?, last_error = ?, "
                            "lease_owner = NULL, lease_until = NULL WHERE id = ?",
                            (iso(retry_at or now), error, delivery_id))
                    self._insert_events(conn, events, encoded, None)
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise self._fail(exc, "recording a delivery failed") from exc
            if events:
                self._appends += 1
        return True

    def next_delivery_due(self) -> datetime | None:
        """When the earliest pending delivery may next be claimed (None: nothing pending)."""
        row = self._read_one(
            "SELECT MIN(MAX(due_at, COALESCE(lease_until, ''))) FROM deliveries "
            "WHERE state = 'pending'", ())
        return None if row is None or row[0] is None else datetime.fromisoformat(row[0])

    def deliveries(self, incident_id: str | None = None) -> list[Delivery]:
        """Deliveries (of one escalation), oldest first."""
        where, params = ("WHERE incident_id = ?", (incident_id,)) if incident_id else ("", ())
        with self._read_lock:
            self._check_open()
            try:
                rows = self._rconn.execute(
                    f"SELECT {DELIVERY_COLUMNS} FROM deliveries {where} ORDER BY id",
                    params).fetchall()
            except sqlite3.Error as exc:
                raise self._fail(exc, "read failed") from exc
        return [delivery_from_row(r) for r in rows]

    # -- status page keys --

    def add_statuspage_key(self, customer: str, key_hash: str, now: datetime) -> None:
        """Keep a new key hash for `customer`, revoking any earlier one (one transaction)."""
        at = iso(now)
        with self._write_lock:
            self._check_open()
            conn = self._wconn
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.execute("UPDATE statuspage_keys SET revoked_at = ? "
                                 "WHERE customer = ? AND revoked_at IS NULL", (at, customer))
                    conn.execute("INSERT INTO statuspage_keys (customer, key_hash, created_at) "
                                 "VALUES (?, ?, ?)", (customer, key_hash, at))
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise self._fail(exc, "write failed") from exc

    def statuspage_keys(self) -> list[StatusPageKey]:
        """Every status page key, active and revoked, oldest first."""
        with self._read_lock:
            self._check_open()
            try:
                rows = self._rconn.execute(
                    "SELECT customer, key_hash, created_at, revoked_at FROM statuspage_keys "
                    "ORDER BY created_at, rowid").fetchall()
            except sqlite3.Error as exc:
                raise self._fail(exc, "read failed") from exc
        return [StatusPageKey(r[0], r[1], datetime.fromisoformat(r[2]),
                              datetime.fromisoformat(r[3]) if r[3] else None) for r in rows]

    def revoke_statuspage_key(self, customer: str, now: datetime) -> bool:
        """Revoke `customer`'s active key; False when there was none."""
        with self._write_lock:
            self._check_open()
            try:
                cursor = self._wconn.execute(
                    "UPDATE statuspage_keys SET revoked_at = ? "
                    "WHERE customer = ? AND revoked_at IS NULL", (iso(now), customer))
            except sqlite3.Error as exc:
                raise self._fail(exc, "write failed") from exc
        return cursor.rowcount > 0

    # -- tokens --

    def add_token(self, token: StoredToken) -> bool:
        """Keep a new token; False (nothing written) when its id is already taken."""
        try:
            self._write(
                f"INSERT INTO warroom_tokens ({_TOKEN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (token.id, token.person, int(token.read_only), token.hash, token.created_at,
                 token.revoked_at, int(token.bot)),
            )
        except StoreError as exc:
            if isinstance(exc.__cause__, sqlite3.IntegrityError):
                return False
            raise
        return True

    def tokens(self) -> list[StoredToken]:
        """Every token, revoked ones too, oldest first."""
        with self._read_lock:
            self._check_open()
            try:
                rows = self._rconn.execute(
                    f"SELECT {_TOKEN_COLUMNS} FROM warroom_tokens ORDER BY rowid"
                ).fetchall()
            except sqlite3.Error as exc:
                raise self._fail(exc, "read failed") from exc
        return [_token_from_row(r) for r in rows]

    def find_token(self, ident: str) -> StoredToken | None:
        """The token with this id (revoked or not), or None."""
        row = self._read_one(f"SELECT {_TOKEN_COLUMNS} FROM warroom_tokens WHERE id = ?",
                             (ident,))
        return None if row is None else _token_from_row(row)

    def revoke_tokens(self, ids: Sequence[str], at: str) -> None:
        """Mark these tokens revoked at `at` in one transaction."""
        with self._write_lock:
            self._check_open()
            conn = self._wconn
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.executemany("UPDATE warroom_tokens SET revoked_at = ? WHERE id = ?",
                                     [(at, i) for i in ids])
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise self._fail(exc, "write failed") from exc

    # -- lifecycle --

    def close(self) -> None:
        """Release both connections (idempotent); running watchers end at their next poll."""
        with self._write_lock, self._read_lock:
            if self._closed:
                return
            self._closed = True
            self._rconn.close()
            self._wconn.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqliteStore({str(self.path)!r})"
