"""Deliveries and status page keys in both stores (SQLite, PostgreSQL): written with their
event, leased, recorded with their outcome event; and SQLite's schema upgrade from version 1."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

from tests.conftest import T0 as _T0
from tests.unit.test_store_sqlite import ev
from warroom.domain.models import EventKind
from warroom.store.base import NewDelivery, ServerStore
from warroom.store.sqlite import SCHEMA_VERSION, SqliteStore
from warroom.store.target import open_store

LEASE = timedelta(seconds=60)
T0 = _T0 + timedelta(microseconds=250)
"""When `ev()` events are recorded: deliveries are due from then."""


def posted(store: ServerStore, channels: tuple[str, ...] = ("a", "b"), key: str | None = None
           ) -> int:
    result = store.append(
        [ev(kind=EventKind.NOTE), ev(kind=EventKind.UPDATE_POSTED)], idempotency_key=key,
        deliveries=[NewDelivery(c, (f"{c}@x",), {"subject": "s", "body": "b"}, 1)
                    for c in channels])
    return result.seqs[1]


def test_deliveries_are_written_with_their_event_and_not_again_for_a_repeated_key(
        store_target: str | Path) -> None:
    with closing(open_store(store_target)) as store:
        seq = posted(store, key="k1")
        posted(store, key="k1")
        rows = store.deliveries()
    assert [(d.seq, d.channel, d.state, d.attempts) for d in rows] == [
        (seq, "a", "pending", 0), (seq, "b", "pending", 0)]
    assert rows[0].key == f"ESC-1.{seq}.a" and rows[0].recipients == ("a@x",)
    assert rows[0].due_at == rows[0].created_at == T0


def test_a_claim_is_exclusive_until_its_lease_runs_out(store_target: str | Path) -> None:
    with closing(open_store(store_target)) as one, closing(open_store(store_target)) as two:
        posted(one)
        assert one.next_delivery_due() == T0
        first = one.claim_deliveries("one", T0, LEASE)
        assert [d.attempts for d in first] == [1, 1]
        assert two.claim_deliveries("two", T0 + timedelta(seconds=59), LEASE) == []
        assert two.next_delivery_due() == T0 + LEASE
        again = two.claim_deliveries("two", T0 + LEASE, LEASE)
    assert [(d.lease_owner, d.attempts) for d in again] == [("two", 2), ("two", 2)]


def test_finish_records_outcome_and_event_once(store_target: str | Path) -> None:
    with closing(open_store(store_target)) as store:
        posted(store, channels=("a",))
        (item,) = store.claim_deliveries("me", T0, LEASE)
        later = T0 + timedelta(seconds=1)
        assert store.finish_delivery(item.id, delivered=False, now=later, error="refused",
                                     retry_at=later + timedelta(seconds=5),
                                     events=[ev(kind=EventKind.UPDATE_DELIVERY_FAILED)])
        (failed,) = store.deliveries()
        assert (failed.state, failed.last_error, failed.lease_owner) == (
            "pending", "refused", None)
        assert store.claim_deliveries("me", later, LEASE) == []  # backing off
        (item,) = store.claim_deliveries("me", later + timedelta(seconds=5), LEASE)
        assert store.finish_delivery(item.id, delivered=True, now=later,
                                     events=[ev(kind=EventKind.UPDATE_DELIVERED)])
        assert not store.finish_delivery(item.id, delivered=True, now=later,
                                         events=[ev(kind=EventKind.UPDATE_DELIVERED)])
        kinds = [e.kind for e in store.read()]
        assert store.next_delivery_due() is None
    assert kinds.count(EventKind.UPDATE_DELIVERED) == 1
    assert kinds.count(EventKind.UPDATE_DELIVERY_FAILED) == 1


def test_status_page_keys_rotate_and_revoke(store_target: str | Path) -> None:
    with closing(open_store(store_target)) as store:
        store.add_statuspage_key("Northwind", "h1", T0)
        store.add_statuspage_key("Northwind", "h2", T0 + LEASE)
        assert [(k.key_hash, k.revoked_at) for k in store.statuspage_keys()] == [
            ("h1", T0 + LEASE), ("h2", None)]
        assert store.revoke_statuspage_key("Northwind", T0 + 2 * LEASE)
        assert not store.revoke_statuspage_key("Northwind", T0 + 2 * LEASE)


def test_a_version_1_store_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with SqliteStore(path) as store:
        store.append([ev()])
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE deliveries")
    conn.execute("DROP TABLE statuspage_keys")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with SqliteStore(path) as store:
        assert len(store.read()) == 1
        posted(store)
        assert len(store.deliveries()) == 2
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
