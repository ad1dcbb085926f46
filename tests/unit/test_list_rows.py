"""`warroom list` lines from `list_rows` say what the full status documents say: the same
fields, the same most urgent clock, in the same order (at any instant, for any valid log)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import Log, default_policy, incident_logs
from warroom.cli.output import list_text
from warroom.domain.reduce import reduce
from warroom.domain.sla import clocks
from warroom.domain.status import list_rows, status_view
from warroom.domain.structs import replace
from warroom.domain.urgency import document_key, most_urgent

SETTINGS = settings(max_examples=150, deadline=None)
POLICY = default_policy()


@SETTINGS
@given(log=incident_logs(), offset=st.integers(-60, 60 * 24 * 40))
def test_counting_clocks_give_the_same_most_urgent(log: Log, offset: int) -> None:
    state = reduce(log.events)
    now = log.events[0].occurred_at + timedelta(minutes=offset)
    counting = clocks(state, POLICY, now, counting_only=True)
    assert most_urgent(counting) == most_urgent(clocks(state, POLICY, now))
    assert all(c.met_at is None for c in counting.values())


@SETTINGS
@given(logs=st.lists(incident_logs(max_events=25), min_size=1, max_size=4),
       offset=st.integers(0, 60 * 24 * 40))
def test_list_rows_agree_with_the_status_documents(logs: list[Log], offset: int) -> None:
    states = [replace(reduce(log.events), id=f"ESC-{n}") for n, log in enumerate(logs, 1)]
    now = min(log.events[0].occurred_at for log in logs) + timedelta(minutes=offset)
    docs = sorted((status_view(s, POLICY, now) for s in states), key=document_key)
    rows = list_rows(states, POLICY, now)
    assert [r["id"] for r in rows] == [d["id"] for d in docs]
    for row, doc in zip(rows, docs, strict=True):
        urgent = doc["most_urgent"]
        assert row == {**{k: doc[k] for k in row if k != "clocks"},
                       "clocks": {urgent: doc["clocks"][urgent]} if urgent else {}}
    assert list_text(rows) == list_text(docs)
