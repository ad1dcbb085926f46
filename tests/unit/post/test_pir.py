"""PIR: the completeness gate, close blockers, the timeline, and the PIR/action commands."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.factories import T0, hours, minutes
from tests.unit.post.helpers import incident, post_policy, run
from warroom.domain.commands import parse_command
from warroom.domain.errors import InvalidInput, NotFound, Refused, RightRequired
from warroom.domain.models import EventKind, Phase
from warroom.domain.pir import (
    close_blockers,
    default_timeline_seqs,
    list_actions,
    pir_gaps,
    pir_required,
    timeline,
)
from warroom.domain.post_commands import (
    ActionAdd,
    ActionDone,
    ActionUpdate,
    PirComplete,
    PirEdit,
)
from warroom.domain.post_decide import decide_post

POLICY = post_policy()
WHYS = ["the API timed out", "the pool was exhausted", "a retry storm held connections"]


def complete_log(incident_id: str = "ESC-1"):  # type: ignore[no-untyped-def]
    log = incident(incident_id, resolved_after=hours(2))
    run(log, PirEdit(incident_id=incident_id, fields={"root_cause": "pool limit too low",
                                                       "whys": WHYS}), POLICY)
    run(log, ActionAdd(incident_id=incident_id, title="raise pool limit", owner="bo",
                       due_at=T0 + timedelta(days=7)), POLICY)
    return log


# -- the gate ------------------------------------------------------------------------------

def test_empty_pir_lists_every_gap() -> None:
    state = incident().state()
    assert pir_gaps(state) == [
        "a root cause",
        "at least three whys (has 0)",
        "at least one corrective action with an owner and a due date",
    ]


def test_two_whys_and_blank_ones_are_not_enough() -> None:
    log = incident()
    run(log, PirEdit(incident_id="ESC-1", fields={
        "root_cause": "x", "whys": ["one", "  ", "two"]}), POLICY)
    assert pir_gaps(log.state())[0] == "at least three whys (has 2)"


@pytest.mark.parametrize(("owner", "due"), [(None, True), ("bo", False), (None, False)])
def test_an_action_needs_owner_and_due_date(owner: str | None, due: bool) -> None:
    log = incident()
    run(log, PirEdit(incident_id="ESC-1", fields={"root_cause": "x", "whys": WHYS}), POLICY)
    run(log, ActionAdd(incident_id="ESC-1", title="fix", owner=owner,
                       due_at=T0 + hours(24) if due else None), POLICY)
    assert pir_gaps(log.state()) == [
        "at least one corrective action with an owner and a due date"]


def test_complete_pir_has_no_gaps_even_when_the_action_is_done() -> None:
    log = complete_log()
    assert pir_gaps(log.state()) == []
    run(log, ActionDone(incident_id="ESC-1", action_id="A1"), POLICY)
    assert pir_gaps(log.state()) == []


def test_close_blockers_only_for_severities_with_a_pir_target() -> None:
    p2 = incident(severity="P2", resolved_after=hours(1)).state()
    assert not pir_required(p2, POLICY)
    assert close_blockers(p2, POLICY) == []
    p0 = incident(severity="P0", resolved_after=hours(1)).state()
    assert pir_required(p0, POLICY)
    assert close_blockers(p0, POLICY) == [
        "PIR needs a root cause",
        "PIR needs at least three whys (has 0)",
        "PIR needs at least one corrective action with an owner and a due date",
    ]
    assert close_blockers(complete_log().state(), POLICY) == []


def test_close_is_refused_through_the_lead_decider_until_complete() -> None:
    from warroom.domain.commands import Close
    from warroom.domain.decide import decide

    log = incident(resolved_after=hours(1))
    policy = post_policy()
    now = T0 + hours(2)
    with pytest.raises(Refused, match="PIR needs a root cause"):
        decide(Close(incident_id="ESC-1"), {"ESC-1": log.state()}, policy, "ana", now,
               close_checks=[close_blockers])
    decide(Close(incident_id="ESC-1"), {"ESC-1": log.state()}, policy, "ana", now)  # no gate
    done = complete_log()
    decision = decide(Close(incident_id="ESC-1"), {"ESC-1": done.state()}, policy, "ana", now,
                      close_checks=[close_blockers])
    assert [e.kind for e in decision.events] == [EventKind.CLOSED]


# -- PIR edits -----------------------------------------------------------------------------

def test_edit_sets_appends_and_removes() -> None:
    log = incident()
    result = run(log, PirEdit(incident_id="ESC-1", fields={
        "summary": "  Checkout failed  ", "whys": "first"}), POLICY)
    assert result == {"id": "ESC-1", "fields": ["summary", "whys"]}
    run(log, PirEdit(incident_id="ESC-1", append={"whys": ["second", "third"]}), POLICY)
    run(log, PirEdit(incident_id="ESC-1", remove={"whys": [2]}), POLICY)
    pir = log.state().pir
    assert pir["summary"] == "Checkout failed"
    assert pir["whys"] == ["first", "third"]
    assert log.events[-1].kind is EventKind.PIR_UPDATED
    assert log.events[-1].payload == {"fields": {"whys": ["first", "third"]}}


@pytest.mark.parametrize(("edit", "field", "problem"), [
    ({"fields": {"owner": "x"}}, "fields.owner", 'unknown field "owner" (known: summary, '),
    ({"fields": {"root_cause": ["x"]}}, "fields.root_cause", "must be a valid string"),
    ({"fields": {"whys": [1, 2]}}, "fields.whys[0]", "must be a valid string (got 1)"),
    ({"fields": {"timeline": ["a"]}}, "fields.timeline[0]", "must be a valid integer"),
    ({"fields": {"timeline_include": [0]}}, "fields.timeline_include[0]",
     "must be greater than 0"),
    ({"append": {"summary": ["x"]}}, "append.summary", "bad key: must be 'whys', "
     "'contributing_factors' or 'went_well' (got 'summary')"),
    ({"remove": {"whys": [0]}}, "remove.whys[0]", "must be greater than 0"),
    ({"fields": {"summary": "x" * 20_001}}, "fields.summary", "must have at most 20000 "
     "characters"),
])
def test_bad_edits_are_refused_by_the_model_naming_the_field(
        edit: dict[str, Any], field: str, problem: str) -> None:
    with pytest.raises(InvalidInput) as info:
        PirEdit(incident_id="ESC-1", **edit)
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: {problem}")


@pytest.mark.parametrize(("command", "field"), [
    (PirEdit(incident_id="ESC-1", remove={"whys": [1]}), "remove.whys"),
    (PirEdit(incident_id="ESC-1"), "fields"),
])
def test_edits_the_state_refuses_name_the_field(command: PirEdit, field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        run(incident(), command, POLICY)
    assert info.value.field == field


def test_edit_needs_the_edit_pir_right() -> None:
    log = incident()
    with pytest.raises(RightRequired, match="edit_pir"):
        run(log, PirEdit(incident_id="ESC-1", fields={"summary": "x"}), POLICY, actor="zed")
    log.assign(T0, "scribe", "zed")
    run(log, PirEdit(incident_id="ESC-1", fields={"summary": "x"}), POLICY, actor="zed")


def test_edit_at_in_the_future_or_before_receipt_is_invalid() -> None:
    log = incident()
    for at in (T0 + hours(1), T0 - minutes(1)):
        with pytest.raises(InvalidInput) as info:
            decide_post(PirEdit(incident_id="ESC-1", at=at, fields={"summary": "x"}),
                        log.state(), POLICY, "ana", T0)
        assert info.value.field == "at"


def test_complete_refused_with_gaps_then_recorded() -> None:
    log = incident()
    with pytest.raises(Refused, match="not resolved"):
        run(log, PirComplete(incident_id="ESC-1"), POLICY)
    log.resolve(T0 + hours(1))
    with pytest.raises(Refused, match="incomplete: needs a root cause; at least three whys"):
        run(log, PirComplete(incident_id="ESC-1"), POLICY)
    log = complete_log()
    result = run(log, PirComplete(incident_id="ESC-1"), POLICY, now=T0 + hours(5))
    assert result == {"id": "ESC-1", "completed": True}
    assert log.state().pir_completed_at == T0 + hours(5)
    with pytest.raises(Refused, match="already completed"):
        run(log, PirComplete(incident_id="ESC-1"), POLICY)


def test_a_completed_pir_cannot_be_edited_back_into_gaps() -> None:
    log = complete_log()
    run(log, PirComplete(incident_id="ESC-1"), POLICY)
    with pytest.raises(Refused, match="would leave it without at least three whys"):
        run(log, PirEdit(incident_id="ESC-1", remove={"whys": [1]}), POLICY)
    run(log, PirEdit(incident_id="ESC-1", append={"whys": ["a fourth"]}), POLICY)
    assert len(log.state().pir["whys"]) == 4


# -- timeline ------------------------------------------------------------------------------

def _timeline_log():  # type: ignore[no-untyped-def]
    log = incident()                                                  # 1 opened, 2 triaged
    log.note(T0 + minutes(1))                                         # 3
    log.update(T0 + minutes(5), body="We are looking into it.")       # 4 customer
    log.update(T0 + minutes(6), audience="internal")                  # 5 internal
    log.decide(T0 + minutes(7), text="fail over")                     # 6
    log.phase(T0 + minutes(8), Phase.IDENTIFIED)                      # 7
    log.resolve(T0 + minutes(30), summary="failed over")              # 8
    return log


def test_default_timeline_is_customer_updates_decisions_changes_and_milestones() -> None:
    log = _timeline_log()
    assert default_timeline_seqs(log.events) == [1, 2, 4, 6, 7, 8]
    texts = [t.text for t in timeline(log.state(), log.events)]
    assert texts == ["Escalation opened: Checkout down — Northwind", "Triaged: P1: matrix",
                     "Update: [customer] We are looking into it.",
                     "Decision: [set_severity] fail over", "Phase: identified",
                     "Resolved: failed over"]


def test_timeline_include_exclude_and_explicit_list() -> None:
    log = _timeline_log()
    run(log, PirEdit(incident_id="ESC-1", timeline_include=[3], timeline_exclude=[2]), POLICY)
    assert [t.seq for t in timeline(log.state(), log.events)] == [1, 3, 4, 6, 7, 8]
    run(log, PirEdit(incident_id="ESC-1", timeline_include=[2]), POLICY)
    assert [t.seq for t in timeline(log.state(), log.events)] == [1, 2, 3, 4, 6, 7, 8]
    run(log, PirEdit(incident_id="ESC-1", fields={"timeline": [8, 4]}), POLICY)
    assert [t.seq for t in timeline(log.state(), log.events)] == [4, 8]
    run(log, PirEdit(incident_id="ESC-1", fields={"timeline": None}), POLICY)
    assert [t.seq for t in timeline(log.state(), log.events)] == [1, 2, 4, 6, 7, 8]
    with pytest.raises(NotFound, match="event 99"):
        run(log, PirEdit(incident_id="ESC-1", timeline_include=[99]), POLICY)


# -- corrective actions --------------------------------------------------------------------

def test_actions_get_ids_and_fold_through_the_reducer() -> None:
    log = incident(resolved_after=hours(1))
    assert run(log, ActionAdd(incident_id="ESC-1", title="add alert", owner="bo",
                              due_at=T0 + hours(48)), POLICY)["action_id"] == "A1"
    assert run(log, ActionAdd(incident_id="ESC-1", title="runbook"), POLICY)["action_id"] == "A2"
    run(log, ActionUpdate(incident_id="ESC-1", action_id="A2", status="in_progress",
                          owner="cy"), POLICY)
    action = log.state().actions["A2"]
    assert (action["status"], action["owner"], action["title"]) == ("in_progress", "cy", "runbook")
    result = run(log, ActionUpdate(incident_id="ESC-1", action_id="a1", status="done"), POLICY,
                 now=T0 + hours(3))
    assert result["status"] == "done"
    assert log.events[-1].kind is EventKind.ACTION_COMPLETED
    assert log.state().actions["A1"]["completed_at"] == (T0 + hours(3)).isoformat()
    with pytest.raises(Refused, match="already done"):
        run(log, ActionDone(incident_id="ESC-1", action_id="A1"), POLICY)
    with pytest.raises(NotFound, match="A9"):
        run(log, ActionDone(incident_id="ESC-1", action_id="A9"), POLICY)
    run(log, ActionUpdate(incident_id="ESC-1", action_id="A1", status="open"), POLICY)
    assert log.state().actions["A1"]["status"] == "open"
    assert log.state().actions["A1"]["completed_at"] is None


def test_actions_are_accepted_after_close() -> None:
    log = complete_log()
    log.close(T0 + hours(3))
    run(log, ActionDone(incident_id="ESC-1", action_id="A1"), POLICY)
    assert log.state().actions["A1"]["status"] == "done"


def test_list_actions_overdue_first_then_by_due_then_done() -> None:
    now = T0 + timedelta(days=10)
    one = incident("ESC-1")
    run(one, ActionAdd(incident_id="ESC-1", title="late", owner="a",
                       due_at=T0 + timedelta(days=9)), POLICY)
    run(one, ActionAdd(incident_id="ESC-1", title="later", owner="a",
                       due_at=T0 + timedelta(days=20)), POLICY)
    two = incident("ESC-2")
    run(two, ActionAdd(incident_id="ESC-2", title="very late", owner="b",
                       due_at=T0 + timedelta(days=2)), POLICY)
    run(two, ActionAdd(incident_id="ESC-2", title="undated"), POLICY)
    run(two, ActionAdd(incident_id="ESC-2", title="finished", owner="b",
                       due_at=T0 + timedelta(days=1)), POLICY)
    run(two, ActionDone(incident_id="ESC-2", action_id="A3"), POLICY)
    rows = list_actions([one.state(), two.state()], now)
    assert [(r["incident_id"], r["id"]) for r in rows] == [
        ("ESC-2", "A1"), ("ESC-1", "A1"), ("ESC-1", "A2"), ("ESC-2", "A2"), ("ESC-2", "A3")]
    assert [r["overdue"] for r in rows] == [True, True, False, False, False]
    assert rows[0]["age_seconds"] == timedelta(days=10).total_seconds()
    assert len(list_actions([one.state(), two.state()], now, open_only=True)) == 4


def test_commands_parse_from_json_with_extra_fields_forbidden() -> None:
    cmd = parse_command(
        {"type": "action_add", "incident_id": "ESC-1", "title": "t", "owner": "o",
         "due_at": "2026-12-01T00:00:00Z"})
    assert isinstance(cmd, ActionAdd)
    with pytest.raises(InvalidInput, match="bogus: unknown field"):
        parse_command({"type": "pir_complete", "incident_id": "E", "bogus": 1})
