"""The first read: a small local store is read before the first frame (the main screen is the
first screen), a bigger one behind the loading line while a worker reads."""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from textual.widgets import Static

from tests.api.helpers import LiveServer, free_port
from tests.tui.conftest import NOW, ready, until
from warroom.demo import IC
from warroom.domain.models import Event, EventKind
from warroom.gcpause import collector_paused
from warroom.server.tokens import add_token
from warroom.service import WarRoom
from warroom.service.remote import RemoteWarRoom
from warroom.store.outbox import Outbox
from warroom.store.sqlite import SqliteStore
from warroom.tui.app import WarRoomApp
from warroom.tui.launch import make_app
from warroom.tui.screens.loading import LoadingScreen
from warroom.tui.screens.main import MainScreen
from warroom.tui.sync import INLINE_READ_MAX


def notes(count: int) -> list[Event]:
    start = NOW - timedelta(hours=2)
    opened = Event(incident_id="ESC-1", kind=EventKind.OPENED, actor=IC, occurred_at=start,
                   recorded_at=start, payload={"title": "Big", "customer": "Northwind Bank"})
    return [opened, *(
        Event(incident_id="ESC-1", kind=EventKind.NOTE, actor=IC, occurred_at=at,
              recorded_at=at, payload={"text": f"note {n}"})
        for n in range(1, count)
        for at in [start + timedelta(seconds=n)]
    )]


def bottom_screen(app: WarRoomApp) -> object:
    return app.screen_stack[0]


async def test_small_store_composes_the_main_screen_first(
        demo_app: Callable[..., WarRoomApp]) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        assert isinstance(bottom_screen(app), MainScreen)  # no loading frame at all
        await ready(pilot)
        main = app.main
        assert main is not None and main.incident_id == "ESC-1"
        assert main.timeline.events and main.board is not None


async def test_big_store_shows_the_loading_line_then_the_escalation(
        tmp_path: Path, open_service: Callable[..., WarRoom]) -> None:
    path = tmp_path / "big.db"
    store = SqliteStore(path)
    store.append(notes(INLINE_READ_MAX + 500))
    store.close()
    service = open_service(path)
    app = make_app(service, user=IC, clock=service.clock, bell=False)
    async with app.run_test(size=(120, 40)) as pilot:
        assert isinstance(bottom_screen(app), LoadingScreen)
        await ready(pilot)
        main = app.main
        assert main is not None and app.screen is main
        assert len(main.timeline.events) == INLINE_READ_MAX + 500


async def test_empty_store_says_there_is_no_escalation_yet(
        tmp_path: Path, open_service: Callable[..., WarRoom]) -> None:
    service = open_service(tmp_path / "empty.db")
    app = make_app(service, user=IC, clock=service.clock, bell=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        main = app.main
        assert main is not None and main.incident_id is None
        header = str(main.query_one("#header").render())
        assert "no escalation open" in header and "i: new escalation" in header
        assert "loading" not in header


async def test_a_store_that_cannot_be_read_is_retried_with_the_reason_shown(
        tmp_path: Path, policy: Any) -> None:
    """Nothing listens on the server's port at first: the loading screen says why and when it
    tries again, the collector runs meanwhile (the start-up hold is let go), and the console
    shows the escalations as soon as the server is up."""
    path = tmp_path / "server.db"
    SqliteStore(path).close()
    token = add_token(path, "alice")
    server = LiveServer(path, policy)
    server.port = free_port()
    service = RemoteWarRoom.connect(server.url, token=token, policy=policy,
                                    outbox=Outbox(tmp_path / "outbox.db"))
    startup = collector_paused()
    try:
        assert not gc.isenabled()
        app = make_app(service, user="alice", bell=False, startup=startup, retry_s=0.05)
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.connection.startswith("store unavailable: "))
            assert isinstance(app.screen, LoadingScreen)
            await pilot.pause()
            line = str(app.screen.query_one("#loading", Static).render())
            assert line.startswith("warroom · store unavailable: ")
            assert line.endswith(", retrying in 0.05s") and server.url.split("//")[1] in line
            assert gc.isenabled()
            server.start()
            await until(pilot, lambda: app.loaded.is_set())
            assert isinstance(app.screen, MainScreen) and app.main is not None
            assert app.main.incident_id is None
    finally:
        startup.release()
        server.stop()
        service.store.close()
    assert gc.isenabled()
