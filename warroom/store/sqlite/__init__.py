"""SQLite event store: the embedded default and the shared file for several processes on one host.

One idea a module: `schema` (the tables), `connection` (connections and the one write
transaction), `events` (the log, idempotency keys, watching), `deliveries` (messages waiting to
be sent), `keys` (drafts, API tokens, status page keys) and `snapshots` (the snapshot of folded
state, a cache).
"""

from __future__ import annotations

from warroom.store.sqlite.connection import BUSY_TIMEOUT_S
from warroom.store.sqlite.deliveries import SqliteDeliveries
from warroom.store.sqlite.events import POLL_INTERVAL_S
from warroom.store.sqlite.keys import SqliteKeys
from warroom.store.sqlite.schema import SCHEMA_VERSION
from warroom.store.sqlite.snapshots import SqliteSnapshots

__all__ = ["BUSY_TIMEOUT_S", "POLL_INTERVAL_S", "SCHEMA_VERSION", "SqliteStore"]


class SqliteStore(SqliteDeliveries, SqliteKeys, SqliteSnapshots):
    """An event store in one SQLite file, safe for many threads and processes on one host.

    One write connection and one read connection, each guarded by a lock, so the store may be
    used from worker threads; every `watch()` opens its own read connection.
    """
