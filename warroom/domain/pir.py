"""Post-incident review (PIR): its fields, the completeness gate, the timeline, corrective actions,
and the JSON-ready PIR document that the exports render.

Pure. The PIR lives in `IncidentState.pir` (folded from `pir_updated` events, each carrying whole
field values in `fields`), corrective actions in `IncidentState.actions` and approved credits in
`IncidentState.credits`.

PIR fields:

- `summary`, `customer_impact`, `root_cause`: text.
- `whys` (the 5 Whys chain), `contributing_factors`, `went_well`: lists of text.
- `timeline`: explicit list of event seqs to include, or absent/None for the default selection
  (customer updates, decisions, triage, severity and phase changes, milestones);
  `timeline_include` / `timeline_exclude`: seqs added to / removed from that base.

A PIR is complete when it has a root cause, at least three whys, and at least one corrective
action with an owner and a due date. Escalations that had a severity with a `pir_due` target at
any moment (P0 and P1 by default) cannot close until it is, nor while it has blame findings
nobody accepted (`close_blockers`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from warroom.domain.blameless import Finding, check_pir, unaccepted
from warroom.domain.credits import credit_view
from warroom.domain.describe import sentence
from warroom.domain.models import (
    Audience,
    ClockState,
    CommitmentState,
    Event,
    EventKind,
    IncidentState,
)
from warroom.domain.policy import Policy
from warroom.domain.recurrence import natural_id
from warroom.domain.sla import clocks, pir_severity
from warroom.domain.timeparse import parse_iso

__all__ = [
    "ACTION_STATUSES",
    "LIST_FIELDS",
    "MIN_WHYS",
    "PIR_FIELDS",
    "TEXT_FIELDS",
    "TimelineEntry",
    "action_problems",
    "action_rows",
    "blame_blockers",
    "close_blockers",
    "corrective_actions",
    "default_timeline_seqs",
    "list_actions",
    "pir_document",
    "pir_gaps",
    "pir_required",
    "timeline",
    "timeline_seqs",
]

TEXT_FIELDS = ("summary", "customer_impact", "root_cause")
LIST_FIELDS = ("whys", "contributing_factors", "went_well")
TIMELINE_FIELDS = ("timeline", "timeline_include", "timeline_exclude")
PIR_FIELDS = TEXT_FIELDS + LIST_FIELDS + TIMELINE_FIELDS
MIN_WHYS = 3
ACTION_STATUSES = ("open", "in_progress", "done")

_DEFAULT_KINDS = frozenset({
    EventKind.OPENED, EventKind.TRIAGED, EventKind.SEVERITY_CHANGED, EventKind.PHASE_CHANGED,
    EventKind.DECISION_RECORDED, EventKind.RESOLVED, EventKind.CLOSED,
    EventKind.MILESTONE_EDITED,
})


# -- fields and the gate -------------------------------------------------------------------

def text_field(state: IncidentState, name: str) -> str:
    """A text field, stripped ('' when unset)."""
    value = state.pir.get(name)
    return value.strip() if isinstance(value, str) else ""


def list_field(state: IncidentState, name: str) -> list[str]:
    """A list field's non-empty items."""
    value = state.pir.get(name)
    if not isinstance(value, list):
        return []
    return [str(v).strip() for v in value if str(v).strip()]


def _has_owner_and_due(action: Mapping[str, Any]) -> bool:
    return bool(str(action.get("owner") or "").strip()) and bool(action.get("due_at"))


def pir_gaps(state: IncidentState) -> list[str]:
    """What the PIR still lacks before it is complete (empty when complete)."""
    gaps = []
    if not text_field(state, "root_cause"):
        gaps.append("a root cause")
    whys = len(list_field(state, "whys"))
    if whys < MIN_WHYS:
        gaps.append(f"at least three whys (has {whys})")
    if not any(_has_owner_and_due(a) for a in state.actions.values()):
        gaps.append("at least one corrective action with an owner and a due date")
    return gaps


def pir_required(state: IncidentState, policy: Policy) -> bool:
    """Does the escalation owe a PIR? Yes when any severity it ever had (P0 or P1 at any moment,
    by default) has a `pir_due` target; never for imported history."""
    return pir_severity(state, policy) is not None


def blame_blockers(state: IncidentState, names: Iterable[str] = ()) -> list[Finding]:
    """Blame findings in the PIR that nobody with `complete_pir` accepted."""
    return unaccepted(state, check_pir(state, extra_names=names))


def findings_message(findings: Sequence[Finding]) -> str:
    """`wording that blames people: root_cause: "Bob forgot"; whys[2]: "..."`."""
    return "wording that blames people: " + "; ".join(f.describe() for f in findings)


def close_blockers(state: IncidentState, policy: Policy, names: Iterable[str] = ()
                   ) -> list[str]:
    """Why the PIR keeps the escalation from closing (empty: nothing): its gaps, and blame
    findings not accepted. `names` are the people the store knows. Registered with
    `warroom.domain.decide.register_close_check` (by the service)."""
    if not pir_required(state, policy):
        return []
    blockers = [f"PIR needs {gap}" for gap in pir_gaps(state)]
    findings = blame_blockers(state, names)
    if findings:
        blockers.append(f"PIR has {findings_message(findings)} (reword, or "
                        f"`pir {state.id} complete --accept-findings REASON`)")
    return blockers


# -- timeline ------------------------------------------------------------------------------

def _is_default(event: Event) -> bool:
    if event.kind is EventKind.UPDATE_POSTED:
        return event.payload.get("audience") == Audience.CUSTOMER.value
    return event.kind in _DEFAULT_KINDS


def default_timeline_seqs(events: Iterable[Event]) -> list[int]:
    """Seqs of the events a PIR timeline includes unless the user chose otherwise."""
    return [e.seq for e in events if _is_default(e)]


def _seq_list(value: Any) -> list[int]:
    if not isinstance(value, list):
        return []
    return [int(v) for v in value if isinstance(v, int | str) and str(v).isdigit()]


def timeline_seqs(pir: Mapping[str, Any], events: Sequence[Event]) -> list[int]:
    """The seqs in the PIR timeline: (explicit list or default) + include - exclude."""
    explicit = pir.get("timeline")
    base = set(_seq_list(explicit)) if isinstance(explicit, list) else set(
        default_timeline_seqs(events))
    chosen = (base | set(_seq_list(pir.get("timeline_include")))) - set(
        _seq_list(pir.get("timeline_exclude")))
    known = {e.seq for e in events}
    return sorted(chosen & known)


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a PIR timeline."""

    seq: int
    at: datetime
    kind: str
    actor: str
    text: str
    default: bool

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"seq": self.seq, "at": self.at.isoformat(), "kind": self.kind,
                "actor": self.actor, "text": self.text, "default": self.default}


def _entry(event: Event) -> TimelineEntry:
    return TimelineEntry(event.seq, event.occurred_at, event.kind.value, event.actor,
                         sentence(event), _is_default(event))


def timeline(state: IncidentState, events: Iterable[Event]) -> list[TimelineEntry]:
    """The PIR timeline of `state` (its events only), in time order."""
    own = [e for e in events if e.incident_id == state.id]
    seqs = set(timeline_seqs(state.pir, own))
    chosen = [e for e in own if e.seq in seqs]
    chosen.sort(key=lambda e: (e.occurred_at, e.seq))
    return [_entry(e) for e in chosen]


def timeline_candidates(state: IncidentState, events: Iterable[Event]
                        ) -> list[tuple[TimelineEntry, bool]]:
    """Every event of the escalation with whether it is in the PIR timeline (for the editor)."""
    own = [e for e in events if e.incident_id == state.id]
    seqs = set(timeline_seqs(state.pir, own))
    own.sort(key=lambda e: (e.occurred_at, e.seq))
    return [(_entry(e), e.seq in seqs) for e in own]


# -- corrective actions --------------------------------------------------------------------

def _action_number(action_id: str) -> tuple[str, int, str]:
    return natural_id(action_id)


def _time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        return parse_iso(value)
    return None


def action_row(incident_id: str, action: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A corrective action as a JSON-ready row: `overdue`, `late_by_seconds` (done after its
    due time, or still open past it, at `now`), `age_seconds`, and `problems` (no owner, no due
    date)."""
    due = _time(action.get("due_at"))
    added = _time(action.get("added_at"))
    status = str(action.get("status") or "open")
    done = status == "done"
    completed = _time(action.get("completed_at")) if done else None
    end = completed if done else now
    late_by = (end - due).total_seconds() if due is not None and end is not None \
        and end > due else None
    owner = str(action.get("owner") or "").strip() or None
    problems = [p for p, missing in (("no owner", owner is None), ("no due date", due is None))
                if missing]
    return {
        "incident_id": incident_id,
        "id": action.get("action_id"),
        "title": action.get("title", ""),
        "owner": owner,
        "due_at": due.isoformat() if due else None,
        "status": status,
        "added_at": added.isoformat() if added else None,
        "completed_at": completed.isoformat() if completed else None,
        "overdue": bool(not done and due is not None and now > due),
        "late_by_seconds": late_by,
        "age_seconds": (now - added).total_seconds() if added and not done else None,
        "problems": problems,
    }


def action_problems(state: IncidentState) -> list[str]:
    """`A2 has no owner` for every corrective action missing an owner or a due date."""
    out = []
    for action_id in sorted(state.actions, key=_action_number):
        action = state.actions[action_id]
        missing = [w for w, gone in (("no owner", not str(action.get("owner") or "").strip()),
                                     ("no due date", not action.get("due_at"))) if gone]
        if missing:
            out.append(f"{action_id} has {' and '.join(missing)}")
    return out


def corrective_actions(state: IncidentState, now: datetime) -> list[dict[str, Any]]:
    """The escalation's actions as rows, by id (A1, A2, ...)."""
    return [action_row(state.id, state.actions[k], now)
            for k in sorted(state.actions, key=_action_number)]


def action_rows(states: Iterable[IncidentState], now: datetime) -> list[dict[str, Any]]:
    """Every action of every escalation, unsorted."""
    return [row for s in states for row in corrective_actions(s, now)]


def list_actions(states: Iterable[IncidentState], now: datetime, open_only: bool = False
                 ) -> list[dict[str, Any]]:
    """Actions across escalations: overdue first (most overdue first), then open ones by due
    time (undated last), then done ones; `open_only` leaves out done ones."""
    rows = [r for r in action_rows(states, now) if not (open_only and r["status"] == "done")]

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        rank = 0 if row["overdue"] else 2 if row["status"] == "done" else 1
        due = row["due_at"] or "9999"
        return (rank, due, natural_id(row["incident_id"]), _action_number(str(row["id"])))

    return sorted(rows, key=key)


# -- the document --------------------------------------------------------------------------

def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def commitments_ledger(state: IncidentState, now: datetime) -> dict[str, Any]:
    """Commitments made / met / met late (not on time) / missed / open / overdue, and each."""
    items = []
    counts = {"made": 0, "met": 0, "met_late": 0, "missed": 0, "open": 0, "overdue": 0,
              "renegotiated": 0}
    for c in sorted(state.commitments.values(), key=lambda c: natural_id(c.id)):
        counts["made"] += 1
        overdue = c.is_open and now > c.due_at
        if c.state is CommitmentState.MET:
            counts["met"] += 1
        elif c.state is CommitmentState.MET_LATE:
            counts["met_late"] += 1
        elif c.state is CommitmentState.MISSED:
            counts["missed"] += 1
        else:
            counts["open"] += 1
            counts["overdue"] += int(overdue)
        counts["renegotiated"] += int(bool(c.history))
        items.append({
            "id": c.id, "text": c.text, "owner": c.owner, "made_at": c.made_at.isoformat(),
            "due_at": c.due_at.isoformat(), "state": "overdue" if overdue else c.state.value,
            "closed_at": _iso(c.closed_at), "renegotiations": list(c.history),
            "source": c.source,
        })
    return {**counts, "items": items}


def sla_performance(state: IncidentState, policy: Policy, now: datetime) -> list[dict[str, Any]]:
    """Each clock: state, due, met at, and how long it was (or is) breached by."""
    rows: list[dict[str, Any]] = []
    for name, clock in clocks(state, policy, now).items():
        if clock.state is ClockState.NOT_APPLICABLE:
            rows.append({"clock": name.value, "state": clock.state.value,
                         "target_seconds": None, "due_at": None,
                         "met_at": None, "breached_by_seconds": None})
            continue
        breached_by: float | None = None
        if clock.due_at is not None:
            if clock.met_at is not None and clock.met_at > clock.due_at:
                breached_by = (clock.met_at - clock.due_at).total_seconds()
            elif clock.met_at is None and now > clock.due_at:
                breached_by = (now - clock.due_at).total_seconds()
        rows.append({"clock": name.value, "state": clock.state.value,
                     "target_seconds": clock.target_s, "due_at": _iso(clock.due_at),
                     "met_at": _iso(clock.met_at),
                     "breached_by_seconds": breached_by})
    return rows


def customer_updates(state: IncidentState) -> list[dict[str, Any]]:
    """Every customer-facing update sent, in time order."""
    sent = [u for u in state.updates if u.audience is Audience.CUSTOMER]
    sent.sort(key=lambda u: (u.posted_at, u.seq))
    return [{"seq": u.seq, "at": u.posted_at.isoformat(), "phase": u.phase.value,
             "body": u.body, "posted_by": u.posted_by,
             "next_update_at": _iso(u.next_update_at)} for u in sent]


def pir_document(state: IncidentState, events: Iterable[Event], policy: Policy, now: datetime,
                 *, names: Iterable[str] = ()) -> dict[str, Any]:
    """The whole PIR as a JSON-ready document (what `pir ID --format json` prints).

    Args:
        state: the escalation.
        events: its events (others are ignored); needed for the timeline and names.
        policy: targets, tiers.
        now: clocks, overdue and provisional credit are evaluated at this instant.
        names: every person the store knows, for the blameless check.
    """
    own = [e for e in events if e.incident_id == state.id]
    gaps = pir_gaps(state)
    duration = (state.resolved_at - state.received_at).total_seconds() \
        if state.resolved_at is not None else None
    return {
        "id": state.id,
        "title": state.title,
        "customer": state.customer,
        "severity": state.severity.value,
        "phase": state.phase.value,
        "tags": dict(state.tags),
        "received_at": state.received_at.isoformat(),
        "triaged_at": _iso(state.triaged_at),
        "resolved_at": _iso(state.resolved_at),
        "closed_at": _iso(state.closed_at),
        "duration_seconds": duration,
        "resolution_summary": state.resolution_summary,
        "summary": text_field(state, "summary"),
        "customer_impact": text_field(state, "customer_impact"),
        "timeline": [t.as_dict() for t in timeline(state, own)],
        "root_cause": text_field(state, "root_cause"),
        "whys": list_field(state, "whys"),
        "contributing_factors": list_field(state, "contributing_factors"),
        "went_well": list_field(state, "went_well"),
        "corrective_actions": corrective_actions(state, now),
        "commitments": commitments_ledger(state, now),
        "sla": sla_performance(state, policy, now),
        "customer_updates": customer_updates(state),
        "credit": credit_view(state, policy, now),
        "required": pir_required(state, policy),
        "complete": not gaps,
        "gaps": gaps,
        "completed_at": _iso(state.pir_completed_at),
        "blameless": [f._asdict() for f in check_pir(state, own, names)],
        "accepted_findings": state.pir_accepted,
        "rca_sent": [{**r, "at": r["at"].isoformat()} for r in state.rca_sent],
        "imported": state.source,
        "generated_at": now.isoformat(),
    }
