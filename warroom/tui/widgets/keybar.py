"""A one-line key bar: the keys that work right now, in context.

Lighter than Textual's Footer (one widget instead of one per key, and nothing is recomposed):
it redraws only when the screen's bindings change (focus moved, an action became available).
"""

from __future__ import annotations

from textual.content import Content

from warroom.tui.widgets.live_text import LiveText

KEY_STYLE = "bold $text on $primary 40%"
TAIL = Content.assemble((" ? ", KEY_STYLE), " help  ", (" ^p ", KEY_STYLE), " all actions")
"""Always last: where every other key and action is."""


class KeyBar(LiveText):
    """`u Update  n Note  …  ? help  ^p all actions`, from the screen's active bindings: as many
    whole keys as fit the width (never a cut word), then the help and palette keys."""

    DEFAULT_CSS = """
    KeyBar {
        height: 1;
        background: $panel;
        color: $text-muted;
        text-wrap: nowrap;
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

    def on_resize(self) -> None:
        self._changed()

    def _changed(self, *_: object) -> None:
        width = self.size.width or self.app.size.width
        room = width - TAIL.cell_length
        parts: list[Content] = []
        seen: set[str] = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if (not binding.show or not binding.description or binding.description in seen
                    or binding.action in ("guide", "app.guide", "command_palette")):
                continue
            seen.add(binding.description)
            key = binding.key_display or self.app.get_key_display(binding)
            item = Content.assemble((f" {key} ", KEY_STYLE), f" {binding.description}  ")
            if item.cell_length > room:
                break
            room -= item.cell_length
            parts.append(item)
        self.show(Content.assemble(*parts, TAIL))
