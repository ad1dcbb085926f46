"""The wallboard with more open escalations than a screen holds: the most urgent ones, and
the count of all of them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import FrozenClock
from tests.tui.conftest import NOW, ready
from warroom.domain.commands import Open
from warroom.service import WarRoom
from warroom.tui.launch import make_app
from warroom.tui.screens.wall import capacity
from warroom.tui.widgets.card import EscalationCard


async def test_the_wall_shows_the_most_urgent_that_fit(
        tmp_path: Path, open_service: Callable[..., WarRoom], policy: Any) -> None:
    service = open_service(tmp_path / "many.db")
    for n in range(40):
        service.execute(Open(title=f"Outage {n}", customer="Acme"), "ana")
    app = make_app(service, user="ana", clock=FrozenClock(NOW), bell=False, wall=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        cards = list(app.screen.query(EscalationCard))
        fits = capacity(160 - 2, 48 - 1)
        assert len(cards) == fits < 40
        title = str(app.screen.query_one("#wall-title").render())
        assert f"40 open escalation(s) (the {fits} most urgent shown)" in title
