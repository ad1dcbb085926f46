"""The PostgreSQL store's connections: a psycopg pool serves the synchronous Store calls (the
service runs them in worker threads), or, for a one-shot CLI process, one plain connection;
`transaction` is the one way a multi-statement write is run. Any database trouble becomes one
StoreError (503 to API clients, who retry).

A connection is checked before it is lent (`stale`): after a database restart every pooled
connection is dead, and without the check the first call on each would fail. psycopg_pool's own
`check=` callback is not used: after a failed check it sleeps ~1 s before trying the next
connection, so with several dead ones the first calls after a restart timed out (PoolTimeout)
instead of succeeding.
"""

from __future__ import annotations

import re
import select
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Self

import psycopg

from warroom.store.base import StoreError
from warroom.store.postgres import schema

if TYPE_CHECKING:
    from psycopg_pool import ConnectionPool

CONNECT_TIMEOUT_S = 2.0
"""How long to wait for a connection (from the pool, or a new one) before giving up: with the
database gone, requests fail (503) after this long rather than hang."""


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", url)


def reason(exc: BaseException) -> str:
    """The first line of a driver error."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def stale(conn: psycopg.Connection[Any]) -> bool:
    """True when the database has dropped this idle connection (a restart, an administrator,
    an idle timeout). The server says so by writing to the socket (an error, then EOF), and a
    healthy idle connection has nothing to read: so one `poll()` with no wait, not a round trip.
    Something else to read (a notice) is settled by an empty query."""
    if conn.broken or conn.closed:
        return True
    poller = select.poll()  # not select(): a server has more than 1024 descriptors
    poller.register(conn.fileno(), select.POLLIN)
    if not poller.poll(0):
        return False
    try:
        conn.execute("")
    except psycopg.Error:
        return True
    return False


class PostgresConnections:
    """A PostgreSQL database opened through a pool; its parts (events, deliveries, keys) run
    every call through `_conn`, `transaction`, `_fetch_one`, `_fetch_all` or `_execute`.

    Args:
        url: a `postgresql://user@host:port/db` connection URL.
        migrate: bring an older schema up to date (`warroom db upgrade`); otherwise an older
            schema is refused with a hint. An empty database always gets the schema.
        pool_size: most connections the pool opens; 0 for no pool, one connection kept open
            (a one-shot CLI process: no pool to import, no pool thread, no second connection).
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
            raise StoreError(f"{self.name}: cannot connect to PostgreSQL ({reason(exc)})") \
                from None
        try:
            try:
                self.applied = schema.prepare(first, self.name, migrate)
            except psycopg.Error as exc:
                raise StoreError(f"{self.name}: cannot prepare schema: {reason(exc)}") \
                    from exc
        except BaseException:
            first.close()
            raise
        self._pool: ConnectionPool[psycopg.Connection[Any]] | None = None
        self._single: psycopg.Connection[Any] | None = None
        self._single_lock = threading.Lock()
        if not pool_size:
            self._single = first  # one-shot: no pool (nor its import, thread, 2nd connection)
            return
        first.close()
        from psycopg_pool import ConnectionPool

        self._pool = ConnectionPool(
            url, min_size=1, max_size=pool_size, open=False, timeout=CONNECT_TIMEOUT_S,
            kwargs={"connect_timeout": int(CONNECT_TIMEOUT_S), "autocommit": True},
            name="warroom",
        )
        self._pool.open(wait=False)

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"{self.name}: store is closed")

    @contextmanager
    def _conn(self, doing: str) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection; any database trouble becomes one StoreError."""
        self._check_open()
        try:
            with self._lend() as conn:
                yield conn
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:  # PoolTimeout too
            raise StoreError(f"{self.name}: {doing}: database unavailable ({reason(exc)})") \
                from exc
        except psycopg.Error as exc:
            raise StoreError(f"{self.name}: {doing}: {reason(exc)}") from exc

    @contextmanager
    def _lend(self) -> Iterator[psycopg.Connection[Any]]:
        """A live connection: from the pool, passing over (and so discarding) any the database
        dropped; or the one connection, re-opened if the database dropped it."""
        if self._pool is None:
            with self._single_lock:
                if self._single is None or stale(self._single):
                    if self._single is not None:
                        self._single.close()
                    self._single = psycopg.connect(
                        self.url, autocommit=True, connect_timeout=int(CONNECT_TIMEOUT_S))
                yield self._single
            return
        pool = self._pool
        conn = pool.getconn()
        for _ in range(pool.max_size):  # after a restart, every idle connection is dead
            if not stale(conn):
                break
            pool.putconn(conn)  # broken: the pool closes it and opens a replacement
            conn = pool.getconn()
        try:
            yield conn
        finally:
            pool.putconn(conn)

    @contextmanager
    def transaction(self, doing: str) -> Iterator[psycopg.Cursor[Any]]:
        """A cursor inside one transaction: committed when the block ends (a return included),
        rolled back on any error; database trouble becomes StoreError naming `doing`. (Also
        for `warroom db copy` and benches.)"""
        with self._conn(doing) as conn, conn.transaction(), conn.cursor() as cur:
            yield cur

    def _fetch_one(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        with self._conn("read failed") as conn:
            return conn.execute(sql, params).fetchone()

    def _fetch_all(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        with self._conn("read failed") as conn:
            return conn.execute(sql, params).fetchall()

    def _execute(self, sql: str, params: tuple[Any, ...]) -> int:
        """One statement in its own transaction (autocommit); the rows it touched."""
        with self._conn("write failed") as conn:
            return conn.execute(sql, params).rowcount

    def schema_version(self) -> int:
        """The schema version the database holds (0: none yet)."""
        with self._conn("cannot read schema version") as conn:
            return schema.version(conn)

    def close(self) -> None:
        """Close the pool (idempotent); watchers end within `WATCH_IDLE_S`."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self._pool is not None:
            self._pool.close()
        with self._single_lock:
            if self._single is not None:
                self._single.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"
