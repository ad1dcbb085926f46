"""The wallboard's first frame is drawn once: each card is composed in the room the grid will
give it, with its text and its layout, so nothing is built or laid out again when it is shown."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import FrozenClock
from tests.tui.conftest import NOW, ready, until
from warroom.domain.commands import Close, Open, Resolve
from warroom.domain.models import Severity
from warroom.service import WarRoom
from warroom.tui.launch import make_app
from warroom.tui.screens.wall import card_rooms
from warroom.tui.widgets.card import EscalationCard


def opened(service: WarRoom, count: int, severity: Severity = Severity.P1) -> WarRoom:
    for n in range(count):
        service.execute(Open(title=f"Outage {n}" + " in the eu-west payment gateway" * (n % 3),
                             customer=f"Customer {n}", severity=severity), "ana")
    return service


@pytest.mark.parametrize(("count", "size"), [
    (1, (160, 48)), (3, (160, 48)), (5, (177, 38)), (12, (160, 48)), (4, (80, 24)),
    (7, (123, 41)), (2, (81, 25))])
async def test_each_card_is_composed_in_the_room_it_is_given(
        count: int, size: tuple[int, int], tmp_path: Path,
        open_service: Callable[..., WarRoom]) -> None:
    app = make_app(opened(open_service(tmp_path / "wall.db"), count), user="ana",
                   clock=FrozenClock(NOW), bell=False, wall=True)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        cards = list(app.screen.query(EscalationCard))
        assert len(cards) == count
        # the room each card was built for is the one the grid gave it ...
        assert [c.content_region.size for c in cards] == card_rooms(count, size[0] - 2,
                                                                     size[1] - 1)
        # ... so each built its text and chose its layout once, before it was mounted
        assert [c.renders for c in cards] == [1] * count


async def test_a_heartbeat_rebuilds_each_card_once_in_the_same_layout(
        tmp_path: Path, open_service: Callable[..., WarRoom]) -> None:
    clock = FrozenClock(NOW)
    app = make_app(opened(open_service(tmp_path / "wall.db"), 4), user="ana", clock=clock,
                   bell=False, wall=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        cards = list(app.screen.query(EscalationCard))
        layouts = [sorted(c.classes) for c in cards]
        before = [str(c.query_one("#card-clocks").render()) for c in cards]
        clock.advance(minutes=5)
        await until(pilot, lambda: all(c.renders == 2 for c in cards))
        await pilot.pause()
        assert [c.renders for c in cards] == [2] * 4
        assert [sorted(c.classes) for c in cards] == layouts
        after = [str(c.query_one("#card-clocks").render()) for c in cards]
        assert after != before  # the time left moved on


def closed(service: WarRoom, incident: str) -> None:
    service.execute(Resolve(incident_id=incident, summary="rolled back"), "ana")
    service.execute(Close(incident_id=incident), "ana")


async def test_over_a_snapshot_the_wall_reads_the_open_escalations_first_then_the_rest(
        tmp_path: Path, open_service: Callable[..., WarRoom]) -> None:
    """A year holds 10,000 escalations and ~200 open: the wall's first frame needs only the
    open ones, so it decodes just those from the snapshot; every state is read after that
    frame, and the wall then goes live."""
    path = tmp_path / "wall.db"
    writer = opened(open_service(path), 5, Severity.P2)  # closes without a review
    for incident in ("ESC-1", "ESC-2", "ESC-3"):
        closed(writer, incident)
    assert writer.save_snapshot()
    closed(writer, "ESC-4")  # after the snapshot: the first read folds it too
    opened(writer, 1)  # ESC-6, after the snapshot
    first = make_app(open_service(path), user="ana", clock=FrozenClock(NOW), bell=False,
                     wall=True).read_first_inline()
    # none of those closed before the snapshot; ESC-4 (closed since) is folded, not shown
    assert first is not None and not first.complete
    assert sorted(first.states) == ["ESC-4", "ESC-5", "ESC-6"]
    console = make_app(open_service(path), user="ana", clock=FrozenClock(NOW), bell=False)
    everything = console.read_first_inline()  # the console needs every escalation at once
    assert everything is not None and everything.complete and len(everything.states) == 6
    app = make_app(open_service(path), user="ana", clock=FrozenClock(NOW), bell=False,
                   wall=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        assert sorted(c.name for c in app.screen.query(EscalationCard)) == ["ESC-5", "ESC-6"]
        assert sorted(app.states) == [f"ESC-{n}" for n in range(1, 7)]  # then every one
        opened(open_service(path), 1)  # another console: the wall is live
        await until(pilot, lambda: len(app.screen.query(EscalationCard)) == 3)
        assert "3 open escalation(s)" in str(app.screen.query_one("#wall-title").render())


async def test_a_resized_card_lays_itself_out_again_for_its_new_room(
        tmp_path: Path, open_service: Callable[..., WarRoom]) -> None:
    app = make_app(opened(open_service(tmp_path / "wall.db"), 1), user="ana",
                   clock=FrozenClock(NOW), bell=False, wall=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        card = app.screen.query_one(EscalationCard)
        assert card.renders == 1 and not card.has_class("-ruled")  # framed, large digits
        await pilot.resize_terminal(70, 12)
        await until(pilot, lambda: card.renders == 2)
        room = card_rooms(1, 70 - 2, 12 - 1)[0]
        assert card.content_region.size == room
        assert card.text.density(*room) == 4 and card.has_class("-summary")
