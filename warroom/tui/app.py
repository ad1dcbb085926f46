"""WarRoomApp: owns the service, the injected clock and the one heartbeat; talks to the store
only from workers, which report back with messages (see `messages.py`).
"""

from __future__ import annotations

import asyncio
import gc
import threading
from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.reactive import reactive
from textual.screen import Screen
from textual.theme import Theme
from textual.timer import Timer

from warroom.domain.describe import command_done
from warroom.domain.models import IncidentState
from warroom.themes import DEFAULT_THEME, VARIABLE_DEFAULTS, load_themes, resolve_name, theme_dir
from warroom.tui import messages as m
from warroom.tui.sync import RETRY_S, StoreWorkers

if TYPE_CHECKING:
    from warroom.domain.commands import AnyCommand
    from warroom.gcpause import Pause
    from warroom.service import WarRoom
    from warroom.tui.flags import FlagTracker
    from warroom.tui.screens.main import MainScreen


def war_app(node: DOMNode) -> WarRoomApp:
    """The running console app, typed (for screens and widgets)."""
    return cast(WarRoomApp, node.app)


class WarRoomApp(StoreWorkers, App[None]):
    """The war-room console (or, with `wall=True`, the read-only wallboard)."""

    CSS_PATH = "app.tcss"
    TITLE = "warroom"
    BINDINGS = [
        Binding("e", "escalations", "Escalations"),
        Binding("i", "intake", "New escalation"),
        Binding("question_mark,f1", "guide", "Guide", key_display="?"),
        Binding("q", "quit", "Quit"),
        # Priority: focus moves on the app's own queue, before the next key is dispatched, so
        # keys arriving in one burst after Tab (a laggy ssh session) land in the field Tab
        # moved to; a non-priority Tab travels through the old field's queue behind them.
        Binding("tab", "focus_next", "Next field", show=False, priority=True),
        Binding("shift+tab", "focus_previous", "Previous field", show=False, priority=True),
    ]

    now: reactive[datetime] = reactive(datetime.min, init=False, repaint=False)
    """The one heartbeat: set from the injected clock every second."""
    states: reactive[dict[str, IncidentState]] = reactive(
        dict, always_update=True, init=False, repaint=False)
    """Every escalation's state, replaced whole when the store changes."""
    connection: reactive[str] = reactive("connecting", init=False, repaint=False)
    """The store watcher's state: `live`, `connecting`, `reconnecting`, `offline: ...`, or before
    the first read, `store unavailable: <reason>, retrying in 2s`."""

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
        startup: Pause | None = None,
        retry_s: float = RETRY_S,
        on_theme: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__()
        self.startup = startup
        """A hold on the garbage collector, let go once the first read is done or has failed."""
        self.retry_s = retry_s
        self.stop_retrying = threading.Event()
        self._jobs = deque()
        self._jobs_lock = threading.Lock()
        self._draining = False
        self.service = service
        self.policy = service.policy
        self.user = user
        self.wall = wall
        self.clock = clock or service.clock
        self.wanted = incident_id
        self.use_bell = bell
        self.loaded = asyncio.Event()
        """Set once the first full frame (the store's state on screen) has been drawn."""
        self.set_reactive(WarRoomApp.now, self.clock())
        self.theme_errors = self._register_themes(theme, theme_dirs)
        self._on_theme = on_theme
        self._kept_theme = self.theme
        """The theme last remembered (or started with)."""
        self._keep_timer: Timer | None = None
        self._flag_tracker: FlagTracker | None = None
        self._first: m.StateLoaded | None = None
        """The first read, when it was done before the first frame."""

    @property
    def flag_tracker(self) -> FlagTracker:
        """The log's pattern flags, read incrementally by workers (made on first use)."""
        if self._flag_tracker is None:
            from warroom.tui.flags import FlagTracker

            self._flag_tracker = FlagTracker(self.service)
        return self._flag_tracker

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

    def _theme_changed(self, theme: Theme) -> None:
        """A theme chosen (e.g. from the palette) is remembered once the choice settles: the
        theme picker previews each theme it passes over."""
        if self._on_theme is None:
            return
        if self._keep_timer is not None:
            self._keep_timer.stop()
        self._keep_timer = self.set_timer(1.0, self._keep_theme)

    def _keep_theme(self) -> None:
        self._keep_timer = None
        name = self.theme
        if self._on_theme is None or name == self._kept_theme:
            return
        self._kept_theme = name
        self.run_worker(partial(self._remember_theme, self._on_theme, name), thread=True,
                        group="theme", exit_on_error=False)

    def on_unmount(self) -> None:
        self.let_collector_go()
        self.stop_retrying.set()
        if self._keep_timer is not None and self._on_theme is not None \
                and self.theme != self._kept_theme:
            self._keep_timer.stop()
            self._remember_theme(self._on_theme, self.theme, notify=False)

    def _remember_theme(self, keep: Callable[[str], None], name: str,
                        notify: bool = True) -> None:
        """In a worker thread (the write validates with pydantic, slow to import), or on the
        way out when the choice was made in the last second."""
        try:
            keep(name)
        except Exception as exc:  # a failure is shown, never fatal
            if notify:
                self.call_from_thread(self.notify, f"theme not kept: {exc}", title="Theme",
                                      severity="warning", markup=False)

    # -- screens --

    def get_default_screen(self) -> Screen[None]:
        if self._first is not None:
            self.set_reactive(WarRoomApp.states, self._first.states)
            return self._screen_for(self._first)
        from warroom.tui.screens.loading import LoadingScreen

        return LoadingScreen()

    def _screen_for(self, loaded: m.StateLoaded) -> Screen[None]:
        """The main screen composed with the first read's data (or the wallboard)."""
        if self.wall:
            from warroom.tui.screens.wall import WallScreen

            return WallScreen()
        from warroom.tui.screens.main import MainScreen

        return MainScreen(loaded.incident_id, loaded.events, (self.size.width, self.size.height))

    @property
    def main(self) -> MainScreen | None:
        """The main screen (None in wallboard mode and until the store is read)."""
        from warroom.tui.screens.main import MainScreen

        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    def on_load(self) -> None:
        # As early as possible: the first full frame waits for it.
        self._first = self.read_first_inline()
        if self._first is None:
            self._load()

    def on_mount(self) -> None:
        if self._first is not None and self._first.complete:
            self._watch(self._first.seq)
        self.set_interval(1.0, self._tick)
        for error in self.theme_errors:
            self.notify(error, title="Theme", severity="warning", markup=False)
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def first_frame_drawn(self) -> None:
        """The store's state is on screen. What was read so far lives as long as the console,
        so move it out of the garbage collector's way (no long pauses while paging)."""
        gc.freeze()
        self.let_collector_go()
        if self._first is not None and not self._first.complete and not self.loaded.is_set():
            self._load()  # every state, then live (see `_state_loaded`)
        self.loaded.set()

    def let_collector_go(self) -> None:
        """Release the start-up hold on the garbage collector (once; later calls do nothing)."""
        if self.startup is not None:
            self.startup.release()

    def _tick(self) -> None:
        self.now = self.clock()

    # -- message handlers --

    @on(m.StateLoaded)
    def _state_loaded(self, message: m.StateLoaded) -> None:
        """Show the first full frame: the main screen (or wallboard) composed with data; or,
        after a wallboard drawn from the open escalations only, take every state."""
        self.states = message.states
        if self._first is None:
            self.push_screen(self._screen_for(message))
        self._watch(message.seq)

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

    @on(m.OutboxTrouble)
    def _outbox_trouble(self, message: m.OutboxTrouble) -> None:
        for line in message.lines:
            self.notify(line, title="Outbox", severity="error", timeout=30, markup=False)

    @on(m.CommandSucceeded)
    def _command_succeeded(self, message: m.CommandSucceeded) -> None:
        self.states = message.states
        command = message.command
        if command.type == "open" and self.main is not None:
            self.open_escalation(str(message.result["id"]))
        if message.result.get("queued"):
            self.notify("Server unreachable: queued, and sent in order when it is back "
                        f"({message.result.get('pending')} pending)", title="Queued",
                        severity="warning", timeout=6, markup=False)
            return
        self.notify(f"✔ {command_done(command.type, message.result)}", timeout=3,
                    markup=False)

    @on(m.CommandRefused)
    def _command_refused(self, message: m.CommandRefused) -> None:
        if message.shown:
            return
        self.notify(message.text, title="Refused", severity="error", timeout=8, markup=False)

    @on(m.JobFailed)
    def _job_failed(self, message: m.JobFailed) -> None:
        self.notify(message.text, title="Failed", severity="error", timeout=30, markup=False)

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
        """Show a form; it submits its command itself and stays open until it is carried out
        (or refused: then with the refusal shown and everything typed kept)."""
        self.push_screen(form)

    # -- global actions --

    def action_escalations(self) -> None:
        """The escalation list, most urgent first."""
        from warroom.tui.screens.escalations import EscalationsScreen

        self.push_screen(EscalationsScreen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The wallboard is read-only: no intake."""
        return not (self.wall and action == "intake")

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
        from warroom.tui.palette import palette_commands

        yield from super().get_system_commands(screen)
        yield from palette_commands(self, screen)
