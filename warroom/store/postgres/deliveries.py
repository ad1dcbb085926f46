"""The PostgreSQL store's deliveries: messages waiting to be sent, claimed with
`FOR UPDATE SKIP LOCKED` so only one server sends each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from warroom.domain.models import Event
from warroom.store.base import Delivery
from warroom.store.codec import DELIVERY_COLUMNS, delivery_from_row, iso, new_event_rows
from warroom.store.postgres.events import PostgresEvents, insert_events, lock_counter


class PostgresDeliveries(PostgresEvents):
    """Deliveries (a finished attempt appends its events, hence the log underneath)."""

    def claim_deliveries(
        self, owner: str, now: datetime, lease: timedelta, limit: int = 50
    ) -> list[Delivery]:
        """Lease due pending deliveries to `owner` (see `DeliveryStore.claim_deliveries`);
        `FOR UPDATE SKIP LOCKED` keeps racing servers off each other's rows."""
        at, until = iso(now), iso(now + lease)
        with self.transaction("claim failed") as cur:
            rows = cur.execute(
                f"UPDATE warroom_deliveries SET lease_owner = %s, lease_until = %s, "
                f"attempts = attempts + 1 WHERE id IN (SELECT id FROM warroom_deliveries "
                f"WHERE state = 'pending' AND due_at <= %s AND (lease_until IS NULL OR "
                f"lease_until <= %s) ORDER BY due_at, id LIMIT %s FOR UPDATE SKIP LOCKED) "
                f"RETURNING {DELIVERY_COLUMNS}", (owner, until, at, at, limit)).fetchall()
        claimed = [delivery_from_row(r) for r in rows]
        return sorted(claimed, key=lambda d: (d.due_at, d.id))

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
        """Record an attempt's outcome with its events (see `DeliveryStore.finish_delivery`)."""
        encoded = new_event_rows(events)
        with self.transaction("recording a delivery failed") as cur:
            row = cur.execute("SELECT state FROM warroom_deliveries WHERE id = %s FOR UPDATE",
                              (delivery_id,)).fetchone()
            if row is None or row[0] == "delivered":
                return False
            if delivered:
                cur.execute(
                    "UPDATE warroom_deliveries SET state = 'delivered', delivered_at = %s, "
                    "last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE id = %s",
                    (iso(now), delivery_id))
            else:
                cur.execute(
                    "UPDATE warroom_deliveries SET due_at = %s, last_error = %s, "
                    "lease_owner = NULL, lease_until = NULL WHERE id = %s",
                    (iso(retry_at or now), error, delivery_id))
            if encoded:
                insert_events(cur, lock_counter(cur), encoded)
        return True

    def next_delivery_due(self) -> datetime | None:
        """When the earliest pending delivery may next be claimed (None: nothing pending)."""
        row = self._fetch_one(
            "SELECT MIN(GREATEST(due_at, COALESCE(lease_until, ''))) FROM warroom_deliveries"
            " WHERE state = 'pending'")
        return None if row is None or row[0] is None else datetime.fromisoformat(row[0])

    def deliveries(self, incident_id: str | None = None) -> list[Delivery]:
        """Deliveries (of one escalation), oldest first."""
        where, params = ("WHERE incident_id = %s", (incident_id,)) if incident_id else ("", ())
        rows = self._fetch_all(f"SELECT {DELIVERY_COLUMNS} FROM warroom_deliveries {where} "
                               "ORDER BY id", params)
        return [delivery_from_row(r) for r in rows]
