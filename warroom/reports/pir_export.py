"""Render the internal PIR document (`warroom.domain.pir.pir_document`) as Markdown or JSON.

This is the internal export (`pir ID --audience internal`): it keeps everything, including the
full timeline, the credit's reason, findings accepted past the blameless check and where the
customer RCA was sent. The customer document is `warroom.reports.rca_export`. Blameless findings
are returned separately by `blameless_warnings` for the caller to print to stderr (the CLI) or
show in the editor; the JSON keeps them under `blameless`.
"""

from __future__ import annotations

from typing import Any

from warroom.reports.formats import render_as, render_json
from warroom.reports.markdown import UNWRITTEN, cell, para, utc_minute

__all__ = ["FORMATS", "blameless_warnings", "human_duration", "render", "render_json",
           "render_markdown"]

FORMATS = ("md", "json")
CLOCK_TITLES = {"triage": "Triage", "first_update": "First update to you",
                "next_update": "Update cadence", "resolve": "Resolution",
                "pir": "This review"}


def render(doc: dict[str, Any], fmt: str) -> str:
    """Render in `md` or `json` (ValueError otherwise)."""
    return render_as(doc, fmt, {"md": render_markdown, "json": render_json})


def blameless_warnings(doc: dict[str, Any]) -> list[str]:
    """One line per blameless finding, e.g. for stderr."""
    return [f"warning: blameless check: {f['field']}: \"{f['phrase']}\" — {f['suggestion']}"
            for f in doc.get("blameless", [])]


def _short(text: str, limit: int = 140) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def human_duration(seconds: float) -> str:
    """`2 h 30 min`, `1 d 2 h`, `45 s`: whole units, at most three, for readers."""
    total = round(abs(seconds))
    days, rest = divmod(total, 86400)
    hrs, rest = divmod(rest, 3600)
    mins, secs = divmod(rest, 60)
    parts = [f"{n} {unit}" for n, unit in ((days, "d"), (hrs, "h"), (mins, "min")) if n]
    if not parts:
        return f"{secs} s"
    return " ".join(parts[:3])


def _money(value: Any) -> str:
    return f"{float(value):,.2f}" if value is not None else "—"


def render_markdown(doc: dict[str, Any]) -> str:
    """The PIR as a customer-facing Markdown document."""
    out: list[str] = [f"# Post-incident review: {doc['title']}", ""]
    status = "Complete" if doc["complete"] else "Draft"
    out += [f"**{doc['id']}** · {doc['customer']} · Severity {doc['severity']} · {status}", ""]
    if not doc["complete"]:
        out += ["> This review is a draft. Still to come: " + "; ".join(doc["gaps"]) + ".", ""]
    duration = doc.get("duration_seconds")
    out += ["| | |", "|---|---|",
            f"| Reported | {utc_minute(doc['received_at'])} |",
            f"| Resolved | {utc_minute(doc['resolved_at'])} |",
            f"| Duration | {human_duration(duration) if duration is not None else '—'} |", ""]
    out += ["## Summary", "", para(doc["summary"] or doc.get("resolution_summary", "")), ""]
    out += ["## Impact on you", "", para(doc["customer_impact"]), ""]

    out += ["## Timeline", ""]
    if doc["timeline"]:
        out += ["| Time | What happened |", "|---|---|"]
        out += [f"| {utc_minute(t['at'])} | {cell(_short(t['text']))} |" for t in doc["timeline"]]
    else:
        out.append(UNWRITTEN)
    out.append("")

    out += ["## Root cause", "", para(doc["root_cause"]), ""]
    out += ["## Why it happened (5 Whys)", ""]
    out += [f"{i}. {w}" for i, w in enumerate(doc["whys"], start=1)] or [UNWRITTEN]
    out.append("")
    if doc["contributing_factors"]:
        out += ["## Contributing factors", ""]
        out += [f"- {f}" for f in doc["contributing_factors"]] + [""]
    if doc["went_well"]:
        out += ["## What went well", ""]
        out += [f"- {f}" for f in doc["went_well"]] + [""]

    out += ["## Corrective actions", ""]
    if doc["corrective_actions"]:
        out += ["| # | Action | Owner | Due | Status |", "|---|---|---|---|---|"]
        for a in doc["corrective_actions"]:
            state = a["status"].replace("_", " ")
            if a["status"] == "done" and a.get("completed_at"):
                state = f"done {utc_minute(a['completed_at'])}"
            out.append(f"| {a['id']} | {cell(a['title'])} | {cell(a['owner'] or '—')} | "
                       f"{utc_minute(a['due_at'])} | {state} |")
    else:
        out.append(UNWRITTEN)
    out.append("")

    out += _commitments(doc["commitments"])
    out += _sla(doc["sla"])
    out += _updates(doc["customer_updates"])
    out += _credit(doc["credit"])
    out += _review(doc)
    out.append(f"_Generated {utc_minute(doc['generated_at'])}._")
    return "\n".join(out).rstrip() + "\n"


def _commitments(ledger: dict[str, Any]) -> list[str]:
    out = ["## Our commitments to you", ""]
    if not ledger["made"]:
        return [*out, "No commitments were made during this incident.", ""]
    out += [f"Made {ledger['made']} · met {ledger['met']} · met late "
            f"{ledger['met_late']} · missed {ledger['missed']} · "
            f"open {ledger['open']}" + (f" ({ledger['overdue']} overdue)"
                                        if ledger["overdue"] else ""), "",
            "| # | Commitment | Due | Outcome |", "|---|---|---|---|"]
    for c in ledger["items"]:
        outcome = c["state"]
        if c["closed_at"] and outcome in ("met", "met_late", "missed"):
            outcome = f"{outcome.replace('_', ' ')} {utc_minute(c['closed_at'])}"
        if c["renegotiations"]:
            outcome += f" (due time renegotiated {len(c['renegotiations'])}×)"
        out.append(f"| {c['id']} | {cell(c['text'])} | {utc_minute(c['due_at'])} | {outcome} |")
    return [*out, ""]


def _sla(rows: list[dict[str, Any]]) -> list[str]:
    out = ["## Service levels", "", "| Measure | Due | Met at | Result |", "|---|---|---|---|"]
    for r in rows:
        if r["state"] == "not_applicable":
            continue
        if r["breached_by_seconds"]:
            verb = "late by" if r["met_at"] else "overdue by"
            result = f"{verb} {human_duration(r['breached_by_seconds'])}"
        elif r["met_at"]:
            result = "met"
        else:
            result = "in progress"
        out.append(f"| {CLOCK_TITLES.get(r['clock'], r['clock'])} | {utc_minute(r['due_at'])} | "
                   f"{utc_minute(r['met_at'])} | {result} |")
    return [*out, ""]


def _updates(updates: list[dict[str, Any]]) -> list[str]:
    out = ["## Updates we sent you", ""]
    if not updates:
        return [*out, "No customer updates were recorded.", ""]
    for u in updates:
        out += [f"**{utc_minute(u['at'])}** · {u['phase']}", ""]
        out += ["> " + line if line.strip() else ">" for line in u["body"].splitlines()] + [""]
    return out


def _credit(credit: dict[str, Any]) -> list[str]:
    approved, suggested = credit.get("approved"), credit.get("suggested")
    out = ["## Service credit", ""]
    if approved:
        pct = approved.get("percent")
        share = f" ({pct:g} % of the monthly fee)" if isinstance(pct, int | float) else ""
        out.append(f"A service credit of **{_money(approved.get('amount'))}**{share} has been "
                   "approved." + (f" {approved['reason']}" if approved.get("reason") else ""))
    elif suggested and suggested.get("amount"):
        out.append("A service credit under your agreement is being reviewed; we will confirm it "
                   "separately.")
    elif suggested:
        out.append("No service credit applies: the resolution target was met.")
    else:
        out.append("No service credit applies.")
    return [*out, ""]


def _review(doc: dict[str, Any]) -> list[str]:
    out: list[str] = []
    accepted = doc.get("accepted_findings")
    if accepted:
        out += ["## Blameless check: findings accepted", "",
                f"Accepted by {accepted.get('by')} at {utc_minute(accepted.get('at'))}: "
                f"{accepted.get('reason')}", ""]
        out += [f"- {f['field']}: \"{f['phrase']}\"" for f in accepted.get("findings", [])]
        out.append("")
    sent = doc.get("rca_sent") or []
    out += ["## Customer RCA summary", ""]
    if sent:
        out += [f"- Sent {utc_minute(s['at'])} by {s['by']} to {', '.join(s['to'])}"
                + (f" (delivered via {s['via']})" if s.get("via") else "") for s in sent]
    else:
        out.append("Not sent yet (`pir ID send` through the customer's channels, or "
                   "`pir ID sent --to ADDRESS...` when sent by hand).")
    return [*out, ""]
