"""`warroom serve` and `warroom token add | list | revoke`."""

from __future__ import annotations

import argparse
import json
from collections.abc import Coroutine
from dataclasses import asdict
from typing import Any

from warroom.cli.context import Context
from warroom.domain.errors import InvalidInput


def add_server_verbs(sub: Any, shared: argparse.ArgumentParser) -> None:
    """Register `serve` and `token`."""
    p = sub.add_parser("serve", parents=[shared], help="run the HTTP API (and SSH/web gates)",
                       description="Serve the store over HTTP with live push.")
    p.add_argument("--host", default="127.0.0.1", help="address (default: loopback)")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--tls-cert", metavar="FILE")
    p.add_argument("--tls-key", metavar="FILE")
    p.add_argument("--log-level", default="info",
                   choices=["critical", "error", "warning", "info", "debug"])
    p.add_argument("--no-api", action="store_true", help="run only the SSH/web gates")
    from warroom.gate.serve import add_gate_arguments

    add_gate_arguments(p)

    p = sub.add_parser("token", parents=[shared], help="API tokens",
                       description="Create, list and revoke API tokens.")
    actions = p.add_subparsers(dest="token_verb", metavar="ACTION", required=True,
                               parser_class=type(p))
    add = actions.add_parser("add", help="create a token for PERSON (printed once)")
    add.add_argument("person")
    add.add_argument("--read-only", action="store_true", help="read and stream only")
    listing = actions.add_parser("list", help="list tokens (never their secrets)")
    listing.add_argument("--all", action="store_true", help="include revoked tokens")
    listing.add_argument("--json", action="store_true")
    revoke = actions.add_parser("revoke", help="revoke by token id, token, or person")
    revoke.add_argument("which")


def run_serve(ctx: Context, args: argparse.Namespace) -> int:
    """Run the server in the foreground."""
    from warroom.cli.targets import FILE
    from warroom.server.run import serve

    ctx.store_kind("serve", (FILE,))
    gates: list[Coroutine[Any, Any, None]] = []
    if args.ssh or args.web:
        from warroom.gate.serve import GateUnavailable, gate_coroutines

        config_path = str(ctx.config_path) if ctx.config_path else None
        try:
            gates = gate_coroutines(args, str(ctx.store_path()), config_path)
        except GateUnavailable as exc:
            raise InvalidInput("--ssh/--web", str(exc)) from None
    if args.no_api:
        if not gates:
            raise InvalidInput("--no-api", "give --ssh or --web to serve without the API")
        from warroom.gate.serve import run_services

        return run_services(gates)
    return serve(ctx.store_path(), args.host, args.port, args.tls_cert, args.tls_key, ctx.config,
                 log_level=args.log_level, gates=gates)


def run_token(ctx: Context, args: argparse.Namespace) -> int:
    """Token administration on the store file."""
    from warroom.cli.targets import FILE
    from warroom.server.tokens import TokenError, add_token, list_tokens, revoke_token

    ctx.store_kind("token", (FILE,))
    path = ctx.store_path()
    try:
        if args.token_verb == "add":
            print(add_token(path, args.person, read_only=args.read_only))
        elif args.token_verb == "list":
            tokens = list_tokens(path, include_revoked=args.all)
            if args.json:
                print(json.dumps([asdict(t) for t in tokens], indent=2))
            for t in [] if args.json else tokens:
                kind = "read-only" if t.read_only else "read-write"
                revoked = f"  revoked {t.revoked_at}" if t.revoked_at else ""
                print(f"{t.id}  {t.person:<16}{kind:<11}created {t.created_at}{revoked}")
        else:
            for t in revoke_token(path, args.which):
                print(f"revoked {t.id} ({t.person})")
    except TokenError as exc:
        raise InvalidInput("token", str(exc)) from None
    return 0
