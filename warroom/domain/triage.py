"""The severity matrix: suggest a severity from an impact assessment (pure).

Rules are tried in order and the first whose conditions all hold wins. A condition left unset
(None) does not constrain. Config validation requires a final catch-all rule; should none match
anyway, the suggestion is P0 (assume the worst) under the rule `FALLBACK`.
"""

from __future__ import annotations

from collections.abc import Sequence

from warroom.domain.models import ImpactAssessment, Severity
from warroom.domain.policy import TriageRule

__all__ = ["FALLBACK", "matches", "suggest"]

FALLBACK = TriageRule(name="no-rule-matched", severity=Severity.P0)
"""The suggestion when no rule matches."""


def matches(assessment: ImpactAssessment, rule: TriageRule) -> bool:
    """True when every condition `rule` sets holds for `assessment`."""
    if rule.impact is not None and assessment.impact not in rule.impact:
        return False
    if rule.min_affected is not None and assessment.affected < rule.min_affected:
        return False
    if rule.strategic is not None and assessment.strategic != rule.strategic:
        return False
    return rule.data_loss is None or assessment.data_loss == rule.data_loss


def suggest(
    assessment: ImpactAssessment, rules: Sequence[TriageRule]
) -> tuple[Severity, TriageRule]:
    """The suggested severity and the rule that gave it (first match wins)."""
    for rule in rules:
        if matches(assessment, rule):
            return rule.severity, rule
    return FALLBACK.severity, FALLBACK
