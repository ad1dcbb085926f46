"""The heartbeat: one injected clock drives every countdown; overdue updates ring once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from tests.conftest import FrozenClock
from tests.tui.conftest import NOW, ready, until
from warroom.domain.models import ClockName, ClockState
from warroom.tui.app import WarRoomApp


async def test_countdowns_follow_the_injected_clock_and_ring_once(
        demo_app: Callable[..., WarRoomApp]) -> None:
    clock = FrozenClock(NOW)
    app = demo_app(clock=clock, bell=True)
    rings: list[int] = []
    app.bell = lambda: rings.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        main = app.main
        assert main is not None and main.board is not None
        assert main.board.update_clock.remaining_s == 12 * 60
        pane = main.query_one("#next-update")
        assert pane.has_class("-ok")

        clock.advance(minutes=13)
        app._tick()
        await pilot.pause()
        assert main.board.now == NOW + timedelta(minutes=13)
        assert main.board.update_clock.state is ClockState.BREACHED
        assert pane.has_class("-breached")
        assert "✖ OVERDUE by 1m00s" in str(pane.query_one(".detail").render())
        assert rings == [1]

        clock.advance(seconds=30)
        app._tick()
        await pilot.pause()
        assert rings == [1]  # once per overdue update, not every second
        assert main.board.clocks[ClockName.RESOLVE].state is ClockState.AT_RISK
        header = str(main.query_one("#header").render())
        assert "10:13:30 UTC" in header and "05:13:30 EST" in header


async def test_overdue_commitment_is_first_and_marked(demo_app: Callable[..., WarRoomApp]) -> None:
    app = demo_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        main = app.main
        assert main is not None
        text = str(main.query_one("#commitments").render())
        first = text.splitlines()[0]
        assert first.startswith("✖ OVERDUE") and "interim summary" in first
        assert main.query_one("#commitments").has_class("-breached")
        await until(pilot, lambda: "1 overdue" in str(main.query_one("#commitments")
                                                      .border_subtitle))
