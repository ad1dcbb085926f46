"""One escalation on the wallboard: who and how bad, two timers in large digits, every running
clock, the open commitments, the last customer update, the commander and the SPOC.

Everything shown comes from the board (the domain's clocks, urgency ordering and next-update
rule); nothing is recomputed here. The card fits its parts to the room it is given.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.geometry import Size
from textual.reactive import reactive

from warroom.domain.models import Clock, ClockState
from warroom.tui.view import Board, countdown, state_class
from warroom.tui.widgets.big_digits import BigDigits
from warroom.tui.widgets.card_text import CardText
from warroom.tui.widgets.live_text import Countdown, LiveText

_CLASSES = [state_class(s) for s in ClockState]

NARROW = 50
"""Below this many columns the next-update digits give way (its words stay)."""


class EscalationCard(Vertical):
    """One escalation, most urgent clock in its border colour; see the module docstring."""

    DEFAULT_CSS = """
    EscalationCard {
        border: round $secondary; border-title-style: bold; border-title-color: $foreground;
        padding: 0 1; height: 1fr;
        .card-head { height: auto; margin-bottom: 1; }
        .card-timers { height: 1fr; min-height: 7; }
        .timer { width: 1fr; height: 1fr; padding-right: 2; }
        .timer-label, .timer-due { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
        Countdown { display: none; }
        .section {
            height: auto; border: round $secondary; padding: 0 1;
            border-title-color: $foreground; border-title-style: bold;
        }
        &.-at-risk { border: heavy $sla-at-risk; }
        &.-breached { border: heavy $sla-breached; }
        .timer.-at-risk Digits, .timer.-at-risk BigDigits { color: $sla-at-risk; }
        .timer.-breached Digits, .timer.-breached BigDigits { color: $sla-breached; }
        .timer.-ok Digits, .timer.-ok BigDigits { color: $sla-ok; }
        &.-narrow #update-timer .digits { display: none; }
        &.-ruled {
            .card-timers, .timer { height: auto; min-height: 0; }
            BigDigits { display: none; }
            Countdown { display: block; }
            .section { border: none; border-top: solid $secondary; padding: 0; }
        }
        &.-ruled .card-head { margin-bottom: 0; }
        &.-dense .section { text-wrap: nowrap; text-overflow: ellipsis; }
        &.-densest .card-timers { display: none; }
        .card-summary { display: none; height: auto; text-wrap: nowrap; text-overflow: ellipsis; }
        &.-summary {
            .card-head, .card-timers, .section { display: none; }
            .card-summary { display: block; }
        }
    }
    """

    board: reactive[Board | None] = reactive(None, init=False, repaint=False)

    def __init__(self, board: Board, room: Size | None = None) -> None:
        """`room`: the cells inside the border the card will be given (the wall works it out
        from its grid), so the card is composed in its final layout, with its text, and its
        first frame is drawn once (the layout is chosen again only if the room differs)."""
        self.text = CardText.build(board)
        """What the card says, built once per board."""
        self.renders = 1
        """How many times the card built its text or changed its layout: once for its first
        frame when its room was known, then once per new board (its layout chosen with it)
        and once per resize that changes its layout."""
        self._room = room or Size(0, 0)
        self._density = self._fit()
        super().__init__(name=board.state.id,
                         classes=" ".join(_layout_classes(self._room, self._density)
                                          + _state_classes(board.urgent)))
        self.set_reactive(EscalationCard.board, board)
        self.border_title = f"{board.state.id} · {board.state.customer}"

    def compose(self) -> ComposeResult:
        board, text = self.board, self.text
        assert board is not None
        update = board.update_clock if board.owed.due_at is not None else None
        self._summary = LiveText(text.summary, classes="card-summary")
        self._head = LiveText(text.head, classes="card-head")
        yield self._summary
        yield self._head
        with Horizontal(classes="card-timers"):
            self._timer_parts = []
            for name, clock, (label, due) in (("urgent-timer", board.other_urgent, text.urgent),
                                              ("update-timer", update, text.update)):
                value = _countdown(clock)
                timer = _Timer(Vertical(classes=" ".join(["timer", *_state_classes(clock)]),
                                        id=name),
                               LiveText(label, classes="timer-label"),
                               LiveText(due, classes="timer-due"),
                               Countdown(value, classes="big digits"),
                               BigDigits(value, classes="digits"))
                self._timer_parts.append(timer)
                with timer.box:
                    yield from (timer.label, timer.due, timer.countdown, timer.digits)
        self._clocks = LiveText(text.clocks, classes="section", id="card-clocks")
        self._clocks.border_title = "Clocks running"
        self._commitments_section = LiveText(self._commitments(), classes="section",
                                             id="card-commitments")
        self._commitments_section.border_title = f"Commitments · {text.commitments_title}"
        self._last = LiveText(text.last_update, classes="section", id="card-last")
        self._last.border_title = "Last customer update"
        yield from (self._clocks, self._commitments_section, self._last)

    def on_mount(self) -> None:
        self._size_digits()

    def on_resize(self) -> None:
        """Choose the layout again only if the room is not the one the card was built for."""
        room = self.content_region.size
        if room == self._room or not room.height:
            return
        self._room = room
        self._lay_out()

    def watch_board(self, board: Board | None) -> None:
        if board is None or not self.children:
            return
        self.text = text = CardText.build(board)
        self.renders += 1
        self._lay_out(count=False)
        self.border_title = f"{board.state.id} · {board.state.customer}"
        self._mark(self, board.urgent)
        self._summary.show(text.summary)
        self._head.show(text.head)
        update = board.update_clock if board.owed.due_at is not None else None
        for timer, clock, label in zip(self._timer_parts, (board.other_urgent, update),
                                       (text.urgent, text.update), strict=True):
            timer.show(clock, label)
        self._clocks.show(text.clocks)
        self._last.show(text.last_update)

    def _fit(self) -> int:
        """The layout the text needs in the room (the least dense before the room is known)."""
        return self.text.density(*self._room) if self._room.height else 0

    def _lay_out(self, count: bool = True) -> None:
        """Fit the current text to the room: the layout's classes and the commitments shown
        (all of them, or the next one only)."""
        density = self._fit()
        if count and density != self._density:
            self.renders += 1
        self._density = density
        for name in _LAYOUTS:
            self.set_class(name in _layout_classes(self._room, density), name)
        section = self._commitments_section
        section.border_title = f"Commitments · {self.text.commitments_title}"
        section.show(self._commitments())
        self._size_digits()

    def _size_digits(self) -> None:
        """Once laid out, draw both timers' large digits at one scale (only the least dense
        layout shows them)."""
        if self._density == 0:
            self.call_after_refresh(self._one_size)

    def _commitments(self) -> Content:
        return self.text.next_commitment if self._density >= 2 else self.text.commitments

    def _one_size(self) -> None:
        """Draw the large digits of both timers at the same scale."""
        digits = [d for d in self.query(BigDigits) if d.display and d.value]
        cap = min((d.fit for d in digits), default=None)
        for d in digits:
            d.cap = cap

    @staticmethod
    def _mark(widget: Vertical, clock: Clock | None) -> None:
        """Exactly one state class: the clock's (none without a clock)."""
        for name in _CLASSES:
            widget.set_class(name in _state_classes(clock), name)


@dataclass(frozen=True)
class _Timer:
    """One of a card's two timers: its box (state-coloured), label, due line and digits (small
    and large: the layout shows one of them)."""

    box: Vertical
    label: LiveText
    due: LiveText
    countdown: Countdown
    digits: BigDigits

    def show(self, clock: Clock | None, label: tuple[Content, Content]) -> None:
        EscalationCard._mark(self.box, clock)
        self.label.show(label[0])
        self.due.show(label[1])
        value = _countdown(clock)
        self.countdown.show(value)
        self.digits.show(value)


_LAYOUTS = ("-narrow", "-ruled", "-dense", "-densest", "-summary")
"""The card's layout classes (see `CardText.density`)."""


def _layout_classes(room: Size, density: int) -> list[str]:
    """The layout classes for `density` in `room` (narrow: no room for the update's digits)."""
    return [name for name, on in zip(_LAYOUTS, (
        bool(room.height) and room.width < NARROW, density >= 1, density >= 2, density >= 3,
        density >= 4), strict=True) if on]


def _state_classes(clock: Clock | None) -> list[str]:
    """The clock's state class (none without a clock)."""
    return [] if clock is None else [state_class(clock.state)]


def _countdown(clock: Clock | None) -> str:
    """The clock's time left as large digits show it (blank without a running clock)."""
    left = clock.remaining_s if clock is not None else None
    return countdown(left) if left is not None else ""
