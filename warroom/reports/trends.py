"""Render the trend metrics (`warroom.domain.metrics.trends`) as Markdown, JSON or CSV.

Markdown is for people: tables, proportional bars, and unicode sparklines per week (52 weeks to
a row). JSON is the metrics dict as is. CSV is long-form `metric,group,stat,value` rows, easy
to pivot in a spreadsheet: every figure of the JSON, flattened (`group` is a row's key, week or
month, or the severity/clock of a per-group table; nested stats are dotted, `change.escalations`).
Markdown shows the same figures; only the per-flag detail and incident lists stay in JSON/CSV.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from warroom.domain.timeparse import format_duration
from warroom.reports.formats import render_as, render_json
from warroom.reports.markdown import utc_minute

__all__ = ["FORMATS", "bar", "dur", "mtta", "render", "render_csv", "render_json",
           "render_markdown", "sparkline"]

FORMATS = ("md", "json", "csv")
SPARKS = "▁▂▃▄▅▆▇█"
WEEKS_PER_ROW = 52
CLOCK_TITLES = {"triage": "Triage", "first_update": "First customer update",
                "next_update": "Update cadence", "resolve": "Resolution",
                "pir": "Post-incident review"}


def render(data: dict[str, Any], fmt: str) -> str:
    """Render in `md`, `json` or `csv` (ValueError otherwise)."""
    return render_as(data, fmt, {"md": render_markdown, "json": render_json, "csv": render_csv})


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


def dur(seconds: float | None) -> str:
    """A duration, or `—` where there is none."""
    return "—" if seconds is None else format_duration(seconds)


def mtta(seconds: float | None) -> str:
    """MTTA: `n/a` where no acknowledgement time exists (imported history)."""
    return "n/a" if seconds is None else format_duration(seconds)


def _delta(value: float | None, kind: str) -> str:
    if value is None:
        return "—"
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    if kind == "rate":
        return f"{sign}{abs(value) * 100:.1f} pp"
    if kind == "dur":
        return f"{sign}{format_duration(abs(value))}"
    return f"{sign}{abs(value):,g}"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(data: dict[str, Any]) -> str:
    """A readable report with tables, bars and weekly sparklines."""
    lines: list[str] = ["# Escalation trends", ""]
    window = data["window"]
    since = utc_minute(window.get("since"))
    until = utc_minute(window.get("until")) if window.get("until") else "now"
    lines += [f"Window: {since} → {until} · evaluated at {utc_minute(window['now'])} · "
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
        lines.append(f"| {sev} | {mtta(a['mean'])} | {mtta(a['median'])} | {a['count']:,} | "
                     f"{dur(r['mean'])} | {dur(r['median'])} | {r['count']:,} |")

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
              f"({data['recurring_escalations']:,} of {data['patterned_escalations']:,} "
              "escalations with a pattern had it in the "
              f"{data['recurrence_window_days']:g} days before)",
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
    for key, title in (("by_customer", "Customer"), ("by_component", "Component"),
                       ("by_tier", "Tier")):
        lines += _group_md(f"By {title.lower()}", title, data[key])
    lines += _period_md(data["previous_period"])
    lines += _monthly_md(data["monthly"])
    lines += _weekly_md(data["weekly"])
    return "\n".join(lines).rstrip() + "\n"


def _patterns_md(patterns: Sequence[dict[str, Any]], flags: dict[str, int]) -> list[str]:
    lines = ["## Recurring patterns", ""]
    if not patterns:
        return [*lines, "No pattern recurred in this window.", ""]
    lines += [f"Flags raised {flags['raised']:,}: flagged in time {flags['flagged']:,}, "
              f"late {flags['flagged_late']:,}, open {flags['open']:,}, "
              f"overdue {flags['overdue']:,}.", "",
              "| Pattern | Occurrences | First seen | Last seen | Latest flag due | Flagged | "
              "Status |", "|---|---:|---|---|---|---|---|"]
    for p in patterns:
        lines.append(f"| {_cell(p['key'])} | {p['occurrences']:,} | "
                     f"{utc_minute(p['first_seen'])} | {utc_minute(p['last_seen'])} | "
                     f"{utc_minute(p['flag_due'])} | {utc_minute(p['flagged_at'])} | "
                     f"{p['status'].replace('_', ' ')} |")
    return [*lines, ""]


_FIGURE_HEAD = ("| Escalations | P0+P1 | MTTA median | MTTR median | SLA breach rate | "
                "Recurrence rate |")


def _figure_cells(f: dict[str, Any]) -> str:
    return (f"{f['escalations']:,} | {f['p0_p1']:,} | {mtta(f['mtta_median_seconds'])} | "
            f"{dur(f['mttr_median_seconds'])} | {_pct(f['sla_breach_rate'])} | "
            f"{_pct(f['recurrence_rate'])}")


def _group_md(heading: str, title: str, rows: Sequence[dict[str, Any]]) -> list[str]:
    if not rows:
        return []
    lines = [f"## {heading}", "", f"| {title} {_FIGURE_HEAD}",
             "|---|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {_cell(r['key'])} | {_figure_cells(r)} |" for r in rows]
    return [*lines, ""]


def _change_cells(change: dict[str, Any]) -> str:
    return (f"{_delta(change['escalations'], 'n')} | {_delta(change['p0_p1'], 'n')} | "
            f"{_delta(change['mtta_median_seconds'], 'dur')} | "
            f"{_delta(change['mttr_median_seconds'], 'dur')} | "
            f"{_delta(change['sla_breach_rate'], 'rate')} | "
            f"{_delta(change['recurrence_rate'], 'rate')}")


def _period_md(period: dict[str, Any] | None) -> list[str]:
    if not period:
        return []
    return ["## Against the previous period", "",
            f"Previous period: {utc_minute(period['previous_since'])} → "
            f"{utc_minute(period['previous_until'])} (the same length).", "",
            f"| Period {_FIGURE_HEAD}", "|---|---:|---:|---:|---:|---:|---:|",
            f"| This window | {_figure_cells(period['current'])} |",
            f"| Previous | {_figure_cells(period['previous'])} |",
            f"| Change | {_change_cells(period['change'])} |", ""]


def _monthly_md(monthly: Sequence[dict[str, Any]]) -> list[str]:
    if not monthly:
        return []
    lines = ["## Month over month", "",
             "Each month (UTC) and its change against the month before.", "",
             f"| Month {_FIGURE_HEAD} Change: escalations | MTTR median | SLA breach rate | "
             "Recurrence rate |", "|---|" + "---:|" * 10]
    for m in monthly:
        c = m["change"]
        lines.append(f"| {m['month']} | {_figure_cells(m)} | {_delta(c['escalations'], 'n')} | "
                     f"{_delta(c['mttr_median_seconds'], 'dur')} | "
                     f"{_delta(c['sla_breach_rate'], 'rate')} | "
                     f"{_delta(c['recurrence_rate'], 'rate')} |")
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
            scale = dur(peak)
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


def _flatten(prefix: str, value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        out: list[tuple[str, Any]] = []
        for k, v in value.items():
            out += _flatten(f"{prefix}.{k}" if prefix else str(k), v)
        return out
    if isinstance(value, list):
        if all(not isinstance(x, dict | list) for x in value):
            return [(prefix, ";".join(str(x) for x in value))]
        out = []
        for i, item in enumerate(value):
            out += _flatten(f"{prefix}[{i}]", item)
        return out
    return [(prefix, value)]


_ROW_KEYS = ("key", "week", "month")


def render_csv(data: dict[str, Any]) -> str:
    """Long-form CSV: `metric,group,stat,value`, every figure of the JSON."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["metric", "group", "stat", "value"])

    def row(metric: str, group: str, stat: str, value: Any) -> None:
        writer.writerow([metric, group, stat, "" if value is None else value])

    for metric, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for item in value:
                group = next((str(item[k]) for k in _ROW_KEYS if k in item), "")
                rest = {k: v for k, v in item.items() if k not in _ROW_KEYS}
                for stat, v in _flatten("", rest):
                    row(metric, group, stat, v)
        elif isinstance(value, dict) and value and all(isinstance(v, dict)
                                                        for v in value.values()):
            for group, sub in value.items():
                for stat, v in _flatten("", sub):
                    row(metric, str(group), stat, v)
        elif isinstance(value, dict):
            for stat, v in _flatten("", value):
                row(metric, "", stat, v)
        elif isinstance(value, list):
            row(metric, "", "count", 0)
        else:
            row(metric, "", "value", value)
    return out.getvalue()
