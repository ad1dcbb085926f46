"""The PostgreSQL store's schema: packaged migrations (`warroom/store/migrations/NNNN_*.sql`),
applied in order; the version lives in `warroom_schema`.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import psycopg

from warroom.store.base import StoreError

_MIGRATION_FILE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_OUR_TABLES = frozenset({"warroom_schema", "warroom_events", "warroom_counter",
                         "warroom_commands", "warroom_drafts", "warroom_tokens",
                         "warroom_deliveries", "warroom_statuspage_keys",
                         "warroom_snapshot_meta", "warroom_snapshots"})


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


def version(conn: psycopg.Connection[Any]) -> int:
    """The schema version the database holds (0: none yet)."""
    exists = conn.execute("SELECT to_regclass('warroom_schema')").fetchone()
    if exists is None or exists[0] is None:
        return 0
    row = conn.execute("SELECT max(version) FROM warroom_schema").fetchone()
    return int(row[0]) if row is not None and row[0] is not None else 0


def prepare(conn: psycopg.Connection[Any], name: str, migrate: bool) -> list[str]:
    """Check the schema, applying the migrations the database lacks when it is empty or
    `migrate` is set; returns the file names applied."""
    have = version(conn)
    if have == SCHEMA_VERSION:
        return []
    _refuse_newer(have, name)
    if have and not migrate:
        raise StoreError(f"{name}: schema version {have} is older than this "
                         f"warroom's ({SCHEMA_VERSION}); run 'warroom db upgrade'")
    return _upgrade(conn, name)


def _upgrade(conn: psycopg.Connection[Any], name: str) -> list[str]:
    """Apply the migrations the database lacks, in one transaction, under an advisory
    lock so racing openers agree; returns the file names applied.

    The lock is a session lock taken BEFORE the transaction begins: a transaction that
    began before another opener committed the schema would still see no tables.
    """
    conn.execute("SELECT pg_advisory_lock(hashtext('warroom_schema'))")
    try:
        return _apply(conn, name)
    finally:
        conn.execute("SELECT pg_advisory_unlock(hashtext('warroom_schema'))")


def _apply(conn: psycopg.Connection[Any], name: str) -> list[str]:
    applied: list[str] = []
    with conn.transaction():
        have = version(conn)
        _refuse_newer(have, name)
        if have == 0:
            foreign = {r[0] for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
            foreign -= _OUR_TABLES
            if foreign:
                raise StoreError(f"{name}: not a warroom database (has tables "
                                 f"{sorted(foreign)})")
            conn.execute("CREATE TABLE warroom_schema (version integer NOT NULL)")
            conn.execute("INSERT INTO warroom_schema (version) VALUES (0)")
        for number, file_name, sql in migrations():
            if number > have:
                conn.execute(sql.encode())
                conn.execute("UPDATE warroom_schema SET version = %s", (number,))
                applied.append(file_name)
    return applied


def _refuse_newer(have: int, name: str) -> None:
    if have > SCHEMA_VERSION:
        raise StoreError(f"{name}: schema version {have} is newer than this warroom "
                         f"understands ({SCHEMA_VERSION}); upgrade warroom")
