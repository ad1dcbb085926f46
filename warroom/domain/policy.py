"""The policy the domain runs by: SLA targets, calendars, triage matrix, roles, rights, templates.

Pure records. `warroom.config` loads them from TOML (where durations are spelled `15m`, `4h`);
the domain only reads them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

import msgspec

from warroom.domain.models import Audience, Impact, Phase, Severity


class _Strict(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    pass


class SeverityPolicy(_Strict, kw_only=True, frozen=True):
    """SLA targets for one severity."""

    label: str = ""
    triage: timedelta = timedelta(minutes=15)
    first_update: timedelta
    update_every: timedelta
    resolve: timedelta
    pir_due: timedelta | None = None
    """None: a PIR is optional for this severity (the `pir` clock is not applicable)."""
    calendar: str = "always"


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _workweek() -> list[Weekday]:
    return ["mon", "tue", "wed", "thu", "fri"]


class Calendar(_Strict, kw_only=True, frozen=True):
    """When clocks run: `always`, or business hours in a timezone."""

    kind: Literal["always", "business"] = "always"
    timezone: str = "UTC"
    days: list[Weekday] = msgspec.field(default_factory=_workweek)
    start: str = "09:00"
    end: str = "17:00"
    holidays: list[str] = msgspec.field(default_factory=list)
    """ISO dates (YYYY-MM-DD) on which no business hours run."""


class TriageRule(_Strict, kw_only=True, frozen=True):
    """One row of the severity matrix; every condition given must hold. First match wins."""

    name: str
    severity: Severity
    impact: list[Impact] | None = None
    min_affected: int | None = None
    strategic: bool | None = None
    data_loss: bool | None = None


class RoleInfo(_Strict, kw_only=True, frozen=True):
    """A war-room role and what it does."""

    title: str
    duties: list[str] = msgspec.field(default_factory=list)


class Template(_Strict, kw_only=True, frozen=True):
    """A status-update template. `{placeholders}` are filled from state, never evaluated."""

    name: str
    audience: Audience
    severities: list[Severity] = msgspec.field(default_factory=lambda: list(Severity))
    phases: list[Phase] = msgspec.field(default_factory=lambda: list(Phase))
    body: str


class CustomerTier(_Strict, kw_only=True, frozen=True):
    """A customer tier and its service-credit policy."""

    monthly_fee: float = 0.0
    credit_percent_per_hour: float = 0.0
    """Percent of the monthly fee per started hour of resolution breach."""
    credit_cap_percent: float = 0.0
    currency: str = "USD"
    """What `monthly_fee` and credits are counted in (shown on the customer RCA)."""


class Customer(_Strict, kw_only=True, frozen=True):
    """Per-customer settings."""

    tier: str = "standard"
    timezone: str | None = None
    strategic: bool = False


class Person(_Strict, kw_only=True, frozen=True):
    """Someone the war room knows by login: how documents name them, and their team."""

    display_name: str = ""
    team: str = ""


DEFAULT_TEAMS = ["product", "ops"]
"""Who a recurring pattern is flagged to unless `teams` says otherwise."""


class Policy(_Strict, kw_only=True, frozen=True):
    """Everything configurable that the domain consults."""

    at_risk_fraction: float = 0.25
    triage_deadline: timedelta = timedelta(minutes=15)
    severities: dict[Severity, SeverityPolicy]
    calendars: dict[str, Calendar]
    triage_rules: list[TriageRule]
    roles: dict[str, RoleInfo]
    rights: dict[str, list[str]]
    """Decision right -> roles that hold it. The role `anyone` means every person."""
    templates: list[Template] = msgspec.field(default_factory=list)
    tiers: dict[str, CustomerTier] = msgspec.field(default_factory=dict)
    customers: dict[str, Customer] = msgspec.field(default_factory=dict)
    recurrence_window: timedelta = timedelta(days=30)
    flag_due: timedelta = timedelta(days=30)
    people: dict[str, Person] = msgspec.field(default_factory=dict)
    """Login -> display name and team (customer documents never show a login)."""
    teams: list[str] = msgspec.field(default_factory=lambda: list(DEFAULT_TEAMS))
    """Teams a pattern may be flagged to, and that may own corrective actions."""
    backdate_limit: timedelta = timedelta(minutes=5)
    """A customer update back-dated by more than this needs `edit_milestone` and is marked."""

    def for_severity(self, severity: Severity) -> SeverityPolicy:
        """Targets for a severity."""
        return self.severities[severity]

    def calendar_for(self, severity: Severity) -> Calendar:
        """The calendar a severity's clocks run on."""
        return self.calendars[self.severities[severity].calendar]

    def holders(self, right: str) -> list[str]:
        """Roles holding a decision right (empty for an unknown right)."""
        return list(self.rights.get(right, []))
