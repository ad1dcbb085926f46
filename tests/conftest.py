"""Shared fixtures: the default policy, a frozen clock, a real store file in tmp_path."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.api.helpers import ServerProcess

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
"""A Tuesday, 10:00 UTC: inside business hours."""


class FrozenClock:
    """A clock that only moves when told to."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(autouse=True)
def _isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never read or write the developer's real config or data."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.delenv("WARROOM_CONFIG", raising=False)
    monkeypatch.delenv("WARROOM_STORE", raising=False)
    monkeypatch.delenv("WARROOM_TOKEN", raising=False)
    monkeypatch.setenv("WARROOM_USER", "tester")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def policy():  # type: ignore[no-untyped-def]
    from warroom.config import load_config

    return load_config().policy


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "warroom.db"


@pytest.fixture
def service(store_path: Path, policy, clock: FrozenClock) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from warroom.service import WarRoom
    from warroom.store.sqlite import SqliteStore

    store = SqliteStore(store_path)
    yield WarRoom(store, policy, clock)
    store.close()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[object]:
    """One throwaway PostgreSQL cluster for the whole session (skips where it cannot run)."""
    from tests.pgcluster import Cluster, missing_reason

    reason = missing_reason()
    if reason:
        pytest.skip(f"PostgreSQL tests need a local server: {reason}")
    cluster = Cluster().start()
    yield cluster
    cluster.remove()


@pytest.fixture
def pg_url(pg_cluster) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A fresh, empty database of the session's cluster; dropped afterwards."""
    import uuid

    name = f"t_{uuid.uuid4().hex[:12]}"
    url = pg_cluster.create_database(name)
    yield url
    pg_cluster.drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """Where a store lives, once per kind of store: a SQLite file, or a fresh database of the
    session's PostgreSQL cluster (tests taking it run against both stores)."""
    if request.param == "sqlite":
        return tmp_path / "store.db"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def serve() -> Iterator[Callable[..., ServerProcess]]:
    """Starts `warroom serve` child processes, `serve(store, port=None)`, each answering once
    returned; all are stopped afterwards."""
    from tests.api.helpers import ServerProcess

    started: list[ServerProcess] = []

    def start(store: str | Path, port: int | None = None) -> ServerProcess:
        started.append(ServerProcess(store, port))
        return started[-1]

    yield start
    for server in started:
        server.stop()
