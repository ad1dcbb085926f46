"""Urgency: the one ordering of clocks and of escalations that every view uses (pure).

A clock is urgent only while it counts down against its target: `breached` before `at_risk`
before `ok`, ties broken by least time left. `paused`, `met`, `met_late` and `not_applicable`
clocks are never the most urgent. Escalations sort by their most urgent clock: open ones before
resolved ones before closed ones, then by that clock's rank and time left, then by id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from warroom.domain.models import Clock, ClockName, ClockState, IncidentState

__all__ = ["URGENT_STATES", "clock_key", "document_key", "escalation_key", "most_urgent"]

URGENT_STATES: dict[ClockState, int] = {
    ClockState.BREACHED: 0,
    ClockState.AT_RISK: 1,
    ClockState.OK: 2,
}
"""The states a most-urgent clock can be in, with their rank (lower is more urgent)."""

_NONE = len(URGENT_STATES)
"""Rank of an escalation with no urgent clock."""


def clock_key(clock: Clock) -> tuple[int, float]:
    """Sort key of one clock: state rank, then seconds left (clocks that cannot rank go last)."""
    rank = URGENT_STATES.get(clock.state, _NONE)
    if rank == _NONE or clock.remaining_s is None:
        return (_NONE, float("inf"))
    return (rank, clock.remaining_s)


def most_urgent(
    clocks: Mapping[ClockName, Clock], *, other_than: ClockName | None = None
) -> Clock | None:
    """The most urgent counting-down clock (None when none counts down).

    Args:
        clocks: evaluated clocks by name.
        other_than: leave this clock out (a view that already shows it large).
    """
    candidates = [
        c for c in clocks.values()
        if c.name is not other_than and clock_key(c)[0] != _NONE
    ]
    return min(candidates, key=clock_key, default=None)


def escalation_key(
    incident_id: str, resolved: bool, closed: bool, urgent: Clock | None
) -> tuple[bool, bool, int, float, str]:
    """Sort key of an escalation: open first, then by its most urgent clock, then id."""
    rank, left = clock_key(urgent) if urgent is not None else (_NONE, float("inf"))
    return (closed, resolved, rank, left, incident_id)


def state_key(state: IncidentState, clocks: Mapping[ClockName, Clock]) -> tuple[Any, ...]:
    """`escalation_key` of a folded escalation with its evaluated clocks."""
    return escalation_key(state.id, state.resolved_at is not None, state.closed_at is not None,
                          most_urgent(clocks))


def document_key(doc: Mapping[str, Any]) -> tuple[Any, ...]:
    """`escalation_key` of a status document (`status --json`), as the CLI and the API list."""
    name = doc.get("most_urgent")
    urgent = None
    if name is not None:
        data = doc["clocks"][name]
        urgent = Clock(name=ClockName(name), state=ClockState(data["state"]),
                       remaining_s=data["remaining_s"])
    return escalation_key(str(doc["id"]), doc.get("resolved_at") is not None,
                          doc.get("closed_at") is not None, urgent)
