"""The customer RCA summary sent through the delivery channels, for real: an aiosmtpd server and
a local HTTP receiver receive it, and only a delivery that succeeded meets the `pir` clock
(recorded as `rca_sent` in the delivery's own transaction)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from tests.conftest import FrozenClock
from tests.e2e.test_delivery import channels
from tests.receivers import HttpReceiver, SmtpReceiver, free_port
from warroom.delivery.worker import Backoff, Deliverer
from warroom.domain import commands as c
from warroom.domain import post_commands as pc
from warroom.domain.errors import Refused
from warroom.domain.models import ClockName, ClockState, EventKind, Severity
from warroom.domain.policy import Policy
from warroom.domain.rca import customer_rca
from warroom.domain.sla import clocks
from warroom.reports.rca_export import render_rca
from warroom.service import WarRoom
from warroom.store.sqlite import SqliteStore

WHYS = ["the certificate expired", "renewal is a manual step", "nothing reminds anyone"]


@pytest.fixture
def store(store_path: Path) -> Any:
    s = SqliteStore(store_path)
    yield s
    s.close()


def reviewed(service: WarRoom, clock: FrozenClock, customer: str = "Northwind Bank") -> str:
    """A P1 resolved an hour after it opened, its PIR complete (the RCA not sent yet)."""
    iid = str(service.execute(c.Open(title="TLS errors", customer=customer,
                                     severity=Severity.P1), "alice")["id"])
    clock.advance(hours=1)
    service.execute(c.Resolve(incident_id=iid, summary="certificate renewed"), "alice")
    service.execute(pc.PirEdit(incident_id=iid, fields={
        "summary": "Expired certificate on the payments API.",
        "root_cause": "the certificate expired unnoticed", "whys": WHYS}), "alice")
    service.execute(pc.ActionAdd(incident_id=iid, title="automate renewal", owner="alice",
                                 due_at=clock() + timedelta(days=7)), "alice")
    service.execute(pc.PirComplete(incident_id=iid), "alice")
    return iid


def pir_clock(service: WarRoom, iid: str, clock: FrozenClock) -> Any:
    return clocks(service.state(iid), service.policy, clock())[ClockName.PIR]


def test_the_rca_reaches_a_real_smtp_server_and_its_delivery_meets_the_pir_clock(
        store: SqliteStore, policy: Policy, clock: FrozenClock) -> None:
    with SmtpReceiver() as smtp:
        config = channels(**{
            "northwind-email": {"kind": "email", "smtp": smtp.address,
                                "from": "warroom@example.com",
                                "to": ["cto@northwind.example", "ops@northwind.example"],
                                "audiences": ["customer"], "customers": ["Northwind Bank"]},
            "exec-mail": {"kind": "email", "smtp": smtp.address, "from": "warroom@example.com",
                          "to": ["board@example.com"], "audiences": ["executive"]}})
        service = WarRoom(store, policy, clock, config)
        iid = reviewed(service, clock)
        clock.advance(minutes=10)
        queued = service.execute(pc.PirSend(incident_id=iid), "alice")
        assert queued["queued"] == [{"channel": "northwind-email", "recipients": [
            "cto@northwind.example", "ops@northwind.example"]}]
        expected = render_rca(customer_rca(service.state(iid), service.events(iid), policy,
                                           clock()))
        assert pir_clock(service, iid, clock).met_at is None  # queued is not sent
        clock.advance(minutes=1)
        report = Deliverer(store, config, policy, clock).run_once()
        assert len(report.delivered) == 1 and not report.failed
        (mail,) = smtp.wait_for(1)
    assert mail["Subject"] == f"[{iid}] Northwind Bank — Root cause analysis: TLS errors"
    assert mail["To"] == "cto@northwind.example, ops@northwind.example"
    # the document `pir ID --format md` prints (SMTP carries CRLF line ends)
    assert mail.get_content().replace("\r\n", "\n") == expected
    assert smtp.envelopes[0].rcpt_tos == ["cto@northwind.example", "ops@northwind.example"]
    state = service.state(iid)
    assert state.rca_sent == [{"at": clock(), "by": "alice", "via": "northwind-email",
                               "to": ["cto@northwind.example", "ops@northwind.example"]}]
    pir = pir_clock(service, iid, clock)
    assert (pir.state, pir.met_at) == (ClockState.MET, clock())
    log = service.events(iid)
    delivered = next(e for e in log if e.kind is EventKind.UPDATE_DELIVERED)
    sent = next(e for e in log if e.kind is EventKind.RCA_SENT)
    assert delivered.payload["of"] == "rca"
    # one transaction: adjacent seqs, one store time
    assert (sent.seq, sent.recorded_at) == (delivered.seq + 1, delivered.recorded_at)
    assert sent.payload["requested_by"] == "alice"


def test_a_failed_delivery_does_not_meet_the_clock_the_retry_that_succeeds_does(
        store: SqliteStore, policy: Policy, clock: FrozenClock) -> None:
    port = free_port()
    config = channels(hook={"kind": "webhook", "url": f"http://127.0.0.1:{port}/rca",
                            "audiences": ["customer"]})
    service = WarRoom(store, policy, clock, config)
    iid = reviewed(service, clock)
    service.execute(pc.PirSend(incident_id=iid), "alice")
    deliverer = Deliverer(store, config, policy, clock, backoff=Backoff(timedelta(minutes=1)))
    report = deliverer.run_once()
    assert report.failed and report.failed[0][1] == "connection refused"
    assert service.state(iid).rca_sent == []
    assert pir_clock(service, iid, clock).met_at is None
    assert not any(e.kind is EventKind.RCA_SENT for e in service.events(iid))
    with HttpReceiver(port=port) as http:
        clock.advance(minutes=1)
        assert len(deliverer.run_once().delivered) == 1
    ((path, headers, body),) = http.posts
    assert path == "/rca"
    assert body["kind"] == "rca" and body["incident_id"] == iid
    assert body["idempotency_key"] == headers["Idempotency-Key"]
    assert body["body"].startswith("# Root cause analysis: TLS errors")
    assert body["requested_by"] == "alice"
    pir = pir_clock(service, iid, clock)
    assert (pir.state, pir.met_at) == (ClockState.MET, clock())
    [sent] = service.state(iid).rca_sent
    assert sent["to"] == [f"http://127.0.0.1:{port}/rca"] and sent["via"] == "hook"


def test_no_channel_for_the_customer_is_refused_and_writes_nothing(
        store: SqliteStore, policy: Policy, clock: FrozenClock) -> None:
    config = channels(other={"kind": "webhook", "url": "http://127.0.0.1:9/x",
                             "audiences": ["customer"], "customers": ["Contoso"]},
                      internal={"kind": "webhook", "url": "http://127.0.0.1:9/y",
                                "audiences": ["internal"]})
    service = WarRoom(store, policy, clock, config)
    iid = reviewed(service, clock)
    before = store.last_seq()
    with pytest.raises(Refused, match=rf"no channel takes customer messages for Northwind "
                                      rf"Bank.*`pir {iid} sent --to ADDRESS`"):
        service.execute(pc.PirSend(incident_id=iid), "alice")
    assert store.last_seq() == before and store.deliveries() == []
    service.delivery = None
    with pytest.raises(Refused, match="no delivery channels are configured"):
        service.execute(pc.PirSend(incident_id=iid), "alice")


def test_sending_before_the_pir_is_complete_is_refused(
        store: SqliteStore, policy: Policy, clock: FrozenClock) -> None:
    config = channels(hook={"kind": "webhook", "url": "http://127.0.0.1:9/x"})
    service = WarRoom(store, policy, clock, config)
    iid = str(service.execute(c.Open(title="x", customer="Acme", severity=Severity.P1),
                              "alice")["id"])
    with pytest.raises(Refused, match="not complete"):
        service.execute(pc.PirSend(incident_id=iid), "alice")
    assert store.deliveries() == []


def test_pir_send_then_warroom_deliver_once_from_the_command_line(tmp_path: Path) -> None:
    store_file, config_file = tmp_path / "s.db", tmp_path / "warroom.toml"

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "warroom", "--store", str(store_file),
                               "--config", str(config_file), *args], capture_output=True,
                              text=True, timeout=60, check=False,
                              env={**os.environ, "WARROOM_USER": "dana"})

    with SmtpReceiver() as smtp:
        config_file.write_text(tomli_w.dumps({"channels": {"mail": {
            "kind": "email", "smtp": smtp.address, "from": "warroom@example.com",
            "to": ["cto@acme.example"], "audiences": ["customer"]}}}))
        esc = cli("open", "Checkout down", "--customer", "Acme", "--severity", "P1").stdout.strip()
        for args in (("resolve", esc, "--summary", "rolled back"),
                     ("pir", esc, "set", "root_cause", "a config change skipped review"),
                     *(("pir", esc, "why", why) for why in WHYS),
                     ("action", esc, "add", "require review", "--owner", "dana", "--due", "+7d"),
                     ("pir", esc, "complete")):
            done = cli(*args)
            assert done.returncode == 0, (args, done.stderr)
        # One fixed time for the queued RCA and the export it is compared with: each process
        # would otherwise prepare it at its own `now` (its "Prepared HH:MM" line).
        sent_at = datetime.now(UTC).isoformat()
        send = cli("pir", esc, "send", "--at", sent_at)
        assert send.returncode == 0, send.stderr
        assert send.stdout.strip() == (
            f"{esc}: customer RCA summary queued for mail (cto@acme.example); it counts as "
            "sent once delivered (warroom deliver, serve or the console sends it)")
        before = json.loads(cli("status", esc, "--json").stdout)["clocks"]["pir"]
        assert before["met_at"] is None
        deliver = cli("deliver", "--once")
        assert deliver.returncode == 0, deliver.stderr
        (mail,) = smtp.wait_for(1, timeout=30)
        document = cli("pir", esc, "--format", "md", "--at", sent_at).stdout
    assert mail.get_content().replace("\r\n", "\n") == document
    assert f"_Prepared {sent_at[:16].replace('T', ' ')} (UTC)._" in document
    status = json.loads(cli("status", esc, "--json").stdout)
    assert status["clocks"]["pir"]["state"] == "met"
    log = cli("log", esc).stdout
    assert "customer RCA summary sent to cto@acme.example via mail (asked by dana)" in log
    internal = cli("pir", esc, "--audience", "internal").stdout
    assert "by dana to cto@acme.example (delivered via mail)" in internal
