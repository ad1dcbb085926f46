"""Calendar arithmetic: always vs business hours, weekends, holidays, DST, long spans."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import business_calendar, hours, minutes, utc
from warroom.domain.calendar import add_time, elapsed, next_opening
from warroom.domain.policy import Calendar

ALWAYS = Calendar(kind="always")
BUSINESS = business_calendar()
LONDON = business_calendar(timezone="Europe/London")

# 2026-11-20 is a Friday; 2026-11-23 the Monday after.
FRI = date(2026, 11, 20)


class TestAlways:
    def test_add_is_plain_addition(self) -> None:
        assert add_time(utc(2026, 11, 21, 23), hours(4), ALWAYS) == utc(2026, 11, 22, 3)

    def test_elapsed_is_wall_time_and_never_negative(self) -> None:
        assert elapsed(utc(2026, 11, 21, 23), utc(2026, 11, 22, 3), ALWAYS) == hours(4)
        assert elapsed(utc(2026, 11, 22, 3), utc(2026, 11, 21, 23), ALWAYS) == timedelta(0)


class TestBusinessHours:
    def test_friday_afternoon_p2_first_update_is_monday_noon(self) -> None:
        assert add_time(utc(2026, 11, 20, 16), hours(4), BUSINESS) == utc(2026, 11, 23, 12)

    def test_elapsed_across_the_weekend(self) -> None:
        assert elapsed(utc(2026, 11, 20, 16), utc(2026, 11, 23, 12), BUSINESS) == hours(4)
        assert elapsed(utc(2026, 11, 20, 16), utc(2026, 11, 22, 12), BUSINESS) == hours(1)

    def test_within_one_day(self) -> None:
        assert add_time(utc(2026, 11, 24, 10), hours(2), BUSINESS) == utc(2026, 11, 24, 12)

    def test_ending_exactly_at_close_stays_that_day(self) -> None:
        assert add_time(utc(2026, 11, 24, 16), hours(1), BUSINESS) == utc(2026, 11, 24, 17)

    def test_start_before_opening_counts_from_opening(self) -> None:
        assert add_time(utc(2026, 11, 24, 7), minutes(30), BUSINESS) == utc(2026, 11, 24, 9, 30)

    def test_start_after_close_counts_from_next_opening(self) -> None:
        assert add_time(utc(2026, 11, 24, 18), hours(1), BUSINESS) == utc(2026, 11, 25, 10)
        assert add_time(utc(2026, 11, 24, 17), hours(1), BUSINESS) == utc(2026, 11, 25, 10)

    def test_start_on_weekend_counts_from_monday(self) -> None:
        assert add_time(utc(2026, 11, 21, 10), hours(1), BUSINESS) == utc(2026, 11, 23, 10)

    def test_zero_duration_is_start(self) -> None:
        assert add_time(utc(2026, 11, 21, 10), timedelta(0), BUSINESS) == utc(2026, 11, 21, 10)

    def test_elapsed_outside_hours_is_zero(self) -> None:
        assert elapsed(utc(2026, 11, 21, 1), utc(2026, 11, 22, 23), BUSINESS) == timedelta(0)
        assert elapsed(utc(2026, 11, 24, 12), utc(2026, 11, 24, 11), BUSINESS) == timedelta(0)

    def test_multi_day_span(self) -> None:
        # 24h of business time from Friday 16:00: 1h Fri + 8h Mon + 8h Tue + 7h Wed.
        assert add_time(utc(2026, 11, 20, 16), hours(24), BUSINESS) == utc(2026, 11, 25, 16)

    def test_next_opening(self) -> None:
        assert next_opening(utc(2026, 11, 21, 10), BUSINESS) == utc(2026, 11, 23, 9)
        assert next_opening(utc(2026, 11, 24, 10), BUSINESS) == utc(2026, 11, 24, 10)
        assert next_opening(utc(2026, 11, 24, 10), ALWAYS) == utc(2026, 11, 24, 10)

    def test_result_is_utc(self) -> None:
        due = add_time(datetime(2026, 11, 20, 17, tzinfo=ZoneInfo("Europe/Paris")), hours(4),
                       BUSINESS)
        assert due == utc(2026, 11, 23, 12) and due.tzinfo is UTC


class TestHolidays:
    def test_monday_holiday_pushes_to_tuesday(self) -> None:
        cal = business_calendar(holidays=["2026-11-23"])
        assert add_time(utc(2026, 11, 20, 16), hours(4), cal) == utc(2026, 11, 24, 12)
        assert elapsed(utc(2026, 11, 20, 16), utc(2026, 11, 24, 12), cal) == hours(4)

    def test_start_on_a_holiday(self) -> None:
        cal = business_calendar(holidays=["2026-12-25"])
        assert add_time(utc(2026, 12, 25, 10), hours(1), cal) == utc(2026, 12, 28, 10)

    def test_weekend_holiday_changes_nothing(self) -> None:
        cal = business_calendar(holidays=["2026-11-21"])
        assert add_time(utc(2026, 11, 20, 16), hours(4), cal) == utc(2026, 11, 23, 12)


class TestTimezonesAndDst:
    def test_hours_are_local(self) -> None:
        tokyo = business_calendar(timezone="Asia/Tokyo")  # 09:00 JST = 00:00 UTC
        assert add_time(utc(2026, 11, 23, 23), hours(1), tokyo) == utc(2026, 11, 24, 1)

    def test_autumn_change_over_the_weekend(self) -> None:
        # Fri 23 Oct 2026 16:00 BST (15:00 UTC); clocks go back Sun 25 Oct; Mon 12:00 GMT.
        assert add_time(utc(2026, 10, 23, 15), hours(4), LONDON) == utc(2026, 10, 26, 12)
        assert elapsed(utc(2026, 10, 23, 15), utc(2026, 10, 26, 12), LONDON) == hours(4)

    def test_spring_change_over_the_weekend(self) -> None:
        # Fri 27 Mar 2026 16:00 GMT; clocks go forward Sun 29 Mar; Mon 12:00 BST = 11:00 UTC.
        assert add_time(utc(2026, 3, 27, 16), hours(4), LONDON) == utc(2026, 3, 30, 11)

    def test_new_york_opening_follows_dst(self) -> None:
        ny = business_calendar(timezone="America/New_York")
        assert next_opening(utc(2026, 10, 30, 23), ny) == utc(2026, 11, 2, 14)  # EST
        assert next_opening(utc(2026, 10, 29, 23), ny) == utc(2026, 10, 30, 13)  # EDT

    def test_window_spanning_a_change_is_real_time(self) -> None:
        # A round-the-clock "business" calendar is just wall time, even on a 23h day.
        cal = business_calendar(timezone="Europe/London", start="00:00", end="24:00",
                                days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
        start = utc(2026, 3, 28)
        assert add_time(start, hours(48), cal) == start + hours(48)
        assert elapsed(start, start + hours(48), cal) == hours(48)


class TestOvernightWindow:
    cal = business_calendar(start="22:00", end="06:00")

    def test_runs_past_midnight(self) -> None:
        assert add_time(utc(2026, 11, 23, 23), hours(2), self.cal) == utc(2026, 11, 24, 1)

    def test_start_inside_previous_days_window(self) -> None:
        # Fri 05:00 is in Thursday's window: 1h to 06:00, then 1h of Friday's window.
        assert add_time(utc(2026, 11, 20, 5), hours(2), self.cal) == utc(2026, 11, 20, 23)

    def test_saturday_morning_belongs_to_friday(self) -> None:
        assert elapsed(utc(2026, 11, 21), utc(2026, 11, 22), self.cal) == hours(6)


class TestLongSpans:
    def test_one_year_of_business_time(self) -> None:
        cal = business_calendar(timezone="Europe/London", holidays=["2027-01-01", "2026-12-25"])
        start = utc(2026, 11, 24, 10)
        due = add_time(start, hours(8 * 250), cal)
        assert elapsed(start, due, cal) == hours(8 * 250)
        assert due == _reference_add(start, hours(8 * 250), cal)

    def test_whole_weeks(self) -> None:
        start = utc(2026, 11, 23, 9)
        assert add_time(start, hours(40 * 10), BUSINESS) == utc(2027, 1, 29, 17)
        assert elapsed(start, utc(2027, 1, 29, 17), BUSINESS) == hours(400)


def test_invalid_calendar_rejected() -> None:
    with pytest.raises(ValueError):
        add_time(utc(2026, 11, 24), hours(1), business_calendar(days=[]))


# Reference implementation: walk every local day, no fast paths, to check the real one against.

def _windows(start: datetime, end: datetime, cal: Calendar) -> list[tuple[datetime, datetime]]:
    tz = ZoneInfo(cal.timezone)
    names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    h1, m1 = map(int, cal.start.split(":"))
    h2, m2 = map(int, cal.end.split(":"))
    out = []
    day = start.astimezone(tz).date() - timedelta(days=1)
    while datetime.combine(day, datetime.min.time(), tz) <= end + timedelta(days=1):
        if names[day.weekday()] in cal.days and day.isoformat() not in cal.holidays:
            base = datetime.combine(day, datetime.min.time())
            o = base + timedelta(hours=h1, minutes=m1)
            c = base + timedelta(hours=h2, minutes=m2)
            if c <= o:
                c += timedelta(days=1)
            out.append((o.replace(tzinfo=tz).astimezone(UTC), c.replace(tzinfo=tz).astimezone(UTC)))
        day += timedelta(days=1)
    return out


def _reference_elapsed(start: datetime, end: datetime, cal: Calendar) -> timedelta:
    total = timedelta(0)
    for o, c in _windows(start, end, cal):
        lo, hi = max(o, start), min(c, end)
        if hi > lo:
            total += hi - lo
    return total


def _reference_add(start: datetime, duration: timedelta, cal: Calendar) -> datetime:
    left = duration
    for o, c in _windows(start, start + timedelta(weeks=70), cal):
        lo = max(o, start)
        if c <= lo:
            continue
        if left <= c - lo:
            return lo + left
        left -= c - lo
    raise AssertionError("reference ran out of windows")


ZONES = ["UTC", "Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]


@st.composite
def calendar_and_duration(draw: st.DrawFn) -> tuple[Calendar, timedelta]:
    """A random business calendar and a duration of up to 40 of its nominal weeks."""
    days = draw(st.lists(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
                         min_size=1, unique=True))
    start = draw(st.integers(0, 95)) * 15
    length = draw(st.integers(1, 96)) * 15
    holidays = draw(st.lists(st.integers(0, 900), max_size=20))
    cal = business_calendar(
        timezone=draw(st.sampled_from(ZONES)), days=days,
        start=f"{start // 60:02d}:{start % 60:02d}",
        end=f"{(start + length) // 60 % 24:02d}:{(start + length) % 60:02d}",
        holidays=[(date(2026, 1, 1) + timedelta(days=h)).isoformat() for h in holidays],
    )
    weekly = len(days) * length
    return cal, timedelta(minutes=draw(st.integers(1, weekly * 40)))


instants = st.integers(0, 720 * 24 * 60).map(lambda m: utc(2026, 1, 1) + timedelta(minutes=m))


@settings(max_examples=300, deadline=None)
@given(case=calendar_and_duration(), start=instants)
def test_add_time_matches_reference(case: tuple[Calendar, timedelta], start: datetime) -> None:
    cal, duration = case
    due = add_time(start, duration, cal)
    assert due == _reference_add(start, duration, cal)
    assert elapsed(start, due, cal) == duration


@settings(max_examples=300, deadline=None)
@given(case=calendar_and_duration(), start=instants)
def test_elapsed_matches_reference(case: tuple[Calendar, timedelta], start: datetime) -> None:
    cal, span = case
    assert elapsed(start, start + span, cal) == _reference_elapsed(start, start + span, cal)


def test_a_window_swallowed_by_a_dst_gap_adds_no_time() -> None:
    """2026-03-08 02:45-03:00 New York time does not exist (clocks jump 02:00 -> 03:00): that
    Sunday's window is empty, and must not count as negative time (found by the property test
    above)."""
    cal = business_calendar(timezone="America/New_York", days=["sun"], start="02:45",
                            end="03:00")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    duration = timedelta(minutes=136)  # 9 Sundays of 15 minutes, and one minute more
    assert add_time(start, duration, cal) == datetime(2026, 3, 15, 6, 46, tzinfo=UTC)
    assert add_time(start, duration, cal) == _reference_add(start, duration, cal)
