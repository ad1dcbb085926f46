"""The configured channels and triggers, as the service and the deliverers read them."""

from __future__ import annotations

from dataclasses import dataclass, field

from warroom.config.schema.channels import Channel, Trigger
from warroom.domain.models import Audience


@dataclass(frozen=True)
class Delivery:
    """`[channels.*]` by name, and `[[triggers]]` in file order."""

    channels: dict[str, Channel] = field(default_factory=dict)
    triggers: tuple[Trigger, ...] = ()

    def matching(self, audience: Audience | str, customer: str) -> list[tuple[str, Channel]]:
        """The channels an update for `audience` on `customer`'s escalation goes to, by name."""
        return [(name, ch) for name, ch in sorted(self.channels.items())
                if ch.wants(audience, customer)]
