"""Fixtures of the multi-server tests: two real `warroom serve` processes on one PostgreSQL
database, a token, the subscribers on them, and the shared cluster brought back after a test
stops or restarts it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.helpers import ServerProcess
from tests.e2e.multiserver import Subscribers
from warroom.server.tokens import add_token


@pytest.fixture
def alice(pg_url: str) -> str:
    """A bearer token of alice's on the test database."""
    return add_token(pg_url, "alice")


@pytest.fixture
def pg_servers(pg_url: str, serve: Callable[..., ServerProcess]) -> list[ServerProcess]:
    """Two `warroom serve` processes on the test database, each answering."""
    return [serve(pg_url), serve(pg_url)]


@pytest.fixture
def subscribers(pg_servers: list[ServerProcess], alice: str,
                tmp_path: Path) -> Iterator[Subscribers]:
    """alice's SSE streams on both servers, connected, and her console on the second."""
    subscribed = Subscribers(pg_servers, alice, tmp_path / "outbox.sqlite")
    try:
        subscribed.wait_connected()
        yield subscribed
    finally:
        subscribed.close()


@pytest.fixture
def pg_outage(pg_cluster: Any, pg_url: str) -> Iterator[Any]:
    """The session's cluster, for a test that stops or restarts it: running again afterwards
    (before its database is dropped), for the tests that share it."""
    yield pg_cluster
    if not pg_cluster.running():
        pg_cluster.start()
