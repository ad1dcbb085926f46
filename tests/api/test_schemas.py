"""The OpenAPI document is FastAPI's own, from the pydantic body models: complete, valid, and
true to what the server sends."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from pydantic import BaseModel

from tests.api.helpers import LiveServer, Tokens, client
from warroom.domain.commands import command_types
from warroom.server.schemas import (
    CommandOutcome,
    DraftBody,
    DraftSaved,
    ErrorBody,
    EscalationStatus,
    EventsPage,
    Health,
    ServerTime,
    Whoami,
)


def test_openapi_documents_every_body_natively(live: LiveServer) -> None:
    schema = client(live, None).get(live.url + "/openapi.json").json()
    schemathesis.openapi.from_dict(schema).validate()  # against the OpenAPI 3.1 meta-schema
    components = schema["components"]["schemas"]
    body = components["CommandRequest"]
    tags = set(body["discriminator"]["mapping"])
    assert tags == {cls.model_fields["type"].default for cls in command_types()}
    note = components["NoteRequest"]
    assert note["required"][:1] == ["type"] and note["additionalProperties"] is False
    assert note["properties"]["text"]["minLength"] == 1
    assert "idempotency_key" in note["properties"]
    opening = schema["paths"]["/api/v1/escalations"]["post"]
    assert opening["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/OpenEscalation")
    assert "type" not in components["OpenEscalation"].get("required", [])
    assert schema["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer",
        "description": "A token from `warroom token add PERSON`"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            signed = path.endswith(("/healthz", "/hooks/pagerduty"))  # no token: signature
            assert operation.get("security") == (None if signed else [{"bearer": []}]), where
            ok = operation["responses"].get("200") or operation["responses"].get("201") \
                or operation["responses"].get("204")
            assert ok is not None, where
            if "422" in operation["responses"]:  # ours, not FastAPI's HTTPValidationError
                assert operation["responses"]["422"]["content"]["application/json"][
                    "schema"]["$ref"].endswith("/ErrorBody"), where
    assert "HTTPValidationError" not in components


def conforms(model: type[BaseModel], data: Any) -> None:
    """`data` validates against `model` and declares nothing the model does not."""
    model.model_validate(data)
    if isinstance(data, dict) and model.model_config.get("extra") != "allow":
        assert set(data) <= set(model.model_fields), set(data) - set(model.model_fields)


def test_responses_match_their_documented_models(live: LiveServer, tokens: Tokens) -> None:
    alice = client(live, tokens.alice)
    opened = alice.post("/escalations", json={"title": "t", "customer": "c", "severity": "P1"})
    conforms(CommandOutcome, opened.json())
    posted = alice.post("/commands", json={"type": "commit", "incident_id": "ESC-1",
                                           "text": "RCA", "due_at": "2099-01-01T00:00:00Z",
                                           "idempotency_key": "k1"})
    conforms(CommandOutcome, posted.json())
    conforms(CommandOutcome, alice.get("/commands/k1").json())
    status = alice.get("/escalations/ESC-1").json()
    conforms(EscalationStatus, status)
    assert status["commitments"] and status["clocks"]
    for doc in alice.get("/escalations").json():
        conforms(EscalationStatus, doc)
    conforms(EventsPage, alice.get("/events").json())
    conforms(EventsPage, alice.get("/escalations/ESC-1/events").json())
    conforms(DraftSaved, alice.put("/escalations/ESC-1/draft", json={"body": "x"}).json())
    conforms(DraftBody, alice.get("/escalations/ESC-1/draft").json())
    conforms(ServerTime, alice.get("/time").json())
    conforms(Whoami, alice.get("/me").json())
    conforms(Health, client(live, None).get(live.url + "/healthz").json())
    conforms(ErrorBody, alice.get("/escalations/ESC-9").json())


@pytest.mark.parametrize(("body", "field", "reason"), [
    ({"type": "note", "incident_id": "ESC-1"}, "text", "required"),
    ({"type": "note", "incident_id": "ESC-1", "text": " "}, "text", "must not be empty"),
    ({"type": "triage", "incident_id": "ESC-1", "severity": "P9", "reason": "r"}, "severity",
     "must be 'P0', 'P1' or 'P2' (got 'P9')"),
    ({"type": "tag", "incident_id": "ESC-1", "tags": {"team": 5}}, "tags.team",
     "must be a valid string (got 5)"),
    ({"type": "flag", "pattern": "a/b", "to": ["ops", 5]}, "to[1]",
     "must be a valid string (got 5)"),
    ({"type": "pir", "incident_id": "ESC-1", "fields": {"owner": "x"}}, "fields.owner",
     'unknown field "owner" (known: summary, customer_impact, root_cause, whys, '
     'contributing_factors, went_well, timeline, timeline_include, timeline_exclude)'),
    ({"type": "note", "incident_id": "ESC-1", "text": "x", "colour": 1}, "colour",
     'unknown field "colour" (known: incident_id, text, idempotency_key, type, at)'),
    ({"type": "severity", "incident_id": "ESC-1", "sevrity": "P1", "reason": "r"}, "sevrity",
     'unknown field "sevrity" (known: severity, incident_id, reason, idempotency_key, type, '
     'at)'),
    ({"type": "note", "incident_id": "ESC-1", "text": "x", "idempotency_key": ""},
     "idempotency_key", "must not be empty"),
    ({"incident_id": "ESC-1"}, "type", "required"),
    # Numbers and booleans are strict: a JSON string is not a number (the CLI converts argv).
    ({"type": "open", "title": "t", "customer": "c", "affected": "5"}, "affected",
     "must be a valid integer (got '5')"),
    ({"type": "triage", "incident_id": "ESC-1", "reason": "r", "strategic": "true"},
     "strategic", "must be a valid boolean (got 'true')"),
    ({"type": "triage", "incident_id": "ESC-1", "reason": "r", "data_loss": 1}, "data_loss",
     "must be a valid boolean (got 1)"),
    ({"type": "pir", "incident_id": "ESC-1", "fields": {"timeline": ["3"]}}, "fields.timeline[0]",
     "must be a valid integer (got '3')"),
    ({"type": "pir", "incident_id": "ESC-1", "remove": {"whys": ["1"]}}, "remove.whys[0]",
     "must be a valid integer (got '1')"),
    ({"type": "credit_approve", "incident_id": "ESC-1", "percent": "10"}, "percent",
     "must be a valid number (got '10')"),
])
def test_a_bad_body_is_a_422_naming_the_field_and_why(
        live: LiveServer, tokens: Tokens, body: dict[str, Any], field: str, reason: str) -> None:
    alice = client(live, tokens.alice)
    response = alice.post("/commands", json=body)
    assert response.status_code == 422, response.text
    assert response.json() | {"errors": 1} == {"error": f"{field}: {reason}", "field": field,
                                               "reason": reason, "errors": 1}


def test_open_takes_only_the_open_command(live: LiveServer, tokens: Tokens) -> None:
    alice = client(live, tokens.alice)
    wrong = alice.post("/escalations", json={"type": "note", "title": "t", "customer": "c"})
    assert (wrong.status_code, wrong.json()["field"]) == (422, "type")
    assert wrong.json()["reason"] == "must be 'open' (got 'note')"
    text = alice.post("/escalations", json={"title": "t", "customer": "c", "affected": "5"})
    assert (text.status_code, text.json()["field"]) == (422, "affected")
    assert text.json()["reason"] == "must be a valid integer (got '5')"
    typo = alice.post("/escalations", json={"title": "t", "customer": "c", "sevrity": "P1"})
    assert (typo.status_code, typo.json()["field"]) == (422, "sevrity")
    assert typo.json()["reason"].startswith('unknown field "sevrity" (known: severity, title, ')
    blank = alice.post("/escalations", json={"title": " ", "customer": "c"})
    assert (blank.status_code, blank.json()["field"]) == (422, "title")
    assert alice.get("/events").json()["events"] == []
