"""The escalation list: every open escalation sorted by its most urgent clock; Enter opens one."""

from __future__ import annotations

from textual import events, on
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

COLUMNS: list[tuple[str, str, int]] = [
    ("id", "Escalation", 10), ("sev", "Sev", 4), ("customer", "Customer", 16),
    ("phase", "Phase", 13), ("urgent", "Most urgent clock", 28), ("next", "Next update", 17),
    ("commander", "Commander", 14), ("title", "Title", 0)]
"""Key, label and width of every column, in screen order (the title takes what is left)."""

DROP_ORDER = ["phase", "commander", "customer", "next", "urgent"]
"""Columns given up, first to last, when the screen is too narrow for them and a useful title."""

TITLE_MIN, TITLE_MAX = 24, 60
"""The title column never gets narrower than this (nor wider, where the screen is wide)."""

_CHROME = 2
"""Cells a column takes beyond its width (the table's padding either side)."""

_SCROLLBAR = 2
"""Kept free for the table's vertical scrollbar (many escalations)."""


def fit_columns(width: int) -> list[tuple[str, str, int]]:
    """The columns that fit `width` cells with the title at least `TITLE_MIN` wide; the title
    gets the rest (up to `TITLE_MAX`)."""
    kept = list(COLUMNS)
    drop = iter(DROP_ORDER)

    def spare() -> int:
        used = sum(w + _CHROME for key, _, w in kept if key != "title")
        return width - used - _CHROME - _SCROLLBAR

    while spare() < TITLE_MIN and (key := next(drop, None)) is not None:
        kept = [c for c in kept if c[0] != key]
    title = max(TITLE_MIN, min(TITLE_MAX, spare()))
    return [(key, label, title if key == "title" else w) for key, label, w in kept]


def clip(text: str, width: int) -> str:
    """`text`, ending in `…` where it is cut to `width`."""
    return text if len(text) <= width else text[:width - 1] + "…"


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
        yield DataTable[Content](cursor_type="row", zebra_stripes=True, id="escalations")
        yield KeyBar()

    _shown: list[tuple[str, str, int]] = []
    """The columns the table has now."""

    def on_mount(self) -> None:
        self._fit(self.app.size.width)
        self.watch(self.app, "now", self._fill)
        self.watch(self.app, "states", self._fill, init=False)

    def on_resize(self, event: events.Resize) -> None:
        if fit_columns(event.size.width) != self._shown:
            self._fit(event.size.width)
            self._fill()

    def _fit(self, width: int) -> None:
        """Lay the columns out for a screen `width` cells wide."""
        table = self.query_one(DataTable)
        table.clear(columns=True)
        self._shown = fit_columns(width)
        for key, label, cells in self._shown:
            table.add_column(label, width=cells, key=key)

    def _fill(self, *_: object) -> None:
        table: DataTable[Content] = self.query_one(DataTable)
        keep = table.cursor_row
        current = None
        if table.row_count and 0 <= keep < table.row_count:
            current = table.coordinate_to_cell_key(Coordinate(keep, 0)).row_key.value
        table.clear()
        war = war_app(self)
        title_width = next(w for key, _, w in self._shown if key == "title")
        for board in open_boards(war.states, war):
            s = board.state
            sev = Content.styled(f" {s.severity.value}{'' if s.triaged else '?'} ",
                                 f"bold $sev-text on $sev-{s.severity.value.lower()}")
            cells = {"id": Content(s.id), "sev": sev, "customer": Content(s.customer),
                     "phase": Content(s.phase.value), "urgent": urgent_cell(board),
                     "next": next_update_cell(board),
                     "commander": Content(s.roles.get("incident_commander", "⚑ UNOWNED")),
                     "title": Content(clip(s.title, title_width))}
            table.add_row(*(cells[key] for key, _, _ in self._shown), key=s.id)
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
