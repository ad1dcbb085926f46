"""Finding, reading and merging the config files (TOML in, plain data out; no validation).

Merging: user tables override keys of the default; lists and the whole `[customers]` table
replace; a named entry set to `false` drops the built-in one.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from warroom.config.model import ConfigError
from warroom.domain.errors import location
from warroom.tomlkeys import line_of

_REPLACED_TABLES = {("customers",)}
"""Tables a user file replaces wholesale instead of merging into."""
_TOML_POSITION = re.compile(r"^(.*?)\s*\(at line (\d+), column (\d+)\)$")


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


def read_bytes(path: Path) -> bytes:
    """The file's content (raises ConfigError naming it)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(path, None, "file not found") from None
    except OSError as exc:
        raise ConfigError(path, None, f"cannot read: {exc.strerror or exc}") from None


def decode(path: Path, raw: bytes) -> tuple[str, dict[str, Any]]:
    """The file's text and parsed TOML (raises ConfigError with the line of a syntax error)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(path, None, f"not UTF-8 text ({exc.reason})") from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_POSITION.match(str(exc))
        if found:
            message, line, column = found.groups()
            raise ConfigError(path, None, f"TOML syntax: {message} (column {column})",
                              line=int(line)) from None
        raise ConfigError(path, None, f"TOML syntax: {exc}") from None


def read(path: Path) -> dict[str, Any]:
    """The file parsed as TOML (raises ConfigError)."""
    return decode(path, read_bytes(path))[1]


def merge(base: Mapping[str, Any], over: Mapping[str, Any], path: Path,
          at: tuple[str, ...] = (), text: str = "") -> dict[str, Any]:
    """`over` laid on `base`: tables merge, other values (lists too) replace, `false` drops.
    Errors name `path` (and the line, found in its `text`)."""
    out = dict(base)
    for key, value in over.items():
        here = (*at, key)
        current = base.get(key)
        if value is False and at and (current is None or isinstance(current, dict)):
            if current is None:
                raise ConfigError(path, location(here), "nothing to drop: no built-in entry of "
                                  "that name", line=line_of(text, here))
            del out[key]
        elif isinstance(value, dict) and isinstance(current, dict) \
                and here not in _REPLACED_TABLES:
            out[key] = merge(current, value, path, here, text)
        else:
            out[key] = value
    return out


def write_text(target: Path, text: str) -> None:
    """Replace `target` with `text` atomically, creating directories (raises ConfigError)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        temp.write_text(text, encoding="utf-8")
        if target.exists():  # keep its permissions: the file may hold a server token
            os.chmod(temp, target.stat().st_mode & 0o7777)
        os.replace(temp, target)
    except OSError as exc:
        raise ConfigError(target, None, f"cannot write: {exc.strerror or exc}") from None


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
    write_text(target, default_config_path().read_text(encoding="utf-8"))
    return target
