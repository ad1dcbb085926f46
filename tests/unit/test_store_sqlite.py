"""The store suite, run against both stores (a SQLite file, a fresh PostgreSQL database):
round trip, seqs, idempotency, conflicts, drafts, tokens, watch; then SQLite's file handling."""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import msgspec
import pytest

from warroom.domain.models import Event, EventKind
from warroom.domain.structs import convert, dump, replace
from warroom.store.base import NewDelivery, SeqConflict, ServerStore, StoredToken, StoreError
from warroom.store.sqlite import SCHEMA_VERSION, SqliteStore
from warroom.store.target import open_store

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def ev(
    incident: str = "ESC-1",
    kind: EventKind = EventKind.NOTE,
    n: int = 0,
    payload: dict[str, Any] | None = None,
    key: str | None = None,
) -> Event:
    """An unstored event (seq 0)."""
    return Event(
        incident_id=incident,
        kind=kind,
        actor="alice",
        occurred_at=T0 + timedelta(seconds=n),
        recorded_at=T0 + timedelta(seconds=n, microseconds=250),
        payload={"text": f"note {n}"} if payload is None else payload,
        idempotency_key=key,
    )


@pytest.fixture
def target(store_target: str | Path) -> str | Path:
    return store_target


@pytest.fixture
def store(target: str | Path) -> Iterator[ServerStore]:
    s = open_store(target)
    yield s
    s.close()


# --- events ---------------------------------------------------------------------------------


def test_round_trip_keeps_every_field(store: ServerStore) -> None:
    payload = {
        "title": "Checkout down — ünïcode ✓",
        "assessment": {"impact": "outage", "affected": 12, "strategic": True},
        "tags": {"component": "api"},
        "ratio": 0.25,
        "list": [1, "two", None],
    }
    cet = timezone(timedelta(hours=1))
    original = Event(
        incident_id="ESC-7",
        kind=EventKind.OPENED,
        actor="bob",
        occurred_at=datetime(2026, 11, 24, 11, 30, 5, 123456, tzinfo=cet),
        recorded_at=T0,
        payload=payload,
        idempotency_key="cmd-1",
    )
    result = store.append([original, ev("ESC-7", payload={})])
    assert result.seqs == (1, 2)
    assert result.duplicate is False

    first, second = store.read()
    assert first == replace(original, seq=1)
    assert first.kind is EventKind.OPENED  # the reducer dispatches on identity
    assert first.occurred_at == datetime(2026, 11, 24, 10, 30, 5, 123456, tzinfo=UTC)
    assert first.occurred_at.utcoffset() == timedelta(0)
    assert first.idempotency_key == "cmd-1"
    assert second.payload == {}
    assert second.seq == 2


def test_payload_values_are_stored_as_json(store: ServerStore) -> None:
    due = datetime(2026, 11, 24, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    naive = Event(
        incident_id="ESC-1", kind=EventKind.NOTE, actor="a",
        occurred_at=datetime(2026, 11, 24, 9, 0), recorded_at=datetime(2026, 11, 24, 9, 0),
        payload={"due_at": due, "kind": EventKind.NOTE, "pair": (1, 2)},
    )
    store.append([naive])
    (back,) = store.read()
    assert back.payload == {"due_at": "2026-11-24T10:00:00.000000+00:00", "kind": "note",
                            "pair": [1, 2]}
    assert back.occurred_at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # naive means UTC
    with pytest.raises(TypeError):
        store.append([ev(payload={"bad": object()})])
    assert store.last_seq() == 1


def test_read_events_are_ordinary_records(store: ServerStore) -> None:
    store.append([ev(n=1)])
    (stored,) = store.read()
    assert convert(dump(stored), Event) == stored
    assert msgspec.json.decode(msgspec.json.encode(stored), type=Event) == stored
    assert replace(stored, actor="carol").actor == "carol"
    assert isinstance(stored.kind, EventKind) and stored.occurred_at.tzinfo is not None
    with pytest.raises(AttributeError):  # frozen
        stored.actor = "mallory"  # type: ignore[misc]


def test_seqs_are_gap_free_across_appends_and_reopen(target: str | Path) -> None:
    with open_store(target) as s:
        assert s.last_seq() == 0
        assert s.read() == []
        assert s.append([ev(n=1)]).seqs == (1,)
        assert s.append([ev(n=2), ev(n=3), ev(n=4)]).seqs == (2, 3, 4)
    with open_store(target) as s:
        assert s.append([ev(n=5)]).seqs == (5,)
        assert s.last_seq() == 5
        assert [e.seq for e in s.read()] == [1, 2, 3, 4, 5]
        assert [e.payload["text"] for e in s.read()] == [f"note {n}" for n in range(1, 6)]


def test_read_since_and_by_incident(store: ServerStore) -> None:
    store.append([ev("ESC-1", n=1), ev("ESC-2", n=2), ev("ESC-1", n=3), ev("ESC-2", n=4)])
    assert [e.seq for e in store.read(since_seq=2)] == [3, 4]
    assert [e.seq for e in store.read(incident_id="ESC-1")] == [1, 3]
    assert [e.seq for e in store.read(since_seq=1, incident_id="ESC-1")] == [3]
    assert store.read(since_seq=4) == []
    assert store.read(incident_id="ESC-404") == []


def test_large_batch_append_and_read(store: ServerStore) -> None:
    events = [ev(f"ESC-{i % 37}", n=i) for i in range(20_000)]
    assert store.append(events).seqs == tuple(range(1, 20_001))
    gc_was_enabled = gc.isenabled()
    back = store.read()
    assert gc.isenabled() == gc_was_enabled  # the bulk read restores the collector
    assert len(back) == 20_000
    assert back[12_345] == replace(events[12_345], seq=12_346)
    assert [e.seq for e in back] == list(range(1, 20_001))


def test_append_refuses_events_that_already_have_a_seq(store: ServerStore) -> None:
    stored = replace(ev(), seq=9)
    with pytest.raises(ValueError):
        store.append([stored])
    assert store.last_seq() == 0


def test_threads_share_one_store(store: ServerStore) -> None:
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for i in range(100):
                store.append([ev(f"ESC-{t}", n=i)], idempotency_key=f"t{t}-{i}")
                store.read(since_seq=max(0, store.last_seq() - 5))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    events = store.read()
    assert [e.seq for e in events] == list(range(1, 401))
    for n in range(4):
        mine = [e.payload["text"] for e in events if e.incident_id == f"ESC-{n}"]
        assert mine == [f"note {i}" for i in range(100)]


# --- idempotency and expect_seq --------------------------------------------------------------


def test_repeated_idempotency_key_writes_once_and_returns_the_original(store: ServerStore) -> None:
    first = store.append(
        [ev(n=1, key="k1"), ev(n=2, key="k1")], idempotency_key="k1", result={"id": "ESC-1"}
    )
    assert first.seqs == (1, 2)
    assert first.result == {"id": "ESC-1"}
    assert first.duplicate is False

    again = store.append([ev(n=3, key="k1")], idempotency_key="k1", result={"id": "OTHER"})
    assert again.duplicate is True
    assert again.seqs == (1, 2)
    assert again.result == {"id": "ESC-1"}
    assert store.last_seq() == 2
    assert [e.idempotency_key for e in store.read()] == ["k1", "k1"]

    looked = store.lookup("k1")
    assert looked is not None
    assert (looked.seqs, looked.result) == ((1, 2), {"id": "ESC-1"})
    assert store.lookup("never-seen") is None


def test_idempotency_survives_reopen(target: str | Path) -> None:
    with open_store(target) as s:
        s.append([ev()], idempotency_key="k", result={"n": 1})
    with open_store(target) as s:
        again = s.append([ev()], idempotency_key="k")
        assert again.duplicate and again.seqs == (1,) and again.result == {"n": 1}
        assert s.last_seq() == 1


def test_duplicate_wins_over_a_stale_expect_seq(store: ServerStore) -> None:
    store.append([ev()], expect_seq=0, idempotency_key="k")
    store.append([ev(n=2)])
    # A retry of the first command (its expect_seq is now stale) is still just a duplicate.
    again = store.append([ev()], expect_seq=0, idempotency_key="k")
    assert again.duplicate and again.seqs == (1,)


def test_expect_seq_conflict_writes_nothing(store: ServerStore) -> None:
    store.append([ev(n=1), ev(n=2)], expect_seq=0)
    with pytest.raises(SeqConflict) as caught:
        store.append([ev(n=3)], expect_seq=1, idempotency_key="k")
    assert (caught.value.expected, caught.value.actual) == (1, 2)
    assert isinstance(caught.value, StoreError)
    assert store.last_seq() == 2
    assert store.lookup("k") is None  # the key was not consumed: a re-decided retry may use it
    assert store.append([ev(n=3)], expect_seq=2, idempotency_key="k").seqs == (3,)


@pytest.mark.parametrize("size", [2, 60])
def test_an_append_of_any_size_keeps_every_promise(store: ServerStore, size: int) -> None:
    # 60 events take the bulk path (PostgreSQL: COPY in a transaction of several round trips,
    # instead of one call of its append function): key, expect_seq and deliveries alike.
    store.append([ev(n=0)])
    batch = [ev(f"ESC-{i % 3}", n=i) for i in range(size)]
    with pytest.raises(SeqConflict):
        store.append(batch, expect_seq=0, idempotency_key="k")
    assert store.last_seq() == 1 and store.lookup("k") is None
    done = store.append(batch, expect_seq=1, idempotency_key="k", result={"n": size},
                        deliveries=[NewDelivery("email", ("a@x",), {"body": "b"}, size - 1)])
    assert done.seqs == tuple(range(2, size + 2)) and not done.duplicate
    again = store.append(batch, expect_seq=0, idempotency_key="k")
    assert again.duplicate and again.seqs == done.seqs and again.result == {"n": size}
    assert [e.seq for e in store.read()] == list(range(1, size + 2))
    assert [(d.incident_id, d.seq) for d in store.deliveries()] == [
        (batch[-1].incident_id, size + 1)]


def test_an_append_failing_after_its_events_were_written_leaves_no_gap(
        store: ServerStore) -> None:
    # Two deliveries of one event on one channel break a unique constraint after the events,
    # the counter and the key were written (PostgreSQL: inside its append function): all of
    # it rolls back.
    store.append([ev(n=1)])
    twice = [NewDelivery("email", ("a@x",), {"body": "b"}, 0)] * 2
    with pytest.raises(StoreError):
        store.append([ev(n=2)], idempotency_key="k", deliveries=twice)
    assert store.last_seq() == 1 and store.lookup("k") is None and store.deliveries() == []
    assert store.append([ev(n=3)], idempotency_key="k").seqs == (2,)
    assert [e.seq for e in store.read()] == [1, 2]


def test_empty_append_with_key_is_remembered(store: ServerStore) -> None:
    result = store.append([], idempotency_key="noop", result={"changed": False})
    assert result.seqs == () and not result.duplicate
    again = store.append([], idempotency_key="noop")
    assert again.duplicate and again.result == {"changed": False}
    assert store.last_seq() == 0


# --- drafts ---------------------------------------------------------------------------------


def test_drafts_save_replace_discard_and_survive_reopen(target: str | Path) -> None:
    with open_store(target) as s:
        assert s.load_draft("ESC-1", "alice") is None
        s.save_draft("ESC-1", "alice", {"body": "first"}, T0)
        s.save_draft("ESC-1", "alice", {"body": "second", "audience": "customer"},
                     T0 + timedelta(minutes=3))
        s.save_draft("ESC-1", "bob", {"body": "bob's"}, T0)
        s.save_draft("ESC-2", "alice", {"body": "other incident"}, T0)
    with open_store(target) as s:
        draft = s.load_draft("ESC-1", "alice")
        assert draft is not None
        assert (draft.incident_id, draft.person) == ("ESC-1", "alice")
        assert draft.body == {"body": "second", "audience": "customer"}
        assert datetime.fromisoformat(draft.saved_at) == T0 + timedelta(minutes=3)
        s.discard_draft("ESC-1", "alice")
        s.discard_draft("ESC-1", "nobody")  # discarding nothing is fine
        assert s.load_draft("ESC-1", "alice") is None
        bob = s.load_draft("ESC-1", "bob")
        assert bob is not None and bob.body == {"body": "bob's"}
        assert s.read() == []  # drafts are not events


# --- files ----------------------------------------------------------------------------------


def test_creates_parent_directory_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "store.db"
    with SqliteStore(path) as s:
        s.append([ev()])
    assert path.exists()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        index = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'"
        ).fetchall()
        assert any("incident_id, seq" in (row[0] or "") for row in index)
    finally:
        conn.close()


def test_not_a_database_fails_naming_the_path(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"this is not a database, just some text that is long enough " * 20)
    with pytest.raises(StoreError) as caught:
        SqliteStore(path)
    assert str(path) in str(caught.value)
    assert path.read_bytes().startswith(b"this is not a database")  # left untouched


def test_directory_path_fails_naming_the_path(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as caught:
        SqliteStore(tmp_path)
    assert str(tmp_path) in str(caught.value)


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a warroom store"):
        SqliteStore(path)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    SqliteStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        SqliteStore(path)


def test_closed_store_raises_store_error(target: str | Path) -> None:
    s = open_store(target)
    s.close()
    s.close()  # idempotent
    with pytest.raises(StoreError):
        s.append([ev()])
    with pytest.raises(StoreError):
        s.read()


# --- watch ----------------------------------------------------------------------------------


async def test_watch_yields_backlog_then_new_events_from_another_connection(
    target: str | Path,
) -> None:
    watcher_store = open_store(target)
    writer = open_store(target)  # its own connections: like another process
    try:
        writer.append([ev(n=1), ev(n=2), ev(n=3)])
        it = watcher_store.watch(since_seq=1)
        backlog = await asyncio.wait_for(anext(it), timeout=15.0)
        assert [e.seq for e in backlog] == [2, 3]

        pending = asyncio.ensure_future(anext(it))
        await asyncio.sleep(0.2)  # make it harder: the watcher must be idle-polling already
        assert not pending.done()
        started = time.perf_counter()
        await asyncio.to_thread(writer.append, [ev(n=4), ev(n=5)])
        batch = await asyncio.wait_for(pending, timeout=1.0)
        latency = time.perf_counter() - started
        assert [e.seq for e in batch] == [4, 5]
        assert latency < 1.0
        await it.aclose()  # type: ignore[attr-defined]
    finally:
        watcher_store.close()
        writer.close()


async def test_watch_sees_appends_through_the_same_store(store: ServerStore) -> None:
    it = store.watch()
    pending = asyncio.ensure_future(anext(it))
    await asyncio.sleep(0.1)
    store.append([ev(n=1)])
    batch = await asyncio.wait_for(pending, timeout=15.0)
    assert [e.seq for e in batch] == [1]
    store.append([ev(n=2)])
    store.append([ev(n=3)])
    seen: list[int] = []
    while len(seen) < 2:
        seen += [e.seq for e in await asyncio.wait_for(anext(it), timeout=15.0)]
    assert seen == [2, 3]
    await it.aclose()  # type: ignore[attr-defined]


async def test_watch_ends_when_the_store_closes(target: str | Path) -> None:
    s = open_store(target)
    it = s.watch()
    pending = asyncio.ensure_future(anext(it))
    await asyncio.sleep(0.1)
    s.close()
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(pending, timeout=15.0)


# --- tokens ---------------------------------------------------------------------------------


def test_tokens_add_find_list_revoke(store: ServerStore) -> None:
    alice = StoredToken(id="0000000a", person="alice", read_only=False, hash="h1",
                        created_at="2026-11-24T10:00:00+00:00")
    wall = StoredToken(id="0000000b", person="wall", read_only=True, hash="h2",
                       created_at="2026-11-24T10:00:01+00:00")
    bot = StoredToken(id="0000000c", person="alertmanager", read_only=False, hash="h3",
                      created_at="2026-11-24T10:00:02+00:00", bot=True)
    assert store.add_token(alice) and store.add_token(wall) and store.add_token(bot)
    assert not store.add_token(replace_token(alice, person="mallory"))  # id taken
    assert store.tokens() == [alice, wall, bot]
    assert store.find_token("0000000c") == bot
    assert store.find_token("0000000b") == wall
    assert store.find_token("nothere") is None
    store.revoke_tokens(["0000000b"], "2026-11-24T11:00:00+00:00")
    revoked = store.find_token("0000000b")
    assert revoked is not None and revoked.revoked_at == "2026-11-24T11:00:00+00:00"
    assert store.find_token("0000000a") == alice
    assert store.read() == []  # tokens are not events


def test_version_1_file_gains_the_tokens_table(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    SqliteStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE warroom_tokens")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with SqliteStore(path) as s:
        assert s.tokens() == []
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        conn.close()


def test_version_3_file_gains_bot_tokens(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    with SqliteStore(path) as s:
        s.add_token(StoredToken(id="0000000a", person="alice", read_only=False, hash="h",
                                created_at="2026-11-24T10:00:00+00:00"))
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE warroom_tokens DROP COLUMN bot")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    with SqliteStore(path) as s:
        assert [t.bot for t in s.tokens()] == [False]
        assert s.add_token(StoredToken(id="0000000b", person="am", read_only=False, hash="h2",
                                       created_at="2026-11-24T10:00:01+00:00", bot=True))
        assert s.find_token("0000000b") is not None and s.find_token("0000000b").bot


def replace_token(token: StoredToken, **changes: Any) -> StoredToken:
    from dataclasses import replace as dc_replace

    return dc_replace(token, **changes)
