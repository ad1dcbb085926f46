"""The Store protocol: stores move events and nothing else.

Kept free of SQLite-isms so an HTTP or PostgreSQL store slots in unchanged.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from warroom.domain.models import Event


class StoreError(Exception):
    """The store could not do what was asked (I/O, corruption, unreachable server)."""


class SeqConflict(StoreError):
    """`append(..., expect_seq=N)` found the log already past N: re-decide and retry."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"store moved on: expected last seq {expected}, found {actual}")
        self.expected = expected
        self.actual = actual


@dataclass(frozen=True)
class AppendResult:
    """What an append did.

    Attributes:
        seqs: the seqs of the stored events (the original ones for a duplicate).
        result: the command result stored with the idempotency key (e.g. `{"id": "ESC-3"}`).
        duplicate: True when the idempotency key had been seen: nothing was written.
    """

    seqs: tuple[int, ...]
    result: dict[str, Any]
    duplicate: bool = False


@dataclass(frozen=True)
class Draft:
    """A half-written status update, kept until posted or discarded."""

    incident_id: str
    person: str
    body: dict[str, Any]
    saved_at: str


@dataclass(frozen=True)
class StoredToken:
    """An API token as a store keeps it: only the SHA-256 of the secret, never the secret."""

    id: str
    person: str
    read_only: bool
    hash: str
    created_at: str
    revoked_at: str | None = None
    bot: bool = False
    """A monitoring sender's token: it may open escalations and annotate them, nothing else."""


@dataclass(frozen=True)
class NewDelivery:
    """A message to send, written in the same transaction as the event it delivers.

    Attributes:
        channel: the configured channel name.
        recipients: who receives it, as shown in events (never a secret).
        message: what to send (`warroom.delivery.message`), JSON-ready.
        event_index: which of the appended events it delivers (its seq is assigned then).
    """

    channel: str
    recipients: tuple[str, ...]
    message: dict[str, Any]
    event_index: int = 0


@dataclass(frozen=True)
class Delivery:
    """One message to one channel, held in the store until sent.

    `attempts` counts claims (a claim is an attempt even if the claimer dies). `state` is
    `pending` or `delivered`; a failed attempt stays pending with a later `due_at`.
    """

    id: int
    incident_id: str
    seq: int
    """The event it delivers (an `update_posted` or `trigger_fired`)."""
    channel: str
    recipients: tuple[str, ...]
    message: dict[str, Any]
    state: str
    attempts: int
    due_at: datetime
    created_at: datetime
    lease_owner: str | None = None
    lease_until: datetime | None = None
    last_error: str | None = None
    delivered_at: datetime | None = None

    @property
    def key(self) -> str:
        """Stable across attempts: the Message-ID / idempotency key receivers deduplicate on."""
        return f"{self.incident_id}.{self.seq}.{self.channel}"


@dataclass(frozen=True)
class StatusPageKey:
    """A customer's status page link (only a hash of its secret key is kept)."""

    customer: str
    key_hash: str
    created_at: datetime
    revoked_at: datetime | None = None


class Store(Protocol):
    """Where events live."""

    def append(
        self,
        events: Sequence[Event],
        *,
        expect_seq: int | None = None,
        idempotency_key: str | None = None,
        result: dict[str, Any] | None = None,
        deliveries: Sequence[NewDelivery] = (),
    ) -> AppendResult:
        """Durably append events in one transaction, assigning gap-free seqs.

        Args:
            events: events with `seq == 0`; `recorded_at` is kept as given.
            expect_seq: if given, fail with `SeqConflict` unless the last seq is exactly this.
            idempotency_key: a command's key; if already stored, nothing is written and the
                original seqs and result are returned with `duplicate=True`.
            result: the command's result to keep with the key.
            deliveries: messages to send, pending from the event's `recorded_at`, written in
                the same transaction (nothing depends on the posting process staying alive).
        """
        ...

    def lookup(self, idempotency_key: str) -> AppendResult | None:
        """The stored outcome of a command key, or None."""
        ...

    def read(
        self, since_seq: int = 0, incident_id: str | None = None, limit: int | None = None
    ) -> list[Event]:
        """Events with seq > since_seq (optionally of one incident), in seq order; at most
        `limit` of them when given (page through a long log to keep memory bounded)."""
        ...

    def last_seq(self) -> int:
        """The highest seq stored (0 when empty)."""
        ...

    def watch(self, since_seq: int = 0) -> AsyncIterator[list[Event]]:
        """Yield batches of new events (seq > since_seq) as they are appended, by anyone."""
        ...

    def save_draft(self, incident_id: str, person: str, body: dict[str, Any],
                   now: datetime) -> None:
        """Keep a draft (one per incident and person), replacing any earlier one; saved at
        `now` (the caller's clock)."""
        ...

    def load_draft(self, incident_id: str, person: str) -> Draft | None:
        """The kept draft, if any."""
        ...

    def discard_draft(self, incident_id: str, person: str) -> None:
        """Forget the draft."""
        ...

    def close(self) -> None:
        """Release resources."""
        ...


class DeliveryStore(Store, Protocol):
    """A store that also holds deliveries and status page keys (SQLite, PostgreSQL): what a
    deliverer and the status pages need. A server's mirror (`HttpStore`) is not one."""

    def claim_deliveries(
        self, owner: str, now: datetime, lease: timedelta, limit: int = 50
    ) -> list[Delivery]:
        """Atomically lease up to `limit` pending deliveries due by `now` whose lease (if any)
        has run out: each gets `lease_owner = owner`, `lease_until = now + lease` and one more
        attempt. Two claimers never get the same delivery while its lease runs."""
        ...

    def finish_delivery(
        self,
        delivery_id: int,
        *,
        delivered: bool,
        now: datetime,
        error: str | None = None,
        retry_at: datetime | None = None,
        events: Sequence[Event] = (),
    ) -> bool:
        """Record an attempt's outcome and append its events, in one transaction.

        Delivered: state `delivered` at `now`. Failed: stays pending, due again at `retry_at`,
        lease released, `last_error` kept. Returns False (and writes nothing) when the delivery
        is already delivered (another deliverer took it over after a lapsed lease)."""
        ...

    def next_delivery_due(self) -> datetime | None:
        """When the earliest pending delivery may next be claimed (None: nothing pending)."""
        ...

    def deliveries(self, incident_id: str | None = None) -> list[Delivery]:
        """Deliveries (of one escalation), oldest first."""
        ...

    def add_statuspage_key(self, customer: str, key_hash: str, now: datetime) -> None:
        """Keep a new status page key hash for `customer`, revoking any earlier one."""
        ...

    def statuspage_keys(self) -> list[StatusPageKey]:
        """Every status page key, active and revoked, oldest first."""
        ...

    def revoke_statuspage_key(self, customer: str, now: datetime) -> bool:
        """Revoke `customer`'s active key; False when there was none."""
        ...


class TokenStore(Protocol):
    """Where API tokens live (hashes only): beside the events they guard, in the same store."""

    def add_token(self, token: StoredToken) -> bool:
        """Keep a new token; False (nothing written) when its id is already taken."""
        ...

    def tokens(self) -> list[StoredToken]:
        """Every token, revoked ones too, oldest first."""
        ...

    def find_token(self, ident: str) -> StoredToken | None:
        """The token with this id (revoked or not), or None; read fresh on every call so a
        revocation through any process or server applies at once."""
        ...

    def revoke_tokens(self, ids: Sequence[str], at: str) -> None:
        """Mark these tokens revoked at `at` (ISO 8601) in one transaction."""
        ...


class ServerStore(DeliveryStore, TokenStore, Protocol):
    """A store a server can own: events, drafts, idempotency keys, deliveries, status page
    keys and tokens (SQLite or PostgreSQL; not a remote server's mirror)."""
