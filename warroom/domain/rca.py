"""The customer RCA: what `pir ID --format md` sends to the customer (pure, JSON-ready).

Only what the customer should read: times in the customer's timezone (named), a timeline of
what they lived through (detected, first update, mitigated, resolved, and the updates we sent
them) without internal events (triage, phase changes, notes, close), people by role or by their
configured display name (never a login), the resolution, the impact, our commitments and whether
each was kept on time, corrective actions with their owning team and due date, and an approved
credit with its currency (never its internal reason). The internal export is `pir_document`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from warroom.domain.credits import tier_of
from warroom.domain.models import Audience, CommitmentState, Event, EventKind, IncidentState, Phase
from warroom.domain.pir import list_field, pir_gaps, text_field
from warroom.domain.policy import Policy
from warroom.domain.recurrence import natural_id, patterns_of
from warroom.domain.timeparse import parse_iso

__all__ = ["customer_rca", "display_name", "owning_team"]


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def display_name(policy: Policy, person: str) -> str | None:
    """The configured display name of a login, or None (a login is never shown)."""
    found = policy.people.get(person)
    if found is None and "@" in person:
        found = policy.people.get(person.split("@", 1)[0])
    return found.display_name.strip() or None if found is not None else None


def owning_team(policy: Policy, owner: str | None) -> str | None:
    """The team owning an action: the owner's configured team, or the owner if it is a team."""
    if not owner:
        return None
    if owner.casefold() in {t.casefold() for t in policy.teams}:
        return owner
    person = policy.people.get(owner) or (policy.people.get(owner.split("@", 1)[0])
                                           if "@" in owner else None)
    return person.team or None if person is not None else None


def _local(at: datetime | None, zone: tzinfo) -> str | None:
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if at is not None else None


def _time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    return parse_iso(value) if isinstance(value, str) and value else None


def _timeline(state: IncidentState, events: Iterable[Event], zone: tzinfo
              ) -> list[dict[str, Any]]:
    rows: list[tuple[datetime, int, str, str]] = [
        (state.received_at, 0, "detected", "We detected the issue and opened an escalation.")]
    sent = sorted((u for u in state.updates if u.audience is Audience.CUSTOMER),
                  key=lambda u: (u.posted_at, u.seq))
    for i, update in enumerate(sent):
        what = "first update" if i == 0 else "update"
        rows.append((update.posted_at, 1, what, update.body.strip()))
    mitigated = next((e.occurred_at for e in sorted(events, key=lambda e: (e.occurred_at, e.seq))
                      if e.incident_id == state.id and e.kind is EventKind.PHASE_CHANGED
                      and e.payload.get("phase") == Phase.MONITORING.value), None)
    if mitigated is not None and (state.resolved_at is None or mitigated <= state.resolved_at):
        rows.append((mitigated, 2, "mitigated", "A fix was in place; we monitored the service."))
    if state.resolved_at is not None:
        rows.append((state.resolved_at, 3, "resolved", "Service was fully restored."))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [{"at": _local(at, zone), "what": what, "text": text} for at, _, what, text in rows]


def _commitments(state: IncidentState, zone: tzinfo, now: datetime) -> list[dict[str, Any]]:
    out = []
    for c in sorted(state.commitments.values(), key=lambda c: natural_id(c.id)):
        kept = c.state in (CommitmentState.MET, CommitmentState.MET_LATE)
        if kept:
            on_time = c.state is CommitmentState.MET and c.closed_at is not None \
                and c.closed_at <= c.due_at
            outcome = "kept on time" if on_time else "kept late"
        elif c.state is CommitmentState.MISSED:
            outcome = "not kept"
        else:
            outcome = "overdue" if now > c.due_at else "in progress"
        out.append({"text": c.text, "due": _local(c.due_at, zone),
                    "kept": _local(c.closed_at, zone) if kept else None,
                    "outcome": outcome})
    return out


def _actions(state: IncidentState, policy: Policy, zone: tzinfo) -> list[dict[str, Any]]:
    out = []
    for action_id in sorted(state.actions, key=natural_id):
        a = state.actions[action_id]
        out.append({"title": str(a.get("title", "")),
                     "team": owning_team(policy, str(a.get("owner") or "") or None),
                     "due": _local(_time(a.get("due_at")), zone),
                     "status": "done" if a.get("status") == "done" else "planned"})
    return out


def _credit(state: IncidentState, policy: Policy) -> dict[str, Any] | None:
    if not state.credits:
        return None
    approved = state.credits[-1]
    _, tier = tier_of(policy, state.customer)
    currency = approved.get("currency") or (tier.currency if tier is not None else "")
    return {"amount": approved.get("amount"), "percent": approved.get("percent"),
            "currency": currency}


def _people(state: IncidentState, policy: Policy) -> list[dict[str, str | None]]:
    out = []
    for role, person in state.roles.items():
        if not person:
            continue
        info = policy.roles.get(role)
        out.append({"role": info.title if info is not None else role.replace("_", " "),
                    "name": display_name(policy, person)})
    return out


def _impact(state: IncidentState) -> dict[str, Any]:
    duration = (state.resolved_at - state.received_at).total_seconds() \
        if state.resolved_at is not None else None
    return {"duration_seconds": duration, "level": state.assessment.impact.value,
            "affected_customers": state.assessment.affected,
            "components": [c for _, c in patterns_of(state)],
            "description": text_field(state, "customer_impact")}


def customer_rca(state: IncidentState, events: Iterable[Event], policy: Policy, now: datetime,
                 ) -> dict[str, Any]:
    """The customer RCA of `state` as a JSON-ready dict (rendered by `reports.rca_export`)."""
    customer = policy.customers.get(state.customer)
    zone_name = customer.timezone if customer is not None and customer.timezone else "UTC"
    zone = _zone(zone_name)
    events = list(events)
    return {
        "id": state.id,
        "title": state.title,
        "customer": state.customer,
        "severity": state.severity.value,
        "timezone": zone_name,
        "zone_abbreviation": state.received_at.astimezone(zone).strftime("%Z"),
        "detected_at": _local(state.received_at, zone),
        "resolved_at": _local(state.resolved_at, zone),
        "complete": not pir_gaps(state),
        "summary": text_field(state, "summary"),
        "impact": _impact(state),
        "timeline": _timeline(state, events, zone),
        "resolution": state.resolution_summary,
        "root_cause": text_field(state, "root_cause"),
        "whys": list_field(state, "whys"),
        "contributing_factors": list_field(state, "contributing_factors"),
        "commitments": _commitments(state, zone, now),
        "corrective_actions": _actions(state, policy, zone),
        "credit": _credit(state, policy),
        "people": _people(state, policy),
        "generated_at": _local(now, zone),
    }

