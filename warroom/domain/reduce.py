"""The one reducer: fold events into incident state.

`reduce(events, initial)` is pure: the initial state is forked, never mutated, so replaying a log in
any chunking gives the same result. Events are folded in `seq` order; times that may arrive
back-dated (customer updates) are combined with max/min so order of arrival never matters.

Handlers never mutate nested objects in place (they replace them), so `fork` only has to copy the
top-level containers: a forked state shares its unchanged items with the original.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from warroom.domain.models import (
    Audience,
    Commitment,
    CommitmentState,
    Decision,
    DeliveryStatus,
    Event,
    EventKind,
    ImpactAssessment,
    IncidentState,
    Milestone,
    Pause,
    Phase,
    Severity,
    StatusUpdate,
)
from warroom.domain.next_update import promise_text
from warroom.domain.structs import convert, replace
from warroom.domain.timeparse import parse_iso

Handler = Callable[[IncidentState, Event], None]


def reduce(events: Iterable[Event], initial: IncidentState | None = None) -> IncidentState | None:
    """Fold one incident's events into its state.

    Args:
        events: events of a single incident, in seq order.
        initial: state to continue from (not modified).

    Returns:
        The new state, or None if no `opened` event has been seen.
    """
    state = fork(initial) if initial is not None else None
    for event in events:
        state = apply(state, event)
    return state


def reduce_all(
    events: Iterable[Event], initial: dict[str, IncidentState] | None = None
) -> dict[str, IncidentState]:
    """Fold a mixed log into a state per incident id (copies `initial`)."""
    states = dict(initial or {})
    forked: set[str] = set()
    for event in events:
        current = states.get(event.incident_id)
        if current is not None and event.incident_id not in forked:
            current = fork(current)
        forked.add(event.incident_id)
        new = apply(current, event)
        if new is not None:
            states[event.incident_id] = new
    return states


def fork(state: IncidentState) -> IncidentState:
    """A copy that can be folded into without touching `state` (containers copied, items shared)."""
    return replace(
        state,
        tags=dict(state.tags),
        roles=dict(state.roles),
        pauses=list(state.pauses),
        updates=list(state.updates),
        commitments=dict(state.commitments),
        decisions=list(state.decisions),
        pir=dict(state.pir),
        actions=dict(state.actions),
        credits=list(state.credits),
        pattern_flags=list(state.pattern_flags),
    )


def as_of(events: Iterable[Event], instant: datetime) -> IncidentState | None:
    """State as it stood at `instant`: the fold of events that had occurred by then."""
    return reduce(e for e in events if e.occurred_at <= instant)


def apply(state: IncidentState | None, event: Event) -> IncidentState | None:
    """Fold one event into `state` in place (or create it from `opened`). Internal to folds."""
    if event.kind is EventKind.OPENED:
        state = _opened(event)
    elif state is None:
        return None
    else:
        handler = _HANDLERS.get(event.kind)
        if handler is not None:
            handler(state, event)
    state.event_count += 1
    if event.seq > state.last_seq:
        state.last_seq = event.seq
    updated_at = state.updated_at
    if updated_at is None or event.occurred_at > updated_at:
        state.updated_at = event.occurred_at
    return state


def _opened(event: Event) -> IncidentState:
    p = event.payload
    state = IncidentState(
        id=event.incident_id,
        title=p["title"],
        customer=p["customer"],
        received_at=event.occurred_at,
        roles={} if p.get("unowned") else {"incident_commander": event.actor},
    )
    if alert := p.get("alert"):
        state.alert_key = f"{alert['hook']}:{alert['key']}"
    if "assessment" in p:
        state.assessment = convert(p["assessment"], ImpactAssessment)
    if p.get("tags"):
        state.tags = dict(p["tags"])
    if p.get("source"):
        state.source = dict(p["source"])
    return state


def _peak(state: IncidentState, severity: Severity) -> None:
    if state.peak_severity is None or severity < state.peak_severity:
        state.peak_severity = severity


def _triaged(state: IncidentState, event: Event) -> None:
    p = event.payload
    state.severity = Severity(p["severity"])
    _peak(state, state.severity)
    state.triaged = True
    state.triaged_at = event.occurred_at
    if "assessment" in p:
        state.assessment = convert(p["assessment"], ImpactAssessment)
    if state.phase is Phase.TRIAGE:
        state.phase = Phase.INVESTIGATING


def _severity_changed(state: IncidentState, event: Event) -> None:
    state.severity = Severity(event.payload["severity"])
    _peak(state, state.severity)


def _role_assigned(state: IncidentState, event: Event) -> None:
    person = event.payload.get("person")
    if person:
        state.roles[event.payload["role"]] = person
    else:
        state.roles.pop(event.payload["role"], None)


def _update_posted(state: IncidentState, event: Event) -> None:
    p = event.payload
    next_at = parse_iso(p["next_update_at"]) if p.get("next_update_at") else None
    update = StatusUpdate(
        seq=event.seq,
        audience=Audience(p["audience"]),
        phase=Phase(p["phase"]),
        body=p["body"],
        posted_by=event.actor,
        posted_at=event.occurred_at,
        next_update_at=next_at,
        template=p.get("template"),
        backdated_s=p.get("backdated_s"),
        deliveries={d["channel"]: DeliveryStatus(channel=d["channel"],
                                                 recipients=tuple(d.get("recipients", ())))
                    for d in p.get("deliveries", ())},
    )
    state.updates.append(update)
    if update.audience is Audience.CUSTOMER and not update.deliveries:
        _customer_update_made(state, event.occurred_at, next_at)


def _customer_update_made(state: IncidentState, at: datetime, next_at: datetime | None) -> None:
    """The customer has an update at `at`: when posted, or, for an update sent to channels,
    when the first channel delivered it (the update clocks stay honest: recording is not
    reaching the customer)."""
    if state.first_customer_update_at is None or at < state.first_customer_update_at:
        state.first_customer_update_at = at
    if state.last_customer_update_at is None or at >= state.last_customer_update_at:
        state.last_customer_update_at = at
        state.promised_next_update_at = next_at
        state.promise_renegotiated = False


def _delivery_outcome(state: IncidentState, event: Event) -> None:
    """`update_delivered` / `update_delivery_failed`: the update's channel status (copy-on-write:
    the update is replaced, never changed in place)."""
    p = event.payload
    for n in range(len(state.updates) - 1, -1, -1):
        update = state.updates[n]
        if update.seq != p.get("of_seq"):
            continue
        current = update.deliveries.get(p["channel"])
        if current is not None and current.state == "delivered":
            return  # a resend after a lapsed lease: already delivered
        delivered = event.kind is EventKind.UPDATE_DELIVERED
        if delivered and update.audience is Audience.CUSTOMER and not any(
                d.state == "delivered" for d in update.deliveries.values()):
            _customer_update_made(state, event.occurred_at, update.next_update_at)
        status = DeliveryStatus(
            channel=p["channel"], recipients=tuple(p.get("recipients", ())),
            state="delivered" if delivered else "failed", attempts=int(p.get("attempt", 0)),
            error=None if delivered else p.get("error"), at=event.occurred_at)
        state.updates[n] = replace(update, deliveries={**update.deliveries, p["channel"]: status})
        return


def _commitment_made(state: IncidentState, event: Event) -> None:
    p = event.payload
    state.commitments[p["commitment_id"]] = Commitment(
        id=p["commitment_id"],
        text=p["text"],
        owner=p["owner"],
        due_at=parse_iso(p["due_at"]),
        made_at=event.occurred_at,
        source=p.get("source", "manual"),
    )


def _commitment_closed(new_state: CommitmentState) -> Handler:
    def handle(state: IncidentState, event: Event) -> None:
        cid = event.payload["commitment_id"]
        c = state.commitments.get(cid)
        if c is not None:
            kept = new_state
            if new_state is CommitmentState.MET and event.occurred_at > c.due_at:
                kept = CommitmentState.MET_LATE
            state.commitments[cid] = replace(c, state=kept, closed_at=event.occurred_at)

    return handle


def _commitment_renegotiated(state: IncidentState, event: Event) -> None:
    p = event.payload
    c = state.commitments.get(p["commitment_id"])
    if c is None:
        return
    new_due = parse_iso(p["due_at"])
    entry = {
        "from": c.due_at.isoformat(),
        "to": new_due.isoformat(),
        "by": event.actor,
        "at": event.occurred_at.isoformat(),
        "reason": p.get("reason", ""),
    }
    if event.occurred_at > c.due_at:
        entry["original_missed"] = True
    text = c.text
    if c.source == "update":
        text = promise_text(new_due)
        if state.promised_next_update_at == c.due_at:
            state.promised_next_update_at = new_due
            state.promise_renegotiated = True
    state.commitments[c.id] = replace(
        c, due_at=new_due, text=text, state=CommitmentState.RENEGOTIATED,
        history=[*c.history, entry],
    )


def _decision(state: IncidentState, event: Event) -> None:
    p = event.payload
    state.decisions.append(
        Decision(seq=event.seq, right=p["right"], actor=event.actor, text=p["text"],
                 at=event.occurred_at)
    )


def _paused(state: IncidentState, event: Event) -> None:
    if not state.paused:
        state.pauses.append(Pause(start=event.occurred_at, reason=event.payload.get("reason", "")))


def _resumed(state: IncidentState, event: Event) -> None:
    if state.paused:
        _end_pause(state, event.occurred_at)


def _end_pause(state: IncidentState, at: datetime) -> None:
    state.pauses[-1] = replace(state.pauses[-1], end=at)


def _phase_changed(state: IncidentState, event: Event) -> None:
    state.phase = Phase(event.payload["phase"])


def _resolved(state: IncidentState, event: Event) -> None:
    state.resolved_at = event.occurred_at
    state.resolution_summary = event.payload.get("summary", "")
    state.phase = Phase.RESOLVED
    if state.paused:
        _end_pause(state, event.occurred_at)


def _closed(state: IncidentState, event: Event) -> None:
    state.closed_at = event.occurred_at
    state.phase = Phase.CLOSED


def _milestone_edited(state: IncidentState, event: Event) -> None:
    p = event.payload
    at = parse_iso(p["new_time"])
    milestone = Milestone(p["milestone"])
    if milestone is Milestone.RECEIVED:
        state.received_at = at
    elif milestone is Milestone.TRIAGED:
        state.triaged_at = at
    else:
        state.resolved_at = at


def _tags_set(state: IncidentState, event: Event) -> None:
    for key, value in event.payload.get("tags", {}).items():
        if value:
            state.tags[key] = value
        else:
            state.tags.pop(key, None)


def _pir_updated(state: IncidentState, event: Event) -> None:
    state.pir.update(event.payload.get("fields", {}))  # values are replaced whole, never mutated


def _pir_completed(state: IncidentState, event: Event) -> None:
    state.pir_completed_at = event.occurred_at
    accepted = event.payload.get("accepted_findings")
    if accepted:
        state.pir_accepted = {**accepted, "by": event.actor, "at": event.occurred_at.isoformat()}


def _rca_sent(state: IncidentState, event: Event) -> None:
    """By hand (`pir sent`: the actor sent it) or by a channel (the deliverer records who
    asked for it, `requested_by`, and the channel, `via`)."""
    p = event.payload
    sent: dict[str, Any] = {"at": event.occurred_at, "by": p.get("requested_by") or event.actor,
                            "to": list(p.get("to", []))}
    if p.get("channel"):
        sent["via"] = p["channel"]
    state.rca_sent = [*state.rca_sent, sent]


def _action_added(state: IncidentState, event: Event) -> None:
    p = {"status": "open", **event.payload, "added_at": event.occurred_at.isoformat()}
    state.actions[p["action_id"]] = p


def _action_updated(state: IncidentState, event: Event) -> None:
    aid = event.payload["action_id"]
    if aid in state.actions:
        state.actions[aid] = {**state.actions[aid], **event.payload}


def _action_completed(state: IncidentState, event: Event) -> None:
    aid = event.payload["action_id"]
    if aid in state.actions:
        state.actions[aid] = {
            **state.actions[aid], "status": "done", "completed_at": event.occurred_at.isoformat()
        }


def _credit_approved(state: IncidentState, event: Event) -> None:
    state.credits.append({**event.payload, "approved_by": event.actor,
                          "approved_at": event.occurred_at.isoformat()})


def _pattern_flagged(state: IncidentState, event: Event) -> None:
    state.pattern_flags.append(event)


def _noop(state: IncidentState, event: Event) -> None:
    """Events that only live in the timeline (notes)."""


_HANDLERS: dict[EventKind, Handler] = {
    EventKind.TRIAGED: _triaged,
    EventKind.SEVERITY_CHANGED: _severity_changed,
    EventKind.ROLE_ASSIGNED: _role_assigned,
    EventKind.NOTE: _noop,
    EventKind.UPDATE_POSTED: _update_posted,
    EventKind.UPDATE_DELIVERED: _delivery_outcome,
    EventKind.UPDATE_DELIVERY_FAILED: _delivery_outcome,
    EventKind.COMMITMENT_MADE: _commitment_made,
    EventKind.COMMITMENT_MET: _commitment_closed(CommitmentState.MET),
    EventKind.COMMITMENT_MISSED: _commitment_closed(CommitmentState.MISSED),
    EventKind.COMMITMENT_RENEGOTIATED: _commitment_renegotiated,
    EventKind.DECISION_RECORDED: _decision,
    EventKind.CLOCK_PAUSED: _paused,
    EventKind.CLOCK_RESUMED: _resumed,
    EventKind.PHASE_CHANGED: _phase_changed,
    EventKind.RESOLVED: _resolved,
    EventKind.CLOSED: _closed,
    EventKind.MILESTONE_EDITED: _milestone_edited,
    EventKind.TAGS_SET: _tags_set,
    EventKind.PIR_UPDATED: _pir_updated,
    EventKind.PIR_COMPLETED: _pir_completed,
    EventKind.ACTION_ADDED: _action_added,
    EventKind.ACTION_UPDATED: _action_updated,
    EventKind.ACTION_COMPLETED: _action_completed,
    EventKind.CREDIT_APPROVED: _credit_approved,
    EventKind.PATTERN_FLAGGED: _pattern_flagged,
    EventKind.RCA_SENT: _rca_sent,
}
