"""The PostgreSQL store's log: appends with their idempotency keys, reads and watching.

Seqs come from the one row of `warroom_counter`, **not a sequence object**: an append locks the
row (`SELECT ... FOR UPDATE`), checks the idempotency key and `expect_seq`, inserts its events,
moves the counter on and commits, all in one transaction. A rollback undoes the counter too, so
there is never a gap, and because the lock is held to the commit, appends become visible
strictly in seq order. A command's append is one round trip, one call of the `warroom_append`
function (migration 0005) as an autocommit statement; a bulk append (more than `BULK` events)
takes the same steps from here, its rows sent by COPY.

Watching: each append sends `NOTIFY warroom_events, '<last seq>'` inside its transaction (it is
delivered on commit). `watch()` LISTENs on its own connection and reads from its last seq on
every notice; after a dropped connection it reconnects, LISTENs again and re-reads from its last
seq, so nothing is missed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import psycopg

from warroom.domain.models import Event
from warroom.gcpause import collector_paused
from warroom.store.base import AppendResult, NewDelivery, SeqConflict, StoreError
from warroom.store.codec import (
    COLUMNS,
    RowNoSeq,
    dumps,
    events_from_rows,
    new_delivery_rows,
    new_event_rows,
    result_from_row,
)
from warroom.store.postgres.connection import CONNECT_TIMEOUT_S, PostgresConnections, reason

CHANNEL = "warroom_events"
"""The LISTEN/NOTIFY channel; the payload is the last seq of the committed append."""

WATCH_IDLE_S = 0.5
"""A watcher with no notice re-checks the counter this often (and notices `close()`)."""

PAGE = 5000
"""Rows a watcher reads per query when catching up."""

RECONNECT_S = 2.0
"""How long a watcher tries to reconnect before reporting the database unavailable."""

BULK = 50
"""Events beyond which an append sends its rows by COPY rather than as function arguments."""

_APPEND = ("SELECT outcome, last_seq, seqs, result FROM warroom_append("
           + ", ".join(["%s"] * 14) + ")")
_INSERT = (f"INSERT INTO warroom_events ({COLUMNS}) "
           "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)")
_INSERT_DELIVERY = (
    "INSERT INTO warroom_deliveries (incident_id, seq, channel, recipients, message, due_at, "
    "created_at) VALUES (%s, %s, %s, %s, %s, %s, %s)"
)


class PostgresEvents(PostgresConnections):
    """The event log and its idempotency keys."""

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

        One round trip: the `warroom_append` function (migration 0005) locks the counter row
        first, so the key check, the `expect_seq` check and the seqs all see every earlier
        append. Raises `SeqConflict` (nothing written, key not consumed) or `StoreError`.
        """
        result = {} if result is None else result
        result_json = dumps(result)
        encoded = new_event_rows(events)
        if len(encoded) > BULK:
            return self._append_bulk(events, encoded, expect_seq, idempotency_key, result,
                                     result_json, deliveries)
        rows = list(zip(*encoded, strict=True)) or [()] * 7
        with self._conn("append failed") as conn:
            row = conn.execute(_APPEND, (
                expect_seq, idempotency_key, result_json, *map(list, rows),
                [d.event_index for d in deliveries], [d.channel for d in deliveries],
                [dumps(list(d.recipients)) for d in deliveries],
                [dumps(d.message) for d in deliveries])).fetchone()
        assert row is not None  # the function returns one row
        outcome, last, seqs, stored = row
        if outcome == "duplicate":
            return result_from_row(seqs, stored, duplicate=True)
        if outcome == "conflict":
            assert expect_seq is not None
            raise SeqConflict(expect_seq, int(last))
        return AppendResult(seqs=tuple(range(last + 1, last + 1 + len(encoded))),
                            result=result, duplicate=False)

    def _append_bulk(
        self, events: Sequence[Event], encoded: list[RowNoSeq], expect_seq: int | None,
        idempotency_key: str | None, result: dict[str, Any], result_json: str,
        deliveries: Sequence[NewDelivery],
    ) -> AppendResult:
        """`append` of many events (an import, a year's build): the rows go by COPY, in a
        transaction of a few round trips (the same steps `warroom_append` takes)."""
        with self.transaction("append failed") as cur:
            last = lock_counter(cur)
            if idempotency_key is not None:
                row = cur.execute("SELECT seqs, result FROM warroom_commands WHERE key = %s",
                                  (idempotency_key,)).fetchone()
                if row is not None:
                    return result_from_row(row[0], row[1], duplicate=True)
            if expect_seq is not None and last != expect_seq:
                raise SeqConflict(expect_seq, last)
            seqs = insert_events(cur, last, encoded)
            if idempotency_key is not None:
                cur.execute(
                    "INSERT INTO warroom_commands (key, seqs, result) VALUES (%s, %s, %s)",
                    (idempotency_key, json.dumps(list(seqs)), result_json))
            rows = new_delivery_rows(events, seqs, deliveries)
            if rows:
                cur.executemany(_INSERT_DELIVERY, rows)
        return AppendResult(seqs=seqs, result=result, duplicate=False)

    def lookup(self, idempotency_key: str) -> AppendResult | None:
        """The stored outcome of a command key (marked `duplicate=True`), or None."""
        row = self._fetch_one("SELECT seqs, result FROM warroom_commands WHERE key = %s",
                              (idempotency_key,))
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
        row = self._fetch_one("SELECT last_seq FROM warroom_counter")
        return int(row[0]) if row is not None else 0

    async def watch(self, since_seq: int = 0) -> AsyncIterator[list[Event]]:
        """Yield batches of new events (seq > since_seq) as they are appended, by anyone.

        LISTENs before reading, so an append committed between the read and the wait still
        wakes it. A dropped connection is re-opened and reading resumes from the last seq
        yielded, so nothing is missed; when the database cannot be reached for
        `RECONNECT_S`, raises StoreError (the caller restarts from its last seq later). Ends
        when the store is closed.
        """
        self._check_open()
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
                                     f"({reason(exc)})") from exc
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.5)


def lock_counter(cur: psycopg.Cursor[Any]) -> int:
    """Lock the counter row until the transaction ends; the last seq handed out."""
    row = cur.execute("SELECT last_seq FROM warroom_counter FOR UPDATE").fetchone()
    return int(row[0]) if row is not None else 0


def insert_events(cur: psycopg.Cursor[Any], last: int, encoded: list[RowNoSeq]
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
