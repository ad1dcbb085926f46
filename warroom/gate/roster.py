"""The SSH roster: who may join, known by public key, in OpenSSH authorized_keys form.

One key a line, options first, exactly as in `~/.ssh/authorized_keys`:

    warroom-person="dana" ssh-ed25519 AAAAC3Nza... dana@laptop
    warroom-person="exec-bo",warroom-readonly ssh-ed25519 AAAAC3Nza... bo@phone
    environment="WARROOM_USER=sam",from="10.0.0.0/8" ssh-rsa AAAAB3Nza... sam

- The person is named by `warroom-person="NAME"` (asyncssh keeps non-standard options, so this is
  read back with `get_key_option`), or, for files shared with OpenSSH tooling, by
  `environment="WARROOM_USER=NAME"`. A line that names nobody is skipped.
- `warroom-readonly` (or `environment="WARROOM_READONLY=1"`) gives that key the read-only
  wallboard instead of the console.
- asyncssh enforces `from="PATTERNS"` and the `no-pty` restriction itself.
- `cert-authority` lines and X.509 entries are skipped: identity comes from the key alone.
  `command=` is ignored (the gate never runs a command) and reported.

A name is 1 to 64 characters of letters, digits and `._@+-`. Lines are numbered in problem
reports; a bad line never hides the good ones. The file is read anew for every connection.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PERSON_OPTION = "warroom-person"
READONLY_OPTION = "warroom-readonly"
PERSON_ENV = "WARROOM_USER"
READONLY_ENV = "WARROOM_READONLY"
PERSON_RE = re.compile(r"^[\w.@+-]{1,64}$")
_TRUE = {"1", "true", "yes", "on"}


class RosterSyntaxError(ValueError):
    """An option list that cannot be parsed."""


@dataclass(frozen=True)
class RosterEntry:
    """One accepted roster line."""

    line: int
    person: str
    read_only: bool
    key_type: str
    fingerprint: str
    text: str


@dataclass
class Roster:
    """The parsed roster: accepted entries, and one message per skipped or doubtful line."""

    entries: list[RosterEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def authorized_keys(self) -> Any:
        """The accepted lines as an `asyncssh.SSHAuthorizedKeys` (None when there are none)."""
        if not self.entries:
            return None
        import asyncssh

        return asyncssh.import_authorized_keys("\n".join(e.text for e in self.entries))

    def people(self) -> list[str]:
        """The distinct people, sorted."""
        return sorted({e.person for e in self.entries})

    def summary(self) -> str:
        """One line: how many keys and people, and how many lines were skipped."""
        keys, people = len(self.entries), len(self.people())
        text = (f"{keys} key{'s' if keys != 1 else ''} for {people} "
                f"{'person' if people == 1 else 'people'}")
        if self.problems:
            text += f", {len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"
        return text


def split_options(line: str) -> tuple[list[str], str]:
    """Split an authorized_keys line into its raw options and the rest (the key and comment).

    Quoting follows OpenSSH (and asyncssh): double quotes group, a backslash escapes the next
    character, a comma separates options, the first unquoted blank ends the list.
    """
    options: list[str] = []
    option = ""
    quoted = escaped = False
    idx = len(line)
    for i, ch in enumerate(line):
        if escaped:
            option += ch
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif quoted:
            option += ch
        elif ch in " \t":
            idx = i
            break
        elif ch == ",":
            options.append(option)
            option = ""
        else:
            option += ch
    if quoted:
        raise RosterSyntaxError("unbalanced quote in options")
    if escaped:
        raise RosterSyntaxError("unbalanced backslash in options")
    options.append(option)
    return options, line[idx:].strip()


def _options_dict(raw: list[str]) -> dict[str, list[str] | bool]:
    """Options the way asyncssh stores non-standard ones: name -> values, or True for a flag."""
    out: dict[str, list[str] | bool] = {}
    for option in raw:
        if not option or option.startswith("="):
            raise RosterSyntaxError("missing option name")
        if "=" in option:
            name, value = option.split("=", 1)
            values = out.setdefault(name, [])
            if isinstance(values, list):
                values.append(value)
        else:
            out[option] = True
    return out


def identity_from_options(options: Mapping[str, Any]) -> tuple[str | None, bool]:
    """(person, read_only) from a key's options as asyncssh reports them.

    `warroom-person` wins over `environment="WARROOM_USER=..."`. Values that are not a valid
    name give None, so the key is refused rather than mapped to a surprising person.
    """
    person: str | None = None
    values = options.get(PERSON_OPTION)
    if isinstance(values, list) and values:
        person = str(values[-1])
    env = options.get("environment")
    env_map: Mapping[str, str] = env if isinstance(env, Mapping) else {}
    if person is None and env_map.get(PERSON_ENV):
        person = str(env_map[PERSON_ENV])
    read_only = options.get(READONLY_OPTION) is True or (
        isinstance(options.get(READONLY_OPTION), list)
        and str(options[READONLY_OPTION][-1]).lower() in _TRUE)
    if str(env_map.get(READONLY_ENV, "")).lower() in _TRUE:
        read_only = True
    if person is not None and not PERSON_RE.match(person):
        person = None
    return person, read_only


def _environment(values: list[str] | bool) -> dict[str, str]:
    env: dict[str, str] = {}
    if isinstance(values, list):
        for value in values:
            if value.startswith("=") or "=" not in value:
                raise RosterSyntaxError("environment needs NAME=VALUE")
            name, val = value.split("=", 1)
            env[name] = val
    return env


def parse_roster(text: str) -> Roster:
    """Parse roster text; never raises for a bad line (it is skipped and reported)."""
    import asyncssh

    roster = Roster()
    seen: dict[str, int] = {}
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            key = asyncssh.import_public_key(line)
            options: dict[str, list[str] | bool] = {}
        except (asyncssh.KeyImportError, ValueError):
            try:
                raw, rest = split_options(line)
                options = _options_dict(raw)
                key = asyncssh.import_public_key(rest)
            except RosterSyntaxError as exc:
                roster.problems.append(f"line {number}: {exc}")
                continue
            except (asyncssh.KeyImportError, ValueError):
                roster.problems.append(f"line {number}: not a public key")
                continue
        if "cert-authority" in options:
            roster.problems.append(f"line {number}: cert-authority is not supported "
                                   "(identity comes from the key alone); skipped")
            continue
        try:
            env = _environment(options.get("environment", False))
        except RosterSyntaxError as exc:
            roster.problems.append(f"line {number}: {exc}")
            continue
        ident_options: dict[str, Any] = dict(options)
        ident_options["environment"] = env
        person, read_only = identity_from_options(ident_options)
        if person is None:
            roster.problems.append(
                f"line {number}: names no valid person "
                f'(add {PERSON_OPTION}="NAME", NAME of letters, digits and ._@+-); skipped')
            continue
        try:  # what asyncssh will make of the line must agree with what we read
            asyncssh.import_authorized_keys(line)
        except (ValueError, asyncssh.KeyImportError) as exc:
            roster.problems.append(f"line {number}: {exc}; skipped")
            continue
        fingerprint = key.get_fingerprint("sha256")
        if fingerprint in seen:
            roster.problems.append(f"line {number}: key already listed on line "
                                   f"{seen[fingerprint]}; the first line wins")
            continue
        seen[fingerprint] = number
        if "command" in options:
            roster.problems.append(f"line {number}: command= is ignored (no commands run)")
        roster.entries.append(RosterEntry(line=number, person=person, read_only=read_only,
                                          key_type=key.get_algorithm(),
                                          fingerprint=fingerprint, text=line))
    return roster


def load_roster(path: str | Path) -> Roster:
    """Read and parse the roster file; a missing or unreadable file is an empty roster."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return Roster(problems=[f"{path}: no such file; every key is refused"])
    except (OSError, UnicodeDecodeError) as exc:
        return Roster(problems=[f"{path}: cannot read ({exc}); every key is refused"])
    return parse_roster(text)
