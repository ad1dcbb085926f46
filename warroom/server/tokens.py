"""API tokens: who is calling, and whether they may write.

A token looks like `wr_<id>_<secret>`: `id` is 8 hex digits (shown by `token list`, used by
`token revoke`), `secret` 32 random bytes. Only the SHA-256 of the whole token is kept, in a
`warroom_tokens` table inside the store's own SQLite file, so tokens travel with the data they
guard. SHA-256 (not a slow password hash) is enough because the secret has 256 bits of entropy.
Hashes are compared with `hmac.compare_digest`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS warroom_tokens (
    id TEXT PRIMARY KEY,
    person TEXT NOT NULL,
    read_only INTEGER NOT NULL DEFAULT 0,
    hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
)
"""
PREFIX = "wr_"


class TokenError(ValueError):
    """A token operation that cannot be done (unknown id, empty person)."""


@dataclass(frozen=True)
class Token:
    """A stored token (never the secret itself)."""

    id: str
    person: str
    read_only: bool
    created_at: str
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        """True until revoked."""
        return self.revoked_at is None


@dataclass(frozen=True)
class Identity:
    """Who a request comes from."""

    person: str
    read_only: bool
    token_id: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _connect(path: str | Path) -> sqlite3.Connection:
    """A connection to the store file, with the store's own schema made first if it is new
    (the store refuses a fresh file that already holds foreign tables)."""
    from warroom.store.sqlite import SqliteStore

    SqliteStore(path).close()
    conn = sqlite3.connect(str(path), timeout=10.0, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute(_SCHEMA)
    return conn


def _split(token: str) -> str | None:
    """The id part of a well-formed token, or None."""
    if not token.startswith(PREFIX):
        return None
    ident, sep, secret = token[len(PREFIX):].partition("_")
    if not sep or len(ident) != 8 or not secret:
        return None
    return ident


def add_token(path: str | Path, person: str, read_only: bool = False) -> str:
    """Create a token for `person` and return it; this is the only time it is ever shown."""
    person = person.strip()
    if not person:
        raise TokenError("person: must not be empty")
    conn = _connect(path)
    try:
        for _ in range(10):
            ident = secrets.token_hex(4)
            token = f"{PREFIX}{ident}_{secrets.token_urlsafe(32)}"
            try:
                conn.execute(
                    "INSERT INTO warroom_tokens (id, person, read_only, hash, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (ident, person, int(read_only), _hash(token), _now()),
                )
            except sqlite3.IntegrityError:
                continue
            return token
        raise TokenError("could not allocate a token id")  # pragma: no cover
    finally:
        conn.close()


def list_tokens(path: str | Path, include_revoked: bool = False) -> list[Token]:
    """Stored tokens, oldest first."""
    conn = _connect(path)
    try:
        rows = conn.execute(
            "SELECT id, person, read_only, created_at, revoked_at FROM warroom_tokens"
            " ORDER BY rowid"
        ).fetchall()
    finally:
        conn.close()
    tokens = [Token(r[0], r[1], bool(r[2]), r[3], r[4]) for r in rows]
    return tokens if include_revoked else [t for t in tokens if t.active]


def revoke_token(path: str | Path, ident: str) -> list[Token]:
    """Revoke a token by id (or by the whole token), or every active token of a person.

    Returns:
        The tokens revoked (raises TokenError when nothing matched).
    """
    key = _split(ident) or ident.strip()
    conn = _connect(path)
    try:
        rows = conn.execute(
            "SELECT id, person, read_only, created_at FROM warroom_tokens"
            " WHERE revoked_at IS NULL AND id = ?",
            (key,),
        ).fetchall()
        if not rows:
            rows = conn.execute(
                "SELECT id, person, read_only, created_at FROM warroom_tokens"
                " WHERE revoked_at IS NULL AND person = ?",
                (key,),
            ).fetchall()
        if not rows:
            raise TokenError(f"no active token with id or person {ident!r}")
        at = _now()
        conn.executemany(
            "UPDATE warroom_tokens SET revoked_at = ? WHERE id = ?", [(at, r[0]) for r in rows]
        )
    finally:
        conn.close()
    return [Token(r[0], r[1], bool(r[2]), r[3], at) for r in rows]


class TokenBook:
    """Checks bearer tokens for the server against the table (revocations apply at once)."""

    def __init__(self, path: str | Path) -> None:
        self._conn = _connect(path)
        self._lock = threading.Lock()

    def verify(self, token: str) -> Identity | None:
        """The identity a token stands for, or None if unknown, malformed or revoked."""
        ident = _split(token)
        if ident is None:
            return None
        with self._lock:
            row = self._conn.execute(
                "SELECT person, read_only, hash FROM warroom_tokens"
                " WHERE id = ? AND revoked_at IS NULL",
                (ident,),
            ).fetchone()
        if row is None or not hmac.compare_digest(row[2], _hash(token)):
            return None
        return Identity(person=row[0], read_only=bool(row[1]), token_id=ident)

    def count(self) -> int:
        """Active tokens."""
        with self._lock:
            (n,) = self._conn.execute(
                "SELECT COUNT(*) FROM warroom_tokens WHERE revoked_at IS NULL"
            ).fetchone()
        return int(n)

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()
