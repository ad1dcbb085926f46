"""Status-update templates: safe `{name}` placeholders filled from an escalation (pure).

A body may contain `{name}` placeholders (a name is letters, digits and `_`) and `{{` / `}}` for
literal braces; nothing else inside braces is allowed. Rendering is one pass of plain text
substitution: no attribute access, indexing, format specs or evaluation, and a substituted value
is never scanned again, so text like `{0.__class__}` in a body is an error and in a value is
inert.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from warroom.domain.errors import InvalidInput
from warroom.domain.models import (
    Audience,
    Impact,
    IncidentState,
    Phase,
    Severity,
)
from warroom.domain.next_update import owed
from warroom.domain.policy import Policy, Template
from warroom.domain.timeparse import format_duration

__all__ = ["KNOWN_PLACEHOLDERS", "context_for", "placeholders", "render", "select"]

KNOWN_PLACEHOLDERS: frozenset[str] = frozenset({
    "id", "title", "customer", "severity", "severity_label", "phase", "impact", "affected",
    "business_risk", "summary", "commander", "customer_spoc", "comms_lead", "tech_lead",
    "scribe", "exec_sponsor", "received", "now", "age", "next_update", "next_update_local",
    "customer_update_due", "open_commitments",
})
"""Every placeholder `context_for` fills; config validation rejects any other."""

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FIELD = "template"

_IMPACT_TEXT = {
    Impact.OUTAGE: "service outage",
    Impact.DEGRADED: "degraded service",
    Impact.MINOR: "minor impact",
}
_ROLE_KEYS = {
    "commander": "incident_commander",
    "customer_spoc": "customer_spoc",
    "comms_lead": "comms_lead",
    "tech_lead": "tech_lead",
    "scribe": "scribe",
    "exec_sponsor": "exec_sponsor",
}
_MAX_COMMITMENTS = 3


def _tokens(body: str) -> Iterable[tuple[re.Match[str], str | None]]:
    """Each brace token with its placeholder name (None for `{{` / `}}`); raises on bad ones."""
    for match in _TOKEN.finditer(body):
        token = match.group(0)
        if token in ("{{", "}}"):
            yield match, None
            continue
        name = match.group(1)
        if name is None:
            raise InvalidInput(
                _FIELD, f"unmatched {token!r} at character {match.start() + 1} "
                        f"(write {token * 2} for a literal brace)"
            )
        if not _NAME.fullmatch(name):
            raise InvalidInput(
                _FIELD, f"bad placeholder {token!r}: only {{name}} placeholders are allowed"
            )
        yield match, name


def placeholders(body: str) -> set[str]:
    """The placeholder names a body uses. Raises InvalidInput for malformed braces."""
    return {name for _, name in _tokens(body) if name is not None}


def render(body: str, context: Mapping[str, str]) -> str:
    """Fill `{name}` placeholders from `context`; `{{` and `}}` give literal braces.

    Raises:
        InvalidInput: a placeholder not in `context`, or malformed braces.
    """
    out: list[str] = []
    pos = 0
    for match, name in _tokens(body):
        out.append(body[pos:match.start()])
        pos = match.end()
        if name is None:
            out.append(match.group(0)[0])
        elif name in context:
            out.append(str(context[name]))
        else:
            raise InvalidInput(_FIELD, f"unknown placeholder {{{name}}}")
    out.append(body[pos:])
    return "".join(out)


def select(
    templates: Sequence[Template], severity: Severity, audience: Audience, phase: Phase
) -> list[Template]:
    """Templates for this audience that suit the severity and phase, most specific first.

    Specificity is the number of (severity, phase) cells a template covers: fewer is more
    specific. Ties keep configuration order.
    """
    fitting = [
        t for t in templates
        if t.audience == audience and severity in t.severities and phase in t.phases
    ]
    return sorted(fitting, key=lambda t: (len(t.severities) * len(t.phases), len(t.severities)))


def format_time(when: datetime, now: datetime, zone: tzinfo | None = None) -> str:
    """`14:30 UTC` (or local, e.g. `09:30 EST`), with `Wed 25 Nov` first when not on `now`'s day."""
    tz = zone or UTC
    local = when.astimezone(tz)
    label = "UTC" if zone is None else (local.strftime("%Z") or "local")
    text = f"{local:%H:%M} {label}"
    if local.date() != now.astimezone(tz).date():
        text = f"{local:%a %d %b} {text}"
    return text


NO_PROMISE = "a time we will confirm with you"
"""`{next_update}` in a customer update that promises no time: never a time it did not promise."""


def context_for(
    state: IncidentState, policy: Policy, now: datetime, next_update_at: datetime | None,
    audience: Audience = Audience.CUSTOMER,
) -> dict[str, str]:
    """Placeholder values for an escalation at `now` (keys: `KNOWN_PLACEHOLDERS`).

    Every time about the next customer update comes from `warroom.domain.next_update`:

    - in a customer update, `next_update` is `next_update_at` (the time this update promises)
      or, when it promises none, `NO_PROMISE`: the text never claims a time it did not promise;
    - in an internal or executive update it is when the next customer update is due (the
      `next_update` clock), or `none owed`;
    - `customer_update_due` is always that clock's due time.

    `next_update_local` is `next_update` in the customer's timezone (from `policy.customers`,
    UTC when unset). `age` is how long the escalation has been (or was) open.
    """
    customer = policy.customers.get(state.customer)
    zone = ZoneInfo(customer.timezone) if customer is not None and customer.timezone else None
    due = owed(state, policy).due_at
    due_text = format_time(due, now) if due is not None else "none owed"
    if audience is Audience.CUSTOMER:
        promised = format_time(next_update_at, now) if next_update_at else NO_PROMISE
        promised_local = format_time(next_update_at, now, zone) if next_update_at else NO_PROMISE
    else:
        promised = due_text
        promised_local = format_time(due, now, zone) if due is not None else due_text

    ended = state.resolved_at or now
    label = policy.severities[state.severity].label if state.severity in policy.severities else ""
    context = {
        "id": state.id,
        "title": state.title,
        "customer": state.customer,
        "severity": state.severity.value,
        "severity_label": label or state.severity.value,
        "phase": state.phase.value,
        "impact": _IMPACT_TEXT.get(state.assessment.impact, state.assessment.impact.value),
        "affected": str(state.assessment.affected),
        "business_risk": state.assessment.business_risk.strip() or "not assessed yet",
        "summary": state.resolution_summary.strip() or state.title,
        "received": format_time(state.received_at, now),
        "now": format_time(now, now),
        "age": format_duration(max((ended - state.received_at).total_seconds(), 0.0)),
        "next_update": promised,
        "next_update_local": promised_local,
        "customer_update_due": due_text,
        "open_commitments": _commitments_text(state, now, audience),
    }
    for key, role in _ROLE_KEYS.items():
        context[key] = state.roles.get(role) or "unassigned"
    return context


def _commitments_text(state: IncidentState, now: datetime, audience: Audience) -> str:
    """Open commitments, soonest first, as one short line (`none` when there are none). A
    customer update keeps the promise of the previous one, so it does not list that promise."""
    promises = [c for c in state.open_commitments()
                if audience is not Audience.CUSTOMER or c.source != "update"]
    if not promises:
        return "none"
    parts = [
        c.text if c.source == "update" else f"{c.text} (due {format_time(c.due_at, now)})"
        for c in promises[:_MAX_COMMITMENTS]
    ]
    if len(promises) > _MAX_COMMITMENTS:
        parts.append(f"and {len(promises) - _MAX_COMMITMENTS} more")
    return "; ".join(parts)
