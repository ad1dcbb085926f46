"""The next customer update, from one source, through the service at frozen times: the promise,
its renegotiation, `met_late`, and the final update owed after resolution."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import T0, FrozenClock
from warroom.domain import commands as c
from warroom.domain.errors import InvalidInput
from warroom.domain.models import Audience, ClockName, ClockState, CommitmentState, Severity
from warroom.domain.next_update import after_posting, owed
from warroom.domain.sla import clocks
from warroom.domain.templates import NO_PROMISE
from warroom.service import WarRoom

NEXT = ClockName.NEXT_UPDATE


def open_p0(service: WarRoom) -> str:
    return str(service.execute(c.Open(title="Checkout down", customer="Acme",
                                      severity=Severity.P0), "ic")["id"])


def update(service: WarRoom, iid: str, body: str = "Investigating", minutes: int | None = None,
           audience: Audience = Audience.CUSTOMER, template: str | None = None) -> dict:  # type: ignore[type-arg]
    promised = service.clock() + timedelta(minutes=minutes) if minutes is not None else None
    return service.execute(c.PostUpdate(incident_id=iid, audience=audience, body=body,
                                        template=template, next_update_at=promised), "ic")


def renegotiate(service: WarRoom, iid: str, cid: str, minutes: int,
                reason: str | None = "customer agreed on the bridge") -> dict:  # type: ignore[type-arg]
    return service.execute(c.ResolveCommitment(
        incident_id=iid, commitment_id=cid, outcome="renegotiate",
        due_at=service.clock() + timedelta(minutes=minutes), reason=reason), "ic")


def next_clock(service: WarRoom, iid: str):  # type: ignore[no-untyped-def]
    return clocks(service.state(iid), service.policy, service.clock())[NEXT]


class TestRenegotiatedPromise:
    def test_moves_the_next_update_clock_and_the_commitment_together(
        self, service: WarRoom, clock: FrozenClock
    ) -> None:
        iid = open_p0(service)
        cid = update(service, iid, minutes=20)["commitment_id"]
        assert next_clock(service, iid).due_at == T0 + timedelta(minutes=20)
        clock.advance(minutes=10)
        renegotiate(service, iid, cid, 45)  # later than the 30-minute cadence: agreed
        state = service.state(iid)
        promise = state.commitments[cid]
        assert promise.due_at == T0 + timedelta(minutes=55)
        assert promise.text == "Next customer update by 10:55 UTC"
        assert next_clock(service, iid).due_at == promise.due_at
        assert owed(state, service.policy).promised
        doc = service.status(iid)
        assert doc["clocks"]["next_update"]["due_at"] == "2026-11-24T10:55:00Z"

    def test_internal_update_names_the_renegotiated_time(
        self, service: WarRoom, clock: FrozenClock
    ) -> None:
        iid = open_p0(service)
        cid = update(service, iid, minutes=20)["commitment_id"]
        clock.advance(minutes=5)
        renegotiate(service, iid, cid, 40)
        result = update(service, iid, body="", audience=Audience.INTERNAL,
                        template="internal-update")
        assert "Next customer update due 10:45 UTC." in result["body"]

    def test_needs_a_reason(self, service: WarRoom) -> None:
        iid = open_p0(service)
        cid = update(service, iid, minutes=20)["commitment_id"]
        for reason in (None, "", "   "):
            with pytest.raises(InvalidInput, match="reason"):
                renegotiate(service, iid, cid, 40, reason=reason)
        assert service.state(iid).commitments[cid].history == []

    def test_after_the_due_time_records_the_original_time_missed(
        self, service: WarRoom, clock: FrozenClock
    ) -> None:
        iid = open_p0(service)
        cid = update(service, iid, minutes=20)["commitment_id"]
        clock.advance(minutes=25)
        renegotiate(service, iid, cid, 10)
        history = service.state(iid).commitments[cid].history
        assert history[-1]["original_missed"] is True
        event = service.events(iid)[-1]
        assert event.payload["original_missed"] == (T0 + timedelta(minutes=20)).isoformat()

    def test_before_the_due_time_the_original_is_not_missed(
        self, service: WarRoom, clock: FrozenClock
    ) -> None:
        iid = open_p0(service)
        cid = update(service, iid, minutes=20)["commitment_id"]
        clock.advance(minutes=5)
        renegotiate(service, iid, cid, 10)
        assert "original_missed" not in service.state(iid).commitments[cid].history[-1]


class TestMetLate:
    def test_a_promise_kept_by_a_later_update_is_met_late(
        self, service: WarRoom, clock: FrozenClock
    ) -> None:
        iid = open_p0(service)
        update(service, iid, minutes=20)
        clock.advance(minutes=21)
        update(service, iid, body="Still on it", minutes=30)
        state = service.state(iid)
        assert state.commitments["C1"].state is CommitmentState.MET_LATE
        assert state.commitments["C2"].state is CommitmentState.OPEN
        assert service.status(iid)["commitments"][-1]["state"] == "met_late"

    def test_a_manual_commitment_marked_met_after_its_due_time(
        self, service: WarRoom, clock: FrozenClock
    ) -> None:
        iid = open_p0(service)
        service.execute(c.MakeCommitment(incident_id=iid, text="Send the RCA",
                                         due_at=T0 + timedelta(hours=1)), "ic")
        service.execute(c.MakeCommitment(incident_id=iid, text="Call the CTO",
                                         due_at=T0 + timedelta(hours=1)), "ic")
        clock.advance(minutes=30)
        service.execute(c.ResolveCommitment(incident_id=iid, commitment_id="C2", outcome="met"),
                        "ic")
        clock.advance(hours=1)
        result = service.execute(c.ResolveCommitment(incident_id=iid, commitment_id="C1",
                                                     outcome="met"), "ic")
        assert result["state"] == "met_late"
        state = service.state(iid)
        assert state.commitments["C1"].state is CommitmentState.MET_LATE
        assert state.commitments["C2"].state is CommitmentState.MET


class TestFinalResolvedUpdate:
    def test_one_final_update_is_owed_and_meets_the_open_promise(
        self, service: WarRoom, clock: FrozenClock
    ) -> None:
        iid = open_p0(service)
        update(service, iid, minutes=20)
        clock.advance(minutes=10)
        service.execute(c.Resolve(incident_id=iid, summary="Rolled back"), "ic")
        running = next_clock(service, iid)
        assert running.state is ClockState.OK and running.due_at == T0 + timedelta(minutes=20)
        assert owed(service.state(iid), service.policy).final
        assert service.status(iid)["most_urgent"] == "next_update"
        clock.advance(minutes=5)
        final = update(service, iid, body="", template="customer-resolved")
        assert "resolved: Rolled back" in final["body"]
        assert after_posting(service.state(iid), service.policy, clock(), None) is None
        assert next_clock(service, iid).state is ClockState.NOT_APPLICABLE
        assert service.state(iid).commitments["C1"].state is CommitmentState.MET

    def test_the_final_update_falls_due_on_the_cadence(
        self, service: WarRoom, clock: FrozenClock
    ) -> None:
        iid = open_p0(service)
        update(service, iid)
        clock.advance(minutes=40)
        service.execute(c.Resolve(incident_id=iid, summary="Rolled back"), "ic")
        late = next_clock(service, iid)
        assert late.state is ClockState.BREACHED and late.due_at == T0 + timedelta(minutes=30)


class TestNoPromiseNoTime:
    def test_an_update_without_a_promised_time_claims_none(self, service: WarRoom) -> None:
        iid = open_p0(service)
        result = update(service, iid, body="", template="customer-p0-investigating")
        assert f"next update by {NO_PROMISE}" in result["body"]
        assert "commitment_id" not in result
        promised = update(service, iid, body="", template="customer-p0-investigating",
                          minutes=20)
        assert "next update by 10:20 UTC" in promised["body"]
