"""Post-incident commands: PIR edits, corrective actions, credits and pattern flags.

Same style as `warroom.domain.commands`: pydantic models, `extra="forbid"`, discriminated by
`type`, each naming `incident_id` and an optional back-dated `at`. They are decided by
`warroom.domain.post_decide`; unlike core commands they are accepted on closed escalations
(actions outlive the escalation).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

__all__ = [
    "POST_COMMAND_ADAPTER",
    "ActionAdd",
    "ActionDone",
    "ActionUpdate",
    "CreditApprove",
    "FlagPattern",
    "PirComplete",
    "PirEdit",
    "PostCommand",
]


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: datetime | None = None


class _PostCommand(_Base):
    incident_id: str


class PirEdit(_PostCommand):
    """Edit the PIR. `fields` replaces whole fields (text fields take a string, list fields a
    list or a single string, `timeline` a list of seqs or null for the default); `append` adds
    items to list fields; `remove` drops items of list fields by 1-based position;
    `timeline_include` / `timeline_exclude` add or drop event seqs from the timeline."""

    type: Literal["pir"] = "pir"
    fields: dict[str, Any] = Field(default_factory=dict)
    append: dict[str, list[str]] = Field(default_factory=dict)
    remove: dict[str, list[int]] = Field(default_factory=dict)
    timeline_include: list[int] = Field(default_factory=list)
    timeline_exclude: list[int] = Field(default_factory=list)


class PirComplete(_PostCommand):
    """Mark the PIR complete (refused with the gaps listed while incomplete)."""

    type: Literal["pir_complete"] = "pir_complete"


class ActionAdd(_PostCommand):
    """Add a corrective action; it gets the next id (A1, A2, ...)."""

    type: Literal["action_add"] = "action_add"
    title: str = Field(min_length=1)
    owner: str | None = None
    due_at: datetime | None = None


class ActionUpdate(_PostCommand):
    """Change a corrective action's status, owner, due time or title. Status `done` completes
    it (an `action_completed` event)."""

    type: Literal["action_update"] = "action_update"
    action_id: str
    status: Literal["open", "in_progress", "done"] | None = None
    owner: str | None = None
    due_at: datetime | None = None
    title: str | None = None


class ActionDone(_PostCommand):
    """Complete a corrective action."""

    type: Literal["action_done"] = "action_done"
    action_id: str


class CreditApprove(_PostCommand):
    """Approve a service credit (right `approve_credit`). Without amount and percent the
    suggested credit is approved; with one of them the other is derived from the monthly fee."""

    type: Literal["credit_approve"] = "credit_approve"
    amount: float | None = Field(default=None, ge=0)
    percent: float | None = Field(default=None, ge=0, le=100)
    reason: str = ""


class FlagPattern(_Base):
    """Record that a recurring pattern (`category/component`) reached `to` (e.g. product, ops)
    (right `flag_pattern`). `incident_id` is the escalation it is recorded on; leave it out and
    `decide_post_events` picks it (`recurrence.flag_target`)."""

    type: Literal["flag"] = "flag"
    incident_id: str | None = None
    pattern: str = Field(min_length=3)
    to: list[str] = Field(min_length=1)


PostCommand = PirEdit | PirComplete | ActionAdd | ActionUpdate | ActionDone | CreditApprove \
    | FlagPattern
POST_COMMAND_ADAPTER: TypeAdapter[PostCommand] = TypeAdapter(
    Annotated[PostCommand, Field(discriminator="type")]
)
