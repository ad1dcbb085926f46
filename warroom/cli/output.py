"""Plain-text renderings for the terminal (JSON output needs none of this)."""

from __future__ import annotations

from typing import Any

from warroom.domain.describe import label, summary
from warroom.domain.models import Event
from warroom.domain.timeparse import format_duration

_MARK = {"at_risk": "▲ AT RISK", "breached": "✖ BREACHED", "met": "✔ met",
         "met_late": "✔ met late", "paused": "⏸ paused", "ok": "● ok",
         "not_applicable": "– n/a"}


def result_line(verb: str, result: dict[str, Any]) -> str:
    """What a write verb prints: the new id for open/commit, else a short confirmation."""
    if verb == "open":
        return str(result["id"])
    if verb == "commit":
        return str(result["commitment_id"])
    suffix = " (already done: nothing written)" if result.get("duplicate") else ""
    return f"{result['id']}: {verb} recorded{suffix}"


def _short(ts: str | None) -> str:
    return ts.replace("T", " ")[:16] + "Z" if ts else "—"


def status_text(doc: dict[str, Any]) -> str:
    """A readable status block."""
    triage = "" if doc["triaged"] else " (untriaged: held to P0 targets)"
    lines = [
        f"{doc['id']}  {doc['severity']}{triage}  {doc['phase'].upper()}  {doc['title']}",
        f"customer: {doc['customer']}    received: {_short(doc['received_at'])}",
        "roles: " + (", ".join(f"{r}={p}" for r, p in doc["roles"].items()) or "—")
        + ("    ⚑ UNOWNED: warroom take " + doc["id"] if doc.get("unowned") else ""),
        "",
        f"{'clock':<14}{'state':<14}{'due':<20}remaining",
    ]
    for name, clock in doc["clocks"].items():
        remaining = clock["remaining_s"]
        left = format_duration(remaining) if remaining is not None else ""
        lines.append(f"{name:<14}{_MARK[clock['state']]:<14}{_short(clock['due_at']):<20}{left}")
    if doc["commitments"]:
        lines += ["", "commitments:"]
        for p in doc["commitments"]:
            state = p["state"].upper() if p["state"] == "overdue" else p["state"]
            lines.append(f"  {p['id']:<4}{state:<14}{_short(p['due_at']):<20}{p['owner']}: "
                         f"{p['text']}")
    return "\n".join(lines)


def list_text(docs: list[dict[str, Any]]) -> str:
    """One line per escalation, most urgent first."""
    if not docs:
        return "no escalations"
    rows = []
    for doc in docs:
        urgent = doc["most_urgent"]
        clock = doc["clocks"][urgent] if urgent else None
        if clock is None:
            what = "no running clock"
        else:
            left = clock["remaining_s"]
            when = format_duration(left) if left is not None else ""
            what = f"{urgent} {_MARK[clock['state']]} {when}".strip()
        unowned = "⚑ UNOWNED · " if doc.get("unowned") else ""
        if (doc.get("source") or {}).get("unresolved"):
            unowned = "unresolved at source · "
        rows.append(f"{doc['id']:<9}{doc['severity']:<4}{doc['phase']:<14}{what:<34}"
                    f"{unowned}{doc['customer']}: {doc['title']}")
    return "\n".join(rows)


def log_text(events: list[Event]) -> str:
    """The timeline, one line per event."""
    return "\n".join(
        f"{e.seq:>6}  {_short(e.occurred_at.isoformat())}  {label(e):<9}{e.actor:<13}{summary(e)}"
        for e in events
    )
