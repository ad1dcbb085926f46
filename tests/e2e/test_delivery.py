"""Deliveries sent for real: an aiosmtpd server, a local HTTP receiver, a closed port, two
deliverers on one store file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from tests.conftest import FrozenClock
from tests.receivers import HttpReceiver, SmtpReceiver, free_port
from warroom.config import load_config
from warroom.config.delivery import Delivery
from warroom.delivery.worker import Backoff, Deliverer
from warroom.domain.commands import Assign, Open, PostUpdate, Triage
from warroom.domain.models import Audience, EventKind, Phase, Severity
from warroom.domain.policy import Policy
from warroom.service import WarRoom
from warroom.store.sqlite import SqliteStore


def open_escalation(service: WarRoom, customer: str = "Northwind Bank") -> str:
    result = service.execute(Open(title="Payments failing", customer=customer), "alice")
    incident_id: str = result["id"]
    service.execute(Triage(incident_id=incident_id, severity=Severity.P1, reason="outage"),
                    "alice")
    service.execute(Assign(incident_id=incident_id, role="customer_spoc", person="bob"), "alice")
    return incident_id


def post(service: WarRoom, incident_id: str, body: str,
         audience: Audience = Audience.CUSTOMER) -> int:
    result = service.execute(PostUpdate(incident_id=incident_id, audience=audience, body=body,
                                        phase=Phase.INVESTIGATING), "alice")
    seqs: list[int] = result["seqs"]
    return seqs[0]


def channels(**tables: dict[str, Any]) -> Delivery:
    """The channels of a real config file holding `tables`."""
    path = Path(tempfile.mkdtemp()) / "warroom.toml"
    path.write_text(tomli_w.dumps({"channels": tables}), encoding="utf-8")
    delivery = load_config(path).delivery
    assert delivery is not None
    return delivery


@pytest.fixture
def store(store_path: Path) -> Any:
    s = SqliteStore(store_path)
    yield s
    s.close()


def test_customer_update_reaches_a_real_smtp_server_threaded_by_escalation(
        store: SqliteStore, policy: Policy, clock: FrozenClock) -> None:
    with SmtpReceiver() as smtp:
        config = channels(**{"northwind-email": {
            "kind": "email", "smtp": smtp.address, "from": "warroom@example.com",
            "to": ["ops@northwind.example"], "audiences": ["customer"],
            "customers": ["Northwind Bank"]}})
        service = WarRoom(store, policy, clock, config)
        esc = open_escalation(service)
        other = open_escalation(service, customer="Contoso")
        post(service, esc, "We are investigating failed card payments.")
        post(service, esc, "Internal: db primary is sick.", Audience.INTERNAL)
        post(service, other, "Contoso is affected too.")
        post(service, esc, "Identified: a connection leak.")
        report = Deliverer(store, config, policy, clock).run_once()
        assert len(report.delivered) == 2 and not report.failed
        first, second = smtp.wait_for(2)
    assert first["Subject"] == f"[{esc}] Northwind Bank — Payments failing (P1, investigating)"
    assert first["To"] == "ops@northwind.example"
    assert first.get_content_type() == "text/plain"
    assert "We are investigating failed card payments." in first.get_content()
    assert "db primary" not in first.get_content() + second.get_content()
    assert first["Message-ID"] != second["Message-ID"]
    assert first["References"] == second["References"] == first["In-Reply-To"]
    assert smtp.envelopes[0].rcpt_tos == ["ops@northwind.example"]
    delivered = [e for e in store.read() if e.kind is EventKind.UPDATE_DELIVERED]
    assert [e.payload["channel"] for e in delivered] == ["northwind-email"] * 2
    assert delivered[0].payload["recipients"] == ["ops@northwind.example"]
    assert delivered[0].payload["attempt"] == 1
    update = service.state(esc).updates[0]
    assert update.deliveries["northwind-email"].state == "delivered"
    assert not update.undelivered


def test_webhook_and_slack_posts_reach_a_local_receiver(
        store: SqliteStore, policy: Policy, clock: FrozenClock) -> None:
    with HttpReceiver() as http:
        config = channels(
            **{"exec-hook": {"kind": "webhook", "url": http.url("/hook"),
                             "audiences": ["executive", "internal"]},
               "comms-slack": {"kind": "slack", "url": http.url("/slack"),
                               "audiences": ["customer"]}})
        service = WarRoom(store, policy, clock, config)
        esc = open_escalation(service)
        seq = post(service, esc, "Board briefing: no data lost.", Audience.EXECUTIVE)
        post(service, esc, "Customer-facing text.", Audience.CUSTOMER)
        report = Deliverer(store, config, policy, clock).run_once()
    assert len(report.delivered) == 2
    by_path = {path: (headers, body) for path, headers, body in http.posts}
    headers, body = by_path["/hook"]
    assert body["idempotency_key"] == headers["Idempotency-Key"] == f"{esc}.{seq}.exec-hook"
    assert body["kind"] == "update" and body["audience"] == "executive"
    assert body["incident_id"] == esc and body["customer"] == "Northwind Bank"
    assert body["body"].startswith("Board briefing: no data lost.")
    _, slack = by_path["/slack"]
    assert set(slack) == {"text"}
    assert f"[{esc}] Northwind Bank — Payments failing" in slack["text"]
    assert "Customer-facing text." in slack["text"]


def test_closed_port_fails_retries_with_backoff_then_delivers_once_it_opens(
        store: SqliteStore, policy: Policy, clock: FrozenClock) -> None:
    port = free_port()
    config = channels(hook={"kind": "webhook", "url": f"http://127.0.0.1:{port}/hook"})
    service = WarRoom(store, policy, clock, config)
    esc = open_escalation(service)
    post(service, esc, "Investigating.")
    deliverer = Deliverer(store, config, policy, clock, backoff=Backoff(timedelta(seconds=10)))
    first = deliverer.run_once()
    assert first.failed and first.failed[0][1] == "connection refused"
    update = service.state(esc).updates[0]
    assert update.deliveries["hook"].state == "failed"
    assert update.deliveries["hook"].error == "connection refused"
    assert deliverer.run_once().failed == []  # backing off: not due yet
    clock.advance(seconds=10)
    second = deliverer.run_once()
    assert second.failed and store.deliveries()[0].attempts == 2
    with HttpReceiver(port=port) as http:
        clock.advance(seconds=19)
        assert deliverer.run_once().delivered == []  # 2nd backoff is 20 s
        clock.advance(seconds=1)
        assert len(deliverer.run_once().delivered) == 1
        assert len(http.posts) == 1
    kinds = [e.kind for e in store.read(incident_id=esc)
             if e.kind in (EventKind.UPDATE_DELIVERED, EventKind.UPDATE_DELIVERY_FAILED)]
    assert kinds == [EventKind.UPDATE_DELIVERY_FAILED] * 2 + [EventKind.UPDATE_DELIVERED]
    failed = [e for e in store.read(incident_id=esc)
              if e.kind is EventKind.UPDATE_DELIVERY_FAILED]
    assert [e.payload["attempt"] for e in failed] == [1, 2]
    assert failed[0].payload["error"] == "connection refused"
    assert service.state(esc).updates[0].deliveries["hook"].state == "delivered"


def test_two_deliverers_on_one_store_never_send_the_same_delivery(
        store_path: Path, policy: Policy) -> None:
    from warroom.cli.context import system_clock

    with HttpReceiver() as http:
        config = channels(hook={"kind": "webhook", "url": http.url()})
        posting = SqliteStore(store_path)
        service = WarRoom(posting, policy, system_clock, config)
        esc = open_escalation(service)
        for n in range(40):
            post(service, esc, f"update {n}")
        stores = [SqliteStore(store_path) for _ in range(2)]
        deliverers = [Deliverer(s, config, policy, system_clock) for s in stores]
        threads = [threading.Thread(target=d.run_once) for d in deliverers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        keys = [body["idempotency_key"] for _, _, body in http.posts]
        for s in [*stores, posting]:
            s.close()
    assert len(keys) == 40 and len(set(keys)) == 40


def test_crash_between_send_and_record_resends_once_with_the_same_key(
        store: SqliteStore, policy: Policy, clock: FrozenClock) -> None:
    with HttpReceiver() as http:
        config = channels(hook={"kind": "webhook", "url": http.url()})
        service = WarRoom(store, policy, clock, config)
        esc = open_escalation(service)
        post(service, esc, "Investigating.")
        # a deliverer that claims and sends, then dies before recording
        claimed = store.claim_deliveries("crashed", clock(), timedelta(seconds=60))
        from warroom.delivery.senders import send

        send(config.channels["hook"], claimed[0], 5.0)
        survivor = Deliverer(store, config, policy, clock)
        assert survivor.run_once().delivered == []  # the lease still runs
        clock.advance(seconds=61)
        assert len(survivor.run_once().delivered) == 1
    first, second = (headers["Idempotency-Key"] for _, headers, _ in http.posts)
    assert first == second
    assert store.deliveries()[0].attempts == 2


def test_update_clocks_count_a_delivered_update_not_a_recorded_one(
        store: SqliteStore, policy: Policy, clock: FrozenClock) -> None:
    port = free_port()
    config = channels(hook={"kind": "webhook", "url": f"http://127.0.0.1:{port}/hook"})
    service = WarRoom(store, policy, clock, config)
    esc = open_escalation(service)
    clock.advance(minutes=5)
    post(service, esc, "Investigating.")
    deliverer = Deliverer(store, config, policy, clock, backoff=Backoff(timedelta(minutes=1)))
    deliverer.run_once()  # refused
    status = service.status(esc)
    assert status["clocks"]["first_update"]["state"] not in ("met", "met_late")
    assert status["undelivered_customer_updates"] == 1
    (update,) = status["updates"]
    assert update["delivery"] == "failed"
    assert update["deliveries"] == [{
        "channel": "hook", "recipients": [f"http://127.0.0.1:{port}/hook"], "state": "failed",
        "attempts": 1, "error": "connection refused", "at": update["posted_at"]}]
    with HttpReceiver(port=port):
        clock.advance(minutes=1)
        deliverer.run_once()
    status = service.status(esc)
    assert status["clocks"]["first_update"]["state"] == "met"
    assert status["clocks"]["first_update"]["met_at"] == status["updates"][0]["deliveries"][0]["at"]
    assert status["last_customer_update_at"] == status["updates"][0]["deliveries"][0]["at"]
    assert status["undelivered_customer_updates"] == 0


def test_an_apprise_url_is_sent_by_apprise(
        store: SqliteStore, policy: Policy, clock: FrozenClock) -> None:
    with HttpReceiver() as http:
        config = channels(ntfy={"kind": "apprise", "url": f"json://127.0.0.1:{http.port}/ap",
                                "audiences": ["internal"]})
        service = WarRoom(store, policy, clock, config)
        esc = open_escalation(service)
        post(service, esc, "Failover started.", Audience.INTERNAL)
        report = Deliverer(store, config, policy, clock).run_once()
    assert len(report.delivered) == 1, report.failed
    ((path, _, body),) = http.posts
    assert path == "/ap"
    assert body["title"] == f"[{esc}] Northwind Bank — Payments failing (P1, investigating)"
    assert body["message"].startswith("Failover started.")


def test_an_apprise_failure_is_recorded_and_retried(
        store: SqliteStore, policy: Policy, clock: FrozenClock) -> None:
    config = channels(ntfy={"kind": "apprise", "url": f"json://127.0.0.1:{free_port()}/ap"})
    service = WarRoom(store, policy, clock, config)
    esc = open_escalation(service)
    post(service, esc, "Investigating.")
    report = Deliverer(store, config, policy, clock).run_once()
    assert report.failed and report.failed[0][1].startswith("apprise: ")
    assert store.deliveries()[0].state == "pending"


def test_warroom_deliver_runs_in_the_foreground_until_stopped(tmp_path: Path) -> None:

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "warroom", "--store", str(store_file),
                               "--config", str(config_file), *args], capture_output=True,
                              text=True, timeout=60, check=False,
                              env={**os.environ, "WARROOM_USER": "dana"})

    store_file = tmp_path / "s.db"
    config_file = tmp_path / "warroom.toml"
    with SmtpReceiver() as smtp:
        config_file.write_text(tomli_w.dumps({"channels": {"mail": {
            "kind": "email", "smtp": smtp.address, "from": "warroom@example.com",
            "to": ["ops@acme.example"]}}}))
        esc = cli("open", "Checkout down", "--customer", "Acme", "--severity", "P1").stdout.strip()
        worker = subprocess.Popen(
            [sys.executable, "-m", "warroom", "--store", str(store_file), "--config",
             str(config_file), "deliver"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env={**os.environ, "WARROOM_USER": "dana"})
        try:
            assert cli("update", esc, "--audience", "customer", "--body", "On it.").returncode == 0
            (mail,) = smtp.wait_for(1, timeout=30)
            assert "On it." in mail.get_content()
        finally:
            worker.send_signal(signal.SIGTERM)
            out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err
    assert f"delivered {esc}." in out
    status = cli("status", esc, "--json")
    assert json.loads(status.stdout)["updates"][0]["delivery"] == "delivered"


def test_deliver_without_channels_is_misuse(tmp_path: Path) -> None:

    done = subprocess.run([sys.executable, "-m", "warroom", "--store", str(tmp_path / "s.db"),
                           "deliver", "--once"], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 2
    assert done.stderr.strip() == ("warroom: channels: no [channels.<name>] configured: "
                                   "nothing to deliver to")


def test_the_console_delivers_from_a_thread_of_its_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from warroom.cli import console
    from warroom.cli.context import Context

    monkeypatch.setattr(console, "DELIVERER_GRACE", 0.0)
    with HttpReceiver() as http:
        config_file = tmp_path / "warroom.toml"
        config_file.write_text(tomli_w.dumps({"channels": {"hook": {
            "kind": "webhook", "url": http.url()}}}))
        ctx = Context(str(tmp_path / "s.db"), "alice", str(config_file))
        stop = console._start_deliverer(ctx)
        assert stop is not None
        try:
            service = ctx.service()
            esc = open_escalation(service)
            post(service, esc, "Investigating.")
            deadline = time.monotonic() + 20
            while not http.posts and time.monotonic() < deadline:
                time.sleep(0.02)
        finally:
            stop()
            ctx.service().store.close()
    assert [body["body"].split("\n")[0] for _, _, body in http.posts] == ["Investigating."]
