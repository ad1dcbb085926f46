"""The customer RCA document for a frozen escalation, against a golden file, and the rules it
keeps: customer timezone named, no internal events, no logins, no internal credit reason, whole
words only. `WARROOM_UPDATE_GOLDEN=1` rewrites the golden file (review the diff)."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

from tests.factories import T0, hours, minutes
from tests.unit.post.helpers import incident, post_policy, run
from warroom.domain.models import Phase
from warroom.domain.pir import pir_document
from warroom.domain.policy import Customer, Person
from warroom.domain.post_commands import ActionAdd, ActionDone, CreditApprove, PirEdit
from warroom.domain.rca import customer_rca
from warroom.reports.pir_export import render
from warroom.reports.rca_export import render_rca

GOLDEN = Path(__file__).parent / "golden" / "customer_rca.md"
POLICY = post_policy(
    customers={"Northwind": Customer(tier="strategic", timezone="America/New_York")},
    people={"ana": Person(display_name="Ana Lima", team="ops"),
            "bo": Person(display_name="Bo Berg", team="product")},
)
LONG = ("We have applied a fix that moves checkout traffic to the standby database cluster "
        "while we rebuild the primary's connection pool; card payments are completing again "
        "and we are watching error rates closely before we call this resolved.")


def _frozen():  # type: ignore[no-untyped-def]
    log = incident(severity="P1", customer="Northwind", commander="ana",
                   tags={"category": "db", "component": "checkout-db, payments"})
    log.assign(T0, "tech_lead", "bo").assign(T0, "scribe", "zed")
    log.note(T0 + minutes(5), "bo thinks it is the pool")
    log.update(T0 + minutes(20), body="We are investigating failed checkouts.")
    log.update(T0 + minutes(25), audience="internal", body="INTERNAL: page the DBA")
    log.phase(T0 + minutes(40), Phase.IDENTIFIED)
    log.commit(T0 + minutes(20), "C1", T0 + hours(1), text="Update you by phone within the hour")
    log.commitment(T0 + minutes(50), "C1", "met")
    log.commit(T0 + minutes(20), "C2", T0 + hours(2), text="Confirm no orders were lost")
    log.commitment(T0 + hours(3), "C2", "met")
    log.phase(T0 + hours(1), Phase.MONITORING)
    log.update(T0 + hours(1), phase=Phase.MONITORING, body=LONG)
    log.resolve(T0 + hours(4) + minutes(30), summary="Checkout runs on the standby cluster; "
                "the primary's pool was resized.")
    now = T0 + hours(30)
    run(log, PirEdit(incident_id="ESC-1", fields={
        "summary": "Checkout failed for four and a half hours.",
        "customer_impact": "Card payments failed; orders could not be placed.",
        "root_cause": "The connection pool was sized for last year's traffic.",
        "whys": ["checkouts timed out", "the pool was exhausted",
                 "pool size is not derived from load tests"],
    }), POLICY, now=now)
    run(log, ActionAdd(incident_id="ESC-1", title="Size the pool from load tests", owner="bo",
                       due_at=T0 + timedelta(days=14)), POLICY, now=now)
    run(log, ActionAdd(incident_id="ESC-1", title="Alert on pool saturation", owner="ops",
                       due_at=T0 + timedelta(days=7)), POLICY, now=now)
    run(log, ActionDone(incident_id="ESC-1", action_id="A2"), POLICY, now=now)
    run(log, CreditApprove(incident_id="ESC-1", percent=5.0,
                           reason="INTERNAL: goodwill, their CFO escalated"), POLICY, now=now)
    log.close(now)
    return log, now


def test_customer_rca_matches_the_golden_file() -> None:
    log, now = _frozen()
    md = render_rca(customer_rca(log.state(), log.events, POLICY, now))
    if os.environ.get("WARROOM_UPDATE_GOLDEN"):
        GOLDEN.write_text(md)
    assert md == GOLDEN.read_text()


def test_customer_rca_keeps_internal_things_out() -> None:
    log, now = _frozen()
    md = render_rca(customer_rca(log.state(), log.events, POLICY, now))
    assert "All times are in America/New_York (EST)." in md
    for internal in ("INTERNAL", "page the DBA", "bo thinks", "Triaged", "Phase", "Closed",
                     "CFO", "goodwill"):
        assert internal not in md
    for login in ("ana", "bo", "zed"):
        assert re.search(rf"\b{login}\b", md) is None, login
    assert "Ana Lima" in md and "Bo Berg" in md and "- Scribe\n" in md
    assert LONG in md and "…" not in md  # whole text, nothing cut mid-word
    assert "| Update you by phone within the hour | 2026-11-24 06:00 | kept on time" in md
    assert "| Confirm no orders were lost | 2026-11-24 07:00 | kept late" in md
    assert "| Size the pool from load tests | product | 2026-12-08 05:00 | planned |" in md
    assert "| Alert on pool saturation | ops | 2026-12-01 05:00 | done |" in md
    assert "2,500.00 USD" in md


def test_internal_export_keeps_everything() -> None:
    log, now = _frozen()
    doc = pir_document(log.state(), log.events, POLICY, now)
    md = render(doc, "md")
    assert "INTERNAL: goodwill" in md
    assert any("Phase" in t["text"] for t in doc["timeline"])
