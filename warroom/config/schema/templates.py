"""`[templates.NAME]`: status-update templates offered by the composer."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from warroom.config.schema.base import Section, problem
from warroom.domain.errors import InvalidInput
from warroom.domain.models import Audience, Phase, Severity
from warroom.domain.templates import KNOWN_PLACEHOLDERS, placeholders


def _some(kind: str) -> AfterValidator:
    def check(values: list[object]) -> list[object]:
        if not values:
            raise problem(f"lists no {kind}, so it would never be offered")
        return values

    return AfterValidator(check)


def _body(body: str) -> str:
    try:
        used = placeholders(body)
    except InvalidInput as exc:
        raise problem(str(exc).removeprefix("template: ")) from None
    unknown = sorted(used - KNOWN_PLACEHOLDERS)
    if unknown:
        raise problem(f"unknown placeholder {{{unknown[0]}}} (known: "
                      f"{', '.join(sorted(KNOWN_PLACEHOLDERS))})")
    return body


class TemplateEntry(Section):
    """`[templates.NAME]`: a body for an audience, offered at the severities and phases given."""

    audience: Audience
    severities: Annotated[list[Severity], _some("severity")] = Field(
        default_factory=lambda: list(Severity))
    phases: Annotated[list[Phase], _some("phase")] = Field(default_factory=lambda: list(Phase))
    body: Annotated[str, AfterValidator(_body)]
