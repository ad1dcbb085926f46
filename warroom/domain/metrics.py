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
- `by_customer`, `by_component`, `by_tier`: the same figures per group
  (`metrics_figures.figures`); an escalation on several components counts toward each
  (`metrics_breakdowns`).
- `previous_period`: the window's figures against the period of the same length before it.
- `monthly`: per calendar month (UTC) the figures and their change against the month before.
- `weekly`: per ISO week (Monday 00:00 UTC) volume, median MTTA/MTTR, recurrence and breach rates
  (these three in `metrics_periods`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from warroom.domain.errors import InvalidInput
from warroom.domain.metrics_breakdowns import NO_COMPONENT, breakdowns
from warroom.domain.metrics_figures import (
    ClockOutcomes,
    cadence,
    cadence_detail,
    mtta_s,
    mttr_s,
    next_update_outcome,
    rate,
    received_between,
    stats,
)
from warroom.domain.metrics_periods import monthly, previous_period, week_start, weekly
from warroom.domain.models import (
    Audience,
    ClockName,
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
from warroom.domain.timeparse import parse_iso

__all__ = ["AGE_BUCKETS", "NO_COMPONENT", "cadence", "cadence_detail", "check_window",
           "next_update_outcome", "stats", "trends", "week_start"]

AGE_BUCKETS: tuple[tuple[str, timedelta | None], ...] = (
    ("<7d", timedelta(days=7)),
    ("7-30d", timedelta(days=30)),
    ("30-90d", timedelta(days=90)),
    (">=90d", None),
)
"""Open-action age buckets: label and exclusive upper bound."""















def _by_severity(selected: Sequence[IncidentState], measure: str) -> dict[str, Any]:
    fn = mtta_s if measure == "mtta" else mttr_s
    out = {}
    for sev in Severity:
        values = [v for s in selected if s.severity is sev and (v := fn(s)) is not None]
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
            "honoured_rate": rate(met, met + met_late + missed + overdue)}


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
    selected = received_between(history, since, until)
    selected.sort(key=lambda s: (s.received_at, natural_id(s.id)))
    hits = recurred(history, policy)
    ev = ClockOutcomes(policy, now)

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
        breach_rate[clock_name] = rate(counts["met_late"] + counts["breached"], evaluated)

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
        "recurrence_rate": rate(recurring, len(patterned)),
        "recurring_escalations": recurring,
        "patterned_escalations": len(patterned),
        "sla_breach_rate": breach_rate,
        "sla_clocks": clock_counts,
        "update_cadence": {"on_time": on_time, "due": due, "adherence": rate(on_time, due)},
        "backdated_customer_updates": sum(
            1 for s in selected for u in s.updates
            if u.audience is Audience.CUSTOMER and u.backdated_s is not None),
        "commitments": _commitments(selected, now),
        "open_actions": _open_actions(selected, now),
        "patterns": pattern_rows,
        "flags": _flag_summary(pattern_rows),
        **breakdowns(selected, hits, ev, policy),
        "previous_period": previous_period(history, selected, first, end, hits, ev),
        "monthly": monthly(history, first, last, hits, ev),
        "weekly": weekly(selected, hits, ev, first, last),
    }


