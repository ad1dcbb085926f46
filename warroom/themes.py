"""Console themes as data: TOML files in `themes/` parsed into `textual.theme.Theme`.

A theme file holds Textual's base colours (`primary`, `background`, ...) plus a `[variables]`
table for warroom's own CSS variables (`sla-breached`, `sev-p0`, ...; see `VARIABLE_DEFAULTS`).
Every colour is checked with `textual.color.Color.parse`, so a typo fails with the file and key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.theme import Theme

DEFAULT_THEME = "warroom-dark"
"""The theme used when neither config nor `--theme` names one."""

VARIABLE_DEFAULTS: dict[str, str] = {
    "sla-ok": "#46a758",
    "sla-at-risk": "#f0a030",
    "sla-breached": "#ff5c61",
    "sla-met": "#6e9fd8",
    "sla-muted": "#8a8f98",
    "sev-p0": "#d92d32",
    "sev-p1": "#e07b16",
    "sev-p2": "#3a73c4",
    "sev-text": "#ffffff",
    "role-vacant": "#f0a030",
    "timeline-customer": "#7cc4ff",
    "timeline-decision": "#d9a6ff",
    "timeline-commitment": "#f5d36b",
}
"""Every custom variable warroom's CSS uses, with fallbacks for themes that do not set it."""

_COLOURS = ("primary", "secondary", "warning", "error", "success", "accent", "foreground",
            "background", "surface", "panel", "boost")
_NUMBERS = ("luminosity_spread", "text_alpha")
_KNOWN = {"name", "dark", "variables", *_COLOURS, *_NUMBERS}


class ThemeError(Exception):
    """A theme file that cannot be used; the message names the file and the key."""


@dataclass
class LoadedThemes:
    """Themes read from a folder, and one message per file that failed."""

    themes: list[Theme] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def theme_dir() -> Path:
    """The packaged `themes/` folder (installed wheel or source checkout)."""
    from warroom.resources import resource_dir

    return resource_dir("themes")


def _colour(path: Path, key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ThemeError(f"{path}: {key}: expected a colour string, got {value!r}")
    try:
        Color.parse(value)
    except ColorParseError as exc:
        raise ThemeError(f"{path}: {key}: not a colour ({value!r})") from exc
    return value


def parse_theme(data: dict[str, Any], path: Path) -> Theme:
    """Build a Theme from a parsed TOML table (see the module docstring for the keys)."""
    unknown = sorted(set(data) - _KNOWN)
    if unknown:
        raise ThemeError(f"{path}: unknown key {unknown[0]!r}")
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not name:
        raise ThemeError(f"{path}: name: expected a non-empty string")
    if "primary" not in data:
        raise ThemeError(f"{path}: primary: missing")
    options: dict[str, Any] = {k: _colour(path, k, data[k]) for k in _COLOURS if k in data}
    for key in _NUMBERS:
        if key in data:
            if not isinstance(data[key], int | float) or not 0 <= data[key] <= 1:
                raise ThemeError(f"{path}: {key}: expected a number from 0 to 1")
            options[key] = float(data[key])
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ThemeError(f"{path}: dark: expected true or false")
    raw_vars = data.get("variables", {})
    if not isinstance(raw_vars, dict):
        raise ThemeError(f"{path}: variables: expected a table")
    variables = {str(k): _colour(path, f"variables.{k}", v) for k, v in raw_vars.items()}
    return Theme(name=name, dark=dark, variables=variables, **options)


def load_theme(path: Path) -> Theme:
    """Read one theme file (raises `ThemeError` naming the file and key)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ThemeError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(f"{path}: not valid TOML: {exc}") from exc
    return parse_theme(data, path)


def load_themes(*folders: Path) -> LoadedThemes:
    """Every `*.toml` theme in the folders (later folders override earlier names)."""
    loaded = LoadedThemes()
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                loaded.themes.append(load_theme(path))
            except ThemeError as exc:
                loaded.errors.append(str(exc))
    return loaded


def resolve_name(name: str, available: Iterable[str]) -> str | None:
    """The registered theme `name` refers to: exact, or short (`dark` for `warroom-dark`);
    `color` and `colour` are both accepted."""
    names = set(available)
    spelled = {name, name.replace("color", "colour"), name.replace("colour", "color")}
    for candidate in [*spelled, *(f"warroom-{n}" for n in spelled)]:
        if candidate in names:
            return candidate
    return None
