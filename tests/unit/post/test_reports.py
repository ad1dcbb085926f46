"""Renderers: the trend report in md/json/csv and the PIR document in md/json."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from tests.factories import T0, hours, minutes
from tests.unit.post.helpers import incident, post_policy, run
from tests.unit.post.test_metrics import EVENTS, NOW, STATES
from warroom.domain.errors import InvalidInput
from warroom.domain.metrics import trends
from warroom.domain.pir import pir_document
from warroom.domain.post_commands import ActionAdd, ActionDone, CreditApprove, PirEdit
from warroom.domain.structs import replace
from warroom.reports import pir_export
from warroom.reports import trends as trends_report

POLICY = post_policy()


@pytest.fixture(scope="module")
def data() -> dict:  # type: ignore[type-arg]
    return trends(STATES, EVENTS, POLICY, NOW, since=T0, until=NOW)


def test_sparkline_and_bar() -> None:
    assert trends_report.sparkline([0, 1, 2, None, 4]) == "▁▃▅ █"
    assert trends_report.sparkline([0, 0]) == "▁▁"
    assert trends_report.bar(1.0, width=4) == "████"
    assert trends_report.bar(0.5, width=3) == "█▌"
    assert trends_report.bar(None) == ""


def test_json_has_the_contract_keys(data: dict) -> None:  # type: ignore[type-arg]
    doc = json.loads(trends_report.render(data, "json"))
    assert set(doc["volume_by_severity"]) == {"P0", "P1", "P2"}
    assert set(doc["mtta_seconds"]["P1"]) == {"mean", "median", "count"}
    assert set(doc["mttr_seconds"]) == {"P0", "P1", "P2"}
    assert isinstance(doc["recurrence_rate"], float)
    assert set(doc["sla_breach_rate"]) == {"triage", "first_update", "next_update", "resolve",
                                           "pir"}
    assert {"key", "occurrences", "flag_due", "flagged_at"} <= set(doc["patterns"][0])


def test_csv_is_long_form_and_complete(data: dict) -> None:  # type: ignore[type-arg]
    rows = list(csv.DictReader(io.StringIO(trends_report.render(data, "csv"))))
    index = {(r["metric"], r["group"], r["stat"]): r["value"] for r in rows}
    assert index[("volume_by_severity", "", "P0")] == "1"
    assert index[("mttr_seconds", "P1", "mean")] == "93600.0"
    assert index[("mttr_seconds", "P2", "mean")] == ""
    assert float(index[("recurrence_rate", "", "value")]) == pytest.approx(1 / 3)
    assert index[("sla_breach_rate", "", "pir")] == "0.5"
    assert index[("patterns", "db/postgres", "flagged_at")] == (T0 + timedelta(days=3)
                                                                ).isoformat()
    assert index[("patterns", "db/postgres", "first_seen")] == T0.isoformat()
    assert index[("weekly", "2026-11-23", "volume.total")] == "3"
    # The window and the flags summary travel with the figures.
    assert index[("window", "", "since")] == T0.isoformat()
    assert index[("flags", "", "flagged")] == "1"
    assert index[("by_customer", "Acme", "escalations")] == "3"
    assert index[("monthly", "2026-11", "escalations")] == "3"
    assert index[("previous_period", "", "current.escalations")] == "3"


def _leaves(value: object, prefix: str = "") -> list[tuple[str, object]]:
    if isinstance(value, dict):
        return [x for k, v in value.items() for x in _leaves(v, f"{prefix}.{k}")]
    if isinstance(value, list):
        return [x for i, v in enumerate(value) for x in _leaves(v, f"{prefix}[{i}]")]
    return [(prefix, value)]


def test_json_and_csv_carry_the_same_figures(data: dict) -> None:  # type: ignore[type-arg]
    doc = json.loads(trends_report.render(data, "json"))
    rows = list(csv.DictReader(io.StringIO(trends_report.render(data, "csv"))))
    cells = {r["value"] for r in rows} | {v for r in rows for v in r["value"].split(";")}
    numbers = [(k, v) for k, v in _leaves(doc) if isinstance(v, int | float)
               and not isinstance(v, bool)]
    assert len(numbers) > 100
    missing = [(k, v) for k, v in numbers if str(v) not in cells]
    assert missing == []


def test_markdown_reads_as_a_report(data: dict) -> None:  # type: ignore[type-arg]
    md = trends_report.render(data, "md")
    assert md.startswith("# Escalation trends\n")
    for heading in ("## Volume by severity", "## Time to acknowledge (MTTA) and resolve (MTTR)",
                    "## SLA breaches", "## Handling", "## Recurring patterns", "## By customer",
                    "## By component", "## By tier", "## Against the previous period",
                    "## Month over month", "## Weekly"):
        assert heading in md
    assert "| P1 | 20m00s | 20m00s | 1 | 1d02h | 1d02h | 1 |" in md
    assert "| Post-incident review | 50.0 % | ██████████ | 1 | 0 | 1 | 2 |" in md
    assert "| Update cadence | 100.0 % |" in md
    assert ("Recurrence rate: **33.3 %** (1 of 3 escalations with a pattern had it in the 30 "
            "days before)") in md
    assert ("| db/postgres | 2 | 2026-11-24 10:00 UTC | 2026-11-25 10:00 UTC | "
            "2026-12-25 10:00 UTC | 2026-11-27 10:00 UTC | flagged |") in md
    assert "| postgres | 2 | 2 |" in md and "| lb | 1 | 0 |" in md
    assert "| 2026-11 | 3 | 2 |" in md
    assert "2026-11-23  █▁" in md
    with pytest.raises(ValueError, match="unknown format"):
        trends_report.render(data, "xml")


def test_mtta_without_an_acknowledgement_time_reads_n_a() -> None:
    log = incident(severity="P2", resolved_after=hours(2))
    log.events[0] = replace(log.events[0], payload={**log.events[0].payload,
                                                    "source": {"system": "statuspage"}})
    report = trends([log.state()], log.events, POLICY, NOW)
    assert report["mtta_seconds"]["P2"] == {"mean": None, "median": None, "count": 0}
    assert report["mttr_seconds"]["P2"]["count"] == 1
    assert "| P2 | n/a | n/a | 0 |" in trends_report.render(report, "md")


def test_an_empty_or_inverted_window_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"--since: .* is after --until .*: the window is"):
        trends(STATES, EVENTS, POLICY, NOW, since=NOW, until=T0)
    with pytest.raises(InvalidInput, match="the same instant as --until"):
        trends(STATES, EVENTS, POLICY, NOW, since=T0, until=T0)


def _pir_log():  # type: ignore[no-untyped-def]
    log = incident(severity="P1", customer="Northwind")
    log.assign(T0, "tech_lead", "bo")
    log.update(T0 + minutes(20), body="We are investigating failed checkouts.\n\nMore soon.")
    log.update(T0 + minutes(25), audience="internal", body="internal only")
    log.commit(T0 + minutes(20), "C1", T0 + hours(2), text="Send the RCA")
    log.commitment(T0 + hours(1), "C1", "met")
    log.decide(T0 + minutes(40), text="Fail over to the replica")
    log.resolve(T0 + hours(26) + minutes(30), summary="Failed over")
    now = T0 + hours(30)
    run(log, PirEdit(incident_id="ESC-1", fields={
        "summary": "Checkout failed for 26 hours.",
        "customer_impact": "Orders could not be placed.",
        "root_cause": "The connection pool was too small.",
        "whys": ["checkouts timed out", "the pool was exhausted", "a human error in sizing"],
        "went_well": ["fast failover"],
    }), POLICY, now=now)
    run(log, ActionAdd(incident_id="ESC-1", title="Size the pool from load tests", owner="bo",
                       due_at=T0 + timedelta(days=14)), POLICY, now=now)
    run(log, ActionAdd(incident_id="ESC-1", title="Alert on pool use", owner="cy",
                       due_at=T0 + timedelta(days=7)), POLICY, now=now)
    run(log, ActionDone(incident_id="ESC-1", action_id="A2"), POLICY, now=now)
    run(log, CreditApprove(incident_id="ESC-1", reason="Per your agreement."), POLICY, now=now)
    return log, now


def test_pir_document_gathers_everything() -> None:
    log, now = _pir_log()
    doc = pir_document(log.state(), log.events, POLICY, now)
    assert doc["complete"] and doc["gaps"] == []
    assert [t["kind"] for t in doc["timeline"]] == [
        "opened", "triaged", "update_posted", "decision_recorded", "resolved"]
    assert doc["commitments"]["made"] == doc["commitments"]["met"] == 1
    sla = {r["clock"]: r for r in doc["sla"]}
    assert sla["resolve"]["state"] == "met_late"
    assert sla["resolve"]["breached_by_seconds"] == 9000.0
    assert sla["first_update"]["state"] == "met"
    assert sla["pir"]["state"] == "ok"
    assert sla["next_update"]["state"] == "breached"  # the final update was never posted
    assert [u["body"] for u in doc["customer_updates"]] == [
        "We are investigating failed checkouts.\n\nMore soon."]
    assert doc["credit"]["approved"]["amount"] == 7500.0
    assert doc["blameless"] == [{"field": "whys[3]", "phrase": "human error",
                                 "suggestion": doc["blameless"][0]["suggestion"]}]
    assert [a["id"] for a in doc["corrective_actions"]] == ["A1", "A2"]
    assert json.loads(pir_export.render(doc, "json")) == doc


def test_pir_markdown_is_a_customer_document() -> None:
    log, now = _pir_log()
    doc = pir_document(log.state(), log.events, POLICY, now)
    md = pir_export.render(doc, "md")
    order = ["# Post-incident review: Checkout down", "## Summary", "## Impact on you",
             "## Timeline", "## Root cause", "## Why it happened (5 Whys)",
             "## What went well", "## Corrective actions", "## Our commitments to you",
             "## Service levels", "## Updates we sent you", "## Service credit"]
    positions = [md.index(h) for h in order]
    assert positions == sorted(positions)
    assert "**ESC-1** · Northwind · Severity P1 · Complete" in md
    assert "1. checkouts timed out\n2. the pool was exhausted\n3. a human error in sizing" in md
    assert "| A2 | Alert on pool use | cy | 2026-12-01 10:00 UTC | done 2026-11-25 16:00 UTC |" \
        in md
    assert "| Resolution | 2026-11-25 10:00 UTC | 2026-11-25 12:30 UTC | late by 2 h 30 min |" in md
    assert "> We are investigating failed checkouts.\n>\n> More soon." in md
    assert "internal only" not in md
    assert "A service credit of **7,500.00** (15 % of the monthly fee) has been approved." in md
    assert "blameless" not in md.lower()
    assert pir_export.blameless_warnings(doc) == [
        "warning: blameless check: whys[3]: \"human error\" — "
        + doc["blameless"][0]["suggestion"]]


def test_draft_pir_markdown_says_what_is_missing() -> None:
    log = incident(severity="P0", resolved_after=hours(1))
    doc = pir_document(log.state(), log.events, POLICY, T0 + hours(2))
    md = pir_export.render_markdown(doc)
    assert "· Draft" in md
    assert "> This review is a draft. Still to come: a root cause; at least three whys (has 0)" \
        in md
    assert "## Root cause\n\n_To be completed._" in md
    assert "No service credit applies" in md


def test_human_duration() -> None:
    assert pir_export.human_duration(9000) == "2 h 30 min"
    assert pir_export.human_duration(93600 + 59) == "1 d 2 h"
    assert pir_export.human_duration(45) == "45 s"
