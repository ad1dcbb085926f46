"""Snapshots (pytest-textual-snapshot) with a frozen clock and no cursor blink.

Update after a deliberate change with `uv run pytest tests/tui/test_snapshots.py --snapshot-update`
and review the SVGs in `tests/tui/__snapshots__/`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.conftest import FrozenClock
from tests.tui.conftest import NOW, ready, until
from warroom.demo import IC
from warroom.domain import commands as c
from warroom.service import WarRoom
from warroom.tui.app import WarRoomApp
from warroom.tui.launch import make_app
from warroom.tui.screens.composer import ComposerScreen

SnapCompare = Callable[..., bool]


def settle(*keys: str, wait_for: Callable[[WarRoomApp], object] | None = None) -> Any:
    """A run_before: wait for the store to be shown, press keys, wait for a condition."""

    async def run(pilot: Pilot[Any]) -> None:
        app = await ready(pilot)
        for key in keys:
            await pilot.press(key)
        if wait_for is not None:
            await until(pilot, lambda: wait_for(app))
        await pilot.pause()

    return run


@pytest.fixture
def app(demo_app: Callable[..., WarRoomApp]) -> WarRoomApp:
    return demo_app()


def test_main_80x24(app: WarRoomApp, snap_compare: SnapCompare) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle())


def test_main_160x48(app: WarRoomApp, snap_compare: SnapCompare) -> None:
    assert snap_compare(app, terminal_size=(160, 48), run_before=settle())


def test_clocks_tab_80x24(app: WarRoomApp, snap_compare: SnapCompare) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle("2"))


def test_composer(app: WarRoomApp, snap_compare: SnapCompare) -> None:
    def composer_ready(a: WarRoomApp) -> bool:
        return isinstance(a.screen, ComposerScreen) and a.screen._ready

    assert snap_compare(app, terminal_size=(120, 36), run_before=settle("u",
                                                                        wait_for=composer_ready))


def test_guide(app: WarRoomApp, snap_compare: SnapCompare) -> None:
    assert snap_compare(app, terminal_size=(100, 40), run_before=settle(
        "question_mark", wait_for=lambda a: type(a.screen).__name__ == "GuideScreen"))


def test_escalation_list(demo_path: Path, open_service: Callable[..., WarRoom],
                         snap_compare: SnapCompare) -> None:
    service = open_service(demo_path)
    service.execute(c.Open(title="Exports delayed for EU tenants", customer="Contoso",
                           severity="P1", impact="degraded"), "ana.silva")
    app = make_app(service, user=IC, clock=FrozenClock(NOW), bell=False)
    assert snap_compare(app, terminal_size=(140, 20), run_before=settle(
        "e", wait_for=lambda a: type(a.screen).__name__ == "EscalationsScreen"))


def test_triage(tmp_path: Path, open_service: Callable[..., WarRoom],
                snap_compare: SnapCompare) -> None:
    service = open_service(tmp_path / "t.db")
    service.execute(c.Open(title="Login fails for all users", customer="Northwind Bank",
                           impact="outage", affected=3), IC)
    app = make_app(service, user=IC, clock=FrozenClock(NOW), bell=False)
    assert snap_compare(app, terminal_size=(100, 30), run_before=settle(
        "t", wait_for=lambda a: type(a.screen).__name__ == "IntakeScreen"))


@pytest.mark.parametrize("size", [(80, 24), (120, 30), (160, 48)], ids=["80x24", "120x30",
                                                                       "160x48"])
def test_wallboard(size: tuple[int, int], demo_path: Path, open_service: Callable[..., WarRoom],
                   snap_compare: SnapCompare) -> None:
    service = open_service(demo_path)
    app = make_app(service, user=IC, clock=FrozenClock(NOW), bell=False, wall=True)
    assert snap_compare(app, terminal_size=size, run_before=settle())


def test_wallboard_four(demo_path: Path, open_service: Callable[..., WarRoom],
                        snap_compare: SnapCompare) -> None:
    service = open_service(demo_path)
    for n, customer in enumerate(["Contoso", "Fabrikam", "Tailspin"]):
        service.execute(c.Open(title=f"Exports delayed for region {n + 1}", customer=customer,
                               severity="P1", impact="degraded"), "ana.silva")
    app = make_app(service, user=IC, clock=FrozenClock(NOW), bell=False, wall=True)
    assert snap_compare(app, terminal_size=(160, 48), run_before=settle())


@pytest.mark.parametrize("theme", ["warroom-light", "warroom-high-contrast",
                                   "warroom-colour-blind"])
def test_themes(theme: str, demo_app: Callable[..., WarRoomApp],
                snap_compare: SnapCompare) -> None:
    assert snap_compare(demo_app(theme=theme), terminal_size=(120, 36), run_before=settle())
