"""The scripting CLI through real subprocesses: outputs, JSON keys, exit statuses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

NOW = "2026-11-24T10:00:00Z"


class Cli:
    def __init__(self, store: str | Path) -> None:
        self.store = store
        self.now = datetime.now(UTC)
        """One instant for `ago`: a relative `--at -2h` is read against each process's own
        clock, so two commands' relative times lie as far apart as the processes ran (seconds
        under load, more on PostgreSQL)."""

    def ago(self, **delta: float) -> str:
        """An absolute time (ISO 8601) `delta` before `now`, e.g. `ago(hours=2)`."""
        return (self.now - timedelta(**delta)).isoformat()

    def run(self, *args: str, actor: str = "dana") -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "WARROOM_USER": actor}
        return subprocess.run(
            [sys.executable, "-m", "warroom", "--store", str(self.store), *args],
            capture_output=True, text=True, env=env, timeout=60, check=False,
        )

    def ok(self, *args: str, actor: str = "dana") -> str:
        done = self.run(*args, actor=actor)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def json(self, *args: str, actor: str = "dana") -> Any:
        return json.loads(self.ok(*args, "--json", actor=actor))


@pytest.fixture
def cli(store_target: str | Path) -> Cli:
    """The CLI on a SQLite file, then on a PostgreSQL database (`--store postgresql://...`)."""
    return Cli(store_target)


def test_full_flow_and_status_json(cli: Cli) -> None:
    incident = cli.ok("open", "Checkout API 5xx", "--customer", "Acme", "--impact", "outage",
                      "--affected", "12", "--at", "-5m")
    assert incident == "ESC-1"
    cli.ok("triage", incident, "--reason", "EU payments down")
    cli.ok("assign", incident, "customer_spoc", "sam")
    cli.ok("update", incident, "--audience", "customer", "--body", "Investigating",
           "--next-update", "+30m", actor="sam")
    cid = cli.ok("commit", incident, "RCA draft", "--due", "+48h", "--owner", "lee")
    assert cid == "C2"
    doc = cli.json("status", incident)
    assert {"id", "title", "customer", "severity", "phase", "roles", "clocks",
            "commitments"} <= doc.keys()
    assert doc["severity"] == "P0" and doc["roles"]["customer_spoc"] == "sam"
    assert set(doc["clocks"]) == {"triage", "first_update", "next_update", "resolve", "pir"}
    for clock in doc["clocks"].values():
        assert {"due_at", "state", "remaining_s"} <= clock.keys()
    assert doc["clocks"]["triage"]["state"] == "met"
    assert doc["clocks"]["triage"]["remaining_s"] is None
    assert doc["clocks"]["pir"]["state"] == "not_applicable"
    states = {p["id"]: p for p in doc["commitments"]}
    assert states["C2"]["owner"] == "lee" and states["C2"]["state"] == "open"
    assert {"id", "text", "owner", "due_at", "state"} <= states["C1"].keys()


def test_exit_statuses(cli: Cli) -> None:
    incident = cli.ok("open", "x", "--customer", "Acme", "--severity", "P1")
    unknown = cli.run("note", "ESC-42", "hello")
    assert unknown.returncode == 2 and "ESC-42" in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) == 1
    bad_time = cli.run("note", incident, "hi", "--at", "yesterday-ish")
    assert bad_time.returncode == 2 and "--at" in bad_time.stderr
    bad_role = cli.run("assign", incident, "captain", "x")
    assert bad_role.returncode == 2 and "captain" in bad_role.stderr
    refused = cli.run("resolve", incident, "--summary", "fixed", actor="mallory")
    assert refused.returncode == 3 and "resolve" in refused.stderr and "dana" in refused.stderr
    cli.ok("commit", incident, "call back", "--due", "+1h")
    cli.ok("resolve", incident, "--summary", "fixed")
    blocked = cli.run("close", incident)
    assert blocked.returncode == 3 and "open commitments" in blocked.stderr
    missing = cli.run("open", "x")
    assert missing.returncode == 2
    log = cli.ok("log", incident)
    last = log.splitlines()[-1]
    assert "RESOLVED" in last and last.endswith("fixed")


def test_list_and_log_json(cli: Cli) -> None:
    cli.ok("open", "first", "--customer", "Acme", "--severity", "P2")
    cli.ok("open", "second", "--customer", "Initech")
    listed = cli.json("list")
    assert listed[0]["id"] == "ESC-2"  # untriaged: held to P0, most urgent
    events = cli.json("log", "ESC-1")
    assert [e["kind"] for e in events] == ["opened", "triaged"]
    assert all({"seq", "occurred_at", "recorded_at", "actor"} <= e.keys() for e in events)


def test_as_of_and_absolute_times(cli: Cli) -> None:
    incident = cli.ok("open", "x", "--customer", "Acme", "--severity", "P1",
                      "--at", "2026-11-24T09:00:00Z")
    cli.ok("phase", incident, "identified", "--at", "2026-11-24T09:30:00Z")
    past = cli.json("status", incident, "--as-of", "2026-11-24T09:10:00Z")
    assert past["phase"] == "investigating"
    assert past["clocks"]["first_update"]["due_at"] == "2026-11-24T09:30:00Z"


def test_python_dash_m_and_version() -> None:
    done = subprocess.run([sys.executable, "-m", "warroom", "--version"], capture_output=True,
                          text=True, check=True)
    assert done.stdout.startswith("warroom ")


def test_demo_print_seeds_a_live_p0(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "warroom", "--store", str(tmp_path / "d.db"), "demo", "--print"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "P0" in done.stdout and "AT RISK" in done.stdout


def test_config_init_writes_loadable_file(tmp_path: Path) -> None:
    target = tmp_path / "conf" / "warroom.toml"
    done = subprocess.run([sys.executable, "-m", "warroom", "config", "init", "--path",
                           str(target)], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and target.exists(), done.stderr
    check = subprocess.run([sys.executable, "-m", "warroom", "--config", str(target), "config",
                            "check"], capture_output=True, text=True, check=False)
    assert check.returncode == 0 and check.stdout.startswith("ok"), check.stderr
    target.write_text(target.read_text() + "\nbogus_key = 1\n")
    bad = subprocess.run([sys.executable, "-m", "warroom", "--config", str(target), "config",
                          "check"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and str(target) in bad.stderr and "bogus_key" in bad.stderr


def test_renegotiate_needs_a_reason_and_moves_the_next_update(cli: Cli) -> None:
    incident = cli.ok("open", "x", "--customer", "Acme", "--severity", "P0")
    cli.ok("update", incident, "--audience", "customer", "--body", "On it",
           "--next-update", "+20m")
    before = cli.json("status", incident)
    for extra in ([], ["--reason", ""], ["--reason", "  "]):
        refused = cli.run("commitment", incident, "C1", "renegotiate", "--due", "+50m", *extra)
        assert refused.returncode == 2, refused.stderr
        assert "reason" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert cli.json("status", incident)["last_seq"] == before["last_seq"]  # nothing written
    cli.ok("commitment", incident, "C1", "renegotiate", "--due", "+50m",
           "--reason", "Their CTO agreed on the bridge")
    doc = cli.json("status", incident)
    (promise,) = doc["commitments"]
    assert doc["clocks"]["next_update"]["due_at"] == promise["due_at"]
    assert promise["state"] == "renegotiated"
    assert doc["most_urgent"] in doc["clocks"]


def test_huge_relative_times_are_one_line_errors(cli: Cli) -> None:
    cli.ok("open", "t", "--customer", "c")
    for when in ("-99999999999d", "+999999999h", "-9999999999999999999999s"):
        done = cli.run("note", "ESC-1", "x", "--at", when)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("warroom: --at:") and done.stderr.count("\n") == 1
        assert done.stdout == ""
    done = cli.run("status", "ESC-1", "--as-of", "-99999999999d")
    assert done.returncode == 2 and done.stderr.startswith("warroom: --as-of:")


def test_an_unknown_field_is_one_line_listing_the_known_ones(cli: Cli) -> None:
    cli.ok("open", "t", "--customer", "c", "--severity", "P1")
    done = cli.run("pir", "ESC-1", "set", "root_cuase", "x")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == ('warroom: fields.root_cuase: unknown field "root_cuase" (known: '
                           "root_cause, summary, customer_impact, whys, contributing_factors, "
                           "went_well, timeline, timeline_include, timeline_exclude)\n")
    assert '"pir_updated"' not in cli.ok("log", "ESC-1", "--json")


def test_a_named_store_needs_its_folder_and_urls_are_never_files(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "warroom", *args], capture_output=True,
                              text=True, timeout=60, check=False, cwd=tmp_path)

    missing = tmp_path / "no" / "such" / "folder" / "w.db"
    done = run("--store", str(missing), "open", "t", "--customer", "c")
    assert done.returncode == 4 and str(missing) in done.stderr
    assert done.stderr.count("\n") == 1 and not (tmp_path / "no").exists()

    for verb in (["token", "add", "dana"], ["token", "list"], ["deliver", "--once"]):
        done = run("--store", "http://127.0.0.1:9", *verb)
        assert done.returncode == 2, (verb, done.stderr)
        assert "a store file path" in done.stderr and "http://127.0.0.1:9" in done.stderr
    done = run("--store", "ftp://example.invalid/w.db", "status", "ESC-1")
    assert done.returncode == 2 and "unknown scheme ftp://" in done.stderr
    assert "http://" in done.stderr  # names what it accepts
    done = run("--store", "postgresql://nobody@127.0.0.1:1/warroom", "open", "t",
               "--customer", "c")
    assert done.returncode in (2, 4) and done.stderr.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing written here
