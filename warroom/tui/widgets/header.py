"""The header: which escalation, how bad, who owns it, what time it is, and the store's state."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive

from warroom.tui.view import NO_ESCALATION, Board, dual
from warroom.tui.widgets.live_text import LiveText


def severity_badge(severity: str, triaged: bool) -> tuple[str, str]:
    """The badge text and style for a severity (`P0?` until triaged: held to P0 targets)."""
    text = f" {severity} " if triaged else f" {severity}? "
    return text, f"bold $sev-text on $sev-{severity.lower()}"


def connection_part(status: str) -> Content:
    """`● live` / `◌ connecting` / `✖ offline: why`, styled; then the outbox's badge
    (`⚠ 1 queued need attention`) when commands were refused or are stuck."""
    status, _, badge = status.partition(" ⚠ ")
    if status.split(" ")[0] in ("live", "connected"):
        part = Content.styled(f"● {status}", "$sla-ok")
    elif status.startswith("offline"):
        part = Content.styled(f"✖ {status}", "bold $sla-breached")
    else:
        part = Content.styled(f"◌ {status}", "$sla-at-risk")
    if badge:
        part = Content.assemble(part, " ", (f"⚠ {badge}", "bold $sla-breached"))
    return part


class IncidentHeader(LiveText):
    """Three lines: id, severity, customer, phase, age; title; who you are and your roles,
    commander, SPOC, clock, store."""

    DEFAULT_CSS = """
    IncidentHeader { height: 3; padding: 0 1; background: $panel; }
    """

    FIXED_SIZE = True

    board: reactive[Board | None] = reactive(None, init=False, repaint=False)
    connection: reactive[str] = reactive("connecting", init=False, repaint=False)
    read_only: reactive[bool] = reactive(False, init=False, repaint=False)
    flags: reactive[str] = reactive("", init=False, repaint=False)
    """Recurring-pattern flags due (`⚑ 1 pattern to flag`), '' when none."""
    undelivered: reactive[str] = reactive("", init=False, repaint=False)
    """Customer updates undelivered past 2 minutes (`✉ 1 customer update undelivered`)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("warroom", id=id)

    def watch_board(self) -> None:
        self._redraw()

    def watch_connection(self) -> None:
        self._redraw()

    def watch_flags(self) -> None:
        self._redraw()

    def watch_undelivered(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        board = self.board
        if board is None:
            self.show(Content.assemble(f"warroom · {NO_ESCALATION} (i: new escalation) · ",
                                        connection_part(self.connection)))
            return
        state = board.state
        strategic = " ★ strategic" if state.assessment.strategic else ""
        phase = state.phase.value.upper()
        paused = "  ⏸ PAUSED" if state.paused else ""
        roles = state.roles
        commander = roles.get("incident_commander") or "⚑ UNOWNED (o: take it)"
        spoc = roles.get("customer_spoc")
        line1 = Content.assemble(
            (state.id, "bold"), " ",
            severity_badge(state.severity.value, state.triaged), " ",
            (state.customer, "bold"), (strategic, "$accent"), "  ",
            (phase, "bold $primary"), (paused, "bold $sla-at-risk"),
            f"  age {board.age}",
        )
        line2 = Content.assemble((state.title, "italic"))
        if self.flags:
            line2 = Content.assemble((self.flags, "bold $sla-at-risk"), "  ", line2)
        if self.undelivered:
            line2 = Content.assemble((self.undelivered, "bold $sla-breached"), "  ", line2)
        user = str(getattr(self.app, "user", ""))
        mine = [board.policy.roles[r].title.lower() if r in board.policy.roles else r
                for r, person in roles.items() if person == user]
        parts: list[Content | tuple[str, str] | str] = [
            "you: ", (user, "bold"), f" · {', '.join(mine) or 'no role'}"]
        if roles.get("incident_commander") != user:
            parts += [" · IC ", (commander, "bold" if roles.get("incident_commander")
                                 else "bold $role-vacant")]
        if spoc != user:
            parts += [" · SPOC ", (spoc or "⚠ VACANT", "bold" if spoc else "bold $role-vacant")]
        tz = board.tz if self.size.width >= 110 else None
        line3 = Content.assemble(
            *parts, " · ", (dual(board.now, tz, seconds=self.size.width >= 100), "$text-muted"),
            " · ",
            connection_part(self.connection),
            (" · read-only" if self.read_only else "", "$text-muted"),
        )
        self.show(Content("\n").join([line1, line2, line3]))

