"""Where updates stand on their channels, in words (console, `status --json`). Pure."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from warroom.domain.models import Audience, IncidentState, StatusUpdate

UNDELIVERED_AFTER = timedelta(minutes=2)
"""A customer update still not delivered this long after posting raises the header badge."""


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def delivery_line(update: StatusUpdate) -> tuple[str, str] | None:
    """`("✔ delivered to 2 · ✖ failed: connection refused, retrying", "failed")`: the text and
    its worst state (`delivered`, `pending`, `failed`); None for an update sent nowhere."""
    if not update.deliveries:
        return None
    done = [d for d in update.deliveries.values() if d.state == "delivered"]
    failed = [d for d in update.deliveries.values() if d.state == "failed"]
    pending = [d for d in update.deliveries.values() if d.state == "pending"]
    parts = []
    if done:
        parts.append(f"✔ delivered to {sum(len(d.recipients) or 1 for d in done)}")
    if failed:
        reasons = sorted({d.error or "error" for d in failed})
        parts.append(f"✖ failed: {'; '.join(reasons)}, retrying")
    if pending:
        parts.append(f"… sending to {sum(len(d.recipients) or 1 for d in pending)}")
    worst = "failed" if failed else "pending" if pending else "delivered"
    return " · ".join(parts), worst


def overdue_undelivered(states: Iterable[IncidentState], now: datetime) -> int:
    """Customer updates still undelivered `UNDELIVERED_AFTER` after they were posted."""
    cutoff = now - UNDELIVERED_AFTER
    return sum(1 for state in states for u in state.updates
               if u.audience is Audience.CUSTOMER and u.undelivered and u.posted_at <= cutoff)


def undelivered_badge(states: Iterable[IncidentState], now: datetime) -> str:
    """`✉ 1 customer update undelivered` ('' when none is overdue)."""
    count = overdue_undelivered(states, now)
    if not count:
        return ""
    return f"✉ {count} customer update{'s' if count != 1 else ''} undelivered"


def updates_view(state: IncidentState) -> list[dict[str, Any]]:
    """Each update with its deliveries, JSON-ready (`status --json`)."""
    out = []
    for u in state.updates:
        line = delivery_line(u)
        out.append({
            "seq": u.seq,
            "audience": u.audience.value,
            "phase": u.phase.value,
            "body": u.body,
            "posted_by": u.posted_by,
            "posted_at": _iso(u.posted_at),
            "next_update_at": _iso(u.next_update_at),
            "delivery": line[1] if line else None,
            "deliveries": [
                {"channel": d.channel, "recipients": list(d.recipients), "state": d.state,
                 "attempts": d.attempts, "error": d.error, "at": _iso(d.at)}
                for d in u.deliveries.values()
            ],
        })
    return out
