"""Per-customer status pages over real HTTP: only that customer's escalations, only customer
text, Statuspage v2 keys, 404 for unknown and revoked keys, and our own importer reads them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.helpers import LiveServer
from tests.conftest import FrozenClock
from warroom.cli import run
from warroom.domain.commands import Open, PostUpdate, Resolve, Triage
from warroom.domain.models import Audience, Phase, Severity
from warroom.domain.policy import Policy
from warroom.service import WarRoom
from warroom.store.sqlite import SqliteStore

REAL = Path("/work/shared/data/statuspage/githubstatus-2010-2021.json")
SECRETS = ("SECRET-INTERNAL", "EXEC-ONLY", "Contoso")


def post(service: WarRoom, esc: str, audience: Audience, body: str,
         phase: Phase = Phase.INVESTIGATING) -> None:
    service.execute(PostUpdate(incident_id=esc, audience=audience, body=body, phase=phase),
                    "alice")


@pytest.fixture
def seeded(store_path: Path, policy: Policy, clock: FrozenClock) -> dict[str, str]:
    store = SqliteStore(store_path)
    service = WarRoom(store, policy, clock)
    ids = {}
    for name, customer, severity in (("old", "Northwind Bank", Severity.P2),
                                     ("now", "Northwind Bank", Severity.P1),
                                     ("other", "Contoso", Severity.P0)):
        ids[name] = service.execute(Open(title=f"{customer} {name} trouble", customer=customer),
                                    "alice")["id"]
        service.execute(Triage(incident_id=ids[name], severity=severity, reason="r"), "alice")
        clock.advance(minutes=5)
    post(service, ids["old"], Audience.CUSTOMER, "Card payments are failing.")
    post(service, ids["old"], Audience.INTERNAL, "SECRET-INTERNAL: db primary failed over.")
    clock.advance(minutes=5)
    post(service, ids["old"], Audience.CUSTOMER, "A fix is rolling out.", Phase.MONITORING)
    service.execute(Resolve(incident_id=ids["old"], summary="SECRET-INTERNAL root cause"),
                    "alice")
    post(service, ids["now"], Audience.CUSTOMER, "Logins are slow; we are investigating.")
    post(service, ids["now"], Audience.EXECUTIVE, "EXEC-ONLY: revenue at risk.")
    post(service, ids["other"], Audience.CUSTOMER, "Contoso text.")
    store.close()
    return ids


def add_page(store_path: Path, customer: str, capsys: pytest.CaptureFixture[str],
             url: str) -> str:
    assert run(["--store", str(store_path), "statuspage", "add", customer, "--url", url]) == 0
    link = capsys.readouterr().out.strip()
    assert re.fullmatch(rf"{re.escape(url)}/status/[A-Za-z0-9_-]{{40,}}/", link), link
    return link


@pytest.fixture
def server(store_path: Path, policy: Policy, seeded: dict[str, str]) -> Iterator[LiveServer]:
    live = LiveServer(store_path, policy).start()
    yield live
    live.stop()


def test_the_page_shows_only_its_customer_and_only_customer_text(
        server: LiveServer, store_path: Path, seeded: dict[str, str],
        capsys: pytest.CaptureFixture[str]) -> None:
    link = add_page(store_path, "Northwind Bank", capsys, server.url)
    page = httpx.get(link)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "Northwind Bank" in text and "Logins are slow; we are investigating." in text
    assert "A fix is rolling out." in text
    for secret in SECRETS:
        assert secret not in text
    assert "<script" not in text.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)  # no remote asset
    assert "Partial System Outage" in text  # a P1 (major) still open
    for document in ("summary.json", "status.json", "incidents.json",
                     "incidents/unresolved.json"):
        response = httpx.get(f"{link}api/v2/{document}")
        assert response.status_code == 200, document
        for secret in SECRETS:
            assert secret not in response.text, (document, secret)


def test_documents_have_the_keys_of_real_statuspage_data(
        server: LiveServer, store_path: Path, seeded: dict[str, str],
        capsys: pytest.CaptureFixture[str]) -> None:
    link = add_page(store_path, "Northwind Bank", capsys, server.url)
    real = json.loads(REAL.read_text())
    incidents = httpx.get(f"{link}api/v2/incidents.json").json()
    assert set(incidents) == set(real) == {"page", "incidents"}
    assert set(incidents["page"]) == set(real["page"])
    assert [i["id"] for i in incidents["incidents"]] == [seeded["now"], seeded["old"]]
    for ours in incidents["incidents"]:
        assert set(ours) == set(real["incidents"][0])
        for update in ours["incident_updates"]:
            assert set(update) == set(real["incidents"][0]["incident_updates"][0])
    old = incidents["incidents"][1]
    assert (old["status"], old["impact"]) == ("resolved", "minor")
    assert old["monitoring_at"] is not None and old["resolved_at"] is not None
    assert [u["body"] for u in old["incident_updates"]] == [
        "A fix is rolling out.", "Card payments are failing."]  # newest first
    assert [u["status"] for u in old["incident_updates"]] == ["monitoring", "investigating"]
    status = httpx.get(f"{link}api/v2/status.json").json()
    assert status["status"] == {"indicator": "major", "description": "Partial System Outage"}
    summary = httpx.get(f"{link}api/v2/summary.json").json()
    assert {"page", "components", "incidents", "scheduled_maintenances", "status"} <= set(summary)
    assert [i["id"] for i in summary["incidents"]] == [seeded["now"]]
    unresolved = httpx.get(f"{link}api/v2/incidents/unresolved.json").json()
    assert [i["id"] for i in unresolved["incidents"]] == [seeded["now"]]


def test_unknown_and_revoked_keys_are_404(
        server: LiveServer, store_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    link = add_page(store_path, "Northwind Bank", capsys, server.url)
    assert httpx.get(f"{server.url}/status/not-a-key/").status_code == 404
    assert httpx.get(f"{server.url}/status/not-a-key/api/v2/status.json").status_code == 404
    assert httpx.get(f"{link}api/v2/other.json").status_code == 404
    assert run(["--store", str(store_path), "statuspage", "list", "--json"]) == 0
    listed: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    assert [row["customer"] for row in listed] == ["Northwind Bank"]
    assert link.split("/")[-2] not in json.dumps(listed)  # the secret is never shown again
    assert run(["--store", str(store_path), "statuspage", "revoke", "Northwind Bank"]) == 0
    assert httpx.get(link).status_code == 404
    assert httpx.get(f"{link}api/v2/incidents.json").status_code == 404
    assert run(["--store", str(store_path), "statuspage", "revoke", "Northwind Bank"]) == 2


def test_our_importer_reads_our_incidents_json_back(
        server: LiveServer, store_path: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    link = add_page(store_path, "Northwind Bank", capsys, server.url)
    exported = tmp_path / "incidents.json"
    exported.write_text(httpx.get(f"{link}api/v2/incidents.json").text)
    other = tmp_path / "other.db"
    assert run(["--store", str(other), "import", "statuspage", str(exported), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["incidents"], summary["imported"]) == (2, 2)
    assert summary["unresolved_at_source"] == 1  # "now" is still open on our page
    assert run(["--store", str(other), "list", "--all", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    rows = listed if isinstance(listed, list) else listed["escalations"]
    assert sorted(r["customer"] for r in rows) == ["Northwind Bank"] * 2
    assert sorted(r["title"] for r in rows) == ["Northwind Bank now trouble",
                                                "Northwind Bank old trouble"]
    by_title = {r["title"]: r for r in rows}
    now, old = by_title["Northwind Bank now trouble"], by_title["Northwind Bank old trouble"]
    assert {now["phase"], old["phase"]} == {"closed"}  # history arrives closed
    assert now["resolved_at"] is None and now["source"]["unresolved"] is True
    assert now["source"]["status"] == "investigating"
    assert old["resolved_at"] is not None and "unresolved" not in old["source"]
    assert run(["--store", str(other), "list", "--all"]) == 0
    assert "unresolved at source · Northwind Bank: Northwind Bank now trouble" in \
        capsys.readouterr().out
    assert run(["--store", str(other), "list"]) == 0
    assert capsys.readouterr().out.strip() == "no escalations"
