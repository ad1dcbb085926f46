"""The SQLite store's log: appends with their idempotency keys, reads and watching.

Seqs are assigned inside the append's `BEGIN IMMEDIATE` transaction as `max(seq) + 1 ...`, so
writers in any number of processes never collide or leave gaps; the idempotency key and
`expect_seq` are checked in the same transaction.

Watching: each `watch()` owns a read connection and polls `PRAGMA data_version` (which changes
when another connection commits) plus an in-process append counter, so appends by other
processes and by this one are noticed within tens of milliseconds.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import AsyncIterator, Sequence
from typing import Any

from warroom.domain.models import Event
from warroom.gcpause import collector_paused
from warroom.store.base import AppendResult, NewDelivery, SeqConflict
from warroom.store.codec import (
    COLUMNS,
    RowNoSeq,
    dumps,
    events_from_rows,
    new_delivery_rows,
    new_event_rows,
    result_from_row,
)
from warroom.store.sqlite.connection import SqliteConnections

POLL_INTERVAL_S = 0.025
"""How often `watch()` checks for new events (a cheap pragma: ~20 µs a check)."""

_INSERT = (
    "INSERT INTO events (seq, incident_id, kind, actor, occurred_at, recorded_at, payload, "
    "idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_DELIVERY = (
    "INSERT INTO deliveries (incident_id, seq, channel, recipients, message, due_at, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
)


class SqliteEvents(SqliteConnections):
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

        The key check comes first: a repeated key returns the original outcome even if
        `expect_seq` has gone stale since. Raises `SeqConflict` (nothing written, key not
        consumed), `StoreError` on I/O trouble, `ValueError` for an event that already has a seq.
        """
        encoded = new_event_rows(events)  # outside the lock: hold it briefly
        result = {} if result is None else result
        result_json = dumps(result)
        with self._transaction("append failed") as conn:
            if idempotency_key is not None:
                row = conn.execute(
                    "SELECT seqs, result FROM commands WHERE key = ?", (idempotency_key,)
                ).fetchone()
                if row is not None:
                    return result_from_row(row[0], row[1], duplicate=True)
            seqs = self._insert_events(conn, encoded, expect_seq)
            if idempotency_key is not None:
                conn.execute(
                    "INSERT INTO commands (key, seqs, result) VALUES (?, ?, ?)",
                    (idempotency_key, json.dumps(list(seqs)), result_json),
                )
            conn.executemany(INSERT_DELIVERY, new_delivery_rows(events, seqs, deliveries))
        return AppendResult(seqs=seqs, result=result, duplicate=False)

    def _insert_events(self, conn: sqlite3.Connection, encoded: list[RowNoSeq],
                       expect_seq: int | None) -> tuple[int, ...]:
        """Insert inside an open write transaction; returns the seqs given."""
        last = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]
        if expect_seq is not None and last != expect_seq:
            raise SeqConflict(expect_seq, last)
        seqs = tuple(range(last + 1, last + 1 + len(encoded)))
        if encoded:
            conn.executemany(_INSERT, [(s, *row) for s, row in zip(seqs, encoded, strict=True)])
            self._appended = True
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
        row = self._read_one("SELECT COALESCE(MAX(seq), 0) FROM events")
        return int(row[0]) if row is not None else 0

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
