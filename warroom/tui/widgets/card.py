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
from textual.reactive import reactive

from warroom.domain.models import Audience, Clock, ClockState, StatusUpdate
from warroom.domain.status import commitment_state
from warroom.domain.urgency import URGENT_STATES, clock_key
from warroom.tui.view import (
    CLOCK_TITLES,
    Board,
    badge,
    countdown,
    duration,
    hhmm,
    remaining_text,
    state_class,
)
from warroom.tui.widgets.big_digits import BigDigits
from warroom.tui.widgets.clocks import STATE_STYLES
from warroom.tui.widgets.header import severity_badge
from warroom.tui.widgets.live_text import Countdown, LiveText

_CLASSES = [state_class(s) for s in ClockState]

NARROW = 50
"""Below this many columns the next-update digits give way (its words stay)."""


def running_clocks(board: Board) -> list[Clock]:
    """Clocks counting down (or paused), most urgent first, by the domain's ordering."""
    live = [c for c in board.clocks.values()
            if c.state in URGENT_STATES or c.state is ClockState.PAUSED]
    return sorted(live, key=clock_key)


def clocks_text(board: Board) -> Content:
    """One line per running clock: state word, name, time left, due time."""
    lines = [Content.assemble(
        (f"{badge(c.state):<10}", STATE_STYLES[c.state]), " ",
        (f"{CLOCK_TITLES[c.name]:<12}", "bold"), " ", remaining_text(c),
        (f"  due {hhmm(c.due_at, now=board.now)}" if c.due_at else "", "$text-muted"))
        for c in running_clocks(board)]
    return Content("\n").join(lines) if lines else Content.styled("No clock running",
                                                                   "$text-muted")


def commitments_text(board: Board, limit: int | None = None) -> tuple[str, Content]:
    """The section title (`3 open · ✖ 1 overdue`) and the open commitments, next due first
    (only the first `limit` of them where room is short: the title still counts them all)."""
    promises = board.state.open_commitments()
    if not promises:
        return "none open", Content.styled("No open commitments", "$text-muted")
    states = [commitment_state(c, board.now) for c in promises]
    late = states.count("overdue")
    lines = []
    for n, (c, state) in enumerate(zip(promises, states, strict=True)):
        if limit is not None and n == limit:
            break
        left = (c.due_at - board.now).total_seconds()
        if state == "overdue":
            mark = (f"✖ OVERDUE {duration(left)}", "bold reverse $sla-breached")
        else:
            mark = (f"● due in {duration(left)}", "$sla-ok")
        lines.append(Content.assemble(
            ("Next: " if n == 0 else "", "bold"), mark, " ", (c.text, "bold" if n == 0 else ""),
            (f"  {hhmm(c.due_at, now=board.now)} · {c.owner}", "$text-muted")))
    title = f"{len(promises)} open" + (f" · ✖ {late} overdue" if late else "")
    return title, Content("\n").join(lines)


def last_customer_update(board: Board) -> StatusUpdate | None:
    """The latest update the customer was sent."""
    return next((u for u in reversed(board.state.updates)
                 if u.audience is Audience.CUSTOMER), None)


def last_update_text(board: Board) -> Content:
    """When the customer last heard from us, by whom, and the first line of what they read."""
    update = last_customer_update(board)
    if update is None:
        return Content.styled("No customer update posted yet", "bold $sla-at-risk")
    first = next((line.strip() for line in update.body.splitlines() if line.strip()), "")
    ago = duration((board.now - update.posted_at).total_seconds())
    return Content.assemble(
        (hhmm(update.posted_at, now=board.now), "bold"), (f" {ago} ago", "$text-muted"), " ",
        (f"“{first}”", "italic"), (f" — {update.posted_by}", "$text-muted"))


def update_label(board: Board) -> tuple[Content, Content]:
    """The next customer update owed: its label and due line (was it promised?)."""
    clock, owed = board.update_clock, board.owed
    if owed.due_at is None or clock.remaining_s is None:
        return (Content.styled("Next customer update", "bold"),
                Content.styled("none owed", "$text-muted"))
    kind = ("final update" if owed.final else "first update" if owed.first
            else "promised" if owed.promised else "on the cadence")
    return (Content.assemble((badge(clock.state), STATE_STYLES[clock.state]), " ",
                             ("Next customer update", "bold")),
            Content.styled(f"due {hhmm(owed.due_at, now=board.now)} · {kind}", "$text-muted"))


def urgent_label(board: Board) -> tuple[Content, Content]:
    """The most urgent clock besides the next customer update (which has its own digits)."""
    clock = board.other_urgent
    if clock is None or clock.remaining_s is None:
        return (Content.styled("No other clock running", "$text-muted"), Content(""))
    due = f"due {hhmm(clock.due_at, now=board.now)}" if clock.due_at else remaining_text(clock)
    return (Content.assemble((badge(clock.state), STATE_STYLES[clock.state]), " ",
                             (CLOCK_TITLES[clock.name], "bold")),
            Content.styled(due, "$text-muted"))


def summary_text(board: Board, commitments: str) -> Content:
    """Four lines for a card with little room: what, how urgent, who, what the customer heard."""
    s = board.state
    urgent = board.urgent
    clock = ("No clock running", "$text-muted") if urgent is None else Content.assemble(
        (badge(urgent.state), STATE_STYLES[urgent.state]), " ", (CLOCK_TITLES[urgent.name], "bold"),
        " ", remaining_text(urgent))
    update = last_customer_update(board)
    heard = Content.styled("No customer update yet", "bold $sla-at-risk") if update is None else (
        Content.assemble(("Last update ", "$text-muted"),
                         (hhmm(update.posted_at, now=board.now), "bold"), " ",
                         (f"“{update.body.strip().splitlines()[0]}”" if update.body.strip()
                          else "", "italic")))
    return Content("\n").join([
        Content.assemble(severity_badge(s.severity.value, s.triaged), " ",
                         (s.phase.value.upper(), "bold"), " ", (s.title, "bold")),
        Content.assemble(clock, ("  ·  next customer update ", "$text-muted"),
                         remaining_text(board.update_clock) or "none owed"),
        Content.assemble(people_line(board), ("  ·  commitments ", "$text-muted"), commitments),
        heard])


def people_line(board: Board) -> Content:
    """`Commander X  SPOC Y` (a vacant seat stands out)."""
    roles = board.state.roles

    def seat(role: str, vacant: str) -> tuple[str, str]:
        holder = roles.get(role)
        return (holder, "bold") if holder else (vacant, "bold $role-vacant")

    return Content.assemble(("Commander ", "$text-muted"), seat("incident_commander", "⚑ UNOWNED"),
                            ("  SPOC ", "$text-muted"), seat("customer_spoc", "⚠ VACANT"))


def head_text(board: Board) -> Content:
    """Severity, phase, age, the commander and the SPOC; then the title."""
    s = board.state
    return Content.assemble(
        severity_badge(s.severity.value, s.triaged), " ", (s.phase.value.upper(), "bold"),
        (f"  age {board.age}  ", "$text-muted"), people_line(board), "\n", (s.title, "bold"))


def rows(content: Content, width: int, wrap: bool = True) -> int:
    """Rows `content` takes at `width` cells (each line wrapped, or cut to one row)."""
    lines = content.plain.split("\n")
    if not wrap or width <= 0:
        return len(lines)
    return sum(max(1, -(-len(line) // width)) for line in lines)


@dataclass(frozen=True)
class CardText:
    """What one card says, built once per heartbeat from the board."""

    head: Content
    urgent: tuple[Content, Content]
    update: tuple[Content, Content]
    clocks: Content
    commitments_title: str
    commitments: Content
    next_commitment: Content
    last_update: Content
    summary: Content

    @classmethod
    def build(cls, board: Board) -> CardText:
        title, commitments = commitments_text(board)
        return cls(head_text(board), urgent_label(board), update_label(board), clocks_text(board),
                   title, commitments, commitments_text(board, limit=1)[1],
                   last_update_text(board), summary_text(board, title))

    def density(self, width: int, height: int) -> int:
        """The least dense layout that fits `width` x `height` cells (else the densest):
        0 framed sections, the timers as large as the rest of the card allows; 1 sections
        under a rule; 2 one line a clock, the next commitment only; 3 the same without the
        large digits; 4 a four-line summary."""
        head = rows(self.head, width)
        body = [self.clocks, self.commitments, self.last_update]
        clocks = rows(self.clocks, width, wrap=False) + 1
        needs = [head + 1 + _BIG_TIMERS + sum(rows(c, width - 4) + 2 for c in body),
                 head + _TIMERS + sum(rows(c, width) + 1 for c in body),
                 head + _TIMERS + clocks + 2 + 2, head + clocks + 2 + 2]
        return next((n for n, need in enumerate(needs) if need <= height), len(needs))


_TIMERS, _BIG_TIMERS = 5, 7
"""Rows of the two timers: label, due line, digits (three rows; at least five when large)."""


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

    def __init__(self, board: Board) -> None:
        super().__init__(name=board.state.id)
        self.set_reactive(EscalationCard.board, board)

    def compose(self) -> ComposeResult:
        yield LiveText("", classes="card-summary")
        yield LiveText("", classes="card-head")
        with Horizontal(classes="card-timers"):
            for name in ("urgent-timer", "update-timer"):
                with Vertical(classes="timer", id=name):
                    yield LiveText("", classes="timer-label")
                    yield LiveText("", classes="timer-due")
                    yield Countdown("", classes="big digits")
                    yield BigDigits(classes="digits")
        clocks = LiveText("", classes="section", id="card-clocks")
        clocks.border_title = "Clocks running"
        yield clocks
        yield LiveText("", classes="section", id="card-commitments")
        last = LiveText("", classes="section", id="card-last")
        last.border_title = "Last customer update"
        yield last

    def on_mount(self) -> None:
        self.watch_board(self.board)

    def on_resize(self) -> None:
        self.watch_board(self.board)

    def watch_board(self, board: Board | None) -> None:
        if board is None or not self.children:
            return
        text = CardText.build(board)
        size = self.content_region.size
        density = text.density(size.width, size.height) if size.height else 0
        self.set_class(size.width < NARROW, "-narrow")
        self.set_class(density >= 1, "-ruled")
        self.set_class(density >= 2, "-dense")
        self.set_class(density >= 3, "-densest")
        self.set_class(density >= 4, "-summary")
        self.border_title = f"{board.state.id} · {board.state.customer}"
        self._mark(self, board.urgent)
        self.query_one(".card-summary", LiveText).show(text.summary)
        self.query_one(".card-head", LiveText).show(text.head)
        self._timer("#urgent-timer", board.other_urgent, text.urgent)
        update = board.update_clock if board.owed.due_at is not None else None
        self._timer("#update-timer", update, text.update)
        self.query_one("#card-clocks", LiveText).show(text.clocks)
        section = self.query_one("#card-commitments", LiveText)
        section.border_title = f"Commitments · {text.commitments_title}"
        section.show(text.next_commitment if density >= 2 else text.commitments)
        self.query_one("#card-last", LiveText).show(text.last_update)
        self.call_after_refresh(self._one_size)

    def _one_size(self) -> None:
        """Draw the large digits of both timers at the same scale."""
        digits = [d for d in self.query(BigDigits) if d.display and d.value]
        cap = min((d.fit for d in digits), default=None)
        for d in digits:
            d.cap = cap

    def _timer(self, selector: str, clock: Clock | None, label: tuple[Content, Content]) -> None:
        timer = self.query_one(selector, Vertical)
        self._mark(timer, clock)
        timer.query_one(".timer-label", LiveText).show(label[0])
        timer.query_one(".timer-due", LiveText).show(label[1])
        left = clock.remaining_s if clock is not None else None
        value = countdown(left) if left is not None else ""
        timer.query_one(Countdown).show(value)
        timer.query_one(BigDigits).show(value)

    @staticmethod
    def _mark(widget: Vertical, clock: Clock | None) -> None:
        """Exactly one state class: the clock's (none without a clock)."""
        for name in _CLASSES:
            widget.set_class(clock is not None and name == state_class(clock.state), name)
