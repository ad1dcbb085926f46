"""After the crisis, from the main screen: the PIR editor, corrective actions across escalations,
the trend report, and recording that a recurring pattern reached product and ops.

The screens are imported only when opened. Flags due are counted in a worker (it reads the log's
`pattern_flagged` events) after the first frame and whenever the store changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.binding import Binding
from textual.message import Message

from warroom.store.base import StoreError

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from warroom.tui.app import WarRoomApp
    from warroom.tui.view import Board

POST_BINDINGS = [
    Binding("P", "pir", "PIR", key_display="P"),
    Binding("A", "corrective_actions", "Actions", key_display="A"),
    Binding("T", "trends", "Trends", key_display="T"),
    Binding("F", "flag_pattern", "Flag", key_display="F"),
]
POST_TITLES = {
    "pir": "Post-incident review (PIR editor)",
    "corrective_actions": "Corrective actions across escalations",
    "trends": "Trend report (charts)",
    "flag_pattern": "Flag a recurring pattern to product and ops",
}
"""Command palette titles of the post-incident actions."""


@dataclass
class FlagsCounted(Message):
    """The recurring-pattern flags still due (worker → main screen)."""

    flags: list[dict[str, Any]]


def parse_recipients(text: str) -> list[str]:
    """`product, ops` → ['product', 'ops']."""
    return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]


class PostActions:
    """Mixin for the main screen (before `IncidentActions` in the bases)."""

    board: Board | None
    flags_due: list[dict[str, Any]] = []
    if TYPE_CHECKING:
        flags: str

        def refresh_bindings(self) -> None: ...

    @property
    def _post_app(self) -> WarRoomApp:
        from warroom.tui.app import war_app

        return war_app(cast("DOMNode", self))

    def why_not(self, action: str) -> str | None:
        """Why `action` is unavailable now (None when it is available or unknown)."""
        if action == "flag_pattern":
            return "no recurring pattern is due to flag"
        result: str | None = cast(Any, super()).why_not(action)
        return result

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "flag_pattern":
            return bool(self.flags_due)
        if action == "pir":
            return self.board is not None
        result: bool | None = cast(Any, super()).check_action(action, parameters)
        return result

    # -- flags --

    def start_flag_count(self) -> None:
        """Count flags now and whenever the store changes."""
        node = cast("DOMNode", self)
        node.watch(node.app, "states", self._recount, init=False)
        self.count_flags()

    def _recount(self, *_: object) -> None:
        self.count_flags()

    @work(thread=True, group="flags", exclusive=True, exit_on_error=False)
    def count_flags(self) -> None:
        war = self._post_app
        try:
            flags = war.flag_tracker.flags(war.states, war.clock())
        except (StoreError, OSError):
            return
        cast("DOMNode", self).post_message(FlagsCounted(flags))

    def on_flags_counted(self, message: FlagsCounted) -> None:
        from warroom.tui.flags import flags_badge

        had = bool(self.flags_due)
        self.flags_due = message.flags
        self.flags = flags_badge(message.flags)
        if had != bool(message.flags):
            self.refresh_bindings()

    # -- actions --

    def action_pir(self) -> None:
        """The post-incident review of the shown escalation."""
        if self.board is None:
            return
        from warroom.tui.screens.pir import PirScreen

        self._post_app.push_screen(PirScreen(self.board.state.id))

    def action_corrective_actions(self) -> None:
        """Corrective actions across escalations, overdue first."""
        from warroom.tui.screens.corrective_actions import CorrectiveActionsScreen

        self._post_app.push_screen(CorrectiveActionsScreen())

    def action_trends(self) -> None:
        """The trend report with charts."""
        from warroom.tui.screens.trends import TrendsScreen

        self._post_app.push_screen(TrendsScreen())

    def action_flag_pattern(self) -> None:
        """Record that a recurring pattern reached product and ops."""
        ask_flag(self._post_app, self.flags_due,
                 self.board.state.id if self.board is not None else None)


def ask_flag(war: WarRoomApp, flags: list[dict[str, Any]], prefer: str | None = None) -> None:
    """A form: which pattern, reached whom; submits `FlagPattern`."""
    from warroom.domain.post_commands import FlagPattern
    from warroom.tui.screens.form import Field, FormScreen

    keys = list(dict.fromkeys(str(f["key"]) for f in flags))
    if not keys:
        war.notify("No recurring pattern is due to be flagged", markup=False)
        return
    first = next((str(f["key"]) for f in flags if prefer in cast(list[str], f["occurrences"])),
                 keys[0]) if prefer else keys[0]
    due = {str(f["key"]): str(f["flag_due"])[:16].replace("T", " ") for f in flags}
    war.ask(FormScreen("Flag a recurring pattern", [
        Field("pattern", "Pattern", first, kind="choice",
              choices=[(f"{k} (due {due[k]} UTC)", k) for k in keys]),
        Field("to", "Reached", "product, ops", hint="who it reached, comma-separated"),
    ], lambda v: FlagPattern(pattern=v["pattern"], to=parse_recipients(v["to"])),
        submit_label="Flag"))
