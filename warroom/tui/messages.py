"""Messages between the console's workers, screens and widgets.

Workers never touch widgets: they post one of these, and a handler on the UI thread applies it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

from warroom.domain.errors import CommandError
from warroom.domain.models import Event, IncidentState
from warroom.store.base import Draft

if TYPE_CHECKING:  # pydantic models, imported when a command is first built
    from warroom.domain.commands import AnyCommand


@dataclass
class StateLoaded(Message):
    """The first read of the store finished."""

    states: dict[str, IncidentState]
    incident_id: str | None
    events: list[Event]
    """The timeline of `incident_id`."""
    seq: int
    """The last seq read; live watching continues from here."""
    complete: bool = True
    """False: only the open escalations, for the wallboard's first frame (then `seq` means
    nothing: every state is read after that frame, and watching starts from there)."""


@dataclass
class TimelineLoaded(Message):
    """The events of one escalation were read (after switching escalation)."""

    incident_id: str
    events: list[Event]


@dataclass
class EventsArrived(Message):
    """Live: new events in the store, by anyone, with the states they changed."""

    events: list[Event]
    states: dict[str, IncidentState]


@dataclass
class ConnectionChanged(Message):
    """The store watcher's state: `live`, `connecting` or `offline: <why>`."""

    status: str


@dataclass
class OutboxTrouble(Message):
    """Queued commands the server refused (or that are stuck), each a line to show once."""

    lines: list[str]


@dataclass
class CommandSucceeded(Message):
    """A command was carried out and stored."""

    command: AnyCommand
    result: dict[str, Any]
    states: dict[str, IncidentState]


@dataclass
class CommandRefused(Message):
    """A command was refused (rights, invariants, bad input) or the store failed."""

    command: AnyCommand
    error: CommandError | Exception
    shown: bool = False
    """Already shown where it belongs (a form, the composer): the app need not toast it."""

    @property
    def text(self) -> str:
        """What to tell the user."""
        return str(self.error) or type(self.error).__name__


@dataclass
class JobFailed(Message):
    """A command job failed unexpectedly (a bug, not a refusal); the ones behind it still run."""

    text: str


@dataclass
class DraftLoaded(Message):
    """A kept composer draft was read (None: there is none)."""

    draft: Draft | None


@dataclass
class OpenEscalation(Message):
    """Request: show this escalation on the main screen."""

    incident_id: str
