"""WarRoomApp: owns the service, the injected clock and the one heartbeat; talks to the store
only from workers, which report back with messages (see `messages.py`).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.message_pump import MessagePump
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Static

from warroom.domain.commands import AnyCommand, Open
from warroom.domain.errors import CommandError
from warroom.domain.models import Event, IncidentState
from warroom.store.base import StoreError
from warroom.themes import DEFAULT_THEME, VARIABLE_DEFAULTS, load_themes, resolve_name, theme_dir
from warroom.tui import messages as m
from warroom.tui.view import Board, urgency_key

if TYPE_CHECKING:
    from warroom.service import WarRoom
    from warroom.tui.screens.main import MainScreen

RETRY_S = 2.0
"""Pause before watching the store again after it failed."""


class LoadingScreen(Screen[None]):
    """Shown only until the first read of the store is done (one cheap frame)."""

    def compose(self) -> ComposeResult:
        yield Static("warroom · reading the store…", id="loading")


def war_app(node: DOMNode) -> WarRoomApp:
    """The running console app, typed (for screens and widgets)."""
    return cast(WarRoomApp, node.app)


def pick_incident(states: dict[str, IncidentState], service: WarRoom, now: datetime,
                  wanted: str | None) -> str | None:
    """The escalation to show first: the one asked for, else the most urgent open one."""
    if wanted and wanted in states:
        return wanted
    candidates = [s for s in states.values() if s.closed_at is None] or list(states.values())
    if not candidates:
        return None
    boards = [Board.build(s, service.policy, now) for s in candidates]
    return min(boards, key=lambda b: (b.state.resolved_at is not None, urgency_key(b))).state.id


class WarRoomApp(App[None]):
    """The war-room console (or, with `wall=True`, the read-only wallboard)."""

    CSS_PATH = "app.tcss"
    TITLE = "warroom"
    BINDINGS = [
        Binding("e", "escalations", "Escalations"),
        Binding("i", "intake", "New escalation"),
        Binding("question_mark,f1", "guide", "Guide", key_display="?"),
        Binding("q", "quit", "Quit"),
    ]

    now: reactive[datetime] = reactive(datetime.min, init=False)
    """The one heartbeat: set from the injected clock every second."""
    states: reactive[dict[str, IncidentState]] = reactive(dict, always_update=True, init=False)
    """Every escalation's state, replaced whole when the store changes."""
    connection: reactive[str] = reactive("connecting", init=False)
    """The store watcher's state: `live`, `connecting`, `reconnecting`, `offline: ...`."""

    def __init__(
        self,
        service: WarRoom,
        *,
        user: str,
        theme: str | None = None,
        wall: bool = False,
        incident_id: str | None = None,
        clock: Callable[[], datetime] | None = None,
        bell: bool = True,
        theme_dirs: Iterable[Path] = (),
    ) -> None:
        super().__init__()
        self.service = service
        self.policy = service.policy
        self.user = user
        self.wall = wall
        self.clock = clock or service.clock
        self.wanted = incident_id
        self.use_bell = bell
        self.loaded = asyncio.Event()
        """Set once the first read of the store has been shown."""
        self.set_reactive(WarRoomApp.now, self.clock())
        self.theme_errors = self._register_themes(theme, theme_dirs)

    # -- themes --

    def _register_themes(self, wanted: str | None, extra: Iterable[Path]) -> list[str]:
        loaded = load_themes(theme_dir(), *extra)
        for theme in loaded.themes:
            self.register_theme(theme)
        errors = list(loaded.errors)
        names = self.available_themes
        name = resolve_name(wanted or DEFAULT_THEME, names)
        if name is None:
            errors.append(f"unknown theme {wanted!r}; using {DEFAULT_THEME}")
            name = resolve_name(DEFAULT_THEME, names) or "textual-dark"
        self.theme = name
        return errors

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(VARIABLE_DEFAULTS)

    # -- screens --

    def get_default_screen(self) -> Screen[None]:
        return LoadingScreen()

    @property
    def main(self) -> MainScreen | None:
        """The main screen (None in wallboard mode and until the store is read)."""
        from warroom.tui.screens.main import MainScreen

        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)
        self._load()
        for error in self.theme_errors:
            self.notify(error, title="Theme", severity="warning", markup=False)

    def _tick(self) -> None:
        self.now = self.clock()

    # -- store workers --

    @work(thread=True, group="store", exit_on_error=False)
    def _load(self) -> None:
        """First read: catch the service up, pick the escalation, read its timeline."""
        service = self.service
        try:
            fresh = service.seq == 0
            events = service.store.read(service.seq)
            service.ingest(events)
            states = service.states()
            seq = service.seq
            incident = pick_incident(states, service, self.clock(), self.wanted)
            if incident is None:
                timeline: list[Event] = []
            elif fresh and events and events[-1].seq == seq:
                timeline = [e for e in events if e.incident_id == incident]
            else:
                timeline = service.store.read(0, incident_id=incident)
        except (StoreError, OSError) as exc:
            self.post_message(m.ConnectionChanged(f"offline: {exc}"))
            return
        self.post_message(m.StateLoaded(states, incident, timeline, seq))

    @work(thread=True, group="timeline", exclusive=True, exit_on_error=False)
    def load_timeline(self, incident_id: str) -> None:
        """Read one escalation's events (after switching escalation)."""
        try:
            events = self.service.store.read(0, incident_id=incident_id)
        except (StoreError, OSError) as exc:
            self.post_message(m.ConnectionChanged(f"offline: {exc}"))
            return
        self.post_message(m.TimelineLoaded(incident_id, events))

    @work(group="watch", exclusive=True, exit_on_error=False)
    async def _watch(self, since: int) -> None:
        """Live: fold every new event (from anyone) as the store reports it."""
        while True:
            self.post_message(m.ConnectionChanged("live"))
            try:
                async for batch in self.service.store.watch(since):
                    since = batch[-1].seq
                    changed = self.service.ingest(batch)
                    self.post_message(m.EventsArrived(batch, changed))
                return
            except (StoreError, OSError) as exc:
                self.post_message(m.ConnectionChanged(f"offline: {exc}"))
            await asyncio.sleep(RETRY_S)

    def submit(self, command: AnyCommand, *, reply_to: MessagePump | None = None) -> None:
        """Carry out a command as the console user (in a worker); the outcome comes back as
        `CommandSucceeded` / `CommandRefused` to the app and to `reply_to`."""
        self._execute(command, reply_to)

    @work(thread=True, group="commands", exit_on_error=False)
    def _execute(self, command: AnyCommand, reply_to: MessagePump | None) -> None:
        outcome = self.execute_now(command)
        if reply_to is not None:
            reply_to.post_message(outcome)

    def execute_now(self, command: AnyCommand) -> m.CommandSucceeded | m.CommandRefused:
        """Carry out a command in the calling worker thread (never the UI thread).

        The app is told the outcome; a separate copy is returned for the caller to post on.
        """
        service = self.service
        try:
            result = service.execute(command, self.user, idempotency_key=uuid.uuid4().hex)
            states = service.states()
        except (CommandError, StoreError, OSError) as exc:
            self.post_message(m.CommandRefused(command, exc))
            return m.CommandRefused(command, exc)
        self.post_message(m.CommandSucceeded(command, result, states))
        return m.CommandSucceeded(command, result, states)

    # -- message handlers --

    @on(m.StateLoaded)
    def _state_loaded(self, message: m.StateLoaded) -> None:
        """Show the first full frame: the main screen (or wallboard) composed with data."""
        self.states = message.states
        if self.wall:
            from warroom.tui.screens.wall import WallScreen

            self.push_screen(WallScreen())
        else:
            from warroom.tui.screens.main import MainScreen

            self.push_screen(MainScreen(message.incident_id, message.events,
                                        (self.size.width, self.size.height)))
        self._watch(message.seq)
        self.call_after_refresh(self.loaded.set)

    @on(m.TimelineLoaded)
    def _timeline_loaded(self, message: m.TimelineLoaded) -> None:
        main = self.main
        if main is not None and main.incident_id == message.incident_id:
            main.timeline_loaded(message.events)

    @on(m.EventsArrived)
    def _events_arrived(self, message: m.EventsArrived) -> None:
        if message.states:
            self.states = {**self.states, **message.states}
        main = self.main
        if main is not None:
            main.events_arrived(message.events)

    @on(m.ConnectionChanged)
    def _connection_changed(self, message: m.ConnectionChanged) -> None:
        self.connection = message.status

    @on(m.CommandSucceeded)
    def _command_succeeded(self, message: m.CommandSucceeded) -> None:
        self.states = message.states
        command = message.command
        if isinstance(command, Open) and self.main is not None:
            self.open_escalation(str(message.result["id"]))
        self.notify(f"✔ {type(command).__name__} done" + _result_note(message.result),
                    timeout=3, markup=False)

    @on(m.CommandRefused)
    def _command_refused(self, message: m.CommandRefused) -> None:
        self.notify(message.text, title="Refused", severity="error", timeout=8, markup=False)

    @on(m.OpenEscalation)
    def _open_requested(self, message: m.OpenEscalation) -> None:
        self.open_escalation(message.incident_id)

    def open_escalation(self, incident_id: str) -> None:
        """Show this escalation on the main screen (closing any screens above it)."""
        main = self.main
        if main is None:
            return
        while self.screen is not main:
            self.pop_screen()
        main.show(incident_id)

    def ask(self, form: Screen[AnyCommand | None]) -> None:
        """Show a form; submit the command it returns (if not cancelled)."""

        def done(command: AnyCommand | None) -> None:
            if command is not None:
                self.submit(command)

        self.push_screen(form, done)

    # -- global actions --

    def action_escalations(self) -> None:
        """The escalation list, most urgent first."""
        from warroom.tui.screens.escalations import EscalationsScreen

        self.push_screen(EscalationsScreen())

    def action_intake(self) -> None:
        """Intake: open a new escalation."""
        if self.wall:
            self.notify("The wallboard is read-only", severity="warning", markup=False)
            return
        from warroom.tui.screens.intake import IntakeScreen

        self.ask(IntakeScreen(None, self.policy, self.clock()))

    def action_guide(self) -> None:
        """The facilitation guide."""
        from warroom.tui.screens.guide import GuideScreen

        self.push_screen(GuideScreen())

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for key, action, title in _palette_actions(self, screen):
            node: DOMNode = screen if hasattr(screen, f"action_{action}") else self
            yield SystemCommand(title, f"key: {key}", _runner(node, action))


def _result_note(result: dict[str, object]) -> str:
    parts = [f"{k} {result[k]}" for k in ("id", "commitment_id", "severity") if k in result]
    return ": " + ", ".join(parts) if parts else ""


def _palette_actions(app: WarRoomApp, screen: Screen[object]) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    for node in (screen, app):
        for binding in node.BINDINGS:
            if not isinstance(binding, Binding) or not binding.description:
                continue
            action = binding.action.split("(")[0]
            if action in ("quit", "tab") or not hasattr(node, f"action_{action}"):
                continue
            if screen.check_action(action, ()) is False:
                continue
            found.append((binding.key_display or binding.key.split(",")[0], action,
                          binding.description))
    return found


def _runner(node: DOMNode, action: str) -> Callable[[], object]:
    def run() -> object:
        return node.app.run_action(action, node)

    return run
