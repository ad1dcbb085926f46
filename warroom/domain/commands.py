"""Commands: the only way in. One pydantic model per verb, discriminated by `type`.

The same models are used by the CLI, the console and the HTTP API (`POST /api/v1/commands`).
The actor is never part of a command: it comes from `--as`, the console user or the API token.
`at` is when the thing happened (default: now); it may be back-dated. Building a command checks
it (`InvalidInput` naming the field); `parse_command` checks plain data from outside.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, TypeAdapter, ValidationError

from warroom.domain.command_base import CommandModel as _Command
from warroom.domain.command_base import Count, Name, NonEmpty, OnIncident, Text, Title
from warroom.domain.models import Audience, Impact, Milestone, Phase, Severity
from warroom.domain.post_commands import POST_COMMANDS, PostCommand
from warroom.domain.validation import invalid_input

__all__ = [
    "Alert",
    "AnyCommand",
    "Assign",
    "ChangePhase",
    "ChangeSeverity",
    "Close",
    "CoreCommand",
    "Decide",
    "EditMilestone",
    "MakeCommitment",
    "Note",
    "Open",
    "Pause",
    "PostUpdate",
    "Resolve",
    "ResolveCommitment",
    "Resume",
    "SetTags",
    "Take",
    "Triage",
    "command_types",
    "parse_command",
]


class Open(_Command):
    """Open an escalation; the opener becomes incident_commander. Triaged at once if `severity`."""

    type: Literal["open"] = "open"
    title: Title
    customer: Title
    severity: Severity | None = None
    impact: Impact | None = None
    affected: Count | None = None
    strategic: bool | None = None
    data_loss: bool | None = None
    business_risk: Text | None = None
    component: Name | None = None
    category: Name | None = None


class Triage(OnIncident):
    """Set severity and impact assessment; severity defaults to the matrix's suggestion."""

    type: Literal["triage"] = "triage"
    reason: NonEmpty
    severity: Severity | None = None
    impact: Impact | None = None
    affected: Count | None = None
    strategic: bool | None = None
    data_loss: bool | None = None
    business_risk: Text | None = None


class ChangeSeverity(OnIncident):
    """Change severity after triage."""

    type: Literal["severity"] = "severity"
    severity: Severity
    reason: NonEmpty


class Assign(OnIncident):
    """Give a role to a person (empty person: vacate)."""

    type: Literal["assign"] = "assign"
    role: Name
    person: Name


class Note(OnIncident):
    """A timeline note."""

    type: Literal["note"] = "note"
    text: NonEmpty


class PostUpdate(OnIncident):
    """Post a status update from a template or a body. A promised next-update time for a
    customer update becomes a commitment owned by the poster."""

    type: Literal["update"] = "update"
    audience: Audience
    phase: Phase | None = None
    template: Name | None = None
    body: Text | None = None
    next_update_at: datetime | None = None


class MakeCommitment(OnIncident):
    """Promise something to the customer by a due time."""

    type: Literal["commit"] = "commit"
    text: NonEmpty
    due_at: datetime
    owner: Name | None = None


class ResolveCommitment(OnIncident):
    """Mark a commitment met or missed, or renegotiate its due time (with the customer's
    agreement, given as `reason`)."""

    type: Literal["commitment"] = "commitment"
    commitment_id: Name
    outcome: Literal["met", "missed", "renegotiate"]
    due_at: datetime | None = None
    reason: Text | None = None


class Pause(OnIncident):
    """Pause the resolution clock (waiting on the customer)."""

    type: Literal["pause"] = "pause"
    reason: NonEmpty


class Resume(OnIncident):
    """Resume the resolution clock."""

    type: Literal["resume"] = "resume"


class Decide(OnIncident):
    """Record a decision taken under a decision right the actor holds."""

    type: Literal["decide"] = "decide"
    right: Name
    text: NonEmpty


class ChangePhase(OnIncident):
    """Move to another open phase (investigating, identified, monitoring)."""

    type: Literal["phase"] = "phase"
    phase: Phase


class Resolve(OnIncident):
    """Service restored."""

    type: Literal["resolve"] = "resolve"
    summary: NonEmpty


class Close(OnIncident):
    """Close: needs resolution, no open commitments and (P0/P1) a complete PIR."""

    type: Literal["close"] = "close"


class EditMilestone(OnIncident):
    """Correct a milestone time, with a reason (audited)."""

    type: Literal["edit_milestone"] = "edit_milestone"
    milestone: Milestone
    new_time: datetime
    reason: NonEmpty


class SetTags(OnIncident):
    """Tag the escalation (component, category) for recurrence; empty value removes a tag."""

    type: Literal["tag"] = "tag"
    tags: dict[Name, Name]


class Alert(_Command):
    """An alert from monitoring (`hook` names the sender, `key` its dedup key): opens an
    unowned, untriaged escalation, or notes on the one the key already opened (see
    `warroom.domain.alerts`). `at` is when the sender saw it change (a resolve: when the last
    alert ended); `started_at` when the problem began."""

    type: Literal["alert"] = "alert"
    hook: Literal["alertmanager", "pagerduty", "generic"]
    key: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    status: Literal["firing", "resolved", "acknowledged", "annotated"]
    title: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    customer: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    impact: Impact | None = None
    affected: Count | None = None
    component: Name | None = None
    category: Name | None = None
    details: Annotated[str, StringConstraints(max_length=10_000)] | None = None
    started_at: datetime | None = None


class Take(OnIncident):
    """Become the commander of an escalation nobody owns yet (opened by an alert)."""

    type: Literal["take"] = "take"


CoreCommand = (
    Open | Triage | ChangeSeverity | Assign | Note | PostUpdate | MakeCommitment
    | ResolveCommitment | Pause | Resume | Decide | ChangePhase | Resolve | Close
    | EditMilestone | SetTags | Alert | Take
)
"""The commands of the escalation itself (decided in `warroom.domain.decide`)."""

AnyCommand = CoreCommand | PostCommand
"""Every command, post-incident ones (PIR, actions, credits, flags) included."""

CORE_COMMANDS: tuple[type[_Command], ...] = (
    Open, Triage, ChangeSeverity, Assign, Note, PostUpdate, MakeCommitment, ResolveCommitment,
    Pause, Resume, Decide, ChangePhase, Resolve, Close, EditMilestone, SetTags, Alert, Take)


def command_types() -> tuple[type[_Command], ...]:
    """Every command model, core ones first (the API builds its request bodies from these)."""
    return CORE_COMMANDS + POST_COMMANDS


_TAGGED: Any = Annotated[AnyCommand, Field(discriminator="type")]


@cache
def _adapter() -> TypeAdapter[Any]:
    return TypeAdapter(_TAGGED)


def parse_command(data: object) -> AnyCommand:
    """A JSON-like mapping (with `type`) as a checked command.

    Raises:
        InvalidInput: naming the first bad field by its location (`tags.team`, `to[0]`).
    """
    try:
        command: AnyCommand = _adapter().validate_python(data)
    except ValidationError as exc:
        raise invalid_input(exc, "command", data=data, model=_TAGGED) from None
    return command
