"""The post-incident review editor of one escalation.

Text fields are edited in place; list fields (whys, contributing factors, what went well) one
item per line. `ctrl+s` saves what changed (and the timeline choices) as one `PirEdit`; a refused
save keeps everything typed. Gaps and blameless findings are checked live against the draft.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Label, Static, TextArea

from warroom.domain.blameless import check_pir
from warroom.domain.credits import credit_view
from warroom.domain.errors import CommandError, RightRequired
from warroom.domain.models import Event, IncidentState
from warroom.domain.pir import (
    corrective_actions,
    list_field,
    pir_gaps,
    text_field,
    timeline_candidates,
)
from warroom.domain.post_commands import (
    ActionAdd,
    ActionDone,
    CreditApprove,
    PirComplete,
    PirEdit,
    PostCommand,
)
from warroom.domain.rights import require_right
from warroom.domain.structs import replace
from warroom.store.base import StoreError
from warroom.tui import messages as m
from warroom.tui.app import war_app
from warroom.tui.screens.pir_signoff import PirSignOff
from warroom.tui.widgets.keybar import KeyBar
from warroom.tui.widgets.post_parts import (
    PirActionsTable,
    PirTimelineTable,
    check_content,
    credit_content,
    pir_head,
)

TEXTS = [("summary", "Summary", 4), ("customer_impact", "Customer impact", 4),
         ("root_cause", "Root cause", 4)]
LISTS = [("whys", "5 Whys — one why per line, at least three", 7),
         ("contributing_factors", "Contributing factors — one per line", 5),
         ("went_well", "What went well — one per line", 5)]


FIELD_NAMES = {name for name, _, _ in TEXTS + LISTS}


def field_named(exc: Exception) -> str | None:
    """The PIR field an error is about (`fields.whys[1]` → `whys`), or None."""
    where = str(getattr(exc, "field", "")).removeprefix("fields.")
    name = where.split("[", 1)[0].split(".", 1)[0]
    return name if name in FIELD_NAMES else None


@dataclass
class PirEventsLoaded(Message):
    events: list[Event]


@dataclass
class PirOutcome(Message, bubble=False):
    outcome: m.CommandSucceeded | m.CommandRefused


class PirScreen(PirSignOff, Screen[None]):
    """Fields, live checks, corrective actions, timeline selection and the credit; signing
    off (`PirSignOff`)."""

    BINDINGS = [
        Binding("escape", "back", "Back", key_display="esc"),
        Binding("ctrl+s", "save", "Save"),
        Binding("ctrl+n", "add_action", "New action"),
        Binding("ctrl+o", "complete", "Complete"),
        Binding("ctrl+r", "approve_credit", "Approve credit"),
        *PirSignOff.SIGN_OFF_BINDINGS,
    ]
    DEFAULT_CSS = """
    #pir-head { height: 2; padding: 0 1; background: $panel; }
    #pir-body { height: 1fr; padding: 0 1; }
    #pir-check, #pir-credit { height: auto; margin-bottom: 1; }
    #pir-status { height: 1; padding: 0 1; }
    .pir-label { margin-top: 1; text-style: bold; color: $accent; }
    #pir-body TextArea { height: auto; min-height: 3; max-height: 8; }
    #pir-body DataTable { height: auto; max-height: 12; }
    .pir-error { color: $sla-breached; text-style: bold; height: auto; }
    .pir-error.-empty { display: none; }
    """

    def __init__(self, incident_id: str) -> None:
        super().__init__()
        self.incident_id = incident_id
        self.events: list[Event] = []
        self.pending: dict[int, bool] = {}
        """Unsaved timeline choices: seq → include."""
        self._seen: IncidentState | None = None
        self._warned = False

    @property
    def state(self) -> IncidentState:
        return war_app(self).states[self.incident_id]

    def compose(self) -> ComposeResult:
        yield Static("", id="pir-head")
        with VerticalScroll(id="pir-body"):
            yield Static("", id="pir-check")
            state = self.state
            for name, label, _ in TEXTS + LISTS:
                yield Label(label, classes="pir-label")
                text = text_field(state, name) if (name, label, _) in TEXTS \
                    else "\n".join(list_field(state, name))
                yield TextArea(text, id=f"pir-{name}", soft_wrap=True, tab_behavior="focus",
                               show_line_numbers=name == "whys")
                yield Static("", id=f"pir-error-{name}", classes="pir-error -empty")
            yield Label("Corrective actions — ctrl+n adds one; d marks the selected one done",
                        classes="pir-label")
            yield PirActionsTable(id="pir-actions", cursor_type="row")
            yield Label("Timeline — space includes or excludes an event (saved with ctrl+s)",
                        classes="pir-label")
            yield PirTimelineTable(id="pir-timeline", cursor_type="row")
            yield Static("", id="pir-credit")
        yield Static("", id="pir-status")
        yield KeyBar()

    def on_mount(self) -> None:
        if self.app.is_headless:
            for area in self.query(TextArea):
                area.cursor_blink = False
        self.watch(self.app, "states", self._state_changed)
        self.watch(self.app, "now", self._tick, init=False)
        self.query_one("#pir-root_cause", TextArea).focus()

    # -- data --

    def _state_changed(self, *_: object) -> None:
        state = war_app(self).states.get(self.incident_id)
        if state is None or state is self._seen:
            return
        self._seen = state
        self._load_events()
        self._redraw()

    @work(thread=True, group="pir-events", exclusive=True, exit_on_error=False)
    def _load_events(self) -> None:
        try:
            events = war_app(self).service.store.read(0, incident_id=self.incident_id)
        except (StoreError, OSError):
            return
        self.post_message(PirEventsLoaded(events))

    @on(PirEventsLoaded)
    def _events_loaded(self, message: PirEventsLoaded) -> None:
        self.events = message.events
        self._redraw()

    def _tick(self, *_: object) -> None:
        self._draw_head()
        self._draw_credit()

    def _redraw(self) -> None:
        now = war_app(self).now
        self._draw_head()
        self._draw_check()
        self.query_one(PirActionsTable).fill(corrective_actions(self.state, now), now)
        self.query_one(PirTimelineTable).fill(
            timeline_candidates(self.state, self.events), self.pending, now)
        self._draw_credit()

    def _draw_head(self) -> None:
        war = war_app(self)
        self.query_one("#pir-head", Static).update(pir_head(self.state, war.policy, war.now))

    def _draw_credit(self) -> None:
        view = credit_view(self.state, war_app(self).policy, war_app(self).now)
        self.query_one("#pir-credit", Static).update(
            credit_content(view, self.state.resolved_at is not None))

    def _draw_check(self) -> None:
        draft = self.draft_state()
        self.query_one("#pir-check", Static).update(
            check_content(pir_gaps(draft), check_pir(draft, self.events)))

    @on(TextArea.Changed)
    def _typed(self, event: TextArea.Changed) -> None:
        self._warned = False
        self._draw_check()
        name = (event.text_area.id or "").removeprefix("pir-")
        if name in FIELD_NAMES:
            self._recheck(name)

    # -- errors beside their field --

    def _show(self, name: str, text: str) -> None:
        error = self.query_one(f"#pir-error-{name}", Static)
        error.update(Content(f"✖ {text}") if text else Content(""))
        error.set_class(not text, "-empty")

    def _recheck(self, name: str) -> None:
        """After field `name` changed: keep its error only while the draft still has one there
        (the service checks again on save)."""
        if self.query_one(f"#pir-error-{name}", Static).has_class("-empty"):
            return
        try:
            self.edit_command()
        except CommandError as exc:
            if field_named(exc) == name:
                self._show(name, str(exc))
                return
        self._show(name, "")

    # -- the draft --

    def draft_fields(self) -> dict[str, Any]:
        """What the form holds, by PIR field."""
        out: dict[str, Any] = {}
        for name, _, _ in TEXTS:
            out[name] = self.query_one(f"#pir-{name}", TextArea).text.strip()
        for name, _, _ in LISTS:
            text = self.query_one(f"#pir-{name}", TextArea).text
            out[name] = [line.strip() for line in text.splitlines() if line.strip()]
        return out

    def draft_state(self) -> IncidentState:
        return replace(self.state, pir={**self.state.pir, **self.draft_fields()})

    def edit_command(self) -> PirEdit | None:
        """The `PirEdit` for what changed (None: nothing did).

        Raises:
            InvalidInput: a field the PIR model refuses (e.g. too long), named by its location.
        """
        state = self.state
        changed: Any = {k: v for k, v in self.draft_fields().items()
                   if v != (text_field(state, k) if isinstance(v, str) else list_field(state, k))}
        include = sorted(s for s, inc in self.pending.items() if inc)
        exclude = sorted(s for s, inc in self.pending.items() if not inc)
        if not (changed or include or exclude):
            return None
        return PirEdit(incident_id=self.incident_id, fields=changed,
                       timeline_include=include, timeline_exclude=exclude)

    # -- commands --

    def _run(self, *commands: PostCommand) -> None:
        self.query_one("#pir-status", Static).update("working…")
        war = war_app(self)
        war.run_serially(partial(self._execute, [war.issued(c) for c in commands]))

    def _execute(self, commands: list[PostCommand]) -> None:
        """In the command worker, in turn: each command until one is refused."""
        for command in commands:
            outcome = war_app(self).execute_now(command, shown=True)
            self.post_message(PirOutcome(outcome))
            if isinstance(outcome, m.CommandRefused):
                return

    @on(PirOutcome)
    def _outcome(self, message: PirOutcome) -> None:
        outcome = message.outcome
        status = self.query_one("#pir-status", Static)
        name = type(outcome.command).__name__
        if isinstance(outcome, m.CommandRefused):
            status.update(Content.styled(f"✖ {name} refused (your text is kept): "
                                         f"{outcome.text}", "bold $sla-breached"))
            self._beside(outcome.error)
            return
        if isinstance(outcome.command, PirEdit):
            self.pending.clear()
            for field in FIELD_NAMES:
                self._show(field, "")
        status.update(Content.styled(f"✔ {name} done", "$sla-ok"))
        self._seen = None
        self._state_changed()

    def _refuse(self, exc: CommandError) -> None:
        """Say what is wrong; everything typed stays."""
        self.query_one("#pir-status", Static).update(Content.styled(
            f"✖ not saved (your text is kept): {exc}", "bold $sla-breached"))
        self._beside(exc)

    def _beside(self, exc: Exception) -> None:
        """Show an error naming a PIR field beside it too, and focus that field."""
        name = field_named(exc)
        if name is not None:
            self._show(name, str(exc))
            self.query_one(f"#pir-{name}", TextArea).focus()

    def action_save(self) -> None:
        """Save the changed fields and timeline choices."""
        try:
            command = self.edit_command()
        except CommandError as exc:
            self._refuse(exc)
            return
        if command is None:
            self.notify("Nothing to save", timeout=3, markup=False)
            return
        self._run(command)

    def action_complete(self) -> None:
        """Save, then mark the PIR complete (refused with the gaps while incomplete)."""
        try:
            edit = self.edit_command()
        except CommandError as exc:
            self._refuse(exc)
            return
        complete = PirComplete(incident_id=self.incident_id)
        self._run(*([edit, complete] if edit is not None else [complete]))

    def action_add_action(self) -> None:
        """Add a corrective action with an owner and a due date."""
        from warroom.tui.screens.form import Field, FormScreen, field_time

        war = war_app(self)
        war.ask(FormScreen(f"Corrective action on {self.incident_id}", [
            Field("title", "Action", placeholder="e.g. release the connection before backing off"),
            Field("owner", "Owner", war.user),
            Field("due", "Due", "+7d", hint="+7d, 2h, 16:30 (UTC) or ISO 8601"),
        ], lambda v: ActionAdd(incident_id=self.incident_id, title=v["title"],
                               owner=v["owner"] or None,
                               due_at=field_time("due", v["due"], war.clock())
                               if v["due"] else None)))

    @on(PirActionsTable.DoneRequested)
    def _action_done(self, message: PirActionsTable.DoneRequested) -> None:
        war_app(self).submit(ActionDone(incident_id=self.incident_id,
                                        action_id=message.action_id))

    @on(PirTimelineTable.Toggled)
    def _toggled(self, message: PirTimelineTable.Toggled) -> None:
        stored = dict((e.seq, inc) for e, inc in timeline_candidates(self.state, self.events))
        want = not self.pending.get(message.seq, stored.get(message.seq, False))
        if want == stored.get(message.seq):
            self.pending.pop(message.seq, None)
        else:
            self.pending[message.seq] = want
        self.query_one(PirTimelineTable).fill(
            timeline_candidates(self.state, self.events), self.pending, war_app(self).now)

    def _unsaved(self) -> bool:
        try:
            return self.edit_command() is not None
        except CommandError:
            return True

    def action_approve_credit(self) -> None:
        """Approve the suggested service credit (right approve_credit)."""
        war = war_app(self)
        try:
            require_right(self.state, war.policy, war.user, "approve_credit")
        except RightRequired as exc:
            self._refuse_key(str(exc))
            return
        war.submit(CreditApprove(incident_id=self.incident_id))

    def action_back(self) -> None:
        """Back to the main screen (twice, to leave unsaved changes behind)."""
        if self._unsaved() and not self._warned:
            self._warned = True
            self.notify("Unsaved PIR changes: ctrl+s saves; esc again leaves without saving",
                        severity="warning", timeout=6, markup=False)
            return
        self.dismiss(None)
