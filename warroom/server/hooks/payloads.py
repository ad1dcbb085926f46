"""What alert senders post, validated (pydantic): Alertmanager v4, PagerDuty v3, generic JSON.

Senders' own payloads ignore fields we do not use (their versions add fields); the generic body is
ours, documented in the OpenAPI schema, so unknown fields there are refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, Strict, StringConstraints

Key = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
Text = Annotated[str, StringConstraints(max_length=10_000)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class _Sent(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class AlertmanagerAlert(_Sent):
    """One alert of a notification."""

    status: Literal["firing", "resolved"]
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    startsAt: AwareDatetime
    endsAt: datetime | None = None
    fingerprint: str = ""
    generatorURL: str = ""


class AlertmanagerPayload(_Sent):
    """Alertmanager's webhook notification (version 4)."""

    version: Literal["4"] = "4"
    groupKey: Key
    status: Literal["firing", "resolved"]
    receiver: str = ""
    groupLabels: dict[str, str] = Field(default_factory=dict)
    commonLabels: dict[str, str] = Field(default_factory=dict)
    commonAnnotations: dict[str, str] = Field(default_factory=dict)
    externalURL: str = ""
    alerts: Annotated[list[AlertmanagerAlert], Field(min_length=1, max_length=10_000)]


class PagerDutyReference(_Sent):
    """A `*_reference` object (service, incident, user)."""

    id: str = ""
    summary: str = ""


class PagerDutyIncident(_Sent):
    """`event.data` of `incident.*` events whose data type is `incident`."""

    type: Literal["incident"]
    id: Key
    title: Title = "PagerDuty incident"
    status: str = ""
    urgency: str = ""
    number: int | None = None
    html_url: str = ""
    created_at: AwareDatetime | None = None
    service: PagerDutyReference | None = None
    priority: PagerDutyReference | None = None


class PagerDutyNote(_Sent):
    """`event.data` of `incident.annotated` (data type `incident_note`)."""

    type: Literal["incident_note"]
    incident: PagerDutyReference
    content: Text = ""


class PagerDutyEvent(_Sent):
    """The `event` of a v3 webhook."""

    id: Key
    event_type: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    resource_type: str = "incident"
    occurred_at: AwareDatetime
    agent: PagerDutyReference | None = None
    data: Annotated[PagerDutyIncident | PagerDutyNote, Field(discriminator="type")]


class PagerDutyPayload(_Sent):
    """A PagerDuty v3 webhook body."""

    event: PagerDutyEvent


class GenericAlert(BaseModel):
    """The generic hook's body: anything that can POST JSON can open a war room."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dedup_key: Key
    """One escalation per key while it is open; repeats become timeline notes."""
    title: Title
    customer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                               max_length=200)] | None = None
    """Required unless `[hooks.generic] default_customer` is set."""
    status: Literal["firing", "resolved"]
    impact: Literal["outage", "degraded", "minor"] | None = None
    affected: Annotated[int, Strict(), Field(ge=0, le=10_000_000)] | None = None
    """A JSON number (a string such as "5" is refused)."""
    component: Annotated[str, StringConstraints(max_length=100)] | None = None
    category: Annotated[str, StringConstraints(max_length=100)] | None = None
    details: Text | None = None
    started_at: AwareDatetime | None = None
    """When the problem began (default: when the hook received it)."""

