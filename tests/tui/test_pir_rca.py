"""Pilot tests of the PIR screen after the review is written: completing past blame findings
(only for holders of `complete_pir`; others are told why not), sending the customer RCA through
a real local HTTP receiver, and recording an RCA sent by hand."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from tests.conftest import FrozenClock
from tests.e2e.test_delivery import channels
from tests.receivers import HttpReceiver
from tests.tui.conftest import until
from tests.tui.test_post_screens import LATER, Opener, console, fill_form, open_pir, stored
from warroom.delivery.worker import Deliverer
from warroom.demo import IC, SCRIBE, TECH
from warroom.domain import commands as c
from warroom.domain import post_commands as pc
from warroom.domain.models import ClockName, ClockState
from warroom.domain.sla import clocks
from warroom.service import WarRoom
from warroom.store.sqlite import SqliteStore
from warroom.tui.app import WarRoomApp
from warroom.tui.launch import make_app
from warroom.tui.screens.form import FormScreen
from warroom.tui.screens.pir import PirScreen

WHYS = ["Authorisations failed because the ledger pool was exhausted.",
        "The pool was exhausted because retries held connections while backing off.",
        "Retries held them because the retry wrapper predates pooling."]


def review(path: Path, open_service: Opener, root_cause: str) -> None:
    """ESC-1 resolved with a PIR that has everything it needs (and `root_cause`)."""
    service = open_service(path, FrozenClock(LATER))
    service.execute(c.Resolve(incident_id="ESC-1", summary="Pool leak fixed"), IC)
    service.execute(pc.PirEdit(incident_id="ESC-1", fields={"root_cause": root_cause,
                                                            "whys": WHYS}), IC)
    service.execute(pc.ActionAdd(incident_id="ESC-1", title="Release connections on backoff",
                                 owner=TECH, due_at=LATER + timedelta(days=7)), IC)


@pytest.fixture
def blamed(demo_path: Path, open_service: Opener) -> Path:
    review(demo_path, open_service, "Human error: the on-call forgot to release the pool.")
    return demo_path


@pytest.fixture
def completed(demo_path: Path, open_service: Opener) -> Path:
    review(demo_path, open_service, "The retry path held its connection while backing off.")
    open_service(demo_path, FrozenClock(LATER)).execute(pc.PirComplete(incident_id="ESC-1"), IC)
    return demo_path


def toasts(app: WarRoomApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_the_commander_completes_past_findings_with_a_reason(
        blamed: Path, open_service: Opener) -> None:
    app = console(blamed, open_service)
    async with app.run_test(size=(110, 32)) as pilot:
        screen = await open_pir(pilot)
        await pilot.press("ctrl+o")  # plain completion is refused on the findings
        status = screen.query_one("#pir-status", Static)
        await until(pilot, lambda: "refused" in str(status.render()))
        assert "Human error" in str(status.render())
        await pilot.press("ctrl+f")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        assert 'root_cause: "Human error"' in str(form.query_one(".note", Static).render())
        await fill_form(pilot, {"reason": "   "})  # a blank reason is refused beside its field
        error = form.query_one("#error-reason", Static)
        await until(pilot, lambda: "accept_findings" in str(error.render()))
        assert app.screen is form
        await fill_form(pilot, {"reason": "The customer's own words, quoted"})
        await until(pilot, lambda: stored(blamed, open_service).pir_completed_at is not None)
        await until(pilot, lambda: isinstance(app.screen, PirScreen))
    accepted = stored(blamed, open_service).pir_accepted
    assert (accepted["reason"], accepted["by"]) == ("The customer's own words, quoted", IC)
    assert {f["phrase"] for f in accepted["findings"]} >= {"Human error"}


async def test_others_are_told_why_they_cannot_accept_findings_or_send(
        blamed: Path, open_service: Opener) -> None:
    app = console(blamed, open_service, user=SCRIBE)  # edits the PIR, holds neither right
    async with app.run_test(size=(110, 32)) as pilot:
        await open_pir(pilot)
        await pilot.press("ctrl+f")
        await until(pilot, lambda: any("complete_pir" in t for t in toasts(app)))
        await pilot.press("ctrl+t")
        await until(pilot, lambda: any("post_customer_update" in t for t in toasts(app)))
        await pilot.press("ctrl+b")
        await until(pilot, lambda: sum("post_customer_update" in t for t in toasts(app)) == 2)
        assert isinstance(app.screen, PirScreen)  # no form was opened
    assert stored(blamed, open_service).pir_completed_at is None


async def test_no_findings_and_an_unfinished_pir_say_so(
        blamed: Path, open_service: Opener) -> None:
    app = console(blamed, open_service)
    async with app.run_test(size=(110, 32)) as pilot:
        await open_pir(pilot)
        await pilot.press("ctrl+t")
        await until(pilot, lambda: any("The PIR is not complete" in t for t in toasts(app)))
        assert isinstance(app.screen, PirScreen)


async def test_send_rca_goes_to_the_customer_channel_and_delivery_meets_the_clock(
        completed: Path, policy: Any) -> None:
    clock = FrozenClock(LATER)
    with HttpReceiver() as http:
        config = channels(**{"northwind-hook": {"kind": "webhook", "url": http.url("/rca"),
                                                "audiences": ["customer"],
                                                "customers": ["Northwind Bank"]}})
        store = SqliteStore(completed)
        service = WarRoom(store, policy, clock, config)
        try:
            app = make_app(service, user=IC, clock=clock, bell=False)
            async with app.run_test(size=(110, 32)) as pilot:
                await open_pir(pilot)
                await pilot.press("ctrl+t")
                await until(pilot, lambda: isinstance(app.screen, FormScreen))
                note = str(app.screen.query_one(".note", Static).render())
                assert f"northwind-hook ({http.url('/rca')})" in note
                await pilot.press("ctrl+s")
                await until(pilot, lambda: bool(store.deliveries()))
                await until(pilot, lambda: isinstance(app.screen, PirScreen))
                assert service.state("ESC-1").rca_sent == []  # queued, not sent
                clock.advance(minutes=2)
                assert len(Deliverer(store, config, policy, clock).run_once().delivered) == 1
                await until(pilot, lambda: bool(app.states["ESC-1"].rca_sent))
                head = app.screen.query_one("#pir-head", Static)
                await until(pilot, lambda: "RCA sent" in str(head.render()))
                assert http.url("/rca") in str(head.render())
            ((path, _, body),) = http.posts
            state = service.state("ESC-1")
        finally:
            store.close()
    assert path == "/rca" and body["kind"] == "rca"
    assert body["body"].startswith("# Root cause analysis:")
    assert state.rca_sent[0]["by"] == IC and state.rca_sent[0]["via"] == "northwind-hook"
    pir = clocks(state, policy, clock())[ClockName.PIR]
    assert (pir.state, pir.met_at) == (ClockState.MET, LATER + timedelta(minutes=2))


async def test_send_rca_without_a_customer_channel_points_to_sent_by_hand(
        completed: Path, open_service: Opener) -> None:
    app = console(completed, open_service)  # no channels configured
    async with app.run_test(size=(110, 32)) as pilot:
        await open_pir(pilot)
        await pilot.press("ctrl+t")
        await until(pilot, lambda: any("No channel takes customer messages for Northwind Bank"
                                       in t and "ctrl+b" in t for t in toasts(app)))
        await pilot.press("ctrl+b")
        await fill_form(pilot, {"to": "cto@northwind.example, ops@northwind.example"})
        await until(pilot, lambda: bool(stored(completed, open_service).rca_sent))
    [sent] = stored(completed, open_service).rca_sent
    assert (sent["by"], sent["to"]) == (IC, ["cto@northwind.example", "ops@northwind.example"])
