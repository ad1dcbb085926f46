"""SLA clocks: where each of an escalation's clocks stands at an instant (pure, no clock reads).

Rules (the policy supplies the numbers):

- Until triaged an escalation is held to P0 targets on P0's calendar; after, to its current
  severity. Targets run from receipt, so a severity change recomputes every due time.
- `triage` is met at `triaged_at` while an incident commander is assigned; `first_update` at the
  first customer update; `resolve` at resolution; `pir` when the customer RCA summary is sent
  (under the worst severity the escalation ever had; not applicable to imported history).
- `next_update` is when the next customer update is owed (`warroom.domain.next_update.owed`):
  the first update, then the cadence or a sooner promise (a renegotiated promise replaces it),
  and after resolution the final update. It never pauses; it is not applicable once the final
  update after resolution is posted.
- Pauses (waiting on the customer) stop `resolve` only. While paused its `remaining_s` is the
  frozen calendar time left and `due_at` is projected as if resumed now. Pausing a clock that is
  already past due changes nothing: it stays `breached` against its real due time.
- An escalation closed without a resolution (imported history still open at its source) is
  evaluated at its close: nothing is known after it, so no clock runs on.
- A running clock is `breached` when `now > due_at` (at exactly `due_at` it is still `at_risk`),
  and `at_risk` when the calendar time left is at most `at_risk_fraction` of its target.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

from warroom.domain.calendar import add_time, elapsed
from warroom.domain.models import Clock, ClockName, ClockState, IncidentState, Pause, Severity
from warroom.domain.next_update import owed
from warroom.domain.policy import Calendar, Policy

__all__ = ["clocks", "pir_severity", "resolve_due"]


def clocks(state: IncidentState, policy: Policy, now: datetime, *, counting_only: bool = False
           ) -> dict[ClockName, Clock]:
    """Evaluate every SLA clock of `state` at `now`.

    Args:
        state: the folded escalation.
        policy: targets and calendars.
        now: the instant to evaluate at.
        counting_only: leave out the clocks already met, whose due times are then not worked
            out (calendar arithmetic): all `most_urgent` needs, and a year's list of 10,000
            mostly finished escalations is mostly met clocks.

    Returns:
        One `Clock` per `ClockName`, in declaration order (the counting ones only, when
        `counting_only`).
    """
    if state.closed_at is not None and state.resolved_at is None:
        # Closed unresolved (imported history still open at its source): nothing is known
        # after the close, so the clocks stand as they were then.
        now = min(now, state.closed_at)
    severity = state.severity if state.triaged else Severity.P0
    targets = policy.for_severity(severity)
    cal = policy.calendar_for(severity)
    fraction = policy.at_risk_fraction
    received = state.received_at

    triage_met = state.triaged_at if state.roles.get("incident_commander") else None
    out = {}
    if not (counting_only and triage_met is not None):
        out[ClockName.TRIAGE] = _deadline(
            ClockName.TRIAGE, add_time(received, targets.triage, cal), targets.triage,
            triage_met, now, cal, fraction,
        )
    if not (counting_only and state.first_customer_update_at is not None):
        out[ClockName.FIRST_UPDATE] = _deadline(
            ClockName.FIRST_UPDATE, add_time(received, targets.first_update, cal),
            targets.first_update, state.first_customer_update_at, now, cal, fraction,
        )
    out[ClockName.NEXT_UPDATE] = _next_update(state, policy, now, cal, fraction)
    if not (counting_only and state.resolved_at is not None):
        out[ClockName.RESOLVE] = _resolve(state, targets.resolve, now, cal, fraction)
    if not (counting_only and state.rca_sent_at is not None):
        out[ClockName.PIR] = _pir(state, policy, now, fraction)
    return out


def pir_severity(state: IncidentState, policy: Policy) -> Severity | None:
    """The severity whose `pir_due` the escalation owes a customer RCA under: the worst it ever
    had that has one (a P1 downgraded to P2 still owes it). None: no RCA owed (imported history,
    or no severity it had has a `pir_due`)."""
    if state.imported:
        return None
    had = {state.severity, *([state.peak_severity] if state.peak_severity else [])}
    owing = sorted(s for s in had if policy.for_severity(s).pir_due is not None)
    return owing[0] if owing else None


def _pir(state: IncidentState, policy: Policy, now: datetime, fraction: float) -> Clock:
    """Met when the customer RCA summary is sent (`rca_sent`), not at internal completion."""
    severity = pir_severity(state, policy)
    if state.resolved_at is None or severity is None:
        return _not_applicable(ClockName.PIR)
    target = policy.for_severity(severity).pir_due
    assert target is not None
    cal = policy.calendar_for(severity)
    return _deadline(ClockName.PIR, add_time(state.resolved_at, target, cal), target,
                     state.rca_sent_at, now, cal, fraction)


def resolve_due(
    received: datetime, target: timedelta, pauses: list[Pause], now: datetime, cal: Calendar
) -> tuple[datetime, timedelta | None]:
    """When the resolution clock falls due, skipping paused time.

    Args:
        received: when the clock started.
        target: calendar time allowed.
        pauses: pause intervals in order; an open one (end None) runs until `now`.
        now: the evaluation instant (pauses starting after it are ignored).
        cal: the calendar counted in.

    Returns:
        `(due, frozen)`: `frozen` is None unless the clock is paused at `now`, in which case it
        is the calendar time that was left when the pause began and `due` is projected as if
        the clock resumed at `now`. A clock that fell due before the pause began is not paused:
        its real due time is returned.
    """
    remaining = target
    cur = received
    if not pauses:
        return add_time(cur, remaining, cal), None
    if any(b.start < a.start for a, b in pairwise(pauses)):
        pauses = sorted(pauses, key=lambda p: p.start)
    always = cal.kind == "always"
    for pause in pauses:
        start, end = pause.start, pause.end
        if start > now:
            break
        if end is not None and (end <= cur or end < start):
            continue
        if start > cur:
            run = start - cur if always else elapsed(cur, start, cal)
            # A clock already due when a pause began stays due then: pausing cannot un-breach.
            if remaining < run or (remaining == run and end is not None):
                return add_time(cur, remaining, cal), None
            remaining -= run
        if end is None or end > now:
            return add_time(max(now, cur), remaining, cal), remaining
        cur = end
    return add_time(cur, remaining, cal), None


def _not_applicable(name: ClockName) -> Clock:
    return Clock(name=name, state=ClockState.NOT_APPLICABLE, due_at=None,
                                 remaining_s=None, target_s=None, met_at=None)


def _met(name: ClockName, due: datetime, target_s: float, met_at: datetime) -> Clock:
    state = ClockState.MET if met_at <= due else ClockState.MET_LATE
    return Clock(name=name, state=state, due_at=due, remaining_s=None,
                                 target_s=target_s, met_at=met_at)


def _running(
    name: ClockName, due: datetime, target: timedelta, now: datetime, cal: Calendar,
    fraction: float,
) -> Clock:
    if now > due:
        state = ClockState.BREACHED
    elif elapsed(now, due, cal) <= target * fraction:
        state = ClockState.AT_RISK
    else:
        state = ClockState.OK
    return Clock(name=name, state=state, due_at=due,
                                 remaining_s=(due - now).total_seconds(),
                                 target_s=target.total_seconds(), met_at=None)


def _deadline(
    name: ClockName, due: datetime, target: timedelta, met_at: datetime | None, now: datetime,
    cal: Calendar, fraction: float,
) -> Clock:
    if met_at is not None:
        return _met(name, due, target.total_seconds(), met_at)
    return _running(name, due, target, now, cal, fraction)


def _next_update(
    state: IncidentState, policy: Policy, now: datetime, cal: Calendar, fraction: float
) -> Clock:
    next_one = owed(state, policy)
    if next_one.due_at is None:
        return _not_applicable(ClockName.NEXT_UPDATE)
    window = elapsed(next_one.since, next_one.due_at, cal)
    return _running(ClockName.NEXT_UPDATE, next_one.due_at, window, now, cal, fraction)


def _resolve(
    state: IncidentState, target: timedelta, now: datetime, cal: Calendar, fraction: float
) -> Clock:
    resolved = state.resolved_at
    due, frozen = resolve_due(state.received_at, target, state.pauses,
                              resolved if resolved is not None else now, cal)
    if resolved is not None:
        return _met(ClockName.RESOLVE, due, target.total_seconds(), resolved)
    if frozen is None:
        return _running(ClockName.RESOLVE, due, target, now, cal, fraction)
    return Clock(name=ClockName.RESOLVE, state=ClockState.PAUSED, due_at=due,
                                 remaining_s=frozen.total_seconds(),
                                 target_s=target.total_seconds(), met_at=None)
