"""Parsing and formatting of times and durations (pure; `now` is always passed in)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_DURATION = re.compile(r"^\s*(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?\s*$",
                       re.ASCII)
_RELATIVE = re.compile(r"^([+-])\s*(\d+(?:d|h|m|s))+$", re.ASCII)
_SECONDS = re.compile(r"^[0-9]+$")


class TimeParseError(ValueError):
    """A time or duration string that could not be read."""


def parse_duration(text: str) -> timedelta:
    """Read `15m`, `4h`, `1h30m`, `2d`, `45s` (or a bare number of seconds)."""
    text = text.strip()
    try:
        if _SECONDS.match(text):
            return timedelta(seconds=int(text))
        match = _DURATION.match(text)
        if not text or match is None or not any(match.groups()):
            raise TimeParseError(f"bad duration {text!r} (expected e.g. 15m, 4h, 1h30m, 2d)")
        d, h, m, s = (int(g) if g else 0 for g in match.groups())
        return timedelta(days=d, hours=h, minutes=m, seconds=s)
    except (OverflowError, ValueError) as exc:
        if isinstance(exc, TimeParseError):
            raise
        raise TimeParseError(f"duration {text!r} is out of range") from None


def parse_iso(text: str) -> datetime:
    """Read an ISO 8601 time; naive times are taken as UTC. Returns an aware UTC datetime."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise TimeParseError(f"bad time {text!r} (expected ISO 8601 like 2026-11-24T10:00:00Z)") \
            from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise TimeParseError(f"time {text!r} is out of range") from None


def parse_time(text: str, now: datetime) -> datetime:
    """Read an absolute ISO 8601 time or a relative one (`-10m`, `+2h`, `now`) against `now`.

    Raises TimeParseError (and nothing else) for anything it cannot read or that falls outside
    the years 1 to 9999.
    """
    stripped = text.strip()
    if stripped == "now":
        return now
    if stripped[:1] in "+-" and _RELATIVE.match(stripped.replace(" ", "")):
        sign = -1 if stripped[0] == "-" else 1
        try:
            return now + sign * parse_duration(stripped[1:])
        except OverflowError:
            raise TimeParseError(f"time {text!r} is out of range") from None
    try:
        return parse_iso(stripped)
    except TimeParseError:
        raise TimeParseError(
            f"bad time {text!r} (expected ISO 8601 like 2026-11-24T10:00:00Z, or -10m, +2h)"
        ) from None


def format_duration(seconds: float) -> str:
    """Compact signed duration for countdowns: `1h05m`, `12m30s`, `-3m10s`, `2d04h`."""
    sign = "-" if seconds < 0 else ""
    total = int(abs(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d{hours:02d}h"
    if hours:
        return f"{sign}{hours}h{minutes:02d}m"
    return f"{sign}{minutes}m{secs:02d}s"
