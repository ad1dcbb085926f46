"""The demo escalation: a realistic P0 at a strategic customer, seeded through the service.

Every entry is a real command by the person whose role allows it, back-dated relative to `now`
so the clocks are live when the console opens: the resolution clock is at risk, one commitment
is overdue, the next customer update is due in about twelve minutes, and every role is filled.

The commands are decided by a `WarRoom` (same policy and clock) over a scratch in-memory log,
and the resulting events are then appended to the real store in one transaction: one durable
write instead of forty, so `warroom demo` opens fast even on a slow disk.

The script's commands are `Step`s, trusted data with a command's `type` and fields, rather than
the pydantic command models: importing pydantic would cost `warroom demo` about a third of its
way to the first frame. A test checks that every step is a valid command.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from warroom.domain.models import Audience, Event, Impact, Phase, Severity
from warroom.domain.policy import Policy
from warroom.domain.structs import replace
from warroom.service import WarRoom
from warroom.store.base import AppendResult, Draft, NewDelivery, SeqConflict

if TYPE_CHECKING:
    from warroom.domain.commands import AnyCommand

CUSTOMER = "Northwind Bank"
IC, SPOC, COMMS, TECH, SCRIBE, EXEC = (
    "maria.chen", "james.okafor", "priya.raman", "diego.alvarez", "sam.lee", "helen.brandt")
RECEIVED_AGO = timedelta(hours=3, minutes=12)
"""With an 8-minute pause, 56 of the P0's 4 hours remain: the resolution clock is at risk."""

_NOTES: list[tuple[int, str, str]] = [
    (2, IC, "Paged by Northwind NOC: about 40% of card authorisations failing since 09:58 "
            "their time."),
    (9, TECH, "503s come from payments-api pods in eu-west-1; CPU throttled at the limit."),
    (18, TECH, "Rolled back payments-api 4.12.0 to 4.11.3 in eu-west-1: no improvement."),
    (28, SCRIBE, "Northwind confirms card-present transactions affected; e-commerce unaffected."),
    (45, TECH, "Ledger DB connection pool exhausted: pool size 50, 800 requests waiting."),
    (75, TECH, "Pool raised to 200 on half the pods: error rate down from 40% to 22%."),
    (100, SCRIBE, "Second wave of errors at 11:40 their time; pool exhaustion back on the "
                  "remaining pods."),
    (120, TECH, "Found it: the auth-lookup retry path holds its connection while it backs off "
                "(connection leak)."),
    (140, TECH, "Hotfix 4.11.4 (leak fix) built; canary in eu-west-1a."),
    (160, TECH, "Canary healthy for 15 minutes: error rate 0.4%."),
    (180, SCRIBE, "Northwind NOC reports authorisation success back to 97%."),
    (188, TECH, "Rollout complete, error rate 0.2%; watching 30 minutes before resolving."),
]
_CUSTOMER_UPDATES = [11, 40, 68, 95, 124, 150, 174]
"""Minutes after receipt; each promises the next one 30 minutes later (the P0 cadence)."""


class ScratchStore:
    """A throwaway in-memory event log (just enough of the Store protocol to decide commands)."""

    def __init__(self, events: Sequence[Event] = ()) -> None:
        self.events: list[Event] = list(events)

    def append(self, events: Sequence[Event], *, expect_seq: int | None = None,
               idempotency_key: str | None = None,
               result: dict[str, Any] | None = None,
               deliveries: Sequence[NewDelivery] = ()) -> AppendResult:
        if deliveries:
            raise ValueError("a scratch store sends nothing")
        last = self.last_seq()
        if expect_seq is not None and expect_seq != last:
            raise SeqConflict(expect_seq, last)
        seqs = tuple(range(last + 1, last + 1 + len(events)))
        self.events += [replace(e, seq=s) for s, e in zip(seqs, events, strict=True)]
        return AppendResult(seqs=seqs, result=result or {})

    def lookup(self, idempotency_key: str) -> AppendResult | None:
        return None

    def read(
        self, since_seq: int = 0, incident_id: str | None = None, limit: int | None = None
    ) -> list[Event]:
        found = [e for e in self.events if e.seq > since_seq
                 and (incident_id is None or e.incident_id == incident_id)]
        return found if limit is None else found[:limit]

    def last_seq(self) -> int:
        return self.events[-1].seq if self.events else 0

    async def watch(self, since_seq: int = 0) -> AsyncIterator[list[Event]]:
        yield self.read(since_seq)

    def save_draft(self, incident_id: str, person: str, body: dict[str, Any],
                   now: datetime) -> None:
        """Drafts are not kept here."""

    def load_draft(self, incident_id: str, person: str) -> Draft | None:
        return None

    def discard_draft(self, incident_id: str, person: str) -> None:
        """Drafts are not kept here."""

    def close(self) -> None:
        """Nothing to release."""


def seed(service: WarRoom, now: datetime) -> str:
    """Create the demo escalation in `service`'s store; returns its id."""
    for _ in range(5):
        existing = service.store.read(0)
        scratch = ScratchStore(existing)
        iid = _decide(scratch, service.policy, now)
        fresh = [replace(e, seq=0) for e in scratch.events[len(existing):]]
        try:
            service.store.append(fresh, expect_seq=existing[-1].seq if existing else 0)
        except SeqConflict:  # someone else wrote meanwhile: decide again on the new log
            continue
        service.refresh()
        return iid
    raise SeqConflict(0, service.store.last_seq())


class Step:
    """One command of the script: its `type` and the fields it sets; `decide` reads every
    field it leaves out as unset (None), as a command model's defaults are."""

    def __init__(self, type: str, **fields: Any) -> None:
        self.type = type
        self.at: datetime | None = None
        self._fields = fields
        self.__dict__.update(fields)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return None

    def data(self) -> dict[str, Any]:
        """The step as command data (what `parse_command` takes)."""
        return {"type": self.type, **self._fields, **({"at": self.at} if self.at else {})}


def opening(now: datetime) -> Step:
    """The command that opens the demo escalation."""
    return Step(
        "open", title="Card authorisations failing: payments API returning 503s",
        customer=CUSTOMER, impact=Impact.OUTAGE, affected=1, strategic=True,
        business_risk="Card payments failing at Northwind's peak; their regulator must be told "
                      "if the outage passes 4 hours.",
        component="payments-api", category="capacity")


def script(iid: str, now: datetime) -> list[tuple[int, str, Step]]:
    """(minutes after receipt, actor, command) for everything after opening, in order."""
    start = now - RECEIVED_AGO

    def at(minutes: int) -> datetime:
        return start + timedelta(minutes=minutes)

    steps: list[tuple[int, str, Step]] = []

    def add(minute: int, actor: str, type: str, **fields: Any) -> None:
        steps.append((minute, actor, Step(type, incident_id=iid, **fields)))

    for minute, role, person in [(4, "customer_spoc", SPOC), (4, "tech_lead", TECH),
                                 (5, "comms_lead", COMMS), (5, "scribe", SCRIBE),
                                 (7, "exec_sponsor", EXEC)]:
        add(minute, IC, "assign", role=role, person=person)
    add(6, IC, "triage", severity=Severity.P0, reason="Strategic account with a full outage "
        "of the card authorisation path")
    for minute, actor, text in _NOTES:
        add(minute, actor, "note", text=text)
    for minute in _CUSTOMER_UPDATES:
        phase = "customer-p0-investigating" if minute < 52 else "customer-p0-identified"
        add(minute, SPOC, "update", audience=Audience.CUSTOMER, template=phase,
            next_update_at=at(minute + 30))
    for minute in (12, 150):
        add(minute, COMMS, "update", audience=Audience.INTERNAL, template="internal-update")
    for minute in (60, 170):
        add(minute, COMMS, "update", audience=Audience.EXECUTIVE, template="executive-brief")
    add(15, IC, "decide", right="set_severity",
        text="Hold at P0 while more than 5% of authorisations fail.")
    add(25, SPOC, "commit", owner=SPOC, due_at=now - timedelta(minutes=10),
        text="Send Northwind's CTO a written interim summary (impact, timeline, mitigation)")
    add(33, SPOC, "pause", reason="Waiting on Northwind for gateway logs from the failing "
        "terminals")
    add(41, SPOC, "resume")
    add(36, SPOC, "decide", right="pause_clock", text="Pause the resolution clock only while "
        "the gateway logs are outstanding.")
    add(52, TECH, "phase", phase=Phase.IDENTIFIED)
    add(55, TECH, "decide", right="change_phase", text="Fix forward with the pool change; no "
        "failover to DR while replication lag is unknown.")
    add(90, SPOC, "commit", owner=TECH, due_at=now + timedelta(minutes=40),
        text="Confirm the failover plan for the EU payment gateway")
    add(130, IC, "decide", right="set_severity",
        text="Stay at P0 until errors are below 1% for 30 minutes.")
    add(135, EXEC, "decide", right="approve_credit", text="Pre-approve the strategic-tier "
        "service credit if the resolve target is breached.")
    add(185, TECH, "phase", phase=Phase.MONITORING)
    steps.sort(key=lambda step: step[0])
    for minute, _, step in steps:
        step.at = at(minute)
    return steps


def _decide(scratch: ScratchStore, policy: Policy, now: datetime) -> str:
    """Play the story, each command recorded at its own moment (so nothing is back-dated)."""
    start = now - RECEIVED_AGO
    moment = [start]
    service = WarRoom(scratch, policy, lambda: moment[0])
    first = opening(now)
    first.at = start
    iid = str(service.execute(cast("AnyCommand", first), IC)["id"])
    for _, actor, step in script(iid, now):
        assert step.at is not None
        moment[0] = step.at
        service.execute(cast("AnyCommand", step), actor)
    return iid
