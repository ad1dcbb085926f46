"""Why a command was not carried out. Each maps to one CLI exit status and one HTTP status."""

from __future__ import annotations

import json
from collections.abc import Iterable


def location(path: Iterable[str | int]) -> str:
    """The one spelling of where a value sits: `severities.P1.resolve`, `triage_rules[1].name`.

    Keys and field names are joined by dots; list positions (0-based) are in brackets. A key
    with characters that do not print (a line break...) is quoted with its escapes, `tags."\\n"`,
    so the message stays on one line.
    """
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            key = str(part) if str(part).isprintable() else json.dumps(str(part))
            text += f".{key}" if text else key
    return text


class CommandError(Exception):
    """Base: a command that wrote nothing."""

    exit_code = 2
    http_status = 400


class InvalidInput(CommandError):
    """Bad input: a field's value is wrong (exit 2, HTTP 422)."""

    http_status = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class NotFound(CommandError):
    """An unknown escalation, commitment or action id (exit 2, HTTP 404)."""

    http_status = 404


class Refused(CommandError):
    """An invariant forbids it, e.g. closing with open commitments (exit 3, HTTP 409)."""

    exit_code = 3
    http_status = 409


class RightRequired(CommandError):
    """The actor does not hold the decision right needed (exit 3, HTTP 403)."""

    exit_code = 3
    http_status = 403

    def __init__(self, right: str, roles: list[str], holders: dict[str, str], actor: str) -> None:
        who = ", ".join(f"{r} ({holders[r]})" if r in holders else f"{r} (vacant)" for r in roles)
        super().__init__(f"{actor} lacks decision right '{right}': held by {who or 'nobody'}")
        self.right = right
        self.roles = roles
        self.holders = {r: holders[r] for r in roles if r in holders}
