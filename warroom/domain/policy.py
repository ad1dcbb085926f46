"""The policy the domain runs by: SLA targets, calendars, triage matrix, roles, rights, templates.

Pure models. `warroom.config` loads them from TOML; the domain only reads them.
Durations are stored as seconds; the TOML spells them `15m`, `4h`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from warroom.domain.models import Audience, Impact, Phase, Severity
from warroom.domain.timeparse import parse_duration


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _duration(value: Any) -> Any:
    if isinstance(value, str):
        return parse_duration(value)
    return value


class SeverityPolicy(_Strict):
    """SLA targets for one severity."""

    label: str = ""
    triage: timedelta = timedelta(minutes=15)
    first_update: timedelta
    update_every: timedelta
    resolve: timedelta
    pir_due: timedelta | None = None
    """None: a PIR is optional for this severity (the `pir` clock is not applicable)."""
    calendar: str = "always"

    _parse = field_validator(
        "triage", "first_update", "update_every", "resolve", "pir_due", mode="before"
    )(_duration)


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _workweek() -> list[Weekday]:
    return ["mon", "tue", "wed", "thu", "fri"]


class Calendar(_Strict):
    """When clocks run: `always`, or business hours in a timezone."""

    kind: Literal["always", "business"] = "always"
    timezone: str = "UTC"
    days: list[Weekday] = Field(default_factory=_workweek)
    start: str = "09:00"
    end: str = "17:00"
    holidays: list[str] = Field(default_factory=list)
    """ISO dates (YYYY-MM-DD) on which no business hours run."""


class TriageRule(_Strict):
    """One row of the severity matrix; every condition given must hold. First match wins."""

    name: str
    severity: Severity
    impact: list[Impact] | None = None
    min_affected: int | None = None
    strategic: bool | None = None
    data_loss: bool | None = None


class RoleInfo(_Strict):
    """A war-room role and what it does."""

    title: str
    duties: list[str] = Field(default_factory=list)


class Template(_Strict):
    """A status-update template. `{placeholders}` are filled from state, never evaluated."""

    name: str
    audience: Audience
    severities: list[Severity] = Field(default_factory=lambda: list(Severity))
    phases: list[Phase] = Field(default_factory=lambda: list(Phase))
    body: str


class CustomerTier(_Strict):
    """A customer tier and its service-credit policy."""

    monthly_fee: float = 0.0
    credit_percent_per_hour: float = 0.0
    """Percent of the monthly fee per started hour of resolution breach."""
    credit_cap_percent: float = 0.0


class Customer(_Strict):
    """Per-customer settings."""

    tier: str = "standard"
    timezone: str | None = None
    strategic: bool = False


class Policy(_Strict):
    """Everything configurable that the domain consults."""

    at_risk_fraction: float = 0.25
    triage_deadline: timedelta = timedelta(minutes=15)
    severities: dict[Severity, SeverityPolicy]
    calendars: dict[str, Calendar]
    triage_rules: list[TriageRule]
    roles: dict[str, RoleInfo]
    rights: dict[str, list[str]]
    """Decision right -> roles that hold it. The role `anyone` means every person."""
    templates: list[Template] = Field(default_factory=list)
    tiers: dict[str, CustomerTier] = Field(default_factory=dict)
    customers: dict[str, Customer] = Field(default_factory=dict)
    recurrence_window: timedelta = timedelta(days=30)
    flag_due: timedelta = timedelta(days=30)
    recurrence_lookback: timedelta = timedelta(days=90)

    _parse = field_validator(
        "triage_deadline", "recurrence_window", "flag_due", "recurrence_lookback", mode="before"
    )(_duration)

    def for_severity(self, severity: Severity) -> SeverityPolicy:
        """Targets for a severity."""
        return self.severities[severity]

    def calendar_for(self, severity: Severity) -> Calendar:
        """The calendar a severity's clocks run on."""
        return self.calendars[self.severities[severity].calendar]

    def holders(self, right: str) -> list[str]:
        """Roles holding a decision right (empty for an unknown right)."""
        return list(self.rights.get(right, []))
