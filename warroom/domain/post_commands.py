"""Post-incident commands: PIR edits, corrective actions, credits and pattern flags.

Same style as `warroom.domain.commands`: records that refuse unknown fields, discriminated by
`type`, each naming `incident_id` and an optional back-dated `at`. They are decided by
`warroom.domain.post_decide`; unlike core commands they are accepted on closed escalations
(actions outlive the escalation).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

__all__ = [
    "ActionAdd",
    "ActionDone",
    "ActionUpdate",
    "Count",
    "CreditApprove",
    "FlagPattern",
    "NonEmpty",
    "PirComplete",
    "PirEdit",
    "PirSent",
    "PostCommand",
]


NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]
"""Text that must not be empty."""
Count = Annotated[int, msgspec.Meta(ge=0)]
"""A whole number, zero or more."""


class _Base(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, tag_field="type"):
    at: datetime | None = None


class _PostCommand(_Base, kw_only=True):
    incident_id: str


class PirEdit(_PostCommand, tag="pir", kw_only=True):
    """Edit the PIR. `fields` replaces whole fields (text fields take a string, list fields a
    list or a single string, `timeline` a list of seqs or null for the default); `append` adds
    items to list fields; `remove` drops items of list fields by 1-based position;
    `timeline_include` / `timeline_exclude` add or drop event seqs from the timeline."""

    fields: dict[str, Any] = msgspec.field(default_factory=dict)
    append: dict[str, list[str]] = msgspec.field(default_factory=dict)
    remove: dict[str, list[int]] = msgspec.field(default_factory=dict)
    timeline_include: list[int] = msgspec.field(default_factory=list)
    timeline_exclude: list[int] = msgspec.field(default_factory=list)


class PirComplete(_PostCommand, tag="pir_complete", kw_only=True):
    """Mark the PIR complete (refused with the gaps listed while incomplete, and with the blame
    findings listed unless `accept_findings` gives the reason to proceed past them)."""

    accept_findings: str | None = None


class PirSent(_PostCommand, tag="pir_sent", kw_only=True):
    """Record that the customer RCA summary was sent to `to` (addresses); the first send meets
    the `pir` clock."""

    to: Annotated[list[NonEmpty], msgspec.Meta(min_length=1)]


class ActionAdd(_PostCommand, tag="action_add", kw_only=True):
    """Add a corrective action; it gets the next id (A1, A2, ...)."""

    title: NonEmpty
    owner: str | None = None
    due_at: datetime | None = None


class ActionUpdate(_PostCommand, tag="action_update", kw_only=True):
    """Change a corrective action's status, owner, due time or title. Status `done` completes
    it (an `action_completed` event)."""

    action_id: str
    status: Literal["open", "in_progress", "done"] | None = None
    owner: str | None = None
    due_at: datetime | None = None
    title: str | None = None


class ActionDone(_PostCommand, tag="action_done", kw_only=True):
    """Complete a corrective action."""

    action_id: str


class CreditApprove(_PostCommand, tag="credit_approve", kw_only=True):
    """Approve a service credit (right `approve_credit`). Without amount and percent the
    suggested credit is approved; with one of them the other is derived from the monthly fee."""

    amount: Annotated[float, msgspec.Meta(ge=0)] | None = None
    percent: Annotated[float, msgspec.Meta(ge=0, le=100)] | None = None
    reason: str = ""
    over_cap: str | None = None
    """Why a credit above the tier's cap is approved (required above the cap)."""


class FlagPattern(_Base, tag="flag", kw_only=True):
    """Record that a recurring pattern (`category/component`) reached `to` (e.g. product, ops)
    (right `flag_pattern`). `incident_id` is the escalation it is recorded on; leave it out and
    `decide_post_events` picks it (`recurrence.flag_target`)."""

    incident_id: str | None = None
    pattern: Annotated[str, msgspec.Meta(min_length=3)]
    to: Annotated[list[str], msgspec.Meta(min_length=1)]


PostCommand = PirEdit | PirComplete | PirSent | ActionAdd | ActionUpdate | ActionDone \
    | CreditApprove | FlagPattern
