"""`warroom take ID` through the real CLI: an alert's escalation is flagged until taken."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.api.helpers import ServerProcess
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


def test_serve_reads_hooks_from_the_config_file(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[hooks.generic]\ndefault_customer = "Internal"\n')
    monkeypatch.setenv("WARROOM_CONFIG", str(config))
    store = tmp_path / "serve.db"
    token = Cli(store).ok("token", "add", "ci").split()[-1]
    server = ServerProcess(store)
    try:
        response = httpx.post(f"{server.url}/api/v1/hooks/generic",
                              headers={"Authorization": f"Bearer {token}"},
                              json={"dedup_key": "k", "title": "Queue backlog",
                                    "status": "firing"}, timeout=10)
    finally:
        server.stop()
    assert response.status_code == 200, response.text
    assert Cli(store).json("status", "ESC-1")["customer"] == "Internal"


def test_token_add_bot_is_listed_as_a_bot(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "tokens.db")
    assert cli.ok("token", "add", "alertmanager", "--bot").startswith("wr_")
    listed = cli.ok("token", "list")
    assert "alertmanager" in listed and " bot " in listed
    both = cli.run("token", "add", "x", "--bot", "--read-only")
    assert both.returncode == 2 and "not allowed with" in both.stderr
