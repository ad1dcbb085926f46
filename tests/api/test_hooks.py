"""Alert hooks over a real uvicorn and SQLite file: Alertmanager, PagerDuty (signed), generic."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.helpers import LiveServer, Tokens, client
from warroom.config.schema.hooks import Hooks, PagerDutyHook
from warroom.domain.models import EventKind
from warroom.domain.policy import Policy
from warroom.server.hooks.signature import sign
from warroom.store.sqlite import SqliteStore

SAMPLES = Path(__file__).parent / "data" / "pagerduty"
SECRET = "whsec-test-secret"


def alertmanager_body(status: str = "firing", group: str = '{}:{alertname="CheckoutErrors"}',
                      **labels: str) -> dict[str, Any]:
    common = {"alertname": "CheckoutErrors", "customer": "Northwind Bank",
              "component": "checkout-api", "category": "availability", **labels}
    alert = {"status": status, "labels": {**common, "instance": "api-1"},
             "annotations": {"summary": "Checkout API 5xx above 5%"},
             "startsAt": "2026-11-24T09:55:00Z",
             "endsAt": "2026-11-24T10:20:00Z" if status == "resolved"
             else "0001-01-01T00:00:00Z",
             "generatorURL": "http://127.0.0.1:9090/graph", "fingerprint": "a1b2c3"}
    return {"version": "4", "groupKey": group, "truncatedAlerts": 0, "status": status,
            "receiver": "warroom", "groupLabels": {"alertname": "CheckoutErrors"},
            "commonLabels": common, "commonAnnotations": {"summary": "Checkout API 5xx above 5%"},
            "externalURL": "http://127.0.0.1:9093", "alerts": [alert]}


def events(store_path: Path) -> list[Any]:
    store = SqliteStore(store_path)
    try:
        return store.read(0)
    finally:
        store.close()


def test_alertmanager_opens_one_escalation_then_notes(live: LiveServer, tokens: Tokens,
                                                      store_path: Path) -> None:
    with client(live, tokens.alice) as api:
        first = api.post("/hooks/alertmanager", json=alertmanager_body())
        assert first.status_code == 200, first.text
        opened = first.json()
        assert opened["opened"] is True
        again = api.post("/hooks/alertmanager", json=alertmanager_body()).json()
        resolved = api.post("/hooks/alertmanager", json=alertmanager_body("resolved")).json()
        status = api.get(f"/escalations/{opened['id']}").json()
    assert again["id"] == resolved["id"] == opened["id"] and again["noted"] is True
    assert status["title"] == "Checkout API 5xx above 5%"
    assert status["customer"] == "Northwind Bank"
    kinds = [e.kind for e in events(store_path)]
    assert kinds == [EventKind.OPENED, EventKind.NOTE, EventKind.NOTE]
    assert "all alerts resolved at 2026-11-24 10:20 UTC" in events(store_path)[-1].payload["text"]


def test_fifty_concurrent_identical_deliveries_open_one_escalation(
        live: LiveServer, tokens: Tokens, store_path: Path) -> None:
    body = alertmanager_body()

    def deliver(_: int) -> int:
        with client(live, tokens.alice) as api:
            return api.post("/hooks/alertmanager", json=body).status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        codes = list(pool.map(deliver, range(50)))
    assert codes == [200] * 50
    log = events(store_path)
    assert [e.kind for e in log].count(EventKind.OPENED) == 1
    assert len(log) == 50
    assert [e.seq for e in log] == list(range(1, 51))


def test_dedup_holds_across_a_server_restart(store_path: Path, policy: Policy,
                                             tokens: Tokens) -> None:
    server = LiveServer(store_path, policy).start()
    try:
        with client(server, tokens.alice) as api:
            first = api.post("/hooks/alertmanager", json=alertmanager_body()).json()["id"]
    finally:
        server.stop()
    server = LiveServer(store_path, policy).start()
    try:
        with client(server, tokens.alice) as api:
            again = api.post("/hooks/alertmanager", json=alertmanager_body()).json()
    finally:
        server.stop()
    assert again["id"] == first and again["opened"] is False


@pytest.mark.parametrize(("body", "field"), [
    ({"groupKey": "g", "status": "firing"}, "alerts"),
    ({**alertmanager_body(), "status": "burning"}, "status"),
    ({**alertmanager_body(), "alerts": [{"status": "firing", "startsAt": "yesterday"}]},
     "alerts[0].startsAt"),
    (alertmanager_body(customer=""), "commonLabels.customer"),
    (alertmanager_body(impact="catastrophic"), "commonLabels.impact"),
    (alertmanager_body(affected="many"), "commonLabels.affected"),
])
def test_bad_alertmanager_payloads_are_422_naming_the_field_and_write_nothing(
        live: LiveServer, tokens: Tokens, store_path: Path, body: dict[str, Any],
        field: str) -> None:
    with client(live, tokens.alice) as api:
        response = api.post("/hooks/alertmanager", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert events(store_path) == []


def test_hooks_need_a_token(live: LiveServer, tokens: Tokens) -> None:
    with client(live, None) as api:
        assert api.post("/hooks/alertmanager", json=alertmanager_body()).status_code == 401
        assert api.post("/hooks/generic", json={}).status_code == 401
    with client(live, tokens.wall) as api:
        assert api.post("/hooks/generic", json={}).status_code == 403


def test_generic_hook_opens_and_notes(live: LiveServer, tokens: Tokens, store_path: Path) -> None:
    body = {"dedup_key": "ci-deploy-42", "title": "Deploy broke login", "customer": "Acme",
            "status": "firing", "impact": "degraded", "affected": 12, "component": "auth",
            "category": "deploy", "details": "canary failed"}
    with client(live, tokens.alice) as api:
        opened = api.post("/hooks/generic", json=body).json()
        noted = api.post("/hooks/generic", json={**body, "status": "resolved"}).json()
        status = api.get(f"/escalations/{opened['id']}").json()
    assert opened["opened"] and noted["id"] == opened["id"] and noted["noted"]
    assert status["assessment"]["affected"] == 12
    assert status["tags"] == {"component": "auth", "category": "deploy"}


@pytest.mark.parametrize(("change", "field"), [
    ({"dedup_key": ""}, "dedup_key"),
    ({"status": "open"}, "status"),
    ({"customer": None}, "customer"),
    ({"affected": -1}, "affected"),
    ({"affected": "5"}, "affected"),
    ({"impact": "total"}, "impact"),
    ({"colour": "red"}, "colour"),
    ({"title": "   "}, "title"),
])
def test_bad_generic_bodies_are_422_naming_the_field(
        live: LiveServer, tokens: Tokens, store_path: Path, change: dict[str, Any],
        field: str) -> None:
    body = {"dedup_key": "k", "title": "t", "customer": "Acme", "status": "firing", **change}
    with client(live, tokens.alice) as api:
        response = api.post("/hooks/generic", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert events(store_path) == []


@pytest.fixture
def pagerduty(store_path: Path, policy: Policy, tokens: Tokens,
              monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("WARROOM_PAGERDUTY_SECRET", SECRET)
    hooks = Hooks(pagerduty=PagerDutyHook(services={"PF9KMXH": "Northwind Bank"}))
    server = LiveServer(store_path, policy, hooks=hooks).start()
    yield server
    server.stop()


def signed_post(server: LiveServer, name: str, secret: str = SECRET,
                signature: str | None = None) -> httpx.Response:
    raw = (SAMPLES / name).read_bytes()
    header = signature if signature is not None else f"v1=deadbeef, {sign(raw, secret)}"
    return httpx.post(f"{server.url}/api/v1/hooks/pagerduty", content=raw, timeout=10,
                      headers={"Content-Type": "application/json",
                               "X-PagerDuty-Signature": header})


def test_pagerduty_events_of_each_type(pagerduty: LiveServer, store_path: Path) -> None:
    opened = signed_post(pagerduty, "triggered.json")
    assert opened.status_code == 200, opened.text
    incident = opened.json()["id"]
    for name in ("acknowledged.json", "annotated.json", "resolved.json"):
        response = signed_post(pagerduty, name)
        assert response.status_code == 200 and response.json()["id"] == incident
    log = events(store_path)
    assert log[0].payload["customer"] == "Northwind Bank"
    assert log[0].payload["tags"] == {"component": "Checkout API"}
    texts = [e.payload["text"] for e in log[1:]]
    assert texts[0].startswith("PagerDuty: acknowledged")
    assert "Rolled back deploy 4312" in texts[1]
    assert texts[2].startswith("PagerDuty: all alerts resolved at 2026-11-24 10:07 UTC")
    assert {e.actor for e in log} == {"pagerduty"}


def test_a_replayed_pagerduty_event_writes_nothing(pagerduty: LiveServer,
                                                    store_path: Path) -> None:
    signed_post(pagerduty, "triggered.json")
    signed_post(pagerduty, "annotated.json")
    replay = signed_post(pagerduty, "annotated.json")
    assert replay.status_code == 200 and replay.json()["duplicate"] is True
    assert len(events(store_path)) == 2


@pytest.mark.parametrize("signature", ["", "v1=" + "0" * 64, "v0=abc"])
def test_a_wrong_or_missing_pagerduty_signature_is_401(
        pagerduty: LiveServer, store_path: Path, signature: str) -> None:
    assert signed_post(pagerduty, "triggered.json", signature=signature).status_code == 401
    assert signed_post(pagerduty, "triggered.json", secret="other").status_code == 401
    assert events(store_path) == []


def test_an_unknown_service_goes_to_the_default_customer(
        store_path: Path, policy: Policy, tokens: Tokens,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PD_SECRET", "s2")
    hooks = Hooks(pagerduty=PagerDutyHook(secret_env="PD_SECRET",
                                                 default_customer="Unmapped"))
    server = LiveServer(store_path, policy, hooks=hooks).start()
    try:
        assert signed_post(server, "triggered.json", secret="s2").status_code == 200
    finally:
        server.stop()
    assert events(store_path)[0].payload["customer"] == "Unmapped"


def test_pagerduty_body_must_validate_after_its_signature(pagerduty: LiveServer,
                                                          store_path: Path) -> None:
    raw = json.dumps({"event": {"id": "x", "event_type": "incident.triggered"}}).encode()
    response = httpx.post(f"{pagerduty.url}/api/v1/hooks/pagerduty", content=raw,
                          headers={"X-PagerDuty-Signature": sign(raw, SECRET),
                                   "Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["field"].startswith("event.")
    assert events(store_path) == []


def test_a_bot_token_may_only_open_and_annotate(live: LiveServer, store_path: Path) -> None:
    from warroom.server.tokens import add_token

    bot = add_token(store_path, "alertmanager", bot=True)
    with client(live, bot) as api:
        opened = api.post("/hooks/alertmanager", json=alertmanager_body())
        assert opened.status_code == 200, opened.text
        incident = opened.json()["id"]
        note = api.post("/commands", json={"type": "note", "incident_id": incident,
                                           "text": "runbook: https://runbooks.example/5xx"})
        assert note.status_code == 200, note.text
        triage = api.post("/commands", json={"type": "triage", "incident_id": incident,
                                             "reason": "x"})
        assert triage.status_code == 403 and "bot token" in triage.json()["error"]
        draft = api.put(f"/escalations/{incident}/draft", json={"body": "x"})
        assert draft.status_code == 403
        assert api.get(f"/escalations/{incident}").status_code == 200
    assert [e.actor for e in events(store_path)] == ["alertmanager", "alertmanager"]
