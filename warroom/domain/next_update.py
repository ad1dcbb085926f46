"""When the customer hears from us next: the one source for the `next_update` clock, the promise
an update makes, template placeholders, the composer and the wallboard (pure, no clock reads).

- Until the first customer update, the next one is the first update (due `first_update` after
  receipt).
- After that it is due `update_every` after the latest customer update, or at the time promised
  in that update when that is sooner. A promise renegotiated with the customer replaces the due
  time outright, sooner or later.
- After resolution one final customer update (the "resolved" update) is still owed on the same
  terms; once a customer update is posted at or after resolution, nothing more is owed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from warroom.domain.calendar import add_time
from warroom.domain.models import IncidentState, Severity
from warroom.domain.policy import Policy

__all__ = ["Owed", "after_posting", "cadence", "owed", "promise_text"]


class Owed(NamedTuple):
    """The next customer update owed (or that none is)."""

    due_at: datetime | None
    """When it is due; None once the final update after resolution has been posted."""
    since: datetime
    """When the window it is measured in began (receipt, or the latest customer update)."""
    promised: bool
    """The due time is a time promised to the customer (or renegotiated with them)."""
    final: bool
    """It is the final update owed after resolution."""
    first: bool
    """It is the first customer update."""


def owed(state: IncidentState, policy: Policy) -> Owed:
    """The next customer update owed by `state` (see the module rules)."""
    severity = state.severity if state.triaged else Severity.P0
    targets = policy.for_severity(severity)
    cal = policy.calendar_for(severity)
    last = state.last_customer_update_at
    resolved = state.resolved_at
    final = resolved is not None
    if final and last is not None and resolved is not None and last >= resolved:
        return Owed(None, last, False, True, False)
    if last is None:
        return Owed(add_time(state.received_at, targets.first_update, cal), state.received_at,
                    False, final, True)
    due = add_time(last, targets.update_every, cal)
    promise = state.promised_next_update_at
    if promise is not None and (state.promise_renegotiated or promise < due):
        return Owed(promise, last, True, final, False)
    return Owed(due, last, False, final, False)


def after_posting(state: IncidentState, policy: Policy, at: datetime,
                  promised: datetime | None) -> datetime | None:
    """When the next customer update falls due if a customer update is posted at `at` promising
    the next one by `promised` (None: no promise). None when that update is the final one."""
    if state.resolved_at is not None and at >= state.resolved_at:
        return None
    severity = state.severity if state.triaged else Severity.P0
    due = add_time(at, policy.for_severity(severity).update_every, policy.calendar_for(severity))
    return min(due, promised) if promised is not None else due


def cadence(state: IncidentState, policy: Policy) -> timedelta:
    """The update cadence `state` is held to now."""
    severity = state.severity if state.triaged else Severity.P0
    return policy.for_severity(severity).update_every


def promise_text(due: datetime) -> str:
    """The text of the commitment a promised next update makes (renegotiating rewrites it)."""
    return f"Next customer update by {due:%H:%M} UTC"
