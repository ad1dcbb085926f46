"""A small modal form for the one- or two-field actions (note, commitment, assign, ...).

The form builds the command itself, so bad input (an unparseable time, an empty reason) is
shown inline and the form stays open; it is dismissed with the command, or None if cancelled.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from warroom.domain.errors import CommandError

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


def _yes_no(value: bool) -> str:
    return "yes (space: change)" if value else "no (space: change)"


class FormScreen(ModalScreen["AnyCommand | None"]):
    """Fields, an inline error line, and Save / Cancel (ctrl+s / escape)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Save"),
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
    #form-error { color: $sla-breached; text-style: bold; height: auto; }
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

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = self.form_title
            if self.note:
                yield Static(Content(self.note), classes="note")
            for spec in self.fields:
                with Horizontal(classes="form-row"):
                    yield Label(spec.label, classes="field-label")
                    yield self._widget(spec)
                if spec.hint:
                    yield Static(Content(spec.hint), classes="hint")
            yield from self.extra()
            yield Static("", id="form-error")
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

    def action_submit(self) -> None:
        """Build the command (its model checks every field); dismiss with it, or show what is
        wrong and stay open."""
        try:
            command = self.build(self.values())
        except (ValueError, CommandError) as exc:
            self.query_one("#form-error", Static).update(Content(f"✖ {exc}"))
            return
        self.dismiss(command)

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

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        if event.input is inputs[-1]:
            self.action_submit()
        else:
            self.focus_next()
