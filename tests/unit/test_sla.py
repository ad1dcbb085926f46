"""SLA clocks, every rule at frozen times. States are folded from event logs by the reducer."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import T0, Log, default_policy, hours, incident_logs, minutes, utc
from warroom.domain.calendar import add_time
from warroom.domain.models import Clock, ClockName, ClockState, Milestone, Phase, Severity
from warroom.domain.sla import clocks
from warroom.domain.structs import replace
from warroom.domain.urgency import URGENT_STATES, most_urgent

POLICY = default_policy()
FRI_16 = utc(2026, 11, 20, 16)  # Friday 16:00 UTC
MON = utc(2026, 11, 23)

TRIAGE, FIRST, NEXT, RESOLVE, PIR = (ClockName.TRIAGE, ClockName.FIRST_UPDATE,
                                     ClockName.NEXT_UPDATE, ClockName.RESOLVE, ClockName.PIR)


def at(log: Log, now: datetime) -> dict[ClockName, Clock]:
    return clocks(log.state(), POLICY, now)


def clock(log: Log, name: ClockName, now: datetime) -> Clock:
    return at(log, now)[name]


def same(c: Clock, state: ClockState, due: datetime | None, remaining_s: float | None,
         target_s: float | None, met_at: datetime | None = None) -> None:
    assert (c.state, c.due_at, c.remaining_s, c.target_s, c.met_at) == (
        state, due, remaining_s, target_s, met_at)


def p2_friday() -> Log:
    """The issue's example: a P2 opened Friday 16:00, triaged at once."""
    return Log().opened(FRI_16).triaged(FRI_16 + minutes(5), Severity.P2)


class TestUntriagedHeldToP0:
    def test_every_clock_runs_on_p0_targets(self) -> None:
        log = Log().opened(T0)
        c = at(log, T0 + minutes(5))
        assert list(c) == list(ClockName)
        same(c[TRIAGE], ClockState.OK, T0 + minutes(15), 600, 900)
        same(c[FIRST], ClockState.OK, T0 + minutes(15), 600, 900)
        same(c[NEXT], ClockState.OK, T0 + minutes(15), 600, 900)
        same(c[RESOLVE], ClockState.OK, T0 + hours(4), 4 * 3600 - 300, 4 * 3600)
        same(c[PIR], ClockState.NOT_APPLICABLE, None, None, None)

    def test_severity_without_triage_is_still_p0(self) -> None:
        log = Log().opened(FRI_16).severity(FRI_16 + minutes(1), Severity.P2)
        c = at(log, FRI_16 + minutes(5))
        assert c[FIRST].due_at == FRI_16 + minutes(15)
        assert c[RESOLVE].due_at == FRI_16 + hours(4)

    def test_triage_switches_to_the_severitys_targets_and_calendar(self) -> None:
        c = at(p2_friday(), FRI_16 + minutes(30))
        same(c[TRIAGE], ClockState.MET, FRI_16 + minutes(15), None, 900, FRI_16 + minutes(5))
        assert c[FIRST].due_at == utc(2026, 11, 23, 12)  # Monday noon: 4 business hours
        assert c[NEXT].due_at == utc(2026, 11, 23, 12)
        assert c[RESOLVE].due_at == utc(2026, 11, 25, 16)  # 1h Fri + 8 Mon + 8 Tue + 7 Wed
        assert c[PIR].state is ClockState.NOT_APPLICABLE


class TestBusinessCalendar:
    def test_weekend_does_not_count(self) -> None:
        # Saturday noon: 3 of the 4 business hours remain; wall time left is 48h.
        same(clock(p2_friday(), FIRST, utc(2026, 11, 21, 12)), ClockState.OK,
             utc(2026, 11, 23, 12), 48 * 3600, 4 * 3600)

    def test_at_risk_is_measured_in_calendar_time(self) -> None:
        log = p2_friday()
        assert clock(log, FIRST, utc(2026, 11, 23, 10, 59, 59)).state is ClockState.OK
        same(clock(log, FIRST, utc(2026, 11, 23, 11)), ClockState.AT_RISK,
             utc(2026, 11, 23, 12), 3600, 4 * 3600)

    def test_breach_after_due(self) -> None:
        log = p2_friday()
        same(clock(log, FIRST, utc(2026, 11, 23, 12)), ClockState.AT_RISK,
             utc(2026, 11, 23, 12), 0, 4 * 3600)
        same(clock(log, FIRST, utc(2026, 11, 23, 12, 0, 1)), ClockState.BREACHED,
             utc(2026, 11, 23, 12), -1, 4 * 3600)

    def test_opened_outside_hours_starts_at_next_opening(self) -> None:
        sat = utc(2026, 11, 21, 10)
        log = Log().opened(sat).triaged(sat, Severity.P2)
        c = at(log, sat)
        assert c[TRIAGE].due_at == utc(2026, 11, 23, 9, 15)
        assert c[FIRST].due_at == utc(2026, 11, 23, 13)

    def test_holiday_on_monday(self) -> None:
        base = POLICY.calendars["business"]
        policy = default_policy(calendars={
            "always": POLICY.calendars["always"],
            "business": replace(base, holidays=["2026-11-23"]),
        })
        c = clocks(p2_friday().state(), policy, FRI_16 + minutes(30))
        assert c[FIRST].due_at == utc(2026, 11, 24, 12)

    def test_business_hours_in_a_dst_timezone(self) -> None:
        # London: Fri 23 Oct 2026 16:00 BST = 15:00 UTC; back to GMT on Sunday; Mon 12:00 GMT.
        base = POLICY.calendars["business"]
        policy = default_policy(calendars={
            "always": POLICY.calendars["always"],
            "business": replace(base, timezone="Europe/London"),
        })
        opened = utc(2026, 10, 23, 15)
        log = Log().opened(opened).triaged(opened, Severity.P2)
        assert clocks(log.state(), policy, opened)[FIRST].due_at == utc(2026, 10, 26, 12)


class TestSeverityChange:
    def test_p0_to_p2_recomputes_from_receipt_on_business_time(self) -> None:
        log = Log().opened(FRI_16).triaged(FRI_16 + minutes(5), Severity.P0)
        before = at(log, FRI_16 + minutes(30))
        same(before[FIRST], ClockState.BREACHED, FRI_16 + minutes(15), -900, 900)
        assert before[RESOLVE].due_at == FRI_16 + hours(4)
        assert before[NEXT].due_at == FRI_16 + minutes(15)

        log.severity(FRI_16 + minutes(40), Severity.P2)
        after = at(log, FRI_16 + minutes(45))
        same(after[FIRST], ClockState.OK, utc(2026, 11, 23, 12),
             (utc(2026, 11, 23, 12) - (FRI_16 + minutes(45))).total_seconds(), 4 * 3600)
        assert after[RESOLVE].due_at == utc(2026, 11, 25, 16)
        assert after[NEXT].due_at == utc(2026, 11, 23, 12)
        assert after[TRIAGE].state is ClockState.MET  # 16:05 <= 16:15 on either calendar

    def test_p2_to_p1_back_to_wall_time(self) -> None:
        log = p2_friday().severity(FRI_16 + minutes(10), Severity.P1)
        c = at(log, FRI_16 + minutes(20))
        assert c[FIRST].due_at == FRI_16 + minutes(30)
        assert c[RESOLVE].due_at == FRI_16 + hours(24)


class TestTriage:
    def test_met_on_time(self) -> None:
        log = Log().opened(T0).triaged(T0 + minutes(15), Severity.P1)
        same(clock(log, TRIAGE, T0 + hours(1)), ClockState.MET, T0 + minutes(15), None, 900,
             T0 + minutes(15))

    def test_met_late(self) -> None:
        log = Log().opened(T0).triaged(T0 + minutes(20), Severity.P1)
        same(clock(log, TRIAGE, T0 + hours(1)), ClockState.MET_LATE, T0 + minutes(15), None,
             900, T0 + minutes(20))

    def test_not_met_without_a_commander(self) -> None:
        log = (Log().opened(T0).assign(T0 + minutes(1), "incident_commander", "")
               .triaged(T0 + minutes(5), Severity.P1))
        same(clock(log, TRIAGE, T0 + minutes(30)), ClockState.BREACHED, T0 + minutes(15), -900,
             900)
        log.assign(T0 + minutes(31), "incident_commander", "bo")
        assert clock(log, TRIAGE, T0 + minutes(31)).state is ClockState.MET

    def test_at_risk_at_a_quarter_left(self) -> None:
        log = Log().opened(T0)
        assert clock(log, TRIAGE, T0 + minutes(11) + timedelta(seconds=14)).state \
            is ClockState.OK
        same(clock(log, TRIAGE, T0 + minutes(11) + timedelta(seconds=15)), ClockState.AT_RISK,
             T0 + minutes(15), 225, 900)

    def test_corrected_triage_time(self) -> None:
        log = (Log().opened(T0).triaged(T0 + minutes(20), Severity.P1)
               .edit_milestone(T0 + minutes(30), Milestone.TRIAGED, T0 + minutes(12)))
        c = clock(log, TRIAGE, T0 + hours(1))
        assert (c.state, c.met_at) == (ClockState.MET, T0 + minutes(12))

    def test_corrected_receipt_moves_every_due_time(self) -> None:
        log = (Log().opened(T0).triaged(T0 + minutes(5), Severity.P1)
               .edit_milestone(T0 + minutes(6), Milestone.RECEIVED, T0 - minutes(10)))
        c = at(log, T0 + minutes(6))
        assert c[TRIAGE].due_at == T0 + minutes(5)
        assert c[FIRST].due_at == T0 + minutes(20)
        assert c[RESOLVE].due_at == T0 + hours(24) - minutes(10)


class TestFirstUpdate:
    def log(self) -> Log:
        return Log().opened(T0).triaged(T0 + minutes(5), Severity.P1)

    def test_met(self) -> None:
        log = self.log().update(T0 + minutes(30))
        same(clock(log, FIRST, T0 + hours(2)), ClockState.MET, T0 + minutes(30), None, 1800,
             T0 + minutes(30))

    def test_met_late(self) -> None:
        log = self.log().update(T0 + minutes(35))
        same(clock(log, FIRST, T0 + hours(2)), ClockState.MET_LATE, T0 + minutes(30), None,
             1800, T0 + minutes(35))

    def test_internal_updates_do_not_count(self) -> None:
        log = self.log().update(T0 + minutes(10), audience="internal")
        same(clock(log, FIRST, T0 + minutes(20)), ClockState.OK, T0 + minutes(30), 600, 1800)

    def test_back_dated_earlier_update_counts(self) -> None:
        log = self.log().update(T0 + minutes(40)).update(T0 + minutes(25))
        assert clock(log, FIRST, T0 + hours(1)).met_at == T0 + minutes(25)


class TestNextUpdate:
    def log(self) -> Log:
        return Log().opened(T0).triaged(T0 + minutes(5), Severity.P1)

    def test_before_first_update_it_is_the_first_update_deadline(self) -> None:
        same(clock(self.log(), NEXT, T0 + minutes(10)), ClockState.OK, T0 + minutes(30), 1200,
             1800)

    def test_cadence_from_last_customer_update(self) -> None:
        log = self.log().update(T0 + minutes(20)).update(T0 + minutes(50), audience="internal")
        same(clock(log, NEXT, T0 + minutes(30)), ClockState.OK, T0 + minutes(80), 3000, 3600)

    def test_promise_sooner_than_cadence_wins(self) -> None:
        log = self.log().update(T0 + minutes(20), next_update_at=T0 + minutes(50))
        same(clock(log, NEXT, T0 + minutes(30)), ClockState.OK, T0 + minutes(50), 1200, 1800)

    def test_promise_later_than_cadence_loses(self) -> None:
        log = self.log().update(T0 + minutes(20), next_update_at=T0 + hours(3))
        same(clock(log, NEXT, T0 + minutes(30)), ClockState.OK, T0 + minutes(80), 3000, 3600)

    def test_latest_update_replaces_the_promise(self) -> None:
        log = (self.log().update(T0 + minutes(20), next_update_at=T0 + minutes(30))
               .update(T0 + minutes(25)))
        assert clock(log, NEXT, T0 + minutes(26)).due_at == T0 + minutes(85)

    def test_at_risk_boundary_on_a_promise(self) -> None:
        log = self.log().update(T0 + minutes(20), next_update_at=T0 + minutes(50))
        ok = T0 + minutes(42) + timedelta(seconds=29)
        assert clock(log, NEXT, ok).state is ClockState.OK
        same(clock(log, NEXT, ok + timedelta(seconds=1)), ClockState.AT_RISK, T0 + minutes(50),
             450, 1800)

    def test_at_risk_and_breach_boundaries_on_cadence(self) -> None:
        log = self.log().update(T0 + minutes(20))
        due = T0 + minutes(80)
        assert clock(log, NEXT, due - minutes(15) - timedelta(seconds=1)).state is ClockState.OK
        same(clock(log, NEXT, due - minutes(15)), ClockState.AT_RISK, due, 900, 3600)
        same(clock(log, NEXT, due), ClockState.AT_RISK, due, 0, 3600)
        same(clock(log, NEXT, due + timedelta(seconds=1)), ClockState.BREACHED, due, -1, 3600)

    def test_business_cadence_over_the_weekend(self) -> None:
        log = p2_friday().update(FRI_16 + minutes(30))
        due = utc(2026, 11, 23, 16, 30)  # 30m Fri + 7.5h Mon
        same(clock(log, NEXT, utc(2026, 11, 21, 12)), ClockState.OK, due,
             (due - utc(2026, 11, 21, 12)).total_seconds(), 8 * 3600)
        assert clock(log, NEXT, utc(2026, 11, 23, 14, 29)).state is ClockState.OK
        assert clock(log, NEXT, utc(2026, 11, 23, 14, 30)).state is ClockState.AT_RISK

    def test_business_promise_target_is_calendar_time_to_it(self) -> None:
        log = p2_friday().update(FRI_16 + minutes(30), next_update_at=utc(2026, 11, 23, 10))
        same(clock(log, NEXT, FRI_16 + minutes(30)), ClockState.OK, utc(2026, 11, 23, 10),
             (utc(2026, 11, 23, 10) - (FRI_16 + minutes(30))).total_seconds(), 5400)

    def test_pause_does_not_stop_it(self) -> None:
        log = self.log().update(T0 + minutes(20)).pause(T0 + minutes(30))
        same(clock(log, NEXT, T0 + hours(2)), ClockState.BREACHED, T0 + minutes(80), -2400,
             3600)

    def test_a_final_update_is_owed_after_resolution_on_the_cadence(self) -> None:
        log = self.log().update(T0 + minutes(20)).resolve(T0 + minutes(50))
        same(clock(log, NEXT, T0 + minutes(60)), ClockState.OK, T0 + minutes(80), 1200, 3600)

    def test_the_final_update_keeps_the_open_promise(self) -> None:
        log = (self.log().update(T0 + minutes(20), next_update_at=T0 + minutes(40))
               .resolve(T0 + minutes(30)))
        assert clock(log, NEXT, T0 + minutes(35)).due_at == T0 + minutes(40)
        log.update(T0 + minutes(38), phase=Phase.RESOLVED)
        same(clock(log, NEXT, T0 + minutes(39)), ClockState.NOT_APPLICABLE, None, None, None)

    def test_not_applicable_once_the_final_update_is_posted(self) -> None:
        log = self.log().resolve(T0 + hours(1)).update(T0 + hours(1), phase=Phase.RESOLVED)
        same(clock(log, NEXT, T0 + hours(2)), ClockState.NOT_APPLICABLE, None, None, None)

    def test_renegotiated_promise_moves_the_due_time_even_past_the_cadence(self) -> None:
        log = (self.log().update(T0 + minutes(20), next_update_at=T0 + minutes(50))
               .promise(T0 + minutes(20), "C1", T0 + minutes(50)))
        assert clock(log, NEXT, T0 + minutes(30)).due_at == T0 + minutes(50)
        log.commitment(T0 + minutes(45), "C1", "renegotiate", due_at=T0 + hours(2))
        same(clock(log, NEXT, T0 + minutes(46)), ClockState.OK, T0 + hours(2),
             (T0 + hours(2) - (T0 + minutes(46))).total_seconds(), 100 * 60)
        assert log.state().commitments["C1"].text == "Next customer update by 12:00 UTC"


class TestResolve:
    def log(self) -> Log:
        return Log().opened(T0).triaged(T0 + minutes(5), Severity.P1)

    def test_runs_on_wall_time(self) -> None:
        same(clock(self.log(), RESOLVE, T0 + hours(1)), ClockState.OK, T0 + hours(24),
             23 * 3600, 24 * 3600)

    def test_at_risk_at_a_quarter_left(self) -> None:
        assert clock(self.log(), RESOLVE, T0 + hours(18) - timedelta(seconds=1)).state \
            is ClockState.OK
        assert clock(self.log(), RESOLVE, T0 + hours(18)).state is ClockState.AT_RISK

    def test_paused_state_freezes_remaining(self) -> None:
        log = self.log().pause(T0 + hours(2))
        same(clock(log, RESOLVE, T0 + hours(3)), ClockState.PAUSED, T0 + hours(25), 22 * 3600,
             24 * 3600)
        same(clock(log, RESOLVE, T0 + hours(30)), ClockState.PAUSED, T0 + hours(52), 22 * 3600,
             24 * 3600)

    def test_resume_shifts_due_by_paused_time(self) -> None:
        log = self.log().pause(T0 + hours(2)).resume(T0 + hours(5))
        same(clock(log, RESOLVE, T0 + hours(6)), ClockState.OK, T0 + hours(27), 21 * 3600,
             24 * 3600)

    def test_several_pauses_add_up(self) -> None:
        log = (self.log().pause(T0 + hours(1)).resume(T0 + hours(2))
               .pause(T0 + hours(3)).resume(T0 + hours(4)))
        assert clock(log, RESOLVE, T0 + hours(5)).due_at == T0 + hours(26)

    def test_met_with_paused_time_excluded(self) -> None:
        log = self.log().pause(T0 + hours(2)).resume(T0 + hours(5)).resolve(T0 + hours(26))
        same(clock(log, RESOLVE, T0 + hours(30)), ClockState.MET, T0 + hours(27), None,
             24 * 3600, T0 + hours(26))

    def test_met_late(self) -> None:
        log = self.log().resolve(T0 + hours(25))
        same(clock(log, RESOLVE, T0 + hours(30)), ClockState.MET_LATE, T0 + hours(24), None,
             24 * 3600, T0 + hours(25))

    def test_resolving_while_paused_ends_the_pause(self) -> None:
        log = self.log().pause(T0 + hours(2)).resolve(T0 + hours(10))
        same(clock(log, RESOLVE, T0 + hours(40)), ClockState.MET, T0 + hours(32), None,
             24 * 3600, T0 + hours(10))

    def test_pausing_after_breach_stays_breached(self) -> None:
        log = Log().opened(T0).triaged(T0, Severity.P0).pause(T0 + hours(5))
        same(clock(log, RESOLVE, T0 + hours(6)), ClockState.BREACHED, T0 + hours(4), -7200,
             4 * 3600)

    def test_pause_beginning_exactly_at_due_is_paused_with_nothing_left(self) -> None:
        log = Log().opened(T0).triaged(T0, Severity.P0).pause(T0 + hours(4))
        same(clock(log, RESOLVE, T0 + hours(5)), ClockState.PAUSED, T0 + hours(5), 0, 4 * 3600)

    def test_business_pause_only_skips_business_time(self) -> None:
        # 30m run Fri, paused 16:30 Fri -> 10:00 Mon, then 23.5h: Mon 7 + Tue 8 + Wed 8 + Thu .5
        log = p2_friday().pause(FRI_16 + minutes(30))
        sat = utc(2026, 11, 21, 12)
        # paused on Saturday: projected as if resumed now -> from Monday 09:00
        same(clock(log, RESOLVE, sat), ClockState.PAUSED, utc(2026, 11, 25, 16, 30),
             23.5 * 3600, 24 * 3600)
        log.resume(utc(2026, 11, 23, 10))
        same(clock(log, RESOLVE, utc(2026, 11, 23, 11)), ClockState.OK, utc(2026, 11, 26, 9, 30),
             (utc(2026, 11, 26, 9, 30) - utc(2026, 11, 23, 11)).total_seconds(), 24 * 3600)

    def test_pause_does_not_affect_other_clocks(self) -> None:
        log = self.log().pause(T0 + minutes(10))
        c = at(log, T0 + minutes(40))
        same(c[FIRST], ClockState.BREACHED, T0 + minutes(30), -600, 1800)
        same(c[NEXT], ClockState.BREACHED, T0 + minutes(30), -600, 1800)


class TestPir:
    def resolved(self, severity: Severity = Severity.P1) -> Log:
        return Log().opened(T0).triaged(T0 + minutes(5), severity).resolve(T0 + hours(6))

    def test_not_applicable_until_resolved(self) -> None:
        log = Log().opened(T0).triaged(T0 + minutes(5), Severity.P1)
        assert clock(log, PIR, T0 + hours(1)).state is ClockState.NOT_APPLICABLE

    def test_due_48h_after_resolution(self) -> None:
        r = T0 + hours(6)
        same(clock(self.resolved(), PIR, r + hours(1)), ClockState.OK, r + hours(48),
             47 * 3600, 48 * 3600)
        assert clock(self.resolved(), PIR, r + hours(36) - timedelta(seconds=1)).state \
            is ClockState.OK
        assert clock(self.resolved(), PIR, r + hours(36)).state is ClockState.AT_RISK
        same(clock(self.resolved(), PIR, r + hours(49)), ClockState.BREACHED, r + hours(48),
             -3600, 48 * 3600)

    def test_met_and_met_late_when_the_customer_rca_is_sent(self) -> None:
        r = T0 + hours(6)
        log = self.resolved().pir_completed(r + hours(30))
        assert clock(log, PIR, r + hours(60)).state is ClockState.BREACHED  # completed, unsent
        log = self.resolved().pir_completed(r + hours(30)).rca_sent(r + hours(40))
        same(clock(log, PIR, r + hours(60)), ClockState.MET, r + hours(48), None, 48 * 3600,
             r + hours(40))
        log = self.resolved().rca_sent(r + hours(50)).rca_sent(r + hours(55))
        same(clock(log, PIR, r + hours(60)), ClockState.MET_LATE, r + hours(48), None,
             48 * 3600, r + hours(50))

    def test_owed_under_the_worst_severity_it_ever_had(self) -> None:
        log = (Log().opened(T0).triaged(T0 + minutes(5), Severity.P1)
               .severity(T0 + minutes(30), Severity.P2).resolve(T0 + hours(6)))
        assert clock(log, PIR, T0 + hours(7)).due_at == T0 + hours(54)

    def test_optional_for_p2(self) -> None:
        log = self.resolved(Severity.P2)
        assert clock(log, PIR, T0 + hours(7)).state is ClockState.NOT_APPLICABLE

    def test_untriaged_resolution_owes_a_p0_pir(self) -> None:
        log = Log().opened(T0).resolve(T0 + hours(1))
        assert clock(log, PIR, T0 + hours(2)).due_at == T0 + hours(49)


@settings(max_examples=200, deadline=None)
@given(log=incident_logs(), later=st.integers(0, 60 * 24 * 14))
def test_clock_invariants(log: Log, later: int) -> None:
    state = log.state()
    assert state.updated_at is not None
    now = state.updated_at + timedelta(minutes=later)
    result = clocks(state, POLICY, now)
    assert list(result) == list(ClockName)
    for c in result.values():
        if c.state in (ClockState.OK, ClockState.AT_RISK, ClockState.BREACHED):
            assert c.due_at is not None and c.remaining_s == (c.due_at - now).total_seconds()
            assert (c.state is ClockState.BREACHED) == (now > c.due_at)
            assert c.met_at is None
        elif c.state in (ClockState.MET, ClockState.MET_LATE):
            assert c.due_at is not None and c.met_at is not None and c.remaining_s is None
            assert (c.met_at <= c.due_at) == (c.state is ClockState.MET)
        elif c.state is ClockState.PAUSED:
            assert c.name is RESOLVE and state.paused and c.remaining_s is not None
            assert c.remaining_s >= 0
    final_posted = (state.resolved_at is not None and state.last_customer_update_at is not None
                    and state.last_customer_update_at >= state.resolved_at)
    assert (result[NEXT].state is ClockState.NOT_APPLICABLE) == final_posted
    if state.resolved_at is None:
        assert result[PIR].state is ClockState.NOT_APPLICABLE
    severity = state.severity if state.triaged else Severity.P0
    unpaused_due = add_time(state.received_at, POLICY.for_severity(severity).resolve,
                            POLICY.calendar_for(severity))
    due = result[RESOLVE].due_at
    assert (due is not None and due >= unpaused_due) or result[RESOLVE].state is ClockState.PAUSED
    urgent = most_urgent(result)
    assert urgent is None or urgent.state in URGENT_STATES


def test_factory_policy_agrees_with_the_shipped_config() -> None:
    from warroom.config import load_config

    shipped = load_config().policy
    assert POLICY.severities == shipped.severities
    assert POLICY.calendars == shipped.calendars
    assert POLICY.at_risk_fraction == shipped.at_risk_fraction
    assert POLICY.triage_rules == shipped.triage_rules
    assert {k: shipped.rights.get(k) for k in POLICY.rights} == POLICY.rights
    assert set(POLICY.roles) == set(shipped.roles)
