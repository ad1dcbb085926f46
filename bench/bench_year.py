"""An organisation's year on both stores: build it, then time what people do with it.

Run: `uv run python bench/bench_year.py [--scale 1] [--stores sqlite,postgresql]`.
`--scale 1` is the full year: 10,000 escalations and 1,000,000 events; smaller scales keep the
mix and shrink both counts. PostgreSQL runs on a throwaway cluster (`tests/pgcluster.py`, fsync
on) unless `--pg-url` names a database to use. `--keep DIR` keeps the SQLite file there and
reuses it (and a populated `--pg-url` database) on the next run: the build takes a while.
Prints one line per figure, with the target beside it.

The mix per escalation (about 100 events at full scale): opened, triaged, two roles assigned,
notes (most of the log), customer updates every ~10 events with a promised next update,
commitments made and then met or missed, a phase change, resolved and closed (2% still open).
The year is written with one `append` (one transaction).

Figures (each end to end where a person would see it), first cold (the snapshot of folded state
is dropped first, so the first process folds the whole log and writes it back), then warm (best
of 3); beside them the floor this machine charges for a process start and a bare Textual frame:
- `warroom list` and `warroom list --all` (every escalation) as a child process (target
  < 0.5 s);
- `warroom report trends --format json` for the whole year (target < 2 s);
- `warroom console` and `warroom wall`: process start to the first full frame (target < 1 s);
- opening one escalation in a running service: its state and its timeline (target < 100 ms).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_console import DEMO_APP as FRAME_PROBE  # noqa: E402  (the console bench's probe)

from tests.pgcluster import Cluster  # noqa: E402
from warroom.config import load_config  # noqa: E402
from warroom.domain.models import Event, EventKind  # noqa: E402
from warroom.service import WarRoom  # noqa: E402
from warroom.store.snapshot import SnapshotStore  # noqa: E402
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
    """Append the year in one transaction; returns seconds taken (generation included)."""
    rng = random.Random(seed)
    per = max(8, events // escalations)
    started = time.perf_counter()
    log: list[Event] = []
    for n in range(1, escalations + 1):
        log += escalation(n, per, rng)
    store = open_store(target)
    try:
        store.append(log)
    finally:
        store.close()
    return time.perf_counter() - started


def populated(target: str | Path) -> int:
    """Events already in the store at `target` (0: none, or no store)."""
    if isinstance(target, Path) and not target.exists():
        return 0
    store = open_store(target)
    try:
        return store.last_seq()
    finally:
        store.close()


FLOOR_APP = """
import time
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("floor")

    def on_mount(self):
        self.call_after_refresh(self.done)

    def done(self):
        print("FRAME", time.time(), flush=True)
        self.exit()

Bare().run(headless=True, size=(160, 48))
"""

HOME = Path(tempfile.mkdtemp(prefix="warroom-year-home-"))
"""Config and data folders of the child processes (the default config, nothing personal)."""


def child_env() -> dict[str, str]:
    env = {**os.environ, "WARROOM_USER": "bench", "TEXTUAL_ANIMATIONS": "none",
           "XDG_CONFIG_HOME": str(HOME / "config"), "XDG_DATA_HOME": str(HOME / "data"),
           "XDG_CACHE_HOME": str(HOME / "cache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode is cached
    for name in ("WARROOM_CONFIG", "WARROOM_STORE", "WARROOM_TOKEN"):
        env.pop(name, None)
    return env


class Timing(NamedTuple):
    """Wall time, and the CPU time the child used (user + system): on a machine shared with
    other work the wall time says what a person waited, the CPU time what warroom costs."""

    wall: float
    cpu: float


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_cli(target: str | Path, *args: str) -> Timing:
    """Wall and CPU time of `warroom --store TARGET ARGS` (a fresh process)."""
    cpu = _children_cpu()
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "warroom", "--store", str(target), *args],
                   check=True, stdout=subprocess.DEVNULL, env=child_env(), cwd=ROOT)
    return Timing(time.perf_counter() - started, _children_cpu() - cpu)


def first_frame(target: str | Path, verb: str, code: str = FRAME_PROBE) -> Timing:
    """Seconds from spawning `warroom --store TARGET VERB` to its first full frame (and the
    CPU time of the whole process, which exits right after that frame)."""
    cpu = _children_cpu()
    started = time.time()
    proc = subprocess.run([sys.executable, "-c", code, "--store", str(target), verb],
                          capture_output=True, text=True, env=child_env(), cwd=ROOT,
                          timeout=300)
    frame = next((x for x in proc.stdout.splitlines() if x.startswith("FRAME")), None)
    if frame is None:
        raise RuntimeError(f"{verb}: no frame reported:\n{proc.stdout}\n{proc.stderr}")
    return Timing(float(frame.split()[1]) - started, _children_cpu() - cpu)


def open_one(target: str | Path, escalations: int) -> float:
    """Median time to open one escalation (its state and its timeline) in a running service."""
    service = WarRoom(open_store(target), load_config().policy, lambda: datetime.now(UTC))
    try:
        service.refresh()
        opens = []
        for n in random.Random(1).sample(range(1, escalations + 1), 20):
            started = time.perf_counter()
            service.status(f"ESC-{n}")
            timeline = service.events(f"ESC-{n}")
            opens.append(time.perf_counter() - started)
            assert timeline
        return sorted(opens)[len(opens) // 2]
    finally:
        service.store.close()


TARGETS = {"list": 0.5, "list_all": 0.5, "trends": 2.0, "console": 1.0, "wall": 1.0}
LABELS = {"list": "warroom list", "list_all": "warroom list --all",
          "trends": "report trends (year)", "console": "console first frame",
          "wall": "wallboard first frame"}


def floors(workdir: Path, runs: int) -> None:
    """What this machine charges before warroom does any work: a CLI verb on an empty store,
    and a bare Textual app's first frame (best of `runs`)."""
    empty = workdir / "empty.db"
    open_store(empty).close()
    cli = min(timed_cli(empty, "list") for _ in range(runs))
    frame = min(first_frame(empty, "-", FLOOR_APP) for _ in range(runs))
    print(f"floor: `warroom list` on an empty store {cli.wall:.2f} s (cpu {cli.cpu:.2f}), a "
          f"bare Textual app's first frame {frame.wall:.2f} s (cpu {frame.cpu:.2f}); machine "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def drop_snapshot(target: str | Path) -> None:
    """Forget the snapshot, so the first run is cold (it folds the log and writes it)."""
    store = open_store(target)
    try:
        if isinstance(store, SnapshotStore):
            store.drop_snapshot()
    finally:
        store.close()


def measure(name: str, target: str | Path, escalations: int, runs: int) -> None:
    """Print each figure cold (first run after the snapshot was dropped) and warm (best of the
    next `runs`)."""
    drop_snapshot(target)
    figures: dict[str, list[Timing]] = {k: [] for k in TARGETS}
    for _ in range(runs + 1):
        figures["list"].append(timed_cli(target, "list"))
        figures["list_all"].append(timed_cli(target, "list", "--all"))
        figures["trends"].append(timed_cli(target, "report", "trends", "--format", "json"))
        figures["console"].append(first_frame(target, "console"))
        figures["wall"].append(first_frame(target, "wall"))
    for key, target_s in TARGETS.items():
        cold, warm = figures[key][0], min(figures[key][1:])
        verdict = "ok" if warm.wall < target_s else "MISSED"
        print(f"{name}: {LABELS[key]:<24} cold {cold.wall:6.2f} s (cpu {cold.cpu:5.2f})  warm "
              f"{warm.wall:6.2f} s (cpu {warm.cpu:5.2f})  target < {target_s:g} s: {verdict}")
    one = open_one(target, escalations)
    print(f"{name}: {'open one escalation':<24} median {one * 1000:6.1f} ms  "
          f"(target < 100 ms: {'ok' if one < 0.1 else 'MISSED'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="fraction of the full year (1: 10,000 escalations, 1M events)")
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=3, help="warm runs per figure")
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the SQLite store here")
    parser.add_argument("--pg-url", help="use (and reuse) this PostgreSQL database")
    opts = parser.parse_args()
    escalations = max(10, round(10_000 * opts.scale))
    events = max(100, round(1_000_000 * opts.scale))
    print(f"year at scale {opts.scale:g}: {escalations:,} escalations, ~{events:,} events")
    workdir = opts.keep or Path(tempfile.mkdtemp(prefix="warroom-year-"))
    workdir.mkdir(parents=True, exist_ok=True)
    cluster = None
    if "postgresql" in opts.stores and not opts.pg_url:
        cluster = Cluster(fsync=True).start()
    try:
        floors(workdir, opts.runs)
        for name in opts.stores.split(","):
            target: str | Path
            if name == "sqlite":
                target = workdir / f"year-{opts.scale:g}.db"
            elif opts.pg_url:
                target = opts.pg_url
            else:
                assert cluster is not None
                target = cluster.create_database("year")
            have = populated(target)
            if have:
                print(f"{name}: reusing {have:,} events")
            else:
                seconds = build(target, escalations, events)
                print(f"{name}: built {populated(target):,} events in {seconds:.1f} s")
            measure(name, target, escalations, opts.runs)
    finally:
        if cluster is not None:
            cluster.remove()
        if opts.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(HOME, ignore_errors=True)


if __name__ == "__main__":
    main()
