"""`warroom take ID` through the real CLI: an alert's escalation is flagged until taken."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import FrozenClock
from tests.e2e.test_cli import Cli
from warroom.domain.commands import Alert
from warroom.domain.policy import Policy
from warroom.service import WarRoom
from warroom.store.sqlite import SqliteStore


def test_take_owns_an_escalation_opened_by_an_alert(tmp_path: Path, policy: Policy) -> None:
    path = tmp_path / "cli.db"
    store = SqliteStore(path)
    WarRoom(store, policy, FrozenClock()).execute(
        Alert(hook="generic", key="deploy-7", status="firing", title="Login errors",
              customer="Contoso"), "ci-bot")
    store.close()
    cli = Cli(path)
    assert "⚑ UNOWNED" in cli.ok("list")
    assert cli.json("status", "ESC-1")["unowned"] is True
    assert cli.ok("take", "ESC-1", actor="lee") == "ESC-1: take recorded"
    doc = cli.json("status", "ESC-1")
    assert doc["roles"]["incident_commander"] == "lee" and doc["unowned"] is False
    refused = cli.run("take", "ESC-1", actor="dana")
    assert refused.returncode == 3 and "owned by lee" in refused.stderr
