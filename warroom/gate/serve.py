"""Wiring for `warroom serve --ssh ... --web ...`: options, and running the gates beside the API.

The lead's `serve` verb can call `add_gate_arguments(parser)` on its subparser, then
`run_services(gate_coroutines(args, store, config_path), api=uvicorn_server_or_None)`.
`python -m warroom.gate` uses the same pieces to run the gates alone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Coroutine, Sequence
from typing import Any


def parse_hostport(text: str, default_host: str = "127.0.0.1") -> tuple[str, int]:
    """`HOST:PORT`, `:PORT`, `PORT` or `[V6]:PORT` to (host, port); raises ValueError."""
    text = text.strip()
    host, sep, port_text = text.rpartition(":")
    if not sep:
        host, port_text = "", text
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        port = int(port_text)
    except ValueError:
        raise ValueError(f"{text!r}: expected HOST:PORT") from None
    if not 0 <= port <= 65535:
        raise ValueError(f"{text!r}: port out of range")
    return host or default_host, port


def _hostport(text: str) -> tuple[str, int]:
    try:
        return parse_hostport(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_gate_arguments(parser: argparse.ArgumentParser) -> None:
    """The `--ssh`/`--web` options of `warroom serve`."""
    group = parser.add_argument_group("ssh gate and browser wallboard")
    group.add_argument("--ssh", type=_hostport, metavar="HOST:PORT",
                       help="also accept `ssh -p PORT warroom@HOST` (each session a console)")
    group.add_argument("--roster", metavar="FILE",
                       help="SSH roster in authorized_keys form "
                            "(default: ssh_roster in the config directory)")
    group.add_argument("--host-key", metavar="FILE",
                       help="SSH host key, created once (default: ssh_host_key in the data "
                            "directory)")
    group.add_argument("--ssh-user", default="warroom", metavar="NAME",
                       help="the only user name accepted (default: warroom)")
    group.add_argument("--ssh-max-sessions", type=int, default=64, metavar="N",
                       help="sessions open at once, all connections (default: 64)")
    group.add_argument("--no-prefork", action="store_true",
                       help="start each SSH console from scratch instead of forking it from "
                            "a process that has the console loaded (slower, less memory idle)")
    group.add_argument("--web", type=_hostport, metavar="HOST:PORT",
                       help="also serve the read-only wallboard to browsers")
    group.add_argument("--web-token", metavar="TOKEN",
                       help="the wallboard's token (default: kept in web_token in the data "
                            "directory, created once)")
    group.add_argument("--web-max-sessions", type=int, default=16, metavar="N",
                       help="browsers at once (default: 16)")


def gate_coroutines(args: argparse.Namespace, store: str,
                    config_path: str | None = None) -> list[Coroutine[Any, Any, None]]:
    """The gates asked for by `args` (from `add_gate_arguments`), as coroutines to run."""
    coros: list[Coroutine[Any, Any, None]] = []
    if getattr(args, "ssh", None):
        from warroom.gate.ssh import run_ssh_gate

        host, port = args.ssh
        coros.append(run_ssh_gate(host, port, store, args.roster, args.host_key, config_path,
                                  user=args.ssh_user, max_sessions=args.ssh_max_sessions,
                                  prefork=not getattr(args, "no_prefork", False)))
    if getattr(args, "web", None):
        from warroom.gate.web import run_web

        host, port = args.web
        tls_cert = getattr(args, "tls_cert", None)
        tls_key = getattr(args, "tls_key", None)
        coros.append(run_web(host, port, store, args.web_token, config_path,
                             max_sessions=args.web_max_sessions,
                             tls_cert=tls_cert, tls_key=tls_key))
    return coros


async def serve_together(coros: Sequence[Coroutine[Any, Any, None]], api: Any = None) -> int:
    """Run the gates (and a `uvicorn.Server`, if given) until SIGINT/SIGTERM or one fails.

    Signals are handled here for all of them (uvicorn's own capture, which re-raises the
    signal after shutting down, is turned off); a second Ctrl-C makes uvicorn stop at once.
    Returns an exit status: 0 after a signal, 1 if a gate or the API failed.
    """
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    interrupts = 0

    def on_signal() -> None:
        nonlocal interrupts
        interrupts += 1
        stop.set()
        if api is not None and interrupts > 1:
            api.force_exit = True

    handled: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, on_signal)
            handled.append(sig)
    tasks = [loop.create_task(c) for c in coros]
    api_task: asyncio.Task[Any] | None = None
    if api is not None:
        api.capture_signals = contextlib.nullcontext  # we handle the signals
        api_task = loop.create_task(api.serve())
        api_task.add_done_callback(lambda _: stop.set())
    for task in tasks:
        task.add_done_callback(lambda _: stop.set())
    status = 0
    try:
        await stop.wait()
    finally:
        for task in tasks:
            if task.done() and not task.cancelled() and task.exception() is not None:
                print(f"warroom serve: {task.exception()}", file=sys.stderr)
                status = 1
        if api_task is not None:
            if not api_task.done():
                api.should_exit = True
            with contextlib.suppress(Exception):
                await api_task
            if not getattr(api, "started", True) or (
                    api_task.done() and not api_task.cancelled() and api_task.exception()):
                status = 1
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for sig in handled:
            loop.remove_signal_handler(sig)
    return status


def run_services(coros: Sequence[Coroutine[Any, Any, None]], api: Any = None) -> int:
    """`serve_together` in a fresh event loop (the sync entry for the CLI)."""
    return asyncio.run(serve_together(coros, api))


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m warroom.gate --store FILE [--ssh HOST:PORT] [--web HOST:PORT] ...`."""
    parser = argparse.ArgumentParser(prog="python -m warroom.gate",
                                     description="Run the SSH gate and/or browser wallboard.")
    parser.add_argument("--store", required=True, metavar="PATH|URL")
    parser.add_argument("--config", metavar="FILE")
    add_gate_arguments(parser)
    args = parser.parse_args(argv)
    if not args.ssh and not args.web:
        parser.error("give --ssh HOST:PORT and/or --web HOST:PORT")
    return run_services(gate_coroutines(args, args.store, args.config))
