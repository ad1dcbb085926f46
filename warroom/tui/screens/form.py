"""A small modal form for the one- or two-field actions (note, commitment, assign, ...).

The form builds the command itself and hands it to the app; it closes only once the command is
carried out (or queued offline). Bad input (an unparseable time, an empty reason) and a refusal
by the service keep it open with everything typed: the error is shown beside the field it names
(at the top when it names none) and clears once that field holds a value the form accepts.
It is dismissed with the command carried out, or None if cancelled.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from warroom.domain.errors import CommandError, InvalidInput
from warroom.domain.timeparse import TimeParseError
from warroom.tui import messages as m
from warroom.tui.app import war_app
from warroom.tui.view import parse_when

if TYPE_CHECKING:
    from warroom.domain.commands import AnyCommand


@dataclass
class Field:
    """One input of a form."""

    name: str
    label: str
    value: Any = ""
    kind: Literal["text", "choice", "bool"] = "text"
    choices: Sequence[tuple[str, str]] = field(default_factory=list)
    """(label, value) pairs for a choice."""
    placeholder: str = ""
    hint: str = ""
    suggestions: Sequence[str] = ()
    """Completions offered while typing (right arrow accepts)."""
    aliases: Sequence[str] = ()
    """Other names errors use for this field (the command's, e.g. `due_at` for `due`)."""

    def names(self, field: str) -> bool:
        """True when an error about `field` is about this input."""
        return field == self.name or field in self.aliases


def field_time(field: str, text: str, now: datetime) -> datetime:
    """A time typed in the form's `field` (`+30m`, `16:30`, ISO), or InvalidInput naming it."""
    try:
        return parse_when(text, now)
    except TimeParseError as exc:
        raise InvalidInput(field, str(exc)) from None


def _yes_no(value: bool) -> str:
    return "yes (space: change)" if value else "no (space: change)"


class FormScreen(ModalScreen["AnyCommand | None"]):
    """Fields, an inline error line, and Save / Cancel (ctrl+s / escape)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Save"),
        # Priority, like the app's Tab: the next field has focus before the keys typed after
        # Enter in the same burst are dispatched (an Input's own Enter would move it too late).
        Binding("enter", "next_field", "Next field", show=False, priority=True),
    ]
    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    #dialog {
        width: 90; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; border-title-style: bold; background: $surface; padding: 0 1;
    }
    .form-row { height: auto; }
    #dialog > .form-row:first-of-type { margin-top: 1; }
    .field-label { width: 22; }
    .form-row Input, .form-row Select { width: 1fr; }
    .hint { color: $text-muted; padding-left: 22; }
    .note { color: $text-muted; margin-top: 1; }
    #form-error, .field-error { color: $sla-breached; text-style: bold; height: auto; }
    .field-error { padding-left: 22; }
    #form-error.-empty, .field-error.-empty { display: none; }
    #suggestion { height: auto; margin-top: 1; }
    #triage-countdown { height: auto; }
    .buttons { height: auto; align-horizontal: right; margin-top: 1; }
    .buttons Button { margin-left: 2; }
    """

    def __init__(
        self,
        title: str,
        fields: Sequence[Field],
        build: Callable[[dict[str, Any]], AnyCommand],
        *,
        submit_label: str = "Save",
        note: str = "",
    ) -> None:
        super().__init__(classes="form-screen")
        self.form_title = title
        self.fields = list(fields)
        self.build = build
        self.submit_label = submit_label
        self.note = note
        self.waiting = False
        """A command was handed to the app and its outcome has not come back yet."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = self.form_title
            yield Static("", id="form-error", classes="-empty")
            if self.note:
                yield Static(Content(self.note), classes="note")
            for spec in self.fields:
                with Horizontal(classes="form-row"):
                    yield Label(spec.label, classes="field-label")
                    yield self._widget(spec)
                yield Static("", id=f"error-{spec.name}", classes="field-error -empty")
                if spec.hint:
                    yield Static(Content(spec.hint), classes="hint")
            yield from self.extra()
            with Horizontal(classes="buttons"):
                yield Button(f"{self.submit_label} (ctrl+s)", id="submit", variant="primary",
                             compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def extra(self) -> ComposeResult:
        """More widgets below the fields (for subclasses)."""
        yield from ()

    def _widget(self, spec: Field) -> Widget:
        wid = f"field-{spec.name}"
        if spec.kind == "choice":
            return Select(list(spec.choices), value=spec.value, allow_blank=False, id=wid,
                          compact=True)
        if spec.kind == "bool":
            return Checkbox(_yes_no(bool(spec.value)), value=bool(spec.value), id=wid,
                            compact=True)
        suggester = SuggestFromList(spec.suggestions, case_sensitive=False) \
            if spec.suggestions else None
        widget = Input(str(spec.value), placeholder=spec.placeholder, id=wid, compact=True,
                       suggester=suggester)
        if self.app.is_headless:
            widget.cursor_blink = False
        return widget

    def values(self) -> dict[str, Any]:
        """Current field values by name."""
        out: dict[str, Any] = {}
        for spec in self.fields:
            widget = self.query_one(f"#field-{spec.name}")
            if isinstance(widget, Input):
                out[spec.name] = widget.value.strip()
            elif isinstance(widget, Checkbox):
                out[spec.name] = widget.value
            elif isinstance(widget, Select):
                out[spec.name] = None if widget.is_blank() else widget.value
        return out

    # -- errors --

    def _spec_for(self, exc: Exception) -> Field | None:
        """The field an error names: an `InvalidInput`'s field, else the `name:` its text
        starts with (None when it names no field of this form)."""
        name = getattr(exc, "field", None) or str(exc).partition(":")[0].strip()
        return next((spec for spec in self.fields if spec.names(name)), None)

    def _show(self, widget: Static, text: str) -> None:
        widget.update(Content(f"✖ {text}") if text else Content(""))
        widget.set_class(not text, "-empty")

    def show_error(self, exc: Exception) -> None:
        """Show `exc` beside the field it names (and focus that field), else at the top."""
        spec = self._spec_for(exc)
        text = str(exc) or type(exc).__name__
        if spec is None:
            self._show(self.query_one("#form-error", Static), text)
            return
        self._show(self.query_one(f"#error-{spec.name}", Static), text)
        self.query_one(f"#field-{spec.name}").focus()

    def _recheck(self, spec: Field) -> None:
        """After `spec`'s input changed: keep its error only while the form still finds one
        there (the service checks again on save)."""
        error = self.query_one(f"#error-{spec.name}", Static)
        if error.has_class("-empty"):
            return
        try:
            self.build(self.values())
        except (ValueError, CommandError) as exc:
            if self._spec_for(exc) is spec:
                self._show(error, str(exc))
                return
        self._show(error, "")

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _field_changed(self, event: Input.Changed | Select.Changed | Checkbox.Changed) -> None:
        wid = event.control.id or ""
        spec = next((f for f in self.fields if wid == f"field-{f.name}"), None)
        if spec is not None:
            self._recheck(spec)

    # -- saving --

    def action_submit(self) -> None:
        """Build the command (its model checks every field) and hand it to the app; the form
        stays open until it is carried out, and after a refusal, with everything typed."""
        if self.waiting:
            return
        for error in self.query(".field-error, #form-error").results(Static):
            self._show(error, "")
        try:
            command = self.build(self.values())
        except (ValueError, CommandError) as exc:
            self.show_error(exc)
            return
        self.waiting = True
        self.query_one("#submit", Button).label = "Working…"
        war_app(self).submit(command, reply_to=self)

    @on(m.CommandSucceeded)
    def _done(self, message: m.CommandSucceeded) -> None:
        if self.is_current:  # (an escalation just opened may have closed it already)
            self.dismiss(message.command)

    @on(m.CommandRefused)
    def _refused(self, message: m.CommandRefused) -> None:
        self.waiting = False
        self.query_one("#submit", Button).label = f"{self.submit_label} (ctrl+s)"
        self.show_error(message.error)

    def action_cancel(self) -> None:
        """Close without doing anything."""
        self.dismiss(None)

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Checkbox.Changed)
    def _ticked(self, event: Checkbox.Changed) -> None:
        event.checkbox.label = _yes_no(event.value)  # the state in words, not only in colour

    def action_next_field(self) -> None:
        """Enter in a text field: on to the next field; in the last one, save. Elsewhere
        (a button, a choice list) Enter is the widget's own."""
        inputs = list(self.query(Input))
        if self.focused not in inputs:
            raise SkipAction()
        if self.focused is inputs[-1]:
            self.action_submit()
        else:
            self.focus_next()
