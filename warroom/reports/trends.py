"""Render the trend metrics (`warroom.domain.metrics.trends`) as Markdown, JSON or CSV.

Markdown is for people: tables, proportional bars, and unicode sparklines per week (52 weeks to
a row). JSON is the metrics dict as is. CSV is long-form `metric,group,stat,value` rows, easy
to pivot in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from warroom.domain.timeparse import format_duration

__all__ = ["FORMATS", "bar", "render", "render_csv", "render_json", "render_markdown",
           "sparkline"]

FORMATS = ("md", "json", "csv")
SPARKS = "▁▂▃▄▅▆▇█"
WEEKS_PER_ROW = 52
MAX_PATTERN_ROWS = 25
CLOCK_TITLES = {"triage": "Triage", "first_update": "First customer update",
                "next_update": "Update cadence", "resolve": "Resolution",
                "pir": "Post-incident review"}


def render(data: dict[str, Any], fmt: str) -> str:
    """Render in `md`, `json` or `csv` (ValueError otherwise)."""
    if fmt == "md":
        return render_markdown(data)
    if fmt == "json":
        return render_json(data)
    if fmt == "csv":
        return render_csv(data)
    raise ValueError(f"unknown format {fmt!r} (choose md, json or csv)")


def render_json(data: dict[str, Any]) -> str:
    """Pretty JSON with a trailing newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def sparkline(values: Sequence[float | None]) -> str:
    """One character per value, scaled to the largest; None is a blank, zero the lowest bar."""
    present = [v for v in values if v is not None]
    top = max(present, default=0.0)
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        elif top <= 0 or v <= 0:
            out.append(SPARKS[0])
        else:
            out.append(SPARKS[min(len(SPARKS) - 1, int(v / top * (len(SPARKS) - 1) + 0.5))])
    return "".join(out)


def bar(fraction: float | None, width: int = 20) -> str:
    """A proportional bar of full and partial blocks (empty for None)."""
    if fraction is None:
        return ""
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + ("" if not rest else "▏▎▍▌▋▊▉"[rest - 1])


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f} %"


def _dur(seconds: float | None) -> str:
    return "—" if seconds is None else format_duration(seconds)


def _day(iso: str | None) -> str:
    if not iso:
        return "—"
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M UTC")


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(data: dict[str, Any]) -> str:
    """A readable report with tables, bars and weekly sparklines."""
    lines: list[str] = ["# Escalation trends", ""]
    window = data["window"]
    since = _day(window.get("since"))
    until = _day(window.get("until")) if window.get("until") else "now"
    lines += [f"Window: {since} → {until} · evaluated at {_day(window['now'])} · "
              f"{data['escalations']:,} escalations ({data['resolved']:,} resolved)", ""]

    volume = data["volume_by_severity"]
    top = max(volume.values(), default=0) or 1
    lines += ["## Volume by severity", "", "| Severity | Escalations | |", "|---|---:|---|"]
    lines += [f"| {sev} | {n:,} | {bar(n / top)} |" for sev, n in volume.items()]

    lines += ["", "## Time to acknowledge (MTTA) and resolve (MTTR)", "",
              "| Severity | MTTA mean | MTTA median | n | MTTR mean | MTTR median | n |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for sev in volume:
        a, r = data["mtta_seconds"][sev], data["mttr_seconds"][sev]
        lines.append(f"| {sev} | {_dur(a['mean'])} | {_dur(a['median'])} | {a['count']:,} | "
                     f"{_dur(r['mean'])} | {_dur(r['median'])} | {r['count']:,} |")

    lines += ["", "## SLA breaches", "",
              "Share of clocks breached or met late, of those with an outcome.", "",
              "| Clock | Breach rate | | Breached | Met late | Met | Evaluated |",
              "|---|---:|---|---:|---:|---:|---:|"]
    for clock, rate in data["sla_breach_rate"].items():
        c = data["sla_clocks"][clock]
        lines.append(f"| {CLOCK_TITLES.get(clock, clock)} | {_pct(rate)} | {bar(rate)} | "
                     f"{c['breached']:,} | {c['met_late']:,} | {c['met']:,} | "
                     f"{c['evaluated']:,} |")

    cadence, promises, actions = data["update_cadence"], data["commitments"], data["open_actions"]
    lines += ["", "## Handling", "",
              f"- Recurrence rate: **{_pct(data['recurrence_rate'])}** "
              f"({data['recurring_escalations']:,} of {data['escalations']:,} escalations had "
              "their pattern in the 90 days before)",
              f"- Customer-update cadence adherence: **{_pct(cadence['adherence'])}** "
              f"({cadence['on_time']:,} of {cadence['due']:,} updates on time)",
              f"- Back-dated customer updates: **{data['backdated_customer_updates']:,}** "
              "(posted as of an earlier time than recorded, past the back-date limit)",
              f"- Commitments honoured: **{_pct(promises['honoured_rate'])}** "
              f"(met {promises['met']:,}, met late {promises['met_late']:,}, missed "
              f"{promises['missed']:,}, overdue "
              f"{promises['overdue']:,}, still open {promises['open']:,})",
              f"- Open corrective actions: **{actions['total']:,}** "
              f"({actions['overdue']:,} overdue)", ""]
    if actions["total"]:
        most = max(actions["by_age"].values()) or 1
        lines += ["| Age | Open actions | |", "|---|---:|---|"]
        lines += [f"| {age} | {n:,} | {bar(n / most)} |" for age, n in actions["by_age"].items()]
        lines.append("")

    lines += _patterns_md(data["patterns"], data["flags"])
    lines += _weekly_md(data["weekly"])
    return "\n".join(lines).rstrip() + "\n"


def _patterns_md(patterns: Sequence[dict[str, Any]], flags: dict[str, int]) -> list[str]:
    lines = ["## Recurring patterns", ""]
    if not patterns:
        return [*lines, "No pattern recurred in this window.", ""]
    lines += [f"Flags raised {flags['raised']:,}: flagged in time {flags['flagged']:,}, "
              f"late {flags['flagged_late']:,}, open {flags['open']:,}, "
              f"overdue {flags['overdue']:,}.", "",
              "| Pattern | Occurrences | Latest flag due | Flagged | Status |",
              "|---|---:|---|---|---|"]
    for p in patterns[:MAX_PATTERN_ROWS]:
        lines.append(f"| {_cell(p['key'])} | {p['occurrences']:,} | {_day(p['flag_due'])} | "
                     f"{_day(p['flagged_at'])} | {p['status'].replace('_', ' ')} |")
    if len(patterns) > MAX_PATTERN_ROWS:
        lines.append(f"\n… and {len(patterns) - MAX_PATTERN_ROWS:,} more (see --format json).")
    return [*lines, ""]


def _weekly_md(weekly: Sequence[dict[str, Any]]) -> list[str]:
    if not weekly:
        return []
    series: list[tuple[str, list[float | None]]] = [
        ("Escalations", [float(w["volume"]["total"]) for w in weekly]),
        ("P0+P1", [float(w["volume"]["P0"] + w["volume"]["P1"]) for w in weekly]),
        ("MTTR median", [w["mttr_median_seconds"] for w in weekly]),
        ("SLA breach rate", [w["sla_breach_rate"] for w in weekly]),
        ("Recurrence rate", [w["recurrence_rate"] for w in weekly]),
    ]
    lines = ["## Weekly", "",
             f"One character per week (Monday 00:00 UTC), {WEEKS_PER_ROW} weeks to a row, scaled "
             "to the largest week; blank: nothing to measure.", ""]
    for title, values in series:
        present = [v for v in values if v is not None]
        peak = max(present, default=None)
        if title == "MTTR median":
            scale = _dur(peak)
        elif title.endswith("rate"):
            scale = _pct(peak)
        else:
            scale = f"{int(peak or 0):,}"
        lines += [f"**{title}** (max {scale})", "", "```"]
        line = sparkline(values)
        for start in range(0, len(weekly), WEEKS_PER_ROW):
            lines.append(f"{weekly[start]['week']}  {line[start:start + WEEKS_PER_ROW]}")
        lines += ["```", ""]
    return lines


def render_csv(data: dict[str, Any]) -> str:
    """Long-form CSV: `metric,group,stat,value`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["metric", "group", "stat", "value"])

    def row(metric: str, group: str, stat: str, value: Any) -> None:
        writer.writerow([metric, group, stat, "" if value is None else value])

    row("escalations", "", "count", data["escalations"])
    row("resolved", "", "count", data["resolved"])
    for sev, n in data["volume_by_severity"].items():
        row("volume_by_severity", sev, "count", n)
    for metric in ("mtta_seconds", "mttr_seconds"):
        for sev, s in data[metric].items():
            for stat in ("mean", "median", "count"):
                row(metric, sev, stat, s[stat])
    row("recurrence_rate", "", "rate", data["recurrence_rate"])
    row("backdated_customer_updates", "", "count", data["backdated_customer_updates"])
    for clock, rate in data["sla_breach_rate"].items():
        row("sla_breach_rate", clock, "rate", rate)
        for stat, n in data["sla_clocks"][clock].items():
            row("sla_clocks", clock, stat, n)
    for stat, value in data["update_cadence"].items():
        row("update_cadence", "", stat, value)
    for stat, value in data["commitments"].items():
        row("commitments", "", stat, value)
    row("open_actions", "", "total", data["open_actions"]["total"])
    row("open_actions", "", "overdue", data["open_actions"]["overdue"])
    for age, n in data["open_actions"]["by_age"].items():
        row("open_actions", age, "count", n)
    for p in data["patterns"]:
        for stat in ("occurrences", "flag_due", "flagged_at", "in_time", "status"):
            row("patterns", p["key"], stat, p[stat])
    for w in data["weekly"]:
        for sev, n in w["volume"].items():
            row("weekly_volume", w["week"], sev, n)
        row("weekly_mtta_median_seconds", w["week"], "median", w["mtta_median_seconds"])
        row("weekly_mttr_median_seconds", w["week"], "median", w["mttr_median_seconds"])
        row("weekly_recurrence_rate", w["week"], "rate", w["recurrence_rate"])
        row("weekly_sla_breach_rate", w["week"], "rate", w["sla_breach_rate"])
    return out.getvalue()
