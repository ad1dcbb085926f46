"""Writing the user's config file with tomli-w: `config set`, `config init --minimal`, and the
console's remembered theme.

Every write validates the whole new content with the schema first (a bad key or value raises
`ConfigError` and leaves the file untouched), writes it with tomli-w, and reads it back to check.
tomli-w writes data, not text: comments in the file are not kept.
"""

from __future__ import annotations

import json
import re
import tomllib
from copy import deepcopy
from pathlib import Path
from typing import Any

import tomli_w

from warroom.config.files import decode, default_config_path, read_bytes, write_text
from warroom.config.model import Config, ConfigError
from warroom.domain.errors import InvalidInput, location

_STEP = re.compile(r'(?:^|\.)(?:"((?:[^"\\]|\\.)*)"|([^.\["]+))|\[(\d+)\]')


def parse_key(text: str) -> tuple[str | int, ...]:
    """`severities.P1.resolve`, `customers."Acme Corp".tier`, `triage_rules[0].name` as a
    path (the spelling of `domain.errors.location`; quotes allowed around a key)."""
    path: list[str | int] = []
    text = text.strip()
    position = 0
    while position < len(text):
        step = _STEP.match(text, position)
        if step is None or (position == 0 and step.group(3) is not None):
            raise InvalidInput("key", f"bad key path {text!r} (expected e.g. console.theme)")
        quoted, bare, index = step.groups()
        path.append(int(index) if index is not None else quoted if quoted is not None else bare)
        position = step.end()
    if not path:
        raise InvalidInput("key", "empty key path (expected e.g. console.theme)")
    return tuple(path)


def parse_value(text: str) -> Any:
    """A command-line value: TOML (`0.3`, `true`, `["a", "b"]`, `"x"`) if it reads as one,
    else the text itself (`light`, `12h`)."""
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text


def get_value(config: Config, key: str) -> Any:
    """The effective value at `key` (raises InvalidInput for a key the config does not have)."""
    value: Any = config.data
    path = parse_key(key)
    for depth, part in enumerate(path):
        found = (isinstance(value, list) and isinstance(part, int) and part < len(value)) \
            or (isinstance(value, dict) and part in value)
        if found:
            value = value[part]
        else:
            here = location(path[:depth])
            known = f" (known: {', '.join(map(str, value))})" if isinstance(value, dict) else ""
            raise InvalidInput(location(path[:depth + 1]),
                               f"no such key{f' in {here}' if here else ''}{known}")
    return value


def show(value: Any) -> str:
    """A value as `config get` prints it: text plain, anything else as TOML."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return tomli_w.dumps(_without_none(value)).rstrip("\n")
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return json.dumps(value)  # the same text as a TOML inline array
    return tomli_w.dumps({"v": _without_none(value)}).removeprefix("v = ").rstrip("\n")


def set_value(target: Path, key: str, value: Any) -> None:
    """Set `key` to `value` in the user file `target` (created if missing), validated first.

    Raises:
        ConfigError: bad key or value (the file is untouched), or the file cannot be written.
    """
    path = parse_key(key)
    if any(isinstance(part, int) for part in path):
        raise ConfigError(target, key, "list items cannot be set one by one; set the whole "
                                       "list, e.g. '[\"a\", \"b\"]'")
    write(target, nest(deepcopy(_read_user(target)), path, value, target))


def write(target: Path, data: dict[str, Any]) -> None:
    """`data` validated as a user file over the packaged default, then written with tomli-w and
    read back (raises ConfigError; nothing is written when the data is bad)."""
    from warroom.config.validate import validate

    text = tomli_w.dumps(data)
    default = default_config_path()
    try:
        validate([(default, read_bytes(default)), (target, text.encode())])
    except ConfigError as exc:
        raise ConfigError(target, exc.key, exc.problem) from None  # its line is not in the file
    write_text(target, text)
    if decode(target, read_bytes(target))[1] != data:
        raise ConfigError(target, None, "read back differs from what was written")


def minimal(target: Path, overrides: dict[str, Any], force: bool = False) -> Path:
    """Write a short user file holding only `overrides` (a nested table), validated first.

    Raises:
        ConfigError: the file exists (without `force`), a bad key or value, or a write failure.
    """
    if target.exists() and not force:
        raise ConfigError(target, None, "already exists (use --force to overwrite it)")
    write(target, overrides)
    return target


def nest(into: dict[str, Any], path: tuple[str | int, ...], value: Any,
         target: Path) -> dict[str, Any]:
    """`into` with `value` placed at `path` (tables created as needed; errors blame `target`)."""
    table = into
    for depth, part in enumerate(path[:-1]):
        inner = table.setdefault(str(part), {})
        if not isinstance(inner, dict):
            raise ConfigError(target, location(path[:depth + 1]), "is a value, not a table")
        table = inner
    table[str(path[-1])] = value
    return into


def _read_user(target: Path) -> dict[str, Any]:
    if not target.exists():
        return {}
    return decode(target, read_bytes(target))[1]


def _without_none(value: Any) -> Any:
    """TOML has no null: unset keys are left out."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value
