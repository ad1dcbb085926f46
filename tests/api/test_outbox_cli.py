"""The outbox through the real CLI against a real server: exit 75 when queued, `--no-queue`,
`warroom outbox`, refusals reported on the next run, a corrupt outbox moved aside."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from tests.api.helpers import LiveServer, Tokens, client


def cli(server: LiveServer, token: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WARROOM_TOKEN": token}
    return subprocess.run([sys.executable, "-m", "warroom", "--store", server.url, *args],
                          capture_output=True, text=True, timeout=60, check=False, env=env)


def outbox_file() -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "warroom" / "outbox.db"


def test_queued_commands_exit_75_keep_their_time_and_refusals_show_on_the_next_run(
        live: LiveServer, tokens: Tokens) -> None:
    alice = client(live, tokens.alice)
    alice.post("/escalations", json={"title": "t", "customer": "c"})
    live.stop()
    issued = datetime.now(UTC)
    queued = cli(live, tokens.alice, "note", "ESC-1", "written offline")
    queued_by = datetime.now(UTC)
    assert queued.returncode == 75, queued.stderr
    assert queued.stdout == ""
    assert queued.stderr.startswith("warroom: queued:") and "#1" in queued.stderr
    assert queued.stderr.count("\n") == 1
    assert cli(live, tokens.alice, "note", "ESC-9", "no such escalation").returncode == 75

    refused = cli(live, tokens.alice, "--no-queue", "note", "ESC-1", "now or never")
    assert refused.returncode == 4 and refused.stdout == ""
    assert "cannot reach" in refused.stderr

    listed = json.loads(cli(live, tokens.alice, "outbox", "--json").stdout)
    assert [(e["id"], e["state"], e["command"]["text"]) for e in listed] == [
        (1, "pending", "written offline"), (2, "pending", "no such escalation")]
    assert all(e["issued_at"] and "reason" in e for e in listed)

    live.start()
    run = cli(live, tokens.alice, "list")
    assert run.returncode == 0, run.stderr
    [line] = run.stderr.splitlines()
    assert "#2 note ESC-9" in line and "was refused: 404" in line
    assert "outbox retry 2" in line
    assert cli(live, tokens.alice, "list").stderr == ""  # reported once

    events = alice.get("/escalations/ESC-1/events").json()["events"]
    [note] = [e for e in events if e["kind"] == "note"]
    assert note["payload"]["text"] == "written offline" and note["actor"] == "alice"
    occurred = datetime.fromisoformat(note["occurred_at"])
    assert issued <= occurred <= queued_by  # when issued, not when delivered
    assert datetime.fromisoformat(note["recorded_at"]) > occurred

    [failed] = json.loads(cli(live, tokens.alice, "outbox", "--json").stdout)
    assert failed["state"] == "failed" and "ESC-9" in failed["reason"]
    again = cli(live, tokens.alice, "outbox", "retry", "2")
    assert again.returncode == 2 and "ESC-9" in again.stderr
    assert cli(live, tokens.alice, "outbox", "discard", "2").returncode == 0
    assert cli(live, tokens.alice, "outbox").stdout.strip() == "outbox empty"
    missing = cli(live, tokens.alice, "outbox", "discard", "2")
    assert missing.returncode == 2 and "#2" in missing.stderr


def test_a_corrupt_outbox_is_moved_aside_and_commands_go_on(
        live: LiveServer, tokens: Tokens) -> None:
    client(live, tokens.alice).post("/escalations", json={"title": "t", "customer": "c"})
    path = outbox_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database" * 100)
    run = cli(live, tokens.alice, "note", "ESC-1", "still works")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ESC-1: note recorded"
    [warning] = run.stderr.splitlines()
    assert str(path) in warning and "moved aside" in warning
    [aside] = path.parent.glob("outbox.db.corrupt-*")
    assert aside.read_bytes().startswith(b"this is not a database")
    assert cli(live, tokens.alice, "note", "ESC-1", "again").stderr == ""
