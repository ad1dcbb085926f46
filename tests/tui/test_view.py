"""Pure view helpers: times typed by people, countdown digits, badges in words and symbols."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.tui.conftest import NOW
from warroom.domain.models import ClockState
from warroom.domain.timeparse import TimeParseError
from warroom.tui.view import badge, countdown, dual, parse_when, zone


@pytest.mark.parametrize(("text", "expected"), [
    ("+30m", NOW + timedelta(minutes=30)),
    ("45m", NOW + timedelta(minutes=45)),
    ("1h30m", NOW + timedelta(minutes=90)),
    ("11:15", NOW.replace(hour=11, minute=15)),
    ("09:00", NOW.replace(hour=9) + timedelta(days=1)),
    ("2026-11-24T12:00:00Z", NOW.replace(hour=12)),
    ("now", NOW),
])
def test_parse_when(text: str, expected: object) -> None:
    assert parse_when(text, NOW) == expected


def test_parse_when_rejects_nonsense() -> None:
    with pytest.raises(TimeParseError):
        parse_when("soonish", NOW)


def test_countdown_and_badges() -> None:
    assert countdown(3725) == "1:02:05"
    assert countdown(750) == "12:30"
    assert countdown(-190) == "-03:10"
    assert badge(ClockState.AT_RISK) == "▲ AT RISK"
    assert badge(ClockState.BREACHED) == "✖ BREACHED"


def test_dual_times() -> None:
    ny = zone("America/New_York")
    assert dual(NOW, ny) == "10:00 UTC · 05:00 EST"
    assert dual(NOW + timedelta(days=1), None, now=NOW) == "Wed 25 Nov 10:00 UTC"
    assert zone("Not/AZone") is None
