"""Trend metrics over many escalations: the numbers behind `warroom report trends`.

Pure. Everything is about the escalations received in the window `[since, until)` (either bound
may be open), evaluated at `now`; recurrence looks back before the window. Severity is each
escalation's current severity. Durations are wall-clock seconds. A rate is a fraction in [0, 1],
or None when there is nothing to divide by.

- `volume_by_severity`: escalations received, per severity.
- `mtta_seconds` / `mttr_seconds`: receipt to triaged / receipt to resolved; mean, median, count
  per severity (escalations not yet triaged / resolved are left out).
- `recurrence_rate`: share of escalations whose pattern occurred in the 90 days before them.
- `sla_breach_rate`: per clock, (breached + met late) / clocks with an outcome (met, met late,
  breached) at `now`; running and not-applicable clocks are not evaluated.
- `update_cadence`: customer updates due (the first within the first-update target, then one per
  cadence interval until resolution or `now`, on the severity's calendar) and how many came on
  time; a silent interval that ran out counts as one late update.
- `commitments`: honoured (on time) rate = met / (met + met_late + missed + overdue), overdue
  = open past due; a commitment kept after its due time (`met_late`) was not honoured on time.
- `open_actions`: open corrective actions by age since added (`<7d`, `7-30d`, `30-90d`, `>=90d`).
- `patterns`: recurring patterns (two or more occurrences in the window, or a flag raised in it)
  with their latest flag's due time and when it was flagged.
- `weekly`: per ISO week (Monday 00:00 UTC) volume, median MTTA/MTTR, recurrence and breach rates.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from warroom.domain.calendar import add_time
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
    recurred,
)
from warroom.domain.sla import clocks
from warroom.domain.timeparse import parse_iso

__all__ = ["AGE_BUCKETS", "cadence", "stats", "trends", "week_start"]

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


def cadence(state: IncidentState, policy: Policy, now: datetime) -> tuple[int, int]:
    """`(on_time, due)` customer updates of one escalation (see module doc)."""
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
    if deadline < end:
        due += 1
    return on_time, due


def _selected(states: Iterable[IncidentState], since: datetime | None, until: datetime | None
              ) -> list[IncidentState]:
    return [s for s in states
            if (since is None or s.received_at >= since)
            and (until is None or s.received_at < until)]


def _by_severity(selected: Sequence[IncidentState], measure: str) -> dict[str, Any]:
    out = {}
    for sev in Severity:
        values = []
        for s in selected:
            if s.severity is not sev:
                continue
            end = s.triaged_at if measure == "mtta" else s.resolved_at
            if end is not None:
                values.append((end - s.received_at).total_seconds())
        out[sev.value] = stats(values)
    return out


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
    """
    history = list(states)
    selected = _selected(history, since, until)
    selected.sort(key=lambda s: (s.received_at, natural_id(s.id)))
    ids = {s.id for s in selected}
    hits = recurred(history, policy, among=ids)

    clock_counts = {c.value: {"met": 0, "met_late": 0, "breached": 0} for c in ClockName}
    per_state_late: dict[str, tuple[int, int]] = {}
    on_time = due = 0
    for s in selected:
        late = evaluated = 0
        for name, clock in clocks(s, policy, now).items():
            if clock.state in _OUTCOMES:
                clock_counts[name.value][clock.state.value] += 1
                evaluated += 1
                late += clock.state in _LATE
        per_state_late[s.id] = (late, evaluated)
        o, d = cadence(s, policy, now)
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
        "recurrence_rate": _rate(sum(1 for s in selected if hits.get(s.id)), len(selected)),
        "recurring_escalations": sum(1 for s in selected if hits.get(s.id)),
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
        "weekly": _weekly(selected, hits, per_state_late, first, last),
    }


def _weekly(
    selected: Sequence[IncidentState], hits: dict[str, bool],
    late: dict[str, tuple[int, int]], first: datetime | None, last: datetime | None,
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
        mtta = [(s.triaged_at - s.received_at).total_seconds()
                for s in group if s.triaged_at is not None]
        mttr = [(s.resolved_at - s.received_at).total_seconds()
                for s in group if s.resolved_at is not None]
        n_late = sum(late[s.id][0] for s in group)
        n_eval = sum(late[s.id][1] for s in group)
        out.append({
            "week": week.date().isoformat(),
            "volume": {**volume, "total": len(group)},
            "mtta_median_seconds": float(statistics.median(mtta)) if mtta else None,
            "mttr_median_seconds": float(statistics.median(mttr)) if mttr else None,
            "recurrence_rate": _rate(sum(1 for s in group if hits.get(s.id)), len(group)),
            "sla_breach_rate": _rate(n_late, n_eval),
        })
    return out
