"""Entry points for the CLI: build the console app, or build and run it.

Imports only Textual and warroom's domain (never fastapi/uvicorn/httpx), so the console starts
fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from warroom.tui.sync import RETRY_S

if TYPE_CHECKING:
    from warroom.gcpause import Pause
    from warroom.service import WarRoom
    from warroom.tui.app import WarRoomApp


def make_app(
    service: WarRoom,
    *,
    user: str,
    theme: str | None = None,
    wall: bool = False,
    incident_id: str | None = None,
    clock: Callable[[], datetime] | None = None,
    bell: bool = True,
    theme_dirs: Iterable[Path] = (),
    startup: Pause | None = None,
    retry_s: float = RETRY_S,
    on_theme: Callable[[str], None] | None = None,
) -> WarRoomApp:
    """The console app over `service`, acting as `user`.

    Args:
        service: commands in, state out (its store is used only from worker threads).
        user: who is at the keyboard (decision rights are checked against this name).
        theme: a theme name (`dark`, `warroom-light`, any Textual theme); None: the default.
        wall: the read-only wallboard of every open escalation instead of the console.
        incident_id: the escalation to show first (default: the most urgent open one).
        clock: the heartbeat's clock (default: the service's clock); tests pass a frozen one.
        bell: ring the terminal bell once when a customer update becomes overdue.
        theme_dirs: folders of the user's own `*.toml` themes.
        on_theme: called with a theme chosen in the console, to remember it for next time.
        startup: a hold on the garbage collector, let go once the first read is done or has
            failed (and when the app ends).
        retry_s: the pause before reading the store again after a failed read.
    """
    from warroom.tui.app import WarRoomApp

    return WarRoomApp(service, user=user, theme=theme, wall=wall, incident_id=incident_id,
                      clock=clock, bell=bell, theme_dirs=theme_dirs, on_theme=on_theme,
                      startup=startup, retry_s=retry_s)


def run_console(
    service: WarRoom,
    *,
    user: str,
    theme: str | None,
    wall: bool = False,
    incident_id: str | None = None,
    theme_dirs: Iterable[Path] = (),
    startup: Pause | None = None,
    on_theme: Callable[[str], None] | None = None,
) -> None:
    """Run the console (or wallboard) in this terminal until the user quits; `theme_dirs` hold
    the user's own `*.toml` themes (they override packaged ones of the same name)."""
    make_app(service, user=user, theme=theme, wall=wall, incident_id=incident_id,
             theme_dirs=theme_dirs, on_theme=on_theme, startup=startup).run()
