"""Deciding post-incident commands (pure).

`decide_post` checks a command against one escalation's state and the decision rights, and
returns event specs `{"kind": EventKind, "payload": {...}}` plus a JSON-ready result, or raises a
`CommandError`. A `flag` names a pattern, not an escalation: `decide_post_events` picks the
escalation it is recorded on (`recurrence.flag_target`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from warroom.domain.blameless import check_pir, known_people
from warroom.domain.credits import suggest_credit, tier_of
from warroom.domain.errors import InvalidInput, NotFound, Refused
from warroom.domain.models import Event, EventKind, IncidentState
from warroom.domain.pir import findings_message, list_field, pir_gaps
from warroom.domain.policy import Policy
from warroom.domain.post_commands import (
    ActionAdd,
    ActionDone,
    ActionUpdate,
    CreditApprove,
    FlagPattern,
    PirComplete,
    PirEdit,
    PirSend,
    PirSent,
    PostCommand,
)
from warroom.domain.recurrence import (
    flag_records,
    flag_target,
    norm_key,
    parse_pattern,
    pattern_key,
    patterns_of,
)
from warroom.domain.rights import FUTURE_TOLERANCE, require_right
from warroom.domain.structs import replace

# -- deciding ------------------------------------------------------------------------------

Spec = dict[str, Any]


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _spec(kind: EventKind, **payload: Any) -> Spec:
    return {"kind": kind, "payload": payload}


def decide_post(
    command: PostCommand,
    state: IncidentState,
    policy: Policy,
    actor: str,
    now: datetime,
    *,
    events: Sequence[Event] | None = None,
    names: Iterable[str] = (),
) -> tuple[list[Spec], dict[str, Any]]:
    """Check a post-incident command and produce its event specs and result.

    Args:
        command: a post-incident command.
        state: the escalation it names.
        policy: rights, tiers, targets.
        actor: who is acting.
        now: the store's clock.
        events: the escalation's events, if at hand: timeline seqs are then checked against them.
        names: every person the store knows (the blameless check of `pir_complete`).

    Returns:
        `(specs, result)`: specs `{"kind", "payload"}` to turn into events occurring at
        `command.at or now`; result JSON-ready, always with `id`.

    Raises:
        InvalidInput, NotFound, Refused, RightRequired.
    """
    if command.incident_id is None:
        raise InvalidInput("incident_id", "pick the pattern's escalation first (flag_target)")
    if command.incident_id != state.id:
        raise InvalidInput("incident_id", f"{command.incident_id} does not match {state.id}")
    at = _aware(command.at) if command.at is not None else now
    if at > now + FUTURE_TOLERANCE:
        raise InvalidInput("at", f"{at.isoformat()} is in the future")
    if at < state.received_at:
        raise InvalidInput("at", f"{at.isoformat()} is before {state.id} was received")
    if isinstance(command, PirEdit):
        return _pir_edit(command, state, policy, actor, events)
    if isinstance(command, PirComplete):
        return _pir_complete(command, state, policy, actor, names)
    if isinstance(command, PirSent):
        return _pir_sent(command, state, policy, actor)
    if isinstance(command, PirSend):
        _rca_sendable(state, policy, actor)
        return [_spec(EventKind.RCA_QUEUED)], {"id": state.id}
    if isinstance(command, ActionAdd):
        return _action_add(command, state, policy, actor)
    if isinstance(command, ActionUpdate):
        return _action_update(command, state, policy, actor)
    if isinstance(command, ActionDone):
        return _action_done(command, state, policy, actor)
    if isinstance(command, CreditApprove):
        return _credit(command, state, policy, actor, now)
    return _flag(command, state, policy, actor)


def _pir_edit(
    cmd: PirEdit, state: IncidentState, policy: Policy, actor: str,
    events: Sequence[Event] | None,
) -> tuple[list[Spec], dict[str, Any]]:
    require_right(state, policy, actor, "edit_pir")
    changes: dict[str, Any] = dict(cmd.fields)  # checked and normalised by `PirFields`
    if "timeline" in changes:
        if changes["timeline"] is not None:
            changes["timeline"] = sorted(set(changes["timeline"]))
        changes.setdefault("timeline_include", [])
        changes.setdefault("timeline_exclude", [])
    for name in ("timeline_include", "timeline_exclude"):
        if name in cmd.fields:
            changes[name] = sorted(set(changes[name]))
    for name, items in cmd.append.items():
        current = changes[name] if name in changes else list_field(state, name)
        changes[name] = current + items
    for name, positions in cmd.remove.items():
        current = changes[name] if name in changes else list_field(state, name)
        bad = [p for p in positions if not 1 <= p <= len(current)]
        if bad:
            raise InvalidInput(f"remove.{name}",
                               f"no item {bad[0]} (there are {len(current)})")
        drop = {p - 1 for p in positions}
        changes[name] = [v for i, v in enumerate(current) if i not in drop]
    if cmd.timeline_include or cmd.timeline_exclude:
        include, exclude = set(cmd.timeline_include), set(cmd.timeline_exclude)
        if events is not None:
            own = {e.seq for e in events if e.incident_id == state.id}
            unknown = sorted((include | exclude) - own)
            if unknown:
                raise NotFound(f"event {unknown[0]} is not in {state.id}'s log")
        cur_in = set(changes.get("timeline_include", state.pir.get("timeline_include") or []))
        cur_ex = set(changes.get("timeline_exclude", state.pir.get("timeline_exclude") or []))
        changes["timeline_include"] = sorted((cur_in | include) - exclude)
        changes["timeline_exclude"] = sorted((cur_ex | exclude) - include)
    if not changes:
        raise InvalidInput("fields", "nothing to change")
    if state.pir_completed_at is not None:
        after = replace(state, pir={**state.pir, **changes})
        gaps = pir_gaps(after)
        if gaps:
            raise Refused(f"the PIR of {state.id} is complete; this edit would leave it "
                          f"without {'; '.join(gaps)}")
    return [_spec(EventKind.PIR_UPDATED, fields=changes)], {
        "id": state.id, "fields": sorted(changes)}


def _pir_complete(cmd: PirComplete, state: IncidentState, policy: Policy, actor: str,
                  names: Iterable[str]) -> tuple[list[Spec], dict[str, Any]]:
    require_right(state, policy, actor, "complete_pir")
    if state.resolved_at is None:
        raise Refused(f"{state.id} is not resolved; a PIR is completed after resolution")
    if state.pir_completed_at is not None:
        raise Refused(f"the PIR of {state.id} was already completed at "
                      f"{state.pir_completed_at.isoformat()}")
    gaps = pir_gaps(state)
    if gaps:
        raise Refused(f"the PIR of {state.id} is incomplete: needs {'; '.join(gaps)}")
    findings = check_pir(state, extra_names=names)
    reason = (cmd.accept_findings or "").strip()
    if cmd.accept_findings is not None and not reason:
        raise InvalidInput("accept_findings", "give the reason for proceeding past the findings")
    if findings and not reason:
        raise Refused(f"the PIR of {state.id} has {findings_message(findings)}; reword it, or "
                      f"proceed with `pir {state.id} complete --accept-findings REASON`")
    payload: dict[str, Any] = {}
    result: dict[str, Any] = {"id": state.id, "completed": True}
    if findings:
        payload["accepted_findings"] = {"reason": reason,
                                        "findings": [f._asdict() for f in findings]}
        result["accepted_findings"] = len(findings)
    return [_spec(EventKind.PIR_COMPLETED, **payload)], result


def _rca_sendable(state: IncidentState, policy: Policy, actor: str) -> None:
    """The customer RCA summary may go out: the right to speak to the customer, live (not
    imported) and a completed PIR."""
    require_right(state, policy, actor, "post_customer_update")
    if state.imported:
        raise Refused(f"{state.id} is imported history; it owes no RCA")
    if state.pir_completed_at is None:
        raise Refused(f"the PIR of {state.id} is not complete; complete it before sending the "
                      "customer RCA summary")


def _pir_sent(cmd: PirSent, state: IncidentState, policy: Policy, actor: str
              ) -> tuple[list[Spec], dict[str, Any]]:
    _rca_sendable(state, policy, actor)
    to: list[str] = []
    for i, address in enumerate(cmd.to):
        address = address.strip()
        if not address or any(c.isspace() for c in address):
            raise InvalidInput(f"to[{i}]", f"not an address: {address!r}")
        if address not in to:
            to.append(address)
    return [_spec(EventKind.RCA_SENT, to=to)], {"id": state.id, "sent_to": to,
                                               "first": not state.rca_sent}


def _action(state: IncidentState, action_id: str) -> dict[str, Any]:
    action = state.actions.get(action_id) or state.actions.get(action_id.upper())
    if action is None:
        raise NotFound(f"unknown corrective action {action_id!r} on {state.id}")
    return action


def _owner(value: str | None) -> str | None:
    if value is None:
        return None
    owner = value.strip()
    if not owner:
        raise InvalidInput("owner", "an owner cannot be blank")
    return owner


def _action_add(cmd: ActionAdd, state: IncidentState, policy: Policy, actor: str
                ) -> tuple[list[Spec], dict[str, Any]]:
    require_right(state, policy, actor, "manage_actions")
    title = cmd.title.strip()
    if not title:
        raise InvalidInput("title", "a corrective action needs a title")
    action_id = f"A{len(state.actions) + 1}"
    while action_id in state.actions:  # pragma: no cover - ids are never removed
        action_id = f"A{int(action_id[1:]) + 1}"
    payload: dict[str, Any] = {"action_id": action_id, "title": title,
                               "owner": _owner(cmd.owner),
                               "due_at": _aware(cmd.due_at).isoformat() if cmd.due_at else None,
                               "status": "open"}
    return [_spec(EventKind.ACTION_ADDED, **payload)], {"id": state.id, "action_id": action_id}


def _action_update(cmd: ActionUpdate, state: IncidentState, policy: Policy, actor: str
                   ) -> tuple[list[Spec], dict[str, Any]]:
    require_right(state, policy, actor, "manage_actions")
    action = _action(state, cmd.action_id)
    action_id = str(action["action_id"])
    changes: dict[str, Any] = {}
    if cmd.owner is not None and _owner(cmd.owner) != action.get("owner"):
        changes["owner"] = _owner(cmd.owner)
    if cmd.due_at is not None and _aware(cmd.due_at).isoformat() != action.get("due_at"):
        changes["due_at"] = _aware(cmd.due_at).isoformat()
    if cmd.title is not None:
        if not cmd.title.strip():
            raise InvalidInput("title", "a corrective action needs a title")
        if cmd.title.strip() != action.get("title"):
            changes["title"] = cmd.title.strip()
    status = action.get("status", "open")
    complete = cmd.status == "done" and status != "done"
    if cmd.status is not None and cmd.status != "done" and cmd.status != status:
        changes["status"] = cmd.status
        if status == "done":
            changes["completed_at"] = None
    if not changes and not complete:
        raise Refused(f"corrective action {action_id} already is as given; nothing to change")
    specs = [_spec(EventKind.ACTION_UPDATED, action_id=action_id, **changes)] if changes else []
    if complete:
        specs.append(_spec(EventKind.ACTION_COMPLETED, action_id=action_id))
    return specs, {"id": state.id, "action_id": action_id, "status": cmd.status or status}


def _action_done(cmd: ActionDone, state: IncidentState, policy: Policy, actor: str
                 ) -> tuple[list[Spec], dict[str, Any]]:
    require_right(state, policy, actor, "manage_actions")
    action = _action(state, cmd.action_id)
    action_id = str(action["action_id"])
    if action.get("status") == "done":
        raise Refused(f"corrective action {action_id} is already done")
    return [_spec(EventKind.ACTION_COMPLETED, action_id=action_id)], {
        "id": state.id, "action_id": action_id, "status": "done"}


def _money(value: float) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _credit(cmd: CreditApprove, state: IncidentState, policy: Policy, actor: str,
            now: datetime) -> tuple[list[Spec], dict[str, Any]]:
    require_right(state, policy, actor, "approve_credit")
    if state.resolved_at is None:
        raise Refused(f"{state.id} is not resolved; credits are approved at resolution")
    if state.credits:
        last = state.credits[-1]
        raise Refused(f"a credit for {state.id} was already approved "
                      f"({last.get('amount')} by {last.get('approved_by')})")
    tier_name, tier = tier_of(policy, state.customer)
    suggestion = suggest_credit(state, policy, now)
    fee = tier.monthly_fee if tier is not None else 0.0
    amount, percent = cmd.amount, cmd.percent
    if amount is None and percent is None:
        if suggestion is None:
            raise Refused(f"customer {state.customer!r} has no credit policy (tier "
                          f"{tier_name!r}); give an amount")
        if suggestion.amount <= 0:
            raise Refused(f"no credit is suggested for {state.id} (the resolution clock was "
                          "met); give an amount to approve a goodwill credit")
        amount, percent = suggestion.amount, suggestion.percent
    elif amount is None:
        assert percent is not None
        if fee <= 0:
            raise InvalidInput("percent", f"customer {state.customer!r} has no monthly fee "
                               "configured; give an amount")
        amount = _money(fee * percent / 100)
    elif percent is None:
        percent = round(amount / fee * 100, 4) if fee > 0 else None
    over_cap = (cmd.over_cap or "").strip()
    cap = tier.credit_cap_percent if tier is not None else 0.0
    if cap > 0 and percent is not None and percent > cap + 1e-9 and not over_cap:
        raise Refused(f"{percent:g} % is above the {tier_name} tier's cap of {cap:g} %; "
                      "approve it with --over-cap REASON")
    payload = {
        "amount": amount,
        "percent": percent,
        "reason": cmd.reason.strip(),
        "tier": tier_name,
        "suggested": suggestion.as_dict() if suggestion is not None else None,
        "currency": tier.currency if tier is not None else None,
    }
    if over_cap:
        payload["over_cap"] = over_cap
    return [_spec(EventKind.CREDIT_APPROVED, **payload)], {
        "id": state.id, "amount": amount, "percent": percent}


def _flag(cmd: FlagPattern, state: IncidentState, policy: Policy, actor: str
          ) -> tuple[list[Spec], dict[str, Any]]:
    try:
        category, component = parse_pattern(cmd.pattern)
    except ValueError as exc:
        raise InvalidInput("pattern", str(exc)) from None
    key = pattern_key(category, component)
    own = next((p for p in patterns_of(state) if norm_key(pattern_key(*p)) == norm_key(key)),
               None)
    if own is None:
        raise InvalidInput("pattern", f"{state.id} is not tagged {key}")
    to = sorted({t.strip().casefold() for t in cmd.to if t.strip()})
    if not to:
        raise InvalidInput("to", "name who it reached, e.g. product,ops")
    teams = {t.casefold() for t in policy.teams}
    unknown = [t for t in to if t not in teams]
    if unknown:
        raise InvalidInput("to", f"unknown team {unknown[0]!r} (configured teams: "
                           f"{', '.join(policy.teams)})")
    require_right(state, policy, actor, "flag_pattern")
    key = pattern_key(*own)
    return [_spec(EventKind.PATTERN_FLAGGED, pattern=key, to=to)], {
        "id": state.id, "pattern": key, "to": to}


def post_events(
    specs: Sequence[Spec], incident_id: str, actor: str, occurred_at: datetime,
    recorded_at: datetime,
) -> list[Event]:
    """Turn specs into events (seq 0), e.g. for tests and callers without their own factory."""
    return [Event(incident_id=incident_id, kind=s["kind"], actor=actor, occurred_at=occurred_at,
                  recorded_at=recorded_at, payload=s["payload"]) for s in specs]



def decide_post_events(
    command: PostCommand,
    states: Mapping[str, IncidentState],
    policy: Policy,
    actor: str,
    now: datetime,
    events: Sequence[Event] = (),
) -> tuple[list[Event], dict[str, Any]]:
    """The one call for a service: pick the escalation (a `flag` without `incident_id` goes to
    `flag_target`), decide, and build the events (seq 0, `occurred_at = command.at or now`,
    `recorded_at = now`).

    Args:
        command: any post-incident command.
        states: every escalation by id.
        policy: rights, tiers, windows.
        actor: who is acting.
        now: the store's clock.
        events: the log (needed to pick a flag's escalation and to check timeline seqs; may be
            empty otherwise).
    """
    if command.type == "flag" and command.incident_id is None:
        try:
            target = flag_target(command.pattern, states, flag_records(events), policy)
        except ValueError as exc:
            raise InvalidInput("pattern", str(exc)) from None
        except LookupError as exc:
            raise NotFound(str(exc)) from None
        command = command.model_copy(update={"incident_id": target})
    incident_id = command.incident_id
    assert incident_id is not None
    state = states.get(incident_id)
    if state is None:
        raise NotFound(f"unknown escalation {incident_id!r}")
    own = [e for e in events if e.incident_id == incident_id] if events else None
    names = known_people(states.values(), policy) if isinstance(command, PirComplete) else ()
    specs, result = decide_post(command, state, policy, actor, now, events=own, names=names)
    at = _aware(command.at) if command.at is not None else now
    return post_events(specs, incident_id, actor, at, now), result
