"""The post-incident rules through the real service over a SQLite file: RCA mandatory after a
downgrade, blame findings block completion and close, accepting them needs `complete_pir`, the
`pir` clock is met by sending the customer RCA (not by completing), credits above the cap, and
flags to configured teams only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import FrozenClock
from warroom.domain import commands as c
from warroom.domain import post_commands as pc
from warroom.domain.errors import InvalidInput, Refused, RightRequired
from warroom.domain.models import ClockName, ClockState, EventKind, Phase, Severity
from warroom.domain.policy import Customer, CustomerTier, Person
from warroom.domain.sla import clocks
from warroom.domain.structs import replace
from warroom.service import WarRoom
from warroom.store.sqlite import SqliteStore

WHYS = ["the certificate expired", "renewal is a manual step", "nothing reminds anyone"]


@pytest.fixture
def svc(tmp_path: Any, policy: Any, clock: FrozenClock) -> Any:
    policy = replace(policy, people={"bob": Person(display_name="Bob Stone", team="ops")},
                     customers={"Acme": Customer(tier="standard")},
                     tiers={"standard": CustomerTier(monthly_fee=1000.0,
                                                     credit_percent_per_hour=1.0,
                                                     credit_cap_percent=10.0)})
    store = SqliteStore(tmp_path / "rules.db")
    yield WarRoom(store, policy, clock)
    store.close()


def _resolved(svc: WarRoom, clock: FrozenClock, severity: Severity = Severity.P1) -> str:
    iid = str(svc.execute(c.Open(title="TLS errors", customer="Acme", severity=severity),
                          "ic")["id"])
    clock.now += timedelta(hours=1)
    svc.execute(c.Resolve(incident_id=iid, summary="certificate renewed"), "ic")
    return iid


def _pir(svc: WarRoom, iid: str, root_cause: str = "the certificate expired unnoticed") -> None:
    svc.execute(pc.PirEdit(incident_id=iid, fields={"root_cause": root_cause, "whys": WHYS}),
                "ic")
    svc.execute(pc.ActionAdd(incident_id=iid, title="automate renewal", owner="bob",
                             due_at=svc.clock() + timedelta(days=7)), "ic")


def test_a_p1_downgraded_to_p2_still_needs_its_pir(svc: WarRoom, clock: FrozenClock) -> None:
    iid = str(svc.execute(c.Open(title="x", customer="Acme", severity=Severity.P1), "ic")["id"])
    svc.execute(c.ChangeSeverity(incident_id=iid, severity=Severity.P2, reason="contained"),
                "ic")
    svc.execute(c.Resolve(incident_id=iid, summary="done"), "ic")
    state = svc.state(iid)
    assert (state.severity, state.peak_severity) == (Severity.P2, Severity.P1)
    with pytest.raises(Refused, match="PIR needs a root cause"):
        svc.execute(c.Close(incident_id=iid), "ic")
    assert clocks(state, svc.policy, clock.now)[ClockName.PIR].state is not \
        ClockState.NOT_APPLICABLE
    _pir(svc, iid)
    svc.execute(c.Close(incident_id=iid), "ic")
    assert svc.state(iid).phase is Phase.CLOSED


def test_blame_blocks_complete_and_close_naming_phrase_and_place(
        svc: WarRoom, clock: FrozenClock) -> None:
    iid = _resolved(svc, clock)
    _pir(svc, iid, root_cause="Human error: Bob forgot to renew the certificate")
    with pytest.raises(Refused, match=r'root_cause: "Human error".*root_cause: "Bob forgot"'):
        svc.execute(pc.PirComplete(incident_id=iid), "ic")
    with pytest.raises(Refused, match=r'cannot close: .*root_cause: "Bob forgot"'):
        svc.execute(c.Close(incident_id=iid), "ic")
    assert svc.state(iid).pir_completed_at is None


def test_people_of_other_escalations_and_config_count_as_names(
        svc: WarRoom, clock: FrozenClock) -> None:
    other = _resolved(svc, clock)
    svc.execute(c.Assign(incident_id=other, role="tech_lead", person="Priya"), "ic")
    iid = _resolved(svc, clock)
    _pir(svc, iid, root_cause="Priya ran the migration; Bob Stone approved it")
    with pytest.raises(Refused) as info:
        svc.execute(pc.PirComplete(incident_id=iid), "ic")
    assert '"Priya"' in str(info.value) and '"Bob Stone"' in str(info.value)


def test_accepting_findings_needs_the_right_and_is_recorded(
        svc: WarRoom, clock: FrozenClock) -> None:
    iid = _resolved(svc, clock)
    _pir(svc, iid, root_cause="Bob forgot the certificate")
    svc.execute(c.Assign(incident_id=iid, role="scribe", person="sam"), "ic")
    with pytest.raises(RightRequired, match="complete_pir"):
        svc.execute(pc.PirComplete(incident_id=iid, accept_findings="quoted"), "sam")
    with pytest.raises(InvalidInput, match="accept_findings"):
        svc.execute(pc.PirComplete(incident_id=iid, accept_findings="  "), "ic")
    svc.execute(pc.PirComplete(incident_id=iid, accept_findings="customer's own words"), "ic")
    accepted = svc.state(iid).pir_accepted
    assert accepted is not None
    assert (accepted["reason"], accepted["by"]) == ("customer's own words", "ic")
    assert [f["phrase"] for f in accepted["findings"]] == ["Bob forgot"]
    svc.execute(c.Close(incident_id=iid), "ic")  # accepted findings no longer block


def test_the_pir_clock_is_met_by_sending_the_customer_rca(
        svc: WarRoom, clock: FrozenClock) -> None:
    iid = _resolved(svc, clock)
    _pir(svc, iid)
    with pytest.raises(Refused, match="not complete"):
        svc.execute(pc.PirSent(incident_id=iid, to=["cto@acme.example"]), "ic")
    svc.execute(pc.PirComplete(incident_id=iid), "ic")
    clock.now += timedelta(hours=1)
    pir = clocks(svc.state(iid), svc.policy, clock.now)[ClockName.PIR]
    assert pir.state is not ClockState.MET and pir.met_at is None  # completing is not sending
    with pytest.raises(InvalidInput, match=r"to\[1\]"):
        svc.execute(pc.PirSent(incident_id=iid, to=["a@acme.example", "not an address"]), "ic")
    svc.execute(pc.PirSent(incident_id=iid, to=["cto@acme.example", "ops@acme.example"]), "ic")
    state = svc.state(iid)
    assert state.rca_sent == [{"at": clock.now, "by": "ic",
                               "to": ["cto@acme.example", "ops@acme.example"]}]
    pir = clocks(state, svc.policy, clock.now)[ClockName.PIR]
    assert (pir.state, pir.met_at) == (ClockState.MET, clock.now)
    [event] = [e for e in svc.events(iid) if e.kind is EventKind.RCA_SENT]
    assert (event.actor, event.payload["to"]) == ("ic", ["cto@acme.example", "ops@acme.example"])


def test_credit_above_the_tier_cap_needs_over_cap(svc: WarRoom, clock: FrozenClock) -> None:
    iid = _resolved(svc, clock)
    with pytest.raises(Refused, match=r"15 % is above the standard tier's cap of 10 %"):
        svc.execute(pc.CreditApprove(incident_id=iid, percent=15.0), "ic")
    svc.execute(pc.CreditApprove(incident_id=iid, percent=15.0,
                                 over_cap="contract addendum 4"), "ic")
    credit = svc.state(iid).credits[-1]
    assert (credit["amount"], credit["over_cap"], credit["currency"]) == (
        150.0, "contract addendum 4", "USD")


def test_flags_go_only_to_configured_teams(svc: WarRoom, clock: FrozenClock) -> None:
    iid = str(svc.execute(c.Open(title="x", customer="Acme", severity=Severity.P2,
                                 component="db", category="infra"), "ic")["id"])
    with pytest.raises(InvalidInput, match="unknown team 'marketing'"):
        svc.execute(pc.FlagPattern(pattern="infra/db", to=["product", "marketing"],
                                   incident_id=iid), "ic")
    svc.execute(pc.FlagPattern(pattern="infra/db", to=["product", "ops"], incident_id=iid), "ic")
