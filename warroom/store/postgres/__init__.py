"""PostgreSQL event store: several API servers (and CLIs) on one database.

Tables (see `migrations/*.sql`): `warroom_events` (the log, with the same text columns as the
SQLite store), `warroom_counter` (the last seq handed out), `warroom_commands`,
`warroom_drafts`, `warroom_tokens`, `warroom_deliveries`, `warroom_statuspage_keys`, and the
snapshot of folded state (`warroom_snapshot_meta`, `warroom_snapshots`: a cache); and the
`warroom_append` function, a command's append in one round trip.

One idea a module: `schema` (migrations), `connection` (the pool and the one transaction),
`events` (the log, idempotency keys, LISTEN/NOTIFY watching), `deliveries` (messages waiting to
be sent), `keys` (drafts, API tokens, status page keys) and `snapshots`.
"""

from __future__ import annotations

from warroom.store.postgres.connection import CONNECT_TIMEOUT_S, redact, stale
from warroom.store.postgres.deliveries import PostgresDeliveries
from warroom.store.postgres.events import CHANNEL, PAGE, RECONNECT_S, WATCH_IDLE_S
from warroom.store.postgres.keys import PostgresKeys
from warroom.store.postgres.schema import SCHEMA_VERSION, migrations
from warroom.store.postgres.snapshots import PostgresSnapshots

__all__ = ["CHANNEL", "CONNECT_TIMEOUT_S", "PAGE", "RECONNECT_S", "SCHEMA_VERSION",
           "WATCH_IDLE_S", "PostgresStore", "migrations", "redact", "stale"]


class PostgresStore(PostgresDeliveries, PostgresKeys, PostgresSnapshots):
    """An event store in a PostgreSQL database, shared by any number of processes and hosts
    (its arguments: `PostgresConnections`)."""
