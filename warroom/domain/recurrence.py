"""Recurrence: patterns of escalations, the flags their recurrence raises, and the recurrence rate.

Pure. A pattern is a (category, component) pair tagged on an escalation; its key reads
`category/component` and is matched case-insensitively. The `component` tag may name several
components separated by commas: each is its own pattern (an escalation on A and B counts toward
A and toward B). A component without a category forms a pattern in category `general`. An
occurrence is an escalation with that pattern, dated by its receipt.

Flags. An occurrence that comes within `policy.recurrence_window` (30 days; exactly 30 days still
counts) of the pattern's previous occurrence raises a flag, due `policy.flag_due` (30 days) after
it, unless a flag raised earlier is still unflagged, in which case the occurrence joins that flag.
A flag is flagged once `pattern_flagged` events recorded at or after it was raised have reached
every recipient in `REQUIRED_RECIPIENTS` (product and ops); `flagged_at` is when the last of them
was reached. A later recurrence after a flag was flagged raises a new flag.

Recurrence rate: the share of escalations with a pattern whose pattern (any of them) occurred in
the `recurrence_window` (30 days, inclusive, the same window as flags) before them. Escalations
without a pattern are left out of the denominator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from warroom.domain.models import Event, EventKind, IncidentState
from warroom.domain.policy import Policy

__all__ = [
    "REQUIRED_RECIPIENTS",
    "Flag",
    "FlagRecord",
    "Occurrence",
    "Pattern",
    "find_patterns",
    "flag_events",
    "flag_records",
    "flag_target",
    "flags_view",
    "natural_id",
    "norm_key",
    "parse_pattern",
    "pattern_key",
    "pattern_of",
    "patterns_of",
    "recurred",
    "recurrence_rate",
]

REQUIRED_RECIPIENTS: tuple[str, ...] = ("product", "ops")
"""Who a flag must reach before it counts as flagged."""

_ID_NUMBER = re.compile(r"^(.*?)(\d+)$")
_SPACES = re.compile(r"\s+")


def natural_id(incident_id: str) -> tuple[str, int, str]:
    """Sort key that puts ESC-9 before ESC-10."""
    match = _ID_NUMBER.match(incident_id)
    if match is None:
        return (incident_id, -1, incident_id)
    return (match.group(1), int(match.group(2)), incident_id)


GENERAL = "general"
"""The category of a component tagged without one."""


def patterns_of(state: IncidentState) -> list[tuple[str, str]]:
    """The escalation's (category, component) pairs, one per component (none without one)."""
    category = state.tags.get("category", "").strip() or GENERAL
    seen: dict[str, str] = {}
    for part in state.tags.get("component", "").split(","):
        component = part.strip()
        if component and _norm(component) not in seen:
            seen[_norm(component)] = component
    return [(category, c) for c in seen.values()]


def pattern_of(state: IncidentState) -> tuple[str, str] | None:
    """The escalation's first (category, component) pair, or None without a component."""
    pairs = patterns_of(state)
    return pairs[0] if pairs else None


def pattern_key(category: str, component: str) -> str:
    """Display key `category/component`."""
    return f"{category}/{component}"


def norm_key(key: str) -> str:
    """Matching form of a key: case-folded, whitespace collapsed, spaces around `/` removed."""
    category, _, component = key.partition("/")
    return pattern_key(_norm(category), _norm(component))


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text.strip()).casefold()


def parse_pattern(text: str) -> tuple[str, str]:
    """Read `category/component` (the component may itself contain `/`).

    Raises:
        ValueError: when either half is empty.
    """
    category, sep, component = text.partition("/")
    if not sep or not category.strip() or not component.strip():
        raise ValueError(f"bad pattern {text!r} (expected category/component, e.g. db/postgres)")
    return category.strip(), component.strip()


@dataclass(frozen=True)
class Occurrence:
    """One escalation with the pattern."""

    incident_id: str
    at: datetime


@dataclass(frozen=True)
class FlagRecord:
    """A `pattern_flagged` event, reduced to what the flag rules read."""

    key: str
    """Normalised pattern key."""
    at: datetime
    to: frozenset[str]
    """Recipients, case-folded."""
    incident_id: str
    seq: int
    actor: str


@dataclass
class Flag:
    """One flag raised by a recurrence."""

    key: str
    raised_at: datetime
    raised_by: str
    """The escalation whose recurrence raised it."""
    previous: str
    """The earlier escalation it recurred after."""
    due_at: datetime
    occurrences: list[str] = field(default_factory=list)
    """Escalations that joined the flag while it was unflagged (the raiser first)."""
    reached: dict[str, datetime] = field(default_factory=dict)
    """Recipient -> when first reached."""
    flagged_at: datetime | None = None

    @property
    def in_time(self) -> bool | None:
        """True/False once flagged (at or before the due time counts); None while unflagged."""
        if self.flagged_at is None:
            return None
        return self.flagged_at <= self.due_at

    def status(self, now: datetime) -> str:
        """`flagged`, `flagged_late`, `open` or `overdue` (unflagged, past due)."""
        if self.flagged_at is not None:
            return "flagged" if self.in_time else "flagged_late"
        return "overdue" if now > self.due_at else "open"

    def as_dict(self, now: datetime) -> dict[str, object]:
        """JSON-ready."""
        return {
            "raised_at": self.raised_at.isoformat(),
            "raised_by": self.raised_by,
            "previous": self.previous,
            "flag_due": self.due_at.isoformat(),
            "flagged_at": self.flagged_at.isoformat() if self.flagged_at else None,
            "reached": {k: v.isoformat() for k, v in sorted(self.reached.items())},
            "in_time": self.in_time,
            "status": self.status(now),
            "occurrences": list(self.occurrences),
        }


@dataclass
class Pattern:
    """A pattern with its occurrences (in receipt order) and the flags it raised."""

    key: str
    category: str
    component: str
    occurrences: list[Occurrence] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)

    def latest_flag(self) -> Flag | None:
        """The most recently raised flag, if any (only it can still be unflagged)."""
        return self.flags[-1] if self.flags else None

    def open_flag(self) -> Flag | None:
        """The flag still waiting to reach product and ops, if any."""
        latest = self.latest_flag()
        return latest if latest is not None and latest.flagged_at is None else None


def flag_events(states: Iterable[IncidentState]) -> list[Event]:
    """The `pattern_flagged` events of these escalations (folded into their states), in seq
    order: what `flag_records` needs, without reading the log."""
    return sorted((e for s in states for e in s.pattern_flags), key=lambda e: e.seq)


def flag_records(events: Iterable[Event]) -> list[FlagRecord]:
    """The `pattern_flagged` events among `events`, oldest first."""
    out = []
    for event in events:
        if event.kind is not EventKind.PATTERN_FLAGGED:
            continue
        key = event.payload.get("pattern")
        if not isinstance(key, str) or "/" not in key:
            continue
        to = frozenset(_norm(str(t)) for t in event.payload.get("to", []))
        out.append(FlagRecord(norm_key(key), event.occurred_at, to, event.incident_id,
                              event.seq, event.actor))
    out.sort(key=lambda r: (r.at, r.seq))
    return out


def _occurrence_order(state: IncidentState) -> tuple[datetime, tuple[str, int, str]]:
    return state.received_at, natural_id(state.id)


def find_patterns(
    states: Iterable[IncidentState], records: Iterable[FlagRecord], policy: Policy
) -> dict[str, Pattern]:
    """Every pattern among `states`, by normalised key, with occurrences and flags.

    Args:
        states: all escalations (the whole history: a flag depends on earlier occurrences).
        records: `pattern_flagged` records (see `flag_records`).
        policy: `recurrence_window` and `flag_due`.
    """
    found: dict[str, Pattern] = {}
    for state in sorted(states, key=_occurrence_order):
        for pair in patterns_of(state):
            key = norm_key(pattern_key(*pair))
            pattern = found.get(key)
            if pattern is None:
                pattern = found[key] = Pattern(pattern_key(*pair), pair[0], pair[1])
            pattern.occurrences.append(Occurrence(state.id, state.received_at))
    by_key: dict[str, list[FlagRecord]] = {}
    for record in records:
        by_key.setdefault(record.key, []).append(record)
    for key, pattern in found.items():
        _raise_flags(pattern, by_key.get(key, []), policy)
    return found


def _raise_flags(pattern: Pattern, records: Sequence[FlagRecord], policy: Policy) -> None:
    window, due_after = policy.recurrence_window, policy.flag_due
    current: Flag | None = None
    for prev, occ in zip(pattern.occurrences, pattern.occurrences[1:], strict=False):
        if occ.at - prev.at > window:
            continue
        if current is not None and (current.flagged_at is None or current.flagged_at > occ.at):
            current.occurrences.append(occ.incident_id)
            continue
        current = Flag(pattern.key, occ.at, occ.incident_id, prev.incident_id,
                       occ.at + due_after, [occ.incident_id])
        _reach(current, records)
        pattern.flags.append(current)


def _reach(flag: Flag, records: Sequence[FlagRecord]) -> None:
    required = set(REQUIRED_RECIPIENTS)
    for record in records:
        if record.at < flag.raised_at:
            continue
        for who in record.to:
            flag.reached.setdefault(who, record.at)
        if required <= flag.reached.keys():
            flag.flagged_at = max(flag.reached[r] for r in required)
            return


def recurred(
    states: Iterable[IncidentState], policy: Policy, among: Iterable[str] | None = None
) -> dict[str, bool | None]:
    """For each escalation (or those in `among`): did one of its patterns occur in the
    recurrence window before it? None for an escalation without a pattern.

    An occurrence exactly `recurrence_window` earlier counts; one received at the same instant
    counts only if it sorts earlier (by id).
    """
    window = policy.recurrence_window
    wanted = set(among) if among is not None else None
    last_seen: dict[str, datetime] = {}
    out: dict[str, bool | None] = {}
    for state in sorted(states, key=_occurrence_order):
        pairs = patterns_of(state)
        hit: bool | None = None if not pairs else False
        for pair in pairs:
            key = norm_key(pattern_key(*pair))
            before = last_seen.get(key)
            if before is not None and state.received_at - before <= window:
                hit = True
            last_seen[key] = state.received_at
        if wanted is None or state.id in wanted:
            out[state.id] = hit
    return out


def recurrence_rate(
    selected: Iterable[IncidentState], history: Iterable[IncidentState], policy: Policy
) -> float | None:
    """Share of `selected` escalations with a pattern that recurred within the window (looking
    back into `history`, which should include `selected`); None when none has a pattern."""
    ids = [s.id for s in selected]
    hits = recurred(history, policy, among=ids)
    patterned = [hits.get(i) for i in ids if hits.get(i) is not None]
    if not patterned:
        return None
    return sum(1 for h in patterned if h) / len(patterned)


def flag_target(
    pattern: str, states: Mapping[str, IncidentState], records: Iterable[FlagRecord],
    policy: Policy,
) -> str:
    """The escalation a `flag PATTERN` command is recorded on.

    The escalation that raised the pattern's unflagged flag if there is one, else the pattern's
    most recent occurrence.

    Raises:
        ValueError: malformed pattern.
        LookupError: no escalation carries the pattern.
    """
    key = norm_key(pattern_key(*parse_pattern(pattern)))
    found = find_patterns(states.values(), records, policy).get(key)
    if found is None:
        raise LookupError(f"no escalation is tagged with pattern {pattern!r}")
    open_flag = found.open_flag()
    if open_flag is not None:
        return open_flag.raised_by
    return found.occurrences[-1].incident_id


def flags_view(
    states: Iterable[IncidentState], events: Iterable[Event], policy: Policy, now: datetime,
    *, open_only: bool = True,
) -> list[dict[str, object]]:
    """Flags for the console and `warroom flags`: one row per flag, unflagged ones first (soonest
    due first), then flagged ones (most recent first). `open_only` keeps only unflagged flags."""
    rows: list[dict[str, object]] = []
    for pattern in find_patterns(states, flag_records(events), policy).values():
        for flag in pattern.flags:
            if open_only and flag.flagged_at is not None:
                continue
            rows.append({"key": pattern.key, "occurrences": len(pattern.occurrences),
                         **flag.as_dict(now)})
    unflagged = sorted((r for r in rows if r["flagged_at"] is None),
                       key=lambda r: (str(r["flag_due"]), str(r["key"])))
    flagged = sorted((r for r in rows if r["flagged_at"] is not None),
                     key=lambda r: str(r["flagged_at"]), reverse=True)
    return unflagged + flagged
