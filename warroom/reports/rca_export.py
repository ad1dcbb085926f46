"""Render the customer RCA (`warroom.domain.rca.customer_rca`) as Markdown.

Written to be sent as it is: every time in the customer's timezone (named once, at the top),
whole sentences (nothing is shortened mid-word), people by role or display name.
"""

from __future__ import annotations

from typing import Any

from warroom.reports.markdown import UNWRITTEN, cell, para
from warroom.reports.pir_export import human_duration

__all__ = ["render_rca"]


def _quote(text: str) -> list[str]:
    return ["> " + line if line.strip() else ">" for line in text.strip().splitlines()]


def render_rca(doc: dict[str, Any]) -> str:
    """The customer RCA document."""
    zone = f"{doc['timezone']} ({doc['zone_abbreviation']})" \
        if doc["zone_abbreviation"] and doc["zone_abbreviation"] != doc["timezone"] \
        else doc["timezone"]
    out = [f"# Root cause analysis: {doc['title']}", "",
           f"**{doc['customer']}** · reference {doc['id']} · severity {doc['severity']}", "",
           f"All times are in {zone}.", ""]
    if not doc["complete"]:
        out += ["> Draft: this analysis is not complete yet.", ""]
    out += ["## Summary", "", para(doc["summary"]), ""]

    impact = doc["impact"]
    duration = impact["duration_seconds"]
    out += ["## Impact", "",
            f"- Started: {doc['detected_at']}",
            f"- Resolved: {doc['resolved_at'] or 'not yet'}",
            f"- Duration: {human_duration(duration) if duration is not None else 'ongoing'}",
            f"- Severity of the impact: {impact['level']}"]
    if impact["affected_customers"]:
        out.append(f"- Customers affected: {impact['affected_customers']:,}")
    if impact["components"]:
        out.append(f"- Affected: {', '.join(impact['components'])}")
    out += ["", para(impact["description"]), ""]

    out += ["## Timeline", "", "| Time | What happened |", "|---|---|"]
    for row in doc["timeline"]:
        label = row["what"].capitalize()
        out.append(f"| {row['at']} | **{label}**: {cell(row['text'])} |")
    out.append("")

    out += ["## Resolution", "", para(doc["resolution"]), ""]
    out += ["## Root cause", "", para(doc["root_cause"]), ""]
    if doc["whys"]:
        out += ["### Why it happened", ""]
        out += [f"{i}. {w}" for i, w in enumerate(doc["whys"], start=1)] + [""]
    if doc["contributing_factors"]:
        out += ["### Contributing factors", ""]
        out += [f"- {f}" for f in doc["contributing_factors"]] + [""]

    out += ["## Our commitments to you", ""]
    if doc["commitments"]:
        out += ["| Commitment | Due | Outcome |", "|---|---|---|"]
        for c in doc["commitments"]:
            outcome = c["outcome"] + (f" ({c['kept']})" if c["kept"] else "")
            out.append(f"| {cell(c['text'])} | {c['due']} | {outcome} |")
    else:
        out.append("No commitments were made during this incident.")
    out.append("")

    out += ["## Corrective actions", ""]
    if doc["corrective_actions"]:
        out += ["| Action | Owning team | Due | Status |", "|---|---|---|---|"]
        for a in doc["corrective_actions"]:
            out.append(f"| {cell(a['title'])} | {cell(a['team'] or '—')} | "
                       f"{a['due'] or '—'} | {a['status']} |")
    else:
        out.append(UNWRITTEN)
    out.append("")

    credit = doc["credit"]
    if credit:
        pct = credit.get("percent")
        share = f" ({pct:g} % of your monthly fee)" if isinstance(pct, int | float) else ""
        out += ["## Service credit", "",
                f"A service credit of **{float(credit['amount']):,.2f} {credit['currency']}**"
                f"{share} has been approved.", ""]

    if doc["people"]:
        out += ["## Who handled it", ""]
        out += [f"- {p['role']}" + (f": {p['name']}" if p["name"] else "") for p in doc["people"]]
        out.append("")
    out.append(f"_Prepared {doc['generated_at']} ({doc['timezone']})._")
    return "\n".join(out).rstrip() + "\n"
