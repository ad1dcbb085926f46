"""Post-incident verbs through real subprocesses: PIR gate, export, actions, report, import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.test_cli import Cli

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "statuspage"
GITHUB = SHARED / "githubstatus-2010-2021.json"


@pytest.fixture
def cli(store_target: str | Path) -> Cli:
    return Cli(store_target)


def test_pir_gate_then_close_and_export(cli: Cli) -> None:
    incident = cli.ok("open", "Login failures", "--customer", "Acme", "--severity", "P1",
                      "--at", "-3h")
    cli.ok("update", incident, "--audience", "customer", "--body", "We are investigating.",
           "--at", "-150m")
    cli.ok("resolve", incident, "--summary", "Expired certificate replaced")
    blocked = cli.run("close", incident)
    assert blocked.returncode == 3
    assert "root cause" in blocked.stderr and "three whys" in blocked.stderr.replace("3", "three")
    cli.ok("pir", incident, "set", "root_cause", "The certificate renewal job was disabled.")
    for why in ("The TLS handshake failed", "The certificate had expired",
                "The renewal job had been disabled during a migration"):
        cli.ok("pir", incident, "why", why)
    assert cli.ok("action", incident, "add", "Alert on certificates expiring within 14 days",
                  "--owner", "lee", "--due", "+7d") == "A1"
    cli.ok("close", incident)
    status = cli.json("status", incident)
    assert status["phase"] == "closed" and status["clocks"]["pir"]["state"] == "met"
    markdown = cli.ok("pir", incident)
    assert "certificate renewal job was disabled" in markdown
    assert "We are investigating." in markdown
    doc = json.loads(cli.ok("pir", incident, "--format", "json"))
    assert len(doc["whys"]) == 3


def test_blameless_check_flags_people(cli: Cli) -> None:
    incident = cli.ok("open", "x", "--customer", "Acme", "--severity", "P1")
    cli.ok("pir", incident, "set", "root_cause", "Human error: dana should have checked.")
    report = cli.ok("pir", incident, "check")
    assert "human error" in report.lower() and "should have" in report.lower()


def test_actions_list_overdue_first(cli: Cli) -> None:
    first = cli.ok("open", "a", "--customer", "Acme", "--severity", "P2", "--at", "-10d")
    second = cli.ok("open", "b", "--customer", "Acme", "--severity", "P2", "--at", "-9d")
    cli.ok("action", first, "add", "Later work", "--owner", "lee", "--due", "+5d")
    cli.ok("action", second, "add", "Overdue work", "--owner", "kim", "--due", "-1d",
           "--at", "-8d")
    rows = cli.json("actions", "--open")
    assert [r["title"] for r in rows] == ["Overdue work", "Later work"]
    assert rows[0]["overdue"] is True
    cli.ok("action", second, "A1", "done")
    assert [r["title"] for r in cli.json("actions", "--open")] == ["Later work"]


def test_report_trends_json_keys(cli: Cli) -> None:
    incident = cli.ok("open", "x", "--customer", "Acme", "--severity", "P0", "--at", "-2h")
    cli.ok("resolve", incident, "--summary", "done", "--at", "-1h")
    data = json.loads(cli.ok("report", "trends", "--format", "json"))
    assert {"volume_by_severity", "mtta_seconds", "mttr_seconds", "recurrence_rate",
            "sla_breach_rate", "patterns"} <= data.keys()
    assert data["volume_by_severity"]["P0"] == 1
    assert data["mttr_seconds"]["P0"]["mean"] == pytest.approx(3600, abs=2)


@pytest.mark.skipif(not GITHUB.exists(), reason=f"shared data absent: {GITHUB}")
def test_import_statuspage_twice_adds_nothing(cli: Cli) -> None:
    first = json.loads(cli.ok("import", "statuspage", str(GITHUB), "--json"))
    assert first["incidents"] == 1028 and first["imported"] == 1028
    again = json.loads(cli.ok("import", "statuspage", str(GITHUB), "--json"))
    assert again["imported"] == 0 and again["already_present"] == 1028
    raw = json.loads(GITHUB.read_text())["incidents"]
    expected_p1 = sum(1 for i in raw if i["impact"] == "major")
    data = json.loads(cli.ok("report", "trends", "--format", "json"))
    assert data["volume_by_severity"]["P1"] == expected_p1


def test_import_bad_file_names_it(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"page": {"id": "p", "name": "X"}, "incidents": [{"id": 1}]}')
    done = cli.run("import", "statuspage", str(bad))
    assert done.returncode == 2 and str(bad) in done.stderr
