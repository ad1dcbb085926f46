"""The trend report as styled text: weekly sparklines, bars with the numbers beside them (never a
chart alone), and the pattern flags in words and symbols."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual.content import Content

from warroom.domain.timeparse import parse_iso
from warroom.reports.trends import CLOCK_TITLES, bar, dur, mtta, sparkline

SPARK_WEEKS = 40
"""Weeks shown in a sparkline (the most recent ones)."""
FLAG_MARKS = {"open": ("⚑ DUE", "bold $sla-at-risk"),
              "overdue": ("✖ OVERDUE", "bold $sla-breached"),
              "flagged": ("✔ flagged in time", "$sla-ok"),
              "flagged_late": ("✔ flagged LATE", "$sla-at-risk"),
              "not_recurring": ("– no flag", "$text-muted")}


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:5.1f}%"


def day(iso: str | None) -> str:
    return parse_iso(iso).strftime("%a %d %b %H:%M") if iso else "—"


def flag_mark(status: str) -> Content:
    text, style = FLAG_MARKS.get(status, (status, ""))
    return Content.styled(text, style)


def _title(text: str) -> Content:
    return Content.styled(text, "bold $accent")


def _rate_line(label: str, rate: float | None, detail: str, width: int = 24) -> Content:
    return Content.assemble(f" {label:<{width}}", (f"{bar(rate, 20):<20}", "$primary"),
                            f" {pct(rate)}  {detail}")


def trend_content(data: dict[str, Any], flags: list[dict[str, Any]]) -> Content:
    """Every chart of the report, top to bottom."""
    window = data["window"]
    until = day(window["until"]) if window["until"] else "now"
    parts: list[Content] = [Content.assemble(
        ("Window ", "bold"), f"{day(window['since'])} → {until}",
        f" · {data['escalations']} escalations, {data['resolved']} resolved")]
    due = [f for f in flags if f.get("flagged_at") is None]
    parts += [Content(""), _title(f"Recurring-pattern flags due ({len(due)})")]
    if not due:
        parts.append(Content("  ✔ none: every recurring pattern has reached product and ops"))
    for f in due:
        parts.append(Content.assemble("  ", flag_mark(str(f["status"])), f"  {f['key']}",
                                      f" · due {day(str(f['flag_due']))} UTC · raised by "
                                      f"{f['raised_by']} (after {f['previous']})"))
    weekly = data["weekly"][-SPARK_WEEKS:]
    first = weekly[0]["week"] if weekly else "—"
    parts += [Content(""), _title(f"Volume by severity per week ({len(weekly)} weeks from "
                                  f"{first})")]
    for sev in ("P0", "P1", "P2", "total"):
        series = [float(w["volume"][sev]) for w in weekly]
        total = data["volume_by_severity"].get(sev, data["escalations"]) \
            if sev != "total" else data["escalations"]
        parts.append(Content.assemble(f" {sev:<6}", (sparkline(series) or "—", "$primary"),
                                      f"  {total} in all, peak {int(max(series, default=0))}"))
    parts += [Content(""), _title("Time to acknowledge / resolve per severity"),
              Content.styled(f" {'':6}{'MTTA mean':>11}{'median':>10}{'n':>5}   "
                             f"{'MTTR mean':>11}{'median':>10}{'n':>5}", "$text-muted")]
    for sev in ("P0", "P1", "P2"):
        a, r = data["mtta_seconds"].get(sev, {}), data["mttr_seconds"].get(sev, {})
        parts.append(Content(
            f" {sev:<6}{mtta(a.get('mean')):>11}{mtta(a.get('median')):>10}{a.get('count', 0):>5}"
            f"   {dur(r.get('mean')):>11}{dur(r.get('median')):>10}{r.get('count', 0):>5}"))
    parts += [Content(""), _title("SLA breach rate per clock (late or breached / evaluated)")]
    for clock, rate in data["sla_breach_rate"].items():
        counts = data["sla_clocks"][clock]
        late = counts["met_late"] + counts["breached"]
        parts.append(_rate_line(CLOCK_TITLES.get(clock, clock), rate,
                                f"{late}/{counts['evaluated']}"))
    cadence, commits = data["update_cadence"], data["commitments"]
    parts += [Content(""), _title("Handling"),
              _rate_line("Recurrence rate", data["recurrence_rate"],
                         f"{data['recurring_escalations']}/{data['patterned_escalations']} "
                         f"with a pattern recurred"),
              _rate_line("Update cadence kept", cadence["adherence"],
                         f"{cadence['on_time']}/{cadence['due']} on time"),
              _rate_line("Commitments honoured", commits["honoured_rate"],
                         f"{commits['met']} met, {commits['met_late']} late, "
                         f"{commits['missed']} missed, "
                         f"{commits['overdue']} overdue")]
    actions = data["open_actions"]
    parts += [Content(""), _title(f"Open corrective actions by age ({actions['total']} open, "
                                  f"✖ {actions['overdue']} overdue)")]
    for label, count in actions["by_age"].items():
        share = count / actions["total"] if actions["total"] else None
        parts.append(Content.assemble(f" {label:<8}", (f"{bar(share, 20):<20}", "$primary"),
                                      f" {count}"))
    parts += [Content(""), _title(f"Recurring patterns ({len(data['patterns'])}) — "
                                  "f flags the selected one")]
    return Content("\n").join(parts)


def pattern_cells(row: dict[str, Any], now: datetime) -> list[Content]:
    """Pattern, occurrences, flag due, flagged at, status."""
    return [Content(str(row["key"])), Content(str(row["occurrences"])),
            Content(day(row["flag_due"])), Content(day(row["flagged_at"])),
            flag_mark(str(row["status"]))]
