"""`warroom` command line: the console by default, scripting verbs for alert hooks and people.

Exit status: 0 done, 2 bad input, 3 refused, 4 store unusable, 75 queued for a server that did
not answer (sent later). Errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warroom.cli.context import Context
    from warroom.gcpause import Pause

QUERY_VERBS = {"status", "list", "log"}
_RELATIVE_PAST = re.compile(r"^-(\d+[dhms])+$")
CONSOLE_VERBS = {None, "console", "demo", "wall"}


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `warroom` console script."""
    from warroom.gcpause import collector_paused

    # Start-up allocates many long-lived objects (Textual's CSS, widgets, the state) and no
    # garbage worth collecting: collecting then only costs time (about 0.09 s here). The console
    # lets go once its first read is done or has failed; other verbs before they run.
    with collector_paused() as startup:
        sys.exit(run(argv, startup))


def run(argv: Sequence[str] | None = None, startup: Pause | None = None) -> int:
    """Parse and dispatch; returns the exit status. `startup`: a hold on the garbage collector,
    released here for a scripting verb and by the console once its first read is done."""
    from warroom.cli.context import Context
    from warroom.cli.parser import build_parser, wants_console
    from warroom.gate.guard import guard_textual, is_remote

    if is_remote():  # started by the SSH gate or the web view: no links or files on the server
        guard_textual()
    words = _shield_relative_times(sys.argv[1:] if argv is None else argv)
    args = build_parser(console_only=wants_console(words)).parse_args(words)
    ctx = Context(args.store, args.actor, args.config,
                  no_queue=bool(getattr(args, "no_queue", False)),
                  scripting=args.verb not in CONSOLE_VERBS, verb=args.verb)
    if args.verb not in CONSOLE_VERBS and startup is not None:
        startup.release()
    try:
        status = _dispatch(ctx, args, startup)
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


def _dispatch(ctx: Context, args: argparse.Namespace, startup: Pause | None) -> int:
    from warroom.cli import verbs

    verb = args.verb
    if verb in CONSOLE_VERBS:
        from warroom.cli.console import run_console_verb

        return run_console_verb(ctx, args, startup)
    if verb in QUERY_VERBS:
        return verbs.run_query(ctx, args)
    from warroom.cli.post_verbs import POST_VERBS, run_post

    if verb in POST_VERBS:
        return run_post(ctx, args)
    if verb in ("serve", "token", "db"):
        from warroom.cli import server_verbs

        run_verb = {"serve": server_verbs.run_serve, "token": server_verbs.run_token,
                    "db": server_verbs.run_db}[verb]
        return run_verb(ctx, args)
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
