"""Commands through the service over a real SQLite file: rules, rights, invariants, idempotency."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import T0, FrozenClock
from warroom.domain import commands as c
from warroom.domain.errors import InvalidInput, NotFound, Refused, RightRequired
from warroom.domain.models import CommitmentState, EventKind, Phase, Severity
from warroom.service import WarRoom


def open_p0(service: WarRoom, actor: str = "ic") -> str:
    result = service.execute(
        c.Open(title="Checkout down", customer="Acme", severity=Severity.P0), actor
    )
    return str(result["id"])


class TestOpen:
    def test_ids_are_sequential_and_opener_commands(self, service: WarRoom) -> None:
        first = service.execute(c.Open(title="a", customer="Acme"), "dana")
        second = service.execute(c.Open(title="b", customer="Acme"), "lee")
        assert (first["id"], second["id"]) == ("ESC-1", "ESC-2")
        assert service.state("ESC-2").roles == {"incident_commander": "lee"}

    def test_untriaged_without_severity_but_suggestion_reported(self, service: WarRoom) -> None:
        result = service.execute(
            c.Open(title="a", customer="Acme", impact="outage", affected=12), "dana"
        )
        state = service.state(result["id"])
        assert not state.triaged and state.phase is Phase.TRIAGE
        assert result["suggested_severity"] == "P0"

    def test_severity_at_intake_triages(self, service: WarRoom, clock: FrozenClock) -> None:
        incident = open_p0(service)
        state = service.state(incident)
        assert state.triaged and state.triaged_at == clock.now
        assert state.phase is Phase.INVESTIGATING


class TestRights:
    def test_refusal_names_right_and_holders(self, service: WarRoom) -> None:
        incident = open_p0(service, "dana")
        with pytest.raises(RightRequired) as err:
            service.execute(c.Resolve(incident_id=incident, summary="fixed"), "mallory")
        message = str(err.value)
        assert "resolve" in message and "incident_commander (dana)" in message
        assert service.state(incident).resolved_at is None

    def test_customer_update_needs_spoc_or_comms(self, service: WarRoom) -> None:
        incident = open_p0(service, "dana")
        update = c.PostUpdate(incident_id=incident, audience="customer", body="Looking into it")
        with pytest.raises(RightRequired, match="post_customer_update"):
            service.execute(update, "sam")
        service.execute(c.Assign(incident_id=incident, role="customer_spoc", person="sam"), "dana")
        service.execute(update, "sam")
        assert service.state(incident).first_customer_update_at is not None

    def test_anyone_may_add_a_note(self, service: WarRoom) -> None:
        incident = open_p0(service)
        service.execute(c.Note(incident_id=incident, text="db failover started"), "visitor")
        assert service.events(incident)[-1].kind is EventKind.NOTE

    def test_unknown_role_is_bad_input(self, service: WarRoom) -> None:
        incident = open_p0(service)
        with pytest.raises(InvalidInput, match="unknown role 'captain'"):
            service.execute(c.Assign(incident_id=incident, role="captain", person="x"), "ic")


class TestTriage:
    def test_matrix_decides_when_severity_omitted(self, service: WarRoom) -> None:
        incident = service.execute(c.Open(title="slow", customer="Acme"), "ic")["id"]
        result = service.execute(
            c.Triage(incident_id=incident, impact="degraded", affected=3, strategic=True,
                     reason="EU latency"), "ic")
        assert result["severity"] == "P1"
        state = service.state(incident)
        assert state.severity is Severity.P1 and state.assessment.strategic

    def test_triage_twice_is_refused(self, service: WarRoom) -> None:
        incident = open_p0(service)
        with pytest.raises(Refused, match="already triaged"):
            service.execute(c.Triage(incident_id=incident, reason="again"), "ic")


class TestUpdatesAndCommitments:
    def test_promised_next_update_becomes_commitment_met_by_next_update(
        self, service: WarRoom, clock: FrozenClock
    ) -> None:
        incident = open_p0(service)
        promised = clock.now + timedelta(minutes=20)
        result = service.execute(
            c.PostUpdate(incident_id=incident, audience="customer", body="Investigating",
                         next_update_at=promised), "ic")
        promise = service.state(incident).commitments[result["commitment_id"]]
        assert promise.owner == "ic" and promise.due_at == promised
        assert promise.source == "update" and promise.state is CommitmentState.OPEN
        clock.advance(minutes=10)
        service.execute(c.PostUpdate(incident_id=incident, audience="customer", body="Fix found"),
                        "ic")
        assert service.state(incident).commitments["C1"].state is CommitmentState.MET

    def test_late_next_update_keeps_the_promise_late(
        self, service: WarRoom, clock: FrozenClock
    ) -> None:
        incident = open_p0(service)
        service.execute(
            c.PostUpdate(incident_id=incident, audience="customer", body="Investigating",
                         next_update_at=clock.now + timedelta(minutes=5)), "ic")
        clock.advance(minutes=6)
        service.execute(c.PostUpdate(incident_id=incident, audience="customer", body="Still"), "ic")
        assert service.state(incident).commitments["C1"].state is CommitmentState.MET_LATE

    def test_internal_update_does_not_meet_customer_promise(
        self, service: WarRoom, clock: FrozenClock
    ) -> None:
        incident = open_p0(service)
        service.execute(
            c.PostUpdate(incident_id=incident, audience="customer", body="Investigating",
                         next_update_at=clock.now + timedelta(minutes=30)), "ic")
        service.execute(c.PostUpdate(incident_id=incident, audience="internal", body="x"), "ic")
        assert service.state(incident).commitments["C1"].is_open

    def test_template_renders_from_state(self, service: WarRoom) -> None:
        incident = open_p0(service)
        template = next(t for t in service.policy.templates if t.audience == "customer")
        result = service.execute(
            c.PostUpdate(incident_id=incident, audience="customer", template=template.name),
            "ic")
        assert "{" not in result["body"] and result["body"]

    def test_renegotiate_keeps_it_binding_with_new_due(
        self, service: WarRoom, clock: FrozenClock
    ) -> None:
        incident = open_p0(service)
        service.execute(c.MakeCommitment(incident_id=incident, text="RCA draft",
                                         due_at=clock.now + timedelta(hours=2)), "ic")
        new_due = clock.now + timedelta(hours=6)
        service.execute(c.ResolveCommitment(incident_id=incident, commitment_id="C1",
                                            outcome="renegotiate", due_at=new_due,
                                            reason="customer agreed on call"), "ic")
        promise = service.state(incident).commitments["C1"]
        assert promise.state is CommitmentState.RENEGOTIATED and promise.due_at == new_due
        assert promise.history[0]["reason"] == "customer agreed on call"

    def test_unknown_commitment(self, service: WarRoom) -> None:
        incident = open_p0(service)
        with pytest.raises(NotFound, match="C9"):
            service.execute(c.ResolveCommitment(incident_id=incident, commitment_id="C9",
                                                outcome="met"), "ic")


class TestLifecycle:
    def test_close_refused_with_open_commitment_then_allowed(
        self, service: WarRoom, clock: FrozenClock
    ) -> None:
        incident = service.execute(
            c.Open(title="x", customer="Acme", severity=Severity.P2), "ic")["id"]
        service.execute(c.MakeCommitment(incident_id=incident, text="call back",
                                         due_at=clock.now + timedelta(hours=1)), "ic")
        with pytest.raises(Refused, match="not resolved"):
            service.execute(c.Close(incident_id=incident), "ic")
        service.execute(c.Resolve(incident_id=incident, summary="config rolled back"), "ic")
        with pytest.raises(Refused, match=r"open commitments \(C1\)"):
            service.execute(c.Close(incident_id=incident), "ic")
        service.execute(c.ResolveCommitment(incident_id=incident, commitment_id="C1",
                                            outcome="met"), "ic")
        service.execute(c.Close(incident_id=incident), "ic")
        assert service.state(incident).phase is Phase.CLOSED
        with pytest.raises(Refused, match="closed"):
            service.execute(c.Note(incident_id=incident, text="late"), "ic")

    def test_pause_resume_rules(self, service: WarRoom, clock: FrozenClock) -> None:
        incident = open_p0(service)
        with pytest.raises(Refused, match="not paused"):
            service.execute(c.Resume(incident_id=incident), "ic")
        service.execute(c.Pause(incident_id=incident, reason="waiting on logs"), "ic")
        with pytest.raises(Refused, match="already paused"):
            service.execute(c.Pause(incident_id=incident, reason="again"), "ic")
        clock.advance(minutes=30)
        service.execute(c.Resume(incident_id=incident), "ic")
        pause = service.state(incident).pauses[0]
        assert pause.end is not None and pause.end - pause.start == timedelta(minutes=30)

    def test_future_at_is_rejected(self, service: WarRoom, clock: FrozenClock) -> None:
        incident = open_p0(service)
        with pytest.raises(InvalidInput, match="future"):
            service.execute(c.Note(incident_id=incident, text="x",
                                   at=clock.now + timedelta(hours=1)), "ic")

    def test_milestone_edit_is_audited(self, service: WarRoom, clock: FrozenClock) -> None:
        incident = open_p0(service)
        earlier = T0 - timedelta(minutes=7)
        service.execute(c.EditMilestone(incident_id=incident, milestone="received",
                                        new_time=earlier, reason="alert fired at 09:53"), "ic")
        assert service.state(incident).received_at == earlier
        event = service.events(incident)[-1]
        assert event.kind is EventKind.MILESTONE_EDITED and event.actor == "ic"
        assert event.payload["previous"] == T0.isoformat()


class TestLog:
    def test_idempotent_command_written_once(self, service: WarRoom) -> None:
        incident = open_p0(service)
        note = c.Note(incident_id=incident, text="once")
        first = service.execute(note, "ic", idempotency_key="k-1")
        again = service.execute(note, "ic", idempotency_key="k-1")
        assert again["duplicate"] and again["seqs"] == first["seqs"]
        assert [e.payload.get("text") for e in service.events(incident)].count("once") == 1

    def test_as_of_sees_only_the_past(self, service: WarRoom, clock: FrozenClock) -> None:
        incident = open_p0(service)
        clock.advance(minutes=10)
        service.execute(c.Resolve(incident_id=incident, summary="done"), "ic")
        past = service.state(incident, as_of=T0 + timedelta(minutes=5))
        assert past.resolved_at is None
        assert service.status(incident, as_of=T0 + timedelta(minutes=5))["phase"] == "investigating"

    def test_unknown_incident(self, service: WarRoom) -> None:
        with pytest.raises(NotFound):
            service.execute(c.Note(incident_id="ESC-99", text="x"), "ic")
