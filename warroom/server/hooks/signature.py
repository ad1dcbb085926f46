"""PagerDuty's webhook signatures: `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>...]`.

Each `v1` value is the HMAC-SHA256 of the raw body under one of the subscription's signing
secrets (several while a secret is being rotated); any one matching is enough.
"""

from __future__ import annotations

import hashlib
import hmac


def sign(body: bytes, secret: str) -> str:
    """The `v1=...` signature of `body` (what PagerDuty sends; tests and tools use it)."""
    return "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, header: str | None, secret: str) -> bool:
    """Does any `v1` signature in `header` match `body` under `secret`?"""
    if not header or not secret:
        return False
    expected = sign(body, secret)
    return any(hmac.compare_digest(part.strip(), expected) for part in header.split(",")
               if part.strip().startswith("v1="))
