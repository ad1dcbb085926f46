"""Test helpers: the default policy built in code, and a fluent builder for event logs.

`default_policy()` mirrors the numbers in DESIGN.md without reading `config/default.toml`, so
domain tests do not depend on the config loader (tests/test_sla.py checks that its targets,
calendars, rules and rights agree with the shipped config; templates, tiers and customers are
left empty). `Log` builds a valid event sequence for one incident with store-like `seq`
numbers; `Log.state()` folds it with the real reducer. `incident_logs()` is a hypothesis
strategy for random valid logs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from warroom.domain.models import Event, EventKind, IncidentState, Milestone, Phase, Severity
from warroom.domain.next_update import promise_text
from warroom.domain.policy import Calendar, Policy, RoleInfo, SeverityPolicy, TriageRule
from warroom.domain.reduce import reduce

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
"""A Tuesday, 10:00 UTC: inside business hours."""
_NONE = timedelta(0)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """An aware UTC datetime."""
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def minutes(n: float) -> timedelta:
    """`n` minutes."""
    return timedelta(minutes=n)


def hours(n: float) -> timedelta:
    """`n` hours."""
    return timedelta(hours=n)


def business_calendar(**overrides: Any) -> Calendar:
    """Mon–Fri 09:00–17:00 UTC, with any field overridden."""
    return Calendar(kind="business", **overrides)


def default_policy(**overrides: Any) -> Policy:
    """The DESIGN.md default policy, built in code (fields may be overridden)."""
    fields: dict[str, Any] = {
        "at_risk_fraction": 0.25,
        "severities": {
            Severity.P0: SeverityPolicy(
                label="Critical", triage=minutes(15), first_update=minutes(15),
                update_every=minutes(30), resolve=hours(4), pir_due=hours(48),
                calendar="always",
            ),
            Severity.P1: SeverityPolicy(
                label="High", triage=minutes(15), first_update=minutes(30),
                update_every=hours(1), resolve=hours(24), pir_due=hours(48), calendar="always",
            ),
            Severity.P2: SeverityPolicy(
                label="Normal", triage=minutes(15), first_update=hours(4),
                update_every=hours(8), resolve=hours(24), pir_due=None, calendar="business",
            ),
        },
        "calendars": {"always": Calendar(kind="always"), "business": business_calendar()},
        "triage_rules": [
            TriageRule(name="data-loss-or-security", severity=Severity.P0, data_loss=True),
            TriageRule(name="outage-widespread", severity=Severity.P0, impact=["outage"],
                       min_affected=10),
            TriageRule(name="outage-strategic", severity=Severity.P0, impact=["outage"],
                       strategic=True),
            TriageRule(name="outage", severity=Severity.P1, impact=["outage"]),
            TriageRule(name="degraded-widespread", severity=Severity.P1, impact=["degraded"],
                       min_affected=10),
            TriageRule(name="degraded-strategic", severity=Severity.P1, impact=["degraded"],
                       strategic=True),
            TriageRule(name="default", severity=Severity.P2),
        ],
        "roles": {
            "incident_commander": RoleInfo(title="Incident commander"),
            "customer_spoc": RoleInfo(title="Customer single point of contact"),
            "comms_lead": RoleInfo(title="Communications lead"),
            "tech_lead": RoleInfo(title="Technical lead"),
            "scribe": RoleInfo(title="Scribe"),
            "exec_sponsor": RoleInfo(title="Executive sponsor"),
        },
        "rights": {
            "set_severity": ["incident_commander"],
            "assign_roles": ["incident_commander"],
            "resolve": ["incident_commander"],
            "close": ["incident_commander"],
            "post_customer_update": ["customer_spoc", "comms_lead", "incident_commander"],
            "post_executive_update": ["incident_commander", "comms_lead", "exec_sponsor"],
            "post_internal_update": ["anyone"],
            "make_commitment": ["customer_spoc", "incident_commander"],
            "pause_clock": ["incident_commander", "customer_spoc"],
            "approve_credit": ["exec_sponsor", "incident_commander"],
            "change_phase": ["incident_commander", "tech_lead"],
            "add_note": ["anyone"],
            "edit_milestone": ["incident_commander", "scribe"],
            "edit_pir": ["incident_commander", "tech_lead", "scribe"],
            "complete_pir": ["incident_commander"],
            "manage_actions": ["anyone"],
            "flag_pattern": ["incident_commander", "exec_sponsor"],
        },
    }
    fields.update(overrides)
    return Policy(**fields)


def _iso(value: datetime) -> str:
    return value.isoformat()


class Log:
    """Builds one incident's events in order; every method returns the builder.

    `at` is each event's `occurred_at`; `recorded_at` is the same instant (or `recorded_at=`).
    """

    def __init__(self, incident_id: str = "ESC-1", actor: str = "ana") -> None:
        self.incident_id = incident_id
        self.actor = actor
        self.events: list[Event] = []

    def add(self, kind: EventKind, at: datetime, payload: dict[str, Any] | None = None,
            actor: str | None = None) -> Log:
        """Append an event of any kind."""
        self.events.append(Event(
            seq=len(self.events) + 1, incident_id=self.incident_id, kind=kind,
            actor=actor or self.actor, occurred_at=at, recorded_at=at, payload=payload or {},
        ))
        return self

    def state(self) -> IncidentState:
        """Fold the events so far with the real reducer."""
        state = reduce(self.events)
        assert state is not None, "no opened event"
        return state

    def opened(self, at: datetime, title: str = "Checkout down", customer: str = "Acme",
               actor: str | None = None) -> Log:
        return self.add(EventKind.OPENED, at, {"title": title, "customer": customer}, actor)

    def triaged(self, at: datetime, severity: Severity | str) -> Log:
        return self.add(EventKind.TRIAGED, at, {"severity": str(severity), "reason": "matrix"})

    def severity(self, at: datetime, severity: Severity | str) -> Log:
        return self.add(EventKind.SEVERITY_CHANGED, at,
                        {"severity": str(severity), "reason": "reassessed"})

    def assign(self, at: datetime, role: str, person: str) -> Log:
        return self.add(EventKind.ROLE_ASSIGNED, at, {"role": role, "person": person})

    def note(self, at: datetime, text: str = "looking at logs") -> Log:
        return self.add(EventKind.NOTE, at, {"text": text})

    def update(self, at: datetime, audience: str = "customer",
               next_update_at: datetime | None = None, phase: Phase = Phase.INVESTIGATING,
               body: str = "We are investigating.") -> Log:
        payload: dict[str, Any] = {"audience": audience, "phase": str(phase), "body": body}
        if next_update_at is not None:
            payload["next_update_at"] = _iso(next_update_at)
        return self.add(EventKind.UPDATE_POSTED, at, payload)

    def commit(self, at: datetime, commitment_id: str, due_at: datetime,
               text: str = "send the RCA", owner: str = "ana") -> Log:
        return self.add(EventKind.COMMITMENT_MADE, at, {
            "commitment_id": commitment_id, "text": text, "owner": owner, "due_at": _iso(due_at),
        })

    def promise(self, at: datetime, commitment_id: str, due_at: datetime,
                owner: str = "ana") -> Log:
        """The commitment a customer update promising the next one by `due_at` makes."""
        return self.add(EventKind.COMMITMENT_MADE, at, {
            "commitment_id": commitment_id, "text": promise_text(due_at), "owner": owner,
            "due_at": _iso(due_at), "source": "update",
        })

    def commitment(self, at: datetime, commitment_id: str, outcome: str,
                   due_at: datetime | None = None) -> Log:
        """`outcome` is met, missed or renegotiate (then `due_at` is the new due time)."""
        if outcome == "renegotiate":
            assert due_at is not None
            return self.add(EventKind.COMMITMENT_RENEGOTIATED, at, {
                "commitment_id": commitment_id, "due_at": _iso(due_at),
                "reason": "customer agreed",
            })
        kind = EventKind.COMMITMENT_MET if outcome == "met" else EventKind.COMMITMENT_MISSED
        return self.add(kind, at, {"commitment_id": commitment_id})

    def decide(self, at: datetime, right: str = "set_severity", text: str = "roll back") -> Log:
        return self.add(EventKind.DECISION_RECORDED, at, {"right": right, "text": text})

    def pause(self, at: datetime, reason: str = "waiting on customer logs") -> Log:
        return self.add(EventKind.CLOCK_PAUSED, at, {"reason": reason})

    def resume(self, at: datetime) -> Log:
        return self.add(EventKind.CLOCK_RESUMED, at)

    def phase(self, at: datetime, phase: Phase) -> Log:
        return self.add(EventKind.PHASE_CHANGED, at, {"phase": str(phase)})

    def tags(self, at: datetime, **tags: str) -> Log:
        return self.add(EventKind.TAGS_SET, at, {"tags": tags})

    def resolve(self, at: datetime, summary: str = "rolled back") -> Log:
        return self.add(EventKind.RESOLVED, at, {"summary": summary})

    def close(self, at: datetime) -> Log:
        return self.add(EventKind.CLOSED, at)

    def edit_milestone(self, at: datetime, milestone: Milestone, new_time: datetime) -> Log:
        return self.add(EventKind.MILESTONE_EDITED, at, {
            "milestone": str(milestone), "new_time": _iso(new_time), "reason": "corrected",
        })

    def pir_completed(self, at: datetime) -> Log:
        return self.add(EventKind.PIR_COMPLETED, at)

    def rca_sent(self, at: datetime, *to: str) -> Log:
        return self.add(EventKind.RCA_SENT, at, {"to": list(to) or ["cto@acme.example"]})


# Random valid event sequences for property tests.

_STEP_KINDS = (
    "triage", "severity", "assign", "vacate", "note", "customer_update", "promise_update",
    "internal_update", "commit", "commit_close", "pause", "resume", "phase", "tags", "decide",
    "resolve", "edit_milestone", "pir", "close",
)


@st.composite
def incident_logs(draw: st.DrawFn, max_events: int = 40) -> Log:
    """A random but valid log for one incident: opened first and earliest, then a mix of every
    kind, with times moving forward and now and then back-dated (never before the opening)."""
    log = Log()
    opened_at = T0 + timedelta(minutes=draw(st.integers(0, 7 * 24 * 60)))
    log.opened(opened_at)
    t = opened_at
    paused = resolved = closed = False
    open_commitments: list[str] = []
    made = 0
    for _ in range(draw(st.integers(0, max_events))):
        t += timedelta(minutes=draw(st.integers(0, 180)))
        back = timedelta(minutes=draw(st.integers(0, 30))) if draw(st.booleans()) else _NONE
        at = max(opened_at, t - back)
        kind = draw(st.sampled_from(_STEP_KINDS))
        if kind == "triage":
            log.triaged(at, draw(st.sampled_from(list(Severity))))
        elif kind == "severity":
            log.severity(at, draw(st.sampled_from(list(Severity))))
        elif kind == "assign":
            log.assign(at, draw(st.sampled_from(["incident_commander", "customer_spoc",
                                                 "scribe"])), draw(st.sampled_from(["bo", "cy"])))
        elif kind == "vacate":
            log.assign(at, draw(st.sampled_from(["incident_commander", "scribe"])), "")
        elif kind in ("customer_update", "internal_update"):
            log.update(at, audience=kind.split("_")[0])
        elif kind == "promise_update":
            log.update(at, next_update_at=at + timedelta(minutes=draw(st.integers(1, 600))))
        elif kind == "commit":
            made += 1
            open_commitments.append(f"C{made}")
            log.commit(at, f"C{made}", at + timedelta(hours=draw(st.integers(1, 48))))
        elif kind == "commit_close" and open_commitments:
            outcome = draw(st.sampled_from(["met", "missed", "renegotiate"]))
            cid = draw(st.sampled_from(open_commitments))
            if outcome != "renegotiate":
                open_commitments.remove(cid)
            log.commitment(at, cid, outcome, due_at=at + timedelta(hours=2))
        elif kind == "pause" and not paused and not resolved:
            paused = True
            log.pause(at)
        elif kind == "resume" and paused:
            paused = False
            log.resume(at)
        elif kind == "phase" and not resolved:
            log.phase(at, draw(st.sampled_from([Phase.INVESTIGATING, Phase.IDENTIFIED,
                                                Phase.MONITORING])))
        elif kind == "tags":
            log.tags(at, component=draw(st.sampled_from(["db", "api", ""])), category="bug")
        elif kind == "decide":
            log.decide(at)
        elif kind == "resolve" and not resolved:
            resolved, paused = True, False
            log.resolve(at)
        elif kind == "edit_milestone":
            milestone = draw(st.sampled_from(list(Milestone)))
            log.edit_milestone(at, milestone, opened_at + timedelta(
                minutes=draw(st.integers(0, 600))))
        elif kind == "pir" and resolved:
            log.pir_completed(at)
        elif kind == "close" and resolved and not closed:
            closed = True
            log.close(at)
        else:
            log.note(at, f"note {len(log.events)}")
    return log
