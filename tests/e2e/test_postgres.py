"""What only the PostgreSQL store has: its schema and migrations, `warroom db upgrade | copy`,
no gap after a rolled-back append, and a watcher that survives a dropped connection."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import psycopg
import pytest

from warroom.domain.models import Event, EventKind
from warroom.store.base import NewDelivery, StoreError
from warroom.store.postgres import SCHEMA_VERSION, PostgresStore, migrations
from warroom.store.sqlite import SqliteStore


def ev(n: int, incident: str = "ESC-1", text: str | None = None) -> Event:
    now = datetime(2026, 11, 24, 10, 0, n % 60, tzinfo=UTC)
    return Event(incident_id=incident, kind=EventKind.NOTE, actor="alice", occurred_at=now,
                 recorded_at=now, payload={"text": f"note {n}" if text is None else text})


def warroom(*args: str, actor: str = "dana") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "warroom", *args], capture_output=True,
                          text=True, timeout=60, check=False,
                          env={**os.environ, "WARROOM_USER": actor})


def sql(url: str, statement: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(statement)
        return cur.fetchall() if cur.description else []


# --- schema ---------------------------------------------------------------------------------


def test_migrations_are_plain_sql_files_in_the_package() -> None:
    files = sorted(p.name for p in resources.files("warroom.store.migrations").iterdir()
                   if p.name.endswith(".sql"))
    assert files == [name for _, name, _ in migrations()]
    assert files[0] == "0001_initial.sql" and int(files[-1][:4]) == SCHEMA_VERSION


def test_first_use_of_an_empty_database_creates_the_schema(pg_url: str) -> None:
    with closing(PostgresStore(pg_url)) as store:
        assert store.applied == [name for _, name, _ in migrations()]
        assert store.schema_version() == SCHEMA_VERSION
    assert sql(pg_url, "SELECT version FROM warroom_schema") == [(SCHEMA_VERSION,)]
    with closing(PostgresStore(pg_url)) as again:
        assert again.applied == []  # nothing to do the second time


def test_db_upgrade_creates_then_has_nothing_to_apply(pg_url: str) -> None:
    first = warroom("--store", pg_url, "db", "upgrade")
    assert first.returncode == 0, first.stderr
    assert f"schema version {SCHEMA_VERSION}" in first.stdout and "0001_initial.sql" in first.stdout
    second = warroom("--store", pg_url, "db", "upgrade")
    assert second.returncode == 0 and "nothing to apply" in second.stdout


def test_a_schema_newer_than_the_code_is_refused_in_one_line(pg_url: str) -> None:
    PostgresStore(pg_url).close()
    sql(pg_url, f"UPDATE warroom_schema SET version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer than this warroom"):
        PostgresStore(pg_url)
    listed = warroom("--store", pg_url, "list")
    assert listed.returncode == 4
    assert len(listed.stderr.strip().splitlines()) == 1 and "newer" in listed.stderr
    assert "postgresql://postgres@" in listed.stderr


def test_a_foreign_database_is_refused_and_left_alone(pg_url: str) -> None:
    sql(pg_url, "CREATE TABLE invoices (id int)")
    with pytest.raises(StoreError, match="not a warroom database"):
        PostgresStore(pg_url)
    assert sql(pg_url, "SELECT to_regclass('warroom_events')") == [(None,)]


def test_unreachable_database_is_one_line_exit_4() -> None:
    done = warroom("--store", "postgresql://nobody:secret@127.0.0.1:1/none", "list")
    assert done.returncode == 4
    assert len(done.stderr.strip().splitlines()) == 1 and "cannot connect" in done.stderr
    assert "secret" not in done.stderr  # the password is never printed


# --- seqs and watch -------------------------------------------------------------------------


def test_a_rolled_back_append_leaves_no_gap(pg_url: str) -> None:
    with closing(PostgresStore(pg_url)) as store:
        store.append([ev(1)])
        # PostgreSQL text cannot hold NUL: the key's row fails after the events and the
        # counter were written, so the whole transaction rolls back.
        with pytest.raises(StoreError):
            store.append([ev(2), ev(3)], idempotency_key="k\x00")
        assert store.last_seq() == 1
        assert store.append([ev(4)]).seqs == (2,)
        assert [e.seq for e in store.read()] == [1, 2]
        assert sql(pg_url, "SELECT last_seq FROM warroom_counter") == [(2,)]


async def test_watch_re_reads_after_its_connection_is_dropped(pg_url: str) -> None:
    store = PostgresStore(pg_url)
    try:
        it = store.watch()
        pending = asyncio.ensure_future(anext(it))
        await asyncio.sleep(0.3)
        await asyncio.to_thread(store.append, [ev(1)])
        assert [e.seq for e in await asyncio.wait_for(pending, 15.0)] == [1]
        # Kill every other session (the watcher's LISTEN connection among them), then append
        # while it is gone: the watcher reconnects and re-reads from seq 1.
        killed = await asyncio.to_thread(
            sql, pg_url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        assert killed
        writer = await asyncio.to_thread(PostgresStore, pg_url)  # the old pool's are gone too
        await asyncio.to_thread(writer.append, [ev(2)])
        await asyncio.to_thread(writer.append, [ev(3)])
        writer.close()
        seen: list[int] = []
        while len(seen) < 2:
            seen += [e.seq for e in await asyncio.wait_for(anext(it), 15.0)]
        assert seen == [2, 3]
        await it.aclose()  # type: ignore[attr-defined]
    finally:
        store.close()


# --- db copy --------------------------------------------------------------------------------


def test_db_copy_moves_a_war_room_and_checks_it(tmp_path: Path, pg_url: str) -> None:
    lite = tmp_path / "one-host.db"
    for args in (("open", "Checkout down", "--customer", "Acme", "--severity", "P1"),
                 ("note", "ESC-1", "looking"), ("open", "Login slow", "--customer", "Beta")):
        assert warroom("--store", str(lite), *args).returncode == 0
    token = warroom("--store", str(lite), "token", "add", "dana").stdout.strip()
    assert warroom("--store", str(lite), "token", "add", "alertmanager", "--bot").returncode == 0
    with closing(SqliteStore(lite)) as s:
        s.save_draft("ESC-1", "dana", {"body": "half"}, datetime(2026, 11, 24, tzinfo=UTC))
        s.append([ev(9)], idempotency_key="key-1", result={"id": "ESC-1"},
                 deliveries=[NewDelivery("mail", ("ops@x",), {"subject": "s"}, 0)])
        s.add_statuspage_key("Acme", "hash-1", datetime(2026, 11, 24, tzinfo=UTC))
        original, deliveries, pages = s.read(), s.deliveries(), s.statuspage_keys()
        tokens = s.tokens()

    done = warroom("db", "copy", "--from", str(lite), "--to", pg_url)
    assert done.returncode == 0, done.stderr
    assert f"{len(original)} events (last seq {len(original)})" in done.stdout
    with closing(PostgresStore(pg_url)) as pg:
        assert pg.read() == original
        assert pg.last_seq() == original[-1].seq
        draft = pg.load_draft("ESC-1", "dana")
        assert draft is not None and draft.body == {"body": "half"}
        assert datetime.fromisoformat(draft.saved_at) == datetime(2026, 11, 24, tzinfo=UTC)
        looked = pg.lookup("key-1")
        assert looked is not None and looked.result == {"id": "ESC-1"}
        assert pg.tokens() == tokens and [t.bot for t in tokens] == [False, True]
        assert pg.deliveries() == deliveries and pg.statuspage_keys() == pages
        # the counter and the deliveries' ids moved on too
        assert pg.append([ev(10)], deliveries=[NewDelivery("mail", ("ops@x",), {}, 0)]
                         ).seqs == (len(original) + 1,)
        assert [d.id for d in pg.deliveries()] == [deliveries[0].id, deliveries[0].id + 1]
    listed = json.loads(warroom("--store", pg_url, "list", "--json").stdout)
    assert sorted(row["id"] for row in listed) == ["ESC-1", "ESC-2"]
    with closing(PostgresStore(pg_url)) as pg:  # the token verifies against the copy
        from warroom.server.tokens import TokenBook

        identity = TokenBook(pg).verify(token)
        assert identity is not None and identity.person == "dana"

    # Copying again: the target now holds more than the file, so it is refused, untouched.
    again = warroom("db", "copy", "--from", str(lite), "--to", pg_url)
    assert again.returncode == 2 and "already holds" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    assert sql(pg_url, "SELECT count(*) FROM warroom_events") == [(len(original) + 1,)]


def test_db_copy_twice_of_the_same_file_is_a_no_op(tmp_path: Path, pg_url: str) -> None:
    lite = tmp_path / "s.db"
    assert warroom("--store", str(lite), "open", "x", "--customer", "Acme").returncode == 0
    with closing(SqliteStore(lite)) as s:
        events = s.last_seq()
    assert warroom("db", "copy", "--from", str(lite), "--to", pg_url).returncode == 0
    again = warroom("db", "copy", "--from", str(lite), "--to", pg_url)
    assert again.returncode == 0 and "nothing copied" in again.stdout
    assert sql(pg_url, "SELECT count(*) FROM warroom_events") == [(events,)]


def test_db_copy_bad_arguments_exit_2(tmp_path: Path, pg_url: str) -> None:
    missing = warroom("db", "copy", "--from", str(tmp_path / "nope.db"), "--to", pg_url)
    assert missing.returncode == 2 and "--from" in missing.stderr
    assert not (tmp_path / "nope.db").exists()
    lite = tmp_path / "s.db"
    SqliteStore(lite).close()
    not_url = warroom("db", "copy", "--from", str(lite), "--to", str(tmp_path / "x.db"))
    assert not_url.returncode == 2 and "--to" in not_url.stderr


def test_the_config_store_url_opens_the_database(tmp_path: Path, pg_url: str) -> None:
    config = tmp_path / "warroom.toml"
    config.write_text(f'[store]\nurl = "{pg_url}"\n', encoding="utf-8")
    opened = warroom("--config", str(config), "open", "From config", "--customer", "Acme")
    assert opened.returncode == 0, opened.stderr
    with closing(PostgresStore(pg_url)) as store:
        assert store.read()[0].payload["title"] == "From config"
    # --store still wins over the configured database
    lite = tmp_path / "own.db"
    assert warroom("--config", str(config), "--store", str(lite), "open", "Local",
                   "--customer", "Acme").returncode == 0
    with closing(SqliteStore(lite)) as s:
        assert s.read()[0].payload["title"] == "Local"
