"""A remote console's mirror starts from the server's snapshot of folded state (`GET
/snapshot`) and reads only the log after it, instead of folding the whole log over HTTP."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import msgspec

from tests.api.helpers import LiveServer, Tokens, client
from warroom.domain.commands import Note, Open
from warroom.domain.policy import Policy
from warroom.domain.reduce import reduce_all
from warroom.domain.structs import replace
from warroom.service.remote import RemoteWarRoom
from warroom.store.outbox import Outbox
from warroom.store.snapshot import FOLD_VERSION, decode, encode
from warroom.store.sqlite import SqliteStore


def connect(live: LiveServer, token: str, tmp_path: Path, policy: Policy) -> RemoteWarRoom:
    return RemoteWarRoom.connect(live.url, token=token, outbox=Outbox(tmp_path / "outbox.db"),
                                 policy=policy)


def stored_snapshot(store_path: Path, version: str, title: str, closed: tuple[str, ...] = ()
                    ) -> int:
    """Write a snapshot of the log's states under `version`, each retitled `title` (and those
    named in `closed` closed), so a reader that started from it shows it; returns its seq."""
    with closing(SqliteStore(store_path)) as store:
        seq = store.last_seq()
        states = reduce_all(store.read())
        rows = [encode(replace(s, title=title,
                               closed_at=s.received_at if s.id in closed else s.closed_at))
                for s in states.values()]
        assert store.write_snapshot(version, seq, rows, since=None)
    return seq


def test_a_mirror_starts_from_the_servers_snapshot_and_folds_the_rest(
        live: LiveServer, tokens: Tokens, store_path: Path, tmp_path: Path,
        policy: Policy) -> None:
    alice = client(live, tokens.alice)
    for n in (1, 2):
        alice.post("/escalations", json={"title": f"truth {n}", "customer": "c"})
    seq = stored_snapshot(store_path, FOLD_VERSION, "from the snapshot")
    alice.post("/commands", json={"type": "note", "incident_id": "ESC-1", "text": "after"})
    remote = connect(live, tokens.alice, tmp_path, policy)
    try:
        states = remote.states()
        assert {i: s.title for i, s in states.items()} == {
            "ESC-1": "from the snapshot", "ESC-2": "from the snapshot"}
        assert states["ESC-1"].last_seq == seq + 1  # the note after it, read from the log
        remote.execute(Note(incident_id="ESC-2", text="later"), "alice")
        assert remote.states()["ESC-2"].last_seq == seq + 2
        assert remote.save_snapshot() is False  # the server's snapshot is the server's
    finally:
        remote.store.close()
    with closing(SqliteStore(store_path)) as store:
        kept = store.read_snapshot(FOLD_VERSION)
        assert kept is not None and kept.seq == seq


def test_a_snapshot_of_another_fold_version_is_not_used(
        live: LiveServer, tokens: Tokens, store_path: Path, tmp_path: Path,
        policy: Policy) -> None:
    client(live, tokens.alice).post("/escalations", json={"title": "truth", "customer": "c"})
    stored_snapshot(store_path, "0.older", "stale")
    remote = connect(live, tokens.alice, tmp_path, policy)
    try:
        assert remote.execute(Open(title="second", customer="c"), "alice")["id"] == "ESC-2"
        assert {s.title for s in remote.states().values()} == {"truth", "second"}
    finally:
        remote.store.close()


def test_the_snapshot_route(live: LiveServer, tokens: Tokens, store_path: Path) -> None:
    alice = client(live, tokens.alice)
    for n in (1, 2, 3):
        alice.post("/escalations", json={"title": f"t{n}", "customer": "c"})
    wall = client(live, tokens.wall)  # read-only tokens read it, as they read the log
    missing = wall.get("/snapshot", params={"version": FOLD_VERSION})
    assert missing.status_code == 404 and "no snapshot" in missing.json()["error"]
    seq = stored_snapshot(store_path, FOLD_VERSION, "kept", closed=("ESC-2",))

    def ids(**params: object) -> list[str]:
        answer = wall.get("/snapshot", params={"version": FOLD_VERSION, **params})
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/msgpack"
        body = msgspec.msgpack.decode(answer.content)
        assert body["seq"] == seq
        return sorted(decode(body["states"]))

    assert ids() == ["ESC-1", "ESC-2", "ESC-3"]
    assert ids(open_only="true") == ["ESC-1", "ESC-3"]
    assert ids(ids=["ESC-2", "ESC-9"]) == ["ESC-2"]
    too_many = wall.get("/snapshot", params={"version": FOLD_VERSION,
                                             "ids": [f"ESC-{n}" for n in range(501)]})
    assert too_many.status_code == 422
    assert client(live, None).get("/snapshot", params={"version": FOLD_VERSION}
                                  ).status_code == 401
