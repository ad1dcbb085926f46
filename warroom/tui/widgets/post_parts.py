"""Pieces of the post-incident screens: action and timeline tables, the live check panel, the
credit panel. Every state is spelled in words and a symbol as well as colour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable

from warroom.domain.blameless import Finding
from warroom.domain.models import ClockName, IncidentState
from warroom.domain.pir import TimelineEntry
from warroom.domain.policy import Policy
from warroom.domain.sla import clocks
from warroom.domain.timeparse import parse_iso
from warroom.tui.view import badge, dual, duration, hhmm

STATUS_MARKS = {"overdue": ("✖ OVERDUE", "bold $sla-breached"), "open": ("○ open", ""),
                "in_progress": ("◐ in progress", "$sla-at-risk"), "done": ("✔ done", "$sla-ok")}


def action_status(row: dict[str, Any]) -> Content:
    """`✖ OVERDUE` / `○ open` / `◐ in progress` / `✔ done`."""
    key = "overdue" if row["overdue"] else str(row["status"])
    text, style = STATUS_MARKS.get(key, (key, ""))
    return Content.styled(text, style) if style else Content(text)


def when(iso: str | None, now: datetime, tz: tzinfo | None = None) -> str:
    """A stored ISO time as `Wed 25 Nov 14:05 UTC` (or '—')."""
    return hhmm(parse_iso(iso), tz, now=now) if iso else "—"


def action_cells(row: dict[str, Any], now: datetime) -> list[Content]:
    """Status, id, title, owner, due, age."""
    age = row.get("age_seconds")
    return [action_status(row), Content(str(row["id"])), Content(str(row["title"])),
            Content(row["owner"] or "⚠ no owner"), Content(when(row["due_at"], now)),
            Content(duration(age) if age is not None else "—")]


class PirActionsTable(DataTable[Content]):
    """The escalation's corrective actions; `d` marks the one under the cursor done."""

    BINDINGS = [Binding("d", "done", "Mark done")]

    @dataclass
    class DoneRequested(Message):
        action_id: str

    def on_mount(self) -> None:
        for label, width in (("Status", 14), ("Id", 4), ("Action", 34), ("Owner", 14),
                             ("Due", 18), ("Age", 8)):
            self.add_column(label, width=width)
        self._rows: list[dict[str, Any]] = []

    def fill(self, rows: list[dict[str, Any]], now: datetime) -> None:
        """Show `rows` (no-op when unchanged)."""
        if rows == self._rows:
            return
        self._rows = rows
        keep = self.cursor_row
        self.clear()
        for row in rows:
            self.add_row(*action_cells(row, now), key=str(row["id"]))
        if rows:
            self.move_cursor(row=min(keep, len(rows) - 1), animate=False)

    def action_done(self) -> None:
        if 0 <= self.cursor_row < len(self._rows):
            self.post_message(self.DoneRequested(str(self._rows[self.cursor_row]["id"])))


class PirTimelineTable(DataTable[Content]):
    """Timeline candidates with `[x]`/`[ ]`; space (or enter) toggles the one under the cursor."""

    BINDINGS = [Binding("space", "toggle_row", "Include/exclude")]

    @dataclass
    class Toggled(Message):
        seq: int

    def on_mount(self) -> None:
        for label, width in (("In", 9), ("When", 12), ("Kind", 18), ("By", 14),
                             ("What", 60)):
            self.add_column(label, width=width)
        self._key: tuple[Any, ...] = ()
        self._seqs: list[int] = []

    def fill(self, entries: list[tuple[TimelineEntry, bool]], pending: dict[int, bool],
             now: datetime) -> None:
        """Show the candidates; `pending` holds unsaved choices (seq → include)."""
        key = (tuple((e.seq, inc) for e, inc in entries), tuple(sorted(pending.items())))
        if key == self._key:
            return
        self._key = key
        keep = self.cursor_row
        self.clear()
        self._seqs = []
        for entry, included in entries:
            want = pending.get(entry.seq, included)
            mark = "[x] in" if want else "[ ] out"
            if entry.seq in pending:
                mark += " *"
            self.add_row(Content.styled(mark, "bold" if want else "$text-muted"),
                         Content(hhmm(entry.at, now=now)), Content(entry.kind),
                         Content(entry.actor), Content(entry.text), key=str(entry.seq))
            self._seqs.append(entry.seq)
        if self._seqs:
            self.move_cursor(row=min(keep, len(self._seqs) - 1), animate=False)

    def action_toggle_row(self) -> None:
        if 0 <= self.cursor_row < len(self._seqs):
            self.post_message(self.Toggled(self._seqs[self.cursor_row]))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_toggle_row()


def check_content(gaps: list[str], findings: list[Finding]) -> Content:
    """The live check: what completion still needs, and wording that blames people."""
    lines: list[Content] = []
    if gaps:
        lines.append(Content.styled("▲ Not complete yet — needs:", "bold $sla-at-risk"))
        lines += [Content(f"   • {gap}") for gap in gaps]
    else:
        lines.append(Content.styled("✔ Ready to complete (ctrl+o)", "bold $sla-ok"))
    if findings:
        lines.append(Content.styled(f"⚠ Blameless check: {len(findings)} finding(s)",
                                    "bold $sla-at-risk"))
        for f in findings:
            lines.append(Content.assemble(f"   • {f.field}: ", (f'"{f.phrase}"', "bold"),
                                          f" → {f.suggestion}"))
    else:
        lines.append(Content.styled("✔ Blameless check: no wording that blames people",
                                    "$sla-ok"))
    return Content("\n").join(lines)


def credit_content(view: dict[str, Any], resolved: bool) -> Content:
    """The suggested credit and the approved one, if any."""
    approved = view.get("approved")
    suggested = view.get("suggested")
    lines = [Content.styled("Service credit", "bold $accent")]
    if suggested is None:
        lines.append(Content("   No credit policy for this customer's tier."))
    else:
        hours = suggested["started_hours"]
        cap = " (capped)" if suggested["capped"] else ""
        basis = (f"{hours} started hour(s) past the resolve target × "
                 f"{suggested['percent_per_hour']:g}% of {suggested['monthly_fee']:,.2f}"
                 f"{cap}, cap {suggested['cap_percent']:g}% · tier {suggested['tier']}")
        label = "Suggested (provisional, still growing)" if suggested["provisional"] \
            else "Suggested"
        lines.append(Content.assemble(f"   {label}: ", (
            f"{suggested['amount']:,.2f} ({suggested['percent']:g}%)", "bold")))
        lines.append(Content.styled(f"   {basis}", "$text-muted"))
    if approved:
        lines.append(Content.styled(
            f"   ✔ Approved: {approved.get('amount')} by {approved.get('approved_by', '?')}",
            "bold $sla-ok"))
    elif resolved:
        lines.append(Content("   Not approved yet — ctrl+r approves the suggested credit."))
    else:
        lines.append(Content("   Approved at resolution (the escalation is not resolved yet)."))
    return Content("\n").join(lines)


def pir_head(state: IncidentState, policy: Policy, now: datetime) -> Content:
    """Two lines: which escalation, resolved when, draft or complete; title, PIR clock and
    whether the customer RCA was sent."""
    pir = clocks(state, policy, now).get(ClockName.PIR)
    clock = "PIR clock —" if pir is None else f"PIR clock {badge(pir.state)}" + (
        f", due {dual(pir.due_at, None, now=now)}" if pir.due_at else "")
    done = f"✔ COMPLETE {dual(state.pir_completed_at, None, now=now)}" \
        if state.pir_completed_at else "✎ DRAFT"
    resolved = f"resolved {dual(state.resolved_at, None, now=now)}" if state.resolved_at \
        else "not resolved"
    return Content("\n").join([
        Content.assemble(("Post-incident review · ", "bold"), (state.id, "bold"),
                         f" {state.severity.value} · {state.customer} · {resolved} · ",
                         (done, "bold")),
        Content.assemble((state.title, "italic"), f"  ·  {clock}", _rca_sent(state, now))])


def _rca_sent(state: IncidentState, now: datetime) -> str:
    if not state.rca_sent:
        return ""
    first = min(state.rca_sent, key=lambda s: s["at"])
    return f"  ·  RCA sent {dual(first['at'], None, now=now)} to {', '.join(first['to'])}"
