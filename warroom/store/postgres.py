"""PostgreSQL event store: several API servers (and CLIs) on one database.

Tables (see `migrations/*.sql`; the version lives in `warroom_schema`):

- `warroom_events`: the log, with the same text columns as the SQLite store.
- `warroom_counter`: one row holding the last seq handed out. **Seqs come from this counter
  row, not a sequence object**: an append locks the row (`SELECT ... FOR UPDATE`), checks the
  idempotency key and `expect_seq`, inserts its events, moves the counter on and commits, all in
  one transaction. A rollback undoes the counter too, so there is never a gap, and because the
  lock is held to the commit, appends become visible strictly in seq order.
- `warroom_commands`, `warroom_drafts`, `warroom_tokens`, `warroom_deliveries`,
  `warroom_statuspage_keys`: idempotency keys, drafts, API tokens, messages waiting to be sent
  (claimed with `FOR UPDATE SKIP LOCKED`, so only one server sends each) and status page key
  hashes, as in SQLite.

Watching: each append sends `NOTIFY warroom_events, '<last seq>'` inside its transaction (it is
delivered on commit). `watch()` LISTENs on its own connection and reads from its last seq on
every notice; after a dropped connection it reconnects, LISTENs again and re-reads from its last
seq, so nothing is missed.

Connections: a psycopg pool serves the synchronous Store calls (the service runs them in worker
threads); each watcher holds one async connection of its own.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

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

CHANNEL = "warroom_events"
"""The LISTEN/NOTIFY channel; the payload is the last seq of the committed append."""

CONNECT_TIMEOUT_S = 2.0
"""How long to wait for a connection (from the pool, or a new one) before giving up: with the
database gone, requests fail (503) after this long rather than hang."""

WATCH_IDLE_S = 0.5
"""A watcher with no notice re-checks the counter this often (and notices `close()`)."""

PAGE = 5000
"""Rows a watcher reads per query when catching up."""

RECONNECT_S = 2.0
"""How long a watcher tries to reconnect before reporting the database unavailable."""

_MIGRATION_FILE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_OUR_TABLES = frozenset({"warroom_schema", "warroom_events", "warroom_counter",
                         "warroom_commands", "warroom_drafts", "warroom_tokens",
                         "warroom_deliveries", "warroom_statuspage_keys"})
_INSERT = (f"INSERT INTO warroom_events ({COLUMNS}) "
           "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)")
_TOKEN_COLUMNS = "id, person, read_only, hash, created_at, revoked_at, bot"


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", url)


def migrations() -> list[tuple[int, str, str]]:
    """The packaged migrations as (version, file name, SQL), in order."""
    found = []
    for item in resources.files("warroom.store.migrations").iterdir():
        match = _MIGRATION_FILE.match(item.name)
        if match:
            found.append((int(match.group(1)), item.name, item.read_text(encoding="utf-8")))
    found.sort()
    return found


SCHEMA_VERSION = migrations()[-1][0]
"""The newest schema this code knows (the highest migration number)."""


def _token(row: Sequence[Any]) -> StoredToken:
    return StoredToken(id=row[0], person=row[1], read_only=bool(row[2]), hash=row[3],
                       created_at=row[4], revoked_at=row[5], bot=bool(row[6]))


class PostgresStore:
    """An event store in a PostgreSQL database, shared by any number of processes and hosts.

    Args:
        url: a `postgresql://user@host:port/db` connection URL.
        migrate: bring an older schema up to date (`warroom db upgrade`); otherwise an older
            schema is refused with a hint. An empty database always gets the schema.
        pool_size: most connections the pool opens.
    """

    def __init__(self, url: str, *, migrate: bool = False, pool_size: int = 8) -> None:
        self.url = url
        self.name = redact(url)
        self.applied: list[str] = []
        """Migrations this opening applied (file names)."""
        self._closed = False
        self._lock = threading.Lock()
        # One direct connection first: an unreachable database is one clear error (the pool
        # would only log and time out), and the schema is checked before anything else.
        try:
            first = psycopg.connect(url, autocommit=True,
                                    connect_timeout=int(CONNECT_TIMEOUT_S))
        except psycopg.Error as exc:
            raise StoreError(f"{self.name}: cannot connect to PostgreSQL ({_reason(exc)})") \
                from None
        with first:
            try:
                self._prepare(first, migrate)
            except psycopg.Error as exc:
                raise StoreError(f"{self.name}: cannot prepare schema: {_reason(exc)}") \
                    from exc
        self._pool = ConnectionPool(
            url, min_size=1, max_size=pool_size, open=False, timeout=CONNECT_TIMEOUT_S,
            kwargs={"connect_timeout": int(CONNECT_TIMEOUT_S), "autocommit": True},
            name="warroom",
        )
        # Connections are not checked before use (a round trip on every call): one broken by
        # a database restart fails its call with StoreError (503, retried by clients) and the
        # pool replaces it.
        self._pool.open(wait=False)

    # -- connections and schema --

    @contextmanager
    def _conn(self, doing: str) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection; any database trouble becomes one StoreError."""
        if self._closed:
            raise StoreError(f"{self.name}: store is closed")
        try:
            with self._pool.connection() as conn:
                yield conn
        except (PoolTimeout, psycopg.OperationalError, psycopg.InterfaceError) as exc:
            raise StoreError(f"{self.name}: {doing}: database unavailable ({_reason(exc)})") \
                from exc
        except psycopg.Error as exc:
            raise StoreError(f"{self.name}: {doing}: {_reason(exc)}") from exc

    @contextmanager
    def transaction(self, doing: str) -> Iterator[psycopg.Cursor[Any]]:
        """A cursor inside one transaction (for `warroom db copy` and benches); database
        trouble becomes StoreError naming `doing`."""
        with self._conn(doing) as conn, conn.transaction(), conn.cursor() as cur:
            yield cur

    def schema_version(self) -> int:
        """The schema version the database holds (0: none yet)."""
        with self._conn("cannot read schema version") as conn:
            return _version(conn)

    def _prepare(self, conn: psycopg.Connection[Any], migrate: bool) -> None:
        version = _version(conn)
        if version == SCHEMA_VERSION:
            return
        _refuse_newer(version, self.name)
        if version and not migrate:
            raise StoreError(f"{self.name}: schema version {version} is older than this "
                             f"warroom's ({SCHEMA_VERSION}); run 'warroom db upgrade'")
        self.applied = self._upgrade(conn)

    def _upgrade(self, conn: psycopg.Connection[Any]) -> list[str]:
        """Apply the migrations the database lacks, in one transaction, under an advisory
        lock so racing openers agree; returns the file names applied.

        The lock is a session lock taken BEFORE the transaction begins: a transaction that
        began before another opener committed the schema would still see no tables.
        """
        conn.execute("SELECT pg_advisory_lock(hashtext('warroom_schema'))")
        try:
            return self._apply(conn)
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext('warroom_schema'))")

    def _apply(self, conn: psycopg.Connection[Any]) -> list[str]:
        applied: list[str] = []
        with conn.transaction():
            version = _version(conn)
            _refuse_newer(version, self.name)
            if version == 0:
                foreign = {r[0] for r in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
                foreign -= _OUR_TABLES
                if foreign:
                    raise StoreError(f"{self.name}: not a warroom database (has tables "
                                     f"{sorted(foreign)})")
                conn.execute("CREATE TABLE warroom_schema (version integer NOT NULL)")
                conn.execute("INSERT INTO warroom_schema (version) VALUES (0)")
            for number, name, sql in migrations():
                if number > version:
                    conn.execute(sql.encode())
                    conn.execute("UPDATE warroom_schema SET version = %s", (number,))
                    applied.append(name)
        return applied

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

        The counter row is locked first, so the key check, the `expect_seq` check and the seqs
        all see every earlier append. Raises `SeqConflict` (nothing written, key not consumed)
        or `StoreError`.
        """
        result = {} if result is None else result
        result_json = dumps(result)
        encoded = _encode(events)
        with self.transaction("append failed") as cur:
            last = _lock_counter(cur)
            if idempotency_key is not None:
                row = cur.execute("SELECT seqs, result FROM warroom_commands WHERE key = %s",
                                  (idempotency_key,)).fetchone()
                if row is not None:
                    return result_from_row(row[0], row[1], duplicate=True)
            if expect_seq is not None and last != expect_seq:
                raise SeqConflict(expect_seq, last)
            seqs = _insert_events(cur, last, encoded)
            if idempotency_key is not None:
                cur.execute(
                    "INSERT INTO warroom_commands (key, seqs, result) VALUES (%s, %s, %s)",
                    (idempotency_key, json.dumps(list(seqs)), result_json))
            for d in deliveries:
                event = events[d.event_index]
                at = iso(event.recorded_at)
                cur.execute(
                    "INSERT INTO warroom_deliveries (incident_id, seq, channel, recipients, "
                    "message, due_at, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    (event.incident_id, seqs[d.event_index], d.channel,
                     dumps(list(d.recipients)), dumps(d.message), at, at))
        return AppendResult(seqs=seqs, result=result, duplicate=False)

    def lookup(self, idempotency_key: str) -> AppendResult | None:
        """The stored outcome of a command key (marked `duplicate=True`), or None."""
        with self._conn("read failed") as conn:
            row = conn.execute("SELECT seqs, result FROM warroom_commands WHERE key = %s",
                               (idempotency_key,)).fetchone()
        return None if row is None else result_from_row(row[0], row[1], duplicate=True)

    def read(
        self, since_seq: int = 0, incident_id: str | None = None, limit: int | None = None
    ) -> list[Event]:
        """Events with seq > since_seq (optionally of one incident), in seq order; at most
        `limit` of them when given."""
        with self._conn("read failed") as conn:
            return _read(conn, since_seq, incident_id, limit)

    def last_seq(self) -> int:
        """The highest seq stored (0 when empty)."""
        with self._conn("read failed") as conn:
            return _last_seq(conn)

    async def watch(self, since_seq: int = 0) -> AsyncIterator[list[Event]]:
        """Yield batches of new events (seq > since_seq) as they are appended, by anyone.

        LISTENs before reading, so an append committed between the read and the wait still
        wakes it. A dropped connection is re-opened and reading resumes from the last seq
        yielded, so nothing is missed; when the database cannot be reached for
        `RECONNECT_S`, raises StoreError (the caller restarts from its last seq later). Ends
        when the store is closed.
        """
        if self._closed:
            raise StoreError(f"{self.name}: store is closed")
        last = since_seq
        while not self._closed:
            conn = await self._watch_connection()
            try:
                await conn.execute(f"LISTEN {CHANNEL}")
                while not self._closed:
                    batch = await _read_async(conn, last)
                    if batch:
                        last = batch[-1].seq
                        yield batch
                        continue
                    async for _ in conn.notifies(timeout=WATCH_IDLE_S, stop_after=1):
                        pass
            except (psycopg.OperationalError, psycopg.InterfaceError):
                continue  # reconnect, then re-read from `last`
            finally:
                await conn.close()

    async def _watch_connection(self) -> psycopg.AsyncConnection[Any]:
        """A new autocommit connection for a watcher, retried for `RECONNECT_S`."""
        deadline = asyncio.get_running_loop().time() + RECONNECT_S
        delay = 0.05
        while True:
            try:
                return await psycopg.AsyncConnection.connect(
                    self.url, autocommit=True, connect_timeout=int(CONNECT_TIMEOUT_S))
            except psycopg.Error as exc:
                if asyncio.get_running_loop().time() + delay > deadline:
                    raise StoreError(f"{self.name}: watch: database unavailable "
                                     f"({_reason(exc)})") from exc
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.5)

    # -- drafts --

    def save_draft(self, incident_id: str, person: str, body: dict[str, Any]) -> None:
        """Keep a draft (one per incident and person), replacing any earlier one."""
        with self._conn("write failed") as conn:
            conn.execute(
                "INSERT INTO warroom_drafts (incident_id, person, body, saved_at) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (incident_id, person) DO UPDATE "
                "SET body = excluded.body, saved_at = excluded.saved_at",
                (incident_id, person, dumps(body), iso(datetime.now(UTC))))

    def load_draft(self, incident_id: str, person: str) -> Draft | None:
        """The kept draft, if any."""
        with self._conn("read failed") as conn:
            row = conn.execute(
                "SELECT body, saved_at FROM warroom_drafts WHERE incident_id = %s "
                "AND person = %s", (incident_id, person)).fetchone()
        if row is None:
            return None
        return Draft(incident_id=incident_id, person=person, body=json.loads(row[0]),
                     saved_at=row[1])

    def discard_draft(self, incident_id: str, person: str) -> None:
        """Forget the draft."""
        with self._conn("write failed") as conn:
            conn.execute("DELETE FROM warroom_drafts WHERE incident_id = %s AND person = %s",
                         (incident_id, person))

    # -- tokens --

    def add_token(self, token: StoredToken) -> bool:
        """Keep a new token; False (nothing written) when its id is already taken."""
        with self._conn("write failed") as conn:
            cur = conn.execute(
                f"INSERT INTO warroom_tokens ({_TOKEN_COLUMNS}) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING",
                (token.id, token.person, token.read_only, token.hash, token.created_at,
                 token.revoked_at, token.bot))
            return cur.rowcount == 1

    def tokens(self) -> list[StoredToken]:
        """Every token, revoked ones too, oldest first."""
        with self._conn("read failed") as conn:
            rows = conn.execute(
                f"SELECT {_TOKEN_COLUMNS} FROM warroom_tokens ORDER BY n").fetchall()
        return [_token(r) for r in rows]

    def find_token(self, ident: str) -> StoredToken | None:
        """The token with this id (revoked or not), or None."""
        with self._conn("read failed") as conn:
            row = conn.execute(f"SELECT {_TOKEN_COLUMNS} FROM warroom_tokens WHERE id = %s",
                               (ident,)).fetchone()
        return None if row is None else _token(row)

    def revoke_tokens(self, ids: Sequence[str], at: str) -> None:
        """Mark these tokens revoked at `at` in one transaction."""
        with self._conn("write failed") as conn, conn.transaction():
            conn.execute("UPDATE warroom_tokens SET revoked_at = %s WHERE id = ANY(%s)",
                         (at, list(ids)))

    # -- deliveries --

    def claim_deliveries(
        self, owner: str, now: datetime, lease: timedelta, limit: int = 50
    ) -> list[Delivery]:
        """Lease due pending deliveries to `owner` (see `DeliveryStore.claim_deliveries`);
        `FOR UPDATE SKIP LOCKED` keeps racing servers off each other's rows."""
        at, until = iso(now), iso(now + lease)
        with self.transaction("claim failed") as cur:
            rows = cur.execute(
                f"UPDATE warroom_deliveries SET lease_owner = %s, lease_until = %s, "
                f"attempts = attempts + 1 WHERE id IN (SELECT id FROM warroom_deliveries "
                f"WHERE state = 'pending' AND due_at <= %s AND (lease_until IS NULL OR "
                f"lease_until <= %s) ORDER BY due_at, id LIMIT %s FOR UPDATE SKIP LOCKED) "
                f"RETURNING {DELIVERY_COLUMNS}", (owner, until, at, at, limit)).fetchall()
        claimed = [delivery_from_row(r) for r in rows]
        return sorted(claimed, key=lambda d: (d.due_at, d.id))

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
        """Record an attempt's outcome with its events (see `DeliveryStore.finish_delivery`)."""
        encoded = _encode(events)
        with self.transaction("recording a delivery failed") as cur:
            row = cur.execute("SELECT state FROM warroom_deliveries WHERE id = %s FOR UPDATE",
                              (delivery_id,)).fetchone()
            if row is None or row[0] == "delivered":
                return False
            if delivered:
                cur.execute(
                    "UPDATE warroom_deliveries SET state = 'delivered', delivered_at = %s, "
                    "last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE id = %s",
                    (iso(now), delivery_id))
            else:
                cur.execute(
                    "UPDATE warroom_deliveries SET due_at = %s, last_error = %s, "
                    "lease_owner = NULL, lease_until = NULL WHERE id = %s",
                    (iso(retry_at or now), error, delivery_id))
            if encoded:
                _insert_events(cur, _lock_counter(cur), encoded)
        return True

    def next_delivery_due(self) -> datetime | None:
        """When the earliest pending delivery may next be claimed (None: nothing pending)."""
        with self._conn("read failed") as conn:
            row = conn.execute(
                "SELECT MIN(GREATEST(due_at, COALESCE(lease_until, ''))) FROM warroom_deliveries"
                " WHERE state = 'pending'").fetchone()
        return None if row is None or row[0] is None else datetime.fromisoformat(row[0])

    def deliveries(self, incident_id: str | None = None) -> list[Delivery]:
        """Deliveries (of one escalation), oldest first."""
        where, params = ("WHERE incident_id = %s", (incident_id,)) if incident_id else ("", ())
        with self._conn("read failed") as conn:
            rows = conn.execute(f"SELECT {DELIVERY_COLUMNS} FROM warroom_deliveries {where} "
                                "ORDER BY id", params).fetchall()
        return [delivery_from_row(r) for r in rows]

    # -- status page keys --

    def add_statuspage_key(self, customer: str, key_hash: str, now: datetime) -> None:
        """Keep a new key hash for `customer`, revoking any earlier one (one transaction)."""
        at = iso(now)
        with self.transaction("write failed") as cur:
            cur.execute("UPDATE warroom_statuspage_keys SET revoked_at = %s "
                        "WHERE customer = %s AND revoked_at IS NULL", (at, customer))
            cur.execute("INSERT INTO warroom_statuspage_keys (customer, key_hash, created_at) "
                        "VALUES (%s, %s, %s)", (customer, key_hash, at))

    def statuspage_keys(self) -> list[StatusPageKey]:
        """Every status page key, active and revoked, oldest first."""
        with self._conn("read failed") as conn:
            rows = conn.execute(
                "SELECT customer, key_hash, created_at, revoked_at FROM warroom_statuspage_keys"
                " ORDER BY created_at, n").fetchall()
        return [StatusPageKey(r[0], r[1], datetime.fromisoformat(r[2]),
                              datetime.fromisoformat(r[3]) if r[3] else None) for r in rows]

    def revoke_statuspage_key(self, customer: str, now: datetime) -> bool:
        """Revoke `customer`'s active key; False when there was none."""
        with self._conn("write failed") as conn:
            cur = conn.execute("UPDATE warroom_statuspage_keys SET revoked_at = %s "
                               "WHERE customer = %s AND revoked_at IS NULL", (iso(now), customer))
            return cur.rowcount > 0

    # -- lifecycle --

    def close(self) -> None:
        """Close the pool (idempotent); watchers end within `WATCH_IDLE_S`."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._pool.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PostgresStore({self.name!r})"


# --- queries --------------------------------------------------------------------------------


def _encode(events: Sequence[Event]) -> list[RowNoSeq]:
    for event in events:
        if event.seq != 0:
            raise ValueError(f"event already has seq {event.seq}; the store assigns seqs")
    return [event_row(e) for e in events]


def _lock_counter(cur: psycopg.Cursor[Any]) -> int:
    """Lock the counter row until the transaction ends; the last seq handed out."""
    row = cur.execute("SELECT last_seq FROM warroom_counter FOR UPDATE").fetchone()
    return int(row[0]) if row is not None else 0


def _insert_events(cur: psycopg.Cursor[Any], last: int, encoded: list[RowNoSeq]
                   ) -> tuple[int, ...]:
    """Insert events after `last` (the counter is locked), move the counter on, and NOTIFY
    (delivered on commit); returns their seqs."""
    seqs = tuple(range(last + 1, last + 1 + len(encoded)))
    if not seqs:
        return seqs
    if len(encoded) > 50:
        with cur.copy(f"COPY warroom_events ({COLUMNS}) FROM STDIN") as copy:
            for seq, row in zip(seqs, encoded, strict=True):
                copy.write_row((seq, *row))
    else:
        cur.executemany(_INSERT, [(s, *r) for s, r in zip(seqs, encoded, strict=True)])
    cur.execute("UPDATE warroom_counter SET last_seq = %s", (seqs[-1],))
    cur.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(seqs[-1])))
    return seqs


def _reason(exc: BaseException) -> str:
    """The first line of a driver error."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _version(conn: psycopg.Connection[Any]) -> int:
    exists = conn.execute("SELECT to_regclass('warroom_schema')").fetchone()
    if exists is None or exists[0] is None:
        return 0
    row = conn.execute("SELECT max(version) FROM warroom_schema").fetchone()
    return int(row[0]) if row is not None and row[0] is not None else 0


def _refuse_newer(version: int, name: str) -> None:
    if version > SCHEMA_VERSION:
        raise StoreError(f"{name}: schema version {version} is newer than this warroom "
                         f"understands ({SCHEMA_VERSION}); upgrade warroom")


def _last_seq(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("SELECT last_seq FROM warroom_counter").fetchone()
    return int(row[0]) if row is not None else 0


def _read(
    conn: psycopg.Connection[Any], since_seq: int, incident_id: str | None, limit: int | None
) -> list[Event]:
    page = "" if limit is None else f" LIMIT {max(int(limit), 0)}"
    if incident_id is not None:
        cur = conn.execute(
            f"SELECT {COLUMNS} FROM warroom_events WHERE incident_id = %s AND seq > %s "
            f"ORDER BY seq{page}", (incident_id, since_seq))
        return events_from_rows(cur)
    # No count first (a round trip per read): hold the collector off for up to a page.
    with collector_paused(PAGE if limit is None else limit):
        cur = conn.execute(
            f"SELECT {COLUMNS} FROM warroom_events WHERE seq > %s ORDER BY seq{page}",
            (since_seq,))
        return events_from_rows(cur)


async def _read_async(conn: psycopg.AsyncConnection[Any], since_seq: int) -> list[Event]:
    """A page of events after `since_seq` on a watcher's connection."""
    cur = await conn.execute(
        f"SELECT {COLUMNS} FROM warroom_events WHERE seq > %s ORDER BY seq LIMIT {PAGE}",
        (since_seq,))
    rows = await cur.fetchall()
    return events_from_rows(_Buffered(rows))


class _Buffered:
    """Fetched rows behind the `fetchmany` the shared decoder reads."""

    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows
        self._at = 0

    def fetchmany(self, size: int = 1) -> list[Any]:
        chunk = self._rows[self._at:self._at + size]
        self._at += size
        return chunk
