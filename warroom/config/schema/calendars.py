"""`[calendars.NAME]`: when clocks run."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal, Self

from pydantic import Field, model_validator

from warroom.config.schema.base import Section, TimeZoneName, problem_at

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

_WORKWEEK: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
_CLOCK_TIME = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$")


class CalendarEntry(Section):
    """`[calendars.NAME]`: `always`, or a `business` window on working days."""

    kind: Literal["always", "business"] = "always"
    timezone: TimeZoneName = "UTC"
    days: list[Weekday] = Field(default_factory=lambda: list(_WORKWEEK))
    start: str = "09:00"
    end: str = "17:00"
    holidays: list[str] = Field(default_factory=list)
    """Dates (YYYY-MM-DD) on which a business calendar does not count."""

    @model_validator(mode="after")
    def _window(self) -> Self:
        if self.kind == "always":
            return self
        if not self.days:
            raise problem_at(("days",), "a business calendar needs at least one working day")
        if len(set(self.days)) != len(self.days):
            raise problem_at(("days",), "a day is listed twice", self.days)
        if not _CLOCK_TIME.match(self.start):
            raise problem_at(("start",), f"bad time {self.start!r} (expected HH:MM, e.g. 09:00)")
        if not (_CLOCK_TIME.match(self.end) or self.end == "24:00"):
            raise problem_at(("end",), f"bad time {self.end!r} (expected HH:MM, e.g. 17:00)")
        if self.start == self.end:
            raise problem_at(("end",), "the working window is empty (end equals start)")
        for index, holiday in enumerate(self.holidays):
            try:
                date.fromisoformat(holiday)
            except ValueError:
                raise problem_at(("holidays", index),
                                 f"bad date {holiday!r} (expected YYYY-MM-DD)") from None
        return self
