"""The TOML layout of a warroom config file, and the checks a type cannot express.

Field names here are the file's keys, so a validation error's location is the key path the user
sees. `check()` finds broken references (roles, calendars, tiers), bad ranges, timezones and
template placeholders. `warroom.config` maps a checked file onto `Policy`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import msgspec

from warroom.domain.errors import InvalidInput
from warroom.domain.models import Audience, Phase, Severity
from warroom.domain.policy import (
    DEFAULT_TEAMS,
    Calendar,
    Customer,
    CustomerTier,
    Person,
    RoleInfo,
    SeverityPolicy,
    TriageRule,
)
from warroom.domain.templates import KNOWN_PLACEHOLDERS, placeholders

ANYONE = "anyone"
"""The pseudo-role in `[rights]` that every person holds."""

_CLOCK_TIME = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


class _Strict(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """A table of the file: unknown keys are refused."""


class ConsoleSettings(_Strict, kw_only=True, frozen=True):
    """`[console]`: how the terminal console looks and who is at the keyboard."""

    theme: str = "warroom-dark"
    """Theme name: a packaged warroom theme or any Textual theme."""
    user: str | None = None
    """The person at this console (default: `$WARROOM_USER`, then the login name)."""


class RemoteSettings(_Strict, kw_only=True, frozen=True):
    """`[remote]`: a `warroom serve` server to use instead of the local store file."""

    url: str | None = None
    """Base URL of the server, e.g. `https://warroom.example.com`."""
    token: str | None = None
    """Access token sent to the server."""


# --- the TOML layout -----------------------------------------------------------------------------


DURATION_KEYS = {
    "severities": ("triage", "first_update", "update_every", "resolve", "pir_due"),
    "recurrence": ("window", "flag_due"),
}
"""Keys holding durations (`15m`, `4h`; read by `warroom.config` before validation), by the
top-level table holding them (`severities` one level deeper, per severity)."""


class _Sla(_Strict, kw_only=True, frozen=True):
    at_risk: Annotated[float, msgspec.Meta(gt=0, lt=1)] = 0.25


class _Recurrence(_Strict, kw_only=True, frozen=True):
    window: timedelta = timedelta(days=30)
    flag_due: timedelta = timedelta(days=30)


class _TemplateEntry(_Strict, kw_only=True, frozen=True):
    audience: Audience
    severities: list[Severity] = msgspec.field(default_factory=lambda: list(Severity))
    phases: list[Phase] = msgspec.field(default_factory=lambda: list(Phase))
    body: str


class FileLayout(_Strict, kw_only=True, frozen=True):
    """The TOML file as written (field names are the file's keys, so error paths match it)."""

    sla: _Sla = msgspec.field(default_factory=_Sla)
    severities: dict[Severity, SeverityPolicy]
    calendars: dict[str, Calendar]
    triage_rules: list[TriageRule]
    roles: dict[str, RoleInfo]
    rights: dict[str, list[str]]
    templates: dict[str, _TemplateEntry] = msgspec.field(default_factory=dict)
    tiers: dict[str, CustomerTier] = msgspec.field(default_factory=dict)
    customers: dict[str, Customer] = msgspec.field(default_factory=dict)
    recurrence: _Recurrence = msgspec.field(default_factory=_Recurrence)
    people: dict[str, Person] = msgspec.field(default_factory=dict)
    teams: list[str] = msgspec.field(default_factory=lambda: list(DEFAULT_TEAMS))
    console: ConsoleSettings = msgspec.field(default_factory=ConsoleSettings)
    remote: RemoteSettings = msgspec.field(default_factory=RemoteSettings)


# --- cross-checks --------------------------------------------------------------------------------

_Problem = tuple[str, str]


def check(cfg: FileLayout, known_rights: set[str] | None) -> _Problem | None:
    """The first problem the types cannot see (references, ranges, placeholders), or None."""
    for step in (_check_severities, _check_calendars, _check_rules, _check_roles,
                 _check_templates, _check_customers):
        problem = step(cfg)
        if problem is not None:
            return problem
    return _check_rights(cfg, known_rights)


def _check_severities(cfg: FileLayout) -> _Problem | None:
    for severity in Severity:
        if severity not in cfg.severities:
            return "severities", f"missing [severities.{severity}]"
    for severity, targets in cfg.severities.items():
        for field in ("triage", "first_update", "update_every", "resolve", "pir_due"):
            value = getattr(targets, field)
            if value is not None and value <= timedelta(0):
                return f"severities.{severity}.{field}", "must be a positive duration"
        if targets.calendar not in cfg.calendars:
            return (f"severities.{severity}.calendar",
                    f"unknown calendar {targets.calendar!r} (known: {_names(cfg.calendars)})")
    for field in ("window", "flag_due"):
        if getattr(cfg.recurrence, field) <= timedelta(0):
            return f"recurrence.{field}", "must be a positive duration"
    return None


def _check_calendars(cfg: FileLayout) -> _Problem | None:
    for name, cal in cfg.calendars.items():
        key = f"calendars.{quote_key(name)}"
        problem = _zone_problem(cal.timezone)
        if problem:
            return f"{key}.timezone", problem
        if cal.kind == "always":
            continue
        if not cal.days:
            return f"{key}.days", "a business calendar needs at least one working day"
        if len(set(cal.days)) != len(cal.days):
            return f"{key}.days", "a day is listed twice"
        if not _CLOCK_TIME.match(cal.start):
            return f"{key}.start", f"bad time {cal.start!r} (expected HH:MM, e.g. 09:00)"
        if not (_CLOCK_TIME.match(cal.end) or cal.end == "24:00"):
            return f"{key}.end", f"bad time {cal.end!r} (expected HH:MM, e.g. 17:00)"
        if cal.start == cal.end:
            return f"{key}.end", "the working window is empty (end equals start)"
        for holiday in cal.holidays:
            try:
                date.fromisoformat(holiday)
            except ValueError:
                return f"{key}.holidays", f"bad date {holiday!r} (expected YYYY-MM-DD)"
    return None


def _check_rules(cfg: FileLayout) -> _Problem | None:
    if not cfg.triage_rules:
        return "triage_rules", "at least one rule is needed"
    seen: set[str] = set()
    for index, rule in enumerate(cfg.triage_rules, start=1):
        key = f"triage_rules[{index}]"
        if rule.name in seen:
            return f"{key}.name", f"duplicate rule name {rule.name!r}"
        seen.add(rule.name)
        if rule.min_affected is not None and rule.min_affected < 0:
            return f"{key}.min_affected", "must be zero or more"
    last = cfg.triage_rules[-1]
    if any(v is not None for v in (last.impact, last.min_affected, last.strategic, last.data_loss)):
        return (f"triage_rules[{len(cfg.triage_rules)}]",
                f"the last rule ({last.name!r}) must have no conditions, so that every "
                "escalation gets a severity")
    return None


def _check_roles(cfg: FileLayout) -> _Problem | None:
    if "incident_commander" not in cfg.roles:
        return "roles", "the incident_commander role is required"
    if ANYONE in cfg.roles:
        return f"roles.{ANYONE}", f"{ANYONE!r} is reserved (it means every person in [rights])"
    return None


def _check_rights(cfg: FileLayout, known_rights: set[str] | None) -> _Problem | None:
    for right, roles in cfg.rights.items():
        key = f"rights.{quote_key(right)}"
        if known_rights is not None and right not in known_rights:
            known = ", ".join(sorted(known_rights))
            return key, f"unknown decision right {right!r} (known: {known})"
        for role in roles:
            if role != ANYONE and role not in cfg.roles:
                return key, (f"unknown role {role!r} (known: {_names(cfg.roles)}, or "
                             f"{ANYONE!r})")
    return None


def _check_templates(cfg: FileLayout) -> _Problem | None:
    for name, template in cfg.templates.items():
        key = f"templates.{quote_key(name)}"
        if not template.severities:
            return f"{key}.severities", "lists no severity, so it would never be offered"
        if not template.phases:
            return f"{key}.phases", "lists no phase, so it would never be offered"
        try:
            used = placeholders(template.body)
        except InvalidInput as exc:
            return f"{key}.body", str(exc).removeprefix("template: ")
        unknown = sorted(used - KNOWN_PLACEHOLDERS)
        if unknown:
            return (f"{key}.body",
                    f"unknown placeholder {{{unknown[0]}}} in template {name!r} "
                    f"(known: {', '.join(sorted(KNOWN_PLACEHOLDERS))})")
    return None


def _check_customers(cfg: FileLayout) -> _Problem | None:
    for name, tier in cfg.tiers.items():
        key = f"tiers.{quote_key(name)}"
        for field in ("monthly_fee", "credit_percent_per_hour", "credit_cap_percent"):
            if getattr(tier, field) < 0:
                return f"{key}.{field}", "must be zero or more"
        if tier.credit_cap_percent > 100:
            return f"{key}.credit_cap_percent", "must be at most 100"
    for name, customer in cfg.customers.items():
        key = f"customers.{quote_key(name)}"
        if customer.tier not in cfg.tiers:
            return f"{key}.tier", f"unknown tier {customer.tier!r} (known: {_names(cfg.tiers)})"
        if customer.timezone is not None:
            problem = _zone_problem(customer.timezone)
            if problem:
                return f"{key}.timezone", problem
    return _check_people(cfg)


def _check_people(cfg: FileLayout) -> _Problem | None:
    for required in ("product", "ops"):
        if required not in cfg.teams:
            return "teams", f"must include {required!r} (patterns are flagged to product and ops)"
    for login, person in cfg.people.items():
        if person.team and person.team not in cfg.teams:
            return (f"people.{quote_key(login)}.team",
                    f"unknown team {person.team!r} (known: {', '.join(cfg.teams)})")
    return None


def _zone_problem(name: str) -> str | None:
    try:
        ZoneInfo(name)
    except (KeyError, ValueError, OSError):
        return f"unknown timezone {name!r} (expected an IANA name like 'Europe/London')"
    return None


def _names(table: Mapping[str, Any]) -> str:
    return ", ".join(str(k) for k in table) or "none"


def quote_key(key: str) -> str:
    """A TOML key as written in a key path (quoted unless bare)."""
    return key if _BARE_KEY.match(key) else '"' + key.replace('"', '\\"') + '"'
