"""The main screen: one escalation's panes, all live, from 80x24 (tabbed) to 200x60 (all at once).

The screen rebuilds one `Board` per heartbeat (or store change) and every pane is data-bound to
it, so all panes flip on the same second.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.events import Key, Resize
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Static

from warroom.domain.delivery_view import delivery_line, undelivered_badge
from warroom.domain.models import Event
from warroom.tui.app import war_app
from warroom.tui.screens.actions import IncidentActions
from warroom.tui.screens.post_actions import POST_BINDINGS, PostActions
from warroom.tui.view import Board
from warroom.tui.widgets.clocks import NextUpdatePane, SlaPane, StatusStrip
from warroom.tui.widgets.header import IncidentHeader
from warroom.tui.widgets.keybar import KeyBar
from warroom.tui.widgets.people import CommitmentsPane, RolesPane
from warroom.tui.widgets.timeline import Timeline

TABS: list[tuple[str, str]] = [
    ("timeline", "Timeline"),
    ("sla", "Clocks"),
    ("next-update", "Next update"),
    ("commitments", "Commitments"),
    ("roles", "Roles"),
]
"""Pane id and title, in tab order (keys 1-5 on small screens)."""

NARROW_WIDTH = 100
NARROW_HEIGHT = 32
"""Below either, panes are tabbed under a two-line status strip."""


class MainScreen(PostActions, IncidentActions, Screen[None]):
    """Header, status strip (small screens), the five panes, and the footer."""

    AUTO_FOCUS = "#timeline"
    BINDINGS = [
        *IncidentActions.ACTION_BINDINGS,
        *(Binding(str(n), f"tab('{pane}')", title, show=False)
          for n, (pane, title) in enumerate(TABS, start=1)),
        *POST_BINDINGS,
    ]

    board: reactive[Board | None] = reactive(None, init=False, repaint=False)
    connection: reactive[str] = reactive("connecting", init=False, repaint=False)
    tab: reactive[str] = reactive("timeline", init=False)
    flags: reactive[str] = reactive("", init=False, repaint=False)
    """Recurring-pattern flags due ('' when none), for the header."""
    undelivered: reactive[str] = reactive("", init=False, repaint=False)
    """Customer updates undelivered past 2 minutes ('' when none), for the header."""

    def __init__(self, incident_id: str | None, events: list[Event],
                 size: tuple[int, int]) -> None:
        narrow = size[0] < NARROW_WIDTH or size[1] < NARROW_HEIGHT
        super().__init__(classes="-narrow" if narrow else "-wide")
        self.incident_id = incident_id
        self._initial_events = events
        self._availability: tuple[object, ...] = ()

    def compose(self) -> ComposeResult:
        yield IncidentHeader(id="header").data_bind(MainScreen.board, MainScreen.connection,
                                                    MainScreen.flags,
                                                    MainScreen.undelivered)
        yield StatusStrip(id="strip").data_bind(MainScreen.board)
        yield Static(id="tabs")
        with Container(id="panes"):
            bell = war_app(self).use_bell
            yield NextUpdatePane(id="next-update", classes="pane", bell=bell).data_bind(
                MainScreen.board)
            yield SlaPane(id="sla", classes="pane").data_bind(MainScreen.board)
            yield CommitmentsPane(id="commitments", classes="pane").data_bind(MainScreen.board)
            timeline = Timeline(id="timeline", classes="pane -active")
            timeline.border_title = "Timeline"
            yield timeline
            yield RolesPane(id="roles", classes="pane").data_bind(MainScreen.board)
        yield KeyBar()

    def on_mount(self) -> None:
        self.watch(self.app, "now", self._rebuild, init=False)
        self.watch(self.app, "states", self._rebuild, init=False)
        self.watch(self.app, "connection", self._set_connection)
        self._draw_tabs()
        if self.incident_id is not None:
            self.show(self.incident_id, self._initial_events)
        self._initial_events = []
        self.timeline.focus()
        self.call_after_refresh(war_app(self).first_frame_drawn)
        self.call_after_refresh(self.start_flag_count)

    @on(Timeline.Selected)
    def _event_selected(self, message: Timeline.Selected) -> None:
        from warroom.tui.screens.event import EventScreen

        self.app.push_screen(EventScreen(message.event))

    def on_key(self, event: Key) -> None:
        """A key whose action is unavailable now says why instead of doing nothing."""
        actions = [b.action for b in self.BINDINGS
                   if isinstance(b, Binding) and event.key in b.key.split(",")]
        if not actions or any(self.check_action(a, ()) for a in actions):
            return
        reason = next((r for a in actions if (r := self.why_not(a))), None)
        if reason is not None:
            event.stop()
            event.prevent_default()
            self.notify(reason, title="Not now", severity="warning", timeout=6, markup=False)

    def _set_connection(self, status: str) -> None:
        self.connection = status

    @property
    def timeline(self) -> Timeline:
        """The timeline pane."""
        return self.query_one(Timeline)

    # -- data --

    def show(self, incident_id: str, events: list[Event] | None = None) -> None:
        """Show an escalation; its events are read in a worker unless given."""
        changed = incident_id != self.incident_id
        self.incident_id = incident_id
        self._rebuild()
        tz = self.board.tz if self.board is not None else None
        if events is not None:
            self.timeline.set_events(events, tz)
        elif changed:
            self.timeline.set_events([], tz)
            war_app(self).load_timeline(incident_id)
        self.timeline.border_title = f"Timeline · {incident_id}"

    def timeline_loaded(self, events: list[Event]) -> None:
        """The events of the shown escalation were read."""
        tz = self.board.tz if self.board is not None else None
        for timeline in self.query(Timeline):  # none while the app shuts down
            timeline.set_events(events, tz)

    def events_arrived(self, events: list[Event]) -> None:
        """Live events from the store: add the shown escalation's to the timeline."""
        mine = [e for e in events if e.incident_id == self.incident_id]
        if mine:
            for timeline in self.query(Timeline):  # none while the app shuts down
                timeline.add_events(mine)

    def _rebuild(self, *_: object) -> None:
        war = war_app(self)
        state = war.states.get(self.incident_id) if self.incident_id else None
        if state is None:
            return
        self.board = Board.build(state, war.policy, war.now)
        self.undelivered = undelivered_badge(war.states.values(), war.now)
        self.timeline.set_deliveries({u.seq: line for u in state.updates
                                      if (line := delivery_line(u)) is not None})
        availability = (state.triaged, state.paused, state.resolved_at is None,
                        state.closed_at is None, bool(state.open_commitments()))
        if availability != self._availability:  # the key bar only changes with these
            self._availability = availability
            self.refresh_bindings()

    # -- layout --

    def on_resize(self, event: Resize) -> None:
        narrow = event.size.width < NARROW_WIDTH or event.size.height < NARROW_HEIGHT
        self.set_class(narrow, "-narrow")
        self.set_class(not narrow, "-wide")

    def action_tab(self, pane: str) -> None:
        """Show one pane (small screens)."""
        self.tab = pane

    def watch_tab(self, pane: str) -> None:
        for widget in self.query(".pane"):
            widget.set_class(widget.id == pane, "-active")
        if pane == "timeline":
            self.timeline.focus()
        self._draw_tabs()

    def _draw_tabs(self) -> None:
        parts = []
        for n, (pane, title) in enumerate(TABS, start=1):
            text = f" {n} {title} "
            parts.append(f"[reverse b]{text}[/]" if pane == self.tab else text)
        self.query_one("#tabs", Static).update("".join(parts))
