"""Decision rights: who may do what on an escalation (pure)."""

from __future__ import annotations

from datetime import timedelta

from warroom.domain.errors import RightRequired
from warroom.domain.models import IncidentState
from warroom.domain.policy import Policy

ANYONE = "anyone"
"""The pseudo-role in `[rights]` that every person holds."""
FUTURE_TOLERANCE = timedelta(minutes=1)
"""How far ahead of `now` a command's `at` may lie (clock skew between machines)."""


def holds_right(state: IncidentState | None, policy: Policy, actor: str, right: str) -> bool:
    """Does `actor` hold `right` on this escalation (through any role they hold)?"""
    roles = policy.holders(right)
    if ANYONE in roles:
        return True
    if state is None:
        return False
    return any(state.roles.get(role) == actor for role in roles)


def require_right(state: IncidentState, policy: Policy, actor: str, right: str) -> None:
    """Raise `RightRequired` naming the right and its holders unless `actor` holds it."""
    if not holds_right(state, policy, actor, right):
        raise RightRequired(right, policy.holders(right), state.roles, actor)
