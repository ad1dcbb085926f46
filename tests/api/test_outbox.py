"""Clients never lose or double an update: the outbox, idempotency keys, RemoteWarRoom."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.api.helpers import LiveServer, Tokens, Watcher, client, wait_until
from warroom.domain.commands import Assign, Note, Open, Triage
from warroom.domain.errors import InvalidInput, NotFound, Refused, RightRequired
from warroom.domain.policy import Policy
from warroom.service.remote import RemoteWarRoom
from warroom.store.http import ConnectionState, Forbidden, HttpStore
from warroom.store.outbox import Outbox, token_identity


def connect(live: LiveServer, token: str, tmp_path: Path, policy: Policy) -> RemoteWarRoom:
    return RemoteWarRoom.connect(live.url, token=token, outbox=Outbox(tmp_path / "outbox.db"),
                                 policy=policy, backoff=(0.05, 0.2), offline_after=0.3)


def notes(live: LiveServer, token: str) -> list[tuple[str | None, str | None]]:
    events = client(live, token).get("/events").json()["events"]
    return [(e["payload"].get("text"), e["idempotency_key"]) for e in events
            if e["kind"] == "note"]


def test_ten_updates_queued_while_down_arrive_once_in_order(
        live: LiveServer, tokens: Tokens, tmp_path: Path, policy: Policy) -> None:
    remote = connect(live, tokens.alice, tmp_path, policy)
    try:
        assert remote.execute(Open(title="t", customer="c"), "alice")["id"] == "ESC-1"
        live.stop()
        issued: list[tuple[datetime, datetime]] = []  # (before, after) each execute
        for i in range(10):
            before = datetime.now(UTC)
            result = remote.execute(Note(incident_id="ESC-1", text=f"update {i}"), "alice")
            issued.append((before, datetime.now(UTC)))
            assert result["queued"] is True
            assert result["pending"] == i + 1
        connection = remote.connection()
        assert connection.pending == 10
        assert connection.state in (ConnectionState.RECONNECTING, ConnectionState.OFFLINE)
        wait_until(lambda: remote.connection().state is ConnectionState.OFFLINE, what="offline")
        assert "10 pending" in remote.connection().describe()
        assert remote.flush().sent == []  # still down: nothing sent, nothing lost
        skew = timedelta(seconds=remote.store.skew)  # the clock it stamps: local + skew

        live.start()
        report = remote.flush()
        assert len(report.sent) == 10 and report.remaining == 0
        assert remote.flush().sent == []  # a second flush sends nothing again
        got = notes(live, tokens.alice)
        assert [text for text, _ in got] == [f"update {i}" for i in range(10)]
        assert len({key for _, key in got}) == 10
        # they happened when they were issued, not when the server came back
        events = [e for e in remote.events("ESC-1") if e.kind == "note"]
        for event, (before, after) in zip(events, issued, strict=True):
            assert before + skew <= event.occurred_at <= after + skew
        assert remote.connection().state is ConnectionState.CONNECTED
        assert remote.connection().pending == 0
    finally:
        remote.store.close()


def test_watch_flushes_the_outbox_on_reconnect(
        live: LiveServer, tokens: Tokens, tmp_path: Path, policy: Policy) -> None:
    remote = connect(live, tokens.alice, tmp_path, policy)
    remote.execute(Open(title="t", customer="c"), "alice")
    watcher = Watcher(remote.store, since=remote.store.last_seq())
    try:
        live.stop()
        for i in range(10):
            assert remote.execute(Note(incident_id="ESC-1", text=f"u{i}"), "alice")["queued"]
        live.start()
        wait_until(lambda: len(watcher.events) == 10, what="queued commands to come back")
        assert [e.payload["text"] for e in watcher.events] == [f"u{i}" for i in range(10)]
        wait_until(lambda: remote.connection().pending == 0, what="outbox to empty")
    finally:
        watcher.stop()
        remote.store.close()


def test_a_lost_answer_is_resent_without_a_second_event(
        live: LiveServer, tokens: Tokens, tmp_path: Path, policy: Policy) -> None:
    alice = client(live, tokens.alice)
    alice.post("/escalations", json={"title": "t", "customer": "c"})
    outbox = Outbox(tmp_path / "outbox.db")
    store = HttpStore(live.url, tokens.alice, outbox=outbox)
    try:
        command = Note(incident_id="ESC-1", text="exactly once").model_dump(mode="json")
        outbox.add(store.url, "key-1", store.identity, "alice", command, datetime.now(UTC))
        # The server took it, but the answer never reached the client...
        assert alice.post("/commands", json={**command, "idempotency_key": "key-1"}).is_success
        # ...so the client sends it again from its outbox.
        report = store.flush()
        assert report.sent == ["key-1"]
        assert outbox.outcome("key-1") is not None
        assert outbox.outcome("key-1").body["duplicate"] is True  # type: ignore[union-attr]
        assert notes(live, tokens.alice) == [("exactly once", "key-1")]
    finally:
        store.close()


def test_outbox_survives_the_process_and_a_rejected_command_does_not_block(
        live: LiveServer, tokens: Tokens, tmp_path: Path) -> None:
    client(live, tokens.alice).post("/escalations", json={"title": "t", "customer": "c"})
    path = tmp_path / "outbox.db"
    first = Outbox(path)
    now = datetime.now(UTC)
    for key, incident in (("a", "ESC-1"), ("b", "ESC-404"), ("c", "ESC-1")):
        note = Note(incident_id=incident, text=key).model_dump(mode="json")
        first.add(live.url, key, token_identity(tokens.alice), "alice", note, now)
    first.close()
    store = HttpStore(live.url, tokens.alice, outbox=Outbox(path))  # a later run
    try:
        assert [e.key for e in store.outbox.pending(live.url)] == ["a", "b", "c"]
        report = store.flush()
        assert (report.sent, report.rejected) == (["a", "c"], ["b"])
        [failed] = store.outbox.failed(live.url)
        assert failed.key == "b" and failed.command["incident_id"] == "ESC-404"
        assert failed.state == "failed" and failed.reason.startswith("404 ")
        assert "ESC-404" in failed.reason
        assert [t for t, _ in notes(live, tokens.alice)] == ["a", "c"]
    finally:
        store.close()


def test_remote_war_room_raises_the_same_errors_as_a_local_one(
        live: LiveServer, tokens: Tokens, tmp_path: Path, policy: Policy) -> None:
    alice = connect(live, tokens.alice, tmp_path, policy)
    bob = connect(live, tokens.bob, tmp_path / "b", policy)
    wall = connect(live, tokens.wall, tmp_path / "w", policy)
    try:
        alice.execute(Open(title="t", customer="c"), "alice")
        with pytest.raises(RightRequired) as refused:
            bob.execute(Triage(incident_id="ESC-1", severity="P1", reason="r"), "bob")
        assert refused.value.right == "set_severity"
        assert refused.value.holders == {"incident_commander": "alice"}
        assert refused.value.exit_code == 3
        with pytest.raises(NotFound):
            alice.execute(Note(incident_id="ESC-9", text="x"), "alice")
        with pytest.raises(InvalidInput) as bad:
            alice.execute(Assign(incident_id="ESC-1", role="wizard", person="x"), "alice")
        assert bad.value.field == "role"
        with pytest.raises(Refused):
            alice.execute(Triage(incident_id="ESC-1", severity="P1", reason="r"), "alice")
            alice.execute(Triage(incident_id="ESC-1", severity="P1", reason="r"), "alice")
        with pytest.raises(Forbidden):
            wall.execute(Note(incident_id="ESC-1", text="x"), "wall")
        assert alice.connection().pending == 0
        # reads fold the server's log locally; status is the server's document
        assert alice.state("ESC-1").severity == "P1"
        assert set(alice.states()) == {"ESC-1"}
        doc = alice.status("ESC-1")
        assert doc["id"] == "ESC-1" and doc["severity"] == "P1"
        assert alice.store.me()["person"] == "alice"
    finally:
        for remote in (alice, bob, wall):
            remote.store.close()


def test_a_refused_token_is_an_error_not_a_queue(
        live: LiveServer, tokens: Tokens, tmp_path: Path, policy: Policy,
        store_path: Path) -> None:
    from warroom.server.tokens import revoke_token
    from warroom.store.base import StoreError

    bob = connect(live, tokens.bob, tmp_path, policy)
    try:
        client(live, tokens.alice).post("/escalations", json={"title": "t", "customer": "c"})
        revoke_token(store_path, tokens.bob)
        with pytest.raises(StoreError, match="refused the token"):
            bob.execute(Note(incident_id="ESC-1", text="x"), "bob")
        assert bob.connection().pending == 0
    finally:
        bob.store.close()


def test_entries_go_out_only_under_the_token_that_queued_them(
        live: LiveServer, tokens: Tokens, tmp_path: Path, policy: Policy,
        store_path: Path) -> None:
    from warroom.server.tokens import revoke_token

    client(live, tokens.alice).post("/escalations", json={"title": "t", "customer": "c"})
    bob = connect(live, tokens.bob, tmp_path, policy)
    live.stop()
    for i in range(3):
        assert bob.execute(Note(incident_id="ESC-1", text=f"bob {i}"), "bob")["queued"]
    bob.store.close()
    revoke_token(store_path, tokens.bob)
    live.start()

    carol = connect(live, tokens.carol, tmp_path, policy)  # same outbox file, another token
    try:
        carol.execute(Note(incident_id="ESC-1", text="carol"), "carol")
        assert [t for t, _ in notes(live, tokens.alice)] == ["carol"]
        waiting = carol.store.outbox.pending(live.url)
        assert [e.command["text"] for e in waiting] == ["bob 0", "bob 1", "bob 2"]
        assert all(e.attention and "under another token" in e.reason for e in waiting)
        assert carol.connection().attention == 3

        revoked = HttpStore(live.url, tokens.bob, outbox=Outbox(tmp_path / "outbox.db"))
        try:
            report = revoked.flush()
            assert report.status == 401 and report.sent == []
            stuck = revoked.outbox.pending(live.url)
            assert len(stuck) == 3
            assert all(e.attention and e.reason.startswith("token refused") for e in stuck)
        finally:
            revoked.close()
        assert [t for t, _ in notes(live, tokens.alice)] == ["carol"]
    finally:
        carol.store.close()


def test_a_queued_command_the_server_refuses_becomes_failed_with_its_reason(
        live: LiveServer, tokens: Tokens, tmp_path: Path, policy: Policy) -> None:
    alice = connect(live, tokens.alice, tmp_path, policy)
    try:
        alice.execute(Open(title="t", customer="c"), "alice")
        live.stop()
        alice.execute(Note(incident_id="ESC-9", text="lost?"), "alice")
        alice.execute(Note(incident_id="ESC-1", text="fine"), "alice")
        live.start()
        report = alice.flush()
        assert len(report.sent) == 1 and len(report.rejected) == 1
        [failed] = alice.store.outbox.failed(live.url)
        assert failed.command["incident_id"] == "ESC-9" and failed.status == 404
        assert "ESC-9" in failed.reason
        assert alice.connection().attention == 1
        assert [e.n for e in alice.store.outbox.unreported()] == [failed.n]
        assert alice.store.outbox.unreported() == []  # shown once

        assert alice.store.outbox.retry(failed.n).state == "pending"  # type: ignore[union-attr]
        alice.flush()
        assert alice.store.outbox.get(failed.n).state == "failed"  # type: ignore[union-attr]
        assert alice.store.outbox.discard(failed.n)
        assert alice.store.outbox.entries() == [] and alice.connection().attention == 0
    finally:
        alice.store.close()
