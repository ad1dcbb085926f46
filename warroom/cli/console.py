"""Console verbs: `warroom [console]`, `warroom demo`, `warroom wall`."""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warroom.cli.context import Context, system_clock

if TYPE_CHECKING:
    from warroom.gcpause import Pause


def demo_store_path() -> Path:
    """Where `warroom demo` keeps its freshly seeded store."""
    from warroom.paths import data_dir

    return data_dir() / "demo.db"


def run_console_verb(ctx: Context, args: argparse.Namespace, startup: Pause | None = None) -> int:
    """Open the console (or the wallboard), seeding the demo first for `demo`; the console lets
    go of `startup` (a hold on the garbage collector) once its first read is done."""
    if args.verb == "demo":
        if ctx.store_arg is None:
            path = demo_store_path()
            for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                stale.unlink(missing_ok=True)
            ctx.store_arg = str(path)
        from warroom.demo import seed

        service = ctx.service()
        service.delivery = None  # the demo's updates are not for real channels
        incident_id = seed(service, system_clock())
        if not getattr(args, "actor", None):  # `demo --as NAME` acts as NAME
            ctx.act_as(service.state(incident_id).roles["incident_commander"])
        if args.print_only:
            from warroom.cli.output import status_text

            print(status_text(service.status(incident_id)))
            return 0
        return _launch(ctx, args, incident_id, startup)
    return _launch(ctx, args, getattr(args, "id", None), startup)


def _launch(ctx: Context, args: argparse.Namespace, incident_id: str | None,
            startup: Pause | None) -> int:
    from warroom.cli.config_verbs import theme_dirs, user_file
    from warroom.tui.launch import run_console

    theme = getattr(args, "theme", None) or ctx.config.console.theme
    service = ctx.service()
    stop = _start_deliverer(ctx) if args.verb != "demo" else None
    try:
        run_console(service, user=ctx.actor, theme=theme, wall=args.verb == "wall",
                    incident_id=incident_id, theme_dirs=theme_dirs(),
                    on_theme=theme_keeper(user_file(ctx)), startup=startup)
    finally:
        if stop is not None:
            stop()
    return 0


DELIVERER_GRACE = 2.0
"""Seconds the console's deliverer waits before starting (after the first frame)."""


def theme_keeper(target: Path) -> Callable[[str], None]:
    """Remembers a theme chosen in the console as `console.theme` in the user file `target`
    (validated, written with tomli-w, read back; raises ConfigError)."""

    def keep(name: str) -> None:
        from warroom.config.edit import set_value

        set_value(target, "console.theme", name)

    return keep


def _start_deliverer(ctx: Context) -> Callable[[], None] | None:
    """A console on a local store (a file or a database) delivers too (in a thread, on its own
    connection), so updates leave even when no server or `warroom deliver` runs. The thread
    waits `DELIVERER_GRACE` seconds before building its parts (pydantic, a store connection),
    so the console's first frame does not wait for them. Returns how to stop it."""
    if ctx.is_remote or not ctx.config.data.get("channels"):
        return None
    stop_event = threading.Event()
    stores: list[Any] = []

    def work() -> None:
        if stop_event.wait(DELIVERER_GRACE):
            return
        from warroom.delivery.worker import Deliverer
        from warroom.store.target import open_store

        delivery = ctx.config.delivery
        if delivery is None:
            return
        stores.append(open_store(ctx.store_location()))
        Deliverer(stores[0], delivery, ctx.config.policy, system_clock).run(stop_event)

    thread = threading.Thread(target=work, name="warroom-deliver", daemon=True)
    thread.start()

    def stop() -> None:
        stop_event.set()
        thread.join(15)
        for store in stores:
            store.close()

    return stop
