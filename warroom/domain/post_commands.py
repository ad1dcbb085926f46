"""Post-incident commands: PIR edits, corrective actions, credits and pattern flags.

Same style as `warroom.domain.commands`: pydantic models that refuse unknown fields,
discriminated by `type`, each naming `incident_id` and an optional back-dated `at`. They are
decided by `warroom.domain.post_decide`; unlike core commands they are accepted on closed
escalations (actions outlive the escalation).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    with_config,
)
from typing_extensions import TypedDict

from warroom.domain.command_base import CommandModel, Id, Name, NonEmpty, OnIncident, Text

__all__ = [
    "ActionAdd",
    "ActionDone",
    "ActionUpdate",
    "CreditApprove",
    "FlagPattern",
    "PirComplete",
    "PirEdit",
    "PirFields",
    "PirSend",
    "PirSent",
    "PostCommand",
]

Seq = Annotated[int, Field(gt=0)]
"""An event seq (1 and up)."""
Item = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2_000)]
"""One item of a PIR list field (a why, a contributing factor)."""
PirText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
"""A PIR text field (summary, customer impact, root cause)."""
ListField = Literal["whys", "contributing_factors", "went_well"]
"""The PIR's list fields."""


def _one_or_many(value: object) -> object:
    """A single text stands for a list of one."""
    return [value] if isinstance(value, str) else value


def _kept(items: list[str]) -> list[str]:
    return [item for item in items if item]


Items = Annotated[list[Item], BeforeValidator(_one_or_many), AfterValidator(_kept)]
"""A PIR list field's items: a list of texts, or one text (blank items are dropped)."""


@with_config(ConfigDict(extra="forbid"))
class PirFields(TypedDict, total=False):
    """The PIR fields a `PirEdit` may replace; only those given are changed."""

    summary: PirText
    customer_impact: PirText
    root_cause: PirText
    whys: Items
    contributing_factors: Items
    went_well: Items
    timeline: list[Seq] | None
    """The events the PIR timeline shows (null: back to the default choice)."""
    timeline_include: list[Seq]
    timeline_exclude: list[Seq]


class PirEdit(OnIncident):
    """Edit the PIR. `fields` replaces whole fields (text fields take a string, list fields a
    list or a single string, `timeline` a list of seqs or null for the default); `append` adds
    items to list fields; `remove` drops items of list fields by 1-based position;
    `timeline_include` / `timeline_exclude` add or drop event seqs from the timeline."""

    type: Literal["pir"] = "pir"
    fields: PirFields = Field(default_factory=PirFields)
    append: dict[ListField, Annotated[list[Item], AfterValidator(_kept)]] = \
        Field(default_factory=dict)
    remove: dict[ListField, list[Seq]] = Field(default_factory=dict)
    timeline_include: list[Seq] = Field(default_factory=list)
    timeline_exclude: list[Seq] = Field(default_factory=list)


class PirComplete(OnIncident):
    """Mark the PIR complete (refused with the gaps listed while incomplete, and with the blame
    findings listed unless `accept_findings` gives the reason to proceed past them)."""

    type: Literal["pir_complete"] = "pir_complete"
    accept_findings: Text | None = None


class PirSent(OnIncident):
    """Record that the customer RCA summary was sent to `to` (addresses); the first send meets
    the `pir` clock."""

    type: Literal["pir_sent"] = "pir_sent"
    to: Annotated[list[NonEmpty], Field(min_length=1)]


class PirSend(OnIncident):
    """Send the customer RCA summary through the channels that take this customer's
    customer-audience messages; each delivery that succeeds records `rca_sent` (the first
    meets the `pir` clock), a failed one does not."""

    type: Literal["pir_send"] = "pir_send"


class ActionAdd(OnIncident):
    """Add a corrective action; it gets the next id (A1, A2, ...)."""

    type: Literal["action_add"] = "action_add"
    title: NonEmpty
    owner: Name | None = None
    due_at: datetime | None = None


class ActionUpdate(OnIncident):
    """Change a corrective action's status, owner, due time or title. Status `done` completes
    it (an `action_completed` event)."""

    type: Literal["action_update"] = "action_update"
    action_id: Id
    status: Literal["open", "in_progress", "done"] | None = None
    owner: Name | None = None
    due_at: datetime | None = None
    title: NonEmpty | None = None


class ActionDone(OnIncident):
    """Complete a corrective action."""

    type: Literal["action_done"] = "action_done"
    action_id: Id


class CreditApprove(OnIncident):
    """Approve a service credit (right `approve_credit`). Without amount and percent the
    suggested credit is approved; with one of them the other is derived from the monthly fee."""

    type: Literal["credit_approve"] = "credit_approve"
    amount: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    percent: Annotated[float, Field(ge=0, le=100)] | None = None
    reason: Text = ""
    over_cap: Text | None = None
    """Why a credit above the tier's cap is approved (required above the cap)."""


class FlagPattern(CommandModel):
    """Record that a recurring pattern (`category/component`) reached `to` (e.g. product, ops)
    (right `flag_pattern`). `incident_id` is the escalation it is recorded on; leave it out and
    `decide_post_events` picks it (`recurrence.flag_target`)."""

    type: Literal["flag"] = "flag"
    incident_id: Id | None = None
    pattern: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3,
                                              max_length=400)]
    to: Annotated[list[Name], Field(min_length=1)]


PostCommand = PirEdit | PirComplete | PirSend | PirSent | ActionAdd | ActionUpdate | ActionDone \
    | CreditApprove | FlagPattern
"""The post-incident commands (decided in `warroom.domain.post_decide`)."""

POST_COMMANDS: tuple[type[CommandModel], ...] = (
    PirEdit, PirComplete, PirSend, PirSent, ActionAdd, ActionUpdate, ActionDone, CreditApprove,
    FlagPattern)
