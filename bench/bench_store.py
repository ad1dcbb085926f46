"""Benchmark SqliteStore: concurrent appends, watch notice latency, bulk append and read.

Run: `uv run python bench/bench_store.py [--quick] [--dir DIR]`. Prints one line per figure.

- appends/s: W writer processes (default 2), each appending single-event commands with an
  idempotency key, one durable transaction each (WAL, synchronous=FULL), released together.
- watch latency: a child process appends events at jittered 5-45 ms intervals, stamping the wall
  time just before each `append`; a watcher here reports how long until each event arrived
  (so the figure includes the writer's commit and fsync).
- bulk: one append of 100,000 events; then `read()` of all of them in a fresh process.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from multiprocessing.synchronize import Event as MpEvent
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warroom.domain.models import Event, EventKind
from warroom.store.sqlite import POLL_INTERVAL_S, SqliteStore

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def make_event(incident: str, actor: str, payload: dict[str, Any]) -> Event:
    """An unstored note event stamped now."""
    now = datetime.now(UTC)
    return Event(
        incident_id=incident, kind=EventKind.NOTE, actor=actor,
        occurred_at=now, recorded_at=now, payload=payload,
    )


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


# --- children (module level so the spawn start method can find them) ------------------------


def writer(path: str, name: str, count: int, go: MpEvent, out: Any) -> None:
    """Append `count` single-event commands once `go` is set; report (start, end)."""
    store = SqliteStore(path)
    events = [make_event(f"ESC-{name}", name, {"i": i, "text": "x" * 80}) for i in range(count)]
    go.wait()
    start = time.perf_counter()
    for i, event in enumerate(events):
        store.append([event], idempotency_key=f"{name}-{i}", result={"i": i})
    end = time.perf_counter()
    store.close()
    out.put((name, start, end))


def ticker(path: str, count: int, go: MpEvent) -> None:
    """Append `count` events at jittered intervals, each stamped with the wall time."""
    store = SqliteStore(path)
    rng = random.Random(7)
    go.wait()
    for i in range(count):
        time.sleep(rng.uniform(0.005, 0.045))
        store.append([make_event("ESC-T", "ticker", {"i": i, "t": time.time()})])
    store.close()


def reader(path: str, rounds: int, out: Any) -> None:
    """Time `read()` of the whole log `rounds` times in this fresh process."""
    store = SqliteStore(path)
    times = []
    count = 0
    for _ in range(rounds):
        start = time.perf_counter()
        count = len(store.read())
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    one = len(store.read(incident_id="ESC-17"))
    one_time = time.perf_counter() - start
    store.close()
    out.put((count, times, one, one_time))


# --- benchmarks -----------------------------------------------------------------------------


def bench_appends(base: Path, writers: int, per_writer: int) -> None:
    ctx = mp.get_context("spawn")
    path = str(base / f"appends-{writers}.db")
    SqliteStore(path).close()
    go, out = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=writer, args=(path, f"w{n}", per_writer, go, out))
        for n in range(writers)
    ]
    for p in procs:
        p.start()
    time.sleep(1.0)  # let every child import and open before the start signal
    go.set()
    spans = [out.get(timeout=300) for _ in procs]
    for p in procs:
        p.join()
    wall = max(s[2] for s in spans) - min(s[1] for s in spans)
    total = writers * per_writer
    with SqliteStore(path) as store:
        seqs = [e.seq for e in store.read()]
    assert seqs == list(range(1, total + 1)), "seqs not gap-free"
    each = ", ".join(f"{s[0]} {per_writer / (s[2] - s[1]):,.0f}/s" for s in sorted(spans))
    print(
        f"appends, {writers} writer process(es): {total / wall:,.0f} appends/s "
        f"({total} in {wall:.2f} s; per writer over its own span: {each}); seqs 1..{total} gap-free"
    )


async def _watch(path: str, count: int, go: MpEvent) -> list[float]:
    store = SqliteStore(path)
    lags: list[float] = []
    it = store.watch(since_seq=store.last_seq())
    go.set()
    try:
        while len(lags) < count:
            batch = await asyncio.wait_for(anext(it), timeout=10)
            now = time.time()
            lags += [now - e.payload["t"] for e in batch]
    finally:
        await it.aclose()  # type: ignore[attr-defined]
        store.close()
    return lags


def bench_watch(base: Path, count: int) -> None:
    ctx = mp.get_context("spawn")
    path = str(base / "watch.db")
    SqliteStore(path).close()
    go = ctx.Event()
    proc = ctx.Process(target=ticker, args=(path, count, go))
    proc.start()
    lags = asyncio.run(_watch(path, count, go))
    proc.join()
    ms = [lag * 1000 for lag in lags]
    print(
        f"watch notice latency (other process, {POLL_INTERVAL_S * 1000:.0f} ms poll, "
        f"n={len(ms)}): "
        f"p50 {pct(ms, 50):.1f} ms, p99 {pct(ms, 99):.1f} ms, max {max(ms):.1f} ms"
    )


def bench_bulk(base: Path, count: int) -> None:
    path = str(base / "bulk.db")
    events = [
        make_event(f"ESC-{i % 500}", "seeder", {"text": f"note {i}: something happened", "n": i})
        for i in range(count)
    ]
    with SqliteStore(path) as store:
        start = time.perf_counter()
        store.append(events, idempotency_key="seed")
        took = time.perf_counter() - start
    print(f"bulk append: {count:,} events in one transaction: {took:.2f} s "
          f"({count / took:,.0f} events/s)")

    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=reader, args=(path, 5, out))
    proc.start()
    n, times, one, one_time = out.get(timeout=300)
    proc.join()
    print(
        f"read all {n:,} events (fresh process, 5 rounds): first {times[0]:.3f} s, "
        f"best {min(times):.3f} s, median {statistics.median(times):.3f} s"
    )
    print(f"read one incident ({one} of {n:,} events): {one_time * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts")
    parser.add_argument("--dir", type=Path, help="where to put the database files")
    parser.add_argument("--writers", type=int, default=2)
    args = parser.parse_args()
    per_writer, ticks, bulk = (500, 100, 100_000) if args.quick else (3000, 400, 100_000)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        base = Path(tmp)
        print(f"SqliteStore benchmark in {base} (python {sys.version.split()[0]})")
        bench_appends(base, 1, per_writer)
        bench_appends(base, args.writers, per_writer)
        bench_watch(base, ticks)
        bench_bulk(base, bulk)


if __name__ == "__main__":
    main()
