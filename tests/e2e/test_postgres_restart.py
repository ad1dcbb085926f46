"""`pg_ctl restart` under two real `warroom serve` processes taking a stream of commands from
API clients, SSE subscribers, a console and the CLI: no acknowledged command is lost or
doubled, seqs stay gap-free, and everyone recovers on their own. A fast restart kills every
connection under the pools and the LISTEN connections: the first request after the database
is back must succeed (connections are checked on checkout), and pushes resume."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.helpers import Watcher, wait_until
from tests.api.test_crash import ServerProcess
from tests.e2e.test_postgres import ev
from tests.e2e.test_servers_on_postgres import Stream, all_events, api, health, start
from warroom.server.tokens import add_token
from warroom.store.http import HttpStore
from warroom.store.outbox import Outbox
from warroom.store.postgres import PostgresStore


@pytest.fixture
def servers() -> Iterator[list[ServerProcess]]:
    started: list[ServerProcess] = []
    yield started
    for server in started:
        server.stop()


class Load:
    """API clients posting notes with idempotency keys, each retried until taken; every
    answer is recorded with when its request was sent."""

    def __init__(self, servers: list[ServerProcess], token: str, workers: int = 4) -> None:
        self.acked: list[str] = []
        self.answers: list[tuple[float, int, str]] = []  # (sent at, status, key)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(w, servers[w % 2], token),
                                          daemon=True) for w in range(workers)]
        for thread in self._threads:
            thread.start()

    def _run(self, worker: int, server: ServerProcess, token: str) -> None:
        with api(server, token) as client:
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
                    except httpx.HTTPError:
                        time.sleep(0.05)  # the server is unreachable: retry, as a client does
                        continue
                    with self._lock:
                        self.answers.append((sent, response.status_code, key))
                    if response.status_code == 200:
                        with self._lock:
                            self.acked.append(key)
                        break
                    assert response.status_code == 503, response.text
                    assert response.json()["error"].startswith("store unavailable")
                    time.sleep(0.05)

    def count(self) -> int:
        with self._lock:
            return len(self.acked)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)


class CliLoop:
    """`warroom note` through a server, run again and again as a person at a shell would; a
    command the server could not take is queued (exit 75) and sent by a later run."""

    def __init__(self, server: ServerProcess, token: str) -> None:
        self.runs: list[tuple[str, int, str]] = []  # (text, exit status, stderr)
        self._server, self._token = server, token
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "warroom", "--store", self._server.url, *argv],
            capture_output=True, text=True, timeout=60,
            env={**os.environ, "WARROOM_TOKEN": self._token})

    def _run(self) -> None:
        for i in itertools.count():
            if self._stop.is_set():
                return
            text = f"cli-{i}"
            done = self.run("note", "ESC-1", text)
            self.runs.append((text, done.returncode, done.stderr))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=90)


def test_restarting_postgresql_mid_load(
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
    load: Load | None = None
    cli: CliLoop | None = None
    try:
        for stream in streams:
            assert stream.connected.wait(10)
        load = Load([one, two], token)
        cli = CliLoop(two, token)
        wait_until(lambda: load.count() >= 60 and len(cli.runs) >= 1, timeout=60,
                   what="load to build up")
        pg_cluster.restart()
        back = time.monotonic()

        # The first request after the database is back succeeds: no stale pooled connection.
        for server in (one, two):
            status, body = health(server)
            assert status == 200 and body["store"] == "ok", body
        with api(one, token) as client:
            response = client.post("/commands", json={"type": "note", "incident_id": "ESC-1",
                                                      "text": "after the restart"})
            assert response.status_code == 200, response.text
            acked_at, seq = time.monotonic(), response.json()["seqs"][-1]
        for stream in streams:  # both servers push again (the LISTEN connection is back)
            wait_until(lambda s=stream: s.arrival(seq), timeout=10,
                       what=f"seq {seq} pushed by every server")
        lags = [stream.arrival(seq) - acked_at for stream in streams]  # type: ignore[operator]
        assert max(lags) < 1.0, f"push after the restart took {max(lags):.3f} s"

        during = load.count()
        wait_until(lambda: load.count() >= during + 60, timeout=60, what="load to go on")
        runs = len(cli.runs)
        wait_until(lambda: len(cli.runs) >= runs + 2, timeout=60, what="the CLI to go on")
        wait_until(lambda: console.connection().describe() == "connected", timeout=30,
                   what="the console to reconnect")
        load.stop()
        cli.stop()

        late = [(status, key) for sent, status, key in load.answers
                if sent >= back and status != 200]
        assert not late, f"requests sent after the restart failed: {late[:3]}"
        assert all(rc in (0, 75) for _, rc, _ in cli.runs), cli.runs
        final = cli.run("note", "ESC-1", "cli-final")  # sends anything queued first
        assert final.returncode == 0, final.stderr
        outbox = cli.run("outbox", "--json")
        assert outbox.returncode == 0, outbox.stderr
        assert all(e["state"] == "done" for e in json.loads(outbox.stdout)), outbox.stdout
        direct = subprocess.run(
            [sys.executable, "-m", "warroom", "--store", pg_url, "--as", "alice", "note",
             "ESC-1", "cli-direct"], capture_output=True, text=True, timeout=60)
        assert direct.returncode == 0, direct.stderr

        events = all_events(one, token)
        texts = Counter(e["payload"].get("text") for e in events if e["kind"] == "note")
        keys = Counter(e["idempotency_key"] for e in events
                       if e["kind"] == "note" and e["idempotency_key"])
        missing = [k for k in load.acked if keys[k] == 0]
        assert not missing, f"{len(missing)} acknowledged commands lost, e.g. {missing[:3]}"
        assert all(n == 1 for n in keys.values())
        cli_texts = [text for text, _, _ in cli.runs] + ["cli-final", "cli-direct"]
        assert all(texts[t] == 1 for t in cli_texts), [(t, texts[t]) for t in cli_texts]
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
        if load is not None:
            load.stop()
        if cli is not None:
            cli.stop()
        if not pg_cluster.running():
            pg_cluster.start()  # the next tests share the cluster
        for stream in streams:
            stream.stop()
        watcher.stop()
        console.close()



def test_the_first_call_after_a_restart_succeeds_and_watch_resumes(
        pg_cluster: Any, pg_url: str) -> None:
    store, writer = PostgresStore(pg_url), PostgresStore(pg_url)
    one_shot = PostgresStore(pg_url, pool_size=0)  # a CLI's: one plain connection, no pool
    watcher = Watcher(store)
    try:
        held = threading.Barrier(4)

        def hold() -> None:  # four connections at once: the pool keeps them, idle
            with store.transaction("holding a connection"):
                held.wait(timeout=10)

        threads = [threading.Thread(target=hold) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
        assert writer.append([ev(1)]).seqs == (1,)
        wait_until(lambda: watcher.seqs() == [1], timeout=5, what="the watcher to see seq 1")
        pg_cluster.restart()
        assert store.last_seq() == 1  # not a stale pooled connection's error
        assert [e.seq for e in store.read()] == [1]
        assert one_shot.last_seq() == 1  # its connection is re-opened
        assert store.append([ev(2)]).seqs == (2,)
        appended = time.monotonic()
        wait_until(lambda: watcher.seqs() == [1, 2], timeout=5,
                   what="the watcher to see seq 2 after the restart")
        assert time.monotonic() - appended < 1.0  # its LISTEN connection is back already
    finally:
        watcher.stop()
        store.close()
        writer.close()
        one_shot.close()


def test_the_first_request_after_a_restart_succeeds_on_every_server(
        pg_cluster: Any, pg_url: str, servers: list[ServerProcess]) -> None:
    token = add_token(pg_url, "alice")
    one, two = start(pg_url, servers)
    with api(one, token) as a, api(two, token) as b:
        assert a.post("/escalations", json={"title": "t", "customer": "c"}).status_code == 201
        assert b.get("/escalations").status_code == 200
        pg_cluster.restart()
        for server in (one, two):
            status, body = health(server)
            assert status == 200 and body["store"] == "ok", body
        for client in (a, b):
            response = client.post("/commands", json={"type": "note", "incident_id": "ESC-1",
                                                      "text": "first after the restart"})
            assert response.status_code == 200, response.text
