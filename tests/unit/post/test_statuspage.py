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
from warroom.domain.metrics import trends
from warroom.domain.models import Audience, Event, EventKind, Phase, Severity
from warroom.domain.reduce import reduce, reduce_all
from warroom.domain.structs import replace
from warroom.importers.statuspage import (
    ImportedIncident,
    StatuspageError,
    parse,
    parse_data,
    to_events,
)

REPO = Path(__file__).resolve().parents[3]
REAL = REPO.parent / "shared" / "data" / "statuspage" / "githubstatus-2010-2021.json"
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
        EventKind.UPDATE_POSTED, EventKind.RESOLVED]
    assert all(e.seq == i and e.recorded_at == STAMP for i, e in enumerate(events, 1))
    state = reduce(events)
    assert state is not None
    assert (state.title, state.customer, state.severity, state.phase) == (
        "Degraded API", "Example Co", Severity.P1, Phase.RESOLVED)
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
    assert events[-1].kind is EventKind.UPDATE_POSTED
    assert events[-1].payload["source_status"] == "postmortem"
    state = reduce(events)
    assert state is not None
    assert state.phase is Phase.RESOLVED
    assert state.updates[-1].phase is Phase.RESOLVED
    assert state.resolved_at == datetime(2021, 3, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(("impact", "severity"), [
    ("critical", Severity.P0), ("major", Severity.P1), ("minor", Severity.P2),
    ("none", Severity.P2)])
def test_impact_to_severity(impact: str, severity: Severity) -> None:
    [item] = parse_data({"page": PAGE, "incidents": [_incident(impact=impact)]})
    assert item.severity is severity


def test_monitoring_at_without_an_update_moves_the_phase_and_open_incidents_stay_open() -> None:
    raw = _incident(status="monitoring", resolved_at=None, monitoring_at="2021-03-01T11:00:00Z",
                    incident_updates=_incident()["incident_updates"][3:], components=[])
    [item] = parse_data({"page": PAGE, "incident": raw})
    state = reduce(_events(item))
    assert state is not None
    assert state.phase is Phase.MONITORING
    assert state.resolved_at is None
    assert state.tags == {"category": "statuspage"}


@pytest.mark.parametrize(("data", "where"), [
    ([], "$: expected an object, got an array"),
    ({"incidents": []}, "$: missing key 'page'"),
    ({"page": PAGE}, "$: missing key 'incidents' (or 'incident')"),
    ({"page": {"id": "p"}, "incidents": []}, "$.page: missing key 'name'"),
    ({"page": PAGE, "incidents": {}}, "$.incidents: expected an array, got an object"),
    ({"page": PAGE, "incidents": [_incident(), _incident(id="b", impact="huge")]},
     "$.incidents[1].impact: expected one of critical, major, minor, none, got 'huge'"),
    ({"page": PAGE, "incidents": [_incident(created_at="yesterday")]},
     "$.incidents[0].created_at: expected an ISO 8601 time, got 'yesterday'"),
    ({"page": PAGE, "incidents": [_incident(incident_updates=[{"status": "resolved"}])]},
     "$.incidents[0].incident_updates[0]: missing key 'created_at'"),
    ({"page": PAGE, "incidents": [_incident(incident_updates=[
        {"status": "fixed", "created_at": "2021-03-01T10:00:00Z"}])]},
     "$.incidents[0].incident_updates[0].status: expected one of investigating, identified, "
     "monitoring, resolved, postmortem, got 'fixed'"),
    ({"page": PAGE, "incidents": [_incident(), _incident()]},
     "$.incidents[1].id: duplicate incident id 'inc1' (also at $.incidents[0])"),
    ({"page": PAGE, "incidents": [_incident(resolved_at="2021-03-01T09:00:00Z")]},
     "$.incidents[0].resolved_at: is before created_at"),
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


@needs_real
def test_real_file_trend_figures_match_the_raw_json(raw: dict[str, Any],
                                                    imported: dict[str, Any]) -> None:
    report = trends(imported["states"].values(), imported["events"], POLICY, STAMP)
    sev = {"critical": "P0", "major": "P1", "minor": "P2", "none": "P2"}
    durations: dict[str, list[float]] = {"P0": [], "P1": [], "P2": []}
    for inc in raw["incidents"]:
        durations[sev[inc["impact"]]].append(
            (_raw_time(inc["resolved_at"]) - _raw_time(inc["created_at"])).total_seconds())
    assert report["escalations"] == 1028
    assert report["volume_by_severity"] == {k: len(v) for k, v in durations.items()}
    for key, values in durations.items():
        got = report["mttr_seconds"][key]
        assert got["count"] == len(values)
        assert got["mean"] == pytest.approx(statistics.fmean(values), abs=1e-6)
        assert got["median"] == pytest.approx(statistics.median(values), abs=1e-6)
        assert report["mtta_seconds"][key] == {"mean": 0.0, "median": 0.0,
                                               "count": len(values)}
    assert report["mttr_seconds"]["P0"]["mean"] == pytest.approx(1545.053)
    first, last = (min(_raw_time(i["created_at"]) for i in raw["incidents"]),
                   max(_raw_time(i["created_at"]) for i in raw["incidents"]))
    assert sum(w["volume"]["total"] for w in report["weekly"]) == 1028
    assert report["weekly"][0]["week"] == (
        first.date() - timedelta(days=first.weekday())).isoformat()
    assert report["weekly"][-1]["week"] <= last.date().isoformat()


@needs_real
def test_real_file_recurrence_rate_matches_the_raw_json(raw: dict[str, Any],
                                                        imported: dict[str, Any]) -> None:
    def pattern(inc: dict[str, Any]) -> str | None:
        names = sorted({c["name"] for c in inc["components"]}) or sorted(
            {a["name"] for u in inc["incident_updates"] for a in (u["affected_components"] or [])})
        return ", ".join(names) if names else None

    ordered = sorted(raw["incidents"], key=lambda i: _raw_time(i["created_at"]))
    last: dict[str, datetime] = {}
    recurred = 0
    for inc in ordered:
        key, at = pattern(inc), _raw_time(inc["created_at"])
        if key is None:
            continue
        if key in last and at - last[key] <= timedelta(days=90):
            recurred += 1
        last[key] = at
    report = trends(imported["states"].values(), imported["events"], POLICY, STAMP)
    assert report["recurring_escalations"] == recurred
    assert report["recurrence_rate"] == recurred / 1028
