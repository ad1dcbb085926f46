"""Tokens: shown once, stored as a hash, listed, revoked (at once, on a running server)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.api.helpers import LiveServer, Tokens, client
from warroom.server.tokens import TokenBook, TokenError, add_token, list_tokens, revoke_token
from warroom.store.sqlite import SqliteStore


def test_add_list_revoke(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"  # a token may be made before anything else touches the file
    token = add_token(path, "alice")
    wall = add_token(path, "wall", read_only=True)
    SqliteStore(path).close()  # the store still accepts its file
    assert token.startswith("wr_") and len(token) > 40
    listed = list_tokens(path)
    assert [(t.person, t.read_only) for t in listed] == [("alice", False), ("wall", True)]
    store = SqliteStore(path)
    book = TokenBook(store)
    try:
        identity = book.verify(token)
        assert identity is not None and identity.person == "alice" and not identity.read_only
        assert book.verify(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
        assert book.verify("wr_nothing") is None
        ident = wall.split("_")[1]
        assert [t.person for t in revoke_token(path, ident)] == ["wall"]
        assert book.verify(wall) is None
        assert [t.person for t in list_tokens(path)] == ["alice"]
        assert len(list_tokens(path, include_revoked=True)) == 2
        revoke_token(path, "alice")  # by person: all of theirs
        assert book.verify(token) is None
    finally:
        store.close()
    with pytest.raises(TokenError):
        revoke_token(path, "nobody")
    with pytest.raises(TokenError):
        add_token(path, "  ")


def test_only_a_hash_is_stored(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    token = add_token(path, "alice")
    secret = token.split("_", 2)[2]
    raw = path.read_bytes() + (Path(str(path) + "-wal").read_bytes()
                               if Path(str(path) + "-wal").exists() else b"")
    assert secret.encode() not in raw
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT * FROM warroom_tokens").fetchall()
    finally:
        conn.close()
    assert all(secret not in str(row) and token not in str(row) for row in rows)


def test_revocation_applies_to_a_running_server(live: LiveServer, tokens: Tokens,
                                                store_path: Path) -> None:
    bob = client(live, tokens.bob)
    assert bob.get("/escalations").status_code == 200
    revoke_token(store_path, tokens.bob)
    assert bob.get("/escalations").status_code == 401
    fresh = add_token(store_path, "dave")
    assert client(live, fresh).get("/me").json()["person"] == "dave"
