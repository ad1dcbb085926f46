"""Urgency: one ordering of clocks and of escalations, at frozen times."""

from __future__ import annotations

from datetime import datetime

from tests.factories import T0, Log, default_policy, hours, minutes
from warroom.domain.models import Clock, ClockName, ClockState, Severity
from warroom.domain.sla import clocks
from warroom.domain.status import status_view
from warroom.domain.structs import replace
from warroom.domain.urgency import document_key, most_urgent, state_key

POLICY = default_policy()
NEXT, RESOLVE, FIRST, PIR = (ClockName.NEXT_UPDATE, ClockName.RESOLVE, ClockName.FIRST_UPDATE,
                             ClockName.PIR)


def at(log: Log, now: datetime) -> dict[ClockName, Clock]:
    return clocks(log.state(), POLICY, now)


def clock(name: ClockName, state: ClockState, remaining: float | None) -> Clock:
    return Clock(name=name, state=state, remaining_s=remaining)


def at_risk_resolve() -> Log:
    """A P0 whose resolve clock is at risk (50 of 240 minutes left) while the next customer
    update is ok with less time left (20 of 30 minutes)."""
    return (Log().opened(T0).triaged(T0 + minutes(5), Severity.P0)
            .update(T0 + minutes(180)))


class TestMostUrgentClock:
    def test_at_risk_outranks_ok_with_less_time_left(self) -> None:
        c = at(at_risk_resolve(), T0 + minutes(190))
        assert c[NEXT].state is ClockState.OK and c[NEXT].remaining_s == 20 * 60
        assert c[RESOLVE].state is ClockState.AT_RISK and c[RESOLVE].remaining_s == 50 * 60
        urgent = most_urgent(c)
        assert urgent is not None and urgent.name is RESOLVE

    def test_status_document_names_the_same_clock(self) -> None:
        doc = status_view(at_risk_resolve().state(), POLICY, T0 + minutes(190))
        assert doc["most_urgent"] == "resolve"

    def test_breached_outranks_at_risk(self) -> None:
        got = most_urgent({
            RESOLVE: clock(RESOLVE, ClockState.AT_RISK, 10.0),
            NEXT: clock(NEXT, ClockState.BREACHED, -3000.0),
            FIRST: clock(FIRST, ClockState.OK, 5.0),
        })
        assert got is not None and got.name is NEXT

    def test_ties_go_to_least_time_left(self) -> None:
        got = most_urgent({
            RESOLVE: clock(RESOLVE, ClockState.AT_RISK, 600.0),
            NEXT: clock(NEXT, ClockState.AT_RISK, 300.0),
        })
        assert got is not None and got.name is NEXT

    def test_paused_met_and_not_applicable_are_never_most_urgent(self) -> None:
        got = most_urgent({
            RESOLVE: clock(RESOLVE, ClockState.PAUSED, 5.0),
            FIRST: Clock(name=FIRST, state=ClockState.MET_LATE, met_at=T0),
            PIR: clock(PIR, ClockState.NOT_APPLICABLE, None),
            NEXT: clock(NEXT, ClockState.OK, 900.0),
        })
        assert got is not None and got.name is NEXT

    def test_a_paused_resolve_clock_with_little_left_is_not_most_urgent(self) -> None:
        policy = default_policy(severities={
            **POLICY.severities,
            Severity.P1: replace(POLICY.severities[Severity.P1], resolve=hours(1)),
        })
        log = (Log().opened(T0).triaged(T0 + minutes(5), Severity.P1).update(T0 + minutes(20))
               .pause(T0 + minutes(40)))
        c = clocks(log.state(), policy, T0 + minutes(50))
        assert c[RESOLVE].state is ClockState.PAUSED
        urgent = most_urgent(c)
        assert urgent is not None and urgent.name is NEXT

    def test_none_when_nothing_counts_down(self) -> None:
        assert most_urgent({}) is None
        assert most_urgent({RESOLVE: clock(RESOLVE, ClockState.PAUSED, 5.0)}) is None
        doc = status_view(Log().opened(T0).triaged(T0, Severity.P2).update(T0 + minutes(1))
                          .resolve(T0 + hours(1)).update(T0 + hours(1)).state(),
                          POLICY, T0 + hours(2))
        assert doc["most_urgent"] is None

    def test_other_than_leaves_one_clock_out(self) -> None:
        c = at(Log().opened(T0).triaged(T0 + minutes(5), Severity.P1), T0 + minutes(31))
        assert c[NEXT].state is ClockState.BREACHED
        other = most_urgent(c, other_than=NEXT)
        assert other is not None and other.name is not NEXT


class TestEscalationOrder:
    def logs(self) -> dict[str, Log]:
        return {
            "ESC-1": Log("ESC-1").opened(T0).triaged(T0, Severity.P2).update(T0 + minutes(5)),
            "ESC-2": (Log("ESC-2").opened(T0).triaged(T0, Severity.P1).update(T0 + minutes(5))
                      .pause(T0 + minutes(10))),
            "ESC-3": Log("ESC-3").opened(T0).triaged(T0, Severity.P1),
            "ESC-4": (Log("ESC-4").opened(T0).triaged(T0, Severity.P0).update(T0 + minutes(5))
                      .resolve(T0 + minutes(20))),
        }

    def test_state_and_document_keys_agree(self) -> None:
        now = T0 + minutes(40)
        states = {i: log.state() for i, log in self.logs().items()}
        by_state = sorted(states, key=lambda i: state_key(states[i],
                                                          clocks(states[i], POLICY, now)))
        docs = [status_view(s, POLICY, now) for s in states.values()]
        by_doc = [d["id"] for d in sorted(docs, key=document_key)]
        assert by_state == by_doc
        # breached first; the paused one ranks by its running next-update clock; resolved last
        assert by_state == ["ESC-3", "ESC-2", "ESC-1", "ESC-4"]
