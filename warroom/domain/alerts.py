"""Alerts from monitoring open and annotate escalations, never doubling anybody's work.

Pure. An `Alert` names its sender (`hook`) and the sender's dedup key. While an escalation opened
by that key is not closed, every further alert for the key becomes a timeline note on it; only a
`firing` alert with no such escalation opens a new one. It opens untriaged (held to P0 targets)
and unowned: no incident commander until a person `take`s it. The escalation is received when
the alert started, so the 15-minute triage clock runs from the problem, not from the webhook.
Alerts never resolve an escalation: "all alerts resolved" is a note, and a person decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from warroom.domain.errors import Refused
from warroom.domain.models import Event, EventKind, Impact, ImpactAssessment, IncidentState
from warroom.domain.policy import Policy
from warroom.domain.rights import FUTURE_TOLERANCE, require_right
from warroom.domain.structs import dump
from warroom.domain.triage import suggest

HOOK_NAMES = {"alertmanager": "Alertmanager", "pagerduty": "PagerDuty", "generic": "webhook"}
AlertStatus = Literal["firing", "resolved", "acknowledged", "annotated"]


def alert_key(hook: str, key: str) -> str:
    """The dedup key as kept on an escalation: the sender's key, namespaced by sender."""
    return f"{hook}:{key}"


def find_open(states: Mapping[str, IncidentState], key: str) -> IncidentState | None:
    """The escalation (not closed) that the namespaced dedup `key` opened, if any."""
    for state in states.values():
        if state.alert_key == key and state.closed_at is None:
            return state
    return None


def decide_alert(
    command: Any, states: Mapping[str, IncidentState], policy: Policy, actor: str,
    now: datetime, new_id: str,
) -> tuple[list[Event], dict[str, Any]]:
    """Events for an `Alert` command: open an unowned escalation, or note on the open one.

    Args:
        command: the `Alert` command.
        new_id: the id a new escalation would get.
    """
    key = alert_key(command.hook, command.key)
    sender = HOOK_NAMES.get(command.hook, command.hook)
    at = min(command.at or now, now)
    existing = find_open(states, key)
    if existing is not None:
        require_right(existing, policy, actor, "add_note")
        text = f"{sender}: {_status_words(command)}"
        if command.details:
            text += f" — {command.details}"
        note = Event(incident_id=existing.id, kind=EventKind.NOTE, actor=actor,
                     occurred_at=max(at, existing.received_at), recorded_at=now,
                     payload={"text": text, "alert": {"hook": command.hook, "key": command.key,
                                                     "status": command.status}})
        return [note], {"id": existing.id, "opened": False, "noted": True}
    if command.status != "firing":
        return [], {"id": None, "opened": False, "noted": False,
                    "ignored": f"no open escalation for {sender} key {command.key!r}"}
    started = command.started_at or at
    received = min(started, now + FUTURE_TOLERANCE)
    customer = policy.customers.get(command.customer)
    assessment = ImpactAssessment(
        impact=Impact(command.impact) if command.impact else ImpactAssessment().impact,
        affected=command.affected or 0,
        strategic=bool(customer and customer.strategic),
    )
    payload: dict[str, Any] = {
        "title": command.title,
        "customer": command.customer,
        "assessment": dump(assessment),
        "alert": {"hook": command.hook, "key": command.key},
        "unowned": True,
    }
    tags = {k: v for k, v in (("component", command.component),
                              ("category", command.category)) if v}
    if tags:
        payload["tags"] = tags
    if command.details:
        payload["details"] = command.details
    opened = Event(incident_id=new_id, kind=EventKind.OPENED, actor=actor, occurred_at=received,
                   recorded_at=now, payload=payload)
    suggested, rule = suggest(assessment, policy.triage_rules)
    return [opened], {"id": new_id, "opened": True, "noted": False,
                      "suggested_severity": suggested.value, "rule": rule.name}


def decide_take(state: IncidentState, actor: str, at: datetime, now: datetime) -> Event:
    """`actor` becomes the commander of an unowned escalation ("own it end to end")."""
    holder = state.roles.get("incident_commander")
    if holder == actor:
        raise Refused(f"{state.id} is already yours")
    if holder:
        raise Refused(f"{state.id} is owned by {holder}; they can hand it over "
                      f"(assign incident_commander)")
    return Event(incident_id=state.id, kind=EventKind.ROLE_ASSIGNED, actor=actor, occurred_at=at,
                 recorded_at=now, payload={"role": "incident_commander", "person": actor,
                                           "previous": None, "taken": True})


def _status_words(command: Any) -> str:
    if command.status == "resolved":
        stamp = command.at.strftime("%Y-%m-%d %H:%M UTC") if command.at else "now"
        return f"all alerts resolved at {stamp}"
    if command.status == "acknowledged":
        return "acknowledged"
    if command.status == "annotated":
        return "note added"
    return f"alert fired again: {command.title}"


