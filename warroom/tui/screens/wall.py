"""The wallboard (`warroom wall`): read-only, large type, every open escalation at once."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Static

from warroom.domain.models import ClockState
from warroom.tui.app import war_app
from warroom.tui.screens.escalations import next_update_cell, open_boards
from warroom.tui.view import CLOCK_TITLES, Board, badge, countdown, dual, state_class
from warroom.tui.widgets.clocks import STATE_STYLES
from warroom.tui.widgets.header import connection_part, severity_badge
from warroom.tui.widgets.live_text import Countdown

_CLASSES = [state_class(s) for s in ClockState]


CARD_LINES = 8
"""The fewest lines a card is legible in (border, title, big digits, state, next update)."""


def _columns(count: int) -> int:
    return 1 if count <= 1 else 2 if count <= 4 else 3


def capacity(height: int) -> int:
    """How many cards a screen `height` lines high shows legibly (three columns of them):
    an organisation's year can hold hundreds of open escalations, and the wall shows the
    most urgent ones (building a card for each would take seconds and show none)."""
    return 3 * max(1, (height - 1) // CARD_LINES)


class EscalationCard(Vertical):
    """One escalation: who and how bad, the most urgent clock in large digits, next update."""

    DEFAULT_CSS = """
    EscalationCard {
        border: round $secondary; border-title-style: bold; padding: 0 1; height: 1fr;
        .card-title, .card-state, .card-next { height: auto; }
        &.-at-risk { border: heavy $sla-at-risk; Digits { color: $sla-at-risk; } }
        &.-breached {
            border: heavy $sla-breached;
            Digits { color: $sla-breached; text-style: bold; }
        }
        &.-ok Digits { color: $sla-ok; }
    }
    """

    board: reactive[Board | None] = reactive(None, init=False, repaint=False)

    def __init__(self, board: Board) -> None:
        super().__init__(name=board.state.id)
        self.set_reactive(EscalationCard.board, board)

    def compose(self) -> ComposeResult:
        yield Static("", classes="card-title")
        yield Countdown("", classes="big")
        yield Static("", classes="card-state")
        yield Static("", classes="card-next")

    def on_mount(self) -> None:
        self.watch_board(self.board)

    def watch_board(self, board: Board | None) -> None:
        if board is None or not self.children:
            return
        s = board.state
        self.border_title = f"{s.id} · {s.customer}"
        self.query_one(".card-title", Static).update(Content.assemble(
            severity_badge(s.severity.value, s.triaged), " ", (s.phase.value.upper(), "bold"),
            f"  age {board.age}  IC {s.roles.get('incident_commander', '⚑ UNOWNED')}\n",
            (s.title, "italic")))
        clock = board.urgent
        for name in _CLASSES:
            self.set_class(clock is not None and name == state_class(clock.state), name)
        if clock is None or clock.remaining_s is None:
            self.query_one(Countdown).show("")
            self.query_one(".card-state", Static).update("no clock running")
        else:
            self.query_one(Countdown).show(countdown(clock.remaining_s))
            due = f"  due {dual(clock.due_at, board.tz, now=board.now)}" if clock.due_at else ""
            self.query_one(".card-state", Static).update(Content.assemble(
                (badge(clock.state), STATE_STYLES[clock.state]), " ",
                (CLOCK_TITLES[clock.name], "bold"), due))
        self.query_one(".card-next", Static).update(
            Content.assemble("Next customer update ", next_update_cell(board)))


class WallScreen(Screen[None]):
    """A grid of cards, most urgent first; nothing here changes the store."""

    BINDINGS = [Binding("q", "app.quit", "Quit")]
    DEFAULT_CSS = """
    #wall-title { height: 1; padding: 0 1; background: $panel; }
    #cards { grid-size: 2; grid-gutter: 1; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="wall-title")
        boards = open_boards(war_app(self).states, war_app(self))[:capacity(self.app.size.height)]
        with Grid(id="cards") as grid:
            grid.styles.grid_size_columns = _columns(len(boards))
            for board in boards:
                yield EscalationCard(board)

    def on_mount(self) -> None:
        self.watch(self.app, "now", self._refresh)
        self.watch(self.app, "states", self._refresh, init=False)
        self.watch(self.app, "connection", self._refresh, init=False)
        self.call_after_refresh(war_app(self).first_frame_drawn)

    def _refresh(self, *_: object) -> None:
        app = war_app(self)
        every = open_boards(app.states, app)
        boards = every[:capacity(self.size.height or app.size.height)]
        grid = self.query_one("#cards", Grid)
        cards = list(grid.query(EscalationCard))
        if [c.name for c in cards] != [b.state.id for b in boards]:
            grid.remove_children()
            grid.mount_all(EscalationCard(b) for b in boards)
            grid.styles.grid_size_columns = _columns(len(boards))
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
