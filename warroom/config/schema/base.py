"""What every config section is built from: a strict model, durations, time zones, and errors
that carry their key path.

A section is a pydantic model whose field names are the file's keys, so pydantic's error
location is the key path the user sees (`severities.P1.resolve`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    ValidationError,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from warroom.domain.timeparse import TimeParseError, parse_duration


class Section(BaseModel):
    """A table of the config file: unknown keys are errors; values are read as written."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False,
                              use_attribute_docstrings=True)


def problem(message: str) -> PydanticCustomError:
    """A problem with the value being validated, worded exactly as given."""
    return PydanticCustomError("config", message)


def problem_at(loc: Sequence[str | int], message: str, value: object = None) -> ValidationError:
    """A problem at `loc` below the value being validated (for checks across keys)."""
    detail = InitErrorDetails(type=problem(message), loc=tuple(loc), input=value)
    return ValidationError.from_exception_data("config", [detail])


def _read_duration(value: Any) -> Any:
    if isinstance(value, bool):
        raise problem("expected a duration like 15m, 4h, 1h30m, 2d")
    if isinstance(value, int | float):
        return timedelta(seconds=value)
    if isinstance(value, str):
        try:
            return parse_duration(value)
        except TimeParseError as exc:
            raise problem(str(exc)) from None
    return value


def spell_duration(value: timedelta) -> str:
    """A duration as written in the file: `4h`, `1h30m`, `2d`, `45s`, `0s`."""
    total = int(value.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, total = divmod(total, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise problem("must be a positive duration")
    return value


Duration = Annotated[timedelta, BeforeValidator(_read_duration),
                     PlainSerializer(spell_duration, when_used="json")]
"""`15m`, `4h`, `1h30m`, `2d` (or a number of seconds)."""

PositiveDuration = Annotated[Duration, AfterValidator(_positive)]
"""A duration greater than zero."""


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (KeyError, ValueError, OSError):
        raise problem(f"unknown timezone {name!r} (expected an IANA name like "
                      "'Europe/London')") from None
    return name


TimeZoneName = Annotated[str, AfterValidator(_zone)]
"""An IANA time zone name, e.g. `Europe/London`."""


def names(table: Any) -> str:
    """The keys of `table` for an error message (`none` when empty)."""
    return ", ".join(str(k) for k in table) or "none"
