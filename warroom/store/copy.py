"""`warroom db copy`: move a single-host war room (a SQLite file) onto PostgreSQL.

Rows move byte for byte (both stores keep the same texts) in ONE PostgreSQL transaction that
holds the counter row's lock, so nobody appends meanwhile and a failed copy leaves nothing. A
target that already holds anything is refused, unless it holds exactly what the file holds
(same counts, same last seq): then copying again is a no-op.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from warroom.store.base import StoreError
from warroom.store.codec import COLUMNS, DELIVERY_COLUMNS, STATUSPAGE_KEY_COLUMNS, TOKEN_COLUMNS
from warroom.store.postgres import CHANNEL, PostgresStore
from warroom.store.sqlite import SqliteStore

PAGE = 5000
"""Rows moved per batch."""

_TABLES = {  # SQLite table -> (PostgreSQL table, columns)
    "events": ("warroom_events", COLUMNS),
    "commands": ("warroom_commands", "key, seqs, result"),
    "drafts": ("warroom_drafts", "incident_id, person, body, saved_at"),
    "warroom_tokens": ("warroom_tokens", TOKEN_COLUMNS),
    "deliveries": ("warroom_deliveries", DELIVERY_COLUMNS),
    "statuspage_keys": ("warroom_statuspage_keys", STATUSPAGE_KEY_COLUMNS),
}


class CopyRefused(StoreError):
    """The target already holds a different war room."""


@dataclass(frozen=True)
class Counts:
    """What a store holds: rows per table and the last seq."""

    events: int
    commands: int
    drafts: int
    tokens: int
    deliveries: int
    statuspage_keys: int
    last_seq: int

    def describe(self) -> str:
        """`1200 events (last seq 1200), 300 command keys, 2 drafts, 4 tokens, ...`."""
        return (f"{self.events} events (last seq {self.last_seq}), {self.commands} command "
                f"keys, {self.drafts} drafts, {self.tokens} tokens, {self.deliveries} "
                f"deliveries, {self.statuspage_keys} status page keys")

    @property
    def empty(self) -> bool:
        """True when nothing at all is stored."""
        return not (self.events or self.commands or self.drafts or self.tokens
                    or self.deliveries or self.statuspage_keys)


@dataclass(frozen=True)
class CopyReport:
    """What a copy did."""

    counts: Counts
    copied: bool
    """False when the target already held exactly this war room (nothing written)."""


def _sqlite_counts(conn: sqlite3.Connection) -> Counts:
    def count(table: str) -> int:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    last = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]
    return Counts(count("events"), count("commands"), count("drafts"), count("warroom_tokens"),
                  count("deliveries"), count("statuspage_keys"), int(last))


def _postgres_counts(cur: psycopg.Cursor[Any]) -> Counts:
    def one(sql: str) -> int:
        row = cur.execute(sql).fetchone()
        return int(row[0]) if row is not None else 0

    def count(table: str) -> int:
        return one(f"SELECT count(*) FROM {table}")

    last = one("SELECT last_seq FROM warroom_counter")
    return Counts(count("warroom_events"), count("warroom_commands"), count("warroom_drafts"),
                  count("warroom_tokens"), count("warroom_deliveries"),
                  count("warroom_statuspage_keys"), int(last))


def copy_sqlite_to_postgres(source: Path, url: str) -> CopyReport:
    """Copy everything in the SQLite file `source` into the PostgreSQL database at `url`.

    Raises:
        StoreError: either store cannot be opened, or the counts differ after the copy.
        CopyRefused: the target holds something else already.
    """
    if not source.is_file():
        raise StoreError(f"{source}: no such store file")
    SqliteStore(source).close()  # checks the file is a warroom store and brings it up to date
    lite = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    target = PostgresStore(url, pool_size=0)
    try:
        want = _sqlite_counts(lite)
        with target.transaction("copy failed") as cur:
            cur.execute("SELECT last_seq FROM warroom_counter FOR UPDATE")
            have = _postgres_counts(cur)
            if not have.empty:
                if have == want:
                    return CopyReport(want, copied=False)
                raise CopyRefused(f"{target.name} already holds {have.describe()}; "
                                  "copy only into an empty database")
            for table, (pg_table, columns) in _TABLES.items():
                rows = lite.execute(f"SELECT {columns} FROM {table} ORDER BY rowid")
                with cur.copy(f"COPY {pg_table} ({columns}) FROM STDIN") as copy:
                    while batch := rows.fetchmany(PAGE):
                        for row in batch:
                            copy.write_row(_for_postgres(table, row))
            cur.execute("UPDATE warroom_counter SET last_seq = %s", (want.last_seq,))
            cur.execute("SELECT setval(pg_get_serial_sequence('warroom_deliveries', 'id'), "
                        "COALESCE(MAX(id), 0) + 1, false) FROM warroom_deliveries")
            got = _postgres_counts(cur)
            if got != want:
                raise StoreError(f"copy check failed: {source} holds {want.describe()}, "
                                 f"{target.name} would hold {got.describe()}")
            cur.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(want.last_seq)))
        return CopyReport(want, copied=True)
    finally:
        lite.close()
        target.close()


def _for_postgres(table: str, row: tuple[object, ...]) -> tuple[object, ...]:
    if table == "warroom_tokens":  # SQLite keeps booleans as 0/1
        return (*row[:2], bool(row[2]), *row[3:6], bool(row[6]))
    return row
