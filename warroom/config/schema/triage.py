"""`[[triage_rules]]`: the severity matrix, first match wins."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from warroom.config.schema.base import Section, problem, problem_at
from warroom.domain.models import Impact, Severity


class TriageRule(Section):
    """One `[[triage_rules]]` row: the severity when every condition given holds."""

    name: str
    severity: Severity
    impact: list[Impact] | None = None
    min_affected: Annotated[int, Field(ge=0)] | None = None
    strategic: bool | None = None
    data_loss: bool | None = None


def _complete(rules: list[TriageRule]) -> list[TriageRule]:
    if not rules:
        raise problem("at least one rule is needed")
    seen: set[str] = set()
    for index, rule in enumerate(rules):
        if rule.name in seen:
            raise problem_at((index, "name"), f"duplicate rule name {rule.name!r}", rule.name)
        seen.add(rule.name)
    last = rules[-1]
    if any(v is not None for v in (last.impact, last.min_affected, last.strategic, last.data_loss)):
        raise problem_at((len(rules) - 1,),
                         f"the last rule ({last.name!r}) must have no conditions, so that every "
                         "escalation gets a severity")
    return rules


TriageRules = Annotated[list[TriageRule], AfterValidator(_complete)]
"""Ordered rules; the last one has no conditions."""
