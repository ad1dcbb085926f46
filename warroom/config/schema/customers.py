"""`[tiers.NAME]` and `[customers.NAME]`: service-credit policy and per-customer settings."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from warroom.config.schema.base import Section, TimeZoneName, names, problem_at


class Tier(Section):
    """`[tiers.NAME]`: per started hour past the resolve target, `credit_percent_per_hour` of
    `monthly_fee` is owed, up to `credit_cap_percent`."""

    monthly_fee: Annotated[float, Field(ge=0)] = 0.0
    credit_percent_per_hour: Annotated[float, Field(ge=0)] = 0.0
    credit_cap_percent: Annotated[float, Field(ge=0, le=100)] = 0.0
    currency: Annotated[str, Field(min_length=1)] = "USD"
    """What `monthly_fee` and credits are counted in (shown on the customer RCA)."""


class CustomerEntry(Section):
    """`[customers.NAME]`, keyed by the customer's name as used on escalations."""

    tier: str = "standard"
    timezone: TimeZoneName | None = None
    strategic: bool = False


def check_tiers(customers: dict[str, CustomerEntry], tiers: dict[str, Tier]) -> None:
    """Every customer's tier is defined."""
    for name, customer in customers.items():
        if customer.tier not in tiers:
            raise problem_at(("customers", name, "tier"), f"unknown tier {customer.tier!r} "
                             f"(known: {names(tiers)})", customer.tier)
