"""Back-dating a customer update past the policy's limit needs `edit_milestone` and is marked:
in the timeline (`warroom log`), the PIR and the trend report."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import FrozenClock
from warroom.domain import commands as c
from warroom.domain.describe import summary
from warroom.domain.errors import RightRequired
from warroom.domain.metrics import trends
from warroom.domain.models import Audience, EventKind, Severity
from warroom.domain.pir import pir_document
from warroom.domain.structs import replace
from warroom.service import WarRoom


def update(minutes_ago: float, clock: FrozenClock, audience: str = "customer") -> c.PostUpdate:
    return c.PostUpdate(incident_id="ESC-1", audience=Audience(audience), body="We are on it",
                        at=clock.now - timedelta(minutes=minutes_ago))


def test_backdating_a_customer_update_past_the_limit(service: WarRoom,
                                                     clock: FrozenClock) -> None:
    service.execute(c.Open(title="Checkout down", customer="Acme", severity=Severity.P1), "ic")
    service.execute(c.Assign(incident_id="ESC-1", role="customer_spoc", person="sam"), "ic")
    clock.advance(hours=2)

    service.execute(update(5, clock), "sam")  # at the limit: anyone who may post
    with pytest.raises(RightRequired) as refused:
        service.execute(update(6, clock), "sam")
    assert refused.value.right == "edit_milestone"
    service.execute(update(90, clock, "internal"), "sam")  # not a customer update: no limit
    service.execute(update(65, clock), "ic")  # the commander holds edit_milestone

    posted = [e for e in service.events("ESC-1") if e.kind is EventKind.UPDATE_POSTED]
    assert [e.payload.get("backdated_s") for e in posted] == [None, None, 65 * 60]
    assert summary(posted[-1]).endswith("(back-dated 1h05m)")
    assert "back-dated" not in summary(posted[0])

    state = service.state("ESC-1")
    doc = pir_document(state, service.events("ESC-1"), service.policy, clock.now)
    marked = [t for t in doc["timeline"] if "back-dated" in str(t)]
    assert len(marked) == 1 and "1h05m" in str(marked[0])
    report = trends(list(service.states().values()), service.events(), service.policy,
                    clock.now)
    assert report["backdated_customer_updates"] == 1


def test_the_limit_comes_from_the_policy(service: WarRoom, clock: FrozenClock) -> None:
    strict = WarRoom(service.store, replace(service.policy, backdate_limit=timedelta(minutes=1)),
                     clock)
    strict.execute(c.Open(title="t", customer="Acme", severity=Severity.P1), "ic")
    strict.execute(c.Assign(incident_id="ESC-1", role="customer_spoc", person="sam"), "ic")
    clock.advance(minutes=30)
    with pytest.raises(RightRequired):
        strict.execute(update(2, clock), "sam")
