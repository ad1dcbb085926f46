"""Console verbs: `warroom [console]`, `warroom demo`, `warroom wall`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

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
        incident_id = seed(service, system_clock())
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


def theme_keeper(target: Path) -> Callable[[str], None]:
    """Remembers a theme chosen in the console as `console.theme` in the user file `target`
    (validated, written with tomli-w, read back; raises ConfigError)."""

    def keep(name: str) -> None:
        from warroom.config.edit import set_value

        set_value(target, "console.theme", name)

    return keep


def _start_deliverer(ctx: Context) -> Callable[[], None] | None:
    """A console on a local store (a file or a database) delivers too (in a thread, on its own
    connection), so updates leave even when no server or `warroom deliver` runs. Returns how to
    stop it."""
    if ctx.is_remote or ctx.config.delivery is None:
        return None
    from warroom.delivery.worker import Deliverer
    from warroom.store.target import open_store

    store = open_store(ctx.store_location())
    thread, event = Deliverer(store, ctx.config.delivery, ctx.config.policy,
                              system_clock).start()

    def stop() -> None:
        event.set()
        thread.join(15)
        store.close()

    return stop
