"""The SSH gate's counters and its cap on connections not yet logged in.

Unauthenticated connections are capped in all and per source address (and must log in within
the grace time), so bare connections from one address cannot lock others out.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class GateStats:
    """Counters, for the log and the tests."""

    connections: int = 0
    sessions: int = 0
    starting: int = 0
    peak_starting: int = 0
    peak_sessions: int = 0
    started_total: int = 0
    refused: dict[str, int] = field(default_factory=dict)

    def refuse(self, reason: str) -> None:
        """Count one refusal."""
        self.refused[reason] = self.refused.get(reason, 0) + 1


class LoginLimits:
    """How many connections are not yet logged in, in all and per source address."""

    def __init__(self, total: int, per_address: int) -> None:
        self.total = total
        self.per_address = per_address
        self._waiting = 0
        self._waiting_from: dict[str, int] = {}

    def admit(self, address: str) -> tuple[str, str] | None:
        """Count a new connection in, or say why not: (reason, detail) for the log."""
        from_here = self._waiting_from.get(address, 0)
        if from_here >= self.per_address:
            return ("too many connections from one address",
                    f"{from_here} from {address} not yet logged in")
        if self._waiting >= self.total:
            return "too many connections", f"{self._waiting} not yet logged in"
        self._waiting += 1
        self._waiting_from[address] = from_here + 1
        return None

    def release(self, address: str) -> None:
        """Count an admitted connection out (it logged in, or went)."""
        self._waiting -= 1
        left = self._waiting_from.get(address, 1) - 1
        if left > 0:
            self._waiting_from[address] = left
        else:
            self._waiting_from.pop(address, None)
