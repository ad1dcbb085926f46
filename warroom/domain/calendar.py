"""Calendar time: how much SLA time passes between two instants, and when a target falls due.

Pure. `always` calendars count every second; `business` calendars count only the seconds inside
the working window (`start`–`end`, local time in `cal.timezone`) of working days that are not
holidays. Windows follow local time across DST changes, and a window's length is measured in
real seconds (a window that straddles a DST change is an hour shorter or longer that day).
A window whose `end` is not after its `start` runs overnight into the next day; `24:00` is
accepted as an end. A holiday removes the window that starts on that date.

Cost: O(days spanned) at worst; spans of whole weeks are skipped a week at a time with O(1)
work per week (a bisect for holidays and two offset look-ups to rule out a DST change).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from warroom.domain.policy import Calendar

__all__ = ["add_time", "elapsed", "next_opening"]

_ZERO = timedelta(0)
_WEEK = timedelta(weeks=1)
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def add_time(start: datetime, duration: timedelta, cal: Calendar) -> datetime:
    """The instant at which `duration` of calendar time has elapsed since `start`.

    Args:
        start: aware instant the clock starts from (naive is taken as UTC).
        duration: calendar time to count; zero or less returns `start` for business calendars.
        cal: the calendar to count in.

    Returns:
        An aware datetime (UTC for business calendars). A start outside working hours begins
        counting at the next opening.
    """
    if cal.kind == "always":
        return start + duration
    start = _aware(start)
    if duration <= _ZERO:
        return start
    return _compile(cal).add(start, duration)


def elapsed(start: datetime, end: datetime, cal: Calendar) -> timedelta:
    """Calendar time between `start` and `end` (zero when `end <= start`)."""
    if cal.kind == "always":
        return end - start if end > start else _ZERO
    start, end = _aware(start), _aware(end)
    if end <= start:
        return _ZERO
    return _compile(cal).elapsed(start, end)


def next_opening(instant: datetime, cal: Calendar) -> datetime:
    """The first instant at or after `instant` when the calendar's clock runs."""
    if cal.kind == "always":
        return instant
    return _compile(cal).add(_aware(instant), timedelta(microseconds=1)) - timedelta(
        microseconds=1
    )


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _seconds_of_day(text: str) -> int:
    hours, _, minutes = text.strip().partition(":")
    value = int(hours) * 3600 + int(minutes or 0) * 60
    if not 0 <= value <= 86400:
        raise ValueError(f"bad time of day {text!r} (expected HH:MM, 00:00 to 24:00)")
    return value


@dataclass(frozen=True)
class _Business:
    """A business calendar compiled for fast arithmetic."""

    tz: ZoneInfo
    workdays: frozenset[int]
    """Weekdays (0 = Monday) whose window runs."""
    open_s: int
    """Window opening, seconds after local midnight."""
    close_s: int
    """Window closing, seconds after local midnight of the opening day (may exceed 86400)."""
    holidays: frozenset[int]
    """Date ordinals of holidays that fall on working days."""
    holiday_list: tuple[int, ...]
    week: timedelta
    """Nominal business time in one week without holidays or DST changes."""
    _windows: dict[int, tuple[datetime, datetime]] = field(default_factory=dict, compare=False)
    """Day ordinal -> (opening, closing) in UTC: zone conversions dominate the cost."""

    @property
    def window(self) -> timedelta:
        return timedelta(seconds=self.close_s - self.open_s)

    def _local(self, day: int, seconds: int) -> datetime:
        naive = datetime.fromordinal(day) + timedelta(seconds=seconds)
        return naive.replace(tzinfo=self.tz).astimezone(UTC)

    def _runs(self, day: int) -> bool:
        return (day - 1) % 7 in self.workdays and day not in self.holidays

    def _open_close(self, day: int) -> tuple[datetime, datetime]:
        window = self._windows.get(day)
        if window is None:
            if len(self._windows) >= 4096:
                self._windows.clear()
            window = self._windows[day] = (
                self._local(day, self.open_s), self._local(day, self.close_s)
            )
        return window

    def _first_day(self, instant: datetime) -> int:
        """The first day whose window may still be open at `instant`."""
        day = instant.astimezone(self.tz).toordinal()
        return day - 1 if self.close_s > 86400 else day

    def _whole_week(self, day: int) -> timedelta | None:
        """Business time in the 7 days from `day` if it is nominal minus holidays, else None.

        None when the opening a week later is not exactly 7 × 24 h away, i.e. a DST change falls
        in the week (perhaps inside a window); the caller then walks those days one by one.
        """
        if self._week_opening(day + 7) - self._week_opening(day) != _WEEK:
            return None
        lo = bisect_left(self.holiday_list, day)
        hi = bisect_left(self.holiday_list, day + 7)
        return self.week - (hi - lo) * self.window

    def _week_opening(self, day: int) -> datetime:
        return self._open_close(day)[0]

    def add(self, start: datetime, duration: timedelta) -> datetime:
        remaining = duration
        cur = start
        day = self._first_day(start)
        while True:
            # Whole-week skip: only from a day whose window has not opened yet, and only while
            # at least one more week would remain, so the final answer comes from the day walk.
            if remaining > 2 * self.week > _ZERO and cur <= self._week_opening(day):
                week = self._whole_week(day)
                if week is not None and week < remaining:
                    remaining -= week
                    day += 7
                    cur = self._week_opening(day)
                    continue
            if self._runs(day):
                opening, closing = self._open_close(day)
                begin = opening if opening > cur else cur
                if closing > begin:  # a window a DST gap swallows (02:45-03:00) is empty
                    available = closing - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
                    cur = closing
            day += 1

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        total = _ZERO
        cur = start
        day = self._first_day(start)
        last = end.astimezone(self.tz).toordinal()
        while day <= last:
            if day + 7 < last and cur <= self._week_opening(day):
                week = self._whole_week(day)
                if week is not None:
                    total += week
                    day += 7
                    cur = self._week_opening(day)
                    continue
            if self._runs(day):
                opening, closing = self._open_close(day)
                begin = opening if opening > cur else cur
                finish = closing if closing < end else end
                if finish > begin:
                    total += finish - begin
                    cur = finish
            day += 1
        return total


_CACHE: dict[int, tuple[Calendar, _Business]] = {}


def _compile(cal: Calendar) -> _Business:
    hit = _CACHE.get(id(cal))
    if hit is not None and hit[0] is cal:
        return hit[1]
    open_s = _seconds_of_day(cal.start)
    close_s = _seconds_of_day(cal.end)
    if close_s <= open_s:
        close_s += 86400
    workdays = frozenset(_DAYS.index(d) for d in cal.days)
    if not workdays:
        raise ValueError("a business calendar needs at least one working day")
    holidays = frozenset(
        o for o in (date.fromisoformat(h).toordinal() for h in cal.holidays)
        if (o - 1) % 7 in workdays
    )
    compiled = _Business(
        tz=ZoneInfo(cal.timezone),
        workdays=workdays,
        open_s=open_s,
        close_s=close_s,
        holidays=holidays,
        holiday_list=tuple(sorted(holidays)),
        week=timedelta(seconds=(close_s - open_s) * len(workdays)),
    )
    if len(_CACHE) > 256:
        _CACHE.clear()
    _CACHE[id(cal)] = (cal, compiled)
    return compiled
