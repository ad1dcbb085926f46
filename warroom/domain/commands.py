"""Commands: the only way in. One record per verb, discriminated by `type`.

The same models are used by the CLI, the console and the HTTP API (`POST /api/v1/commands`).
The actor is never part of a command: it comes from `--as`, the console user or the API token.
`at` is when the thing happened (default: now); it may be back-dated.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from warroom.domain.errors import InvalidInput
from warroom.domain.models import Audience, Impact, Milestone, Phase, Severity
from warroom.domain.post_commands import Count, NonEmpty, PostCommand
from warroom.domain.structs import Invalid, convert, dotted


class _Command(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, tag_field="type"):
    at: datetime | None = None


class _OnIncident(_Command, kw_only=True):
    incident_id: str


class Open(_Command, tag="open", kw_only=True):
    """Open an escalation; the opener becomes incident_commander. Triaged at once if `severity`."""

    title: NonEmpty
    customer: NonEmpty
    severity: Severity | None = None
    impact: Impact | None = None
    affected: Count | None = None
    strategic: bool | None = None
    data_loss: bool | None = None
    business_risk: str | None = None
    component: str | None = None
    category: str | None = None


class Triage(_OnIncident, tag="triage", kw_only=True):
    """Set severity and impact assessment; severity defaults to the matrix's suggestion."""

    reason: NonEmpty
    severity: Severity | None = None
    impact: Impact | None = None
    affected: Count | None = None
    strategic: bool | None = None
    data_loss: bool | None = None
    business_risk: str | None = None


class ChangeSeverity(_OnIncident, tag="severity", kw_only=True):
    """Change severity after triage."""

    severity: Severity
    reason: NonEmpty


class Assign(_OnIncident, tag="assign", kw_only=True):
    """Give a role to a person (empty person: vacate)."""

    role: str
    person: str


class Note(_OnIncident, tag="note", kw_only=True):
    """A timeline note."""

    text: NonEmpty


class PostUpdate(_OnIncident, tag="update", kw_only=True):
    """Post a status update from a template or a body. A promised next-update time for a
    customer update becomes a commitment owned by the poster."""

    audience: Audience
    phase: Phase | None = None
    template: str | None = None
    body: str | None = None
    next_update_at: datetime | None = None


class MakeCommitment(_OnIncident, tag="commit", kw_only=True):
    """Promise something to the customer by a due time."""

    text: NonEmpty
    due_at: datetime
    owner: str | None = None


class ResolveCommitment(_OnIncident, tag="commitment", kw_only=True):
    """Mark a commitment met or missed, or renegotiate its due time (with the customer's
    agreement, given as `reason`)."""

    commitment_id: str
    outcome: Literal["met", "missed", "renegotiate"]
    due_at: datetime | None = None
    reason: str | None = None


class Pause(_OnIncident, tag="pause", kw_only=True):
    """Pause the resolution clock (waiting on the customer)."""

    reason: NonEmpty


class Resume(_OnIncident, tag="resume", kw_only=True):
    """Resume the resolution clock."""


class Decide(_OnIncident, tag="decide", kw_only=True):
    """Record a decision taken under a decision right the actor holds."""

    right: str
    text: NonEmpty


class ChangePhase(_OnIncident, tag="phase", kw_only=True):
    """Move to another open phase (investigating, identified, monitoring)."""

    phase: Phase


class Resolve(_OnIncident, tag="resolve", kw_only=True):
    """Service restored."""

    summary: NonEmpty


class Close(_OnIncident, tag="close", kw_only=True):
    """Close: needs resolution, no open commitments and (P0/P1) a complete PIR."""


class EditMilestone(_OnIncident, tag="edit_milestone", kw_only=True):
    """Correct a milestone time, with a reason (audited)."""

    milestone: Milestone
    new_time: datetime
    reason: NonEmpty


class SetTags(_OnIncident, tag="tag", kw_only=True):
    """Tag the escalation (component, category) for recurrence; empty value removes a tag."""

    tags: dict[str, str]


class Alert(_Command, tag="alert", kw_only=True):
    """An alert from monitoring (`hook` names the sender, `key` its dedup key): opens an
    unowned, untriaged escalation, or notes on the one the key already opened (see
    `warroom.domain.alerts`). `at` is when the sender saw it change (a resolve: when the last
    alert ended); `started_at` when the problem began."""

    hook: Literal["alertmanager", "pagerduty", "generic"]
    key: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
    status: Literal["firing", "resolved", "acknowledged", "annotated"]
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    customer: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    impact: Impact | None = None
    affected: Count | None = None
    component: str | None = None
    category: str | None = None
    details: Annotated[str, msgspec.Meta(max_length=10_000)] | None = None
    started_at: datetime | None = None


class Take(_OnIncident, tag="take", kw_only=True):
    """Become the commander of an escalation nobody owns yet (opened by an alert)."""


CoreCommand = (
    Open | Triage | ChangeSeverity | Assign | Note | PostUpdate | MakeCommitment
    | ResolveCommitment | Pause | Resume | Decide | ChangePhase | Resolve | Close
    | EditMilestone | SetTags | Alert | Take
)
"""The commands of the escalation itself (decided in `warroom.domain.decide`)."""

AnyCommand = CoreCommand | PostCommand
"""Every command, post-incident ones (PIR, actions, credits, flags) included."""



def parse_command(data: object, *, strict: bool = True) -> AnyCommand:
    """A JSON-like mapping (with `type`) as a checked command.

    Raises:
        InvalidInput: naming the first bad field by its path (`tags.team`, `to.0`).
    """
    try:
        command: AnyCommand = convert(data, AnyCommand, strict=strict)
    except Invalid as exc:
        known = f" (known: {', '.join(exc.allowed)})" if exc.allowed else ""
        raise InvalidInput(dotted(exc.path) or "command", exc.problem + known) from None
    return command


def checked(command: AnyCommand) -> AnyCommand:
    """`command` with its fields checked against their types and limits (constructors do not
    check, so everything that runs a command checks it here first).

    Raises:
        InvalidInput: naming the first bad field.
    """
    return parse_command(msgspec.to_builtins(command))
