"""`[severities.P0|P1|P2]`: the clock targets per severity."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

from warroom.config.schema.base import PositiveDuration, Section, problem
from warroom.domain.models import Severity

_OPTIONAL = {"optional", "none", "off"}


def _optional(value: Any) -> Any:
    """`pir_due = "optional"` (or `false`) means no PIR clock."""
    if value is False or (isinstance(value, str) and value.lower() in _OPTIONAL):
        return None
    return value


class SeverityTargets(Section):
    """`[severities.NAME]`."""

    label: str = ""
    triage: PositiveDuration
    first_update: PositiveDuration
    update_every: PositiveDuration
    resolve: PositiveDuration
    pir_due: Annotated[PositiveDuration | None, BeforeValidator(_optional)] = None
    calendar: str = "always"
    """Which `[calendars]` entry the clocks count in (checked by the root model)."""


def _every_severity(table: dict[Severity, SeverityTargets]) -> dict[Severity, SeverityTargets]:
    for severity in Severity:
        if severity not in table:
            raise problem(f"missing [severities.{severity}]")
    return table


Severities = Annotated[dict[Severity, SeverityTargets], AfterValidator(_every_severity)]
"""Targets for every severity."""
