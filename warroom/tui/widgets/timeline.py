"""The timeline: every event of one escalation, one line each, rendering only what is visible.

A Line API widget (`ScrollView.render_line`), so 50,000 events cost the same to draw as 50: only
the rows on screen are formatted, and formatted rows are cached. It keeps a cursor row; when the
cursor is on the newest row the timeline follows new entries, otherwise it stays where the user
scrolled back to and counts what arrived meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from warroom.domain.describe import label, summary
from warroom.domain.models import Event
from warroom.tui.view import FILTERS, hhmm, matches
from warroom.tui.widgets.live_text import set_subtitle

_KIND_STYLE = {
    "update_posted": "timeline--update",
    "decision_recorded": "timeline--decision",
    "commitment_made": "timeline--commitment",
    "commitment_met": "timeline--commitment",
    "commitment_missed": "timeline--alert",
    "commitment_renegotiated": "timeline--commitment",
    "severity_changed": "timeline--alert",
    "resolved": "timeline--good",
}


class Timeline(ScrollView, can_focus=True):
    """Every event in order, newest at the bottom; filterable by kind."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "Oldest", show=False),
        Binding("end", "jump(-1)", "Newest", show=False),
        Binding("enter", "show_event", "Details", show=False),
        Binding("f", "cycle_filter", "Filter"),
    ]

    COMPONENT_CLASSES = {
        "timeline--time", "timeline--local", "timeline--kind", "timeline--actor",
        "timeline--update", "timeline--customer", "timeline--decision", "timeline--commitment",
        "timeline--alert", "timeline--good", "timeline--cursor", "timeline--pending",
    }

    DEFAULT_CSS = """
    Timeline { overflow-x: hidden; overflow-y: auto; }
    Timeline > .timeline--time { color: $foreground-muted; }
    Timeline > .timeline--local { color: $foreground-muted; }
    Timeline > .timeline--kind { text-style: bold; }
    Timeline > .timeline--actor { color: $secondary; }
    Timeline > .timeline--update { color: $foreground; }
    Timeline > .timeline--customer { color: $timeline-customer; }
    Timeline > .timeline--decision { color: $timeline-decision; }
    Timeline > .timeline--commitment { color: $timeline-commitment; }
    Timeline > .timeline--alert { color: $sla-breached; }
    Timeline > .timeline--good { color: $sla-ok; }
    Timeline > .timeline--pending { color: $sla-at-risk; }
    Timeline > .timeline--cursor { background: $panel; }
    Timeline:focus > .timeline--cursor { background: $primary-muted; }
    """

    class Selected(Message):
        """The user asked for the full text of an event."""

        def __init__(self, event: Event) -> None:
            super().__init__()
            self.event = event

    filter_name: reactive[str] = reactive("all")
    """Which `FILTERS` entry is applied."""
    cursor: reactive[int] = reactive(-1, init=False)
    """Row (in the filtered rows) under the cursor; -1 when empty."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._events: list[Event] = []
        self._rows: list[int] = []
        self._last_seq = 0
        self._unseen = 0
        self.tz: tzinfo | None = None
        """The customer's timezone (a local-time column is shown when wide enough)."""
        self._cache: LRUCache[tuple[int, int, bool], Strip] = LRUCache(512)
        self._deliveries: dict[int, tuple[str, str]] = {}

    # -- data --

    @property
    def events(self) -> list[Event]:
        """Every event held, in seq order (read-only)."""
        return self._events

    @property
    def rows(self) -> int:
        """Rows shown under the current filter."""
        return len(self._rows)

    @property
    def following(self) -> bool:
        """True when the newest row is under the cursor and in view (not scrolled back by key
        or mouse), so new events scroll into view."""
        at_bottom = round(self.scroll_y) >= self.max_scroll_y or not self.size.height
        return self.cursor >= len(self._rows) - 1 and at_bottom

    def set_events(self, events: list[Event], tz: tzinfo | None = None) -> None:
        """Replace the whole timeline (e.g. when another escalation is shown)."""
        self._events = list(events)
        self._last_seq = self._events[-1].seq if self._events else 0
        self.tz = tz
        self._unseen = 0
        self._refilter(follow=True)

    def set_deliveries(self, deliveries: dict[int, tuple[str, str]]) -> None:
        """Delivery state by update seq (`delivery_view.delivery_line`), shown after each
        update's text."""
        if deliveries != self._deliveries:
            self._deliveries = deliveries
            self._cache.clear()
            self.refresh()

    def add_events(self, events: Iterable[Event]) -> int:
        """Append live events (older seqs are ignored); returns how many were added."""
        kinds = FILTERS[self.filter_name][1]
        follow = self.following
        added = 0
        for event in events:
            if event.seq <= self._last_seq:
                continue
            self._last_seq = event.seq
            self._events.append(event)
            added += 1
            if matches(event, kinds):
                self._rows.append(len(self._events) - 1)
                if not follow:
                    self._unseen += 1
        if added:
            self._resize()
            if follow:
                self._move(len(self._rows) - 1)
            self._update_subtitle()
            self.refresh()
        return added

    def _refilter(self, follow: bool) -> None:
        kinds = FILTERS[self.filter_name][1]
        if kinds is None:
            self._rows = list(range(len(self._events)))
        else:
            self._rows = [i for i, e in enumerate(self._events) if matches(e, kinds)]
        self._cache.clear()
        self._resize()
        self._move(len(self._rows) - 1 if follow else min(self.cursor, len(self._rows) - 1))
        self._update_subtitle()
        self.refresh()

    def _resize(self) -> None:
        # Width 0: rows are cut to the visible width, never scrolled sideways.
        size = Size(0, len(self._rows))
        if size == self.virtual_size:
            return
        height = self.scrollable_content_region.height
        if height and (size.height > height) == (self.virtual_size.height > height):
            # Only the scroll range grew: update the scrollbar and repaint this widget, rather
            # than laying out (and repainting) the whole screen for every live event.
            self.set_reactive(Widget.virtual_size, size)
            self._scroll_update(size)
            self.refresh()
        else:
            self.virtual_size = size

    # -- cursor and paging --

    def _move(self, row: int) -> None:
        row = max(-1 if not self._rows else 0, min(row, len(self._rows) - 1))
        if row >= len(self._rows) - 1:
            self._unseen = 0
        self.cursor = row
        self._update_subtitle()
        if row >= 0:
            self._reveal(row)

    def _reveal(self, row: int) -> None:
        """Scroll so `row` is visible; waits for layout when the size is not known yet."""
        height = self.scrollable_content_region.height
        if height <= 0:
            # Not laid out yet: put the row at the top now (layout then clamps the offset, so
            # the newest row ends up at the bottom of the first frame), and check afterwards.
            self.scroll_to(y=row, animate=False, immediate=True, force=True)
            self.call_after_refresh(self._reveal, row)
            return
        top = round(self.scroll_y)
        target = row if row < top else row - height + 1 if row >= top + height else top
        if target != top:
            # forced: right after the content grew the scrollbars are not laid out yet
            self.scroll_to(y=target, animate=False, immediate=True, force=True)

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()
        self._update_subtitle()

    def watch_filter_name(self) -> None:
        self._refilter(follow=True)

    def action_cursor(self, delta: int) -> None:
        """Move the cursor by `delta` rows."""
        self._move(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        """Move a page up or down."""
        self._move(self.cursor + direction * max(1, self.scrollable_content_region.height - 1))

    def action_jump(self, row: int) -> None:
        """Jump to the oldest (0) or newest (-1) row."""
        self._move(len(self._rows) - 1 if row < 0 else row)

    def action_cycle_filter(self) -> None:
        """Next filter: all, customer updates, updates, decisions, commitments, notes, changes."""
        names = list(FILTERS)
        self.filter_name = names[(names.index(self.filter_name) + 1) % len(names)]

    def action_show_event(self) -> None:
        """Ask for the full text of the event under the cursor."""
        if 0 <= self.cursor < len(self._rows):
            self.post_message(self.Selected(self._events[self._rows[self.cursor]]))

    def _update_subtitle(self) -> None:
        title = FILTERS[self.filter_name][0]
        where = "following" if self.following else f"row {self.cursor + 1}/{len(self._rows)}"
        if self._unseen:
            where += f" · ▼ {self._unseen} new (End)"
        set_subtitle(self, f"{title} · {where} · f filter")

    # -- rendering --

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def on_resize(self) -> None:
        self._cache.clear()
        if self.cursor >= 0:
            self.call_after_refresh(self._reveal, self.cursor)

    def render_line(self, y: int) -> Strip:
        row = round(self.scroll_y) + y
        width = self.scrollable_content_region.width
        if row >= len(self._rows) or width <= 0:
            return Strip.blank(width, self.rich_style)
        key = (self._rows[row], width, row == self.cursor)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._format(self._events[self._rows[row]], width, row == self.cursor)
            self._cache[key] = strip
        return strip

    def _format(self, event: Event, width: int, under_cursor: bool) -> Strip:
        base = self.rich_style
        if under_cursor:
            base = base + self._style("timeline--cursor")
        kind = str(event.kind)
        text_class = _KIND_STYLE.get(kind)
        if kind == "update_posted" and event.payload.get("audience") == "customer":
            text_class = "timeline--customer"
        text_style = self._style(text_class) if text_class else Style()
        parts: list[tuple[str, Style]] = [
            (event.occurred_at.strftime("%m-%d %H:%M:%S "), self._style("timeline--time")),
        ]
        if self.tz is not None and width >= 110:
            local = hhmm(event.occurred_at, self.tz).ljust(10) + " "
            parts.append((local, self._style("timeline--local")))
        parts.append((f"{label(event):<9}", self._style("timeline--kind") + text_style))
        if width >= 70:
            parts.append((f"{event.actor[:12]:<13}", self._style("timeline--actor")))
        parts.append((summary(event), text_style))
        delivery = self._deliveries.get(event.seq) if kind == "update_posted" else None
        if delivery is not None:
            text, worst = delivery
            style = {"delivered": "timeline--good", "failed": "timeline--alert"}.get(
                worst, "timeline--pending")
            parts.append((f"  {text}", self._style(style)))
        segments = [Segment(text, base + part_style) for text, part_style in parts]
        return Strip(segments).crop_extend(0, width, base).simplify()

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name, partial=True)
