"""Command palette entries: every action available right now, with its key."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

from warroom.tui.screens.actions import PALETTE_TITLES
from warroom.tui.screens.post_actions import POST_TITLES


def palette_commands(app: App[Any], screen: Screen[Any]) -> Iterator[SystemCommand]:
    """The screen's and the app's actions that `check_action` allows, titled for search."""
    seen: set[str] = set()
    for node in (screen, app):
        for binding in node.BINDINGS:
            if not isinstance(binding, Binding) or not binding.description:
                continue
            action = binding.action.split("(")[0]
            if action in ("quit", "tab") or action in seen:
                continue
            if not hasattr(node, f"action_{action}") or node.check_action(action, ()) is False:
                continue
            seen.add(action)
            key = binding.key_display or binding.key.split(",")[0]
            title = PALETTE_TITLES.get(action) or POST_TITLES.get(action, str(binding.description))
            yield SystemCommand(title, f"key: {key}", _runner(node, action))


def _runner(node: DOMNode, action: str) -> Callable[[], object]:
    def run() -> object:
        return node.app.run_action(action, node)

    return run
