"""The SQLite store's tables (schema version 5, kept in `PRAGMA user_version`).

- `events(seq INTEGER PRIMARY KEY, incident_id, kind, actor, occurred_at, recorded_at, payload,
  idempotency_key)`; datetimes are ISO 8601 UTC text, payload is JSON text.
- `commands(key PRIMARY KEY, seqs, result)`: one row per idempotency key (JSON seqs and result).
- `drafts(incident_id, person, body, saved_at)`: one half-written update per incident and person.
- `deliveries`, `statuspage_keys`: messages waiting to be sent (leased), status page key hashes.
- `warroom_tokens(id, person, read_only, hash, created_at, revoked_at, bot)`: API tokens (hashes
  only), so tokens travel with the data they guard.
- `snapshot_meta(only_row, version, seq)`, `snapshots(incident_id, closed, imported, state)`:
  the snapshot of folded state (`warroom.store.snapshot`), a cache beside the log.
"""

from __future__ import annotations

import sqlite3

from warroom.store.base import StoreError

SCHEMA_VERSION = 5
"""The `PRAGMA user_version` this code writes and understands."""

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
CREATE TABLE IF NOT EXISTS snapshot_meta (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    version TEXT NOT NULL,
    seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshots (
    incident_id TEXT PRIMARY KEY,
    closed INTEGER NOT NULL,
    imported INTEGER NOT NULL,
    state BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS snapshots_open ON snapshots(incident_id)
    WHERE closed = 0 AND imported = 0;
"""
_OUR_TABLES = frozenset({"events", "commands", "drafts", "deliveries", "statuspage_keys",
                         "warroom_tokens", "sqlite_sequence", "snapshot_meta", "snapshots"})


def refuse_newer(version: int, name: object) -> None:
    """Refuse a file written by a newer warroom."""
    if version > SCHEMA_VERSION:
        raise StoreError(f"{name}: schema version {version} is newer than this warroom "
                         f"understands ({SCHEMA_VERSION}); upgrade warroom")


def user_version(conn: sqlite3.Connection) -> int:
    """The schema version the file holds (0: none yet)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def create_or_upgrade(conn: sqlite3.Connection, name: object) -> None:
    """Bring the file to `SCHEMA_VERSION` inside the caller's write transaction.

    Every table is `CREATE ... IF NOT EXISTS`, so one pass serves an empty file and every
    older version (1 -> 2: deliveries and status page keys; 2 -> 3: API tokens; 3 -> 4: bot
    tokens, the one added column; 4 -> 5: the snapshot of folded state). A file holding
    foreign tables is refused untouched.
    """
    version = user_version(conn)
    refuse_newer(version, name)
    if version == SCHEMA_VERSION:
        return
    if version == 0:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        foreign = tables - _OUR_TABLES
        if foreign:
            raise StoreError(f"{name}: not a warroom store (has tables {sorted(foreign)})")
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    columns = {r[1] for r in conn.execute("PRAGMA table_info(warroom_tokens)")}
    if "bot" not in columns:
        conn.execute("ALTER TABLE warroom_tokens ADD COLUMN bot INTEGER NOT NULL DEFAULT 0")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
