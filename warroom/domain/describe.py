"""What an event says, in one line: a short label and a summary (console timeline, `warroom log`).

Pure. Times inside payloads are shown as `HH:MM UTC`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from warroom.domain.alerts import HOOK_NAMES
from warroom.domain.models import Event

KIND_LABELS: dict[str, str] = {
    "opened": "OPENED", "triaged": "TRIAGED", "severity_changed": "SEVERITY",
    "role_assigned": "ROLE", "note": "NOTE", "update_posted": "UPDATE",
    "commitment_made": "PROMISE", "commitment_met": "MET", "commitment_missed": "MISSED",
    "commitment_renegotiated": "RENEGOT", "decision_recorded": "DECISION",
    "clock_paused": "PAUSED", "clock_resumed": "RESUMED", "phase_changed": "PHASE",
    "resolved": "RESOLVED", "closed": "CLOSED", "milestone_edited": "EDITED", "tags_set": "TAGS",
    "update_delivered": "SENT", "update_delivery_failed": "UNSENT", "trigger_fired": "TRIGGER",
}
"""Short upper-case label per event kind (at most 8 characters)."""


def label(event: Event) -> str:
    """The event's short label, e.g. `PROMISE` for a commitment made."""
    kind = str(event.kind)
    return KIND_LABELS.get(kind, kind.upper()[:8])


def summary(event: Event) -> str:
    """One line saying what happened."""
    p: dict[str, Any] = event.payload
    kind = str(event.kind)
    text = _SUMMARIES.get(kind, lambda p: ", ".join(f"{k}={v}" for k, v in p.items()))(p)
    return " ".join(str(text).split())


def _when(value: Any) -> str:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).strftime("%H:%M UTC")
    except ValueError:
        return str(value)


def _sender(alert: dict[str, Any]) -> str:
    return HOOK_NAMES.get(str(alert.get("hook")), str(alert.get("hook")))


_SUMMARIES: dict[str, Any] = {
    "opened": lambda p: f"{p.get('title')} — {p.get('customer')}" + (
        f" (opened by {_sender(p['alert'])} alert {p['alert'].get('key')}; nobody owns it yet)"
        if p.get("alert") else ""),
    "triaged": lambda p: f"{p.get('severity')}: {p.get('reason', '')} " + (
        f"[matrix rule {p.get('rule')}]" if p.get("suggested") in (None, p.get("severity"))
        else f"[overrides matrix {p.get('suggested')} by rule {p.get('rule')}]"),
    "severity_changed": lambda p: f"{p.get('previous')} → {p.get('severity')}: {p.get('reason')}",
    "role_assigned": lambda p: f"{p.get('role')} → {p.get('person') or '(vacant)'}" + (
        " (took ownership)" if p.get("taken") else ""),
    "note": lambda p: p.get("text", ""),
    "update_posted": lambda p: f"[{p.get('audience')}] {p.get('body', '')}",
    "update_delivered": lambda p: f"{p.get('of', 'update')} #{p.get('of_seq')} delivered "
                                  f"via {p.get('channel')} to {', '.join(p.get('recipients', ()))} "
                                  f"(attempt {p.get('attempt')})",
    "update_delivery_failed": lambda p: f"{p.get('of', 'update')} #{p.get('of_seq')} not "
                                        f"delivered via {p.get('channel')}: {p.get('error')} "
                                        f"(attempt {p.get('attempt')}, retrying)",
    "trigger_fired": lambda p: f"{p.get('clock')} clock {p.get('state')}: notified "
                               f"{p.get('channel')}",
    "commitment_made": lambda p: f"{p.get('commitment_id')} {p.get('text')} "
                                 f"(owner {p.get('owner')}, due {_when(p.get('due_at'))})",
    "commitment_met": lambda p: f"{p.get('commitment_id')} met"
                                + (" late (after its due time)" if p.get("late") else ""),
    "commitment_missed": lambda p: f"{p.get('commitment_id')} missed",
    "commitment_renegotiated": lambda p: f"{p.get('commitment_id')} now due "
                                         f"{_when(p.get('due_at'))}" + (
        f" (original {_when(p['original_missed'])} missed)" if p.get("original_missed") else ""
    ) + f": {p.get('reason', '')}",
    "decision_recorded": lambda p: f"[{p.get('right')}] {p.get('text')}",
    "clock_paused": lambda p: f"resolution clock paused: {p.get('reason', '')}",
    "clock_resumed": lambda p: "resolution clock resumed",
    "phase_changed": lambda p: f"{p.get('previous')} → {p.get('phase')}",
    "resolved": lambda p: p.get("summary", ""),
    "closed": lambda p: "closed",
    "milestone_edited": lambda p: f"{p.get('milestone')} {_when(p.get('previous'))} → "
                                  f"{_when(p.get('new_time'))}: {p.get('reason', '')}",
    "tags_set": lambda p: ", ".join(f"{k}={v}" for k, v in p.get("tags", {}).items()),
}
