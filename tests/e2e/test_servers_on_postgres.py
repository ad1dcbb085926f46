"""Several real `warroom serve` processes on one PostgreSQL database: live push across them,
tokens revoked everywhere at once, a server killed mid-load, and the database lost for 10 s
mid-load (503 JSON meanwhile, then everything resumes with no event lost or doubled)."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from httpx_sse import connect_sse

from tests.api.helpers import Watcher, free_port, wait_until
from tests.api.test_crash import ServerProcess
from warroom.server.tokens import add_token, revoke_token
from warroom.store.http import HttpStore
from warroom.store.outbox import Outbox


class Stream:
    """An SSE subscriber in a thread: records each event's seq and when it arrived."""

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


@pytest.fixture
def servers() -> Iterator[list[ServerProcess]]:
    started: list[ServerProcess] = []
    yield started
    for server in started:
        server.stop()


def start(pg_url: str, servers: list[ServerProcess], n: int = 2) -> list[ServerProcess]:
    for _ in range(n):
        servers.append(ServerProcess(pg_url, free_port()))  # type: ignore[arg-type]
    return servers


def api(server: ServerProcess, token: str) -> httpx.Client:
    return httpx.Client(base_url=server.url + "/api/v1",
                        headers={"Authorization": f"Bearer {token}"}, timeout=10)


def health(server: ServerProcess) -> tuple[int, dict[str, Any]]:
    response = httpx.get(server.url + "/healthz", timeout=10)
    return response.status_code, response.json()


def all_events(server: ServerProcess, token: str) -> list[dict[str, Any]]:
    with api(server, token) as client:
        return list(client.get("/events").json()["events"])


def test_a_command_on_one_server_is_pushed_by_the_other(
        pg_url: str, servers: list[ServerProcess]) -> None:
    token = add_token(pg_url, "alice")
    one, two = start(pg_url, servers)
    streams = [Stream(one.url, token), Stream(two.url, token)]
    try:
        for stream in streams:
            assert stream.connected.wait(10)
        with api(one, token) as a, api(two, token) as b:
            assert a.post("/escalations", json={"title": "t", "customer": "c"}).status_code \
                == 201
            lags = []
            for i, client in zip(range(20), itertools.cycle([a, b]), strict=False):
                sent = time.monotonic()
                seq = client.post("/commands", json={"type": "note", "incident_id": "ESC-1",
                                                     "text": f"n{i}"}).json()["seqs"][-1]
                for stream in streams:
                    wait_until(lambda s=stream, q=seq: s.arrival(q), timeout=5,
                               what=f"seq {seq} on every server")
                    arrived = stream.arrival(seq)
                    assert arrived is not None
                    lags.append(arrived - sent)
        assert max(lags) < 1.0, f"slowest push across servers took {max(lags):.3f} s"
        last = all_events(one, token)[-1]["seq"]
        for stream in streams:
            assert stream.seqs() == list(range(1, last + 1))  # each event once, in order
        for server in (one, two):  # each server encoded each event once
            status, body = health(server)
            assert status == 200 and body["store"] == "ok" and body["last_seq"] == last
            assert body["published_seq"] == last and body["published"] == last
    finally:
        for stream in streams:
            stream.stop()


def test_a_token_revoked_through_one_server_is_refused_by_all(
        pg_url: str, servers: list[ServerProcess]) -> None:
    token = add_token(pg_url, "bob")
    one, two = start(pg_url, servers)
    with api(one, token) as a, api(two, token) as b:
        assert a.get("/me").status_code == 200 and b.get("/me").status_code == 200
        revoke_token(pg_url, "bob")
        for client in (a, b):
            refused = client.get("/escalations")
            assert refused.status_code == 401 and "revoked" in refused.json()["error"]


def test_a_server_killed_mid_load_loses_no_acknowledged_command(
        pg_url: str, servers: list[ServerProcess]) -> None:
    token = add_token(pg_url, "alice")
    one, two = start(pg_url, servers)
    with api(one, token) as client:
        assert client.post("/escalations", json={"title": "t", "customer": "c"}).status_code \
            == 201
    acked: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def load(worker: int) -> None:
        targets = [one, two] if worker % 2 else [two, one]
        clients = [api(s, token) for s in targets]
        for i in itertools.count():
            if stop.is_set():
                break
            key = f"w{worker}-{i}"
            body = {"type": "note", "incident_id": "ESC-1", "text": key, "idempotency_key": key}
            for attempt in range(40):  # a failed send is retried, on the other server too
                try:
                    response = clients[attempt % 2].post("/commands", json=body)
                except httpx.HTTPError:
                    continue
                if response.status_code == 200:
                    with lock:
                        acked.append(key)
                    break
        for c in clients:
            c.close()

    workers = [threading.Thread(target=load, args=(w,), daemon=True) for w in range(4)]
    for worker in workers:
        worker.start()
    wait_until(lambda: len(acked) >= 100, timeout=60, what="load to build up")
    one.kill()
    count = len(acked)
    wait_until(lambda: len(acked) >= count + 50, timeout=60, what="load to go on via the other")
    stop.set()
    for worker in workers:
        worker.join(timeout=30)
    events = all_events(two, token)
    keys = Counter(e["idempotency_key"] for e in events if e["kind"] == "note")
    missing = [k for k in acked if keys[k] == 0]
    assert not missing, f"{len(missing)} acknowledged commands lost, e.g. {missing[:3]}"
    assert all(n == 1 for n in keys.values())
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))


def test_losing_the_database_for_10_s_mid_load(
        pg_cluster: Any, pg_url: str, servers: list[ServerProcess], tmp_path: Path) -> None:
    token = add_token(pg_url, "alice")
    one, two = start(pg_url, servers)
    with api(one, token) as client:
        assert client.post("/escalations", json={"title": "t", "customer": "c"}).status_code \
            == 201
    streams = [Stream(one.url, token), Stream(two.url, token)]
    console = HttpStore(two.url, token, outbox=Outbox(tmp_path / "outbox.sqlite"),
                        backoff=(0.1, 0.5))
    watcher = Watcher(console)
    acked: list[str] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    stop = threading.Event()

    def load(worker: int) -> None:
        server = (one, two)[worker % 2]
        with api(server, token) as mine:
            for i in itertools.count():
                if stop.is_set():
                    return
                key = f"w{worker}-{i}"
                body = {"type": "note", "incident_id": "ESC-1", "text": key,
                        "idempotency_key": key}
                while not stop.is_set():  # the client retries its command until it is taken
                    try:
                        response = mine.post("/commands", json=body)
                    except httpx.HTTPError:
                        time.sleep(0.1)
                        continue
                    with lock:
                        statuses[response.status_code] += 1
                    if response.status_code == 200:
                        with lock:
                            acked.append(key)
                        break
                    assert response.status_code == 503, response.text
                    assert response.json()["error"].startswith("store unavailable")
                    time.sleep(0.1)

    workers = [threading.Thread(target=load, args=(w,), daemon=True) for w in range(4)]
    try:
        for stream in streams:
            assert stream.connected.wait(10)
        for worker in workers:
            worker.start()
        wait_until(lambda: len(acked) >= 60, timeout=60, what="load to build up")
        pg_cluster.stop()
        lost_at = time.monotonic()
        for server in (one, two):
            status, body = health(server)
            assert status == 503 and body["store"] == "unavailable"
        wait_until(lambda: "store unavailable" in console.connection().describe(), timeout=10,
                   what="the console to show 'store unavailable'")
        with lock:
            during = len(acked)
        time.sleep(max(0.0, 10 - (time.monotonic() - lost_at)))
        with lock:
            assert len(acked) <= during + 4  # nothing is acknowledged without the database
        pg_cluster.start()
        wait_until(lambda: len(acked) >= during + 60, timeout=60, what="load to resume")
        wait_until(lambda: console.connection().describe() == "connected", timeout=30,
                   what="the console to reconnect")
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
        assert statuses[503] > 0
        events = all_events(one, token)
        keys = Counter(e["idempotency_key"] for e in events if e["kind"] == "note")
        missing = [k for k in acked if keys[k] == 0]
        assert not missing, f"{len(missing)} acknowledged commands lost, e.g. {missing[:3]}"
        assert all(n == 1 for n in keys.values())
        last = events[-1]["seq"]
        assert [e["seq"] for e in events] == list(range(1, last + 1))
        for stream in streams:  # every subscriber got every event once, in order
            wait_until(lambda s=stream: s.seqs()[-1:] == [last], timeout=15,
                       what="subscribers to catch up")
            assert stream.seqs() == list(range(1, last + 1))
        wait_until(lambda: watcher.seqs()[-1:] == [last], timeout=15,
                   what="the console to catch up")
        assert watcher.seqs() == list(range(1, last + 1))
    finally:
        stop.set()
        if not pg_cluster.running():
            pg_cluster.start()  # the next tests share the cluster
        for stream in streams:
            stream.stop()
        watcher.stop()
        console.close()
