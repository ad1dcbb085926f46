"""Benchmark the PostgreSQL store beside SQLite: commands/s, SSE p99 across servers, watch
notice latency, replay.

Run: `uv run python bench/bench_postgres.py [--quick] [--json]`. Starts a throwaway PostgreSQL
cluster (fsync on: honest commits) with `tests/pgcluster.py`, and real `warroom serve`
processes. Prints one line per figure.

- commands/s sustained: W client connections post notes as fast as they are answered, for S
  seconds; PostgreSQL behind 2 servers, SQLite behind 1.
- SSE p99: 100 subscribers (50 on each of 2 servers on one PostgreSQL; all 100 on one server
  on SQLite), a writer posting R notes/s stamped with the wall time; latency = arrival - stamp.
- watch notice latency: a child process appends stamped events at jittered 5-45 ms intervals;
  `PostgresStore.watch` here reports how long until each arrived (LISTEN/NOTIFY).
- replay: one append of 100,000 events, then `read()` of all of them by a fresh store.
- one append: a single process appending one event per transaction with an idempotency key
  (a command's append), back to back: latency p50/p99, and the client/server round trips one
  append costs (counted from libpq's protocol trace: each turn from sending to receiving).
- write ceiling: 4 processes appending one event per transaction straight into the store (no
  HTTP), as fast as the counter row lets them.
- connections: the most sessions the 2 servers held on the database during the load.
- connection check: what checking a pooled connection before lending it costs per call (an
  empty-query round trip, as psycopg_pool's `check_connection` does, against the store's
  readiness poll), and a `last_seq()` call for scale.
- restart: `pg_ctl restart -m fast` under a store with idle pooled connections and a watcher:
  the first call after it, and how soon the watcher notices an append made then.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import multiprocessing as mp
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402

from tests.pgcluster import Cluster  # noqa: E402
from warroom.domain.models import Event, EventKind  # noqa: E402
from warroom.server.tokens import add_token  # noqa: E402
from warroom.store.postgres import PostgresStore  # noqa: E402


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def note(text: str) -> Event:
    now = datetime.now(UTC)
    return Event(incident_id="ESC-1", kind=EventKind.NOTE, actor="bench", occurred_at=now,
                 recorded_at=now, payload={"text": text})


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`warroom serve` in a child process."""

    def __init__(self, store: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "warroom", "serve", "--store", store, "--port",
             str(self.port), "--log-level", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"warroom serve on {store} did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=15)


def prepare(store: str, servers: int) -> tuple[list[Server], str]:
    token = add_token(store, "bench")
    started = [Server(store) for _ in range(servers)]
    with httpx.Client(base_url=started[0].url + "/api/v1",
                      headers={"Authorization": f"Bearer {token}"}) as client:
        client.post("/escalations", json={"title": "bench", "customer": "c"}).raise_for_status()
    return started, token


# --- commands/s and SSE ------------------------------------------------------------------------


async def sustained(servers: list[Server], token: str, connections: int, seconds: float
                    ) -> float:
    """Commands acknowledged per second with `connections` clients posting back to back."""
    headers = {"Authorization": f"Bearer {token}"}
    done = 0
    stop_at = time.monotonic() + seconds

    async def worker(w: int) -> None:
        nonlocal done
        server = servers[w % len(servers)]
        async with httpx.AsyncClient(base_url=server.url + "/api/v1", headers=headers,
                                     timeout=30) as client:
            for i in itertools.count():
                if time.monotonic() > stop_at:
                    return
                r = await client.post("/commands", json={
                    "type": "note", "incident_id": "ESC-1", "text": f"load {w}-{i}",
                    "idempotency_key": f"load-{w}-{i}-{random.random()}"})
                if r.status_code == 200:
                    done += 1

    started = time.monotonic()
    await asyncio.gather(*(worker(w) for w in range(connections)))
    return done / (time.monotonic() - started)


async def sse_latency(servers: list[Server], token: str, subscribers: int, rate: float,
                      seconds: float) -> list[float]:
    """Seconds from a stamped post to its arrival at each subscriber."""
    headers = {"Authorization": f"Bearer {token}"}
    lags: list[float] = []
    ready = 0
    stop = asyncio.Event()

    async def subscribe(n: int) -> None:
        nonlocal ready
        server = servers[n % len(servers)]
        async with httpx.AsyncClient(base_url=server.url + "/api/v1", headers=headers,
                                     timeout=httpx.Timeout(10, read=None)) as client:
            last = (await client.get("/events", params={"limit": 0})).json()["last_seq"]
            async with client.stream("GET", "/stream",
                                     headers={"Last-Event-ID": str(last)}) as response:
                ready += 1
                async for line in response.aiter_lines():
                    if stop.is_set():
                        return
                    if line.startswith("data: "):
                        text = json.loads(line[6:])["payload"].get("text", "")
                        if text.startswith("t="):
                            lags.append(time.time() - float(text[2:]))

    tasks = [asyncio.create_task(subscribe(n)) for n in range(subscribers)]
    while ready < subscribers:
        await asyncio.sleep(0.05)
    clients = [httpx.AsyncClient(base_url=s.url + "/api/v1", headers=headers, timeout=30)
               for s in servers]
    gap = 1 / rate
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        await clients[i % len(clients)].post("/commands", json={
            "type": "note", "incident_id": "ESC-1", "text": f"t={time.time()!r}"})
        i += 1
        await asyncio.sleep(gap)
    await asyncio.sleep(1.0)
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for client in clients:
        await client.aclose()
    expected = i * subscribers
    if len(lags) < expected:
        print(f"  warning: {expected - len(lags)} of {expected} deliveries missing")
    return lags


# --- watch and replay ----------------------------------------------------------------------------


def appender(url: str, count: int) -> None:
    """Child: append `count` stamped events at jittered 5-45 ms intervals."""
    store = PostgresStore(url)
    time.sleep(0.5)
    for i in range(count):
        store.append([note(f"t={time.time()!r} {i}")])
        time.sleep(random.uniform(0.005, 0.045))
    store.close()


async def watch_latency(url: str, count: int) -> list[float]:
    store = PostgresStore(url)
    lags: list[float] = []
    child = mp.get_context("spawn").Process(target=appender, args=(url, count))
    it = store.watch(store.last_seq())
    child.start()
    while len(lags) < count:
        for event in await asyncio.wait_for(anext(it), 30):
            lags.append(time.time() - float(event.payload["text"].split()[0][2:]))
    await it.aclose()  # type: ignore[attr-defined]
    child.join()
    store.close()
    return lags


def replay(url: str, count: int) -> tuple[float, float]:
    """(append seconds, read seconds) for `count` events."""
    store = PostgresStore(url)
    events = [Event(incident_id=f"ESC-{i % 500}", kind=EventKind.NOTE, actor="bench",
                    occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
                    recorded_at=datetime(2026, 1, 1, tzinfo=UTC),
                    payload={"text": f"note {i}", "tags": {"n": i}}) for i in range(count)]
    started = time.perf_counter()
    store.append(events)
    appended = time.perf_counter() - started
    store.close()
    fresh = PostgresStore(url)
    started = time.perf_counter()
    back = fresh.read()
    read = time.perf_counter() - started
    assert len(back) == count
    fresh.close()
    return appended, read


def round_trips(trace: str) -> int:
    """Turns from frontend (F) to backend (B) messages in a libpq protocol trace."""
    turns, sending = 0, False
    for line in trace.splitlines():
        direction = line.split("\t", 1)[0]
        if direction == "F":
            sending = True
        elif direction == "B" and sending:
            turns, sending = turns + 1, False
    return turns


def append_latency(url: str, count: int) -> dict[str, float]:
    """Per-append latency of back-to-back single-event appends with an idempotency key, and
    the round trips one such append makes (libpq trace of the store's one connection)."""
    store = PostgresStore(url, pool_size=0)
    store.append([note("warm-up")], idempotency_key="warm-up")
    times = []
    for i in range(count):
        started = time.perf_counter()
        store.append([note(f"latency {i}")], idempotency_key=f"latency-{i}", result={"i": i})
        times.append(time.perf_counter() - started)
    conn = store._single  # the one connection of a pool-less store
    assert conn is not None
    with tempfile.TemporaryFile("w+") as trace:
        conn.pgconn.trace(trace.fileno())
        conn.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)
        store.append([note("traced")], idempotency_key="traced", result={"i": -1})
        conn.pgconn.untrace()
        trace.seek(0)
        trips = round_trips(trace.read())
    store.close()
    return {"p50_ms": round(pct(times, 50) * 1000, 2), "p99_ms": round(pct(times, 99) * 1000, 2),
            "per_s": round(count / sum(times), 1), "round_trips": trips}


def write_child(url: str, seconds: float, counts: Any) -> None:
    """Child: append one event per transaction for `seconds`; count them."""
    store = PostgresStore(url)
    done, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        store.append([note("ceiling")])
        done += 1
    counts.put(done)
    store.close()


def write_ceiling(url: str, processes: int, seconds: float) -> float:
    """Appends/s from `processes` processes straight into the store."""
    ctx = mp.get_context("spawn")
    counts = ctx.Queue()
    children = [ctx.Process(target=write_child, args=(url, seconds, counts))
                for _ in range(processes)]
    for child in children:
        child.start()
    total = sum(counts.get(timeout=seconds + 60) for _ in children)
    for child in children:
        child.join()
    return total / seconds


class Sessions:
    """Samples how many sessions a database holds, every 0.2 s, in a thread."""

    def __init__(self, url: str, database: str) -> None:
        import threading

        self.most = 0
        self._stop = threading.Event()

        def sample() -> None:
            with psycopg.connect(url, autocommit=True) as conn:
                while not self._stop.wait(0.2):
                    row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
                                       " AND pid <> pg_backend_pid()", (database,)).fetchone()
                    self.most = max(self.most, int(row[0]) if row else 0)

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.most


def check_cost(url: str, calls: int = 3000) -> dict[str, float]:
    """Microseconds per call: an empty-query round trip, the store's staleness poll, and a
    `last_seq()` through the store."""
    from warroom.store.postgres import stale

    store = PostgresStore(url)
    with psycopg.connect(url, autocommit=True) as conn:
        started = time.perf_counter()
        for _ in range(calls):
            conn.execute("")
        empty = time.perf_counter() - started
        started = time.perf_counter()
        for _ in range(calls):
            stale(conn)
        poll = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(calls):
        store.last_seq()
    call = time.perf_counter() - started
    store.close()
    return {"empty_query_us": round(empty / calls * 1e6, 1),
            "poll_us": round(poll / calls * 1e6, 2),
            "last_seq_us": round(call / calls * 1e6, 1)}


async def restart_recovery(cluster: Cluster, url: str) -> dict[str, float]:
    """Restart the database under a store holding idle pooled connections and a watcher that,
    like a server's broker, watches again from its last seq when the watch gives up."""
    import threading

    from warroom.store.base import StoreError

    store = PostgresStore(url)
    held = threading.Barrier(4)

    def hold() -> None:
        with store.transaction("holding a connection"):
            held.wait(timeout=10)

    await asyncio.gather(*(asyncio.to_thread(hold) for _ in range(4)))
    arrived: dict[int, float] = {}
    last = store.last_seq()

    async def follow() -> None:
        nonlocal last
        while True:
            try:
                async for batch in store.watch(last):
                    for event in batch:
                        arrived[event.seq] = time.perf_counter()
                    last = batch[-1].seq
            except StoreError:
                await asyncio.sleep(0.05)

    watcher = asyncio.create_task(follow())
    await asyncio.sleep(0.3)
    started = time.perf_counter()
    await asyncio.to_thread(cluster.restart)
    restart = time.perf_counter() - started
    started = time.perf_counter()
    await asyncio.to_thread(store.last_seq)
    first = time.perf_counter() - started
    started = time.perf_counter()
    seq = (await asyncio.to_thread(store.append, [note("after the restart")])).seqs[-1]
    while seq not in arrived:
        await asyncio.sleep(0.005)
    notice = arrived[seq] - started
    watcher.cancel()
    await asyncio.gather(watcher, return_exceptions=True)
    store.close()
    return {"restart_s": round(restart, 2), "first_call_ms": round(first * 1000, 1),
            "notice_ms": round(notice * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short phases")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    opts = parser.parse_args()
    seconds = 5.0 if opts.quick else 15.0
    figures: dict[str, Any] = {}
    cluster = Cluster(fsync=True).start()
    workdir = Path(tempfile.mkdtemp(prefix="warroom-bench-"))
    try:
        for name, store, n in (("postgresql", cluster.create_database("cmds"), 2),
                               ("sqlite", str(workdir / "cmds.db"), 1)):
            servers, token = prepare(store, n)
            try:
                sessions = Sessions(cluster.url(), "cmds") if name == "postgresql" else None
                rate = asyncio.run(sustained(servers, token, 8, seconds))
                figures[f"{name}.commands_per_s"] = round(rate, 1)
                print(f"{name}: {rate:.0f} commands/s sustained "
                      f"(8 connections, {n} server{'s' if n > 1 else ''}, {seconds:g} s)")
                if sessions is not None:
                    most = sessions.stop()
                    figures["postgresql.sessions_under_load"] = most
                    print(f"postgresql: at most {most} sessions on the database during that "
                          f"load ({n} servers: pools and LISTEN connections)")
                lags = asyncio.run(sse_latency(servers, token, 100, 20.0, seconds))
                p50, p99 = pct(lags, 50) * 1000, pct(lags, 99) * 1000
                figures[f"{name}.sse_ms"] = {"p50": round(p50, 1), "p99": round(p99, 1),
                                             "deliveries": len(lags)}
                print(f"{name}: SSE latency p50 {p50:.1f} ms, p99 {p99:.1f} ms "
                      f"(100 subscribers over {n} server{'s' if n > 1 else ''}, 20 commands/s, "
                      f"{len(lags)} deliveries)")
            finally:
                for server in servers:
                    server.stop()
        lags = asyncio.run(watch_latency(cluster.create_database("watch"),
                                         100 if opts.quick else 300))
        p50, p99 = pct(lags, 50) * 1000, pct(lags, 99) * 1000
        figures["postgresql.watch_ms"] = {"p50": round(p50, 2), "p99": round(p99, 2),
                                          "mean": round(statistics.mean(lags) * 1000, 2)}
        print(f"postgresql: watch notice latency p50 {p50:.1f} ms, p99 {p99:.1f} ms "
              f"({len(lags)} appends from another process, commit included)")
        appended, read = replay(cluster.create_database("replay"), 100_000)
        figures["postgresql.replay_s"] = {"append": round(appended, 3), "read": round(read, 3)}
        print(f"postgresql: append 100,000 events in one transaction {appended:.2f} s; "
              f"read them back {read:.2f} s")
        one = append_latency(cluster.create_database("latency"), 200 if opts.quick else 1000)
        figures["postgresql.append"] = one
        print(f"postgresql: one append (1 event, idempotency key, fsync on): p50 "
              f"{one['p50_ms']:.2f} ms, p99 {one['p99_ms']:.2f} ms, {one['per_s']:.0f}/s from "
              f"one process; {one['round_trips']} round trips")
        ceiling = write_ceiling(cluster.create_database("ceiling"), 4, seconds)
        figures["postgresql.appends_per_s"] = round(ceiling, 1)
        print(f"postgresql: {ceiling:.0f} appends/s straight into the store (4 processes, "
              f"one event per transaction, fsync on, {seconds:g} s)")
        cost = check_cost(cluster.create_database("check"))
        figures["postgresql.check_us"] = cost
        print(f"postgresql: checking a pooled connection before use costs "
              f"{cost['empty_query_us']:.0f} us as an empty query, {cost['poll_us']:.1f} us as "
              f"the store's readiness poll; a last_seq() call takes {cost['last_seq_us']:.0f} us")
        back = asyncio.run(restart_recovery(cluster, cluster.create_database("restart")))
        figures["postgresql.restart"] = back
        print(f"postgresql: pg_ctl restart -m fast took {back['restart_s']:.2f} s; the first "
              f"call after it {back['first_call_ms']:.1f} ms (4 stale pooled connections); the "
              f"watcher noticed an append made then in {back['notice_ms']:.0f} ms")
    finally:
        cluster.remove()
    if opts.json:
        print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    os.environ.setdefault("WARROOM_USER", "bench")
    main()
