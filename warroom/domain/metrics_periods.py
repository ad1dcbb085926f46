"""Trend figures over time: the window against the period of the same length before it
(`previous_period`), per calendar month against the month before (`monthly`), and per ISO week
(`weekly`). Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from warroom.domain.metrics_figures import ClockOutcomes, figures, received_between
from warroom.domain.models import IncidentState, Severity


def week_start(at: datetime) -> datetime:
    """Monday 00:00 UTC of the week containing `at`."""
    day = at.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


_COMPARED = ("escalations", "p0_p1", "mtta_median_seconds", "mttr_median_seconds",
              "sla_breach_rate", "recurrence_rate")


def _change(now: Mapping[str, Any], before: Mapping[str, Any]) -> dict[str, float | None]:
    """Current minus previous for each compared figure (None when either is missing)."""
    return {k: (now[k] - before[k]) if now[k] is not None and before[k] is not None else None
            for k in _COMPARED}


def previous_period(
    history: Sequence[IncidentState], current_group: Sequence[IncidentState],
    first: datetime | None, end: datetime, hits: Mapping[str, bool | None], ev: ClockOutcomes,
) -> dict[str, Any] | None:
    """The window `[first, end)` (holding `current_group`) against the period of the same
    length before it; None for an empty window."""
    if first is None or end <= first:
        return None
    length = end - first
    current = figures(current_group, hits, ev)
    before = figures(received_between(history, first - length, first), hits, ev)
    return {"previous_since": (first - length).isoformat(),
            "previous_until": first.isoformat(), "current": current,
            "previous": before, "change": _change(current, before)}


def _month_start(at: datetime) -> datetime:
    return at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _next_month(at: datetime) -> datetime:
    return (at.replace(day=28) + timedelta(days=4)).replace(day=1)


def _prev_month(at: datetime) -> datetime:
    return (at - timedelta(days=1)).replace(day=1)


def monthly(history: Sequence[IncidentState], first: datetime | None, last: datetime | None,
            hits: Mapping[str, bool | None], ev: ClockOutcomes) -> list[dict[str, Any]]:
    """Per calendar month (UTC) in the window, with the change against the month before."""
    if first is None or last is None or last < first:
        return []
    rows = []
    month = _month_start(first)
    while month <= last:
        end = _next_month(month)
        lo, hi = max(month, first), min(end, last + timedelta(microseconds=1))
        current = figures(received_between(history, lo, hi), hits, ev)
        before = figures(received_between(history, _prev_month(month), month), hits, ev)
        rows.append({"month": month.strftime("%Y-%m"), **current,
                     "change": _change(current, before)})
        month = end
    return rows


def weekly(
    selected: Sequence[IncidentState], hits: Mapping[str, bool | None], ev: ClockOutcomes,
    first: datetime | None, last: datetime | None,
) -> list[dict[str, Any]]:
    """Per ISO week (Monday 00:00 UTC) from `first` to `last`: volume, median MTTA/MTTR,
    recurrence and breach rates."""
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
        week_figures = figures(group, hits, ev)
        out.append({
            "week": week.date().isoformat(),
            "volume": {**volume, "total": len(group)},
            "mtta_median_seconds": week_figures["mtta_median_seconds"],
            "mttr_median_seconds": week_figures["mttr_median_seconds"],
            "recurrence_rate": week_figures["recurrence_rate"],
            "sla_breach_rate": week_figures["sla_breach_rate"],
        })
    return out
