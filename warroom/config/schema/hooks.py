"""`[hooks.alertmanager]`, `[hooks.pagerduty]`, `[hooks.generic]`: how alerts map onto escalations.

Every field has a default, so the hooks work with no config at all: the customer comes from the
label (or field) `customer`, the component from `component`, the category from `category`, the
impact from `impact`, and PagerDuty's signing secret from `$WARROOM_PAGERDUTY_SECRET`.
"""

from __future__ import annotations

from pydantic import Field

from warroom.config.schema.base import Section


class LabelMap(Section):
    """Which label (Alertmanager) or field (generic) carries each escalation attribute."""

    customer: str = "customer"
    impact: str = "impact"
    affected: str = "affected"
    component: str = "component"
    category: str = "category"


class AlertmanagerHook(Section):
    """`[hooks.alertmanager]`."""

    labels: LabelMap = LabelMap()
    default_customer: str | None = None
    """Customer for alerts without the customer label (none: such a payload is refused)."""
    title_annotation: str = "summary"
    """`commonAnnotations` key used as the title, else the label `alertname`."""


class PagerDutyHook(Section):
    """`[hooks.pagerduty]`."""

    secret_env: str = "WARROOM_PAGERDUTY_SECRET"
    """Environment variable holding the webhook subscription's signing secret."""
    services: dict[str, str] = Field(default_factory=dict)
    """PagerDuty service (id or name) → customer."""
    default_customer: str = "unassigned"
    """Customer for incidents of services not in `services`."""
    impact: str | None = None
    """Impact given to escalations opened from PagerDuty (`outage`, `degraded`, `minor`)."""


class GenericHook(Section):
    """`[hooks.generic]`."""

    default_customer: str | None = None
    """Customer when a body names none (none: the body must name one)."""


class Hooks(Section):
    """`[hooks]`: one table per kind of sender."""

    alertmanager: AlertmanagerHook = AlertmanagerHook()
    pagerduty: PagerDutyHook = PagerDutyHook()
    generic: GenericHook = GenericHook()
