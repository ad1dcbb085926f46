"""Post-incident verbs through real subprocesses: PIR gate, export, actions, report, import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_cli import Cli

_NAME = Path("shared", "data", "statuspage", "githubstatus-2010-2021.json")
GITHUB = next((p / _NAME for p in Path(__file__).resolve().parents if (p / _NAME).exists()),
              Path(_NAME))
"""Read in place from `../shared/data` (a worktree looks further up)."""


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
    # Closing completes the PIR internally; only sending the customer RCA meets the clock.
    assert status["phase"] == "closed" and status["clocks"]["pir"]["state"] == "ok"
    sent = cli.ok("pir", incident, "sent", "--to", "cto@acme.example", "ops@acme.example")
    assert sent == f"{incident}: customer RCA summary sent to cto@acme.example, ops@acme.example"
    status = cli.json("status", incident)
    assert status["clocks"]["pir"]["state"] == "met"
    markdown = cli.ok("pir", incident)
    assert markdown.startswith("# Root cause analysis: Login failures")
    assert "All times are in UTC." in markdown
    assert "certificate renewal job was disabled" in markdown
    assert "We are investigating." in markdown
    internal = cli.ok("pir", incident, "--audience", "internal")
    assert internal.startswith("# Post-incident review: Login failures")
    doc = json.loads(cli.ok("pir", incident, "--format", "json"))
    assert len(doc["whys"]) == 3


def test_blameless_check_flags_people_and_exits_3(cli: Cli) -> None:
    incident = cli.ok("open", "x", "--customer", "Acme", "--severity", "P1")
    cli.ok("assign", incident, "tech_lead", "lee")
    cli.ok("pir", incident, "set", "root_cause", "Human error: lee should have checked.")
    report = cli.run("pir", incident, "check")
    assert report.returncode == 3
    assert "human error" in report.stdout.lower() and "lee should have" in report.stdout.lower()


def test_blame_blocks_complete_until_accepted(cli: Cli) -> None:
    incident = cli.ok("open", "Certificate expired", "--customer", "Acme", "--severity", "P1",
                      "--at", "-3h")
    cli.ok("resolve", incident, "--summary", "renewed")
    cli.ok("assign", incident, "tech_lead", "bob")
    cli.ok("pir", incident, "set", "root_cause", "Human error: Bob forgot to renew it.")
    for why in ("handshakes failed", "the certificate expired", "renewal is manual"):
        cli.ok("pir", incident, "why", why)
    cli.ok("action", incident, "add", "Automate renewal", "--owner", "ops", "--due", "+7d")
    done = cli.run("pir", incident, "complete")
    assert done.returncode == 3
    assert 'root_cause: "Human error"' in done.stderr and 'root_cause: "Bob forgot"' in done.stderr
    assert "--accept-findings" in done.stderr
    closing = cli.run("close", incident)
    assert closing.returncode == 3 and '"Bob forgot"' in closing.stderr
    refused = cli.run("pir", incident, "complete", "--accept-findings", "quote", actor="bob")
    assert refused.returncode == 3 and "complete_pir" in refused.stderr
    cli.ok("pir", incident, "complete", "--accept-findings", "the customer's own wording")
    internal = cli.ok("pir", incident, "--audience", "internal")
    assert "the customer's own wording" in internal
    cli.ok("close", incident)


def test_pir_sub_actions_take_at_and_refuse_set_whys(cli: Cli) -> None:
    incident = cli.ok("open", "x", "--customer", "Acme", "--severity", "P1", "--at", "-3h")
    cli.ok("pir", incident, "set", "root_cause", "pool too small", "--at", "-1h")
    [event] = [e for e in cli.json("log", incident) if e["kind"] == "pir_updated"]
    assert event["occurred_at"] < event["recorded_at"]
    refused = cli.run("pir", incident, "set", "whys", "one why")
    assert refused.returncode == 2
    assert f"pir {incident} why TEXT" in refused.stderr
    assert "\n" not in refused.stderr.strip()


def test_read_only_verbs_never_create_a_store(tmp_path: Path) -> None:
    for store in (tmp_path / "missing.db", tmp_path / "nowhere" / "store.db"):
        cli = Cli(store)
        for verb in (["list"], ["status", "ESC-1"], ["log", "ESC-1"], ["pir", "ESC-1"],
                     ["pir", "ESC-1", "check"], ["actions"], ["flags"], ["credit", "ESC-1"],
                     ["report", "trends"]):
            done = cli.run(*verb)
            assert done.returncode == 4, (verb, done.stderr)
            assert str(store) in done.stderr
        assert not store.exists() and not (tmp_path / "nowhere").exists()


def test_list_into_a_closed_pipe_ends_cleanly(cli: Cli) -> None:
    for n in range(3):
        cli.ok("open", f"incident {n}", "--customer", "Acme", "--severity", "P2")
    proc = subprocess.Popen(
        [sys.executable, "-m", "warroom", "--store", str(cli.store), "list"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "WARROOM_USER": "x"})
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `| head` that already quit
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_report_refuses_an_empty_or_inverted_window(cli: Cli) -> None:
    cli.ok("open", "x", "--customer", "Acme", "--severity", "P2")
    done = cli.run("report", "trends", "--since", "2026-02-01", "--until", "2026-01-01")
    assert done.returncode == 2
    assert "--since" in done.stderr and "window is empty" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_flags_credit_and_flag_teams(cli: Cli) -> None:
    for at in ("-5d", "-2d"):
        cli.ok("open", "db slow", "--customer", "Acme", "--severity", "P2", "--component", "pg",
               "--category", "db", "--at", at)
    lines = cli.ok("flags").splitlines()
    assert len(lines) == 1 and lines[0].startswith("db/pg") and "raised by ESC-2" in lines[0]
    assert cli.json("flags")[0]["key"] == "db/pg"
    bad = cli.run("flag", "db/pg", "--to", "product,marketing")
    assert bad.returncode == 2 and "unknown team 'marketing'" in bad.stderr
    cli.ok("flag", "db/pg", "--to", "product,ops")
    incident = cli.ok("open", "down", "--customer", "Acme", "--severity", "P1", "--at", "-30h")
    cli.ok("resolve", incident, "--summary", "fixed")
    text = cli.ok("credit", incident)
    assert text.startswith("suggested: ") and "approved: not yet" in text
    assert "suggested" in cli.json("credit", incident)


def test_actions_show_completion_lateness_and_missing_owner(cli: Cli) -> None:
    incident = cli.ok("open", "a", "--customer", "Acme", "--severity", "P2",
                      "--at", cli.ago(days=10))
    cli.ok("action", incident, "add", "Late work", "--owner", "lee", "--due", cli.ago(days=5),
           "--at", cli.ago(days=9))
    cli.ok("action", incident, "add", "Unowned work", "--at", cli.ago(days=9))
    cli.ok("action", incident, "A1", "done", "--at", cli.ago(days=2))
    text = cli.ok("actions")
    late = next(line for line in text.splitlines() if "Late work" in line)
    assert "done " in late and "late by 3 d" in late
    unowned = next(line for line in text.splitlines() if "Unowned work" in line)
    assert "NO OWNER" in unowned and "NO DUE DATE" in unowned
    rows = {r["title"]: r for r in cli.json("actions")}
    assert rows["Late work"]["late_by_seconds"] == 3 * 86400
    assert rows["Unowned work"]["problems"] == ["no owner", "no due date"]
    check = cli.run("pir", incident, "check")
    assert check.returncode == 3 and "action: A2 has no owner and no due date" in check.stdout


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
    incident = cli.ok("open", "x", "--customer", "Acme", "--severity", "P0",
                      "--at", cli.ago(hours=2))
    cli.ok("resolve", incident, "--summary", "done", "--at", cli.ago(hours=1))
    data = json.loads(cli.ok("report", "trends", "--format", "json"))
    assert {"volume_by_severity", "mtta_seconds", "mttr_seconds", "recurrence_rate",
            "sla_breach_rate", "patterns"} <= data.keys()
    assert data["volume_by_severity"]["P0"] == 1
    assert data["mttr_seconds"]["P0"]["mean"] == 3600


@pytest.mark.skipif(not GITHUB.exists(), reason=f"shared data absent: {GITHUB}")
def test_import_statuspage_is_history(cli: Cli) -> None:
    cli.ok("open", "live one", "--customer", "Acme", "--severity", "P2")
    first = json.loads(cli.ok("import", "statuspage", str(GITHUB), "--json"))
    assert first["incidents"] == 1028 and first["imported"] == 1028
    again = json.loads(cli.ok("import", "statuspage", str(GITHUB), "--json"))
    assert again["imported"] == 0 and again["already_present"] == 1028
    raw = json.loads(GITHUB.read_text())["incidents"]
    expected_p1 = sum(1 for i in raw if i["impact"] == "major")
    data = json.loads(cli.ok("report", "trends", "--format", "json"))
    assert data["volume_by_severity"]["P1"] == expected_p1
    assert data["sla_clocks"]["pir"]["evaluated"] == 0
    assert [d["id"] for d in cli.json("list")] == ["ESC-1"]  # history stays off the board
    everything = cli.json("list", "--all")
    assert len(everything) == 1029
    imported = cli.json("status", "ESC-2")
    assert imported["phase"] == "closed" and imported["clocks"]["pir"]["state"] == \
        "not_applicable"


def test_import_bad_file_names_it(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"page": {"id": "p", "name": "X"}, "incidents": [{"id": 1}]}')
    done = cli.run("import", "statuspage", str(bad))
    assert done.returncode == 2 and str(bad) in done.stderr


def test_import_rejects_a_resolved_record_without_a_resolution_and_writes_nothing(
        cli: Cli, tmp_path: Path) -> None:
    good = {"id": "ok1", "name": "fine", "status": "resolved", "impact": "minor",
            "created_at": "2021-01-01T10:00:00Z", "resolved_at": "2021-01-01T11:00:00Z",
            "incident_updates": [], "components": []}
    bad = {**good, "id": "b4d", "resolved_at": None, "incident_updates": [
        {"status": "investigating", "body": "looking", "created_at": "2021-01-01T10:00:00Z"}]}
    path = tmp_path / "history.json"
    path.write_text(json.dumps({"page": {"id": "p", "name": "X"}, "incidents": [good, bad]}))
    done = cli.run("import", "statuspage", str(path))
    assert done.returncode == 2
    assert "incident b4d" in done.stderr and "incidents[1]" in done.stderr
    if isinstance(cli.store, Path):
        assert not cli.store.exists()  # nothing written, not even a store
    else:
        assert cli.json("list", "--all") == []  # nothing written
