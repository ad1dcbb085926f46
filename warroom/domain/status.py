"""The status document: one escalation with its clocks, as JSON-ready data.

Printed by `warroom status --json` and served by `GET /api/v1/escalations/{id}`, whose OpenAPI
model (`warroom.server.schemas.EscalationStatus`) must name every key (a test checks).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from warroom.domain.delivery_view import updates_view
from warroom.domain.models import Clock, Commitment, CommitmentState, IncidentState
from warroom.domain.policy import Policy
from warroom.domain.sla import clocks
from warroom.domain.structs import dump
from warroom.domain.urgency import escalation_key, most_urgent


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def commitment_state(commitment: Commitment, now: datetime) -> str:
    """`open | overdue | met | missed | renegotiated` at `now`."""
    if commitment.is_open and now > commitment.due_at:
        return "overdue"
    return commitment.state.value


def clock_view(clock: Clock) -> dict[str, Any]:
    """One clock as JSON-ready data."""
    remaining = None if clock.remaining_s is None else round(clock.remaining_s, 3)
    return {
        "due_at": _iso(clock.due_at),
        "state": clock.state.value,
        "remaining_s": remaining,
        "target_s": clock.target_s,
        "met_at": _iso(clock.met_at),
    }


def commitment_view(commitment: Commitment, now: datetime) -> dict[str, Any]:
    """One commitment as JSON-ready data, with its state at `now`."""
    running = commitment.is_open
    return {
        "id": commitment.id,
        "text": commitment.text,
        "owner": commitment.owner,
        "due_at": _iso(commitment.due_at),
        "state": commitment_state(commitment, now),
        "remaining_s": round((commitment.due_at - now).total_seconds(), 3) if running else None,
        "source": commitment.source,
        "made_at": _iso(commitment.made_at),
        "closed_at": _iso(commitment.closed_at),
        "history": commitment.history,
    }


def status_view(state: IncidentState, policy: Policy, now: datetime) -> dict[str, Any]:
    """The full status document of one escalation at `now`."""
    evaluated = clocks(state, policy, now)
    urgent = most_urgent(evaluated)
    ordered = sorted(
        state.commitments.values(),
        key=lambda p: (p.state not in (CommitmentState.OPEN, CommitmentState.RENEGOTIATED),
                       p.due_at),
    )
    customer_updates = [u for u in state.updates if u.audience.value == "customer"]
    return {
        "id": state.id,
        "title": state.title,
        "customer": state.customer,
        "severity": state.severity.value,
        "triaged": state.triaged,
        "phase": state.phase.value,
        "as_of": _iso(now),
        "received_at": _iso(state.received_at),
        "triaged_at": _iso(state.triaged_at),
        "resolved_at": _iso(state.resolved_at),
        "closed_at": _iso(state.closed_at),
        "assessment": dump(state.assessment),
        "tags": dict(state.tags),
        "roles": dict(state.roles),
        "unowned": not state.roles.get("incident_commander"),
        "alert_key": state.alert_key,
        "source": dict(state.source) if state.source else None,
        "paused": state.paused,
        "clocks": {name.value: clock_view(clock) for name, clock in evaluated.items()},
        "most_urgent": urgent.name.value if urgent is not None else None,
        "commitments": [commitment_view(p, now) for p in ordered],
        "customer_updates": len(customer_updates),
        "undelivered_customer_updates": sum(1 for u in customer_updates if u.undelivered),
        "updates": updates_view(state),
        "last_customer_update_at": _iso(state.last_customer_update_at),
        "decisions": [
            {"right": d.right, "actor": d.actor, "text": d.text, "at": _iso(d.at)}
            for d in state.decisions
        ],
        "resolution_summary": state.resolution_summary,
        "event_count": state.event_count,
        "last_seq": state.last_seq,
    }



def list_rows(states: Iterable[IncidentState], policy: Policy, now: datetime
              ) -> list[dict[str, Any]]:
    """What `warroom list` shows of each escalation at `now`, most urgent first (the order
    `document_key` gives): the status document's keys a line needs (a subset), except that
    `clocks` holds only the most urgent clock. A list of a year's 10,000 escalations needs no
    commitments, updates or decisions, nor the due times of clocks already met, which cost
    most of a full document."""
    keyed = []
    for state in states:
        urgent = most_urgent(clocks(state, policy, now, counting_only=True))
        key = escalation_key(state.id, state.resolved_at is not None,
                             state.closed_at is not None, urgent)
        keyed.append((key, {
            "id": state.id,
            "title": state.title,
            "customer": state.customer,
            "severity": state.severity.value,
            "phase": state.phase.value,
            "resolved_at": _iso(state.resolved_at),
            "closed_at": _iso(state.closed_at),
            "unowned": not state.roles.get("incident_commander"),
            "source": dict(state.source) if state.source else None,
            "clocks": {urgent.name.value: clock_view(urgent)} if urgent is not None else {},
            "most_urgent": urgent.name.value if urgent is not None else None,
        }))
    keyed.sort(key=lambda pair: pair[0])
    return [row for _, row in keyed]
