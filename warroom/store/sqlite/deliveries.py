"""The SQLite store's deliveries: messages waiting to be sent, leased to one sender at a time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from warroom.domain.models import Event
from warroom.store.base import Delivery
from warroom.store.codec import DELIVERY_COLUMNS, delivery_from_row, event_row, iso
from warroom.store.sqlite.events import SqliteEvents


class SqliteDeliveries(SqliteEvents):
    """Deliveries (a finished attempt appends its events, hence the log underneath)."""

    def claim_deliveries(
        self, owner: str, now: datetime, lease: timedelta, limit: int = 50
    ) -> list[Delivery]:
        """Lease due pending deliveries to `owner` (see `Store.claim_deliveries`)."""
        at, until = iso(now), iso(now + lease)
        with self._transaction("claim failed") as conn:
            ids = [r[0] for r in conn.execute(
                "SELECT id FROM deliveries WHERE state = 'pending' AND due_at <= ? "
                "AND (lease_until IS NULL OR lease_until <= ?) ORDER BY due_at, id "
                "LIMIT ?", (at, at, limit))]
            conn.executemany(
                "UPDATE deliveries SET lease_owner = ?, lease_until = ?, "
                "attempts = attempts + 1 WHERE id = ?", [(owner, until, i) for i in ids])
            marks = ",".join("?" * len(ids))
            rows = conn.execute(
                f"SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE id IN ({marks}) "
                "ORDER BY due_at, id", ids).fetchall() if ids else []
        return [delivery_from_row(r) for r in rows]

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
        """Record an attempt's outcome with its events (see `Store.finish_delivery`)."""
        encoded = [event_row(e) for e in events]
        with self._transaction("recording a delivery failed") as conn:
            row = conn.execute("SELECT state FROM deliveries WHERE id = ?",
                               (delivery_id,)).fetchone()
            if row is None or row[0] == "delivered":
                return False
            if delivered:
                conn.execute(
                    "UPDATE deliveries SET state = 'delivered', delivered_at = ?, "
                    "last_error = NULL, lease_owner = NULL, lease_until = NULL "
                    "WHERE id = ?", (iso(now), delivery_id))
            else:
                conn.execute(
                    "UPDATE deliveries SET due_at = ?, last_error = ?, "
                    "lease_owner = NULL, lease_until = NULL WHERE id = ?",
                    (iso(retry_at or now), error, delivery_id))
            self._insert_events(conn, encoded, None)
        return True

    def next_delivery_due(self) -> datetime | None:
        """When the earliest pending delivery may next be claimed (None: nothing pending)."""
        row = self._read_one(
            "SELECT MIN(MAX(due_at, COALESCE(lease_until, ''))) FROM deliveries "
            "WHERE state = 'pending'")
        return None if row is None or row[0] is None else datetime.fromisoformat(row[0])

    def deliveries(self, incident_id: str | None = None) -> list[Delivery]:
        """Deliveries (of one escalation), oldest first."""
        where, params = ("WHERE incident_id = ?", (incident_id,)) if incident_id else ("", ())
        rows = self._read_all(f"SELECT {DELIVERY_COLUMNS} FROM deliveries {where} ORDER BY id",
                              params)
        return [delivery_from_row(r) for r in rows]
