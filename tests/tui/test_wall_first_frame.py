"""The wallboard's first frame is drawn once: each card is composed in the room the grid will
give it, with its text and its layout, so nothing is built or laid out again when it is shown."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import FrozenClock
from tests.tui.conftest import NOW, ready, until
from warroom.domain.commands import Open
from warroom.domain.models import Severity
from warroom.service import WarRoom
from warroom.tui.launch import make_app
from warroom.tui.screens.wall import card_rooms
from warroom.tui.widgets.card import EscalationCard


def opened(service: WarRoom, count: int) -> WarRoom:
    for n in range(count):
        service.execute(Open(title=f"Outage {n}" + " in the eu-west payment gateway" * (n % 3),
                             customer=f"Customer {n}", severity=Severity.P1), "ana")
    return service


@pytest.mark.parametrize(("count", "size"), [
    (1, (160, 48)), (3, (160, 48)), (5, (177, 38)), (12, (160, 48)), (4, (80, 24)),
    (7, (123, 41)), (2, (81, 25))])
async def test_each_card_is_composed_in_the_room_it_is_given(
        count: int, size: tuple[int, int], tmp_path: Path,
        open_service: Callable[..., WarRoom]) -> None:
    app = make_app(opened(open_service(tmp_path / "wall.db"), count), user="ana",
                   clock=FrozenClock(NOW), bell=False, wall=True)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        cards = list(app.screen.query(EscalationCard))
        assert len(cards) == count
        # the room each card was built for is the one the grid gave it ...
        assert [c.content_region.size for c in cards] == card_rooms(count, size[0] - 2,
                                                                     size[1] - 1)
        # ... so each built its text and chose its layout once, before it was mounted
        assert [c.renders for c in cards] == [1] * count


async def test_a_heartbeat_rebuilds_each_card_once_in_the_same_layout(
        tmp_path: Path, open_service: Callable[..., WarRoom]) -> None:
    clock = FrozenClock(NOW)
    app = make_app(opened(open_service(tmp_path / "wall.db"), 4), user="ana", clock=clock,
                   bell=False, wall=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        cards = list(app.screen.query(EscalationCard))
        layouts = [sorted(c.classes) for c in cards]
        before = [str(c.query_one("#card-clocks").render()) for c in cards]
        clock.advance(minutes=5)
        await until(pilot, lambda: all(c.renders == 2 for c in cards))
        await pilot.pause()
        assert [c.renders for c in cards] == [2] * 4
        assert [sorted(c.classes) for c in cards] == layouts
        after = [str(c.query_one("#card-clocks").render()) for c in cards]
        assert after != before  # the time left moved on
