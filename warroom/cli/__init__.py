"""`warroom` command line: the console by default, scripting verbs for alert hooks and people.

Exit status: 0 done, 2 bad input, 3 refused, 4 store unusable, 75 queued for a server that did
not answer (sent later). Errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warroom.cli.context import Context

QUERY_VERBS = {"status", "list", "log"}
_RELATIVE_PAST = re.compile(r"^-(\d+[dhms])+$")
CONSOLE_VERBS = {None, "console", "demo", "wall"}


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `warroom` console script."""
    # Start-up allocates many long-lived objects (Textual's CSS, widgets, the state) and no
    # garbage worth collecting: collecting then only costs time (about 0.09 s here). The console
    # re-enables the collector once its first frame is drawn; other verbs before they run.
    gc.disable()
    try:
        sys.exit(run(argv))
    finally:
        gc.enable()


def run(argv: Sequence[str] | None = None) -> int:
    """Parse and dispatch; returns the exit status."""
    from warroom.cli.context import Context
    from warroom.cli.parser import build_parser, wants_console

    words = _shield_relative_times(sys.argv[1:] if argv is None else argv)
    args = build_parser(console_only=wants_console(words)).parse_args(words)
    ctx = Context(args.store, args.actor, args.config,
                  no_queue=bool(getattr(args, "no_queue", False)),
                  scripting=args.verb not in CONSOLE_VERBS, verb=args.verb)
    if args.verb not in CONSOLE_VERBS:
        gc.enable()
    try:
        status = _dispatch(ctx, args)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        # The reader went away (`warroom list | head`): stop quietly, as a filter should.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:
        code, message = _explain(exc)
        if code is None:
            raise
        print(f"warroom: {message}", file=sys.stderr)
        return code


def _shield_relative_times(argv: Sequence[str]) -> list[str]:
    """Keep argparse from reading a relative past time (`-10m`) as an option: a leading space
    makes it a value; time parsing strips it."""
    return [f" {arg}" if _RELATIVE_PAST.match(arg) else arg for arg in argv]


def _dispatch(ctx: Context, args: argparse.Namespace) -> int:
    from warroom.cli import verbs

    verb = args.verb
    if verb in CONSOLE_VERBS:
        from warroom.cli.console import run_console_verb

        return run_console_verb(ctx, args)
    if verb in QUERY_VERBS:
        return verbs.run_query(ctx, args)
    from warroom.cli.post_verbs import POST_VERBS, run_post

    if verb in POST_VERBS:
        return run_post(ctx, args)
    if verb in ("serve", "token"):
        from warroom.cli import server_verbs

        return (server_verbs.run_serve if verb == "serve" else server_verbs.run_token)(ctx, args)
    if verb == "outbox":
        from warroom.cli.outbox_verbs import run_outbox

        return run_outbox(ctx, args)
    if verb in ("deliver", "statuspage"):
        from warroom.cli.delivery_verbs import run_delivery_verb

        return run_delivery_verb(ctx, args)
    if verb == "config":
        from warroom.cli.config_verbs import run_config

        return run_config(ctx, args)
    return verbs.run_command(ctx, args)


def _explain(exc: Exception) -> tuple[int | None, str]:
    """Exit status and one-line message for an expected failure (None: a bug, re-raise)."""
    from warroom.config import ConfigError
    from warroom.domain.errors import CommandError
    from warroom.store.base import StoreError
    from warroom.store.outbox import Queued

    if isinstance(exc, Queued):
        return 75, str(exc)
    if isinstance(exc, CommandError):
        return exc.exit_code, str(exc)
    if isinstance(exc, ConfigError):
        return 2, str(exc)
    if isinstance(exc, StoreError):
        return 4, f"store: {exc}"
    return None, ""
