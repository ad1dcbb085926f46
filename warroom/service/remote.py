"""RemoteWarRoom: the WarRoom service against a `warroom serve` server.

Reads fold the server's log locally (so clocks and views are computed exactly as for a file),
starting from the server's snapshot of folded state when it keeps one of this fold version;
commands are decided by the server, as the token's person, and travel through the outbox.
"""

from __future__ import annotations

import contextlib
import os
from datetime import datetime
from typing import TYPE_CHECKING, Any

from warroom.domain.policy import Policy
from warroom.service import WarRoom
from warroom.store.base import StoreError
from warroom.store.http import Connection, HttpStore, command_error, new_key
from warroom.store.outbox import FlushReport, Outbox, Queued

if TYPE_CHECKING:
    from warroom.domain.commands import AnyCommand


class RemoteWarRoom(WarRoom):
    """The WarRoom service against a server: reads fold the server's log locally, commands are
    decided by the server (as the token's person) and travel through the outbox.

    Args:
        store: the HttpStore.
        policy: the server's policy (as fetched), used for local clock views.
        queue_offline: when the server is unreachable, keep commands queued (default)
            instead of raising `StoreError`.
        raise_queued: report a queued command by raising `Queued` (the CLI) instead of
            returning `{"queued": True, ...}` (the console).
    """

    store: HttpStore

    def __init__(self, store: HttpStore, policy: Policy, *, queue_offline: bool = True,
                 raise_queued: bool = False) -> None:
        super().__init__(store, policy, store.now)
        self.queue_offline = queue_offline
        self.raise_queued = raise_queued

    @classmethod
    def connect(
        cls,
        url: str,
        config: Any = None,
        *,
        token: str | None = None,
        outbox: Outbox | None = None,
        policy: Policy | None = None,
        queue_offline: bool = True,
        raise_queued: bool = False,
        **options: Any,
    ) -> RemoteWarRoom:
        """Connect to `url`: token from the argument, `$WARROOM_TOKEN` or `config.remote.token`.

        Measures clock skew, fetches the server's policy (falling back to the local config's
        when offline) and sends anything left in the outbox from earlier runs.
        """
        remote = getattr(config, "remote", None)
        token = token or os.environ.get("WARROOM_TOKEN") or getattr(remote, "token", None)
        if not token:
            raise StoreError(f"no token for {url}: set WARROOM_TOKEN or remote.token in the "
                             "config (the server admin runs 'warroom token add PERSON')")
        store = HttpStore(url, token, outbox=outbox, **options)
        try:
            store.sync_time()
            policy = store.fetch_policy()
        except StoreError:
            if policy is None and config is None:
                store.close()
                raise
            policy = policy or config.policy
        else:
            if store.outbox.count(store.url):
                store.flush()
        assert policy is not None
        return cls(store, policy, queue_offline=queue_offline, raise_queued=raise_queued)

    def save_snapshot(self) -> bool:
        """Never: a mirror starts from the server's snapshot, and the server writes it."""
        return False

    def connection(self) -> Connection:
        """Connected / reconnecting / offline, with the pending count."""
        return self.store.connection()

    def flush(self) -> FlushReport:
        """Send queued commands now."""
        return self.store.flush()

    def execute(
        self, command: AnyCommand, actor: str, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """Queue the command, send the queue in order, and return the server's result.

        `actor` is informational: the server acts as the token's person. Raises the server's
        CommandError (same class and message as a local run). If the server is unreachable the
        command stays queued: `Queued` is raised when `raise_queued`, else
        `{"queued": True, "idempotency_key", "pending", "entry"}` is returned.
        """
        key = idempotency_key or new_key()
        store = self.store
        outbox = store.outbox
        entry = outbox.add(store.url, key, store.identity, actor,
                           command.model_dump(mode="json"), self.clock())
        report = store.flush()
        outcome = outbox.outcome(key)
        if outcome is None:
            if report.status == 401:  # not offline: this token will never be accepted
                outbox.discard(key)
                raise StoreError(f"{store.url} refused the token ({report.error}): set "
                                 "WARROOM_TOKEN or remote.token in the config")
            if not self.queue_offline:
                outbox.discard(key)
                raise StoreError(report.error or f"{store.url}: not sent")
            pending = outbox.count(store.url)
            if self.raise_queued:
                raise Queued(entry, pending, report.error)
            return {
                "id": getattr(command, "incident_id", None),
                "queued": True,
                "idempotency_key": key,
                "entry": entry.n,
                "pending": pending,
                "seqs": [],
                "duplicate": False,
                "error": report.error,
            }
        if not outcome.ok:
            outbox.settle(key)  # the person sees the refusal now: nothing left to attend to
            raise command_error(outcome.status, outcome.body)
        with contextlib.suppress(StoreError):
            self.refresh()
        return dict(outcome.body)

    def status(self, incident_id: str, as_of: datetime | None = None) -> dict[str, Any]:
        """The server's `status --json` document."""
        params = {"as_of": as_of.isoformat()} if as_of is not None else {}
        doc: dict[str, Any] = self.store.get_json(f"/escalations/{incident_id}", **params)
        return doc
