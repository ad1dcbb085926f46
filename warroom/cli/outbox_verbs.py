"""`warroom outbox [--json]`, `outbox retry ID`, `outbox discard ID`: commands waiting for (or
refused by) a warroom server, and what to do about them."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from warroom.cli.context import Context
from warroom.domain.errors import InvalidInput, NotFound
from warroom.store.outbox import Entry, Outbox


def add_outbox_verb(sub: Any, shared: argparse.ArgumentParser) -> None:
    """Register `outbox`."""
    p = sub.add_parser("outbox", parents=[shared], help="commands waiting for a server",
                       description="List, retry or discard commands queued for a server.")
    p.add_argument("--json", action="store_true", help="print JSON")
    actions = p.add_subparsers(dest="outbox_verb", metavar="ACTION", parser_class=type(p))
    for name, text in (("retry", "send a failed or stuck command again"),
                       ("discard", "drop a command without sending it")):
        action = actions.add_parser(name, help=text, description=text)
        action.add_argument("entry", type=int, metavar="ID")


def run_outbox(ctx: Context, args: argparse.Namespace) -> int:
    """List, retry or discard."""
    outbox = Outbox()
    try:
        for warning in outbox.warnings:
            print(f"warroom: {warning}", file=sys.stderr)
        if args.outbox_verb is None:
            return _list(outbox, args.json)
        entry = outbox.get(args.entry)
        if entry is None or entry.state == "done":
            raise NotFound(f"no outbox entry #{args.entry} ('warroom outbox' lists them)")
        if args.outbox_verb == "discard":
            outbox.discard(entry.n)
            print(f"#{entry.n} discarded: {entry.describe()}")
            return 0
        outbox.retry(entry.n)
    finally:
        outbox.close()
    return _send(ctx, entry)


def _list(outbox: Outbox, as_json: bool) -> int:
    entries = outbox.entries()
    if as_json:
        print(json.dumps([e.to_json() for e in entries], indent=2))
    elif not entries:
        print("outbox empty")
    else:
        for e in entries:
            state = "pending!" if e.attention else e.state
            reason = f": {e.reason}" if e.reason else ""
            print(f"{state:<9}{e.line()} → {e.server}{reason}")
    return 0


def _send(ctx: Context, entry: Entry) -> int:
    """Flush the entry's server under the current token; report what became of the entry."""
    from warroom.service.remote import RemoteWarRoom
    from warroom.store.http import command_error

    if ctx.store_target and ctx.is_remote and str(ctx.store_target).rstrip("/") != entry.server:
        raise InvalidInput("--store", f"entry #{entry.n} is for {entry.server}, "
                                      f"not {ctx.store_target}")
    remote = RemoteWarRoom.connect(entry.server, ctx.config)
    try:
        remote.flush()
        now = remote.store.outbox.get(entry.n)
    finally:
        remote.store.close()
    if now is None or now.state == "done":
        print(f"#{entry.n} sent: {entry.describe()}")
        return 0
    if now.state == "failed":
        raise command_error(now.status, now.outcome)
    print(f"warroom: #{entry.n} still waits: {now.reason or 'not sent'}", file=sys.stderr)
    return 75
