"""The snapshot of folded state seen from the command line, on both stores: `list` and the
trend report answer from the log's truth whatever snapshot is stored, and `warroom db copy`
leaves the snapshot behind (the copy builds its own) while still checking the log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from tests.unit.test_snapshots import mixed_log
from warroom.domain.models import Event
from warroom.domain.reduce import reduce_all
from warroom.domain.structs import replace
from warroom.store.postgres import PostgresStore
from warroom.store.snapshot import FOLD_VERSION, SnapshotStore, encode
from warroom.store.sqlite import SqliteStore
from warroom.store.target import open_store


def warroom(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "warroom", *args], capture_output=True,
                          text=True, timeout=120, check=False,
                          env={**os.environ, "WARROOM_USER": "dana"})


def listed(target: str | Path, *extra: str) -> list[tuple[str, str]]:
    done = warroom("--store", str(target), "list", "--json", *extra)
    assert done.returncode == 0, done.stderr
    return sorted((row["id"], row["title"]) for row in json.loads(done.stdout))


def big_log() -> list[Event]:
    """More events than a service folds before writing the snapshot back (2,000)."""
    return [e for seed in range(12) for e in (
        replace(x, incident_id=f"{x.incident_id}-{seed}") for x in mixed_log(seed))]


def test_list_and_trends_ignore_a_snapshot_of_another_fold_version(
        store_target: str | Path) -> None:
    with closing(open_store(store_target)) as store:
        store.append(big_log())
        truth = reduce_all(store.read(0))
    honest_open, honest_all = listed(store_target), listed(store_target, "--all")
    assert len(honest_all) == len(truth) and 0 < len(honest_open) < len(truth)
    with closing(open_store(store_target)) as store:  # the first `list` wrote it back
        assert isinstance(store, SnapshotStore)
        found = store.read_snapshot(FOLD_VERSION)
        assert found is not None and found.seq == store.last_seq()
        lies = [encode(replace(s, title="stale", closed_at=None)) for s in truth.values()]
        assert store.write_snapshot("0.older", store.last_seq() + 1, lies, since=None)
    assert listed(store_target) == honest_open
    assert listed(store_target, "--all") == honest_all
    report = warroom("--store", str(store_target), "report", "trends", "--format", "json")
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout)["escalations"] == len(truth)


def test_db_copy_leaves_the_snapshot_behind_and_checks_the_log(
        tmp_path: Path, pg_url: str) -> None:
    lite = tmp_path / "one-host.db"
    with closing(SqliteStore(lite)) as store:
        store.append(big_log())
        last = store.last_seq()
    before = listed(lite)  # folds the log and writes the snapshot back
    with closing(SqliteStore(lite)) as store:
        assert store.read_snapshot(FOLD_VERSION) is not None
    done = warroom("db", "copy", "--from", str(lite), "--to", pg_url)
    assert done.returncode == 0, done.stderr
    assert f"{last} events (last seq {last})" in done.stdout
    with closing(PostgresStore(pg_url)) as pg:
        assert pg.read_snapshot(FOLD_VERSION) is None  # a cache: not copied
    assert listed(pg_url) == before
    with closing(PostgresStore(pg_url)) as pg:  # built by the copy's first fold
        found = pg.read_snapshot(FOLD_VERSION)
        assert found is not None and found.seq == last
    again = warroom("db", "copy", "--from", str(lite), "--to", pg_url)
    assert again.returncode == 0 and "nothing copied" in again.stdout


def test_db_upgrade_brings_the_snapshot_up_to_date(store_target: str | Path) -> None:
    with closing(open_store(store_target)) as store:
        store.append(mixed_log(seed=1))  # fewer events than a service waits for to write it
        last = store.last_seq()
        assert isinstance(store, SnapshotStore) and store.read_snapshot(FOLD_VERSION) is None
    done = warroom("--store", str(store_target), "db", "upgrade")
    assert done.returncode == 0, done.stderr
    assert f"snapshot of folded state current at seq {last}" in done.stdout
    with closing(open_store(store_target)) as store:
        assert isinstance(store, SnapshotStore)
        found = store.read_snapshot(FOLD_VERSION)
        assert found is not None and found.seq == last
