"""Domain vocabulary: enums, the event record, and the folded incident state.

Pure: no I/O, no UI, no clock reads. Every time is a timezone-aware UTC datetime.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import msgspec


class Severity(StrEnum):
    """Escalation severity; P0 is the worst."""

    P0 = "P0"
    P1 = "P1"
    P2 = "P2"


class Phase(StrEnum):
    """Lifecycle phase, in order."""

    TRIAGE = "triage"
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Impact(StrEnum):
    """How badly the customer's service is hit."""

    OUTAGE = "outage"
    DEGRADED = "degraded"
    MINOR = "minor"


class Audience(StrEnum):
    """Who a status update is written for."""

    CUSTOMER = "customer"
    INTERNAL = "internal"
    EXECUTIVE = "executive"


class CommitmentState(StrEnum):
    """Stored state of a commitment. `renegotiated` is still binding (with its new due time);
    `overdue` is derived (binding and past due) and never stored."""

    OPEN = "open"
    MET = "met"
    MET_LATE = "met_late"
    """Kept, but after its due time: not honoured on time."""
    MISSED = "missed"
    RENEGOTIATED = "renegotiated"


class ClockName(StrEnum):
    """The SLA clocks every escalation carries."""

    TRIAGE = "triage"
    FIRST_UPDATE = "first_update"
    NEXT_UPDATE = "next_update"
    RESOLVE = "resolve"
    PIR = "pir"


class ClockState(StrEnum):
    """Where a clock stands at an instant."""

    OK = "ok"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    MET = "met"
    MET_LATE = "met_late"
    PAUSED = "paused"
    NOT_APPLICABLE = "not_applicable"


class Milestone(StrEnum):
    """Milestone times that may be corrected later (audited by a `milestone_edited` event)."""

    RECEIVED = "received"
    TRIAGED = "triaged"
    RESOLVED = "resolved"


class EventKind(StrEnum):
    """Every kind of fact the log can hold."""

    OPENED = "opened"
    TRIAGED = "triaged"
    SEVERITY_CHANGED = "severity_changed"
    ROLE_ASSIGNED = "role_assigned"
    NOTE = "note"
    UPDATE_POSTED = "update_posted"
    COMMITMENT_MADE = "commitment_made"
    COMMITMENT_MET = "commitment_met"
    COMMITMENT_MISSED = "commitment_missed"
    COMMITMENT_RENEGOTIATED = "commitment_renegotiated"
    DECISION_RECORDED = "decision_recorded"
    CLOCK_PAUSED = "clock_paused"
    CLOCK_RESUMED = "clock_resumed"
    PHASE_CHANGED = "phase_changed"
    RESOLVED = "resolved"
    CLOSED = "closed"
    MILESTONE_EDITED = "milestone_edited"
    TAGS_SET = "tags_set"
    # post-incident (issue 5)
    PIR_UPDATED = "pir_updated"
    PIR_COMPLETED = "pir_completed"
    ACTION_ADDED = "action_added"
    ACTION_UPDATED = "action_updated"
    ACTION_COMPLETED = "action_completed"
    CREDIT_APPROVED = "credit_approved"
    PATTERN_FLAGGED = "pattern_flagged"
    RCA_SENT = "rca_sent"
    RCA_QUEUED = "rca_queued"
    # delivery (issue 11)
    UPDATE_DELIVERED = "update_delivered"
    UPDATE_DELIVERY_FAILED = "update_delivery_failed"
    TRIGGER_FIRED = "trigger_fired"


class Event(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One immutable fact in the log.

    `seq` is assigned by the store (gap-free, global to a store); an event not yet stored has
    `seq == 0`. `occurred_at` is when it happened (may be back-dated by a scribe); `recorded_at`
    is when the store took it. Payload keys per kind are documented in `docs/architecture.md`.
    """

    seq: int = 0
    incident_id: str
    kind: EventKind
    actor: str
    occurred_at: datetime
    recorded_at: datetime
    payload: dict[str, Any] = msgspec.field(default_factory=dict)
    idempotency_key: str | None = None


class ImpactAssessment(msgspec.Struct, kw_only=True):
    """The facts the severity matrix reads."""

    impact: Impact = Impact.MINOR
    affected: int = 0
    strategic: bool = False
    data_loss: bool = False
    business_risk: str = ""


class DeliveryStatus(msgspec.Struct, kw_only=True, frozen=True):
    """Where one update stands on one channel, folded from the delivery events."""

    channel: str
    recipients: tuple[str, ...] = ()
    state: str = "pending"
    """`pending` (not tried yet), `failed` (last attempt failed; retrying) or `delivered`."""
    attempts: int = 0
    error: str | None = None
    at: datetime | None = None
    """When it was delivered, or when the last attempt failed."""


class StatusUpdate(msgspec.Struct, kw_only=True):
    """A posted status update."""

    seq: int
    audience: Audience
    phase: Phase
    body: str
    posted_by: str
    posted_at: datetime
    next_update_at: datetime | None = None
    template: str | None = None
    backdated_s: int | None = None
    """Seconds it was posted before it was recorded, when past the policy's back-date limit."""
    deliveries: dict[str, DeliveryStatus] = msgspec.field(default_factory=dict)
    """By channel name: every channel it was sent to (empty: nothing leaves warroom)."""

    @property
    def undelivered(self) -> bool:
        """True while some channel has not received it."""
        return any(d.state != "delivered" for d in self.deliveries.values())


class Commitment(msgspec.Struct, kw_only=True):
    """A binding promise to the customer with an owner and a due time."""

    id: str
    text: str
    owner: str
    due_at: datetime
    state: CommitmentState = CommitmentState.OPEN
    made_at: datetime
    closed_at: datetime | None = None
    source: str = "manual"
    """`manual`, or `update` when it was the next-update time promised in a customer update."""
    history: list[dict[str, Any]] = msgspec.field(default_factory=list)
    """Renegotiations: `{from, to, by, at, reason}`."""

    @property
    def is_open(self) -> bool:
        """Still binding: open, or renegotiated to a new due time."""
        return self.state in (CommitmentState.OPEN, CommitmentState.RENEGOTIATED)


class Decision(msgspec.Struct, kw_only=True):
    """A decision taken under a decision right."""

    seq: int
    right: str
    actor: str
    text: str
    at: datetime


class Pause(msgspec.Struct, kw_only=True):
    """An interval during which the resolution clock stood still (waiting on the customer)."""

    start: datetime
    end: datetime | None = None
    reason: str = ""


class IncidentState(msgspec.Struct, kw_only=True):
    """Everything known about one escalation, folded from its events (see `reduce`)."""

    id: str
    title: str
    customer: str
    severity: Severity = Severity.P0
    """Current severity. Until `triaged` the clocks hold it to P0 targets regardless."""
    triaged: bool = False
    phase: Phase = Phase.TRIAGE
    assessment: ImpactAssessment = msgspec.field(default_factory=ImpactAssessment)
    tags: dict[str, str] = msgspec.field(default_factory=dict)
    roles: dict[str, str] = msgspec.field(default_factory=dict)
    received_at: datetime
    triaged_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    resolution_summary: str = ""
    first_customer_update_at: datetime | None = None
    last_customer_update_at: datetime | None = None
    promised_next_update_at: datetime | None = None
    """The next-update time promised in the latest customer update, if any (moved when that
    promise is renegotiated)."""
    promise_renegotiated: bool = False
    """The promise was renegotiated with the customer: it binds even past the cadence."""
    pauses: list[Pause] = msgspec.field(default_factory=list)
    updates: list[StatusUpdate] = msgspec.field(default_factory=list)
    commitments: dict[str, Commitment] = msgspec.field(default_factory=dict)
    decisions: list[Decision] = msgspec.field(default_factory=list)
    pir: dict[str, Any] = msgspec.field(default_factory=dict)
    """The post-incident review document (issue 5 owns its shape)."""
    pir_completed_at: datetime | None = None
    pir_accepted: dict[str, Any] | None = None
    """Blame findings a `complete_pir` holder proceeded past: `{reason, by, at, findings}`."""
    rca_sent: list[dict[str, Any]] = msgspec.field(default_factory=list)
    """Customer RCA summaries sent: `{at, by, to}` each (and `via`, the channel, when a channel
    delivered it); the first meets the `pir` clock."""
    peak_severity: Severity | None = None
    """The worst severity it was triaged at or changed to (None until triaged)."""
    source: dict[str, Any] | None = None
    """Where an imported escalation came from (`{"system": "statuspage", ...}`); None if live."""
    actions: dict[str, dict[str, Any]] = msgspec.field(default_factory=dict)
    credits: list[dict[str, Any]] = msgspec.field(default_factory=list)
    alert_key: str | None = None
    """`hook:key` of the alert that opened it (one escalation per key while not closed)."""
    pattern_flags: list[Event] = msgspec.field(default_factory=list)
    """Its `pattern_flagged` events, as logged (the recurrence rules read them; kept here so a
    report never reads the whole log for them)."""
    event_count: int = 0
    last_seq: int = 0
    updated_at: datetime | None = None
    """`occurred_at` of the latest event folded in."""

    @property
    def paused(self) -> bool:
        """True while the resolution clock is paused."""
        return bool(self.pauses) and self.pauses[-1].end is None

    @property
    def is_open(self) -> bool:
        """True until resolved."""
        return self.resolved_at is None

    @property
    def imported(self) -> bool:
        """Imported history (never live: closed on arrival, owes no PIR)."""
        return self.source is not None

    @property
    def rca_sent_at(self) -> datetime | None:
        """When the customer RCA summary was first sent, if it was."""
        return min((s["at"] for s in self.rca_sent), default=None)

    def open_commitments(self) -> list[Commitment]:
        """Commitments still binding (open or renegotiated), soonest due first."""
        return sorted((c for c in self.commitments.values() if c.is_open), key=lambda c: c.due_at)


class Clock(msgspec.Struct, kw_only=True):
    """One SLA clock evaluated at an instant."""

    name: ClockName
    state: ClockState
    due_at: datetime | None = None
    remaining_s: float | None = None
    """Seconds left (negative once breached; frozen while paused); None when met or n/a."""
    target_s: float | None = None
    """The clock's target length in (calendar) seconds."""
    met_at: datetime | None = None
