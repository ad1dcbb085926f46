"""Payloads onto `Alert` commands (pure): which customer, title, impact and dedup key.

Problems a sender cannot fix by retrying (no customer anywhere, a label that is not a number)
raise `InvalidInput` naming the field, so the route answers 422 and writes nothing.
"""

from __future__ import annotations

from datetime import datetime

from warroom.config.schema.hooks import AlertmanagerHook, GenericHook, PagerDutyHook
from warroom.domain.alerts import AlertStatus
from warroom.domain.commands import Alert
from warroom.domain.errors import InvalidInput
from warroom.domain.models import Impact
from warroom.server.hooks.payloads import (
    AlertmanagerAlert,
    AlertmanagerPayload,
    GenericAlert,
    PagerDutyIncident,
    PagerDutyPayload,
)

PAGERDUTY_STATUS: dict[str, AlertStatus] = {
    "incident.triggered": "firing",
    "incident.acknowledged": "acknowledged",
    "incident.annotated": "annotated",
    "incident.resolved": "resolved",
}
"""The PagerDuty event types we act on; others are accepted and ignored."""


def from_alertmanager(payload: AlertmanagerPayload, settings: AlertmanagerHook) -> Alert:
    """One notification of an Alertmanager group as one `Alert` (the group is the dedup key)."""
    names = settings.labels
    labels = {**_first_labels(payload), **payload.commonLabels}
    customer = labels.get(names.customer) or settings.default_customer
    if not customer:
        raise InvalidInput(f"commonLabels.{names.customer}",
                           "required (or set [hooks.alertmanager] default_customer)")
    title = (payload.commonAnnotations.get(settings.title_annotation)
             or labels.get("alertname") or payload.groupLabels.get("alertname") or "alert")
    firing = [a for a in payload.alerts if a.status == "firing"]
    if payload.status == "resolved":
        ended = [a.endsAt for a in payload.alerts if a.endsAt and a.endsAt.year > 1]
        at = max(ended) if ended else None
        details = f"{len(payload.alerts)} alert(s) resolved"
    else:
        at = None
        details = _describe(firing)
    return Alert(
        hook="alertmanager", key=payload.groupKey, status=payload.status, title=title[:300],
        customer=customer, impact=_impact(labels.get(names.impact), f"commonLabels.{names.impact}"),
        affected=_count(labels.get(names.affected), f"commonLabels.{names.affected}"),
        component=labels.get(names.component), category=labels.get(names.category),
        details=details, at=at,
        started_at=min(a.startsAt for a in firing or payload.alerts),
    )


def from_pagerduty(payload: PagerDutyPayload, settings: PagerDutyHook) -> Alert | None:
    """A PagerDuty v3 event as an `Alert` keyed by the PagerDuty incident id (None: ignored)."""
    event = payload.event
    status = PAGERDUTY_STATUS.get(event.event_type)
    if status is None:
        return None
    data = event.data
    if isinstance(data, PagerDutyIncident):
        incident_id, title = data.id, data.title
        service = data.service
        started: datetime | None = data.created_at or event.occurred_at
        details = _pagerduty_details(data, event.agent.summary if event.agent else "")
    else:
        incident_id, title = data.incident.id, data.incident.summary or "PagerDuty incident"
        service, started = None, None
        details = data.content
    customer = settings.default_customer
    if service is not None:
        customer = (settings.services.get(service.id) or settings.services.get(service.summary)
                    or customer)
    return Alert(
        hook="pagerduty", key=incident_id, status=status, title=title[:300], customer=customer,
        impact=_impact(settings.impact, "hooks.pagerduty.impact"),
        component=service.summary if service is not None and service.summary else None,
        details=details or None, at=event.occurred_at if status != "firing" else None,
        started_at=started,
    )


def from_generic(body: GenericAlert, settings: GenericHook) -> Alert:
    """The generic hook's body as an `Alert`."""
    customer = body.customer or settings.default_customer
    if not customer:
        raise InvalidInput("customer", "required (or set [hooks.generic] default_customer)")
    return Alert(
        hook="generic", key=body.dedup_key, status=body.status, title=body.title,
        customer=customer, impact=_impact(body.impact, "impact"), affected=body.affected,
        component=body.component, category=body.category, details=body.details,
        started_at=body.started_at,
    )


def _first_labels(payload: AlertmanagerPayload) -> dict[str, str]:
    return dict(payload.alerts[0].labels) if payload.alerts else {}


def _describe(firing: list[AlertmanagerAlert]) -> str:
    names = [a.labels.get("alertname", a.fingerprint or "alert") +
             (f" on {a.labels['instance']}" if "instance" in a.labels else "") for a in firing]
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return f"{len(firing)} alert(s) firing: {shown}"


def _pagerduty_details(data: PagerDutyIncident, agent: str) -> str:
    parts = [f"#{data.number}" if data.number is not None else "", data.urgency and
             f"urgency {data.urgency}", data.priority.summary if data.priority else "",
             agent and f"by {agent}", data.html_url]
    return " · ".join(p for p in parts if p)


def _impact(value: str | None, field: str) -> Impact | None:
    if value is None or value == "":
        return None
    try:
        return Impact(value)
    except ValueError:
        choices = ", ".join(i.value for i in Impact)
        raise InvalidInput(field, f"must be one of {choices} (got {value!r})") from None


def _count(value: str | None, field: str) -> int | None:
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise InvalidInput(field, f"must be a whole number (got {value!r})")
    return int(value)
