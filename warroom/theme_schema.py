"""The theme file's schema (pydantic; imported only when the themes are not in the cache)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, ValidationError
from pydantic_core import PydanticCustomError
from textual.color import Color, ColorParseError

from warroom.domain.errors import location
from warroom.domain.validation import first_problem
from warroom.tomlkeys import line_of


def _colour(value: str) -> str:
    try:
        Color.parse(value)
    except ColorParseError:
        raise PydanticCustomError(
            "theme", f"not a colour ({value!r}; e.g. '#3a8ee6' or 'rgb(58,142,230)')") from None
    return value


Colour = Annotated[str, Field(strict=True), AfterValidator(_colour)]
Fraction = Annotated[float, Field(ge=0, le=1)]


class ThemeFile(BaseModel):
    """A theme file: Textual's base colours, plus warroom's CSS variables in `[variables]`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(strict=True)] = ""
    """Registered name (default: the file name without `.toml`)."""
    dark: StrictBool = True
    primary: Colour
    secondary: Colour | None = None
    warning: Colour | None = None
    error: Colour | None = None
    success: Colour | None = None
    accent: Colour | None = None
    foreground: Colour | None = None
    background: Colour | None = None
    surface: Colour | None = None
    panel: Colour | None = None
    boost: Colour | None = None
    luminosity_spread: Fraction | None = None
    text_alpha: Fraction | None = None
    variables: dict[str, Colour] = Field(default_factory=dict)
    """warroom's own CSS variables (`sla-breached`, `sev-p0`, ...)."""


def check_theme(data: object, path: Path, text: str) -> ThemeFile:
    """`data` (the parsed TOML of `path`) validated; raises ValueError with the one-line
    message `FILE:LINE: KEY: problem`."""
    try:
        return ThemeFile.model_validate(data)
    except ValidationError as exc:
        loc = tuple(exc.errors(include_url=False)[0]["loc"])
        where, message = first_problem(exc)
        if message == "unknown field":
            message = "unknown key"
        elif message == "required":
            message = "missing"
        line = line_of(text, loc)
        raise ValueError(f"{path}{f':{line}' if line else ''}: {location(loc) or where}: "
                         f"{message}") from None
