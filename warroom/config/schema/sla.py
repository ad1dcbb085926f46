"""`[sla]`: when a running clock turns at risk."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from warroom.config.schema.base import Section


class Sla(Section):
    """`[sla]`."""

    at_risk: Annotated[float, Field(gt=0, lt=1)] = 0.25
    """A running clock turns `at_risk` when this fraction of its target (or less) remains."""
