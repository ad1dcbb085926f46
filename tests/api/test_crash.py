"""`warroom serve` killed with SIGKILL under load loses no command it had acknowledged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.helpers import Tokens, free_port, wait_until


class ServerProcess:
    def __init__(self, store_path: Path, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "warroom", "serve", "--store", str(store_path),
             "--port", str(port), "--log-level", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ.copy())

        def healthy() -> bool:
            assert self.proc.poll() is None, self.proc.stderr.read() if self.proc.stderr else ""
            try:
                return httpx.get(self.url + "/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(healthy, timeout=30, every=0.05, what="warroom serve to answer")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.proc.stderr:
            self.proc.stderr.close()


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def processes() -> Iterator[list[ServerProcess]]:
    started: list[ServerProcess] = []
    yield started
    for proc in started:
        proc.stop()


def test_sigkill_under_load_loses_no_acknowledged_command(
        store_path: Path, tokens: Tokens, port: int, processes: list[ServerProcess]) -> None:
    server = ServerProcess(store_path, port)
    processes.append(server)
    headers = {"Authorization": f"Bearer {tokens.alice}"}
    api = httpx.Client(base_url=server.url + "/api/v1", headers=headers, timeout=5)
    assert api.post("/escalations", json={"title": "t", "customer": "c"}).status_code == 201
    acked: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def load(worker: int) -> None:
        with httpx.Client(base_url=server.url + "/api/v1", headers=headers, timeout=5) as mine:
            for i in range(100_000):
                if stop.is_set():
                    return
                key = f"w{worker}-{i}"
                try:
                    response = mine.post("/commands", json={
                        "type": "note", "incident_id": "ESC-1", "text": key,
                        "idempotency_key": key})
                except httpx.HTTPError:
                    return  # the server is gone
                if response.status_code == 200:
                    with lock:
                        acked.append(key)

    workers = [threading.Thread(target=load, args=(w,), daemon=True) for w in range(4)]
    for worker in workers:
        worker.start()
    wait_until(lambda: len(acked) >= 150, timeout=60, what="load to build up")
    server.kill()  # mid-load: requests are in flight
    stop.set()
    for worker in workers:
        worker.join(timeout=15)
    with lock:
        acknowledged = list(acked)

    restarted = ServerProcess(store_path, port)
    processes.append(restarted)
    events = httpx.get(restarted.url + "/api/v1/events", headers=headers,
                       timeout=10).json()["events"]
    keys = Counter(e["idempotency_key"] for e in events if e["kind"] == "note")
    missing = [k for k in acknowledged if keys[k] == 0]
    assert not missing, f"{len(missing)} acknowledged commands lost, e.g. {missing[:3]}"
    assert all(n == 1 for n in keys.values())
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    # Retrying every acknowledged key after the restart writes nothing new.
    with httpx.Client(base_url=restarted.url + "/api/v1", headers=headers, timeout=5) as again:
        for key in acknowledged[-20:]:
            retry = again.post("/commands", json={"type": "note", "incident_id": "ESC-1",
                                                  "text": key, "idempotency_key": key})
            assert retry.json()["duplicate"] is True
    assert len(httpx.get(restarted.url + "/api/v1/events", headers=headers,
                         timeout=10).json()["events"]) == len(events)
