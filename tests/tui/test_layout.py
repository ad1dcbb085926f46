"""Layout from 80x24 (tabbed under a status strip) to 200x60 (every pane at once)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.tui.conftest import ready
from warroom.tui.app import WarRoomApp

PANES = ["timeline", "sla", "next-update", "commitments", "roles"]


def visible(app: WarRoomApp) -> set[str]:
    main = app.main
    assert main is not None
    return {p for p in PANES if main.query_one(f"#{p}").display
            and main.query_one(f"#{p}").region.area > 0}


def screen_text(app: WarRoomApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


@pytest.mark.parametrize("size", [(160, 48), (200, 60), (120, 36)])
async def test_all_panes_at_once_when_there_is_room(
        demo_app: Callable[..., WarRoomApp], size: tuple[int, int]) -> None:
    app = demo_app()
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        assert visible(app) == set(PANES)
        text = screen_text(app)
        for expected in ("ESC-1", "Northwind Bank", "▲ AT RISK", "✖ OVERDUE", "maria.chen",
                         "Next customer update", "Rollout complete"):
            assert expected in text, expected


async def test_80x24_tabs_keep_the_essentials_in_view(
        demo_app: Callable[..., WarRoomApp]) -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert visible(app) == {"timeline"}
        text = screen_text(app)
        # header and status strip: how bad, who owns it, next update, overdue promises
        for expected in ("ESC-1", " P0 ", "MONITORING", "you: maria.chen · incident commander",
                         "SPOC james.okafor", "Next update", "✖ 1 OVERDUE", "10:00 UTC",
                         "▲ AT RISK Resolve"):
            assert expected in text, expected
        for key, pane in zip("2345", PANES[1:], strict=True):
            await pilot.press(key)
            await pilot.pause()
            assert visible(app) == {pane}
        await pilot.press("2")
        await pilot.pause()
        assert "▲ AT RISK   Resolve" in screen_text(app)
        await pilot.press("1")
        await pilot.pause()
        assert app.focused is app.main.timeline if app.main else False


async def test_resizing_switches_layout(demo_app: Callable[..., WarRoomApp]) -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.resize_terminal(200, 60)
        await pilot.pause()
        assert visible(app) == set(PANES)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert visible(app) == {"timeline"}
