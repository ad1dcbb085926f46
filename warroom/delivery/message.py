"""What a delivery says: the message kept with it, and its email, webhook and Slack forms. Pure.

A message is a JSON-ready dict written into the store with the delivery (so a deliverer needs
nothing else to send it):

    kind          "update", "trigger" or "rca"
    incident_id, customer, title, severity, phase
    subject       "[ESC-7] Northwind Bank — Payments failing (P1, investigating)"
    body          the plain text to send
    audience, posted_by, posted_at, next_update_at      (updates)
    clock, state, remaining_s, due_at, role, person     (triggers)
    requested_by, requested_at                          (rca: the customer RCA summary, in
                                                        Markdown, as `pir ID --format md`)

The webhook body is the message plus `idempotency_key` (also sent as the `Idempotency-Key`
header): the same for every attempt of one delivery, so a receiver can drop a resend.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from warroom.domain.models import Clock, ClockName, Event, IncidentState
from warroom.domain.timeparse import format_duration

ACTING_ROLES: dict[ClockName, tuple[str, ...]] = {
    ClockName.TRIAGE: ("incident_commander",),
    ClockName.FIRST_UPDATE: ("customer_spoc", "comms_lead", "incident_commander"),
    ClockName.NEXT_UPDATE: ("customer_spoc", "comms_lead", "incident_commander"),
    ClockName.RESOLVE: ("incident_commander",),
    ClockName.PIR: ("incident_commander",),
}
"""Who must act when a clock is in trouble: the first of these roles that someone holds."""


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _hhmm(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


def subject(state: IncidentState, phase: str) -> str:
    """`[ESC-7] Northwind Bank — Payments failing (P1, investigating)`."""
    return f"[{state.id}] {state.customer} — {state.title} ({state.severity.value}, {phase})"


def _about(kind: str, state: IncidentState, phase: str | None = None) -> dict[str, Any]:
    """What every message starts with: its kind, then the escalation it is about."""
    return {
        "kind": kind,
        "incident_id": state.id,
        "customer": state.customer,
        "title": state.title,
        "severity": state.severity.value,
        "phase": phase or state.phase.value,
    }


def update_message(state: IncidentState, event: Event) -> dict[str, Any]:
    """The message for an `update_posted` event of `state`'s escalation."""
    p = event.payload
    phase = str(p.get("phase") or state.phase.value)
    footer = [f"{state.id} · {state.customer} · {state.severity.value} · {phase}",
              f"Posted by {event.actor} at {_hhmm(event.occurred_at)}."]
    next_at = p.get("next_update_at")
    if next_at:
        footer.append(f"Next update by {_hhmm(datetime.fromisoformat(str(next_at)))}.")
    return {
        **_about("update", state, phase),
        "subject": subject(state, phase),
        "body": f"{p.get('body', '')}\n\n-- \n" + "\n".join(footer) + "\n",
        "audience": str(p.get("audience")),
        "posted_by": event.actor,
        "posted_at": _iso(event.occurred_at),
        "next_update_at": str(next_at) if next_at else None,
    }


def rca_message(state: IncidentState, event: Event, document: str) -> dict[str, Any]:
    """The message sending the customer RCA summary (`document`, the customer Markdown) for an
    `rca_queued` event of `state`'s escalation."""
    return {
        **_about("rca", state),
        "subject": f"[{state.id}] {state.customer} — Root cause analysis: {state.title}",
        "body": document,
        "audience": "customer",
        "requested_by": event.actor,
        "requested_at": _iso(event.occurred_at),
    }


def acting(state: IncidentState, clock: ClockName) -> tuple[str, str | None]:
    """(role, person) who must act on `clock`: the first role of `ACTING_ROLES` someone holds."""
    roles = ACTING_ROLES[clock]
    for role in roles:
        if state.roles.get(role):
            return role, state.roles[role]
    return roles[0], None


def trigger_message(state: IncidentState, clock: Clock, now: datetime) -> dict[str, Any]:
    """The message of a fired trigger: the escalation, the clock, time left, who must act."""
    role, person = acting(state, clock.name)
    remaining = clock.remaining_s if clock.remaining_s is not None else 0.0
    left = (f"{format_duration(remaining)} left" if remaining >= 0
            else f"breached {format_duration(-remaining)} ago")
    due = f" (due {_hhmm(clock.due_at)})" if clock.due_at is not None else ""
    state_text = clock.state.value.replace("_", " ")
    who = f"{person} ({role})" if person else f"nobody holds {role}"
    lines = [
        f"{state.id} {state.customer} — {state.title} ({state.severity.value}, "
        f"{state.phase.value})",
        f"The {clock.name.value} clock is {state_text}: {left}{due}.",
        f"To act: {who}.",
        f"As of {_hhmm(now)}.",
    ]
    return {
        **_about("trigger", state),
        "subject": f"[{state.id}] {clock.name.value} clock {state_text}: {left} — "
                   f"{state.customer} — {state.title}",
        "body": "\n".join(lines) + "\n",
        "clock": clock.name.value,
        "state": clock.state.value,
        "remaining_s": round(remaining, 3),
        "due_at": _iso(clock.due_at),
        "role": role,
        "person": person,
    }


def webhook_body(message: dict[str, Any], key: str) -> dict[str, Any]:
    """The documented webhook JSON: the message plus its idempotency key."""
    return {"idempotency_key": key, **message}


def slack_body(message: dict[str, Any]) -> dict[str, Any]:
    """Slack incoming-webhook JSON."""
    return {"text": f"*{message['subject']}*\n{message['body']}"}
