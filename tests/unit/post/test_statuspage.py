"""Statuspage import: the mapping on small files, errors naming file and JSON path, idempotency in
a real SqliteStore, and the real githubstatus history checked against figures computed here
independently from the raw JSON."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.unit.post.helpers import post_policy
from warroom.domain.metrics import NO_COMPONENT, trends
from warroom.domain.models import (
    Audience,
    ClockName,
    ClockState,
    Event,
    EventKind,
    Phase,
    Severity,
)
from warroom.domain.pir import pir_required
from warroom.domain.reduce import reduce, reduce_all
from warroom.domain.sla import clocks as sla_clocks
from warroom.domain.structs import replace
from warroom.importers.statuspage import (
    ImportedIncident,
    StatuspageError,
    parse,
    parse_data,
    to_events,
)
from warroom.reports.trends import render as render_trends

REPO = Path(__file__).resolve().parents[3]
_NAME = Path("shared", "data", "statuspage", "githubstatus-2010-2021.json")
REAL = next((p / _NAME for p in REPO.parents if (p / _NAME).exists()), REPO.parent / _NAME)
"""Read in place from `../shared/data` (a worktree looks further up)."""
STAMP = datetime(2026, 1, 1, tzinfo=UTC)
POLICY = post_policy()

needs_real = pytest.mark.skipif(not REAL.exists(), reason=f"real Statuspage data absent: {REAL}")


def _incident(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "inc1", "name": "Degraded API", "status": "resolved", "impact": "major",
        "created_at": "2021-03-01T10:00:00.000Z", "started_at": "2021-03-01T09:55:00.000Z",
        "monitoring_at": None, "resolved_at": "2021-03-01T12:00:00.000Z",
        "components": [{"name": "API Requests"}, {"name": "Git Operations"}],
        "incident_updates": [
            {"id": "u4", "status": "resolved", "body": "All clear.",
             "created_at": "2021-03-01T12:00:00Z", "display_at": "2021-03-01T12:00:00Z"},
            {"id": "u3", "status": "monitoring", "body": "Fix deployed.",
             "created_at": "2021-03-01T11:30:00Z", "display_at": "2021-03-01T11:30:00Z"},
            {"id": "u2", "status": "identified", "body": "Found a bad config.",
             "created_at": "2021-03-01T10:40:00Z", "display_at": "2021-03-01T10:40:00Z"},
            {"id": "u1", "status": "investigating", "body": "Looking into it.",
             "created_at": "2021-03-01T10:00:00Z", "display_at": "2021-03-01T10:00:00Z"},
        ],
    }
    base.update(over)
    return base


PAGE = {"id": "pg1", "name": "Example Co"}


def _events(item: ImportedIncident, incident_id: str = "ESC-1") -> list[Event]:
    events = to_events(item, incident_id, "importer", STAMP)
    return [replace(e, seq=i) for i, e in enumerate(events, start=1)]


def test_single_incident_file_maps_every_field(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"page": PAGE, "incident": _incident()}))
    [item] = parse(path)
    assert (item.key, item.severity, item.components) == (
        "statuspage:pg1:inc1", Severity.P1, ("API Requests", "Git Operations"))
    events = _events(item)
    assert [e.kind for e in events] == [
        EventKind.OPENED, EventKind.TRIAGED, EventKind.UPDATE_POSTED, EventKind.PHASE_CHANGED,
        EventKind.UPDATE_POSTED, EventKind.PHASE_CHANGED, EventKind.UPDATE_POSTED,
        EventKind.UPDATE_POSTED, EventKind.RESOLVED, EventKind.CLOSED]
    assert all(e.seq == i and e.recorded_at == STAMP for i, e in enumerate(events, 1))
    state = reduce(events)
    assert state is not None
    assert (state.title, state.customer, state.severity, state.phase) == (
        "Degraded API", "Example Co", Severity.P1, Phase.CLOSED)
    assert state.tags == {"category": "statuspage", "component": "API Requests, Git Operations"}
    assert state.assessment.impact.value == "outage"
    assert state.roles == {"incident_commander": "importer"}
    assert state.received_at == state.triaged_at == datetime(2021, 3, 1, 10, tzinfo=UTC)
    assert state.resolved_at == datetime(2021, 3, 1, 12, tzinfo=UTC)
    assert [(u.phase.value, u.body) for u in state.updates] == [
        ("investigating", "Looking into it."), ("identified", "Found a bad config."),
        ("monitoring", "Fix deployed."), ("resolved", "All clear.")]
    assert all(u.audience is Audience.CUSTOMER for u in state.updates)
    assert state.resolution_summary == "All clear."


def test_postmortem_is_a_customer_update_that_changes_no_phase() -> None:
    updates = _incident()["incident_updates"]
    updates.insert(0, {"id": "u5", "status": "postmortem", "body": "Our review.",
                       "created_at": "2021-03-03T10:00:00Z",
                       "display_at": "2021-03-03T10:00:00Z"})
    [item] = parse_data({"page": PAGE, "incidents": [_incident(incident_updates=updates)]})
    events = _events(item)
    assert events[-1].kind is EventKind.CLOSED
    assert events[-2].kind is EventKind.UPDATE_POSTED
    assert events[-2].payload["source_status"] == "postmortem"
    assert events[-1].occurred_at == events[-2].occurred_at  # closed after the postmortem
    state = reduce(events)
    assert state is not None
    assert state.updates[-1].phase is Phase.RESOLVED
    assert state.resolved_at == datetime(2021, 3, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(("impact", "severity"), [
    ("critical", Severity.P0), ("major", Severity.P1), ("minor", Severity.P2),
    ("none", Severity.P2)])
def test_impact_to_severity(impact: str, severity: Severity) -> None:
    [item] = parse_data({"page": PAGE, "incidents": [_incident(impact=impact)]})
    assert item.severity is severity


def test_monitoring_at_without_an_update_moves_the_phase() -> None:
    raw = _incident(monitoring_at="2021-03-01T11:00:00Z",
                    incident_updates=[_incident()["incident_updates"][0],
                                      *_incident()["incident_updates"][3:]], components=[])
    [item] = parse_data({"page": PAGE, "incident": raw})
    events = _events(item)
    assert [e.payload.get("phase") for e in events if e.kind is EventKind.PHASE_CHANGED] == [
        "monitoring"]
    assert reduce(events).tags == {"category": "statuspage"}  # type: ignore[union-attr]


def test_an_incident_still_open_at_the_source_arrives_closed_unresolved() -> None:
    raw = _incident(status="monitoring", resolved_at=None,
                    incident_updates=_incident()["incident_updates"][1:])
    resolved = _incident(id="inc2")
    items = parse_data({"page": PAGE, "incidents": [raw, resolved]})
    events = _events(items[0]) + _events(items[1], "ESC-2")
    states = reduce_all(events)
    state = states["ESC-1"]
    last_update = datetime(2021, 3, 1, 11, 30, tzinfo=UTC)
    assert (state.phase, state.resolved_at, state.closed_at) == (Phase.CLOSED, None, last_update)
    assert state.imported and state.source is not None
    assert (state.source["unresolved"], state.source["status"]) == (True, "monitoring")
    assert events[len(_events(items[0])) - 1].payload == {"unresolved_at_source": True}
    assert "unresolved" not in (states["ESC-2"].source or {})
    # its clocks stand as they were at the close: years later nothing has moved
    at_close = sla_clocks(state, POLICY, last_update)
    later = sla_clocks(state, POLICY, STAMP)
    assert later == at_close
    assert later[ClockName.PIR].state is ClockState.NOT_APPLICABLE
    assert later[ClockName.RESOLVE].met_at is None
    assert not pir_required(state, POLICY)
    report = trends(states.values(), events, POLICY, STAMP)
    assert report["volume_by_severity"]["P1"] == 2
    assert report["mttr_seconds"]["P1"]["count"] == 1  # the unresolved one is outside MTTR


def test_imported_history_arrives_closed_marked_with_its_source() -> None:
    [item] = parse_data({"page": PAGE, "incidents": [_incident()]})
    events = _events(item)
    assert events[-1].kind is EventKind.CLOSED
    state = reduce(events)
    assert state is not None
    assert state.phase is Phase.CLOSED and state.closed_at == state.resolved_at
    assert state.imported and state.source is not None
    assert (state.source["system"], state.source["incident_id"]) == ("statuspage", "inc1")
    clocks = sla_clocks(state, POLICY, STAMP)
    assert clocks[ClockName.PIR].state is ClockState.NOT_APPLICABLE
    assert not pir_required(state, POLICY)


@pytest.mark.parametrize(("data", "where"), [
    ([], "expected an object, got an array"),
    ({"incidents": []}, "page: required"),
    ({"page": PAGE}, "missing key 'incidents' (or 'incident')"),
    ({"page": {"id": "p"}, "incidents": []}, "page.name: required"),
    ({"page": PAGE, "incidents": {}}, "incidents: must be a valid list"),
    ({"page": PAGE, "incidents": [_incident(), _incident(id="b", impact="huge")]},
     "incidents[1].impact: must be 'critical', 'major', 'minor' or 'none' (got 'huge')"),
    ({"page": PAGE, "incidents": [_incident(created_at="yesterday")]},
     "incidents[0].created_at: expected an ISO 8601 time (got 'yesterday')"),
    ({"page": PAGE, "incidents": [_incident(incident_updates=[{"status": "resolved"}])]},
     "incidents[0].incident_updates[0].created_at: required"),
    ({"page": PAGE, "incidents": [_incident(incident_updates=[
        {"status": "fixed", "created_at": "2021-03-01T10:00:00Z"}])]},
     "incidents[0].incident_updates[0].status: must be 'investigating', 'identified', "
     "'monitoring', 'resolved' or 'postmortem' (got 'fixed')"),
    ({"page": PAGE, "incidents": [_incident(), _incident()]},
     "incidents[1].id: duplicate incident id 'inc1' (also at incidents[0])"),
    ({"page": PAGE, "incidents": [_incident(resolved_at="2021-03-01T09:00:00Z")]},
     "incidents[0]: resolved_at is before created_at"),
    ({"page": PAGE, "incidents": [_incident(), _incident(
        id="gone", resolved_at=None, incident_updates=_incident()["incident_updates"][1:])]},
     "incidents[1]: incident gone has status resolved but no resolved_at and no resolved "
     "update"),
])
def test_bad_files_name_the_file_and_json_path(tmp_path: Path, data: Any, where: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(StatuspageError) as info:
        parse(path)
    assert str(info.value) == f"{path}: {where}"
    assert "\n" not in str(info.value)
    assert info.value.exit_code == 2


def test_unreadable_and_non_json_files(tmp_path: Path) -> None:
    with pytest.raises(StatuspageError, match=r"missing\.json: cannot read: No such file"):
        parse(tmp_path / "missing.json")
    path = tmp_path / "junk.json"
    path.write_text("{not json")
    with pytest.raises(StatuspageError, match=r"junk\.json: not JSON: .* at line 1 column 2"):
        parse(path)


def test_importing_twice_into_a_real_store_adds_nothing(tmp_path: Path) -> None:
    from warroom.store.sqlite import SqliteStore

    items = parse_data({"page": PAGE, "incidents": [_incident(id=f"i{n}") for n in range(5)]})
    store = SqliteStore(tmp_path / "w.db")
    try:
        first = [store.append(to_events(item, f"ESC-{n}", "importer", STAMP),
                              idempotency_key=item.key, result={"id": f"ESC-{n}"})
                 for n, item in enumerate(items, start=1)]
        assert not any(r.duplicate for r in first)
        count = store.last_seq()
        # Even with freshly allocated ids, the key makes every second append a no-op.
        again = [store.append(to_events(item, f"ESC-{n + 5}", "importer", STAMP),
                              idempotency_key=item.key, result={"id": f"ESC-{n + 5}"})
                 for n, item in enumerate(items, start=1)]
        assert all(r.duplicate for r in again)
        assert [r.result["id"] for r in again] == [f"ESC-{n}" for n in range(1, 6)]
        assert store.last_seq() == count
        assert store.lookup(items[0].key) is not None
    finally:
        store.close()


# -- the real file -------------------------------------------------------------------------

def _raw_time(text: str) -> datetime:
    """Parse the file's `2021-12-27T13:20:55.490Z` times without warroom code."""
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if "." in text else "%Y-%m-%dT%H:%M:%SZ"
    return datetime.strptime(text, fmt).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return json.loads(REAL.read_text())


@pytest.fixture(scope="module")
def imported() -> dict[str, Any]:
    items = parse(REAL)
    events: list[Event] = []
    ids: dict[str, str] = {}
    for n, item in enumerate(reversed(items), start=1):  # oldest first, like the service
        ids[item.id] = f"ESC-{n}"
        events += to_events(item, f"ESC-{n}", "importer", STAMP)
    events = [replace(e, seq=i) for i, e in enumerate(events, start=1)]
    return {"items": items, "events": events, "states": reduce_all(events), "ids": ids}


@needs_real
def test_real_file_counts(raw: dict[str, Any], imported: dict[str, Any]) -> None:
    incidents = raw["incidents"]
    assert len(incidents) == 1028
    states = imported["states"]
    assert len(states) == 1028
    impacts = Counter(i["impact"] for i in incidents)
    by_sev = Counter(s.severity.value for s in states.values())
    assert by_sev == {"P0": impacts["critical"], "P1": impacts["major"],
                      "P2": impacts["minor"] + impacts["none"]}
    assert by_sev == {"P0": 1, "P1": 163, "P2": 864}
    assert sum(len(s.updates) for s in states.values()) == sum(
        len(i["incident_updates"]) for i in incidents)
    assert {s.customer for s in states.values()} == {raw["page"]["name"]}
    assert len({i.key for i in imported["items"]}) == 1028


@needs_real
def test_real_file_times_and_tags(raw: dict[str, Any], imported: dict[str, Any]) -> None:
    states, ids = imported["states"], imported["ids"]
    for inc in raw["incidents"]:
        s = states[ids[inc["id"]]]
        assert s.received_at == _raw_time(inc["created_at"])
        assert s.resolved_at == _raw_time(inc["resolved_at"])
        shown = [_raw_time(u["display_at"]) for u in inc["incident_updates"]]
        assert s.first_customer_update_at == min(shown)
        names = sorted({c["name"] for c in inc["components"]})
        if names:
            assert s.tags["component"] == ", ".join(names)


REAL_POLICY = post_policy(severities={
    sev: replace(t, calendar="always") for sev, t in POLICY.severities.items()})
"""Every clock on the always-on calendar, so the test can count deadlines with plain arithmetic."""
_SEV = {"critical": "P0", "major": "P1", "minor": "P2", "none": "P2"}


def _components(inc: dict[str, Any]) -> list[str]:
    names = {c["name"].strip() for c in inc["components"]} or {
        a["name"].strip() for u in inc["incident_updates"]
        for a in (u["affected_components"] or [])}
    return sorted(names)


@pytest.fixture(scope="module")
def report(imported: dict[str, Any]) -> dict[str, Any]:
    return trends(imported["states"].values(), imported["events"], REAL_POLICY, STAMP)


@needs_real
def test_real_file_trend_figures_match_the_raw_json(raw: dict[str, Any],
                                                    report: dict[str, Any]) -> None:
    durations: dict[str, list[float]] = {"P0": [], "P1": [], "P2": []}
    for inc in raw["incidents"]:
        durations[_SEV[inc["impact"]]].append(
            (_raw_time(inc["resolved_at"]) - _raw_time(inc["created_at"])).total_seconds())
    assert report["escalations"] == 1028
    assert report["volume_by_severity"] == {k: len(v) for k, v in durations.items()}
    for key, values in durations.items():
        got = report["mttr_seconds"][key]
        assert got["count"] == len(values)
        assert got["mean"] == pytest.approx(statistics.fmean(values), abs=1e-6)
        assert got["median"] == pytest.approx(statistics.median(values), abs=1e-6)
        # Statuspage has no acknowledgement time: MTTA is unknown, never 0.
        assert report["mtta_seconds"][key] == {"mean": None, "median": None, "count": 0}
    assert report["mttr_seconds"]["P0"]["mean"] == pytest.approx(1545.053)
    assert "| P1 | n/a | n/a | 0 |" in render_trends(report, "md")
    first, last = (min(_raw_time(i["created_at"]) for i in raw["incidents"]),
                   max(_raw_time(i["created_at"]) for i in raw["incidents"]))
    assert sum(w["volume"]["total"] for w in report["weekly"]) == 1028
    assert report["weekly"][0]["week"] == (
        first.date() - timedelta(days=first.weekday())).isoformat()
    assert report["weekly"][-1]["week"] <= last.date().isoformat()
    assert sum(m["escalations"] for m in report["monthly"]) == 1028
    # History owes no PIR: the pir clock is never evaluated.
    assert report["sla_clocks"]["pir"]["evaluated"] == 0


@needs_real
def test_real_file_next_update_breaches_match_the_raw_json(raw: dict[str, Any],
                                                           report: dict[str, Any]) -> None:
    first = {s: REAL_POLICY.severities[s].first_update for s in ("P0", "P1", "P2")}
    every = {s: REAL_POLICY.severities[s].update_every for s in ("P0", "P1", "P2")}
    counts = {"met": 0, "met_late": 0, "breached": 0}
    for inc in raw["incidents"]:
        sev = _SEV[inc["impact"]]
        resolved = _raw_time(inc["resolved_at"])
        deadline = _raw_time(inc["created_at"]) + first[sev]
        shown = sorted(_raw_time(u["display_at"] or u["created_at"])
                       for u in inc["incident_updates"])
        late = due = 0
        for at in (t for t in shown if t <= resolved):
            due += 1
            late += at > deadline
            deadline = at + every[sev]
        if deadline < resolved:
            counts["breached"] += 1
        elif late:
            counts["met_late"] += 1
        elif due:
            counts["met"] += 1
    evaluated = sum(counts.values())
    assert report["sla_clocks"]["next_update"] == {**counts, "evaluated": evaluated}
    assert evaluated == 1028 and counts["met_late"] > 0
    assert report["sla_breach_rate"]["next_update"] == pytest.approx(
        (counts["breached"] + counts["met_late"]) / evaluated)


@needs_real
def test_real_file_component_patterns_and_recurrence_match_the_raw_json(
        raw: dict[str, Any], report: dict[str, Any]) -> None:
    # The service numbers escalations oldest first (the file is newest first).
    ordered = sorted(enumerate(reversed(raw["incidents"])),
                     key=lambda p: (_raw_time(p[1]["created_at"]), p[0]))
    seen: dict[str, list[datetime]] = {}
    recurred = patterned = 0
    window = timedelta(days=30)
    for _, inc in ordered:
        at, names = _raw_time(inc["created_at"]), _components(inc)
        if not names:
            continue
        patterned += 1
        recurred += any(seen.get(n.casefold()) and at - seen[n.casefold()][-1] <= window
                        for n in names)
        for n in names:
            seen.setdefault(n.casefold(), []).append(at)
    assert report["patterned_escalations"] == patterned
    assert report["recurring_escalations"] == recurred
    assert report["recurrence_rate"] == pytest.approx(recurred / patterned)
    expected = {f"statuspage/{n}": (len(times), times[0], times[-1])
                for n, times in seen.items() if len(times) >= 2}
    got = {p["key"].casefold(): (p["occurrences"], datetime.fromisoformat(p["first_seen"]),
                                 datetime.fromisoformat(p["last_seen"]))
           for p in report["patterns"]}
    assert got == expected
    multi = [inc for inc in raw["incidents"] if len(_components(inc)) > 1]
    assert len(multi) == 81
    by_component = {r["key"].casefold(): r["escalations"] for r in report["by_component"]}
    assert {k: v for k, v in by_component.items() if k != NO_COMPONENT} == {
        n: len(t) for n, t in seen.items()}
    assert sum(by_component.values()) > 1028  # an escalation on A and B counts toward both
