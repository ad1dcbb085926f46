"""Trend metrics over many escalations: the numbers behind `warroom report trends`.

Pure. Everything is about the escalations received in the window `[since, until)` (either bound
may be open), evaluated at `now`; recurrence looks back before the window. Severity is each
escalation's current severity. Durations are wall-clock seconds. A rate is a fraction in [0, 1],
or None when there is nothing to divide by.

- `volume_by_severity`: escalations received, per severity.
- `mtta_seconds` / `mttr_seconds`: receipt to triaged / receipt to resolved; mean, median, count
  per severity (escalations not yet triaged / resolved are left out, and imported history from
  MTTA: its source has no acknowledgement time, so MTTA is None there, never 0).
- `recurrence_rate`: share of escalations with a pattern whose pattern (any of its components)
  occurred in the `recurrence_window` (30 days, the flags' window) before them; escalations
  without a pattern are not in the denominator (`patterned_escalations`).
- `sla_breach_rate`: per clock, (breached + met late) / clocks with an outcome (met, met late,
  breached) at `now`; running and not-applicable clocks are not evaluated. `next_update` is
  evaluated over the whole escalation (`next_update_outcome`), resolved ones included.
- `update_cadence`: customer updates due (the first within the first-update target, then one per
  cadence interval until resolution or `now`, on the severity's calendar) and how many came on
  time; a silent interval that ran out counts as one late update.
- `commitments`: honoured (on time) rate = met / (met + met_late + missed + overdue), overdue
  = open past due; a commitment kept after its due time (`met_late`) was not honoured on time.
- `open_actions`: open corrective actions by age since added (`<7d`, `7-30d`, `30-90d`, `>=90d`).
- `patterns`: recurring patterns (two or more occurrences in the window, or a flag raised in it),
  one per component, with `first_seen` / `last_seen` (whole history), their latest flag's due
  time and when it was flagged.
- `by_customer`, `by_component`, `by_tier`: the same figures per group (`_figures`); an
  escalation on several components counts toward each.
- `previous_period`: the window's figures against the period of the same length before it.
- `monthly`: per calendar month (UTC) the figures and their change against the month before.
- `weekly`: per ISO week (Monday 00:00 UTC) volume, median MTTA/MTTR, recurrence and breach rates.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from warroom.domain.calendar import add_time
from warroom.domain.credits import tier_of
from warroom.domain.errors import InvalidInput
from warroom.domain.models import (
    Audience,
    ClockName,
    ClockState,
    CommitmentState,
    Event,
    IncidentState,
    Severity,
)
from warroom.domain.policy import Policy
from warroom.domain.recurrence import (
    Flag,
    Pattern,
    find_patterns,
    flag_records,
    natural_id,
    patterns_of,
    recurred,
)
from warroom.domain.sla import clocks
from warroom.domain.timeparse import parse_iso

__all__ = ["AGE_BUCKETS", "NO_COMPONENT", "cadence", "cadence_detail", "check_window",
           "next_update_outcome", "stats", "trends", "week_start"]

NO_COMPONENT = "(no component)"
"""The `by_component` row of escalations tagged with no component."""

AGE_BUCKETS: tuple[tuple[str, timedelta | None], ...] = (
    ("<7d", timedelta(days=7)),
    ("7-30d", timedelta(days=30)),
    ("30-90d", timedelta(days=90)),
    (">=90d", None),
)
"""Open-action age buckets: label and exclusive upper bound."""

_OUTCOMES = (ClockState.MET, ClockState.MET_LATE, ClockState.BREACHED)
_LATE = (ClockState.MET_LATE, ClockState.BREACHED)


def stats(values: Sequence[float]) -> dict[str, Any]:
    """`{"mean", "median", "count"}` (mean and median None when empty)."""
    if not values:
        return {"mean": None, "median": None, "count": 0}
    return {"mean": statistics.fmean(values), "median": float(statistics.median(values)),
            "count": len(values)}


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def week_start(at: datetime) -> datetime:
    """Monday 00:00 UTC of the week containing `at`."""
    day = at.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def cadence_detail(state: IncidentState, policy: Policy, now: datetime) -> tuple[int, int, bool]:
    """`(on_time, due, silent)`: customer updates of one escalation on time and due (see module
    doc); `silent` when the last interval ran out with no update (before resolution or `now`)."""
    severity = state.severity if state.triaged else Severity.P0
    targets = policy.for_severity(severity)
    cal = policy.calendar_for(severity)
    end = state.resolved_at if state.resolved_at is not None else now
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
    return _outcome(state, cadence_detail(state, policy, now))


def _outcome(state: IncidentState, detail: tuple[int, int, bool]) -> ClockState | None:
    on_time, due, silent = detail
    if due == 0:
        return None
    if silent:
        return ClockState.BREACHED
    if on_time < due:
        return ClockState.MET_LATE
    return ClockState.MET if state.resolved_at is not None else None


def _selected(states: Iterable[IncidentState], since: datetime | None, until: datetime | None
              ) -> list[IncidentState]:
    return [s for s in states
            if (since is None or s.received_at >= since)
            and (until is None or s.received_at < until)]


def _mtta_s(state: IncidentState) -> float | None:
    """Receipt to acknowledgement; None where the source has no acknowledgement time (imported
    history is triaged at receipt by the importer, which says nothing about acknowledgement)."""
    if state.triaged_at is None or state.imported:
        return None
    return (state.triaged_at - state.received_at).total_seconds()


def _mttr_s(state: IncidentState) -> float | None:
    if state.resolved_at is None:
        return None
    return (state.resolved_at - state.received_at).total_seconds()


def _by_severity(selected: Sequence[IncidentState], measure: str) -> dict[str, Any]:
    fn = _mtta_s if measure == "mtta" else _mttr_s
    out = {}
    for sev in Severity:
        values = [v for s in selected if s.severity is sev and (v := fn(s)) is not None]
        out[sev.value] = stats(values)
    return out


def _median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return float(statistics.median(present)) if present else None


def _time(value: Any) -> datetime | None:
    return parse_iso(value) if isinstance(value, str) and value else None


def _open_actions(selected: Sequence[IncidentState], now: datetime) -> dict[str, Any]:
    buckets = {label: 0 for label, _ in AGE_BUCKETS}
    total = overdue = 0
    for s in selected:
        for action in s.actions.values():
            if action.get("status") == "done":
                continue
            total += 1
            due = _time(action.get("due_at"))
            overdue += bool(due is not None and now > due)
            added = _time(action.get("added_at")) or s.received_at
            age = now - added
            for label, upper in AGE_BUCKETS:
                if upper is None or age < upper:
                    buckets[label] += 1
                    break
    return {"total": total, "overdue": overdue, "by_age": buckets}


def _commitments(selected: Sequence[IncidentState], now: datetime) -> dict[str, Any]:
    made = met = met_late = missed = overdue = still_open = 0
    for s in selected:
        for c in s.commitments.values():
            made += 1
            if c.state is CommitmentState.MET:
                met += 1
            elif c.state is CommitmentState.MET_LATE:
                met_late += 1
            elif c.state is CommitmentState.MISSED:
                missed += 1
            elif now > c.due_at:
                overdue += 1
            else:
                still_open += 1
    return {"made": made, "met": met, "met_late": met_late, "missed": missed,
            "overdue": overdue, "open": still_open,
            "honoured_rate": _rate(met, met + met_late + missed + overdue)}


def _in_window(at: datetime, since: datetime | None, until: datetime | None) -> bool:
    return (since is None or at >= since) and (until is None or at < until)


def _pattern_rows(patterns: Iterable[Pattern], since: datetime | None, until: datetime | None,
                  now: datetime) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for p in patterns:
        occurrences = [o for o in p.occurrences if _in_window(o.at, since, until)]
        flags: list[Flag] = [f for f in p.flags if _in_window(f.raised_at, since, until)]
        if len(occurrences) < 2 and not flags:
            continue
        latest = flags[-1] if flags else None
        rows.append({
            "key": p.key,
            "category": p.category,
            "component": p.component,
            "occurrences": len(occurrences),
            "incidents": [o.incident_id for o in occurrences],
            "first_at": occurrences[0].at.isoformat() if occurrences else None,
            "last_at": occurrences[-1].at.isoformat() if occurrences else None,
            "first_seen": p.occurrences[0].at.isoformat(),
            "last_seen": p.occurrences[-1].at.isoformat(),
            "raised_at": latest.raised_at.isoformat() if latest else None,
            "flag_due": latest.due_at.isoformat() if latest else None,
            "flagged_at": latest.flagged_at.isoformat() if latest and latest.flagged_at else None,
            "in_time": latest.in_time if latest else None,
            "status": latest.status(now) if latest else "not_recurring",
            "flags": [f.as_dict(now) for f in flags],
        })
    rows.sort(key=lambda r: (-int(r["occurrences"]), str(r["key"]).casefold()))
    return rows


def _flag_summary(rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    counts = {"raised": 0, "flagged": 0, "flagged_late": 0, "open": 0, "overdue": 0}
    for row in rows:
        for flag in row["flags"]:
            counts["raised"] += 1
            counts[flag["status"]] += 1
    return counts


class _Clocks:
    """Per-escalation figures, computed once each however many groups an escalation is in:
    clock outcomes (`next_update` over the whole escalation, see `next_update_outcome`), the
    customer-update cadence, and what `_figures` adds up."""

    def __init__(self, policy: Policy, now: datetime) -> None:
        self.policy, self.now = policy, now
        self._cache: dict[str, dict[str, ClockState]] = {}
        self._late: dict[str, tuple[int, int]] = {}
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
                    outcome = _outcome(state, self.cadence(state))
                    if outcome is not None:
                        found[name.value] = outcome
                elif clock.state in _OUTCOMES:
                    found[name.value] = clock.state
            self._cache[state.id] = found
        return found

    def row(self, state: IncidentState, hits: Mapping[str, bool | None]) -> _Row:
        """What `_figures` adds up for one escalation (computed once)."""
        found = self._rows.get(state.id)
        if found is None:
            outcomes = self.outcomes(state).values()
            found = self._rows[state.id] = _Row(
                late=sum(1 for o in outcomes if o in _LATE), evaluated=len(outcomes),
                p0_p1=state.severity in (Severity.P0, Severity.P1),
                resolved=state.resolved_at is not None, mtta=_mtta_s(state),
                mttr=_mttr_s(state), hit=hits.get(state.id))
        return found


class _Row(NamedTuple):
    late: int
    evaluated: int
    p0_p1: bool
    resolved: bool
    mtta: float | None
    mttr: float | None
    hit: bool | None


def _figures(group: Sequence[IncidentState], hits: Mapping[str, bool | None], ev: _Clocks
             ) -> dict[str, Any]:
    """The figures every breakdown and period carries."""
    rows = [ev.row(s, hits) for s in group]
    patterned = [r.hit for r in rows if r.hit is not None]
    return {
        "escalations": len(rows),
        "p0_p1": sum(r.p0_p1 for r in rows),
        "resolved": sum(r.resolved for r in rows),
        "mtta_median_seconds": _median(r.mtta for r in rows),
        "mttr_median_seconds": _median(r.mttr for r in rows),
        "sla_breach_rate": _rate(sum(r.late for r in rows), sum(r.evaluated for r in rows)),
        "recurrence_rate": _rate(sum(1 for h in patterned if h), len(patterned)),
    }


_COMPARED = ("escalations", "p0_p1", "mtta_median_seconds", "mttr_median_seconds",
             "sla_breach_rate", "recurrence_rate")


def _change(now: Mapping[str, Any], before: Mapping[str, Any]) -> dict[str, float | None]:
    """Current minus previous for each compared figure (None when either is missing)."""
    return {k: (now[k] - before[k]) if now[k] is not None and before[k] is not None else None
            for k in _COMPARED}


def _breakdowns(selected: Sequence[IncidentState], hits: Mapping[str, bool | None],
                ev: _Clocks, policy: Policy) -> dict[str, list[dict[str, Any]]]:
    customers: dict[str, list[IncidentState]] = {}
    components: dict[str, list[IncidentState]] = {}
    tiers: dict[str, list[IncidentState]] = {}
    for s in selected:
        customers.setdefault(s.customer, []).append(s)
        tiers.setdefault(tier_of(policy, s.customer)[0], []).append(s)
        for _, component in patterns_of(s) or [("", NO_COMPONENT)]:
            components.setdefault(component, []).append(s)

    def rows(groups: dict[str, list[IncidentState]]) -> list[dict[str, Any]]:
        out = [{"key": k, **_figures(g, hits, ev)} for k, g in groups.items()]
        out.sort(key=lambda r: (-int(r["escalations"]), str(r["key"]).casefold()))
        return out

    return {"by_customer": rows(customers), "by_component": rows(components),
            "by_tier": rows(tiers)}


def _month_start(at: datetime) -> datetime:
    return at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _next_month(at: datetime) -> datetime:
    return (at.replace(day=28) + timedelta(days=4)).replace(day=1)


def _prev_month(at: datetime) -> datetime:
    return (at - timedelta(days=1)).replace(day=1)


def _monthly(history: Sequence[IncidentState], first: datetime | None, last: datetime | None,
             hits: Mapping[str, bool | None], ev: _Clocks) -> list[dict[str, Any]]:
    """Per calendar month (UTC) in the window, with the change against the month before."""
    if first is None or last is None or last < first:
        return []
    rows = []
    month = _month_start(first)
    while month <= last:
        end = _next_month(month)
        lo, hi = max(month, first), min(end, last + timedelta(microseconds=1))
        current = _figures(_selected(history, lo, hi), hits, ev)
        before = _figures(_selected(history, _prev_month(month), month), hits, ev)
        rows.append({"month": month.strftime("%Y-%m"), **current,
                     "change": _change(current, before)})
        month = end
    return rows


def check_window(since: datetime | None, until: datetime | None) -> None:
    """Raise InvalidInput (exit 2) for an empty or inverted window."""
    if since is not None and until is not None and since >= until:
        word = "after" if since > until else "the same instant as"
        raise InvalidInput("--since", f"{since.isoformat()} is {word} --until "
                           f"{until.isoformat()}: the window is empty")


def trends(
    states: Iterable[IncidentState],
    events: Iterable[Event],
    policy: Policy,
    now: datetime,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    """The trend report as a JSON-ready dict (see module doc for every key).

    Args:
        states: every escalation (the whole history: recurrence looks back before `since`).
        events: the log, or at least its `pattern_flagged` events (others are ignored).
        policy: targets, calendars, recurrence windows.
        now: clocks, overdue and ages are evaluated at this instant.
        since: window start (inclusive); None for the earliest escalation.
        until: window end (exclusive); None for no bound.

    Raises:
        InvalidInput: `since` is not before `until`.
    """
    check_window(since, until)
    history = list(states)
    selected = _selected(history, since, until)
    selected.sort(key=lambda s: (s.received_at, natural_id(s.id)))
    hits = recurred(history, policy)
    ev = _Clocks(policy, now)

    clock_counts = {c.value: {"met": 0, "met_late": 0, "breached": 0} for c in ClockName}
    on_time = due = 0
    for s in selected:
        for name, outcome in ev.outcomes(s).items():
            clock_counts[name][outcome.value] += 1
        o, d, _ = ev.cadence(s)
        on_time += o
        due += d

    breach_rate: dict[str, float | None] = {}
    for clock_name, counts in clock_counts.items():
        evaluated = sum(counts.values())
        counts["evaluated"] = evaluated
        breach_rate[clock_name] = _rate(counts["met_late"] + counts["breached"], evaluated)

    patterns = find_patterns(history, flag_records(events), policy)
    pattern_rows = _pattern_rows(patterns.values(), since, until, now)

    volume = {sev.value: 0 for sev in Severity}
    for s in selected:
        volume[s.severity.value] += 1

    first = since if since is not None else (selected[0].received_at if selected else None)
    last = (until - timedelta(microseconds=1)) if until is not None else (
        selected[-1].received_at if selected else None)
    patterned = [s for s in selected if hits.get(s.id) is not None]
    recurring = sum(1 for s in patterned if hits.get(s.id))
    end = until if until is not None else now
    comparison = None
    if first is not None and end > first:
        length = end - first
        current = _figures(selected, hits, ev)
        before = _figures(_selected(history, first - length, first), hits, ev)
        comparison = {"previous_since": (first - length).isoformat(),
                      "previous_until": first.isoformat(), "current": current,
                      "previous": before, "change": _change(current, before)}
    return {
        "window": {
            "since": first.isoformat() if first else None,
            "until": until.isoformat() if until else None,
            "now": now.isoformat(),
        },
        "escalations": len(selected),
        "resolved": sum(1 for s in selected if s.resolved_at is not None),
        "volume_by_severity": volume,
        "mtta_seconds": _by_severity(selected, "mtta"),
        "mttr_seconds": _by_severity(selected, "mttr"),
        "recurrence_window_days": policy.recurrence_window.total_seconds() / 86400,
        "recurrence_rate": _rate(recurring, len(patterned)),
        "recurring_escalations": recurring,
        "patterned_escalations": len(patterned),
        "sla_breach_rate": breach_rate,
        "sla_clocks": clock_counts,
        "update_cadence": {"on_time": on_time, "due": due, "adherence": _rate(on_time, due)},
        "backdated_customer_updates": sum(
            1 for s in selected for u in s.updates
            if u.audience is Audience.CUSTOMER and u.backdated_s is not None),
        "commitments": _commitments(selected, now),
        "open_actions": _open_actions(selected, now),
        "patterns": pattern_rows,
        "flags": _flag_summary(pattern_rows),
        **_breakdowns(selected, hits, ev, policy),
        "previous_period": comparison,
        "monthly": _monthly(history, first, last, hits, ev),
        "weekly": _weekly(selected, hits, ev, first, last),
    }


def _weekly(
    selected: Sequence[IncidentState], hits: Mapping[str, bool | None], ev: _Clocks,
    first: datetime | None, last: datetime | None,
) -> list[dict[str, Any]]:
    if first is None or last is None or last < first:
        return []
    start, stop = week_start(first), week_start(last)
    weeks: list[datetime] = []
    cur = start
    while cur <= stop:
        weeks.append(cur)
        cur += timedelta(days=7)
    index = {w: i for i, w in enumerate(weeks)}
    groups: list[list[IncidentState]] = [[] for _ in weeks]
    for s in selected:
        i = index.get(week_start(s.received_at))
        if i is not None:
            groups[i].append(s)
    out = []
    for week, group in zip(weeks, groups, strict=True):
        volume = {sev.value: 0 for sev in Severity}
        for s in group:
            volume[s.severity.value] += 1
        figures = _figures(group, hits, ev)
        out.append({
            "week": week.date().isoformat(),
            "volume": {**volume, "total": len(group)},
            "mtta_median_seconds": figures["mtta_median_seconds"],
            "mttr_median_seconds": figures["mttr_median_seconds"],
            "recurrence_rate": figures["recurrence_rate"],
            "sla_breach_rate": figures["sla_breach_rate"],
        })
    return out
