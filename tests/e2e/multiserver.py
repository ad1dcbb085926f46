"""What the multi-server tests drive real `warroom serve` processes with: SSE subscribers and a
console on every server, API clients under load, and plain API calls.

The fixtures that start them (`pg_servers`, `subscribers`, `alice`, `pg_outage`) are in
`tests/e2e/conftest.py`.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from httpx_sse import connect_sse

from tests.api.helpers import ServerProcess, Watcher, wait_until
from warroom.store.http import HttpStore
from warroom.store.outbox import Outbox

RETRY_PAUSE_S = 0.05
"""How long a client waits before sending a command the server could not take again."""


def api(server: ServerProcess, token: str) -> httpx.Client:
    return httpx.Client(base_url=server.url + "/api/v1",
                        headers={"Authorization": f"Bearer {token}"}, timeout=10)


def health(server: ServerProcess) -> tuple[int, dict[str, Any]]:
    response = httpx.get(server.url + "/healthz", timeout=10)
    return response.status_code, response.json()


def all_events(server: ServerProcess, token: str) -> list[dict[str, Any]]:
    with api(server, token) as client:
        return list(client.get("/events").json()["events"])


def open_escalation(server: ServerProcess, token: str) -> None:
    """ESC-1, for the notes of the load to go to."""
    with api(server, token) as client:
        created = client.post("/escalations", json={"title": "t", "customer": "c"})
        assert created.status_code == 201, created.text


def note(client: httpx.Client, text: str) -> int:
    """Post a note on ESC-1 (no idempotency key); its seq."""
    response = client.post("/commands", json={"type": "note", "incident_id": "ESC-1",
                                              "text": text})
    assert response.status_code == 200, response.text
    return int(response.json()["seqs"][-1])


class Stream:
    """An SSE subscriber in a thread: records each event's seq and when it arrived; after a
    dropped stream it reconnects from the last seq it saw."""

    def __init__(self, url: str, token: str) -> None:
        self.seen: list[tuple[int, float]] = []
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._url, self._token = url, token
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        last = 0
        headers = {"Authorization": f"Bearer {self._token}"}
        with httpx.Client(base_url=self._url + "/api/v1", headers=headers,
                          timeout=httpx.Timeout(5, read=30)) as client:
            while not self._stop.is_set():
                try:
                    with connect_sse(client, "GET", "/stream",
                                     headers={"Last-Event-ID": str(last)}) as source:
                        if source.response.status_code != 200:
                            time.sleep(0.2)
                            continue
                        self.connected.set()
                        for sse in source.iter_sse():
                            if self._stop.is_set():
                                return
                            if sse.data:
                                seq = json.loads(sse.data)["seq"]
                                self.seen.append((seq, time.monotonic()))
                                last = max(last, seq)
                except httpx.HTTPError:
                    time.sleep(0.2)

    def seqs(self) -> list[int]:
        return [seq for seq, _ in list(self.seen)]

    def arrival(self, seq: int) -> float | None:
        return next((at for s, at in list(self.seen) if s == seq), None)

    def stop(self) -> None:
        self._stop.set()


class Subscribers:
    """An SSE `Stream` on every server and, given an outbox file, a console (an `HttpStore`,
    watched) on the last server."""

    def __init__(self, servers: list[ServerProcess], token: str,
                 outbox: Path | None = None) -> None:
        self.streams = [Stream(server.url, token) for server in servers]
        self.console = None if outbox is None else HttpStore(
            servers[-1].url, token, outbox=Outbox(outbox), backoff=(0.1, 0.5))
        self.watcher = None if self.console is None else Watcher(self.console)

    def wait_connected(self) -> None:
        for stream in self.streams:
            assert stream.connected.wait(30), "an SSE stream did not connect"

    def wait_pushed(self, seq: int) -> list[float]:
        """Wait until every stream has `seq`; when each got it (monotonic)."""
        arrivals = [wait_until(lambda s=stream: s.arrival(seq), timeout=15,
                               what=f"seq {seq} pushed by every server")
                    for stream in self.streams]
        return [float(at) for at in arrivals]

    def wait_console_connected(self) -> None:
        assert self.console is not None
        console = self.console
        wait_until(lambda: console.connection().describe() == "connected", timeout=30,
                   what="the console to reconnect")

    def assert_all_got(self, last: int) -> None:
        """Every subscriber (and the console) got seqs 1..last, each once, in order."""
        for stream in self.streams:
            wait_until(lambda s=stream: s.seqs()[-1:] == [last], timeout=15,
                       what="subscribers to catch up")
            assert stream.seqs() == list(range(1, last + 1))
        if self.watcher is not None:
            watcher = self.watcher
            wait_until(lambda: watcher.seqs()[-1:] == [last], timeout=15,
                       what="the console to catch up")
            assert watcher.seqs() == list(range(1, last + 1))

    def close(self) -> None:
        for stream in self.streams:
            stream.stop()
        if self.watcher is not None:
            self.watcher.stop()
        if self.console is not None:
            self.console.close()


class Load:
    """API clients posting notes on ESC-1, one idempotency key each, every note sent again
    until taken: after a 503 "store unavailable" to the same server, after a connection error
    to the next one. Records every answer with when its request was sent. An answer that is
    neither is kept in `unexpected` and fails `stop()` (an assert in a thread would not fail
    the test)."""

    def __init__(self, servers: list[ServerProcess], token: str, workers: int = 4) -> None:
        self.acked: list[str] = []
        self.answers: list[tuple[float, int, str]] = []  # (sent at, status, key)
        self.unexpected: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(w, servers, token),
                                          daemon=True) for w in range(workers)]
        for thread in self._threads:
            thread.start()

    def _run(self, worker: int, servers: list[ServerProcess], token: str) -> None:
        clients = [api(server, token) for server in servers]
        turn = itertools.cycle(clients[worker % len(clients):] + clients[:worker % len(clients)])
        client = next(turn)
        try:
            for i in itertools.count():
                key = f"w{worker}-{i}"
                body = {"type": "note", "incident_id": "ESC-1", "text": key,
                        "idempotency_key": key}
                while True:
                    if self._stop.is_set():
                        return
                    sent = time.monotonic()
                    try:
                        response = client.post("/commands", json=body)
                    except httpx.HTTPError:  # unreachable: the next server, as a client would
                        client = next(turn)
                        time.sleep(RETRY_PAUSE_S)
                        continue
                    with self._lock:
                        self.answers.append((sent, response.status_code, key))
                        if response.status_code == 200:
                            self.acked.append(key)
                            break
                        if response.status_code != 503 or not response.json()["error"] \
                                .startswith("store unavailable"):
                            self.unexpected.append(f"{response.status_code} {response.text}")
                    time.sleep(RETRY_PAUSE_S)
        finally:
            for c in clients:
                c.close()

    def count(self) -> int:
        with self._lock:
            return len(self.acked)

    def wait_more(self, n: int, what: str) -> None:
        """Wait (up to 60 s) until `n` more commands than now are acknowledged."""
        start = self.count()
        wait_until(lambda: self.count() >= start + n, timeout=60, what=what)

    def statuses(self) -> Counter[int]:
        with self._lock:
            return Counter(status for _, status, _ in self.answers)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
        assert not any(t.is_alive() for t in self._threads), "a load client did not stop"
        assert not self.unexpected, f"unexpected answers: {self.unexpected[:3]}"

    def __enter__(self) -> Load:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
