"""Corrective actions across escalations (they outlive the escalation): overdue first, marked in
words and symbols; Enter opens the escalation, `d` marks the selected action done."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static

from warroom.domain.pir import list_actions
from warroom.domain.post_commands import ActionDone
from warroom.tui import messages as m
from warroom.tui.app import war_app
from warroom.tui.widgets.keybar import KeyBar
from warroom.tui.widgets.post_parts import action_cells

COLUMNS: list[tuple[str, int]] = [("Status", 14), ("Escalation", 10), ("Id", 4),
                                  ("Action", 40), ("Owner", 14), ("Due", 20), ("Age", 8)]


class CorrectiveActionsScreen(Screen[None]):
    """Every corrective action; updates on every store change and each minute."""

    BINDINGS = [
        Binding("escape,A", "app.pop_screen", "Back", key_display="esc"),
        Binding("enter", "open", "Open escalation"),
        Binding("d", "done", "Mark done"),
        Binding("o", "toggle_open", "Open only / all"),
    ]
    DEFAULT_CSS = """
    #actions-title { height: 1; padding: 0 1; text-style: bold; background: $panel; }
    #actions { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.open_only = True
        self.rows: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        yield Static("Corrective actions", id="actions-title")
        table: DataTable[Content] = DataTable(cursor_type="row", zebra_stripes=True, id="actions")
        for label, width in COLUMNS:
            table.add_column(label, width=width)
        yield table
        yield KeyBar()

    def on_mount(self) -> None:
        self.watch(self.app, "states", self._fill)
        self.watch(self.app, "now", self._minute, init=False)
        self._last_minute = war_app(self).now.replace(second=0, microsecond=0)

    def _minute(self, *_: object) -> None:
        minute = war_app(self).now.replace(second=0, microsecond=0)
        if minute != self._last_minute:
            self._last_minute = minute
            self._fill()

    def _fill(self, *_: object) -> None:
        war = war_app(self)
        now = war.now
        rows = list_actions(war.states.values(), now, open_only=self.open_only)
        if rows == self.rows:
            return
        self.rows = rows
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for row in rows:
            cells = action_cells(row, now)
            table.add_row(cells[0], Content(row["incident_id"]), *cells[1:],
                          key=f"{row['incident_id']}/{row['id']}")
        overdue = sum(1 for r in rows if r["overdue"])
        which = "open" if self.open_only else "all"
        self.query_one("#actions-title", Static).update(
            f"Corrective actions ({which}: {len(rows)}, ✖ {overdue} overdue) — overdue first")
        if rows:
            table.move_cursor(row=min(max(keep, 0), len(rows) - 1), animate=False)

    def _current(self) -> dict[str, Any] | None:
        row = self.query_one(DataTable).cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def action_open(self) -> None:
        """Show the selected action's escalation on the main screen."""
        row = self._current()
        if row is not None:
            self.app.post_message(m.OpenEscalation(str(row["incident_id"])))

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open()

    def action_done(self) -> None:
        """Mark the selected action done."""
        row = self._current()
        if row is None:
            return
        if row["status"] == "done":
            self.notify(f"{row['id']} is already done", markup=False)
            return
        war_app(self).submit(ActionDone(incident_id=str(row["incident_id"]),
                                        action_id=str(row["id"])))

    def action_toggle_open(self) -> None:
        """Show open actions only, or every action."""
        self.open_only = not self.open_only
        self.rows = []
        self._fill()
