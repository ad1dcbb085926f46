"""The full text of one timeline event."""

from __future__ import annotations

import json

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from warroom.domain.describe import label
from warroom.domain.models import Event


def event_text(event: Event) -> Content:
    """Every field of an event; an update's body is shown as written."""
    payload = dict(event.payload)
    body = payload.pop("body", None) if event.kind == "update_posted" else None
    text = payload.pop("text", None)
    lines = [
        Content.assemble((label(event), "bold"),
                         f"  #{event.seq}  by ", (event.actor, "bold")),
        Content.styled(f"occurred {event.occurred_at.isoformat()}  recorded "
                       f"{event.recorded_at.isoformat()}", "$text-muted"),
        Content(""),
    ]
    for value in (text, body):
        if value:
            lines += [Content(str(value)), Content("")]
    if payload:
        lines.append(Content.styled(json.dumps(payload, indent=2, ensure_ascii=False,
                                               default=str), "$text-muted"))
    return Content("\n").join(lines)


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
