"""The real Alertmanager (Debian's prometheus-alertmanager) notifying a real warroom server.

Alerts are posted to Alertmanager's own API (`/api/v2/alerts`); its webhook receiver, with the
bot token as `http_config.authorization.credentials`, posts to `/api/v1/hooks/alertmanager`.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.helpers import LiveServer, free_port, wait_until
from warroom.domain.models import EventKind
from warroom.domain.policy import Policy
from warroom.server.tokens import add_token
from warroom.store.sqlite import SqliteStore

ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
pytestmark = pytest.mark.skipif(ALERTMANAGER is None,
                                reason="prometheus-alertmanager is not installed")

CONFIG = """\
route:
  receiver: warroom
  group_by: [alertname, customer]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: warroom
    webhook_configs:
      - url: {url}/api/v1/hooks/alertmanager
        send_resolved: true
        http_config:
          authorization:
            credentials: {token}
"""


class Alertmanager:
    """An Alertmanager process on a free loopback port, alone (no cluster)."""

    def __init__(self, folder: Path, receiver_url: str, token: str) -> None:
        self.port = free_port()
        config = folder / "alertmanager.yml"
        config.write_text(CONFIG.format(url=receiver_url, token=token))
        self.log = (folder / "alertmanager.log").open("w")
        self.process = subprocess.Popen(
            [str(ALERTMANAGER), f"--config.file={config}", f"--storage.path={folder / 'data'}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--cluster.listen-address="],
            stdout=self.log, stderr=subprocess.STDOUT)
        wait_until(self.ready, timeout=20, what="Alertmanager to be ready")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ready(self) -> bool:
        assert self.process.poll() is None, "Alertmanager exited"
        try:
            return httpx.get(f"{self.url}/-/ready", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def post(self, *alerts: dict[str, Any]) -> None:
        response = httpx.post(f"{self.url}/api/v2/alerts", json=list(alerts), timeout=5)
        assert response.status_code == 200, response.text

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture
def setup(tmp_path: Path, store_path: Path, policy: Policy) -> Iterator[tuple[Any, ...]]:
    SqliteStore(store_path).close()
    token = add_token(store_path, "alertmanager", bot=True)
    server = LiveServer(store_path, policy).start()
    manager = Alertmanager(tmp_path, server.url, token)
    try:
        yield manager, store_path
    finally:
        manager.stop()
        server.stop()


def alert(instance: str, ends: datetime | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "labels": {"alertname": "CheckoutErrors", "customer": "Northwind Bank",
                   "component": "checkout-api", "instance": instance},
        "annotations": {"summary": "Checkout API 5xx above 5%"},
        "startsAt": (datetime.now(UTC) - timedelta(minutes=3)).isoformat(),
    }
    if ends is not None:
        body["endsAt"] = ends.isoformat()
    return body


def logged(store_path: Path) -> list[Any]:
    store = SqliteStore(store_path)
    try:
        return store.read(0)
    finally:
        store.close()


def test_alertmanager_opens_one_escalation_notes_refire_and_resolve(setup: Any) -> None:
    manager, store_path = setup
    manager.post(alert("api-1"))
    opened = wait_until(lambda: [e for e in logged(store_path) if e.kind is EventKind.OPENED],
                        timeout=20, what="the escalation Alertmanager opens")
    assert len(opened) == 1
    assert opened[0].payload["customer"] == "Northwind Bank"
    assert opened[0].payload["title"] == "Checkout API 5xx above 5%"
    assert opened[0].actor == "alertmanager"

    manager.post(alert("api-1"), alert("api-2"))
    wait_until(lambda: any(e.kind is EventKind.NOTE for e in logged(store_path)), timeout=20,
               what="a note for the new alert in the group")

    ended = datetime.now(UTC) - timedelta(seconds=1)
    manager.post(alert("api-1", ends=ended), alert("api-2", ends=ended))
    wait_until(lambda: any("all alerts resolved" in e.payload.get("text", "")
                           for e in logged(store_path)), timeout=20,
               what="the resolve note")
    log = logged(store_path)
    assert [e.kind for e in log].count(EventKind.OPENED) == 1
    assert {e.incident_id for e in log} == {opened[0].incident_id}
    assert all(e.kind in (EventKind.OPENED, EventKind.NOTE) for e in log)
