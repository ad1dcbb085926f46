"""Fixtures: tokens for alice, bob, carol and a read-only wallboard; a live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.helpers import LiveServer, Tokens
from warroom.domain.policy import Policy
from warroom.server.tokens import add_token
from warroom.store.sqlite import SqliteStore


@pytest.fixture
def tokens(store_path: Path) -> Tokens:
    SqliteStore(store_path).close()
    return Tokens(
        alice=add_token(store_path, "alice"),
        bob=add_token(store_path, "bob"),
        carol=add_token(store_path, "carol"),
        wall=add_token(store_path, "wall", read_only=True),
    )


@pytest.fixture
def live(store_path: Path, policy: Policy, tokens: Tokens) -> Iterator[LiveServer]:
    server = LiveServer(store_path, policy).start()
    yield server
    server.stop()
