"""Shared fixtures for the post-incident tests: a policy with rights, tiers and customers, and
small builders on top of `tests.factories.Log`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.factories import T0, Log, default_policy
from warroom.domain.models import Event, EventKind, IncidentState
from warroom.domain.policy import Customer, CustomerTier, Policy
from warroom.domain.post_commands import PostCommand
from warroom.domain.post_decide import decide_post, post_events
from warroom.domain.reduce import reduce

RIGHTS = {
    "set_severity": ["incident_commander"],
    "assign_roles": ["incident_commander"],
    "resolve": ["incident_commander"],
    "close": ["incident_commander"],
    "post_customer_update": ["customer_spoc", "comms_lead", "incident_commander"],
    "make_commitment": ["customer_spoc", "incident_commander"],
    "approve_credit": ["exec_sponsor", "incident_commander"],
    "add_note": ["anyone"],
    "edit_pir": ["incident_commander", "tech_lead", "scribe"],
    "complete_pir": ["incident_commander"],
    "manage_actions": ["anyone"],
    "flag_pattern": ["incident_commander", "exec_sponsor"],
}


def post_policy(**overrides: Any) -> Policy:
    """The default policy with the post-incident rights, three tiers and two customers."""
    fields: dict[str, Any] = {
        "rights": RIGHTS,
        "tiers": {
            "strategic": CustomerTier(monthly_fee=50000.0, credit_percent_per_hour=5.0,
                                      credit_cap_percent=30.0),
            "enterprise": CustomerTier(monthly_fee=20000.0, credit_percent_per_hour=2.0,
                                       credit_cap_percent=20.0),
            "standard": CustomerTier(monthly_fee=2000.0, credit_percent_per_hour=1.0,
                                     credit_cap_percent=10.0),
        },
        "customers": {
            "Northwind": Customer(tier="strategic", strategic=True),
            "Globex": Customer(tier="enterprise"),
            "Nowhere": Customer(tier="unpriced"),
        },
    }
    fields.update(overrides)
    return default_policy(**fields)


def incident(
    incident_id: str = "ESC-1",
    *,
    at: datetime = T0,
    severity: str | None = "P1",
    customer: str = "Northwind",
    tags: dict[str, str] | None = None,
    resolved_after: timedelta | None = None,
    commander: str = "ana",
) -> Log:
    """A log: opened (by `commander`), triaged, tagged and maybe resolved."""
    log = Log(incident_id, actor=commander)
    log.opened(at, customer=customer)
    if severity is not None:
        log.triaged(at, severity)
    if tags:
        log.tags(at, **tags)
    if resolved_after is not None:
        log.resolve(at + resolved_after)
    return log


def run(log: Log, command: PostCommand, policy: Policy, actor: str = "ana",
        now: datetime | None = None) -> dict[str, Any]:
    """Decide `command` against the log's state and append the resulting events to the log."""
    state = log.state()
    now = now or (state.updated_at or T0)
    specs, result = decide_post(command, state, policy, actor, now, events=log.events)
    at = command.at or now
    for event in post_events(specs, log.incident_id, actor, at, now):
        log.add(event.kind, event.occurred_at, event.payload, actor)
    return result


def fold(events: list[Event]) -> IncidentState:
    state = reduce(events)
    assert state is not None
    return state


def flagged(incident_id: str, pattern: str, to: list[str], at: datetime, seq: int = 900
            ) -> Event:
    """A `pattern_flagged` event."""
    return Event(seq=seq, incident_id=incident_id, kind=EventKind.PATTERN_FLAGGED, actor="ana",
                 occurred_at=at, recorded_at=at, payload={"pattern": pattern, "to": to})
