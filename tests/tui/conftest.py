"""Console test fixtures: a real SQLite store file seeded with the demo, a frozen clock, and
helpers to wait (by polling app state, never by sleeping) for workers to report back."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.message import Message
from textual.pilot import Pilot

from tests.conftest import T0, FrozenClock
from warroom.demo import IC, seed
from warroom.service import WarRoom
from warroom.store.sqlite import SqliteStore
from warroom.tui.app import WarRoomApp
from warroom.tui.launch import make_app

NOW = T0
"""The frozen instant every console test runs at."""


@pytest.fixture
def demo_path(tmp_path: Path, policy: Any) -> Path:
    """A store file holding the demo escalation (ESC-1), seeded at NOW."""
    path = tmp_path / "demo.db"
    store = SqliteStore(path)
    seed(WarRoom(store, policy, FrozenClock(NOW)), NOW)
    store.close()
    return path


@pytest.fixture
def open_service(policy: Any) -> Iterator[Callable[..., WarRoom]]:
    """Open services over store files (closed at the end of the test)."""
    stores: list[SqliteStore] = []

    def make(path: Path, clock: FrozenClock | None = None) -> WarRoom:
        store = SqliteStore(path)
        stores.append(store)
        return WarRoom(store, policy, clock or FrozenClock(NOW))

    yield make
    for store in stores:
        store.close()


@pytest.fixture
def demo_app(demo_path: Path, open_service: Callable[..., WarRoom]) -> Callable[..., WarRoomApp]:
    """A console app over the demo store, acting as the commander unless told otherwise."""

    def make(user: str = IC, **kwargs: Any) -> WarRoomApp:
        clock = kwargs.pop("clock", None) or FrozenClock(NOW)
        kwargs.setdefault("bell", False)
        service = open_service(demo_path, clock)
        return make_app(service, user=user, clock=clock, **kwargs)

    return make


async def until(pilot: Pilot[Any], condition: Callable[[], object], timeout: float = 15.0) -> None:
    """Let the app run until `condition()` holds (fails the test after `timeout`: generous, as
    CI shares two cores; a condition that holds returns at once)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {condition}")
        await pilot.pause(0.02)


async def ready(pilot: Pilot[Any]) -> WarRoomApp:
    """Wait until the first read is shown and the store watcher is live."""
    app = pilot.app
    assert isinstance(app, WarRoomApp)
    await until(pilot, lambda: app.loaded.is_set() and app.connection == "live")
    await pilot.pause()
    return app


def of_type(messages: list[Message], kind: type[Message]) -> list[Any]:
    """The messages of one type, in order."""
    return [m for m in messages if isinstance(m, kind)]


def screen_lines(app: WarRoomApp) -> list[str]:
    """The text of the screen as drawn, one string per row."""
    return ["".join(segment.text for segment in strip)
            for strip in app.screen._compositor.render_strips()]
