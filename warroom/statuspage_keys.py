"""Status page keys: the secret in a customer's page link, of which the store keeps a hash.

A key is 32 random bytes (URL-safe base64); only its SHA-256 is stored, like API tokens, and
lookups compare hashes in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from warroom.store.base import StatusPageKey


def key_hash(key: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> tuple[str, str]:
    """(a fresh key, its hash)."""
    key = secrets.token_urlsafe(32)
    return key, key_hash(key)


def active_keys(keys: Iterable[StatusPageKey]) -> list[StatusPageKey]:
    """The keys not revoked."""
    return [k for k in keys if k.revoked_at is None]


def customer_for(keys: Iterable[StatusPageKey], key: str) -> str | None:
    """The customer whose active key `key` is, or None."""
    wanted = key_hash(key)
    found = None
    for k in active_keys(keys):
        if hmac.compare_digest(k.key_hash, wanted):
            found = k.customer
    return found
