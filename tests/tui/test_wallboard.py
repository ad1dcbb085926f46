"""The wallboard's cards use their space: every running clock with its state word, the open
commitments with the next one due, the last customer update, the commander and the SPOC, in
cards sized to how many escalations are open."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from textual.geometry import Region

from tests.conftest import FrozenClock
from tests.tui.conftest import NOW, ready, screen_lines, until
from warroom.demo import IC, SPOC
from warroom.domain import commands as c
from warroom.domain.models import Severity
from warroom.service import WarRoom
from warroom.tui.app import WarRoomApp
from warroom.tui.launch import make_app
from warroom.tui.screens.wall import MIN_CARD_WIDTH, grid_shape
from warroom.tui.widgets.big_digits import BigDigits, draw, scale_for
from warroom.tui.widgets.card import EscalationCard

FIRST_LINE = "“[P0] Card authorisations failing: payments API returning 503s (ESC-1)"


def open_more(service: WarRoom, count: int) -> None:
    for n in range(count):
        service.execute(c.Open(title=f"Exports delayed for tenant group {n}",
                               customer=f"Contoso {n}", severity=Severity.P1,
                               impact="degraded"), SPOC)


def wall(service: WarRoom, clock: FrozenClock | None = None) -> WarRoomApp:
    return make_app(service, user=IC, clock=clock or FrozenClock(NOW), bell=False, wall=True)


async def show(app: WarRoomApp, size: tuple[int, int], cards: int) -> list[str]:
    """Run the wallboard until `cards` cards are laid out; the screen's text."""
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await until(pilot, lambda: len(app.screen.query(EscalationCard)) == cards)
        await pilot.pause()
        lines = screen_lines(app)
        regions = [card.region for card in app.screen.query(EscalationCard)]
        board = Region(0, 1, size[0], size[1] - 1)  # below the title line
        covered = sum(r.area for r in regions)
        # The cards fill the board: nothing but the one-cell side margins and gutters is empty.
        assert covered >= board.area - (size[1] - 1) * (2 + (_columns(regions) - 1)), (
            covered, board.area, regions)
        assert all(board.contains_region(r) for r in regions)
        app.exit()
    return lines


def _columns(regions: list[Region]) -> int:
    return len({r.x for r in regions})


def card_text(lines: list[str]) -> str:
    return "\n".join(lines)


@pytest.mark.parametrize("size", [(160, 48), (80, 24), (177, 38)])
async def test_one_escalation_fills_the_board(size: tuple[int, int], demo_path: Path,
                                              open_service: Callable[..., WarRoom]) -> None:
    lines = await show(wall(open_service(demo_path)), size, 1)
    text = card_text(lines)
    assert "ESC-1 · Northwind Bank" in lines[1]
    assert "Commander maria.chen" in text and "SPOC james.okafor" in text
    # every running clock, with its state word and time left
    assert "▲ AT RISK  Resolve      56m00s left" in text
    assert "● OK       Next update  12m00s left" in text
    # open commitments, counted, the next one due first
    assert "Commitments · 3 open · ✖ 1 overdue" in text
    assert "Next: ✖ OVERDUE 10m00s Send Northwind's CTO" in text
    # the last customer update: its time and first line
    assert "Last customer update" in text and "09:42 UTC" in text
    assert FIRST_LINE[:40] in text
    if size[1] >= 38:  # room for every commitment and the large digits
        assert "Confirm the failover plan for the EU payment gateway" in text
        assert "▲ AT RISK Resolve" in text and "● OK Next customer update" in text


async def test_one_card_draws_its_timers_as_large_as_fit(
        demo_path: Path, open_service: Callable[..., WarRoom]) -> None:
    app = wall(open_service(demo_path))
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        await pilot.pause()
        digits = list(app.screen.query(BigDigits))
        assert [d.value for d in digits] == ["56:00", "12:00"]  # resolve, then next update
        assert [d.scale for d in digits] == [2, 2]
        drawn = [line for line in screen_lines(app) if "█" in line]
    assert len(drawn) == 2 * 5  # both timers side by side, five pixels high at scale 2
    assert all(line.count("████") >= 4 for line in drawn[:1])


def test_big_digits_pick_the_largest_scale_that_fits() -> None:
    assert scale_for("56:00", 34, 5) == 1 and scale_for("56:00", 33, 5) == 0
    assert scale_for("56:00", 200, 14) == 2 and scale_for("1:05:12", 92, 100) == 2
    assert draw("1", 1) == ["  ██  ", "████  ", "  ██  ", "  ██  ", "██████"]


async def test_four_escalations_share_the_board(demo_path: Path,
                                                open_service: Callable[..., WarRoom]) -> None:
    service = open_service(demo_path)
    open_more(service, 3)
    app = wall(service)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        await until(pilot, lambda: len(app.screen.query(EscalationCard)) == 4)
        await pilot.pause()
        cards = list(app.screen.query(EscalationCard))
        assert [card.name for card in cards] == ["ESC-1", "ESC-2", "ESC-3", "ESC-4"]
        assert {(r.width, r.height) for r in (card.region for card in cards)} <= {
            (78, 23), (79, 23), (78, 24), (79, 24)}
        text = card_text(screen_lines(app))
    for n in range(3):
        assert f"ESC-{n + 2} · Contoso {n}" in text
        assert f"Exports delayed for tenant group {n}" in text
    assert text.count("SPOC ⚠ VACANT") == 3 and text.count("Commander james.okafor") == 3
    assert text.count("● OK       First update 30m00s left") == 3
    assert text.count("No customer update posted yet") == 3
    assert text.count("Commitments · none open") == 3


async def test_three_escalations_the_most_urgent_takes_the_spare_cell(
        demo_path: Path, open_service: Callable[..., WarRoom]) -> None:
    service = open_service(demo_path)
    open_more(service, 2)
    app = wall(service)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        await until(pilot, lambda: len(app.screen.query(EscalationCard)) == 3)
        await pilot.pause()
        first, second, third = (card.region for card in app.screen.query(EscalationCard))
    assert first.width >= 156 and 76 <= second.width <= third.width < 80
    assert second.y == third.y > first.y


async def test_a_new_escalation_takes_its_share_live(
        demo_path: Path, open_service: Callable[..., WarRoom]) -> None:
    app = wall(open_service(demo_path))
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        assert len(app.screen.query(EscalationCard)) == 1
        open_more(open_service(demo_path), 2)  # another console, on the same store file
        await until(pilot, lambda: len(app.screen.query(EscalationCard)) == 3)
        await pilot.pause()
        first, second, third = (card.region for card in app.screen.query(EscalationCard))
        text = card_text(screen_lines(app))
    assert first.width >= 156 and second.y == third.y > first.y
    assert "ESC-3 · Contoso 1" in text and "3 open escalation(s)" in text


async def test_cards_follow_the_domain_as_time_passes(
        demo_path: Path, open_service: Callable[..., WarRoom]) -> None:
    """An hour on: the resolve clock and the next update are breached, the card says so."""
    clock = FrozenClock(NOW + timedelta(hours=1))
    app = wall(open_service(demo_path, clock), clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        card = app.screen.query_one(EscalationCard)
        await until(pilot, lambda: card.has_class("-breached"))
        text = card_text(screen_lines(app))
    assert "✖ BREACHED Resolve      4m00s over" in text
    assert "✖ BREACHED Next update  48m00s over" in text
    assert "Commitments · 3 open · ✖ 3 overdue" in text


async def test_many_escalations_stay_readable_at_80x24(
        demo_path: Path, open_service: Callable[..., WarRoom]) -> None:
    service = open_service(demo_path)
    open_more(service, 1)
    lines = await show(wall(service), (80, 24), 2)
    text = card_text(lines)
    for words in ("ESC-1 · Northwind Bank", "ESC-2 · Contoso 0", "Commander maria.chen",
                  "SPOC james.okafor", "▲ AT RISK  Resolve", "Next: ✖ OVERDUE",
                  "Last customer update", "09:42 UTC", "No customer update posted yet",
                  "● OK       First update"):
        assert words in text, words


async def test_four_escalations_at_80x24_each_say_the_essentials(
        demo_path: Path, open_service: Callable[..., WarRoom]) -> None:
    """Cards five rows high summarise: what, how urgent, who, what the customer heard."""
    service = open_service(demo_path)
    open_more(service, 3)
    lines = await show(wall(service), (80, 24), 4)
    text = card_text(lines)
    assert "▲ AT RISK Resolve 56m00s left  ·  next customer update 12m00s left" in text
    assert "Commander maria.chen  SPOC james.okafor  ·  commitments 3 open" in text
    for n in range(3):
        assert f"ESC-{n + 2} · Contoso {n}" in text
        assert f"Exports delayed for tenant group {n}" in text
    assert text.count("● OK First update 30m00s left  ·  next customer update 30m00s") == 3
    assert text.count("Commander james.okafor  SPOC ⚠ VACANT  ·  commitments none open") == 3
    assert text.count("No customer update yet") == 3


@pytest.mark.parametrize(("count", "size", "shape"), [
    (1, (160, 47), (1, 1)), (2, (175, 37), (2, 1)), (3, (175, 37), (2, 2)),
    (4, (175, 37), (2, 2)), (6, (175, 37), (3, 2)), (9, (175, 37), (3, 3)),
    (2, (78, 23), (1, 2)), (0, (78, 23), (1, 1))])
def test_grid_shape(count: int, size: tuple[int, int], shape: tuple[int, int]) -> None:
    assert grid_shape(count, *size) == shape


@pytest.mark.parametrize("count", range(1, 30))
def test_grid_shape_holds_every_card_and_never_too_narrow(count: int) -> None:
    columns, rows = grid_shape(count, 175, 37)
    assert columns * rows >= count and columns * (rows - 1) < count
    assert 175 / columns >= MIN_CARD_WIDTH
