"""The screen shown until the first read of the store is done (usually for one frame)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static


class LoadingScreen(Screen[None]):
    """`warroom · reading the store…`"""

    def compose(self) -> ComposeResult:
        yield Static("warroom · reading the store…", id="loading")
