"""Alert hooks benchmark: Alertmanager → escalation on a watching console, and hook requests/s.

Run: `uv run python bench/bench_hooks.py` (about a minute; `--quick` for fewer rounds).

1. Alert → console. A real `warroom serve` (the CLI's, over a temporary SQLite file) and the
   real Alertmanager (`prometheus-alertmanager`, group_wait 1 s) pointed at its Alertmanager
   hook. For each of 20 alerts (each its own group) the bench posts to Alertmanager's
   `/api/v2/alerts` and waits until a `Store.watch` on the same file (what a console on this host
   runs) yields the escalation's `opened` event. Reports the median and max end to end, split
   into Alertmanager's share (post → the server recorded it: mostly `group_wait`) and warroom's
   (recorded → the watcher has it).
2. Hook throughput with dedup. 8 connections post generic-hook alerts over 20 dedup keys as fast
   as they can for 10 s; reports requests/s and checks that exactly 20 escalations were opened
   and every request left exactly one event.

Only loopback addresses are used; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

HOST = "127.0.0.1"
AM_CONFIG = """\
route:
  receiver: warroom
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: warroom
    webhook_configs:
      - url: {url}/api/v1/hooks/alertmanager
        http_config:
          authorization:
            credentials: {token}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"{what} did not start")


def warroom(store: Path, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-m", "warroom", "--store", str(store), *args],
                          capture_output=True, text=True, env=env, check=True, timeout=60)
    return done.stdout.strip()


async def alert_to_console(store: Path, manager: str, rounds: int) -> list[tuple[float, float]]:
    """(end to end, Alertmanager's share) in seconds, per alert."""
    from warroom.domain.models import EventKind
    from warroom.store.sqlite import SqliteStore

    watcher = SqliteStore(store)
    seen: dict[str, tuple[float, datetime]] = {}
    stream = watcher.watch(watcher.last_seq())

    async def watch() -> None:
        async for batch in stream:
            for event in batch:
                if event.kind is EventKind.OPENED:
                    seen[event.payload["title"]] = (time.time(), event.recorded_at)

    task = asyncio.create_task(watch())
    results = []
    async with httpx.AsyncClient(timeout=5) as client:
        for n in range(rounds):
            title = f"bench alert {n}"
            body = [{"labels": {"alertname": f"Bench{n}", "customer": "Bench Co"},
                     "annotations": {"summary": title},
                     "startsAt": datetime.now(UTC).isoformat()}]
            posted = time.time()
            response = await client.post(f"{manager}/api/v2/alerts", json=body)
            response.raise_for_status()
            deadline = time.monotonic() + 30
            while title not in seen:
                if time.monotonic() > deadline:
                    raise SystemExit(f"alert {n} never reached the watcher")
                await asyncio.sleep(0.005)
            at, recorded = seen[title]
            results.append((at - posted, recorded.timestamp() - posted))
    task.cancel()
    watcher.close()
    return results


async def hook_throughput(url: str, token: str, seconds: float, keys: int,
                          connections: int) -> tuple[int, int]:
    """(requests answered 200, other answers) over `seconds`."""
    ok = bad = 0
    stop = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}"}

    async def worker(index: int) -> None:
        nonlocal ok, bad
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=10) as client:
            n = index
            while time.monotonic() < stop:
                body = {"dedup_key": f"key-{n % keys}", "title": f"Service {n % keys} down",
                        "customer": "Bench Co", "status": "firing"}
                response = await client.post("/api/v1/hooks/generic", json=body)
                if response.status_code == 200:
                    ok += 1
                else:
                    bad += 1
                n += connections

    await asyncio.gather(*(worker(i) for i in range(connections)))
    return ok, bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 alerts, 3 s of load")
    opts = parser.parse_args()
    rounds, seconds = (5, 3.0) if opts.quick else (20, 10.0)
    workdir = Path(tempfile.mkdtemp(prefix="warroom-bench-hooks-"))
    env = {**os.environ, "XDG_CONFIG_HOME": str(workdir / "config"),
           "XDG_DATA_HOME": str(workdir / "data")}
    store = workdir / "bench.db"
    token = warroom(store, "token", "add", "alertmanager", "--bot", env=env).split()[-1]
    port = free_port()
    url = f"http://{HOST}:{port}"
    server = subprocess.Popen([sys.executable, "-m", "warroom", "--store", str(store), "serve",
                               "--port", str(port), "--log-level", "warning"], env=env)
    procs: list[subprocess.Popen[bytes]] = [server]
    try:
        wait_for(url + "/healthz", server, "warroom serve")
        binary = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
        if binary is None:
            print("alert → console: skipped (prometheus-alertmanager is not installed)")
        else:
            am_port = free_port()
            (workdir / "am.yml").write_text(AM_CONFIG.format(url=url, token=token))
            manager = subprocess.Popen(
                [binary, f"--config.file={workdir / 'am.yml'}",
                 f"--storage.path={workdir / 'am'}", f"--web.listen-address={HOST}:{am_port}",
                 "--cluster.listen-address=", "--log.level=warn"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(manager)
            wait_for(f"http://{HOST}:{am_port}/-/ready", manager, "Alertmanager")
            times = asyncio.run(alert_to_console(store, f"http://{HOST}:{am_port}", rounds))
            total = [t for t, _ in times]
            am = [a for _, a in times]
            ours = [t - a for t, a in times]
            print(f"alert → console ({rounds} alerts, group_wait 1 s): "
                  f"median {statistics.median(total) * 1000:.0f} ms, max {max(total) * 1000:.0f}"
                  f" ms; of which Alertmanager (post → recorded) median "
                  f"{statistics.median(am) * 1000:.0f} ms, warroom (recorded → watcher) median "
                  f"{statistics.median(ours) * 1000:.1f} ms, max {max(ours) * 1000:.1f} ms")
        escalations_before = _count_escalations(store)
        events_before = _count_events(store)
        ok, bad = asyncio.run(hook_throughput(url, token, seconds, keys=20, connections=8))
        opened = _count_escalations(store) - escalations_before
        written = _count_events(store) - events_before
        print(f"hook throughput (generic hook, 8 connections, 20 dedup keys, {seconds:.0f} s): "
              f"{ok / seconds:.0f} requests/s, {bad} errors; escalations opened {opened} "
              f"(expected 20), events written {written} (expected {ok})")
        if opened != 20 or written != ok or bad:
            raise SystemExit("dedup check failed")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def _count_escalations(store: Path) -> int:
    from warroom.store.sqlite import SqliteStore

    s = SqliteStore(store)
    try:
        return sum(1 for e in s.read(0) if e.kind == "opened")
    finally:
        s.close()


def _count_events(store: Path) -> int:
    from warroom.store.sqlite import SqliteStore

    s = SqliteStore(store)
    try:
        return s.last_seq()
    finally:
        s.close()


if __name__ == "__main__":
    main()

