"""`warroom serve`'s app delivers: an update posted over HTTP reaches the channel with nobody
else running, and the delivered state comes back in the escalation document."""

from __future__ import annotations

from pathlib import Path

import tomli_w

from tests.api.helpers import LiveServer, Tokens, client, wait_until
from tests.receivers import SmtpReceiver
from warroom.config import load_config
from warroom.domain.policy import Policy


def test_an_update_posted_over_http_is_mailed_by_the_server(
        store_path: Path, policy: Policy, tokens: Tokens, tmp_path: Path) -> None:
    with SmtpReceiver() as smtp:
        config_path = tmp_path / "warroom.toml"
        config_path.write_text(tomli_w.dumps({"channels": {"mail": {
            "kind": "email", "smtp": smtp.address, "from": "warroom@example.com",
            "to": ["ops@acme.example"]}}}))
        live = LiveServer(store_path, policy, delivery=load_config(config_path).delivery)
        live.start()
        try:
            alice = client(live, tokens.alice)
            opened = alice.post("/escalations", json={"title": "Checkout down",
                                                      "customer": "Acme", "severity": "P1"})
            assert opened.status_code == 201, opened.text
            esc = opened.json()["id"]
            posted = alice.post("/commands", json={
                "type": "update", "incident_id": esc, "audience": "customer",
                "body": "We are on it.", "phase": "investigating"})
            assert posted.status_code == 200, posted.text
            (mail,) = smtp.wait_for(1)
            assert mail["Subject"].startswith(f"[{esc}] Acme — Checkout down (P1, ")
            assert "We are on it." in mail.get_content()

            def delivered() -> bool:
                doc = alice.get(f"/escalations/{esc}").json()
                return bool(doc["updates"][0]["delivery"] == "delivered")

            wait_until(delivered, what="the delivered state in the escalation document")
        finally:
            live.stop()


def test_the_rca_sent_over_http_is_mailed_by_the_server_and_meets_the_pir_clock(
        store_path: Path, policy: Policy, tokens: Tokens, tmp_path: Path) -> None:
    with SmtpReceiver() as smtp:
        config_path = tmp_path / "warroom.toml"
        config_path.write_text(tomli_w.dumps({"channels": {"mail": {
            "kind": "email", "smtp": smtp.address, "from": "warroom@example.com",
            "to": ["cto@acme.example"], "audiences": ["customer"]}}}))
        live = LiveServer(store_path, policy, delivery=load_config(config_path).delivery)
        live.start()
        try:
            alice = client(live, tokens.alice)
            esc = alice.post("/escalations", json={"title": "Checkout down", "customer": "Acme",
                                                   "severity": "P1"}).json()["id"]
            for body in (
                    {"type": "resolve", "summary": "rolled back"},
                    {"type": "pir", "fields": {
                        "root_cause": "a config change skipped review",
                        "whys": ["the change broke checkout", "review was optional",
                                 "the pipeline allowed it"]}},
                    {"type": "action_add", "title": "require review", "owner": "alice",
                     "due_at": "2099-01-01T00:00:00Z"},
                    {"type": "pir_complete"}):
                done = alice.post("/commands", json={**body, "incident_id": esc})
                assert done.status_code == 200, (body, done.text)
            sent = alice.post("/commands", json={"type": "pir_send", "incident_id": esc})
            assert sent.status_code == 200, sent.text
            assert sent.json()["queued"] == [{"channel": "mail",
                                              "recipients": ["cto@acme.example"]}]
            (mail,) = smtp.wait_for(1)
            assert mail["Subject"] == f"[{esc}] Acme — Root cause analysis: Checkout down"

            def met() -> bool:
                doc = alice.get(f"/escalations/{esc}").json()
                return bool(doc["clocks"]["pir"]["state"] == "met")

            wait_until(met, what="the pir clock met by the delivery")
        finally:
            live.stop()
