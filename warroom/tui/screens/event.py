"""The full text of one timeline event, in words."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from warroom.domain.describe import sentence
from warroom.domain.models import Event


def event_text(event: Event) -> Content:
    """What happened, who and when, then every detail as `name: value` lines; an update's
    body and a note's text are shown as written."""
    payload = dict(event.payload)
    body = payload.pop("body", None) if event.kind == "update_posted" else None
    text = payload.pop("text", None)
    # a command waits its turn for a moment: "recorded" only when it shows a different second
    recorded = "" if _stamp(event.recorded_at) == _stamp(event.occurred_at) else \
        f" · recorded {_stamp(event.recorded_at)}"
    lines = [
        Content.styled(sentence(event), "bold"),
        Content.styled(f"{_stamp(event.occurred_at)} · by {event.actor} · event "
                       f"{event.seq}{recorded}", "$text-muted"),
        Content(""),
    ]
    for value in (text, body):
        if value:
            lines += [Content(str(value)), Content("")]
    lines += [Content(line) for line in _details(payload)]
    return Content("\n").join(lines)


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")


def _details(payload: dict[str, Any], indent: str = "") -> list[str]:
    """Nested payload values as indented `name: value` lines (no JSON, no ISO microseconds)."""
    lines: list[str] = []
    for key, value in payload.items():
        name = str(key).replace("_", " ")
        if isinstance(value, dict):
            lines.append(f"{indent}{name}:")
            lines += _details(value, indent + "  ")
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value) if value else "none"
            lines.append(f"{indent}{name}: {shown}")
        else:
            lines.append(f"{indent}{name}: {_plain(value)}")
    return lines


def _plain(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return _stamp(value)
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            return _stamp(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return value
    return str(value)


class EventScreen(ModalScreen[None]):
    """Escape or enter closes."""

    BINDINGS = [Binding("escape,enter,q", "app.pop_screen", "Close", key_display="esc")]
    DEFAULT_CSS = """
    EventScreen { align: center middle; }
    #event-box {
        width: 90%; height: 80%; border: thick $primary; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, event: Event) -> None:
        super().__init__(classes="event-screen")
        self.event = event

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="event-box") as box:
            box.border_title = f"{self.event.incident_id} · event {self.event.seq}"
            yield Static(event_text(self.event))
