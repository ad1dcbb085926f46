"""Benchmark: import the real Statuspage history into a SqliteStore, then run the trend report.

Targets (issue 5): importing the 1,028 incidents takes under 10 s; the trend report over them
(read the log, fold it, compute every metric, render md, json and csv) under 2 s. Also checks
that importing the same file again adds nothing.

    uv run python bench/bench_import_report.py [FILE] [--store PATH]

Exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_FILE = REPO.parent / "shared" / "data" / "statuspage" / "githubstatus-2010-2021.json"
IMPORT_LIMIT_S = 10.0
REPORT_LIMIT_S = 2.0


def _policy() -> Any:
    from warroom.config import load_config

    return load_config().policy


def import_file(store: Any, path: Path, actor: str, now: datetime) -> tuple[int, int, int]:
    """Import like the service would: skip known keys, allocate ESC-n, append with the key.

    Returns `(incidents, imported, events)`.
    """
    from warroom.importers.statuspage import parse, to_events

    items = parse(path)
    existing = {e.incident_id for e in store.read()}
    numbers = [int(i.split("-")[1]) for i in existing if i.startswith("ESC-")]
    next_n = max(numbers, default=0) + 1
    imported = events = 0
    for item in sorted(items, key=lambda i: (i.created_at, i.id)):
        if store.lookup(item.key) is not None:
            continue
        incident_id = f"ESC-{next_n}"
        batch = to_events(item, incident_id, actor, now)
        outcome = store.append(batch, idempotency_key=item.key, result={"id": incident_id})
        if not outcome.duplicate:
            next_n += 1
            imported += 1
            events += len(batch)
    return len(items), imported, events


def report(store: Any, policy: Any, now: datetime) -> dict[str, Any]:
    """Read, fold, compute and render; returns timings and sizes."""
    from warroom.domain.metrics import trends
    from warroom.domain.reduce import reduce_all
    from warroom.reports.trends import render

    t0 = time.perf_counter()
    events = store.read()
    t1 = time.perf_counter()
    states = reduce_all(events)
    t2 = time.perf_counter()
    data = trends(states.values(), events, policy, now)
    t3 = time.perf_counter()
    sizes = {fmt: len(render(data, fmt)) for fmt in ("md", "json", "csv")}
    t4 = time.perf_counter()
    return {"read": t1 - t0, "fold": t2 - t1, "metrics": t3 - t2, "render": t4 - t3,
            "total": t4 - t0, "events": len(events), "escalations": len(states),
            "sizes": sizes, "data": data}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--store", type=Path, default=None, help="store file (default: temp)")
    args = parser.parse_args()
    if not args.file.exists():
        print(f"bench_import_report: {args.file}: no such file", file=sys.stderr)
        return 2

    from warroom.store.sqlite import SqliteStore

    policy = _policy()
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.store or Path(tmp) / "bench.db"
        store = SqliteStore(path)
        try:
            t0 = time.perf_counter()
            incidents, imported, events = import_file(store, args.file, "importer", now)
            import_s = time.perf_counter() - t0
            seq_after = store.last_seq()
            t0 = time.perf_counter()
            _, again, _ = import_file(store, args.file, "importer", now)
            reimport_s = time.perf_counter() - t0
            unchanged = store.last_seq() == seq_after and again == 0
            rep = report(store, policy, now)
        finally:
            store.close()

    data = rep["data"]
    print(f"file:          {args.file.name}: {incidents:,} incidents")
    print(f"import:        {imported:,} escalations, {events:,} events in {import_s:.2f} s "
          f"({events / import_s:,.0f} events/s)  [limit {IMPORT_LIMIT_S:.0f} s]")
    print(f"re-import:     {again} added, log unchanged: {unchanged} ({reimport_s:.2f} s)")
    print(f"trend report:  {rep['total']:.3f} s  (read {rep['read']:.3f}, fold {rep['fold']:.3f}, "
          f"metrics {rep['metrics']:.3f}, render md+json+csv {rep['render']:.3f})  "
          f"[limit {REPORT_LIMIT_S:.0f} s]")
    print(f"output sizes:  md {rep['sizes']['md']:,} B, json {rep['sizes']['json']:,} B, "
          f"csv {rep['sizes']['csv']:,} B")
    print(f"volume:        {data['volume_by_severity']}")
    mttr = {k: round(v['mean'] or 0) for k, v in data["mttr_seconds"].items()}
    print(f"MTTR mean s:   {mttr}; recurrence rate {data['recurrence_rate']:.3f}; "
          f"{len(data['patterns'])} recurring patterns")
    ok = import_s < IMPORT_LIMIT_S and rep["total"] < REPORT_LIMIT_S and unchanged \
        and imported == incidents
    print("result:        " + ("OK" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
