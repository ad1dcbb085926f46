"""Every action on the shown escalation, by key and by the command palette.

Each action checks the decision right first (so nobody types a note only to be refused), then
asks for what it needs in a small form and hands the command to the app, which runs it in a
worker. The service checks everything again: a refusal there is shown the same way. The
command models (pydantic) are imported by the actions, never before the first frame.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

from textual.binding import Binding

from warroom.domain.errors import RightRequired
from warroom.domain.models import Phase, Severity
from warroom.domain.rights import require_right
from warroom.tui.view import Board, dual, ordered_commitments

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from warroom.domain.commands import AnyCommand
    from warroom.tui.app import WarRoomApp
    from warroom.tui.screens.form import Field

OPEN_PHASES = (Phase.INVESTIGATING, Phase.IDENTIFIED, Phase.MONITORING)
PALETTE_TITLES = {
    "post_update": "Post a status update", "add_note": "Add a timeline note",
    "make_commitment": "Make a commitment", "meet_commitment": "Meet (or miss) a commitment",
    "renegotiate": "Renegotiate a commitment", "assign_role": "Assign a role",
    "triage": "Triage: impact and severity", "change_severity": "Change severity",
    "pause_clock": "Pause the resolution clock", "resume_clock": "Resume the resolution clock",
    "record_decision": "Record a decision", "change_phase": "Change phase",
    "resolve": "Resolve the escalation", "close_escalation": "Close the escalation",
    "escalations": "Open the escalation list", "intake": "New escalation (intake)",
    "guide": "Help: facilitation guide and keys",
    "take": "Take it: become the commander of an unowned escalation",
}
"""Command palette titles (the key bar uses the short binding descriptions)."""
_NEEDS_OPEN = {"triage", "change_severity", "pause_clock", "resume_clock", "resolve",
               "change_phase", "make_commitment"}


class IncidentActions:
    """Mixin for the main screen: actions on `self.board.state`."""

    ACTION_BINDINGS = [
        Binding("u", "post_update", "Update"),
        Binding("n", "add_note", "Note"),
        Binding("c", "make_commitment", "Commit"),
        Binding("m", "meet_commitment", "Meet"),
        Binding("g", "renegotiate", "Renegotiate"),
        Binding("a", "assign_role", "Assign"),
        Binding("t", "triage", "Triage"),
        Binding("s", "change_severity", "Severity"),
        Binding("p", "pause_clock", "Pause"),
        Binding("p", "resume_clock", "Resume"),
        Binding("d", "record_decision", "Decide"),
        Binding("h", "change_phase", "Phase"),
        Binding("R", "resolve", "Resolve", key_display="R"),
        Binding("X", "close_escalation", "Close", key_display="X"),
        Binding("o", "take", "Take it"),
    ]

    board: Board | None
    if TYPE_CHECKING:
        def notify(self, message: str, *, title: str = "", severity: Any = "information",
                   timeout: float | None = None, markup: bool = True) -> None: ...

    # -- availability (drives the footer) --

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide actions that make no sense for the shown escalation right now."""
        names = {b.action for b in IncidentActions.ACTION_BINDINGS}
        if action not in names:
            return True
        board = self.board
        if board is None or self._war.wall:
            return False
        state = board.state
        if state.closed_at is not None:
            return False
        if action in _NEEDS_OPEN and state.resolved_at is not None:
            return False
        rules = {
            "triage": not state.triaged,
            "change_severity": state.triaged,
            "pause_clock": not state.paused,
            "resume_clock": state.paused,
            "close_escalation": state.resolved_at is not None,
            "meet_commitment": bool(state.open_commitments()),
            "renegotiate": bool(state.open_commitments()),
            "take": not state.roles.get("incident_commander"),
        }
        return rules.get(action, True)

    def why_not(self, action: str) -> str | None:
        """Why `action` is unavailable now, in words (None when it is available or unknown)."""
        board = self.board
        if board is None:
            return "no escalation is shown"
        state = board.state
        if self._war.wall:
            return "the wallboard is read-only"
        if state.closed_at is not None:
            return f"{state.id} is closed"
        if action in _NEEDS_OPEN and state.resolved_at is not None:
            return f"{state.id} is resolved"
        reasons = {
            "triage": f"{state.id} is already triaged; change its severity with s",
            "change_severity": f"{state.id} is not triaged yet; triage it with t",
            "close_escalation": f"{state.id} is not resolved yet; resolve it with R first",
            "meet_commitment": f"{state.id} has no open commitment",
            "renegotiate": f"{state.id} has no open commitment",
            "take": f"{state.id} already has a commander "
                    f"({state.roles.get('incident_commander')})",
        }
        return reasons.get(action)

    # -- helpers --

    @property
    def _war(self) -> WarRoomApp:
        from warroom.tui.app import war_app

        return war_app(cast("DOMNode", self))

    def _allowed(self, right: str) -> bool:
        """Check the user holds `right`; otherwise say who does."""
        assert self.board is not None
        try:
            require_right(self.board.state, self.board.policy, self._war.user, right)
        except RightRequired as exc:
            self.notify(str(exc), title="Refused", severity="error", timeout=8, markup=False)
            return False
        return True

    def _form(self, title: str, fields: Sequence[Field],
              build: Callable[[dict[str, Any]], AnyCommand], **kwargs: Any) -> None:
        from warroom.tui.screens.form import FormScreen

        self._war.ask(FormScreen(title, fields, build, **kwargs))

    def _when(self, text: str, field: str) -> Any:
        from warroom.tui.screens.form import field_time

        return field_time(field, text, self._war.clock())

    @property
    def _esc_id(self) -> str:
        assert self.board is not None
        return self.board.state.id

    def _commitment_field(self) -> Field | None:
        """A choice of the shown escalation's commitments, in board order (None: it has
        none)."""
        from warroom.tui.screens.form import Field

        assert self.board is not None
        board = self.board
        choices = [(f"{p.id} {p.text[:40]} (due {dual(p.due_at, None, now=board.now)})", p.id)
                   for p in ordered_commitments(board.state, board.now)]
        if not choices:
            return None
        return Field("id", "Commitment", choices[0][1], kind="choice", choices=choices,
                     aliases=("commitment_id",))

    # -- actions --

    def action_post_update(self) -> None:
        """Open the status-update composer."""
        if self.board is None:
            return
        from warroom.tui.screens.composer import ComposerScreen

        self._war.push_screen(ComposerScreen(self.board))

    def action_add_note(self) -> None:
        """Add a timeline note."""
        from warroom.domain import commands as c
        from warroom.tui.screens.form import Field

        if self.board and self._allowed("add_note"):
            self._form(f"Note on {self._esc_id}",
                       [Field("text", "Note", placeholder="what happened")],
                       lambda v: c.Note(incident_id=self._esc_id, text=v["text"]))

    def action_make_commitment(self) -> None:
        """Promise the customer something by a due time."""
        from warroom.domain import commands as c
        from warroom.tui.screens.form import Field

        if self.board and self._allowed("make_commitment"):
            self._form(f"Commitment on {self._esc_id}", [
                Field("text", "What we promise", placeholder="e.g. share the RCA draft"),
                Field("due", "Due", "+1h", hint="+30m, 2h, 16:30 (UTC) or ISO 8601"),
                Field("owner", "Owner", self._war.user),
            ], lambda v: c.MakeCommitment(incident_id=self._esc_id, text=v["text"],
                                          due_at=self._when(v["due"], "due"),
                                          owner=v["owner"] or None))

    def action_meet_commitment(self) -> None:
        """Mark a commitment met (or missed)."""
        from warroom.domain import commands as c
        from warroom.tui.screens.form import Field

        commitment = self._commitment_field()
        if commitment is None:
            return
        self._form(f"Meet a commitment on {self._esc_id}", [
            commitment,
            Field("outcome", "Outcome", "met", kind="choice",
                  choices=[("met", "met"), ("missed", "missed")]),
        ], lambda v: c.ResolveCommitment(incident_id=self._esc_id, commitment_id=v["id"],
                                         outcome=v["outcome"]))

    def action_renegotiate(self) -> None:
        """Move a commitment's due time, with the customer's agreement."""
        from warroom.domain import commands as c
        from warroom.tui.screens.form import Field

        commitment = self._commitment_field()
        if commitment is None:
            return
        self._form(f"Renegotiate a commitment on {self._esc_id}", [
            commitment,
            Field("due", "New due time", "+1h", hint="+30m, 2h, 16:30 (UTC) or ISO 8601"),
            Field("reason", "Customer's agreement", placeholder="who agreed, and how"),
        ], lambda v: c.ResolveCommitment(
            incident_id=self._esc_id, commitment_id=v["id"], outcome="renegotiate",
            due_at=self._when(v["due"], "due"), reason=v["reason"] or None))

    def action_assign_role(self) -> None:
        """Give a role to someone (empty: vacate)."""
        from warroom.domain import commands as c
        from warroom.tui.screens.form import Field

        if not (self.board and self._allowed("assign_roles")):
            return
        roles = list(self.board.policy.roles)
        vacant = [r for r in roles if not self.board.state.roles.get(r)]
        self._form(f"Assign a role on {self._esc_id}", [
            Field("role", "Role", (vacant or roles)[0], kind="choice",
                  choices=[(r, r) for r in roles]),
            Field("person", "Person", placeholder="name (empty to vacate)"),
        ], lambda v: c.Assign(incident_id=self._esc_id, role=v["role"], person=v["person"]))

    def action_triage(self) -> None:
        """Triage: the impact assessment and the suggested severity."""
        if self.board and self._allowed("set_severity"):
            from warroom.tui.screens.intake import IntakeScreen

            board = self.board
            self._war.ask(IntakeScreen(board.state, board.policy, self._war.clock()))

    def action_change_severity(self) -> None:
        """Change severity, with a reason."""
        from warroom.domain import commands as c
        from warroom.tui.screens.form import Field

        if not (self.board and self._allowed("set_severity")):
            return
        current = self.board.state.severity
        others = [s.value for s in Severity if s is not current]
        self._form(f"Change severity of {self._esc_id} (now {current.value})", [
            Field("severity", "Severity", others[0], kind="choice",
                  choices=[(s, s) for s in others]),
            Field("reason", "Reason"),
        ], lambda v: c.ChangeSeverity(incident_id=self._esc_id, severity=v["severity"],
                                      reason=v["reason"]))

    def action_pause_clock(self) -> None:
        """Pause the resolution clock (waiting on the customer)."""
        from warroom.domain import commands as c
        from warroom.tui.screens.form import Field

        if self.board and self._allowed("pause_clock"):
            self._form(f"Pause the resolution clock of {self._esc_id}", [
                Field("reason", "Waiting on the customer for", placeholder="e.g. log bundle"),
            ], lambda v: c.Pause(incident_id=self._esc_id, reason=v["reason"]),
                submit_label="Pause")

    def action_take(self) -> None:
        """Own an escalation nobody owns yet (opened by an alert): become its commander."""
        from warroom.domain import commands as c

        if self.board is not None:
            self._war.submit(c.Take(incident_id=self._esc_id))

    def action_resume_clock(self) -> None:
        """Resume the resolution clock."""
        from warroom.domain import commands as c

        if self.board and self._allowed("pause_clock"):
            self._war.submit(c.Resume(incident_id=self._esc_id))

    def action_record_decision(self) -> None:
        """Record a decision taken under a decision right."""
        from warroom.domain import commands as c
        from warroom.tui.screens.form import Field

        if self.board is None:
            return
        rights = list(self.board.policy.rights)
        self._form(f"Record a decision on {self._esc_id}", [
            Field("right", "Under the decision right", rights[0], kind="choice",
                  choices=[(r, r) for r in rights]),
            Field("text", "Decision"),
        ], lambda v: c.Decide(incident_id=self._esc_id, right=v["right"], text=v["text"]))

    def action_change_phase(self) -> None:
        """Move to investigating, identified or monitoring."""
        from warroom.domain import commands as c
        from warroom.tui.screens.form import Field

        if not (self.board and self._allowed("change_phase")):
            return
        others = [p.value for p in OPEN_PHASES if p is not self.board.state.phase]
        self._form(f"Change phase of {self._esc_id} (now {self.board.state.phase.value})", [
            Field("phase", "Phase", others[0], kind="choice", choices=[(p, p) for p in others]),
        ], lambda v: c.ChangePhase(incident_id=self._esc_id, phase=v["phase"]))

    def action_resolve(self) -> None:
        """Service restored: resolve, with a summary."""
        from warroom.domain import commands as c
        from warroom.tui.screens.form import Field

        if self.board and self._allowed("resolve"):
            self._form(f"Resolve {self._esc_id}", [Field("summary", "Resolution summary")],
                       lambda v: c.Resolve(incident_id=self._esc_id, summary=v["summary"]),
                       submit_label="Resolve")

    def action_close_escalation(self) -> None:
        """Close (needs no open commitments and, for P0/P1, a complete PIR)."""
        from warroom.domain import commands as c

        if self.board and self._allowed("close"):
            self._form(f"Close {self._esc_id}", [], lambda v: c.Close(incident_id=self._esc_id),
                       submit_label="Close", note="Closing is final. Open commitments and an "
                       "incomplete PIR (P0/P1) block it.")
