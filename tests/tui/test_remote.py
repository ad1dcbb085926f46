"""The console against a `warroom serve` server: live push, commands through the outbox, and
the connection state in the header."""

from __future__ import annotations

import asyncio
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


async def test_console_over_a_server(tmp_path: Path, policy: Any) -> None:
    path = tmp_path / "server.db"
    SqliteStore(path).close()
    token = add_token(path, "alice")
    server = LiveServer(path, policy).start()
    local = SqliteStore(path)
    try:
        writer = WarRoom(local, policy, server.clock)
        writer.execute(c.Open(title="Checkout errors", customer="Northwind Bank",
                              severity="P1"), "alice")
        service = RemoteWarRoom.connect(server.url, token=token,
                                        outbox=Outbox(tmp_path / "outbox.db"))
        app: WarRoomApp = make_app(service, user="alice", bell=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.loaded.is_set(), timeout=10)
            main = app.main
            assert main is not None and main.incident_id == "ESC-1"
            await until(pilot, lambda: app.connection.startswith("connected"))
            assert "● connected" in str(main.query_one("#header").render())

            app.submit(c.Note(incident_id="ESC-1", text="from the remote console"))
            await until(pilot, lambda: any(e.payload.get("text") == "from the remote console"
                                           for e in main.timeline.events), timeout=5)
            assert local.read(0)[-1].actor == "alice"

            await asyncio.to_thread(writer.execute, c.Note(incident_id="ESC-1",
                                                           text="pushed by the server"), "bob")
            await until(pilot, lambda: main.timeline.events[-1].payload.get("text")
                        == "pushed by the server", timeout=5)
        service.store.close()
    finally:
        local.close()
        server.stop()
