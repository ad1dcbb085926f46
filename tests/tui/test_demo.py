"""The demo escalation: realistic, live clocks, seeded through the service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import FrozenClock
from tests.tui.conftest import NOW
from warroom.demo import seed
from warroom.domain.models import ClockName, ClockState, EventKind, Severity
from warroom.domain.sla import clocks
from warroom.service import WarRoom
from warroom.store.sqlite import SqliteStore
from warroom.tui.view import commitment_overdue


def test_demo_is_a_live_p0_at_a_strategic_customer(tmp_path: Path, policy: Any) -> None:
    store = SqliteStore(tmp_path / "demo.db")
    service = WarRoom(store, policy, FrozenClock(NOW))
    iid = seed(service, NOW)
    state = service.state(iid)
    assert state.severity is Severity.P0 and state.triaged
    assert state.assessment.strategic and policy.customers[state.customer].strategic
    assert state.event_count >= 30
    assert set(policy.roles) <= set(state.roles)
    overdue = [c for c in state.open_commitments() if commitment_overdue(c, NOW)]
    assert len(overdue) == 1
    evaluated = clocks(state, policy, NOW)
    assert evaluated[ClockName.RESOLVE].state is ClockState.AT_RISK
    assert evaluated[ClockName.NEXT_UPDATE].state is ClockState.OK
    kinds = {e.kind for e in store.read(0)}
    assert {EventKind.UPDATE_POSTED, EventKind.DECISION_RECORDED, EventKind.NOTE,
            EventKind.CLOCK_PAUSED, EventKind.PHASE_CHANGED} <= kinds
    assert all(e.occurred_at <= NOW for e in store.read(0))
    store.close()


def test_demo_appends_beside_existing_escalations(tmp_path: Path, policy: Any) -> None:
    store = SqliteStore(tmp_path / "demo.db")
    service = WarRoom(store, policy, FrozenClock(NOW))
    first = seed(service, NOW)
    second = seed(service, NOW)
    assert (first, second) == ("ESC-1", "ESC-2")
    assert [e.seq for e in store.read(0)] == list(range(1, store.last_seq() + 1))
    store.close()


def test_every_step_of_the_demo_is_a_valid_command() -> None:
    from warroom.demo import opening, script
    from warroom.domain.commands import parse_command

    steps = [opening(NOW), *(step for _, _, step in script("ESC-1", NOW))]
    for step in steps:
        command = parse_command(step.data())
        assert command.type == step.type
        assert {k: getattr(command, k) for k in step.data()} == step.data()
