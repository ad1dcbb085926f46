"""`warroom token add | list | revoke` through the real CLI, and the token used on a live server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.api.helpers import ServerProcess


def warroom(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "warroom", "--store", str(store), *args],
                          capture_output=True, text=True, timeout=60, check=False,
                          env=os.environ.copy())


def test_token_lifecycle_against_running_server(tmp_path: Path) -> None:
    store = tmp_path / "served.db"
    added = warroom(store, "token", "add", "dana")
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip()
    listed = json.loads(warroom(store, "token", "list", "--json").stdout)
    assert [t["person"] for t in listed] == ["dana"] and token not in json.dumps(listed)

    server = ServerProcess(store)
    try:
        env = {**os.environ, "WARROOM_TOKEN": token}
        opened = subprocess.run(
            [sys.executable, "-m", "warroom", "--store", server.url, "open", "Checkout down",
             "--customer", "Acme", "--severity", "P0"],
            capture_output=True, text=True, timeout=60, check=False, env=env)
        assert opened.returncode == 0, opened.stderr
        assert opened.stdout.strip() == "ESC-1"
        doc = httpx.get(f"{server.url}/api/v1/escalations/ESC-1",
                        headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
        assert doc["roles"]["incident_commander"] == "dana"

        assert warroom(store, "token", "revoke", "dana").returncode == 0
        refused = httpx.get(f"{server.url}/api/v1/escalations",
                            headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert refused.status_code == 401 and "error" in refused.json()
    finally:
        server.stop()

    unknown = warroom(store, "token", "revoke", "nobody")
    assert unknown.returncode == 2 and "nobody" in unknown.stderr
