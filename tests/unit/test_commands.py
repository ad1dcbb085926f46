"""Command models: tagged by `type`, checked when built or parsed, problems named by field."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from warroom.domain.commands import (
    ChangeSeverity,
    MakeCommitment,
    Note,
    Open,
    SetTags,
    command_types,
    parse_command,
)
from warroom.domain.errors import InvalidInput
from warroom.domain.models import Severity
from warroom.domain.post_commands import CreditApprove, FlagPattern, PirEdit


def refusal(data: dict[str, Any]) -> str:
    with pytest.raises(InvalidInput) as caught:
        parse_command(data)
    return str(caught.value)


def test_commands_are_tagged_and_parsed() -> None:
    opened = parse_command({"type": "open", "title": "Down", "customer": "Acme",
                            "severity": "P1", "at": "2026-11-24T10:00:00Z"})
    assert isinstance(opened, Open)
    assert opened.at == datetime(2026, 11, 24, 10, tzinfo=UTC)
    assert opened.severity is Severity.P1
    assert opened.model_dump(mode="json")["type"] == "open"
    assert parse_command(opened.model_dump(mode="json")) == opened


def test_every_command_round_trips_through_json() -> None:
    samples = [Note(incident_id="ESC-1", text="x"),
               PirEdit(incident_id="ESC-1", fields={"whys": "one", "timeline": None}),
               FlagPattern(pattern="capacity/api", to=["product"]),
               CreditApprove(incident_id="ESC-1", percent=10)]
    for command in samples:
        assert parse_command(command.model_dump(mode="json")) == command
    tags = {cls.model_fields["type"].default for cls in command_types()}
    assert len(tags) == len(command_types())


@pytest.mark.parametrize(("data", "message"), [
    ({"type": "shout"}, r"^type: must be 'open', 'triage', .* \(got 'shout'\)$"),
    ({"incident_id": "ESC-1"}, r"^type: required$"),
    ({"type": "note", "incident_id": "ESC-1", "text": "x", "colour": 1},
     r'^colour: unknown field "colour" \(known: incident_id, text, type, at\)$'),
    ({"type": "open", "title": "t", "customer": "c", "sevrity": "P1"},
     r'^sevrity: unknown field "sevrity" \(known: severity, title, customer, impact, '
     r'affected, .*, type, at\)$'),
    # A misspelt required field: the spelling is the problem, not the field it hides.
    ({"type": "severity", "incident_id": "ESC-1", "sevrity": "P1", "reason": "r"},
     r'^sevrity: unknown field "sevrity" \(known: severity, incident_id, reason, type, at\)$'),
    ({"type": "pir", "incident_id": "ESC-1", "fields": {"owner": "x"}},
     r'^fields\.owner: unknown field "owner" \(known: summary, customer_impact, root_cause, '),
    ({"type": "note", "incident_id": "ESC-1"}, r"^text: required$"),
    ({"type": "note", "incident_id": "ESC-1", "text": "   "}, r"^text: must not be empty$"),
    ({"type": "note", "incident_id": "ESC-1", "text": "x" * 20_001},
     r"^text: must have at most 20000 characters$"),
    ({"type": "triage", "incident_id": "ESC-1", "severity": "P9", "reason": "r"},
     r"^severity: must be 'P0', 'P1' or 'P2' \(got 'P9'\)$"),
    ({"type": "open", "title": "t", "customer": "c", "affected": -1},
     r"^affected: must be at least 0$"),
    ({"type": "open", "title": "t", "customer": "c", "affected": "many"},
     r"^affected: must be a valid integer.* \(got 'many'\)$"),
    ({"type": "open", "title": "t", "customer": "c", "at": "yesterday"},
     r"^at: must be a valid datetime.* \(got 'yesterday'\)$"),
    ({"type": "tag", "incident_id": "ESC-1", "tags": {"team": 3}},
     r"^tags\.team: must be a valid string \(got 3\)$"),
    ({"type": "flag", "pattern": "a/b", "to": ["ops", 7]}, r"^to\[1\]: must be a valid string"),
    ({"type": "flag", "pattern": "a/b", "to": []}, r"^to: must have at least 1 item$"),
    ({"type": "commitment", "incident_id": "E", "commitment_id": "C1", "outcome": "maybe"},
     r"^outcome: must be 'met', 'missed' or 'renegotiate' \(got 'maybe'\)$"),
    ({"type": "credit_approve", "incident_id": "E", "percent": 101},
     r"^percent: must be at most 100$"),
])
def test_a_refusal_names_the_field_not_the_union_member(data: dict[str, Any],
                                                         message: str) -> None:
    assert re.match(message, refusal(data)), refusal(data)


def test_a_body_that_is_not_an_object_is_named_as_the_command() -> None:
    assert refusal([1, 2]).startswith("command: ")  # type: ignore[arg-type]


def test_building_a_command_checks_it() -> None:
    with pytest.raises(InvalidInput, match=r"^text: must not be empty$"):
        Note(incident_id="ESC-1", text="")
    with pytest.raises(InvalidInput, match=r"^severity: must be 'P0', 'P1' or 'P2'"):
        ChangeSeverity(incident_id="ESC-1", severity="P7", reason="r")
    with pytest.raises(InvalidInput, match=r"^tags\.x: must have at most 200 characters$"):
        SetTags(incident_id="ESC-1", tags={"x": "y" * 201})
    with pytest.raises(InvalidInput, match=r'^colour: unknown field "colour" \(known: '
                                            r'incident_id, text, type, at\)$'):
        Note(incident_id="ESC-1", text="x", colour="red")  # type: ignore[call-arg]
    assert Note(incident_id="ESC-1", text="  ok ") == Note(incident_id="ESC-1", text="ok")


def test_commands_are_frozen_and_copied_with_changes() -> None:
    due = datetime(2026, 11, 24, 12, tzinfo=UTC)
    made = MakeCommitment(incident_id="ESC-1", text="RCA", due_at=due)
    with pytest.raises(ValueError):
        made.text = "other"  # type: ignore[misc]
    later = made.model_copy(update={"at": due})
    assert made.at is None and later.at == due and later.text == "RCA"


def test_the_wire_schema_requires_the_tag() -> None:
    schema = Note.model_json_schema()
    assert schema["required"][0] == "type"
    assert schema["additionalProperties"] is False
