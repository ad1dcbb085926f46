"""Live sync: a change made elsewhere (another console, the CLI) shows with no key pressed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from tests.tui.conftest import ready, until
from warroom.demo import IC, SPOC
from warroom.domain import commands as c
from warroom.domain.models import EventKind
from warroom.service import WarRoom
from warroom.tui.app import WarRoomApp

AppFactory = Callable[..., WarRoomApp]


async def test_change_by_another_writer_shows_within_a_second(
        demo_app: AppFactory, demo_path: Path, open_service: Callable[..., WarRoom]) -> None:
    app = demo_app()
    cli = open_service(demo_path)  # like `warroom note` in another terminal
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        main = app.main
        assert main is not None
        loop = asyncio.get_running_loop()
        start = loop.time()
        await asyncio.to_thread(cli.execute, c.Assign(incident_id="ESC-1", role="scribe",
                                                      person="ana.silva"), IC)
        await until(pilot, lambda: main.board is not None
                    and main.board.state.roles.get("scribe") == "ana.silva", timeout=1.0)
        await until(pilot, lambda: main.timeline.events[-1].kind is EventKind.ROLE_ASSIGNED,
                    timeout=1.0)
        assert loop.time() - start < 1.0
        roles = str(main.query_one("#roles").render())
        assert "ana.silva" in roles


async def test_two_consoles_on_one_store(demo_app: AppFactory) -> None:
    first, second = demo_app(), demo_app(user=SPOC)
    async with first.run_test(size=(120, 40)) as one, second.run_test(size=(120, 40)) as two:
        await ready(one)
        await ready(two)
        first.submit(c.Note(incident_id="ESC-1", text="seen by both"))
        main = second.main
        assert main is not None
        await until(two, lambda: main.timeline.events[-1].payload.get("text") == "seen by both")


async def test_new_escalation_elsewhere_reaches_the_list(
        demo_app: AppFactory, demo_path: Path, open_service: Callable[..., WarRoom]) -> None:
    app = demo_app()
    cli = open_service(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await asyncio.to_thread(cli.execute, c.Open(title="Reports delayed", customer="Contoso"),
                                SPOC)
        await until(pilot, lambda: "ESC-2" in app.states)
