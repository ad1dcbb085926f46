"""The severity matrix: every row of the default policy, its edges, and rule semantics."""

from __future__ import annotations

import pytest

from warroom.domain.models import Impact, ImpactAssessment, Severity
from warroom.domain.policy import Policy, TriageRule
from warroom.domain.triage import FALLBACK, suggest

OUTAGE, DEGRADED, MINOR = Impact.OUTAGE, Impact.DEGRADED, Impact.MINOR


def check(
    policy: Policy, impact: Impact, affected: int = 0, strategic: bool = False,
    data_loss: bool = False,
) -> tuple[Severity, str]:
    assessment = ImpactAssessment(impact=impact, affected=affected, strategic=strategic,
                                  data_loss=data_loss)
    severity, rule = suggest(assessment, policy.triage_rules)
    assert severity is rule.severity
    return severity, rule.name


@pytest.mark.parametrize(
    ("impact", "affected", "strategic", "data_loss", "expected", "rule"),
    [
        # P0: data loss or security breach, whatever else holds
        (MINOR, 0, False, True, Severity.P0, "data-loss-or-security"),
        (DEGRADED, 1, False, True, Severity.P0, "data-loss-or-security"),
        (OUTAGE, 50, True, True, Severity.P0, "data-loss-or-security"),
        # P0: outage with at least 10 affected
        (OUTAGE, 10, False, False, Severity.P0, "outage-widespread"),
        (OUTAGE, 500, False, False, Severity.P0, "outage-widespread"),
        # P0: outage at a strategic account
        (OUTAGE, 1, True, False, Severity.P0, "outage-strategic"),
        (OUTAGE, 0, True, False, Severity.P0, "outage-strategic"),
        # P1: any other outage
        (OUTAGE, 9, False, False, Severity.P1, "outage"),
        (OUTAGE, 0, False, False, Severity.P1, "outage"),
        # P1: degraded with at least 10 affected, or strategic
        (DEGRADED, 10, False, False, Severity.P1, "degraded-widespread"),
        (DEGRADED, 10, True, False, Severity.P1, "degraded-widespread"),
        (DEGRADED, 1, True, False, Severity.P1, "degraded-strategic"),
        # P2: everything else
        (DEGRADED, 9, False, False, Severity.P2, "default"),
        (MINOR, 100, False, False, Severity.P2, "default"),
        (MINOR, 0, True, False, Severity.P2, "default"),
    ],
)
def test_default_matrix(
    policy: Policy, impact: Impact, affected: int, strategic: bool, data_loss: bool,
    expected: Severity, rule: str,
) -> None:
    assert check(policy, impact, affected, strategic, data_loss) == (expected, rule)


def test_nine_versus_ten_affected(policy: Policy) -> None:
    assert check(policy, OUTAGE, 9)[0] is Severity.P1
    assert check(policy, OUTAGE, 10)[0] is Severity.P0
    assert check(policy, DEGRADED, 9)[0] is Severity.P2
    assert check(policy, DEGRADED, 10)[0] is Severity.P1


def test_first_match_wins() -> None:
    rules = [
        TriageRule(name="first", severity=Severity.P2, impact=[OUTAGE]),
        TriageRule(name="second", severity=Severity.P0, impact=[OUTAGE]),
        TriageRule(name="rest", severity=Severity.P1),
    ]
    severity, rule = suggest(ImpactAssessment(impact=OUTAGE), rules)
    assert (severity, rule.name) == (Severity.P2, "first")


def test_all_conditions_must_hold() -> None:
    rules = [
        TriageRule(name="both", severity=Severity.P0, impact=[DEGRADED, OUTAGE], min_affected=5,
                   strategic=True),
        TriageRule(name="rest", severity=Severity.P2),
    ]
    assert suggest(ImpactAssessment(impact=DEGRADED, affected=5, strategic=True),
                   rules)[1].name == "both"
    assert suggest(ImpactAssessment(impact=DEGRADED, affected=4, strategic=True),
                   rules)[1].name == "rest"
    assert suggest(ImpactAssessment(impact=DEGRADED, affected=5, strategic=False),
                   rules)[1].name == "rest"
    assert suggest(ImpactAssessment(impact=MINOR, affected=5, strategic=True),
                   rules)[1].name == "rest"


def test_false_condition_matches_false_only() -> None:
    rules = [
        TriageRule(name="not-strategic", severity=Severity.P2, strategic=False),
        TriageRule(name="rest", severity=Severity.P1),
    ]
    assert suggest(ImpactAssessment(strategic=False), rules)[1].name == "not-strategic"
    assert suggest(ImpactAssessment(strategic=True), rules)[1].name == "rest"


def test_no_match_assumes_the_worst() -> None:
    rules = [TriageRule(name="only-outage", severity=Severity.P2, impact=[OUTAGE])]
    assert suggest(ImpactAssessment(impact=MINOR), rules) == (Severity.P0, FALLBACK)
    assert suggest(ImpactAssessment(), []) == (Severity.P0, FALLBACK)
