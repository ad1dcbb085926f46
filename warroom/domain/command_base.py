"""What every command model shares: pydantic v2, frozen, unknown fields refused, and the limits
of its text fields.

Keyword construction validates (`Note(incident_id="ESC-1", text="")` raises `InvalidInput`
naming `text`), so a command object that exists is a checked one; data from outside goes through
`warroom.domain.commands.parse_command`. Copies with changes (`model_copy(update=...)`) are
not re-checked: they are for trusted values (a parsed `--at` time).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from warroom.domain.validation import invalid_input

NAME_MAX = 200
"""Longest id, name, title, role, right or tag."""
TEXT_MAX = 20_000
"""Longest free text (a note, a reason, an update body)."""

Name = Annotated[str, StringConstraints(max_length=NAME_MAX)]
"""A short text: an id, a person, a role (may be empty where the verb allows it)."""
Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX)]
"""An escalation, commitment or action id."""
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                         max_length=NAME_MAX)]
"""A short text that must not be blank (a title, a customer)."""
Text = Annotated[str, StringConstraints(max_length=TEXT_MAX)]
"""Free text that may be empty."""
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                            max_length=TEXT_MAX)]
"""Free text that must not be blank (surrounding whitespace is dropped)."""
Count = Annotated[int, Field(ge=0)]
"""A whole number, zero or more."""


def _type_is_required(schema: dict[str, Any]) -> None:
    """`type` has a default so keyword construction needs no tag; on the wire it is required."""
    required = schema.setdefault("required", [])
    if "type" not in required:
        required.insert(0, "type")


class CommandModel(BaseModel):
    """Base of every command: `type` (the verb's tag, set by each subclass) and `at`, when the
    thing happened (None: now; it may be back-dated)."""

    # defer_build: a model's validator is built when first used, so a CLI verb pays for its
    # own command only (building all of them costs more than the rest of `warroom note`).
    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_extra=_type_is_required,
                              defer_build=True)

    at: datetime | None = None

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise invalid_input(exc, data=data, model=type(self)) from None

    # Only wraps pydantic's own __init__: validation (`model_validate`, FastAPI, nested models)
    # keeps raising ValidationError and need not call it (pydantic's RootModel does the same).
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]


class OnIncident(CommandModel):
    """A command on one escalation."""

    incident_id: Id
