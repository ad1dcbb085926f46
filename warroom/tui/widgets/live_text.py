"""LiveText: a Static redrawn every heartbeat without laying the screen out again.

A `Static.update` normally asks for a new layout of the whole screen; a countdown that changes
every second but keeps its shape (same lines, same widths) only needs a repaint.
"""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Digits, Static


class LiveText(Static):
    """A Static with `show(content)`: repaint only, unless the text's shape changed."""

    FIXED_SIZE = False
    """True for widgets whose size never depends on their text (a layout is never needed)."""

    def __init__(self, content: Content | str = "", *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(content, id=id, classes=classes, markup=False)
        self._key: tuple[str, tuple[object, ...]] | None = None
        self._shape: tuple[int, ...] = ()

    def show(self, content: Content) -> None:
        """Display `content` (no-op when nothing changed)."""
        key = (content.plain, tuple(content.spans))
        if key == self._key:
            return
        self._key = key
        shape = tuple(len(line) for line in content.plain.split("\n"))
        layout = shape != self._shape and not self.FIXED_SIZE
        self._shape = shape
        self.update(content, layout=layout)


class Countdown(Digits):
    """Large digits that repaint only when the value changes."""

    def show(self, value: str) -> None:
        """Display `value` (no-op when unchanged)."""
        if value != self.value:
            self.update(value)


def set_subtitle(widget: Widget, text: str) -> None:
    """Set a border subtitle only if it changed (setting it always repaints)."""
    if widget.border_subtitle != text:
        widget.border_subtitle = text
