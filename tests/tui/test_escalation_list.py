"""The escalation list fits its columns to the screen: the title always keeps a useful width."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import DataTable

from tests.tui.conftest import ready, screen_lines, until
from warroom.demo import SPOC
from warroom.domain import commands as c
from warroom.domain.models import Severity
from warroom.service import WarRoom
from warroom.tui.app import WarRoomApp
from warroom.tui.screens.escalations import COLUMNS, TITLE_MIN, fit_columns

TITLE = "Card authorisations failing: payments API returning 503s"


@pytest.mark.parametrize("width", range(40, 241))
def test_the_title_keeps_a_useful_width_and_nothing_overflows(width: int) -> None:
    shown = fit_columns(width)
    widths = {key: cells for key, _, cells in shown}
    assert widths["title"] >= TITLE_MIN
    assert {"id", "sev", "title"} <= widths.keys()
    assert [key for key, _, _ in shown] == [key for key, _, _ in COLUMNS if key in widths]
    if width >= 80:
        assert sum(cells + 2 for cells in widths.values()) + 2 <= width


def test_columns_go_least_important_first() -> None:
    assert [key for key, _, _ in fit_columns(80)] == ["id", "sev", "urgent", "title"]
    assert [key for key, _, _ in fit_columns(100)] == ["id", "sev", "urgent", "next", "title"]
    assert len(fit_columns(160)) == len(COLUMNS)


async def open_list(app: WarRoomApp, size: tuple[int, int]) -> list[str]:
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.press("e")
        await until(pilot, lambda: type(app.screen).__name__ == "EscalationsScreen")
        table: DataTable[object] = app.screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count == 2)
        await pilot.pause()
        lines = screen_lines(app)
        # Nothing is hidden to the right: the table needs no horizontal scrolling.
        assert table.virtual_size.width <= table.scrollable_content_region.width
        assert table.max_scroll_x == 0
        return lines


@pytest.fixture
def two_open(demo_path: Path, open_service: Callable[..., WarRoom]) -> None:
    other = open_service(demo_path)
    other.execute(c.Open(title="Reports delayed for every EU tenant", customer="Contoso",
                         severity=Severity.P2), SPOC)


async def test_at_80_columns_the_title_is_there(demo_app: Callable[..., WarRoomApp],
                                                two_open: None) -> None:
    lines = await open_list(demo_app(), (80, 24))
    header, first, second = lines[1], lines[2], lines[3]
    assert "Title" in header and "Most urgent clock" in header
    assert "Commander" not in header and "Phase" not in header
    assert "ESC-1" in first and "Card authorisations failing…" in first
    assert "▲ AT RISK Resolve" in first
    assert "ESC-2" in second and "Reports delayed for every E…" in second
    assert all(len(line.rstrip()) <= 80 for line in lines)


async def test_at_160_columns_every_column_and_the_title(demo_app: Callable[..., WarRoomApp],
                                                         two_open: None) -> None:
    lines = await open_list(demo_app(), (160, 24))
    header, first = lines[1], lines[2]
    for label in ("Escalation", "Sev", "Customer", "Phase", "Most urgent clock", "Next update",
                  "Commander", "Title"):
        assert label in header
    assert "maria.chen" in first and "Northwind Bank" in first and "monitoring" in first
    assert TITLE[:39] + "…" in first
    assert "Reports delayed for every EU tenant" in lines[3]
