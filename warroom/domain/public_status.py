"""A customer's status page as Atlassian Statuspage's public API v2 documents it. Pure.

Only the customer's own escalations, and of their updates only the customer-audience ones:
internal and executive text never reaches a status page. Keys are those of the real
githubstatus data (`/work/shared/data/statuspage`), so Statuspage widgets and clients, and our
own `import statuspage`, read it:

- page: `id, name, url, time_zone, updated_at`;
- incident: `id, name, status, impact, created_at, updated_at, monitoring_at, resolved_at,
  started_at, shortlink, page_id, incident_updates, components`;
- update: `id, status, body, incident_id, created_at, updated_at, display_at,
  affected_components, deliver_notifications, custom_tweet, tweet_id`;
- `status.indicator`: none / minor / major / critical.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from warroom.domain.models import Audience, IncidentState, Phase, Severity

IMPACT = {Severity.P0: "critical", Severity.P1: "major", Severity.P2: "minor"}
"""Severity as Statuspage impact (the inverse of `import statuspage`)."""
UPDATE_STATUS = {Phase.TRIAGE: "investigating", Phase.INVESTIGATING: "investigating",
                 Phase.IDENTIFIED: "identified", Phase.MONITORING: "monitoring",
                 Phase.RESOLVED: "resolved", Phase.CLOSED: "resolved"}
INDICATORS = ("none", "minor", "major", "critical")
DESCRIPTIONS = {"none": "All Systems Operational", "minor": "Minor Service Outage",
                "major": "Partial System Outage", "critical": "Major Service Outage"}


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def page_id(customer: str) -> str:
    """A stable 12-character page id for `customer` (Statuspage ids look like this)."""
    return hashlib.sha256(customer.encode()).hexdigest()[:12]


def _customer_updates(state: IncidentState) -> list[Any]:
    return [u for u in state.updates if u.audience is Audience.CUSTOMER]


def _status(state: IncidentState) -> str:
    if state.resolved_at is not None:
        return "resolved"
    updates = _customer_updates(state)
    return UPDATE_STATUS[updates[-1].phase] if updates else UPDATE_STATUS[state.phase]


def incident(state: IncidentState, page: str, base_url: str) -> dict[str, Any]:
    """One escalation as a Statuspage incident (updates newest first, as Statuspage lists)."""
    updates = _customer_updates(state)
    monitoring = next((u.posted_at for u in updates if u.phase is Phase.MONITORING), None)
    times = [state.received_at, *(u.posted_at for u in updates)]
    if state.resolved_at is not None:
        times.append(state.resolved_at)
    return {
        "id": state.id,
        "name": state.title,
        "status": _status(state),
        "impact": IMPACT[state.severity],
        "created_at": _iso(state.received_at),
        "updated_at": _iso(max(times)),
        "monitoring_at": _iso(monitoring),
        "resolved_at": _iso(state.resolved_at),
        "started_at": _iso(state.received_at),
        "shortlink": f"{base_url}#{state.id}",
        "page_id": page,
        "incident_updates": [
            {
                "id": f"{state.id}-{u.seq}",
                "status": UPDATE_STATUS[u.phase],
                "body": u.body,
                "incident_id": state.id,
                "created_at": _iso(u.posted_at),
                "updated_at": _iso(u.posted_at),
                "display_at": _iso(u.posted_at),
                "affected_components": None,
                "deliver_notifications": True,
                "custom_tweet": None,
                "tweet_id": None,
            }
            for u in reversed(updates)
        ],
        "components": [],
    }


class StatusPage:
    """The documents of one customer's page, from the escalations' states."""

    def __init__(self, customer: str, states: Iterable[IncidentState], base_url: str,
                 now: datetime) -> None:
        self.customer = customer
        self.now = now
        self.base_url = base_url
        self.id = page_id(customer)
        mine = [s for s in states if s.customer == customer]
        self.incidents = [incident(s, self.id, base_url) for s in
                          sorted(mine, key=lambda s: s.received_at, reverse=True)]

    @property
    def unresolved(self) -> list[dict[str, Any]]:
        """Incidents not yet resolved (newest first)."""
        return [i for i in self.incidents if i["status"] != "resolved"]

    def page(self) -> dict[str, Any]:
        """The `page` object."""
        updated = max((i["updated_at"] for i in self.incidents), default=_iso(self.now))
        return {"id": self.id, "name": self.customer, "url": self.base_url,
                "time_zone": "Etc/UTC", "updated_at": updated}

    def status(self) -> dict[str, str]:
        """`{indicator, description}`: the worst impact among unresolved incidents."""
        worst = max((INDICATORS.index(i["impact"]) for i in self.unresolved), default=0)
        indicator = INDICATORS[worst]
        return {"indicator": indicator, "description": DESCRIPTIONS[indicator]}

    def summary_json(self) -> dict[str, Any]:
        """`summary.json`."""
        return {"page": self.page(), "components": [], "incidents": self.unresolved,
                "scheduled_maintenances": [], "status": self.status()}

    def status_json(self) -> dict[str, Any]:
        """`status.json`."""
        return {"page": self.page(), "status": self.status()}

    def incidents_json(self, limit: int = 50) -> dict[str, Any]:
        """`incidents.json`: the latest `limit` incidents."""
        return {"page": self.page(), "incidents": self.incidents[:limit]}

    def unresolved_json(self) -> dict[str, Any]:
        """`incidents/unresolved.json`."""
        return {"page": self.page(), "incidents": self.unresolved}
