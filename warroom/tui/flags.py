"""Recurring-pattern flags for the console: the `pattern_flagged` events, read incrementally in
workers (never on the UI thread), and the flags due computed from them."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

from warroom.domain.models import Event, EventKind, IncidentState
from warroom.domain.recurrence import flags_view

if TYPE_CHECKING:
    from warroom.service import WarRoom

PAGE = 5000
"""Events read per page (keeps memory bounded on a long log)."""


class FlagTracker:
    """The log's `pattern_flagged` events, caught up from where the last read stopped."""

    def __init__(self, service: WarRoom) -> None:
        self.service = service
        self._events: list[Event] = []
        self._seq = 0
        self._lock = threading.Lock()

    def flag_events(self) -> list[Event]:
        """Read the log since the last call (call from a worker thread)."""
        with self._lock:
            while True:
                page = self.service.store.read(self._seq, limit=PAGE)
                self._events += [e for e in page if e.kind is EventKind.PATTERN_FLAGGED]
                if page:
                    self._seq = page[-1].seq
                if len(page) < PAGE:
                    return list(self._events)

    def flags(self, states: dict[str, IncidentState], now: datetime,
              open_only: bool = True) -> list[dict[str, Any]]:
        """`recurrence.flags_view` over every escalation (call from a worker thread)."""
        return flags_view(states.values(), self.flag_events(), self.service.policy, now,
                          open_only=open_only)


def flags_badge(flags: list[dict[str, Any]]) -> str:
    """`⚑ 2 patterns to flag (1 OVERDUE)`, or '' when none are due."""
    due = [f for f in flags if f.get("flagged_at") is None]
    if not due:
        return ""
    overdue = sum(1 for f in due if f.get("status") == "overdue")
    noun = "pattern" if len(due) == 1 else "patterns"
    late = f" ({overdue} OVERDUE)" if overdue else ""
    return f"⚑ {len(due)} {noun} to flag{late}"
