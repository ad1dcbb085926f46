"""A one-line key bar: the keys that work right now, in context.

Lighter than Textual's Footer (one widget instead of one per key, and nothing is recomposed):
it redraws only when the screen's bindings change (focus moved, an action became available).
"""

from __future__ import annotations

from textual.content import Content

from warroom.tui.widgets.live_text import LiveText


class KeyBar(LiveText):
    """`u Update  n Note  …  ^p palette`, from the screen's active bindings."""

    DEFAULT_CSS = """
    KeyBar {
        height: 1;
        background: $panel;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    FIXED_SIZE = True

    def __init__(self) -> None:
        super().__init__("", id="keybar")

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._changed)
        self._changed()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _changed(self, *_: object) -> None:
        parts: list[Content | tuple[str, str] | str] = []
        seen: set[str] = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.show or not binding.description or binding.description in seen:
                continue
            seen.add(binding.description)
            key = binding.key_display or self.app.get_key_display(binding)
            parts += [(f" {key} ", "bold $text on $primary 40%"), f" {binding.description}  "]
        parts.append((" ^p ", "bold $text on $primary 40%"))
        parts.append(" palette")
        self.show(Content.assemble(*parts))
