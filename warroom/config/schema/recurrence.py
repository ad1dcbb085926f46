"""`[recurrence]`: when a pattern seen again raises a flag."""

from __future__ import annotations

from datetime import timedelta

from warroom.config.schema.base import PositiveDuration, Section


class Recurrence(Section):
    """`[recurrence]`."""

    window: PositiveDuration = timedelta(days=30)
    """A pattern seen again within this raises a flag (and counts toward the recurrence rate)."""
    flag_due: PositiveDuration = timedelta(days=30)
    """The flag is due to product and ops within this."""
