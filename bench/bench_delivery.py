"""Benchmark delivery: post → the SMTP server has the message; deliveries per second.

Run: `uv run python bench/bench_delivery.py [--updates N] [--burst N]`. Prints one line per
figure.

- post → received: a `Deliverer` runs in a thread (as in `warroom serve` or the console) over
  a SQLite store file; each of N customer updates (default 200) is posted through the service
  and timed until a real SMTP server (aiosmtpd on 127.0.0.1) has taken the message. One at a
  time, so the figure is the latency a poster sees, including the deliverer's poll.
- deliveries/s: a burst of M updates (default 500) is posted with no deliverer running, then one
  `Deliverer.run_once()` sends them all (one SMTP connection per message, one durable
  transaction per outcome); the same again to a local HTTP webhook receiver.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import tomli_w

from tests.receivers import HttpReceiver, SmtpReceiver
from warroom.config import load_config
from warroom.config.delivery import Delivery
from warroom.delivery.worker import Deliverer
from warroom.domain.commands import Open, PostUpdate, Triage
from warroom.domain.models import Audience, Phase, Severity
from warroom.service import WarRoom
from warroom.store.sqlite import SqliteStore


def clock() -> datetime:
    return datetime.now(UTC)


def delivery(directory: Path, channel: dict[str, Any]) -> Delivery:
    path = directory / "warroom.toml"
    path.write_text(tomli_w.dumps({"channels": {"out": channel}}))
    config = load_config(path).delivery
    assert config is not None
    return config


def escalation(service: WarRoom) -> str:
    esc: str = service.execute(Open(title="Payments failing", customer="Northwind Bank"),
                               "alice")["id"]
    service.execute(Triage(incident_id=esc, severity=Severity.P1, reason="bench"), "alice")
    return esc


def post(service: WarRoom, esc: str, n: int) -> None:
    service.execute(PostUpdate(incident_id=esc, audience=Audience.CUSTOMER,
                               phase=Phase.INVESTIGATING, body=f"Update {n}."), "alice")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def latency(directory: Path, updates: int) -> None:
    policy = load_config().policy
    with SmtpReceiver() as smtp:
        config = delivery(directory, {"kind": "email", "smtp": smtp.address,
                                      "from": "warroom@example.com", "to": ["ops@example.com"]})
        store = SqliteStore(directory / "latency.db")
        service = WarRoom(store, policy, clock, config)
        esc = escalation(service)
        worker_store = SqliteStore(directory / "latency.db")
        thread, stop = Deliverer(worker_store, config, policy, clock).start()
        samples = []
        for n in range(updates):
            start = time.perf_counter()
            post(service, esc, n)
            smtp.wait_for(n + 1, timeout=30)
            samples.append(time.perf_counter() - start)
        stop.set()
        thread.join()
        store.close()
        worker_store.close()
    ms = [s * 1000 for s in samples]
    print(f"post → SMTP server has it: median {statistics.median(ms):.1f} ms, "
          f"p99 {percentile(ms, 0.99):.1f} ms, max {max(ms):.1f} ms over {updates} updates")


def throughput(directory: Path, burst: int, name: str, channel: dict[str, Any],
               received: Any) -> None:
    policy = load_config().policy
    config = delivery(directory, channel)
    path = directory / f"burst-{name}.db"
    store = SqliteStore(path)
    service = WarRoom(store, policy, clock, config)
    esc = escalation(service)
    for n in range(burst):
        post(service, esc, n)
    start = time.perf_counter()
    report = Deliverer(store, config, policy, clock).run_once()
    took = time.perf_counter() - start
    store.close()
    assert len(report.delivered) == burst and received() == burst, (report.failed[:3])
    print(f"deliveries/s, one deliverer, {name}: {burst / took:.0f} "
          f"({burst} in {took:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=200)
    parser.add_argument("--burst", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        latency(directory, args.updates)
        with SmtpReceiver() as smtp:
            throughput(directory, args.burst, "SMTP", {
                "kind": "email", "smtp": smtp.address, "from": "warroom@example.com",
                "to": ["ops@example.com"]}, lambda: len(smtp.messages))
        with HttpReceiver() as http:
            throughput(directory, args.burst, "webhook", {"kind": "webhook",
                                                          "url": http.url()},
                       lambda: len(http.posts))


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    main()
