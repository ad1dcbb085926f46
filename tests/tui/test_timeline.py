"""The timeline: 50,000 events, only visible lines rendered, paging, following, filters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FrozenClock
from tests.tui.conftest import NOW, ready, until
from warroom.domain.commands import Note
from warroom.domain.models import Event, EventKind
from warroom.service import WarRoom
from warroom.store.sqlite import SqliteStore
from warroom.tui.launch import make_app
from warroom.tui.widgets.timeline import Timeline

COUNT = 50_000


def big_log(count: int) -> list[Event]:
    """One escalation: opened, then notes and now and then a customer update."""
    start = NOW - timedelta(hours=3)
    opened = Event(incident_id="ESC-1", kind=EventKind.OPENED, actor="maria", occurred_at=start,
                   recorded_at=start, payload={"title": "Big", "customer": "Northwind Bank"})
    events = [opened]
    for n in range(1, count):
        at = start + timedelta(milliseconds=200 * n)
        if n % 1000 == 0:
            events.append(Event(incident_id="ESC-1", kind=EventKind.UPDATE_POSTED, actor="james",
                                occurred_at=at, recorded_at=at,
                                payload={"audience": "customer", "phase": "investigating",
                                         "body": f"update {n}"}))
        else:
            events.append(Event(incident_id="ESC-1", kind=EventKind.NOTE, actor="diego",
                                occurred_at=at, recorded_at=at, payload={"text": f"note {n}"}))
    return events


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.db"
    store = SqliteStore(path)
    store.append(big_log(COUNT))
    store.close()
    return path


async def test_fifty_thousand_events_render_only_what_is_visible(
        big_store: Path, open_service: Callable[..., WarRoom]) -> None:
    service = open_service(big_store, FrozenClock(NOW))
    app = make_app(service, user="maria", clock=FrozenClock(NOW), bell=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        main = app.main
        assert main is not None
        timeline = main.timeline
        assert len(timeline.events) == COUNT and timeline.following
        height = timeline.scrollable_content_region.height
        assert timeline.scroll_y == timeline.max_scroll_y == COUNT - height
        assert len(timeline._cache) <= 2 * height  # formatted rows: only the visible ones

        await pilot.press("home")
        assert timeline.cursor == 0 and timeline.scroll_y == 0
        await pilot.press("pagedown")
        assert timeline.cursor == height - 1
        await pilot.press("pagedown")
        assert timeline.scroll_y > 0 and timeline.cursor == 2 * (height - 1)
        rendered = str(timeline.render_line(0).text)
        assert "note" in rendered
        assert len(timeline._cache) <= 6 * height  # four screens seen, not 50,000 rows

        # scrolled back: a live event does not move the view, it is counted
        top = timeline.scroll_y
        await _add_note(pilot, service, "late news")
        await until(pilot, lambda: len(timeline.events) == COUNT + 1)
        assert timeline.scroll_y == top and not timeline.following
        assert "1 new" in str(timeline.border_subtitle)
        await pilot.press("end")
        assert timeline.following and "new" not in str(timeline.border_subtitle)

        # following: the next one scrolls into view
        await _add_note(pilot, service, "later news")
        await until(pilot, lambda: len(timeline.events) == COUNT + 2)
        assert timeline.scroll_y == timeline.max_scroll_y
        assert timeline.cursor == timeline.rows - 1

        await pilot.press("f")  # customer updates only
        assert timeline.filter_name == "customer" and timeline.rows == COUNT // 1000 - 1
        assert "update" in str(timeline.render_line(timeline.cursor - round(timeline.scroll_y))
                               .text)


async def _add_note(pilot: Any, service: WarRoom, text: str) -> None:
    import asyncio

    from warroom.domain.commands import Note

    await asyncio.to_thread(service.execute, Note(incident_id="ESC-1", text=text), "maria")


def test_filter_matches() -> None:
    from warroom.tui.view import FILTERS, matches

    update = big_log(1001)[-1]
    note = big_log(2)[-1]
    assert matches(update, FILTERS["customer"][1]) and not matches(note, FILTERS["customer"][1])
    assert matches(note, FILTERS["notes"][1]) and matches(note, FILTERS["all"][1])
    assert Timeline.filter_name is not None


async def test_mouse_scroll_back_stops_following(
        demo_app: Callable[..., Any]) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(pilot)
        assert app.main is not None
        timeline = app.main.timeline
        assert timeline.following
        timeline.scroll_to(y=0, animate=False, immediate=True)
        await pilot.pause()
        assert not timeline.following
        app.submit(Note(incident_id="ESC-1", text="while reading back"))
        await until(pilot, lambda: timeline.events[-1].payload.get("text") ==
                    "while reading back")
        assert timeline.scroll_y == 0 and "1 new" in str(timeline.border_subtitle)
