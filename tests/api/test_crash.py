"""`warroom serve` killed with SIGKILL under load loses no command it had acknowledged."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.api.helpers import ServerProcess, Tokens, assert_log_keeps, wait_until


def test_sigkill_under_load_loses_no_acknowledged_command(
        store_path: Path, tokens: Tokens, serve: Callable[..., ServerProcess]) -> None:
    server = serve(store_path)
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

    restarted = serve(store_path, server.port)
    events = httpx.get(restarted.url + "/api/v1/events", headers=headers,
                       timeout=10).json()["events"]
    assert_log_keeps(events, acknowledged)
    # Retrying every acknowledged key after the restart writes nothing new.
    with httpx.Client(base_url=restarted.url + "/api/v1", headers=headers, timeout=5) as again:
        for key in acknowledged[-20:]:
            retry = again.post("/commands", json={"type": "note", "incident_id": "ESC-1",
                                                  "text": key, "idempotency_key": key})
            assert retry.json()["duplicate"] is True
    assert len(httpx.get(restarted.url + "/api/v1/events", headers=headers,
                         timeout=10).json()["events"]) == len(events)
