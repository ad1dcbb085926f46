"""The wallboard (`warroom wall`): read-only, large type, every open escalation at once."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from warroom.domain.models import ClockState
from warroom.tui.app import war_app
from warroom.tui.screens.escalations import open_boards
from warroom.tui.view import dual
from warroom.tui.widgets.card import EscalationCard
from warroom.tui.widgets.header import connection_part

MIN_CARD_WIDTH = 40
"""Columns below which a card would be too narrow to read (fewer columns are used instead)."""
CARD_LINES = 5
"""Lines below which a card would be too short to read (fewer cards are shown instead): a
card's four-line summary in its border, at a squeeze (four cards on an 80x24 board)."""
MAX_CARDS = 12
"""The most cards a wall shows however large the screen: more cannot be read across a room,
and each card costs its first frame time."""


def capacity(width: int, height: int) -> int:
    """How many cards fit a board `width` x `height` cells legibly. An organisation's year can
    hold hundreds of open escalations: the wall shows the most urgent ones and counts them all
    (a card for each of 218 took seconds to build and left none readable)."""
    return min(MAX_CARDS, max(1, width // MIN_CARD_WIDTH) * max(1, height // CARD_LINES))


def grid_shape(count: int, width: int, height: int) -> tuple[int, int]:
    """(columns, rows) for `count` cards on a board `width` x `height` cells: the layout whose
    smallest card side is largest (a cell is about twice as tall as wide, and cards read best
    about twice as wide as tall), never narrower than `MIN_CARD_WIDTH` where avoidable."""
    if count <= 1:
        return 1, 1

    def score(columns: int) -> tuple[bool, float]:
        rows = -(-count // columns)
        card_width, card_height = width / columns, height / rows
        return card_width >= MIN_CARD_WIDTH, min(card_width / 4, card_height)

    columns = max(range(1, count + 1), key=score)
    return columns, -(-count // columns)


class WallScreen(Screen[None]):
    """A grid of cards, most urgent first, sized to how many there are: one card fills the
    board, several share it (the most urgent one takes any cell left over). Nothing here changes
    the store."""

    BINDINGS = [Binding("q", "app.quit", "Quit")]
    DEFAULT_CSS = """
    #wall-title { height: 1; padding: 0 1; background: $panel; }
    #cards { grid-size: 1; grid-gutter: 0 1; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="wall-title")
        size = self.app.size
        boards = open_boards(war_app(self).states, war_app(self))
        with Grid(id="cards"):
            for board in boards[:capacity(size.width - 2, size.height - 1)]:
                yield EscalationCard(board)

    def on_resize(self, event: events.Resize) -> None:
        self._shape(list(self.query_one("#cards", Grid).query(EscalationCard)))

    def _shape(self, cards: list[EscalationCard]) -> None:
        """Columns, rows and the first card's span for `cards`."""
        grid = self.query_one("#cards", Grid)
        columns, rows = grid_shape(len(cards), self.size.width - 2, self.size.height - 1)
        grid.styles.grid_size_columns = columns
        grid.styles.grid_size_rows = rows
        for n, card in enumerate(cards):
            card.styles.column_span = 1 + (columns * rows - len(cards)) if n == 0 else 1

    def on_mount(self) -> None:
        self._shape(list(self.query_one("#cards", Grid).query(EscalationCard)))
        self.watch(self.app, "now", self._refresh)
        self.watch(self.app, "states", self._refresh, init=False)
        self.watch(self.app, "connection", self._refresh, init=False)
        self.call_after_refresh(war_app(self).first_frame_drawn)

    def _refresh(self, *_: object) -> None:
        app = war_app(self)
        every = open_boards(app.states, app)
        size = self.size if self.size.height else app.size
        boards = every[:capacity(size.width - 2, size.height - 1)]
        grid = self.query_one("#cards", Grid)
        cards = list(grid.query(EscalationCard))
        if [c.name for c in cards] != [b.state.id for b in boards]:
            fresh = [EscalationCard(b) for b in boards]
            grid.remove_children()
            grid.mount_all(fresh)
            self._shape(fresh)
        else:
            for card, board in zip(cards, boards, strict=True):
                card.board = board
        breached = sum(b.urgent is not None and b.urgent.state is ClockState.BREACHED
                       for b in every)
        shown = f" (the {len(boards)} most urgent shown)" if len(boards) < len(every) else ""
        self.query_one("#wall-title", Static).update(Content.assemble(
            ("WAR ROOM", "bold"), f"  {len(every)} open escalation(s){shown}",
            (f"  ✖ {breached} BREACHED" if breached else "", "bold $sla-breached"),
            f"  ·  {dual(app.now, None, seconds=True)}  ·  ",
            connection_part(app.connection), ("  ·  read-only", "$text-muted")))
