"""The snapshot of folded state, on both stores: a cache that never changes an answer.

A service that starts from a snapshot and folds the tail must hold exactly the states a full
replay gives; a snapshot written by another fold version (or a broken one) is ignored and
rebuilt; appends made while a snapshot is written lose nothing.
"""

from __future__ import annotations

import dataclasses
import random
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings

import warroom.service.snapshots as snapshots_module
from tests.conftest import T0, FrozenClock
from tests.factories import Log, incident_logs
from warroom.domain.models import Event, EventKind, Phase, Severity
from warroom.domain.reduce import reduce, reduce_all
from warroom.domain.structs import replace
from warroom.service import WarRoom
from warroom.store.base import Store
from warroom.store.snapshot import FOLD_VERSION, SnapshotStore, decode, encode
from warroom.store.target import open_store


def mixed_log(seed: int, escalations: int = 8, steps: int = 240) -> list[Event]:
    """Interleaved logs of several escalations (seq 0): updates, promises, commitments,
    pattern flags, notes, and some resolved and closed."""
    rng = random.Random(seed)
    logs = [Log(f"ESC-{n}") for n in range(1, escalations + 1)]
    at = T0
    for log in logs:
        log.opened(at, customer=rng.choice(["Acme", "Globex"]))
        log.triaged(at, rng.choice(list(Severity)))
        log.tags(at, component=rng.choice(["db", "api"]), category="bug")
    made = 0
    for _ in range(steps):
        at += timedelta(minutes=rng.randint(1, 30))
        log = rng.choice(logs)
        roll = rng.random()
        if roll < 0.2:
            log.update(at, next_update_at=at + timedelta(hours=1))
        elif roll < 0.3:
            made += 1
            log.commit(at, f"C{made}", at + timedelta(hours=rng.randint(1, 24)))
        elif roll < 0.35:
            log.add(EventKind.PATTERN_FLAGGED, at, {"pattern": "bug/db", "to": ["product"]})
        elif roll < 0.4:
            log.phase(at, Phase.MONITORING)
        else:
            log.note(at, f"note {len(log.events)}")
    for log in logs[: escalations // 2]:
        log.resolve(at)
        log.close(at + timedelta(minutes=5))
    events = [e for log in logs for e in log.events]
    events.sort(key=lambda e: (e.occurred_at, e.incident_id, e.seq))
    return [replace(e, seq=0) for e in events]


@pytest.fixture
def store(store_target: str | Path) -> Iterator[Store]:
    opened = open_store(store_target)
    yield opened
    opened.close()


def warroom(store: Store, policy: object) -> WarRoom:
    return WarRoom(store, policy, FrozenClock())  # type: ignore[arg-type]


def snapshots(store: Store) -> SnapshotStore:
    assert isinstance(store, SnapshotStore)
    return store


@settings(max_examples=60, deadline=None)
@given(log=incident_logs())
def test_a_state_survives_the_snapshot_codec(log: Log) -> None:
    state = log.state()
    assert decode([encode(state).state]) == {state.id: state}


def test_snapshot_and_tail_equal_a_full_replay(store: Store, policy: object,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshots_module, "SNAPSHOT_AFTER", 50)
    log = mixed_log(seed=3)
    rng = random.Random(5)
    cuts = sorted(rng.sample(range(1, len(log)), 6))
    for lo, hi in zip([0, *cuts], [*cuts, len(log)], strict=True):
        store.append(log[lo:hi])
        writer = warroom(store, policy)  # starts from the snapshot the last one wrote
        writer.refresh()  # writes back past 50 events; save_snapshot writes the rest
        writer.save_snapshot()
        stored = snapshots(store).read_snapshot(FOLD_VERSION)
        assert stored is not None and stored.seq == store.last_seq()
        fresh = warroom(store, policy)
        full = reduce_all(store.read(0))
        assert fresh.states() == full
        assert fresh.seq == store.last_seq()
        listed = warroom(store, policy).statuses(
            lambda s: s.closed_at is None and not s.imported, open_only=True)
        assert sorted(d["id"] for d in listed) == sorted(
            i for i, s in full.items() if s.closed_at is None)
    found = snapshots(store).read_snapshot(FOLD_VERSION)
    assert found is not None and found.seq == store.last_seq()
    assert decode(found.states) == reduce_all(store.read(0))


def test_only_changed_escalations_are_written_back(store: Store, policy: object,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshots_module, "SNAPSHOT_AFTER", 10)
    store.append(mixed_log(seed=1))
    first = warroom(store, policy)
    first.refresh()  # no snapshot yet: folds the log, writes every state
    before = snapshots(store).read_snapshot(FOLD_VERSION)
    assert before is not None and len(before.states) == 8
    notes = [Event(incident_id="ESC-8", kind=EventKind.NOTE, actor="ana", occurred_at=T0,
                   recorded_at=T0, payload={"text": f"n{n}"}) for n in range(12)]
    store.append(notes)
    second = warroom(store, policy)
    second.refresh()  # 12 events past the snapshot: ESC-8 is written back
    after = snapshots(store).read_snapshot(FOLD_VERSION)
    assert after is not None and after.seq == store.last_seq()
    old, new = decode(before.states), decode(after.states)
    assert {i for i in new if new[i] != old[i]} == {"ESC-8"}
    assert new["ESC-8"].event_count == old["ESC-8"].event_count + 12


def test_a_snapshot_of_another_fold_version_is_ignored_and_rebuilt(
        store: Store, policy: object) -> None:
    log = mixed_log(seed=2)
    store.append(log)
    truth = reduce_all(store.read(0))
    lie = {i: replace(s, title="written by an older warroom") for i, s in truth.items()}
    assert snapshots(store).write_snapshot("0.older", store.last_seq(),
                                           [encode(s) for s in lie.values()], since=None)
    assert snapshots(store).read_snapshot(FOLD_VERSION) is None
    service = warroom(store, policy)
    assert service.states() == truth
    assert service.save_snapshot()  # rewritten whole, by this fold version
    found = snapshots(store).read_snapshot(FOLD_VERSION)
    assert found is not None and decode(found.states) == truth


def test_a_snapshot_past_the_log_or_that_does_not_decode_is_ignored(
        store: Store, policy: object) -> None:
    store.append(mixed_log(seed=4))
    truth = reduce_all(store.read(0))
    ahead = [encode(replace(s, title="from the future")) for s in truth.values()]
    assert snapshots(store).write_snapshot(FOLD_VERSION, store.last_seq() + 5, ahead,
                                           since=None)
    assert warroom(store, policy).states() == truth
    snapshots(store).drop_snapshot()
    broken = [dataclasses.replace(encode(s), state=b"\x93not a state") for s in truth.values()]
    assert snapshots(store).write_snapshot(FOLD_VERSION, store.last_seq(), broken, since=None)
    assert warroom(store, policy).states() == truth
    listed = warroom(store, policy).statuses(lambda s: s.closed_at is None, open_only=True)
    assert len(listed) == sum(1 for s in truth.values() if s.closed_at is None)


def test_a_stale_partial_write_is_refused(store: Store) -> None:
    one = reduce(Log("ESC-1").opened(T0).events)
    assert one is not None
    snaps = snapshots(store)
    assert snaps.write_snapshot(FOLD_VERSION, 10, [encode(one)], since=None)
    assert not snaps.write_snapshot(FOLD_VERSION, 10, [encode(one)], since=None)  # not ahead
    assert not snaps.write_snapshot(FOLD_VERSION, 20, [encode(one)], since=11)  # a gap
    assert not snaps.write_snapshot("0.other", 20, [encode(one)], since=10)  # other version
    assert snaps.write_snapshot(FOLD_VERSION, 20, [encode(one)], since=10)
    found = snaps.read_snapshot(FOLD_VERSION)
    assert found is not None and found.seq == 20


def test_appends_while_snapshots_are_written_lose_nothing(
        store_target: str | Path, policy: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshots_module, "SNAPSHOT_AFTER", 5)
    setup = open_store(store_target)
    setup.append(mixed_log(seed=6))
    setup.close()
    done = threading.Event()
    errors: list[BaseException] = []

    def append_notes() -> None:
        writer = open_store(store_target)
        try:
            for n in range(150):
                writer.append([Event(incident_id=f"ESC-{1 + n % 8}", kind=EventKind.NOTE,
                                     actor="ana", occurred_at=T0, recorded_at=T0,
                                     payload={"text": f"live {n}"})])
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            writer.close()
            done.set()

    def keep_snapshotting() -> None:
        reader = open_store(store_target)
        try:
            service = warroom(reader, policy)
            while not done.is_set():
                service.refresh()  # writes back every 5 events folded
        except BaseException as exc:
            errors.append(exc)
        finally:
            reader.close()

    threads = [threading.Thread(target=append_notes), threading.Thread(target=keep_snapshotting),
               threading.Thread(target=keep_snapshotting)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors
    check = open_store(store_target)
    try:
        full = reduce_all(check.read(0))
        assert check.last_seq() == len(mixed_log(seed=6)) + 150
        assert warroom(check, policy).states() == full
        assert sum(s.event_count for s in full.values()) == check.last_seq()
    finally:
        check.close()


def test_list_folds_the_tail_into_closed_escalations_too(store: Store, policy: object) -> None:
    store.append(mixed_log(seed=7))  # ESC-1..ESC-4 closed, ESC-5..ESC-8 open
    writer = warroom(store, policy)
    writer.refresh()
    assert writer.save_snapshot()
    reopened = Log("ESC-9").opened(T0).events + Log("ESC-1").note(T0, "after closing").events
    store.append([replace(e, seq=0) for e in reopened])
    everyone = warroom(store, policy).statuses(lambda s: True, open_only=True)
    assert sorted(d["id"] for d in everyone) == ["ESC-1", "ESC-5", "ESC-6", "ESC-7", "ESC-8",
                                                  "ESC-9"]
    closed = next(d for d in everyone if d["id"] == "ESC-1")
    full = warroom(store, policy).statuses(lambda s: True)
    assert closed == next(d for d in full if d["id"] == "ESC-1")
