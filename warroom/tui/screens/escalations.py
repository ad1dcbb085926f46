"""The escalation list: every open escalation sorted by its most urgent clock; Enter opens one."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.coordinate import Coordinate
from textual.screen import Screen
from textual.widgets import DataTable, Static

from warroom.domain.models import IncidentState
from warroom.tui import messages as m
from warroom.tui.app import WarRoomApp, war_app
from warroom.tui.view import CLOCK_TITLES, Board, badge, duration, urgency_key
from warroom.tui.widgets.clocks import STATE_STYLES
from warroom.tui.widgets.keybar import KeyBar

COLUMNS: list[tuple[str, int]] = [
    ("Escalation", 10), ("Sev", 4), ("Customer", 16), ("Phase", 13), ("Most urgent clock", 28),
    ("Next update", 17), ("Commander", 14), ("Title", 50)]


def open_boards(states: dict[str, IncidentState], app: WarRoomApp) -> list[Board]:
    """Boards of escalations not yet closed, most urgent first (unresolved before resolved)."""
    now = app.now
    policy = app.policy
    boards = [Board.build(s, policy, now) for s in states.values()
              if s.closed_at is None and not s.imported]
    return sorted(boards, key=urgency_key)


def urgent_cell(board: Board) -> Content:
    """`▲ AT RISK Resolve 52m10s` (or `resolved`)."""
    clock = board.urgent
    if clock is None or clock.remaining_s is None:
        return Content.styled("resolved" if board.state.resolved_at else "—", "$text-muted")
    left = duration(clock.remaining_s) + (" over" if clock.remaining_s < 0 else "")
    return Content.assemble((badge(clock.state), STATE_STYLES[clock.state]),
                            f" {CLOCK_TITLES[clock.name]} {left}")


def next_update_cell(board: Board) -> Content:
    """Time to the next customer update, or how long it is overdue."""
    clock = board.update_clock
    if clock.remaining_s is None:
        return Content.styled("—", "$text-muted")
    if clock.remaining_s < 0:
        return Content.styled(f"✖ OVERDUE {duration(clock.remaining_s)}", STATE_STYLES[clock.state])
    return Content.styled(f"in {duration(clock.remaining_s)}", STATE_STYLES[clock.state])


class EscalationsScreen(Screen[None]):
    """All open escalations; updates every second and on every store change."""

    BINDINGS = [
        Binding("escape,e", "app.pop_screen", "Back", key_display="esc"),
        Binding("enter", "open", "Open"),
    ]
    DEFAULT_CSS = """
    #list-title { height: 1; padding: 0 1; text-style: bold; background: $panel; }
    #escalations { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Open escalations — most urgent first", id="list-title")
        table: DataTable[Content | str] = DataTable(cursor_type="row", zebra_stripes=True,
                                                    id="escalations")
        for label, width in COLUMNS:
            table.add_column(label, width=width)
        yield table
        yield KeyBar()

    def on_mount(self) -> None:
        self.watch(self.app, "now", self._fill)
        self.watch(self.app, "states", self._fill, init=False)

    def _fill(self, *_: object) -> None:
        table = self.query_one(DataTable)
        keep = table.cursor_row
        current = None
        if table.row_count and 0 <= keep < table.row_count:
            current = table.coordinate_to_cell_key(Coordinate(keep, 0)).row_key.value
        table.clear()
        war = war_app(self)
        for board in open_boards(war.states, war):
            s = board.state
            sev = Content.styled(f" {s.severity.value}{'' if s.triaged else '?'} ",
                                 f"bold $sev-text on $sev-{s.severity.value.lower()}")
            table.add_row(Content(s.id), sev, Content(s.customer), Content(s.phase.value),
                          urgent_cell(board), next_update_cell(board),
                          Content(s.roles.get("incident_commander", "⚑ UNOWNED")), Content(s.title),
                          key=s.id)
        self.query_one("#list-title", Static).update(
            f"Open escalations — most urgent first ({table.row_count})")
        if current is not None and current in table.rows:
            table.move_cursor(row=table.get_row_index(current), animate=False)

    def action_open(self) -> None:
        """Show the escalation under the cursor on the main screen."""
        table = self.query_one(DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
            if key is not None:
                self.app.post_message(m.OpenEscalation(key))

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.post_message(m.OpenEscalation(event.row_key.value))
