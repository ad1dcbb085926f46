"""Service credits: the credit a customer's tier suggests for a breach of the resolution clock.

Pure. The customer's tier is `policy.customers[customer].tier` (default `standard`), its policy
`policy.tiers[tier]`. The suggestion is `credit_percent_per_hour` percent of the monthly fee for
every started hour of breach (ceil: 1 s late is one hour), capped at `credit_cap_percent` (a cap
of 0 or less means no cap; 100 % is always the ceiling). The breach is wall-clock time from the
resolve clock's due time to resolution (`met_at`), or to `now` while unresolved (provisional).
Arithmetic is decimal; amounts are rounded half-up to cents.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from warroom.domain.models import ClockName, ClockState, IncidentState
from warroom.domain.policy import CustomerTier, Policy
from warroom.domain.sla import clocks

__all__ = ["CreditSuggestion", "breach_of_resolve", "credit_for", "credit_view", "suggest_credit",
           "tier_of"]

_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)
DEFAULT_TIER = "standard"


def _dec(value: float) -> Decimal:
    return Decimal(str(value))


@dataclass(frozen=True)
class CreditSuggestion:
    """A suggested credit and how it was reached (JSON-ready via `as_dict`)."""

    customer: str
    tier: str
    monthly_fee: float
    breach_seconds: float
    started_hours: int
    percent_per_hour: float
    cap_percent: float
    percent: float
    amount: float
    capped: bool
    provisional: bool
    """True while unresolved: the breach is still growing."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


def tier_of(policy: Policy, customer: str) -> tuple[str, CustomerTier | None]:
    """The customer's tier name and its credit policy (None if the tier is not configured)."""
    settings = policy.customers.get(customer)
    name = settings.tier if settings is not None else DEFAULT_TIER
    return name, policy.tiers.get(name)


def credit_for(breach: timedelta, tier: CustomerTier) -> tuple[int, Decimal, Decimal, bool]:
    """Credit for a breach under a tier.

    Returns:
        `(started_hours, percent, amount, capped)`; zero for no breach.
    """
    seconds = breach.total_seconds()
    hours = math.ceil(seconds / 3600) if seconds > 0 else 0
    raw = hours * _dec(tier.credit_percent_per_hour)
    ceiling = _HUNDRED
    if tier.credit_cap_percent > 0:
        ceiling = min(ceiling, _dec(tier.credit_cap_percent))
    capped = raw > ceiling
    percent = min(raw, ceiling)
    amount = (_dec(tier.monthly_fee) * percent / _HUNDRED).quantize(_CENT, ROUND_HALF_UP)
    return hours, percent, amount, capped


def breach_of_resolve(state: IncidentState, policy: Policy, now: datetime
                      ) -> tuple[timedelta, bool]:
    """How long the resolution clock has been (or was) past due, and whether that is final.

    Returns:
        `(breach, final)`: zero when met in time or not yet due; `final` once resolved.
    """
    clock = clocks(state, policy, now)[ClockName.RESOLVE]
    if clock.due_at is None:
        return timedelta(0), state.resolved_at is not None
    if clock.met_at is not None:
        return max(clock.met_at - clock.due_at, timedelta(0)), True
    if clock.state is ClockState.BREACHED or now > clock.due_at:
        return now - clock.due_at, False
    return timedelta(0), False


def suggest_credit(state: IncidentState, policy: Policy, now: datetime) -> CreditSuggestion | None:
    """The credit suggested for the escalation, or None when its tier has no credit policy."""
    tier_name, tier = tier_of(policy, state.customer)
    if tier is None:
        return None
    breach, final = breach_of_resolve(state, policy, now)
    hours, percent, amount, capped = credit_for(breach, tier)
    return CreditSuggestion(
        customer=state.customer,
        tier=tier_name,
        monthly_fee=tier.monthly_fee,
        breach_seconds=breach.total_seconds(),
        started_hours=hours,
        percent_per_hour=tier.credit_percent_per_hour,
        cap_percent=tier.credit_cap_percent,
        percent=float(percent),
        amount=float(amount),
        capped=capped,
        provisional=not final,
    )


def credit_view(state: IncidentState, policy: Policy, now: datetime) -> dict[str, Any]:
    """`{"suggested": {...} | None, "approved": {...} | None}` for status, PIR and CLI."""
    suggestion = suggest_credit(state, policy, now)
    return {
        "suggested": suggestion.as_dict() if suggestion is not None else None,
        "approved": dict(state.credits[-1]) if state.credits else None,
    }
