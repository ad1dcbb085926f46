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
        content = Content(content) if isinstance(content, str) else content
        super().__init__(content, id=id, classes=classes, markup=False)
        self._key = _key(content)
        """What is shown (its first `show` of the same content does nothing)."""
        self._shape = _shape(content)

    def show(self, content: Content) -> None:
        """Display `content` (no-op when nothing changed)."""
        key = _key(content)
        if key == self._key:
            return
        self._key = key
        shape = _shape(content)
        layout = shape != self._shape and not self.FIXED_SIZE
        self._shape = shape
        self.update(content, layout=layout)


def _key(content: Content) -> tuple[str, tuple[object, ...]]:
    return content.plain, tuple(content.spans)


def _shape(content: Content) -> tuple[int, ...]:
    """Line lengths: a change of them may need a new layout."""
    return tuple(len(line) for line in content.plain.split("\n"))


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
