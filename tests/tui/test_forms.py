"""Pilot tests: forms never lose work or stay silent, keys follow the focus in a burst, and the
console carries out its commands one at a time, in order, at the time they were issued.

Real services over real SQLite files; nothing of ours is mocked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from textual import events
from textual.message import Message
from textual.widgets import Input, Select, Static

from tests.conftest import FrozenClock
from tests.tui.conftest import NOW, of_type, ready, until
from warroom.demo import EXEC, IC
from warroom.domain import commands as c
from warroom.service import WarRoom
from warroom.store.sqlite import SqliteStore
from warroom.tui import messages as m
from warroom.tui.app import WarRoomApp
from warroom.tui.launch import make_app
from warroom.tui.screens.form import FormScreen

AppFactory = Callable[..., WarRoomApp]


def burst(app: WarRoomApp, *keys: str) -> None:
    """Post key presses in one go, as a terminal driver does with one read of a laggy ssh
    session: nothing runs between them (unlike `pilot.press`, which waits after each key)."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


def error_of(form: FormScreen, name: str) -> str:
    """The error shown beside field `name` ('' when none)."""
    widget = form.query_one(f"#error-{name}", Static)
    return "" if widget.has_class("-empty") else str(widget.render())


def top_error(form: FormScreen) -> str:
    widget = form.query_one("#form-error", Static)
    return "" if widget.has_class("-empty") else str(widget.render())


async def open_form(pilot: Any, key: str) -> FormScreen:
    await pilot.press(key)
    await until(pilot, lambda: isinstance(pilot.app.screen, FormScreen))
    await pilot.pause()
    form = pilot.app.screen
    assert isinstance(form, FormScreen)
    return form


class TestKeysInABurst:
    async def test_a_burst_after_tab_lands_in_the_field_tab_moved_to(
            self, demo_app: AppFactory) -> None:
        app = demo_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await ready(pilot)
            form = await open_form(pilot, "c")  # text, due, owner
            text = form.query_one("#field-text", Input)
            due = form.query_one("#field-due", Input)
            assert app.focused is text
            burst(app, "x", "tab", "a", "b", "c")
            await until(pilot, lambda: "c" in text.value + due.value)
            await pilot.pause()
            assert (text.value, due.value) == ("x", "abc")  # Tab selected "+1h": typed over

    async def test_a_burst_after_shift_tab_lands_in_the_field_before(
            self, demo_app: AppFactory) -> None:
        app = demo_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await ready(pilot)
            form = await open_form(pilot, "c")
            owner = form.query_one("#field-owner", Input)
            due = form.query_one("#field-due", Input)
            owner.focus()
            await pilot.pause()
            burst(app, "shift+tab", "2", "h", "tab", "z")
            await until(pilot, lambda: owner.value.endswith("z") or due.value.endswith("z"))
            await pilot.pause()
            assert (due.value, owner.value) == ("2h", "z")

    async def test_a_burst_after_enter_lands_in_the_next_field(
            self, demo_app: AppFactory) -> None:
        app = demo_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await ready(pilot)
            form = await open_form(pilot, "c")
            text = form.query_one("#field-text", Input)
            due = form.query_one("#field-due", Input)
            burst(app, "x", "enter", "a", "b", "c")
            await until(pilot, lambda: "c" in text.value + due.value)
            await pilot.pause()
            assert (text.value, due.value) == ("x", "abc")
            assert app.screen is form


class TestRefusedForms:
    async def test_a_field_the_service_refuses_keeps_the_form_and_clears_when_fixed(
            self, demo_app: AppFactory, demo_path: Path) -> None:
        seen: list[Message] = []
        app = demo_app()
        async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
            await ready(pilot)
            seq = app.service.seq
            form = await open_form(pilot, "c")
            form.query_one("#field-text", Input).value = "Share the RCA draft"
            past = (NOW - timedelta(hours=1)).isoformat()
            form.query_one("#field-due", Input).value = past  # parses; the service refuses
            await pilot.pause()
            await pilot.press("ctrl+s")
            await until(pilot, lambda: of_type(seen, m.CommandRefused))
            await until(pilot, lambda: error_of(form, "due") != "")
            assert app.screen is form and app.service.seq == seq
            assert "due: a commitment must be due after it is made" in error_of(form, "due")
            assert top_error(form) == ""
            assert form.query_one("#field-text", Input).value == "Share the RCA draft"
            assert form.query_one("#field-due", Input).value == past
            assert app.focused is form.query_one("#field-due", Input)
            assert not [n for n in app._notifications if "due" in n.message]  # shown once

            form.query_one("#field-due", Input).value = "+2x"  # still wrong: says why
            await pilot.pause()
            assert "bad" in error_of(form, "due")
            form.query_one("#field-due", Input).value = "+2h"
            await pilot.pause()
            assert error_of(form, "due") == ""
            await pilot.press("ctrl+s")
            await until(pilot, lambda: app.screen is not form)
            made = [p for p in app.service.state("ESC-1").commitments.values()
                    if p.text == "Share the RCA draft"]
            assert [p.due_at for p in made] == [NOW + timedelta(hours=2)]

    async def test_a_refusal_naming_no_field_is_shown_at_the_top(
            self, demo_app: AppFactory) -> None:
        seen: list[Message] = []
        app = demo_app(user=EXEC)  # recording a decision under `resolve` is the IC's right
        async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
            await ready(pilot)
            form = await open_form(pilot, "d")
            form.query_one("#field-right", Select).value = "resolve"
            form.query_one("#field-text", Input).value = "Resolve now"
            await pilot.pause()
            await pilot.press("ctrl+s")
            await until(pilot, lambda: top_error(form) != "")
            assert "lacks decision right 'resolve'" in top_error(form)
            assert f"incident_commander ({IC})" in top_error(form)
            assert app.screen is form
            assert form.query_one("#field-text", Input).value == "Resolve now"
            assert error_of(form, "text") == ""

    async def test_intake_keeps_everything_typed_when_the_service_refuses(
            self, open_service: Callable[..., WarRoom], tmp_path: Path) -> None:
        path = tmp_path / "t.db"
        service = open_service(path)
        service.execute(c.Open(title="Login fails", customer="Northwind Bank"), IC)
        app = make_app(service, user=IC, bell=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await ready(pilot)
            form = await open_form(pilot, "t")
            form.query_one("#field-impact", Select).value = "outage"
            form.query_one("#field-affected", Input).value = "40"
            form.query_one("#field-reason", Input).value = "Full outage"
            await pilot.pause()
            other = open_service(path)  # meanwhile, the IC triages it elsewhere
            other.execute(c.Triage(incident_id="ESC-1", reason="seen first"), IC)
            await pilot.press("ctrl+s")
            await until(pilot, lambda: top_error(form) != "")
            assert "ESC-1 is already triaged" in top_error(form)
            assert app.screen is form
            assert form.query_one("#field-affected", Input).value == "40"
            assert form.query_one("#field-reason", Input).value == "Full outage"
            assert form.query_one("#field-impact", Select).value == "outage"

    async def test_intake_rejects_a_negative_count_as_the_cli_does_until_fixed(
            self, demo_app: AppFactory) -> None:
        app = demo_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await ready(pilot)
            seq = app.service.seq
            form = await open_form(pilot, "i")
            form.query_one("#field-title", Input).value = "Exports failing"
            form.query_one("#field-customer", Input).value = "Contoso"
            form.query_one("#field-affected", Input).value = "-3"
            await pilot.pause()
            await pilot.press("ctrl+s")
            await pilot.pause()
            # `warroom open ... --affected -3` says `warroom: affected: must be at least 0`
            assert "✖ affected: must be at least 0" in error_of(form, "affected")
            assert app.screen is form and app.service.seq == seq
            assert form.query_one("#field-title", Input).value == "Exports failing"
            form.query_one("#field-affected", Input).value = "-30"
            await pilot.pause()
            assert "affected: must be at least 0" in error_of(form, "affected")
            form.query_one("#field-affected", Input).value = "3"
            await pilot.pause()
            assert error_of(form, "affected") == ""
            await pilot.press("ctrl+s")
            await until(pilot, lambda: "ESC-2" in app.service.states())
            assert app.service.state("ESC-2").assessment.affected == 3

    async def test_an_action_form_in_the_pir_keeps_a_bad_due_time(
            self, demo_path: Path, open_service: Callable[..., WarRoom]) -> None:
        clock = FrozenClock(NOW)
        service = open_service(demo_path, clock)
        service.execute(c.Resolve(incident_id="ESC-1", summary="Pool leak fixed"), IC)
        app = make_app(service, user=IC, clock=clock, bell=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await ready(pilot)
            await pilot.press("P")
            await until(pilot, lambda: type(app.screen).__name__ == "PirScreen")
            await pilot.pause()
            form = await open_form(pilot, "ctrl+n")
            form.query_one("#field-title", Input).value = "Alert on pool saturation"
            form.query_one("#field-due", Input).value = "next week"
            await pilot.pause()
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert "bad time 'next week'" in error_of(form, "due")
            assert form.query_one("#field-title", Input).value == "Alert on pool saturation"
            form.query_one("#field-due", Input).value = "+7d"
            await pilot.pause()
            assert error_of(form, "due") == ""


class TestCommandsInOrder:
    async def test_commands_are_carried_out_in_the_order_submitted(
            self, demo_app: AppFactory, demo_path: Path) -> None:
        app = demo_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await ready(pilot)
            seq = app.service.seq
            texts = [f"note {n}" for n in range(30)]
            for text in texts:
                app.submit(c.Note(incident_id="ESC-1", text=text))
            await until(pilot, lambda: app.service.seq >= seq + len(texts))
            store = SqliteStore(demo_path)
            try:
                stored = [e.payload["text"] for e in store.read(seq)]
            finally:
                store.close()
            assert stored == texts

    async def test_a_command_keeps_the_time_it_was_issued(
            self, demo_path: Path, open_service: Callable[..., WarRoom]) -> None:
        clock = FrozenClock(NOW)
        seen: list[Message] = []
        app = make_app(open_service(demo_path, clock), user=IC, clock=clock, bell=False)
        async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
            await ready(pilot)
            app.submit(c.Note(incident_id="ESC-1", text="issued at NOW"))
            clock.advance(minutes=2)  # carried out later (the worker has not started yet)
            await until(pilot, lambda: of_type(seen, m.CommandSucceeded))
            store = SqliteStore(demo_path)
            try:
                event = store.read(0)[-1]
            finally:
                store.close()
            assert event.payload["text"] == "issued at NOW" and event.actor == IC
            assert event.occurred_at == NOW and event.recorded_at == NOW + timedelta(minutes=2)


def test_snapshot_of_a_refused_commitment(demo_app: AppFactory, snap_compare: Any) -> None:
    """The service's refusal beside the due time, the rest of the form as typed."""

    async def refuse(pilot: Any) -> None:
        app = await ready(pilot)
        form = await open_form(pilot, "c")
        form.query_one("#field-text", Input).value = "Share the RCA draft"
        form.query_one("#field-due", Input).value = "2026-11-24T09:00:00Z"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: error_of(form, "due") != "")
        assert app.screen is form
        await pilot.pause()

    assert snap_compare(demo_app(), terminal_size=(100, 30), run_before=refuse)


async def test_a_failing_job_is_reported_and_the_next_command_still_runs(
        demo_app: AppFactory, demo_path: Path) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        seq = app.service.seq

        def broken() -> None:
            raise RuntimeError("draft file vanished")

        app.run_serially(broken)
        app.submit(c.Note(incident_id="ESC-1", text="after the failure"))
        await until(pilot, lambda: app.service.seq > seq)
        await until(pilot, lambda: any("RuntimeError: draft file vanished" in n.message
                                       for n in app._notifications))
        main = app.main
        assert main is not None
        await until(pilot, lambda: main.timeline.events[-1].payload.get("text")
                    == "after the failure")
