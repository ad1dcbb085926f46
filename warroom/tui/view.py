"""Plain-text view helpers shared by the panes: badges, times, durations, event summaries.

No Textual imports: these are pure functions of state, policy and `now`, easy to unit-test.
Every state is spelled in words and a symbol as well as colour (never colour alone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from warroom.domain.models import Clock, ClockName, ClockState, Commitment, Event, IncidentState
from warroom.domain.next_update import Owed, owed
from warroom.domain.policy import Policy
from warroom.domain.sla import clocks as evaluate_clocks
from warroom.domain.timeparse import format_duration, parse_time
from warroom.domain.urgency import most_urgent, state_key

NO_ESCALATION = "no escalation open"
"""What the panes say before there is any escalation to show."""

CLOCK_BADGES: dict[ClockState, tuple[str, str]] = {
    ClockState.OK: ("●", "OK"),
    ClockState.AT_RISK: ("▲", "AT RISK"),
    ClockState.BREACHED: ("✖", "BREACHED"),
    ClockState.MET: ("✔", "MET"),
    ClockState.MET_LATE: ("✔", "MET LATE"),
    ClockState.PAUSED: ("⏸", "PAUSED"),
    ClockState.NOT_APPLICABLE: ("–", "N/A"),
}
"""Symbol and word for each clock state."""

CLOCK_TITLES: dict[ClockName, str] = {
    ClockName.TRIAGE: "Triage",
    ClockName.FIRST_UPDATE: "First update",
    ClockName.NEXT_UPDATE: "Next update",
    ClockName.RESOLVE: "Resolve",
    ClockName.PIR: "PIR",
}


def badge(state: ClockState) -> str:
    """`▲ AT RISK` etc."""
    symbol, word = CLOCK_BADGES[state]
    return f"{symbol} {word}"


def state_class(state: ClockState | str) -> str:
    """The CSS class for a clock or commitment state (`-at-risk`, `-breached`, ...)."""
    return "-" + str(state).replace("_", "-")


@lru_cache(maxsize=64)
def zone(name: str | None) -> tzinfo | None:
    """A timezone by IANA name (None if unknown or not given)."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def customer_zone(policy: Policy, customer: str) -> tzinfo | None:
    """The customer's configured timezone, if any."""
    info = policy.customers.get(customer)
    return zone(info.timezone) if info is not None else None


def hhmm(at: datetime, tz: tzinfo | None = None, seconds: bool = False,
         now: datetime | None = None) -> str:
    """`14:05 UTC` (or in `tz`, with its abbreviation); `Wed 25 Nov 14:05 UTC` when `now` is
    given and falls on another day."""
    fmt = "%H:%M:%S" if seconds else "%H:%M"
    local = at.astimezone(tz) if tz is not None else at
    if now is not None and (now.astimezone(tz) if tz is not None else now).date() != local.date():
        fmt = "%a %d %b " + fmt
    if tz is None:
        return local.strftime(fmt) + " UTC"
    return f"{local.strftime(fmt)} {local.tzname() or ''}".rstrip()


def dual(at: datetime, tz: tzinfo | None, seconds: bool = False,
         now: datetime | None = None) -> str:
    """`14:05 UTC · 09:05 EST`: UTC, plus the customer's local time where configured."""
    utc = hhmm(at, None, seconds, now)
    return utc if tz is None else f"{utc} · {hhmm(at, tz, seconds, now)}"


def duration(seconds: float) -> str:
    """A compact duration without sign: `1h05m`, `12m30s`."""
    return format_duration(abs(seconds))


def countdown(seconds: float) -> str:
    """Digits for the big displays: `1:05:12`, `12:30`, `-3:10`."""
    sign = "-" if seconds < 0 else ""
    total = int(abs(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
    return f"{sign}{minutes:02d}:{secs:02d}"


def remaining_text(clock: Clock) -> str:
    """`52m10s left`, `3m10s over`, `frozen 1h02m` or `` for met/n-a clocks."""
    if clock.remaining_s is None:
        return ""
    if clock.state is ClockState.PAUSED:
        return f"{duration(clock.remaining_s)} left (frozen)"
    if clock.remaining_s < 0:
        return f"{duration(clock.remaining_s)} over"
    return f"{duration(clock.remaining_s)} left"


def commitment_overdue(commitment: Commitment, now: datetime) -> bool:
    """Binding and past due."""
    return commitment.is_open and now > commitment.due_at


def ordered_commitments(state: IncidentState, now: datetime) -> list[Commitment]:
    """Open commitments, overdue first, then soonest due."""
    return sorted(state.open_commitments(),
                  key=lambda c: (not commitment_overdue(c, now), c.due_at))


@dataclass(frozen=True, eq=False)
class Board:
    """Everything the panes show at one instant: one escalation evaluated at `now`.

    Built once per heartbeat by the main screen and handed to every pane, so all panes flip on
    the same second (compared by identity: a new Board is always a change).
    """

    state: IncidentState
    policy: Policy
    now: datetime
    clocks: dict[ClockName, Clock]
    urgent: Clock | None
    tz: tzinfo | None

    @classmethod
    def build(cls, state: IncidentState, policy: Policy, now: datetime) -> Board:
        """Evaluate the clocks of `state` at `now`."""
        evaluated = evaluate_clocks(state, policy, now)
        return cls(state, policy, now, evaluated, most_urgent(evaluated),
                   customer_zone(policy, state.customer))

    @property
    def other_urgent(self) -> Clock | None:
        """The most urgent clock other than the next customer update (shown in its own pane)."""
        return most_urgent(self.clocks, other_than=ClockName.NEXT_UPDATE)

    @property
    def owed(self) -> Owed:
        """The next customer update owed, from the domain's one source."""
        return owed(self.state, self.policy)

    @property
    def update_clock(self) -> Clock:
        """The clock for the next customer update owed (the first one until it is posted)."""
        return self.clocks[ClockName.NEXT_UPDATE]

    @property
    def age(self) -> str:
        """How long since receipt."""
        return duration((self.now - self.state.received_at).total_seconds())


def pick_incident(states: dict[str, IncidentState], policy: Policy, now: datetime,
                  wanted: str | None) -> str | None:
    """The escalation to show first: the one asked for, else the most urgent open one."""
    if wanted and wanted in states:
        return wanted
    candidates = [s for s in states.values() if s.closed_at is None and not s.imported] or [
        s for s in states.values() if not s.imported]  # history is shown only when asked for
    if not candidates:
        return None
    return min((Board.build(s, policy, now) for s in candidates), key=urgency_key).state.id


def urgency_key(board: Board) -> tuple[object, ...]:
    """The domain's escalation ordering (`warroom.domain.urgency`) for a board."""
    return state_key(board.state, board.clocks)


# -- timeline -------------------------------------------------------------------------------

FILTERS: dict[str, tuple[str, frozenset[str] | None]] = {
    "all": ("All events", None),
    "customer": ("Customer updates", frozenset({"update_posted:customer"})),
    "updates": ("All status updates", frozenset({"update_posted"})),
    "decisions": ("Decisions", frozenset({"decision_recorded"})),
    "commitments": ("Commitments", frozenset({
        "commitment_made", "commitment_met", "commitment_missed", "commitment_renegotiated"})),
    "notes": ("Notes", frozenset({"note"})),
    "changes": ("Severity, phase, roles", frozenset({
        "opened", "triaged", "severity_changed", "phase_changed", "role_assigned",
        "clock_paused", "clock_resumed", "resolved", "closed"})),
}
"""Timeline filters: name -> (title, kinds shown; `update_posted:<audience>` narrows updates)."""


def matches(event: Event, kinds: frozenset[str] | None) -> bool:
    """Does `event` pass a filter's kinds?"""
    if kinds is None:
        return True
    kind = str(event.kind)
    if kind in kinds:
        return True
    return kind == "update_posted" and f"{kind}:{event.payload.get('audience')}" in kinds


def parse_when(text: str, now: datetime) -> datetime:
    """A due time typed by a person: `+30m`, `30m`, `1h30m`, `16:30` (UTC; the next such time),
    ISO 8601, or `now`. Raises `TimeParseError`."""
    stripped = text.strip()
    if stripped and stripped[0].isdigit() and stripped[-1] in "dhms" and ":" not in stripped:
        stripped = "+" + stripped
    if len(stripped) in (4, 5) and stripped.count(":") == 1:
        hours, _, minutes = stripped.partition(":")
        if hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60:
            at = now.replace(hour=int(hours), minute=int(minutes), second=0, microsecond=0)
            return at if at > now else at + timedelta(days=1)
    return parse_time(stripped, now)
