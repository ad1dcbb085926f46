"""An organisation's year on both stores: build it, then time what people do with it.

Run: `uv run python bench/bench_year.py [--scale 0.1] [--stores sqlite,postgresql]`.
`--scale 1` is the full year: 10,000 escalations and 1,000,000 events; smaller scales keep the
mix and shrink both counts. PostgreSQL runs on a throwaway cluster (`tests/pgcluster.py`, fsync
on). Prints one line per figure, with the target beside it.

The mix per escalation (about 100 events at full scale): opened, triaged, two roles assigned,
notes (most of the log), customer updates every ~10 events with a promised next update,
commitments made and then met or missed, a phase change, resolved and closed (2% still open).

Figures (each end to end where a person would see it):
- `warroom list` as a child process (target < 0.5 s);
- `warroom report trends --format json` for the whole year (target < 2 s);
- full replay of the log into folded states: what the console and the wallboard must do before
  their first full frame (target < 1 s for the frame);
- opening one escalation: its own log read by the (incident_id, seq) index and folded
  (target < 100 ms).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.pgcluster import Cluster  # noqa: E402
from warroom.domain.models import Event, EventKind  # noqa: E402
from warroom.domain.reduce import reduce, reduce_all  # noqa: E402
from warroom.store.target import open_store  # noqa: E402

YEAR = datetime(2026, 1, 1, tzinfo=UTC)
CUSTOMERS = [f"Customer {n:03d}" for n in range(300)]
PEOPLE = ["ana", "ben", "chen", "dara", "eli", "fay", "gus", "hana", "ivo", "june"]
SEVERITIES = ["P0", "P1", "P1", "P1", "P2", "P2", "P2", "P2", "P2", "P2"]


def iso(at: datetime) -> str:
    return at.isoformat(timespec="microseconds")


def escalation(n: int, per: int, rng: random.Random) -> list[Event]:
    """About `per` events for escalation ESC-n, somewhere in the year."""
    incident = f"ESC-{n}"
    at = YEAR + timedelta(minutes=rng.randrange(0, 360 * 24 * 60))
    events: list[Event] = []

    def add(kind: EventKind, payload: dict[str, Any], step: float = 3.0) -> None:
        nonlocal at
        at += timedelta(minutes=rng.uniform(0.2, step))
        events.append(Event(incident_id=incident, kind=kind, actor=rng.choice(PEOPLE),
                            occurred_at=at, recorded_at=at, payload=payload))

    add(EventKind.OPENED, {"title": f"Escalation {n}: checkout errors",
                           "customer": rng.choice(CUSTOMERS)}, 0.1)
    add(EventKind.TRIAGED, {"severity": rng.choice(SEVERITIES), "reason": "matrix"})
    add(EventKind.ROLE_ASSIGNED, {"role": "incident_commander", "person": rng.choice(PEOPLE)})
    add(EventKind.ROLE_ASSIGNED, {"role": "customer_spoc", "person": rng.choice(PEOPLE)})
    commitments = 0
    open_commitment: str | None = None
    while len(events) < per - 3:
        roll = rng.random()
        if roll < 0.1:
            add(EventKind.UPDATE_POSTED, {
                "audience": "customer", "phase": "investigating",
                "body": "We are still investigating; next update within the hour.",
                "next_update_at": iso(at + timedelta(hours=1))})
        elif roll < 0.14 and open_commitment is None:
            commitments += 1
            open_commitment = f"C{commitments}"
            add(EventKind.COMMITMENT_MADE, {"commitment_id": open_commitment,
                                            "text": "send the RCA draft", "owner": "ana",
                                            "due_at": iso(at + timedelta(hours=24))})
        elif roll < 0.18 and open_commitment is not None:
            kind = EventKind.COMMITMENT_MET if rng.random() < 0.8 else EventKind.COMMITMENT_MISSED
            add(kind, {"commitment_id": open_commitment})
            open_commitment = None
        else:
            add(EventKind.NOTE, {"text": f"checked {rng.choice(['logs', 'dashboards', 'the DB'])}"
                                         f" at step {len(events)}"})
    if rng.random() < 0.98:
        add(EventKind.PHASE_CHANGED, {"phase": "monitoring"})
        add(EventKind.RESOLVED, {"summary": "rolled back the release"}, 60)
        add(EventKind.CLOSED, {}, 600)
    return events


def build(target: str | Path, escalations: int, events: int, seed: int = 7) -> float:
    """Append the year in pages of escalations; returns seconds taken."""
    rng = random.Random(seed)
    per = max(8, events // escalations)
    store = open_store(target)
    started = time.perf_counter()
    page: list[Event] = []
    for n in range(1, escalations + 1):
        page += escalation(n, per, rng)
        if len(page) >= 50_000:
            store.append(page)
            page = []
    if page:
        store.append(page)
    store.close()
    return time.perf_counter() - started


def timed_cli(target: str | Path, *args: str, runs: int = 3) -> float:
    """Best of `runs` wall times of `warroom --store TARGET ARGS` (a fresh process each)."""
    best = float("inf")
    env = {**os.environ, "WARROOM_USER": "bench"}
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "warroom", "--store", str(target), *args],
                       check=True, stdout=subprocess.DEVNULL, env=env, cwd=ROOT)
        best = min(best, time.perf_counter() - started)
    return best


def measure(name: str, target: str | Path, escalations: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    figures["list"] = timed_cli(target, "list", "--all")
    figures["trends"] = timed_cli(target, "report", "trends", "--format", "json")
    store = open_store(target)
    try:
        started = time.perf_counter()
        states: dict[str, Any] = {}
        since = 0
        while page := store.read(since, limit=50_000):
            states = reduce_all(page, states)
            since = page[-1].seq
        figures["replay"] = time.perf_counter() - started
        opens = []
        for n in random.Random(1).sample(range(1, escalations + 1), 20):
            started = time.perf_counter()
            state = reduce(store.read(0, incident_id=f"ESC-{n}"))
            opens.append(time.perf_counter() - started)
            assert state is not None
        figures["open_one"] = sorted(opens)[len(opens) // 2]
    finally:
        store.close()
    print(f"{name}: list {figures['list']:.2f} s (target < 0.5), trend report "
          f"{figures['trends']:.2f} s (< 2), full replay to folded states "
          f"{figures['replay']:.2f} s (first frame < 1), open one escalation "
          f"{figures['open_one'] * 1000:.1f} ms median (< 100)")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="fraction of the full year (1: 10,000 escalations, 1M events)")
    parser.add_argument("--stores", default="sqlite,postgresql")
    opts = parser.parse_args()
    escalations = max(10, round(10_000 * opts.scale))
    events = max(100, round(1_000_000 * opts.scale))
    print(f"year at scale {opts.scale:g}: {escalations:,} escalations, ~{events:,} events")
    workdir = Path(tempfile.mkdtemp(prefix="warroom-year-"))
    cluster = Cluster(fsync=True).start() if "postgresql" in opts.stores else None
    try:
        for name in opts.stores.split(","):
            target: str | Path
            if name == "sqlite":
                target = workdir / "year.db"
            else:
                assert cluster is not None
                target = cluster.create_database("year")
            seconds = build(target, escalations, events)
            print(f"{name}: built in {seconds:.1f} s")
            measure(name, target, escalations)
    finally:
        if cluster is not None:
            cluster.remove()


if __name__ == "__main__":
    main()
