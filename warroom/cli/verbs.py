"""Scripting verbs: turn parsed arguments into commands, run them, print the outcome."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from warroom.cli import output
from warroom.cli.context import Context
from warroom.domain.errors import InvalidInput
from warroom.domain.status import list_rows
from warroom.domain.structs import dump
from warroom.domain.timeparse import TimeParseError, parse_time
from warroom.domain.urgency import document_key

if TYPE_CHECKING:
    from warroom.domain.commands import AnyCommand

TimeReader = Callable[[str | None, str], datetime | None]
CommandBuilder = Callable[[argparse.Namespace, TimeReader], "AnyCommand"]


def _impact(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "impact": args.impact,
        "affected": args.affected,
        "strategic": args.strategic,
        "data_loss": args.data_loss,
        "business_risk": args.business_risk,
    }


@cache
def builders() -> dict[str, CommandBuilder]:
    """Each write verb's command from its arguments (building one checks it). The command
    models are imported here, not at start-up: the console never needs them to open."""
    from warroom.domain import commands as c

    return {
        "open": lambda a, t: c.Open(title=a.title, customer=a.customer, severity=a.severity,
                                    component=a.component, category=a.category, **_impact(a)),
        "triage": lambda a, t: c.Triage(incident_id=a.id, severity=a.severity,
                                        reason=a.reason, **_impact(a)),
        "severity": lambda a, t: c.ChangeSeverity(incident_id=a.id, severity=a.severity,
                                                  reason=a.reason),
        "assign": lambda a, t: c.Assign(incident_id=a.id, role=a.role, person=a.person),
        "note": lambda a, t: c.Note(incident_id=a.id, text=a.text),
        "update": lambda a, t: c.PostUpdate(
            incident_id=a.id, audience=a.audience, phase=a.phase, template=a.template,
            body=a.body, next_update_at=t(a.next_update, "--next-update")),
        "commit": lambda a, t: c.MakeCommitment(incident_id=a.id, text=a.text,
                                                due_at=_given(t(a.due, "--due"), "--due"),
                                                owner=a.owner),
        "commitment": lambda a, t: c.ResolveCommitment(
            incident_id=a.id, commitment_id=a.cid, outcome=a.outcome,
            due_at=t(a.due, "--due"), reason=a.reason),
        "pause": lambda a, t: c.Pause(incident_id=a.id, reason=a.reason),
        "resume": lambda a, t: c.Resume(incident_id=a.id),
        "take": lambda a, t: c.Take(incident_id=a.id),
        "decide": lambda a, t: c.Decide(incident_id=a.id, right=a.right, text=a.text),
        "phase": lambda a, t: c.ChangePhase(incident_id=a.id, phase=a.phase),
        "resolve": lambda a, t: c.Resolve(incident_id=a.id, summary=a.summary),
        "close": lambda a, t: c.Close(incident_id=a.id),
        "edit": lambda a, t: c.EditMilestone(incident_id=a.id, milestone=a.milestone,
                                             new_time=_given(t(a.time, "TIME"), "TIME"),
                                             reason=a.reason),
        "tag": lambda a, t: c.SetTags(
            incident_id=a.id,
            tags={k: v for k, v in (("component", a.component), ("category", a.category))
                  if v is not None}),
    }


def time_reader(now: datetime) -> TimeReader:
    """A parser for time options that names the option in its error."""

    def read(text: str | None, option: str) -> datetime | None:
        if text is None:
            return None
        try:
            return parse_time(text, now)
        except TimeParseError as exc:
            raise InvalidInput(option, str(exc)) from None

    return read


def _given(value: datetime | None, option: str) -> datetime:
    """A time the parser requires (so present unless the parser changes)."""
    if value is None:
        raise InvalidInput(option, "required")
    return value


def run_command(ctx: Context, args: argparse.Namespace) -> int:
    """Run a write verb; print its result (the id, or JSON)."""
    read_time = time_reader(ctx.service().clock())
    result = execute(ctx, args, builders()[args.verb](args, read_time), read_time)
    if not args.json:
        print(output.result_line(args.verb, result))
    return 0


def execute(ctx: Context, args: argparse.Namespace, command: AnyCommand,
            read_time: TimeReader | None = None) -> dict[str, Any]:
    """Run a write verb's command as the actor, at `--at` when given, and print the result as
    JSON under `--json` (otherwise the verb prints its own line); returns the result.

    `read_time`: the reader the command's other times were read with, so all share one now.
    """
    service = ctx.service()
    at = (read_time or time_reader(service.clock()))(args.at, "--at")
    if at is not None:
        command = command.model_copy(update={"at": at})
    result = service.execute(command, ctx.actor)
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    return result


def run_query(ctx: Context, args: argparse.Namespace) -> int:
    """status, list and log (read-only: they never create a store)."""
    service = ctx.service(read_only=True)
    now = service.clock()
    if args.verb == "status":
        as_of = time_reader(now)(args.as_of, "--as-of")
        doc = service.status(args.id, as_of)
        print(json.dumps(doc, indent=2) if args.json else output.status_text(doc))
    elif args.verb == "list" and args.all and not args.json:
        # Every escalation, a line each: the lines' fields only, not 10,000 full documents.
        states = service.states()
        print(output.list_text(list_rows(states.values(), service.policy, service.clock())))
    elif args.verb == "list":
        docs = service.statuses(lambda s: args.all or (s.closed_at is None and not s.imported),
                                open_only=not args.all)
        docs.sort(key=document_key)
        print(json.dumps(docs, indent=2) if args.json else output.list_text(docs))
    else:
        events = service.events(args.id)
        if args.json:
            print(json.dumps([dump(e) for e in events], indent=2))
        else:
            print(output.log_text(events))
    return 0
