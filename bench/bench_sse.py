"""SSE fan-out benchmark: warroom's stream against a bare Starlette + sse-starlette echo.

Run: `uv run python bench/bench_sse.py` (about 2 minutes; `--quick` for a 20 s smoke run).

For each server (a real `warroom serve` over a temporary SQLite file, and a bare Starlette app
whose POST /publish puts the message on every subscriber's queue for sse-starlette to send), in
its own process on 127.0.0.1:

1. 100 SSE subscribers in this process; a writer process posts 20 commands/s for 30 s
   (open loop, on a fixed schedule). Latency = when a subscriber parsed the event minus when
   the writer sent the POST (CLOCK_MONOTONIC is system-wide, so the processes agree).
   Reports p50/p99/max over every (subscriber, event) delivery, and how many were lost.
2. The highest sustained rate: the writer posts as fast as it can with 8 connections for 10 s
   while the 100 subscribers stay attached; the rate counts only if every subscriber received
   every acknowledged event.

Targets (issue 4): p99 under 100 ms at 20 commands/s, at least 300 commands/s sustained,
nothing lost. Only loopback addresses are used, every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
HERE = Path(__file__).resolve()


# --- servers (each runs in its own process) -----------------------------------------------------


def serve_echo(port: int) -> None:
    """The floor: Starlette + sse-starlette, a queue per subscriber, no storage, no auth."""
    import itertools

    import uvicorn
    from sse_starlette.sse import EventSourceResponse, ServerSentEvent
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    queues: set[asyncio.Queue[dict[str, Any]]] = set()
    counter = itertools.count(1)

    async def publish(request: Request) -> Response:
        body = await request.json()
        seq = next(counter)
        message = {"id": str(seq), "data": json.dumps({"seq": seq, **body})}
        for queue in queues:
            queue.put_nowait(message)
        return JSONResponse({"seqs": [seq]})

    async def stream(request: Request) -> Response:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        queues.add(queue)

        async def events() -> Any:
            try:
                yield ServerSentEvent(comment="ready")
                while True:
                    yield await queue.get()
            finally:
                queues.discard(queue)

        return EventSourceResponse(events(), sep="\n", ping=10)

    app = Starlette(routes=[Route("/publish", publish, methods=["POST"]),
                            Route("/stream", stream)])
    uvicorn.run(app, host=HOST, port=port, log_level="warning")


def serve_warroom(store: str, port: int) -> None:
    """`warroom serve` as the CLI runs it."""
    from warroom.server.run import serve

    sys.exit(serve(store, HOST, port, log_level="warning"))


# --- a lean HTTP/1.1 client: the load generator must not be the bottleneck ---------------------


class Conn:
    """One keep-alive HTTP/1.1 connection on asyncio streams."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 host: str) -> None:
        self.reader, self.writer, self.host = reader, writer, host

    @classmethod
    async def open(cls, url: str) -> Conn:
        hostport = url.split("//", 1)[1]
        host, port = hostport.rsplit(":", 1)
        reader, writer = await asyncio.open_connection(host, int(port), limit=1 << 20)
        return cls(reader, writer, hostport)

    def head(self, method: str, path: str, headers: dict[str, str], length: int = 0) -> bytes:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if method == "POST":
            lines += ["Content-Type: application/json", f"Content-Length: {length}"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    async def post(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        self.writer.write(self.head("POST", path, headers, len(body)) + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line[15:])
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


# --- the writer (its own process) ---------------------------------------------------------------


async def write(target: str, url: str, token: str, rate: float, seconds: float,
                connections: int) -> list[tuple[int, float, float]]:
    """Post commands; returns (seq, sent, acknowledged) per acknowledged command."""
    path = "/api/v1/commands" if target == "warroom" else "/publish"
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    done: list[tuple[int, float, float]] = []
    pool: asyncio.Queue[Conn] = asyncio.Queue()
    for _ in range(max(connections, 1 if rate <= 0 else 8)):
        pool.put_nowait(await Conn.open(url))

    async def one(i: int) -> None:
        body = json.dumps({"type": "note", "incident_id": "ESC-1", "text": f"bench {i}"})
        conn = await pool.get()
        sent = time.monotonic()
        status, answer = await conn.post(path, headers, body.encode())
        acked = time.monotonic()
        pool.put_nowait(conn)
        if status == 200:
            done.append((int(json.loads(answer)["seqs"][0]), sent, acked))

    start = time.monotonic() + 0.2
    if rate > 0:  # open loop on a fixed schedule
        tasks = []
        for i in range(int(rate * seconds)):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i)))
        await asyncio.gather(*tasks)
    else:  # closed loop: as fast as `connections` workers can go
        end = start + seconds
        await asyncio.sleep(max(0.0, start - time.monotonic()))

        async def worker(w: int) -> None:
            for i in range(10_000_000):
                if time.monotonic() >= end:
                    return
                await one(w * 10_000_000 + i)

        await asyncio.gather(*(worker(w) for w in range(connections)))
    while not pool.empty():
        pool.get_nowait().close()
    return done


# --- subscribers (this process) -----------------------------------------------------------------


@dataclass
class Subscriber:
    received: dict[int, float] = field(default_factory=dict)
    repeats: int = 0
    reconnects: int = 0
    ready: bool = False
    last: int = 0


async def subscribe(url: str, token: str, target: str, sub: Subscriber, since: int,
                    stop: asyncio.Event) -> None:
    """Follow the stream, reading only `id:` lines; resume with Last-Event-ID if cut off.

    The body is chunked; chunk-size lines never look like `\nid: ` so they need no decoding.
    """
    path = "/api/v1/stream" if target == "warroom" else "/stream"
    sub.last = since
    for _attempt in range(50):
        headers = {"Accept": "text/event-stream"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if target == "warroom":
            headers["Last-Event-ID"] = str(sub.last)
        conn: Conn | None = None
        try:
            conn = await Conn.open(url)
            conn.writer.write(conn.head("GET", path, headers))
            await conn.reader.readuntil(b"\r\n\r\n")
            buffer = b""
            while not stop.is_set():
                chunk = await conn.reader.read(1 << 16)
                if not chunk:
                    break
                now = time.monotonic()
                sub.ready = True
                buffer += chunk
                *frames, buffer = buffer.split(b"\n\n")
                for frame in frames:
                    at = frame.find(b"id: ")  # after any comment or chunk-size lines
                    if at >= 0 and (at == 0 or frame[at - 1] == 10):
                        seq = int(frame[at + 4:frame.index(b"\n", at)])
                        if seq in sub.received:
                            sub.repeats += 1
                        sub.received[seq] = now
                        sub.last = max(sub.last, seq)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            if conn is not None:
                conn.close()
        if stop.is_set():
            return
        sub.reconnects += 1
        await asyncio.sleep(0.1)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


@dataclass
class Phase:
    name: str
    commands: int
    seconds: float
    rate: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    lost: int
    repeats: int
    reconnects: int


async def run_phase(target: str, url: str, token: str, subscribers: int, rate: float,
                    seconds: float, connections: int, since: int, name: str) -> Phase:
    stop = asyncio.Event()
    subs = [Subscriber() for _ in range(subscribers)]
    if True:
        tasks = [asyncio.create_task(subscribe(url, token, target, s, since, stop))
                 for s in subs]
        for _ in range(300):
            if all(s.ready for s in subs):
                break
            await asyncio.sleep(0.05)
        else:
            raise SystemExit(f"{target}: subscribers did not connect")
        writer = await asyncio.create_subprocess_exec(
            sys.executable, str(HERE), "--write", target, url, token or "-", str(rate),
            str(seconds), str(connections), stdout=subprocess.PIPE)
        out, _ = await writer.communicate()
        acked = [tuple(x) for x in json.loads(out)]
        expected = {int(seq) for seq, _, _ in acked}
        sent_at = {int(seq): sent for seq, sent, _ in acked}
        for _ in range(600):  # up to 30 s for stragglers
            if all(expected <= s.received.keys() for s in subs):
                break
            await asyncio.sleep(0.05)
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    latencies = [(s.received[seq] - sent_at[seq]) * 1000 for s in subs for seq in expected
                 if seq in s.received]
    lost = sum(len(expected - s.received.keys()) for s in subs)
    span = (max(a for _, _, a in acked) - min(t for _, t, _ in acked)) if acked else seconds
    return Phase(name, len(acked), round(span, 2), round(len(acked) / max(span, 1e-9), 1),
                 round(percentile(latencies, 50), 2), round(percentile(latencies, 99), 2),
                 round(max(latencies, default=float("nan")), 2), lost,
                 sum(s.repeats for s in subs), sum(s.reconnects for s in subs))


# --- orchestration ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_server(args: list[str], url: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    import httpx

    proc = subprocess.Popen([sys.executable, str(HERE), *args], env=env)
    for _ in range(300):
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            httpx.get(url + "/healthz", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("server did not start")


def bench_target(target: str, opts: argparse.Namespace, workdir: Path) -> list[Phase]:
    import httpx

    port = free_port()
    url = f"http://{HOST}:{port}"
    env = {**os.environ, "XDG_CONFIG_HOME": str(workdir / "config"),
           "XDG_DATA_HOME": str(workdir / "data")}
    token = ""
    if target == "warroom":
        from warroom.server.tokens import add_token

        store = workdir / "bench.db"
        token = add_token(store, "bench")
        proc = start_server(["--serve-warroom", str(store), str(port)], url, env)
        api = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"})
        api.post("/api/v1/escalations", json={"title": "bench", "customer": "bench"})
        since = int(api.get("/api/v1/events", params={"limit": 0}).json()["last_seq"])
    else:
        proc = start_server(["--serve-echo", str(port)], url, env)
        since = 0
    try:
        steady = asyncio.run(run_phase(target, url, token, opts.subscribers, opts.rate,
                                       opts.seconds, 1, since, f"{opts.rate:g}/s"))
        if target == "warroom":
            since = int(api.get("/api/v1/events", params={"limit": 0}).json()["last_seq"])
        else:
            since = steady.commands
        peak = asyncio.run(run_phase(target, url, token, opts.subscribers, 0, opts.peak_seconds,
                                     opts.connections, since, "max"))
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    return [steady, peak]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--rate", type=float, default=20.0, help="commands/s in phase 1")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of phase 1")
    parser.add_argument("--peak-seconds", type=float, default=10.0, help="length of phase 2")
    parser.add_argument("--connections", type=int, default=8, help="writer connections, phase 2")
    parser.add_argument("--quick", action="store_true", help="5 s + 5 s per server")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    opts = parser.parse_args()
    if opts.quick:
        opts.seconds = opts.peak_seconds = 5.0
    results: dict[str, list[Phase]] = {}
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as tmp:
        for target in ("warroom", "starlette-echo"):
            workdir = Path(tmp) / target
            workdir.mkdir()
            results[target] = bench_target(target, opts, workdir)
    if opts.json:
        print(json.dumps({k: [vars(p) for p in v] for k, v in results.items()}, indent=2))
        return
    print(f"{opts.subscribers} SSE subscribers, phase 1: {opts.rate:g} commands/s for "
          f"{opts.seconds:g} s; phase 2: {opts.connections} writers flat out for "
          f"{opts.peak_seconds:g} s")
    print(f"{'server':15} {'phase':7} {'cmds':>6} {'cmd/s':>7} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'max ms':>8} {'lost':>5} {'dup':>4} {'reconn':>6}")
    for target, phases in results.items():
        for p in phases:
            print(f"{target:15} {p.name:7} {p.commands:6d} {p.rate:7.1f} {p.p50_ms:8.2f} "
                  f"{p.p99_ms:8.2f} {p.max_ms:8.2f} {p.lost:5d} {p.repeats:4d} "
                  f"{p.reconnects:6d}")
    ours, floor = results["warroom"], results["starlette-echo"]
    print(f"warroom / bare: p99 at {opts.rate:g}/s x{ours[0].p99_ms / floor[0].p99_ms:.2f}, "
          f"max rate x{ours[1].rate / floor[1].rate:.2f}")
    ok = ours[0].p99_ms < 100 and ours[1].rate >= 300 and not any(p.lost for p in ours)
    print("targets (p99 < 100 ms, >= 300 commands/s, nothing lost):",
          "met" if ok else "NOT met")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve-echo":
        serve_echo(int(sys.argv[2]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--serve-warroom":
        serve_warroom(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--write":
        target, url, token, rate, seconds, connections = sys.argv[2:8]
        result = asyncio.run(write(target, url, "" if token == "-" else token, float(rate),
                                   float(seconds), int(connections)))
        print(json.dumps(result))
    else:
        main()
