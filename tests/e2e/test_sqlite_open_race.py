"""Several processes opening one brand-new SQLite store at the same moment all get it: the
switch to WAL, which SQLite may refuse at once with "database is locked" while another process
converts the file, is retried within the busy timeout."""

from __future__ import annotations

import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path
from queue import Queue

from warroom.store.base import StoreError
from warroom.store.sqlite import SqliteStore

OPENERS = 8
ROUNDS = 100


def open_at_once(path: str, barrier: Barrier, results: Queue[str]) -> None:
    barrier.wait()
    try:
        SqliteStore(Path(path)).close()
    except StoreError as exc:
        results.put(str(exc))
    else:
        results.put("ok")


def test_processes_opening_a_new_store_together_all_succeed(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    failures: list[str] = []
    for round_no in range(ROUNDS):
        path = str(tmp_path / f"race-{round_no}.db")
        barrier = context.Barrier(OPENERS)
        results: Queue[str] = context.Queue()  # type: ignore[assignment]
        procs = [context.Process(target=open_at_once, args=(path, barrier, results))
                 for _ in range(OPENERS)]
        for proc in procs:
            proc.start()
        outcomes = [results.get(timeout=30) for _ in procs]
        for proc in procs:
            proc.join(timeout=30)
        failures += [outcome for outcome in outcomes if outcome != "ok"]
    assert failures == []
