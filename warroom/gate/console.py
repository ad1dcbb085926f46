"""A remote viewer's console process: its command line and its environment (SSH sessions and
browsers alike).

The console is started as `python -m warroom --store STORE --as PERSON [--config FILE] console`
(or `wall` for a read-only viewer), with `WARROOM_USER=PERSON` and `WARROOM_REMOTE_SESSION=1`
in an environment cleaned of anything the server process's own terminal, agent or store gave it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence

from warroom.gate.guard import CONSOLE_MODULE, REMOTE_ENV

CommandFactory = Callable[[str, bool], Sequence[str]]
"""(person, read_only) -> the console's command line."""

# Environment a console must not inherit from the server process.
_STRIP_ENV = ("DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "SSH_AUTH_SOCK", "SSH_AGENT_PID",
              "SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY", "TMUX", "TMUX_PANE", "STY", "COLUMNS",
              "LINES", "TERM", "COLORTERM", "TERM_PROGRAM", "TERM_PROGRAM_VERSION",
              "WARROOM_USER", "WARROOM_READONLY", "WARROOM_STORE", "WARROOM_WEB_TOKEN",
              "WARROOM_TOKEN",
              "TEXTUAL", "TEXTUAL_DRIVER", "TEXTUAL_SCREENSHOT", "TEXTUAL_SCREENSHOT_LOCATION",
              "TEXTUAL_SCREENSHOT_FILENAME", "TEXTUAL_PRESS", "TEXTUAL_LOG",
              "TEXTUAL_DEVTOOLS_HOST", "TEXTUAL_DEVTOOLS_PORT", "TEXTUAL_COLOR_SYSTEM",
              "PYTHONSTARTUP", "PYTHONINSPECT", "PYTHONBREAKPOINT")


def console_command(store: str, config_path: str | None = None) -> CommandFactory:
    """The command line of a session's console: `console`, or `wall` for a read-only key."""

    def build(person: str, read_only: bool) -> list[str]:
        argv = [sys.executable, "-m", CONSOLE_MODULE, "--store", store, "--as", person]
        if config_path:
            argv += ["--config", str(config_path)]
        argv.append("wall" if read_only else "console")
        return argv

    return build


def session_env(person: str, read_only: bool, term: str,
                client_env: Mapping[str, str] | None = None,
                base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a session's console."""
    env = {k: v for k, v in (os.environ if base is None else base).items()
           if k not in _STRIP_ENV}
    env["TERM"] = term or "xterm-256color"
    env["WARROOM_USER"] = person
    env[REMOTE_ENV] = "1"
    if read_only:
        env["WARROOM_READONLY"] = "1"
    env["BROWSER"] = "true"  # a second lock: webbrowser.open does nothing
    if "UTF-8" not in env.get("LANG", "").upper().replace("UTF8", "UTF-8"):
        env["LANG"] = "C.UTF-8"
    env.pop("LC_ALL", None)
    colorterm = (client_env or {}).get("COLORTERM", "")
    if colorterm in ("truecolor", "24bit"):
        env["COLORTERM"] = colorterm
    return env
