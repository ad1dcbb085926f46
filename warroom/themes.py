"""Console themes as data: TOML files in `themes/` parsed into `textual.theme.Theme`.

A theme file holds Textual's base colours (`primary`, `background`, ...) plus a `[variables]`
table for warroom's own CSS variables (`sla-breached`, `sev-p0`, ...; see `VARIABLE_DEFAULTS`).
Files are validated with pydantic (`warroom.theme_schema`: every colour is checked with
`textual.color.Color.parse`, so a typo fails with the file, line and key); the result is cached
by the files' content, so a console that starts with unchanged themes never imports pydantic.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

import msgspec
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
    "sev-p1": "#b45309",
    "sev-p2": "#3a73c4",
    "sev-text": "#ffffff",
    "role-vacant": "#f0a030",
    "timeline-customer": "#7cc4ff",
    "timeline-decision": "#d9a6ff",
    "timeline-commitment": "#f5d36b",
}
"""Every custom variable warroom's CSS uses, with fallbacks for themes that do not set it."""


class ThemeError(Exception):
    """A theme file that cannot be used; the message names the file, line and key."""


class ThemeSpec(msgspec.Struct, frozen=True):
    """A validated theme file, as the cache keeps it."""

    name: str
    dark: bool
    options: dict[str, str | float]
    variables: dict[str, str]

    def theme(self) -> Theme:
        return Theme(name=self.name, dark=self.dark, variables=self.variables,
                     **self.options)  # type: ignore[arg-type]


class LoadedThemes(msgspec.Struct):
    """Themes read from folders, and one message per file that failed."""

    specs: list[ThemeSpec] = msgspec.field(default_factory=list)
    errors: list[str] = msgspec.field(default_factory=list)

    @property
    def themes(self) -> list[Theme]:
        return [spec.theme() for spec in self.specs]


def theme_dir() -> Path:
    """The packaged `themes/` folder (installed wheel or source checkout)."""
    from warroom.resources import resource_dir

    return resource_dir("themes")


def _spec(path: Path, raw: bytes) -> ThemeSpec:
    """One theme file validated (imports pydantic; raises ThemeError)."""
    from warroom.theme_schema import check_theme

    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise ThemeError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(f"{path}: not valid TOML: {exc}") from None
    try:
        model = check_theme(data, path, text)
    except ValueError as exc:
        raise ThemeError(str(exc)) from None
    options = model.model_dump(exclude={"name", "dark", "variables"}, exclude_none=True)
    return ThemeSpec(name=model.name or path.stem, dark=model.dark, options=options,
                     variables=dict(model.variables))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ThemeError(f"{path}: cannot read: {exc.strerror or exc}") from None


def load_theme(path: Path) -> Theme:
    """Read one theme file (raises `ThemeError` naming the file, line and key)."""
    return _spec(path, _read(path)).theme()


def load_themes(*folders: Path) -> LoadedThemes:
    """Every `*.toml` theme in the folders (later folders override earlier names), validated
    once per content and then read from the cache (see `warroom.filecache`)."""
    from warroom import filecache

    files: list[tuple[Path, bytes | None]] = []
    for folder in folders:
        if folder.is_dir():
            for path in sorted(folder.glob("*.toml")):
                try:
                    files.append((path, path.read_bytes()))
                except OSError:
                    files.append((path, None))
    here = Path(__file__).resolve().parent
    key = filecache.cache_key([here / "themes.py", here / "theme_schema.py"],
                              [(str(p), raw if raw is not None else b"\0unreadable")
                               for p, raw in files])
    loaded = filecache.read("themes", key, LoadedThemes)
    if loaded is not None:
        return loaded
    loaded = LoadedThemes()
    for path, raw in files:
        try:
            loaded.specs.append(_spec(path, raw if raw is not None else _read(path)))
        except ThemeError as exc:
            loaded.errors.append(str(exc))
    filecache.write("themes", key, loaded)
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
