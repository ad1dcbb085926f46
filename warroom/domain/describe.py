"""What an event says, for every kind: a short label and a one-line summary (the console
timeline, `warroom log`), and a sentence (the PIR timeline). One table, `_KINDS`, holds all three.

Pure. Times inside payloads are shown as `HH:MM UTC`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from warroom.domain.alerts import HOOK_NAMES
from warroom.domain.models import Event
from warroom.domain.timeparse import format_duration


class _Kind(NamedTuple):
    label: str
    """Upper case, at most 8 characters."""
    title: str | None
    """What a sentence starts with (None: the summary is the whole sentence)."""
    summary: Callable[[dict[str, Any]], str]


def label(event: Event) -> str:
    """The event's short label, e.g. `PROMISE` for a commitment made."""
    kind = str(event.kind)
    described = _KINDS.get(kind)
    return described.label if described else kind.upper()[:8]


def summary(event: Event) -> str:
    """One line saying what happened (after the label)."""
    described = _KINDS.get(str(event.kind))
    text = described.summary(event.payload) if described else _pairs(event.payload)
    return " ".join(str(text).split())


def sentence(event: Event) -> str:
    """What happened as a sentence, e.g. `Escalation opened: Checkout down — Northwind Bank`."""
    described = _KINDS.get(str(event.kind))
    text = summary(event)
    title = described.title if described else str(event.kind).replace("_", " ")
    if title is None:
        return text[:1].upper() + text[1:]
    return f"{title}: {text}" if text else title


def _when(value: Any) -> str:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).strftime("%H:%M UTC")
    except ValueError:
        return str(value)


def backdated_mark(payload: dict[str, Any]) -> str:
    """` (back-dated 1h05m)` for an update posted long before it was recorded, else ''."""
    seconds = payload.get("backdated_s")
    if not isinstance(seconds, int) or isinstance(seconds, bool):
        return ""
    return f" (back-dated {format_duration(seconds)})"


def _sender(alert: dict[str, Any]) -> str:
    return HOOK_NAMES.get(str(alert.get("hook")), str(alert.get("hook")))


def _pairs(p: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in p.items())


def _triaged(p: dict[str, Any]) -> str:
    text = f"{p.get('severity')}: {p.get('reason', '')} "
    if p.get("rule") is None:
        return text
    if p.get("suggested") in (None, p.get("severity")):
        return text + f"[matrix rule {p.get('rule')}]"
    return text + f"[overrides matrix {p.get('suggested')} by rule {p.get('rule')}]"


def _action(p: dict[str, Any]) -> str:
    owner = f"owner {p['owner']}" if p.get("owner") else ""
    due = f"due {_when(p['due_at'])}" if p.get("due_at") else ""
    details = ", ".join(part for part in (owner, due) if part)
    return f"{p.get('action_id')} {p.get('title', '')}" + (f" ({details})" if details else "")


_KINDS: dict[str, _Kind] = {
    "opened": _Kind("OPENED", "Escalation opened",
                    lambda p: f"{p.get('title')} — {p.get('customer')}" + (
                        f" (opened by {_sender(p['alert'])} alert {p['alert'].get('key')}; "
                        "nobody owns it yet)" if p.get("alert") else "")),
    "triaged": _Kind("TRIAGED", "Triaged", _triaged),
    "severity_changed": _Kind("SEVERITY", "Severity changed",
                              lambda p: f"{p.get('previous')} → {p.get('severity')}: "
                                        f"{p.get('reason')}"),
    "role_assigned": _Kind("ROLE", "Assigned",
                           lambda p: f"{p.get('role')} → {p.get('person') or '(vacant)'}" + (
                               " (took ownership)" if p.get("taken") else "")),
    "note": _Kind("NOTE", "Note", lambda p: p.get("text", "")),
    "update_posted": _Kind("UPDATE", "Update",
                           lambda p: f"[{p.get('audience')}] {p.get('body', '')}"
                                     + backdated_mark(p)),
    "update_delivered": _Kind("SENT", None,
                              lambda p: f"{p.get('of', 'update')} #{p.get('of_seq')} delivered "
                                        f"via {p.get('channel')} to "
                                        f"{', '.join(p.get('recipients', ()))} "
                                        f"(attempt {p.get('attempt')})"),
    "update_delivery_failed": _Kind("UNSENT", None,
                                    lambda p: f"{p.get('of', 'update')} #{p.get('of_seq')} not "
                                              f"delivered via {p.get('channel')}: "
                                              f"{p.get('error')} (attempt {p.get('attempt')}, "
                                              "retrying)"),
    "trigger_fired": _Kind("TRIGGER", "Trigger fired",
                           lambda p: f"{p.get('clock')} clock {p.get('state')}: notified "
                                     f"{p.get('channel')}"),
    "commitment_made": _Kind("PROMISE", "Commitment",
                             lambda p: f"{p.get('commitment_id')} {p.get('text')} "
                                       f"(owner {p.get('owner')}, due {_when(p.get('due_at'))})"),
    "commitment_met": _Kind("MET", "Commitment met",
                            lambda p: f"{p.get('commitment_id')} met"
                                      + (" late (after its due time)" if p.get("late") else "")),
    "commitment_missed": _Kind("MISSED", "Commitment missed",
                               lambda p: f"{p.get('commitment_id')} missed"),
    "commitment_renegotiated": _Kind("RENEGOT", "Commitment renegotiated",
                                     lambda p: f"{p.get('commitment_id')} now due "
                                               f"{_when(p.get('due_at'))}" + (
                                         f" (original {_when(p['original_missed'])} missed)"
                                         if p.get("original_missed") else ""
                                     ) + f": {p.get('reason', '')}"),
    "decision_recorded": _Kind("DECISION", "Decision",
                               lambda p: f"[{p.get('right')}] {p.get('text')}"),
    "clock_paused": _Kind("PAUSED", None,
                          lambda p: f"resolution clock paused: {p.get('reason', '')}"),
    "clock_resumed": _Kind("RESUMED", None, lambda p: "resolution clock resumed"),
    "phase_changed": _Kind("PHASE", "Phase", lambda p: (
        f"{p['previous']} → " if p.get("previous") else "") + str(p.get("phase"))),
    "resolved": _Kind("RESOLVED", "Resolved", lambda p: p.get("summary", "")),
    "closed": _Kind("CLOSED", None, lambda p: "closed" + (
        " unresolved (still open at its source when imported)"
        if p.get("unresolved_at_source") else "")),
    "milestone_edited": _Kind("EDITED", "Time corrected",
                              lambda p: f"{p.get('milestone')} {_when(p.get('previous'))} → "
                                        f"{_when(p.get('new_time'))}: {p.get('reason', '')}"),
    "tags_set": _Kind("TAGS", "Tagged", lambda p: _pairs(p.get("tags", {}))),
    # post-incident
    "pir_updated": _Kind("PIR", "PIR updated", lambda p: ", ".join(sorted(p.get("fields", {})))),
    "pir_completed": _Kind("PIR DONE", None, lambda p: "PIR completed" + (
        " on close" if p.get("on_close") else "")),
    "action_added": _Kind("ACTION", "Corrective action", _action),
    "action_updated": _Kind("ACTION", "Corrective action",
                            lambda p: f"{p.get('action_id')} updated: " + _pairs(
                                {k: v for k, v in p.items() if k != "action_id"})),
    "action_completed": _Kind("DONE", None,
                              lambda p: f"corrective action {p.get('action_id')} done"),
    "credit_approved": _Kind("CREDIT", "Service credit approved",
                             lambda p: f"{p.get('amount')}" + (
                                 f" ({p['percent']}%)" if p.get("percent") is not None else "")),
    "rca_queued": _Kind("RCA", None, lambda p: "customer RCA summary queued for " + (
        ", ".join(f"{d.get('channel')} ({', '.join(d.get('recipients', ()))})"
                  for d in p.get("deliveries", ())) or "delivery")),
    "rca_sent": _Kind("RCA SENT", None, lambda p: "customer RCA summary sent to "
                      + ", ".join(p.get("to", ())) + (
                          f" via {p['channel']}" if p.get("channel") else "") + (
                          f" (asked by {p['requested_by']})" if p.get("requested_by") else "")),
    "pattern_flagged": _Kind("PATTERN", "Pattern flagged",
                             lambda p: f"{p.get('pattern')} to {', '.join(p.get('to', []))}"),
}


COMMAND_DONE: dict[str, str] = {
    "open": "Escalation opened", "triage": "Triaged", "severity": "Severity changed",
    "assign": "Role assigned", "note": "Note added", "update": "Update posted",
    "commit": "Commitment made", "commitment": "Commitment updated",
    "pause": "Resolution clock paused", "resume": "Resolution clock resumed",
    "decide": "Decision recorded", "phase": "Phase changed", "resolve": "Resolved",
    "close": "Closed", "edit_milestone": "Milestone corrected", "tag": "Tags set",
    "alert": "Alert recorded", "take": "You are the commander now", "pir": "PIR saved",
    "pir_complete": "PIR completed", "pir_sent": "RCA summary recorded as sent",
    "pir_send": "Customer RCA queued for delivery",
    "action_add": "Corrective action added", "action_update": "Corrective action updated",
    "action_done": "Corrective action completed", "credit_approve": "Credit approved",
    "flag": "Pattern flagged",
}
"""What a console toast says when a command of each `type` was carried out."""


def command_done(command_type: str, result: dict[str, Any]) -> str:
    """One line for a carried-out command: `Update posted · ESC-7`, `Commitment made · C3`."""
    text = COMMAND_DONE.get(command_type, command_type.replace("_", " ").capitalize())
    where = [str(result[k]) for k in ("id", "commitment_id", "action_id") if result.get(k)]
    if result.get("severity") and command_type in ("triage", "severity"):
        where.append(str(result["severity"]))
    return " · ".join([text, *where])
