"""The console against a `warroom serve` server: live push, commands through the outbox, and
the connection state in the header."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.api.helpers import LiveServer
from tests.tui.conftest import until
from warroom.domain import commands as c
from warroom.server.tokens import add_token
from warroom.service import WarRoom
from warroom.service.remote import RemoteWarRoom
from warroom.store.outbox import Outbox
from warroom.store.sqlite import SqliteStore
from warroom.tui.app import WarRoomApp
from warroom.tui.launch import make_app


def toasts(app: WarRoomApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


@dataclass
class Server:
    live: LiveServer
    local: SqliteStore
    """The server's store file opened here: writes by someone else, and what it holds."""


@contextlib.asynccontextmanager
async def remote_console(tmp_path: Path, policy: Any, size: tuple[int, int],
                         **connect: Any) -> AsyncIterator[tuple[WarRoomApp, Any, Server]]:
    """alice's console over a live server whose store holds ESC-1 (a P1), loaded and
    connected: the app, its pilot, and the server with a store on its file (another writer)."""
    path = tmp_path / "server.db"
    SqliteStore(path).close()
    token = add_token(path, "alice")
    server = Server(LiveServer(path, policy).start(), SqliteStore(path))
    try:
        WarRoom(server.local, policy, server.live.clock).execute(
            c.Open(title="Checkout errors", customer="Northwind Bank", severity="P1"), "alice")
        service = RemoteWarRoom.connect(server.live.url, token=token,
                                        outbox=Outbox(tmp_path / "outbox.db"), **connect)
        try:
            app: WarRoomApp = make_app(service, user="alice", bell=False)
            async with app.run_test(size=size) as pilot:
                await until(pilot, lambda: app.loaded.is_set())
                await until(pilot, lambda: app.connection.startswith("connected"))
                yield app, pilot, server
        finally:
            service.store.close()
    finally:
        server.local.close()
        server.live.stop()


async def test_console_over_a_server(tmp_path: Path, policy: Any) -> None:
    async with remote_console(tmp_path, policy, (120, 40)) as (app, pilot, server):
        main = app.main
        assert main is not None and main.incident_id == "ESC-1"
        assert "● connected" in str(main.query_one("#header").render())

        app.submit(c.Note(incident_id="ESC-1", text="from the remote console"))
        await until(pilot, lambda: any(e.payload.get("text") == "from the remote console"
                                       for e in main.timeline.events))
        assert server.local.read(0)[-1].actor == "alice"

        writer = WarRoom(server.local, policy, server.live.clock)
        await asyncio.to_thread(writer.execute, c.Note(incident_id="ESC-1",
                                                       text="pushed by the server"), "bob")
        await until(pilot, lambda: main.timeline.events[-1].payload.get("text")
                    == "pushed by the server")


async def test_console_flushes_in_the_background_and_shows_refused_commands(
        tmp_path: Path, policy: Any) -> None:
    async with remote_console(tmp_path, policy, (160, 40), backoff=(0.05, 0.2),
                              offline_after=0.2) as (app, pilot, server):
        main = app.main
        assert main is not None
        await asyncio.to_thread(server.live.stop)
        for command in (c.Note(incident_id="ESC-9", text="nowhere"),
                        c.Note(incident_id="ESC-1", text="written offline")):
            app.submit(command)
        await until(pilot, lambda: "(2 pending)" in app.connection)
        assert "2 pending" in str(main.query_one("#header").render())
        await until(pilot, lambda: any("(2 pending)" in t for t in toasts(app)))
        queued = [t for t in toasts(app) if "queued" in t]
        assert [t[-11:] for t in queued] == ["(1 pending)", "(2 pending)"], queued
        assert not [t for t in toasts(app) if "cannot reach" in t], toasts(app)

        await asyncio.to_thread(server.live.start)  # no new command: the console sends them
        await until(pilot, lambda: any(e.payload.get("text") == "written offline"
                                       for e in main.timeline.events))
        await until(pilot, lambda: "⚠ 1" in app.connection
                    and "pending" not in app.connection)
        await pilot.pause()
        header = str(main.query_one("#header").render())
        assert "⚠ 1 queued need attention" in header and "pending" not in header
        # queued in the order submitted: the refused one is entry #1
        assert any(re.search(r"#1 note ESC-9 .*was refused: 404", t)
                   for t in toasts(app)), toasts(app)


async def test_a_form_refused_by_the_server_stays_open_with_the_error_beside_the_field(
        tmp_path: Path, policy: Any) -> None:
    from textual.widgets import Input, Static

    from warroom.tui.screens.form import FormScreen

    async with remote_console(tmp_path, policy, (120, 40)) as (app, pilot, server):
        seq = server.local.last_seq()
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        form.query_one("#field-text", Input).value = "Share the RCA draft"
        form.query_one("#field-due", Input).value = "2020-01-01T10:00:00Z"
        await pilot.pause()
        await pilot.press("ctrl+s")
        error = form.query_one("#error-due", Static)
        await until(pilot, lambda: "must be due after it is made" in str(error.render()))
        assert app.screen is form and server.local.last_seq() == seq
        assert form.query_one("#field-text", Input).value == "Share the RCA draft"
        form.query_one("#field-due", Input).value = "+2h"
        await pilot.pause()
        assert error.has_class("-empty")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is not form)
        assert server.local.read(seq)[-1].payload["text"] == "Share the RCA draft"
