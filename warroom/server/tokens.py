"""API tokens: who is calling, and whether they may write.

A token looks like `wr_<id>_<secret>`: `id` is 8 hex digits (shown by `token list`, used by
`token revoke`), `secret` 32 random bytes. Only the SHA-256 of the whole token is kept, by the
store itself (`Store.add_token` and friends), so tokens travel with the data they guard, in a
SQLite file or a PostgreSQL database alike. SHA-256 (not a slow password hash) is enough because
the secret has 256 bits of entropy. Hashes are compared with `hmac.compare_digest`.

Every function takes an open store, or a store target (a file path or a database URL) that it
opens and closes around the one operation.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warroom.store.base import StoredToken, TokenStore

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
    bot: bool = False

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
    bot: bool = False
    """A monitoring sender: it may open and annotate escalations, nothing else."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


StoreOrTarget = TokenStore | str | Path
"""An open store, or what names one (see `warroom.store.target.open_store`)."""


@contextmanager
def _opened(store: StoreOrTarget) -> Iterator[TokenStore]:
    """The store itself, or one opened from a target and closed afterwards."""
    if not isinstance(store, str | Path):
        yield store
        return
    from warroom.store.target import open_store

    opened = open_store(store, one_shot=True)
    try:
        yield opened
    finally:
        opened.close()


def _public(token: StoredToken) -> Token:
    return Token(token.id, token.person, token.read_only, token.created_at, token.revoked_at,
                 token.bot)


def _split(token: str) -> str | None:
    """The id part of a well-formed token, or None."""
    if not token.startswith(PREFIX):
        return None
    ident, sep, secret = token[len(PREFIX):].partition("_")
    if not sep or len(ident) != 8 or not secret:
        return None
    return ident


def add_token(store: StoreOrTarget, person: str, read_only: bool = False,
              bot: bool = False) -> str:
    """Create a token for `person` and return it; this is the only time it is ever shown.
    A `bot` token (for Alertmanager, PagerDuty, CI) may only open and annotate escalations."""
    person = person.strip()
    if not person:
        raise TokenError("person: must not be empty")
    with _opened(store) as opened:
        for _ in range(10):
            ident = secrets.token_hex(4)
            token = f"{PREFIX}{ident}_{secrets.token_urlsafe(32)}"
            if opened.add_token(StoredToken(id=ident, person=person, read_only=read_only,
                                            hash=_hash(token), created_at=_now(), bot=bot)):
                return token
    raise TokenError("could not allocate a token id")  # pragma: no cover


def list_tokens(store: StoreOrTarget, include_revoked: bool = False) -> list[Token]:
    """Stored tokens, oldest first."""
    with _opened(store) as opened:
        tokens = [_public(t) for t in opened.tokens()]
    return tokens if include_revoked else [t for t in tokens if t.active]


def revoke_token(store: StoreOrTarget, ident: str) -> list[Token]:
    """Revoke a token by id (or by the whole token), or every active token of a person.

    Returns:
        The tokens revoked (raises TokenError when nothing matched).
    """
    key = _split(ident) or ident.strip()
    with _opened(store) as opened:
        active = [t for t in opened.tokens() if t.revoked_at is None]
        chosen = [t for t in active if t.id == key] or [t for t in active if t.person == key]
        if not chosen:
            raise TokenError(f"no active token with id or person {ident!r}")
        at = _now()
        opened.revoke_tokens([t.id for t in chosen], at)
    return [Token(t.id, t.person, t.read_only, t.created_at, at, t.bot) for t in chosen]


class TokenBook:
    """Checks bearer tokens for the server against the store (revocations apply at once, on
    every server sharing the store: each check reads the store)."""

    def __init__(self, store: TokenStore) -> None:
        self._store = store

    def verify(self, token: str) -> Identity | None:
        """The identity a token stands for, or None if unknown, malformed or revoked."""
        ident = _split(token)
        if ident is None:
            return None
        row = self._store.find_token(ident)
        if row is None or row.revoked_at is not None:
            return None
        if not hmac.compare_digest(row.hash, _hash(token)):
            return None
        return Identity(person=row.person, read_only=row.read_only, token_id=ident, bot=row.bot)

    def count(self) -> int:
        """Active tokens."""
        return sum(1 for t in self._store.tokens() if t.revoked_at is None)
