"""The one way the console says no: an error notice titled "Refused"."""

from __future__ import annotations

from typing import Any, Protocol


class Notifies(Protocol):
    """Anything that shows notices (the app, a screen, a screen's mixin)."""

    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = True) -> None: ...


def notify_refused(where: Notifies, text: str) -> None:
    """Show `text` (plain: never read as markup) as a refusal, long enough to read."""
    where.notify(text, title="Refused", severity="error", timeout=8, markup=False)
