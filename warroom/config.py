"""Configuration: the packaged default policy merged with the user's file, validated strictly.

Layout of the TOML (see `config/default.toml`, which documents every key) and where it lands:

    [sla] at_risk                      -> Policy.at_risk_fraction
    [severities.P0|P1|P2]              -> Policy.severities (pir_due = "optional" -> None)
    [calendars.NAME]                   -> Policy.calendars
    [[triage_rules]]                   -> Policy.triage_rules (ordered, first match wins)
    [roles.NAME]                       -> Policy.roles
    [rights] RIGHT = [roles]           -> Policy.rights
    [templates.NAME]                   -> Policy.templates (name from the table key)
    [tiers.NAME], [customers.NAME]     -> Policy.tiers, Policy.customers
    [recurrence] window/flag_due     -> Policy.recurrence_window/flag_due
    [console] theme/user, [remote] url/token -> Config.console, Config.remote

Merging: user tables override keys of the default; lists and the whole `[customers]` table
replace; a named entry set to `false` drops the built-in one. Every problem becomes one
`ConfigError` line: `FILE: KEY.PATH: problem`.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import msgspec

from warroom.config_schema import (
    DURATION_KEYS,
    ConsoleSettings,
    FileLayout,
    RemoteSettings,
    check,
    quote_key,
)
from warroom.domain.policy import Policy, Template
from warroom.domain.structs import Invalid, convert
from warroom.domain.structs import Path as KeyPath
from warroom.domain.timeparse import TimeParseError, parse_duration

__all__ = [
    "Config",
    "ConfigError",
    "ConsoleSettings",
    "RemoteSettings",
    "default_config_path",
    "find_user_config",
    "load_config",
    "write_user_config",
]

_REPLACED_TABLES = {("customers",)}
"""Tables a user file replaces wholesale instead of merging into."""
_OPTIONAL = {"optional", "none", "off"}
_TOML_POSITION = re.compile(r"^(.*?)\s*\(at line (\d+), column (\d+)\)$")


class ConfigError(Exception):
    """A configuration file that cannot be used. `str()` is one line: file, key path, problem."""

    def __init__(self, path: Path | str, key: str | None, problem: str) -> None:
        self.path = Path(path)
        self.key = key
        self.problem = problem
        where = f"{self.path}: {key}: " if key else f"{self.path}: "
        super().__init__(where + " ".join(problem.split()))


class Config(msgspec.Struct, kw_only=True, frozen=True):
    """The effective configuration."""

    policy: Policy
    """SLA targets, calendars, severity matrix, roles, rights, templates, tiers, customers."""
    console: ConsoleSettings = msgspec.field(default_factory=ConsoleSettings)
    """Console settings."""
    remote: RemoteSettings = msgspec.field(default_factory=RemoteSettings)
    """Server connection settings."""
    files: tuple[Path, ...] = ()
    """The files that were merged, packaged default first."""


# --- public API ----------------------------------------------------------------------------------


def default_config_path() -> Path:
    """The packaged, documented default configuration file."""
    from warroom.resources import resource_dir

    return resource_dir("config") / "default.toml"


def find_user_config(path: Path | str | None = None) -> Path | None:
    """The user file to merge: `path`, else `$WARROOM_CONFIG`, else the XDG file if it exists."""
    if path is not None:
        return Path(path).expanduser()
    env = os.environ.get("WARROOM_CONFIG")
    if env:
        return Path(env).expanduser()
    from warroom.paths import user_config_path

    candidate = user_config_path()
    return candidate if candidate.is_file() else None


def load_config(path: Path | None = None) -> Config:
    """The packaged default merged with the user file (see `find_user_config`).

    Raises:
        ConfigError: unreadable file, bad TOML, unknown key, bad value or broken reference.
    """
    default = _default_config()
    user = find_user_config(path)
    if user is None:
        return default
    data = _read(user)
    merged = _merge(_default_data(), data, user, ())
    return _build(merged, (*default.files, user), known_rights=set(default.policy.rights))


def write_user_config(path: Path | None = None, force: bool = False) -> Path:
    """Write the documented default configuration to `path` (default: the XDG user file).

    The packaged file is copied as text so its comments, which document every key, stay with
    it. Refuses to overwrite an existing file unless `force`; creates missing directories.

    Raises:
        ConfigError: the file exists (without `force`) or cannot be written.
    """
    from warroom.paths import user_config_path

    target = Path(path).expanduser() if path is not None else user_config_path()
    if target.exists() and not force:
        raise ConfigError(target, None, "already exists (use --force to overwrite it)")
    text = default_config_path().read_text(encoding="utf-8")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.tmp")
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, target)
    except OSError as exc:
        raise ConfigError(target, None, f"cannot write: {exc.strerror or exc}") from None
    return target


# --- loading -------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _default_data() -> dict[str, Any]:
    """The packaged default as parsed TOML (cached; never mutated)."""
    return _read(default_config_path())


@lru_cache(maxsize=1)
def _default_config() -> Config:
    """The packaged default, validated (cached)."""
    return _build(_default_data(), (default_config_path(),), known_rights=None)


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(path, None, "file not found") from None
    except OSError as exc:
        raise ConfigError(path, None, f"cannot read: {exc.strerror or exc}") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(path, None, f"not UTF-8 text ({exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_POSITION.match(message)
        if found:
            text, line, column = found.groups()
            raise ConfigError(path, f"line {line}, column {column}", f"TOML syntax: {text}") \
                from None
        raise ConfigError(path, None, f"TOML syntax: {message}") from None


def _merge(
    base: Mapping[str, Any], over: Mapping[str, Any], path: Path, at: tuple[str, ...]
) -> dict[str, Any]:
    """`over` laid on `base`: tables merge, other values (lists too) replace, `false` drops."""
    out = dict(base)
    for key, value in over.items():
        here = (*at, key)
        current = base.get(key)
        if value is False and at and (current is None or isinstance(current, dict)):
            if current is None:
                raise ConfigError(path, _dotted(here), "nothing to drop: no built-in entry "
                                                       "of that name")
            del out[key]
        elif isinstance(value, dict) and isinstance(current, dict) \
                and here not in _REPLACED_TABLES:
            out[key] = _merge(current, value, path, here)
        else:
            out[key] = value
    return out


def _build(
    data: Mapping[str, Any], files: tuple[Path, ...], known_rights: set[str] | None
) -> Config:
    """Validate merged data and map it to a `Config`; errors name the last file."""
    blame = files[-1]
    try:
        parsed = convert(_read_durations(_spell_optional(data), blame), FileLayout)
    except Invalid as exc:
        raise _explain(exc, blame) from None
    problem = check(parsed, known_rights)
    if problem is not None:
        raise ConfigError(blame, *problem)
    policy = Policy(
        at_risk_fraction=parsed.sla.at_risk,
        severities=parsed.severities,
        calendars=parsed.calendars,
        triage_rules=parsed.triage_rules,
        roles=parsed.roles,
        rights=parsed.rights,
        templates=[
            Template(name=name, audience=t.audience, severities=t.severities, phases=t.phases,
                     body=t.body)
            for name, t in parsed.templates.items()
        ],
        tiers=parsed.tiers,
        customers=parsed.customers,
        recurrence_window=parsed.recurrence.window,
        flag_due=parsed.recurrence.flag_due,
        people=parsed.people,
        teams=parsed.teams,
    )
    return Config(policy=policy, console=parsed.console, remote=parsed.remote, files=files)


def _spell_optional(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """Read `pir_due = "optional"` (or `false`) as no PIR clock."""
    severities = data.get("severities")
    if not isinstance(severities, dict):
        return data
    fixed: dict[str, Any] = {}
    for name, table in severities.items():
        if isinstance(table, dict) and (
            table.get("pir_due") is False
            or (isinstance(table.get("pir_due"), str) and table["pir_due"].lower() in _OPTIONAL)
        ):
            table = {**table, "pir_due": None}
        fixed[name] = table
    return {**data, "severities": fixed}


def _read_durations(data: Mapping[str, Any], path: Path) -> Mapping[str, Any]:
    """Durations spelled `15m`, `4h` (or a number of seconds) as timedeltas."""
    out = dict(data)
    for table, keys in DURATION_KEYS.items():
        section = data.get(table)
        if not isinstance(section, dict):
            continue
        if table == "severities":
            out[table] = {name: _durations(sub, keys, path, (table, name))
                          if isinstance(sub, dict) else sub for name, sub in section.items()}
        else:
            out[table] = _durations(section, keys, path, (table,))
    return out


def _durations(table: dict[str, Any], keys: tuple[str, ...], path: Path,
               at: tuple[str, ...]) -> dict[str, Any]:
    out = dict(table)
    for key in keys:
        value = table.get(key)
        if isinstance(value, bool):
            continue  # refused by the type check, with the key named
        if isinstance(value, int | float):
            out[key] = timedelta(seconds=value)
        elif isinstance(value, str):
            try:
                out[key] = parse_duration(value)
            except TimeParseError as exc:
                raise ConfigError(path, _dotted((*at, key)), str(exc)) from None
    return out


# --- error messages ------------------------------------------------------------------------------


def _dotted(loc: KeyPath) -> str:
    """A location as a TOML key path: `severities.P1.resolve`, `triage_rules[2].name`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += ("." if text else "") + quote_key(str(part))
    return text


def _explain(exc: Invalid, path: Path) -> ConfigError:
    """A validation problem as a ConfigError naming its key path."""
    loc = exc.path
    if exc.kind == "key":
        return ConfigError(path, _dotted(loc), exc.problem.replace("bad key", "bad table name"))
    if exc.kind == "unknown":
        hint = f" (known: {', '.join(exc.allowed)})" if exc.allowed else ""
        return ConfigError(path, _dotted(loc[:-1]) or None, f"unknown key {loc[-1]!r}{hint}")
    if exc.kind == "missing":
        return ConfigError(path, _dotted(loc), "missing (this key is required)")
    value = exc.value
    got = f" (got {value!r})" if isinstance(value, str | int | float | bool) \
        and "got " not in exc.problem else ""
    return ConfigError(path, _dotted(loc) or None, exc.problem + got)
