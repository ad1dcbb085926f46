"""Trend figures per customer, per component and per support tier (`by_customer`,
`by_component`, `by_tier`); an escalation on several components counts toward each. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from warroom.domain.credits import tier_of
from warroom.domain.metrics_figures import ClockOutcomes, figures
from warroom.domain.models import IncidentState
from warroom.domain.policy import Policy
from warroom.domain.recurrence import patterns_of

NO_COMPONENT = "(no component)"
"""The `by_component` row of escalations tagged with no component."""


def breakdowns(selected: Sequence[IncidentState], hits: Mapping[str, bool | None],
               ev: ClockOutcomes, policy: Policy) -> dict[str, list[dict[str, Any]]]:
    """`by_customer`, `by_component` and `by_tier` rows (`key` and the figures), the busiest
    group first."""
    customers: dict[str, list[IncidentState]] = {}
    components: dict[str, list[IncidentState]] = {}
    tiers: dict[str, list[IncidentState]] = {}
    for s in selected:
        customers.setdefault(s.customer, []).append(s)
        tiers.setdefault(tier_of(policy, s.customer)[0], []).append(s)
        for _, component in patterns_of(s) or [("", NO_COMPONENT)]:
            components.setdefault(component, []).append(s)

    def rows(groups: dict[str, list[IncidentState]]) -> list[dict[str, Any]]:
        out = [{"key": k, **figures(g, hits, ev)} for k, g in groups.items()]
        out.sort(key=lambda r: (-int(r["escalations"]), str(r["key"]).casefold()))
        return out

    return {"by_customer": rows(customers), "by_component": rows(components),
            "by_tier": rows(tiers)}
