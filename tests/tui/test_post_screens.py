"""Pilot tests and snapshots of the post-incident console: the PIR editor, corrective actions
across escalations, the trend report, recurring-pattern flags and the service credit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static, TextArea

from tests.conftest import FrozenClock
from tests.tui.conftest import NOW, ready, until
from warroom.demo import IC, SPOC
from warroom.domain import commands as c
from warroom.domain.post_commands import ActionAdd
from warroom.service import WarRoom
from warroom.tui.app import WarRoomApp
from warroom.tui.launch import make_app
from warroom.tui.palette import palette_commands
from warroom.tui.screens.corrective_actions import CorrectiveActionsScreen
from warroom.tui.screens.form import FormScreen
from warroom.tui.screens.pir import PirScreen
from warroom.tui.screens.trends import TrendsScreen

LATER = NOW + timedelta(hours=2)
"""Resolved two hours after the demo's NOW: the P0's resolution target is breached."""
SnapCompare = Callable[..., bool]
Opener = Callable[..., WarRoom]


@pytest.fixture
def resolved(demo_path: Path, open_service: Opener) -> Path:
    """The demo escalation (ESC-1, P0) resolved at LATER."""
    service = open_service(demo_path, FrozenClock(LATER))
    service.execute(c.Resolve(incident_id="ESC-1", summary="Pool leak fixed"), IC)
    return demo_path


def console(path: Path, open_service: Opener, user: str = IC) -> WarRoomApp:
    clock = FrozenClock(LATER)
    return make_app(open_service(path, clock), user=user, clock=clock, bell=False)


def stored(path: Path, open_service: Opener, incident_id: str = "ESC-1") -> Any:
    """The escalation's state read afresh from the store file."""
    return open_service(path, FrozenClock(LATER)).state(incident_id)


async def open_pir(pilot: Pilot[Any]) -> PirScreen:
    await ready(pilot)
    await pilot.press("P")
    await until(pilot, lambda: isinstance(pilot.app.screen, PirScreen))
    screen = pilot.app.screen
    assert isinstance(screen, PirScreen)
    await until(pilot, lambda: screen.query_one("#pir-timeline", DataTable).row_count > 0)
    return screen


async def fill_form(pilot: Pilot[Any], values: dict[str, str]) -> None:
    await until(pilot, lambda: isinstance(pilot.app.screen, FormScreen))
    for name, value in values.items():
        widget = pilot.app.screen.query_one(f"#field-{name}")
        assert isinstance(widget, Input | Select)
        widget.value = value
    await pilot.pause()
    await pilot.press("ctrl+s")


async def test_pir_edit_action_and_complete(resolved: Path, open_service: Opener) -> None:
    app = console(resolved, open_service)
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_pir(pilot)
        screen.query_one("#pir-root_cause", TextArea).text = \
            "The auth-lookup retry path held its DB connection while backing off."
        screen.query_one("#pir-whys", TextArea).text = (
            "Why did authorisations fail? The ledger pool was exhausted.\n"
            "Why was it exhausted? Retries held connections while backing off.\n"
            "Why did retries hold them? The retry wrapper predates pooling.\n")
        await pilot.pause()
        assert "a root cause" not in str(screen.query_one("#pir-check", Static).render())
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(stored(resolved, open_service).pir.get("whys", [])) == 3)
        await pilot.press("ctrl+n")
        await fill_form(pilot, {"title": "Release the connection before backing off",
                                "owner": "diego.alvarez", "due": "+7d"})
        await until(pilot, lambda: bool(stored(resolved, open_service).actions))
        await until(pilot, lambda: isinstance(app.screen, PirScreen))
        await pilot.press("ctrl+o")
        await until(pilot, lambda: stored(resolved, open_service).pir_completed_at is not None)
    state = stored(resolved, open_service)
    assert state.pir["root_cause"].startswith("The auth-lookup retry path")
    assert len(state.pir["whys"]) == 3
    action = state.actions["A1"]
    assert action["owner"] == "diego.alvarez"
    assert action["due_at"].startswith((LATER + timedelta(days=7)).date().isoformat())
    assert state.pir_completed_at == LATER


async def test_refused_save_keeps_the_draft(resolved: Path, open_service: Opener) -> None:
    app = console(resolved, open_service, user=SPOC)  # the SPOC holds no edit_pir right
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_pir(pilot)
        area = screen.query_one("#pir-root_cause", TextArea)
        area.text = "Human error: Diego should have checked the pool."
        await pilot.pause()
        check = str(screen.query_one("#pir-check", Static).render())
        assert "Blameless check" in check and "human error" in check.casefold()
        await pilot.press("ctrl+s")
        status = screen.query_one("#pir-status", Static)
        await until(pilot, lambda: "refused" in str(status.render()))
        assert "edit_pir" in str(status.render())
        assert app.screen is screen
        assert area.text == "Human error: Diego should have checked the pool."
    assert "root_cause" not in stored(resolved, open_service).pir


async def test_timeline_toggle_and_credit(resolved: Path, open_service: Opener) -> None:
    app = console(resolved, open_service)
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_pir(pilot)
        credit = screen.query_one("#pir-credit", Static)
        assert "Suggested" in str(credit.render())
        table = screen.query_one("#pir-timeline", DataTable)
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("space")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: bool(
            stored(resolved, open_service).pir.get("timeline_include")
            or stored(resolved, open_service).pir.get("timeline_exclude")))
        await pilot.press("ctrl+r")
        await until(pilot, lambda: bool(stored(resolved, open_service).credits))
        await until(pilot, lambda: "Approved" in str(credit.render()))
    assert stored(resolved, open_service).credits[0]["approved_by"] == IC


async def test_actions_screen_overdue_first(resolved: Path, open_service: Opener) -> None:
    service = open_service(resolved, FrozenClock(LATER))
    service.execute(ActionAdd(incident_id="ESC-1", title="Later work", owner="a",
                              due_at=LATER + timedelta(days=3)), IC)
    service.execute(ActionAdd(incident_id="ESC-1", title="Late work", owner="b",
                              due_at=LATER - timedelta(hours=1)), IC)
    service.execute(c.Open(title="Exports delayed", customer="Contoso", severity="P1"), IC)
    service.execute(ActionAdd(incident_id="ESC-2", title="Very late work", owner="c",
                              due_at=LATER - timedelta(days=2)), IC)
    app = console(resolved, open_service)
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(pilot)
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, CorrectiveActionsScreen))
        screen = app.screen
        assert isinstance(screen, CorrectiveActionsScreen)
        await until(pilot, lambda: len(screen.rows) == 3)
        assert [(r["incident_id"], r["id"]) for r in screen.rows] == [
            ("ESC-2", "A1"), ("ESC-1", "A2"), ("ESC-1", "A1")]
        table = screen.query_one(DataTable)
        assert "OVERDUE" in str(table.get_cell_at((0, 0))) and "OVERDUE" not in str(
            table.get_cell_at((2, 0)))
        await pilot.press("d")
        await until(pilot, lambda: stored(resolved, open_service, "ESC-2").actions["A1"][
            "status"] == "done")
        await until(pilot, lambda: len(screen.rows) == 2)
        await pilot.press("enter")
        await until(pilot, lambda: app.main is not None and app.screen is app.main
                    and app.main.incident_id == "ESC-1")


def recurring(path: Path, open_service: Opener) -> None:
    """Two escalations tagged capacity/payments-api within 30 days: a flag is due."""
    service = open_service(path, FrozenClock(LATER))
    service.execute(c.Open(title="Auth errors again", customer="Northwind Bank",
                           severity="P1", component="payments-api", category="capacity"), IC)


async def test_trends_flags_and_header(resolved: Path, open_service: Opener) -> None:
    recurring(resolved, open_service)
    app = console(resolved, open_service)
    async with app.run_test(size=(100, 32)) as pilot:
        await ready(pilot)
        main = app.main
        assert main is not None
        await until(pilot, lambda: "to flag" in main.flags)
        await pilot.press("T")
        await until(pilot, lambda: isinstance(app.screen, TrendsScreen)
                    and app.screen.data is not None)
        screen = app.screen
        assert isinstance(screen, TrendsScreen)
        charts = str(screen.query_one("#trends-charts", Static).render())
        for heading in ("Volume by severity", "MTTA", "SLA breach rate", "Recurrence rate",
                        "Commitments honoured", "by age", "flags due (1)"):
            assert heading in charts
        assert "capacity/payments-api" in charts
        await pilot.press("f")
        await fill_form(pilot, {"to": "product, ops"})
        await until(pilot, lambda: main.flags == "")
    log = open_service(resolved, FrozenClock(LATER)).events()
    assert [e.payload["to"] for e in log if e.kind == "pattern_flagged"] == [["ops", "product"]]


async def test_sla_pane_has_the_pir_clock_and_palette(resolved: Path,
                                                      open_service: Opener) -> None:
    app = console(resolved, open_service)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        assert app.main is not None
        text = str(app.main.query_one("#sla .clock-list", Static).render())
        assert "PIR" in text
        titles = [cmd.title for cmd in palette_commands(app, app.screen)]
        for title in ("Post-incident review (PIR editor)",
                      "Corrective actions across escalations", "Trend report (charts)"):
            assert title in titles


def settle(key: str, ready_when: Callable[[WarRoomApp], object]) -> Any:
    async def run(pilot: Pilot[Any]) -> None:
        app = await ready(pilot)
        await pilot.press(key)
        await until(pilot, lambda: ready_when(app))
        await pilot.pause()

    return run


def test_pir_snapshot(resolved: Path, open_service: Opener, snap_compare: SnapCompare) -> None:
    def loaded(app: WarRoomApp) -> bool:
        return isinstance(app.screen, PirScreen) and \
            app.screen.query_one("#pir-timeline", DataTable).row_count > 0

    assert snap_compare(console(resolved, open_service), terminal_size=(100, 32),
                        run_before=settle("P", loaded))


def test_trends_snapshot(resolved: Path, open_service: Opener,
                         snap_compare: SnapCompare) -> None:
    recurring(resolved, open_service)

    def computed(app: WarRoomApp) -> bool:
        return isinstance(app.screen, TrendsScreen) and app.screen.data is not None

    assert snap_compare(console(resolved, open_service), terminal_size=(100, 32),
                        run_before=settle("T", computed))


async def test_a_refused_field_is_marked_beside_it_until_fixed(
        resolved: Path, open_service: Opener) -> None:
    app = console(resolved, open_service)
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_pir(pilot)
        whys = screen.query_one("#pir-whys", TextArea)
        whys.text = "The pool ran dry\n" + "because " * 300 + "\nNo alert on saturation"
        await pilot.pause()
        await pilot.press("ctrl+s")
        error = screen.query_one("#pir-error-whys", Static)
        await until(pilot, lambda: not error.has_class("-empty"))
        assert "fields.whys[1]" in str(error.render()) and "2000" in str(error.render())
        assert screen.query_one("#pir-error-summary", Static).has_class("-empty")
        assert app.screen is screen and app.focused is whys
        whys.text = "The pool ran dry\nBackoff held connections\nNo alert on saturation"
        await pilot.pause()
        assert error.has_class("-empty")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "done" in str(screen.query_one("#pir-status").render()))
    assert stored(resolved, open_service).pir["whys"][1] == "Backoff held connections"
