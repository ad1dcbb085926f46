"""A console for a remote viewer is the ordinary command line, `python -m warroom ARGS`
(`CONSOLE_MODULE`), with `WARROOM_REMOTE_SESSION=1` in its environment. The command line then
calls `guard_textual` first, which closes the two ways a remote person could act on the server's
desktop or disk through Textual itself:

- `App.open_url` (the browser would open on the server, not at the person's end) is refused
  with a notice that shows the link, so it can still be copied;
- `App.deliver_binary`, `deliver_text` and the private `_deliver_binary` they share (behind
  `deliver_screenshot` and the command palette's "Screenshot", which save into the server's
  Downloads folder) are refused with a notice; the palette's Screenshot entry is removed.

Suspending the process (`action_suspend_process`) is a no-op: no shell would resume it.

Subclasses that override these methods themselves (the console honours
`WARROOM_REMOTE_SESSION=1`) keep their own behaviour. Importing this module patches nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

CONSOLE_MODULE = "warroom"
"""What the gates run (`python -m warroom`) for each remote session."""
REMOTE_ENV = "WARROOM_REMOTE_SESSION"
REFUSED_LINK = "Links can't be opened from a remote session: {url}"
REFUSED_FILE = "Files can't be saved on the server from a remote session."


def is_remote() -> bool:
    """True inside a console started by the SSH gate or the web view."""
    return os.environ.get(REMOTE_ENV) == "1"


def guard_textual() -> None:
    """Refuse opening links and saving files on the server in every Textual app."""
    from textual.app import App

    def open_url(self: App[Any], url: str, *, new_tab: bool = True) -> None:
        self.notify(REFUSED_LINK.format(url=url), title="Not here", severity="warning")

    def deliver_binary(self: App[Any], *args: Any, **kwargs: Any) -> str | None:
        self.notify(REFUSED_FILE, title="Not here", severity="warning")
        return None

    original_commands = App.get_system_commands

    def get_system_commands(self: App[Any], screen: Any) -> Iterable[Any]:
        for command in original_commands(self, screen):
            if getattr(command, "title", "") != "Screenshot":
                yield command

    def action_suspend_process(self: App[Any]) -> None:
        """Nobody at the server would resume it: the remote session would just hang."""

    App.open_url = open_url  # type: ignore[method-assign]
    App.action_suspend_process = action_suspend_process  # type: ignore[method-assign]
    # deliver_text and deliver_screenshot go through _deliver_binary (Textual 8); cover all.
    for name in ("deliver_binary", "deliver_text", "_deliver_binary"):
        if hasattr(App, name):
            setattr(App, name, deliver_binary)
    App.get_system_commands = get_system_commands  # type: ignore[method-assign]

