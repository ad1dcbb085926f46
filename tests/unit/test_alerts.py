"""Alerts open unowned escalations, repeats become notes, `take` gives an owner (service level,
real SQLite file, frozen clock)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import T0, FrozenClock
from warroom.domain.commands import Alert, Note, Take
from warroom.domain.errors import Refused, RightRequired
from warroom.domain.models import ClockName, ClockState, EventKind
from warroom.domain.sla import clocks
from warroom.service import WarRoom


def fired(key: str = "g1", **fields: object) -> Alert:
    values: dict[str, object] = {"hook": "alertmanager", "key": key, "status": "firing",
                                 "title": "Checkout 5xx", "customer": "Northwind Bank"}
    values.update(fields)
    return Alert(**values)  # type: ignore[arg-type]


def test_a_firing_alert_opens_an_untriaged_escalation_nobody_owns(
        service: WarRoom, clock: FrozenClock) -> None:
    result = service.execute(fired(started_at=T0 - timedelta(minutes=5)), "alertmanager")
    assert result["opened"] is True
    state = service.state(result["id"])
    assert state.roles.get("incident_commander") is None
    assert not state.triaged
    assert state.received_at == T0 - timedelta(minutes=5)
    assert state.alert_key == "alertmanager:g1"


def test_the_triage_clock_runs_from_when_the_alert_started(
        service: WarRoom, clock: FrozenClock) -> None:
    result = service.execute(fired(started_at=T0 - timedelta(minutes=14)), "alertmanager")
    state = service.state(result["id"])
    triage = clocks(state, service.policy, clock())[ClockName.TRIAGE]
    assert triage.due_at == T0 + timedelta(minutes=1)
    assert triage.state is ClockState.AT_RISK


def test_repeats_and_resolves_are_notes_on_the_same_escalation(
        service: WarRoom, clock: FrozenClock) -> None:
    first = service.execute(fired(), "alertmanager")["id"]
    clock.advance(minutes=1)
    again = service.execute(fired(details="2 alert(s) firing"), "alertmanager")
    clock.advance(minutes=1)
    resolved = service.execute(fired(status="resolved", at=clock()), "alertmanager")
    assert again["id"] == resolved["id"] == first
    assert again["opened"] is False and again["noted"] is True
    assert len(service.states()) == 1
    notes = [e for e in service.events(first) if e.kind is EventKind.NOTE]
    assert [n.payload["alert"]["status"] for n in notes] == ["firing", "resolved"]
    assert "all alerts resolved at 2026-11-24 10:02 UTC" in notes[1].payload["text"]
    assert service.state(first).resolved_at is None


def test_keys_are_namespaced_by_sender(service: WarRoom) -> None:
    a = service.execute(fired("k"), "alertmanager")["id"]
    b = service.execute(fired("k", hook="generic"), "ci")["id"]
    assert a != b


def test_a_resolve_for_an_unknown_key_writes_nothing(service: WarRoom) -> None:
    result = service.execute(fired("nope", status="resolved"), "alertmanager")
    assert result["id"] is None and "no open escalation" in result["ignored"]
    assert result["seqs"] == []
    assert service.states() == {}


def test_a_closed_escalation_no_longer_takes_its_keys_alerts(
        service: WarRoom, clock: FrozenClock) -> None:
    from warroom.domain.commands import Close, Resolve, Triage
    from warroom.domain.models import Severity

    first = service.execute(fired(), "alertmanager")["id"]
    service.execute(Take(incident_id=first), "dana")
    service.execute(Triage(incident_id=first, reason="minor", severity=Severity.P2), "dana")
    service.execute(Resolve(incident_id=first, summary="fixed"), "dana")
    service.execute(Close(incident_id=first), "dana")
    clock.advance(hours=1)
    second = service.execute(fired(), "alertmanager")
    assert second["opened"] is True and second["id"] != first


def test_take_makes_the_person_at_the_keyboard_commander(service: WarRoom) -> None:
    incident = service.execute(fired(), "alertmanager")["id"]
    service.execute(Take(incident_id=incident), "dana")
    assert service.state(incident).roles["incident_commander"] == "dana"
    taken = service.events(incident)[-1]
    assert taken.kind is EventKind.ROLE_ASSIGNED and taken.payload["taken"] is True
    with pytest.raises(Refused, match="owned by dana"):
        service.execute(Take(incident_id=incident), "lee")
    with pytest.raises(Refused, match="already yours"):
        service.execute(Take(incident_id=incident), "dana")


def test_nobody_holds_commander_rights_until_someone_takes_it(service: WarRoom) -> None:
    from warroom.domain.commands import Triage

    incident = service.execute(fired(), "alertmanager")["id"]
    with pytest.raises(RightRequired, match="vacant"):
        service.execute(Triage(incident_id=incident, reason="x"), "alertmanager")
    service.execute(Note(incident_id=incident, text="looking"), "lee")


def test_an_alert_that_starts_in_the_future_is_received_now(
        service: WarRoom, clock: FrozenClock) -> None:
    incident = service.execute(fired(started_at=T0 + timedelta(minutes=30)), "am")["id"]
    assert service.state(incident).received_at <= clock() + timedelta(minutes=1)


def test_a_sender_clock_ahead_of_ours_is_clamped_not_refused(
        service: WarRoom, clock: FrozenClock) -> None:
    incident = service.execute(fired(), "am")["id"]
    ahead = clock() + timedelta(minutes=10)
    result = service.execute(fired(status="resolved", at=ahead), "am")
    assert result["id"] == incident
    assert service.events(incident)[-1].occurred_at == clock()


def test_statuses_match_status_for_each_kept_escalation(service: WarRoom) -> None:
    kept = service.execute(fired("a"), "am")["id"]
    other = service.execute(fired("b", customer="Contoso"), "am")["id"]
    docs = service.statuses(lambda s: s.customer == "Northwind Bank")
    assert docs == [service.status(kept)]
    assert other not in {d["id"] for d in docs}
