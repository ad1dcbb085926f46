"""The wallboard (`warroom wall`): read-only, large type, every open escalation at once."""

from __future__ import annotations

from fractions import Fraction

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.content import Content
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import Static

from warroom.domain.models import ClockState
from warroom.tui.app import WarRoomApp, war_app
from warroom.tui.screens.escalations import open_boards
from warroom.tui.view import Board, dual
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


def _tracks(total: int, count: int, gutter: int) -> list[tuple[int, int]]:
    """(start, end) of `count` equal tracks sharing `total` cells with `gutter` between them,
    cut where Textual's grid cuts them (at the floor of each fractional edge)."""
    unit = Fraction(total - gutter * (count - 1), count)
    return [((n * (unit + gutter)).__floor__(), (n * (unit + gutter) + unit).__floor__())
            for n in range(count)]


CARD_FRAME = Size(4, 2)
"""Cells a card's border and padding take: its text gets the rest."""


def card_rooms(count: int, width: int, height: int) -> list[Size]:
    """The room inside each of `count` cards on a board `width` x `height` cells (the grid of
    `grid_shape`, one cell's gutter between columns, the first card spanning any cells left
    over), known before any card is mounted, so each is composed in its final layout."""
    columns, rows = grid_shape(count, width, height)
    across, down = _tracks(width, columns, 1), _tracks(height, rows, 0)
    spare = columns * rows - count
    rooms = []
    for n in range(count):
        cell = n + spare if n else 0
        column, row = cell % columns, cell // columns
        last = column + (spare if n == 0 else 0)
        size = Size(across[last][1] - across[column][0], down[row][1] - down[row][0])
        rooms.append(Size(max(0, size.width - CARD_FRAME.width),
                          max(0, size.height - CARD_FRAME.height)))
    return rooms


def wall_title(every: list[Board], shown: int, app: WarRoomApp) -> Content:
    """`WAR ROOM  218 open escalation(s) (the 12 most urgent shown)  ✖ 3 BREACHED  ·  ...`."""
    breached = sum(b.urgent is not None and b.urgent.state is ClockState.BREACHED for b in every)
    more = f" (the {shown} most urgent shown)" if shown < len(every) else ""
    return Content.assemble(
        ("WAR ROOM", "bold"), f"  {len(every)} open escalation(s){more}",
        (f"  ✖ {breached} BREACHED" if breached else "", "bold $sla-breached"),
        f"  ·  {dual(app.now, None, seconds=True)}  ·  ",
        connection_part(app.connection), ("  ·  read-only", "$text-muted"))


class WallScreen(Screen[None]):
    """A grid of cards, most urgent first, sized to how many there are: one card fills the
    board, several share it (the most urgent one takes any cell left over). Nothing here changes
    the store.

    The first frame is drawn once: the cards, their text and layout, the grid's shape and the
    title are all worked out from the first read and the screen's size before anything is
    mounted; after it, the heartbeat and the store's changes update them.
    """

    BINDINGS = [Binding("q", "app.quit", "Quit")]
    DEFAULT_CSS = """
    #wall-title { height: 1; padding: 0 1; background: $panel; }
    #cards { grid-size: 1; grid-gutter: 0 1; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        app = war_app(self)
        width, height = self._board_size()
        every = open_boards(app.states, app)
        boards = every[:capacity(width, height)]
        self._every, self._shown = every, len(boards)
        yield Static(wall_title(every, len(boards), app), id="wall-title")
        cards = self._cards(boards, width, height)
        grid = Grid(id="cards")
        self._shape(grid, width, height, cards)
        with grid:
            yield from cards

    def _board_size(self) -> tuple[int, int]:
        """The cells the cards share: the screen less the title line and the side margins."""
        size = self.size if self.size.height else self.app.size
        return size.width - 2, size.height - 1

    @staticmethod
    def _cards(boards: list[Board], width: int, height: int) -> list[EscalationCard]:
        return [EscalationCard(board, room)
                for board, room in zip(boards, card_rooms(len(boards), width, height),
                                       strict=True)]

    def on_resize(self, event: events.Resize) -> None:
        grid = self.query_one("#cards", Grid)
        self._shape(grid, *self._board_size(), list(grid.query(EscalationCard)))

    @staticmethod
    def _shape(grid: Grid, width: int, height: int, cards: list[EscalationCard]) -> None:
        """Columns, rows and the first card's span for `cards`."""
        columns, rows = grid_shape(len(cards), width, height)
        grid.styles.grid_size_columns = columns
        grid.styles.grid_size_rows = rows
        for n, card in enumerate(cards):
            card.styles.column_span = 1 + (columns * rows - len(cards)) if n == 0 else 1

    def on_mount(self) -> None:
        self.watch(self.app, "now", self._refresh, init=False)
        self.watch(self.app, "states", self._refresh, init=False)
        self.watch(self.app, "connection", self._retitle)  # it may have changed since compose
        self.call_after_refresh(war_app(self).first_frame_drawn)

    def _refresh(self, *_: object) -> None:
        app = war_app(self)
        every = open_boards(app.states, app)
        width, height = self._board_size()
        boards = every[:capacity(width, height)]
        grid = self.query_one("#cards", Grid)
        cards = list(grid.query(EscalationCard))
        if [c.name for c in cards] != [b.state.id for b in boards]:
            fresh = self._cards(boards, width, height)
            grid.remove_children()
            self._shape(grid, width, height, fresh)
            grid.mount_all(fresh)
        else:
            for card, board in zip(cards, boards, strict=True):
                card.board = board
        self._every, self._shown = every, len(boards)
        self._retitle()

    def _retitle(self, *_: object) -> None:
        """The title (alone, when only the connection changed)."""
        self.query_one("#wall-title", Static).update(
            wall_title(self._every, self._shown, war_app(self)))
