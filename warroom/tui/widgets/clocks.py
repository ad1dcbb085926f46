"""Countdown panes: SLA clocks, the next customer update, and the compact strip for small screens.

Each pane renders the `Board` it is given (one per heartbeat); nothing here reads a clock.
States are shown in words and symbols as well as colour, via `-at-risk` / `-breached` classes.
"""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive

from warroom.domain.models import Clock, ClockName, ClockState
from warroom.domain.urgency import clock_key
from warroom.tui.view import (
    CLOCK_TITLES,
    NO_ESCALATION,
    Board,
    badge,
    commitment_overdue,
    countdown,
    dual,
    duration,
    remaining_text,
    state_class,
)
from warroom.tui.widgets.live_text import Countdown, LiveText

STATE_STYLES: dict[ClockState, str] = {
    ClockState.OK: "$sla-ok",
    ClockState.AT_RISK: "bold $sla-at-risk",
    ClockState.BREACHED: "bold reverse $sla-breached",
    ClockState.MET: "$sla-met",
    ClockState.MET_LATE: "$sla-at-risk",
    ClockState.PAUSED: "bold $sla-muted",
    ClockState.NOT_APPLICABLE: "$sla-muted",
}
_STATE_CLASSES = [state_class(s) for s in ClockState]


def clock_line(clock: Clock, board: Board, wide: bool = True) -> Content:
    """`▲ AT RISK  Resolve       52m10s left  due 16:05 UTC · 11:05 EST`."""
    due = ""
    if clock.due_at is not None and clock.state not in (ClockState.MET, ClockState.MET_LATE):
        due = "due " + dual(clock.due_at, board.tz if wide else None, now=board.now)
    elif clock.met_at is not None:
        due = "met " + dual(clock.met_at, board.tz if wide else None, now=board.now)
    return Content.assemble(
        (f"{badge(clock.state):<11}", STATE_STYLES[clock.state]), " ",
        (f"{CLOCK_TITLES[clock.name]:<13}", "bold"),
        f"{remaining_text(clock):<21}", (due, "$text-muted"),
    )


class _BoardPane(Vertical):
    """A bordered pane that redraws from the board on every heartbeat."""

    board: reactive[Board | None] = reactive(None, init=False, repaint=False)

    def watch_board(self, board: Board | None) -> None:
        if board is not None:
            self.draw(board)

    def draw(self, board: Board) -> None:
        """Redraw from `board`."""

    def on_resize(self) -> None:
        if self.board is not None and self._wide != self.wide:
            self.draw(self.board)

    _wide = False

    @property
    def wide(self) -> bool:
        """Room for the customer's local times (estimated from the screen before layout)."""
        width = self.size.width
        if not width:
            screen_width = self.app.size.width
            width = screen_width if self.screen.has_class("-narrow") else screen_width // 2
        return width >= 70

    def mark(self, state: ClockState | None) -> None:
        """Set exactly one state class (or none)."""
        for name in _STATE_CLASSES:
            self.set_class(state is not None and name == state_class(state), name)


class SlaPane(_BoardPane):
    """Every clock with its state, due time and time left; in large digits the most urgent clock
    other than the next customer update (which has its own pane and the status strip)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.border_title = "SLA clocks"

    def compose(self) -> ComposeResult:
        yield LiveText("", classes="urgent-label")
        yield Countdown("", classes="big")
        yield LiveText(NO_ESCALATION, classes="clock-list")

    def draw(self, board: Board) -> None:
        urgent = board.other_urgent
        label = self.query_one(".urgent-label", LiveText)
        digits = self.query_one(Countdown)
        if urgent is None or urgent.remaining_s is None:
            label.show(Content("No other clock running"))
            digits.show("")
            self.mark(None)
        else:
            label.show(Content.assemble(
                "Most urgent besides next update: ", (CLOCK_TITLES[urgent.name], "bold"), "  ",
                (badge(urgent.state), STATE_STYLES[urgent.state]),
            ))
            digits.show(countdown(urgent.remaining_s))
            self.mark(urgent.state)
        self._wide = wide = self.wide
        lines = [clock_line(c, board, wide) for c in board.clocks.values()]
        self.query_one(".clock-list", LiveText).show(Content("\n").join(lines))


class NextUpdatePane(_BoardPane):
    """Large countdown to the next customer update owed; loud (and one bell) when overdue."""

    def __init__(self, *, id: str | None = None, classes: str | None = None,
                 bell: bool = True) -> None:
        super().__init__(id=id, classes=classes)
        self.border_title = "Next customer update"
        self._bell = bell
        self._rang_for: datetime | None = None

    def compose(self) -> ComposeResult:
        yield Countdown("", classes="big")
        yield LiveText("", classes="detail")

    def draw(self, board: Board) -> None:
        clock = board.update_clock
        digits = self.query_one(Countdown)
        detail = self.query_one(".detail", LiveText)
        self.mark(clock.state)
        if clock.remaining_s is None or clock.due_at is None:
            digits.show("")
            detail.show(Content.assemble((badge(clock.state), STATE_STYLES[clock.state]),
                                         "  final update posted: no customer update owed"))
            return
        digits.show(countdown(clock.remaining_s))
        next_one = board.owed
        due = "due " + dual(clock.due_at, board.tz, now=board.now)
        if next_one.final:
            due = "final (resolved) update " + due
        elif next_one.promised:
            due = "promised, " + due
        if clock.state is ClockState.BREACHED:
            detail.show(Content.assemble(
                (f"✖ OVERDUE by {duration(clock.remaining_s)}", "bold reverse $sla-breached"),
                " — post a customer update now (u) · ", (due, "$text-muted"),
            ))
            if self._rang_for != clock.due_at:
                self._rang_for = clock.due_at
                if self._bell:
                    self.app.bell()
            return
        detail.show(Content.assemble((badge(clock.state), STATE_STYLES[clock.state]), "  ",
                                     (due, "$text-muted")))


class StatusStrip(LiveText):
    """Two lines for small screens: every other clock that needs attention (else the most urgent
    other clock), then the next customer update and the commitments."""

    DEFAULT_CSS = "StatusStrip { height: 2; padding: 0 1; }"
    FIXED_SIZE = True

    board: reactive[Board | None] = reactive(None, init=False, repaint=False)

    def watch_board(self, board: Board | None) -> None:
        if board is None:
            return
        self.show(Content("\n").join([_attention_line(board), Content.assemble(
            "Next update ", _update_part(board), " · Commitments ", _commitments_part(board))]))


def _attention_line(board: Board) -> Content:
    """`▲ AT RISK Resolve 56m left (due 10:56 UTC) · ✖ BREACHED PIR 2m over`: every clock but
    the next update that is at risk or breached, shortened to fit; else the most urgent one."""
    alarming = sorted((c for c in board.clocks.values() if c.name is not ClockName.NEXT_UPDATE
                       and c.state in (ClockState.AT_RISK, ClockState.BREACHED)),
                      key=clock_key)
    if not alarming:
        urgent = board.other_urgent
        if urgent is None or urgent.remaining_s is None:
            return Content.styled("No other clock running", "$text-muted")
        alarming = [urgent]
    if len(alarming) == 1:
        only = alarming[0]
        due = f"  (due {dual(only.due_at, None, now=board.now)})" if only.due_at else ""
        return Content.assemble((badge(only.state), STATE_STYLES[only.state]), " ",
                                (CLOCK_TITLES[only.name], "bold"), f" {remaining_text(only)}",
                                (due, "$text-muted"))
    return Content(" · ").join(
        Content.assemble((badge(c.state), STATE_STYLES[c.state]), " ",
                         (CLOCK_TITLES[c.name], "bold"), f" {remaining_text(c)}")
        for c in alarming)


def _update_part(board: Board) -> Content:
    update = board.update_clock
    if update.remaining_s is None:
        return Content.styled("none owed", "$text-muted")
    if update.state is ClockState.BREACHED:
        return Content.styled(f"✖ OVERDUE {duration(update.remaining_s)}",
                              "bold reverse $sla-breached")
    return Content.styled(f"{badge(update.state)} in {duration(update.remaining_s)}",
                          STATE_STYLES[update.state])


def _commitments_part(board: Board) -> Content:
    promises = board.state.open_commitments()
    late = sum(commitment_overdue(c, board.now) for c in promises)
    return Content.assemble(
        (f"✖ {late} OVERDUE" if late else "none overdue",
         "bold $sla-breached" if late else "$text-muted"),
        f", {len(promises)} open")
