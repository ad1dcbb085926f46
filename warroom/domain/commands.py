"""Commands: the only way in. One pydantic model per verb, discriminated by `type`.

The same models are used by the CLI, the console and the HTTP API (`POST /api/v1/commands`).
The actor is never part of a command: it comes from `--as`, the console user or the API token.
`at` is when the thing happened (default: now); it may be back-dated.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from warroom.domain.models import Audience, Impact, Milestone, Phase, Severity
from warroom.domain.post_commands import PostCommand


class _Command(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: datetime | None = None


class _OnIncident(_Command):
    incident_id: str


class Open(_Command):
    """Open an escalation; the opener becomes incident_commander. Triaged at once if `severity`."""

    type: Literal["open"] = "open"
    title: str = Field(min_length=1)
    customer: str = Field(min_length=1)
    severity: Severity | None = None
    impact: Impact | None = None
    affected: int | None = Field(default=None, ge=0)
    strategic: bool | None = None
    data_loss: bool | None = None
    business_risk: str | None = None
    component: str | None = None
    category: str | None = None


class Triage(_OnIncident):
    """Set severity and impact assessment; severity defaults to the matrix's suggestion."""

    type: Literal["triage"] = "triage"
    reason: str = Field(min_length=1)
    severity: Severity | None = None
    impact: Impact | None = None
    affected: int | None = Field(default=None, ge=0)
    strategic: bool | None = None
    data_loss: bool | None = None
    business_risk: str | None = None


class ChangeSeverity(_OnIncident):
    """Change severity after triage."""

    type: Literal["severity"] = "severity"
    severity: Severity
    reason: str = Field(min_length=1)


class Assign(_OnIncident):
    """Give a role to a person (empty person: vacate)."""

    type: Literal["assign"] = "assign"
    role: str
    person: str


class Note(_OnIncident):
    """A timeline note."""

    type: Literal["note"] = "note"
    text: str = Field(min_length=1)


class PostUpdate(_OnIncident):
    """Post a status update from a template or a body. A promised next-update time for a
    customer update becomes a commitment owned by the poster."""

    type: Literal["update"] = "update"
    audience: Audience
    phase: Phase | None = None
    template: str | None = None
    body: str | None = None
    next_update_at: datetime | None = None


class MakeCommitment(_OnIncident):
    """Promise something to the customer by a due time."""

    type: Literal["commit"] = "commit"
    text: str = Field(min_length=1)
    due_at: datetime
    owner: str | None = None


class ResolveCommitment(_OnIncident):
    """Mark a commitment met or missed, or renegotiate its due time (with the customer's
    agreement, given as `reason`)."""

    type: Literal["commitment"] = "commitment"
    commitment_id: str
    outcome: Literal["met", "missed", "renegotiate"]
    due_at: datetime | None = None
    reason: str | None = None


class Pause(_OnIncident):
    """Pause the resolution clock (waiting on the customer)."""

    type: Literal["pause"] = "pause"
    reason: str = Field(min_length=1)


class Resume(_OnIncident):
    """Resume the resolution clock."""

    type: Literal["resume"] = "resume"


class Decide(_OnIncident):
    """Record a decision taken under a decision right the actor holds."""

    type: Literal["decide"] = "decide"
    right: str
    text: str = Field(min_length=1)


class ChangePhase(_OnIncident):
    """Move to another open phase (investigating, identified, monitoring)."""

    type: Literal["phase"] = "phase"
    phase: Phase


class Resolve(_OnIncident):
    """Service restored."""

    type: Literal["resolve"] = "resolve"
    summary: str = Field(min_length=1)


class Close(_OnIncident):
    """Close: needs resolution, no open commitments and (P0/P1) a complete PIR."""

    type: Literal["close"] = "close"


class EditMilestone(_OnIncident):
    """Correct a milestone time, with a reason (audited)."""

    type: Literal["edit_milestone"] = "edit_milestone"
    milestone: Milestone
    new_time: datetime
    reason: str = Field(min_length=1)


class SetTags(_OnIncident):
    """Tag the escalation (component, category) for recurrence; empty value removes a tag."""

    type: Literal["tag"] = "tag"
    tags: dict[str, str]


CoreCommand = (
    Open | Triage | ChangeSeverity | Assign | Note | PostUpdate | MakeCommitment
    | ResolveCommitment | Pause | Resume | Decide | ChangePhase | Resolve | Close
    | EditMilestone | SetTags
)
"""The commands of the escalation itself (decided in `warroom.domain.decide`)."""

AnyCommand = CoreCommand | PostCommand
"""Every command, post-incident ones (PIR, actions, credits, flags) included."""

Command = Annotated[AnyCommand, Field(discriminator="type")]

COMMAND_ADAPTER: TypeAdapter[AnyCommand] = TypeAdapter(Command)


def parse_command(data: object) -> AnyCommand:
    """Validate a JSON-like mapping into a command (raises pydantic.ValidationError)."""
    return COMMAND_ADAPTER.validate_python(data)
