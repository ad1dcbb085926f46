"""Trend metrics on a small exact fixture with a frozen clock: every number worked out by hand.

T0 is Tuesday 2026-11-24 10:00 UTC; NOW is ten days later (Friday 2026-12-04 10:00). The window
is [T0, NOW). P0 and P1 clocks run always; P2 on business hours (Mon-Fri 09-17 UTC).

- ESC-1 P0 at T0 (db/postgres): triaged +10m; customer updates +12m, +50m, +1h10m; resolved +3h;
  commitment met; PIR never completed; one open action added +4h, due +20d.
- ESC-2 P1 at T0+1d (db/postgres, recurs after ESC-1): triaged +20m (late); no customer update;
  resolved +26h (2 h late); PIR completed +10h after, customer RCA sent +11h after; commitment
  missed; open undated action added at T0+5d. The pattern is flagged to product and ops at T0+3d.
- ESC-3 P2 at T0+2d, Thursday 10:00 (net/lb; ESC-4 62 days earlier is outside the 30-day
  window): triaged +5m; one customer update +1h; unresolved; commitments: one open, one
  overdue; actions: one open and overdue, one done.
- ESC-4 P1 at T0-60d (net/lb): before the window, only looked back at.
- ESC-5 at NOW: on the window's exclusive end, left out.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import T0, Log, hours, minutes
from tests.unit.post.helpers import flagged, incident, post_policy, run
from warroom.domain.metrics import cadence, stats, trends, week_start
from warroom.domain.models import Event, IncidentState
from warroom.domain.post_commands import ActionAdd, ActionDone

POLICY = post_policy()
DAY = timedelta(days=1)
NOW = T0 + 10 * DAY
DB = {"category": "db", "component": "postgres"}
LB = {"category": "net", "component": "lb"}


def _build() -> tuple[list[IncidentState], list[Event]]:
    a = Log("ESC-1")
    a.opened(T0).triaged(T0 + minutes(10), "P0").tags(T0, **DB)
    for m in (12, 50, 70):
        a.update(T0 + minutes(m))
    a.commit(T0 + minutes(5), "C1", T0 + hours(1)).commitment(T0 + minutes(55), "C1", "met")
    a.resolve(T0 + hours(3))
    run(a, ActionAdd(incident_id="ESC-1", title="raise pool", owner="bo",
                     due_at=T0 + 20 * DAY), POLICY, now=T0 + hours(4))

    b = Log("ESC-2")
    b.opened(T0 + DAY).triaged(T0 + DAY + minutes(20), "P1").tags(T0 + DAY, **DB)
    b.commit(T0 + DAY, "C1", T0 + DAY + hours(2)).commitment(T0 + DAY + hours(3), "C1", "missed")
    b.resolve(T0 + DAY + hours(26))
    b.pir_completed(T0 + DAY + hours(36)).rca_sent(T0 + DAY + hours(37))
    run(b, ActionAdd(incident_id="ESC-2", title="add alert"), POLICY, now=T0 + 5 * DAY)

    c = Log("ESC-3")
    c.opened(T0 + 2 * DAY).triaged(T0 + 2 * DAY + minutes(5), "P2").tags(T0 + 2 * DAY, **LB)
    c.update(T0 + 2 * DAY + hours(1))
    c.commit(T0 + 2 * DAY, "C1", T0 + 20 * DAY).commit(T0 + 2 * DAY, "C2", T0 + 3 * DAY)
    at = T0 + 2 * DAY + hours(2)
    run(c, ActionAdd(incident_id="ESC-3", title="fix lb", owner="cy", due_at=T0 + 5 * DAY),
        POLICY, now=at)
    run(c, ActionAdd(incident_id="ESC-3", title="doc lb", owner="cy", due_at=T0 + 5 * DAY),
        POLICY, now=at)
    run(c, ActionDone(incident_id="ESC-3", action_id="A2"), POLICY, now=at)

    d = incident("ESC-4", at=T0 - 60 * DAY, tags=LB, resolved_after=hours(1))
    e = incident("ESC-5", at=NOW, severity=None)
    flag = flagged("ESC-2", "db/postgres", ["product", "ops"], T0 + 3 * DAY)
    logs = [a, b, c, d, e]
    return [log.state() for log in logs], [ev for log in logs for ev in log.events] + [flag]


STATES, EVENTS = _build()


@pytest.fixture(scope="module")
def report() -> dict:  # type: ignore[type-arg]
    return trends(STATES, EVENTS, POLICY, NOW, since=T0, until=NOW)


def test_window_and_volume(report: dict) -> None:  # type: ignore[type-arg]
    assert report["escalations"] == 3
    assert report["resolved"] == 2
    assert report["volume_by_severity"] == {"P0": 1, "P1": 1, "P2": 1}
    assert report["window"] == {"since": T0.isoformat(), "until": NOW.isoformat(),
                                "now": NOW.isoformat()}


def test_mtta_and_mttr_per_severity(report: dict) -> None:  # type: ignore[type-arg]
    assert report["mtta_seconds"] == {
        "P0": {"mean": 600.0, "median": 600.0, "count": 1},
        "P1": {"mean": 1200.0, "median": 1200.0, "count": 1},
        "P2": {"mean": 300.0, "median": 300.0, "count": 1},
    }
    assert report["mttr_seconds"] == {
        "P0": {"mean": 10800.0, "median": 10800.0, "count": 1},
        "P1": {"mean": 93600.0, "median": 93600.0, "count": 1},
        "P2": {"mean": None, "median": None, "count": 0},
    }


def test_stats_mean_and_median() -> None:
    assert stats([1.0, 2.0, 10.0]) == {"mean": 13 / 3, "median": 2.0, "count": 3}
    assert stats([3600.0, 4 * 3600.0]) == {"mean": 9000.0, "median": 9000.0, "count": 2}


def test_recurrence_rate_uses_the_configured_window(report: dict) -> None:  # type: ignore[type-arg]
    assert report["recurrence_window_days"] == 30
    assert report["recurrence_rate"] == 1 / 3     # ESC-2 only: ESC-4 is 62 days before ESC-3
    assert report["recurring_escalations"] == 1
    assert report["patterned_escalations"] == 3


def test_sla_breach_rate_per_clock(report: dict) -> None:  # type: ignore[type-arg]
    assert report["sla_breach_rate"] == {
        "triage": 1 / 3,          # ESC-2 met late
        "first_update": 1 / 3,    # ESC-2 never updated the customer
        "next_update": 1.0,       # only ESC-3 is open: silent since Fri 11:00
        "resolve": 2 / 3,         # ESC-2 met late, ESC-3 past Tue 10:00 business due
        "pir": 0.5,               # ESC-1 never completed, ESC-2 in time, ESC-3 n/a (P2)
    }
    assert report["sla_clocks"]["resolve"] == {"met": 1, "met_late": 1, "breached": 1,
                                               "evaluated": 3}


def test_update_cadence(report: dict) -> None:  # type: ignore[type-arg]
    by_id = {s.id: s for s in STATES}
    assert cadence(by_id["ESC-1"], POLICY, NOW) == (2, 4)
    assert cadence(by_id["ESC-2"], POLICY, NOW) == (0, 1)
    assert cadence(by_id["ESC-3"], POLICY, NOW) == (1, 2)
    assert report["update_cadence"] == {"on_time": 3, "due": 7, "adherence": 3 / 7}


def test_update_exactly_at_the_deadline_is_on_time() -> None:
    log = incident(severity="P0")
    log.update(T0 + minutes(15)).update(T0 + minutes(45)).resolve(T0 + minutes(75))
    assert cadence(log.state(), POLICY, NOW) == (2, 2)
    log = incident(severity="P0")
    late = T0 + minutes(15) + timedelta(seconds=1)
    log.update(late).update(T0 + minutes(45)).resolve(T0 + minutes(75))
    assert cadence(log.state(), POLICY, NOW) == (1, 2)
    log = incident(severity="P0")
    log.update(T0 + minutes(15)).resolve(T0 + minutes(45) + timedelta(seconds=1))
    assert cadence(log.state(), POLICY, NOW) == (1, 2)


def test_commitments_honoured(report: dict) -> None:  # type: ignore[type-arg]
    assert report["commitments"] == {"made": 4, "met": 1, "met_late": 0, "missed": 1,
                                     "overdue": 1, "open": 1, "honoured_rate": 1 / 3}


def test_a_commitment_kept_late_is_not_honoured_on_time() -> None:
    log = incident()
    log.commit(T0, "C1", T0 + hours(1)).commitment(T0 + hours(2), "C1", "met")
    log.commit(T0, "C2", T0 + hours(1)).commitment(T0 + minutes(30), "C2", "met")
    got = trends([log.state()], log.events, POLICY, T0 + hours(3))["commitments"]
    assert got == {"made": 2, "met": 1, "met_late": 1, "missed": 0, "overdue": 0, "open": 0,
                   "honoured_rate": 0.5}


def test_open_actions_by_age(report: dict) -> None:  # type: ignore[type-arg]
    assert report["open_actions"] == {
        "total": 3, "overdue": 1,
        "by_age": {"<7d": 1, "7-30d": 2, "30-90d": 0, ">=90d": 0},
    }


def test_patterns_with_flag_due_and_flagged_at(report: dict) -> None:  # type: ignore[type-arg]
    assert [p["key"] for p in report["patterns"]] == ["db/postgres"]
    p = report["patterns"][0]
    assert (p["occurrences"], p["flag_due"], p["flagged_at"], p["in_time"], p["status"]) == (
        2, (T0 + 31 * DAY).isoformat(), (T0 + 3 * DAY).isoformat(), True, "flagged")
    assert report["flags"] == {"raised": 1, "flagged": 1, "flagged_late": 0, "open": 0,
                               "overdue": 0}


def test_weekly_buckets(report: dict) -> None:  # type: ignore[type-arg]
    assert week_start(T0) == T0.replace(hour=0) - DAY
    assert report["weekly"] == [
        {"week": "2026-11-23", "volume": {"P0": 1, "P1": 1, "P2": 1, "total": 3},
         "mtta_median_seconds": 600.0, "mttr_median_seconds": 52200.0,
         "recurrence_rate": 1 / 3, "sla_breach_rate": 8 / 14},
        {"week": "2026-11-30", "volume": {"P0": 0, "P1": 0, "P2": 0, "total": 0},
         "mtta_median_seconds": None, "mttr_median_seconds": None,
         "recurrence_rate": None, "sla_breach_rate": None},
    ]


def test_unbounded_window_takes_everything_and_empty_window_is_empty() -> None:
    everything = trends(STATES, EVENTS, POLICY, NOW)
    assert everything["escalations"] == 5
    assert everything["volume_by_severity"] == {"P0": 2, "P1": 2, "P2": 1}  # ESC-5: P0 default
    assert everything["recurrence_rate"] == 1 / 4  # ESC-5 has no pattern: not counted
    empty = trends(STATES, EVENTS, POLICY, NOW, since=NOW + DAY)
    assert empty["escalations"] == 0
    assert empty["recurrence_rate"] is None
    assert empty["sla_breach_rate"]["resolve"] is None
    assert empty["mtta_seconds"]["P0"] == {"mean": None, "median": None, "count": 0}
    assert empty["weekly"] == []


def test_renegotiated_commitments_stay_binding() -> None:
    from warroom.domain.pir import commitments_ledger

    log = incident()
    log.commit(T0, "C1", T0 + hours(1)).commitment(T0 + minutes(30), "C1", "renegotiate",
                                                   due_at=T0 + hours(3))
    log.commit(T0, "C2", T0 + hours(1)).commitment(T0 + minutes(30), "C2", "renegotiate",
                                                   due_at=T0 + hours(30))
    now = T0 + hours(4)
    got = trends([log.state()], log.events, POLICY, now)["commitments"]
    assert got == {"made": 2, "met": 0, "met_late": 0, "missed": 0, "overdue": 1, "open": 1,
                   "honoured_rate": 0.0}
    ledger = commitments_ledger(log.state(), now)
    assert (ledger["open"], ledger["overdue"], ledger["renegotiated"]) == (2, 1, 2)
    assert [c["state"] for c in ledger["items"]] == ["overdue", "renegotiated"]
