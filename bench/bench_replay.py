"""Replay one escalation of 100,000 events with `reduce` and evaluate its SLA clocks.

Target: replay + clocks under 1 s and under 150 MB.

    uv run python bench/bench_replay.py [--events N] [--profile]

Two modes, each in its own process so peak RSS is per mode:

- `list`: the whole log as one list (what `Store.read` returns), one `reduce`. Prints
  events/s, replay and clocks times, the per-call cost of `clocks()` (it runs every second per
  pane and for every escalation in the list), the replay's allocation peak (tracemalloc, in a
  second untimed pass) and the process's peak RSS (interpreter + event list + state).
- `pages`: the same log replayed page by page, `reduce(page, state)` (equal to one big reduce;
  see tests/test_reduce_properties.py), so the log is never all in memory.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from warroom.domain.models import Event, EventKind, IncidentState, Severity
from warroom.domain.policy import Calendar, Policy, SeverityPolicy
from warroom.domain.reduce import reduce
from warroom.domain.sla import clocks
from warroom.domain.structs import replace
from warroom.domain.urgency import most_urgent

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
PEOPLE = ["ana", "bo", "cy", "dee", "eli", "fay"]
ROLES = ["customer_spoc", "comms_lead", "tech_lead", "scribe", "exec_sponsor"]
WORDS = [
    "the", "checkout", "service", "returns", "502", "for", "a", "share", "of", "requests",
    "after", "deploy;", "rolling", "back", "canary,", "customer", "reports", "recovery", "in",
    "eu-west,", "waiting", "on", "logs", "from", "their", "side,", "database", "failover",
    "completed,", "error", "rate", "under", "one", "percent",
]

# (kind tag, weight): a war room's log is mostly notes and updates.
MIX = [
    ("note", 40), ("internal_update", 10), ("customer_update", 10), ("commit", 8),
    ("commit_met", 6), ("renegotiate", 1), ("commit_missed", 1), ("assign", 5),
    ("pause", 2.5), ("resume", 2.5), ("decide", 3), ("phase", 2), ("tags", 1),
    ("severity", 1),
]


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choices(WORDS, k=n))


def build_events(n: int, seed: int = 7) -> list[Event]:
    """A realistic log of `n` events for one escalation, one event every ~2 s."""
    return list(iter_events(n, seed))


def iter_events(n: int, seed: int = 7) -> Iterator[Event]:
    """The same log, built lazily (as a store reading page by page would hand it over)."""
    rng = random.Random(seed)
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    events: list[Event] = []
    t = T0
    open_commitments: list[str] = []
    made = 0
    paused = False
    count = 0

    def add(kind: EventKind, payload: dict[str, Any]) -> None:
        nonlocal count
        count += 1
        events.append(Event(
            seq=count, incident_id="ESC-1042", kind=kind, actor=rng.choice(PEOPLE),
            occurred_at=t, recorded_at=t + timedelta(milliseconds=rng.randint(5, 80)),
            payload=payload))

    add(EventKind.OPENED, {"title": "Checkout returns 502", "customer": "Acme",
                           "assessment": {"impact": "outage", "affected": 3},
                           "tags": {"component": "checkout", "category": "deploy"}})
    t += timedelta(minutes=4)
    add(EventKind.TRIAGED, {"severity": "P1", "reason": "outage for one customer"})
    while count < n:
        yield from events
        events.clear()
        t += timedelta(seconds=rng.randint(1, 4))
        kind = rng.choices(kinds, weights)[0]
        if kind == "note":
            add(EventKind.NOTE, {"text": _text(rng, 12)})
        elif kind in ("internal_update", "customer_update"):
            payload: dict[str, Any] = {"audience": kind.split("_")[0], "phase": "investigating",
                                       "body": _text(rng, 40), "template": "investigating"}
            if kind == "customer_update" and rng.random() < 0.5:
                payload["next_update_at"] = (t + timedelta(minutes=30)).isoformat()
            add(EventKind.UPDATE_POSTED, payload)
        elif kind == "commit":
            made += 1
            open_commitments.append(f"C{made}")
            add(EventKind.COMMITMENT_MADE, {
                "commitment_id": f"C{made}", "text": _text(rng, 8), "owner": rng.choice(PEOPLE),
                "due_at": (t + timedelta(hours=2)).isoformat(), "source": "manual"})
        elif kind in ("commit_met", "commit_missed") and open_commitments:
            cid = open_commitments.pop(rng.randrange(len(open_commitments)))
            add(EventKind.COMMITMENT_MET if kind == "commit_met" else EventKind.COMMITMENT_MISSED,
                {"commitment_id": cid})
        elif kind == "renegotiate" and open_commitments:
            add(EventKind.COMMITMENT_RENEGOTIATED, {
                "commitment_id": rng.choice(open_commitments),
                "due_at": (t + timedelta(hours=4)).isoformat(), "reason": "customer agreed"})
        elif kind == "assign":
            add(EventKind.ROLE_ASSIGNED, {"role": rng.choice(ROLES), "person": rng.choice(PEOPLE)})
        elif kind == "pause" and not paused:
            paused = True
            add(EventKind.CLOCK_PAUSED, {"reason": "waiting on customer logs"})
        elif kind == "resume" and paused:
            paused = False
            add(EventKind.CLOCK_RESUMED, {})
        elif kind == "decide":
            add(EventKind.DECISION_RECORDED, {"right": "severity", "text": _text(rng, 10)})
        elif kind == "phase":
            add(EventKind.PHASE_CHANGED,
                {"phase": rng.choice(["investigating", "identified", "monitoring"])})
        elif kind == "tags":
            add(EventKind.TAGS_SET, {"tags": {"component": rng.choice(["checkout", "db"])}})
        elif kind == "severity":
            add(EventKind.SEVERITY_CHANGED, {"severity": rng.choice(["P1", "P2"]),
                                             "reason": "reassessed"})
        else:
            add(EventKind.NOTE, {"text": _text(rng, 12)})
    yield from events


def bench_policy() -> Policy:
    """Default targets (P2 on business hours, so both calendars get exercised)."""
    hours = timedelta(hours=1)
    return Policy(
        severities={
            Severity.P0: SeverityPolicy(first_update=hours / 4, update_every=hours / 2,
                                        resolve=4 * hours, pir_due=48 * hours),
            Severity.P1: SeverityPolicy(first_update=hours / 2, update_every=hours,
                                        resolve=24 * hours, pir_due=48 * hours),
            Severity.P2: SeverityPolicy(first_update=4 * hours, update_every=8 * hours,
                                        resolve=24 * hours, calendar="business"),
        },
        calendars={"always": Calendar(), "business": Calendar(kind="business")},
        triage_rules=[], roles={}, rights={},
    )


def main(argv: list[str] | None = None) -> int:
    """Run both modes, each in its own process (peak RSS is per process); exit 1 on a miss."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--mode", choices=["both", "list", "pages", "store", "write-store"],
                        default="both")
    parser.add_argument("--store", help="store file (store modes)")
    parser.add_argument("--page", type=int, default=5_000, help="events per page (pages mode)")
    parser.add_argument("--profile", action="store_true", help="cProfile the replay (list)")
    args = parser.parse_args(argv)
    if args.mode == "list":
        return _run_list(args.events, args.profile)
    if args.mode == "pages":
        return _run_pages(args.events, args.page)
    if args.mode == "write-store":
        return _write_store(args.events, args.store)
    if args.mode == "store":
        return _run_store(args.store)
    codes = []
    with tempfile.TemporaryDirectory() as tmp:
        store = str(Path(tmp) / "replay.db")
        for mode in ("list", "pages", "write-store", "store"):
            cmd = [sys.executable, __file__, "--mode", mode, "--events", str(args.events),
                   "--page", str(args.page), "--store", store]
            cmd += ["--profile"] if args.profile else []
            print(f"--- {mode} ---", flush=True)
            codes.append(subprocess.run(cmd, check=False).returncode)
    return max(codes)


def _write_store(n: int, path: str) -> int:
    """Put the log in a real SQLite store (untimed set-up for `store` mode)."""
    from warroom.store.sqlite import SqliteStore

    store = SqliteStore(path)
    source = iter_events(n)
    while chunk := list(islice(source, 20_000)):
        store.append([replace(e, seq=0) for e in chunk])
    print(f"wrote               {store.last_seq():,} events to {path}")
    store.close()
    return 0


def _run_store(path: str) -> int:
    """End to end as the console and CLI do it: `WarRoom.refresh()` reads the SQLite log in
    pages and folds it, then the clocks are computed. Fresh process, so RSS is all of it."""
    from warroom.service import WarRoom
    from warroom.store.sqlite import SqliteStore

    store = SqliteStore(path)
    policy = bench_policy()
    t0 = time.perf_counter()
    service = WarRoom(store, policy, lambda: datetime.now(UTC))
    states = service.refresh()
    state = next(iter(states.values()))
    assert state.updated_at is not None
    result = clocks(state, policy, state.updated_at + timedelta(minutes=1))
    total = time.perf_counter() - t0
    rss = _rss_mb()
    urgent = most_urgent(result)
    print(f"store replay        {state.event_count:,} events read from SQLite and folded + "
          f"clocks: {total * 1000:.0f} ms ({state.event_count / total:,.0f} events/s); "
          f"most urgent {urgent.name if urgent else None}")
    print(f"peak RSS            {rss:.0f} MiB (informational: the replay target is the list mode; "
          "this adds decoding every row from SQLite)")
    return 0


def _run_list(n: int, profile: bool) -> int:
    """The whole log as one list (what `Store.read` returns today), then one reduce."""
    t_build = time.perf_counter()
    events = build_events(n)
    t_build = time.perf_counter() - t_build
    rss_events = _rss_mb()
    policy = bench_policy()
    now = events[-1].occurred_at + timedelta(minutes=1)
    counts: dict[str, int] = {}
    for e in events:
        counts[e.kind] = counts.get(e.kind, 0) + 1

    gc.collect()
    c0, t0 = time.process_time(), time.perf_counter()
    state = reduce(events)
    t1 = time.perf_counter()
    assert state is not None
    result = clocks(state, policy, now)
    t2, c2 = time.perf_counter(), time.process_time()
    replay, clocks_s = t1 - t0, t2 - t1
    rss = _rss_mb()

    # Allocation peak of a second replay, measured apart: tracemalloc slows allocation ~2x.
    del state, result
    gc.collect()
    tracemalloc.start()
    state = reduce(events)
    assert state is not None
    result = clocks(state, policy, now)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    per_call = _clocks_cost(replace(state, severity=Severity.P1), policy, now)
    per_call_p2 = _clocks_cost(replace(state, severity=Severity.P2), policy, now)
    small = replace(state, pauses=state.pauses[:3])
    per_call_small = _clocks_cost(small, policy, now)
    urgent = most_urgent(result)

    print(f"events              {len(events):,} (built in {t_build:.2f} s, untimed)")
    print("mix                 " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print(f"state               {len(state.updates):,} updates, {len(state.commitments):,} "
          f"commitments, {len(state.pauses):,} pauses, {len(state.decisions):,} decisions")
    print(f"replay (reduce)     {replay * 1000:.0f} ms = {len(events) / replay:,.0f} events/s")
    print(f"clocks (first)      {clocks_s * 1000:.2f} ms; most urgent "
          f"{urgent.name if urgent else None}")
    print(f"clocks() per call   {per_call * 1e6:.0f} us (P1, always), {per_call_p2 * 1e6:.0f} us "
          f"(P2, business) with {len(state.pauses):,} pauses; {per_call_small * 1e6:.0f} us "
          f"({small.severity}) with 3 pauses")
    print(f"replay + clocks     {(replay + clocks_s) * 1000:.0f} ms wall, "
          f"{(c2 - c0) * 1000:.0f} ms CPU (target < 1000)")
    print(f"replay allocations  {peak / 2**20:.1f} MiB peak (tracemalloc)")
    print(f"peak RSS            {rss:.0f} MiB (of which {rss_events:.0f} MiB before the replay: "
          "interpreter + the event list; target < 150)")
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        reduce(events)
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(15)
    ok = replay + clocks_s < 1.0 and rss < 150
    print("OK" if ok else "TARGET MISSED" + ("" if replay + clocks_s < 1.0 else " (time)")
          + ("" if rss < 150 else " (memory)"))
    return 0 if ok else 1


def _run_pages(n: int, page: int) -> int:
    """Replay page by page, `reduce(page, state)`: the log is never all in memory at once.

    Timed end to end, so this includes building each page's Event objects (as a store would
    decode its rows).
    """
    policy = bench_policy()
    gc.collect()
    t0 = time.perf_counter()
    state: IncidentState | None = None
    last = None
    source = iter_events(n)
    while chunk := list(islice(source, page)):
        state = reduce(chunk, state)
        last = chunk[-1].occurred_at
    assert state is not None and last is not None
    result = clocks(state, policy, last + timedelta(minutes=1))
    total = time.perf_counter() - t0
    rss = _rss_mb()
    urgent = most_urgent(result)
    print(f"paged replay        {state.event_count:,} events in pages of {page:,}: "
          f"{total * 1000:.0f} ms incl. building events ({state.event_count / total:,.0f}/s); "
          f"most urgent {urgent.name if urgent else None}")
    print(f"peak RSS            {rss:.0f} MiB (target < 150)")
    ok = rss < 150
    print("OK (memory)" if ok else "TARGET MISSED (memory)")
    return 0 if ok else 1


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _clocks_cost(state: IncidentState, policy: Policy, now: datetime) -> float:
    n = 200
    start = time.perf_counter()
    for i in range(n):
        clocks(state, policy, now + timedelta(seconds=i))
    return (time.perf_counter() - start) / n


if __name__ == "__main__":
    sys.exit(main())
