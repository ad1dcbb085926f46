"""Which store a `--store` value names: a PostgreSQL URL, or a SQLite file path."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warroom.store.base import ServerStore

DATABASE_SCHEMES = ("postgresql://", "postgres://")


def is_database_url(target: str | Path) -> bool:
    """True when `target` is a PostgreSQL connection URL."""
    return isinstance(target, str) and target.startswith(DATABASE_SCHEMES)


def open_store(target: str | Path, *, one_shot: bool = False) -> ServerStore:
    """The store `target` names (psycopg is imported only for a PostgreSQL URL). `one_shot`:
    a short-lived process (a CLI verb) opens one plain database connection, not a pool."""
    if is_database_url(target):
        from warroom.store.postgres import PostgresStore

        return PostgresStore(str(target), pool_size=0 if one_shot else 8)
    from warroom.store.sqlite import SqliteStore

    return SqliteStore(target)


def describe(target: str | Path) -> str:
    """The target for messages, without any password in a URL."""
    if not is_database_url(target):
        return str(target)
    from warroom.store.postgres import redact

    return redact(str(target))
