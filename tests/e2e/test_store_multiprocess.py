"""Both stores shared by real processes: concurrent writers, one idempotency key, a watcher.

Children are separate interpreters (`python -c`), started together and released at once by a
"go" file, so their transactions genuinely interleave on the one SQLite file or PostgreSQL database.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
from collections import Counter
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warroom.store.target import open_store

CHILD = textwrap.dedent(
    """
    import json, sys, time
    from datetime import UTC, datetime
    from pathlib import Path
    from warroom.domain.models import Event, EventKind
    from warroom.store.target import open_store

    path, go, worker, count, key_mode = sys.argv[1:6]
    go, count = Path(go), int(count)
    store = open_store(path)
    while not go.exists():  # start line: every child is ready before any writes
        time.sleep(0.005)
    outcomes = []
    for i in range(count):
        now = datetime.now(UTC)
        event = Event(incident_id=f"ESC-{worker}", kind=EventKind.NOTE, actor=worker,
                      occurred_at=now, recorded_at=now, payload={"worker": worker, "i": i})
        key = "shared" if key_mode == "shared" else f"{worker}-{i}"
        r = store.append([event], idempotency_key=key, result={"by": worker, "i": i})
        outcomes.append({"seqs": list(r.seqs), "result": r.result, "duplicate": r.duplicate})
    store.close()
    print(json.dumps(outcomes))
    """
)


def spawn(
    path: str | Path, go: Path, worker: str, count: int, key_mode: str = "own"
) -> subprocess.Popen[str]:
    """Start a child that appends `count` single-event commands once `go` exists."""
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(go), worker, str(count), key_mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str]) -> list[dict[str, Any]]:
    """Wait for a child; its per-append outcomes."""
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    outcomes: list[dict[str, Any]] = json.loads(out)
    return outcomes


def test_four_processes_append_2000_events_gap_free(
    tmp_path: Path, store_target: str | Path
) -> None:
    path, go = store_target, tmp_path / "go"
    procs = [spawn(path, go, f"w{n}", 500) for n in range(4)]
    go.touch()
    outcomes = [finish(p) for p in procs]

    with closing(open_store(path)) as store:
        events = store.read()
        assert [e.seq for e in events] == list(range(1, 2001))
        assert store.last_seq() == 2000
        # Every event exactly once, each worker's events in its own order.
        assert Counter((e.payload["worker"], e.payload["i"]) for e in events) == Counter(
            (f"w{n}", i) for n in range(4) for i in range(500)
        )
        for n in range(4):
            mine = [e.payload["i"] for e in events if e.payload["worker"] == f"w{n}"]
            assert mine == list(range(500))
        # The seqs each child was told are the seqs its events got.
        by_seq = {e.seq: e for e in events}
        for n, worker_outcomes in enumerate(outcomes):
            for i, outcome in enumerate(worker_outcomes):
                (seq,) = outcome["seqs"]
                assert by_seq[seq].payload == {"worker": f"w{n}", "i": i}
                assert outcome["duplicate"] is False


def test_one_idempotency_key_raced_by_four_processes_writes_once(
    tmp_path: Path, store_target: str | Path
) -> None:
    path, go = store_target, tmp_path / "go"
    procs = [spawn(path, go, f"w{n}", 25, key_mode="shared") for n in range(4)]
    go.touch()
    outcomes = [o for p in procs for o in finish(p)]

    with closing(open_store(path)) as store:
        events = store.read()
        assert len(events) == 1
        winner = store.lookup("shared")
        assert winner is not None and winner.seqs == (1,)
    assert sum(1 for o in outcomes if not o["duplicate"]) == 1
    assert all(o["seqs"] == [1] and o["result"] == winner.result for o in outcomes)


async def test_watcher_notices_appends_from_a_child_process(
    tmp_path: Path, store_target: str | Path
) -> None:
    path, go = store_target, tmp_path / "go"
    store = open_store(path)
    try:
        it = store.watch(since_seq=store.last_seq())
        first = asyncio.ensure_future(anext(it))
        proc = await asyncio.to_thread(spawn, path, go, "child", 20)
        go.touch()
        seen = list(await asyncio.wait_for(first, timeout=30.0))
        # The child stamps recorded_at just before its append: notice it well under a second.
        lag = (datetime.now(UTC) - seen[0].recorded_at).total_seconds()
        assert lag < 1.0
        while len(seen) < 20:
            seen += await asyncio.wait_for(anext(it), timeout=15.0)
        assert [e.payload["i"] for e in seen] == list(range(20))
        assert [e.seq for e in seen] == list(range(1, 21))
        await asyncio.to_thread(finish, proc)
        await it.aclose()  # type: ignore[attr-defined]
    finally:
        store.close()
