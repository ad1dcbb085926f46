"""The status-update composer: template, preview, promised next update, drafts in the store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input, Select, TextArea

from tests.tui.conftest import NOW, of_type, ready, until
from warroom.demo import COMMS, IC, SCRIBE
from warroom.domain.models import Audience, EventKind
from warroom.store.sqlite import SqliteStore
from warroom.tui import messages as m
from warroom.tui.app import WarRoomApp
from warroom.tui.screens.composer import ComposerScreen

AppFactory = Callable[..., WarRoomApp]


def draft_in(path: Path, person: str) -> dict[str, object] | None:
    store = SqliteStore(path)
    try:
        draft = store.load_draft("ESC-1", person)
        return None if draft is None else draft.body
    finally:
        store.close()


def saved_at(path: Path, person: str) -> datetime | None:
    store = SqliteStore(path)
    try:
        draft = store.load_draft("ESC-1", person)
        return None if draft is None else datetime.fromisoformat(draft.saved_at)
    finally:
        store.close()


async def open_composer(pilot: Pilot[Any]) -> ComposerScreen:
    app = pilot.app
    await pilot.press("u")
    await until(pilot, lambda: isinstance(app.screen, ComposerScreen) and app.screen._ready)
    assert isinstance(app.screen, ComposerScreen)
    return app.screen


async def test_post_customer_update_with_promise(demo_app: AppFactory, demo_path: Path) -> None:
    seen: list[Message] = []
    app = demo_app()
    async with app.run_test(size=(160, 48), message_hook=seen.append) as pilot:
        await ready(pilot)
        composer = await open_composer(pilot)
        assert composer.query_one("#template", Select).value == "customer-monitoring"
        assert composer.query_one("#next-at", Input).value == "+30m"
        preview = str(composer.query_one("#preview").render())
        assert "Hello Northwind Bank team" in preview and "05:30 EST" in preview
        await pilot.press("ctrl+s")
        await until(pilot, lambda: of_type(seen, m.CommandSucceeded))
        await until(pilot, lambda: app.screen is app.main)
        state = app.service.state("ESC-1")
        update = state.updates[-1]
        assert update.audience is Audience.CUSTOMER and update.posted_by == IC
        assert update.template == "customer-monitoring"
        assert "{" not in update.body and "Northwind Bank" in update.body
        assert update.next_update_at == NOW + timedelta(minutes=30)
        promise = state.open_commitments()
        assert any(p.source == "update" and p.due_at == NOW + timedelta(minutes=30)
                   for p in promise)
        assert draft_in(demo_path, IC) is None
        timeline = app.main.timeline if app.main else None
        assert timeline is not None
        await until(pilot, lambda: any(e.kind is EventKind.UPDATE_POSTED and e.seq > 54
                                       for e in timeline.events))


async def test_edits_are_kept_as_a_draft_and_restored(demo_app: AppFactory,
                                                      demo_path: Path) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        composer = await open_composer(pilot)
        composer.query_one("#editor", TextArea).text = "Draft about {customer}"
        await until(pilot, lambda: draft_in(demo_path, IC) is not None)
        assert draft_in(demo_path, IC) == {
            "audience": "customer", "template": "customer-monitoring",
            "text": "Draft about {customer}", "next_update": "+30m"}
        assert saved_at(demo_path, IC) == NOW  # the console's clock, not the wall clock
        await pilot.press("escape")
    # a new console (a restart) finds the draft
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        composer = await open_composer(pilot)
        assert composer.query_one("#editor", TextArea).text == "Draft about {customer}"
        assert "Draft about Northwind Bank" in str(composer.query_one("#preview").render())
        await pilot.press("ctrl+g")  # asks first: the draft stays
        await until(pilot, lambda: "press ctrl+g again" in str(
            composer.query_one("#composer-status").render()))
        assert draft_in(demo_path, IC) is not None and app.screen is composer
        await pilot.press("ctrl+g")
        await until(pilot, lambda: draft_in(demo_path, IC) is None)


async def test_refused_post_keeps_the_draft(demo_app: AppFactory, demo_path: Path) -> None:
    seen: list[Message] = []
    app = demo_app(user=SCRIBE)  # the scribe may not post customer updates
    async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
        await ready(pilot)
        composer = await open_composer(pilot)
        composer.query_one("#editor", TextArea).text = "We are still on it."
        await pilot.pause()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: of_type(seen, m.CommandRefused))
        refusal = of_type(seen, m.CommandRefused)[0]
        assert "post_customer_update" in refusal.text and "customer_spoc" in refusal.text
        await pilot.pause()
        assert app.screen is composer
        assert "draft kept" in str(composer.query_one("#composer-status").render())
        body = draft_in(demo_path, SCRIBE)
        assert body is not None and body["text"] == "We are still on it."


async def test_internal_update_by_comms_lead(demo_app: AppFactory, demo_path: Path) -> None:
    seen: list[Message] = []
    app = demo_app(user=COMMS)
    async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
        await ready(pilot)
        composer = await open_composer(pilot)
        composer.query_one("#audience", Select).value = "internal"
        await until(pilot, lambda: composer.query_one("#template", Select).value
                    == "internal-update")
        assert composer.query_one("#next-at", Input).value == ""
        await pilot.press("ctrl+s")
        await until(pilot, lambda: of_type(seen, m.CommandSucceeded))
        update = app.service.state("ESC-1").updates[-1]
        assert update.audience is Audience.INTERNAL and update.next_update_at is None


async def test_unknown_placeholder_blocks_posting(demo_app: AppFactory) -> None:
    seen: list[Message] = []
    app = demo_app()
    async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
        await ready(pilot)
        composer = await open_composer(pilot)
        composer.query_one("#editor", TextArea).text = "Hello {nobody}"
        await pilot.pause()
        assert "unknown placeholder" in str(composer.query_one("#preview").render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is composer and not of_type(seen, m.CommandSucceeded)


async def test_a_refused_promise_is_marked_beside_it_until_changed(
        demo_app: AppFactory, demo_path: Path) -> None:
    from textual.widgets import Static

    seen: list[Message] = []
    app = demo_app()
    async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
        await ready(pilot)
        composer = await open_composer(pilot)
        composer.query_one("#editor", TextArea).text = "Fix rolling out."
        next_at = composer.query_one("#next-at", Input)
        next_at.value = (NOW - timedelta(minutes=5)).isoformat()  # the service refuses it
        await pilot.pause()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: of_type(seen, m.CommandRefused))
        beside = composer.query_one("#next-resolved", Static)
        await until(pilot, lambda: "must be after this update" in str(beside.render()))
        assert app.screen is composer and app.focused is next_at
        assert composer.query_one("#editor", TextArea).text == "Fix rolling out."
        assert not [n for n in app._notifications if n.title == "Refused"]  # shown once
        composer.query_one("#editor", TextArea).text = "Fix rolling out to all regions."
        await pilot.pause()
        assert "must be after this update" in str(beside.render())  # until the time changes
        next_at.value = "+30m"
        await pilot.pause()
        assert str(beside.render()).startswith("→ ")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: of_type(seen, m.CommandSucceeded))
        update = app.service.state("ESC-1").updates[-1]
        assert update.body.startswith("Fix rolling out to all regions.")
        assert update.next_update_at == NOW + timedelta(minutes=30)


async def test_draft_writes_that_run_after_the_composer_closed_still_land(
        demo_app: AppFactory, demo_path: Path) -> None:
    """Under load the draft worker may only run once the screen is gone (and with it any way to
    reach the app): the kept draft and the discard must land all the same."""
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        composer = await open_composer(pilot)
        with composer._lock:  # the worker waits here until the screen has closed
            composer.query_one("#editor", TextArea).text = "Kept on close"
            await pilot.pause()
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is not composer)
        await until(pilot, lambda: (draft_in(demo_path, IC) or {}).get("text") == "Kept on close")

        composer = await open_composer(pilot)
        assert composer.query_one("#editor", TextArea).text == "Kept on close"
        with composer._lock:
            await pilot.press("ctrl+g", "ctrl+g")
            await until(pilot, lambda: app.screen is not composer)
        await until(pilot, lambda: draft_in(demo_path, IC) is None)
