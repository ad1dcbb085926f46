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
from typing import Any

import pytest

from tests.api.helpers import ServerProcess, Watcher, assert_log_keeps, wait_until
from tests.e2e.multiserver import Load, Subscribers, all_events, api, health, note, open_escalation
from tests.e2e.test_postgres import ev
from warroom.store.postgres import PostgresStore
from warroom.store.postgres import events as pg_events


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
        pg_outage: Any, pg_url: str, pg_servers: list[ServerProcess], alice: str,
        subscribers: Subscribers) -> None:
    one, two = pg_servers
    open_escalation(one, alice)
    cli: CliLoop | None = None
    with Load(pg_servers, alice) as load:
        try:
            cli = CliLoop(two, alice)
            wait_until(lambda: load.count() >= 60 and len(cli.runs) >= 1, timeout=60,
                       what="load to build up")
            pg_outage.restart()
            back = time.monotonic()

            # The first request after the database is back succeeds: no stale pooled
            # connection.
            for server in (one, two):
                status, body = health(server)
                assert status == 200 and body["store"] == "ok", body
            with api(one, alice) as client:
                seq = note(client, "after the restart")
                acked_at = time.monotonic()
            # both servers push again (the LISTEN connection is back)
            lags = [at - acked_at for at in subscribers.wait_pushed(seq)]
            assert max(lags) < 1.0, f"push after the restart took {max(lags):.3f} s"

            load.wait_more(60, "load to go on")
            runs = len(cli.runs)
            wait_until(lambda: len(cli.runs) >= runs + 2, timeout=60, what="the CLI to go on")
            subscribers.wait_console_connected()
            load.stop()
            cli.stop()
        finally:
            if cli is not None:
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

    events = all_events(one, alice)
    last = assert_log_keeps(events, load.acked)
    texts = Counter(e["payload"].get("text") for e in events if e["kind"] == "note")
    cli_texts = [text for text, _, _ in cli.runs] + ["cli-final", "cli-direct"]
    assert all(texts[t] == 1 for t in cli_texts), [(t, texts[t]) for t in cli_texts]
    subscribers.assert_all_got(last)


def test_the_first_call_after_a_restart_succeeds_and_watch_resumes(
        pg_outage: Any, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # The watcher's idle re-check would find seq 2 without any LISTEN connection: put it far
    # beyond the test's waits, so seeing seq 2 proves the notice (or the re-read on
    # reconnecting) delivered it. And let it reconnect for as long as a restart takes under
    # load: after RECONNECT_S (2 s) it gives up, for its caller to start it again.
    monkeypatch.setattr(pg_events, "WATCH_IDLE_S", 120.0)
    monkeypatch.setattr(pg_events, "RECONNECT_S", 60.0)
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
        wait_until(lambda: watcher.seqs() == [1], timeout=15, what="the watcher to see seq 1")
        pg_outage.restart()
        assert store.last_seq() == 1  # not a stale pooled connection's error
        assert [e.seq for e in store.read()] == [1]
        assert one_shot.last_seq() == 1  # its connection is re-opened
        assert store.append([ev(2)]).seqs == (2,)
        wait_until(lambda: watcher.seqs() == [1, 2], timeout=15,
                   what="the watcher to see seq 2 after the restart")
    finally:
        watcher.stop()
        store.close()
        writer.close()
        one_shot.close()


def test_the_first_request_after_a_restart_succeeds_on_every_server(
        pg_outage: Any, pg_servers: list[ServerProcess], alice: str) -> None:
    open_escalation(pg_servers[0], alice)
    with api(pg_servers[0], alice) as a, api(pg_servers[1], alice) as b:
        assert b.get("/escalations").status_code == 200
        pg_outage.restart()
        for server in pg_servers:
            status, body = health(server)
            assert status == 200 and body["store"] == "ok", body
        for client in (a, b):
            note(client, "first after the restart")
