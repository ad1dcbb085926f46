"""Pilot tests: a key whose action is unavailable says why; the key bar never cuts a word."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.tui.conftest import ready, until
from warroom.tui.app import WarRoomApp
from warroom.tui.screens.main import MainScreen
from warroom.tui.widgets.keybar import KeyBar


def toasts(app: WarRoomApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


@pytest.mark.parametrize(("key", "says"), [
    ("t", "ESC-1 is already triaged; change its severity with s"),
    ("X", "ESC-1 is not resolved yet; resolve it with R first"),
    ("F", "no recurring pattern is due to flag"),
    ("o", "ESC-1 already has a commander (maria.chen)"),
])
async def test_an_unavailable_key_says_why(key: str, says: str,
                                           demo_app: Callable[..., WarRoomApp]) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press(key)
        await until(pilot, lambda: says in toasts(app))
        assert app.screen is screen  # nothing else happened
        assert toasts(app).count(says) == 1


@pytest.mark.parametrize("width", [80, 100, 120, 160])
async def test_key_bar_shows_whole_keys_then_help_and_all_actions(
        width: int, demo_app: Callable[..., WarRoomApp]) -> None:
    app = demo_app()
    async with app.run_test(size=(width, 30)) as pilot:
        await ready(pilot)
        await pilot.pause()
        text = str(app.screen.query_one(KeyBar).render()).rstrip()
        assert text.endswith("?  help   ^p  all actions")
        assert "…" not in text and len(text) <= width
        descriptions = [b.binding.description for b in app.screen.active_bindings.values()]
        shown = text.split("   ")
        for part in shown[:-2]:
            word = part.strip().split(" ", 1)[-1].strip()
            assert word in descriptions, (word, text)
