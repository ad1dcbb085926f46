"""Decide: check a command against state and decision rights, and turn it into events.

Pure. `decide(command, states, policy, actor, now)` returns the events to append and the result
to report (e.g. the new escalation id); it raises a `CommandError` and writes nothing otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from warroom.domain.alerts import decide_alert, decide_take
from warroom.domain.errors import InvalidInput, NotFound, Refused
from warroom.domain.models import (
    Audience,
    Event,
    EventKind,
    ImpactAssessment,
    IncidentState,
    Milestone,
    Phase,
)
from warroom.domain.next_update import promise_text
from warroom.domain.policy import Policy
from warroom.domain.rights import FUTURE_TOLERANCE, require_right
from warroom.domain.structs import dump, replace
from warroom.domain.templates import context_for, render
from warroom.domain.triage import suggest

if TYPE_CHECKING:  # the models are pydantic: kept off the console's start-up
    from warroom.domain import commands as c

OPEN_PHASES = (Phase.INVESTIGATING, Phase.IDENTIFIED, Phase.MONITORING)
_ID_NUMBER = re.compile(r"^ESC-(\d+)$")

CloseCheck = Callable[[IncidentState, Policy], list[str]]
"""A rule that can block closing: the reasons it blocks (empty: it does not)."""


class Decision:
    """What a command produced: events (seq 0) and a JSON-ready result."""

    def __init__(self, events: list[Event], result: dict[str, Any]) -> None:
        self.events = events
        self.result = result


def next_incident_id(states: Mapping[str, IncidentState]) -> str:
    """`ESC-n` one past the highest number in use."""
    numbers = [int(m.group(1)) for key in states if (m := _ID_NUMBER.match(key))]
    return f"ESC-{max(numbers, default=0) + 1}"


def decide(
    command: c.CoreCommand,
    states: Mapping[str, IncidentState],
    policy: Policy,
    actor: str,
    now: datetime,
    *,
    close_checks: Sequence[CloseCheck] = (),
) -> Decision:
    """Validate `command` and produce its events.

    Args:
        command: the command (any verb).
        states: every escalation's current state, by id.
        policy: roles, rights, targets, templates.
        actor: who is acting (from `--as`, the console user or the API token).
        now: the store's clock.
        close_checks: rules that can block closing besides open commitments (the service
            passes the PIR gate); each returns the reasons it blocks, empty when it does not.
    """
    if command.type == "alert":  # a sender's clock may run ahead: decide_alert clamps
        events, result = decide_alert(command, states, policy, actor, now,
                                      next_incident_id(states))
        return Decision(events, result)
    at = command.at or now
    if at > now + FUTURE_TOLERANCE:
        raise InvalidInput("at", f"{at.isoformat()} is in the future")
    if command.type == "open":
        return _open(command, states, policy, actor, at, now)
    state = states.get(command.incident_id)
    if state is None:
        raise NotFound(f"unknown escalation {command.incident_id!r}")
    if state.closed_at is not None:
        raise Refused(f"{state.id} is closed")
    if at < state.received_at and command.type != "edit_milestone":
        raise InvalidInput("at", f"{at.isoformat()} is before {state.id} was received")
    ctx = _Ctx(state, policy, actor, at, now, close_checks)
    handler = _HANDLERS.get(command.type)
    if handler is None:  # pragma: no cover - every command type is registered
        raise InvalidInput("type", f"unsupported command {command.type!r}")
    return handler(ctx, command)


class _Ctx:
    """One command's surroundings, with an event factory."""

    def __init__(
        self, state: IncidentState, policy: Policy, actor: str, at: datetime, now: datetime,
        close_checks: Sequence[CloseCheck],
    ) -> None:
        self.state = state
        self.close_checks = close_checks
        self.policy = policy
        self.actor = actor
        self.at = at
        self.now = now
        self.events: list[Event] = []

    def require(self, right: str) -> None:
        require_right(self.state, self.policy, self.actor, right)

    def emit(self, kind: EventKind, **payload: Any) -> None:
        self.events.append(
            Event(
                incident_id=self.state.id,
                kind=kind,
                actor=self.actor,
                occurred_at=self.at,
                recorded_at=self.now,
                payload=payload,
            )
        )

    def done(self, **result: Any) -> Decision:
        return Decision(self.events, {"id": self.state.id, **result})

    def require_open(self, verb: str) -> None:
        if self.state.resolved_at is not None:
            raise Refused(f"{self.state.id} is resolved; cannot {verb}")


def _assessment(base: ImpactAssessment, cmd: c.Open | c.Triage) -> ImpactAssessment:
    changes = {
        "impact": cmd.impact,
        "affected": cmd.affected,
        "strategic": cmd.strategic,
        "data_loss": cmd.data_loss,
        "business_risk": cmd.business_risk,
    }
    return replace(base, **{k: v for k, v in changes.items() if v is not None})


def _open(
    cmd: c.Open,
    states: Mapping[str, IncidentState],
    policy: Policy,
    actor: str,
    at: datetime,
    now: datetime,
) -> Decision:
    incident_id = next_incident_id(states)
    customer = policy.customers.get(cmd.customer)
    base = ImpactAssessment(strategic=bool(customer and customer.strategic))
    assessment = _assessment(base, cmd)
    payload: dict[str, Any] = {
        "title": cmd.title,
        "customer": cmd.customer,
        "assessment": dump(assessment),
    }
    tags = {k: v for k, v in (("component", cmd.component), ("category", cmd.category)) if v}
    if tags:
        payload["tags"] = tags
    opened = Event(
        incident_id=incident_id,
        kind=EventKind.OPENED,
        actor=actor,
        occurred_at=at,
        recorded_at=now,
        payload=payload,
    )
    events = [opened]
    suggested, rule = suggest(assessment, policy.triage_rules)
    result: dict[str, Any] = {
        "id": incident_id,
        "suggested_severity": suggested.value,
        "rule": rule.name,
        "triaged": cmd.severity is not None,
    }
    if cmd.severity is not None:
        events.append(
            replace(opened, kind=EventKind.TRIAGED, payload={
                "severity": cmd.severity.value,
                "assessment": payload["assessment"],
                "reason": "severity set at intake",
                "rule": rule.name,
                "suggested": suggested.value,
            })
        )
    return Decision(events, result)


def _triage(ctx: _Ctx, cmd: c.Triage) -> Decision:
    ctx.require("set_severity")
    ctx.require_open("triage")
    if ctx.state.triaged:
        raise Refused(f"{ctx.state.id} is already triaged; change severity instead")
    assessment = _assessment(ctx.state.assessment, cmd)
    suggested, rule = suggest(assessment, ctx.policy.triage_rules)
    severity = cmd.severity or suggested
    ctx.emit(
        EventKind.TRIAGED,
        severity=severity.value,
        assessment=dump(assessment),
        reason=cmd.reason,
        rule=rule.name,
        suggested=suggested.value,
    )
    return ctx.done(severity=severity.value, suggested_severity=suggested.value, rule=rule.name)


def _severity(ctx: _Ctx, cmd: c.ChangeSeverity) -> Decision:
    ctx.require("set_severity")
    ctx.require_open("change severity")
    if not ctx.state.triaged:
        raise Refused(f"{ctx.state.id} is not triaged yet; triage it first")
    if cmd.severity is ctx.state.severity:
        raise Refused(f"{ctx.state.id} is already {cmd.severity}")
    ctx.emit(EventKind.SEVERITY_CHANGED, severity=cmd.severity.value,
             previous=ctx.state.severity.value, reason=cmd.reason)
    return ctx.done(severity=cmd.severity.value)


def _assign(ctx: _Ctx, cmd: c.Assign) -> Decision:
    ctx.require("assign_roles")
    if cmd.role not in ctx.policy.roles:
        known = ", ".join(ctx.policy.roles)
        raise InvalidInput("role", f"unknown role {cmd.role!r} (known: {known})")
    person = cmd.person.strip()
    if not person and cmd.role == "incident_commander":
        raise Refused("the incident_commander role cannot be vacated; hand it to someone")
    ctx.emit(EventKind.ROLE_ASSIGNED, role=cmd.role, person=person,
             previous=ctx.state.roles.get(cmd.role))
    return ctx.done(role=cmd.role, person=person)


def _take(ctx: _Ctx, cmd: c.Take) -> Decision:
    ctx.require_open("take it")
    ctx.events.append(decide_take(ctx.state, ctx.actor, ctx.at, ctx.now))
    return ctx.done(role="incident_commander", person=ctx.actor)


def _note(ctx: _Ctx, cmd: c.Note) -> Decision:
    ctx.require("add_note")
    ctx.emit(EventKind.NOTE, text=cmd.text)
    return ctx.done()


_UPDATE_RIGHTS = {
    Audience.CUSTOMER: "post_customer_update",
    Audience.EXECUTIVE: "post_executive_update",
    Audience.INTERNAL: "post_internal_update",
}


def _update(ctx: _Ctx, cmd: c.PostUpdate) -> Decision:
    state, policy = ctx.state, ctx.policy
    ctx.require(_UPDATE_RIGHTS[cmd.audience])
    phase = cmd.phase or state.phase
    if phase is Phase.CLOSED:
        raise InvalidInput("phase", "an update cannot be in phase 'closed'")
    if cmd.next_update_at is not None and cmd.next_update_at <= ctx.at:
        raise InvalidInput("next_update", "the promised next update must be after this update")
    if cmd.body and cmd.body.strip():
        body = cmd.body.strip()
    elif cmd.template:
        body = render(_template(policy, cmd).body,
                      context_for(state, policy, ctx.at, cmd.next_update_at, cmd.audience))
    else:
        raise InvalidInput("body", "give a body or a template")
    payload: dict[str, Any] = {"audience": cmd.audience.value, "phase": phase.value, "body": body}
    backdated = ctx.now - ctx.at
    if cmd.audience is Audience.CUSTOMER and backdated > policy.backdate_limit:
        ctx.require("edit_milestone")  # it moves the SLA clocks: as a milestone edit would
        payload["backdated_s"] = int(backdated.total_seconds())
    if cmd.template:
        payload["template"] = cmd.template
    if cmd.next_update_at is not None:
        payload["next_update_at"] = cmd.next_update_at.isoformat()
    ctx.emit(EventKind.UPDATE_POSTED, **payload)
    result: dict[str, Any] = {"body": body}
    if cmd.audience is Audience.CUSTOMER:
        for promise in state.open_commitments():
            if promise.source == "update":  # kept: on time is `met`, after its due `met_late`
                ctx.emit(EventKind.COMMITMENT_MET, commitment_id=promise.id, by_update=True,
                         **_late(ctx, promise.due_at))
        if cmd.next_update_at is not None:
            cid = _next_commitment_id(state)
            ctx.emit(EventKind.COMMITMENT_MADE, commitment_id=cid, owner=ctx.actor,
                     text=promise_text(cmd.next_update_at),
                     due_at=cmd.next_update_at.isoformat(), source="update")
            result["commitment_id"] = cid
    return ctx.done(**result)


def _template(policy: Policy, cmd: c.PostUpdate) -> Any:
    for template in policy.templates:
        if template.name == cmd.template:
            if template.audience is not cmd.audience:
                raise InvalidInput(
                    "template", f"{cmd.template!r} is for the {template.audience} audience"
                )
            return template
    raise InvalidInput("template", f"unknown template {cmd.template!r}")


def _next_commitment_id(state: IncidentState) -> str:
    return f"C{len(state.commitments) + 1}"


def _commit(ctx: _Ctx, cmd: c.MakeCommitment) -> Decision:
    ctx.require("make_commitment")
    if cmd.due_at <= ctx.at:
        raise InvalidInput("due", "a commitment must be due after it is made")
    cid = _next_commitment_id(ctx.state)
    owner = (cmd.owner or ctx.actor).strip()
    ctx.emit(EventKind.COMMITMENT_MADE, commitment_id=cid, owner=owner, text=cmd.text,
             due_at=cmd.due_at.isoformat(), source="manual")
    return ctx.done(commitment_id=cid)


def _commitment(ctx: _Ctx, cmd: c.ResolveCommitment) -> Decision:
    promise = ctx.state.commitments.get(cmd.commitment_id)
    if promise is None:
        raise NotFound(f"unknown commitment {cmd.commitment_id!r} on {ctx.state.id}")
    if promise.owner != ctx.actor:
        ctx.require("make_commitment")
    if not promise.is_open:
        raise Refused(f"commitment {promise.id} is already {promise.state}")
    if cmd.outcome == "renegotiate":
        reason = (cmd.reason or "").strip()
        if not reason:
            raise InvalidInput("reason", "renegotiating needs a reason (the customer's agreement)")
        if cmd.due_at is None:
            raise InvalidInput("due", "renegotiating needs the new due time")
        if cmd.due_at <= ctx.at:
            raise InvalidInput("due", "the new due time must be in the future")
        payload: dict[str, Any] = {"commitment_id": promise.id, "due_at": cmd.due_at.isoformat(),
                                   "reason": reason}
        if ctx.at > promise.due_at:
            payload["original_missed"] = promise.due_at.isoformat()
        ctx.emit(EventKind.COMMITMENT_RENEGOTIATED, **payload)
    else:
        if cmd.outcome == "met":
            late = _late(ctx, promise.due_at)
            ctx.emit(EventKind.COMMITMENT_MET, commitment_id=promise.id, **late)
            if late:
                return ctx.done(commitment_id=promise.id, outcome=cmd.outcome, state="met_late")
        else:
            ctx.emit(EventKind.COMMITMENT_MISSED, commitment_id=promise.id)
    return ctx.done(commitment_id=promise.id, outcome=cmd.outcome)


def _late(ctx: _Ctx, due: datetime) -> dict[str, Any]:
    """`{"late": True}` for a commitment kept after its due time (it folds to `met_late`)."""
    return {"late": True} if ctx.at > due else {}


def _pause(ctx: _Ctx, cmd: c.Pause) -> Decision:
    ctx.require("pause_clock")
    ctx.require_open("pause the resolution clock")
    if ctx.state.paused:
        raise Refused(f"the resolution clock of {ctx.state.id} is already paused")
    ctx.emit(EventKind.CLOCK_PAUSED, reason=cmd.reason)
    return ctx.done()


def _resume(ctx: _Ctx, cmd: c.Resume) -> Decision:
    ctx.require("pause_clock")
    ctx.require_open("resume the resolution clock")
    if not ctx.state.paused:
        raise Refused(f"the resolution clock of {ctx.state.id} is not paused")
    ctx.emit(EventKind.CLOCK_RESUMED)
    return ctx.done()


def _decide(ctx: _Ctx, cmd: c.Decide) -> Decision:
    if cmd.right not in ctx.policy.rights:
        known = ", ".join(ctx.policy.rights)
        raise InvalidInput("right", f"unknown decision right {cmd.right!r} (known: {known})")
    ctx.require(cmd.right)
    ctx.emit(EventKind.DECISION_RECORDED, right=cmd.right, text=cmd.text)
    return ctx.done()


def _phase(ctx: _Ctx, cmd: c.ChangePhase) -> Decision:
    ctx.require("change_phase")
    ctx.require_open("change phase")
    if cmd.phase not in OPEN_PHASES:
        names = ", ".join(p.value for p in OPEN_PHASES)
        raise InvalidInput("phase", f"choose one of {names} (resolve and close have verbs)")
    if cmd.phase is ctx.state.phase:
        raise Refused(f"{ctx.state.id} is already {cmd.phase}")
    ctx.emit(EventKind.PHASE_CHANGED, phase=cmd.phase.value, previous=ctx.state.phase.value)
    return ctx.done(phase=cmd.phase.value)


def _resolve(ctx: _Ctx, cmd: c.Resolve) -> Decision:
    ctx.require("resolve")
    ctx.require_open("resolve it again")
    if not ctx.state.triaged:
        raise Refused(f"{ctx.state.id} is not triaged; triage it before resolving")
    ctx.emit(EventKind.RESOLVED, summary=cmd.summary)
    return ctx.done()


def _close(ctx: _Ctx, cmd: c.Close) -> Decision:
    ctx.require("close")
    state = ctx.state
    if state.resolved_at is None:
        raise Refused(f"{state.id} is not resolved; resolve it first")
    binding = state.open_commitments()
    if binding:
        ids = ", ".join(p.id for p in binding)
        raise Refused(f"{state.id} has open commitments ({ids}); meet, miss or renegotiate them")
    for check in ctx.close_checks:
        blockers = check(state, ctx.policy)
        if blockers:
            raise Refused(f"{state.id} cannot close: {'; '.join(blockers)}")
    ctx.emit(EventKind.CLOSED)
    return ctx.done()


def _edit_milestone(ctx: _Ctx, cmd: c.EditMilestone) -> Decision:
    ctx.require("edit_milestone")
    state = ctx.state
    current = {
        Milestone.RECEIVED: state.received_at,
        Milestone.TRIAGED: state.triaged_at,
        Milestone.RESOLVED: state.resolved_at,
    }[cmd.milestone]
    if current is None:
        raise Refused(f"{state.id} has no {cmd.milestone} time to edit yet")
    if cmd.new_time > ctx.now + FUTURE_TOLERANCE:
        raise InvalidInput("new_time", "a milestone cannot be in the future")
    if cmd.milestone is not Milestone.RECEIVED and cmd.new_time < state.received_at:
        raise InvalidInput("new_time", f"{cmd.milestone} cannot precede receipt")
    if cmd.milestone is Milestone.RECEIVED:
        later = [t for t in (state.triaged_at, state.resolved_at) if t is not None]
        if later and cmd.new_time > min(later):
            raise InvalidInput("new_time", "receipt cannot come after triage or resolution")
    ctx.emit(EventKind.MILESTONE_EDITED, milestone=cmd.milestone.value,
             previous=current.isoformat(), new_time=cmd.new_time.isoformat(), reason=cmd.reason)
    return ctx.done(milestone=cmd.milestone.value, new_time=cmd.new_time.isoformat())


def _tag(ctx: _Ctx, cmd: c.SetTags) -> Decision:
    ctx.require("add_note")
    if not cmd.tags:
        raise InvalidInput("tags", "give at least one tag")
    ctx.emit(EventKind.TAGS_SET, tags={k.strip(): v.strip() for k, v in cmd.tags.items()})
    return ctx.done()


_HANDLERS: dict[str, Callable[[_Ctx, Any], Decision]] = {
    "triage": _triage,
    "severity": _severity,
    "assign": _assign,
    "note": _note,
    "update": _update,
    "commit": _commit,
    "commitment": _commitment,
    "pause": _pause,
    "resume": _resume,
    "decide": _decide,
    "phase": _phase,
    "resolve": _resolve,
    "close": _close,
    "edit_milestone": _edit_milestone,
    "tag": _tag,
    "take": _take,
}
"""Handlers by command `type` (dispatching on the tag needs no model class at hand)."""

CORE_TYPES = frozenset({"open", "alert", *_HANDLERS})
"""The `type`s decided here; every other command is a post-incident one."""
