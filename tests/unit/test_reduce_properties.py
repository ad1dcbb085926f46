"""Properties of the reducer over random valid event logs: chunking, as-of, purity."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import Log, incident_logs
from warroom.domain.models import IncidentState
from warroom.domain.reduce import as_of, reduce, reduce_all
from warroom.domain.structs import dump, replace

SETTINGS = settings(max_examples=150, deadline=None)


@SETTINGS
@given(log=incident_logs(), data=st.data())
def test_any_chunking_gives_the_same_state(log: Log, data: st.DataObject) -> None:
    events = log.events
    cuts = sorted(data.draw(st.lists(st.integers(0, len(events)), max_size=5)))
    whole = reduce(events)
    state: IncidentState | None = None
    for lo, hi in zip([0, *cuts], [*cuts, len(events)], strict=True):
        state = reduce(events[lo:hi], state)
    assert state == whole
    assert state is not None and state.event_count == len(events)


@SETTINGS
@given(log=incident_logs(), data=st.data())
def test_reduce_all_matches_reduce_per_incident(log: Log, data: st.DataObject) -> None:
    other = [replace(e, incident_id="ESC-2")
             for e in data.draw(incident_logs(max_events=10)).events]
    # Interleave the two logs at random, keeping each one's own order.
    left, right, mixed = list(log.events), list(other), []
    while left or right:
        take_left = bool(left) and (not right or data.draw(st.booleans()))
        mixed.append((left if take_left else right).pop(0))
    cut = data.draw(st.integers(0, len(mixed)))
    states = reduce_all(mixed[cut:], reduce_all(mixed[:cut]))
    assert states == {"ESC-1": reduce(log.events), "ESC-2": reduce(other)}


@SETTINGS
@given(log=incident_logs(), offset=st.integers(-60, 60 * 24 * 10))
def test_as_of_never_sees_later_events(log: Log, offset: int) -> None:
    events = log.events
    instant = events[0].occurred_at + timedelta(minutes=offset)
    seen = [e for e in events if e.occurred_at <= instant]
    state = as_of(events, instant)
    if not seen:
        assert state is None
        return
    assert state is not None
    assert state.event_count == len(seen)
    assert state == reduce(seen)
    assert state.updated_at is not None and state.updated_at <= instant
    assert state.last_seq == max(e.seq for e in seen)
    assert all(u.posted_at <= instant for u in state.updates)
    assert all(c.made_at <= instant for c in state.commitments.values())
    assert all(p.start <= instant and (p.end is None or p.end <= instant) for p in state.pauses)


@SETTINGS
@given(log=incident_logs(), data=st.data())
def test_reduce_does_not_mutate_initial(log: Log, data: st.DataObject) -> None:
    events = log.events
    cut = data.draw(st.integers(1, len(events)))
    initial = reduce(events[:cut])
    assert initial is not None
    before = dump(initial)
    after = reduce(events[cut:], initial)
    assert dump(initial) == before
    assert after is not initial
    if cut < len(events):
        assert after is not None and after.event_count == initial.event_count + len(events) - cut
    states = {"ESC-1": initial}
    reduce_all(events[cut:], states)
    assert dump(initial) == before and states["ESC-1"] is initial
