"""The screen shown until the first read of the store is done (usually for one frame), or, while
the store cannot be read, why not and when the console tries again."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from warroom.tui.sync import UNAVAILABLE

READING = "warroom · reading the store…"


class LoadingScreen(Screen[None]):
    """`warroom · reading the store…`, or `warroom · store unavailable: <reason>, retrying in
    2s` (the app's connection state after a failed read)."""

    def compose(self) -> ComposeResult:
        yield Static(READING, id="loading", markup=False)

    def on_mount(self) -> None:
        self.watch(self.app, "connection", self._connection_changed)

    def _connection_changed(self, status: str) -> None:
        text = f"warroom · {status}" if status.startswith(UNAVAILABLE) else READING
        self.query_one("#loading", Static).update(text)
