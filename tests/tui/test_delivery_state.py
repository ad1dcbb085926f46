"""The console shows where each update went (✔ delivered / ✖ failed, retrying) and a header
badge while a customer update is undelivered past 2 minutes; live, as delivery events arrive."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.conftest import FrozenClock
from tests.tui.conftest import NOW, ready, until
from warroom.domain.models import Event, EventKind
from warroom.service import WarRoom
from warroom.store.sqlite import SqliteStore
from warroom.tui.launch import make_app


def event(kind: EventKind, at_minutes: float, **payload: Any) -> Event:
    at = NOW + timedelta(minutes=at_minutes)
    return Event(incident_id="ESC-1", kind=kind, actor="warroom" if "channel" in payload
                 else "maria", occurred_at=at, recorded_at=at, payload=payload)


def posted(at_minutes: float) -> list[Event]:
    """ESC-1 opened 10 minutes before NOW, and a customer update for northwind-email."""
    return [event(EventKind.OPENED, -10, title="Payments failing", customer="Northwind Bank"),
            event(EventKind.UPDATE_POSTED, at_minutes, audience="customer",
                  phase="investigating", body="We are investigating.", deliveries=[
                      {"channel": "northwind-email", "recipients": ["ops@northwind"]}])]


def outcome(kind: EventKind, at_minutes: float, attempt: int, error: str | None = None) -> Event:
    return event(kind, at_minutes, channel="northwind-email", recipients=["ops@northwind"],
                 attempt=attempt, of="update", of_seq=2, key="ESC-1.2.northwind-email",
                 **({"error": error} if error else {}))


def timeline_text(timeline: Any) -> str:
    return "\n".join(str(timeline.render_line(y).text) for y in range(timeline.rows))


async def test_failed_then_delivered_update_in_timeline_and_header(
        tmp_path: Path, open_service: Callable[..., WarRoom]) -> None:
    path = tmp_path / "s.db"
    store = SqliteStore(path)
    store.append([*posted(-5), outcome(EventKind.UPDATE_DELIVERY_FAILED, -5, 1,
                                       "connection refused")])
    clock = FrozenClock(NOW)
    app = make_app(open_service(path, clock), user="maria", clock=clock, bell=False)
    async with app.run_test(size=(220, 40)) as pilot:
        await ready(pilot)
        main = app.main
        assert main is not None
        header = main.query_one("#header")
        await until(pilot, lambda: "undelivered" in str(header.render()))
        assert "✉ 1 customer update undelivered" in str(header.render())
        assert "✖ failed: connection refused, retrying" in timeline_text(main.timeline)
        store.append([outcome(EventKind.UPDATE_DELIVERED, 0, 2)])
        await until(pilot, lambda: "✔ delivered to 1" in timeline_text(main.timeline))
        await until(pilot, lambda: "undelivered" not in str(header.render()))
    store.close()


async def test_no_badge_in_the_first_two_minutes(
        tmp_path: Path, open_service: Callable[..., WarRoom]) -> None:
    path = tmp_path / "s.db"
    store = SqliteStore(path)
    store.append(posted(-1))
    store.close()
    clock = FrozenClock(NOW)
    app = make_app(open_service(path, clock), user="maria", clock=clock, bell=False)
    async with app.run_test(size=(220, 40)) as pilot:
        await ready(pilot)
        main = app.main
        assert main is not None
        header = main.query_one("#header")
        assert "… sending to 1" in timeline_text(main.timeline)
        assert "undelivered" not in str(header.render())
        clock.advance(minutes=1, seconds=1)
        await until(pilot, lambda: "✉ 1 customer update undelivered" in str(header.render()))
