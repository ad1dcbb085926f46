"""Recurrence: patterns, flags at the edges of their windows, flagging, and the recurrence rate."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.factories import T0
from tests.unit.post.helpers import flagged, incident, post_policy, run
from warroom.domain.errors import InvalidInput, RightRequired
from warroom.domain.models import EventKind, IncidentState
from warroom.domain.post_commands import FlagPattern
from warroom.domain.recurrence import (
    find_patterns,
    flag_records,
    flag_target,
    flags_view,
    parse_pattern,
    pattern_of,
    patterns_of,
    recurred,
    recurrence_rate,
)

POLICY = post_policy()
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
DB = {"category": "db", "component": "postgres"}


def esc(n: int, at: datetime, tags: dict[str, str] | None = DB) -> IncidentState:
    return incident(f"ESC-{n}", at=at, tags=tags).state()


def patterns(states: list[IncidentState], events: list | None = None):  # type: ignore[no-untyped-def,type-arg]
    return find_patterns(states, flag_records(events or []), POLICY)


def test_each_component_is_its_own_pattern_and_a_bare_component_is_general() -> None:
    assert pattern_of(esc(1, T0)) == ("db", "postgres")
    assert patterns_of(esc(1, T0, {"component": "postgres"})) == [("general", "postgres")]
    assert patterns_of(esc(1, T0, {"category": "db"})) == []
    assert patterns_of(esc(1, T0, {"category": "gh", "component": "API, Git, api"})) == [
        ("gh", "API"), ("gh", "Git")]
    found = patterns([esc(1, T0, {"category": "gh", "component": "API, Git"}),
                      esc(2, T0 + DAY, {"category": "gh", "component": "Git"})])
    assert {k: [o.incident_id for o in p.occurrences] for k, p in found.items()} == {
        "gh/api": ["ESC-1"], "gh/git": ["ESC-1", "ESC-2"]}


def test_pattern_matches_case_insensitively() -> None:
    states = [esc(1, T0), esc(2, T0 + DAY, {"category": "DB", "component": " Postgres "})]
    found = patterns(states)
    assert list(found) == ["db/postgres"]
    assert found["db/postgres"].key == "db/postgres"
    assert [o.incident_id for o in found["db/postgres"].occurrences] == ["ESC-1", "ESC-2"]
    with pytest.raises(ValueError, match="category/component"):
        parse_pattern("postgres")
    assert parse_pattern("net/lb/eu-west") == ("net", "lb/eu-west")


def test_second_occurrence_exactly_30_days_later_raises_a_flag() -> None:
    found = patterns([esc(1, T0), esc(2, T0 + 30 * DAY)])["db/postgres"]
    flag = found.latest_flag()
    assert flag is not None
    assert (flag.raised_by, flag.previous, flag.raised_at, flag.due_at) == (
        "ESC-2", "ESC-1", T0 + 30 * DAY, T0 + 60 * DAY)
    assert flag.status(T0 + 60 * DAY) == "open"
    assert flag.status(T0 + 60 * DAY + SECOND) == "overdue"


def test_one_second_past_30_days_is_no_recurrence() -> None:
    assert patterns([esc(1, T0), esc(2, T0 + 30 * DAY + SECOND)])["db/postgres"].flags == []


def test_flagged_exactly_at_due_is_in_time_one_second_later_is_late() -> None:
    states = [esc(1, T0), esc(2, T0 + 10 * DAY)]
    due = T0 + 40 * DAY
    flag = patterns(states, [flagged("ESC-2", "db/postgres", ["product", "ops"], due)]
                    )["db/postgres"].flags[0]
    assert (flag.flagged_at, flag.in_time, flag.status(due)) == (due, True, "flagged")
    flag = patterns(states, [flagged("ESC-2", "DB/Postgres", ["ops", "product"], due + SECOND)]
                    )["db/postgres"].flags[0]
    assert (flag.flagged_at, flag.in_time, flag.status(due)) == (
        due + SECOND, False, "flagged_late")


def test_flagged_only_once_product_and_ops_both_reached() -> None:
    states = [esc(1, T0), esc(2, T0 + 10 * DAY)]
    events = [flagged("ESC-2", "db/postgres", ["product"], T0 + 12 * DAY, seq=901)]
    flag = patterns(states, events)["db/postgres"].flags[0]
    assert flag.flagged_at is None
    assert list(flag.reached) == ["product"]
    events.append(flagged("ESC-2", "db/postgres", ["ops"], T0 + 15 * DAY, seq=902))
    flag = patterns(states, events)["db/postgres"].flags[0]
    assert flag.flagged_at == T0 + 15 * DAY


def test_a_flag_before_the_recurrence_does_not_count() -> None:
    states = [esc(1, T0), esc(2, T0 + 10 * DAY)]
    early = [flagged("ESC-1", "db/postgres", ["product", "ops"], T0 + DAY)]
    assert patterns(states, early)["db/postgres"].flags[0].flagged_at is None


def test_recurrences_join_an_open_flag_and_raise_a_new_one_after_flagging() -> None:
    states = [esc(1, T0), esc(2, T0 + 10 * DAY), esc(3, T0 + 20 * DAY), esc(4, T0 + 45 * DAY)]
    found = patterns(states)["db/postgres"]
    assert len(found.flags) == 1
    assert found.flags[0].occurrences == ["ESC-2", "ESC-3", "ESC-4"]
    events = [flagged("ESC-2", "db/postgres", ["product", "ops"], T0 + 25 * DAY)]
    found = patterns(states, events)["db/postgres"]
    assert [(f.raised_by, f.occurrences) for f in found.flags] == [
        ("ESC-2", ["ESC-2", "ESC-3"]), ("ESC-4", ["ESC-4"])]
    assert found.flags[1].due_at == T0 + 75 * DAY
    assert found.open_flag() is found.flags[1]


def test_flag_target_is_the_open_flags_raiser_else_the_latest_occurrence() -> None:
    states = {s.id: s for s in [esc(1, T0), esc(2, T0 + 10 * DAY), esc(3, T0 + 50 * DAY)]}
    assert flag_target("DB/postgres", states, [], POLICY) == "ESC-2"
    done = flag_records([flagged("ESC-2", "db/postgres", ["product", "ops"], T0 + 11 * DAY)])
    assert flag_target("db/postgres", states, done, POLICY) == "ESC-3"
    with pytest.raises(LookupError, match="net/lb"):
        flag_target("net/lb", states, [], POLICY)


def test_flag_command_records_a_pattern_flagged_event() -> None:
    log = incident("ESC-2", at=T0, tags=DB)
    with pytest.raises(InvalidInput, match="not tagged net/lb"):
        run(log, FlagPattern(incident_id="ESC-2", pattern="net/lb", to=["product"]), POLICY)
    with pytest.raises(RightRequired, match="flag_pattern"):
        run(log, FlagPattern(incident_id="ESC-2", pattern="db/postgres", to=["ops"]), POLICY,
            actor="zed")
    result = run(log, FlagPattern(incident_id="ESC-2", pattern="DB/Postgres",
                                  to=["Product", "ops "]), POLICY)
    assert result == {"id": "ESC-2", "pattern": "db/postgres", "to": ["ops", "product"]}
    event = log.events[-1]
    assert event.kind is EventKind.PATTERN_FLAGGED
    assert event.payload == {"pattern": "db/postgres", "to": ["ops", "product"]}


def test_recurrence_rate_uses_the_30_day_window_inclusive_and_patterned_escalations() -> None:
    states = [
        esc(1, T0),
        esc(2, T0 + 30 * DAY),                       # exactly 30 days after ESC-1: recurred
        esc(3, T0 + 60 * DAY + SECOND),              # 30 days + 1 s after ESC-2: not
        esc(4, T0 + 61 * DAY, {"category": "net", "component": "lb"}),
        esc(5, T0 + 62 * DAY, None),                 # untagged: no pattern, not counted
    ]
    assert recurred(states, POLICY) == {
        "ESC-1": False, "ESC-2": True, "ESC-3": False, "ESC-4": False, "ESC-5": None}
    assert recurrence_rate(states, states, POLICY) == 1 / 4
    # The look-back reaches before the selection.
    assert recurrence_rate(states[1:2], states, POLICY) == 1.0
    assert recurrence_rate([], states, POLICY) is None
    assert recurrence_rate(states[4:], states, POLICY) is None


def test_same_instant_occurrences_order_by_id() -> None:
    states = [esc(10, T0), esc(9, T0)]
    assert recurred(states, POLICY) == {"ESC-9": False, "ESC-10": True}
    flag = patterns(states)["db/postgres"].flags[0]
    assert (flag.previous, flag.raised_by) == ("ESC-9", "ESC-10")


def test_flags_view_lists_unflagged_first_by_due() -> None:
    net = {"category": "net", "component": "lb"}
    states = [esc(1, T0), esc(2, T0 + 10 * DAY), esc(3, T0 + 2 * DAY, net),
              esc(4, T0 + 3 * DAY, net), esc(5, T0 + 100 * DAY), esc(6, T0 + 101 * DAY)]
    events = [flagged("ESC-2", "db/postgres", ["product", "ops"], T0 + 12 * DAY)]
    rows = flags_view(states, events, POLICY, T0 + 105 * DAY, open_only=False)
    assert [(r["key"], r["raised_by"], r["status"]) for r in rows] == [
        ("net/lb", "ESC-4", "overdue"), ("db/postgres", "ESC-6", "open"),
        ("db/postgres", "ESC-2", "flagged")]
    assert [r["raised_by"] for r in flags_view(states, events, POLICY, T0)] == ["ESC-4", "ESC-6"]


def test_decide_post_events_picks_the_flag_target_and_builds_events() -> None:
    from warroom.domain.errors import NotFound
    from warroom.domain.post_decide import decide_post_events

    logs = [incident("ESC-1", at=T0, tags=DB), incident("ESC-2", at=T0 + 10 * DAY, tags=DB)]
    states = {log.incident_id: log.state() for log in logs}
    events = [e for log in logs for e in log.events]
    now = T0 + 12 * DAY
    built, result = decide_post_events(
        FlagPattern(pattern="db/postgres", to=["product", "ops"]), states, POLICY, "ana", now,
        events)
    assert result == {"id": "ESC-2", "pattern": "db/postgres", "to": ["ops", "product"]}
    [event] = built
    assert (event.seq, event.incident_id, event.kind, event.actor, event.occurred_at,
            event.recorded_at) == (0, "ESC-2", EventKind.PATTERN_FLAGGED, "ana", now, now)
    flag = find_patterns(states.values(), flag_records([*events, event]), POLICY)[
        "db/postgres"].flags[0]
    assert (flag.flagged_at, flag.in_time) == (now, True)
    with pytest.raises(NotFound, match="net/lb"):
        decide_post_events(FlagPattern(pattern="net/lb", to=["ops"]), states, POLICY, "ana",
                           now, events)
    with pytest.raises(InvalidInput, match="category/component"):
        decide_post_events(FlagPattern(pattern="postgres", to=["ops"]), states, POLICY, "ana", now,
                           events)
    with pytest.raises(NotFound, match="ESC-9"):
        decide_post_events(FlagPattern(incident_id="ESC-9", pattern="db/postgres", to=["ops"]),
                           states, POLICY, "ana", now, events)
