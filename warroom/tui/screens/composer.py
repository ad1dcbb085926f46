"""The status-update composer: audience, template, editable text, live preview, promised next
update, posted with one key. The draft is saved to the store on every change (debounced), so it
survives a refused post, a crash and a restart; it is discarded only when posted or on request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, Label, Select, Static, TextArea

from warroom.domain.commands import PostUpdate
from warroom.domain.errors import CommandError
from warroom.domain.models import Audience, IncidentState
from warroom.domain.next_update import after_posting
from warroom.domain.templates import context_for, render, select
from warroom.domain.timeparse import TimeParseError
from warroom.tui import messages as m
from warroom.tui.app import WarRoomApp, war_app
from warroom.tui.view import Board, dual, parse_when

SAVE_DELAY_S = 0.4
"""Debounce for saving the draft after a change."""
NO_TEMPLATE = "(none)"
NEXT_UPDATE_FIELDS = ("next_update", "next_update_at")
"""How refusals name the promised next-update time."""


@dataclass(frozen=True)
class DraftSlot:
    """Where one person's draft of one escalation is kept. Bound in the UI thread: a worker
    that runs after its screen has closed (and so has no app to ask) still reaches the store."""

    store: Any
    incident_id: str
    person: str
    clock: Callable[[], datetime]

    def save(self, body: dict[str, Any]) -> None:
        self.store.save_draft(self.incident_id, self.person, body, self.clock())

    def discard(self) -> None:
        self.store.discard_draft(self.incident_id, self.person)


class ComposerScreen(ModalScreen[None]):
    """Write and post a status update for the board's escalation."""

    BINDINGS = [
        Binding("ctrl+s", "post", "Post update"),
        Binding("escape", "close", "Close (keep draft)"),
        Binding("ctrl+g", "discard", "Discard draft"),
    ]
    DEFAULT_CSS = """
    ComposerScreen { align: center middle; }
    #composer {
        width: 100%; max-width: 160; height: 100%; max-height: 48;
        border: thick $primary; border-title-style: bold; background: $surface; padding: 0 1;
    }
    #composer .row { height: 1; }
    #composer .row.-first { margin-top: 1; }
    .inline-label { width: auto; padding: 0 1 0 0; }
    #audience { width: 14; margin-right: 2; }
    #template { width: 1fr; }
    #next-at { width: 18; margin-right: 1; }
    #next-resolved { width: 1fr; color: $text-muted; }
    #compose-body { height: 1fr; margin-top: 1; }
    #editor { width: 1fr; height: 1fr; }
    #preview-box { width: 1fr; height: 1fr; border: round $secondary; padding: 0 1; }
    #compose-body.-narrow { layout: vertical; }
    #preview.-error { color: $sla-breached; text-style: bold; }
    #composer-status { height: auto; color: $text-muted; }
    """

    def __init__(self, board: Board) -> None:
        super().__init__(classes="composer-screen")
        self.state: IncidentState = board.state
        self.board = board
        self._timer: Timer | None = None
        self._lock = threading.Lock()
        self._posted = False
        self._discard_asked = False
        self._ready = False
        self._next_refused: tuple[str, str] | None = None
        """The promised time the service refused, and why (shown beside it until changed)."""

    # -- layout --

    def compose(self) -> ComposeResult:
        state = self.state
        with Vertical(id="composer") as box:
            box.border_title = f"Status update · {state.id} · {state.severity.value} · " \
                               f"{state.customer} · {state.phase.value}"
            with Horizontal(classes="row -first"):
                yield Label("Audience", classes="inline-label")
                yield Select([(a.value, a.value) for a in Audience], value=Audience.CUSTOMER.value,
                             allow_blank=False, id="audience", compact=True)
                yield Label("Template", classes="inline-label")
                yield Select([(NO_TEMPLATE, NO_TEMPLATE)], value=NO_TEMPLATE, allow_blank=False,
                             id="template", compact=True)
            with Horizontal(classes="row"):
                yield Label("Next update by", classes="inline-label")
                yield Input("", placeholder="+30m, 16:30 or ISO", id="next-at", compact=True)
                yield Static("", id="next-resolved")
            with Horizontal(id="compose-body"):
                editor = TextArea("", id="editor", soft_wrap=True)
                editor.border_title = "Text ({placeholders} are filled in)"
                if self.app.is_headless:
                    editor.cursor_blink = False
                yield editor
                with VerticalScroll(id="preview-box") as preview_box:
                    preview_box.border_title = "Preview"
                    yield Static("", id="preview")
            yield Static("loading draft…", id="composer-status")

    def on_mount(self) -> None:
        if self.app.is_headless:
            self.query_one("#next-at", Input).cursor_blink = False
        self._load_draft(self._slot())

    def on_resize(self, event: Resize) -> None:
        self.query_one("#compose-body").set_class(event.size.width < 100, "-narrow")

    # -- draft storage (workers) --

    def _slot(self) -> DraftSlot:
        """This composer's draft slot (call in the UI thread, while the screen is open)."""
        war = war_app(self)
        return DraftSlot(war.service.store, self.state.id, war.user, war.clock)

    @work(thread=True, group="draft", exit_on_error=False)
    def _load_draft(self, slot: DraftSlot) -> None:
        self.post_message(m.DraftLoaded(slot.store.load_draft(slot.incident_id, slot.person)))

    def _save_now(self, slot: DraftSlot, body: dict[str, Any]) -> None:
        with self._lock:
            if not self._posted:
                slot.save(body)

    @on(m.DraftLoaded)
    def _draft_loaded(self, message: m.DraftLoaded) -> None:
        body = message.draft.body if message.draft is not None else {}
        audience = body.get("audience") or Audience.CUSTOMER.value
        with self.prevent(Select.Changed, Input.Changed, TextArea.Changed):
            self.query_one("#audience", Select).value = audience
            self._set_templates(audience, body.get("template"))
            template = self._template_value()
            text = body.get("text")
            self.query_one("#editor", TextArea).text = (
                text if text is not None else self._template_body(template))
            self.query_one("#next-at", Input).value = body.get(
                "next_update", self._default_next(audience))
        self._ready = True
        status = f"draft restored (saved {message.draft.saved_at[11:19]} UTC)" \
            if message.draft is not None else "new draft"
        self._status(status)
        self._refresh_preview()
        self.query_one("#editor", TextArea).focus()

    def _draft_body(self) -> dict[str, Any]:
        return {
            "audience": self.query_one("#audience", Select).value,
            "template": self._template_value(),
            "text": self.query_one("#editor", TextArea).text,
            "next_update": self.query_one("#next-at", Input).value,
        }

    def _changed(self) -> None:
        if not self._ready:
            return
        self._refresh_preview()
        if self._timer is None:
            self._timer = self.set_timer(SAVE_DELAY_S, self._flush)
        else:
            self._timer.reset()

    def _flush(self) -> None:
        self._timer = None
        save = partial(self._save_now, self._slot(), self._draft_body())
        self.app.run_worker(save, thread=True, group="draft", exit_on_error=False)
        if not self._discard_asked:  # the question stays on screen until answered or edited
            self._status(f"draft saved {war_app(self).clock():%H:%M:%S} UTC")

    # -- templates and preview --

    def _templates(self, audience: str) -> list[str]:
        state = self.state
        found = select(war_app(self).policy.templates, state.severity,
                       Audience(audience), state.phase)
        return [t.name for t in found]

    def _set_templates(self, audience: str, wanted: str | None = None) -> None:
        names = self._templates(audience)
        options = [(n, n) for n in names] + [(NO_TEMPLATE, NO_TEMPLATE)]
        widget = self.query_one("#template", Select)
        widget.set_options(options)
        widget.value = wanted if wanted in names or wanted == NO_TEMPLATE else options[0][1]

    def _template_value(self) -> str | None:
        value = self.query_one("#template", Select).value
        return None if value in (NO_TEMPLATE, Select.BLANK) else str(value)

    def _template_body(self, name: str | None) -> str:
        for template in war_app(self).policy.templates:
            if template.name == name:
                return template.body.strip()
        return ""

    def _default_next(self, audience: str) -> str:
        if audience != Audience.CUSTOMER.value:
            return ""
        now = war_app(self).clock()
        due = after_posting(self.state, war_app(self).policy, now, None)
        if due is None:  # the final update after resolution promises nothing more
            return ""
        return f"+{int((due - now).total_seconds() // 60)}m"

    def _next_update(self) -> datetime | None:
        text = self.query_one("#next-at", Input).value.strip()
        return parse_when(text, war_app(self).clock()) if text else None

    def _rendered(self) -> str:
        now = war_app(self).clock()
        context = context_for(self.state, war_app(self).policy, now,
                              self._next_update(), Audience(self._audience()))
        return render(self.query_one("#editor", TextArea).text, context).strip()

    def _refresh_preview(self) -> None:
        resolved = self.query_one("#next-resolved", Static)
        refused = self._next_refused
        try:
            if refused is not None and refused[0] == self.query_one("#next-at", Input).value:
                resolved.update(Content(f"✖ {refused[1]}"))  # until the time is changed
            else:
                self._next_refused = None
                when = self._next_update()
                note = " (becomes a commitment)" if self._audience() == "customer" else ""
                resolved.update(Content(
                    f"→ {dual(when, self.board.tz, now=self.board.now)}{note}" if when
                    else "→ none"))
        except TimeParseError as exc:
            resolved.update(Content(f"✖ {exc}"))
        preview = self.query_one("#preview", Static)
        try:
            preview.update(Content(self._rendered() or "(empty)"))
            preview.remove_class("-error")
        except (CommandError, TimeParseError) as exc:
            preview.update(Content(f"✖ {exc}"))
            preview.add_class("-error")

    def _audience(self) -> str:
        return str(self.query_one("#audience", Select).value)

    def _status(self, text: str) -> None:
        self.query_one("#composer-status", Static).update(
            Content(f"{text} · ctrl+s post · esc close (draft kept) · ctrl+g discard"))

    # -- events --

    @on(Select.Changed, "#audience")
    def _audience_changed(self, event: Select.Changed) -> None:
        with self.prevent(Select.Changed, Input.Changed, TextArea.Changed):
            self._set_templates(str(event.value))
            self.query_one("#editor", TextArea).text = self._template_body(self._template_value())
            self.query_one("#next-at", Input).value = self._default_next(str(event.value))
        self._changed()

    @on(Select.Changed, "#template")
    def _template_changed(self, event: Select.Changed) -> None:
        with self.prevent(TextArea.Changed):
            self.query_one("#editor", TextArea).text = self._template_body(self._template_value())
        self._changed()

    @on(TextArea.Changed)
    @on(Input.Changed)
    def _edited(self) -> None:
        self._discard_asked = False
        self._changed()

    # -- actions --

    def action_post(self) -> None:
        """Post the update (the draft is kept if it is refused)."""
        try:
            command = PostUpdate(
                incident_id=self.state.id, audience=Audience(self._audience()),
                template=self._template_value(), body=self._rendered(),
                next_update_at=self._next_update())
        except (CommandError, TimeParseError, ValueError) as exc:
            self._status(f"✖ {exc}")
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._status("posting…")
        war = war_app(self)
        war.run_serially(partial(self._post, war, self._slot(), war.issued(command),
                                 self._draft_body()))

    def _post(self, war: WarRoomApp, slot: DraftSlot, command: PostUpdate,
              body: dict[str, Any]) -> None:
        """In the command worker, in turn: keep the draft, post, forget the draft once
        posted."""
        with self._lock:
            slot.save(body)
            outcome = war.execute_now(command, shown=True)
            if isinstance(outcome, m.CommandSucceeded):
                slot.discard()
                self._posted = True
        self.post_message(outcome.stop())  # the app is told by execute_now

    @on(m.CommandSucceeded)
    def _posted_ok(self) -> None:
        self.dismiss(None)

    @on(m.CommandRefused)
    def _refused(self, message: m.CommandRefused) -> None:
        self._status(f"✖ refused, draft kept: {message.text}")
        if getattr(message.error, "field", None) in NEXT_UPDATE_FIELDS:
            next_at = self.query_one("#next-at", Input)
            self._next_refused = (next_at.value, message.text)
            self._refresh_preview()
            next_at.focus()

    def action_close(self) -> None:
        """Close; the draft stays in the store."""
        if self._timer is not None:
            self._timer.stop()
            self._flush()
        self.dismiss(None)

    def action_discard(self) -> None:
        """Forget the draft and close: asks first (press again to confirm)."""
        if not self._discard_asked:
            self._discard_asked = True
            self._status("discard this draft? press ctrl+g again to discard it")
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

        slot = self._slot()

        def discard() -> None:
            with self._lock:
                self._posted = True
                slot.discard()

        self.app.run_worker(discard, thread=True, group="draft", exit_on_error=False)
        self.notify("Draft discarded", timeout=3, markup=False)
        self.dismiss(None)
