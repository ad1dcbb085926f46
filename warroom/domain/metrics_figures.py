"""The figures of a group of escalations, and the per-escalation measures behind them (see
`warroom.domain.metrics` for what each figure means): times to acknowledge and resolve, update
cadence, clock outcomes, and the `figures` every breakdown and period carries. Pure.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from warroom.domain.calendar import add_time
from warroom.domain.models import Audience, ClockName, ClockState, IncidentState, Severity
from warroom.domain.policy import Policy
from warroom.domain.sla import clocks

_OUTCOMES = (ClockState.MET, ClockState.MET_LATE, ClockState.BREACHED)
_LATE = (ClockState.MET_LATE, ClockState.BREACHED)


def stats(values: Sequence[float]) -> dict[str, Any]:
    """`{"mean", "median", "count"}` (mean and median None when empty)."""
    if not values:
        return {"mean": None, "median": None, "count": 0}
    return {"mean": statistics.fmean(values), "median": float(statistics.median(values)),
            "count": len(values)}


def rate(part: int, whole: int) -> float | None:
    """part / whole, None when there is nothing to divide by."""
    return part / whole if whole else None


def median(values: Iterable[float | None]) -> float | None:
    """The median of the values present (None when none is)."""
    present = [v for v in values if v is not None]
    return float(statistics.median(present)) if present else None


def received_between(states: Iterable[IncidentState], since: datetime | None,
                     until: datetime | None) -> list[IncidentState]:
    """The escalations received in `[since, until)` (either bound may be open)."""
    return [s for s in states
            if (since is None or s.received_at >= since)
            and (until is None or s.received_at < until)]


def mtta_s(state: IncidentState) -> float | None:
    """Receipt to acknowledgement; None where the source has no acknowledgement time (imported
    history is triaged at receipt by the importer, which says nothing about acknowledgement)."""
    if state.triaged_at is None or state.imported:
        return None
    return (state.triaged_at - state.received_at).total_seconds()


def mttr_s(state: IncidentState) -> float | None:
    """Receipt to resolution (None while unresolved)."""
    if state.resolved_at is None:
        return None
    return (state.resolved_at - state.received_at).total_seconds()


def cadence_detail(state: IncidentState, policy: Policy, now: datetime) -> tuple[int, int, bool]:
    """`(on_time, due, silent)`: customer updates of one escalation on time and due (see module
    doc); `silent` when the last interval ran out with no update (before resolution or `now`)."""
    severity = state.severity if state.triaged else Severity.P0
    targets = policy.for_severity(severity)
    cal = policy.calendar_for(severity)
    # resolution, else the close (imported history unresolved at its source), else now
    end = state.resolved_at or state.closed_at or now
    deadline = add_time(state.received_at, targets.first_update, cal)
    sent = sorted(u.posted_at for u in state.updates
                  if u.audience is Audience.CUSTOMER and u.posted_at <= end)
    on_time = due = 0
    for at in sent:
        due += 1
        on_time += at <= deadline
        deadline = add_time(at, targets.update_every, cal)
    silent = deadline < end
    return on_time, due + silent, silent


def cadence(state: IncidentState, policy: Policy, now: datetime) -> tuple[int, int]:
    """`(on_time, due)` customer updates of one escalation (see module doc)."""
    on_time, due, _ = cadence_detail(state, policy, now)
    return on_time, due


def next_update_outcome(state: IncidentState, policy: Policy, now: datetime
                        ) -> ClockState | None:
    """The `next_update` clock's outcome over the whole escalation, resolved ones included:
    `breached` when an interval ran out in silence, `met_late` when an update came late, `met`
    when a resolved escalation had every update on time; None when it owed no update yet or is
    still running with nothing late."""
    return _next_update(state, cadence_detail(state, policy, now))


def _next_update(state: IncidentState, detail: tuple[int, int, bool]) -> ClockState | None:
    on_time, due, silent = detail
    if due == 0:
        return None
    if silent:
        return ClockState.BREACHED
    if on_time < due:
        return ClockState.MET_LATE
    return ClockState.MET if state.resolved_at is not None else None


class ClockOutcomes:
    """Per-escalation measures, computed once each however many groups an escalation is in:
    clock outcomes (`next_update` over the whole escalation, see `next_update_outcome`), the
    customer-update cadence, and what `figures` adds up (a year is 10,000 escalations, each in
    a customer, component, tier, month, week and period group)."""

    def __init__(self, policy: Policy, now: datetime) -> None:
        self.policy, self.now = policy, now
        self._cache: dict[str, dict[str, ClockState]] = {}
        self._cadence: dict[str, tuple[int, int, bool]] = {}
        self._rows: dict[str, _Row] = {}

    def cadence(self, state: IncidentState) -> tuple[int, int, bool]:
        """`cadence_detail` of one escalation."""
        found = self._cadence.get(state.id)
        if found is None:
            found = self._cadence[state.id] = cadence_detail(state, self.policy, self.now)
        return found

    def outcomes(self, state: IncidentState) -> dict[str, ClockState]:
        """Clock name -> outcome (met, met late, breached) for the clocks that have one."""
        found = self._cache.get(state.id)
        if found is None:
            found = {}
            for name, clock in clocks(state, self.policy, self.now).items():
                if name is ClockName.NEXT_UPDATE:
                    outcome = _next_update(state, self.cadence(state))
                    if outcome is not None:
                        found[name.value] = outcome
                elif clock.state in _OUTCOMES:
                    found[name.value] = clock.state
            self._cache[state.id] = found
        return found

    def row(self, state: IncidentState, hits: Mapping[str, bool | None]) -> _Row:
        """What `figures` adds up for one escalation (computed once)."""
        found = self._rows.get(state.id)
        if found is None:
            outcomes = self.outcomes(state).values()
            found = self._rows[state.id] = _Row(
                late=sum(1 for o in outcomes if o in _LATE), evaluated=len(outcomes),
                p0_p1=state.severity in (Severity.P0, Severity.P1),
                resolved=state.resolved_at is not None, mtta=mtta_s(state),
                mttr=mttr_s(state), hit=hits.get(state.id))
        return found


class _Row(NamedTuple):
    late: int
    evaluated: int
    p0_p1: bool
    resolved: bool
    mtta: float | None
    mttr: float | None
    hit: bool | None


def figures(group: Sequence[IncidentState], hits: Mapping[str, bool | None], ev: ClockOutcomes
            ) -> dict[str, Any]:
    """The figures every breakdown and period carries."""
    rows = [ev.row(s, hits) for s in group]
    patterned = [r.hit for r in rows if r.hit is not None]
    return {
        "escalations": len(rows),
        "p0_p1": sum(r.p0_p1 for r in rows),
        "resolved": sum(r.resolved for r in rows),
        "mtta_median_seconds": median(r.mtta for r in rows),
        "mttr_median_seconds": median(r.mttr for r in rows),
        "sla_breach_rate": rate(sum(r.late for r in rows), sum(r.evaluated for r in rows)),
        "recurrence_rate": rate(sum(1 for h in patterned if h), len(patterned)),
    }
