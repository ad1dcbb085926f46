"""Live push: SSE resume without gaps or repeats, the fan-out broker, HttpStore.watch."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
from httpx_sse import connect_sse

from tests.api.helpers import LiveServer, Tokens, Watcher, client, wait_until
from warroom.domain.commands import Note, Open
from warroom.domain.policy import Policy
from warroom.server.api import system_clock
from warroom.server.broker import Broker
from warroom.service import WarRoom
from warroom.store.http import ConnectionState, HttpStore
from warroom.store.outbox import Outbox
from warroom.store.sqlite import SqliteStore


def post_notes(api: httpx.Client, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        response = api.post("/commands", json={"type": "note", "incident_id": "ESC-1",
                                                "text": f"n{i}"})
        assert response.status_code == 200, response.text


def read_sse(api: httpx.Client, count: int, headers: dict[str, str] | None = None,
             params: dict[str, int] | None = None) -> list[tuple[int, dict[str, object]]]:
    """Read `count` events from the stream, then hang up."""
    got: list[tuple[int, dict[str, object]]] = []
    with connect_sse(api, "GET", "/stream", headers=headers or {}, params=params or {}) as src:
        assert src.response.headers["content-type"].startswith("text/event-stream")
        for sse in src.iter_sse():
            if not sse.data:
                continue
            got.append((int(sse.id), json.loads(sse.data)))
            if len(got) == count:
                break
    return got


def test_sse_resumes_after_disconnect_without_gaps_or_repeats(live: LiveServer,
                                                              tokens: Tokens) -> None:
    alice = client(live, tokens.alice)
    alice.post("/escalations", json={"title": "t", "customer": "c"})
    post_notes(alice, 9)  # seqs 2..10
    wall = client(live, tokens.wall)  # read-only tokens may stream
    first = read_sse(wall, 4, params={"since": 0})
    assert [s for s, _ in first] == [1, 2, 3, 4]
    assert all(s == e["seq"] for s, e in first)
    post_notes(alice, 5, start=9)  # 11..15 while disconnected
    second = read_sse(wall, 11, headers={"Last-Event-ID": "4"})
    assert [s for s, _ in second] == list(range(5, 16))
    # resuming again from the middle of what the server already published live
    third = read_sse(wall, 3, headers={"Last-Event-ID": "12"})
    assert [s for s, _ in third] == [13, 14, 15]
    log = alice.get("/events").json()["events"]
    assert [e for _, e in first + second] == log


def test_stream_without_position_starts_with_the_next_event(live: LiveServer,
                                                            tokens: Tokens) -> None:
    alice = client(live, tokens.alice)
    alice.post("/escalations", json={"title": "t", "customer": "c"})
    got: list[int] = []
    with connect_sse(client(live, tokens.bob), "GET", "/stream") as src:
        post_notes(alice, 1)
        for sse in src.iter_sse():
            if sse.data:
                got.append(int(sse.id))
                break
    assert got == [2]


def test_a_write_to_the_file_by_another_process_reaches_the_stream(
        live: LiveServer, tokens: Tokens, store_path: Path, policy: Policy) -> None:
    alice = client(live, tokens.alice)
    alice.post("/escalations", json={"title": "t", "customer": "c"})
    with connect_sse(alice, "GET", "/stream", params={"since": 1}) as src:
        other = SqliteStore(store_path)  # as a CLI on the same host would
        try:
            WarRoom(other, policy, live.clock).execute(
                Note(incident_id="ESC-1", text="from the file"), "alice")
        finally:
            other.close()
        for sse in src.iter_sse():
            if sse.data:
                assert json.loads(sse.data)["payload"] == {"text": "from the file"}
                break


async def test_broker_encodes_once_and_drops_a_slow_subscriber(store_path: Path,
                                                               policy: Policy) -> None:
    store = SqliteStore(store_path)
    service = WarRoom(store, policy, system_clock)
    service.execute(Open(title="t", customer="c"), "alice")
    broker = Broker(store, heartbeat=60, queue_size=3)
    await broker.start()
    try:
        fast = broker.subscribe()
        slow = broker.subscribe()
        for i in range(5):
            service.execute(Note(incident_id="ESC-1", text=f"n{i}"), "alice")
            broker.nudge()
            chunks = await asyncio.wait_for(fast.get(), 5)
            assert chunks
        assert slow.dropped and not fast.dropped
        assert broker.subscribers == 1
        assert broker.last_seq == 6
        # The ring serves a resuming client without touching the store.
        frames = broker.recent(2, 6)
        assert frames is not None
        assert [line for line in frames.split(b"\n") if line.startswith(b"id:")] == [
            b"id: 3", b"id: 4", b"id: 5", b"id: 6"]
        # A stream from seq 0 is served from the store (before the ring), then live.
        stream = broker.stream(0)
        out = b""
        while out.count(b"\nid: ") + out.startswith(b"id: ") < 6:
            out += await asyncio.wait_for(stream.__anext__(), 5)
        ids = [int(line[4:]) for line in out.split(b"\n") if line.startswith(b"id: ")]
        assert ids == [1, 2, 3, 4, 5, 6]
        await stream.aclose()
    finally:
        await broker.stop()
        store.close()


def test_http_store_watch_survives_a_server_restart(live: LiveServer, tokens: Tokens,
                                                    tmp_path: Path, store_path: Path,
                                                    policy: Policy) -> None:
    alice = client(live, tokens.alice)
    alice.post("/escalations", json={"title": "t", "customer": "c"})
    post_notes(alice, 4)  # seqs 1..5
    remote = HttpStore(live.url, tokens.wall, outbox=Outbox(tmp_path / "outbox.db"),
                       backoff=(0.05, 0.2), offline_after=0.3)
    watcher = Watcher(remote, since=2)
    try:
        wait_until(lambda: watcher.seqs() == [3, 4, 5], what="catch-up")
        post_notes(alice, 3, start=4)
        wait_until(lambda: watcher.seqs()[-1:] == [8], what="live events")
        live.stop()
        wait_until(lambda: remote.connection().state is ConnectionState.OFFLINE,
                   what="offline state")
        other = SqliteStore(store_path)  # the log moves on while the server is down
        try:
            service = WarRoom(other, policy, live.clock)
            for i in range(3):
                service.execute(Note(incident_id="ESC-1", text=f"offline {i}"), "alice")
        finally:
            other.close()
        live.start()
        post_notes(client(live, tokens.alice), 2, start=100)
        wait_until(lambda: watcher.seqs()[-1:] == [13], what="resumed stream")
        assert watcher.seqs() == list(range(3, 14))
        assert remote.connection().state is ConnectionState.CONNECTED
        assert abs(remote.skew) < 1.0
    finally:
        watcher.stop()
        remote.close()


def test_idle_streams_get_heartbeats(store_path: Path, policy: Policy, tokens: Tokens) -> None:
    server = LiveServer(store_path, policy, heartbeat=0.1).start()
    try:
        api = client(server, tokens.wall)
        with api.stream("GET", "/stream") as response:
            seen = b""
            for chunk in response.iter_raw():
                seen += chunk
                if seen.count(b": ping\n\n") >= 2:
                    break
        assert seen.startswith(b"retry: ")
        assert server.app.state.warroom.broker.subscribers <= 1
    finally:
        server.stop()
