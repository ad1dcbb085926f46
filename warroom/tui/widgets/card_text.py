"""What a wallboard card says: every piece of its text, built from the board, and how many rows
each layout needs. Nothing here draws; the card (`warroom.tui.widgets.card`) shows it."""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content

from warroom.domain.models import Audience, Clock, ClockState, StatusUpdate
from warroom.domain.status import commitment_state
from warroom.domain.urgency import URGENT_STATES, clock_key
from warroom.tui.view import (
    CLOCK_TITLES,
    Board,
    badge,
    duration,
    hhmm,
    remaining_text,
)
from warroom.tui.widgets.clocks import STATE_STYLES
from warroom.tui.widgets.header import severity_badge


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
