"""Clock triggers: fired once per escalation per transition, recorded as `trigger_fired`, the
message naming the escalation, the clock, the time left and who must act; never again after a
restart (real `warroom deliver --once` processes) or from a second deliverer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import tomli_w

from tests.conftest import FrozenClock
from tests.e2e.test_delivery import channels, open_escalation, post
from tests.receivers import HttpReceiver
from warroom.config import load_config
from warroom.delivery.worker import Deliverer
from warroom.domain.models import EventKind
from warroom.domain.policy import Policy
from warroom.service import WarRoom
from warroom.store.sqlite import SqliteStore


def deliver_once(store: Path, config: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "warroom", "--store", str(store), "--config", str(config),
         "deliver", "--once", "--json"],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "WARROOM_USER": "dana"})
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def cli(store: Path, config: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "warroom", "--store", str(store), "--config", str(config), *args],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "WARROOM_USER": "dana"})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_trigger_fires_exactly_once_across_a_restart(tmp_path: Path) -> None:
    with HttpReceiver() as http:
        config = tmp_path / "warroom.toml"
        config.write_text(tomli_w.dumps({
            "channels": {"exec-hook": {"kind": "webhook", "url": http.url(),
                                       "audiences": ["executive"]}},
            "triggers": [{"when": "resolve:at_risk", "notify": "exec-hook"}]}))
        store = tmp_path / "s.db"
        # a P1 (resolve within 24 h) opened 19 h ago: under a quarter of its time is left
        esc = cli(store, config, "open", "Payments failing", "--customer", "Northwind Bank",
                  "--severity", "P1", "--at", "-19h")
        cli(store, config, "assign", esc, "incident_commander", "maria")
        first = deliver_once(store, config)
        second = deliver_once(store, config)  # a new process: nothing in memory
    assert len(first["fired"]) == 1 and second["fired"] == []
    assert len(first["delivered"]) == 1 and second["delivered"] == []
    (post_,) = http.posts
    body = post_[2]
    assert body["kind"] == "trigger" and body["incident_id"] == esc
    assert (body["clock"], body["state"], body["person"], body["role"]) == (
        "resolve", "at_risk", "maria", "incident_commander")
    assert body["subject"].startswith(f"[{esc}] resolve clock at risk: 4h5")
    assert "The resolve clock is at risk: 4h5" in body["body"]
    assert "To act: maria (incident_commander)." in body["body"]
    with SqliteStore(store) as s:
        fired = [e for e in s.read() if e.kind is EventKind.TRIGGER_FIRED]
    assert len(fired) == 1
    assert {k: fired[0].payload[k] for k in ("clock", "state", "channel")} == {
        "clock": "resolve", "state": "at_risk", "channel": "exec-hook"}


def test_two_deliverers_fire_once_and_each_new_transition_fires_again(
        store_path: Path, policy: Policy, clock: FrozenClock, tmp_path: Path) -> None:
    with HttpReceiver() as http:
        delivery = channels(slack={"kind": "slack", "url": http.url("/slack")})
        config_path = tmp_path / "t.toml"
        config_path.write_text(tomli_w.dumps({
            "channels": {"slack": {"kind": "slack", "url": http.url("/slack")}},
            "triggers": [{"when": "next_update:at_risk", "notify": "slack"},
                         {"when": "next_update:breached", "notify": "slack"}]}))
        loaded = load_config(config_path).delivery
        assert loaded is not None and delivery.channels.keys() == loaded.channels.keys()
        stores = [SqliteStore(store_path) for _ in range(3)]
        service = WarRoom(stores[0], policy, clock, loaded)
        esc = open_escalation(service)  # P1: first update within 30 min
        deliverers = [Deliverer(s, loaded, policy, clock) for s in stores[1:]]

        def both() -> list[str]:
            fired: list[list[str]] = [[], []]
            threads = [threading.Thread(target=lambda n=n: fired[n].extend(
                deliverers[n].run_once().fired)) for n in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return fired[0] + fired[1]

        assert both() == []
        clock.advance(minutes=23)  # 7 of 30 minutes left: at risk
        assert len(both()) == 1
        assert both() == []
        clock.advance(minutes=8)  # breached
        assert len(both()) == 1
        post(service, esc, "We are investigating.")  # a customer update: the clock restarts
        both()  # delivers the update (the customer channel is the same slack hook)
        clock.advance(minutes=46)  # 14 of 60 minutes left: at risk again, a new transition
        assert len(both()) == 1
        for s in stores:
            s.close()
    texts = [body["text"] for path, _, body in http.posts]
    triggers = [t for t in texts if "next_update clock" in t]
    assert len(triggers) == 3
    assert "next_update clock at risk: 7m00s left" in triggers[0]
    assert "next_update clock breached" in triggers[1]
    assert "To act: bob (customer_spoc)." in triggers[0]
