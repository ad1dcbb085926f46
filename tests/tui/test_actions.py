"""Pilot tests: every console action, asserting on the store and on the messages seen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from textual.message import Message
from textual.widgets import Input, Select

from tests.tui.conftest import NOW, of_type, ready, screen_lines, until
from warroom.demo import EXEC, IC, SPOC, TECH
from warroom.domain import commands as c
from warroom.domain.models import EventKind, Phase, Severity
from warroom.service import WarRoom
from warroom.store.sqlite import SqliteStore
from warroom.tui import messages as m
from warroom.tui.app import WarRoomApp
from warroom.tui.screens.form import FormScreen

AppFactory = Callable[..., WarRoomApp]


def kinds_after(path: Path, seq: int) -> list[str]:
    """Event kinds stored after `seq` (read with a fresh store object)."""
    store = SqliteStore(path)
    try:
        return [str(e.kind) for e in store.read(seq)]
    finally:
        store.close()


async def run_form(pilot: Any, key: str, values: dict[str, Any],
                   seen: list[Message]) -> m.CommandSucceeded | m.CommandRefused:
    """Press `key`, fill the form, save, and wait for the command's outcome."""
    app = pilot.app
    before = len(seen)
    await pilot.press(key)
    await until(pilot, lambda: isinstance(app.screen, FormScreen))
    for name, value in values.items():
        widget = app.screen.query_one(f"#field-{name}")
        if isinstance(widget, Input | Select):
            widget.value = value
    await pilot.pause()
    await pilot.press("ctrl+s")
    outcomes = (m.CommandSucceeded, m.CommandRefused)
    await until(pilot, lambda: any(isinstance(x, outcomes) for x in seen[before:]))
    return next(x for x in seen[before:] if isinstance(x, outcomes))


async def test_add_note(demo_app: AppFactory, demo_path: Path) -> None:
    seen: list[Message] = []
    app = demo_app()
    async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
        await ready(pilot)
        seq = app.service.seq
        outcome = await run_form(pilot, "n", {"text": "Customer confirms recovery"}, seen)
        assert isinstance(outcome, m.CommandSucceeded)
        assert isinstance(outcome.command, c.Note)
        assert kinds_after(demo_path, seq) == ["note"]
        timeline = app.main.timeline if app.main else None
        assert timeline is not None
        await until(pilot, lambda: timeline.events[-1].payload.get("text") ==
                    "Customer confirms recovery")


async def test_note_form_keeps_bad_input_inline(demo_app: AppFactory, demo_path: Path) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        assert "text: must not be empty" in str(app.screen.query_one("#error-text").render())


async def test_make_meet_and_renegotiate_commitments(demo_app: AppFactory, demo_path: Path) -> None:
    seen: list[Message] = []
    app = demo_app()
    async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
        await ready(pilot)
        seq = app.service.seq
        made = await run_form(pilot, "c", {"text": "Share the RCA draft", "due": "+2h"}, seen)
        assert isinstance(made, m.CommandSucceeded)
        cid = made.result["commitment_id"]
        promise = app.service.state("ESC-1").commitments[cid]
        assert promise.due_at == NOW + timedelta(hours=2) and promise.owner == IC

        again = await run_form(pilot, "g", {"id": cid, "due": "+3h",
                                            "reason": "CTO agreed by phone"}, seen)
        assert isinstance(again, m.CommandSucceeded)
        promise = app.service.state("ESC-1").commitments[cid]
        assert promise.state == "renegotiated" and promise.due_at == NOW + timedelta(hours=3)

        met = await run_form(pilot, "m", {"id": cid, "outcome": "met"}, seen)
        assert isinstance(met, m.CommandSucceeded)
        assert app.service.state("ESC-1").commitments[cid].state == "met"
        assert kinds_after(demo_path, seq) == [
            "commitment_made", "commitment_renegotiated", "commitment_met"]


async def test_assign_severity_phase_decide(demo_app: AppFactory, demo_path: Path) -> None:
    seen: list[Message] = []
    app = demo_app()
    async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
        await ready(pilot)
        seq = app.service.seq
        await run_form(pilot, "a", {"role": "scribe", "person": "ana.silva"}, seen)
        await run_form(pilot, "s", {"severity": "P1", "reason": "Errors below 1%"}, seen)
        await run_form(pilot, "h", {"phase": "identified"}, seen)
        await run_form(pilot, "d", {"right": "resolve", "text": "Resolve after 30 quiet min"},
                       seen)
        assert not of_type(seen, m.CommandRefused)
        state = app.service.state("ESC-1")
        assert state.roles["scribe"] == "ana.silva"
        assert state.severity is Severity.P1
        assert state.phase is Phase.IDENTIFIED
        assert state.decisions[-1].text == "Resolve after 30 quiet min"
        assert kinds_after(demo_path, seq) == [
            "role_assigned", "severity_changed", "phase_changed", "decision_recorded"]


async def test_pause_and_resume(demo_app: AppFactory, demo_path: Path) -> None:
    seen: list[Message] = []
    app = demo_app()
    async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
        await ready(pilot)
        await run_form(pilot, "p", {"reason": "Waiting for their logs"}, seen)
        assert app.service.state("ESC-1").paused
        await until(pilot, lambda: app.main is not None and app.main.board is not None
                    and app.main.board.state.paused)
        before = len(seen)
        await pilot.press("p")  # the same key now resumes
        await until(pilot, lambda: of_type(seen[before:], m.CommandSucceeded))
        assert isinstance(of_type(seen[before:], m.CommandSucceeded)[0].command, c.Resume)
        assert not app.service.state("ESC-1").paused


async def test_resolve_then_close_is_refused_with_open_commitments(
        demo_app: AppFactory, demo_path: Path) -> None:
    seen: list[Message] = []
    app = demo_app()
    async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
        await ready(pilot)
        resolved = await run_form(pilot, "R", {"summary": "Leak fixed in 4.11.4"}, seen)
        assert isinstance(resolved, m.CommandSucceeded)
        assert app.service.state("ESC-1").resolved_at == NOW
        await until(pilot, lambda: app.main is not None and app.main.board is not None
                    and app.main.board.state.resolved_at is not None)
        refused = await run_form(pilot, "X", {}, seen)
        assert isinstance(refused, m.CommandRefused)
        assert "open commitments" in refused.text
        assert app.service.state("ESC-1").closed_at is None


async def test_refused_action_names_the_right_and_its_holders(
        demo_app: AppFactory, demo_path: Path) -> None:
    app = demo_app(user=TECH)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("s")  # change severity: incident_commander only
        await pilot.pause()
        assert not isinstance(app.screen, FormScreen)
        texts = [n.message for n in app._notifications]
        assert any("set_severity" in t and f"incident_commander ({IC})" in t for t in texts)


async def test_service_refusal_is_shown(demo_app: AppFactory, demo_path: Path) -> None:
    """A right checked only by the service (recording a decision) is refused with its holders."""
    seen: list[Message] = []
    app = demo_app(user=EXEC)
    async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
        await ready(pilot)
        refused = await run_form(pilot, "d", {"right": "resolve", "text": "Resolve now"}, seen)
        assert isinstance(refused, m.CommandRefused)
        assert "resolve" in refused.text and IC in refused.text
        await pilot.pause()  # shown in the form, which stays open with what was typed
        assert refused.text in str(app.screen.query_one("#form-error").render())


async def test_intake_opens_and_shows_the_new_escalation(
        demo_app: AppFactory, demo_path: Path) -> None:
    seen: list[Message] = []
    app = demo_app()
    async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
        await ready(pilot)
        outcome = await run_form(pilot, "i", {
            "title": "Exports slow", "customer": "Contoso", "impact": "degraded",
            "affected": "12", "severity": "suggested"}, seen)
        assert isinstance(outcome, m.CommandSucceeded)
        assert outcome.result["id"] == "ESC-2"
        state = app.service.state("ESC-2")
        assert state.triaged and state.severity is Severity.P1
        assert state.received_at == NOW
        await until(pilot, lambda: app.main is not None and app.main.incident_id == "ESC-2")


async def test_triage_an_untriaged_escalation(open_service: Callable[..., WarRoom],
                                              tmp_path: Path) -> None:
    from warroom.tui.launch import make_app

    path = tmp_path / "t.db"
    service = open_service(path)
    service.execute(c.Open(title="Login fails", customer="Northwind Bank"), IC)
    seen: list[Message] = []
    app = make_app(service, user=IC, bell=False)
    async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
        await ready(pilot)
        outcome = await run_form(pilot, "t", {"impact": "outage", "reason": "Full outage"}, seen)
        assert isinstance(outcome, m.CommandSucceeded)
        state = service.state("ESC-1")
        assert state.triaged and state.severity is Severity.P0  # outage at a strategic account


async def test_escalation_list_opens_the_chosen_one(demo_app: AppFactory, demo_path: Path,
                                                    open_service: Callable[..., WarRoom]) -> None:
    other = open_service(demo_path)
    other.execute(c.Open(title="Reports delayed", customer="Contoso", severity=Severity.P2), SPOC)
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("e")
        await until(pilot, lambda: app.screen.__class__.__name__ == "EscalationsScreen")
        await pilot.pause()
        table = app.screen.query_one("DataTable")
        assert table.row_count == 2  # type: ignore[attr-defined]
        await pilot.press("down", "enter")
        await until(pilot, lambda: app.main is not None and app.main.incident_id == "ESC-2"
                    and app.screen is app.main)
        await until(pilot, lambda: app.main is not None and
                    [str(e.kind) for e in app.main.timeline.events] == ["opened", "triaged"])


async def test_guide_and_quit(demo_app: AppFactory) -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: app.screen.__class__.__name__ == "GuideScreen")
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        assert "Never go silent" in text and "Own it end to end" in text
        await pilot.press("escape")
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running)


async def test_palette_lists_actions(demo_app: AppFactory) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        titles = [cmd.title for cmd in app.get_system_commands(app.screen)]
        for title in ("Post a status update", "Add a timeline note", "Make a commitment",
                      "Meet (or miss) a commitment", "Renegotiate a commitment", "Assign a role",
                      "Change severity", "Pause the resolution clock", "Record a decision",
                      "Change phase", "Resolve the escalation", "Open the escalation list",
                      "New escalation (intake)", "Help: facilitation guide and keys"):
            assert title in titles
        assert "Resume the resolution clock" not in titles  # not paused
        assert "Triage: impact and severity" not in titles  # already triaged


async def test_timeline_event_details(demo_app: AppFactory) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.__class__.__name__ == "EventScreen")
        assert "Rollout complete" in str(app.screen.query_one("Static").render())
        assert str(EventKind.NOTE.value) != ""


async def test_palette_runs_an_action(demo_app: AppFactory) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"timeline note")
        from textual.command import CommandList

        def first_hit() -> str:
            hits = app.screen.query(CommandList)
            if not hits or not hits.first().option_count:
                return ""
            return str(hits.first().get_option_at_index(0).prompt)

        await until(pilot, lambda: "Add a timeline note" in first_hit())
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        assert isinstance(form, FormScreen) and form.form_title == "Note on ESC-1"
