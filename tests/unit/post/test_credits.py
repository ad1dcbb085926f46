"""Credits: exact arithmetic per started hour, caps, tiers, and approval."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.factories import T0, hours, minutes
from tests.unit.post.helpers import incident, post_policy, run
from warroom.domain.credits import breach_of_resolve, credit_for, credit_view, suggest_credit
from warroom.domain.errors import Refused, RightRequired
from warroom.domain.models import EventKind
from warroom.domain.policy import CustomerTier
from warroom.domain.post_commands import CreditApprove

POLICY = post_policy()
STRATEGIC = CustomerTier(monthly_fee=50000.0, credit_percent_per_hour=5.0,
                         credit_cap_percent=30.0)


@pytest.mark.parametrize(("seconds", "hours_", "percent", "amount", "capped"), [
    (0, 0, "0", "0.00", False),
    (-30, 0, "0", "0.00", False),
    (1, 1, "5", "2500.00", False),
    (3600, 1, "5", "2500.00", False),
    (3601, 2, "10", "5000.00", False),
    (6 * 3600, 6, "30", "15000.00", False),
    (6 * 3600 + 1, 7, "30", "15000.00", True),
    (100 * 3600, 100, "30", "15000.00", True),
])
def test_credit_per_started_hour_capped(seconds: int, hours_: int, percent: str, amount: str,
                                        capped: bool) -> None:
    got = credit_for(timedelta(seconds=seconds), STRATEGIC)
    assert got == (hours_, Decimal(percent), Decimal(amount), capped)


def test_credit_rounds_half_up_to_cents_in_decimal() -> None:
    tier = CustomerTier(monthly_fee=999.99, credit_percent_per_hour=1.5, credit_cap_percent=50)
    # 3 started hours -> 4.5 % of 999.99 = 44.99955 -> 45.00
    assert credit_for(hours(2) + minutes(1), tier) == (3, Decimal("4.5"), Decimal("45.00"), False)
    tier = CustomerTier(monthly_fee=0.1, credit_percent_per_hour=0.1, credit_cap_percent=0)
    # float 0.1 * 3 would be 0.30000000000000004; no cap (0) means at most 100 %.
    assert credit_for(hours(3), tier)[1] == Decimal("0.3")
    big = CustomerTier(monthly_fee=100.0, credit_percent_per_hour=40.0, credit_cap_percent=0)
    assert credit_for(hours(5), big) == (5, Decimal(100), Decimal("100.00"), True)


def test_suggestion_from_the_resolve_clock() -> None:
    # P1: resolve due 24 h after receipt; resolved 26h30m after -> 3 started hours late.
    state = incident(severity="P1", resolved_after=hours(26) + minutes(30)).state()
    assert breach_of_resolve(state, POLICY, T0 + hours(40)) == (hours(2) + minutes(30), True)
    s = suggest_credit(state, POLICY, T0 + hours(40))
    assert s is not None
    assert (s.tier, s.started_hours, s.percent, s.amount, s.capped, s.provisional) == (
        "strategic", 3, 15.0, 7500.0, False, False)
    assert s.breach_seconds == 9000.0


def test_suggestion_is_capped_and_provisional_while_open() -> None:
    state = incident(severity="P0", customer="Globex").state()  # P0: 4 h to resolve
    s = suggest_credit(state, POLICY, T0 + hours(4) + minutes(1))
    assert s is not None
    assert (s.tier, s.started_hours, s.percent, s.amount, s.provisional) == (
        "enterprise", 1, 2.0, 400.0, True)
    s = suggest_credit(state, POLICY, T0 + hours(30))
    assert s is not None
    assert (s.started_hours, s.percent, s.amount, s.capped) == (26, 20.0, 4000.0, True)


def test_a_pause_moves_the_due_time_and_so_the_breach() -> None:
    log = incident(severity="P0", customer="Northwind")
    log.pause(T0 + hours(1))
    log.resume(T0 + hours(3))          # due moves from +4h to +6h
    log.resolve(T0 + hours(7))
    state = log.state()
    assert breach_of_resolve(state, POLICY, T0 + hours(8)) == (hours(1), True)
    s = suggest_credit(state, POLICY, T0 + hours(8))
    assert s is not None and s.amount == 2500.0


def test_met_in_time_or_without_tier() -> None:
    state = incident(resolved_after=hours(1)).state()
    s = suggest_credit(state, POLICY, T0 + hours(2))
    assert s is not None and (s.started_hours, s.amount) == (0, 0.0)
    assert suggest_credit(incident(customer="Nowhere").state(), POLICY, T0) is None
    # Unknown customers fall back to the standard tier.
    state = incident(severity="P0", customer="Initech", resolved_after=hours(5)).state()
    view = credit_view(state, POLICY, T0 + hours(6))
    assert view["suggested"]["tier"] == "standard"
    assert view["suggested"]["amount"] == 20.0
    assert view["approved"] is None


def test_approve_the_suggestion_needs_the_right_and_is_recorded() -> None:
    log = incident(severity="P1", resolved_after=hours(26) + minutes(30))
    with pytest.raises(RightRequired, match="approve_credit"):
        run(log, CreditApprove(incident_id="ESC-1"), POLICY, actor="zed")
    log.assign(T0, "exec_sponsor", "zed")
    result = run(log, CreditApprove(incident_id="ESC-1", reason="per contract"), POLICY,
                 actor="zed", now=T0 + hours(30))
    assert result == {"id": "ESC-1", "amount": 7500.0, "percent": 15.0}
    assert log.events[-1].kind is EventKind.CREDIT_APPROVED
    credit = log.state().credits[0]
    assert (credit["amount"], credit["approved_by"], credit["reason"]) == (
        7500.0, "zed", "per contract")
    assert credit["suggested"]["started_hours"] == 3
    with pytest.raises(Refused, match="already approved"):
        run(log, CreditApprove(incident_id="ESC-1", amount=1.0), POLICY)


def test_approve_an_amount_or_a_percent() -> None:
    log = incident(severity="P1", customer="Globex", resolved_after=hours(1))
    with pytest.raises(Refused, match="no credit is suggested"):
        run(log, CreditApprove(incident_id="ESC-1"), POLICY)
    assert run(log, CreditApprove(incident_id="ESC-1", percent=2.5), POLICY) == {
        "id": "ESC-1", "amount": 500.0, "percent": 2.5}
    log2 = incident(severity="P1", customer="Globex", resolved_after=hours(1))
    assert run(log2, CreditApprove(incident_id="ESC-1", amount=300.0), POLICY) == {
        "id": "ESC-1", "amount": 300.0, "percent": 1.5}


def test_approve_refused_before_resolution() -> None:
    with pytest.raises(Refused, match="not resolved"):
        run(incident(), CreditApprove(incident_id="ESC-1", amount=10.0), POLICY)
