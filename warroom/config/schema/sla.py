"""`[sla]`: when a running clock turns at risk, and how far a customer update may be back-dated."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import Field

from warroom.config.schema.base import PositiveDuration, Section


class Sla(Section):
    """`[sla]`."""

    at_risk: Annotated[float, Field(gt=0, lt=1)] = 0.25
    """A running clock turns `at_risk` when this fraction of its target (or less) remains."""
    backdate_limit: PositiveDuration = timedelta(minutes=5)
    """A customer update back-dated by more than this needs the `edit_milestone` right and is
    marked back-dated (timeline, PIR, trend report), so an SLA outcome is not quietly rewritten."""
