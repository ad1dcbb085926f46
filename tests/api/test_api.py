"""The HTTP API over a real uvicorn and a real SQLite file: every command, every error status."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.api.helpers import LiveServer, Tokens, client
from tests.conftest import FrozenClock
from warroom.domain.policy import Policy
from warroom.domain.structs import convert, dump
from warroom.service import WarRoom
from warroom.store.sqlite import SqliteStore


def iso(clock: FrozenClock, **delta: float) -> str:
    return (clock.now + timedelta(**delta)).isoformat()


@pytest.fixture
def frozen_live(store_path: Path, policy: Policy, tokens: Tokens,
                clock: FrozenClock) -> Any:
    server = LiveServer(store_path, policy, clock).start()
    yield server
    server.stop()


def test_full_command_set_over_http(frozen_live: LiveServer, tokens: Tokens,
                                    clock: FrozenClock, store_path: Path,
                                    policy: Policy) -> None:
    alice, bob, carol = (client(frozen_live, t) for t in (tokens.alice, tokens.bob, tokens.carol))

    def run(who: Any, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
        clock.advance(minutes=1)
        response = who.post("/commands", json=body)
        assert response.status_code == status, response.text
        doc: dict[str, Any] = response.json()
        return doc

    opened = alice.post("/escalations", json={"title": "Checkout down", "customer": "Acme",
                                              "impact": "outage", "affected": 3})
    assert opened.status_code == 201, opened.text
    assert opened.json()["id"] == "ESC-1"
    assert opened.json()["actor"] == "alice"
    assert opened.headers["location"] == "/api/v1/escalations/ESC-1"
    esc = {"incident_id": "ESC-1"}
    run(alice, {"type": "triage", **esc, "severity": "P1", "reason": "checkout outage"})
    run(alice, {"type": "severity", **esc, "severity": "P2", "reason": "workaround exists"})
    run(alice, {"type": "assign", **esc, "role": "customer_spoc", "person": "bob"})
    run(alice, {"type": "assign", **esc, "role": "tech_lead", "person": "carol"})
    run(carol, {"type": "note", **esc, "text": "db failover started"})
    first = run(bob, {"type": "update", **esc, "audience": "customer",
                      "body": "We are on it.", "next_update_at": iso(clock, minutes=30)})
    assert first["commitment_id"] == "C1"
    promise = run(bob, {"type": "commit", **esc, "text": "RCA draft",
                        "due_at": iso(clock, hours=1)})
    assert promise["commitment_id"] == "C2"
    run(bob, {"type": "commitment", **esc, "commitment_id": "C2", "outcome": "renegotiate",
              "due_at": iso(clock, hours=3), "reason": "customer agreed"})
    run(bob, {"type": "commitment", **esc, "commitment_id": "C2", "outcome": "met"})
    run(bob, {"type": "pause", **esc, "reason": "waiting on customer logs"})
    run(alice, {"type": "resume", **esc})
    run(alice, {"type": "decide", **esc, "right": "set_severity", "text": "keep P2"})
    run(carol, {"type": "phase", **esc, "phase": "identified"})
    run(carol, {"type": "tag", **esc, "tags": {"component": "db", "category": "capacity"}})
    run(alice, {"type": "edit_milestone", **esc, "milestone": "received",
                "new_time": iso(clock, minutes=-30), "reason": "alert fired earlier"})
    run(bob, {"type": "update", **esc, "audience": "customer", "body": "Fixed, monitoring."})
    run(alice, {"type": "resolve", **esc, "summary": "failover completed"})
    # It was P1 before the downgrade: its PIR is owed before it closes.
    blocked = run(alice, {"type": "close", **esc}, status=409)
    assert "PIR needs a root cause" in str(blocked)
    run(alice, {"type": "pir", **esc, "fields": {
        "root_cause": "the primary database ran out of connections",
        "whys": ["checkout timed out", "connections ran out", "the pool is sized by hand"]}})
    run(alice, {"type": "action_add", **esc, "title": "size the pool from load tests",
                "owner": "carol", "due_at": iso(clock, hours=48)})
    run(alice, {"type": "close", **esc})

    status = alice.get("/escalations/ESC-1").json()
    assert status["phase"] == "closed"
    assert status["roles"] == {"incident_commander": "alice", "customer_spoc": "bob",
                               "tech_lead": "carol"}
    assert [c["state"] for c in status["commitments"]] == ["met", "met"]
    assert alice.get("/escalations").json() == []
    listed = alice.get("/escalations", params={"all": "true"}).json()
    assert [d["id"] for d in listed] == ["ESC-1"]
    assert listed[0] == status

    # The same JSON as `status --json` computed over the file with the same clock.
    store = SqliteStore(store_path)
    try:
        local = WarRoom(store, policy, clock)
        assert status == local.status("ESC-1")
        as_of = iso(clock, minutes=-10)
        past = alice.get("/escalations/ESC-1", params={"as_of": as_of}).json()
        assert past == local.status("ESC-1", clock.now + timedelta(minutes=-10))
        events = alice.get("/events").json()
        assert [e["seq"] for e in events["events"]] == list(range(1, events["last_seq"] + 1))
        assert events["events"] == [dump(e) for e in local.events()]
        mine = alice.get("/escalations/ESC-1/events", params={"since": 5}).json()["events"]
        assert [e["seq"] for e in mine] == list(range(6, events["last_seq"] + 1))
        actors = {e["actor"] for e in events["events"]}
        assert actors == {"alice", "bob", "carol"}
    finally:
        store.close()


def test_attribution_comes_from_the_token_not_the_body(live: LiveServer, tokens: Tokens) -> None:
    alice = client(live, tokens.alice)
    alice.post("/escalations", json={"title": "t", "customer": "c"})
    spoof = alice.post("/commands", json={"type": "note", "incident_id": "ESC-1",
                                          "text": "x", "actor": "ceo"})
    assert spoof.status_code == 422
    assert spoof.json()["field"] == "actor"
    ok = client(live, tokens.bob).post("/commands", json={"type": "note",
                                                          "incident_id": "ESC-1", "text": "x"})
    assert ok.json()["actor"] == "bob"
    assert alice.get("/events").json()["events"][-1]["actor"] == "bob"


def test_error_statuses(live: LiveServer, tokens: Tokens, store_path: Path) -> None:
    alice, bob, wall = (client(live, t) for t in (tokens.alice, tokens.bob, tokens.wall))
    alice.post("/escalations", json={"title": "t", "customer": "c"})

    # 401: no token, a made-up token, a malformed header
    for headers in ({}, {"Authorization": "Bearer wr_deadbeef_nope"},
                    {"Authorization": "Basic abc"}):
        response = client(live, None).get("/escalations", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert "\n" not in response.json()["error"]

    # 403: a decision right bob does not hold, with who holds it
    refused = bob.post("/commands", json={"type": "triage", "incident_id": "ESC-1",
                                          "severity": "P0", "reason": "r"})
    assert refused.status_code == 403
    body = refused.json()
    assert body["right"] == "set_severity"
    assert body["holders"] == {"incident_commander": "alice"}
    assert body["actor"] == "bob"
    assert "alice" in body["error"]

    # 403: read-only token can read but not write
    assert wall.get("/escalations/ESC-1").status_code == 200
    write = wall.post("/commands", json={"type": "note", "incident_id": "ESC-1", "text": "x"})
    assert write.status_code == 403
    assert "read-only" in write.json()["error"]
    assert wall.post("/escalations", json={"title": "t", "customer": "c"}).status_code == 403

    # 409: an invariant
    closing = alice.post("/commands", json={"type": "close", "incident_id": "ESC-1"})
    assert closing.status_code == 409
    assert "resolve" in closing.json()["error"]

    # 422: which field and why
    missing = alice.post("/commands", json={"type": "note", "incident_id": "ESC-1"})
    assert missing.status_code == 422
    assert missing.json()["field"] == "text"
    bad_enum = alice.post("/commands", json={"type": "triage", "incident_id": "ESC-1",
                                             "severity": "P9", "reason": "r"})
    assert (bad_enum.status_code, bad_enum.json()["field"]) == (422, "severity")
    unknown = alice.post("/commands", json={"type": "explode", "incident_id": "ESC-1"})
    assert (unknown.status_code, unknown.json()["field"]) == (422, "type")
    domain = alice.post("/commands", json={"type": "assign", "incident_id": "ESC-1",
                                           "role": "wizard", "person": "bob"})
    assert (domain.status_code, domain.json()["field"]) == (422, "role")
    bad_query = alice.get("/events", params={"since": "x"})
    assert (bad_query.status_code, bad_query.json()["field"]) == (422, "since")

    # 400: not JSON / not an object
    assert alice.post("/commands", content=b"{nope").status_code == 400
    assert alice.post("/commands", json=[1, 2]).status_code == 400
    assert alice.get("/stream", headers={"Last-Event-ID": "abc"}).status_code == 400

    # 404
    gone = alice.post("/commands", json={"type": "note", "incident_id": "ESC-99", "text": "x"})
    assert gone.status_code == 404
    assert alice.get("/escalations/ESC-99").status_code == 404
    assert alice.get("/escalations/ESC-99/events").status_code == 404
    assert alice.get("/no/such/route").json() == {"error": "Not Found"}

    # nothing above wrote anything
    assert len(alice.get("/events").json()["events"]) == 1


def test_one_key_one_event(live: LiveServer, tokens: Tokens) -> None:
    alice = client(live, tokens.alice)
    alice.post("/escalations", json={"title": "t", "customer": "c"})
    note = {"type": "note", "incident_id": "ESC-1", "text": "once"}
    first = alice.post("/commands", json={**note, "idempotency_key": "k-1"})
    again = alice.post("/commands", json=note, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 200
    assert first.json()["duplicate"] is False
    assert again.json()["duplicate"] is True
    assert again.json()["seqs"] == first.json()["seqs"]
    texts = [e["payload"].get("text") for e in alice.get("/events").json()["events"]]
    assert texts.count("once") == 1
    assert alice.get("/commands/k-1").json()["seqs"] == first.json()["seqs"]
    assert alice.get("/commands/unknown").status_code == 404
    clash = alice.post("/commands", json={**note, "idempotency_key": "a"},
                       headers={"Idempotency-Key": "b"})
    assert (clash.status_code, clash.json()["field"]) == (422, "idempotency_key")
    opened = [alice.post("/escalations", json={"title": "u", "customer": "c"},
                         headers={"Idempotency-Key": "open-1"}) for _ in range(2)]
    assert [r.status_code for r in opened] == [201, 200]
    assert opened[0].json()["id"] == opened[1].json()["id"] == "ESC-2"


def test_idempotency_keys_are_each_persons_own(live: LiveServer, tokens: Tokens) -> None:
    alice, bob = client(live, tokens.alice), client(live, tokens.bob)
    alice.post("/escalations", json={"title": "t", "customer": "c"})
    mine = alice.post("/commands", json={"type": "note", "incident_id": "ESC-1", "text": "a",
                                         "idempotency_key": "same"})
    theirs = bob.post("/commands", json={"type": "note", "incident_id": "ESC-1", "text": "b",
                                         "idempotency_key": "same"})
    assert mine.status_code == theirs.status_code == 200
    assert theirs.json()["duplicate"] is False and theirs.json()["actor"] == "bob"
    assert theirs.json()["seqs"] != mine.json()["seqs"]
    notes = [(e["actor"], e["payload"]["text"]) for e in alice.get("/events").json()["events"]
             if e["kind"] == "note"]
    assert notes == [("alice", "a"), ("bob", "b")]
    assert alice.get("/commands/same").json()["seqs"] == mine.json()["seqs"]
    assert bob.get("/commands/same").json()["seqs"] == theirs.json()["seqs"]
    assert client(live, tokens.carol).get("/commands/same").status_code == 404


def test_meta_endpoints(live: LiveServer, tokens: Tokens, policy: Policy) -> None:
    anonymous = client(live, None)
    assert anonymous.get(live.url + "/healthz").json()["status"] == "ok"
    assert anonymous.get("/healthz").status_code == 200
    assert anonymous.get("/time").status_code == 401
    wall = client(live, tokens.wall)
    assert wall.get("/me").json() == {"person": "wall", "read_only": True,
                                      "token_id": tokens.wall.split("_")[1]}
    assert "timestamp" in wall.get("/time").json()
    assert convert(wall.get("/policy").json(), Policy, strict=False) == policy
    schema = anonymous.get(live.url + "/openapi.json").json()
    for path in ("/api/v1/escalations", "/api/v1/escalations/{incident_id}", "/api/v1/commands",
                 "/api/v1/events", "/api/v1/stream", "/api/v1/time", "/healthz"):
        assert path in schema["paths"]
    assert "CommandRequest" in schema["components"]["schemas"]
    assert anonymous.get(live.url + "/docs").status_code == 200


def test_drafts_belong_to_the_token_person(live: LiveServer, tokens: Tokens) -> None:
    alice, bob = client(live, tokens.alice), client(live, tokens.bob)
    alice.post("/escalations", json={"title": "t", "customer": "c"})
    assert alice.put("/escalations/ESC-1/draft", json={"body": "half"}).status_code == 200
    assert alice.get("/escalations/ESC-1/draft").json()["body"] == {"body": "half"}
    assert bob.get("/escalations/ESC-1/draft").status_code == 404
    assert alice.delete("/escalations/ESC-1/draft").status_code == 204
    assert alice.get("/escalations/ESC-1/draft").status_code == 404
