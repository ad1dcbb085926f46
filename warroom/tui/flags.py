"""Recurring-pattern flags for the console: the `pattern_flagged` events (folded into each
escalation's state) and the flags due computed from them, in workers (never on the UI thread)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from warroom.domain.models import Event, IncidentState
from warroom.domain.recurrence import flag_events, flags_view

if TYPE_CHECKING:
    from warroom.service import WarRoom


class FlagTracker:
    """The log's `pattern_flagged` events, from the service's folded states."""

    def __init__(self, service: WarRoom) -> None:
        self.service = service

    def flag_events(self) -> list[Event]:
        """Every `pattern_flagged` event, in seq order (call from a worker thread)."""
        return flag_events(self.service.states().values())

    def flags(self, states: dict[str, IncidentState], now: datetime,
              open_only: bool = True) -> list[dict[str, Any]]:
        """`recurrence.flags_view` over every escalation (call from a worker thread)."""
        return flags_view(states.values(), flag_events(states.values()), self.service.policy,
                          now, open_only=open_only)


def flags_badge(flags: list[dict[str, Any]]) -> str:
    """`⚑ 2 patterns to flag (1 OVERDUE)`, or '' when none are due."""
    due = [f for f in flags if f.get("flagged_at") is None]
    if not due:
        return ""
    overdue = sum(1 for f in due if f.get("status") == "overdue")
    noun = "pattern" if len(due) == 1 else "patterns"
    late = f" ({overdue} OVERDUE)" if overdue else ""
    return f"⚑ {len(due)} {noun} to flag{late}"
