"""An escalation opened by an alert is flagged unowned until someone presses `o` to take it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import FrozenClock
from tests.tui.conftest import NOW, ready, until
from warroom.domain.commands import Alert
from warroom.service import WarRoom
from warroom.tui.launch import make_app


async def test_o_takes_an_unowned_escalation(tmp_path: Path,
                                             open_service: Callable[..., WarRoom]) -> None:
    path = tmp_path / "alerts.db"
    hook = open_service(path)
    hook.execute(Alert(hook="generic", key="k1", status="firing", title="Login errors",
                       customer="Contoso"), "ci-bot")
    clock = FrozenClock(NOW)
    app = make_app(open_service(path, clock), user="lee", clock=clock, bell=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        main = app.main
        assert main is not None and main.board is not None
        header = str(app.screen.query_one("#header").render())
        assert "UNOWNED" in header
        await pilot.press("o")
        await until(pilot, lambda: main.board is not None
                    and main.board.state.roles.get("incident_commander") == "lee")
        await until(pilot, lambda: "UNOWNED" not in str(app.screen.query_one("#header").render()))


async def test_toasts_say_what_was_done_in_words(tmp_path: Path,
                                                 open_service: Callable[..., WarRoom]) -> None:
    path = tmp_path / "alerts.db"
    open_service(path).execute(Alert(hook="generic", key="k1", status="firing",
                                     title="Login errors", customer="Contoso"), "ci-bot")
    clock = FrozenClock(NOW)
    app = make_app(open_service(path, clock), user="lee", clock=clock, bell=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        await pilot.press("o")
        await until(pilot, lambda: any("commander" in n.message for n in app._notifications))
        toast = next(n.message for n in app._notifications if "commander" in n.message)
        assert toast == "✔ You are the commander now · ESC-1"
        assert "Take" not in toast and "done" not in toast
